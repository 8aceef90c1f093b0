"""Who may use each moderation endpoint, checked server-side: one row per endpoint, one column
per role. Anonymous visitors are sent to sign in; readers and editors without the moderator
role get a 403 and change nothing; moderators and superusers get the page or the change."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from discussions.models import Comment, ModerationAction, Suspension, Thread
from tests.discussions.conftest import url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "editor", "editor_moderator", "moderator", "superuser"]


@dataclass
class Endpoint:
    name: str
    method: str
    # (objects) -> (path, data)
    request: object
    # (objects) -> bool: did the action happen?
    happened: object = None
    allowed: set = field(default_factory=lambda: {"editor_moderator", "moderator", "superuser"})


def _objects():
    article = ArticleFactory()
    author = UserFactory()
    return {
        "article": article,
        "author": author,
        "comment": CommentFactory(article=article, author=author),
        "suspension": Suspension.objects.create(user=UserFactory(), reason="Spam"),
    }


def _status(objects):
    objects["comment"].refresh_from_db()
    return objects["comment"].status


ENDPOINTS = [
    Endpoint("pending tab", "get", lambda o: (url("moderation_queue"), None)),
    Endpoint("reported tab", "get", lambda o: (url("moderation_reported"), None)),
    Endpoint("hidden and removed tab", "get", lambda o: (url("moderation_recent"), None)),
    Endpoint("suspended tab", "get", lambda o: (url("moderation_suspended"), None)),
    Endpoint("comment page", "get", lambda o: (url("moderation_comment", o["comment"].pk), None)),
    Endpoint(
        "moderate",
        "post",
        lambda o: (url("moderate", o["comment"].pk), {"action": "hide"}),
        lambda o: _status(o) == Comment.Status.HIDDEN,
    ),
    Endpoint(
        "bulk",
        "post",
        lambda o: (url("moderate_bulk"), {"action": "spam", "comments": [o["comment"].pk]}),
        lambda o: _status(o) == Comment.Status.SPAM,
    ),
    Endpoint("suspend form", "get", lambda o: (url("suspend", o["author"].pk), None)),
    Endpoint(
        "find a reader", "get", lambda o: (url("find_reader") + f"?username={o['author'].username}", None)
    ),
    Endpoint(
        "suspend",
        "post",
        lambda o: (url("suspend", o["author"].pk), {"reason": "Spam links"}),
        lambda o: Suspension.objects.in_force().filter(user=o["author"]).exists(),
    ),
    Endpoint(
        "lift",
        "post",
        lambda o: (url("lift_suspension", o["suspension"].pk), {}),
        lambda o: not Suspension.objects.in_force().filter(pk=o["suspension"].pk).exists(),
    ),
    Endpoint("log", "get", lambda o: (url("moderation_log"), None)),
    Endpoint(
        "lock",
        "post",
        lambda o: (url("lock", o["article"].pk), {}),
        lambda o: Thread.objects.filter(article=o["article"], is_locked=True).exists(),
    ),
    Endpoint(
        "close",
        "post",
        lambda o: (url("close", o["article"].pk), {}),
        lambda o: Thread.objects.filter(article=o["article"], is_closed=True).exists(),
        # Editors close discussions that have run their course; that is not moderation.
        allowed={"editor", "editor_moderator", "moderator", "superuser"},
    ),
]


@pytest.fixture
def as_role(client, request):
    def sign_in(role):
        if role == "anonymous":
            return None
        if role == "editor_moderator":
            person = request.getfixturevalue("editor")
            person.groups.add(Group.objects.get(name="Moderators"))
        else:
            person = request.getfixturevalue({"reader": "user"}.get(role, role))
        client.force_login(person)
        return person

    return sign_in


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_moderation_endpoint_checks_the_role(client, as_role, endpoint, role):
    objects = _objects()
    as_role(role)
    path, data = endpoint.request(objects)
    response = client.get(path) if endpoint.method == "get" else client.post(path, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role in endpoint.allowed:
        expected = 302 if endpoint.method == "post" or endpoint.name == "find a reader" else 200
        assert response.status_code == expected, response.content[:500]
    else:
        assert response.status_code == 403
    if endpoint.happened is not None:
        assert endpoint.happened(objects) is (role in endpoint.allowed)
        assert ModerationAction.objects.exists() is (role in endpoint.allowed)


@pytest.mark.parametrize("role", ROLES)
def test_the_public_log_is_for_everyone(client, as_role, role):
    as_role(role)
    assert client.get(url("public_log")).status_code == 200


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("reader", False),
        ("editor", False),
        ("editor_moderator", True),
        ("moderator", True),
        ("superuser", True),
    ],
)
def test_the_header_links_to_the_queue_only_for_moderators(client, as_role, role, shown):
    as_role(role)
    page = client.get("/").content.decode()
    assert (f'href="{url("moderation_queue")}"' in page) is shown


def test_the_moderators_group_holds_exactly_what_moderation_needs():
    codenames = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))
    assert codenames == {
        "view_comment",
        "moderate_comment",
        "view_flag",
        "view_question",
        "curate_answers",
        "view_thread",
        "lock_thread",
        "close_thread",
        "view_suspension",
        "suspend_user",
        "view_watchedword",
        "add_watchedword",
        "change_watchedword",
        "delete_watchedword",
        "view_moderationaction",
        "view_article",
    }
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert not editors & {"moderate_comment", "suspend_user", "lock_thread", "view_moderationaction"}


def test_a_moderator_who_lost_staff_status_can_no_longer_moderate(client, moderator):
    moderator.is_staff = False
    moderator.save()
    client.force_login(moderator)
    assert client.get(url("moderation_queue")).status_code == 403
