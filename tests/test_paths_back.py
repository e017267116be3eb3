"""Paths: /jurisdictions/ lists the places, and a practice page leads back to its results."""

import pytest
from django.urls import reverse

from tests.factories import JurisdictionFactory, PracticeFactory


@pytest.mark.django_db
def test_jurisdiction_list_groups_places_with_published_practices_by_country(client):
    juarez = JurisdictionFactory(name="Ciudad Juárez", slug="ciudad-juarez", country="MX")
    boston = JurisdictionFactory(name="Boston", slug="boston", country="US")
    partner = JurisdictionFactory(name="Cambridge", slug="cambridge", country="US")
    hidden = JurisdictionFactory(name="Drafttown", slug="drafttown", country="US")
    PracticeFactory(published=True, lead_jurisdiction=juarez)
    PracticeFactory(published=True, lead_jurisdiction=boston, partner_jurisdictions=[partner])
    PracticeFactory(published=False, lead_jurisdiction=hidden)
    # Countries in the alphabetical order of their names in the page's language.
    for prefix, first, second in (("", "Mexico", "Boston"), ("/es", "Boston", "México")):
        response = client.get(prefix + reverse("practices:jurisdiction_list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'href="{prefix}/jurisdictions/ciudad-juarez/"' in html
        assert f'href="{prefix}/jurisdictions/cambridge/"' in html
        assert "Drafttown" not in html
        assert html.index(first) < html.index(second)


@pytest.mark.django_db
def test_practice_page_links_back_to_the_results_with_their_query(client):
    practice = PracticeFactory(published=True, slug="lights", title="Lights")
    PracticeFactory(published=True)
    html = client.get(reverse("practices:practice_list"), {"q": "Lights", "page": "1"}).content
    assert b'href="/practices/lights/?back=q%3DLights%26page%3D1"' in html
    page = client.get(practice.get_absolute_url(), {"back": "q=Lights&page=1&evil=1"})
    assert page.status_code == 200
    assert 'href="/practices/?q=Lights&amp;page=1"' in page.content.decode()
    assert "Back to results" in page.content.decode()


@pytest.mark.django_db
def test_practice_page_without_back_has_no_back_link(client):
    practice = PracticeFactory(published=True)
    assert "Back to results" not in client.get(practice.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_back_link_cannot_leave_the_site(client):
    practice = PracticeFactory(published=True)
    html = client.get(practice.get_absolute_url(), {"back": "//evil.example/?x=1"}).content.decode()
    assert "evil.example" not in html.split("<main", 1)[1]
    assert 'href="/practices/"' in html
