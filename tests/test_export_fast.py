"""The public CSV export builds its rows in PostgreSQL (``csvio.export_rows``): the same
bytes as the reference path (``tests/reference_export.py`` over prefetched instances), in one query
whatever the size of the selection, streamed in pieces."""

import csv
import io

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards.models import Recognition, RecognitionLevel
from clearinghouse.cache import bump_catalogue_version
from practices import csvio
from practices.filters import PracticeFilter
from practices.models import (
    EvidenceRating,
    EvidenceStrength,
    Language,
    Outcome,
    Practice,
    PublishingState,
    Source,
)
from tests import reference_export
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    OutcomeFactory,
    PracticeFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
)

URL = reverse("practices:practice_export")
SITE = "http://testserver"


def reference_rows(queryset) -> list[list[str]]:
    return list(reference_export.iter_rows(reference_export.with_export_relations(queryset), SITE))


def fast_rows(queryset) -> list[list[str]]:
    return list(csvio.export_rows(queryset, SITE))


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def selection(query: str = "", language: str = "en"):
    with translation.override(language):
        filterset = PracticeFilter(QueryDict(query), queryset=Practice.objects.published())
        return filterset.ordered_qs()


@pytest.fixture
def catalogue(db):
    """Practices with none, one and many of every related value, formula-like and Spanish
    text, empty years, an initiative; slugs whose order differs between code points and
    a linguistic collation."""
    # Python's sorted(): "B-ramp" < "a-b" < "a1" < "a_c" < "ab" (a linguistic collation,
    # which skips hyphens and case at first, would give another order).
    topics = [TopicFactory(slug=slug) for slug in ("ab", "a_c", "a1", "a-b", "B-ramp")]
    departments = [DepartmentFactory(slug=slug) for slug in ("police", "Parks", "parks-rec")]
    lead = JurisdictionFactory(slug="springfield")
    partners = [
        JurisdictionFactory(slug=slug, country="SV", region="San Salvador")
        for slug in ("santa-tecla", "San-Miguel", "apopa")
    ]
    initiative = InitiativeFactory(slug="municipal-partnership")
    award = AwardFactory(name="Excellence award", slug="excellence")
    other_award = AwardFactory(name="=Community award", slug="community")
    same_name = AwardFactory(name="Excellence award", slug="excellence-bis")

    # Nothing related, no years, empty optional text.
    PracticeFactory(
        published=True,
        slug="empty",
        title="Nothing related",
        problem="",
        approach="",
        results="",
        year_started=None,
        year_ended=None,
    )
    # One of everything.
    one = PracticeFactory(
        published=True,
        slug="one-of-each",
        title="One of each",
        lead_jurisdiction=lead,
        topics=topics[:1],
        departments=departments[:1],
        partner_jurisdictions=partners[:1],
        initiative=initiative,
        year_started=2012,
        year_ended=2016,
        evidence_strength=EvidenceStrength.ONE_STUDY,
        contact_name="Ana Pérez",
        contact_email="ana@example.org",
        website="https://example.org/one",
    )
    SourceFactory(practice=one, title="Evaluation", url="https://example.org/eval")
    OutcomeFactory(practice=one, description="Fewer calls", rating=EvidenceRating.EFFECTIVE)
    RecognitionFactory(practice=one, award=award, year=2017)
    # Many of everything, with formula-like text in every kind of cell.
    many = PracticeFactory(
        published=True,
        slug="many-of-each",
        title='=HYPERLINK("http://attacker.example","click")',
        summary="+1 555 0100, then -2 and @mention",
        problem="-Robberies rose",
        approach="@approach",
        partners="\tTab-led partners",
        results="\rCarriage return",
        evidence_notes="'=already quoted once",
        cost_notes="''+twice",
        contact_phone="+1 503 555 0100",
        contact_role='Chief, "Youth" services\nsecond line',
        topics=topics,
        departments=departments,
        partner_jurisdictions=partners,
        initiative=initiative,
        year_started=2001,
        year_ended=None,
        evidence_rating=EvidenceRating.EFFECTIVE,
        evidence_strength=EvidenceStrength.SYSTEMATIC_REVIEW,
    )
    # Positions out of id order, and a tie broken by id.
    SourceFactory(practice=many, position=2, title="Last <b>", url="https://example.org/c")
    SourceFactory(practice=many, position=0, title="=First", url="https://example.org/a")
    SourceFactory(practice=many, position=1, title="Second, with comma", url="https://x.org/b")
    SourceFactory(practice=many, position=1, title="Second's twin", url="https://x.org/b2")
    OutcomeFactory(practice=many, position=1, description="Rated later", rating="")
    OutcomeFactory(
        practice=many, position=0, description="-Fewer robberies", rating=EvidenceRating.HARMFUL
    )
    OutcomeFactory(practice=many, position=3, description='"Quoted"', rating="no_effect")
    for rec_award, year, level in [
        (award, 2019, RecognitionLevel.FINALIST),
        (other_award, 2019, RecognitionLevel.WINNER),
        (award, 2021, RecognitionLevel.HONORABLE_MENTION),
        (same_name, 2019, RecognitionLevel.WINNER),
        (award, 2015, RecognitionLevel.WINNER),
    ]:
        RecognitionFactory(practice=many, award=rec_award, year=year, level=level)
    # Both levels in one year and award, through two categories.
    RecognitionFactory(
        practice=many,
        award=award,
        category=AwardCategoryFactory(award=award),
        year=2021,
        level=RecognitionLevel.WINNER,
    )
    # Spanish entry: accents, ñ, punctuation, several lines.
    spanish = PracticeFactory(
        published=True,
        slug="prevencion-juvenil",
        title="Prevención de la violencia juvenil en San Salvador",
        summary="Jóvenes, familias y la alcaldía: «trabajo conjunto».\nSegunda línea; ñandú 😀",
        language=Language.SPANISH,
        topics=[topics[2], topics[4]],
        partner_jurisdictions=partners[1:],
        year_started=2013,
        year_ended=2013,
    )
    SourceFactory(practice=spanish, title="Informe de evaluación", url="https://example.org/es")
    OutcomeFactory(practice=spanish, description="Menos homicidios", rating="promising")
    RecognitionFactory(practice=spanish, award=other_award, year=2014)
    # Not published: never exported.
    PracticeFactory(state=PublishingState.DRAFT, slug="draft", title="Draft")
    PracticeFactory(state=PublishingState.ARCHIVED, slug="archived", title="Archived")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("query", ["", "sort=title", "sort=newest", "q=robberies", "topic=a1"])
def test_fast_rows_equal_the_reference_rows(catalogue, language, query):
    queryset = selection(query, language)
    with translation.override(language):
        expected = reference_rows(queryset)
        got = fast_rows(queryset)
    assert len(expected) > 1
    assert got == expected
    assert as_csv(got) == as_csv(expected)


@pytest.mark.django_db
def test_fast_rows_keep_the_conventions_of_the_format(catalogue):
    rows = {
        row[0]: dict(zip(csvio.EXPORT_COLUMNS, row, strict=True))
        for row in fast_rows(selection("sort=title"))[1:]
    }
    assert set(rows) == {"empty", "one-of-each", "many-of-each", "prevencion-juvenil"}
    many = rows["many-of-each"]
    assert many["topics"] == "B-ramp; a-b; a1; a_c; ab"
    assert many["departments"] == "Parks; parks-rec; police"
    assert many["partner_jurisdictions"] == "San-Miguel; apopa; santa-tecla"
    assert many["sources"].split("\n") == [
        "'=First <https://example.org/a>",
        "Second, with comma <https://x.org/b>",
        "Second's twin <https://x.org/b2>",
        "Last <b> <https://example.org/c>",
    ]
    assert many["outcomes"] == 'harmful: -Fewer robberies\n: Rated later\nno_effect: "Quoted"'
    assert many["recognitions"].split("\n") == [
        "Excellence award, 2021, Honorable mention",
        "Excellence award, 2021, Winner",
        # A line a spreadsheet could split off is defused like the start of a cell.
        "'=Community award, 2019, Winner",
        "Excellence award, 2019, Finalist",
        "Excellence award, 2019, Winner",
        "Excellence award, 2015, Winner",
    ]
    assert many["title"].startswith("'=HYPERLINK")
    assert many["contact_phone"] == "'+1 503 555 0100"
    assert many["evidence_notes"] == "''=already quoted once"
    assert many["partners"] == "'\tTab-led partners"
    assert many["year_ended"] == "" and many["year_started"] == "2001"
    assert many["initiative"] == "municipal-partnership"
    empty = rows["empty"]
    for column in ("topics", "departments", "partner_jurisdictions", "sources", "outcomes"):
        assert empty[column] == ""
    assert empty["recognitions"] == "" and empty["initiative"] == ""
    assert empty["year_started"] == "" and empty["year_ended"] == ""
    assert empty["url"] == "http://testserver/practices/empty/"
    assert rows["one-of-each"]["lead_jurisdiction"] == "springfield"


def test_slugs_are_ordered_by_code_point_whatever_the_database_collation():
    # The test database may well use C.UTF-8, which would hide a missing COLLATE.
    sql = str(csvio.export_columns(Practice.objects.all()).query)
    assert sql.count('COLLATE "C"') == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "word"), [("", "Honorable mention"), ("/es", "Mención")])
def test_download_is_byte_for_byte_the_reference_export(client, catalogue, prefix, word):
    response = client.get(f"{prefix}{URL}", {"sort": "title"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    language = "es" if prefix else "en"
    with translation.override(language):
        expected = as_csv(reference_rows(selection("sort=title", language)))
    assert body == expected
    assert word in body.decode()
    assert f"http://testserver{prefix}/practices/many-of-each/" in body.decode()


@pytest.mark.django_db
def test_url_maker_matches_get_absolute_url(catalogue):
    practice = Practice.objects.get(slug="many-of-each")
    for language in ("en", "es"):
        with translation.override(language):
            url = csvio.practice_url_maker(SITE)
            assert url(practice.slug) == SITE + practice.get_absolute_url()
    # A slug the page's URL cannot take fails the way the reference path does.
    url = csvio.practice_url_maker(SITE)
    with pytest.raises(NoReverseMatch):
        url("not a slug")


DEFUSE_ALPHABET = st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " ", "ñ", "\n"])


def defuse_by_the_rule(value: str) -> str:
    """The rule, spelled out: at the start and after every character a spreadsheet may
    split at, a part that starts (after spaces) with apostrophes and a formula character,
    or with a formula character, gets one more apostrophe."""
    starts = [0] + [i + 1 for i, c in enumerate(value) if c in csvio.SPLIT_CHARACTERS]
    inserts = set()
    for start in starts:
        spaces = len(value[start:]) - len(value[start:].lstrip(" "))
        rest = value[start + spaces :]
        if rest.lstrip("'").startswith(csvio.FORMULA_STARTS):
            inserts.add(start + spaces)
    return "".join(("'" if i in inserts else "") + c for i, c in enumerate(value))


@given(
    st.text(DEFUSE_ALPHABET | st.sampled_from([";", ",", "|"]), max_size=8) | st.text(max_size=6)
)
def test_defuse_agrees_with_the_rule(value):
    assert csvio.defuse(value) == defuse_by_the_rule(value)
    assert csvio.restore(csvio.defuse(value)) == value


cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=cell_text.filter(lambda text: text.strip()),
    source=cell_text,
    outcome=cell_text,
    award_name=cell_text.filter(lambda text: text.strip()),
)
def test_any_text_exports_the_same_both_ways(db, title, source, outcome, award_name):
    practice = PracticeFactory(published=True, title=title[:200], summary=source)
    Source.objects.create(practice=practice, title=source, url="https://example.org/s")
    Outcome.objects.create(practice=practice, description=outcome, rating="")
    RecognitionFactory(practice=practice, award=AwardFactory(name=award_name[:200]))
    queryset = Practice.objects.filter(pk=practice.pk)
    assert fast_rows(queryset) == reference_rows(queryset)


def bulk_catalogue(count: int, topic, start: int = 0) -> None:
    """``count`` published practices in the topic, each with a source, an outcome and a
    recognition, written in bulk (factories would take minutes)."""
    from django.utils import timezone

    lead = JurisdictionFactory()
    award = AwardFactory()
    now = timezone.now()
    practices = Practice.objects.bulk_create(
        Practice(
            title=f"Bulk practice {n:05d}",
            slug=f"bulk-practice-{n:05d}",
            summary="+A summary that looks like a formula.",
            lead_jurisdiction=lead,
            state=PublishingState.PUBLISHED,
            published_at=now,
        )
        for n in range(start, start + count)
    )
    Practice.topics.through.objects.bulk_create(
        Practice.topics.through(practice=p, topic=topic) for p in practices
    )
    Source.objects.bulk_create(
        Source(practice=p, title=f"Report {p.pk}", url="https://example.org/r") for p in practices
    )
    Outcome.objects.bulk_create(
        Outcome(practice=p, description="Fewer calls", rating="promising") for p in practices
    )
    Recognition.objects.bulk_create(
        Recognition(practice=p, award=award, year=2020) for p in practices
    )
    bump_catalogue_version()


@pytest.mark.django_db
def test_query_count_is_the_same_for_one_row_and_for_thousands(client, django_assert_num_queries):
    topic = TopicFactory(slug="t")
    bulk_catalogue(1, topic)
    # Topic slug check, count (the facet index's newest change, then the worker's
    # bitsets, built afresh inside a test's transaction), the cursor's planner settings,
    # the export query itself.
    with django_assert_num_queries(6):
        response = client.get(URL, {"topic": "t"})
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 2
    bulk_catalogue(2_499, topic, start=1)
    with django_assert_num_queries(6) as captured:
        response = client.get(URL, {"topic": "t", "sort": "title"})
        pieces = list(response.streaming_content)
    # Read through a server-side cursor, a chunk of rows at a time.
    assert captured.captured_queries[-1]["sql"].startswith("DECLARE ")
    # Streamed in pieces, not built whole.
    assert len(pieces) > 1
    data = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert len(data) == 2_501
    assert data[1][1] == "Bulk practice 00000"
    assert data[1][3] == "'+A summary that looks like a formula."
    assert data[-1][csvio.EXPORT_COLUMNS.index("recognitions")].endswith(", 2020, Winner")


@pytest.mark.django_db(transaction=True)
def test_planner_settings_end_with_the_export(client):
    PracticeFactory.create_batch(3, published=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('cursor_tuple_fraction')")
        before = cursor.fetchone()
    response = client.get(URL)
    assert len(b"".join(response.streaming_content).splitlines()) == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('cursor_tuple_fraction')")
        assert cursor.fetchone() == before
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_halfway_leaves_no_transaction_open(client):
    PracticeFactory.create_batch(csvio.ROWS_PER_PIECE + 5, published=True)
    response = client.get(URL)
    pieces = iter(response.streaming_content)
    next(pieces)
    assert connection.in_atomic_block
    response.close()
    assert not connection.in_atomic_block
    assert Practice.objects.count() == csvio.ROWS_PER_PIECE + 5
