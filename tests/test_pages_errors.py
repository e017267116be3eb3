"""Friendly error pages, and the layout every page shares."""

import urllib.error
import urllib.request

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests import factories
from tests.conftest import free_port
from tests.test_foundation import PRODUCTION_ENV


@pytest.mark.django_db
def test_404_page_is_friendly_and_not_indexed(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<main id="main-content"' in html
    assert f'action="{reverse("practices:practice_list")}"' in html


@pytest.mark.django_db
def test_404_page_speaks_spanish_under_es(client):
    response = client.get("/es/no-existe/")
    assert response.status_code == 404
    assert '<html lang="es">' in response.content.decode()


def test_500_page_renders_without_request_or_database(django_assert_num_queries):
    # No django_db mark: any database access would fail the test.
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/static/css/site.css"' in html
    assert '<main id="main-content">' in html


def test_500_page_is_served_when_the_database_is_down(gunicorn_server):
    base = gunicorn_server(
        {
            **PRODUCTION_ENV,
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        }
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{base}/", timeout=15)  # noqa: S310 - local URL
    assert caught.value.code == 500
    body = caught.value.read().decode()
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_navigation_links_every_section_and_marks_the_current_one(client):
    html = client.get(reverse("practices:topic_list")).content.decode()
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    for name in [
        "practices:practice_list",
        "practices:topic_list",
        "awards:award_list",
        "practices:publication_list",
        "search",
        "about",
    ]:
        assert f'href="{reverse(name)}"' in nav
    assert f'<a href="{reverse("practices:topic_list")}" aria-current="page">' in nav


@pytest.mark.django_db
def test_footer_links_the_feed_and_the_admin_only_for_staff(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("practice_feed")}"' in html
    assert 'type="application/atom+xml"' in html
    assert reverse("admin:index") not in html
    client.force_login(factories.UserFactory(is_staff=True))
    assert reverse("admin:index") in client.get("/").content.decode()


@pytest.mark.django_db
def test_pages_carry_opengraph_and_description_meta(client):
    topic = factories.TopicFactory(name="Traffic safety", description="Safer streets for all.")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Traffic safety">' in html
    assert '<meta property="og:description" content="Safer streets for all.">' in html
    assert '<meta name="description" content="Safer streets for all.">' in html
    assert f'<meta property="og:url" content="http://testserver{topic.get_absolute_url()}">' in html
