"""Turning editors' and readers' text into safe HTML, slugs and reading times.

Markdown is rendered with markdown-it-py and the result always passes through nh3 (Ammonia),
so whatever the parser lets through, only the allowed tags, attributes and URL schemes reach a
page. Callers render once on save and store the HTML; nothing is rendered per request.
"""

import math
import re

import nh3
from django.utils.text import slugify
from markdown_it import MarkdownIt

URL_SCHEMES = frozenset({"http", "https", "mailto"})

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
        "sup", "sub", "figure", "figcaption",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}

COMMENT_TAGS = frozenset(
    {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
COMMENT_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

_article_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# Readers get a subset: no headings, images or tables, so a comment cannot dress up as the article.
_comment_markdown = (
    MarkdownIt("commonmark", {"html": False})
    .enable("strikethrough")
    .disable(["heading", "lheading", "image", "table"], ignoreInvalid=True)
)


def render_article_markdown(text):
    html = _article_markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_comment_markdown(text):
    html = _comment_markdown.render(text or "")
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 220


def reading_minutes(text):
    """Minutes to read text mixing CJK (counted by character) and other scripts (by word)."""
    text = text or ""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    if not cjk and not words:
        return 0
    return max(1, math.ceil(cjk / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))


def unicode_slug(text, *, max_length):
    """A slug that keeps Chinese characters: 大模型 时代 -> 大模型-时代."""
    slug = slugify(text or "", allow_unicode=True)[:max_length].strip("-_")
    return slug
