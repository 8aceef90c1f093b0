import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from discussions import moderation
from discussions.models import Comment, ModerationAction, Question, Suspension, Thread
from tests.discussions.conftest import HTMX, message_of, page_of, soup, url
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db


# Editor's picks ---------------------------------------------------------------------------------


def test_an_editor_pins_an_answer_as_the_editors_pick(client, editor, article):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question, body="Well argued")
    client.force_login(editor)
    page = page_of(client, article)
    assert page.select_one(f"#comment-{answer.pk} form[action='{url('pin', answer.pk)}']") is not None
    response = client.post(url("pin", answer.pk))
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{answer.pk}"
    question.refresh_from_db()
    assert question.pinned_answer == answer
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.actor_role, action.comment) == ("pin", editor, "editor", answer)
    assert action.details["question"] == {"id": question.pk, "text": question.text}
    pick = page_of(client, article).select_one(f"#question-{question.pk} .question__pick")
    assert "Well argued" in pick.text


def test_pinning_another_answer_replaces_the_pick_and_unpin_removes_it(client, moderator, article):
    question = QuestionFactory(article=article)
    first, second = CommentFactory.create_batch(2, article=article, question=question)
    client.force_login(moderator)
    client.post(url("pin", first.pk))
    client.post(url("pin", second.pk))
    question.refresh_from_db()
    assert question.pinned_answer == second
    assert ModerationAction.objects.filter(kind="pin").first().details["replaced"] == first.pk
    client.post(url("unpin", question.pk))
    question.refresh_from_db()
    assert question.pinned_answer is None
    assert ModerationAction.objects.filter(kind="unpin", comment=second, actor_role="moderator").exists()
    assert client.post(url("unpin", question.pk)).status_code == 400


def test_pinning_with_htmx_re_renders_the_discussion_and_the_questions(client, editor, article):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question)
    CommentFactory(article=article)
    client.force_login(editor)
    current = f"http://testserver{article.get_absolute_url()}?sort=newest"
    response = client.post(url("pin", answer.pk), headers={**HTMX, "HX-Current-URL": current})
    fragment = soup(response)
    assert fragment.select_one("section#discussion .discussion__sort [aria-current]").text == "Newest"
    questions = fragment.select_one("section#questions")
    assert questions["hx-swap-oob"] == "true"
    assert questions.select_one(".question__pick") is not None


@pytest.mark.parametrize("role", ["user", "other_user"])
def test_readers_cannot_pin_close_or_move(client, article, request, role):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question)
    client.force_login(request.getfixturevalue(role))
    assert page_of(client, article).select_one(f"#question-{question.pk} form") is None
    for response in (
        client.post(url("pin", answer.pk)),
        client.post(url("close_question", question.pk)),
        client.post(url("move", answer.pk), {"question": ""}),
    ):
        assert response.status_code == 403
        assert "Only editors and moderators" in message_of(response)
    question.refresh_from_db()
    answer.refresh_from_db()
    assert (question.pinned_answer, question.is_closed, answer.question) == (None, False, question)
    assert not ModerationAction.objects.exists()


def test_a_reply_or_a_comment_without_a_question_cannot_be_pinned(client, editor, article):
    root = CommentFactory(article=article, question=QuestionFactory(article=article))
    reply = CommentFactory(article=article, parent=root)
    loose = CommentFactory(article=article)
    client.force_login(editor)
    for comment in (reply, loose):
        response = client.post(url("pin", comment.pk))
        assert response.status_code == 400
        assert "Only an answer to a question can be its editor's pick." in message_of(response)


def test_a_pick_deleted_by_its_author_is_no_longer_shown(client, article):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question, is_deleted=True, body="[deleted]")
    question.pinned_answer = answer
    question.save()
    assert page_of(client, article).select_one(".question__pick") is None


# Closing a question -----------------------------------------------------------------------------


def test_an_editor_closes_a_question_to_new_answers_and_reopens_it(client, editor, user, article):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question)
    client.force_login(editor)
    response = client.post(url("close_question", question.pk), {"reason": "Enough said"})
    assert response["Location"] == f"{article.get_absolute_url()}#question-{question.pk}"
    question.refresh_from_db()
    assert question.is_closed
    action = ModerationAction.objects.get(kind="close_question")
    assert (action.reason, action.article, action.details["question"]["id"]) == (
        "Enough said",
        article,
        question.pk,
    )

    client.force_login(user)
    page = page_of(client, article)
    assert "Closed to new answers" in page.select_one(f"#question-{question.pk}").text
    assert page.select_one("#comment-form select[name=question]") is None
    refused = client.post(url("post", article.pk), {"body": "Late", "question": question.pk})
    assert "This question is closed to new answers." in soup(refused).select_one(".errorlist").text
    # The conversation under existing answers goes on.
    client.post(url("post", article.pk), {"body": "A reply", "parent": answer.pk})
    assert Comment.objects.filter(parent=answer).exists()

    client.force_login(editor)
    client.post(url("reopen_question", question.pk))
    question.refresh_from_db()
    assert not question.is_closed
    assert client.post(url("reopen_question", question.pk)).status_code == 400


# Moving an answer -------------------------------------------------------------------------------


def test_a_moderator_moves_an_answer_to_the_right_question_and_it_is_recorded(client, moderator, article):
    wrong = QuestionFactory(article=article, text="Wrong one")
    right = QuestionFactory(article=article, text="Right one")
    answer = CommentFactory(article=article, question=wrong)
    wrong.pinned_answer = answer
    wrong.save()
    client.force_login(moderator)
    response = client.post(url("move", answer.pk), {"question": right.pk, "reason": "Answers the other one"})
    assert response.status_code == 302
    answer.refresh_from_db()
    wrong.refresh_from_db()
    assert answer.question == right and wrong.pinned_answer is None
    action = ModerationAction.objects.get(kind="move")
    assert action.comment == answer and action.actor == moderator and action.reason == "Answers the other one"
    assert action.details == {
        "from": {"id": wrong.pk, "text": "Wrong one"},
        "to": {"id": right.pk, "text": "Right one"},
        "unpinned": True,
    }
    client.post(url("move", answer.pk), {"question": ""})
    answer.refresh_from_db()
    assert answer.question is None


def test_moving_to_a_question_of_another_article_or_the_same_one_is_a_400(client, editor, article):
    question = QuestionFactory(article=article)
    answer = CommentFactory(article=article, question=question)
    client.force_login(editor)
    assert client.post(url("move", answer.pk), {"question": QuestionFactory().pk}).status_code == 400
    same = client.post(url("move", answer.pk), {"question": question.pk})
    assert same.status_code == 400 and "already answers that question" in message_of(same)
    reply = CommentFactory(article=article, parent=answer)
    assert client.post(url("move", reply.pk), {"question": question.pk}).status_code == 400
    answer.refresh_from_db()
    assert answer.question == question and not ModerationAction.objects.exists()


def test_a_staff_refusal_with_htmx_is_a_notice(client, editor, article):
    loose = CommentFactory(article=article)
    client.force_login(editor)
    response = client.post(url("pin", loose.pk), headers=HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#comment-{loose.pk}-notice"


# Closing and locking a thread -------------------------------------------------------------------


def test_an_editor_closes_comments_and_the_page_says_so(client, editor, user, article):
    comment = CommentFactory(article=article)
    client.force_login(editor)
    client.post(url("close", article.pk), {"reason": "Discussion ran its course"})
    assert Thread.objects.get(article=article).is_closed
    assert ModerationAction.objects.get().kind == "close"

    client.force_login(user)
    page = page_of(client, article)
    assert page.select_one(".discussion__closed").text == "Comments on this article are closed."
    assert page.select_one("#comment-form") is None
    assert "Reply" not in page.select_one(f"#comment-{comment.pk} .comment__actions").text
    response = client.post(url("post", article.pk), {"body": "Too late"})
    assert response.status_code == 403
    assert "Comments on this article are closed." in message_of(response)
    assert client.post(url("post", article.pk), {"body": "Reply", "parent": comment.pk}).status_code == 403
    assert client.post(url("vote", comment.pk)).status_code == 302  # votes stay open
    assert Comment.objects.count() == 1

    client.force_login(editor)
    client.post(url("reopen", article.pk))
    assert not Thread.objects.get(article=article).is_closed


def test_a_moderator_locks_a_thread_freezing_everything(client, moderator, user, article):
    comment = CommentFactory(article=article)
    own = CommentFactory(article=article, author=user)
    client.force_login(moderator)
    response = client.post(url("lock", article.pk), {"reason": "Flame war"})
    assert response.status_code == 302
    thread = Thread.objects.get(article=article)
    assert (thread.is_locked, thread.locked_by, thread.lock_reason) == (True, moderator, "Flame war")

    client.force_login(user)
    page = page_of(client, article)
    assert "locked" in page.select_one(".discussion__closed").text
    assert page.select_one("#comment-form") is None and page.select_one(".vote form") is None
    for response in (
        client.post(url("post", article.pk), {"body": "x"}),
        client.post(url("vote", comment.pk)),
        client.post(url("edit", own.pk), {"body": "x"}),
    ):
        assert response.status_code == 403
        assert "locked" in message_of(response)

    client.force_login(moderator)
    client.post(url("unlock", article.pk))
    assert not Thread.objects.get(article=article).is_locked
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["unlock", "lock"]


def test_editors_may_close_but_not_lock(client, editor, article):
    client.force_login(editor)
    page = page_of(client, article)
    assert page.find("button", string="Close comments") is not None
    assert page.find("button", string="Lock the discussion") is None
    response = client.post(url("lock", article.pk))
    assert response.status_code == 403
    assert "Only moderators can lock" in message_of(response)
    assert not Thread.objects.filter(article=article, is_locked=True).exists()


def test_readers_cannot_close_or_lock(client, user, article):
    client.force_login(user)
    assert page_of(client, article).select_one(".staff-controls") is None
    for name in ("close", "lock", "reopen", "unlock"):
        assert client.post(url(name, article.pk)).status_code == 403
    assert not ModerationAction.objects.exists()


def test_locking_with_htmx_re_renders_the_discussion(client, moderator, article):
    client.force_login(moderator)
    fragment = soup(client.post(url("lock", article.pk), headers=HTMX))
    assert "locked" in fragment.select_one("section#discussion .discussion__closed").text
    assert fragment.find("button", string="Unlock the discussion") is not None


def test_comments_close_automatically_some_days_after_publication(client, user, settings):
    settings.QINGTAN = {**settings.QINGTAN, "CLOSE_COMMENTS_AFTER_DAYS": 7}
    old = ArticleFactory(publish_at=timezone.now() - datetime.timedelta(days=8))
    fresh = ArticleFactory(publish_at=timezone.now() - datetime.timedelta(days=6))
    client.force_login(user)
    assert (
        page_of(client, old).select_one(".discussion__closed").text
        == "Comments close 7 days after publication."
    )
    response = client.post(url("post", old.pk), {"body": "Old news"})
    assert response.status_code == 403
    assert client.post(url("post", fresh.pk), {"body": "Still open"}).status_code == 302


def test_a_suspended_reader_is_told_why_and_refused(client, user, moderator, article):
    Suspension.objects.create(
        user=user, reason="Spam", until=timezone.now() + datetime.timedelta(days=3), created_by=moderator
    )
    comment = CommentFactory(article=article)
    client.force_login(user)
    page = page_of(client, article)
    assert page.select_one("#comment-form").text.startswith("Your account is suspended until")
    assert client.post(url("post", article.pk), {"body": "x"}).status_code == 403
    assert client.post(url("vote", comment.pk)).status_code == 403
    assert not Comment.objects.filter(author=user).exists()


def test_a_lifted_or_expired_suspension_no_longer_counts(client, user, moderator, article):
    Suspension.objects.create(user=user, reason="x", until=timezone.now() - datetime.timedelta(days=1))
    Suspension.objects.create(user=user, reason="y", lifted_at=timezone.now(), lifted_by=moderator)
    client.force_login(user)
    assert client.post(url("post", article.pk), {"body": "Back"}).status_code == 302


def test_an_archived_article_keeps_its_discussion_but_closes_it(client, user):
    archived = ArticleFactory(status=Article.Status.ARCHIVED)
    comment = CommentFactory(article=archived)
    client.force_login(user)
    page = page_of(client, archived)
    assert comment.pk in [int(a["id"].split("-")[1]) for a in page.select("article.comment")]
    assert "archived" in page.select_one(".discussion__closed").text
    response = client.post(url("post", archived.pk), {"body": "x"})
    assert response.status_code == 403
    assert "This article is archived; its discussion is closed." in message_of(response)


def test_transitions_check_permissions_themselves(user, editor, article):
    question = QuestionFactory(article=article)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        moderation.close_question(question, by=user)
    with pytest.raises(PermissionDenied):
        moderation.lock_thread(article, by=editor)
    moderation.close_comments(article, by=editor, reason="Admin command")
    assert ModerationAction.objects.get().actor_role == "editor"
    assert Question.objects.get().is_closed is False


def test_the_staff_preview_of_a_draft_shows_its_discussion_closed(client, editor):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    QuestionFactory(article=draft)
    client.force_login(editor)
    response = client.get(reverse("articles:preview", kwargs={"slug": draft.slug}))
    page = soup(response)
    assert "not published" in page.select_one(".discussion__closed").text
    assert page.select_one("#comment-form") is None
    assert page.select_one("#questions") is not None
