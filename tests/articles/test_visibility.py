"""Who sees what, and when: drafts, scheduling, takedowns and archiving, with no cron job."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.conftest import soup
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)


def _listed(client, article):
    urls = ["/", article.source.get_absolute_url(), reverse("articles:feed_rss"), "/sitemap.xml"]
    return {url: article.get_absolute_url() in client.get(url).content.decode() for url in urls}


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW])
def test_unpublished_articles_are_404_and_unlisted(client, status):
    article = ArticleFactory(status=status)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert not any(_listed(client, article).values())


def test_a_scheduled_article_appears_when_its_time_comes(client, time_machine):
    time_machine.move_to(START, tick=False)
    article = ArticleFactory(publish_at=START + datetime.timedelta(hours=2))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert not any(_listed(client, article).values())

    time_machine.move_to(START + datetime.timedelta(hours=2, seconds=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert all(_listed(client, article).values())


def test_a_taken_down_article_disappears_from_every_page_at_its_takedown_time(client, time_machine):
    time_machine.move_to(START, tick=False)
    article = ArticleFactory(
        publish_at=START - datetime.timedelta(days=1),
        takedown_at=START + datetime.timedelta(days=1),
        tags=["芯片"],
    )
    assert client.get(article.get_absolute_url()).status_code == 200
    assert all(_listed(client, article).values())

    time_machine.move_to(START + datetime.timedelta(days=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert not any(_listed(client, article).values())
    assert article.get_absolute_url() not in client.get("/tags/芯片/").content.decode()


def test_an_archived_article_stays_readable_with_a_banner_but_leaves_lists(client):
    article = ArticleFactory(status=Article.Status.ARCHIVED, tags=["芯片"])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "This article is archived" in soup(response).select_one(".banner--archived").text
    assert not any(_listed(client, article).values())
    assert article.get_absolute_url() not in client.get("/tags/芯片/").content.decode()
    assert article.get_absolute_url() not in client.get(reverse("articles:feed_atom")).content.decode()


def test_a_public_article_has_no_banner(client):
    article = ArticleFactory()
    assert soup(client.get(article.get_absolute_url())).select_one(".banner") is None


class TestPreview:
    def url(self, article):
        return reverse("articles:preview", kwargs={"slug": article.slug})

    def test_an_editor_previews_a_draft(self, client, editor):
        article = ArticleFactory(title="还没发布的稿子", status=Article.Status.DRAFT, publish_at=None)
        client.force_login(editor)
        response = client.get(self.url(article))
        assert response.status_code == 200
        page = soup(response)
        assert page.h1.text == "还没发布的稿子"
        assert "Preview for staff" in page.select_one(".banner--preview").text
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]
        assert page.find("script", type="application/ld+json") is None

    def test_a_moderator_with_view_permission_previews_too(self, client, moderator):
        client.force_login(moderator)
        assert client.get(self.url(ArticleFactory(status=Article.Status.IN_REVIEW))).status_code == 200

    def test_a_scheduled_article_can_be_previewed(self, client, editor):
        client.force_login(editor)
        article = ArticleFactory(publish_at=timezone.now() + datetime.timedelta(days=1))
        assert client.get(self.url(article)).status_code == 200

    def test_anonymous_visitors_get_a_404(self, client):
        assert client.get(self.url(ArticleFactory(status=Article.Status.DRAFT))).status_code == 404

    def test_readers_get_a_404(self, client, user):
        client.force_login(user)
        assert client.get(self.url(ArticleFactory(status=Article.Status.DRAFT))).status_code == 404

    def test_staff_without_article_permissions_get_a_404(self, client, user):
        user.is_staff = True
        user.save()
        client.force_login(user)
        assert client.get(self.url(ArticleFactory(status=Article.Status.DRAFT))).status_code == 404
