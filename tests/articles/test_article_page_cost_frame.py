"""Every page's frame (templates/base.html, the header, the footer, the language switcher) takes its
addresses and static files from articles/templatetags/site_tags.py, which works each out once:
they must be what {% url %} and {% static %} give, and follow the settings they depend on."""

from urllib.parse import quote

import pytest
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix

from tests.articles.conftest import soup
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}


def _frame(response):
    page = soup(response)
    return {
        "stylesheet": page.find("link", rel="stylesheet")["href"],
        "icon": page.find("link", rel="icon")["href"],
        "scripts": [script["src"] for script in page.find_all("script", src=True)],
        "home": page.select_one(".site-name")["href"],
        "nav": [link["href"] for link in page.select(".site-nav a")],
        "account": [link["href"] for link in page.select(".site-account a")],
        "forms": [form["action"] for form in page.select(".site-account form")],
        "footer": [link["href"] for link in page.select(".site-footer a")],
    }


def test_the_frame_links_where_url_and_static_do(client):
    article = ArticleFactory()
    frame = _frame(client.get(article.get_absolute_url()))
    assert frame["stylesheet"] == static("css/site.css")
    assert frame["icon"] == static("img/favicon.svg")
    assert frame["scripts"] == [static("js/htmx.min.js"), static("js/site.js")]
    assert frame["home"] == reverse("articles:home")
    assert frame["nav"] == [reverse("articles:home"), reverse("articles:search")]
    login, signup = frame["account"]
    assert login.startswith(reverse("account_login") + "?next=") and signup == reverse("account_signup")
    assert frame["forms"] == [reverse("set_language")]
    assert frame["footer"] == [reverse("articles:feed_rss"), reverse("discussions:public_log")]


def test_signed_in_staff_get_their_links(client, superuser):
    client.force_login(superuser)
    frame = _frame(client.get("/"))
    assert frame["nav"] == [
        reverse("articles:home"),
        reverse("articles:search"),
        reverse("discussions:moderation_queue"),
        reverse("admin:index"),
    ]
    assert frame["account"] == [superuser.get_absolute_url(), reverse("accounts:settings")]
    assert frame["forms"] == [reverse("account_logout"), reverse("set_language")]


def test_a_new_static_address_shows_at_once(client, settings):
    client.get("/")  # remembered under the first storage
    settings.STATIC_URL = "/assets/"
    frame = _frame(client.get("/"))
    assert frame["stylesheet"] == "/assets/css/site.css"
    assert frame["scripts"] == ["/assets/js/htmx.min.js", "/assets/js/site.js"]


@pytest.fixture
def script_prefix_restored():
    yield
    set_script_prefix("/")


def test_the_frame_follows_the_script_prefix(client, script_prefix_restored):
    client.get("/")  # remembered under the prefix "/"
    set_script_prefix("/qingtan/")  # as the WSGI handler does for a site mounted there
    frame = _frame(client.get("/"))
    assert frame["home"] == "/qingtan/"
    assert frame["forms"] == ["/qingtan/i18n/setlang/"]
    assert frame["footer"][0].startswith("/qingtan/")


# Parts of the frame rendered once ({% frame %}) -----------------------------------------------


def _account(response):
    return [
        link.get_text(strip=True) for link in soup(response).select(".site-account > a, .site-account button")
    ]


def test_a_reader_signed_in_after_anonymous_ones_gets_their_own_header(client, user):
    article = ArticleFactory()
    url = article.get_absolute_url()
    assert _account(client.get(url, headers={"accept-language": "en"}))[:2] == ["Sign in", "Sign up"]
    client.force_login(user)
    account = _account(client.get(url, headers={"accept-language": "en"}))
    assert account[:3] == [user.public_name, "Settings", "Sign out"]
    client.logout()
    assert _account(client.get(url, headers={"accept-language": "en"}))[:2] == ["Sign in", "Sign up"]


def test_staff_after_anonymous_readers_get_the_admin_and_moderation_links(client, moderator):
    client.get("/")
    client.force_login(moderator)
    nav = [link.get_text(strip=True) for link in soup(client.get("/")).select(".site-nav a")]
    assert nav == ["Latest", "Search", "Moderation", "Admin"]


def test_each_language_gets_its_own_frame(client):
    def frame(language):
        page = soup(client.get("/", headers={"accept-language": language}))
        return (
            page.select_one(".site-nav a").get_text(),
            page.select_one(".skip-link").get_text(),
            page.title.get_text(),
            [button["value"] for button in page.select(".language-switcher button")],
            page.select_one(".site-footer p").get_text(strip=True),
        )

    english, chinese = frame("en"), frame("zh-hans")
    assert english[0] == "Latest" and english[1] == "Skip to content" and english[3] == ["zh-hans"]
    assert chinese[3] == ["en"]
    assert all(mine != theirs for mine, theirs in zip(english, chinese, strict=True))
    assert frame("en") == english and frame("zh-hans") == chinese


def test_the_languages_on_offer_change_the_switcher(client, settings):
    assert [b["value"] for b in soup(client.get("/")).select(".language-switcher button")] == ["zh-hans"]
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ja", "日本語")]
    buttons = [b["value"] for b in soup(client.get("/")).select(".language-switcher button")]
    assert buttons == ["zh-hans", "ja"]


def test_the_sign_in_link_and_the_switcher_return_to_each_page_of_its_own(client):
    first, second = ArticleFactory(), ArticleFactory()
    for article in (first, second, first):
        page = soup(client.get(article.get_absolute_url() + "?sort=newest&page=1"))
        sign_in = page.select_one(".site-account > a")["href"]
        assert sign_in.endswith("?next=" + quote(article.get_absolute_url() + "?sort=newest&page=1"))
        assert page.select_one(".language-switcher input[name=next]")["value"] == (
            article.get_absolute_url() + "?sort=newest&page=1"
        )
