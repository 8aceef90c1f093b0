"""Rendered fragments kept in the cache, keyed by everything they show.

A fragment is rendered from a small frozen view object holding exactly the values its template
reads, and stored under a digest of those values and of what else changes the output (the
language, the time zone, the script prefix, the template's source, the translation files). A
value the template shows but the key misses cannot exist, so no fragment is ever stale and
nothing needs invalidating: a changed title, tag or comment count is looked up under a new key,
and the old entry expires unread. The comments of a discussion are kept the same way
(discussions/fragments.py); here are the article cards of the list pages (home, tags, sources,
months), which readers who are signed in get rendered on every visit.
"""

import dataclasses
import datetime
import functools
import hashlib
import os

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from articles import caching

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


def scope(template, *extra):
    """What every fragment of `template` in this request depends on besides its own values;
    `extra`: anything more the caller's fragments depend on (a format number, placeholders)."""
    return "\n".join(
        [
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            hashlib.blake2b(template.template.source.encode(), digest_size=16).hexdigest(),
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
    """What templates/articles/_article_card.html shows of an article of a list (for_list(),
    with `comment_count` set by the discussions' attach_comment_counts)."""

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


def render_cards(articles):
    """The HTML of the cards of `articles`, each from the cache or rendered and stored, with
    one cache read for the whole list."""
    template = get_template(CARD_TEMPLATE)
    card_scope = scope(template)
    cards = [ArticleCard.of(article) for article in articles]
    keys = [key("card", card_scope, card) for card in cards]
    found = cache.get_many(keys)
    missing = {}
    for card_key, card in zip(keys, cards, strict=True):
        if card_key not in found:
            found[card_key] = missing[card_key] = template.render({"card": card})
    if missing:
        cache.set_many(missing, caching.KEEP_SECONDS)
    return mark_safe("".join(found[card_key] for card_key in keys))  # noqa: S308 - autoescaped template output
