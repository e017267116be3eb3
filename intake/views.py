"""The public forms and their receipts. No account is needed; each post is guarded by
``clearinghouse.publicforms`` (size, rate per address, honeypot) before it is read, saved
whole or not at all, and answered with a receipt page carrying its reference."""

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clearinghouse.publicforms import bot_refused, fingerprint, refuse_post
from intake import emails
from intake.forms import AdoptionForm, CorrectionForm, SubmissionForm
from intake.models import Adoption, Correction, IntakeItem, Submission
from practices.models import Jurisdiction, Practice

KINDS = {"S": Submission, "C": Correction, "A": Adoption}
KNOWN_JURISDICTIONS = 500


def _no_store(response: HttpResponse) -> HttpResponse:
    """Form pages carry a CSRF token and what someone typed: never cache them anywhere."""
    response["Cache-Control"] = "private, no-store"
    return response


def _published_practice(slug: str) -> Practice:
    return get_object_or_404(
        Practice.objects.published().select_related("lead_jurisdiction"), slug=slug
    )


def _handle(request: HttpRequest, form_class, *, scope: str, template: str, context: dict, prepare):
    """The shared flow of the three forms: guard, validate, save once, tell people."""
    if request.method == "POST":
        if refused := refuse_post(request, scope=scope):
            return _no_store(refused)
        form = form_class(request.POST, request.FILES)
        if form.caught_bot():
            return _no_store(bot_refused(request))
        if form.is_valid():
            item = form.save(commit=False)
            prepare(item)
            item.language = (get_language() or "en")[:2]
            item.fingerprint = fingerprint(*item.fingerprint_values())
            # The same report again (a double click, a bot): keep the first one only.
            duplicate = type(item).objects.filter(fingerprint=item.fingerprint).first()
            if duplicate is not None:
                return redirect("intake:received", reference=duplicate.reference)
            try:
                with transaction.atomic():
                    item.save()
                    form.save_m2m()
            except IntegrityError:
                # Two identical posts at the same moment: the other one won.
                duplicate = type(item).objects.filter(fingerprint=item.fingerprint).first()
                if duplicate is None:
                    raise
                return redirect("intake:received", reference=duplicate.reference)
            emails.send_receipt(item)
            emails.notify_curators(item, admin_url=request.build_absolute_uri(item.admin_url()))
            return redirect("intake:received", reference=item.reference)
        status = 400
    else:
        form = form_class()
        status = 200
    response = render(request, template, {**context, "form": form}, status=status)
    return _no_store(response)


@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest) -> HttpResponse:
    known = (
        Jurisdiction.objects.filter(led_practices__state="published")
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:KNOWN_JURISDICTIONS]
    )
    return _handle(
        request,
        SubmissionForm,
        scope="intake-share",
        template="intake/share.html",
        context={"known_jurisdictions": known},
        prepare=lambda item: None,
    )


def _handle_about_practice(
    request: HttpRequest, slug: str, form_class, *, scope: str, template: str
) -> HttpResponse:
    """``_handle`` for a form about one published practice: the item is linked to it."""
    practice = _published_practice(slug)

    def prepare(item: Correction | Adoption) -> None:
        item.practice = practice

    return _handle(
        request,
        form_class,
        scope=scope,
        template=template,
        context={"practice": practice},
        prepare=prepare,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def suggest_correction(request: HttpRequest, slug: str) -> HttpResponse:
    return _handle_about_practice(
        request,
        slug,
        CorrectionForm,
        scope="intake-correction",
        template="intake/correction.html",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_adoption(request: HttpRequest, slug: str) -> HttpResponse:
    return _handle_about_practice(
        request,
        slug,
        AdoptionForm,
        scope="intake-adoption",
        template="intake/adoption.html",
    )


@require_safe
def received(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt: the reference and what happens next. Nothing the sender typed is shown
    (a reference is unguessable, but a receipt page must not reveal anything anyway)."""
    model = KINDS.get(reference[:1])
    if model is None or len(reference) > 16:
        raise Http404(_("No report has this reference."))
    item: IntakeItem = get_object_or_404(model, reference=reference)
    practice = getattr(item, "practice", None) if not isinstance(item, Submission) else None
    response = render(
        request,
        "intake/received.html",
        {
            "item": item,
            "kind": emails.kind_label(item),
            "practice": practice if practice is not None and practice.is_published else None,
            "share_url": reverse("intake:share"),
        },
    )
    return _no_store(response)
