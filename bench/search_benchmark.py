"""Search latency: the index (articles.search) against a plain icontains scan.

    .venv/bin/python bench/search_benchmark.py                      # SQLite, 100,000 articles
    .venv/bin/python bench/search_benchmark.py --articles 10000     # quicker
    .venv/bin/python bench/search_benchmark.py --postgres           # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/search_benchmark.py --database-url postgres://USER:PASS@HOST/DB

Generates N articles of mixed Chinese and English text (deterministic for a given --seed)
into a database of its own: an SQLite file under bench/data/ (git-ignored), or the PostgreSQL
database named by --database-url / --postgres (created when missing; it must hold nothing but
benchmark articles). A database that already holds exactly N benchmark articles is reused
(--regenerate to start again). Then it builds the index with rebuild_search_index's code and
times the same page of results both ways: the count and the first 20 results, best first for
the index, newest first for the scan. Prints the median and p95 per query and overall.
--statistics analyze|drop times SQLite with or without planner statistics on the entries.
--phase prepare generates and indexes without timing anything, --phase time only times.
"""

import argparse
import html
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
DEFAULT_POSTGRES = "postgres://qingtan:qingtan@127.0.0.1:5432/qingtan_bench"

# One-character, two-character and longer Chinese queries, English words and phrases, mixed.
QUERIES = [
    "芯",
    "博",
    "博士",
    "模型",
    "开源",
    "语言模型",
    "独立研究者",
    "量子计算",
    "transformer",
    "kernel",
    "open source",
    "GPT",
    "GPT 博士",
]

# The generated text: a Zipf-distributed vocabulary of made-up words built from common
# characters (Chinese) or syllables (English), function words, and topic words. Each article has
# one to three topics drawn from a Zipf-distributed list, so a query word is as selective as a
# real one: 模型 is in a few percent of the articles, 独立研究者 in a few per thousand.
HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
    "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
    "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
    "府研究模型芯片博士开源量子算法网络安全数据存储训练推理服务器操作系统编译浏览协议卫星通信传感能源电池"
)
FUNCTION_ZH = [
    "的",
    "了",
    "是",
    "在",
    "和",
    "也",
    "就",
    "都",
    "而",
    "与",
    "我们",
    "他们",
    "这个",
    "已经",
    "可以",
    "但是",
]
SYLLABLES = [
    c + v + e
    for c in ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "st", "tr", "pl"]
    for v in ["a", "e", "i", "o", "u", "ai", "ou"]
    for e in ["", "n", "r", "s", "t", "l"]
]
FUNCTION_EN = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "it",
    "by",
    "was",
]
TOPICS = [
    # Chinese topics, most common first; the queries are among them.
    "模型", "数据", "芯片", "开源", "训练", "安全", "语言模型", "算力", "博士", "服务器", "操作系统", "漏洞",
    "半导体", "量子计算", "自动驾驶", "卫星", "数据中心", "编译器", "独立研究者", "光刻机", "博客", "博物馆",
    # English topics
    "model", "data", "chips", "open source", "security", "training", "GPT", "kernel", "cloud", "transformer",
    "compiler", "satellite", "quantum computing", "battery", "independent researcher", "RISC-V", "Linux",
]  # fmt: skip
ZH_TOPICS = [topic for topic in TOPICS if not topic.isascii()]
EN_TOPICS = [topic for topic in TOPICS if topic.isascii()]
PUNCTUATION = ["，", "，", "，", "。", "。", "、", "：", "；"]


def cumulative_zipf(count, exponent=1.0):
    total, out = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 1) ** exponent
        out.append(total)
    return out


class Writer:
    def __init__(self, seed):
        self.random = random.Random(seed)
        rnd = self.random
        zh = {"".join(rnd.choices(HANZI, k=rnd.choice([2, 2, 2, 3, 3, 4]))) for _ in range(30_000)}
        en = {"".join(rnd.choices(SYLLABLES, k=rnd.choice([1, 2, 2, 3]))) for _ in range(20_000)}
        self.zh_words = sorted(zh)
        self.en_words = sorted(en)
        rnd.shuffle(self.zh_words)
        rnd.shuffle(self.en_words)
        self.zh_weights = cumulative_zipf(len(self.zh_words))
        self.en_weights = cumulative_zipf(len(self.en_words))
        self.zh_topic_weights = cumulative_zipf(len(ZH_TOPICS), 1.2)
        self.en_topic_weights = cumulative_zipf(len(EN_TOPICS), 1.2)

    def topics(self, is_chinese):
        """One topic always, a second and third now and then, from a skewed list; most
        articles get none of the rare ones."""
        if is_chinese:
            pool, weights = ZH_TOPICS, self.zh_topic_weights
        else:
            pool, weights = EN_TOPICS, self.en_topic_weights
        picked = self.random.choices(pool, cum_weights=weights, k=self.random.choice([1, 1, 2, 3]))
        return [topic for topic in picked if self.random.random() < 0.25]

    def chinese(self, length, topics):
        rnd = self.random
        words = rnd.choices(self.zh_words, cum_weights=self.zh_weights, k=length // 2)
        out = []
        for word in words:
            roll = rnd.random()
            if roll < 0.25:
                out.append(rnd.choice(FUNCTION_ZH))
            elif roll < 0.27 and topics:
                out.append(rnd.choice(topics))
            elif roll < 0.29:
                out.append(f" {rnd.choice(self.en_words)} ")
            out.append(word)
            if rnd.random() < 0.1:
                out.append(rnd.choice(PUNCTUATION))
        return "".join(out)[:length].strip() + "。"

    def english(self, length, topics):
        rnd = self.random
        words = rnd.choices(self.en_words, cum_weights=self.en_weights, k=length)
        out = []
        for word in words:
            roll = rnd.random()
            if roll < 0.4:
                out.append(rnd.choice(FUNCTION_EN))
            elif roll < 0.42 and topics:
                out.append(rnd.choice(topics))
            out.append(word)
        text = " ".join(out)
        return text[:1].upper() + text[1:] + "."

    def text(self, is_chinese, length, topics):
        return self.chinese(length, topics) if is_chinese else self.english(length // 4, topics)

    def paragraphs(self, is_chinese, count, topics):
        return [self.text(is_chinese, self.random.randint(80, 300), topics) for _ in range(count)]


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_postgres_database(url):
    import psycopg
    from django.db import connection
    from psycopg import sql

    settings = connection.settings_dict
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=5).close()
    except psycopg.OperationalError:
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
        print(f"created database {settings['NAME']}")


def generate(count, seed):
    from django.db import transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem
    from tqdm import tqdm

    from articles.models import Article, Source

    writer = Writer(seed)
    rnd = writer.random
    now = timezone.now()
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            [
                Source(name=f"基准来源 {n:02d}" if n % 3 else f"Bench Source {n:02d}", slug=f"bench-{n:02d}")
                for n in range(60)
            ]
        )
        # Made-up words only: a tag that is a query word would make the index find articles the
        # scan (which does not look at tags) cannot, and the hit counts would not compare.
        tag_names = sorted({*writer.zh_words[:150], *writer.en_words[:100]})
        tags = Tag.objects.bulk_create(
            [Tag(name=name, slug=f"bench-tag-{n}") for n, name in enumerate(tag_names)]
        )
    from django.contrib.contenttypes.models import ContentType

    article_type = ContentType.objects.get_for_model(Article)
    batch = 2000
    with tqdm(total=count, unit="article", desc="Generating", file=sys.stderr) as bar:
        for start in range(0, count, batch):
            articles = []
            for i in range(start, min(start + batch, count)):
                is_chinese = rnd.random() < 0.7
                topics = writer.topics(is_chinese)
                paragraphs = writer.paragraphs(is_chinese, rnd.randint(6, 16), topics)
                summary = writer.text(is_chinese, rnd.randint(80, 200), topics)
                roll = rnd.random()
                status = (
                    Article.Status.PUBLISHED
                    if roll < 0.9
                    else Article.Status.DRAFT
                    if roll < 0.95
                    else Article.Status.ARCHIVED
                )
                articles.append(
                    Article(
                        title=writer.text(is_chinese, rnd.randint(10, 24), topics[:1])[:200],
                        slug=f"bench-{i}",
                        lead=writer.text(is_chinese, rnd.randint(20, 50), topics)[:300],
                        summary=summary,
                        summary_html=f"<p>{html.escape(summary)}</p>",
                        body="\n\n".join(paragraphs),
                        body_html="\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
                        original_title=writer.text(is_chinese, rnd.randint(10, 24), [])[:300],
                        source=rnd.choice(sources),
                        status=status,
                        publish_at=now - timezone.timedelta(minutes=rnd.randint(1, 3 * 365 * 24 * 60)),
                    )
                )
            with transaction.atomic():
                Article.objects.bulk_create(articles)
                TaggedItem.objects.bulk_create(
                    [
                        TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
                        for article in articles
                        for tag in rnd.sample(tags, rnd.randint(1, 4))
                    ]
                )
            bar.update(len(articles))


def statistics_of_entries(action):
    """SQLite: write ("analyze"), delete ("drop") or read ("show") sqlite_stat1's rows of the
    search entries; the search must keep its plans either way (tests/performance/test_search_plan.py)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return "ANALYZE (PostgreSQL)"
    with connection.cursor() as cursor:
        if action == "analyze":
            cursor.execute("ANALYZE articles_articlesearchentry")
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return "none"
        if action == "drop":
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'articles_articlesearchentry'")
            cursor.execute("ANALYZE sqlite_schema")  # the planner forgets them
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'articles_articlesearchentry'")
        return ", ".join(f"{index} {stat}" for index, stat in cursor.fetchall()) or "none"


def scan(query):
    """What a site without an index would do: every term in some field, icontains."""
    from django.db.models import Q

    from articles.models import Article

    queryset = Article.objects.published()
    for term in query.split():
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(original_title__icontains=term)
            | Q(lead__icontains=term)
            | Q(summary__icontains=term)
            | Q(body__icontains=term)
            | Q(source__name__icontains=term)
        )
    total = queryset.count()
    page = list(queryset.select_related("source").order_by("-publish_at", "-pk")[:20])
    return total, page


def indexed(query):
    from articles.search import search_articles

    results = search_articles(query)
    count = results.count()
    # ">2000": more matches than the rank limit, counted up to it and listed newest first.
    return f">{count}" if results.newest_first else count, results[0:20]


def timed(function, query, repeat):
    function(query)  # warm the caches; not counted
    times, total = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        total, _page = function(query)
        times.append((time.perf_counter() - started) * 1000)
    return total, times


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=100_000, help="Articles to generate (default 100,000)."
    )
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the generated text (default 7).")
    parser.add_argument(
        "--repeat", type=int, default=5, help="Timed runs of each query with the index (default 5)."
    )
    parser.add_argument("--scan-repeat", type=int, default=3, help="Timed runs of each scan (default 3).")
    parser.add_argument("--database-url", help="A PostgreSQL (or SQLite) database for the benchmark alone.")
    parser.add_argument("--postgres", action="store_true", help=f"Use {DEFAULT_POSTGRES}.")
    parser.add_argument("--regenerate", action="store_true", help="Empty the database and generate again.")
    parser.add_argument("--skip-scan", action="store_true", help="Time the index only.")
    parser.add_argument("--reindex", action="store_true", help="Rebuild the index of existing articles.")
    parser.add_argument(
        "--statistics",
        choices=["keep", "analyze", "drop"],
        default="keep",
        help="SQLite's planner statistics of the search entries before timing: analyze writes them "
        "(as ANALYZE or PRAGMA optimize on a production site would), drop deletes them, keep (default) "
        "leaves them as they are. PostgreSQL is always analysed.",
    )
    parser.add_argument(
        "--phase",
        choices=["all", "prepare", "time"],
        default="all",
        help="prepare: generate and index only (run it under nice); time: only time the queries, "
        "refusing to generate or index (run it under flock bench.lock). Default: both.",
    )
    args = parser.parse_args()

    url = args.database_url or (DEFAULT_POSTGRES if args.postgres else None)
    if url is None:
        DATA.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA / f'search-{args.articles}-{args.seed}.sqlite3'}"
    setup_django(url)
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_migrate

    if connection.vendor == "postgresql":
        ensure_postgres_database(url)
    # Indexing is timed below, not left to the index's own build-after-migrate.
    post_migrate.disconnect(sender=apps.get_app_config("articles"), dispatch_uid="search_build_if_missing")
    call_command("migrate", verbosity=0)

    from articles.models import Article, ArticleSearchEntry, Source
    from articles.search import index

    if Article.objects.exclude(slug__startswith="bench-").exists():
        sys.exit("This database holds articles that are not the benchmark's: refusing to touch it.")
    existing = Article.objects.count()
    needs_data = args.regenerate or existing != args.articles
    needs_index = needs_data or args.reindex or not ArticleSearchEntry.objects.exists()
    if args.phase == "time" and needs_index:
        sys.exit(
            f"{existing} articles here and {args.articles} wanted, or no index: run --phase prepare first."
        )
    if needs_data:
        if existing:
            ArticleSearchEntry.objects.all().delete()
            Article.objects.all().delete()
            Source.objects.filter(slug__startswith="bench-").delete()
        started = time.perf_counter()
        generate(args.articles, args.seed)
        print(f"generated {args.articles} articles in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {existing} articles")
    if needs_index:
        from tqdm import tqdm

        started = time.perf_counter()
        total = Article.objects.filter(status__in=index.INDEXED_STATUSES).count()
        with tqdm(total=total, desc="Indexing", unit="article", file=sys.stderr) as bar:
            index.rebuild(progress=bar.update)
        print(f"indexed {total} articles in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    else:
        statistics_of_entries(args.statistics)
        size = Path(connection.settings_dict["NAME"]).stat().st_size
    if args.phase == "prepare":
        return
    published = Article.objects.published().count()
    print(f"{connection.vendor}, {published} published articles, database {size / 1e6:.0f} MB")
    print(f"planner statistics of the search entries: {statistics_of_entries('show')}\n")
    from articles.search import search_articles

    limit = search_articles("").rank_limit
    print(f"queries matching more than {limit} articles (hits >{limit}) are listed newest first\n")
    header = ("query", "hits", "index median", "p95", "scan median", "p95", "speed-up")
    print("{:<14} {:>7} {:>13} {:>8} {:>12} {:>8} {:>9}".format(*header))
    all_index, all_scan = [], []
    for query in QUERIES:
        hits, index_times = timed(indexed, query, args.repeat)
        all_index += index_times
        line = f"{query:<14} {hits:>7} {statistics.median(index_times):>10.1f} ms {p95(index_times):>5.1f} ms"
        if not args.skip_scan:
            scan_hits, scan_times = timed(scan, query, args.scan_repeat)
            all_scan += scan_times
            speedup = statistics.median(scan_times) / statistics.median(index_times)
            line += f" {statistics.median(scan_times):>9.0f} ms {p95(scan_times):>5.0f} ms {speedup:>8.0f}x"
            line += f"  (scan hits {scan_hits})" if scan_hits != hits else ""
        print(line, flush=True)
    index_median, scan_median = statistics.median(all_index), statistics.median(all_scan or [0])
    print(f"\nindex: median {index_median:.1f} ms, p95 {p95(all_index):.1f} ms over {len(all_index)} runs")
    if all_scan:
        print(f"scan:  median {scan_median:.0f} ms, p95 {p95(all_scan):.0f} ms over {len(all_scan)} runs")
        print(f"speed-up of the medians: {scan_median / index_median:.0f}x")


if __name__ == "__main__":
    main()
