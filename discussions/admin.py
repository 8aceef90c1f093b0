"""The discussion parts of the admin: an article's questions and thread state edited with the
article, a comment-count column, and a basic comment list (the moderation queue builds on it).

Thread state changes made here go through `moderation` like those made on the article page, so
each one is in the moderation log."""

from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin import ArticleAdmin as BaseArticleAdmin
from articles.models import Article
from discussions import moderation
from discussions.models import Comment, Question, Thread

SUGGESTED_MAX_QUESTIONS = 4


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "text", "is_closed", "pinned_answer"]
    readonly_fields = ["is_closed", "pinned_answer"]  # changed on the article page, with a log entry
    ordering = ["position", "pk"]
    extra = 0
    verbose_name_plural = _("Questions to discuss (two to four is typical; none is fine)")


class ThreadInline(admin.StackedInline):
    model = Thread
    fields = ["is_closed", "is_locked", "lock_reason", "locked_by", "locked_at"]
    can_delete = False
    max_num = 1
    verbose_name_plural = _("Discussion")

    def get_readonly_fields(self, request, obj=None):
        readonly = ["locked_by", "locked_at"]
        if not moderation.can_lock(request.user):
            readonly += ["is_locked", "lock_reason"]
        if not moderation.can_close(request.user):
            readonly += ["is_closed"]
        return readonly


class ArticleAdmin(BaseArticleAdmin):
    inlines = [*BaseArticleAdmin.inlines, QuestionInline, ThreadInline]
    list_display = [*BaseArticleAdmin.list_display, "comment_count"]

    def get_queryset(self, request):
        # A correlated subquery rather than a JOIN + GROUP BY: the changelist's count and date
        # queries then leave it out, and it cannot multiply rows of other annotations.
        published = (
            Comment.objects.counted()
            .filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(comment_total=Coalesce(Subquery(published), 0))

    @admin.display(description=_("comments"), ordering="comment_total")
    def comment_count(self, obj):
        return obj.comment_total

    def save_formset(self, request, form, formset, change):
        if formset.model is Thread:
            self._apply_thread_changes(request, form.instance, formset)
            return
        super().save_formset(request, form, formset, change)
        if formset.model is Question:
            count = Question.objects.filter(article=form.instance).count()
            if count > SUGGESTED_MAX_QUESTIONS:
                messages.warning(
                    request,
                    ngettext(
                        "This article has %(count)d question; readers rarely answer more than four.",
                        "This article has %(count)d questions; readers rarely answer more than four.",
                        count,
                    )
                    % {"count": count},
                )

    def _apply_thread_changes(self, request, article, formset):
        """Close, reopen, lock or unlock through the moderation transitions (which log them)
        rather than saving the inline's row directly."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for thread_form in formset.forms:
            if not thread_form.has_changed():
                continue
            data = thread_form.cleaned_data
            current = moderation.thread_of(article)
            steps = []
            if "is_closed" in thread_form.changed_data and data["is_closed"] != current.is_closed:
                steps.append(moderation.close_comments if data["is_closed"] else moderation.reopen_comments)
            if "is_locked" in thread_form.changed_data and data["is_locked"] != current.is_locked:
                steps.append(moderation.lock_thread if data["is_locked"] else moderation.unlock_thread)
            for step in steps:
                try:
                    step(article, by=request.user, reason=data.get("lock_reason", ""))
                except (PermissionDenied, BadRequest) as error:
                    messages.error(request, str(error))
            if "lock_reason" in thread_form.changed_data and not steps:
                thread = moderation.thread_of(article)
                if thread.pk and thread.is_locked and moderation.can_lock(request.user):
                    Thread.objects.filter(pk=thread.pk).update(lock_reason=data["lock_reason"][:300])


admin.site.unregister(Article)
admin.site.register(Article, ArticleAdmin)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments as readers posted them. Status changes are moderation actions, never edits."""

    list_display = ["excerpt", "article", "author", "status", "is_deleted", "score", "created_at"]
    list_filter = ["status", "is_deleted", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "author"]
    search_fields = ["body", "author__username", "author__display_name", "author__email", "article__title"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    fields = [
        "article",
        "question",
        "parent",
        "author",
        "rendered_body",
        "status",
        "is_deleted",
        "score",
        "created_at",
        "edited_at",
        "moderated_by",
        "moderated_at",
        "moderation_reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("comment"))
    def rendered_body(self, obj):
        # body_html is sanitized (nh3) when the comment is saved.
        return format_html('<div class="comment-body">{}</div>', mark_safe(obj.body_html))  # noqa: S308

    def has_add_permission(self, request):
        return False

    def view_on_site(self, obj):
        return reverse("discussions:comment", kwargs={"pk": obj.pk})
