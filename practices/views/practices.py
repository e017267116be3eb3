"""Practice list (filters, search, facets), CSV export and detail."""

import zlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clearinghouse.cache import cache_key, cached, public_page
from clearinghouse.pagination import CountedPaginator, parse_page
from clearinghouse.site_url import absolute_url
from practices import csvio, facets, filters, search, selectors
from practices.models import Practice

PAGE_SIZE = 20
EXPORT_CHUNK_SIZE = 1000
# Rows in one CSV download. PostgreSQL builds the rows (about 0.1 ms each at 100,000
# practices), so this keeps an export well inside the web worker's timeout
# (GUNICORN_TIMEOUT, 30 s by default) and the download a sensible size.
EXPORT_MAX_ROWS = 20_000
# Finished downloads of up to this many rows (about 4 MB of CSV) are kept in the shared
# cache under the catalogue version, so a repeated download of the same selection is one
# cache read; any curator's change drops them with everything else.
EXPORT_CACHE_MAX_ROWS = 2_500
# Downloads are sent and kept as one gzip stream (zlib's default level; wbits 31 = gzip).
GZIP_LEVEL = 6
GZIP_WBITS = 31


def practice_filter(request: HttpRequest) -> filters.PracticeFilter:
    return filters.PracticeFilter(request.GET, queryset=Practice.objects.published())


def filter_errors(filterset: filters.PracticeFilter) -> list[tuple[str, str]]:
    """(label, message) pairs for every bad parameter, in the order of the filters."""
    errors = []
    for name, messages in filterset.errors.items():
        field = filterset.form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        errors.extend((label, str(message)) for message in messages)
    return errors


def selection_key(request: HttpRequest) -> list:
    """The query string without page and sort: what result counts and facets depend on."""
    return sorted(
        (key, request.GET.getlist(key)) for key in request.GET if key not in {"page", "sort"}
    )


def suggestion_for(
    request: HttpRequest, parsed: search.ParsedQuery, selection: list, count: int
) -> str | None:
    """A "did you mean" query, only when this search finds little and the suggestion,
    with the same filters, finds more. Kept per catalogue version and selection."""
    if not parsed or count > search.FEW_RESULTS:
        return None

    def build() -> str | None:
        candidate = search.suggest(parsed.text)
        if not candidate:
            return None
        params = request.GET.copy()
        params["q"] = candidate
        better = filters.PracticeFilter(params, queryset=Practice.objects.published())
        if better.errors or facets.selection_total(better) <= count:
            return None
        return candidate

    return cached("search_suggestion", selection, build)


@require_safe
@public_page(*filters.PracticeFilter.base_filters, "page")
def practice_list(request: HttpRequest) -> HttpResponse:
    # Values a filter cannot use are left out, each named in a notice; the rest applies.
    raw_query = request.GET
    filterset, left_out = filters.without_bad_values(
        filters.PracticeFilter, raw_query, queryset=Practice.objects.published()
    )
    # From here on the page (counts, links to other pages, sorting and the export) works
    # on the values kept.
    request.GET = filterset.data
    errors = filter_errors(filterset)
    status = 400 if errors else 200
    errors += left_out
    notices = []

    query_text = filterset.search_text
    parsed = search.parse(query_text)
    if query_text and not parsed:
        notices.append(
            _("Type at least one letter or number to search; showing every practice instead.")
        )

    selection = filterset.ordered_qs()
    # Counts depend on the filters and the search, not on the page or the order; they scan
    # the whole selection, so they are kept per catalogue version.
    selection_params = selection_key(request)
    count = cached(
        "practice_list_count", selection_params, lambda: facets.selection_total(filterset)
    )
    paginator = CountedPaginator(selection, PAGE_SIZE, count=count)
    page_raw = request.GET.get("page")
    number = parse_page(page_raw)
    if number is None:
        errors.append(
            (
                _("Page"),
                _("“%(page)s” is not a page number; showing the first page.")
                % {"page": page_raw.replace("\x00", "")[:20]},
            )
        )
        status = 400
        number = 1
    elif number > paginator.num_pages:
        errors.append(
            (
                _("Page"),
                _("There is no page %(page)s: the last page is %(last)s, shown here.")
                % {"page": number, "last": paginator.num_pages},
            )
        )
        status = 404 if status == 200 else status
        number = paginator.num_pages
    rows = selectors.page_rows(selection, number, PAGE_SIZE)
    search.attach_headlines(rows, parsed)
    page = Page(rows, number, paginator)
    facet_groups = cached(
        "practice_list_facets",
        {"selection": selection_params, "language": get_language()},
        lambda: facets.facets(filterset),
    )
    context = {
        "filter": filterset,
        "facets": facet_groups,
        "page_obj": page,
        "practices": rows,
        "query": query_text,
        "query_input": query_text or search.echo(raw_query.get("q")),
        "searching": bool(parsed),
        "suggestion": suggestion_for(request, parsed, selection_params, count),
        "sort": filterset.sort_value,
        "sort_choices": [
            (value, label)
            for value, label in filters.Sort.CHOICES
            if value != filters.Sort.RELEVANCE or parsed
        ],
        "errors": errors,
        "notices": notices,
        "export_max_rows": EXPORT_MAX_ROWS,
        "active_filters": sum(
            1
            for key in filters.PracticeFilter.base_filters
            if key not in ("q", "sort")
            for value in request.GET.getlist(key)
            if value.strip()
        ),
        "filtered": any(
            key in filters.PracticeFilter.base_filters and key != "sort" and request.GET.get(key)
            for key in request.GET
        ),
    }
    response = render(request, "practices/practice_list.html", context, status=status)
    if left_out:
        # Not kept in the page cache: each junk or outdated link would take memory.
        patch_cache_control(response, no_store=True)
    return response


def export_cache_key(request: HttpRequest, site_url: str) -> str | None:
    """Where a finished download of this selection is kept, or None when it is not kept.

    Downloads are kept only in a cache every worker shares (Redis): a few megabytes per
    selection would swell each worker's own memory.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.CATALOGUE_CACHE_SECONDS <= 0 or not backend.endswith("RedisCache"):
        return None
    return cache_key("practice_export", [get_language(), site_url, sorted(request.GET.lists())])


def stream_and_keep(key: str | None, pieces, compress: bool):
    """Stream the CSV ``pieces`` (gzip-compressed when ``compress``) and, once the whole
    download has gone out, keep it gzip-compressed under ``key``.

    The text is compressed at most once, whichever way it leaves: a compressing client
    gets the very bytes that are kept, so its repeated download is one small cache read.
    """
    if not key and not compress:
        yield from pieces
        return
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
    kept = []
    for piece in pieces:
        packed = compressor.compress(piece.encode())
        if key:
            kept.append(packed)
        if not compress:
            yield piece
        elif packed:
            yield packed
    tail = compressor.flush()
    if compress:
        yield tail
    if key:
        kept.append(tail)
        cache.set(key, b"".join(kept), settings.CATALOGUE_CACHE_SECONDS)


def gunzip_pieces(packed: bytes, size: int = 256 * 1024):
    """The plain text of a kept download, a piece at a time (for clients without gzip)."""
    inflater = zlib.decompressobj(GZIP_WBITS)
    for start in range(0, len(packed), size):
        text = inflater.decompress(packed[start : start + size])
        if text:
            yield text
    rest = inflater.flush()
    if rest:
        yield rest


def accepts_gzip(accept_encoding: str) -> bool:
    """True when an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it)."""
    for item in accept_encoding.split(","):
        name, _sep, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


@require_safe
def practice_export(request: HttpRequest) -> HttpResponse:
    """The current selection of /practices/ as CSV, streamed in pieces."""
    filterset = practice_filter(request)
    errors = filter_errors(filterset)
    if errors:
        lines = [_("The export could not be made: fix these parameters and try again.")]
        lines += [f"{label}: {message}" if label else message for label, message in errors]
        return HttpResponseBadRequest(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )
    selection = filterset.ordered_qs()
    # The same count the list shows for this selection (one scan of the catalogue, shared
    # through the catalogue cache: an export started from the list does not count again).
    total = cached(
        "practice_list_count", selection_key(request), lambda: facets.selection_total(filterset)
    )
    if total > EXPORT_MAX_ROWS:
        message = _(
            "This selection has %(total)s practices; one download holds at most %(max)s. "
            "Add a filter (a topic, a country or a range of years, for example) and try again."
        ) % {"total": total, "max": EXPORT_MAX_ROWS}
        return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
    # One query whatever the selection's size: PostgreSQL joins the multi-valued cells, and
    # a server-side cursor hands the rows over EXPORT_CHUNK_SIZE at a time.
    site_url = settings.SITE_URL
    key = export_cache_key(request, site_url) if total <= EXPORT_CACHE_MAX_ROWS else None
    # Compressed on the way out when the client accepts it (CSV shrinks about 5 times).
    # What is kept in the cache is the compressed download: a compressing client gets it
    # as it is, any other client gets it inflated on the way out.
    compress = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    stored = cache.get(key) if key else None
    if stored is not None and compress:
        response = HttpResponse(stored, content_type="text/csv; charset=utf-8")
    elif stored is not None:
        response = StreamingHttpResponse(
            gunzip_pieces(stored), content_type="text/csv; charset=utf-8"
        )
    else:
        rows = csvio.export_rows(selection, site_url, chunk_size=EXPORT_CHUNK_SIZE)
        pieces = stream_and_keep(key, csvio.csv_pieces(rows), compress)
        response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="practices.csv"'
    if compress:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def json_ld(practice: Practice) -> dict:
    """schema.org description of the practice (rendered escaped by the ``json_ld`` filter)."""
    url = absolute_url(practice.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": practice.title,
        "description": practice.summary,
        "inLanguage": practice.language,
        "about": [topic.name for topic in practice.topics.all()],
        "spatialCoverage": {
            "@type": "AdministrativeArea",
            "name": practice.lead_jurisdiction.name,
            "address": {
                "@type": "PostalAddress",
                "addressCountry": practice.lead_jurisdiction.country.code,
                "addressRegion": practice.lead_jurisdiction.region,
            },
        },
        "award": [
            f"{recognition.award.name} {recognition.year} ({recognition.get_level_display()})"
            for recognition in practice.recognitions.all()
        ],
        "citation": [
            {"@type": "CreativeWork", "name": source.title, "url": source.url}
            for source in practice.sources.all()
        ],
        "dateModified": practice.updated_at.isoformat(),
    }
    if practice.published_at:
        data["datePublished"] = practice.published_at.isoformat()
    if practice.website:
        data["sameAs"] = practice.website
    return data


def back_to_results_url(request: HttpRequest) -> str:
    """The list the visitor came from (``?back=`` holds its query string), or ""."""
    back = request.GET.get("back")
    if back is None:
        return ""
    kept = QueryDict(back[:2000]).copy()
    for key in list(kept):
        if key not in filters.PracticeFilter.base_filters and key != "page":
            del kept[key]
    query = kept.urlencode()
    return reverse("practices:practice_list") + (f"?{query}" if query else "")


@require_safe
@public_page("back")
def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    can_preview = request.user.is_authenticated and request.user.has_perm("practices.view_practice")
    visible = Practice.objects.all() if can_preview else Practice.objects.published()
    practice = selectors.detail_queryset(visible).filter(slug=slug).first()
    if practice is None:
        raise Http404(_("No published practice has this address."))
    preview = not practice.is_published
    context = {
        "practice": practice,
        "preview": preview,
        "related": selectors.related_practices(practice),
        "publications": practice.published_publications,
        "canonical_url": absolute_url(practice.get_absolute_url()),
        "json_ld": json_ld(practice),
        "back_url": back_to_results_url(request),
    }
    response = render(request, "practices/practice_detail.html", context)
    if preview:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
    return response
