"""Every page's frame (templates/base.html, the header, the footer, the language switcher) takes its
addresses and static files from articles/templatetags/site_tags.py, which works each out once:
they must be what {% url %} and {% static %} give, and follow the settings they depend on."""

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
