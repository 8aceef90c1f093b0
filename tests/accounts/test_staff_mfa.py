"""QINGTAN["REQUIRE_STAFF_MFA"]: staff without an authenticator app set one up before the admin."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse


@pytest.fixture
def require_staff_mfa(settings):
    settings.QINGTAN = {**settings.QINGTAN, "REQUIRE_STAFF_MFA": True}


def give_authenticator(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})


@pytest.mark.usefixtures("require_staff_mfa")
@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_staff_without_authenticator_are_sent_to_set_one_up(client, editor, path):
    client.force_login(editor)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    follow = client.get(response["Location"], follow=True)  # asks for the password, then the app
    # In the default language, Chinese: "… need two-factor authentication …"
    assert any("两步验证" in str(m) for m in follow.context["messages"])


@pytest.mark.usefixtures("require_staff_mfa")
def test_staff_with_an_authenticator_use_the_admin(client, superuser):
    give_authenticator(superuser)
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("require_staff_mfa")
def test_recovery_codes_alone_do_not_count(client, superuser):
    Authenticator.objects.create(user=superuser, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("require_staff_mfa")
def test_the_rest_of_the_site_stays_open_to_staff_and_readers(client, editor, user):
    client.force_login(editor)
    assert client.get(reverse("accounts:settings")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200

    client.force_login(user)
    response = client.get("/admin/")  # a reader gets the admin's usual refusal, not the MFA page
    assert response.status_code == 302
    assert response["Location"] != reverse("mfa_activate_totp")


def test_without_the_setting_staff_use_the_admin_as_they_are(client, superuser):
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("require_staff_mfa")
def test_two_factor_is_offered_to_every_reader(client, user):
    client.force_login(user)

    response = client.get(reverse("mfa_index"))

    assert response.status_code == 200
    assert reverse("mfa_activate_totp") in response.text
