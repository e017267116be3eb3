"""Import practices from CSV, in the column format of the public export (practices.csvio).

``import_practices`` reads the whole file, checks every row, and writes all of it or
nothing: one bad row means no change at all. A dry run goes through exactly the same
steps inside a transaction that is rolled back, so its report is what a real import
would do. The command ``import_practices`` and the admin's import page both call it.

Rules, one row a practice (line numbers are physical CSV lines, the header is line 1):

- cells are separated by commas, or by semicolons as some spreadsheet locales save them;
- the header names every importable column of ``EXPORT_COLUMNS`` once, in any order;
  ``recognitions`` and ``url`` may be present and are ignored;
- a row whose slug exists updates that practice, otherwise it creates one (a blank slug
  is made from the title);
- topics, departments, jurisdictions and the initiative are matched by slug or by name
  (names case-insensitively); unknown or ambiguous names are errors;
- new practices are drafts unless ``publish`` is set; existing ones keep their state,
  and ``publish`` publishes them too (stamping ``published_at`` when it is empty);
- sources and outcomes replace the practice's current ones.

``import_rows`` does the same for rows that are already split into cells: the demo
catalogue (``load_demo``) writes its practices through it, with ``keep_existing`` set so
that a practice a curator has changed is reported and left as it is.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from practices.csvio import EXPORT_COLUMNS, INFORMATIVE_COLUMNS, restore
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Department,
    EvidenceRating,
    EvidenceStrength,
    Initiative,
    Jurisdiction,
    Language,
    Outcome,
    Practice,
    PublishingState,
    Source,
    Topic,
)

IMPORTED_COLUMNS = [c for c in EXPORT_COLUMNS if c not in INFORMATIVE_COLUMNS]
LIST_SPLIT = re.compile(r"\s*;\s*")
SOURCE_LINE = re.compile(r"^(?P<title>.+?)\s*<(?P<url>[^<>\s]+)>$")
TEXT_FIELDS = [
    "title",
    "summary",
    "problem",
    "approach",
    "partners",
    "results",
    "evidence_notes",
    "cost_notes",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "website",
]
CREATE, UPDATE, UNCHANGED, KEPT = "create", "update", "unchanged", "kept"


@dataclass(frozen=True)
class RowError:
    """One problem: the physical CSV line (header = 1), the column if known, a message."""

    line: int
    message: str
    column: str = ""
    slug: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    dry_run: bool = False
    publish: bool = False
    # (line, slug, action) for every row, in file order.
    actions: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def slugs(self, action: str) -> list[str]:
        return [slug for _line, slug, act in self.actions if act == action]

    @property
    def created(self) -> list[str]:
        return self.slugs(CREATE)

    @property
    def updated(self) -> list[str]:
        return self.slugs(UPDATE)

    @property
    def unchanged(self) -> list[str]:
        return self.slugs(UNCHANGED)

    @property
    def kept(self) -> list[str]:
        """Existing practices that differ from their row but were left as they are
        (``keep_existing``)."""
        return self.slugs(KEPT)

    def summary(self) -> str:
        counts = (
            f"{len(self.created)} to create, {len(self.updated)} to update, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.errors:
            return f"{len(self.errors)} error(s): nothing was imported."
        if self.dry_run:
            return f"Preview, nothing written: {counts}."
        return (
            f"Imported: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a failed import."""


@dataclass
class _Row:
    line: int
    slug: str
    values: dict
    lead: Jurisdiction
    initiative: Initiative | None
    partner_ids: frozenset
    topic_ids: frozenset
    department_ids: frozenset
    sources: tuple
    outcomes: tuple


class _Lookup:
    """Records of one model found by slug, or by name compared case-insensitively."""

    def __init__(self, model, label: str, name_field: str = "name"):
        self.label = label
        self.by_slug = {}
        self.by_name: dict[str, list] = {}
        for obj in model.objects.all():
            self.by_slug[obj.slug] = obj
            self.by_name.setdefault(getattr(obj, name_field).casefold(), []).append(obj)

    def find(self, value: str):
        if value in self.by_slug:
            return self.by_slug[value]
        matches = self.by_name.get(value.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            slugs = ", ".join(sorted(m.slug for m in matches))
            raise ValidationError(f"“{value}” names several {self.label}s: use a slug ({slugs}).")
        raise ValidationError(f"Unknown {self.label} “{value}” (no such slug or name).")


def decode(data: bytes) -> tuple[str | None, RowError | None]:
    """UTF-8 text (a leading byte-order mark is dropped), or an error naming the line."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, RowError(
            line=line,
            message=(
                f"The file is not UTF-8 text (undecodable byte 0x{data[exc.start]:02x}). "
                "Save it as “CSV UTF-8” and upload it again."
            ),
        )


def read_rows(text: str) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The data rows as (first physical line, {column: cell}), or the errors found."""
    errors: list[RowError] = []
    # Spreadsheets set to Spanish and other locales save CSV with semicolons; the header
    # (names without commas or semicolons) tells which separator the file uses.
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(line=1, message="The file is empty: expected a header row.")]
    except csv.Error as exc:
        return [], [RowError(line=1, message=f"The header cannot be read as CSV ({exc}).")]
    header = [name.strip() for name in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0].lstrip("\ufeff")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in IMPORTED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in EXPORT_COLUMNS]
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(unknown))
    if duplicates:
        problems.append("repeated column(s): " + ", ".join(duplicates))
    if problems:
        expected = ", ".join(EXPORT_COLUMNS)
        message = f"Wrong header ({'; '.join(problems)}). Expected the columns: {expected}."
        return [], [RowError(line=1, message=message)]

    rows = []
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(line=start, message=f"This line is not valid CSV ({exc})."))
            break
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, spreadsheets often add a few at the end
        if len(cells) != len(header):
            errors.append(
                RowError(
                    line=start,
                    message=f"Expected {len(header)} cells, found {len(cells)}.",
                )
            )
            continue
        rows.append(
            (start, {name: restore(cell) for name, cell in zip(header, cells, strict=True)})
        )
    return rows, errors


def parse_year(value: str, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,4}", value):
        raise ValidationError(f"“{value}” is not a year.")
    year = int(value)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"{year} is not a plausible year for {column.replace('_', ' ')} "
            f"(between {MIN_YEAR} and {MAX_YEAR})."
        )
    return year


def parse_choice(value: str, choices, *, default: str) -> str:
    value = value.strip()
    if not value:
        return default
    allowed = [choice.value for choice in choices]
    if value not in allowed:
        shown = ", ".join(a for a in allowed if a) or "(none)"
        raise ValidationError(f"“{value}” is not one of: {shown}.")
    return value


def parse_sources(value: str) -> tuple[tuple[str, str], ...]:
    url_validator = URLValidator(schemes=["http", "https"])
    sources = []
    for number, line in enumerate(value.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = SOURCE_LINE.match(line)
        if not match:
            raise ValidationError(
                f"line {number} of the cell, “{line[:80]}”: write each source as "
                "“Title <https://link>”."
            )
        title, url = match["title"].strip(), match["url"]
        try:
            url_validator(url)
        except ValidationError:
            raise ValidationError(
                f"line {number} of the cell: “{url[:80]}” is not a web address."
            ) from None
        if len(title) > 300 or len(url) > 500:
            raise ValidationError(f"line {number} of the cell: title or link too long.")
        sources.append((title, url))
    return tuple(sources)


def parse_outcomes(value: str) -> tuple[tuple[str, str], ...]:
    allowed = {choice.value for choice in EvidenceRating}
    outcomes = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        rating, colon, description = line.partition(":")
        rating, description = rating.strip(), description.strip()
        if not colon or not description:
            raise ValidationError(
                f"line {number} of the cell, “{line[:80]}”: write each outcome as "
                "“rating: description” (the rating may be empty)."
            )
        if rating not in allowed and rating != "":
            shown = ", ".join(sorted(allowed))
            raise ValidationError(
                f"line {number} of the cell: “{rating}” is not a rating (one of: {shown})."
            )
        if len(description) > 300:
            raise ValidationError(f"line {number} of the cell: description over 300 characters.")
        outcomes.append((rating, description))
    return tuple(outcomes)


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(name, msg) for name, errs in exc.message_dict.items() for msg in errs]
    return [("", msg) for msg in exc.messages]


class _RowCheck:
    """One row being checked: its cells, and the errors found so far."""

    def __init__(self, line: int, cells: dict):
        self.line = line
        self.cells = cells
        self.slug = cells["slug"].strip()
        self.found: list[RowError] = []

    def fail(self, column: str, message: str) -> None:
        self.found.append(RowError(line=self.line, column=column, message=message, slug=self.slug))

    def attempt(self, column: str, parse, *args, **kwargs):
        """``parse(*args, **kwargs)``, or None with its messages noted against ``column``."""
        try:
            return parse(*args, **kwargs)
        except ValidationError as exc:
            for message in exc.messages:
                self.fail(column, message)
            return None

    def values(self) -> dict:
        """The practice's own fields: text, the slug, choices and years."""
        cells = self.cells
        values = {name: cells[name].strip() for name in TEXT_FIELDS}
        for required in ("title", "summary"):
            if not values[required]:
                self.fail(required, "This column is required.")
        if not self.slug and values["title"]:
            self.slug = slugify(values["title"])[:220]
        if not self.slug:
            self.fail("slug", "A slug (or a title to make one from) is required.")
        for column, choices, default in (
            ("language", Language, Language.ENGLISH),
            ("evidence_rating", EvidenceRating, EvidenceRating.INSUFFICIENT),
            ("evidence_strength", EvidenceStrength, EvidenceStrength.NONE),
        ):
            values[column] = self.attempt(
                column, parse_choice, cells[column], choices, default=default
            )
        for column in ("year_started", "year_ended"):
            values[column] = self.attempt(column, parse_year, cells[column], column)
        return values

    def one(self, column: str, lookup: "_Lookup", *, required: bool = False):
        """The record a single reference cell names, or None."""
        value = self.cells[column].strip()
        if not value:
            if required:
                self.fail(column, "This column is required.")
            return None
        return self.attempt(column, lookup.find, value)

    def many(self, column: str, lookup: "_Lookup") -> frozenset:
        """The ids of the records a list cell names."""
        ids = set()
        for item in LIST_SPLIT.split(self.cells[column].strip()):
            if item:
                obj = self.attempt(column, lookup.find, item)
                if obj is not None:
                    ids.add(obj.pk)
        return frozenset(ids)

    def validate_model(self, values: dict, lead, initiative) -> None:
        """The model's own validation: lengths, e-mail, web address, slug shape, years."""
        candidate = Practice(
            slug=self.slug, lead_jurisdiction=lead, initiative=initiative, **values
        )
        try:
            # References were resolved already; checking them again would query each one.
            candidate.full_clean(
                exclude=["state", "published_at", "lead_jurisdiction", "initiative"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for column, message in _messages(exc):
                self.fail(column if column != "__all__" else "", message)


class _Checker:
    """Turns raw rows into checked ``_Row`` objects, collecting errors per line."""

    def __init__(self):
        self.topics = _Lookup(Topic, "topic")
        self.departments = _Lookup(Department, "department")
        self.jurisdictions = _Lookup(Jurisdiction, "jurisdiction")
        self.initiatives = _Lookup(Initiative, "initiative")

    def check(self, line: int, cells: dict, errors: list[RowError]) -> _Row | None:
        row = _RowCheck(line, cells)
        values = row.values()
        lead = row.one("lead_jurisdiction", self.jurisdictions, required=True)
        initiative = row.one("initiative", self.initiatives)
        topic_ids = row.many("topics", self.topics)
        if not cells["topics"].strip():
            row.fail("topics", "At least one topic is required.")
        department_ids = row.many("departments", self.departments)
        partner_ids = row.many("partner_jurisdictions", self.jurisdictions)
        sources = row.attempt("sources", parse_sources, cells["sources"])
        outcomes = row.attempt("outcomes", parse_outcomes, cells["outcomes"])
        if not row.found:
            row.validate_model(values, lead, initiative)
        errors.extend(row.found)
        if row.found:
            return None
        return _Row(
            line=line,
            slug=row.slug,
            values=values,
            lead=lead,
            initiative=initiative,
            partner_ids=partner_ids,
            topic_ids=topic_ids,
            department_ids=department_ids,
            sources=sources,
            outcomes=outcomes,
        )


def _snapshot(practice: Practice) -> tuple:
    """Everything an import can change, in a comparable shape."""
    return (
        {name: getattr(practice, name) for name in [*TEXT_FIELDS, *_CHOICE_AND_YEAR_FIELDS]},
        practice.lead_jurisdiction_id,
        practice.initiative_id,
        frozenset(p.pk for p in practice.partner_jurisdictions.all()),
        frozenset(t.pk for t in practice.topics.all()),
        frozenset(d.pk for d in practice.departments.all()),
        tuple((s.title, s.url) for s in practice.sources.all()),
        tuple((o.rating, o.description) for o in practice.outcomes.all()),
    )


_CHOICE_AND_YEAR_FIELDS = [
    "language",
    "evidence_rating",
    "evidence_strength",
    "year_started",
    "year_ended",
]


def _row_snapshot(row: _Row) -> tuple:
    return (
        dict(row.values),
        row.lead.pk,
        row.initiative.pk if row.initiative else None,
        row.partner_ids,
        row.topic_ids,
        row.department_ids,
        row.sources,
        row.outcomes,
    )


def _plan(
    rows: list[_Row],
    existing: dict,
    *,
    publish: bool,
    keep_existing: bool,
    user,
    result: ImportResult,
):
    """Decide create / update / unchanged / kept per row; prepare the practices to save."""
    now = timezone.now()
    to_create, to_update = [], []
    for row in rows:
        practice = existing.get(row.slug)
        if practice is None:
            action = CREATE
            practice = Practice(slug=row.slug, state=PublishingState.DRAFT, created_at=now)
        else:
            will_publish = publish and practice.state != PublishingState.PUBLISHED
            changed = _snapshot(practice) != _row_snapshot(row)
            if not (changed or will_publish):
                action = UNCHANGED
            else:
                action = KEPT if keep_existing else UPDATE
        result.actions.append((row.line, row.slug, action))
        if action in (UNCHANGED, KEPT):
            continue
        for name, value in row.values.items():
            setattr(practice, name, value)
        practice.lead_jurisdiction = row.lead
        practice.initiative = row.initiative
        if publish:
            practice.state = PublishingState.PUBLISHED
            practice.published_at = practice.published_at or now
        if user is not None:
            practice.updated_by = user
        practice.updated_at = now
        (to_create if action == CREATE else to_update).append((row, practice))
    return to_create, to_update


_UPDATED_FIELDS = [
    *TEXT_FIELDS,
    *_CHOICE_AND_YEAR_FIELDS,
    "lead_jurisdiction",
    "initiative",
    "state",
    "published_at",
    "updated_by",
    "updated_at",
]
_RELATED_SETS = [
    ("topics", "topic_ids"),
    ("departments", "department_ids"),
    ("partner_jurisdictions", "partner_ids"),
]


def _update_all(practices: list[Practice]) -> None:
    """UPDATE many practices in one statement: COPY the new values into a temporary
    table shaped like the practice table, then UPDATE … FROM it. (The ORM's bulk_update
    builds one CASE per field and row, which takes minutes for a few thousand rows.)"""
    if not practices:
        return
    quote = connection.ops.quote_name
    fields = [Practice._meta.get_field(name) for name in _UPDATED_FIELDS]
    columns = [field.column for field in fields]
    table = quote(Practice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE practice_import_rows ON COMMIT DROP AS "  # noqa: S608
            f"SELECT id, {', '.join(map(quote, columns))} FROM {table} WITH NO DATA"
        )
        copy_sql = f"COPY practice_import_rows (id, {', '.join(map(quote, columns))}) FROM STDIN"
        with cursor.copy(copy_sql) as copy:  # psycopg 3's COPY, through Django's cursor
            for practice in practices:
                copy.write_row(
                    [practice.pk, *(getattr(practice, field.attname) for field in fields)]
                )
        assignments = ", ".join(f"{quote(c)} = r.{quote(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {table} AS p SET {assignments} "  # noqa: S608
            "FROM practice_import_rows AS r WHERE p.id = r.id"
        )
        cursor.execute("DROP TABLE practice_import_rows")


def _save(to_create: list, to_update: list) -> None:
    """Write the planned practices and replace their related rows, a few queries in all."""
    Practice.objects.bulk_create([practice for _row, practice in to_create], batch_size=500)
    _update_all([practice for _row, practice in to_update])
    written = to_create + to_update
    updated_ids = [practice.pk for _row, practice in to_update]
    for field_name, attribute in _RELATED_SETS:
        field = Practice._meta.get_field(field_name)
        through = field.remote_field.through
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        if updated_ids:
            through.objects.filter(**{f"{own}_id__in": updated_ids}).delete()
        through.objects.bulk_create(
            (
                through(**{f"{own}_id": practice.pk, f"{other}_id": pk})
                for row, practice in written
                for pk in sorted(getattr(row, attribute))
            ),
            batch_size=2000,
        )
    if updated_ids:
        Source.objects.filter(practice_id__in=updated_ids).delete()
        Outcome.objects.filter(practice_id__in=updated_ids).delete()
    Source.objects.bulk_create(
        (
            Source(practice=practice, title=title, url=url, position=position)
            for row, practice in written
            for position, (title, url) in enumerate(row.sources)
        ),
        batch_size=2000,
    )
    Outcome.objects.bulk_create(
        (
            Outcome(practice=practice, rating=rating, description=text, position=position)
            for row, practice in written
            for position, (rating, text) in enumerate(row.outcomes)
        ),
        batch_size=2000,
    )


def import_practices(
    *, data: bytes, publish: bool = False, dry_run: bool = False, user=None
) -> ImportResult:
    """Check and import the CSV ``data``; all rows are written, or none.

    ``user`` (optional) is stamped as the last editor and named in the admin history.
    """
    result = ImportResult(dry_run=dry_run, publish=publish)
    text, error = decode(data)
    if error:
        result.errors.append(error)
        return result
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        result.errors.append(RowError(line=line, message="The file holds NUL bytes: not a CSV."))
        return result
    raw_rows, result.errors = read_rows(text)
    if not raw_rows and not result.errors:
        result.errors.append(RowError(line=2, message="The file has a header but no rows."))
    if result.errors:
        return result
    return import_rows(raw_rows, publish=publish, dry_run=dry_run, user=user, result=result)


def import_rows(
    raw_rows: list[tuple[int, dict]],
    *,
    publish: bool = False,
    dry_run: bool = False,
    keep_existing: bool = False,
    user=None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Check and import rows given as (line, {column: cell}), every column of
    ``IMPORTED_COLUMNS`` present; all rows are written, or none.

    With ``keep_existing`` an existing practice is never written: one that differs from its
    row (or would be published) is reported as kept, as a curator left it.
    """
    if result is None:
        result = ImportResult(dry_run=dry_run, publish=publish)
    checker = _Checker()
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, cells in raw_rows:
        slug = cells["slug"].strip() or slugify(cells["title"].strip())[:220]
        if slug and slug in first_line:
            result.errors.append(
                RowError(
                    line=line,
                    column="slug",
                    slug=slug,
                    message=f"Slug “{slug}” already appears on line {first_line[slug]}.",
                )
            )
            continue
        first_line.setdefault(slug, line)
        row = checker.check(line, cells, result.errors)
        if row is not None:
            rows.append(row)
    if result.errors:
        return result

    existing = {
        p.slug: p
        for p in Practice.objects.filter(slug__in=[r.slug for r in rows]).prefetch_related(
            "partner_jurisdictions", "topics", "departments", "sources", "outcomes"
        )
    }
    try:
        with transaction.atomic():
            to_create, to_update = _plan(
                rows,
                existing,
                publish=publish,
                keep_existing=keep_existing,
                user=user,
                result=result,
            )
            try:
                with transaction.atomic():
                    _save(to_create, to_update)
            except DatabaseError as exc:
                result.errors.append(
                    RowError(line=0, message=f"Nothing was saved: the database refused it ({exc}).")
                )
            if result.errors or dry_run:
                raise _Rollback
            if user is not None:
                for flag, written in ((ADDITION, to_create), (CHANGE, to_update)):
                    if written:
                        LogEntry.objects.log_actions(
                            user_id=user.pk,
                            queryset=Practice.objects.filter(pk__in=[p.pk for _r, p in written]),
                            action_flag=flag,
                            change_message="Imported from CSV.",
                        )
    except _Rollback:
        pass
    return result
