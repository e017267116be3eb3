"""Findings of the second security review (issue 18) that are not about absolute URLs:
what a committee member sees in the admin, the admin's "view on site" redirect, the
search vocabulary, NUL bytes in admin query strings, the login redirect, the language
cookie and Cross-Origin-Resource-Policy."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from practices.models import PublishingState
from tests.factories import PracticeFactory, PublicationFactory, RecognitionFactory

pytestmark = pytest.mark.django_db


# --- Committee members see only their own awards' recognitions and committees ---------


@pytest.fixture
def shared_practice(award_a, award_b):
    """A practice recognised by both awards, with who tagged each recognition."""
    practice = PracticeFactory(published=True, title="Lights on")
    own = RecognitionFactory(
        practice=practice, award=award_a, category=award_a.categories.get(), year=2021
    )
    other = RecognitionFactory(
        practice=practice, award=award_b, category=award_b.categories.get(), year=2019
    )
    return practice, own, other


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("committee_a", ["Award A"], ["Award B"]),
        ("committee_b", ["Award B"], ["Award A"]),
        ("curator", ["Award A", "Award B"], []),
        ("superuser", ["Award A", "Award B"], []),
    ],
)
def test_practice_page_shows_only_the_recognitions_the_user_may_see(
    client, request, shared_practice, role, shown, hidden
):
    practice, own, other = shared_practice
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][-1].formset
    assert sorted(r.award.name for r in formset.queryset) == shown
    for name in hidden:
        recognition = own if name == "Award A" else other
        assert name not in response.text
        change = reverse("admin:awards_recognition_change", args=[recognition.pk])
        assert change not in response.text
        assert client.get(change).status_code == 403


@pytest.mark.parametrize(
    ("role", "award_fixture", "sees_committee"),
    [
        ("committee_a", "award_a", True),
        ("committee_a", "award_b", False),
        ("committee_b", "award_a", False),
        ("curator", "award_b", True),
        ("superuser", "award_a", True),
    ],
)
def test_award_page_shows_its_committee_only_to_curators_and_that_committee(
    client, request, role, award_fixture, sees_committee
):
    award = request.getfixturevalue(award_fixture)
    member = award.committee.get()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:awards_award_change", args=[award.pk]))
    assert response.status_code == 200
    assert (member.username in response.text) is sees_committee


# --- /admin/r/<content type>/<id>/ leads only to what the user may view ----------------


def view_on_site(record) -> str:
    content_type = ContentType.objects.get_for_model(record)
    return reverse("admin:view_on_site", args=[content_type.pk, record.pk])


def test_view_on_site_refuses_a_draft_the_user_may_not_view(client, committee_a):
    draft = PublicationFactory(state=PublishingState.DRAFT)
    client.force_login(committee_a)
    assert client.get(reverse("admin:practices_publication_changelist")).status_code == 403
    response = client.get(view_on_site(draft))
    assert response.status_code == 403
    assert "Location" not in response


def test_view_on_site_refuses_another_awards_recognition(client, committee_a, shared_practice):
    _practice, own, other = shared_practice
    client.force_login(committee_a)
    assert client.get(view_on_site(other)).status_code in {403, 404}


def test_view_on_site_redirects_to_the_configured_address(client, curator, settings):
    settings.SITE_URL = "https://safety.example.org"
    draft = PublicationFactory(state=PublishingState.DRAFT)
    client.force_login(curator)
    response = client.get(view_on_site(draft), HTTP_HOST="127.0.0.1:6666")
    assert response.status_code == 302
    assert response["Location"] == f"https://safety.example.org{draft.get_absolute_url()}"


@pytest.mark.parametrize("path", ["999999/1/", "{ct}/999999/", "{ct}/not-a-number/"])
def test_view_on_site_of_nothing_is_a_404(client, curator, path):
    content_type = ContentType.objects.get_for_model(PublicationFactory._meta.model)
    client.force_login(curator)
    url = reverse("admin:index") + "r/" + path.format(ct=content_type.pk)
    assert client.get(url).status_code == 404


def test_view_on_site_needs_a_staff_login(client):
    publication = PublicationFactory(published=True)
    response = client.get(view_on_site(publication))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- "Did you mean" forgets the words of practices that are no longer published --------


@pytest.mark.django_db(transaction=True)
def test_suggestions_drop_the_words_of_an_unpublished_practice_at_once(client):
    """Each change commits as it would in production, and the vocabulary follows it."""
    from practices import services
    from practices.search import refresh_search_words, suggest
    from tests.factories import UserFactory

    # (A transactional test may follow another that emptied the tables, roles included.)
    curator = UserFactory(username="editor", is_staff=True, is_superuser=True)

    PracticeFactory(state=PublishingState.DRAFT, title="Secret quetzalcoatlus plan")
    refresh_search_words()
    assert suggest("quetzalcoatlas") is None  # drafts never give words

    practice = PracticeFactory(published=True, title="Pterosaur watch")
    assert suggest("pterosuar") == "pterosaur"
    # The public pages offer it too (and cache the suggestion).
    assert "pterosaur" in client.get("/search/", {"q": "pterosuar"}).text
    assert "?q=pterosaur" in client.get("/practices/", {"q": "pterosuar"}).text

    services.unpublish(practice, user=curator)
    assert suggest("pterosuar") is None
    assert "pterosaur" not in client.get("/search/", {"q": "pterosuar"}).text
    assert "?q=pterosaur" not in client.get("/practices/", {"q": "pterosuar"}).text

    services.publish(practice, user=curator)
    assert suggest("pterosuar") == "pterosaur"
    # A published practice's edited text: the words taken out go too.
    practice.refresh_from_db()
    practice.title = "Nightjar watch"
    practice.save()
    assert suggest("pterosuar") is None
    assert suggest("nightjr") == "nightjar"
    practice.delete()
    assert suggest("nightjr") is None


def test_many_saves_in_one_transaction_refresh_the_vocabulary_once(
    django_capture_on_commit_callbacks,
):
    from practices.search import _refresh_after_commit

    with django_capture_on_commit_callbacks() as callbacks:
        for number in range(3):
            PracticeFactory(published=True, slug=f"bulk-{number}")
    assert [c for c in callbacks if c is _refresh_after_commit] == [_refresh_after_commit]


def test_saves_that_leave_the_published_words_alone_do_not_refresh(
    django_capture_on_commit_callbacks,
):
    from practices.search import _refresh_after_commit

    published = PracticeFactory(published=True)
    draft = PracticeFactory(state=PublishingState.DRAFT)
    with django_capture_on_commit_callbacks() as callbacks:
        published.website = "https://example.org/new"
        published.save()
        draft.title = "A new draft title"
        draft.save()
        PracticeFactory(state=PublishingState.REVIEW)
    assert _refresh_after_commit not in callbacks


# --- NUL characters in admin query strings: a 400, never a server error -----------------


@pytest.mark.parametrize(
    "query",
    [
        "state__exact=%00",
        "lead_jurisdiction__country__exact=%00",
        "q=%00",
        "topics__id__exact=1%00",
        "o=%00",
        "%00=1",
    ],
)
def test_nul_in_an_admin_filter_is_a_400(client, curator, query):
    client.force_login(curator)
    client.raise_request_exception = False
    response = client.get(reverse("admin:practices_practice_changelist") + "?" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "null character" in response.text


def test_nul_in_the_admin_autocomplete_term_is_a_400(client, committee_a):
    client.force_login(committee_a)
    client.raise_request_exception = False
    params = "app_label=awards&model_name=recognition&field_name=practice"
    url = reverse("admin:autocomplete")
    assert client.get(f"{url}?term=lights&{params}").status_code == 200
    response = client.get(f"{url}?term=%00&{params}")
    assert response.status_code == 400
    assert "null character" in response.text


def test_nul_outside_the_admin_is_left_to_the_pages_own_checks(client):
    response = client.get("/practices/export.csv?q=%00")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.text


# --- Admin sign-in with an unsafe "next" ends on the admin index ------------------------


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_sign_in_with_an_unsafe_next_ends_on_the_admin_index(client, next_url):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("boss", "boss@example.org", "x" * 12)
    response = client.post(
        reverse("admin:login") + "?next=" + next_url,
        {"username": "boss", "password": "x" * 12, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


# --- The language cookie ----------------------------------------------------------------


def test_language_cookie_is_samesite_lax_and_httponly(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert not cookie["secure"]  # the test settings serve plain HTTP


@pytest.mark.parametrize(("https", "secure"), [("true", "True"), ("false", "False")])
def test_language_cookie_is_secure_under_https(https, secure):
    from tests.conftest import manage

    code = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE)"
    env = {"HTTPS": https, "DEBUG": "false", "SECRET_KEY": "x" * 50}
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == secure


# --- Cross-Origin-Resource-Policy on every response --------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/practices/", "/static/css/site.css", "/robots.txt", "/nowhere/", "/admin/"]
)
def test_every_response_sends_cross_origin_resource_policy(client, path):
    for _ in range(2):  # the second public page comes from the page cache
        response = client.get(path)
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
