"""Search keeps its query plans on SQLite whether or not the database has planner statistics.

A query matching more articles than the rank limit lists them newest first by walking the
entries' (status, publish_at) index and stopping after a page. Without statistics SQLite walks
it; with those of `ANALYZE` (or `PRAGMA optimize`) at 100,000 articles it once looked up every
match by its id instead and sorted them all (68,439 for 开源 there: 225 ms of CPU for the page's
query against 29), and with a tag it started from every article of the tag. The ranked path and
the count read the full-text matches first and look each entry up, never the reverse. The real
queries are captured while /search/ is requested, then explained with no statistics, with those
of the 100,000-article benchmark database, and with ANALYZE run on the test database itself.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, SourceFactory
from tests.performance.conftest import soup
from tests.performance.test_query_plans import _load_production_statistics

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's"),
]

URL = reverse("articles:search")
# What ANALYZE wrote for the search entries of the 100,000-article benchmark database
# (generate_load_data): 97,928 entries, two statuses, (status, publish_at) nearly unique.
ENTRY_STATISTICS = [("articles_articlesearchentry", "search_entry_published_idx", "97928 48964 1")]
NEWEST_INDEX = "USING INDEX search_entry_published_idx (status=? AND publish_at<?)"


def _plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[3] for row in cursor.fetchall()]


def _search_queries(client, **params):
    """The SQL of the search itself (count, then the page) as /search/ ran it, and the titles."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    titles = [link.get_text() for link in _hits(response)]
    return [q["sql"] for q in captured.captured_queries if "articles_search_fts" in q["sql"]], titles


def _hits(response):
    return soup(response).select(".search-hit h2 a")


@pytest.fixture(params=["none", "100,000 articles", "ANALYZE"])
def statistics(request):
    """Applied by calling it once the articles exist."""

    def apply():
        with connection.cursor() as cursor:
            if request.param == "ANALYZE":
                cursor.execute("ANALYZE")
            elif request.param == "100,000 articles":
                _load_production_statistics()
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'articles_articlesearchentry'")
                for row in ENTRY_STATISTICS:
                    cursor.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", row)
                cursor.execute("ANALYZE sqlite_schema")  # the planner reads the statistics again
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'articles_articlesearchentry'")
                has_entry_statistics = bool(cursor.fetchone()[0])
            else:
                has_entry_statistics = False
        assert has_entry_statistics == (request.param != "none")

    return apply


@pytest.fixture
def many_matches(settings):
    """Eight public articles about 芯片 (one a day), four of them tagged, over a rank limit of 3;
    one unpublished and one archived that must not be listed."""
    settings.SEARCH_RANK_LIMIT = 3
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}
    now = timezone.now()
    source = SourceFactory(name="清谈测试源")
    for day in range(1, 9):
        ArticleFactory(
            title=f"芯片第{day}天",
            lead="",
            summary="编辑摘要。",
            original_title="",
            body="正文谈芯片。",
            source=source,
            tags=["半导体"] if day % 2 else ["存储"],
            publish_at=now - timezone.timedelta(days=day),
        )
    ArticleFactory(title="芯片草稿", body="芯片。", source=source, status="draft", publish_at=None)
    ArticleFactory(
        title="芯片归档",
        body="芯片。",
        source=source,
        status="archived",
        publish_at=now - timezone.timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "芯片"}, ["芯片第1天", "芯片第2天", "芯片第3天"]),
        ({"q": "芯片", "tag": "半导体"}, ["芯片第1天", "芯片第3天", "芯片第5天"]),
    ],
    ids=["any article", "with a tag"],
)
def test_newest_first_walks_the_publish_time_index_with_or_without_statistics(
    client, many_matches, statistics, params, expected
):
    statistics()
    queries, titles = _search_queries(client, **params)

    assert titles == expected
    count, page = queries
    assert "ORDER BY m.publish_at DESC" in page
    plan = _plan(page)
    assert any(line.startswith("SEARCH articles_articlesearchentry " + NEWEST_INDEX) for line in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    _assert_matches_first(count)


@pytest.mark.parametrize("params", [{"q": "芯片第1天"}, {"q": "芯片第1天", "tag": "半导体"}])
def test_ranked_results_read_the_matches_first_with_or_without_statistics(
    client, many_matches, statistics, params
):
    statistics()
    queries, titles = _search_queries(client, **params)

    assert titles == ["芯片第1天"]
    count, page = queries
    assert "ORDER BY m.rank" in page
    _assert_matches_first(count)
    _assert_matches_first(page)


def _assert_matches_first(sql):
    """The full-text matches scanned first, each entry then looked up by its id."""
    plan = _plan(sql)
    assert plan[0].startswith("SCAN articles_search_fts VIRTUAL TABLE"), plan
    assert "SEARCH articles_articlesearchentry USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
