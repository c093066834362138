"""Benchmark of the FAQ retrieval engine (``madoguchi.faq.retrieval``) on LocalgovFAQ.

    .venv/bin/python benchmarks/faq.py [--corpus FILE --queries FILE --qrels FILE] [--cv] [--threshold]

Defaults: ``../shared/data/eval/localgovfaq-dev/{corpus,queries,qrels}.json`` (measuring
only: the data is never copied into the project). Prints, for the lexical, semantic and
combined methods, SR@1/3/5, MRR, MAP (level ≥ 1 is relevant) and the p50/p95 latency of
one ``search`` call, and the index build time. ``--cv`` runs 5-fold cross-validation of
the combined method's lexical weight; ``--threshold`` prints top-1 precision by score.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_DIR = ROOT.parent / "shared" / "data" / "eval" / "localgovfaq-dev"

_QA = re.compile(r"\AQuestion:\s*(.*?)\nAnswer:\s*(.*)\Z", re.DOTALL)


def parse_entries(corpus: dict):
    """``{id: "Question: …\\nAnswer: …"}`` → ``Entry`` list."""
    from madoguchi.faq.retrieval import Entry

    out = []
    for key, text in corpus.items():
        m = _QA.match(text)
        q, a = (m.group(1), m.group(2)) if m else (text, "")
        out.append(Entry(id=key, question=q.strip(), answer=a.strip()))
    return out


def metrics(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """SR@1/3/5, MRR and MAP of ranked id lists (relevance level ≥ 1 counts)."""
    sr = {1: 0, 3: 0, 5: 0}
    rr, ap = [], []
    for qid, ranked in rankings.items():
        relevant = {d for d, level in qrels.get(qid, {}).items() if level >= 1}
        first = next((i for i, d in enumerate(ranked) if d in relevant), None)
        for k in sr:
            sr[k] += first is not None and first < k
        rr.append(0.0 if first is None else 1 / (first + 1))
        found, precisions = 0, []
        for i, d in enumerate(ranked):
            if d in relevant:
                found += 1
                precisions.append(found / (i + 1))
        ap.append(sum(precisions) / len(relevant) if relevant else 0.0)
    n = len(rankings) or 1
    return {"SR@1": sr[1] / n, "SR@3": sr[3] / n, "SR@5": sr[5] / n, "MRR": sum(rr) / n, "MAP": sum(ap) / n}


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def cross_validate(index, queries: dict, qrels: dict, folds: int = 5) -> None:
    """Choose the combined method's lexical weight on 4 folds, measure on the 5th; print the mean."""
    import numpy as np

    ids = [e.id for e in index.entries]
    qids = sorted(queries, key=lambda q: int(q) if q.isdigit() else q)
    cache = {}
    for qid in qids:
        words = index.query_tokens(queries[qid])
        cache[qid] = (index.lexical_scores(words), index.semantic_scores(words, queries[qid]))
    grid = [round(x * 0.05, 2) for x in range(21)]

    def run(weight, subset):
        rankings = {}
        for qid in subset:
            lex, sem = cache[qid]
            s = weight * lex + (1 - weight) * sem
            rankings[qid] = [ids[i] for i in np.argsort(-s, kind="stable")[:100]]
        return metrics(rankings, qrels)

    chosen, outer = [], []
    for f in range(folds):
        test = qids[f::folds]
        train = [q for q in qids if q not in set(test)]
        best = max(grid, key=lambda w: (run(w, train)["MRR"], -abs(w - 0.5)))
        chosen.append(best)
        outer.append(run(best, test))
    mean = {k: statistics.mean(m[k] for m in outer) for k in outer[0]}
    print(f"5-fold CV of the lexical weight: chosen per fold {chosen} (default {index.lexical_weight})")
    print("  CV (held-out folds): " + "  ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    full = {w: run(w, qids) for w in grid}
    print("  in-sample by weight: " + "  ".join(f"{w}:{full[w]['MRR']:.3f}" for w in grid))


#: questions no city FAQ answers (written for this benchmark): how often would they get an answer?
OFF_TOPIC = [
    "今日の天気はどうですか", "おいしいラーメン屋を教えて", "宇宙人と友達になる方法", "好きな映画は何ですか",
    "株価の予想を教えて", "恋人と仲直りしたい", "パソコンが起動しない", "猫が毛玉を吐く", "サッカーのルール",
    "カレーの作り方を知りたい", "英語の発音を上達させたい", "宝くじに当たる方法", "ピアノの練習のこつ",
    "量子コンピューターとは何ですか", "ダイエットに効く運動", "hello world", "あいうえお", "テスト",
]


def threshold_table(index, queries: dict, qrels: dict) -> None:
    """Per score threshold of the combined method: dev questions answered, top-1 and top-3
    precision among them, and the share of ``OFF_TOPIC`` questions that would get an answer."""
    rows = []
    for qid, text in queries.items():
        hits = index.search(text, 3)
        relevant = {d for d, level in qrels.get(qid, {}).items() if level >= 1}
        rows.append((hits[0].score if hits else 0.0, bool(hits) and hits[0].id in relevant,
                     any(h.id in relevant for h in hits)))
    off = [(index.search(text, 1) or [None])[0] for text in OFF_TOPIC]
    off_scores = [h.score if h else 0.0 for h in off]
    print(f"off-topic questions: max score {max(off_scores):.3f}, median {statistics.median(off_scores):.3f}")
    print("threshold  answered  top-1 prec  top-3 prec  off-topic answered")
    for t in [x / 100 for x in range(20, 75, 5)]:
        kept = [(ok1, ok3) for s, ok1, ok3 in rows if s >= t]
        p1 = sum(k[0] for k in kept) / len(kept) if kept else float("nan")
        p3 = sum(k[1] for k in kept) / len(kept) if kept else float("nan")
        off_rate = sum(s >= t for s in off_scores) / len(off_scores)
        print(f"  {t:.2f}    {len(kept) / len(rows):7.1%}   {p1:9.3f}  {p3:10.3f}  {off_rate:12.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR / "corpus.json")
    parser.add_argument("--queries", type=Path, default=DEFAULT_DIR / "queries.json")
    parser.add_argument("--qrels", type=Path, default=DEFAULT_DIR / "qrels.json")
    parser.add_argument("--cv", action="store_true", help="5-fold CV of the combined method's weight")
    parser.add_argument("--threshold", action="store_true", help="top-1 precision by score threshold")
    parser.add_argument("--backend", choices=["chive", "lsa"], help="semantic channel (default: chive if installed)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (args.corpus, args.queries, args.qrels) if not p.is_file()]
    if missing:
        print("evaluation data not found: " + ", ".join(missing) + "\n(give --corpus/--queries/--qrels)",
              file=sys.stderr)
        return 2
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    qrels = json.loads(args.qrels.read_text(encoding="utf-8"))

    from madoguchi.faq import retrieval

    entries = parse_entries(corpus)
    retrieval.FaqIndex.build(entries[:5], backend=args.backend)  # load SudachiPy, bm25s, vectors untimed
    t0 = time.perf_counter()
    index = retrieval.FaqIndex.build(entries, backend=args.backend)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    blob = index.dumps()
    dump_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    retrieval.FaqIndex.loads(blob)
    load_s = time.perf_counter() - t0
    print(f"{len(entries)} entries, {len(queries)} questions; semantic backend {index.backend}; build {build_s:.1f} s; "
          f"dumps {dump_s:.2f} s ({len(blob) / 1e6:.1f} MB), loads {load_s:.2f} s")
    print(f"{'method':9} {'SR@1':>6} {'SR@3':>6} {'SR@5':>6} {'MRR':>6} {'MAP':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for method in retrieval.METHODS:
        rankings, times = {}, []
        for qid, text in queries.items():
            t0 = time.perf_counter()
            hits = index.search(text, 100, method=method)
            times.append((time.perf_counter() - t0) * 1000)
            rankings[qid] = [h.id for h in hits]
        m = metrics(rankings, qrels)
        print(f"{method:9} {m['SR@1']:6.3f} {m['SR@3']:6.3f} {m['SR@5']:6.3f} {m['MRR']:6.3f} {m['MAP']:6.3f} "
              f"{_percentile(times, 50):7.1f} {_percentile(times, 95):7.1f}")
    print("published (fine-tuned BERT, GPU): SR@1 0.486, SR@3 0.668, SR@5 0.737, MRR 0.596, MAP 0.550")
    if args.cv:
        cross_validate(index, queries, qrels)
    if args.threshold:
        threshold_table(index, queries, qrels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
