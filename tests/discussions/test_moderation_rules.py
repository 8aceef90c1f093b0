"""Rules that hold or reject comments on their own: a new account's first comments, many links,
the word list (Chinese, case, full width), reports from several readers; edits run them again."""

import importlib
import os

import pytest
from django.contrib.auth.models import Group

from discussions.models import Comment, ModerationAction, WatchedWord
from tests.discussions.conftest import HTMX, comment_ids, page_of, soup, url, with_rules
from tests.factories import CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def post(client, article, body, **extra):
    return client.post(url("post", article.pk), {"body": body, **extra})


def only_comment():
    return Comment.objects.get()


def test_the_defaults_are_those_of_the_issue():
    # The settings module as loaded, before tests/discussions/conftest.py relaxes the first rule.
    rules = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).QINGTAN
    assert (rules["HOLD_FIRST_COMMENTS"], rules["HOLD_LINKS_OVER"], rules["HIDE_AFTER_REPORTS"]) == (1, 2, 3)
    assert rules["PUBLIC_MODERATION_LOG"] is True


# A new account's first comments -----------------------------------------------------------------


def test_a_new_accounts_first_comment_waits_and_later_ones_do_not(client, user, moderator, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Hello, first time here"}, follow=True)
    first = only_comment()
    assert first.status == Status.PENDING
    assert "will appear once a moderator approves it" in soup(response).select_one(".messages").text
    hold = ModerationAction.objects.get()
    assert (hold.kind, hold.actor, hold.actor_role, hold.new_status) == ("hold", None, "system", "pending")
    assert hold.reason == "The first published comment of a new account"
    # The author sees it, marked as waiting; others do not.
    assert "awaiting moderation" in page_of(client, article).select_one(f"#comment-{first.pk}").text
    client.logout()
    assert comment_ids(page_of(client, article)) == []

    # A second comment before the first is approved still waits: nothing is published yet.
    client.force_login(user)
    post(client, article, "Second one")
    assert Comment.objects.get(body="Second one").status == Status.PENDING

    client.force_login(moderator)
    client.post(url("moderate", first.pk), {"action": "approve"})
    client.force_login(user)
    post(client, article, "Third one")
    assert Comment.objects.get(body="Third one").status == Status.PUBLISHED


def test_the_number_of_held_comments_is_a_setting(client, user, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=2)
    CommentFactory(author=user)
    client.force_login(user)
    post(client, article, "Second comment overall")
    comment = Comment.objects.get(body="Second comment overall")
    assert comment.status == Status.PENDING
    assert ModerationAction.objects.get().reason == "One of the first 2 published comments of a new account"


@pytest.mark.parametrize("who", ["editor", "moderator", "superuser"])
def test_staff_are_not_held_as_new_accounts(client, article, settings, request, who):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    client.force_login(request.getfixturevalue(who))
    post(client, article, "Staff voice")
    assert only_comment().status == Status.PUBLISHED
    assert not ModerationAction.objects.exists()


def test_a_held_reply_is_shown_in_place_with_htmx(client, user, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    parent = CommentFactory(article=article)
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "A reply", "parent": parent.pk}, headers=HTMX)
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Status.PENDING
    assert "awaiting moderation" in soup(response).select_one(f"#comment-{reply.pk}").text


# Links ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "held"),
    [
        ("Two links: https://a.example and [docs](https://b.example/docs)", False),
        ("Three: https://a.example http://b.example www.c.example", True),
        ("[one](https://a.example) [two](https://b.example) <https://c.example>", True),
        ("全角链接也算：ｈｔｔｐｓ://a.example ｗｗｗ.b.example https://c.example", True),
        ("No links at all, just https talk", False),
    ],
)
def test_more_links_than_the_limit_send_the_comment_to_the_queue(client, user, article, body, held):
    client.force_login(user)
    post(client, article, body)
    comment = only_comment()
    assert comment.status == (Status.PENDING if held else Status.PUBLISHED)
    if held:
        assert "links (more than 2)" in ModerationAction.objects.get().reason


def test_the_link_limit_is_a_setting(client, user, article, settings):
    with_rules(settings, HOLD_LINKS_OVER=0)
    client.force_login(user)
    post(client, article, "Just one: https://a.example")
    assert only_comment().status == Status.PENDING


# The word list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "body"),
    [
        ("广告", "这里有免费广告位，欢迎联系"),  # inside a longer run of characters: no word boundaries
        ("加微信", "想要资料的加微信聊"),
        ("casino", "Try the new CASINO bonus"),  # case
        ("casino", "Try the new ＣＡＳＩＮＯ bonus"),  # full-width letters
        ("Straße", "Take the STRASSE exit"),  # casefold: ß and ss
        ("spam", "s\u200bpam hidden with a zero-width space"),  # invisible characters
        ("ＶＩＰ", "Join our vip group"),  # a full-width word on the list
    ],
)
def test_a_hold_word_sends_the_comment_to_the_queue(client, user, article, word, body):
    WatchedWord.objects.create(word=word, action=WatchedWord.Action.HOLD)
    client.force_login(user)
    post(client, article, body)
    assert only_comment().status == Status.PENDING
    assert ModerationAction.objects.get().reason == f"Watched word: {word}"


def test_a_word_that_is_not_there_holds_nothing(client, user, article):
    WatchedWord.objects.create(word="广告费", action=WatchedWord.Action.HOLD)
    WatchedWord.objects.create(word="casinos", action=WatchedWord.Action.BLOCK)
    client.force_login(user)
    post(client, article, "广告 alone, 广 告费 split by a space, and one casino")
    assert only_comment().status == Status.PUBLISHED


def test_a_block_word_rejects_the_comment_with_a_message_and_keeps_the_text(client, user, article):
    WatchedWord.objects.create(word="赌场", action=WatchedWord.Action.BLOCK)
    client.force_login(user)
    body = "欢迎来我的线上赌场玩"
    response = post(client, article, body)
    assert response.status_code == 200
    page = soup(response)
    assert "contains a word that is not allowed here (赌场)" in page.select_one("[role=alert]").text
    assert page.select_one("textarea[name=body]").text.strip() == body
    assert not Comment.objects.exists()

    htmx = client.post(url("post", article.pk), {"body": body}, headers=HTMX)
    fragment = soup(htmx)
    assert "not allowed here" in fragment.select_one("#comment-form [role=alert]").text
    assert fragment.select_one("textarea[name=body]").text.strip() == body
    assert not Comment.objects.exists()


def test_block_wins_over_hold_and_both_words_are_named(client, user, article):
    WatchedWord.objects.create(word="spam", action=WatchedWord.Action.HOLD)
    WatchedWord.objects.create(word="scam", action=WatchedWord.Action.BLOCK)
    WatchedWord.objects.create(word="fraud", action=WatchedWord.Action.BLOCK)
    client.force_login(user)
    page = soup(post(client, article, "spam scam fraud"))
    assert "words that are not allowed here (fraud, scam)" in page.select_one("[role=alert]").text


def test_moderators_are_exempt_from_the_rules(client, moderator, article):
    WatchedWord.objects.create(word="spam", action=WatchedWord.Action.BLOCK)
    client.force_login(moderator)
    post(client, article, "Quoting the spam: https://a.example https://b.example https://c.example")
    assert only_comment().status == Status.PUBLISHED


def test_an_editor_with_the_moderator_role_is_exempt_too(client, editor, article):
    editor.groups.add(Group.objects.get(name="Moderators"))
    WatchedWord.objects.create(word="spam", action=WatchedWord.Action.HOLD)
    client.force_login(editor)
    post(client, article, "About spam")
    assert only_comment().status == Status.PUBLISHED


def test_all_reasons_are_listed_together(client, user, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    WatchedWord.objects.create(word="返利", action=WatchedWord.Action.HOLD)
    client.force_login(user)
    post(client, article, "返利 https://a.example https://b.example https://c.example")
    assert ModerationAction.objects.get().reason == (
        "The first published comment of a new account; 3 links (more than 2); Watched word: 返利"
    )


# Edits run the rules again ----------------------------------------------------------------------


def test_an_edit_that_adds_a_watched_word_sends_the_comment_back_to_the_queue(client, user, article):
    WatchedWord.objects.create(word="优惠码", action=WatchedWord.Action.HOLD)
    comment = CommentFactory(article=article, author=user, body="Innocent")
    client.force_login(user)
    response = client.post(url("edit", comment.pk), {"body": "私信领优惠码"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Status.PENDING, "私信领优惠码")
    hold = ModerationAction.objects.get()
    assert (hold.kind, hold.previous_status, hold.new_status) == ("hold", "published", "pending")
    client.logout()
    assert comment_ids(page_of(client, article)) == []


def test_an_edit_with_a_block_word_is_refused_and_the_comment_stays_as_it_was(client, user, article):
    WatchedWord.objects.create(word="scam", action=WatchedWord.Action.BLOCK)
    comment = CommentFactory(article=article, author=user, body="Fine words")
    client.force_login(user)
    response = client.post(url("edit", comment.pk), {"body": "A SCAM after all"})
    assert response.status_code == 200
    assert "not allowed here" in soup(response).select_one("[role=alert]").text
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Fine words", Status.PUBLISHED)


def test_an_ordinary_edit_of_a_first_comment_is_not_held_again(client, user, article, settings):
    with_rules(settings, HOLD_FIRST_COMMENTS=1)
    comment = CommentFactory(article=article, author=user, body="Approved earlier")
    client.force_login(user)
    client.post(url("edit", comment.pk), {"body": "Approved earlier, typo fixed"})
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and not ModerationAction.objects.exists()


def test_approving_an_edited_comment_does_not_notify_again(
    client, user, moderator, other_user, article, django_capture_on_commit_callbacks
):
    from django.core import mail

    from discussions.models import Follow

    Follow.objects.create(user=other_user, article=article)
    WatchedWord.objects.create(word="promo", action=WatchedWord.Action.HOLD)
    comment = CommentFactory(article=article, author=user)
    client.force_login(user)
    client.post(url("edit", comment.pk), {"body": "now with a promo"})
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("moderate", comment.pk), {"action": "approve"})
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert mail.outbox == []


# Reports ----------------------------------------------------------------------------------------


def test_three_readers_reporting_hide_a_comment_until_a_moderator_decides(client, article, moderator):
    comment = CommentFactory(article=article)
    reporters = UserFactory.create_batch(3)
    for number, reporter in enumerate(reporters, start=1):
        client.force_login(reporter)
        response = client.post(url("report", comment.pk), {"reason": "abuse"})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.status == (Status.HIDDEN if number == 3 else Status.PUBLISHED)
    hide = ModerationAction.objects.get()
    assert (hide.kind, hide.actor, hide.actor_role, hide.previous_status, hide.new_status) == (
        "hide",
        None,
        "system",
        "published",
        "hidden",
    )
    assert hide.reason == "Hidden automatically after reports from 3 readers, until a moderator decides"
    assert not any(reporter.username in hide.reason for reporter in reporters)
    client.logout()
    assert comment_ids(page_of(client, article)) == []

    client.force_login(moderator)
    assert comment.pk in [
        int(item["id"].removeprefix("mod-item-"))
        for item in soup(client.get(url("moderation_reported"))).select(".mod-item")
    ]
    client.post(url("moderate", comment.pk), {"action": "restore", "reason": "Within the rules"})
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    # Reports the moderator decided on no longer count towards hiding it again.
    FlagFactory(comment=comment)
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED


def test_the_report_threshold_is_a_setting_and_zero_switches_it_off(client, article, settings):
    with_rules(settings, HIDE_AFTER_REPORTS=0)
    comment = CommentFactory(article=article)
    for reporter in UserFactory.create_batch(4):
        client.force_login(reporter)
        client.post(url("report", comment.pk), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED

    with_rules(settings, HIDE_AFTER_REPORTS=1)
    other = CommentFactory(article=article)
    client.post(url("report", other.pk), {"reason": "spam"})
    other.refresh_from_db()
    assert other.status == Status.HIDDEN


# The word list in the admin ---------------------------------------------------------------------


def test_moderators_edit_the_word_list_in_the_admin(client, moderator):
    client.force_login(moderator)
    response = client.post("/admin/discussions/watchedword/add/", {"word": " 刷单 ", "action": "block"})
    assert response.status_code == 302
    assert WatchedWord.objects.get().word == "刷单"
    duplicate = client.post("/admin/discussions/watchedword/add/", {"word": "ＳＰＡＭ", "action": "hold"})
    assert duplicate.status_code == 302
    again = client.post("/admin/discussions/watchedword/add/", {"word": "spam", "action": "hold"})
    assert again.status_code == 200
    assert "already on the list" in soup(again).select_one(".errorlist").text
    assert WatchedWord.objects.count() == 2
