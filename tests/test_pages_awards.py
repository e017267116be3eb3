"""/awards/ and /awards/<slug>/: descriptions, categories, recognized programs by year
with level badges; only published practices appear, in the lists and in the counts."""

import pytest
from django.urls import reverse

from awards.models import RecognitionLevel
from practices.models import PublishingState
from tests import factories

UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


@pytest.mark.django_db
def test_award_list_counts_only_published_practices(client):
    award = factories.AwardFactory(name="Program Excellence Award", sponsor="A city association")
    factories.RecognitionFactory(award=award, year=2020)
    factories.RecognitionFactory(award=award, year=2022)
    for state in UNPUBLISHED:
        factories.RecognitionFactory(
            award=award, year=2024, practice=factories.PracticeFactory(state=state)
        )
    factories.AwardFactory(name="Retired award", active=False)

    response = client.get(reverse("awards:award_list"))

    assert response.status_code == 200
    shown = {a.name: a for a in response.context["awards"]}
    assert shown["Program Excellence Award"].program_count == 2
    assert shown["Program Excellence Award"].latest_year == 2022
    assert shown["Retired award"].program_count == 0
    html = response.content.decode()
    assert "A city association" in html
    assert "2 recognized programs" in html
    assert "No longer awarded" in html


@pytest.mark.django_db
def test_award_detail_groups_recognized_programs_by_year_newest_first(client):
    award = factories.AwardFactory(
        name="Safety Award", description="For safer communities.", website="https://example.org/a"
    )
    category = factories.AwardCategoryFactory(award=award, name="Under 10,000")
    factories.RecognitionFactory(
        award=award,
        category=category,
        year=2019,
        practice=factories.PracticeFactory(published=True, title="Small town patrols"),
    )
    factories.RecognitionFactory(
        award=award,
        category=category,
        year=2023,
        level=RecognitionLevel.FINALIST,
        practice=factories.PracticeFactory(published=True, title="Finalist program"),
    )
    factories.RecognitionFactory(
        award=award,
        category=category,
        year=2023,
        practice=factories.PracticeFactory(published=True, title="Winning program"),
    )
    factories.RecognitionFactory(
        award=award,
        category=None,
        year=2023,
        level=RecognitionLevel.HONORABLE_MENTION,
        practice=factories.PracticeFactory(published=True, title="Mentioned program"),
    )
    for state in UNPUBLISHED:
        factories.RecognitionFactory(
            award=award,
            category=category,
            year=2023,
            practice=factories.PracticeFactory(state=state, title=f"Hidden {state}"),
        )

    response = client.get(award.get_absolute_url())

    assert response.status_code == 200
    groups = response.context["by_year"]
    assert [g["year"] for g in groups] == [2023, 2019]
    assert [r.practice.title for r in groups[0]["recognitions"]] == [
        "Winning program",
        "Finalist program",
        "Mentioned program",
    ]
    assert response.context["program_count"] == 4
    assert [c.recognition_count for c in response.context["categories"]] == [3]
    html = response.content.decode()
    assert "For safer communities." in html and "https://example.org/a" in html
    assert "Hidden" not in html
    assert 'class="badge badge--winner">Winner<' in html
    assert 'class="badge badge--finalist">Finalist<' in html
    assert 'class="badge badge--honorable_mention">Honorable mention<' in html
    assert "Under 10,000" in html
    assert f"{reverse('practices:practice_list')}?award={award.slug}" in html


@pytest.mark.django_db
def test_award_without_public_recognitions_says_so(client):
    award = factories.AwardFactory()
    factories.RecognitionFactory(award=award, practice=factories.PracticeFactory())  # a draft
    response = client.get(award.get_absolute_url())
    assert response.status_code == 200
    assert "No recognized programs have been published yet." in response.content.decode()
    assert response.context["program_count"] == 0


@pytest.mark.django_db
def test_unknown_award_is_404(client):
    response = client.get(reverse("awards:award_detail", kwargs={"slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 6])
def test_award_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    award = factories.AwardFactory()
    for year in range(count):
        factories.AwardFactory()
        factories.RecognitionFactory(award=award, year=2010 + year)
    # version, recognitions per award, the kept programs per award, the awards
    with django_assert_num_queries(4):
        assert client.get(reverse("awards:award_list")).status_code == 200
    # version, award, recognitions by category, level and year, the award's categories,
    # the kept programs per award, the categories shown, recognitions shown, the award's
    # public cycles
    with django_assert_num_queries(8):
        assert client.get(award.get_absolute_url()).status_code == 200
    with django_assert_num_queries(1):  # the whole page comes from the cache until a change
        assert client.get(award.get_absolute_url()).status_code == 200
