"""Browser tests: headless Chromium driven by Playwright against the live test server.

Chromium comes from Debian's package (`apt-get install -y chromium`). Without it the
browser tests skip with a message saying so, except under CI=true, where a missing
browser is a failure.
"""

import os
import shutil

import pytest

PHONE = {"width": 320, "height": 640}

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
INSTALL_HINT = "install it with: sudo apt-get install -y chromium"


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = f"Chromium not found for the browser tests; {INSTALL_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the tests'
    # own database work (factories, fixtures) runs in the same thread, outside it.
    # Subprocesses started by other tests do not inherit this (tests/conftest.py).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


DESKTOP = {"width": 1280, "height": 900}


def browser_context(chromium, viewport: str = "desktop"):
    """A new browser context the size of a desktop screen or (``"phone"``) of ``PHONE``,
    waiting at most 15 seconds for anything. Close it when done."""
    context = chromium.new_context(viewport=PHONE if viewport == "phone" else DESKTOP)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page; ``page.base`` is the live server's URL."""
    context = browser_context(chromium)
    browser_page = context.new_page()
    browser_page.base = live_server.url
    yield browser_page
    context.close()


def axe_violations(browser_page) -> list[dict]:
    """Run axe-core on the current page: the WCAG 2.0/2.1 A and AA rules, and axe's best
    practices (headings in order, one main landmark, all content inside landmarks, one
    level-one heading, unique landmark names)."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    results = Axe().run(
        browser_page,
        options={
            "runOnly": {"type": "tag", "values": tags},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def page_problems(browser_page, name: str, *, language: str, phone: bool, where: str) -> list[str]:
    """What is wrong with the page in view, each as a line naming it: ``<html lang>`` is
    not ``language``, axe finds violations (``where`` says which address), or, on a phone,
    the page scrolls sideways at the phone's width."""
    problems = []
    if browser_page.locator("html").get_attribute("lang") != language:
        problems.append(f"{name}: <html lang> is not {language}")
    violations = axe_violations(browser_page)
    if violations:
        problems.append(f"{name} ({where}):\n{describe(violations)}")
    if phone:
        width = browser_page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name}: scrolls sideways at {PHONE['width']} px ({width} px wide)")
    return problems


@pytest.fixture
def city_catalogue(transactional_db):
    """A small published catalogue for the browser tests, built with the factories:
    two practices of different sizes and evidence under one topic, an award won by one of
    them, and a publication linked to it. Returns the records by name."""
    from tests import factories

    topic = factories.TopicFactory(
        name="Youth violence prevention",
        name_es="Prevención de la violencia juvenil",
        slug="youth-violence-prevention",
    )
    parks = factories.DepartmentFactory(
        name="Parks and recreation", name_es="Parques y recreación", slug="parks"
    )
    mid_sized = factories.JurisdictionFactory(
        name="Riverside", slug="riverside", population=61_000, population_year=2020
    )
    small = factories.JurisdictionFactory(
        name="Millbrook", slug="millbrook", population=8_200, population_year=2020
    )
    practice = factories.PracticeFactory(
        published=True,
        title="Late-night basketball and mentoring",
        slug="late-night-basketball",
        evidence_rating="effective",
        lead_jurisdiction=mid_sized,
        topics=[topic],
        departments=[parks],
        contact_name="Dana Ortiz",
        contact_email="dana.ortiz@example.org",
    )
    factories.SourceFactory(practice=practice, title="City evaluation report")
    factories.OutcomeFactory(practice=practice, description="Fewer youth arrests")
    other = factories.PracticeFactory(
        published=True,
        title="Summer youth jobs",
        slug="summer-youth-jobs",
        evidence_rating="insufficient",
        lead_jurisdiction=small,
        topics=[topic],
    )
    award = factories.AwardFactory(name="Community Safety Award", slug="community-safety-award")
    category = factories.AwardCategoryFactory(
        award=award, name="Communities of 50,000 and over", slug="over-50k"
    )
    recognition = factories.RecognitionFactory(
        practice=practice, award=award, category=category, year=2022
    )
    publication = factories.PublicationFactory(
        published=True,
        title="Preventing youth violence: a guide for cities",
        slug="preventing-youth-violence",
        topics=[topic],
        practices=[practice],
    )
    # Millbrook adopted the basketball program; a curator approved the report, so the
    # practice page lists it under "Also tried in".
    adoption = factories.AdoptionFactory(
        practice=practice,
        jurisdiction_name="Millbrook",
        jurisdiction=small,
        state="accepted",
        outcome_notes="Fewer calls on Friday nights.",
    )
    return {
        "adoption": adoption,
        "topic": topic,
        "department": parks,
        "practice": practice,
        "other": other,
        "award": award,
        "recognition": recognition,
        "publication": publication,
    }
