"""A city shares a practice in a real browser, and the intake pages (forms with errors,
the receipt) pass the accessibility rules in both languages."""

import pytest

from intake.models import Submission
from tests.browser.conftest import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_shares_a_practice(page, city_catalogue, smtp_server, settings):
    settings.INTAKE_NOTIFY_CURATORS = False
    page.goto(page.base + "/")
    page.get_by_role("link", name="Share a practice from your city or county").click()
    page.wait_for_url("**/share/")
    assert page.locator("h1").inner_text() == "Share a practice"

    page.get_by_label("Name of the practice").fill("Lights on in the park")
    page.get_by_label("Summary").fill("Evening leagues and better lighting in a city park.")
    page.get_by_label("The problem").fill("Fights and robberies in the park after dark.")
    page.get_by_label("What you did").fill("Parks staff ran evening leagues.")
    page.get_by_role("group", name="Topics").get_by_label("Youth violence prevention").check()
    page.get_by_role("group", name="Departments involved").get_by_label(
        "Parks and recreation"
    ).check()
    page.get_by_label("Your city, county or other local government").fill("Riverside")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Year started").fill("2019")
    page.get_by_role("textbox", name="Sources").fill(
        "Evaluation | https://riverside.example.org/evaluation"
    )
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("Your email").fill("ana.ruiz@riverside.example.org")
    page.get_by_role("button", name="Send the practice").click()

    page.wait_for_url("**/share/received/**")
    submission = Submission.objects.get()
    assert page.locator(".reference").inner_text() == submission.reference
    assert submission.topic_names == "Youth violence prevention"
    assert submission.department_names == "Parks and recreation"
    assert submission.jurisdiction_name == "Riverside"
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ana.ruiz@riverside.example.org"
    assert submission.reference in message.get_content()
    assert not axe_violations(page), describe(axe_violations(page))


def test_the_practice_page_offers_correction_and_adoption(page, city_catalogue):
    practice = city_catalogue["practice"]
    page.goto(page.base + practice.get_absolute_url())
    adopters = page.locator("section", has=page.get_by_role("heading", name="Also tried in …"))
    assert "Millbrook" in adopters.inner_text()
    assert "Under 10,000" in adopters.inner_text()
    page.get_by_role("link", name="We adopted this").click()
    page.wait_for_url(f"**/practices/{practice.slug}/adopted/")
    page.go_back()
    page.get_by_role("link", name="Suggest a correction").click()
    page.wait_for_url(f"**/practices/{practice.slug}/correction/")


@pytest.mark.parametrize("language", ["en", "es"])
def test_forms_with_errors_and_the_receipt_pass_the_accessibility_rules(
    page, city_catalogue, language, settings
):
    settings.INTAKE_NOTIFY_CURATORS = False
    prefix = "" if language == "en" else "/es"
    slug = city_catalogue["practice"].slug
    problems = []
    for path in ("/share/", f"/practices/{slug}/correction/", f"/practices/{slug}/adopted/"):
        page.goto(page.base + prefix + path)
        # Let the server judge an empty form (the browser would stop it first).
        page.evaluate("document.querySelector('form.public-form').noValidate = true")
        page.locator("form.public-form button[type=submit]").click()
        page.wait_for_selector("#form-errors")
        if page.locator("html").get_attribute("lang") != language:
            problems.append(f"{path}: <html lang> is not {language}")
        if violations := axe_violations(page):
            problems.append(f"{path} with errors:\n{describe(violations)}")
    page.goto(page.base + prefix + f"/practices/{slug}/correction/")
    page.locator("#id_correction").fill("The program started in 2016.")
    page.locator("form.public-form button[type=submit]").click()
    page.wait_for_url("**/share/received/**")
    if violations := axe_violations(page):
        problems.append(f"receipt:\n{describe(violations)}")
    assert not problems, "\n".join(problems)
