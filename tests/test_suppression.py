"""Small-cell suppression (issue #3): no suppressed cell can be recomputed from the published totals.

Proofs used: exact linear algebra (a cell is determined iff its unit vector is in the row space of the
constraint matrix over the suppressed cells; ``proof.determined_cells``) and linear programming (the
min and max of each suppressed cell given totals, published cells and x ≥ 0; ``proof.interval_bounds``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.privacy.proof import determined_cells, interval_bounds
from madoguchi.privacy.suppression import SuppressionError, suppress, verify
from madoguchi.privacy.tables import masked_csv, parse_table, read_rows, suppress_table

SAPPORO = Path(__file__).resolve().parents[1] / "src/madoguchi/bundle/files/sapporo-population/jounen202010_ward.csv"


def _published_view(counts, suppressed):
    """What an intruder sees: totals and unsuppressed cells."""
    return ([sum(r) for r in counts], [sum(c) for c in zip(*counts)],
            {(i, j): v for i, r in enumerate(counts) for j, v in enumerate(r) if (i, j) not in suppressed})


def test_single_small_cell__secondary_in_its_row_and_column__exact_mask():
    counts = [[3, 20, 30],
              [40, 50, 60],
              [70, 80, 90]]
    r = suppress(counts)
    assert r.primary == {(0, 0)}
    # cheapest cycle: 20 (row 0) + 40 (column 0) + 50 closes the rectangle
    assert r.secondary == {(0, 1), (1, 0), (1, 1)}
    assert r.masked() == [["X", "X", 30], ["X", "X", 60], [70, 80, 90]]
    assert r.intervals == {(0, 0): (0, 23), (0, 1): (0, 23), (1, 0): (20, 43), (1, 1): (47, 70)}
    assert r.summary()["primary"] == 1 and r.summary()["secondary"] == 3


def test_only_primary_cells__row_total_would_give_it_away():
    # suppressing only the 3 would let anyone compute 53 − 20 − 30 = 3
    counts = [[3, 20, 30], [40, 50, 60], [70, 80, 90]]
    assert determined_cells((3, 3), {(0, 0)}) == {(0, 0)}
    assert interval_bounds(counts, {(0, 0)}) == {(0, 0): (3, 3)}
    # two cells in one row, nothing else in their columns: still determined by the column totals
    assert determined_cells((3, 3), {(0, 0), (0, 1)}) == {(0, 0), (0, 1)}


def test_two_small_cells_in_a_row__share_the_cycle():
    counts = [[4, 6, 100, 100],
              [50, 60, 100, 100],
              [50, 60, 100, 100]]
    r = suppress(counts)
    assert r.primary == {(0, 0), (0, 1)}
    assert r.secondary == {(1, 0), (1, 1)}  # 50 + 60, both touching the already-masked columns
    assert verify(r) == {"determined": [], "zero_width": [], "lp": True}


def test_zero_cells_are_not_sensitive_and_not_masked():
    counts = [[0, 20, 30], [40, 0, 60], [70, 80, 0]]
    r = suppress(counts)
    assert r.suppressed == set() and r.masked()[0][0] == 0


def test_cells_fixed_by_totals_alone__reported_unprotected():
    # column 1 sums to 0 and row 1 to 2: the 2 is disclosed by the totals whatever is masked
    r = suppress([[100, 0], [2, 0]])
    assert r.unprotected and (1, 0) in r.unprotected
    assert any("合計だけから値が決まります" in w for w in r.warnings)
    assert any("1行目の合計" in w or "2行目の合計 2" in w for w in r.warnings)


@pytest.mark.parametrize("counts, message", [
    ([], "表が空です"),
    ([[1, 2], [3]], "2行目の列数が 1 です"),
    ([[1, -2]], "1行目 2列目: 0 以上の整数ではありません"),
    ([[1, 2.5]], "0 以上の整数ではありません"),
])
def test_bad_input__clear_error(counts, message):
    with pytest.raises(SuppressionError, match=message):
        suppress(counts)


cell_value = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 200))
tables = st.integers(2, 6).flatmap(lambda r: st.integers(2, 6).flatmap(
    lambda c: st.lists(st.lists(cell_value, min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=150, deadline=None)
@given(tables, st.integers(2, 15))
def test_property__no_suppressed_cell_can_be_recomputed(counts, k):
    r = suppress(counts, k=k)
    assert r.primary == {(i, j) for i, row in enumerate(counts) for j, v in enumerate(row) if 0 < v < k}
    assert r.primary <= r.suppressed
    # exact linear algebra: no suppressed cell's unit vector is in the row space of the constraints
    assert determined_cells((len(counts), len(counts[0])), r.suppressed) == set()
    # LP: every suppressed cell has a range of possible values given what is published ...
    bounds = interval_bounds(counts, r.suppressed)
    for cell in r.suppressed - r.unprotected:
        lo, hi = bounds[cell]
        assert lo <= counts[cell[0]][cell[1]] <= hi and hi > lo, (cell, bounds[cell])
    # ... except cells the totals alone fix (a zero row/column, a tiny total), which are reported: masking
    # EVERY cell would not hide them either
    if r.unprotected:
        everything = {(i, j) for i in range(len(counts)) for j in range(len(counts[0]))}
        fixed = interval_bounds(counts, everything)
        assert all(fixed[c][0] == fixed[c][1] for c in r.unprotected)
        assert r.warnings


def test_property_helper__published_view_does_not_contain_masked_values():
    counts = [[3, 20, 30], [40, 50, 60], [70, 80, 90]]
    r = suppress(counts)
    rows, cols, cells = _published_view(counts, r.suppressed)
    assert (rows, cols) == ([53, 150, 240], [113, 150, 180]) and not (set(cells) & r.suppressed)


def test_table_with_total_row_and_column__recognised_and_checked():
    header = ["町丁", "0～14歳", "15～64歳", "65歳以上", "合計"]
    rows = [["A町", "3", "120", "40", "163"], ["B町", "25", "300", "-", "325"], ["C町", "30", "200", "55", "285"],
            ["合計", "58", "620", "95", "773"]]
    table = parse_table(header, rows)
    assert (table.label_names, table.value_names, table.total_column, table.total_row) == (
        ["町丁"], ["0～14歳", "15～64歳", "65歳以上"], "合計", ["合計"])
    assert table.counts == [[3, 120, 40], [25, 300, 0], [30, 200, 55]] and table.warnings == []
    bad = parse_table(header, rows[:-1] + [["合計", "58", "621", "95", "774"]])
    assert any("合計行 (5行目) が内訳の和と一致しない列があります: 15～64歳" in w for w in bad.warnings)


def test_already_suppressed_cell__error_names_row_and_column():
    with pytest.raises(SuppressionError, match="3行目 列「人口」: 「x」はすでに秘匿された値です"):
        parse_table(["町", "人口"], [["A", "5"], ["B", "x"]])


def _sapporo_slice(rows: int = 30):
    """清田区 towns (first ``rows``), 5-year age groups; towns Sapporo itself masked whole ("x") are left out."""
    header, data, numbers = read_rows(SAPPORO.read_bytes(), SAPPORO.name)
    picked = [(r, n) for r, n in zip(data, numbers) if r[0] == "清田区" and r[1] != "清田区" and "x" not in r][:rows]
    return header[1:], [r[1:] for r, _ in picked], [n for _, n in picked]


def test_real_table__sapporo_kiyota_ward_slice():
    header, rows, numbers = _sapporo_slice()
    table, r = suppress_table(header, rows, k=10, label_columns=1, row_numbers=numbers)
    assert table.total_column == "人口"  # recognised: equals the sum of the age groups in every row
    assert table.dropped_columns == ["年少人口", "老年人口", "生産年齢人口"]  # subtotals, left out
    assert len(table.value_names) == 21 and len(table.counts) == 30
    assert r.primary == {(i, j) for i, row in enumerate(table.counts) for j, v in enumerate(row) if 0 < v < 10}
    assert len(r.primary) == 132 and r.unprotected == set()
    proof = verify(r)
    assert proof == {"determined": [], "zero_width": [], "lp": True}
    # the published totals are the file's 人口 column
    assert r.row_totals == [int(row[header.index("人口")]) for row in rows]
    text = masked_csv(table, r).decode("utf-8-sig")
    out = list(csv.reader(io.StringIO(text)))
    assert out[0][:3] == ["区分", "人口", "0～4歳"] and out[-1][0] == "合計"
    assert sum(cell == "X" for line in out for cell in line) == len(r.suppressed)
    assert out[-1][1] == str(sum(r.row_totals))


def test_cli_suppress__summary_and_masked_file(tmp_path):
    source = tmp_path / "ages.csv"
    source.write_bytes("町丁,0～14歳,15～64歳,65歳以上,合計\nA町,3,120,40,163\nB町,25,300,50,375\nC町,30,200,55,285\n"
                       .encode("cp932"))
    out = io.StringIO()
    call_command("suppress", str(source), "--k", "10", "-o", str(tmp_path / "masked.csv"), "--symbol", "…",
                 stdout=out)
    assert "一次秘匿 1、二次秘匿 3" in out.getvalue()
    masked = (tmp_path / "masked.csv").read_text("utf-8-sig").splitlines()
    # the 3 is primary; 40 + 50 + 25 is the cheapest cycle through it (120 + 300 + 25 would cost more)
    assert masked == ["町丁,0～14歳,15～64歳,65歳以上,合計", "A町,…,120,…,163", "B町,…,300,…,375",
                      "C町,30,200,55,285", "合計,58,620,145,823"]


def test_cli_suppress__bad_file__error(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("町丁,人口\nA町,十\n")
    with pytest.raises(CommandError, match="bad.csv: 2行目 列「人口」: 「十」は 0 以上の整数ではありません"):
        call_command("suppress", str(source), "--label-columns", "1")
