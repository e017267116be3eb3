"""The bilingual vocabulary as CSV: two columns, ``english`` and ``spanish``.

Used by the admin's export and import of ``VocabularyTerm``. An import is checked whole
before anything is written: one bad line means nothing changes, and every problem is
reported with its line number (the header is line 1).
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practices.models import VocabularyTerm

COLUMNS = ["english", "spanish"]
MAX_LENGTH = VocabularyTerm._meta.get_field("english").max_length


def export_csv() -> str:
    """Every term, ordered by English, as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(VocabularyTerm.objects.order_by("english", "spanish").values_list(*COLUMNS))
    return out.getvalue()


@dataclass
class VocabularyImport:
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return ngettext(
                "%(count)d problem; nothing was imported.",
                "%(count)d problems; nothing was imported.",
                len(self.errors),
            ) % {"count": len(self.errors)}
        text = _("%(added)d new, %(unchanged)d already there, %(removed)d removed.") % {
            "added": self.added,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }
        return _("Preview: %(text)s") % {"text": text} if self.dry_run else text


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def read_pairs(data: bytes, result: VocabularyImport) -> list[tuple[str, str]]:
    text = _decode(data)
    if text is None:
        result.errors.append((1, _("The file is not UTF-8 text: save it as “CSV UTF-8”.")))
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:2] != COLUMNS or any(header[2:]):
        result.errors.append((1, _("The header must be the two columns “english” and “spanish”.")))
        return []
    pairs = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = [" ".join(cell.split()) for cell in row]
        if len(cells) < 2 or any(cells[2:]):
            result.errors.append((line, _("A line needs exactly two cells.")))
            continue
        english, spanish = cells[0], cells[1]
        if not english or not spanish:
            result.errors.append((line, _("Both the English and the Spanish term are needed.")))
        elif len(english) > MAX_LENGTH or len(spanish) > MAX_LENGTH:
            result.errors.append(
                (line, _("A term is %(max)d characters at most.") % {"max": MAX_LENGTH})
            )
        else:
            pairs.append((english, spanish))
    return pairs


def import_csv(data: bytes, *, replace: bool = False, dry_run: bool = False) -> VocabularyImport:
    """Add the file's pairs that are not in the vocabulary yet (case-insensitively);
    with ``replace``, also remove the terms the file does not hold."""
    result = VocabularyImport(dry_run=dry_run)
    pairs = read_pairs(data, result)
    if result.errors:
        return result
    wanted = {}
    for english, spanish in pairs:
        wanted.setdefault((english.lower(), spanish.lower()), (english, spanish))
    existing = {
        (english.lower(), spanish.lower()): pk
        for pk, english, spanish in VocabularyTerm.objects.values_list("pk", *COLUMNS)
    }
    new = [pair for key, pair in wanted.items() if key not in existing]
    gone = [pk for key, pk in existing.items() if key not in wanted] if replace else []
    result.added, result.unchanged, result.removed = len(new), len(wanted) - len(new), len(gone)
    if dry_run or not (new or gone):
        return result
    with transaction.atomic():
        VocabularyTerm.objects.filter(pk__in=gone).delete()
        VocabularyTerm.objects.bulk_create(
            [VocabularyTerm(english=english, spanish=spanish) for english, spanish in new]
        )
        # The table's trigger replaces the catalogue version: the next request searches
        # with the new terms and no cached page survives.
    return result
