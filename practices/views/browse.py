"""Topic, publication and jurisdiction pages."""

from django.http import Http404, HttpRequest, HttpResponse


def topic_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def publication_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def jurisdiction_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # to be written (issue 4)
