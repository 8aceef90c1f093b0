from django.urls import path
from django.views.decorators.http import require_safe

from articles import caching, feeds, views

app_name = "articles"


def _feed(feed):
    return caching.anonymous_page([caching.ARTICLES])(require_safe(feed))


# Slugs are Unicode (Chinese titles keep their characters), hence str rather than slug.
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.detail, name="detail"),
    path("articles/<str:slug>/preview/", views.preview, name="preview"),
    path("tags/<str:slug>/", views.tag, name="tag"),
    path("tags/<str:slug>/feed/", _feed(feeds.TagFeed()), name="tag_feed"),
    path("sources/<str:slug>/", views.source, name="source"),
    path("archive/<int:year>/<int:month>/", views.archive, name="archive"),
    path("search/", views.search, name="search"),
    path("feeds/rss/", _feed(feeds.LatestArticlesFeed()), name="feed_rss"),
    path("feeds/atom/", _feed(feeds.LatestArticlesAtomFeed()), name="feed_atom"),
]
