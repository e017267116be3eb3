"""/topics/ and /topics/<slug>/: counts, subtopics, published practices (a parent
includes its subtopics'), publications, pagination and bad input."""

import pytest
from django.urls import reverse
from django.utils import translation

from practices.models import PublishingState
from practices.views.browse import PRACTICES_PER_PAGE
from tests import factories

UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


@pytest.mark.django_db
def test_topic_list_shows_top_level_topics_with_subtopics_and_published_counts(client):
    parent = factories.TopicFactory(name="Gun violence")
    child = factories.TopicFactory(name="Violence interruption", parent=parent)
    factories.PracticeFactory(published=True, topics=[child])
    for state in UNPUBLISHED:
        factories.PracticeFactory(state=state, topics=[parent, child])

    response = client.get(reverse("practices:topic_list"))

    assert response.status_code == 200
    [shown] = response.context["topics"]
    assert shown.practice_count == 1
    assert [c.practice_count for c in shown.subtopics] == [1]
    html = response.content.decode()
    assert "Gun violence" in html and "Violence interruption" in html
    assert child.get_absolute_url() in html


@pytest.mark.django_db
def test_topic_detail_lists_its_and_its_subtopics_published_practices(client):
    parent = factories.TopicFactory(name="Environmental design", description="Places matter.")
    child = factories.TopicFactory(name="Vacant lots", parent=parent)
    other = factories.TopicFactory(name="Traffic safety")
    factories.PracticeFactory(published=True, title="Greening vacant lots", topics=[child])
    factories.PracticeFactory(published=True, title="Brighter parks", topics=[parent, child])
    factories.PracticeFactory(published=True, title="Slower streets", topics=[other])
    for state in UNPUBLISHED:
        factories.PracticeFactory(state=state, title=f"Hidden {state}", topics=[parent])

    response = client.get(parent.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Environmental design</h1>" in html
    assert "Places matter." in html
    assert "Greening vacant lots" in html and "Brighter parks" in html
    assert html.count("Brighter parks") == 1  # in both topics, listed once
    assert "Slower streets" not in html
    assert "Hidden" not in html
    assert response.context["page_obj"].paginator.count == 2
    assert f"{reverse('practices:practice_list')}?topic={parent.slug}" in html
    assert [t.name for t in response.context["subtopics"]] == ["Vacant lots"]


@pytest.mark.django_db
def test_subtopic_page_links_back_to_its_parent_and_shows_only_its_own_practices(client):
    parent = factories.TopicFactory(name="Youth")
    child = factories.TopicFactory(name="After-school programs", parent=parent)
    factories.PracticeFactory(published=True, title="Parent only", topics=[parent])
    factories.PracticeFactory(published=True, title="Child practice", topics=[child])

    html = client.get(child.get_absolute_url()).content.decode()

    assert parent.get_absolute_url() in html
    assert "Child practice" in html and "Parent only" not in html


@pytest.mark.django_db
def test_topic_detail_lists_published_publications_only(client):
    topic = factories.TopicFactory()
    child = factories.TopicFactory(parent=topic)
    factories.PublicationFactory(published=True, title="Lighting handbook", topics=[child])
    for state in UNPUBLISHED:
        factories.PublicationFactory(state=state, title=f"Secret report {state}", topics=[topic])

    html = client.get(topic.get_absolute_url()).content.decode()

    assert "Lighting handbook" in html
    assert "Secret report" not in html


@pytest.mark.django_db
def test_topic_detail_speaks_spanish_under_es(client):
    topic = factories.TopicFactory(
        name="Street lighting",
        name_es="Alumbrado público",
        description="Lights.",
        description_es="Luces.",
    )
    with translation.override("es"):
        url = topic.get_absolute_url()
    assert url.startswith("/es/")

    response = client.get(url)

    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Alumbrado público</h1>" in html
    assert "Luces." in html


@pytest.mark.django_db
def test_unknown_topic_is_a_friendly_404(client):
    response = client.get(reverse("practices:topic_detail", kwargs={"slug": "no-such-topic"}))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_topic_detail_paginates_and_drops_unknown_parameters(client):
    topic = factories.TopicFactory()
    for _ in range(PRACTICES_PER_PAGE + 1):
        factories.PracticeFactory(published=True, topics=[topic])

    first = client.get(topic.get_absolute_url(), {"utm": "x"})
    second = client.get(topic.get_absolute_url(), {"page": "2", "utm": "x"})

    assert len(first.context["practices"]) == PRACTICES_PER_PAGE
    assert 'rel="next"' in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert "utm" not in first.content.decode()
    assert len(second.context["practices"]) == 1
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1.5", "9" * 30])
def test_bad_page_numbers_are_404_not_500(client, page):
    topic = factories.TopicFactory()
    factories.PracticeFactory(published=True, topics=[topic])
    response = client.get(topic.get_absolute_url(), {"page": page})
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def populate_topic(count: int):
    topic = factories.TopicFactory()
    for _ in range(count):
        child = factories.TopicFactory(parent=topic)
        factories.PracticeFactory(published=True, topics=[topic, child])
        factories.PublicationFactory(published=True, topics=[child])
    return topic


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 7])
def test_topic_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    topic = populate_topic(count)
    # version, topics, the kept counts per topic (a parent's include its subtopics)
    with django_assert_num_queries(3):
        assert client.get(reverse("practices:topic_list")).status_code == 200
    # Topic, subtopics, practice count, practice page, publications.
    with django_assert_num_queries(8):
        assert client.get(topic.get_absolute_url()).status_code == 200
