"""Discussion data on a reader's public profile (/u/<username>/). `accounts` templates load these
tags; `accounts` code never imports `discussions`."""

from django import template
from django.db.models import Exists, OuterRef

from articles import caching
from articles.models import Article
from discussions.models import Comment

register = template.Library()

COMMENTS_PER_PAGE = 20


def comments_for_profile(user):
    """What anyone may see of a reader's comments: published, not withdrawn by the author, under an
    article that is itself public. Never pending, hidden, removed or spam ones, even to the author."""
    # EXISTS per comment, not "article IN (every public article)", which databases build in
    # full before looking at the reader's comments (bench/RESULTS.md, "Pages").
    public_article = Article.objects.published().filter(pk=OuterRef("article_id"))
    return (
        Comment.objects.published()
        .filter(author=user, is_deleted=False)
        .filter(Exists(public_article))
        .select_related("article", "question")
        .order_by("-created_at", "-pk")
    )


@register.inclusion_tag("accounts/_profile_comments.html", takes_context=True)
def profile_comments(context, profile_user, per_page=COMMENTS_PER_PAGE):
    """One page (?page=N) of the reader's published comments, each linking back to its thread."""
    request = context["request"]
    paginator = caching.CachedCountPaginator(
        comments_for_profile(profile_user),
        per_page,
        key=f"profile-comments:{profile_user.pk}",
        depends_on=[caching.ARTICLES, caching.user_key(profile_user.pk)],
    )
    page = paginator.get_page(request.GET.get("page"))
    return {"page": page, "profile_user": profile_user, "request": request}
