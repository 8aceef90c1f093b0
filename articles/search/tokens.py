"""Turning text into index terms, the same way for documents and queries on every database.

Chinese has no spaces between words, and neither SQLite's tokenizers nor PostgreSQL's parser
segment it (whether PostgreSQL even sees CJK characters as letters depends on the cluster's
locale). So the terms are made here, in Python, and the databases only store and match them:

- a run of CJK characters (Han, kana, hangul) becomes its overlapping bigrams in order, then its
  last character alone: 语言模型 -> 语言 言模 模型 型. Every character of the run starts one
  term, so a one-character query is a prefix query (博*), a two-character query one bigram, and
  a longer one the phrase of its bigrams;
- any other run of letters and digits becomes one word, NFKC-normalised (full-width ＧＰＴ is
  GPT), case-folded and reduced to its English stem (models, modelling -> model).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"([{CJK}]+)")
_WORD = re.compile(r"[^\W_]+")
# A letter or digit that is not CJK; a word is a run of them.
WORD_CHARACTER = f"(?:(?![{CJK}])[^\\W_])"
WORD = re.compile(f"{WORD_CHARACTER}+")
# Longer "words" are hashes, URLs run together or base64; nobody searches for them.
MAX_WORD_LENGTH = 40

_stemmer = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=100_000)
def _stem(word):
    return _stemmer.stemWord(word) if word.isascii() and word.isalpha() else word


def word_term(word):
    """The index term of one word found in text (by WORD), for highlighting."""
    return _stem(normalize(word))


# Full-width punctuation is what keeps most Chinese text from being NFKC already, and
# unicodedata.normalize() is slow (a third of building the index went into it). Each of these is
# one character that NFKC maps to one ASCII character, which composes with nothing on either
# side: replacing it first leaves the result of NFKC unchanged, and usually unneeded.
_FULL_WIDTH = [(character, unicodedata.normalize("NFKC", character)) for character in "，：？！；（）"]


def normalize(text):
    text = text or ""
    for full_width, ascii_form in _FULL_WIDTH:
        text = text.replace(full_width, ascii_form)
    if not unicodedata.is_normalized("NFKC", text):  # a quick check; most text now is
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _pieces(text):
    """(is_cjk, term, piece) for each CJK run and each word of normalised text, in order: the
    term is the word's stem (the run itself for CJK), the piece the text it came from."""
    for i, chunk in enumerate(_CJK_RUN.split(text)):
        if i % 2:
            yield True, chunk, chunk
        else:
            for word in _WORD.findall(chunk):
                if len(word) <= MAX_WORD_LENGTH:
                    yield False, _stem(word), word


# What _pieces() and the bigrams of its CJK runs come to, found by the regex engine in one pass:
# at each CJK character the bigram starting there (the character alone at the end of its run),
# or a whole word of other letters and digits.
_DOCUMENT_TERM = re.compile(f"(?=([{CJK}][{CJK}]?))[{CJK}]|([^\\W_{CJK}]+)")


def document_terms(text):
    """The index terms of a document field, in order."""
    return [
        bigram or _stem(word)
        for bigram, word in _DOCUMENT_TERM.findall(normalize(text))
        if bigram or len(word) <= MAX_WORD_LENGTH
    ]


def document_text(text):
    """The terms of document_terms(text) joined by spaces, as SQLite's index stores a field.

    No term spans a line break (normalising never joins characters across one either), so the
    text is made line by line, and the lines seen last are remembered: generated load data
    repeats its paragraphs from article to article (rebuilding its index, this saves most of
    the work of making terms); for real articles, which seldom repeat a line, a miss costs one
    hash of the line.
    """
    return " ".join(filter(None, map(_line_text, (text or "").split("\n"))))


@functools.lru_cache(maxsize=8192)
def _line_text(line):
    return " ".join(document_terms(line))


@dataclass(frozen=True)
class Term:
    """One thing a result must contain.

    kind is "word" (one index term: a word's stem or two CJK characters), "prefix" (a single
    CJK character: any term starting with it) or "phrase" (three or more CJK characters: its
    bigrams, adjacent and in order). text is what the reader typed for it, normalised.
    """

    kind: str
    text: str
    terms: tuple

    @property
    def is_cjk(self):
        return self.kind != "word" or bool(_CJK_RUN.fullmatch(self.text))


def query_terms(text):
    """The terms a query asks for, each to be matched (all of them, AND)."""
    found = {}
    for is_cjk, stem, piece in _pieces(normalize(text)):
        if not is_cjk:
            term = Term("word", piece, (stem,))
        elif len(piece) == 1:
            term = Term("prefix", piece, (piece,))
        elif len(piece) == 2:
            term = Term("word", piece, (piece,))
        else:
            term = Term("phrase", piece, tuple(piece[i : i + 2] for i in range(len(piece) - 1)))
        found.setdefault((term.kind, term.terms), term)
    return list(found.values())
