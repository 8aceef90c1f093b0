"""Invalidating the cached article pages (articles/caching.py) when a discussion changes.

Imported by DiscussionsConfig.ready(), which connects the receivers below. An article page
shows its questions, thread state, comments with their authors' names and scores, so a change
to any of those bumps that article's version; lists show comment counts, so a comment appearing,
disappearing or changing status bumps COUNTS as well. Changes that bypass signals
(QuerySet.update()) are covered by the signals of the change they belong to: a vote's score
update comes with the Vote row, an account deletion's detached comments with the user's delete.
"""

import datetime

from django.conf import settings
from django.db.models import Min
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from accounts.models import User
from articles import caching
from articles.models import Article
from discussions.models import Comment, Question, Thread, Vote, WatchedWord
from discussions.moderation import WATCHED_WORDS_VERSION

# A comment saved with only these fields keeps its place in every count.
_UNCOUNTED_FIELDS = {"body", "body_html", "edited_at", "score", "question", "moderation_reason"}


def _article_slug(instance, article_id):
    """The slug of the instance's article, from the instance when it carries it."""
    article = instance._state.fields_cache.get("article")
    if article is not None and article.pk == article_id:
        return article.slug
    return Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()


def _bump_article_of(instance, article_id):
    slug = _article_slug(instance, article_id)
    if slug is not None:
        caching.bump_article(slug)


@receiver(post_save, sender=Comment, dispatch_uid="page_cache_comment_saved")
def _comment_saved(sender, instance, created=False, update_fields=None, **kwargs):
    _bump_article_of(instance, instance.article_id)
    if created or update_fields is None or not set(update_fields) <= _UNCOUNTED_FIELDS:
        caching.bump_counts()
        if instance.author_id:
            caching.bump(caching.user_key(instance.author_id))  # the count on their profile


@receiver(post_delete, sender=Comment, dispatch_uid="page_cache_comment_deleted")
def _comment_deleted(sender, instance, **kwargs):
    _bump_article_of(instance, instance.article_id)
    caching.bump_counts()
    if instance.author_id:
        caching.bump(caching.user_key(instance.author_id))


@receiver(post_save, sender=Vote, dispatch_uid="page_cache_vote_saved")
@receiver(post_delete, sender=Vote, dispatch_uid="page_cache_vote_deleted")
def _vote_changed(sender, instance, **kwargs):
    comment = instance._state.fields_cache.get("comment")
    if comment is not None:
        _bump_article_of(comment, comment.article_id)
        return
    slug = Comment.objects.filter(pk=instance.comment_id).values_list("article__slug", flat=True).first()
    if slug is not None:
        caching.bump_article(slug)


@receiver(post_save, sender=Question, dispatch_uid="page_cache_question_saved")
@receiver(post_delete, sender=Question, dispatch_uid="page_cache_question_deleted")
@receiver(post_save, sender=Thread, dispatch_uid="page_cache_thread_saved")
@receiver(post_delete, sender=Thread, dispatch_uid="page_cache_thread_deleted")
def _article_discussion_changed(sender, instance, **kwargs):
    _bump_article_of(instance, instance.article_id)


# Readers' names on their comments ---------------------------------------------------------------

_SHOWN_USER_FIELDS = ("display_name", "username")


@receiver(post_save, sender=WatchedWord, dispatch_uid="watched_words_saved")
@receiver(post_delete, sender=WatchedWord, dispatch_uid="watched_words_deleted")
def _watched_words_changed(sender, **kwargs):
    # Not a page: the list moderation.watched_words() keeps in the cache.
    caching.bump(WATCHED_WORDS_VERSION)


@receiver(pre_save, sender=User, dispatch_uid="page_cache_user_saving")
def _user_saving(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(_SHOWN_USER_FIELDS):
        return  # e.g. last_login on every sign-in
    instance._page_cache_shown = User.objects.filter(pk=instance.pk).values_list(*_SHOWN_USER_FIELDS).first()


@receiver(post_save, sender=User, dispatch_uid="page_cache_user_saved")
def _user_saved(sender, instance, created=False, **kwargs):
    before = instance.__dict__.pop("_page_cache_shown", None)
    if created or before is None:
        return
    if before != tuple(getattr(instance, field) for field in _SHOWN_USER_FIELDS):
        caching.bump_articles(
            Article.objects.filter(comments__author=instance).values_list("slug", flat=True).distinct()
        )


@receiver(pre_delete, sender=User, dispatch_uid="page_cache_user_deleting")
def _user_deleting(sender, instance, **kwargs):
    # Deleting an account detaches or blanks the reader's comments with QuerySet.update() first.
    caching.invalidate_all()


# The clock: comments closing with age -----------------------------------------------------------


def _closing_schedule(now):
    days = settings.QINGTAN["CLOSE_COMMENTS_AFTER_DAYS"]
    if not days:
        return None
    window = datetime.timedelta(days=days)
    first_open = Article.objects.filter(
        status=Article.Status.PUBLISHED, publish_at__gt=now - window
    ).aggregate(moment=Min("publish_at"))["moment"]
    return first_open + window if first_open is not None else None


caching.register_schedule(_closing_schedule)
