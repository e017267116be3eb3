"""Facet counts of the public practice list: how many practices each filter option gives.

Each group's counts are the selection with every filter applied except the group's own, so
each option shows how many practices ticking it would give.

The counts read the *facet index* that PostgreSQL keeps (migration
``clearinghouse/0003_catalogue_facets``): ``catalogue_facet_row``, one narrow row per
published practice (its topics with their parent topics, departments, awards, the lead
jurisdiction's country, region and population band, the rating and the start year), and
``catalogue_facet_count``, the whole catalogue's counts per option. Triggers keep both
current in the same transaction as any change. The unfiltered list reads its counts as
they are; any other selection is counted from the bitsets each worker holds of the
narrow rows (``practices/facet_bits.py``), brought up to date with the database first.
"""

from collections import Counter

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices import facet_bits
from practices.filters import AwardedChoice, MultipleTextField, PracticeFilter
from practices.models import Department, EvidenceRating, PopulationBand, Topic
from practices.selectors import (
    adopted_practice_ids,
    award_model,
    catalogue_counts,
)


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


# --- Counting --------------------------------------------------------------------------

# Groups counted from the rows, and the column each reads. The array columns are unnested.
ARRAY_GROUPS = {"topic": "topic_ids", "department": "department_ids", "award": "award_ids"}
SCALAR_GROUPS = {
    "country": "country",
    "region": "region",
    "population": "band",
    "evidence": "rating",
}
FACET_GROUPS = (*ARRAY_GROUPS, *SCALAR_GROUPS, "awarded")


def _masks(filterset: PracticeFilter, bits: facet_bits.FacetBits) -> tuple[int, dict[str, int]]:
    """The practices the filters without a facet group keep (years, the search, adoption),
    and the practices each filtered facet group keeps."""
    data = filterset.form.cleaned_data
    base = bits.everyone
    if data.get("year_from") is not None or data.get("year_to") is not None:
        base &= bits.years(data.get("year_from"), data.get("year_to"))
    text = data.get("q")
    if text and filterset.parsed(text):
        # The search is matched once per request; its ids are looked up here.
        base &= bits.of_ids(filterset.text_match_ids(text))
    if data.get("adopted"):
        base &= bits.of_ids(adopted_practice_ids().values_list("practice_id", flat=True))
    groups = {}
    for group in ARRAY_GROUPS:
        chosen = data.get(group)
        if chosen:
            groups[group] = bits.any_of(group, (item.pk for item in chosen))
    for group in (*SCALAR_GROUPS, "awarded"):
        accepted = filterset.accepted(group)
        if accepted is not None:
            groups[group] = bits.any_of(group, accepted)
    return base, groups


def _bits(filterset: PracticeFilter) -> facet_bits.FacetBits:
    """The worker's bitsets, brought up to date once per request (per filter set)."""
    memo = filterset.__dict__
    if "_facet_bits" not in memo:
        memo["_facet_bits"] = facet_bits.current()
    return memo["_facet_bits"]


def selection_total(filterset: PracticeFilter) -> int:
    """How many published practices the whole selection holds: one row of the kept counts
    when nothing narrows it, otherwise the bits every filter keeps."""
    filterset.errors  # noqa: B018 - validates the form, so cleaned_data exists
    if not filterset.narrows():
        return catalogue_counts().get(("total", ""), 0)
    base, groups = _masks(filterset, _bits(filterset))
    for mask in groups.values():
        base &= mask
    return base.bit_count()


def selection_counts(filterset: PracticeFilter) -> dict[str, Counter]:
    """Counts per option of every facet group (values as text: ids for topics,
    departments and awards), each leaving out its own group's filter (so each option
    shows what ticking it would give).

    With nothing narrowing the selection, the whole catalogue's kept counts are read.
    Otherwise the counts come from the worker's bitsets: the selection each group's
    options are counted in is the AND of every other filter's bits, and an option's count
    is the number of its bits in it.
    """
    filterset.errors  # noqa: B018
    counts = {group: Counter() for group in FACET_GROUPS}
    if not filterset.narrows():
        for (group, value), n in catalogue_counts().items():
            if group in counts:
                counts[group][value] = n
        return counts
    bits = _bits(filterset)
    base, groups = _masks(filterset, bits)
    within = {}
    for group in FACET_GROUPS:
        mask = base
        for other, kept in groups.items():
            if other != group:
                mask &= kept
        within[group] = mask
    for (group, value), kept in bits.bits.items():
        if group in within:
            n = (kept & within[group]).bit_count()
            if n:
                counts[group][value] = n
    return counts


# --- Facet groups ----------------------------------------------------------------------


def topic_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    """Counts per topic; a parent counts practices in it or in any of its subtopics."""
    topics = list(Topic.objects.all())
    children: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id:
            children.setdefault(topic.parent_id, []).append(topic)
    selected = _selected(filterset, "topic")
    options = []
    for topic in topics:
        if topic.parent_id:
            continue
        options.append(
            FacetOption(
                topic.slug, topic.display_name, counts[str(topic.pk)], topic.slug in selected
            )
        )
        for child in children.get(topic.pk, []):
            options.append(
                FacetOption(
                    child.slug,
                    child.display_name,
                    counts[str(child.pk)],
                    child.slug in selected,
                    depth=1,
                )
            )
    return Facet("topic", _("Topic"), _visible(options))


def department_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "department")
    options = [
        FacetOption(d.slug, d.display_name, counts[str(d.pk)], d.slug in selected)
        for d in Department.objects.all()
    ]
    return Facet("department", _("Departments involved"), _visible(options))


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


def award_facet(filterset: PracticeFilter, counts: Counter) -> Facet:
    selected = _selected(filterset, "award")
    options = [
        FacetOption(a.slug, a.name, counts[str(a.pk)], a.slug in selected)
        for a in award_model().objects.all()
    ]
    return Facet("award", _("Award won"), _visible(options))


def facets(filterset: PracticeFilter) -> list[Facet]:
    """Every facet group: one statement for the counts (or a read of the kept counts when
    nothing narrows the selection), and the names of topics, departments and awards."""
    counts = selection_counts(filterset)
    return [
        topic_facet(filterset, counts["topic"]),
        department_facet(filterset, counts["department"]),
        population_facet(filterset, counts["population"]),
        country_facet(filterset, counts["country"]),
        region_facet(filterset, counts["region"]),
        evidence_facet(filterset, counts["evidence"]),
        awarded_facet(filterset, counts["awarded"]),
        award_facet(filterset, counts["award"]),
    ]
