"""Where articles' pages show discussion data. `articles` templates load these tags; `articles`
code never imports `discussions`."""

from django import template
from django.db.models import Count

from articles import caching
from discussions import fragments, threads
from discussions.models import Comment

register = template.Library()


@register.simple_tag
def attach_comment_counts(articles):
    """Set `comment_count` on each article of a list with one query for the whole list,
    remembered until a comment count changes (the COUNTS version): counting costs in proportion
    to the articles' comments, 30 ms for a home page of discussions a thousand comments long."""
    articles = list(articles)
    ids = [article.pk for article in articles]

    def count():
        return dict(
            Comment.objects.counted()
            .filter(article__in=ids)
            .values_list("article")
            .annotate(n=Count("pk"))
            .values_list("article", "n")
        )

    counts = caching.count_of(
        "list-comment-counts:" + ",".join(map(str, ids)), None, depends_on=[caching.COUNTS], compute=count
    )
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)
    return ""


@register.inclusion_tag("discussions/_questions_section.html", takes_context=True)
def questions_section(context, article):
    """The numbered 怜星夜思 section of an article page: answer counts, links to the answers,
    the editor's picks and, for editors and moderators, closing a question."""
    return threads.questions_section_context(context.get("request"), article)


@register.inclusion_tag("discussions/_discussion_section.html", takes_context=True)
def discussion_section(context, article):
    """The thread under an article, as the query string asks: `sort` (oldest, newest, top),
    `page`, `question` (only the answers to one question) and `answer` (the question the form
    pre-selects)."""
    request = context["request"]
    return threads.discussion_section_context(request, article, threads.ThreadParams.from_query(request.GET))


@register.simple_tag(takes_context=True)
def comment_tree(context, comments):
    """The comments of a thread page with their replies (templates/discussions/_comment.html
    for each), through the fragment cache (discussions/fragments.py)."""
    return fragments.render_tree(comments, csrf_token=context.get("csrf_token"))
