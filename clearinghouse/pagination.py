"""Pagination of every public list: one page-number parser, one paginator."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _


def parse_page(raw: str | None) -> int | None:
    """The page number asked for (1 when none is), or None when it is not a positive
    whole number."""
    if raw is None or raw == "":
        return 1
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    number = int(raw)
    return number if number >= 1 else None


class CountedPaginator(Paginator):
    """A paginator told its total, for lists whose count comes from the catalogue cache."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached property


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The page named by ?page=; 404 (with the friendly page) for a page that does not
    exist, whether it is out of range or not a number."""
    paginator = Paginator(queryset, per_page)
    number = parse_page(request.GET.get("page"))
    if number is None or number > paginator.num_pages:
        raise Http404(_("There is no such page."))
    return paginator.page(number)
