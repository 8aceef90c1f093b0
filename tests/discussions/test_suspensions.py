"""Suspending readers from the moderation queue: until a date or until lifted, with a reason they
see wherever they would comment, vote or report; lifting it from the suspended-readers tab."""

import datetime

import pytest
from django.utils import timezone

from discussions.models import Comment, Flag, ModerationAction, Suspension, Vote
from tests.discussions.conftest import HTMX, message_of, page_of, soup, url
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def _day_after_tomorrow():
    return timezone.localdate() + datetime.timedelta(days=2)


def test_a_moderator_suspends_a_reader_from_the_queue_until_a_date(client, moderator, user, article):
    held = CommentFactory(article=article, author=user, status=Comment.Status.PENDING)
    client.force_login(moderator)
    link = soup(client.get(url("moderation_queue"))).select_one(f"#mod-item-{held.pk} .mod-author__suspend")
    form_page = soup(client.get(link["href"]))
    assert form_page.select_one("form.mod-suspend-form input[name=until][type=date]") is not None
    assert "Awaiting moderation: 1" in form_page.select_one(".mod-author__facts").text
    day = _day_after_tomorrow()
    response = client.post(
        url("suspend", user.pk), {"until": day.isoformat(), "reason": "Spam links in every thread"}
    )
    assert response["Location"] == url("moderation_suspended")
    suspension = Suspension.objects.get()
    assert (suspension.user, suspension.created_by, suspension.reason) == (
        user,
        moderator,
        "Spam links in every thread",
    )
    assert timezone.localtime(suspension.until).date() == day
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.actor, entry.target_user, entry.reason) == (
        "suspend",
        moderator,
        user,
        "Spam links in every thread",
    )
    assert datetime.datetime.fromisoformat(entry.details["until"]) == suspension.until

    tab = soup(client.get(url("moderation_suspended")))
    row = tab.select_one(f"#suspension-{suspension.pk}")
    assert user.public_name in row.text and "Spam links in every thread" in row.text
    assert soup(client.get(url("moderation_queue"))).select_one(f"#mod-item-{held.pk} .mod-author__suspended")


def test_a_suspended_reader_reads_but_cannot_comment_vote_or_report_and_is_told_why(
    client, moderator, user, article
):
    comment = CommentFactory(article=article, body="Someone else's words")
    client.force_login(moderator)
    client.post(
        url("suspend", user.pk), {"until": _day_after_tomorrow().isoformat(), "reason": "Repeated insults"}
    )

    client.force_login(user)
    page = page_of(client, article)
    note = page.select_one("#comment-form").text
    assert "Your account is suspended until" in note and "Reason: Repeated insults" in note
    assert page.select_one("#comment-form textarea") is None
    shown = page.select_one(f"#comment-{comment.pk}")
    assert "Someone else's words" in shown.text
    assert shown.select_one(".vote form") is None
    assert shown.find("a", string="Report") is None and shown.find("a", string="Reply") is None
    for response in (
        client.post(url("post", article.pk), {"body": "Let me in"}),
        client.post(url("post", article.pk), {"body": "A reply", "parent": comment.pk}),
        client.post(url("vote", comment.pk)),
        client.post(url("report", comment.pk), {"reason": "spam"}),
        client.get(url("report", comment.pk)),
    ):
        assert response.status_code == 403
        assert "Reason: Repeated insults" in message_of(response)
    htmx = client.post(url("vote", comment.pk), headers=HTMX)
    assert htmx.status_code == 403 and "Repeated insults" in soup(htmx).text
    assert Comment.objects.count() == 1 and not Vote.objects.exists() and not Flag.objects.exists()


def test_an_indefinite_suspension_says_so(client, moderator, user, article):
    client.force_login(moderator)
    client.post(url("suspend", user.pk), {"until": "", "reason": "Ban evasion"})
    assert Suspension.objects.get().until is None
    client.force_login(user)
    assert "suspended until further notice" in page_of(client, article).select_one("#comment-form").text


def test_lifting_a_suspension_lets_the_reader_back_and_is_logged(client, moderator, user, article):
    client.force_login(moderator)
    client.post(url("suspend", user.pk), {"reason": "Cooling off"})
    suspension = Suspension.objects.get()
    response = client.post(url("lift_suspension", suspension.pk), follow=True)
    assert "is lifted" in soup(response).select_one(".messages").text
    suspension.refresh_from_db()
    assert (suspension.lifted_by, suspension.lifted_at is not None) == (moderator, True)
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["unsuspend", "suspend"]
    assert soup(client.get(url("moderation_suspended"))).select_one(f"#suspension-{suspension.pk}") is None
    assert client.post(url("lift_suspension", suspension.pk)).status_code == 302  # refused with a message
    assert ModerationAction.objects.count() == 2

    client.force_login(user)
    assert client.post(url("post", article.pk), {"body": "Back again"}).status_code == 302


def test_lifting_with_htmx_swaps_the_row(client, moderator, user):
    suspension = Suspension.objects.create(user=user, reason="Spam")
    client.force_login(moderator)
    response = client.post(url("lift_suspension", suspension.pk), headers=HTMX)
    row = soup(response).select_one(f"tr#suspension-{suspension.pk}")
    assert "mod-suspension--lifted" in row["class"] and "is lifted" in row.text


def test_a_new_suspension_replaces_the_one_in_force(client, moderator, user):
    client.force_login(moderator)
    client.post(url("suspend", user.pk), {"reason": "First"})
    first = Suspension.objects.get()
    client.post(url("suspend", user.pk), {"reason": "Longer", "until": _day_after_tomorrow().isoformat()})
    assert Suspension.objects.in_force().get(user=user).reason == "Longer"
    first.refresh_from_db()
    assert first.lifted_by == moderator
    assert ModerationAction.objects.filter(kind="suspend").first().details["replaced"] == [first.pk]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "This field is required."),
        ({"reason": "x", "until": "2001-01-01"}, "Choose a day after today."),
        ({"reason": "x", "until": "soon"}, "Enter a valid date."),
    ],
)
def test_bad_suspension_forms_are_form_errors(client, moderator, user, data, error):
    client.force_login(moderator)
    response = client.post(url("suspend", user.pk), data)
    assert response.status_code == 400
    assert error in soup(response).select_one(".errorlist").text
    assert not Suspension.objects.exists()


@pytest.mark.parametrize("target", ["editor", "superuser", "moderator"])
def test_staff_cannot_be_suspended_here(client, moderator, request, target):
    person = request.getfixturevalue(target)
    client.force_login(moderator)
    response = client.post(url("suspend", person.pk), {"reason": "x"})
    assert response.status_code == 400
    assert not Suspension.objects.exists()


def test_an_expired_suspension_leaves_the_tab_and_no_longer_refuses(client, moderator, user, article):
    Suspension.objects.create(user=user, reason="Old", until=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(moderator)
    assert soup(client.get(url("moderation_suspended"))).select("tr.mod-suspension") == []
    client.force_login(user)
    assert client.post(url("post", article.pk), {"body": "Free again"}).status_code == 302


def test_the_suspended_tab_finds_a_reader_by_username(client, moderator, user):
    client.force_login(moderator)
    form = soup(client.get(url("moderation_suspended"))).select_one("form.mod-find-reader")
    assert form["action"] == url("find_reader")
    response = client.get(url("find_reader"), {"username": user.username.upper()})
    assert response["Location"] == url("suspend", user.pk)
    missing = client.get(url("find_reader"), {"username": "nobody-here"}, follow=True)
    assert "No reader has the username “nobody-here”." in soup(missing).select_one(".messages").text
