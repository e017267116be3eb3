"""After a change, each cached value is built once, not once per waiting request, and
nobody is served the previous version's value (clearinghouse/cache.py, "One build per
value")."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from clearinghouse import cache as catalogue_cache
from tests import factories

THREADS = 6


def run_together(target, count=THREADS):
    """``target()`` in ``count`` threads released at the same moment; their results."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(index):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_a_value_missed_by_many_requests_at_once_is_built_once(monkeypatch):
    version = {"now": 1}
    monkeypatch.setattr(catalogue_cache, "catalogue_version", lambda: version["now"])
    cache.clear()
    builds = []

    def build():
        builds.append(version["now"])
        time.sleep(0.3)  # long enough for every other request to miss as well
        return {"count": 42, "version": version["now"]}

    def visit():
        return catalogue_cache.cached("stampede", {"q": "x"}, build)

    results = run_together(visit)
    assert builds == [1]
    assert results == [{"count": 42, "version": 1}] * THREADS

    # A change: the next requests get the new value (never the old one), built once.
    version["now"] = 2
    results = run_together(visit)
    assert builds == [1, 2]
    assert results == [{"count": 42, "version": 2}] * THREADS


def test_waiters_build_the_value_themselves_when_the_builder_fails(monkeypatch):
    monkeypatch.setattr(catalogue_cache, "catalogue_version", lambda: 3)
    cache.clear()
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.2)
        if len(calls) == 1:
            raise RuntimeError("the first build fails")
        return "built"

    def visit():
        try:
            return catalogue_cache.cached("failing", None, build)
        except RuntimeError:
            return "failed"

    results = run_together(visit, count=3)
    assert sorted(results) == ["built", "built", "failed"]
    # One more build after the failure, not one per waiting request.
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_page_missed_by_many_visitors_at_once_is_rendered_once(settings):
    settings.CATALOGUE_CACHE_SECONDS = 60
    cache.clear()
    topic = factories.TopicFactory(slug="lighting", name="Street lighting")
    factories.PracticeFactory(published=True, title="Corridor lighting", topics=[topic])
    url = reverse("practices:practice_list") + "?topic=lighting"
    renders = []

    def count_render(sender, template, **kwargs):
        if template.name == "practices/practice_list.html":
            renders.append(1)
            time.sleep(0.6)  # every other visitor arrives while this one renders

    def visit():
        response = Client().get(url)
        return response.status_code, response.content

    template_rendered.connect(count_render)
    try:
        results = run_together(visit)
        assert len(renders) == 1
        assert {status for status, _ in results} == {200}
        assert len({content for _, content in results}) == 1
        assert b"Corridor lighting" in results[0][1]

        # A curator's change: the next visitors see it, and the page is rendered once more.
        factories.PracticeFactory(published=True, title="Late-night lighting", topics=[topic])
        results = run_together(visit)
        assert len(renders) == 2
        assert all(b"Late-night lighting" in content for _, content in results)
    finally:
        template_rendered.disconnect(count_render)
