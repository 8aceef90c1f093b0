import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def reader(db):
    user = UserFactory(email="reader@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def totp_code(secret, at=None):
    """What an authenticator app shows: RFC 6238 with SHA-1, 30-second steps, six digits."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_sign_in_with_email_and_password(client, reader):
    response = sign_in(client, "READER@example.com")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_wrong_password_is_a_form_error(client, reader):
    response = sign_in(client, reader.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(client, reader):
    client.force_login(reader)

    page = client.get(reverse("account_logout"))  # a confirmation page, not a sign-out
    assert page.status_code == 200
    assert client.session["_auth_user_id"] == str(reader.pk)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_repeated_failed_sign_ins_are_answered_429(client, reader):
    # allauth's default login_failed limit: five failures per address within five minutes.
    for _ in range(5):
        assert sign_in(client, reader.email, "guess").status_code == 200

    blocked = sign_in(client, reader.email, "guess")
    assert blocked.status_code == 429
    assert blocked["Retry-After"]
    # Even the right password waits now: the limit protects the account, not the guess.
    assert sign_in(client, reader.email).status_code == 429
    assert "_auth_user_id" not in client.session
    # Other addresses are not locked out.
    other = UserFactory(email="other@example.com")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    assert sign_in(client, other.email).status_code == 302


def test_failed_sign_in_limit_expires(client, reader):
    for _ in range(5):
        sign_in(client, reader.email, "guess")
    assert sign_in(client, reader.email).status_code == 429

    with time_machine.travel(time.time() + 301, tick=False):
        assert sign_in(client, reader.email).status_code == 302


def test_two_factor_set_up_then_required_at_sign_in(client, reader):
    sign_in(client, reader.email)
    # Setting up a second factor asks for the password again first.
    assert client.get(reverse("mfa_activate_totp")).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = re.search(r'value="([A-Z2-7]{32})"', page.text).group(1)

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reader, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=reader, type=Authenticator.Type.RECOVERY_CODES).exists()
    client.post(reverse("account_logout"))

    later = time.time() + 90  # a fresh code: a code is accepted once
    with time_machine.travel(later, tick=False):
        response = sign_in(client, reader.email)
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
        assert "_auth_user_id" not in client.session
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, later)})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(reader.pk)


def test_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
