"""Every payload of the hostile corpus, through every field readers, editors and moderators
write, on every page that shows that field: nothing becomes executable.

Short fields take the payloads packed several to a value (each payload whole, up to the field's
length), so one page render covers several payloads; Markdown fields take each payload as its
own paragraph. Pages are compared with benign pages of the same kinds (tests/security/hostile.py).
"""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from accounts.models import User
from articles.models import Article, Source
from articles.search.results import clean_query
from discussions.models import Comment, Flag, Question
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory
from tests.security.hostile import PAYLOADS, Pages, active_features, collapsed, pack, page_text, parse

pytestmark = pytest.mark.django_db

P = PAYLOADS


def test_the_corpus_has_enough_distinct_payloads_of_every_family():
    assert len(P) >= 150
    assert len(set(P)) == len(P), "duplicates in tests/security/payloads/xss.txt"
    lowered = [p.lower() for p in P]
    for needle, least in {
        "<script": 20,
        "onerror": 20,
        "javascript:": 25,
        "data:": 8,
        "vbscript:": 3,
        "<svg": 10,
        "<math": 3,
        "&#": 8,
        "expression(": 2,
        "url(": 4,
        "{{": 6,
        "{%": 6,
        "](javascript:": 2,
        "<javascript:": 1,
        "\u202e": 2,
        "\u200b": 2,
    }.items():
        assert sum(needle in p for p in lowered) >= least, needle


def _iter_pages(pages, path, **query):
    """Every page of a paginated list, until the first 404."""
    number = 1
    while True:
        response = pages.client.get(path, {**query, "page": number})
        if response.status_code == 404 and number > 1:
            return number - 1
        pages.check(response, f"{path}?page={number}")
        number += 1


def _iter_admin_pages(pages, path):
    """Every page of an admin change list (an out-of-range page redirects with ?e=1)."""
    number = 1
    while (response := pages.client.get(path, {"p": number})).status_code == 200:
        pages.check(response, f"{path}?p={number}")
        if f"p={number + 1}".encode() not in response.content:
            return number
        number += 1
    return number - 1


def _check_feed(response, where):
    """A feed stays well-formed XML; the HTML inside it has nothing active."""
    assert response.status_code == 200, where
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    html_fields = {
        "description",
        "{http://www.w3.org/2005/Atom}summary",
        "{http://www.w3.org/2005/Atom}content",
    }
    count = 0
    for element in root.iter():
        if element.tag in html_fields and element.text:
            assert not active_features(parse(f"<body>{element.text}</body>")), where
            count += 1
    return count


# Articles: written by editors (model, admin, importer) ------------------------------------------


@pytest.fixture(scope="module")
def article_world(django_db_setup, django_db_blocker):
    """Articles carrying the corpus in every editor-written field, and a benign twin. Built once
    for the module inside a transaction rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_article_world()
        transaction.set_rollback(True)


def _build_article_world():
    titles = pack(P, 200)
    n = len(titles)
    groups = [P[i::n] for i in range(n)]
    leads, originals, authors = pack(P, 300), pack(P, 300), pack(P, 200)
    names, tag_names = pack(P, 200), pack(P, 100)
    now = timezone.now()
    articles = []
    for i, title in enumerate(titles):
        source = Source.objects.filter(name=names[i % len(names)]).first()
        if source is None:
            source = Source(
                name=names[i % len(names)],
                description="\n".join(groups[i]),
                homepage="https://publication.example/",
            )
            source.full_clean(exclude=["slug"])
            source.save()
        article = Article(
            title=title,
            lead=leads[i % len(leads)],
            summary="\n\n".join(groups[i]),
            body="\n\n".join(reversed(groups[i])),
            reprint_notice="\n".join(groups[i]),
            original_title=originals[i % len(originals)],
            original_author=authors[i % len(authors)],
            original_url=f"https://publication.example/hostile/{i}",
            source=source,
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(minutes=i + 1),
        )
        article.full_clean()
        article.save()
        article.tags.add(f"batch{i // 20}", *tag_names[i::n])
        for position, payload in enumerate(groups[i], start=1):
            Question.objects.create(article=article, text=payload[:500], position=position)
        articles.append(article)
    benign = ArticleFactory(tags=["benign"], publish_at=now - timedelta(days=40))
    QuestionFactory(article=benign)
    return {"articles": articles, "benign": benign, "tag_names": tag_names, "names": names}


def _learn_public_pages(pages, benign):
    pages.learn("/")
    pages.learn(benign.get_absolute_url())
    pages.learn(benign.source.get_absolute_url())
    pages.learn("/tags/benign/")
    pages.learn("/search/", data={"q": "模型"})


def test_article_fields_are_inert_on_the_article_pages(client, article_world, open_community):
    pages = Pages(client)
    _learn_public_pages(pages, article_world["benign"])
    for article in article_world["articles"]:
        tree = pages.get(article.get_absolute_url())
        # The payloads reached the page, as text.
        assert collapsed(tree.css_first("h1").text()) == collapsed(article.title)
        assert collapsed(article.original_author) in page_text(tree)
        assert len(tree.css(".questions li, [id^=question-]")) >= 1
    assert pages.checked == len(article_world["articles"])


def test_article_fields_are_inert_in_lists_tags_sources_archives_and_feeds(
    client, article_world, open_community
):
    pages = Pages(client)
    _learn_public_pages(pages, article_world["benign"])
    assert _iter_pages(pages, "/") >= len(article_world["articles"]) // 20
    now = timezone.localtime()
    _iter_pages(pages, f"/archive/{now.year}/{now.month}/")
    for source in Source.objects.exclude(slug=article_world["benign"].source.slug):
        tree = pages.get(source.get_absolute_url())
        assert collapsed(source.name) in page_text(tree)
    for i, name in enumerate(article_world["tag_names"]):
        tag = Tag.objects.get(name=name)
        tree = pages.get(f"/tags/{tag.slug}/")
        assert collapsed(name) in page_text(tree)
        if i % 5 == 0:  # its name is the feed's title; every item lists its tags anyway
            _check_feed(client.get(f"/tags/{tag.slug}/feed/"), f"tag feed {tag.slug}")
    items = _check_feed(client.get("/feeds/rss/"), "rss") + _check_feed(client.get("/feeds/atom/"), "atom")
    for batch in Tag.objects.filter(name__startswith="batch"):
        items += _check_feed(client.get(f"/tags/{batch.slug}/feed/"), f"feed {batch.slug}")
    assert items >= len(article_world["articles"])


def test_article_fields_and_queries_are_inert_in_search_results(client, article_world, open_community):
    pages = Pages(client)
    _learn_public_pages(pages, article_world["benign"])
    # Matches highlighted inside the payloads: the <mark> code path escapes around them.
    for query in ["alert", "script", "javascript"]:
        assert _iter_pages(pages, "/search/", q=query) >= 1
    # The query and the tag filter are shown back to the reader. With a tag that does not exist
    # no search runs, and the query stays in the box and the title; some queries also search.
    tag_chunks = pack(P, 200)
    query_chunks = pack(P, 100)
    assert len(query_chunks) >= len(tag_chunks)
    for i, query in enumerate(query_chunks):
        tag = tag_chunks[i % len(tag_chunks)]
        tree = pages.get("/search/", data={"q": query, "tag": tag}, where=f"search {query!r} {tag!r}")
        assert collapsed(clean_query(query)) in page_text(tree)
        if i % 8 == 0:
            pages.get("/search/", data={"q": query}, where=f"search {query!r}")


def test_article_fields_are_inert_in_the_admin_and_the_preview(
    client, article_world, superuser, open_community
):
    client.force_login(superuser)
    pages = Pages(client)
    benign = article_world["benign"]
    for path in [
        "/admin/articles/article/",
        f"/admin/articles/article/{benign.pk}/change/",
        "/admin/articles/source/",
        "/admin/taggit/tag/",
        f"/articles/{benign.slug}/preview/",
    ]:
        pages.learn(path)
    for path in ["/admin/articles/article/", "/admin/articles/source/", "/admin/taggit/tag/"]:
        _iter_admin_pages(pages, path)
    for query in pack(P, 100)[:4]:
        pages.get("/admin/articles/article/", data={"q": query}, where=f"admin search {query!r}")
    for article in article_world["articles"][:3]:
        pages.get(f"/admin/articles/article/{article.pk}/change/")
        pages.get(f"/articles/{article.slug}/preview/")


def test_imported_documents_are_inert_on_their_pages(client, tmp_path, open_community):
    """The importer: payloads as the title, lead, summary, questions, body, tags and readers'
    comments of documents in the repost format."""
    single_line = [p for p in P if "\n" not in p and "\r" not in p]
    documents = 6
    for i in range(documents):
        group = single_line[i::documents]
        text = "\n".join(
            [
                group[0][:200],
                group[1][:300],
                f"原文标题: hostile original {i}",
                f"原文作者: Hostile Weekly {i}",
                f"原文链接: https://publication.example/imported/{i}",
                f"标签: {'，'.join(p[:100] for p in group[:3] if ',' not in p and '，' not in p)}",
                f"转载声明: {group[2]}",
                "冷月清谈:",
                "\n\n".join(group),
                "怜星夜思:",
                *(f"{n}、{p[:480]}" for n, p in enumerate(group[:4], start=1)),
                "原文内容",
                "\n\n".join(group),
                "© THE END",
                "",
                "",
                "\n\n".join(p for p in group if p.strip()),
            ]
        )
        (tmp_path / f"hostile-{i}.txt").write_text(text, encoding="utf-8")
    call_command("import_articles", str(tmp_path), "--publish", verbosity=0)
    imported = list(Article.objects.filter(source__name__startswith="Hostile Weekly"))
    assert len(imported) == documents
    assert Comment.objects.filter(article__in=imported).count() > documents * 10

    pages = Pages(client)
    benign = ArticleFactory()
    CommentFactory(article=benign)
    pages.learn(benign.get_absolute_url())
    pages.learn("/")
    for article in imported:
        tree = pages.get(article.get_absolute_url())
        assert collapsed(tree.css_first("h1").text()) == collapsed(article.title)
    _iter_pages(pages, "/")


# Readers: profiles, comments and reports --------------------------------------------------------


@pytest.fixture(scope="module")
def reader_world(django_db_setup, django_db_blocker):
    """A reader per payload, the payload in their display name, bio, website, a comment and a
    report; the comments all on one article. Built once for the module, like article_world."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_reader_world()
        transaction.set_rollback(True)


def _build_reader_world():
    discussion = ArticleFactory(title="Hostile discussion")
    question = QuestionFactory(article=discussion)
    readers, comments = [], []
    for i, payload in enumerate(P):
        reader = UserFactory(
            username=f"hostile{i}", display_name=payload[:40], bio=payload[:500], website=payload[:200]
        )
        readers.append(reader)
        comments.append(
            CommentFactory(
                article=discussion, author=reader, body=payload, question=question if i % 2 else None
            )
        )
    for i, reader in enumerate(readers):
        Flag.objects.create(
            user=reader, comment=comments[(i + 1) % len(comments)], reason=Flag.Reason.OTHER, text=P[i][:500]
        )
    benign_reader = UserFactory(username="benign", bio="A quiet reader.", website="https://example.com/")
    benign = ArticleFactory(title="Benign discussion")
    QuestionFactory(article=benign)
    CommentFactory(article=benign, author=benign_reader)
    return {"discussion": discussion, "readers": readers, "benign": benign, "benign_reader": benign_reader}


def test_profiles_are_inert_on_profile_pages(client, reader_world, open_community):
    pages = Pages(client)
    pages.learn(reader_world["benign_reader"].get_absolute_url())
    for reader in reader_world["readers"]:
        tree = pages.get(reader.get_absolute_url())
        assert collapsed(tree.css_first("h1").text()) == collapsed(reader.public_name)
        # Only http(s) websites become links, whatever was stored.
        for link in tree.css(".profile__header a[rel~=ugc]"):
            assert link.attributes["href"].startswith(("http://", "https://"))


def test_comments_names_and_reports_are_inert_on_the_thread(client, reader_world, other_user, open_community):
    pages = Pages(client)
    pages.learn(reader_world["benign"].get_absolute_url())
    discussion = reader_world["discussion"]
    tree = pages.get(discussion.get_absolute_url(), "thread, anonymous")
    assert len(tree.css("article.comment")) == len(P)
    client.force_login(other_user)
    pages.learn(reader_world["benign"].get_absolute_url())
    tree = pages.get(discussion.get_absolute_url(), "thread, signed in")
    assert len(tree.css("article.comment")) == len(P)
    # Each author sees their own comment with its edit, delete and report controls.
    for reader in reader_world["readers"][:20]:
        client.force_login(reader)
        comment = reader.comments.get()
        pages.get(f"/discussions/comments/{comment.pk}/edit/", f"edit form of {reader}")
        pages.get(f"/discussions/comments/{comment.pk}/reply/", f"reply form to {reader}")
        pages.check(
            client.get(f"/discussions/comments/{comment.pk}/", headers={"HX-Request": "true"}),
            f"fragment of {reader}",
        )


def test_readers_and_comments_are_inert_in_the_admin(client, reader_world, superuser, open_community):
    client.force_login(superuser)
    pages = Pages(client)
    benign_comment = reader_world["benign"].comments.get()
    pages.learn("/admin/accounts/user/")
    pages.learn(f"/admin/accounts/user/{reader_world['benign_reader'].pk}/change/")
    pages.learn("/admin/discussions/comment/")
    pages.learn(f"/admin/discussions/comment/{benign_comment.pk}/change/")
    for path in ["/admin/accounts/user/", "/admin/discussions/comment/"]:
        assert _iter_admin_pages(pages, path) >= 2
    for reader in reader_world["readers"][::40]:
        pages.get(f"/admin/accounts/user/{reader.pk}/change/")
        pages.get(f"/admin/discussions/comment/{reader.comments.get().pk}/change/")


def test_payloads_through_the_forms_readers_use(client, user, open_community):
    """The real write paths: the profile form, the comment form and the report form. Refused
    values come back in the form, which is checked too."""
    article = ArticleFactory()
    question = QuestionFactory(article=article)
    benign_target = CommentFactory(article=article)
    client.force_login(user)
    pages = Pages(client)
    pages.learn("/u/settings/profile/")
    pages.learn(article.get_absolute_url())
    pages.learn(f"/discussions/comments/{benign_target.pk}/report/")

    accepted = 0
    # Payloads longer than a display name may be are all refused the same way: a sample of them.
    for payload in [p for i, p in enumerate(P) if len(p) <= 40 or i % 4 == 0]:
        response = client.post(
            "/u/settings/profile/", {"display_name": payload, "bio": payload, "website": payload}
        )
        if response.status_code == 302:
            accepted += 1
            pages.get(User.objects.get(pk=user.pk).get_absolute_url(), f"profile after {payload!r}")
        else:
            pages.check(response, f"profile form refusing {payload!r}")
    assert 0 < accepted < len(P)  # short, valid names are kept; URLs that are no http(s) are not

    for body in pack(P, 10_000, "\n\n"):
        response = client.post(
            f"/discussions/articles/{article.pk}/comments/", {"body": body, "question": question.pk}
        )
        assert response.status_code == 302, response.content[:500]
    for body in pack(P, 10_000, "\n\n"):
        pages.check(
            client.post(
                f"/discussions/articles/{article.pk}/comments/",
                {"body": body, "question": question.pk},
                headers={"HX-Request": "true"},
            ),
            "htmx comment post",
        )
    targets = CommentFactory.create_batch(len(pack(P, 500, "\n")), article=article)
    for target, text in zip(targets, pack(P, 500, "\n"), strict=True):
        response = client.post(
            f"/discussions/comments/{target.pk}/report/", {"reason": "other", "text": text}
        )
        assert response.status_code == 302
    assert Flag.objects.filter(user=user).count() == len(targets)
    tree = pages.get(article.get_absolute_url(), "thread after posting through the form")
    assert len(tree.css("article.comment")) == 1 + len(targets) + 2 * len(pack(P, 10_000, "\n\n"))
    for comment in Comment.objects.filter(author=user):
        pages.get(f"/discussions/comments/{comment.pk}/edit/", "edit form with the posted payloads")


# Moderators: report texts, moderation reasons and suspension reasons ---------------------------


def _iter_linked_pages(pages, path, *, limit=40):
    """Every page of a list whose pagination links to the next page (?page=n+1)."""
    for number in range(1, limit):
        response = pages.client.get(path, {"page": number})
        pages.check(response, f"{path}?page={number}")
        if f"page={number + 1}".encode() not in response.content:
            return number
    pytest.fail(f"{path}: more than {limit} pages")


def test_reports_reasons_and_suspensions_are_inert_in_moderation(
    client, reader_world, moderator, open_community
):
    from discussions import moderation

    readers = reader_world["readers"]
    client.force_login(moderator)
    pages = Pages(client)
    for path in ["/moderation/", "/moderation/log/", "/moderation/suspended/", "/moderation/recent/"]:
        pages.learn(path)  # before any decision: the pages with nothing of the payloads
    pages.learn(reader_world["benign"].get_absolute_url())
    reasons = pack(P, 500, "\n")
    hidden = [reader.comments.get() for reader in readers[: len(reasons)]]
    for comment, reason in zip(hidden, reasons, strict=True):
        moderation.hide_comment(comment, by=moderator, reason=reason)
    suspended = readers[-len(reasons) :]
    for reader, reason in zip(suspended, reasons, strict=True):
        moderation.suspend_user(reader, by=moderator, reason=reason)

    # Every reader's report text (one report each) is in the reported tab.
    assert _iter_linked_pages(pages, "/moderation/reported/") >= len(P) // 25
    _iter_linked_pages(pages, "/moderation/recent/")
    _iter_linked_pages(pages, "/moderation/suspended/")
    assert _iter_linked_pages(pages, "/moderation/log/") >= 1
    for comment in hidden[:: max(1, len(hidden) // 5)]:
        pages.get(f"/moderation/comments/{comment.pk}/")
    for reader in suspended[:3]:
        pages.get(f"/moderation/users/{reader.pk}/suspend/")
    # The people concerned see the reasons: the author on the article, the suspended reader too.
    discussion = reader_world["discussion"]
    for reader in [*readers[:3], *suspended[:3]]:
        client.force_login(reader)
        tree = pages.get(discussion.get_absolute_url(), f"thread as {reader}")
        assert tree.css_first("h1") is not None
    client.logout()
    _iter_linked_pages(pages, "/moderation/public-log/")
