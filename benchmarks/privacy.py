"""Benchmark of the privacy gate's ``personal_name`` detector (issue #13 part 5): precision, recall, speed.

Labelled columns:

* every string column of every bundled file (``src/madoguchi/bundle/files``), labelled in
  ``benchmarks/privacy_data/bundle_labels.toml`` (persons / mixed, or the kind of a negative column);
* synthetic columns made with a fixed seed from the lists in ``benchmarks/privacy_data/``: persons
  (「姓　名」, 「姓 名」, 「姓名」), companies (株式会社…, …㈱, 〇〇産業 …), facilities, shop names (屋号),
  place names, and mixed columns of companies with persons at several shares; each in a table with an
  address column (the detector's context), as a permit list is.

Column level: a column is positive when it names at least one private person; predicted positive when
``privacy.services.scan_table`` returns a ``personal_name`` finding for it. Value level (mixed columns):
the person values ``detectors.find_person_names`` returns vs the generated persons. Speed: extra time of
``scan_table`` on a 100,000-row permit list with the name rule on (an address column) vs off.

Usage::

    .venv/bin/python benchmarks/privacy.py             # everything (~20 s)
    .venv/bin/python benchmarks/privacy.py --rows 20000 --no-bundle
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
import tomllib
import warnings
from collections import defaultdict
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "privacy_data"
BUNDLE = ROOT / "src" / "madoguchi" / "bundle" / "files"
SEED = 20261205
SHARES = (0.01, 0.02, 0.03, 0.05, 0.10, 0.20, 0.30, 0.50)
PER_SHARE = 8  # synthetic mixed columns per share
DISTINCT = 200  # distinct values per synthetic column
SPACE = ("\u3000", " ")


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- synthetic values


class Maker:
    """Values of each kind, deterministic for a seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sei, self.mei, self.stems, self.places = (_lines(n) for n in ("sei.txt", "mei.txt", "stems.txt",
                                                                              "places.txt"))
        self.rare = [line.split() for line in _lines("rare_names.txt")]

    def person(self) -> str:
        r = self.rng
        sep = r.choice([*SPACE, "\u3000", ""])  # mostly full-width, as permit lists write them
        return f"{r.choice(self.sei)}{sep}{r.choice(self.mei)}"

    def rare_person(self) -> tuple[str, str]:
        family, given, kfamily, kgiven = self.rng.choice(self.rare)
        return f"{family}\u3000{given}", f"{kfamily}\u3000{kgiven}"

    def company(self) -> str:
        r = self.rng
        stem = r.choice(self.stems + [f"{s}{i}" for s in self.sei[:20] for i in ("", "屋")])
        industry = r.choice(["産業", "建設", "商事", "物産", "水産", "食品", "工業", "フーズ", "企画", "興業"])
        return r.choice([f"株式会社{stem}", f"{stem}株式会社", f"有限会社{stem}{industry}", f"{stem}{industry}㈱",
                         f"㈲{stem}", f"(株){stem}", f"合同会社{stem}", f"{r.choice(self.sei)}{industry}株式会社",
                         f"{r.choice(self.sei)}{industry}", f"医療法人{stem}会", f"社会福祉法人{stem}福祉会",
                         f"{stem}{industry}協同組合", f"一般社団法人{stem}協会", f"{stem}(株)"])

    def facility(self) -> str:
        r = self.rng
        place = r.choice(self.places + self.stems[6:20])
        kind = r.choice(["公民館", "小学校", "中学校", "保育園", "こども園", "児童館", "図書館", "公園", "集会所",
                         "体育館", "交流センター", "神社", "避難所", "浄水場", "消防団詰所", "地区センター",
                         "老人福祉センター", "病院", "医院", "クリニック", "薬局", "郵便局", "駅", "漁港",
                         "市民プール", "寺"])
        return r.choice([f"{place}{kind}", f"焼津市立{place}{kind}", f"{place} {kind}", f"{place}第{r.randint(1, 9)}{kind}"])

    def shop(self) -> str:
        r = self.rng
        return r.choice([f"割烹 {r.choice(self.sei)}", f"居酒屋 {r.choice(self.mei)}", f"{r.choice(self.sei)}鮨",
                         f"スナック {r.choice(self.mei)}", f"{r.choice(self.sei)}食堂", f"喫茶 {r.choice(self.stems)}",
                         f"{r.choice(self.stems)}\u3000{r.choice(self.places)}店", f"中華そば {r.choice(self.sei)}",
                         f"{r.choice(self.sei)}商店", f"{r.choice(self.places)}の湯", f"カフェ {r.choice(self.stems)}",
                         f"小料理 {r.choice(self.mei)}", f"{r.choice(self.sei)}屋"])

    def place(self) -> str:
        r = self.rng
        p = r.choice(self.places)
        return r.choice([p, f"{p}{r.randint(1, 5)}丁目", f"大字{p}", f"{p}町", f"焼津市{p}", f"{p}地区",
                         f"{p}自治会", f"大字 {p}"])

    def address(self) -> str:
        r = self.rng
        flat = r.choice(["", "", f" {r.choice(self.stems)}ハイツ{r.randint(1, 3)}0{r.randint(1, 9)}号"])
        return f"焼津市{r.choice(self.places)}{r.randint(1, 3000)}-{r.randint(1, 30)}{flat}"

    def distinct(self, make, n: int) -> list:
        out, seen = [], set()
        for _ in range(n * 50):
            v = make()
            key = v[0] if isinstance(v, tuple) else v
            if key not in seen:
                seen.add(key)
                out.append(v)
                if len(out) == n:
                    break
        return out


# --------------------------------------------------------------------------- tables and scoring


def _typed(header: list[str], rows: list[list]):
    from madoguchi.datastore.reading.base import RawTable
    from madoguchi.datastore.services import type_table

    raw = RawTable(header=header, rows=rows, row_numbers=range(2, len(rows) + 2), source_names=list(header))
    return type_table(raw)


def _flagged(typed) -> set[str]:
    from madoguchi.privacy import services

    return {f["column"] for f in services.scan_table(typed) if f["kind"] == "personal_name"}


class Score:
    """Column-level counts per kind, value-level counts, and each column's (truth, persons, distinct values)."""

    def __init__(self):
        self.raw: list[tuple[str, bool, int, int]] = []  # (kind, truth, person values, distinct values)
        self.cols = defaultdict(lambda: [0, 0, 0, 0])  # kind → [columns, positives, tp, fp]
        self.values = defaultdict(lambda: [0, 0, 0])  # kind → [true persons, found, found ∩ true]

    def column(self, kind: str, truth: bool, flagged: bool):
        c = self.cols[kind]
        c[0] += 1
        c[1] += truth
        c[2] += truth and flagged
        c[3] += flagged and not truth

    def counts(self, kind: str, truth: bool, values: list, readings: dict[int, str] | None = None):
        """Person values among the distinct ``values`` (every value classified, no column rule) for the sweep."""
        from madoguchi.privacy import detectors

        present = [(i, v) for i, v in enumerate(values) if isinstance(v, str) and v.strip()]
        n = sum(detectors.classify_name(v) == "person" or (detectors.classify_name(v) == "candidate" and
                                                            detectors.is_reading((readings or {}).get(i)))
                for i, v in present)
        self.raw.append((kind, truth, n, len(present)))

    def value(self, kind: str, truth: set, found: set):
        v = self.values[kind]
        v[0] += len(truth)
        v[1] += len(found)
        v[2] += len(truth & found)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "—"


def _value_hits(values: list[str], readings: dict[int, str] | None = None) -> set[str]:
    from madoguchi.privacy import detectors

    hits, _ = detectors.find_person_names(values, readings=readings)
    return {values[i] for i in hits}


def run_synthetic(score: Score, seed: int) -> None:
    m = Maker(seed)
    pure = {"person": m.person, "company": m.company, "facility": m.facility, "shop (屋号)": m.shop,
            "place": m.place}
    for kind, make in pure.items():
        for _ in range(PER_SHARE):
            values = m.distinct(make, DISTINCT)
            rows = [[v, m.address()] for v in values]
            score.column(kind, kind == "person", "営業者名" in _flagged(_typed(["営業者名", "所在地"], rows)))
            score.counts(kind, kind == "person", values)
    for share in SHARES:
        kind = f"mixed {share:.0%} persons"
        for _ in range(PER_SHARE):
            n_persons = max(1, round(DISTINCT * share))
            persons = m.distinct(m.person, n_persons)
            others = m.distinct(lambda: m.rng.choice([m.company, m.company, m.shop])(), DISTINCT - n_persons)
            values = persons + others
            m.rng.shuffle(values)
            rows = [[v, m.address()] for v in values]
            score.column(kind, True, "営業者名" in _flagged(_typed(["営業者名", "所在地"], rows)))
            score.value(kind, set(persons), _value_hits(values))
            score.counts(kind, True, values)
    # 8 persons (4 %) whose names SudachiPy does not know, with and without their kana reading column
    from madoguchi.privacy import detectors

    m.rare = [r for r in m.rare if detectors.classify_name(f"{r[0]}\u3000{r[1]}") == "candidate"]
    for with_reading in (False, True):
        kind = "mixed 4% unknown names" + (" + reading" if with_reading else "")
        for _ in range(PER_SHARE):
            persons = m.distinct(m.rare_person, 8)
            others = [(c, None) for c in m.distinct(m.company, DISTINCT - len(persons))]
            pairs = persons + others
            m.rng.shuffle(pairs)
            values = [v for v, _ in pairs]
            header = ["営業者名", "営業者名フリガナ", "所在地"] if with_reading else ["営業者名", "所在地"]
            rows = [[v, r or "カブシキガイシャ", m.address()] if with_reading else [v, m.address()] for v, r in pairs]
            score.column(kind, True, "営業者名" in _flagged(_typed(header, rows)))
            readings = {i: r for i, (_, r) in enumerate(pairs) if r} if with_reading else None
            score.value(kind, {v for v, _ in persons}, _value_hits(values, readings))
            score.counts(kind, True, values, readings)


def run_bundle(score: Score) -> list[str]:
    """Score every string column of the bundled files; returns the mistakes (file, column, label, flagged)."""
    from madoguchi.datastore.services import read_table, sniff_format, type_table
    from madoguchi.privacy import detectors

    labels = tomllib.loads((DATA / "bundle_labels.toml").read_text(encoding="utf-8"))
    kinds = [(k, re.compile(p)) for k, p in labels["kinds"].items()]
    mistakes = []
    for path in sorted(BUNDLE.rglob("*")):
        if path.suffix not in (".csv", ".json", ".xlsx"):
            continue
        rel = path.relative_to(BUNDLE).as_posix()
        data = path.read_bytes()
        options = {"sheet": "４月"} if path.name.startswith("Shinnki") and path.suffix == ".xlsx" else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            typed = type_table(read_table(sniff_format(path.name, data[:4096]), data, file=path.name, options=options))
        flagged = _flagged(typed)
        persons = labels["persons"].get(rel, {})
        for col in typed.typed:
            name = col.meta["name"]
            if col.meta["type"] != "string":
                continue
            label = persons.get(name) or next((k for k, p in kinds if p.search(name)), "other text")
            truth = name in persons
            score.column(f"bundle: {label}", truth, name in flagged)
            if any(detectors.ADDRESS_COLUMN_RE.search(c.meta["name"]) or detectors.BIRTH_COLUMN_RE.search(c.meta["name"])
                   for c in typed.typed):  # the rule runs only with an address / birth-date column
                score.counts(f"bundle: {label}", truth, col.values.to_pylist())
            if truth != (name in flagged):
                mistakes.append(f"{rel} 「{name}」 label={label} flagged={name in flagged}")
    return mistakes


SWEEP = ((0.01, 3), (0.02, 3), (0.03, 3), (0.05, 3), (0.05, 1), (0.10, 3), (0.20, 3), (0.50, 1))


def sweep(score: Score) -> list[str]:
    """Column-level precision/recall of other thresholds (share of distinct values, minimum values), on every
    value classified (no sampling); negatives' largest person share shows the margin."""
    lines = [f"{'share ≥':>8} {'values ≥':>8} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>9} {'recall':>7}"]
    for share, least in SWEEP:
        tp = fp = fn = 0
        for _, truth, n, total in score.raw:
            flagged = total > 0 and ((n >= least and n / total >= share) or n / total >= 0.5)
            tp += truth and flagged
            fp += flagged and not truth
            fn += truth and not flagged
        lines.append(f"{share:8.0%} {least:8} {tp:5} {fp:5} {fn:5} {_ratio(tp, tp + fp):>9} {_ratio(tp, tp + fn):>7}")
    negatives = sorted(((n / total if total else 0, n, total, kind) for kind, truth, n, total in score.raw
                        if not truth), reverse=True)[:3]
    lines.append("negatives with the most person-like values: " + "; ".join(
        f"{kind} {n}/{total} ({share:.1%})" for share, n, total, kind in negatives if n) or "none")
    return lines


def time_permit_list(rows: int, seed: int) -> dict:
    """Seconds of ``scan_table`` on a ``rows``-row permit list with the name rule on and off (best of 3)."""
    from madoguchi.privacy import detectors

    m = Maker(seed)
    persons = m.distinct(m.person, 20000)
    companies = m.distinct(m.company, 5000)
    header_on = ["営業者名", "営業者名フリガナ", "営業所所在地", "業種", "屋号"]
    header_off = ["営業者名", "営業者名フリガナ", "営業所", "業種", "屋号"]  # no address column: rule not run
    table = [[m.rng.choice(persons) if m.rng.random() < 0.4 else m.rng.choice(companies),
              m.rng.choice(["ヤマダ\u3000タロウ", "カブシキガイシャ", "サトウ\u3000ハナコ"]), m.address(),
              m.rng.choice(["飲食店営業", "菓子製造業", "喫茶店営業"]), m.shop()] for _ in range(rows)]
    out = {}
    for label, header in (("on", header_on), ("off", header_off)):
        typed = _typed(header, table)
        best = float("inf")
        for _ in range(3):
            detectors.classify_name.cache_clear()  # cold: every distinct value classified again
            t = time.perf_counter()
            findings = _flagged(typed)
            best = min(best, time.perf_counter() - t)
        out[label] = best
        out[f"flagged_{label}"] = sorted(findings)
    out["distinct"] = len({r[0] for r in table})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the timed permit list")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-bundle", action="store_true", help="skip the bundled files")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    django.setup()
    from madoguchi.privacy import detectors

    score = Score()
    t0 = time.perf_counter()
    run_synthetic(score, args.seed)
    mistakes = [] if args.no_bundle else run_bundle(score)
    elapsed = time.perf_counter() - t0

    print(f"personal_name: column flagged when person names ≥ {detectors.MIN_NAME_SHARE:.0%} of distinct values "
          f"and ≥ {detectors.MIN_NAME_VALUES} values (or ≥ {detectors.MAJORITY_NAME_SHARE:.0%}), "
          f"with an address/birth-date column; sample {detectors.NAME_SAMPLE}")
    print()
    print(f"{'kind (column level)':34} {'cols':>5} {'pos':>5} {'TP':>5} {'FP':>5} {'precision':>9} {'recall':>7}")
    for kind, (n, pos, tp, fp) in score.cols.items():
        print(f"{kind:34} {n:5} {pos:5} {tp:5} {fp:5} {_ratio(tp, tp + fp):>9} {_ratio(tp, pos):>7}")
    tot = [sum(c[i] for c in score.cols.values()) for i in range(4)]
    print(f"{'all':34} {tot[0]:5} {tot[1]:5} {tot[2]:5} {tot[3]:5} {_ratio(tot[2], tot[2] + tot[3]):>9} "
          f"{_ratio(tot[2], tot[1]):>7}")
    print()
    print(f"{'kind (value level)':34} {'true':>6} {'found':>6} {'hit':>6} {'precision':>9} {'recall':>7}")
    for kind, (true, found, hit) in score.values.items():
        print(f"{kind:34} {true:6} {found:6} {hit:6} {_ratio(hit, found):>9} {_ratio(hit, true):>7}")
    print("\nthreshold sweep (column level, all labelled columns with an address column):")
    for line in sweep(score):
        print("  " + line)
    if mistakes:
        print("\nbundle mistakes:")
        for line in mistakes:
            print("  " + line)
    print(f"\nscored in {elapsed:.1f} s")
    timing = time_permit_list(args.rows, args.seed)
    extra = timing["on"] - timing["off"]
    print(f"\nscan_table on a {args.rows:,}-row permit list ({timing['distinct']:,} distinct 営業者名): "
          f"{timing['on']:.3f} s with the name rule, {timing['off']:.3f} s without → extra {extra:.3f} s "
          f"({extra / args.rows * 100_000:.3f} s per 100k rows); flagged: {', '.join(timing['flagged_on']) or '—'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
