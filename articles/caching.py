"""Whole pages for anonymous readers from the cache, invalidated exactly when they change.

Version keys
    A change never deletes anything: it bumps a version. Every cached page is stored with the
    versions of what it shows, under a key naming the page alone (so its versions and the page
    are read together, one round trip to Redis), and an entry whose versions are no longer the
    current ones is a miss: the page is rendered again and replaces it. Counts and fragments
    have the versions in their keys instead (old entries expire unread). There are four kinds:

    SITE             everything (bulk loads, a deleted account, invalidate_all())
    ARTICLES         which articles are public and what they say, their tags and sources: every
                     list, feed and article page (article pages list related articles)
    COUNTS           comment counts, shown on lists
    article <slug>   one article page: its discussion, questions and thread state

    A change bumps its versions right away and again once its transaction commits. The second
    bump is the one that matters: a reader who rendered the page between the first bump and the
    commit saw the old rows and stored them under the new versions; the bump after the commit
    moves past that entry.

    The articles app bumps on its own saves (receivers below, connected by ArticlesConfig); the
    discussions app calls bump_article()/bump_counts() from discussions/caching.py.

The clock
    Scheduled publication, takedown times and comments closing with age change pages with no
    save at all. Entries therefore never outlive the next such moment: next_change_at() asks
    every registered schedule (register_schedule()) for its next one.

Where versions live
    With a shared cache (Redis) they are keys in it, incremented atomically, so every server
    process and machine sees a bump at once. The local-memory cache is one per process, so
    there the versions live in a small file mapped into memory by every process of the machine
    (_FileVersions) and each process keeps its own copies of the pages; several machines need
    REDIS_URL.

CSRF tokens and CSP nonces
    Pages for readers who are not signed in carry no CSRF token (the language switcher needs
    none, and htmx's header is only there for signed-in readers), so they set no cookie and a
    hit is the same bytes for everyone but the nonce of the JSON-LD block. Should a cached page
    carry a token anyway (a form added later), it is rendered with placeholders instead
    (page_cache_placeholders(), a context processor), and each response, from the cache or not,
    gets the reader's own token and a fresh nonce put in. The token comes from get_token(), so
    the CSRF cookie is set exactly as on an uncached page, and no cookie, token or nonce is
    ever stored in or shared through the cache.
"""

import functools
import hashlib
import hmac
import logging
import math
import mmap
import os
import struct
import tempfile
import threading
import time
from datetime import UTC, datetime

from asgiref.local import Local
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

SITE = "site"
ARTICLES = "articles"
COUNTS = "counts"
# When a user who commented on more articles than this changes their name, everything goes.
MAX_ARTICLE_BUMPS = 500
# How long counts, fragments and the next scheduled change are kept at most, whatever the page
# cache's own setting: their versions invalidate them, this only bounds what a lost bump costs.
KEEP_SECONDS = 3600
# Headers of the view's response kept with the page; the middleware adds the rest each time.
_KEPT_HEADERS = {"content-type", "content-language", "last-modified", "x-robots-tag", "link"}


def page_timeout():
    """Seconds a page may stay cached at most (QINGTAN_PAGE_CACHE_SECONDS); 0 turns caching off."""
    return settings.QINGTAN["PAGE_CACHE_SECONDS"]


def secret_marker(purpose):
    """A placeholder for what a cached page or fragment gets per response: unguessable, so no
    comment or title can contain it and have a token put in its place."""
    digest = hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:32]
    return f"qtph{digest}"


@functools.cache
def _markers():
    return secret_marker("csrf"), secret_marker("nonce")


# Versions -----------------------------------------------------------------------------------------


def article_key(slug):
    return "article:" + hashlib.blake2b(slug.encode(), digest_size=12).hexdigest()


class _CacheVersions:
    """Versions as integers in the (shared) cache."""

    def __init__(self, backend):
        self.backend = backend
        self.pending_site_bump = False

    @staticmethod
    def _key(name):
        return f"pv:{name}"

    def get_many(self, names):
        if self.pending_site_bump:
            self._retry_site_bump()
        found = self.backend.get_many([self._key(name) for name in names])
        versions = {}
        for name in names:
            value = found.get(self._key(name))
            if value is None:
                # Never seen or evicted: any value no earlier page was stored under will do.
                fresh = time.time_ns()
                self.backend.add(self._key(name), fresh, None)
                value = self.backend.get(self._key(name), fresh)
            versions[name] = value
        return versions

    def get_many_with(self, names, key):
        """The versions of `names` and the cache entry at `key`, in one round trip to the cache
        server (a page-cache hit is then one MGET, not two GETs)."""
        if self.pending_site_bump:
            return self.get_many(names), self.backend.get(key)
        version_keys = [self._key(name) for name in names]
        found = self.backend.get_many([key, *version_keys])
        if any(version_key not in found for version_key in version_keys):
            return self.get_many(names), found.get(key)
        return {name: found[self._key(name)] for name in names}, found.get(key)

    def bump(self, name):
        key = self._key(name)
        try:
            self.backend.incr(key)
        except ValueError:  # missing, or the cache is unreachable
            fresh = time.time_ns()
            self.backend.set(key, fresh, None)
            if self.backend.get(key) != fresh:
                # Unreachable (config.cache fails open). Pages stored before the outage could be
                # served again once it is back, so everything is invalidated as soon as it is.
                self.pending_site_bump = True

    def _retry_site_bump(self):
        fresh = time.time_ns()
        self.backend.set(self._key(SITE), fresh, None)
        if self.backend.get(self._key(SITE)) == fresh:
            self.pending_site_bump = False
            logger.info("Page cache reachable again: every cached page invalidated")


class _FileVersions:
    """Versions in a file every process of the machine maps into memory: 65,536 counters of
    8 bytes; a name hashes to one counter (two names sharing one only invalidate a little too
    much). Reads are memory reads; a bump holds an exclusive lock on the file."""

    SLOTS = 1 << 16

    def __init__(self, path):
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = self.SLOTS * 8
        if os.fstat(fd).st_size < size:
            os.ftruncate(fd, size)
        self.fd = fd
        self.map = mmap.mmap(fd, size)
        self.lock = threading.Lock()

    def _offset(self, name):
        digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.SLOTS * 8

    def get_many(self, names):
        return {name: struct.unpack_from("<Q", self.map, self._offset(name))[0] for name in names}

    def get_many_with(self, names, key):
        return self.get_many(names), cache.get(key)

    def bump(self, name):
        import fcntl

        offset = self._offset(name)
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                (value,) = struct.unpack_from("<Q", self.map, offset)
                struct.pack_into("<Q", self.map, offset, (value + 1) % (1 << 64))
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_stores = {}
_stores_lock = threading.Lock()


def _versions_path():
    database = settings.DATABASES["default"]
    identity = "|".join(
        str(part)
        for part in (settings.BASE_DIR, database.get("NAME"), database.get("HOST"), database.get("PORT"))
    )
    digest = hashlib.blake2b(identity.encode(), digest_size=8).hexdigest()
    return os.path.join(tempfile.gettempdir(), f"qingtan-page-versions-{digest}")


def _in_memory_database():
    # Only this process sees an in-memory database (the tests'), so its own cache is the place.
    name = str(settings.DATABASES["default"].get("NAME"))
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and (
        name == ":memory:" or "mode=memory" in name
    )


def _store():
    backend = caches["default"]
    database = settings.DATABASES["default"]
    identity = (
        settings.CACHES["default"]["BACKEND"],
        str(settings.CACHES["default"].get("LOCATION", "")),
        str(database.get("NAME")),
    )
    store = _stores.get(identity)
    if store is None:
        with _stores_lock:
            store = _stores.get(identity)
            if store is None:
                if isinstance(backend, LocMemCache) and hasattr(os, "fork") and not _in_memory_database():
                    store = _FileVersions(_versions_path())
                else:
                    store = _CacheVersions(cache)
                _stores[identity] = store
    return store


# Versions are read once a request: the page cache, the counts and the fragments of one page all
# ask for the same few, and on Redis each read is a round trip (an article page made seven).
# A value read earlier in the request is as safe as one read now: what is stored is stored under
# versions read before the rows it shows, and a bump moves past it. The request's own bumps
# forget what they change, so it reads its own changes.
_request = Local()


def _request_started(**kwargs):
    _request.versions = {}
    _request.counts = {}


def _request_finished(**kwargs):
    _request.versions = _request.counts = None


def _remembered(kind):
    """This request's remembered `kind` ("versions" or "counts"), or None outside a request."""
    return getattr(_request, kind, None)


def _read_versions(names):
    """{name: version} of `names`, each read from the store at most once a request."""
    remembered = _remembered("versions")
    if remembered is None:
        return _store().get_many(names)
    missing = [name for name in names if name not in remembered]
    if missing:
        remembered.update(_store().get_many(missing))
    return remembered


def versions(names):
    """The current versions of `names` (SITE, ARTICLES, COUNTS, article_key(slug)), as a tuple."""
    found = _read_versions([SITE, *names])
    return tuple(found[name] for name in (SITE, *names))


def versions_and_entry(names, key):
    """versions(names) and the page entry at `key`, read together. With Redis, the process's
    copy of the entry is served if it was stored under the current versions: then only the
    versions, a few bytes, come from Redis, not the whole page through its client."""
    names = [SITE, *names]
    copies = getattr(cache, "copies", None)
    copy = copies.get(key) if copies is not None else None
    remembered = _remembered("versions")
    if copy is not None or (remembered is not None and remembered.keys() >= set(names)):
        found = _read_versions(names)
        current = tuple(found[name] for name in names)
        if copy is not None and _is_fresh(copy, current):
            return current, copy
        entry = cache.get(key)  # stored by another process under newer versions, perhaps
    else:
        found, entry = _store().get_many_with(names, key)
        if remembered is not None:
            remembered.update(found)
        current = tuple(found[name] for name in names)
    if copies is not None and _is_fresh(entry, current):
        copies.set(key, entry, entry[3] - time.time())
    return current, entry


def _store_page(key, entry, timeout):
    """Store a page entry (status, headers, content, deadline, versions), and the process's copy."""
    cache.set(key, entry, timeout)
    copies = getattr(cache, "copies", None)
    if copies is not None:
        copies.set(key, entry, timeout)


def _bump_now(names):
    store = _store()
    remembered = _remembered("versions")
    for name in names:
        store.bump(name)
        if remembered is not None:
            remembered.pop(name, None)


def bump(*names):
    """Invalidate every page that shows `names`: now, and again after the current transaction
    commits (see the module docstring)."""
    _bump_now(names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(functools.partial(_bump_now, names))


def bump_article(slug):
    """One article's page: its discussion changed."""
    bump(article_key(slug))


def bump_articles(slugs):
    slugs = set(slugs)
    if len(slugs) > MAX_ARTICLE_BUMPS:
        bump(SITE)
    else:
        bump(*(article_key(slug) for slug in slugs))


def bump_counts():
    bump(COUNTS)


def invalidate_all():
    bump(SITE)


# The clock ----------------------------------------------------------------------------------------

_schedules = []


def register_schedule(schedule):
    """`schedule(now)` returns the next moment after `now` at which some public page changes by
    the passing of time alone (or None). Cached pages never outlive the earliest of them."""
    if schedule not in _schedules:
        _schedules.append(schedule)


def _articles_schedule(now):
    """The next publish time or takedown time still to come: one query, each half of it on an
    index (article_status_published_idx, article_takedown_idx)."""
    from articles.models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .order_by()
        .values_list("publish_at", flat=True)
    )
    taken_down = (
        Article.objects.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.ARCHIVED], takedown_at__gt=now
        )
        .order_by()
        .values_list("takedown_at", flat=True)
    )
    moments = list(upcoming.union(taken_down, all=True).order_by("publish_at")[:1])
    return moments[0] if moments else None


register_schedule(_articles_schedule)


def next_change_at():
    """The next moment a public page changes by the clock, or None; remembered in the cache
    until then or until an article changes."""
    key = "pv:next-change:" + ":".join(str(v) for v in versions([ARTICLES]))
    now = timezone.now()
    cached = cache.get(key)
    if cached is not None:
        moment = datetime.fromtimestamp(cached, tz=UTC) if cached else None
        if moment is None or moment > now:
            return moment
    moments = [moment for schedule in _schedules if (moment := schedule(now)) is not None]
    moment = min(moments, default=None)
    timeout = KEEP_SECONDS if moment is None else min(KEEP_SECONDS, (moment - now).total_seconds())
    if timeout >= 1:
        cache.set(key, moment.timestamp() if moment else 0, math.floor(timeout))
    return moment


def timeout_for(limit=None):
    """Seconds something rendered now may be cached: `limit` (default: the page cache's time),
    cut at the next change the clock brings. 0: do not cache."""
    limit = page_timeout() if limit is None else limit
    if not limit:
        return 0
    return timeout_until(limit, next_change_at())


def timeout_until(limit, moment):
    """`limit` seconds, cut at `moment` (the next change the clock brings, or None); 0: do not cache."""
    if moment is not None:
        limit = min(limit, (moment - timezone.now()).total_seconds())
    return max(0, math.floor(limit))


# The page cache -----------------------------------------------------------------------------------


def page_cache_placeholders(request):
    """Context processor: while a page is rendered for the cache, the CSRF token is a
    placeholder (the nonce is one already, see anonymous_page)."""
    if getattr(request, "_page_cache_render", False):
        return {"csrf_token": _markers()[0]}
    return {}


def _cacheable_request(request, params):
    if request.method not in ("GET", "HEAD"):
        return False
    if any(name not in params for name in request.GET):
        return False  # unknown parameters: not worth an entry, and cannot fill the cache
    if request.user.is_authenticated:
        return False
    return not len(get_messages(request))


def _page_key(request, view_name, language=None):
    identity = "\n".join(
        [
            view_name,
            request.scheme,
            request.get_host(),
            request.path,
            "&".join(f"{name}={values}" for name, values in sorted(request.GET.lists())),
            language or getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            "htmx" if request.headers.get("HX-Request") == "true" else "",
        ]
    )
    return "page:" + hashlib.blake2b(identity.encode(), digest_size=20).hexdigest()


def _is_fresh(entry, page_versions):
    """Whether a stored page (status, headers, content, deadline, versions) may be served: stored
    under the current versions, and its own deadline not passed. The deadline, not only the
    cache's expiry: scheduled changes must not be missed when the cache server's clock and ours
    disagree."""
    return (
        isinstance(entry, tuple) and len(entry) == 5 and entry[4] == page_versions and time.time() < entry[3]
    )


def _personalised(request, content):
    """The stored page with this reader's CSRF token and this response's nonce put in."""
    csrf_marker, nonce_marker = (marker.encode() for marker in _markers())
    if csrf_marker in content:
        content = content.replace(csrf_marker, get_token(request).encode())
    nonce = getattr(request, "_csp_nonce", None)
    if nonce is not None and nonce_marker in content:
        content = content.replace(nonce_marker, str(nonce).encode())
    return content


def anonymous_page(depends_on, *, params=()):
    """Serve the view's page to anonymous readers from the cache.

    depends_on: the version names the page shows (ARTICLES, COUNTS) and, with "article", the
    page of the article whose slug is the view's `slug` argument. params: the query parameters
    the view reads; a request with any other parameter is rendered but not cached.

    Only GET/HEAD requests of readers who are not signed in and have no pending messages are
    served from or stored in the cache, and only 200 responses that set no cookie. Entries are
    keyed by scheme, host, path, query, language and HX-Request (the response varies on both
    headers) besides the versions.
    """
    params = frozenset(params)

    def decorator(view):
        view_name = f"{view.__module__}.{getattr(view, '__qualname__', type(view).__name__)}"
        spec = _PageSpec(view_name, tuple(depends_on), params)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not page_timeout() or not _cacheable_request(request, params):
                return view(request, *args, **kwargs)
            key = _page_key(request, view_name)
            page_versions, entry = versions_and_entry(spec.version_names(kwargs), key)
            if _is_fresh(entry, page_versions):
                response = _from_entry(request, entry)
                response["X-Page-Cache"] = "hit"
                return response

            response, own_token = _render_with_placeholders(request, view, args, kwargs)
            patch_vary_headers(response, ["HX-Request"])
            if getattr(response, "streaming", False) or response.status_code != 200:
                return response
            stored = response.content
            response.content = _personalised(request, stored)
            response["X-Page-Cache"] = "miss"
            timeout = timeout_for()
            if timeout and not own_token and not response.cookies:
                headers = [(name, value) for name, value in response.items() if name.lower() in _KEPT_HEADERS]
                deadline = time.time() + timeout
                _store_page(key, (response.status_code, headers, stored, deadline, page_versions), timeout)
                # For EarlyPageCacheMiddleware, which stores the page with its final headers.
                request._page_cache_stored = (key, stored, deadline, timeout, page_versions)
            return response

        # Read by EarlyPageCacheMiddleware through the resolved view (functools.wraps copies it
        # onto the decorators outside this one).
        wrapper.page_cache_spec = spec
        return wrapper

    return decorator


class _PageSpec:
    def __init__(self, view_name, depends_on, params):
        self.view_name = view_name
        self.depends_on = depends_on
        self.params = params

    def version_names(self, view_kwargs):
        names = [name for name in self.depends_on if name != "article"]
        if "article" in self.depends_on:
            names.append(article_key(view_kwargs["slug"]))
        return names


def _render_with_placeholders(request, view, args, kwargs):
    """The view's response rendered with the placeholders, and whether it holds a real CSRF
    token anyway (a template rendered without the request calls get_token() itself): such a
    page belongs to one reader and is not stored."""
    nonce = getattr(request, "_csp_nonce", None)
    token_wanted_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request._page_cache_render = True
    request._csp_nonce = _markers()[1]
    try:
        response = view(request, *args, **kwargs)
    finally:
        request._page_cache_render = False
        request._csp_nonce = nonce
    own_token = not token_wanted_before and request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    return response, own_token


def _from_entry(request, entry):
    status, headers, content, _, _ = entry
    response = HttpResponse(_personalised(request, content), status=status)
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ["HX-Request"])
    return response


class EarlyPageCacheMiddleware:
    """Answers page-cache hits for readers without a session before the session, locale,
    authentication, message and other middleware run: a hit then costs a cache lookup and the
    reader's CSRF token, not the whole stack.

    A request takes this path only if it carries no session cookie and no message cookie (so
    the reader is anonymous and has nothing pending), is a GET or HEAD of a page served by
    anonymous_page() and has no unknown query parameter. Such pages are stored here with the
    headers the whole stack gave them (minus cookies, the length and X-Page-Cache), the nonce
    of the Content-Security-Policy header replaced by the placeholder the body carries. A hit
    gets a fresh nonce, and the CSRF token and cookie from CsrfViewMiddleware's own methods,
    exactly as the full stack would set them. Every other request, and every miss, goes
    through the stack; anonymous_page() still answers hits of readers with a session.

    Sits right after WhiteNoise and RejectNulCharactersMiddleware, before SessionMiddleware."""

    _DROPPED_HEADERS = {"set-cookie", "content-length", "x-page-cache"}

    def __init__(self, get_response):
        from django.middleware.csrf import CsrfViewMiddleware

        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        slot = self._full_page_slot(request)
        if slot is not None:
            page_versions, entry = versions_and_entry(*slot)
            if _is_fresh(entry, page_versions):
                return self._hit(request, entry)
        response = self.get_response(request)
        stored = getattr(request, "_page_cache_stored", None)
        if slot is not None and stored is not None:
            self._store(request, response, stored)
        return response

    def _full_page_slot(self, request):
        """The version names of the request's page and the key of its full entry, or None if it
        must go through the stack."""
        from django.utils.translation import get_language_from_request

        if request.method not in ("GET", "HEAD") or not page_timeout():
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or _MESSAGES_COOKIE in cookies:
            return None
        resolved = _resolved_page(settings.ROOT_URLCONF, request.path_info)
        if resolved is None:
            return None
        spec, view_kwargs = resolved
        if any(name not in spec.params for name in request.GET):
            return None
        language = get_language_from_request(request)
        return spec.version_names(view_kwargs), _full_key(_page_key(request, spec.view_name, language))

    def _hit(self, request, entry):
        from django.utils.csp import LazyNonce

        status, headers, content, _, _ = entry
        csrf_marker, nonce_marker = _markers()
        needs_token = csrf_marker.encode() in content
        if needs_token:
            self.csrf.process_request(request)
        request._csp_nonce = nonce = str(LazyNonce())
        response = HttpResponse(_personalised(request, content), status=status)
        for name, value in headers:
            response[name] = value.replace(nonce_marker, nonce)
        response["Content-Length"] = str(len(response.content))
        response["X-Page-Cache"] = "hit"
        return self.csrf.process_response(request, response) if needs_token else response

    def _store(self, request, response, stored):
        key, content, deadline, timeout, page_versions = stored
        if response.status_code != 200 or set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
            return
        nonce = getattr(request, "_csp_nonce", None)
        nonce = str(nonce) if nonce is not None else None
        nonce_marker = _markers()[1]
        headers = [
            (name, value.replace(nonce, nonce_marker) if nonce else value)
            for name, value in response.items()
            if name.lower() not in self._DROPPED_HEADERS
        ]
        entry = (response.status_code, headers, content, deadline, page_versions)
        _store_page(_full_key(key), entry, timeout)


_MESSAGES_COOKIE = CookieStorage.cookie_name


@functools.lru_cache(maxsize=4096)
def _resolved_page(urlconf, path):
    """The page-cache spec and view arguments of the view at `path`, or None. Remembered: the
    home page comes after some 180 URL patterns, and trying them was a fifth of a hit."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    spec = getattr(match.func, "page_cache_spec", None)
    return (spec, match.kwargs) if spec is not None else None


def _full_key(key):
    return "full" + key


# Receivers: what the articles app changes -------------------------------------------------------


def _articles_changed(sender, **kwargs):
    # Lists, feeds and every article page (related articles, tags, the source's name).
    bump(ARTICLES)


def _tags_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump(ARTICLES)


def connect():
    """Called by ArticlesConfig.ready()."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Source

    for model in (Article, Source, Tag):
        uid = f"page_cache_{model._meta.label_lower}"
        post_save.connect(_articles_changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_articles_changed, sender=model, dispatch_uid=f"{uid}_deleted")
    m2m_changed.connect(_tags_changed, sender=TaggedItem, dispatch_uid="page_cache_tags_changed")
    request_started.connect(_request_started, dispatch_uid="page_cache_request_started")
    request_finished.connect(_request_finished, dispatch_uid="page_cache_request_finished")


# Counts for pagination ------------------------------------------------------------------------


class CachedCountPaginator(Paginator):
    """A Paginator that remembers its count under `key` and the versions it `depends_on`.

    Counting every public article (or every comment of a prolific reader) costs time in
    proportion to the data, on every page of the list; the number only changes with what the
    versions follow, or when the clock publishes or takes down an article. Counts are kept
    even when the page cache is off: they are what keeps a page that is rendered anyway cheap."""

    def __init__(self, object_list, per_page, *, key, depends_on, count_from=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count_key = key
        self._depends_on = list(depends_on)
        self._count_from = count_from

    @cached_property
    def count(self):
        if self._count_from is not None:
            return count_of(self._count_key, self._count_from, depends_on=self._depends_on)
        return count_of(
            self._count_key, None, depends_on=self._depends_on, compute=lambda: Paginator.count.func(self)
        )


def count_of(key, queryset, *, depends_on=(ARTICLES,), compute=None):
    """queryset.count() (or compute()), remembered under `key` until the versions of
    `depends_on` change or the clock publishes or takes down an article."""
    identity = f"{key}\n" + ":".join(str(v) for v in versions(list(depends_on)))
    cache_key = "count:" + hashlib.blake2b(identity.encode(), digest_size=20).hexdigest()
    remembered = _remembered("counts")
    if remembered is not None and cache_key in remembered:
        return remembered[cache_key]
    entry = cache.get(cache_key)
    if entry is not None and time.time() < entry[1]:  # its own deadline, as pages have
        found = entry[0]
    else:
        found = compute() if compute else queryset.count()
        timeout = timeout_for(KEEP_SECONDS)
        if timeout:
            cache.set(cache_key, (found, time.time() + timeout), timeout)
    if remembered is not None:
        remembered[cache_key] = found
    return found


def user_key(user_id):
    """The version of what a reader's profile lists (their comments)."""
    return f"user:{user_id}"
