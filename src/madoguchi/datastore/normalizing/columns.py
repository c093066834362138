"""One column of a ``RawTable`` as distinct texts + per-row index, and the report items of its fixes.

Every rule works once per distinct text (``values``); rows are only touched
through ``idx`` (numpy, ``-1`` = empty cell) when something was found, so a
clean column costs one or two vectorized passes over its distinct texts.
The same class reads both ``RawTable`` forms (``rows`` and Arrow ``columns``)
and writes the fixed texts back in the form it came in.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..reading.base import RawTable

MAX_ROWS = 20
MAX_EXAMPLES = 3
_SCAN = 1 << 16  # rows scanned at a time when looking for the first report rows


class Invalid:
    """Returned by a cell rule for a value it cannot fix (reported, left as written)."""

    __slots__ = ()


INVALID = Invalid()


class Column:
    """A column's distinct texts (``values``, Arrow strings) and, per row, the index of its text (``idx``)."""

    def __init__(self, raw: RawTable, j: int):
        self.raw, self.j = raw, j
        self.name = raw.header[j]
        cells = raw.columns[j] if raw.columns is not None else pa.array([r[j] for r in raw.rows], pa.string())
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks()
        if not pa.types.is_dictionary(cells.type):
            cells = pc.dictionary_encode(cells)
        self._indices = cells.indices
        self.values: pa.Array = cells.dictionary.cast(pa.string())
        self._idx: np.ndarray | None = None
        self._counts: np.ndarray | None = None
        self.changed = False
        self.reindexed = False

    @property
    def idx(self) -> np.ndarray:
        """Per row, the position of its text in ``values``; ``-1`` for an empty cell."""
        if self._idx is None:
            self._idx = pc.fill_null(self._indices, -1).to_numpy(zero_copy_only=False)
        return self._idx

    @property
    def counts(self) -> np.ndarray:
        """Number of rows holding each text of ``values``."""
        if self._counts is None:
            self._counts = np.bincount(self.idx + 1, minlength=len(self.values) + 1)[1:]  # -1 (empty) → bin 0
        return self._counts

    def set_idx(self, idx: np.ndarray, values: pa.Array) -> None:
        self._idx, self.values, self._counts = idx, values, None
        self.changed = self.reindexed = True

    def texts(self, positions: list[int]) -> list[str | None]:
        return self.values.take(pa.array(positions, pa.int64())).to_pylist() if positions else []

    def first_rows(self, per_value: np.ndarray, limit: int = MAX_ROWS) -> list[int]:
        """0-based indexes of the first ``limit`` rows whose text is true in ``per_value``."""
        lookup = np.append(per_value, False)
        idx = self.idx
        found: list[int] = []
        for start in range(0, len(idx), _SCAN):
            hits = np.flatnonzero(lookup[idx[start:start + _SCAN]])
            found.extend(int(h) + start for h in hits[:limit - len(found)])
            if len(found) >= limit:
                break
        return found

    def apply(self, positions: list[int], rule: Callable[[str], object]) -> tuple[dict, dict]:
        """Run ``rule`` on the texts at ``positions``; store its fixes.

        :returns: ``(fixed, invalid)``: ``{position: (before, after)}`` and ``{position: (before, before)}``
        """
        fixed, invalid = {}, {}
        for pos, text in zip(positions, self.texts(positions)):
            if not text:
                continue
            out = rule(text)
            if out is INVALID:
                invalid[pos] = (text, text)
            elif out != text:
                fixed[pos] = (text, out)
        if fixed:
            mask = np.zeros(len(self.values), bool)
            where = sorted(fixed)
            mask[where] = True
            self.values = pc.replace_with_mask(self.values, pa.array(mask),
                                               pa.array([fixed[p][1] for p in where], pa.string()))
            self.changed = True
        return fixed, invalid

    def write_back(self) -> None:
        """Put the fixed texts into ``raw`` (same length, same row order)."""
        if not self.changed:
            return
        if not self.reindexed and not self.values.null_count and len(pc.unique(self.values)) == len(self.values):
            # texts fixed one-to-one: the row indices stay as they are
            if self.raw.columns is not None:
                self.raw.columns[self.j] = pa.DictionaryArray.from_arrays(self._indices, self.values)
            else:
                for row, cell in zip(self.raw.rows, self.values.take(self._indices).to_pylist()):
                    row[self.j] = cell
            return
        uniq = pc.unique(self.values.drop_null())
        remap = np.append(pc.fill_null(pc.index_in(self.values, value_set=uniq), -1).to_numpy(zero_copy_only=False),
                          -1)[self.idx]
        indices = pa.array(remap.astype(np.int32), mask=remap < 0)
        if self.raw.columns is not None:
            self.raw.columns[self.j] = pa.DictionaryArray.from_arrays(indices, uniq)
        else:
            for row, cell in zip(self.raw.rows, uniq.take(indices).to_pylist()):
                row[self.j] = cell


def first_rows(mask: np.ndarray, limit: int = MAX_ROWS) -> list[int]:
    """0-based indexes of the first ``limit`` true rows of ``mask``."""
    found: list[int] = []
    for start in range(0, len(mask), _SCAN):
        hits = np.flatnonzero(mask[start:start + _SCAN])
        found.extend(int(h) + start for h in hits[:limit - len(found)])
        if len(found) >= limit:
            break
    return found


def item(col: Column, code: str, message: str, count: int, first: list[int], examples_at: Callable[[int], tuple],
         *, fixed: bool) -> dict | None:
    """One report item for ``count`` rows, the first of which are ``first`` (0-based).

    :param examples_at: row index → ``(before, after)`` (examples are taken from the first rows)
    :returns: ``{code, message, column, rows, count, examples, fixed}`` or ``None`` if no row
    """
    if not count:
        return None
    examples: list[dict] = []
    for i in first:
        before, after = examples_at(i)
        if len(examples) < MAX_EXAMPLES and all(e["before"] != before for e in examples):
            examples.append({"before": before, "after": after})
    return {"code": code, "message": message, "column": col.name, "rows": col.raw.row_numbers_at(first),
            "count": count, "examples": examples, "fixed": fixed}


def mask_item(col: Column, code: str, message: str, rows_mask: np.ndarray, examples_at: Callable[[int], tuple],
              *, fixed: bool) -> dict | None:
    """``item`` for the rows true in the per-row bools ``rows_mask``."""
    return item(col, code, message, int(np.count_nonzero(rows_mask)), first_rows(rows_mask), examples_at, fixed=fixed)


def value_items(col: Column, code: str, message: str, found: dict, *, fixed: bool) -> list[dict]:
    """The report item (as a 0- or 1-element list) for per-text findings ``{position: (before, after)}``."""
    if not found:
        return []
    per_value = np.zeros(len(col.values), bool)
    per_value[list(found)] = True
    idx = col.idx
    made = item(col, code, message, int(col.counts[per_value].sum()), col.first_rows(per_value),
                lambda i: found[int(idx[i])], fixed=fixed)
    return [made] if made else []
