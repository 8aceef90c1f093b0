"""Emails about new comments: to the author of the comment replied to, and to the readers who
follow the article (new top-level comments) or the thread (new replies under a top-level comment).

`schedule()` enqueues the `tasks.notify_about_comment` task once the comment's transaction has
committed; the task calls `send_for_comment()`. Every email carries an unsubscribe link that
works without signing in: a signed token naming the reader and what to stop.
"""

import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from discussions.models import Comment, Follow

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "discussions.unsubscribe"


class Kind:
    REPLY = "reply"  # a reply to your comment; unsubscribing turns notify_on_reply off
    ARTICLE = "article"  # a new comment on an article you follow; unsubscribing unfollows it
    THREAD = "thread"  # a new reply in a thread you follow; unsubscribing unfollows it

    ALL = (REPLY, ARTICLE, THREAD)


def schedule(comment, *, base_url="", followed=None):
    """Send the notifications about a published comment after the current transaction commits.
    Also for the moderation queue: call it when a held comment is approved.

    Nothing is enqueued for a new comment on an article nobody else follows, the common case: a
    small query (none when the caller knows and says so in `followed`) instead of a task (a row
    in a real queue, or with the immediate backend the task itself, inline) that would load the
    comment again to find nobody."""
    from discussions.tasks import notify_about_comment

    if not comment.parent_id:
        if followed is None:
            followed = _article_followed_by_others(comment)
        if not followed:
            return
    transaction.on_commit(
        partial(notify_about_comment.enqueue, comment.pk, base_url or ""),
        robust=True,
    )


def _article_followed_by_others(comment):
    """Could `recipients()` find anybody for a top-level comment? Only among the article's followers."""
    return Follow.objects.of_article(comment.article_id).exclude(user=comment.author_id).exists()


# Unsubscribe tokens -----------------------------------------------------------------------------


def unsubscribe_token(user, kind, target_id):
    """No expiry: a link in an old email must still work (RFC 8058 and common sense)."""
    return signing.dumps({"u": user.pk, "k": kind, "t": target_id}, salt=UNSUBSCRIBE_SALT)


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind: str
    target_id: int


def read_unsubscribe_token(token):
    """The unsubscription a token names, or None when it was not made by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        unsubscription = Unsubscription(int(data["u"]), str(data["k"]), int(data["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return unsubscription if unsubscription.kind in Kind.ALL else None


# Recipients and emails --------------------------------------------------------------------------


def _can_receive(user, author):
    return user is not None and user.is_active and user.email and user.pk != getattr(author, "pk", None)


def recipients(comment):
    """(user, kind, subject of the unsubscription) for each reader to tell about `comment`,
    at most one email per reader; a reply to their own comment wins over a follow."""
    chosen = {}
    if comment.parent_id:
        parent = comment.parent
        author = parent.author
        if _can_receive(author, comment.author) and author.notify_on_reply and not parent.is_deleted:
            chosen[author.pk] = (author, Kind.REPLY, parent.pk)
        root = parent
        while root.parent_id:
            root = root.parent
        follows = Follow.objects.filter(comment=root)
        kind, target = Kind.THREAD, root.pk
    else:
        follows = Follow.objects.of_article(comment.article_id)
        kind, target = Kind.ARTICLE, comment.article_id
    for follow in follows.select_related("user").order_by("pk"):
        user = follow.user
        if _can_receive(user, comment.author) and user.notify_on_follow and user.pk not in chosen:
            chosen[user.pk] = (user, kind, target)
    return list(chosen.values())


def build_email(comment, user, kind, target_id, *, base_url):
    unsubscribe_url = base_url + reverse(
        "discussions:unsubscribe", kwargs={"token": unsubscribe_token(user, kind, target_id)}
    )
    context = {
        "comment": comment,
        "article": comment.article,
        "recipient": user,
        "kind": kind,
        "comment_url": base_url + comment.get_absolute_url(),
        "article_url": base_url + comment.article.get_absolute_url(),
        "unsubscribe_url": unsubscribe_url,
        "settings_url": base_url + reverse("accounts:notifications"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("discussions/email/notification_subject.txt", context).split())
        body = render_to_string("discussions/email/notification_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def send_for_comment(comment_id, *, base_url=""):
    """Send the emails about one comment. A failing mail server loses these emails (logged),
    never the comment. Returns how many were sent."""
    comment = (
        Comment.objects.select_related("article", "author", "parent__author")
        .filter(pk=comment_id, status=Comment.Status.PUBLISHED, is_deleted=False)
        .first()
    )
    if comment is None:
        return 0  # hidden, deleted or gone since it was posted
    sent = 0
    for user, kind, target_id in recipients(comment):
        try:
            build_email(comment, user, kind, target_id, base_url=base_url).send()
        except Exception:
            # Any mail backend error (SMTP, DNS, timeouts): log it and go on with the others.
            logger.exception(
                "Could not send the %s notification about comment %s to user %s", kind, comment.pk, user.pk
            )
        else:
            sent += 1
    return sent
