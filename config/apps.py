from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project package as an app, for site-wide operations commands (backups)."""

    name = "config"
    label = "site"
    verbose_name = "Qingtan"
