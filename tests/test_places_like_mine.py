"""/practices/places-like-mine/: practices from comparable places, with the reasons."""

import pytest
from django.urls import reverse

from tests.factories import JurisdictionFactory, PracticeFactory

URL = reverse("practices:places_like_mine")


@pytest.fixture
def places():
    mine = JurisdictionFactory(
        name="Riverside",
        slug="riverside",
        country="US",
        region="Ohio",
        population=61_000,
        kind="city",
    )
    twin = JurisdictionFactory(
        name="Lakeside",
        slug="lakeside",
        country="US",
        region="Ohio",
        population=70_000,
        kind="city",
    )
    far = JurisdictionFactory(
        name="Metropolis",
        slug="metropolis",
        country="US",
        region="Texas",
        population=2_000_000,
        kind="county",
    )
    abroad = JurisdictionFactory(
        name="Villa Nueva", slug="villa-nueva", country="GT", population=65_000, kind="municipality"
    )
    PracticeFactory(published=True, title="Own program", lead_jurisdiction=mine)
    PracticeFactory(published=True, title="Twin program", lead_jurisdiction=twin)
    PracticeFactory(published=True, title="Big county program", lead_jurisdiction=far)
    PracticeFactory(published=True, title="Guatemalan program", lead_jurisdiction=abroad)
    PracticeFactory(published=False, title="Draft twin program", lead_jurisdiction=twin)
    return mine


def titles(html: str) -> list[str]:
    import re

    return re.findall(r'class="practice-card-title"><a [^>]*>([^<]+)</a>', html)


@pytest.mark.django_db
def test_places_like_a_chosen_jurisdiction_ranked_with_reasons(client, places):
    response = client.get(URL, {"jurisdiction": "riverside"})
    assert response.status_code == 200
    html = response.content.decode()
    # Population counts more than the country: a place of the same size abroad comes
    # before a much bigger one at home.
    assert titles(html) == ["Twin program", "Guatemalan program", "Big county program"]
    assert "same population band, same country, same region, same kind of government" in html
    assert "Own program" not in html and "Draft twin program" not in html


@pytest.mark.django_db
def test_places_like_a_described_place(client, places):
    response = client.get(URL, {"population": "64,000", "country": "GT"})
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(html)[0] == "Guatemalan program"
    assert "same population band, same country" in html


@pytest.mark.django_db
def test_places_like_mine_in_spanish(client, places):
    response = client.get("/es" + URL, {"jurisdiction": "riverside"})
    assert response.status_code == 200
    assert "mismo país" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"jurisdiction": "atlantis"},
        {"population": "lots"},
        {"country": "XX"},
        {"kind": "empire", "population": "5000"},
        {"kind": "city"},
    ],
)
def test_places_like_mine_refuses_bad_input_with_a_message(client, places, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


@pytest.mark.django_db
def test_places_like_mine_form_alone(client, places):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'value="riverside"' in response.content.decode()


def test_places_like_mine_refuses_post(client):
    assert client.post(URL).status_code == 405
