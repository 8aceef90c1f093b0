"""The discussion parts of the admin: an article's questions and thread state edited with the
article, a comment-count column, the comment list with the moderation actions, the watched words,
and read-only views of the moderation log and the suspensions.

Thread state changes made here go through `moderation` like those made on the article page, so
each one is in the moderation log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from articles.admin import ArticleAdmin as BaseArticleAdmin
from articles.models import Article
from discussions import moderation
from discussions.models import Comment, Flag, ModerationAction, Question, Suspension, Thread, WatchedWord

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


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", _("Open reports")), ("any", _("Ever reported")), ("no", _("Never reported"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.reported()
        if self.value() == "any":
            return queryset.filter(Exists(Flag.objects.filter(comment=OuterRef("pk"))))
        if self.value() == "no":
            return queryset.exclude(Exists(Flag.objects.filter(comment=OuterRef("pk"))))
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """The authors most often moderated or reported (a list of every author would not fit), plus
    the one chosen; the author column links here for any author."""

    title = _("author")
    parameter_name = "author"
    SHOWN = 15

    def lookups(self, request, model_admin):
        troubled = (
            Comment.objects.filter(
                Q(status__in=Comment.MODERATED) | Q(flags__isnull=False), author__isnull=False
            )
            .values("author")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n")
            .values_list("author", flat=True)[: self.SHOWN]
        )
        ids = list(troubled)
        chosen = self._chosen_id()
        if chosen and chosen not in ids:
            ids.append(chosen)
        users = {user.pk: user for user in User.objects.filter(pk__in=ids)}
        return [(str(pk), users[pk].public_name) for pk in ids if pk in users]

    def _chosen_id(self):
        try:
            return int(self.value())
        except (TypeError, ValueError):
            return None

    def queryset(self, request, queryset):
        chosen = self._chosen_id()
        if self.value() is not None:
            return queryset.filter(author_id=chosen) if chosen else queryset.none()
        return queryset


class _ReadOnlyInline(admin.TabularInline):
    """Rows shown under a comment that only the moderation transitions write."""

    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModerationActionInline(_ReadOnlyInline):
    """The comment's moderation log, read-only: entries are written by the transitions only."""

    model = ModerationAction
    fk_name = "comment"
    fields = [
        "created_at",
        "kind",
        "actor",
        "actor_role",
        "previous_status_label",
        "new_status_label",
        "reason",
    ]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    verbose_name_plural = _("Moderation log")

    @admin.display(description=_("previous status"))
    def previous_status_label(self, obj):
        return obj.get_previous_status_display()

    @admin.display(description=_("new status"))
    def new_status_label(self, obj):
        return obj.get_new_status_display()


class FlagInline(_ReadOnlyInline):
    model = Flag
    fields = ["created_at", "user", "reason", "text", "resolved_at"]
    readonly_fields = fields
    ordering = ["created_at"]
    verbose_name_plural = _("Reports")


# Actions that want a reason ask for it on a page between the list and the change.
REASON_ACTIONS = {"hide", "remove", "spam"}


def _moderation_admin_action(name, description):
    def action(modeladmin, request, queryset):
        return modeladmin.moderate_selected(request, queryset, name)

    action.__name__ = f"{name}_comments"
    return admin.action(description=description, permissions=["moderate"])(action)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments as readers posted them. Status changes are moderation actions, never edits: the
    actions call `moderation`, which checks the permission and writes the log entry."""

    list_display = [
        "excerpt",
        "article",
        "author_link",
        "status",
        "report_count",
        "is_deleted",
        "score",
        "created_at",
    ]
    list_filter = [
        "status",
        ReportedFilter,
        AuthorFilter,
        "is_deleted",
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
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
    inlines = [ModerationActionInline, FlagInline]
    actions = [
        _moderation_admin_action("approve", _("Approve the selected comments")),
        _moderation_admin_action("hide", _("Hide the selected comments")),
        _moderation_admin_action("remove", _("Remove the selected comments (with a reason)")),
        _moderation_admin_action("spam", _("Mark the selected comments as spam")),
        _moderation_admin_action("restore", _("Restore the selected comments")),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_report_count()

    def has_moderate_permission(self, request):
        return bool(moderation.can_moderate(request.user))

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("author"), ordering="author__username")
    def author_link(self, obj):
        if obj.author is None:
            return _("deleted user")
        return format_html('<a href="?author={}">{}</a>', obj.author_id, obj.author.public_name)

    @admin.display(description=_("open reports"), ordering="report_count")
    def report_count(self, obj):
        return obj.report_count

    @admin.display(description=_("comment"))
    def rendered_body(self, obj):
        # body_html is sanitized (nh3) when the comment is saved.
        return format_html('<div class="comment-body">{}</div>', mark_safe(obj.body_html))  # noqa: S308

    def has_add_permission(self, request):
        return False

    def view_on_site(self, obj):
        return reverse("discussions:comment", kwargs={"pk": obj.pk})

    def moderate_selected(self, request, queryset, name):
        spec = moderation.COMMENT_ACTIONS[name]
        if name in REASON_ACTIONS and "apply" not in request.POST:
            return TemplateResponse(
                request,
                "discussions/admin/moderate_comments.html",
                {
                    **self.admin_site.each_context(request),
                    "title": spec.label,
                    "opts": self.model._meta,
                    "comments": queryset.select_related("article", "author"),
                    "action_name": f"{name}_comments",
                    "action": spec,
                    "reason_required": spec.reason_required,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "select_across": request.POST.get("select_across", "0"),
                },
            )
        try:
            # A form field, so a NUL character is refused here rather than by PostgreSQL (a 500).
            reason = forms.CharField(required=False).clean(request.POST.get("reason", ""))[:500]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        try:
            outcome = moderation.moderate_comments(
                list(queryset.select_related("article", "author")),
                name,
                by=request.user,
                reason=reason,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except (BadRequest, PermissionDenied) as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        if outcome.done:
            self.message_user(
                request,
                ngettext(
                    "%(action)s: %(count)d comment.",
                    "%(action)s: %(count)d comments.",
                    len(outcome.done),
                )
                % {"action": spec.label, "count": len(outcome.done)},
                messages.SUCCESS,
            )
        for comment, why in outcome.refused:
            self.message_user(request, f"{Truncator(comment.body).chars(40)}: {why}", messages.WARNING)
        return None


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ["word", "action"]
    list_filter = ["action"]
    search_fields = ["word"]
    ordering = ["word"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(_ReadOnlyAdmin):
    """The audit log; the moderation log page (/moderation/log/) shows the same with filters."""

    list_display = [
        "created_at",
        "kind",
        "actor",
        "actor_role",
        "article",
        "comment",
        "target_user",
        "reason",
    ]
    list_filter = ["kind", "actor_role"]
    list_select_related = ["actor", "article", "comment", "target_user"]
    search_fields = ["reason", "actor__username", "target_user__username", "article__title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["actor", "comment", "article", "target_user"]


@admin.register(Suspension)
class SuspensionAdmin(_ReadOnlyAdmin):
    """Suspensions are made and lifted from the moderation queue, which logs them; lifting from
    here goes through the same function."""

    list_display = ["user", "until", "reason", "created_by", "created_at", "lifted_at", "lifted_by"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "created_by", "lifted_by"]
    search_fields = ["user__username", "user__display_name", "reason"]
    actions = ["lift_selected"]

    def has_suspend_permission(self, request):
        return bool(moderation.can_suspend(request.user))

    @admin.action(description=_("Lift the selected suspensions"), permissions=["suspend"])
    def lift_selected(self, request, queryset):
        lifted = 0
        for suspension in queryset:
            try:
                moderation.lift_suspension(suspension, by=request.user)
            except BadRequest as error:
                self.message_user(request, f"{suspension}: {error}", messages.WARNING)
            else:
                lifted += 1
        if lifted:
            self.message_user(
                request,
                ngettext("%(count)d suspension lifted.", "%(count)d suspensions lifted.", lifted)
                % {"count": lifted},
                messages.SUCCESS,
            )
