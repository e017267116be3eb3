"""Admin for the catalogue (minimal: the practice admin with its CSV import page)."""

from django.contrib import admin

from practices.admin_import import PracticeImportAdminMixin
from practices.models import Practice


@admin.register(Practice)
class PracticeAdmin(PracticeImportAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "state", "published_at"]
    search_fields = ["title", "slug"]
