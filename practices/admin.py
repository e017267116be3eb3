"""The curators' admin for the catalogue, and the publishing workflow's actions.

Practices and publications move through their states only with the workflow actions
(on the list and on each record's page), which call ``practices.services`` and write
to the admin history. The awards app adds the practice's recognitions and the committees'
"Tag as recognized" action (awards/admin.py).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Count
from django.forms.formsets import all_valid
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clearinghouse.admin_base import GuardedAdmin
from practices import services, vocabulary_csv
from practices.admin_filters import LeadCountryFilter, UsedCountryFilter
from practices.admin_import import PracticeImportAdminMixin
from practices.forms import PublicationAdminForm
from practices.models import (
    Department,
    Initiative,
    Jurisdiction,
    Outcome,
    PartnerPair,
    Practice,
    Publication,
    PublishingState,
    Source,
    Topic,
    VocabularyTerm,
)

BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# The name of the action menu on a record's change form.
FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


class PublishableAdmin(GuardedAdmin):
    """Shared by practices and publications: the workflow actions, read-only
    publishing fields, and who changed the record last."""

    publishing_fields = ("state", "published_at", "created_at", "updated_at", "updated_by")
    readonly_fields = publishing_fields
    actions = ["submit_for_review", "publish", "unpublish", "archive"]
    view_on_site = True

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A workflow action run from the change form never loses the edits made on it:
        they are saved first, and when they cannot be saved the action does not run and
        the form comes back with its errors."""
        if (
            request.method == "POST"
            and object_id
            and request.POST.get(FORM_ACTION)
            and not {"_save", "_continue", "_addanother"} & set(request.POST)
        ):
            self.refuse_unpermitted_action(request, ActionLocation.CHANGE_FORM)
            if not self.save_before_action(request, object_id):
                self.message_user(
                    request,
                    gettext(
                        "The action was not run and nothing was saved: correct the errors "
                        "below, then save or run the action again."
                    ),
                    messages.ERROR,
                )
                # Without the action, the admin validates the form and shows its errors.
                request.POST = request.POST.copy()
                request.POST.pop(FORM_ACTION)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_before_action(self, request, object_id) -> bool:
        """Save the change form's edits, as its Save button would; False when they are
        not valid (nothing is saved then)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            return True  # nothing this user could have edited; the admin answers as usual
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        form = self.get_form(request, obj, change=True, fields=fields)(
            request.POST, request.FILES, instance=obj
        )
        formsets, _inlines = self._create_formsets(request, form.instance, change=True)
        if not form.has_changed() and not any(formset.has_changed() for formset in formsets):
            return True
        form_valid = form.is_valid()
        if not (all_valid(formsets) and form_valid):
            return False
        with transaction.atomic(using=router.db_for_write(self.model)):
            record = self.save_form(request, form, change=True)
            self.save_model(request, record, form, True)
            self.save_related(request, form, formsets, True)
            self.log_change(
                request, record, self.construct_change_message(request, form, formsets, False)
            )
        self.message_user(
            request,
            gettext("Your changes to “%(record)s” were saved first.") % {"record": record},
            messages.SUCCESS,
        )
        return True

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj) -> str:
        return obj.get_state_display()

    def move(self, request, queryset, to_state: str) -> None:
        moved, refused = 0, []
        for record in queryset:
            try:
                result = services.transition(record, to_state=to_state, user=request.user)
            except services.TransitionError as exc:
                refused.append(str(exc))
                continue
            moved += 1
            self.log_change(
                request,
                record,
                gettext("Moved from %(from)s to %(to)s.")
                % {
                    "from": PublishingState(result.from_state).label,
                    "to": PublishingState(result.to_state).label,
                },
            )
        label = PublishingState(to_state).label.lower()
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record is now %(state)s.",
                    "%(count)d records are now %(state)s.",
                    moved,
                )
                % {"count": moved, "state": label},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(permissions=["publish"], description=_("Submit for review"), location=BOTH_PLACES)
    def submit_for_review(self, request, queryset):
        self.move(request, queryset, PublishingState.REVIEW)

    @admin.action(permissions=["publish"], description=_("Publish"), location=BOTH_PLACES)
    def publish(self, request, queryset):
        self.move(request, queryset, PublishingState.PUBLISHED)

    @admin.action(
        permissions=["publish"], description=_("Unpublish (back to draft)"), location=BOTH_PLACES
    )
    def unpublish(self, request, queryset):
        self.move(request, queryset, PublishingState.DRAFT)

    @admin.action(permissions=["publish"], description=_("Archive"), location=BOTH_PLACES)
    def archive(self, request, queryset):
        self.move(request, queryset, PublishingState.ARCHIVED)


@admin.register(Topic)
class TopicAdmin(GuardedAdmin):
    list_display = ("name", "name_es", "parent", "position", "slug")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("parent",)
    search_fields = ("name", "name_es", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Two levels at most: only top-level topics can be parents.
            kwargs["queryset"] = Topic.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(GuardedAdmin):
    list_display = ("name", "name_es", "position", "slug")
    search_fields = ("name", "name_es", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Jurisdiction)
class JurisdictionAdmin(GuardedAdmin):
    list_display = ("name", "kind", "country", "region", "population", "band")
    list_filter = ("kind", UsedCountryFilter)
    search_fields = ("name", "region", "slug")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description=_("population band"))
    def band(self, obj) -> str:
        band = obj.population_band
        return band.label if band else "—"


PARTNER_PAIRS_HELP = _(
    "Partner pairs: two jurisdictions that an initiative paired to learn from each other "
    "(for example a U.S. city and a Central American city exchanging visits and practices). "
    "Each pair is listed on the initiative; the order of the two does not matter."
)


class PartnerPairInline(admin.TabularInline):
    model = PartnerPair
    autocomplete_fields = ("first", "second")
    extra = 1


@admin.register(Initiative)
class InitiativeAdmin(GuardedAdmin):
    list_display = ("name", "funder", "year_started", "year_ended", "pair_count")
    search_fields = ("name", "funder", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PartnerPairInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "funder",
                    "description",
                    "countries",
                    ("year_started", "year_ended"),
                    "website",
                ),
                # What the "Partner pairs" table below the form is for.
                "description": PARTNER_PAIRS_HELP,
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pair_total=Count("pairs"))

    @admin.display(description=_("partner pairs"), ordering="pair_total")
    def pair_count(self, obj) -> int:
        return obj.pair_total


@admin.register(PartnerPair)
class PartnerPairAdmin(GuardedAdmin):
    fieldsets = (
        (
            None,
            {
                "fields": ("initiative", "first", "second", "note"),
                "description": PARTNER_PAIRS_HELP,
            },
        ),
    )
    list_display = ("__str__", "initiative", "note")
    list_filter = ("initiative",)
    list_select_related = ("initiative", "first", "second")
    search_fields = ("first__name", "second__name", "initiative__name", "note")
    autocomplete_fields = ("initiative", "first", "second")


class SourceInline(admin.TabularInline):
    model = Source
    fields = ("title", "url", "position")
    extra = 1


class OutcomeInline(admin.TabularInline):
    model = Outcome
    fields = ("description", "rating", "position")
    extra = 1


@admin.register(Practice)
class PracticeAdmin(PracticeImportAdminMixin, PublishableAdmin):
    # The CSV import mixin adds the import/ URL; the button lives in
    # templates/admin/practices/practice/change_list.html, which the admin finds by itself.
    # Few, short columns: the list fits the admin's content area at 1280 px with titles
    # on two or three lines (the language and publishing date are a filter and on each
    # record's page; the last change is one short column).
    list_display = ("title", "lead_jurisdiction", "state_display", "evidence_rating", "last_change")
    list_filter = (
        "state",
        "evidence_rating",
        "language",
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("departments", admin.RelatedOnlyFieldListFilter),
        LeadCountryFilter,
    )
    list_select_related = ("lead_jurisdiction", "updated_by")
    search_fields = ("title", "slug", "summary", "lead_jurisdiction__name")
    autocomplete_fields = (
        "lead_jurisdiction",
        "partner_jurisdictions",
        "topics",
        "departments",
        "initiative",
    )
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-updated_at",)
    inlines = [SourceInline, OutcomeInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "language", "summary_translation")}),
        (
            _("The program"),
            {
                "fields": (
                    "problem",
                    "approach",
                    "partners",
                    "results",
                    "cost_notes",
                    ("year_started", "year_ended"),
                )
            },
        ),
        (_("Evidence"), {"fields": ("evidence_rating", "evidence_strength", "evidence_notes")}),
        (
            _("Where and who"),
            {
                "fields": (
                    "lead_jurisdiction",
                    "partner_jurisdictions",
                    "topics",
                    "departments",
                    "initiative",
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": (
                    "contact_name",
                    "contact_role",
                    "contact_email",
                    "contact_phone",
                    "website",
                )
            },
        ),
        (_("Publishing"), {"fields": PublishableAdmin.publishing_fields}),
    )

    @admin.display(description=_("last change"), ordering="updated_at")
    def last_change(self, obj) -> str:
        when = date_format(localtime(obj.updated_at), "SHORT_DATE_FORMAT")
        return f"{when}, {obj.updated_by.get_username()}" if obj.updated_by else when


@admin.register(Source)
class SourceAdmin(GuardedAdmin):
    list_display = ("title", "practice", "url")
    list_select_related = ("practice",)
    search_fields = ("title", "url", "practice__title")
    autocomplete_fields = ("practice",)


@admin.register(Outcome)
class OutcomeAdmin(GuardedAdmin):
    list_display = ("description", "practice", "rating")
    list_filter = ("rating",)
    list_select_related = ("practice",)
    search_fields = ("description", "practice__title")
    autocomplete_fields = ("practice",)


@admin.register(Publication)
class PublicationAdmin(PublishableAdmin):
    form = PublicationAdminForm
    list_display = (
        "title",
        "kind",
        "year",
        "publisher",
        "state_display",
        "has_file",
        "updated_at",
        "updated_by",
    )
    list_filter = ("state", "kind", "language", ("topics", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("updated_by",)
    search_fields = ("title", "slug", "authors", "publisher", "isbn")
    autocomplete_fields = ("topics", "practices")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-updated_at",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "summary", "language")}),
        (
            _("Bibliographic details"),
            {"fields": ("authors", "publisher", ("year", "edition"), "isbn")},
        ),
        (_("Where to read it"), {"fields": ("url", "file")}),
        (_("Related"), {"fields": ("topics", "practices")}),
        (_("Publishing"), {"fields": PublishableAdmin.publishing_fields}),
    )

    @admin.display(description=_("PDF"), boolean=True)
    def has_file(self, obj) -> bool:
        return bool(obj.file)


class VocabularyImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with the columns “english” and “spanish”, at most 1 MB."),
    )
    replace = forms.BooleanField(
        label=_("Replace the whole vocabulary"),
        required=False,
        help_text=_(
            "Also remove the terms the file does not hold. Otherwise terms are only added."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Choose a .csv file."))
        if upload.size > MAX_VOCABULARY_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


MAX_VOCABULARY_BYTES = 1024 * 1024


@admin.register(VocabularyTerm)
class VocabularyTermAdmin(GuardedAdmin):
    """The bilingual vocabulary search uses to reach entries in the other language,
    with CSV export and import (buttons on the list)."""

    list_display = ("english", "spanish")
    list_display_links = ("english", "spanish")
    search_fields = ("english", "spanish")
    list_per_page = 100
    import_template = "admin/practices/vocabularyterm/import_csv.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(vocabulary_csv.export_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vocabulary.csv"'
        return response

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = None
        if request.method == "POST":
            form = VocabularyImportForm(request.POST, request.FILES)
            if form.is_valid():
                replace = form.cleaned_data["replace"]
                if replace and not self.has_delete_permission(request):
                    raise PermissionDenied
                result = vocabulary_csv.import_csv(
                    form.cleaned_data["file"].read(),
                    replace=replace,
                    dry_run="import" not in request.POST,
                )
                if result.ok and not result.dry_run:
                    self.message_user(request, result.summary(), messages.SUCCESS)
                    return redirect(reverse("admin:practices_vocabularyterm_changelist"))
                level = messages.ERROR if result.errors else messages.INFO
                self.message_user(request, result.summary(), level)
        else:
            form = VocabularyImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import the vocabulary from CSV"),
            "form": form,
            "result": result,
            "shown_errors": result.errors[:500] if result else [],
        }
        status = 400 if result and result.errors else 200
        return TemplateResponse(request, self.import_template, context, status=status)
