"""The curators' intake queue: submissions, corrections and adoption reports.

One page lists all three kinds together (``queue_view``, at ``<admin>/intake/queue/``);
each kind also has its own admin list. What senders wrote is shown read-only and escaped
(the admin escapes every value; links go through ``link_url``). Decisions (take up,
accept, ask for more, decline) are buttons on each item's page that call
``intake.services``; nobody adds items here, they come from the public forms.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clearinghouse.templatetags.safe_urls import link_url
from intake import services
from intake.links import parse_source_lines
from intake.models import OPEN_STATES, Adoption, Correction, IntakeState, Submission

SENDER_FIELDS = ("contact_name", "contact_role", "contact_email", "contact_phone", "language")
HANDLING_FIELDS = ("reference", "state", "created_at", "updated_at", "handled_by")
DECISIONS = ("start", "accept", "ask", "decline")


class IntakeItemAdmin(admin.ModelAdmin):
    """Shared by the three kinds: read-only sender content, decision buttons, history."""

    change_form_template = "admin/intake/change_form.html"
    change_list_template = "admin/intake/change_list.html"
    list_filter = ("state", "language", "created_at")
    date_hierarchy = "created_at"
    list_select_related = ("handled_by",)
    ordering = ("-created_at",)
    list_per_page = 50

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # Everything but the curators' own notes is what the sender sent, or the outcome of
        # a decision: kept as it was.
        editable = {"curator_notes"}
        return [f.name for f in self.model._meta.fields if f.name not in editable] + list(
            self.extra_readonly
        )

    extra_readonly: tuple[str, ...] = ()

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_display(self, obj) -> str:
        return obj.get_state_display()

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{opts.app_label}_{opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["decide_url"] = reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_decide", args=[obj.pk]
            )
            context["can_decide"] = self.has_change_permission(request, obj)
            context["open_item"] = obj.is_open
            context["can_start"] = obj.state in {
                IntakeState.NEW,
                IntakeState.WAITING,
                IntakeState.DECLINED,
            }
            context["message_limit"] = services.MAX_MESSAGE_LENGTH
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Carry out a decision posted from the item's page, then go back to it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("No such item."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        if request.method != "POST":
            return redirect(change_url)
        decision = request.POST.get("decision", "")
        message = request.POST.get("message", "")
        if decision not in DECISIONS:
            messages.error(request, _("Choose what to do with this item."))
            return redirect(change_url)
        try:
            if decision == "start":
                services.start(obj, user=request.user)
                messages.success(request, _("You took up %(ref)s.") % {"ref": obj.reference})
            elif decision == "accept":
                self.report_accepted(request, services.accept(obj, user=request.user))
            elif decision == "ask":
                sent = services.ask_sender(obj, user=request.user, message=message)
                self.report_reply(request, obj, sent, _("%(ref)s now waits for the sender."))
            else:
                sent = services.decline(obj, user=request.user, message=message)
                self.report_reply(request, obj, sent, _("%(ref)s was declined."))
        except services.IntakeError as exc:
            messages.error(request, str(exc))
        return redirect(change_url)

    def report_reply(self, request, obj, sent: bool, text: str) -> None:
        messages.success(request, text % {"ref": obj.reference})
        if obj.contact_email and not sent:
            messages.warning(
                request, _("The email to the sender could not be sent; write to them directly.")
            )

    def report_accepted(self, request, result: services.AcceptResult) -> None:
        item = result.item
        messages.success(request, _("%(ref)s was accepted.") % {"ref": item.reference})
        if isinstance(item, Submission) and result.practice is not None:
            url = reverse("admin:practices_practice_change", args=[result.practice.pk])
            messages.info(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("A draft practice was created; check it, then publish it:"),
                    url,
                    result.practice.title,
                ),
            )
        if result.jurisdiction_created:
            messages.info(
                request,
                _("A new jurisdiction was created; check its population and region."),
            )
        unmatched = result.unmatched_topics + result.unmatched_departments
        if unmatched:
            messages.warning(
                request,
                _("Not found in the catalogue, so not linked: %(names)s.")
                % {"names": ", ".join(unmatched)},
            )
        if item.contact_email and not result.email_sent:
            messages.warning(request, _("The email to the sender could not be sent."))


@admin.register(Submission)
class SubmissionAdmin(IntakeItemAdmin):
    list_display = (
        "reference",
        "title",
        "jurisdiction_name",
        "country",
        "state_display",
        "created_at",
        "handled_by",
    )
    search_fields = ("reference", "title", "jurisdiction_name", "contact_name", "contact_email")
    extra_readonly = ("draft_practice", "source_list")
    fieldsets = (
        (None, {"fields": HANDLING_FIELDS + ("draft_practice", "curator_notes")}),
        (
            gettext_lazy("The practice"),
            {"fields": ("title", "summary", "problem", "approach", "results", "cost_notes")},
        ),
        (
            gettext_lazy("Who took part"),
            {"fields": ("topic_names", "department_names", "partners")},
        ),
        (
            gettext_lazy("Where and when"),
            {
                "fields": (
                    "jurisdiction_name",
                    "jurisdiction_kind",
                    "country",
                    "region",
                    "population",
                    ("year_started", "year_ended"),
                )
            },
        ),
        (gettext_lazy("Sources"), {"fields": ("source_list", "document")}),
        (gettext_lazy("Sender (private)"), {"fields": SENDER_FIELDS}),
    )

    @admin.display(description=gettext_lazy("draft practice"))
    def draft_practice(self, obj) -> str:
        if obj.practice_id is None:
            return "–"
        url = reverse("admin:practices_practice_change", args=[obj.practice_id])
        return format_html('<a href="{}">{}</a>', url, obj.practice.title)

    @admin.display(description=gettext_lazy("sources"))
    def source_list(self, obj) -> str:
        try:
            sources = parse_source_lines(obj.source_links)
        except ValidationError:  # text that no longer parses is shown as it is (escaped)
            return obj.source_links
        if not sources:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}" rel="noopener noreferrer">{}</a> ({})</li>',
                ((link_url(url), title, url) for title, url in sources),
            ),
        )


@admin.register(Correction)
class CorrectionAdmin(IntakeItemAdmin):
    list_display = ("reference", "practice", "field", "state_display", "created_at", "handled_by")
    list_select_related = ("practice", "handled_by")
    search_fields = ("reference", "practice__title", "correction", "contact_email")
    extra_readonly = ("practice_link", "source_link")
    fieldsets = (
        (None, {"fields": HANDLING_FIELDS + ("curator_notes",)}),
        (
            gettext_lazy("The correction"),
            {"fields": ("practice_link", "field", "correction", "source_link", "history_entry")},
        ),
        (gettext_lazy("Sender (private)"), {"fields": SENDER_FIELDS}),
    )

    @admin.display(description=gettext_lazy("practice"))
    def practice_link(self, obj) -> str:
        url = reverse("admin:practices_practice_change", args=[obj.practice_id])
        history = reverse("admin:practices_practice_history", args=[obj.practice_id])
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">{}</a>)',
            url,
            obj.practice.title,
            history,
            _("history"),
        )

    @admin.display(description=gettext_lazy("source"))
    def source_link(self, obj) -> str:
        if not obj.source_url:
            return "–"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            link_url(obj.source_url),
            obj.source_url,
        )


@admin.register(Adoption)
class AdoptionAdmin(IntakeItemAdmin):
    list_display = (
        "reference",
        "practice",
        "jurisdiction_name",
        "country",
        "year_adopted",
        "outcome",
        "state_display",
        "created_at",
    )
    list_select_related = ("practice", "handled_by")
    search_fields = ("reference", "practice__title", "jurisdiction_name", "contact_email")
    extra_readonly = ()
    fieldsets = (
        (None, {"fields": HANDLING_FIELDS + ("curator_notes",)}),
        (
            gettext_lazy("The adoption"),
            {
                "fields": (
                    "practice",
                    "jurisdiction_name",
                    "jurisdiction_kind",
                    "country",
                    "region",
                    "population",
                    "year_adopted",
                    "changes",
                    "outcome",
                    "outcome_notes",
                    "jurisdiction",
                )
            },
        ),
        (gettext_lazy("Sender (private)"), {"fields": SENDER_FIELDS}),
    )


# --- The one queue ----------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50
QUEUE_KINDS = [
    (Submission, gettext_lazy("Practice submission"), "title"),
    (Correction, gettext_lazy("Correction"), "practice__title"),
    (Adoption, gettext_lazy("Adoption report"), "practice__title"),
]


def queue_view(request: HttpRequest) -> HttpResponse:
    """Every kind of report in one list, newest first; open items unless a state is asked."""
    allowed = [
        (model, label, title)
        for model, label, title in QUEUE_KINDS
        if request.user.has_perm(f"intake.view_{model._meta.model_name}")
    ]
    if not allowed:
        raise PermissionDenied
    state = request.GET.get("state", "open")
    if state == "open":
        states = list(OPEN_STATES)
    elif state == "all":
        states = list(IntakeState.values)
    elif state in IntakeState.values:
        states = [state]
    else:
        state, states = "open", list(OPEN_STATES)
    rows = []
    for model, label, title in allowed:
        name = model._meta.model_name
        for pk, reference, item_state, created_at, item_title in (
            model.objects.filter(state__in=states)
            .order_by("-created_at")
            .values_list("pk", "reference", "state", "created_at", title)[:1000]
        ):
            rows.append(
                {
                    "kind": label,
                    "reference": reference,
                    "title": item_title,
                    "state": IntakeState(item_state).label,
                    "created_at": created_at,
                    "url": reverse(f"admin:intake_{name}_change", args=[pk]),
                }
            )
    rows.sort(key=lambda row: row["created_at"], reverse=True)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    choices = [("open", _("Open (new, in progress, waiting)")), ("all", _("All"))]
    choices += list(IntakeState.choices)
    context = {
        **admin.site.each_context(request),
        "title": _("Intake queue"),
        "page_obj": page,
        "state": state,
        "state_choices": choices,
        "kinds": [
            (label, reverse(f"admin:intake_{model._meta.model_name}_changelist"))
            for model, label, _title in allowed
        ],
    }
    return TemplateResponse(request, "admin/intake/queue.html", context)
