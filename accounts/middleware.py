from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffMFAMiddleware:
    """With QINGTAN["REQUIRE_STAFF_MFA"] on, staff without an authenticator app are sent to set
    one up before they can use the admin. Placed after the authentication and message middleware."""

    SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.warning(
                request,
                _("Staff accounts need two-factor authentication. Set up an authenticator app first."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_mfa(self, request):
        return (
            settings.QINGTAN["REQUIRE_STAFF_MFA"]
            and request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            and request.user.is_staff
            and not is_mfa_enabled(request.user, self.SECOND_FACTORS)
        )
