"""Award pages: all awards, one award's recognized programs by year, and the public
pages of its cycles (call for entries, application form, receipt, results)."""

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_safe

from awards import selectors
from awards.forms import ApplicationForm
from awards.judging import CallClosed, DuplicateApplication, submit_application
from awards.models import Application, Award, Cycle, RecognitionLevel
from clearinghouse.cache import public_page
from clearinghouse.publicforms import bot_refused, refuse_post, send_confirmation

# The award page lists the most recent recognitions; the practice list filtered by the
# award (linked from the page) pages through all of them.
AWARD_RECOGNITIONS_SHOWN = 100


@require_safe
@public_page()
def award_list(request: HttpRequest) -> HttpResponse:
    return render(request, "awards/award_list.html", {"awards": selectors.awards_with_counts()})


@require_safe
@public_page()
def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = get_object_or_404(Award, slug=slug)
    summary = selectors.cached_award_summary(award)
    categories = list(award.categories.order_by("name"))
    for category in categories:
        category.recognition_count = summary["category_counts"].get(category.pk, 0)
    recognitions = selectors.latest_recognitions(award, AWARD_RECOGNITIONS_SHOWN)
    by_year = [
        {
            "year": year,
            "recognitions": list(items),
            "count": summary["year_counts"].get(year, 0),
        }
        for year, items in groupby(recognitions, key=lambda r: r.year)
    ]
    labels = dict(RecognitionLevel.choices)
    cycles = selectors.public_cycles(award)
    return render(
        request,
        "awards/award_detail.html",
        {
            "award": award,
            "categories": categories,
            "by_year": by_year,
            "recognition_count": summary["recognition_count"],
            "program_count": summary["program_count"],
            "shown_count": len(recognitions),
            "open_cycles": cycles["open"],
            "upcoming_cycles": cycles["upcoming"],
            "announced_cycles": cycles["announced"],
            "level_counts": [
                (labels[value], number) for value, number in summary["level_counts"] if number
            ],
        },
    )


# --- Award cycles: the call for entries, applying, the receipt and the results ------


def _public_cycle(award_slug: str, slug: str) -> Cycle:
    return get_object_or_404(
        Cycle.objects.public().select_related("award"), award__slug=award_slug, slug=slug
    )


def _rubric(cycle: Cycle) -> list:
    return list(cycle.criteria.all())


@require_safe
def cycle_detail(request: HttpRequest, award: str, slug: str) -> HttpResponse:
    cycle = _public_cycle(award, slug)
    return render(
        request,
        "awards/cycle_detail.html",
        {
            "cycle": cycle,
            "award": cycle.award,
            "now": timezone.now(),
            "is_open": cycle.is_open(),
            "categories": list(cycle.categories.order_by("name")),
            "criteria": _rubric(cycle),
            "stages": list(cycle.stages.all()),
        },
    )


APPLY_SCOPE = "award-application"


@require_http_methods(["GET", "HEAD", "POST"])
def cycle_apply(request: HttpRequest, award: str, slug: str) -> HttpResponse:
    cycle = _public_cycle(award, slug)
    context = {"cycle": cycle, "award": cycle.award, "is_open": cycle.is_open()}
    if not context["is_open"]:
        # Before the call opens and after it closes the form accepts nothing.
        status = 403 if request.method == "POST" else 200
        return render(request, "awards/cycle_apply.html", context, status=status)
    form = ApplicationForm(cycle=cycle)
    status = 200
    if request.method == "POST":
        if refused := refuse_post(request, scope=APPLY_SCOPE):
            return refused
        form = ApplicationForm(request.POST, request.FILES, cycle=cycle)
        if form.caught_bot():
            return bot_refused(request)
        if form.is_valid():
            try:
                application = submit_application(
                    cycle=cycle, data=form.cleaned_data, language=get_language()
                )
            except DuplicateApplication as exc:
                form.add_error(None, str(exc))
                status = 409
            except CallClosed as exc:
                context["closed_message"] = str(exc)
                return render(request, "awards/cycle_apply.html", context, status=403)
            else:
                receipt = reverse(
                    "awards:cycle_receipt",
                    kwargs={"award": award, "slug": slug, "reference": application.reference},
                )
                send_confirmation(
                    to=application.contact_email,
                    subject=gettext("Application received: %(reference)s")
                    % {"reference": application.reference},
                    template="awards/email/application_received.txt",
                    context={
                        "application": application,
                        "cycle": cycle,
                        "receipt_url": request.build_absolute_uri(receipt),
                    },
                )
                return redirect(receipt)
        else:
            status = 400
    context["form"] = form
    context["criteria"] = _rubric(cycle)
    return render(request, "awards/cycle_apply.html", context, status=status)


@require_safe
def cycle_receipt(request: HttpRequest, award: str, slug: str, reference: str) -> HttpResponse:
    cycle = _public_cycle(award, slug)
    application = get_object_or_404(
        Application.objects.select_related("category"), cycle=cycle, reference=reference
    )
    response = render(
        request,
        "awards/cycle_receipt.html",
        {"cycle": cycle, "award": cycle.award, "application": application},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def cycle_results(request: HttpRequest, award: str, slug: str) -> HttpResponse:
    cycle = _public_cycle(award, slug)
    if not cycle.is_announced():
        raise Http404("Results are not announced yet.")
    return render(
        request,
        "awards/cycle_results.html",
        {"cycle": cycle, "award": cycle.award, "decisions": selectors.announced_decisions(cycle)},
    )
