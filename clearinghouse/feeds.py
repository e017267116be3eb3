"""Atom feed of new practices, sitemap.xml and robots.txt."""

import math
import re
from xml.sax.saxutils import escape

from django.contrib.sitemaps import views as sitemap_views
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from clearinghouse.site_url import absolute_url
from clearinghouse.sitemaps import SITEMAPS
from practices.models import Practice

FEED_SIZE = 30

# Characters XML 1.0 forbids; text pasted from PDFs sometimes carries them (form feeds).
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value: str) -> str:
    """Text the feed generator accepts: forbidden control characters become spaces."""
    return XML_FORBIDDEN.sub(" ", value)


def newest_practices(queryset):
    """The ``FEED_SIZE`` newest practices of ``queryset``, with what their entries show."""
    return (
        queryset.select_related("lead_jurisdiction")
        .prefetch_related("topics")
        .order_by("-published_at", "-pk")[:FEED_SIZE]
    )


class PracticeEntries:
    """A feed's entries for practices: title, plain-text summary, dates, the leading
    jurisdiction as author and the topics as categories. Mixed into a ``Feed``, which
    gives each entry its link."""

    def item_title(self, practice):
        return xml_text(practice.title)

    def item_description(self, practice):
        return xml_text(practice.summary)

    def item_pubdate(self, practice):
        return practice.published_at

    def item_updateddate(self, practice):
        return practice.updated_at

    def item_author_name(self, practice):
        return xml_text(practice.lead_jurisdiction.name)

    def item_categories(self, practice):
        return [xml_text(topic.display_name) for topic in practice.topics.all()]


class TextAtomFeed(Atom1Feed):
    """Atom with each entry's summary sent as plain text (``type="text"``).

    Django's Atom feed marks summaries ``type="html"``, so a feed reader would turn a
    curator's ``&lt;script&gt;`` back into markup. Summaries here are plain text, and
    every other element of an entry already is.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class PracticeFeed(PracticeEntries, Feed):
    feed_type = TextAtomFeed
    title = _("New practices · Public Safety Practices Clearinghouse")
    subtitle = _("Crime-prevention and public-safety programs that local governments ran.")

    # Absolute links, so the syndication framework never builds them from the request.
    def link(self):
        return absolute_url(reverse("practices:practice_list"))

    def feed_url(self):
        return absolute_url(reverse("practice_feed"))

    def items(self):
        return newest_practices(Practice.objects.published())

    def item_link(self, practice):
        return absolute_url(practice.get_absolute_url())


practice_feed = require_safe(PracticeFeed())


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per section file and page (absolute, from SITE_URL)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for section, sitemap_class in SITEMAPS.items():
        site = sitemap_class()
        location = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        pages = max(1, math.ceil(site.url_count() / site.limit))
        for page in range(1, pages + 1):
            url = location if page == 1 else f"{location}?p={page}"
            lines.append(f"<sitemap><loc>{escape(url)}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml")


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One section's URLs (a page of them with ``?p=``); 404 for an unknown section."""
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /i18n/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
