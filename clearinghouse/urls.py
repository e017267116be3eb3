from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from clearinghouse import admin_pages, admin_views, feeds, follow, search, views, views_about
from intake.admin import queue_view

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", feeds.robots_txt, name="robots_txt"),
    path("favicon.ico", admin_pages.favicon, name="favicon"),
    path("sitemap.xml", feeds.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", feeds.sitemap_section, name="sitemap_section"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own "view on site" redirect, which it replaces (admin_views.py).
    path(
        f"{settings.ADMIN_URL}r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(admin_views.view_on_site),
    ),
    # The curators' intake queue, inside the admin (its sign-in and permission checks).
    path(
        f"{settings.ADMIN_URL}intake/queue/", admin.site.admin_view(queue_view), name="intake_queue"
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler403 = "clearinghouse.admin_pages.permission_denied"

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("about/", views_about.about, name="about"),
    path("search/", search.site_search, name="search"),
    path("feeds/practices/", feeds.practice_feed, name="practice_feed"),
    path("feeds/follow/", follow.search_feed, name="follow_search"),
    path("feeds/topics/<slug:slug>/", follow.topic_feed, name="follow_topic"),
    path("feeds/awards/<slug:slug>/", follow.award_feed, name="follow_award"),
    path("", include("practices.urls")),
    path("", include("awards.urls")),
    path("", include("intake.urls")),
    path("", include("awards.judging_urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
