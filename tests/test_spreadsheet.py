"""/practices/spreadsheet.csv: the readable download, read back as a spreadsheet would."""

import csv
import io

import pytest
from django.urls import reverse

from practices.csvio import EXPORT_COLUMNS
from tests.factories import (
    AwardFactory,
    DepartmentFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

URL = reverse("practices:practice_spreadsheet")


def download(client, params=None, language_prefix=""):
    response = client.get(language_prefix + URL, params or {})
    assert response.status_code == 200, response.content
    raw = b"".join(response.streaming_content)
    return response, raw


@pytest.fixture
def juarez_practice():
    topic = TopicFactory(name="Youth violence prevention", name_es="Prevención de la violencia")
    department = DepartmentFactory(name="Police", name_es="Policía")
    place = JurisdictionFactory(
        name="Ciudad Juárez",
        slug="ciudad-juarez",
        country="MX",
        region="Chihuahua",
        population=1_512_450,
        population_year=2020,
    )
    practice = PracticeFactory(
        published=True,
        title="Todos Somos Juárez",
        slug="todos-somos-juarez",
        evidence_rating="promising",
        evidence_strength="one_study",
        lead_jurisdiction=place,
        topics=[topic],
        departments=[department],
        summary='=HYPERLINK("x") reconstrucción del tejido social',
    )
    award = AwardFactory(name="Premio Gobierno y Gestión Local", slug="premio-gl")
    RecognitionFactory(practice=practice, award=award, year=2012, category=None)
    PracticeFactory(published=False, title="Draft never shown")
    return practice


@pytest.mark.django_db
def test_spreadsheet_reads_back_with_names_accents_and_awards(client, juarez_practice):
    response, raw = download(client)
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark for spreadsheets on Windows"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Title"] == "Todos Somos Juárez"
    assert row["Lead jurisdiction"] == "Ciudad Juárez"
    assert row["Country"] == "Mexico"
    assert row["Population"] == "1512450"
    assert row["State, province or department"] == "Chihuahua"
    assert row["Topics"] == "Youth violence prevention"
    assert row["Departments involved"] == "Police"
    assert row["Evidence rating"] == "Promising"
    assert row["Strength of evidence"] == "One study"
    assert row["Awards"] == "Premio Gobierno y Gestión Local 2012 (Winner)"
    assert row["Summary"].startswith("'=HYPERLINK"), "formulas are defused"
    assert row["Page on this site"] == "http://testserver/practices/todos-somos-juarez/"
    assert "one_study" not in raw.decode("utf-8-sig")
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'


@pytest.mark.django_db
def test_spreadsheet_in_spanish_uses_spanish_names(client, juarez_practice):
    _, raw = download(client, language_prefix="/es")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    row = rows[0]
    assert row["Título"] == "Todos Somos Juárez"
    assert row["Temas"] == "Prevención de la violencia"
    assert row["Dependencias participantes"] == "Policía"
    assert row["Calificación de la evidencia"] == "Prometedora"
    assert row["País"] == "México"


@pytest.mark.django_db
def test_spreadsheet_is_named_after_the_selection_and_follows_filters(client, juarez_practice):
    PracticeFactory(published=True, title="Other place", evidence_rating="effective")
    response, raw = download(client, {"country": "MX", "evidence": "promising", "q": "Juárez"})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="practices-juarez-mx-promising.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["Title"] for row in rows] == ["Todos Somos Juárez"]


@pytest.mark.django_db
def test_spreadsheet_refuses_bad_filters_with_a_message(client):
    response = client.get(URL, {"evidence": "splendid"})
    assert response.status_code == 400
    assert "splendid" in response.content.decode()


@pytest.mark.django_db
def test_import_format_is_unchanged(client, juarez_practice):
    response = client.get(reverse("practices:practice_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert next(csv.reader(io.StringIO(text))) == EXPORT_COLUMNS


@pytest.mark.django_db
def test_list_page_links_to_the_spreadsheet_with_the_selection(client, juarez_practice):
    response = client.get(reverse("practices:practice_list"), {"country": "MX", "page": "1"})
    assert f'href="{URL}?country=MX"' in response.content.decode()


def test_spreadsheet_refuses_post(client):
    assert client.post(URL).status_code == 405
