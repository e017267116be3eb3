"""Whole public pages come from the cache for anonymous visitors, and never go stale
after a curator's change, nor leak to or from signed-in staff."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    topic = factories.TopicFactory(slug="lighting", name="Street lighting")
    return factories.PracticeFactory(published=True, title="Corridor lighting", topics=[topic])


@pytest.mark.parametrize(
    "url",
    [
        reverse("practices:practice_list") + "?topic=lighting&topic=no-such-topic",
        reverse("practices:publication_list") + "?kind=novel",
    ],
)
def test_a_page_that_left_filter_values_out_is_not_stored(client, practice, url):
    """Each junk or outdated link would otherwise keep a page in memory."""
    first = client.get(url)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    assert "left out" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) > 1, "the page was built again, not served from the page cache"


def test_repeat_visit_is_served_whole_from_the_cache(client, practice, django_assert_num_queries):
    url = reverse("practices:practice_list") + "?topic=lighting"
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second  # outer middleware still adds its headers


def test_a_change_shows_on_the_next_request(client, practice):
    url = practice.get_absolute_url()
    assert "Corridor lighting" in client.get(url).content.decode()
    practice.title = "Corridor lighting and parks"
    practice.save()
    assert "Corridor lighting and parks" in client.get(url).content.decode()

    list_url = reverse("practices:practice_list")
    client.get(list_url)
    factories.PracticeFactory(published=True, title="Late-night basketball")
    assert "Late-night basketball" in client.get(list_url).content.decode()


def test_languages_are_cached_apart(client, practice):
    english = client.get(reverse("practices:practice_list")).content.decode()
    spanish = client.get("/es" + reverse("practices:practice_list")).content.decode()
    assert '<html lang="en"' in english
    assert '<html lang="es"' in spanish


def test_signed_in_staff_are_neither_served_nor_stored(
    client, practice, superuser, django_assert_max_num_queries
):
    url = practice.get_absolute_url()
    client.get(url)  # now cached for anonymous visitors
    cache.clear()
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    client.logout()
    # The staff page was not kept for the public: the anonymous page is built afresh.
    with django_assert_max_num_queries(20) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) > 1
    client.cookies.clear()
    assert "Corridor lighting" in client.get(url).content.decode()


def test_draft_previews_and_errors_are_not_stored(client, superuser):
    draft = factories.PracticeFactory(title="Unreleased plan")
    client.force_login(superuser)
    assert client.get(draft.get_absolute_url()).status_code == 200  # staff preview
    client.logout()
    client.cookies.clear()
    assert client.get(draft.get_absolute_url()).status_code == 404
    bad = reverse("practices:practice_list") + "?page=abc"
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400


def test_a_hit_and_a_miss_send_the_same_vary_header(client, practice):
    url = practice.get_absolute_url()
    miss = client.get(url)
    hit = client.get(url)
    assert hit.content == miss.content
    vary = {value.strip() for value in miss["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert {value.strip() for value in hit["Vary"].split(",")} == vary


def test_unknown_parameters_are_dropped_and_known_ones_share_one_page(
    client, django_assert_max_num_queries
):
    topic = factories.TopicFactory(slug="parks")
    factories.PracticeFactory(published=True, topics=[topic], title="Parks after dark")
    first = client.get("/practices/", {"topic": "parks", "sort": "title", "utm_source": "x"})
    assert "utm_source" not in first.content.decode()
    # The same parameters in another order, without the junk: the same stored page.
    with django_assert_max_num_queries(1):
        again = client.get("/practices/?sort=title&topic=parks")
    assert again.content == first.content
