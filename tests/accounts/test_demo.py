import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from accounts.models import User


@pytest.mark.django_db
def test_demo_accounts_are_created_once_with_verified_emails(client):
    first = ensure_demo_accounts()
    again = ensure_demo_accounts()

    assert first == again
    assert {role for *_, role in first} == {"superuser", "editor", "moderator", "reader"}
    assert User.objects.count() == 5
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 5
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.filter(is_staff=True).count() == 3
    for _username, email, password, _role in first:
        response = client.post(reverse("account_login"), {"login": email, "password": password})
        assert response.status_code == 302, email
        client.post(reverse("account_logout"))
    assert password == DEMO_PASSWORD
