"""Award cycles: applying, judging and deciding (the writes), and who may judge what.

Every write is a keyword-only function run in one transaction, and each one that the
issue calls history (applications, scores, recusals, stage moves, closing the scoring,
decisions) adds a :class:`~awards.models.HistoryEntry`.

Who may judge: a user assigned to the cycle (:class:`~awards.models.Judge`) who still
sits on the award's committee. Curators and superusers manage cycles in the admin but
judge only when assigned like anyone else.
"""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awards.models import (
    Application,
    Cycle,
    Decision,
    HistoryAction,
    HistoryEntry,
    Judge,
    Recognition,
    RecognitionLevel,
    Recusal,
    RecusalKind,
    Score,
    Stage,
)
from clearinghouse.publicforms import fingerprint
from practices.models import EvidenceRating, Jurisdiction, Practice, PublishingState

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class JudgingError(ValueError):
    """A judging request that cannot be carried out; the message says why."""


class CallClosed(JudgingError):
    pass


class DuplicateApplication(JudgingError):
    pass


# --- Who may judge --------------------------------------------------------------------


def judge_for(user, cycle: Cycle) -> Judge | None:
    """The user's assignment to ``cycle``, or None when they may not judge it: not
    assigned, inactive, or no longer on the award's committee."""
    if not (user.is_authenticated and user.is_active):
        return None
    judge = Judge.objects.filter(cycle=cycle, user=user).select_related("cycle").first()
    if judge is None or not cycle.award.committee.filter(pk=user.pk).exists():
        return None
    return judge


def _history(cycle, action, *, user=None, application=None, detail=""):
    HistoryEntry.objects.create(
        cycle=cycle, application=application, user=user, action=action, detail=detail
    )


# --- Applying -------------------------------------------------------------------------


def _new_reference(year: int) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{year}-{code}"


def match_jurisdiction(name: str, country: str) -> Jurisdiction | None:
    """The catalogue's jurisdiction of that name (any case) in that country, if one."""
    found = list(Jurisdiction.objects.filter(name__iexact=name.strip(), country=country)[:2])
    return found[0] if len(found) == 1 else None


FINGERPRINT_FIELDS = ("title", "jurisdiction_name", "country", "contact_email", "category")


@transaction.atomic
def submit_application(*, cycle: Cycle, data: dict, language: str, now=None) -> Application:
    """Save an application sent through the public form (``data`` is the form's
    cleaned data). Refuses a closed call and the same entry sent twice; recuses judges
    whose own jurisdiction applies."""
    now = now or timezone.now()
    if not cycle.public or not cycle.is_open(now):
        raise CallClosed(_("This call for entries is not open."))
    print_ = fingerprint(cycle.pk, *(data.get(name) for name in FINGERPRINT_FIELDS))
    if Application.objects.filter(cycle=cycle, fingerprint=print_).exists():
        raise DuplicateApplication(_("This application was already received."))
    fields = {
        name: data.get(name)
        for name in (
            "category",
            "title",
            "summary",
            "scanning",
            "analysis",
            "response",
            "assessment",
            "jurisdiction_name",
            "country",
            "region",
            "population",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "practice",
        )
    }
    application = Application(
        cycle=cycle,
        fingerprint=print_,
        language=language,
        jurisdiction=match_jurisdiction(data["jurisdiction_name"], data["country"]),
        stage=cycle.stages.order_by("position", "pk").first(),
        submitted_at=now,
        **fields,
    )
    if data.get("document"):
        application.document = data["document"]
    for _attempt in range(5):
        application.reference = _new_reference(cycle.year)
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError as exc:
            if Application.objects.filter(cycle=cycle, fingerprint=print_).exists():
                raise DuplicateApplication(_("This application was already received.")) from exc
    else:  # pragma: no cover - eight random characters do not collide five times
        raise JudgingError(_("Please try again."))
    _history(cycle, HistoryAction.SUBMITTED, application=application, detail=application.reference)
    sync_automatic_recusals(cycle=cycle, applications=[application])
    return application


# --- Recusals -------------------------------------------------------------------------


def sync_automatic_recusals(*, cycle: Cycle, applications=None) -> list[Recusal]:
    """Recuse every judge of ``cycle`` from the applications of their own jurisdiction."""
    created = []
    judges = [judge for judge in cycle.judges.all() if judge.jurisdiction_id]
    if not judges:
        return created
    if applications is None:
        applications = cycle.applications.exclude(jurisdiction=None)
    for application in applications:
        for judge in judges:
            if judge.jurisdiction_id != application.jurisdiction_id:
                continue
            recusal, new = Recusal.objects.get_or_create(
                application=application,
                judge=judge.user,
                defaults={"kind": RecusalKind.AUTOMATIC},
            )
            if new:
                created.append(recusal)
                _history(
                    cycle,
                    HistoryAction.RECUSED,
                    user=judge.user,
                    application=application,
                    detail=gettext("Own jurisdiction (automatic)"),
                )
    return created


def is_recused(judge: Judge, application: Application) -> bool:
    if judge.jurisdiction_id and judge.jurisdiction_id == application.jurisdiction_id:
        return True
    return Recusal.objects.filter(application=application, judge=judge.user_id).exists()


@transaction.atomic
def declare_recusal(*, judge: Judge, application: Application, note: str = "") -> Recusal:
    """The judge declares a conflict: from now on they neither see nor give scores on
    the application. Scores they already gave are withdrawn."""
    if application.cycle_id != judge.cycle_id:
        raise JudgingError(_("This application belongs to another cycle."))
    recusal, new = Recusal.objects.get_or_create(
        application=application,
        judge=judge.user,
        defaults={"kind": RecusalKind.DECLARED, "note": note},
    )
    if new:
        withdrawn, _counts = Score.objects.filter(
            application=application, judge=judge.user
        ).delete()
        detail = gettext("Declared conflict")
        if note:
            detail += f": {note}"
        if withdrawn:
            detail += " " + gettext("(%(count)d scores withdrawn)") % {"count": withdrawn}
        _history(
            judge.cycle,
            HistoryAction.RECUSED,
            user=judge.user,
            application=application,
            detail=detail,
        )
    return recusal


# --- Scores ---------------------------------------------------------------------------


@transaction.atomic
def record_scores(*, judge: Judge, application: Application, scores: dict) -> list[Score]:
    """Save the judge's score and comment for each criterion: ``scores`` maps a
    criterion to ``(value, comment)``. Every criterion of the rubric must be there."""
    cycle = judge.cycle
    if application.cycle_id != cycle.pk:
        raise JudgingError(_("This application belongs to another cycle."))
    cycle.refresh_from_db(fields=["scoring_closed_at"])
    if cycle.scoring_closed:
        raise JudgingError(_("The chair has closed scoring; scores can no longer change."))
    if is_recused(judge, application):
        raise JudgingError(_("You are recused from this application."))
    criteria = list(cycle.criteria.all())
    if {criterion.pk for criterion in criteria} != {criterion.pk for criterion in scores}:
        raise JudgingError(_("Score every criterion."))
    saved = []
    for criterion in criteria:
        value, comment = scores[criterion]
        if not 0 <= value <= criterion.scale:
            raise JudgingError(
                _("“%(criterion)s” is scored from 0 to %(scale)d.")
                % {"criterion": criterion.name, "scale": criterion.scale}
            )
        score, _new = Score.objects.update_or_create(
            application=application,
            criterion=criterion,
            judge=judge.user,
            defaults={"value": value, "comment": comment},
        )
        saved.append(score)
    detail = "; ".join(f"{score.criterion.name}: {score.value}" for score in saved)
    _history(cycle, HistoryAction.SCORED, user=judge.user, application=application, detail=detail)
    return saved


# --- The chair ------------------------------------------------------------------------


def _require_chair(judge: Judge) -> None:
    if not judge.is_chair:
        raise JudgingError(_("Only the chair can do this."))


@transaction.atomic
def close_scoring(*, judge: Judge) -> Cycle:
    _require_chair(judge)
    cycle = Cycle.objects.select_for_update().get(pk=judge.cycle_id)
    if not cycle.scoring_closed:
        cycle.scoring_closed_at = timezone.now()
        cycle.save(update_fields=["scoring_closed_at"])
        _history(cycle, HistoryAction.SCORING_CLOSED, user=judge.user)
    return cycle


@transaction.atomic
def move_to_stage(*, judge: Judge, application: Application, stage: Stage) -> Application:
    _require_chair(judge)
    if application.cycle_id != judge.cycle_id or stage.cycle_id != judge.cycle_id:
        raise JudgingError(_("This application belongs to another cycle."))
    if application.stage_id != stage.pk:
        application.stage = stage
        application.save(update_fields=["stage"])
        _history(
            judge.cycle,
            HistoryAction.STAGE,
            user=judge.user,
            application=application,
            detail=stage.name,
        )
    return application


def _jurisdiction_for(application: Application) -> Jurisdiction:
    if application.jurisdiction_id:
        return application.jurisdiction
    base = slugify(f"{application.jurisdiction_name} {application.country.code}")[:170] or "place"
    slug, n = base, 1
    while Jurisdiction.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    jurisdiction = Jurisdiction.objects.create(
        name=application.jurisdiction_name,
        slug=slug,
        country=application.country,
        region=application.region,
        population=application.population,
    )
    application.jurisdiction = jurisdiction
    application.save(update_fields=["jurisdiction"])
    return jurisdiction


def _draft_practice(application: Application, user) -> Practice:
    """A draft practice pre-filled from the application, for curators to finish.
    The applicant's contact stays private: it is not copied."""
    slug = f"{slugify(application.title)[:190] or 'practice'}-{application.reference.lower()}"
    return Practice.objects.create(
        title=application.title,
        slug=slug,
        summary=application.summary,
        problem="\n\n".join(part for part in (application.scanning, application.analysis) if part),
        approach=application.response,
        results=application.assessment,
        evidence_rating=EvidenceRating.INSUFFICIENT,
        lead_jurisdiction=_jurisdiction_for(application),
        language=application.language if application.language in {"en", "es"} else "en",
        state=PublishingState.DRAFT,
        updated_by=user,
    )


@transaction.atomic
def decide(*, judge: Judge, application: Application, level: str, citation: str) -> Decision:
    """Record the chair's decision. It creates the award's recognition with the
    citation, on the linked catalogue practice or else on a new draft practice made
    from the application. Nothing is published."""
    _require_chair(judge)
    cycle = judge.cycle
    if application.cycle_id != cycle.pk:
        raise JudgingError(_("This application belongs to another cycle."))
    if not cycle.scoring_closed:
        raise JudgingError(_("Close scoring before recording decisions."))
    if is_recused(judge, application):
        raise JudgingError(_("You are recused from this application."))
    if level not in RecognitionLevel.values:
        raise JudgingError(_("Choose winner, finalist or honorable mention."))
    citation = citation.strip()
    if not citation:
        raise JudgingError(_("Write the citation."))
    if Decision.objects.filter(application=application).exists():
        raise JudgingError(_("This application already has a decision."))
    practice = application.practice or _draft_practice(application, judge.user)
    recognition = Recognition.objects.filter(
        practice=practice, award=cycle.award, category=application.category, year=cycle.year
    ).first()
    if recognition is None:
        recognition = Recognition.objects.create(
            practice=practice,
            award=cycle.award,
            category=application.category,
            year=cycle.year,
            level=level,
            citation=citation,
            tagged_by=judge.user,
        )
    decision = Decision.objects.create(
        application=application,
        level=level,
        citation=citation,
        recognition=recognition,
        decided_by=judge.user,
    )
    _history(
        cycle,
        HistoryAction.DECIDED,
        user=judge.user,
        application=application,
        detail=f"{decision.get_level_display()}: {citation}",
    )
    return decision


# --- Reading scores -------------------------------------------------------------------


def has_scored(judge: Judge, application: Application, criteria_count: int) -> bool:
    given = Score.objects.filter(application=application, judge=judge.user_id).count()
    return criteria_count > 0 and given >= criteria_count


def may_see_scores(judge: Judge, application: Application) -> bool:
    """Other judges' scores show once the judge's own are in (or scoring is closed),
    and never to a judge recused from the application."""
    if is_recused(judge, application):
        return False
    if judge.cycle.scoring_closed:
        return True
    return has_scored(judge, application, judge.cycle.criteria.count())


# Judges' totals further apart than this (on the 0–100 scale) are flagged for discussion.
DISAGREEMENT_POINTS = 25


@dataclass
class RankedApplication:
    application: Application
    mean: float | None
    count: int
    recusals: int
    spread: float | None
    hidden: bool  # the viewing judge may not see these scores

    @property
    def disputed(self) -> bool:
        return self.spread is not None and self.count >= 2 and self.spread >= DISAGREEMENT_POINTS


def judge_totals(application: Application, criteria: list) -> dict[int, float]:
    """Each judge's weighted total on a 0–100 scale, for judges who scored every criterion."""
    by_judge: dict[int, dict[int, int]] = {}
    for score in application.scores.all():
        by_judge.setdefault(score.judge_id, {})[score.criterion_id] = score.value
    weights = sum(criterion.weight for criterion in criteria) or 1
    totals = {}
    for judge_id, values in by_judge.items():
        if len(values) < len(criteria):
            continue
        weighted = sum(
            criterion.weight * values[criterion.pk] / criterion.scale for criterion in criteria
        )
        totals[judge_id] = 100 * weighted / weights
    return totals


def ranking(judge: Judge) -> list[tuple]:
    """The cycle's applications per category, best weighted mean first, as the chair
    sees them: mean of the judges' totals (0–100), how many judges scored, how many are
    recused, and the spread between the highest and lowest total."""
    cycle = judge.cycle
    criteria = list(cycle.criteria.all())
    applications = (
        cycle.applications.select_related("category", "stage", "decision")
        .prefetch_related("scores", "recusals")
        .order_by("category__name", "reference")
    )
    recused_ids = set(
        Recusal.objects.filter(application__cycle=cycle, judge=judge.user_id).values_list(
            "application_id", flat=True
        )
    )
    own_counts: dict[int, int] = {}
    for score in Score.objects.filter(application__cycle=cycle, judge=judge.user_id):
        own_counts[score.application_id] = own_counts.get(score.application_id, 0) + 1
    groups: dict = {}
    for application in applications:
        recused = application.pk in recused_ids or (
            judge.jurisdiction_id and judge.jurisdiction_id == application.jurisdiction_id
        )
        hidden = recused or not (
            cycle.scoring_closed
            or (criteria and own_counts.get(application.pk, 0) >= len(criteria))
        )
        totals = judge_totals(application, criteria)
        values = list(totals.values())
        row = RankedApplication(
            application=application,
            mean=round(sum(values) / len(values), 1) if values else None,
            count=len(values),
            recusals=len(application.recusals.all()),
            spread=round(max(values) - min(values), 1) if values else None,
            hidden=bool(hidden),
        )
        if row.hidden:
            row.mean = row.spread = None
            row.count = 0
        groups.setdefault(application.category, []).append(row)
    result = []
    for category, rows in groups.items():
        rows.sort(key=lambda row: (row.mean is None, -(row.mean or 0), row.application.reference))
        result.append((category, rows))
    return result
