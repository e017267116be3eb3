"""CSV import: the importing service, the import_practices command and the admin page."""

import csv
import io

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.postgres.search import SearchQuery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from practices.csvio import EXPORT_COLUMNS, FORMULA_STARTS, defuse, restore
from practices.importing import import_practices
from practices.models import Practice, PublishingState
from tests.factories import (
    AwardFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    OutcomeFactory,
    PracticeFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)
from tests.reference_export import iter_rows, with_export_relations

pytestmark = pytest.mark.django_db


def to_csv(rows, header=EXPORT_COLUMNS, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def refs():
    return {
        "topic": TopicFactory(slug="gun-violence", name="Gun violence"),
        "topic2": TopicFactory(slug="street-lighting", name="Street lighting"),
        "department": DepartmentFactory(slug="parks", name="Parks and Recreation"),
        "lead": JurisdictionFactory(slug="eugene-or", name="Eugene"),
        "partner": JurisdictionFactory(slug="santa-tecla", name="Santa Tecla", country="SV"),
        "initiative": InitiativeFactory(slug="sister-cities", name="Sister cities"),
    }


def good_row(**changes) -> dict:
    row = {
        "slug": "night-lights",
        "title": "Night lights",
        "language": "en",
        "summary": "Brighter streets near a transit stop.",
        "evidence_rating": "promising",
        "year_started": "2016",
        "lead_jurisdiction": "eugene-or",
        "topics": "gun-violence",
        "sources": "City report <https://example.org/report>",
        "outcomes": "promising: Fewer robberies",
    }
    row.update(changes)
    return row


# The round trip -------------------------------------------------------------------


def export_csv(queryset, *, drop: tuple[str, ...] = ()) -> str:
    """The public export of the queryset, without the ``drop`` columns."""
    keep = [i for i, column in enumerate(EXPORT_COLUMNS) if column not in drop]
    out = io.StringIO()
    writer = csv.writer(out)
    for row in iter_rows(with_export_relations(queryset.order_by("slug"))):
        writer.writerow([row[i] for i in keep])
    return out.getvalue()


def test_export_then_import_gives_back_the_same_catalogue(refs):
    full = PracticeFactory(
        published=True,
        slug="full-record",
        title="=Formula-looking title",
        language="es",
        summary="-Resumen que empieza con guion.",
        problem="Robos en una parada.\nDos líneas.",
        partners="Vecinos; iglesias",
        evidence_strength="one_study",
        evidence_notes="One quasi-experiment.",
        cost_notes="$40,000 a year",
        year_ended=2020,
        lead_jurisdiction=refs["lead"],
        initiative=refs["initiative"],
        contact_name="Ana Pérez",
        contact_role="Director",
        contact_email="ana@example.org",
        contact_phone="+503 2222 0000",
        website="https://example.org/program",
        topics=[refs["topic"], refs["topic2"]],
        departments=[refs["department"]],
        partner_jurisdictions=[refs["partner"]],
    )
    SourceFactory(practice=full, title="Evaluation, 2019", url="https://example.org/a", position=0)
    SourceFactory(practice=full, title="News <story>", url="https://example.org/b", position=1)
    OutcomeFactory(practice=full, rating="effective", description="Fewer robberies", position=0)
    OutcomeFactory(practice=full, rating="", description="Residents: safer at night", position=1)
    RecognitionFactory(practice=full, award=AwardFactory(name="Excellence award"))
    PracticeFactory(
        published=True, slug="minimal", lead_jurisdiction=refs["partner"], topics=[refs["topic"]]
    )
    exported = export_csv(Practice.objects.published())
    assert "Excellence award, 2021, Winner" in exported

    Practice.objects.all().delete()
    result = import_practices(data=exported.encode(), publish=True)

    assert result.ok, result.errors
    assert sorted(result.created) == ["full-record", "minimal"]
    # Recognitions are informative in the file (committees tag them), so they do not
    # come back; every other column does.
    assert export_csv(Practice.objects.published(), drop=("recognitions",)) == strip_column(
        exported, "recognitions"
    )
    # Imported a second time, nothing changes.
    again = import_practices(data=exported.encode(), publish=True)
    assert sorted(again.unchanged) == ["full-record", "minimal"]
    assert again.created == again.updated == []


def strip_column(text: str, column: str) -> str:
    index = EXPORT_COLUMNS.index(column)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(row[:index] + row[index + 1 :])
    return out.getvalue()


@given(st.text())
def test_formula_defusing_is_undone_exactly_on_import(value):
    assert restore(defuse(value)) == value
    assert not defuse(value).startswith(FORMULA_STARTS)


@pytest.mark.parametrize("value", ["=1+1", "'=1+1", "''-2", "'quoted", "@home"])
def test_cells_that_look_like_formulas_survive_the_round_trip(refs, value):
    PracticeFactory(published=True, slug="f", title=value, topics=[refs["topic"]])
    exported = export_csv(Practice.objects.all())
    Practice.objects.all().delete()
    assert import_practices(data=exported.encode(), publish=True).ok
    assert Practice.objects.get(slug="f").title == value


# Creating, updating, drafts and publishing ------------------------------------------


def test_new_practices_are_drafts_unless_published(refs):
    result = import_practices(data=to_csv([good_row()]))
    assert result.written and result.created == ["night-lights"]
    practice = Practice.objects.get(slug="night-lights")
    assert practice.state == PublishingState.DRAFT and practice.published_at is None
    assert list(practice.topics.all()) == [refs["topic"]]
    assert [(s.title, s.url) for s in practice.sources.all()] == [
        ("City report", "https://example.org/report")
    ]
    assert [(o.rating, o.description) for o in practice.outcomes.all()] == [
        ("promising", "Fewer robberies")
    ]

    import_practices(data=to_csv([good_row()]), publish=True)
    practice.refresh_from_db()
    assert practice.state == PublishingState.PUBLISHED and practice.published_at is not None


def test_update_keeps_state_and_reports_create_update_unchanged(refs):
    PracticeFactory(published=True, slug="night-lights", lead_jurisdiction=refs["lead"])
    same = PracticeFactory(slug="same", topics=[refs["topic"]], lead_jurisdiction=refs["lead"])
    rows = [
        good_row(summary="New summary."),
        good_row(slug="brand-new", title="Brand new"),
        next(
            r for r in csv.DictReader(io.StringIO(export_csv(Practice.objects.filter(pk=same.pk))))
        ),
    ]
    result = import_practices(data=to_csv(rows))
    assert result.ok, result.errors
    assert result.actions == [
        (2, "night-lights", "update"),
        (3, "brand-new", "create"),
        (4, "same", "unchanged"),
    ]
    updated = Practice.objects.get(slug="night-lights")
    assert updated.summary == "New summary." and updated.state == PublishingState.PUBLISHED


def test_update_replaces_every_field_and_related_row(refs):
    old = PracticeFactory(
        slug="night-lights",
        lead_jurisdiction=refs["partner"],
        initiative=refs["initiative"],
        topics=[refs["topic2"]],
        departments=[refs["department"]],
        year_ended=2019,
    )
    SourceFactory(practice=old, title="Old source")
    OutcomeFactory(practice=old, description="Old outcome")
    editor = UserFactory(is_staff=True)
    result = import_practices(
        data=to_csv([good_row(language="es", year_ended="", partners="Vecinos")]), user=editor
    )
    assert result.updated == ["night-lights"]
    practice = Practice.objects.get(pk=old.pk)
    assert (practice.language, practice.year_started, practice.year_ended) == ("es", 2016, None)
    assert practice.partners == "Vecinos" and practice.title == "Night lights"
    assert practice.lead_jurisdiction == refs["lead"] and practice.initiative is None
    assert practice.updated_by == editor and practice.updated_at > old.updated_at
    assert list(practice.topics.all()) == [refs["topic"]]
    assert not practice.departments.exists()
    assert [s.title for s in practice.sources.all()] == ["City report"]
    assert [o.description for o in practice.outcomes.all()] == ["Fewer robberies"]
    # The stored search vector follows the new text and language.
    assert Practice.objects.filter(
        pk=old.pk, search_vector=SearchQuery("vecinos", config="ch_spanish")
    ).exists()


def test_dry_run_reports_but_writes_nothing(refs):
    PracticeFactory(slug="night-lights", lead_jurisdiction=refs["lead"], summary="Old.")
    result = import_practices(
        data=to_csv([good_row(), good_row(slug="other", title="Other")]), dry_run=True
    )
    assert result.ok and not result.written
    assert result.actions == [(2, "night-lights", "update"), (3, "other", "create")]
    assert Practice.objects.get(slug="night-lights").summary == "Old."
    assert not Practice.objects.filter(slug="other").exists()
    assert "Preview" in result.summary()


def test_references_match_by_slug_or_case_insensitive_name(refs):
    row = good_row(
        lead_jurisdiction="EUGENE",
        topics="gun violence; STREET LIGHTING",
        departments="parks and recreation",
        partner_jurisdictions="santa-tecla",
        initiative="SISTER CITIES",
    )
    result = import_practices(data=to_csv([row]))
    assert result.ok, result.errors
    practice = Practice.objects.get(slug="night-lights")
    assert practice.lead_jurisdiction == refs["lead"]
    assert practice.initiative == refs["initiative"]
    assert set(practice.topics.all()) == {refs["topic"], refs["topic2"]}
    assert list(practice.departments.all()) == [refs["department"]]
    assert list(practice.partner_jurisdictions.all()) == [refs["partner"]]


def test_ambiguous_name_asks_for_a_slug(refs):
    JurisdictionFactory(slug="eugene-2", name="eugene")
    result = import_practices(data=to_csv([good_row(lead_jurisdiction="Eugene")]))
    assert not result.ok
    assert "several jurisdictions" in result.errors[0].message
    assert "eugene-2" in result.errors[0].message


def test_blank_slug_is_made_from_the_title_and_a_bom_is_accepted(refs):
    data = b"\xef\xbb\xbf" + to_csv([good_row(slug="", title="Parks after Dark")])
    result = import_practices(data=data)
    assert result.ok, result.errors
    assert Practice.objects.filter(slug="parks-after-dark").exists()


def test_semicolon_separated_files_from_spreadsheets_are_read(refs):
    row = good_row(topics="gun-violence; street-lighting", summary="Luces, cámaras; acción.")
    result = import_practices(data=to_csv([row], delimiter=";"))
    assert result.ok, result.errors
    practice = Practice.objects.get(slug="night-lights")
    assert practice.topics.count() == 2 and practice.summary == "Luces, cámaras; acción."


def test_the_informative_columns_may_be_left_out(refs):
    header = [c for c in EXPORT_COLUMNS if c not in ("recognitions", "url")]
    result = import_practices(data=to_csv([good_row(url="ignored")], header=header))
    assert result.ok, result.errors


def test_imports_are_logged_in_the_admin_history(refs):
    user = UserFactory(is_staff=True)
    import_practices(data=to_csv([good_row()]), user=user)
    practice = Practice.objects.get(slug="night-lights")
    assert practice.updated_by == user
    entry = LogEntry.objects.get(object_id=str(practice.pk))
    assert entry.action_flag == ADDITION and entry.user == user


# Bad input: nothing written, each problem reported with its line ----------------------


def errors_for(data: bytes) -> list[tuple[int, str, str]]:
    result = import_practices(data=data)
    assert not result.ok and not result.written
    assert Practice.objects.count() == 0
    return [(e.line, e.column, e.message) for e in result.errors]


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"topics": "gun-violence; knitting"}, "topics", "Unknown topic “knitting”"),
        ({"topics": ""}, "topics", "At least one topic"),
        ({"departments": "zoo"}, "departments", "Unknown department"),
        ({"lead_jurisdiction": "atlantis"}, "lead_jurisdiction", "Unknown jurisdiction"),
        ({"lead_jurisdiction": ""}, "lead_jurisdiction", "required"),
        ({"partner_jurisdictions": "atlantis"}, "partner_jurisdictions", "Unknown"),
        ({"initiative": "nope"}, "initiative", "Unknown initiative"),
        ({"year_started": "3025"}, "year_started", "3025 is not a plausible year"),
        ({"year_ended": "20x0"}, "year_ended", "is not a year"),
        ({"year_started": "2018", "year_ended": "2010"}, "year_ended", "cannot be before"),
        ({"title": ""}, "title", "required"),
        ({"summary": "  "}, "summary", "required"),
        ({"evidence_rating": "great"}, "evidence_rating", "“great” is not one of"),
        ({"evidence_strength": "lots"}, "evidence_strength", "not one of"),
        ({"language": "fr"}, "language", "not one of"),
        ({"outcomes": "superb: Fewer robberies"}, "outcomes", "“superb” is not a rating"),
        ({"outcomes": "no colon here"}, "outcomes", "rating: description"),
        ({"sources": "Report https://example.org"}, "sources", "Title <https://link>"),
        ({"sources": "Report <not-a-link>"}, "sources", "not a web address"),
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"website": "ftp:/x"}, "website", "valid URL"),
        ({"slug": "bad slug!"}, "slug", "slug"),
        ({"title": "x" * 201}, "title", "at most 200"),
    ],
)
def test_each_bad_value_is_reported_on_its_line(refs, changes, column, fragment):
    data = to_csv([good_row(slug="fine", title="Fine"), good_row(**changes)])
    [(line, col, message)] = errors_for(data)
    assert (line, col) == (3, column)
    assert fragment in message


def test_line_numbers_count_physical_lines_of_multiline_cells(refs):
    first = good_row(slug="a", sources="One <https://example.org/1>\nTwo <https://example.org/2>")
    data = to_csv([first, good_row(slug="b", title="B"), good_row(slug="c", topics="nope")])
    assert errors_for(data)[0][0] == 5


def test_a_file_mixing_good_and_bad_rows_writes_nothing(refs):
    rows = [
        good_row(slug="good-1"),
        good_row(slug="bad-topic", topics="knitting"),
        good_row(slug="good-2"),
        good_row(slug="bad-year", year_started="3025"),
        good_row(slug="no-title", title=""),
        good_row(slug="good-1"),
        good_row(slug="bad-topic"),
    ]
    found = errors_for(to_csv(rows))
    assert [(line, column) for line, column, _m in found] == [
        (3, "topics"),
        (5, "year_started"),
        (6, "title"),
        (7, "slug"),
        (8, "slug"),
    ]
    assert "already appears on line 2" in found[3][2]
    assert "already appears on line 3" in found[4][2]


def test_broken_encoding_is_reported_with_its_line(refs):
    data = to_csv([good_row(), good_row(slug="b", title="Café")]).decode().encode("latin-1")
    [(line, _column, message)] = errors_for(data)
    assert line == 3
    assert "not UTF-8" in message and "0xe9" in message


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"slug,title\nx,y\n", "missing column(s): language"),
        (",".join([*EXPORT_COLUMNS, "colour"]).encode() + b"\n", "unknown column(s): colour"),
        (",".join([*EXPORT_COLUMNS, "title"]).encode() + b"\n", "repeated column(s): title"),
        (",".join(EXPORT_COLUMNS).encode() + b"\n", "no rows"),
        (b"\x00\x01binary", "NUL"),
    ],
)
def test_wrong_header_or_not_a_csv_is_reported(refs, data, fragment):
    [(_line, _column, message)] = errors_for(data)
    assert fragment in message


def test_a_row_with_the_wrong_number_of_cells_is_reported(refs):
    data = to_csv([good_row()]) + b"too,few,cells\n"
    assert errors_for(data) == [(3, "", f"Expected {len(EXPORT_COLUMNS)} cells, found 3.")]


def test_an_unterminated_quote_is_reported(refs):
    data = to_csv([good_row()]) + b'"never closed,\n'
    [(line, _column, message)] = errors_for(data)
    assert line == 3 and "CSV" in message


# The command --------------------------------------------------------------------------


def test_command_imports_and_prints_the_plan(refs, tmp_path, capsys):
    path = tmp_path / "practices.csv"
    path.write_bytes(to_csv([good_row()]))
    call_command("import_practices", str(path), "--dry-run")
    assert "line 2: create night-lights" in capsys.readouterr().out
    assert not Practice.objects.exists()

    call_command("import_practices", str(path), "--publish")
    assert Practice.objects.published().filter(slug="night-lights").exists()


def test_command_fails_with_errors_and_writes_nothing(refs, tmp_path, capsys):
    path = tmp_path / "practices.csv"
    path.write_bytes(to_csv([good_row(), good_row(slug="x", year_started="3025")]))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practices", str(path))
    assert "line 3, year_started: 3025" in capsys.readouterr().err
    assert not Practice.objects.exists()


def test_command_exits_non_zero_from_the_shell(refs, tmp_path):
    from tests.conftest import manage

    path = tmp_path / "bad.csv"
    path.write_bytes(b"not,a,practice,file\n")
    completed = manage("import_practices", str(path))
    assert completed.returncode != 0
    assert "Wrong header" in completed.stderr


def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_practices", str(tmp_path / "missing.csv"))


# The admin page -----------------------------------------------------------------------

IMPORT_URL = "admin:practices_practice_import"


def staff_with(*codenames: str, superuser: bool = False):
    user = UserFactory(is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def curator():
    return staff_with("add_practice", "change_practice", "view_practice")


def upload(client, data: bytes, *, action: str, publish: bool = False, name: str = "p.csv"):
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv"), action: "1"}
    if publish:
        payload["publish"] = "on"
    return client.post(reverse(IMPORT_URL), payload)


def test_committee_members_and_anonymous_users_cannot_import(client, refs):
    member = staff_with("view_practice", "add_recognition", "change_recognition")
    client.force_login(member)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, to_csv([good_row()]), action="import").status_code == 403
    assert not Practice.objects.exists()
    # Adding without changing is not enough either.
    client.force_login(staff_with("add_practice"))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    client.logout()
    assert client.get(reverse(IMPORT_URL)).status_code == 302  # to the admin login


def test_the_practice_list_links_to_the_import_page_for_curators_only(client, curator):
    changelist = reverse("admin:practices_practice_changelist")
    client.force_login(curator)
    assert reverse(IMPORT_URL) in client.get(changelist).text
    client.force_login(staff_with("view_practice"))
    response = client.get(changelist)
    assert response.status_code == 200 and reverse(IMPORT_URL) not in response.text


def test_curator_previews_then_imports(client, refs, curator):
    client.force_login(curator)
    page = client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    assert "lead_jurisdiction" in page.text  # the columns are documented on the page
    assert "“Title &lt;https://link&gt;”" in page.text

    preview = upload(client, to_csv([good_row()]), action="preview")
    assert preview.status_code == 200
    assert "Preview, nothing written: 1 to create" in preview.text
    assert "night-lights" in preview.text
    assert not Practice.objects.exists()

    response = upload(client, to_csv([good_row()]), action="import", publish=True)
    assert response.status_code == 302
    practice = Practice.objects.get(slug="night-lights")
    assert practice.state == PublishingState.PUBLISHED and practice.updated_by == curator
    assert LogEntry.objects.filter(user=curator, object_id=str(practice.pk)).exists()
    followed = client.get(response["Location"])
    assert "Imported: 1 created" in followed.text


def test_superuser_can_import(client, refs):
    client.force_login(staff_with(superuser=True))
    response = upload(client, to_csv([good_row()]), action="import")
    assert response.status_code == 302
    assert Practice.objects.get(slug="night-lights").state == PublishingState.DRAFT


def test_admin_shows_a_table_of_errors_and_writes_nothing(client, refs, curator):
    client.force_login(curator)
    rows = [good_row(), good_row(slug="bad", topics="knitting", year_started="3025")]
    response = upload(client, to_csv(rows), action="import")
    assert response.status_code == 200
    assert "Unknown topic “knitting”" in response.text
    assert "3025 is not a plausible year" in response.text
    assert response.text.count("<td>3</td>") == 2
    assert not Practice.objects.exists()


def test_admin_rejects_missing_large_or_non_csv_uploads(client, refs, curator, settings):
    client.force_login(curator)
    response = client.post(reverse(IMPORT_URL), {"import": "1"})
    assert response.status_code == 200 and "This field is required" in response.text

    response = upload(client, to_csv([good_row()]), action="import", name="p.xlsx")
    assert response.status_code == 200 and ".csv" in response.text

    big = to_csv([good_row()]) + b"\n" * (5 * 1024 * 1024)
    response = upload(client, big, action="import")
    assert response.status_code == 200 and "5 MB" in response.text

    latin = to_csv([good_row(title="Café")]).decode().encode("latin-1")
    response = upload(client, latin, action="import")
    assert response.status_code == 200 and "not UTF-8" in response.text
    assert not Practice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_drops_cached_public_pages(refs):
    from clearinghouse.cache import catalogue_version

    before = catalogue_version()
    import_practices(data=to_csv([good_row()]), publish=True)
    assert catalogue_version() != before
