"""CSV reader: encoding, dialect, then ``shape_rows``."""

from __future__ import annotations

import csv
import io

from ..errors import IngestError
from .base import RawTable
from .encoding import detect_encoding
from .shape import shape_rows

DELIMITERS = ",\t;|"
MAX_LINES_PER_RECORD = 200  # a quoted cell longer than this is an unclosed quote
csv.field_size_limit(2**31 - 1)  # csv's default of 131,072 characters refuses real long cells; uploads are bounded


def sniff_delimiter(sample: str) -> str:
    """Return the delimiter of a CSV sample: csv.Sniffer, else the most consistent candidate."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        score = sum(1 for c in counts if c == counts[0]) / len(counts) + (counts[0] > 0)
        if score > best_score:
            best, best_score = d, score
    return best


def read_csv(data: bytes, *, file: str = "", options: dict | None = None, progress=None) -> RawTable:
    """Read CSV bytes (any of UTF-8/BOM, CP932, EUC-JP; comma, tab, semicolon, pipe).

    :param options: ``encoding`` (skip detection), ``delimiter``
    :param progress: optional ``callable(fraction)`` called while reading
    :raises IngestError: ``empty``, ``encoding``, or ``csv`` (with row) on a broken quote.
    """
    options = options or {}
    if not data.strip():
        raise IngestError("ファイルが空です (the file is empty)", file=file, code="empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("CSV ではありません。バイナリファイルのようです (binary content, not CSV)",
                          file=file, code="not_csv")
    if options.get("encoding"):
        try:
            encoding, text = options["encoding"], data.decode(options["encoding"])
        except (UnicodeDecodeError, LookupError) as exc:
            raise IngestError(f"指定の文字コード {options['encoding']} で読めません: {exc}", file=file,
                              code="encoding") from None
    else:
        encoding, text = detect_encoding(data, file=file)
    delimiter = options.get("delimiter") or sniff_delimiter(text[:65536])
    total_lines = text.count("\n") + 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list[str]] = []
    numbers: list[int] = []
    start = 1
    try:
        for row in reader:
            grid.append(row)
            numbers.append(start)
            if reader.line_num - start > MAX_LINES_PER_RECORD:
                raise IngestError("引用符 (\") が閉じられていないようです。この行から後ろが一つのセルになっています",
                                  file=file, row=start, code="csv")
            start = reader.line_num + 1
            if progress and len(grid) % 100_000 == 0:
                progress(min(1.0, reader.line_num / total_lines))
    except csv.Error as exc:
        raise IngestError(f"CSV の構文が壊れています (閉じていない引用符など): {exc}", file=file,
                          row=reader.line_num, code="csv") from None
    return shape_rows(grid, numbers, file=file,
                      info={"encoding": encoding, "delimiter": delimiter, "format": "csv"})
