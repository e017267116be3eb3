"""A local-memory cache with a cap in bytes, for running without Redis.

Django's local-memory cache caps the number of entries, not their size: a few thousand
large pages could swell every worker. This one also counts the bytes of the pickled
values it holds and evicts the least recently used entries beyond ``MAX_BYTES``.
"""

from django.core.cache.backends.locmem import LocMemCache

DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# Bytes held per named cache, shared like LocMemCache's own stores.
_sizes: dict[str, list[int]] = {}


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS") or {}
        self.max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._size = _sizes.setdefault(name, [0])

    @property
    def bytes_held(self) -> int:
        return self._size[0]

    def _set(self, key, value, timeout=None):
        self._delete(key)
        if len(value) > self.max_bytes:
            return  # larger than the whole cache: not kept
        while self._cache and (
            len(self._cache) >= self._max_entries or self._size[0] + len(value) > self.max_bytes
        ):
            oldest, pickled = self._cache.popitem()  # least recently used last
            self._expire_info.pop(oldest, None)
            self._size[0] -= len(pickled)
        self._cache[key] = value
        self._cache.move_to_end(key, last=False)
        self._expire_info[key] = self.get_backend_timeout(timeout)
        self._size[0] += len(value)

    def _delete(self, key):
        pickled = self._cache.pop(key, None)
        if pickled is None:
            return False
        self._expire_info.pop(key, None)
        self._size[0] -= len(pickled)
        return True

    def incr(self, key, delta=1, version=None):
        value = self.get(key, version=version)
        if value is None:
            raise ValueError(f"Key '{key}' not found")
        self.set(key, value + delta, version=version)
        return value + delta

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._size[0] = 0
