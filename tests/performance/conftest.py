import pytest
from bs4 import BeautifulSoup


@pytest.fixture(autouse=True)
def _english_and_trusted_readers(settings):
    # Messages are asserted in English; readers' comments are published at once (the rule that
    # holds a new account's first comment has its own tests in tests/discussions).
    settings.LANGUAGE_CODE = "en"
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 0}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")
