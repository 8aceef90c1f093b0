"""Running a search: cleaning the reader's query, matching it with the database's backend,
and the results a Paginator pages through, each with its highlighted title and snippet."""

import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag, TaggedItem

from articles.models import Article, ArticleSearchEntry
from articles.search import backends
from articles.search.tokens import WORD, WORD_CHARACTER, query_terms, word_term

MAX_QUERY_LENGTH = 100
MAX_TERMS = 10
# A query matching more articles than this (settings.SEARCH_RANK_LIMIT overrides it) lists them
# newest first instead of ranking them all, and counts them only up to it: ranking costs time
# in proportion to the matches (a one-character query can match most articles), listing the
# newest costs the same whatever their number.
RANK_LIMIT = 2000
SNIPPET_LENGTH = 160
SNIPPET_LEAD_IN = 40
# Control and format characters (bidi overrides, zero-width joiners), surrogates, private-use
# and unassigned code points: none of them can be searched for, some can disguise text.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_query(raw):
    """The query as it is searched and shown back: odd characters gone, whitespace collapsed,
    at most MAX_QUERY_LENGTH characters."""
    raw = (raw or "")[: MAX_QUERY_LENGTH * 4]
    text = "".join(" " if unicodedata.category(char) in _DROPPED_CATEGORIES else char for char in raw)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_articles(query, *, tag=None, source=None, params=None):
    """Published articles matching every term of `query`, best first (newest first when there
    are more than the rank limit), optionally only those with the tag slug `tag` or from the
    source slug `source`. Query syntax of any engine is plain text here. Returns SearchResults,
    which a Paginator pages through; `params`, the results page's query string (a QueryDict),
    is what each hit's tag links start from."""
    return SearchResults(query_terms(clean_query(query))[:MAX_TERMS], tag=tag, source=source, params=params)


def filter_link(params, name):
    """A function giving for a value the address of this page filtered by `name`=value, back
    on its first page: exactly what {% querystring name=value page=None %} writes (the other
    parameters in their order, `name` where the reader had it, else last), with the page's
    other parameters encoded once rather than once for every link."""
    params = params.copy()
    params.pop("page", None)
    params[name] = ""  # holds its place
    # Keys and values are encoded with their "&", so the pairs split apart exactly.
    pairs = params.urlencode().split("&")
    at = pairs.index(f"{quote_plus(name)}=")
    start = "?" + "".join(f"{pair}&" for pair in pairs[:at]) + pairs[at]
    end = "".join(f"&{pair}" for pair in pairs[at + 1 :])
    return lambda value: f"{start}{quote_plus(str(value))}{end}"


def slug_url(view_name):
    """A function giving reverse(view_name, kwargs={"slug": slug}) for the slug of a SlugField
    (letters, digits, "_" and "-", Unicode ones too) of a view taking only that slug, reversed
    once: reverse() costs some 60 us, and a page of hits needs two for every hit. The slug is
    quoted as reverse() quotes it."""
    start, _, end = reverse(view_name, kwargs={"slug": "_"}).rpartition("_")
    return lambda slug: f"{start}{quote(slug, safe=_URL_SAFE)}{end}"


# What reverse() leaves unquoted: the sub-delimiters and the other `pchar` of RFC 3986.
_URL_SAFE = "!$&'()*+,;=/~:@"


@dataclass
class SearchHit:
    article: Article
    rank: float | None  # None when newest first
    tags: list
    title_html: SafeString
    snippet_html: SafeString
    url: str  # the article's get_absolute_url()
    source_url: str  # its source's
    tag_links: list  # (tag, the address of the results with that tag) for each tag


class SearchResults:
    """A lazy, sliceable sequence of SearchHit. Counting costs one query (reading the ids of up
    to rank_limit + 1 matches); a slice three (the ranked or newest ids, the articles with their
    source and entry, their tags).

    Up to `rank_limit` matches are counted exactly and ranked. Beyond it `newest_first` is
    true: the count stops at the limit (so pages end there) and the matches come newest first,
    unranked."""

    def __init__(self, terms, *, tag=None, source=None, params=None):
        self.terms = terms
        self.tag = tag
        self.source = source
        self._tag_link = filter_link(QueryDict() if params is None else params, "tag")
        self.rank_limit = max(1, int(getattr(settings, "SEARCH_RANK_LIMIT", RANK_LIMIT)))

    @cached_property
    def _highlighter(self):
        """A pattern finding the CJK terms as typed and the words that may share a term with
        the query's words, and those terms: a word is marked when its own term is one of them,
        so model marks Models and modelling but not modest."""
        literals = {re.escape(term.text) for term in self.terms if term.is_cjk}
        words = [term for term in self.terms if not term.is_cjk]
        # A word and its stem share their start (scaling, scale: scal), and so do its other forms.
        starts = {os.path.commonprefix([term.text, term.terms[0]]) or term.text for term in words}  # noqa: RUF071
        alternatives = sorted(literals, key=len, reverse=True)
        if starts:
            prefixes = "|".join(re.escape(start) for start in sorted(starts, key=len, reverse=True))
            alternatives.append(f"(?<!{WORD_CHARACTER})(?:{prefixes}){WORD_CHARACTER}*")
        pattern = re.compile("|".join(alternatives) or "(?!)", re.IGNORECASE)
        return pattern, {term.terms[0] for term in words}

    def _marks(self, text):
        pattern, word_terms = self._highlighter
        for match in pattern.finditer(text):
            found = match.group()
            if not WORD.fullmatch(found) or word_term(found) in word_terms:
                yield match.start(), match.end()

    @cached_property
    def _visible(self):
        visible = ArticleSearchEntry.objects.published()
        if self.tag:
            # The tag and the content type are found once (uncorrelated subqueries), not
            # joined in for every entry checked.
            tag_id = Tag.objects.filter(slug=self.tag).values("pk")[:1]
            article_type = ContentType.objects.filter(app_label="articles", model="article").values("pk")[:1]
            visible = visible.filter(
                backends.current().tagged(
                    TaggedItem.objects.filter(content_type_id=Subquery(article_type), tag_id=Subquery(tag_id))
                )
            )
        if self.source:
            visible = visible.filter(source__slug=self.source)
        return visible.values(*backends.current().visible_columns).query.sql_with_params()

    def count(self):
        """The number of matches, or rank_limit when there are more."""
        if not self.terms:
            return 0
        if not hasattr(self, "_count"):
            # The ids themselves, not a count: ranking them needs no second search.
            sql, params = backends.current().matches(self.terms, self._visible, ranked=False)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT m.article_id FROM ({sql}) m LIMIT {self.rank_limit + 1}", params)  # noqa: S608
                self._ids = [article_id for (article_id,) in cursor.fetchall()]
            self._count = min(len(self._ids), self.rank_limit)
            self._newest_first = len(self._ids) > self.rank_limit
        return self._count

    @property
    def newest_first(self):
        """Whether there are more matches than rank_limit, listed newest first."""
        return bool(self.count()) and self._newest_first

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop is not None and key.stop < 0):
            raise ValueError("SearchResults supports forward slices only.")
        start = key.start or 0
        # Never past the count: when it is capped, the pages end there.
        stop = self.count() if key.stop is None else min(key.stop, self.count())
        if stop <= start:
            return []
        window = f"LIMIT {int(stop - start)} OFFSET {int(start)}"
        backend = backends.current()
        with connection.cursor() as cursor:
            if self.newest_first:
                sql, params = backend.newest(self.terms, self._visible)
                with backend.newest_plan(cursor):
                    cursor.execute(
                        f"SELECT m.article_id, NULL FROM ({sql}) m "  # noqa: S608
                        f"ORDER BY m.publish_at DESC, m.article_id DESC {window}",
                        params,
                    )
                    ranked = cursor.fetchall()
            else:
                sql, params = backend.ranked(self.terms, self._visible, self._ids)
                cursor.execute(
                    f"SELECT m.article_id, m.rank FROM ({sql}) m "  # noqa: S608
                    f"ORDER BY m.rank, m.publish_at DESC, m.article_id DESC {window}",
                    params,
                )
                ranked = cursor.fetchall()
        ids = [article_id for article_id, _ in ranked]
        articles = (
            Article.objects.filter(pk__in=ids)
            .select_related("source", "search_entry")
            .defer(
                *("body", "body_html", "summary", "summary_html"),
                *("search_entry__search_vector", "search_entry__rank_vector"),
            )
            .order_by()
            .in_bulk()
        )
        # One query for all their tags (taggit's own prefetch builds a queryset per article), a
        # row for each tag of each article, read as tags alone.
        tags = defaultdict(list)
        for tag in (
            Tag.objects.filter(
                taggit_taggeditem_items__content_type__app_label="articles",
                taggit_taggeditem_items__content_type__model="article",
                taggit_taggeditem_items__object_id__in=ids,
            )
            .annotate(tagged_id=F("taggit_taggeditem_items__object_id"))
            .order_by("name")
        ):
            tags[tag.tagged_id].append(tag)
        urls = {"article_url": slug_url("articles:detail"), "source_url": slug_url("articles:source")}
        return [
            self._hit(articles[article_id], rank, tags[article_id], **urls)
            for article_id, rank in ranked
            if article_id in articles
        ]

    def _hit(self, article, rank, tags, *, article_url, source_url):
        entry = article.search_entry
        return SearchHit(
            article=article,
            rank=rank,
            tags=tags,
            title_html=self.highlight(article.title),
            snippet_html=self.snippet(entry.summary, entry.lead, entry.body),
            url=article_url(article.slug),
            source_url=source_url(article.source.slug),
            tag_links=[(tag, self._tag_link(tag.slug)) for tag in tags],
        )

    def highlight(self, text):
        """text HTML-escaped, with every match of a term in <mark>."""
        pieces, end = [], 0
        for start, stop in self._marks(text):
            pieces.append(escape(text[end:start]))
            pieces.append(f"<mark>{escape(text[start:stop])}</mark>")
            end = stop
        pieces.append(escape(text[end:]))
        return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped above

    def snippet(self, *texts):
        """About SNIPPET_LENGTH characters around the first match in the first text that has
        one, highlighted; the start of the first non-empty text when none has."""
        texts = [" ".join(text.split()) for text in texts if text and text.strip()]
        if not texts:
            return mark_safe("")
        for text in texts:
            first = next(self._marks(text), None)
            if first:
                start = max(0, first[0] - SNIPPET_LEAD_IN)
                break
        else:
            text, start = texts[0], 0
        end = start + SNIPPET_LENGTH
        window = self.highlight(text[start:end])
        return mark_safe(("…" if start else "") + window + ("…" if end < len(text) else ""))  # noqa: S308
