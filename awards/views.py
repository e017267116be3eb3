"""Award pages: all awards, and one award's recognized programs by year."""

from django.http import Http404, HttpRequest, HttpResponse


def award_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # to be written (issue 4)


def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # to be written (issue 4)
