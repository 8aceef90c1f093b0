"""The editors' workspace. ArticleAdmin is meant to be subclassed (the discussions app re-registers
Article with a subclass adding its inlines and columns), so everything is a class attribute or an
overridable method."""

import datetime
import difflib

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles.models import Article, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "homepage", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles")).order_by("name")

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, obj):
        return obj.article_total


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    list_display = ["title", "status", "source", "publish_at", "tag_list"]
    list_filter = ["status", "source", "tags", "publish_at", "permission_status"]
    list_select_related = ["source"]
    search_fields = ["title", "original_title"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source"]
    raw_id_fields = ["editor"]
    readonly_fields = ["reading_minutes", "created_at", "updated_at"]
    actions = ["publish_now", "unpublish", "archive"]
    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"
    compare_template = "admin/articles/article/compare.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "lead", "summary", "body", "tags", "cover_image"]}),
        (
            _("Attribution"),
            {
                "fields": [
                    "source",
                    "original_title",
                    "original_author",
                    "original_url",
                    "original_published_on",
                    "reprint_notice",
                ]
            },
        ),
        (
            _("Reprint permission"),
            {
                "fields": [
                    "permission_status",
                    "permission_granted_by",
                    "permission_granted_on",
                    "permission_evidence",
                ]
            },
        ),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "takedown_at",
                    "editor",
                    "reading_minutes",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    # Fields shown in the version comparison, in this order.
    compare_fields = [
        "title", "slug", "lead", "summary", "body", "source", "original_title", "original_author",
        "original_url", "original_published_on", "reprint_notice", "cover_image", "permission_status",
        "permission_granted_by", "permission_granted_on", "permission_evidence", "status", "publish_at",
        "takedown_at", "editor",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))

    def view_on_site(self, obj):
        if obj.is_readable:
            return obj.get_absolute_url()
        return reverse("articles:preview", kwargs={"slug": obj.slug})

    def save_model(self, request, obj, form, change):
        if obj.editor_id is None:
            obj.editor = request.user
        super().save_model(request, obj, form, change)
        self.warn_about_same_original(request, obj)

    def warn_about_same_original(self, request, obj):
        """Reposting the same original twice is allowed (a translation, a follow-up) but is
        usually a mistake, so the editor hears about it without being stopped."""
        others = list(obj.articles_with_same_original().order_by("-pk")[:5])
        if not others:
            return
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:articles_article_change", args=[quote(other.pk)]), other.title)
                for other in others
            ),
        )
        messages.warning(
            request,
            format_html(gettext("The original URL is already used by another article: {}."), links),
        )

    # Actions -------------------------------------------------------------------------------------

    def _report(self, request, outcome, *, done, already):
        if outcome.changed:
            self.message_user(request, done(len(outcome.changed)), messages.SUCCESS)
        if outcome.unchanged:
            self.message_user(request, already(len(outcome.unchanged)), messages.INFO)
        for article, error in outcome.refused:
            self.message_user(
                request,
                gettext("“%(title)s” was left unchanged: %(reason)s")
                % {"title": article.title, "reason": " ".join(error.messages)},
                messages.ERROR,
            )

    def _run_action(self, request, queryset, method, comment):
        with self.create_revision(request):
            reversion.set_comment(comment)
            return getattr(queryset, method)()

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        outcome = self._run_action(request, queryset, "publish_now", gettext("Published now."))
        self._report(
            request,
            outcome,
            done=lambda n: ngettext("%d article published.", "%d articles published.", n) % n,
            already=lambda n: (
                ngettext("%d article was already public.", "%d articles were already public.", n) % n
            ),
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        outcome = self._run_action(request, queryset, "unpublish", gettext("Unpublished."))
        self._report(
            request,
            outcome,
            done=lambda n: ngettext("%d article unpublished.", "%d articles unpublished.", n) % n,
            already=lambda n: (
                ngettext("%d article was not published.", "%d articles were not published.", n) % n
            ),
        )

    @admin.action(description=_("Archive"), permissions=["change"])
    def archive(self, request, queryset):
        outcome = self._run_action(request, queryset, "archive", gettext("Archived."))
        self._report(
            request,
            outcome,
            done=lambda n: ngettext("%d article archived.", "%d articles archived.", n) % n,
            already=lambda n: (
                ngettext("%d article was already archived.", "%d articles were already archived.", n) % n
            ),
        )

    # Version comparison ---------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        versions = self._reversion_order_version_queryset(
            request,
            Version.objects.get_for_object_reference(self.model, unquote(object_id)).select_related(
                "revision", "revision__user"
            ),
        )
        action_list = [
            {
                "revision": version.revision,
                "url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                    args=[quote(version.object_id), version.pk],
                ),
                "compare_url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
                    args=[quote(version.object_id), version.pk],
                ),
            }
            for version in versions
        ]
        return super().history_view(request, object_id, {"action_list": action_list, **(extra_context or {})})

    def compare_view(self, request, object_id, version_id):
        """The differences between a saved version and the article as it is now."""
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(obj).select_related("revision"), pk=version_id
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "version": version,
            "rows": self.version_differences(version.field_dict, obj),
            "revert_url": reverse(
                f"{self.admin_site.name}:articles_article_revision", args=[quote(obj.pk), version.pk]
            ),
            "title": gettext("Changes since %(date)s")
            % {"date": localize(template_localtime(version.revision.date_created))},
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.compare_template, context)

    def version_differences(self, old, obj):
        rows = []
        for name in self.compare_fields:
            field = self.model._meta.get_field(name)
            before = self._display(field, old.get(field.attname))
            after = self._display(field, getattr(obj, field.attname))
            if before == after:
                continue
            lines = None
            if "\n" in before or "\n" in after:
                lines = [
                    (line[0], line[2:])
                    for line in difflib.ndiff(before.splitlines(), after.splitlines())
                    if not line.startswith("?")
                ]
            rows.append({"label": field.verbose_name, "before": before, "after": after, "lines": lines})
        return rows

    def _display(self, field, value):
        if value is None or value == "":
            return ""
        if field.is_relation:
            return self._related_display(field, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, datetime.datetime):
            # The admin form keeps whole seconds; a difference in microseconds is no change.
            return localize(template_localtime(value.replace(microsecond=0)))
        return str(value)

    def _related_display(self, field, pk):
        related = field.related_model._default_manager.filter(pk=pk).first()
        return str(related) if related else f"#{pk}"
