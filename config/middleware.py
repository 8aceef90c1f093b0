"""A database outage answers a friendly 503 page instead of a server error; a NUL character in
the address answers 400."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, get_language_bidi

logger = logging.getLogger(__name__)

# Lost or refused connections, timeouts, SQLite's "database is locked" after the busy timeout: all
# are worth a retry, so they answer 503 with Retry-After rather than 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _static_url(path):
    try:
        return static(path)
    except ValueError:  # no manifest yet (collectstatic not run): this page must still render
        return f"{settings.STATIC_URL}{path}"


def database_unavailable_response():
    # Rendered without the request: context processors would load the user and the messages,
    # which need the database that just failed.
    context = {
        "LANGUAGE_CODE": get_language(),
        "LANGUAGE_BIDI": get_language_bidi(),
        "stylesheet": _static_url("css/site.css"),
        "icon": _static_url("img/favicon.svg"),
    }
    html = render_to_string("503.html", context)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage inside a view (or its template) into the 503 page.

    Outages raised by other middleware (the session, the user) reach the 500 handler instead,
    which makes the same response (config.views.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable_response()


class RejectNulCharactersMiddleware:
    """A NUL character in the path or the query string is never meant, and PostgreSQL refuses it in
    any text it compares (a 500 wherever a view looks up a slug or a name): answer 400 first.
    Form fields reject NUL themselves, with a form error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the address")
        return self.get_response(request)
