"""/jurisdictions/<slug>/: facts about the place and its published practices; a place
with nothing public has no page."""

import pytest
from django.urls import reverse
from django.utils import translation

from practices.models import JurisdictionKind, PublishingState
from tests import factories

UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


@pytest.mark.django_db
def test_jurisdiction_page_shows_facts_led_and_partner_practices(client):
    place = factories.JurisdictionFactory(
        name="Santa Tecla",
        kind=JurisdictionKind.MUNICIPALITY,
        country="SV",
        region="La Libertad",
        population=121_908,
        population_year=2007,
    )
    factories.PracticeFactory(published=True, title="Led program", lead_jurisdiction=place)
    factories.PracticeFactory(
        published=True, title="Partner program", partner_jurisdictions=[place]
    )
    for state in UNPUBLISHED:
        factories.PracticeFactory(state=state, title=f"Hidden {state}", lead_jurisdiction=place)
        factories.PracticeFactory(
            state=state, title=f"Hidden partner {state}", partner_jurisdictions=[place]
        )

    response = client.get(place.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    for fact in [
        "<h1>Santa Tecla</h1>",
        "Municipality",
        "El Salvador",
        "La Libertad",
        "121,908",
        "2007",
        "50,000–249,999",
        "Led program",
        "Partner program",
    ]:
        assert fact in html
    assert f"{reverse('practices:practice_list')}?population=50k-250k" in html
    assert "Hidden" not in html


@pytest.mark.django_db
def test_country_name_is_translated(client):
    place = factories.JurisdictionFactory(country="US")
    factories.PracticeFactory(published=True, lead_jurisdiction=place)
    with translation.override("es"):
        url = place.get_absolute_url()
    assert "Estados Unidos" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("state", UNPUBLISHED)
def test_jurisdiction_with_only_unpublished_practices_is_404(client, state):
    place = factories.JurisdictionFactory()
    factories.PracticeFactory(state=state, lead_jurisdiction=place)
    factories.PracticeFactory(state=state, partner_jurisdictions=[place])
    assert client.get(place.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_jurisdiction_without_population_hides_the_band(client):
    place = factories.JurisdictionFactory(population=None, population_year=None)
    factories.PracticeFactory(published=True, lead_jurisdiction=place)
    response = client.get(place.get_absolute_url())
    assert response.status_code == 200
    assert "Population band" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_jurisdiction_is_404(client):
    response = client.get(reverse("practices:jurisdiction_detail", kwargs={"slug": "atlantis"}))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 6])
def test_jurisdiction_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    place = factories.JurisdictionFactory()
    for _ in range(count):
        factories.PracticeFactory(published=True, lead_jurisdiction=place)
        factories.PracticeFactory(published=True, partner_jurisdictions=[place])
    with django_assert_num_queries(
        8
    ):  # version, place; led and partnered practices with topics, awards
        assert client.get(place.get_absolute_url()).status_code == 200
