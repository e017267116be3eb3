"""Full-text search shared by the practice list, the CSV export and /search/.

Practices and publications keep a stored, generated ``search_vector`` built with the
text-search configuration of the entry's language (``ch_english`` or ``ch_spanish``, both
accent-folding). A visitor's words are parsed with *both* configurations: the OR of the two
queries finds candidates through the GIN index, and each candidate is then checked (and
ranked) against the query parsed with its own language's configuration. The second step
keeps ``-word`` honest: "street -lighting" parsed the Spanish way would not know that
English "lighting" is stored as "light", and would let the entry through.

Queries use PostgreSQL's websearch syntax: ``"exact phrase"``, ``-excluded``, ``or``.

"Did you mean" suggestions come from ``practice_search_word``, a materialized view of the
words used by published practices (clearinghouse migration 0001), compared with pg_trgm
similarity. ``refresh_search_words()`` (``manage.py refresh_search_words``) rebuilds it; a
practice saved or deleted through the models schedules that after its transaction commits
whenever the published words change (a practice starts or stops being published, or a
published one's text changes), so an unpublished practice's words go at once.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
)
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practices.models import SEARCH_CONFIGS, Language, PublishingState

MAX_QUERY_LENGTH = 200
# Words shorter than this are not checked for spelling.
MIN_SUGGEST_LENGTH = 3
# pg_trgm similarity a vocabulary word needs to be offered as a correction (the ``%``
# operator that uses the trigram index keeps its default threshold, 0.3, below this).
MIN_SIMILARITY = 0.35

# Markers put around matches by ts_headline; replaced by <mark> after HTML-escaping the text.
# Private-use code points, so they never collide with what a curator types.
_START = "\ue000"
_STOP = "\ue001"

_WORD_RE = re.compile(r"[^\W\d_]+")
_OPERATORS = {"or", "and", "not"}


@dataclass(frozen=True)
class ParsedQuery:
    """A visitor's search text, ready for PostgreSQL."""

    text: str
    query: SearchQuery | None
    by_language: dict | None = None

    def __bool__(self) -> bool:
        return self.query is not None

    def for_row_language(self) -> Case:
        """The query parsed with the configuration of each row's own language."""
        return Case(
            When(language=Language.SPANISH, then=self.by_language[Language.SPANISH]),
            default=self.by_language[Language.ENGLISH],
            output_field=SearchQueryField(),
        )


class Matches(Func):
    """``vector @@ query`` for any query expression (the lookup only takes SearchQuery)."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def echo(raw: str | None) -> str:
    """What to put back in the search box: the visitor's text, made safe to show."""
    return (raw or "").replace("\x00", "")[:MAX_QUERY_LENGTH]


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit to search for."""
    return any(ch.isalnum() for ch in text)


def parse(text: str | None) -> ParsedQuery:
    """The websearch query for ``text`` in English OR Spanish, or an empty ParsedQuery.

    ``text`` must already be validated (length, no NUL); only-punctuation gives no query.
    """
    text = " ".join((text or "").split())
    if not text or not has_words(text):
        return ParsedQuery(text=text, query=None)
    english = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIGS[Language.ENGLISH])
    spanish = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIGS[Language.SPANISH])
    return ParsedQuery(
        text=text,
        query=english | spanish,
        by_language={Language.ENGLISH: english, Language.SPANISH: spanish},
    )


def search(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Rows matching the query, annotated with ``rank`` (title A > summary B > body C).

    The model needs ``search_vector`` and ``language`` (practices and publications).
    """
    if not parsed:
        return queryset
    own_language = parsed.for_row_language()
    return (
        queryset.filter(search_vector=parsed.query)
        .filter(Matches(F("search_vector"), own_language))
        .annotate(rank=SearchRank(F("search_vector"), own_language))
    )


def language_config() -> Case:
    """The text-search configuration of each row's language, for ts_headline."""
    return Case(
        When(language=Language.SPANISH, then=Value(SEARCH_CONFIGS[Language.SPANISH])),
        default=Value(SEARCH_CONFIGS[Language.ENGLISH]),
    )


def render_headline(raw: str) -> SafeString:
    """HTML-escape a ts_headline result, then turn its markers into <mark> elements."""
    html = escape(raw)
    opened = False
    out = []
    for part in re.split(f"([{_START}{_STOP}])", html):
        if part == _START and not opened:
            out.append("<mark>")
            opened = True
        elif part == _STOP and opened:
            out.append("</mark>")
            opened = False
        elif part not in (_START, _STOP):
            out.append(part)
    if opened:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text was escaped above


def headlines(model, pks: list[int], parsed: ParsedQuery, field: str = "summary") -> dict:
    """Highlighted snippets of ``field`` for the given rows only (the current page).

    One query, whatever the page size; nothing is computed for rows not shown.
    """
    if not parsed or not pks:
        return {}
    rows = (
        model.objects.filter(pk__in=pks)
        .annotate(
            snippet=SearchHeadline(
                field,
                parsed.query,
                config=language_config(),
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )
    return {pk: render_headline(snippet or "") for pk, snippet in rows}


def attach_headlines(objects: list, parsed: ParsedQuery, field: str = "summary") -> None:
    """Set ``obj.snippet`` (safe HTML) on each object of the page."""
    if not objects:
        return
    found = headlines(type(objects[0]), [obj.pk for obj in objects], parsed, field)
    for obj in objects:
        obj.snippet = found.get(obj.pk)


# --- "Did you mean": vocabulary of published practices ---------------------------------

SUGGEST_SQL = """
SELECT t.term, best.word
FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n)
LEFT JOIN LATERAL (
    SELECT w.word, w.plain = unaccent(t.term) AS exact
    FROM practice_search_word w
    WHERE (w.plain %% unaccent(t.term) AND similarity(w.plain, unaccent(t.term)) >= %s)
       OR w.plain = unaccent(t.term)
    ORDER BY w.plain = unaccent(t.term) DESC,
             similarity(w.plain, unaccent(t.term)) DESC,
             w.ndoc DESC,
             w.word
    LIMIT 1
) best ON TRUE
WHERE best.word IS NULL OR NOT best.exact
ORDER BY t.n
"""


def candidate_words(text: str) -> list[str]:
    """Lower-cased words of the query worth checking (no operators, no short words)."""
    words = []
    for word in _WORD_RE.findall(text.lower()):
        if len(word) >= MIN_SUGGEST_LENGTH and word not in _OPERATORS and word not in words:
            words.append(word)
    return words[:12]


def suggest(text: str) -> str | None:
    """The query with misspelled words replaced by the closest known word, or None.

    One query against the trigram-indexed vocabulary, whatever the number of practices.
    """
    words = candidate_words(text)
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(SUGGEST_SQL, [words, MIN_SIMILARITY])
        replacements = {term: word for term, word in cursor.fetchall() if word}
    if not replacements:
        return None

    def replace(match: re.Match) -> str:
        return replacements.get(match.group(0).lower(), match.group(0))

    suggestion = _WORD_RE.sub(replace, text)
    return suggestion if suggestion != text else None


def refresh_search_words() -> None:
    """Rebuild the vocabulary used for suggestions from the published practices."""
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY practice_search_word")


def _refresh_after_commit() -> None:
    refresh_search_words()
    # Suggestions are cached under the catalogue version: drop any made from the old words.
    from clearinghouse.cache import bump_catalogue_version

    bump_catalogue_version()


def schedule_search_words_refresh() -> None:
    """Rebuild the vocabulary once the current transaction commits, once per transaction
    (an import of many practices rebuilds it once)."""
    pending = getattr(connection, "run_on_commit", [])
    if not any(entry[1] is _refresh_after_commit for entry in pending):
        transaction.on_commit(_refresh_after_commit)


# The practice fields the vocabulary is built from (clearinghouse migration 0001).
VOCABULARY_FIELDS = ("title", "summary", "problem", "approach", "results")


def _vocabulary_changes(sender, instance, raw=False, **kwargs) -> None:
    """Before a practice is saved: will the published words change? They do when it
    starts or stops being published, or when a published practice's text changes."""
    published = instance.state == PublishingState.PUBLISHED
    stored = None
    if not raw and instance.pk is not None:
        stored = sender.objects.filter(pk=instance.pk).values("state", *VOCABULARY_FIELDS).first()
    if raw:  # fixtures loading: the bulk paths refresh by themselves
        changes = False
    elif stored is None:
        changes = published
    elif (stored["state"] == PublishingState.PUBLISHED) != published:
        changes = True
    else:
        changes = published and any(
            stored[name] != getattr(instance, name) for name in VOCABULARY_FIELDS
        )
    instance._vocabulary_changes = changes


def _practice_saved(sender, instance, raw=False, **kwargs) -> None:
    if getattr(instance, "_vocabulary_changes", False):
        instance._vocabulary_changes = False
        schedule_search_words_refresh()


def _practice_deleted(sender, instance, **kwargs) -> None:
    if instance.state == PublishingState.PUBLISHED:
        schedule_search_words_refresh()


def connect_vocabulary_signals() -> None:
    """Keep "did you mean" to the words of published practices after every change made
    through the models (bulk paths call ``refresh_search_words`` themselves)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from practices.models import Practice

    uid = "practice-search-words"
    pre_save.connect(_vocabulary_changes, sender=Practice, dispatch_uid=f"{uid}-pre")
    post_save.connect(_practice_saved, sender=Practice, dispatch_uid=f"{uid}-save")
    post_delete.connect(_practice_deleted, sender=Practice, dispatch_uid=f"{uid}-delete")
