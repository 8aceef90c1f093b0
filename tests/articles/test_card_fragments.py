"""The article cards of list pages (articles/fragments.py): rendered once, then taken from the
cache, and never stale, because each is stored under the versions of what it shows."""

import pytest
from django.urls import reverse

from articles import fragments
from tests.articles.conftest import soup
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def _cards(response):
    return [
        {
            "title": card.find("h2").get_text(strip=True),
            "source": card.select_one(".meta a").get_text(strip=True),
            "comments": card.select(".meta a")[1].get_text(strip=True),
            "tags": [tag.get_text(strip=True) for tag in card.select(".tag")],
        }
        for card in soup(response).select(".article-card")
    ]


@pytest.fixture
def renders(monkeypatch):
    """How many cards were rendered rather than taken from the cache."""
    rendered = []
    template = fragments.get_template(fragments.CARD_TEMPLATE)

    class Counting:
        def __init__(self):
            self.template = template.template

        def render(self, context):
            rendered.append(context["card"].title)
            return template.render(context)

    monkeypatch.setattr(fragments, "get_template", lambda name: Counting())
    return rendered


def test_cards_are_rendered_once_and_shared_by_every_list_showing_them(client, renders):
    article = ArticleFactory(title="缓存的卡片", tags=["芯片"])
    ArticleFactory(title="另一篇")
    first = client.get(reverse("articles:home"))
    assert sorted(renders) == sorted(["另一篇", "缓存的卡片"])
    renders.clear()
    again = client.get(reverse("articles:home"))
    tag_page = client.get(reverse("articles:tag", kwargs={"slug": article.tags.get().slug}))
    assert renders == []
    assert _cards(again) == _cards(first)
    assert [card["title"] for card in _cards(tag_page)] == ["缓存的卡片"]


def test_a_card_shows_each_change_at_once(client, user):
    article = ArticleFactory(title="旧标题", tags=["芯片"])
    home = reverse("articles:home")
    assert _cards(client.get(home)) == [
        {"title": "旧标题", "source": article.source.name, "comments": "0 comments", "tags": ["芯片"]}
    ]

    article.title = "新标题"
    article.save()
    article.tags.add("AI")
    article.source.name = "改名的来源"
    article.source.save()
    CommentFactory(article=article)
    assert _cards(client.get(home)) == [
        {"title": "新标题", "source": "改名的来源", "comments": "1 comment", "tags": ["AI", "芯片"]}
    ]


def test_cards_are_kept_per_language(client):
    ArticleFactory(title="双语")
    english = _cards(client.get(reverse("articles:home"), headers={"accept-language": "en"}))
    chinese = _cards(client.get(reverse("articles:home"), headers={"accept-language": "zh-hans"}))
    assert english[0]["comments"] == "0 comments"
    assert chinese[0]["comments"] == "0 条评论"


@pytest.fixture
def page_cache_off(settings):
    # The cards alone, not the whole page from the page cache: what signed-in readers get.
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}


def _rename_tag(article):
    tag = article.tags.get()
    tag.name = "改名的标签"
    tag.save()


def _rename_source(article):
    article.source.name = "改名的来源"
    article.source.save()


@pytest.mark.parametrize(
    ("change", "field", "shown"),
    [
        (lambda article: article.tags.add("AI"), "tags", ["AI", "芯片"]),
        (lambda article: article.tags.remove("芯片"), "tags", []),
        (_rename_tag, "tags", ["改名的标签"]),
        (_rename_source, "source", "改名的来源"),
        (lambda article: CommentFactory(article=article), "comments", "1 comment"),
    ],
)
def test_each_change_of_what_a_card_shows_is_shown_at_once(
    client, page_cache_off, renders, change, field, shown
):
    article = ArticleFactory(title="卡片", tags=["芯片"])
    home = reverse("articles:home")
    client.get(home)
    renders.clear()
    change(article)
    assert _cards(client.get(home))[0][field] == shown
    assert renders == ["卡片"]


def test_a_list_of_kept_cards_reads_no_tag(client, page_cache_off, renders, django_assert_max_num_queries):
    for number in range(12):
        ArticleFactory(title=f"第{number}篇", tags=["芯片", f"标签{number}"])
    home = reverse("articles:home")
    first = _cards(client.get(home))
    renders.clear()
    with django_assert_max_num_queries(3) as queries:
        again = _cards(client.get(home))
    assert again == first and renders == []
    assert not [query for query in queries.captured_queries if "taggit" in query["sql"]]


def test_the_cards_versions_are_read_before_the_listed_articles(client, page_cache_off, monkeypatch):
    """A card rendered from rows read before a change commits must not be kept under the
    versions bumped after it: so the versions come first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(title="先后")
    original = fragments.card_versions
    article_reads_before = []
    with CaptureQueriesContext(connection) as queries:

        def recording():
            article_reads_before.append(
                [query for query in queries.captured_queries if 'FROM "articles_article"' in query["sql"]]
            )
            return original()

        monkeypatch.setattr(fragments, "card_versions", recording)
        response = client.get(reverse("articles:home"))
    assert [card["title"] for card in _cards(response)] == ["先后"]
    assert article_reads_before == [[]]
