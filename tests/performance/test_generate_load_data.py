"""manage.py generate_load_data: realistic, consistent and reproducible rows."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from accounts.models import User
from articles.models import Article, ArticleSearchEntry
from articles.text import reading_minutes, render_article_markdown, render_comment_markdown
from discussions.models import Comment, ModerationAction, Question, Vote

pytestmark = pytest.mark.django_db


def _generate(**options):
    call_command(
        "generate_load_data",
        **{"articles": 30, "comments": 400, "users": 25, "seed": 7, **options},
        verbosity=0,
    )


def test_it_writes_what_was_asked_for():
    _generate()
    assert Article.objects.count() == 30
    assert Comment.objects.count() == 400
    assert User.objects.count() == 25
    per_article = Article.objects.annotate(
        q=Count("questions", distinct=True), t=Count("tagged_items", distinct=True)
    )
    assert {a.q for a in per_article} <= {2, 3, 4}
    assert {a.t for a in per_article} <= {2, 3, 4}
    # The articles bench/run measures: 300 comments with three questions, 20 with three.
    planted = Article.objects.annotate(
        n=Count("comments", distinct=True), q=Count("questions", distinct=True)
    )
    assert planted.filter(n=300, q=3).exists() and planted.filter(n=20, q=3).exists()
    public = Article.objects.filter(status__in=["published", "archived"])
    assert ArticleSearchEntry.objects.count() == public.count()


def test_the_planner_has_statistics_of_the_search_index_too():
    _generate()
    table = ArticleSearchEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        assert cursor.fetchone()[0] > 0


def test_the_rows_are_what_the_models_would_have_written():
    _generate()
    for article in Article.objects.all():
        assert article.body_html == render_article_markdown(article.body)
        assert article.summary_html == render_article_markdown(article.summary)
        assert article.reading_minutes == reading_minutes(f"{article.summary}\n{article.body}")
        article.full_clean()
    for comment in Comment.objects.select_related("article", "question", "parent")[:150]:
        assert comment.body_html == render_comment_markdown(comment.body)
        comment.full_clean()
    for user in User.objects.all()[:5]:
        assert not user.has_usable_password()
        user.full_clean()


def test_threads_votes_and_picks_are_consistent():
    _generate()
    max_depth = settings.QINGTAN["COMMENT_MAX_DEPTH"]
    comments = {c.pk: c for c in Comment.objects.all()}
    replies = [c for c in comments.values() if c.parent_id]
    assert len(replies) > 50
    for comment in comments.values():
        if comment.parent_id:
            parent = comments[comment.parent_id]
            assert parent.article_id == comment.article_id
            assert comment.depth == parent.depth + 1 <= max_depth
            assert comment.root_id == (parent.root_id or parent.pk)  # as Comment.save() sets it
            assert comment.question_id is None and parent.created_at <= comment.created_at
        else:
            assert comment.depth == 0 and comment.root_id is None
    answers = Comment.objects.filter(question__isnull=False).select_related("question")
    assert answers.count() > 50
    assert all(answer.question.article_id == answer.article_id for answer in answers)
    votes = dict(Vote.objects.values_list("comment").annotate(n=Count("pk")).values_list("comment", "n"))
    assert votes and all(comment.score == votes.get(pk, 0) for pk, comment in comments.items())
    assert not Vote.objects.filter(user=F("comment__author")).exists()  # nobody votes for themselves
    for question in Question.objects.filter(pinned_answer__isnull=False).select_related("pinned_answer"):
        pick = question.pinned_answer
        assert pick.question_id == question.pk and pick.status == "published" and not pick.is_deleted
    moderated = Comment.objects.exclude(status="published")
    assert moderated.exists()
    assert ModerationAction.objects.filter(comment__in=moderated).count() == moderated.count()


def test_the_same_seed_gives_the_same_rows():
    def snapshot(articles, comments):
        return (
            [(a.title, a.lead, a.body, a.status, a.source.name) for a in articles],
            [
                (
                    c.body,
                    c.depth,
                    c.status,
                    c.score,
                    c.parent_id - c.article.comments.order_by("pk")[0].pk if c.parent_id else None,
                )
                for c in comments
            ],
        )

    _generate(seed=3)
    first = snapshot(Article.objects.order_by("pk"), Comment.objects.order_by("pk")[:120])
    _generate(seed=3)
    second = snapshot(Article.objects.order_by("pk")[30:], Comment.objects.order_by("pk")[400:520])
    assert first == second
    _generate(seed=4)
    third = snapshot(Article.objects.order_by("pk")[60:], Comment.objects.order_by("pk")[800:920])
    assert third != first


def test_bad_numbers_are_refused():
    with pytest.raises(CommandError):
        _generate(users=1)
