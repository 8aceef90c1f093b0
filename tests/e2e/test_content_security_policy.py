"""The Content-Security-Policy blocks nothing the site itself needs: no refusals in the console,
and the admin's and allauth's scripts really run."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_load_without_console_errors(page, live_server, console_errors, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert "content-security-policy" in response.headers
    assert console_errors == []


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/articles/article/", "/admin/articles/article/add/", "/admin/accounts/user/"]
)
def test_admin_pages_load_without_console_errors(page, live_server, sign_in, superuser, console_errors, path):
    sign_in(superuser)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert console_errors == []


def test_the_admin_scripts_run_under_the_policy(page, url, sign_in, superuser, console_errors):
    sign_in(superuser)
    page.goto(url("admin:articles_source_add"))
    # prepopulate.js fills the slug from the name as the editor types.
    page.locator("#id_name").press_sequentially("Signal Weekly")
    expect(page.locator("#id_slug")).to_have_value("signal-weekly")
    assert console_errors == []


def test_a_refused_inline_script_is_caught(page, live_server, console_errors):
    # The check above would notice: an inline script without the nonce is refused and reported.
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.ran = 1";
        document.body.append(script);
    }""")
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in error for error in console_errors), console_errors
