import logging
import shutil
import socket
import subprocess
import threading
import time
from unittest import mock

import pytest
from django.core.cache import cache

from config.cache import FailOpenRedisCache

# Nothing listens on port 1: every connection is refused at once.
REFUSED = "redis://127.0.0.1:1/0"


def fail_open(location=REFUSED, **options):
    return FailOpenRedisCache(
        location, {"KEY_PREFIX": "test", "OPTIONS": {"socket_connect_timeout": 0.5, **options}}
    )


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REFUSED,
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }


def test_an_unreachable_redis_reads_as_a_miss_and_drops_writes():
    down = fail_open(RETRY_AFTER=0)
    assert down.get("k") is None
    assert down.get("k", "fallback") == "fallback"
    assert down.set("k", "v") is None
    assert down.get_many(["a", "b"]) == {}
    assert down.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert down.has_key("k") is False
    assert down.delete("k") is False
    assert down.delete_many(["a", "b"]) is None
    assert down.touch("k") is False
    assert down.clear() is False
    assert down.get_or_set("k", lambda: "computed") == "computed"


def test_add_succeeds_so_a_lock_holder_goes_ahead_and_incr_reports_a_missing_key():
    down = fail_open(RETRY_AFTER=0)
    assert down.add("lock", 1) is True
    with pytest.raises(ValueError, match="not found"):
        down.incr("counter")
    with pytest.raises(ValueError, match="not found"):
        down.decr("counter")


def test_the_strict_face_raises_so_the_health_check_sees_the_outage():
    import redis

    with pytest.raises(redis.exceptions.ConnectionError):
        fail_open().strict.set("k", "v")


def test_an_outage_is_logged_once_per_interval_not_per_call(caplog):
    down = fail_open("redis://127.0.0.1:1/7", RETRY_AFTER=0, LOG_EVERY=60)
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for _ in range(5):
            down.get("k")
    warnings = [r for r in caplog.records if r.name == "config.cache"]
    assert len(warnings) == 1
    assert "Redis cache unavailable" in warnings[0].getMessage()


class CountingDeadEnd:
    """A TCP port that accepts connections and hangs up at once: a Redis that has gone bad."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


def test_after_a_failure_redis_is_left_alone_for_retry_after_seconds():
    dead_end = CountingDeadEnd()
    try:
        down = fail_open(f"redis://127.0.0.1:{dead_end.port}/0", RETRY_AFTER=60)
        for _ in range(10):
            assert down.get("k") is None
            down.set("k", "v")
        time.sleep(0.2)
        # redis-py retries a failed connection once: two connections, not twenty or forty.
        assert 1 <= dead_end.connections <= 3
    finally:
        dead_end.close()


@pytest.mark.django_db
def test_pages_render_while_redis_is_down_and_healthz_reports_it(client, redis_down, article):
    assert client.get("/").status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/accounts/login/").status_code == 200

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_down(client, redis_down, user):
    # allauth's rate limits live in the cache; without it they fail open instead of failing the page.
    from allauth.account.models import EmailAddress

    from tests.factories import PASSWORD

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server that the test may stop and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()

    def start():
        process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process
            time.sleep(0.05)
        process.kill()
        pytest.fail("redis-server did not start")

    server = {"port": port, "process": start()}

    def stop():
        server["process"].terminate()
        server["process"].wait(10)

    server["start"] = lambda: server.update(process=start())
    server["stop"] = stop
    yield server
    if server["process"].poll() is None:
        stop()


def test_a_real_redis_going_away_and_coming_back(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0)
    live.set("greeting", "你好")
    assert live.get("greeting") == "你好"

    redis_server["stop"]()
    assert live.get("greeting") is None
    live.set("greeting", "lost")  # dropped, no error
    with pytest.raises(Exception):  # noqa: B017 - redis-py's ConnectionError
        live.strict.get("greeting")

    redis_server["start"]()
    live.set("greeting", "又见面了")
    assert live.get("greeting") == "又见面了"


def test_one_redis_client_serves_every_call_of_a_cache_and_survives_a_restart(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0)
    live.set("a", 1)
    client = live._cache.get_client(write=True)
    assert live._cache.get_client("a") is client  # Django builds a new one per call
    assert live.get_many(["a"]) == {"a": 1}
    redis_server["stop"]()
    redis_server["start"]()
    assert live.get("a") is None  # a fresh server, reached through the same client
    live.set("a", 2)
    assert live.get("a") == 2 and live._cache.get_client() is client


def test_the_site_cache_is_the_fail_open_one_when_redis_url_is_set():
    from django.conf import settings
    from django.core.cache import caches

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the local-memory cache cannot go away")
    assert isinstance(caches["default"], FailOpenRedisCache)
    cache.set("round-trip", "ok")
    assert caches["default"].strict.get("round-trip") == "ok"


def _local_cache(name, **options):
    from config.cache import LocalMemoryCache

    local = LocalMemoryCache(name, {"OPTIONS": options})
    local.clear()
    return local


def test_the_local_memory_caches_get_many_answers_as_get_does():
    local = _local_cache("test-get-many")
    local.set("kept", {"html": "<p>评论</p>"})
    local.set("none", None)
    local.set("expiring", 1, timeout=1)
    wanted = ["kept", "none", "expiring", "missing"]
    assert local.get_many(wanted) == {"kept": {"html": "<p>评论</p>"}, "none": None, "expiring": 1}
    with mock.patch("time.time", return_value=time.time() + 2):
        assert local.get_many(wanted) == {"kept": {"html": "<p>评论</p>"}, "none": None}
        assert local.get("expiring", "gone") == "gone"


def test_keys_read_by_get_many_are_the_last_culled():
    local = _local_cache("test-get-many-lru", MAX_ENTRIES=4, CULL_FREQUENCY=4)  # a full cache drops one
    for key in "abcd":
        local.set(key, key)
    local.get_many(["a"])
    local.set("e", "e")
    assert local.get_many(list("abcde")) == {"a": "a", "c": "c", "d": "d", "e": "e"}


# Process copies ---------------------------------------------------------------------------------


def test_immutable_entries_are_served_from_the_process_copy_even_with_redis_gone(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0)
    live.clear()
    live.set_many_immutable({"fragment:a": "<p>甲</p>"}, 60)
    live.set("fragment:b", "<p>乙</p>")  # stored by another process: no copy here yet
    assert live.get_many_immutable(["fragment:a", "fragment:b", "fragment:c"]) == {
        "fragment:a": "<p>甲</p>",
        "fragment:b": "<p>乙</p>",
    }
    redis_server["stop"]()
    assert live.get_many(["fragment:a", "fragment:b"]) == {}
    assert live.get_many_immutable(["fragment:a", "fragment:b", "fragment:c"]) == {
        "fragment:a": "<p>甲</p>",
        "fragment:b": "<p>乙</p>",
    }


def test_no_copy_is_kept_of_what_redis_did_not_store(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0)
    live.clear()
    redis_server["stop"]()
    live.set_many_immutable({"fragment:lost": "<p>丢</p>"}, 60)
    redis_server["start"]()
    assert live.get_many_immutable(["fragment:lost"]) == {}


def test_copies_stay_within_their_memory_and_clear_goes_with_the_cache(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0, PROCESS_COPIES_MB=0.05)
    live.clear()
    for number in range(100):
        live.set_many_immutable({f"fragment:{number}": "评" * 1000}, 60)
    assert 0 < live.copies.bytes_held <= 0.05 * 1024 * 1024
    redis_server["stop"]()
    kept = live.get_many_immutable([f"fragment:{number}" for number in range(100)])
    assert "fragment:99" in kept and "fragment:0" not in kept  # the least recently used went first
    redis_server["start"]()
    live.clear()
    assert live.copies.bytes_held == 0


def test_copies_last_no_longer_than_the_entry(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0, PROCESS_COPY_SECONDS=30)
    live.clear()
    live.set_many_immutable({"short": 1}, 5)
    live.set_many_immutable({"long": 2}, 3600)
    redis_server["stop"]()
    later = time.monotonic() + 10
    with mock.patch("time.monotonic", return_value=later):
        assert live.get_many_immutable(["short", "long"]) == {"long": 2}
    with mock.patch("time.monotonic", return_value=later + 30):
        assert live.get_many_immutable(["short", "long"]) == {}  # PROCESS_COPY_SECONDS


def test_without_room_for_copies_every_read_goes_to_redis(redis_server):
    live = fail_open(f"redis://127.0.0.1:{redis_server['port']}/0", RETRY_AFTER=0, PROCESS_COPIES_MB=0)
    assert live.copies is None
    live.set_many_immutable({"fragment": "x"}, 60)
    assert live.get_many_immutable(["fragment"]) == {"fragment": "x"}
    redis_server["stop"]()
    assert live.get_many_immutable(["fragment"]) == {}
