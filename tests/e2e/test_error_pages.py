"""The error pages and the health check, as a browser sees them."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_unknown_address_shows_the_404_page_in_the_site_layout(page, live_server, console_errors):
    response = page.goto(live_server.url + "/no/such/page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".error-page__code")).to_have_text("404")
    expect(page.locator(".site-header")).to_be_visible()
    # The stylesheet loaded and applies (centred error text), under the Content-Security-Policy.
    assert page.locator(".error-page").evaluate("el => getComputedStyle(el).textAlign") == "center"
    page.get_by_role("link", name="返回最新文章").click()  # "Back to the latest articles"
    expect(page).to_have_url(live_server.url + "/")
    assert console_errors == []


@pytest.mark.parametrize(
    ("path", "status"),
    [("/bad/", 400), ("/forbidden/", 403), ("/limited/", 429), ("/broken/", 500), ("/database-outage/", 503)],
)
def test_each_error_page_renders_styled_and_without_errors(
    page, live_server, settings, console_errors, path, status
):
    settings.ROOT_URLCONF = "tests.config.urls_errors"
    response = page.goto(live_server.url + path)
    assert response.status == status
    expect(page.locator(".error-page__code")).to_have_text(str(status))
    expect(page.locator("h1")).to_be_visible()
    assert page.locator(".error-page").evaluate("el => getComputedStyle(el).textAlign") == "center"
    assert "Traceback" not in page.content()
    assert console_errors == []
    if status == 429:
        assert int(response.headers["retry-after"]) > 0
    if status == 503:
        assert response.headers["retry-after"] == "30"


def test_healthz_answers_json(page, live_server):
    response = page.goto(live_server.url + "/healthz")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert json.loads(page.locator("body").inner_text()) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }
