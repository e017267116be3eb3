"""The one-page brief: every demo practice prints to one page with Chromium, on Letter and
on A4, in both languages, with the site's name, the page's address and the printing date."""

import io
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![s\w])")


def page_count(pdf: bytes) -> int:
    return len(PAGE_OBJECT.findall(pdf))


@pytest.fixture
def demo_catalogue(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    from practices.models import Practice

    return list(Practice.objects.published().order_by("slug").values_list("slug", flat=True))


def test_every_demo_practice_prints_on_one_page_on_letter_and_a4(page, demo_catalogue):
    assert len(demo_catalogue) >= 20
    too_long = []
    for prefix in ("", "/es"):
        for slug in demo_catalogue:
            page.goto(f"{page.base}{prefix}/practices/{slug}/")
            for paper in ("Letter", "A4"):
                pages = page_count(page.pdf(format=paper))
                if pages != 1:
                    too_long.append(f"{prefix}/practices/{slug}/ on {paper}: {pages} pages")
    assert not too_long, "\n".join(too_long)


def test_the_brief_carries_site_address_and_printing_date(page, demo_catalogue):
    slug = demo_catalogue[0]
    page.goto(f"{page.base}/practices/{slug}/")
    assert not page.locator(".print-masthead").is_visible()
    page.emulate_media(media="print")
    masthead = page.locator(".print-masthead")
    assert masthead.is_visible()
    text = masthead.inner_text()
    assert "Public Safety Practices Clearinghouse" in text
    assert f"/practices/{slug}/" in text
    printed = page.evaluate(
        "new Date().toLocaleDateString('en', {year: 'numeric', month: 'long', day: 'numeric'})"
    )
    assert printed in text


def test_long_sections_are_cut_with_the_address_for_the_rest(page, demo_catalogue):
    page.set_viewport_size({"width": 720, "height": 1000})  # about a printed page's width
    page.emulate_media(media="print")
    cut_pages, cut_without_note = [], []
    for slug in demo_catalogue:
        page.goto(f"{page.base}/practices/{slug}/")
        cut = page.evaluate(
            """() => [...document.querySelectorAll(
                    '.practice section > div[lang], .practice .summary, .evidence-notes')]
                .some(e => e.scrollHeight > e.clientHeight + 2)"""
        )
        if cut:
            cut_pages.append(slug)
            note = page.locator(".print-shortened")
            if not note.is_visible() or f"/practices/{slug}/" not in note.inner_text():
                cut_without_note.append(slug)
    assert cut_pages, "some demo practice has a section long enough to be cut"
    assert not cut_without_note, cut_without_note
