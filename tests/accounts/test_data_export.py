import json

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse

from discussions.models import Follow
from tests.factories import ArticleFactory, CommentFactory, FlagFactory, QuestionFactory, VoteFactory


def download(client):
    response = client.get(reverse("accounts:export_data"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_export_is_a_json_attachment_of_the_profile(client, user):
    user.bio = "简介"
    user.website = "https://me.example/"
    user.notify_on_follow = False
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)

    response, data = download(client)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(f'attachment; filename="qingtan-{user.username}-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert set(data) >= {"exported_at", "profile", "comments", "votes", "reports", "follows"}
    profile = data["profile"]
    assert profile["username"] == user.username
    assert profile["email"] == user.email
    assert profile["display_name"] == user.display_name
    assert profile["bio"] == "简介"
    assert profile["website"] == "https://me.example/"
    assert profile["notify_on_reply"] is True
    assert profile["notify_on_follow"] is False
    assert profile["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]
    assert "password" not in json.dumps(data)


def test_export_holds_the_readers_comments_votes_reports_and_follows(client, user, other_user):
    article = ArticleFactory(title="导出测试")
    question = QuestionFactory(article=article, text="你怎么看?")
    mine = CommentFactory(author=user, article=article, question=question, body="我的**观点**")
    held = CommentFactory(author=user, article=article, status="pending", body="待审的评论")
    theirs = CommentFactory(author=other_user, article=article, body="别人的评论")
    VoteFactory(user=user, comment=theirs)
    VoteFactory(user=other_user, comment=mine)  # someone else's vote: not in my export
    FlagFactory(user=user, comment=theirs, reason="off_topic", text="跑题了")
    Follow.objects.create(user=user, article=article)
    Follow.objects.create(user=user, article=article, comment=theirs)
    client.force_login(user)

    _, data = download(client)

    assert [(c["id"], c["body"], c["status"]) for c in data["comments"]] == [
        (mine.pk, "我的**观点**", "published"),
        (held.pk, "待审的评论", "pending"),
    ]
    assert data["comments"][0]["article"] == "导出测试"
    assert data["comments"][0]["question"] == "你怎么看?"
    assert data["comments"][0]["url"] == mine.get_absolute_url()
    assert [v["comment_id"] for v in data["votes"]] == [theirs.pk]
    assert [(r["comment_id"], r["reason"], r["text"]) for r in data["reports"]] == [
        (theirs.pk, "off_topic", "跑题了")
    ]
    assert [(f["article_id"], f["comment_id"]) for f in data["follows"]] == [
        (article.pk, None),
        (article.pk, theirs.pk),
    ]


def test_export_is_only_ever_the_signed_in_readers(client, user, other_user):
    CommentFactory(author=other_user, body="别人的秘密")
    client.force_login(user)

    response = client.get(
        reverse("accounts:export_data"), {"user": other_user.pk, "username": other_user.username}
    )

    assert "别人的秘密" not in response.content.decode()
    assert json.loads(response.content)["profile"]["username"] == user.username


@pytest.mark.django_db
def test_export_is_rate_limited(client, user):
    client.force_login(user)

    with time_machine.travel("2026-03-01 12:00:10", tick=False):  # inside one rate window
        statuses = [client.get(reverse("accounts:export_data")).status_code for _ in range(11)]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
