import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "another-long-passphrase-for-tests"


@pytest.fixture
def reader(db):
    user = UserFactory(email="reader@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def reset_link(message):
    match = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_end_to_end(client, reader, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "reader@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["reader@example.com"]

    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    # The key leaves the address bar (and the Referer header) once it has been read.
    assert "set-password" in set_password_url

    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert any(
        "password" in message.subject.lower() or "密码" in message.subject for message in mailoutbox[1:]
    )

    assert sign_in(client, reader.email, PASSWORD).status_code == 200  # the old one is gone
    assert sign_in(client, reader.email, NEW_PASSWORD).status_code == 302
    # A reset link works once.
    again = client.get(reset_link(mailoutbox[0]), follow=True)
    assert again.context["token_fail"] is True


def test_reset_rejects_a_weak_or_mismatched_new_password(client, reader, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": reader.email})
    set_password_url = client.get(reset_link(mailoutbox[0]), follow=True).redirect_chain[-1][0]

    weak = client.post(set_password_url, {"password1": "123456", "password2": "123456"})
    mismatched = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert weak.context["form"].has_error("password1")
    assert mismatched.context["form"].has_error("password2")
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["1-not-a-real-key", "zzzz-abc", "x"])
def test_a_bad_reset_link_says_so(client, key):
    uidb36, _, token = key.partition("-")
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token or "x"})
    )

    assert response.status_code == 200
    assert response.context["token_fail"] is True
    assert "invalid" in response.text.lower() or "无效" in response.text


@pytest.mark.django_db
def test_reset_for_an_unknown_address_reveals_nothing_on_the_page(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1  # allauth tells the address there is no account for it
    assert "/accounts/password/reset/key/" not in mailoutbox[0].body
