"""The result of disclosure control, :class:`ProtectedTable`: figures, reasons, and the
reader's view of them (strings with symbols, print-friendly HTML, footnotes)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import texts
from ..labels import format_number, format_percent, label, value_label
from ..texts.disclosure import FOOTNOTES
from .layout import LONG_ROWS, WIDE_COLUMNS
from .rules import MISSING_SYMBOL, REASONS, SYMBOLS, Thresholds, _as_float, _missing


@dataclass
class ProtectedTable:
    """A table after disclosure control.

    Attributes
    ----------
    values : DataFrame
        The input's columns (minima and maxima dropped) and index; withheld cells are
        NaN. Safe to plot. Cells missing in the input stay missing (with an empty flag).
    flags : DataFrame
        Same shape: ``""`` for a shown cell, else the reason code (:data:`REASONS`).
    group_columns : list of str
    notes : list of str
        For the analyst (English): columns dropped or left unprotected, relations
        found, cells that could not be fully protected, how many cells were withheld.
    column_kinds : dict
        Column → ``"group"``, ``"count"``, ``"percent"``, ``"ratio"``, ``"duration"``,
        ``"flag"`` or ``"other"``: decides the display format.
    thresholds : Thresholds
    source : DataFrame or None
        The table as :func:`protect` (or :func:`protect_check_outcomes`) received it:
        true values, working material for :meth:`reprotect` and the report's
        :class:`~pilot_eval.disclosure.Ledger`, never shown.
    options : dict
        The keyword options of that call other than ``thresholds`` and ``withhold``
        (JSON-able: sequences as lists).
    method : str
        ``"protect"`` or ``"check_outcomes"``: the function that made the table.
    withheld_extra : tuple
        The (row position, count column) cells withheld on request (``withhold=``).

    Examples
    --------
    >>> from pilot_eval.disclosure import protect
    >>> t = pd.DataFrame({"gender": ["woman", "man"], "median_days": [41.5, 38.0], "n": [25, 7]})
    >>> p = protect(t, totals=None)
    >>> p.display("en").to_dict("list")
    {'Gender': ['Women', 'Men'], 'Median (days)': ['41.5', '..†'], 'Number': ['25', '7']}
    >>> p.footnotes("en")
    ['..† Not shown: the figure is based on fewer than 10 observations.']
    """

    values: pd.DataFrame
    flags: pd.DataFrame
    group_columns: list[str]
    notes: list[str]
    column_kinds: dict[str, str] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    source: pd.DataFrame | None = field(default=None, repr=False)
    options: dict = field(default_factory=dict)
    method: str = "protect"
    withheld_extra: tuple = ()

    def reprotect(self, withhold: Iterable[tuple[int, str]], *, audit: bool = True) -> ProtectedTable:
        """The same protection again with the cells ``withhold`` (row position, count
        column) withheld too, besides those withheld on request before. ``audit=False``
        (for the report's :class:`~pilot_eval.disclosure.Ledger`, which audits all tables
        together) leaves out :func:`protect`'s audit of the greedy result.

        Examples
        --------
        >>> from pilot_eval.disclosure import protect
        >>> p = protect(pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n": [12, 30, 45]}),
        ...             totals=None)
        >>> q = p.reprotect([(0, "n")])
        >>> q.flags["n"].tolist(), q.withheld_extra
        (['secondary', '', ''], ((0, 'n'),))
        >>> q.reprotect([(1, "n")]).flags["n"].tolist()
        ['secondary', 'secondary', '']
        """
        if self.source is None:
            raise ValueError(
                "reprotect needs the table's source: only tables made by protect() or "
                "protect_check_outcomes() can be protected again"
            )
        from .check_outcomes import protect_check_outcomes
        from .pipeline import _protect

        cells = list(self.withheld_extra) + [(int(i), str(c)) for i, c in withhold]
        if self.method == "check_outcomes":
            return protect_check_outcomes(self.source, thresholds=self.thresholds, withhold=cells, **self.options)
        return _protect(self.source, self.options, self.thresholds, cells, audit=audit)

    def select(self, rows=None, columns: Iterable[str] | None = None) -> ProtectedTable:
        """A part of this table to show (a summary above it, ``show.table(..., summary=...)``):
        the ``rows`` (a boolean mask or row positions; default all) and ``columns`` (default
        all; the group columns are kept), with their figures and flags as they are. Nothing
        is protected again, and the part has no source: it shows only what the table shows.

        Examples
        --------
        >>> from pilot_eval.disclosure import protect
        >>> p = protect(pd.DataFrame({"gender": ["woman", "man"], "n": [25, 3], "rate": [0.5, 0.2]}), totals=None)
        >>> p.select(rows=[0], columns=["n"]).display("en").to_dict("list")
        {'Gender': ['Women'], 'Number': ['25']}
        """
        keep = list(self.values.columns)
        if columns is not None:
            wanted = set(columns)
            keep = [c for c in keep if c in wanted or self.column_kinds.get(c) == "group"]
        if rows is None:
            positions = list(range(len(self.values)))
        else:
            mask = np.asarray(rows)
            positions = list(np.flatnonzero(mask)) if mask.dtype == bool else [int(i) for i in mask]
        values = self.values[keep].iloc[positions].reset_index(drop=True)
        flags = self.flags[keep].iloc[positions].reset_index(drop=True)
        return ProtectedTable(
            values=values,
            flags=flags,
            group_columns=[c for c in self.group_columns if c in keep],
            notes=[],
            column_kinds={c: k for c, k in self.column_kinds.items() if c in keep},
            thresholds=self.thresholds,
        )

    @property
    def suppressed(self) -> pd.DataFrame:
        """Boolean mask of withheld cells (same shape as :attr:`values`)."""
        return self.flags != ""

    def shown_cells(self) -> tuple[int, int]:
        """(shown, all) figure cells: every cell of a column that is not a group column,
        but those missing in the input (".." is no published figure)."""
        figures = [c for c in self.values.columns if self.column_kinds.get(c) != "group"]
        if not figures:
            return 0, 0
        flags = self.flags[figures].to_numpy(dtype=object)
        present = ~(self.values[figures].isna().to_numpy() & (flags == ""))
        return int((present & (flags == "")).sum()), int(present.sum())

    def symbol(self, reason: str) -> str:
        """The display symbol of a reason code ("<5", "..*", …)."""
        if reason == "small_count":
            return f"<{self.thresholds.min_count}"
        if reason == "missing":
            return MISSING_SYMBOL
        return SYMBOLS[reason]

    def _missing_cells(self) -> pd.DataFrame:
        figure = [c for c in self.values.columns if self.column_kinds.get(c) != "group"]
        mask = pd.DataFrame(False, index=self.values.index, columns=self.values.columns)
        for c in figure:
            mask[c] = self.values[c].isna().to_numpy() & (self.flags[c] == "").to_numpy()
        return mask

    def display(self, lang: str = "sv", decimals: dict[str, int] | None = None, labels: bool = True) -> pd.DataFrame:
        """Every cell as the string a reader sees.

        Parameters
        ----------
        lang : {"sv", "en"}, default "sv"
            Number format of :mod:`pilot_eval.labels` (Swedish "12,5", "1 234").
        decimals : dict, optional
            Column → decimals, overriding the defaults: counts and durations without
            decimals when every shown value of the column is whole (else one, for the
            whole column), percentages (rates and shares, shown as "12 %") with none,
            per-unit ratios with one, ``ratio_to_best`` with two.
        labels : bool, default True
            Headers and group values as :func:`pilot_eval.labels.label` /
            :func:`~pilot_eval.labels.value_label`; False keeps the codes.

        Returns
        -------
        DataFrame
            Strings only, a fresh RangeIndex. Withheld cells show their symbol
            (:data:`SYMBOLS`), values missing in the input "..": never a blank.
        """
        texts.check_lang(lang)
        decimals = decimals or {}
        out: dict[str, list[str]] = {}
        for col in self.values.columns:
            kind = self.column_kinds.get(col, "other")
            vals = self.values[col].astype(object).tolist()
            flags = self.flags[col].tolist()
            dec = decimals.get(col)
            if dec is None and kind in ("count", "duration", "other"):
                dec = _column_decimals(v for v, f in zip(vals, flags, strict=True) if not f)
            cells = []
            for v, f in zip(vals, flags, strict=True):
                if kind == "group":
                    cells.append(value_label(col, v, lang) if labels else ("" if _missing(v) else str(v)))
                elif f:
                    cells.append(self.symbol(f))
                elif _missing(v):
                    cells.append(MISSING_SYMBOL)
                else:
                    cells.append(_format_cell(col, kind, v, lang, dec))
            out[col] = cells
        frame = pd.DataFrame(out, index=pd.RangeIndex(len(self.values)), dtype=object)
        if labels:
            headers = [label(c, lang) for c in frame.columns]
            seen: dict[str, int] = defaultdict(int)
            for h in headers:
                seen[h] += 1
            frame.columns = [f"{h} ({c})" if seen[h] > 1 else h for h, c in zip(headers, frame.columns, strict=True)]
        return frame

    def footnotes(self, lang: str = "sv") -> list[str]:
        """One line per reason used in the table (and for values missing in the
        input), in the order of :data:`REASONS`.

        Examples
        --------
        >>> from pilot_eval.disclosure import protect
        >>> p = protect(pd.DataFrame({"role_group": ["teacher", "manager"], "n": [3, 0]}), totals=None)
        >>> p.footnotes()
        ['<5 Färre än 5 (1–4): det exakta antalet visas inte.']
        """
        i = texts.index(lang)
        used = set(np.unique(self.flags.to_numpy(dtype=object)).tolist()) - {""}
        if self._missing_cells().to_numpy().any():
            used.add("missing")
        fields = _threshold_fields(self.thresholds)
        return [FOOTNOTES[r][i].format(symbol=self.symbol(r), **fields) for r in (*REASONS, "missing") if r in used]

    def to_html(
        self,
        lang: str = "sv",
        decimals: dict[str, int] | None = None,
        caption: str | None = None,
        *,
        labels: dict[str, tuple[str, str]] | None = None,
        collapse: int | None = LONG_ROWS,
        wide: int | None = WIDE_COLUMNS,
    ) -> str:
        """:meth:`display` as a print-friendly HTML table (no index, numbers right-aligned,
        a header row that repeats on every printed page) followed by :meth:`footnotes`.
        Self-contained: inline styles only, nothing fetched. Figure cells carry their
        column kind (``data-kind="count"``, ...), so that a rendered report can be checked
        for small counts, and every cell its header (``data-label``).

        The layout rules of :mod:`pilot_eval.disclosure.layout` apply: every header is a
        reader label (``labels``: column → (Swedish, English) for a column
        :func:`pilot_eval.labels.label` does not know; a column without one raises
        :class:`~pilot_eval.disclosure.layout.UnlabelledError`), a column withheld in every
        row is replaced by a sentence, a table with more than ``wide`` figure columns is
        shown in long form and one with more than ``collapse`` rows behind ``<details>``
        (None: never)."""
        from .layout import to_html

        return to_html(self, lang, decimals, caption, labels=labels, collapse=collapse, wide=wide)

    def _repr_html_(self) -> str:
        return self.to_html()


def _threshold_fields(t: Thresholds) -> dict[str, float]:
    """The placeholders of the footnotes (:data:`pilot_eval.texts.disclosure.FOOTNOTES`)."""
    return {
        "min_count": t.min_count,
        "small_max": t.min_count - 1,
        "min_denominator": t.min_denominator,
        "min_duration_n": t.min_duration_n,
        "min_check_total": t.min_check_total,
        "min_check_category": t.min_check_category,
    }


def _column_decimals(values: Iterable[object]) -> int | None:
    """0 if every number is whole, 1 if one is not, None if there are no numbers."""
    numbers = [
        float(v)
        for v in values
        if isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool | np.bool_)
        and not _missing(v)
        and math.isfinite(float(v))
    ]
    if not numbers:
        return None
    return 0 if all(x.is_integer() for x in numbers) else 1


def _format_cell(col: str, kind: str, v: object, lang: str, decimals: int | None) -> str:
    if kind == "percent":
        return format_percent(v, lang, decimals=0 if decimals is None else decimals)
    if kind == "ratio":
        if decimals is None:
            decimals = 2 if col == "ratio_to_best" or col.startswith("ratio_") else 1
        return format_number(v, lang, decimals=decimals)
    if kind == "flag" or isinstance(v, bool | np.bool_):
        return value_label(col, bool(v), lang)
    if isinstance(v, int | float | np.integer | np.floating):
        return format_number(v, lang, decimals=decimals)
    return str(v)


def _withhold(values: pd.DataFrame, column: str, mask) -> None:
    """Set the withheld cells of ``column`` to NaN in place (numeric columns become float)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    if pd.api.types.is_numeric_dtype(values[column].dtype) and not pd.api.types.is_bool_dtype(values[column].dtype):
        values[column] = _as_float(values[column])
        values.loc[mask, column] = np.nan
    else:
        col = values[column].astype(object).to_numpy(copy=True)
        col[mask] = np.nan
        values[column] = pd.Series(col, index=values.index, dtype=object)


def _with_origin(
    result: ProtectedTable, table: pd.DataFrame, options: dict, method: str, withheld: tuple
) -> ProtectedTable:
    """Record on the result what it was made from, so that it can be protected again with
    more cells withheld (:meth:`ProtectedTable.reprotect`): a copy of the input (true
    values: working material only), the options (JSON-able) and the cells withheld on
    request."""
    result.source = table.copy()
    result.options = {k: _jsonable(v) for k, v in options.items()}
    result.method = method
    result.withheld_extra = withheld
    return result


def _jsonable(value):
    """Options as JSON can hold them: tuples and other sequences as lists, dict keys as
    strings, numpy scalars as Python numbers (``protect`` accepts them back)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Iterable):
        return [_jsonable(v) for v in value]
    return value
