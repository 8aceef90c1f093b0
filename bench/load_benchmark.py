"""Load benchmark of the whole site under gunicorn, driven by wrk. Run it as bench/run.

    bench/run                                  # SQLite, 100,000 articles and 1,000,000 comments
    bench/run --articles 1000 --comments 10000 --users 2000   # the small reference data set
    bench/run --postgres                       # PostgreSQL and Redis on 127.0.0.1
    bench/run --quick                          # 3 s per measurement instead of 10
    bench/run --rounds 3                       # every row three times: medians and ranges
    nice -n 10 bench/run --generate-only       # only the data (then measure when the box is quiet)
    bench/run --only post                      # only the comment POSTs (and the static file, for the ratio)

Data: generated once with manage.py generate_load_data into bench/data/ (git-ignored; an SQLite
file, or the PostgreSQL database qingtan_load_<articles>_<comments>) and reused by later runs;
--regenerate starts again. Migrations are applied to a reused database first.

Server: gunicorn with production settings (DEBUG off, a throwaway DJANGO_SECRET_KEY,
DJANGO_SECURE_SSL_REDIRECT=false, manifest static files collected into a temporary STATIC_ROOT),
--workers 2 with --threads (default 4) on 127.0.0.1, as many connections a worker as it has
threads and none kept open after its response, as docs/deploy.md runs it (--keep-alive N keeps
them open N seconds, with gunicorn's default 1,000 connections a worker, to compare). The
comment rate limit is the configured one: the POSTs are spread over up to 2,000 readers so that
it is not what the run measures.

Measurements (wrk, concurrency 8 unless said): a static file as large as the home page, the
/favicon.ico redirect (every middleware, no database: the ceiling of any page Django serves), then,
with the page cache on, anonymous readers on the home page, an article with 300 comments, an
article with 3 questions and 20 comments, a tag page, search and a profile; then signed-in
readers POSTing comments at concurrency 16 (many readers, a session and CSRF token each; every
comment carries a token of the run, and those in the database are counted after it); then the
same pages with the page cache off (QINGTAN_PAGE_CACHE_SECONDS=0) on a restarted server. Prints
requests/s, p50 and p99 per page with its ratio to a static file of the page's own size, served
by the same server for 5 s just before the page (on a shared machine the static figure itself
moves by a third within minutes; and a 110 KB page is not compared with a 22 KB file), the errors,
and the peak RSS of each worker after each server's run.
Results are also written to bench/data/results-<database>-<articles>.json (the latest run) and a
copy named with the run's UTC time (every run); when the latest results of the
1,000-article data set are there, the p50 ratios between the two sizes are printed too.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
POSTGRES_BASE = "postgres://qingtan:qingtan@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/5"  # a database number no test uses
# A new throwaway key every run: the server and the sessions made here share it.
SECRET_KEY = secrets.token_urlsafe(50)
# Signed-in readers of the POST run. The comment rate limit stays as configured (5/m, 30/h), so
# the load is spread: 2,000 readers at 5 a minute allow 160 comments a second.
READERS = 2000


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL and Redis instead of SQLite")
    parser.add_argument("--database-url", help="PostgreSQL server URL without database name")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="prepare the data set and stop (generate it under nice, measure later under a lock)",
    )
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=0,
        help="gunicorn --keep-alive seconds (default 0, as docs/deploy.md runs it; see there)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every row this many times, one round after another, and print the medians "
        "(and the range of each ratio to the static file)",
    )
    parser.add_argument("--quick", action="store_true", help="3 seconds per measurement")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--skip-post", action="store_true")
    parser.add_argument(
        "--only", choices=["post"], help="measure only this row (post: the comment POSTs, on one server)"
    )
    parser.add_argument("--skip-uncached", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.duration = 3
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.only == "post":
        args.skip_post, args.skip_uncached = False, True
    return args


# Data ---------------------------------------------------------------------------------------------


def _run(command, env, **kwargs):
    print("$", " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def base_env(database_url, redis_url=""):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "QINGTAN_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare_database(args):
    label = f"{args.articles}-{args.comments}-{args.users}-s{args.seed}"
    if args.postgres:
        server = (args.database_url or POSTGRES_BASE).rstrip("/")
        name = f"qingtan_load_{args.articles}_{args.comments}_{args.users}_s{args.seed}"
        url = f"{server}/{name}"
        marker = DATA / f"postgres-{name}.complete"
        if args.regenerate or not marker.exists():
            marker.unlink(missing_ok=True)
            _recreate_postgres_database(server, name)
    else:
        path = DATA / f"load-{label}.sqlite3"
        url = f"sqlite:///{path}"
        marker = DATA / f"load-{label}.complete"
        if args.regenerate or not marker.exists():
            marker.unlink(missing_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    env = base_env(url)
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    if not marker.exists():
        started = time.monotonic()
        _run(
            [
                PYTHON,
                "manage.py",
                "generate_load_data",
                "--articles",
                str(args.articles),
                "--comments",
                str(args.comments),
                "--users",
                str(args.users),
                "--seed",
                str(args.seed),
            ],
            env,
        )
        marker.write_text(json.dumps({"generated_in_seconds": round(time.monotonic() - started)}))
    return url, json.loads(marker.read_text())


def _recreate_postgres_database(server, name):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


# What to request ----------------------------------------------------------------------------------


def prepare_targets(env, sessions_path):
    """Pick the pages to measure and sign readers in, with Django in this process."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.db.models import Count
    from django.utils.crypto import get_random_string
    from taggit.models import Tag

    from accounts.models import User
    from articles.models import Article
    from discussions.models import Comment

    public = Article.objects.published().filter(thread__isnull=True)

    # The generator plants them among the newest articles; counting every article's comments
    # would take minutes at a million comments.
    newest = list(public.order_by("-publish_at").values_list("pk", flat=True)[:200])

    def article_with(comments, questions):
        candidates = (
            Article.objects.filter(pk__in=newest)
            .annotate(n=Count("comments", distinct=True), q=Count("questions", distinct=True))
            .filter(q=questions)
            .order_by("-publish_at")
        )
        exact = candidates.filter(n=comments).first()
        if exact is None:  # the generator plants both, but be lenient with other data
            exact = min(candidates, key=lambda a: abs(a.n - comments))
        return exact

    heavy = Article.objects.get(pk=article_with(300, 3).pk)
    medium = Article.objects.get(pk=article_with(20, 3).pk)
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
    profile = (
        User.objects.filter(is_active=True, comments__status="published")
        .annotate(n=Count("comments"))
        .order_by("-n")
        .first()
    )
    readers = list(
        User.objects.filter(is_active=True, is_staff=False, comments__status="published")
        .distinct()
        .order_by("pk")[:READERS]
    )
    lines = []
    for reader in readers:
        session = SessionStore()
        session[SESSION_KEY] = str(reader.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
        session.create()
        lines.append(f"{session.session_key} {get_random_string(32)}")
    sessions_path.write_text("\n".join(lines) + "\n")
    post_articles = list(public.exclude(pk__in=[heavy.pk, medium.pk]).order_by("-publish_at")[:64])
    sessions_path.with_suffix(".articles").write_text("\n".join(str(a.pk) for a in post_articles) + "\n")
    targets = {
        "home": "/",
        "article_300": heavy.get_absolute_url(),
        "article_20": medium.get_absolute_url(),
        "tag": f"/tags/{tag.slug}/",
        "search": "/search/?q=开源",
        "profile": profile.get_absolute_url(),
    }
    # reverse() already percent-encodes; quote() only what is not (the search words).
    targets = {name: urllib.parse.quote(path, safe="/?=&%") for name, path in targets.items()}
    facts = {
        "articles": Article.objects.count(),
        "comments": Comment.objects.count(),
        "article_300_comments": heavy.comments.count(),
        "article_20_comments": medium.comments.count(),
        "tag_articles": tag.n,
        "profile_comments": profile.n,
        "readers": len(readers),
    }
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    facts["page_bytes"] = {}
    for name, path in targets.items():
        page = client.get(urllib.parse.unquote(path))
        assert page.status_code == 200, (path, page.status_code)
        facts["page_bytes"][name] = len(page.content)
    facts["home_bytes"] = facts["page_bytes"]["home"]
    connection.close()
    return targets, facts


def count_comments(token):
    """Comments of this run (their text carries `token`) in the database."""
    from django.db import connection

    from discussions.models import Comment

    try:
        return Comment.objects.filter(body__contains=token).count()
    finally:
        connection.close()


def post_comments(base, sessions, *, duration):
    """Signed-in readers POSTing comments at concurrency 16 (bench/post_comment.lua); the
    comments of this measurement are counted in the database after it."""
    token = f"run{secrets.token_hex(6)}"
    post = wrk(
        f"{base}/",
        connections=16,
        duration=duration,
        script=ROOT / "bench" / "post_comment.lua",
        script_args=[str(sessions), str(sessions.with_suffix(".articles")), token],
    )
    time.sleep(2)  # requests wrk stopped waiting for at the end may still be committing
    post["stored"] = count_comments(token)
    # Accepted (302) but not in the database. The database may hold a few more than were
    # counted as accepted: answers still on their way when wrk stopped.
    post["lost"] = max(0, post.get("redirects", 0) - post["stored"])
    post["errors"] += post.get("other", 0)
    return post


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# Server -------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, args, port, log_path):
    command = [
        GUNICORN,
        "config.wsgi",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        # A worker takes no more connections than it has threads, and closes each after its
        # response: a connection kept open would stay with the worker that accepted it, however
        # busy (docs/deploy.md, "Workers and threads").
        "--worker-connections",
        str(args.threads if not args.keep_alive else 1000),
        "--keep-alive",
        str(args.keep_alive),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log_path}")
            time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_peak_rss_mb(master_pid):
    peaks = []
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(round(int(match.group(1)) / 1024, 1))
    return peaks


# wrk ----------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text):
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url, *, connections, duration, script=None, script_args=(), threads=2):
    # A long timeout: wrk leaves requests slower than its timeout (default 2 s) out of the latency
    # figures, which would flatter the p99 of a struggling server.
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": 0,
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if non_2xx:
        result["errors"] += int(non_2xx.group(1))
    if sockets:
        result["errors"] += sum(int(n) for n in sockets.groups())
    post = re.search(r"POST_RESULT redirects=(\d+) other=(\d+)", output)
    if post:
        result["redirects"], result["other"] = int(post.group(1)), int(post.group(2))
    return result


STATIC = "/static/bench/page-sized.html"  # as large as the home page


def static_like(name):
    """The static file as large as the page `name` (see main())."""
    return f"/static/bench/{name}.html"


def measure(base, path, *, connections=8, duration=10, warmup=2):
    url = base + path
    wrk(url, connections=connections, duration=warmup)
    return wrk(url, connections=connections, duration=duration)


def measure_with_static(base, path, *, duration, static=STATIC):
    """The page, and the static file of its size just before it: on a machine shared with other
    work the static throughput moves by a third within minutes, so each ratio is to its neighbour;
    and a 110 KB page is compared with a 110 KB file, not with one the size of the home page."""
    static_result = wrk(base + static, connections=8, duration=max(3, duration // 2))
    result = measure(base, path, duration=duration)
    result["static_rps"] = static_result["rps"]
    result["static_file"] = static
    return result


def ratio(result, static_rps):
    reference = result.get("static_rps", static_rps)
    return result["rps"] / reference if reference else 0


def combined(results):
    """One row from the rounds of a measurement: the median of each figure (and of each round's
    ratio to its static file), the errors and comments of all rounds, and the rounds themselves."""
    if len(results) == 1:
        return results[0]
    row = {
        name: statistics.median(result[name] for result in results)
        for name in ("rps", "p50_ms", "p99_ms", "static_rps")
        if all(name in result for result in results)
    }
    for name in ("requests", "errors", "redirects", "other", "stored", "lost"):
        if all(name in result for result in results):
            row[name] = sum(result[name] for result in results)
    if "static_rps" in row:
        ratios = [ratio(result, None) for result in results]
        row["ratio"] = statistics.median(ratios)
        row["ratio_range"] = [min(ratios), max(ratios)]
        row["static_file"] = results[0]["static_file"]
    row["rounds"] = results
    return row


# Report -------------------------------------------------------------------------------------------


def table(rows, static_rps):
    ranges = any("ratio_range" in result for _, _, result in rows)
    lines = [
        f"{'page':<34} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'x static':>8}"
        + (f" {'range':>15}" if ranges else ""),
        "-" * (99 if ranges else 83),
    ]
    for name, connections, result in rows:
        figures = (
            f"{result['rps']:>9.1f} {result['p50_ms']:>8.2f} {result['p99_ms']:>8.2f} {result['errors']:>6}"
        )
        line = f"{name:<34} {connections:>4} {figures} {result.get('ratio', ratio(result, static_rps)):>8.1%}"
        if "ratio_range" in result:
            low, high = result["ratio_range"]
            line += f" {f'{low:.1%}–{high:.1%}':>15}"
        lines.append(line)
    if ranges:
        lines.append(
            "(medians of the rounds; x static is the median of each round's ratio, range its lowest "
            "and highest)"
        )
    return "\n".join(lines)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    database_url, generation = prepare_database(args)
    if args.generate_only:
        print(f"data ready: {database_url}; generated in {generation.get('generated_in_seconds')} s")
        return
    redis_url = ""
    if args.postgres:
        redis_url = REDIS_URL
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    env = base_env(database_url, redis_url)
    work = Path(tempfile.mkdtemp(prefix="qingtan-bench-"))
    env["DJANGO_STATIC_ROOT"] = str(work / "static")
    _run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    sessions = work / "sessions.txt"
    targets, facts = prepare_targets(env, sessions)
    # A static file as large as the home page; whitenoise serves what STATIC_ROOT holds at start-up.
    (work / "static" / "bench").mkdir(parents=True, exist_ok=True)
    (work / "static" / "bench" / "page-sized.html").write_bytes(b"x" * facts["home_bytes"])
    for name, size in facts["page_bytes"].items():
        (work / "static" / "bench" / f"{name}.html").write_bytes(b"x" * size)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / "gunicorn.log"
    database = "postgresql+redis" if args.postgres else "sqlite"
    print(f"\n{database}: {facts}; generated in {generation.get('generated_in_seconds')} s; log {log_path}")

    rows, results = [], {"database": database, "facts": facts, "generation": generation, "pages": {}}
    results["server"] = {"workers": args.workers, "threads": args.threads, "keep_alive": args.keep_alive}
    results["rounds"] = args.rounds
    results["load_average_before"] = load_average()
    # Each round measures every row once, so that a slow spell of a shared machine falls on one
    # round of every row rather than on every round of one.
    rounds = {}  # label: (connections, [result of each round])

    def record(label, connections, result):
        rounds.setdefault(label, (connections, []))[1].append(result)

    with gunicorn(env, args, port, log_path) as server:
        for _ in range(args.rounds):
            record("static file (home page size)", 8, measure(base, STATIC, duration=args.duration))
            # The ceiling of any page Django serves, a cached one included: every middleware and a
            # view that only redirects (no database, no cache, a 302 of a few bytes).
            if not args.only:
                floor = measure_with_static(base, "/favicon.ico", duration=args.duration)
                record("middleware only", 8, floor)
                for name, path in targets.items():
                    label = f"{name} (cached)" if name not in {"search", "profile"} else name
                    static = static_like(name)
                    record(label, 8, measure_with_static(base, path, duration=args.duration, static=static))
            if not args.skip_post:
                record("post", 16, post_comments(base, sessions, duration=args.duration))
        results["rss_cached_mb"] = worker_peak_rss_mb(server.pid)
    if not args.skip_uncached:
        env_uncached = {**env, "QINGTAN_PAGE_CACHE_SECONDS": "0"}
        with gunicorn(env_uncached, args, port, log_path) as server:
            for _ in range(args.rounds):
                for name in ("home", "article_300", "article_20", "tag"):
                    static = static_like(name)
                    result = measure_with_static(base, targets[name], duration=args.duration, static=static)
                    record(f"{name} (uncached)", 8, result)
            results["rss_uncached_mb"] = worker_peak_rss_mb(server.pid)
    names = {"middleware only": "middleware only (favicon redirect)", "post": "POST comment (signed in)"}
    for label, (connections, measured) in rounds.items():
        result = combined(measured)
        if label == "static file (home page size)":
            static = results["static"] = result
        else:
            results["pages"][label] = result
        rows.append((names.get(label, label), connections, result))

    print()
    print(table(rows, static["rps"]))
    print(
        f"\nworkers: {args.workers} x {args.threads} threads, keep-alive {args.keep_alive} s; "
        "peak RSS per worker (MB): "
        f"cached run {results['rss_cached_mb']}, uncached run {results.get('rss_uncached_mb')}"
    )
    if "post" in results["pages"]:
        post = results["pages"]["post"]
        print(
            f"POST: {post.get('redirects')} comments accepted, {post.get('other')} other answers, "
            f"{post['stored']} in the database, {post['lost']} lost (accepted but not stored)"
        )
    results["load_average_after"] = load_average()
    print(
        f"load average (1, 5, 15 min): before {results['load_average_before']}, "
        f"after {results['load_average_after']}"
    )
    suffix = f"-only-{args.only}" if args.only else ""
    out = DATA / f"results-{database}-{args.articles}{suffix}.json"  # the latest, compared with below
    out.write_text(json.dumps(results, indent=2))
    # And every run under its own name, so that one run does not replace the figures of another.
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    shutil.copyfile(out, DATA / f"results-{database}-{args.articles}{suffix}-{stamp}.json")
    reference = DATA / f"results-{database}-1000.json"
    if args.articles != 1000 and reference.exists() and not args.only:
        small = json.loads(reference.read_text())["pages"]
        print("\np50 here / p50 at 1,000 articles:")
        for label, result in results["pages"].items():
            if label in small and label != "post":
                print(f"  {label:<28} {result['p50_ms'] / small[label]['p50_ms']:.2f}x")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
