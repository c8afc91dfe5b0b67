"""Background-check outcomes (criminal-offence data, GDPR art. 10): the stricter rules of
:func:`protect_check_outcomes`, and the refusal of such tables by :func:`protect`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from .. import contract as C
from .. import texts
from ..labels import value_label
from .rules import (
    CHECK_OUTCOME_LEVELS,
    Thresholds,
    _as_float,
    _classify,
    _describe_row,
    _markers,
    _missing,
    _thresholds,
)
from .secondary import _Line, _row_lines, _suppress_lines
from .table import ProtectedTable, _with_origin, _withhold


def _outcome_spellings() -> set[str]:
    """Folded spellings of the background-check outcomes: codes, the contract's Swedish
    values, the readers' labels, and the words "remark"/"anmärkning" on their own."""
    spellings = set(C.TABLES["background_checks"].column("outcome").label_lookup())
    for code in C.CHECK_OUTCOMES:
        for lang in texts.LANGUAGES:
            spellings.add(C.fold(value_label("outcome", code, lang)))
    spellings |= {"remark", "remarks", "anmarkning", "anmarkningar"}
    spellings.discard("")
    return spellings


def _refuse_check_outcomes(frame: pd.DataFrame) -> None:
    """Refuse a table that shows background-check outcomes, as values of a column
    (``outcome``: "cleared", ...) or as columns named after them (``cleared``,
    ``n_remark_obstacle``, ``share_godkand``, ...): they are criminal-offence data (GDPR
    art. 10) with rules of their own, :func:`protect_check_outcomes`."""
    spellings = _outcome_spellings()
    pattern = re.compile(r"(^|_)(" + "|".join(sorted(map(re.escape, spellings), key=len, reverse=True)) + r")(_|$)")
    for col in frame.columns:
        if pattern.search(C.fold(str(col))):
            raise ValueError(
                f"column {str(col)!r} is named after a background-check outcome (criminal-offence data, GDPR "
                f"art. 10): protect() does not publish check outcomes. Make a tidy table with one row per "
                f"outcome (an 'outcome' column and a count 'n'), at municipality or administration × year "
                f"level, and protect it with protect_check_outcomes(), which applies the stricter rules"
            )
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
            continue
        values = {C.fold(str(v)) for v in series.dropna().unique()}
        if values & spellings:
            raise ValueError(
                f"column {str(col)!r} holds background-check outcomes (criminal-offence data, GDPR art. 10): "
                f"protect them with protect_check_outcomes(), which applies the stricter rules"
            )


def protect_check_outcomes(
    table: pd.DataFrame,
    *,
    category_column: str = "outcome",
    count_column: str = "n",
    level_columns: Sequence[str] = ("administration", "year"),
    thresholds: Thresholds | None = None,
    totals: str | Sequence[Hashable] | None = "auto",
    categories: Sequence[Hashable] | None = None,
    withhold: Iterable[tuple[int, str]] | None = None,
) -> ProtectedTable:
    """Protect a table of background-check outcomes (criminal-offence data, GDPR art. 10).

    Outcomes are published only for the municipality as a whole or by administration ×
    year (or by administration or year alone, which are coarser), and for a level row
    (one administration and year, say) only if it has at least 10 checks and at least 5
    in **every** outcome category; otherwise every category of the row is withheld
    (*check_outcome*). If a level row is withheld and the others of a line are shown,
    the smallest other level of the line is withheld too (*secondary*), as in
    :func:`protect`.

    Parameters
    ----------
    table : DataFrame
        Tidy: the level columns, ``category_column``, ``count_column`` (and optionally
        other figures such as a share, withheld with their row). Total rows ("Totalt",
        "Hela kommunen", …) are levels of their own.
    category_column : str, default "outcome"
    count_column : str, default "n"
    level_columns : sequence of str, default ("administration", "year")
        The only group columns allowed besides ``category_column``: a subset of
        :data:`CHECK_OUTCOME_LEVELS` (``()`` for the municipality as a whole).
    thresholds : Thresholds, optional
        ``min_check_total`` (10) and ``min_check_category`` (5), which are also their
        floors: they may be raised, never lowered.
    totals : "auto", None or list, default "auto"
        As in :func:`protect`, for the lines between levels.
    categories : sequence, optional
        The outcome categories every level must have at least 5 of (a category missing
        from a level counts as 0), besides every category in the table: it can add
        categories, never exempt one the table shows. Default: the contract's three
        outcomes when the table uses them, plus any other category in the table.
    withhold : iterable of (row position, column), optional
        Cells withheld from the start for a reason outside the table (the report's
        :class:`~pilot_eval.disclosure.Ledger`): each withholds the whole level row it is
        in, as the check-outcome rule does, with the reason *secondary* ("..‡": the level
        passes the rule, so a reader knows its categories are at least 5), and the
        levels of its lines follow as in :func:`protect`. The column must be
        ``count_column``.

    Raises
    ------
    ValueError
        Any other group column (naming it), a level column other than ``administration``
        or ``year``, a missing category or count column, or a second count column.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF"] * 3 + ["UBF"] * 3 + ["KOF"] * 3,
    ...                   "outcome": ["cleared", "remark_no_obstacle", "remark_obstacle"] * 3,
    ...                   "n": [120, 9, 6, 300, 12, 5, 40, 6, 2]})
    >>> p = protect_check_outcomes(t)
    >>> p.flags["n"].tolist()
    ['secondary', 'secondary', 'secondary', '', '', '', 'check_outcome', 'check_outcome', 'check_outcome']
    >>> protect_check_outcomes(t.assign(gender="woman"))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: check outcomes (criminal-offence data, GDPR art. 10) are only published for the
    municipality or by administration × year: column 'gender' breaks them down further; aggregate over it first
    """
    thresholds = _thresholds(thresholds)
    options = {
        "category_column": category_column,
        "count_column": count_column,
        "level_columns": level_columns,
        "totals": totals,
        "categories": categories,
    }
    markers, auto = _markers(totals)
    level_columns = [level_columns] if isinstance(level_columns, str) else list(level_columns)
    finer = [str(c) for c in level_columns if c not in CHECK_OUTCOME_LEVELS]
    if finer:
        raise ValueError(
            f"level_columns may only name {' and '.join(CHECK_OUTCOME_LEVELS)}: check outcomes (criminal-offence "
            f"data, GDPR art. 10) are only published for the municipality (level_columns=()), by "
            f"administration, by year or by administration × year, not by {', '.join(map(repr, finer))}"
        )
    columns = [str(c) for c in table.columns]
    for name, what in ((category_column, "category_column"), (count_column, "count_column")):
        if name not in columns:
            raise ValueError(
                f"{what} {name!r} is not a column of the check-outcome table (columns: {', '.join(columns)})"
            )
    cols = _classify(table, None, [count_column], None, None)
    allowed = set(level_columns) | {category_column}
    for col in columns:
        if col == count_column or col in cols.dropped:
            continue
        if cols.kinds.get(col) == "group" and col not in allowed:
            raise ValueError(
                f"check outcomes (criminal-offence data, GDPR art. 10) are only published for the "
                f"municipality or by administration × year: column {col!r} breaks them down further; "
                f"aggregate over it first"
            )
    other_counts = [c for c in cols.counts if c != count_column]
    if other_counts:
        # the rule is checked on count_column alone: another count beside it would be
        # published unchecked (count_column="n_dummy" beside the real counts in "n")
        raise ValueError(
            f"the check-outcome table has count columns besides count_column {count_column!r}: "
            f"{', '.join(map(repr, other_counts))}; a check-outcome table has one count column, so that "
            f"every count it shows meets the rule (at least {thresholds.min_check_total} checks and "
            f"{thresholds.min_check_category} per outcome)"
        )
    for col in level_columns:
        if col in columns:
            cols.kinds[col] = "group"
    cols.kinds[category_column] = "group"
    levels = [c for c in level_columns if c in columns]
    group = levels + [category_column]
    frame = table.drop(columns=cols.dropped).copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.duplicated(subset=group).any():
        raise ValueError(f"the check-outcome table has more than one row per {' × '.join(group)}")
    notes = []
    if cols.dropped:
        notes.append(f"columns {', '.join(cols.dropped)} withheld: minima and maxima are never published")

    count = _as_float(frame[count_column])
    cat_values = frame[category_column].astype(object)
    is_total_cat = np.array([(not _missing(v)) and C.fold(str(v)) in markers for v in cat_values], dtype=bool)
    observed = list(
        dict.fromkeys(None if _missing(v) else v for v, t in zip(cat_values, is_total_cat, strict=True) if not t)
    )
    # categories= adds categories a level must have, never removes one the table shows:
    # leaving out a category would publish its counts of 1-4
    if categories is None:
        expected = list(observed)
        if observed and all(v in C.CHECK_OUTCOMES for v in observed if v is not None):
            expected = list(dict.fromkeys([*C.CHECK_OUTCOMES, *observed]))
    else:
        expected = list(dict.fromkeys([*categories, *observed]))

    if levels:
        level_id = frame.groupby(levels, dropna=False, sort=False).ngroup().to_numpy()
    else:
        level_id = np.zeros(len(frame), dtype=int)
    n_levels = int(level_id.max()) + 1 if len(frame) else 0
    totals_by_level = np.zeros(n_levels)
    failing = np.zeros(n_levels, dtype=bool)
    for lv in range(n_levels):
        rows = np.flatnonzero((level_id == lv) & ~is_total_cat)
        per_cat: dict[Hashable, float] = defaultdict(float)
        for i in rows:
            key = None if _missing(cat_values.iloc[i]) else cat_values.iloc[i]
            per_cat[key] += 0.0 if np.isnan(count[i]) else count[i]
        totals_by_level[lv] = sum(per_cat.values())
        failing[lv] = totals_by_level[lv] < thresholds.min_check_total or any(
            per_cat.get(c, 0.0) < thresholds.min_check_category for c in expected
        )

    # lines between levels: one representative row per level
    first_row = [int(np.flatnonzero(level_id == lv)[0]) for lv in range(n_levels)]
    level_frame = (
        frame.iloc[first_row][levels].reset_index(drop=True) if levels else pd.DataFrame(index=range(n_levels))
    )
    lines = [
        _Line(tuple(parts), tuple(closing), virtual)
        for parts, closing, virtual in _row_lines(level_frame, levels, markers, auto)
    ]
    hidden = failing.copy()
    request = tuple(dict.fromkeys((int(i), str(c)) for i, c in withhold)) if withhold is not None else ()
    extra = _requested_levels(request, count_column, level_id, len(frame)) & ~failing
    hidden |= extra
    added, exposed = _suppress_lines(totals_by_level, hidden, lines, thresholds.min_check_total)
    added |= set(np.flatnonzero(extra).tolist())
    for lv in sorted(exposed):
        notes.append(
            f"level {_describe_row(level_frame, levels, lv)} was withheld to protect another level but "
            f"equals a total assumed published elsewhere: make sure that total is protected too"
        )

    flags = pd.DataFrame("", index=frame.index, columns=frame.columns, dtype=object)
    figure_cols = [c for c in frame.columns if c not in group]
    reason = np.where(failing, "check_outcome", np.where(np.isin(np.arange(n_levels), list(added)), "secondary", ""))
    row_reason = reason[level_id] if n_levels else np.array([], dtype=object)
    values = frame.copy()
    for c in figure_cols:
        flags[c] = row_reason.astype(object)
        _withhold(values, c, row_reason != "")
    n_failing, n_added = int(failing.sum()), len(added)
    if n_failing or n_added:
        notes.append(f"{n_failing} level(s) withheld by the check-outcome rule, {n_added} more to protect them")
    kinds = {c: ("group" if c in group else cols.kinds.get(c, "other")) for c in frame.columns}
    result = ProtectedTable(
        values=values, flags=flags, group_columns=group, notes=notes, column_kinds=kinds, thresholds=thresholds
    )
    return _with_origin(result, table, options, "check_outcomes", request)


def _requested_levels(
    request: tuple[tuple[int, str], ...], count_column: str, level_id: np.ndarray, n_rows: int
) -> np.ndarray:
    """The levels of the cells withheld on request, as a mask over the levels."""
    n_levels = int(level_id.max()) + 1 if n_rows else 0
    out = np.zeros(n_levels, dtype=bool)
    for i, col in request:
        if col != count_column:
            raise ValueError(f"withhold: {col!r} is not the count column {count_column!r} of the check-outcome table")
        if not 0 <= i < n_rows:
            raise ValueError(f"withhold: row position {i} is not in the table ({n_rows} rows)")
        out[level_id[i]] = True
    return out
