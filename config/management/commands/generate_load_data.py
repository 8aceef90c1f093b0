"""Fill the database with realistic load-test data, fast and reproducibly.

    python manage.py generate_load_data --articles 100000 --comments 1000000 --users 20000 --seed 1

Readers, sources, tags, articles (mixed Chinese and English, 2-4 discussion questions each),
threaded comments (replies, answers to the questions, a few pending, hidden, removed, spam or
deleted ones with their audit entries), votes with scores equal to the Vote rows, a few closed
or locked threads and editor's picks, then the search index and fresh planner statistics.

Speed: rows are written in batches, one transaction per batch of articles, with ids chosen
here (after the highest existing ones) so that replies name their parents without reading
anything back. Model instances and bulk_create cost about 0.2 ms a row in Django's per-field
preparation, which is most of 10 minutes for 2.5 million rows, so the rows are tuples written
with executemany on SQLite and COPY on PostgreSQL; every column this command does not set gets
its model field's default, so the rows are what the models would have written. Markdown is
rendered (and sanitized) once per distinct piece, never per row: bodies are put together from a
pool of paragraphs rendered once each, which gives exactly the HTML that rendering the whole
body gives (each paragraph is a block of its own; tests/performance checks it).

The same --seed gives the same rows; times count back from the start of the current day (UTC).
"""

import math
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from taggit.models import Tag, TaggedItem
from tqdm import tqdm

from accounts.models import User
from articles import caching
from articles.models import Article, Source, normalize_url
from articles.search import index as search_index
from articles.text import (
    _CJK,
    _WORD,
    CJK_CHARACTERS_PER_MINUTE,
    WORDS_PER_MINUTE,
    render_article_markdown,
    render_comment_markdown,
    unicode_slug,
)
from config.management.commands import _load_text as text
from discussions.models import DELETED_BODY, Comment, ModerationAction, Question, Thread, Vote

PARAGRAPH_POOL = 800
SUMMARY_POOL = 1500
COMMENT_POOL = 2500
QUESTION_POOL = 1500
# Share of comments in each state; the rest are published.
COMMENT_STATES = [
    (Comment.Status.PENDING, 0.015),
    (Comment.Status.HIDDEN, 0.012),
    (Comment.Status.REMOVED, 0.006),
    (Comment.Status.SPAM, 0.004),
]
MODERATION_KIND = {
    Comment.Status.PENDING: ModerationAction.Kind.HOLD,
    Comment.Status.HIDDEN: ModerationAction.Kind.HIDE,
    Comment.Status.REMOVED: ModerationAction.Kind.REMOVE,
    Comment.Status.SPAM: ModerationAction.Kind.SPAM,
}
REPLY_SHARE = 0.4
ANSWER_SHARE = 0.55
DELETED_SHARE = 0.01
# Planted for bench/run: the 11th and 12th newest published articles get exactly these numbers
# of comments and three questions each, whatever the size of the data.
PLANTED_COMMENTS = (300, 20)


def _counts(piece):
    """(CJK characters, other words) of a piece of text as articles.text.reading_minutes counts
    them; pieces are joined with blank lines or spaces, so the counts of pieces add up."""
    return len(_CJK.findall(piece)), len(_WORD.findall(_CJK.sub(" ", piece)))


def _minutes(cjk, words):
    if not cjk and not words:
        return 0
    return max(1, math.ceil(cjk / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))


class _Slots(dict):
    """Template slots drawn only when a template names them."""

    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, key):
        r = self.rng
        value = {
            "a": lambda: r.choice(text.SUBJECTS_ZH),
            "e": lambda: r.choice(text.SUBJECTS_EN),
            "actor": lambda: r.choice(text.ACTORS_ZH),
            "actor_en": lambda: r.choice(text.ACTORS_EN),
            "place": lambda: r.choice(text.PLACES),
            "problem": lambda: r.choice(text.PROBLEMS_ZH),
            "problem_en": lambda: r.choice(text.PROBLEMS_EN),
            "device": lambda: r.choice(text.DEVICES_ZH),
            "n": lambda: r.randint(2, 90),
            "n2": lambda: r.randint(2, 40),
        }[key]()
        self[key] = value
        return value


class Words:
    def __init__(self, rng):
        self.rng = rng

    def fill(self, template):
        return template.format_map(_Slots(self.rng))

    def sentence(self, english_share=0.3):
        pool = text.EN_SENTENCES if self.rng.random() < english_share else text.ZH_SENTENCES
        return self.fill(self.rng.choice(pool))

    def sentences(self, low, high, english_share=0.3):
        return [self.sentence(english_share) for _ in range(self.rng.randint(low, high))]


class Pools:
    """Paragraphs, summaries, questions and comment bodies, each rendered to HTML once; smaller
    for small runs, where rendering them would take longer than the rest."""

    def __init__(self, rng, *, articles, comments):
        words = Words(rng)
        self.paragraphs = []  # (markdown, html, cjk, words, kind)
        for _ in range(min(PARAGRAPH_POOL, 50 + 4 * articles)):
            roll = rng.random()
            if roll < 0.08:
                kind, markdown = "heading", "## " + rng.choice(text.ZH_HEADINGS + text.EN_HEADINGS)
            elif roll < 0.14:
                kind, markdown = "list", "\n".join("- " + s for s in words.sentences(2, 4))
            elif roll < 0.19:
                kind, markdown = "quote", "> " + " ".join(words.sentences(1, 2))
            else:
                kind, body = "text", words.sentences(3, 6)
                if rng.random() < 0.25:
                    body[0] = f"**{body[0]}**"
                if rng.random() < 0.15:
                    term = rng.choice(text.SUBJECTS_EN)
                    body.append(
                        f"相关讨论见 [{term} 的公开记录](https://records.example.org/{term.lower()}/)."
                    )
                if rng.random() < 0.1:
                    body.append(
                        f"配置里只改了一行：`{rng.choice(text.SUBJECTS_EN).lower()}.enabled = true`。"
                    )
                markdown = " ".join(body)
            self.paragraphs.append((markdown, render_article_markdown(markdown), *_counts(markdown), kind))
        self.summaries = []  # (markdown, html, cjk, words)
        for _ in range(min(SUMMARY_POOL, 20 + 2 * articles)):
            markdown = " ".join(words.sentences(2, 3, english_share=0.15))
            self.summaries.append((markdown, render_article_markdown(markdown), *_counts(markdown)))
        self.questions = [
            words.fill(rng.choice(text.QUESTION_TEMPLATES))
            for _ in range(min(QUESTION_POOL, 20 + 3 * articles))
        ]
        self.comments = []  # (markdown, html)
        for _ in range(min(COMMENT_POOL, 50 + comments // 2)):
            paragraphs = [
                " ".join(words.fill(rng.choice(text.COMMENT_SENTENCES)) for _ in range(rng.randint(1, 3)))
                for _ in range(1 if rng.random() < 0.85 else 2)
            ]
            markdown = "\n\n".join(paragraphs)
            self.comments.append((markdown, render_comment_markdown(markdown)))
        self.deleted = (DELETED_BODY, render_comment_markdown(DELETED_BODY))


class Table:
    """Batched INSERTs of tuples into a model's table: the given fields in order, then every
    other column with its field's default (auto-incremented primary keys left to the database)."""

    def __init__(self, model, fields):
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        rest = [
            field
            for field in opts.concrete_fields
            if field not in given
            and not (field.primary_key and field.get_internal_type().endswith("AutoField"))
        ]
        for field in rest:
            if field.get_default() is None and not field.null:
                raise CommandError(f"{model.__name__}.{field.name} needs a value: add it to the generator.")
        self.defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
        self.table = opts.db_table
        self.columns = [field.column for field in given + rest]
        self.rows = []

    def add(self, *values):
        self.rows.append(values + self.defaults)

    def write(self):
        if not self.rows:
            return 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
                    self.rows,
                )
        written, self.rows = len(self.rows), []
        return written


class Command(BaseCommand):
    help = (
        "Generate realistic load-test data: readers, sources, tags, articles with questions, "
        "threaded comments with votes. Deterministic for a given --seed; adds to what is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=10_000)
        parser.add_argument("--users", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--votes-per-comment", type=float, default=0.8, help="Average votes per comment (default 0.8)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Articles written per transaction (default 1000)."
        )
        parser.add_argument("--no-search-index", action="store_true", help="Leave the search index alone.")

    def handle(self, *args, **options):
        if options["users"] < 2 or options["articles"] < 1 or options["comments"] < 0:
            raise CommandError("Need at least one article and two users, and no negative counts.")
        if options["batch_size"] < 1 or options["votes_per_comment"] < 0:
            raise CommandError("--batch-size must be positive and --votes-per-comment not negative.")
        generator = Generator(
            articles=options["articles"],
            comments=options["comments"],
            users=options["users"],
            seed=options["seed"],
            votes_per_comment=options["votes_per_comment"],
            batch_size=options["batch_size"],
            quiet=options["verbosity"] == 0,
        )
        summary = generator.run(search_index=not options["no_search_index"])
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    "Generated {users} users, {articles} articles, {questions} questions, "
                    "{comments} comments and {votes} votes in {seconds:.0f} s "
                    "(rows {rows_seconds:.0f} s, search index {index_seconds:.0f} s, "
                    "ANALYZE {analyze_seconds:.0f} s; seed {seed}).".format(**summary)
                )
            )


class Generator:
    def __init__(self, *, articles, comments, users, seed, votes_per_comment, batch_size, quiet):
        self.n_articles = articles
        self.n_comments = comments
        self.n_users = users
        self.seed = seed
        self.votes_per_comment = votes_per_comment
        self.batch_size = batch_size
        self.quiet = quiet
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.max_depth = settings.QINGTAN["COMMENT_MAX_DEPTH"]
        self.counts = defaultdict(int)
        # SQLite stores datetimes as naive UTC text (what Django's adapter would write).
        self.sqlite = connection.vendor == "sqlite"

    def _time(self, value):
        return str(value.replace(tzinfo=None)) if self.sqlite and value is not None else value

    def _date(self, value):
        return str(value) if self.sqlite and value is not None else value

    def _bar(self, **kwargs):
        return tqdm(file=sys.stderr, disable=self.quiet, **kwargs)

    def run(self, *, search_index=True):
        started = time.monotonic()
        if self.sqlite:
            with connection.cursor() as cursor:
                # 256 MB of page cache for this connection: the indexes of a million comments
                # outgrow the default 2 MB early, and every insert then rereads index pages.
                cursor.execute("PRAGMA cache_size = -262144")
        self.pools = Pools(self.rng, articles=self.n_articles, comments=self.n_comments)
        self.sources = self._sources()
        self.tags = [Tag.objects.get_or_create(name=name)[0] for name in text.TAGS]
        self.user_ids = self._users()
        self._articles()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), [User, Article, Question, Comment]
                ):
                    cursor.execute(statement)
        rows_done = time.monotonic()
        if search_index:
            self._index()
        index_done = time.monotonic()
        with connection.cursor() as cursor:
            # Fresh planner statistics after a bulk load, the search index's tables included.
            cursor.execute("ANALYZE")
        analyze_done = time.monotonic()
        # Nothing above sent signals: pages cached before now must go.
        caching.invalidate_all()
        return {
            **self.counts,
            "seed": self.seed,
            "seconds": time.monotonic() - started,
            "rows_seconds": rows_done - started,
            "index_seconds": index_done - rows_done,
            "analyze_seconds": analyze_done - index_done,
        }

    # Reference data -----------------------------------------------------------------------------

    def _sources(self):
        names = [f"{prefix}{suffix}" for prefix in text.SOURCE_PREFIXES for suffix in text.SOURCE_SUFFIXES]
        self.rng.shuffle(names)
        sources = []
        for number, name in enumerate(names[:40], start=1):
            description = self.words.sentence()  # drawn either way: the same seed, the same rows
            source = Source.objects.filter(name=name).first()
            if source is None:
                source = Source(name=name, homepage=f"https://pub{number}.example/", description=description)
                source.save()
            sources.append(source)
        return sources

    def _users(self):
        rng = self.rng
        start = (User.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        table = Table(User, ["id", "username", "email", "display_name", "password", "date_joined"])
        joined_from = self.anchor - timedelta(days=1500)
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        with transaction.atomic():
            for pk in range(start, start + self.n_users):
                roll = rng.random()
                if roll < 0.55:
                    given = "".join(rng.choice(text.AUTHOR_GIVEN) for _ in range(rng.randint(1, 2)))
                    display = rng.choice(text.AUTHOR_SURNAMES) + given
                elif roll < 0.8:
                    display = rng.choice(text.ENGLISH_NAMES)
                else:
                    display = f"{rng.choice(text.HANDLES)}{rng.randint(1, 999)}"
                table.add(
                    pk,
                    f"load{pk}",
                    f"load{pk}@load.example",
                    display,
                    "!" + "".join(rng.choices(alphabet, k=40)),  # unusable: nobody signs in with a password
                    self._time(joined_from + timedelta(minutes=rng.randint(0, 1500 * 24 * 60))),
                )
                if len(table.rows) >= 10_000:
                    table.write()
            table.write()
        self.counts["users"] = self.n_users
        return list(range(start, start + self.n_users))

    # Articles and their discussions -------------------------------------------------------------

    def _comment_allocation(self, commentable):
        """How many comments each article gets: a long tail (a few hot articles, many quiet
        ones) summing to the requested total; drafts and scheduled articles get none."""
        rng = self.rng
        planted = {}
        if self.n_comments >= sum(PLANTED_COMMENTS):
            newest_first = [i for i, status in enumerate(commentable) if status == "published"][::-1]
            planted = dict(zip(newest_first[10 : 10 + len(PLANTED_COMMENTS)], PLANTED_COMMENTS, strict=False))
        weights = [
            rng.lognormvariate(0, 1.2) if status and position not in planted else 0.0
            for position, status in enumerate(commentable)
        ]
        remaining = self.n_comments - sum(planted.values())
        total = sum(weights)
        counts = [int(weight / total * remaining) if total else 0 for weight in weights]
        candidates = [position for position, weight in enumerate(weights) if weight > 0]
        for _ in range(remaining - sum(counts) if candidates else 0):
            counts[rng.choice(candidates)] += 1
        counts.extend([0] * (len(commentable) - len(counts)))
        for position, count in planted.items():
            counts[position] = count
        return counts, set(planted)

    def _articles(self):
        rng = self.rng
        n = self.n_articles
        start = (Article.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.span = timedelta(days=min(3650, max(30, n // 50)))
        statuses = []
        for _ in range(n):
            roll = rng.random()
            if roll < 0.02:
                statuses.append("draft")
            elif roll < 0.021:
                statuses.append("scheduled")
            elif roll < 0.03:
                statuses.append("archived")
            else:
                statuses.append("published")
        commentable = ["" if status in ("draft", "scheduled") else status for status in statuses]
        self.allocation, self.planted = self._comment_allocation(commentable)
        self.next_question = (Question.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.next_comment = (Comment.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.content_type_id = ContentType.objects.get_for_model(Article).pk
        self.tables = {
            "articles": Table(
                Article,
                [
                    "id",
                    "title",
                    "slug",
                    "lead",
                    "summary",
                    "summary_html",
                    "body",
                    "body_html",
                    "reading_minutes",
                    "source",
                    "original_title",
                    "original_author",
                    "original_url",
                    "original_url_normalized",
                    "original_published_on",
                    "reprint_notice",
                    "permission_status",
                    "permission_granted_by",
                    "permission_granted_on",
                    "status",
                    "publish_at",
                    "takedown_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            "tags": Table(TaggedItem, ["tag", "content_type", "object_id"]),
            "questions": Table(Question, ["id", "article", "text", "position", "is_closed", "pinned_answer"]),
            "threads": Table(Thread, ["article", "is_closed", "is_locked", "locked_at", "lock_reason"]),
            "comments": Table(
                Comment,
                [
                    "id",
                    "article",
                    "question",
                    "parent",
                    "root",
                    "depth",
                    "author",
                    "body",
                    "body_html",
                    "is_deleted",
                    "status",
                    "created_at",
                    "edited_at",
                    "score",
                    "moderated_at",
                    "moderation_reason",
                ],
            ),
            "votes": Table(Vote, ["user", "comment", "created_at"]),
            "actions": Table(
                ModerationAction,
                [
                    "kind",
                    "actor_role",
                    "comment",
                    "article",
                    "target_user",
                    "reason",
                    "previous_status",
                    "new_status",
                    "created_at",
                ],
            ),
        }
        ids = list(range(start, start + n))
        with self._bar(total=n, unit="article", desc="Articles") as bar:
            for chunk_start in range(0, n, self.batch_size):
                chunk = range(chunk_start, min(n, chunk_start + self.batch_size))
                with transaction.atomic():
                    for position in chunk:
                        self._article(start + position, position, statuses[position])
                    for table in self.tables.values():
                        table.write()
                reset_queries()  # DEBUG keeps every query otherwise
                bar.update(len(chunk))
        return ids

    def _article(self, pk, position, status):
        rng = self.rng
        pools = self.pools
        words = self.words
        # Older articles first; the newest an hour before the anchor.
        publish_at = self.anchor - self.span * (1 - (position + rng.random() * 0.5) / self.n_articles)
        publish_at -= timedelta(hours=1)
        takedown_at = None
        if status == "scheduled":
            publish_at = self.anchor + timedelta(days=rng.randint(2, 30), minutes=rng.randint(0, 1439))
        elif status == "published" and rng.random() < 0.002:
            takedown_at = self.anchor + timedelta(days=rng.randint(30, 365))
        title = words.fill(rng.choice(text.TITLE_TEMPLATES))[:200]
        summary, summary_html, cjk, n_words = rng.choice(pools.summaries)
        paragraphs = []
        has_list = False
        for _ in range(rng.randint(4, 10)):
            paragraph = rng.choice(pools.paragraphs)
            if paragraph[4] == "list":
                if has_list:  # two lists in a row would render as one
                    continue
                has_list = True
            paragraphs.append(paragraph)
        if len(paragraphs) > 1 and paragraphs[-1][4] == "heading":
            paragraphs.pop()
        cjk += sum(p[2] for p in paragraphs)
        n_words += sum(p[3] for p in paragraphs)
        source = self.sources[int(len(self.sources) * rng.random() ** 1.5)]
        original_url = f"{source.homepage}{publish_at:%Y/%m}/{pk}-{rng.randint(1000, 9999)}"
        granted = rng.random() < 0.7
        author = (
            rng.choice(text.AUTHOR_SURNAMES) + rng.choice(text.AUTHOR_GIVEN)
            if rng.random() < 0.7
            else rng.choice(text.ENGLISH_NAMES)
        )
        original_title = title if rng.random() < 0.5 else words.fill(rng.choice(text.TITLE_TEMPLATES))
        db_status = {"draft": Article.Status.DRAFT, "archived": Article.Status.ARCHIVED}.get(
            status, Article.Status.PUBLISHED
        )
        created = publish_at - timedelta(hours=rng.randint(1, 48))
        self.tables["articles"].add(
            pk,
            title,
            f"{unicode_slug(title, max_length=200)}-{pk}",
            words.fill(rng.choice(text.LEAD_TEMPLATES))[:300],
            summary,
            summary_html,
            "\n\n".join(p[0] for p in paragraphs),
            "".join(p[1] for p in paragraphs),
            _minutes(cjk, n_words),
            source.pk,
            original_title[:300],
            author,
            original_url,
            normalize_url(original_url),
            self._date((publish_at - timedelta(days=rng.randint(0, 20))).date()),
            rng.choice(text.REPRINT_NOTICES).format(source=source.name),
            Article.Permission.GRANTED if granted else Article.Permission.REQUESTED,
            author if granted else "",
            self._date((publish_at - timedelta(days=rng.randint(1, 30))).date()) if granted else None,
            db_status,
            None if status == "draft" else self._time(publish_at),
            self._time(takedown_at),
            self._time(created),
            self._time(created),
        )
        self.counts["articles"] += 1
        for tag in rng.sample(self.tags, rng.randint(2, 4)):
            self.tables["tags"].add(tag.pk, self.content_type_id, pk)

        questions = []  # [pk, text, is_closed, pinned answer]
        for _ in range(3 if position in self.planted else rng.randint(2, 4)):
            questions.append([self.next_question, rng.choice(pools.questions), rng.random() < 0.03, None])
            self.next_question += 1
        if status in ("published", "archived"):
            roll = rng.random()
            if roll < 0.005:
                self.tables["threads"].add(pk, True, False, None, "")
            elif roll < 0.007:
                locked_at = self._time(publish_at + timedelta(days=2))
                self.tables["threads"].add(pk, False, True, locked_at, "讨论偏离主题，暂时锁定。")
        count = self.allocation[position]
        if count:
            self._discussion(pk, publish_at, questions, count)
        for number, (question_pk, question_text, is_closed, pick) in enumerate(questions):
            self.tables["questions"].add(question_pk, pk, question_text, number, is_closed, pick)
        self.counts["questions"] += len(questions)

    def _author(self):
        # A few readers write much of the discussion, as everywhere.
        return self.user_ids[int(len(self.user_ids) * self.rng.random() ** 2.5)]

    def _discussion(self, article_pk, publish_at, questions, count):
        rng = self.rng
        pools = self.pools
        comments, actions = self.tables["comments"], self.tables["actions"]
        window = min(self.anchor - timedelta(minutes=1), publish_at + timedelta(days=30))
        seconds = max(60.0, (window - publish_at).total_seconds())
        offsets = sorted(min(seconds, rng.expovariate(8 / seconds)) for _ in range(count))
        posted = []  # (pk, depth, parent pk, root pk) of this article's comments so far
        by_pk = {}
        for offset in offsets:
            created_at = publish_at + timedelta(seconds=offset)
            pk = self.next_comment
            self.next_comment += 1
            parent_pk, root_pk, depth, question = None, None, 0, None
            if posted and rng.random() < REPLY_SHARE:
                parent = posted[-1 - int(min(len(posted), 12) * rng.random())]
                # As Comment.save(): a reply below the deepest level attaches at the deepest level.
                while parent[1] >= self.max_depth:
                    parent = by_pk[parent[2]]
                parent_pk, depth = parent[0], parent[1] + 1
                root_pk = parent[3] or parent_pk
            elif questions and rng.random() < ANSWER_SHARE:
                question = rng.choice(questions)
            entry = (pk, depth, parent_pk, root_pk)
            posted.append(entry)
            by_pk[pk] = entry
            author = self._author()
            status = Comment.Status.PUBLISHED
            roll = rng.random()
            for state, share in COMMENT_STATES:
                if roll < share:
                    status = state
                    break
                roll -= share
            published = status == Comment.Status.PUBLISHED
            deleted = published and rng.random() < DELETED_SHARE
            body, body_html = pools.deleted if deleted else rng.choice(pools.comments)
            score, moderated_at, reason = 0, None, ""
            if not published:
                if status != Comment.Status.PENDING:
                    moderated_at, reason = created_at + timedelta(hours=2), "违反社区规则"
                actions.add(
                    MODERATION_KIND[status],
                    "system",
                    pk,
                    article_pk,
                    author,
                    reason,
                    "" if status == Comment.Status.PENDING else Comment.Status.PUBLISHED,
                    status,
                    self._time(moderated_at or created_at),
                )
            elif not deleted:
                score = self._votes(pk, author, created_at)
                if question is not None and question[3] is None and rng.random() < 0.08:
                    question[3] = pk  # the editor's pick
            edited_at = created_at + timedelta(minutes=rng.randint(1, 14)) if rng.random() < 0.03 else None
            comments.add(
                pk,
                article_pk,
                question[0] if question else None,
                parent_pk,
                root_pk,
                depth,
                author,
                body,
                body_html,
                deleted,
                status,
                self._time(created_at),
                self._time(edited_at),
                score,
                self._time(moderated_at),
                reason,
            )
        self.counts["comments"] += count

    def _votes(self, comment_pk, author, created_at):
        rng = self.rng
        if not self.votes_per_comment or rng.random() >= 0.4:
            return 0
        extra = max(0.0, self.votes_per_comment / 0.4 - 1)
        wanted = min(len(self.user_ids) - 1, 1 + (int(rng.expovariate(1 / extra)) if extra else 0))
        voters = set()
        while len(voters) < wanted:
            voter = self.user_ids[int(len(self.user_ids) * rng.random())]
            if voter != author:
                voters.add(voter)
        voted_at = self._time(created_at + timedelta(minutes=5))
        for voter in sorted(voters):
            self.tables["votes"].add(voter, comment_pk, voted_at)
        self.counts["votes"] += len(voters)
        return len(voters)

    # Search index -------------------------------------------------------------------------------

    def _index(self):
        # The whole index rebuilt, as rebuild_search_index does, not updated batch by batch:
        # PostgreSQL builds its GIN index once after the load, SQLite writes into an emptied FTS5
        # table without deleting first (updating fell from 140 to 7 articles a second at 100,000).
        total = Article.objects.filter(status__in=search_index.INDEXED_STATUSES).count()
        with self._bar(total=total, unit="article", desc="Search index") as bar:
            search_index.rebuild(progress=bar.update)
