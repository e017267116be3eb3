"""Topic, publication and jurisdiction pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clearinghouse.cache import public_page
from clearinghouse.pagination import paginate
from clearinghouse.site_url import absolute_url
from practices import selectors
from practices.filters import without_bad_values
from practices.models import Initiative, Jurisdiction, Publication, Topic
from practices.publication_filters import PublicationFilter

PRACTICES_PER_PAGE = 12
PUBLICATIONS_PER_PAGE = 20
TOPIC_PUBLICATIONS_SHOWN = 8


@require_safe
@public_page()
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/topic_list.html", {"topics": selectors.topic_tree()})


@require_safe
@public_page("page")
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    subtopics = selectors.subtopics_with_counts(topic)
    # A topic covers its subtopics: look both up by id, which the link tables index.
    topic_ids = [topic.pk, *(child.pk for child in subtopics)]
    page = paginate(request, selectors.topic_practices(topic_ids), PRACTICES_PER_PAGE)
    publications = selectors.topic_publications(topic_ids, TOPIC_PUBLICATIONS_SHOWN + 1)
    return render(
        request,
        "topics/topic_detail.html",
        {
            "topic": topic,
            "subtopics": subtopics,
            "page_obj": page,
            "practices": page.object_list,
            "publications": publications[:TOPIC_PUBLICATIONS_SHOWN],
            "more_publications": len(publications) > TOPIC_PUBLICATIONS_SHOWN,
        },
    )


@require_safe
@public_page(*PublicationFilter.base_filters, "page")
def publication_list(request: HttpRequest) -> HttpResponse:
    # Values a filter cannot use are left out, each named in a notice; the rest applies.
    filterset, left_out = without_bad_values(
        PublicationFilter, request.GET, queryset=Publication.objects.published()
    )
    # Links to other pages carry the values kept.
    request.GET = filterset.data
    if not filterset.is_valid():
        # Errors that leaving values out did not settle: say which, with a 400.
        return render(
            request,
            "publications/publication_list.html",
            {"filter": filterset, "page_obj": None, "publications": [], "left_out": left_out},
            status=400,
        )
    page = paginate(request, filterset.qs, PUBLICATIONS_PER_PAGE)
    response = render(
        request,
        "publications/publication_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "publications": page.object_list,
            "left_out": left_out,
        },
    )
    if left_out:
        # Not kept in the page cache: each junk or outdated link would take memory.
        patch_cache_control(response, no_store=True)
    return response


def publication_json_ld(publication: Publication) -> dict:
    """schema.org data for search engines (rendered escaped by the ``json_ld`` filter)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Book" if publication.isbn else "CreativeWork",
        "name": publication.title,
        "url": absolute_url(publication.get_absolute_url()),
        "inLanguage": publication.language,
        "genre": str(publication.get_kind_display()),
    }
    if publication.authors:
        data["author"] = publication.authors
    if publication.publisher:
        data["publisher"] = {"@type": "Organization", "name": publication.publisher}
    if publication.year:
        data["datePublished"] = str(publication.year)
    if publication.summary:
        data["description"] = publication.summary
    if publication.isbn:
        data["isbn"] = publication.isbn
    if publication.edition:
        data["bookEdition" if publication.isbn else "version"] = publication.edition
    topics = [topic.display_name for topic in publication.topics.all()]
    if topics:
        data["about"] = topics
    return data


def can_preview_publications(user) -> bool:
    """Staff who may view publications in the admin may also preview unpublished ones."""
    return user.is_active and user.is_staff and user.has_perm("practices.view_publication")


@require_safe
@public_page()
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = selectors.publication_for_page(
        slug, include_unpublished=can_preview_publications(request.user)
    )
    if publication is None:
        raise Http404(_("No publication found."))
    preview = not publication.is_published
    response = render(
        request,
        "publications/publication_detail.html",
        {
            "publication": publication,
            "preview": preview,
            "json_ld": publication_json_ld(publication),
        },
    )
    if preview:
        # Never kept by a shared cache nor indexed, whatever the page's markup says.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
@public_page()
def jurisdiction_detail(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = get_object_or_404(Jurisdiction, slug=slug)
    led, partnered = selectors.jurisdiction_practices(jurisdiction)
    if not led and not partnered:
        # Nothing public mentions this place: its page would only reveal drafts.
        raise Http404(_("No jurisdiction found."))
    return render(
        request,
        "jurisdictions/jurisdiction_detail.html",
        {"jurisdiction": jurisdiction, "led": led, "partnered": partnered},
    )


@require_safe
@public_page()
def initiative_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "initiatives/initiative_list.html",
        {"initiatives": selectors.initiatives_with_pair_counts()},
    )


@require_safe
@public_page()
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An initiative, its partnerships (pairs of jurisdictions) and the published
    practices that came out of it."""
    initiative = get_object_or_404(Initiative, slug=slug)
    pairs = selectors.initiative_pairs(initiative)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "pairs": pairs,
            "practices": selectors.initiative_practices(initiative, pairs),
        },
    )
