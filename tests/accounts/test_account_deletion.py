"""Deleting an account: both choices for the comments, and what stays of the threads."""

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import lifecycle
from accounts.models import User
from discussions.models import DELETED_BODY, Comment, Flag, Follow, Vote
from tests.factories import PASSWORD, ArticleFactory, CommentFactory, FlagFactory, UserFactory, VoteFactory


@pytest.fixture
def thread(user, other_user):
    """The leaving reader's comment with a reply by someone else, and their votes, reports and
    follows on other people's comments. Scores count votes, as the discussions app keeps them."""
    third = UserFactory()
    article = ArticleFactory()
    mine = CommentFactory(author=user, article=article, body="**我的**观点", score=1)
    reply = CommentFactory(author=other_user, article=article, parent=mine, body="回复你", score=2)
    my_reply_to_reply = CommentFactory(author=user, article=article, parent=reply, body="再回复")
    theirs = CommentFactory(author=other_user, article=article, body="另一条", score=1)
    VoteFactory(user=other_user, comment=mine)
    VoteFactory(user=user, comment=reply)
    VoteFactory(user=third, comment=reply)
    VoteFactory(user=user, comment=theirs)
    FlagFactory(user=user, comment=theirs)
    FlagFactory(user=third, comment=mine)
    Follow.objects.create(user=user, article=article)
    Follow.objects.create(user=other_user, article=article, comment=mine)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return {"mine": mine, "reply": reply, "my_reply": my_reply_to_reply, "theirs": theirs, "third": third}


def delete(client, comments, password=PASSWORD):
    return client.post(reverse("accounts:delete_account"), {"comments": comments, "password": password})


def refreshed(*comments):
    for comment in comments:
        comment.refresh_from_db()


def assert_others_data_intact(thread, other_user):
    reply, theirs = thread["reply"], thread["theirs"]
    refreshed(reply, theirs)
    assert reply.author == other_user and reply.body == "回复你"
    assert reply.parent_id == thread["mine"].pk  # the reply still hangs where it did
    assert theirs.author == other_user and theirs.body == "另一条"
    # Their votes are gone and the scores say so; everybody else's votes and reports stay.
    assert reply.score == 1 and theirs.score == 0
    assert Vote.objects.filter(comment=reply, user=thread["third"]).exists()
    assert Vote.objects.filter(comment=thread["mine"], user=other_user).exists()
    assert Flag.objects.filter(comment=thread["mine"], user=thread["third"]).exists()
    assert Follow.objects.filter(user=other_user, comment=thread["mine"]).exists()


def test_delete_keeping_comments_attributed_to_deleted_user(client, user, other_user, thread):
    client.force_login(user)
    pk = user.pk

    response = delete(client, "keep")

    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert "_auth_user_id" not in client.session
    mine, my_reply = thread["mine"], thread["my_reply"]
    refreshed(mine, my_reply)
    assert mine.author is None and mine.body == "**我的**观点" and not mine.is_deleted
    assert my_reply.author is None and my_reply.body == "再回复"
    assert not Vote.objects.filter(user_id=pk).exists()
    assert not Flag.objects.filter(user_id=pk).exists()
    assert not Follow.objects.filter(user_id=pk).exists()
    assert_others_data_intact(thread, other_user)


def test_delete_replacing_comment_text(client, user, other_user, thread):
    client.force_login(user)
    pk = user.pk

    delete(client, "erase")

    assert not User.objects.filter(pk=pk).exists()
    mine, my_reply = thread["mine"], thread["my_reply"]
    refreshed(mine, my_reply)
    for comment in (mine, my_reply):
        assert comment.author is None
        assert comment.body == DELETED_BODY
        assert comment.is_deleted
        assert "我的" not in comment.body_html and "再回复" not in comment.body_html
        assert DELETED_BODY in comment.body_html
    assert Comment.objects.count() == 4  # nothing removed from the thread
    assert not Vote.objects.filter(user_id=pk).exists()
    assert not Flag.objects.filter(user_id=pk).exists()
    assert_others_data_intact(thread, other_user)


def test_the_thread_page_still_shows_the_reply(client, user, other_user, thread):
    client.force_login(user)
    delete(client, "erase")

    page = client.get(thread["mine"].article.get_absolute_url())

    assert page.status_code == 200
    assert "回复你" in page.text
    assert "我的" not in page.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"comments": "keep", "password": "wrong"}, "password"),
        ({"comments": "keep", "password": ""}, "password"),
        ({"comments": "", "password": PASSWORD}, "comments"),
        ({"comments": "burn-it-all", "password": PASSWORD}, "comments"),
    ],
)
def test_deletion_needs_the_password_and_a_choice(client, user, data, field):
    client.force_login(user)

    response = client.post(reverse("accounts:delete_account"), data)

    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert User.objects.filter(pk=user.pk).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_guessing_on_the_deletion_form_is_limited(client, user):
    client.force_login(user)

    with time_machine.travel("2026-03-01 12:00:10", tick=False):  # one rate window, however slow hashing is
        statuses = [delete(client, "keep", "guess").status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    assert User.objects.filter(pk=user.pk).exists()


def test_deletion_is_all_or_nothing(client, user, other_user, thread):
    def failing_erase(user, *, keep_contributions):
        raise RuntimeError("disk full")

    lifecycle.register(lifecycle.PersonalData("zz-failing", lambda user: None, failing_erase))
    try:
        with pytest.raises(RuntimeError):
            lifecycle.delete_account(user, keep_contributions=False)
    finally:
        lifecycle._registry.pop("zz-failing")

    assert User.objects.filter(pk=user.pk).exists()
    refreshed(thread["mine"], thread["reply"])
    assert thread["mine"].author == user and thread["mine"].body == "**我的**观点"
    assert thread["reply"].score == 2
    assert Vote.objects.filter(user=user).count() == 2


def test_the_last_administrator_cannot_leave(client, superuser):
    client.force_login(superuser)

    response = delete(client, "keep")

    assert response.status_code == 302
    assert User.objects.filter(pk=superuser.pk).exists()


def test_an_account_without_password_is_asked_to_set_one(client, user):
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    response = client.get(reverse("accounts:delete_account"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_set_password")
