"""Building the search index: the terms made of text, and the two ways entries are written (one
article at a time as it is saved, or all of them by rebuild_search_index and generate_load_data)
giving the same index."""

import re
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from articles.models import ArticleSearchEntry
from articles.search import search_articles
from articles.search.backends import FIELDS
from articles.search.tokens import CJK, MAX_WORD_LENGTH, document_terms, document_text, normalize, word_term
from tests.articles.test_search import make
from tests.factories import SourceFactory

# Text as articles have it: Chinese and English, full-width punctuation (which NFKC rewrites),
# compatibility characters, combining marks, underscores and line breaks.
PIECES = [
    *"语言模型博士开源芯片한국어カタカナ・，：？！；（）。、“”　 \n_-.ﬁＧＰＴａｂ①ß\u0301e\u3099𠀀",
    "models",
    "GPT",
    "x" * 41,
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def reference_terms(text):
    """The rules of articles.search.tokens as its docstring states them, written plainly."""
    terms = []
    for i, chunk in enumerate(re.split(f"([{CJK}]+)", unicodedata.normalize("NFKC", text).casefold())):
        if i % 2:  # a CJK run: its bigrams in order, then its last character alone
            terms += [chunk[j : j + 2] for j in range(len(chunk))]
        else:
            terms += [
                word_term(word) for word in re.findall(r"[^\W_]+", chunk) if len(word) <= MAX_WORD_LENGTH
            ]
    return terms


@given(TEXT)
def test_normalizing_is_nfkc_then_case_folding(text):
    assert normalize(text) == unicodedata.normalize("NFKC", text).casefold()


@given(TEXT)
def test_document_terms_follow_the_stated_rules(text):
    assert document_terms(text) == reference_terms(text)


@given(st.lists(TEXT, max_size=6))
def test_a_fields_text_is_its_terms_joined_by_spaces_even_when_lines_repeat(lines):
    text = "\n".join(lines + lines)  # the second half answered from the lines remembered
    assert document_text(text) == " ".join(document_terms(text))


def test_document_terms_of_mixed_text():
    assert document_terms("大型语言模型，GPT-4 Models！") == [
        "大型",
        "型语",
        "语言",
        "言模",
        "模型",
        "型",
        "gpt",
        "4",
        "model",
    ]


# The index written article by article and rebuilt --------------------------------------------------

QUERIES = ["语言模型", "模型", "博", "开源", "model", "kernel", "GPT 模型"]


def _articles():
    source = SourceFactory(name="晨星科技周刊")
    make(
        "大型语言模型的一年",
        "开源模型，越来越多：\n\n## The models\n\nA kernel for GPT-style models.",
        source=source,
    )
    make("Kernel notes", "Linux kernel 维护者谈模型。\n\n> 博士们的讨论", tags=["内核", "开源"])
    make("一位博士的自述", "读博五年（终于毕业）。\n\n- 第一年\n- 第二年", lead="ＧＰＴ与博士")
    make("草稿", "语言模型", status="draft")


def _index_snapshot():
    entries = sorted(
        tuple(entry.values())
        for entry in ArticleSearchEntry.objects.values(
            *(field for field in _entry_fields() if field != "indexed_at")
        )
    )
    rows = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, {', '.join(FIELDS)} FROM articles_search_fts ORDER BY rowid")  # noqa: S608
            rows = cursor.fetchall()
    return entries, rows


def _entry_fields():
    return [field.attname for field in ArticleSearchEntry._meta.concrete_fields]


def _answers():
    return {
        query: [(hit.article.pk, round(hit.rank or 0, 6)) for hit in search_articles(query)[:20]]
        for query in QUERIES
    }


@pytest.mark.django_db
def test_rebuilding_writes_the_index_that_saving_the_articles_wrote():
    _articles()
    saved, answers = _index_snapshot(), _answers()
    assert len(saved[0]) == 3 and answers["模型"] and answers["model"]

    call_command("rebuild_search_index", verbosity=0)

    assert _index_snapshot() == saved
    assert _answers() == answers


@pytest.mark.django_db
def test_generated_data_is_indexed_as_rebuild_search_index_indexes_it():
    call_command("generate_load_data", articles=40, comments=200, users=10, seed=5, verbosity=0)
    generated = _index_snapshot()
    queries = ["芯片", "开源", "维护者", "maintainers", "Rust", "kernel"]
    answers = {query: [hit.article.pk for hit in search_articles(query)[:20]] for query in queries}
    assert any(answers[query] for query in queries[:3]) and any(answers[query] for query in queries[3:])

    call_command("rebuild_search_index", verbosity=0)

    assert _index_snapshot() == generated
    assert {query: [hit.article.pk for hit in search_articles(query)[:20]] for query in queries} == answers
