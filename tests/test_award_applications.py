"""Hostile input on the public application form: script in every field, oversize,
wrong types, a closed call, a bot-filled honeypot and repeated posts. Never a 5xx,
and nothing is saved from a refused post."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards.forms import ApplicationForm
from awards.models import Application, HistoryEntry
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    CycleFactory,
    PracticeFactory,
)
from tests.test_award_cycles import application_data

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"
TEXT_FIELDS = [
    "title",
    "summary",
    "scanning",
    "analysis",
    "response",
    "assessment",
    "jurisdiction_name",
    "region",
    "contact_name",
    "contact_role",
    "contact_phone",
]


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 1000


@pytest.fixture
def cycle():
    award = AwardFactory(slug="safety-award")
    category = AwardCategoryFactory(
        award=award, name="Cities of 50,000 and over", slug="over-50k", population_band=""
    )
    return CycleFactory(award=award, slug="2026", categories=[category])


def apply_url(cycle):
    return reverse("awards:cycle_apply", kwargs={"award": cycle.award.slug, "slug": cycle.slug})


def good(cycle, **overrides):
    return application_data(cycle.categories.get(), **overrides)


def test_a_good_application_is_saved_once(client, cycle):
    response = client.post(apply_url(cycle), good(cycle))
    assert response.status_code == 302
    assert Application.objects.count() == 1


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_script_in_a_text_field_is_stored_as_text_and_shown_inert(client, cycle, field):
    script = SCRIPT if len(SCRIPT) <= ApplicationForm.base_fields[field].max_length else "<b>1</b>"
    response = client.post(apply_url(cycle), good(cycle, **{field: script}))
    assert response.status_code == 302
    application = Application.objects.get()
    assert getattr(application, field) == script
    receipt = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in receipt and "<img src=x" not in receipt
    if field == "title":
        assert "&lt;script&gt;" in receipt


@pytest.mark.parametrize("field", ["contact_email", "country", "population", "category"])
def test_script_in_a_typed_field_is_an_error(client, cycle, field):
    response = client.post(apply_url(cycle), good(cycle, **{field: SCRIPT}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "<script>alert" not in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_oversized_text_is_refused_field_by_field(client, cycle, field):
    limit = ApplicationForm.base_fields[field].max_length
    response = client.post(apply_url(cycle), good(cycle, **{field: "a" * (limit + 1)}))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("population", "many"),
        ("population", "-5"),
        ("population", "99999999999999999999"),
        ("category", "abc"),
        ("category", "999999"),
        ("country", "XX"),
        ("contact_email", "not-an-email"),
        ("practice_link", "/practices/no-such-practice/"),
        ("title", ""),
        ("scanning", "   "),
        ("title", "nul\x00byte"),
    ],
)
def test_wrong_types_get_their_own_error_and_save_nothing(client, cycle, field, value):
    response = client.post(apply_url(cycle), good(cycle, **{field: value}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and len(errors) == 1, errors
    assert not Application.objects.exists()
    assert not HistoryEntry.objects.exists()


def test_every_bad_field_gets_its_own_error_at_once(client, cycle):
    data = good(
        cycle, title="", contact_email="nope", population="x", country="ZZ", summary="a" * 5000
    )
    response = client.post(apply_url(cycle), data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "title",
        "contact_email",
        "population",
        "country",
        "summary",
    }
    assert not Application.objects.exists()


def test_a_category_of_another_award_is_refused(client, cycle):
    other = AwardCategoryFactory()
    response = client.post(apply_url(cycle), good(cycle, category=other.pk))
    assert response.status_code == 400 and "category" in response.context["form"].errors


def test_a_population_outside_the_category_band_is_refused(client, cycle):
    category = cycle.categories.get()
    category.population_band = "under-10k"
    category.save()
    response = client.post(apply_url(cycle), good(cycle, population="61000"))
    assert response.status_code == 400
    assert "does not fit" in str(response.context["form"].errors["category"])


def test_a_pdf_is_checked_like_publication_pdfs(client, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("entry.pdf", b"<html><script>x</script></html>", "application/pdf")
    response = client.post(apply_url(cycle), {**good(cycle), "document": fake})
    assert response.status_code == 400 and "document" in response.context["form"].errors
    assert not Application.objects.exists()
    real = SimpleUploadedFile("entry.pdf", PDF, "application/pdf")
    response = client.post(apply_url(cycle), {**good(cycle), "document": real})
    assert response.status_code == 302
    stored = Application.objects.get().document
    assert stored.read() == PDF
    assert "entry" not in stored.name and stored.name.startswith("applications/")


def test_an_oversized_post_is_refused_before_reading(client, cycle, settings):
    settings.PUBLIC_FORM_MAX_PDF_MB = 1
    big = SimpleUploadedFile("entry.pdf", PDF + b"0" * (3 * 1024 * 1024), "application/pdf")
    response = client.post(apply_url(cycle), {**good(cycle), "document": big})
    assert response.status_code == 413
    assert not Application.objects.exists()


def test_a_link_to_a_published_practice_is_kept(client, cycle):
    practice = PracticeFactory(published=True, slug="lights-on")
    draft = PracticeFactory(slug="still-a-draft")
    response = client.post(
        apply_url(cycle), good(cycle, practice_link=f"/es/practices/{draft.slug}/")
    )
    assert response.status_code == 400
    link = f"https://example.org/practices/{practice.slug}/"
    assert client.post(apply_url(cycle), good(cycle, practice_link=link)).status_code == 302
    assert Application.objects.get().practice == practice


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_closed_call_says_so_and_accepts_nothing(client, cycle, when):
    now = timezone.now()
    if when == "before":
        cycle.opens_at, cycle.closes_at = now + timedelta(days=1), now + timedelta(days=5)
    else:
        cycle.opens_at, cycle.closes_at = now - timedelta(days=5), now - timedelta(days=1)
    cycle.announce_at = now + timedelta(days=10)
    cycle.save()
    page = client.get(apply_url(cycle))
    assert page.status_code == 200
    assert "not open" in page.content.decode() or "closed" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    response = client.post(apply_url(cycle), good(cycle))
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_a_filled_honeypot_saves_nothing(client, cycle, mailoutbox):
    response = client.post(apply_url(cycle), good(cycle, homepage="http://spam.example"))
    assert response.status_code == 400
    assert not Application.objects.exists()
    assert mailoutbox == []


def test_a_second_identical_submission_is_caught(client, cycle, mailoutbox):
    assert client.post(apply_url(cycle), good(cycle)).status_code == 302
    # Same entry, different spacing and case.
    again = good(cycle, title="  SAFER nights on main street ")
    response = client.post(apply_url(cycle), again)
    assert response.status_code == 409
    assert "already received" in response.content.decode()
    assert Application.objects.count() == 1
    assert len(mailoutbox) == 1


def test_repeated_posts_from_one_address_are_rate_limited(client, cycle, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 3
    statuses = [
        client.post(apply_url(cycle), good(cycle, title=f"Program {n}")).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Application.objects.count() == 3


def test_non_public_and_unknown_pages_are_404(client, cycle):
    application_url = reverse(
        "awards:cycle_receipt",
        kwargs={"award": cycle.award.slug, "slug": cycle.slug, "reference": "2026-NOPE"},
    )
    assert client.get(application_url).status_code == 404
    cycle.public = False
    cycle.save()
    assert client.get(cycle.get_absolute_url()).status_code == 404
    assert client.get(apply_url(cycle)).status_code == 404
    assert client.post(apply_url(cycle), good(cycle)).status_code == 404
    assert not Application.objects.exists()


def test_public_cycle_pages_refuse_other_methods(client, cycle):
    assert client.put(apply_url(cycle)).status_code == 405
    assert client.post(cycle.get_absolute_url()).status_code == 405


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.dictionaries(
        st.sampled_from([*TEXT_FIELDS, "category", "country", "population", "contact_email"]),
        st.one_of(st.text(max_size=300), st.integers().map(str), st.just("")),
        max_size=6,
    )
)
def test_any_input_gets_an_answer_never_a_server_error(client, cycle, values):
    before = Application.objects.count()
    response = client.post(apply_url(cycle), good(cycle, **values))
    assert response.status_code < 500
    if response.status_code != 302:
        assert Application.objects.count() == before
