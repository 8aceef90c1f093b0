import io

import pytest
from django.core.management import call_command

from articles.models import Article, Source
from articles.signals import article_imported

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
    assert "(0 new)" in out.getvalue()


def test_the_demo_site_pages_render(client):
    call_command("seed_demo", stdout=io.StringIO())
    assert client.get("/").status_code == 200
    for article in Article.objects.all():
        assert client.get(article.get_absolute_url()).status_code == 200
