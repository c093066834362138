"""CSV reader: encoding, dialect, then ``shape_rows``."""

from __future__ import annotations

import csv
import io

from ..errors import IngestError
from . import csvfast, metadata
from .base import RawTable
from .encoding import detect_encoding, streamable_encoding
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

    Large files are read column-wise (``csvfast``) when the result is the same
    as reading them row-wise; all others row-wise (also every file starting with
    ``#`` rows: RDF-style metadata and comments, ``metadata``).

    :param options: ``encoding`` (skip detection), ``delimiter``
    :param progress: optional ``callable(fraction)`` called while reading
    :raises IngestError: ``empty``, ``encoding``, or ``csv`` (with row) on a broken quote.
    """
    options = options or {}
    if not data or data.isspace():  # = not data.strip(), without copying the file
        raise IngestError("ファイルが空です (the file is empty)", file=file, code="empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("CSV ではありません。バイナリファイルのようです (binary content, not CSV)",
                          file=file, code="not_csv")
    # ``#`` rows on top (RDF-style metadata, comments) are read by the row-wise reader only
    hashed = metadata.starts_with_hash(data[:4096].removeprefix(b"\xef\xbb\xbf").decode("latin-1"))
    if not options.get("encoding") and len(data) >= csvfast.FAST_MIN_CHARS and not hashed:
        # a large CP932 / EUC-JP file: decoded and parsed at the same time
        streamed = streamable_encoding(data)
        if streamed:
            table = csvfast.read_stream(data, streamed, delimiter=options.get("delimiter"), sniff=sniff_delimiter,
                                        max_lines_per_record=MAX_LINES_PER_RECORD, progress=progress)
            if table is not None:
                return table
    if options.get("encoding"):
        try:
            encoding, text = options["encoding"], data.decode(options["encoding"])
        except (UnicodeDecodeError, LookupError) as exc:
            raise IngestError(f"指定の文字コード {options['encoding']} で読めません: {exc}", file=file,
                              code="encoding") from None
    else:
        encoding, text = detect_encoding(data, file=file)
    delimiter = options.get("delimiter") or sniff_delimiter(text[:65536])
    info = {"encoding": encoding, "delimiter": delimiter, "format": "csv"}
    if (len(text) >= csvfast.FAST_MIN_CHARS and delimiter in csvfast.FAST_DELIMITERS and len(delimiter) == 1
            and not metadata.starts_with_hash(text[:4096])):
        head = csvfast.read_head(text, delimiter, MAX_LINES_PER_RECORD)
        if head is not None:
            body = csvfast.body_buffer(data, text, encoding, head.offset, detected=not options.get("encoding"))
            if body is not None:
                del text  # let the decoded text go while pyarrow parses
                if progress:
                    progress(0.3)
                table = csvfast.read_body(body, head, delimiter=delimiter, info=info, progress=progress)
                if table is not None:
                    return table
                del body
                text = _decode(data, encoding, forced=bool(options.get("encoding")))
    return read_csv_rows(text, delimiter, file=file, info=info, progress=progress)


def _decode(data: bytes, encoding: str, *, forced: bool) -> str:
    """The text ``detect_encoding`` (or the forced encoding) gave for ``data``, again."""
    if not forced and encoding == "utf-8-sig":
        return data[3:].decode("utf-8")
    return data.decode(encoding)


def read_csv_rows(text: str, delimiter: str, *, file: str = "", info: dict, progress=None) -> RawTable:
    """Read decoded CSV text row by row with ``csv.reader``, then ``shape_rows`` (the reference reader)."""
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
    return shape_rows(grid, numbers, file=file, info=dict(info))
