"""Facet counts of the public practice list: how many practices each filter option gives.

Each group's counts are the selection with every filter applied except the group's own, so
each option shows how many practices ticking it would give.

The counts read the *facet index* that PostgreSQL keeps (migration
``clearinghouse/0003_catalogue_facets``): ``catalogue_facet_row``, one narrow row per
published practice (its topics with their parent topics, departments, awards, the lead
jurisdiction's country, region and population band, the rating and the start year), and
``catalogue_facet_count``, the whole catalogue's counts per option. Triggers keep both
current in the same transaction as any change. So the unfiltered list reads its counts as
they are, and any other selection is counted in one statement over the narrow rows.
"""

from collections import Counter
from typing import NamedTuple

from django.db import connections
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clearinghouse.routers import read_database
from practices.filters import AwardedChoice, MultipleTextField, PracticeFilter
from practices.models import Department, EvidenceRating, PopulationBand, Topic
from practices.selectors import (
    FACET_ROW_TABLE,
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


class Condition(NamedTuple):
    sql: str
    params: list


def _group_conditions(filterset: PracticeFilter) -> dict[str, Condition]:
    """The condition each facet group's filter puts on a row, for the groups filtered."""
    data = filterset.form.cleaned_data
    conditions = {}
    for group, column in ARRAY_GROUPS.items():
        chosen = data.get(group)
        if chosen:
            ids = sorted(item.pk for item in chosen)
            conditions[group] = Condition(f"{column} && %s::bigint[]", [ids])
    for group, column in SCALAR_GROUPS.items():
        accepted = filterset.accepted(group)
        if accepted is not None:
            conditions[group] = Condition(f"{column} = ANY(%s::text[])", [sorted(accepted)])
    awarded = filterset.accepted("awarded")
    if awarded is not None:
        sign = ">" if AwardedChoice.YES in awarded else "="
        conditions["awarded"] = Condition(f"cardinality(award_ids) {sign} 0", [])
    return conditions


def _other_conditions(filterset: PracticeFilter) -> list[Condition]:
    """Conditions of the filters that have no facet group: years, the search, adoption."""
    data = filterset.form.cleaned_data
    conditions = []
    if data.get("year_from") is not None:
        conditions.append(Condition("year_started >= %s", [data["year_from"]]))
    if data.get("year_to") is not None:
        conditions.append(Condition("year_started <= %s", [data["year_to"]]))
    text = data.get("q")
    if text and filterset.parsed(text):
        # The search is matched once per request; its ids are looked up here.
        ids = filterset.text_match_ids(text)
        conditions.append(Condition("practice_id = ANY(%s::bigint[])", [ids]))
    if data.get("adopted"):
        sql, params = adopted_practice_ids().query.sql_with_params()
        conditions.append(Condition(f"practice_id IN ({sql})", list(params)))
    return conditions


def _where(conditions: list[Condition]) -> Condition:
    if not conditions:
        return Condition("TRUE", [])
    return Condition(
        " AND ".join(f"({c.sql})" for c in conditions),
        [param for c in conditions for param in c.params],
    )


def selection_total(filterset: PracticeFilter) -> int:
    """How many published practices the whole selection holds: one row of the kept
    counts when nothing narrows it, otherwise one count over the narrow rows."""
    filterset.errors  # noqa: B018 - validates the form, so cleaned_data exists
    if not filterset.narrows():
        return catalogue_counts().get(("total", ""), 0)
    where = _where([*_group_conditions(filterset).values(), *_other_conditions(filterset)])
    with connections[read_database()].cursor() as cursor:
        # Only this module's constant SQL is joined in; every value is a parameter.
        sql = f"SELECT count(*) FROM {FACET_ROW_TABLE} WHERE {where.sql}"  # noqa: S608
        cursor.execute(sql, where.params)
        return cursor.fetchone()[0]


def selection_counts(filterset: PracticeFilter) -> dict[str, Counter]:
    """Counts per option of every facet group (values as text: ids for topics,
    departments and awards), each leaving out its own group's filter.

    With nothing narrowing the selection, the whole catalogue's kept counts are read.
    Otherwise one statement reads the narrow rows once: it keeps the rows that every
    filter, or every filter but one, accepts, notes which filter refused each, and counts
    every group from those rows together.
    """
    filterset.errors  # noqa: B018
    counts = {group: Counter() for group in FACET_GROUPS}
    if not filterset.narrows():
        for (group, value), n in catalogue_counts().items():
            if group in counts:
                counts[group][value] = n
        return counts
    groups = _group_conditions(filterset)
    base = _where(_other_conditions(filterset))
    misses = "".join(f", (NOT ({c.sql}))::int AS m_{group}" for group, c in groups.items())
    miss_params = [param for c in groups.values() for param in c.params]
    refused = " + ".join(f"m_{group}" for group in groups) or "0"

    def kept_by_the_others(group: str) -> str:
        return f"{refused} - m_{group} = 0" if group in groups else f"{refused} = 0"

    parts = [
        # Only this module's constant SQL is joined in; every value is a parameter.
        f"SELECT '{group}', v::text, count(*) FROM sel, unnest({column}) AS v "  # noqa: S608
        f"WHERE {kept_by_the_others(group)} GROUP BY 2"
        for group, column in ARRAY_GROUPS.items()
    ]
    parts += [
        f"SELECT '{group}', {column}, count(*) FROM sel "  # noqa: S608
        f"WHERE {kept_by_the_others(group)} AND {column} <> '' GROUP BY 2"
        for group, column in SCALAR_GROUPS.items()
    ]
    parts.append(
        "SELECT 'awarded', CASE WHEN cardinality(award_ids) > 0 THEN 'yes' ELSE 'no' END, "  # noqa: S608
        f"count(*) FROM sel WHERE {kept_by_the_others('awarded')} GROUP BY 2"
    )
    sql = (
        "WITH sel AS MATERIALIZED (SELECT * FROM ("  # noqa: S608
        "SELECT topic_ids, department_ids, award_ids, country, region, band, rating"
        f"{misses} FROM {FACET_ROW_TABLE} WHERE {base.sql}) AS candidates "
        f"WHERE {refused} <= 1) " + " UNION ALL ".join(parts)
    )
    with connections[read_database()].cursor() as cursor:
        cursor.execute(sql, [*miss_params, *base.params])
        for group, value, n in cursor.fetchall():
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
