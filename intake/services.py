"""The curators' decisions on what local governments send in.

Each decision is one transaction under a row lock, so two curators acting at once cannot
accept the same submission twice. Accepting a submission makes a *draft* practice (a
curator still publishes it through the catalogue's workflow); accepting a correction
writes it into the practice's admin history; accepting an adoption report makes it show
on the practice page. Declining, or asking the sender for more, emails the sender the
curator's message. Every decision is also written to the item's own admin history.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake import emails
from intake.links import parse_source_lines
from intake.models import (
    Adoption,
    Correction,
    IntakeItem,
    IntakeState,
    Submission,
)
from practices.models import (
    Department,
    Jurisdiction,
    Practice,
    Publication,
    PublicationKind,
    PublishingState,
    Source,
    Topic,
)

DECIDABLE = {IntakeState.NEW, IntakeState.IN_PROGRESS, IntakeState.WAITING}
MAX_MESSAGE_LENGTH = 5000


class IntakeError(ValueError):
    """A decision that cannot be taken; the message says why, in plain words."""


@dataclass
class AcceptResult:
    item: IntakeItem
    practice: Practice | None = None
    jurisdiction_created: bool = False
    unmatched_topics: list[str] = field(default_factory=list)
    unmatched_departments: list[str] = field(default_factory=list)
    email_sent: bool = False


# --- Matching names -------------------------------------------------------------------


def names(text: str) -> list[str]:
    """The non-empty lines of ``text``, spaces folded, duplicates (by case) removed."""
    seen, result = set(), []
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def match_by_name(model, wanted: list[str]) -> tuple[list, list[str]]:
    """Records of ``model`` whose English or Spanish name is one of ``wanted`` (any case),
    and the names that matched nothing."""
    if not wanted:
        return [], []
    query = Q()
    for name in wanted:
        query |= Q(name__iexact=name) | Q(name_es__iexact=name)
    found = list(model.objects.filter(query))
    matched_names = {r.name.casefold() for r in found} | {
        r.name_es.casefold() for r in found if r.name_es
    }
    return found, [name for name in wanted if name.casefold() not in matched_names]


def unique_slug(model, text: str, *, max_length: int) -> str:
    base = slugify(text)[: max_length - 8].strip("-") or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def match_jurisdiction(*, name: str, country, region: str, kind: str, population: int | None):
    """The jurisdiction of that name (any case) in that country, preferring the same
    region; created when there is none. Returns ``(jurisdiction, created)``."""
    name = " ".join(name.split())
    candidates = list(Jurisdiction.objects.filter(name__iexact=name, country=str(country)))
    if candidates:
        same_region = [j for j in candidates if region and j.region.casefold() == region.casefold()]
        return (same_region or candidates)[0], False
    jurisdiction = Jurisdiction.objects.create(
        name=name,
        slug=unique_slug(Jurisdiction, f"{name} {region}".strip(), max_length=180),
        kind=kind,
        country=str(country),
        region=region,
        population=population,
    )
    return jurisdiction, True


def sender_jurisdiction(item: Submission | Adoption):
    """``match_jurisdiction`` for the place a submission or adoption report names."""
    return match_jurisdiction(
        name=item.jurisdiction_name,
        country=item.country,
        region=item.region,
        kind=item.jurisdiction_kind,
        population=item.population,
    )


# --- History --------------------------------------------------------------------------


def log(user, obj, message: str, flag: int = CHANGE) -> LogEntry | None:
    if user is None or not user.pk:
        return None
    return LogEntry.objects.log_actions(
        user.pk, [obj], flag, change_message=message, single_object=True
    )


def _locked(item: IntakeItem) -> IntakeItem:
    current = type(item).objects.select_for_update().get(pk=item.pk)
    if current.state not in DECIDABLE:
        raise IntakeError(
            _("%(reference)s is already %(state)s.")
            % {"reference": current.reference, "state": current.get_state_display().lower()}
        )
    return current


def _finish(item: IntakeItem, current: IntakeItem, *, state: str, user) -> None:
    current.state = state
    current.handled_by = user if user is not None and user.pk else None
    current.save()
    item.state, item.handled_by = current.state, current.handled_by
    for name in ("practice_id", "jurisdiction_id", "history_entry_id"):
        if hasattr(current, name):
            setattr(item, name, getattr(current, name))


# --- Decisions ------------------------------------------------------------------------


def start(item: IntakeItem, *, user) -> IntakeItem:
    """Mark an item as being worked on (also reopens a declined one)."""
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if current.state not in {IntakeState.NEW, IntakeState.WAITING, IntakeState.DECLINED}:
            raise IntakeError(
                _("%(reference)s is %(state)s and cannot be taken up again.")
                % {"reference": current.reference, "state": current.get_state_display().lower()}
            )
        _finish(item, current, state=IntakeState.IN_PROGRESS, user=user)
        log(user, current, gettext("Taken up by a curator."))
    return item


def accept_submission(submission: Submission, *, user) -> AcceptResult:
    """Create a draft practice pre-filled from the submission and link the two."""
    with transaction.atomic():
        current = _locked(submission)
        jurisdiction, created = sender_jurisdiction(current)
        topics, unmatched_topics = match_by_name(Topic, names(current.topic_names))
        departments, unmatched_departments = match_by_name(
            Department, names(current.department_names)
        )
        partners = current.partners.strip()
        if unmatched_departments:
            # Departments the catalogue does not list yet are kept as partners, in words.
            partners = "\n".join(filter(None, [partners, *unmatched_departments]))
        practice = Practice.objects.create(
            title=current.title,
            slug=unique_slug(Practice, current.title, max_length=220),
            summary=current.summary,
            problem=current.problem,
            approach=current.approach,
            results=current.results,
            cost_notes=current.cost_notes,
            partners=partners,
            year_started=current.year_started,
            year_ended=current.year_ended,
            lead_jurisdiction=jurisdiction,
            # The sender's contact details stay private: the practice page shows a contact
            # only once a curator has filled one in (with the sender's agreement).
            language=current.language,
            state=PublishingState.DRAFT,
            updated_by=user if user is not None and user.pk else None,
        )
        practice.topics.set(topics)
        practice.departments.set(departments)
        Source.objects.bulk_create(
            Source(practice=practice, title=title, url=url, position=position)
            for position, (title, url) in enumerate(parse_source_lines(current.source_links))
        )
        if current.document:
            document = Publication.objects.create(
                title=current.title[:250],
                slug=unique_slug(Publication, current.title, max_length=270),
                kind=PublicationKind.REPORT,
                file=current.document.name,
                summary=current.summary,
                language=current.language,
                state=PublishingState.DRAFT,
            )
            document.practices.add(practice)
        log(
            user,
            practice,
            gettext("Created as a draft from submission %(reference)s.")
            % {"reference": current.reference},
            flag=ADDITION,
        )
        current.practice = practice
        _finish(submission, current, state=IntakeState.ACCEPTED, user=user)
        log(
            user,
            current,
            gettext("Accepted: draft practice “%(title)s” created.") % {"title": practice.title},
        )
    result = AcceptResult(
        item=submission,
        practice=practice,
        jurisdiction_created=created,
        unmatched_topics=unmatched_topics,
        unmatched_departments=unmatched_departments,
    )
    result.email_sent = emails.send_decision(current, decision="accepted")
    return result


def accept_correction(correction: Correction, *, user) -> AcceptResult:
    """Write the correction into the practice's admin history; a curator then edits the
    practice as usual."""
    with transaction.atomic():
        current = _locked(correction)
        excerpt = " ".join(current.correction.split())
        if len(excerpt) > 300:
            excerpt = excerpt[:299] + "…"
        entry = log(
            user,
            current.practice,
            gettext("Correction %(reference)s accepted (%(field)s): %(excerpt)s")
            % {
                "reference": current.reference,
                "field": current.get_field_display(),
                "excerpt": excerpt,
            },
        )
        current.history_entry = entry
        _finish(correction, current, state=IntakeState.ACCEPTED, user=user)
        log(user, current, gettext("Accepted and written into the practice’s history."))
    result = AcceptResult(item=correction, practice=current.practice)
    result.email_sent = emails.send_decision(current, decision="accepted")
    return result


def accept_adoption(adoption: Adoption, *, user) -> AcceptResult:
    """Approve an adoption report: it shows on the practice page from now on."""
    with transaction.atomic():
        current = _locked(adoption)
        jurisdiction, created = sender_jurisdiction(current)
        current.jurisdiction = jurisdiction
        _finish(adoption, current, state=IntakeState.ACCEPTED, user=user)
        log(user, current, gettext("Approved: shown on the practice page."))
        log(
            user,
            current.practice,
            gettext("Adoption report %(reference)s approved.") % {"reference": current.reference},
        )
    result = AcceptResult(item=adoption, practice=current.practice, jurisdiction_created=created)
    result.email_sent = emails.send_decision(current, decision="accepted")
    return result


def accept(item: IntakeItem, *, user) -> AcceptResult:
    if isinstance(item, Submission):
        return accept_submission(item, user=user)
    if isinstance(item, Correction):
        return accept_correction(item, user=user)
    return accept_adoption(item, user=user)


def _reply(item: IntakeItem, *, user, message: str, state: str, decision: str) -> bool:
    """Move the item to ``state`` and email the sender ``message``; True if it was sent.

    A sender who left no address (corrections may be anonymous) can be declined without a
    message, but cannot be asked for more.
    """
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise IntakeError(
            _("The message is too long (%(max)d characters at most).") % {"max": MAX_MESSAGE_LENGTH}
        )
    if not item.contact_email:
        if state == IntakeState.WAITING:
            raise IntakeError(
                _("The sender left no email address, so they cannot be asked for more.")
            )
    elif not message:
        raise IntakeError(_("Write the message to the sender."))
    with transaction.atomic():
        current = _locked(item)
        _finish(item, current, state=state, user=user)
        note = IntakeState(state).label
        if message:
            note = gettext("%(state)s. Message to the sender:\n%(message)s") % {
                "state": note,
                "message": message,
            }
        log(user, current, note)
    return emails.send_decision(current, decision=decision, message=message)


def decline(item: IntakeItem, *, user, message: str) -> bool:
    """Decline the item and email the sender the curator's message."""
    return _reply(item, user=user, message=message, state=IntakeState.DECLINED, decision="declined")


def ask_sender(item: IntakeItem, *, user, message: str) -> bool:
    """Ask the sender for more (the item waits for them) and email the curator's message."""
    return _reply(item, user=user, message=message, state=IntakeState.WAITING, decision="waiting")
