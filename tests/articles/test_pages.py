import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.conftest import parse_xml, soup
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_home_lists_public_articles_with_their_card_details(client):
    source = SourceFactory(name="硅基周刊")
    article = ArticleFactory(
        title="端侧推理的账本", lead="省下的是谁的钱", source=source, tags=["芯片", "AI"]
    )
    CommentFactory.create_batch(2, article=article)
    ArticleFactory(title="还在草稿里", status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    card = page.select_one(".article-card")
    assert card.h2.a["href"] == article.get_absolute_url()
    assert card.h2.text.strip() == "端侧推理的账本"
    assert "省下的是谁的钱" in card.text
    assert card.find("a", href=source.get_absolute_url()).text == "硅基周刊"
    assert sorted(a.text for a in card.select(".tag")) == ["AI", "芯片"]
    assert card.find("time")["datetime"] == timezone.localtime(article.publish_at).isoformat()
    assert "2 comments" in card.text
    assert "还在草稿里" not in response.content.decode()


def test_home_shows_the_newest_first_and_paginates(client):
    now = timezone.now()
    for n in range(25):
        ArticleFactory(title=f"Article {n:02d}", publish_at=now - datetime.timedelta(hours=n + 1))
    first = soup(client.get("/"))
    titles = [h2.text.strip() for h2 in first.select(".article-card h2")]
    assert titles[:2] == ["Article 00", "Article 01"] and len(titles) == 20
    assert first.find("a", rel="next")["href"] == "?page=2"
    second = soup(client.get("/?page=2"))
    assert [h2.text.strip() for h2 in second.select(".article-card h2")] == [
        f"Article {n}" for n in range(20, 25)
    ]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "3", "1.5", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_a_404(client, page):
    ArticleFactory()
    assert client.get("/", {"page": page}).status_code == 404


def test_an_empty_site_still_has_a_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles here yet." in response.content.decode()


def test_the_article_page_shows_attribution_summary_questions_body_tags_and_discussion(client):
    source = SourceFactory(name="The Compiler Review", homepage="https://compiler-review.example/")
    article = ArticleFactory(
        title="Open weights are not open source",
        lead="A licence survey.",
        source=source,
        original_title="What Open Means",
        original_author="Dana Whitfield",
        original_url="https://compiler-review.example/open",
        original_published_on=datetime.date(2025, 2, 7),
        reprint_notice="Reprinted with permission.",
        summary="Only **nine** of forty licences allow commercial use.",
        body="The body of the *original* text.",
        tags=["licensing"],
    )
    QuestionFactory(article=article, text="Should training data be public?")
    CommentFactory(article=article, body="Training data is the source code.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.text == "Open weights are not open source"
    attribution = page.select_one(".attribution")
    assert attribution.find("a", href="https://compiler-review.example/open").text == "What Open Means"
    assert "Dana Whitfield" in attribution.text
    assert attribution.find("a", href=source.get_absolute_url()).text == "The Compiler Review"
    assert attribution.find("a", href="https://compiler-review.example/")
    assert attribution.find("time")["datetime"] == "2025-02-07"
    assert "Reprinted with permission." in attribution.text
    assert "1 min read" in page.select_one(".article__header").text
    summary = page.select_one(".summary")
    assert summary.h2.text == "Summary"
    assert summary.strong.text == "nine"
    assert "Should training data be public?" in page.text
    assert page.select_one(".article__body em").text == "original"
    assert [a.text for a in page.select(".tags a")] == ["licensing"]
    assert "Training data is the source code." in page.select_one("#discussion").text
    # The order of the sections: summary, body, discussion.
    text = page.text
    assert text.index("Only nine") < text.index("The body of the") < text.index("Training data is the source")


def test_the_article_page_head_has_canonical_open_graph_twitter_and_json_ld(client):
    article = ArticleFactory(
        title="大模型的冬天", lead="一句导语", original_url="https://publication.example/winter", tags=["AI"]
    )
    page = soup(client.get(article.get_absolute_url()))
    canonical = f"http://testserver{article.get_absolute_url()}"
    assert page.find("link", rel="canonical")["href"] == canonical
    assert page.find("meta", property="og:title")["content"] == "大模型的冬天"
    assert page.find("meta", property="og:url")["content"] == canonical
    assert page.find("meta", property="og:type")["content"] == "article"
    assert page.find("meta", property="article:tag")["content"] == "AI"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    assert page.find("meta", attrs={"name": "twitter:description"})["content"] == "一句导语"
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "大模型的冬天"
    assert data["isBasedOn"] == "https://publication.example/winter"
    assert data["url"] == canonical
    assert data["keywords"] == ["AI"]


def test_the_json_ld_block_cannot_be_closed_by_the_content(client):
    title = "</script><script>alert(1)</script> & <!--"
    article = ArticleFactory(title=title, lead="</SCRIPT>")
    html = client.get(article.get_absolute_url()).content.decode()
    block = html.split('<script type="application/ld+json"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["headline"] == title


def test_related_articles_share_tags(client):
    article = ArticleFactory(tags=["芯片", "AI"])
    related = ArticleFactory(title="同样谈芯片", tags=["芯片"])
    ArticleFactory(title="毫不相关", tags=["城市"])
    page = soup(client.get(article.get_absolute_url()))
    assert [a.text for a in page.select(".related a")] == ["同样谈芯片"]
    assert page.select_one(".related a")["href"] == related.get_absolute_url()


def test_an_unknown_article_is_a_404(client):
    assert client.get("/articles/没有这篇/").status_code == 404


def test_tag_page_lists_the_tagged_public_articles(client):
    tagged = ArticleFactory(title="液冷机房", tags=["数据中心"])
    ArticleFactory(title="别的话题", tags=["城市"])
    ArticleFactory(title="草稿也有这个标签", tags=["数据中心"], status=Article.Status.DRAFT)
    response = client.get(reverse("articles:tag", kwargs={"slug": "数据中心"}))
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.text == "数据中心"
    assert [h2.text.strip() for h2 in page.select(".article-card h2")] == [tagged.title]
    assert page.find("link", type="application/rss+xml")["href"] == reverse(
        "articles:tag_feed", kwargs={"slug": "数据中心"}
    )


def test_an_unknown_tag_is_a_404(client):
    assert client.get("/tags/nothing/").status_code == 404
    assert client.get("/tags/nothing/feed/").status_code == 404


def test_source_page_lists_its_public_articles(client):
    source = SourceFactory(name="开源观察", description="关注开源社区。")
    mine = ArticleFactory(source=source)
    ArticleFactory()
    response = client.get(source.get_absolute_url())
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.text == "开源观察"
    assert "关注开源社区。" in page.text
    assert [a["href"] for a in page.select(".article-card h2 a")] == [mine.get_absolute_url()]
    assert client.get("/sources/no-such-source/").status_code == 404


def test_archive_month_lists_that_months_articles(client):
    march = ArticleFactory(
        title="三月的文章", publish_at=timezone.make_aware(datetime.datetime(2025, 3, 10, 12))
    )
    ArticleFactory(title="四月的文章", publish_at=timezone.make_aware(datetime.datetime(2025, 4, 2, 12)))
    response = client.get(reverse("articles:archive", kwargs={"year": 2025, "month": 3}))
    assert response.status_code == 200
    page = soup(response)
    assert [h2.text.strip() for h2 in page.select(".article-card h2")] == [march.title]
    months = [a.text for a in page.select(".archive-months a")]
    assert months == ["2025-04", "2025-03"]


@pytest.mark.parametrize(
    "path", ["/archive/2025/13/", "/archive/2025/0/", "/archive/0/1/", "/archive/99999/1/"]
)
def test_an_impossible_month_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_rss_feed_lists_public_articles(client):
    public = ArticleFactory(title="公开的文章", summary="摘要 <b>粗体</b>", tags=["AI"])
    ArticleFactory(title="草稿", status=Article.Status.DRAFT)
    ArticleFactory(title="已归档", status=Article.Status.ARCHIVED)
    response = client.get(reverse("articles:feed_rss"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["公开的文章"]
    assert items[0].findtext("link") == f"http://testserver{public.get_absolute_url()}"
    assert items[0].findtext("category") == "AI"
    # Raw HTML in the summary was escaped on save; the feed carries the sanitized HTML.
    assert "<b>" not in items[0].findtext("description")


def test_atom_feed_lists_public_articles(client):
    ArticleFactory(title="Atom 里的文章")
    response = client.get(reverse("articles:feed_atom"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = parse_xml(response).findall("atom:entry", ns)
    assert [entry.findtext("atom:title", namespaces=ns) for entry in entries] == ["Atom 里的文章"]


def test_tag_feed_lists_only_that_tag(client):
    ArticleFactory(title="芯片一", tags=["芯片"])
    ArticleFactory(title="城市一", tags=["城市"])
    response = client.get(reverse("articles:tag_feed", kwargs={"slug": "芯片"}))
    assert response.status_code == 200
    items = parse_xml(response).find("channel").findall("item")
    assert [item.findtext("title") for item in items] == ["芯片一"]


def test_sitemap_lists_public_articles_sources_and_tags_only(client):
    public = ArticleFactory(tags=["芯片"])
    draft = ArticleFactory(status=Article.Status.DRAFT)
    archived = ArticleFactory(status=Article.Status.ARCHIVED)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in parse_xml(response).findall("s:url/s:loc", ns)]
    assert "http://testserver/" in locations
    assert f"http://testserver{public.get_absolute_url()}" in locations
    assert f"http://testserver{public.source.get_absolute_url()}" in locations
    assert f"http://testserver{reverse('articles:tag', kwargs={'slug': '芯片'})}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{archived.get_absolute_url()}" not in locations
    assert f"http://testserver{draft.source.get_absolute_url()}" not in locations


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize("name", ["articles:home", "articles:feed_rss", "articles:feed_atom"])
def test_pages_answer_head_and_refuse_post(client, name):
    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _articles(count, tags):
    source = SourceFactory()
    articles = [ArticleFactory(source=source if n % 2 else SourceFactory(), tags=tags) for n in range(count)]
    for article in articles[:5]:
        CommentFactory(article=article)
        QuestionFactory(article=article)
    return articles


@pytest.mark.parametrize("url", ["/", "/tags/芯片/", "/feeds/rss/", "/sitemap.xml"])
def test_list_pages_make_as_many_queries_for_30_articles_as_for_3(client, django_assert_max_num_queries, url):
    _articles(3, ["芯片", "AI"])
    few = _queries(client, url)
    _articles(27, ["芯片", "城市"])
    with django_assert_max_num_queries(8):
        many = _queries(client, url)
    assert many == few


def test_the_article_page_makes_as_many_queries_with_30_related_articles_as_with_3(
    client, django_assert_max_num_queries
):
    article = ArticleFactory(tags=["芯片", "AI"])
    QuestionFactory.create_batch(3, article=article)
    CommentFactory.create_batch(4, article=article)
    _articles(3, ["芯片"])
    few = _queries(client, article.get_absolute_url())
    _articles(27, ["AI"])
    cache.clear()  # as cold as the first request: the thread's counts are remembered (discussions.threads)
    with django_assert_max_num_queries(12):
        many = _queries(client, article.get_absolute_url())
    assert many == few
