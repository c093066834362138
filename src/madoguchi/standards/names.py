"""Column-name folding shared by the header check and the suggestions.

Two spellings are "the same name" when they are equal after NFKC, removing
whitespace, a BOM and zero-width characters, and folding every dash-like
character (ー ― ‐ ‑ ‒ – — − － ｰ ─ -) to one. City files often differ from the
standard only so: 焼津市's 子育て施設一覧 spells コード with U+2015 (―), and
全角 （） against 半角 () is common.
"""

from __future__ import annotations

import re
import unicodedata

DASHES = "ー―‐‑‒–—−－ｰ─━-"
_DASH_RE = re.compile("[" + re.escape(DASHES) + "]")
_DROP_RE = re.compile(r"[\s\ufeff\u200b\u200c\u200d\u2060]+")


def fold(name: str) -> str:
    """The comparison key of a column name (``"都道府県コ―ド"`` → ``"都道府県コード"``)."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _DROP_RE.sub("", text)
    return _DASH_RE.sub("ー", text).lower()


def spelling_difference(written: str, standard: str) -> str:
    """Which characters differ, for messages: ``"「―」(U+2015) ではなく「ー」(U+30FC)"``.

    Compares position by position when the lengths agree; otherwise names both spellings' extra characters.
    """
    if len(written) == len(standard):
        pairs = [(a, b) for a, b in zip(written, standard) if a != b]
        seen, parts = set(), []
        for a, b in pairs:
            if (a, b) in seen:
                continue
            seen.add((a, b))
            parts.append(f"「{a}」(U+{ord(a):04X}) ではなく「{b}」(U+{ord(b):04X})")
        return "、".join(parts)
    return f"「{written}」の文字が標準と一致しません"
