"""Search through /search/ and the index behind it, on whichever database the suite runs on
(CI runs it on SQLite and on PostgreSQL)."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from articles.models import Article, ArticleSearchEntry
from articles.search import MAX_QUERY_LENGTH, search_articles
from tests.articles.conftest import soup
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("articles:search")
NOW = timezone.now()


def make(title, body="", **fields):
    """A published article whose only searchable words are the ones the test gives it."""
    fields.setdefault("lead", "")
    fields.setdefault("summary", "编辑摘要。")
    fields.setdefault("original_title", "")
    fields.setdefault("source", SourceFactory(name="清谈测试源"))
    return ArticleFactory(title=title, body=body or "正文。", **fields)


def found(query, **filters):
    """Titles of the search results, best first, through the public page."""
    response = _get(query, **filters)
    assert response.status_code == 200
    return [link.get_text() for link in soup(response).select(".search-hit h2 a")]


def _get(query, client=None, **params):
    from django.test import Client

    return (client or Client()).get(URL, {"q": query, **params})


# Chinese -----------------------------------------------------------------------------------------


def test_one_character_chinese_query_finds_every_article_containing_it():
    make("博物馆的数字化", "馆藏正在上线。")
    make("一位博士的自述", "读博五年。")
    make("开源的一年", "维护者的日常。")

    assert sorted(found("博")) == ["一位博士的自述", "博物馆的数字化"]


def test_two_character_chinese_query_matches_the_word_not_its_characters_apart():
    make("一位博士的自述", "读博五年,终于毕业。")
    make("博客的复兴", "写作者回到个人站点。")
    make("访谈", "她在剑桥读完了博士学位。")

    assert sorted(found("博士")) == ["一位博士的自述", "访谈"]


def test_longer_chinese_query_matches_the_phrase_anywhere_in_the_text():
    make("语言模型的冬天", "规模定律的尽头。")
    make("训练的代价", "一个大型语言模型要训练几个月。")
    make("语言学家谈模型", "语言与模型并不相同:这篇文章里两个词从未相连。")

    assert sorted(found("语言模型")) == ["训练的代价", "语言模型的冬天"]


def test_phrase_found_as_an_independent_researcher_would_write_it():
    make("独立研究者的一年", "没有实验室,也没有经费。")
    make("研究者与独立", "独立的研究,研究者的独立。")

    assert found("独立研究者") == ["独立研究者的一年"]
    assert sorted(found("研究者")) == ["独立研究者的一年", "研究者与独立"]


def test_phrase_does_not_match_across_punctuation_or_markup():
    make("标点", "这是语言。模型在后面。")
    make("标记", "这是**语言**模型,加粗只是样式。")

    assert found("语言模型") == ["标记"]


def test_mixed_query_needs_every_term():
    make("GPT 与博士生", "一位博士用 GPT 写论文。")
    make("只有 GPT", "GPT 的新版本发布。")
    make("只有博士", "博士的日常。")

    assert found("GPT 博士") == ["GPT 与博士生"]
    assert found("博士 gpt") == ["GPT 与博士生"]


# English ------------------------------------------------------------------------------------------


def test_english_ignores_case():
    make("Transformers Explained", "Attention is what matters.")
    make("Gardening", "Nothing about machine learning here.")

    assert found("transformers") == ["Transformers Explained"]
    assert found("TRANSFORMERS") == ["Transformers Explained"]
    assert found("ATTENTION is") == ["Transformers Explained"]


def test_english_matches_word_stems_and_whole_words():
    make("Modelling the climate", "Researchers train models every day.")
    make("A model railway", "Trains, not training.")
    make("Remodel your kitchen", "Nothing to see.")

    assert sorted(found("model")) == ["A model railway", "Modelling the climate"]
    assert found("researcher") == ["Modelling the climate"]
    assert found("AI") == []


def test_full_width_letters_match_their_ascii_form():
    make("ＧＰＴ 的新闻", "全角字母。")

    assert found("gpt") == ["ＧＰＴ 的新闻"]


# Ranking -----------------------------------------------------------------------------------------


def test_title_match_ranks_above_summary_match_above_body_match():
    make("正文里才有", "这里提到了量子计算。", publish_at=NOW - timezone.timedelta(minutes=1))
    make("摘要里有", "无关。", summary="本文谈量子计算。", publish_at=NOW - timezone.timedelta(minutes=2))
    make("量子计算的未来", "无关。", publish_at=NOW - timezone.timedelta(days=30))

    assert found("量子计算") == ["量子计算的未来", "摘要里有", "正文里才有"]


def test_equal_matches_are_newest_first():
    make("旧闻:芯片", publish_at=NOW - timezone.timedelta(days=2))
    make("新闻:芯片", publish_at=NOW - timezone.timedelta(days=1))

    assert found("芯片") == ["新闻:芯片", "旧闻:芯片"]


# Visibility ----------------------------------------------------------------------------------------


def test_only_articles_public_now_are_found():
    make("已发布的芯片新闻")
    make("草稿芯片", status=Article.Status.DRAFT, publish_at=None)
    make("审核中芯片", status=Article.Status.IN_REVIEW, publish_at=None)
    make("定时芯片", publish_at=NOW + timezone.timedelta(days=1))
    make(
        "已撤下芯片",
        publish_at=NOW - timezone.timedelta(days=2),
        takedown_at=NOW - timezone.timedelta(days=1),
    )
    make("归档芯片", status=Article.Status.ARCHIVED)

    assert found("芯片") == ["已发布的芯片新闻"]


def test_scheduled_article_appears_when_its_time_comes_and_leaves_at_takedown(time_machine):
    time_machine.move_to(NOW, tick=False)
    make(
        "定时发布的芯片",
        publish_at=NOW + timezone.timedelta(hours=1),
        takedown_at=NOW + timezone.timedelta(hours=2),
    )
    assert found("芯片") == []

    time_machine.move_to(NOW + timezone.timedelta(minutes=90), tick=False)
    assert found("芯片") == ["定时发布的芯片"]

    time_machine.move_to(NOW + timezone.timedelta(hours=3), tick=False)
    assert found("芯片") == []


# The index follows the articles ---------------------------------------------------------------------


def test_edited_article_is_found_by_its_new_text_only():
    article = make("旧标题:芯片", "旧的正文。")

    article.title = "新标题:光刻机"
    article.body = "新的正文。"
    article.save()

    assert found("芯片") == []
    assert found("光刻机") == ["新标题:光刻机"]
    assert found("新的正文") == ["新标题:光刻机"]


def test_unpublished_article_leaves_the_index_and_comes_back_when_published():
    article = make("芯片的故事")

    article.unpublish()
    assert found("芯片") == []
    assert not ArticleSearchEntry.objects.filter(article=article).exists()

    article.publish_now()
    assert found("芯片") == ["芯片的故事"]


def test_deleted_article_leaves_the_index():
    article = make("芯片的故事")
    make("另一篇芯片")

    article.delete()

    assert found("芯片") == ["另一篇芯片"]
    assert ArticleSearchEntry.objects.count() == 1


def test_tags_are_searchable_and_follow_additions_removals_renames_and_deletions():
    article = make("一篇文章", "正文没有关键词。")

    article.tags.add("半导体")
    assert found("半导体") == ["一篇文章"]

    article.tags.remove("半导体")
    assert found("半导体") == []

    article.tags.add("光刻")
    tag = Tag.objects.get(name="光刻")
    tag.name = "极紫外光刻"
    tag.save()
    assert found("极紫外") == ["一篇文章"]

    tag.delete()
    assert found("光刻") == []


def test_source_name_is_searchable_and_follows_a_rename():
    source = SourceFactory(name="晨星科技")
    make("一篇文章", source=source)
    assert found("晨星") == ["一篇文章"]

    source.name = "暮光评论"
    source.save()

    assert found("晨星") == []
    assert found("暮光评论") == ["一篇文章"]


def test_rebuild_command_restores_a_lost_or_stale_index():
    article = make("芯片的故事")
    make("光刻机的故事")
    ArticleSearchEntry.objects.all().delete()
    Article.objects.filter(pk=article.pk).update(title="存储器的故事")  # bypasses the signals
    assert found("故事") == []

    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out, stderr=io.StringIO())

    assert "Indexed 2 articles" in out.getvalue()
    assert sorted(found("故事")) == ["光刻机的故事", "存储器的故事"]
    assert found("芯片") == []


def test_rebuild_in_small_batches_indexes_everything_once():
    for n in range(5):
        make(f"芯片第{n}篇")

    call_command("rebuild_search_index", batch_size=2, verbosity=0)

    assert ArticleSearchEntry.objects.count() == 5
    assert len(found("芯片")) == 5


# The page ----------------------------------------------------------------------------------------------


def test_empty_query_shows_the_tips_and_no_results(client):
    make("芯片的故事")

    for query in ["", "   ", "\x07\x1b"]:
        page = soup(client.get(URL, {"q": query}))
        assert page.select_one(".search-tips") is not None
        assert page.select(".search-hit") == []
    # A NUL anywhere in an address is refused site-wide (PostgreSQL cannot store or compare it).
    assert client.get(URL, {"q": "\x00"}).status_code == 400


def test_results_page_shows_the_query_source_date_and_a_highlighted_escaped_snippet(client):
    source = SourceFactory(name="晨星科技")
    article = make(
        "一篇文章",
        "开头。<script>alert(1)</script> 这位博士说 & 笑了。",
        source=source,
        publish_at=timezone.make_aware(timezone.datetime(2026, 3, 4, 12)),
    )

    response = client.get(URL, {"q": "博士"})
    page = soup(response)

    assert page.select_one("input[name=q]")["value"] == "博士"
    hit = page.select_one(".search-hit")
    assert hit.select_one("h2 a")["href"] == article.get_absolute_url()
    assert "晨星科技" in hit.select_one(".meta").get_text()
    assert "2026-03-04" in hit.select_one(".meta").get_text()
    snippet = hit.select_one(".search-hit__snippet")
    assert [mark.get_text() for mark in snippet.select("mark")] == ["博士"]
    assert snippet.select("script") == []
    assert "<script>" not in response.content.decode()
    assert "&" in snippet.get_text()


def test_title_is_highlighted_too(client):
    make("博士的自述")

    title = soup(client.get(URL, {"q": "博士"})).select_one(".search-hit h2 a")
    assert str(title.select_one("mark")) == "<mark>博士</mark>"


def test_english_snippet_marks_other_forms_of_the_word(client):
    make("Notes", "We trained several models; modelling took weeks.")

    marks = [mark.get_text() for mark in soup(client.get(URL, {"q": "model"})).select(".search-hit mark")]
    assert marks == ["models", "modelling"]


def test_filters_by_tag_and_source(client):
    morning, evening = SourceFactory(name="晨报"), SourceFactory(name="晚报")
    make("晨报芯片", source=morning, tags=["半导体"])
    make("晚报芯片", source=evening, tags=["半导体"])
    make("晚报芯片二", source=evening)
    tag = Tag.objects.get(name="半导体")

    assert sorted(found("芯片", tag=tag.slug)) == ["晚报芯片", "晨报芯片"]
    assert sorted(found("芯片", tag="半导体")) == ["晚报芯片", "晨报芯片"]
    assert sorted(found("芯片", source=evening.slug)) == ["晚报芯片", "晚报芯片二"]
    assert found("芯片", source=evening.slug, tag=tag.slug) == ["晚报芯片"]


def test_unknown_filters_are_form_errors_not_failures(client):
    make("芯片")

    for params in [{"tag": "不存在"}, {"source": "no-such-source"}, {"source": "x" * 5000}]:
        response = client.get(URL, {"q": "芯片", **params})
        assert response.status_code == 200
        page = soup(response)
        assert page.select(".errorlist")
        assert page.select(".search-hit") == []


def test_pagination_keeps_the_query_and_filters_and_rejects_bad_pages(client):
    source = SourceFactory(name="晨报")
    for n in range(23):
        make(f"芯片第{n:02d}篇", source=source, publish_at=NOW - timezone.timedelta(minutes=n + 1))

    first = soup(client.get(URL, {"q": "芯片", "source": source.slug}))
    assert len(first.select(".search-hit")) == 20
    next_link = first.select_one("a[rel=next]")["href"]
    assert parse_qs(urlsplit(next_link).query) == {"q": ["芯片"], "source": [source.slug], "page": ["2"]}

    second = soup(client.get(URL + next_link))
    assert [a.get_text() for a in second.select(".search-hit h2 a")] == [
        "芯片第20篇",
        "芯片第21篇",
        "芯片第22篇",
    ]
    assert second.select_one("input[name=q]")["value"] == "芯片"

    for page in ["3", "0", "-1", "abc", "9" * 30]:
        assert client.get(URL, {"q": "芯片", "page": page}).status_code == 404


def test_htmx_request_gets_only_the_results(client):
    make("芯片的故事")

    response = client.get(URL, {"q": "芯片"}, headers={"HX-Request": "true"})

    page = soup(response)
    assert page.select_one("html") is None and page.select_one("form") is None
    assert page.select_one("#search-results .search-hit") is not None


def test_query_count_does_not_grow_with_the_results(client, django_assert_max_num_queries):
    source = SourceFactory(name="晨报")
    for n in range(12):
        make(f"芯片第{n}篇", source=source, tags=["半导体", f"标签{n}"])
    tag = Tag.objects.get(name="半导体")

    # count, ranked ids, articles with source and entry, tags, the source list, the tag filter
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"q": "芯片 半导体", "tag": tag.slug, "source": source.slug})
    assert len(soup(response).select(".search-hit")) == 12


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "芯片*",
        "NEAR(",
        "NEAR(芯片 光刻, 2)",
        "(",
        ")",
        "芯片 AND OR NOT",
        "-芯片",
        "^芯片",
        "title:芯片",
        "'; DROP TABLE articles_article; --",
        "\\",
        "%_%",
        "芯片\x1b[31m\x07",
        "\u202e芯片\u200b",
        "😀👍🏽",
        "𠀀𪚥",
        "\ufdd0\uffff",
        "ℌ𝔢𝔩𝔩𝔬",
        "芯" * 5000,
        "a " * 3000,
    ],
)
def test_hostile_queries_never_fail(client, query):
    make("芯片的故事")

    response = client.get(URL, {"q": query})

    assert response.status_code == 200
    assert len(soup(response).select_one("input[name=q]").get("value", "")) <= MAX_QUERY_LENGTH


def test_operators_are_plain_words():
    make("Stars NEAR the galaxy", "Far AND away.")
    make("Galaxy", "Nothing else.")

    assert found("near galaxy") == ["Stars NEAR the galaxy"]
    assert found('"galaxy" AND') == ["Stars NEAR the galaxy"]


def test_control_characters_split_words_instead_of_joining_them():
    make("芯片的故事")

    assert found("芯\x07片") == ["芯片的故事"]  # two one-character terms, both present


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=200))
def test_any_text_is_a_valid_query(query):
    results = search_articles(query)
    assert results.count() >= 0
    assert isinstance(results[0:5], list)


def test_restoring_an_earlier_revision_restores_what_search_finds(editor):
    import reversion
    from reversion.models import Version

    with reversion.create_revision():
        article = make("芯片的故事")
    with reversion.create_revision():
        article.title = "光刻机的故事"
        article.save()
    assert found("芯片") == []

    Version.objects.get_for_object(article).last().revision.revert()

    assert found("芯片") == ["芯片的故事"]
    assert found("光刻机") == []
