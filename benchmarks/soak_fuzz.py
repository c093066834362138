"""Fuzzing the ingestion parser with hypothesis (soak phase f; the CI test reuses the strategies).

Property: for any input, ``read_table`` + ``type_table`` and ``ingest_file``
either return a result or raise ``IngestError`` (a clear error naming the
file), never another exception. Inputs (``files()``):

* any bytes under an extension the pipeline reads (``.csv``, ``.xlsx``, ``.json``, ``.geojson``, ``.txt``);
* CSV-ish text: rows of cells drawn from what city files contain (和暦 dates,
  ``"1,234"``, ``-``, full-width digits, quotes, CR/LF, BOM, tabs, formulas),
  in UTF-8, CP932 or UTF-16, with a random delimiter;
* broken XLSX: a valid workbook with bytes flipped, truncated, or a member
  replaced by random XML-ish text.

Run alone (needs a migrated database, as ``soak.py`` sets up)::

    MADOGUCHI_DATA_DIR=/tmp/x .venv/bin/python benchmarks/soak_fuzz.py --seconds 60
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import traceback
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_inputs import small_xlsx  # noqa: E402

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["令和6年4月1日", "R6.4.1", "平成31年4月30日", "2024-04-01", "2024/4/1", '"1,234"', "-", "‐", "―",
                     "１２３", "0123", "1e308", "1e999", "-0", "NaN", "inf", "TRUE", "○", "", " ", '"', '""', "\r", "\n",
                     "\ufeff", "=cmd|' /C calc'!A0", "@SUM(A1)", "\t", "35.6812", "139.7671", "中央区", "大通東１丁目",
                     "12:30", "24:00", "令和元年5月1日", "明治1年1月1日", "9" * 40, "\x00", "\udcff"]),
    st.integers(min_value=-10 ** 20, max_value=10 ** 20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def csv_text(draw) -> tuple[str, bytes]:
    width = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 2), min_size=0, max_size=20))
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    quote = draw(st.booleans())
    lines = []
    for row in rows:
        cells = [('"' + c.replace('"', '""') + '"') if quote or delimiter in c or "\n" in c else c for c in row]
        lines.append(delimiter.join(cells))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "euc-jp"]))
    return draw(st.sampled_from(["data.csv", "data.txt", "データ.csv"])), text.encode(encoding, errors="replace")


_XLSX = None


def _base_xlsx() -> bytes:
    global _XLSX
    if _XLSX is None:
        _XLSX = small_xlsx([["町名", "人口", "調査日"], ["大通東1丁目", 10, "令和6年4月1日"], ["北区", 2.5, None]])
    return _XLSX


@st.composite
def broken_xlsx(draw) -> tuple[str, bytes]:
    data = bytearray(_base_xlsx())
    how = draw(st.sampled_from(["flip", "truncate", "member"]))
    if how == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif how == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    else:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as src:
            names = src.namelist()
            victim = draw(st.sampled_from(names))
            junk = draw(st.one_of(
                st.binary(max_size=200),
                st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
                st.sampled_from([b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;"
                                 b"&a;&a;&a;&a;'>]><worksheet>&b;</worksheet>", b"<worksheet><sheetData><row r='-1'>"
                                 b"<c r='ZZZZZZZZ1' t='n'><v>x</v></c></row></sheetData></worksheet>", b""])))
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for name in names:
                    dst.writestr(name, junk if name == victim else src.read(name))
        data = bytearray(out.getvalue())
    return "broken.xlsx", bytes(data)


def files():
    """Strategy of ``(file name, bytes)`` covering the three kinds of input above."""
    any_bytes = st.tuples(st.sampled_from(["x.csv", "x.xlsx", "x.json", "x.geojson", "x.txt", "x"]),
                          st.binary(max_size=2048))
    json_text = st.tuples(st.sampled_from(["x.json", "x.geojson"]),
                          st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                                       lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5),
                                                                                               kids, max_size=4),
                                       max_leaves=20).map(lambda v: json.dumps(v, ensure_ascii=False).encode()))
    return st.one_of(any_bytes, csv_text(), broken_xlsx(), json_text)


def allowed_errors() -> tuple[type, ...]:
    """``IngestError`` (and the privacy gate's refusal, once that exists)."""
    from madoguchi.datastore.errors import IngestError

    allowed: list[type] = [IngestError]
    try:
        from madoguchi.privacy import services as privacy

        if isinstance(getattr(privacy, "PrivacyBlocked", None), type):
            allowed.append(privacy.PrivacyBlocked)
    except ImportError:
        pass
    return tuple(allowed)


def parse_once(name: str, data: bytes) -> str:
    """Read and type one file; return ``"ok"`` or the IngestError code (other exceptions propagate)."""
    from madoguchi.datastore.reading import read_table, sniff_format
    from madoguchi.datastore.typedtable import type_table

    fmt = sniff_format(name, data[:8192])
    if fmt not in ("csv", "xlsx", "json", "geojson"):
        return f"not tabular ({fmt})"
    try:
        raw = read_table(fmt, data, file=name)
        type_table(raw)
        return "ok"
    except allowed_errors() as exc:
        return getattr(exc, "code", type(exc).__name__)


def ingest_once(dataset, name: str, data: bytes) -> str:
    """``ingest_file`` one file into ``dataset``; ``"ok"`` or the IngestError code."""
    from madoguchi.datastore import services

    try:
        services.ingest_file(dataset=dataset, resource_name="fuzz", data=data, file_name=name)
        return "ok"
    except allowed_errors() as exc:
        return getattr(exc, "code", type(exc).__name__)


class Tally:
    """Counts outcomes; ``failures`` keeps (name, first bytes, traceback) of unexpected exceptions."""

    def __init__(self):
        self.outcomes: dict[str, int] = {}
        self.failures: list[tuple[str, bytes, str]] = []

    def run(self, fn, name: str, data: bytes) -> None:
        try:
            outcome = fn(name, data)
        except Exception:  # noqa: BLE001 - this is what the fuzzer looks for
            self.failures.append((name, data[:200], traceback.format_exc(limit=6)))
            outcome = "CRASH"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def kinds(self) -> dict[tuple[str, str], tuple[int, str, bytes, str]]:
        """Distinct crashes: (exception line, innermost frame) → (count, first file name, bytes, traceback)."""
        out: dict = {}
        for name, head, tb in self.failures:
            lines = tb.strip().splitlines()
            frames = [ln.strip() for ln in lines if ln.strip().startswith("File ")]
            key = (lines[-1][:160], frames[-1] if frames else "")
            count = out[key][0] + 1 if key in out else 1
            out[key] = (count, *(out[key][1:] if key in out else (name, head, tb)))
        return out

    @property
    def examples(self) -> int:
        return sum(self.outcomes.values())


def fuzz(target, *, examples: int, seed: int | None = None, tally: Tally | None = None) -> Tally:
    """Run ``target(name, data)`` on ``examples`` generated files; exceptions are tallied, not raised."""
    tally = tally or Tally()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))
    @given(files())
    def run(case):
        tally.run(target, *case)

    run()
    return tally


def fuzz_for(seconds: float, *, ingest_dataset=None, batch: int = 200) -> Tally:
    """Fuzz for ``seconds``: parse every batch; also ``ingest_file`` (slower) every batch if a dataset is given."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fuzz(parse_once, examples=batch, tally=tally)
        if ingest_dataset is not None and time.monotonic() < deadline:
            fuzz(lambda n, d: ingest_once(ingest_dataset, n, d), examples=max(1, batch // 4), tally=tally)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description="fuzz the ingestion parser (needs a migrated database)")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on damaged workbooks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    import django

    django.setup()
    from madoguchi.catalog import services as catalog

    org = catalog.ensure_organization("soak-fuzz", "ファズ試験課")
    dataset = catalog.ensure_dataset("soak-fuzz", title="ファズ試験", organization=org)
    started = time.monotonic()
    tally = fuzz_for(args.seconds, ingest_dataset=dataset)
    for (error, where), (count, name, head, tb) in tally.kinds().items():
        print(f"--- {count} × {error} at {where}\n    e.g. {name} {head[:80]!r}\n{tb}", file=sys.stderr)
    print(json.dumps({"seconds": round(time.monotonic() - started, 1), "examples": tally.examples,
                      "crashes": len(tally.failures), "outcomes": tally.outcomes}, ensure_ascii=False))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
