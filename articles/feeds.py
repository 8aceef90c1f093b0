from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext
from taggit.models import Tag

from articles.models import Article

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        return gettext("Qingtan: latest articles")

    def link(self):
        return reverse("articles:home")

    def description(self):
        return gettext(
            "Curated tech news with summaries, full attribution and a discussion under every article."
        )

    def items(self):
        return Article.objects.for_list().with_listed_tags()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The summary HTML was sanitized on save; the lead is plain text.
        lead = f"<p>{escape(item.lead)}</p>" if item.lead else ""
        return lead + item.summary_html

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.original_author or item.source.name

    def item_categories(self, item):
        return [tag.name for tag in item.listed_tags]  # with_listed_tags() lists them


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return gettext("Qingtan: articles tagged “%(tag)s”") % {"tag": obj.name}

    def link(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})

    def items(self, obj):
        return Article.objects.tagged(obj.slug).for_list().with_listed_tags()[:FEED_LENGTH]
