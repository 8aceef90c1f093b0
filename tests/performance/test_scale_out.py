"""Two app servers over one PostgreSQL and one Redis behave as one site.

Starts two gunicorn instances with production settings on different loopback ports, both on
this test's database (the live tables of pytest-django's test database, hence
transaction=True) and this test's Redis, and checks what must hold across machines: a comment
posted through one is on the other's cached article page at once; a sign-in through one is a
sign-in on the other; the comment rate limit counted on one holds on the other; a moderator
hiding a comment through one hides it on the other's cached page.

Runs only with DATABASE_URL on PostgreSQL and REDIS_URL set (CI's second run): SQLite and the
local-memory cache are one machine's by design (docs/deploy.md).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from discussions.models import Comment
from tests.factories import PASSWORD, ArticleFactory, CommentFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not REDIS_URL,
        reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): several machines share nothing else",
    ),
    # serialized_rollback: the migrations' rows (groups, content types) are there during the test
    # and back for the transactional tests after it, instead of being re-created by the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn instance; requests with their own cookie jar per Browser."""

    def __init__(self, port, process):
        self.port = port
        self.process = process


class Browser:
    """Cookies and CSRF token of one visitor, across both servers (one site, one domain)."""

    def __init__(self):
        self.cookies = {"csrftoken": secrets.token_hex(16)}

    def request(self, server, method, path, data=None):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, quote(path, safe="/?=&%"), body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        connection.close()
        return response.status, dict(response.headers), content

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, data):
        return self.request(server, "POST", path, data)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Production settings serve collected, hashed static files: collect them once."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_STATIC_ROOT": str(root)}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root


@pytest.fixture
def servers(static_root, tmp_path):
    database = settings.DATABASES["default"]
    database_url = (
        f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'])}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("QINGTAN_")},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # sessions signed here are valid there
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_LANGUAGE_CODE": "en",
        "QINGTAN_COMMENT_RATE": "3/d",  # a fixed window: a day, so no window ends mid-test
        "QINGTAN_HOLD_FIRST_COMMENTS": "0",
        "DJANGO_ACCOUNT_EMAIL_VERIFICATION": "none",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    started = []
    for name in ("one", "two"):
        port = _free_port()
        log = open(tmp_path / f"gunicorn-{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--workers",
                "1",
                "--threads",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        started.append((Server(port, process), log))
    try:
        for server, _ in started:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if Browser().get(server, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert server.process.poll() is None, tmp_path / "gunicorn-*.log"
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
                time.sleep(0.2)
        yield [server for server, _ in started]
    finally:
        for server, log in started:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
            log.close()


def _sign_in(browser, server, user):
    # The servers run the production hashers, not the tests' fast one; few iterations keep it quick
    # (the server re-hashes with its own count on sign-in).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scaleoutsalt", iterations=1000)
    user.save(update_fields=["password"])
    status, _, _ = browser.post(server, "/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert status == 302, "sign-in failed"


def test_two_servers_share_pages_sessions_rate_limits_and_moderation(servers, moderator):
    one, two = servers
    article = ArticleFactory(title="Shared across servers")
    url = article.get_absolute_url()
    reader = Browser()
    assert reader.get(two, url)[0] == 200
    status, headers, _ = reader.get(two, url)
    assert headers.get("X-Page-Cache") == "hit"

    # A sign-in through one server is a sign-in on the other.
    author = UserFactory(display_name="Writer on one")
    CommentFactory(article=article, author=author, body="An earlier comment")
    writer = Browser()
    _sign_in(writer, one, author)
    status, _, page = writer.get(two, "/u/settings/")
    assert status == 200 and "Writer on one" in page

    # A comment posted through one is on the other's cached page at once.
    status, _, _ = writer.post(
        one, f"/discussions/articles/{article.pk}/comments/", {"body": "Posted through one"}
    )
    assert status == 302
    status, headers, page = reader.get(two, url)
    assert "Posted through one" in page and headers.get("X-Page-Cache") == "miss"

    # The rate limit (3 a day here) counts the attempts made on both servers.
    for body, server in (("Second, on two", two), ("Third, on one", one)):
        assert writer.post(server, f"/discussions/articles/{article.pk}/comments/", {"body": body})[0] == 302
    status, _, _ = writer.post(two, f"/discussions/articles/{article.pk}/comments/", {"body": "Fourth"})
    assert status == 429
    assert not Comment.objects.filter(body="Fourth").exists()

    # A moderator hiding a comment through one hides it from the other's cached page.
    assert "Third, on one" in reader.get(two, url)[2]
    assert reader.get(two, url)[1].get("X-Page-Cache") == "hit"
    staff = Browser()
    moderator.emailaddress_set.create(email=moderator.email, verified=True, primary=True)
    _sign_in(staff, one, moderator)
    hidden = Comment.objects.get(body="Third, on one")
    status, _, _ = staff.post(one, f"/moderation/comments/{hidden.pk}/moderate/", {"action": "hide"})
    assert status == 302
    status, headers, page = reader.get(two, url)
    assert "Third, on one" not in page and "Posted through one" in page
    assert not re.search(r"Third, on one", reader.get(one, url)[2])
