"""The cache backends: a Redis cache that fails open, and a local-memory cache that reads many
keys at once.

A Redis cache that fails open: when Redis is unreachable, pages still render.

Everything Qingtan keeps in the cache can be rebuilt or skipped (rendered fragments, rate-limit
counters), so a Redis outage is treated as an empty cache instead of a server error: reads miss,
writes are dropped, `incr` reports a missing key. Rate limits therefore stop limiting while Redis
is down, which is the lesser evil next to refusing every page.

After a failure the cache stays "open" (no Redis call at all) for `RETRY_AFTER` seconds, so a
Redis host that drops packets costs one connect timeout per interval and process, not one per
cache call. The health check uses `cache.strict`, which bypasses all of this and raises.
"""

import logging
import pickle
import threading
import time

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


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, treating connection errors and timeouts as a miss or a no-op.

    OPTIONS may hold `RETRY_AFTER` (seconds, default 5) and `LOG_EVERY` (seconds between two
    warnings about the same outage, default 60); the rest goes to the Redis client as usual.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        options = dict(self._options)
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        self.log_every = float(options.pop("LOG_EVERY", 60))
        self._options = options
        with _outages_lock:
            self._outage = _outages.setdefault(tuple(self._servers), _Outage())

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
    already."""

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
