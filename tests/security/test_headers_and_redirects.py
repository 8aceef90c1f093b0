"""The browser-side protections on every kind of page, cookies, and redirects that must stay on
the site. tests/config/test_security_headers.py checks a few pages in depth; this file walks every
page type the site has (ours, allauth's, the admin's, moderation, errors, feeds) and the `next`
parameters."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from articles.models import Article
from tests.factories import PASSWORD, ArticleFactory, CommentFactory, QuestionFactory, UserFactory
from tests.security.hostile import check_scripts, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}
    article = ArticleFactory(tags=["headers"])
    QuestionFactory(article=article)
    comment = CommentFactory(article=article)
    draft = ArticleFactory(status=Article.Status.DRAFT)
    return {"article": article, "comment": comment, "draft": draft}


def pages(site):
    article, comment = site["article"], site["comment"]
    public = [
        "/",
        article.get_absolute_url(),
        "/tags/headers/",
        article.source.get_absolute_url(),
        "/search/?q=headers",
        f"/u/{comment.author.username}/",
        "/moderation/public-log/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no/such/page/",
        "/feeds/rss/",
        "/sitemap.xml",
        "/healthz",
    ]
    reader = [
        "/u/settings/",
        "/u/settings/profile/",
        "/u/settings/notifications/",
        "/u/settings/delete/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        f"/discussions/comments/{comment.pk}/reply/",
        f"/discussions/comments/{comment.pk}/report/",
        "/moderation/",  # a 403 page
    ]
    staff = [
        "/moderation/",
        "/moderation/log/",
        f"/moderation/comments/{comment.pk}/",
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/accounts/user/",
        "/admin/discussions/comment/",
        f"/articles/{site['draft'].slug}/preview/",
    ]
    return (
        [("anonymous", p) for p in public]
        + [("reader", p) for p in reader]
        + [("superuser", p) for p in staff]
    )


def csp(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_type_sends_the_policy_and_the_headers(site, user, superuser):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    clients = {"anonymous": Client()}
    for role, account in {"reader": user, "superuser": superuser}.items():
        clients[role] = Client()
        clients[role].force_login(account)
    checked = []
    for role, path in pages(site):
        response = clients[role].get(path)
        where = f"{role} {path}"
        assert response.status_code in (200, 403, 404), (where, response.status_code)
        assert response["X-Frame-Options"] == "DENY", where
        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", where
        policy = csp(response)
        assert policy["default-src"] == ["'self'"], where
        assert policy["frame-ancestors"] == ["'none'"], where
        assert policy["object-src"] == ["'none'"], where
        scripts = policy["script-src"]
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
        assert "'unsafe-inline'" not in policy.get("style-src", []), where
        if response["Content-Type"].startswith("text/html"):
            tree = parse(response.content)
            check_scripts(tree, response, where)
            for node in tree.root.traverse(include_text=False):
                handlers = [name for name in node.attributes if name.lower().startswith("on")]
                assert not handlers, f"{where}: inline handler {handlers} on <{node.tag}>"
        checked.append(where)
    assert len(checked) == len(pages(site))


def test_each_response_gets_its_own_nonce(client, site):
    # The article page's data block uses the nonce, so its policy names one.
    path = site["article"].get_absolute_url()
    headers = [client.get(path)["Content-Security-Policy"] for _ in range(3)]
    nonces = {re.search(r"'nonce-([^']+)'", header).group(1) for header in headers}
    assert len(nonces) == 3


def test_cookies_are_secure_when_debug_is_off(client, user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    set_cookies = dict(client.cookies.items())
    assert {"sessionid", "csrftoken", "django_language"} <= set(set_cookies)
    for name in ("sessionid", "csrftoken", "django_language"):
        assert set_cookies[name]["secure"] is True, name
        assert set_cookies[name]["samesite"] == "Lax", name
    assert set_cookies["sessionid"]["httponly"] is True


OFF_SITE = [
    "//evil.example/",
    "https://evil.example/",
    "http://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "/%09/evil.example",
    "\t//evil.example",
    "https://testserver.evil.example/",
    "https://evil.example@testserver/",
    "///evil.example",
]


def _assert_stays(location):
    """Where a browser goes: it drops tabs and newlines and reads backslashes as slashes."""
    browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    target = urlsplit(urljoin("https://testserver/here/", browser))
    assert (target.scheme, target.netloc) == ("https", "testserver"), location


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_never_redirects_off_site(target):
    from allauth.account.models import EmailAddress

    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    page = client.get("/accounts/login/", {"next": target})
    assert page.status_code == 200
    tree = parse(page.content)
    for link in tree.css("a[href], form[action]"):
        value = link.attributes.get("href") or link.attributes.get("action") or ""
        assert "evil.example" not in value.split("?")[0] and not value.lower().startswith(
            ("javascript:", "data:")
        )
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    _assert_stays(response["Location"])


@pytest.mark.parametrize("target", OFF_SITE)
def test_other_next_parameters_stay_on_the_site(client, user, target, site):
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": target})
    _assert_stays(response["Location"])
    # Discussion actions go back to the page they came from, never to another site's page.
    response = client.post(
        f"/discussions/comments/{site['comment'].pk}/vote/",
        headers={"referer": target, "HX-Current-URL": target},
    )
    _assert_stays(response["Location"])
    response = client.post("/accounts/logout/", {"next": target})
    _assert_stays(response["Location"])
