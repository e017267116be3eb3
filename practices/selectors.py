"""Read queries of the catalogue: what the public pages show, in a fixed number of queries.

Views call these and render; writes live in ``services.py``. Counts and rankings that scan
the catalogue go through ``clearinghouse.cache.cached`` as plain numbers and ids; the rows a
page shows are read fresh by id, which the primary keys index.
"""

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from clearinghouse.cache import cached
from clearinghouse.routers import read_database
from practices.models import (
    Department,
    Initiative,
    PartnerPair,
    Practice,
    Publication,
    Topic,
)

# The facet index PostgreSQL keeps (migration clearinghouse/0003_catalogue_facets).
FACET_ROW_TABLE = "catalogue_facet_row"
FACET_COUNT_TABLE = "catalogue_facet_count"

RELATED_COUNT = 4
RELATED_CANDIDATES = 200


def recognition_model():
    """The recognition model, reached through ``Practice.recognitions``: the awards app
    declares that relation, so the catalogue reads recognitions without importing it."""
    return Practice.recognitions.field.model


def award_model():
    return recognition_model()._meta.get_field("award").related_model


def recognitions_with_awards() -> Prefetch:
    """A practice's recognitions with their award and category, in one query."""
    recognition = recognition_model()
    return Prefetch(
        "recognitions", queryset=recognition.objects.select_related("award", "category")
    )


def approved_adoptions() -> Prefetch:
    """A practice's adoption reports that a curator approved, as its page lists them, in one
    query (``practice.approved_adoptions``). The model is reached through the relation, so
    the catalogue does not depend on the intake app."""
    adoption = Practice.adoptions.field.model
    return Prefetch(
        "adoptions", queryset=adoption.objects.for_practice_page(), to_attr="approved_adoptions"
    )


def adopted_practice_ids() -> QuerySet:
    """Ids of practices with at least one approved adoption report, as a subquery."""
    adoption = Practice.adoptions.field.model
    return adoption.objects.approved().order_by().values("practice_id")


def card_queryset(queryset: QuerySet) -> QuerySet:
    """What templates/includes/_practice_card.html reads, in a fixed number of queries."""
    return queryset.select_related("lead_jurisdiction").prefetch_related(
        "topics", recognitions_with_awards()
    )


def page_rows(queryset: QuerySet, number: int, per_page: int) -> list[Practice]:
    """The practices of page ``number`` of ``queryset`` (in its order), read in two steps
    so deep pages stay cheap.

    OFFSET makes PostgreSQL walk every row before the page; walking only the ids (from the
    index in the list's order) and then reading the page's rows keeps page 200 close to
    page 1.
    """
    bottom = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[bottom : bottom + per_page])
    return rows_by_id(card_queryset(queryset.order_by()), ids)


def rows_by_id(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of ``queryset`` with these ids, in the order of ``ids``."""
    if not ids:
        return []
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def detail_queryset(queryset: QuerySet) -> QuerySet:
    """Everything a practice's page shows."""
    return queryset.select_related("lead_jurisdiction", "initiative").prefetch_related(
        approved_adoptions(),
        "partner_jurisdictions",
        "topics",
        "departments",
        "sources",
        "outcomes",
        recognitions_with_awards(),
        Prefetch(
            "publications",
            queryset=Publication.objects.published().order_by("-year", "title"),
            to_attr="published_publications",
        ),
    )


def related_practice_ids(practice_id: int, topic_ids: list[int]) -> list[int]:
    """A few published practices sharing the most topics with this one.

    Candidates are the newest published practices sharing a topic (found through the
    published-newest index, so a popular topic does not mean grouping every practice in
    it); among them, those sharing more topics come first. One query.
    """
    if not topic_ids:
        return []
    shares_a_topic = Exists(
        Practice.topics.through.objects.filter(practice_id=OuterRef("pk"), topic_id__in=topic_ids)
    )
    candidates = (
        Practice.objects.published()
        .filter(shares_a_topic)
        .exclude(pk=practice_id)
        .order_by("-published_at")
        .values("pk")[:RELATED_CANDIDATES]
    )
    return list(
        Practice.objects.published()
        .filter(pk__in=candidates)
        .annotate(shared=Count("topics", filter=Q(topics__in=topic_ids)))
        .order_by("-shared", "-published_at", "pk")
        .values_list("pk", flat=True)[:RELATED_COUNT]
    )


def related_practices(practice: Practice) -> list[Practice]:
    """The related practices of a practice page; the ranking is kept per catalogue version."""
    topic_ids = sorted(topic.pk for topic in practice.topics.all())
    ids = cached(
        "related_practices",
        [practice.pk, topic_ids],
        lambda: related_practice_ids(practice.pk, topic_ids),
    )
    return rows_by_id(Practice.objects.published().select_related("lead_jurisdiction"), ids)


def catalogue_counts() -> dict[tuple[str, str], int]:
    """The whole published catalogue's counts per facet option, as PostgreSQL keeps them
    (``catalogue_facet_count``, see practices/facets.py): {(group, value): count}, with
    ``("total", "")`` for the number of published practices. A few hundred rows."""
    with connections[read_database()].cursor() as cursor:
        cursor.execute(f"SELECT grp, value, n FROM {FACET_COUNT_TABLE}")  # noqa: S608
        return {(group, value): n for group, value, n in cursor.fetchall()}


def ids_counts(counts: dict[tuple[str, str], int], group: str) -> dict[int, int]:
    return {int(value): n for (grp, value), n in counts.items() if grp == group}


def topic_counts() -> dict:
    """Published practices per topic: ``direct`` per topic, ``rooted`` per top-level topic
    with its subtopics (each practice once). The kept counts give both: a practice's
    topics there include their parents."""
    counts = ids_counts(catalogue_counts(), "topic")
    return {"direct": counts, "rooted": counts}


def topic_tree() -> list[Topic]:
    """Top-level topics, each with ``practice_count`` and ``subtopics`` (each with its own
    count). The counts are kept per catalogue version; the topics are read fresh."""
    counts = cached("topic_counts", None, topic_counts)
    roots, children = [], {}
    for topic in Topic.objects.all():
        if topic.parent_id:
            topic.practice_count = counts["direct"].get(topic.pk, 0)
            children.setdefault(topic.parent_id, []).append(topic)
        else:
            topic.practice_count = counts["rooted"].get(topic.pk, 0)
            roots.append(topic)
    for topic in roots:
        topic.subtopics = children.get(topic.pk, [])
    return roots


def department_counts() -> dict[int, int]:
    return ids_counts(catalogue_counts(), "department")


def departments_with_counts() -> list[Department]:
    """Departments that took part in at least one published practice, with the count."""
    counts = cached("department_counts", None, department_counts)
    departments = []
    for department in Department.objects.order_by("position", "name"):
        department.practice_count = counts.get(department.pk, 0)
        if department.practice_count:
            departments.append(department)
    return departments


def newest_practices(limit: int) -> list[Practice]:
    """The latest published practices, through the published-newest index."""
    return list(
        card_queryset(Practice.objects.published()).order_by("-published_at", "title")[:limit]
    )


def topic_practices(topic_ids: list[int]) -> QuerySet:
    """Published practices under any of these topics, newest first."""
    return card_queryset(
        Practice.objects.published().filter(
            pk__in=Practice.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "practice_id"
            )
        )
    ).order_by("-published_at", "title")


def topic_publications(topic_ids: list[int], limit: int) -> list[Publication]:
    return list(
        Publication.objects.published()
        .filter(
            pk__in=Publication.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "publication_id"
            )
        )
        .order_by("-year", "title")[:limit]
    )


def subtopics_with_counts(topic: Topic) -> list[Topic]:
    return list(
        topic.children.annotate(
            practice_count=Count(
                "practices", filter=Q(practices__in=Practice.objects.published()), distinct=True
            )
        )
    )


def newest_publications(limit: int) -> list[Publication]:
    return list(Publication.objects.published().order_by("-published_at", "title")[:limit])


def publication_for_page(slug: str, *, include_unpublished: bool) -> Publication | None:
    visible = Publication.objects.all() if include_unpublished else Publication.objects.published()
    return (
        visible.prefetch_related(
            "topics",
            Prefetch(
                "practices",
                queryset=card_queryset(Practice.objects.published()).order_by("title"),
                to_attr="public_practices",
            ),
        )
        .filter(slug=slug)
        .first()
    )


def jurisdiction_practices(jurisdiction) -> tuple[list[Practice], list[Practice]]:
    """Published practices a jurisdiction led, and those it took part in."""
    led = list(card_queryset(jurisdiction.led_practices.published()).order_by("title"))
    partnered = list(card_queryset(jurisdiction.partner_practices.published()).order_by("title"))
    return led, partnered


def initiatives_with_pair_counts() -> QuerySet:
    return Initiative.objects.annotate(pair_count=Count("pairs")).order_by("name")


def initiative_pairs(initiative: Initiative) -> list[PartnerPair]:
    return list(PartnerPair.objects.filter(initiative=initiative).select_related("first", "second"))


def initiative_practices(initiative: Initiative, pairs: list[PartnerPair]) -> list[Practice]:
    """Published practices that came out of an initiative: those filed under it, and those
    led by a jurisdiction in one of its pairs."""
    paired = {pair.first_id for pair in pairs} | {pair.second_id for pair in pairs}
    return list(
        card_queryset(
            Practice.objects.published().filter(
                Q(initiative=initiative) | Q(lead_jurisdiction__in=paired)
            )
        ).order_by("title")
    )
