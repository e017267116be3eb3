"""One log line per request (method, path, status, duration); errors go to the log with
their traceback, never to the page."""

import logging
import re

import pytest
from django.test import Client
from django.urls import path

from clearinghouse.middleware import permissions_policy_header


def broken_view(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("broken/", broken_view)]


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured():
    """Records of the request and error loggers (the django logger does not propagate)."""
    handler = ListHandler()
    loggers = [logging.getLogger("clearinghouse.requests"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_is_logged_once_with_method_path_status_and_duration(client, captured):
    client.get("/?q=private+words")
    client.get("/no-such-page/")
    lines = [r.getMessage() for r in captured if r.name == "clearinghouse.requests"]
    assert len(lines) == 2
    assert re.fullmatch(r"GET / 200 \d+\.\dms", lines[0]), lines[0]
    assert re.fullmatch(r"GET /no-such-page/ 404 \d+\.\dms", lines[1]), lines[1]
    assert "private" not in " ".join(lines)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_errors_are_logged_with_traceback_and_never_shown(captured, settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "secret internal detail" not in page and "Traceback" not in page
    errors = [r for r in captured if r.name == "django.request" and r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info and errors[0].exc_info[0] is RuntimeError
    request_lines = [r.getMessage() for r in captured if r.name == "clearinghouse.requests"]
    assert request_lines[0].startswith("GET /broken/ 500 ")


def test_logging_sends_errors_to_the_console(settings):
    config = settings.LOGGING
    assert config["loggers"]["django"]["handlers"] == ["console"]
    assert config["handlers"]["console"]["class"] == "logging.StreamHandler"
    assert config["loggers"]["clearinghouse.requests"]["level"] == settings.LOG_LEVEL == "INFO"


def test_permissions_policy_header_format():
    header = permissions_policy_header({"camera": [], "fullscreen": ["self"]})
    assert header == "camera=(), fullscreen=(self)"
