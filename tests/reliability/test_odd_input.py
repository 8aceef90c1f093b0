"""Odd input never costs a 500: limits, NUL bytes, broken encodings, invisible characters, huge
numbers, ids that are no numbers, unknown options and over-long requests get a clear 4xx or a
form error. PostgreSQL refuses NUL characters in text, so the NUL rows matter most there."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import User
from articles.models import Article
from discussions.models import Comment, Flag
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
NUL = "\x00"
# Values for any query parameter or path segment.
ODD_VALUES = [
    NUL,
    f"a{NUL}b",
    HUGE,
    f"-{HUGE}",
    "-1",
    "0",
    "1e10",
    "abc",
    "%FF%FE",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "‮evil",
    "​",
    "x" * 5000,
    "' OR 1=1 --",
    "../../etc/passwd",
]
PARAMETERS = ["page", "sort", "q", "tag", "source", "question", "answer", "next", "p", "o"]


@pytest.fixture
def site(rules_off, moderator):
    article = ArticleFactory(tags=["odd"])
    question = QuestionFactory(article=article)
    comment = CommentFactory(article=article, question=question)
    reader = UserFactory(username="odd-reader")
    return {
        "article": article,
        "question": question,
        "comment": comment,
        "reader": reader,
        "moderator": moderator,
    }


def public_paths(site):
    article, comment = site["article"], site["comment"]
    return [
        "/",
        article.get_absolute_url(),
        "/tags/odd/",
        article.source.get_absolute_url(),
        f"/archive/{article.publish_at.year}/{article.publish_at.month}/",
        "/search/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/tags/odd/feed/",
        f"/u/{comment.author.username}/",
        f"/discussions/comments/{comment.pk}/",
        "/moderation/public-log/",
        "/accounts/login/",
        "/accounts/signup/",
        "/sitemap.xml",
    ]


def signed_in_paths(site):
    comment = site["comment"]
    return [
        "/u/settings/",
        "/u/settings/profile/",
        "/u/settings/notifications/",
        "/u/settings/delete/",
        f"/discussions/comments/{comment.pk}/reply/",
        f"/discussions/comments/{comment.pk}/report/",
    ]


def moderator_paths(site):
    return ["/moderation/", "/moderation/reported/", "/moderation/recent/", "/moderation/log/", "/admin/"]


def assert_no_server_error(failures, response, what):
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")


def test_odd_query_values_on_every_page_are_never_a_server_error(site):
    clients = {"anonymous": Client(raise_request_exception=False)}
    clients["reader"] = Client(raise_request_exception=False)
    clients["reader"].force_login(site["reader"])
    clients["moderator"] = Client(raise_request_exception=False)
    clients["moderator"].force_login(site["moderator"])
    table = [("anonymous", path) for path in public_paths(site)]
    table += [("reader", path) for path in signed_in_paths(site)]
    table += [("moderator", path) for path in moderator_paths(site)]
    failures, requests = [], 0
    for role, path in table:
        client = clients[role]
        for value in ODD_VALUES:
            # All parameters at once: each page reads the ones it knows.
            response = client.get(path, dict.fromkeys(PARAMETERS, value))
            assert_no_server_error(failures, response, f"{role} GET {path} with {value[:20]!r}")
            requests += 1
    assert not failures, "\n".join(failures)
    assert requests == len(table) * len(ODD_VALUES)


@pytest.mark.parametrize(
    "path",
    [
        "/articles/{nul}/",
        "/articles/a{nul}b/preview/",
        "/tags/{nul}/",
        "/tags/{nul}/feed/",
        "/sources/{nul}/",
        "/u/{nul}/",
        "/u/%FF%FE/",
        "/articles/%FF/",
        f"/archive/{HUGE}/1/",
        "/archive/2026/13/",
        "/archive/0/0/",
        f"/discussions/comments/{HUGE}/",
        "/discussions/comments/abc/",
        "/discussions/comments/-1/",
        f"/discussions/comments/{HUGE}/reply/",
        f"/moderation/comments/{HUGE}/",
        "/discussions/unsubscribe/{nul}/",
        f"/admin/articles/article/{HUGE}/change/",
        "/admin/articles/article/abc/change/",
        "/admin/articles/article/?o=abc&p=abc&q={nul}",
        "/admin/discussions/comment/?status__exact={nul}",
        "/moderation/users/find/?username=a{nul}b",
        "/moderation/log/?actor={nul}&kind={nul}",
    ],
)
def test_odd_paths_are_a_4xx(site, superuser, path):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    response = client.get(path.replace("{nul}", "%00"))
    if "{nul}" in path:
        assert response.status_code == 400
    else:
        assert response.status_code in (200, 302, 400, 404), response.status_code


def test_a_huge_page_number_is_a_404_not_an_error(client, site):
    for path in ["/", "/search/?q=odd&", "/tags/odd/?"]:
        response = client.get(f"{path}{'&' if '?' in path else '?'}page={HUGE}")
        assert response.status_code == 404, path
    # The thread's own pages: an unknown page shows the last one rather than failing.
    response = client.get(site["article"].get_absolute_url(), {"page": HUGE, "sort": "no-such-sort"})
    assert response.status_code in (200, 404)


def test_too_many_query_fields_is_a_400(client, site):
    query = "&".join(f"f{i}=1" for i in range(2_000))
    response = Client(raise_request_exception=False).get(f"/search/?{query}")
    assert response.status_code == 400


def test_an_over_long_query_string_is_served_or_refused_cleanly(site):
    client = Client(raise_request_exception=False)
    response = client.get("/search/", {"q": "模型" * 20_000})
    assert response.status_code == 200
    assert len(response.context["form"].cleaned_data["q"]) <= 100


# Forms ------------------------------------------------------------------------------------------


def test_comment_bodies_at_and_over_the_limit(client, site, settings):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENT_MAX_LENGTH": 500}
    article = site["article"]
    client.force_login(site["reader"])
    url = f"/discussions/articles/{article.pk}/comments/"
    assert client.post(url, {"body": "长" * 500}).status_code == 302
    response = client.post(url, {"body": "长" * 501})
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    # Markdown-heavy text at the limit renders to more HTML than that; it is stored all the same.
    assert client.post(url, {"body": "**x** " * 83}).status_code == 302
    assert Comment.objects.filter(author=site["reader"]).count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"body": f"nul{NUL}inside"},
        {"body": NUL},
        {"body": "   \n\t  "},
        {"body": "ok", "question": "abc"},
        {"body": "ok", "question": HUGE},
        {"body": "ok", "question": NUL},
        {"body": "ok", "parent": "abc"},
        {"body": "ok", "parent": HUGE},
        {"body": "ok", "parent": NUL},
        {"body": "ok", "parent": ""},
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_odd_comment_posts_are_refused_without_a_server_error(site, fields, htmx):
    client = Client(raise_request_exception=False)
    client.force_login(site["reader"])
    before = Comment.objects.count()
    response = client.post(
        f"/discussions/articles/{site['article'].pk}/comments/",
        fields,
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code in (200, 400, 404), response.status_code
    assert Comment.objects.count() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": "spam", "text": f"a{NUL}b"},
        {"reason": NUL},
        {"reason": "no-such-reason"},
        {"reason": "other", "text": "x" * 501},
    ],
)
def test_odd_reports_are_refused(site, fields):
    client = Client(raise_request_exception=False)
    client.force_login(site["reader"])
    response = client.post(f"/discussions/comments/{site['comment'].pk}/report/", fields)
    assert response.status_code in (200, 400)
    assert not Flag.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"display_name": "ok", "bio": f"a{NUL}b"}, "bio"),
        ({"display_name": "ok", "website": f"https://a{NUL}b.example/"}, "website"),
        ({"display_name": "\u200b\u200c\u200d\u2060"}, "display_name"),
        ({"display_name": "\u202e\u2066\u200f"}, "display_name"),
        ({"display_name": "x" * 41}, "display_name"),
        ({"display_name": "ok", "bio": "x" * 501}, "bio"),
        ({"display_name": "ok", "website": "javascript:alert(1)"}, "website"),
    ],
)
def test_odd_profile_values_are_form_errors(client, site, fields, error_field):
    client.force_login(site["reader"])
    response = client.post("/u/settings/profile/", {"bio": "", "website": "", **fields})
    assert response.status_code == 200
    assert error_field in response.context["form"].errors


def test_invisible_and_direction_characters_are_taken_out_of_display_names(client, site):
    client.force_login(site["reader"])
    name = "\u202eA\u200bl\u200ci\u2066c\u200fe\u2069\ufeff\x00"
    assert (
        client.post("/u/settings/profile/", {"display_name": name, "bio": "", "website": ""}).status_code
        == 302
    )
    assert User.objects.get(pk=site["reader"].pk).display_name == "Alice"
    page = client.get(f"/u/{site['reader'].username}/").content.decode()
    assert "\u202e" not in page and "\u200b" not in page


@pytest.mark.parametrize("value", [NUL, f"a{NUL}b", HUGE, "abc", ""])
def test_odd_values_in_staff_forms(site, editor, value):
    client = Client(raise_request_exception=False)
    client.force_login(site["moderator"])
    comment = site["comment"]
    from discussions import moderation

    suspension = moderation.suspend_user(UserFactory(), by=site["moderator"], reason="Odd")
    posts = [
        (f"/discussions/comments/{comment.pk}/move/", {"question": value, "reason": value}),
        (f"/discussions/questions/{site['question'].pk}/close/", {"reason": value}),
        (f"/discussions/articles/{site['article'].pk}/lock/", {"reason": value}),
        (f"/moderation/comments/{comment.pk}/moderate/", {"action": value, "reason": value}),
        ("/moderation/bulk/", {"action": "hide", "comments": value}),
        (f"/moderation/users/{comment.author.pk}/suspend/", {"reason": value, "until": value}),
        ("/moderation/log/", {"kind": value, "role": value, "actor": value, "article": value}),
        (f"/moderation/suspensions/{suspension.pk}/lift/", {"reason": value}),
    ]
    for path, data in posts:
        method = client.get if path == "/moderation/log/" else client.post
        response = method(path, data)
        assert response.status_code < 500, (path, response.status_code)


def test_a_broken_upload_is_a_form_error_in_the_admin(client, superuser, site):
    client.force_login(superuser)
    article = site["article"]
    page = client.get(f"/admin/articles/article/{article.pk}/change/")
    assert page.status_code == 200
    from tests.articles.conftest import form_data

    data = form_data(page, "article_form")
    data["cover_image"] = SimpleUploadedFile("cover.png", b"\x89PNG\r\n\x1a\n\xff\xfe broken", "image/png")
    response = client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 200
    assert "cover_image" in response.context["adminform"].form.errors


# Imports ----------------------------------------------------------------------------------------

DOCUMENT = """{title}
导语。
原文标题: Odd original {n}
原文作者: Odd Weekly
冷月清谈:
摘要。
怜星夜思:
1、问题?
原文内容
{body}
© THE END
"""


def test_invalid_utf8_in_an_import_names_the_file_and_line_and_exits_1(tmp_path):
    broken = tmp_path / "broken.txt"
    good = DOCUMENT.format(title="标题", n=1, body="正文").encode()
    broken.write_bytes(good + b"\n\xff\xfe\xc3\x28 broken\n")  # line 13
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 failed") as raised:
        call_command("import_articles", str(broken), stderr=errors)
    assert raised.value.returncode == 1
    assert errors.getvalue().startswith(f"{broken}:13: ")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (f"标题{NUL}", "正文"),
        ("标题", f"正文{NUL}正文"),
    ],
)
def test_nul_characters_in_an_import_are_a_file_line_error(tmp_path, title, body):
    document = tmp_path / "nul.txt"
    document.write_text(DOCUMENT.format(title=title, n=2, body=body), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 failed"):
        call_command("import_articles", str(document), stderr=errors)
    line = 1 if NUL in title else 10
    assert errors.getvalue().startswith(f"{document}:{line}: A NUL character")
    assert not Article.objects.exists()


@pytest.mark.parametrize("name", ["!!", "<>", "\u202e", "{{ }}", "++"])
def test_a_tag_whose_name_makes_no_slug_still_has_a_page(client, site, name):
    article = ArticleFactory(tags=[name, "?!", "also"])
    tag = article.tags.get(name=name)
    assert tag.slug and tag.slug != article.tags.get(name="?!").slug
    for path in [
        "/",
        article.get_absolute_url(),
        f"/tags/{tag.slug}/",
        f"/tags/{tag.slug}/feed/",
        "/search/?q=odd",
    ]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("value", [NUL, f"a{NUL}b", "x" * 600])
def test_odd_reasons_in_the_admin_moderation_action(site, value):
    client = Client(raise_request_exception=False)
    client.force_login(site["moderator"])
    comment = site["comment"]
    response = client.post(
        "/admin/discussions/comment/",
        {"action": "remove_comments", "_selected_action": [comment.pk], "apply": "1", "reason": value},
    )
    assert response.status_code in (200, 302)
    comment.refresh_from_db()
    assert comment.status == (Comment.Status.REMOVED if NUL not in value else Comment.Status.PUBLISHED)
