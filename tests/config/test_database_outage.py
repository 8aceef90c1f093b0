import json

import pytest
from django.db import InterfaceError

from tests.subprocess_env import run_django

PRODUCTION = {
    "DJANGO_SECRET_KEY": "s" * 60,
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
}

# Asks a few pages of a site whose database is down, as a visitor would, and prints what came back.
VISIT = """
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a-session-that-needs-the-database"
pages = {}
for path in ["/", "/accounts/login/", "/healthz"]:
    r = client.get(path, headers={"accept-language": "en"})
    pages[path] = {"status": r.status_code, "retry_after": r.get("Retry-After"),
                   "type": r["Content-Type"], "body": r.content.decode()}
print(json.dumps(pages))
"""


def visit_with_database(url):
    result = run_django(VISIT, env={**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def assert_friendly_503(page):
    assert page["status"] == 503
    assert page["retry_after"] == "30"
    assert page["type"].startswith("text/html")
    html = page["body"]
    assert '<html lang="en">' in html
    assert "Temporarily unavailable" in html
    assert 'class="site-header"' in html
    assert "Traceback" not in html
    assert "OperationalError" not in html


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgres://nobody:nothing@127.0.0.1:1/none", id="postgresql-refused"),
        pytest.param("sqlite:////nonexistent-folder/qingtan.sqlite3", id="sqlite-unopenable"),
    ],
)
def test_pages_answer_a_friendly_503_when_the_database_is_down(url):
    pages, log = visit_with_database(url)
    assert_friendly_503(pages["/"])
    assert_friendly_503(pages["/accounts/login/"])
    assert pages["/healthz"]["status"] == 503
    assert json.loads(pages["/healthz"]["body"])["failing"] == ["database"]
    # The outage is logged for the operators, with its cause.
    assert "Database unavailable" in log or "Service Unavailable" in log


# In-process: the outage raised at each place a request can meet the database.


class FailingMiddleware:
    """Stands in for the session or user lookup failing before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/middleware-outage/":
            raise InterfaceError("connection already closed")
        return self.get_response(request)


@pytest.mark.urls("tests.config.urls_errors")
def test_an_outage_inside_a_view_answers_503_and_is_logged(client, caplog):
    response = client.get("/database-outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-cache" in response["Cache-Control"]
    assert "503" in response.content.decode()
    assert any("Database unavailable: GET /database-outage/" in r.getMessage() for r in caplog.records)


@pytest.mark.urls("tests.config.urls_errors")
def test_an_outage_in_middleware_answers_503_too(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.config.test_database_outage.FailingMiddleware"]
    client.raise_request_exception = False
    response = client.get("/middleware-outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "connection already closed" not in response.content.decode()


@pytest.mark.urls("tests.config.urls_errors")
def test_other_errors_stay_500(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response
