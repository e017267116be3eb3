"""The demonstration call that `make run` shows, and the sample judging data."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards.management.commands.load_demo_cycle import AWARD_SLUG, CYCLE_SLUG
from awards.management.commands.load_sample_judging import SAMPLE_SLUG
from awards.models import Application, Award, Cycle, Decision, Recognition, Recusal, Score
from practices.models import Jurisdiction, Practice

pytestmark = pytest.mark.django_db


def test_make_run_loads_the_demonstration_call():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("load_demo;") < recipe.index("load_demo_cycle")


def test_the_demonstration_call_is_open_and_labelled(client):
    call_command("load_demo_cycle", stdout=None)
    cycle = Cycle.objects.get(slug=CYCLE_SLUG)
    assert cycle.is_open() and cycle.demonstration and cycle.public
    assert cycle.criteria.count() == 4 and cycle.stages.count() == 4
    award_page = client.get(reverse("awards:award_detail", args=[AWARD_SLUG])).content.decode()
    assert cycle.get_absolute_url() in award_page and "Demonstration" in award_page
    for url in (
        cycle.get_absolute_url(),
        reverse("awards:cycle_apply", kwargs={"award": AWARD_SLUG, "slug": CYCLE_SLUG}),
    ):
        page = client.get(url).content.decode()
        assert "only shows how the site works" in page
    spanish = client.get("/es" + cycle.get_absolute_url()).content.decode()
    assert 'lang="es"' in spanish


def test_the_demonstration_call_keeps_a_curators_changes():
    call_command("load_demo_cycle")
    Cycle.objects.filter(slug=CYCLE_SLUG).update(name="Renamed by a curator", blind=False)
    Award.objects.filter(slug=AWARD_SLUG).update(name="Curated name")
    call_command("load_demo_cycle")
    cycle = Cycle.objects.get(slug=CYCLE_SLUG)
    assert cycle.name == "Renamed by a curator" and not cycle.blind
    assert Award.objects.get(slug=AWARD_SLUG).name == "Curated name"
    assert Cycle.objects.count() == 1 and cycle.criteria.count() == 4


def test_sample_judging_is_never_public_and_removes_cleanly(client):
    call_command("load_demo_cycle")
    call_command("load_sample_judging", password="a sample password 1")
    call_command("load_sample_judging")  # twice changes nothing
    cycle = Cycle.objects.get(slug=SAMPLE_SLUG)
    assert not cycle.public and Application.objects.filter(cycle=cycle, sample=True).count() == 6
    assert Score.objects.filter(application__cycle=cycle).exists()
    assert Recusal.objects.filter(application__cycle=cycle, judge__username="sample-judge-2")
    # Never public: not on the award page, no call or results page.
    award_page = client.get(reverse("awards:award_detail", args=[AWARD_SLUG])).content.decode()
    assert "Sample" not in award_page
    assert client.get(cycle.get_absolute_url()).status_code == 404
    results = reverse("awards:cycle_results", kwargs={"award": AWARD_SLUG, "slug": SAMPLE_SLUG})
    assert client.get(results).status_code == 404
    # The sample chair can judge; a decision makes a draft practice, removed with the rest.
    assert client.login(username="sample-chair", password="a sample password 1")
    assert client.get(reverse("judging:ranking", args=[cycle.pk])).status_code == 200
    client.post(reverse("judging:close_scoring", args=[cycle.pk]))
    application = Application.objects.get(cycle=cycle, reference="SAMPLE-003")
    client.post(
        reverse("judging:decide", args=[application.pk]),
        {"level": "winner", "citation": "Sample citation"},
    )
    assert Decision.objects.count() == 1 and Practice.objects.count() == 1
    client.logout()
    call_command("load_sample_judging", "--remove")
    assert not Cycle.objects.filter(slug=SAMPLE_SLUG).exists()
    assert not Practice.objects.exists() and not Recognition.objects.exists()
    assert not Jurisdiction.objects.filter(slug__startswith="sample-judging-").exists()
    assert Cycle.objects.filter(slug=CYCLE_SLUG).exists()  # the demo call stays
