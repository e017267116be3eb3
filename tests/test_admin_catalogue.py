"""The catalogue admin from a curator's seat: every page renders, a practice is created
with all its relations and inlines, and bad input gets a message, not a crash."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from awards.models import Award
from practices.models import Practice, PublishingState, Topic
from tests.factories import (
    AwardCategoryFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    OutcomeFactory,
    PartnerPairFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CATALOGUE = [
    ("practices", "practice", PracticeFactory),
    ("practices", "source", SourceFactory),
    ("practices", "outcome", OutcomeFactory),
    ("practices", "publication", PublicationFactory),
    ("practices", "topic", TopicFactory),
    ("practices", "department", DepartmentFactory),
    ("practices", "jurisdiction", JurisdictionFactory),
    ("practices", "initiative", InitiativeFactory),
    ("practices", "partnerpair", PartnerPairFactory),
    ("awards", "award", AwardCategoryFactory),
    ("awards", "awardcategory", AwardCategoryFactory),
    ("awards", "recognition", RecognitionFactory),
]


def test_every_catalogue_model_is_registered():
    registered = {(m._meta.app_label, m._meta.model_name) for m in admin.site._registry}
    assert {(app, model) for app, model, _factory in CATALOGUE} <= registered


@pytest.mark.parametrize(("app", "model", "factory"), CATALOGUE)
def test_curator_opens_list_search_add_and_change_pages(client, curator, app, model, factory):
    made = factory()
    obj = made.award if model == "award" else made
    client.force_login(curator)
    base = f"admin:{app}_{model}"
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    assert client.get(reverse(f"{base}_changelist"), {"q": "safety"}).status_code == 200
    assert client.get(reverse(f"{base}_add")).status_code == 200
    assert client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


def test_curator_creates_a_practice_with_every_relation(client, curator, practice_form_data):
    lead = JurisdictionFactory(name="Springfield")
    partners = [JurisdictionFactory(country="SV", region="San Salvador") for _ in range(2)]
    topics = [TopicFactory(), TopicFactory()]
    departments = [DepartmentFactory(), DepartmentFactory()]
    initiative = InitiativeFactory()
    client.force_login(curator)

    data = practice_form_data(
        lead=lead,
        topics=topics,
        sources=[("City evaluation", "https://example.org/evaluation")],
        outcomes=[("Fewer robberies", "promising"), ("More park visits", "effective")],
        partner_jurisdictions=[j.pk for j in partners],
        departments=[d.pk for d in departments],
        initiative=initiative.pk,
        year_started=2016,
        year_ended=2019,
        contact_email="lights@example.org",
    )
    response = client.post(reverse("admin:practices_practice_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    practice = Practice.objects.get(slug="lights-on-in-the-park")
    assert practice.state == PublishingState.DRAFT
    assert practice.updated_by == curator
    assert practice.lead_jurisdiction == lead
    assert set(practice.partner_jurisdictions.all()) == set(partners)
    assert set(practice.topics.all()) == set(topics)
    assert set(practice.departments.all()) == set(departments)
    assert practice.initiative == initiative
    assert [s.title for s in practice.sources.all()] == ["City evaluation"]
    assert [o.description for o in practice.outcomes.all()] == [
        "Fewer robberies",
        "More park visits",
    ]
    entry = LogEntry.objects.get(action_flag=ADDITION, object_id=str(practice.pk))
    assert entry.user == curator
    assert not Practice.objects.published().filter(pk=practice.pk).exists()


def test_change_list_shows_who_changed_a_practice_last(client, curator):
    PracticeFactory(title="Corridor lights", updated_by=UserFactory(username="marta"))
    client.force_login(curator)
    response = client.get(reverse("admin:practices_practice_changelist"))
    assert "Corridor lights" in response.text
    assert "marta" in response.text


def test_practice_page_lists_its_recognitions_read_only(client, curator):
    recognition = RecognitionFactory()
    client.force_login(curator)
    url = reverse("admin:practices_practice_change", args=[recognition.practice.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert recognition.award.name in response.text
    assert 'name="recognitions-0-year"' not in response.text


def test_a_duplicate_slug_is_a_form_error(client, curator, practice_form_data):
    existing = PracticeFactory(slug="lights-on-in-the-park")
    client.force_login(curator)
    data = practice_form_data(lead=existing.lead_jurisdiction, topics=[TopicFactory()])
    response = client.post(reverse("admin:practices_practice_add"), data)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert Practice.objects.filter(slug="lights-on-in-the-park").count() == 1


def test_years_out_of_order_are_a_form_error(client, curator, practice_form_data):
    client.force_login(curator)
    data = practice_form_data(
        lead=JurisdictionFactory(),
        topics=[TopicFactory()],
        year_started=2020,
        year_ended=2010,
    )
    response = client.post(reverse("admin:practices_practice_add"), data)
    assert response.status_code == 200
    assert "The year ended cannot be before the year started." in response.text
    assert not Practice.objects.exists()


def test_a_practice_needs_a_topic(client, curator, practice_form_data):
    client.force_login(curator)
    data = practice_form_data(lead=JurisdictionFactory(), topics=[])
    response = client.post(reverse("admin:practices_practice_add"), data)
    assert response.status_code == 200
    assert not Practice.objects.exists()


def test_topics_go_two_levels_deep_at_most(client, curator):
    top = TopicFactory(name="Environmental design")
    child = TopicFactory(name="Street lighting", parent=top)
    client.force_login(curator)
    url = reverse("admin:practices_topic_add")
    data = {"name": "Lamps", "slug": "lamps", "position": 0, "parent": child.pk}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Topic.objects.filter(slug="lamps").exists()

    data["parent"] = top.pk
    assert client.post(url, data).status_code == 302
    assert Topic.objects.get(slug="lamps").parent == top


def test_a_topic_with_subtopics_stays_at_the_top(client, curator):
    top = TopicFactory()
    TopicFactory(parent=top)
    other = TopicFactory()
    client.force_login(curator)
    url = reverse("admin:practices_topic_change", args=[top.pk])
    data = {"name": top.name, "slug": top.slug, "position": 0, "parent": other.pk}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "must stay at the top level" in response.text
    top.refresh_from_db()
    assert top.parent is None


def test_curator_creates_an_award_with_categories_and_a_committee(client, curator):
    member = UserFactory(username="judge", is_staff=True)
    client.force_login(curator)
    data = {
        "name": "Safety award",
        "slug": "safety-award",
        "sponsor": "",
        "description": "",
        "website": "",
        "active": "on",
        "committee": [member.pk],
        "categories-TOTAL_FORMS": 2,
        "categories-INITIAL_FORMS": 0,
        "categories-0-name": "Under 10,000",
        "categories-0-slug": "under-10000",
        "categories-1-name": "10,000 and over",
        "categories-1-slug": "10000-and-over",
    }
    response = client.post(reverse("admin:awards_award_add"), data, follow=True)
    assert response.status_code == 200
    award = Award.objects.get(slug="safety-award")
    assert award.categories.count() == 2
    assert list(award.committee.all()) == [member]
    # Committee members join the committee group so their permissions apply.
    assert member.groups.filter(name="Award committee").exists()
    assert "judge" in response.text


def test_only_staff_users_can_sit_on_a_committee(client, curator):
    outsider = UserFactory(username="outsider", is_staff=False)
    client.force_login(curator)
    data = {
        "name": "Safety award",
        "slug": "safety-award",
        "committee": [outsider.pk],
        "categories-TOTAL_FORMS": 0,
        "categories-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:awards_award_add"), data)
    assert response.status_code == 200
    assert not Award.objects.exists()
    assert not Group.objects.get(name="Award committee").user_set.filter(pk=outsider.pk).exists()


def test_partner_pairs_are_edited_inside_their_initiative(client, curator):
    first, second = JurisdictionFactory(), JurisdictionFactory(country="SV")
    client.force_login(curator)
    data = {
        "name": "Municipal partnership",
        "slug": "municipal-partnership",
        "pairs-TOTAL_FORMS": 2,
        "pairs-INITIAL_FORMS": 0,
        "pairs-0-first": first.pk,
        "pairs-0-second": second.pk,
        "pairs-1-first": first.pk,
        "pairs-1-second": first.pk,
    }
    response = client.post(reverse("admin:practices_initiative_add"), data)
    # A jurisdiction paired with itself is refused by the pair's constraint.
    assert response.status_code == 200
    assert "errorlist" in response.text

    data["pairs-TOTAL_FORMS"] = 1
    assert client.post(reverse("admin:practices_initiative_add"), data).status_code == 302


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        (
            "admin:practices_practice_changelist",
            lambda: PracticeFactory(updated_by=UserFactory(), topics=[TopicFactory()]),
        ),
        ("admin:practices_publication_changelist", lambda: PublicationFactory()),
        ("admin:awards_recognition_changelist", lambda: RecognitionFactory()),
        ("admin:practices_initiative_changelist", lambda: PartnerPairFactory()),
        ("admin:awards_award_changelist", lambda: AwardCategoryFactory()),
    ],
)
def test_change_lists_run_a_fixed_number_of_queries(client, curator, url_name, make):
    client.force_login(curator)
    make()
    url = reverse(url_name)
    few = count_queries(client, url)
    for _ in range(4):
        make()
    assert count_queries(client, url) == few


def test_committee_can_search_practices_when_adding_a_recognition(client, committee_a, award_a):
    PracticeFactory(title="Corridor lights")
    client.force_login(committee_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "awards",
            "model_name": "recognition",
            "field_name": "practice",
            "term": "corridor",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Corridor lights"]


def test_practice_page_queries_do_not_grow_with_its_recognitions(client, curator):
    practice = PracticeFactory(published=True)
    RecognitionFactory(practice=practice)
    client.force_login(curator)
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    few = count_queries(client, url)
    for year in range(2010, 2014):
        RecognitionFactory(practice=practice, year=year)
    assert count_queries(client, url) == few


def test_practice_list_uses_the_extensible_template(client, curator):
    client.force_login(curator)
    response = client.get(reverse("admin:practices_practice_changelist"))
    assert "admin/practices/practice/change_list.html" in [t.name for t in response.templates]


def test_admin_pages_carry_the_site_name(client, curator, settings):
    client.force_login(curator)
    response = client.get(reverse("admin:index"))
    assert f'<a href="{reverse("admin:index")}">{settings.SITE_NAME}</a>' in response.text
    assert f"| {settings.SITE_NAME}</title>" in response.text
