"""The comment POST reads what its rules need in plain SQL (participation.article_to_post_on and
location_of) and keeps the watched-word list in the cache: the answers must stay those of the
queryset methods and of threads.comment_location(), on SQLite and PostgreSQL."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.text import render_comment_markdown
from discussions import moderation, participation, threads
from discussions.models import Comment, Follow, Suspension, Thread, WatchedWord
from tests.discussions.conftest import with_rules
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _post(client, article, body, **fields):
    return client.post(reverse("discussions:post", args=[article.pk]), {"body": body, **fields})


def _notifying(callbacks):
    return [callback for callback in callbacks if "notify_about_comment" in repr(callback)]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, 302),
        ({"takedown_at": lambda now: now + HOUR}, 302),
        ({"status": Article.Status.DRAFT}, 404),
        ({"publish_at": lambda now: now + HOUR}, 404),  # scheduled
        ({"takedown_at": lambda now: now - datetime.timedelta(minutes=1)}, 404),  # taken down
        ({"status": Article.Status.ARCHIVED}, 403),  # readable, its discussion closed
    ],
)
def test_an_article_takes_comments_exactly_when_readable_says_so(client, user, fields, status):
    now = timezone.now()
    article = ArticleFactory(
        **{name: value(now) if callable(value) else value for name, value in fields.items()}
    )
    client.force_login(user)
    response = _post(client, article, "Can I?")
    assert response.status_code == status
    assert Article.objects.readable().filter(pk=article.pk).exists() == (status != 404)
    assert Comment.objects.filter(body="Can I?").exists() == (status == 302)


@pytest.mark.parametrize(
    ("until", "lifted", "refused"),
    [
        (None, False, True),  # until further notice
        (HOUR, False, True),
        (-HOUR, False, False),  # ended an hour ago
        (HOUR, True, False),  # lifted early
    ],
)
def test_a_suspension_refuses_exactly_while_in_force(client, user, article, until, lifted, refused):
    now = timezone.now()
    Suspension.objects.create(
        user=user,
        reason="Cooling off",
        until=now + until if until else None,
        created_at=now - 2 * HOUR,
        lifted_at=now if lifted else None,
    )
    assert Suspension.objects.in_force().filter(user=user).exists() == refused
    client.force_login(user)
    response = _post(client, article, "Am I back?")
    assert response.status_code == (403 if refused else 302)
    assert Comment.objects.filter(body="Am I back?").exists() == (not refused)


@pytest.mark.parametrize(
    ("thread", "refused"),
    [({}, False), ({"is_locked": True}, True), ({"is_closed": True}, True), ({"lock_reason": "old"}, False)],
)
def test_the_thread_state_read_with_the_article_decides(client, user, article, thread, refused):
    Thread.objects.create(article=article, **thread)
    client.force_login(user)
    assert _post(client, article, "Open?").status_code == (403 if refused else 302)


def test_only_another_readers_follow_of_the_article_enqueues_a_notification(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    root = CommentFactory(article=article, author=user)
    Follow.objects.create(user=user, article=article)  # the poster's own follow
    Follow.objects.create(user=other_user, article=article, comment=root)  # a thread, not the article
    Follow.objects.create(user=UserFactory(), article=ArticleFactory())  # another article
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _post(client, article, "Quiet.")
    assert _notifying(callbacks) == [] and mail.outbox == []

    Follow.objects.create(user=other_user, article=article)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _post(client, article, "Heard.")
    assert len(_notifying(callbacks)) == 1
    assert [message.to for message in mail.outbox] == [[other_user.email]]


def test_the_new_account_rule_counts_published_comments_only_and_again_for_each_comment(
    client, user, article, settings
):
    with_rules(settings, HOLD_FIRST_COMMENTS=2)
    CommentFactory(author=user, article=ArticleFactory())
    for status in (
        Comment.Status.PENDING,
        Comment.Status.HIDDEN,
        Comment.Status.REMOVED,
        Comment.Status.SPAM,
    ):
        CommentFactory(author=user, article=ArticleFactory(), status=status)
    client.force_login(user)
    _post(client, article, "Second try.")
    assert Comment.objects.get(body="Second try.").status == Comment.Status.PENDING  # 1 published < 2

    Comment.objects.filter(body="Second try.").update(status=Comment.Status.PUBLISHED)  # approved
    _post(client, article, "Third try.")
    assert Comment.objects.get(body="Third try.").status == Comment.Status.PUBLISHED


def test_the_count_read_with_the_article_serves_one_comment_only(user, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    moderator = UserFactory(is_staff=True, is_superuser=True)
    read = participation.article_to_post_on(article.pk, user=user)
    first = participation.post_comment(article=read, author=user, body="Mine, first.")
    assert first.status == Comment.Status.PENDING
    moderation.approve_comment(first, by=moderator)
    second = participation.post_comment(article=read, author=user, body="Mine, approved before.")
    assert second.status == Comment.Status.PUBLISHED  # counted again: one published now


def test_staff_are_never_new_readers(client, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=3)
    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    _post(client, article, "From the desk.")
    assert Comment.objects.get(body="From the desk.").status == Comment.Status.PUBLISHED


# The redirect: the same place as threads.comment_location() -----------------------------------


def _location_is_the_comments_place(response, user):
    comment = Comment.objects.select_related("article").latest("pk")
    assert response.status_code == 302
    assert response["Location"] == threads.comment_location(comment, user=user)
    return urlsplit(response["Location"])


@pytest.mark.parametrize(
    ("others", "replies", "page"),
    [(0, 0, ""), (45, 5, ""), (49, 0, ""), (50, 0, "page=2"), (120, 3, "page=3")],
)
def test_a_new_comment_redirects_to_its_page(client, user, article, others, replies, page):
    roots = CommentFactory.create_batch(others, article=article)
    for _ in range(replies):  # replies are on their first comment's page, not counted as places
        CommentFactory(article=article, parent=roots[-1])
    client.force_login(user)
    location = _location_is_the_comments_place(_post(client, article, "Where am I?"), user)
    assert location.query == page
    assert location.fragment == f"comment-{Comment.objects.get(body='Where am I?').pk}"


def test_the_posters_own_unpublished_comments_count_and_other_readers_do_not(
    client, user, other_user, article
):
    CommentFactory.create_batch(47, article=article)
    CommentFactory(article=article, author=user, status=Comment.Status.PENDING)  # shown to the poster
    CommentFactory(article=article, author=user, status=Comment.Status.HIDDEN)  # also
    CommentFactory(article=article, author=user, status=Comment.Status.SPAM)  # shown to nobody
    CommentFactory(article=article, author=other_user, status=Comment.Status.PENDING)  # not to the poster
    CommentFactory(article=ArticleFactory())  # another article's
    client.force_login(user)
    location = _location_is_the_comments_place(_post(client, article, "Fiftieth for me."), user)
    assert location.query == ""  # 47 + 2 of mine before it: the 50th place, on the first page
    CommentFactory(article=article, author=user, status=Comment.Status.REMOVED)
    location = _location_is_the_comments_place(_post(client, article, "Fifty-second for me."), user)
    assert location.query == "page=2"


def test_a_reply_redirects_to_the_page_of_its_threads_first_comment(client, user, article):
    roots = CommentFactory.create_batch(60, article=article)
    reply = CommentFactory(article=article, parent=roots[10])
    client.force_login(user)
    location = _location_is_the_comments_place(_post(client, article, "Deep.", parent=reply.pk), user)
    assert location.query == ""  # roots[10] is on the first page
    _location_is_the_comments_place(_post(client, article, "Late.", parent=roots[55].pk), user)


def test_comments_posted_at_the_same_instant_keep_their_order_by_id(client, user, article, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    CommentFactory.create_batch(50, article=article)
    client.force_login(user)
    location = _location_is_the_comments_place(_post(client, article, "Same instant."), user)
    assert location.query == "page=2"


# The watched-word list from the cache ---------------------------------------------------------


def test_a_change_to_the_watched_words_applies_to_the_next_comment(client, user, article):
    client.force_login(user)
    _post(client, article, "Cheap 优惠 today.")  # reads the (empty) list into the cache
    assert Comment.objects.get(body="Cheap 优惠 today.").status == Comment.Status.PUBLISHED

    word = WatchedWord.objects.create(word="优惠", action=WatchedWord.Action.HOLD)
    _post(client, article, "More 优惠 today.")
    assert Comment.objects.get(body="More 优惠 today.").status == Comment.Status.PENDING

    word.action = WatchedWord.Action.BLOCK
    word.save()
    response = _post(client, article, "Even more ＯＦ优惠.")
    assert response.status_code == 200 and "not allowed here" in response.content.decode()

    word.delete()
    _post(client, article, "Last 优惠.")
    assert Comment.objects.get(body="Last 优惠.").status == Comment.Status.PUBLISHED


def test_the_watched_words_are_read_once_and_a_post_with_every_rule_on_costs_five_queries(
    client, user, article, settings, django_assert_num_queries
):
    # The session, the user, the article with its thread, the poster's suspension, followers and
    # published comments; the INSERT; the count that finds the comment's page.
    with_rules(settings, HOLD_FIRST_COMMENTS=1, COMMENT_RATE="30/m")
    WatchedWord.objects.create(word="广告", action=WatchedWord.Action.HOLD)
    CommentFactory(author=user, article=ArticleFactory())
    client.force_login(user)
    _post(client, article, "First of the two.")
    with django_assert_num_queries(5):
        response = _post(client, article, "Second of the two.")
    assert response.status_code == 302
    assert Comment.objects.get(body="Second of the two.").status == Comment.Status.PUBLISHED


# The Markdown rendered once ---------------------------------------------------------------------


def test_the_stored_html_is_the_text_posted_and_then_the_text_of_each_edit(client, user, article):
    client.force_login(user)
    _post(client, article, "See [the paper](https://example.org/paper) <script>x</script>")
    comment = Comment.objects.get(author=user)
    assert comment.body_html == render_comment_markdown(comment.body)
    assert 'href="https://example.org/paper"' in comment.body_html and "<script>" not in comment.body_html

    response = client.post(reverse("discussions:edit", args=[comment.pk]), {"body": "Now **bold** instead."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Now **bold** instead."
    assert (
        comment.body_html == render_comment_markdown(comment.body)
        and "<strong>bold</strong>" in comment.body_html
    )

    comment.body = "Changed in the admin, no rules run."
    comment._rendered_body = ("An older text", "<p>An older text</p>")  # not this text: ignored
    comment.save()
    assert Comment.objects.get(pk=comment.pk).body_html == render_comment_markdown(comment.body)
