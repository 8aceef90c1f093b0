"""Social sign-in: no provider needed to run; providers come from DJANGO_SOCIALACCOUNT_PROVIDERS."""

import json

import pytest
from django.urls import reverse

from tests.subprocess_env import run_django

DEVELOPMENT = {"DJANGO_DEBUG": "true"}


def test_providers_from_the_environment_are_installed():
    providers = json.dumps({"github": {}, "google": {"SCOPE": ["email"]}})
    result = run_django(
        "print(json.dumps([a for a in settings.INSTALLED_APPS if '.providers.' in a]))",
        env={**DEVELOPMENT, "DJANGO_SOCIALACCOUNT_PROVIDERS": providers},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "allauth.socialaccount.providers.github",
        "allauth.socialaccount.providers.google",
    ]


@pytest.mark.parametrize("value", ['{"no_such_provider": {}}', '["github"]', "{not json", '{"../x": {}}'])
def test_a_bad_provider_setting_stops_start_up_naming_the_variable(value):
    result = run_django("pass", env={**DEVELOPMENT, "DJANGO_SOCIALACCOUNT_PROVIDERS": value})

    assert result.returncode != 0
    assert "DJANGO_SOCIALACCOUNT_PROVIDERS" in result.stderr.strip().splitlines()[-1]


@pytest.mark.django_db
def test_without_providers_sign_in_offers_none(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert "provider-list" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "display_name"),
    [("张三", "张三"), ("Grace  Hopper\u200b", "Grace Hopper"), ("Official Admin", ""), ("", "")],
)
def test_a_social_sign_up_takes_the_providers_name_unless_it_imitates_staff(rf, name, display_name):
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.models import SocialAccount, SocialLogin

    from accounts.models import User

    request = rf.get("/")
    login = SocialLogin(user=User(), account=SocialAccount(provider="github", uid="42"))

    user = get_adapter(request).populate_user(
        request, login, {"name": name, "username": "admin", "email": "grace@example.com"}
    )

    assert user.display_name == display_name
    assert user.username == ""  # the provider's handle is not taken over; it is derived like anyone's
