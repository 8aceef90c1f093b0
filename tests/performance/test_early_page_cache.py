"""EarlyPageCacheMiddleware (articles/caching.py): readers without a session get page-cache hits
before the session, locale and authentication middleware run, with the same headers, their own
CSRF token and a fresh nonce. Every invalidation test in test_page_cache.py goes through this
path too: its anonymous client carries no session cookie."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client

from tests.factories import ArticleFactory, CommentFactory
from tests.performance.conftest import soup

pytestmark = pytest.mark.django_db

# Headers whose values differ per response by design.
_PER_RESPONSE = {"set-cookie", "content-security-policy", "x-page-cache", "content-length"}


@pytest.fixture
def stack_runs(monkeypatch):
    """How many requests went past the early middleware into the rest of the stack."""
    calls = []
    original = SessionMiddleware.process_request

    def counting(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counting)
    return calls


@pytest.fixture
def article():
    article = ArticleFactory(tags=["开源"])
    CommentFactory(article=article, body="缓存里的评论")
    return article


def test_a_reader_without_a_session_gets_the_hit_before_the_rest_of_the_stack(
    stack_runs, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    miss = Client().get(url)
    assert miss["X-Page-Cache"] == "miss" and len(stack_runs) == 1
    with django_assert_num_queries(0):
        hit = Client().get(url)
    assert hit.status_code == 200 and hit["X-Page-Cache"] == "hit"
    assert len(stack_runs) == 1  # answered without the session middleware
    assert "缓存里的评论" in hit.content.decode()
    assert {name: value for name, value in hit.items() if name.lower() not in _PER_RESPONSE} == {
        name: value for name, value in miss.items() if name.lower() not in _PER_RESPONSE
    }
    assert int(hit["Content-Length"]) == len(hit.content)
    assert "Cookie" in hit["Vary"] and "Accept-Language" in hit["Vary"]
    assert hit["Content-Language"] == miss["Content-Language"]
    nonce = soup(hit).select_one('script[type="application/ld+json"]')["nonce"]
    assert hit["Content-Security-Policy"] == miss["Content-Security-Policy"].replace(
        soup(miss).select_one('script[type="application/ld+json"]')["nonce"], nonce
    )
    assert not hit.cookies


def test_with_redis_a_hit_is_one_round_trip(article, record_redis_commands):
    """The page and the versions it was stored under are read with one MGET."""
    from django.core.cache import caches

    from config.cache import FailOpenRedisCache

    if not isinstance(caches["default"], FailOpenRedisCache):
        pytest.skip("needs Redis (REDIS_URL)")
    url = article.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    commands = record_redis_commands()
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit" and "缓存里的评论" in hit.content.decode()
    assert [command for command, *_ in commands] == ["MGET"]


def _shared_cache_with_copies():
    from django.core.cache import caches

    from config.cache import FailOpenRedisCache

    backend = caches["default"]
    if not isinstance(backend, FailOpenRedisCache) or backend.copies is None:
        pytest.skip("needs Redis (REDIS_URL)")
    return backend


def test_with_redis_a_hit_of_a_page_the_process_has_reads_only_the_versions(article, record_redis_commands):
    """The page's bytes are not read through the Redis client again: the process's copy is
    served once Redis says the versions it was stored under are still the current ones."""
    backend = _shared_cache_with_copies()
    url = article.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    reads = record_redis_commands()
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit" and "缓存里的评论" in hit.content.decode()
    assert [command for command, *_ in reads] == ["MGET"]
    version_prefix = backend.make_key("pv:")
    assert all(str(key).startswith(version_prefix) for key in reads[0][1:])


def test_a_page_the_process_has_is_not_served_after_another_server_changed_it(article, settings):
    import redis

    from articles.caching import article_key
    from discussions.models import Comment

    backend = _shared_cache_with_copies()
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    # Another server edits the comment and bumps the page's version; this process sees neither
    # the save nor the bump, only the version in Redis.
    edited = "另一台服务器改过"
    Comment.objects.filter(article=article).update(body=edited, body_html=f"<p>{edited}</p>")
    redis.Redis.from_url(settings.REDIS_URL).incr(backend.make_key("pv:" + article_key(article.slug)))
    page = Client().get(url)
    assert page["X-Page-Cache"] == "miss"
    assert edited in page.content.decode() and "缓存里的评论" not in page.content.decode()


def test_the_hit_is_the_same_for_every_reader_but_its_nonce_and_sets_no_cookie(article):
    url = article.get_absolute_url()
    Client().get(url)
    first, second = Client().get(url), Client().get(url)
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "hit"
    assert not first.cookies and not second.cookies
    nonces = [
        soup(page).select_one('script[type="application/ld+json"]')["nonce"] for page in (first, second)
    ]
    assert nonces[0] != nonces[1]
    assert first.content.replace(nonces[0].encode(), b"") == second.content.replace(nonces[1].encode(), b"")


@pytest.mark.urls("tests.performance.test_page_cache")
def test_a_hit_of_a_page_with_a_csrf_token_sets_the_readers_cookie_as_the_stack_would(stack_runs):
    Client().get("/token-page/")
    runs = len(stack_runs)
    reader = Client(enforce_csrf_checks=True)
    first = reader.get("/token-page/")
    assert first["X-Page-Cache"] == "hit" and len(stack_runs) == runs
    secret = first.cookies["csrftoken"].value
    second = reader.get("/token-page/")
    assert second.cookies["csrftoken"].value == secret  # the same secret, renewed
    assert "Cookie" in second["Vary"]
    tokens = [soup(page).select_one("input[name=csrfmiddlewaretoken]")["value"] for page in (first, second)]
    assert tokens[0] != tokens[1] and all(len(token) == 64 for token in tokens)


def test_the_language_cookie_and_accept_language_choose_the_cached_language(stack_runs, article):
    Client().get("/", headers={"Accept-Language": "en"})
    Client().get("/", headers={"Accept-Language": "zh-hans"})
    runs = len(stack_runs)
    english = Client().get("/", headers={"Accept-Language": "zh-hans"}, HTTP_COOKIE="django_language=en")
    chinese = Client().get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert english["X-Page-Cache"] == chinese["X-Page-Cache"] == "hit"
    assert len(stack_runs) == runs
    assert soup(english).html["lang"] == "en" and english["Content-Language"] == "en"
    assert soup(chinese).html["lang"] == "zh-hans" and chinese["Content-Language"] == "zh-hans"


def test_a_reader_with_a_session_goes_through_the_stack_and_still_gets_the_cached_page(
    stack_runs, client, user, article
):
    url = article.get_absolute_url()
    Client().get(url)
    runs = len(stack_runs)
    client.force_login(user)
    client.logout()  # anonymous again, but with a session cookie
    client.cookies["sessionid"] = "a-session-that-does-not-exist"
    page = client.get(url)
    assert page["X-Page-Cache"] == "hit"  # anonymous_page() answered it, after the stack
    assert len(stack_runs) == runs + 1


def test_a_signed_in_reader_never_gets_the_anonymous_page(client, user, article):
    CommentFactory(article=article, author=user, status="pending", body="等待审核的评论")
    url = article.get_absolute_url()
    Client().get(url)
    Client().get(url)
    client.force_login(user)
    page = client.get(url)
    assert "X-Page-Cache" not in page
    assert "等待审核的评论" in page.content.decode()


def test_head_requests_and_bad_hosts(article):
    url = article.get_absolute_url()
    Client().get(url)
    head = Client().head(url)
    assert head.status_code == 200 and head["X-Page-Cache"] == "hit"
    assert Client(HTTP_HOST="evil.example").get(url).status_code == 400


def test_unknown_pages_and_post_requests_go_through_the_stack(stack_runs, article):
    assert Client().get("/no-such-page/").status_code == 404
    assert Client().post(article.get_absolute_url()).status_code in {403, 405}
    assert len(stack_runs) == 2
