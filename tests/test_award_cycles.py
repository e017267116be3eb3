"""An award cycle from the call to the published winners, through real requests:
an applicant applies (the confirmation reaches a real SMTP server), one judge is
recused and two score, the chair closes scoring and decides, and after the
announcement date the public page shows the winner with its citation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import (
    Application,
    Cycle,
    Decision,
    HistoryAction,
    HistoryEntry,
    JudgeRole,
    Recognition,
    Recusal,
    RecusalKind,
    Score,
)
from practices.models import Practice, PublishingState
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    CriterionFactory,
    CycleFactory,
    JudgeFactory,
    JurisdictionFactory,
    StageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_setup():
    """A blind cycle of a problem-solving award with a two-line rubric, four stages, a
    chair and two judges, one of whom works for Riverside."""
    riverside = JurisdictionFactory(name="Riverside", slug="riverside", country="US")
    award = AwardFactory(name="Problem Solving Award", slug="problem-solving-award")
    category = AwardCategoryFactory(award=award, name="Cities of 50,000 and over", slug="over-50k")
    cycle = CycleFactory(
        award=award, name="2026 awards", slug="2026", categories=[category], blind=True
    )
    criteria = [
        CriterionFactory(cycle=cycle, name="Depth of problem analysis", weight=2, scale=10),
        CriterionFactory(cycle=cycle, name="Involvement of the community", weight=1, scale=5),
    ]
    stages = {
        name: StageFactory(cycle=cycle, name=name, position=i)
        for i, name in enumerate(["Screening", "Scoring", "Finalists", "Decision"])
    }
    chair = JudgeFactory(cycle=cycle, role=JudgeRole.CHAIR, user=UserFactory(username="chair"))
    judge = JudgeFactory(cycle=cycle, user=UserFactory(username="judge-two"))
    neighbour = JudgeFactory(
        cycle=cycle, user=UserFactory(username="judge-riverside"), jurisdiction=riverside
    )
    return {
        "award": award,
        "category": category,
        "cycle": cycle,
        "criteria": criteria,
        "stages": stages,
        "chair": chair,
        "judge": judge,
        "neighbour": neighbour,
        "riverside": riverside,
    }


def application_data(category, /, **overrides):
    data = {
        "category": category.pk,
        "title": "Safer nights on Main Street",
        "summary": "Police, parks and residents cut robberies near the transit stop.",
        "scanning": "Robberies near the Main Street stop rose for three years.",
        "analysis": "Most happened after 9 p.m. beside two dark, vacant lots.",
        "response": "Lighting, lot clean-up, evening programs, focused patrols.",
        "assessment": "Robberies fell 38% in two years; the comparison area fell 5%.",
        "jurisdiction_name": "riverside",
        "country": "US",
        "region": "California",
        "population": "61000",
        "contact_name": "Dana Ortiz",
        "contact_role": "Crime analyst",
        "contact_email": "dana.ortiz@riverside.example.org",
        "contact_phone": "+1 555 0100",
    }
    data.update(overrides)
    return data


def score(client, application, criteria, values, comment):
    data = {}
    for criterion, value in zip(criteria, values, strict=True):
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = comment
    return client.post(reverse("judging:application", args=[application.pk]), data)


def test_the_whole_cycle(client, cycle_setup, smtp_server):
    s = cycle_setup
    cycle, award = s["cycle"], s["award"]

    # The award's page links the open call; the call page shows deadline and rubric.
    page = client.get(award.get_absolute_url())
    assert cycle.get_absolute_url() in page.content.decode()
    call = client.get(cycle.get_absolute_url())
    assert call.status_code == 200
    assert "Depth of problem analysis" in call.content.decode()
    apply_url = reverse("awards:cycle_apply", kwargs={"award": award.slug, "slug": cycle.slug})

    # Applying: a receipt with a reference, and the confirmation at the SMTP server.
    response = client.post(apply_url, application_data(s["category"]))
    assert response.status_code == 302, response.content.decode()
    application = Application.objects.get()
    assert application.jurisdiction == s["riverside"]  # matched, whatever the case
    assert application.stage == s["stages"]["Screening"]
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert application.reference in receipt.content.decode()
    assert "dana.ortiz" not in receipt.content.decode()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "dana.ortiz@riverside.example.org"
    assert application.reference in message["Subject"]
    assert application.reference in message.get_content()

    # The judge who works for Riverside is recused automatically, and in the history.
    neighbour = s["neighbour"].user
    assert Recusal.objects.get(judge=neighbour).kind == RecusalKind.AUTOMATIC
    client.force_login(neighbour)
    page = client.get(reverse("judging:application", args=[application.pk]))
    assert page.status_code == 200
    assert "You are recused" in page.content.decode()
    assert score(client, application, s["criteria"], [9, 4], "x").status_code == 403

    # The chair scores first; the second judge does not see it before scoring.
    client.force_login(s["chair"].user)
    response = score(client, application, s["criteria"], [9, 4], "Thorough analysis.")
    assert response.status_code == 302
    client.force_login(s["judge"].user)
    page = client.get(reverse("judging:application", args=[application.pk])).content.decode()
    assert "Thorough analysis." not in page
    assert "scores show once yours are in." in page
    assert score(client, application, s["criteria"], [4, 2], "Thin data.").status_code == 302
    page = client.get(reverse("judging:application", args=[application.pk])).content.decode()
    assert "Thorough analysis." in page
    # Blind: the judge saw neither the applicant nor the contact.
    assert "Riverside" not in page and "riverside" not in page
    assert "Dana Ortiz" not in page
    assert Score.objects.count() == 4

    # The recused judge still cannot see any score.
    client.force_login(neighbour)
    page = client.get(reverse("judging:application", args=[application.pk])).content.decode()
    assert "Thorough analysis." not in page and "Thin data." not in page

    # The chair sees the ranking: weighted mean, two scores, one recusal, a flagged spread.
    client.force_login(s["chair"].user)
    ranking = client.get(reverse("judging:ranking", args=[cycle.pk]))
    assert ranking.status_code == 200
    text = ranking.content.decode()
    # Chair: (2*0.9 + 1*0.8)/3 = 86.7; judge: (2*0.4 + 1*0.4)/3 = 40.0; mean 63.3, spread 46.7.
    assert "63.3" in text and "46.7" in text and "discuss" in text

    # Deciding needs scoring closed; then scores are frozen.
    decide_url = reverse("judging:decide", args=[application.pk])
    citation = "For a careful analysis that turned a dark corner into a safe one."
    client.post(decide_url, {"level": "winner", "citation": citation})
    assert not Decision.objects.exists()
    assert client.post(reverse("judging:close_scoring", args=[cycle.pk])).status_code == 302
    client.force_login(s["judge"].user)
    assert score(client, application, s["criteria"], [10, 5], "Changed").status_code == 403
    assert not Score.objects.filter(comment="Changed").exists()

    client.force_login(s["chair"].user)
    response = client.post(
        reverse("judging:stage", args=[application.pk]), {"stage": s["stages"]["Decision"].pk}
    )
    assert response.status_code == 302
    response = client.post(decide_url, {"level": "winner", "citation": citation})
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.level == "winner" and decision.citation == citation

    # The decision made the recognition and a draft practice; nothing is published.
    recognition = Recognition.objects.get()
    assert recognition.citation == citation and recognition.award == award
    assert recognition.year == cycle.year and recognition.category == s["category"]
    practice = recognition.practice
    assert practice.state == PublishingState.DRAFT
    assert practice.title == "Safer nights on Main Street"
    assert practice.lead_jurisdiction == s["riverside"]
    assert "Robberies fell 38%" in practice.results
    assert practice.contact_email == ""  # the applicant's contact stays private
    client.logout()
    assert client.get(practice.get_absolute_url()).status_code == 404

    # Before the announcement date the results page does not exist.
    results_url = reverse("awards:cycle_results", kwargs={"award": award.slug, "slug": cycle.slug})
    assert client.get(results_url).status_code == 404

    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        announce_at=now - timedelta(hours=1),
    )
    results = client.get(results_url)
    assert results.status_code == 200
    text = results.content.decode()
    assert "Safer nights on Main Street" in text and citation in text and "Winner" in text
    assert "dana.ortiz" not in text and "Dana Ortiz" not in text and "63.3" not in text
    assert results_url in client.get(award.get_absolute_url()).content.decode()
    assert Practice.objects.filter(pk=practice.pk, state=PublishingState.DRAFT).exists()

    # Every score, recusal and decision is in the history.
    actions = list(HistoryEntry.objects.filter(cycle=cycle).values_list("action", flat=True))
    assert actions.count(HistoryAction.SCORED) == 2
    assert actions.count(HistoryAction.RECUSED) == 1
    assert actions.count(HistoryAction.DECIDED) == 1
    assert HistoryAction.SCORING_CLOSED in actions and HistoryAction.SUBMITTED in actions


def test_the_cached_award_page_shows_a_new_call_at_once(client):
    award = AwardFactory(slug="cached-award")
    assert "Calls for entries" not in client.get(award.get_absolute_url()).content.decode()
    cycle = CycleFactory(award=award, name="Next round", slug="next")
    page = client.get(award.get_absolute_url()).content.decode()
    assert cycle.get_absolute_url() in page
    Cycle.objects.filter(pk=cycle.pk).update(public=False)
    assert cycle.get_absolute_url() not in client.get(award.get_absolute_url()).content.decode()
