"""/practices/export.csv is compressed when the client accepts gzip."""

import csv
import gzip
import io

import pytest
from django.urls import reverse

from practices.views.practices import accepts_gzip
from tests.factories import PracticeFactory

URL = reverse("practices:practice_export")


@pytest.mark.django_db
def test_export_is_gzipped_for_a_client_that_accepts_it(client):
    for n in range(30):
        PracticeFactory(published=True, title=f"Street lighting program {n}")
    plain = client.get(URL)
    plain_bytes = b"".join(plain.streaming_content)
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]

    response = client.get(URL, headers={"Accept-Encoding": "br, gzip, deflate"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'
    body = b"".join(response.streaming_content)
    assert len(body) < len(plain_bytes) / 2
    assert gzip.decompress(body) == plain_bytes
    titles = [row["title"] for row in csv.DictReader(io.StringIO(plain_bytes.decode()))]
    assert len(titles) == 30


@pytest.mark.django_db
def test_export_is_plain_when_gzip_is_refused(client):
    PracticeFactory(published=True, title="Street lighting")
    response = client.get(URL, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response
    assert b"Street lighting" in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("deflate, GZIP;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=nonsense", False),
        ("br, deflate", False),
        ("", False),
        ("xgzip", False),
    ],
)
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected
