"""The queries of the busiest pages use indexes: no full scan of a table that grows with the
content. The real queries are captured while the pages are requested, then explained by SQLite
(EXPLAIN QUERY PLAN) with the planner statistics of the 100,000-article benchmark database
(sqlite_stat1.json, from bench/planner_stats.py), so the plans are the ones SQLite picks at that
scale, not the ones it picks for a handful of rows. PostgreSQL chooses plans by cost, so on a test
database of a few rows it rightly prefers sequential scans; its plans at scale are in
bench/RESULTS.md."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions.models import Comment
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    FlagFactory,
    QuestionFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's"),
]

STATISTICS = Path(__file__).with_name("sqlite_stat1.json")
# Tables that do not grow with articles, comments or readers: permissions and content types.
SMALL_TABLES = {"auth_group_permissions", "auth_permission", "auth_group", "django_content_type"}
_FULL_SCAN = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")


def _full_scans(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[3] for row in cursor.fetchall()]
    aliases = {alias: table for table, alias in re.findall(r'"(\w+)" (?:AS )?"(\w+)"', sql)}  # "table" "U0"
    scans = []
    for line in plan:
        match = _FULL_SCAN.match(line)
        if match:
            table = aliases.get(match.group(1), match.group(1))
            if table not in SMALL_TABLES:
                scans.append(line)
    return scans, plan


def _queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


def _assert_indexed(queries):
    problems = []
    for sql in queries:
        scans, plan = _full_scans(sql, None)
        if scans:
            problems.append(f"{sql}\n  -> {plan}")
    assert not problems, "full table scans:\n" + "\n".join(problems)


def _load_production_statistics():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        indexes = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for row in json.loads(STATISTICS.read_text()):
            if row["idx"] is None or row["idx"] in indexes:
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", list(row.values())
                )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads the statistics again


@pytest.fixture
def content(settings):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0, "HOLD_FIRST_COMMENTS": 0}
    readers = [UserFactory() for _ in range(4)]
    articles = [ArticleFactory(tags=["开源", "芯片"]) for _ in range(4)]
    for article in articles:
        question = QuestionFactory(article=article)
        for reader in readers:
            answer = CommentFactory(article=article, author=reader, question=question)
            reply = CommentFactory(article=article, author=readers[0], parent=answer)
            VoteFactory(comment=answer, user=readers[1] if reader != readers[1] else readers[2])
            CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)
            if reader != readers[0]:
                FlagFactory(comment=reply, user=reader)
    _load_production_statistics()
    return {"readers": readers, "articles": articles}


@pytest.mark.parametrize("page", ["home", "article thread", "tag", "profile"])
def test_public_pages_use_indexes(client, content, page):
    article, reader = content["articles"][0], content["readers"][0]
    url = {
        "home": reverse("articles:home"),
        "article thread": article.get_absolute_url(),
        "tag": reverse("articles:tag", args=["开源"]),
        "profile": reader.get_absolute_url(),
    }[page]
    queries = _queries_of(client, url)
    assert queries
    _assert_indexed(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_discussion_read_a_page_at_a_time_reads_the_replies_of_the_page_only(
    client, content, settings, signed_in
):
    """Through the index of their thread's root: not every comment of the article through the
    thread index (a thousand at the busiest articles) to keep the few under the page."""
    settings.QINGTAN = {**settings.QINGTAN, "COMMENTS_PER_PAGE": 2}
    if signed_in:
        client.force_login(content["readers"][1])
    queries = _queries_of(client, content["articles"][0].get_absolute_url())
    _assert_indexed(queries)
    replies = [sql for sql in queries if '"discussions_comment"."root_id" IN' in sql]
    assert len(replies) == 1
    _, plan = _full_scans(replies[0], None)
    assert any("USING INDEX discussions_comment_root_id" in line for line in plan), plan


def test_a_signed_in_readers_article_page_uses_indexes(client, content):
    client.force_login(content["readers"][1])
    _assert_indexed(_queries_of(client, content["articles"][0].get_absolute_url()))


def test_the_moderation_queue_uses_indexes(client, content, moderator):
    queue = Comment.objects.awaiting_moderation().order_by("created_at")
    sql, params = queue.query.sql_with_params()
    scans, plan = _full_scans(sql, params)
    assert not scans, plan
    client.force_login(moderator)
    _assert_indexed(_queries_of(client, reverse("discussions:moderation_queue")))


def test_the_check_finds_a_full_scan():
    scans, _ = _full_scans('SELECT * FROM "discussions_comment" WHERE "body" = %s', ["x"])
    assert scans == ["SCAN discussions_comment"]


@pytest.mark.parametrize("page", ["home", "tag", "profile"])
def test_a_page_of_a_list_is_read_in_order_not_sorted_whole(client, content, page):
    """A page of 20 from an index read in list order, not the whole list sorted first (what
    "USE TEMP B-TREE FOR ORDER BY" without "RIGHT PART OF" means)."""
    url = {
        "home": reverse("articles:home"),
        "tag": reverse("articles:tag", args=["开源"]),
        "profile": content["readers"][0].get_absolute_url(),
    }[page]
    listed = [sql for sql in _queries_of(client, url) if " LIMIT " in sql and " ORDER BY " in sql]
    assert listed
    for sql in listed:
        _, plan = _full_scans(sql, None)
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (sql, plan)


def test_the_statistics_are_those_of_the_large_database(content):
    """Sanity check of the fixture: with them SQLite falls into the trap Comment.top_level()
    avoids, a parent IS NULL query sent down the parent index (the statistics say a parent
    value matches four rows; NULL matches most of them)."""
    sql = (
        'SELECT COUNT(*) FROM "discussions_comment" '
        'WHERE "article_id" = 1 AND "status" = %s AND "parent_id" IS NULL'
    )
    _, plan = _full_scans(sql, ["published"])
    assert any("parent" in line for line in plan), plan
