"""Journeys 1 and 2: a reader joins the discussion under an article, with JavaScript (htmx swaps
each change in place) and without it (plain form posts, each redirecting back to the comment)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from discussions.models import Comment, Flag, Vote
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_server_errors"),
]

PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def discussed_article():
    """An article with three questions and a comment by another reader."""
    article = ArticleFactory(title="边缘计算的账单", slug="edge-bills")
    questions = [
        QuestionFactory(article=article, position=position, text=text)
        for position, text in enumerate(
            ["Who pays for the edge?", "Would you move your workloads?", "What breaks first?"], start=1
        )
    ]
    other = CommentFactory(
        article=article,
        author=UserFactory(username="neighbour", display_name="邻座读者"),
        body="The numbers in the second table look optimistic to me.",
    )
    return {"article": article, "questions": questions, "other": other}


def watch_errors(page):
    """JavaScript errors and refused loads of `page`, collected as the journey goes."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def mark_document(page):
    """A flag on the loaded document: it survives htmx swaps and disappears on a page load."""
    page.evaluate("window.journeyDocument = true")


def assert_same_document(page):
    assert page.evaluate("window.journeyDocument === true"), "the page was reloaded instead of swapped"


def comment_by(author, **filters):
    return Comment.objects.get(author=author, **filters)


def test_a_new_reader_signs_up_and_joins_the_discussion_with_javascript(
    new_context, live_server, url, mailoutbox, discussed_article
):
    article, questions, other = (discussed_article[key] for key in ("article", "questions", "other"))
    page = new_context(locale="en-US").new_page()
    errors = watch_errors(page)

    # Sign up: email, display name, the password twice.
    page.goto(url("account_signup"))
    page.get_by_label("Email").fill("lin@example.com")
    page.get_by_label("Display name").fill("林间读者")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(url("account_email_verification_sent"))

    # Verification is mandatory: the link in the email confirms the address.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lin@example.com"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[0].body).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(re.escape(url("account_login"))))
    reader = User.objects.get(email="lin@example.com")
    assert reader.display_name == "林间读者"
    assert reader.emailaddress_set.get(email="lin@example.com").verified

    # Now the password signs in.
    page.get_by_label("Email:").fill("lin@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".site-account")).to_contain_text("林间读者")

    page.goto(live_server.url + article.get_absolute_url())
    mark_document(page)
    discussion = page.locator("#discussion")

    # Answer question 2, chosen in the form. A new account's first comment waits for a moderator;
    # its author sees it in place, marked as waiting.
    form = discussion.locator("#comment-form")
    form.get_by_label("Answering").select_option(label=f"2. {questions[1].text}")
    form.get_by_label("Your comment").fill("I would move the batch jobs first, the latency ones later.")
    form.get_by_role("button", name="Post comment").click()
    answer_box = discussion.locator(".comment", has_text="I would move the batch jobs first")
    expect(answer_box).to_be_visible()
    expect(answer_box).to_contain_text("Answers question 2")
    expect(answer_box).to_contain_text("awaiting moderation")
    expect(discussion.locator("#comment-form").get_by_label("Your comment")).to_have_value("")
    answer = comment_by(reader, parent=None)
    assert answer.question == questions[1]
    assert answer.status == Comment.Status.PENDING
    assert_same_document(page)

    # Reply to the other reader's comment: the form opens under it, the reply appears there.
    other_box = page.locator(f"#comment-{other.pk}")
    other_box.locator(".comment__actions").get_by_role("link", name="Reply").click()
    reply_form = page.locator(f"#comment-{other.pk}-reply form")
    expect(reply_form.get_by_label("Your comment")).to_be_focused()
    reply_form.get_by_label("Your comment").fill("Which table? The one on bandwidth prices?")
    reply_form.get_by_role("button", name="Post reply").click()
    reply_box = page.locator(f"#comment-{other.pk}-replies .comment--reply")
    expect(reply_box).to_contain_text("Which table? The one on bandwidth prices?")
    expect(page.locator(f"#comment-{other.pk}-reply form")).to_have_count(0)
    reply = comment_by(reader, parent=other)
    assert reply.question is None
    assert_same_document(page)

    # Vote for it: the button and the score change in place.
    vote = page.locator(f"#comment-{other.pk}-vote")
    vote.get_by_role("button", name="Vote up").click()
    expect(vote.get_by_role("button", name="Voted")).to_have_attribute("aria-pressed", "true")
    expect(vote).to_contain_text("1 point")
    assert Vote.objects.filter(user=reader, comment=other).exists()
    other.refresh_from_db()
    assert other.score == 1

    # Edit the answer within the edit window: the form replaces the comment, then the new text does.
    answer_main = page.locator(f"#comment-{answer.pk}-main")
    answer_main.get_by_role("link", name="Edit").click()
    edit_field = answer_main.get_by_label("Your comment")
    expect(edit_field).to_have_value(answer.body)
    edit_field.fill("I would move the batch jobs first, and keep the latency-sensitive ones home.")
    answer_main.get_by_role("button", name="Save changes").click()
    expect(answer_main).to_contain_text("keep the latency-sensitive ones home")
    expect(answer_main.locator(".comment__edited")).to_have_text("edited")
    answer.refresh_from_db()
    assert answer.body.endswith("keep the latency-sensitive ones home.")
    assert answer.edited_at is not None

    # Report the other comment: the form opens in its panel, a thank-you replaces it.
    other_main = page.locator(f"#comment-{other.pk}-main")
    other_main.get_by_role("link", name="Report").click()
    other_main.get_by_label("Off topic").check()
    other_main.get_by_label("Details for the moderators (optional)").fill("Not about this article.")
    other_main.get_by_role("button", name="Send the report").click()
    expect(other_main.locator(".comment__thanks")).to_contain_text("Thank you for the report")
    expect(other_main).to_contain_text("You reported this comment")
    flag = Flag.objects.get(user=reader, comment=other)
    assert (flag.reason, flag.text) == (Flag.Reason.OFF_TOPIC, "Not about this article.")

    assert_same_document(page)
    assert errors == []


def test_a_reader_joins_the_discussion_without_javascript(new_context, url, sign_in, discussed_article):
    """Every action is a plain form POST answered by a redirect to the comment's anchor."""
    article, questions, other = (discussed_article[key] for key in ("article", "questions", "other"))
    reader = UserFactory(username="lin", display_name="林间读者")
    # An established reader (a published comment elsewhere): comments publish straight away.
    CommentFactory(author=reader)
    context = new_context(locale="en-US", java_script_enabled=False)
    sign_in(reader, context=context)
    page = context.new_page()
    article_url = url("articles:detail", article.slug)
    posts = []  # (path, status, Location) of every POST the browser made
    page.on(
        "response",
        lambda response: (
            response.request.method == "POST"
            and posts.append((urlsplit(response.url).path, response.status, response.headers.get("location")))
        ),
    )

    def back_at_a_comment():
        """Waits for the redirect to the article page at a comment's anchor; that comment's id."""
        expect(page).to_have_url(re.compile(re.escape(article_url) + r"(\?[^#]*)?#comment-\d+$"))
        pk = int(page.url.rsplit("#comment-", 1)[1])
        expect(page.locator(f"#comment-{pk}")).to_be_visible()
        return pk

    page.goto(article_url)
    form = page.locator("#comment-form")
    form.get_by_label("Answering").select_option(label=f"2. {questions[1].text}")
    form.get_by_label("Your comment").fill("Without scripts, the form still posts.")
    form.get_by_role("button", name="Post comment").click()
    answer = Comment.objects.get(pk=back_at_a_comment(), author=reader, parent=None)
    assert (answer.question, answer.status) == (questions[1], Comment.Status.PUBLISHED)
    expect(page.locator(f"#comment-{answer.pk}")).to_contain_text("Answers question 2")

    # Reply: the link opens the reply form on a page of its own.
    page.locator(f"#comment-{other.pk}-main").get_by_role("link", name="Reply").click()
    expect(page).to_have_url(url("discussions:reply", other.pk))
    expect(page.locator(".comment-quote")).to_contain_text(other.body)
    page.get_by_label("Your comment").fill("A reply from a browser without JavaScript.")
    page.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(pk=back_at_a_comment(), author=reader, parent=other)
    expect(page.locator(f"#comment-{other.pk}-replies #comment-{reply.pk}")).to_contain_text(
        "A reply from a browser without JavaScript."
    )

    # Vote: the button is a form of its own.
    page.locator(f"#comment-{other.pk}-vote").get_by_role("button", name="Vote up").click()
    assert back_at_a_comment() == other.pk
    expect(page.locator(f"#comment-{other.pk}-vote")).to_contain_text("1 point")
    expect(page.locator(f"#comment-{other.pk}-vote").get_by_role("button", name="Voted")).to_be_visible()
    assert Vote.objects.filter(user=reader, comment=other).exists()

    # Edit within the window: a page with the form, then back to the changed comment.
    page.locator(f"#comment-{answer.pk}-main").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(url("discussions:edit", answer.pk))
    expect(page.get_by_label("Your comment")).to_have_value("Without scripts, the form still posts.")
    page.get_by_label("Your comment").fill("Without scripts, the form still posts, and edits.")
    page.get_by_role("button", name="Save changes").click()
    assert back_at_a_comment() == answer.pk
    expect(page.locator(f"#comment-{answer.pk}-main")).to_contain_text("and edits.")
    answer.refresh_from_db()
    assert answer.body == "Without scripts, the form still posts, and edits." and answer.edited_at

    # Report: a page with the reasons, then back with a thank-you message.
    page.locator(f"#comment-{other.pk}-main").get_by_role("link", name="Report").click()
    expect(page).to_have_url(url("discussions:report", other.pk))
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send the report").click()
    assert back_at_a_comment() == other.pk
    expect(page.locator(".messages")).to_contain_text("Thank you for the report")
    expect(page.locator(f"#comment-{other.pk}-main")).to_contain_text("You reported this comment")
    assert Flag.objects.filter(user=reader, comment=other, reason=Flag.Reason.SPAM).exists()

    # Five plain form posts, each answered by a redirect to a comment's place in the thread.
    assert [path for path, _status, _location in posts] == [
        reverse("discussions:post", args=[article.pk]),
        reverse("discussions:post", args=[article.pk]),
        reverse("discussions:vote", args=[other.pk]),
        reverse("discussions:edit", args=[answer.pk]),
        reverse("discussions:report", args=[other.pk]),
    ]
    for path, status, location in posts:
        assert status == 302 and re.search(r"#comment-\d+$", location), (path, status, location)
