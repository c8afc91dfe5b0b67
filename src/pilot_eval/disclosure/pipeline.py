""":func:`protect`: the disclosure rules applied to a tidy table."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .audit import _audit_lines
from .check_outcomes import _refuse_check_outcomes
from .rules import (
    _NO_IMPLIED_COUNT,
    _SURVIVAL_SHARE,
    Thresholds,
    _as_float,
    _classify,
    _Columns,
    _describe_row,
    _markers,
    _thresholds,
)
from .secondary import _Greedy, _Line, _relations, _row_lines
from .table import ProtectedTable, _with_origin, _withhold


def protect(
    table: pd.DataFrame,
    *,
    group_columns: Sequence[str] | None = None,
    counts: Sequence[str] | None = None,
    rates: dict[str, tuple[str | None, str | Sequence[str]]] | None = None,
    durations: dict[str, str] | None = None,
    totals: str | Sequence[Hashable] | None = "auto",
    thresholds: Thresholds | None = None,
    row_totals: str | dict[str, Sequence[str]] | None = "auto",
    withhold: Iterable[tuple[int, str]] | None = None,
) -> ProtectedTable:
    """Apply the disclosure rules (docs/disclosure.md) to a tidy table.

    Parameters
    ----------
    table : DataFrame
        A tidy table: group columns, figures, ``n`` (as :mod:`pilot_eval.measures`
        returns them). One row per combination of the group columns.
    group_columns : list of str, optional
        Default: the known group names (``administration``, ``period``, ``stage``, …),
        and every non-numeric or boolean column that is not a figure by its name.
    counts : list of str, optional
        Further count columns (``n`` and ``n_*`` are counts anyway).
    rates : dict, optional
        ``{rate: (numerator or None, denominator)}`` for rates whose numerator or
        denominator the naming conventions get wrong; the denominator may be a list of
        columns to add up. Other rates keep their defaults (see the module docstring).
    durations : dict, optional
        ``{duration: n_column}``; default ``n``.
    totals : "auto", None or list, default "auto"
        ``"auto"``: rows with a total value ("Totalt", "all", "Hela kommunen", …) close
        their lines, and every other line is assumed to have its total published
        elsewhere. ``None``: only total rows count. A list: these values mark total rows
        too (and no other total is assumed published).
    thresholds : Thresholds, optional
        Default the floors of docs/disclosure.md: a :class:`Thresholds` may be
        stricter, never laxer (anything else is a TypeError).
    row_totals : "auto", None or dict, default "auto"
        Count columns that are the sum of other count columns in every row (``{"n":
        ["n_filled", "n_competing", "n_censored"]}``), for secondary suppression within
        a row. ``"auto"`` finds them in the data.
    withhold : iterable of (row position, count column), optional
        Cells withheld from the start (*secondary*), for a reason outside the table: the
        report's :class:`~pilot_eval.disclosure.Ledger` found that other published
        figures would give them, or a cell they protect, back. Everything that follows a
        withheld count follows them (the greedy rule, the audit, which treats them as
        "..‡" cells of at least ``min_count``, rates, ``ratio_to_best``, flags). A zero or
        missing cell is never withheld (a note says so), nor is a count of 1–4 withheld
        twice (it stays "<5"). :meth:`ProtectedTable.reprotect` adds such cells to a
        protected table.

    Returns
    -------
    ProtectedTable

    Raises
    ------
    ValueError
        A named column is not in the table, a rate or duration has no denominator or
        ``n`` column, the rows are not unique by the group columns, or the table shows
        background-check outcomes (a column holding them or named after one:
        ``cleared``, ``n_remark_obstacle``, …; use :func:`protect_check_outcomes`).

    Notes
    -----
    After the greedy secondary suppression, every table with lines (total rows, margins
    assumed published, or counts that add up within a row) is audited as a reader would
    attack it: see "Secondary suppression" in the module docstring and
    ``Thresholds.protection_width``. :attr:`ProtectedTable.notes` names any withheld
    count the audit could not protect from within the table.

    Examples
    --------
    Counts 1–4 are withheld, 0 is shown; with the margin of each line published
    elsewhere, a second cell of the line is withheld too:

    >>> t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [27, 3, 0]})
    >>> p = protect(t)
    >>> p.values["n"].tolist(), p.flags["n"].tolist()
    ([nan, nan, 0.0], ['secondary', 'small_count', ''])

    The symbols and a total must not give hidden cells back either: "<5" is 1–4 and
    "..‡" at least 5, so 36 − 30 = 1 + 5 would pin both, and 30 is withheld too:

    >>> t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [1, 5, 30, 36]})
    >>> protect(t).display(labels=False)["n"].tolist()
    ['<5', '..‡', '..‡', '36']

    A rate is withheld with its numerator, and below a denominator of 10:

    >>> t = pd.DataFrame({"arm": ["pilot", "comparison"], "n_withdrawn_late": [4, 20],
    ...                   "late_withdrawal_rate": [0.08, 0.25], "n_reached_interview": [50, 80],
    ...                   "n": [50, 80]})
    >>> protect(t, totals=None).flags["late_withdrawal_rate"].tolist()
    ['secondary', '']
    """
    options = {
        "group_columns": group_columns,
        "counts": counts,
        "rates": rates,
        "durations": durations,
        "totals": totals,
        "row_totals": row_totals,
    }
    return _protect(table, options, thresholds, withhold, audit=True)


def _protect(
    table: pd.DataFrame,
    options: dict,
    thresholds: Thresholds | None,
    withhold: Iterable[tuple[int, str]] | None,
    *,
    audit: bool,
) -> ProtectedTable:
    """:func:`protect` with its options as a dict; ``audit=False`` leaves out the audit of
    the greedy result (the report's ledger audits every table's lines itself, together
    with the other tables', so it re-protects a table without it)."""
    thresholds = _thresholds(thresholds)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect needs a DataFrame, not {type(table).__name__}")
    group_columns, counts, rates, durations = (
        options.get(k) for k in ("group_columns", "counts", "rates", "durations")
    )
    totals = options.get("totals", "auto")
    row_totals = options.get("row_totals", "auto")
    markers, auto = _markers(totals)
    _refuse_check_outcomes(table)
    cols = _classify(table, group_columns, counts, rates, durations)
    notes = _column_notes(cols)
    frame = _figures(table, cols)
    cells = _CountCells.of(frame, cols.counts)
    primary = _small_counts(cells, thresholds)
    extra, withheld = _extra_cells(frame, cols, cells, primary, withhold, notes)
    lines = _group_lines(frame, cols.group, cells, markers, auto)
    lines += _row_total_lines(frame, cells, row_totals, notes)
    secondary = _secondary(cells, primary, lines if audit else [], thresholds, extra, greedy_lines=lines)
    notes += _secondary_notes(frame, cols.group, cells, secondary, thresholds)
    flag_arr = _count_flags(frame, cells, primary, secondary.added)
    _rate_flags(frame, cols, flag_arr, thresholds)
    if "ratio_to_best" in cols.rates:
        _protect_ratio_to_best(frame, cols.group, cols, flag_arr, thresholds)
    _duration_flags(frame, cols, flag_arr, thresholds)
    _flags_follow_rates(cols, flag_arr)
    result = _protected_table(frame, flag_arr, cols, notes, thresholds)
    return _with_origin(result, table, options, "protect", withheld)


def _extra_cells(
    frame: pd.DataFrame,
    cols: _Columns,
    cells: _CountCells,
    primary: np.ndarray,
    withhold: Iterable[tuple[int, str]] | None,
    notes: list[str],
) -> tuple[np.ndarray, tuple[tuple[int, str], ...]]:
    """The cells to withhold on request (``withhold=``) as a mask over the count cells, and
    the request as given (each cell once, in order). Refuses a cell that is no count cell
    of the table; ignores zero and missing cells with a note (zeros are never withheld, so
    a reader would know them anyway), and counts of 1–4, which are "<5" already."""
    extra = np.zeros(len(cells.val), dtype=bool)
    if withhold is None:
        return extra, ()
    request = tuple(dict.fromkeys((int(i), str(c)) for i, c in withhold))
    for i, col in request:
        if col not in cells.columns:
            raise ValueError(
                f"withhold: {col!r} is no count column of the table (counts: {', '.join(cells.columns) or 'none'})"
            )
        if not 0 <= i < len(frame):
            raise ValueError(f"withhold: row position {i} is not in the table ({len(frame)} rows)")
        cell = cells.cell(i, cells.columns.index(col))
        v = cells.val[cell]
        if np.isnan(v) or v == 0:
            notes.append(
                f"withhold: {col} at {_describe_row(frame, cols.group, i)} not withheld: it is "
                f"{'missing' if np.isnan(v) else 'zero'}, and zeros are never withheld"
            )
        elif not primary[cell]:
            extra[cell] = True
    return extra, request


# --------------------------------------------------------------------------- the steps


def _column_notes(cols: _Columns) -> list[str]:
    """The analyst's notes on the columns: minima and maxima dropped, figures shown as they
    are because they are no count, rate or duration by name."""
    notes: list[str] = []
    if cols.dropped:
        notes.append(f"columns {', '.join(cols.dropped)} withheld: minima and maxima are never published")
    if cols.other:
        notes.append(
            f"columns {', '.join(cols.other)} shown without disclosure control (not a count, rate "
            f"or duration by name); pass counts=, rates= or durations= if they are"
        )
    return notes


def _figures(table: pd.DataFrame, cols: _Columns) -> pd.DataFrame:
    """The table without its minima and maxima, with string column names; refuses rows that
    the group columns do not tell apart (a line would then add a cell to itself)."""
    frame = table.drop(columns=cols.dropped)
    frame.columns = [str(c) for c in frame.columns]
    group = cols.group
    if group and len(frame) and frame.duplicated(subset=group).any():
        dup = frame.loc[frame.duplicated(subset=group, keep=False), group].head(2)
        raise ValueError(
            f"the rows are not unique by the group columns {', '.join(group)} "
            f"(e.g. {dup.to_dict('records')}); pass group_columns= naming every column "
            f"that tells the rows apart"
        )
    return frame


@dataclass
class _CountCells:
    """The count cells of a table as one vector: cell ``i * len(columns) + j`` is row ``i``
    of count column ``j`` (missing values NaN). Lines, the greedy rule and the audit speak
    of cells by this number."""

    columns: list[str]
    raw: dict[str, np.ndarray]
    val: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[str]) -> _CountCells:
        raw = {c: _as_float(frame[c]) for c in columns}
        val = np.full(len(frame) * len(columns), np.nan)
        for j, c in enumerate(columns):
            val[j :: len(columns)] = raw[c]
        return cls(columns, raw, val)

    def cell(self, row: int, j: int) -> int:
        return row * len(self.columns) + j

    def where(self, cell: int) -> tuple[int, str]:
        """The row and the column of a cell."""
        row, j = divmod(int(cell), len(self.columns))
        return row, self.columns[j]


def _small_counts(cells: _CountCells, thresholds: Thresholds) -> np.ndarray:
    """Primary suppression of counts: a count of 1 to ``min_count - 1`` is withheld ("<5");
    0 and missing counts are not."""
    val = cells.val
    return (val > 0) & (val < thresholds.min_count) & ~np.isnan(val)


def _group_lines(
    frame: pd.DataFrame, group: list[str], cells: _CountCells, markers: set[str], auto: bool
) -> list[_Line]:
    """The lines along the group columns (:func:`_row_lines`), one per count column: the
    cells of a line that a total row closes, or a margin assumed published elsewhere."""
    lines: list[_Line] = []
    for parts, closing, virtual in _row_lines(frame, group, markers, auto):
        for j, c in enumerate(cells.columns):
            present = ~np.isnan(cells.raw[c])
            p = tuple(cells.cell(i, j) for i in parts if present[i])
            cl = tuple(cells.cell(i, j) for i in closing if present[i])
            if len(p) + len(cl) >= 2:
                lines.append(_Line(p, cl, virtual))
    return lines


def _row_total_lines(frame: pd.DataFrame, cells: _CountCells, row_totals, notes: list[str]) -> list[_Line]:
    """The lines within rows: a count that is the sum of others (:func:`_relations`) closes
    a line of them in every row. Relations that name a column that is no count are ignored,
    with a note, as are found relations (a note names them)."""
    relations = _relations(frame, cells.columns, row_totals)
    lines: list[_Line] = []
    present = ~np.isnan(cells.val)
    for total, parts in relations:
        jt = cells.columns.index(total) if total in cells.columns else None
        jp = [cells.columns.index(p) for p in parts if p in cells.columns]
        if jt is None or len(jp) != len(parts):
            notes.append(f"row total {total} = {' + '.join(parts)} ignored: not all of them are counts")
            continue
        for i in range(len(frame)):
            p = tuple(cells.cell(i, j) for j in jp if present[cells.cell(i, j)])
            cl = (cells.cell(i, jt),) if present[cells.cell(i, jt)] else ()
            if len(p) + len(cl) >= 2:
                lines.append(_Line(p, cl, False))
    if relations and row_totals == "auto":
        notes.append(
            "within a row, "
            + "; ".join(f"{t} = {' + '.join(p)}" for t, p in relations)
            + ": treated as totals for secondary suppression"
        )
    return lines


@dataclass
class _Secondary:
    """What secondary suppression decided: the cells it withheld, those of them a margin
    published elsewhere gives back (``exposed``), the cells no further withholding could
    protect (``stuck``) and the sizes of components audited line by line only."""

    added: set[int]
    exposed: set[int]
    stuck: set[int]
    unaudited: list[int]


def _secondary(
    cells: _CountCells,
    primary: np.ndarray,
    lines: list[_Line],
    thresholds: Thresholds,
    extra: np.ndarray | None = None,
    greedy_lines: list[_Line] | None = None,
) -> _Secondary:
    """Secondary suppression of counts: the greedy rule over the lines (no line keeps
    exactly one withheld non-zero cell), then, where the table has lines and something is
    withheld, the audit of the result as a whole (no withheld count pinned to a range
    narrower than the protection width). ``extra``: cells withheld on request from the
    start (*secondary*, at least ``min_count`` for the audit). ``greedy_lines``: lines for
    the greedy rule where they differ from those audited (none audited: the ledger's
    re-protection)."""
    hidden = primary.copy()
    if extra is not None:
        hidden |= extra
    greedy = _Greedy(cells.val, lines if greedy_lines is None else greedy_lines, thresholds.min_count)
    added = greedy.run(hidden)
    if extra is not None:
        added |= set(np.flatnonzero(extra).tolist())
    stuck: set[int] = set()
    unaudited: list[int] = []
    if lines and hidden.any():
        # the greedy rule looks at one line at a time: audit the result as a whole
        more, stuck, unaudited = _audit_lines(
            cells.val, hidden, primary, lines, greedy, thresholds.min_count, thresholds.protection_width
        )
        added |= more
    return _Secondary(added, added & greedy.exposed, stuck, unaudited)


def _secondary_notes(
    frame: pd.DataFrame, group: list[str], cells: _CountCells, secondary: _Secondary, thresholds: Thresholds
) -> list[str]:
    """The analyst's notes on what secondary suppression could not settle within the table:
    components audited line by line only, cells it could not protect, and withheld cells
    that a margin published elsewhere gives back."""
    notes = [
        f"{size} withheld counts are linked through so many lines that only each line on its "
        f"own was audited, not their combination: publish smaller tables (fewer group "
        f"columns or levels) to have them audited in full"
        for size in secondary.unaudited
    ]
    for cell in sorted(secondary.stuck):
        i, col = cells.where(cell)
        notes.append(
            f"{col} at {_describe_row(frame, group, i)} is withheld but can be narrowed down "
            f"to a range narrower than {max(1, thresholds.protection_width):g} from the published cells, "
            f"the symbols and the totals (or margins assumed published elsewhere), and withholding more "
            f"cells of this table cannot change that: check the table and its margins by hand"
        )
    for cell in sorted(secondary.exposed):
        i, col = cells.where(cell)
        notes.append(
            f"{col} at {_describe_row(frame, group, i)} was withheld to protect another "
            f"cell but is the only non-zero count of a line whose total is assumed published "
            f"elsewhere: make sure that total is protected too"
        )
    return notes


def _count_flags(
    frame: pd.DataFrame, cells: _CountCells, primary: np.ndarray, added: set[int]
) -> dict[str, np.ndarray]:
    """The reason codes of every column, by row: so far those of the counts, *small_count*
    for primary and *secondary* for secondary suppression."""
    flag_arr = {c: np.full(len(frame), "", dtype=object) for c in frame.columns}
    for cell in np.flatnonzero(primary):
        i, col = cells.where(cell)
        flag_arr[col][i] = "small_count"
    for cell in added:
        i, col = cells.where(cell)
        flag_arr[col][i] = "secondary"
    return flag_arr


def _rate_flags(frame: pd.DataFrame, cols: _Columns, flag_arr: dict[str, np.ndarray], thresholds: Thresholds) -> None:
    """Withhold rates: with a denominator below ``min_denominator`` (*small_denominator*),
    where their numerator or a denominator count is withheld (*secondary*: rate ×
    denominator gives the count back), and where rate × denominator is a count of 1–4
    that no column of the table protects (*secondary*)."""
    for rate, (num, den) in cols.rates.items():
        den_value = np.zeros(len(frame))
        for d in den:
            den_value = den_value + _as_float(frame[d])
        small = ~(den_value >= thresholds.min_denominator)  # NaN counts as small
        dependent = np.zeros(len(frame), dtype=bool)
        for c in ([num] if num else []) + list(den):
            dependent |= flag_arr[c] != ""
        f = flag_arr[rate]
        f[small & (f == "")] = "small_denominator"
        f[dependent & (f == "")] = "secondary"
        if (num is None or _SURVIVAL_SHARE.fullmatch(rate)) and not _NO_IMPLIED_COUNT.search(rate):
            # rate × denominator is a count (of those filled within 90 days, say) even
            # where the table has no column for it: 1–4 is withheld like any small count.
            # (Where the numerator is a column of its own, its protection covers the rate.)
            implied = _as_float(frame[rate]) * den_value
            with np.errstate(invalid="ignore"):
                tiny = (implied > 1e-9) & (implied < thresholds.min_count - 1e-6)
            f[tiny & (f == "")] = "secondary"


def _protect_ratio_to_best(
    frame: pd.DataFrame, group: list[str], cols: _Columns, flag_arr: dict[str, np.ndarray], thresholds: Thresholds
) -> None:
    """Withhold ``ratio_to_best`` in a whole comparison set (the rows that differ only in
    ``group``, else in the last group column) where one eligible rate of the set is
    withheld: the best group's rate is rate ÷ ratio of any other group of the set."""
    set_columns = [g for g in group if g != "group"] if "group" in group else group[:-1]
    rate_col = "rate" if "rate" in cols.rates else None
    num, den = cols.rates["ratio_to_best"]
    den_value = np.zeros(len(frame))
    for d in den:
        den_value = den_value + _as_float(frame[d])
    eligible = den_value >= thresholds.min_denominator
    rate_hidden = (
        flag_arr[rate_col] != "" if rate_col else (flag_arr[num] != "" if num else np.zeros(len(frame), dtype=bool))
    )
    if set_columns:
        sets = frame.groupby(set_columns, dropna=False, sort=False, observed=True).ngroup().to_numpy()
    else:
        sets = np.zeros(len(frame), dtype=int)
    f = flag_arr["ratio_to_best"]
    for s in np.unique(sets):
        rows = sets == s
        if (rate_hidden & eligible & rows).any():
            f[rows & (f == "")] = "secondary"


def _duration_flags(
    frame: pd.DataFrame, cols: _Columns, flag_arr: dict[str, np.ndarray], thresholds: Thresholds
) -> None:
    """Withhold a duration figure from fewer than ``min_duration_n`` observations
    (*small_n*; a missing count of observations counts as too few)."""
    for dur, n_col in cols.durations.items():
        n_value = _as_float(frame[n_col])
        small = ~(n_value >= thresholds.min_duration_n)
        f = flag_arr[dur]
        f[small & (f == "")] = "small_n"


def _flags_follow_rates(cols: _Columns, flag_arr: dict[str, np.ndarray]) -> None:
    """A ``*_flag`` column (four-fifths rule, say) is withheld where a rate of its row is,
    with that rate's reason (``ratio_to_best`` first): the flag says something about it."""
    sources = (["ratio_to_best"] if "ratio_to_best" in cols.rates else []) + [
        r for r in cols.rates if r != "ratio_to_best"
    ]
    for fc in cols.flags:
        f = flag_arr[fc]
        for src in sources:
            take = (flag_arr[src] != "") & (f == "")
            f[take] = flag_arr[src][take]


def _protected_table(
    frame: pd.DataFrame, flag_arr: dict[str, np.ndarray], cols: _Columns, notes: list[str], thresholds: Thresholds
) -> ProtectedTable:
    """The result: the figures with every withheld cell NaN, the reason codes, and a note
    that counts the withheld cells by reason."""
    flags = pd.DataFrame("", index=frame.index, columns=frame.columns, dtype=object)
    values = frame.copy()
    for c in frame.columns:
        flags[c] = flag_arr[c]
        _withhold(values, c, flag_arr[c] != "")
    counts_by_reason = pd.Series(flags.to_numpy(dtype=object).ravel()).value_counts()
    counts_by_reason = counts_by_reason[counts_by_reason.index != ""]
    if len(counts_by_reason):
        notes.append(
            f"{int(counts_by_reason.sum())} cells withheld: "
            + ", ".join(f"{k} {int(v)}" for k, v in counts_by_reason.items())
        )
    return ProtectedTable(
        values=values,
        flags=flags,
        group_columns=list(cols.group),
        notes=notes,
        column_kinds=dict(cols.kinds),
        thresholds=thresholds,
    )
