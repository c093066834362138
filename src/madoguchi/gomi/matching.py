"""Matching what people type against item names of a garbage-sorting dictionary.

People type the same thing many ways: ペットボトル, ぺっとぼとる, ﾍﾟｯﾄﾎﾞﾄﾙ, ペットボト
(cut short), 空き缶 / 空缶 / あきかん, コーヒー / こうひい. Every item name and every
query is turned into *keys* and keys are compared:

* ``fold``: ``madoguchi.text.normalize_for_search`` (NFKC for full/half width,
  katakana → hiragana with jaconv, lower case), then long-vowel marks (ー) are
  dropped, small kana become full size (っ → つ) and everything that is not a
  letter or digit (spaces, ・, brackets) is removed.
* ``reading``: the kana reading of the words, from SudachiPy with the
  sudachidict_core dictionary (空き缶 → アキカン), folded the same way; digits and
  Latin letters are kept as written.

Item names are indexed by their whole name, their name without the parenthesised
qualifier (``ペットボトル（飲料、酒…）`` → ペットボトル), the parts of that name split
at ・、/ and the readings of these, and by the tails of these that start at a word
(乾電池 → 電池). ``Index.scores`` gives 100 for an equal key, 90–99 when a key starts
with the query, 80–89 when a tail does, and up to 79 for a near miss (rapidfuzz
``ratio`` ≥ 76 — one wrong or missing kana in five or six).

``Index.rank`` adds two ways in (issue #13):

* **synonyms** (``Synonyms``, staff-edited ``gomi.models.Synonym`` rows): a query equal to a
  synonym's word is also searched as its target (テレビ for TV), its scores −1 so an item
  named exactly as typed still ranks first;
* **phrases**: the longest known item names (or synonym words) inside a longer query, on
  word boundaries (SudachiPy short units): 「使い終わった乾電池」 → 乾電池, 「壊れた傘の骨」 → 傘
  (and 骨 if an item is called so). Each is searched like a query; its scores are
  multiplied by ``PHRASE_FACTOR`` (an equal name gives 75), −5 for a name shorter than the
  longest one found. The known names are indexed once per ``Index`` (one per dictionary version).
  Not done when the query (or a synonym) already scores ``PHRASE_SKIP_SCORE``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from madoguchi.text import normalize_for_search

#: a result at or above this score answers the query; below it, only candidates are shown
FOUND_MIN_SCORE = 60.0
#: rapidfuzz ratio (0–100) a near miss needs
FUZZY_MIN_RATIO = 76.0
#: scores of an item name found inside a longer query are multiplied by this
PHRASE_FACTOR = 0.75
#: names inside the query are not looked for when it scores this already (equal to or the start of a name)
PHRASE_SKIP_SCORE = 90.0
#: at most this many short units make one name inside a phrase
PHRASE_MAX_UNITS = 8

_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_NOT_WORD = re.compile(r"[\W_]+")
_QUALIFIER = re.compile(r"[（(][^）)]*[）)]")
_PARTS = re.compile(r"[・、，,/／]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]")
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]")

_local = threading.local()


def fold(text: str | None) -> str:
    """The comparison form of *text*: width, kana, case, long vowels, small kana and
    punctuation folded away.

    >>> fold("ﾍﾟｯﾄﾎﾞﾄﾙ") == fold("ぺっとぼとる") == "ぺつとぼとる"
    True
    """
    text = normalize_for_search(text).replace("ー", "").translate(_SMALL_KANA)
    return _NOT_WORD.sub("", text)


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode, dictionary

        # one per thread; mode A (short units) so 乾電池 → 乾 + 電池
        tok = _local.tokenizer = dictionary.Dictionary(dict="core").tokenizer(mode=SplitMode.A)
    return tok


@lru_cache(maxsize=20_000)
def _tokens(text: str) -> tuple[tuple[str, str], ...]:
    """(surface, reading) of the short units (Sudachi mode A) of NFKC *text*."""
    out = []
    for m in _tokenizer().tokenize(text):
        surface, form = m.surface(), m.reading_form()
        out.append((surface, form if _KANJI.search(surface) and form and form != "キゴウ" else surface))
    return tuple(out)


@lru_cache(maxsize=20_000)
def reading(text: str) -> str:
    """Kana reading of *text* (SudachiPy), folded with ``fold``.

    Words with kanji are replaced by their dictionary reading; kana, digits and
    Latin letters are kept as written (Sudachi would read ``30`` as サンレイ and
    brackets as キゴウ). Returns ``""`` for text without Japanese.

    >>> reading("空き缶") == fold("あきかん")
    True
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text or not _JAPANESE.search(text):
        return ""
    return fold("".join(r for _, r in _tokens(text)))


def _suffixes(text: str) -> list[str]:
    """Folded tails of *text* that start at a word boundary (乾電池 → 電池, でんち), so 電池
    finds 乾電池 but スマホ does not find ステンレス魔法瓶 (…ス・マホ… across words)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not _JAPANESE.search(text):
        return []
    tokens = _tokens(text)
    out = []
    for i in range(1, len(tokens)):
        for key in (fold("".join(s for s, _ in tokens[i:])), fold("".join(r for _, r in tokens[i:]))):
            if len(key) >= 2 and key not in out:
                out.append(key)
    return out


@dataclass(frozen=True)
class Keys:
    """``main``: whole name, name without qualifier, its parts, and their readings;
    ``tails``: word-boundary tails of those (see ``_suffixes``)."""

    main: tuple[str, ...]
    tails: tuple[str, ...]
    readings: frozenset[str] = frozenset()  # main keys that are only readings (homophones)


def item_keys(name: str) -> Keys:
    """The keys an item name is found by (see module docstring)."""
    base = _QUALIFIER.sub("", name).strip() or name
    forms = [name, base, *(p for p in _PARTS.split(base) if p.strip())]
    main: list[str] = []
    written = {fold(form) for form in forms}
    for form in forms:
        for key in (fold(form), reading(form)):
            if key and key not in main:
                main.append(key)
    tails = [t for form in forms[1:] for t in _suffixes(form)]
    return Keys(tuple(main), tuple(dict.fromkeys(t for t in tails if t not in main)),
                frozenset(k for k in main if k not in written))


def query_keys(query: str) -> tuple[str, ...]:
    """The keys of what a person typed: its folded form and its reading."""
    keys = []
    for key in (fold(query), reading(query)):
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


class Index:
    """Item keys of one dictionary, searchable by ``scores``.

    Scores (0–100): 100 a main key equals the query; 90–99 a main key starts with
    it (84–93 when that key is only a reading, so 油びん ranks above 便せん for びん);
    80–89 a word-boundary tail starts with it; up to 79 a near miss on a main
    key (rapidfuzz ``ratio`` ≥ ``FUZZY_MIN_RATIO``, whole key or its first
    len(query) characters, the latter −5). The extra points grow with the share of
    the key the query covers, so closer names rank first.
    """

    def __init__(self, keys: list[Keys]):
        self.size = len(keys)
        self.main = [(k, i) for i, ks in enumerate(keys) for k in ks.main]
        self._reading = [k in ks.readings for ks in keys for k in ks.main]
        self.tails = [(k, i) for i, ks in enumerate(keys) for k in ks.tails]
        self._main_keys = [k for k, _ in self.main]
        #: every main key (whole names, parts, readings): the names ``phrase_spans`` looks for
        self.names: frozenset[str] = frozenset(self._main_keys)

    def scores(self, qkeys: tuple[str, ...], *, fuzzy: bool = True) -> list[float]:
        """Best score of each item (by position) for the query keys (without near misses
        when not *fuzzy*)."""
        best = [0.0] * self.size
        for q in qkeys:
            n = len(q)
            for (key, i), is_reading in zip(self.main, self._reading):
                if key == q:
                    best[i] = 100.0
                elif n >= 2 and key.startswith(q):
                    best[i] = max(best[i], 90.0 + 9.0 * n / len(key) - (6.0 if is_reading else 0.0))
            if n >= 2:
                for key, i in self.tails:
                    if key.startswith(q):
                        best[i] = max(best[i], 80.0 + 9.0 * n / len(key))
            if n >= 3 and fuzzy:
                for scorer_keys, penalty in ((self._main_keys, 0.0), ([k[:n] for k in self._main_keys], 5.0)):
                    for _, ratio, pos in process.extract(q, scorer_keys, scorer=fuzz.ratio, limit=None,
                                                         score_cutoff=FUZZY_MIN_RATIO + penalty):
                        i = self.main[pos][1]
                        best[i] = max(best[i], (ratio - penalty) * 0.79)
        return best

    def similarities(self, qkeys: tuple[str, ...]) -> list[float]:
        """Loose similarity (rapidfuzz ``WRatio``, 0–100) of each item, to rank candidates for an unknown item."""
        best = [0.0] * self.size
        for q in qkeys:
            for _, ratio, pos in process.extract(q, self._main_keys, scorer=fuzz.WRatio, limit=None, score_cutoff=1):
                i = self.main[pos][1]
                best[i] = max(best[i], ratio)
        return best


class Synonyms:
    """Everyday words for dictionary words: ``pairs`` of (word, target), e.g. (TV, テレビ).

    A word is found by its folded form and its reading, like a query.
    """

    def __init__(self, pairs=()):
        self.targets: dict[str, list[str]] = {}
        for word, target in pairs:
            for key in query_keys(word):
                found = self.targets.setdefault(key, [])
                if target not in found:
                    found.append(target)

    def __bool__(self) -> bool:
        return bool(self.targets)

    def lookup(self, keys) -> list[str]:
        """Targets of any of *keys* (query keys), in table order, without repeats."""
        out: list[str] = []
        for key in keys:
            out += [t for t in self.targets.get(key, ()) if t not in out]
        return out


NO_SYNONYMS = Synonyms()


def _span_ok(key: str, surface: str) -> bool:
    """A name inside a phrase is at least two letters, or one kanji (傘, 缶)."""
    return len(key) >= 2 or bool(_KANJI.search(surface))


def phrase_spans(query: str, *known) -> list[str]:
    """Longest names inside *query*: runs of whole short units whose folded form or
    reading is in one of the *known* key sets, not the whole query, none inside a longer
    one. Returned as written in the query, longest first, then in query order."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text:
        return []
    tokens = _tokens(text)
    found = []  # (start, end, surface)
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + PHRASE_MAX_UNITS) + 1):
            if i == 0 and j == len(tokens):
                continue
            surface = "".join(t[0] for t in tokens[i:j])
            folded = fold(surface)
            if not folded:
                continue
            keys = (folded, fold("".join(t[1] for t in tokens[i:j])))
            if any(_span_ok(k, surface) and any(k in c for c in known) for k in keys):
                found.append((i, j, surface))
    found.sort(key=lambda f: (-(f[1] - f[0]), -len(f[2]), f[0]))
    kept: list[tuple[int, int, str]] = []
    for i, j, surface in found:
        if not any(a <= i and j <= b for a, b, _ in kept):
            kept.append((i, j, surface))
    kept.sort(key=lambda f: (-len(fold(f[2])), f[0]))
    return list(dict.fromkeys(surface for _, _, surface in kept))


def rank(index: Index, query: str, synonyms: Synonyms = NO_SYNONYMS) -> tuple[list[float], list[str]]:
    """Scores of every item (by position) for *query*, direct, by synonym and by name
    inside a phrase (see module docstring), and for each item how it was found:
    ``""`` (as typed) or the word searched instead (テレビ for 古いテレビの処分 or for TV).
    """
    qkeys = query_keys(query)
    best = index.scores(qkeys)
    via = [""] * index.size

    def merge(scores: list[float], word: str, factor: float = 1.0, minus: float = 0.0) -> None:
        for i, s in enumerate(scores):
            if s > 0:
                s = s * factor - minus
                if s > best[i]:
                    best[i], via[i] = s, word

    for target in synonyms.lookup(qkeys):
        merge(index.scores(query_keys(target)), target, minus=1.0)
    if max(best, default=0.0) >= PHRASE_SKIP_SCORE:
        return best, via  # the query is itself (the start of) a name
    spans = phrase_spans(query, index.names, synonyms.targets)
    for span in spans:
        minus = 0.0 if len(fold(span)) == len(fold(spans[0])) else 5.0
        skeys = query_keys(span)
        words = synonyms.lookup(skeys)
        if any(k in index.names for k in skeys) or not words:
            merge(index.scores(skeys, fuzzy=False), span, PHRASE_FACTOR, minus)
        for target in words:  # near misses (≤ 79) would end below FOUND_MIN_SCORE here
            merge(index.scores(query_keys(target), fuzzy=False), target, PHRASE_FACTOR, minus + 1.0)
    return best, via
