"""`make run` on an existing catalogue: the real `manage.py load_demo`, run as its own
process against the test database, keeps what curators did between two starts."""

import pytest

from clearinghouse.management.commands.load_demo import read
from practices import services
from practices.models import Practice, Publication, PublishingState
from tests.conftest import ROOT, manage, subprocess_database_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PRACTICES = len(read("practices.json"))


def load_demo(*args: str) -> str:
    result = manage("load_demo", *args, env={"DATABASE_URL": subprocess_database_url()})
    assert result.returncode == 0, result.stderr
    return result.stdout


def dates() -> dict:
    return {
        model._meta.label: sorted(
            model.objects.values_list("slug", "state", "created_at", "published_at", "updated_at")
        )
        for model in (Practice, Publication)
    }


def test_make_run_loads_the_demo_only_into_an_empty_catalogue():
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py load_demo --if-empty" in recipe


def test_a_curators_edit_and_archive_survive_the_next_start():
    curator = UserFactory(username="curator", is_staff=True)
    assert f"practices: {DEMO_PRACTICES} added" in load_demo(
        "--if-empty"
    )  # first start, empty database

    edited = Practice.objects.get(slug="boston-operation-ceasefire")
    edited.summary = "A curator's better summary."
    edited.updated_by = curator
    edited.save()
    archived = Practice.objects.get(slug="oakland-ceasefire")
    services.archive(archived, user=curator)
    before = dates()

    assert "not loaded" in load_demo("--if-empty")  # the next `make run`
    assert dates() == before
    report = load_demo()  # and a plain load_demo, run by hand, keeps them too
    assert f"practices: {DEMO_PRACTICES - 2} unchanged, 2 kept" in report
    assert dates() == before, "no record was written, so no date moved"

    edited.refresh_from_db()
    archived.refresh_from_db()
    assert edited.summary == "A curator's better summary."
    assert archived.state == PublishingState.ARCHIVED
    assert not Practice.objects.published().filter(slug="oakland-ceasefire").exists()
