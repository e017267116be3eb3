"""Hostile text in an application, a score comment and a decision's citation comes back
inert on every judging page, the judges' CSV and the public cycle pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.judging import close_scoring, decide
from awards.models import Judge, JudgeRole, Score
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    CycleFactory,
    JudgeFactory,
    StageFactory,
    UserFactory,
)
from tests.test_xss import PAYLOAD, assert_nothing_executable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("blind", [True, False], ids=["blind", "named"])
def test_hostile_text_is_inert_on_every_cycle_page(client, award_a, committee_a, blind):
    category = award_a.categories.get()
    cycle = CycleFactory(award=award_a, categories=[category], blind=blind)
    criterion = CriterionFactory(cycle=cycle, scale=5, name=PAYLOAD[:100])
    stage = StageFactory(cycle=cycle, name=PAYLOAD[:60])
    JudgeFactory(cycle=cycle, user=committee_a, role=JudgeRole.CHAIR)
    scorer = JudgeFactory(cycle=cycle, user=UserFactory(username="scorer"))
    application = ApplicationFactory(
        cycle=cycle,
        category=category,
        stage=stage,
        title=PAYLOAD[:200],
        jurisdiction_name=PAYLOAD[:100],
        contact_name=PAYLOAD[:100],
        scanning=PAYLOAD,
        analysis=PAYLOAD,
        response=PAYLOAD,
        assessment=PAYLOAD,
    )
    Score.objects.create(
        application=application, criterion=criterion, judge=scorer.user, value=4, comment=PAYLOAD
    )
    chair = Judge.objects.get(cycle=cycle, user=committee_a)
    close_scoring(judge=chair)
    decide(judge=chair, application=application, level="winner", citation=PAYLOAD)

    client.force_login(committee_a)
    for name, args in (
        ("judging:cycle", [cycle.pk]),
        ("judging:ranking", [cycle.pk]),
        ("judging:history", [cycle.pk]),
        ("judging:application", [application.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert_nothing_executable(response.content.decode())
    export = client.get(reverse("judging:export", args=[cycle.pk]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert export["X-Content-Type-Options"] == "nosniff"
    client.logout()

    now = timezone.now()
    cycle.opens_at = now - timedelta(days=30)
    cycle.closes_at = now - timedelta(days=2)
    cycle.announce_at = now - timedelta(days=1)
    cycle.save()
    for name in ("awards:cycle_detail", "awards:cycle_results"):
        url = reverse(name, kwargs={"award": award_a.slug, "slug": cycle.slug})
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.content.decode()
        assert_nothing_executable(body)
    assert "&lt;script&gt;" in body  # the citation is shown, as text
