import pytest
from bs4 import BeautifulSoup


@pytest.fixture(autouse=True)
def _english_and_trusted_readers(settings):
    # Messages are asserted in English; readers' comments are published at once (the rule that
    # holds a new account's first comment has its own tests in tests/discussions).
    settings.LANGUAGE_CODE = "en"
    settings.QINGTAN = {**settings.QINGTAN, "HOLD_FIRST_COMMENTS": 0}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def record_redis_commands(monkeypatch):
    """Call it to start recording what the Redis client sends: it returns the list the commands
    are appended to, each as its arguments (the command's name first)."""

    def start():
        import redis

        commands = []
        original = redis.Redis.execute_command

        def recording(self, *args, **options):
            commands.append(args)
            return original(self, *args, **options)

        monkeypatch.setattr(redis.Redis, "execute_command", recording)
        return commands

    return start
