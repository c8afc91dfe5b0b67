"""Statistical disclosure control for everything rendered (DESIGN.md §7).

Every tidy table of :mod:`pilot_eval.measures` goes through :func:`protect` (and check
outcomes, GDPR art. 10 criminal-offence data, through :func:`protect_check_outcomes`)
before it is shown to anyone outside the analysis. The result, a
:class:`ProtectedTable`, carries the figures with withheld cells set to NaN (safe to
plot), a reason code per withheld cell, and :meth:`ProtectedTable.display` /
:meth:`ProtectedTable.to_html` for print, with a footnote symbol for every withheld cell.

Rules
-----
Columns are recognised by name (override any of it with the keyword arguments):

* **counts** — ``n``, every ``n_*`` (but ``n_months``), ``numerator``,
  ``denominator``, ``headcount``, ``voluntary_leavers``, ``new_hires``. A count of 1–4
  is shown as "<5" (*small_count*); 0 stays 0.
* **rates** — ``*_rate``, ``rate``, ``share``, ``share_*``, ``within_*``,
  ``filled_within_*``, ``ratio_to_best``, ``ratio_*`` and per-unit ratios ``*_per_*``.
  A rate needs a denominator of at least 10 (*small_denominator*), and is withheld
  (*secondary*) when its numerator or denominator count is withheld, since rate ×
  denominator gives the count back. Numerators and denominators are guessed from the
  measures' column names (``late_withdrawal_rate`` = ``n_withdrawn_late`` ÷
  ``n_reached_interview``, ``acceptance_rate`` = ``n_accepted`` ÷ (``n_accepted`` +
  ``n_declined``), ``applicants_per_vacancy`` = ``n_applications`` ÷ ``n_vacancies``,
  …; the default denominator is ``n``); pass ``rates=`` where a guess is wrong.
  ``ratio_to_best`` is also withheld in a whole comparison set (the rows that differ
  only in ``group``) when one eligible rate of the set is withheld, since
  rate ÷ ratio gives the best group's rate back; ``*_flag`` columns follow the rates of
  their row.
* **durations** — ``*_days``, ``median_conf_*``, ``rmst_*``: need ``n`` ≥ 10
  (*small_n*).
* **minima and maxima** — any column named ``min``/``max``/``minimum``/``maximum``
  (as a ``_``-separated word: ``min_days``, ``days_max``) are dropped, with a note.
* Anything else numeric that is not a group column is shown as it is, with a note.

**Secondary suppression** (*secondary*). A reader who knows a total can recompute a
single hidden cell that adds up to it. The cells of a count column that add up to a
known total form a *line*:

* along each group column, for every combination of the other group columns: the rows
  with a total value ("Totalt", "Total", "all", "Alla", "Hela kommunen", "Samtliga", or
  ``totals=[...]``) close the line, which then includes them (they can be hidden too);
  with ``totals="auto"`` (the default) a line without a total row is closed by a margin
  assumed published elsewhere (e.g. the municipality's figure). Group columns that are
  one-to-one with each other (``stage`` and ``stage_name``) count as one;
* within a row, a count that is the sum of others (``n = n_filled + n_competing +
  n_censored``; ``n_offers = n_accepted + n_declined + n_pending``; two equal columns such
  as ``n`` and ``n_checks``): found from the data with ``row_totals="auto"``.

In every line the number of hidden non-zero cells must be 0 or at least 2: while a line
has exactly one, the smallest shown non-zero count of the line is hidden too
(preferring cells whose hiding opens no new line, and never a cell that a published
margin would give back when another choice exists), and the rates that depend on it
follow, until nothing changes. A line with a single non-zero cell needs nothing: that
cell *is* the margin, which its own publication must protect; if a secondary cell is
such a margin, :attr:`ProtectedTable.notes` says so.

Limitations: only one-dimensional lines are checked (not, say, a published total of a
two-way sub-table); shares that sum to one are protected through their counts, not on
their own; a rate without a numerator column can imply a small count (3 of 40 is
7.5 %), which §7 allows (rates need a denominator of 10, nothing more).

Display symbols (one per reason, print-friendly, in every font):

=====================  ========  ===============================================
reason                 symbol    meaning
=====================  ========  ===============================================
``small_count``        ``<5``    1–4 (the threshold follows ``Thresholds.min_count``)
``small_denominator``  ``..*``   rate with a denominator below 10
``small_n``            ``..†``   duration from fewer than 10 observations
``secondary``          ``..‡``   would let a hidden value be recomputed
``check_outcome``      ``..§``   check outcomes below 10 checks / 5 per outcome
(missing in input)     ``..``    not available or not computable
=====================  ========  ===============================================

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"],
...                   "n_withdrawn": [3, 8, 12, 23], "n": [40, 50, 60, 150]})
>>> p = protect(t)
>>> p.flags["n_withdrawn"].tolist()
['small_count', 'secondary', '', '']
>>> p.display()["Antal återtagna ansökningar"].tolist()
['<5', '..‡', '12', '23']
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import contract as C
from .labels import format_number, format_percent, label, value_label

__all__ = [
    "publish",
    "Thresholds",
    "ProtectedTable",
    "protect",
    "protect_check_outcomes",
    "REASONS",
    "SYMBOLS",
    "MISSING_SYMBOL",
    "TOTAL_MARKERS",
]

#: Reason codes, in footnote order.
REASONS = ("small_count", "small_denominator", "small_n", "secondary", "check_outcome")

#: Display symbol per reason (``small_count`` shows as "<" + the threshold, e.g. "<5").
SYMBOLS = {
    "small_count": "<5",
    "small_denominator": "..*",
    "small_n": "..\u2020",       # dagger
    "secondary": "..\u2021",     # double dagger
    "check_outcome": "..\u00a7",  # section sign
}
#: Display symbol of a value missing in the input (not withheld: not available).
MISSING_SYMBOL = ".."

#: Group values that mark a total row (compared case- and å/ä/ö-insensitively).
TOTAL_MARKERS = ("Totalt", "Total", "all", "Alla", "Hela kommunen", "Samtliga")


@dataclass
class Thresholds:
    """The thresholds of DESIGN.md §7.

    Attributes
    ----------
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` are withheld (shown as "<5").
    min_denominator : int, default 10
        A rate needs a denominator of at least this.
    min_duration_n : int, default 10
        A duration figure (median, mean, quartile, RMST) needs at least this many
        observations.
    min_check_total : int, default 10
        Check outcomes need at least this many checks per level row...
    min_check_category : int, default 5
        ...and at least this many in every outcome category.
    """

    min_count: int = 5
    min_denominator: int = 10
    min_duration_n: int = 10
    min_check_total: int = 10
    min_check_category: int = 5


_FOOTNOTES = {
    "small_count": (
        "{sym} Färre än {t.min_count} (1–{t.min_count_1}): det exakta antalet visas inte.",
        "{sym} Fewer than {t.min_count} (1–{t.min_count_1}): the exact number is not shown.",
    ),
    "small_denominator": (
        "{sym} Visas inte: andelen bygger på färre än {t.min_denominator}.",
        "{sym} Not shown: the rate is based on fewer than {t.min_denominator}.",
    ),
    "small_n": (
        "{sym} Visas inte: värdet bygger på färre än {t.min_duration_n} observationer.",
        "{sym} Not shown: the figure is based on fewer than {t.min_duration_n} observations.",
    ),
    "secondary": (
        "{sym} Visas inte: ett dolt värde skulle annars kunna räknas fram ur summor eller andelar.",
        "{sym} Not shown: a hidden value could otherwise be worked out from totals or rates.",
    ),
    "check_outcome": (
        ("{sym} Visas inte: utfall av kontroller redovisas bara där det finns minst "
         "{t.min_check_total} kontroller och minst {t.min_check_category} i varje utfall."),
        ("{sym} Not shown: check outcomes are only published where there are at least "
         "{t.min_check_total} checks and at least {t.min_check_category} in every outcome."),
    ),
    "missing": (
        "{sym} Uppgift saknas eller kan inte beräknas.",
        "{sym} Not available or cannot be computed.",
    ),
}

_LANGS = ("sv", "en")


# --------------------------------------------------------------------------- the result

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

    Examples
    --------
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

    @property
    def suppressed(self) -> pd.DataFrame:
        """Boolean mask of withheld cells (same shape as :attr:`values`)."""
        return self.flags != ""

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

    def display(self, lang: str = "sv", decimals: dict[str, int] | None = None,
                labels: bool = True) -> pd.DataFrame:
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
        if lang not in _LANGS:
            raise ValueError(f"lang must be one of {', '.join(_LANGS)}, not {lang!r}")
        decimals = decimals or {}
        out: dict[str, list[str]] = {}
        for col in self.values.columns:
            kind = self.column_kinds.get(col, "other")
            vals = self.values[col].astype(object).tolist()
            flags = self.flags[col].tolist()
            dec = decimals.get(col)
            if dec is None and kind in ("count", "duration", "other"):
                dec = _column_decimals(v for v, f in zip(vals, flags) if not f)
            cells = []
            for v, f in zip(vals, flags):
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
            frame.columns = [f"{h} ({c})" if seen[h] > 1 else h for h, c in zip(headers, frame.columns)]
        return frame

    def footnotes(self, lang: str = "sv") -> list[str]:
        """One line per reason used in the table (and for values missing in the
        input), in the order of :data:`REASONS`.

        Examples
        --------
        >>> p = protect(pd.DataFrame({"role_group": ["teacher", "manager"], "n": [3, 0]}), totals=None)
        >>> p.footnotes()
        ['<5 Färre än 5 (1–4): det exakta antalet visas inte.']
        """
        if lang not in _LANGS:
            raise ValueError(f"lang must be one of {', '.join(_LANGS)}, not {lang!r}")
        used = set(np.unique(self.flags.to_numpy(dtype=object)).tolist()) - {""}
        if self._missing_cells().to_numpy().any():
            used.add("missing")
        t = _ThresholdText(self.thresholds)
        i = _LANGS.index(lang)
        return [_FOOTNOTES[r][i].format(sym=self.symbol(r), t=t) for r in (*REASONS, "missing") if r in used]

    def to_html(self, lang: str = "sv", decimals: dict[str, int] | None = None,
                caption: str | None = None) -> str:
        """:meth:`display` as a print-friendly HTML table (no index, numbers right-aligned,
        a header row that repeats on every printed page) followed by :meth:`footnotes`.
        Self-contained: inline styles only, nothing fetched. Figure cells carry their
        column kind (``data-kind="count"``, ...), so that a rendered report can be checked
        for small counts."""
        shown = self.display(lang, decimals)
        kinds = [self.column_kinds.get(c, "other") for c in self.values.columns]
        esc = html.escape
        parts = ['<div class="pe-protected-table">',
                 '<table class="pe-table" style="border-collapse:collapse">']
        if caption:
            parts.append(f'<caption style="text-align:left;font-weight:bold">{esc(caption)}</caption>')
        parts.append("<thead><tr>")
        for header, kind in zip(shown.columns, kinds):
            align = "left" if kind == "group" else "right"
            parts.append(f'<th scope="col" style="text-align:{align};padding:2px 8px;'
                         f'border-bottom:1px solid #000">{esc(str(header))}</th>')
        parts.append("</tr></thead><tbody>")
        for row in shown.itertuples(index=False):
            parts.append("<tr>")
            for cell, kind in zip(row, kinds):
                if kind == "group":
                    parts.append(f'<td style="text-align:left;padding:2px 8px">{esc(cell)}</td>')
                else:
                    parts.append(f'<td class="num" data-kind="{kind}" style="text-align:right;padding:2px 8px;'
                                 f'white-space:nowrap">{esc(cell)}</td>')
            parts.append("</tr>")
        parts.append("</tbody></table>")
        for note in self.footnotes(lang):
            parts.append(f'<p class="pe-footnote" style="font-size:85%;margin:2px 0">{esc(note)}</p>')
        parts.append("</div>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


class _ThresholdText:
    def __init__(self, t: Thresholds) -> None:
        self.min_count = t.min_count
        self.min_count_1 = t.min_count - 1
        self.min_denominator = t.min_denominator
        self.min_duration_n = t.min_duration_n
        self.min_check_total = t.min_check_total
        self.min_check_category = t.min_check_category


def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    return False


def _column_decimals(values: Iterable[object]) -> int | None:
    """0 if every number is whole, 1 if one is not, None if there are no numbers."""
    numbers = [float(v) for v in values if isinstance(v, int | float | np.integer | np.floating)
               and not isinstance(v, bool | np.bool_) and not _missing(v) and math.isfinite(float(v))]
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


# --------------------------------------------------------------------------- classification

_MINMAX = re.compile(r"(^|_)(min|max|minimum|maximum)(_|$)")
_COUNT_NAMES = frozenset({"n", "numerator", "denominator", "headcount", "voluntary_leavers", "new_hires"})
_NOT_COUNTS = frozenset({"n_months"})
_DURATION = re.compile(r"(_days$|^median_conf_|^rmst_\d+$|^rmst$)")
_PERCENT = re.compile(r"(_rate$|^rate$|^share$|^share_|^within_|^filled_within_)")
_RATIO = re.compile(r"(_per_|^ratio_to_best$|^ratio_)")
_GROUP_NAMES = frozenset({
    "administration", "role_group", "period", "arm", "phase", "cohort", "gender", "age_band", "stage",
    "stage_name", "check_type", "employment_type", "scope", "year", "outcome", "exposure", "measure",
    "reason", "withdrawal_reason", "dimension", "group", "month", "quarter", "half", "event_time", "status",
    "vacancy_status", "final_status", "qualified", "statutory_check", "is_manager", "internal",
    "check_in_ad", "treated", "in_rollout", "highest_stage", "withdrawn_stage",
})


def _kind_by_name(name: str) -> str | None:
    if _MINMAX.search(name):
        return "minmax"
    if name in _NOT_COUNTS:
        return "other"
    if name in _COUNT_NAMES or name.startswith("n_"):
        return "count"
    if _DURATION.search(name):
        return "duration"
    if _PERCENT.search(name):
        return "percent"
    if _RATIO.search(name):
        return "ratio"
    if name.endswith("_flag"):
        return "flag"
    return None


# Known (numerator, [denominator candidates]) of the measures' rates. A candidate is a
# column name or a tuple of names to add up; the first one present in the table wins.
_CLOSED = ["n_closed", "n_vacancies", "n"]
_RATE_DEFAULTS: dict[str, tuple[str | None, list]] = {
    "late_withdrawal_rate": ("n_withdrawn_late", ["n_reached_interview", "n"]),
    "withdrawal_rate": ("n_withdrawn", ["n_applications", "n"]),
    "share": ("n_withdrawn", ["n"]),
    "share_of_applications": ("n_withdrawn", ["n_applications", "n"]),
    "acceptance_rate": ("n_accepted", [("n_accepted", "n_declined"), "n_offers", "n"]),
    "filled_rate": (None, _CLOSED),
    "readvertised_rate": (None, _CLOSED),
    "cancelled_rate": (None, _CLOSED),
    "unfilled_rate": (None, _CLOSED),
    "share_hires_qualified": (None, ["n_hires", "n"]),
    "share_hires_permanent": (None, ["n_hires", "n"]),
    "share_hires_checked": ("n_hires_with_court_check", ["n_hires", "n"]),
    "share_hires_register_extract": ("n_hires_with_register_extract", ["n_hires", "n"]),
    "turnover_rate": ("voluntary_leavers", ["n"]),
    "applicants_per_vacancy": ("n_applications", ["n_vacancies", "n"]),
    "applicants_per_position": ("n_applications", ["n_positions", "n"]),
    "qualified_per_vacancy": ("n_qualified", ["n_vacancies", "n"]),
    "qualified_per_position": ("n_qualified", ["n_positions", "n"]),
    "ratio_to_best": ("numerator", ["denominator", "n"]),
}


def _default_rate(name: str, columns: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    cols = set(columns)
    if name == "rate":
        if {"numerator", "denominator"} <= cols:
            return "numerator", ("denominator",)
        if {"n_withdrawn", "n_reached"} <= cols:
            return "n_withdrawn", ("n_reached",)
        numerator, candidates = None, ["n"]
    elif name in _RATE_DEFAULTS:
        numerator, candidates = _RATE_DEFAULTS[name]
    else:
        numerator = None
        stem = re.sub(r"(_rate$|^share_|_per_.*$)", "", name)
        if stem != name and f"n_{stem}" in cols:
            numerator = f"n_{stem}"
        per = re.match(r"^.+_per_(vacancy|position|application)$", name)
        candidates = ([f"n_{per.group(1)}s"] if per else []) + ["n"]
    if numerator is not None and numerator not in cols:
        numerator = None
    for cand in candidates:
        parts = (cand,) if isinstance(cand, str) else tuple(cand)
        if all(p in cols for p in parts):
            return numerator, parts
    tried = ", ".join(c if isinstance(c, str) else " + ".join(c) for c in candidates)
    raise ValueError(
        f"rate column {name!r} has no denominator column in the table (tried {tried}); "
        f"pass rates={{{name!r}: (numerator_or_None, denominator_column)}} to protect()")


@dataclass
class _Columns:
    group: list[str]
    counts: list[str]
    rates: dict[str, tuple[str | None, tuple[str, ...]]]
    durations: dict[str, str]
    flags: list[str]
    other: list[str]
    dropped: list[str]
    kinds: dict[str, str]


def _classify(table: pd.DataFrame, group_columns: Sequence[str] | None, counts: Sequence[str] | None,
              rates: dict | None, durations: dict | None) -> _Columns:
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("the table has duplicate column names; give every column a unique name")
    table_cols = set(columns)

    def check(names: Iterable[str], what: str) -> None:
        missing = [c for c in names if c not in table_cols]
        if missing:
            raise ValueError(f"{what}: no column {', '.join(map(repr, missing))} in the table "
                             f"(columns: {', '.join(columns)})")

    explicit_counts = list(counts or [])
    explicit_rates = dict(rates or {})
    explicit_durations = dict(durations or {})
    check(explicit_counts, "counts")
    check(explicit_rates, "rates")
    check(explicit_durations, "durations")
    for rate, spec in explicit_rates.items():
        if not (isinstance(spec, tuple | list) and len(spec) == 2):
            raise ValueError(f"rates[{rate!r}] must be (numerator or None, denominator), not {spec!r}")
        num, den = spec
        check([num] if num is not None else [], f"numerator of rate {rate!r}")
        check([den] if isinstance(den, str) else list(den), f"denominator of rate {rate!r}")
    check(explicit_durations.values(), "the n column of durations")
    explicit_figures = set(explicit_counts) | set(explicit_rates) | set(explicit_durations)
    if group_columns is not None:
        group_columns = [group_columns] if isinstance(group_columns, str) else list(group_columns)
        check(group_columns, "group_columns")
        clash = explicit_figures & set(group_columns)
        if clash:
            raise ValueError(f"{', '.join(sorted(clash))}: both a group column and a figure")

    kinds: dict[str, str] = {}
    group, count_cols, flag_cols, other, dropped = [], [], [], [], []
    rate_kinds: dict[str, str] = {}
    duration_cols: list[str] = []
    for col in columns:
        series = table[col]
        if group_columns is not None and col in group_columns:
            kind = "group"
        elif col in explicit_counts:
            kind = "count"
        elif col in explicit_rates:
            by_name = _kind_by_name(col)
            kind = by_name if by_name in ("percent", "ratio") else ("ratio" if _RATIO.search(col) else "percent")
        elif col in explicit_durations:
            kind = "duration"
        else:
            kind = _kind_by_name(col)
            if kind is None:
                is_group = (col in _GROUP_NAMES or pd.api.types.is_bool_dtype(series.dtype)
                            or not pd.api.types.is_numeric_dtype(series.dtype))
                if group_columns is None and is_group:
                    kind = "group"
                else:
                    kind = "other"
        kinds[col] = kind
        if kind == "group":
            group.append(col)
        elif kind == "count":
            count_cols.append(col)
        elif kind in ("percent", "ratio"):
            rate_kinds[col] = kind
        elif kind == "duration":
            duration_cols.append(col)
        elif kind == "flag":
            flag_cols.append(col)
        elif kind == "minmax":
            dropped.append(col)
        else:
            other.append(col)
    for col in dropped:
        del kinds[col]
    kept = [c for c in columns if c not in dropped]
    rate_specs: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    for col in rate_kinds:
        if col in explicit_rates:
            num, den = explicit_rates[col]
            rate_specs[col] = (num, (den,) if isinstance(den, str) else tuple(den))
        else:
            rate_specs[col] = _default_rate(col, kept)
    duration_specs: dict[str, str] = {}
    for col in duration_cols:
        n_col = explicit_durations.get(col, "n")
        if n_col not in table_cols:
            raise ValueError(f"duration column {col!r} needs a count of observations, but the table has no "
                             f"column {n_col!r}; pass durations={{{col!r}: 'the_n_column'}} to protect()")
        duration_specs[col] = n_col
    return _Columns(group, count_cols, rate_specs, duration_specs, flag_cols, other, dropped, kinds)


# --------------------------------------------------------------------------- lines

@dataclass(frozen=True)
class _Line:
    parts: tuple[int, ...]
    closing: tuple[int, ...]
    virtual: bool  # closed by a margin published elsewhere (not a cell of the table)


def _codes(series: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(series.astype(object), use_na_sentinel=False)
    return codes


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
        for b in group[a_i + 1:]:
            ca, cb = codes[a], codes[b]
            n_pairs = len(set(zip(ca.tolist(), cb.tolist())))
            if n_pairs == len(np.unique(ca)) == len(np.unique(cb)):
                parent[find(b)] = find(a)
    dims: dict[str, list[str]] = defaultdict(list)
    for g in group:
        dims[find(g)].append(g)
    return list(dims.values())


def _row_lines(frame: pd.DataFrame, group: list[str], markers: set[str], auto: bool) -> list[tuple[list[int], list[int], bool]]:
    """Lines over row positions: (parts, closing rows, virtual)."""
    if not group or len(frame) == 0:
        return []
    codes = {g: _codes(frame[g]) for g in group}
    is_total = {g: np.array([(not _missing(v)) and C.fold(str(v)) in markers for v in frame[g].astype(object)],
                            dtype=bool) for g in group}
    out = []
    for dim in _dimensions(codes, group):
        others = [g for g in group if g not in dim]
        total = np.zeros(len(frame), dtype=bool)
        for g in dim:
            total |= is_total[g]
        buckets: dict[tuple, list[int]] = defaultdict(list)
        for i in range(len(frame)):
            buckets[tuple(int(codes[g][i]) for g in others)].append(i)
        for rows in buckets.values():
            parts = [i for i in rows if not total[i]]
            closing = [i for i in rows if total[i]]
            if closing:
                out.append((parts, closing, False))
            elif auto and len(parts) >= 2:
                out.append((parts, [], True))
    return out


def _relations(frame: pd.DataFrame, counts: list[str], row_totals) -> list[tuple[str, tuple[str, ...]]]:
    """Count columns that are, in every row, the sum of other count columns (or equal to
    one)."""
    if row_totals is None:
        return []
    if row_totals != "auto":
        rel = []
        for total, parts in dict(row_totals).items():
            parts = (parts,) if isinstance(parts, str) else tuple(parts)
            missing = [c for c in (total, *parts) if c not in frame.columns]
            if missing:
                raise ValueError(f"row_totals: no column {', '.join(map(repr, missing))} in the table")
            rel.append((total, parts))
        return rel
    values = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64") for c in counts}
    ok = {c: ~np.isnan(v) for c, v in values.items()}
    rel: list[tuple[str, tuple[str, ...]]] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()

    def holds(total: str, parts: tuple[str, ...], tol: float = 1e-9) -> bool:
        rows = ok[total].copy()
        for p in parts:
            rows &= ok[p]
        if not rows.any():
            return False
        s = sum(values[p][rows] for p in parts)
        return bool(np.all(np.abs(values[total][rows] - s) <= tol))

    def add(total: str, parts: tuple[str, ...]) -> None:
        key = (total, tuple(sorted(parts)))
        if key not in seen:
            seen.add(key)
            rel.append((total, parts))

    identical: set[frozenset[str]] = set()
    for i, a in enumerate(counts):
        for b in counts[i + 1:]:
            # equal up to rounding (headcount, an average, and n, its rounding)
            if holds(a, (b,), tol=0.5 + 1e-9):
                identical.add(frozenset((a, b)))
                add(a, (b,))
    known = [("n_filled", "n_competing", "n_censored"), ("n_completed", "n_pending"),
             ("n_completed", "n_pending", "n_cancelled"), ("n_accepted", "n_declined", "n_pending"),
             ("n_accepted", "n_declined"), ("n_court_records", "n_court_and_credit")]
    for total in counts:
        for parts in known:
            if total not in parts and all(p in values for p in parts) and holds(total, parts):
                add(total, parts)
        smaller = tuple(c for c in counts if c != total and frozenset((c, total)) not in identical
                        and np.all(values[c][ok[c] & ok[total]] <= values[total][ok[c] & ok[total]]))
        if len(smaller) >= 2 and holds(total, smaller):
            add(total, smaller)
    return rel


def _suppress_lines(val: np.ndarray, hidden: np.ndarray, lines: list[_Line],
                    min_count: float) -> tuple[set[int], set[int]]:
    """Hide further non-zero cells until no line has exactly one hidden non-zero cell.

    Returns the cells hidden here and those of them a published margin gives back
    (the only non-zero part of a line closed by a margin outside the table)."""
    cell_lines: dict[int, list[int]] = defaultdict(list)
    closing_cells: set[int] = set()
    nonzero: list[list[int]] = []
    for li, line in enumerate(lines):
        cells = [c for c in (*line.parts, *line.closing)]
        for c in cells:
            cell_lines[c].append(li)
        closing_cells.update(line.closing)
        nonzero.append([c for c in cells if val[c] != 0])
    exposed = set()
    for li, line in enumerate(lines):
        if line.virtual and len(nonzero[li]) == 1 and abs(val[nonzero[li][0]]) >= min_count:
            exposed.add(nonzero[li][0])

    def n_hidden(li: int) -> int:
        return sum(1 for c in nonzero[li] if hidden[c])

    def violated(li: int) -> bool:
        return len(nonzero[li]) >= 2 and n_hidden(li) == 1

    def opens(c: int, current: int) -> int:
        return sum(1 for li in cell_lines[c] if li != current and len(nonzero[li]) >= 2 and n_hidden(li) == 0)

    added: set[int] = set()
    queue = deque(range(len(lines)))
    queued = [True] * len(lines)
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
    return added, added & exposed


# --------------------------------------------------------------------------- protect

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


def _as_float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series.astype(object).where(series.notna(), np.nan), errors="coerce").to_numpy(
        dtype="float64")


def _markers(totals) -> tuple[set[str], bool]:
    markers = {C.fold(m) for m in TOTAL_MARKERS}
    if totals == "auto":
        return markers, True
    if totals is None:
        return markers, False
    if isinstance(totals, str):
        raise ValueError(f"totals must be 'auto', None or a list of total-row values, not {totals!r}")
    return markers | {C.fold(str(m)) for m in totals}, False


def _describe_row(frame: pd.DataFrame, group: list[str], i: int) -> str:
    if not group:
        return f"row {i}"
    return ", ".join(f"{g}={frame[g].iloc[i]!r}" for g in group)


def protect(table: pd.DataFrame, *, group_columns: Sequence[str] | None = None,
            counts: Sequence[str] | None = None,
            rates: dict[str, tuple[str | None, str | Sequence[str]]] | None = None,
            durations: dict[str, str] | None = None, totals: str | Sequence[Hashable] | None = "auto",
            thresholds: Thresholds | None = None,
            row_totals: str | dict[str, Sequence[str]] | None = "auto") -> ProtectedTable:
    """Apply the disclosure rules of DESIGN.md §7 to a tidy table.

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
    row_totals : "auto", None or dict, default "auto"
        Count columns that are the sum of other count columns in every row (``{"n":
        ["n_filled", "n_competing", "n_censored"]}``), for secondary suppression within
        a row. ``"auto"`` finds them in the data.

    Returns
    -------
    ProtectedTable

    Raises
    ------
    ValueError
        A named column is not in the table, a rate or duration has no denominator or
        ``n`` column, or the rows are not unique by the group columns.

    Examples
    --------
    Counts 1–4 are withheld, 0 is shown; with the margin of each line published
    elsewhere, a second cell of the line is withheld too:

    >>> t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [27, 3, 0]})
    >>> p = protect(t)
    >>> p.values["n"].tolist(), p.flags["n"].tolist()
    ([nan, nan, 0.0], ['secondary', 'small_count', ''])

    A rate is withheld with its numerator, and below a denominator of 10:

    >>> t = pd.DataFrame({"arm": ["pilot", "comparison"], "n_withdrawn_late": [4, 20],
    ...                   "late_withdrawal_rate": [0.08, 0.25], "n_reached_interview": [50, 80],
    ...                   "n": [50, 80]})
    >>> protect(t, totals=None).flags["late_withdrawal_rate"].tolist()
    ['secondary', '']
    """
    thresholds = thresholds or Thresholds()
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect needs a DataFrame, not {type(table).__name__}")
    markers, auto = _markers(totals)
    cols = _classify(table, group_columns, counts, rates, durations)
    notes: list[str] = []
    if cols.dropped:
        notes.append(f"columns {', '.join(cols.dropped)} withheld: minima and maxima are never published")
    if cols.other:
        notes.append(f"columns {', '.join(cols.other)} shown without disclosure control (not a count, rate "
                     f"or duration by name); pass counts=, rates= or durations= if they are")
    frame = table.drop(columns=cols.dropped)
    frame.columns = [str(c) for c in frame.columns]
    group = cols.group
    _refuse_check_outcomes(frame, group)
    if group and len(frame) and frame.duplicated(subset=group).any():
        dup = frame.loc[frame.duplicated(subset=group, keep=False), group].head(2)
        raise ValueError(f"the rows are not unique by the group columns {', '.join(group)} "
                         f"(e.g. {dup.to_dict('records')}); pass group_columns= naming every column "
                         f"that tells the rows apart")
    n_rows = len(frame)
    flags = pd.DataFrame("", index=frame.index, columns=frame.columns, dtype=object)
    flag_arr = {c: np.full(n_rows, "", dtype=object) for c in frame.columns}
    # primary suppression of counts
    count_cols = cols.counts
    raw = {c: _as_float(frame[c]) for c in count_cols}
    n_cc = len(count_cols)
    val = np.full(n_rows * n_cc, np.nan)
    for j, c in enumerate(count_cols):
        val[j::n_cc] = raw[c]
    hidden = (val > 0) & (val < thresholds.min_count)
    hidden &= ~np.isnan(val)

    # secondary suppression over lines
    lines: list[_Line] = []
    for parts, closing, virtual in _row_lines(frame, group, markers, auto):
        for j, c in enumerate(count_cols):
            p = tuple(i * n_cc + j for i in parts if not np.isnan(raw[c][i]))
            cl = tuple(i * n_cc + j for i in closing if not np.isnan(raw[c][i]))
            if len(p) + len(cl) >= 2:
                lines.append(_Line(p, cl, virtual))
    relations = _relations(frame, count_cols, row_totals)
    for total, parts in relations:
        jt = count_cols.index(total) if total in count_cols else None
        jp = [count_cols.index(p) for p in parts if p in count_cols]
        if jt is None or len(jp) != len(parts):
            notes.append(f"row total {total} = {' + '.join(parts)} ignored: not all of them are counts")
            continue
        for i in range(n_rows):
            p = tuple(i * n_cc + j for j in jp if not np.isnan(val[i * n_cc + j]))
            cl = () if np.isnan(val[i * n_cc + jt]) else (i * n_cc + jt,)
            if len(p) + len(cl) >= 2:
                lines.append(_Line(p, cl, False))
    if relations and row_totals == "auto":
        notes.append("within a row, " + "; ".join(f"{t} = {' + '.join(p)}" for t, p in relations)
                     + ": treated as totals for secondary suppression")
    primary = hidden.copy()
    added, exposed = _suppress_lines(val, hidden, lines, thresholds.min_count)
    for cell in sorted(exposed):
        i, j = divmod(cell, n_cc)
        notes.append(f"{count_cols[j]} at {_describe_row(frame, group, i)} was withheld to protect another "
                     f"cell but is the only non-zero count of a line whose total is assumed published "
                     f"elsewhere: make sure that total is protected too")
    for cell in np.flatnonzero(primary):
        i, j = divmod(int(cell), n_cc)
        flag_arr[count_cols[j]][i] = "small_count"
    for cell in added:
        i, j = divmod(cell, n_cc)
        flag_arr[count_cols[j]][i] = "secondary"

    def withheld(col: str) -> np.ndarray:
        return flag_arr[col] != ""

    # rates
    for rate, (num, den) in cols.rates.items():
        den_value = np.zeros(n_rows)
        for d in den:
            den_value = den_value + _as_float(frame[d])
        small = ~(den_value >= thresholds.min_denominator)  # NaN counts as small
        dependent = np.zeros(n_rows, dtype=bool)
        for c in ([num] if num else []) + list(den):
            dependent |= withheld(c)
        f = flag_arr[rate]
        f[small & (f == "")] = "small_denominator"
        f[dependent & (f == "")] = "secondary"
    # ratio_to_best: the best group's rate is rate ÷ ratio of any other group of its set
    if "ratio_to_best" in cols.rates:
        _protect_ratio_to_best(frame, group, cols, flag_arr, thresholds)
    # durations
    for dur, n_col in cols.durations.items():
        n_value = _as_float(frame[n_col])
        small = ~(n_value >= thresholds.min_duration_n)
        f = flag_arr[dur]
        f[small & (f == "")] = "small_n"
    # flags follow the rates of their row (ratio_to_best first)
    sources = (["ratio_to_best"] if "ratio_to_best" in cols.rates else []) + [
        r for r in cols.rates if r != "ratio_to_best"]
    for fc in cols.flags:
        f = flag_arr[fc]
        for src in sources:
            take = (flag_arr[src] != "") & (f == "")
            f[take] = flag_arr[src][take]

    values = frame.copy()
    for c in frame.columns:
        flags[c] = flag_arr[c]
        _withhold(values, c, flag_arr[c] != "")
    counts_by_reason = pd.Series(flags.to_numpy(dtype=object).ravel()).value_counts()
    counts_by_reason = counts_by_reason[counts_by_reason.index != ""]
    if len(counts_by_reason):
        notes.append(f"{int(counts_by_reason.sum())} cells withheld: "
                     + ", ".join(f"{k} {int(v)}" for k, v in counts_by_reason.items()))
    kinds = dict(cols.kinds)
    return ProtectedTable(values=values, flags=flags, group_columns=list(group), notes=notes,
                          column_kinds=kinds, thresholds=thresholds)


def _refuse_check_outcomes(frame: pd.DataFrame, group: list[str]) -> None:
    outcome = C.TABLES["background_checks"].column("outcome")
    spellings = set(outcome.label_lookup())
    for col in group:
        values = {C.fold(str(v)) for v in frame[col].dropna().unique()}
        if values & spellings:
            raise ValueError(
                f"column {col!r} holds background-check outcomes (criminal-offence data, GDPR art. 10): "
                f"protect them with protect_check_outcomes(), which applies the stricter rules")


def _protect_ratio_to_best(frame: pd.DataFrame, group: list[str], cols: _Columns,
                           flag_arr: dict[str, np.ndarray], thresholds: Thresholds) -> None:
    set_columns = [g for g in group if g != "group"] if "group" in group else group[:-1]
    rate_col = "rate" if "rate" in cols.rates else None
    num, den = cols.rates["ratio_to_best"]
    den_value = np.zeros(len(frame))
    for d in den:
        den_value = den_value + _as_float(frame[d])
    eligible = den_value >= thresholds.min_denominator
    rate_hidden = flag_arr[rate_col] != "" if rate_col else (
        flag_arr[num] != "" if num else np.zeros(len(frame), dtype=bool))
    if set_columns:
        sets = frame.groupby(set_columns, dropna=False, sort=False, observed=True).ngroup().to_numpy()
    else:
        sets = np.zeros(len(frame), dtype=int)
    f = flag_arr["ratio_to_best"]
    for s in np.unique(sets):
        rows = sets == s
        if (rate_hidden & eligible & rows).any():
            f[rows & (f == "")] = "secondary"


# --------------------------------------------------------------------------- check outcomes

def protect_check_outcomes(table: pd.DataFrame, *, category_column: str = "outcome", count_column: str = "n",
                           level_columns: Sequence[str] = ("administration", "year"),
                           thresholds: Thresholds | None = None, totals: str | Sequence[Hashable] | None = "auto",
                           categories: Sequence[Hashable] | None = None) -> ProtectedTable:
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
        The only group columns allowed besides ``category_column``.
    thresholds : Thresholds, optional
        ``min_check_total`` (10) and ``min_check_category`` (5).
    totals : "auto", None or list, default "auto"
        As in :func:`protect`, for the lines between levels.
    categories : sequence, optional
        The outcome categories every level must have at least 5 of (a category missing
        from a level counts as 0). Default: the contract's three outcomes when the table
        uses them, plus any other category in the table.

    Raises
    ------
    ValueError
        Any other group column (naming it), or a missing category or count column.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF"] * 3 + ["UBF"] * 3 + ["KOF"] * 3,
    ...                   "outcome": ["cleared", "remark_no_obstacle", "remark_obstacle"] * 3,
    ...                   "n": [120, 9, 6, 300, 12, 5, 40, 6, 2]})
    >>> p = protect_check_outcomes(t)
    >>> p.flags["n"].tolist()
    ['secondary', 'secondary', 'secondary', '', '', '', 'check_outcome', 'check_outcome', 'check_outcome']
    >>> protect_check_outcomes(t.assign(gender="woman"))
    Traceback (most recent call last):
    ...
    ValueError: check outcomes (criminal-offence data, GDPR art. 10) are only published for the municipality or by administration × year: column 'gender' breaks them down further; aggregate over it first
    """
    thresholds = thresholds or Thresholds()
    markers, auto = _markers(totals)
    level_columns = [level_columns] if isinstance(level_columns, str) else list(level_columns)
    columns = [str(c) for c in table.columns]
    for name, what in ((category_column, "category_column"), (count_column, "count_column")):
        if name not in columns:
            raise ValueError(f"{what} {name!r} is not a column of the check-outcome table "
                             f"(columns: {', '.join(columns)})")
    cols = _classify(table, None, [count_column], None, None)
    allowed = set(level_columns) | {category_column}
    for col in columns:
        if col == count_column or col in cols.dropped:
            continue
        if cols.kinds.get(col) == "group" and col not in allowed:
            raise ValueError(
                f"check outcomes (criminal-offence data, GDPR art. 10) are only published for the "
                f"municipality or by administration × year: column {col!r} breaks them down further; "
                f"aggregate over it first")
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
    observed = list(dict.fromkeys(None if _missing(v) else v for v, t in zip(cat_values, is_total_cat) if not t))
    if categories is None:
        expected = list(observed)
        if observed and all(v in C.CHECK_OUTCOMES for v in observed if v is not None):
            expected = list(dict.fromkeys([*C.CHECK_OUTCOMES, *observed]))
    else:
        expected = list(categories)

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
        failing[lv] = (totals_by_level[lv] < thresholds.min_check_total
                       or any(per_cat.get(c, 0.0) < thresholds.min_check_category for c in expected))

    # lines between levels: one representative row per level
    first_row = [int(np.flatnonzero(level_id == lv)[0]) for lv in range(n_levels)]
    level_frame = frame.iloc[first_row][levels].reset_index(drop=True) if levels else pd.DataFrame(
        index=range(n_levels))
    lines = [_Line(tuple(parts), tuple(closing), virtual)
             for parts, closing, virtual in _row_lines(level_frame, levels, markers, auto)]
    hidden = failing.copy()
    added, exposed = _suppress_lines(totals_by_level, hidden, lines, thresholds.min_check_total)
    for lv in sorted(exposed):
        notes.append(f"level {_describe_row(level_frame, levels, lv)} was withheld to protect another level but "
                     f"equals a total assumed published elsewhere: make sure that total is protected too")

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
    return ProtectedTable(values=values, flags=flags, group_columns=group, notes=notes,
                          column_kinds=kinds, thresholds=thresholds)


def publish(table: pd.DataFrame, *, check_outcomes: bool = False, **options) -> ProtectedTable:
    """The one way a table leaves the package for a reader: disclosure control applied.

    Notebooks and reports call this (never ``table.to_html()``) for every table they
    show; charts plot ``publish(...).values``, in which every withheld cell is NaN.
    ``options`` go to :func:`protect` (or :func:`protect_check_outcomes` with
    ``check_outcomes=True``); the thresholds default to DESIGN.md §7. Language and
    caption are chosen when the result is shown (``.to_html(lang="sv", caption=...)``).

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF", "UBF", "VOF"], "n_withdrawn": [3, 12, 0],
    ...                   "n": [40, 120, 35]})
    >>> publish(t, totals=None).display(labels=False)["n_withdrawn"].tolist()
    ['<5', '12', '0']
    """
    if check_outcomes:
        return protect_check_outcomes(table, **options)
    return protect(table, **options)
