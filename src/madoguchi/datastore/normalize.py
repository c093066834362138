"""Normalization of common mistakes in city files (rules in ``normalizing``)."""

from __future__ import annotations

from .normalizing import FIXES, normalize_table

__all__ = ["FIXES", "normalize_table"]
