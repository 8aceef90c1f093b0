import re

from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


def test_change_email_takes_effect_once_the_new_address_is_verified(client, user, mailoutbox):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    old_email = user.email
    client.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == old_email  # not yet
    confirmation = next(m for m in mailoutbox if m.to == ["new@example.com"])
    confirm_url = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", confirmation.body).group(1)
    client.post(confirm_url)

    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["new@example.com"]
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD})
    assert response.status_code == 302


def test_an_address_in_use_cannot_be_taken(client, user, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    other = UserFactory(email="taken@example.com")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("account_email"), {"email": "taken@example.com", "action_add": ""})

    assert response.status_code == 200
    assert response.context["form"].has_error("email")
    user.refresh_from_db()
    assert user.email != "taken@example.com"
