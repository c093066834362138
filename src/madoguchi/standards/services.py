"""Public API of the standards app (標準データセット). Other apps import only from here.

* ``all_standards()`` / ``get_standard(id)`` / ``standard_choices()`` — the registry of
  standard schemas (Frictionless Table Schema, ``schemas/<id>.json``); ``UnknownStandard``
  when an id is not known
* ``validate_table(standard_id, typed, row_numbers)`` — conformance of a typed table
* ``suggest_standards(column_names)`` — the closest standards for undeclared datasets
* ``datasets_by_standard()`` — how many catalog datasets declare each standard

Sources: 推奨データセット 基本編 14種 (NEC's machine-readable models, ``sources/``) and
three 自治体標準オープンデータセット layouts reconstructed from 焼津市's published files.
"""

from __future__ import annotations

from .registry import StandardSchema, UnknownStandard, all_standards, get_standard, register, standard_choices

__all__ = ["StandardSchema", "UnknownStandard", "all_standards", "get_standard", "register", "standard_choices",
           "validate_table", "suggest_standards", "datasets_by_standard"]


def validate_table(standard_id: str, typed, row_numbers=None) -> dict:
    """Validate ``typed`` (``datastore.typedtable.TypedTable``) against the standard's Table Schema.

    Columns are matched by name (exact, else the same after NFKC/dash/space folding).
    Cell checks follow the frictionless library's semantics, evaluated once per distinct
    text (see ``validate``); 200,000 rows × 22 columns take about a second.

    :param standard_id: e.g. ``"aed-v1"``
    :param row_numbers: per data row its 1-based row number in the file (list, range or
        int64 Arrow array, as ``RawTable.row_numbers``); errors name these rows.
        Default: 2, 3, … (one header row)
    :returns: ``{"standard": id, "title": str, "generation": str, "reconstructed": bool,
        "valid": bool, "error_count": int, "matched_fields": int, "field_count": int,
        "errors": [{"field", "code", "severity", "message", "rows" (≤ 20 file rows), "count",
        "constraint"?, "examples"? (≤ 3 offending values)}]}``.
        ``code``: ``missing-label``, ``incorrect-label``, ``extra-label`` (severity
        ``info``, does not make the table invalid), ``type-error``, ``constraint-error``
        (``constraint``: ``required``/``pattern``/``enum``/``minimum``/``maximum``),
        ``unique-error``, ``check-digit-error``. ``error_count`` sums ``count`` of the
        ``error`` items (cells for cell errors, 1 per label error).
        An unknown ``standard_id`` (a dataset declaring a standard that is not registered)
        gives a report with one ``unknown-standard`` error instead of an exception, so that
        the file is still published.
    """
    from .validate import unknown_standard_report, validate_typed

    try:
        standard = get_standard(standard_id)
    except UnknownStandard as exc:
        return unknown_standard_report(exc)
    return validate_typed(standard, typed, row_numbers)


def suggest_standards(column_names: list[str], limit: int = 3) -> list[dict]:
    """The standards whose field names best match ``column_names``, best first.

    Names are compared after NFKC/dash/space folding. The score is a weighted Dice
    overlap (0..1) in which fields every layout shares (NO, 名称, 住所, 緯度 …) weigh ¼.
    Standards scoring below 0.3 are left out.

    :returns: ``[{"standard", "title", "generation", "score" (0..1), "matched": [field names],
        "missing_required": [field names]}]`` (at most ``limit``)
    """
    from .suggest import suggest

    return suggest(column_names, limit=limit)


def datasets_by_standard(include_private: bool = False) -> dict[str, int]:
    """``{standard id: number of catalog datasets declaring it}`` (ids with none are absent)."""
    from django.db.models import Count

    from madoguchi.catalog import services as catalog

    qs = catalog.visible_datasets(include_private).exclude(standard="")
    return {row["standard"]: row["n"] for row in qs.values("standard").annotate(n=Count("id"))}
