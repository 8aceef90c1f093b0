"""Page versions and cached counts are read once a request (articles.caching): on Redis each read
is a round trip, and the page cache, the counts and the fragments of one page ask for the same
few. A request still reads its own changes; the next request reads everybody's."""

import collections
import contextlib

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from articles import caching
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = ArticleFactory()
    questions = [QuestionFactory(article=article, position=position) for position in (1, 2, 3)]
    for number in range(6):
        root = CommentFactory(article=article, question=questions[number % 3])
        CommentFactory(article=article, parent=root)
    return article


@contextlib.contextmanager
def a_request():
    """The signals a request sends, as the test client sends them: without closing the test's
    database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        yield
    finally:
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def in_a_request():
    with a_request():
        yield


@pytest.fixture
def store_reads(monkeypatch):
    """Every version name read from the version store (Redis or the shared file)."""
    names = []
    inside = []  # get_many_with() may call get_many(): one read
    store = type(caching._store())
    get_many, get_many_with = store.get_many, store.get_many_with

    def reading(self, wanted):
        if not inside:
            names.extend(wanted)
        return get_many(self, wanted)

    def reading_with(self, wanted, key):
        names.extend(wanted)
        inside.append(1)
        try:
            return get_many_with(self, wanted, key)
        finally:
            inside.pop()

    monkeypatch.setattr(store, "get_many", reading)
    monkeypatch.setattr(store, "get_many_with", reading_with)
    return names


@pytest.mark.parametrize("page_cache_seconds", [0, 300])
def test_an_article_page_reads_each_version_once(settings, article, store_reads, page_cache_seconds):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": page_cache_seconds}
    page = Client().get(article.get_absolute_url())
    assert page.status_code == 200 and page.content.decode().count('id="comment-') >= 12
    assert {caching.SITE, caching.ARTICLES, caching.article_key(article.slug)} <= set(store_reads)
    assert [name for name, reads in collections.Counter(store_reads).items() if reads > 1] == []


def test_with_redis_an_uncached_article_page_reads_no_key_twice(settings, article, record_redis_commands):
    from django.core.cache import caches

    from config.cache import FailOpenRedisCache

    if not isinstance(caches["default"], FailOpenRedisCache):
        pytest.skip("needs Redis (REDIS_URL)")
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}
    url = article.get_absolute_url()
    Client().get(url)  # counts and fragments stored
    commands = record_redis_commands()
    page = Client().get(url)
    assert page.status_code == 200 and "X-Page-Cache" not in page
    keys = [key for command, *keys in commands for key in keys]
    assert {command for command, *_ in commands} <= {"GET", "MGET"}
    assert [key for key, reads in collections.Counter(keys).items() if reads > 1] == []
    # The versions in one MGET; the discussion's state and its count of top-level comments.
    assert len(commands) <= 3


def test_a_request_reads_its_own_bumps(article, in_a_request):
    slug_key = caching.article_key(article.slug)
    before = caching.versions([slug_key])
    caching.bump_article(article.slug)
    after = caching.versions([slug_key])
    assert after[-1] != before[-1] and after[:-1] == before[:-1]
    caching.invalidate_all()
    assert caching.versions([slug_key])[0] != after[0]


def test_a_bump_by_another_process_is_read_by_the_next_request(article):
    slug_key = caching.article_key(article.slug)
    with a_request():
        before = caching.versions([slug_key])
        caching._store().bump(slug_key)  # as another process or server would: this one sees no call
        assert caching.versions([slug_key]) == before
    with a_request():
        assert caching.versions([slug_key]) != before


def test_outside_a_request_every_read_goes_to_the_store(article):
    """Management commands and the task worker run no request: nothing is remembered for them."""
    slug_key = caching.article_key(article.slug)
    before = caching.versions([slug_key])
    caching._store().bump(slug_key)
    assert caching.versions([slug_key]) != before


def test_a_count_remembered_in_a_request_is_counted_again_after_its_own_change(article, in_a_request):
    computed = []

    def count():
        computed.append(1)
        return len(computed)

    def counted():
        depends_on = [caching.article_key(article.slug)]
        return caching.count_of("test-count", None, depends_on=depends_on, compute=count)

    assert counted() == counted() == 1
    caching.bump_article(article.slug)
    assert counted() == 2
