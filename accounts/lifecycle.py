"""The account lifecycle's extension point.

`accounts` knows nothing of the apps built on it, yet exporting a reader's data and deleting an
account must cover what those apps store (comments, votes, reports). Each such app registers a
`PersonalData` in its `AppConfig.ready()`; the export and deletion views call every registered one.

Apps import this module inside `ready()`, so it imports no models at module level.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction


class Exporter(Protocol):
    def __call__(self, user) -> Any: ...


class Eraser(Protocol):
    def __call__(self, user, *, keep_contributions: bool) -> None: ...


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Exporter
    erase: Eraser


_registry: dict[str, PersonalData] = {}


def register(personal_data: PersonalData):
    _registry[personal_data.name] = personal_data


def registered():
    return list(_registry.values())


def export_personal_data(user):
    """Everything Qingtan stores about a reader, as JSON-ready data: the profile here, then one
    key per registered app contribution."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    profile = {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio,
        "website": user.website,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "notify_on_reply": user.notify_on_reply,
        "notify_on_follow": user.notify_on_follow,
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).order_by("email").values("email", "verified", "primary")
        ),
        # Which kinds of second factor are set up, never their secrets.
        "two_factor_authenticators": list(
            Authenticator.objects.filter(user=user)
            .order_by("pk")
            .values("type", "created_at", "last_used_at")
        ),
        # The accounts linked for social sign-in, never their tokens.
        "social_accounts": list(
            SocialAccount.objects.filter(user=user).order_by("pk").values("provider", "uid", "date_joined")
        ),
    }
    data = {"profile": profile}
    for personal_data in registered():
        data[personal_data.name] = personal_data.export(user)
    return data


def delete_account(user, *, keep_contributions):
    """Erase what every registered app holds about the user, then the user row, all or nothing.

    keep_contributions=True leaves the user's comments in place, attributed to nobody ("deleted
    user"); False also replaces their text. Either way other people's replies stay.
    """
    with transaction.atomic():
        for personal_data in registered():
            personal_data.erase(user, keep_contributions=keep_contributions)
        user.delete()


def is_last_superuser(user):
    if not user.is_superuser:
        return False
    return not get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk).exists()
