"""The CI contract of the browser tests: skipped with one reason without Chromium, failing in CI."""

import os
import subprocess
import sys

from tests.subprocess_env import PROJECT

ONE_BROWSER_TEST = "tests/e2e/test_error_pages.py"


def run_browser_tests(tmp_path, **env):
    child_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "QINGTAN_REQUIRE_BROWSER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    child_env.update(
        QINGTAN_CHROMIUM=str(tmp_path / "no-chromium"), QINGTAN_TEST_ARTIFACTS=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_BROWSER_TEST, "-q", "-ra", "-p", "no:cacheprovider"],
        cwd=PROJECT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_tests_skip_with_one_reason_line(tmp_path):
    result = run_browser_tests(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1, result.stdout
    assert "Chromium not found" in reasons[0]
    assert " passed" not in result.stdout


def test_in_ci_a_missing_chromium_fails_the_browser_tests(tmp_path):
    result = run_browser_tests(tmp_path, QINGTAN_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "QINGTAN_REQUIRE_BROWSER=1 forbids skipping the browser tests" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
