"""The interface language: Chinese by default, English on request (Accept-Language or the
switcher in the header), with the <html lang>, dates, section names and admin following it."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from discussions import moderation
from discussions.models import Comment
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db

CHINESE = {"lang": "zh-hans", "sign_in": "登录", "latest": "最新文章"}
ENGLISH = {"lang": "en", "sign_in": "Sign in", "latest": "Latest articles"}


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def assert_language(page, expected):
    assert page.html["lang"] == expected["lang"]
    header = page.select_one(".site-header")
    assert expected["sign_in"] in header.get_text(" ", strip=True)
    assert page.h1.get_text(strip=True) == expected["latest"]


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en", ENGLISH),
        ("en-US,en;q=0.9", ENGLISH),
        ("zh-CN,zh;q=0.9,en;q=0.8", CHINESE),
        ("zh-Hans", CHINESE),
        ("zh-TW", CHINESE),  # no traditional catalogue: the nearest is simplified Chinese
        ("fr-FR,fr;q=0.9", CHINESE),
        ("de, ja", CHINESE),
        ("", CHINESE),
        ("*", CHINESE),
        ("en;q=0.1, fr", ENGLISH),
        ("xx-" + "y" * 300, CHINESE),
    ],
)
def test_the_browser_language_chooses_the_interface_and_chinese_is_the_default(
    client, article, accept_language, expected
):
    response = client.get("/", headers={"Accept-Language": accept_language})
    assert_language(soup(response), expected)
    assert response["Content-Language"] == expected["lang"]


def test_a_request_without_accept_language_is_in_chinese(client, article):
    assert_language(soup(client.get("/")), CHINESE)


def test_the_switcher_sets_the_language_cookie_and_the_next_page_follows_it(client, article):
    page = soup(client.get(article.get_absolute_url()))
    switcher = page.select_one(".site-header form.language-switcher")
    assert switcher["action"] == reverse("set_language")
    assert [button["value"] for button in switcher.select("button[name=language]")] == ["en"]
    next_url = switcher.select_one("input[name=next]")["value"]
    assert next_url == article.get_absolute_url()

    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert response.cookies["django_language"].value == "en"
    # The cookie outranks what the browser asks for, on every page.
    page = soup(client.get(response["Location"], headers={"Accept-Language": "zh-CN"}))
    assert page.html["lang"] == "en"
    home = soup(client.get("/", headers={"Accept-Language": "zh-CN"}))
    assert_language(home, ENGLISH)
    assert [b["value"] for b in home.select(".language-switcher button[name=language]")] == ["zh-hans"]

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert_language(soup(client.get("/", headers={"Accept-Language": "en"})), CHINESE)


@pytest.mark.parametrize("language", ["fr", "", "zh_Hans'><script>", "x" * 500])
def test_the_switcher_ignores_a_language_the_site_does_not_offer(client, article, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})

    assert response.status_code == 302
    # Django may still store a language it has a catalogue for (fr); the site ignores it.
    assert_language(soup(client.get("/")), CHINESE)
    assert_language(soup(client.get("/", headers={"Accept-Language": "en"})), ENGLISH)


def test_the_switcher_does_not_redirect_to_another_site(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"


def test_a_signed_in_reader_switches_too(client, user, article):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = soup(client.get(reverse("accounts:settings")))

    assert page.html["lang"] == "en"
    assert "Sign out" in page.select_one(".site-header").get_text()


@pytest.fixture
def discussed_article():
    article = ArticleFactory(
        title="模型评测的新基准",
        summary="编辑的一段摘要。",
        publish_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 30)),
        original_published_on=datetime.date(2026, 2, 27),
    )
    QuestionFactory(article=article, text="你认为基准测试还可信吗?", position=1)
    comment = CommentFactory(article=article, body="一条读者评论。")
    when = timezone.make_aware(datetime.datetime(2026, 3, 4, 20, 5))
    Comment.objects.filter(pk=comment.pk).update(created_at=when)
    return article


def article_page(client, article, language):
    return soup(client.get(article.get_absolute_url(), headers={"Accept-Language": language}))


def section_headings(page):
    return [h2.get_text(" ", strip=True) for h2 in page.select("h2.section-heading")]


def test_the_article_sections_have_their_chinese_names_in_chinese(client, discussed_article):
    page = article_page(client, discussed_article, "zh-CN")

    headings = section_headings(page)
    assert "冷月清谈" in headings
    assert "怜星夜思" in headings
    assert "Summary" not in headings and "Questions to discuss" not in headings
    assert page.select_one("#questions-heading").get_text(strip=True) == "怜星夜思"
    assert page.select_one("#summary-heading").get_text(strip=True) == "冷月清谈"


def test_the_article_sections_have_english_names_in_english(client, discussed_article):
    page = article_page(client, discussed_article, "en")

    assert page.select_one("#summary-heading").get_text(strip=True) == "Summary"
    assert page.select_one("#questions-heading").get_text(strip=True) == "Questions to discuss"
    assert "冷月清谈" not in section_headings(page)


def test_dates_on_the_article_page_follow_the_language(client, discussed_article):
    chinese = article_page(client, discussed_article, "zh-CN").select_one(".comment__permalink time")
    english = article_page(client, discussed_article, "en").select_one(".comment__permalink time")

    assert chinese.get_text(strip=True) == "2026年3月4日 20:05"
    assert english.get_text(strip=True) == "March 4, 2026, 8:05 p.m."
    # The machine-readable form stays the same in both.
    assert chinese["datetime"] == english["datetime"] == "2026-03-04T20:05:00+08:00"


def test_the_article_dates_follow_the_language(client, discussed_article):
    chinese = article_page(client, discussed_article, "zh-CN")
    english = article_page(client, discussed_article, "en")

    assert chinese.select_one("header .meta time").get_text(strip=True) == "2026年3月1日 09:30"
    assert english.select_one("header .meta time").get_text(strip=True) == "March 1, 2026, 9:30 a.m."
    assert chinese.select_one(".attribution time").get_text(strip=True) == "2026年2月27日"
    assert english.select_one(".attribution time").get_text(strip=True) == "Feb. 27, 2026"


def test_the_month_archive_names_its_month_in_the_language(client, discussed_article):
    url = reverse("articles:archive", kwargs={"year": 2026, "month": 3})

    assert soup(client.get(url)).h1.get_text(strip=True) == "2026年3月发布"
    assert soup(client.get(url, headers={"Accept-Language": "en"})).h1.get_text(strip=True) == (
        "Published in March 2026"
    )


def test_article_content_is_not_translated(client, discussed_article):
    for language in ["zh-CN", "en"]:
        page = article_page(client, discussed_article, language)
        assert page.h1.get_text(strip=True) == "模型评测的新基准"
        assert "你认为基准测试还可信吗?" in page.get_text()
        assert "一条读者评论。" in page.get_text()


def test_the_admin_labels_are_in_chinese_by_default(client, superuser, article):
    client.force_login(superuser)

    changelist = soup(client.get(reverse("admin:articles_article_changelist")))
    add_form = soup(client.get(reverse("admin:articles_article_add")))

    assert changelist.html["lang"] == "zh-hans"
    assert "文章" in changelist.title.get_text()
    actions = [option.get_text(strip=True) for option in changelist.select("select[name=action] option")]
    assert {"立即发布", "撤下（退回草稿）", "归档"} <= set(actions)
    labels = {label.get_text(strip=True).rstrip(":：") for label in add_form.select("label")}
    assert {"标题", "原文标题", "原文作者", "转载声明", "摘要"} <= labels
    assert "原文信息" in [h2.get_text(strip=True) for h2 in add_form.select("fieldset h2")]
    assert "怜星夜思（通常两到四个，也可以没有）" in add_form.get_text()
    index = soup(client.get(reverse("admin:index")))
    assert {"文章", "讨论", "账号"} <= {caption.get_text(strip=True) for caption in index.select("caption a")}


def test_the_admin_follows_the_switcher(client, superuser):
    client.force_login(superuser)
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})

    add_form = soup(client.get(reverse("admin:articles_article_add")))

    assert add_form.html["lang"] == "en"
    labels = {label.get_text(strip=True).rstrip(":") for label in add_form.select("label")}
    assert {"Title", "Original title", "Original author", "Reprint notice"} <= labels


def test_the_moderation_log_names_statuses_in_the_reader_s_language(client, moderator):
    comment = CommentFactory()
    moderation.hide_comment(comment, by=moderator, reason="检查中")
    client.force_login(moderator)

    chinese = soup(client.get(reverse("discussions:moderation_log"))).select_one("tbody tr")
    english = soup(client.get(reverse("discussions:moderation_log"), headers={"Accept-Language": "en"}))

    assert "已发布 → 已隐藏" in chinese.get_text(" ", strip=True)
    assert "Published → Hidden" in english.select_one("tbody tr").get_text(" ", strip=True)
    history = soup(client.get(reverse("discussions:moderation_comment", args=[comment.pk])))
    assert "已发布 → 已隐藏" in history.get_text(" ", strip=True)


def test_the_comment_admin_shows_its_moderation_log_in_the_language(client, superuser, moderator):
    comment = CommentFactory()
    moderation.hide_comment(comment, by=moderator, reason="检查中")
    client.force_login(superuser)
    url = reverse("admin:discussions_comment_change", args=[comment.pk])

    log = soup(client.get(url)).select_one("#moderation_actions-group")
    english = soup(client.get(url, headers={"Accept-Language": "en"})).select_one("#moderation_actions-group")

    headers = [th.get_text(strip=True) for th in log.select("thead th")]
    assert {"原状态", "新状态"} <= set(headers)
    row = log.select_one("tbody tr.has_original, tbody tr.form-row")
    assert {"已发布", "已隐藏", "版主"} <= {td.get_text(strip=True) for td in row.select("td")}
    assert {"Published", "Hidden"} <= {td.get_text(strip=True) for td in english.select("tbody td")}
