"""Admin for awards, their categories and the recognitions committees tag.

Curators (and superusers) manage every award. A committee member sees and changes
only the recognitions of the awards whose committee lists them: the list, the form's
choices and every object page are limited to those awards, and anything else
answers 403.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from awards.forms import RecognitionTagForm
from awards.judging import sync_automatic_recusals
from awards.models import (
    Application,
    Award,
    AwardCategory,
    Criterion,
    Cycle,
    Decision,
    HistoryEntry,
    Judge,
    Recognition,
    Stage,
)
from awards.services import (
    RecognitionError,
    awards_for_user,
    enrol_committee,
    may_tag,
    recognize,
    sees_all_awards,
)
from clearinghouse.admin_base import GuardedAdmin
from practices.admin import PracticeAdmin
from practices.models import Practice


def committee_label(user) -> str:
    """``Dana Ortiz (dortiz, dana@example.org)``: what the committee picker shows."""
    details = ", ".join(part for part in (user.get_username(), user.email) if part)
    name = user.get_full_name()
    return f"{name} ({details})" if name else details


class AwardCategoryInline(admin.TabularInline):
    model = AwardCategory
    fields = ("name", "slug", "description", "population_band")
    prepopulated_fields = {"slug": ("name",)}
    extra = 1


@admin.register(Award)
class AwardAdmin(GuardedAdmin):
    list_display = ("name", "sponsor", "active", "category_count", "committee_size")
    list_filter = ("active",)
    search_fields = ("name", "sponsor", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("committee",)
    inlines = [AwardCategoryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                category_total=Count("categories", distinct=True),
                committee_total=Count("committee", distinct=True),
            )
        )

    @admin.display(description=_("categories"), ordering="category_total")
    def category_count(self, obj) -> int:
        return obj.category_total

    @admin.display(description=_("committee members"), ordering="committee_total")
    def committee_size(self, obj) -> int:
        return obj.committee_total

    def get_exclude(self, request, obj=None):
        # Who sits on an award's committee is shown to curators and to that committee,
        # not to the members of other awards' committees.
        exclude = list(super().get_exclude(request, obj) or [])
        if not sees_all_awards(request.user) and not (
            obj is not None and awards_for_user(request.user).filter(pk=obj.pk).exists()
        ):
            exclude.append("committee")
        return exclude

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "committee":
            # Committee members work in the admin, so they are staff users.
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True)
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            # Full name and email beside the user name, so the right person is picked.
            field.label_from_instance = committee_label
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        enrolled = enrol_committee(form.instance)
        if enrolled:
            self.message_user(
                request,
                gettext("Added to the “Award committee” group: %(names)s.")
                % {"names": ", ".join(user.get_username() for user in enrolled)},
                messages.INFO,
            )


@admin.register(AwardCategory)
class AwardCategoryAdmin(GuardedAdmin):
    list_display = ("name", "award", "slug")
    list_filter = ("award",)
    list_select_related = ("award",)
    search_fields = ("name", "slug", "award__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("award",)


@admin.register(Recognition)
class RecognitionAdmin(GuardedAdmin):
    list_display = ("practice", "award", "category", "year", "level", "tagged_by", "tagged_at")
    list_filter = (("award", admin.RelatedOnlyFieldListFilter), "level", "year")
    list_select_related = ("practice", "award", "category__award", "tagged_by")
    search_fields = ("practice__title", "award__name", "category__name", "citation")
    autocomplete_fields = ("practice",)
    readonly_fields = ("tagged_by", "tagged_at")
    fields = ("practice", "award", "category", "year", "level", "citation", *readonly_fields)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_all_awards(request.user):
            return queryset
        return queryset.filter(award__in=awards_for_user(request.user))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self._exists_elsewhere(object_id, from_field):
            # It exists, but belongs to an award this user does not judge.
            raise PermissionDenied
        return obj

    def _exists_elsewhere(self, object_id, from_field) -> bool:
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            value = field.to_python(object_id)
        except ValidationError:
            return False
        return Recognition.objects.filter(**{field.name: value}).exists()

    def _may_touch(self, request, obj) -> bool:
        return obj is None or may_tag(request.user, obj.award)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_touch(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        awards = awards_for_user(request.user)
        if db_field.name == "award":
            kwargs["queryset"] = awards
        elif db_field.name == "category":
            kwargs["queryset"] = AwardCategory.objects.filter(award__in=awards).select_related(
                "award"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not may_tag(request.user, obj.award):
            raise PermissionDenied
        if not change:
            obj.tagged_by = request.user
        super().save_model(request, obj, form, change)


# --- Award cycles: curators set them up; judging happens on the judging pages --------


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ("position", "name", "description", "weight", "scale")
    extra = 0


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("position", "name")
    extra = 0


class JudgeInline(admin.TabularInline):
    model = Judge
    fields = ("user", "role", "jurisdiction")
    autocomplete_fields = ("jurisdiction",)
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, award_committees__isnull=False)
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cycle)
class CycleAdmin(GuardedAdmin):
    list_display = ("name", "award", "year", "opens_at", "closes_at", "announce_at", "blind")
    list_filter = (("award", admin.RelatedOnlyFieldListFilter), "blind", "public", "year")
    list_select_related = ("award",)
    search_fields = ("name", "slug", "award__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("award",)
    filter_horizontal = ("categories",)
    readonly_fields = ("scoring_closed_at", "judging_link")
    fieldsets = (
        (None, {"fields": ("award", "name", "slug", "year", "description", "eligibility")}),
        (_("Dates"), {"fields": ("opens_at", "closes_at", "announce_at")}),
        (_("Judging"), {"fields": ("categories", "blind", "scoring_closed_at", "judging_link")}),
        (_("Visibility"), {"fields": ("public", "demonstration")}),
    )
    inlines = [CriterionInline, StageInline, JudgeInline]

    @admin.display(description=_("judging pages"))
    def judging_link(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("judging:cycle", args=[obj.pk]), gettext("Open")
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_automatic_recusals(cycle=form.instance)


@admin.register(Application)
class ApplicationAdmin(GuardedAdmin):
    """Curators' view of applications (contacts included, as staff). Judges use the
    judging pages, which hide what blind judging hides."""

    list_display = ("reference", "title", "cycle", "category", "stage", "submitted_at")
    list_filter = (("cycle", admin.RelatedOnlyFieldListFilter), "sample")
    list_select_related = ("cycle__award", "category", "stage")
    search_fields = ("reference", "title", "jurisdiction_name", "contact_email")
    autocomplete_fields = ("jurisdiction", "practice")
    readonly_fields = ("reference", "cycle", "submitted_at", "fingerprint", "sample", "language")

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "cycle", "action", "application", "user", "detail")
    list_filter = (("cycle", admin.RelatedOnlyFieldListFilter), "action")
    list_select_related = ("cycle__award", "application", "user")
    search_fields = ("application__reference", "detail")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "level", "decided_by", "decided_at", "recognition")
    list_filter = ("level",)
    list_select_related = ("application", "decided_by", "recognition__award")
    search_fields = ("application__reference", "citation")


class RecognitionInline(admin.TabularInline):
    """Recognitions are shown here; committees tag them with the list action."""

    model = Recognition
    fields = ("award", "category", "year", "level", "tagged_by", "tagged_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        # A committee member sees only the recognitions of their own awards, as on the
        # recognition list; another award's recognition page answers 403.
        return (
            super()
            .get_queryset(request)
            .filter(award__in=awards_for_user(request.user))
            .select_related("award", "category__award", "tagged_by")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PracticeWithRecognitionsAdmin(PracticeAdmin):
    """The catalogue's practice admin, with the practice's recognitions and the award
    committees' "Tag as recognized" action: the awards app adds them, so the catalogue
    does not depend on it."""

    inlines = [*PracticeAdmin.inlines, RecognitionInline]
    actions = [*PracticeAdmin.actions, "tag_as_recognized"]

    def has_recognize_permission(self, request) -> bool:
        return (
            request.user.has_perm("awards.add_recognition")
            and awards_for_user(request.user).exists()
        )

    @admin.action(permissions=["recognize"], description=_("Tag as recognized"))
    def tag_as_recognized(self, request, queryset):
        """Ask for the award, category, year and level, then tag every selected practice."""
        if "apply" in request.POST:
            form = RecognitionTagForm(request.POST, user=request.user)
            if form.is_valid():
                try:
                    result = recognize(practices=queryset, user=request.user, **form.cleaned_data)
                except RecognitionError as exc:
                    form.add_error(None, str(exc))
                else:
                    self.report_tagging(request, result)
                    return None
        else:
            form = RecognitionTagForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Tag as recognized"),
            "opts": self.opts,
            "form": form,
            "practices": queryset.select_related("lead_jurisdiction"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "tag_as_recognized",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/practices/practice/tag_recognized.html", context)

    def report_tagging(self, request, result) -> None:
        recognition_admin = self.admin_site.get_model_admin(Recognition)
        for recognition in result.created:
            recognition_admin.log_addition(
                request, recognition, gettext("Tagged from the practice list.")
            )
            # The practice's own history says so too.
            self.log_change(
                request,
                recognition.practice,
                gettext("Recognized: %(recognition)s.") % {"recognition": recognition},
            )
        if result.created:
            self.message_user(
                request,
                ngettext(
                    "Tagged %(count)d practice as recognized.",
                    "Tagged %(count)d practices as recognized.",
                    len(result.created),
                )
                % {"count": len(result.created)},
                messages.SUCCESS,
            )
        for practice in result.duplicates:
            self.message_user(
                request,
                gettext(
                    "“%(practice)s” already has this recognition for that year; "
                    "it was not added again."
                )
                % {"practice": practice},
                messages.WARNING,
            )


admin.site.unregister(Practice)
admin.site.register(Practice, PracticeWithRecognitionsAdmin)
