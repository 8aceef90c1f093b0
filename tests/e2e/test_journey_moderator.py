"""Journey 3: a moderator works the queue (approves a held comment, removes a reported one with a
reason, suspends its author), and the readers concerned see the outcome on the article page."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from discussions import participation
from discussions.models import Comment, Flag, ModerationAction, Suspension
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_server_errors"),
]

REMOVAL_REASON = "Personal attack on another reader"
SUSPENSION_REASON = "Repeated personal attacks after a warning"


@pytest.fixture
def queue_work():
    article = ArticleFactory(title="开源模型的许可证之争", slug="licence-row")
    # A new account's first comment, held by the rule for new accounts.
    newcomer = UserFactory(username="newcomer", display_name="新来的读者")
    with translation.override("en"):  # the hold reason is stored in the poster's language
        held = participation.post_comment(
            article=article, author=newcomer, body="第一次留言:条款我读了三遍。"
        )
    assert held.status == Comment.Status.PENDING
    # An established reader's comment that other readers reported.
    rude = UserFactory(username="rude", display_name="火气大")
    CommentFactory(article=article, author=rude, body="An earlier, civil comment.")
    reported = CommentFactory(article=article, author=rude, body="Only an idiot would read it that way.")
    for reporter in ("witness1", "witness2"):
        participation.report_comment(reported, by=UserFactory(username=reporter), reason=Flag.Reason.ABUSE)
    return {"article": article, "held": held, "reported": reported, "rude": rude, "newcomer": newcomer}


def test_a_moderator_works_the_queue_and_the_reader_sees_the_outcome(
    new_context, url, sign_in, moderator, queue_work
):
    article, held, reported, rude = (queue_work[key] for key in ("article", "held", "reported", "rude"))
    article_url = url("articles:detail", article.slug)
    # An anonymous reader has the page (now cached): the reported comment, not the held one.
    anonymous = new_context(locale="en-US").new_page()
    anonymous.goto(article_url)
    expect(anonymous.locator(f"#comment-{reported.pk}")).to_be_visible()
    expect(anonymous.locator(f"#comment-{held.pk}")).to_have_count(0)

    context = new_context(locale="en-US")
    sign_in(moderator, context=context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The queue opens on the comments awaiting approval, each with why it was held.
    page.goto(url("articles:home"))
    page.locator(".site-nav").get_by_role("link", name="Moderation").click()
    expect(page).to_have_url(url("discussions:moderation_queue"))
    item = page.locator(f"#mod-item-{held.pk}")
    expect(item.locator(".mod-item__held")).to_contain_text("first published comment of a new account")
    item.get_by_role("button", name="Approve").click()
    expect(item.locator(".mod-item__done")).to_have_text("Approved: the comment is published.")
    expect(item).to_have_attribute("data-status", "published")
    held.refresh_from_db()
    assert (held.status, held.moderated_by) == (Comment.Status.PUBLISHED, moderator)

    # The reported tab: removing needs a reason, which the author will see.
    page.locator(".mod-tabs").get_by_role("link", name="Reported").click()
    item = page.locator(f"#mod-item-{reported.pk}")
    expect(item.locator(".mod-reports")).to_have_text("2 reports")
    item.get_by_role("button", name="Remove").click()
    expect(item.locator(".mod-item__notice")).to_contain_text("Give a reason")
    reported.refresh_from_db()
    assert reported.status == Comment.Status.PUBLISHED
    item.get_by_label("Reason (shown to the author when the comment is removed)").fill(REMOVAL_REASON)
    item.get_by_role("button", name="Remove").click()
    expect(item.locator(".mod-item__done")).to_contain_text("Removed")
    expect(item).to_have_attribute("data-status", "removed")
    reported.refresh_from_db()
    assert (reported.status, reported.moderation_reason) == (Comment.Status.REMOVED, REMOVAL_REASON)
    assert not Flag.objects.open().filter(comment=reported).exists()

    # Suspend the author, from the same item, until further notice.
    item.get_by_role("link", name="Suspend this reader").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("火气大")
    page.get_by_label("Reason (the reader sees it)").fill(SUSPENSION_REASON)
    page.get_by_role("button", name="Suspend").click()
    expect(page).to_have_url(url("discussions:moderation_suspended"))
    expect(page.locator(".messages")).to_contain_text("火气大 is suspended.")
    expect(page.locator(".mod-suspensions")).to_contain_text(SUSPENSION_REASON)
    assert Suspension.objects.in_force().filter(user=rude, created_by=moderator).exists()
    assert set(ModerationAction.objects.filter(actor=moderator).values_list("kind", flat=True)) == {
        ModerationAction.Kind.APPROVE,
        ModerationAction.Kind.REMOVE,
        ModerationAction.Kind.SUSPEND,
    }
    assert errors == []

    # The author of the removed comment sees why in its place, and why they cannot comment.
    author_context = new_context(locale="en-US")
    sign_in(rude, context=author_context)
    author_page = author_context.new_page()
    author_page.goto(article_url)
    expect(author_page.locator(f"#comment-{reported.pk} .comment__removed")).to_contain_text(
        f"Reason: {REMOVAL_REASON}"
    )
    notice = author_page.locator("#discussion #comment-form")
    expect(notice).to_contain_text("Your account is suspended until further notice")
    expect(notice).to_contain_text(SUSPENSION_REASON)
    expect(author_page.locator("#discussion textarea")).to_have_count(0)
    expect(author_page.locator("#discussion").get_by_role("button", name="Vote up")).to_have_count(0)

    # Everyone else: the approved comment is in the thread, the removed one is gone.
    anonymous.reload()
    expect(anonymous.locator(f"#comment-{held.pk}")).to_contain_text("条款我读了三遍")
    expect(anonymous.locator(f"#comment-{reported.pk}")).to_have_count(0)
