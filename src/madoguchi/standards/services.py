"""Public API of the standards app (STUB — to be filled by the standards work).

* ``validate_table(standard_id, typed)`` — conformance of a typed table to a standard
* ``suggest_standards(column_names)`` — the closest standards for undeclared datasets
"""

from __future__ import annotations


def validate_table(standard_id: str, typed, row_numbers=None) -> dict:
    """Validate ``typed`` (``datastore.typedtable.TypedTable``) against the standard's Table Schema.

    :param row_numbers: per data row its 1-based row number in the file (list, range or
        int64 Arrow array, as ``RawTable.row_numbers``); errors name these rows

    :returns: ``{"standard": id, "title": str, "valid": bool, "error_count": int,
        "errors": [{"field", "code", "message", "rows", "count"}]}``
    """
    return {"standard": standard_id, "title": standard_id, "valid": True, "error_count": 0, "errors": []}


def suggest_standards(column_names: list[str], limit: int = 3) -> list[dict]:
    """The standards whose field names best match ``column_names``, best first.

    :returns: ``[{"standard", "title", "score" (0..1), "matched": [..], "missing_required": [..]}]``
    """
    return []
