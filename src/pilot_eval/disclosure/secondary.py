"""Secondary suppression: the lines of cells that add up to a known total, and the greedy
rule that no line keeps exactly one withheld non-zero cell (see "Secondary suppression"
in :mod:`pilot_eval.disclosure`)."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import contract as C
from .rules import _missing


@dataclass(frozen=True)
class _Line:
    parts: tuple[int, ...]
    closing: tuple[int, ...]
    virtual: bool  # closed by a margin published elsewhere (not a cell of the table)


def _dimensions(codes: dict[str, np.ndarray], group: list[str]) -> list[list[str]]:
    """Group columns, with columns that are one-to-one with each other merged (so that
    ``stage`` and ``stage_name`` make one dimension)."""
    parent = {g: g for g in group}

    def find(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for a_i, a in enumerate(group):
        for b in group[a_i + 1 :]:
            ca, cb = codes[a], codes[b]
            n_pairs = len(set(zip(ca.tolist(), cb.tolist(), strict=True)))
            if n_pairs == len(np.unique(ca)) == len(np.unique(cb)):
                parent[find(b)] = find(a)
    dims: dict[str, list[str]] = defaultdict(list)
    for g in group:
        dims[find(g)].append(g)
    return list(dims.values())


def _row_lines(
    frame: pd.DataFrame, group: list[str], markers: set[str], auto: bool
) -> list[tuple[list[int], list[int], bool]]:
    """Lines over row positions: (parts, closing rows, virtual)."""
    if not group or len(frame) == 0:
        return []
    codes, is_total = {}, {}
    for g in group:
        codes[g], uniques = pd.factorize(frame[g].astype(object), use_na_sentinel=False)
        marked = np.array([(not _missing(v)) and C.fold(str(v)) in markers for v in uniques], dtype=bool)
        is_total[g] = marked[codes[g]] if len(marked) else np.zeros(len(frame), dtype=bool)
    out = []
    for dim in _dimensions(codes, group):
        others = [g for g in group if g not in dim]
        total = np.zeros(len(frame), dtype=bool)
        for g in dim:
            total |= is_total[g]
        if others:
            # rows by the combination of the other group columns, in order of first
            # appearance, each bucket's rows in table order
            key = pd.DataFrame({g: codes[g] for g in others})
            buckets = [rows.tolist() for rows in key.groupby(others, sort=False).indices.values()]
            first = [rows[0] for rows in buckets]
            buckets = [buckets[i] for i in np.argsort(first, kind="stable")]
        else:
            buckets = [list(range(len(frame)))]
        total_list = total.tolist()
        for rows in buckets:
            parts = [i for i in rows if not total_list[i]]
            closing = [i for i in rows if total_list[i]]
            if closing:
                out.append((parts, closing, False))
            elif auto and len(parts) >= 2:
                out.append((parts, [], True))
    return out


#: Sums within a row that the measures' tables have (the total is any count column that
#: equals the sum in every row).
_KNOWN_SUMS = [
    ("n_filled", "n_competing", "n_censored"),
    ("n_completed", "n_pending"),
    ("n_completed", "n_pending", "n_cancelled"),
    ("n_accepted", "n_declined", "n_pending"),
    ("n_accepted", "n_declined"),
    ("n_court_records", "n_court_and_credit"),
    ("n_filled", "n_readvertised", "n_cancelled", "n_unfilled"),
]


def _relations(frame: pd.DataFrame, counts: list[str], row_totals) -> list[tuple[str, tuple[str, ...]]]:
    """Count columns that are, in every row, the sum of other count columns (or equal to
    one): none with ``row_totals=None``, those given as a dict, or those found in the data
    with ``"auto"``."""
    if row_totals is None:
        return []
    if row_totals != "auto":
        return _given_relations(frame, row_totals)
    return _found_relations(frame, counts)


def _given_relations(frame: pd.DataFrame, row_totals: dict) -> list[tuple[str, tuple[str, ...]]]:
    """The caller's ``{total: parts}``, checked against the table's columns."""
    rel = []
    for total, parts in dict(row_totals).items():
        parts = (parts,) if isinstance(parts, str) else tuple(parts)
        missing = [c for c in (total, *parts) if c not in frame.columns]
        if missing:
            raise ValueError(f"row_totals: no column {', '.join(map(repr, missing))} in the table")
        rel.append((total, parts))
    return rel


class _Sums:
    """The count columns as floats, whether a sum holds in them, and the relations found
    (each once, whatever the order of its parts)."""

    def __init__(self, frame: pd.DataFrame, counts: list[str]) -> None:
        self.values = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64") for c in counts}
        self.ok = {c: ~np.isnan(v) for c, v in self.values.items()}
        self.found: list[tuple[str, tuple[str, ...]]] = []
        self._seen: set[tuple[str, tuple[str, ...]]] = set()

    def holds(self, total: str, parts: tuple[str, ...], tol: float = 1e-9) -> bool:
        """Whether ``total`` is the sum of ``parts`` in every row where all are present
        (and there is such a row)."""
        rows = self.ok[total].copy()
        for p in parts:
            rows &= self.ok[p]
        if not rows.any():
            return False
        s = sum(self.values[p][rows] for p in parts)
        return bool(np.all(np.abs(self.values[total][rows] - s) <= tol))

    def add(self, total: str, parts: tuple[str, ...]) -> None:
        key = (total, tuple(sorted(parts)))
        if key not in self._seen:
            self._seen.add(key)
            self.found.append((total, parts))


def _found_relations(frame: pd.DataFrame, counts: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The relations that hold in the data: two columns equal up to rounding, the known
    sums of the measures, every smaller column adding up to a total, and (on three rows or
    more) some of three to ten smaller columns adding up to one."""
    sums = _Sums(frame, counts)
    values, ok = sums.values, sums.ok
    identical: set[frozenset[str]] = set()
    for i, a in enumerate(counts):
        for b in counts[i + 1 :]:
            # equal up to rounding (headcount, an average, and n, its rounding)
            if sums.holds(a, (b,), tol=0.5 + 1e-9):
                identical.add(frozenset((a, b)))
                sums.add(a, (b,))
    for total in counts:
        for parts in _KNOWN_SUMS:
            if total not in parts and all(p in values for p in parts) and sums.holds(total, parts):
                sums.add(total, parts)
        smaller = tuple(
            c
            for c in counts
            if c != total
            and frozenset((c, total)) not in identical
            and np.all(values[c][ok[c] & ok[total]] <= values[total][ok[c] & ok[total]])
        )
        if len(smaller) >= 2 and sums.holds(total, smaller):
            sums.add(total, smaller)
        elif 3 <= len(smaller) <= 10 and len(frame) >= 3:
            # some of the smaller columns may add up to the total (n_closed = n_filled +
            # n_readvertised + n_cancelled + n_unfilled next to other counts); columns that
            # are 0 throughout add nothing. On three rows or more a coincidence is unlikely,
            # and a relation that holds in the data is one a reader can use anyway.
            nonzero = tuple(c for c in smaller if np.nansum(np.abs(values[c])) > 0)
            for r in range(2, len(nonzero)):
                for parts in itertools.combinations(nonzero, r):
                    if sums.holds(total, parts):
                        sums.add(total, parts)
    return sums.found


class _Greedy:
    """Greedy secondary suppression over lines: see :func:`_suppress_lines`. Keeps its
    index of lines so that it can be run again after more cells are withheld, looking
    only at the lines of those cells."""

    def __init__(self, val: np.ndarray, lines: list[_Line], min_count: float) -> None:
        self.val = val
        self.cell_lines: dict[int, list[int]] = defaultdict(list)
        self.closing_cells: set[int] = set()
        self.nonzero: list[list[int]] = []
        for li, line in enumerate(lines):
            cells = [*line.parts, *line.closing]
            for c in cells:
                self.cell_lines[c].append(li)
            self.closing_cells.update(line.closing)
            self.nonzero.append([c for c in cells if val[c] != 0])
        self.exposed: set[int] = set()
        for li, line in enumerate(lines):
            nz = self.nonzero[li]
            if line.virtual and len(nz) == 1 and abs(val[nz[0]]) >= min_count:
                self.exposed.add(nz[0])
        self.n_lines = len(lines)

    def run(self, hidden: np.ndarray, cells: Iterable[int] | None = None) -> set[int]:
        """Hide cells (in place) until no line has exactly one hidden non-zero cell;
        with ``cells``, only the lines through those cells are looked at first."""
        nonzero, cell_lines, val = self.nonzero, self.cell_lines, self.val
        exposed, closing_cells = self.exposed, self.closing_cells

        def n_hidden(li: int) -> int:
            return sum(1 for c in nonzero[li] if hidden[c])

        def violated(li: int) -> bool:
            return len(nonzero[li]) >= 2 and n_hidden(li) == 1

        def opens(c: int, current: int) -> int:
            return sum(1 for li in cell_lines[c] if li != current and len(nonzero[li]) >= 2 and n_hidden(li) == 0)

        start = range(self.n_lines) if cells is None else sorted({li for c in cells for li in cell_lines.get(c, ())})
        added: set[int] = set()
        queue = deque(start)
        queued = [False] * self.n_lines
        for li in start:
            queued[li] = True
        while queue:
            li = queue.popleft()
            queued[li] = False
            if not violated(li):
                continue
            candidates = [c for c in nonzero[li] if not hidden[c]]
            best = min(candidates, key=lambda c: (c in exposed, abs(val[c]), opens(c, li), c in closing_cells, c))
            hidden[best] = True
            added.add(best)
            for other in cell_lines[best]:
                if not queued[other]:
                    queued[other] = True
                    queue.append(other)
        return added


def _suppress_lines(
    val: np.ndarray, hidden: np.ndarray, lines: list[_Line], min_count: float
) -> tuple[set[int], set[int]]:
    """Hide further non-zero cells until no line has exactly one hidden non-zero cell.

    Returns the cells hidden here and those of them a published margin gives back
    (the only non-zero part of a line closed by a margin outside the table)."""
    greedy = _Greedy(val, lines, min_count)
    added = greedy.run(hidden)
    return added, added & greedy.exposed
