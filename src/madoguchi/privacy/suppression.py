"""Small-cell suppression (秘匿処理) of a two-way statistical table of counts.

The table is ``rows × columns`` of non-negative integer counts (e.g. 町丁 ×
年齢階級) whose row totals, column totals and grand total are published
unchanged. Cells are masked in two steps:

1. **Primary** (一次秘匿): every cell with ``0 < v < k`` (``k`` default 10). Zero
   cells are not sensitive — "nobody of that group lives there" singles out
   no one — and are published (the convention of 国勢調査 small-area tables,
   which mask small populations, not empty cells).
2. **Secondary** (二次秘匿): more cells, so that no masked cell can be
   recomputed from the totals and the published cells.

Why the secondary step works, and how it is proved. For masked cells ``S``
the published numbers give one equation per row and per column:
``Σ_{j:(i,j)∈S} x_ij = row_total_i − Σ published cells of row i`` (and the same
for columns; the grand total adds nothing). A masked cell is *determined* iff
its unit vector lies in the row space of this constraint matrix restricted to
``S`` — equivalently, iff every solution of the homogeneous system has 0 at
that cell. The matrix is the incidence matrix of the bipartite graph with a
node per row and per column and an edge per masked cell; its null space is
spanned by the even cycles (±1 alternating), so a masked cell is determined
exactly when its edge is a **bridge** (on no cycle). The secondary step
repeatedly takes a bridge ``(i, j)`` and masks the cheapest path from row
``i`` to column ``j`` that avoids that edge (Dijkstra; a masked cell costs 0
— rows/columns already touched are preferred — a published cell costs its
value, zero cells only as a last resort), which puts the bridge on a cycle.
Adding edges never creates a bridge, so it ends with none.

``proof.verify`` (re-exported here) re-checks the result independently of the algorithm:

* exactly, by Gauss–Jordan elimination per connected component in integer
  arithmetic modulo a prime, exact because the matrix is totally unimodular
  (``determined_cells``), and
* if SciPy is installed, by linear programming (``interval_bounds``): the
  minimum and maximum of each masked cell subject to the totals and ``x ≥ 0``
  (HiGHS). The constraint matrix of a two-way table is totally unimodular,
  so these bounds are the exact integer bounds an intruder can derive; a
  width of 0 means the cell is disclosed.

Tables with total rows/columns (合計, 総数, 計 …) are read by ``tables``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .proof import determined_cells, interval_bounds, verify  # noqa: F401  (re-exported)

DEFAULT_K = 10
DEFAULT_SYMBOL = "X"
ZERO_COST = 10**9  # masking a 0 cell reveals a bound; only when nothing else closes a cycle
CELL_COST = 0.5  # per extra cell: among equal sums prefer fewer cells
LP_MAX_CELLS = 400  # ``suppress`` computes LP intervals for at most this many masked cells

Cell = tuple[int, int]


class SuppressionError(ValueError):
    """The table cannot be suppressed as given (message names row/column, Japanese first)."""


@dataclass
class SuppressionResult:
    """Outcome of ``suppress``.

    :param counts: the cells (rows × columns), totals excluded
    :param primary: cells with ``0 < v < k``
    :param secondary: cells masked so that no masked cell can be recomputed
    :param unprotected: masked cells that still CAN be recomputed (only for a
        table with a single row or column, where every cell equals a total)
    :param intervals: ``{cell: (min, max)}`` an intruder can derive (LP; empty without SciPy)
    """

    counts: list[list[int]]
    k: int
    primary: set[Cell] = field(default_factory=set)
    secondary: set[Cell] = field(default_factory=set)
    unprotected: set[Cell] = field(default_factory=set)
    intervals: dict[Cell, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> set[Cell]:
        return self.primary | self.secondary

    @property
    def row_totals(self) -> list[int]:
        return [sum(r) for r in self.counts]

    @property
    def column_totals(self) -> list[int]:
        return [sum(c) for c in zip(*self.counts)] if self.counts else []

    def masked(self, symbol: str = DEFAULT_SYMBOL) -> list[list[int | str]]:
        """The cells with every suppressed one replaced by ``symbol``."""
        s = self.suppressed
        return [[symbol if (i, j) in s else v for j, v in enumerate(row)] for i, row in enumerate(self.counts)]

    def summary(self) -> dict:
        """``{k, rows, columns, cells, primary, secondary, suppressed, unprotected, min_interval_width, warnings}``."""
        widths = [hi - lo for lo, hi in self.intervals.values()]
        return {"k": self.k, "rows": len(self.counts), "columns": len(self.counts[0]) if self.counts else 0,
                "cells": sum(len(r) for r in self.counts), "primary": len(self.primary),
                "secondary": len(self.secondary), "suppressed": len(self.suppressed),
                "unprotected": len(self.unprotected), "min_interval_width": min(widths) if widths else None,
                "warnings": list(self.warnings)}


def _check_counts(counts) -> list[list[int]]:
    if not counts or not counts[0]:
        raise SuppressionError("表が空です (the table has no cells)")
    width = len(counts[0])
    out = []
    for i, row in enumerate(counts):
        if len(row) != width:
            raise SuppressionError(f"{i + 1}行目の列数が {len(row)} です。{width} 列のはずです (ragged table)")
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise SuppressionError(f"{i + 1}行目 {j + 1}列目: 0 以上の整数ではありません ({v!r}; counts must be "
                                       "non-negative integers)")
        out.append(list(row))
    return out


def suppress(counts, *, k: int = DEFAULT_K, lp: bool = True) -> SuppressionResult:
    """Mask small cells of ``counts`` and enough others that none can be recomputed from the totals.

    :param counts: rows × columns of non-negative ints (totals NOT included; they are
        the sums, published as they are)
    :param k: threshold: cells with ``0 < v < k`` are primary (default 10)
    :param lp: also compute the intruder's intervals by LP (needs SciPy; skipped without it)
    :returns: ``SuppressionResult`` (``primary``, ``secondary``, ``intervals`` …)
    :raises SuppressionError: empty or ragged table, a negative or non-integer count, ``k < 1``

    >>> r = suppress([[3, 20, 30], [40, 50, 60], [70, 80, 90]])
    >>> sorted(r.primary), sorted(r.secondary)
    ([(0, 0)], [(0, 1), (1, 0), (1, 1)])
    """
    if k < 1:
        raise SuppressionError(f"k は 1 以上にしてください (k = {k})")
    counts = _check_counts(counts)
    n_rows, n_cols = len(counts), len(counts[0])
    result = SuppressionResult(counts=counts, k=k)
    result.primary = {(i, j) for i in range(n_rows) for j in range(n_cols) if 0 < counts[i][j] < k}
    for i, total in enumerate(result.row_totals):
        if 0 < total < k:
            result.warnings.append(f"{i + 1}行目の合計 {total} が k={k} 未満です。合計そのものが小さい数です "
                                   "(a published row total is below k)")
    for j, total in enumerate(result.column_totals):
        if 0 < total < k:
            result.warnings.append(f"{j + 1}列目の合計 {total} が k={k} 未満です (a published column total is below k)")
    masked = set(result.primary)
    if n_rows == 1 or n_cols == 1:
        result.unprotected = set(masked)
        if masked:
            result.warnings.append("表が1行または1列のため、秘匿したセルは合計から復元できます。合計も公表しないでください "
                                   "(a one-row/one-column table cannot be protected by suppression)")
    else:
        _close_cycles(masked, counts)
        # a cycle through zero cells may not let the cell move (x ≥ 0): mask more around such cells
        while stuck := sorted(frozen_cells(counts, masked)):
            candidates = [cell for i, j in stuck for cell in _row_and_column(i, j, n_rows, n_cols)
                          if cell not in masked]
            if not candidates:
                break
            masked.add(min(candidates, key=lambda c: (counts[c[0]][c[1]] == 0, counts[c[0]][c[1]], c)))
            _close_cycles(masked, counts)
        result.secondary = masked - result.primary
        result.unprotected = frozen_cells(counts, masked)
        if result.unprotected:
            result.warnings.append(
                f"{len(result.unprotected)} 個の秘匿セルは、合計だけから値が決まります (行・列の合計が小さい、"
                "または 0 の列・行による)。合計の公表を見直してください (cells determined by the totals alone)")
    if lp and len(result.suppressed) <= LP_MAX_CELLS:
        result.intervals = interval_bounds(counts, result.suppressed) or {}
    return result


def _row_and_column(i: int, j: int, n_rows: int, n_cols: int) -> list[Cell]:
    return [(i, c) for c in range(n_cols)] + [(r, j) for r in range(n_rows)]


def _close_cycles(masked: set[Cell], counts: list[list[int]]) -> None:
    """Mask cheapest paths until no masked cell is a bridge (= linearly determined)."""
    n_rows, n_cols = len(counts), len(counts[0])
    while bridges := _bridges(masked, n_rows, n_cols):
        masked.update(_cheapest_path(min(bridges), masked, counts))


def frozen_cells(counts: list[list[int]], masked: set[Cell]) -> set[Cell]:
    """Masked cells whose value is fixed by the totals, published cells and ``x ≥ 0`` (interval width 0).

    A masked cell (i, j) can change iff it lies on a cycle of masked cells
    along which the table can move: +t on the cells entered from a row, −t on
    the cells entered from a column, where every −t cell is > 0 (conformal
    decomposition of the difference of two feasible tables into such cycles).
    That is a directed path in the graph with an arc row→column for every
    masked cell and column→row for every masked cell > 0, without the cell's
    own arcs: column j ⇝ row i (the cell can grow) or, if it is > 0,
    row i ⇝ column j (it can shrink). Same answer as the LP of
    ``interval_bounds``, in graph time.
    """
    n_rows = len(counts)
    forward: dict[int, list[tuple[int, Cell]]] = {}
    for i, j in masked:
        forward.setdefault(i, []).append((n_rows + j, (i, j)))
        if counts[i][j] > 0:
            forward.setdefault(n_rows + j, []).append((i, (i, j)))

    def reaches(start: int, goal: int, without: Cell) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = todo.pop()
            for nxt, cell in forward.get(node, ()):
                if cell == without or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    out = set()
    for i, j in masked:
        grow = reaches(n_rows + j, i, (i, j))
        if not grow and not (counts[i][j] > 0 and reaches(i, n_rows + j, (i, j))):
            out.add((i, j))
    return out


def _bridges(edges: set[Cell], n_rows: int, n_cols: int) -> set[Cell]:
    """Edges on no cycle of the bipartite graph (row i = node i, column j = node n_rows + j); iterative Tarjan."""
    adj: dict[int, list[tuple[int, int]]] = {}
    edge_list = sorted(edges)
    for e, (i, j) in enumerate(edge_list):
        a, b = i, n_rows + j
        adj.setdefault(a, []).append((b, e))
        adj.setdefault(b, []).append((a, e))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    out: set[Cell] = set()
    clock = 0
    for root in adj:
        if root in disc:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, parent_edge, it = stack[-1]
            advanced = False
            for nxt, e in it:
                if e == parent_edge:
                    continue
                if nxt in disc:
                    low[node] = min(low[node], disc[nxt])
                else:
                    disc[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, e, iter(adj[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        out.add(edge_list[parent_edge])
    return out


def _cheapest_path(edge: Cell, masked: set[Cell], counts: list[list[int]]) -> list[Cell]:
    """Published cells to mask so that ``edge`` lies on a cycle: the cheapest row-i → column-j path without it."""
    n_rows, n_cols = len(counts), len(counts[0])
    src, dst = edge[0], n_rows + edge[1]

    def cost(i: int, j: int) -> float:
        v = counts[i][j]
        if v == 0:  # masked or not: a cycle of positive cells can move both ways
            return ZERO_COST
        return 0.0 if (i, j) in masked else v + CELL_COST

    dist = {src: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, src)]
    done: set[int] = set()
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node == dst:
            break
        if node < n_rows:
            neighbours = ((n_rows + j, cost(node, j)) for j in range(n_cols) if (node, j) != edge)
        else:
            j = node - n_rows
            neighbours = ((i, cost(i, j)) for i in range(n_rows) if (i, j) != edge)
        for nxt, c in neighbours:
            nd = d + c
            if nd < dist.get(nxt, float("inf")):
                dist[nxt], prev[nxt] = nd, node
                heapq.heappush(heap, (nd, nxt))
    path: list[Cell] = []
    node = dst
    while node != src:
        p = prev[node]
        cell = (p, node - n_rows) if p < n_rows else (node, p - n_rows)
        if cell not in masked:
            path.append(cell)
        node = p
    return path
