"""``madoguchi suppress INPUT --k 10``: small-cell suppression of a statistical table.

A thin wrapper over ``privacy.tables`` (reading, totals) and ``privacy.suppression`` (the masks).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.datastore.services import IngestError
from madoguchi.privacy.suppression import DEFAULT_K, DEFAULT_SYMBOL, SuppressionError
from madoguchi.privacy.tables import masked_csv, read_rows, suppress_table


class Command(BaseCommand):
    help = ("Mask cells below k (primary) and enough others (secondary) that no masked cell can be recomputed "
            "from the row/column totals; write the masked table with totals as CSV.\n"
            "Example: madoguchi suppress population.csv --k 10 --label-columns 2 -o population_masked.csv")

    def add_arguments(self, parser):
        parser.add_argument("input", help="CSV or XLSX (encoding and header row detected)")
        parser.add_argument("--k", type=int, default=DEFAULT_K,
                            help=f"threshold: cells 1…k-1 are masked (default {DEFAULT_K})")
        parser.add_argument("--label-columns", type=int, help="number of leading label columns (default: auto)")
        parser.add_argument("--symbol", default=DEFAULT_SYMBOL, help=f"mask symbol (default {DEFAULT_SYMBOL})")
        parser.add_argument("--sheet", help="XLSX sheet name or 1-based number")
        parser.add_argument("-o", "--output", help="masked CSV to write (default: INPUT stem + _suppressed.csv)")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **opts):
        path = Path(opts["input"])
        if not path.is_file():
            raise CommandError(f"{path}: ファイルがありません (no such file)")
        try:
            header, rows, row_numbers = read_rows(path.read_bytes(), path.name, sheet=opts["sheet"])
            table, result = suppress_table(header, rows, k=opts["k"], label_columns=opts["label_columns"],
                                           row_numbers=row_numbers)
        except (SuppressionError, IngestError) as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        out = Path(opts["output"] or path.with_name(f"{path.stem}_suppressed.csv"))
        out.write_bytes(masked_csv(table, result, symbol=opts["symbol"]))
        summary = {**result.summary(), "output": str(out), "total_column": table.total_column,
                   "total_row": bool(table.total_row), "dropped_columns": table.dropped_columns}
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{path.name}: {summary['rows']} 行 × {summary['columns']} 列, k={summary['k']}: "
                          f"一次秘匿 {summary['primary']}、二次秘匿 {summary['secondary']} "
                          f"(primary {summary['primary']}, secondary {summary['secondary']}) → {out}")
        for w in summary["warnings"]:
            self.stdout.write(self.style.WARNING(f"  ! {w}"))
