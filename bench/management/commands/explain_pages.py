"""EXPLAIN (ANALYZE, BUFFERS) of the SQL a first visit to each benchmarked page runs.

For each page of ``make bench`` (built from the data, as the benchmark does), one request
is served with nothing cached (the catalogue version replaced first) through Django's test
client; every statement it ran that took at least ``--min-ms`` is then explained with
ANALYZE and BUFFERS, and printed with its plan. Read-only: the statements are SELECTs
(anything else is skipped). Run against a benchmark database, for example::

    DJANGO_SETTINGS_MODULE=bench.settings \\
        DATABASE_URL=postgres://.../clearinghouse_bench_100k manage.py explain_pages
"""

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import run
from clearinghouse.cache import bump_catalogue_version


class Command(BaseCommand):
    help = "EXPLAIN (ANALYZE, BUFFERS) of the statements of a first visit to each bench page."

    def add_arguments(self, parser):
        parser.add_argument("--min-ms", type=float, default=1.0)
        parser.add_argument("--page", action="append", help="only these pages (by name)")
        parser.add_argument("--lines", type=int, default=12, help="plan lines shown")

    def handle(self, *args, min_ms: float, page: list[str] | None, lines: int, **options):
        facts = run.gather_facts()
        urls = run.choose_urls(facts)
        urls["search_common"] = "/practices/?q=" + facts["common_term"]
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        for name, url in urls.items():
            if name in ("floor", "export") or (page and name not in page):
                continue
            client.get(url)  # imports, connections and this worker's kept structures
            bump_catalogue_version()
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url).status_code
            slow = [q for q in queries.captured_queries if float(q["time"]) * 1000 >= min_ms]
            self.stdout.write(f"\n## {name} {url} ({status}): {len(queries)} statements")
            for query in slow:
                self.explain(query["sql"], float(query["time"]) * 1000, lines)

    def explain(self, sql: str, client_ms: float, lines: int) -> None:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        self.stdout.write(f"\n{client_ms:.1f} ms  {sql[:160]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        for line in plan[:lines]:
            self.stdout.write("    " + line[:160])
        for line in plan[lines:]:
            if line.startswith(("Planning Time", "Execution Time")):
                self.stdout.write("    " + line)
