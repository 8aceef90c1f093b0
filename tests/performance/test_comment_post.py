"""A comment POST costs a fixed, small number of queries, whatever the size of the discussion, and
still applies every rule (bench/run's POST row: bench/RESULTS.md, "Load").

Six: the session and the user (Django); the article with its thread state, the poster's
suspension, their published comments as far as the new-reader hold counts and whether other
readers follow it, in one query; the watched words (kept in the cache afterwards until the list
changes: five from the second POST on, tests/discussions/test_posting_read.py); the comment's
INSERT (a published comment is one row: no transaction of its own); and the count that puts the
redirect on the thread's right page.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Follow, Suspension, Thread, WatchedWord
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENT_POST_QUERIES = 6


def _post_url(article):
    return reverse("discussions:post", args=[article.pk])


def _discussion(article, *, top_level):
    questions = [QuestionFactory(article=article, position=n) for n in range(3)]
    authors = UserFactory.create_batch(4)
    roots = [
        CommentFactory(article=article, author=authors[n % 4], question=questions[n % 3])
        for n in range(top_level)
    ]
    for root in roots[:5]:
        CommentFactory(article=article, author=authors[0], parent=root)
    return questions, roots


def _notifying(callbacks):
    return [callback for callback in callbacks if "notify_about_comment" in repr(callback)]


@pytest.mark.parametrize(("top_level", "page"), [(3, None), (60, "2")])
def test_a_comment_post_costs_the_same_queries_with_3_or_60_comments(
    client, user, article, django_assert_max_num_queries, top_level, page
):
    _discussion(article, top_level=top_level)
    client.force_login(user)
    with django_assert_max_num_queries(COMMENT_POST_QUERIES):
        response = client.post(_post_url(article), {"body": "Posted in a few queries."})
    comment = Comment.objects.get(body="Posted in a few queries.")
    assert (comment.author, comment.status, comment.question) == (user, Comment.Status.PUBLISHED, None)
    location = urlsplit(response["Location"])
    assert response.status_code == 302 and location.fragment == f"comment-{comment.pk}"
    assert parse_qs(location.query).get("page", [None])[0] == page  # 50 top-level comments a page


def test_answering_a_question_reads_the_questions_once(client, user, article, django_assert_max_num_queries):
    questions, _ = _discussion(article, top_level=3)
    client.force_login(user)
    with django_assert_max_num_queries(COMMENT_POST_QUERIES + 1):
        response = client.post(_post_url(article), {"body": "My answer.", "question": questions[2].pk})
    assert response.status_code == 302
    assert Comment.objects.get(body="My answer.").question == questions[2]


def test_a_reply_costs_the_parent_and_its_notification(
    client, user, other_user, article, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    _, roots = _discussion(article, top_level=3)
    roots[1].author = other_user
    roots[1].save()
    client.force_login(user)
    # The parent; the notification task (immediate backend): the reply with its article and
    # authors, and the thread's followers.
    with (
        django_assert_max_num_queries(COMMENT_POST_QUERIES + 3),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_post_url(article), {"body": "A reply.", "parent": roots[1].pk})
    assert response.status_code == 302
    assert Comment.objects.get(body="A reply.").parent == roots[1]
    assert [message.to for message in mail.outbox] == [[other_user.email]]


def test_no_notification_task_for_a_comment_on_an_article_nobody_else_follows(
    client, user, article, django_capture_on_commit_callbacks
):
    Follow.objects.create(user=user, article=article)  # the author's own follow tells nobody
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(_post_url(article), {"body": "Nobody to tell."})
    assert _notifying(callbacks) == [] and mail.outbox == []

    follower = UserFactory()
    Follow.objects.create(user=follower, article=article)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(_post_url(article), {"body": "Now somebody listens."})
    assert len(_notifying(callbacks)) == 1
    assert [message.to for message in mail.outbox] == [[follower.email]]


def _locked(article, user):
    Thread.objects.create(article=article, is_locked=True)


def _closed(article, user):
    Thread.objects.create(article=article, is_closed=True)


def _suspended(article, user):
    Suspension.objects.create(
        user=user, reason="Cooling off", until=timezone.now() + datetime.timedelta(days=1)
    )


def _archived(article, user):
    article.status = article.Status.ARCHIVED
    article.save()


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        (_locked, "Staff have locked this discussion"),
        (_closed, "Comments on this article are closed"),
        (_suspended, "Reason: Cooling off"),
        (_archived, "This article is archived"),
    ],
)
def test_the_rules_read_in_the_same_query_still_refuse(client, user, article, rule, reason):
    rule(article, user)
    client.force_login(user)
    response = client.post(_post_url(article), {"body": "Let me in."})
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert not Comment.objects.filter(body="Let me in.").exists()


def test_a_lifted_suspension_or_another_readers_suspension_refuses_nobody(client, user, other_user, article):
    Suspension.objects.create(user=user, reason="Over", lifted_at=timezone.now())
    Suspension.objects.create(user=other_user, reason="Not you")
    client.force_login(user)
    assert client.post(_post_url(article), {"body": "Back again."}).status_code == 302


def test_the_content_rules_and_the_rate_limit_still_hold(client, user, article, settings):
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 1, "COMMENT_RATE": "3/m"}
    WatchedWord.objects.create(word="博彩", action=WatchedWord.Action.BLOCK)
    WatchedWord.objects.create(word="优惠", action=WatchedWord.Action.HOLD)
    client.force_login(user)

    blocked = client.post(_post_url(article), {"body": "来玩博彩"})
    assert blocked.status_code == 200 and "not allowed here" in blocked.content.decode()
    client.post(_post_url(article), {"body": "My first comment."})
    assert Comment.objects.get(body="My first comment.").status == Comment.Status.PENDING  # new reader
    CommentFactory(author=user, article=ArticleFactory())  # now one published comment
    client.post(_post_url(article), {"body": "今天有优惠"})
    assert Comment.objects.get(body="今天有优惠").status == Comment.Status.PENDING  # watched word
    assert client.post(_post_url(article), {"body": "One too many."}).status_code == 429
    assert not Comment.objects.filter(body="One too many.").exists()
