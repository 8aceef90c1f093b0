"""Comments come from the fragment cache (discussions/fragments.py), with the page cache off:
each comment is rendered once for every reader who sees it the same way, and any change to
what it shows renders it again at once."""

import contextlib
import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.template.loader import render_to_string
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone, translation

from discussions import fragments, moderation, participation, threads
from discussions.importing import import_account
from discussions.models import Comment
from tests.discussions.conftest import every_comment, page_of, url, with_rules
from tests.factories import CommentFactory, QuestionFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # What bench/run calls "uncached": every request renders the page.
    with_rules(settings, PAGE_CACHE_SECONDS=0)


@contextlib.contextmanager
def comment_renders():
    """The ids of the comments whose template is rendered inside the block."""
    rendered = []

    def record(sender, template, context, **kwargs):
        if template.name == fragments.TEMPLATE:
            rendered.append(context["comment"].pk)

    template_rendered.connect(record)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record)


def _discussion(article, *, authors=None):
    """Three threads under two questions, with replies two deep."""
    authors = authors or UserFactory.create_batch(3)
    questions = [QuestionFactory(article=article, position=n) for n in range(2)]
    roots = [
        CommentFactory(article=article, author=authors[n % len(authors)], question=questions[n % 2])
        for n in range(3)
    ]
    reply = CommentFactory(article=article, author=authors[1 % len(authors)], parent=roots[0])
    deeper = CommentFactory(article=article, author=authors[2 % len(authors)], parent=reply)
    return [*roots, reply, deeper]


def _comment(page, comment):
    return page.select_one(f"#comment-{comment.pk}-main")


def _tokens(page, comment):
    return [node["value"] for node in _comment(page, comment).select("input[name=csrfmiddlewaretoken]")]


# Sharing ----------------------------------------------------------------------------------------


def test_every_anonymous_reader_gets_the_comments_rendered_for_the_first(article):
    comments = _discussion(article)
    with comment_renders() as rendered:
        first = page_of(Client(), article)
    assert sorted(rendered) == sorted(comment.pk for comment in comments)
    with comment_renders() as rendered:
        second = page_of(Client(), article)
    assert rendered == []
    assert str(second.select_one("#comment-list")) == str(first.select_one("#comment-list"))
    # The tree is put together again around the stored fragments.
    root, reply, deeper = comments[0], comments[3], comments[4]
    assert second.select_one(f"#comment-{root.pk}-replies > #comment-{reply.pk}") is not None
    assert second.select_one(f"#comment-{reply.pk}-replies > #comment-{deeper.pk}") is not None
    assert "comment--reply" in second.select_one(f"#comment-{deeper.pk}")["class"]


def test_a_new_comment_leaves_the_others_cached(client, user, article):
    comments = _discussion(article)
    page_of(Client(), article)
    client.force_login(user)
    client.post(url("post", article.pk), {"body": "A late thought"})
    new = Comment.objects.get(body="A late thought")
    with comment_renders() as rendered:
        page = page_of(Client(), article)
    assert rendered == [new.pk]
    assert [c.pk for c in comments if _comment(page, c) is None] == []


def test_signed_in_readers_share_the_fragments_whose_actions_are_the_same(client, article):
    comments = _discussion(article)
    readers = UserFactory.create_batch(2)
    client.force_login(readers[0])
    page_of(client, article)
    other = Client()
    other.force_login(readers[1])
    with comment_renders() as rendered:
        page = page_of(other, article)
    assert rendered == []
    assert all(_comment(page, comment).select_one("form .vote__button") for comment in comments)


def test_comments_are_rendered_when_the_cache_server_is_down(settings, article):
    comments = _discussion(article)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for _ in range(2):
        with comment_renders() as rendered:
            page = page_of(Client(), article)
        assert sorted(rendered) == sorted(comment.pk for comment in comments)
        assert all(_comment(page, comment) for comment in comments)


# Each reader's own actions ----------------------------------------------------------------------


@pytest.mark.parametrize("author_first", [True, False])
def test_only_the_author_gets_edit_and_delete_whoever_rendered_the_comment_first(
    client, user, other_user, article, author_first
):
    comment = CommentFactory(article=article, author=user)
    author, reader = Client(), Client()
    author.force_login(user)
    reader.force_login(other_user)
    order = [("author", author), ("reader", reader)]
    pages = {name: page_of(each, article) for name, each in (order if author_first else order[::-1])}

    def actions(page):
        return {link.text for link in _comment(page, comment).select(".comment__actions a")}

    assert {"Edit", "Delete"} <= actions(pages["author"])
    assert "Report" not in actions(pages["author"])
    assert not {"Edit", "Delete"} & actions(pages["reader"])
    assert "Report" in actions(pages["reader"])


def test_no_reader_gets_another_readers_csrf_token(user, other_user, article):
    comment = CommentFactory(article=article)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(user)
    second.force_login(other_user)
    with comment_renders() as rendered:
        first_page = page_of(first, article)
        second_page = page_of(second, article)
    assert rendered == [comment.pk]  # the second reader got the fragment rendered for the first

    for client, page in ((first, first_page), (second, second_page)):
        tokens = _tokens(page, comment)
        assert len(tokens) == 2  # vote and follow
        secret = client.cookies[settings.CSRF_COOKIE_NAME].value
        assert all(_unmask_cipher_token(token) == secret for token in tokens)
    assert first.cookies[settings.CSRF_COOKIE_NAME].value != second.cookies[settings.CSRF_COOKIE_NAME].value
    assert not set(_tokens(first_page, comment)) & set(_tokens(second_page, comment))

    # The token put in is one the server accepts.
    response = second.post(url("vote", comment.pk), {"csrfmiddlewaretoken": _tokens(second_page, comment)[0]})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).score == 1


def test_a_fragment_holds_no_token(user, article):
    comment = CommentFactory(article=article)
    reader = Client()
    reader.force_login(user)
    token = _tokens(page_of(reader, article), comment)[0]
    secret = reader.cookies[settings.CSRF_COOKIE_NAME].value
    discussion = threads.load_thread(article, user=user, params=threads.ThreadParams())
    with translation.override("en"):
        keys = fragments.keys_for(discussion.comments)
    stored = cache.get_many(list(keys.values()))
    assert len(stored) == 1
    head, tail = stored[keys[comment.pk]]
    assert "csrfmiddlewaretoken" in head
    assert token not in head + tail
    assert secret not in head + tail


# Changes show at once ---------------------------------------------------------------------------


def _shown(page, comment):
    return _comment(page, comment).get_text(" ", strip=True)


def test_an_edit_renders_the_comment_again(client, user, article):
    comment = _discussion(article, authors=[user])[0]
    page_of(Client(), article)
    client.force_login(user)
    assert client.post(url("edit", comment.pk), {"body": "Second thoughts"}).status_code == 302
    with comment_renders() as rendered:
        page = page_of(Client(), article)
    assert rendered == [comment.pk]
    assert "Second thoughts" in _shown(page, comment)
    assert "edited" in _shown(page, comment)


def test_a_vote_changes_the_score_and_the_voters_button(client, user, article):
    comment = _discussion(article)[0]
    page_of(Client(), article)
    client.force_login(user)
    assert "Vote up" in _shown(page_of(client, article), comment)
    client.post(url("vote", comment.pk))
    with comment_renders() as rendered:
        anonymous = page_of(Client(), article)
        voter = page_of(client, article)
    assert rendered == [comment.pk, comment.pk]  # anonymous readers and the voter see it differently
    assert "1 point" in _shown(anonymous, comment)
    assert "Voted" in _shown(voter, comment)


def test_a_moderator_hiding_a_comment_shows_at_once_to_everyone(client, user, moderator, article):
    comment = _discussion(article, authors=[user])[0]
    client.force_login(user)
    page_of(Client(), article)
    page_of(client, article)
    moderation.hide_comment(comment, by=moderator, reason="Off topic")
    assert _comment(page_of(Client(), article), comment) is None
    seen_by_author = _shown(page_of(client, article), comment)
    assert "A moderator has hidden your comment" in seen_by_author
    assert "Off topic" in seen_by_author
    moderation.restore_comment(comment, by=moderator)
    assert "A moderator has hidden" not in _shown(page_of(client, article), comment)


def test_a_pick_pinned_shows_its_badge(editor, article):
    comment = _discussion(article)[0]
    page_of(Client(), article)
    moderation.pin_answer(comment, by=editor)
    assert "Editor's pick" in _shown(page_of(Client(), article), comment)


def test_a_renamed_author_shows_the_new_name_on_every_comment(user, article):
    comments = _discussion(article, authors=[user])
    page_of(Client(), article)
    user.display_name = "新的名字"
    user.save()
    with comment_renders() as rendered:
        page = page_of(Client(), article)
    assert sorted(rendered) == sorted(comment.pk for comment in comments)
    assert all("新的名字" in _shown(page, comment) for comment in comments)


def test_each_language_gets_its_own_fragments(article):
    comment = _discussion(article)[0]
    english = _shown(page_of(Client(), article), comment)
    chinese = _shown(page_of(Client(headers={"accept-language": "zh-hans"}), article), comment)
    assert "Answers question 1" in english
    assert "回答问题 1" in chinese
    assert "回答问题" not in _shown(page_of(Client(), article), comment)


def test_the_time_zone_is_part_of_the_key(settings, article):
    comment = CommentFactory(
        article=article, created_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    settings.TIME_ZONE = "UTC"
    assert "11:30" in _shown(page_of(Client(), article), comment)
    settings.TIME_ZONE = "Asia/Shanghai"
    assert "7:30" in _shown(page_of(Client(), article), comment)


def test_the_edit_link_goes_when_the_edit_window_closes(client, user, article, time_machine):
    comment = CommentFactory(article=article, author=user)
    client.force_login(user)
    assert "Edit" in _shown(page_of(client, article), comment)
    time_machine.move_to(timezone.now() + moderation.edit_window() + datetime.timedelta(minutes=1))
    assert "Edit" not in _shown(page_of(client, article), comment)


# The template reads only what the key holds ------------------------------------------------------


def _varied_comments(article, author, reader):
    """Comments in every state `reader` can see, some of them theirs."""
    questions = [QuestionFactory(article=article, position=n) for n in range(2)]
    plain = CommentFactory(article=article, author=author, question=questions[0])
    reply = CommentFactory(article=article, author=reader, parent=plain)
    edited = CommentFactory(article=article, author=reader, edited_at=timezone.now(), question=questions[1])
    CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)
    CommentFactory(article=article, author=reader, status=Comment.Status.HIDDEN, moderation_reason="Rude")
    CommentFactory(article=article, author=reader, status=Comment.Status.REMOVED, moderation_reason="Spam")
    CommentFactory(article=article, author=import_account())
    CommentFactory(article=article, author=None)
    deleted = CommentFactory(article=article, author=author)
    participation.delete_comment(deleted, by=author)
    VoteFactory(comment=plain, user=reader)
    VoteFactory(comment=edited, user=author)
    questions[0].pinned_answer = plain
    questions[0].save()
    return reply


@pytest.mark.parametrize("reader", ["superuser", "user", "anonymous"])
def test_the_template_shows_nothing_that_is_not_in_the_key(request, article, reader):
    """A value the template read from the model but the fragment's key missed would make
    fragments stale: rendered from the values in the key alone (a CommentView), every comment
    is the same as rendered from the model."""
    author = UserFactory()
    user = AnonymousUser() if reader == "anonymous" else request.getfixturevalue(reader)
    reply = _varied_comments(article, author, user if user.is_authenticated else UserFactory())
    discussion = threads.load_thread(article, user=user, params=threads.ThreadParams())
    flat = every_comment(discussion.comments)
    assert reply.pk in {comment.pk for comment in flat}
    assert len(flat) == (9 if user.is_authenticated else 6)
    for comment in flat:
        view = fragments.CommentView(*(getattr(comment, name) for name in fragments.VALUES))
        fragments.set_derived_values(comment)
        context = {"csrf_token": "TOKEN", "replies": "REPLIES"}
        from_view = render_to_string(fragments.TEMPLATE, {**context, "comment": view})
        from_model = render_to_string(fragments.TEMPLATE, {**context, "comment": comment})
        assert from_view == from_model


# Queries ----------------------------------------------------------------------------------------


def _twenty_comments(article):
    questions = [QuestionFactory(article=article, position=n) for n in range(3)]
    authors = UserFactory.create_batch(4)
    roots = [
        CommentFactory(article=article, author=authors[n % 4], question=questions[n % 3]) for n in range(12)
    ]
    for n in range(8):
        CommentFactory(article=article, author=authors[n % 4], parent=roots[n])
    VoteFactory(comment=roots[0])
    questions[0].pinned_answer = roots[0]
    questions[0].save()


def test_the_page_needs_few_queries_and_fewer_once_fragments_and_counts_are_kept(
    client, user, article, django_assert_max_num_queries, django_assert_num_queries
):
    _twenty_comments(article)
    # The article and its tags, the discussion's comments, questions and thread state, the two
    # counts and the related articles.
    with django_assert_max_num_queries(8):
        page_of(Client(), article)
    # The article's row, counts, related articles, the schedule, the thread's state and the
    # questions with their answer counts and picks are remembered: only the comments are read.
    with django_assert_num_queries(1):
        page_of(Client(), article)
    # A signed-in reader also costs their session, account, suspension, votes, reports and
    # follows, and their own counts; no query per comment.
    client.force_login(user)
    with django_assert_max_num_queries(12):
        page_of(client, article)
