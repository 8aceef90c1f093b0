import sqlite3
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.subprocess_env import manage

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API")


def counts(db_path):
    with sqlite3.connect(db_path) as copy:
        return {
            table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("accounts_user", "articles_article", "discussions_comment")
        }


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_copy_restores_with_the_same_counts(tmp_path):
    comments = CommentFactory.create_batch(3)
    ArticleFactory.create_batch(2)
    UserFactory.create_batch(2)
    target = tmp_path / "backup.sqlite3"

    call_command("backup", str(target))

    assert counts(target) == {
        "accounts_user": 5,
        "articles_article": 3 + 2,
        "discussions_comment": len(comments),
    }
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@sqlite_only
@pytest.mark.django_db
def test_backup_refuses_to_overwrite(tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(target))
    assert target.read_bytes() == b"keep me"


@pytest.mark.skipif(connection.vendor == "sqlite", reason="only other databases refuse")
@pytest.mark.django_db
def test_backup_points_postgresql_users_to_pg_dump(tmp_path):
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", str(tmp_path / "x.sqlite3"))


def _rows(database):
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute("SELECT count(*) FROM articles_source").fetchone()[0]


def test_backup_of_a_live_database_while_it_is_written_to(tmp_path):
    database = tmp_path / "live.sqlite3"
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}"}
    assert manage("migrate", "--noinput", env=env).returncode == 0

    stop = threading.Event()
    written = []

    def writer():
        # Another process's worth of writes: sources added one transaction at a time.
        db = sqlite3.connect(database, timeout=20)
        n = 0
        while not stop.is_set() and n < 5000:
            with db:
                db.execute(
                    "INSERT INTO articles_source (name, slug, homepage, description) VALUES (?, ?, '', '')",
                    (f"来源{n}", f"source-{n}"),
                )
            n += 1
        written.append(n)
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    while not written and thread.is_alive() and _rows(database) < 50:
        time.sleep(0.01)
    try:
        result = manage("backup", str(tmp_path / "copy.sqlite3"), env=env)
    finally:
        stop.set()
        thread.join()

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*) FROM articles_source").fetchone()[0]
        names = {row[0] for row in copy.execute("SELECT name FROM articles_source")}
    assert written[0] > copied or written[0] == 5000, "the backup should overlap the writes"
    # A consistent snapshot: some prefix of the writer's rows, with no gap.
    assert 0 <= copied <= written[0]
    assert names == {f"来源{i}" for i in range(copied)}
