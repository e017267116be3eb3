"""Multi-step writes on awards: tagging practices with recognitions, and keeping
committee members able to reach the admin."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from awards.models import Award, AwardCategory, Recognition
from practices.models import MAX_YEAR, MIN_YEAR, Practice

COMMITTEE_GROUP = "Award committee"


class RecognitionError(ValueError):
    """A tagging request that cannot be carried out; the message says why."""


def sees_all_awards(user) -> bool:
    """Superusers and curators (who may edit awards) act for every award."""
    return bool(user.is_active and (user.is_superuser or user.has_perm("awards.change_award")))


def awards_for_user(user) -> QuerySet[Award]:
    """The awards ``user`` may tag recognitions for."""
    if not (user.is_authenticated and user.is_active):
        return Award.objects.none()
    if sees_all_awards(user):
        return Award.objects.all()
    return Award.objects.filter(committee=user)


def may_tag(user, award: Award) -> bool:
    return awards_for_user(user).filter(pk=award.pk).exists()


@dataclass
class TagResult:
    created: list[Recognition] = field(default_factory=list)
    duplicates: list[Practice] = field(default_factory=list)


@transaction.atomic
def recognize(
    *,
    practices: Iterable[Practice],
    award: Award,
    category: AwardCategory | None,
    year: int,
    level: str,
    citation: str = "",
    user,
) -> TagResult:
    """Tag each practice with a recognition of ``award``.

    A practice that already holds this award, category and year is left alone and
    reported in ``duplicates``; the others get one new recognition each. Raises
    :class:`RecognitionError` when the user is not on the award's committee, the
    category belongs to another award, or the year is out of range.
    """
    if not may_tag(user, award):
        raise RecognitionError(_("You are not on the committee of “%(award)s”.") % {"award": award})
    if category is not None and category.award_id != award.pk:
        raise RecognitionError(
            _("The category “%(category)s” belongs to another award.") % {"category": category}
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RecognitionError(
            _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    result = TagResult()
    for practice in practices:
        already = Recognition.objects.filter(
            practice=practice, award=award, category=category, year=year
        ).exists()
        if already:
            result.duplicates.append(practice)
            continue
        try:
            # A savepoint: a row added meanwhile by someone else must not undo the rest.
            with transaction.atomic():
                recognition = Recognition.objects.create(
                    practice=practice,
                    award=award,
                    category=category,
                    year=year,
                    level=level,
                    citation=citation,
                    tagged_by=user,
                )
        except IntegrityError:
            result.duplicates.append(practice)
        else:
            result.created.append(recognition)
    return result


def enrol_committee(award: Award) -> list:
    """Make every member of the award's committee a staff user in the committee group.

    Returns the users that were changed. Members are never removed from the group
    here: they may sit on other committees.
    """
    group, _created = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    changed = []
    for user in award.committee.all():
        touched = False
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            touched = True
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            touched = True
        if touched:
            changed.append(user)
    return changed
