"""Every public URL of the site, found by walking the URL map in each language, so a
public URL added later is picked up by the tests that use this list by itself."""

import re

from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import translation

# Paths that legitimately take unsafe methods: the admin, and i18n's set_language.
NOT_PUBLIC = (settings.ADMIN_URL, "i18n/")
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
