"""Multi-step writes on the catalogue: the publishing workflow shared by practices
and publications.

Every record starts as a draft. Curators move it on with :func:`transition`; each
move is checked against :data:`ALLOWED_TRANSITIONS` and done under a row lock, so
two curators clicking at once cannot leave a record half-published.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practices.models import Publishable, PublishingState

State = PublishingState

# Which states a record may move to from each state.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.REVIEW, State.PUBLISHED, State.ARCHIVED}),
    State.REVIEW: frozenset({State.DRAFT, State.PUBLISHED, State.ARCHIVED}),
    State.PUBLISHED: frozenset({State.DRAFT, State.ARCHIVED}),
    State.ARCHIVED: frozenset({State.DRAFT, State.PUBLISHED}),
}


class TransitionError(ValueError):
    """A move the workflow does not allow; the message says why, in plain words."""


@dataclass(frozen=True)
class TransitionResult:
    record: Publishable
    from_state: str
    to_state: str


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in ALLOWED_TRANSITIONS.get(from_state, frozenset())


def transition(record: Publishable, *, to_state: str, user) -> TransitionResult:
    """Move ``record`` to ``to_state`` and record who did it.

    Publishing stamps ``published_at`` the first time (re-publishing an archived
    record keeps its original date); moving back to draft clears it, so the record
    counts as new when it is published again. Raises :class:`TransitionError` for a
    move the workflow does not allow.
    """
    if to_state not in State.values:
        raise TransitionError(_("“%(state)s” is not a publishing state.") % {"state": to_state})
    model = type(record)
    with transaction.atomic():
        # Lock the row and read the state the database holds, not a stale copy.
        current = model.objects.select_for_update().get(pk=record.pk)
        from_state = current.state
        if from_state == to_state:
            raise TransitionError(
                _("“%(record)s” is already %(state)s.")
                % {"record": current, "state": State(to_state).label.lower()}
            )
        if not can_transition(from_state, to_state):
            raise TransitionError(
                _("“%(record)s” cannot go from %(from)s to %(to)s.")
                % {
                    "record": current,
                    "from": State(from_state).label.lower(),
                    "to": State(to_state).label.lower(),
                }
            )
        current.state = to_state
        if to_state == State.PUBLISHED and current.published_at is None:
            current.published_at = timezone.now()
        elif to_state == State.DRAFT:
            current.published_at = None
        current.updated_by = user if user is not None and user.pk else None
        current.save(update_fields=["state", "published_at", "updated_by", "updated_at"])
    # Keep the caller's object in step with the database.
    record.state = current.state
    record.published_at = current.published_at
    record.updated_by = current.updated_by
    record.updated_at = current.updated_at
    return TransitionResult(record=record, from_state=from_state, to_state=to_state)


def submit_for_review(record: Publishable, *, user) -> TransitionResult:
    return transition(record, to_state=State.REVIEW, user=user)


def publish(record: Publishable, *, user) -> TransitionResult:
    return transition(record, to_state=State.PUBLISHED, user=user)


def unpublish(record: Publishable, *, user) -> TransitionResult:
    return transition(record, to_state=State.DRAFT, user=user)


def archive(record: Publishable, *, user) -> TransitionResult:
    return transition(record, to_state=State.ARCHIVED, user=user)
