"""Tools for city managers: the spreadsheet download, the evidence map, places like mine,
compare and the list of jurisdictions."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clearinghouse.cache import cached
from practices import spreadsheet
from practices.views.practices import (
    EXPORT_MAX_ROWS,
    filter_errors,
    practice_filter,
    selection_key,
)


def bad_request(lines: list[str]) -> HttpResponse:
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def practice_spreadsheet(request: HttpRequest) -> HttpResponse:
    """The current selection of /practices/ as a readable spreadsheet (CSV with a BOM)."""
    filterset = practice_filter(request)
    errors = filter_errors(filterset)
    if errors:
        lines = [_("The export could not be made: fix these parameters and try again.")]
        lines += [f"{label}: {message}" if label else message for label, message in errors]
        return bad_request(lines)
    selection = filterset.ordered_qs()
    total = cached("practice_list_count", selection_key(request), selection.count)
    if total > EXPORT_MAX_ROWS:
        return bad_request(
            [
                _(
                    "This selection has %(total)s practices; one download holds at most "
                    "%(max)s. Add a filter (a topic, a country or a range of years, for "
                    "example) and try again."
                )
                % {"total": total, "max": EXPORT_MAX_ROWS}
            ]
        )
    site_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(
        spreadsheet.spreadsheet_pieces(selection, site_url),
        content_type="text/csv; charset=utf-8",
    )
    name = spreadsheet.file_name(filterset.form.cleaned_data)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
