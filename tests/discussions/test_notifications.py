import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from accounts.models import User
from discussions.models import Comment, Follow
from discussions.tasks import notify_about_comment
from tests.discussions.conftest import HTMX, soup, url
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def _post(client, article, body, *, parent=None, capture):
    data = {"body": body} | ({"parent": parent.pk} if parent else {})
    with capture(execute=True):
        response = client.post(url("post", article.pk), data)
    assert response.status_code == 302, response.content
    return Comment.objects.get(body=body)


def _unsubscribe_path(message):
    match = re.search(r"http://testserver(/discussions/unsubscribe/[^/\s]+/)", message.body)
    assert match, message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{match.group(1)}>"
    return match.group(1)


# Following --------------------------------------------------------------------------------------


def test_a_reader_follows_and_unfollows_an_article_without_javascript(client, user, article):
    client.force_login(user)
    response = client.post(url("follow_article", article.pk), {"follow": "1"})
    assert response["Location"] == f"{article.get_absolute_url()}#discussion"
    assert Follow.objects.filter(user=user, article=article, comment=None).count() == 1
    client.post(url("follow_article", article.pk), {"follow": "1"})  # twice is still once
    assert Follow.objects.filter(user=user).count() == 1
    button = soup(client.get(article.get_absolute_url())).select_one("#follow-article button")
    assert button["aria-pressed"] == "true"
    client.post(url("follow_article", article.pk), {"follow": "0"})
    assert not Follow.objects.exists()


def test_following_with_htmx_swaps_the_button(client, user, article):
    client.force_login(user)
    fragment = soup(client.post(url("follow_article", article.pk), {"follow": "1"}, headers=HTMX))
    assert fragment.select_one("form#follow-article input[name=follow]")["value"] == "0"
    root = CommentFactory(article=article)
    fragment = soup(client.post(url("follow_thread", root.pk), {"follow": "1"}, headers=HTMX))
    assert fragment.select_one(f"form#comment-{root.pk}-follow button")["aria-pressed"] == "true"
    assert Follow.objects.filter(user=user, comment=root).exists()
    client.post(url("follow_thread", root.pk), {"follow": "0"}, headers=HTMX)
    assert not Follow.objects.filter(comment=root).exists()


def test_only_a_top_level_comment_starts_a_followable_thread(client, user, article):
    reply = CommentFactory(article=article, parent=CommentFactory(article=article))
    client.force_login(user)
    assert client.post(url("follow_thread", reply.pk)).status_code == 400
    assert client.post(url("follow_article", 99999)).status_code == 404


# Emails -----------------------------------------------------------------------------------------


def test_the_author_of_a_comment_gets_an_email_about_a_reply(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, author=other_user)
    client.force_login(user)
    reply = _post(
        client, article, "I disagree, politely.", parent=parent, capture=django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_user.email]
    assert message.subject == f"{user.display_name} replied to your comment on “{article.title}”"
    assert "I disagree, politely." in message.body
    assert f"http://testserver{article.get_absolute_url()}#comment-{reply.pk}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_for_replying_to_yourself_or_to_a_reader_who_opted_out(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    own = CommentFactory(article=article, author=user)
    quiet = CommentFactory(article=article, author=UserFactory(notify_on_reply=False))
    client.force_login(user)
    _post(client, article, "Talking to myself", parent=own, capture=django_capture_on_commit_callbacks)
    _post(client, article, "To a quiet reader", parent=quiet, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_unsubscribe_link_works_without_signing_in_and_only_on_post(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, author=other_user)
    client.force_login(user)
    _post(client, article, "A reply", parent=parent, capture=django_capture_on_commit_callbacks)
    path = _unsubscribe_path(mail.outbox[0])

    stranger = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie: as from a mail client
    page = stranger.get(path)
    assert page.status_code == 200
    assert "Stop the emails sent to" in soup(page).text
    other_user.refresh_from_db()
    assert other_user.notify_on_reply is True  # a link scanner's GET changes nothing

    done = stranger.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "you will no longer get an email" in soup(done).text
    other_user.refresh_from_db()
    assert other_user.notify_on_reply is False

    mail.outbox.clear()
    _post(client, article, "Another reply", parent=parent, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ:1tampered:signature"])
def test_a_forged_unsubscribe_link_is_refused(client, token):
    response = client.post(url("unsubscribe", token))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in soup(response).text


def test_a_link_signed_for_someone_else_cannot_be_edited_into_another_user(client, user, other_user):
    from discussions.notifications import unsubscribe_token

    token = unsubscribe_token(user, "reply", 1)
    forged = token.replace(token.split(":")[0], token.split(":")[0][:-2] + "AA")
    client.post(url("unsubscribe", forged))
    assert User.objects.get(pk=user.pk).notify_on_reply is True


def test_followers_of_an_article_hear_about_new_top_level_comments(
    client, user, article, django_capture_on_commit_callbacks
):
    follower = UserFactory()
    muted = UserFactory(notify_on_follow=False)
    for reader in (follower, muted, user):
        Follow.objects.create(user=reader, article=article)
    client.force_login(user)
    comment = _post(client, article, "A new thought", capture=django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[follower.email]]
    message = mail.outbox[0]
    assert message.subject == f"New comment on “{article.title}”"
    assert f"#comment-{comment.pk}" in message.body

    mail.outbox.clear()
    _post(
        client,
        article,
        "A reply is not a new top-level comment",
        parent=comment,
        capture=django_capture_on_commit_callbacks,
    )
    assert follower.email not in [m.to[0] for m in mail.outbox]

    path = _unsubscribe_path(message)
    assert "Stop following" in soup(Client().get(path)).text
    Client().post(path)
    assert not Follow.objects.filter(user=follower).exists()


def test_followers_of_a_thread_hear_about_replies_at_any_depth(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    root = CommentFactory(article=article, author=other_user)
    child = CommentFactory(article=article, parent=root)
    follower = UserFactory()
    Follow.objects.create(user=follower, article=article, comment=root)
    Follow.objects.create(user=other_user, article=article, comment=root)  # also the root's author
    client.force_login(user)
    _post(client, article, "Deep in the thread", parent=child, capture=django_capture_on_commit_callbacks)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {follower.email, child.author.email, other_user.email}
    assert by_recipient[follower.email].subject == f"New reply in a thread you follow on “{article.title}”"
    assert by_recipient[child.author.email].subject.startswith(user.display_name)

    path = _unsubscribe_path(by_recipient[follower.email])
    Client().post(path)
    assert not Follow.objects.filter(user=follower).exists()
    assert Follow.objects.filter(user=other_user).exists()


def test_a_reader_who_is_replied_to_and_follows_gets_one_email(
    client, user, other_user, article, django_capture_on_commit_callbacks
):
    root = CommentFactory(article=article, author=other_user)
    Follow.objects.create(user=other_user, article=article, comment=root)
    client.force_login(user)
    _post(client, article, "Once only", parent=root, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith(user.display_name)


def test_a_broken_mail_server_loses_the_email_not_the_comment(
    client, user, other_user, article, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenBackend"}}
    parent = CommentFactory(article=article, author=other_user)
    client.force_login(user)
    with caplog.at_level("ERROR", logger="discussions.notifications"):
        reply = _post(
            client, article, "Still saved", parent=parent, capture=django_capture_on_commit_callbacks
        )
    assert reply.pk
    assert "Could not send the reply notification" in caplog.text
    assert "ConnectionRefusedError" in caplog.text


def test_emails_wait_for_the_commit(client, user, other_user, article, django_capture_on_commit_callbacks):
    parent = CommentFactory(article=article, author=other_user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("post", article.pk), {"body": "Not yet", "parent": parent.pk})
    # Other after-commit work (cache invalidation) may be queued too; the email is one of them.
    notifying = [callback for callback in callbacks if "notify_about_comment" in repr(callback)]
    assert mail.outbox == [] and len(notifying) == 1


def test_nothing_is_sent_about_a_comment_hidden_before_the_task_ran(other_user, article):
    parent = CommentFactory(article=article, author=other_user)
    hidden = CommentFactory(article=article, parent=parent, status=Comment.Status.HIDDEN)
    result = notify_about_comment.enqueue(hidden.pk, "http://testserver")
    assert result.return_value == 0
    assert mail.outbox == []
