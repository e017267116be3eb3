"""Headers that let a CDN or nginx keep public pages, and keep everything else private.

``CdnHeadersMiddleware`` marks each answer:

- an anonymous visitor's 200 answer to a GET or HEAD of a public page (a view marked with
  ``clearinghouse.cache.public_page``), that the page cache would store, gets
  ``Cache-Control: public, max-age=CDN_BROWSER_SECONDS, s-maxage=CDN_CACHE_SECONDS,
  stale-while-revalidate=CDN_STALE_SECONDS`` and a strong ``ETag`` made of the catalogue
  version, the language and the canonical URL (the page's bytes when the version was not
  read). A request whose ``If-None-Match`` names it is answered ``304 Not Modified``.
  A curator's change makes a new version, hence a new ETag: a shared cache keeps the old
  page at most ``CDN_CACHE_SECONDS``;
- anything from signed-in staff, with a session or messages cookie, with
  ``PRIMARY_COOKIE``, any request that is not GET or HEAD, and any page that carries a
  form's CSRF token gets ``Cache-Control: private, no-store``;
- the answer to an anonymous visitor's POST (or other write) also sets ``PRIMARY_COOKIE``
  for ``READ_PRIMARY_COOKIE_SECONDS``: their next pages skip shared caches (nginx and
  the CDN are told to pass requests carrying it) and read the primary database
  (``clearinghouse.routers``), so they see their own submission at once.

Other anonymous answers (errors, feeds, the export) keep the headers their views set.
"""

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from clearinghouse.cache import known_catalogue_version
from clearinghouse.middleware import PublicPageCacheMiddleware, canonical_query
from clearinghouse.routers import PRIMARY_COOKIE

SAFE_METHODS = ("GET", "HEAD")


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.CDN_BROWSER_SECONDS}, "
        f"s-maxage={settings.CDN_CACHE_SECONDS}, "
        f"stale-while-revalidate={settings.CDN_STALE_SECONDS}"
    )


def page_etag(request: HttpRequest, response: HttpResponse) -> str:
    version = known_catalogue_version()
    if version is not None:
        source = "|".join(
            [
                str(version),
                getattr(request, "LANGUAGE_CODE", ""),
                request.path,
                canonical_query(request.GET),
            ]
        ).encode()
    else:
        source = response.content
    return '"' + hashlib.blake2b(source, digest_size=16).hexdigest() + '"'


class CdnHeadersMiddleware:
    """See the module's description. It sits just outside the page cache, so it marks
    stored pages as they are served and never changes what is stored."""

    PRIVATE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages", PRIMARY_COOKIE)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            if settings.SESSION_COOKIE_NAME not in request.COOKIES:
                response.set_cookie(
                    PRIMARY_COOKIE,
                    "1",
                    max_age=settings.READ_PRIMARY_COOKIE_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return self.private(response)
        if self.is_private(request):
            return self.private(response)
        if getattr(request, "public_page", False) and PublicPageCacheMiddleware.may_store(
            request, response
        ):
            response["Cache-Control"] = public_cache_control()
            response["ETag"] = page_etag(request, response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        request.public_page = getattr(view_func, "public_page_params", None) is not None
        return None

    def is_private(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return (
            any(name in request.COOKIES for name in self.PRIVATE_COOKIES)
            or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            or (user is not None and user.is_authenticated)
        )

    @staticmethod
    def private(response: HttpResponse) -> HttpResponse:
        current = response.get("Cache-Control", "")
        if "private" not in current or "no-store" not in current:
            response["Cache-Control"] = "private, no-store"
        return response
