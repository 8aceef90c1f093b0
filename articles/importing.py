"""Reading reposts in the plain-text repost format and saving them as articles.

Used by `manage.py import_articles` and by the demo content (`seed_demo`). A document reads:

    Title line
    Lead: one or more lines up to the first label
    原文标题: the original title                       Original title: ...
    原文作者: the original author or publication       Original author: ...
    原文链接: https://...            (optional)        Original URL: ...
    原文日期: 2025-01-31             (optional)        Original date: ...
    标签: 标签一, 标签二              (optional)        Tags: ...
    转载声明: the reprint notice      (optional)        Reprint notice: ...
    冷月清谈: the summary, Markdown paragraphs          Summary: ...
    怜星夜思: numbered questions, "1、..." or "1. ..."   Discussion: ...
    原文内容                                            Original content
    The original text (Markdown)
    © THE END
    Footer paragraphs (used as the reprint notice when there is no 转载声明: label)

    Readers' comments, one paragraph each, after two blank lines (or a "读者评论" / "Comments" line)

Colons may be full- or half-width, the file UTF-8 with or without a BOM, with any line endings.
Documents in a legacy encoding (GB18030/GBK) are refused with a hint to pass `encoding`.

A document is identified by its source and original title (its title when it has none):
importing it again updates that article, and changes nothing when the text is the same.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from articles.models import Article, Source
from articles.signals import article_imported

LABELS = {
    "original_title": ("原文标题", "Original title"),
    "original_author": ("原文作者", "Original author"),
    "original_url": ("原文链接", "原文地址", "Original URL", "Original link"),
    "original_published_on": ("原文日期", "Original date"),
    "tags": ("标签", "Tags"),
    "reprint_notice": ("转载声明", "Reprint notice"),
    "summary": ("冷月清谈", "Summary"),
    "questions": ("怜星夜思", "Discussion"),
}
# Labels whose text runs over several lines up to the next label; the others take one value.
MULTILINE = {"summary", "questions", "reprint_notice"}
# Fields a document may leave out; when it does, an update keeps what the article has.
OPTIONAL = {"original_url", "original_published_on", "tags", "reprint_notice"}
DOCUMENT_SUFFIXES = {".txt", ".md", ".text"}

_LABEL_BY_NAME = {name.casefold(): key for key, names in LABELS.items() for name in names}
_LABEL_RE = re.compile(
    r"^\s*("
    + "|".join(re.escape(name) for names in LABELS.values() for name in names)
    + r")\s*[:：]\s*(.*?)\s*$",
    re.IGNORECASE,
)
_BODY_RE = re.compile(r"^\s*(原文内容|Original content)\s*[:：]?\s*$", re.IGNORECASE)
_END_RE = re.compile(r"^\s*©\s*THE\s+END\s*$", re.IGNORECASE)
_COMMENTS_RE = re.compile(r"^\s*(读者评论|Readers['’]? comments|Comments)\s*[:：]?\s*$", re.IGNORECASE)
_QUESTION_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[、．)）]|\.(?!\d))\s*(\S.*?)\s*$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TAG_SEPARATORS = re.compile(r"[,，、;；]")


class DocumentError(Exception):
    """A document that cannot be imported; `problems` are (line, message) pairs."""

    def __init__(self, *problems):
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self):
        return "; ".join(f"line {line}: {message}" for line, message in self.problems)


@dataclass
class Document:
    title: str
    lead: str = ""
    original_title: str = ""
    original_author: str = ""
    original_url: str = ""
    original_published_on: date | None = None
    tags: list = field(default_factory=list)
    reprint_notice: str = ""
    summary: str = ""
    questions: list = field(default_factory=list)
    body: str = ""
    comments: list = field(default_factory=list)
    # Where each part starts, to report problems against the file: {field name: line number}.
    lines: dict = field(default_factory=dict)

    def line_of(self, name):
        return self.lines.get(name, self.lines.get("title", 1))


@dataclass
class ImportResult:
    article: Article
    created: bool
    changed: bool


# Reading ----------------------------------------------------------------------------------------


def decode(data, *, encoding=None):
    """The text of a file's bytes: UTF-8 (a BOM is dropped) unless `encoding` is given."""
    try:
        text = data.decode(encoding or "utf-8")
    except LookupError as error:
        raise DocumentError(
            (1, gettext("Unknown encoding %(encoding)s.") % {"encoding": encoding})
        ) from error
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        if encoding:
            message = gettext("Not valid %(encoding)s text (byte 0x%(byte)02x).") % {
                "encoding": encoding,
                "byte": data[error.start],
            }
        elif _decodes(data, "gb18030"):
            message = gettext(
                "Not UTF-8 text (byte 0x%(byte)02x). It looks like GB18030/GBK: "
                "run again with --encoding gb18030."
            ) % {"byte": data[error.start]}
        else:
            message = gettext(
                "Not UTF-8 text (byte 0x%(byte)02x). Pass --encoding with the file's encoding."
            ) % {"byte": data[error.start]}
        raise DocumentError((line, message)) from error
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        # Never in a text document (PostgreSQL cannot even store it); usually UTF-16 read as UTF-8.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DocumentError(
            (line, gettext("A NUL character: not a text document (for UTF-16, pass --encoding utf-16)."))
        )
    return text


def _decodes(data, encoding):
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_document(path, *, encoding=None):
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DocumentError(
            (1, gettext("Cannot read the file: %(error)s") % {"error": error.strerror})
        ) from error
    return parse(decode(data, encoding=encoding))


def document_paths(paths):
    """Expand directories into the documents they hold (recursively, sorted); returns
    (files, missing paths)."""
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file()
                    and child.suffix.lower() in DOCUMENT_SUFFIXES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(path)
    return files, missing


# Parsing ----------------------------------------------------------------------------------------


def parse(text):
    """A Document from the text of one file; raises DocumentError naming the line at fault."""
    lines = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1))
    filled = [(number, line) for number, line in lines if line.strip()]
    if not filled:
        raise DocumentError((1, gettext("The document is empty: it needs a title line.")))
    title_number, title_line = filled[0]
    if _LABEL_RE.match(title_line) or _BODY_RE.match(title_line):
        raise DocumentError(
            (title_number, gettext("The title is missing: the first line must be the article's title."))
        )
    body_index = next((i for i, (_n, line) in enumerate(lines) if _BODY_RE.match(line)), None)
    if body_index is None:
        raise DocumentError(
            (
                lines[-1][0],
                gettext("The body is missing: no “原文内容” (or “Original content”) line before the text."),
            )
        )
    document = Document(title=title_line.strip())
    document.lines["title"] = title_number
    _parse_header(document, lines[title_number:body_index])

    body_number = lines[body_index][0]
    rest = lines[body_index + 1 :]
    end_index = next((i for i, (_n, line) in enumerate(rest) if _END_RE.match(line)), None)
    body_lines = rest if end_index is None else rest[:end_index]
    document.body = _markdown(body_lines)
    document.lines["body"] = body_number
    if not document.body:
        raise DocumentError((body_number, gettext("The body is missing: nothing follows “原文内容”.")))
    if end_index is not None:
        footer, comments = _split_footer(rest[end_index + 1 :])
        if footer and "reprint_notice" not in document.lines:
            document.reprint_notice = "\n".join(footer)
            document.lines["reprint_notice"] = rest[end_index][0]
        document.comments = comments
    return document


def _parse_header(document, lines):
    sections = {"lead": []}
    current = "lead"
    for number, line in lines:
        match = _LABEL_RE.match(line)
        if match:
            key = _LABEL_BY_NAME[match.group(1).casefold()]
            if key in document.lines:
                raise DocumentError(
                    (
                        number,
                        gettext("“%(label)s” appears twice (first on line %(line)s).")
                        % {"label": match.group(1), "line": document.lines[key]},
                    )
                )
            document.lines[key] = number
            current = key
            sections[key] = [(number, match.group(2))] if match.group(2) else []
        elif current == "lead" or current in MULTILINE:
            sections[current].append((number, line))
        elif line.strip():
            if sections[current]:
                raise DocumentError(
                    (
                        number,
                        gettext(
                            "Unexpected text after “%(label)s”, which takes one line: expected a label "
                            "such as 冷月清谈: (Summary:) or the “原文内容” (Original content) line."
                        )
                        % {"label": LABELS[current][0]},
                    )
                )
            sections[current].append((number, line))

    if len(document.lines) == 1:
        raise DocumentError(
            (
                lines[-1][0] + 1 if lines else document.lines["title"] + 1,
                gettext(
                    "Unknown layout: no label such as 原文标题:, 原文作者:, 冷月清谈: (or Original title:, "
                    "Original author:, Summary:) between the title and “原文内容”."
                ),
            )
        )
    document.lead = _one_line(sections["lead"])
    if document.lead:
        document.lines["lead"] = next(number for number, line in sections["lead"] if line.strip())
    for key in ("original_title", "original_author", "original_url"):
        setattr(document, key, _one_line(sections.get(key, [])))
    document.summary = _markdown(sections.get("summary", []))
    document.reprint_notice = _markdown(sections.get("reprint_notice", []))
    if "original_published_on" in sections:
        document.original_published_on = _date(
            _one_line(sections["original_published_on"]), document.lines["original_published_on"]
        )
    if "tags" in sections:
        document.tags = _tags(_one_line(sections["tags"]))
    if "questions" in sections:
        document.questions = _questions(sections["questions"], document.lines["questions"])


def _join(left, right):
    # Wrapped CJK text joins without a space; Latin words need one.
    if left and right and (left[-1].isascii() or right[0].isascii()):
        return f"{left} {right}"
    return left + right


def _one_line(lines):
    text = ""
    for _number, line in lines:
        text = _join(text, line.strip()) if line.strip() else text
    return text


def _markdown(lines):
    """Paragraph text: lines right-stripped, runs of blank lines folded into one."""
    out, blank = [], False
    for _number, line in lines:
        if line.strip():
            if blank and out:
                out.append("")
            out.append(line.rstrip())
            blank = False
        else:
            blank = True
    return "\n".join(out).strip()


def _paragraphs(lines):
    paragraphs, current = [], []
    for _number, line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _split_footer(lines):
    """The footer paragraphs after © THE END and the readers' comments after them: the footer
    ends at an explicit comments line or at the first gap of two or more blank lines."""
    marker = next((i for i, (_n, line) in enumerate(lines) if _COMMENTS_RE.match(line)), None)
    if marker is not None:
        return _paragraphs(lines[:marker]), _paragraphs(lines[marker + 1 :])
    blank_run = 0
    for index, (_number, line) in enumerate(lines):
        if line.strip():
            if blank_run >= 2:
                return _paragraphs(lines[:index]), _paragraphs(lines[index:])
            blank_run = 0
        else:
            blank_run += 1
    return _paragraphs(lines), []


def _date(value, number):
    match = _DATE_RE.match(value)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise DocumentError(
        (number, gettext("“%(value)s” is not a date: write it like 2025-01-31.") % {"value": value})
    )


def _tags(value):
    tags = []
    for name in _TAG_SEPARATORS.split(value):
        name = name.strip()
        if name and name not in tags:
            tags.append(name)
    return tags


def _questions(lines, label_number):
    questions = []
    for number, line in lines:
        if not line.strip():
            continue
        match = _QUESTION_RE.match(line)
        if match:
            if int(match.group(1)) != len(questions) + 1:
                raise DocumentError(
                    (
                        number,
                        gettext("Question %(found)s where question %(expected)s was expected.")
                        % {"found": match.group(1), "expected": len(questions) + 1},
                    )
                )
            questions.append(match.group(2))
        elif questions:
            questions[-1] = _join(questions[-1], line.strip())
        else:
            raise DocumentError((number, gettext("Expected a numbered question such as “1、…” or “1. …”.")))
    if not questions:
        raise DocumentError((label_number, gettext("“怜星夜思” (Discussion) has no numbered questions.")))
    return questions


# Saving -----------------------------------------------------------------------------------------


def import_file(path, *, encoding=None, source_name=None, publish=False):
    return import_document(read_document(path, encoding=encoding), source_name=source_name, publish=publish)


def import_document(document, *, source_name=None, publish=False):
    """Create or update the article of a parsed document, in one transaction with whatever the
    article_imported receivers store. New articles are drafts unless `publish`; with `publish`,
    drafts and articles in review are published, and published or archived ones are left as
    they are. Raises DocumentError, having written nothing."""
    with transaction.atomic():
        source = _source(document, source_name)
        article = _existing_article(document, source)
        created = article is None
        if created:
            article = Article(source=source)
        values = {
            "title": document.title,
            "lead": document.lead,
            "summary": document.summary,
            "body": document.body,
            "original_title": document.original_title,
            "original_author": document.original_author,
        }
        for name in OPTIONAL - {"tags"}:
            if created or name in document.lines:
                values[name] = getattr(document, name)
        changed = created
        for name, value in values.items():
            if getattr(article, name) != value:
                setattr(article, name, value)
                changed = True
        if publish and article.status in {Article.Status.DRAFT, Article.Status.IN_REVIEW}:
            article.status = Article.Status.PUBLISHED
            article.publish_at = None  # save() sets it to now
            changed = True
        if changed:
            try:
                article.full_clean()
            except ValidationError as error:
                raise _document_error(document, error) from error
            article.save()

        if (created or "tags" in document.lines) and set(article.tags.names()) != set(document.tags):
            article.tags.set(document.tags)
            changed = True

        try:
            article_imported.send(
                sender=Article,
                article=article,
                questions=list(document.questions),
                comments=list(document.comments),
                created=created,
            )
        except ValidationError as error:
            raise _document_error(document, error, default="questions") from error
    return ImportResult(article=article, created=created, changed=changed)


def _source(document, source_name):
    name = (source_name or document.original_author).strip()
    if not name:
        raise DocumentError(
            (
                document.line_of("original_author"),
                gettext("No source: the document names no original author (原文作者:); pass --source."),
            )
        )
    source = Source.objects.filter(name=name).first()
    if source is None:
        source = Source(name=name)
        try:
            source.full_clean(exclude=["slug"])
        except ValidationError as error:
            messages = [message for messages in error.message_dict.values() for message in messages]
            raise DocumentError(
                *((document.line_of("original_author"), message) for message in messages)
            ) from error
        source.save()
    return source


def _existing_article(document, source):
    if document.original_title:
        candidates = Article.objects.filter(source=source, original_title=document.original_title)
    else:
        candidates = Article.objects.filter(source=source, original_title="", title=document.title)
    found = list(candidates[:2])
    if len(found) > 1:
        raise DocumentError(
            (
                document.line_of("original_title"),
                gettext(
                    "Several articles from %(source)s have this original title; "
                    "cannot tell which one to update."
                )
                % {"source": source.name},
            )
        )
    return found[0] if found else None


def _document_error(document, error, *, default="title"):
    problems = []
    for name, messages in getattr(error, "error_dict", {"__all__": error.messages}).items():
        messages = ValidationError(messages).messages
        line = document.lines.get(name, document.line_of(default))
        problems.extend((line, message) for message in messages)
    return DocumentError(*sorted(problems, key=lambda problem: problem[0]))
