"""Atom feed of new practices, sitemap.xml and robots.txt."""

from django.http import Http404, HttpRequest, HttpResponse


def practice_feed(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def sitemap(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def robots_txt(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)
