from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Source


class ArticleSitemap(Sitemap):
    """Public articles only: drafts, scheduled, taken-down and archived ones stay out."""

    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-publish_at", "-pk")

    def lastmod(self, item):
        return item.updated_at


class SourceSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        public = Article.objects.published()
        return (
            Source.objects.filter(articles__in=public)
            .annotate(latest=Max("articles__updated_at"))
            .order_by("name")
        )

    def lastmod(self, item):
        return item.latest


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return Tag.objects.filter(article__in=Article.objects.published()).distinct().order_by("name")

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"home": HomeSitemap, "articles": ArticleSitemap, "sources": SourceSitemap, "tags": TagSitemap}
