"""The Spanish catalogue is complete, compiled, up to date with the code, and used.

The .po file is read with a small parser below (no extra dependency); the committed
.mo is read with Python's own ``gettext``. Regenerating the catalogue needs GNU
gettext's ``xgettext``: without it that test skips, except under CI=true.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
MAKEMESSAGES_IGNORES = [".venv", "staticfiles", "node_modules", "media", ".local"]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int | None, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete (#~) entries
    are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if entry is None:
                    entry = Entry(line=number)
                    entries.append(entry)
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith('"'):
            value = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[len("msgstr[") : -1]))
            entry.msgstr[target[1]] = value
        elif keyword == "msgstr":
            target = ("msgstr", None)
            entry.msgstr[None] = value
        elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
            target = (keyword, None)
            setattr(entry, keyword, value)
        else:
            raise ValueError(f"{path}:{number}: cannot read {line!r}")
    return entries


def placeholders(text: str) -> set[str]:
    """Named %-placeholders and {}-placeholders, as written."""
    return set(re.findall(r"%\(\w+\)[.\d]*[sdif]|\{\w*\}", text))


def describe(entries: list[Entry]) -> str:
    return "\n".join(f"line {entry.line}: {entry.msgid!r}" for entry in entries)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(PO_PATH)


def test_the_catalogue_has_a_spanish_header_and_is_not_fuzzy(catalogue):
    header = catalogue[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: es\n" in header.msgstr[None]
    assert "Plural-Forms: nplurals=3;" in header.msgstr[None]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    entries = catalogue[1:]
    assert len(entries) > 300
    untranslated = [e for e in entries if not all(t.strip() for t in e.translations)]
    assert not untranslated, "Untranslated:\n" + describe(untranslated)
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "Fuzzy (check the translation, then remove the flag):\n" + describe(fuzzy)
    plural_incomplete = [e for e in entries if e.msgid_plural and set(e.msgstr) != {0, 1, 2}]
    assert not plural_incomplete, "Plural forms missing:\n" + describe(plural_incomplete)


def test_translations_keep_every_placeholder(catalogue):
    broken = []
    for entry in catalogue[1:]:
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for translation in entry.translations:
            # A singular may say "one" in words instead of %(count)s; nothing may be added.
            found = placeholders(translation)
            if not found <= expected or (entry.msgid_plural is None and found != expected):
                broken.append(entry)
                break
    assert not broken, "Placeholders changed:\n" + describe(broken)


def test_the_committed_mo_matches_the_po(catalogue):
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    differences = []
    for entry in catalogue[1:]:
        if entry.msgid_plural is None:
            got = compiled.gettext(entry.msgid)
            if got != entry.msgstr[None]:
                differences.append(f"{entry.msgid!r}: .mo has {got!r}")
            continue
        # Spanish plural rule of the header: 1 -> [0], 1,000,000 -> [1], others -> [2].
        for count, index in ((1, 0), (1_000_000, 1), (2, 2), (0, 2)):
            got = compiled.ngettext(entry.msgid, entry.msgid_plural, count)
            if got != entry.msgstr[index]:
                differences.append(f"{entry.msgid!r} ({count}): .mo has {got!r}")
    assert not differences, "Run `make messages` and commit the .mo:\n" + "\n".join(differences)
    # Nothing in the .mo that the .po no longer has: one key per message and plural
    # form, plus the header.
    expected_keys = 1 + sum(len(entry.msgstr) for entry in catalogue[1:])
    assert len(compiled._catalog) == expected_keys


def xgettext_or_skip() -> None:
    if shutil.which("xgettext") and shutil.which("msgmerge"):
        return
    message = "GNU gettext is not installed (sudo apt-get install -y gettext)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, catalogue):
    """makemessages, run on a copy of the project, adds nothing and makes nothing fuzzy:
    a new or changed string without its translation fails here."""
    xgettext_or_skip()
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "staticfiles", "media", ".local", "*cache*", "results"
        ),
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clearinghouse.test_settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ignores = [f"--ignore={name}" for name in MAKEMESSAGES_IGNORES]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", *ignores],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    regenerated = read_po(copy / PO_PATH.relative_to(ROOT))

    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in catalogue[1:]}
    found = {(e.msgctxt, e.msgid, e.msgid_plural) for e in regenerated[1:]}
    missing = sorted(found - committed, key=str)
    assert not missing, "Strings missing from the catalogue (run `make messages`):\n" + "\n".join(
        repr(key[1]) for key in missing
    )
    stale = sorted(committed - found, key=str)
    assert not stale, "Catalogue entries no longer used (run `make messages`):\n" + "\n".join(
        repr(key[1]) for key in stale
    )
    incomplete = [e for e in regenerated[1:] if "fuzzy" in e.flags or not all(e.translations)]
    assert not incomplete, "Untranslated after makemessages:\n" + describe(incomplete)


# --- The Spanish pages use the catalogue. ----------------------------------------


@pytest.mark.django_db
def test_spanish_home_page(client):
    html = client.get("/es/").content.decode()
    assert '<html lang="es">' in html
    assert "Conozca lo que hicieron otras ciudades para proteger a las personas</h1>" in html
    assert "Saltar al contenido principal" in html
    assert ">Banco de Prácticas de Seguridad Pública</a>" in html


@pytest.mark.django_db
def test_spanish_practice_list_filter_legends(client):
    topic = factories.TopicFactory()
    factories.PracticeFactory(published=True, topics=[topic])
    html = client.get("/es/practices/").content.decode()
    for legend in (
        "Tema",
        "Población de la jurisdicción líder",
        "Calificación de la evidencia",
        "Año de inicio",
    ):
        assert f"<legend>{legend}</legend>" in html
    # Spanish groups thousands with a non-breaking space, as Django's number formats do.
    assert "50\u00a0000–249\u00a0999" in html
    assert "1 práctica encontrada" in html
    assert "Aplicar filtros" in html


@pytest.mark.django_db
def test_spanish_practice_page_names_the_evidence_rating(client):
    practice = factories.PracticeFactory(
        published=True,
        topics=[factories.TopicFactory()],
        evidence_rating="effective",
        evidence_strength="one_study",
    )
    factories.OutcomeFactory(practice=practice, rating="harmful")
    html = client.get(f"/es/practices/{practice.slug}/").content.decode()
    assert "<strong>Eficaz</strong>" in html
    assert "Perjudicial" in html
    assert "Solidez de la evidencia" in html
    assert "Quiénes participaron" in html


@pytest.mark.django_db
def test_spanish_not_found_page(client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No encontramos esa página</h1>" in html
    assert "Página no encontrada" in html


@pytest.mark.django_db
def test_spanish_filter_errors(client):
    response = client.get("/es/practices/?year_from=2020&year_to=2010")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Algunos filtros no se pudieron aplicar" in html
    assert "“2010” se dejó fuera:" in html
    assert "El año “hasta” debe ser igual o posterior al año “desde”." in html
