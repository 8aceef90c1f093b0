"""The article cards of list pages (articles/fragments.py): rendered once, then taken from the
cache, and never stale, because each is stored under everything it shows."""

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
