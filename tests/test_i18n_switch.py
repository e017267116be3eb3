"""The language switch on every page lands on the same page in the other language,
and each page names its alternates for search engines."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from clearinghouse.templatetags.site_tags import page_in_language
from tests import factories


def switch_links(html: str) -> dict[str, str]:
    nav = html.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]
    return {
        lang: href.replace("&amp;", "&")
        for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav)
    }


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html))


@pytest.mark.django_db
def test_switching_language_keeps_the_page_and_its_query_string(client):
    topic = factories.TopicFactory(name="Street lighting", name_es="Alumbrado público")
    english_url = topic.get_absolute_url() + "?page=1"

    english = client.get(english_url).content.decode()
    to_spanish = switch_links(english)["es"]
    assert to_spanish == f"/es/topics/{topic.slug}/?page=1"

    spanish = client.get(to_spanish)
    assert spanish.status_code == 200
    html = spanish.content.decode()
    assert '<html lang="es">' in html
    assert "Alumbrado público" in html
    assert switch_links(html)["en"] == english_url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "about",
        "practices:topic_list",
        "practices:publication_list",
        "awards:award_list",
    ],
)
def test_every_page_offers_the_other_language(client, name):
    url = reverse(name)
    html = client.get(url).content.decode()
    assert switch_links(html) == {"es": "/es" + url}
    assert alternates(html) == {
        "en": f"http://testserver{url}",
        "x-default": f"http://testserver{url}",
        "es": f"http://testserver/es{url}",
    }
    with translation.override("es"):
        spanish_url = reverse(name)
    assert switch_links(client.get(spanish_url).content.decode()) == {"en": url}


@pytest.mark.django_db
def test_current_language_is_marked_not_linked(client):
    html = client.get("/es/").content.decode()
    nav = html.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="true" lang="es">Español<' in nav
    assert '<a href="/" hreflang="en" lang="en" rel="alternate">English</a>' in nav


@pytest.mark.django_db
def test_switch_on_a_missing_page_goes_to_the_same_path_in_the_other_language(client):
    response = client.get("/es/no-such-page/?x=1")
    assert response.status_code == 404
    assert switch_links(response.content.decode()) == {"en": "/no-such-page/?x=1"}
    english = client.get("/no-such-page/")
    assert switch_links(english.content.decode()) == {"es": "/es/no-such-page/"}


def test_switch_never_points_off_the_site():
    request = RequestFactory().get("/es//evil.example/path")
    with translation.override("es"):
        assert page_in_language(request, "en") == "/evil.example/path"


def render(template: str, path: str) -> str:
    request = RequestFactory().get(path)
    return Template("{% load site_tags %}" + template).render(Context({"request": request}))
