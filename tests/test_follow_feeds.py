"""Follow a search: Atom feeds of any filtered list, of a topic and of an award."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import AwardFactory, PracticeFactory, RecognitionFactory, TopicFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


@pytest.fixture
def catalogue():
    parent = TopicFactory(name="Environmental design", slug="environmental-design")
    lighting = TopicFactory(name="Street lighting", slug="street-lighting", parent=parent)
    other = TopicFactory(slug="other")
    lit = PracticeFactory(
        published=True, title="Brighter streets", topics=[lighting], evidence_rating="effective"
    )
    PracticeFactory(published=True, title="Other thing", topics=[other])
    PracticeFactory(published=False, title="Draft lighting", topics=[lighting])
    award = AwardFactory(name="Safety Prize", slug="safety-prize")
    RecognitionFactory(practice=lit, award=award, year=2021)
    return parent


@pytest.mark.django_db
def test_any_filtered_list_has_a_feed(client, catalogue):
    response = client.get(reverse("follow_search"), {"topic": "street-lighting", "page": "2"})
    assert entries(response) == ["Brighter streets"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert "Street lighting" in root.find(f"{ATOM}title").text
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == "http://testserver/feeds/follow/?topic=street-lighting"


@pytest.mark.django_db
def test_topic_feed_covers_subtopics_and_award_feed_its_recognitions(client, catalogue):
    topic_url = reverse("follow_topic", kwargs={"slug": "environmental-design"})
    assert entries(client.get(topic_url)) == ["Brighter streets"]
    award_url = reverse("follow_award", kwargs={"slug": "safety-prize"})
    assert entries(client.get(award_url)) == ["Brighter streets"]


@pytest.mark.django_db
def test_feeds_refuse_bad_values_and_unknown_records(client, catalogue):
    assert client.get(reverse("follow_search"), {"evidence": "splendid"}).status_code == 400
    assert client.get(reverse("follow_topic", kwargs={"slug": "nothing"})).status_code == 404
    assert client.get(reverse("follow_award", kwargs={"slug": "nothing"})).status_code == 404


@pytest.mark.django_db
def test_pages_link_to_their_feeds(client, catalogue):
    html = client.get(reverse("practices:practice_list"), {"topic": "other"}).content.decode()
    assert 'href="/feeds/follow/?topic=other"' in html
    topic_page = client.get(catalogue.get_absolute_url()).content.decode()
    assert 'href="/feeds/topics/environmental-design/"' in topic_page
    award_page = client.get(reverse("awards:award_detail", kwargs={"slug": "safety-prize"}))
    assert 'href="/feeds/awards/safety-prize/"' in award_page.content.decode()


@pytest.mark.django_db
def test_spanish_feed(client, catalogue):
    response = client.get("/es" + reverse("follow_topic", kwargs={"slug": "environmental-design"}))
    assert entries(response) == ["Brighter streets"]
    assert 'xml:lang="es"' in response.content.decode()


def test_feeds_refuse_post(client):
    assert client.post(reverse("follow_search")).status_code == 405
