"""Load the curated demo catalogue from ``practices/demo/*.json``.

The catalogue describes real, publicly documented local public-safety programs. Running the
command again updates the same records (matched by slug) instead of adding new ones: many-to-many
links are replaced with ``.set()``, inline sources and outcomes are replaced, and everything
happens in one transaction, so a failure leaves the database as it was.
"""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from awards.models import Award, AwardCategory, Recognition
from practices.models import (
    Department,
    Initiative,
    Jurisdiction,
    Outcome,
    PartnerPair,
    Practice,
    Publication,
    PublishingState,
    Source,
    Topic,
)
from practices.search import refresh_search_words
from practices.validators import normalize_isbn

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"

# Demo records are dated as if curators had entered them over about two years, oldest first
# in the order of the data files. Fixed dates keep a second run from changing anything.
FIRST_PUBLISHED = datetime.datetime(2024, 1, 9, 10, 0, tzinfo=datetime.UTC)


def read(name: str):
    path = DEMO_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc


def publication_dates(index: int, step_days: int) -> tuple[datetime.datetime, datetime.datetime]:
    """(created_at, published_at) for the index-th record of a file."""
    published = FIRST_PUBLISHED + datetime.timedelta(
        days=index * step_days, hours=(index * 5) % 8, minutes=(index * 17) % 60
    )
    created = published - datetime.timedelta(days=2 + (index * 3) % 11, hours=(index * 7) % 6)
    return created, published


def save_clean(instance, exclude=None):
    """Validate like the admin would, then save: bad demo data fails loudly."""
    instance.full_clean(exclude=exclude)
    instance.save()
    return instance


def upsert(model, slug: str, values: dict, exclude=None):
    instance = model.objects.filter(slug=slug).first() or model(slug=slug)
    for field, value in values.items():
        setattr(instance, field, value)
    return save_clean(instance, exclude=exclude)


def by_slug(mapping: dict, slug: str, kind: str, owner: str):
    try:
        return mapping[slug]
    except KeyError:
        raise CommandError(f"{owner}: unknown {kind} “{slug}”") from None


class Command(BaseCommand):
    help = "Load (or refresh) the curated demo catalogue of real public-safety practices."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = self.load()
        # The "did you mean" vocabulary is built from published practices.
        refresh_search_words()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo catalogue loaded: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
        )

    def load(self) -> dict:
        taxonomy = read("taxonomy.json")
        topics = self.load_topics(taxonomy["topics"])
        departments = self.load_departments(taxonomy["departments"])
        jurisdictions = self.load_jurisdictions(read("jurisdictions.json"))
        initiatives = self.load_initiatives(read("initiatives.json"), jurisdictions)
        practices = self.load_practices(
            read("practices.json"), topics, departments, jurisdictions, initiatives
        )
        publications = self.load_publications(read("publications.json"), topics, practices)
        awards = read("awards.json")
        recognitions = self.load_awards(awards, practices)
        return {
            "topics": len(topics),
            "departments": len(departments),
            "jurisdictions": len(jurisdictions),
            "initiatives": len(initiatives),
            "practices": len(practices),
            "publications": len(publications),
            "awards": len(awards["awards"]),
            "recognitions": recognitions,
        }

    def load_topics(self, rows: list[dict]) -> dict:
        topics = {}
        # Parents first, so a subtopic can point at its parent.
        for position, row in enumerate(sorted(rows, key=lambda r: bool(r.get("parent")))):
            parent = None
            if row.get("parent"):
                parent = by_slug(topics, row["parent"], "parent topic", row["slug"])
            topics[row["slug"]] = upsert(
                Topic,
                row["slug"],
                {
                    "name": row["name"],
                    "name_es": row["name_es"],
                    "description": row["description"],
                    "description_es": row["description_es"],
                    "parent": parent,
                    "position": row.get("position", position),
                },
            )
        return topics

    def load_departments(self, rows: list[dict]) -> dict:
        departments = {}
        for position, row in enumerate(rows):
            departments[row["slug"]] = upsert(
                Department,
                row["slug"],
                {
                    "name": row["name"],
                    "name_es": row["name_es"],
                    "description": row.get("description", ""),
                    "description_es": row.get("description_es", ""),
                    "position": position,
                },
            )
        return departments

    def load_jurisdictions(self, rows: list[dict]) -> dict:
        fields = ["name", "kind", "country", "region", "population", "population_year"]
        return {
            row["slug"]: upsert(Jurisdiction, row["slug"], {f: row.get(f) for f in fields})
            for row in rows
        }

    def load_initiatives(self, rows: list[dict], jurisdictions: dict) -> dict:
        """Multi-jurisdiction programs and their partnerships (pairs of jurisdictions)."""
        fields = ["name", "funder", "description", "countries", "year_started", "year_ended"]
        initiatives = {}
        for row in rows:
            slug = row["slug"]
            values = {f: row.get(f) for f in fields}
            values["website"] = row.get("website", "")
            initiative = upsert(Initiative, slug, values)
            initiative.pairs.all().delete()
            for pair in row.get("pairs", []):
                save_clean(
                    PartnerPair(
                        initiative=initiative,
                        first=by_slug(jurisdictions, pair["first"], "jurisdiction", slug),
                        second=by_slug(jurisdictions, pair["second"], "jurisdiction", slug),
                        year_started=pair.get("year_started"),
                        year_ended=pair.get("year_ended"),
                        note=pair.get("note", ""),
                    )
                )
            initiatives[slug] = initiative
        return initiatives

    def load_practices(self, rows, topics, departments, jurisdictions, initiatives) -> dict:
        text_fields = [
            "title",
            "summary",
            "problem",
            "approach",
            "partners",
            "results",
            "evidence_rating",
            "evidence_strength",
            "evidence_notes",
            "cost_notes",
            "contact_name",
            "contact_role",
            "website",
            "language",
        ]
        practices = {}
        for index, row in enumerate(rows):
            slug = row["slug"]
            created, published = publication_dates(index, step_days=15)
            values = {field: row.get(field, "") for field in text_fields}
            values.update(
                year_started=row.get("year_started"),
                year_ended=row.get("year_ended"),
                lead_jurisdiction=by_slug(
                    jurisdictions, row["lead_jurisdiction"], "jurisdiction", slug
                ),
                initiative=(
                    by_slug(initiatives, row["initiative"], "initiative", slug)
                    if row.get("initiative")
                    else None
                ),
                state=PublishingState.PUBLISHED,
                published_at=published,
                created_at=created,
            )
            practice = upsert(Practice, slug, values)
            practice.topics.set([by_slug(topics, s, "topic", slug) for s in row["topics"]])
            practice.departments.set(
                [by_slug(departments, s, "department", slug) for s in row["departments"]]
            )
            practice.partner_jurisdictions.set(
                [
                    by_slug(jurisdictions, s, "jurisdiction", slug)
                    for s in row.get("partner_jurisdictions", [])
                ]
            )
            if not row.get("sources"):
                raise CommandError(f"{slug}: every demo practice needs at least one source")
            practice.sources.all().delete()
            for position, source in enumerate(row["sources"]):
                save_clean(Source(practice=practice, position=position, **source))
            practice.outcomes.all().delete()
            for position, outcome in enumerate(row.get("outcomes", [])):
                save_clean(Outcome(practice=practice, position=position, **outcome))
            practices[slug] = practice
        return practices

    def load_publications(self, rows, topics, practices) -> dict:
        fields = [
            "title",
            "kind",
            "authors",
            "publisher",
            "year",
            "edition",
            "isbn",
            "summary",
            "url",
            "language",
        ]
        publications = {}
        for index, row in enumerate(rows):
            slug = row["slug"]
            created, published = publication_dates(index, step_days=40)
            values = {f: row.get(f, "") for f in fields}
            values["year"] = row.get("year")
            values["isbn"] = normalize_isbn(values["isbn"])
            values.update(
                state=PublishingState.PUBLISHED, published_at=published, created_at=created
            )
            publication = upsert(Publication, slug, values, exclude=["file"])
            publication.topics.set([by_slug(topics, s, "topic", slug) for s in row["topics"]])
            publication.practices.set(
                [by_slug(practices, s, "practice", slug) for s in row.get("practices", [])]
            )
            publications[slug] = publication
        return publications

    def load_awards(self, data: dict, practices: dict) -> int:
        categories = {}
        for row in data["awards"]:
            award = upsert(
                Award,
                row["slug"],
                {
                    "name": row["name"],
                    "sponsor": row["sponsor"],
                    "description": row["description"],
                    "website": row.get("website", ""),
                    "active": row.get("active", True),
                },
            )
            for cat in row.get("categories", []):
                category = AwardCategory.objects.filter(
                    award=award, slug=cat["slug"]
                ).first() or AwardCategory(award=award, slug=cat["slug"])
                category.name = cat["name"]
                category.description = cat.get("description", "")
                categories[(award.slug, cat["slug"])] = save_clean(category)
        for row in data.get("recognitions", []):
            practice = by_slug(practices, row["practice"], "practice", "recognitions")
            award = Award.objects.get(slug=row["award"])
            category = None
            if row.get("category"):
                category = by_slug(
                    categories, (row["award"], row["category"]), "category", row["practice"]
                )
            Recognition.objects.update_or_create(
                practice=practice,
                award=award,
                category=category,
                year=row["year"],
                defaults={
                    "level": row["level"],
                    "citation": row.get("citation", ""),
                    "source_url": row.get("source_url", ""),
                },
            )
        return len(data.get("recognitions", []))
