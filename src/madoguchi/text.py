"""Text normalization shared by catalog search and datastore full-text search.

Rule (DESIGN.md section 3): stored text is NFC; NFKC is used for matching only.
``normalize_for_search`` folds the differences Japanese users do not see as
differences: full/half width (ｺﾞﾐ → ゴミ), katakana/hiragana (ゴミ → ごみ), case.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_SPACES = re.compile(r"\s+")


def normalize_for_search(text: str | None) -> str:
    """Fold *text* into the form used for matching.

    NFKC (full/half width, compatibility characters), katakana → hiragana
    (jaconv), lower case, runs of whitespace (including U+3000) → one space.

    >>> normalize_for_search("ｺﾞﾐ") == normalize_for_search("ゴミ") == "ごみ"
    True
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text.replace("\x00", ""))  # NUL: never in data; PostgreSQL refuses it
    folded = jaconv.kata2hira(folded).lower()
    return _SPACES.sub(" ", folded).strip()


def search_terms(query: str | None) -> list[str]:
    """Split a user query into normalized terms (AND semantics), dropping empties."""
    return [t for t in normalize_for_search(query).split(" ") if t]


def to_nfc(text: str) -> str:
    """Return *text* in NFC, the storage form for all text (DESIGN.md section 3)."""
    return unicodedata.normalize("NFC", text)
