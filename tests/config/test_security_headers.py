import re

import pytest
from bs4 import BeautifulSoup

from tests.factories import PASSWORD
from tests.subprocess_env import run_django

pytestmark = pytest.mark.django_db

# Pages of each kind: ours, allauth's (restyled) and the admin's (which needs a staff sign-in).
PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/no/such/page/",
    "/admin/",
    "/admin/articles/article/add/",
]


def visit(client, path):
    if path.startswith("/admin/"):
        from tests.factories import UserFactory

        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client.get(path)


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client, path):
    response = visit(client, path)
    assert response.status_code == (404 if path == "/no/such/page/" else 200)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


@pytest.mark.parametrize("path", PAGES)
def test_scripts_run_under_the_policy_no_inline_script_lacks_the_nonce(client, path):
    response = visit(client, path)
    nonces = [src.removeprefix("'nonce-").rstrip("'") for src in csp_directives(response)["script-src"]]
    soup = BeautifulSoup(response.content, "html.parser")
    for script in soup.find_all("script"):
        if script.get("type") == "application/json":
            continue  # data, never executed
        if script.get("src"):
            assert script["src"].startswith("/"), f"{path}: a script from elsewhere: {script['src']}"
        else:
            assert script.get("nonce") in nonces, f"{path}: an inline script without the nonce"
    # Event-handler attributes (onclick=...) never run under this policy.
    handlers = [tag.name for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert handlers == [], f"{path}: inline event handlers on {handlers}"


def test_hsts_is_sent_over_https(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_is_redirected_to_https_unless_a_proxy_does_it(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz?x=1")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/healthz?x=1"


def test_cookies_are_secure_and_the_session_cookie_is_http_only(user):
    from allauth.account.models import EmailAddress
    from django.test import Client

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    response = client.get("/accounts/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_in_development_cookies_work_over_plain_http():
    result = run_django(
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS,"
        " settings.SECURE_SSL_REDIRECT)",
        env={"DJANGO_DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "0", "False"]


def test_the_503_page_sends_the_headers_too(client):
    # The outage page is built outside the normal rendering; the middleware still wraps it.
    from django.test import override_settings

    with override_settings(ROOT_URLCONF="tests.config.urls_errors"):
        response = client.get("/database-outage/")
    assert response.status_code == 503
    assert response["X-Frame-Options"] == "DENY"
    assert re.search(r"default-src 'self'", response["Content-Security-Policy"])
