"""The discussion parts of the admin, through its HTTP interface."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from discussions import moderation
from discussions.models import Comment, ModerationAction, Question, Thread
from tests.articles.conftest import form_data, soup
from tests.factories import ArticleFactory, CommentFactory, FlagFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
COMMENTS = "/admin/discussions/comment/"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _submit(client, article, **changes):
    data = form_data(client.get(change_url(article)), "article_form")
    data.update(changes)
    return client.post(change_url(article), data)


def test_the_article_list_counts_published_comments_in_one_query(
    client, editor, django_assert_max_num_queries
):
    busy = ArticleFactory(title="Busy one")
    ArticleFactory(title="Quiet one")
    CommentFactory.create_batch(3, article=busy)
    CommentFactory(article=busy, status=Comment.Status.HIDDEN)
    ArticleFactory.create_batch(5)
    client.force_login(editor)
    with django_assert_max_num_queries(14):  # the same with 7 rows or 70: no query per row
        response = client.get(ARTICLES)
    rows = {row.select_one("th a").text: row for row in soup(response).select("#result_list tbody tr")}
    assert rows["Busy one"].select_one("td.field-comment_count").text == "3"
    assert rows["Quiet one"].select_one("td.field-comment_count").text == "0"
    ordered = soup(client.get(ARTICLES, {"o": "-6"})).select("#result_list tbody tr th a")
    assert ordered[0].text == "Busy one"


def test_editors_write_the_questions_inline_with_the_article(client, editor, article):
    client.force_login(editor)
    page = soup(client.get(change_url(article)))
    assert page.select_one("#questions-group") is not None
    data = form_data(client.get(change_url(article)), "article_form")
    data.update(
        {
            "questions-TOTAL_FORMS": "2",
            "questions-0-position": "2",
            "questions-0-text": "Second question?",
            "questions-1-position": "1",
            "questions-1-text": "First question?",
        }
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    assert list(article.questions.values_list("position", "text")) == [
        (1, "First question?"),
        (2, "Second question?"),
    ]


def test_more_than_four_questions_is_allowed_with_a_warning(client, editor, article):
    for n in range(5):
        QuestionFactory(article=article, position=n)
    client.force_login(editor)
    response = _submit(client, article)
    assert response.status_code == 302
    assert any("readers rarely answer more than four" in str(m) for m in get_messages(response.wsgi_request))


def test_closing_comments_in_the_admin_is_a_logged_moderation_action(client, editor, article):
    client.force_login(editor)
    page = soup(client.get(change_url(article)))
    assert page.select_one("input[name='thread-0-is_closed']") is not None
    assert page.select_one("input[name='thread-0-is_locked']") is None  # editors cannot lock
    response = _submit(client, article, **{"thread-0-is_closed": "on"})
    assert response.status_code == 302
    assert Thread.objects.get(article=article).is_closed
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.article) == ("close", editor, article)

    data = form_data(client.get(change_url(article)), "article_form")
    data.pop("thread-0-is_closed")
    client.post(change_url(article), data)
    assert not Thread.objects.get(article=article).is_closed
    assert ModerationAction.objects.filter(kind="reopen").count() == 1


def test_a_superuser_locks_in_the_admin_with_a_reason(client, superuser, article):
    client.force_login(superuser)
    _submit(client, article, **{"thread-0-is_locked": "on", "thread-0-lock_reason": "Brigading"})
    thread = Thread.objects.get(article=article)
    assert (thread.is_locked, thread.locked_by, thread.lock_reason) == (True, superuser, "Brigading")
    action = ModerationAction.objects.get()
    assert (action.kind, action.reason, action.actor_role) == ("lock", "Brigading", "administrator")
    _submit(client, article)  # saving again changes nothing
    assert ModerationAction.objects.count() == 1


def test_the_comment_list_shows_status_article_and_author_with_filters_and_search(client, moderator):
    article = ArticleFactory(title="Cooling costs")
    published = CommentFactory(article=article, body="Liquid cooling pays off")
    hidden = CommentFactory(article=article, body="Rude remark", status=Comment.Status.HIDDEN)
    CommentFactory(body="Elsewhere entirely")
    client.force_login(moderator)
    page = soup(client.get(COMMENTS))
    rows = page.select("#result_list tbody tr")
    assert len(rows) == 3
    first = page.select_one("#result_list tbody tr")
    assert {"field-status", "field-article", "field-author_link"} <= {
        c for td in first.find_all("td") for c in td["class"]
    }
    filtered = soup(client.get(COMMENTS, {"status__exact": "hidden"}))
    assert [a.text for a in filtered.select("#result_list tbody th a")] == ["Rude remark"]
    searched = soup(client.get(COMMENTS, {"q": "liquid"}))
    assert [a.text for a in searched.select("#result_list tbody th a")] == ["Liquid cooling pays off"]
    by_article = soup(client.get(COMMENTS, {"article__id__exact": article.pk}))
    assert len(by_article.select("#result_list tbody tr")) == 2
    detail = client.get(reverse("admin:discussions_comment_change", args=[published.pk]))
    assert detail.status_code == 200
    assert client.get(f"{COMMENTS}add/").status_code == 403
    assert hidden.status == Comment.Status.HIDDEN


def test_readers_do_not_get_into_the_comment_admin(client, user):
    client.force_login(user)
    assert client.get(COMMENTS).status_code == 302


def test_editors_question_permissions_come_from_the_migration(editor, moderator):
    assert editor.has_perms(
        ["discussions.add_question", "discussions.change_question", "discussions.curate_answers"]
    )
    assert not editor.has_perm("discussions.lock_thread")
    assert moderator.has_perms(
        ["discussions.moderate_comment", "discussions.lock_thread", "discussions.suspend_user"]
    )
    assert not moderator.has_perm("discussions.delete_comment")
    assert not moderator.has_perm("discussions.change_comment")  # status changes are actions, not edits
    assert Question.objects.count() == 0


# Moderation actions in the comment list ---------------------------------------------------------


def _action(client, action, comments, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in comments], "index": "0", **extra}
    return client.post(COMMENTS, data)


def test_moderators_approve_in_the_comment_list_and_it_is_logged(client, moderator):
    held = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    client.force_login(moderator)
    options = [o["value"] for o in soup(client.get(COMMENTS)).select("select[name=action] option")]
    assert options == [
        "",
        "approve_comments",
        "hide_comments",
        "remove_comments",
        "spam_comments",
        "restore_comments",
    ]
    response = _action(client, "approve_comments", held)
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {"published"}
    assert ModerationAction.objects.filter(kind="approve", actor=moderator).count() == 2
    assert "Approve: 2 comments." in [str(m) for m in get_messages(response.wsgi_request)]


def test_removing_in_the_admin_asks_for_the_reason_first(client, moderator):
    comment = CommentFactory(body="Rude words")
    client.force_login(moderator)
    confirm = _action(client, "remove_comments", [comment])
    assert confirm.status_code == 200
    form = soup(confirm).select_one("form#moderate-comments-form")
    assert form.select_one("input[name=reason][required]") is not None
    assert "Rude words" in form.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED

    data = {"action": "remove_comments", "_selected_action": [comment.pk], "apply": "1", "reason": ""}
    response = client.post(COMMENTS, data)
    assert response.status_code == 302
    assert any("Give a reason" in str(m) for m in get_messages(response.wsgi_request))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED

    client.post(COMMENTS, {**data, "reason": "Personal attack"})
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reason, comment.moderated_by) == (
        "removed",
        "Personal attack",
        moderator,
    )
    entry = ModerationAction.objects.get()
    assert (entry.kind, entry.reason, entry.previous_status) == ("remove", "Personal attack", "published")


def test_an_admin_action_that_does_not_apply_says_so_and_does_the_rest(client, superuser):
    published, removed = CommentFactory(), CommentFactory(status=Comment.Status.REMOVED)
    client.force_login(superuser)
    response = _action(client, "restore_comments", [published, removed])
    messages_ = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Restore: 1 comment." in messages_
    assert any("does not apply" in m for m in messages_)
    removed.refresh_from_db()
    assert removed.status == Comment.Status.PUBLISHED


def test_editors_see_no_moderation_actions_and_cannot_post_them(client, editor):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(editor)
    page = soup(client.get(COMMENTS))
    assert page.select_one("select[name=action]") is None
    _action(client, "approve_comments", [comment])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not ModerationAction.objects.exists()


def test_the_comment_list_filters_by_reports_and_author(client, moderator):
    author = UserFactory(display_name="Frequent Flyer")
    reported = CommentFactory(author=author, body="Reported one")
    FlagFactory(comment=reported)
    decided = CommentFactory(body="Decided one")
    FlagFactory(comment=decided, resolved_at=timezone.now())
    CommentFactory(body="Quiet one")
    CommentFactory(author=author, body="Same author", status=Comment.Status.REMOVED)
    client.force_login(moderator)

    def shown(**query):
        return sorted(a.text for a in soup(client.get(COMMENTS, query)).select("#result_list tbody th a"))

    assert shown(reported="open") == ["Reported one"]
    assert shown(reported="any") == ["Decided one", "Reported one"]
    assert shown(reported="no") == ["Quiet one", "Same author"]
    assert shown(author=author.pk) == ["Reported one", "Same author"]
    assert shown(author="nonsense") == []
    page = soup(client.get(COMMENTS))
    assert page.select_one(f"#changelist-filter a[href*='author={author.pk}']") is not None
    row = next(r for r in page.select("#result_list tbody tr") if "Reported one" in r.text)
    assert row.select_one("td.field-report_count").text == "1"


def test_the_comment_change_page_shows_its_log_and_reports(client, moderator):
    comment = CommentFactory()
    FlagFactory(comment=comment, text="Looks like an ad")
    moderation.hide_comment(comment, by=moderator, reason="Checking the link")
    client.force_login(moderator)
    page = soup(client.get(reverse("admin:discussions_comment_change", args=[comment.pk])))
    log = page.select_one("#moderation_actions-group")
    assert "Checking the link" in log.text and "Published" in log.text and "Hidden" in log.text
    assert "Looks like an ad" in page.select_one("#flags-group").text
    assert page.select_one("#moderation_actions-group input:not([type=hidden])") is None


def test_the_moderation_log_and_suspensions_are_read_only_in_the_admin(client, moderator, user):
    suspension = moderation.suspend_user(user, by=moderator, reason="Spam")
    client.force_login(moderator)
    assert client.get("/admin/discussions/moderationaction/").status_code == 200
    entry = ModerationAction.objects.get()
    assert (
        client.post(f"/admin/discussions/moderationaction/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/discussions/suspension/add/").status_code == 403
    response = client.post(
        "/admin/discussions/suspension/",
        {"action": "lift_selected", "_selected_action": [suspension.pk], "index": "0"},
    )
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted_by == moderator
    assert ModerationAction.objects.filter(kind="unsuspend").exists()


def test_the_comment_list_costs_the_same_with_many_rows(client, moderator, django_assert_max_num_queries):
    for article in ArticleFactory.create_batch(3):
        for comment in CommentFactory.create_batch(10, article=article):
            FlagFactory(comment=comment)
    client.force_login(moderator)
    with django_assert_max_num_queries(13):  # filters, counts, the page: none per row
        response = client.get(COMMENTS)
    assert len(soup(response).select("#result_list tbody tr")) == 30
