"""The anonymous page cache (articles/caching.py): hits cost no query, and every change a page
shows is visible on the next request. Each test reads a page as an anonymous reader, changes
something the way the site does (views, admin actions, the transitions in discussions), and reads
the page again."""

import datetime

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from articles import caching
from articles.models import Article
from discussions import moderation
from discussions.models import Comment
from tests.articles.conftest import form_data
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, SourceFactory, VoteFactory
from tests.performance.conftest import soup

pytestmark = pytest.mark.django_db


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response


def _cached(client, url, django_assert_num_queries, **kwargs):
    """Read `url` twice; the second answer must come from the cache without a query."""
    first = _get(client, url, **kwargs)
    with django_assert_num_queries(0):
        second = _get(client, url, **kwargs)
    assert second["X-Page-Cache"] == "hit"
    return first, second


def _text(response):
    return soup(response).get_text(" ", strip=True)


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def commenter(client, user):
    client.force_login(user)
    return client


# What is cached ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["home", "tag", "source", "detail", "archive", "feed_rss", "feed_atom", "tag_feed"]
)
def test_every_public_page_is_served_from_the_cache_without_a_query(
    anonymous, django_assert_num_queries, name
):
    article = ArticleFactory(tags=["开源"])
    CommentFactory(article=article)
    kwargs = {
        "home": {},
        "tag": {"slug": "开源"},
        "tag_feed": {"slug": "开源"},
        "source": {"slug": article.source.slug},
        "detail": {"slug": article.slug},
        "archive": {"year": article.publish_at.year, "month": article.publish_at.month},
        "feed_rss": {},
        "feed_atom": {},
    }[name]
    first, second = _cached(anonymous, reverse(f"articles:{name}", kwargs=kwargs), django_assert_num_queries)
    assert first["X-Page-Cache"] == "miss"
    assert first["Content-Type"] == second["Content-Type"]
    assert "HX-Request" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_anonymous_pages_carry_no_csrf_token_and_the_language_switcher_works_without_one(
    django_assert_num_queries,
):
    ArticleFactory()
    home = reverse("articles:home")
    _get(Client(), home)  # stores the page
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        with django_assert_num_queries(0):
            page = _get(reader, home)
        assert page["X-Page-Cache"] == "hit"
        assert not page.cookies  # nothing per reader: any cache may keep the page
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert "X-CSRFToken" not in page.content.decode()
        form = soup(page).select_one("form.language-switcher")
        assert form["action"] == reverse("set_language")
        switched = reader.post(reverse("set_language"), {"language": "en", "next": home})
        assert switched.status_code == 302
        assert switched.cookies["django_language"].value == "en"


def test_signed_in_readers_pages_carry_their_csrf_token_for_htmx(client, user, article):
    client.force_login(user)
    page = _get(client, article.get_absolute_url())
    token = client.cookies["csrftoken"].value
    header = soup(page).body["hx-headers"]
    assert header.startswith('{"X-CSRFToken": "') and len(header) == len('{"X-CSRFToken": ""}') + 64
    assert token


def _token_page(request):
    from django.template import engines

    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    return HttpResponse(template.render({}, request))


urlpatterns = [
    path("token-page/", caching.anonymous_page([caching.ARTICLES])(_token_page)),
]


@pytest.mark.urls(__name__)
def test_a_cached_page_with_a_csrf_token_gets_each_readers_own(django_assert_num_queries):
    _get(Client(), "/token-page/")  # stores the page, with a placeholder for the token
    tokens = []
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        with django_assert_num_queries(0):
            page = _get(reader, "/token-page/")
        assert page["X-Page-Cache"] == "hit"
        assert "csrftoken" in page.cookies  # set for this reader, as on an uncached page
        token = soup(page).select_one("input[name=csrfmiddlewaretoken]")["value"]
        assert len(token) == 64 and token not in tokens
        tokens.append(token)


def test_the_json_ld_script_gets_this_responses_nonce(anonymous, article, django_assert_num_queries):
    _, page = _cached(anonymous, article.get_absolute_url(), django_assert_num_queries)
    nonce = soup(page).select_one('script[type="application/ld+json"]')["nonce"]
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    again = _get(anonymous, article.get_absolute_url())
    assert soup(again).select_one('script[type="application/ld+json"]')["nonce"] != nonce


def test_languages_and_htmx_requests_are_cached_apart(anonymous, article):
    english = _get(anonymous, "/", headers={"Accept-Language": "en"})
    chinese = _get(anonymous, "/", headers={"Accept-Language": "zh-hans"})
    assert soup(english).html["lang"] == "en" and soup(chinese).html["lang"] == "zh-hans"
    assert _get(anonymous, "/", headers={"Accept-Language": "en"})["X-Page-Cache"] == "hit"
    assert _get(anonymous, "/", headers={"HX-Request": "true"})["X-Page-Cache"] == "miss"


def test_signed_in_readers_get_their_own_page(client, user, article, django_assert_max_num_queries):
    other = Client()
    _get(other, article.get_absolute_url())  # an anonymous reader stored the page
    pending = CommentFactory(article=article, author=user, status=Comment.Status.PENDING, body="只有我能看到")
    client.force_login(user)
    page = _get(client, article.get_absolute_url())
    assert "X-Page-Cache" not in page
    assert "只有我能看到" in _text(page)
    assert "只有我能看到" not in _text(_get(other, article.get_absolute_url()))
    assert pending.pk


def test_a_page_with_a_message_is_not_served_from_the_cache(client, user, article):
    _get(Client(), "/")  # stored for everyone
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    page = _get(client, response["Location"])  # anonymous again, with "You have signed out."
    assert "X-Page-Cache" not in page
    assert "signed out" in _text(page)
    assert _get(client, "/")["X-Page-Cache"] == "hit"  # the message has been shown


def test_unknown_query_parameters_are_rendered_but_not_stored(anonymous, article):
    first = _get(anonymous, "/?utm_source=newsletter")
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in _get(anonymous, "/?utm_source=newsletter")
    assert _get(anonymous, "/?page=1")["X-Page-Cache"] == "miss"


def test_pages_are_served_when_the_cache_server_is_down(settings, anonymous, article):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for url in ("/", article.get_absolute_url(), reverse("articles:feed_rss")):
        assert _get(anonymous, url)["X-Page-Cache"] == "miss"
    CommentFactory(article=article, body="写于缓存宕机时")  # bumps fail and are retried later
    assert "写于缓存宕机时" in _text(_get(anonymous, article.get_absolute_url()))


def test_turning_the_cache_off(settings, anonymous, article):
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 0}
    _get(anonymous, "/")
    assert "X-Page-Cache" not in _get(anonymous, "/")


# Articles change ----------------------------------------------------------------------------


def test_publishing_an_article_shows_it_on_every_list_and_feed(anonymous):
    source = SourceFactory()
    draft = ArticleFactory(
        status="draft", publish_at=None, title="尚未发布的稿件", source=source, tags=["芯片"]
    )
    urls = [
        "/",
        reverse("articles:tag", args=["芯片"]),
        reverse("articles:source", args=[source.slug]),
        reverse("articles:feed_rss"),
        reverse("articles:tag_feed", args=["芯片"]),
    ]
    for url in urls:
        assert "尚未发布的稿件" not in _get(anonymous, url).content.decode()
    draft.publish_now()
    for url in urls:
        assert "尚未发布的稿件" in _get(anonymous, url).content.decode()


def test_editing_an_article_shows_the_new_text_on_its_page_and_on_lists(anonymous, article):
    other = ArticleFactory(tags=["开源"])
    article.tags.add("开源")
    pages = ["/", article.get_absolute_url(), other.get_absolute_url()]  # related articles list it
    for url in pages:
        _get(anonymous, url)
    article.title = "改过的标题"
    article.save()
    for url in pages:
        assert "改过的标题" in _text(_get(anonymous, url))


def test_unpublishing_an_article_removes_its_page_and_its_place_in_lists(anonymous, article):
    _get(anonymous, article.get_absolute_url())
    _get(anonymous, "/")
    article.unpublish()
    assert anonymous.get(article.get_absolute_url()).status_code == 404
    assert article.title not in _text(_get(anonymous, "/"))


def test_a_renamed_tag_shows_everywhere(anonymous, article):
    article.tags.add("旧标签")
    urls = ("/", article.get_absolute_url(), reverse("articles:source", args=[article.source.slug]))
    for url in urls:
        _get(anonymous, url)
    tag = article.tags.get()
    tag.name = "新标签"
    tag.save()
    for url in urls:
        assert "新标签" in _text(_get(anonymous, url))


def test_a_renamed_source_shows_everywhere(anonymous, article):
    article.tags.add("标签")
    urls = ("/", article.get_absolute_url(), reverse("articles:tag", args=["标签"]))
    for url in urls:
        _get(anonymous, url)
    source = article.source
    source.name = "改名后的来源"
    source.save()
    for url in urls:
        assert "改名后的来源" in _text(_get(anonymous, url))


def test_a_tag_removed_from_an_article_leaves_the_tag_page(anonymous, article):
    article.tags.add("量子")
    url = reverse("articles:tag", args=["量子"])
    assert article.title in _text(_get(anonymous, url))
    article.tags.remove("量子")
    assert article.title not in _text(_get(anonymous, url))


@pytest.fixture
def long_lived_pages(settings):
    # Entries would live a day: only the schedule can end them in these tests.
    settings.QINGTAN = {**settings.QINGTAN, "PAGE_CACHE_SECONDS": 86400}


def test_a_scheduled_article_appears_when_its_time_comes(anonymous, time_machine, long_lived_pages):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    ArticleFactory(title="定时发布的文章", publish_at=now + datetime.timedelta(hours=2))
    assert "定时发布的文章" not in _text(_get(anonymous, "/"))
    assert _get(anonymous, "/")["X-Page-Cache"] == "hit"
    time_machine.move_to(now + datetime.timedelta(hours=2, seconds=1), tick=False)
    assert "定时发布的文章" in _text(_get(anonymous, "/"))


def test_an_article_disappears_when_its_takedown_time_passes(anonymous, time_machine, long_lived_pages):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = ArticleFactory(takedown_at=now + datetime.timedelta(minutes=30))
    assert _get(anonymous, article.get_absolute_url())["X-Page-Cache"] == "miss"
    assert _get(anonymous, "/")["X-Page-Cache"] == "miss"
    time_machine.move_to(now + datetime.timedelta(minutes=31), tick=False)
    assert anonymous.get(article.get_absolute_url()).status_code == 404
    assert article.title not in _text(_get(anonymous, "/"))


def test_comments_closing_with_age_close_on_the_cached_page(
    settings, anonymous, time_machine, long_lived_pages
):
    settings.QINGTAN = {**settings.QINGTAN, "CLOSE_COMMENTS_AFTER_DAYS": 1}
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = ArticleFactory(publish_at=now - datetime.timedelta(hours=23))
    assert "Comments close 1 day after publication" not in _text(_get(anonymous, article.get_absolute_url()))
    time_machine.move_to(now + datetime.timedelta(hours=1, seconds=1), tick=False)
    assert "Comments close 1 day after publication" in _text(_get(anonymous, article.get_absolute_url()))


# Discussions change -------------------------------------------------------------------------


def test_a_posted_comment_shows_on_the_article_page_and_in_the_home_count(anonymous, commenter, article):
    assert "1 comment" not in _text(_get(anonymous, "/"))
    _get(anonymous, article.get_absolute_url())
    response = commenter.post(reverse("discussions:post", args=[article.pk]), {"body": "刚刚发表的评论"})
    assert response.status_code == 302
    assert "刚刚发表的评论" in _text(_get(anonymous, article.get_absolute_url()))
    assert "1 comment" in _text(_get(anonymous, "/"))


def test_an_edited_comment_shows_its_new_text(anonymous, commenter, user, article):
    comment = CommentFactory(article=article, author=user, body="初稿")
    _get(anonymous, article.get_absolute_url())
    response = commenter.post(reverse("discussions:edit", args=[comment.pk]), {"body": "修改后的评论"})
    assert response.status_code == 302
    text = _text(_get(anonymous, article.get_absolute_url()))
    assert "修改后的评论" in text and "初稿" not in text


def test_a_comment_deleted_by_its_author_is_gone(anonymous, commenter, user, article):
    comment = CommentFactory(article=article, author=user, body="我要删掉这条")
    assert "1 comment" in _text(_get(anonymous, "/"))
    _get(anonymous, article.get_absolute_url())
    assert commenter.post(reverse("discussions:delete", args=[comment.pk])).status_code == 302
    assert "我要删掉这条" not in _text(_get(anonymous, article.get_absolute_url()))
    assert "0 comments" in _text(_get(anonymous, "/"))


def test_a_vote_changes_the_score_on_the_page(anonymous, commenter, article):
    comment = CommentFactory(article=article)
    assert "0 points" in _text(_get(anonymous, article.get_absolute_url()))
    assert commenter.post(reverse("discussions:vote", args=[comment.pk])).status_code == 302
    assert "1 point" in _text(_get(anonymous, article.get_absolute_url()))
    assert commenter.post(reverse("discussions:vote", args=[comment.pk])).status_code == 302  # taken back
    assert "0 points" in _text(_get(anonymous, article.get_absolute_url()))


def test_moderating_a_comment_hides_and_restores_it(anonymous, moderator, article):
    comment = CommentFactory(article=article, body="有争议的评论")
    VoteFactory(comment=comment)
    assert "有争议的评论" in _text(_get(anonymous, article.get_absolute_url()))
    assert "1 comment" in _text(_get(anonymous, "/"))
    moderation.hide_comment(comment, by=moderator, reason="test")
    assert "有争议的评论" not in _text(_get(anonymous, article.get_absolute_url()))
    assert "0 comments" in _text(_get(anonymous, "/"))
    moderation.restore_comment(comment, by=moderator)
    assert "有争议的评论" in _text(_get(anonymous, article.get_absolute_url()))


def test_a_question_edited_and_a_pick_pinned_show_on_the_page(anonymous, editor, article):
    question = QuestionFactory(article=article, text="原来的问题")
    answer = CommentFactory(article=article, question=question, body="最好的回答")
    _get(anonymous, article.get_absolute_url())
    question.text = "改写后的问题"
    question.save()
    assert "改写后的问题" in _text(_get(anonymous, article.get_absolute_url()))
    moderation.pin_answer(answer, by=editor)
    assert "Editor's pick" in _text(_get(anonymous, article.get_absolute_url()))


def test_locking_and_closing_a_thread_show_on_the_page(anonymous, moderator, article):
    _get(anonymous, article.get_absolute_url())
    moderation.lock_thread(article, by=moderator, reason="off topic")
    assert "Staff have locked this discussion" in _text(_get(anonymous, article.get_absolute_url()))
    moderation.unlock_thread(article, by=moderator)
    moderation.close_comments(article, by=moderator)
    assert "Comments on this article are closed" in _text(_get(anonymous, article.get_absolute_url()))


def test_a_changed_display_name_shows_on_the_articles_commented_on(anonymous, user, article):
    CommentFactory(article=article, author=user)
    elsewhere = ArticleFactory()
    _get(anonymous, article.get_absolute_url())
    _get(anonymous, elsewhere.get_absolute_url())
    user.display_name = "新的名字"
    user.save()
    assert "新的名字" in _text(_get(anonymous, article.get_absolute_url()))
    assert _get(anonymous, elsewhere.get_absolute_url())["X-Page-Cache"] == "hit"  # nothing to change


def test_the_profile_form_changes_the_name_on_cached_pages(anonymous, commenter, user, article):
    CommentFactory(article=article, author=user)
    _get(anonymous, article.get_absolute_url())
    response = commenter.post(
        reverse("accounts:edit_profile"), {"display_name": "改名的读者", "bio": "", "website": ""}
    )
    assert response.status_code == 302, response.content
    assert "改名的读者" in _text(_get(anonymous, article.get_absolute_url()))


def test_a_deleted_account_leaves_no_name_behind(anonymous, user, article):
    from accounts import lifecycle

    CommentFactory(article=article, author=user, body="留下的评论")
    assert user.public_name in _text(_get(anonymous, article.get_absolute_url()))
    lifecycle.delete_account(user, keep_contributions=True)
    text = _text(_get(anonymous, article.get_absolute_url()))
    assert "留下的评论" in text and user.public_name not in text


def test_a_change_committed_after_a_reader_cached_the_old_page_is_not_missed(anonymous, article):
    """The bump after the commit: a reader who renders while the change is not yet committed
    stores the old page under the new versions; the second bump moves past it."""
    url = article.get_absolute_url()
    before = caching.versions([caching.article_key(article.slug)])
    caching.bump_article(article.slug)  # as a receiver does, before its transaction commits
    _get(anonymous, url)  # the reader stores the page it saw
    caching._bump_now([caching.article_key(article.slug)])  # what the commit runs
    assert caching.versions([caching.article_key(article.slug)]) != before
    assert _get(anonymous, url)["X-Page-Cache"] == "miss"


# Signed-in readers: the related articles fragment -------------------------------------------


def _related_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        page = _get(client, url)
    return page, [q["sql"] for q in captured.captured_queries if '"shared_tags"' in q["sql"]]


def test_signed_in_readers_get_related_articles_from_the_fragment_cache(client, user):
    article = ArticleFactory(tags=["开源"])
    ArticleFactory(tags=["开源"], title="相关的旧文章")
    client.force_login(user)
    page, queries = _related_queries(client, article.get_absolute_url())
    assert len(queries) == 1 and "相关的旧文章" in _text(page)
    page, queries = _related_queries(client, article.get_absolute_url())
    assert queries == [] and "相关的旧文章" in _text(page)
    ArticleFactory(tags=["开源"], title="新发布的相关文章")
    page, queries = _related_queries(client, article.get_absolute_url())
    assert len(queries) == 1 and "新发布的相关文章" in _text(page)


def test_a_profile_lists_a_new_comment_and_drops_a_hidden_one(anonymous, commenter, user, moderator, article):
    CommentFactory.create_batch(2, article=article, author=user)
    assert len(soup(_get(anonymous, user.get_absolute_url())).select(".profile-comment")) == 2
    commenter.post(reverse("discussions:post", args=[article.pk]), {"body": "第三条评论"})
    page = _get(anonymous, user.get_absolute_url())
    assert len(soup(page).select(".profile-comment")) == 3 and "第三条评论" in _text(page)
    moderation.hide_comment(Comment.objects.get(body="第三条评论"), by=moderator)
    assert len(soup(_get(anonymous, user.get_absolute_url())).select(".profile-comment")) == 2


# Related articles on an article page ---------------------------------------------------------
# An article page lists up to four public articles sharing its tags, in a {% cache %} fragment
# inside the cached page. Each test has the anonymous page served from the cache first, then
# changes another article the way editors do (the admin) or lets the clock pass, and reads it.

ARTICLE_CHANGELIST = "/admin/articles/article/"


def _related(response):
    return [link.get_text(strip=True) for link in soup(response).select("nav.related li a")]


def _related_sources(response):
    return [span.get_text(strip=True) for span in soup(response).select("nav.related li .meta span")]


@pytest.fixture
def reading(anonymous, django_assert_num_queries):
    """An article tagged 开源 whose page anonymous readers are already served from the cache."""
    article = ArticleFactory(title="正在读的文章", tags=["开源", "芯片"])
    ArticleFactory(
        title="早就相关的文章", tags=["开源"], publish_at=timezone.now() - datetime.timedelta(days=3)
    )
    first, _ = _cached(anonymous, article.get_absolute_url(), django_assert_num_queries)
    assert _related(first) == ["早就相关的文章"]
    return article


@pytest.fixture
def editor_client(editor):
    staff = Client()
    staff.force_login(editor)
    return staff


def _admin_action(editor_client, action, article):
    response = editor_client.post(
        ARTICLE_CHANGELIST, {"action": action, "_selected_action": [article.pk]}, follow=True
    )
    assert response.status_code == 200


def _admin_edit(editor_client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(editor_client.get(url), "article_form")
    data.update(changes)
    response = editor_client.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")


def test_an_article_published_with_shared_tags_joins_the_related_list(anonymous, reading, editor_client):
    draft = ArticleFactory(title="刚发布的相关文章", status="draft", publish_at=None, tags=["开源"])
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["早就相关的文章"]
    _admin_action(editor_client, "publish_now", draft)
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["刚发布的相关文章", "早就相关的文章"]


def test_an_unpublished_or_archived_article_leaves_the_related_list(anonymous, reading, editor_client):
    other = ArticleFactory(title="将被撤下的文章", tags=["芯片"])
    assert "将被撤下的文章" in _related(_get(anonymous, reading.get_absolute_url()))
    _admin_action(editor_client, "unpublish", other)
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["早就相关的文章"]
    _admin_action(editor_client, "publish_now", other)
    assert "将被撤下的文章" in _related(_get(anonymous, reading.get_absolute_url()))
    _admin_action(editor_client, "archive", other)  # archived articles keep their page, not a place in lists
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["早就相关的文章"]


def test_a_related_article_retitled_in_the_admin_shows_its_new_title(anonymous, reading, editor_client):
    related = Article.objects.get(title="早就相关的文章")
    _admin_edit(editor_client, related, title="改了标题的相关文章")
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["改了标题的相关文章"]


def test_tags_given_or_taken_in_the_admin_move_articles_in_and_out_of_the_list(
    anonymous, reading, editor_client
):
    other = ArticleFactory(title="原本无关的文章", tags=["数据库"])
    assert "原本无关的文章" not in _related(_get(anonymous, reading.get_absolute_url()))
    _admin_edit(editor_client, other, tags="数据库, 芯片")
    assert "原本无关的文章" in _related(_get(anonymous, reading.get_absolute_url()))
    related = Article.objects.get(title="早就相关的文章")
    _admin_edit(editor_client, related, tags="数据库")
    assert _related(_get(anonymous, reading.get_absolute_url())) == ["原本无关的文章"]


def test_a_related_articles_source_renamed_shows_its_new_name(anonymous, reading, editor_client):
    source = Article.objects.get(title="早就相关的文章").source
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_data(editor_client.get(url), "source_form")
    data["name"] = "改名的出版物"
    assert editor_client.post(url, data).status_code == 302
    assert _related_sources(_get(anonymous, reading.get_absolute_url())) == ["改名的出版物"]


def test_a_scheduled_article_joins_the_related_list_when_its_time_comes(
    anonymous, time_machine, long_lived_pages
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = ArticleFactory(tags=["开源"])
    ArticleFactory(title="定时发布的相关文章", tags=["开源"], publish_at=now + datetime.timedelta(hours=2))
    assert _related(_get(anonymous, article.get_absolute_url())) == []
    assert _get(anonymous, article.get_absolute_url())["X-Page-Cache"] == "hit"
    time_machine.move_to(now + datetime.timedelta(hours=2, seconds=1), tick=False)
    assert _related(_get(anonymous, article.get_absolute_url())) == ["定时发布的相关文章"]


def test_a_related_article_leaves_the_list_when_its_takedown_time_passes(
    anonymous, time_machine, long_lived_pages
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = ArticleFactory(tags=["开源"])
    ArticleFactory(
        title="到期撤下的相关文章", tags=["开源"], takedown_at=now + datetime.timedelta(minutes=30)
    )
    assert _related(_get(anonymous, article.get_absolute_url())) == ["到期撤下的相关文章"]
    assert _get(anonymous, article.get_absolute_url())["X-Page-Cache"] == "hit"
    time_machine.move_to(now + datetime.timedelta(minutes=31), tick=False)
    assert _related(_get(anonymous, article.get_absolute_url())) == []


@pytest.mark.parametrize("name", ["tag", "source", "archive", "feed_rss", "feed_atom", "tag_feed"])
def test_scheduled_and_taken_down_articles_come_and_go_on_every_list_and_feed(
    anonymous, time_machine, long_lived_pages, name
):
    now = datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC)  # both articles in one month
    time_machine.move_to(now, tick=False)
    source = SourceFactory()
    publish_at = now + datetime.timedelta(hours=2)
    ArticleFactory(title="定时发布的文章", source=source, tags=["开源"], publish_at=publish_at)
    ArticleFactory(
        title="到期撤下的文章",
        source=source,
        tags=["开源"],
        publish_at=publish_at - datetime.timedelta(days=1),
        takedown_at=publish_at + datetime.timedelta(hours=1),
    )
    url = reverse(
        f"articles:{name}",
        kwargs={
            "tag": {"slug": "开源"},
            "tag_feed": {"slug": "开源"},
            "source": {"slug": source.slug},
            "archive": {"year": publish_at.year, "month": publish_at.month},
        }.get(name, {}),
    )
    page = _get(anonymous, url).content.decode()
    assert "定时发布的文章" not in page and "到期撤下的文章" in page
    assert _get(anonymous, url)["X-Page-Cache"] == "hit"
    time_machine.move_to(publish_at + datetime.timedelta(seconds=1), tick=False)
    page = _get(anonymous, url).content.decode()
    assert "定时发布的文章" in page and "到期撤下的文章" in page
    time_machine.move_to(publish_at + datetime.timedelta(hours=1, seconds=1), tick=False)
    page = _get(anonymous, url).content.decode()
    assert "定时发布的文章" in page and "到期撤下的文章" not in page


# More change paths through the public surface ------------------------------------------------


def test_a_held_comment_approved_in_the_moderation_queue_shows_with_its_count(
    settings, anonymous, commenter, moderator, article
):
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 1}
    commenter.post(reverse("discussions:post", args=[article.pk]), {"body": "等待审核的第一条评论"})
    held = Comment.objects.get(body="等待审核的第一条评论")
    assert held.status == Comment.Status.PENDING
    assert "等待审核的第一条评论" not in _text(_get(anonymous, article.get_absolute_url()))
    assert "0 comments" in _text(_get(anonymous, "/"))
    staff = Client()
    staff.force_login(moderator)
    response = staff.post(reverse("discussions:moderate", args=[held.pk]), {"action": "approve"})
    assert response.status_code == 302
    assert "等待审核的第一条评论" in _text(_get(anonymous, article.get_absolute_url()))
    assert "1 comment" in _text(_get(anonymous, "/"))


def test_a_comment_hidden_by_readers_reports_leaves_the_cached_page(settings, anonymous, article):
    from tests.factories import UserFactory

    settings.QINGTAN = {**settings.QINGTAN, "HIDE_AFTER_REPORTS": 2}
    comment = CommentFactory(article=article, body="被举报的评论")
    assert "被举报的评论" in _text(_get(anonymous, article.get_absolute_url()))
    assert "1 comment" in _text(_get(anonymous, "/"))
    for _ in range(2):
        reader = Client()
        reader.force_login(UserFactory())
        response = reader.post(reverse("discussions:report", args=[comment.pk]), {"reason": "spam"})
        assert response.status_code == 302
    assert "被举报的评论" not in _text(_get(anonymous, article.get_absolute_url()))
    assert "0 comments" in _text(_get(anonymous, "/"))


def test_questions_added_and_removed_in_the_admin_show_on_the_page(anonymous, editor_client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert "新加的问题?" not in _text(_get(anonymous, article.get_absolute_url()))
    data = form_data(editor_client.get(url), "article_form")
    data.update(
        {"questions-TOTAL_FORMS": "1", "questions-0-position": "1", "questions-0-text": "新加的问题?"}
    )
    assert editor_client.post(url, data).status_code == 302
    assert "新加的问题?" in _text(_get(anonymous, article.get_absolute_url()))
    data = form_data(editor_client.get(url), "article_form")
    data["questions-0-DELETE"] = "on"
    assert editor_client.post(url, data).status_code == 302
    assert "新加的问题?" not in _text(_get(anonymous, article.get_absolute_url()))


def test_a_tag_deleted_in_the_admin_leaves_every_page(anonymous, editor_client, superuser, article):
    article.tags.add("将被删除的标签")
    tag = article.tags.get()
    for url in ("/", article.get_absolute_url(), reverse("articles:source", args=[article.source.slug])):
        assert "将被删除的标签" in _text(_get(anonymous, url))
    staff = Client()
    staff.force_login(superuser)
    response = staff.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 302
    for url in ("/", article.get_absolute_url(), reverse("articles:source", args=[article.source.slug])):
        assert "将被删除的标签" not in _text(_get(anonymous, url))
    assert anonymous.get(reverse("articles:tag", args=[tag.slug])).status_code == 404


def test_a_display_name_changed_in_the_admin_shows_on_the_articles_commented_on(
    anonymous, superuser, user, article
):
    CommentFactory(article=article, author=user)
    assert user.public_name in _text(_get(anonymous, article.get_absolute_url()))
    staff = Client()
    staff.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(staff.get(url), "user_form")
    data["display_name"] = "管理员改的名字"
    response = staff.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    assert "管理员改的名字" in _text(_get(anonymous, article.get_absolute_url()))
