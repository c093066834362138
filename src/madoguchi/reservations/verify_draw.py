"""The lottery draw (抽選) and its public verification script.

This one file is both the draw that madoguchi runs and the script the city
publishes, so what citizens run is exactly what the city ran. It needs Python
3.11+ and NumPy only (no Django, no database)::

    python -m madoguchi.reservations.verify_draw --seed SEED --entries entries.csv \\
        [--seed-hash SHA256] [--entries-sha256 SHA256] [--keep-rule preference] \\
        [--results results.csv] [--out computed.csv]

It reads the published anonymized entry list, checks the revealed seed against
the hash committed before the application window closed, redoes the draw and
compares every result with the published results. Exit status 0 = everything
matches; 1 = a check failed (the first differences are printed); 2 = bad input.

The rule (published with every lottery period):

1. **Key.** Every entry gets a 64-bit key: the first 8 bytes (big-endian) of
   keyed BLAKE2b (RFC 7693, ``digest_size=8``) with the revealed 32-byte seed
   as key and the entry id in ASCII decimal as message::

       key = int.from_bytes(hashlib.blake2b(b"123", key=seed, digest_size=8).digest(), "big")

   Nobody knows the keys before the seed is revealed; the seed's SHA-256 is
   published before the application window closes.
2. **Order per slot.** The entries of each slot are ordered by
   (priority, key, entry id); ``priority`` 0 is the city's first priority
   class, entries without a priority class have the largest number. This
   order is the entry's ``rank`` (1 = drawn first).
3. **Overlaps.** Each slot is offered to its first entry. An applicant holding
   several offers whose times overlap keeps one by the city's rule
   (``--keep-rule``): ``preference`` = the applicant's own order of wishes
   (希望順位, smallest first), then the earliest start; ``earliest`` = the
   earliest start, then the wish order. The offers given up pass to the
   next entry of that slot (繰り下げ), in rounds, until no slot changes. A
   slot whose entries are all used stays without winner.

Outcomes: ``won`` (当選), ``passed`` (当選したが重なる枠を優先したため繰り下げ),
``lost`` (落選).

Files (UTF-8, comma separated, header row; times ISO 8601 with offset):

* entries: ``entry_id,applicant,slot_id,facility,unit,start,end,priority,preference``
  — ``applicant`` is a pseudonym valid only within this period.
* results: ``entry_id,slot_id,outcome,rank``, sorted by ``entry_id``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENTRY_FIELDS = ("entry_id", "applicant", "slot_id", "facility", "unit", "start", "end", "priority", "preference")
RESULT_FIELDS = ("entry_id", "slot_id", "outcome", "rank")
KEEP_RULES = ("preference", "earliest")
SEED_BYTES = 32

LOST, WON, PASSED = 0, 1, 2
OUTCOMES = {LOST: "lost", WON: "won", PASSED: "passed"}


class DrawInputError(ValueError):
    """Bad published input: names the file, the line and the field."""


@dataclass
class Entries:
    """Entries of one lottery period as columns (one row per entry, any order).

    ``entry_id``, ``slot_id``: int64 ids; ``applicant``: int64 codes (equal
    code = same applicant); ``start``/``end``: int64 seconds since the epoch
    (UTC) of the slot's time; ``priority``: int64 rank of the priority class
    (0 first); ``preference``: int64 wish order of the applicant (1 first).
    """

    entry_id: np.ndarray
    applicant: np.ndarray
    slot_id: np.ndarray
    start: np.ndarray
    end: np.ndarray
    priority: np.ndarray
    preference: np.ndarray

    def __len__(self) -> int:
        return len(self.entry_id)


@dataclass
class DrawResult:
    """Per entry, aligned with the ``Entries`` given: ``outcome`` (int8: 0 lost,
    1 won, 2 passed) and ``rank`` (int64, 1-based place in its slot's order)."""

    outcome: np.ndarray
    rank: np.ndarray

    def rows(self, entries: Entries) -> list[tuple[int, int, str, int]]:
        """``(entry_id, slot_id, outcome name, rank)`` sorted by entry id."""
        order = np.argsort(entries.entry_id, kind="stable")
        return [(int(entries.entry_id[i]), int(entries.slot_id[i]), OUTCOMES[int(self.outcome[i])],
                 int(self.rank[i])) for i in order]


def parse_seed(text: str) -> bytes:
    """The revealed seed: 64 hex digits → 32 bytes. Raises ``DrawInputError``."""
    try:
        seed = bytes.fromhex(text.strip())
    except ValueError:
        raise DrawInputError("seed: 16 進数 64 桁で指定してください (64 hex digits)") from None
    if len(seed) != SEED_BYTES:
        raise DrawInputError(f"seed: {SEED_BYTES} バイト (16 進数 64 桁) が必要です。{len(seed)} バイトでした")
    return seed


def seed_hash(seed: bytes) -> str:
    """The published commitment of a seed: SHA-256, lowercase hex."""
    return hashlib.sha256(seed).hexdigest()


def entry_keys(seed: bytes, entry_ids: np.ndarray) -> np.ndarray:
    """uint64 keys: keyed BLAKE2b-64 of each entry id (ASCII decimal), big-endian."""
    base = hashlib.blake2b(key=seed, digest_size=8)
    digests = []
    append = digests.append
    for eid in entry_ids.tolist():
        h = base.copy()
        h.update(b"%d" % eid)
        append(h.digest())
    return np.frombuffer(b"".join(digests), dtype=">u8").astype(np.uint64)


def draw(seed: bytes, entries: Entries, keep_rule: str = "preference") -> DrawResult:
    """Run the draw of one period (rule in the module docstring).

    Vectorised with NumPy except the overlap rounds, which touch only slots and
    passed-on offers. Deterministic: same seed and entries (in any row order)
    → same result. Raises ``ValueError`` for an unknown ``keep_rule`` or a
    duplicate entry id.
    """
    if keep_rule not in KEEP_RULES:
        raise ValueError(f"keep_rule: {keep_rule!r} は使えません（{', '.join(KEEP_RULES)}）")
    n = len(entries)
    outcome = np.zeros(n, dtype=np.int8)
    rank = np.zeros(n, dtype=np.int64)
    if n == 0:
        return DrawResult(outcome, rank)
    canonical = np.argsort(entries.entry_id, kind="stable")
    sorted_ids = entries.entry_id[canonical]
    if n > 1 and not (sorted_ids[1:] != sorted_ids[:-1]).all():
        raise ValueError("entry_id が重複しています")
    keys = entry_keys(seed, sorted_ids)
    # Stable sort with the primary key last: (slot, priority), then key; ties
    # (equal 64-bit keys) stay in entry id order.
    group = entries.slot_id[canonical] * (int(entries.priority.max()) + 1) + entries.priority[canonical]
    order = canonical[np.lexsort((keys, group))]
    del keys, group, sorted_ids
    sorted_slot = entries.slot_id[order]
    first = np.flatnonzero(np.concatenate(([True], sorted_slot[1:] != sorted_slot[:-1])))
    stop = np.append(first[1:], n)
    rank[order] = np.arange(n) - np.repeat(first, stop - first) + 1
    del sorted_slot

    # Overlap rounds: plain Python over slots and passed-on offers only.
    applicant, start, end = entries.applicant, entries.start, entries.end
    pref, slot_id = entries.preference, entries.slot_id
    if keep_rule == "preference":
        def choice_key(e: int) -> tuple:
            return (int(pref[e]), int(start[e]), int(slot_id[e]))
    else:
        def choice_key(e: int) -> tuple:
            return (int(start[e]), int(pref[e]), int(slot_id[e]))

    stop_list = stop.tolist()
    ptr = first.tolist()                  # next position in ``order`` to offer, per slot
    holder = [-1] * len(ptr)              # entry holding each slot's offer
    held: dict[int, list[int]] = {}       # applicant → slot indices it holds
    pending = list(range(len(ptr)))
    while pending:
        offers: dict[int, list[int]] = {}
        live = [s for s in pending if ptr[s] < stop_list[s]]
        if not live:
            break
        offered = order[np.asarray([ptr[s] for s in live], dtype=np.int64)].tolist()
        for s, e, a in zip(live, offered, applicant[offered].tolist()):
            holder[s] = e
            offers.setdefault(a, []).append(s)
        pending = []
        for a, new in offers.items():
            mine = held.get(a)
            if not mine and len(new) == 1:
                held[a] = new
                continue
            candidates = sorted((mine or []) + new, key=lambda s: choice_key(holder[s]))
            kept: list[tuple[int, int]] = []
            for s in candidates:
                e = holder[s]
                s0, e0 = int(start[e]), int(end[e])
                if any(s0 < k1 and k0 < e0 for k0, k1 in kept):
                    outcome[e] = PASSED
                    holder[s] = -1
                    ptr[s] += 1
                    pending.append(s)
                else:
                    kept.append((s0, e0))
            held[a] = [s for s in candidates if holder[s] >= 0]
        pending.sort()
    winners = np.asarray([e for e in holder if e >= 0], dtype=np.int64)
    outcome[winners] = WON
    return DrawResult(outcome, rank)


# ---------------------------------------------------------------- files


def _epoch(text: str, cache: dict, where: str) -> int:
    value = cache.get(text)
    if value is None:
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DrawInputError(f"{where}: 日時 {text!r} が ISO 8601 ではありません") from None
        if moment.tzinfo is None:
            raise DrawInputError(f"{where}: 日時 {text!r} に時差 (+09:00 など) がありません")
        value = cache[text] = int(moment.timestamp())
    return value


def read_entries(source, name: str = "entries.csv") -> Entries:
    """Parse the published entry list: a ``Path``, a text stream, or the CSV text as ``str``.

    Raises ``DrawInputError`` naming the file, line and column of the first bad
    value; ``OSError`` if the file cannot be read.
    """
    if isinstance(source, Path):
        stream = open(source, encoding="utf-8-sig", newline="")
    elif isinstance(source, str):
        stream = io.StringIO(source)
    else:
        stream = source
    with stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None or tuple(header) != ENTRY_FIELDS:
            raise DrawInputError(f"{name} 1行目: 見出しは {','.join(ENTRY_FIELDS)} である必要があります")
        cols: dict[str, list[int]] = {f: [] for f in ("entry_id", "applicant", "slot_id", "start", "end",
                                                      "priority", "preference")}
        applicants: dict[str, int] = {}
        times: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(ENTRY_FIELDS):
                raise DrawInputError(f"{name} {line}行目: 列の数が {len(row)} です（{len(ENTRY_FIELDS)} 列のはず）")
            try:
                for field in ("entry_id", "slot_id", "priority", "preference"):
                    cols[field].append(int(row[ENTRY_FIELDS.index(field)]))
            except ValueError:
                value = row[ENTRY_FIELDS.index(field)]
                raise DrawInputError(f"{name} {line}行目 {field}: 整数ではありません ({value!r})") from None
            cols["applicant"].append(applicants.setdefault(row[1], len(applicants)))
            cols["start"].append(_epoch(row[5], times, f"{name} {line}行目 start"))
            cols["end"].append(_epoch(row[6], times, f"{name} {line}行目 end"))
    return Entries(**{k: np.asarray(v, dtype=np.int64) for k, v in cols.items()})


def write_results(rows, stream) -> None:
    """Write ``(entry_id, slot_id, outcome, rank)`` rows as the results CSV."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(RESULT_FIELDS)
    writer.writerows(rows)


def read_results(path, name: str = "results.csv") -> list[tuple[int, int, str, int]]:
    """Parse a published results CSV into ``(entry_id, slot_id, outcome, rank)`` rows."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        if tuple(next(reader, ())) != RESULT_FIELDS:
            raise DrawInputError(f"{name} 1行目: 見出しは {','.join(RESULT_FIELDS)} である必要があります")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append((int(row[0]), int(row[1]), row[2], int(row[3])))
            except (ValueError, IndexError):
                raise DrawInputError(f"{name} {line}行目: 形式が違います ({','.join(row)})") from None
    return sorted(rows)


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring). Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m madoguchi.reservations.verify_draw",
        description="施設予約の抽選を公開された乱数シードと申込一覧から再現し、公表結果と照合します。")
    parser.add_argument("--seed", required=True, help="公開された乱数シード (16 進数 64 桁)")
    parser.add_argument("--entries", required=True, help="公開された匿名化済み申込一覧 (CSV)")
    parser.add_argument("--seed-hash", help="申込締切前に公表されたシードの SHA-256")
    parser.add_argument("--entries-sha256", help="公表された申込一覧ファイルの SHA-256")
    parser.add_argument("--keep-rule", default="preference", choices=KEEP_RULES,
                        help="重複当選のとき残す枠の規則 (既定: preference)")
    parser.add_argument("--results", help="公表された抽選結果 (CSV)。指定すると全件を照合します")
    parser.add_argument("--out", help="再現した結果を書き出す CSV (- で標準出力)")
    args = parser.parse_args(argv)
    ok = True
    try:
        seed = parse_seed(args.seed)
        if args.seed_hash is not None:
            if seed_hash(seed) == args.seed_hash.strip().lower():
                print("シードのハッシュ: 一致 (seed hash matches)")
            else:
                print(f"シードのハッシュ: 不一致 (seed hash differs): {seed_hash(seed)}")
                ok = False
        if args.entries_sha256 is not None:
            actual = file_sha256(args.entries)
            if actual == args.entries_sha256.strip().lower():
                print("申込一覧の SHA-256: 一致 (entry list hash matches)")
            else:
                print(f"申込一覧の SHA-256: 不一致 (entry list hash differs): {actual}")
                ok = False
        entries = read_entries(Path(args.entries), Path(args.entries).name)
        rows = draw(seed, entries, args.keep_rule).rows(entries)
        won = sum(1 for r in rows if r[2] == "won")
        print(f"申込 {len(rows)} 件、枠 {len(np.unique(entries.slot_id))} 件、当選 {won} 件 "
              f"(entries, slots, winners)")
        if args.out:
            if args.out == "-":
                write_results(rows, sys.stdout)
            else:
                with open(args.out, "w", encoding="utf-8", newline="") as out:
                    write_results(rows, out)
        if args.results:
            published = read_results(args.results, Path(args.results).name)
            if published == rows:
                print(f"抽選結果: 全 {len(rows)} 件が一致 (all results identical)")
            else:
                ok = False
                diff = [(p, r) for p, r in zip(published, rows) if p != r][:10]
                print(f"抽選結果: 不一致 (results differ): 公表 {len(published)} 件 / 再現 {len(rows)} 件")
                for p, r in diff:
                    print(f"  公表 {p} ≠ 再現 {r}")
    except (DrawInputError, OSError) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
