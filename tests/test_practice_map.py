"""/practices/map/: practices per country on an SVG world map drawn on the server."""

import re

import pytest
from django.urls import reverse

from clearinghouse import worldmap
from tests.factories import JurisdictionFactory, PracticeFactory

URL = reverse("practices:practice_map")


@pytest.fixture
def catalogue():
    us, mx = JurisdictionFactory(country="US"), JurisdictionFactory(country="MX")
    for _ in range(2):
        PracticeFactory(published=True, lead_jurisdiction=us, evidence_rating="effective")
    PracticeFactory(published=True, lead_jurisdiction=mx, evidence_rating="promising")
    PracticeFactory(published=False, lead_jurisdiction=JurisdictionFactory(country="FR"))


@pytest.mark.django_db
def test_map_shades_and_links_countries_with_published_practices(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="map-country"') == 2
    assert 'href="/practices/?country=US"' in html and 'href="/practices/?country=MX"' in html
    assert "?country=FR" not in html
    assert 'aria-label="United States of America: 2 practices"' in html
    rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th><td>(\d+)</td>', html)
    # Where they ran: each place links to its page.
    assert html.count('href="/jurisdictions/') >= 2
    assert rows == [("United States of America", "2"), ("Mexico", "1")]
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    ), "no outside map server"


@pytest.mark.django_db
def test_map_follows_filters_in_spanish(client, catalogue):
    html = client.get("/es" + URL, {"evidence": "promising"}).content.decode()
    assert html.count('class="map-country"') == 1
    assert 'href="/es/practices/?evidence=promising&amp;country=MX"' in html
    assert "México" in html


@pytest.mark.django_db
def test_map_refuses_bad_filters(client):
    assert client.get(URL, {"country": "ZZ"}).status_code == 400


def test_outlines_cover_the_world_without_lines_across_it():
    shapes = dict(worldmap.country_shapes())
    assert {"US", "MX", "BR", "ZA", "RU", "AU"} <= set(shapes)
    assert "AQ" not in shapes
    for path in shapes.values():
        for x, _y in re.findall(r"[ML](-?\d+) (-?\d+)", path):
            assert -200 <= int(x) <= worldmap.WIDTH + 200


def test_map_refuses_post(client):
    assert client.post(URL).status_code == 405
