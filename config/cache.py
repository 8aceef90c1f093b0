"""The cache backends: a Redis cache that fails open and keeps each process's copies of what
never changes under its key, and a local-memory cache that reads many keys at once.

A Redis cache that fails open: when Redis is unreachable, pages still render.

Everything Qingtan keeps in the cache can be rebuilt or skipped (rendered fragments, rate-limit
counters), so a Redis outage is treated as an empty cache instead of a server error: reads miss,
writes are dropped, `incr` reports a missing key. Rate limits therefore stop limiting while Redis
is down, which is the lesser evil next to refusing every page.

After a failure the cache stays "open" (no Redis call at all) for `RETRY_AFTER` seconds, so a
Redis host that drops packets costs one connect timeout per interval and process, not one per
cache call. The health check uses `cache.strict`, which bypasses all of this and raises.

Process copies: most of what Qingtan keeps is keyed by what it shows (a comment's fragment by the
comment's values, an article's parts by the versions of what they show), so the value under such
a key never changes and a copy in the process is as good as the entry in Redis. Both backends
read and write those through get_many_immutable() / set_many_immutable(); the Redis one answers
from its ProcessCopies first, and only asks Redis for the rest. A long discussion's 80 fragments
were 80 KB through the Redis client on every page. The page cache keeps its pages there too, read
against their versions (articles/caching.py). Local memory needs no copies: it is the process.
"""

import logging
import pickle
import sys
import threading
import time

import cachetools
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# ReadOnlyError: a replica answering writes during a failover.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)

# Django keeps one cache object per thread; the outage state is per server, shared by all threads.
_outages = {}
_outages_lock = threading.Lock()


class _Outage:
    def __init__(self):
        self.down_until = 0.0
        self.last_logged = 0.0
        self.failures_since_log = 0


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis.Redis per connection pool. Django makes a new one for
    every cache call, and redis-py fills a table of some 170 response callbacks for each: that
    was a third of a page-cache hit's time in Python. redis.Redis is safe to share between
    threads (each command takes a connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _size(value):
    """About the memory `value` holds: exact for the strings, bytes and numbers entries are made
    of, counted through tuples, lists and dicts."""
    if isinstance(value, (tuple, list)):
        return sys.getsizeof(value) + sum(_size(item) for item in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_size(k) + _size(v) for k, v in value.items())
    return sys.getsizeof(value)


class ProcessCopies:
    """One process's copies of cache entries, least recently used dropped first once they hold
    `max_bytes`, none kept longer than its timeout or `max_seconds`. Shared by the threads of the
    process; values are kept as they are, so they must not be changed by whoever reads them."""

    def __init__(self, max_bytes, max_seconds):
        self.max_seconds = max_seconds
        self._copies = cachetools.TLRUCache(
            maxsize=max_bytes,
            ttu=lambda key, copy, now: copy[1],
            timer=lambda: time.monotonic(),  # the clock set_many() reads, looked up on each call
            getsizeof=lambda copy: copy[2],
        )
        self._lock = threading.Lock()

    def get_many(self, keys):
        found = {}
        with self._lock:
            for key in keys:
                copy = self._copies.get(key)
                if copy is not None:
                    found[key] = copy[0]
        return found

    def get(self, key):
        return self.get_many([key]).get(key)

    def set_many(self, data, timeout=None):
        seconds = self.max_seconds if timeout is None else min(timeout, self.max_seconds)
        if seconds <= 0:
            return
        expires = time.monotonic() + seconds
        copies = [(key, (value, expires, _size(value) + sys.getsizeof(key))) for key, value in data.items()]
        with self._lock:
            for key, copy in copies:
                try:
                    self._copies[key] = copy
                except ValueError:  # larger than all the room there is: not kept
                    self._copies.pop(key, None)

    def set(self, key, value, timeout=None):
        self.set_many({key: value}, timeout)

    def clear(self):
        with self._lock:
            self._copies.clear()

    @property
    def bytes_held(self):
        return self._copies.currsize


# Per server and key prefix, like the outage state: Django makes a cache object per thread.
_process_copies = {}


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, treating connection errors and timeouts as a miss or a no-op, with
    this process's copies of immutable entries in front of it (`copies`).

    OPTIONS may hold `RETRY_AFTER` (seconds, default 5), `LOG_EVERY` (seconds between two
    warnings about the same outage, default 60), `PROCESS_COPIES_MB` (the memory the copies may
    take in each process, default 32; 0 keeps none) and `PROCESS_COPY_SECONDS` (the longest a
    copy is kept, default 3600); the rest goes to the Redis client as usual.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        options = dict(self._options)
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        self.log_every = float(options.pop("LOG_EVERY", 60))
        copies_bytes = int(float(options.pop("PROCESS_COPIES_MB", 32)) * 1024 * 1024)
        copy_seconds = float(options.pop("PROCESS_COPY_SECONDS", 3600))
        self._options = options
        with _outages_lock:
            self._outage = _outages.setdefault(tuple(self._servers), _Outage())
            if copies_bytes > 0:
                self.copies = _process_copies.setdefault(
                    (tuple(self._servers), self.key_prefix, self.version),
                    ProcessCopies(copies_bytes, copy_seconds),
                )
            else:
                self.copies = None

    def get_many_immutable(self, keys):
        """get_many() of keys whose value never changes once set: this process's copies first,
        then Redis for the rest (and copies kept of what it had)."""
        if self.copies is None:
            return self.get_many(keys)
        found = self.copies.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = self.get_many(missing)
            self.copies.set_many(fetched)
            found.update(fetched)
        return found

    def set_many_immutable(self, data, timeout=DEFAULT_TIMEOUT):
        """set_many() of keys whose value never changes once set, with this process's copies."""
        not_stored = set(self.set_many(data, timeout))
        if self.copies is not None:
            # Only what Redis holds: a copy must not outlive an outage it was made during.
            stored = {key: value for key, value in data.items() if key not in not_stored}
            self.copies.set_many(stored, self.get_backend_timeout(timeout))

    @property
    def strict(self):
        """This cache without the safety net: errors propagate (for the health check)."""
        return _Strict(self)

    def _is_open(self):
        return time.monotonic() < self._outage.down_until

    def _failed(self, operation, exc):
        outage = self._outage
        now = time.monotonic()
        outage.down_until = now + self.retry_after
        outage.failures_since_log += 1
        if now - outage.last_logged >= self.log_every or not outage.last_logged:
            logger.warning(
                "Redis cache unavailable (%s: %s); serving without it for %ss (%d failed calls since the last"
                " warning)",
                operation,
                exc,
                self.retry_after,
                outage.failures_since_log,
            )
            outage.last_logged = now
            outage.failures_since_log = 0

    def _recovered(self):
        if self._outage.down_until:
            logger.info("Redis cache available again")
            self._outage.down_until = 0.0

    def _call(self, operation, fallback, *args, **kwargs):
        if self._is_open():
            return fallback
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(operation, exc)
            return fallback
        if self._outage.down_until:
            self._recovered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: a caller using add() as a lock goes ahead rather than waiting for a lock nobody holds.
        return self._call("add", True, key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", missing, key, delta=delta, version=version)
        if result is missing:
            # What Django raises for a missing key; every caller of incr() handles it.
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def clear(self):
        if self.copies is not None:
            self.copies.clear()
        return self._call("clear", False)


class _Strict:
    """The parent RedisCache's methods bound to a FailOpenRedisCache, so errors are raised."""

    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(super(FailOpenRedisCache, self._cache), name)


class LocalMemoryCache(LocMemCache):
    """Django's local-memory cache, with get_many() reading all its keys under one lock.

    Django's get_many() calls get() for each key, a lock and a check of the key's characters
    each time: 0.82 ms for the 80 comment fragments of a long discussion's page, 0.21 ms here.
    Keys are checked when they are set, so a key that is not portable has been warned about
    already.

    The process's own memory already: get_many_immutable() and set_many_immutable() are
    get_many() and set_many(), and there are no `copies`."""

    copies = None

    def get_many_immutable(self, keys):
        return self.get_many(keys)

    def set_many_immutable(self, data, timeout=DEFAULT_TIMEOUT):
        self.set_many(data, timeout)

    def get_many(self, keys, version=None):
        made = [(key, self.make_key(key, version=version)) for key in keys]
        found = {}
        with self._lock:
            for key, made_key in made:
                if self._has_expired(made_key):
                    self._delete(made_key)
                    continue
                found[key] = self._cache[made_key]
                self._cache.move_to_end(made_key, last=False)
        return {key: pickle.loads(pickled) for key, pickled in found.items()}  # noqa: S301 - our own entries
