"""axe-core on the pages readers and moderators spend their time on, with real content on them,
and the discussion used with the keyboard alone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from discussions.models import Comment, Flag
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    FlagFactory,
    QuestionFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_server_errors"),
]


@pytest.fixture
def content():
    """Two articles, one with a lively discussion: answers, a reply thread, an editor's pick,
    votes, Markdown, a comment waiting for a moderator and a reported one."""
    source = SourceFactory(name="硅谷周刊", homepage="https://silicon.example/")
    article = ArticleFactory(
        title="液冷改造的隐性成本",
        slug="liquid-cooling",
        source=source,
        summary="**冷月清谈**:改造老机房时,楼板承重和停机窗口往往比管路更贵。",
        body="## 背景\n\n原文正文,*转载*。\n\n> 引用一段原文。\n\n- 第一点\n- 第二点",
        tags=["数据中心", "cooling"],
    )
    ArticleFactory(title="RISC-V 笔记本试用一周", source=source, tags=["数据中心"])
    questions = [
        QuestionFactory(article=article, position=n, text=text)
        for n, text in enumerate(["改造值得吗?", "耗水问题被夸大了吗?", "你的机房会怎么做?"], start=1)
    ]
    reader = UserFactory(username="reader", display_name="读者甲")
    old_hand = UserFactory(username="old_hand", display_name="老运维")
    answer = CommentFactory(
        article=article,
        question=questions[0],
        author=old_hand,
        body="在老机房干了八年运维:**楼板承重**比管路更难改。参见 [报告](https://example.com/r)。",
    )
    reply = CommentFactory(article=article, parent=answer, author=reader, body="Same here, `floor loading`.")
    CommentFactory(article=article, parent=reply, author=old_hand, body="> 楼板承重\n\n对,而且不能停机。")
    VoteFactory(comment=answer, user=reader)
    questions[0].pinned_answer = answer
    questions[0].save()
    CommentFactory(article=article, question=questions[1], author=reader, body="闭式循环几乎不蒸发水。")
    newcomer = UserFactory(username="newcomer", display_name="新来的读者")
    CommentFactory(article=article, author=newcomer, status=Comment.Status.PENDING, body="第一次留言。")
    reported = CommentFactory(article=article, author=newcomer, body="加我的群,链接在主页。")
    FlagFactory(comment=reported, reason=Flag.Reason.SPAM, text="广告", user=old_hand)
    return {"article": article, "reader": reader, "answer": answer}


def pages(content):
    """(name, path, who is signed in, what must be on the page for the check to mean something)."""
    article_path = content["article"].get_absolute_url()
    return [
        ("home", reverse("articles:home"), None, ".article-card"),
        ("article", article_path, None, "#discussion .comment--reply"),
        ("article, signed in", article_path, "reader", "#comment-form textarea"),
        ("search with results", reverse("articles:search") + "?q=液冷", None, "#search-results li"),
        ("sign-in", reverse("account_login"), None, "form input[type=password]"),
        ("moderation queue", reverse("discussions:moderation_queue"), "moderator", ".mod-item"),
        ("reported comments", reverse("discussions:moderation_reported"), "moderator", ".mod-item"),
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_violation(
    new_context, live_server, sign_in, moderator, content, color_scheme
):
    from tests.e2e.axe import BLOCKING, describe, violations

    users = {"reader": content["reader"], "moderator": moderator}
    browsers = {}
    problems = []
    for name, path, who, needed in pages(content):
        if who not in browsers:
            context = new_context(color_scheme=color_scheme)
            if who:
                sign_in(users[who], context=context)
            browsers[who] = context.new_page()
        page = browsers[who]
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{name}: {response.status}"
        expect(page.locator(needed).first).to_be_attached()
        found = [v for v in violations(page) if v.get("impact") in BLOCKING]
        problems += [f"{name} ({path}):\n{describe(v)}" for v in found]
    assert not problems, "axe-core: serious or critical violations:\n" + "\n".join(problems)


def tab_to(page, selector, *, limit=80, backwards=False):
    """Presses Tab (Shift+Tab) until the focused element matches `selector`; fails past `limit`.
    Each element on the way must show where the focus is (the :focus-visible outline)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(
            """selector => {
                const el = document.activeElement;
                return {
                    matches: el.matches(selector),
                    outline: getComputedStyle(el).outlineStyle,
                    tag: el.outerHTML.slice(0, 80),
                };
            }""",
            selector,
        )
        assert focused["outline"] != "none", f"no visible focus on {focused['tag']}"
        if focused["matches"]:
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab")


def test_the_discussion_works_with_the_keyboard_alone(new_context, live_server, sign_in, content):
    reader = UserFactory(username="keys", display_name="键盘读者")
    CommentFactory(author=reader)  # an established reader: comments publish at once
    context = new_context(locale="en-US")
    sign_in(reader, context=context)
    page = context.new_page()
    page.goto(live_server.url + content["article"].get_absolute_url())
    answer = content["answer"]

    # From the top of the page to the comment form; type, then submit with Enter on the button.
    tab_to(page, "#comment-form textarea")
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, "#comment-form button[type=submit]")
    page.keyboard.press("Enter")
    new_comment = page.locator(".comment", has_text="Typed without a mouse.")
    expect(new_comment).to_be_visible()
    assert Comment.objects.filter(author=reader, body="Typed without a mouse.").exists()

    # On to another reader's comment: vote with Space.
    tab_to(page, f"#comment-{answer.pk}-vote button")
    page.keyboard.press("Space")
    expect(page.locator(f"#comment-{answer.pk}-vote button")).to_have_attribute("aria-pressed", "true")
    assert answer.votes.filter(user=reader).exists()

    # Reply: Enter on the link opens the form with the focus in it; Space on the button posts.
    tab_to(page, f"#comment-{answer.pk}-main a[href$='/reply/']")
    page.keyboard.press("Enter")
    reply_field = page.locator(f"#comment-{answer.pk}-reply textarea")
    expect(reply_field).to_be_focused()
    page.keyboard.type("A reply, also by keyboard.")
    tab_to(page, f"#comment-{answer.pk}-reply button[type=submit]")
    page.keyboard.press("Space")
    expect(page.locator(f"#comment-{answer.pk}-replies")).to_contain_text("A reply, also by keyboard.")
    assert Comment.objects.filter(author=reader, parent=answer).exists()
