"""Checks other apps add to the ingestion pipeline, so that the datastore never imports them.

Apps register in their ``AppConfig.ready`` through ``datastore.services`` (standards, quality
and privacy do); ``datastore.ingest`` runs what is registered. The dependency is one way:
those apps import ``datastore.services``, the datastore imports none of them (an import-linter
``forbidden`` contract in pyproject.toml keeps it so).

* table checks — ``fn(checks, *, dataset, resource_name, typed, row_numbers) -> None`` run in
  ``order`` (then name) after the table is typed and before anything is written; each adds its
  results to the ``checks`` dict (stored in the version's report) and may raise ``IngestError``
  to stop publishing (the privacy gate raises ``PrivacyBlocked``).
* assessors — ``fn(*, fmt, data, file_name, reader_info, typed, report, row_numbers) -> dict``
  run on a helper thread while the snapshot is written; the result is stored as
  ``checks[key]`` (quality: ``report["quality"]``). An assessor must not raise.
"""

from __future__ import annotations

from typing import Callable

TableCheck = Callable[..., None]
Assessor = Callable[..., dict]

_table_checks: dict[str, tuple[int, TableCheck]] = {}
_assessors: dict[str, Assessor] = {}


def register_table_check(name: str, fn: TableCheck, *, order: int = 100) -> None:
    """Run ``fn`` on every typed table at ingestion (see the module docstring for its signature).

    Registering the same ``name`` again replaces it (``ready()`` may run more than once in tests).
    """
    _table_checks[name] = (order, fn)


def register_assessor(key: str, fn: Assessor) -> None:
    """Run ``fn`` beside the snapshot write; its dict is stored as the report's ``key``."""
    _assessors[key] = fn


def table_checks() -> list[TableCheck]:
    """The registered table checks in run order (``order``, then name)."""
    return [fn for _, (_, fn) in sorted(_table_checks.items(), key=lambda item: (item[1][0], item[0]))]


def assess_all(**kwargs) -> dict:
    """Every registered assessor's result by its key (``{}`` when none is registered)."""
    return {key: fn(**kwargs) for key, fn in sorted(_assessors.items())}
