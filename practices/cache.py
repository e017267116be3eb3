"""Caching of catalogue-wide work that every visitor shares: facet counts, totals, the
home page's lists.

Every cached value lives under a *catalogue version*. Saving or deleting anything the
public pages show (practices, publications, recognitions and the names they display)
replaces the version, so the next request rebuilds from the database: a curator who
publishes sees the change at once. Old entries are never read again and expire by
themselves.

Only data that is the same for every visitor may be cached here, and always data built
from ``.published()`` querysets; per-request values (the current page of results, a user's
own data) stay out of the cache.

Changes that bypass model signals (``QuerySet.update()``, ``bulk_create()``, raw SQL) must
call ``bump_catalogue_version()`` themselves.
"""

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "catalogue:version"
_MISSING = object()


def catalogue_version() -> int:
    """The current catalogue version, created on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh, never-used number: an old entry can never match it by accident.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_catalogue_version() -> None:
    """Make every cached catalogue value stale."""
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def cache_key(name: str, params: Any = None, *, version: int | None = None) -> str:
    """A key for ``name`` and ``params`` (anything JSON can write) at a catalogue version."""
    digest = hashlib.blake2b(
        json.dumps(params, sort_keys=True, default=str).encode(), digest_size=12
    ).hexdigest()
    if version is None:
        version = catalogue_version()
    return f"catalogue:{version}:{name}:{digest}"


def cached(name: str, params: Any, build: Callable[[], Any], timeout: int | None = None) -> Any:
    """The value ``build()`` returns, computed once per catalogue version and ``params``.

    Put in ``params`` everything the value depends on (filters, language). ``build`` must
    return picklable data; lists and dicts of plain values keep the cache small.
    """
    if timeout is None:
        timeout = settings.CATALOGUE_CACHE_SECONDS
    if timeout <= 0:
        return build()
    key = cache_key(name, params)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout)
    return value


def detach_prefetched(instances: list) -> list:
    """Make model instances with prefetched relations safe to cache.

    A prefetched queryset keeps the query that built it, and that query may name classes
    pickle cannot find (the automatic many-to-many through models). Swap each one for a
    plain queryset holding the same rows, so ``obj.relation.all()`` still reads them.
    """
    for obj in instances:
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        for name, queryset in list(prefetched.items()):
            rows = list(queryset)
            detach_prefetched(rows)
            plain = queryset.model._base_manager.none()
            plain._result_cache = rows
            plain._prefetch_done = True
            prefetched[name] = plain
    return instances


def _catalogue_changed(sender, **kwargs) -> None:
    bump_catalogue_version()
    # Bump again once the transaction commits: a request that read the old rows while
    # the change was in flight may have cached them under the version set above.
    transaction.on_commit(bump_catalogue_version)


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        _catalogue_changed(sender)


def connect_signals() -> None:
    """Drop cached catalogue work whenever a record the public pages show changes."""
    from awards.models import Award, AwardCategory, Recognition
    from practices.models import (
        Department,
        Initiative,
        Jurisdiction,
        Outcome,
        Practice,
        Publication,
        Source,
        Topic,
        VocabularyTerm,
    )

    models = [
        Practice,
        Publication,
        Recognition,
        Topic,
        Department,
        Jurisdiction,
        Initiative,
        Source,
        Outcome,
        Award,
        AwardCategory,
        # Search reads the bilingual vocabulary: an edit must reach the next request.
        VocabularyTerm,
    ]
    for model in models:
        uid = f"catalogue-cache-{model._meta.label_lower}"
        post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_catalogue_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for model in (Practice, Publication):
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _m2m_changed, sender=through, dispatch_uid=f"catalogue-cache-{through._meta.label}"
            )
