"""Publication uploads: PDF only (by content), a size limit, a generated file name."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.models import Publication
from practices.validators import validate_pdf, validate_upload_size

pytestmark = pytest.mark.django_db

MINIMAL_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000015 00000 n \n0000000064 00000 n \n"
    b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n113\n%%EOF\n"
)


def upload(content: bytes, name: str = "guide.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_real_pdf_is_accepted():
    validate_pdf(upload(MINIMAL_PDF))


def test_a_large_pdf_with_objects_far_from_both_ends_is_accepted():
    body = b"%PDF-1.7\n" + b"%" + b" " * 4000 + b"\n7 0 obj\n<< >>\nendobj\n" + b" " * 5000
    validate_pdf(upload(body + b"\nstartxref\n9\n%%EOF\n"))


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "HTML renamed .pdf"),
        (b"GIF89a" + MINIMAL_PDF, "an image that also holds a PDF"),
        (b"\n" + MINIMAL_PDF, "junk before the header"),
        (b"PK\x03\x04" + MINIMAL_PDF, "a zip archive"),
        (
            b"%PDF-1.4\n<html><script>alert(1)</script></html>\n"
            b"1 0 obj\nendobj\nstartxref\n0\n%%EOF",
            "a PDF header on a web page",
        ),
        (b"%PDF-\n1 0 obj\nendobj\nstartxref\n0\n%%EOF", "no version"),
        (b"%PDF-1.4\nstartxref\n0\n%%EOF", "no objects"),
    ],
)
def test_files_that_are_not_pdfs_are_refused(content, why):
    with pytest.raises(ValidationError, match="not a PDF"):
        validate_pdf(upload(content))


def test_a_truncated_pdf_is_refused():
    with pytest.raises(ValidationError, match="incomplete or damaged"):
        validate_pdf(upload(MINIMAL_PDF[: len(MINIMAL_PDF) // 2]))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_pdf(upload(b""))


def test_size_limit_names_both_sizes():
    big = upload(b"x" * (3 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as excinfo:
        validate_upload_size(big, max_mb=3)
    assert "3.0 MB" in excinfo.value.messages[0]
    assert "at most 3 MB" in excinfo.value.messages[0]
    validate_upload_size(upload(b"x" * 1024), max_mb=3)


# --- Through the admin ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def publication_data(file, **fields):
    return {
        "title": "Guide to street lighting",
        "slug": "guide-to-street-lighting",
        "kind": "guide",
        "language": "en",
        "file": file,
        **fields,
    }


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_curator_uploads_a_pdf_stored_under_a_generated_name(client, curator, media):
    client.force_login(curator)
    response = client.post(
        reverse("admin:practices_publication_add"),
        publication_data(upload(MINIMAL_PDF, name="../../evil name.pdf")),
    )
    assert response.status_code == 302
    publication = Publication.objects.get(slug="guide-to-street-lighting")
    assert re.fullmatch(r"publications/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", publication.file.name)
    assert publication.updated_by == curator
    (stored,) = stored_files(media)
    assert stored.read_bytes() == MINIMAL_PDF
    assert stored.is_relative_to(media / "publications")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><body>not a pdf</body></html>", "report.pdf", "This file is not a PDF."),
        (b"GIF89a" + MINIMAL_PDF, "report.pdf", "This file is not a PDF."),
        (MINIMAL_PDF[:40], "report.pdf", "incomplete or damaged"),
    ],
)
def test_non_pdf_uploads_are_refused_with_a_message(client, curator, media, content, name, message):
    client.force_login(curator)
    response = client.post(
        reverse("admin:practices_publication_add"), publication_data(upload(content, name=name))
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Publication.objects.exists()
    assert stored_files(media) == []


def test_oversized_uploads_are_refused_with_a_message(client, curator, media, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(curator)
    padding = b"%" + b" " * (1024 * 1024) + b"\n"
    big = MINIMAL_PDF.replace(b"xref\n", padding + b"xref\n", 1)
    response = client.post(
        reverse("admin:practices_publication_add"), publication_data(upload(big))
    )
    assert response.status_code == 200
    assert "files may be at most 1 MB" in response.text
    assert not Publication.objects.exists()
    assert stored_files(media) == []


def test_the_form_says_what_it_accepts(client, curator, settings):
    settings.MAX_UPLOAD_MB = 7
    client.force_login(curator)
    response = client.get(reverse("admin:practices_publication_add"))
    assert "PDF only, at most 7 MB." in response.text
    assert 'accept="application/pdf,.pdf"' in response.text


def test_replacing_a_file_checks_the_new_one_and_keeping_it_needs_no_check(client, curator, media):
    client.force_login(curator)
    client.post(reverse("admin:practices_publication_add"), publication_data(upload(MINIMAL_PDF)))
    publication = Publication.objects.get()
    url = reverse("admin:practices_publication_change", args=[publication.pk])
    data = publication_data("", title="Renamed guide")
    data.pop("file")
    assert client.post(url, data).status_code == 302
    publication.refresh_from_db()
    assert publication.title == "Renamed guide"
    assert publication.file

    response = client.post(url, publication_data(upload(b"<html></html>")))
    assert response.status_code == 200
    assert "This file is not a PDF." in response.text
    assert Publication.objects.get().file.name == publication.file.name


def test_a_bad_isbn_in_the_admin_is_a_form_error(client, curator, media):
    client.force_login(curator)
    response = client.post(
        reverse("admin:practices_publication_add"),
        publication_data("", isbn="978-0-306-40615-8"),
    )
    assert response.status_code == 200
    assert "not a valid ISBN" in response.text
    assert not Publication.objects.exists()
