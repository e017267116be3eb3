"""Tools for city managers: the spreadsheet download, the evidence map, places like mine,
compare and the list of jurisdictions."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_countries import countries

from clearinghouse import worldmap
from clearinghouse.cache import cached, public_page
from practices import filters, spreadsheet, tools
from practices.models import EvidenceRating, Jurisdiction, JurisdictionKind, PopulationBand
from practices.views.practices import (
    EXPORT_MAX_ROWS,
    filter_errors,
    practice_filter,
    selection_key,
)


def bad_request(lines: list[str]) -> HttpResponse:
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def practice_spreadsheet(request: HttpRequest) -> HttpResponse:
    """The current selection of /practices/ as a readable spreadsheet (CSV with a BOM)."""
    filterset = practice_filter(request)
    errors = filter_errors(filterset)
    if errors:
        lines = [_("The export could not be made: fix these parameters and try again.")]
        lines += [f"{label}: {message}" if label else message for label, message in errors]
        return bad_request(lines)
    selection = filterset.ordered_qs()
    total = cached("practice_list_count", selection_key(request), selection.count)
    if total > EXPORT_MAX_ROWS:
        return bad_request(
            [
                _(
                    "This selection has %(total)s practices; one download holds at most "
                    "%(max)s. Add a filter (a topic, a country or a range of years, for "
                    "example) and try again."
                )
                % {"total": total, "max": EXPORT_MAX_ROWS}
            ]
        )
    site_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(
        spreadsheet.spreadsheet_pieces(selection, site_url),
        content_type="text/csv; charset=utf-8",
    )
    name = spreadsheet.file_name(filterset.form.cleaned_data)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def filter_params(request: HttpRequest) -> list[tuple[str, str]]:
    """The list filters of this request (no page, sort or view choice), as pairs."""
    return [
        (key, value)
        for key in request.GET
        if key in filters.PracticeFilter.base_filters and key not in ("sort",)
        for value in request.GET.getlist(key)
        if value.strip()
    ]


@require_safe
@public_page(*filters.PracticeFilter.base_filters, "by")
def evidence_map(request: HttpRequest) -> HttpResponse:
    """Topics (or departments) by evidence rating for the current filters."""
    filterset = practice_filter(request)
    errors = filter_errors(filterset)
    by = request.GET.get("by") or "topic"
    if by not in tools.MAP_VIEWS:
        errors.append((_("View"), _("Choose the view by topic or by department.")))
        by = "topic"
    grid = None
    if not errors:
        params = filter_params(request)
        grid = tools.evidence_map(filterset.qs, by, params, selection_key(request))
    return render(
        request,
        "practices/evidence_map.html",
        {
            "grid": grid,
            "by": by,
            "errors": errors,
            "filter_summary": filter_summary(filterset),
            "list_url": tools.list_url(filter_params(request)) if not errors else "",
        },
        status=400 if errors else 200,
    )


def choice_label(name: str, item) -> str:
    """The words for one value of a list filter."""
    if hasattr(item, "display_name"):
        return str(item.display_name)
    if hasattr(item, "name"):
        return str(item.name)
    if name == "country":
        return str(countries.name(item) or item)
    labels = {
        "population": dict(PopulationBand.choices),
        "evidence": dict(EvidenceRating.choices),
        "awarded": dict(filters.AwardedChoice.CHOICES),
    }.get(name, {})
    return str(labels.get(item, item))


def filter_summary(filterset) -> list[tuple[str, str]]:
    """(label, values) of the filters in force, in words, for a heading."""
    if not filterset.is_valid():
        return []
    summary = []
    for name, value in filterset.form.cleaned_data.items():
        if name == "sort" or value is None or (not value and value != 0):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, str | int):
            shown = str(value)
        else:
            shown = ", ".join(choice_label(name, item) for item in value)
        summary.append((str(field.label), shown))
    return summary


MAX_POPULATION = 100_000_000


def parse_population(raw: str) -> int | None:
    """A population typed by a visitor ("61,000", "61 000" or "61000"), or None if not one."""
    digits = raw.replace(",", "").replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    number = int(digits)
    return number if number <= MAX_POPULATION else None


@require_safe
@public_page("jurisdiction", "population", "country", "kind")
def places_like_mine(request: HttpRequest) -> HttpResponse:
    """Practices from places comparable to the visitor's own, with the reasons."""
    errors = []
    chosen = None
    slug = request.GET.get("jurisdiction", "").strip()
    population_raw = request.GET.get("population", "").strip()
    country = request.GET.get("country", "").strip().upper()
    kind = request.GET.get("kind", "").strip()
    population = None
    if slug:
        chosen = Jurisdiction.objects.filter(slug=slug[:200]).first()
        if chosen is None:
            errors.append(_("There is no jurisdiction with this address; pick one from the list."))
        else:
            population, country, kind = chosen.population, chosen.country.code, chosen.kind
    else:
        if population_raw:
            population = parse_population(population_raw)
            if population is None:
                errors.append(
                    _("Type the population as a whole number up to %(max)s.")
                    % {"max": f"{MAX_POPULATION:,}"}
                )
        if country and country not in countries:
            errors.append(_("Choose a country from the list."))
        if kind and kind not in JurisdictionKind.values:
            errors.append(_("Choose a kind of government from the list."))
    asked = bool(slug or population_raw or country or kind)
    if asked and not errors and population is None and not country:
        errors.append(_("Give at least a population or a country."))
    practices = []
    if asked and not errors:
        practices = tools.practices_like(
            population=population,
            country=country,
            region=chosen.region if chosen else "",
            kind=kind,
            exclude_pk=chosen.pk if chosen else None,
        )
    return render(
        request,
        "practices/places_like_mine.html",
        {
            "errors": errors,
            "asked": asked and not errors,
            "chosen": chosen,
            "practices": practices,
            "jurisdiction_choices": tools.jurisdiction_choices(),
            "country_choices": list(countries),
            "kind_choices": JurisdictionKind.choices,
            "form": {
                "jurisdiction": slug,
                "population": "" if chosen else population_raw,
                "country": "" if chosen else country,
                "kind": "" if chosen else kind,
            },
            "described_band": PopulationBand.for_population(population),
        },
        status=400 if errors else 200,
    )


@require_safe
@public_page("p")
def compare(request: HttpRequest) -> HttpResponse:
    """Two to four practices side by side; the address lists them, so it can be shared."""
    slugs = []
    for value in request.GET.getlist("p"):
        value = value.strip()
        if value and value not in slugs:
            slugs.append(value[:220])
    errors = []
    practices = []
    if slugs:
        if len(slugs) < tools.COMPARE_MIN or len(slugs) > tools.COMPARE_MAX:
            errors.append(
                _("Choose from %(min)s to %(max)s practices to compare (%(count)s chosen).")
                % {"min": tools.COMPARE_MIN, "max": tools.COMPARE_MAX, "count": len(slugs)}
            )
        else:
            practices = tools.practices_to_compare(slugs)
            missing = [slug for slug in slugs if slug not in {p.slug for p in practices}]
            if missing:
                errors.append(
                    _("No published practice has these addresses: %(slugs)s.")
                    % {"slugs": ", ".join(missing)}
                )
                practices = []
    return render(
        request,
        "practices/compare.html",
        {"practices": practices, "errors": errors, "slugs": slugs},
        status=400 if errors else 200,
    )


@require_safe
@public_page()
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    """Every place a published practice mentions, by country."""
    return render(
        request,
        "jurisdictions/jurisdiction_list.html",
        {"groups": tools.jurisdictions_by_country()},
    )


@require_safe
@public_page(*filters.PracticeFilter.base_filters)
def practice_map(request: HttpRequest) -> HttpResponse:
    """Published practices per country (of the lead jurisdiction), for the current filters."""
    filterset = practice_filter(request)
    errors = filter_errors(filterset)
    params = filter_params(request)
    places = []
    if not errors:
        places = cached(
            "practice_map_places",
            selection_key(request),
            lambda: tools.place_counts(filterset.qs),
        )
    counts = tools.country_counts(places)
    places_by_country: dict[str, list[dict]] = {}
    for place in places:
        places_by_country.setdefault(place["country"], []).append(place)
    shapes = []
    for code, path in worldmap.country_shapes():
        n = counts.get(code, 0)
        shapes.append(
            {
                "code": code,
                "name": str(countries.name(code)) if code else "",
                "path": path,
                "count": n,
                "shade": tools.shade(n),
                "url": tools.list_url(params, country=code) if n else "",
            }
        )
    rows = sorted(
        (
            {
                "code": code,
                "name": str(countries.name(code) or code),
                "count": n,
                "url": tools.list_url(params, country=code),
                "places": places_by_country.get(code, []),
            }
            for code, n in counts.items()
            if n
        ),
        key=lambda row: (-row["count"], row["name"]),
    )
    return render(
        request,
        "practices/practice_map.html",
        {
            "shapes": shapes,
            "rows": rows,
            "errors": errors,
            "filter_summary": filter_summary(filterset),
            "width": worldmap.WIDTH,
            "height": worldmap.HEIGHT,
            "total": sum(counts.values()),
            "shade_bands": tools.MAP_SHADES,
        },
        status=400 if errors else 200,
    )
