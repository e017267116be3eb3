"""Tests that need Redis follow one rule: skipped on a machine without it, failed under
CI=true, where .ci/run starts Redis when it is not answering."""

import pytest

from tests import conftest


def test_without_redis_the_tests_skip_locally_and_fail_under_ci(monkeypatch):
    monkeypatch.setattr(conftest, "redis_answers", lambda: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not answering"):
        conftest.require_redis()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        conftest.require_redis()


def test_with_redis_the_tests_run(monkeypatch):
    monkeypatch.setattr(conftest, "redis_answers", lambda: True)
    monkeypatch.setenv("CI", "true")
    conftest.require_redis()


def test_ci_starts_redis_when_it_is_not_answering():
    script = (conftest.ROOT / ".ci" / "run").read_text()
    start = script.index("if ! redis_answers")
    end = script.index("\nmake test\n")
    assert start < end, "Redis is started before the tests run"
    block = script[start:end]
    assert "apt_install redis-server" in block
    assert "redis-server --daemonize yes" in block
