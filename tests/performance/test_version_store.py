"""Where page versions live when the cache is one per process (articles.caching._FileVersions):
a file every process of the machine maps, so a bump by one process reaches all the others."""

import multiprocessing

from articles.caching import _FileVersions


def test_a_bump_in_one_process_is_seen_by_the_others(tmp_path):
    path = tmp_path / "versions"
    mine, theirs = _FileVersions(str(path)), _FileVersions(str(path))
    before = theirs.get_many(["article:a", "article:b"])
    mine.bump("article:a")
    after = theirs.get_many(["article:a", "article:b"])
    assert after["article:a"] == before["article:a"] + 1
    assert after["article:b"] == before["article:b"]


def _bump_many(path, times):
    store = _FileVersions(path)
    for _ in range(times):
        store.bump("articles")


def test_concurrent_bumps_are_never_lost(tmp_path):
    path = str(tmp_path / "versions")
    start = _FileVersions(path).get_many(["articles"])["articles"]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump_many, args=(path, 300)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert _FileVersions(path).get_many(["articles"])["articles"] == start + 900
