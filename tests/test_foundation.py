"""The skeleton: settings from the environment, health check, deploy checks, base layout."""

import json
import secrets
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from tests.conftest import free_port, manage

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HTTPS": "true",
    "EMAIL_HOST": "smtp.example.org",
    "ALLOWED_HOSTS": "clearinghouse.example.org",
}


@pytest.mark.django_db
def test_healthz_answers_200_with_json_when_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - local URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_healthz_answers_503_when_database_is_down(gunicorn_server):
    # A real server process whose database does not answer (nothing listens on that port).
    base = gunicorn_server(
        {
            **PRODUCTION_ENV,
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        }
    )
    status, body = fetch(f"{base}/healthz")
    assert status == 503
    assert json.loads(body) == {"status": "error", "database": "unavailable"}


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_with_debug_on():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "DEBUG": "true"}
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("HTTPS", "sometimes"),
        ("CONN_MAX_AGE", "forever"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://db/x"),
        ("MAX_UPLOAD_MB", "0"),
    ],
)
def test_bad_setting_stops_start_up_naming_it(name, value):
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode == 2
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_secret_key_stops_start_up_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "SECRET_KEY_FILE": ""}
    result = manage("check", env=env)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(secrets.token_urlsafe(50))
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_base_layout_has_skip_link_landmarks_and_stylesheet(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#main-content"' in html
    assert '<main id="main-content"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "css/site.css" in html
    assert '<html lang="en">' in html
