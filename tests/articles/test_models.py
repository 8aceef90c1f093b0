import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Source, normalize_url
from tests.factories import ArticleFactory, SourceFactory, tagged_drafts

pytestmark = pytest.mark.django_db


def test_a_chinese_title_gives_a_chinese_slug():
    article = ArticleFactory(title="大模型 时代的编辑部")
    assert article.slug == "大模型-时代的编辑部"


def test_an_english_title_gives_a_lower_case_slug():
    article = ArticleFactory(title="Why Small Teams Go Back to the Monolith")
    assert article.slug == "why-small-teams-go-back-to-the-monolith"


def test_the_same_title_twice_gets_numbered_slugs():
    slugs = [ArticleFactory(title="芯片的冬天").slug for _ in range(3)]
    assert slugs == ["芯片的冬天", "芯片的冬天-2", "芯片的冬天-3"]


def test_a_title_of_punctuation_only_still_gets_a_slug():
    assert ArticleFactory(title="？！……").slug == "article"


def test_changing_the_title_keeps_the_slug():
    article = ArticleFactory(title="第一个标题")
    article.title = "第二个标题"
    article.save()
    article.refresh_from_db()
    assert article.slug == "第一个标题"


def test_an_editor_chosen_slug_is_kept():
    assert ArticleFactory(title="标题", slug="my-own-slug").slug == "my-own-slug"


def test_a_source_gets_a_unicode_slug():
    assert Source.objects.create(name="硅基 周刊").slug == "硅基-周刊"


def test_publishing_without_a_publish_time_publishes_now():
    before = timezone.now()
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=None)
    assert before <= article.publish_at <= timezone.now()


def test_a_draft_keeps_an_empty_publish_time():
    assert ArticleFactory(status=Article.Status.DRAFT, publish_at=None).publish_at is None


def test_a_published_article_needs_a_summary_and_a_body():
    article = ArticleFactory.build(
        source=SourceFactory(), status=Article.Status.PUBLISHED, summary=" ", body=""
    )
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert caught.value.message_dict["summary"] == ["A published article needs a summary."]
    assert caught.value.message_dict["body"] == ["A published article needs a body."]


def test_a_draft_may_lack_summary_and_body():
    article = ArticleFactory.build(source=SourceFactory(), status=Article.Status.DRAFT, summary="", body="")
    article.full_clean()


def test_the_original_url_must_be_http_or_https():
    article = ArticleFactory.build(source=SourceFactory(), original_url="ftp://files.example/a.txt")
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert caught.value.message_dict["original_url"] == [
        "Enter a web address starting with http:// or https://."
    ]


def test_the_takedown_must_come_after_publishing():
    now = timezone.now()
    article = ArticleFactory.build(
        source=SourceFactory(), publish_at=now, takedown_at=now - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert caught.value.message_dict["takedown_at"] == ["The takedown time must be after the publish time."]


def test_granted_permission_names_who_granted_it():
    article = ArticleFactory.build(source=SourceFactory(), permission_status=Article.Permission.GRANTED)
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "permission_granted_by" in caught.value.message_dict


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("HTTPS://Example.COM/a/b/", "https://example.com/a/b"),
        ("https://example.com/a?utm_source=x&id=3&utm_medium=y", "https://example.com/a?id=3"),
        ("https://example.com/a?b=2&a=1#section", "https://example.com/a?a=1&b=2"),
        ("", ""),
    ],
)
def test_normalize_url(url, normalized):
    assert normalize_url(url) == normalized


def test_articles_with_the_same_original_are_found_whatever_the_tracking_parameters():
    first = ArticleFactory(original_url="https://Example.com/story/?utm_source=feed")
    second = ArticleFactory(original_url="https://example.com/story")
    ArticleFactory(original_url="https://example.com/another-story")
    assert list(second.articles_with_same_original()) == [first]


def test_body_and_summary_are_rendered_once_on_save():
    article = ArticleFactory(summary="**要点**", body="## 小标题\n\n正文")
    assert article.summary_html == "<p><strong>要点</strong></p>\n"
    assert "<h2>小标题</h2>" in article.body_html


def test_reading_time_counts_chinese_characters_and_english_words():
    article = ArticleFactory(summary="", body="字" * 800 + " word" * 440)
    assert article.reading_minutes == 4  # 800 / 400 + 440 / 220


class TestStatusChanges:
    def test_publish_now_makes_a_draft_public_from_now(self):
        article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
        assert article.publish_now() is True
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert article.is_public

    def test_publish_now_brings_a_scheduled_article_forward(self):
        article = ArticleFactory(publish_at=timezone.now() + datetime.timedelta(days=2))
        assert not article.is_public
        article.publish_now()
        assert article.is_public

    def test_publish_now_leaves_a_public_article_alone(self):
        article = ArticleFactory()
        published_at = article.publish_at
        assert article.publish_now() is False
        assert article.publish_at == published_at

    def test_publish_now_refuses_an_article_without_summary(self):
        article = ArticleFactory(status=Article.Status.DRAFT, summary="")
        with pytest.raises(ValidationError):
            article.publish_now()
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

    def test_publish_now_refuses_an_article_past_its_takedown(self):
        article = ArticleFactory(
            status=Article.Status.DRAFT,
            publish_at=timezone.now() - datetime.timedelta(days=3),
            takedown_at=timezone.now() - datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError):
            article.publish_now()

    def test_archive_only_published_articles(self):
        with pytest.raises(ValidationError):
            ArticleFactory(status=Article.Status.DRAFT).archive()
        article = ArticleFactory()
        assert article.archive() is True
        assert article.is_readable and not article.is_public

    def test_unpublish_returns_to_draft(self):
        article = ArticleFactory()
        assert article.unpublish() is True
        assert article.status == Article.Status.DRAFT
        assert article.unpublish() is False

    def test_the_queryset_reports_changed_unchanged_and_refused(self):
        draft = ArticleFactory(status=Article.Status.DRAFT)
        public = ArticleFactory()
        empty = ArticleFactory(status=Article.Status.DRAFT, body="")
        outcome = Article.objects.filter(pk__in=[draft.pk, public.pk, empty.pk]).publish_now()
        assert outcome.changed == [draft]
        assert outcome.unchanged == [public]
        assert [article for article, _error in outcome.refused] == [empty]


class TestQuerysets:
    def test_published_and_readable(self):
        now = timezone.now()
        public = ArticleFactory()
        archived = ArticleFactory(status=Article.Status.ARCHIVED)
        ArticleFactory(status=Article.Status.DRAFT)
        ArticleFactory(status=Article.Status.IN_REVIEW)
        ArticleFactory(publish_at=now + datetime.timedelta(hours=1))
        ArticleFactory(
            takedown_at=now - datetime.timedelta(minutes=1), publish_at=now - datetime.timedelta(days=1)
        )
        ArticleFactory(status=Article.Status.ARCHIVED, takedown_at=now - datetime.timedelta(minutes=1))
        assert set(Article.objects.published()) == {public}
        assert set(Article.objects.readable()) == {public, archived}

    def test_for_list_is_newest_first_with_sources_and_tags_on_demand(self, django_assert_num_queries):
        now = timezone.now()
        older = ArticleFactory(publish_at=now - datetime.timedelta(days=2), tags=["芯片"])
        newer = ArticleFactory(publish_at=now - datetime.timedelta(days=1), tags=["芯片", "AI"])
        with django_assert_num_queries(1):
            assert [(a.pk, a.source.name) for a in Article.objects.for_list()] == [
                (newer.pk, newer.source.name),
                (older.pk, older.source.name),
            ]
        with django_assert_num_queries(2):
            articles = list(Article.objects.for_list().with_listed_tags())
            assert [(a.source.name, sorted(t.name for t in a.listed_tags)) for a in articles] == [
                (newer.source.name, ["AI", "芯片"]),
                (older.source.name, ["芯片"]),
            ]

    def test_related_to_ranks_by_shared_tags_and_skips_non_public(self):
        article = ArticleFactory(tags=["芯片", "AI", "能源"])
        two_shared = ArticleFactory(tags=["芯片", "AI"])
        one_shared = ArticleFactory(tags=["能源"])
        ArticleFactory(tags=["芯片", "AI", "能源"], status=Article.Status.DRAFT)
        ArticleFactory(tags=["其他"])
        article = Article.objects.prefetch_related("tags").get(pk=article.pk)
        assert list(Article.objects.related_to(article)) == [two_shared, one_shared]

    def test_related_to_an_untagged_article_is_empty(self, django_assert_num_queries):
        article = Article.objects.prefetch_related("tags").get(pk=ArticleFactory().pk)
        with django_assert_num_queries(0):
            assert list(Article.objects.related_to(article)) == []

    # On SQLite a tag on more than 20 x per_tag articles has its window found by walking the
    # newest articles, a rarer one from its taggings (PostgreSQL's planner chooses alone): each
    # test runs with both kinds.
    @pytest.mark.parametrize("tag_use", ["rare", "common"])
    def test_related_to_ranks_newest_first_among_equals_and_never_lists_a_non_public_article(self, tag_use):
        now = timezone.now()
        article = ArticleFactory(tags=["芯片", "AI"], publish_at=now - datetime.timedelta(days=30))
        older = ArticleFactory(tags=["芯片", "AI"], publish_at=now - datetime.timedelta(days=3))
        newer = ArticleFactory(tags=["芯片", "AI"], publish_at=now - datetime.timedelta(days=2))
        one_shared = ArticleFactory(tags=["AI"], publish_at=now - datetime.timedelta(days=1))
        # Newer than all of them, so each would take a window's place if it were counted.
        hidden = [
            ArticleFactory(status=Article.Status.DRAFT),
            ArticleFactory(status=Article.Status.IN_REVIEW),
            ArticleFactory(status=Article.Status.ARCHIVED),
            ArticleFactory(publish_at=now + datetime.timedelta(hours=1)),
            ArticleFactory(
                publish_at=now - datetime.timedelta(hours=2), takedown_at=now - datetime.timedelta(minutes=1)
            ),
        ]
        for other in hidden:
            other.tags.add("芯片", "AI")
        if tag_use == "common":
            tagged_drafts(60, ["芯片", "AI"])
        article = Article.objects.prefetch_related("tags").get(pk=article.pk)
        related = list(Article.objects.related_to(article, per_tag=3))
        assert related == [newer, older, one_shared]
        assert [other.shared_tags for other in related] == [2, 2, 1]

    @pytest.mark.parametrize("extra_drafts", [0, 60], ids=["rare tags", "common tags"])
    def test_related_to_looks_only_at_each_tags_most_recent_articles(self, extra_drafts):
        """The documented limit: an old article sharing all three tags is outside every tag's
        window of its 2 newest public articles, so articles sharing one tag are listed instead."""
        now = timezone.now()
        tags = ["芯片", "AI", "能源"]
        article = ArticleFactory(tags=tags)
        old = ArticleFactory(tags=tags, publish_at=now - datetime.timedelta(days=300))
        recent = {
            tag: [ArticleFactory(tags=[tag], publish_at=now - datetime.timedelta(days=d)) for d in (1, 2)]
            for tag in tags
        }
        tagged_drafts(extra_drafts, tags)
        article = Article.objects.prefetch_related("tags").get(pk=article.pk)
        newest_first = sorted(
            [other for pair in recent.values() for other in pair],
            key=lambda other: (other.publish_at, other.pk),
            reverse=True,
        )[:4]

        assert list(Article.objects.related_to(article, per_tag=2)) == newest_first
        # One more place in each window reaches it: it shares the most tags, so it comes first.
        assert list(Article.objects.related_to(article, per_tag=3)) == [old, *newest_first[:3]]

    def test_published_in_month_uses_the_site_time_zone(self, settings):
        settings.TIME_ZONE = "Asia/Shanghai"
        # 2025-03-31 20:00 UTC is already April 1st in Shanghai.
        april = ArticleFactory(publish_at=datetime.datetime(2025, 3, 31, 20, tzinfo=datetime.UTC))
        march = ArticleFactory(publish_at=datetime.datetime(2025, 3, 31, 10, tzinfo=datetime.UTC))
        assert list(Article.objects.published_in_month(2025, 4)) == [april]
        assert list(Article.objects.published_in_month(2025, 3)) == [march]
