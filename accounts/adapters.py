"""How allauth fits Qingtan: usernames, display names and the answer to a password-guessing run."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from accounts.names import normalize_display_name, reserved_word_in

logger = logging.getLogger(__name__)

# Only letters, digits, "_" and "-" survive: the username is the profile address /u/<username>/.
USERNAME_UNSAFE_CHARACTERS = r"[^\w\s-]"


def user_display(user):
    """ACCOUNT_USER_DISPLAY: allauth's messages and emails name people as the site does."""
    return user.public_name


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        """Derive the username from the display name, never from the email address: the
        username is public (the profile address) and the email address is not."""
        if not user.username:
            user.username = self.generate_unique_username(
                [user.display_name, "reader"], regex=USERNAME_UNSAFE_CHARACTERS
            )

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name") or user.display_name
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        # Without django.contrib.sites allauth would greet readers with the bare host name.
        site = RequestSite(allauth_context.request)
        site.name = gettext("Qingtan")
        try:
            super().send_mail(template_prefix, email, {"current_site": site, **context})
        except Exception:
            # Any mail backend error (SMTP, DNS, timeouts). The account or the reset request stands
            # (a page can send the email again); a server error would hide that from the reader.
            logger.exception("Could not send the %s email", template_prefix)
            request = allauth_context.request
            if request is not None:
                messages.error(
                    request,
                    gettext("We could not send you an email just now. Please try again in a few minutes."),
                )

    def pre_authenticate(self, request, **credentials):
        """Too many failed sign-ins answer 429 Too Many Requests with the site's page, not a
        form error a script could keep submitting. allauth's AccountMiddleware turns the
        ImmediateHttpResponse into the response."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            response = respond_429(request)
            response["Retry-After"] = "60"
            raise ImmediateHttpResponse(response) from error


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """Start a social sign-up with the provider's name as display name, unless it imitates
        staff (the reader can set one on their profile later)."""
        user = super().populate_user(request, sociallogin, data)
        user.username = ""  # derived like everyone else's (AccountAdapter.populate_username)
        full_name = data.get("name") or " ".join(
            filter(None, [data.get("first_name"), data.get("last_name")])
        )
        name = normalize_display_name(full_name)[: user._meta.get_field("display_name").max_length]
        if name and not reserved_word_in(name):
            user.display_name = name
        return user
