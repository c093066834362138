"""Word vectors for the semantic channel: the chiVe word2vec table shipped in ``ja-ginza``.

The PyPI package ``ja-ginza`` 5.3.0 contains, in ``ja_ginza/ja_ginza-5.3.0/vocab/``, a
table of 20,000 300-dimensional vectors (``vectors``, a ``.npy`` file) and a map from
480,443 words to their rows (``key2row``, a msgpack map of spaCy 64-bit word hashes).
The words are SudachiPy normalised forms, which is what ``faq.normalize`` gives.

Only these two files are read — neither spaCy nor GiNZA is imported, because
``ja-ginza`` pins ``SudachiPy<0.7`` while the project uses 0.7: install it with
``pip install --no-deps ja-ginza==5.3.0``. When it is absent, ``table()`` returns
``None`` and the FAQ falls back to its corpus-trained LSA channel.
"""

from __future__ import annotations

import importlib.util
import struct
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

DIMS = 300
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1
_lock = threading.Lock()


def spacy_hash(word: str) -> int:
    """spaCy's ``hash_string``: MurmurHash64A of the UTF-8 bytes with seed 1."""
    data = word.encode("utf-8")
    n = len(data)
    h = (1 ^ (n * _M)) & _MASK
    end = n - n % 8
    for (k,) in struct.iter_unpack("<Q", data[:end]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[end:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


def _parse_key2row(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(sorted uint64 keys, int32 rows) of spaCy's msgpack ``{uint64: int}`` map."""
    head = raw[0]
    if head == 0xDF:
        count, pos = struct.unpack_from(">I", raw, 1)[0], 5
    elif head == 0xDE:
        count, pos = struct.unpack_from(">H", raw, 1)[0], 3
    else:
        raise ValueError("key2row: not a msgpack map")
    keys = np.empty(count, dtype=np.uint64)
    rows = np.empty(count, dtype=np.int32)
    unpack = struct.unpack_from
    for i in range(count):
        tag = raw[pos]
        if tag == 0xCF:
            keys[i] = unpack(">Q", raw, pos + 1)[0]
            pos += 9
        elif tag < 0x80:
            keys[i] = tag
            pos += 1
        else:
            size = {0xCC: 1, 0xCD: 2, 0xCE: 4}[tag]
            keys[i] = int.from_bytes(raw[pos + 1: pos + 1 + size], "big")
            pos += 1 + size
        tag = raw[pos]
        if tag < 0x80:
            rows[i] = tag
            pos += 1
        else:
            size = {0xCC: 1, 0xCD: 2, 0xCE: 4}[tag]
            rows[i] = int.from_bytes(raw[pos + 1: pos + 1 + size], "big")
            pos += 1 + size
    order = np.argsort(keys)
    return keys[order], rows[order]


class VectorTable:
    """Unit word vectors by word (``vector``), from one ``vocab`` folder."""

    def __init__(self, folder: Path):
        data = np.load(folder / "vectors", allow_pickle=False)
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        norms[norms == 0] = 1
        self.data = (data / norms).astype(np.float32)
        self.keys, self.rows = _parse_key2row((folder / "key2row").read_bytes())
        self.name = folder.parent.name
        self._rows: dict[str, int | None] = {}  # cache of row(); bounded below

    def row(self, word: str) -> int | None:
        """The vector row of *word* (as written, then in katakana), or ``None``."""
        try:
            return self._rows[word]
        except KeyError:
            pass
        found = self._lookup(word)
        if len(self._rows) < 200_000:  # the words of a city's FAQ and its questions: a few 10,000
            self._rows[word] = found
        return found

    def _lookup(self, word: str) -> int | None:
        for form in (word, _hira2kata(word)):
            key = np.uint64(spacy_hash(form))
            i = int(np.searchsorted(self.keys, key))
            if i < len(self.keys) and self.keys[i] == key:
                return int(self.rows[i])
        return None

    def vector(self, word: str) -> np.ndarray | None:
        """The unit vector of *word* or ``None``."""
        r = self.row(word)
        return None if r is None else self.data[r]


def _hira2kata(word: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in word)


def _folder() -> Path | None:
    spec = importlib.util.find_spec("ja_ginza")  # finds the package without importing spaCy
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for vocab in sorted(Path(base).glob("ja_ginza-*/vocab")):
            if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
                return vocab
    return None


@lru_cache(maxsize=1)
def _load() -> VectorTable | None:
    folder = _folder()
    return VectorTable(folder) if folder else None


def table() -> VectorTable | None:
    """The process's vector table (loaded once, ~1 s), or ``None`` when ``ja-ginza`` is not installed."""
    with _lock:
        return _load()
