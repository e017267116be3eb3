"""Every public URL answers only GET and HEAD: OPTIONS, POST, PUT and DELETE get a 405.

The URLs come from walking the URL map itself, in every language, so a public URL added
later is checked without anyone remembering to list it here. Only the admin and the
language switch (whose form posts) are left out.
"""

import re

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import translation

# Paths that legitimately take unsafe methods: the admin, and i18n's set_language.
NOT_PUBLIC = (settings.ADMIN_URL, "i18n/")
UNSAFE_METHODS = ("options", "post", "put", "delete")
CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
SAMPLE_VALUES = {
    "slug": "some-slug",
    "str": "some-text",
    "int": "1",
    "path": "a/b",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _part(pattern) -> str:
    """The path a pattern matches in the active language, with sample values for its
    parameters; a pattern of an unexpected kind fails the test, so it gets looked at."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern):
        return CONVERTER.sub(lambda m: SAMPLE_VALUES[m["kind"] or "str"], str(pattern))
    raise AssertionError(f"Unexpected URL pattern {pattern!r}: teach this test about it.")


def _walk(patterns, parents=()):
    for entry in patterns:
        chain = (*parents, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, chain)
        else:
            yield chain, entry.name


def public_urls() -> list[tuple[str, str]]:
    """(path, URL name) of every public URL, once per language for the translated ones."""
    found = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for chain, name in _walk(get_resolver().url_patterns):
                if any(
                    isinstance(p, RoutePattern) and str(p).startswith(NOT_PUBLIC) for p in chain[:1]
                ):
                    continue
                path = "/" + "".join(_part(pattern) for pattern in chain)
                found[path] = name
    return sorted(found.items())


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
