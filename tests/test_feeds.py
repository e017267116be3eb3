"""The Atom feed of new practices, sitemap.xml and robots.txt."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from clearinghouse.feeds import FEED_SIZE
from practices.models import PublishingState
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
UNPUBLISHED = [PublishingState.DRAFT, PublishingState.REVIEW, PublishingState.ARCHIVED]


def feed(client, url: str | None = None) -> ET.Element:
    response = client.get(url or reverse("practice_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output


@pytest.mark.django_db
def test_feed_is_valid_atom_with_published_practices_newest_first(client):
    topic = factories.TopicFactory(name="Reentry")
    now = timezone.now()
    factories.PracticeFactory(
        published=True,
        title="Older",
        published_at=now - dt.timedelta(days=2),
        topics=[topic],
    )
    factories.PracticeFactory(published=True, title="Newer", published_at=now)
    for state in UNPUBLISHED:
        factories.PracticeFactory(state=state, title=f"Hidden {state}")

    root = feed(client)

    assert root.tag == f"{ATOM}feed"
    # Elements RFC 4287 requires of a feed and of each entry.
    for name in ["id", "title", "updated"]:
        assert root.find(f"{ATOM}{name}") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Newer", "Older"]
    for entry in entries:
        for name in ["id", "title", "updated"]:
            assert entry.findtext(f"{ATOM}{name}")
        assert (
            entry.find(f"{ATOM}link[@rel='alternate']")
            .get("href")
            .startswith("http://testserver/practices/")
        )
        assert entry.findtext(f"{ATOM}summary")
        assert entry.findtext(f"{ATOM}author/{ATOM}name")
    older = entries[1]
    assert [c.get("term") for c in older.findall(f"{ATOM}category")] == ["Reentry"]


@pytest.mark.django_db
def test_feed_holds_the_newest_thirty_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    start = timezone.now()
    for n in range(FEED_SIZE + 2):
        factories.PracticeFactory(
            published=True,
            title=f"Practice {n:02d}",
            published_at=start + dt.timedelta(minutes=n),
            topics=[factories.TopicFactory()],
        )
    with django_assert_num_queries(2):  # practices with their places, topics
        root = feed(client)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == FEED_SIZE
    assert entries[0].findtext(f"{ATOM}title") == f"Practice {FEED_SIZE + 1:02d}"


@pytest.mark.django_db
def test_control_characters_pasted_into_a_practice_do_not_break_the_feed(client):
    factories.PracticeFactory(
        published=True,
        title="Page\x0cbreak",
        summary="Copied\x0bfrom a PDF\x01.",
        topics=[factories.TopicFactory(name="Odd\x1ftopic")],
        lead_jurisdiction=factories.JurisdictionFactory(name="Town\x08"),
    )
    entry = feed(client).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Page break"
    assert entry.findtext(f"{ATOM}summary") == "Copied from a PDF ."


@pytest.mark.django_db
def test_curator_text_is_sent_as_text_not_html(client):
    """A feed reader must show markup typed into a summary as the characters typed."""
    summary = "<script>alert(1)</script> & <b>bold</b>"
    factories.PracticeFactory(published=True, title="<i>Title</i>", summary=summary)
    entry = feed(client).find(f"{ATOM}entry")
    for name in ("title", "summary"):
        element = entry.find(f"{ATOM}{name}")
        # Atom's default type is text; "html" or "xhtml" would make readers render it.
        assert element.get("type", "text") == "text", name
    assert entry.findtext(f"{ATOM}summary") == summary
    assert entry.findtext(f"{ATOM}title") == "<i>Title</i>"


@pytest.mark.django_db
def test_spanish_feed_links_to_spanish_pages(client):
    factories.PracticeFactory(published=True)
    root = feed(client, "/es/feeds/practices/")
    href = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert href.startswith("http://testserver/es/practices/")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"


def sitemap_files(client) -> list[str]:
    """The files /sitemap.xml (an index) names, as paths."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{SITEMAP}sitemapindex"
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SITEMAP}loc")]


def sitemap_urls(client) -> tuple[set[str], list[ET.Element]]:
    urls, roots = set(), []
    for path in sitemap_files(client):
        response = client.get(path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        assert root.tag == f"{SITEMAP}urlset"
        urls |= {loc.text for loc in root.iter(f"{SITEMAP}loc")}
        roots.append(root)
    return urls, roots


@pytest.mark.django_db
def test_sitemap_lists_every_public_page_in_both_languages(client):
    topic = factories.TopicFactory(slug="gun-violence")
    factories.AwardFactory(slug="safety-award")
    partner = factories.JurisdictionFactory(slug="partner-town")
    practice = factories.PracticeFactory(
        published=True,
        slug="public-practice",
        topics=[topic],
        partner_jurisdictions=[partner],
        lead_jurisdiction=factories.JurisdictionFactory(slug="lead-city"),
    )
    factories.PublicationFactory(published=True, slug="public-guide", practices=[practice])
    for state in UNPUBLISHED:
        factories.PracticeFactory(
            state=state,
            slug=f"hidden-practice-{state}",
            lead_jurisdiction=factories.JurisdictionFactory(slug=f"hidden-place-{state}"),
        )
        factories.PublicationFactory(state=state, slug=f"hidden-guide-{state}")

    urls, roots = sitemap_urls(client)

    base = "http://testserver"
    for path in [
        "/",
        "/about/",
        "/practices/",
        "/topics/",
        "/publications/",
        "/awards/",
        "/practices/public-practice/",
        "/publications/public-guide/",
        "/topics/gun-violence/",
        "/awards/safety-award/",
        "/jurisdictions/lead-city/",
        "/jurisdictions/partner-town/",
    ]:
        assert base + path in urls
        assert base + "/es" + path in urls
    assert not [url for url in urls if "hidden" in url]
    # Each URL names its alternates, with x-default.
    links = [link for root in roots for link in root.findall(f"{SITEMAP}url/{XHTML}link")]
    assert {link.get("hreflang") for link in links} == {"en", "es", "x-default"}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 5])
def test_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        practice = factories.PracticeFactory(published=True, topics=[factories.TopicFactory()])
        factories.PublicationFactory(published=True, practices=[practice])
        factories.AwardFactory()
    # The index: one count for each of the five model sections; each section: one query.
    with django_assert_num_queries(5):
        paths = sitemap_files(client)
    assert len(paths) == 6
    for path in paths:
        with django_assert_num_queries(0 if path.endswith("-pages.xml") else 1):
            assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_sitemap_index_splits_a_section_into_files_under_the_limit(client, monkeypatch):
    from clearinghouse.sitemaps import PracticeSitemap

    monkeypatch.setattr(PracticeSitemap, "limit", 4)  # 4 URLs: 2 practices, 2 languages
    for n in range(5):
        factories.PracticeFactory(published=True, slug=f"practice-{n}")
    paths = [p for p in sitemap_files(client) if "practices" in p]
    assert paths == [
        "/sitemap-practices.xml",
        "/sitemap-practices.xml?p=2",
        "/sitemap-practices.xml?p=3",
    ]
    seen = []
    for path in paths:
        root = ET.fromstring(client.get(path).content)  # noqa: S314 - our own output
        locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
        assert len(locs) <= 4
        seen += locs
    assert len(seen) == len(set(seen)) == 10
    assert client.get("/sitemap-practices.xml?p=4").status_code == 404
    assert client.get("/sitemap-practices.xml?p=nonsense").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.django_db
def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.head("/robots.txt").status_code == 200
    assert client.post("/robots.txt").status_code == 405
