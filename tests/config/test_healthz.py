import json

import pytest

from tests.subprocess_env import run_django


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_cache_when_the_cache_is_down(client, settings):
    # Nothing listens on port 1: every cache call fails to connect. The site's backend fails open,
    # so pages work on; the health check must still see the outage.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"] == {"database": "ok", "cache": "failing"}


def test_healthz_is_503_naming_the_database_when_the_database_is_down():
    result = run_django(
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, json.dumps(r.json()))",
        env={
            "DJANGO_SECRET_KEY": "s" * 60,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none",
        },
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["failing"] == ["database"]
    assert "Traceback" not in body


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
