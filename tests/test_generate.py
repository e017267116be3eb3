"""The synthetic catalogue for scale tests: generate_practices and bench.generator."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from awards.models import Recognition
from bench.generator import GeneratorRefused, generate
from practices.models import Jurisdiction, Language, PopulationBand, Practice, Source
from tests.factories import PracticeFactory, PublicationFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def catalogue() -> list[tuple]:
    return list(
        Practice.objects.order_by("slug").values_list(
            "slug",
            "title",
            "summary",
            "language",
            "lead_jurisdiction__slug",
            "evidence_rating",
            "year_started",
            "published_at",
        )
    )


def test_generates_published_varied_practices():
    report = generate(count=400, seed=3)
    assert report.practices == 400
    practices = Practice.objects.all()
    assert practices.count() == 400
    assert practices.published().count() == 400
    assert not practices.exclude(slug__startswith="gen-").exists()

    # Both languages, each with a search vector built for it.
    languages = dict(practices.values_list("language").annotate(n=Count("id")))
    assert languages[Language.ENGLISH] > 50 and languages[Language.SPANISH] > 50
    english = practices.filter(search_vector=SearchQuery("lighting", config="ch_english"))
    spanish = practices.filter(search_vector=SearchQuery("alumbrado", config="ch_spanish"))
    assert english.exists() and spanish.exists()

    # Every practice has topics and departments; some have partners, sources, outcomes.
    assert not practices.filter(topics=None).exists()
    assert not practices.filter(departments=None).exists()
    assert practices.exclude(partner_jurisdictions=None).exists()
    assert Source.objects.filter(practice__in=practices).exists()

    # Places of every population band, in many countries.
    leads = Jurisdiction.objects.filter(led_practices__isnull=False).distinct()
    assert {j.population_band for j in leads} == set(PopulationBand)
    assert leads.values("country").distinct().count() >= 10

    # Recognitions from several awards, about one practice in eight.
    recognitions = Recognition.objects.filter(practice__in=practices)
    assert report.recognitions == recognitions.count()
    assert 20 < recognitions.count() < 120
    assert recognitions.values("award").distinct().count() == 3
    assert not recognitions.filter(category__isnull=True).exists()

    # Realistic lengths, and every record passes the model's validation.
    for practice in practices.order_by("?")[:25]:
        practice.full_clean()
        assert 150 < len(practice.summary) < 600
        assert practice.contact_email.endswith("@example.org")


def test_same_seed_same_catalogue_and_replace_starts_over():
    generate(count=60, seed=11)
    first = catalogue()
    generate(count=60, seed=11, replace=True)
    assert catalogue() == first
    generate(count=60, seed=12, replace=True)
    assert Practice.objects.count() == 60
    assert catalogue() != first


def test_without_replace_it_adds_after_the_generated_ones():
    generate(count=30, seed=1)
    generate(count=20, seed=2)
    assert Practice.objects.count() == 50


def test_refuses_a_catalogue_it_did_not_generate():
    own = PracticeFactory(published=True, slug="real-program")
    with pytest.raises(GeneratorRefused, match="1 practice"):
        generate(count=10)
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_practices", "--count", "10")
    assert Practice.objects.count() == 1

    # --force adds beside it; --replace then deletes only the generated ones.
    SourceFactory(practice=own)
    generate(count=10, force=True)
    generated = Practice.objects.filter(slug__startswith="gen-").first()
    publication = PublicationFactory(practices=[generated, own])
    generate(count=5, force=True, replace=True, seed=9)
    assert Practice.objects.filter(slug__startswith="gen-").count() == 5
    assert Practice.objects.filter(pk=own.pk).exists()
    assert own.sources.count() == 1
    assert list(publication.practices.all()) == [own]


def test_reuses_existing_reference_data_by_slug():
    topic = TopicFactory(slug="gun-violence", name="Gun violence (curated)")
    generate(count=50, seed=4)
    topic.refresh_from_db()
    assert topic.name == "Gun violence (curated)"
    generate(count=10, seed=5)  # the second run finds all its reference data
    assert Jurisdiction.objects.filter(slug__startswith="gen-").count() == 800


def test_command_prints_the_time_and_can_leave_drafts(capsys):
    call_command("generate_practices", "--count", "25", "--drafts", "--seed", "8")
    out = capsys.readouterr().out
    assert "Generated 25 practices" in out and " s." in out
    assert Practice.objects.count() == 25
    assert not Practice.objects.published().exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_practices", "--count", "0")


def test_large_loads_rebuild_the_full_text_index(monkeypatch):
    from django.db import connection

    from bench import generator

    monkeypatch.setattr(generator, "BULK_INDEX_THRESHOLD", 10)
    generate(count=40, seed=6)

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'practice_search_gin'")
        assert "USING gin (search_vector)" in cursor.fetchone()[0]
    found = Practice.objects.filter(search_vector=SearchQuery("program", config="ch_english"))
    assert found.exists()


def test_generation_drops_cached_pages_and_feeds_the_suggestions():
    from clearinghouse.cache import catalogue_version
    from practices.search import suggest

    before = catalogue_version()
    generate(count=200, seed=5)
    assert catalogue_version() != before
    assert suggest("lightting") is not None
