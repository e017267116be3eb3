"""Template tags shared by every page: the same page in the other languages."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # the language's own name ("English", "Español")
    path: str  # path and query string of this page in that language
    url: str  # the same, absolute
    current: bool


def _single_leading_slash(path: str) -> str:
    """ "//host/x" would leave the site: keep exactly one leading slash."""
    return "/" + path.lstrip("/")


def page_in_language(request: HttpRequest, lang_code: str) -> str:
    """The current page (with its query string) in ``lang_code``.

    Resolvable pages go through Django's ``translate_url``; anything else (a 404, say)
    falls back to adding or removing the language prefix, since non-default
    languages live under ``/<code>/``.
    """
    full_path = request.get_full_path()
    translated = translate_url(full_path, lang_code)
    if translated == full_path and lang_code != (get_language() or settings.LANGUAGE_CODE):
        path, _, query = full_path.partition("?")
        codes = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        for code in codes:
            if path == f"/{code}" or path.startswith(f"/{code}/"):
                path = path[len(code) + 1 :] or "/"
                break
        if lang_code != settings.LANGUAGE_CODE:
            path = f"/{lang_code}{path}"
        translated = f"{path}?{query}" if query else path
    return _single_leading_slash(translated)


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    """One entry per site language: this page in that language."""
    request = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    versions = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        path = page_in_language(request, code) if request is not None else "/"
        url = request.build_absolute_uri(path) if request is not None else path
        versions.append(
            LanguageVersion(
                code=code,
                name=info["name_local"],
                path=path,
                url=url,
                current=code == current,
            )
        )
    return versions


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str = "") -> str:
    """An absolute URL for ``path`` (default: the current page)."""
    request = context.get("request")
    if request is None:
        return path
    return request.build_absolute_uri(path or request.get_full_path())
