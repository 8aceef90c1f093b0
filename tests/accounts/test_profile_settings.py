"""The signed-in reader's settings pages: profile, notifications; and nobody else's."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

SETTINGS_PAGES = [
    "accounts:settings",
    "accounts:edit_profile",
    "accounts:notifications",
    "accounts:export_data",
    "accounts:delete_account",
]


def save_profile(client, **fields):
    data = {"display_name": "新名字", "bio": "", "website": ""} | fields
    return client.post(reverse("accounts:edit_profile"), data)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_settings_pages_need_a_signed_in_reader(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["accounts:settings", "accounts:edit_profile", "accounts:notifications"])
def test_settings_pages_render_with_the_settings_menu(client, user, name):
    client.force_login(user)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert 'class="settings-nav"' in response.text
    for link in ("account_email", "account_change_password", "mfa_index", "accounts:delete_account"):
        assert reverse(link) in response.text


def test_settings_overview_offers_the_data_download(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:settings"))

    assert reverse("accounts:export_data") in response.text


def test_allauth_manage_pages_share_the_settings_menu(client, user):
    client.force_login(user)

    response = client.get(reverse("account_email"))

    assert response.status_code == 200
    assert 'class="settings-nav"' in response.text
    assert reverse("accounts:edit_profile") in response.text


def test_edit_profile(client, user):
    client.force_login(user)

    response = save_profile(
        client, display_name="  清风 \u00a0明月  ", bio="写代码，也读诗。", website="https://blog.example/"
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "清风 明月"
    assert user.bio == "写代码，也读诗。"
    assert user.website == "https://blog.example/"


def test_a_website_without_scheme_is_taken_as_https(client, user):
    client.force_login(user)

    save_profile(client, website="blog.example")

    user.refresh_from_db()
    assert user.website == "https://blog.example"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"display_name": ""}, "display_name", "required"),
        ({"display_name": "   "}, "display_name", "required"),
        ({"display_name": "\u200b\u200d\u2066"}, "display_name", "required"),
        ({"display_name": "名" * 41}, "display_name", "max_length"),
        ({"display_name": "Admin"}, "display_name", "reserved"),
        ({"display_name": "the real ADMINISTRATOR"}, "display_name", "reserved"),
        ({"display_name": "ad\u200bmin"}, "display_name", "reserved"),
        ({"display_name": "a d m i n"}, "display_name", "reserved"),
        ({"display_name": "ａｄｍｉｎ"}, "display_name", "reserved"),  # fullwidth
        ({"display_name": "аdmin"}, "display_name", "reserved"),  # Cyrillic а
        ({"display_name": "m0derator"}, "display_name", "reserved"),
        ({"display_name": "本站管理员"}, "display_name", "reserved"),
        ({"display_name": "版\u200b主"}, "display_name", "reserved"),
        ({"website": "javascript:alert(1)"}, "website", "invalid"),
        ({"website": "ftp://files.example/"}, "website", "invalid"),
        ({"bio": "字" * 501}, "bio", "max_length"),
    ],
)
def test_profile_edit_refuses_bad_input(client, user, fields, field, code):
    client.force_login(user)
    before = user.display_name

    response = save_profile(client, **fields)

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code), response.context["form"].errors
    user.refresh_from_db()
    assert user.display_name == before
    # The header still shows the stored name, not the refused one.
    assert f">{before}</a>" in response.text


def test_bidi_controls_are_stripped_from_names(client, user):
    client.force_login(user)

    save_profile(client, display_name="\u202eBob\u202c the \u2067reader\u2069")

    user.refresh_from_db()
    assert user.display_name == "Bob the reader"


def test_reserved_names_list_comes_from_settings(client, user, settings):
    settings.QINGTAN = {**settings.QINGTAN, "RESERVED_DISPLAY_NAMES": ["editor-in-chief"]}
    client.force_login(user)

    assert save_profile(client, display_name="Admin Fan").status_code == 302
    refused = save_profile(client, display_name="Editor in Chief")
    assert refused.context["form"].has_error("display_name", "reserved")


def test_staff_may_use_staff_names(client, moderator):
    client.force_login(moderator)

    response = save_profile(client, display_name="版主阿青")

    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.display_name == "版主阿青"


def test_notification_preferences(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:notifications"), {"notify_on_follow": "on"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notify_on_reply is False
    assert user.notify_on_follow is True


def test_settings_act_only_on_the_signed_in_reader(client, user, other_user):
    client.force_login(user)
    other_name = other_user.display_name

    # Whatever else the request carries, the form saves request.user.
    client.post(
        reverse("accounts:edit_profile") + f"?user={other_user.pk}",
        {"display_name": "改名", "id": other_user.pk, "username": other_user.username},
    )

    other_user.refresh_from_db()
    user.refresh_from_db()
    assert other_user.display_name == other_name
    assert user.display_name == "改名"
    assert user.username != other_user.username


@pytest.mark.parametrize(
    "path",
    [
        "/u/settings/profile/{pk}/",
        "/u/settings/{pk}/",
        "/u/{username}/settings/",
        "/u/{username}/settings/profile/",
        "/u/settings/delete/{pk}/",
        "/u/{username}/delete/",
    ],
)
def test_another_readers_settings_pages_do_not_exist(client, user, other_user, path):
    client.force_login(user)

    response = client.get(path.format(pk=other_user.pk, username=other_user.username))

    assert response.status_code == 404


@pytest.mark.django_db
def test_nobody_can_be_called_settings(client):
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        get_adapter().clean_username("settings", shallow=True)
    assert User.objects.filter(username="settings").count() == 0
    UserFactory(display_name="Settings")  # a display name is fine; it is not the address
