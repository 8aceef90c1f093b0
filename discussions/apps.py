from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self):
        import discussions.caching  # noqa: F401 - connects the page cache's receivers
        from articles.signals import article_imported
        from discussions import ratelimits  # noqa: F401 - registers the check of the rate settings
        from discussions.account_data import register_personal_data
        from discussions.importing import on_article_imported

        register_personal_data()
        article_imported.connect(
            on_article_imported, dispatch_uid="discussions.import_questions_and_comments"
        )
