"""What readers do in a discussion: post, reply, edit, delete, vote, report and follow.

Each function asks `moderation` whether the reader may (raising PermissionDenied or BadRequest
with the reason when not; ValidationError for the content itself), changes its rows in one
transaction and schedules the notification emails for after the commit.
"""

import contextlib
import functools

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article
from discussions import moderation, notifications, threads
from discussions.models import (
    DELETED_BODY,
    Comment,
    Flag,
    Follow,
    ModerationAction,
    Thread,
    Vote,
)

# What posting a comment never reads of its article: the long texts.
_ARTICLE_TEXTS = ("summary", "summary_html", "body", "body_html", "reprint_notice", "permission_evidence")


@functools.cache
def _posting_read():
    """The SQL of article_to_post_on(), written out: on this 2-core box Django spends 4-5 ms
    building the same read from querysets (readable(), select_related, defer and two Exists
    annotations), the database 0.2 ms running it. Each condition is the SQL of the queryset
    method named beside it; tests/discussions/test_posting_read.py compares the answers with
    those methods'. Made on first use, when the models' columns are known."""
    columns = ", ".join(
        f'a."{field.column}"' for field in Article._meta.concrete_fields if field.name not in _ARTICLE_TEXTS
    )
    return f"""
        SELECT {columns},
            t.article_id AS thread_article, t.is_closed AS thread_is_closed, t.is_locked AS thread_is_locked,
            EXISTS(
                SELECT 1 FROM discussions_suspension s  -- Suspension.objects.in_force()
                WHERE s.user_id = %s AND s.lifted_at IS NULL AND (s.until IS NULL OR s.until > %s)
            ) AS poster_suspended,
            EXISTS(
                SELECT 1 FROM discussions_follow f  -- Follow.objects.of_article(), other readers
                WHERE f.article_id = a.id AND f.comment_id IS NULL AND f.user_id <> %s
            ) AS followed_by_others,
            (
                SELECT COUNT(*) FROM (  -- Comment.objects.published() of the poster, up to a limit
                    SELECT 1 FROM discussions_comment c WHERE c.author_id = %s AND c.status = %s LIMIT %s
                ) AS counted
            ) AS poster_published
        FROM articles_article a LEFT OUTER JOIN discussions_thread t ON t.article_id = a.id
        WHERE a.id = %s
    """  # noqa: S608 - what is put in are the model's column names


def article_to_post_on(article_id, *, user):
    """The readable article `article_id`, or None, with what `post_comment()` by `user` reads
    about it in the same query: its thread state (what `moderation.thread_of()` then answers),
    whether `user` is suspended (`moderation.suspension_of()`, loaded only when so), how many of
    their comments are published as far as the new-account rule counts (for the one comment
    posted next) and whether other readers follow the article (`followed_by_others`: a
    notification task is worth enqueuing). The long texts stay in the database; whether the
    article is readable is the model's own rule (Article.is_readable)."""
    counted = settings.QINGTAN["HOLD_FIRST_COMMENTS"]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [user.pk, now, user.pk, user.pk, Comment.Status.PUBLISHED.value, counted, article_id]
    article = next(iter(Article.objects.raw(_posting_read(), params)), None)
    if article is None or not article.is_readable:
        return None
    if article.thread_article is None:  # staff never touched it: open
        thread = Thread(article=article)
    else:
        thread = Thread.from_db(
            article._state.db,
            ["article_id", "is_closed", "is_locked"],
            [article.pk, bool(article.thread_is_closed), bool(article.thread_is_locked)],
        )
        thread.article = article
    # The per-request caches of `moderation` (see thread_of(), suspension_of() and _is_new_author()).
    article._discussion_thread = thread
    if not article.poster_suspended:
        user._discussion_suspension = None
    user._discussion_published_count = article.poster_published
    article.followed_by_others = bool(article.followed_by_others)
    return article


def post_comment(*, article, author, body, question=None, parent=None, base_url=""):
    """A new comment on `article`, or a reply to `parent`. Replies answer no question: they
    belong to the conversation under the answer they reply to.

    `base_url` ("https://host") makes the links in the notification emails absolute.
    """
    thread = moderation.thread_of(article)
    if parent is not None:
        if parent.article_id != article.pk:
            raise BadRequest(gettext("That comment belongs to another article."))
        parent.article = article
        moderation.can_reply(author, parent, thread=thread).raise_if_refused()
        question = None
    else:
        moderation.can_comment(author, article, question=question, thread=thread).raise_if_refused()
    comment = Comment(article=article, author=author, body=body, question=question, parent=parent)
    # The article, author, question and parent are rows the caller has just read: asking the
    # database again whether they exist would cost a query each. The model's own rules run.
    comment.full_clean(exclude=["article", "author", "question", "parent"])
    admission = moderation.initial_status_for(comment)
    with contextlib.suppress(AttributeError):  # this comment may change it (del reaches request.user's user)
        del author._discussion_published_count
    comment.status = admission.status
    if comment.status == Comment.Status.PUBLISHED:
        # One row, so no transaction of its own: SQLite's write lock is then held for the INSERT
        # alone. Under BEGIN IMMEDIATE it was held while Python built the INSERT and ran the
        # save signals too, and every other writer of the site waited (with back-off) meanwhile.
        comment.save()
        followed = getattr(article, "followed_by_others", None)  # see article_to_post_on()
        notifications.schedule(comment, base_url=base_url, followed=followed)
        return comment
    with transaction.atomic():
        comment.save()
        moderation.record(
            ModerationAction.Kind.HOLD,
            by=None,
            comment=comment,
            reason=admission.reason,
            new_status=comment.status,
        )
    return comment


# The SQL of threads.comment_location()'s count: the top-level comments visible to the reader
# (Comment.objects.visible_to(), top_level()) before the thread's root in the default order.
_PLACE_COUNT = f"""
    SELECT COUNT(*) FROM discussions_comment
    WHERE article_id = %s AND depth = 0
        AND (status = %s OR (author_id = %s AND status IN ({", ".join(["%s"] * len(Comment.AUTHOR_SEES))})))
        AND (created_at < %s OR (created_at = %s AND id < %s))
"""  # noqa: S608 - what is put in are placeholders


def location_of(comment, *, user):
    """Where posting `comment` redirects `user`: what threads.comment_location() answers (the page
    of its thread in the default order, and its anchor), counted in plain SQL. Django takes 2 ms
    on this box to build that count from querysets, the database a fraction of it; every comment
    POST asks once. tests/discussions/test_posting_read.py compares the two answers."""
    root = comment
    while root.parent_id is not None:
        root = root.parent
    created_at = connection.ops.adapt_datetimefield_value(root.created_at)
    statuses = [status.value for status in Comment.AUTHOR_SEES]
    params = [comment.article_id, Comment.Status.PUBLISHED.value, user.pk, *statuses]
    with connection.cursor() as cursor:
        cursor.execute(_PLACE_COUNT, [*params, created_at, created_at, root.pk])
        (before,) = cursor.fetchone()
    page = before // settings.QINGTAN["COMMENTS_PER_PAGE"] + 1
    return threads.ThreadParams().url(comment.article, page=page, anchor=f"comment-{comment.pk}")


def edit_comment(comment, *, by, body):
    """The hold rules about the text run again: an edit that adds links or a watched word sends
    a published comment back to the queue, a blocked word is refused (ValidationError)."""
    moderation.can_edit(by, comment).raise_if_refused()
    comment.body = body
    comment.full_clean()
    admission = moderation.status_after_edit(comment)
    with transaction.atomic():
        previous = comment.status
        comment.edited_at = timezone.now()
        comment.status = admission.status
        comment.save(update_fields=["body", "edited_at", "status"])
        if admission.status != previous:
            moderation.record(
                ModerationAction.Kind.HOLD,
                by=None,
                comment=comment,
                reason=admission.reason,
                previous_status=previous,
                new_status=admission.status,
            )
    return comment


def delete_comment(comment, *, by):
    """Soft delete: the words go, the place in the thread (and the replies under it) stay."""
    moderation.can_delete(by, comment).raise_if_refused()
    comment.body = DELETED_BODY
    comment.is_deleted = True
    comment.save(update_fields=["body", "is_deleted"])
    return comment


def toggle_vote(comment, *, by):
    """Add the reader's vote, or take it back. Returns True when the reader now votes for it.

    The score moves only when a Vote row really appeared or disappeared, and moves with F() in
    the same transaction, so double clicks and concurrent voters keep it equal to the rows.
    """
    moderation.can_vote(by, comment).raise_if_refused()
    with transaction.atomic():
        removed, _ = Vote.objects.filter(user=by, comment=comment).delete()
        if removed:
            Comment.objects.filter(pk=comment.pk).update(score=F("score") - 1)
            voted = False
        else:
            try:
                with transaction.atomic():
                    Vote.objects.create(user=by, comment=comment)
            except IntegrityError:
                pass  # A concurrent request of the same reader voted first: the vote stands.
            else:
                Comment.objects.filter(pk=comment.pk).update(score=F("score") + 1)
            voted = True
    comment.refresh_from_db(fields=["score"])
    return voted


def report_comment(comment, *, by, reason, text=""):
    moderation.can_report(by, comment).raise_if_refused()
    already = BadRequest(gettext("You have already reported this comment."))
    if Flag.objects.filter(user=by, comment=comment).exists():
        raise already
    flag = Flag(user=by, comment=comment, reason=reason, text=text)
    flag.full_clean(exclude=["user", "comment"])
    try:
        with transaction.atomic():
            flag.save()
            moderation.comment_reported(flag)
    except IntegrityError:
        raise already from None
    return flag


def thread_root(comment):
    while comment.parent_id is not None:
        comment = comment.parent
    return comment


def set_following(user, *, article, comment=None, follow=True):
    """Follow (or stop following) an article, or the thread under a top-level comment."""
    lookup = {"user": user, "article": article, "comment": comment}
    if not follow:
        Follow.objects.filter(**lookup).delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(**lookup)
    except IntegrityError:
        pass  # Followed by a concurrent request.
    return True
