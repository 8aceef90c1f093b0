"""The queries of the busiest pages use indexes: no full scan of a table that grows with the
content. The real queries are captured while the pages are requested, then explained by SQLite
(EXPLAIN QUERY PLAN). PostgreSQL chooses plans by cost, so on a test database of a few rows it
rightly prefers sequential scans; its plans at scale are in bench/RESULTS.md."""

import re

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
