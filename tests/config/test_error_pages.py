import pytest

pytestmark = [pytest.mark.urls("tests.config.urls_errors"), pytest.mark.django_db]


def test_404_page_is_friendly_and_in_the_site_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "404" in html
    assert '<html lang="zh-hans">' in html
    assert 'class="site-header"' in html


def test_400_page(client):
    response = client.get("/bad/")
    assert response.status_code == 400
    assert "400" in response.content.decode()


def test_403_page_shows_the_reason(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "Locked threads take no new comments." in response.content.decode()


def test_rate_limited_requests_get_429_with_retry_after(client):
    response = client.get("/limited/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "429" in response.content.decode()


def test_500_page_leaks_no_traceback(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "500" in html
    assert "boom" not in html
    assert "Traceback" not in html


def test_error_pages_follow_the_language(client):
    response = client.get("/no/such/page/", headers={"accept-language": "en"})
    assert '<html lang="en">' in response.content.decode()
