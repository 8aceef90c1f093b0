import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.text import render_comment_markdown

DELETED_BODY = "[deleted]"


class QuestionQuerySet(models.QuerySet):
    def with_answer_count(self):
        """`answer_count`: published top-level comments answering the question."""
        return self.annotate(
            answer_count=Count(
                "answers",
                filter=Q(
                    answers__status=Comment.Status.PUBLISHED,
                    answers__parent__isnull=True,
                    answers__is_deleted=False,
                ),
            )
        )

    def for_article_page(self, article):
        # In order explicitly: Meta.ordering is not applied to a query that aggregates, and
        # PostgreSQL then returns the questions in any order (their numbers would change).
        return (
            self.filter(article=article)
            .with_answer_count()
            .select_related("pinned_answer__author")
            .order_by("position", "pk")
        )


class Question(models.Model):
    """One of the editor's discussion questions (怜星夜思) under an article."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_closed = models.BooleanField(_("closed to new answers"), default=False)
    pinned_answer = models.ForeignKey(
        "Comment",
        verbose_name=_("editor's pick"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        permissions = [
            ("curate_answers", _("Can pin answers, close questions and move answers between questions")),
        ]

    def __str__(self):
        return self.text

    @property
    def visible_pick(self):
        """The editor's pick when readers may see it (not hidden, removed or deleted since)."""
        pick = self.pinned_answer
        if pick is not None and pick.status == Comment.Status.PUBLISHED and not pick.is_deleted:
            return pick
        return None


class Thread(models.Model):
    """The discussion state of one article. An article without a row has an open thread."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="thread")
    is_closed = models.BooleanField(
        _("closed to new comments"),
        default=False,
        help_text=_("Editors close a thread when the discussion has run its course."),
    )
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Staff lock a thread that has got out of hand.")
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    lock_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        permissions = [
            ("lock_thread", _("Can lock and unlock threads")),
            ("close_thread", _("Can close and reopen comments on an article")),
        ]

    def __str__(self):
        return str(self.article)


# A comment on a thread page: attribute name -> what is read (not the Markdown source).
THREAD_PAGE_COLUMNS = {
    "pk": "pk",
    "question_id": "question_id",
    "parent_id": "parent_id",
    "depth": "depth",
    "author_id": "author_id",
    "author_username": "author__username",
    "author_display_name": "author__display_name",
    "body_html": "body_html",
    "is_deleted": "is_deleted",
    "status": "status",
    "created_at": "created_at",
    "edited_at": "edited_at",
    "score": "score",
    "moderation_reason": "moderation_reason",
}


class CommentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def counted(self):
        """What a comment count counts: published comments their authors have not deleted."""
        return self.published().filter(is_deleted=False)

    def visible_to(self, user):
        """Published comments, plus the reader's own comments awaiting moderation, hidden or
        removed (shown to their author with the moderator's reason). Spam shows to nobody."""
        if user is not None and user.is_authenticated:
            return self.filter(
                Q(status=Comment.Status.PUBLISHED) | Q(status__in=Comment.AUTHOR_SEES, author=user)
            )
        return self.published()

    def awaiting_moderation(self):
        return self.filter(status=Comment.Status.PENDING, is_deleted=False)

    def reported(self):
        """Comments with reports no moderator has decided on yet."""
        return self.filter(Exists(Flag.objects.open().filter(comment=OuterRef("pk"))))

    def recently_moderated(self):
        return self.filter(status__in=Comment.MODERATED).order_by("-moderated_at", "-pk")

    def with_report_count(self):
        """`report_count`: open reports, one per reader, so also the number of distinct reporters."""
        return self.annotate(report_count=_count_of(Flag.objects.open(), "comment"))

    def with_author_history(self):
        """`author_published`, `author_pending` and `author_moderated`: the author's comments by
        status, as correlated subqueries (a JOIN per count would multiply the rows)."""
        authored = Comment.objects.filter(is_deleted=False)
        return self.annotate(
            author_published=_count_of(authored.filter(status=Comment.Status.PUBLISHED), "author"),
            author_pending=_count_of(authored.filter(status=Comment.Status.PENDING), "author"),
            author_moderated=_count_of(authored.filter(status__in=Comment.MODERATED), "author"),
            author_suspended=Exists(Suspension.objects.in_force().filter(user=OuterRef("author"))),
        )

    def for_moderation_queue(self):
        """Each comment with its context (article, question, parent and their authors), the
        author's history and the open reports with their reasons: a fixed number of queries."""
        return (
            self.select_related("article", "author", "question", "parent__author", "moderated_by")
            .with_author_history()
            .with_report_count()
            .prefetch_related(
                Prefetch("flags", queryset=Flag.objects.open().order_by("created_at"), to_attr="open_flags"),
                Prefetch(
                    "moderation_actions",
                    queryset=ModerationAction.objects.filter(kind=ModerationAction.Kind.HOLD).order_by(
                        "-created_at", "-pk"
                    ),
                    to_attr="hold_actions",
                ),
            )
        )

    def top_level(self):
        # depth 0 is "no parent" (Comment.save() keeps them in step). Written as depth, not
        # parent IS NULL: SQLite's statistics say a parent value matches a handful of rows, so
        # "parent IS NULL" sent it down the parent index through every top-level comment of
        # the site instead of this article's few (bench/RESULTS.md, "Pages").
        return self.filter(depth=0)

    def for_thread_page(self):
        """The comments of a thread page as rows of THREAD_PAGE_COLUMNS: what their fragments
        show and the policy decides with, without a model instance per comment and per author
        (threads.ThreadComment). The question's number comes from the page's list of questions."""
        return self.values_list(*THREAD_PAGE_COLUMNS.values())


def _count_of(queryset, field):
    """A correlated COUNT of `queryset` rows whose `field` is the outer row's `field` (or pk)."""
    outer = "pk" if field == "comment" else field
    rows = queryset.filter(**{field: OuterRef(outer)}).order_by().values(field).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Awaiting moderation")
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Removed")
        SPAM = "spam", _("Spam")

    MODERATED = (Status.HIDDEN, Status.REMOVED, Status.SPAM)
    AUTHOR_SEES = (Status.PENDING, Status.HIDDEN, Status.REMOVED)

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("answers question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The top-level comment a reply is under (None for a top-level comment), kept by save() like
    # depth, so that the replies of a page of threads are read by their roots in one indexed query.
    root = models.ForeignKey(
        "self",
        verbose_name=_("thread"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False, blank=True)
    is_deleted = models.BooleanField(_("deleted by its author"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PUBLISHED, db_index=True
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    score = models.IntegerField(_("score"), default=0)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderation_reason = models.CharField(_("moderation reason"), max_length=500, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["article", "status", "-score"], name="comment_thread_top_idx"),
            models.Index(fields=["question", "status"], name="comment_question_idx"),
            models.Index(fields=["parent", "status"], name="comment_parent_idx"),
            models.Index(fields=["author", "status", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
        ]
        permissions = [
            ("moderate_comment", _("Can hide, remove and restore comments")),
        ]

    def __str__(self):
        return f"{self.author or _('deleted user')}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        max_depth = settings.QINGTAN["COMMENT_MAX_DEPTH"]
        if self.parent_id:
            # Deeper replies attach to the deepest allowed ancestor so threads stay readable.
            while self.parent.depth >= max_depth:
                self.parent = self.parent.parent
            self.depth = self.parent.depth + 1
            self.root_id = self.parent.root_id or self.parent_id
        else:
            self.depth = 0
            self.root_id = None
        # The hold rules may have rendered this very text to count its links (moderation.py).
        rendered = getattr(self, "_rendered_body", None)
        if rendered is not None and rendered[0] == self.body:
            self.body_html = rendered[1]
        else:
            self.body_html = render_comment_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def clean(self):
        errors = {}
        max_length = settings.QINGTAN["COMMENT_MAX_LENGTH"]
        if not (self.body or "").strip():
            errors["body"] = _("Write something first.")
        elif len(self.body) > max_length:
            errors["body"] = _("A comment can have at most %(max)d characters; this one has %(length)d.") % {
                "max": max_length,
                "length": len(self.body),
            }
        if self.question_id and self.question.article_id != self.article_id:
            errors["question"] = _("That question belongs to another article.")
        if self.parent_id and self.parent.article_id != self.article_id:
            errors["parent"] = _("That comment belongs to another article.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_visible(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_moderated(self):
        """Hidden, removed or marked as spam: out of the thread until a moderator restores it."""
        return self.status in self.MODERATED


class Vote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="one_vote_per_user_per_comment")
        ]

    def __str__(self):
        return f"{self.user} +1 {self.comment_id}"


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or harassing")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    text = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="one_flag_per_user_per_comment")
        ]
        indexes = [models.Index(fields=["resolved_at", "comment"], name="flag_open_idx")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.comment_id}"


class FollowQuerySet(models.QuerySet):
    def of_article(self, article):
        """Follows of `article` itself (its new top-level comments), not of a thread in it;
        `article` may be an OuterRef."""
        return self.filter(article=article, comment__isnull=True)


class Follow(models.Model):
    """A reader following an article (new top-level comments) or a thread (replies under a comment)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(comment__isnull=True),
                name="one_article_follow_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "comment"],
                condition=Q(comment__isnull=False),
                name="one_thread_follow_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} follows {self.comment_id or self.article_id}"


class SuspensionQuerySet(models.QuerySet):
    def in_force(self, *, at=None):
        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=at))


class Suspension(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="suspensions"
    )
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: indefinitely."))
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        permissions = [("suspend_user", _("Can suspend readers and lift suspensions"))]
        indexes = [models.Index(fields=["user", "lifted_at"], name="suspension_user_idx")]

    def __str__(self):
        return f"{self.user} ({self.until or 'indefinitely'})"


def normalize_for_matching(text):
    """Text as the word list compares it: NFKC (full-width Ｌａｔｉｎ and compatibility forms become
    plain letters), casefolded (Latin case and ß/ss), without invisible format characters (zero-width
    spaces someone slips between letters). Chinese needs nothing more: a word matches as a substring."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


class WatchedWord(models.Model):
    class Action(models.TextChoices):
        BLOCK = "block", _("Reject the comment")
        HOLD = "hold", _("Send the comment to the queue")

    word = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_(
            "Matched anywhere in a comment, also inside longer words (Chinese has no spaces between "
            "words), ignoring case and full-width letters."
        ),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action, default=Action.HOLD)

    class Meta:
        ordering = ["word"]
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")

    def __str__(self):
        return self.word

    def clean(self):
        self.word = (self.word or "").strip()
        normalized = normalize_for_matching(self.word)
        if not normalized.strip():
            raise ValidationError({"word": _("Enter a word or phrase.")})
        others = WatchedWord.objects.exclude(pk=self.pk).values_list("word", flat=True)
        if any(normalize_for_matching(other) == normalized for other in others):
            raise ValidationError({"word": _("This word is already on the list (ignoring case and width).")})

    @property
    def normalized(self):
        return normalize_for_matching(self.word)


class ModerationActionQuerySet(models.QuerySet):
    def public(self):
        """What the public log shows: decisions about comments and threads on articles the
        public can read. Suspensions name a person and stay internal."""
        return self.filter(kind__in=ModerationAction.PUBLIC_KINDS, article__in=Article.objects.readable())

    def for_log_page(self):
        return self.select_related("actor", "article", "comment", "target_user")

    def for_public_log(self):
        # Only what the page shows: never the comment (its text) nor the people involved.
        return self.select_related("article").only(
            "kind", "actor_role", "reason", "created_at", "comment_id", "article__title", "article__slug"
        )


class ModerationAction(models.Model):
    """The audit log: one row for every moderation decision, by a person or by the system."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HOLD = "hold", _("Held for moderation")
        HIDE = "hide", _("Hidden")
        REMOVE = "remove", _("Removed")
        SPAM = "spam", _("Marked as spam")
        RESTORE = "restore", _("Restored")
        MOVE = "move", _("Moved to another question")
        PIN = "pin", _("Pinned as editor's pick")
        UNPIN = "unpin", _("Unpinned")
        LOCK = "lock", _("Thread locked")
        UNLOCK = "unlock", _("Thread unlocked")
        CLOSE = "close", _("Comments closed")
        REOPEN = "reopen", _("Comments reopened")
        CLOSE_QUESTION = "close_question", _("Question closed")
        REOPEN_QUESTION = "reopen_question", _("Question reopened")
        SUSPEND = "suspend", _("User suspended")
        UNSUSPEND = "unsuspend", _("Suspension lifted")

    class Role(models.TextChoices):
        SYSTEM = "system", _("system")
        ADMINISTRATOR = "administrator", _("administrator")
        MODERATOR = "moderator", _("moderator")
        EDITOR = "editor", _("editor")
        STAFF = "staff", _("staff")
        READER = "reader", _("reader")

    PUBLIC_KINDS = (Kind.HIDE, Kind.REMOVE, Kind.SPAM, Kind.RESTORE, Kind.LOCK, Kind.UNLOCK)

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted on its own."),
    )
    actor_role = models.CharField(_("role"), max_length=40, choices=Role, blank=True)
    kind = models.CharField(_("action"), max_length=20, choices=Kind)
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation_actions"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    previous_status = models.CharField(_("previous status"), max_length=20, blank=True)
    new_status = models.CharField(_("new status"), max_length=20, blank=True)
    details = models.JSONField(
        _("details"),
        default=dict,
        blank=True,
        help_text=_("What changed, kept readable after the rows it names are gone (question texts)."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        indexes = [models.Index(fields=["kind", "-created_at"], name="moderation_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    # The statuses are stored as plain text, without choices; pages show their translated labels.
    def get_previous_status_display(self):
        return _comment_status_label(self.previous_status)

    def get_new_status_display(self):
        return _comment_status_label(self.new_status)


def _comment_status_label(value):
    try:
        return Comment.Status(value).label
    except ValueError:
        return value
