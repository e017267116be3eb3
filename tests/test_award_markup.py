"""The award-cycle pages are well-formed HTML: every element closed in order, ids
unique, and every label and description pointing at an element that exists; including
the application form showing rejected input."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Decision, JudgeRole
from tests.factories import (
    ApplicationFactory,
    AwardCategoryFactory,
    AwardFactory,
    CriterionFactory,
    CycleFactory,
    JudgeFactory,
    StageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Elements whose end tag HTML lets one leave out; the templates never do, but be lenient.
OPTIONAL_END = {"p", "li", "option", "tr", "td", "th", "dt", "dd", "thead", "tbody"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.refs, self.problems = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.refs.append(("label for", attrs["for"]))
        for name in ("aria-describedby", "aria-labelledby"):
            for ref in (attrs.get(name) or "").split():
                self.refs.append((name, ref))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            return
        self.stack.pop()

    def check(self, html: str) -> list[str]:
        self.feed(html)
        self.close()
        problems = list(self.problems)
        left = [tag for tag in self.stack if tag not in OPTIONAL_END]
        if left:
            problems.append(f"unclosed: {left}")
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            problems.append(f"duplicate ids: {sorted(duplicates)}")
        for kind, ref in self.refs:
            if ref not in self.ids:
                problems.append(f"{kind}={ref!r} points nowhere")
        return problems


@pytest.fixture
def pages(client):
    award = AwardFactory(slug="award")
    category = AwardCategoryFactory(award=award, slug="cat")
    cycle = CycleFactory(award=award, slug="open", categories=[category], blind=False)
    criteria = [CriterionFactory(cycle=cycle), CriterionFactory(cycle=cycle)]
    StageFactory(cycle=cycle)
    chair = JudgeFactory(cycle=cycle, role=JudgeRole.CHAIR, user=UserFactory(username="chair"))
    application = ApplicationFactory(cycle=cycle, category=category, reference="2026-MARKUP1")
    now = timezone.now()
    past = CycleFactory(
        award=award,
        slug="past",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=20),
        announce_at=now - timedelta(days=1),
    )
    won = ApplicationFactory(cycle=past, reference="2026-MARKUP2")
    Decision.objects.create(application=won, level="finalist", citation="For <b>care</b>.")
    apply_url = reverse("awards:cycle_apply", kwargs={"award": "award", "slug": "open"})
    return {
        "cycle": cycle,
        "chair": chair,
        "application": application,
        "criteria": criteria,
        "public": [
            award.get_absolute_url(),
            cycle.get_absolute_url(),
            apply_url,
            reverse("awards:cycle_apply", kwargs={"award": "award", "slug": "past"}),
            reverse("awards:cycle_results", kwargs={"award": "award", "slug": "past"}),
            reverse(
                "awards:cycle_receipt",
                kwargs={"award": "award", "slug": "open", "reference": "2026-MARKUP1"},
            ),
        ],
        "apply_url": apply_url,
    }


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_public_cycle_pages_are_well_formed(client, pages, prefix):
    for url in pages["public"]:
        response = client.get(prefix + url)
        assert response.status_code == 200, url
        assert Checker().check(response.content.decode()) == [], url


def test_the_form_with_rejected_input_is_well_formed(client, pages):
    response = client.post(
        pages["apply_url"], {"population": "many", "contact_email": "x", "title": "<i>"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert Checker().check(html) == []
    assert 'type="number"' not in html
    assert 'aria-invalid="true"' in html


def test_judging_pages_are_well_formed(client, pages):
    client.force_login(pages["chair"].user)
    cycle, application = pages["cycle"], pages["application"]
    bad = {f"score_{c.pk}": "many" for c in pages["criteria"]}
    responses = [
        client.get(reverse("judging:home")),
        client.get(reverse("judging:cycle", args=[cycle.pk])),
        client.get(reverse("judging:application", args=[application.pk])),
        client.post(reverse("judging:application", args=[application.pk]), bad),
        client.get(reverse("judging:ranking", args=[cycle.pk])),
        client.get(reverse("judging:history", args=[cycle.pk])),
    ]
    for response in responses:
        assert response.status_code in {200, 400}
        assert Checker().check(response.content.decode()) == [], response.request["PATH_INFO"]
