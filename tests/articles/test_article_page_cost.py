"""What an article page keeps when the page cache is off (articles.fragments.ArticlePage): the
article's row and the parts every reader sees the same way, read once and then from the cache.
Each test reads a page, changes what it shows the way editors do (the admin) or lets the clock
pass, and reads it again: the change shows at once."""

import datetime
import json
import time
import types

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from discussions import moderation
from discussions.models import Comment
from tests.articles.conftest import form_data, soup
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db

ARTICLE_CHANGELIST = "/admin/articles/article/"


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}


@pytest.fixture
def editor_client(editor):
    staff = Client()
    staff.force_login(editor)
    return staff


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.status_code
    return response


def _article_reads(client, url):
    """The page, and the queries that read an article by its slug."""
    with CaptureQueriesContext(connection) as captured:
        page = _get(client, url)
    return page, [q["sql"] for q in captured.captured_queries if '"articles_article"."slug" =' in q["sql"]]


def _admin_edit(editor_client, obj, **changes):
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    data = form_data(editor_client.get(url), f"{obj._meta.model_name}_form")
    data.update(changes)
    response = editor_client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")


def _json_ld(response):
    return json.loads(soup(response).find("script", type="application/ld+json").string)


def test_the_article_is_read_from_the_database_once_and_then_kept(client):
    article = ArticleFactory(title="只读一次的文章")
    page, reads = _article_reads(client, article.get_absolute_url())
    assert len(reads) == 1 and soup(page).h1.get_text() == "只读一次的文章"
    page, reads = _article_reads(client, article.get_absolute_url())
    assert reads == [] and soup(page).h1.get_text() == "只读一次的文章"
    # In the other language the parts are rendered again, from the kept row and its source.
    with CaptureQueriesContext(connection) as captured:
        page = client.get(article.get_absolute_url(), headers={"accept-language": "zh-hans"})
    assert not [q for q in captured.captured_queries if '"articles_article"."slug" =' in q["sql"]]
    assert soup(page).h1.get_text() == "只读一次的文章"
    assert soup(page).select_one(".article__header .meta a").get_text() == article.source.name
    assert soup(page).select_one(".article__header .meta a")["href"] == article.source.get_absolute_url()


def test_an_article_edited_in_the_admin_shows_everywhere_on_its_page_at_once(client, editor_client):
    article = ArticleFactory(title="旧标题", lead="旧导语", body="旧的原文。", summary="旧的摘要。")
    url = article.get_absolute_url()
    _get(client, url)
    _get(client, url)  # everything kept
    _admin_edit(
        editor_client, article, title="新标题", lead="新导语", body="新的原文。", summary="新的摘要。"
    )
    page = soup(_get(client, url))
    assert page.h1.get_text() == "新标题"
    assert page.find("meta", property="og:title")["content"] == "新标题"
    assert page.select_one(".article__lead").get_text() == "新导语"
    assert "新的摘要。" in page.select_one(".summary").get_text()
    assert "新的原文。" in page.select_one(".article__body").get_text()
    assert _json_ld(_get(client, url))["headline"] == "新标题"


def test_a_source_renamed_in_the_admin_shows_on_the_page_of_its_article(client, editor_client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    _get(client, url)
    _admin_edit(editor_client, article.source, name="改名的出版物")
    page = _get(client, url)
    assert soup(page).select_one(".article__header .meta a").get_text() == "改名的出版物"
    assert _json_ld(page)["sourceOrganization"]["name"] == "改名的出版物"


def test_tags_changed_in_the_admin_show_at_once(client, editor_client):
    article = ArticleFactory(tags=["开源"])
    url = article.get_absolute_url()
    assert [tag.get_text() for tag in soup(_get(client, url)).select("ul.tags a")] == ["开源"]
    _admin_edit(editor_client, article, tags="芯片, 数据库")
    page = _get(client, url)
    assert [tag.get_text() for tag in soup(page).select("ul.tags a")] == ["数据库", "芯片"]
    assert sorted(_json_ld(page)["keywords"]) == ["数据库", "芯片"]


def test_an_article_unpublished_in_the_admin_is_gone_at_once(client, editor_client):
    article = ArticleFactory()
    _get(client, article.get_absolute_url())
    response = editor_client.post(
        ARTICLE_CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]}, follow=True
    )
    assert response.status_code == 200
    _get(client, article.get_absolute_url(), status=404)


def test_a_kept_article_comes_and_goes_with_its_publish_and_takedown_times(client, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = ArticleFactory(
        title="定时的文章",
        publish_at=now + datetime.timedelta(hours=1),
        takedown_at=now + datetime.timedelta(hours=2),
    )
    url = article.get_absolute_url()
    _get(client, url, status=404)
    _get(client, url, status=404)
    time_machine.move_to(now + datetime.timedelta(hours=1, seconds=1), tick=False)
    assert soup(_get(client, url)).h1.get_text() == "定时的文章"
    time_machine.move_to(now + datetime.timedelta(hours=2, seconds=1), tick=False)
    _get(client, url, status=404)


@pytest.fixture
def cache_server_clock(monkeypatch):
    """A cache whose entries expire by a clock of its own, as a cache server's does: it stays at
    the real time while the tests move ours."""
    from django.core.cache.backends import base, locmem

    started = time.time()
    server_clock = types.SimpleNamespace(time=lambda: started)
    monkeypatch.setattr(locmem, "time", server_clock)
    monkeypatch.setattr(base, "time", server_clock)


@pytest.mark.parametrize("clock", ["shared", "cache server's own"])
def test_a_scheduled_related_article_joins_the_kept_list_when_its_time_comes(
    client, time_machine, request, clock
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    if clock != "shared":
        request.getfixturevalue("cache_server_clock")
    article = ArticleFactory(tags=["开源"])
    ArticleFactory(title="定时发布的相关文章", tags=["开源"], publish_at=now + datetime.timedelta(hours=2))
    url = article.get_absolute_url()

    def related():
        return [link.get_text() for link in soup(_get(client, url)).select("nav.related li a")]

    assert related() == []
    assert related() == []  # from the cache
    time_machine.move_to(now + datetime.timedelta(hours=2, seconds=1), tick=False)
    assert related() == ["定时发布的相关文章"]


def test_each_language_gets_its_own_kept_parts(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    english = soup(client.get(url, headers={"accept-language": "en"}))
    chinese = soup(client.get(url, headers={"accept-language": "zh-hans"}))
    assert english.select_one("#body-heading").get_text() == "Original text"
    assert chinese.select_one("#body-heading").get_text() != "Original text"
    assert soup(client.get(url, headers={"accept-language": "en"})).select_one(
        "#body-heading"
    ).get_text() == ("Original text")


def test_the_canonical_address_follows_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    article = ArticleFactory()
    url = article.get_absolute_url()
    one = soup(client.get(url, HTTP_HOST="one.example"))
    two = soup(client.get(url, HTTP_HOST="two.example"))
    assert one.find("meta", property="og:url")["content"] == f"http://one.example{url}"
    assert two.find("meta", property="og:url")["content"] == f"http://two.example{url}"
    assert two.find("link", rel="canonical")["href"] == f"http://two.example{url}"


def test_a_deleted_article_is_a_404_at_once(client):
    article = ArticleFactory()
    _get(client, article.get_absolute_url())
    Article.objects.get(pk=article.pk).delete()
    _get(client, article.get_absolute_url(), status=404)


# The questions section, kept under the discussion's version too -------------------------------


def _questions(response):
    return [
        " ".join(item.select_one(".question__meta").get_text(" ", strip=True).split())
        + (
            f" | pick: {pick.get_text(' ', strip=True)}"
            if (pick := item.select_one(".question__pick"))
            else ""
        )
        for item in soup(response).select(".questions li.question")
    ]


def _questions_rendered(response):
    return "discussions/_questions_section.html" in [t.name for t in response.templates]


@pytest.fixture
def asked(settings):
    """An article with two questions, one answered, whose questions section is kept."""
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 0, "COMMENT_RATE": "off"}
    article = ArticleFactory()
    first, second = QuestionFactory(article=article, position=1), QuestionFactory(article=article, position=2)
    CommentFactory(article=article, question=first)
    return article, first, second


def test_the_questions_section_is_rendered_once_and_then_kept(client, asked):
    article, _, _ = asked
    first = client.get(article.get_absolute_url(), headers={"accept-language": "en"})
    assert _questions_rendered(first)
    again = client.get(article.get_absolute_url(), headers={"accept-language": "en"})
    assert not _questions_rendered(again) and _questions(again) == _questions(first)
    assert _questions(again)[0].startswith("1 answer") and "Unanswered" in _questions(again)[1]


def test_an_answer_posted_or_hidden_changes_the_counts_at_once(client, asked, user, moderator):
    article, _, second = asked
    url = article.get_absolute_url()
    _get(client, url)
    commenter = Client()
    commenter.force_login(user)
    response = commenter.post(
        reverse("discussions:post", args=[article.pk]), {"body": "回答第二个问题", "question": second.pk}
    )
    assert response.status_code in (200, 302)
    assert _questions(_get(client, url))[1].startswith("1 answer")
    moderation.hide_comment(Comment.objects.get(body="回答第二个问题"), by=moderator)
    assert "Unanswered" in _questions(_get(client, url))[1]


def test_a_pick_a_closed_question_and_a_renamed_author_show_at_once(client, asked, moderator):
    article, first, _ = asked
    url = article.get_absolute_url()
    _get(client, url)
    answer = Comment.objects.get(question=first)
    moderation.pin_answer(answer, by=moderator)
    assert answer.author.public_name in _questions(_get(client, url))[0]
    answer.author.display_name = "改名的作者"
    answer.author.save()
    assert "改名的作者" in _questions(_get(client, url))[0]
    moderation.close_question(first, by=moderator)
    assert "Closed to new answers" in _questions(_get(client, url))[0]


def test_a_question_edited_shows_at_once(client, asked):
    article, first, _ = asked
    url = article.get_absolute_url()
    _get(client, url)
    first.text = "改过的问题"
    first.save()
    assert soup(_get(client, url)).select_one(".question__text").get_text() == "改过的问题"


def test_curators_get_their_controls_and_readers_never_do(client, asked, editor):
    article, _, _ = asked
    url = article.get_absolute_url()
    assert not soup(_get(client, url)).select(".questions .staff-controls")
    staff = Client()
    staff.force_login(editor)
    assert len(soup(_get(staff, url)).select(".questions .staff-controls")) == 2
    assert not soup(_get(client, url)).select(".questions .staff-controls")
