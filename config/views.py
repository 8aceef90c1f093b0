"""Project-wide views that belong to no app: the health check and the error pages."""

import logging
import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.exceptions import Ratelimited

from config.middleware import DATABASE_UNAVAILABLE, database_unavailable_response

logger = logging.getLogger(__name__)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return False


def _cache_answers():
    # The site's cache fails open (config/cache.py); its strict face raises, so an outage shows here.
    strict = getattr(cache, "strict", cache)
    probe = uuid.uuid4().hex
    try:
        strict.set("healthz-probe", probe, timeout=10)
        return strict.get("healthz-probe") == probe
    except Exception:
        # A cache client raises its own exception types (redis.ConnectionError, OSError...).
        logger.exception("Health check: the cache does not answer")
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: "ok" if ok else "failing" for name, ok in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


@require_GET
@cache_control(max_age=86400)
def favicon(request):
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, JSON, feeds).
    # Temporary: the target carries a content hash that changes with the icon.
    return redirect(static("img/favicon.svg"))


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    if isinstance(exception, Ratelimited):
        return too_many_requests(request, exception)
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Called while the exception is being handled: a database outage raised outside a view
    # (by the session or the user loaded in middleware) still gets the friendly 503.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response()
    # 500.html uses nothing from the context processors: the failure may be in one of them.
    return render(request, "500.html", status=500)


def too_many_requests(request, exception=None):
    # A limit that knows how long to wait says so in its message (discussions.ratelimits).
    message = str(exception) if exception is not None and str(exception) else ""
    response = render(request, "429.html", {"message": message}, status=429)
    retry_after = getattr(exception, "retry_after", None) or 60
    response["Retry-After"] = str(int(retry_after))
    return response
