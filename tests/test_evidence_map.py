"""/practices/evidence-map/: topics or departments by evidence rating, following filters."""

import re

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, JurisdictionFactory, PracticeFactory, TopicFactory

URL = reverse("practices:evidence_map")


@pytest.fixture
def catalogue():
    parent = TopicFactory(name="Environmental design", slug="environmental-design")
    child = TopicFactory(name="Street lighting", slug="street-lighting", parent=parent)
    youth = TopicFactory(name="Youth violence", slug="youth-violence")
    police = DepartmentFactory(name="Police", slug="police", name_es="Policía")
    us = JurisdictionFactory(country="US")
    mx = JurisdictionFactory(country="MX")
    PracticeFactory(
        published=True,
        evidence_rating="effective",
        topics=[parent, child],
        departments=[police],
        lead_jurisdiction=us,
    )
    PracticeFactory(
        published=True, evidence_rating="effective", topics=[child], lead_jurisdiction=mx
    )
    PracticeFactory(
        published=True, evidence_rating="promising", topics=[youth], lead_jurisdiction=us
    )
    PracticeFactory(published=False, evidence_rating="harmful", topics=[youth])
    return {"parent": parent, "youth": youth}


def table_cells(html: str) -> dict[str, list[str]]:
    table = html.split('<table class="evidence-table">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        name = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        rows[name] = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
    return rows


@pytest.mark.django_db
def test_map_counts_published_practices_by_top_level_topic_and_rating(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    cells = table_cells(html)
    # effective, promising, no effect, harmful, insufficient; a subtopic counts for its
    # parent once.
    assert cells["Environmental design"] == ["2", "0", "0", "0", "0"]
    assert cells["Youth violence"] == ["0", "1", "0", "0", "0"]
    assert "<svg" in html and 'class="map-cell"' in html
    assert 'href="/practices/?topic=environmental-design&amp;evidence=effective"' in html


@pytest.mark.django_db
def test_map_follows_the_current_filters_and_links_keep_them(client, catalogue):
    html = client.get(URL, {"country": "US"}).content.decode()
    cells = table_cells(html)
    assert cells["Environmental design"] == ["1", "0", "0", "0", "0"]
    assert (
        'href="/practices/?country=US&amp;topic=environmental-design&amp;evidence=effective"'
        in html
    )
    assert "United States" in html


@pytest.mark.django_db
def test_map_by_department_in_spanish(client, catalogue):
    response = client.get("/es" + URL, {"by": "department"})
    assert response.status_code == 200
    cells = table_cells(response.content.decode())
    assert cells["Policía"] == ["1", "0", "0", "0", "0"]


@pytest.mark.django_db
def test_map_refuses_bad_values_with_a_message(client, catalogue):
    response = client.get(URL, {"by": "colour"})
    assert response.status_code == 400
    assert "by topic or by department" in response.content.decode()
    assert client.get(URL, {"evidence": "splendid"}).status_code == 400


@pytest.mark.django_db
def test_list_page_links_to_the_map_with_its_filters(client, catalogue):
    html = client.get(reverse("practices:practice_list"), {"country": "US"}).content.decode()
    assert f'href="{URL}?country=US"' in html


def test_map_refuses_post(client):
    assert client.post(URL).status_code == 405
