"""Every public URL answers only GET and HEAD: OPTIONS, POST, PUT and DELETE get a 405.

The URLs come from walking the URL map itself, in every language (tests/public_urls.py),
so a public URL added later is checked without anyone remembering to list it here. Only
the admin and the language switch (whose form posts) are left out.
"""

import pytest
from django.conf import settings

from tests.public_urls import public_urls

UNSAFE_METHODS = ("options", "post", "put", "delete")

PUBLIC_URLS = public_urls()


def test_the_walk_finds_every_public_page():
    names = {name for _path, name in PUBLIC_URLS}
    assert {
        "home",
        "about",
        "search",
        "practice_feed",
        "healthz",
        "robots_txt",
        "sitemap",
        "practice_list",
        "practice_detail",
        "practice_export",
        "topic_list",
        "topic_detail",
        "publication_list",
        "publication_detail",
        "publication_file",
        "jurisdiction_detail",
        "award_list",
        "award_detail",
    } <= names
    paths = {path for path, _name in PUBLIC_URLS}
    assert {"/practices/", "/es/practices/", "/es/", "/healthz"} <= paths
    assert not any(path.startswith(("/" + settings.ADMIN_URL, "/i18n/")) for path in paths)


@pytest.mark.django_db
@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize(("path", "name"), PUBLIC_URLS, ids=[path for path, _ in PUBLIC_URLS])
def test_it_rejects_unsafe_methods(client, path, name, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405, f"{method.upper()} {path} ({name})"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
