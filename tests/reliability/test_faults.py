"""Faults injected from outside our code: the database gone, Redis gone, the mail server refusing,
an import crashing half-way. The site keeps answering, loses nothing it had accepted, says what
failed in its log and never shows a traceback. tests/config/ holds the foundation's own checks
(the 503 page, the fail-open cache); these add the pages and actions built on top of it."""

import io
import json

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

import config.cache
from articles.models import Article, Source
from articles.signals import article_imported
from discussions.models import Comment, Follow, Question, Vote
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.subprocess_env import run_django

SECRET = "s3cret-database-password"

# A visit of every kind of page and a write, with the database unreachable.
VISIT = """
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a-session-that-needs-the-database"
pages = {}
for method, path in [
    ("get", "/"), ("get", "/articles/some-article/"), ("get", "/tags/ai/"), ("get", "/search/?q=x"),
    ("get", "/feeds/rss/"), ("get", "/sitemap.xml"), ("get", "/u/someone/"), ("get", "/u/settings/"),
    ("get", "/moderation/"), ("get", "/moderation/public-log/"), ("get", "/admin/"),
    ("get", "/accounts/signup/"), ("post", "/discussions/articles/1/comments/"),
    ("post", "/accounts/login/"),
]:
    data = {"body": "x", "login": "a@example.com", "password": "x"} if method == "post" else None
    r = getattr(client, method)(path, data, headers={"accept-language": "en"})
    pages[f"{method} {path}"] = {"status": r.status_code, "body": r.content.decode(errors="replace")}
r = client.get("/", headers={"HX-Request": "true"})
pages["htmx /"] = {"status": r.status_code, "body": r.content.decode()}
print(json.dumps(pages))
"""


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"postgres://qingtan:{SECRET}@127.0.0.1:1/qingtan", id="postgresql-refused"),
        pytest.param("sqlite:////nonexistent-folder/qingtan.sqlite3", id="sqlite-unopenable"),
    ],
)
def test_every_kind_of_page_and_write_answers_503_without_details_when_the_database_is_down(url):
    result = run_django(
        VISIT,
        env={
            "DJANGO_SECRET_KEY": "s" * 60,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": url,
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    for what, page in pages.items():
        assert page["status"] == 503, (what, page["status"])
        for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", SECRET, "/nonexistent-folder"):
            assert leak not in page["body"], (what, leak)
    # The operators' log names the cause.
    assert "Database unavailable" in result.stderr or "Service Unavailable" in result.stderr


# Redis down: the cache, the rate limits and the page cache fail open -----------------------------


@pytest.fixture
def redis_down(settings, monkeypatch):
    # The outage state is per server and process: start from "never failed", so this test sees
    # the first warning whatever other tests did with the same unreachable address before.
    monkeypatch.setattr(config.cache, "_outages", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    settings.QINGTAN = {
        **settings.QINGTAN,
        "HOLD_FIRST_COMMENTS": 0,
        "COMMENT_RATE": "1/m",
        "VOTE_RATE": "1/m",
    }


@pytest.mark.django_db
def test_with_redis_down_readers_still_post_and_vote_and_pages_are_served(client, redis_down, caplog):
    article = ArticleFactory()
    reader = UserFactory()
    other = CommentFactory(article=article)
    client.force_login(reader)
    for number in range(3):  # past the 1/m limit: nothing counts while Redis is down
        response = client.post(
            f"/discussions/articles/{article.pk}/comments/", {"body": f"Redis is down {number}"}
        )
        assert response.status_code == 302
    assert client.post(f"/discussions/comments/{other.pk}/vote/").status_code == 302
    assert Comment.objects.filter(author=reader).count() == 3
    assert Vote.objects.filter(user=reader).count() == 1
    for path in ["/", article.get_absolute_url(), "/search/?q=redis", "/feeds/rss/", "/u/settings/"]:
        assert client.get(path).status_code == 200, path
    client.logout()
    for path in ["/", article.get_absolute_url()]:  # anonymous pages go through the page cache
        assert client.get(path).status_code == 200, path
    assert "Redis cache unavailable" in caplog.text


# Mail server refusing ---------------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server refuses connections")


@pytest.fixture
def mail_down(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 0, "COMMENT_RATE": "off"}


@pytest.mark.django_db
def test_with_the_mail_server_down_comments_and_replies_are_kept_and_the_failure_logged(
    client, mail_down, caplog, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    followers = UserFactory.create_batch(3)
    for follower in followers:
        Follow.objects.create(user=follower, article=article)
    parent = CommentFactory(article=article, author=followers[0])
    client.force_login(UserFactory())
    with caplog.at_level("ERROR"), django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(f"/discussions/articles/{article.pk}/comments/", {"body": "Kept"}).status_code == 302
        )
        response = client.post(
            f"/discussions/articles/{article.pk}/comments/", {"body": "Kept too", "parent": parent.pk}
        )
        assert response.status_code == 302
    assert set(Comment.objects.filter(article=article).values_list("body", flat=True)) >= {"Kept", "Kept too"}
    # One failure logged per email that could not go: three followers and the replied-to author.
    failures = [r for r in caplog.records if "Could not send" in r.getMessage()]
    assert len(failures) == 4
    assert all("ConnectionRefusedError" in (r.exc_text or "") for r in failures)
    assert mail.outbox == []


# A crash half-way through an import -------------------------------------------------------------

DOCUMENT = """Crash test title
导语。
原文标题: Crash original
原文作者: Crash Weekly
标签: 崩溃, 测试
冷月清谈:
摘要。
怜星夜思:
1、第一个问题?
2、第二个问题?
原文内容
正文。
© THE END


一条读者评论。

{comment}
"""


def _counts():
    return (
        Article.objects.count(),
        Source.objects.filter(name="Crash Weekly").count(),
        Question.objects.count(),
        Comment.objects.count(),
    )


@pytest.mark.django_db
def test_an_imported_comment_over_the_limit_rolls_the_whole_document_back(tmp_path, settings):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENT_MAX_LENGTH": 100}
    document = tmp_path / "crash.txt"
    document.write_text(DOCUMENT.format(comment="长" * 101), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 failed"):
        call_command("import_articles", str(document), stderr=errors)
    assert f"{document}:" in errors.getvalue()
    assert _counts() == (0, 0, 0, 0)
    assert not Article.tags.through.objects.exists()


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_a_crash_after_the_article_is_saved_leaves_nothing_of_the_document(tmp_path):
    good, bad = tmp_path / "a-good.txt", tmp_path / "b-crash.txt"
    good.write_text(
        DOCUMENT.format(comment="好").replace("Crash original", "Good original"), encoding="utf-8"
    )
    bad.write_text(DOCUMENT.format(comment="坏"), encoding="utf-8")

    def crash(sender, *, article, **kwargs):
        # Runs after the discussions receiver: the article, its tags, questions and comments exist.
        if article.original_title == "Crash original":
            assert Question.objects.filter(article=article).count() == 2
            raise Crash("the disk is full")

    article_imported.connect(crash, dispatch_uid="crash-test")
    try:
        with pytest.raises(Crash):
            call_command("import_articles", str(good), str(bad))
    finally:
        article_imported.disconnect(dispatch_uid="crash-test")
    # The first file was committed on its own; nothing of the second remains.
    assert list(Article.objects.values_list("original_title", flat=True)) == ["Good original"]
    assert Question.objects.count() == 2
    assert set(Comment.objects.values_list("body", flat=True)) == {"一条读者评论。", "好"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/password/reset/"])
def test_with_the_mail_server_down_account_emails_fail_without_a_server_error(
    client, mail_down, path, caplog
):
    from allauth.account.models import EmailAddress

    reader = UserFactory(email="known@example.com")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    data = (
        {
            "email": "new-reader@example.com",
            "display_name": "New Reader",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        }
        if "signup" in path
        else {"email": reader.email}
    )
    with caplog.at_level("ERROR", logger="accounts.adapters"):
        response = client.post(path, data, follow=True)
    assert response.status_code == 200
    assert "We could not send you an email just now" in response.content.decode()
    assert "ConnectionRefusedError" in caplog.text
    assert mail.outbox == []
