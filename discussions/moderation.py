"""Who may do what in a discussion, and the state changes staff make.

Policy functions answer with a `Decision`: pages use it to hide a form and say why, and the
views refuse a direct request with the same reason (PermissionDenied: 403, BadRequest: 400).
Transitions take the acting user (never the request), check the same policy, change state and
write their `ModerationAction` in one transaction; views, the admin and management commands all
call them, so nothing else changes a comment's status, a question's pick or a thread's state.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles import caching as page_cache
from articles.models import Article
from articles.text import render_comment_markdown
from discussions import notifications
from discussions.models import (
    Comment,
    Flag,
    ModerationAction,
    Question,
    Suspension,
    Thread,
    WatchedWord,
    normalize_for_matching,
)

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
    """What a suspended reader is told wherever they would comment, vote or report."""
    if suspension.until:
        return gettext(
            "Your account is suspended until %(date)s, so you can read but not comment, vote or report."
            " Reason: %(reason)s"
        ) % {
            "date": date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT"),
            "reason": suspension.reason,
        }
    return gettext(
        "Your account is suspended until further notice, so you can read but not comment, vote or report."
        " Reason: %(reason)s"
    ) % {"reason": suspension.reason}


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
    if not user.is_authenticated:
        return _refuse(gettext("Sign in to report a comment."))
    if comment.author_id == user.pk:
        return _refuse(gettext("You cannot report your own comment."), 400)
    if comment.status != Comment.Status.PUBLISHED or comment.is_deleted:
        return _refuse(gettext("This comment cannot be reported."), 400)
    suspension = suspension_of(user)
    if suspension:
        return _refuse(_suspended_reason(suspension))
    return ALLOWED


# Rules that hold or reject a comment automatically ----------------------------------------------

_LINK = re.compile(r"https?://|www\.")


@dataclass(frozen=True)
class Admission:
    status: str
    reason: str = ""


def count_links(body, *, html=None):
    """Links in a comment: Markdown links and autolinks as rendered (`html`, when the caller has
    rendered `body` already), or bare addresses (also in full-width letters), whichever finds more."""
    bare = len(_LINK.findall(normalize_for_matching(body)))
    if html is None:
        html = render_comment_markdown(body)
    return max(bare, html.count("<a "))


def watched_words_in(body):
    """The watched words `body` contains, as (blocked, held) lists in the list's order.

    A word matches anywhere, also inside a longer word: Chinese has no spaces between words, so
    word boundaries would miss 广告 in 免费广告. Both sides are normalized first (see
    `normalize_for_matching`), so case and full-width letters do not matter."""
    text = normalize_for_matching(body)
    blocked, held = [], []
    for word, normalized, action in watched_words():
        if normalized and normalized in text:
            (blocked if action == WatchedWord.Action.BLOCK else held).append(word)
    return blocked, held


# The page-cache version (articles.caching) bumped whenever the watched-word list changes
# (discussions/caching.py), so every server process reads the new list at once.
WATCHED_WORDS_VERSION = "watched-words"


def watched_words():
    """The list as (word, normalized word, action) in its order, from the cache until it changes:
    every comment posted or edited checks it, and it changes rarely."""
    site, listed = page_cache.versions([WATCHED_WORDS_VERSION])
    key = f"discussions:watched-words:{site}-{listed}"
    words = cache.get(key)
    if words is None:
        # Versions first, then the rows: a change committed in between bumps the version again.
        words = [(word.word, word.normalized, word.action) for word in WatchedWord.objects.all()]
        cache.set(key, words, page_cache.KEEP_SECONDS)
    return words


def _content_hold_reasons(comment):
    """Why the text of `comment` should wait for a moderator; raises ValidationError for a
    blocked word (the reader gets the message and keeps the text)."""
    blocked, held = watched_words_in(comment.body)
    if blocked:
        raise ValidationError(
            ngettext(
                "Your comment contains a word that is not allowed here (%(words)s). Please rephrase it.",
                "Your comment contains words that are not allowed here (%(words)s). Please rephrase it.",
                len(blocked),
            )
            % {"words": ", ".join(blocked)}
        )
    reasons = []
    limit = settings.QINGTAN["HOLD_LINKS_OVER"]
    html = render_comment_markdown(comment.body)
    comment._rendered_body = (comment.body, html)  # Comment.save() stores it instead of rendering again
    links = count_links(comment.body, html=html)
    if links > limit:
        reasons.append(
            ngettext(
                "%(links)d links (more than %(limit)d)",
                "%(links)d links (more than %(limit)d)",
                links,
            )
            % {"links": links, "limit": limit}
        )
    if held:
        reasons.append(
            ngettext("Watched word: %(words)s", "Watched words: %(words)s", len(held))
            % {"words": ", ".join(held)}
        )
    return reasons


def _is_new_author(author):
    wanted = settings.QINGTAN["HOLD_FIRST_COMMENTS"]
    if not wanted or author.is_staff:
        return False
    # Counted no further than `wanted`: a prolific reader's history (18,000 comments in the load
    # data) would otherwise be counted on every comment they post. The comment POST reads the
    # count with its article (participation.article_to_post_on), for that one comment.
    published = getattr(author, "_discussion_published_count", None)
    if published is None:
        published = Comment.objects.published().filter(author=author)[:wanted].count()
    return published < wanted


def _exempt(author):
    """Moderators would approve their own comments anyway."""
    return author is not None and bool(can_moderate(author))


def initial_status_for(comment):
    """The status a new comment starts in, with the reason when it is not published.

    Rules, in the order the reason lists them: a new account's first HOLD_FIRST_COMMENTS
    published comments wait (staff excepted); more than HOLD_LINKS_OVER links wait; a HOLD word
    waits; a BLOCK word rejects the comment (ValidationError: a form error that keeps the text).
    Moderators are exempt from all of them.
    """
    if _exempt(comment.author):
        return Admission(Comment.Status.PUBLISHED)
    reasons = _content_hold_reasons(comment)
    first = settings.QINGTAN["HOLD_FIRST_COMMENTS"]
    if _is_new_author(comment.author):
        reasons.insert(
            0,
            ngettext(
                "The first published comment of a new account",
                "One of the first %(count)d published comments of a new account",
                first,
            )
            % {"count": first},
        )
    if reasons:
        return Admission(Comment.Status.PENDING, "; ".join(reasons))
    return Admission(Comment.Status.PUBLISHED)


def status_after_edit(comment):
    """The rules about the text, run again on an edit: a published comment edited to add links
    or a watched word goes back to the queue; a blocked word is refused like on posting. The
    new-account rule is not run again: the comment was judged when it was posted."""
    if _exempt(comment.author):
        return Admission(comment.status)
    reasons = _content_hold_reasons(comment)
    if reasons:
        return Admission(Comment.Status.PENDING, "; ".join(reasons))
    return Admission(comment.status)


def comment_reported(flag):
    """Called in the transaction that saved a new report: when HIDE_AFTER_REPORTS readers have
    reported a published comment (reports no moderator has decided on), the system hides it
    until a moderator approves it or decides otherwise."""
    threshold = settings.QINGTAN["HIDE_AFTER_REPORTS"]
    if not threshold:
        return
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article", "author")
        .get(pk=flag.comment_id)
    )
    if comment.status != Comment.Status.PUBLISHED:
        return
    reports = Flag.objects.open().filter(comment=comment).count()
    if reports >= threshold:
        reason = ngettext(
            "Hidden automatically after %(count)d report, until a moderator decides",
            "Hidden automatically after reports from %(count)d readers, until a moderator decides",
            reports,
        ) % {"count": reports}
        _apply(comment, ModerationAction.Kind.HIDE, Comment.Status.HIDDEN, by=None, reason=reason)


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


def can_moderate(user):
    """Approve, hide, remove, mark as spam and restore comments; see the moderation queue.
    Moderators and superusers; an editor only when also in the Moderators group."""
    if _has_staff_perm(user, "discussions.moderate_comment"):
        return ALLOWED
    return _refuse(gettext("Only moderators can moderate comments."))


def can_suspend(user):
    if _has_staff_perm(user, "discussions.suspend_user"):
        return ALLOWED
    return _refuse(gettext("Only moderators can suspend readers or lift a suspension."))


def can_view_log(user):
    if _has_staff_perm(user, "discussions.view_moderationaction"):
        return ALLOWED
    return _refuse(gettext("Only moderators can read the moderation log."))


def role_of(user):
    """A short label of the actor's role for the audit log (a ModerationAction.Role value)."""
    Role = ModerationAction.Role
    if user is None:
        return Role.SYSTEM
    cached = getattr(user, "_moderation_role", None)
    if cached:
        return cached
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        groups = set(user.groups.values_list("name", flat=True))
        if MODERATORS_GROUP in groups:
            role = Role.MODERATOR
        elif EDITORS_GROUP in groups:
            role = Role.EDITOR
        else:
            role = Role.STAFF if user.is_staff else Role.READER
    user._moderation_role = role
    return role


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


# Comments: approve, hide, remove, mark as spam, restore ------------------------------------------

Status = Comment.Status
Kind = ModerationAction.Kind


@dataclass(frozen=True)
class CommentAction:
    """One decision a moderator can make about a comment, and the statuses it applies to."""

    name: str
    label: str  # the button
    kind: str
    to: str
    sources: tuple
    reason_required: bool = False


COMMENT_ACTIONS = {
    action.name: action
    for action in (
        # Approving a published comment keeps it and closes its reports.
        CommentAction(
            "approve", _("Approve"), Kind.APPROVE, Status.PUBLISHED, (Status.PENDING, Status.PUBLISHED)
        ),
        CommentAction(
            "restore",
            _("Restore"),
            Kind.RESTORE,
            Status.PUBLISHED,
            (Status.HIDDEN, Status.REMOVED, Status.SPAM),
        ),
        CommentAction("hide", _("Hide"), Kind.HIDE, Status.HIDDEN, (Status.PUBLISHED,)),
        CommentAction(
            "remove",
            _("Remove"),
            Kind.REMOVE,
            Status.REMOVED,
            (Status.PUBLISHED, Status.PENDING, Status.HIDDEN, Status.SPAM),
            reason_required=True,
        ),
        CommentAction(
            "spam",
            _("Mark as spam"),
            Kind.SPAM,
            Status.SPAM,
            (Status.PUBLISHED, Status.PENDING, Status.HIDDEN, Status.REMOVED),
        ),
    )
}


def actions_for(comment, *, reported=None):
    """The names of the actions that apply to `comment` now, for the buttons of the queue.
    `reported`: whether it has open reports (approving a published comment needs some)."""
    if reported is None:
        reported = getattr(comment, "report_count", 0) > 0
    names = []
    for action in COMMENT_ACTIONS.values():
        if comment.status not in action.sources:
            continue
        if action.name == "approve" and comment.status == Status.PUBLISHED and not reported:
            continue
        names.append(action.name)
    return names


def _never_published(comment):
    """Held when it was posted and never approved since: its notifications were never sent."""
    log = ModerationAction.objects.filter(comment=comment)
    return (
        log.filter(kind=Kind.HOLD, previous_status="").exists()
        and not log.filter(new_status=Status.PUBLISHED).exists()
    )


def _apply(comment, kind, to, *, by, reason, resolve_reports=False, base_url="", details=None):
    """Change the status of a comment locked for update and write its log entry. `by` None: the
    system. Returns the number of reports it resolved."""
    previous = comment.status
    notify = to == Status.PUBLISHED and previous != Status.PUBLISHED and _never_published(comment)
    comment.status = to
    comment.moderated_by = by
    comment.moderated_at = timezone.now()
    comment.moderation_reason = (reason or "")[:500]
    comment.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
    resolved = 0
    if resolve_reports:
        resolved = Flag.objects.open().filter(comment=comment).update(resolved_at=comment.moderated_at)
    details = dict(details or {})
    if resolved:
        details["reports_resolved"] = resolved
    record(
        kind,
        by=by,
        comment=comment,
        reason=reason,
        previous_status=previous,
        new_status=to,
        details=details,
    )
    if notify:
        notifications.schedule(comment, base_url=base_url)
    return resolved


def moderate_comment(comment, action, *, by, reason="", base_url=""):
    """Apply the action named `action` ("approve", "hide", "remove", "spam", "restore") to
    `comment` as the moderator `by`, who decides on its open reports at the same time.

    Nothing is deleted: every action sets the status, and "restore" brings any moderated comment
    back to published. Approving a comment that was held since it was posted sends the
    notifications it held back (links absolute with `base_url`). Raises PermissionDenied for
    someone who may not moderate and BadRequest for an action that does not apply.
    """
    spec = COMMENT_ACTIONS.get(action)
    if spec is None:
        raise BadRequest(gettext("Unknown moderation action."))
    can_moderate(by).raise_if_refused()
    reason = (reason or "").strip()
    if spec.reason_required and not reason:
        raise BadRequest(gettext("Give a reason for removing the comment: its author will see it."))
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("article", "author")
            .get(pk=comment.pk)
        )
        reported = Flag.objects.open().filter(comment=locked).exists()
        if action not in actions_for(locked, reported=reported):
            raise BadRequest(
                gettext("“%(action)s” does not apply to this comment (status: %(status)s).")
                % {"status": locked.get_status_display(), "action": spec.label}
            )
        _apply(locked, spec.kind, spec.to, by=by, reason=reason, resolve_reports=True, base_url=base_url)
    for field in ("status", "moderated_by", "moderated_at", "moderation_reason"):
        setattr(comment, field, getattr(locked, field))
    return comment


def approve_comment(comment, *, by, reason="", base_url=""):
    return moderate_comment(comment, "approve", by=by, reason=reason, base_url=base_url)


def hide_comment(comment, *, by, reason=""):
    return moderate_comment(comment, "hide", by=by, reason=reason)


def remove_comment(comment, *, by, reason):
    return moderate_comment(comment, "remove", by=by, reason=reason)


def mark_as_spam(comment, *, by, reason=""):
    return moderate_comment(comment, "spam", by=by, reason=reason)


def restore_comment(comment, *, by, reason="", base_url=""):
    return moderate_comment(comment, "restore", by=by, reason=reason, base_url=base_url)


@dataclass
class BulkOutcome:
    done: list
    refused: list  # (comment, message)


def moderate_comments(comments, action, *, by, reason="", base_url=""):
    """The same action on several comments, each in its own transaction: one that no longer
    qualifies (approved meanwhile by someone else) is reported back, not a reason to undo the rest."""
    if action not in COMMENT_ACTIONS:
        raise BadRequest(gettext("Unknown moderation action."))
    can_moderate(by).raise_if_refused()
    if COMMENT_ACTIONS[action].reason_required and not (reason or "").strip():
        raise BadRequest(gettext("Give a reason for removing the comment: its author will see it."))
    outcome = BulkOutcome(done=[], refused=[])
    for comment in comments:
        try:
            moderate_comment(comment, action, by=by, reason=reason, base_url=base_url)
        except BadRequest as error:
            outcome.refused.append((comment, str(error)))
        else:
            outcome.done.append(comment)
    return outcome


# People: suspensions ----------------------------------------------------------------------------


def suspend_user(user, *, by, reason, until=None):
    """Suspend `user` until `until` (None: until a moderator lifts it). They can still read and
    are told why and until when wherever they would comment, vote or report. A suspension in
    force is replaced by the new one."""
    can_suspend(by).raise_if_refused()
    reason = (reason or "").strip()
    if not reason:
        raise BadRequest(gettext("Give a reason: the reader will see it."))
    if until is not None and until <= timezone.now():
        raise BadRequest(gettext("The end of a suspension must be in the future."))
    if user.pk == by.pk:
        raise BadRequest(gettext("You cannot suspend yourself."))
    if user.is_staff or user.is_superuser:
        raise BadRequest(gettext("Staff accounts cannot be suspended; take away their staff status instead."))
    with transaction.atomic():
        replaced = list(Suspension.objects.select_for_update().in_force().filter(user=user))
        now = timezone.now()
        Suspension.objects.filter(pk__in=[s.pk for s in replaced]).update(lifted_at=now, lifted_by=by)
        suspension = Suspension.objects.create(
            user=user, until=until, reason=reason[:500], created_by=by, created_at=now
        )
        record(
            Kind.SUSPEND,
            by=by,
            target_user=user,
            reason=reason,
            details={
                "until": until.isoformat() if until else None,
                "replaced": [s.pk for s in replaced],
            },
        )
    if hasattr(user, "_discussion_suspension"):
        del user._discussion_suspension
    return suspension


def lift_suspension(suspension, *, by, reason=""):
    can_suspend(by).raise_if_refused()
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().select_related("user").get(pk=suspension.pk)
        if suspension.lifted_at is not None:
            raise BadRequest(gettext("This suspension has already been lifted."))
        if suspension.until is not None and suspension.until <= timezone.now():
            raise BadRequest(gettext("This suspension has already ended."))
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = by
        suspension.save(update_fields=["lifted_at", "lifted_by"])
        record(
            Kind.UNSUSPEND,
            by=by,
            target_user=suspension.user,
            reason=reason,
            details={"suspension": suspension.pk},
        )
    return suspension


def suspended_users():
    """Suspensions in force with their reader and who decided, newest first."""
    return Suspension.objects.in_force().select_related("user", "created_by").order_by("-created_at", "-pk")
