"""Qingtan settings: one module, every deployment difference read from the environment.

The README lists each variable. Defaults are safe for a developer's machine; a production
setting that has no safe default (the secret key) stops start-up with a message saying so.
"""

import importlib.util
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _env(parse, name, **kwargs):
    """Read one variable, turning a malformed value into an error that names it."""
    try:
        return parse(name, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # environ raises ValueError, KeyError, etc.
        raise ImproperlyConfigured(f"{name} has an invalid value: {exc}") from exc


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _strict_bool(name, default):
    # environ.Env.bool reads any unknown word as False; a typo in production must not.
    value = env.str(name, default=str(default)).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


env.bool = _strict_bool

DEBUG = _env(env.bool, "DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is off; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = _env(env.list, "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env(env.list, "DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entries need a scheme (https://…): {_origin!r}"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "taggit",
    "reversion",
    "django_htmx",
    "config.apps.SiteConfig",
    "accounts",
    "articles",
    "discussions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    # Page-cache hits for readers without a session, before the rest (articles/caching.py).
    "articles.caching.EarlyPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # CSRF token placeholder while a page is rendered for the page cache.
                "articles.caching.page_cache_placeholders",
            ],
        },
    },
]

# Database ---------------------------------------------------------------------------------------

SQLITE_PATH = BASE_DIR / "db.sqlite3"
DATABASES = {
    "default": _env(env.db_url, "DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}"),
}
SUPPORTED_DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
if DATABASES["default"].get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
    raise ImproperlyConfigured(
        "DATABASE_URL must be a sqlite:/// or postgres:// URL, not "
        f"{env.str('DATABASE_URL').split(':', 1)[0]}://…"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL"),
        }
    )
# Connections are kept between requests (each server thread its own): opening one costs a few
# milliseconds a request, on SQLite too (connect, the PRAGMAs above, close; bench/RESULTS.md).
DATABASES["default"].setdefault("CONN_MAX_AGE", _env(env.int, "DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles a query the planner thinks expensive; for a page's queries that costs more than
    # it saves (22 ms of 176 on the related articles at 100,000 articles, bench/explain_pages.py).
    # `?options=` in DATABASE_URL replaces this.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache ------------------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://: {REDIS_URL!r}")
    # Fails open: a Redis outage is an empty cache, not an error page (config/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="qingtan"),
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                # Each process's copies of what never changes under its key (config/cache.py).
                "PROCESS_COPIES_MB": _env(env.float, "DJANGO_CACHE_PROCESS_COPIES_MB", default=32),
            },
        }
    }
else:
    # Django's default of 300 entries is less than one long discussion's comment fragments
    # (discussions/fragments.py) and a few pages; each process holds its own.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.LocalMemoryCache",
            "OPTIONS": {"MAX_ENTRIES": _env(env.int, "DJANGO_LOCMEM_CACHE_ENTRIES", default=5000)},
        }
    }

# Email ------------------------------------------------------------------------------------------

_email = _env(env.email_url, "EMAIL_URL", default="consolemail://")
_mailer_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "file_path": _email.get("EMAIL_FILE_PATH"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in _mailer_options.items() if value not in (None, "")},
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"].setdefault("timeout", 10)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="清谈 Qingtan <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Tasks run after the request by default; production points this at a real queue (README).
TASKS = {
    "default": {
        "BACKEND": env.str("DJANGO_TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")
    }
}
if TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
    # The database queue keeps its tasks in its own table (README, "Notifications in production").
    INSTALLED_APPS.append("django_tasks_db")

# Auth -------------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "DJANGO_ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured(
        "DJANGO_ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none: "
        f"{ACCOUNT_EMAIL_VERIFICATION!r}"
    )
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"  # adds the display name
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"
# Usernames are derived from display names (accounts.adapters) and are the profile address /u/<name>/.
ACCOUNT_USERNAME_BLACKLIST = ["settings"]
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one replaces it once verified
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner when their password or email address changes
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[清谈 Qingtan] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# With enumeration prevention on, signing up with a taken address (when verification is mandatory)
# or asking a reset for an unknown one looks like success on the page; the owner is told by email.
ACCOUNT_PREVENT_ENUMERATION = _env(env.bool, "DJANGO_ACCOUNT_PREVENT_ENUMERATION", default=True)
# ACCOUNT_RATE_LIMITS stays at allauth's defaults (failed sign-ins: 10/min per IP, 5 per 5 min per
# address). They count in the default cache, so several server processes need REDIS_URL to share
# them; behind reverse proxies, DJANGO_TRUSTED_PROXY_COUNT says how many X-Forwarded-For hops to trust.
ALLAUTH_TRUSTED_PROXY_COUNT = _env(env.int, "DJANGO_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Qingtan"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# Social sign-in is opt-in: a JSON object keyed by allauth provider id, e.g. {"github": {}} with the
# client id and secret entered in the admin (Social applications), or inline with "APPS".
SOCIALACCOUNT_PROVIDERS = _env(env.json, "DJANGO_SOCIALACCOUNT_PROVIDERS", default={})
if not isinstance(SOCIALACCOUNT_PROVIDERS, dict):
    raise ImproperlyConfigured("DJANGO_SOCIALACCOUNT_PROVIDERS must be a JSON object keyed by provider id")
for _provider in SOCIALACCOUNT_PROVIDERS:
    _provider_app = f"allauth.socialaccount.providers.{_provider}"
    if not _provider.isidentifier() or importlib.util.find_spec(_provider_app) is None:
        raise ImproperlyConfigured(f"DJANGO_SOCIALACCOUNT_PROVIDERS: unknown allauth provider {_provider!r}")
    INSTALLED_APPS.append(_provider_app)

# Internationalisation ---------------------------------------------------------------------------

LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"DJANGO_LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}: {LANGUAGE_CODE!r}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Shanghai")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"DJANGO_TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from exc
USE_I18N = True
USE_TZ = True

# Static and media files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads (cover images) in an S3-compatible bucket instead of DJANGO_MEDIA_ROOT, through
# django-storages (pip install "django-storages[s3]"; docs/deploy.md). It reads the credentials
# itself from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Addresses are unsigned: cached pages
# outlive signed ones, so the bucket (or the CDN in front of it) serves its objects publicly.
MEDIA_S3_BUCKET = env.str("DJANGO_MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_S3_BUCKET is set but django-storages is not installed: "
            "pip install 'django-storages[s3]'"
        )
    _s3_endpoint = env.str("DJANGO_MEDIA_S3_ENDPOINT_URL", default="")
    if _s3_endpoint and not _s3_endpoint.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"DJANGO_MEDIA_S3_ENDPOINT_URL needs a scheme (https://…): {_s3_endpoint!r}"
        )
    _s3_options = {
        "bucket_name": MEDIA_S3_BUCKET,
        "endpoint_url": _s3_endpoint,
        "region_name": env.str("DJANGO_MEDIA_S3_REGION", default=""),
        "custom_domain": env.str("DJANGO_MEDIA_S3_CUSTOM_DOMAIN", default=""),
        "location": env.str("DJANGO_MEDIA_S3_PREFIX", default=""),
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **{name: value for name, value in _s3_options.items() if value},
            "querystring_auth": False,
            "file_overwrite": False,  # as on the file system: a second cover.jpg gets its own name
        },
    }

# Security ---------------------------------------------------------------------------------------

# Behind a TLS-terminating proxy, set DJANGO_SECURE_PROXY_SSL_HEADER=true so Django trusts
# X-Forwarded-Proto; the proxy must strip that header from clients.
if _env(env.bool, "DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env(env.bool, "DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = _env(env.int, "DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env(env.bool, "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = _env(env.bool, "DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Community rules --------------------------------------------------------------------------------

# Limits and thresholds of the discussion and moderation rules, each overridable from the
# environment as QINGTAN_<NAME> (the README lists them).
QINGTAN = {
    "COMMENT_MAX_LENGTH": 10_000,
    "COMMENT_EDIT_WINDOW_MINUTES": 15,
    "COMMENT_MAX_DEPTH": 3,
    "COMMENTS_PER_PAGE": 50,
    "CLOSE_COMMENTS_AFTER_DAYS": 0,  # 0: threads never close by age
    "HOLD_FIRST_COMMENTS": 1,
    "HOLD_LINKS_OVER": 2,
    "HIDE_AFTER_REPORTS": 3,
    "COMMENT_RATE": "5/m,30/h",
    "VOTE_RATE": "30/m,300/h",
    "FLAG_RATE": "5/m,30/h",
    "PUBLIC_MODERATION_LOG": True,
    "REQUIRE_STAFF_MFA": False,
    # Anonymous pages served from the cache (articles/caching.py) at most this long; 0: off.
    "PAGE_CACHE_SECONDS": 3600,
    "RESERVED_DISPLAY_NAMES": [
        "admin",
        "administrator",
        "moderator",
        "staff",
        "qingtan",
        "管理员",
        "版主",
        "站长",
        "官方",
        "清谈",
    ],
}
for _name, _default in list(QINGTAN.items()):
    _parse = {bool: env.bool, int: env.int, list: env.list}.get(type(_default), env.str)
    QINGTAN[_name] = _env(_parse, f"QINGTAN_{_name}", default=_default)

# Logging ----------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
