"""Public API of the privacy app (STUB — to be filled by the privacy work)."""

from __future__ import annotations


def scan_table(typed, row_numbers=None) -> list[dict]:
    """Personal data found in ``typed`` (``TypedTable``): ``[{"kind", "column", "rows", "count", "message"}]``."""
    return []


def enforce_gate(*, dataset, resource_name: str, findings: list[dict]) -> list[dict]:
    """Block publishing when ``findings`` are not overridden (raises ``PrivacyBlocked``).

    :returns: ``findings``, each with ``override`` (``None`` or the override record)
    """
    return findings
