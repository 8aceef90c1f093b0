import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; the Chinese catalogue may translate them later.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _trusted_readers(settings):
    """Readers' comments are published at once unless a test is about the new-account rule:
    with the default (the first comment of an account waits) every factory reader would be
    new. tests/discussions/test_moderation_rules.py checks the default on its own."""
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 0}


def with_rules(settings, **rules):
    settings.QINGTAN = {**settings.QINGTAN, **rules}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def url(name, *args):
    return reverse(f"discussions:{name}", args=args)


def page_of(client, article, **query):
    response = client.get(article.get_absolute_url(), query)
    assert response.status_code == 200
    return soup(response)


def comment_ids(page):
    """The ids of the comments shown on a page, in document order."""
    return [int(node["id"].split("-")[1]) for node in page.select("article.comment")]


def every_comment(comments):
    """The prepared comments of a loaded thread and all their replies (their `children`)."""
    found = []
    stack = list(comments)
    while stack:
        comment = stack.pop()
        found.append(comment)
        stack.extend(comment.children)
    return found


def top_level_ids(page):
    return [int(node["id"].split("-")[1]) for node in page.select("#comment-list > article.comment")]


def message_of(response):
    return soup(response).get_text(" ", strip=True)
