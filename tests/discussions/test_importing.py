"""Questions and comments that come with an imported article (manage.py import_articles)."""

import pytest
from django.core.management import call_command

from articles.models import Article
from discussions.importing import IMPORT_USERNAME
from discussions.models import Comment, Question
from tests.discussions.conftest import page_of
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

DOCUMENT = """Lighthouse keepers of the data centre

Night shifts at a cooling plant, told by the people who work them.

Original title: Keepers of the Cold Aisle

Original author: Plant Floor Weekly

Summary:

Three operators describe a night on call at a data centre's cooling plant.

Discussion:

{questions}

Original content

The pumps hum louder after midnight, or so it seems.

© THE END

Reprinted with permission.


{comments}
"""


def _import(tmp_path, questions, comments):
    path = tmp_path / "keepers.txt"
    numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(questions, start=1))
    path.write_text(DOCUMENT.format(questions=numbered, comments="\n\n".join(comments)), encoding="utf-8")
    call_command("import_articles", str(path), "--publish", verbosity=0)
    return Article.objects.get(original_title="Keepers of the Cold Aisle")


def test_importing_creates_numbered_questions_and_labelled_comments(client, tmp_path):
    article = _import(
        tmp_path,
        ["Would you take the night shift?", "Should cooling be automated fully?"],
        ["I did nights for a year; the quiet is the best part.", "Automation fails at 3 a.m. too."],
    )
    assert list(article.questions.values_list("position", "text")) == [
        (1, "Would you take the night shift?"),
        (2, "Should cooling be automated fully?"),
    ]
    comments = list(Comment.objects.filter(article=article).order_by("pk"))
    assert [c.body for c in comments] == [
        "I did nights for a year; the quiet is the best part.",
        "Automation fails at 3 a.m. too.",
    ]
    account = comments[0].author
    assert {c.author for c in comments} == {account}
    assert account.username == IMPORT_USERNAME
    assert not account.is_active and not account.is_staff and not account.has_usable_password()

    page = page_of(client, article)
    labels = [node.text for node in page.select(".comment__author")]
    assert labels == ["Imported comment", "Imported comment"]
    assert page.select_one(".comment__author--imported").name == "span"  # no profile link


def test_importing_again_changes_nothing(tmp_path):
    questions, comments = ["Q one?", "Q two?"], ["First comment.", "Second comment."]
    article = _import(tmp_path, questions, comments)
    before = list(Question.objects.values_list("pk", "text")), list(Comment.objects.values_list("pk", "body"))
    _import(tmp_path, questions, comments)
    after = list(Question.objects.values_list("pk", "text")), list(Comment.objects.values_list("pk", "body"))
    assert before == after
    assert article.questions.count() == 2


def test_a_changed_document_updates_questions_by_position_and_adds_new_comments(tmp_path):
    article = _import(tmp_path, ["Old wording?", "Second?", "Third?"], ["Kept comment."])
    first, second, third = article.questions.order_by("position")
    reader_answer = CommentFactory(article=article, question=third, body="A reader answered the third")
    _import(tmp_path, ["New wording?"], ["Kept comment.", "A comment added later."])

    first.refresh_from_db()
    assert first.text == "New wording?"  # same row: its answers stay attached
    assert not Question.objects.filter(pk=second.pk).exists()  # unanswered, gone with the document
    assert Question.objects.filter(pk=third.pk).exists()  # answered by a reader: kept
    reader_answer.refresh_from_db()
    assert reader_answer.question == third
    imported = Comment.objects.filter(article=article, author__username=IMPORT_USERNAME)
    assert sorted(imported.values_list("body", flat=True)) == ["A comment added later.", "Kept comment."]
