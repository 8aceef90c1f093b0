import json

import pytest
from django.db import connection

from tests.subprocess_env import run_django

PRODUCTION = {"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.com"}


def settings_in_child(env, expression):
    result = run_django(f"print(json.dumps({expression}, default=str))", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_up_error(env):
    result = run_django("pass", env=env)
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_debug_is_off_by_default_and_a_secret_key_is_then_required():
    error = start_up_error({})
    assert "ImproperlyConfigured" in error
    assert "DJANGO_SECRET_KEY is not set" in error


def test_development_runs_without_any_variable():
    debug, key = settings_in_child({"DJANGO_DEBUG": "true"}, "[settings.DEBUG, settings.SECRET_KEY]")
    assert debug is True
    assert key.startswith("insecure-development-key")


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_names_the_variable(value):
    error = start_up_error({**PRODUCTION, "DJANGO_DEBUG": value})
    assert "DJANGO_DEBUG" in error


def test_allowed_hosts_and_csrf_origins_are_lists():
    hosts, origins = settings_in_child(
        {
            **PRODUCTION,
            "DJANGO_ALLOWED_HOSTS": "a.example,b.example",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://a.example,https://b.example",
        },
        "[settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS]",
    )
    assert hosts == ["a.example", "b.example"]
    assert origins == ["https://a.example", "https://b.example"]


def test_a_csrf_origin_without_scheme_is_refused():
    error = start_up_error({**PRODUCTION, "DJANGO_CSRF_TRUSTED_ORIGINS": "a.example"})
    assert "DJANGO_CSRF_TRUSTED_ORIGINS" in error


def test_default_database_is_sqlite_with_wal_and_immediate_transactions():
    database = settings_in_child(PRODUCTION, "settings.DATABASES['default']")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "busy_timeout" in database["OPTIONS"]["init_command"]


def test_database_connections_are_kept_between_requests_on_sqlite_too():
    # Opening an SQLite connection (connect, the PRAGMAs, close) cost 2-3 ms a request.
    database = settings_in_child(PRODUCTION, "settings.DATABASES['default']")
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    database = settings_in_child({**PRODUCTION, "DJANGO_CONN_MAX_AGE": "0"}, "settings.DATABASES['default']")
    assert database["CONN_MAX_AGE"] == 0


def test_the_sqlite_connection_really_uses_wal(tmp_path):
    database = tmp_path / "wal.sqlite3"
    result = run_django(
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "mode = c.execute('PRAGMA journal_mode').fetchone()[0]\n"
        "print(mode, c.execute('PRAGMA busy_timeout').fetchone()[0])",
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_database_url_selects_postgresql():
    database = settings_in_child(
        {**PRODUCTION, "DATABASE_URL": "postgres://app:secret@db.internal:5432/qingtan"},
        "settings.DATABASES['default']",
    )
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5432, "qingtan")
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["options"] == "-c jit=off"


def test_postgresql_options_in_the_url_replace_the_default():
    database = settings_in_child(
        {
            **PRODUCTION,
            "DATABASE_URL": "postgres://app:secret@db/qingtan?options=-c%20statement_timeout%3D5s",
        },
        "settings.DATABASES['default']",
    )
    assert database["OPTIONS"]["options"] == "-c statement_timeout=5s"


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_malformed_database_url_names_the_variable():
    error = start_up_error({**PRODUCTION, "DATABASE_URL": "nosuchdb://x"})
    assert "DATABASE_URL" in error


def test_cache_is_local_memory_without_redis_and_redis_with_redis_url():
    backend = settings_in_child(PRODUCTION, "settings.CACHES['default']['BACKEND']")
    assert backend == "config.cache.LocalMemoryCache"
    cache = settings_in_child(
        {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}, "settings.CACHES['default']"
    )
    assert cache["BACKEND"].endswith("RedisCache")
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_the_local_memory_cache_holds_a_long_discussions_fragments():
    assert settings_in_child(PRODUCTION, "settings.CACHES['default']['OPTIONS']['MAX_ENTRIES']") == 5000
    env = {**PRODUCTION, "DJANGO_LOCMEM_CACHE_ENTRIES": "20000"}
    assert settings_in_child(env, "settings.CACHES['default']['OPTIONS']['MAX_ENTRIES']") == 20000


def test_a_redis_url_with_another_scheme_is_refused():
    assert "REDIS_URL" in start_up_error({**PRODUCTION, "REDIS_URL": "http://127.0.0.1:6379"})


def test_email_url_defaults_to_the_console_and_reads_smtp():
    mailer = settings_in_child(PRODUCTION, "settings.MAILERS['default']")
    assert mailer == {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}
    smtp = settings_in_child(
        {**PRODUCTION, "EMAIL_URL": "smtp+tls://user:pw@mail.example:587"},
        "settings.MAILERS['default']",
    )
    assert smtp == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example",
            "port": 587,
            "username": "user",
            "password": "pw",
            "use_tls": True,
            "timeout": 10,
        },
    }


def test_language_and_time_zone():
    assert settings_in_child(PRODUCTION, "[settings.LANGUAGE_CODE, settings.TIME_ZONE]") == [
        "zh-hans",
        "Asia/Shanghai",
    ]
    assert settings_in_child(
        {**PRODUCTION, "DJANGO_LANGUAGE_CODE": "en", "DJANGO_TIME_ZONE": "Europe/Berlin"},
        "[settings.LANGUAGE_CODE, settings.TIME_ZONE]",
    ) == ["en", "Europe/Berlin"]


def test_an_unknown_language_or_time_zone_is_refused():
    assert "DJANGO_LANGUAGE_CODE" in start_up_error({**PRODUCTION, "DJANGO_LANGUAGE_CODE": "fr"})
    assert "DJANGO_TIME_ZONE" in start_up_error({**PRODUCTION, "DJANGO_TIME_ZONE": "Mars/Olympus"})


def test_a_community_rule_reads_its_override_and_refuses_garbage():
    assert (
        settings_in_child(
            {**PRODUCTION, "QINGTAN_COMMENT_EDIT_WINDOW_MINUTES": "30"},
            "settings.QINGTAN['COMMENT_EDIT_WINDOW_MINUTES']",
        )
        == 30
    )
    assert "QINGTAN_COMMENT_EDIT_WINDOW_MINUTES" in start_up_error(
        {**PRODUCTION, "QINGTAN_COMMENT_EDIT_WINDOW_MINUTES": "soon"}
    )


def test_production_security_defaults():
    values = settings_in_child(
        PRODUCTION,
        "[settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SECURE_HSTS_SECONDS, settings.STORAGES['staticfiles']['BACKEND']]",
    )
    assert values == [True, True, True, 31536000, "whitenoise.storage.CompressedManifestStaticFilesStorage"]


def test_behind_a_proxy_ssl_redirect_can_be_left_to_it():
    values = settings_in_child(
        {**PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_PROXY_SSL_HEADER": "true"},
        "[settings.SECURE_SSL_REDIRECT, list(settings.SECURE_PROXY_SSL_HEADER)]",
    )
    assert values == [False, ["HTTP_X_FORWARDED_PROTO", "https"]]


def test_the_process_copies_in_front_of_redis_take_32_mb_unless_told_otherwise():
    redis = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}
    options = "settings.CACHES['default']['OPTIONS']['PROCESS_COPIES_MB']"
    assert settings_in_child(redis, options) == 32
    assert settings_in_child({**redis, "DJANGO_CACHE_PROCESS_COPIES_MB": "0"}, options) == 0
    error = start_up_error({**redis, "DJANGO_CACHE_PROCESS_COPIES_MB": "lots"})
    assert "DJANGO_CACHE_PROCESS_COPIES_MB" in error
