"""The Japanese normaliser of the FAQ: text → content words in one written form.

People write the same word many ways: ｺﾞﾐ / ゴミ / ごみ (width, kana), 申込 / 申込み /
申し込み (送り仮名), 引越 / 引っ越し (表記ゆれ), 失くした / 無くす (inflection). Every
FAQ entry and every question goes through ``tokens``:

1. ``madoguchi.text.normalize_for_search`` is *not* used on the input, because
   SudachiPy needs the katakana and kanji as written to find the words; only
   NFKC is applied first (full/half width), and HTML tags and control characters
   are removed.
2. SudachiPy (``sudachidict_core``) splits the text — mode C (long units such as
   住民票, マイナンバーカード) and, for compounds, also their mode A parts
   (住民 + 票) so that a question with 住民 alone still meets 住民票.
3. Each word becomes its ``normalized_form`` (申込み → 申し込み, 失くし → 無くす) and is
   then folded with ``madoguchi.text.normalize_for_search`` (katakana → hiragana,
   lower case): ゴミ and ごみ become ごみ.
4. Particles, auxiliaries, symbols, blanks and the light verbs and nouns that
   every question has (する, ある, いる, なる, こと, もの, これ …: pronouns,
   dependent nouns and a short list of light verbs) are dropped.

Synonyms (``Synonyms``) map staff-chosen variant words to one canonical word;
the index and the questions are normalised with the same table.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping

from madoguchi.text import normalize_for_search

MAX_INPUT_CHARS = 2_000  # a question longer than this is cut (SudachiPy's time grows with length)

_TAGS = re.compile(r"<[^>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORDY = re.compile(r"[0-9a-z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]")
_DROP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}
# words every question has: pronouns, dependent nouns (こと, もの, ため) and the light verbs
_LIGHT_VERBS = {"為る", "居る", "有る", "成る", "仕舞う", "出来る", "下さる", "頂く", "貰う", "呉れる", "御座る",
                "致す", "為さる", "思う", "言う", "良い", "無い"}

_local = threading.local()


def _tokenizers():
    """(mode C, mode A) SudachiPy tokenizers of this thread (a tokenizer is not thread-safe)."""
    toks = getattr(_local, "toks", None)
    if toks is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        toks = _local.toks = (dictionary.tokenizer(mode=SplitMode.C), dictionary.tokenizer(mode=SplitMode.A))
    return toks


def clean(text: str | None, limit: int = MAX_INPUT_CHARS) -> str:
    """NFKC *text* without HTML tags and control characters, cut to *limit* characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)[: limit * 2])
    text = _CONTROL.sub(" ", _TAGS.sub(" ", text))
    return text[:limit]


def _fold(form: str) -> str:
    return normalize_for_search(form).replace(" ", "")


def _keep(morpheme) -> bool:
    pos = morpheme.part_of_speech()
    if pos[0] in _DROP_POS or pos[1] == "代名詞" or (pos[0] == "名詞" and pos[2] == "非自立可能"):
        return False
    return morpheme.normalized_form() not in _LIGHT_VERBS


def _words(text: str | None, limit: int) -> list[tuple[str, tuple[str, ...]]]:
    """(normalised mode C word, its normalised mode A parts when it is a compound) of *text*."""
    text = clean(text, limit)
    if not _WORDY.search(text.lower()):
        return []
    mode_c, mode_a = _tokenizers()
    out: list[tuple[str, tuple[str, ...]]] = []
    for morpheme in mode_c.tokenize(text):
        if not _keep(morpheme):
            continue
        word = _fold(morpheme.normalized_form())
        if not word or not _WORDY.search(word):
            continue
        parts: list[str] = []
        if len(morpheme.surface()) > 2:
            split = mode_a.tokenize(morpheme.surface())
            if len(split) > 1:
                for part in split:
                    sub = _fold(part.normalized_form())
                    if _keep(part) and sub and sub != word and _WORDY.search(sub):
                        parts.append(sub)
        out.append((word, tuple(parts)))
    return out


def tokens(text: str | None, *, split: bool = True, synonyms: Synonyms | None = None,
           limit: int = MAX_INPUT_CHARS) -> list[str]:
    """Content words of *text*, normalised (see module docstring), in text order.

    With ``split`` the mode A parts of a compound follow the compound
    (住民票 → 住民票, 住民, 票). With ``synonyms`` every variant is replaced by its
    canonical word first. Never raises for odd input: empty, emoji-only or
    symbol-only text gives ``[]``.

    >>> tokens("申込み") == tokens("申し込み") == tokens("申込")
    True
    """
    words = _words(text, limit)
    if synonyms:
        words = synonyms.apply_words(words)
    out: list[str] = []
    for word, parts in words:
        out.append(word)
        if split:
            out.extend(parts)
    return out


def normalize(text: str | None) -> str:
    """The one normalised form of *text*: its content words (``tokens`` without
    compound parts) joined by single spaces.

    Width, kana and 送り仮名 variants give the same string:

    >>> normalize("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの申込") == normalize("マイナンバーカードの申し込み")
    True
    """
    return " ".join(tokens(text, split=False))


class Synonyms:
    """Staff-editable synonyms: ``{canonical word: [variant, …]}``.

    Every variant (and the canonical word) is normalised with ``tokens``; a
    variant of several words (粗大 ごみ) is matched as a sequence. ``apply``
    replaces each variant in a token list by the canonical word's tokens, so an
    index built and a question asked with the same table meet on one word.
    Empty or unknown words are ignored.
    """

    def __init__(self, mapping: Mapping[str, Iterable[str]] | None = None):
        self.mapping = {str(k): [str(v) for v in vs] for k, vs in (mapping or {}).items()}
        self._rules: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for canonical, variants in self.mapping.items():
            target = tuple(tokens(canonical, split=False))
            if not target:
                continue
            for variant in variants:
                seq = tuple(tokens(variant, split=False))
                if seq and seq != target:
                    self._rules.setdefault(seq[0], []).append((seq, target))
        for rules in self._rules.values():
            rules.sort(key=lambda r: -len(r[0]))  # longest variant first

    def __bool__(self) -> bool:
        return bool(self._rules)

    def apply_words(self, words: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, tuple[str, ...]]]:
        """*words* (as ``_words`` gives them) with every variant sequence replaced by its canonical words."""
        if not self._rules:
            return words
        out: list[tuple[str, tuple[str, ...]]] = []
        i = 0
        while i < len(words):
            for seq, target in self._rules.get(words[i][0], ()):
                if tuple(w for w, _ in words[i: i + len(seq)]) == seq:
                    out.extend((t, ()) for t in target)
                    i += len(seq)
                    break
            else:
                out.append(words[i])
                i += 1
        return out
