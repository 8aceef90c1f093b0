"""Views that fail on purpose, to see each error page as a visitor would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import include, path
from django_ratelimit.exceptions import Ratelimited


def raise_(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("bad/", raise_(SuspiciousOperation("tampered"))),
    path("forbidden/", raise_(PermissionDenied("Locked threads take no new comments."))),
    path("limited/", raise_(Ratelimited())),
    path("broken/", raise_(RuntimeError("boom"))),
    path("database-outage/", raise_(OperationalError("server closed the connection unexpectedly"))),
    path("", include("config.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
