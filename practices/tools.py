"""Read queries and layout of the city manager's tools: the evidence map, places like mine,
compare and the list of jurisdictions.

Counts that scan the catalogue go through ``clearinghouse.cache.cached`` as plain data;
rows a page shows are read fresh.
"""

import math
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clearinghouse.cache import cached
from practices.models import (
    Department,
    EvidenceRating,
    Jurisdiction,
    PopulationBand,
    Practice,
    Topic,
)
from practices.selectors import card_queryset, recognitions_with_awards

# --- Evidence map ------------------------------------------------------------------------

MAP_VIEWS = ("topic", "department")
# Short column titles of the map; the full wording lives on the choices.
SHORT_RATING_LABELS = {
    EvidenceRating.EFFECTIVE: gettext_lazy("Effective"),
    EvidenceRating.PROMISING: gettext_lazy("Promising"),
    EvidenceRating.NO_EFFECT: gettext_lazy("No effect"),
    EvidenceRating.HARMFUL: gettext_lazy("Harmful"),
    EvidenceRating.INSUFFICIENT: gettext_lazy("Not yet evaluated"),
}

# Geometry of the drawing (SVG user units).
LABEL_WIDTH = 250
COLUMN_WIDTH = 104
ROW_HEIGHT = 56
HEADER_HEIGHT = 52
# Characters of a column title per line (two lines at most).
HEADER_CHARS = 12
MAX_RADIUS = 25
MIN_RADIUS = 5
# Characters of a row's name per line (two lines at most) beside the circles.
LABEL_CHARS = 30
SMALLEST_LABELLED_RADIUS = 12


def evidence_counts(selection: QuerySet, by: str) -> dict[str, int]:
    """Practices of the selection per ``"<row id>:<rating>"``; rows are top-level topics (a
    practice under a subtopic counts for its parent, once) or departments. One query."""
    ids = selection.order_by().values("pk")
    if by == "topic":
        rows = (
            Practice.topics.through.objects.filter(practice_id__in=ids)
            .annotate(row=Coalesce("topic__parent_id", "topic_id"))
            .values_list("row", "practice__evidence_rating")
            .annotate(n=Count("practice_id", distinct=True))
        )
    else:
        rows = (
            Practice.departments.through.objects.filter(practice_id__in=ids)
            .values_list("department_id", "practice__evidence_rating")
            .annotate(n=Count("practice_id", distinct=True))
        )
    return {f"{row}:{rating}": n for row, rating, n in rows.order_by()}


@dataclass
class MapCell:
    rating: str
    rating_label: str
    count: int
    url: str
    radius: float = 0
    cx: float = 0
    cy: float = 0
    text_y: float = 0
    outside: bool = False


@dataclass
class MapRow:
    slug: str
    name: str
    cells: list[MapCell] = field(default_factory=list)
    total: int = 0
    y: float = 0
    lines: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class MapColumn:
    rating: str
    label: str
    full_label: str
    x: float = 0
    lines: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class EvidenceMap:
    by: str
    rows: list[MapRow]
    columns: list[MapColumn]
    width: int
    height: int
    total: int


def list_url(params: list[tuple[str, str]], **changes: str) -> str:
    """/practices/ with the current filters, with ``changes`` replacing their parameter."""
    kept = [(key, value) for key, value in params if key not in changes]
    kept += list(changes.items())
    query = urlencode(kept)
    return reverse("practices:practice_list") + (f"?{query}" if query else "")


def evidence_map(selection: QuerySet, by: str, params: list[tuple[str, str]], key) -> EvidenceMap:
    """The grid of ``by`` (topics or departments) by evidence rating, laid out for SVG.

    ``params`` are the current filters (each cell links to them plus its row and rating);
    ``key`` names the selection for the cache.
    """
    counts = cached("evidence_map", [by, key], lambda: evidence_counts(selection, by))
    if by == "topic":
        records = Topic.objects.filter(parent__isnull=True).order_by("position", "name")
    else:
        records = Department.objects.order_by("position", "name")
    columns = [
        MapColumn(value, str(SHORT_RATING_LABELS[value]), str(label))
        for value, label in EvidenceRating.choices
    ]
    rows = []
    for record in records:
        row = MapRow(record.slug, record.display_name)
        for column in columns:
            n = counts.get(f"{record.pk}:{column.rating}", 0)
            url = list_url(params, **{by: record.slug, "evidence": column.rating})
            row.cells.append(MapCell(column.rating, column.full_label, n, url))
            row.total += n
        rows.append(row)
    rows = [row for row in rows if row.total]
    biggest = max((cell.count for row in rows for cell in row.cells), default=0)
    for index, column in enumerate(columns):
        column.x = LABEL_WIDTH + COLUMN_WIDTH * index + COLUMN_WIDTH / 2
        lines = textwrap.wrap(column.label, HEADER_CHARS)[:2]
        column.lines = [
            (line, HEADER_HEIGHT - 10 - 16 * (len(lines) - 1 - number))
            for number, line in enumerate(lines)
        ]
    for index, row in enumerate(rows):
        row.y = HEADER_HEIGHT + ROW_HEIGHT * index
        lines = textwrap.wrap(row.name, LABEL_CHARS) or [""]
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS, placeholder="…")]
        first = row.y + ROW_HEIGHT / 2 + 5 - (len(lines) - 1) * 8
        row.lines = [(line, first + 16 * number) for number, line in enumerate(lines)]
        for column, cell in zip(columns, row.cells, strict=True):
            cell.cx, cell.cy = column.x, row.y + ROW_HEIGHT / 2
            if cell.count:
                # The circle's area grows with the count.
                share = math.sqrt(cell.count / biggest)
                cell.radius = round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * share, 1)
                # A small circle has its number beside it, not inside.
                cell.outside = cell.radius < SMALLEST_LABELLED_RADIUS
                cell.text_y = cell.cy + (cell.radius + 13 if cell.outside else 5)
    return EvidenceMap(
        by=by,
        rows=rows,
        columns=columns,
        width=LABEL_WIDTH + COLUMN_WIDTH * len(columns),
        height=HEADER_HEIGHT + ROW_HEIGHT * max(len(rows), 1),
        total=cached("practice_list_count", key, selection.count),
    )


# --- Places like mine ------------------------------------------------------------------

PLACES_SHOWN = 30


def places_with_practices() -> list[dict]:
    """Jurisdictions that led a published practice, as plain data, with how many."""
    return list(
        Jurisdiction.objects.filter(led_practices__in=Practice.objects.published())
        .annotate(practices=Count("led_practices", distinct=True))
        .values("pk", "name", "slug", "country", "region", "kind", "population", "practices")
        .order_by("name", "pk")
    )


@dataclass
class Likeness:
    score: float
    reasons: list[str]


def likeness(place: dict, *, population, country, region="", kind="") -> Likeness:
    """How comparable ``place`` is to the visitor's, and why (closeness in population, the
    same country and region, the same kind of government)."""
    score = 0.0
    reasons = []
    band = PopulationBand.for_population(population)
    other = place["population"]
    if population is not None and other is not None:
        if band is not None and band == PopulationBand.for_population(other):
            score += 3
            reasons.append(_("same population band"))
        # Up to 2 more points, fewer as the populations differ by a larger factor.
        distance = abs(math.log10(max(other, 1)) - math.log10(max(population, 1)))
        score += max(0.0, 2 - 2 * distance)
        if distance <= math.log10(2) and not reasons:
            reasons.append(_("similar population"))
    if country and place["country"] == country:
        score += 3
        reasons.append(_("same country"))
        if region and place["region"] == region:
            score += 1
            reasons.append(_("same region"))
    if kind and place["kind"] == kind:
        score += 1
        reasons.append(_("same kind of government"))
    return Likeness(round(score, 3), reasons)


def places_like(*, population, country, region="", kind="", exclude_pk=None) -> list[tuple]:
    """(place, likeness) of the most comparable places, best first."""
    places = cached("places_with_practices", None, places_with_practices)
    ranked = []
    for place in places:
        if place["pk"] == exclude_pk:
            continue
        like = likeness(place, population=population, country=country, region=region, kind=kind)
        if like.reasons:
            ranked.append((place, like))
    ranked.sort(key=lambda item: (-item[1].score, item[0]["name"], item[0]["pk"]))
    return ranked


def practices_like(*, population, country, region="", kind="", exclude_pk=None) -> list:
    """Published practices led by comparable places, best first, each with ``likeness``."""
    ranked = places_like(
        population=population, country=country, region=region, kind=kind, exclude_pk=exclude_pk
    )
    chosen = []
    total = 0
    for place, like in ranked:
        chosen.append((place, like))
        total += place["practices"]
        if total >= PLACES_SHOWN:
            break
    if not chosen:
        return []
    order = {place["pk"]: index for index, (place, _like) in enumerate(chosen)}
    likes = {place["pk"]: like for place, like in chosen}
    practices = list(
        card_queryset(Practice.objects.published())
        .filter(lead_jurisdiction__in=list(order))
        .order_by("-published_at", "title")
    )
    practices.sort(key=lambda practice: order[practice.lead_jurisdiction_id])
    for practice in practices:
        practice.likeness = likes[practice.lead_jurisdiction_id]
    return practices[:PLACES_SHOWN]


def jurisdiction_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Places with published practices grouped by country name, for a select."""
    from django_countries import countries

    places = cached("places_with_practices", None, places_with_practices)
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in places:
        name = str(countries.name(place["country"]) or place["country"])
        label = f"{place['name']}, {place['region']}" if place["region"] else place["name"]
        groups.setdefault(name, []).append((place["slug"], label))
    return sorted(groups.items())


# --- Compare ------------------------------------------------------------------------------

COMPARE_MIN = 2
COMPARE_MAX = 4


def practices_to_compare(slugs: list[str]) -> list[Practice]:
    """Published practices with these slugs, in the order given, with what compare shows."""
    found = (
        Practice.objects.published()
        .select_related("lead_jurisdiction")
        .prefetch_related("topics", "departments", recognitions_with_awards())
        .filter(slug__in=slugs)
    )
    by_slug = {practice.slug: practice for practice in found}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


# --- Jurisdictions ------------------------------------------------------------------------


def jurisdictions_by_country() -> list[tuple[str, list[dict]]]:
    """Every jurisdiction a published practice mentions (as lead or partner), grouped by
    country name, with the number of practices it led and took part in."""
    from django_countries import countries

    def build():
        published = Practice.objects.published()
        return list(
            Jurisdiction.objects.annotate(
                led=Count("led_practices", filter=Q(led_practices__in=published), distinct=True),
                partnered=Count(
                    "partner_practices",
                    filter=Q(partner_practices__in=published),
                    distinct=True,
                ),
            )
            .filter(Q(led__gt=0) | Q(partnered__gt=0))
            .values("name", "slug", "country", "region", "kind", "population", "led", "partnered")
            .order_by("name", "slug")
        )

    groups: dict[str, list[dict]] = {}
    for place in cached("jurisdictions_by_country", None, build):
        name = str(countries.name(place["country"]) or place["country"])
        groups.setdefault(name, []).append(place)
    return sorted(groups.items())


# --- Map of practices by country ----------------------------------------------------------

# Shades of the map: a country falls in the first band whose lower bound it reaches.
MAP_SHADES = (20, 10, 5, 2, 1)


def place_counts(selection: QuerySet) -> list[dict]:
    """Where the selection's practices ran: each lead jurisdiction with its country and
    how many practices it led, as plain data. One query."""
    return [
        {"country": country, "slug": slug, "name": name, "count": n}
        for country, slug, name, n in selection.order_by()
        .values_list(
            "lead_jurisdiction__country", "lead_jurisdiction__slug", "lead_jurisdiction__name"
        )
        .annotate(n=Count("pk"))
        .order_by("lead_jurisdiction__name")
    ]


def country_counts(places: list[dict]) -> dict[str, int]:
    """Practices per country, from ``place_counts``."""
    counts: dict[str, int] = {}
    for place in places:
        counts[place["country"]] = counts.get(place["country"], 0) + place["count"]
    return counts


def shade(count: int) -> int:
    """The shade band of a count (0: none), 1 to 5 from the fewest to the most."""
    for index, bound in enumerate(MAP_SHADES):
        if count >= bound:
            return len(MAP_SHADES) - index
    return 0
