"""Facet counts of the public practice list: how many practices each filter option gives.

Each group's counts are the selection with every filter applied except the group's own
(``PracticeFilter.facet_queryset``), so each option shows how many practices it would
give. The counts are built to stay cheap at 100,000 practices: they read narrow indexes
(the published ids with their lead jurisdiction, rating and year, and the many-to-many
tables), count over the whole published catalogue by leaving out the few practices that
are not published, and take country, region, population, evidence and awards from one
pass.
"""

from collections import Counter
from typing import NamedTuple

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices.filters import AwardedChoice, MultipleTextField, PracticeFilter, any_id
from practices.models import (
    Department,
    EvidenceRating,
    PopulationBand,
    Practice,
    PublishingState,
    Topic,
)
from practices.selectors import award_model, recognition_model


class FacetOption:
    __slots__ = ("value", "label", "count", "selected", "depth")

    def __init__(self, value, label, count, selected, depth=0):
        self.value, self.label, self.count = str(value), label, count
        self.selected, self.depth = selected, depth

    def __repr__(self) -> str:
        return f"<FacetOption {self.value}={self.count}>"


class Facet:
    def __init__(self, name: str, legend, options: list[FacetOption]):
        self.name, self.legend, self.options = name, legend, options

    @property
    def selected_count(self) -> int:
        return sum(1 for option in self.options if option.selected)


def _selected(filterset: PracticeFilter, name: str) -> set[str]:
    data = filterset.data
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return {str(value) for value in values}


def _visible(options: list[FacetOption]) -> list[FacetOption]:
    """Options worth showing: those with matches, and those ticked (so they can be unticked)."""
    return [option for option in options if option.count or option.selected]


def _ids(selection: QuerySet) -> QuerySet:
    return selection.order_by().values("pk")


def _unpublished_ids() -> QuerySet:
    """Practices that are not published: the exact complement of ``published()`` (the state
    is never null). Read from a small partial index; only ever used to leave them out."""
    return Practice.objects.exclude(state=PublishingState.PUBLISHED).order_by().values("pk")


def _in_selection(filterset: PracticeFilter, *groups: str, field: str = "practice_id") -> Q:
    """Rows (of a table pointing at practices through ``field``) whose practice is in the
    selection for ``groups``' counts.

    With no other filter that selection is the whole published catalogue: leaving out the
    few practices that are not published (NOT IN a short list) is much cheaper than
    matching every row against every published id.
    """
    if filterset.only_search_narrows(*groups):
        # The search's ids, straight from the link table: no join to the practices.
        return any_id(field, filterset.text_match_ids(filterset.form.cleaned_data["q"]))
    if filterset.narrows(*groups):
        return Q(**{f"{field}__in": _ids(filterset.facet_queryset(*groups))})
    return ~Q(**{f"{field}__in": _unpublished_ids()})


def topic_facet(filterset: PracticeFilter) -> Facet:
    """Counts per topic; a parent counts practices in it or in any of its subtopics.

    Two queries: the topics, and one aggregate over the many-to-many rows (a practice has a
    topic once, so a topic without subtopics needs no DISTINCT; only the families of a parent
    and its subtopics count distinct practices).
    """
    topics = list(Topic.objects.all())
    children: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id:
            children.setdefault(topic.parent_id, []).append(topic)
    rows = Practice.topics.through.objects.filter(_in_selection(filterset, "topic")).order_by()
    counts_query = (
        (rows.exclude(topic_id__in=list(children)) if children else rows)
        .values_list("topic_id")
        .annotate(n=Count("*"))
    )
    if children:
        family_ids = [*children, *(child.pk for kids in children.values() for child in kids)]
        root = Case(
            *(
                When(topic_id__in=[child.pk for child in kids], then=Value(parent))
                for parent, kids in children.items()
            ),
            default=F("topic_id"),
            output_field=BigIntegerField(),
        )
        families = (
            rows.filter(topic_id__in=family_ids)
            .annotate(root=root)
            .values_list("root")
            .annotate(n=Count("practice_id", distinct=True))
        )
        counts_query = counts_query.union(families, all=True)
    counts = dict(counts_query)
    selected = _selected(filterset, "topic")
    options = []
    for topic in topics:
        if topic.parent_id:
            continue
        options.append(
            FacetOption(
                topic.slug, topic.display_name, counts.get(topic.pk, 0), topic.slug in selected
            )
        )
        for child in children.get(topic.pk, []):
            options.append(
                FacetOption(
                    child.slug,
                    child.display_name,
                    counts.get(child.pk, 0),
                    child.slug in selected,
                    depth=1,
                )
            )
    return Facet("topic", _("Topic"), _visible(options))


def department_facet(filterset: PracticeFilter) -> Facet:
    """Two queries: the departments, and the count of practices per department."""
    counts = dict(
        Practice.departments.through.objects.filter(_in_selection(filterset, "department"))
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("*"))
    )
    selected = _selected(filterset, "department")
    options = [
        FacetOption(d.slug, d.display_name, counts.get(d.pk, 0), d.slug in selected)
        for d in Department.objects.all()
    ]
    return Facet("department", _("Departments involved"), _visible(options))


# Facet groups counted together from one pass over the selection (see attribute_counts).
ATTRIBUTE_GROUPS = ("country", "region", "population", "evidence", "awarded")


class AttributeRow(NamedTuple):
    """Published practices of the selection sharing these values, and how many."""

    country: str
    region: str
    population: str | None
    evidence: str
    awarded: str
    n: int


def attribute_counts(filterset: PracticeFilter) -> dict[str, Counter]:
    """Counts per option of the country, region, population, evidence and awards groups.

    One query groups the selection without those five filters by the five values (a few
    thousand groups at most); each group's counts then add up the rows that the *other*
    four filters keep, which is what five separate aggregates would give.
    """
    band = Case(
        *(
            When(PopulationBand.q(band, prefix="lead_jurisdiction__"), then=Value(band.value))
            for band in PopulationBand
        ),
        default=Value(None),
        output_field=CharField(),
    )
    # "id IN (recognised ids)" runs as one hashed subplan, not a subquery per row.
    recognised = ExpressionWrapper(
        Q(pk__in=recognition_model().objects.values("practice_id")), output_field=BooleanField()
    )
    rows = [
        AttributeRow(
            country, region, population, evidence, AwardedChoice.YES if yes else AwardedChoice.NO, n
        )
        for country, region, population, evidence, yes, n in (
            filterset.facet_queryset(*ATTRIBUTE_GROUPS)
            .order_by()
            .annotate(band=band, recognised=recognised)
            .values_list(
                "lead_jurisdiction__country",
                "lead_jurisdiction__region",
                "band",
                "evidence_rating",
                "recognised",
            )
            .annotate(n=Count("pk"))
        )
    ]
    accepted = {group: filterset.accepted(group) for group in ATTRIBUTE_GROUPS}
    counts = {group: Counter() for group in ATTRIBUTE_GROUPS}
    for row in rows:
        values = row._asdict()
        rejected = [
            group
            for group in ATTRIBUTE_GROUPS
            if accepted[group] is not None and values[group] not in accepted[group]
        ]
        if len(rejected) > 1:
            continue
        for group in rejected or ATTRIBUTE_GROUPS:
            # A row that one filter rejects still counts for that filter's own options.
            if values[group] is not None:
                counts[group][values[group]] += row.n
    return counts


def country_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "country")
    options = [
        FacetOption(code, countries.name(code) or code, n, code in selected)
        for code, n in counts.items()
        if n
    ]
    found = {option.value for option in options}
    options += [
        FacetOption(code, countries.name(code), 0, True)
        for code in sorted(selected - found)
        if code in countries
    ]
    options.sort(key=lambda option: str(option.label))
    return Facet("country", _("Country"), _visible(options))


REGION_FACET_LIMIT = 30


def region_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    rows = sorted(
        ((region, n) for region, n in counts.items() if region and n),
        key=lambda item: (-item[1], item[0]),
    )[:REGION_FACET_LIMIT]
    selected = _selected(filterset, "region")
    options = [FacetOption(region, region, n, region in selected) for region, n in rows]
    found = {option.value for option in options}
    options += [
        FacetOption(region, region, 0, True)
        for region in sorted(selected - found)
        if region.strip() and len(region) <= MultipleTextField.max_length and "\x00" not in region
    ]
    return Facet("region", _("State, province or department"), _visible(options))


def population_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "population")
    options = [
        FacetOption(band.value, band.label, counts[band.value], band.value in selected)
        for band in PopulationBand
    ]
    return Facet("population", _("Population of the lead jurisdiction"), _visible(options))


def evidence_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "evidence")
    options = [
        FacetOption(value, label, counts[value], value in selected)
        for value, label in EvidenceRating.choices
    ]
    return Facet("evidence", _("Evidence rating"), _visible(options))


def awarded_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "awarded")
    options = [
        FacetOption(value, label, counts[value], value in selected)
        for value, label in AwardedChoice.CHOICES
    ]
    return Facet("awarded", _("Awards"), _visible(options))


def award_facet(filterset: PracticeFilter) -> Facet:
    """Two queries: the awards, and the practices recognised by each."""
    counts = dict(
        recognition_model()
        .objects.filter(_in_selection(filterset, "award"))
        .order_by()
        .values_list("award_id")
        .annotate(n=Count("practice_id", distinct=True))
    )
    selected = _selected(filterset, "award")
    options = [
        FacetOption(a.slug, a.name, counts.get(a.pk, 0), a.slug in selected)
        for a in award_model().objects.all()
    ]
    return Facet("award", _("Award won"), _visible(options))


def facets(filterset: PracticeFilter) -> list[Facet]:
    """Every facet group, in seven queries whatever the selection: names and counts for
    topics, departments and awards, and one pass for the other five groups."""
    attributes = attribute_counts(filterset)
    return [
        topic_facet(filterset),
        department_facet(filterset),
        population_facet(filterset, attributes["population"]),
        country_facet(filterset, attributes["country"]),
        region_facet(filterset, attributes["region"]),
        evidence_facet(filterset, attributes["evidence"]),
        awarded_facet(filterset, attributes["awarded"]),
        award_facet(filterset),
    ]
