"""The moderation queue at /moderation/: its tabs, one-click actions (htmx and plain POST), bulk
actions, what each decision writes in the log, and what readers and authors see afterwards."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from discussions.models import Comment, Flag, Follow, ModerationAction
from tests.discussions.conftest import HTMX, comment_ids, page_of, soup, url, with_rules
from tests.factories import ArticleFactory, CommentFactory, FlagFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def items(response):
    return [int(node["id"].removeprefix("mod-item-")) for node in soup(response).select("article.mod-item")]


def _post_action(client, comment, action, reason="", headers=None, **extra):
    data = {"action": action, "reason": reason, **extra}
    return client.post(url("moderate", comment.pk), data, headers=headers or {})


# Tabs -------------------------------------------------------------------------------------------


def test_the_pending_tab_lists_held_comments_oldest_first_with_their_context(client, moderator, article):
    now = timezone.now()
    question = QuestionFactory(article=article, text="Retrofit or build new?")
    parent = CommentFactory(article=article, body="The parent comment says hello")
    newer = CommentFactory(
        article=article, status=Status.PENDING, created_at=now - datetime.timedelta(hours=1)
    )
    older = CommentFactory(
        article=article,
        status=Status.PENDING,
        question=question,
        created_at=now - datetime.timedelta(hours=5),
        body="An **answer** waiting",
    )
    reply = CommentFactory(article=article, status=Status.PENDING, parent=parent, created_at=now)
    CommentFactory(article=article, status=Status.PENDING, is_deleted=True, body="[deleted]")
    ModerationAction.objects.create(
        kind="hold", comment=older, reason="The first published comment of a new account"
    )
    client.force_login(moderator)
    response = client.get(url("moderation_queue"))
    assert items(response) == [older.pk, newer.pk, reply.pk]
    page = soup(response)
    first = page.select_one(f"#mod-item-{older.pk}")
    assert first.select_one(".mod-item__title a")["href"] == article.get_absolute_url()
    assert "Retrofit or build new?" in first.select_one(".mod-item__context").text
    assert "The first published comment of a new account" in first.select_one(".mod-item__held").text
    assert first.select_one(".mod-item__body strong").text == "answer"
    assert [b["value"] for b in first.select("button[name=action]")] == ["approve", "remove", "spam"]
    assert "The parent comment says hello" in page.select_one(f"#mod-item-{reply.pk} .mod-item__context").text
    assert page.select_one("#tab-pending .badge").text == "3"


def test_the_author_info_shows_account_age_and_history(client, moderator, article):
    author = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=3))
    CommentFactory.create_batch(2, author=author)
    CommentFactory(author=author, status=Status.REMOVED)
    held = CommentFactory(article=article, author=author, status=Status.PENDING)
    client.force_login(moderator)
    facts = soup(client.get(url("moderation_queue"))).select_one(f"#mod-item-{held.pk} .mod-author").text
    assert "joined 3\xa0days ago" in facts
    assert "2 published" in facts and "1 waiting" in facts and "1 moderated before" in facts
    link = soup(client.get(url("moderation_queue"))).select_one(f"#mod-item-{held.pk} .mod-author__suspend")
    assert link["href"].startswith(url("suspend", author.pk))


def test_the_reported_tab_puts_the_most_reported_first_with_the_reasons(client, moderator, article):
    once = CommentFactory(article=article)
    thrice = CommentFactory(article=article)
    twice = CommentFactory(article=article, status=Status.HIDDEN)
    FlagFactory(comment=once, reason=Flag.Reason.OFF_TOPIC)
    for _ in range(3):
        FlagFactory(comment=thrice, reason=Flag.Reason.ABUSE, text="Calls people names")
    FlagFactory.create_batch(2, comment=twice)
    FlagFactory(comment=CommentFactory(article=article), resolved_at=timezone.now())  # decided already
    client.force_login(moderator)
    response = client.get(url("moderation_reported"))
    assert items(response) == [thrice.pk, twice.pk, once.pk]
    item = soup(response).select_one(f"#mod-item-{thrice.pk}")
    assert item.select_one(".mod-reports").text == "3 reports"
    reports = item.select(".mod-item__reports li")
    assert len(reports) == 3 and "Abusive or harassing: Calls people names" in reports[0].text
    # Reporters are moderators' business only in the admin; the queue shows reasons, not names.
    assert "reader" not in item.select_one(".mod-item__reports").text
    assert [b["value"] for b in item.select("button[name=action]")] == ["approve", "hide", "remove", "spam"]


def test_the_recent_tab_shows_hidden_removed_and_spam_newest_decision_first(client, moderator, article):
    now = timezone.now()
    removed = CommentFactory(
        article=article,
        status=Status.REMOVED,
        moderated_at=now - datetime.timedelta(hours=2),
        moderated_by=moderator,
        moderation_reason="Personal attack",
    )
    spam = CommentFactory(article=article, status=Status.SPAM, moderated_at=now)
    hidden = CommentFactory(
        article=article, status=Status.HIDDEN, moderated_at=now - datetime.timedelta(hours=1)
    )
    CommentFactory(article=article)
    client.force_login(moderator)
    response = client.get(url("moderation_recent"))
    assert items(response) == [spam.pk, hidden.pk, removed.pk]
    item = soup(response).select_one(f"#mod-item-{removed.pk}")
    assert "Personal attack" in item.select_one(".mod-item__decision").text
    assert [b["value"] for b in item.select("button[name=action]")] == ["restore", "spam"]  # restore first


def test_the_queue_costs_the_same_number_of_queries_with_many_items(
    client, moderator, django_assert_max_num_queries
):
    articles = ArticleFactory.create_batch(3)
    authors = UserFactory.create_batch(4)
    for n in range(24):
        article = articles[n % 3]
        parent = CommentFactory(article=article, author=authors[(n + 1) % 4])
        comment = CommentFactory(
            article=article,
            author=authors[n % 4],
            parent=parent if n % 2 else None,
            question=QuestionFactory(article=article) if n % 3 == 0 else None,
            status=Status.PENDING,
        )
        ModerationAction.objects.create(kind="hold", comment=comment, reason="Held")
        FlagFactory(comment=parent)
        FlagFactory(comment=parent)
    client.force_login(moderator)
    # session, user, permissions (2), tab counts (2), page count, page, reports, hold reasons
    for name in ("moderation_queue", "moderation_reported", "moderation_recent"):
        with django_assert_max_num_queries(12):
            response = client.get(url(name))
        assert response.status_code == 200
    assert len(items(client.get(url("moderation_queue")))) == 24
    assert len(items(client.get(url("moderation_reported")))) == 24


# One-click actions ------------------------------------------------------------------------------


def test_approving_a_held_comment_publishes_it_logs_it_and_sends_its_notifications(
    client, moderator, user, other_user, article, settings, django_capture_on_commit_callbacks
):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    Follow.objects.create(user=other_user, article=article)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("post", article.pk), {"body": "My first words here"})
    held = Comment.objects.get(author=user)
    assert held.status == Status.PENDING and mail.outbox == []

    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_action(client, held, "approve", next=url("moderation_queue"))
    assert response.status_code == 302 and response["Location"] == url("moderation_queue")
    held.refresh_from_db()
    assert (held.status, held.moderated_by) == (Status.PUBLISHED, moderator)
    entry = ModerationAction.objects.get(kind="approve")
    assert (entry.actor, entry.actor_role, entry.previous_status, entry.new_status) == (
        moderator,
        "moderator",
        "pending",
        "published",
    )
    assert [m.to for m in mail.outbox] == [[other_user.email]]
    assert held.pk in comment_ids(page_of(client, article))


def test_restoring_a_comment_that_was_published_before_sends_no_notification(
    client, moderator, other_user, article, django_capture_on_commit_callbacks
):
    Follow.objects.create(user=other_user, article=article)
    comment = CommentFactory(article=article, status=Status.REMOVED)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        _post_action(client, comment, "restore")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert mail.outbox == []


def test_remove_needs_a_reason_which_the_author_then_sees_in_place(client, moderator, user, article):
    comment = CommentFactory(article=article, author=user, body="Something rude")
    client.force_login(moderator)
    response = _post_action(client, comment, "remove", next=url("moderation_recent"))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert not ModerationAction.objects.exists()
    assert "Give a reason" in soup(client.get(url("moderation_recent"))).select_one(".messages").text

    _post_action(client, comment, "remove", reason="Personal attack")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reason) == (Status.REMOVED, "Personal attack")

    client.force_login(user)
    shown = page_of(client, article).select_one(f"#comment-{comment.pk}")
    assert "A moderator removed your comment" in shown.text and "Personal attack" in shown.text
    assert "Something rude" not in shown.text
    client.logout()
    assert comment.pk not in comment_ids(page_of(client, article))


def test_restore_after_remove_brings_the_comment_back_and_both_are_logged(client, moderator, article):
    comment = CommentFactory(article=article)
    client.force_login(moderator)
    _post_action(client, comment, "remove", reason="Spam link")
    _post_action(client, comment, "restore", reason="The link was fine")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    log = list(
        ModerationAction.objects.order_by("pk").values_list("kind", "previous_status", "new_status", "reason")
    )
    assert log == [
        ("remove", "published", "removed", "Spam link"),
        ("restore", "removed", "published", "The link was fine"),
    ]
    client.logout()
    assert comment.pk in comment_ids(page_of(client, article))


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Status.PUBLISHED, "hide", Status.HIDDEN),
        (Status.PENDING, "spam", Status.SPAM),
        (Status.HIDDEN, "remove", Status.REMOVED),
        (Status.SPAM, "restore", Status.PUBLISHED),
        (Status.HIDDEN, "restore", Status.PUBLISHED),
    ],
)
def test_each_action_writes_one_audit_entry(client, moderator, article, start, action, end):
    comment = CommentFactory(article=article, status=start)
    client.force_login(moderator)
    _post_action(client, comment, action, reason="Because")
    comment.refresh_from_db()
    assert comment.status == end
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.comment, entry.article, entry.target_user) == (
        action,
        comment,
        article,
        comment.author,
    )
    assert (entry.previous_status, entry.new_status, entry.reason, entry.actor) == (
        start,
        end,
        "Because",
        moderator,
    )


def test_an_action_that_does_not_apply_is_refused_and_changes_nothing(client, moderator, article):
    comment = CommentFactory(article=article)
    client.force_login(moderator)
    for action in ("approve", "restore", "delete"):
        response = _post_action(client, comment, action, next=url("moderation_recent"))
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and not ModerationAction.objects.exists()
    response = _post_action(client, comment, "restore", headers=HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#mod-item-{comment.pk}-notice"
    assert "does not apply" in soup(response).text


def test_an_htmx_action_swaps_the_item_to_its_new_state(client, moderator, article):
    comment = CommentFactory(article=article)
    FlagFactory(comment=comment)
    client.force_login(moderator)
    response = client.post(
        url("moderate", comment.pk), {"action": "hide", "reason": "", "bulk": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    item = soup(response).select_one(f"article#mod-item-{comment.pk}")
    assert item["data-status"] == "hidden"
    assert "Hidden: readers no longer see the comment." in item.select_one(".mod-item__done").text
    assert [b["value"] for b in item.select("button[name=action]")] == ["restore", "remove", "spam"]
    assert item.select_one("input[name=comments][form=bulk-form]") is not None
    assert soup(response).find("html") is None


def test_deciding_on_a_reported_comment_closes_its_reports(client, moderator, article):
    comment = CommentFactory(article=article)
    FlagFactory.create_batch(2, comment=comment)
    client.force_login(moderator)
    _post_action(client, comment, "approve", reason="Harsh but fair")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert not Flag.objects.open().exists()
    assert ModerationAction.objects.get().details == {"reports_resolved": 2}
    assert items(client.get(url("moderation_reported"))) == []


def test_the_next_url_must_stay_on_the_site(client, moderator, article):
    comment = CommentFactory(article=article)
    client.force_login(moderator)
    response = _post_action(client, comment, "hide", next="https://evil.example/")
    assert response["Location"] == url("moderation_queue")


# Bulk actions -----------------------------------------------------------------------------------


def test_bulk_approve_publishes_the_selection_and_reports_what_it_skipped(client, moderator, article):
    first, second = CommentFactory.create_batch(2, article=article, status=Status.PENDING)
    published = CommentFactory(article=article)
    untouched = CommentFactory(article=article, status=Status.PENDING)
    client.force_login(moderator)
    page = soup(client.get(url("moderation_queue")))
    assert page.select_one("form#bulk-form select[name=action]") is not None
    assert len(page.select("input[name=comments][form=bulk-form]")) == 3
    response = client.post(
        url("moderate_bulk"),
        {
            "action": "approve",
            "comments": [first.pk, second.pk, published.pk],
            "next": url("moderation_queue"),
        },
        follow=True,
    )
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == Status.PUBLISHED
    assert statuses[untouched.pk] == Status.PENDING
    messages = [m.text for m in soup(response).select(".messages li")]
    assert messages[0] == "2 comments: Approved: the comment is published."
    assert messages[1].startswith("1 comment was left as it was")
    assert ModerationAction.objects.filter(kind="approve").count() == 2


def test_bulk_remove_without_a_reason_or_without_a_selection_changes_nothing(client, moderator, article):
    comment = CommentFactory(article=article, status=Status.PENDING)
    client.force_login(moderator)
    response = client.post(url("moderate_bulk"), {"action": "remove", "comments": [comment.pk]}, follow=True)
    assert "Give a reason" in soup(response).select_one(".messages").text
    response = client.post(url("moderate_bulk"), {"action": "spam"}, follow=True)
    assert "Select some comments first." in soup(response).select_one(".messages").text
    response = client.post(url("moderate_bulk"), {"action": "spam", "comments": ["x"]}, follow=True)
    assert response.status_code == 200
    client.post(url("moderate_bulk"), {"action": "remove", "comments": [comment.pk], "reason": "Duplicate"})
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED
    assert ModerationAction.objects.count() == 1


# The article page -------------------------------------------------------------------------------


def test_moderators_get_a_moderate_link_on_each_comment_readers_do_not(client, moderator, user, article):
    comment = CommentFactory(article=article)
    client.force_login(moderator)
    link = page_of(client, article).select_one(f"#comment-{comment.pk} a.comment__moderate")
    assert link["href"] == url("moderation_comment", comment.pk)
    page = soup(client.get(link["href"]))
    assert page.select_one(f"#mod-item-{comment.pk}") is not None
    client.force_login(user)
    assert page_of(client, article).select_one("a.comment__moderate") is None


def test_the_comment_page_shows_its_whole_history(client, moderator, article):
    comment = CommentFactory(article=article)
    client.force_login(moderator)
    _post_action(client, comment, "hide", reason="Checking a claim")
    _post_action(client, comment, "restore", reason="Claim checked")
    history = soup(client.get(url("moderation_comment", comment.pk))).select(".mod-history li")
    assert [entry.strong.text for entry in history] == ["Restored", "Hidden"]
    assert "Claim checked" in history[0].text
    assert client.get(url("moderation_comment", 999999)).status_code == 404


def test_a_hidden_comment_shows_its_author_a_note_and_nobody_else_anything(client, user, article):
    comment = CommentFactory(article=article, author=user, status=Status.HIDDEN, body="Still mine")
    spam = CommentFactory(article=article, author=user, status=Status.SPAM)
    client.force_login(user)
    page = page_of(client, article)
    assert "hidden your comment" in page.select_one(f"#comment-{comment.pk}").text
    assert "Still mine" in page.select_one(f"#comment-{comment.pk}").text
    assert spam.pk not in comment_ids(page)
    client.logout()
    assert comment_ids(page_of(client, article)) == []
