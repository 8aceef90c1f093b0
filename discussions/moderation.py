"""Who may do what in a discussion, and the state changes staff make.

Policy functions answer with a `Decision`: pages use it to hide a form and say why, and the
views refuse a direct request with the same reason (PermissionDenied: 403, BadRequest: 400).
Transitions take the acting user (never the request), check the same policy, change state and
write their `ModerationAction` in one transaction; views, the admin and management commands all
call them, so nothing else changes a comment's status, a question's pick or a thread's state.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from articles.models import Article
from discussions.models import Comment, ModerationAction, Question, Suspension, Thread

MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"


@dataclass(frozen=True)
class Decision:
    """Allowed when `reason` is empty. `status` is the HTTP status of a refused request: 403 for a
    rule that says no, 400 for a request that makes no sense (voting for your own comment)."""

    reason: str = ""
    status: int = 403

    def __bool__(self):
        return not self.reason

    def raise_if_refused(self):
        if self.reason:
            if self.status == 400:
                raise BadRequest(self.reason)
            raise PermissionDenied(self.reason)


ALLOWED = Decision()


def _refuse(reason, status=403):
    return Decision(str(reason), status)


# State every policy reads, cached on the objects for the length of a request ---------------------


def thread_of(article):
    """The article's `Thread`, or an unsaved open one when staff never touched it."""
    cached = getattr(article, "_discussion_thread", None)
    if cached is None:
        cached = Thread.objects.filter(article=article).first() or Thread(article=article)
        article._discussion_thread = cached
    return cached


def suspension_of(user):
    """The suspension in force for `user`, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_discussion_suspension"):
        user._discussion_suspension = Suspension.objects.in_force().filter(user=user).first()
    return user._discussion_suspension


def closes_automatically_at(article):
    days = settings.QINGTAN["CLOSE_COMMENTS_AFTER_DAYS"]
    if not days or article.publish_at is None:
        return None
    return article.publish_at + datetime.timedelta(days=days)


def is_closed_by_age(article):
    closes_at = closes_automatically_at(article)
    return closes_at is not None and timezone.now() >= closes_at


def closed_reason(article, *, thread=None):
    """Why nobody can comment on the article right now, or "" when comments are open."""
    thread = thread or thread_of(article)
    if article.status == Article.Status.ARCHIVED:
        return gettext("This article is archived; its discussion is closed.")
    if not article.is_public:
        return gettext("This article is not published, so it cannot be discussed yet.")
    if thread.is_locked:
        return gettext("Staff have locked this discussion. Nobody can comment, reply or vote.")
    if thread.is_closed:
        return gettext("Comments on this article are closed.")
    if is_closed_by_age(article):
        days = settings.QINGTAN["CLOSE_COMMENTS_AFTER_DAYS"]
        return ngettext(
            "Comments close %(days)d day after publication.",
            "Comments close %(days)d days after publication.",
            days,
        ) % {"days": days}
    return ""


def _suspended_reason(suspension):
    if suspension.until:
        return gettext("Your account is suspended until %(date)s.") % {
            "date": date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT")
        }
    return gettext("Your account is suspended.")


# Readers ----------------------------------------------------------------------------------------


def can_comment(user, article, *, question=None, thread=None):
    """May `user` start a new comment on `article` (answering `question`, if given)?"""
    if not user.is_authenticated:
        return _refuse(gettext("Sign in to comment."))
    reason = closed_reason(article, thread=thread)
    if reason:
        return _refuse(reason)
    suspension = suspension_of(user)
    if suspension:
        return _refuse(_suspended_reason(suspension))
    if question is not None:
        if question.article_id != article.pk:
            return _refuse(gettext("That question belongs to another article."), 400)
        if question.is_closed:
            return _refuse(gettext("This question is closed to new answers."))
    return ALLOWED


def can_reply(user, parent, *, thread=None):
    """Replies do not answer a question, so a closed question leaves its answers' replies open."""
    decision = can_comment(user, parent.article, thread=thread)
    if not decision:
        return decision
    if parent.status != Comment.Status.PUBLISHED or parent.is_deleted:
        return _refuse(gettext("This comment cannot be replied to."), 400)
    return ALLOWED


def edit_window():
    return datetime.timedelta(minutes=settings.QINGTAN["COMMENT_EDIT_WINDOW_MINUTES"])


def can_edit(user, comment, *, thread=None):
    if not user.is_authenticated or comment.author_id != user.pk:
        return _refuse(gettext("You can only edit your own comments."))
    if comment.is_deleted:
        return _refuse(gettext("This comment has been deleted."), 400)
    if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
        return _refuse(gettext("This comment has been moderated and can no longer be changed."))
    if timezone.now() > comment.created_at + edit_window():
        minutes = settings.QINGTAN["COMMENT_EDIT_WINDOW_MINUTES"]
        return _refuse(
            ngettext(
                "Comments can be edited for %(minutes)d minute after posting.",
                "Comments can be edited for %(minutes)d minutes after posting.",
                minutes,
            )
            % {"minutes": minutes}
        )
    if (thread or thread_of(comment.article)).is_locked:
        return _refuse(gettext("Staff have locked this discussion."))
    suspension = suspension_of(user)
    if suspension:
        return _refuse(_suspended_reason(suspension))
    return ALLOWED


def can_delete(user, comment):
    """Authors may always withdraw their words, also from a closed or locked thread."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return _refuse(gettext("You can only delete your own comments."))
    if comment.is_deleted:
        return _refuse(gettext("This comment has already been deleted."), 400)
    if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
        return _refuse(gettext("This comment has been moderated and can no longer be changed."))
    return ALLOWED


def can_vote(user, comment, *, thread=None):
    if not user.is_authenticated:
        return _refuse(gettext("Sign in to vote."))
    if comment.author_id == user.pk:
        return _refuse(gettext("You cannot vote for your own comment."), 400)
    if comment.status != Comment.Status.PUBLISHED or comment.is_deleted:
        return _refuse(gettext("This comment cannot be voted on."), 400)
    if (thread or thread_of(comment.article)).is_locked:
        return _refuse(gettext("Staff have locked this discussion."))
    suspension = suspension_of(user)
    if suspension:
        return _refuse(_suspended_reason(suspension))
    return ALLOWED


def can_report(user, comment):
    """Suspended readers may still report: a report only asks a moderator to look."""
    if not user.is_authenticated:
        return _refuse(gettext("Sign in to report a comment."))
    if comment.author_id == user.pk:
        return _refuse(gettext("You cannot report your own comment."), 400)
    if comment.status != Comment.Status.PUBLISHED or comment.is_deleted:
        return _refuse(gettext("This comment cannot be reported."), 400)
    return ALLOWED


@dataclass(frozen=True)
class Admission:
    status: str
    reason: str = ""


def initial_status_for(comment):
    """The status a new comment starts in, with the reason when it is not published.

    Every comment is published for now. Hold rules (a reader's first comments, many links,
    watched words) belong here; raising django.core.exceptions.ValidationError rejects the
    comment with a form error that keeps the reader's text.
    """
    return Admission(Comment.Status.PUBLISHED)


def comment_reported(flag):
    """Called in the transaction that saved a new report. Thresholds that hide a much-reported
    comment belong here."""


# Staff ------------------------------------------------------------------------------------------


def _has_staff_perm(user, perm):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff and user.has_perm(perm))


def can_curate(user):
    """Pin an editor's pick, close a question, move an answer to another question."""
    if _has_staff_perm(user, "discussions.curate_answers"):
        return ALLOWED
    return _refuse(gettext("Only editors and moderators can manage questions and their answers."))


def can_lock(user):
    if _has_staff_perm(user, "discussions.lock_thread"):
        return ALLOWED
    return _refuse(gettext("Only moderators can lock or unlock a discussion."))


def can_close(user):
    if _has_staff_perm(user, "discussions.close_thread"):
        return ALLOWED
    return _refuse(gettext("Only editors and moderators can close or reopen comments."))


def role_of(user):
    """A short label of the actor's role for the audit log."""
    if user is None:
        return "system"
    if user.is_superuser:
        return "administrator"
    groups = set(user.groups.values_list("name", flat=True))
    if MODERATORS_GROUP in groups:
        return "moderator"
    if EDITORS_GROUP in groups:
        return "editor"
    return "staff" if user.is_staff else "reader"


def record(kind, *, by, comment=None, article=None, target_user=None, reason="", details=None, **fields):
    """Write one audit log entry. Call it inside the transaction that made the change."""
    if comment is not None:
        article = article or comment.article
        if target_user is None:
            target_user = comment.author
    return ModerationAction.objects.create(
        kind=kind,
        actor=by,
        actor_role=role_of(by),
        comment=comment,
        article=article,
        target_user=target_user,
        reason=(reason or "")[:500],
        details=details or {},
        **fields,
    )


def _question_details(question):
    return {"id": question.pk, "text": question.text} if question else None


def pin_answer(comment, *, by, reason=""):
    """Make `comment` its question's editor's pick, replacing any previous pick."""
    can_curate(by).raise_if_refused()
    if comment.parent_id is not None or comment.question_id is None:
        raise BadRequest(gettext("Only an answer to a question can be its editor's pick."))
    if comment.status != Comment.Status.PUBLISHED or comment.is_deleted:
        raise BadRequest(gettext("Only a published comment can be an editor's pick."))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=comment.question_id)
        previous = question.pinned_answer_id
        if previous == comment.pk:
            raise BadRequest(gettext("This comment is already the editor's pick."))
        question.pinned_answer = comment
        question.save(update_fields=["pinned_answer"])
        record(
            ModerationAction.Kind.PIN,
            by=by,
            comment=comment,
            reason=reason,
            details={"question": _question_details(question), "replaced": previous},
        )
    return question


def unpin_answer(question, *, by, reason=""):
    can_curate(by).raise_if_refused()
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        pick = question.pinned_answer
        if pick is None:
            raise BadRequest(gettext("This question has no editor's pick."))
        question.pinned_answer = None
        question.save(update_fields=["pinned_answer"])
        record(
            ModerationAction.Kind.UNPIN,
            by=by,
            comment=pick,
            reason=reason,
            details={"question": _question_details(question)},
        )
    return question


def _set_question_closed(question, closed, *, by, reason):
    can_curate(by).raise_if_refused()
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("article").get(pk=question.pk)
        if question.is_closed == closed:
            raise BadRequest(
                gettext("This question is already closed.")
                if closed
                else gettext("This question is already open.")
            )
        question.is_closed = closed
        question.save(update_fields=["is_closed"])
        record(
            ModerationAction.Kind.CLOSE_QUESTION if closed else ModerationAction.Kind.REOPEN_QUESTION,
            by=by,
            article=question.article,
            reason=reason,
            details={"question": _question_details(question)},
        )
    return question


def close_question(question, *, by, reason=""):
    """Stop new answers to one question; its existing answers and their replies stay open."""
    return _set_question_closed(question, True, by=by, reason=reason)


def reopen_question(question, *, by, reason=""):
    return _set_question_closed(question, False, by=by, reason=reason)


def move_comment(comment, *, to_question, by, reason=""):
    """Move an answer posted under the wrong question (or under none) to `to_question` (None:
    no particular question). The editor's pick of the old question is unpinned if it moves."""
    can_curate(by).raise_if_refused()
    if comment.parent_id is not None:
        raise BadRequest(gettext("Only a top-level comment answers a question."))
    if to_question is not None and to_question.article_id != comment.article_id:
        raise BadRequest(gettext("That question belongs to another article."))
    if (to_question.pk if to_question else None) == comment.question_id:
        raise BadRequest(gettext("The comment already answers that question."))
    with transaction.atomic():
        old_question = comment.question
        unpinned = False
        if old_question is not None:
            unpinned = bool(
                Question.objects.filter(pk=old_question.pk, pinned_answer=comment).update(pinned_answer=None)
            )
        comment.question = to_question
        comment.save(update_fields=["question"])
        record(
            ModerationAction.Kind.MOVE,
            by=by,
            comment=comment,
            reason=reason,
            details={
                "from": _question_details(old_question),
                "to": _question_details(to_question),
                "unpinned": unpinned,
            },
        )
    return comment


def _locked_thread(article):
    thread, _ = Thread.objects.select_for_update().get_or_create(article=article)
    article._discussion_thread = thread
    return thread


def lock_thread(article, *, by, reason=""):
    """Freeze a discussion: no comments, replies, edits or votes until it is unlocked."""
    can_lock(by).raise_if_refused()
    with transaction.atomic():
        thread = _locked_thread(article)
        if thread.is_locked:
            raise BadRequest(gettext("This discussion is already locked."))
        thread.is_locked = True
        thread.locked_by = by
        thread.locked_at = timezone.now()
        thread.lock_reason = (reason or "")[:300]
        thread.save(update_fields=["is_locked", "locked_by", "locked_at", "lock_reason"])
        record(ModerationAction.Kind.LOCK, by=by, article=article, reason=reason)
    return thread


def unlock_thread(article, *, by, reason=""):
    can_lock(by).raise_if_refused()
    with transaction.atomic():
        thread = _locked_thread(article)
        if not thread.is_locked:
            raise BadRequest(gettext("This discussion is not locked."))
        thread.is_locked = False
        thread.locked_by = None
        thread.locked_at = None
        thread.lock_reason = ""
        thread.save(update_fields=["is_locked", "locked_by", "locked_at", "lock_reason"])
        record(ModerationAction.Kind.UNLOCK, by=by, article=article, reason=reason)
    return thread


def close_comments(article, *, by, reason=""):
    """Close an article to new comments and replies; votes and the existing thread stay."""
    can_close(by).raise_if_refused()
    with transaction.atomic():
        thread = _locked_thread(article)
        if thread.is_closed:
            raise BadRequest(gettext("Comments on this article are already closed."))
        thread.is_closed = True
        thread.save(update_fields=["is_closed"])
        record(ModerationAction.Kind.CLOSE, by=by, article=article, reason=reason)
    return thread


def reopen_comments(article, *, by, reason=""):
    can_close(by).raise_if_refused()
    with transaction.atomic():
        thread = _locked_thread(article)
        if not thread.is_closed:
            raise BadRequest(gettext("Comments on this article are not closed."))
        thread.is_closed = False
        thread.save(update_fields=["is_closed"])
        record(ModerationAction.Kind.REOPEN, by=by, article=article, reason=reason)
    return thread
