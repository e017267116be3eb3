"""/practices/<slug>/: the whole record, previews for staff, JSON-LD, query count."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.template import Context, Template

from practices.models import EvidenceRating, EvidenceStrength, PublishingState
from tests.factories import (
    AwardCategoryFactory,
    AwardFactory,
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    OutcomeFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)


def full_practice(**kwargs):
    topic = TopicFactory(name="Youth violence", slug="youth-violence")
    practice = PracticeFactory(
        published=True,
        title="Summer Night Lights",
        slug="summer-night-lights",
        summary="Parks stay open late in summer with games and meals.",
        problem="Gang violence peaked on summer nights.",
        approach="Recreation centres opened until midnight.",
        partners="A youth foundation",
        results="Shootings fell in the parks' neighbourhoods.",
        evidence_rating=EvidenceRating.PROMISING,
        evidence_strength=EvidenceStrength.SEVERAL_STUDIES,
        evidence_notes="Two quasi-experimental evaluations.",
        cost_notes="About 2 million a year.",
        year_started=2008,
        year_ended=2019,
        lead_jurisdiction=JurisdictionFactory(
            name="Los Angeles", slug="los-angeles", population=3_800_000, region="California"
        ),
        partner_jurisdictions=[
            JurisdictionFactory(name="San Salvador", slug="san-salvador", country="SV")
        ],
        topics=[topic],
        departments=[DepartmentFactory(name="Parks and recreation", slug="parks")],
        initiative=InitiativeFactory(name="Cities united", funder="A foundation"),
        contact_name="Ana Ruiz",
        contact_role="Program manager",
        contact_email="ana@example.org",
        contact_phone="+1 213 555 0100",
        website="https://example.org/snl",
        **kwargs,
    )
    SourceFactory(practice=practice, title="Evaluation 2015", url="https://example.org/eval")
    OutcomeFactory(practice=practice, description="Fewer shootings near parks")
    award = AwardFactory(name="Innovations Award", slug="innovations")
    RecognitionFactory(
        practice=practice, award=award, category=AwardCategoryFactory(award=award), year=2012
    )
    PublicationFactory(published=True, title="Parks after dark", practices=[practice])
    PublicationFactory(title="Draft booklet", practices=[practice])
    return practice


@pytest.mark.django_db
def test_detail_shows_every_part_of_the_record(client):
    practice = full_practice()
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Summer Night Lights",
        "Parks stay open late",
        "Gang violence peaked",
        "Recreation centres opened",
        "A youth foundation",
        "Shootings fell",
        "Two quasi-experimental evaluations.",
        "About 2 million a year.",
        "2008–2019",
        "Los Angeles",
        "San Salvador",
        "Parks and recreation",
        "Cities united",
        "Ana Ruiz",
        "Program manager",
        'href="mailto:ana@example.org"',
        "+1 213 555 0100",
        'href="https://example.org/snl"',
        'href="https://example.org/eval"',
        "Fewer shootings near parks",
        "Youth violence",
        "Parks after dark",
    ]:
        assert text in body, text
    assert "Draft booklet" not in body
    # The evidence rating is explained in plain words, with its strength.
    assert "An evaluation with a comparison group found good results" in body
    assert "Two or more evaluations, in one place or several, point the same way." in body
    # Recognitions are badges linking to the award page.
    assert 'href="/awards/innovations/"' in body
    assert "Innovations Award 2012" in body
    # Jurisdictions link to their pages.
    assert 'href="/jurisdictions/los-angeles/"' in body
    assert 'href="/jurisdictions/san-salvador/"' in body


@pytest.mark.django_db
def test_related_practices_share_topics_and_are_published(client):
    practice = full_practice()
    topic = practice.topics.get()
    PracticeFactory(published=True, title="Midnight basketball", topics=[topic])
    PracticeFactory(title="Draft sibling", topics=[topic])
    PracticeFactory(published=True, title="Unrelated program")
    response = client.get(practice.get_absolute_url())
    assert [p.title for p in response.context["related"]] == ["Midnight basketball"]
    body = response.content.decode()
    assert "Draft sibling" not in body
    assert "Unrelated program" not in body


@pytest.mark.django_db
def test_meta_canonical_opengraph_and_json_ld(client):
    practice = full_practice()
    response = client.get(practice.get_absolute_url())
    body = response.content.decode()
    url = "http://testserver/practices/summer-night-lights/"
    assert f'<link rel="canonical" href="{url}">' in body
    assert "noindex" not in body
    # OpenGraph tags come from the base layout's og_* blocks, which this page fills;
    # each property appears once.
    if 'property="og:site_name"' in body:
        assert '<meta property="og:title" content="Summer Night Lights">' in body
        assert f'<meta property="og:url" content="{url}">' in body
        assert '<meta property="og:type" content="article">' in body
    for prop in ("og:title", "og:url", "og:type", "og:description"):
        assert body.count(f'property="{prop}"') <= 1, prop
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Summer Night Lights"
    assert data["url"] == url
    assert data["award"] == ["Innovations Award 2012 (Winner)"]


@pytest.mark.django_db
def test_json_ld_cannot_be_broken_out_of(client):
    practice = full_practice()
    practice.title = 'Bad </script><script>alert("x")</script> title'
    practice.summary = "</SCRIPT> & <!-- tricks"
    practice.save()
    body = client.get(practice.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    assert "<" not in raw and ">" not in raw
    assert json.loads(raw)["name"] == practice.title
    assert '<script>alert("x")</script>' not in body


def test_json_ld_filter_escapes_markup_characters():
    rendered = Template("{% load practice_tags %}{{ data|json_ld }}").render(
        Context({"data": {"a": "</script>&<"}})
    )
    assert rendered == '{"a": "\\u003C/script\\u003E\\u0026\\u003C"}'
    assert json.loads(rendered) == {"a": "</script>&<"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state", [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]
)
def test_unpublished_practice_is_404_for_the_public(client, state):
    practice = PracticeFactory(state=state)
    assert client.get(practice.get_absolute_url()).status_code == 404
    # A logged-in user without the permission gets the same.
    client.force_login(UserFactory())
    assert client.get(practice.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_with_view_permission_may_preview_a_draft(client):
    practice = PracticeFactory(title="Work in progress", state=PublishingState.DRAFT)
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_practice"))
    client.force_login(user)
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview: not published." in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unknown_slug_is_404(client):
    assert client.get("/practices/no-such-practice/").status_code == 404


@pytest.mark.django_db
def test_spanish_detail_page(client):
    practice = full_practice()
    response = client.get("/es" + practice.get_absolute_url())
    assert response.status_code == 200
    assert 'href="/es/jurisdictions/los-angeles/"' in response.content.decode()


@pytest.mark.django_db
def test_print_stylesheet_is_linked(client):
    practice = full_practice()
    body = client.get(practice.get_absolute_url()).content.decode()
    assert 'css/print.css" media="print"' in body


@pytest.mark.django_db
def test_query_count_is_fixed_whatever_the_number_of_related_rows(
    client, django_assert_num_queries
):
    practice = full_practice()
    PracticeFactory(published=True, topics=[practice.topics.get()])
    # version; practice, partner jurisdictions, topics, departments, sources, outcomes,
    # recognitions with their awards, publications; related practices (ids, rows).
    with django_assert_num_queries(11):
        assert client.get(practice.get_absolute_url()).status_code == 200

    topic = practice.topics.get()
    for n in range(20):
        SourceFactory(practice=practice)
        OutcomeFactory(practice=practice)
        practice.partner_jurisdictions.add(JurisdictionFactory())
        practice.departments.add(DepartmentFactory())
        PublicationFactory(published=True, practices=[practice])
        RecognitionFactory(practice=practice, year=2000 + n)
        PracticeFactory(published=True, topics=[topic])
    with django_assert_num_queries(11):
        response = client.get(practice.get_absolute_url())
    assert len(response.context["publications"]) == 21
    assert len(response.context["related"]) == 4


def test_population_band_filter():
    from practices.models import Jurisdiction

    template = Template("{% load practice_tags %}[{{ place|population_band }}]")
    assert template.render(Context({"place": Jurisdiction(population=8_000)})) == "[Under 10,000]"
    assert template.render(Context({"place": Jurisdiction(population=None)})) == "[]"
    assert template.render(Context({"place": None})) == "[]"


@pytest.mark.django_db
def test_related_practices_sharing_more_topics_come_first(client):
    first, second = TopicFactory(), TopicFactory()
    practice = PracticeFactory(published=True, topics=[first, second])
    both = PracticeFactory(published=True, title="Shares both", topics=[first, second])
    one = PracticeFactory(published=True, title="Shares one", topics=[second])
    assert one.published_at > both.published_at
    response = client.get(practice.get_absolute_url())
    assert [p.title for p in response.context["related"]] == ["Shares both", "Shares one"]
