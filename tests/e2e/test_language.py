"""Journey 5: a reader switches the interface language, and the choice follows them around."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def switch_to(page, language_name):
    page.locator(".site-header .language-switcher").get_by_role("button", name=language_name).click()


def test_switching_the_language_changes_the_interface_and_sticks(page, url, console_errors):
    # The browser asks for Chinese (zh-CN), so the first visit is in Chinese.
    page.goto(url("account_login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.get_by_label("密码")).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="最新")).to_be_visible()

    switch_to(page, "English")

    # Back on the same page, now in English.
    expect(page).to_have_url(url("account_login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    expect(page.get_by_label("Password")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Latest")).to_be_visible()
    switcher = page.locator(".site-header .language-switcher")
    expect(switcher.get_by_role("button", name="简体中文")).to_be_visible()
    expect(switcher.get_by_role("button", name="English")).to_have_count(0)

    # The choice sticks across pages and visits, whatever the browser asks for.
    page.goto(url("articles:home"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(url("account_signup"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["django_language"] == "en"

    switch_to(page, "简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    assert console_errors == []


def test_the_language_switcher_works_without_javascript(new_context, url):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(url("articles:home"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    switch_to(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(url("articles:home"))
