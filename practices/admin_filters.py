"""Admin list filters of the catalogue."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices.models import Jurisdiction


class UsedCountryFilter(admin.SimpleListFilter):
    """Countries that some jurisdiction is in, not all 250 of ISO 3166. ``field`` is the
    lookup to the country on the list's model."""

    title = _("country")
    parameter_name = "country"
    field = "country"

    def lookups(self, request, model_admin):
        codes = Jurisdiction.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(
            ((code, countries.name(code) or code) for code in codes), key=lambda item: str(item[1])
        )

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.field: value}) if value else queryset


class LeadCountryFilter(UsedCountryFilter):
    title = _("country of the lead jurisdiction")
    parameter_name = "lead_country"
    field = "lead_jurisdiction__country"
