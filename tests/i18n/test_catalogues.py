"""The translation catalogues in locale/: complete, compiled, and in step with the code.

A fresh machine needs no gettext: the compiled .mo files are committed, so these tests read
them as they are. Only the last test, which re-extracts the strings from the code, needs
xgettext (`make messages` needs it too).
"""

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.subprocess_env import PROJECT, SETTINGS_VARIABLES

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLURAL_FORMS = {"zh-hans": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
# printf-style placeholders, str.format fields and HTML tags: a translation must keep each one,
# or rendering it fails (KeyError) or loses markup.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[^{}]*\}|</?[a-z]+[^>]*>")
# What `make messages` leaves out of the extraction (the Makefile's --ignore list).
NOT_EXTRACTED = {".venv", ".git", "bench", "tests", "staticfiles", "test-artifacts", "media", "locale"}


def catalogue(code, suffix="po"):
    # Django looks for the folder named by to_locale(): "zh_Hans" for zh-hans, not "zh_hans".
    return PROJECT / "locale" / to_locale(code) / "LC_MESSAGES" / f"django.{suffix}"


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translations(entries):
    return {
        key(e): tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        for e in entries
    }


def described(entries):
    return "\n".join(f"  {e.occurrences[0][0] if e.occurrences else '?'}: {e.msgid!r}" for e in entries)


@pytest.fixture(params=LANGUAGES)
def po(request):
    path = catalogue(request.param)
    assert path.exists(), f"{path.relative_to(PROJECT)} is missing: run make messages"
    parsed = polib.pofile(str(path))
    parsed.language_code = request.param
    return parsed


def test_the_catalogue_has_the_interface_strings(po):
    msgids = {e.msgid for e in po}
    assert len(po) > 300
    assert {"Questions to discuss", "Summary", "Sign in", "Moderation log"} <= msgids


def test_every_entry_is_translated(po):
    untranslated = po.untranslated_entries()
    assert not untranslated, f"untranslated in {po.fpath}:\n{described(untranslated)}"


def test_no_entry_is_fuzzy(po):
    fuzzy = po.fuzzy_entries()
    assert not po.metadata_is_fuzzy, f"the header of {po.fpath} is marked fuzzy"
    assert not fuzzy, f"fuzzy (check, then remove the flag) in {po.fpath}:\n{described(fuzzy)}"


def test_no_entry_is_obsolete(po):
    assert not po.obsolete_entries()


def test_the_header_names_the_language_and_its_plural_forms(po):
    assert po.metadata["Language"] == to_locale(po.language_code)
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[po.language_code]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    if po.language_code == "zh-hans":
        assert all(len(e.msgstr_plural) == 1 for e in po if e.msgid_plural)
    else:
        assert all(len(e.msgstr_plural) == 2 for e in po if e.msgid_plural)


def test_translations_keep_every_placeholder_and_tag(po):
    def found(text):
        return sorted(set(PLACEHOLDER.findall(text)))

    broken = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            # Form 0 answers the singular only where the language has several forms; Chinese
            # has one form for every count, written like the plural.
            several = len(entry.msgstr_plural) > 1
            pairs = [
                (text, entry.msgid if index == 0 and several else entry.msgid_plural)
                for index, text in entry.msgstr_plural.items()
            ]
        else:
            pairs = [(entry.msgstr, entry.msgid)]
        broken += [f"  {source!r} -> {text!r}" for text, source in pairs if found(text) != found(source)]
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_english_repeats_the_source_strings():
    english = polib.pofile(str(catalogue("en")))
    differing = [
        e
        for e in english
        if (e.msgstr_plural != {0: e.msgid, 1: e.msgid_plural} if e.msgid_plural else e.msgstr != e.msgid)
    ]
    assert not differing, described(differing)


def test_the_compiled_catalogue_matches_the_po_file(po):
    mo_path = catalogue(po.language_code, "mo")
    assert mo_path.exists(), f"{mo_path.relative_to(PROJECT)} is missing: run make messages"
    compiled = polib.mofile(str(mo_path))
    expected = translations(po.translated_entries())
    actual = translations(e for e in compiled if e.msgid)
    missing = sorted(str(k[1]) for k in expected.keys() - actual.keys())
    assert not missing, f"{mo_path.name} lacks (recompile with make messages): {missing[:10]}"
    stale = sorted(k[1] for k in expected if actual[k] != expected[k])
    assert not stale, f"{mo_path.name} has old translations (recompile with make messages): {stale[:10]}"
    assert actual.keys() == expected.keys()
    assert compiled.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


def test_the_catalogues_hold_every_string_of_the_code_and_nothing_else(tmp_path):
    """makemessages in a copy of the project: any msgid it finds that the catalogue lacks is a
    string shown untranslated; any it no longer finds is left over."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext not found: .ci/run installs gettext")
        pytest.skip("xgettext not found (apt-get install gettext): cannot re-extract the strings")
    copy = tmp_path / "project"
    copy.mkdir()
    for item in PROJECT.iterdir():
        if item.name in NOT_EXTRACTED or item.suffix in {".sqlite3", ".egg-info"}:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, copy / item.name)
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_DEBUG"] = "true"
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--ignore=.venv"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    extracted = {
        key(e): e for e in polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    }
    for code in LANGUAGES:
        committed = {key(e) for e in polib.pofile(str(catalogue(code)))}
        new = [extracted[k] for k in extracted.keys() - committed]
        assert not new, f"strings missing from {code} (run make messages, then translate):\n{described(new)}"
        gone = sorted(str(k[1]) for k in committed - extracted.keys())
        assert not gone, f"{code} has strings no longer in the code (run make messages): {gone}"
