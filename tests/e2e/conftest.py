"""Browser tests: Playwright driving Debian's headless Chromium against pytest-django's live server.

Without /usr/bin/chromium the tests skip with one reason line, unless QINGTAN_REQUIRE_BROWSER=1
(set by .ci/run): then a missing browser fails them. When a test fails, a screenshot and the HTML
of each open page are saved under test-artifacts/ (or $QINGTAN_TEST_ARTIFACTS).

Fixtures for journeys:
- `page` (pytest-playwright) in a Chinese-speaking reader's browser, pointed at the live server:
  `page.goto(live_server.url + "/")` or `page.goto(url("articles:home"))`.
- `url("name", *args)`: the live server's absolute URL of a named route.
- `sign_in(user, context=None)`: signs the browser context in as `user` through a session cookie,
  without the sign-in form (use the form only in the journey that is about signing in).
- `console_errors`: JavaScript errors and CSP violations the page reported; assert it is empty.
- `assert_accessible(page)`: axe-core finds no serious or critical violation (tests/e2e/axe.py).
- `new_context(**options)`: a further browser (another reader, JavaScript disabled, a phone).
- `no_server_errors` (with pytest.mark.usefixtures): fails the test on any 500, with its traceback.
- pytest-django's `mailoutbox`: the live server runs in the test's process, so its mail lands there.
Mark each module `pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the live
server sees only committed rows, and the serialized rollback brings back the migrations' rows
(groups and permissions) that each transactional test empties out.
"""

import os
import re
from pathlib import Path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("QINGTAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Every browser is a reader in China unless a test says otherwise: new_context(locale="en-US").
CONTEXT_DEFAULTS = {
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "viewport": {"width": 1280, "height": 900},
}
ARTIFACTS = Path(os.environ.get("QINGTAN_TEST_ARTIFACTS") or PROJECT / "test-artifacts")


def pytest_itemcollected(item):
    # Early enough for `-m e2e` / `-m "not e2e"` to select on it.
    item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests go last. Being transactional, they empty the database when they finish
    # (rows made by data migrations too), and pytest's grouping by browser would otherwise
    # move them between tests that need those rows.
    browser = [item for item in items if item.get_closest_marker("e2e")]
    others = [item for item in items if not item.get_closest_marker("e2e")]
    items[:] = others + browser


NO_CHROMIUM = f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)"


@pytest.fixture(scope="session", autouse=True)
def _chromium_is_installed():
    if CHROMIUM.exists():
        return
    message = NO_CHROMIUM
    if os.environ.get("QINGTAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}; QINGTAN_REQUIRE_BROWSER=1 forbids skipping the browser tests", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _one_set_of_database_connections(_chromium_is_installed, django_db_setup, request):
    """Playwright's sync API keeps an event loop running in this thread, and from then on Django
    keeps database connections per async context: the browser tests would get new connection
    objects, without the serialized test database that `serialized_rollback` restores (they
    would start from an empty database after any other transactional test). So Playwright is
    started here and handed the connections the rest of the suite uses."""
    from django.db import connections

    suite_connections = {alias: connections[alias] for alias in connections}
    request.getfixturevalue("playwright")
    for alias, connection in suite_connections.items():
        connections[alias] = connection


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts_folder():
    # Only what this run saved stays, so CI's artifacts are this run's failures.
    for stale in ARTIFACTS.glob("*") if ARTIFACTS.is_dir() else []:
        if stale.is_file() and stale.suffix in {".png", ".html", ".txt"}:
            stale.unlink()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(NO_CHROMIUM):
        # One place for every such skip, so `-ra` sums them up on a single line.
        report.longrepr = (__file__, None, report.longrepr[2])
    if report.when == "call":
        item.qingtan_call_failed = report.failed
    if report.when == "teardown" and getattr(item, "qingtan_artifacts", None):
        report.sections.append(("browser artifacts", "\n".join(str(p) for p in item.qingtan_artifacts)))
    return report


def _save_artifacts(node, contexts):
    name = re.sub(r"[^\w.-]+", "-", node.nodeid.split("tests/e2e/")[-1]).strip("-")[:150]
    saved = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        stem = ARTIFACTS / (name if len(pages) == 1 else f"{name}-{number}")
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            Path(f"{stem}.txt").write_text(f"{page.url}\ncould not save the page: {exc}\n", encoding="utf-8")
        saved.extend(p for p in (Path(f"{stem}.png"), Path(f"{stem}.html")) if p.exists())
    node.qingtan_artifacts = saved


@pytest.fixture
def new_context(new_context, request):
    """pytest-playwright's factory, keeping what the pages showed when the test failed."""
    contexts = []

    def create(**kwargs):
        context = new_context(**{**CONTEXT_DEFAULTS, **kwargs})
        # A missing element fails in 15 s rather than 30; a shared 2-core CI box needs that much.
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield create
    if getattr(request.node, "qingtan_call_failed", False):
        _save_artifacts(request.node, contexts)


@pytest.fixture
def url(live_server):
    def url(name, *args, **kwargs):
        return live_server.url + reverse(name, args=args, kwargs=kwargs)

    return url


@pytest.fixture
def sign_in(live_server, request):
    """Sign a browser context (the `page`'s by default) in as a user: a force_login session cookie."""

    def sign_in(user, context=None):
        context = context or request.getfixturevalue("context")
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return user

    return sign_in


@pytest.fixture
def console_errors(page):
    """Errors the page logged: uncaught exceptions, failed loads and Content-Security-Policy refusals."""
    errors = []

    def on_console(message):
        # An error page's own status (404, 503...) is logged too; that one is what the test expects.
        if message.type != "error" or (
            message.text.startswith("Failed to load resource") and message.location.get("url") == page.url
        ):
            return
        errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def assert_accessible():
    from tests.e2e.axe import assert_accessible

    return assert_accessible


@pytest.fixture
def no_server_errors(caplog):
    """Fails the test when the live server answered any request with a 500, with its traceback:
    a journey may otherwise only notice a missing element. Use: pytest.mark.usefixtures."""
    import logging

    yield
    errors = [
        record
        for record in caplog.get_records("call")
        if record.name == "django.request" and record.levelno >= logging.ERROR
    ]
    formatter = logging.Formatter("%(message)s")
    assert not errors, "the server failed:\n" + "\n".join(formatter.format(record) for record in errors)
