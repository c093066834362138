"""The column-wise CSV path (large files) gives exactly what the row-wise path gives.

Large CSVs are parsed by pyarrow into columns and typed once per distinct
value (``datastore.reading.csvfast``, ``datastore.inference``); every other
file, and every large file pyarrow would read differently (ragged rows, a
quoted cell over several lines, an unclosed quote), is read row by row with
``csv.reader``. Each test reads the same bytes both ways — the size threshold
is lowered to force the column-wise path and raised to force the row-wise one
— and asserts that cells, file row numbers, warnings and typed values are the
same, and which path was taken.
"""

from __future__ import annotations

import datetime as dt
import gc

import pyarrow as pa
import pytest

from madoguchi.datastore import ingest as ingest_module
from madoguchi.datastore.errors import IngestError
from madoguchi.datastore.typedtable import build_table
from madoguchi.datastore.reading import csvfast, read_table
from madoguchi.datastore.reading.shape import PY_WHITESPACE

from .conftest import records

HEADER = "区名,町名,年齢,人口,世帯数,調査日,備考"


def _row(i: int) -> str:
    pop = "-" if i % 17 == 0 else (f'"{1000 + i:,}"' if i % 11 == 0 else str(i % 90))
    return f"中央区,大通東{i % 7 + 1}丁目,{i % 101},{pop},{i % 40},令和6年4月1日,　メモ{i % 3} "


def _body(n: int = 120, start: int = 0) -> list[str]:
    return [_row(i) for i in range(start, start + n)]


def _read(data: bytes, monkeypatch, *, fast: bool, **options):
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 0 if fast else 10**12)
    return read_table("csv", data, file="t.csv", options=options)


def _row_numbers(raw) -> list[int]:
    return raw.row_numbers_at(list(range(raw.num_rows)))


def _both(data: bytes, monkeypatch, *, expect_fast: bool, **options):
    """Read ``data`` both ways, assert the results are identical; return (raw, table, columns, warnings)."""
    fast = _read(data, monkeypatch, fast=True, **options)
    slow = _read(data, monkeypatch, fast=False, **options)
    assert slow.rows is not None and slow.columns is None
    assert (fast.columns is not None) == expect_fast, "column-wise path taken" if not expect_fast else "fell back"
    assert fast.header == slow.header
    assert fast.source_names == slow.source_names
    assert fast.info == slow.info
    assert fast.warnings == slow.warnings
    assert _row_numbers(fast) == _row_numbers(slow)
    fast_table, fast_columns, fast_warnings = build_table(fast, release=True)
    slow_table, slow_columns, slow_warnings = build_table(slow)
    assert fast.columns is None and fast.rows is None  # released
    assert fast_columns == slow_columns
    assert fast_warnings == slow_warnings
    assert fast_table.schema == slow_table.schema
    assert fast_table.to_pydict() == slow_table.to_pydict()
    return slow, slow_table, slow_columns, slow.warnings + slow_warnings


def _codes(warnings: list[dict]) -> dict[str, dict]:
    return {w["code"]: w for w in warnings if w["code"] != "column_renamed"}


def test_fast_path__cp932_crlf_title_rows_and_empty_rows(monkeypatch):
    body = _body()
    body[9] = ""  # blank line: file row 13
    body[20] = ",,,,,,"  # only delimiters: file row 24
    body[30] = " ,\u3000,,\t, , ,"  # only whitespace: file row 34
    lines = ["令和6年4月1日現在,町丁別人口,,,,,", "", HEADER, *body, "", ""]  # ends with one blank line
    data = "\r\n".join(lines).encode("cp932")
    raw, table, columns, warnings = _both(data, monkeypatch, expect_fast=True)
    assert raw.info == {"encoding": "cp932", "delimiter": ",", "format": "csv", "header_row": 3}
    codes = _codes(warnings)
    assert codes["title_rows_skipped"]["rows"] == [1]
    assert codes["empty_rows_dropped"]["rows"] == [2, 13, 24, 34, 124]
    assert codes["empty_rows_dropped"]["count"] == 5
    assert table.num_rows == 117
    assert {c["name"]: c["type"] for c in columns} == {
        "区名": "string", "町名": "string", "年齢": "integer", "人口": "integer", "世帯数": "integer",
        "調査日": "date", "備考": "string"}
    # row numbers after the dropped rows are file rows; "-" is no value
    placeholder = codes["placeholder_as_empty"]
    assert placeholder["column"] == "人口" and placeholder["rows"][:3] == [4, 21, 38]
    values = table.to_pydict()
    assert values["_id"][:3] == [1, 2, 3]
    assert values["人口"][:3] == [None, 1, 2]
    assert values["人口"][10] == 1011 and values["調査日"][0] == dt.date(2024, 4, 1)
    assert values["備考"][0] == "メモ0"  # trimmed of U+3000 and space, as written otherwise
    assert values["_search"][0] == "中央区\x1f大通東1丁目\x1f0\x1f-\x1f0\x1f令和6年4月1日\x1fめも0"


@pytest.mark.parametrize("encoding,newline", [("utf-8-sig", "\n"), ("utf-8", "\r"), ("euc_jp", "\r\n")])
def test_fast_path__encodings_and_line_ends(monkeypatch, encoding, newline):
    data = newline.join([HEADER, *_body(100)]).encode(encoding)
    raw, table, _, _ = _both(data, monkeypatch, expect_fast=True)
    assert raw.info["encoding"] == encoding and raw.info["header_row"] == 1
    assert _row_numbers(raw)[:2] == [2, 3] and table.num_rows == 100
    assert table.column("町名")[0].as_py() == "大通東1丁目"


def test_fast_path__tab_delimiter_quotes_and_empty_nameless_column(monkeypatch):
    lines = ["名前\t値\t\t番号"] + [f'"a""{i}"\t{i}\t\t{i:03d}' for i in range(100)]
    lines[5] = 'ab"c\t4\t\t004'  # a quote inside an unquoted cell is text
    lines[6] = '"x"y\t5\t\t005'  # text after a closing quote is kept
    data = "\n".join(lines).encode()
    raw, table, columns, warnings = _both(data, monkeypatch, expect_fast=True)
    assert raw.header == ["名前", "値", "番号"]
    assert _codes(warnings)["empty_columns_dropped"]["count"] == 1
    assert table.column("名前").to_pylist()[3:7] == ['a"3', 'ab"c', "xy", 'a"6']
    assert {c["name"]: c["type"] for c in columns} == {"名前": "string", "値": "integer", "番号": "string"}
    assert _codes(warnings)["leading_zero_kept"]["count"] == 100


def test_fast_path__ragged_rows_fall_back_to_row_wise(monkeypatch):
    body = _body()
    body[4] = body[4] + ",追加"  # longer: file row 6
    body[50] = "中央区,大通東1丁目,3"  # shorter: file row 52
    data = "\n".join([HEADER, *body]).encode()
    raw, table, _, warnings = _both(data, monkeypatch, expect_fast=False)
    codes = _codes(warnings)
    assert codes["ragged_rows_extended"]["rows"] == [6]
    assert codes["ragged_rows_padded"]["rows"] == [52]
    assert raw.header[-1] == "column_8"
    assert table.column("column_8")[4].as_py() == "追加" and table.column("人口")[50].as_py() is None


def test_fast_path__trailing_delimiter_on_data_rows_falls_back(monkeypatch):
    data = "\n".join([HEADER] + [r + "," for r in _body()]).encode()
    raw, table, _, warnings = _both(data, monkeypatch, expect_fast=False)
    assert raw.header == HEADER.split(",") and "ragged_rows_extended" not in _codes(warnings)


def test_fast_path__quoted_multi_line_cell_falls_back_and_keeps_row_numbers(monkeypatch):
    body = _body()
    body[10] = '中央区,大通東1丁目,1,2,3,令和6年4月1日,"一行目\r\n二行目"'  # file rows 12-13
    body[40] = "中央区,大通東1丁目,1,不明,3,令和6年4月1日,"  # file row 43 (one line later)
    data = "\r\n".join([HEADER, *body]).encode("cp932")
    raw, table, _, warnings = _both(data, monkeypatch, expect_fast=False)
    assert _row_numbers(raw)[9:12] == [11, 12, 14]
    assert table.column("備考")[10].as_py() == "一行目\r\n二行目"
    unparsed = _codes(warnings)["unparsed_values"]
    assert unparsed["column"] == "人口" and unparsed["rows"] == [43]


def test_fast_path__unclosed_quote_is_the_same_error(monkeypatch):
    body = [f"中央区,大通東{i}丁目,{i}" for i in range(400)]
    body[60] = '中央区,"大通東1丁目,1'  # file row 62, never closed
    data = "\n".join(["区名,町名,人口", *body]).encode()
    errors = []
    for fast in (True, False):
        with pytest.raises(IngestError) as exc:
            _read(data, monkeypatch, fast=fast)
        errors.append(exc.value.as_dict())
    assert errors[0] == errors[1]
    assert errors[0]["code"] == "csv" and errors[0]["row"] == 62


def test_fast_path__types_from_distinct_values_match_row_wise(monkeypatch):
    lines = ["ID,緯度,経度,有効,開始,更新,許可日,金額,数"]
    for i in range(150):
        lines.append(f"{i:05d},{34 + i / 1000},{138 + i / 1000},{'TRUE' if i % 2 else 'false'},"
                     f"{9 + i % 10}:30,2023-01-{1 + i % 28:02d} {i % 24}:00:00,2023-02-{1 + i % 28:02d} 00:00:00,"
                     f"\"{i * 1000:,}.5\",{'x' if i % 50 == 0 else i}")
    data = "\n".join(lines).encode()
    raw, table, columns, warnings = _both(data, monkeypatch, expect_fast=True)
    assert {c["name"]: (c["type"], c["role"]) for c in columns} == {
        "ID": ("string", None), "緯度": ("number", "latitude"), "経度": ("number", "longitude"),
        "有効": ("boolean", None), "開始": ("time", None), "更新": ("datetime", None), "許可日": ("date", None),
        "金額": ("number", None), "数": ("integer", None)}
    first = table.slice(1, 1).to_pylist()[0]
    assert first["有効"] is True and first["開始"] == dt.time(10, 30) and first["許可日"] == dt.date(2023, 2, 2)
    assert first["更新"] == dt.datetime(2023, 1, 2, 1, 0) and first["金額"] == 1000.5
    assert _codes(warnings)["placeholder_as_empty"]["rows"] == [2, 52, 102]


def test_fast_path__small_files_are_read_row_wise():
    raw = read_table("csv", "\n".join([HEADER, *_body(20)]).encode(), file="t.csv")
    assert raw.rows is not None and raw.columns is None


def test_fast_path__python_whitespace_set_is_complete():
    assert PY_WHITESPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_fast_path__ingest_publishes_the_same_records(ingest, make_dataset, monkeypatch):
    body = _body(300)
    body[99] = ""
    data = "\r\n".join(["令和6年4月1日現在,,,,,,", HEADER, *body]).encode("cp932")
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 0)
    fast = ingest(data, "big.csv", dataset=make_dataset("fast", "速"))
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 10**12)
    slow = ingest(data, "big.csv", dataset=make_dataset("slow", "遅"))
    assert fast.row_count == slow.row_count == 299
    assert fast.columns == slow.columns and fast.report["warnings"] == slow.report["warnings"]
    assert fast.report["reader"] == slow.report["reader"] and fast.sha256 == slow.sha256
    fast_records = records(fast, limit=1000)["records"]
    assert fast_records == records(slow, limit=1000)["records"]
    assert fast_records[98]["_id"] == 99 and fast_records[98]["年齢"] == 98
    assert fast_records[99]["年齢"] == 100  # the row after the dropped blank line
    assert gc.isenabled()


def test_gc_paused__nests_and_restores():
    assert gc.isenabled()
    with ingest_module._gc_paused():
        with ingest_module._gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with ingest_module._gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_build_table__dictionary_columns_with_unused_values_are_typed_like_rows():
    # a dictionary entry no row uses ("x") must not stop the column from being integer
    column = pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 0], pa.int32()), pa.array(["1", "2", "x"]))
    from madoguchi.datastore.reading.base import RawTable

    raw = RawTable(header=["n"], rows=None, row_numbers=range(2, 6), source_names=["n"], columns=[column])
    table, columns, _ = build_table(raw)
    assert columns[0]["type"] == "integer"
    assert table.column("n").to_pylist() == [1, 2, None, 1]


def test_build_table__rows_without_any_value_get_empty_search_text():
    from madoguchi.datastore.reading.base import RawTable

    for header, rows in ((["a"], [["1"], [None], ["2"]]), (["a", "b"], [["1", None], [None, " "], [None, "x"]])):
        raw = RawTable(header=header, rows=rows, row_numbers=[2, 3, 4], source_names=header)
        table, _, _ = build_table(raw)
        assert table.num_rows == 3
        assert table.column("_search").to_pylist()[1] == ""


def test_write_typed_table__same_file_as_snapshots_write_table(monkeypatch, tmp_path):
    import pyarrow.parquet as pq

    from madoguchi.datastore import snapshots, typedtable
    from madoguchi.datastore.tablewriter import write_typed_table

    monkeypatch.setattr(typedtable, "ROW_GROUP_ROWS", 50)  # several row groups from a small file
    monkeypatch.setattr(csvfast, "FAST_MIN_CHARS", 0)
    body = _body(230)
    body[7] = ",,,,,,"
    raw = read_table("csv", "\n".join([HEADER, *body]).encode(), file="t.csv")
    typed = typedtable.type_table(raw)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    streamed = pq.ParquetFile(write_typed_table(tmp_path / "a", typed))
    whole = pq.ParquetFile(snapshots.write_table(tmp_path / "b", typed.to_table()))
    assert streamed.schema_arrow == whole.schema_arrow
    assert streamed.metadata.num_rows == whole.metadata.num_rows == 229
    assert streamed.metadata.num_row_groups == 5 and whole.metadata.num_row_groups == 1  # 64k rows per group
    first = streamed.metadata.row_group(0)
    assert {first.column(j).compression for j in range(first.num_columns)} == {"ZSTD"}
    encodings = {first.column(j).path_in_schema: first.column(j).encodings for j in range(first.num_columns)}
    assert "DELTA_BINARY_PACKED" in encodings["_id"] and "RLE_DICTIONARY" not in encodings["_id"]
    assert "RLE_DICTIONARY" not in encodings["_search"] and "RLE_DICTIONARY" in encodings["区名"]
    assert streamed.read().to_pydict() == whole.read().to_pydict()
    assert streamed.read().column("_id").to_pylist() == list(range(1, 230))


def test_made_ahead__order_errors_and_early_stop():
    import threading

    from madoguchi.datastore.tablewriter import made_ahead

    assert list(made_ahead(iter(range(10)), 2)) == list(range(10))

    def failing():
        yield 1
        raise ValueError("boom")

    got = []
    with pytest.raises(ValueError, match="boom"):
        for item in made_ahead(failing(), 2):
            got.append(item)
    assert got == [1]
    before = threading.active_count()
    for item in made_ahead(iter(range(1000)), 2):
        break
    assert threading.active_count() == before  # the producer stopped


def test_ingest__empty_table_is_written(ingest):
    v = ingest("a,b\n".encode(), "header-only.csv")
    assert v.row_count == 0 and [c["type"] for c in v.columns] == ["string", "string"]
    assert records(v)["records"] == []


@pytest.mark.parametrize("after", [0, 100_000])
def test_detect_encoding__large_file_decisions_and_errors(after):
    from madoguchi.datastore.reading.encoding import detect_encoding

    text = "町名,人口\r\n" + "大通東1丁目,10\r\n" * 20_000  # > 64 KiB in every encoding
    for encoding in ("utf-8", "cp932", "euc_jp"):
        assert detect_encoding(text.encode(encoding)) == (encoding, text)
    good = text.encode("cp932")
    at = good.index(b"\n", after) + 1  # the start of a line: within the first 64 KiB, or after them
    bad = good[:at] + b"\x81\x20" + good[at:]  # undecodable in UTF-8, CP932 and EUC-JP
    with pytest.raises(IngestError) as exc:
        detect_encoding(bad, file="bad.csv")
    assert exc.value.code == "encoding" and exc.value.row == good[:at].count(b"\n") + 1
    assert f"{at} バイト目" in exc.value.message


def _streamed(monkeypatch, chunk: int = 4096) -> list:
    """Make ``read_stream`` decode ``chunk`` bytes at a time and record what it returned."""
    results = []
    original = csvfast.read_stream

    def spy(*args, **kwargs):
        results.append(original(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(csvfast, "STREAM_CHUNK_BYTES", chunk)
    monkeypatch.setattr(csvfast, "read_stream", spy)
    return results


def _big_body(n: int = 3000) -> list[str]:  # > 64 KiB: the encoding is known from the head
    return _body(n)


@pytest.mark.parametrize("encoding,newline", [("cp932", "\r\n"), ("euc_jp", "\n")])
def test_stream__legacy_encodings_decoded_and_parsed_piece_by_piece(monkeypatch, encoding, newline):
    body = _big_body()
    body[5] = ""
    body[2500] = ",,,,,,"  # in a later piece: file row 2503
    body[2700] = "中央区,大通東1丁目,1,不明,3,令和6年4月1日,"  # file row 2703
    data = newline.join(["令和6年4月1日現在,,,,,,", HEADER, *body]).encode(encoding)
    streamed = _streamed(monkeypatch)
    raw, table, columns, warnings = _both(data, monkeypatch, expect_fast=True)
    assert len(streamed) == 1 and streamed[0] is not None  # the column-wise read was the streamed one
    assert raw.info == {"encoding": encoding, "delimiter": ",", "format": "csv", "header_row": 2}
    assert _codes(warnings)["empty_rows_dropped"]["rows"] == [8, 2503]
    assert _codes(warnings)["unparsed_values"]["rows"] == [2703] and table.column("人口").type == pa.string()
    assert table.num_rows == 2998 and table.column("年齢").type == pa.int64()
    assert table.column("町名").to_pylist()[:2] == ["大通東1丁目", "大通東2丁目"]


def test_stream__multi_line_cell_in_a_later_piece_falls_back(monkeypatch):
    body = _big_body()
    body[2000] = '中央区,大通東1丁目,1,2,3,令和6年4月1日,"一行目\r\n二行目"'
    data = "\r\n".join([HEADER, *body]).encode("cp932")
    streamed = _streamed(monkeypatch, chunk=997)
    raw, table, _, _ = _both(data, monkeypatch, expect_fast=False)
    assert streamed == [None]
    assert _row_numbers(raw)[2000:2002] == [2002, 2004]
    assert table.column("備考")[2000].as_py() == "一行目\r\n二行目"


def test_stream__undecodable_byte_after_the_head_is_the_same_error(monkeypatch):
    good = "\r\n".join([HEADER, *_big_body()]).encode("cp932")
    at = good.index(b"\n", 100_000) + 1  # well after the 64 KiB the encoding is judged from
    bad = good[:at] + b"\x81\x20" + good[at:]
    streamed = _streamed(monkeypatch)
    errors = []
    for fast in (True, False):
        with pytest.raises(IngestError) as exc:
            _read(bad, monkeypatch, fast=fast)
        errors.append(exc.value.as_dict())
    assert streamed == [None] and errors[0] == errors[1]
    assert errors[0]["code"] == "encoding" and errors[0]["row"] == good[:at].count(b"\n") + 1


def test_stream__not_used_when_the_head_reads_in_both_legacy_encodings(monkeypatch):
    from madoguchi.datastore.reading.encoding import streamable_encoding

    words = ["テスト", "カナ", "ｶﾅ", "データ"]  # in EUC-JP, also valid (other) CP932 text
    lines = [",".join(words)] + [",".join(words[(i + k) % 4] for k in range(4)) + f",{i}" for i in range(3000)]
    lines[0] += ",カウント"
    data = "\n".join(lines).encode("euc_jp")
    assert streamable_encoding(data) is None  # the whole file must be decoded to choose
    streamed = _streamed(monkeypatch)
    raw, table, _, _ = _both(data, monkeypatch, expect_fast=True)
    assert streamed == [] and raw.info["encoding"] == "euc_jp"
    assert table.column("テスト")[0].as_py() == "テスト"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_fast_path__cell_longer_than_a_parse_block(monkeypatch, encoding):
    body = _big_body()
    body[2000] = "中央区,大通東1丁目,1,2,3,令和6年4月1日," + "長" * 1_500_000  # longer than pyarrow's 1 MB block
    data = "\n".join([HEADER, *body]).encode(encoding)
    raw, table, columns, _ = _both(data, monkeypatch, expect_fast=False)
    assert len(table.column("備考")[2000].as_py()) == 1_500_000 and table.num_rows == 3000
