"""Related articles (ArticleQuerySet.related_to) cost the same however many articles share the
tags: candidates come from each tag's newest public articles, found by walking the publish-time
index for a common tag and from the tag's taggings for a rare one: PostgreSQL chooses in one
query, SQLite is told which tags are common by a first one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.factories import ArticleFactory, tagged_drafts
from tests.performance.test_query_plans import _full_scans, _load_production_statistics

pytestmark = pytest.mark.django_db

PER_TAG = 2  # a tag on more than 20 x 2 articles is a common one
QUERIES = 2 if connection.vendor == "sqlite" else 1


@pytest.fixture
def reading():
    """An article with a common tag (开源, on 60 drafts) and a rare one (罕见), and five public
    articles sharing them."""
    tagged_drafts(60, ["开源"])
    article = ArticleFactory(tags=["开源", "罕见"])
    for tags in (["开源"], ["开源"], ["开源"], ["罕见"], ["开源", "罕见"]):
        ArticleFactory(tags=tags, title=f"谈{'和'.join(tags)}")
    return Article.objects.prefetch_related("tags").get(pk=article.pk)


def _related(article, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        related = list(Article.objects.related_to(article, **kwargs))
    return related, [query["sql"] for query in captured.captured_queries]


def test_as_many_queries_however_many_articles_share_the_tags(reading):
    related, queries = _related(reading, per_tag=PER_TAG)
    assert len(queries) == QUERIES
    # The two newest of each tag: the first two articles on 开源 alone are left out.
    assert [other.title for other in related] == ["谈开源和罕见", "谈罕见", "谈开源"]
    newest = [ArticleFactory(tags=["开源", "罕见"]) for _ in range(30)][-PER_TAG:]
    related, queries = _related(reading, per_tag=PER_TAG)
    assert len(queries) == QUERIES
    # Both tags' windows hold the same two newest articles: nothing else is a candidate.
    assert related == newest[::-1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_a_common_tags_window_walks_the_publish_index_and_a_rare_ones_reads_its_taggings(reading):
    """With the statistics of the 100,000-article database (see test_query_plans.py)."""
    _load_production_statistics()
    _, queries = _related(reading, per_tag=PER_TAG)
    for sql in queries:
        scans, plan = _full_scans(sql, None)
        assert not scans, plan
    _, plan = _full_scans(queries[-1], None)
    assert "SEARCH V0 USING COVERING INDEX article_status_published_idx (status=? AND publish_at<?)" in plan
    assert "SEARCH U0 USING INDEX taggit_taggeditem_tag_id_f4f5b767 (tag_id=?)" in plan
