"""Conformance of a typed table to a standard's Table Schema.

Header (label) checks are by column *name*, not position: a required column that is
missing (``missing-label``), a column spelled differently from the standard but the
same after NFKC/dash/space folding (``incorrect-label``, naming both spellings), a
column the standard does not have (``extra-label``, severity ``info``: allowed, not
an error).

Cell checks use the ``frictionless`` library's own cell reader for each field
(type, format, ``required``, ``pattern``, ``enum``, ``minimum``/``maximum``) — but once
per *distinct* text of a column, not once per row (``TypedColumn.values`` /
``normalized`` hold each distinct text once), then map the failing texts to file
rows with NumPy. The result is the same as frictionless's row-by-row
``validate`` (``tests/test_standards_validate.py`` compares them) at a fraction of
the time. Added by madoguchi: ``unique-error`` (frictionless's code, computed over
the column), ``check-digit-error`` (全国地方公共団体コード whose last digit is not
the check digit of the first five) and ``poi-code-error`` (a ``POIコード`` not in the GIF POI
code table, ``standards.poi``; the message names the code or 大分類 meant where one is close).

The text checked is the cell as typed by the ingestion: trimmed, NFC for text
columns; NFKC for columns typed as numbers/dates (full-width digits therefore pass).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from madoguchi.codes import is_valid_local_government_code
from madoguchi.datastore.services import row_numbers_at

from . import poi
from .names import fold, spelling_difference
from .registry import StandardSchema

MAX_ROWS = 20
MAX_EXAMPLES = 3
LG_CODE_FIELDS = {"都道府県コード又は市区町村コード", "市区町村コード", "全国地方公共団体コード", "所在地_全国地方公共団体コード"}
TYPE_LABELS = {"number": "数値", "integer": "整数", "date": "日付 (YYYY-MM-DD)", "time": "時刻 (hh:mm)",
               "datetime": "日時", "boolean": "真偽値"}
#: patterns of the schemas in words, for messages (others are shown as the regular expression)
PATTERN_LABELS = {"[0-9]{6}": "6 桁の半角数字", "[0-9]{7}": "7 桁の半角数字", "[0-9]{13}": "13 桁の半角数字",
                  "0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}": "市外局番からハイフンで区切った半角数字 (例 054-626-1139)"}
CONSTRAINT_ORDER = ("required", "type", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength")


def _item(field: str | None, code: str, message: str, *, rows=(), count: int | None = None,
          severity: str = "error", constraint: str | None = None, examples=()) -> dict:
    item = {"field": field, "code": code, "severity": severity, "message": message,
            "rows": list(rows)[:MAX_ROWS], "count": count if count is not None else len(rows)}
    if constraint:
        item["constraint"] = constraint
    if examples:
        item["examples"] = list(examples)[:MAX_EXAMPLES]
    return item


def match_columns(standard: StandardSchema, columns: list[dict]) -> tuple[dict[str, int], list[dict]]:
    """Map the standard's fields to the table's columns by name.

    :param columns: ``[{name, source_name?}]`` in table order
    :returns: ``({field name: column index}, label items)`` — items for misspelled,
        missing required and extra columns, in that order
    """
    items: list[dict] = []
    matched: dict[str, int] = {}
    taken: set[int] = set()
    written = [c.get("source_name") or c["name"] for c in columns]
    for name in standard.field_names:  # exact spelling first (as published, then as stored)
        for j, c in enumerate(columns):
            if j not in taken and name in (written[j], c["name"]):
                matched[name] = j
                taken.add(j)
                break
    folded = {name: fold(name) for name in standard.field_names}
    for name in standard.field_names:
        if name in matched:
            continue
        for j, c in enumerate(columns):
            if j not in taken and folded[name] in (fold(written[j]), fold(c["name"])):
                matched[name] = j
                taken.add(j)
                if written[j] != name:
                    renamed = "（取り込み時に標準の表記へ直しました）" if c["name"] == name else ""
                    items.append(_item(name, "incorrect-label",
                                       f"列名「{written[j]}」が標準の表記「{name}」と異なります: "
                                       f"{spelling_difference(written[j], name)}{renamed} "
                                       f"(label differs from the standard's spelling)",
                                       count=1, examples=[written[j]]))
                break
    for name in standard.required_names:
        if name not in matched:
            items.append(_item(name, "missing-label", f"必須の列「{name}」がありません (required column is missing)",
                               count=1))
    for j, c in enumerate(columns):
        if j not in taken:
            items.append(_item(written[j], "extra-label",
                               f"列「{written[j]}」は{standard.title}の標準にない項目です。独自の項目として扱います "
                               f"(column not in the standard)", severity="info", count=1))
    return matched, items


def _texts(column) -> list[str | None]:
    """The distinct texts of a ``TypedColumn``, aligned with its ``indices``."""
    if column.meta.get("type") == "string":
        return column.values.to_pylist()
    return column.normalized.dictionary.to_pylist()


def _row_index(column) -> np.ndarray:
    """Per row the distinct-text index; an empty cell is ``-1``."""
    indices = column.indices
    if isinstance(indices, pa.ChunkedArray):
        indices = indices.combine_chunks()
    return indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


#: a subset of RFC 3986 URIs with a scheme: what frictionless's ``format: uri`` accepts, tested at Arrow speed
_PLAIN_URI = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"


def _plain_uris(texts: list) -> list[bool]:
    import pyarrow.compute as pc

    return pc.match_substring_regex(pa.array(texts, pa.string()), _PLAIN_URI).fill_null(False).to_pylist()


def _reads_text(field: dict) -> bool:
    """False for a free-text field (string, no format, no constraint on the value): any text passes."""
    value_constraints = set(field.get("constraints", {})) - {"required"}
    return field.get("type", "string") != "string" or field.get("format", "default") != "default" or bool(value_constraints)


def _message(name: str, field: dict, kind: str, examples: list[str]) -> str:
    shown = "、".join(f"「{e}」" for e in examples)
    example = f"（例: {shown}）" if examples else ""
    constraints = field.get("constraints", {})
    if kind == "required":
        return f"必須項目「{name}」が空欄です (required value is empty)"
    if kind == "type":
        label = "URL (https:// などで始まる)" if field.get("format") == "uri" else TYPE_LABELS.get(field["type"], field["type"])
        return f"「{name}」の値が{label}として読めません{example} (type error)"
    if kind == "pattern":
        pattern = constraints["pattern"]
        return f"「{name}」の値が標準の形式「{PATTERN_LABELS.get(pattern, pattern)}」に合いません{example} (pattern)"
    if kind == "enum":
        allowed = "「" + "」「".join(constraints["enum"]) + "」"
        return f"「{name}」の値は {allowed} のいずれかです{example} (enum)"
    if kind in ("minimum", "maximum"):
        return (f"「{name}」の値が範囲 ({constraints.get('minimum')}〜{constraints.get('maximum')}) の外です"
                f"{example} (out of range)")
    return f"「{name}」の値が制約 {kind} に反します{example}"


def check_column(name: str, field: dict, column, row_numbers) -> list[dict]:
    """Cell errors of one column against one Table Schema field (see the module docstring)."""
    from frictionless import Field

    descriptor = {**field, "constraints": {k: v for k, v in field.get("constraints", {}).items() if k != "unique"}}
    reader = Field.from_descriptor(descriptor).create_cell_reader()
    texts = _texts(column)
    rows_of = _row_index(column)
    # one slot per distinct text, plus the last for empty cells (index -1)
    bad: dict[str, np.ndarray] = {}
    checked = [*texts, None] if _reads_text(descriptor) else [None] * len(texts) + [None]
    plain_uri = _plain_uris(texts) if descriptor.get("format") == "uri" and set(descriptor["constraints"]) <= {
        "required"} else None
    for i, text in enumerate(checked):
        if text is None and i < len(texts) and texts[i] is not None:
            continue  # a free-text value: nothing to check but its presence
        if plain_uri is not None and i < len(texts) and plain_uri[i]:
            continue  # certainly a URI with a scheme (the only rule frictionless applies to format uri)
        _, notes = reader(text)
        for kind in notes or ():
            bad.setdefault(kind, np.zeros(len(texts) + 1, dtype=bool))[i] = True
    items = []
    for kind in sorted(bad, key=lambda k: CONSTRAINT_ORDER.index(k) if k in CONSTRAINT_ORDER else 99):
        per_row = bad[kind][rows_of]
        where = np.flatnonzero(per_row)
        if not len(where):
            continue
        examples = []
        for i in np.flatnonzero(bad[kind][:-1]):
            if len(examples) == MAX_EXAMPLES:
                break
            if texts[i] is not None:
                examples.append(texts[i])
        code, constraint = ("type-error", None) if kind == "type" else ("constraint-error", kind)
        items.append(_item(name, code, _message(name, field, kind, examples),
                           rows=row_numbers_at(row_numbers, where[:MAX_ROWS].tolist()), count=int(len(where)),
                           constraint=constraint, examples=examples))
    constraints = field.get("constraints", {})
    if constraints.get("unique"):
        items += _unique(name, texts, rows_of, row_numbers)
    if name in LG_CODE_FIELDS:
        items += _check_digit(name, texts, rows_of, row_numbers)
    if poi.POI_FIELD.search(name):
        items += _poi_codes(name, texts, rows_of, row_numbers)
    return items


def _poi_codes(name: str, texts: list, rows_of: np.ndarray, row_numbers) -> list[dict]:
    """Values of a POIコード column that are not GIF POI codes (``standards.poi``), once per distinct text."""
    wrong = np.zeros(len(texts) + 1, dtype=bool)
    hints: dict[str, str | None] = {}
    for i, text in enumerate(texts):
        valid, hint = poi.check(text)
        if not valid:
            wrong[i] = True
            hints[text] = hint
    where = np.flatnonzero(wrong[rows_of])
    if not len(where):
        return []
    examples = [texts[i] for i in np.flatnonzero(wrong[:-1])[:MAX_EXAMPLES]]
    shown = "、".join(f"「{e}」→「{hints[e]}」" if hints[e] else f"「{e}」" for e in examples)
    item = _item(name, "poi-code-error",
                 f"「{name}」に GIF の POI コード表にないコードがあります（例: {shown}） (not a GIF POI code)",
                 rows=row_numbers_at(row_numbers, where[:MAX_ROWS].tolist()), count=len(where), examples=examples)
    item["suggestions"] = [{"value": e, "suggestion": hints[e]} for e in examples if hints[e]]
    return [item]


def _unique(name: str, texts: list, rows_of: np.ndarray, row_numbers) -> list[dict]:
    """Rows whose value occurred in an earlier row (frictionless ``unique-error``); empty cells are not compared."""
    # two distinct raw texts may be the same once trimmed: compare the texts, not their slots;
    # a blank cell is either no slot (-1) or a slot whose text is None
    first_slot: dict = {}
    canonical = np.array([first_slot.setdefault(t, i) if t is not None else -1 for i, t in enumerate(texts)] + [-1],
                         dtype=np.int64)
    keys = canonical[rows_of]
    present = np.flatnonzero(keys >= 0)
    if not len(present):
        return []
    _, first = np.unique(keys[present], return_index=True)
    repeat = np.ones(len(present), dtype=bool)
    repeat[first] = False
    where = present[repeat]
    if not len(where):
        return []
    examples = list(dict.fromkeys(texts[i] for i in rows_of[where[:50]]))[:MAX_EXAMPLES]
    shown = "、".join(f"「{e}」" for e in examples)
    return [_item(name, "unique-error", f"「{name}」の値が重複しています（例: {shown}） (duplicate value)",
                  rows=row_numbers_at(row_numbers, where[:MAX_ROWS].tolist()), count=int(len(where)),
                  examples=examples)]


def _check_digit(name: str, texts: list, rows_of: np.ndarray, row_numbers) -> list[dict]:
    """6-digit 全国地方公共団体コード whose check digit is wrong (総務省 全国地方公共団体コード)."""
    wrong = np.zeros(len(texts) + 1, dtype=bool)
    for i, text in enumerate(texts):
        if text and len(text) == 6 and text.isascii() and text.isdigit() and not is_valid_local_government_code(text):
            wrong[i] = True
    where = np.flatnonzero(wrong[rows_of])
    if not len(where):
        return []
    examples = [texts[i] for i in np.flatnonzero(wrong[:-1])[:MAX_EXAMPLES]]
    shown = "、".join(f"「{e}」" for e in examples)
    return [_item(name, "check-digit-error",
                  f"「{name}」の検査数字 (6桁目) が合いません（例: {shown}） (wrong check digit of the local government code)",
                  rows=row_numbers_at(row_numbers, where[:MAX_ROWS].tolist()), count=int(len(where)),
                  examples=examples)]


def validate_typed(standard: StandardSchema, typed, row_numbers=None) -> dict:
    """See ``services.validate_table``."""
    if row_numbers is None:
        row_numbers = range(2, typed.num_rows + 2)
    columns = [c.meta for c in typed.typed]
    matched, items = match_columns(standard, columns)
    by_name = {f["name"]: f for f in standard.fields}
    for name in standard.field_names:
        if name in matched:
            items += check_column(name, by_name[name], typed.typed[matched[name]], row_numbers)
    errors = [i for i in items if i["severity"] == "error"]
    return {
        "standard": standard.id, "title": standard.title, "generation": standard.generation,
        "reconstructed": standard.reconstructed,
        "valid": not errors, "error_count": sum(i["count"] for i in errors),
        "matched_fields": len(matched), "field_count": len(standard.field_names),
        "errors": items,
    }


def unknown_standard_report(exc) -> dict:
    """The report for a dataset that declares an unregistered standard id."""
    return {"standard": exc.standard_id, "title": exc.standard_id, "generation": "", "reconstructed": False,
            "valid": False, "error_count": 1, "matched_fields": 0, "field_count": 0,
            "errors": [_item(None, "unknown-standard", str(exc), count=1)]}
