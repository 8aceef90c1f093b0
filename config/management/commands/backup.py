import sqlite3
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to PATH, consistently, while the site keeps serving "
        "(SQLite's online backup API). For PostgreSQL use pg_dump; see the README."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the copy; must not exist yet.")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--pages-per-step",
            type=int,
            default=-1,
            help=(
                "Pages copied per step (default: all in one step). In WAL mode one step is a "
                "single read transaction that writers do not wait for; smaller steps restart "
                "whenever another connection writes, so they suit quiet databases only."
            ),
        )

    def handle(self, *args, path, database, pages_per_step, **options):
        connection = connections[database]
        if connection.vendor != "sqlite":
            raise CommandError(
                f"The {database!r} database is {connection.vendor}; back it up with "
                "pg_dump --format=custom (see the README's Backups section)."
            )
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} already exists; choose a new file name.")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory.")

        if connection.in_atomic_block:
            # The copy would wait forever for the transaction this same connection holds.
            raise CommandError("Run the backup outside a transaction.")
        connection.ensure_connection()
        started = time.monotonic()
        destination = sqlite3.connect(target)
        try:
            with destination:
                connection.connection.backup(destination, pages=pages_per_step)
            tables = destination.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as exc:
            destination.close()
            target.unlink(missing_ok=True)
            raise CommandError(f"Backup failed, nothing written: {exc}") from exc
        destination.close()
        if check != "ok":
            target.unlink(missing_ok=True)
            raise CommandError(f"The copy failed its integrity check ({check}); nothing kept.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {tables} tables to {target} "
                f"({target.stat().st_size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s)."
            )
        )
