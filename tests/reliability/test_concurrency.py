"""16 signed-in readers post 50 comments each at the same time over HTTP, then vote on one
comment together: every comment is stored exactly once, no request fails, the score equals the
votes.

On PostgreSQL the readers talk to pytest-django's live server (threads, one connection each). On
SQLite they talk to gunicorn (2 worker processes x 8 threads) serving a copy of the test database
in a file, so the WAL journal and IMMEDIATE transactions of config/settings.py are what keeps the
writers in line: the test database itself is in memory with a shared cache, whose writers fail
with "table is locked" instead of waiting, which no deployment uses.
"""

import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test import Client

from discussions.models import Comment, Vote
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.subprocess_env import PROJECT, SETTINGS_VARIABLES

READERS = 16
COMMENTS_EACH = 50
OPEN_RULES = {
    "HOLD_FIRST_COMMENTS": 0,
    "HOLD_LINKS_OVER": 1000,
    "COMMENT_RATE": "off",
    "VOTE_RATE": "off",
    "FLAG_RATE": "off",
}

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _sessions(users):
    """A session cookie per reader, as a browser that signed in would hold."""
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def _hammer(base_url, article_id, sessions, target_comment_id):
    """Each reader posts its comments, then votes, unvotes and votes again on one comment."""

    def reader(index):
        token = secrets.token_hex(16)
        http = requests.Session()
        http.cookies.set("sessionid", sessions[index])
        http.cookies.set("csrftoken", token)
        http.headers.update({"X-CSRFToken": token, "Referer": base_url + "/"})
        statuses = []
        for number in range(COMMENTS_EACH):
            response = http.post(
                f"{base_url}/discussions/articles/{article_id}/comments/",
                data={"body": f"reader {index} comment {number}"},
                allow_redirects=False,
                timeout=60,
            )
            statuses.append(response.status_code)
        for _ in range(3):
            response = http.post(
                f"{base_url}/discussions/comments/{target_comment_id}/vote/",
                allow_redirects=False,
                timeout=60,
            )
            statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        results = list(pool.map(reader, range(READERS)))
    return [status for statuses in results for status in statuses]


def _world():
    article = ArticleFactory()
    readers = UserFactory.create_batch(READERS)
    target = CommentFactory(article=article)
    return article, readers, target


def _assert_all_stored(statuses, bodies):
    assert len(statuses) == READERS * (COMMENTS_EACH + 3)
    assert set(statuses) == {302}, sorted(set(statuses))
    expected = {f"reader {i} comment {n}" for i in range(READERS) for n in range(COMMENTS_EACH)}
    assert len(bodies) == READERS * COMMENTS_EACH == 800
    assert set(bodies) == expected  # each exactly once: same size, no duplicates


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQLite run uses gunicorn (below)")
def test_concurrent_readers_on_postgresql(live_server, settings):
    settings.QINGTAN = {**settings.QINGTAN, **OPEN_RULES}
    article, readers, target = _world()
    statuses = _hammer(live_server.url, article.pk, _sessions(readers), target.pk)
    bodies = list(
        Comment.objects.filter(article=article).exclude(pk=target.pk).values_list("body", flat=True)
    )
    _assert_all_stored(statuses, bodies)
    target.refresh_from_db()
    assert target.score == Vote.objects.filter(comment=target).count() == READERS


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_on_a_copy(tmp_path):
    """gunicorn serving a file copy of the (in-memory) test database; yields (url, database path)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists() and not shutil.which("gunicorn"):
        pytest.skip("gunicorn is not installed")
    database = tmp_path / "concurrency.sqlite3"
    servers = []

    def start():
        with sqlite3.connect(database) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        env.update(
            DJANGO_DEBUG="true",  # plain static storage: no collectstatic needed for error pages
            DJANGO_SECRET_KEY=os.environ["DJANGO_SECRET_KEY"],
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"sqlite:///{database}",
            **{f"QINGTAN_{name}": str(value) for name, value in OPEN_RULES.items()},
            QINGTAN_PAGE_CACHE_SECONDS="0",
        )
        log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server
        process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "-w",
                "2",
                "--threads",
                "8",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append((process, log))
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    return url, database
            except requests.RequestException:
                pass
            if process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text())

    yield start
    for process, log in servers:
        process.terminate()
        process.wait(20)
        log.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL run uses the live server (above)")
def test_concurrent_readers_on_sqlite_in_wal_mode(gunicorn_on_a_copy):
    article, readers, target = _world()
    sessions = _sessions(readers)
    url, database = gunicorn_on_a_copy()
    started = time.monotonic()
    statuses = _hammer(url, article.pk, sessions, target.pk)
    elapsed = time.monotonic() - started
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        bodies = [
            row[0]
            for row in db.execute(
                "SELECT body FROM discussions_comment WHERE article_id = ? AND id != ?",
                (article.pk, target.pk),
            )
        ]
        score = db.execute("SELECT score FROM discussions_comment WHERE id = ?", (target.pk,)).fetchone()[0]
        votes = db.execute(
            "SELECT count(*) FROM discussions_vote WHERE comment_id = ?", (target.pk,)
        ).fetchone()[0]
    _assert_all_stored(statuses, bodies)
    assert score == votes == READERS
    assert elapsed < 300
