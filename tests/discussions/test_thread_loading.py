"""A discussion that fits on one page is read whole in one query and put in order in Python
(discussions.threads.load_thread); longer ones are read a page at a time by the database."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from discussions import fragments, moderation, participation, threads
from discussions.importing import import_account
from discussions.models import Comment
from tests.discussions.conftest import every_comment, page_of, top_level_ids, url, with_rules
from tests.factories import CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    with_rules(settings, PAGE_CACHE_SECONDS=0)


def _comment_queries(client, article, **query):
    with CaptureQueriesContext(connection) as captured:
        page = page_of(client, article, **query)
    table = Comment._meta.db_table
    return page, [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]


@pytest.mark.parametrize("sort", ["oldest", "newest", "top"])
def test_a_discussion_read_whole_is_in_the_order_the_database_gives_page_by_page(
    client, settings, article, sort
):
    moment = timezone.now() - datetime.timedelta(hours=1)
    for n in range(7):
        # Ties on time and on score, broken by id as in the database's order.
        created = moment if n % 2 else moment - datetime.timedelta(minutes=n)
        root = CommentFactory(article=article, created_at=created, score=n % 3)
        CommentFactory(article=article, parent=root)
    with_rules(settings, COMMENTS_PER_PAGE=50)
    whole = top_level_ids(page_of(client, article, sort=sort))
    with_rules(settings, COMMENTS_PER_PAGE=3)
    paged = []
    for number in (1, 2, 3):
        paged += top_level_ids(page_of(client, article, sort=sort, page=number))
    assert len(whole) == 7
    assert whole == paged


def test_one_page_is_one_query_for_every_comment(client, article):
    roots = CommentFactory.create_batch(3, article=article)
    replies = [CommentFactory(article=article, parent=root) for root in roots]
    hidden = CommentFactory(article=article, status=Comment.Status.HIDDEN)
    under_hidden = CommentFactory(article=article, parent=hidden)
    page, queries = _comment_queries(client, article)
    shown = {int(node["id"].split("-")[1]) for node in page.select("article.comment")}
    assert shown == {comment.pk for comment in roots + replies}
    assert under_hidden.pk not in shown
    # The comments, and on a cold cache the count of top-level comments (the comment count is
    # that of the comments read).
    assert len(queries) == 2
    _, queries = _comment_queries(client, article)
    assert len(queries) == 1  # the counts are remembered until the discussion changes


def test_a_longer_discussion_reads_a_page_and_its_replies(client, settings, article):
    with_rules(settings, COMMENTS_PER_PAGE=2)
    roots = CommentFactory.create_batch(3, article=article)
    replies = [CommentFactory(article=article, parent=root) for root in roots]
    page, queries = _comment_queries(client, article, page=2)
    shown = {int(node["id"].split("-")[1]) for node in page.select("article.comment")}
    assert shown == {roots[2].pk, replies[2].pk}
    assert len(queries) == 4  # two counts, the page, its replies (by their thread's root)


def test_a_page_of_a_longer_discussion_shows_replies_at_every_depth_under_its_own_comments_only(
    client, settings, article
):
    with_rules(settings, COMMENTS_PER_PAGE=1, COMMENT_MAX_DEPTH=3)
    first, second = CommentFactory.create_batch(2, article=article)
    chain = [first]
    for _depth in range(3):
        chain.append(CommentFactory(article=article, parent=chain[-1]))
    sibling = CommentFactory(article=article, parent=chain[1])
    hidden = CommentFactory(article=article, parent=first, status=Comment.Status.HIDDEN)
    CommentFactory(article=article, parent=hidden)
    elsewhere = CommentFactory(article=article, parent=CommentFactory(article=article, parent=second))
    page, _ = _comment_queries(client, article, page=1)
    shown = {int(node["id"].split("-")[1]) for node in page.select("article.comment")}
    assert shown == {comment.pk for comment in [*chain, sibling]}
    assert elsewhere.pk not in shown


def _questions(questions):
    return [(q.pk, q.number, q.answer_count, q.pinned_answer_id, q.pick) for q in questions]


@pytest.mark.parametrize("signed_in", [False, True])
def test_answer_counts_and_picks_from_the_whole_discussion_are_those_the_query_counts(
    article, user, moderator, signed_in
):
    questions = QuestionFactory.create_batch(4, article=article)
    answers = [CommentFactory(article=article, question=questions[n % 3]) for n in range(6)]
    CommentFactory(article=article, parent=answers[0], question=questions[0])  # a reply counts for nothing
    CommentFactory(article=article, author=user, question=questions[1], status=Comment.Status.PENDING)
    CommentFactory(article=article, author=user, question=questions[1], status=Comment.Status.HIDDEN)
    gone = CommentFactory(article=article, question=questions[2])
    participation.delete_comment(gone, by=gone.author)
    hidden_pick = CommentFactory(article=article, question=questions[2])
    for question, pick in zip(questions, [answers[0], answers[1], hidden_pick, None], strict=True):
        question.pinned_answer = pick
        question.save()
    moderation.hide_comment(hidden_pick, by=moderator)
    reader = user if signed_in else AnonymousUser()

    page_article = Article.objects.get(pk=article.pk)
    assert threads.whole_discussion(page_article, user=reader) is not None
    with CaptureQueriesContext(connection) as captured:
        derived = threads.questions_for(page_article, user=reader)
    # The thread's state and the questions; the counts and picks come with the discussion.
    assert len(captured) == 2
    cache.clear()  # what is remembered, so that they are counted this time
    counted_article = Article.objects.get(pk=article.pk)
    counted = threads.questions_for(counted_article)
    assert _questions(derived) == _questions(counted)
    assert [q.answer_count for q in counted] == [2, 2, 2, 0]
    assert derived[0].pick == threads.Pick(
        answers[0].pk,
        answers[0].body_html,
        answers[0].author_id,
        answers[0].author.username,
        answers[0].author.public_name,
    )
    assert [q.pick for q in derived[1:]] == [
        threads.Pick(
            answers[1].pk,
            answers[1].body_html,
            answers[1].author_id,
            answers[1].author.username,
            answers[1].author.public_name,
        ),
        None,  # hidden since
        None,
    ]
    counted_total = Comment.objects.counted().filter(article=article).count()
    assert threads.discussion_state(page_article)[2] == threads.discussion_state(counted_article)[2]
    assert threads.discussion_state(page_article)[2] == counted_total == 7  # six answers and a reply


def test_the_answers_to_a_question_come_with_the_pick_first_either_way(client, settings, article):
    question = QuestionFactory(article=article)
    answers = [CommentFactory(article=article, question=question, score=n) for n in range(5)]
    CommentFactory(article=article)  # answers no question
    question.pinned_answer = answers[2]
    question.save()
    with_rules(settings, COMMENTS_PER_PAGE=50)
    whole = top_level_ids(page_of(client, article, question=question.pk, sort="top"))
    with_rules(settings, COMMENTS_PER_PAGE=2)
    paged = []
    for number in (1, 2, 3):
        paged += top_level_ids(page_of(client, article, question=question.pk, sort="top", page=number))
    assert whole == paged == [answers[2].pk, answers[4].pk, answers[3].pk, answers[1].pk, answers[0].pk]


@pytest.mark.parametrize("whole", [True, False])
def test_questions_are_numbered_by_their_position_either_way(article, whole):
    third, first, second = (QuestionFactory(article=article, position=n) for n in (2, 0, 1))
    CommentFactory(article=article, question=first)
    page_article = Article.objects.get(pk=article.pk)
    if whole:
        assert threads.whole_discussion(page_article, user=AnonymousUser()) is not None
    questions = threads.questions_for(page_article, user=AnonymousUser() if whole else None)
    assert [(q.pk, q.number) for q in questions] == [(first.pk, 1), (second.pk, 2), (third.pk, 3)]
    assert [q.answer_count for q in questions] == [1, 0, 0]


def _questions_text(client, article):
    return page_of(client, article).select_one("#questions").get_text(" ", strip=True)


def test_what_the_page_remembers_of_the_discussion_changes_at_once(
    client, user, other_user, editor, moderator, article
):
    """The thread's state, the questions with their answer counts and picks, and the comment
    count are remembered between requests (page cache off); every change shows on the next one."""
    question = QuestionFactory(article=article, text="Which way?")
    answer = CommentFactory(article=article, question=question, author=user, body="Left, always.")
    reader = Client()
    assert "1 answer" in _questions_text(reader, article)
    assert "1 comment" in page_of(reader, article).select_one("#discussion-heading").text

    CommentFactory(article=article, question=question)
    assert "2 answers" in _questions_text(reader, article)
    assert "2 comments" in page_of(reader, article).select_one("#discussion-heading").text

    moderation.pin_answer(answer, by=editor)
    pick = page_of(reader, article).select_one(f"#question-{question.pk} .question__pick")
    assert "Left, always." in pick.text
    assert user.public_name in pick.text

    user.display_name = "改过的名字"
    user.save()
    assert "改过的名字" in page_of(reader, article).select_one(".question__pick").text

    question.text = "Which way now?"
    question.save()
    assert "Which way now?" in _questions_text(reader, article)

    moderation.close_question(question, by=editor)
    assert "Closed to new answers" in _questions_text(reader, article)

    moderation.hide_comment(answer, by=moderator)
    page = page_of(reader, article)
    assert page.select_one(".question__pick") is None
    assert "1 answer" in page.select_one("#questions").text

    client.force_login(other_user)
    assert page_of(client, article).select_one("#comment-form form") is not None
    moderation.lock_thread(article, by=moderator)
    page = page_of(client, article)
    assert page.select_one("#comment-form form") is None
    assert "Staff have locked this discussion" in page.select_one(".discussion__closed").text


@pytest.mark.parametrize("reader", ["superuser", "user", "anonymous"])
def test_a_comment_read_as_a_row_is_prepared_as_the_model_comment_is(request, article, reader):
    """load_thread() reads comments as rows (threads.ThreadComment); the views that re-render
    one comment prepare its model (threads.prepare_comment()): both show the same values."""
    user = AnonymousUser() if reader == "anonymous" else request.getfixturevalue(reader)
    author, other = UserFactory(display_name=""), UserFactory(display_name="显示的名字")
    question = QuestionFactory(article=article)
    mine = user if user.is_authenticated else UserFactory()
    root = CommentFactory(article=article, author=author, question=question, score=2)
    CommentFactory(article=article, author=other, parent=root, edited_at=timezone.now())
    CommentFactory(article=article, author=mine, status=Comment.Status.PENDING)
    CommentFactory(article=article, author=mine, status=Comment.Status.HIDDEN, moderation_reason="Rude")
    CommentFactory(article=article, author=None)
    gone = CommentFactory(article=article, author=other)
    participation.delete_comment(gone, by=other)
    question.pinned_answer = root
    question.save()

    discussion = threads.load_thread(article, user=user, params=threads.ThreadParams())
    flat = every_comment(discussion.comments)
    assert len(flat) == (6 if user.is_authenticated else 4)
    assert all(isinstance(comment, threads.ThreadComment) for comment in flat)
    for row in flat:
        model = Comment.objects.get(pk=row.pk)
        model.children = []
        threads.prepare_comment(model, user=user)
        assert [getattr(row, name) for name in fragments.VALUES] == [
            getattr(model, name) for name in fragments.VALUES
        ], row.pk


def test_an_article_given_its_old_slug_back_shows_its_discussion_as_it_is_now(editor, moderator, article):
    """What the page remembers follows the article's own version, which is named by its slug;
    one renamed and renamed back must not find what was kept under the old slug before."""
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question)
    old_slug = article.slug
    assert "1 answer" in _questions_text(Client(), article)
    article.slug = "renamed-for-a-while"
    article.save()
    moderation.hide_comment(answer, by=moderator)
    moderation.close_question(question, by=editor)
    article.slug = old_slug
    article.save()
    text = _questions_text(Client(), article)
    assert "Unanswered" in text
    assert "Closed to new answers" in text


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("author", ["reader", "imported", "deleted"])
def test_the_questions_section_names_the_picks_author_either_way(settings, user, article, whole, author):
    """The pick's author as the comment shows it: a link to their profile, the imported label, or
    a deleted user; whether the pick came with the discussion or from the counting query."""
    with_rules(settings, COMMENTS_PER_PAGE=50 if whole else 1)
    question = QuestionFactory(article=article)
    CommentFactory(article=article)  # a second thread: one per page does not fit
    writer = {"reader": user, "imported": import_account(), "deleted": None}[author]
    pick = CommentFactory(article=article, question=question, author=writer, body="**Worth reading**")
    question.pinned_answer = pick
    question.save()
    figure = page_of(Client(), article).select_one(f"#question-{question.pk} .question__pick")
    caption = figure.select_one("figcaption")
    assert figure.select_one(".question__pick-body strong").text == "Worth reading"
    assert caption.select_one(f'a[href="{url("comment", pick.pk)}"]') is not None
    if author == "reader":
        assert caption.select_one(f'a[href="{user.get_absolute_url()}"]').text == user.public_name
    else:
        label = "Imported comment" if author == "imported" else "deleted user"
        assert label in caption.text
        assert len(caption.select("a")) == 1
