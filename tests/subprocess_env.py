"""Run Django in a child process with a chosen environment, to test what happens at start-up."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# Variables the settings read; the child starts from none of them so a test sets exactly its own.
SETTINGS_VARIABLES = {name for name in os.environ if name.startswith(("DJANGO_", "QINGTAN_"))} | {
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests (tests/e2e/conftest.py), never for a child
}


def run_django(code, env=None, timeout=60):
    child_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    child_env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    child_env.update(env or {})
    prelude = "import django, json; django.setup(); from django.conf import settings\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=PROJECT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(*args, env=None, timeout=120):
    child_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    child_env.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
