"""What discussions contribute to a reader's data export and account deletion (accounts.lifecycle).

Registered from DiscussionsConfig.ready(). Deletion runs inside accounts.lifecycle.delete_account's
transaction: these functions only change rows, the caller decides when it is committed.
"""

from django.db.models import F

from accounts.lifecycle import PersonalData, register
from articles.text import render_comment_markdown
from discussions.models import DELETED_BODY, Comment, Flag, Follow, Suspension, Vote


def export_comments(user):
    comments = Comment.objects.filter(author=user).select_related("article", "question").order_by("pk")
    return [
        {
            "id": comment.pk,
            "article": comment.article.title,
            "url": comment.get_absolute_url(),
            "question": comment.question.text if comment.question else None,
            "reply_to": comment.parent_id,
            "body": comment.body,
            "status": comment.status,
            "is_deleted": comment.is_deleted,
            "score": comment.score,
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
        }
        for comment in comments.iterator(chunk_size=500)
    ]


def erase_comments(user, *, keep_contributions):
    comments = Comment.objects.filter(author=user)
    if keep_contributions:
        comments.update(author=None)
    else:
        # Replies hang off these rows, so the rows stay and only lose their text and author.
        comments.update(
            author=None, body=DELETED_BODY, body_html=render_comment_markdown(DELETED_BODY), is_deleted=True
        )


def export_votes(user):
    return list(Vote.objects.filter(user=user).order_by("pk").values("comment_id", "created_at"))


def erase_votes(user, *, keep_contributions):
    votes = Vote.objects.filter(user=user)
    # Each vote added one to its comment's score; take it back before the vote goes.
    Comment.objects.filter(pk__in=votes.values("comment_id")).update(score=F("score") - 1)
    votes.delete()


def export_reports(user):
    return list(
        Flag.objects.filter(user=user)
        .order_by("pk")
        .values("comment_id", "reason", "text", "created_at", "resolved_at")
    )


def erase_reports(user, *, keep_contributions):
    Flag.objects.filter(user=user).delete()


def export_follows(user):
    return list(
        Follow.objects.filter(user=user).order_by("pk").values("article_id", "comment_id", "created_at")
    )


def erase_follows(user, *, keep_contributions):
    Follow.objects.filter(user=user).delete()


def export_suspensions(user):
    return list(
        Suspension.objects.filter(user=user)
        .order_by("pk")
        .values("reason", "until", "created_at", "lifted_at")
    )


def erase_suspensions(user, *, keep_contributions):
    Suspension.objects.filter(user=user).delete()


def register_personal_data():
    register(PersonalData("comments", export_comments, erase_comments))
    register(PersonalData("votes", export_votes, erase_votes))
    register(PersonalData("reports", export_reports, erase_reports))
    register(PersonalData("follows", export_follows, erase_follows))
    register(PersonalData("suspensions", export_suspensions, erase_suspensions))
