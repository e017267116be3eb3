"""The reference CSV rows: formatted from model instances, one practice at a time.

The public download (``practices.csvio.export_rows``) has PostgreSQL build the same cells
in one query; the tests keep the two byte-for-byte equal and round-trip the import
through this one.
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from practices.csvio import EXPORT_COLUMNS, LIST_SEPARATOR, defuse
from practices.models import Practice


def with_export_relations(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    """Everything a row needs, in a fixed number of queries whatever the row count."""
    return queryset.select_related("lead_jurisdiction", "initiative").prefetch_related(
        "partner_jurisdictions",
        "topics",
        "departments",
        "sources",
        "outcomes",
        "recognitions__award",
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
