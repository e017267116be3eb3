"""`make backup` / `make restore`: a backup made with the real pg_dump restores to an
identical catalogue after records were changed and deleted."""

import os
import shutil
import subprocess

import pytest
from django.apps import apps
from django.db import connection

from practices.models import Practice, Publication
from tests.conftest import ROOT
from tests.factories import (
    OutcomeFactory,
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)

SCRIPT = ROOT / "scripts" / "backup.sh"

pytestmark = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")) and os.environ.get("CI") != "true",
    reason="pg_dump/pg_restore not installed (apt-get install postgresql-client)",
)


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_script(*args: str, env: dict | None = None, stdin=subprocess.DEVNULL):
    full_env = {**os.environ, "DATABASE_URL": database_url(), **(env or {})}
    full_env.pop("FILE", None)
    full_env.pop("CONFIRM", None)
    full_env.update(env or {})
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=ROOT,
        env=full_env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def catalogue_snapshot() -> dict:
    """Every row of every catalogue, awards and user table (join tables included)."""
    snapshot = {}
    for label in ("practices", "awards", "auth"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = model.objects.order_by("pk").values()
            snapshot[model._meta.db_table] = [{k: str(v) for k, v in row.items()} for row in rows]
    return snapshot


# A derived view whose query names a table inside a string, as ts_stat() needs: pg_restore
# cannot fill it under its empty search_path, so the script refreshes it afterwards.
WORDS_VIEW = """
CREATE MATERIALIZED VIEW backup_test_words AS
SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('simple', title) FROM practices_practice$$)
"""


def view_words() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, ndoc FROM backup_test_words ORDER BY word")
        return cursor.fetchall()


@pytest.fixture
def words_view(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(WORDS_VIEW)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP MATERIALIZED VIEW IF EXISTS backup_test_words")


@pytest.mark.django_db(transaction=True)
def test_backup_restores_an_identical_catalogue(tmp_path, words_view):
    topic = TopicFactory()
    practices = [PracticeFactory(published=True, topics=[topic]) for _ in range(3)]
    SourceFactory(practice=practices[0])
    OutcomeFactory(practice=practices[0])
    RecognitionFactory(practice=practices[1], citation="For a safer corridor — ¡bien hecho!")
    PublicationFactory(published=True, practices=practices[:2], topics=[topic])
    UserFactory(username="curator")
    before = catalogue_snapshot()
    assert before["practices_practice"] and before["awards_recognition"]
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW backup_test_words")
    words_before = view_words()
    assert words_before

    dump = tmp_path / "catalogue.dump"
    result = run_script("backup", str(dump))
    assert result.returncode == 0, result.stderr
    assert dump.stat().st_size > 0
    assert not (tmp_path / "catalogue.dump.partial").exists()

    # Damage: edit, delete (cascading to recognitions, sources, join rows) and add.
    Practice.objects.filter(pk=practices[2].pk).update(title="Overwritten by mistake")
    Practice.objects.filter(pk=practices[1].pk).delete()
    Publication.objects.all().delete()
    PracticeFactory(title="Added after the backup")
    assert catalogue_snapshot() != before

    connection.close()  # the restore replaces tables this connection may have open
    result = run_script("restore", str(dump), env={"CONFIRM": "yes"})
    assert result.returncode == 0, result.stderr
    assert catalogue_snapshot() == before
    assert view_words() == words_before


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_changes_nothing_without_yes(tmp_path):
    PracticeFactory(title="Kept")
    dump = tmp_path / "catalogue.dump"
    assert run_script("backup", str(dump)).returncode == 0
    PracticeFactory(title="Added later")
    # `script` gives the command a terminal, as a person typing would have.
    if not shutil.which("script"):
        pytest.skip("util-linux `script` is needed to simulate a terminal")
    command = f"bash {SCRIPT} restore {dump}"
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), "CONFIRM": ""},
        input="no\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Type yes" in result.stdout and "cancelled" in result.stdout
    assert set(Practice.objects.values_list("title", flat=True)) == {"Kept", "Added later"}


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.dump"
    bogus.write_text("not a dump")
    result = run_script("restore", str(bogus), env={"CONFIRM": "yes"})
    assert result.returncode != 0
    assert "not a pg_dump custom-format backup" in result.stderr


def test_backup_needs_a_database_url():
    result = subprocess.run(
        ["bash", str(SCRIPT), "backup"],
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
