"""Rendered fragments kept in the cache, keyed by everything they show.

A fragment is rendered from a small frozen view object holding exactly the values its template
reads, and stored under a digest of those values and of what else changes the output (the
language, the time zone, the script prefix, the template's source, the translation files). A
value the template shows but the key misses cannot exist, so no fragment is ever stale and
nothing needs invalidating: a changed title, tag or comment count is looked up under a new key,
and the old entry expires unread. The comments of a discussion are kept the same way
(discussions/fragments.py). Here are the article cards of the list pages (home, tags, sources,
months), which readers who are signed in get rendered on every visit, and the parts of an
article page; what they show of articles, sources and tags is keyed by the versions that every
change of those bumps (articles.caching), so that a list of kept cards need not read any tags.
"""

import dataclasses
import datetime
import functools
import hashlib
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from articles import caching
from articles.models import Article, Source, listed_tags_prefetch

CARD_TEMPLATE = "articles/_article_card.html"


@functools.cache
def _translation_files(locale_paths):
    """The size and time of every compiled catalogue: a deploy that changes a translation
    changes every key."""
    found = []
    for path in locale_paths:
        for folder, _, files in os.walk(path):
            for name in sorted(files):
                if name.endswith(".mo"):
                    stat = os.stat(os.path.join(folder, name))
                    found.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(sorted(found))


@functools.lru_cache(maxsize=256)
def _source_digest(source):
    # Remembered: hashing a template's source cost ~30 us a page per template (a str keeps its
    # own hash, so looking it up again is cheap).
    return hashlib.blake2b(source.encode(), digest_size=16).hexdigest()


def scope(template, *extra):
    """What every fragment of `template` in this request depends on besides its own values;
    `extra`: anything more the caller's fragments depend on (a format number, placeholders)."""
    return "\n".join(
        [
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            _source_digest(template.template.source),
            _translation_files(tuple(str(path) for path in settings.LOCALE_PATHS)),
            *(str(part) for part in extra),
        ]
    ).encode()


def key(prefix, scope, values):
    digest = hashlib.blake2b(scope, digest_size=20)
    digest.update(repr(values).encode())
    return f"{prefix}:{digest.hexdigest()}"


# Article cards ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class CardTag:
    slug: str
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class ArticleCard:
    """What templates/articles/_article_card.html shows of an article of a list (for_list()
    with its `listed_tags`, and `comment_count` set by the discussions' attach_comment_counts)."""

    url: str
    title: str
    lead: str
    source_url: str
    source_name: str
    publish_at: datetime.datetime
    comment_count: int
    tags: tuple  # CardTag, by name

    @classmethod
    def of(cls, article):
        return cls(
            url=article.get_absolute_url(),
            title=article.title,
            lead=article.lead,
            source_url=article.source.get_absolute_url(),
            source_name=article.source.name,
            publish_at=article.publish_at,
            comment_count=getattr(article, "comment_count", 0) or 0,
            tags=tuple(
                CardTag(tag.slug, tag.name) for tag in sorted(article.listed_tags, key=lambda t: t.name)
            ),
        )


def card_versions():
    """The versions the cards of a list are kept under: read them before the list's articles
    (see render_cards())."""
    return caching.versions([caching.ARTICLES])


def render_cards(articles, versions):
    """The HTML of the cards of `articles` (for_list() rows with their `comment_count`), each
    from the cache or rendered and stored, with one cache read for the whole list.

    A card shows its article, source and tags, which change only with the SITE and ARTICLES
    versions (every save of an article, source or tag bumps them, articles.caching), and the
    comment count. So it is kept under those `versions`, the article's id and its count, and a
    list whose cards are kept reads no tag and reverses no URL; the tags of the cards to render
    are read in one query. `versions` must be card_versions() read before the articles were:
    rows read before a change was committed are then never kept under the versions after it."""
    template = get_template(CARD_TEMPLATE)
    card_scope = scope(template)
    keys = [
        key("card", card_scope, (versions, article.pk, getattr(article, "comment_count", 0) or 0))
        for article in articles
    ]
    found = cache.get_many_immutable(keys)
    to_render = {
        card_key: article for card_key, article in zip(keys, articles, strict=True) if card_key not in found
    }
    if to_render:
        prefetch_related_objects(list(to_render.values()), listed_tags_prefetch())
        rendered = {
            card_key: template.render({"card": ArticleCard.of(article)})
            for card_key, article in to_render.items()
        }
        cache.set_many_immutable(rendered, caching.KEEP_SECONDS)
        found.update(rendered)
    return mark_safe("".join(found[card_key] for card_key in keys))  # noqa: S308 - autoescaped template output


# Article pages ------------------------------------------------------------------------------------


class ArticlePage:
    """What an article page keeps in the cache besides its discussion thread: the article's row
    (with its source) and the fragments every reader sees the same way ({% kept %} blocks of
    templates/articles/article_detail.html: PARTS), all read in one cache round trip.

    The article's own parts show only articles, tags and sources, so they are keyed by the SITE
    and ARTICLES versions (which every save or deletion of those bumps, see articles.caching), the
    article's slug, the canonical address and scope() of the template. The questions section
    (discussion_tags' questions_section, the same for every reader who cannot curate) also shows
    the discussion's counts, picks and its authors' names: it is keyed by the article's page
    version as well (article_key(), which the discussions app bumps on each such change) and by
    the scope of its own template. A fragment that shows other articles (the related ones) must
    not outlive the next scheduled publication or takedown either, so each fragment carries that
    deadline. Kept whether or not the page cache is on: they are what an uncached page reuses."""

    PARTS = ("meta", "json-ld", "head", "questions", "text", "related")
    TEMPLATE = "articles/article_detail.html"
    # Rendered by discussion_tags' questions_section: a template name, not an import.
    QUESTIONS_TEMPLATE = "discussions/_questions_section.html"

    def __init__(self, slug, *, canonical_url):
        self.slug = slug
        site, articles, discussion = caching.versions([caching.ARTICLES, caching.article_key(slug)])
        page_versions = (site, articles)
        self._row_key = key("article-row", _ROW_SCOPE, (slug, page_versions, _row_fields()))
        part_scope = scope(get_template(self.TEMPLATE), canonical_url)
        digest = key("", part_scope, (slug, page_versions))  # one digest, a key per part
        self._keys = {part: f"article-{part}{digest}" for part in self.PARTS}
        self._keys["questions"] = key(
            "article-questions",
            scope(get_template(self.QUESTIONS_TEMPLATE)),
            (slug, site, articles, discussion),
        )
        self._found = cache.get_many_immutable([self._row_key, *self._keys.values()])

    def article(self):
        """The public article's row from the cache, or read (for_detail()) and kept; None if no
        article has the slug. Whether it is readable now is for the caller to check
        (Article.is_readable): that changes with the clock."""
        row = self._found.get(self._row_key)
        if row is not None:
            return _article_from_row(row)
        try:
            article = Article.objects.for_detail().get(slug=self.slug)
        except Article.DoesNotExist:
            return None
        cache.set_many_immutable({self._row_key: _row_of(article)}, caching.KEEP_SECONDS)
        return article

    def fragment(self, part):
        """The HTML of `part` if it is kept and not past its deadline, else None."""
        entry = self._found.get(self._keys[part])
        if entry is None:
            return None
        html, deadline = entry
        return html if deadline is None or time.time() < deadline else None

    def keep(self, part, html):
        moment = caching.next_change_at()
        timeout = caching.timeout_until(caching.KEEP_SECONDS, moment)
        if timeout:
            deadline = moment.timestamp() if moment else None
            cache.set_many_immutable({self._keys[part]: (html, deadline)}, timeout)


_ROW_SCOPE = b"article-row"


@functools.cache
def _row_fields():
    """The columns kept of an article and of its source: a deploy that adds or removes one
    changes every row's key."""
    return (
        tuple(field.attname for field in Article._meta.concrete_fields),
        tuple(field.attname for field in Source._meta.concrete_fields),
    )


def _row_of(article):
    # Read from the instances' __dict__ as the query left them (a file field's value is still
    # its name there, not the FieldFile its descriptor makes of it).
    article_fields, source_fields = _row_fields()
    return (
        article._state.db,
        tuple(vars(article)[name] for name in article_fields),
        tuple(vars(article.source)[name] for name in source_fields),
    )


def _article_from_row(row):
    database, article_values, source_values = row
    article_fields, source_fields = _row_fields()
    article = Article.from_db(database, article_fields, article_values)
    Article.source.field.set_cached_value(article, Source.from_db(database, source_fields, source_values))
    return article
