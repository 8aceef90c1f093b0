"""Copy SQLite's planner statistics of a generated database into the query plan tests.

    .venv/bin/python bench/planner_stats.py bench/data/load-100000-1000000-20000-s1.sqlite3

tests/performance/test_query_plans.py loads tests/performance/sqlite_stat1.json into its small
test database, so SQLite plans the pages' queries as it would with 100,000 articles and a million
comments (plans follow the statistics, not the rows). Run it again after changing indexes.
"""

import json
import sqlite3
import sys
from pathlib import Path

TABLES = ("articles_", "discussions_", "accounts_", "taggit_", "django_session", "django_content_type")
OUT = Path(__file__).resolve().parent.parent / "tests" / "performance" / "sqlite_stat1.json"


def main(path):
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = [
        {"tbl": table, "idx": index, "stat": stat}
        for table, index, stat in database.execute(
            "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx"
        )
        if table.startswith(TABLES) and not table.startswith("articles_search_fts")
    ]
    if not rows:
        raise SystemExit(f"{path} has no statistics: run ANALYZE on it first")
    OUT.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(rows)} statistics written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
