"""The editors' workspace, through the admin's HTTP interface."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.articles.conftest import form_data, soup
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
ADD = "/admin/articles/article/add/"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture(params=["editor", "superuser"])
def staff(request, client):
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    return user


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _submit(client, url, **changes):
    """Load an admin form, change some fields and post it like a browser would."""
    data = form_data(client.get(url), "article_form")
    data.update(changes)
    return client.post(url, data)


def _new_article_fields(source, **overrides):
    return {
        "title": "液冷机房的账本",
        "slug": "",
        "lead": "一句导语。",
        "summary": "冷月清谈的摘要。",
        "body": "原文正文。",
        "tags": "数据中心, 液冷",
        "source": str(source.pk),
        "original_title": "原题",
        "original_author": "硅基周刊",
        "original_url": "https://silicon-weekly.example/cooling",
        "status": Article.Status.DRAFT,
        "permission_status": Article.Permission.REQUESTED,
        **overrides,
    }


class TestChangeList:
    def test_the_list_shows_title_status_source_publish_time_and_tags(self, client, staff):
        ArticleFactory(title="第一篇", tags=["芯片", "AI"], source=SourceFactory(name="算力纪事"))
        response = client.get(CHANGELIST)
        assert response.status_code == 200
        row = soup(response).select_one("#result_list tbody tr")
        cells = [cell.text.strip() for cell in row.find_all(["th", "td"])][1:]
        assert cells[0] == "第一篇"
        assert cells[2] == "算力纪事"
        assert cells[4] == "AI, 芯片"

    def test_filters_search_and_date_hierarchy(self, client, staff):
        published = ArticleFactory(title="已发布的", original_title="The original headline")
        draft = ArticleFactory(title="草稿", status=Article.Status.DRAFT, tags=["芯片"])
        filtered = client.get(CHANGELIST, {"status__exact": "draft"}).content.decode()
        assert draft.title in filtered and published.title not in filtered
        by_source = client.get(CHANGELIST, {"source__id__exact": published.source_id}).content.decode()
        assert published.title in by_source and draft.title not in by_source
        tag_id = draft.tags.get().pk
        by_tag = client.get(CHANGELIST, {"tags__id__exact": tag_id}).content.decode()
        assert draft.title in by_tag and published.title not in by_tag
        searched = client.get(CHANGELIST, {"q": "original headline"}).content.decode()
        assert published.title in searched and draft.title not in searched
        year = published.publish_at.year
        assert client.get(CHANGELIST, {"publish_at__year": year}).status_code == 200

    def test_source_autocomplete(self, client, staff):
        SourceFactory(name="开源观察")
        SourceFactory(name="硅基周刊")
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "articles", "model_name": "article", "field_name": "source", "term": "开源"},
        )
        assert [result["text"] for result in response.json()["results"]] == ["开源观察"]

    def test_readers_are_sent_to_the_login_page(self, client, user):
        client.force_login(user)
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


class TestActions:
    def _act(self, client, action, *articles):
        return client.post(
            CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}, follow=True
        )

    def test_publish_now(self, client, staff):
        draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
        public = ArticleFactory()
        response = self._act(client, "publish_now", draft, public)
        draft.refresh_from_db()
        assert draft.is_public
        messages = _messages(response)
        assert "1 article published." in messages
        assert "1 article was already public." in messages

    def test_publish_now_refuses_with_the_reason(self, client, staff):
        empty = ArticleFactory(title="缺摘要的稿子", status=Article.Status.DRAFT, summary="")
        response = self._act(client, "publish_now", empty)
        empty.refresh_from_db()
        assert empty.status == Article.Status.DRAFT
        assert _messages(response) == [
            "“缺摘要的稿子” was left unchanged: A published article needs a summary."
        ]

    def test_unpublish(self, client, staff):
        article = ArticleFactory()
        response = self._act(client, "unpublish", article)
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert _messages(response) == ["1 article unpublished."]
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_archive(self, client, staff):
        article = ArticleFactory()
        draft = ArticleFactory(title="一篇草稿", status=Article.Status.DRAFT)
        response = self._act(client, "archive", article, draft)
        article.refresh_from_db()
        assert article.status == Article.Status.ARCHIVED
        assert _messages(response) == [
            "1 article archived.",
            "“一篇草稿” was left unchanged: Only a published article can be archived.",
        ]

    def test_actions_keep_a_revision_naming_the_editor(self, client, staff):
        article = ArticleFactory(status=Article.Status.DRAFT)
        self._act(client, "publish_now", article)
        version = Version.objects.get_for_object(article).get()
        assert version.revision.user == staff
        assert version.revision.get_comment() == "Published now."
        assert version.field_dict["status"] == Article.Status.PUBLISHED

    def test_actions_need_the_change_permission(self, client, moderator):
        client.force_login(moderator)  # may view articles, not change them
        response = client.get(CHANGELIST)
        assert response.status_code == 200
        assert soup(response).find("select", attrs={"name": "action"}) is None
        article = ArticleFactory(status=Article.Status.DRAFT)
        self._act(client, "publish_now", article)
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT


class TestChangeForm:
    def test_adding_an_article_fills_slug_editor_and_tags(self, client, staff):
        source = SourceFactory()
        response = _submit(client, ADD, **_new_article_fields(source))
        assert response.status_code == 302, soup(response).select(".errorlist")
        article = Article.objects.get()
        assert article.slug == "液冷机房的账本"
        assert article.editor == staff
        assert set(article.tags.names()) == {"液冷", "数据中心"}
        assert article.status == Article.Status.DRAFT

    def test_an_existing_editor_is_kept(self, client, staff, other_user):
        article = ArticleFactory(editor=other_user)
        _submit(client, change_url(article), lead="新的导语")
        article.refresh_from_db()
        assert article.lead == "新的导语"
        assert article.editor == other_user

    def test_a_non_web_original_url_is_refused_with_a_clear_message(self, client, staff):
        response = _submit(
            client, ADD, **_new_article_fields(SourceFactory(), original_url="ftp://files.example/x")
        )
        assert response.status_code == 200
        errors = [e.text for e in soup(response).select(".field-original_url .errorlist li")]
        assert errors == ["Enter a web address starting with http:// or https://."]
        assert not Article.objects.exists()

    def test_publishing_without_summary_or_body_is_refused(self, client, staff):
        response = _submit(
            client,
            ADD,
            **_new_article_fields(SourceFactory(), status=Article.Status.PUBLISHED, summary="", body=""),
        )
        assert response.status_code == 200
        page = soup(response)
        assert [e.text for e in page.select(".field-summary .errorlist li")] == [
            "A published article needs a summary."
        ]
        assert [e.text for e in page.select(".field-body .errorlist li")] == [
            "A published article needs a body."
        ]

    def test_saving_a_reused_original_url_warns_with_a_link_but_saves(self, client, staff):
        first = ArticleFactory(
            title="先发的一篇", original_url="https://Silicon-Weekly.example/cooling/?utm_source=wx"
        )
        response = _submit(
            client,
            ADD,
            **_new_article_fields(SourceFactory(), original_url="https://silicon-weekly.example/cooling"),
        )
        assert response.status_code == 302
        assert Article.objects.count() == 2
        page = soup(client.get(response["Location"]))
        warning = page.select_one(".messagelist .warning")
        assert "already used by another article" in warning.text
        assert warning.find("a", href=change_url(first)).text == "先发的一篇"

    def test_no_warning_for_a_fresh_original_url(self, client, staff):
        ArticleFactory(original_url="https://silicon-weekly.example/other")
        response = _submit(client, ADD, **_new_article_fields(SourceFactory()))
        assert not [m for m in _messages(response) if "already used" in m]

    def test_the_change_form_links_to_the_preview_and_view_on_site(self, client, staff):
        draft = ArticleFactory(status=Article.Status.DRAFT)
        page = soup(client.get(change_url(draft)))
        preview = reverse("articles:preview", kwargs={"slug": draft.slug})
        assert page.find("a", href=preview, string="Preview")
        public = ArticleFactory()
        page = soup(client.get(change_url(public)))
        assert page.find("a", href=public.get_absolute_url(), string="View on site")
        page = soup(client.get(change_url(draft)))
        assert page.find("a", href=preview, string="View on site")  # a draft is seen through the preview


class TestRevisions:
    def test_every_admin_save_keeps_a_version(self, client, staff):
        article = ArticleFactory(title="第一版")
        _submit(client, change_url(article), title="第二版")
        _submit(client, change_url(article), title="第三版")
        versions = Version.objects.get_for_object(article)
        assert [v.field_dict["title"] for v in versions] == ["第三版", "第二版"]
        assert {v.revision.user for v in versions} == {staff}

    def test_history_lists_versions_with_compare_and_restore_links(self, client, staff):
        article = ArticleFactory(title="第一版")
        _submit(client, change_url(article), title="第二版")
        _submit(client, change_url(article), title="第三版", body="改过的正文\n第二行")
        older = Version.objects.get_for_object(article).last()
        page = soup(client.get(reverse("admin:articles_article_history", args=[article.pk])))
        compare_url = reverse("admin:articles_article_compare", args=[article.pk, older.pk])
        assert page.find("a", href=compare_url)
        assert page.find("a", href=reverse("admin:articles_article_revision", args=[article.pk, older.pk]))

        compare = soup(client.get(compare_url))
        rows = {row.th.text.strip(): row for row in compare.select(".version-compare tbody tr")}
        assert set(rows) == {"Title", "Body"}
        assert [td.text for td in rows["Title"].find_all("td")] == ["第二版", "第三版"]
        assert "+ 改过的正文" in rows["Body"].text

    def test_an_old_version_can_be_restored(self, client, staff):
        article = ArticleFactory(title="第一版")
        _submit(client, change_url(article), title="第二版", lead="第二版的导语")
        _submit(client, change_url(article), title="第三版", lead="第三版的导语")
        second = Version.objects.get_for_object(article).last()
        revision_url = reverse("admin:articles_article_revision", args=[article.pk, second.pk])
        response = client.get(revision_url)
        assert soup(response).find("input", attrs={"name": "title"})["value"] == "第二版"
        article.refresh_from_db()
        assert article.title == "第三版"  # viewing does not restore

        response = _submit(client, revision_url)
        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.lead) == ("第二版", "第二版的导语")

    def test_a_deleted_article_can_be_recovered(self, client, staff):
        article = ArticleFactory(title="会被删掉的文章")
        _submit(client, change_url(article), lead="保存一次以留下版本")
        pk = article.pk
        client.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
        assert not Article.objects.filter(pk=pk).exists()

        recover_list = soup(client.get(reverse("admin:articles_article_recoverlist")))
        row = next(row for row in recover_list.select("tbody tr") if "会被删掉的文章" in row.text)
        response = _submit(client, row.a["href"])
        assert response.status_code == 302
        assert Article.objects.get(pk=pk).lead == "保存一次以留下版本"

    def test_compare_needs_permission_and_an_existing_version(self, client, staff, user):
        article = ArticleFactory()
        assert (
            client.get(reverse("admin:articles_article_compare", args=[article.pk, 999])).status_code == 404
        )
        client.force_login(user)
        response = client.get(reverse("admin:articles_article_compare", args=[article.pk, 999]))
        assert response.status_code == 302  # to the admin login


class TestSourceAdmin:
    def test_sources_are_searchable_with_article_counts(self, client, staff):
        source = SourceFactory(name="数字前哨")
        ArticleFactory.create_batch(2, source=source)
        response = client.get("/admin/articles/source/", {"q": "前哨"})
        row = soup(response).select_one("#result_list tbody tr")
        assert "数字前哨" in row.text
        assert row.select_one(".field-article_count").text == "2"
