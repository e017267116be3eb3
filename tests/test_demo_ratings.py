"""Every demo record follows the rating definitions on the About page, as far as a
machine can check them, and the catalogue holds the founding programs and the
confirmed recognitions.

The checks read the data files directly (no database), so they also guard the data
before anything is loaded:

- Effective, Promising, No effect and Harmful rest on an evaluation with a comparison:
  the note names one (a comparison group, a control, randomisation, matched areas...)
  and never says the study lacked one.
- Effective means the main aim was achieved: a note that calls the results mixed
  cannot go with it.
- A strength is stated for every rating but "insufficient evidence", and not for it.
- One study cites a dated evaluation; several studies cite evaluations from more than
  one year (more than one evaluation); a systematic review names itself.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clearinghouse.management.commands import load_demo
from practices.models import EvidenceRating, EvidenceStrength

DEMO_DIR = Path(load_demo.DEMO_DIR)
RATED = {
    EvidenceRating.EFFECTIVE,
    EvidenceRating.PROMISING,
    EvidenceRating.NO_EFFECT,
    EvidenceRating.HARMFUL,
}
COMPARISON = re.compile(
    r"compar|control|randomi[sz]|aleatori|matched|synthetic|quasi-experiment"
    r"|cuasi|time-series|ensayo|trial|difference-in-difference|diferencias en diferencias",
    re.IGNORECASE,
)
NO_COMPARISON = re.compile(
    r"(no|without|without a|sin)\s+(a\s+)?(randomi[sz]ed\s+)?(comparison|control|grupo de"
    r" (comparación|control))",
    re.IGNORECASE,
)
MIXED = re.compile(r"\bmixed\b|\bmixtos?\b", re.IGNORECASE)
REVIEW = re.compile(r"systematic review|meta-analys|revisión sistemática|metaanálisis", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
CENTRAL_AMERICA_MEXICO_DR_PANAMA = {"BZ", "CR", "SV", "GT", "HN", "NI", "PA", "MX", "DO"}


def read(name: str):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


PRACTICES = read("practices.json")


def rule_breaches(row: dict) -> list[str]:
    """What is wrong with one record's rating, in words; empty if nothing is."""
    rating = row["evidence_rating"]
    strength = row.get("evidence_strength", "")
    notes = row.get("evidence_notes", "")
    problems = []
    if rating in RATED:
        if not COMPARISON.search(notes):
            problems.append(f"{rating} without a stated comparison")
        if NO_COMPARISON.search(notes):
            problems.append(f"{rating} although the note says there was no comparison")
        if not strength:
            problems.append(f"{rating} without a strength")
    elif strength:
        problems.append("insufficient evidence with a strength")
    if rating == EvidenceRating.EFFECTIVE and MIXED.search(notes + row.get("results", "")):
        problems.append("effective on mixed results")
    years = set(YEAR.findall(notes))
    if strength == EvidenceStrength.ONE_STUDY and not years:
        problems.append("one study, but no dated evaluation is cited")
    if strength == EvidenceStrength.SEVERAL_STUDIES and len(years) < 2:
        problems.append("several studies, but fewer than two evaluations are cited")
    if strength == EvidenceStrength.SYSTEMATIC_REVIEW and not REVIEW.search(notes):
        problems.append("systematic review, but no review is cited")
    for outcome in row.get("outcomes", []):
        if outcome.get("rating") in RATED and not COMPARISON.search(notes):
            problems.append(f"outcome rated {outcome['rating']} without a comparison")
    return problems


@pytest.mark.parametrize("row", PRACTICES, ids=[row["slug"] for row in PRACTICES])
def test_every_demo_rating_follows_the_about_page(row):
    assert rule_breaches(row) == []


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            {
                "evidence_rating": "promising",
                "evidence_strength": "one_study",
                "evidence_notes": "Smith (2010): before-and-after, with no comparison group.",
            },
            ["promising although the note says there was no comparison"],
        ),
        (
            {
                "evidence_rating": "effective",
                "evidence_strength": "one_study",
                "evidence_notes": "Randomised trial (2010); results were mixed across sites.",
            },
            ["effective on mixed results"],
        ),
        (
            {
                "evidence_rating": "promising",
                "evidence_strength": "several_studies",
                "evidence_notes": "Matched comparison areas (Jones, 2012).",
            },
            ["several studies, but fewer than two evaluations are cited"],
        ),
        (
            {
                "evidence_rating": "insufficient",
                "evidence_strength": "one_study",
                "evidence_notes": "Case study (2001).",
            },
            ["insufficient evidence with a strength"],
        ),
    ],
)
def test_the_rules_catch_what_the_about_page_forbids(row, expected):
    for problem in expected:
        assert any(problem in found for found in rule_breaches(row)), rule_breaches(row)


def by_slug(slug: str) -> dict:
    return next(row for row in PRACTICES if row["slug"] == slug)


def test_the_reported_rating_errors_are_fixed():
    assert by_slug("oakland-ceasefire")["evidence_rating"] == EvidenceRating.EFFECTIVE
    hope = by_slug("honolulu-hope-probation")
    assert hope["evidence_strength"] == EvidenceStrength.ONE_STUDY
    assert "mainland" in hope["evidence_notes"]
    assert any(o["rating"] == EvidenceRating.NO_EFFECT for o in hope["outcomes"])
    for slug in [
        "newport-news-problem-oriented-policing",
        "high-point-focused-deterrence-domestic-violence",
    ]:
        assert by_slug(slug)["evidence_rating"] == EvidenceRating.INSUFFICIENT, slug
    newport = by_slug("newport-news-problem-oriented-policing")
    assert any("Eck and Spelman" in s["title"] for s in newport["sources"])
    assert by_slug("baltimore-good-behavior-game")["evidence_rating"] != EvidenceRating.EFFECTIVE
    assert "Rosenfeld" in by_slug("nypd-compstat")["evidence_notes"]
    assert "2009" in by_slug("baltimore-safe-streets")["results"]
    assert (
        "de forma importante"
        not in by_slug("bogota-puntos-calientes-y-servicios-municipales")["results"]
    )


def test_the_reported_stale_links_and_unofficial_copies_are_gone():
    stale = re.compile(r"articles\.baltimoresun|innovations\.harvard\.edu/awards\.html\?id=")
    for row in PRACTICES:
        for source in row["sources"]:
            assert not stale.search(source["url"]), (row["slug"], source["url"])
    copies = re.compile(r"slideshare|bibliotecadeseguranca")
    for publication in read("publications.json"):
        assert not copies.search(publication.get("url", "")), publication["slug"]


def test_every_new_practice_has_its_summary_in_the_other_language():
    new = [row for row in PRACTICES if "summary_translation" in row]
    assert len(new) >= 31
    for row in new:
        assert row["summary_translation"].strip() and row["summary_translation"] != row["summary"]


def test_jurisdictions_are_used_and_counted_recently():
    jurisdictions = read("jurisdictions.json")
    pairs = [p for i in read("initiatives.json") for p in i["pairs"]]
    used = (
        {row["lead_jurisdiction"] for row in PRACTICES}
        | {s for row in PRACTICES for s in row.get("partner_jurisdictions", [])}
        | {p["first"] for p in pairs}
        | {p["second"] for p in pairs}
    )
    assert {j["slug"] for j in jurisdictions} <= used
    by = {j["slug"]: j for j in jurisdictions}
    assert by["cape-town"]["population_year"] >= 2022
    assert by["montevideo"]["population_year"] >= 2023
    assert by["montevideo"]["kind"] == "region"


def test_the_founding_programs_and_confirmed_recognitions_are_in_the_data():
    jurisdictions = {j["slug"]: j for j in read("jurisdictions.json")}
    regional = [
        row
        for row in PRACTICES
        if jurisdictions[row["lead_jurisdiction"]]["country"] in CENTRAL_AMERICA_MEXICO_DR_PANAMA
    ]
    assert len(regional) >= 15
    assert len({jurisdictions[row["lead_jurisdiction"]]["country"] for row in regional}) >= 6
    assert all(row["language"] == "es" for row in regional)
    initiatives = {i["slug"]: i for i in read("initiatives.json")}
    assert initiatives["amuprev"]["pairs"] and initiatives["citylinks"]["pairs"]
    recognitions = read("awards.json")["recognitions"]
    goldstein = [r for r in recognitions if r["award"] == "herman-goldstein-award"]
    assert len(goldstein) >= 10
    for recognition in recognitions:
        assert recognition.get("source_url", "").startswith("http"), recognition["practice"]
        assert recognition.get("citation"), recognition["practice"]


def test_icma_recognitions_are_confirmed_on_icma_pages():
    """At least ten ICMA recognitions, each confirmed on ICMA's own pages: none may rest on
    anything but an icma.org page, and each names its category and its practice."""
    icma = [
        r
        for r in read("awards.json")["recognitions"]
        if r["award"] == "icma-local-government-excellence-awards"
    ]
    assert len(icma) >= 10
    practices = {row["slug"]: row for row in PRACTICES}
    for recognition in icma:
        host = urlsplit(recognition["source_url"]).hostname or ""
        assert host == "icma.org" or host.endswith(".icma.org"), recognition["practice"]
        assert recognition["category"], recognition["practice"]
        assert recognition["practice"] in practices, recognition["practice"]
