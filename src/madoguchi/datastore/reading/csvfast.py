"""Column-wise CSV reading for large files: pyarrow parses, the same rules apply.

The row-wise reader (``csv.reader`` + ``shape_rows`` in ``csvfile``) defines
the result. This path gives the same ``RawTable`` (same cells, file row
numbers and warnings) for the files it accepts and hands every other file back
(``None`` from ``read_head`` / ``read_body`` / ``read_stream``):

* the top of the file is read row-wise with ``csv.reader``, exactly as the
  row-wise reader reads it, until ``find_header_row`` has all the rows it looks
  at; title rows, empty rows above the header and the header come from there.
  A file that ends before that is small and read row-wise;
* the lines after the header are parsed by ``pyarrow.csv`` into one
  dictionary-encoded string column per header cell (all text, nothing turned
  into null). Handed back: a row with more or fewer cells than the header
  (ragged rows are extended/padded and reported row-wise), a line break inside
  a cell (a quoted multi-line cell or an unclosed quote; without them every
  record is one line, so data row ``i`` is file row ``first_line + i``), any
  parse error;
* a blank line is a row of empty cells; empty rows (every cell empty or
  ``str.isspace``) and columns with neither name nor value are found on the
  dictionaries (each distinct text once) and dropped, as ``shape_rows`` does;
* ``read_stream``: a CP932 / EUC-JP file whose encoding its head already
  decides (``encoding.streamable_encoding``) is decoded a piece at a time, and
  each piece of whole lines is parsed on other threads while the next piece is
  decoded. A piece ending inside a quoted cell would leave a line break in a
  cell, so pieces cut at line ends give the rows of the whole text. A byte that
  does not decode hands the file back (``detect_encoding`` then reports it).

Equivalence with the row-wise reader is tested in ``tests/test_ingest_fast_path.py``.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .base import RawTable
from .shape import (BLANK_CELL_RE, HEADER_LOOKAHEAD_ROWS, _has_value, empty_columns_warning, empty_rows_warning,
                    find_header_row, name_columns, title_rows_warning)

#: files with fewer characters are read row-wise (fast enough, and the reference)
FAST_MIN_CHARS = 1 << 19
#: delimiters pyarrow and ``csv.reader`` split the same way
FAST_DELIMITERS = ",\t;|"
_LINE_END = re.compile(r"\r\n|\r|\n")
_CELL_TYPE = pa.dictionary(pa.int32(), pa.string())


class _Lines:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` yields them (ends kept;
    ``\\r\\n``, ``\\r`` and ``\\n`` end a line), without copying the text; ``ends[k]`` is
    the offset just after line ``k + 1``."""

    def __init__(self, text: str):
        self.text, self.pos, self.ends = text, 0, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise StopIteration
        m = _LINE_END.search(text, pos)
        end = m.end() if m else len(text)
        self.pos = end
        self.ends.append(end)
        return text[pos:end]


@dataclass
class Head:
    """The top of a CSV file read row-wise: everything through the header row."""

    header_cells: list[str]  # the header row as read
    numbers: list[int]  # file row numbers of the non-empty rows through the header
    h: int  # index of the header among the non-empty rows (= title rows skipped)
    empty_numbers: list[int]  # file row numbers of the empty rows above the header
    first_line: int  # file line number of the line after the header
    offset: int  # character offset of that line in the text


def read_head(text: str, delimiter: str, max_lines_per_record: int) -> Head | None:
    """Read the top of ``text`` the way the row-wise reader does and find the header.

    :returns: ``None`` to hand the file to the row-wise reader: it ends within
        the rows ``find_header_row`` looks at, or a record there is broken.
    """
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    records: list[tuple[list[str], int, int, bool]] = []  # (cells, first line, last line, has value)
    filled = 0
    start = 1
    try:
        for row in reader:
            end = reader.line_num
            if end - start > max_lines_per_record:
                return None
            value = _has_value(row)
            records.append((row, start, end, value))
            filled += value
            start = end + 1
            if filled > HEADER_LOOKAHEAD_ROWS:
                break
        else:
            return None
    except csv.Error:
        return None
    at = [i for i, r in enumerate(records) if r[3]]  # the non-empty records
    h = find_header_row([records[i][0] for i in at])
    cells, _, last_line, _ = records[at[h]]
    return Head(header_cells=cells, numbers=[records[i][1] for i in at[:h + 1]], h=h,
                empty_numbers=[r[1] for r in records[:at[h]] if not r[3]],
                first_line=last_line + 1, offset=lines.ends[last_line - 1])


def body_buffer(data: bytes, text: str, encoding: str, offset: int, *, detected: bool) -> pa.Buffer | None:
    """UTF-8 bytes of ``text[offset:]`` (no copy when the file is UTF-8); ``None`` if not encodable."""
    if detected and encoding in ("utf-8", "utf-8-sig"):
        skip = 3 if encoding == "utf-8-sig" else 0
        return pa.py_buffer(data).slice(skip + len(text[:offset].encode("utf-8")))
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return pa.py_buffer(utf8).slice(len(text[:offset].encode("utf-8")))


def _invalid_row(row) -> str:
    return "error"  # a ragged row: the row-wise reader extends/pads and reports it


def _parse(body, width: int, delimiter: str, *, threads: bool = True) -> pa.Table:
    """Parse CSV lines (UTF-8) into ``width`` dictionary-encoded string columns; raises on a ragged row."""
    names = [f"c{j}" for j in range(width)]
    return pcsv.read_csv(
        pa.BufferReader(body),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=threads),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                                        newlines_in_values=True, ignore_empty_lines=False,
                                        invalid_row_handler=_invalid_row),
        convert_options=pcsv.ConvertOptions(column_types={n: _CELL_TYPE for n in names},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False,
                                            check_utf8=False))


def read_body(body: pa.Buffer, head: Head, *, delimiter: str, info: dict, progress=None) -> RawTable | None:
    """Parse the lines after the header with pyarrow and shape them like ``shape_rows``.

    :returns: the ``RawTable`` (``columns`` hold dictionary-encoded strings), or
        ``None`` to hand the file to the row-wise reader.
    """
    width = len(head.header_cells)
    try:
        table = _parse(body, width, delimiter)
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns != width:
        return None
    columns = [table.column(j).combine_chunks() for j in range(width)]
    n = table.num_rows
    del table
    if progress:
        progress(0.8)
    return _shape(columns, n, head, info=info, progress=progress)


#: bytes decoded at a time by ``read_stream``; parsed while the next are decoded
STREAM_CHUNK_BYTES = 2 << 20
PARSE_THREADS = max(2, min(4, os.cpu_count() or 2))


def read_stream(data: bytes, encoding: str, *, delimiter: str | None, sniff, max_lines_per_record: int,
                progress=None) -> RawTable | None:
    """Decode ``data`` (in ``encoding``, see ``encoding.streamable_encoding``) piece by
    piece, parsing each piece of whole lines on other threads while the next is decoded.

    The result is ``read_body``'s for the whole decoded text; ``None`` hands the
    file to the reader that decodes it at once (also when a byte does not decode:
    that reader reports it).

    :param delimiter: the delimiter option, or ``None`` to ``sniff`` it from the
        first 64 Ki characters as ``read_csv`` does
    """
    view = memoryview(data)
    size = len(data)
    decoder = codecs.getincrementaldecoder(encoding)()

    def decode(start: int) -> tuple[str, int]:
        end = min(start + STREAM_CHUNK_BYTES, size)
        return decoder.decode(view[start:end], final=end >= size), end

    try:
        text, pos = decode(0)
        while len(text) < 65536 and pos < size:
            more, pos = decode(pos)
            text += more
    except UnicodeDecodeError:
        return None
    delimiter = delimiter or sniff(text[:65536])
    if len(delimiter) != 1 or delimiter not in FAST_DELIMITERS:
        return None
    cut = text.rfind("\n") + 1 if pos < size else len(text)
    text, carry = text[:cut], text[cut:]
    head = read_head(text, delimiter, max_lines_per_record) if cut else None
    if head is None:
        return None
    width = len(head.header_cells)
    pool = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="madoguchi-csv")
    try:
        pieces = []
        if head.offset < len(text):  # the lines after the header in the first piece
            pieces.append(pool.submit(_parse, text[head.offset:].encode("utf-8"), width, delimiter, threads=False))
        text = None
        while pos < size:
            try:
                text, pos = decode(pos)
            except UnicodeDecodeError:
                return None
            text = carry + text
            cut = text.rfind("\n") + 1 if pos < size else len(text)
            if cut:
                pieces.append(pool.submit(_parse, text[:cut].encode("utf-8"), width, delimiter, threads=False))
            carry = text[cut:]
            if progress:
                progress(0.7 * pos / size)
        text = carry = None
        tables = [piece.result() for piece in pieces]
    except (pa.ArrowException, ValueError):
        return None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if not tables or any(t.num_columns != width for t in tables):
        return None
    columns = [pa.chunked_array([c for t in tables for c in t.column(j).chunks], _CELL_TYPE).combine_chunks()
               for j in range(width)]
    n = sum(t.num_rows for t in tables)
    del tables
    if progress:
        progress(0.8)
    return _shape(columns, n, head, info={"encoding": encoding, "delimiter": delimiter, "format": "csv"},
                  progress=progress)


def _shape(columns: list[pa.DictionaryArray], n: int, head: Head, *, info: dict, progress=None) -> RawTable | None:
    """The ``RawTable`` of the parsed body columns, shaped like ``shape_rows``; ``None``
    if a cell holds a line break (the file goes to the row-wise reader)."""
    width = len(columns)
    for col in columns:  # a line break in a cell: a record over several lines (row numbers shift)
        d = col.dictionary
        if pc.any(pc.match_substring(d, "\n")).as_py() or pc.any(pc.match_substring(d, "\r")).as_py():
            return None

    has_value = [pc.invert(pc.match_substring_regex(col.dictionary, BLANK_CELL_RE)) for col in columns]
    row_numbers: range | pa.Array = range(head.first_line, head.first_line + n)
    dropped: list[int] = []
    n_dropped = 0
    if n and all(pc.sum(pc.invert(v)).as_py() for v in has_value):  # every column has an empty cell
        keep = None
        for col, value in zip(columns, has_value):
            rows = pc.take(value, col.indices)
            keep = rows if keep is None else pc.or_(keep, rows)
        n_dropped = n - (pc.sum(keep).as_py() or 0)
        if n_dropped:
            empty = pc.indices_nonzero(pc.invert(keep)).slice(0, 20).cast(pa.int64())
            dropped = pc.add(empty, head.first_line).to_pylist()
            row_numbers = pc.add(pc.indices_nonzero(keep).cast(pa.int64()), head.first_line)
            # re-encode so that every dictionary entry is used by some row
            columns = [pc.dictionary_encode(col.filter(keep).dictionary_decode()) for col in columns]

    warnings: list[dict] = []
    if head.empty_numbers or n_dropped:
        warnings.append(empty_rows_warning((head.empty_numbers + dropped)[:20], len(head.empty_numbers) + n_dropped))
    if head.h:
        warnings.append(title_rows_warning(head.numbers, head.h))
    source = [(c or "").strip() for c in head.header_cells]
    used = [bool(source[j]) or bool(pc.any(has_value[j]).as_py()) for j in range(width)]
    if not all(used):
        idx = [j for j in range(width) if used[j]]
        source = [source[j] for j in idx]
        columns = [columns[j] for j in idx]
        warnings.append(empty_columns_warning(width - len(idx)))
    header, renamed = name_columns(source)
    warnings.extend(renamed)
    if progress:
        progress(1.0)
    return RawTable(header=header, rows=None, row_numbers=row_numbers, source_names=source, warnings=warnings,
                    info=dict(info, header_row=head.numbers[head.h]), columns=columns)
