from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from discussions.models import Comment
from tests.discussions.conftest import HTMX, comment_ids, message_of, page_of, soup, url
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_anonymous_readers_get_a_sign_in_link_that_returns_to_the_form(client, article):
    question = QuestionFactory(article=article)
    page = page_of(client, article, answer=question.pk)
    assert page.select_one("#comment-form textarea") is None
    link = page.find("a", string="Sign in to comment")
    parts = urlsplit(link["href"])
    assert parts.path == "/accounts/login/"
    assert parse_qs(parts.query)["next"] == [
        f"{article.get_absolute_url()}?answer={question.pk}#comment-form"
    ]


def test_a_signed_in_reader_posts_a_comment_without_javascript(client, user, article):
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Scaling is **not** everything."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.article, comment.author, comment.parent, comment.question) == (article, user, None, None)
    assert comment.status == Comment.Status.PUBLISHED
    shown = page_of(client, article).select_one(f"#comment-{comment.pk}")
    assert shown.select_one(".comment__body strong").text == "not"
    assert shown.select_one(".comment__author")["href"] == user.get_absolute_url()
    assert shown.select_one(".comment__author").text == user.display_name


def test_posting_with_htmx_returns_a_fresh_form_and_the_new_comment(client, user, article):
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "In place."}, headers=HTMX)
    comment = Comment.objects.get()
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("#comment-form textarea").text.strip() == ""
    assert fragment.select_one(f"article#comment-{comment.pk} .comment__body").text.strip() == "In place."
    assert fragment.find("html") is None  # a fragment, not a page


def test_a_comment_can_answer_one_of_the_articles_questions(client, user, article):
    first, second = QuestionFactory(article=article, position=1), QuestionFactory(article=article, position=2)
    client.force_login(user)
    page = page_of(client, article, answer=second.pk)
    select = page.select_one("#comment-form select[name=question]")
    assert [o["value"] for o in select.find_all("option")] == ["", str(first.pk), str(second.pk)]
    assert select.find("option", selected=True)["value"] == str(second.pk)

    client.post(url("post", article.pk), {"body": "My answer.", "question": second.pk})
    comment = Comment.objects.get()
    assert comment.question == second
    shown = page_of(client, article).select_one(f"#comment-{comment.pk}")
    assert shown.select_one(".comment__question").text == "Answers question 2"
    assert shown.select_one(".comment__question")["href"] == f"#question-{second.pk}"


@pytest.mark.parametrize("htmx", [False, True])
def test_an_empty_comment_is_a_form_error(client, user, article, htmx):
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "   "}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert not Comment.objects.exists()
    page = soup(response)
    assert page.select_one("#comment-form .errorlist").text.strip() == "This field is required."
    assert (page.find("html") is None) == htmx


@pytest.mark.parametrize("htmx", [False, True])
def test_an_overlong_comment_is_a_form_error_that_keeps_the_text(client, user, article, settings, htmx):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENT_MAX_LENGTH": 20}
    client.force_login(user)
    text = "这段话超过了二十个字符的限制,所以不能发表。"
    response = client.post(url("post", article.pk), {"body": text}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert not Comment.objects.exists()
    page = soup(response)
    assert "at most 20 characters" in page.select_one(".errorlist").text
    assert page.select_one("textarea[name=body]").text.strip() == text
    if not htmx:
        assert page.find("h1").text == "Your comment"
        assert (
            page.find("a", string=f"Back to “{article.title}”")["href"]
            == f"{article.get_absolute_url()}#discussion"
        )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_question_of_another_article_is_a_400(client, user, article, htmx):
    foreign = QuestionFactory()
    client.force_login(user)
    response = client.post(
        url("post", article.pk), {"body": "Hi", "question": foreign.pk}, headers=HTMX if htmx else {}
    )
    assert response.status_code == 400
    assert "That question is not one of this article's questions." in message_of(response)
    if htmx:
        assert response["HX-Retarget"] == "#comment-form-notice"
    assert not Comment.objects.exists()


def test_a_closed_question_is_a_form_error_that_keeps_the_text(client, user, article):
    question = QuestionFactory(article=article, is_closed=True)
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Late answer", "question": question.pk})
    assert response.status_code == 200
    page = soup(response)
    assert "This question is closed to new answers." in page.select_one(".errorlist").text
    assert page.select_one("textarea[name=body]").text.strip() == "Late answer"
    assert not Comment.objects.exists()


def test_a_reply_without_javascript_has_its_own_page_and_lands_on_its_anchor(client, user, article):
    parent = CommentFactory(article=article, body="The parent")
    client.force_login(user)
    form_page = client.get(url("reply", parent.pk))
    assert form_page.status_code == 200
    page = soup(form_page)
    assert "The parent" in page.select_one(".comment-quote").text
    form = page.select_one("form.comment-form--reply")
    assert form["action"] == url("post", article.pk)
    assert form.get("hx-post") is None  # the page's form is a plain POST
    assert form.select_one("input[name=parent]")["value"] == str(parent.pk)

    response = client.post(url("post", article.pk), {"body": "A reply", "parent": parent.pk})
    reply = Comment.objects.get(parent=parent)
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{reply.pk}"
    assert (reply.depth, reply.root, reply.author, reply.question) == (1, parent, user, None)
    shown = page_of(client, article)
    assert shown.select_one(f"#comment-{parent.pk}-replies > article#comment-{reply.pk}") is not None


def test_a_reply_with_htmx_loads_the_form_in_place_and_adds_the_reply(client, user, article):
    parent = CommentFactory(article=article)
    client.force_login(user)
    form = soup(client.get(url("reply", parent.pk), headers=HTMX))
    slot = form.select_one(f"div#comment-{parent.pk}-reply")
    assert slot.form["hx-post"] == url("post", article.pk)
    assert slot.form["hx-target"] == f"#comment-{parent.pk}-reply"

    response = client.post(
        url("post", article.pk), {"body": "Quick reply", "parent": parent.pk}, headers=HTMX
    )
    reply = Comment.objects.get(parent=parent)
    fragment = soup(response)
    assert (
        fragment.select_one(f"article#comment-{reply.pk}").select_one(".comment__body").text.strip()
        == "Quick reply"
    )
    empty_slot = fragment.select_one(f"div#comment-{parent.pk}-reply")
    assert empty_slot is not None and empty_slot.text.strip() == ""


def test_a_question_field_is_ignored_for_replies(client, user, article):
    question = QuestionFactory(article=article)
    parent = CommentFactory(article=article, question=question)
    client.force_login(user)
    client.post(url("post", article.pk), {"body": "Reply", "parent": parent.pk, "question": question.pk})
    assert Comment.objects.get(parent=parent).question is None


def test_replies_deeper_than_the_limit_attach_at_the_last_level(client, user, article, settings):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENT_MAX_DEPTH": 2}
    root = CommentFactory(article=article)
    child = CommentFactory(article=article, parent=root)
    grandchild = CommentFactory(article=article, parent=child)
    client.force_login(user)
    client.post(url("post", article.pk), {"body": "Deeper still", "parent": grandchild.pk})
    deepest = Comment.objects.get(body="Deeper still")
    assert (deepest.parent, deepest.depth, deepest.root) == (child, 2, root)
    assert page_of(client, article).select_one(f"#comment-{child.pk}-replies > #comment-{deepest.pk}")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_parent_from_another_article_is_a_400(client, user, article, htmx):
    foreign = CommentFactory()
    client.force_login(user)
    response = client.post(
        url("post", article.pk), {"body": "Hi", "parent": foreign.pk}, headers=HTMX if htmx else {}
    )
    assert response.status_code == 400
    assert "That comment belongs to another article." in message_of(response)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["999999", "abc", ""])
def test_a_missing_parent_is_a_404(client, user, article, parent):
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Hi", "parent": parent})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_hidden_parent_cannot_be_replied_to(client, user, article):
    hidden = CommentFactory(article=article, status=Comment.Status.HIDDEN)
    client.force_login(user)
    assert client.post(url("post", article.pk), {"body": "Hi", "parent": hidden.pk}).status_code == 404
    assert client.get(url("reply", hidden.pk)).status_code == 404


def test_a_deleted_comment_cannot_be_replied_to(client, user, article):
    deleted = CommentFactory(article=article, is_deleted=True, body="[deleted]")
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Hi", "parent": deleted.pk})
    assert response.status_code == 400
    assert "This comment cannot be replied to." in message_of(response)


def test_posting_on_an_unknown_or_unpublished_article_is_a_404(client, user):
    draft = ArticleFactory(status="draft")
    client.force_login(user)
    assert client.post(url("post", draft.pk), {"body": "Hi"}).status_code == 404
    assert client.post(url("post", 987654), {"body": "Hi"}).status_code == 404
    assert client.get(url("post", draft.pk)).status_code == 405


def test_anonymous_posts_are_sent_to_sign_in(client, article):
    response = client.post(
        url("post", article.pk), {"body": "Hi"}, HTTP_REFERER=f"http://testserver{article.get_absolute_url()}"
    )
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == "/accounts/login/"
    assert parse_qs(parts.query)["next"] == [article.get_absolute_url()]
    htmx = client.post(url("post", article.pk), {"body": "Hi"}, headers=HTMX)
    assert urlsplit(htmx["HX-Redirect"]).path == "/accounts/login/"
    assert not Comment.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(user, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "Forged"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_what_readers_write_is_sanitized(client, user, article):
    client.force_login(user)
    body = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) [site](https://example.com) <b onclick=alert(4)>bold</b>"
    )
    client.post(url("post", article.pk), {"body": body})
    comment = Comment.objects.get()
    shown = page_of(client, article).select_one(f"#comment-{comment.pk} .comment__body")
    assert shown.find("script") is None and shown.find("img") is None and shown.find("b") is None
    for tag in shown.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs)
    # The javascript: link stays text; only the https link is a link, marked as user content.
    assert [a.get("href") for a in shown.find_all("a")] == ["https://example.com"]
    assert set(shown.a["rel"]) >= {"nofollow", "ugc"}
    assert "&lt;b onclick" in str(shown)  # raw HTML is shown as text


def test_the_redirect_after_posting_points_at_the_page_that_shows_the_comment(
    client, user, article, settings
):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENTS_PER_PAGE": 2}
    CommentFactory.create_batch(2, article=article)
    client.force_login(user)
    response = client.post(url("post", article.pk), {"body": "On page two"})
    comment = Comment.objects.get(body="On page two")
    assert response["Location"] == f"{article.get_absolute_url()}?page=2#comment-{comment.pk}"
    assert comment.pk in comment_ids(page_of(client, article, page=2))


def test_reply_pages_need_a_signed_in_reader(client, article):
    parent = CommentFactory(article=article)
    response = client.get(url("reply", parent.pk))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url("reply", parent.pk)]
