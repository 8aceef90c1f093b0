from tests.subprocess_env import manage


def test_check_deploy_reports_no_issue_in_a_production_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        env={
            "DJANGO_SECRET_KEY": "k" * 64 + "-production-like-secret",
            "DJANGO_ALLOWED_HOSTS": "qingtan.example",
            "EMAIL_URL": "smtp+tls://mailer:secret@mail.qingtan.example:587",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
