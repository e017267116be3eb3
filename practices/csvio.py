"""The practice CSV format, shared by the public export and the curators' import.

One row a practice. Columns, in order, are ``EXPORT_COLUMNS``. Cells that hold several
values use these conventions, so an export imports back unchanged:

- ``partner_jurisdictions``, ``topics``, ``departments``: slugs separated by ``; ``
- ``sources``: one source a line, ``Title <https://link>``
- ``outcomes``: one outcome a line, ``rating: description`` (rating may be empty)
- ``recognitions``: one a line, ``Award name, year, level`` (informative, not imported)
- ``url``: the practice's public page (informative, not imported)

A cell that would start with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
prefixed with an apostrophe so spreadsheets do not run it as a formula; the import
removes that apostrophe again.
"""

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from practices.models import Practice

LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = [
    "slug",
    "title",
    "language",
    "summary",
    "problem",
    "approach",
    "partners",
    "results",
    "evidence_rating",
    "evidence_strength",
    "evidence_notes",
    "cost_notes",
    "year_started",
    "year_ended",
    "lead_jurisdiction",
    "partner_jurisdictions",
    "topics",
    "departments",
    "initiative",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "website",
    "sources",
    "outcomes",
    "recognitions",
    "url",
]
INFORMATIVE_COLUMNS = {"recognitions", "url"}


def _needs_apostrophe(value: str) -> bool:
    # Text that already starts with apostrophes before a formula character gets one more,
    # so that ``restore`` can tell it from a defused cell: restore(defuse(v)) == v always.
    return value.lstrip("'").startswith(FORMULA_STARTS)


def defuse(value: str) -> str:
    """Neutralise spreadsheet formulas at the start of a cell."""
    return f"'{value}" if _needs_apostrophe(value) else value


def restore(value: str) -> str:
    """Undo ``defuse`` on import."""
    if value.startswith("'") and _needs_apostrophe(value):
        return value[1:]
    return value


def with_export_relations(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    """Everything a row needs, in a fixed number of queries whatever the row count."""
    from awards.models import Recognition

    return queryset.select_related("lead_jurisdiction", "initiative").prefetch_related(
        "partner_jurisdictions",
        "topics",
        "departments",
        "sources",
        "outcomes",
        Prefetch("recognitions", queryset=Recognition.objects.select_related("award")),
    )


def practice_row(practice: Practice, site_url: str = "") -> list[str]:
    def slugs(items) -> str:
        return LIST_SEPARATOR.join(sorted(item.slug for item in items))

    values = {
        "slug": practice.slug,
        "title": practice.title,
        "language": practice.language,
        "summary": practice.summary,
        "problem": practice.problem,
        "approach": practice.approach,
        "partners": practice.partners,
        "results": practice.results,
        "evidence_rating": practice.evidence_rating,
        "evidence_strength": practice.evidence_strength,
        "evidence_notes": practice.evidence_notes,
        "cost_notes": practice.cost_notes,
        "year_started": "" if practice.year_started is None else str(practice.year_started),
        "year_ended": "" if practice.year_ended is None else str(practice.year_ended),
        "lead_jurisdiction": practice.lead_jurisdiction.slug,
        "partner_jurisdictions": slugs(practice.partner_jurisdictions.all()),
        "topics": slugs(practice.topics.all()),
        "departments": slugs(practice.departments.all()),
        "initiative": practice.initiative.slug if practice.initiative else "",
        "contact_name": practice.contact_name,
        "contact_role": practice.contact_role,
        "contact_email": practice.contact_email,
        "contact_phone": practice.contact_phone,
        "website": practice.website,
        "sources": "\n".join(f"{s.title} <{s.url}>" for s in practice.sources.all()),
        "outcomes": "\n".join(f"{o.rating}: {o.description}" for o in practice.outcomes.all()),
        "recognitions": "\n".join(
            f"{r.award.name}, {r.year}, {r.get_level_display()}"
            for r in practice.recognitions.all()
        ),
        "url": f"{site_url}{practice.get_absolute_url()}",
    }
    return [defuse(values[column]) for column in EXPORT_COLUMNS]


def iter_rows(practices: Iterable[Practice], site_url: str = "") -> Iterator[list[str]]:
    yield list(EXPORT_COLUMNS)
    for practice in practices:
        yield practice_row(practice, site_url)
