"""Public API of the quality app (STUB — to be filled by the quality work)."""

from __future__ import annotations


def assess(*, fmt: str, data: bytes, file_name: str, reader_info: dict, typed, report: dict) -> dict:
    """The quality facts of a version, computed at ingestion and stored as ``report["quality"]``."""
    return {}
