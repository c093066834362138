"""RDF-style metadata rows above a table (LinkData CSV/XLSX) and ``#`` comment rows.

Some cities publish tables made with LinkData (linkdata.org), whose top rows
begin with ``#``::

    #LINK
    #lang            ja
    #attribution_name 松本市
    #license         http://creativecommons.org/licenses/by/3.0/deed.ja
    #file_name / #download_from / #attribution_url …
    #property        name1   name2   …        (the column names: the header)
    #object_type_xsd xsd:string xsd:integer … (declared type of each column)
    #property_context IRI1  IRI2    …        (each column's IRI)
    (data rows: first cell = the row's subject, usually empty; then the values)

Two shapes of the marker are read: the marker alone in the first cell (the
first column is then LinkData's row subject column, given no name, so it is
dropped when empty and named ``column_1`` otherwise) or glued to the first
column's name (``#property 名称`` / ``#property:名称``; no subject column).

Rows above the header whose first cell is ``#`` + text and that are not a
metadata key, and which fill less than the header's width, are comments:
skipped and reported (``comment_rows_skipped``). A header that merely starts
with ``#`` (``#,名称,…``: ``#`` meaning No.) is a header, not a comment.

``extract`` is applied by ``shape.shape_rows`` (every row-wise reader); the
column-wise CSV path hands files starting with ``#`` to the row-wise reader
(``starts_with_hash``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import warning

#: the keys whose row is per column (one cell per column after the marker)
COLUMN_KEYS = ("property", "object_type_xsd", "property_context")
_KEY = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_]*)(?:[\s:=]+(.*))?$", re.DOTALL)

#: XML Schema datatypes → Frictionless Table Schema types (the ones ``inference`` makes)
XSD_TYPES = {
    "string": "string", "normalizedstring": "string", "token": "string", "anyuri": "string", "language": "string",
    "integer": "integer", "int": "integer", "long": "integer", "short": "integer", "byte": "integer",
    "nonnegativeinteger": "integer", "positiveinteger": "integer", "nonpositiveinteger": "integer",
    "negativeinteger": "integer", "unsignedlong": "integer", "unsignedint": "integer", "unsignedshort": "integer",
    "unsignedbyte": "integer", "gyear": "integer",
    "decimal": "number", "double": "number", "float": "number",
    "boolean": "boolean", "date": "date", "datetime": "datetime", "datetimestamp": "datetime", "time": "time",
}


def xsd_to_type(text: str | None) -> str | None:
    """``xsd:integer`` / ``http://www.w3.org/2001/XMLSchema#integer`` / ``integer`` → ``integer``;
    ``None`` for an empty or unknown datatype (the column is then inferred)."""
    if not text or not text.strip():
        return None
    local = re.split(r"[:#/]", text.strip())[-1].lower()
    return XSD_TYPES.get(local)


@dataclass
class Metadata:
    """What the ``#`` rows said. ``per_column`` values are aligned with the returned grid's columns."""

    values: dict = field(default_factory=dict)  # license, attribution_name, lang, … (scalar keys)
    per_column: dict[str, list[str | None]] = field(default_factory=dict)  # object_type_xsd, property_context
    keys: list[str] = field(default_factory=list)  # keys in file order, as written (``#LINK``)
    metadata_rows: list[int] = field(default_factory=list)
    comment_rows: list[int] = field(default_factory=list)
    has_property: bool = False

    def for_columns(self, names: list[str], kept: list[int]) -> dict:
        """The report dict ``{license, attribution_name, lang, …, property_context: {col: iri},
        declared_types: {col: frictionless type}, declared_xsd: {col: xsd}}`` for the final column
        ``names`` (``kept``: grid column index of each name)."""
        out = dict(self.values)
        out["keys"] = list(self.keys)
        contexts = self.per_column.get("property_context")
        xsd = self.per_column.get("object_type_xsd")
        if contexts:
            out["property_context"] = {n: contexts[j] for n, j in zip(names, kept)
                                       if j < len(contexts) and contexts[j]}
        if xsd:
            out["declared_xsd"] = {n: xsd[j] for n, j in zip(names, kept) if j < len(xsd) and xsd[j]}
            out["declared_types"] = {n: t for n, j in zip(names, kept)
                                     if j < len(xsd) and (t := xsd_to_type(xsd[j]))}
        return out


def starts_with_hash(text: str) -> bool:
    """Does the file's first non-blank character begin a ``#`` row (BOM ignored)?"""
    return text.lstrip("\ufeff \t\r\n").startswith("#")


def _cell0(row: list[str | None]) -> str:
    return (row[0] or "").strip() if row else ""


def _filled(row: list[str | None]) -> int:
    return sum(1 for c in row if c is not None and c.strip())


def extract(rows: list[list[str | None]], numbers: list[int]) -> tuple[list, list, Metadata | None]:
    """Take the leading ``#`` rows off ``rows`` (fully empty rows already removed).

    :returns: ``(rows, numbers, metadata)``; when a ``#property`` row was found it is the first
        returned row (the header, marker removed), else the rows after the ``#`` rows (the
        header is found as usual). ``metadata`` is ``None`` when the file has no ``#`` rows.
    """
    lead = 0
    while lead < len(rows) and _cell0(rows[lead]).startswith("#"):
        lead += 1
    if not lead:
        return rows, numbers, None
    # typical width of the rows after the # rows (a header starting with "#" fills it)
    after = [_filled(r) for r in rows[lead:lead + 20]]
    width = max(after) if after else 0
    meta = Metadata()
    header: list[str | None] | None = None
    header_number = None
    glued = False
    i = 0
    while i < lead:
        row, first = rows[i], _cell0(rows[i])
        m = _KEY.match(first)
        key = m[1].lower() if m else None
        if key in COLUMN_KEYS or key in _SCALAR_KEYS:
            meta.keys.append(f"#{m[1]}")
            meta.metadata_rows.append(numbers[i])
            rest = (m[2] or "").strip()
            if key in COLUMN_KEYS:
                if key == "property":
                    glued = bool(rest)
                cells = ([rest] + list(row[1:])) if glued else ([None] + list(row[1:]))
                cells = [c.strip() if c and c.strip() else None for c in cells]
                if key == "property":
                    header, header_number, meta.has_property = cells, numbers[i], True
                else:
                    meta.per_column[key] = cells
            else:
                vals = [c.strip() for c in ([rest] if rest else []) + list(row[1:]) if c and c.strip()]
                meta.values[key] = vals[0] if len(vals) == 1 else (vals or None)
        elif _filled(row) <= 2 or _filled(row) < 0.6 * width or header is not None:
            if key is not None and _filled(row) > 1 and header is None:
                # an unknown LinkData-style key with a value (``#attribution_url http://…``)
                meta.keys.append(f"#{m[1]}")
                meta.metadata_rows.append(numbers[i])
                vals = [c.strip() for c in ([m[2]] if m[2] else []) + list(row[1:]) if c and c.strip()]
                meta.values[key] = vals[0] if len(vals) == 1 else vals
            else:
                meta.comment_rows.append(numbers[i])
        else:
            break  # a header that starts with "#" (``#,名称,…``): not ours
        i += 1
    if header is not None:
        return [header, *rows[lead:]], [header_number, *numbers[lead:]], meta
    return rows[i:], numbers[i:], (meta if meta.keys or meta.comment_rows else None)


#: keys LinkData writes above the header with one value (or none, ``#LINK``)
_SCALAR_KEYS = {"link", "lang", "attribution_name", "attribution_url", "license", "file_name", "download_from",
                "source", "title", "description", "creator", "publisher"}


def warnings_for(meta: Metadata) -> list[dict]:
    """The report warnings saying what the ``#`` rows gave (``metadata_rows_read``, ``comment_rows_skipped``)."""
    out = []
    if meta.metadata_rows:
        said = []
        if meta.has_property:
            said.append("#property を見出し行")
        if "object_type_xsd" in meta.per_column:
            said.append("#object_type_xsd を列の型 (値が合う列に使用)")
        for key, label in (("license", "ライセンス"), ("attribution_name", "帰属表示")):
            if meta.values.get(key):
                said.append(f"{label}「{meta.values[key]}」(データセットには反映していません。採用はスタッフが決めます)")
        out.append(warning("metadata_rows_read",
                           f"表の前のメタデータ行 ({', '.join(meta.keys)}) を読みました: {'、'.join(said) or '値なし'}。"
                           "詳細は取り込みレポートの metadata にあります (RDF-style metadata rows read)",
                           rows=meta.metadata_rows))
    if meta.comment_rows:
        out.append(warning("comment_rows_skipped",
                           f"「#」で始まる注記行 {len(meta.comment_rows)} 行を読み飛ばしました (comment rows skipped)",
                           rows=meta.comment_rows))
    return out
