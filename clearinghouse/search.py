"""One search over practices, publications and awards (/search/)."""

from django.http import Http404, HttpRequest, HttpResponse


def site_search(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)
