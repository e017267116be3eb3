"""Load the curated demo catalogue from ``practices/demo/*.json``.

The catalogue describes real, publicly documented local public-safety programs. Records are
matched by slug, and curators' work always wins:

- ``load_demo`` adds the demo records that are missing and writes nothing else. A record
  that is there already is left exactly as it is, dates included, whether or not a curator
  changed it (an edited summary, an archived practice); the report names the records that
  differ from the demo data.
- ``load_demo --if-empty`` loads nothing when the catalogue already holds records
  (``make run`` uses it on every start).
- ``load_demo --replace`` makes the demo records match the data files again: records that
  differ are overwritten and published, curators' changes to them are lost. Records that
  already match are not written, so their dates stay.

Practices are written through the CSV import's service (``practices.importing``), the one
write path for practices in bulk. Everything happens in one transaction, so a failure leaves
the database as it was.
"""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from awards.models import Award, AwardCategory, Recognition
from practices.importing import IMPORTED_COLUMNS, import_rows
from practices.models import (
    Department,
    Initiative,
    Jurisdiction,
    PartnerPair,
    Practice,
    Publication,
    PublishingState,
    Topic,
    VocabularyTerm,
)
from practices.search import refresh_search_words
from practices.validators import normalize_isbn

# The demo data lives with the catalogue it fills.
DEMO_DIR = Path(__file__).resolve().parents[3] / "practices" / "demo"

# Demo records are dated as if curators had entered them over about two years, oldest first
# in the order of the data files. Fixed dates keep a second run from changing anything.
FIRST_PUBLISHED = datetime.datetime(2024, 1, 9, 10, 0, tzinfo=datetime.UTC)

# What happened to each demo record.
ADDED, UPDATED, UNCHANGED, KEPT = "added", "updated", "unchanged", "kept"


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


def by_slug(mapping: dict, slug: str, kind: str, owner: str):
    try:
        return mapping[slug]
    except KeyError:
        raise CommandError(f"{owner}: unknown {kind} “{slug}”") from None


def practice_cells(row: dict) -> dict[str, str]:
    """A demo practice as the cells of one CSV import row (lists joined as the export
    writes them)."""
    cells = dict.fromkeys(IMPORTED_COLUMNS, "")
    for column in IMPORTED_COLUMNS:
        value = row.get(column)
        if isinstance(value, str):
            cells[column] = value
        elif isinstance(value, int):
            cells[column] = str(value)
    for column in ("topics", "departments", "partner_jurisdictions"):
        cells[column] = "; ".join(row.get(column, []))
    cells["sources"] = "\n".join(f"{s['title']} <{s['url']}>" for s in row.get("sources", []))
    cells["outcomes"] = "\n".join(
        f"{o.get('rating', '')}: {o['description']}" for o in row.get("outcomes", [])
    )
    return cells


class Loader:
    """Writes the demo records, noting per kind of record what happened to each."""

    def __init__(self, *, replace: bool):
        self.replace = replace
        self.report: dict[str, dict[str, list[str]]] = {}

    def note(self, kind: str, outcome: str, name: str) -> None:
        self.report.setdefault(kind, {}).setdefault(outcome, []).append(name)

    def retell(self, model, name: str, outcome: str) -> None:
        """Move ``name`` from "unchanged" to ``outcome`` (its related rows differ)."""
        kind = str(model._meta.verbose_name_plural)
        self.report[kind][UNCHANGED].remove(name)
        self.note(kind, outcome, name)

    def upsert(self, model, lookup: dict, values: dict, *, m2m=None, exclude=None):
        """(record, what happened) for the record matched by ``lookup``: created from
        ``values`` when missing; when it exists, left alone unless ``--replace`` and it
        differs (``m2m``: {field: objects} compared and set too)."""
        m2m = m2m or {}
        kind = str(model._meta.verbose_name_plural)
        name = "/".join(str(v.slug if hasattr(v, "slug") else v) for v in lookup.values())
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = save_clean(model(**lookup, **values), exclude=exclude)
            for field, objects in m2m.items():
                getattr(instance, field).set(objects)
            self.note(kind, ADDED, name)
            return instance, ADDED
        # Compared as stored (a list of countries in any order is the same list).
        wanted = model(**lookup, **values)
        differs = any(
            field.value_to_string(wanted) != field.value_to_string(instance)
            for field in (model._meta.get_field(name) for name in values)
        ) or any(set(getattr(instance, f).all()) != set(objects) for f, objects in m2m.items())
        if not differs:
            outcome = UNCHANGED
        elif not self.replace:
            outcome = KEPT
        else:
            outcome = UPDATED
            for field, value in values.items():
                setattr(instance, field, value)
            save_clean(instance, exclude=exclude)
            for field, objects in m2m.items():
                getattr(instance, field).set(objects)
        self.note(kind, outcome, name)
        return instance, outcome

    def load(self) -> None:
        taxonomy = read("taxonomy.json")
        topics = self.load_topics(taxonomy["topics"])
        # Practices name their departments, jurisdictions and initiative by slug (import
        # cells).
        self.load_departments(taxonomy["departments"])
        self.add_names_to_vocabulary([*topics.values(), *Department.objects.all()])
        jurisdictions = self.load_jurisdictions(read("jurisdictions.json"))
        self.load_initiatives(read("initiatives.json"), jurisdictions)
        practices = self.load_practices(read("practices.json"))
        self.load_publications(read("publications.json"), topics, practices)
        self.load_awards(read("awards.json"), practices)

    def load_topics(self, rows: list[dict]) -> dict:
        topics = {}
        # Parents first, so a subtopic can point at its parent.
        for position, row in enumerate(sorted(rows, key=lambda r: bool(r.get("parent")))):
            parent = None
            if row.get("parent"):
                parent = by_slug(topics, row["parent"], "parent topic", row["slug"])
            topics[row["slug"]], _outcome = self.upsert(
                Topic,
                {"slug": row["slug"]},
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

    def load_departments(self, rows: list[dict]) -> None:
        for position, row in enumerate(rows):
            self.upsert(
                Department,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "name_es": row["name_es"],
                    "description": row.get("description", ""),
                    "description_es": row.get("description_es", ""),
                    "position": position,
                },
            )

    def add_names_to_vocabulary(self, records) -> None:
        """Every topic and department name pair is in the bilingual vocabulary."""
        for record in records:
            if (
                record.name_es
                and not VocabularyTerm.objects.filter(
                    english__iexact=record.name, spanish__iexact=record.name_es
                ).exists()
            ):
                save_clean(VocabularyTerm(english=record.name, spanish=record.name_es))

    def load_jurisdictions(self, rows: list[dict]) -> dict:
        fields = ["name", "kind", "country", "region", "population", "population_year"]
        return {
            row["slug"]: self.upsert(
                Jurisdiction, {"slug": row["slug"]}, {f: row.get(f) for f in fields}
            )[0]
            for row in rows
        }

    def load_initiatives(self, rows: list[dict], jurisdictions: dict) -> None:
        """Multi-jurisdiction programs and their partnerships (pairs of jurisdictions);
        the pairs are written with a new initiative, or with ``--replace`` when they differ."""
        fields = ["name", "funder", "description", "countries", "year_started", "year_ended"]
        for row in rows:
            slug = row["slug"]
            values = {f: row.get(f) for f in fields}
            values["website"] = row.get("website", "")
            initiative, outcome = self.upsert(Initiative, {"slug": slug}, values)
            pairs = [
                PartnerPair(
                    initiative=initiative,
                    first=by_slug(jurisdictions, pair["first"], "jurisdiction", slug),
                    second=by_slug(jurisdictions, pair["second"], "jurisdiction", slug),
                    year_started=pair.get("year_started"),
                    year_ended=pair.get("year_ended"),
                    note=pair.get("note", ""),
                )
                for pair in row.get("pairs", [])
            ]
            if outcome != ADDED:
                fields_compared = ("first_id", "second_id", "year_started", "year_ended", "note")
                wanted = sorted(tuple(getattr(p, f) for f in fields_compared) for p in pairs)
                stored = sorted(initiative.pairs.values_list(*fields_compared))
                if wanted == stored or not self.replace:
                    if wanted != stored and outcome == UNCHANGED:
                        self.retell(Initiative, slug, KEPT)
                    continue
                if outcome == UNCHANGED:
                    self.retell(Initiative, slug, UPDATED)
            initiative.pairs.all().delete()
            for pair in pairs:
                save_clean(pair)

    def load_practices(self, rows: list[dict]) -> dict:
        """Through the CSV import's service: new practices are created and published;
        existing ones are kept as they are, or overwritten with ``--replace``."""
        for row in rows:
            if not row.get("sources"):
                raise CommandError(f"{row['slug']}: every demo practice needs at least one source")
        result = import_rows(
            [(index + 1, practice_cells(row)) for index, row in enumerate(rows)],
            publish=True,
            keep_existing=not self.replace,
        )
        if result.errors:
            problems = "\n".join(
                f"{error.slug or f'practice {error.line}'}"
                + (f", {error.column}" if error.column else "")
                + f": {error.message}"
                for error in result.errors
            )
            raise CommandError(f"The demo practices cannot be loaded:\n{problems}")
        # The demo's own dates for the practices just written; the others keep theirs.
        written = set(result.created) | set(result.updated)
        for index, row in enumerate(rows):
            if row["slug"] in written:
                created, published = publication_dates(index, step_days=15)
                # The CSV format has no column for the summary in the other language.
                Practice.objects.filter(slug=row["slug"]).update(
                    created_at=created,
                    published_at=published,
                    updated_at=published,
                    summary_translation=row.get("summary_translation", ""),
                )
        kind = Practice._meta.verbose_name_plural
        for outcome, slugs in (
            (ADDED, result.created),
            (UPDATED, result.updated),
            (UNCHANGED, result.unchanged),
            (KEPT, result.kept),
        ):
            for slug in slugs:
                self.note(kind, outcome, slug)
        return Practice.objects.in_bulk([row["slug"] for row in rows], field_name="slug")

    def load_publications(self, rows, topics, practices) -> None:
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
        for index, row in enumerate(rows):
            slug = row["slug"]
            created, published = publication_dates(index, step_days=40)
            values = {f: row.get(f, "") for f in fields}
            values["year"] = row.get("year")
            values["isbn"] = normalize_isbn(values["isbn"])
            values.update(
                state=PublishingState.PUBLISHED, published_at=published, created_at=created
            )
            publication, outcome = self.upsert(
                Publication,
                {"slug": slug},
                values,
                m2m={
                    "topics": [by_slug(topics, s, "topic", slug) for s in row["topics"]],
                    "practices": [
                        by_slug(practices, s, "practice", slug) for s in row.get("practices", [])
                    ],
                },
                exclude=["file"],
            )
            if outcome in (ADDED, UPDATED):
                # Last changed when it was published, as if a curator had entered it then.
                Publication.objects.filter(pk=publication.pk).update(updated_at=published)

    def load_awards(self, data: dict, practices: dict) -> None:
        categories = {}
        for row in data["awards"]:
            award, _outcome = self.upsert(
                Award,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "sponsor": row["sponsor"],
                    "description": row["description"],
                    "website": row.get("website", ""),
                    "active": row.get("active", True),
                },
            )
            for cat in row.get("categories", []):
                categories[(award.slug, cat["slug"])], _outcome = self.upsert(
                    AwardCategory,
                    {"award": award, "slug": cat["slug"]},
                    {"name": cat["name"], "description": cat.get("description", "")},
                )
        for row in data.get("recognitions", []):
            practice = by_slug(practices, row["practice"], "practice", "recognitions")
            award = Award.objects.get(slug=row["award"])
            category = None
            if row.get("category"):
                category = by_slug(
                    categories, (row["award"], row["category"]), "category", row["practice"]
                )
            self.upsert(
                Recognition,
                {"practice": practice, "award": award, "category": category, "year": row["year"]},
                {
                    "level": row["level"],
                    "citation": row.get("citation", ""),
                    "source_url": row.get("source_url", ""),
                },
            )


class Command(BaseCommand):
    help = (
        "Add the curated demo catalogue's missing records; records already there are left "
        "as they are (curators' changes are kept)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing when the catalogue already holds topics, practices or "
            "publications (what `make run` does on every start).",
        )
        group.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite demo records that differ from the data files and publish them "
            "again: curators' changes to those records are lost.",
        )

    def handle(self, *args, if_empty=False, replace=False, **options):
        if if_empty and (
            Topic.objects.exists() or Practice.objects.exists() or Publication.objects.exists()
        ):
            self.stdout.write(
                "The catalogue is not empty: the demo catalogue was not loaded. "
                "(`manage.py load_demo` adds its missing records and keeps the others.)"
            )
            return
        loader = Loader(replace=replace)
        with transaction.atomic():
            loader.load()
        # The "did you mean" vocabulary is built from published practices.
        refresh_search_words()
        self.write_report(loader.report)

    def write_report(self, report: dict) -> None:
        lines = []
        for kind, outcomes in report.items():
            counts = ", ".join(
                f"{len(outcomes[outcome])} {outcome}"
                for outcome in (ADDED, UPDATED, UNCHANGED, KEPT)
                if outcomes.get(outcome)
            )
            lines.append(f"  {kind}: {counts}")
        self.stdout.write(self.style.SUCCESS("Demo catalogue loaded:"))
        self.stdout.write("\n".join(lines))
        kept = {kind: outcomes[KEPT] for kind, outcomes in report.items() if outcomes.get(KEPT)}
        if kept:
            self.stdout.write(
                "Kept as they are, though they differ from the demo data (changed by a "
                "curator; `load_demo --replace` would overwrite them):"
            )
            for kind, names in kept.items():
                self.stdout.write(f"  {kind}: {', '.join(names)}")
