import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def open_community(settings):
    """Community rules out of the way: every comment published at once, no rate limit, every
    comment of a thread on one page, no page cache between a write and the page showing it."""
    settings.QINGTAN = {
        **settings.QINGTAN,
        "HOLD_FIRST_COMMENTS": 0,
        "HOLD_LINKS_OVER": 100_000,
        "HIDE_AFTER_REPORTS": 100_000,
        "COMMENTS_PER_PAGE": 1_000,
        "COMMENT_RATE": "off",
        "VOTE_RATE": "off",
        "FLAG_RATE": "off",
        "PAGE_CACHE_SECONDS": 0,
    }
