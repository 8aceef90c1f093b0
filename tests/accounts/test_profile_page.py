"""/u/<username>/: the public profile and the reader's published comments."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import Article
from discussions.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory


def profile_url(user):
    return reverse("accounts:profile", kwargs={"username": user.username})


def test_profile_shows_name_bio_website_and_join_date(client, user):
    user.bio = "第一行\n第二行"
    user.website = "https://blog.example/about"
    user.save()

    response = client.get(profile_url(user))

    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == user.display_name
    link = page.find("a", href="https://blog.example/about")
    assert set(link["rel"]) == {"nofollow", "ugc", "noopener"}
    assert "第一行<br>第二行" in response.text
    assert str(user.date_joined.year) in page.select_one(".profile__header").get_text()
    assert user.email not in response.text


def test_profile_text_is_escaped(client, user):
    user.display_name = "<b>Bold</b>"
    user.bio = '<script>alert("bio")</script><img src=x onerror=alert(1)>'
    user.website = 'https://x.example/"><script>alert(2)</script>'
    user.save()

    response = client.get(profile_url(user))

    page = BeautifulSoup(response.text, "html.parser")
    assert not page.select(".profile script, .profile img, .profile b")
    assert "&lt;script&gt;alert(&quot;bio&quot;)&lt;/script&gt;" in response.text
    assert page.h1.get_text() == "<b>Bold</b>"


def test_a_non_http_website_stored_around_the_form_is_not_linked(client, user):
    User = type(user)
    User.objects.filter(pk=user.pk).update(website="javascript:alert(1)")

    response = client.get(profile_url(user))

    assert "javascript:" not in response.text


def test_profile_lists_only_published_comments_to_everyone(client, user, other_user):
    article = ArticleFactory(title="可见的文章")
    published = CommentFactory(author=user, article=article, body="公开的评论")
    for status in ("pending", "hidden", "removed", "spam"):
        CommentFactory(author=user, article=article, body=f"状态{status}的评论", status=status)
    CommentFactory(author=user, article=article, body="作者撤回的评论", is_deleted=True)
    draft = ArticleFactory(status=Article.Status.DRAFT)
    CommentFactory(author=user, article=draft, body="草稿下的评论")
    CommentFactory(author=other_user, article=article, body="别人的评论")

    for viewer in (None, other_user, user):  # anonymous, another reader, the author
        if viewer:
            client.force_login(viewer)
        response = client.get(profile_url(user))
        comments = BeautifulSoup(response.text, "html.parser").select(".profile-comment")
        assert len(comments) == 1
        assert "公开的评论" in comments[0].get_text()
        assert comments[0].find("a", href=published.get_absolute_url()).get_text() == "可见的文章"


def test_comments_are_paginated_newest_first(client, user):
    article = ArticleFactory()
    comments = [CommentFactory(author=user, article=article, body=f"第{n}条") for n in range(25)]

    first = BeautifulSoup(client.get(profile_url(user)).text, "html.parser")
    second = BeautifulSoup(client.get(profile_url(user), {"page": 2}).text, "html.parser")
    beyond = client.get(profile_url(user), {"page": "999"})
    nonsense = client.get(profile_url(user), {"page": "abc"})

    assert len(first.select(".profile-comment")) == 20
    assert "第24条" in first.select(".profile-comment")[0].get_text()
    assert len(second.select(".profile-comment")) == 5
    assert "第0条" in second.select(".profile-comment")[-1].get_text()
    assert first.find("a", rel="next")["href"] == "?page=2"
    assert beyond.status_code == nonsense.status_code == 200
    assert len(comments) == 25


def test_htmx_pagination_returns_only_the_comment_list(client, user):
    article = ArticleFactory()
    for n in range(22):
        CommentFactory(author=user, article=article, body=f"第{n}条")

    response = client.get(profile_url(user), {"page": 2}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="profile-comments">')
    assert "<html" not in response.text
    assert len(BeautifulSoup(response.text, "html.parser").select(".profile-comment")) == 2
    assert "HX-Request" in response["Vary"]


def test_profile_page_queries_are_bounded(client, user, django_assert_max_num_queries):
    for _ in range(4):
        article = ArticleFactory()
        for status in ("published", "published", "published", "hidden"):
            CommentFactory(author=user, article=article, status=status)
    client.force_login(UserFactory())

    with django_assert_max_num_queries(6):  # session, viewer, profile, count, page
        response = client.get(profile_url(user))

    assert len(BeautifulSoup(response.text, "html.parser").select(".profile-comment")) == 12


@pytest.mark.django_db
def test_unknown_or_deactivated_profiles_are_404(client):
    gone = UserFactory(is_active=False)

    assert client.get("/u/nobody-here/").status_code == 404
    assert client.get(profile_url(gone)).status_code == 404


def test_own_profile_links_to_editing(client, user):
    client.force_login(user)

    response = client.get(profile_url(user))

    assert reverse("accounts:edit_profile") in response.text


def test_comments_by_deleted_accounts_leave_the_profile_with_them(client, user):
    CommentFactory(author=user)
    url = profile_url(user)
    user.delete()

    assert client.get(url).status_code == 404
    assert Comment.objects.filter(author__isnull=True).count() == 1
