"""One search over practices, publications and awards (/search/)."""

from django import forms
from django.contrib.postgres.search import SearchRank, SearchVector
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from awards.models import Award
from clearinghouse.cache import public_page
from practices import search
from practices.models import SEARCH_CONFIGS, Language, Practice, Publication
from practices.selectors import card_queryset

SECTION_SIZE = 5


class SiteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "The search text is too long: %(limit_value)d characters at most "
                "(it has %(show_value)d)."
            )
        },
    )


def award_vector() -> SearchVector:
    """Awards are few (dozens), so their text vector is built at query time."""
    fields = ("name", "sponsor", "description")
    return SearchVector(*fields, config=SEARCH_CONFIGS[Language.ENGLISH]) + SearchVector(
        *fields, config=SEARCH_CONFIGS[Language.SPANISH]
    )


def search_sections(parsed: search.ParsedQuery) -> dict:
    """Published practices and publications, and awards, matching the query.

    A fixed number of queries: for practices, a count, a first page, its topics and
    recognitions, and snippets; for publications, a count, a first page and snippets;
    and the (few) matching awards.
    """
    practices_qs = search.search(Practice.objects.published(), parsed)
    practices = list(
        card_queryset(practices_qs).order_by("-rank", "-published_at", "pk")[:SECTION_SIZE]
    )
    search.attach_headlines(practices, parsed)

    publications_qs = search.search(Publication.objects.published(), parsed)
    publications = list(publications_qs.order_by("-rank", "-year", "pk")[:SECTION_SIZE])
    search.attach_headlines(publications, parsed)

    awards = list(
        Award.objects.annotate(document=award_vector())
        .filter(document=parsed.query)
        .annotate(rank=SearchRank(F("document"), parsed.query))
        .order_by("-rank", "name")
    )
    return {
        "practices": practices,
        "practice_count": practices_qs.count(),
        "publications": publications,
        "publication_count": publications_qs.count(),
        "awards": awards,
        "award_count": len(awards),
    }


@require_safe
@public_page("q")
def site_search(request: HttpRequest) -> HttpResponse:
    form = SiteSearchForm(request.GET)
    status = 200
    query = ""
    if form.is_valid():
        query = " ".join(form.cleaned_data["q"].split())
    else:
        status = 400
    parsed = search.parse(query)
    context = {
        "form": form,
        "query": query,
        "query_input": query or search.echo(request.GET.get("q")),
        "searched": bool(parsed),
        "only_punctuation": bool(query) and not parsed,
        "suggestion": search.suggest(parsed.text) if parsed else None,
    }
    if parsed:
        context.update(search_sections(parsed))
    return render(request, "search.html", context, status=status)
