"""Uploads: a file disguised as a PDF is refused by the publication admin form, and
stored PDFs are served only for published publications, as sandboxed downloads."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite, ModelAdmin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path, reverse

from practices.forms import PublicationAdminForm as PublicationForm
from practices.models import Publication, PublishingState
from practices.validators import validate_pdf, validate_upload_size
from tests.factories import PublicationFactory

# A minimal, complete PDF: header, objects, cross-reference table, trailer, EOF marker.
REAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)
DISGUISED = {
    "html-named-pdf": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "polyglot-html-then-pdf": b"<html><script>alert(document.cookie)</script>\n" + REAL_PDF,
    "pdf-header-with-html": b"%PDF-1.4\n<html><body onload=alert(1)><script>x()</script>",
    "empty": b"",
}

# Used only while the publication admin is not registered yet: the same admin add form
# machinery on a site of its own, with the publication upload form.
fallback_site = AdminSite(name="upload_admin")
fallback_site.register(Publication, ModelAdmin, form=PublicationForm)
urlpatterns = [path("upload-admin/", fallback_site.urls)]


class FormFields(HTMLParser):
    """Collects the values a browser would submit from the admin add form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"file", "submit", "button", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            # Browsers drop the line break that follows <textarea>.
            self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


@pytest.fixture
def add_url(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if admin.site.is_registered(Publication):
        return reverse("admin:practices_publication_add")
    settings.ROOT_URLCONF = __name__
    return reverse("upload_admin:practices_publication_add")


def form_data(client, url: str, slug: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    data = {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}
    data["csrfmiddlewaretoken"] = parser.data.get("csrfmiddlewaretoken", [""])[0]
    data.update(
        {
            "title": "Street lighting guide",
            "slug": slug,
            "kind": "guide",
            "language": "en",
            "state": PublishingState.DRAFT,
            "_save": "Save",
        }
    )
    return data


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_admin_refuses_a_disguised_pdf(admin_client, add_url, settings, name):
    data = form_data(admin_client, add_url, "street-lighting-guide")
    data["file"] = SimpleUploadedFile("guide.pdf", DISGUISED[name], "application/pdf")
    response = admin_client.post(add_url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "file" in errors, errors
    assert not Publication.objects.filter(slug="street-lighting-guide").exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_admin_accepts_a_real_pdf(admin_client, add_url, settings):
    data = form_data(admin_client, add_url, "real-guide")
    data["file"] = SimpleUploadedFile("guide.pdf", REAL_PDF, "application/pdf")
    response = admin_client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get(slug="real-guide")
    assert publication.file.name.endswith(".pdf")
    assert [p.read_bytes() for p in stored_files(settings)] == [REAL_PDF]


def test_validator_refuses_files_over_the_size_limit(settings):
    from django.core.exceptions import ValidationError

    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", REAL_PDF + b"0" * (1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError) as info:
        validate_upload_size(big, max_mb=settings.MAX_UPLOAD_MB)
    assert info.value.code == "file_too_large"
    validate_pdf(SimpleUploadedFile("ok.pdf", REAL_PDF, "application/pdf"))


# Serving stored files.


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def with_file(content: bytes = REAL_PDF, **kwargs) -> Publication:
    publication = PublicationFactory(**kwargs)
    publication.file.save("whatever.pdf", ContentFile(content), save=True)
    return publication


@pytest.mark.django_db
def test_published_pdf_is_served_as_a_sandboxed_download(client, media):
    publication = with_file(published=True, slug="lighting-guide")
    response = client.get(reverse("practices:publication_file", args=[publication.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="lighting-guide.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert b"".join(response.streaming_content) == REAL_PDF


@pytest.mark.django_db
def test_even_a_stored_html_file_is_only_ever_a_pdf_download(client, media):
    publication = with_file(DISGUISED["html-named-pdf"], published=True)
    response = client.get(reverse("practices:publication_file", args=[publication.slug]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("state", [PublishingState.DRAFT, PublishingState.REVIEW])
def test_unpublished_publication_file_is_404(client, media, state):
    publication = with_file(state=state)
    response = client.get(reverse("practices:publication_file", args=[publication.slug]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_archived_publication_file_is_404(client, media):
    publication = with_file(published=True)
    Publication.objects.filter(pk=publication.pk).update(state=PublishingState.ARCHIVED)
    response = client.get(reverse("practices:publication_file", args=[publication.slug]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_missing_or_absent_file_is_404(client, media):
    without = PublicationFactory(published=True)
    response = client.get(reverse("practices:publication_file", args=[without.slug]))
    assert response.status_code == 404
    gone = with_file(published=True)
    (media / gone.file.name).unlink()
    response = client.get(reverse("practices:publication_file", args=[gone.slug]))
    assert response.status_code == 404
    unknown = client.get(reverse("practices:publication_file", args=["no-such-guide"]))
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_file_view_refuses_posts(client, media):
    publication = with_file(published=True)
    response = client.post(reverse("practices:publication_file", args=[publication.slug]))
    assert response.status_code == 405


@pytest.mark.django_db
def test_media_directory_is_not_served(client, media):
    publication = with_file(published=True)
    assert client.get(f"/media/{publication.file.name}").status_code == 404
