"""Who may do what: every URL and action of the site against every kind of visitor, in one table.

Each cell runs in its own savepoint, rolled back afterwards, so every action meets the same
world (a POST that pins a comment does not change what the next role finds). Expected values:
an HTTP status, LOGIN (a redirect to a sign-in page) or DONE (a redirect elsewhere: the action
happened and the reader is sent back).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from discussions import moderation
from discussions.models import Comment, Flag, ModerationAction, Question, Suspension, Thread, Vote
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN, DONE = "login", "done"
ROLES = ("anonymous", "reader", "suspended", "editor", "moderator", "superuser")


def everyone(expected):
    return dict.fromkeys(ROLES, expected)


def signed_in(expected, *, anonymous=LOGIN, **overrides):
    return {**dict.fromkeys(ROLES, expected), "anonymous": anonymous, **overrides}


def staff_only(*, editor, moderator, superuser=DONE, others=403):
    return {
        "anonymous": LOGIN,
        "reader": others,
        "suspended": others,
        "editor": editor,
        "moderator": moderator,
        "superuser": superuser,
    }


@dataclass
class Row:
    method: str
    path: str  # formatted with the world's ids
    expected: dict
    data: dict = field(default_factory=dict)


ADMIN_SIGN_IN = {"anonymous": LOGIN, "reader": LOGIN, "suspended": LOGIN}

TABLE = [
    # Public pages
    Row("GET", "/", everyone(200)),
    Row("GET", "/articles/{article_slug}/", everyone(200)),
    Row("GET", "/tags/matrix/", everyone(200)),
    Row("GET", "/sources/{source_slug}/", everyone(200)),
    Row("GET", "/archive/{year}/{month}/", everyone(200)),
    Row("GET", "/search/?q=matrix", everyone(200)),
    Row("GET", "/feeds/rss/", everyone(200)),
    Row("GET", "/feeds/atom/", everyone(200)),
    Row("GET", "/tags/matrix/feed/", everyone(200)),
    Row("GET", "/sitemap.xml", everyone(200)),
    Row("GET", "/robots.txt", everyone(200)),
    Row("GET", "/healthz", everyone(200)),
    Row("GET", "/u/{author_username}/", everyone(200)),
    Row("GET", "/discussions/comments/{comment}/", everyone(DONE)),  # the permalink: its place in the thread
    Row("GET", "/moderation/public-log/", everyone(200)),
    Row("GET", "/discussions/unsubscribe/not-a-token/", everyone(400)),
    Row("POST", "/", everyone(405)),
    # Drafts: staff who may view articles only; a 404 for everybody else, so drafts stay secret
    Row("GET", "/articles/{draft_slug}/", everyone(404)),
    Row(
        "GET",
        "/articles/{draft_slug}/preview/",
        {**everyone(404), "editor": 200, "moderator": 200, "superuser": 200},
    ),
    # The reader's own settings
    Row("GET", "/u/settings/", signed_in(200)),
    Row("GET", "/u/settings/profile/", signed_in(200)),
    Row(
        "POST",
        "/u/settings/profile/",
        signed_in(DONE),
        {"display_name": "Matrix Reader", "bio": "", "website": ""},
    ),
    Row("GET", "/u/settings/notifications/", signed_in(200)),
    Row("POST", "/u/settings/notifications/", signed_in(DONE), {"notify_on_reply": "on"}),
    Row("GET", "/u/settings/data/", signed_in(200)),
    # The last administrator is sent back to the settings instead of deleting the account.
    Row("GET", "/u/settings/delete/", signed_in(200, superuser=DONE)),
    Row(
        "POST",
        "/u/settings/delete/",
        signed_in(200, superuser=DONE),
        {"comments": "keep", "password": "wrong"},
    ),
    # Readers' actions on another reader's comment
    Row(
        "POST",
        "/discussions/articles/{article}/comments/",
        signed_in(DONE, suspended=403),
        {"body": "Matrix comment"},
    ),
    Row(
        "POST",
        "/discussions/articles/{article}/comments/",
        signed_in(DONE, suspended=403),
        {"body": "Matrix reply", "parent": "{comment}"},
    ),
    Row("GET", "/discussions/comments/{comment}/reply/", signed_in(200, suspended=403)),
    Row("GET", "/discussions/comments/{comment}/edit/", signed_in(403)),
    Row("POST", "/discussions/comments/{comment}/edit/", signed_in(403), {"body": "Changed by someone else"}),
    Row("GET", "/discussions/comments/{comment}/delete/", signed_in(403)),
    Row("POST", "/discussions/comments/{comment}/delete/", signed_in(403)),
    Row("POST", "/discussions/comments/{comment}/vote/", signed_in(DONE, suspended=403)),
    Row("GET", "/discussions/comments/{comment}/report/", signed_in(200, suspended=403)),
    Row(
        "POST", "/discussions/comments/{comment}/report/", signed_in(DONE, suspended=403), {"reason": "spam"}
    ),
    Row("POST", "/discussions/articles/{article}/follow/", signed_in(DONE)),
    Row("POST", "/discussions/comments/{comment}/follow/", signed_in(DONE)),
    # Staff curation on the article page
    Row("POST", "/discussions/comments/{comment}/pin/", staff_only(editor=DONE, moderator=DONE)),
    Row("POST", "/discussions/questions/{pinned_question}/unpin/", staff_only(editor=DONE, moderator=DONE)),
    Row(
        "POST",
        "/discussions/comments/{comment}/move/",
        staff_only(editor=DONE, moderator=DONE),
        {"question": "{other_question}"},
    ),
    Row("POST", "/discussions/questions/{question}/close/", staff_only(editor=DONE, moderator=DONE)),
    Row("POST", "/discussions/questions/{closed_question}/reopen/", staff_only(editor=DONE, moderator=DONE)),
    Row("POST", "/discussions/articles/{article}/lock/", staff_only(editor=403, moderator=DONE)),
    Row("POST", "/discussions/articles/{locked_article}/unlock/", staff_only(editor=403, moderator=DONE)),
    Row("POST", "/discussions/articles/{article}/close/", staff_only(editor=DONE, moderator=DONE)),
    Row("POST", "/discussions/articles/{closed_article}/reopen/", staff_only(editor=DONE, moderator=DONE)),
    # Moderation
    Row("GET", "/moderation/", staff_only(editor=403, moderator=200, superuser=200)),
    Row("GET", "/moderation/reported/", staff_only(editor=403, moderator=200, superuser=200)),
    Row("GET", "/moderation/recent/", staff_only(editor=403, moderator=200, superuser=200)),
    Row("GET", "/moderation/suspended/", staff_only(editor=403, moderator=200, superuser=200)),
    Row("GET", "/moderation/comments/{comment}/", staff_only(editor=403, moderator=200, superuser=200)),
    Row("GET", "/moderation/log/", staff_only(editor=403, moderator=200, superuser=200)),
    Row(
        "POST",
        "/moderation/comments/{comment}/moderate/",
        staff_only(editor=403, moderator=DONE),
        {"action": "hide", "reason": "matrix"},
    ),
    Row(
        "POST",
        "/moderation/bulk/",
        staff_only(editor=403, moderator=DONE),
        {"action": "hide", "reason": "matrix", "comments": "{comment}"},
    ),
    Row("GET", "/moderation/users/{author}/suspend/", staff_only(editor=403, moderator=200, superuser=200)),
    Row(
        "POST",
        "/moderation/users/{author}/suspend/",
        staff_only(editor=403, moderator=DONE),
        {"reason": "matrix"},
    ),
    Row("POST", "/moderation/suspensions/{suspension}/lift/", staff_only(editor=403, moderator=DONE)),
    # The admin: staff only, then by model permission
    Row("GET", "/admin/", {**ADMIN_SIGN_IN, "editor": 200, "moderator": 200, "superuser": 200}),
    Row(
        "GET",
        "/admin/articles/article/",
        {**ADMIN_SIGN_IN, "editor": 200, "moderator": 200, "superuser": 200},
    ),
    Row(
        "GET",
        "/admin/articles/article/add/",
        {**ADMIN_SIGN_IN, "editor": 200, "moderator": 403, "superuser": 200},
    ),
    Row(
        "GET",
        "/admin/articles/article/{article}/change/",
        {**ADMIN_SIGN_IN, "editor": 200, "moderator": 200, "superuser": 200},
    ),
    # Deleting an article deletes its readers' comments, which editors may not delete: they
    # unpublish or archive it instead.
    Row(
        "POST",
        "/admin/articles/article/{article}/delete/",
        {**ADMIN_SIGN_IN, "editor": 403, "moderator": 403, "superuser": DONE},
        {"post": "yes"},
    ),
    Row(
        "GET", "/admin/articles/source/", {**ADMIN_SIGN_IN, "editor": 200, "moderator": 403, "superuser": 200}
    ),
    Row("GET", "/admin/taggit/tag/", {**ADMIN_SIGN_IN, "editor": 200, "moderator": 403, "superuser": 200}),
    Row(
        "GET",
        "/admin/discussions/comment/",
        {**ADMIN_SIGN_IN, "editor": 200, "moderator": 200, "superuser": 200},
    ),
    Row("GET", "/admin/accounts/user/", {**ADMIN_SIGN_IN, "editor": 403, "moderator": 403, "superuser": 200}),
    Row(
        "GET",
        "/admin/accounts/user/{author}/change/",
        {**ADMIN_SIGN_IN, "editor": 403, "moderator": 403, "superuser": 200},
    ),
    Row("GET", "/admin/auth/group/", {**ADMIN_SIGN_IN, "editor": 403, "moderator": 403, "superuser": 200}),
]


@pytest.fixture
def world(rules_off, editor, moderator, superuser):
    article = ArticleFactory(tags=["matrix"])
    question, other_question = QuestionFactory(article=article), QuestionFactory(article=article)
    closed_question = QuestionFactory(article=article, is_closed=True)
    pinned_question = QuestionFactory(article=article)
    author = UserFactory(username="matrix-author")
    comment = CommentFactory(article=article, author=author, question=question)
    pinned_question.pinned_answer = CommentFactory(article=article, question=pinned_question)
    pinned_question.save()
    locked_article, closed_article = ArticleFactory(), ArticleFactory()
    Thread.objects.create(article=locked_article, is_locked=True)
    Thread.objects.create(article=closed_article, is_closed=True)
    suspended = UserFactory(username="matrix-suspended")
    moderation.suspend_user(suspended, by=moderator, reason="Matrix rules")
    other_suspension = moderation.suspend_user(UserFactory(), by=moderator, reason="To lift")
    draft = ArticleFactory(status=Article.Status.DRAFT)
    users = {
        "reader": UserFactory(username="matrix-reader"),
        "suspended": suspended,
        "editor": editor,
        "moderator": moderator,
        "superuser": superuser,
    }
    ids = {
        "article": article.pk,
        "article_slug": article.slug,
        "source_slug": article.source.slug,
        "year": article.publish_at.year,
        "month": article.publish_at.month,
        "author": author.pk,
        "author_username": author.username,
        "comment": comment.pk,
        "question": question.pk,
        "other_question": other_question.pk,
        "closed_question": closed_question.pk,
        "pinned_question": pinned_question.pk,
        "locked_article": locked_article.pk,
        "closed_article": closed_article.pk,
        "draft_slug": draft.slug,
        "suspension": other_suspension.pk,
    }
    return users, ids


def outcome(response):
    if response.status_code in (301, 302):
        return LOGIN if "login" in response["Location"] else DONE
    return response.status_code


def test_every_url_and_action_against_every_role(world):
    users, ids = world
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    # The archive row uses the article's month in the site's time zone.
    article = Article.objects.get(pk=ids["article"])
    local = timezone.localtime(article.publish_at)
    ids.update(year=local.year, month=local.month)

    mismatches, cells = [], 0
    for row in TABLE:
        path = row.path.format(**ids)
        data = {key: str(value).format(**ids) for key, value in row.data.items()}
        for role in ROLES:
            client = clients[role]
            with transaction.atomic():
                response = client.generic(
                    row.method,
                    path,
                    data=urlencode(data) if row.method == "POST" else "",
                    content_type="application/x-www-form-urlencoded",
                )
                got = outcome(response)
                transaction.set_rollback(True)
            cells += 1
            if got != row.expected[role]:
                mismatches.append(f"{row.method} {path} as {role}: expected {row.expected[role]}, got {got}")
    assert not mismatches, "\n".join(mismatches)
    assert cells == len(TABLE) * len(ROLES)


def test_the_cells_really_act(world):
    """The DONE cells are not redirects that did nothing: one action per kind, checked in the database."""
    users, ids = world
    client = Client()
    client.force_login(users["reader"])
    comment = Comment.objects.get(pk=ids["comment"])
    assert client.post(f"/discussions/comments/{comment.pk}/vote/").status_code == 302
    assert Vote.objects.filter(user=users["reader"], comment=comment).exists()
    assert client.post(f"/discussions/comments/{comment.pk}/report/", {"reason": "spam"}).status_code == 302
    assert Flag.objects.filter(user=users["reader"], comment=comment).exists()

    client.force_login(users["moderator"])
    client.post(f"/moderation/comments/{comment.pk}/moderate/", {"action": "hide", "reason": "matrix"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert ModerationAction.objects.filter(comment=comment, kind=ModerationAction.Kind.HIDE).exists()
    client.post(f"/moderation/suspensions/{ids['suspension']}/lift/")
    assert Suspension.objects.get(pk=ids["suspension"]).lifted_at is not None

    client.force_login(users["editor"])
    client.post(f"/discussions/questions/{ids['question']}/close/")
    assert Question.objects.get(pk=ids["question"]).is_closed


# Insecure direct object references: ids in URLs and forms never reach someone else's things ----


@pytest.fixture
def two_readers(settings):
    settings.QINGTAN = {
        **settings.QINGTAN,
        "HOLD_FIRST_COMMENTS": 0,
        "COMMENT_RATE": "off",
        "PAGE_CACHE_SECONDS": 0,
    }
    article = ArticleFactory()
    alice, mallory = UserFactory(username="alice"), UserFactory(username="mallory")
    return article, alice, mallory, CommentFactory(article=article, author=alice, body="Alice's words")


@pytest.mark.parametrize("htmx", [False, True])
def test_another_readers_comment_cannot_be_edited_or_deleted(client, two_readers, htmx):
    article, _, mallory, comment = two_readers
    headers = {"HX-Request": "true"} if htmx else {}
    client.force_login(mallory)
    assert (
        client.post(
            f"/discussions/comments/{comment.pk}/edit/", {"body": "Mallory's words"}, headers=headers
        ).status_code
        == 403
    )
    assert client.post(f"/discussions/comments/{comment.pk}/delete/", headers=headers).status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.is_deleted) == ("Alice's words", False)
    # Her own comment she may change, so the refusal above is about ownership.
    own = CommentFactory(article=article, author=mallory)
    assert client.post(
        f"/discussions/comments/{own.pk}/edit/", {"body": "Edited"}, headers=headers
    ).status_code in (200, 302)
    own.refresh_from_db()
    assert own.body == "Edited"


def test_settings_ignore_ids_and_privileged_fields_smuggled_into_the_form(client, two_readers):
    _, alice, mallory, _ = two_readers
    client.force_login(mallory)
    response = client.post(
        "/u/settings/profile/",
        {
            "display_name": "Mallory",
            "bio": "",
            "website": "",
            "id": alice.pk,
            "pk": alice.pk,
            "user": alice.pk,
            "username": "alice",
            "email": "mallory@example.com",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    mallory.refresh_from_db()
    assert alice.display_name != "Mallory"
    assert (mallory.username, mallory.email, mallory.is_staff, mallory.is_superuser) == (
        "mallory",
        "mallory@example.com",
        False,
        False,
    )


def test_the_export_is_always_the_signed_in_readers_own(client, two_readers):
    _, alice, mallory, _ = two_readers
    client.force_login(mallory)
    for query in ({"user": alice.pk}, {"username": "alice"}, {"id": alice.pk}):
        data = client.get("/u/settings/data/", query).json()
        text = str(data)
        assert "Alice's words" not in text and "alice@example.com" not in text
        assert "mallory" in text


def test_deleting_an_account_only_ever_deletes_ones_own(client, two_readers):
    from tests.factories import PASSWORD

    _, alice, mallory, comment = two_readers
    client.force_login(mallory)
    response = client.post(
        "/u/settings/delete/",
        {"comments": "erase", "password": PASSWORD, "user": alice.pk, "username": "alice"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=mallory.pk).exists()
    assert User.objects.filter(pk=alice.pk).exists()
    comment.refresh_from_db()
    assert comment.body == "Alice's words"
