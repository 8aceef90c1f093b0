"""Where articles' pages show discussion data. `articles` templates load these tags; `articles`
code never imports `discussions`."""

from django import template
from django.db.models import Count

from discussions.models import Comment, Question

register = template.Library()


@register.simple_tag
def attach_comment_counts(articles):
    """Set `comment_count` on each article of a list with one query for the whole list."""
    articles = list(articles)
    counts = dict(
        Comment.objects.published()
        .filter(article__in=[a.pk for a in articles])
        .values_list("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)
    return ""


@register.inclusion_tag("discussions/_questions_section.html")
def questions_section(article):
    """The numbered 怜星夜思 section of an article page."""
    return {"article": article, "questions": Question.objects.filter(article=article)}


@register.inclusion_tag("discussions/_discussion_section.html", takes_context=True)
def discussion_section(context, article):
    """The thread under an article: replaced by the full threaded view of the discussions issue."""
    request = context.get("request")
    user = getattr(request, "user", None)
    comments = Comment.objects.visible_to(user).filter(article=article).select_related("author")
    return {"article": article, "comments": comments, "request": request, "user": user}
