"""The link_url template filter keeps only http, https and mailto links."""

import pytest
from django.template import engines

from clearinghouse.templatetags.safe_urls import link_url


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/report",
        "http://example.org/",
        "mailto:chief@example.org",
        "HTTPS://EXAMPLE.ORG/",
    ],
)
def test_web_and_mail_links_are_kept(value):
    assert link_url(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "/relative/path",
        "http://[::1",
        "",
        None,
    ],
)
def test_other_links_become_empty(value):
    assert link_url(value) == ""


def test_filter_in_a_template_still_escapes():
    template = engines["django"].from_string(
        '{% load safe_urls %}<a href="{{ url|link_url }}">x</a>'
    )
    assert template.render({"url": 'https://e.org/?a="><b>'}) == (
        '<a href="https://e.org/?a=&quot;&gt;&lt;b&gt;">x</a>'
    )
    assert template.render({"url": "javascript:alert(1)"}) == '<a href="">x</a>'
