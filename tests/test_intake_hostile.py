"""Hostile input on the three public forms: script, oversize, too many links, a filled-in
honeypot and rapid repeats. Never a 5xx; nothing is saved from a refused post."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import Adoption, Correction, Submission
from tests.factories import PracticeFactory
from tests.test_intake_flow import share_data

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def practice():
    return PracticeFactory(published=True, slug="late-night-basketball")


def correction_data(**overrides):
    data = {
        "field": "results",
        "correction": "Arrests fell by 20%, not 30%.",
        "source_url": "https://city.example.org/evaluation",
        "contact_name": "Lee Park",
        "contact_email": "lee@example.org",
    }
    return {**data, **overrides}


def adoption_data(**overrides):
    data = {
        "jurisdiction_name": "Hillview",
        "jurisdiction_kind": "town",
        "country": "US",
        "region": "Texas",
        "population": "8500",
        "year_adopted": "2022",
        "changes": "Friday nights only.",
        "outcome": "worked",
        "outcome_notes": "Calls after dark fell.",
        "contact_name": "Sam Lee",
        "contact_email": "sam@hillview.example.org",
    }
    return {**data, **overrides}


# name: (url maker, data maker, model, a free-text field, its length limit, a link field)
FORMS = {
    "share": (lambda p: reverse("intake:share"), share_data, Submission, "approach", 10000),
    "correction": (
        lambda p: reverse("intake:correction", args=[p.slug]),
        correction_data,
        Correction,
        "correction",
        5000,
    ),
    "adoption": (
        lambda p: reverse("intake:adoption", args=[p.slug]),
        adoption_data,
        Adoption,
        "changes",
        5000,
    ),
}


@pytest.fixture(params=list(FORMS))
def public_form(request, practice):
    make_url, make_data, model, text_field, limit = FORMS[request.param]
    return {
        "name": request.param,
        "url": make_url(practice),
        "data": make_data,
        "model": model,
        "text": text_field,
        "limit": limit,
    }


def test_script_is_stored_as_text_and_shown_escaped(client, curator, public_form):
    data = public_form["data"](**{public_form["text"]: SCRIPT, "contact_name": SCRIPT})
    response = client.post(public_form["url"], data)
    assert response.status_code == 302
    item = public_form["model"].objects.get()
    assert getattr(item, public_form["text"]) == SCRIPT
    receipt = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in receipt
    client.force_login(curator)
    for url in (item.admin_url(), reverse("intake_queue") + "?state=all"):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert" in client.get(item.admin_url()).content.decode()


def test_script_links_are_refused(client, public_form):
    name = public_form["name"]
    if name == "share":
        data = public_form["data"](source_links="javascript:alert(1)")
        field = "source_links"
    elif name == "correction":
        data = public_form["data"](source_url="javascript:alert(1)")
        field = "source_url"
    else:
        data = public_form["data"](contact_email="javascript:alert(1)")
        field = "contact_email"
    response = client.post(public_form["url"], data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not public_form["model"].objects.exists()


def test_oversized_text_is_refused_with_a_clear_error(client, public_form):
    text = public_form["text"]
    data = public_form["data"](**{text: "x" * (public_form["limit"] + 1)})
    response = client.post(public_form["url"], data)
    assert response.status_code == 400
    [message] = response.context["form"].errors[text]
    assert str(public_form["limit"]) in message.replace(",", "")
    assert not public_form["model"].objects.exists()


def test_oversized_body_is_refused_before_it_is_read(client, public_form, settings):
    settings.PUBLIC_FORM_MAX_PDF_MB = 1
    data = public_form["data"](**{public_form["text"]: "x" * (2 * 1024 * 1024 + 10)})
    response = client.post(public_form["url"], data)
    assert response.status_code == 413
    assert not public_form["model"].objects.exists()


def test_too_many_links_in_free_text_are_refused(client, public_form):
    links = " ".join(f"https://spam{n}.example.com/buy" for n in range(4))
    text = public_form["text"]
    response = client.post(public_form["url"], public_form["data"](**{text: links}))
    assert response.status_code == 400
    assert "Too many links" in str(response.context["form"].errors[text])
    assert not public_form["model"].objects.exists()


def test_too_many_or_too_long_sources_are_refused(client):
    many = "\n".join(f"https://city.example.org/report-{n}" for n in range(11))
    response = client.post(reverse("intake:share"), share_data(source_links=many))
    assert response.status_code == 400
    assert "at most 10" in str(response.context["form"].errors["source_links"])
    long = "https://city.example.org/" + "a" * 500
    response = client.post(reverse("intake:share"), share_data(source_links=long))
    assert response.status_code == 400
    assert "Line 1" in str(response.context["form"].errors["source_links"])
    assert not Submission.objects.exists()


def test_a_disguised_pdf_is_refused(client):
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = client.post(reverse("intake:share"), share_data(document=fake))
    assert response.status_code == 400
    assert "not a PDF" in str(response.context["form"].errors["document"])
    assert not Submission.objects.exists()


def test_a_bot_filled_honeypot_is_refused_and_nobody_is_mailed(
    client, curator, public_form, smtp_server
):
    data = public_form["data"](homepage="https://spam.example.com")
    response = client.post(public_form["url"], data)
    assert response.status_code == 400
    assert not public_form["model"].objects.exists()
    assert smtp_server.messages() == []


def test_a_rapid_repeat_is_stored_once(client, public_form):
    first = client.post(public_form["url"], public_form["data"]())
    again = client.post(public_form["url"], public_form["data"]())
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert public_form["model"].objects.count() == 1


def test_rapid_posts_from_one_address_hit_the_rate_limit(client, public_form, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    # A field that tells one report from another (not a repeat of the same report).
    key = {"share": "title", "correction": "correction", "adoption": "jurisdiction_name"}
    field = key[public_form["name"]]
    for n in range(2):
        data = public_form["data"](**{field: f"Version {n}"})
        assert client.post(public_form["url"], data).status_code == 302
    data = public_form["data"](**{field: "A third, different one"})
    response = client.post(public_form["url"], data)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert public_form["model"].objects.count() == 2
    # Another address is not held back.
    other = client.post(public_form["url"], data, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_missing_required_fields_are_named(client, public_form):
    response = client.post(public_form["url"], {})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and "This field is required." in body
    assert not public_form["model"].objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, public_form, method):
    assert getattr(client, method)(public_form["url"]).status_code == 405


def test_receipts_for_unknown_or_malformed_references_are_404(client):
    for reference in ("S-AAAAAAAA", "X-1", "S-" + "A" * 40, "%00"):
        assert client.get(f"/share/received/{reference}/").status_code == 404
