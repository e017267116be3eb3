"""The public-forms toolkit (clearinghouse/publicforms.py): size and rate limits,
honeypot, duplicate fingerprints, optional PDFs and the confirmation email."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from clearinghouse import publicforms

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"


class ContactForm(publicforms.HoneypotMixin, forms.Form):
    name = publicforms.PublicTextField(label="Name", max_length=20)
    report = publicforms.OptionalPdfField(label="Report")


def post(address="203.0.113.5", length=10):
    request = RequestFactory().post("/x/", data={}, REMOTE_ADDR=address)
    request.META["CONTENT_LENGTH"] = str(length)
    return request


@pytest.mark.django_db
def test_rate_limit_counts_posts_per_address_and_form(settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    assert publicforms.refuse_post(post(), scope="a") is None
    assert publicforms.refuse_post(post(), scope="a") is None
    refused = publicforms.refuse_post(post(), scope="a")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.PUBLIC_FORM_RATE_WINDOW)
    assert b"Too many submissions" in refused.content
    # Another address, and another form, have their own counts.
    assert publicforms.refuse_post(post("203.0.113.6"), scope="a") is None
    assert publicforms.refuse_post(post(), scope="b") is None


@pytest.mark.django_db
def test_oversized_body_is_refused_before_it_is_read(settings):
    settings.PUBLIC_FORM_MAX_PDF_MB = 1
    refused = publicforms.refuse_post(post(length=3 * 1024 * 1024), scope="a")
    assert refused.status_code == 413
    assert publicforms.refuse_post(post(length=1024), scope="a") is None


def test_honeypot_field_catches_bots_only():
    assert not ContactForm(data={"name": "Ana"}).caught_bot()
    assert ContactForm(data={"name": "Ana", "homepage": "http://spam.example"}).caught_bot()
    form = ContactForm()
    assert [field.name for field in form.visible_public_fields()] == ["name", "report"]


def test_text_is_bounded_and_pdf_checked_by_content(settings):
    form = ContactForm(data={"name": "x" * 21})
    assert not form.is_valid() and "name" in form.errors
    fake = SimpleUploadedFile("r.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    form = ContactForm(data={"name": "Ana"}, files={"report": fake})
    assert not form.is_valid() and "not a PDF" in str(form.errors["report"])
    settings.PUBLIC_FORM_MAX_PDF_MB = 1
    big = SimpleUploadedFile("r.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    form = ContactForm(data={"name": "Ana"}, files={"report": big})
    assert not form.is_valid() and "at most 1 MB" in str(form.errors["report"])
    good = SimpleUploadedFile("r.pdf", PDF, "application/pdf")
    assert ContactForm(data={"name": "Ana"}, files={"report": good}).is_valid()
    assert ContactForm(data={"name": "Ana"}).is_valid()


def test_fingerprint_ignores_case_and_spacing():
    one = publicforms.fingerprint("Lights  on", "Riverside ", 3)
    assert one == publicforms.fingerprint("lights on", "RIVERSIDE", "3")
    assert one != publicforms.fingerprint("lights on", "Millbrook", 3)


def test_confirmation_email_reaches_the_smtp_server(smtp_server, tmp_path, settings):
    template = tmp_path / "mail.txt"
    template.write_text("Thank you, {{ name }}.\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    sent = publicforms.send_confirmation(
        to="clerk@example.org",
        subject="Received\nBcc: victim@example.org",
        template="mail.txt",
        context={"name": "Ana"},
    )
    assert sent
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "clerk@example.org"
    assert message["Subject"] == "Received Bcc: victim@example.org"
    assert message["Bcc"] is None
    assert "Thank you, Ana." in message.get_content()


def test_a_mail_server_that_is_down_does_not_raise(settings, tmp_path):
    from tests.smtp import free_port

    template = tmp_path / "mail.txt"
    template.write_text("Hello\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    assert not publicforms.send_confirmation(
        to="clerk@example.org", subject="Hi", template="mail.txt", context={}
    )


def test_email_goes_to_the_console_unless_an_smtp_host_is_set():
    from tests.conftest import manage

    script = "from django.conf import settings; print(settings.MAILERS['default'])"
    console = manage("shell", "-c", script, env={"EMAIL_HOST": ""})
    assert "console.EmailBackend" in console.stdout, console.stderr
    smtp = manage(
        "shell", "-c", script, env={"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "587"}
    )
    assert "smtp.EmailBackend" in smtp.stdout and "'port': 587" in smtp.stdout, smtp.stderr
    bad = manage("check", env={"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "smtp"})
    assert bad.returncode != 0 and "EMAIL_PORT" in bad.stderr
