"""The curated demo catalogue (manage.py load_demo) and the About page."""

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from awards.models import Award, AwardCategory, Recognition
from clearinghouse.management.commands import load_demo
from practices.models import (
    Department,
    EvidenceRating,
    EvidenceStrength,
    Initiative,
    Jurisdiction,
    Language,
    Outcome,
    PartnerPair,
    PopulationBand,
    Practice,
    Publication,
    PublishingState,
    Source,
    Topic,
)
from tests.factories import PracticeFactory, SourceFactory

pytestmark = pytest.mark.django_db

DEMO_PRACTICES = len(load_demo.read("practices.json"))
# Demo practices whose department or office publishes a public page (contact_name + website).
DEMO_CONTACTS = 33
# A named person rather than an office: "jane.doe@..." or "Dr. Jane Doe".
PERSONAL_EMAIL = re.compile(r"^[a-z]+[._-][a-z]+@", re.IGNORECASE)
PERSONAL_TITLE = re.compile(r"^(Dr|Mr|Mrs|Ms|Prof|Sgt|Capt|Lt|Det)\b\.?\s", re.IGNORECASE)

DEMO_MODELS = [
    Topic,
    Department,
    Jurisdiction,
    Initiative,
    PartnerPair,
    Practice,
    Source,
    Outcome,
    Publication,
    Award,
    AwardCategory,
    Recognition,
    Practice.topics.through,
    Practice.departments.through,
    Practice.partner_jurisdictions.through,
    Publication.topics.through,
    Publication.practices.through,
]


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in DEMO_MODELS}


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """Load the catalogue once for the module, inside a transaction rolled back at the end;
    each test still runs in its own savepoint, so edits made by one test do not leak."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_catalogue, db):
    return None


# Tests on an empty database come first: the module-wide catalogue is loaded when the
# first test that needs it runs, and stays until the end of the module.


def test_bad_data_rolls_back_everything(tmp_path, monkeypatch):
    demo_dir = Path(load_demo.DEMO_DIR)
    broken = tmp_path / "demo"
    shutil.copytree(demo_dir, broken)
    rows = json.loads((broken / "practices.json").read_text(encoding="utf-8"))
    rows[-1]["topics"] = ["no-such-topic"]
    (broken / "practices.json").write_text(json.dumps(rows), encoding="utf-8")
    monkeypatch.setattr(load_demo, "DEMO_DIR", broken)
    with pytest.raises(CommandError, match="no-such-topic"):
        load()
    assert Practice.objects.count() == 0
    assert Topic.objects.count() == 0


def test_unreadable_data_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(load_demo, "DEMO_DIR", tmp_path)
    with pytest.raises(CommandError, match="Cannot read"):
        load()


def test_about_page_works_on_an_empty_catalogue(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "No practices have been published yet." in response.content.decode()


def test_catalogue_spreads_across_facets(demo):
    practices = Practice.objects.published()
    assert practices.count() >= 75
    assert practices.count() == Practice.objects.count(), "every demo record is published"
    assert practices.values("lead_jurisdiction__country").distinct().count() >= 8, (
        "at least 8 countries"
    )
    assert practices.filter(language=Language.SPANISH).count() >= 8
    assert Topic.objects.filter(practices__in=practices).distinct().count() >= 10
    assert Department.objects.filter(practices__in=practices).distinct().count() >= 8
    bands = {
        p.lead_jurisdiction.population_band for p in practices.select_related("lead_jurisdiction")
    }
    assert bands == set(PopulationBand)
    assert not practices.annotate(n=Count("sources")).filter(n=0).exists()
    assert Publication.objects.published().count() >= 10
    assert Award.objects.count() >= 3
    assert Initiative.objects.filter(slug__in=["amuprev", "citylinks"]).count() == 2
    assert PartnerPair.objects.filter(initiative__slug="amuprev").count() >= 10
    assert Recognition.objects.filter(award__slug="herman-goldstein-award").count() >= 10
    assert Recognition.objects.filter(
        award__slug="icma-local-government-excellence-awards"
    ).exists()


def test_every_demo_record_is_complete_and_valid(demo):
    for practice in Practice.objects.select_related("lead_jurisdiction"):
        practice.full_clean()
        assert practice.published_at is not None
        assert practice.created_at <= practice.published_at
        assert practice.topics.exists(), practice.slug
        assert practice.evidence_notes, practice.slug
        if practice.evidence_rating == EvidenceRating.INSUFFICIENT:
            assert practice.evidence_strength == EvidenceStrength.NONE, practice.slug
        else:
            assert practice.evidence_strength != EvidenceStrength.NONE, practice.slug
        jurisdiction = practice.lead_jurisdiction
        assert jurisdiction.population and jurisdiction.population_year, jurisdiction.slug
        for source in practice.sources.all():
            source.full_clean()
            assert source.url.startswith(("https://", "http://"))
    for publication in Publication.objects.all():
        publication.full_clean()
        assert publication.published_at is not None
        assert publication.topics.exists(), publication.slug
    for recognition in Recognition.objects.select_related("category"):
        recognition.full_clean()
        assert recognition.practice.is_published


def test_demo_contacts_are_offices_loaded_as_the_catalogue_gives_them(demo):
    """The contact fields come through load_demo as the demo file has them, and each
    contact is an organisation with its public page, never a person's details."""
    rows = {row["slug"]: row for row in load_demo.read("practices.json")}
    with_contact = Practice.objects.exclude(contact_name="")
    assert with_contact.count() >= DEMO_CONTACTS
    fields = ("contact_name", "contact_role", "contact_email", "contact_phone", "website")
    for practice in with_contact:
        row = rows[practice.slug]
        for field in fields:
            assert getattr(practice, field) == row.get(field, ""), (practice.slug, field)
        assert practice.website.startswith(("https://", "http://")), practice.slug
        assert not PERSONAL_TITLE.match(practice.contact_name), practice.slug
        assert not PERSONAL_EMAIL.match(practice.contact_email), practice.slug


def test_publication_dates_are_spread_out(demo):
    months = {p.published_at.strftime("%Y-%m") for p in Practice.objects.all()}
    assert len(months) >= 12


def test_spanish_entries_are_found_by_the_spanish_search_configuration(demo):
    found = Practice.objects.published().filter(
        search_vector=SearchQuery("violencia", config="ch_spanish")
    )
    assert found.exists()
    assert set(found.values_list("language", flat=True)) == {Language.SPANISH}
    # Accent folding: "policia" finds entries written with "policía".
    assert (
        Practice.objects.filter(search_vector=SearchQuery("policia", config="ch_spanish"))
        .filter(language=Language.SPANISH)
        .exists()
    )


def dates() -> dict:
    return {
        model._meta.label: sorted(
            model.objects.values_list("slug", "created_at", "published_at", "updated_at")
        )
        for model in (Practice, Publication)
    }


def test_loading_twice_leaves_the_same_counts_and_dates(demo):
    before, dated = counts(), dates()
    report = load()
    assert counts() == before
    assert dates() == dated
    assert f"practices: {DEMO_PRACTICES} unchanged" in report
    assert "added" not in report and "kept" not in report


def test_reload_keeps_curators_changes_and_names_them(demo, curator):
    from practices import services

    practice = Practice.objects.get(slug="boston-operation-ceasefire")
    practice.summary = "A curator's better summary."
    practice.save()
    archived = Practice.objects.get(slug="cure-violence-ceasefire-chicago")
    services.archive(archived, user=curator)
    publication = Publication.objects.order_by("pk").first()
    publication.title = "A curator's title"
    publication.save()
    topic = Topic.objects.get(slug="gun-violence")
    topic.name = "Firearm violence"
    topic.save()
    before = counts()
    dated = dates()

    report = load()

    assert counts() == before
    assert dates() == dated, "nothing was written, so no date moved"
    practice.refresh_from_db()
    archived.refresh_from_db()
    publication.refresh_from_db()
    topic.refresh_from_db()
    assert practice.summary == "A curator's better summary."
    assert archived.state == PublishingState.ARCHIVED
    assert publication.title == "A curator's title"
    assert topic.name == "Firearm violence"
    assert f"practices: {DEMO_PRACTICES - 2} unchanged, 2 kept" in report
    assert "practices: cure-violence-ceasefire-chicago, boston-operation-ceasefire" in report
    assert "load_demo --replace" in report


def test_missing_demo_records_are_added_back_and_dated_as_the_demo_says(demo):
    practice = Practice.objects.get(slug="boston-operation-ceasefire")
    published_at = practice.published_at
    practice.delete()
    report = load()
    assert f"practices: 1 added, {DEMO_PRACTICES - 1} unchanged" in report
    restored = Practice.objects.get(slug="boston-operation-ceasefire")
    assert restored.is_published
    assert restored.published_at == published_at
    assert restored.updated_at == published_at
    assert restored.sources.exists() and restored.topics.exists()


def test_if_empty_loads_nothing_into_a_catalogue_with_records(demo):
    practice = Practice.objects.get(slug="boston-operation-ceasefire")
    practice.delete()
    before = counts()
    report = load("--if-empty")
    assert "not loaded" in report
    assert counts() == before


def test_replace_and_if_empty_cannot_be_combined():
    with pytest.raises(CommandError):
        load("--replace", "--if-empty")


def test_replace_repairs_edited_records_and_replaces_inline_rows(demo, curator):
    from practices import services

    practice = Practice.objects.get(slug="boston-operation-ceasefire")
    practice.title = "Edited by hand"
    practice.save()
    practice.topics.clear()
    practice.sources.create(title="Stray link", url="https://example.org/stray")
    services.archive(practice, user=curator)
    untouched = Practice.objects.get(slug="cure-violence-ceasefire-chicago")
    report = load("--replace")
    assert f"practices: 1 updated, {DEMO_PRACTICES - 1} unchanged" in report
    untouched_after = Practice.objects.get(pk=untouched.pk)
    assert untouched_after.updated_at == untouched.updated_at
    practice.refresh_from_db()
    assert practice.is_published
    assert practice.title.startswith("Operation Ceasefire")
    assert practice.topics.filter(slug="gun-violence").exists()
    assert not practice.sources.filter(title="Stray link").exists()


def test_about_page_explains_evidence_and_lists_published_sources(client, demo):
    draft = PracticeFactory(state=PublishingState.DRAFT)
    SourceFactory(practice=draft, url="https://example.org/draft-only-source")
    response = client.get(reverse("about"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "illustrative" in body
    assert "Systematic review or meta-analysis" in body
    assert "https://doi.org/10.1073/pnas.1718503115" in body
    countries = Jurisdiction.objects.filter(led_practices__isnull=False).distinct()
    assert f"from {countries.values('country').distinct().count()} countries" in body
    assert "https://example.org/draft-only-source" not in body
    assert draft.title not in body


def test_about_page_query_count_does_not_grow_with_the_catalogue(
    client, demo, django_assert_num_queries
):
    with django_assert_num_queries(5):
        response = client.get(reverse("about"))
    assert response.status_code == 200


def test_loading_builds_the_did_you_mean_vocabulary(demo):
    from practices.search import suggest

    assert suggest("violense") in {"violence", "violent"}
