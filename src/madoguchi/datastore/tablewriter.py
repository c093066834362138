"""Write a ``TypedTable`` as the snapshot's Parquet file while its rows are being made.

The file holds what ``snapshots.write_table`` would write for the whole table
(same schema and values, zstd, row groups of ``typedtable.ROW_GROUP_ROWS`` =
65536 rows, fsynced), except that ``_id`` and ``_search`` are not
dictionary-encoded (``encodings``). The table is never held whole: another
thread makes the rows of the next row groups (typed values, ``_search``) while
this one encodes and writes the previous one; at most ``AHEAD`` row groups
wait in between.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow.parquet as pq

from . import snapshots, typedtable
from .typedtable import TypedTable

AHEAD = 2


def encodings(names: list[str]) -> dict:
    """Parquet encodings: ``_id`` (1, 2, 3 …) delta-encoded, ``_search`` (distinct per
    row, where a dictionary only costs time) plain, the data columns as pyarrow
    chooses (dictionary while it pays)."""
    return {"use_dictionary": [n for n in names if n not in ("_id", "_search")],
            "column_encoding": {"_id": "DELTA_BINARY_PACKED"}}


def write_typed_table(work: Path, typed: TypedTable) -> Path:
    """Write ``typed`` as ``work/table.parquet`` (as ``snapshots.write_table`` would), fsynced."""
    target = work / snapshots.TABLE_FILE
    if not typed.num_rows:
        return snapshots.write_table(work, typed.to_table())
    rows = typedtable.ROW_GROUP_ROWS
    schema = typed.schema
    with pq.ParquetWriter(target, schema, compression="zstd", **encodings(schema.names)) as writer:
        for batch in made_ahead(typed.batches(rows), AHEAD):
            writer.write_batch(batch, row_group_size=rows)
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    return target


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


_DONE = object()


def made_ahead(items: Iterable, ahead: int) -> Iterator:
    """Iterate ``items``, computing up to ``ahead`` of them in advance on another thread.

    An exception raised while computing an item is raised here, in order; when
    the consumer stops early (or fails) the thread stops after its current item.
    """
    slots: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=run, name="madoguchi-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()
