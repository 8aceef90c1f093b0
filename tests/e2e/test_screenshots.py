"""The main pages on the demo content, at desktop and phone widths.

`make screenshots` runs this with QINGTAN_SCREENSHOTS=docs/screenshots to refresh the README's
pictures. In the normal test run the pictures go to a temporary folder, and what is checked is
that every page renders at both widths without errors and without sideways scrolling on a phone.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# Long pages are cut here: the README wants the top of each page, not a scroll of it.
MAX_HEIGHT = {"desktop": 2400, "mobile": 3200}


@pytest.fixture
def output_folder(tmp_path):
    folder = Path(os.environ.get("QINGTAN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_site(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast demo accounts
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from accounts.models import User
    from articles.models import Article

    article = (
        Article.objects.published().annotate(comment_count=Count("comments")).order_by("-comment_count")[0]
    )
    _give_the_moderators_work(article)
    return {
        "article": article,
        "moderator": User.objects.get(username="moderator"),
        "reader": User.objects.get(username="reader"),
    }


def _give_the_moderators_work(article):
    """A newcomer's first comment held for approval and a reported one, so the queue shows something."""
    from discussions.models import Comment, Flag
    from tests.factories import CommentFactory, FlagFactory, UserFactory

    newcomer = UserFactory(username="newcomer", display_name="新来的读者")
    CommentFactory(
        article=article,
        author=newcomer,
        status=Comment.Status.PENDING,
        body="第一次留言:文中说的流量账单,有没有人算过具体能省多少?",
    )
    reported = CommentFactory(article=article, author=newcomer, body="想了解更多请加我的群,链接在主页。")
    FlagFactory(comment=reported, reason=Flag.Reason.SPAM, text="广告")


def main_pages(demo):
    """(name, path, who is signed in) for each main page that exists so far."""
    pages = [
        ("home", "articles:home", (), None),
        ("article", "articles:detail", (demo["article"].slug,), None),
        # The same article's discussion as a signed-in reader sees it (form, votes, replies).
        ("discussion", "articles:detail", (demo["article"].slug,), "reader"),
        ("search", "articles:search", (), None),
        ("sign-in", "account_login", (), None),
        ("profile", "accounts:profile", (demo["reader"].username,), None),
        ("moderation-queue", "discussions:moderation_queue", (), "moderator"),
    ]
    for name, route, args, user in pages:
        try:
            yield name, reverse(route, args=args), user
        except NoReverseMatch:
            continue  # a page whose issue has not landed yet


def test_main_pages_at_desktop_and_phone_widths(new_context, live_server, sign_in, demo_site, output_folder):
    saved = []
    for width, options in WIDTHS.items():
        for name, path, user in main_pages(demo_site):
            context = new_context(**options)
            if user:
                sign_in(demo_site[user], context=context)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{name} at {width}: {response.status}"
            page.wait_for_load_state("load")
            assert errors == [], f"{name} at {width}: {errors}"
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width} width"
            top, height = 0, page.evaluate("document.documentElement.scrollHeight")
            if name == "discussion":  # below the article text: the picture starts at it
                box = page.locator("#discussion").bounding_box()
                top, height = max(box["y"] - 24, 0), box["height"] + 48
            target = output_folder / f"{name}-{width}.png"
            page.screenshot(
                path=target,
                full_page=True,
                clip={
                    "x": 0,
                    "y": top,
                    "width": options["viewport"]["width"],
                    "height": min(height, MAX_HEIGHT[width]),
                },
            )
            saved.append(target)
            context.close()
    assert all(p.stat().st_size > 10_000 for p in saved)
    print("\n".join(str(p) for p in saved))
