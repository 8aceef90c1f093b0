"""Queries matching more articles than the rank limit: listed newest first, unranked, counted up
to the limit (settings.SEARCH_RANK_LIMIT, lowered here so a handful of articles is "many")."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from tests.articles.conftest import soup
from tests.articles.test_search import URL, found, make
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(days):
    return NOW - timezone.timedelta(days=days)


@pytest.fixture
def rank_limit(settings):
    settings.SEARCH_RANK_LIMIT = 3
    return 3


def count_text(response):
    return " ".join(soup(response).select_one(".search-results__count").get_text().split())


def test_more_matches_than_the_limit_come_newest_first_instead_of_best_first(rank_limit):
    make("量子计算的未来", publish_at=ago(30))  # the best match, and the oldest
    for day in (1, 2, 3, 4):
        make(f"第{day}天", f"正文提到量子计算。第{day}天。", publish_at=ago(day))

    assert found("量子计算") == ["第1天", "第2天", "第3天"]


def test_count_stops_at_the_limit_and_the_page_says_so(rank_limit, client):
    for day in range(1, 6):
        make(f"芯片第{day}篇", publish_at=ago(day))

    response = client.get(URL, {"q": "芯片"})

    assert count_text(response).startswith("More than 3 articles found for “芯片”, newest first.")
    assert len(soup(response).select(".search-hit")) == 3
    chinese = client.get(URL, {"q": "芯片"}, headers={"Accept-Language": "zh-hans"})
    assert "找到超过 3 篇" in count_text(chinese)


def test_at_the_limit_matches_are_counted_exactly_and_ranked(rank_limit, client):
    make("正文里才有", "这里提到了量子计算。", publish_at=ago(1))
    make("摘要里有", "无关。", summary="本文谈量子计算。", publish_at=ago(2))
    make("量子计算的未来", "无关。", publish_at=ago(30))

    assert found("量子计算") == ["量子计算的未来", "摘要里有", "正文里才有"]
    assert count_text(client.get(URL, {"q": "量子计算"})).startswith("3 articles found for “量子计算”.")


def test_articles_not_public_neither_count_toward_the_limit_nor_appear(rank_limit, client):
    make("芯片:旧的标题也有芯片", publish_at=ago(9))
    make("新闻一", "芯片。", publish_at=ago(1))
    make("新闻二", "芯片。", publish_at=ago(2))
    make("草稿芯片", status=Article.Status.DRAFT, publish_at=None)
    make("定时芯片", publish_at=NOW + timezone.timedelta(days=1))
    make("已撤下芯片", publish_at=ago(3), takedown_at=ago(1))
    make("归档芯片", status=Article.Status.ARCHIVED, publish_at=ago(1))

    assert found("芯片") == ["芯片:旧的标题也有芯片", "新闻一", "新闻二"]  # ranked: not over the limit

    make("新闻零", "芯片。", publish_at=ago(0.5))
    assert found("芯片") == ["新闻零", "新闻一", "新闻二"]  # newest first, only public ones
    for title in ["草稿芯片", "定时芯片", "已撤下芯片", "归档芯片"]:
        assert title not in found("芯片")


def test_newest_first_keeps_the_tag_and_source_filters(rank_limit):
    morning, evening = SourceFactory(name="晨报"), SourceFactory(name="晚报")
    for day in range(1, 6):
        make(f"晨报芯片{day}", source=morning, tags=["半导体"], publish_at=ago(day))
        make(f"晚报芯片{day}", source=evening, publish_at=ago(day + 0.5))
    tag = Tag.objects.get(name="半导体")

    assert found("芯片", tag=tag.slug) == ["晨报芯片1", "晨报芯片2", "晨报芯片3"]
    assert found("芯片", source=evening.slug) == ["晚报芯片1", "晚报芯片2", "晚报芯片3"]
    assert found("芯片", source=evening.slug, tag=tag.slug) == []


def test_pages_end_at_the_limit(settings, client):
    settings.SEARCH_RANK_LIMIT = 25
    for n in range(30):
        make(f"芯片第{n:02d}篇", publish_at=ago(n + 1))

    first = soup(client.get(URL, {"q": "芯片"}))
    second = soup(client.get(URL, {"q": "芯片", "page": 2}))

    assert [a.get_text() for a in first.select(".search-hit h2 a")] == [f"芯片第{n:02d}篇" for n in range(20)]
    assert [a.get_text() for a in second.select(".search-hit h2 a")] == [
        f"芯片第{n:02d}篇" for n in range(20, 25)
    ]
    assert second.select_one("a[rel=next]") is None
    assert client.get(URL, {"q": "芯片", "page": 3}).status_code == 404


def test_newest_first_query_count_does_not_grow_with_the_results(settings, django_assert_max_num_queries):
    settings.SEARCH_RANK_LIMIT = 5
    source = SourceFactory(name="晨报")
    for n in range(12):
        make(f"芯片第{n}篇", source=source, tags=["半导体", f"标签{n}"], publish_at=ago(n + 1))
    tag = Tag.objects.get(name="半导体")

    # capped count, newest ids, articles with source and entry, tags, the source list, the tag filter;
    # on PostgreSQL the newest ids are read between a SET and a RESET of the parallel workers
    with django_assert_max_num_queries(9 if connection.vendor == "postgresql" else 7):
        response = Client().get(URL, {"q": "芯片 半导体", "tag": tag.slug, "source": source.slug})
    assert [a.get_text() for a in soup(response).select(".search-hit h2 a")] == [
        f"芯片第{n}篇" for n in range(5)
    ]


def test_one_character_query_over_the_limit_is_newest_first(rank_limit):
    make("博士的一年", publish_at=ago(10))
    make("博客", publish_at=ago(3))
    make("博物馆", publish_at=ago(2))
    make("读博", publish_at=ago(1))
    make("无关", publish_at=ago(0.5))

    assert found("博") == ["读博", "博物馆", "博客"]


def test_the_database_session_settings_are_left_as_they_were(rank_limit):
    """The newest-first read (PostgreSQL: no parallel workers) and a rebuild (SQLite: a larger
    page cache) change settings of the shared connection only while they run."""
    setting = {"postgresql": "SHOW max_parallel_workers_per_gather", "sqlite": "PRAGMA cache_size"}
    with connection.cursor() as cursor:
        cursor.execute(setting[connection.vendor])
        before = cursor.fetchone()[0]
    for day in range(1, 6):
        make(f"芯片第{day}篇", publish_at=ago(day))

    assert found("芯片") == ["芯片第1篇", "芯片第2篇", "芯片第3篇"]
    call_command("rebuild_search_index", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute(setting[connection.vendor])
        assert cursor.fetchone()[0] == before
