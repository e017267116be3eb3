"""The home page renders in a real browser and passes the automated accessibility rules."""

import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible_in_chromium(page):
    page.goto(page.base + "/")
    assert page.locator("h1").first.is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_skip_link_is_the_first_stop_for_the_keyboard(page):
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main-content"
