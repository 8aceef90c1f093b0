from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from articles import caching
        from articles.search import index

        index.connect(self)
        caching.connect()

        from django.db.models.signals import pre_save
        from taggit.models import Tag

        from articles.models import fill_empty_tag_slug

        pre_save.connect(fill_empty_tag_slug, sender=Tag, dispatch_uid="articles-empty-tag-slug")
