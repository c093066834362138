"""Normalization of common mistakes in city files (STUB — to be filled)."""

from __future__ import annotations

from .reading.base import RawTable


def normalize_table(raw: RawTable, *, standard_id: str | None = None) -> list[dict]:
    """Fix common mistakes in ``raw`` in place; return the fixes applied.

    :returns: ``[{"code", "message", "column", "rows", "count", "examples": [{"before", "after"}]}]``
    """
    return []
