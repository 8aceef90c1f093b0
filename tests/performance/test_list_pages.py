"""List and article pages: work the template may not need is not done.

Article lists (home, tag, source, month, feeds) render their tags from one prefetch.

Django's prefetch asks the tag manager of every listed article for a queryset to keep its tags
in, and taggit's manager builds a new filtered queryset each time: a third of the home page's
time at 20 articles (bench/RESULTS.md, "Load"). for_list() keeps them as a list instead."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItem

from articles.models import ArticleQuerySet
from discussions.models import Comment
from discussions.moderation import hide_comment
from tests.articles.conftest import parse_xml
from tests.factories import ArticleFactory, CommentFactory, SourceFactory
from tests.performance.conftest import soup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}


@pytest.fixture
def listed():
    source = SourceFactory(name="Listed Source")
    now = timezone.now()
    return [
        ArticleFactory(
            source=source,
            publish_at=now - datetime.timedelta(hours=1 + number),
            tags=[f"tag{number}", "shared"],
        )
        for number in range(6)
    ]


def _tags_by_card(response):
    return {
        card.find("h2").get_text(strip=True): sorted(tag.get_text(strip=True) for tag in card.select(".tag"))
        for card in soup(response).select(".article-card")
    }


def _list_urls(article):
    month = timezone.localtime(article.publish_at)
    return [
        reverse("articles:home"),
        reverse("articles:tag", kwargs={"slug": "shared"}),
        reverse("articles:source", kwargs={"slug": article.source.slug}),
        reverse("articles:archive", kwargs={"year": month.year, "month": month.month}),
    ]


def test_every_list_page_shows_each_articles_own_tags(client, listed, django_assert_max_num_queries):
    expected = {article.title: sorted([f"tag{number}", "shared"]) for number, article in enumerate(listed)}
    for url in _list_urls(listed[0]):
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200, url
        shown = _tags_by_card(response)
        # The month archive may hold only some of them (the hours can straddle a month).
        assert shown and all(shown[title] == expected[title] for title in shown), url


def test_a_list_page_builds_no_tag_queryset_per_article(client, listed):
    with mock.patch.object(TaggedItem, "tags_for", wraps=TaggedItem.tags_for) as tags_for:
        response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert len(_tags_by_card(response)) == len(listed)
    assert tags_for.call_count <= 1  # the one prefetch query, whatever the number of articles


def test_feeds_carry_each_articles_tags(client, listed):
    response = client.get(reverse("articles:feed_rss"))
    assert response.status_code == 200
    categories = {
        item.findtext("title"): sorted(category.text for category in item.findall("category"))
        for item in parse_xml(response).iter("item")
    }
    assert categories == {
        article.title: sorted([f"tag{number}", "shared"]) for number, article in enumerate(listed)
    }


# Article pages: related articles -----------------------------------------------------------


def test_an_article_page_with_its_related_fragment_cached_builds_no_related_query(client, user):
    """Building the related-articles queryset costs a few milliseconds (and a query on
    SQLite), so it is built only when the {% cache %} fragment is missing."""
    article = ArticleFactory(tags=["开源"])
    ArticleFactory(tags=["开源"], title="相关的旧文章")
    client.force_login(user)  # signed in: the page is rendered each time, the fragment cached
    url = article.get_absolute_url()
    # A spy that keeps the method's behaviour: the count is the point.
    with mock.patch.object(
        ArticleQuerySet, "related_to", autospec=True, side_effect=ArticleQuerySet.related_to
    ) as spy:
        first = client.get(url)
        second = client.get(url)
    assert spy.call_count == 1
    for response in (first, second):
        assert [link.get_text(strip=True) for link in soup(response).select("nav.related li a")] == [
            "相关的旧文章"
        ]


def test_list_comment_counts_are_remembered_until_a_count_changes(client, django_user_model):
    """Counting reads every comment of the listed articles, so the counts are kept under the
    COUNTS version; posting, hiding and deleting a comment each show at once."""
    article = ArticleFactory(title="有评论的文章")
    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", "x")
    comment = CommentFactory(article=article)
    home = reverse("articles:home")

    def shown():
        return [link.get_text(strip=True) for link in soup(client.get(home)).select(".article-card .meta a")][
            1
        ]

    assert shown() == "1 comment"
    with CaptureQueriesContext(connection) as captured:
        assert shown() == "1 comment"
    assert not [query for query in captured.captured_queries if "COUNT(" in query["sql"]]
    other = CommentFactory(article=article)
    assert shown() == "2 comments"
    hide_comment(comment, by=staff, reason="off topic")
    assert shown() == "1 comment"
    other.delete()
    assert shown() == "0 comments"


# Posting: the new-reader rule ---------------------------------------------------------------


def _shown_tags(response):
    page = soup(response)
    json_ld = json.loads(page.find("script", type="application/ld+json").string)
    return {
        "meta": [meta["content"] for meta in page.select('meta[property="article:tag"]')],
        "json-ld": json_ld["keywords"],
        "list": [link.get_text(strip=True) for link in page.select("ul.tags a.tag")],
    }


def test_an_article_page_reads_its_tags_only_when_its_fragments_are_missing(client):
    """The tags are shown in the head, the JSON-LD and under the text, all in fragments kept
    until an article changes: a page rendered again reads no tag, and a tag added shows at once."""
    article = ArticleFactory(tags=["芯片", "AI"])
    url = article.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert not [query["sql"] for query in captured.captured_queries if "taggit" in query["sql"]]
    for response in (first, second):
        assert _shown_tags(response) == {
            "meta": ["AI", "芯片"],
            "json-ld": ["AI", "芯片"],
            "list": ["AI", "芯片"],
        }

    article.tags.add("能源")
    assert _shown_tags(client.get(url)) == {
        "meta": ["AI", "能源", "芯片"],
        "json-ld": ["AI", "能源", "芯片"],
        "list": ["AI", "能源", "芯片"],
    }


@pytest.mark.parametrize("history", [0, 1, 5])
def test_the_new_reader_rule_counts_no_further_than_it_needs(client, user, settings, history):
    """A reader's first published comments wait; counting stops at the number the rule needs, so
    posting costs the same after thousands of comments."""
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 2}
    article = ArticleFactory()
    CommentFactory.create_batch(history, article=article, author=user)
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("discussions:post", args=[article.pk]), {"body": "又一条评论"})
    assert response.status_code == 302
    posted = Comment.objects.get(body="又一条评论")
    assert posted.status == (Comment.Status.PENDING if history < 2 else Comment.Status.PUBLISHED)
    sqls = [query["sql"] for query in captured.captured_queries]
    unbounded = f'"discussions_comment"."author_id" = {user.pk})'
    assert not any(sql.startswith('SELECT COUNT(*) AS "__count"') and sql.endswith(unbounded) for sql in sqls)
    # The count is read with the article, in participation.article_to_post_on()'s own SQL.
    assert any(re.search(rf"author_id\"? = {user.pk}\b.* LIMIT 2\b", sql, re.DOTALL) for sql in sqls)
