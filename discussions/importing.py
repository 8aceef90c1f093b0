"""Questions and comments that arrive with an imported article (articles.signals.article_imported).

Imported comments were written elsewhere by people without an account here, so they are kept
under one reserved account, clearly labelled on the page ("Imported comment"), that can never
sign in. Importing the same document again changes nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from discussions.models import Comment, Question

IMPORT_USERNAME = "imported"
IMPORT_DISPLAY_NAME = "导入的评论"  # the page shows the translated label "Imported comment"


def import_account():
    """The reserved account, created on first use: inactive, no usable password, no email."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={"display_name": IMPORT_DISPLAY_NAME, "is_active": False, "email": ""},
    )
    if created:
        user.set_unusable_password()
        user.notify_on_reply = False
        user.notify_on_follow = False
        user.save(update_fields=["password", "notify_on_reply", "notify_on_follow"])
    return user


def is_import_account(user):
    return user is not None and getattr(user, "username", None) == IMPORT_USERNAME


def sync_imported_discussion(*, article, questions, comments):
    """Bring the article's questions (by position) and imported comments in line with the lists.

    Question n keeps its row (and its answers) when its text changes. Questions past the end of
    the list go, unless readers have answered them. Imported comments are matched by text, so a
    re-import adds only the new ones and never touches readers' comments.
    """
    with transaction.atomic():
        existing = list(Question.objects.filter(article=article).order_by("position", "pk"))
        for position, text in enumerate(questions, start=1):
            text = text.strip()[:500]
            if position <= len(existing):
                question = existing[position - 1]
                if question.text != text or question.position != position:
                    question.text, question.position = text, position
                    question.save(update_fields=["text", "position"])
            else:
                Question.objects.create(article=article, text=text, position=position)
        for extra in existing[len(questions) :]:
            if not extra.answers.exists():
                extra.delete()

        bodies = [body.strip() for body in comments if body and body.strip()]
        if not bodies:
            return
        account = import_account()
        already = set(Comment.objects.filter(article=article, author=account).values_list("body", flat=True))
        for body in bodies:
            if body not in already:
                comment = Comment(article=article, author=account, body=body)
                comment.full_clean()
                comment.save()
                already.add(body)


def on_article_imported(sender, *, article, questions, comments, created, **kwargs):
    sync_imported_discussion(article=article, questions=questions, comments=comments)
