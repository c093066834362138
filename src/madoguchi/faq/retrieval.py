"""The retrieval engine of the inquiry assistant: which FAQ entries answer a question.

Everything runs on CPU from the project's own Q&A; nothing is downloaded.

* **Lexical** — BM25 (``bm25s``, Lucene variant) over the normalised words
  (``faq.normalize.tokens``) of two fields, the question and the answer; the
  question field counts ``QUESTION_WEIGHT`` times the answer field. The score is
  divided by the sum of the query words' IDF (the most any document can reach:
  a Lucene BM25 term score is below its IDF), so it lies in [0, 1) and says
  "what share of the question's information the entry matches".
* **Semantic** — an entry is the IDF-weighted mean of the chiVe word2vec vectors
  (``faq.vectors``, shipped in the PyPI package ``ja-ginza`` 5.3.0) of its
  question plus that of its answer; a question likewise; score = cosine clipped
  to [0, 1]. So 紛失 meets 無くす and 保育園 meets 保育所 without a synonym list.
  Without ``ja-ginza`` the fallback is latent semantic analysis built from the
  Q&A themselves (TF-IDF over words and character bigrams, truncated SVD with
  ``scipy``): it generalises much less (see benchmarks/README.md).
* **Combined** — w × lexical + (1 − w) × semantic, w from ``COMBINED_LEXICAL_WEIGHTS``
  (chosen by 5-fold cross-validation on the evaluation set's dev questions,
  ``benchmarks/faq.py --cv``). The combined score is comparable across questions,
  so one threshold (``DEFAULT_THRESHOLD``) says "I do not know".

Synonyms (``build(..., synonyms={canonical: [variant, …]})``) are applied when
the entries and each question are normalised.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

from . import vectors
from .normalize import Synonyms, clean, tokens

#: how many times the question field counts against the answer field in BM25
QUESTION_WEIGHT = 1.0
ANSWER_WEIGHT = 1.0
BM25_K1 = 1.2
BM25_B = 0.75
#: dimensions of the LSA space (fewer when the FAQ is small)
LSA_DIMS = 200
#: share of the lexical score in the combined score, by semantic backend
#: (5-fold CV on the dev questions, see benchmarks/README.md)
COMBINED_LEXICAL_WEIGHTS = {"chive": 0.7, "lsa": 0.95}
#: subtract the mean entry vector from entries and questions (common-component removal)
CENTRE_VECTORS = True
#: weight of the answer's mean vector against the question's in an entry's vector
SEMANTIC_ANSWER_WEIGHT = 1.0
#: a top hit below this combined score is "not known": offer the hand-off to staff.
#: Chosen with ``benchmarks/faq.py --threshold``: the lowest score where one of the best 3 hits
#: is right for ≥ 80 % of the dev questions above it (85 %; top-1 66 %; 46 % of them answered)
#: and none of 18 off-topic questions reaches it (their highest: 0.35 − ε). Top-1 precision never
#: reaches 80 % on this data at any threshold with more than a handful of questions.
DEFAULT_THRESHOLD = 0.35
#: characters of an answer that are indexed (the rest of a long answer is mostly lists of related
#: links; 1,000 and 3,000 measured the same within noise in CV, 1,000 builds faster)
ANSWER_MAX_CHARS = 1_000
METHODS = ("lexical", "semantic", "combined")
_FORMAT = "madoguchi-faq-index/2"


@dataclass
class Entry:
    """One Q&A entry to index. ``id`` is the caller's key (a primary key or a string)."""

    id: int | str
    question: str
    answer: str = ""
    category: str = ""


@dataclass
class Hit:
    """One search result: the entry's ``id`` and a score in [0, 1] (higher is better)."""

    id: int | str
    score: float


def _bigrams(text: str) -> list[str]:
    """Character bigrams of the letters of NFKC *text* (kana folded), for the semantic channel."""
    from madoguchi.text import normalize_for_search

    s = "".join(ch for ch in normalize_for_search(text) if ch.isalnum())
    return ["#" + s[i: i + 2] for i in range(len(s) - 1)]


class _Bm25Field:
    """BM25 (Lucene) over one field; ``scores`` gives raw scores and the IDF of each query word."""

    def __init__(self, docs: list[list[str]], k1: float = BM25_K1, b: float = BM25_B):
        import bm25s

        self.n = len(docs)
        self.df = Counter(w for d in docs for w in set(d))
        self.model = None
        self.vocab: dict = {}
        if any(docs):
            self.model = bm25s.BM25(k1=k1, b=b, method="lucene")
            self.model.index([d or [""] for d in docs], show_progress=False)
            self.vocab = self.model.vocab_dict

    def idf(self, word: str) -> float:
        df = self.df.get(word, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, words: list[str]) -> np.ndarray:
        known = [w for w in words if w in self.vocab and w]
        if not known or self.model is None:
            return np.zeros(self.n, dtype=np.float32)
        return self.model.get_scores(known)


class FaqIndex:
    """A searchable FAQ. Build with ``FaqIndex.build(entries)``; cache with ``dumps``/``loads``.

    Thread-safe for ``search`` (read-only after build).
    """

    def __init__(self, entries: list[Entry], q_tokens: list[list[str]], a_tokens: list[list[str]],
                 synonyms: Synonyms, backend: str, terms: dict[str, int], idf: np.ndarray,
                 projection: np.ndarray, doc_vectors: np.ndarray):
        self.entries = entries
        self.synonyms = synonyms
        self._q_tokens = q_tokens
        self._a_tokens = a_tokens
        self._question = _Bm25Field(q_tokens)
        self._answer = _Bm25Field(a_tokens)
        self.backend = backend  # "chive" (ja-ginza word vectors) or "lsa"
        self.lexical_weight = COMBINED_LEXICAL_WEIGHTS[backend]
        self._table = vectors.table() if backend == "chive" else None
        if backend == "chive" and self._table is None:
            raise ValueError("this index needs the ja-ginza word vectors (pip install --no-deps ja-ginza==5.3.0)")
        self._n_fields = 2 * len(entries)
        self._df = Counter(w for d in q_tokens for w in set(d)) + Counter(w for d in a_tokens for w in set(d))
        self._mean = np.zeros(vectors.DIMS, dtype=np.float32)  # mean entry vector (chive), set by _entry_vectors
        self._terms = terms  # LSA term → column
        self._idf = idf  # LSA term weights
        self._projection = projection  # terms × dims (V_k)
        self._doc_vectors = doc_vectors  # entries × dims, unit length

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, entries: Iterable[Entry], *, synonyms: Mapping[str, Iterable[str]] | None = None,
              backend: str | None = None) -> FaqIndex:
        """Index *entries* (4 s for 1,786 entries on a quiet core, 9 s on a busy one; mostly SudachiPy).

        ``synonyms`` maps a canonical word to its variants (``{"ごみ": ["ゴミ", "廃棄物"]}``);
        they are normalised like the text. ``backend`` (``"chive"`` or ``"lsa"``) is the
        semantic channel; by default chiVe when ``ja-ginza`` is installed. Raises
        ``ValueError`` for duplicate ids.
        """
        entries = list(entries)
        ids = [e.id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate entry ids")
        table = Synonyms(synonyms)
        q_tokens = [tokens(e.question, synonyms=table) for e in entries]
        a_tokens = [tokens(e.answer[:ANSWER_MAX_CHARS], synonyms=table, limit=ANSWER_MAX_CHARS) for e in entries]
        if backend is None:
            backend = "chive" if vectors.table() is not None else "lsa"
        if backend == "lsa":
            terms, idf, projection, doc_vectors = _lsa(
                [_lsa_features(q, a, e) for q, a, e in zip(q_tokens, a_tokens, entries)])
        elif backend == "chive":
            terms, idf, projection = {}, np.zeros(0, np.float32), np.zeros((0, 0), np.float32)
            doc_vectors = np.zeros((0, vectors.DIMS), np.float32)
        else:
            raise ValueError("backend must be 'chive' or 'lsa'")
        index = cls(entries, q_tokens, a_tokens, table, backend, terms, idf, projection, doc_vectors)
        if backend == "chive":
            index._doc_vectors = index._entry_vectors()
        return index

    def _embed(self, words: list[str]) -> np.ndarray:
        """IDF-weighted sum of the unit vectors of *words*, scaled to unit length (zeros if none known)."""
        out = np.zeros(vectors.DIMS, dtype=np.float32)
        n = max(self._n_fields, 1)
        for w in words:
            v = self._table.vector(w)
            if v is not None:
                out += math.log((n + 1) / (1 + self._df.get(w, 0))) * v
        norm = np.linalg.norm(out)
        return out / norm if norm > 0 else out

    def _entry_vectors(self) -> np.ndarray:
        if not self.entries:
            return np.zeros((0, vectors.DIMS), dtype=np.float32)
        docs = np.stack([self._embed(q) + SEMANTIC_ANSWER_WEIGHT * self._embed(a)
                         for q, a in zip(self._q_tokens, self._a_tokens)])
        docs = _unit_rows(docs)
        if CENTRE_VECTORS:
            # the direction every entry shares carries no information: take it out (as in SIF)
            self._mean = docs.mean(axis=0).astype(np.float32)
            docs = _unit_rows(docs - self._mean)
        return docs.astype(np.float32)

    # ---- searching ------------------------------------------------------------------------
    def query_tokens(self, query: str) -> list[str]:
        """The normalised words of *query* (synonyms applied) that search uses."""
        return tokens(query, synonyms=self.synonyms)

    def _word_bound(self, word: str) -> float:
        """The most one word can add to the raw lexical score: its IDF in each field that has it.

        A word no entry has counts with the IDF of an unseen word in the question field,
        so questions about things the FAQ does not know score low.
        """
        q, a = word in self._question.df, word in self._answer.df
        if not (q or a):
            return QUESTION_WEIGHT * self._question.idf(word)
        return q * QUESTION_WEIGHT * self._question.idf(word) + a * ANSWER_WEIGHT * self._answer.idf(word)

    def lexical_scores(self, words: list[str]) -> np.ndarray:
        """BM25 of every entry for *words*, divided by the words' IDF sum: [0, 1)."""
        if not words or not self.entries:
            return np.zeros(len(self.entries), dtype=np.float32)
        raw = QUESTION_WEIGHT * self._question.scores(words) + ANSWER_WEIGHT * self._answer.scores(words)
        bound = sum(self._word_bound(w) for w in words)
        return (raw / bound).astype(np.float32) if bound > 0 else np.zeros(len(self.entries), dtype=np.float32)

    def semantic_scores(self, words: list[str], query: str) -> np.ndarray:
        """Cosine (clipped to [0, 1]) of *query* and every entry (word vectors or LSA)."""
        if self.backend == "chive":
            if not self.entries:
                return np.zeros(0, dtype=np.float32)
            query = self._embed(words)
            if not query.any():
                return np.zeros(len(self.entries), dtype=np.float32)
            if CENTRE_VECTORS:
                query = query - self._mean
                query /= np.linalg.norm(query) or 1.0
            return np.clip(_matvec(self._doc_vectors, query), 0.0, 1.0).astype(np.float32)
        if not self.entries or self._projection.size == 0:
            return np.zeros(len(self.entries), dtype=np.float32)
        vec = self._query_vector(_lsa_features(words, [], None, query))
        if vec is None:
            return np.zeros(len(self.entries), dtype=np.float32)
        return np.clip(_matvec(self._doc_vectors, vec), 0.0, 1.0).astype(np.float32)

    def _query_vector(self, features: Counter) -> np.ndarray | None:
        cols, vals = [], []
        for term, count in features.items():
            col = self._terms.get(term)
            if col is not None:
                cols.append(col)
                vals.append((1 + math.log(count)) * self._idf[col])
        if not cols:
            return None
        vals = np.asarray(vals, dtype=np.float32)
        vals /= np.linalg.norm(vals)
        vec = np.einsum("i,ij->j", vals, self._projection[cols])
        norm = np.linalg.norm(vec)
        return vec / norm if norm > 0 else None

    def scores(self, query: str, *, method: str = "combined") -> np.ndarray:
        """The score of every entry (in ``entries`` order) for *query* with *method*."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        query = clean(query)
        words = self.query_tokens(query)
        if not words or not self.entries:
            return np.zeros(len(self.entries), dtype=np.float32)
        if method == "lexical":
            return self.lexical_scores(words)
        if method == "semantic":
            return self.semantic_scores(words, query)
        w = self.lexical_weight
        return w * self.lexical_scores(words) + (1 - w) * self.semantic_scores(words, query)

    def search(self, query: str, k: int = 5, *, method: str = "combined") -> list[Hit]:
        """The *k* best entries for *query*, best first, as ``Hit(id, score)``.

        ``score`` is in [0, 1] and comparable across questions: compare the first
        hit's score with ``DEFAULT_THRESHOLD`` to decide whether the FAQ knows the
        answer. Entries with score 0 are left out, so an empty, emoji-only or
        unrelated question gives ``[]`` or low scores. ``method`` is ``"lexical"``,
        ``"semantic"`` or ``"combined"`` (``ValueError`` otherwise).
        """
        scores = self.scores(query, method=method)
        if k <= 0 or not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]
        return [Hit(self.entries[i].id, round(float(min(1.0, scores[i])), 6)) for i in top if scores[i] > 0]

    # ---- caching --------------------------------------------------------------------------
    def dumps(self) -> bytes:
        """The index as bytes (a zip of JSON and ``.npy``; no pickle) for ``loads``."""
        meta = {"format": _FORMAT, "entries": [asdict(e) for e in self.entries],
                "synonyms": self.synonyms.mapping, "backend": self.backend, "q_tokens": self._q_tokens, "a_tokens": self._a_tokens,
                "terms": list(self._terms)}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False))
            for name, arr in (("idf", self._idf), ("projection", self._projection), ("docs", self._doc_vectors),
                              ("mean", self._mean)):
                out = io.BytesIO()
                np.save(out, arr, allow_pickle=False)
                zf.writestr(f"{name}.npy", out.getvalue())
        return buf.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> FaqIndex:
        """An index from ``dumps`` bytes (raises ``ValueError`` for anything else)."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                meta = json.loads(zf.read("meta.json"))
                arrays = {n: np.load(io.BytesIO(zf.read(f"{n}.npy")), allow_pickle=False)
                          for n in ("idf", "projection", "docs", "mean")}
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, OSError) as exc:
            raise ValueError(f"not a FAQ index: {exc}") from exc
        if meta.get("format") != _FORMAT:
            raise ValueError("not a FAQ index of this version")
        entries = [Entry(**e) for e in meta["entries"]]
        terms = {t: i for i, t in enumerate(meta["terms"])}
        index = cls(entries, meta["q_tokens"], meta["a_tokens"], Synonyms(meta["synonyms"]), meta["backend"], terms,
                    arrays["idf"], arrays["projection"], arrays["docs"])
        index._mean = arrays["mean"]
        return index

    def save(self, path) -> None:
        """Write ``dumps()`` to *path*."""
        with open(path, "wb") as fh:
            fh.write(self.dumps())

    @classmethod
    def load(cls, path) -> FaqIndex:
        """Read an index written by ``save``."""
        with open(path, "rb") as fh:
            return cls.loads(fh.read())


def _matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` without BLAS threads: on a busy 2-core machine a threaded BLAS
    call takes 0.01 ms at the median but 25-40 ms at p95 (threads waiting for a core);
    einsum's single-threaded loop takes 0.07-0.13 ms for 2,000 × 300."""
    return np.einsum("ij,j->i", matrix, vector.astype(matrix.dtype, copy=False))


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    lengths[lengths == 0] = 1
    return matrix / lengths


def _lsa_features(q_words: list[str], a_words: list[str], entry: Entry | None, text: str = "") -> Counter:
    """Terms of one text for the LSA channel: words (question words twice) and character bigrams."""
    feats = Counter()
    for w in q_words:
        feats[w] += 2
    for w in a_words:
        feats[w] += 1
    feats.update(_bigrams(entry.question if entry is not None else text))
    return feats


def _lsa(docs: list[Counter]) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
    """Fit TF-IDF (sublinear tf, smooth idf, terms in ≥ 2 documents) + truncated SVD to *docs*.

    Returns (term → column, idf per term, projection terms × dims, unit document vectors).
    """
    n = len(docs)
    df = Counter(t for d in docs for t in d)
    terms = {t: i for i, t in enumerate(sorted(t for t, c in df.items() if c >= 2 or n < 50))}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in terms], dtype=np.float32)
    rows, cols, vals = [], [], []
    for r, d in enumerate(docs):
        for t, c in d.items():
            col = terms.get(t)
            if col is not None:
                rows.append(r)
                cols.append(col)
                vals.append((1 + math.log(c)) * idf[col])
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(terms)), dtype=np.float32)
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel()
    norms[norms == 0] = 1
    matrix = sparse.diags(1 / norms) @ matrix
    dims = min(LSA_DIMS, n - 1, len(terms) - 1)
    if dims < 1:
        return terms, idf, np.zeros((len(terms), 0), dtype=np.float32), np.zeros((n, 0), dtype=np.float32)
    u, s, vt = svds(matrix.astype(np.float64), k=dims, random_state=0)
    projection = vt.T.astype(np.float32)  # query tf-idf → LSA space
    docs_vec = (u * s).astype(np.float32)
    lengths = np.linalg.norm(docs_vec, axis=1, keepdims=True)
    lengths[lengths == 0] = 1
    return terms, idf, projection, docs_vec / lengths
