"""Proof that a suppression pattern protects every masked cell (used by ``suppression`` and its tests).

* ``determined_cells`` — exact linear algebra: which masked cells the published totals determine;
* ``interval_bounds`` — linear programming (SciPy HiGHS): the min/max an intruder can derive;
* ``verify`` — both, for a ``SuppressionResult``.
"""

from __future__ import annotations

Cell = tuple[int, int]

PRIME = 2_147_483_647  # 2**31 - 1: products of two residues fit in int64


def determined_cells(shape: tuple[int, int], suppressed: set[Cell]) -> set[Cell]:
    """Suppressed cells that the published totals and cells determine (exact linear algebra).

    Builds the constraint matrix (one equation per row and per column, over the
    suppressed cells only) of each connected component and reduces it to reduced
    row echelon form. A cell is determined iff its unit vector is in the row
    space: it is a pivot column whose row has no entry in a free column.

    Exact: the matrix is the incidence matrix of a bipartite graph, hence totally
    unimodular (every minor is 0 or ±1), so its rank — and the row space test,
    which is a rank comparison — is the same over the rationals and over the
    integers modulo the prime ``PRIME``; the elimination is done mod ``PRIME``
    in integers (no rounding).
    """
    import numpy as np

    n_rows, _ = shape
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in suppressed:
        parent[find(i)] = find(n_rows + j)
    components: dict[int, list[Cell]] = {}
    for cell in sorted(suppressed):
        components.setdefault(find(cell[0]), []).append(cell)
    out: set[Cell] = set()
    for cells in components.values():
        rows = sorted({i for i, _ in cells})
        cols = sorted({j for _, j in cells})
        m = np.zeros((len(rows) + len(cols), len(cells)), dtype=np.int64)
        for c, (i, j) in enumerate(cells):
            m[rows.index(i), c] = 1
            m[len(rows) + cols.index(j), c] = 1
        pivots = _rref_mod_prime(m)
        pivot_cols = {col for _, col in pivots}
        free = [c for c in range(len(cells)) if c not in pivot_cols]
        for r, col in pivots:
            if not free or not m[r, free].any():
                out.add(cells[col])
    return out


def _rref_mod_prime(m) -> list[tuple[int, int]]:
    """Reduce the int64 matrix ``m`` in place to reduced row echelon form modulo ``PRIME``.

    :returns: ``[(row, pivot column)]``
    """
    pivots = []
    r = 0
    n_rows, n_cols = m.shape
    for c in range(n_cols):
        if r == n_rows:
            break
        nonzero = m[r:, c].nonzero()[0]
        if not len(nonzero):
            continue
        p = r + int(nonzero[0])
        if p != r:
            m[[r, p]] = m[[p, r]]
        inv = pow(int(m[r, c]), PRIME - 2, PRIME)
        m[r] = (m[r] * inv) % PRIME
        factors = m[:, c].copy()
        factors[r] = 0
        hit = factors.nonzero()[0]
        if len(hit):
            m[hit] = (m[hit] - (factors[hit, None] * m[r][None, :]) % PRIME) % PRIME
        pivots.append((r, c))
        r += 1
    return pivots


def interval_bounds(counts: list[list[int]], suppressed: set[Cell]) -> dict[Cell, tuple[int, int]] | None:
    """``{cell: (min, max)}`` of each suppressed cell given the totals, published cells and ``x ≥ 0``.

    Linear programs solved by SciPy's HiGHS; ``None`` when SciPy is not installed.
    Bounds are integers (the two-way table's constraint matrix is totally unimodular).
    """
    try:
        import numpy as np
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - SciPy is a dependency; kept optional for slim installs
        return None
    cells = sorted(suppressed)
    if not cells:
        return {}
    n_rows = len(counts)
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    a = np.zeros((len(rows) + len(cols), len(cells)))
    b = np.zeros(len(rows) + len(cols))
    for c, (i, j) in enumerate(cells):
        a[rows.index(i), c] = 1
        a[len(rows) + cols.index(j), c] = 1
    for r, i in enumerate(rows):
        b[r] = sum(counts[i][j] for j in range(len(counts[0])) if (i, j) in suppressed)
    for r, j in enumerate(cols):
        b[len(rows) + r] = sum(counts[i][j] for i in range(n_rows) if (i, j) in suppressed)
    out = {}
    for c, cell in enumerate(cells):
        objective = np.zeros(len(cells))
        objective[c] = 1
        lo = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        out[cell] = (round(lo.fun), round(-hi.fun))
    return out


def verify(result) -> dict:
    """Independent proof that no suppressed cell can be recomputed.

    :returns: ``{"determined": [cells recomputable by linear algebra], "zero_width": [cells whose LP
        interval has width 0], "lp": bool (SciPy ran)}`` — both lists empty means protected
    """
    shape = (len(result.counts), len(result.counts[0]))
    intervals = interval_bounds(result.counts, result.suppressed)
    return {"determined": sorted(determined_cells(shape, result.suppressed)),
            "zero_width": sorted(c for c, (lo, hi) in (intervals or {}).items() if hi == lo),
            "lp": intervals is not None}
