"""The practice CSV format, shared by the public export and the curators' import.

One row a practice. Columns, in order, are ``EXPORT_COLUMNS``. Cells that hold several
values use these conventions, so an export imports back unchanged:

- ``partner_jurisdictions``, ``topics``, ``departments``: slugs separated by ``; ``
- ``sources``: one source a line, ``Title <https://link>``
- ``outcomes``: one outcome a line, ``rating: description`` (rating may be empty)
- ``recognitions``: one a line, ``Award name, year, level`` (informative, not imported)
- ``url``: the practice's public page (informative, not imported)

A cell that would start with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
prefixed with an apostrophe so spreadsheets do not run it as a formula, and so is every
part of a cell after a character a spreadsheet might split it at (``,``, ``;``, tab, ``|``,
a line break): a spreadsheet that reads the file with another separator would otherwise
run ``Chief;=1+1`` as a formula. The import removes those apostrophes again.

``export_rows`` asks PostgreSQL for the finished cells, one query whatever the size of the
selection: building a row from model instances cost about 0.65 ms; at 100,000 practices a
selection of 2,000 rows takes about 0.2 s in all instead of 1.1 s. The tests keep a
reference that formats model instances (tests/reference_export.py) byte-for-byte equal.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator

from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Collate, Concat
from django.urls import reverse

from clearinghouse.routers import cursor_database
from practices.models import Outcome, Practice, Source
from practices.selectors import recognition_model

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


# Characters a spreadsheet may split a cell at, whatever the file's own separator: the list
# separators of different locales (comma, semicolon), tab, pipe, and line breaks. Each part
# after one of them is checked like the start of a cell.
SPLIT_CHARACTERS = ",;\t|\r\n"
_FORMULA_CLASS = "".join(re.escape(c) for c in FORMULA_STARTS)
_SPLIT_CLASS = "".join(re.escape(c) for c in SPLIT_CHARACTERS)
# A part that starts (after spaces and any apostrophes) with a formula character.
_DANGEROUS_PART = re.compile(rf"(^|[{_SPLIT_CLASS}])( *)(?='*[{_FORMULA_CLASS}])")
# The same part once defused: one apostrophe more than the original had.
_DEFUSED_PART = re.compile(rf"(^|[{_SPLIT_CLASS}])( *)'(?='*[{_FORMULA_CLASS}])")


def _may_hold_a_formula(value: str) -> bool:
    """Quick test: is any formula character at the start or after a split character (with
    only spaces or apostrophes between)? Most cells have none; ``str.find`` looks for them
    much faster than the regular expression would."""
    for char in FORMULA_STARTS:
        index = value.find(char)
        while index != -1:
            before = index
            while before and value[before - 1] in " '":
                before -= 1
            if before == 0 or value[before - 1] in SPLIT_CHARACTERS:
                return True
            index = value.find(char, index + 1)
    return False


def defuse(value: str) -> str:
    """Neutralise spreadsheet formulas at the start of a cell and of every part of it a
    spreadsheet could split off (``Chief;=1+1`` becomes ``Chief;'=1+1``).

    Each such part that starts, after spaces, with a formula character (or with
    apostrophes and then one) gets one apostrophe more, so ``restore`` can undo it exactly:
    restore(defuse(v)) == v always.
    """
    if not _may_hold_a_formula(value):
        return value
    return _DANGEROUS_PART.sub(r"\1\2'", value)


def restore(value: str) -> str:
    """Undo ``defuse`` on import."""
    if "'" not in value:
        return value
    return _DEFUSED_PART.sub(r"\1\2", value)


# --- The public download: rows finished by PostgreSQL -----------------------------------

# Slugs in a cell are sorted the way Python's ``sorted()`` sorts them (by code point, which
# is byte order in UTF-8): the "C" collation, whatever the database's own collation is.
CODE_POINT_ORDER = "C"
# The path converter of practice pages (``<slug:slug>``): other slugs cannot be reversed.
_URL_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_MARK = "export-slug-mark"
# For the export's query, until its transaction ends. A server-side cursor is planned for
# its first tenth of rows (cursor_tuple_fraction 0.1): at 100,000 practices PostgreSQL then
# walks every published practice in the list's order and takes 0.37 s where the sorted plan
# takes 0.16 s, although every row is read. And the many small subqueries push the cost
# estimate over jit_above_cost: compiling them took 135 ms of a 230 ms query.
PLANNER_SETTINGS_SQL = (
    "SELECT set_config('cursor_tuple_fraction', '1', true), set_config('jit', 'off', true)"
)
# Rows per piece of the streamed response (about 1.5 kB a row).
ROWS_PER_PIECE = 200


def _joined(rows: QuerySet, value, separator: str, order_by) -> Coalesce:
    """The practice's related ``rows`` as one text cell: ``value`` of each, in ``order_by``
    order, joined by ``separator`` (a correlated subquery; empty text when there are none)."""
    cell = (
        rows.filter(practice_id=OuterRef("pk"))
        .order_by()
        .values("practice_id")
        .annotate(cell=StringAgg(value, Value(separator), order_by=order_by))
        .values("cell")
    )
    return Coalesce(Subquery(cell), Value(""), output_field=TextField())


def _slugs(through: QuerySet, field: str) -> Coalesce:
    slug = F(f"{field}__slug")
    return _joined(through, slug, LIST_SEPARATOR, Collate(slug, CODE_POINT_ORDER))


def _level_label() -> Case:
    """``get_level_display()`` in SQL, in the language active now."""
    choices = recognition_model()._meta.get_field("level").choices
    return Case(
        *(When(level=value, then=Value(str(label))) for value, label in choices),
        default=F("level"),
        output_field=CharField(),
    )


def _year(field: str) -> Coalesce:
    return Coalesce(Cast(field, TextField()), Value(""), output_field=TextField())


def export_columns(queryset: QuerySet[Practice]) -> QuerySet:
    """The selection as tuples of finished cells, in ``EXPORT_COLUMNS`` order without ``url``
    (the first cell is the slug, which the url is made from). One query; the selection's own
    order is kept. Labels are translated into the language active when this is called."""
    recognition = recognition_model()
    cells = {
        "year_started": _year("year_started"),
        "year_ended": _year("year_ended"),
        "lead_jurisdiction": F("lead_jurisdiction__slug"),
        "partner_jurisdictions": _slugs(
            Practice.partner_jurisdictions.through.objects, "jurisdiction"
        ),
        "topics": _slugs(Practice.topics.through.objects, "topic"),
        "departments": _slugs(Practice.departments.through.objects, "department"),
        "initiative": Coalesce(F("initiative__slug"), Value(""), output_field=TextField()),
        # Sources and outcomes in their model's ordering, as the prefetch reads them.
        "sources": _joined(
            Source.objects,
            Concat(F("title"), Value(" <"), F("url"), Value(">"), output_field=TextField()),
            "\n",
            Source._meta.ordering,
        ),
        "outcomes": _joined(
            Outcome.objects,
            Concat(F("rating"), Value(": "), F("description"), output_field=TextField()),
            "\n",
            Outcome._meta.ordering,
        ),
        # Recognitions in Recognition.Meta.ordering (year, award name, level).
        "recognitions": _joined(
            recognition.objects,
            Concat(
                F("award__name"),
                Value(", "),
                Cast(F("year"), TextField()),
                Value(", "),
                _level_label(),
                output_field=TextField(),
            ),
            "\n",
            recognition._meta.ordering,
        ),
    }
    names = [column for column in EXPORT_COLUMNS if column != "url"]
    computed = {f"export_{name}": cells[name] for name in names if name in cells}
    return queryset.annotate(**computed).values_list(
        *(f"export_{name}" if name in cells else name for name in names)
    )


def practice_url_maker(site_url: str = "") -> Callable[[str], str]:
    """A function slug -> ``site_url + practice.get_absolute_url()``, for the language and
    script prefix active now, without reversing the URL once per row."""
    path = reverse("practices:practice_detail", kwargs={"slug": _SLUG_MARK})
    before, _, after = path.partition(_SLUG_MARK)
    before = site_url + before

    def url(slug: str) -> str:
        if _URL_SLUG_RE.fullmatch(slug):
            return f"{before}{slug}{after}"
        # Not a slug the page's URL accepts: reverse it as the reference path does.
        return site_url + reverse("practices:practice_detail", kwargs={"slug": slug})

    return url


def export_rows(
    queryset: QuerySet[Practice], site_url: str = "", chunk_size: int = 2000
) -> Iterator[list[str]]:
    """The same rows as the reference in tests/reference_export.py, header
    first, read from one query through a server-side cursor (``chunk_size`` rows a fetch).

    The query and the labels are fixed when this is called; rows are read as they are used.
    """
    # Behind a transaction-mode pooler the cursor needs a direct connection of its own.
    columns = export_columns(queryset.using(cursor_database(queryset.db)))
    url = practice_url_maker(site_url)

    def rows() -> Iterator[list[str]]:
        yield list(EXPORT_COLUMNS)
        # The cursor lives in a transaction of its own, so the planner settings below last
        # exactly as long as it does. No savepoint when a transaction is already open.
        with transaction.atomic(using=columns.db, savepoint=False):
            with connections[columns.db].cursor() as cursor:
                cursor.execute(PLANNER_SETTINGS_SQL)
            for cells in columns.iterator(chunk_size=chunk_size):
                # Cells come in EXPORT_COLUMNS order: the slug first, the url (last) missing.
                row = [defuse(cell) for cell in cells]
                row.append(defuse(url(cells[0])))
                yield row

    return rows()


def csv_pieces(rows: Iterable[list[str]], rows_per_piece: int = ROWS_PER_PIECE) -> Iterator[str]:
    """CSV text of ``rows`` in pieces of ``rows_per_piece`` rows, for a streamed response.

    Closing the pieces (the server does when a download stops halfway) closes ``rows`` too,
    which ends the transaction of ``export_rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    batch = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= rows_per_piece:
                writer.writerows(batch)
                batch.clear()
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if batch:
            writer.writerows(batch)
            yield buffer.getvalue()
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
