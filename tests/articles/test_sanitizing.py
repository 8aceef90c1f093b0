"""Whatever an editor or an imported document puts in the Markdown, no script reaches the page."""

import pytest
from bs4 import BeautifulSoup

from articles.models import Article
from tests.articles.conftest import parse_xml, soup
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HOSTILE = """正文开头。

<script>alert("body")</script>

<img src="x.png" onerror="alert('img')">

<a href="javascript:alert('raw')">raw link</a>

[markdown link](javascript:alert('md'))

[encoded](jav&#x61;script:alert('entity'))

![image](javascript:alert('image'))

<iframe src="https://evil.example/"></iframe>

<p style="background:url(javascript:alert(1))" onclick="alert(2)">styled</p>
"""


@pytest.fixture
def hostile_article():
    return ArticleFactory(summary=HOSTILE, body=HOSTILE, lead='<script>alert("lead")</script>')


def _check_page(page):
    scripts = page.find_all("script")
    assert all(
        s.get("src", "").startswith("/static/") or s.get("type") == "application/ld+json" for s in scripts
    )
    _check_elements(page)


def _check_elements(tree):
    """No active content: no script or iframe element, no event handler or style attribute,
    no javascript: URL in any attribute. Escaped text showing the attempt is fine."""
    assert not tree.find_all(["iframe", "object", "embed"])
    for element in tree.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            assert attribute != "style", element
            values = value if isinstance(value, list) else [value]
            assert not any("javascript:" in v.lower().replace(" ", "") for v in values), element


def test_the_public_page_carries_no_script_handler_or_javascript_link(client, hostile_article):
    response = client.get(hostile_article.get_absolute_url())
    assert response.status_code == 200
    page = soup(response)
    _check_page(page)
    # The text survives as text: the reader sees what the editor typed.
    assert 'alert("body")' in page.select_one(".article__body").text
    assert '<script>alert("lead")</script>' in page.select_one(".article__lead").text


def test_the_staff_preview_is_sanitized_as_well(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT, body=HOSTILE, summary=HOSTILE)
    client.force_login(editor)
    _check_page(soup(client.get(f"/articles/{article.slug}/preview/")))


def test_the_stored_html_is_already_clean(hostile_article):
    for html in (hostile_article.body_html, hostile_article.summary_html):
        fragment = BeautifulSoup(html, "html.parser")
        assert not fragment.find_all("script")
        _check_elements(fragment)
        assert "[markdown link]" in fragment.text  # a javascript: link is left as plain text


def test_feeds_carry_the_sanitized_summary(client, hostile_article):
    channel = parse_xml(client.get("/feeds/rss/")).find("channel")
    description = BeautifulSoup(channel.find("item").findtext("description"), "html.parser")
    assert not description.find_all("script")
    _check_elements(description)
