"""Messages to senders and curators, as plain text through Django's email framework
(``clearinghouse.publicforms.send_confirmation``). A mail server that is down is logged;
what was sent in, or decided, stands either way.

Senders get their messages in the language they wrote in; curators in the site's default.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from clearinghouse.publicforms import send_confirmation
from intake.models import Adoption, Correction, IntakeItem, Submission

CURATORS_GROUP = "Curators"


def kind_label(item: IntakeItem) -> str:
    if isinstance(item, Submission):
        return _("practice you shared")
    if isinstance(item, Correction):
        return _("correction you suggested")
    return _("adoption you reported")


def _subject_item(item: IntakeItem) -> str:
    if isinstance(item, Submission):
        return item.title
    return item.practice.title


def send_receipt(item: IntakeItem) -> bool:
    """Confirm to the sender that their report arrived, with its reference."""
    if not item.contact_email:
        return False
    with translation.override(item.language):
        subject = _("We received the %(kind)s (%(reference)s)") % {
            "kind": kind_label(item),
            "reference": item.reference,
        }
        return send_confirmation(
            to=item.contact_email,
            subject=subject,
            template="intake/email/receipt.txt",
            context={
                "item": item,
                "kind": kind_label(item),
                "title": _subject_item(item),
                "site_name": settings.SITE_NAME,
            },
        )


def curator_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name=CURATORS_GROUP)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def notify_curators(item: IntakeItem, *, admin_url: str) -> int:
    """Tell every curator (the "Curators" group) that something new is in the queue, unless
    ``INTAKE_NOTIFY_CURATORS`` is off. Returns how many messages went out."""
    if not settings.INTAKE_NOTIFY_CURATORS:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(item, Submission):
            what = _("New practice submission")
        elif isinstance(item, Correction):
            what = _("New correction")
        else:
            what = _("New adoption report")
        subject = f"{what} {item.reference}: {_subject_item(item)}"
        for address in curator_addresses():
            sent += send_confirmation(
                to=address,
                subject=subject,
                template="intake/email/curators.txt",
                context={
                    "item": item,
                    "what": what,
                    "title": _subject_item(item),
                    "admin_url": admin_url,
                    "is_adoption": isinstance(item, Adoption),
                },
            )
    return sent


def accepted_note(item: IntakeItem) -> str:
    if isinstance(item, Submission):
        return _("A curator will prepare it for the site; it appears once it is published.")
    if isinstance(item, Correction):
        return _("A curator will update the practice page.")
    return _("Your report now shows on the practice page.")


def send_decision(item: IntakeItem, *, decision: str, message: str = "") -> bool:
    """Tell the sender what the curators decided: ``accepted``, ``declined`` or
    ``waiting`` (they are asked for more), with the curator's message."""
    if not item.contact_email:
        return False
    with translation.override(item.language):
        subjects = {
            "accepted": _("Accepted: the %(kind)s (%(reference)s)"),
            "declined": _("Not accepted: the %(kind)s (%(reference)s)"),
            "waiting": _("We need more from you: the %(kind)s (%(reference)s)"),
        }
        subject = subjects[decision] % {"kind": kind_label(item), "reference": item.reference}
        return send_confirmation(
            to=item.contact_email,
            subject=subject,
            template="intake/email/decision.txt",
            context={
                "item": item,
                "kind": kind_label(item),
                "title": _subject_item(item),
                "decision": decision,
                "message": message,
                "accepted_note": accepted_note(item),
                "site_name": settings.SITE_NAME,
            },
        )
