import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; the Chinese catalogue may translate them later.
    settings.LANGUAGE_CODE = "en"
