"""The judging pages: for committee members assigned to a cycle, and its chair.

Every page answers 403 to anyone who is not a judge of the cycle (a member of another
award's committee, a curator who is not assigned), and sends visitors who are not
signed in to the sign-in page. In a blind cycle no page, list or export shows the
applicant's name, jurisdiction or contact. A judge recused from an application never
sees its scores; the others see them once their own are in.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from awards import judging
from awards.forms import DecisionForm, RecusalForm, ScoreForm
from awards.models import Application, Cycle, HistoryAction, Judge, Score, Stage
from practices.csvio import defuse

sign_in_required = login_required(login_url=reverse_lazy("admin:login"))


def _judge(request: HttpRequest, cycle: Cycle) -> Judge:
    judge = judging.judge_for(request.user, cycle)
    if judge is None:
        raise PermissionDenied
    judge.cycle = cycle
    return judge


def _chair(request: HttpRequest, cycle: Cycle) -> Judge:
    judge = _judge(request, cycle)
    if not judge.is_chair:
        raise PermissionDenied
    return judge


def _cycle(pk: int) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("award"), pk=pk)


def _application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("cycle__award", "category", "stage"), pk=pk
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@sign_in_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = [
        judge
        for judge in Judge.objects.filter(user=request.user, user__is_active=True)
        .select_related("cycle__award")
        .order_by("-cycle__opens_at")
        if judge.cycle.award.committee.filter(pk=request.user.pk).exists()
    ]
    return _private(render(request, "judging/home.html", {"assignments": assignments}))


def _rows(judge: Judge, cycle: Cycle) -> list[dict]:
    """The cycle's applications as this judge may see them."""
    criteria_count = cycle.criteria.count()
    recused = set(
        cycle.applications.filter(recusals__judge=judge.user_id).values_list("pk", flat=True)
    )
    own: dict[int, int] = {}
    for score in Score.objects.filter(application__cycle=cycle, judge=judge.user_id):
        own[score.application_id] = own.get(score.application_id, 0) + 1
    rows = []
    for application in cycle.applications.select_related("category", "stage").order_by(
        "category__name", "reference"
    ):
        is_recused = application.pk in recused or (
            judge.jurisdiction_id is not None
            and judge.jurisdiction_id == application.jurisdiction_id
        )
        done = criteria_count and own.get(application.pk, 0) >= criteria_count
        rows.append(
            {
                "application": application,
                "recused": is_recused,
                "scored": bool(done) and not is_recused,
            }
        )
    return rows


@require_safe
@sign_in_required
def cycle_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(pk)
    judge = _judge(request, cycle)
    return _private(
        render(
            request,
            "judging/cycle.html",
            {"cycle": cycle, "judge": judge, "rows": _rows(judge, cycle)},
        )
    )


def _score_table(application: Application, criteria: list) -> list[dict]:
    """Every judge's scores on the application, judge by judge."""
    by_judge: dict = {}
    for score in application.scores.select_related("judge", "criterion"):
        by_judge.setdefault(score.judge, {})[score.criterion_id] = score
    totals = judging.judge_totals(application, criteria)
    return [
        {
            "judge": user,
            "scores": [scores.get(criterion.pk) for criterion in criteria],
            "total": totals.get(user.pk),
        }
        for user, scores in sorted(by_judge.items(), key=lambda item: item[0].get_username())
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@sign_in_required
def application_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    cycle = application.cycle
    judge = _judge(request, cycle)
    criteria = list(cycle.criteria.all())
    recused = judging.is_recused(judge, application)
    own = {
        score.criterion_id: score
        for score in Score.objects.filter(application=application, judge=request.user)
    }
    form = ScoreForm(criteria=criteria, initial_scores=own)
    status = 200
    if request.method == "POST":
        form = ScoreForm(request.POST, criteria=criteria, initial_scores=own)
        if recused or cycle.scoring_closed:
            raise PermissionDenied
        if form.is_valid():
            try:
                judging.record_scores(judge=judge, application=application, scores=form.scores())
            except judging.JudgingError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, gettext("Your scores are saved."))
                return redirect("judging:application", pk=application.pk)
        else:
            status = 400
    sees_scores = judging.may_see_scores(judge, application)
    context = {
        "cycle": cycle,
        "judge": judge,
        "application": application,
        "criteria": criteria,
        "recused": recused,
        "form": form,
        "own_scores": [own.get(criterion.pk) for criterion in criteria],
        "sees_scores": sees_scores,
        "score_table": _score_table(application, criteria) if sees_scores else None,
        "recusal_form": RecusalForm(),
        "show_applicant": not cycle.blind,
    }
    return _private(render(request, "judging/application.html", context, status=status))


@require_safe
@sign_in_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    """The application's PDF, for judges of a named cycle who are not recused (in a
    blind cycle the document could name the applicant)."""
    application = _application(pk)
    judge = _judge(request, application.cycle)
    if application.cycle.blind or judging.is_recused(judge, application):
        raise PermissionDenied
    if not application.document:
        raise Http404("No document.")
    response = FileResponse(
        application.document.open("rb"),
        as_attachment=True,
        filename=f"{application.reference}.pdf",
        content_type="application/pdf",
    )
    response["Content-Security-Policy"] = "sandbox"
    return _private(response)


@require_POST
@sign_in_required
def recuse(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    judge = _judge(request, application.cycle)
    form = RecusalForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    judging.declare_recusal(judge=judge, application=application, note=note)
    messages.success(request, gettext("You are recused from this application."))
    return redirect("judging:cycle", pk=application.cycle_id)


@require_safe
@sign_in_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(pk)
    judge = _chair(request, cycle)
    return _private(
        render(
            request,
            "judging/ranking.html",
            {
                "cycle": cycle,
                "judge": judge,
                "groups": judging.ranking(judge),
                "stages": list(cycle.stages.all()),
                "decision_form": DecisionForm(),
                "disagreement": judging.DISAGREEMENT_POINTS,
            },
        )
    )


def _back_to_ranking(cycle: Cycle) -> HttpResponse:
    return redirect(reverse("judging:ranking", kwargs={"pk": cycle.pk}))


@require_POST
@sign_in_required
def close_scoring(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(pk)
    judge = _chair(request, cycle)
    judging.close_scoring(judge=judge)
    messages.success(request, gettext("Scoring is closed: scores can no longer change."))
    return _back_to_ranking(cycle)


@require_POST
@sign_in_required
def move_stage(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    judge = _chair(request, application.cycle)
    try:
        stage = Stage.objects.get(pk=int(request.POST.get("stage", "")), cycle=application.cycle)
    except (ValueError, Stage.DoesNotExist):
        return HttpResponse(gettext("Choose a stage of this cycle."), status=400)
    judging.move_to_stage(judge=judge, application=application, stage=stage)
    messages.success(
        request,
        gettext("%(reference)s moved to “%(stage)s”.")
        % {"reference": application.reference, "stage": stage.name},
    )
    return _back_to_ranking(application.cycle)


@require_POST
@sign_in_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    judge = _chair(request, application.cycle)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, problems)
        return _private(_back_to_ranking(application.cycle))
    try:
        judging.decide(
            judge=judge,
            application=application,
            level=form.cleaned_data["level"],
            citation=form.cleaned_data["citation"],
        )
    except judging.JudgingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("Decision recorded for %(reference)s; a draft practice awaits the curators.")
            % {"reference": application.reference},
        )
    return _back_to_ranking(application.cycle)


@require_safe
@sign_in_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """What happened in the cycle. Score details show only on applications whose
    scores this judge may see."""
    cycle = _cycle(pk)
    judge = _judge(request, cycle)
    entries = list(cycle.history.select_related("application", "user")[:500])
    visible: dict[int, bool] = {}
    for entry in entries:
        entry.hidden = False
        if (
            cycle.blind
            and entry.action == HistoryAction.RECUSED
            and entry.user_id != request.user.pk
        ):
            # Whose own jurisdiction applied would tell who applied.
            entry.detail = ""
        if entry.action == HistoryAction.SCORED and entry.application_id:
            if entry.application_id not in visible:
                visible[entry.application_id] = judging.may_see_scores(judge, entry.application)
            entry.hidden = not visible[entry.application_id] and entry.user_id != request.user.pk
    return _private(
        render(
            request, "judging/history.html", {"cycle": cycle, "judge": judge, "entries": entries}
        )
    )


class _Echo:
    def write(self, value):
        return value


@require_safe
@sign_in_required
def export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The applications as CSV, as this judge may see them: no applicant in a blind
    cycle, no scores where the judge is recused or has not scored yet."""
    cycle = _cycle(pk)
    judge = _judge(request, cycle)
    ranked = {row.application.pk: row for _category, rows in judging.ranking(judge) for row in rows}
    header = ["reference", "category", "stage", "title"]
    if not cycle.blind:
        header += ["applicant", "country"]
    header += ["recused", "weighted_mean", "scores", "recusals", "spread"]
    rows = [header]
    for row in _rows(judge, cycle):
        application = row["application"]
        rank = ranked[application.pk]
        line = [
            application.reference,
            application.category.name if application.category else "",
            application.stage.name if application.stage else "",
            application.title,
        ]
        if not cycle.blind:
            line += [application.jurisdiction_name, application.country.code]
        line += [
            "yes" if row["recused"] else "",
            "" if rank.hidden or rank.mean is None else rank.mean,
            "" if rank.hidden else rank.count,
            rank.recusals,
            "" if rank.hidden or rank.spread is None else rank.spread,
        ]
        rows.append([defuse(str(value)) for value in line])
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{cycle.award.slug}-{cycle.slug}-applications.csv"'
    )
    return _private(response)
