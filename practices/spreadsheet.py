"""The spreadsheet download for people: the current selection of /practices/ with readable
columns (names instead of slugs, the lead jurisdiction's name, country and population, the
rating in words, the awards won), as CSV with a byte-order mark so spreadsheets on Windows
read the accents right.

The curators' import format stays in ``csvio.py``; this download is not meant to be
imported back.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practices import csvio
from practices.models import Practice

BOM = "\ufeff"
ROWS_PER_PIECE = 200
FILE_NAME_MAX = 100


def headers() -> list[str]:
    """Column titles in the language active now."""
    return [
        _("Title"),
        _("Summary"),
        _("Lead jurisdiction"),
        _("State, province or department"),
        _("Country"),
        _("Population"),
        _("Population counted in"),
        _("Kind of government"),
        _("Partner jurisdictions"),
        _("Topics"),
        _("Departments involved"),
        _("Evidence rating"),
        _("Strength of evidence"),
        _("Year started"),
        _("Year ended"),
        _("Awards"),
        _("Problem addressed"),
        _("Approach"),
        _("Results"),
        _("Cost"),
        _("Contact"),
        _("Contact email"),
        _("Website"),
        _("Page on this site"),
    ]


def rows_queryset(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    recognition = Practice.recognitions.field.model
    return queryset.select_related("lead_jurisdiction").prefetch_related(
        "partner_jurisdictions",
        "topics",
        "departments",
        Prefetch("recognitions", queryset=recognition.objects.select_related("award")),
    )


def names(items: Iterable) -> str:
    return "; ".join(str(getattr(item, "display_name", None) or item.name) for item in items)


def practice_row(practice: Practice, site_url: str) -> list[str]:
    place = practice.lead_jurisdiction
    contact = ", ".join(part for part in (practice.contact_name, practice.contact_role) if part)
    awards = "; ".join(
        f"{recognition.award.name} {recognition.year} ({recognition.get_level_display()})"
        for recognition in practice.recognitions.all()
    )
    cells = [
        practice.title,
        practice.summary,
        place.name,
        place.region,
        str(place.country.name),
        "" if place.population is None else str(place.population),
        "" if place.population_year is None else str(place.population_year),
        str(place.get_kind_display()),
        "; ".join(j.name for j in practice.partner_jurisdictions.all()),
        names(practice.topics.all()),
        names(practice.departments.all()),
        str(practice.get_evidence_rating_display()),
        str(practice.get_evidence_strength_display()) if practice.evidence_strength else "",
        "" if practice.year_started is None else str(practice.year_started),
        "" if practice.year_ended is None else str(practice.year_ended),
        awards,
        practice.problem,
        practice.approach,
        practice.results,
        practice.cost_notes,
        contact,
        practice.contact_email,
        practice.website,
        site_url + practice.get_absolute_url(),
    ]
    return [csvio.defuse(cell) for cell in cells]


def spreadsheet_pieces(
    queryset: QuerySet[Practice], site_url: str, chunk_size: int = 500
) -> Iterator[str]:
    """The CSV text (byte-order mark, header, one row a practice) in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(headers())
    rows = rows_queryset(queryset).iterator(chunk_size=chunk_size)
    for count, practice in enumerate(rows, start=1):
        writer.writerow(practice_row(practice, site_url))
        if count % ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def file_name(cleaned: dict) -> str:
    """A file name naming the selection: ``practices-youth-violence-us-effective.csv``."""
    parts = [_("practices")]
    for key in ("q", "topic", "department", "country", "region", "population", "evidence"):
        value = cleaned.get(key)
        if not value:
            continue
        values = [value] if isinstance(value, str) else list(value)
        parts.extend(str(getattr(item, "slug", item)) for item in values)
    for item in cleaned.get("award") or []:
        parts.append(item.slug)
    awarded = cleaned.get("awarded") or []
    if len(awarded) == 1:
        parts.append(_("awarded") if awarded[0] == "yes" else _("not-awarded"))
    if cleaned.get("year_from") is not None or cleaned.get("year_to") is not None:
        parts.append(f"{cleaned.get('year_from') or ''}-{cleaned.get('year_to') or ''}")
    name = slugify("-".join(str(part) for part in parts))[:FILE_NAME_MAX].strip("-")
    return f"{name or 'practices'}.csv"
