"""What a city manager does on the site, in a real browser: browse, filter, read a practice,
switch to Spanish; the same by keyboard alone; and the automated accessibility rules on
every kind of public page, in both languages, on a desktop and a 320 px wide phone."""

import re

import pytest

from tests.browser.conftest import PHONE, browser_context, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_manager_finds_a_practice_and_reads_it_in_spanish(page, city_catalogue):
    practice = city_catalogue["practice"]
    page.goto(page.base + "/")
    page.get_by_role("link", name="Youth violence prevention").click()
    page.wait_for_url("**/topics/youth-violence-prevention/")
    assert page.locator("h1").inner_text() == "Youth violence prevention"

    page.get_by_role("link", name="Filter and search these practices").click()
    page.wait_for_url(re.compile(r"/practices/\?topic=youth-violence-prevention$"))
    assert page.locator("#result-count").inner_text().startswith("2 practices found")

    filters = page.locator("#practice-filters")
    filters.locator("#facet-population").get_by_label("50,000–249,999").check()
    filters.locator("#facet-evidence").get_by_label("Effective").check()
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"population=50k-250k"))
    assert "evidence=effective" in page.url
    assert "topic=youth-violence-prevention" in page.url
    assert page.locator("#result-count").inner_text().startswith("1 practice found")
    results = page.locator(".practice-results")
    assert results.get_by_role("link", name="Summer youth jobs").count() == 0
    # The chosen filters stay chosen on the results page.
    assert filters.locator("#facet-population").get_by_label("50,000–249,999").is_checked()

    results.get_by_role("link", name=practice.title).click()
    # The practice's address carries the results' query, for its "Back to results" link.
    page.wait_for_url(re.compile(rf"/practices/{practice.slug}/\?back="))
    badges = page.get_by_role("list", name="Awards")
    assert badges.inner_text().strip() == (
        "Community Safety Award 2022 · Winner · Communities of 50,000 and over"
    )
    assert page.locator(".evidence-box").get_by_text("Effective").is_visible()

    page.locator(".language-switch").get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(rf"/es/practices/{practice.slug}/(\?|$)"))
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == practice.title
    assert "Ganador" in page.get_by_role("list", name="Premios").inner_text()
    assert page.locator(".evidence-box strong").first.inner_text() == "Eficaz"
    assert page.locator(".language-switch [aria-current]").inner_text() == "Español"


def focused(page) -> dict:
    """What has the keyboard focus, and whether it shows a focus indicator."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            id: el.id,
            type: el.getAttribute("type"),
            href: el.getAttribute("href"),
            text: (el.innerText || el.value || "").trim(),
            inResults: !!el.closest(".practice-results"),
            inFilters: !!el.closest("#practice-filters"),
            outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          };
        }"""
    )


def tab_until(page, predicate, limit: int = 60) -> list[dict]:
    """Press Tab until the focused element satisfies ``predicate``; returns the stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        stops.append(stop)
        if predicate(stop):
            return stops
    raise AssertionError(f"Not reached within {limit} Tab presses: {stops}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_keyboard_alone_reaches_filters_and_results(page, city_catalogue, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    page.goto(page.base + "/practices/")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["href"] == "#main-content" and skip["outlined"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_q"

    if viewport == "phone":
        # On a phone the filters are folded under their summary: open it with Enter.
        stops = tab_until(page, lambda stop: stop["tag"] == "summary")
        assert not page.locator("#filters-panel").evaluate("panel => panel.open")
        page.keyboard.press("Enter")
        assert page.locator("#filters-panel").evaluate("panel => panel.open")
    stops = tab_until(page, lambda stop: stop["type"] == "checkbox")
    assert all(stop["outlined"] for stop in stops), stops
    assert all(stop["inFilters"] for stop in stops), stops
    checkbox_id = stops[-1]["id"]
    assert not page.locator(f"#{checkbox_id}").is_checked()
    page.keyboard.press("Space")
    assert page.locator(f"#{checkbox_id}").is_checked()

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "topic=youth-violence-prevention" in page.url
    assert page.locator(f"#{checkbox_id}").is_checked()

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    stops = tab_until(page, lambda stop: stop["inResults"] and stop["tag"] == "a")
    result = stops[-1]
    assert result["outlined"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(result["href"])
    assert page.locator("h1").inner_text() == result["text"]


PAGES = [
    ("home", "/"),
    ("practice list", "/practices/?topic=youth-violence-prevention"),
    ("practice", "/practices/late-night-basketball/"),
    ("share a practice", "/share/"),
    ("suggest a correction", "/practices/late-night-basketball/correction/"),
    ("we adopted this", "/practices/late-night-basketball/adopted/"),
    ("award", "/awards/community-safety-award/"),
    ("awards", "/awards/"),
    ("publication", "/publications/preventing-youth-violence/"),
    ("publications", "/publications/"),
    ("topic", "/topics/youth-violence-prevention/"),
    ("topics", "/topics/"),
    ("jurisdiction", "/jurisdictions/riverside/"),
    ("search", "/search/?q=basketball"),
    ("about", "/about/"),
    ("not found", "/no-such-page/"),
    # Filter values left out, named in the notice box; the page answers 200.
    ("filter values left out", "/practices/?year_from=abc&population=huge"),
    ("bad page number", "/practices/?page=abc"),
]
STATUS = {"not found": 404, "bad page number": 400}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_public_pages_pass_the_accessibility_rules(
    chromium, live_server, city_catalogue, language, viewport
):
    context = browser_context(chromium, viewport)
    page = context.new_page()
    prefix = "" if language == "en" else "/es"
    problems = []
    try:
        for name, path in PAGES:
            response = page.goto(live_server.url + prefix + path)
            expected_status = STATUS.get(name, 200)
            if response.status != expected_status:
                problems.append(f"{name}: status {response.status}")
                continue
            problems += page_problems(
                page, name, language=language, phone=viewport == "phone", where=path
            )
    finally:
        context.close()
    assert not problems, "\n".join(problems)
