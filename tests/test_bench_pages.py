"""Pages kept fast at scale: what they still show when they show less or read in steps."""

import pytest

from awards import views as award_views
from awards.models import RecognitionLevel
from practices.models import Practice, PublishingState
from tests.factories import AwardFactory, PracticeFactory, RecognitionFactory


@pytest.mark.django_db
def test_award_page_shows_the_latest_recognitions_and_counts_them_all(client, monkeypatch):
    monkeypatch.setattr(award_views, "AWARD_RECOGNITIONS_SHOWN", 2)
    award = AwardFactory()
    for n, year in enumerate([2024, 2024, 2024, 2020]):
        RecognitionFactory(
            award=award,
            year=year,
            category=None,
            level=RecognitionLevel.WINNER if n else RecognitionLevel.FINALIST,
            practice=PracticeFactory(published=True, title=f"Program {n}"),
        )
    RecognitionFactory(
        award=award, year=2024, category=None, practice=PracticeFactory(state=PublishingState.DRAFT)
    )

    response = client.get(award.get_absolute_url())

    assert response.status_code == 200
    groups = response.context["by_year"]
    assert [g["year"] for g in groups] == [2024]
    assert [r.practice.title for r in groups[0]["recognitions"]] == ["Program 1", "Program 2"]
    assert groups[0]["count"] == 3
    assert response.context["recognition_count"] == 4
    assert response.context["program_count"] == 4
    html = response.content.decode()
    assert "The 2 most recent of 4 recognitions" in html
    assert '<h3 id="year-2024">2024 <span class="count">(3)</span></h3>' in html


@pytest.mark.django_db
def test_award_page_counts_follow_publishing(client):
    award = AwardFactory()
    draft = PracticeFactory(title="Quiet program")
    RecognitionFactory(award=award, category=None, practice=draft)
    assert client.get(award.get_absolute_url()).context["program_count"] == 0

    draft.state = PublishingState.PUBLISHED
    draft.published_at = draft.created_at
    draft.save()
    response = client.get(award.get_absolute_url())
    assert response.context["program_count"] == 1
    assert "The 1 most recent" not in response.content.decode()


@pytest.mark.django_db
def test_deep_pages_keep_the_list_order(client):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for n in range(45):
        PracticeFactory(
            title=f"Practice {n:02d}", published=True, published_at=now - timedelta(days=n // 2)
        )
    seen = []
    for page in (1, 2, 3):
        response = client.get("/practices/", {"page": page})
        assert response.status_code == 200
        seen += [p.title for p in response.context["practices"]]
    expected = list(
        Practice.objects.published()
        .order_by("-published_at", "title", "pk")
        .values_list("title", flat=True)
    )
    assert seen == expected
    assert len(seen) == 45
