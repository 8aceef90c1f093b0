import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Source
from articles.signals import article_imported
from discussions.models import Comment, Flag, ModerationAction, Question, Vote
from tests.discussions.conftest import soup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo accounts' passwords are hashed on creation; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _snapshot():
    return (
        list(Article.objects.order_by("pk").values()),
        list(Source.objects.order_by("pk").values()),
        sorted((a.pk, sorted(a.tags.names())) for a in Article.objects.all()),
        list(Comment.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Flag.objects.order_by("pk").values()),
        list(ModerationAction.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
    )


def test_seed_demo_publishes_a_dozen_complete_articles_and_prints_the_sign_ins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    articles = list(Article.objects.published().select_related("source"))
    assert len(articles) >= 12
    assert Source.objects.count() >= 5
    assert {a.original_author for a in articles} <= set(Source.objects.values_list("name", flat=True))
    for article in articles:
        assert article.summary and article.body and article.lead
        assert article.original_title and article.original_author and article.reprint_notice
        assert article.original_url.startswith("https://") and article.original_published_on
        assert article.tags.exists()
        assert article.source.homepage
        assert article.permission_status == Article.Permission.GRANTED
    assert any("\u4e00" <= a.title[0] <= "\u9fff" for a in articles)
    assert any(a.title[0].isascii() for a in articles)
    assert "editor@example.com" in out.getvalue()
    assert "qingtan-demo-2026" in out.getvalue()


def test_every_demo_document_brings_two_to_four_questions_and_some_comments():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    article_imported.connect(receiver, dispatch_uid="tests.seed")
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        article_imported.disconnect(dispatch_uid="tests.seed")
    assert len(calls) >= 12
    for call in calls:
        assert 2 <= len(call["questions"]) <= 4, call["article"]
        assert len(call["comments"]) >= 2, call["article"]


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _snapshot() == before
    assert "12 articles from 7 sources (0 new)" in out.getvalue()
    assert "comments (0 new)" in out.getvalue()


def test_the_demo_site_pages_render(client):
    call_command("seed_demo", stdout=io.StringIO())
    assert client.get("/").status_code == 200
    for article in Article.objects.all():
        assert client.get(article.get_absolute_url()).status_code == 200


def test_the_demo_discussion_is_alive_and_gives_the_moderators_work(client):
    call_command("seed_demo", stdout=io.StringIO())
    readers = Comment.objects.exclude(author__username="imported")
    # Readers answer the questions: most articles have answered questions.
    answered = Question.objects.filter(answers__in=readers.published()).distinct()
    assert answered.values("article").distinct().count() >= 10
    assert readers.filter(depth=2).exists()  # a reply to a reply
    assert Vote.objects.count() >= 5
    for comment in Comment.objects.filter(votes__isnull=False).distinct():
        assert comment.score == comment.votes.count()
    assert Question.objects.filter(pinned_answer__isnull=False).exists()

    held = Comment.objects.get(status=Comment.Status.PENDING)
    assert ModerationAction.objects.filter(comment=held, kind="hold").exists()
    reported = Comment.objects.reported().get()
    assert reported.status == Comment.Status.PUBLISHED and reported.flags.count() == 2
    hidden = Comment.objects.get(status=Comment.Status.HIDDEN)
    assert hidden.moderation_reason
    entry = ModerationAction.objects.get(kind="hide")
    assert (entry.comment, entry.actor.username, entry.actor_role) == (hidden, "moderator", "moderator")

    client.force_login(get_user_model().objects.get(username="moderator"))
    assert [int(i["id"].split("-")[-1]) for i in soup(client.get("/moderation/")).select(".mod-item")] == [
        held.pk
    ]
    assert len(soup(client.get("/moderation/reported/")).select(".mod-item")) == 1
    public = soup(client.get("/moderation/public-log/")).select(".public-log__entry")
    assert len(public) == 1 and "Attacks other readers" in public[0].text
