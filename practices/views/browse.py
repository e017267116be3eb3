"""Topic, publication and jurisdiction pages, and the read queries they share with
the home page."""

import json

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery, so a count costs no extra query per row."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset: QuerySet, **extra):
        super().__init__(queryset, output_field=IntegerField(), **extra)


def published_practices_in_topic(topic_ref) -> QuerySet:
    """Published practices filed under a topic or any of its subtopics."""
    return Practice.objects.published().filter(
        pk__in=Practice.topics.through.objects.filter(
            Q(topic=topic_ref) | Q(topic__parent=topic_ref)
        ).values("practice_id")
    )


def topics_with_counts(queryset: QuerySet | None = None) -> QuerySet:
    """Topics annotated with ``practice_count``: their published practices, a parent
    counting its subtopics' practices too (each practice once)."""
    queryset = Topic.objects.all() if queryset is None else queryset
    return queryset.annotate(
        practice_count=SubqueryCount(
            published_practices_in_topic(OuterRef(OuterRef("pk"))).values("pk")
        )
    )


def topic_tree() -> list[Topic]:
    """Top-level topics with their counts, each with ``.children`` (counted too)."""
    return list(
        topics_with_counts(Topic.objects.filter(parent__isnull=True)).prefetch_related(
            Prefetch("children", queryset=topics_with_counts())
        )
    )


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


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/topic_list.html", {"topics": topic_tree()})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    subtopics = list(topics_with_counts(topic.children.all()))
    practices = practice_cards(published_practices_in_topic(topic)).order_by(
        "-published_at", "title"
    )
    page = paginate(request, practices, PRACTICES_PER_PAGE)
    publications = list(
        Publication.objects.published()
        .filter(
            pk__in=Publication.topics.through.objects.filter(
                Q(topic=topic) | Q(topic__parent=topic)
            ).values("publication_id")
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


def publication_list(request: HttpRequest) -> HttpResponse:
    filterset = PublicationFilter(request.GET, queryset=Publication.objects.published())
    if not filterset.is_valid():
        # Bad filter values: say which, with a 400, and list nothing.
        return render(
            request,
            "publications/publication_list.html",
            {"filter": filterset, "page_obj": None, "publications": []},
            status=400,
        )
    page = paginate(request, filterset.qs, PUBLICATIONS_PER_PAGE)
    return render(
        request,
        "publications/publication_list.html",
        {"filter": filterset, "page_obj": page, "publications": page.object_list},
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


def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.prefetch_related(
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
    if preview and not (
        request.user.is_staff and request.user.has_perm("practices.view_publication")
    ):
        raise Http404(_("No publication found."))
    return render(
        request,
        "publications/publication_detail.html",
        {
            "publication": publication,
            "preview": preview,
            "json_ld": publication_json_ld(request, publication),
        },
    )


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
