"""The judging permission matrix, through real requests: members of another award's
committee get 403 everywhere, recused judges never see scores, blind cycles never show
who applied (pages, lists, CSV, history), and curators cannot score unless assigned."""

import pytest
from django.urls import reverse

from awards.models import JudgeRole, Recusal, RecusalKind, Score
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    CycleFactory,
    JudgeFactory,
    JurisdictionFactory,
    StageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_a(award_a, committee_a):
    """A blind cycle of award A (committee_a chairs it) with one scored application."""
    category = award_a.categories.get()
    cycle = CycleFactory(award=award_a, categories=[category], blind=True)
    criteria = [CriterionFactory(cycle=cycle, scale=5), CriterionFactory(cycle=cycle, scale=5)]
    stage = StageFactory(cycle=cycle, name="Screening")
    JudgeFactory(cycle=cycle, user=committee_a, role=JudgeRole.CHAIR)
    scorer = JudgeFactory(cycle=cycle, user=UserFactory(username="scorer"))
    application = ApplicationFactory(
        cycle=cycle,
        category=category,
        stage=stage,
        jurisdiction_name="Lakeview",
        contact_name="Robin Hale",
        contact_email="robin.hale@lakeview.example.org",
        jurisdiction=JurisdictionFactory(name="Lakeview", slug="lakeview"),
    )
    for criterion in criteria:
        Score.objects.create(
            application=application,
            criterion=criterion,
            judge=scorer.user,
            value=4,
            comment="Secret comment from the scorer",
        )
    return {"cycle": cycle, "application": application, "criteria": criteria, "stage": stage}


def judging_urls(cycle, application):
    return [
        ("get", reverse("judging:cycle", args=[cycle.pk])),
        ("get", reverse("judging:ranking", args=[cycle.pk])),
        ("get", reverse("judging:history", args=[cycle.pk])),
        ("get", reverse("judging:export", args=[cycle.pk])),
        ("get", reverse("judging:application", args=[application.pk])),
        ("get", reverse("judging:document", args=[application.pk])),
        ("post", reverse("judging:application", args=[application.pk])),
        ("post", reverse("judging:recuse", args=[application.pk])),
        ("post", reverse("judging:stage", args=[application.pk])),
        ("post", reverse("judging:decide", args=[application.pk])),
        ("post", reverse("judging:close_scoring", args=[cycle.pk])),
    ]


def test_a_judge_of_another_award_gets_403_everywhere(client, cycle_a, award_b, committee_b):
    # committee_b judges a cycle of award B, so they have judging pages of their own.
    JudgeFactory(cycle=CycleFactory(award=award_b), user=committee_b, role=JudgeRole.CHAIR)
    client.force_login(committee_b)
    for method, url in judging_urls(cycle_a["cycle"], cycle_a["application"]):
        response = getattr(client, method)(url, {"level": "winner", "citation": "x"})
        assert response.status_code == 403, (method, url)
    page = client.get(reverse("judging:home")).content.decode()
    assert str(cycle_a["cycle"]) not in page
    assert not Recusal.objects.filter(judge=committee_b).exists()
    # Nor does the admin show them cycles or applications.
    for name in ("cycle", "application", "historyentry"):
        assert client.get(reverse(f"admin:awards_{name}_changelist")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, cycle_a):
    for method, url in judging_urls(cycle_a["cycle"], cycle_a["application"]):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("admin:login") in response["Location"]


def test_a_judge_who_left_the_committee_loses_access(client, cycle_a, award_a):
    scorer = UserFactory(username="scorer")
    award_a.committee.remove(scorer)
    client.force_login(scorer)
    assert client.get(reverse("judging:cycle", args=[cycle_a["cycle"].pk])).status_code == 403


def test_curators_and_superusers_cannot_score_unless_assigned(client, cycle_a, curator, superuser):
    application, criteria = cycle_a["application"], cycle_a["criteria"]
    data = {f"score_{c.pk}": 5 for c in criteria}
    for user in (curator, superuser):
        client.force_login(user)
        url = reverse("judging:application", args=[application.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
        assert not Score.objects.filter(judge=user).exists()
        # Curators set cycles up in the admin.
        assert client.get(reverse("admin:awards_cycle_changelist")).status_code == 200


def test_the_committee_admin_refuses_a_non_member_as_judge(cycle_a, curator):
    from django.core.exceptions import ValidationError

    from awards.models import Judge

    judge = Judge(cycle=cycle_a["cycle"], user=curator)
    with pytest.raises(ValidationError):
        judge.full_clean()


def test_only_the_chair_ranks_moves_and_decides(client, cycle_a):
    client.force_login(UserFactory(username="scorer"))
    cycle, application = cycle_a["cycle"], cycle_a["application"]
    assert client.get(reverse("judging:ranking", args=[cycle.pk])).status_code == 403
    assert client.post(reverse("judging:close_scoring", args=[cycle.pk])).status_code == 403
    response = client.post(
        reverse("judging:stage", args=[application.pk]), {"stage": cycle_a["stage"].pk}
    )
    assert response.status_code == 403
    assert client.get(reverse("judging:cycle", args=[cycle.pk])).status_code == 200


def test_post_only_pages_refuse_get(client, cycle_a, committee_a):
    client.force_login(committee_a)
    application = cycle_a["application"]
    for name in ("recuse", "stage", "decide"):
        assert client.get(reverse(f"judging:{name}", args=[application.pk])).status_code == 405
    url = reverse("judging:close_scoring", args=[cycle_a["cycle"].pk])
    assert client.get(url).status_code == 405


def test_a_recused_judge_never_sees_the_scores(client, cycle_a, committee_a):
    cycle, application = cycle_a["cycle"], cycle_a["application"]
    client.force_login(committee_a)  # the chair
    response = client.post(
        reverse("judging:recuse", args=[application.pk]), {"note": "I advised them"}
    )
    assert response.status_code == 302
    assert Recusal.objects.get(judge=committee_a).kind == RecusalKind.DECLARED
    client.post(reverse("judging:close_scoring", args=[cycle.pk]))  # even after closing
    for url in (
        reverse("judging:application", args=[application.pk]),
        reverse("judging:ranking", args=[cycle.pk]),
        reverse("judging:history", args=[cycle.pk]),
        reverse("judging:cycle", args=[cycle.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Secret comment" not in page, url
        assert "80.0" not in page and "80,0" not in page, url
    export = b"".join(client.get(reverse("judging:export", args=[cycle.pk])).streaming_content)
    assert b"80.0" not in export
    # A recused judge cannot score either.
    data = {f"score_{c.pk}": 1 for c in cycle_a["criteria"]}
    response = client.post(reverse("judging:application", args=[application.pk]), data)
    assert response.status_code == 403
    assert not Score.objects.filter(judge=committee_a).exists()


def test_a_judge_who_scored_sees_the_others_in_the_csv(client, cycle_a, committee_a):
    client.force_login(committee_a)
    cycle, application = cycle_a["cycle"], cycle_a["application"]
    url = reverse("judging:export", args=[cycle.pk])
    before = b"".join(client.get(url).streaming_content).decode()
    assert "80.0" not in before
    data = {f"score_{c.pk}": 2 for c in cycle_a["criteria"]}
    client.post(reverse("judging:application", args=[application.pk]), data)
    after = b"".join(client.get(url).streaming_content).decode()
    assert "60.0" in after  # mean of 80 and 40


def test_a_blind_cycle_never_shows_who_applied(client, cycle_a, committee_a):
    cycle, application = cycle_a["cycle"], cycle_a["application"]
    client.force_login(committee_a)
    client.post(reverse("judging:close_scoring", args=[cycle.pk]))
    pages = [
        client.get(reverse("judging:home")),
        client.get(reverse("judging:cycle", args=[cycle.pk])),
        client.get(reverse("judging:application", args=[application.pk])),
        client.get(reverse("judging:ranking", args=[cycle.pk])),
        client.get(reverse("judging:history", args=[cycle.pk])),
    ]
    export = client.get(reverse("judging:export", args=[cycle.pk]))
    texts = [page.content.decode() for page in pages]
    texts.append(b"".join(export.streaming_content).decode())
    for text in texts:
        for secret in ("Lakeview", "lakeview", "Robin Hale", "robin.hale"):
            assert secret not in text
    assert application.reference in texts[1] and application.reference in texts[-1]
    assert client.get(reverse("judging:document", args=[application.pk])).status_code == 403


def test_a_named_cycle_shows_the_applicant_to_judges(client, cycle_a, committee_a):
    cycle, application = cycle_a["cycle"], cycle_a["application"]
    cycle.blind = False
    cycle.save()
    client.force_login(committee_a)
    assert "Lakeview" in client.get(reverse("judging:cycle", args=[cycle.pk])).content.decode()
    page = client.get(reverse("judging:application", args=[application.pk])).content.decode()
    assert "robin.hale@lakeview.example.org" in page
    export = b"".join(client.get(reverse("judging:export", args=[cycle.pk])).streaming_content)
    assert b"Lakeview" in export


def test_decisions_need_the_chair_unrecused_and_scoring_closed(client, cycle_a, committee_a):
    from awards.models import Decision

    cycle, application = cycle_a["cycle"], cycle_a["application"]
    client.force_login(committee_a)
    url = reverse("judging:decide", args=[application.pk])
    client.post(url, {"level": "winner", "citation": "Great work"})
    assert not Decision.objects.exists()  # scoring still open
    client.post(reverse("judging:close_scoring", args=[cycle.pk]))
    client.post(url, {"level": "champion", "citation": "Great work"})
    client.post(url, {"level": "winner", "citation": "   "})
    assert not Decision.objects.exists()
    assert client.post(url, {"level": "finalist", "citation": "Great work"}).status_code == 302
    assert client.post(url, {"level": "winner", "citation": "Again"}).status_code == 302
    assert Decision.objects.get().level == "finalist"


def test_a_stage_of_another_cycle_is_refused(client, cycle_a, committee_a):
    client.force_login(committee_a)
    other = StageFactory()
    url = reverse("judging:stage", args=[cycle_a["application"].pk])
    assert client.post(url, {"stage": other.pk}).status_code == 400
    assert client.post(url, {"stage": "x"}).status_code == 400
    cycle_a["application"].refresh_from_db()
    assert cycle_a["application"].stage == cycle_a["stage"]


def test_scores_out_of_range_are_refused(client, cycle_a):
    client.force_login(UserFactory(username="scorer"))
    application, criteria = cycle_a["application"], cycle_a["criteria"]
    url = reverse("judging:application", args=[application.pk])
    for bad in ("6", "-1", "many", ""):
        data = {f"score_{c.pk}": bad for c in criteria}
        assert client.post(url, data).status_code == 400
    assert set(Score.objects.values_list("value", flat=True)) == {4}


def test_unknown_ids_are_404(client, committee_a):
    client.force_login(committee_a)
    assert client.get(reverse("judging:cycle", args=[999999])).status_code == 404
    assert client.get(reverse("judging:application", args=[999999])).status_code == 404


def test_a_blind_history_does_not_say_whose_jurisdiction_applied(client, cycle_a, committee_a):
    from awards.judging import sync_automatic_recusals

    cycle, application = cycle_a["cycle"], cycle_a["application"]
    JudgeFactory(
        cycle=cycle, user=UserFactory(username="neighbour"), jurisdiction=application.jurisdiction
    )
    sync_automatic_recusals(cycle=cycle)
    client.force_login(committee_a)
    page = client.get(reverse("judging:history", args=[cycle.pk])).content.decode()
    assert "neighbour" in page and "Own jurisdiction" not in page
    client.force_login(UserFactory(username="neighbour"))
    page = client.get(reverse("judging:history", args=[cycle.pk])).content.decode()
    assert "Own jurisdiction" in page


def test_curators_set_up_cycles_and_committees_judge_outside_the_admin():
    from django.contrib.auth.models import Group

    def perms(name):
        group = Group.objects.get(name=name)
        return {p.codename for p in group.permissions.filter(content_type__app_label="awards")}

    curators = perms("Curators")
    for model in ("cycle", "criterion", "stage", "judge"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}"} <= curators
    assert {"view_application", "view_score", "view_decision", "view_historyentry"} <= curators
    assert "add_score" not in curators and "add_decision" not in curators
    committee = perms("Award committee")
    assert not {"view_cycle", "view_application", "view_score"} & committee
