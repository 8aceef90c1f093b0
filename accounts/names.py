"""Display names: what readers see next to every comment, so they must be honest.

A name is normalised before it is checked or stored: compatibility forms folded (fullwidth
letters become plain ones), invisible characters dropped (zero-width spaces and joiners, bidi
controls that reorder text, other format and control characters) and runs of whitespace collapsed.
A reader's name may then not contain a reserved word (``QINGTAN["RESERVED_DISPLAY_NAMES"]``) in any
case, spacing, punctuation, accents or common look-alike spelling, so nobody poses as staff.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Letters that render blank although Unicode does not class them as format characters.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}

# Look-alikes folded when comparing with reserved words (Cyrillic and Greek letters, digits).
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɑ": "a", "α": "a",
        "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    }
)  # fmt: skip


def normalize_display_name(value):
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(
        ch for ch in value if unicodedata.category(ch) not in _DROPPED_CATEGORIES and ch not in _BLANK_LETTERS
    )
    return " ".join(value.split())


def _skeleton(value):
    """The letters and digits of a name, without case, accents or look-alike spellings."""
    decomposed = unicodedata.normalize("NFKD", normalize_display_name(value).casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return "".join(ch for ch in folded.translate(_LOOKALIKES) if ch.isalnum())


def reserved_word_in(value):
    """The reserved word a name imitates, or None."""
    skeleton = _skeleton(value)
    for word in settings.QINGTAN["RESERVED_DISPLAY_NAMES"]:
        reserved = _skeleton(word)
        if reserved and reserved in skeleton:
            return word
    return None


def validate_not_reserved(value):
    word = reserved_word_in(value)
    if word:
        raise ValidationError(
            _("Names containing “%(word)s” are reserved for the Qingtan team. Please choose another."),
            code="reserved",
            params={"word": word},
        )
