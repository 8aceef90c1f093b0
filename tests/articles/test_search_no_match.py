"""A query that finds nothing says so, keeps the query and filters, and shows the tips."""

import pytest
from django.urls import reverse

from tests.articles.conftest import soup
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_query_matching_nothing_says_so_and_shows_the_tips(client):
    ArticleFactory(title="量子计算的下一步", body="量子纠错。")
    response = client.get(
        reverse("articles:search"), {"q": "不存在的词组"}, headers={"accept-language": "en"}
    )
    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("#id_q")["value"] == "不存在的词组"
    assert page.select(".search-hit") == []
    assert "0 articles found for “不存在的词组”" in page.select_one(".search-results__count").get_text(
        " ", strip=True
    )
    assert "Nothing matches all of these words" in page.select_one(".search-results .empty").get_text()
    assert page.select_one(".search-tips") is not None


def test_the_htmx_fragment_for_no_match_says_so_too(client):
    response = client.get(
        reverse("articles:search"),
        {"q": "不存在的词组"},
        headers={"HX-Request": "true", "accept-language": "en"},
    )
    page = soup(response)
    assert page.select_one("#search-results .empty") is not None
    assert page.select_one(".search-tips") is not None
