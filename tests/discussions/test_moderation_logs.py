"""The moderators' log (/moderation/log/) and the public log (/moderation/public-log/)."""

import pytest
from django.urls import reverse

from articles.models import Article
from discussions import moderation
from discussions.models import Comment, ModerationAction
from tests.discussions.conftest import soup, url
from tests.factories import ArticleFactory, CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _rows(response):
    return soup(response).select("tr.mod-log__entry")


def test_the_log_lists_every_action_newest_first_and_filters_them(client, moderator, editor, superuser):
    first, second = ArticleFactory.create_batch(2)
    comment = CommentFactory(article=first)
    moderation.hide_comment(comment, by=moderator, reason="Checking")
    moderation.restore_comment(comment, by=superuser, reason="Fine")
    moderation.close_comments(second, by=editor, reason="Done")
    moderation.suspend_user(UserFactory(), by=moderator, reason="Spam")
    client.force_login(moderator)
    rows = _rows(client.get(url("moderation_log")))
    assert [row.select("td")[1].text for row in rows] == [
        "User suspended",
        "Comments closed",
        "Restored",
        "Hidden",
    ]
    assert "administrator" in rows[2].text and "Hidden → Published" in rows[2].text.replace("\n", " ")

    assert len(_rows(client.get(url("moderation_log"), {"kind": "hide"}))) == 1
    assert len(_rows(client.get(url("moderation_log"), {"role": "editor"}))) == 1
    assert len(_rows(client.get(url("moderation_log"), {"actor": moderator.username}))) == 2
    assert len(_rows(client.get(url("moderation_log"), {"article": first.pk}))) == 2
    assert len(_rows(client.get(url("moderation_log"), {"kind": "nonsense"}))) == 4  # ignored, not a 500


def test_the_log_shows_system_actions_and_paginates_in_few_queries(
    client, moderator, django_assert_max_num_queries
):
    article = ArticleFactory()
    comments = CommentFactory.create_batch(60, article=article)
    for comment in comments:
        ModerationAction.objects.create(kind="hold", comment=comment, article=article, actor_role="system")
    client.force_login(moderator)
    with django_assert_max_num_queries(8):
        response = client.get(url("moderation_log"))
    assert len(_rows(response)) == 50
    assert "Page 1 of 2" in soup(response).select_one(".pagination").text
    assert len(_rows(client.get(url("moderation_log"), {"page": 2}))) == 10
    # The pages of a filtered log keep the filter.
    filtered = soup(client.get(url("moderation_log"), {"kind": "hold", "role": "system"}))
    assert filtered.select_one(".pagination a[rel=next]")["href"] == "?kind=hold&role=system&page=2"


def test_the_public_log_says_what_where_by_which_role_and_why_but_not_who_or_what(client, moderator, editor):
    moderator.username = "mod_alice"  # "moderator", the fixture's name, is also the role shown
    moderator.save()
    article = ArticleFactory(title="Liquid cooling")
    author = UserFactory(display_name="Author Person")
    reporter = UserFactory(display_name="Reporter Person")
    comment = CommentFactory(article=article, author=author, body="The removed words themselves")
    FlagFactory(comment=comment, user=reporter, text="Reporter's own details")
    moderation.remove_comment(comment, by=moderator, reason="Personal attack")
    hidden = CommentFactory(article=article, body="Reported three times")
    for _ in range(3):
        moderation.comment_reported(FlagFactory(comment=hidden))
    moderation.lock_thread(article, by=moderator, reason="Flame war")
    moderation.suspend_user(author, by=moderator, reason="Suspension stays private")
    moderation.approve_comment(CommentFactory(status=Comment.Status.PENDING), by=moderator)
    editor.groups.add(*moderator.groups.all())
    moderation.hide_comment(CommentFactory(article=article), by=editor, reason="Off topic")

    response = client.get(url("public_log"))
    assert response.status_code == 200
    entries = soup(response).select(".public-log__entry")
    text = " ".join(entry.get_text(" ", strip=True) for entry in entries)
    assert [entry.select_one(".public-log__what").text for entry in entries] == [
        "Hidden",
        "Thread locked",
        "Hidden",
        "Removed",
    ]
    assert "by: moderator" in entries[0].text  # the editor acted in their moderator role
    assert "reason: Personal attack" in entries[3].text and "by: moderator" in entries[3].text
    assert "by: system" in entries[2].text and "reports from 3 readers" in entries[2].text
    assert entries[3].select_one("a")["href"] == article.get_absolute_url()
    for private in (
        "The removed words themselves",
        "Author Person",
        "Reporter Person",
        "Reporter's own details",
        moderator.public_name,
        moderator.username,
        "Suspension stays private",
        "Approved",
    ):
        assert private not in text


def test_the_public_log_leaves_out_articles_the_public_cannot_read(client, moderator):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    moderation.hide_comment(CommentFactory(article=draft), by=moderator)
    assert soup(client.get(url("public_log"))).select(".public-log__entry") == []


def test_the_public_log_can_be_switched_off(client, settings):
    settings.QINGTAN = {**settings.QINGTAN, "PUBLIC_MODERATION_LOG": False}
    assert client.get(url("public_log")).status_code == 404


def test_without_the_setting_the_path_and_the_footer_link_are_gone():
    from tests.subprocess_env import run_django

    code = (
        "from django.urls import reverse, NoReverseMatch\n"
        "try:\n    reverse('discussions:public_log'); print('resolves')\n"
        "except NoReverseMatch:\n    print('gone')\n"
    )
    result = run_django(code, env={"DJANGO_DEBUG": "true", "QINGTAN_PUBLIC_MODERATION_LOG": "false"})
    assert result.stdout.strip() == "gone", result.stderr
    assert reverse("discussions:public_log") == "/moderation/public-log/"  # on by default


def test_the_footer_links_to_the_public_log(client):
    assert soup(client.get("/")).select_one(f".site-footer a[href='{url('public_log')}']") is not None


def test_editors_without_the_moderator_role_cannot_read_the_log(client, editor):
    client.force_login(editor)
    assert client.get(url("moderation_log")).status_code == 403
