"""`make bench`: how fast the public pages are at 1,000 and at 100,000 practices.

For each size the benchmark
1. builds (or reuses) a database holding that many generated, published practices;
2. picks the URLs to measure from that data, deterministically, and counts the SQL
   queries each one runs (Django's test client against the benchmark database);
3. starts gunicorn with the production settings (bench.settings: HTTPS off,
   plus a floor page), warms it, and drives each URL with wrk;
4. reads the workers' memory after the run;
5. on the same servers, drives the pages in turn before and after a change to the
   catalogue, made with plain SQL while the load runs.

It prints a table, writes bench/results/latest.json and, with --update-readme, puts the
table in README.md's "Benchmark" section. Run `python bench/run.py --help` for options.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
LUA = ROOT / "bench" / "report.lua"
LOGS = ROOT / ".local" / "bench"
README = ROOT / "README.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

SIZES = {1_000: "1k", 100_000: "100k"}
SEED = 20260101
DEEP_PAGE = 200
# Share of the catalogue the benchmark's full-text query finds (see choose_term).
TERM_SHARE = 0.02
# Query-string names of the practice list's filters.
PARAMS = {"q": "q", "topic": "topic", "country": "country", "band": "population", "page": "page"}
# The order URLs are measured and shown in.
URL_NAMES = [
    "floor",
    "home",
    "list",
    "filtered",
    "search",
    "search_filtered",
    "site_search",
    "deep_page",
    "detail",
    "award",
    "export",
]
# Pages whose throughput is held to a share of the floor's (issue 6).
FLOOR_SHARE = {"filtered": 0.25, "search": 0.25, "search_filtered": 0.25, "detail": 0.5}
P95_LIMIT_MS = 100.0
# The cold table (cache off) leaves out the export, whose cost is its size (above).
COLD_NAMES = [name for name in URL_NAMES if name != "export"]
# Issue 14: with the cache off, each page's requests per second as a share of the floor's
# in the same run. At 100k per page; at 1k every page is held to COLD_SHARE_1K.
COLD_SHARE_100K = {
    "list": 0.05,
    "filtered": 0.05,
    "search": 0.05,
    "site_search": 0.05,
    "home": 0.10,
    "award": 0.10,
    "detail": 0.15,
}
COLD_SHARE_1K = 0.15
# Issue 14: one request in-process with the cache off, at 100k (milliseconds).
IN_PROCESS_LIMIT_MS = {
    "list": 40.0,
    "filtered": 40.0,
    "search": 40.0,
    "home": 20.0,
    "detail": 20.0,
    "search_common": 100.0,
}
# The long tail: distinct URLs each requested once with the cache on, at 100k.
LONG_TAIL_URLS = 400
LONG_TAIL_P90_LIMIT_MS = 150.0
GROWTH_LIMIT = 2.0
RSS_LIMIT_MB = 150.0
# After a change under load: the warm table's pages (not the floor, not the export)
# requested in turn with the cache on, CHANGE_SECONDS of steady load, then CHANGE_SECONDS
# more with a change made CHANGE_AFTER_SECONDS into them. The second run's p99 is held to
# CHANGE_P99_RATIO_LIMIT times the first's.
CHANGE_NAMES = [name for name in URL_NAMES if name not in ("floor", "export")]
CHANGE_SECONDS = 10
CHANGE_AFTER_SECONDS = 0.5
CHANGE_P99_RATIO_LIMIT = 2.0
# The change: a trailing space added to the first published practice's title, or taken
# away when it is there, so runs never grow the title. The triggers on the table replace
# the catalogue version, so every cached page misses at once.
CHANGE_SQL = """
UPDATE practices_practice
SET title = CASE WHEN title LIKE '% ' THEN left(title, -1) ELSE title || ' ' END
WHERE id = (SELECT id FROM practices_practice WHERE state = 'published' ORDER BY id LIMIT 1)
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Pure parts: choosing URLs, parsing wrk, judging and showing results ------------


def title_words(titles: list[str], limit: int = 40) -> list[str]:
    """Candidate search words: the words of five letters or more found in most titles."""
    doc_freq: Counter[str] = Counter()
    for title in titles:
        doc_freq.update(set(re.findall(r"[^\W\d_]{5,}", title.lower())))
    ranked = sorted(doc_freq.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:limit]]


def choose_term(matches: dict[str, int], total: int, share: float = TERM_SHARE) -> str:
    """The word whose search matches the share of practices closest to ``share``.

    ``matches`` maps each candidate word to the number of published practices its
    full-text search finds. A visitor's query names a kind of program, so it finds a small
    part of the catalogue, not nothing and not nearly everything; the same share at both
    sizes keeps the two runs comparable. Ties go to the alphabetically first word.
    """
    found = {word: n for word, n in matches.items() if n > 0}
    if not found or total <= 0:
        return "safety"

    def distance(item):
        word, n = item
        return (abs(math.log(n / total) - math.log(share)), word)

    return min(found.items(), key=distance)[0]


def choose_urls(facts: dict) -> dict[str, str]:
    """The URL of each benchmarked page, built from facts about the data."""
    filters = {
        PARAMS["topic"]: facts["topic"],
        PARAMS["country"]: facts["country"],
        PARAMS["band"]: facts["band"],
    }
    term = facts["term"]
    urls = {
        "floor": "/bench/floor/",
        "home": "/",
        "list": "/practices/",
        "filtered": "/practices/?" + urlencode(filters),
        "search": "/practices/?" + urlencode({PARAMS["q"]: term}),
        "search_filtered": "/practices/?"
        + urlencode(
            {PARAMS["q"]: facts.get("filtered_term", term), PARAMS["topic"]: facts["topic"]}
        )
        + "&"
        + urlencode({PARAMS["country"]: facts["country"]}),
        "site_search": "/search/?" + urlencode({PARAMS["q"]: term}),
        "deep_page": "/practices/?" + urlencode({PARAMS["page"]: facts["deep_page"]}),
        "detail": f"/practices/{facts['practice']}/",
        "award": f"/awards/{facts['award']}/" if facts.get("award") else "/awards/",
        "export": "/practices/export.csv?" + urlencode(filters),
    }
    return {name: urls[name] for name in URL_NAMES}


def deep_page(published: int, page_size: int, wanted: int = DEEP_PAGE) -> int:
    """Page ``wanted`` of the unfiltered list, or its last page when it has fewer."""
    pages = max(1, math.ceil(published / max(1, page_size)))
    return min(wanted, pages)


def parse_wrk_output(text: str) -> dict:
    """The figures report.lua prints, from wrk's whole output."""
    for line in text.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[len("BENCH ") :])
            errors = data.get("errors", {})
            data["errors_total"] = sum(errors.values())
            return data
    raise ValueError("wrk printed no BENCH line; is bench/report.lua loaded?\n" + text[-2000:])


def parse_rss_kb(status_text: str) -> int | None:
    """VmRSS in kB from the text of /proc/<pid>/status."""
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", status_text, re.MULTILINE)
    return int(match.group(1)) if match else None


def evaluate_targets(sizes: dict) -> list[dict]:
    """Check the issue's targets; ``sizes`` maps "1k"/"100k" to a size's results."""
    checks = []
    small, large = sizes.get("1k"), sizes.get("100k")
    if not large:
        return checks
    floor_rps = large["urls"].get("floor", {}).get("rps")
    for name, row in large["urls"].items():
        if "p95_ms" not in row:
            checks.append({"target": "runs", "url": name, "ok": False, "value": row.get("error")})
            continue
        checks.append(
            {
                "target": "p95 < 100 ms at 100k",
                "url": name,
                "value": round(row["p95_ms"], 1),
                "limit": P95_LIMIT_MS,
                "ok": row["p95_ms"] < P95_LIMIT_MS,
            }
        )
        small_row = small["urls"].get(name, {}) if small else {}
        if "p95_ms" in small_row:
            ratio = row["p95_ms"] / max(small_row["p95_ms"], 0.001)
            checks.append(
                {
                    "target": "p95 at 100k <= 2x p95 at 1k",
                    "url": name,
                    "value": round(ratio, 2),
                    "limit": GROWTH_LIMIT,
                    "ok": ratio <= GROWTH_LIMIT,
                }
            )
        if small_row.get("queries") is not None and row.get("queries") is not None:
            checks.append(
                {
                    "target": "same query count at both sizes",
                    "url": name,
                    "value": f"{small_row['queries']} / {row['queries']}",
                    "ok": small_row["queries"] == row["queries"],
                }
            )
        if name in FLOOR_SHARE and floor_rps:
            share = row["rps"] / floor_rps
            checks.append(
                {
                    "target": f"rps >= {FLOOR_SHARE[name]:.0%} of the floor",
                    "url": name,
                    "value": round(share, 2),
                    "limit": FLOOR_SHARE[name],
                    "ok": share >= FLOOR_SHARE[name],
                }
            )
    checks += evaluate_first_visits(sizes)
    checks += evaluate_after_change(sizes)
    rss = large.get("worker_rss_mb") or []
    if rss:
        checks.append(
            {
                "target": "worker RSS < 150 MB after the run",
                "url": "*",
                "value": max(rss),
                "limit": RSS_LIMIT_MB,
                "ok": max(rss) < RSS_LIMIT_MB,
            }
        )
    return checks


def evaluate_first_visits(sizes: dict) -> list[dict]:
    """Issue 14's targets: the cold table's shares of the floor, the in-process times and
    the long tail's p90."""
    checks = []
    for label, size in sizes.items():
        cold = size.get("cold_urls") or {}
        floor_rps = cold.get("floor", {}).get("rps")
        if not floor_rps:
            continue
        limits = (
            COLD_SHARE_100K
            if label == "100k"
            else {name: COLD_SHARE_1K for name in COLD_NAMES if name != "floor"}
        )
        for name, limit in limits.items():
            row = cold.get(name, {})
            if "rps" not in row:
                continue
            share = row["rps"] / floor_rps
            checks.append(
                {
                    "target": f"cold at {label}: rps >= {limit:.0%} of the floor",
                    "url": name,
                    "value": round(share, 3),
                    "limit": limit,
                    "ok": share >= limit,
                }
            )
    large = sizes.get("100k") or {}
    for name, limit in IN_PROCESS_LIMIT_MS.items():
        ms = (large.get("in_process_ms") or {}).get(name)
        if ms is not None:
            checks.append(
                {
                    "target": "one request in-process, cache off, at 100k (ms)",
                    "url": name,
                    "value": ms,
                    "limit": limit,
                    "ok": ms <= limit,
                }
            )
    tail = large.get("long_tail") or {}
    if tail.get("requests"):
        checks.append(
            {
                "target": "long tail at 100k, cache on: p90 (ms)",
                "url": f"{tail['requests']} URLs",
                "value": tail["p90_ms"],
                "limit": LONG_TAIL_P90_LIMIT_MS,
                "ok": tail["p90_ms"] <= LONG_TAIL_P90_LIMIT_MS and not tail.get("errors"),
            }
        )
    return checks


def build_cold_table(results: dict) -> str:
    """The cache-off table: each page's throughput and latency beside the floor's."""
    sizes = results["sizes"]
    labels = [label for label in ("1k", "100k") if sizes.get(label, {}).get("cold_urls")]
    if not labels:
        return ""
    header = ["page"]
    for label in labels:
        header += [f"{label} req/s", f"{label} share of floor", f"{label} p50/p95/p99 ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in COLD_NAMES:
        cells = [name]
        for label in labels:
            cold = sizes[label]["cold_urls"]
            row, floor = cold.get(name, {}), cold.get("floor", {}).get("rps")
            if "rps" in row:
                share = f"{row['rps'] / floor:.1%}" if floor else "-"
                cells += [
                    _fmt(row["rps"], ".1f"),
                    share,
                    f"{row['p50_ms']:.0f} / {row['p95_ms']:.0f} / {row['p99_ms']:.0f}",
                ]
            else:
                cells += ["-", "-", row.get("error", "-")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build_first_visit_lines(results: dict) -> list[str]:
    """The long tail and the in-process times, one line per size."""
    lines = []
    for label in ("1k", "100k"):
        size = results["sizes"].get(label)
        if not size:
            continue
        tail = size.get("long_tail") or {}
        if tail.get("requests"):
            lines.append(
                f"Long tail at {label} (cache on, {tail['requests']} distinct URLs once each, "
                f"{results['config']['connections']} at a time): {tail['rps']:.1f} req/s, "
                f"p50 {tail['p50_ms']:.0f} ms, p90 {tail['p90_ms']:.0f} ms, "
                f"p99 {tail['p99_ms']:.0f} ms, {tail['errors']} errors"
            )
    return lines


def lua_string(text: str) -> str:
    """``text`` as a double-quoted Lua string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def rotation_script(paths: list[str], report: str) -> str:
    """A wrk script that requests ``paths`` in turn on every connection of a thread, then
    reports as ``report`` (the text of bench/report.lua) does: wrk loads one script."""
    listed = ",\n".join(f"  {lua_string(path)}" for path in paths)
    return (
        "-- The pages below in turn (bench/run.py, after a change), then report.lua.\n"
        f"local paths = {{\n{listed},\n}}\n"
        "local turn = 0\n"
        "request = function()\n"
        "  turn = turn % #paths + 1\n"
        "  return wrk.format(nil, paths[turn])\n"
        "end\n\n" + report
    )


CHANGE_FIELDS = ("requests", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors_total")


def summarize_change(steady: dict, changed: dict, paths: list[str], seconds: int) -> dict:
    """The steady run and the run with the change, from their wrk figures, and the ratio
    of their p99s."""
    ratio = changed["p99_ms"] / max(steady["p99_ms"], 0.001)
    return {
        "pages": len(paths),
        "paths": paths,
        "seconds": seconds,
        "change_after_s": CHANGE_AFTER_SECONDS,
        "steady": {key: steady.get(key) for key in CHANGE_FIELDS},
        "changed": {key: changed.get(key) for key in CHANGE_FIELDS},
        "p99_ratio": round(ratio, 2),
        "errors": (steady.get("errors_total") or 0) + (changed.get("errors_total") or 0),
    }


def evaluate_after_change(sizes: dict) -> list[dict]:
    """At each size: p99 in the seconds after a change at most CHANGE_P99_RATIO_LIMIT
    times the steady p99, with no errors."""
    checks = []
    for label in ("1k", "100k"):
        change = (sizes.get(label) or {}).get("after_change") or {}
        if "p99_ratio" not in change:
            continue
        checks.append(
            {
                "target": f"after a change under load at {label}, cache on: "
                f"p99 <= {CHANGE_P99_RATIO_LIMIT:g}x steady p99",
                "url": f"{change['pages']} pages",
                "value": change["p99_ratio"],
                "limit": CHANGE_P99_RATIO_LIMIT,
                "ok": change["p99_ratio"] <= CHANGE_P99_RATIO_LIMIT and not change["errors"],
            }
        )
    return checks


def build_change_lines(results: dict) -> list[str]:
    """Steady and after-change p99 of the pages in turn, one line per size."""
    lines = []
    for label in ("1k", "100k"):
        change = (results["sizes"].get(label) or {}).get("after_change") or {}
        if "p99_ratio" not in change:
            continue
        steady, changed = change["steady"], change["changed"]
        lines.append(
            f"After a change at {label} (cache on, {change['pages']} pages in turn, "
            f"{results['config']['connections']} at a time, {change['seconds']} s steady, "
            f"then {change['seconds']} s with a change {change['change_after_s']:g} s in): "
            f"p99 {steady['p99_ms']:.0f} ms steady, {changed['p99_ms']:.0f} ms after the "
            f"change ({change['p99_ratio']:.1f}x), max {changed['max_ms']:.0f} ms, "
            f"{steady['rps']:.0f} / {changed['rps']:.0f} req/s, "
            f"{steady['errors_total']} / {changed['errors_total']} errors"
        )
    return lines


def _fmt(value, spec: str = ".0f") -> str:
    return "-" if value is None else format(value, spec)


def build_table(results: dict) -> str:
    """A Markdown table (readable on a terminal too) of every URL at every size."""
    sizes = results["sizes"]
    labels = [label for label in ("1k", "100k") if label in sizes]
    header = ["page"]
    for label in labels:
        header += [f"{label} req/s", f"{label} p50/p95/p99 ms", f"{label} queries cold / warm"]
    if len(labels) == 2:
        header.append("p95 growth")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    names = [n for n in URL_NAMES if any(n in sizes[label]["urls"] for label in labels)]
    for name in names:
        cells = [name]
        for label in labels:
            row = sizes[label]["urls"].get(name, {})
            if "rps" in row:
                cells.append(_fmt(row["rps"]))
                cells.append(f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f} / {row['p99_ms']:.1f}")
            else:
                cells += ["-", row.get("error", "-")]
            if row.get("queries") is None:
                cells.append("-")
            else:
                cells.append(f"{row['queries']} / {row.get('queries_warm', '-')}")
        if len(labels) == 2:
            a = sizes["1k"]["urls"].get(name, {})
            b = sizes["100k"]["urls"].get(name, {})
            if "p95_ms" in a and "p95_ms" in b:
                cells.append(f"{b['p95_ms'] / max(a['p95_ms'], 0.001):.2f}x")
            else:
                cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    urls = []
    for label in labels:
        urls.append(f"\nURLs at {label}:")
        urls += [
            f"- {n}: `{sizes[label]['urls'][n]['url']}`" for n in names if n in sizes[label]["urls"]
        ]
    memory = [
        f"Worker RSS after the {label} run: "
        + ", ".join(f"{mb:.0f}" for mb in sizes[label].get("worker_rss_mb", []))
        + " MB"
        for label in labels
    ]
    cold = [
        f"Cold, in-process with nothing cached (median of {COLD_REPEATS}), at {label}: "
        + ", ".join(
            f"{name} {sizes[label]['in_process_ms'][name]:.0f} ms"
            for name in COLD_URLS
            if name in sizes[label].get("in_process_ms", {})
        )
        + (
            f" (search_common: `q={sizes[label]['common_term']}`)"
            if sizes[label].get("common_term")
            else ""
        )
        for label in labels
    ]
    cold_table = build_cold_table(results)
    first = []
    if cold_table:
        first = ["", "Cold (cache off, `CATALOGUE_CACHE_SECONDS=0`, same run):", "", cold_table]
    tail = build_first_visit_lines(results) + build_change_lines(results)
    return "\n".join(lines + first + [""] + tail + [""] + memory + [""] + cold + urls)


def render_readme_section(results: dict) -> str:
    m = results["machine"]
    cfg = results["config"]
    lines = [
        README_START,
        f"Last run: {results['date']} on {m['cores']} cores, {m['memory_gb']} GB memory "
        f"({m['cpu']}), PostgreSQL {m.get('postgres', '?')}, Python {m['python']}; "
        f"gunicorn with {cfg['workers']} sync workers, wrk {cfg['threads']} threads / "
        f"{cfg['connections']} connections / {cfg['duration']} s per URL, "
        f"cache: {cfg['cache']}."
        + (
            f" Load average (1/5/15 min) before the run: "
            f"{' / '.join(str(x) for x in m['load_average']['before'])}, after: "
            f"{' / '.join(str(x) for x in m['load_average']['after'])}."
            if m.get("load_average")
            else ""
        ),
        "",
        build_table(results),
        "",
        "Targets at 100,000 practices:",
        "",
    ]
    for check in results.get("targets", []):
        mark = "met" if check["ok"] else "MISSED"
        limit = f" (limit {check['limit']})" if "limit" in check else ""
        lines.append(f"- {mark}: {check['target']}, {check['url']}: {check['value']}{limit}")
    lines.append(README_END)
    return "\n".join(lines)


def update_readme(text: str, section: str) -> str:
    """Replace the marked benchmark block in the README text (or append one)."""
    if README_START in text and README_END in text:
        before = text.split(README_START)[0]
        after = text.split(README_END, 1)[1]
        return before + section + after
    return text.rstrip("\n") + "\n\n" + section + "\n"


def database_url(base: str, name: str) -> str:
    """The URL ``base`` with its database name replaced by ``name``."""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


# --- Probe: runs inside Django, against one benchmark database -----------------------


def gather_facts(page_size: int | None = None) -> dict:
    """Facts about the published data that the URLs are built from (deterministic)."""
    from django.db.models import Count, Q

    from awards.models import Award
    from practices.models import PopulationBand, Practice, PublishingState, Topic

    published = Practice.objects.published()
    total = published.count()
    topic = (
        Topic.objects.annotate(
            n=Count("practices", filter=Q(practices__state=PublishingState.PUBLISHED))
        )
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    in_topic = published.filter(topics__slug=topic)
    country_row = (
        in_topic.values("lead_jurisdiction__country")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_jurisdiction__country")
        .first()
    )
    country = country_row["lead_jurisdiction__country"] if country_row else "US"
    in_place = in_topic.filter(lead_jurisdiction__country=country)
    band_counts = [
        (in_place.filter(PopulationBand.q(band, "lead_jurisdiction__")).count(), band.value)
        for band in PopulationBand
    ]
    band = max(band_counts, key=lambda item: item[0])[1]
    titles = list(published.order_by("slug").values_list("title", flat=True)[:1000])
    matches = {word: count_matches(published, word) for word in title_words(titles)}
    practice = (
        published.filter(recognitions__isnull=False).order_by("slug").values_list("slug", flat=True)
    ).first() or published.order_by("slug").values_list("slug", flat=True).first()
    award = (
        Award.objects.annotate(
            n=Count(
                "recognitions",
                filter=Q(recognitions__practice__state=PublishingState.PUBLISHED),
            )
        )
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    common = max(matches.items(), key=lambda item: (item[1], item[0]))[0] if matches else "safety"
    term = choose_term(matches, total)
    return {
        "published": total,
        "common_term": common,
        "long_tail": long_tail_facts(published),
        "topic": topic,
        "country": str(country),
        "band": band,
        "term": term,
        "filtered_term": filtered_term(in_topic, country, matches, term, total),
        "practice": practice,
        "award": award,
        "deep_page": deep_page(total, page_size or list_page_size()),
    }


def filtered_term(in_topic, country: str, matches: dict[str, int], term: str, total: int) -> str:
    """The word searched within the topic and country: ``term`` when it finds more than a
    few practices there, otherwise the word nearest the same share that does.

    A search that finds only a few practices also looks for a spelling suggestion (one
    more query), so a word that finds a few at one size and many at the other would make
    the two sizes' query counts differ for a reason that has nothing to do with size.
    """
    try:
        from practices.search import FEW_RESULTS
    except ImportError:
        return term
    in_place = in_topic.filter(lead_jurisdiction__country=country)
    candidates = {word: n for word, n in matches.items() if n > 0}
    while candidates:
        word = choose_term(candidates, total)
        if word not in candidates:
            break
        if count_matches(in_place, word) > FEW_RESULTS:
            return word
        del candidates[word]
    return term


def long_tail_facts(published) -> dict:
    """What the long-tail URLs are built from: every topic, country and band, a hundred
    practices spread over the catalogue, and the words of a thousand titles."""
    from practices.models import Jurisdiction, PopulationBand, Topic

    slugs = list(published.order_by("id").values_list("slug", flat=True))
    step = max(1, len(slugs) // 100)
    titles = list(published.order_by("-id").values_list("title", flat=True)[:1000])
    countries = (
        Jurisdiction.objects.filter(led_practices__in=published)
        .values_list("country", flat=True)
        .distinct()
        .order_by("country")
    )
    return {
        "topics": list(Topic.objects.order_by("slug").values_list("slug", flat=True)),
        "countries": [str(country) for country in countries],
        "bands": [band.value for band in PopulationBand],
        "practices": slugs[::step][:100],
        "words": title_words(titles, limit=150),
        "pages": math.ceil(len(slugs) / list_page_size()),
    }


def long_tail_urls(facts: dict, count: int = LONG_TAIL_URLS) -> list[str]:
    """``count`` distinct URLs of the list, filtered, search and detail kinds, in an order
    that mixes the kinds (deterministic): a day of first visits."""
    tail = facts["long_tail"]
    kinds: list[list[str]] = [[], [], [], []]
    kinds[0] = [f"/practices/{slug}/" for slug in tail["practices"]]
    words = tail["words"]
    for i, word in enumerate(words):  # the list's search and the site search, in turn
        kinds[1].append(("/practices/?", "/search/?")[i % 2] + urlencode({PARAMS["q"]: word}))
    topics, countries, bands = tail["topics"], tail["countries"] or ["US"], tail["bands"]
    for i, topic in enumerate(topics * 4):
        query = {PARAMS["topic"]: topic, PARAMS["country"]: countries[i % len(countries)]}
        if i % 2:
            query[PARAMS["band"]] = bands[i % len(bands)]
        kinds[2].append("/practices/?" + urlencode(query))
    for i, word in enumerate(words):
        query = {PARAMS["q"]: word, PARAMS["topic"]: topics[i % len(topics)]} if topics else {}
        kinds[2].append("/practices/?" + urlencode(query))
    last = min(400, tail.get("pages", 400))  # pages past the last one answer 404
    kinds[3] = ["/practices/?" + urlencode({PARAMS["page"]: page}) for page in range(2, last + 1)]
    # Half details and searches, the rest filtered selections and list pages.
    shares = (0.25, 0.25, 0.3, 0.2)
    urls: list[str] = []
    seen: set[str] = set()
    picked = [kind[: math.ceil(count * share)] for kind, share in zip(kinds, shares, strict=True)]
    for i in range(max(len(kind) for kind in picked)):
        for kind in picked:
            if i < len(kind) and kind[i] not in seen:
                seen.add(kind[i])
                urls.append(kind[i])
    for kind in kinds:  # top up when a kind had fewer than its share
        for url in kind:
            if len(urls) >= count:
                break
            if url not in seen:
                seen.add(url)
                urls.append(url)
    return urls[:count]


def count_matches(published, word: str) -> int:
    """How many published practices the site's own full-text search finds for ``word``."""
    try:
        from practices import search
    except ImportError:
        return published.filter(search_vector=word).count()
    return search.search(published, search.parse(word)).count()


def list_page_size() -> int:
    """Practices per page of the public list (the list view's own setting when it has one)."""
    try:
        from practices.views import practices as views
    except ImportError:
        return 20
    for name in ("PAGE_SIZE", "PER_PAGE", "paginate_by"):
        if isinstance(getattr(views, name, None), int):
            return getattr(views, name)
    return 20


def count_queries(urls: dict[str, str]) -> dict[str, dict]:
    """Status and SQL queries of each URL: the first request, then a repeat (warm cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clearinghouse.cache import bump_catalogue_version

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    counts = {}
    for name, url in urls.items():
        # A cold cache for each URL's first request: pages share cached counts.
        bump_catalogue_version()
        row = {}
        for attempt in ("queries", "queries_warm"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            row[attempt] = len(ctx.captured_queries)
            row["status"] = response.status_code
        counts[name] = row
    return counts


# Pages whose cost with nothing cached (a visitor's first search after a change) is
# reported, measured in-process; the median of COLD_REPEATS requests.
COLD_URLS = (
    "home",
    "list",
    "filtered",
    "search",
    "search_filtered",
    "site_search",
    "detail",
    "award",
    "search_common",
)
COLD_REPEATS = 5


def cold_times(urls: dict[str, str]) -> dict[str, float]:
    """Milliseconds of each of COLD_URLS in-process with nothing cached: the catalogue
    version is replaced before every request, so no page, count or facet is reused."""
    import statistics

    from django.test import Client

    from clearinghouse.cache import bump_catalogue_version

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    times = {}
    for name in COLD_URLS:
        if name not in urls:
            continue
        runs = []
        client.get(urls[name])  # imports and connections, not measured
        for _ in range(COLD_REPEATS):
            bump_catalogue_version()
            started = time.perf_counter()
            client.get(urls[name])
            runs.append((time.perf_counter() - started) * 1000)
        times[name] = round(statistics.median(runs), 1)
    return times


def probe() -> dict:
    import django

    django.setup()
    from django.db import connection

    from clearinghouse.cache import bump_catalogue_version

    # Data may have been regenerated underneath the cache: start from a clean version.
    bump_catalogue_version()
    facts = gather_facts()
    urls = choose_urls(facts)
    counts = count_queries(urls)
    common = "/practices/?" + urlencode({PARAMS["q"]: facts["common_term"]})
    for name, ms in cold_times({**urls, "search_common": common}).items():
        counts.setdefault(name, {"url": common})["cold_ms"] = ms
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "facts": {k: v for k, v in facts.items() if k != "long_tail"},
        "urls": urls,
        "long_tail": long_tail_urls(facts),
        "queries": counts,
        "postgres": server,
    }


# --- Orchestration: databases, gunicorn, wrk ----------------------------------------


def python() -> str:
    return sys.executable


def django_env(db_url: str, extra: dict | None = None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        **(extra or {}),
    }
    return env


def manage(db_url: str, *args: str, env: dict | None = None) -> None:
    subprocess.run(
        [python(), str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=django_env(db_url, env),
        check=True,
    )


def ensure_database(db_url: str) -> None:
    import psycopg

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    admin_url = database_url(db_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            say(f"Creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def dataset_is_ready(db_url: str, size: int) -> bool:
    """True when the database holds the data a previous run generated for ``size``."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset "
            "(size integer, seed integer, published integer, generated_at timestamptz)"
        )
        marker = conn.execute("SELECT size, seed, published FROM bench_dataset").fetchone()
        published = conn.execute(
            "SELECT count(*) FROM practices_practice WHERE state = 'published'"
        ).fetchone()[0]
    return bool(marker) and marker == (size, SEED, published) and published >= size


def generate(db_url: str, size: int) -> None:
    import psycopg

    say(f"Generating {size:,} practices (seed {SEED})")
    started = time.monotonic()
    manage(db_url, "generate_practices", "--count", str(size), "--seed", str(SEED), "--replace")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        published = conn.execute(
            "SELECT count(*) FROM practices_practice WHERE state = 'published'"
        ).fetchone()[0]
        conn.execute("DELETE FROM bench_dataset")
        conn.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, %s, now())", [size, SEED, published]
        )
    say(f"  {published:,} published practices in {time.monotonic() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(db_url: str, workers: int, label: str, env: dict) -> tuple:
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"gunicorn-{label}.log", "w")  # noqa: SIM115 (closed by stop)
    command = [
        str(Path(python()).with_name("gunicorn")),
        "clearinghouse.wsgi:application",
        "--config",
        str(ROOT / "clearinghouse" / "gunicorn_conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # Keep the same workers for the whole run, so their memory can be read at the end.
        "--max-requests",
        "0",
        "--access-logfile",
        "/dev/null",
    ]
    proc = subprocess.Popen(command, cwd=ROOT, env=django_env(db_url, env), stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log.name}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310
                return proc, base, log
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(proc, log) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def worker_rss_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids = children.read_text().split() if children.exists() else []
    sizes = []
    for pid in pids:
        try:
            kb = parse_rss_kb(Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        if kb:
            sizes.append(round(kb / 1024, 1))
    return sorted(sizes)


def warm(base: str, urls: dict[str, str], rounds: int) -> dict[str, int]:
    statuses = {}
    for _ in range(rounds):
        for name, url in urls.items():
            try:
                with urllib.request.urlopen(base + url, timeout=60) as response:  # noqa: S310
                    response.read()
                    statuses[name] = response.status
            except urllib.error.HTTPError as error:
                statuses[name] = error.code
            except OSError as error:
                statuses[name] = str(error)
    return statuses


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        say("Installing wrk from the Debian packages")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk).")


def wrk_command(wrk: str, url: str, args, duration: int | None = None, script=LUA) -> list:
    return [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration or args.duration}s",
        "--timeout",
        "10s",
        "--latency",
        # As every browser does: the CSV export is then sent (and kept) compressed.
        "-H",
        "Accept-Encoding: gzip",
        "-s",
        str(script),
        url,
    ]


def run_wrk(wrk: str, url: str, args, duration: int | None = None, script=LUA) -> dict:
    command = wrk_command(wrk, url, args, duration, script)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return parse_wrk_output(done.stdout + done.stderr)


def change_catalogue(conn) -> None:
    """One change the public pages show, in plain SQL (CHANGE_SQL); run twice, it is
    undone."""
    conn.execute(CHANGE_SQL)


def run_after_change(wrk: str, base: str, db_url: str, paths: list[str], args) -> dict:
    """``paths`` in turn under the warm table's load: unmeasured warm-up, then a steady
    run, then a run with a change made CHANGE_AFTER_SECONDS into it (undone after)."""
    import psycopg

    seconds = args.change_seconds
    with tempfile.TemporaryDirectory(prefix="bench-change-") as folder:
        script = Path(folder) / "rotation.lua"
        script.write_text(rotation_script(paths, LUA.read_text()))
        if args.warm_seconds:
            # The table's pages may have left the cache since their own runs.
            run_wrk(wrk, base + "/", args, duration=args.warm_seconds, script=script)
        steady = run_wrk(wrk, base + "/", args, duration=seconds, script=script)
        with psycopg.connect(db_url, autocommit=True) as conn:
            command = wrk_command(wrk, base + "/", args, seconds, script)
            load = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            try:
                time.sleep(CHANGE_AFTER_SECONDS)
                change_catalogue(conn)
            finally:
                output, _ = load.communicate()
            change_catalogue(conn)  # undone, after the measured run
    return summarize_change(steady, parse_wrk_output(output), paths, seconds)


def cache_env(label: str) -> tuple[dict, str]:
    """Redis when it answers on 127.0.0.1:6379 (the recommended production set-up), with
    a key prefix of its own per size; otherwise each worker's local memory."""
    url = os.environ.get("BENCH_CACHE_URL")
    if url is None:
        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=1):
                url = "redis://127.0.0.1:6379/0"
        except OSError:
            url = ""
    if not url:
        return {"CACHE_URL": "", "REDIS_URL": ""}, "local memory per worker"
    return {"CACHE_URL": url, "CACHE_KEY_PREFIX": f"ch-bench-{label}"}, f"Redis ({url})"


def machine() -> dict:
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())
        memory_kb = int(match.group(1)) if match else 0
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def prepare_size(size: int, label: str, base_url: str, args) -> dict:
    """The database for ``size`` (built or reused), its URLs and their query counts."""
    db_url = database_url(base_url, f"clearinghouse_bench_{label}")
    say(f"\n== {size:,} practices: {urlsplit(db_url).path.lstrip('/')}")
    ensure_database(db_url)
    manage(db_url, "migrate", "--noinput", "--verbosity", "0")
    if args.regenerate or not dataset_is_ready(db_url, size):
        generate(db_url, size)
    else:
        say("  reusing the generated data")
    env, cache_label = cache_env(label)
    say("  choosing URLs and counting their queries")
    done = subprocess.run(
        [python(), str(Path(__file__).resolve()), "--probe"],
        cwd=ROOT,
        env=django_env(db_url, env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError("the query-count probe failed:\n" + done.stderr[-4000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {"db_url": db_url, "env": env, "cache": cache_label, **found}


def fetch_timed(url: str) -> tuple[float, int | str]:
    """Milliseconds and status of one GET of ``url``."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            response.read()
            status: int | str = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = str(error)
    return (time.perf_counter() - started) * 1000, status


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (share between 0 and 1)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarize_long_tail(times: list[float], statuses: list, seconds: float) -> dict:
    return {
        "requests": len(times),
        "seconds": round(seconds, 2),
        "rps": round(len(times) / seconds, 2) if seconds else 0.0,
        "p50_ms": round(percentile(times, 0.5), 1),
        "p90_ms": round(percentile(times, 0.9), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times, default=0.0), 1),
        "errors": sum(1 for status in statuses if status != 200),
    }


def run_long_tail(base: str, urls: list[str], connections: int) -> dict:
    """Each URL requested once, ``connections`` at a time (as many as wrk keeps open)."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        done = list(pool.map(fetch_timed, [base + url for url in urls]))
    seconds = time.perf_counter() - started
    return summarize_long_tail([ms for ms, _ in done], [status for _, status in done], seconds)


def measure_table(
    prepared: dict[str, dict], wrk: str, args, names: list[str], *, cold: bool = False
) -> tuple[dict[str, dict], dict]:
    """Serve every size at once and measure URL by URL, alternating sizes, so a change in
    the machine's load (other work, thermal limits) touches both sizes alike.

    ``cold`` turns the catalogue cache off (``CATALOGUE_CACHE_SECONDS=0``): no page and no
    shared computation is kept, so every request does a first visit's work. Otherwise the
    long tail and the run after a change follow, on the same warm servers, right after
    the table."""
    servers = {}
    results = {label: {"urls": {}} for label in prepared}
    extra = {"CATALOGUE_CACHE_SECONDS": "0"} if cold else {}
    duration = args.cold_duration if cold else args.duration
    warm_seconds = args.cold_warm_seconds if cold else args.warm_seconds
    rounds = 1 if cold else args.warm_rounds
    tag = "cold" if cold else "warm"
    long_tail = {}
    try:
        for label, prep in prepared.items():
            servers[label] = start_gunicorn(
                prep["db_url"], args.workers, f"{label}-{tag}", {**prep["env"], **extra}
            )
        statuses = {
            label: warm(servers[label][1], {n: prep["urls"][n] for n in names}, rounds)
            for label, prep in prepared.items()
        }
        say(f"\n  {tag} table")
        for name in names:
            for label, prep in prepared.items():
                url = prep["urls"][name]
                row = {"url": url, **prep["queries"].get(name, {})}
                if statuses[label].get(name) != 200:
                    row["error"] = f"HTTP {statuses[label].get(name)}"
                    say(f"  {label:>5} {name:16} {row['error']}, not measured: {url}")
                else:
                    if warm_seconds:
                        # Under the same concurrency, so every worker has served this page.
                        run_wrk(wrk, servers[label][1] + url, args, duration=warm_seconds)
                    row.update(run_wrk(wrk, servers[label][1] + url, args, duration=duration))
                    say(
                        f"  {label:>5} {name:16} {row['rps']:8.1f} req/s  "
                        f"p95 {row['p95_ms']:8.1f} ms  {row.get('queries')} queries  {url}"
                    )
                results[label]["urls"][name] = row
        if not cold:
            for label, (proc, _base, _log) in servers.items():
                results[label]["worker_rss_mb"] = worker_rss_mb(proc.pid)
            for label, prep in prepared.items():
                if args.long_tail and prep.get("long_tail"):
                    urls = prep["long_tail"][: args.long_tail]
                    long_tail[label] = {
                        **run_long_tail(servers[label][1], urls, args.connections),
                        "urls": urls,
                    }
                    row = long_tail[label]
                    say(
                        f"  {label:>5} long tail: {row['requests']} URLs once each, "
                        f"{row['rps']:.1f} req/s, p50 {row['p50_ms']:.0f} ms, "
                        f"p90 {row['p90_ms']:.0f} ms, {row['errors']} errors"
                    )
            for label, prep in prepared.items():
                paths = [
                    prep["urls"][name] for name in CHANGE_NAMES if statuses[label].get(name) == 200
                ]
                if args.change_seconds and paths:
                    row = run_after_change(wrk, servers[label][1], prep["db_url"], paths, args)
                    results[label]["after_change"] = row
                    say(
                        f"  {label:>5} after a change: {row['pages']} pages in turn, p99 "
                        f"{row['steady']['p99_ms']:.0f} ms steady, "
                        f"{row['changed']['p99_ms']:.0f} ms after the change "
                        f"({row['p99_ratio']:.1f}x), {row['errors']} errors"
                    )
    finally:
        for proc, _base, log in servers.values():
            stop_gunicorn(proc, log)
    return results, long_tail


def measure(prepared: dict[str, dict], wrk: str, args) -> dict[str, dict]:
    """The warm table, the long tail and the run after a change (cache on), then the cold
    table (cache off)."""
    warm_results, long_tail = measure_table(prepared, wrk, args, URL_NAMES)
    cold_results = {}
    if args.cold_duration:
        cold_results, _ = measure_table(prepared, wrk, args, COLD_NAMES, cold=True)
    results = {}
    for label, prep in prepared.items():
        results[label] = {
            **warm_results[label],
            "cold_urls": cold_results.get(label, {}).get("urls", {}),
            "long_tail": {k: v for k, v in long_tail.get(label, {}).items() if k != "urls"},
            "long_tail_urls": long_tail.get(label, {}).get("urls", []),
            "in_process_ms": {
                name: row["cold_ms"] for name, row in prep["queries"].items() if "cold_ms" in row
            },
            "common_term": prep["facts"].get("common_term"),
            "database": urlsplit(prep["db_url"]).path.lstrip("/"),
            "facts": prep["facts"],
            "postgres": prep["postgres"],
            "cache": prep["cache"],
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,100000", help="practice counts to measure")
    # cores + 1 sync workers: on this 2-core machine, shared with wrk and PostgreSQL, the
    # floor served 1,258 req/s with 3 workers, 804 with 5 and 314 with 8 (README).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per URL")
    parser.add_argument("--warm-rounds", type=int, default=5)
    parser.add_argument(
        "--warm-seconds", type=int, default=2, help="unmeasured load per URL before its run"
    )
    parser.add_argument(
        "--cold-duration",
        type=int,
        default=5,
        help="seconds of load per URL with the cache off (0: no cold table)",
    )
    parser.add_argument(
        "--cold-warm-seconds", type=int, default=1, help="unmeasured load before each cold run"
    )
    parser.add_argument(
        "--long-tail",
        type=int,
        default=LONG_TAIL_URLS,
        help="distinct URLs requested once each with the cache on (0: none)",
    )
    parser.add_argument(
        "--change-seconds",
        type=int,
        default=CHANGE_SECONDS,
        help="seconds of load on the pages in turn, steady and after a change (0: none)",
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)

    if args.probe:
        print(json.dumps(probe()))
        return 0

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clearinghouse")
    wrk = ensure_wrk()
    manage(database_url(base_url, "postgres"), "collectstatic", "--noinput", "--verbosity", "0")
    load_before = os.getloadavg()
    prepared = {}
    for size in (int(s) for s in args.sizes.split(",")):
        label = SIZES.get(size, str(size))
        prepared[label] = prepare_size(size, label, base_url, args)
    sizes = measure(prepared, wrk, args)
    info = machine()
    # Other work on the machine slows every page alike; the load average says how much.
    info["load_average"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    info["postgres"] = next(iter(sizes.values()))["postgres"] if sizes else None
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "command": "make bench",
        "machine": info,
        "config": {
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "cache": next(iter(sizes.values()))["cache"] if sizes else "",
        },
        "sizes": sizes,
    }
    results["targets"] = evaluate_targets(sizes)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(build_table(results))
    print()
    for check in results["targets"]:
        if not check["ok"]:
            print(f"MISSED: {check['target']}, {check['url']}: {check['value']}")
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    print(f"\nResults written to {shown}")
    if args.update_readme:
        README.write_text(update_readme(README.read_text(), render_readme_section(results)))
        print("README.md's benchmark section updated.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
