"""Topic, publication and jurisdiction pages, and the read queries they share with
the home page."""

import json

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from practices.filters import without_bad_values
from practices.models import (
    Department,
    Jurisdiction,
    Practice,
    Publication,
    Topic,
)
from practices.publication_filters import PublicationFilter

PRACTICES_PER_PAGE = 12
PUBLICATIONS_PER_PAGE = 20
TOPIC_PUBLICATIONS_SHOWN = 8


def published_topic_links() -> QuerySet:
    """Practice–topic links of published practices."""
    return Practice.topics.through.objects.filter(practice__in=Practice.objects.published())


def topic_tree() -> list[Topic]:
    """Top-level topics, each with ``practice_count`` (its published practices and its
    subtopics', each practice once) and ``subtopics`` (each with its own count).

    Three queries whatever the size of the catalogue: the topics, and two single-pass
    aggregates over the practice–topic links (per topic; per top-level topic).
    """
    topics = list(Topic.objects.all())
    direct = dict(
        published_topic_links()
        .values("topic_id")
        .annotate(n=Count("practice_id"))
        .values_list("topic_id", "n")
    )
    rooted = dict(
        published_topic_links()
        .annotate(root=Coalesce("topic__parent_id", "topic_id"))
        .values("root")
        .annotate(n=Count("practice_id", distinct=True))
        .values_list("root", "n")
    )
    roots, children = [], {}
    for topic in topics:
        if topic.parent_id:
            topic.practice_count = direct.get(topic.pk, 0)
            children.setdefault(topic.parent_id, []).append(topic)
        else:
            topic.practice_count = rooted.get(topic.pk, 0)
            roots.append(topic)
    for topic in roots:
        topic.subtopics = children.get(topic.pk, [])
    return roots


def departments_with_counts() -> QuerySet:
    """Departments that took part in at least one published practice, with the count."""
    return (
        Department.objects.annotate(
            practice_count=Count(
                "practices",
                filter=Q(practices__in=Practice.objects.published()),
                distinct=True,
            )
        )
        .filter(practice_count__gt=0)
        .order_by("position", "name")
    )


def practice_cards(queryset: QuerySet) -> QuerySet:
    """What templates/includes/_practice_card.html reads, in the same query."""
    return queryset.select_related("lead_jurisdiction")


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The page named by ?page=; 404 (with the friendly page) for a page that does
    not exist, whether it is out of range or not a number."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
        return paginator.page(number)
    except (ValueError, InvalidPage):
        raise Http404(_("There is no such page.")) from None


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/topic_list.html", {"topics": topic_tree()})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    subtopics = list(
        topic.children.annotate(
            practice_count=Count(
                "practices", filter=Q(practices__in=Practice.objects.published()), distinct=True
            )
        )
    )
    # A topic covers its subtopics: look both up by id, which the link tables index.
    topic_ids = [topic.pk, *(child.pk for child in subtopics)]
    practices = practice_cards(
        Practice.objects.published().filter(
            pk__in=Practice.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "practice_id"
            )
        )
    ).order_by("-published_at", "title")
    page = paginate(request, practices, PRACTICES_PER_PAGE)
    publications = list(
        Publication.objects.published()
        .filter(
            pk__in=Publication.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "publication_id"
            )
        )
        .order_by("-year", "title")[: TOPIC_PUBLICATIONS_SHOWN + 1]
    )
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
    return render(
        request,
        "publications/publication_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "publications": page.object_list,
            "left_out": left_out,
        },
    )


# Characters that could end a <script> element or start markup inside it.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def publication_json_ld(request: HttpRequest, publication: Publication) -> SafeString:
    """schema.org data for search engines, safe to place inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Book" if publication.isbn else "CreativeWork",
        "name": publication.title,
        "url": request.build_absolute_uri(publication.get_absolute_url()),
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
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped above


def can_preview_publications(user) -> bool:
    """Staff who may view publications in the admin may also preview unpublished ones."""
    return user.is_active and user.is_staff and user.has_perm("practices.view_publication")


@require_safe
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    visible = (
        Publication.objects.all()
        if can_preview_publications(request.user)
        else Publication.objects.published()
    )
    publication = get_object_or_404(
        visible.prefetch_related(
            "topics",
            Prefetch(
                "practices",
                queryset=practice_cards(Practice.objects.published()).order_by("title"),
                to_attr="public_practices",
            ),
        ),
        slug=slug,
    )
    preview = not publication.is_published
    response = render(
        request,
        "publications/publication_detail.html",
        {
            "publication": publication,
            "preview": preview,
            "json_ld": publication_json_ld(request, publication),
        },
    )
    if preview:
        # Never kept by a shared cache nor indexed, whatever the page's markup says.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def jurisdiction_detail(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = get_object_or_404(Jurisdiction, slug=slug)
    led = list(practice_cards(jurisdiction.led_practices.published()).order_by("title"))
    partnered = list(practice_cards(jurisdiction.partner_practices.published()).order_by("title"))
    if not led and not partnered:
        # Nothing public mentions this place: its page would only reveal drafts.
        raise Http404(_("No jurisdiction found."))
    return render(
        request,
        "jurisdictions/jurisdiction_detail.html",
        {"jurisdiction": jurisdiction, "led": led, "partnered": partnered},
    )
