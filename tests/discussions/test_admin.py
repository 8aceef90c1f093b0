"""The discussion parts of the admin, through its HTTP interface."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from discussions.models import Comment, ModerationAction, Question, Thread
from tests.articles.conftest import form_data, soup
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
COMMENTS = "/admin/discussions/comment/"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _submit(client, article, **changes):
    data = form_data(client.get(change_url(article)), "article_form")
    data.update(changes)
    return client.post(change_url(article), data)


def test_the_article_list_counts_published_comments_in_one_query(
    client, editor, django_assert_max_num_queries
):
    busy = ArticleFactory(title="Busy one")
    ArticleFactory(title="Quiet one")
    CommentFactory.create_batch(3, article=busy)
    CommentFactory(article=busy, status=Comment.Status.HIDDEN)
    ArticleFactory.create_batch(5)
    client.force_login(editor)
    with django_assert_max_num_queries(14):  # the same with 7 rows or 70: no query per row
        response = client.get(ARTICLES)
    rows = {row.select_one("th a").text: row for row in soup(response).select("#result_list tbody tr")}
    assert rows["Busy one"].select_one("td.field-comment_count").text == "3"
    assert rows["Quiet one"].select_one("td.field-comment_count").text == "0"
    ordered = soup(client.get(ARTICLES, {"o": "-6"})).select("#result_list tbody tr th a")
    assert ordered[0].text == "Busy one"


def test_editors_write_the_questions_inline_with_the_article(client, editor, article):
    client.force_login(editor)
    page = soup(client.get(change_url(article)))
    assert page.select_one("#questions-group") is not None
    data = form_data(client.get(change_url(article)), "article_form")
    data.update(
        {
            "questions-TOTAL_FORMS": "2",
            "questions-0-position": "2",
            "questions-0-text": "Second question?",
            "questions-1-position": "1",
            "questions-1-text": "First question?",
        }
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    assert list(article.questions.values_list("position", "text")) == [
        (1, "First question?"),
        (2, "Second question?"),
    ]


def test_more_than_four_questions_is_allowed_with_a_warning(client, editor, article):
    for n in range(5):
        QuestionFactory(article=article, position=n)
    client.force_login(editor)
    response = _submit(client, article)
    assert response.status_code == 302
    assert any("readers rarely answer more than four" in str(m) for m in get_messages(response.wsgi_request))


def test_closing_comments_in_the_admin_is_a_logged_moderation_action(client, editor, article):
    client.force_login(editor)
    page = soup(client.get(change_url(article)))
    assert page.select_one("input[name='thread-0-is_closed']") is not None
    assert page.select_one("input[name='thread-0-is_locked']") is None  # editors cannot lock
    response = _submit(client, article, **{"thread-0-is_closed": "on"})
    assert response.status_code == 302
    assert Thread.objects.get(article=article).is_closed
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.article) == ("close", editor, article)

    data = form_data(client.get(change_url(article)), "article_form")
    data.pop("thread-0-is_closed")
    client.post(change_url(article), data)
    assert not Thread.objects.get(article=article).is_closed
    assert ModerationAction.objects.filter(kind="reopen").count() == 1


def test_a_superuser_locks_in_the_admin_with_a_reason(client, superuser, article):
    client.force_login(superuser)
    _submit(client, article, **{"thread-0-is_locked": "on", "thread-0-lock_reason": "Brigading"})
    thread = Thread.objects.get(article=article)
    assert (thread.is_locked, thread.locked_by, thread.lock_reason) == (True, superuser, "Brigading")
    action = ModerationAction.objects.get()
    assert (action.kind, action.reason, action.actor_role) == ("lock", "Brigading", "administrator")
    _submit(client, article)  # saving again changes nothing
    assert ModerationAction.objects.count() == 1


def test_the_comment_list_shows_status_article_and_author_with_filters_and_search(client, moderator):
    article = ArticleFactory(title="Cooling costs")
    published = CommentFactory(article=article, body="Liquid cooling pays off")
    hidden = CommentFactory(article=article, body="Rude remark", status=Comment.Status.HIDDEN)
    CommentFactory(body="Elsewhere entirely")
    client.force_login(moderator)
    page = soup(client.get(COMMENTS))
    rows = page.select("#result_list tbody tr")
    assert len(rows) == 3
    first = page.select_one("#result_list tbody tr")
    assert {"field-status", "field-article", "field-author_link"} <= {
        c for td in first.find_all("td") for c in td["class"]
    }
    filtered = soup(client.get(COMMENTS, {"status__exact": "hidden"}))
    assert [a.text for a in filtered.select("#result_list tbody th a")] == ["Rude remark"]
    searched = soup(client.get(COMMENTS, {"q": "liquid"}))
    assert [a.text for a in searched.select("#result_list tbody th a")] == ["Liquid cooling pays off"]
    by_article = soup(client.get(COMMENTS, {"article__id__exact": article.pk}))
    assert len(by_article.select("#result_list tbody tr")) == 2
    detail = client.get(reverse("admin:discussions_comment_change", args=[published.pk]))
    assert detail.status_code == 200
    assert client.get(f"{COMMENTS}add/").status_code == 403
    assert hidden.status == Comment.Status.HIDDEN


def test_readers_do_not_get_into_the_comment_admin(client, user):
    client.force_login(user)
    assert client.get(COMMENTS).status_code == 302


def test_editors_question_permissions_come_from_the_migration(editor, moderator):
    assert editor.has_perms(
        ["discussions.add_question", "discussions.change_question", "discussions.curate_answers"]
    )
    assert not editor.has_perm("discussions.lock_thread")
    assert moderator.has_perms(
        ["discussions.moderate_comment", "discussions.lock_thread", "discussions.suspend_user"]
    )
    assert not moderator.has_perm("discussions.delete_comment")
    assert Question.objects.count() == 0
