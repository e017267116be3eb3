"""The home page: search box, topics with counts, departments, newest practices,
award winners and publications; only published records, in a fixed number of queries."""

import pytest
from django.urls import reverse

from awards.models import RecognitionLevel
from practices.models import PublishingState
from tests import factories

UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


@pytest.mark.django_db
def test_home_has_a_search_box_that_searches_practices(client):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("practices:practice_list")}"' in html
    assert 'name="q"' in html
    assert '<label for="home-q">' in html


@pytest.mark.django_db
def test_home_lists_published_records_and_hides_every_other_state(client):
    topic = factories.TopicFactory(name="Youth violence")
    department = factories.DepartmentFactory(name="Libraries")
    factories.PracticeFactory(
        published=True, title="Open late library nights", topics=[topic], departments=[department]
    )
    factories.PublicationFactory(published=True, title="A guide to lighting")
    factories.RecognitionFactory(
        practice=factories.PracticeFactory(published=True, title="Award-winning parks program"),
        level=RecognitionLevel.WINNER,
    )
    for state in UNPUBLISHED:
        hidden = factories.PracticeFactory(
            state=state, title=f"Hidden practice {state}", topics=[topic], departments=[department]
        )
        factories.RecognitionFactory(practice=hidden)
        factories.PublicationFactory(state=state, title=f"Hidden publication {state}")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Open late library nights" in html
    assert "A guide to lighting" in html
    assert "Award-winning parks program" in html
    assert "Hidden" not in html
    # Counts leave out the hidden practices too.
    [shown_topic] = [t for t in response.context["topics"] if t.pk == topic.pk]
    assert shown_topic.practice_count == 1
    assert [(d.name, d.practice_count) for d in response.context["departments"]] == [
        ("Libraries", 1)
    ]


@pytest.mark.django_db
def test_home_topic_counts_include_subtopics_once_and_departments_link_to_the_filter(client):
    parent = factories.TopicFactory(name="Environmental design")
    child = factories.TopicFactory(name="Street lighting", parent=parent)
    department = factories.DepartmentFactory(name="Public works", slug="public-works")
    factories.PracticeFactory(published=True, topics=[parent, child], departments=[department])
    factories.PracticeFactory(published=True, topics=[child])

    response = client.get(reverse("home"))

    [shown] = [t for t in response.context["topics"] if t.pk == parent.pk]
    assert shown.practice_count == 2  # one practice is in both: counted once
    assert [c.practice_count for c in shown.subtopics] == [2]
    html = response.content.decode()
    assert "Street lighting" in html
    assert f"{reverse('practices:practice_list')}?department=public-works" in html
    assert "libraries" in html.lower() and "public works" in html.lower()


@pytest.mark.django_db
def test_home_shows_winners_only_newest_year_first(client):
    factories.RecognitionFactory(
        year=2019, practice=factories.PracticeFactory(published=True, title="Older winner")
    )
    factories.RecognitionFactory(
        year=2023, practice=factories.PracticeFactory(published=True, title="Newer winner")
    )
    factories.RecognitionFactory(
        level=RecognitionLevel.FINALIST,
        practice=factories.PracticeFactory(published=True, title="Only a finalist"),
    )
    response = client.get(reverse("home"))
    titles = [r.practice.title for r in response.context["award_winners"]]
    assert titles == ["Newer winner", "Older winner"]


def populate_home(count: int) -> None:
    for _ in range(count):
        parent = factories.TopicFactory()
        child = factories.TopicFactory(parent=parent)
        department = factories.DepartmentFactory()
        practice = factories.PracticeFactory(
            published=True, topics=[parent, child], departments=[department]
        )
        factories.RecognitionFactory(practice=practice)
        factories.PublicationFactory(published=True, practices=[practice], topics=[child])


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 8])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    populate_home(count)
    # Topics, the kept topic counts, departments, the kept department counts, practices,
    # winners, publications.
    with django_assert_num_queries(10):
        response = client.get(reverse("home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_home_uses_spanish_names_under_es(client):
    topic = factories.TopicFactory(name="Street lighting", name_es="Alumbrado público")
    department = factories.DepartmentFactory(name="Libraries", name_es="Bibliotecas")
    factories.PracticeFactory(
        published=True,
        topics=[topic],
        departments=[department],
        lead_jurisdiction=factories.JurisdictionFactory(country="MX"),
    )
    html = client.get("/es/").content.decode()
    assert '<html lang="es">' in html
    assert "Alumbrado público" in html and "Street lighting" not in html
    assert "Bibliotecas" in html
    assert "México" in html
    assert 'action="/es/practices/"' in html
