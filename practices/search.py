"""Full-text search shared by the practice list, the CSV export and /search/.

Practices are searched through their whole-record document (``PracticeSearch``, kept by
database triggers): their own text in the entry's language, their summary in the other
language, and the names of their topics, departments, jurisdictions and initiative.
Publications keep a stored, generated ``search_vector`` of their own text. Both use the
accent-folding ``ch_english`` and ``ch_spanish`` text-search configurations.

A visitor's query is read the way PostgreSQL's websearch syntax reads it (``"exact
phrase"``, ``-excluded``, ``or``; plain words must all match), and each word is searched
in both languages: stemmed the English way OR the Spanish way. Words and phrases found in
the bilingual vocabulary (``VocabularyTerm``, edited by curators) are also searched as
their equivalents in the other language, each stemmed with its own language's
configuration: "street lighting" finds "alumbrado público", "violencia juvenil" finds
"youth violence". The vocabulary is read once per catalogue version, so an edit counts
from the next request on.

"Did you mean" suggestions come from ``practice_search_word``, a materialized view of the
words used by published practices (clearinghouse migration 0001), compared with pg_trgm
similarity. ``refresh_search_words()`` (``manage.py refresh_search_words``) rebuilds it; a
practice saved or deleted through the models schedules that after its transaction commits
whenever the published words change (a practice starts or stops being published, or a
published one's text changes), so an unpublished practice's words go at once.
A suggestion is offered only when the query finds little (``FEW_RESULTS`` or fewer) and
the suggested query finds more.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchRank,
)
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practices.models import (
    SEARCH_CONFIGS,
    Language,
    Practice,
    PublishingState,
    VocabularyTerm,
)

MAX_QUERY_LENGTH = 200
# Words shorter than this are not checked for spelling.
MIN_SUGGEST_LENGTH = 3
# pg_trgm similarity a vocabulary word needs to be offered as a correction (the ``%``
# operator that uses the trigram index keeps its default threshold, 0.3, below this).
MIN_SIMILARITY = 0.35
# "Did you mean" is considered only when a query finds this many results or fewer.
FEW_RESULTS = 3
# The longest vocabulary term looked for in a query, in words.
MAX_TERM_WORDS = 6

# Markers put around matches by ts_headline; replaced by <mark> after HTML-escaping the text.
# Private-use code points, so they never collide with what a curator types.
_START = "\ue000"
_STOP = "\ue001"

_WORD_RE = re.compile(r"[^\W\d_]+")
# Words as the vocabulary compares them: letters and digits ("911 calls").
_TERM_WORD_RE = re.compile(r"[^\W_]+")
_OPERATORS = {"or", "and", "not"}
# websearch syntax: an optionally negated "quoted phrase" (closing quote optional), or an
# optionally negated run of characters up to the next space or quote.
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')

ENGLISH = SEARCH_CONFIGS[Language.ENGLISH]
SPANISH = SEARCH_CONFIGS[Language.SPANISH]
OTHER_CONFIG = {ENGLISH: SPANISH, SPANISH: ENGLISH}


@dataclass(frozen=True)
class ParsedQuery:
    """A visitor's search text, ready for PostgreSQL."""

    text: str
    query: SearchQuery | None
    # Other-language equivalents the query was expanded with, for display and tests.
    expansions: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.query is not None


def echo(raw: str | None) -> str:
    """What to put back in the search box: the visitor's text, made safe to show."""
    return (raw or "").replace("\x00", "")[:MAX_QUERY_LENGTH]


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit to search for."""
    return any(ch.isalnum() for ch in text)


# --- The bilingual vocabulary ----------------------------------------------------------


def fold(word: str) -> str:
    """Lower case without accents: how the vocabulary compares words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def variants(word: str) -> frozenset[str]:
    """A folded word and its singular guesses, so "homicides" meets "homicide" and
    "jóvenes" meets "joven" (the same rule on both sides, for both languages)."""
    word = fold(word)
    forms = {word}
    if len(word) > 3 and word.endswith("s"):
        forms.add(word[:-1])
        if len(word) > 4 and word.endswith("es"):
            forms.add(word[:-2])
    return frozenset(forms)


def term_words(text: str) -> list[str]:
    return _TERM_WORD_RE.findall(text)


@dataclass
class Vocabulary:
    """Vocabulary terms indexed by the variants of their first word."""

    # first-word variant -> [(variants of every word, equivalents as (text, config))]
    entries: dict = field(default_factory=dict)

    def add(self, term: str, equivalent: str, equivalent_config: str) -> None:
        words = term_words(term)
        if not words or len(words) > MAX_TERM_WORDS or not term_words(equivalent):
            return
        shape = tuple(variants(w) for w in words)
        for form in shape[0]:
            bucket = self.entries.setdefault(form, {})
            bucket.setdefault(shape, set()).add((equivalent, equivalent_config))

    def matches(self, words: list[str], start: int) -> dict[int, set]:
        """{length: equivalents} of the terms that start at ``words[start]``."""
        candidates = {}
        for form in variants(words[start]):
            for shape, equivalents in self.entries.get(form, {}).items():
                candidates.setdefault(shape, set()).update(equivalents)
        found: dict[int, set] = {}
        for shape, equivalents in candidates.items():
            length = len(shape)
            if start + length <= len(words) and all(
                shape[i] & variants(words[start + i]) for i in range(length)
            ):
                found.setdefault(length, set()).update(equivalents)
        return found

    def longest_match(self, words: list[str], start: int) -> tuple[int, set]:
        """(length, equivalents) of the longest term starting at ``words[start]``."""
        found = self.matches(words, start)
        if not found:
            return 0, set()
        length = max(found)
        return length, found[length]

    def segment(self, words: list[str]) -> list[tuple[int, int, set]]:
        """``words`` cut into (start, length, equivalents) parts: vocabulary terms covering
        the most words, then the fewest parts; words outside any term stand alone."""
        n = len(words)
        # best[i]: (words covered by terms, -parts, parts) for words[i:]
        best: list = [None] * (n + 1)
        best[n] = (0, 0, [])
        for i in range(n - 1, -1, -1):
            covered, parts, cut = best[i + 1]
            choice = (covered, parts - 1, [(i, 1, set())] + cut)
            for length, equivalents in self.matches(words, i).items():
                covered, parts, cut = best[i + length]
                option = (covered + length, parts - 1, [(i, length, equivalents)] + cut)
                if option[:2] > choice[:2]:
                    choice = option
            best[i] = choice
        return best[0][2]


def build_vocabulary(pairs) -> Vocabulary:
    vocabulary = Vocabulary()
    for english, spanish in pairs:
        vocabulary.add(english, spanish, SPANISH)
        vocabulary.add(spanish, english, ENGLISH)
    return vocabulary


_memo = threading.local()


def current_vocabulary() -> Vocabulary:
    """The vocabulary as of the current catalogue version (one query per version).

    Any write to the vocabulary table replaces the catalogue version (a PostgreSQL
    trigger, clearinghouse/cache.py), so an edit is used from the next request on; between
    edits each process keeps its copy. A new version whose terms are the same as before
    (a change elsewhere in the catalogue) reuses the copy built from them.
    """
    from clearinghouse.cache import catalogue_version

    version = catalogue_version()
    if getattr(_memo, "version", None) != version:
        pairs = tuple(VocabularyTerm.objects.values_list("english", "spanish"))
        if getattr(_memo, "pairs", None) != pairs:
            _memo.vocabulary = build_vocabulary(pairs)
            _memo.pairs = pairs
        _memo.version = version
    return _memo.vocabulary


# --- Parsing ---------------------------------------------------------------------------


class Matches(Func):
    """``vector @@ query`` for any query expression (the lookup only takes SearchQuery)."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class EitherLanguage(SearchQueryCombinable, Func):
    """A visitor's words stemmed the English way OR the Spanish way, or nothing when they
    are only stop words in either language (SQL function ``ch_either_query``, practices
    migration 0006): "for" must not become a required word for the Spanish stemmer."""

    function = "ch_either_query"
    output_field = SearchQueryField()
    # What CombinedSearchQuery reads when this is combined with | or &: none of its own.
    config = None

    def __init__(self, text: str, phrase: bool = False):
        super().__init__(Value(text), Value(phrase))


class NotEither(EitherLanguage):
    """Rows without the words in either language (``-word``); nothing for stop words."""

    template = "(!! %(function)s(%(expressions)s))"


def _either(text: str, search_type: str = "plain"):
    return EitherLanguage(text, phrase=search_type == "phrase")


def _with_equivalents(query, equivalents: set, search_type: str, found: list):
    for text, config in sorted(equivalents):
        query = query | SearchQuery(text, search_type=search_type, config=config)
        found.append(text)
    return query


def _tokens(text: str) -> list:
    """("or",) | ("not", phrase?, text) | ("phrase", text) | ("words", [words])."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        quoted_minus, phrase, minus, word = match.groups()
        if phrase is not None:
            if has_words(phrase):
                tokens.append(("not", True, phrase) if quoted_minus else ("phrase", phrase))
        elif word.lower() == "or" and not minus:
            tokens.append(("or",))
        elif minus and has_words(word):
            tokens.append(("not", False, word))
        elif has_words(word):
            if tokens and tokens[-1][0] == "words":
                tokens[-1][1].append(word)
            else:
                tokens.append(("words", [word]))
    return tokens


def parse(text: str | None, vocabulary: Vocabulary | None = None) -> ParsedQuery:
    """The query for ``text``, every word in both languages and expanded with its
    vocabulary equivalents, or an empty ParsedQuery.

    ``text`` must already be validated (length, no NUL); only-punctuation gives no query.
    Like websearch: plain words must all match, ``or`` joins the neighbouring words,
    ``-word`` and ``-"a phrase"`` exclude, ``"a phrase"`` matches words in order.
    """
    text = " ".join((text or "").split())
    if not text or not has_words(text):
        return ParsedQuery(text=text, query=None)
    if vocabulary is None:
        vocabulary = current_vocabulary()
    found: list[str] = []
    units: list = []  # positive parts, ANDed; "or" merges a part with the next one
    excluded: list = []
    join_next = False

    def add_unit(unit) -> None:
        nonlocal join_next
        if join_next and units:
            units[-1] = units[-1] | unit
        else:
            units.append(unit)
        join_next = False

    for token in _tokens(text):
        kind = token[0]
        if kind == "or":
            join_next = bool(units)
        elif kind == "not":
            _, quoted, words = token
            excluded.append(NotEither(words, phrase=quoted))
        elif kind == "phrase":
            phrase = token[1]
            words = term_words(phrase)
            length, equivalents = vocabulary.longest_match(words, 0) if words else (0, set())
            unit = _either(phrase, "phrase")
            if length == len(words):
                unit = _with_equivalents(unit, equivalents, "phrase", found)
            add_unit(unit)
        else:
            # A run of plain words, cut into vocabulary terms and single words so that
            # terms cover as many words as possible ("bar closing time": "bar" and
            # "closing time", not "bar closing" and "time").
            words = [w for raw in token[1] for w in term_words(raw)]
            for start, length, equivalents in vocabulary.segment(words):
                span = " ".join(words[start : start + length])
                add_unit(_with_equivalents(_either(span), equivalents, "plain", found))

    query = None
    for unit in units:
        query = unit if query is None else query & unit
    for part in excluded:
        query = part if query is None else query & part
    if query is None:
        return ParsedQuery(text=text, query=None)
    return ParsedQuery(text=text, query=query, expansions=tuple(dict.fromkeys(found)))


def search(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Rows matching the query, annotated with ``rank``.

    Practices match through their whole-record document (title A > summary and its
    translation B > body C > partners and the names of topics, departments, places D);
    publications through their own ``search_vector``.
    """
    if not parsed:
        return queryset
    vector = "search_document__document" if queryset.model is Practice else "search_vector"
    return queryset.filter(Matches(F(vector), parsed.query)).annotate(
        rank=SearchRank(F(vector), parsed.query, cover_density=True)
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
