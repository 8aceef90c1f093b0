import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from accounts.names import normalize_display_name, reserved_word_in


@given(st.text())
def test_normalized_names_hold_no_invisible_characters_and_are_stable(value):
    name = normalize_display_name(value)

    assert normalize_display_name(name) == name
    assert name == name.strip()
    assert "  " not in name
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Cn"} for ch in name)


@given(st.text(), st.sampled_from(["admin", "管理员", "Moderator", "STAFF"]), st.text())
def test_a_reserved_word_is_found_whatever_surrounds_it(before, word, after):
    assert reserved_word_in(before + word + after) is not None


def test_ordinary_names_pass():
    for name in ["林间读者", "Grace Hopper", "读者 42", "Ада Лавлейс", "🌙 moonlight"]:
        assert reserved_word_in(name) is None, name


def test_accents_and_combining_marks_do_not_hide_a_reserved_word():
    assert reserved_word_in("admín") == "admin"
    assert reserved_word_in("admin\u0301") == "admin"
    assert reserved_word_in("ＭＯＤＥＲＡＴＯＲ") == "moderator"
