"""Rendered comments kept in the cache, keyed by everything they show.

A comment's fragment (templates/discussions/_comment.html without its replies) is stored under
a digest of every value the template reads (VALUES: the comment's text, status, score, author's
name, question number, and the reader-dependent flags: may vote, voted, may edit, ...) and of
what else changes its output (language, time zone, script prefix, the template's source, the
translation files, the CSRF placeholder). The template is rendered from exactly those values
(a CommentView), never from the model, so a value it shows but the key misses cannot exist:
no fragment is ever stale, and nothing needs to be invalidated. An edited comment, a vote, a
moderation decision or a renamed author changes a value, so the comment is looked up under a
new key; the old entry expires unread.

Fragments are shared by every reader whose flags match (all anonymous readers, the signed-in
readers who did not write the comment...), survive new comments on the same article (the page
rendered after someone posts reuses every other comment) and are used whether or not the whole
page is cached, like the counts of articles/caching.py.

CSRF tokens
    Forms inside a comment (vote, follow, staff controls) carry {% csrf_token %}. A fragment is
    rendered with a placeholder instead (an HMAC of the secret key, so no comment can contain
    it), and each page puts in the token of its own context: the reader's, or the page cache's
    own placeholder while a page is rendered for the page cache (articles/caching.py), which
    then puts in each reader's token. No token is ever stored in a fragment.
"""

import dataclasses
import functools
import operator

from django.conf import settings
from django.core.cache import cache
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import caching
from articles.fragments import key as fragment_key
from articles.fragments import scope as fragment_scope
from discussions.importing import IMPORT_USERNAME

TEMPLATE = "discussions/_comment.html"
# Bumped when what a fragment is made of changes in Python (this module), not in the template.
FORMAT = 1


@dataclasses.dataclass(frozen=True, slots=True)
class CommentView:
    """What the comment template is rendered from: the values of a prepared comment
    (threads.load_thread, threads.prepare_comment) that it shows, and what follows from them
    alone. The template reads nothing else (tests/discussions/test_fragments.py renders
    comments from a CommentView and from the prepared model and compares)."""

    pk: int
    depth: int
    status: str
    is_deleted: bool
    author_id: int | None
    author_username: str
    author_name: str
    created_at: object
    edited_at: object
    question_id: int | None
    question_number: int | None
    is_pick: bool
    moderation_reason: str
    body_html: str
    score: int
    voted: bool
    reported: bool
    followed: bool
    can_vote: bool
    can_reply: bool
    can_edit: bool
    can_delete: bool
    can_report: bool
    can_follow: bool
    can_curate: bool
    can_moderate: bool
    can_pin: bool
    move_choices: tuple  # ((question pk, number, text), ...)

    @property
    def is_pending(self):
        return self.status == "pending"

    @property
    def anchor(self):
        # A string: an integer would be localised each of the ten times it is shown.
        return f"comment-{self.pk}"

    @property
    def author_imported(self):
        return self.author_username == IMPORT_USERNAME

    @property
    def author_url(self):
        return author_url(self.author_username)

    @property
    def urls(self):
        return comment_urls(self.pk, self.question_id)


# The key of a fragment holds these values of the comment, in this order.
VALUES = tuple(field.name for field in dataclasses.fields(CommentView))
_values_of = operator.attrgetter(*VALUES)


def set_author_values(comment):
    """The values of VALUES about the comment's author (the flags are set by
    threads._set_permissions)."""
    author = comment.author
    comment.author_username = author.username if author is not None else ""
    comment.author_name = author.public_name if author is not None else ""


def set_derived_values(comment):
    """What CommentView derives, on a prepared comment model rendered without render_tree()
    (the views that re-render one comment)."""
    view = CommentView(*_values_of(comment))
    comment.anchor = view.anchor
    comment.author_imported = view.author_imported
    comment.author_url = view.author_url
    comment.urls = view.urls


def author_url(username):
    return reverse("accounts:profile", kwargs={"username": username}) if username else ""


# Comment URLs differ only by the comment's id: each is reversed once per process (and URL
# configuration and script prefix) with a stand-in id, then filled in.
_STAND_IN = 2_147_483_647
_COMMENT_URLS = (
    "comment",
    "vote",
    "reply",
    "edit",
    "delete",
    "report",
    "follow_thread",
    "pin",
    "move",
    "moderation_comment",
)


@functools.cache
def _url_parts(urlconf, prefix):
    parts = {}
    for name in (*_COMMENT_URLS, "unpin"):
        before, _, after = reverse(f"discussions:{name}", args=[_STAND_IN], urlconf=urlconf).partition(
            str(_STAND_IN)
        )
        parts[name] = (before, after)
    return parts


def comment_urls(pk, question_id=None):
    """The URLs of a comment's actions, by URL name (and "unpin" its question's pick)."""
    parts = _url_parts(get_urlconf(), get_script_prefix())
    urls = {name: f"{parts[name][0]}{pk}{parts[name][1]}" for name in _COMMENT_URLS}
    if question_id is not None:
        urls["unpin"] = f"{parts['unpin'][0]}{question_id}{parts['unpin'][1]}"
    return urls


# Keys --------------------------------------------------------------------------------------------


@functools.cache
def _markers(secret_key):
    # Unguessable, so no comment can contain one and have a token or replies put in its place.
    return caching.secret_marker("fragment-csrf"), caching.secret_marker("fragment-replies")


def _placeholders():
    return _markers(settings.SECRET_KEY)


def _scope(template):
    """What every fragment of this request depends on besides its own values."""
    return fragment_scope(template, FORMAT, "|".join(_placeholders()))


def _key(scope, values):
    return fragment_key("cfrag", scope, values)


def _lookup(keys):
    return cache.get_many_immutable(keys)


def _store(entries):
    cache.set_many_immutable(entries, caching.KEEP_SECONDS)


# Rendering ---------------------------------------------------------------------------------------


def _keyed(comments, template):
    """{pk: (key, values)} of `comments` and all their replies."""
    scope = _scope(template)
    keyed = {}
    stack = list(comments)
    while stack:
        comment = stack.pop()
        values = _values_of(comment)
        keyed[comment.pk] = (_key(scope, values), values)
        stack.extend(comment.children)
    return keyed


def keys_for(comments):
    """The cache keys of the fragments of `comments` and their replies, by comment id."""
    return {pk: key for pk, (key, _) in _keyed(comments, get_template(TEMPLATE)).items()}


def render_tree(comments, *, csrf_token):
    """The HTML of `comments` (prepared by threads.load_thread) and their `children`, each
    comment from the cache or rendered and stored; `csrf_token` is the page context's."""
    template = get_template(TEMPLATE)
    csrf_marker, replies_marker = _placeholders()
    keys = _keyed(comments, template)
    found = _lookup([key for key, _ in keys.values()])
    rendered = {}
    missing = {}
    for pk, (key, values) in keys.items():
        parts = found.get(key)
        if parts is None:
            context = {"comment": CommentView(*values), "csrf_token": csrf_marker, "replies": replies_marker}
            html = template.render(context)
            head, _, tail = html.rpartition(replies_marker)
            parts = missing[key] = (head, tail)
        rendered[pk] = parts
    if missing:
        _store(missing)

    out = []

    def emit(comment):
        head, tail = rendered[comment.pk]
        out.append(head)
        for child in comment.children:
            emit(child)
        out.append(tail)

    for comment in comments:
        emit(comment)
    html = "".join(out)
    input_marker = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_marker)
    if input_marker in html:
        html = html.replace(input_marker, CsrfTokenNode().render(Context({"csrf_token": csrf_token})))
    return mark_safe(html)  # noqa: S308 - rendered by the template, with autoescaping
