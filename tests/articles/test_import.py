import datetime
import io
import re
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Source
from articles.signals import article_imported
from tests.articles.conftest import DOCUMENTS
from tests.subprocess_env import manage

pytestmark = pytest.mark.django_db

ZH = DOCUMENTS / "zh-edge-inference.txt"
EN = DOCUMENTS / "en-open-weights.txt"
BAD = DOCUMENTS / "bad"


def run(*args):
    """Run import_articles; returns (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=stdout, stderr=stderr)
    except CommandError as error:
        stderr.write(str(error))
        return error.returncode, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def received():
    """What the article_imported receivers are handed (the discussions app is one of them)."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    article_imported.connect(receiver, dispatch_uid="tests.received")
    yield calls
    article_imported.disconnect(dispatch_uid="tests.received")


def test_a_chinese_document_becomes_a_draft_with_every_field(received):
    status, out, _err = run(ZH)
    assert status == 0
    assert "1 created, 0 updated, 0 unchanged, 0 failed." in out
    article = Article.objects.get()
    assert article.title == "端侧推理的账本：手机里的大模型到底省了谁的钱"
    assert article.slug == "端侧推理的账本手机里的大模型到底省了谁的钱"
    assert article.lead == "把模型搬进手机，省下的是云端的电费，付出的是用户的电池和内存。"
    assert article.original_title == "端侧大模型的成本账：一次推理，谁来买单"
    assert article.original_author == "硅基周刊"
    assert article.source.name == "硅基周刊"
    assert article.original_url == "https://silicon-weekly.example/2025/03/on-device-llm-cost?utm_source=feed"
    assert article.original_published_on == datetime.date(2025, 3, 18)
    assert set(article.tags.names()) == {"端侧推理", "大模型", "芯片"}
    assert article.summary.startswith("文章从成本角度拆解端侧推理")
    assert article.summary.count("\n\n") == 1  # two paragraphs
    assert article.body.startswith("硅基周刊记者 林澈")
    assert "<h2>一笔被转移的账</h2>" in article.body_html
    assert "THE END" not in article.body
    assert article.reprint_notice == "本文经硅基周刊授权转载，转载请联系原作者。\n商务合作请联系编辑部。"
    assert article.status == Article.Status.DRAFT and article.publish_at is None
    [call] = received
    assert call["sender"] is Article
    assert call["article"] == article
    assert call["created"] is True
    assert call["questions"] == [
        "你愿意为了隐私让手机多耗百分之十的电吗？",
        "量化到四比特后，模型回答质量的下降你能察觉到吗？",
        "如果应用默认把请求发往云端，应该怎样向用户说明？",
    ]
    assert call["comments"] == [
        "我更关心发热，玩游戏本来就烫，再跑模型就更难受了。",
        "四比特确实能感觉出来，复杂一点的问题会答非所问。\n不过日常提醒、总结短信够用了。",
        "隐私这件事，本地跑才让人放心。",
    ]


def test_an_english_document_with_english_labels(received):
    assert run(EN)[0] == 0
    article = Article.objects.get()
    assert article.original_title == 'What "Open" Means When the Weights Ship Without the Data'
    assert article.source.name == "The Compiler Review"
    assert set(article.tags.names()) == {"open source", "licensing", "healthcare"}
    assert "<table>" in article.body_html
    assert article.reprint_notice.startswith("Reprinted with permission")
    assert received[0]["questions"] == [
        "Should a model be called open source if its training data is secret?",
        "Would you deploy a model whose licence the publisher can change later?",
    ]
    assert len(received[0]["comments"]) == 2


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: text.replace("\n", "\r"), id="cr"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(
            lambda text: re.sub(r"(?m)^(原文\w\w|标签|冷月清谈|怜星夜思)：", r"\1:", text),
            id="half-width-colons",
        ),
    ],
)
def test_line_endings_bom_and_colons_do_not_matter(tmp_path, transform):
    assert run(ZH)[0] == 0
    reference = Article.objects.get()
    variant = tmp_path / "variant.txt"
    original = ZH.read_text(encoding="utf-8")
    assert transform(original) != original
    variant.write_bytes(transform(original).encode("utf-8"))
    status, out, _err = run(variant)
    assert status == 0
    assert "0 created, 0 updated, 1 unchanged" in out  # the very same article, unchanged
    assert Article.objects.get().updated_at == reference.updated_at


def test_importing_the_same_files_twice_changes_nothing(received):
    run(ZH, EN)
    before = list(Article.objects.order_by("pk").values())
    status, out, _err = run(ZH, EN)
    assert status == 0
    assert "0 created, 0 updated, 2 unchanged, 0 failed." in out
    assert list(Article.objects.order_by("pk").values()) == before
    assert Source.objects.count() == 2
    assert [call["created"] for call in received] == [True, True, False, False]


def test_a_changed_document_updates_its_article_and_keeps_the_slug(tmp_path):
    run(ZH)
    article = Article.objects.get()
    edited = tmp_path / "edited.txt"
    text = ZH.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("端侧推理的账本", "端侧推理的新账本", 1).replace("芯片", "移动芯片"), encoding="utf-8"
    )
    status, out, _err = run(edited)
    assert status == 0 and "0 created, 1 updated" in out
    article.refresh_from_db()
    assert article.title.startswith("端侧推理的新账本")
    assert article.slug == "端侧推理的账本手机里的大模型到底省了谁的钱"
    assert "移动芯片" in article.tags.names()
    assert Article.objects.count() == 1


def test_an_update_keeps_the_status_an_editor_chose():
    run(ZH)
    Article.objects.update(status=Article.Status.ARCHIVED, publish_at=timezone.now())
    run("--publish", ZH)
    assert Article.objects.get().status == Article.Status.ARCHIVED


def test_publish_publishes_new_articles_and_drafts():
    run(ZH)
    assert Article.objects.get().status == Article.Status.DRAFT
    status, out, _err = run("--publish", ZH, EN)
    assert status == 0 and "1 created, 1 updated" in out
    assert Article.objects.published().count() == 2


def test_source_option_overrides_the_original_author():
    run("--source", "转载合集", ZH)
    article = Article.objects.get()
    assert article.source.name == "转载合集"
    assert article.original_author == "硅基周刊"


def test_a_directory_is_searched_for_documents(tmp_path):
    folder = tmp_path / "batch"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(ZH, folder / "one.txt")
    shutil.copy(EN, folder / "nested" / "two.md")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    (folder / ".hidden.txt").write_text("not a document")
    status, out, _err = run(folder)
    assert status == 0
    assert "2 created" in out


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_legacy_chinese_encoding_is_refused_with_a_hint_and_read_with_encoding(tmp_path, encoding):
    gbk = tmp_path / "legacy.txt"
    gbk.write_bytes(ZH.read_text(encoding="utf-8").encode(encoding, errors="replace"))
    status, _out, err = run(gbk)
    assert status == 1
    assert f"{gbk}:1: Not UTF-8 text" in err
    assert "--encoding gb18030" in err
    assert not Article.objects.exists()

    status, _out, _err = run("--encoding", encoding, gbk)
    assert status == 0
    assert Article.objects.get().original_author == "硅基周刊"


def test_an_undecodable_file_names_the_line(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes("第一行\n第二行\n".encode() + b"\xff\xfe\xfd broken\n")
    status, _out, err = run(broken)
    assert status == 1
    assert f"{broken}:3: Not UTF-8 text (byte 0xff)" in err
    assert "Pass --encoding" in err


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("no-title.txt", 2, "The title is missing"),
        ("no-body.txt", 12, "The body is missing: no “原文内容”"),
        ("empty-body.txt", 7, "The body is missing: nothing follows “原文内容”"),
        ("unknown-layout.txt", 6, "Unknown layout"),
        ("question-numbering.txt", 12, "Question 3 where question 2 was expected."),
        ("bad-url.txt", 7, "Enter a web address starting with http:// or https://."),
        ("duplicate-label.txt", 7, "“原文标题” appears twice (first on line 3)."),
    ],
)
def test_a_malformed_document_is_reported_by_file_and_line_and_writes_nothing(name, line, message):
    path = BAD / name
    status, _out, err = run(path)
    assert status == 1
    assert f"{path}:{line}: {message}" in err
    assert not Article.objects.exists()
    assert not Source.objects.exists()


def test_bad_files_do_not_stop_the_good_ones():
    status, _out, err = run(BAD / "no-body.txt", ZH, BAD / "bad-url.txt", EN, DOCUMENTS / "missing.txt")
    assert status == 1
    assert Article.objects.count() == 2
    assert "2 created, 0 updated, 0 unchanged, 3 failed." in err
    assert f"{DOCUMENTS / 'missing.txt'}:1: No such file or directory." in err


def test_publishing_an_incomplete_document_is_refused_at_the_summary_line(tmp_path):
    path = tmp_path / "no-summary.txt"
    path.write_text("A title\n\nOriginal author: Someone\n\nOriginal content\n\nBody.\n", encoding="utf-8")
    assert run(path)[0] == 0  # a draft may lack a summary
    Article.objects.all().delete()
    status, _out, err = run("--publish", path)
    assert status == 1
    assert f"{path}:1: A published article needs a summary." in err


def test_a_document_without_author_needs_a_source(tmp_path):
    path = tmp_path / "anonymous.txt"
    path.write_text("A title\n\nOriginal title: Untitled\n\nOriginal content\n\nBody.\n", encoding="utf-8")
    status, _out, err = run(path)
    assert status == 1
    assert "No source" in err and "--source" in err
    assert run("--source", "Some Magazine", path)[0] == 0


def test_a_receiver_failure_rolls_the_whole_document_back():
    def refuse(sender, **kwargs):
        raise ValidationError("Question too long.")

    article_imported.connect(refuse, dispatch_uid="tests.refuse")
    try:
        status, _out, err = run(ZH)
    finally:
        article_imported.disconnect(dispatch_uid="tests.refuse")
    assert status == 1
    assert f"{ZH}:21: Question too long." in err  # the line of 怜星夜思
    assert not Article.objects.exists()
    assert not Source.objects.exists()


def test_the_command_exits_with_status_1_and_file_line_messages(tmp_path):
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert manage("migrate", "--noinput", env=env).returncode == 0
    result = manage("import_articles", str(ZH), str(BAD / "no-title.txt"), env=env)
    assert result.returncode == 1
    assert f"{BAD / 'no-title.txt'}:2: " in result.stderr
    assert "1 created, 0 updated, 0 unchanged, 1 failed." in result.stderr
