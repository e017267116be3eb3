"""Practice list (filters, search, facets), CSV export and detail."""

from django.http import Http404, HttpRequest, HttpResponse


def practice_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def practice_export(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # to be written (issue 4)
