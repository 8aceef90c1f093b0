import datetime

import pytest
from django.utils import timezone

from discussions.importing import import_account
from discussions.models import Comment
from tests.discussions.conftest import comment_ids, page_of, top_level_ids
from tests.factories import ArticleFactory, CommentFactory, QuestionFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db


def _at(minutes_ago):
    return timezone.now() - datetime.timedelta(minutes=minutes_ago)


def test_replies_nest_under_their_parents_in_conversation_order(client, article):
    root = CommentFactory(article=article, created_at=_at(50))
    second_reply = CommentFactory(article=article, parent=root, created_at=_at(10))
    first_reply = CommentFactory(article=article, parent=root, created_at=_at(40))
    nested = CommentFactory(article=article, parent=first_reply, created_at=_at(30))
    other_root = CommentFactory(article=article, created_at=_at(20))
    page = page_of(client, article)
    assert top_level_ids(page) == [root.pk, other_root.pk]
    replies = page.select_one(f"#comment-{root.pk}-replies")
    assert [int(a["id"].split("-")[1]) for a in replies.find_all("article", recursive=False)] == [
        first_reply.pk,
        second_reply.pk,
    ]
    assert page.select_one(f"#comment-{first_reply.pk}-replies > #comment-{nested.pk}") is not None
    assert page.select_one(".discussion__count").text == "5 comments"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("oldest", ["a", "b", "c"]),
        ("newest", ["c", "b", "a"]),
        ("top", ["b", "c", "a"]),
        ("bogus", ["a", "b", "c"]),
    ],
)
def test_top_level_comments_sort_by_age_or_score(client, article, sort, expected):
    comments = {
        "a": CommentFactory(article=article, created_at=_at(30), score=0),
        "b": CommentFactory(article=article, created_at=_at(20), score=5),
        "c": CommentFactory(article=article, created_at=_at(10), score=2),
    }
    page = page_of(client, article, sort=sort)
    assert top_level_ids(page) == [comments[key].pk for key in expected]
    current = page.select_one(".discussion__sort [aria-current]").text
    assert current == {"oldest": "Oldest", "newest": "Newest", "top": "Top"}.get(sort, "Oldest")


def test_top_level_comments_are_paginated_with_their_replies(client, article, settings):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENTS_PER_PAGE": 2}
    roots = [CommentFactory(article=article, created_at=_at(60 - n)) for n in range(5)]
    reply = CommentFactory(article=article, parent=roots[2])
    second = page_of(client, article, page=2)
    assert top_level_ids(second) == [roots[2].pk, roots[3].pk]
    assert reply.pk in comment_ids(second)
    assert second.find("a", rel="prev")["href"] == f"{article.get_absolute_url()}#discussion"
    assert second.find("a", rel="next")["href"] == f"{article.get_absolute_url()}?page=3#discussion"
    assert "Page 2 of 3" in second.select_one(".discussion .pagination").text
    newest = page_of(client, article, sort="newest", page=2)
    assert (
        newest.find("a", rel="next")["href"] == f"{article.get_absolute_url()}?sort=newest&page=3#discussion"
    )


@pytest.mark.parametrize("page", ["abc", "0", "-3", "999", "1.5", "9" * 30])
def test_a_page_number_that_makes_no_sense_still_shows_the_thread(client, article, page):
    comment = CommentFactory(article=article)
    assert comment.pk in comment_ids(page_of(client, article, page=page))


def test_the_thread_can_show_only_the_answers_to_one_question(client, article):
    first = QuestionFactory(article=article, position=1)
    second = QuestionFactory(article=article, position=2)
    answer_one = CommentFactory(article=article, question=first)
    answer_two = CommentFactory(article=article, question=second)
    reply = CommentFactory(article=article, parent=answer_two)
    CommentFactory(article=article)
    page = page_of(client, article, question=second.pk)
    assert top_level_ids(page) == [answer_two.pk]
    assert reply.pk in comment_ids(page)
    assert "Showing the answers to question 2" in page.select_one(".discussion__filter").text
    assert answer_one.pk not in comment_ids(page)
    for bogus in ["abc", "999999", str(QuestionFactory().pk)]:
        assert len(top_level_ids(page_of(client, article, question=bogus))) == 3


def test_a_pending_comment_is_shown_only_to_its_author_with_a_note(client, article, user, other_user):
    pending = CommentFactory(article=article, author=user, status=Comment.Status.PENDING)
    CommentFactory(article=article, status=Comment.Status.HIDDEN)
    CommentFactory(article=article, status=Comment.Status.SPAM, author=user)
    client.force_login(user)
    own = page_of(client, article)
    assert comment_ids(own) == [pending.pk]
    assert "awaiting moderation" in own.select_one(f"#comment-{pending.pk} .comment__pending").text
    client.force_login(other_user)
    assert comment_ids(page_of(client, article)) == []
    client.logout()
    assert comment_ids(page_of(client, article)) == []


def test_replies_under_a_hidden_comment_go_with_it(client, article):
    root = CommentFactory(article=article)
    hidden = CommentFactory(article=article, parent=root, status=Comment.Status.HIDDEN)
    under_hidden = CommentFactory(article=article, parent=hidden)
    assert comment_ids(page_of(client, article)) == [root.pk]
    assert under_hidden.status == Comment.Status.PUBLISHED


def test_each_comment_shows_author_time_edit_marker_question_and_score(client, article):
    question = QuestionFactory(article=article)
    edited = CommentFactory(article=article, question=question, score=3, edited_at=timezone.now())
    orphan = CommentFactory(article=article, author=None)
    imported = CommentFactory(article=article, author=import_account())
    deleted = CommentFactory(article=article, is_deleted=True, body="[deleted]")
    reply = CommentFactory(article=article, parent=deleted, body="still here")
    page = page_of(client, article)
    shown = page.select_one(f"#comment-{edited.pk}")
    assert shown.select_one(".comment__author")["href"] == edited.author.get_absolute_url()
    assert shown.select_one("time")["datetime"] == timezone.localtime(edited.created_at).isoformat()
    assert shown.select_one(".comment__edited").text == "edited"
    assert shown.select_one(".comment__question").text == "Answers question 1"
    assert shown.select_one(".vote__score").text == "3 points"
    assert page.select_one(f"#comment-{orphan.pk} .comment__author").text == "deleted user"
    assert page.select_one(f"#comment-{orphan.pk} .comment__author").name == "span"
    assert page.select_one(f"#comment-{imported.pk} .comment__author").text == "Imported comment"
    gone = page.select_one(f"#comment-{deleted.pk}")
    assert gone.select_one(".comment__author").text == "[deleted]"
    assert gone.select_one(".comment__body").text.strip() == "This comment was deleted by its author."
    assert deleted.author.display_name not in gone.select_one(".comment__main").text
    assert "still here" in page.select_one(f"#comment-{reply.pk}").text


def test_the_reader_sees_which_comments_they_voted_for_and_what_they_may_do(client, article, user):
    voted = CommentFactory(article=article, score=1)
    VoteFactory(user=user, comment=voted)
    other = CommentFactory(article=article)
    own = CommentFactory(article=article, author=user)
    client.force_login(user)
    page = page_of(client, article)
    assert page.select_one(f"#comment-{voted.pk}-vote button")["aria-pressed"] == "true"
    assert page.select_one(f"#comment-{other.pk}-vote button")["aria-pressed"] == "false"
    assert page.select_one(f"#comment-{own.pk}-vote button") is None  # no voting for yourself
    own_actions = page.select_one(f"#comment-{own.pk}-main .comment__actions").text
    assert "Edit" in own_actions and "Delete" in own_actions and "Report" not in own_actions
    other_actions = page.select_one(f"#comment-{other.pk}-main .comment__actions").text
    assert "Edit" not in other_actions and "Report" in other_actions and "Reply" in other_actions


def test_anonymous_readers_see_scores_but_no_buttons(client, article):
    comment = CommentFactory(article=article, score=2)
    page = page_of(client, article)
    assert page.select_one(f"#comment-{comment.pk} .vote__score").text == "2 points"
    assert page.select_one(f"#comment-{comment.pk} form") is None
    assert page.select_one("#follow-article") is None


def test_the_questions_section_numbers_questions_with_counts_links_and_the_editors_pick(client, article):
    first = QuestionFactory(article=article, position=1, text="Will scaling stall?")
    second = QuestionFactory(article=article, position=2, text="Who pays for inference?", is_closed=True)
    third = QuestionFactory(article=article, position=3, text="Nobody answered me")
    early = CommentFactory(article=article, question=first, created_at=_at(30))
    pick = CommentFactory(article=article, question=first, body="The best answer", created_at=_at(5))
    CommentFactory(article=article, question=first, parent=early)  # a reply is not an answer
    CommentFactory(article=article, question=first, status=Comment.Status.HIDDEN)
    CommentFactory(article=article, question=second)
    first.pinned_answer = pick
    first.save()
    page = page_of(client, article)
    section = page.select_one("#questions")
    assert section.h2.text == "Questions to discuss"
    items = section.select("ol.questions > li")
    assert [li.select_one(".question__text").text for li in items] == [q.text for q in (first, second, third)]
    base = article.get_absolute_url()
    first_item = section.select_one(f"#question-{first.pk}")
    assert first_item.find("a", string="2 answers")["href"] == f"{base}?question={first.pk}#discussion"
    assert (
        first_item.find("a", string="Answer this question")["href"]
        == f"{base}?answer={first.pk}#comment-form"
    )
    assert "The best answer" in first_item.select_one(".question__pick").text
    second_item = section.select_one(f"#question-{second.pk}")
    assert "Closed to new answers" in second_item.text and "Answer this question" not in second_item.text
    assert section.select_one(f"#question-{third.pk} .question__unanswered").text == "Unanswered"

    answers = page_of(client, article, question=first.pk)
    assert top_level_ids(answers) == [pick.pk, early.pk]  # the editor's pick first
    assert answers.select_one(f"#comment-{pick.pk} .badge--pick").text == "Editor's pick"


def test_an_article_without_questions_has_no_questions_section(client, article):
    assert page_of(client, article).select_one("#questions") is None


def test_the_thread_of_another_article_does_not_leak_in(client, article):
    CommentFactory(article=ArticleFactory())
    mine = CommentFactory(article=article)
    assert comment_ids(page_of(client, article)) == [mine.pk]


def test_a_comments_permalink_redirects_to_its_place(client, article, settings):
    settings.QINGTAN = {**settings.QINGTAN, "COMMENTS_PER_PAGE": 1}
    CommentFactory(article=article, created_at=_at(10))
    root = CommentFactory(article=article, created_at=_at(5))
    reply = CommentFactory(article=article, parent=root)
    response = client.get(f"/discussions/comments/{reply.pk}/")
    assert response["Location"] == f"{article.get_absolute_url()}?page=2#comment-{reply.pk}"
    hidden = CommentFactory(article=article, status=Comment.Status.HIDDEN)
    assert client.get(f"/discussions/comments/{hidden.pk}/").status_code == 404


def test_a_profile_link_never_shows_an_email(client, article):
    author = UserFactory(display_name="", username="plainname")
    CommentFactory(article=article, author=author)
    html = client.get(article.get_absolute_url()).content.decode()
    assert author.email not in html


def test_comment_counts_leave_out_hidden_and_deleted_comments(client, article):
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status=Comment.Status.HIDDEN)
    CommentFactory(article=article, is_deleted=True, body="[deleted]")
    assert page_of(client, article).select_one(".discussion__count").text == "2 comments"
    home = client.get("/").content.decode()
    assert "2 comments" in home and "3 comments" not in home
