"""How often a reader may comment, vote and report: QINGTAN COMMENT_RATE, VOTE_RATE, FLAG_RATE.

A rate is a comma-separated list of limits, each "count/period" with the period in seconds (s),
minutes (m), hours (h) or days (d), optionally with a multiplier: "5/m,30/h", "100/10m". "" or
"off" switches a limit off (load tests raise them through QINGTAN_COMMENT_RATE etc. instead).

Counters are fixed windows in the default cache, keyed by action, reader, period and window
number; with REDIS_URL set they live in Redis, so every server process counts the same attempts.
`cache.incr` is atomic there (and in the local-memory cache of a single process). When the cache
is unavailable (config/cache.py fails open) nothing is limited.
"""

import contextlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext, ngettext
from django_ratelimit.exceptions import Ratelimited

SETTINGS = {"comment": "COMMENT_RATE", "vote": "VOTE_RATE", "flag": "FLAG_RATE"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Limit:
    count: int
    period: int  # seconds


def parse_rate(text):
    """ "5/m,30/h" -> [Limit(5, 60), Limit(30, 3600)]; ValueError when malformed."""
    text = (text or "").strip()
    if text.lower() in {"", "off", "none"}:
        return []
    limits = []
    for part in text.split(","):
        match = _LIMIT.match(part)
        if not match:
            raise ValueError(f"not a rate: {part!r} (expected e.g. 5/m or 30/h)")
        count, multiplier, unit = match.groups()
        limits.append(Limit(int(count), int(multiplier or 1) * _UNITS[unit]))
    return limits


@checks.register
def check_rate_settings(app_configs, **kwargs):
    """A malformed QINGTAN_COMMENT_RATE (etc.) stops start-up with a message, not a 500 later."""
    errors = []
    for name in SETTINGS.values():
        try:
            parse_rate(settings.QINGTAN[name])
        except ValueError as error:
            errors.append(checks.Error(f"QINGTAN {name}: {error}", id="discussions.E001"))
    return errors


def limits_for(action):
    name = SETTINGS[action]
    try:
        return parse_rate(settings.QINGTAN[name])
    except ValueError as error:
        raise ImproperlyConfigured(f"QINGTAN {name}: {error}") from error


class RateLimited(Ratelimited):
    """Too many attempts: a 429 (config.views.too_many_requests) with `retry_after` seconds."""

    def __init__(self, message, *, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _message(action, retry_after):
    what = {
        "comment": gettext("You are commenting faster than this site allows."),
        "vote": gettext("You are voting faster than this site allows."),
        "flag": gettext("You are reporting faster than this site allows."),
    }[action]
    if retry_after < 120:
        wait = ngettext("Please wait %(n)d second.", "Please wait %(n)d seconds.", retry_after)
        return f"{what} {wait % {'n': retry_after}}"
    minutes = math.ceil(retry_after / 60)
    wait = ngettext("Please wait %(n)d minute.", "Please wait %(n)d minutes.", minutes)
    return f"{what} {wait % {'n': minutes}}"


def hit(action, user):
    """Count one attempt of `user` at `action` ("comment", "vote", "flag"); raise RateLimited
    (with the seconds until the fullest window frees) when it goes over a limit. A refused
    attempt is not counted, so waiting the Retry-After is always enough."""
    now = time.time()
    counted = []
    retry_after = 0
    for limit in limits_for(action):
        window = int(now // limit.period)
        key = f"ratelimit:{action}:{user.pk}:{limit.period}:{window}"
        cache.add(key, 0, timeout=limit.period + 1)
        try:
            value = cache.incr(key)
        except ValueError:
            continue  # evicted between add and incr, or the cache is down: do not limit
        counted.append(key)
        if value > limit.count:
            retry_after = max(retry_after, math.ceil((window + 1) * limit.period - now))
    if retry_after:
        for key in counted:
            with contextlib.suppress(ValueError):
                cache.decr(key)
        raise RateLimited(_message(action, retry_after), retry_after=retry_after)
