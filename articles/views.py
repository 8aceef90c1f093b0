from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles import caching, fragments
from articles.models import Article, Source
from articles.search.forms import SearchForm

ARTICLES_PER_PAGE = 20
# A tag on at least 1 article in 50 is listed by walking the newest articles (carrying()).
COMMON_TAG_SHARE = 50


def _page(request, queryset, *, count_key=None, count_from=None):
    """One page of a list; a page number that is not a number or is out of range is a 404.
    With `count_key` (a list's own address) the number of articles is remembered until an
    article changes (articles.caching.CachedCountPaginator), counted from `count_from` when
    another query counts them faster than the one that lists them."""
    if count_key:
        paginator = caching.CachedCountPaginator(
            queryset, ARTICLES_PER_PAGE, key=count_key, depends_on=[caching.ARTICLES], count_from=count_from
        )
    else:
        paginator = Paginator(queryset, ARTICLES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(gettext("No such page.")) from error
    page.object_list = list(page.object_list)
    return page


def _list(request, queryset, *, count_from=None, **context):
    card_versions = fragments.card_versions()  # before the articles: see fragments.render_cards()
    page = _page(request, queryset, count_key=request.path, count_from=count_from)
    return render(
        request, "articles/article_list.html", {"page_obj": page, "card_versions": card_versions, **context}
    )


@require_safe
@caching.anonymous_page([caching.ARTICLES, caching.COUNTS], params=["page"])
def home(request):
    return _list(request, Article.objects.for_list(), feed_url=reverse("articles:feed_rss"))


@require_safe
@caching.anonymous_page([caching.ARTICLES, caching.COUNTS], params=["page"])
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    tagged = Article.objects.tagged(tag.slug).for_list()
    listed = tagged
    if caching.count_of(request.path, tagged) * COMMON_TAG_SHARE >= caching.count_of(
        reverse("articles:home"), Article.objects.for_list()
    ):
        listed = Article.objects.for_list().carrying(tag)  # see ArticleQuerySet.carrying()
    return _list(
        request,
        listed,
        count_from=tagged,
        tag=tag,
        heading=gettext("Tagged “%(tag)s”") % {"tag": tag.name},
        feed_url=reverse("articles:tag_feed", kwargs={"slug": tag.slug}),
    )


@require_safe
@caching.anonymous_page([caching.ARTICLES, caching.COUNTS], params=["page"])
def source(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return _list(request, Article.objects.from_source(source).for_list(), source=source, heading=source.name)


@require_safe
@caching.anonymous_page([caching.ARTICLES, caching.COUNTS], params=["page"])
def archive(request, year, month):
    if not (1 <= month <= 12 and 1900 <= year <= 9998):
        raise Http404(gettext("No such month."))
    first_day = timezone.datetime(year, month, 1)
    return _list(
        request,
        Article.objects.published_in_month(year, month).for_list(),
        month=first_day,
        heading=gettext("Published in %(month)s") % {"month": date_format(first_day, "YEAR_MONTH_FORMAT")},
        archive_months=Article.objects.published().datetimes("publish_at", "month", order="DESC"),
    )


@require_safe
def search(request):
    form = SearchForm(request.GET)
    results = form.results()
    page = _page(request, results) if results is not None else None
    template = "articles/search.html#results" if request.htmx else "articles/search.html"
    return render(request, template, {"form": form, "page_obj": page})


@require_safe
@caching.anonymous_page([caching.ARTICLES, "article"], params=["sort", "page", "question", "answer"])
def detail(request, slug):
    canonical_url = request.build_absolute_uri(reverse("articles:detail", kwargs={"slug": slug}))
    kept = fragments.ArticlePage(slug, canonical_url=canonical_url)
    # Readability checked on the row (Article.is_readable, the rule of readable()), which is kept
    # in the cache until an article changes: whether it is readable changes with the clock.
    article = kept.article()
    if article is None or not article.is_readable:
        raise Http404(gettext("No such article."))
    return _detail(request, article, kept=kept, canonical_url=canonical_url)


@require_safe
def preview(request, slug):
    """Any article, whatever its status, for staff who may view articles; a 404 for anyone
    else, so drafts do not reveal that they exist."""
    user = request.user
    if not (
        user.is_staff and (user.has_perm("articles.view_article") or user.has_perm("articles.change_article"))
    ):
        raise Http404(gettext("No such article."))
    article = get_object_or_404(Article.objects.for_detail(), slug=slug)
    canonical_url = request.build_absolute_uri(article.get_absolute_url())
    kept = fragments.ArticlePage(slug, canonical_url=canonical_url)
    response = _detail(request, article, kept=kept, canonical_url=canonical_url, is_preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


def _detail(request, article, *, kept, canonical_url, is_preview=False):
    return render(
        request,
        fragments.ArticlePage.TEMPLATE,
        {
            "article": article,
            # Built and read only when the template's kept fragment is missing: building the
            # queryset costs a few milliseconds, and on SQLite it already runs a query.
            "related": SimpleLazyObject(lambda: list(Article.objects.related_to(article))),
            "kept": kept,
            "is_preview": is_preview,
            "canonical_url": canonical_url,
        },
    )


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /articles/*/preview/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
