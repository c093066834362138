"""Benchmark: the facility lottery draw of one period at city scale (issue #7).

    .venv/bin/python benchmarks/lottery.py [--entries 1700000] [--users 60000] [--facilities 75]
                                           [--days 30] [--seed HEX] [--verify-files]

What it does:

1. generates a realistic period with a fixed RNG (NumPy PCG64, seed 7):
   75 facilities of the four types (outdoor sports 30, indoor sports 15,
   civic halls 15, community halls 15), 1–4 units each, their slots for 30
   days (outdoor: five 2-hour slots from 07:00; others: morning / afternoon /
   evening), and 1.7 M distinct entries from 60,000 users. Popularity is
   skewed: facilities by a Zipf-like weight, weekend and holiday slots ×4,
   morning slots ×3 (so weekend mornings are oversubscribed many times);
   how much a user applies is log-normal. 3 % of users have the first
   priority class. Entry ids are given in a random submission order, and
   each user's wish order (preference) follows it.
2. runs the full draw (``madoguchi.reservations.verify_draw.draw``: keys,
   per-slot order, overlap rounds) and prints the seconds, the seconds of the
   key derivation alone, and the process's peak memory (``ru_maxrss``);
3. fairness: entries are put in 10 buckets by submission order (entry id
   deciles). For every group of equally placed entries (same slot, same
   priority class) the expected wins of a bucket are its share of the group
   times the group's wins. Prints chi-square, degrees of freedom and the
   p-value for the final wins and for "drawn first in its slot" (the random
   order alone, before overlapping wins pass slots on); a fair draw gives p
   well above 0.01 (printed, not asserted).
4. ``--verify-files`` also writes the anonymized entry list and the results as
   CSV to a temp dir, re-reads them with the published script's reader and
   checks the results are identical (prints the seconds).

Nothing here is timed against a threshold; targets (issue #7): under 5 s and
1 GiB for the draw on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

import jpholiday
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from madoguchi.reservations import verify_draw  # noqa: E402  (no Django needed)

JST = dt.timezone(dt.timedelta(hours=9))
TYPES = [("outdoor_sports", 30, 5), ("indoor_sports", 15, 3), ("civic_hall", 15, 3), ("community_hall", 15, 3)]
OUTDOOR_TIMES = [(7, 9), (9, 11), (11, 13), (13, 15), (15, 17)]
INDOOR_TIMES = [(9, 12), (13, 17), (18, 21)]


def generate(entries: int, users: int, facilities: int, days: int, rng: np.random.Generator):
    """Return ``(Entries, slot_count, facts dict)``."""
    first_day = dt.date(2026, 5, 1)
    slot_start, slot_end, slot_weight = [], [], []
    fac_no = 0
    for kind, count, _ in TYPES:
        count = max(1, round(count * facilities / 75))
        for _ in range(count):
            fac_no += 1
            popularity = 1.0 / fac_no ** 0.6
            units = int(rng.integers(1, 5))
            times = OUTDOOR_TIMES if kind == "outdoor_sports" else INDOOR_TIMES
            for _unit in range(units):
                for d in range(days):
                    day = first_day + dt.timedelta(days=d)
                    rest = day.weekday() >= 5 or jpholiday.is_holiday(day)
                    for i, (h0, h1) in enumerate(times):
                        base = dt.datetime(day.year, day.month, day.day, tzinfo=JST)
                        slot_start.append(int((base + dt.timedelta(hours=h0)).timestamp()))
                        slot_end.append(int((base + dt.timedelta(hours=h1)).timestamp()))
                        morning = i < 2 if kind == "outdoor_sports" else i == 0
                        w = popularity * (4.0 if rest else 1.0) * (3.0 if morning else 1.0)
                        w *= 3.0 if kind == "outdoor_sports" else 1.0
                        slot_weight.append(w)
    slot_start = np.asarray(slot_start, dtype=np.int64)
    slot_end = np.asarray(slot_end, dtype=np.int64)
    p_slot = np.asarray(slot_weight) / sum(slot_weight)
    n_slots = len(slot_start)
    activity = rng.lognormal(0.0, 0.9, users)
    p_user = activity / activity.sum()
    want = int(entries * 1.25)
    pairs = rng.choice(users, want, p=p_user).astype(np.int64) * n_slots + rng.choice(n_slots, want, p=p_slot)
    pairs = np.unique(pairs)  # one entry per user and slot (duplicates are rejected before the draw)
    if len(pairs) < entries:
        raise SystemExit(f"only {len(pairs)} distinct entries generated; lower --entries")
    pairs = rng.permutation(pairs)[:entries]  # submission order
    applicant, slot = pairs // n_slots, pairs % n_slots
    entry_id = np.arange(1, entries + 1, dtype=np.int64)
    # preference = the user's n-th entry in submission order
    by_user = np.lexsort((entry_id, applicant))
    sorted_app = applicant[by_user]
    starts = np.flatnonzero(np.concatenate(([True], sorted_app[1:] != sorted_app[:-1])))
    lengths = np.diff(np.append(starts, entries))
    preference = np.empty(entries, dtype=np.int64)
    preference[by_user] = np.arange(entries) - np.repeat(starts, lengths) + 1
    priority = np.where(rng.random(users) < 0.03, 0, 1)[applicant].astype(np.int64)
    data = verify_draw.Entries(entry_id=entry_id, applicant=applicant, slot_id=slot + 1,
                               start=slot_start[slot], end=slot_end[slot], priority=priority,
                               preference=preference)
    per_slot = np.bincount(slot, minlength=n_slots)
    facts = {"facilities": fac_no, "slots": n_slots, "users_with_entries": int(len(np.unique(applicant))),
             "entries_per_slot_max": int(per_slot.max()), "entries_per_slot_median": float(np.median(per_slot)),
             "slots_over_10x": int((per_slot > 10).sum()), "slots_without_entries": int((per_slot == 0).sum())}
    return data, n_slots, facts


def chi2_sf(x: float, k: int) -> float:
    """P(X ≥ x) for chi-square with ``k`` degrees of freedom (regularized upper gamma)."""
    a, z = k / 2.0, x / 2.0
    if z <= 0:
        return 1.0
    if z < a + 1:  # series for the lower function
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * 1e-15:
            n += 1
            term *= z / n
            total += term
        return max(0.0, 1.0 - total * math.exp(-z + a * math.log(z) - math.lgamma(a)))
    b, c, d = z + 1 - a, 1e300, 1 / (z + 1 - a)  # continued fraction (Lentz)
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(-z + a * math.log(z) - math.lgamma(a)) * h


def fairness(data: verify_draw.Entries, won: np.ndarray, buckets: int = 10):
    """Chi-square of wins (``won``: bool per entry) per submission-order bucket against
    equal chances within each group of equally placed entries (same slot and priority class)."""
    n = len(data)
    group = data.slot_id * 2 + data.priority
    _, gidx, gsize = np.unique(group, return_inverse=True, return_counts=True)
    won = won.astype(np.float64)
    gwins = np.bincount(gidx, weights=won)
    expected_each = gwins[gidx] / gsize[gidx]
    bucket = (np.argsort(np.argsort(data.entry_id)) * buckets) // n
    observed = np.bincount(bucket, weights=won, minlength=buckets)
    expected = np.bincount(bucket, weights=expected_each, minlength=buckets)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return chi2, buckets - 1, chi2_sf(chi2, buckets - 1), observed, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_700_000)
    parser.add_argument("--users", type=int, default=60_000)
    parser.add_argument("--facilities", type=int, default=75)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", help="draw seed (64 hex digits); random if not given")
    parser.add_argument("--verify-files", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    data, n_slots, facts = generate(args.entries, args.users, args.facilities, args.days, rng)
    t_gen = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seed = verify_draw.parse_seed(args.seed) if args.seed else secrets.token_bytes(32)

    t0 = time.perf_counter()
    result = verify_draw.draw(seed, data, "preference")
    t_draw = time.perf_counter() - t0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    verify_draw.entry_keys(seed, data.entry_id)
    t_keys = time.perf_counter() - t0

    won = int((result.outcome == verify_draw.WON).sum())
    passed = int((result.outcome == verify_draw.PASSED).sum())
    chi2, df, p, observed, expected = fairness(data, result.outcome == verify_draw.WON)
    # Drawn first in its slot (before overlaps pass slots on): the random order alone.
    chi2_first, _, p_first, _, _ = fairness(data, result.rank == 1)
    print(f"period: {facts['facilities']} facilities, {n_slots:,} slots in {args.days} days, "
          f"{len(data):,} entries from {facts['users_with_entries']:,} users (generated in {t_gen:.1f} s)")
    print(f"popularity: entries per slot median {facts['entries_per_slot_median']:.0f}, "
          f"max {facts['entries_per_slot_max']:,}; {facts['slots_over_10x']:,} slots with >10 entries; "
          f"{facts['slots_without_entries']:,} slots without entries")
    print(f"draw: {t_draw:.2f} s (of which keys {t_keys:.2f} s)")
    print(f"peak memory (ru_maxrss): {rss_peak / 1024:.0f} MiB (after generation {rss_before / 1024:.0f} MiB)")
    print(f"results: {won:,} won, {passed:,} passed on (overlapping wins), {len(data) - won - passed:,} lost")
    print(f"fairness: chi-square {chi2:.2f}, df {df}, p = {p:.3f} "
          f"({'no evidence of unfairness' if p > 0.01 else 'UNFAIR?'})")
    print("  wins by submission-order decile (observed / expected): "
          + ", ".join(f"{o:.0f}/{e:.0f}" for o, e in zip(observed, expected)))
    print(f"  drawn first in its slot: chi-square {chi2_first:.2f}, df {df}, p = {p_first:.3f} "
          "(the final wins also follow the published keep rule, which favours each user's earlier wishes)")
    if args.verify_files:
        with tempfile.TemporaryDirectory() as tmp:
            entries_csv, results_csv = Path(tmp) / "entries.csv", Path(tmp) / "results.csv"
            t0 = time.perf_counter()
            iso = {}
            with open(entries_csv, "w", encoding="utf-8", newline="") as f:
                f.write(",".join(verify_draw.ENTRY_FIELDS) + "\n")
                for row in zip(data.entry_id.tolist(), data.applicant.tolist(), data.slot_id.tolist(),
                               data.start.tolist(), data.end.tolist(), data.priority.tolist(),
                               data.preference.tolist()):
                    s = iso.get(row[3]) or iso.setdefault(row[3], dt.datetime.fromtimestamp(row[3], JST).isoformat())
                    e = iso.get(row[4]) or iso.setdefault(row[4], dt.datetime.fromtimestamp(row[4], JST).isoformat())
                    f.write(f"{row[0]},u{row[1]},{row[2]},f,u,{s},{e},{row[5]},{row[6]}\n")
            with open(results_csv, "w", encoding="utf-8", newline="") as f:
                verify_draw.write_results(result.rows(data), f)
            t_write = time.perf_counter() - t0
            t0 = time.perf_counter()
            status = verify_draw.main(["--seed", seed.hex(), "--entries", str(entries_csv),
                                       "--results", str(results_csv), "--seed-hash", verify_draw.seed_hash(seed)])
            print(f"files: written in {t_write:.1f} s; published script re-run in "
                  f"{time.perf_counter() - t0:.1f} s, exit status {status}")


if __name__ == "__main__":
    main()
