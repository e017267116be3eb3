"""Award cycles in a real browser: a city applies to an open call, a judge signs in and
scores, the chair closes scoring and decides; and axe-core's rules on every new public
page (call, form, form with errors, receipt, results) in both languages, on a desktop
and a phone, and on the judging pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, browser_context, describe, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long browser password 42"


@pytest.fixture
def cycles(transactional_db):
    """An open blind call with a chair and a judge, and an announced cycle with a winner."""
    from awards.models import Decision, JudgeRole
    from tests import factories

    award = factories.AwardFactory(name="Problem Solving Award", slug="problem-solving-award")
    category = factories.AwardCategoryFactory(
        award=award, name="Cities of 50,000 and over", slug="over-50k"
    )
    open_cycle = factories.CycleFactory(
        award=award, name="2026 awards", slug="2026", categories=[category], blind=True
    )
    criteria = [
        factories.CriterionFactory(
            cycle=open_cycle, name="Depth of problem analysis", weight=2, scale=10
        ),
        factories.CriterionFactory(
            cycle=open_cycle, name="Involvement of the community", weight=1, scale=5
        ),
    ]
    for i, name in enumerate(["Screening", "Finalists"]):
        factories.StageFactory(cycle=open_cycle, name=name, position=i)
    chair = factories.UserFactory(username="chair", is_staff=True)
    judge = factories.UserFactory(username="judge", is_staff=True)
    for user in (chair, judge):
        user.set_password(PASSWORD)
        user.save()
    factories.JudgeFactory(cycle=open_cycle, user=chair, role=JudgeRole.CHAIR)
    factories.JudgeFactory(cycle=open_cycle, user=judge)

    now = timezone.now()
    past = factories.CycleFactory(
        award=award,
        name="2025 awards",
        slug="2025",
        year=2025,
        categories=[category],
        opens_at=now - timedelta(days=300),
        closes_at=now - timedelta(days=200),
        announce_at=now - timedelta(days=100),
    )
    winner = factories.ApplicationFactory(
        cycle=past, category=category, title="Lights on Main Street", reference="2025-WIN0001"
    )
    Decision.objects.create(
        application=winner, level="winner", citation="For turning analysis into action."
    )
    return {
        "award": award,
        "open": open_cycle,
        "past": past,
        "criteria": criteria,
        "chair": chair,
        "judge": judge,
    }


def sign_in(page, username):
    page.goto(page.base + "/admin/login/?next=/judging/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/judging/")


def test_a_city_applies_and_the_committee_judges(chromium, live_server, cycles):
    from awards.models import Application, Decision, Recognition

    context = browser_context(chromium)
    page = context.new_page()
    page.base = live_server.url
    try:
        # The applicant finds the call from the award's page and applies.
        page.goto(page.base + "/awards/problem-solving-award/")
        page.get_by_role("link", name="Call for entries: 2026 awards").click()
        page.get_by_role("link", name="Apply now").click()
        page.get_by_label("Name of the program").fill("Safer nights on Main Street")
        page.get_by_label("Summary").fill("Police, parks and residents cut robberies.")
        page.get_by_label("Scanning").fill("Robberies near the transit stop rose.")
        page.get_by_label("Analysis").fill("Most after dark, by two vacant lots.")
        page.get_by_label("Response").fill("Lighting, lot clean-up, evening programs.")
        page.get_by_label("Assessment").fill("Robberies fell by 38% in two years.")
        page.get_by_label("Applying city, county or town").fill("Riverside")
        page.get_by_label("Country").select_option("US")
        page.get_by_label("Contact name").fill("Dana Ortiz")
        page.get_by_label("Contact email").fill("dana@example.org")
        page.get_by_role("button", name="Send the application").click()
        page.wait_for_url("**/received/**")
        application = Application.objects.get(cycle=cycles["open"])
        assert page.locator("h1").inner_text() == "Application received"
        assert application.reference in page.locator("main").inner_text()

        # A judge signs in, scores, and does not see who applied.
        sign_in(page, "judge")
        page.get_by_role("link", name="Problem Solving Award: 2026 awards").click()
        assert "Riverside" not in page.locator("main").inner_text()
        page.get_by_role("link", name=application.reference).click()
        page.get_by_label("Depth of problem analysis (0–10)").fill("8")
        page.get_by_label("Involvement of the community (0–5)").fill("4")
        page.get_by_role("button", name="Save my scores").click()
        assert "Your scores are saved." in page.locator("main").inner_text()
        violations = axe_violations(page)
        assert not violations, describe(violations)
        context.clear_cookies()

        # The chair closes scoring and records the decision.
        sign_in(page, "chair")
        page.goto(page.base + f"/judging/cycles/{cycles['open'].pk}/ranking/")
        assert "80.0" not in page.locator("main").inner_text()  # the chair has not scored
        page.get_by_role("button", name="Close scoring").click()
        assert "80.0" in page.locator("main").inner_text()
        page.get_by_label("Decision", exact=True).select_option("winner")
        page.get_by_label("Citation").fill("For a careful analysis.")
        page.get_by_role("button", name="Record the decision").click()
        assert "Decision recorded" in page.locator("main").inner_text()
        violations = axe_violations(page)
        assert not violations, describe(violations)
        assert Decision.objects.get(application=application).citation == "For a careful analysis."
        assert Recognition.objects.get(practice__title="Safer nights on Main Street")
    finally:
        context.close()


PUBLIC_PAGES = [
    ("call", "/awards/problem-solving-award/cycles/2026/", 200),
    ("application form", "/awards/problem-solving-award/cycles/2026/apply/", 200),
    ("results", "/awards/problem-solving-award/cycles/2025/results/", 200),
    ("closed call", "/awards/problem-solving-award/cycles/2025/", 200),
    ("closed form", "/awards/problem-solving-award/cycles/2025/apply/", 200),
    ("award with cycles", "/awards/problem-solving-award/", 200),
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_new_public_pages_pass_the_accessibility_rules(
    chromium, live_server, cycles, language, viewport
):
    from awards.models import Application

    context = browser_context(chromium, viewport)
    page = context.new_page()
    prefix = "" if language == "en" else "/es"
    problems = []

    def check(name):
        problems.extend(
            page_problems(page, name, language=language, phone=viewport == "phone", where=page.url)
        )

    try:
        for name, path, status in PUBLIC_PAGES:
            response = page.goto(live_server.url + prefix + path)
            if response.status != status:
                problems.append(f"{name}: status {response.status}")
                continue
            check(name)
        # The form with every error showing, then a receipt.
        page.goto(live_server.url + prefix + PUBLIC_PAGES[1][1])
        page.locator("form.public-form button[type=submit]").click()
        page.wait_for_load_state()
        check("form with errors")
        application = Application.objects.create(
            cycle=cycles["open"],
            reference=f"2026-AXE{language}{viewport[0]}".upper(),
            fingerprint=f"axe-{language}-{viewport}",
            title="A program",
            summary="s",
            scanning="s",
            analysis="a",
            response="r",
            assessment="a",
            jurisdiction_name="Riverside",
            country="US",
            contact_name="c",
            contact_email="c@example.org",
        )
        page.goto(
            live_server.url
            + prefix
            + f"/awards/problem-solving-award/cycles/2026/received/{application.reference}/"
        )
        check("receipt")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
