"""Sitemap sections: every public page, each with its Spanish alternate.

``/sitemap.xml`` is an index naming one file per section (``/sitemap-<section>.xml``),
split into pages of ``limit`` URLs (``?p=2``...) so no file passes the protocol's 50,000.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.urls import reverse

from awards.models import Award
from clearinghouse.site_url import site_domain, site_scheme
from practices.models import Jurisdiction, Practice, Publication, Topic


class BilingualSitemap(Sitemap):
    """Each page is listed in English and Spanish, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    # URLs per file (each language counts): the protocol allows at most 50,000.
    limit = 45_000

    def url_count(self) -> int:
        """How many URLs the section lists, from one count query (not its rows)."""
        items = self.items()
        count = len(items) if isinstance(items, list) else items.count()
        return count * len(self._languages())

    # Every address uses SITE_URL's scheme and host, never the request's.
    def get_protocol(self, protocol=None):
        return site_scheme()

    def get_domain(self, site=None):
        return site_domain()


class PracticeSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Practice.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, practice):
        return practice.updated_at


class PublicationSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Publication.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, publication):
        return publication.updated_at


class TopicSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Topic.objects.order_by("pk").only("slug")


class AwardSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Award.objects.order_by("pk").only("slug")


class JurisdictionSitemap(BilingualSitemap):
    """Only places named by a published practice have a page."""

    changefreq = "monthly"
    priority = 0.4

    def items(self):
        published = Practice.objects.published()
        return (
            Jurisdiction.objects.filter(
                Q(pk__in=published.values("lead_jurisdiction_id"))
                | Q(
                    pk__in=Practice.partner_jurisdictions.through.objects.filter(
                        practice__in=published
                    ).values("jurisdiction_id")
                )
            )
            .order_by("pk")
            .only("slug")
        )


class StaticPageSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return [
            "home",
            "about",
            "practices:practice_list",
            "practices:topic_list",
            "practices:publication_list",
            "awards:award_list",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": StaticPageSitemap,
    "practices": PracticeSitemap,
    "publications": PublicationSitemap,
    "topics": TopicSitemap,
    "awards": AwardSitemap,
    "jurisdictions": JurisdictionSitemap,
}
