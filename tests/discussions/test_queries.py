"""The article page costs the same number of queries with 10 comments as with 300."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import threads
from discussions.models import Follow
from tests.discussions.conftest import comment_ids, every_comment, soup
from tests.factories import CommentFactory, FlagFactory, QuestionFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db

# On a cold cache, the whole article page: the article, its tags (for two fragments), when the next
# scheduled publication or takedown falls, and the discussion: thread state, top-level count, the
# comments, the questions (their answer counts, picks and the comment count come from the comments
# read); for a signed-in reader also their session, account, suspension, votes, reports and follows.
ANONYMOUS_PAGE_QUERIES = 8
SIGNED_IN_PAGE_QUERIES = 14


def _discussion(article, *, threads_count, total, reader):
    questions = [QuestionFactory(article=article, position=n) for n in range(3)]
    authors = itertools.cycle(UserFactory.create_batch(5))
    roots = [
        CommentFactory(article=article, author=next(authors), question=questions[n % 3])
        for n in range(threads_count)
    ]
    comments = list(roots)
    for n in range(total - threads_count):
        # Reply n answers comment n: first the roots, then the replies, so threads get deep.
        comments.append(CommentFactory(article=article, author=next(authors), parent=comments[n]))
    for comment in comments[::7]:
        VoteFactory(user=reader, comment=comment)
    FlagFactory(user=reader, comment=comments[1])
    Follow.objects.create(user=reader, article=article)
    Follow.objects.create(user=reader, article=article, comment=roots[0])
    questions[0].pinned_answer = roots[0]
    questions[0].save()
    return comments


@pytest.mark.parametrize(("threads_count", "total"), [(4, 10), (40, 300)])
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_article_page_query_count_does_not_grow_with_comments(
    client, article, user, django_assert_max_num_queries, threads_count, total, signed_in
):
    comments = _discussion(article, threads_count=threads_count, total=total, reader=user)
    if signed_in:
        client.force_login(user)
    bound = SIGNED_IN_PAGE_QUERIES if signed_in else ANONYMOUS_PAGE_QUERIES
    with django_assert_max_num_queries(bound):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    shown = comment_ids(soup(response))
    assert sorted(shown) == sorted(c.pk for c in comments)
    assert max(c.depth for c in comments) == (3 if total > 100 else 2)


def test_the_thread_loads_in_a_fixed_number_of_queries(article, user):
    """threads.load_thread on its own: every comment and reply with the reader's state."""
    comments = _discussion(article, threads_count=40, total=300, reader=user)
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        page = threads.load_thread(article, user=user, params=threads.ThreadParams())
        flat = every_comment(page.comments)
    # Thread state, top-level count, the next scheduled change (for how long counts are kept),
    # every comment (the discussion fits on a page), the questions (their answer counts, picks and
    # the comment count come from the comments), votes, reports, follows and suspension.
    assert len(queries) <= 9, [q["sql"] for q in queries.captured_queries]
    assert len(flat) == len(comments)
    assert sum(c.voted for c in flat) == len(comments[::7])
