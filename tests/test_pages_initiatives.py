"""/initiatives/ and /initiatives/<slug>/: an initiative's partnerships listed as pairs
with their years, what a partnership is, and the published practices that came out of
it; and how recognitions (badges, citations, the sponsor's page) show on practice,
award and About pages."""

import pytest
from django.urls import reverse

from practices.models import EvidenceRating, EvidenceStrength, PublishingState
from tests import factories

pytestmark = pytest.mark.django_db


def test_initiative_page_lists_pairs_explains_partnerships_and_lists_practices(client):
    initiative = factories.InitiativeFactory(name="Violence Prevention Partnerships")
    santa_ana = factories.JurisdictionFactory(name="Santa Ana")
    sonsonate = factories.JurisdictionFactory(name="Sonsonate", country="SV")
    factories.PartnerPairFactory(
        initiative=initiative,
        first=santa_ana,
        second=sonsonate,
        year_started=2011,
        year_ended=2013,
        note="Exchange visits",
    )
    filed = factories.PracticeFactory(
        published=True, title="Filed under the initiative", initiative=initiative
    )
    from_pair = factories.PracticeFactory(
        published=True, title="Led by a paired town", lead_jurisdiction=sonsonate
    )
    draft = factories.PracticeFactory(
        state=PublishingState.DRAFT, title="Draft practice", initiative=initiative
    )
    elsewhere = factories.PracticeFactory(published=True, title="Unrelated practice")

    response = client.get(initiative.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Violence Prevention Partnerships" in html
    assert "A partnership pairs two local governments" in html
    assert "Santa Ana, United States" in html and "Sonsonate, El Salvador" in html
    assert "2011–2013" in html and "Exchange visits" in html
    assert filed.title in html and from_pair.title in html
    assert draft.title not in html and elsewhere.title not in html


def test_initiative_list_and_unknown_initiative(client):
    initiative = factories.InitiativeFactory(name="CityLinks")
    factories.PartnerPairFactory(initiative=initiative)
    response = client.get(reverse("practices:initiative_list"))
    assert response.status_code == 200
    assert "CityLinks" in response.content.decode()
    assert "1 partnership" in response.content.decode()
    assert client.get("/initiatives/no-such-initiative/").status_code == 404


@pytest.mark.parametrize("name", ["practices:initiative_list", "practices:initiative_detail"])
def test_initiative_pages_refuse_post(client, name):
    initiative = factories.InitiativeFactory()
    kwargs = {"slug": initiative.slug} if name.endswith("detail") else {}
    assert client.post(reverse(name, kwargs=kwargs)).status_code == 405


def test_practice_page_links_its_initiative(client):
    initiative = factories.InitiativeFactory(name="AMUPREV")
    practice = factories.PracticeFactory(published=True, initiative=initiative)
    html = client.get(practice.get_absolute_url()).content.decode()
    assert f'href="{initiative.get_absolute_url()}"' in html


def test_badge_names_the_award_once_and_citations_show(client):
    award = factories.AwardFactory(
        name="Innovations in American Government Award", sponsor="Harvard Kennedy School"
    )
    same_name = factories.AwardCategoryFactory(award=award, name=award.name)
    recognition = factories.RecognitionFactory(
        award=award,
        category=same_name,
        year=1997,
        citation="Cut youth gun homicides with a focused deterrence strategy.",
        source_url="https://example.org/sponsor-page",
    )

    html = client.get(recognition.practice.get_absolute_url()).content.decode()
    assert "· Innovations in American Government Award</a>" not in html
    assert "Innovations in American Government Award 1997 · Winner</a>" in html
    assert "Cut youth gun homicides with a focused deterrence strategy." in html
    assert "https://example.org/sponsor-page" in html
    assert "Confirmed by Harvard Kennedy School" in html

    award_html = client.get(award.get_absolute_url()).content.decode()
    assert "Cut youth gun homicides with a focused deterrence strategy." in award_html
    assert "https://example.org/sponsor-page" in award_html

    about = client.get(reverse("about")).content.decode()
    assert "Sources of the awards" in about
    assert "https://example.org/sponsor-page" in about


def test_a_category_with_its_own_name_is_shown(client):
    award = factories.AwardFactory(name="Local Government Excellence Awards")
    category = factories.AwardCategoryFactory(award=award, name="Community Health and Safety")
    recognition = factories.RecognitionFactory(award=award, category=category)
    html = client.get(recognition.practice.get_absolute_url()).content.decode()
    assert "· Community Health and Safety</a>" in html


def test_practice_page_hides_what_the_record_lacks(client):
    practice = factories.PracticeFactory(
        published=True,
        evidence_rating=EvidenceRating.INSUFFICIENT,
        evidence_strength=EvidenceStrength.NONE,
        cost_notes="",
        contact_name="",
        contact_email="",
        contact_phone="",
        website="",
    )
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "Strength of the evidence" not in html
    assert 'id="cost-heading"' not in html
    assert 'id="contact-heading"' not in html
    assert 'id="recognitions-heading"' not in html


def test_initiative_page_query_count_does_not_grow_with_its_practices(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    initiative = factories.InitiativeFactory()
    factories.PartnerPairFactory(initiative=initiative)
    factories.PracticeFactory(published=True, initiative=initiative)
    with CaptureQueriesContext(connection) as one:
        client.get(initiative.get_absolute_url())
    for _ in range(4):
        factories.PracticeFactory(published=True, initiative=initiative)
        factories.PartnerPairFactory(initiative=initiative)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(initiative.get_absolute_url())
    assert len(response.context["practices"]) == 5
