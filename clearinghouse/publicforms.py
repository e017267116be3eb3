"""Building blocks for public forms that need no account.

Anyone may post these forms, so each one is guarded the same way:

- ``refuse_post(request, scope=...)`` before the form is read: a body larger than
  ``max_post_bytes()`` answers 413, and more than ``PUBLIC_FORM_RATE_LIMIT`` posts from
  one client address to the same form within ``PUBLIC_FORM_RATE_WINDOW`` seconds answer
  429 (the count lives in Django's cache, so every worker shares it when the cache is
  Redis).
- ``HoneypotMixin`` on the form: a field people never see (the
  ``includes/_honeypot.html`` partial hides it); ``form.caught_bot()`` is true when
  something filled it in.
- ``PublicTextField`` and ``OptionalPdfField`` for the fields: a length limit on every
  text, and a PDF checked by content and size exactly as publication PDFs are.
- ``grouped_fields(form, groups)`` to show the fields under headings (legends).
- ``fingerprint(...)`` of what was sent, stored with the record under a unique
  constraint, so a second identical submission is recognised.
- ``send_confirmation(...)`` after the record is saved: a plain-text email through
  Django's email framework (console by default, SMTP when ``EMAIL_HOST`` is set). A mail
  server that is down is logged, never shown to the visitor as an error.

A view using them::

    def submit(request):
        if request.method == "POST":
            if refused := refuse_post(request, scope="practice-submission"):
                return refused
            form = SubmissionForm(request.POST, request.FILES)
            if form.caught_bot():
                return bot_refused(request)
            if form.is_valid():
                ...save inside transaction.atomic()...
                send_confirmation(to=..., subject=..., template="x/email", context={...})
"""

import hashlib
import logging
import smtplib
import unicodedata

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from clearinghouse.security import client_ip
from practices.validators import validate_pdf, validate_upload_size

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "homepage"


# --- The form: honeypot, bounded text, optional PDF ---------------------------------


class HoneypotMixin:
    """Adds ``homepage``, a text field hidden from people (render it with
    ``{% include "includes/_honeypot.html" %}``). Bots that fill every input fill it."""

    honeypot_field = HONEYPOT_FIELD

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_field] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def caught_bot(self) -> bool:
        return bool(str(self.data.get(self.honeypot_field, "")).strip())

    @property
    def honeypot(self):
        return self[self.honeypot_field]

    def visible_public_fields(self):
        """The bound fields to render, the honeypot left out."""
        return [field for field in self.visible_fields() if field.name != self.honeypot_field]


class PublicTextField(forms.CharField):
    """A text field with a length limit (also set on the input as ``maxlength``).
    Django's ``CharField`` already refuses NUL characters, which PostgreSQL cannot store."""

    def __init__(self, *, max_length: int, multiline: bool = False, rows: int = 5, **kwargs):
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, strip=True, **kwargs)


def validate_public_pdf(file) -> None:
    """A PDF sent through a public form: at most ``PUBLIC_FORM_MAX_PDF_MB`` and a real
    PDF by content (the check publication uploads get)."""
    validate_upload_size(file, max_mb=settings.PUBLIC_FORM_MAX_PDF_MB)
    validate_pdf(file)


class OptionalPdfField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(validators=[validate_public_pdf], max_length=200, **kwargs)


def grouped_fields(form, groups):
    """The bound fields of ``form`` in groups: ``[(heading, [bound field, ...]), ...]``
    from ``[(heading, [field name, ...]), ...]``. Names the form does not have are left out."""
    return [
        (heading, [form[name] for name in names if name in form.fields])
        for heading, names in groups
    ]


# --- Before the form is read: size and rate ------------------------------------------


def max_post_bytes() -> int:
    """The largest request body a public form accepts: the PDF plus one megabyte of text."""
    return (settings.PUBLIC_FORM_MAX_PDF_MB + 1) * 1024 * 1024


def _rate_key(request: HttpRequest, scope: str) -> str:
    address = client_ip(request) or "unknown"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"publicforms:rate:{scope}:{digest}"


def over_rate_limit(request: HttpRequest, scope: str) -> bool:
    """Count this post against the client's address; true once it is over the limit."""
    key = _rate_key(request, scope)
    window = settings.PUBLIC_FORM_RATE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > settings.PUBLIC_FORM_RATE_LIMIT


def refuse_post(request: HttpRequest, *, scope: str) -> HttpResponse | None:
    """The response to send instead of handling this post, or None to go on.

    Call it before touching ``request.POST``: 413 for a body over ``max_post_bytes()``,
    429 (with ``Retry-After``) once the address is over the rate limit for ``scope``.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_post_bytes():
        return render(
            request,
            "includes/public_form_refused.html",
            {
                "message": _("What you sent is too large. Attachments may be at most %(mb)d MB.")
                % {"mb": settings.PUBLIC_FORM_MAX_PDF_MB}
            },
            status=413,
        )
    if over_rate_limit(request, scope):
        response = render(
            request,
            "includes/public_form_refused.html",
            {
                "message": _(
                    "Too many submissions from your address. Please wait an hour and try again."
                )
            },
            status=429,
        )
        response["Retry-After"] = str(settings.PUBLIC_FORM_RATE_WINDOW)
        return response
    return None


def bot_refused(request: HttpRequest) -> HttpResponse:
    """The answer to a post whose honeypot was filled in: 400, nothing saved."""
    return render(
        request,
        "includes/public_form_refused.html",
        {"message": _("Your submission could not be accepted. Please try again.")},
        status=400,
    )


# --- Duplicates ---------------------------------------------------------------------


def _normal(value) -> str:
    if hasattr(value, "pk"):
        value = value.pk
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return " ".join(text.split()).casefold()


def fingerprint(*values) -> str:
    """A SHA-256 of the values, ignoring case and spacing: the same submission typed
    again gives the same fingerprint. Store it with a unique constraint."""
    joined = "\x1f".join(_normal(value) for value in values)
    return hashlib.sha256(joined.encode()).hexdigest()


# --- After saving: the confirmation email --------------------------------------------


def send_confirmation(*, to: str, subject: str, template: str, context: dict) -> bool:
    """Send ``template`` (rendered as plain text) to ``to``; true when it went out.

    Call it once the record is saved (after the atomic block). A refused or unreachable
    mail server is logged and returns false: the submission stands.
    """
    body = render_to_string(template, context)
    message = EmailMessage(
        subject=" ".join(str(subject).split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Confirmation email to a public-form sender could not be sent")
        return False
    return True
