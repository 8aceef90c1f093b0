"""Sign-up by email through verification to the first sign-in (DEBUG is off in tests, so
verification is mandatory, as in production)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "a-long-and-unusual-passphrase-42"


def sign_up(client, *, email="lin@example.com", display_name="林间读者", password1=PASSWORD, password2=None):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": password1,
            "password2": password1 if password2 is None else password2,
        },
    )


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def link_in(message, path_prefix):
    match = re.search(rf"https?://testserver({re.escape(path_prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_sign_up_verify_then_first_sign_in(client, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="lin@example.com")
    assert user.display_name == "林间读者"
    assert not EmailAddress.objects.get(user=user).verified
    # Mandatory verification: signing up does not sign in, and neither does the password alone.
    assert "_auth_user_id" not in client.session
    sign_in(client, "lin@example.com")
    assert "_auth_user_id" not in client.session

    # The refused sign-in would resend the link, but not within allauth's cooldown.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lin@example.com"]
    confirm_url = link_in(mailoutbox[0], "/accounts/confirm-email/")
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = sign_in(client, "lin@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(reverse("accounts:settings"))
    assert page.status_code == 200
    assert "林间读者" in page.text


@pytest.mark.django_db
def test_username_is_derived_url_safe_and_unique_never_from_the_email(client):
    UserFactory(username="ada-lovelace")
    sign_up(client, email="secret.handle@example.com", display_name="Ada Lovelace!")
    sign_up(client, email="second@example.com", display_name="Ada Lovelace")
    sign_up(client, email="third@example.com", display_name="林间读者甲")  # nothing ASCII to derive from

    emails = ["secret.handle@example.com", "second@example.com", "third@example.com"]
    usernames = [User.objects.get(email=email).username for email in emails]
    assert len({*usernames, "ada-lovelace"}) == 4
    for username in usernames:
        assert re.fullmatch(r"[a-z0-9_-]+", username), username
        assert "secret" not in username and "handle" not in username
    assert usernames[0].startswith("ada_lovelace")
    assert usernames[2].startswith("reader")
    profile = client.get(reverse("accounts:profile", kwargs={"username": usernames[0]}))
    assert profile.status_code == 200


@pytest.mark.django_db
def test_duplicate_email_creates_no_account_and_tells_the_owner_by_email(client, mailoutbox):
    owner = UserFactory(email="taken@example.com")
    EmailAddress.objects.create(user=owner, email="taken@example.com", verified=True, primary=True)

    response = sign_up(client, email="Taken@Example.com", display_name="Someone else")

    # Enumeration prevention (the default): the page looks like any sign-up, the owner is warned.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["taken@example.com"]
    assert mailoutbox[0].subject.startswith("[清谈 Qingtan]")
    # The site's name (清谈, the default language's), not the host name.
    assert "清谈" in mailoutbox[0].body and "testserver的" not in mailoutbox[0].body
    assert "/accounts/password/reset/" in mailoutbox[0].body  # "you already have an account: reset"


@pytest.mark.django_db
def test_duplicate_email_is_a_form_error_without_enumeration_prevention(client, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    UserFactory(email="taken@example.com")

    response = sign_up(client, email="taken@example.com", display_name="Someone else")

    assert response.status_code == 200
    assert response.context["form"].has_error("email")
    assert User.objects.filter(email="taken@example.com").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        ("12345678", "12345678", "password1"),  # numeric and common
        ("short", "short", "password1"),
        ("lin@example.com", "lin@example.com", "password1"),  # like the email address
        (PASSWORD, PASSWORD + "-typo", "password2"),
    ],
)
def test_weak_or_mismatched_passwords_are_form_errors(client, password1, password2, field):
    response = sign_up(client, password1=password1, password2=password2)

    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert not User.objects.filter(email="lin@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("display_name", "code"),
    [("", "required"), ("\u200b\u202e", "required"), ("官方客服", "reserved"), ("x" * 41, "max_length")],
)
def test_sign_up_refuses_empty_reserved_or_long_display_names(client, display_name, code):
    response = sign_up(client, display_name=display_name)

    assert response.status_code == 200
    assert response.context["form"].has_error("display_name", code)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_bad_verification_link_says_so(client):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "not-a-real-key"}))

    assert response.status_code == 200
    assert "invalid" in response.text.lower() or "无效" in response.text
    assert response.context["confirmation"] is None


@pytest.mark.django_db
def test_sign_up_pages_are_the_site_styled_and_translated(client):
    zh = client.get(reverse("account_signup"), headers={"accept-language": "zh-hans"})
    en = client.get(reverse("account_signup"), headers={"accept-language": "en"})

    for response in (zh, en):
        assert 'class="site-header"' in response.text  # the site's base template
        assert 'class="auth-page"' in response.text
    assert "注册" in zh.text
    assert "Sign Up" in en.text
    assert "Display name" in en.text
