"""Every public URL answers only GET and HEAD: OPTIONS, POST, PUT and DELETE get a 405.

The URLs come from walking the URL map itself, in every language (tests/public_urls.py),
so a public URL added later is checked without anyone remembering to list it here. Only
the admin and the language switch (whose form posts) are left out. Forms take POST too,
and the judges' action pages take only POST: each is listed with the methods it allows,
and every other method still gets a 405 (their own tests cover what a POST does).
"""

import pytest
from django.conf import settings

from tests.public_urls import public_urls

UNSAFE_METHODS = ("options", "post", "put", "delete")

PUBLIC_URLS = public_urls()

SAFE = {"GET", "HEAD"}
# URL name -> the methods it answers; every other public URL answers SAFE only.
FORMS = {
    "share": SAFE | {"POST"},
    "correction": SAFE | {"POST"},
    "adoption": SAFE | {"POST"},
    "cycle_apply": SAFE | {"POST"},
    "application": SAFE | {"POST"},
    "decide": {"POST"},
    "recuse": {"POST"},
    "stage": {"POST"},
    "close_scoring": {"POST"},
}


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


CASES = [
    (path, name, method)
    for path, name in PUBLIC_URLS
    for method in UNSAFE_METHODS
    if method.upper() not in FORMS.get(name, SAFE)
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name", "method"), CASES, ids=[f"{path}-{method}" for path, _, method in CASES]
)
def test_it_rejects_unsafe_methods(client, path, name, method):
    allowed = FORMS.get(name, SAFE)
    response = getattr(client, method)(path)
    assert response.status_code == 405, f"{method.upper()} {path} ({name})"
    assert set(response["Allow"].replace(" ", "").split(",")) == allowed
