"""Where each database keeps the terms of articles.search.tokens and how it matches them.

SQLite: an FTS5 table (articles_search_fts), one row per entry with the article's id as rowid
and one column of space-separated terms per field. Its `ascii` tokenizer only splits on the
spaces (every non-ASCII character is part of a token), so the terms stay exactly as made in
Python. The rows are written with the entries; a trigger removes a row when its entry goes,
whatever deletes it (a cascade, a flush). Ranked by bm25() with per-column weights.

PostgreSQL: two tsvector columns on the entry, built in Python. search_vector holds every
distinct term of every field, without positions, under a GIN index: it only finds the matches.
rank_vector holds the terms of the short fields with their positions and a weight per field
(A: titles, B: lead and summary, C: tags and source), and ranks them with ts_rank(), which
reads the whole vector of every match: on the small one that stays cheap, and a match in the
body alone ranks below any match in those fields. A query is a tsquery of the terms (all of
them, no phrase operator), CJK phrases rechecked against the plain text.

Both take the SQL of the visible entries (selecting their `visible_columns`) and answer
`matches(terms, visible, ranked=)` with SQL selecting (article_id, rank, publish_at) of those
that match, lower rank first (unranked, the rank is 0 and nothing is spent on it), and
`newest(terms, visible)` with SQL selecting (article_id, publish_at) of the same, planned to be
read newest first along the entries' (status, publish_at) index, whether or not the database
has planner statistics. `ranked(terms, visible, ids)` ranks matches already found (their ids), as
cheaply as the backend can; `tagged(taggings)` is the condition on the visible entries that they
have one of these taggings.
"""

from contextlib import contextmanager

from django.db import connection
from django.db.models import Exists, F, Func, IntegerField, OuterRef
from django.db.models.lookups import In

from articles.search.tokens import document_terms, document_text

FIELDS = ("title", "original_title", "lead", "summary", "tags", "source_name", "body")
ENTRY_TABLE = "articles_articlesearchentry"


def current():
    return BACKENDS[connection.vendor]


class SQLiteBackend:
    table = "articles_search_fts"
    trigger = "articles_search_entry_delete"
    # bm25() weights in FIELDS order: titles count most, the body least.
    weights = (10.0, 8.0, 4.0, 4.0, 3.0, 2.0, 1.0)

    schema_before_load = True

    def create_schema(self, cursor):
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
            f"{', '.join(FIELDS)}, tokenize='ascii')"
        )
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {self.trigger} AFTER DELETE ON {ENTRY_TABLE} "  # noqa: S608
            f"BEGIN DELETE FROM {self.table} WHERE rowid = old.article_id; END"
        )

    def drop_schema(self, cursor):
        cursor.execute(f"DROP TRIGGER IF EXISTS {self.trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    @contextmanager
    def bulk_load(self, cursor):
        """A page cache of 256 MB while a rebuild writes the whole index in one transaction
        (the default 2 MB spills dirty pages to the WAL, again each time FTS5 merges its
        segments), then the connection's own again."""
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {previous}")

    def field_terms(self, text):
        return document_text(text)  # the column's value, as the `ascii` tokenizer splits it

    def prepare(self, entry, terms_by_field):
        entry.search_vector = entry.rank_vector = None

    def write(self, cursor, entries, terms_by_entry, *, fresh=False):
        """Replace the rows of these entries (fresh: the table is known to hold none of them,
        as in a rebuild, and removing them, which re-reads their terms, is skipped)."""
        ids = [] if fresh else [entry.article_id for entry in entries]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {self.table} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )
        placeholders = ", ".join(["%s"] * (len(FIELDS) + 1))
        cursor.executemany(
            f"INSERT INTO {self.table} (rowid, {', '.join(FIELDS)}) VALUES ({placeholders})",  # noqa: S608
            [[entry.article_id, *terms_by_entry[entry.article_id]] for entry in entries],
        )

    visible_columns = ("article_id", "publish_at")

    def _match(self, terms, *, ranked):
        parts = []
        for term in terms:
            phrase = '"' + " ".join(term.terms).replace('"', '""') + '"'
            parts.append(f"{phrase}*" if term.kind == "prefix" else phrase)
        weights = ", ".join(str(weight) for weight in self.weights)
        rank = f"bm25({self.table}, {weights})" if ranked else "0"
        sql = (
            f"SELECT rowid AS article_id, {rank} AS rank "  # noqa: S608 - constants
            f"FROM {self.table} WHERE {self.table} MATCH %s"
        )
        return sql, [" AND ".join(parts)]

    def matches(self, terms, visible, *, ranked=True):
        visible_sql, visible_params = visible
        match_sql, match_params = self._match(terms, ranked=ranked)
        # CROSS JOIN: SQLite must scan the matches and look the entries up, never the reverse
        # (which would run the full-text match once per entry).
        sql = (
            f"SELECT m.article_id, m.rank, v.publish_at FROM ({match_sql}) m "  # noqa: S608 - built from querysets
            f"CROSS JOIN ({visible_sql}) v WHERE v.article_id = m.article_id"
        )
        return sql, [*match_params, *visible_params]

    def ranked(self, terms, visible, ids):
        return self.matches(terms, visible)  # bm25() exists only in a full-text match

    def newest(self, terms, visible):
        # The matches made once into a set of ids that the walk down the index looks up. The
        # unary + keeps the id out of any index: with the statistics of ANALYZE (or PRAGMA
        # optimize) SQLite would otherwise look every match up by its id and sort them all
        # (68,439 for 开源 at 100,000 articles: 225 ms of CPU against 29 for the walk), since
        # it cannot know the walk stops after a page. There are more than the rank limit of
        # matches here, so the walk finds a page within about (entries / limit) x page steps.
        visible_sql, visible_params = visible
        match_sql, match_params = self._match(terms, ranked=False)
        sql = (
            f"SELECT v.article_id, v.publish_at FROM ({visible_sql}) v "  # noqa: S608 - built from querysets
            f"WHERE +v.article_id IN (SELECT m.article_id FROM ({match_sql}) m)"
        )
        return sql, [*visible_params, *match_params]

    @contextmanager
    def newest_plan(self, cursor):
        yield

    def tagged(self, taggings):
        """The condition that an entry has one of these taggings: its id in their list, made once
        and probed for each entry (cheaper than a lookup in the taggings' index per entry), the
        id again behind a unary + so that the list is never a way into the entries (given
        statistics, SQLite read every article of the tag and sorted them for a newest-first
        page instead of walking the publish-time index)."""
        return In(
            Func(F("article_id"), template="+%(expressions)s", output_field=IntegerField()),
            taggings.values("object_id"),
        )


class PostgreSQLBackend:
    index = "articles_search_vector_gin"
    # Weights of the ranked fields, FIELDS without the body.
    rank_weights = ("A", "A", "B", "B", "C", "C")
    MAX_POSITION = 16383
    MAX_POSITIONS_PER_TERM = 256

    # A GIN index is much faster to build once than to update row by row.
    schema_before_load = False

    def create_schema(self, cursor):
        # Inside a transaction that wrote entries, their deferred foreign key checks must run
        # before an index may be built on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.index} ON {ENTRY_TABLE} USING gin (search_vector)")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def drop_schema(self, cursor):
        cursor.execute(f"DROP INDEX IF EXISTS {self.index}")

    @contextmanager
    def bulk_load(self, cursor):
        # Memory for building the GIN index at the end, for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        yield

    def field_terms(self, text):
        return document_terms(text)

    def prepare(self, entry, terms_by_field):
        entry.search_vector = _lexemes(dict.fromkeys(term for terms in terms_by_field for term in terms))
        positions = {}
        position = 0
        for weight, terms in zip(self.rank_weights, terms_by_field, strict=False):
            for term in terms:
                position = min(position + 1, self.MAX_POSITION)
                found = positions.setdefault(term, [])
                if len(found) < self.MAX_POSITIONS_PER_TERM and not (found and position == self.MAX_POSITION):
                    found.append(f"{position}{weight}")
            position = min(position + 1, self.MAX_POSITION)
        entry.rank_vector = " ".join(f"{_quote(term)}:{','.join(found)}" for term, found in positions.items())

    def write(self, cursor, entries, terms_by_entry, *, fresh=False):
        pass  # the tsvectors are columns of the entry, written with it

    # The visible entries' own row carries the vectors and the text: one scan of the entries,
    # never a join of the table with itself.
    visible_columns = ("article_id", "publish_at", "search_vector", "rank_vector", *FIELDS)

    def _tsquery(self, terms):
        parts, rechecks = [], []
        for term in terms:
            if term.kind == "prefix":
                parts.append(f"{_quote(term.terms[0])}:*")
            else:
                parts.extend(_quote(lexeme) for lexeme in term.terms)
            if term.kind == "phrase":
                rechecks.append(term.text)
        return " & ".join(parts), rechecks

    def matches(self, terms, visible, *, ranked=True):
        visible_sql, visible_params = visible
        tsquery, rechecks = self._tsquery(terms)
        text = f"concat_ws(E'\\n', {', '.join('v.' + field for field in FIELDS)})"
        rank = "-ts_rank(v.rank_vector, q.query)" if ranked else "0"
        sql = (
            f"SELECT v.article_id, {rank} AS rank, v.publish_at "  # noqa: S608 - built from querysets
            f"FROM ({visible_sql}) v, CAST(%s AS tsquery) AS q(query) "
            "WHERE v.search_vector @@ q.query"
        ) + f" AND strpos({text}, %s) > 0" * len(rechecks)
        return sql, [*visible_params, tsquery, *rechecks]

    def ranked(self, terms, visible, ids):
        # Found and rechecked already: only their small vectors are read again.
        sql = (
            "SELECT v.article_id, -ts_rank(v.rank_vector, CAST(%s AS tsquery)) AS rank, v.publish_at "  # noqa: S608
            f"FROM {ENTRY_TABLE} v WHERE v.article_id = ANY(%s)"
        )
        return sql, [self._tsquery(terms)[0], list(ids)]

    def newest(self, terms, visible):
        return self.matches(terms, visible, ranked=False)

    def tagged(self, taggings):
        """The condition that an entry has one of these taggings, checked entry by entry
        (EXISTS): a newest-first page can then walk the publish-time index, where with IN the
        planner read every article of the tag and sorted them (130 ms against 14 for a tag of
        4,000 articles at 100,000)."""
        return Exists(taggings.filter(object_id=OuterRef("article_id")))

    @contextmanager
    def newest_plan(self, cursor):
        """No parallel workers for reading the newest matches: each would walk its own part of
        the index, testing (and reading from TOAST) the vector of every entry it passes, far
        beyond the few dozen a page needs before the leader stops them."""
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        try:
            yield
        finally:
            cursor.execute("RESET max_parallel_workers_per_gather")


def _lexemes(terms):
    """A tsvector of these distinct terms, without positions, as PostgreSQL reads it. Terms are
    letters and digits only; should one ever need escaping, every term is quoted in full."""
    terms = list(terms)
    spaced = " ".join(terms)
    if "'" in spaced or "\\" in spaced:
        return " ".join(map(_quote, terms))
    return "'" + "' '".join(terms) + "'" if terms else ""


def _quote(lexeme):
    """A lexeme as tsvector and tsquery input read it, whatever characters it holds."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}
