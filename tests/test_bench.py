"""The benchmark harness (bench/run.py): its pure parts, its probe and the floor page."""

import json

import pytest
from django.urls import NoReverseMatch, reverse

from bench import run
from practices.models import PublishingState
from tests.conftest import manage
from tests.factories import (
    AwardFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    TopicFactory,
)

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:8000/practices/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.05ms    3.10ms  40.22ms   80.00%
    Req/Sec   330.12     20.50   400.00     70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.20ms
     90%   15.90ms
     99%   25.10ms
  5280 requests in 8.00s, 60.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    660.00
Transfer/sec:      7.50MB
BENCH {"requests": 5280, "seconds": 8.001, "rps": 659.92, "mean_ms": 12.050, \
"p50_ms": 11.500, "p90_ms": 15.900, "p95_ms": 18.200, "p99_ms": 25.100, "max_ms": 40.220, \
"errors": {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 0}}
"""


def test_parse_wrk_output_reads_the_lua_line():
    data = run.parse_wrk_output(WRK_OUTPUT.replace("\\\n", ""))
    assert data["requests"] == 5280
    assert data["rps"] == pytest.approx(659.92)
    assert (data["p50_ms"], data["p95_ms"], data["p99_ms"]) == (11.5, 18.2, 25.1)
    assert data["errors"]["status"] == 3
    assert data["errors_total"] == 4


def test_parse_wrk_output_without_the_lua_line_says_why():
    with pytest.raises(ValueError, match="report.lua"):
        run.parse_wrk_output("Running 8s test @ http://127.0.0.1/\nRequests/sec: 1.0\n")


def test_parse_rss_kb():
    status = "Name:\tgunicorn\nVmPeak:\t  200000 kB\nVmRSS:\t   81234 kB\nThreads:\t1\n"
    assert run.parse_rss_kb(status) == 81234
    assert run.parse_rss_kb("Name:\tkthreadd\n") is None


def test_title_words_ranks_words_by_titles_holding_them():
    titles = ["Youth program one", "Youth lighting program", "Street lighting", "Youth 2024"]
    assert run.title_words(titles) == ["youth", "lighting", "program", "street"]
    assert run.title_words(titles, limit=1) == ["youth"]
    assert run.title_words([]) == []


def test_choose_term_prefers_a_word_finding_a_small_share():
    # 2% of 10,000 is 200: "lighting" is closest (on a log scale) to that share.
    matches = {"program": 9_000, "youth": 3_000, "lighting": 150, "graffiti": 3}
    assert run.choose_term(matches, 10_000) == "lighting"
    assert run.choose_term(matches, 10_000, share=0.3) == "youth"
    # Ties go to the alphabetically first word, whatever the order given.
    assert run.choose_term({"parks": 200, "lamps": 200}, 10_000) == "lamps"


def test_choose_term_falls_back_when_nothing_is_found():
    assert run.choose_term({}, 100) == "safety"
    assert run.choose_term({"parks": 0}, 100) == "safety"
    assert run.choose_term({"parks": 3}, 0) == "safety"


FACTS = {
    "published": 1000,
    "topic": "youth-violence",
    "country": "US",
    "band": "10k-50k",
    "term": "lighting",
    "practice": "night-basketball",
    "award": "local-excellence",
    "deep_page": 50,
}


def test_choose_urls_builds_every_page_from_the_facts():
    urls = run.choose_urls(FACTS)
    assert list(urls) == run.URL_NAMES
    assert urls["home"] == "/"
    assert urls["list"] == "/practices/"
    assert urls["filtered"] == "/practices/?topic=youth-violence&country=US&population=10k-50k"
    assert urls["search"] == "/practices/?q=lighting"
    assert urls["search_filtered"] == "/practices/?q=lighting&topic=youth-violence&country=US"
    assert urls["deep_page"] == "/practices/?page=50"
    assert urls["detail"] == "/practices/night-basketball/"
    assert urls["award"] == "/awards/local-excellence/"
    assert urls["export"].startswith("/practices/export.csv?topic=youth-violence&")
    assert urls["floor"] == "/bench/floor/"


def test_choose_urls_escapes_values_and_copes_without_awards():
    urls = run.choose_urls({**FACTS, "term": "policía & co", "award": None})
    assert "q=polic%C3%ADa+%26+co" in urls["search"]
    assert urls["award"] == "/awards/"


def test_deep_page_stays_inside_the_list():
    assert run.deep_page(100_000, 20) == 200
    assert run.deep_page(1_000, 20) == 50
    assert run.deep_page(1_001, 20) == 51
    assert run.deep_page(0, 20) == 1


def test_database_url_swaps_only_the_name():
    assert (
        run.database_url("postgres://u:p@db:5433/clearinghouse?sslmode=require", "bench_1k")
        == "postgres://u:p@db:5433/bench_1k?sslmode=require"
    )


def row(rps, p95, queries, url="/x/"):
    return {
        "url": url,
        "queries_warm": 2,
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "queries": queries,
    }


def sample_results():
    return {
        "date": "2026-11-26 20:00 UTC",
        "machine": {"cores": 2, "memory_gb": 23.5, "cpu": "Test CPU", "python": "3.13.0"},
        "config": {"workers": 5, "threads": 2, "connections": 8, "duration": 8, "cache": "x"},
        "sizes": {
            "1k": {
                "urls": {
                    "floor": row(1000, 10, 1),
                    "filtered": row(400, 20, 6),
                    "detail": row(500, 15, 8),
                },
                "worker_rss_mb": [60.0, 61.5],
            },
            "100k": {
                "urls": {
                    "floor": row(1000, 10, 1),
                    "filtered": row(300, 50, 7),
                    "detail": row(600, 16, 8),
                    "export": {"url": "/practices/export.csv", "error": "HTTP 500"},
                },
                "worker_rss_mb": [90.0, 160.2],
            },
        },
    }


def test_evaluate_targets_flags_what_is_missed():
    checks = run.evaluate_targets(sample_results()["sizes"])
    failed = {(c["target"], c["url"]) for c in checks if not c["ok"]}
    assert ("p95 at 100k <= 2x p95 at 1k", "filtered") in failed  # 50 ms vs 20 ms
    assert ("same query count at both sizes", "filtered") in failed
    assert ("runs", "export") in failed
    assert ("worker RSS < 150 MB after the run", "*") in failed
    passed = {(c["target"], c["url"]) for c in checks if c["ok"]}
    assert ("rps >= 25% of the floor", "filtered") in passed
    assert ("rps >= 50% of the floor", "detail") in passed
    assert ("p95 < 100 ms at 100k", "filtered") in passed
    assert ("same query count at both sizes", "detail") in passed


def test_evaluate_targets_needs_the_large_size():
    assert run.evaluate_targets({"1k": sample_results()["sizes"]["1k"]}) == []


def test_build_table_shows_each_page_at_each_size():
    table = run.build_table(sample_results())
    lines = table.splitlines()
    assert lines[0].startswith(
        "| page | 1k req/s | 1k p50/p95/p99 ms | 1k queries cold / warm | 100k req/s"
    )
    filtered = next(line for line in lines if line.startswith("| filtered |"))
    assert (
        "| 400 | 10.0 / 20.0 / 30.0 | 6 / 2 | 300 | 25.0 / 50.0 / 75.0 | 7 / 2 | 2.50x |"
        in filtered
    )
    assert any(line.startswith("| export |") and "HTTP 500" in line for line in lines)
    assert "Worker RSS after the 100k run: 90, 160 MB" in table


def test_readme_section_is_replaced_in_place():
    results = sample_results()
    results["targets"] = run.evaluate_targets(results["sizes"])
    section = run.render_readme_section(results)
    assert section.startswith(run.README_START) and section.endswith(run.README_END)
    assert "2 cores, 23.5 GB memory" in section
    results["machine"]["load_average"] = {"before": [0.5, 0.4, 0.3], "after": [2.0, 1.0, 0.5]}
    assert "before the run: 0.5 / 0.4 / 0.3, after: 2.0 / 1.0 / 0.5" in (
        run.render_readme_section(results)
    )
    assert "MISSED: p95 at 100k <= 2x p95 at 1k, filtered: 2.5" in section

    readme = (
        "# Site\n\n## Benchmark\n\n" + run.README_START + "\nstale table\n" + run.README_END + "\n"
    )
    updated = run.update_readme(readme, section)
    assert "stale table" not in updated
    assert updated.count(run.README_START) == 1
    assert updated.startswith("# Site\n\n## Benchmark\n\n")
    appended = run.update_readme("# Site\n", section)
    assert appended == "# Site\n\n" + section + "\n"


@pytest.mark.django_db
def test_gather_facts_picks_the_busiest_published_topic_place_and_band():
    busy, quiet = TopicFactory(slug="busy"), TopicFactory(slug="quiet")
    town = JurisdictionFactory(country="MX", region="Jalisco", population=8_000)
    city = JurisdictionFactory(country="US", population=300_000)
    for n in range(3):
        PracticeFactory(published=True, topics=[busy], lead_jurisdiction=town, slug=f"b-{n}")
    PracticeFactory(published=True, topics=[busy], lead_jurisdiction=city, slug="b-city")
    PracticeFactory(published=True, topics=[quiet], lead_jurisdiction=city, slug="q-1")
    # Drafts never count, however many there are.
    for n in range(6):
        PracticeFactory(topics=[quiet], lead_jurisdiction=city, slug=f"draft-{n}")
    award = AwardFactory(slug="excellence")
    RecognitionFactory(practice=PracticeFactory(published=True, slug="a-winner"), award=award)
    RecognitionFactory(
        practice=PracticeFactory(state=PublishingState.DRAFT, slug="a-draft"),
        award=AwardFactory(slug="drafts-only"),
    )

    facts = run.gather_facts(page_size=2)

    assert facts["topic"] == "busy"
    assert facts["country"] == "MX"
    assert facts["band"] == "under-10k"
    assert facts["practice"] == "a-winner"
    assert facts["award"] == "excellence"
    assert facts["published"] == 6
    assert facts["deep_page"] == 3
    assert facts["term"]


@pytest.mark.django_db
def test_floor_exists_only_in_the_benchmark_url_map(client, settings):
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/bench/floor/").status_code == 404

    settings.ROOT_URLCONF = "bench.urls"
    TopicFactory.create_batch(3)
    response = client.get(reverse("bench_floor"))
    assert response.status_code == 200
    assert b"3 topics." in response.content


@pytest.mark.django_db
def test_floor_runs_one_query_and_the_probe_counts_it(settings, django_assert_num_queries):
    settings.ROOT_URLCONF = "bench.urls"
    with django_assert_num_queries(3):  # the first request and its repeat
        counts = run.count_queries({"floor": "/bench/floor/"})
    assert counts == {"floor": {"queries": 1, "queries_warm": 1, "status": 200}}


def test_bench_settings_are_production_over_plain_http():
    script = (
        "import json; from django.conf import settings as s; from django.urls import reverse; "
        "print(json.dumps([s.ROOT_URLCONF, s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, reverse('bench_floor')]))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "HTTPS": "true"}
    env["SECRET_KEY"] = "bench-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    done = manage("shell", "--verbosity", "0", "-c", script, env={**env, "DEBUG": "false"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "bench.urls",
        False,
        False,
        False,
        "/bench/floor/",
    ]


def test_production_settings_have_no_floor():
    script = (
        "from django.urls import NoReverseMatch, reverse\n"
        "try:\n    reverse('bench_floor')\nexcept NoReverseMatch:\n    print('absent')\n"
    )
    env = {"SECRET_KEY": "bench-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"}
    done = manage("shell", "--verbosity", "0", "-c", script, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "absent"


def test_build_table_reports_cold_search_times():
    results = sample_results()
    results["sizes"]["100k"]["in_process_ms"] = {"search": 181.4}
    table = run.build_table(results)
    assert "with nothing cached (median of 5), at 100k: search 181 ms" in table


LONG_TAIL_FACTS = {
    "long_tail": {
        "topics": ["parks", "policing", "youth"],
        "countries": ["MX", "US"],
        "bands": ["under-10k", "250k-plus"],
        "practices": [f"p-{i}" for i in range(100)],
        "words": [f"word{i}" for i in range(150)],
    }
}


def test_long_tail_urls_are_distinct_and_mix_every_kind():
    urls = run.long_tail_urls(LONG_TAIL_FACTS, count=400)
    assert len(urls) == 400
    assert len(set(urls)) == 400
    assert sum(u.startswith("/practices/p-") for u in urls) == 100
    assert any(u.startswith("/search/?q=") for u in urls)
    assert any("topic=" in u and "country=" in u for u in urls)
    assert any("page=" in u for u in urls)
    # The kinds are interleaved, so a slow stretch does not hit only one kind.
    assert {u.split("?")[0] for u in urls[:8]} >= {"/practices/p-0/", "/practices/"}
    assert run.long_tail_urls(LONG_TAIL_FACTS, count=400) == urls


def test_long_tail_asks_no_page_past_the_last():
    facts = {"long_tail": {**LONG_TAIL_FACTS["long_tail"], "pages": 10}}
    pages = [u for u in run.long_tail_urls(facts, count=400) if "page=" in u]
    assert pages == [f"/practices/?page={n}" for n in range(2, 11)]


def test_percentile_and_long_tail_summary():
    times = [float(n) for n in range(1, 101)]
    assert run.percentile(times, 0.5) == 50
    assert run.percentile(times, 0.9) == 90
    assert run.percentile([], 0.9) == 0.0
    summary = run.summarize_long_tail(times, [200] * 99 + [500], seconds=10.0)
    assert summary["rps"] == 10.0
    assert (summary["p50_ms"], summary["p90_ms"], summary["p99_ms"]) == (50, 90, 99)
    assert summary["errors"] == 1


def test_first_visit_targets_compare_the_cold_table_with_its_floor():
    ms = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0}
    cold = {
        "floor": {"rps": 1000.0, **ms},
        "list": {"rps": 60.0, **ms},
        "home": {"rps": 50.0, **ms},
    }
    small = {"floor": {"rps": 1000.0, **ms}, "list": {"rps": 100.0, **ms}}
    sizes = {
        "1k": {"urls": {}, "cold_urls": small},
        "100k": {
            "urls": {},
            "cold_urls": cold,
            "in_process_ms": {"list": 35.0, "home": 25.0},
            "long_tail": {"requests": 400, "p90_ms": 140.0, "errors": 0},
        },
    }
    checks = {(c["target"], c["url"]): c["ok"] for c in run.evaluate_first_visits(sizes)}
    assert checks[("cold at 100k: rps >= 5% of the floor", "list")] is True
    assert checks[("cold at 100k: rps >= 10% of the floor", "home")] is False
    assert checks[("cold at 1k: rps >= 15% of the floor", "list")] is False
    assert checks[("one request in-process, cache off, at 100k (ms)", "list")] is True
    assert checks[("one request in-process, cache off, at 100k (ms)", "home")] is False
    assert checks[("long tail at 100k, cache on: p90 (ms)", "400 URLs")] is True
    table = run.build_cold_table({"sizes": sizes})
    assert "| list | 100.0 | 10.0% |" in table


def test_search_filtered_uses_its_own_word_when_given():
    urls = run.choose_urls({**FACTS, "filtered_term": "parks"})
    assert urls["search"] == "/practices/?q=lighting"
    assert urls["search_filtered"] == "/practices/?q=parks&topic=youth-violence&country=US"


@pytest.mark.django_db
def test_filtered_term_finds_more_than_a_few_within_the_topic_and_country():
    from practices.models import Practice

    topic = TopicFactory(slug="busy")
    town = JurisdictionFactory(country="MX", population=8_000)
    elsewhere = JurisdictionFactory(country="US", population=300_000)
    for n in range(6):
        PracticeFactory(published=True, title=f"Lighting {n}", lead_jurisdiction=elsewhere)
    PracticeFactory(published=True, title="Lighting here", topics=[topic], lead_jurisdiction=town)
    for n in range(4):
        PracticeFactory(
            published=True, title=f"Pocket parks {n}", topics=[topic], lead_jurisdiction=town
        )
    published = Practice.objects.published()
    in_topic = published.filter(topics__slug="busy")
    matches = {"lighting": 7, "parks": 4}

    assert run.filtered_term(in_topic, "MX", matches, "lighting", 11) == "parks"
    # Nothing finds more than a few there: the general word stays.
    assert run.filtered_term(in_topic, "MX", {"lighting": 7}, "lighting", 11) == "lighting"


def test_after_a_change_rotates_the_warm_pages_but_the_floor_and_the_export():
    assert run.CHANGE_NAMES == [
        "home",
        "list",
        "filtered",
        "search",
        "search_filtered",
        "site_search",
        "deep_page",
        "detail",
        "award",
    ]


def test_rotation_script_requests_the_paths_in_turn_and_keeps_the_bench_line():
    report = run.LUA.read_text()
    script = run.rotation_script(["/", "/practices/?q=youth&topic=a-b"], report)
    assert 'local paths = {\n  "/",\n  "/practices/?q=youth&topic=a-b",\n}\n' in script
    assert "turn = turn % #paths + 1" in script
    assert "return wrk.format(nil, paths[turn])" in script
    # One script for wrk: the rotation, then report.lua's done() as it is.
    assert script.endswith(report)
    assert "done = function(summary, latency, requests)" in script
    assert script.index("request = function()") < script.index("done = function")


def test_lua_string_escapes_quotes_backslashes_and_newlines():
    assert run.lua_string("/a") == '"/a"'
    assert run.lua_string('say "hi"\\\n') == '"say \\"hi\\"\\\\\\n"'


def wrk_figures(p99, errors=0, rps=500.0):
    return {
        "requests": 5000,
        "rps": rps,
        "p50_ms": 8.0,
        "p90_ms": 12.0,
        "p95_ms": 15.0,
        "p99_ms": p99,
        "max_ms": p99 * 2,
        "errors": {"status": errors},
        "errors_total": errors,
    }


def test_after_a_change_is_held_to_twice_the_steady_p99():
    paths = ["/", "/practices/"]
    met = run.summarize_change(wrk_figures(20.0), wrk_figures(39.0), paths, 10)
    assert met["p99_ratio"] == 1.95
    assert (met["pages"], met["paths"], met["seconds"], met["errors"]) == (2, paths, 10, 0)
    assert met["steady"]["p99_ms"] == 20.0 and met["changed"]["p99_ms"] == 39.0
    assert "errors" not in met["steady"]  # only the figures the results keep
    missed = run.summarize_change(wrk_figures(20.0), wrk_figures(800.0, rps=300.0), paths, 10)
    failing = run.summarize_change(wrk_figures(20.0), wrk_figures(30.0, errors=3), paths, 10)
    sizes = {
        "1k": {"urls": {}, "after_change": met},
        "100k": {"urls": {}, "after_change": missed},
    }
    checks = {c["target"]: c for c in run.evaluate_after_change(sizes)}
    small = checks["after a change under load at 1k, cache on: p99 <= 2x steady p99"]
    large = checks["after a change under load at 100k, cache on: p99 <= 2x steady p99"]
    assert (small["ok"], small["value"], small["url"]) == (True, 1.95, "2 pages")
    assert (large["ok"], large["value"], large["limit"]) == (False, 40.0, 2.0)
    # Errors miss the target whatever the ratio.
    sizes["1k"]["after_change"] = failing
    assert [c["ok"] for c in run.evaluate_after_change(sizes)] == [False, False]
    # Without the run (--change-seconds 0) there is nothing to judge.
    assert run.evaluate_after_change({"100k": {"urls": {}}}) == []


def test_build_table_and_readme_show_the_run_after_a_change():
    results = sample_results()
    steady, changed = wrk_figures(20.0), wrk_figures(800.0, rps=300.0)
    results["sizes"]["100k"]["after_change"] = run.summarize_change(
        steady, changed, ["/", "/practices/"], 10
    )
    line = (
        "After a change at 100k (cache on, 2 pages in turn, 8 at a time, 10 s steady, "
        "then 10 s with a change 0.5 s in): p99 20 ms steady, 800 ms after the change "
        "(40.0x), max 1600 ms, 500 / 300 req/s, 0 / 0 errors"
    )
    assert run.build_change_lines(results) == [line]
    assert line in run.build_table(results)
    results["targets"] = run.evaluate_targets(results["sizes"])
    section = run.render_readme_section(results)
    assert line in section
    assert (
        "- MISSED: after a change under load at 100k, cache on: p99 <= 2x steady p99, "
        "2 pages: 40.0 (limit 2.0)" in section
    )


@pytest.mark.django_db(transaction=True)
def test_the_change_is_one_the_pages_see_and_running_it_again_undoes_it():
    from django.db import connection

    from clearinghouse.cache import read_catalogue_version

    first = PracticeFactory(published=True, title="Street lighting")
    PracticeFactory(published=True, title="Pocket parks")
    version = read_catalogue_version()
    with connection.cursor() as cursor:
        cursor.execute(run.CHANGE_SQL)
    first.refresh_from_db()
    assert first.title == "Street lighting "
    assert read_catalogue_version() != version
    with connection.cursor() as cursor:
        cursor.execute(run.CHANGE_SQL)
    first.refresh_from_db()
    assert first.title == "Street lighting"
