import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage used when DEBUG is off needs collectstatic; tests use plain storage
    # (tests/test_static.py checks the manifest storage on its own).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
