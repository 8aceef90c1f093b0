import contextlib

import pytest
from django.core.cache import cache


def pytest_collection_modifyitems(items):
    # A transactional test empties the database when it ends. Without serialized_rollback, the
    # flush re-creates content types and permissions but not the migrations' groups, and the next
    # serialized test then fails restoring rows that already exist (seen on PostgreSQL only, where
    # the PostgreSQL-only transactional tests run). Refuse such a test at collection.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test needs serialized_rollback=True as well"
            )


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage used when DEBUG is off needs collectstatic; tests use plain storage
    # (tests/test_static.py checks the manifest storage on its own).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is slow by design and every sign-in in a test pays for it; tests check
    # behaviour, not the hash. PBKDF2 stays listed so any hash made before this still verifies.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    # A test may have pointed the cache at a server that is down on purpose.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rules_off(settings):
    """No first-comment hold, rate limit or page cache: for tests of what a request may do or
    how it answers, not of the community rules."""
    settings.QINGTAN = {
        **settings.QINGTAN,
        "HOLD_FIRST_COMMENTS": 0,
        "COMMENT_RATE": "off",
        "VOTE_RATE": "off",
        "FLAG_RATE": "off",
        "PAGE_CACHE_SECONDS": 0,
    }


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


def _member_of(group_name, **fields):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db):
    return _member_of("Editors", username="editor", display_name="编辑")


@pytest.fixture
def moderator(db):
    return _member_of("Moderators", username="moderator", display_name="版主")


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_staff=True, is_superuser=True, display_name="站长")


@pytest.fixture
def article(db):
    from tests.factories import ArticleFactory

    return ArticleFactory()
