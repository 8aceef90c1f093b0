"""EXPLAIN every query of the busiest pages on a generated database, SQLite or PostgreSQL.

    DATABASE_URL=postgres://qingtan:qingtan@127.0.0.1:5432/qingtan_load_100000_1000000_20000_s1 \
        .venv/bin/python bench/explain_pages.py
    DATABASE_URL=sqlite:///bench/data/load-100000-1000000-20000-s1.sqlite3 \
        .venv/bin/python bench/explain_pages.py

Requests the home page, the article with the most comments, its first tag's page, the profile of
the reader with the most comments and the moderation queue (as a reader made a moderator for the
run) through Django's test client with the page cache off, captures their SELECTs and prints the
plan of each: on PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)` with its real time, on SQLite `EXPLAIN
QUERY PLAN`. A sequential (full) scan of a table of more than 1,000 rows is marked "FULL SCAN"
and makes the script exit 1, as does a page not answering 200. Everything the run writes (the
session, the moderator's staff flag and group) is rolled back at the end.
tests/performance/test_query_plans.py checks the same on SQLite with this scale's statistics;
this script shows PostgreSQL's choice on real data.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["QINGTAN_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from articles.models import Article  # noqa: E402
from discussions.models import Comment  # noqa: E402

# Tables that do not grow with articles, comments or readers.
SMALL_TABLES = {
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
    "django_site",
    "accounts_user_groups",
}


# A table of fewer rows is read whole by any sensible plan (PostgreSQL prefers it).
SMALL_ROWS = 1000
ROWS = {}


class Rollback(Exception):
    pass


def _pages():
    article = (
        Article.objects.published()
        .annotate(comment_total=Count("comments"))
        .order_by("-comment_total")
        .first()
    )
    if article is None:
        raise SystemExit("no published article: generate data first (manage.py generate_load_data)")
    tag = article.tags.first()
    author_id = (
        Comment.objects.values("author")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("author", flat=True)[:1]
    )
    author = User.objects.get(pk=author_id[0])
    pages = [("home", "/", None), ("article", article.get_absolute_url(), None)]
    if tag:
        pages.append(("tag", f"/tags/{tag.slug}/", None))
    pages.append(("profile", f"/u/{author.username}/", None))
    pages.append(("moderation queue", "/moderation/", author))
    return pages


def _row_estimates():
    """Rows per table as the planner believes, for telling a growing table from a small one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
            return dict(cursor.fetchall())
        cursor.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        tables = [row[0] for row in cursor.fetchall() if not row[0].startswith("articles_search_fts")]
        # Names read from the schema itself, quoted.
        count = 'SELECT COUNT(*) FROM "{}"'
        return {table: cursor.execute(count.format(table)).fetchone()[0] for table in tables}


def _explain(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            scans = re.findall(r"Seq Scan on (\w+)", "\n".join(lines))
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            lines = [row[3] for row in cursor.fetchall()]
            aliases = {alias: table for table, alias in re.findall(r'"(\w+)" (?:AS )?"(\w+)"', sql)}
            scans = [
                aliases.get(m.group(1), m.group(1))
                for line in lines
                if (m := re.match(r"^SCAN (\w+)(?: AS \w+)?$", line))
            ]
    return lines, [table for table in scans if table not in SMALL_TABLES and ROWS.get(table, 0) > SMALL_ROWS]


def main():
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"articles: {Article.objects.count():,}, comments: {Comment.objects.count():,}\n")
    ROWS.update(_row_estimates())
    full_scans = failed_pages = 0
    try:
        with transaction.atomic():
            for name, url, moderator in _pages():
                client = Client()
                if moderator is not None:
                    moderator.is_staff = True
                    moderator.save(update_fields=["is_staff"])
                    moderator.groups.add(Group.objects.get(name="Moderators"))
                    client.force_login(moderator)
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                selects = [
                    q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                ]
                failed_pages += response.status_code != 200
                print(f"== {name} {unquote(url)}: HTTP {response.status_code}, {len(selects)} SELECTs")
                for query in selects:
                    lines, scans = _explain(query["sql"])
                    full_scans += len(scans)
                    mark = f"  FULL SCAN of {', '.join(scans)}" if scans else ""
                    print(f"-- {query['sql'][:200]}{'…' if len(query['sql']) > 200 else ''}{mark}")
                    for line in lines:
                        print(f"     {line}")
                print()
            raise Rollback
    except Rollback:
        pass
    print(f"full scans of growing tables: {full_scans}; pages not answering 200: {failed_pages}")
    return 1 if full_scans or failed_pages else 0


if __name__ == "__main__":
    sys.exit(main())
