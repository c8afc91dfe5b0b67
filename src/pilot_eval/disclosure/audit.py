"""The audit of secondary suppression: the range of values a reader can still give every
withheld count, from the published cells, the line totals and the symbols' bounds, and
the further cells withheld until no range is too narrow (see "Secondary suppression" in
:mod:`pilot_eval.disclosure`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .secondary import _Greedy, _Line


def _csr(E):
    """``E`` as a CSR matrix (scipy's sparse)."""
    from scipy import sparse

    return sparse.csr_matrix(E)


#: Bound of an "unbounded" withheld cell in the audit's linear programs: this many times
#: the table's total of the count cells (plus a little), far beyond any real value.
_AUDIT_CAP_FACTOR = 4.0
_AUDIT_TOL = 1e-7
#: Largest number of linked withheld cells the linear programs audit: their number and
#: size grow with the component, beyond reason for a three-way table of thousands of rows
#: with every margin assumed published. Larger components get the one-line checks only,
#: with a note.
_AUDIT_MAX_UNKNOWNS = 500


class _Audit:
    """The interval audit of withheld counts (the attacker's linear programs).

    The published cells of a line are constants; the withheld ones are unknowns between
    the bounds their symbol discloses: a "<5" cell lies in 1–4 (``min_count - 1``), a
    secondary cell ("..‡") is at least ``min_count`` (zeros are never withheld and 1–4
    would show as "<5"), with no upper bound. Each line gives one constraint on its
    unknowns:

    * a line closed by a total row or column: the parts add up to the total (if they do
      in the data; if they add up to less, only "at most the total"; a total the parts
      do not reach within rounding gives nothing);
    * a line closed by a margin published elsewhere (``totals="auto"``): the parts add up
      to that margin, known exactly, or only as 1–4 where it is itself a small count.
      A withheld cell that is the only non-zero cell of such a line *is* the margin: it
      counts as published here (``protect`` notes it).

    A withheld cell is *exposed* when the constraints pin it to an interval narrower
    than ``width`` (the larger of 1 and ``Thresholds.protection_width``, or the whole
    1–4 of a "<5" cell where that is narrower). Integrality is ignored: the linear
    relaxation's interval contains every whole-number solution and can be wider than them
    by less than one at either end (for one- and two-way tables with totals its ends are
    whole numbers anyway: the constraints are those of a network).

    Each unknown's interval is found component by component (unknowns linked by shared
    lines): a component with one constraint or one unknown in closed form, any other with
    linear programs (scipy's HiGHS): a few programs that push all unknowns at once
    certify most cells, then one minimum and one maximum per cell still in doubt.
    """

    def __init__(self, val: np.ndarray, lines: list[_Line], min_count: float, width: float) -> None:
        from scipy import sparse

        self.val = np.where(np.isnan(val), 0.0, val)
        self.min_count = float(min_count)
        self.width = max(1.0, float(width))
        self.cap = _AUDIT_CAP_FACTOR * float(np.abs(self.val).sum()) + 10.0 * self.min_count + 10.0
        n_cells = len(val)
        rows, cols, coefs, lo, hi, closing_cell = [], [], [], [], [], np.zeros(n_cells, dtype=bool)
        given_back: set[int] = set()
        r = 0

        def add(cells: Sequence[int], signs: Sequence[float], low: float, high: float) -> None:
            nonlocal r
            rows.extend([r] * len(cells))
            cols.extend(cells)
            coefs.extend(signs)
            lo.append(low)
            hi.append(high)
            r += 1

        values = self.val.tolist()
        for line in lines:
            parts = list(line.parts)
            s = sum(values[c] for c in parts)
            if line.closing:
                for k in line.closing:
                    closing_cell[k] = True
                    total = values[k]
                    cells, signs = parts + [k], [1.0] * len(parts) + [-1.0]
                    gap = s - total
                    if abs(gap) <= 1e-6 * max(1.0, abs(total)):
                        add(cells, signs, 0.0, 0.0)
                    elif abs(gap) <= 0.5 + 1e-9:  # a rounded total (headcount and n)
                        add(cells, signs, -0.5, 0.5)
                    elif gap < 0:  # the parts are some of the total
                        add(cells, signs, -np.inf, 0.0)
            elif len(parts) >= 2:
                nonzero = [c for c in parts if values[c] != 0]
                if not nonzero:
                    continue
                if len(nonzero) == 1 and abs(values[nonzero[0]]) >= self.min_count:
                    given_back.add(nonzero[0])
                if 0 < s < self.min_count:
                    add(parts, [1.0] * len(parts), min(1.0, s), max(self.min_count - 1.0, s))
                else:
                    add(parts, [1.0] * len(parts), s, s)
        E = sparse.csr_matrix(
            (np.array(coefs, dtype=float), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(r, n_cells),
        )
        self._setup(E, np.array(lo, dtype=float), np.array(hi, dtype=float), given_back, closing_cell)

    @classmethod
    def of_system(
        cls,
        val: np.ndarray,
        E,
        lo: np.ndarray,
        hi: np.ndarray,
        *,
        min_count: float,
        width: float,
        lb: np.ndarray,
        ub: np.ndarray,
        no_width: np.ndarray,
        inside: tuple[np.ndarray, np.ndarray],
        given_back: set[int],
        closing_cell: np.ndarray,
    ) -> _Audit:
        """An audit of any linear system over any unknowns (the report's ledger): ``E``
        (constraints × unknowns, sparse) with ``lo <= E x <= hi``; every unknown's bounds
        ``lb``/``ub`` when it is withheld (``inf``: the cap); ``no_width`` marks unknowns
        that need no width (quantities nobody publishes); ``inside`` = (low, high) per
        unknown: it is exposed too when its whole range lies inside [low, high] (``inf``,
        ``-inf`` for none)."""
        self = cls.__new__(cls)
        self.val = np.where(np.isnan(val), 0.0, np.asarray(val, dtype=float))
        self.min_count = float(min_count)
        self.width = max(1.0, float(width))
        self.cap = _AUDIT_CAP_FACTOR * float(np.abs(self.val).sum()) + 10.0 * self.min_count + 10.0
        self._setup(_csr(E), np.asarray(lo, dtype=float), np.asarray(hi, dtype=float), given_back, closing_cell)
        self.lb_all = np.asarray(lb, dtype=float)
        self.ub_all = np.where(np.isinf(ub), np.maximum(self.cap, self.val), np.asarray(ub, dtype=float))
        self.no_width = np.asarray(no_width, dtype=bool)
        self.inside = (np.asarray(inside[0], dtype=float), np.asarray(inside[1], dtype=float))
        return self

    def _setup(self, E, lo: np.ndarray, hi: np.ndarray, given_back: set[int], closing_cell: np.ndarray) -> None:
        self.n_rows = E.shape[0]
        self.lo = lo
        self.hi = hi
        self.E = E
        self.E_csc = self.E.tocsc()
        self.given_back = given_back
        self.closing_cell = closing_cell
        # the ledger's bounds and criteria (None: those of a table, from the symbols)
        self.lb_all = self.ub_all = self.no_width = None
        self.inside = None
        self.rank = None  # (cell, hidden) -> sort key of candidates (None: smallest, parts first)
        # ranges (lowest, highest) found by the linear programs, by component (its withheld cells: the
        # constraints follow from them)
        self.lp_ranges: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        # cell → (constraints, sensitivity of its minimum, of its maximum) where the
        # programs found it too narrow
        self.duals: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._everything = None  # the system with every non-zero cell withheld
        self._fixable: dict[int, dict[int, bool]] = {}  # by its component: cell → widens enough
        self.unaudited: set[int] = set()  # sizes of components too large for the programs
        self.seen_low, self.seen_high = self.val.copy(), self.val.copy()

    # ----------------------------------------------------------------- bounds

    def _bounds(self, cells: np.ndarray, primary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.lb_all is not None:
            return self.lb_all[cells], self.ub_all[cells]
        v = self.val[cells]
        small = primary[cells]
        lb = np.where(small, np.minimum(1.0, v), np.minimum(self.min_count, v))
        ub = np.where(small, np.maximum(self.min_count - 1.0, v), np.maximum(self.cap, v))
        return lb, ub

    def _need(self, cells: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
        """The width each unknown's range must keep (``-inf``: none)."""
        need = np.minimum(self.width, ub - lb) - _AUDIT_TOL
        if self.no_width is not None:
            need = np.where(self.no_width[cells], -np.inf, need)
        return need

    def _inside(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The interval each unknown's range must not lie inside (None: no such rule)."""
        if self.inside is None:
            return None
        return self.inside[0][cells], self.inside[1][cells]

    @staticmethod
    def _exposed(low, high, need, inside) -> np.ndarray:
        """Ranges too narrow, or inside the interval they must leave."""
        bad = (high - low) < need
        if inside is not None:
            bad = bad | ((low >= inside[0] - _AUDIT_TOL) & (high <= inside[1] + _AUDIT_TOL))
        return bad

    # ----------------------------------------------------------------- one round

    def _system(self, hidden: np.ndarray):
        """The constraints on the withheld cells (published cells as constants): the
        matrix (constraints × unknowns), its bounds, the unknowns' cells, the constraints'
        indices, and the components (count, of each constraint, of each unknown)."""
        from scipy import sparse
        from scipy.sparse.csgraph import connected_components

        if self.n_rows == 0:
            return None
        unknown = hidden.copy()
        for c in self.given_back:
            unknown[c] = False
        var_cells = np.flatnonzero(unknown)
        if len(var_cells) == 0:
            return None
        const = self.E @ np.where(unknown, 0.0, self.val)
        A = self.E[:, var_cells]
        keep = np.flatnonzero(np.diff(A.indptr) > 0)
        if len(keep) == 0:
            return None
        A = A[keep]
        lo = self.lo[keep] - const[keep]
        hi = self.hi[keep] - const[keep]
        used = np.flatnonzero(np.diff(A.tocsc().indptr) > 0)  # unknowns in some constraint
        A = A[:, used].tocsr()
        cells = var_cells[used]
        n_r, n_v = A.shape
        # components of unknowns linked by constraints (a graph of rows and unknowns)
        B = A.tocoo()
        graph = sparse.coo_matrix((np.ones(B.nnz), (B.row, n_r + B.col)), shape=(n_r + n_v, n_r + n_v))
        n_comp, label = connected_components(graph, directed=False)
        return A, lo, hi, cells, keep, n_comp, label[:n_r], label[n_r:]

    def fixable(self, cell: int, primary: np.ndarray) -> bool:
        """Whether withholding every published non-zero cell would widen ``cell`` enough
        (if not, no choice of cells can: withholding more only widens)."""
        if self._everything is None:
            self._everything = self._system((self.val != 0) | primary) or ()
        if not self._everything:
            return True
        A, lo, hi, cells, _, _, row_comp, var_comp = self._everything
        where = np.flatnonzero(cells == cell)
        if len(where) == 0:
            return True
        k = int(var_comp[where[0]])
        if k not in self._fixable:
            members = np.flatnonzero(var_comp == k)
            rows = np.flatnonzero(row_comp == k)
            lb, ub = self._bounds(cells[members], primary)
            need = self._need(cells[members], lb, ub)
            inside = self._inside(cells[members])
            sub = A.tocsc()[:, members][rows].tocsr()
            low, high, _ = self._row_bounds(sub, lo[rows], hi[rows], lb, ub)
            if len(rows) > 1 and len(members) > 1 and len(members) <= _AUDIT_MAX_UNKNOWNS:
                doubt = ~self._exposed(low, high, need, inside)  # exposed by the outer bound: for sure
                x0 = self.val[cells[members]]
                seen = (x0.copy(), x0.copy())
                self._lp_widths(
                    sub,
                    lo[rows],
                    hi[rows],
                    lb,
                    ub,
                    x0,
                    np.where(doubt, need, -np.inf),
                    seen,
                    None if inside is None else (np.where(doubt, inside[0], np.inf), inside[1]),
                )
                low, high = seen
            bad = self._exposed(low, high, need, inside)
            self._fixable[k] = {int(c): not b for c, b in zip(cells[members], bad, strict=True)}
        return self._fixable[k].get(int(cell), True)

    def violations(
        self, hidden: np.ndarray, primary: np.ndarray, ignore: set[int]
    ) -> list[tuple[float, int, list[int], int]]:
        """(width, cell, constraints, component) of every exposed cell, narrowest first.
        The constraints are those that set the ends of the cell's outer bound where that
        bound is too narrow already; where only the linear programs find the cell too
        narrow, those with a non-zero dual value, as ``-1 - index`` (none if a program
        failed)."""
        system = self._system(hidden)
        if system is None:
            return []
        A, lo, hi, cells, keep, n_comp, row_comp, var_comp = system
        lb, ub = self._bounds(cells, primary)
        need = self._need(cells, lb, ub)
        inside = self._inside(cells)
        # interval from each constraint alone, intersected: exact for a component with one
        # constraint or one unknown, an outer bound (too wide, never too narrow) otherwise
        low, high, (entry_row, entry_var, entry_low, entry_high) = self._row_bounds(A, lo, hi, lb, ub)
        outer = self._exposed(low, high, need, inside)
        low_range, high_range = low.copy(), high.copy()
        rows_per_comp = np.bincount(row_comp, minlength=n_comp)
        vars_per_comp = np.bincount(var_comp, minlength=n_comp)
        general = np.flatnonzero((rows_per_comp > 1) & (vars_per_comp > 1))
        ignored = np.isin(cells, list(ignore)) if ignore else np.zeros(len(cells), dtype=bool)
        if len(general):
            A_csc = A.tocsc()
            order = np.argsort(var_comp, kind="stable")
            starts = np.searchsorted(var_comp[order], np.arange(n_comp + 1))
            row_order = np.argsort(row_comp, kind="stable")
            row_starts = np.searchsorted(row_comp[row_order], np.arange(n_comp + 1))
            for k in general:
                members = order[starts[k] : starts[k + 1]]
                if (outer[members] & ~ignored[members]).any():
                    continue  # exposed already by the outer bound
                key = tuple(cells[members].tolist())
                if key not in self.lp_ranges:
                    if len(members) > _AUDIT_MAX_UNKNOWNS:
                        self.unaudited.add(len(members))
                        self.lp_ranges[key] = (low[members], high[members])
                    else:
                        comp_rows = row_order[row_starts[k] : row_starts[k + 1]]
                        # cells given up on need no exact programs
                        # solutions of earlier rounds solve this system too (withholding
                        # more only relaxes it): what they showed need not be found again
                        member_cells = cells[members]
                        seen = (self.seen_low[member_cells], self.seen_high[member_cells])
                        _, duals = self._lp_widths(
                            A_csc[:, members][comp_rows],
                            lo[comp_rows],
                            hi[comp_rows],
                            lb[members],
                            ub[members],
                            self.val[member_cells],
                            np.where(ignored[members], -np.inf, need[members]),
                            seen,
                            None
                            if inside is None
                            else (np.where(ignored[members], np.inf, inside[0][members]), inside[1][members]),
                        )
                        self.seen_low[member_cells], self.seen_high[member_cells] = seen
                        self.lp_ranges[key] = (seen[0].copy(), seen[1].copy())
                        rows_global = keep[comp_rows]
                        for i, (s_min, s_max) in duals.items():
                            self.duals[int(cells[members[i]])] = (rows_global, s_min, s_max)
                low_range[members], high_range[members] = self.lp_ranges[key]
        width = high_range - low_range
        bad = self._exposed(low_range, high_range, need, inside) & ~ignored
        idx = np.flatnonzero(bad)
        if len(idx) == 0:
            return []
        idx = idx[np.lexsort((cells[idx], width[idx]))]
        # the constraints that set the lower and the upper end of the outer bound: if it
        # is the outer bound that is too narrow, only a cell withheld in one of them can
        # widen it (each end depends on its constraint's published cells alone)
        # (an end at the symbol's own bound cannot move)
        at_low = np.flatnonzero(
            (np.abs(entry_low - low[entry_var]) <= _AUDIT_TOL) & (entry_low > lb[entry_var] + _AUDIT_TOL)
        )
        at_high = np.flatnonzero(
            (np.abs(entry_high - high[entry_var]) <= _AUDIT_TOL) & (entry_high < ub[entry_var] - _AUDIT_TOL)
        )
        binding: dict[int, list[int]] = defaultdict(list)
        for e in np.r_[at_low, at_high][np.lexsort((np.r_[entry_row[at_low], entry_row[at_high]],))].tolist():
            rows = binding[int(entry_var[e])]
            r = int(keep[entry_row[e]])
            if r not in rows:
                rows.append(r)
        out = []
        for i in idx.tolist():
            cell = int(cells[i])
            if outer[i]:
                rows = binding.get(i, [])
            elif cell in self.duals:
                # where the programs found it: the constraints whose published part moves
                # its minimum or maximum (non-zero dual values)
                rows_global, s_min, s_max = self.duals[cell]
                active = (np.abs(s_min) > 1e-9) | (np.abs(s_max) > 1e-9)
                rows = [-1 - int(r) for r in rows_global[active]]  # marked: not binding
            else:
                rows = []
            out.append((float(width[i]), cell, rows, int(var_comp[i])))
        return out

    @staticmethod
    def _row_bounds(A, lo: np.ndarray, hi: np.ndarray, lb: np.ndarray, ub: np.ndarray):
        """Each unknown's interval from each constraint alone (with the symbols' bounds of
        the others) and their intersection: low, high and (row, unknown, low, high) of
        every entry."""
        coo = A.tocoo()
        a, r, v = coo.data, coo.row, coo.col
        tmin = np.where(a > 0, a * lb[v], a * ub[v])
        tmax = np.where(a > 0, a * ub[v], a * lb[v])
        n_r = A.shape[0]
        Tmin = np.bincount(r, weights=tmin, minlength=n_r)
        Tmax = np.bincount(r, weights=tmax, minlength=n_r)
        with np.errstate(invalid="ignore"):
            t_low = np.maximum(tmin, lo[r] - (Tmax[r] - tmax))
            t_high = np.minimum(tmax, hi[r] - (Tmin[r] - tmin))
        x_low = np.where(a > 0, t_low / a, t_high / a)
        x_high = np.where(a > 0, t_high / a, t_low / a)
        low, high = lb.copy(), ub.copy()
        np.maximum.at(low, v, x_low)
        np.minimum.at(high, v, x_high)
        return low, high, (r, v, x_low, x_high)

    def _lp_widths(
        self,
        A,
        lo: np.ndarray,
        hi: np.ndarray,
        lb: np.ndarray,
        ub: np.ndarray,
        x0: np.ndarray,
        need: np.ndarray,
        seen: tuple[np.ndarray, np.ndarray] | None = None,
        inside: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, dict[int, tuple]]:
        """The width of each unknown's interval, exact where it is below ``need`` (else
        a lower bound of at least ``need``), and for each unknown found too narrow the
        sensitivity of its minimum and of its maximum to each constraint's published part
        (``d optimum / d constant``, from the programs' dual values), by local index.
        With ``inside``, an unknown whose range seen so far lies inside its interval is in
        doubt too (and its range exact at the end if it stays there)."""
        from scipy import sparse
        from scipy.optimize import linprog

        eq = lo == hi
        up = ~eq & np.isfinite(hi)
        down = ~eq & np.isfinite(lo)
        A_eq, b_eq = (A[eq], lo[eq]) if eq.any() else (None, None)
        blocks, rhs = [], []
        if up.any():
            blocks.append(A[up])
            rhs.append(hi[up])
        if down.any():
            blocks.append(-A[down])
            rhs.append(-lo[down])
        A_ub = sparse.vstack(blocks).tocsr() if blocks else None
        b_ub = np.concatenate(rhs) if rhs else None
        bounds = np.column_stack([lb, ub])
        # the smallest and largest value of each unknown in the solutions seen so far
        # (``seen``: of a system this one relaxes, updated in place)
        seen_low, seen_high = seen if seen is not None else (x0.copy(), x0.copy())
        eq_idx, up_idx, down_idx = np.flatnonzero(eq), np.flatnonzero(up), np.flatnonzero(down)

        def solve(c: np.ndarray):
            res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status != 0:
                return None
            np.minimum(seen_low, res.x, out=seen_low)
            np.maximum(seen_high, res.x, out=seen_high)
            return res

        def sensitivity(res) -> np.ndarray:
            # the constant c of a row enters the right-hand side as lo - c, hi - c or
            # -(lo - c) (the "at least" rows are negated)
            out = np.zeros(len(lo))
            if len(eq_idx):
                out[eq_idx] -= res.eqlin.marginals
            if len(up_idx):
                out[up_idx] -= res.ineqlin.marginals[: len(up_idx)]
            if len(down_idx):
                out[down_idx] += res.ineqlin.marginals[len(up_idx) :]
            return out

        n = len(x0)
        rng = np.random.default_rng(0)

        def in_doubt() -> np.ndarray:
            return self._exposed(seen_low, seen_high, need, inside)

        def doubt_at(i: int) -> bool:
            if seen_high[i] - seen_low[i] < need[i]:
                return True
            return inside is not None and bool(
                seen_low[i] >= inside[0][i] - _AUDIT_TOL and seen_high[i] <= inside[1][i] + _AUDIT_TOL
            )

        for attempt in range(4):
            doubt = in_doubt()
            if not doubt.any():
                return seen_high - seen_low, {}
            if doubt.sum() <= 2:
                break  # as cheap to settle one by one
            c = doubt.astype(float) if attempt < 2 else doubt * rng.choice([-1.0, 1.0], size=n)
            solve(-c if attempt % 2 == 0 else c)
        duals: dict[int, tuple] = {}
        for i in range(n):
            # the minimum and the maximum are feasible, so after both programs the range
            # seen is exact (a program that fails leaves the cell in doubt: withheld more)
            ends = []
            for sign in (1.0, -1.0):
                if not doubt_at(i):
                    break
                c = np.zeros(n)
                c[i] = sign
                ends.append(solve(c))
            if len(ends) == 2 and doubt_at(i) and all(r is not None for r in ends):
                duals[i] = (sensitivity(ends[0]), sensitivity(ends[1]))
        return seen_high - seen_low, duals

    # ----------------------------------------------------------------- repair

    def repairs(
        self, bad: list, hidden: np.ndarray, fixable_mask: np.ndarray, stuck: set[int], *, hide: bool
    ) -> list[tuple[int, int]]:
        """One round of repairs for the exposed cells ``bad`` (:meth:`violations`): for each,
        the (exposed cell, cell to withhold) pair, at most one repair per constraint and
        round (or per component, where a program failed: a repair may fix the next cell
        too). A cell that no withholding can widen (:meth:`fixable` with ``fixable_mask``),
        or with no candidate, goes into ``stuck``. ``hide``: mark each chosen cell withheld
        in ``hidden`` at once, so that the round's later choices see it."""
        E_csc = self.E_csc
        chosen: list[tuple[int, int]] = []
        touched_rows: set[int] = set()
        touched_components: set[int] = set()
        for _, cell, rows, component in bad:
            binding = [r for r in rows if r >= 0]
            active = [-1 - r for r in rows if r < 0]
            if touched_rows.intersection(binding or active):
                continue
            if not rows and component in touched_components:
                continue
            if not binding and not self.fixable(cell, fixable_mask):
                stuck.add(cell)
                continue
            cand = self.candidate(cell, hidden, binding)
            if cand is None:
                stuck.add(cell)
                continue
            touched_components.add(component)
            if hide:
                hidden[cand] = True
            chosen.append((cell, cand))
            touched_rows.update(binding or active)
            touched_rows.update(E_csc.indices[E_csc.indptr[cand] : E_csc.indptr[cand + 1]].tolist())
        return chosen

    def candidate(self, cell: int, hidden: np.ndarray, pinning: list[int]) -> int | None:
        """The published non-zero cell to withhold next for an exposed ``cell``, None if
        there is none that can help.

        If the constraints that set the ends of the cell's outer bound pin it, only a cell
        of one of them can widen it: their smallest published non-zero cell (parts before
        totals), or None. If the linear programs pinned it, the smallest published cell
        whose withholding moves its minimum down or its maximum up (by the programs' dual
        values: the published part of a constraint with a non-zero dual value can move);
        None if no cell does, where a reader's bounds come from the symbols and from
        cells already withheld. Without dual values (a program failed): the smallest in a
        line through the cell, else in a line through a withheld cell linked to it, and
        so on."""
        E, E_csc, val = self.E, self.E_csc, self.val

        def best(cands) -> int | None:
            cands = set(cands)
            if not cands:
                return None
            if self.rank is not None:
                return min(cands, key=lambda c: self.rank(c, hidden))
            return min(cands, key=lambda c: (abs(val[c]), bool(self.closing_cell[c]), c))

        def usable(c: int) -> bool:
            return not hidden[c] and val[c] != 0 and c not in self.given_back

        if pinning:
            return best(c for r in pinning for c in E.indices[E.indptr[r] : E.indptr[r + 1]].tolist() if usable(c))
        if cell in self.duals:
            rows, s_min, s_max = self.duals[cell]
            sub = E[rows]
            helpful = set()
            for s in (s_min, s_max):
                # d optimum / d value of a published cell (through the constants of its
                # rows); the optimum is a minimum (of x or of -x) to be lowered
                g = sub.T @ s
                for c in np.flatnonzero(np.abs(g) > 1e-9).tolist():
                    if usable(c) and (g[c] < 0 or val[c] > self.min_count):
                        helpful.add(c)
            return best(helpful)
        seen_cells = {cell}
        frontier = [cell]
        seen_rows: set[int] = set()
        while frontier:
            rows_set: set[int] = set()
            for c in frontier:
                rows_set.update(E_csc.indices[E_csc.indptr[c] : E_csc.indptr[c + 1]].tolist())
            rows_set -= seen_rows
            seen_rows |= rows_set
            cands: set[int] = set()
            nxt = []
            for r in rows_set:
                for c in E.indices[E.indptr[r] : E.indptr[r + 1]].tolist():
                    if hidden[c]:
                        if c not in seen_cells:
                            seen_cells.add(c)
                            nxt.append(c)
                    elif usable(c):
                        cands.add(c)
            if cands:
                return best(cands)
            frontier = nxt
        return None


def _audit_lines(
    val: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    lines: list[_Line],
    greedy: _Greedy,
    min_count: float,
    width: float,
) -> tuple[set[int], set[int], list[int]]:
    """Withhold further cells until the audit (:class:`_Audit`) finds no withheld cell
    pinned to an interval narrower than ``width``.

    Each round takes the exposed cells narrowest first and withholds a candidate
    (:meth:`_Audit.candidate`) for each whose constraints no earlier repair of the round
    touched (one per component where only the linear programs see the problem), then
    lets the greedy rule of :func:`_suppress_lines` close any line a new cell leaves with
    a single withheld cell. A cell that no withholding can widen (:meth:`_Audit.fixable`)
    or with no candidate is given up on. Withholding more only widens intervals, and
    every round withholds a cell or gives one up, so the rounds end. Returns the cells
    withheld here, those given up on and the sizes of components too large for the
    linear programs.
    """
    audit = _Audit(val, lines, min_count, width)
    added: set[int] = set()
    stuck: set[int] = set()
    while True:
        bad = audit.violations(hidden, primary, stuck)
        if not bad:
            break
        new = [cand for _cell, cand in audit.repairs(bad, hidden, primary, stuck, hide=True)]
        added.update(new)
        added |= greedy.run(hidden, new)
    return added, stuck, sorted(audit.unaudited)
