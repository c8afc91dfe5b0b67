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
  ``filled_within_90`` ≤ ``n_filled`` ÷ ``n``, ``within_7`` ≤ ``n_completed`` ÷ ``n``,
  ``cancelled_rate`` = ``n_cancelled`` ÷ ``n_closed`` (likewise ``filled_``,
  ``readvertised_`` and ``unfilled_rate``) where the table has the count, …; the
  default denominator is ``n``); pass ``rates=`` where a guess is wrong. A rate whose
  numerator is no column of the table, and a Kaplan–Meier share (``within_*``,
  ``filled_within_*``, whose numerator column counts all events, not those within the
  horizon), is also withheld (*secondary*) when rate × denominator is a count of 1–4
  (20 % of 10 is 2), except ``ratio_*`` and the annualised ``turnover_rate``.
  ``ratio_to_best`` is also withheld in a whole comparison set (the rows that differ
  only in ``group``) when one eligible rate of the set is withheld, since
  rate ÷ ratio gives the best group's rate back; ``*_flag`` columns follow the rates of
  their row.
* **durations** — ``*_days``, ``median_conf_*``, ``rmst_*``: need ``n`` ≥ 10
  (*small_n*).
* **minima and maxima** — any column named ``min``/``max``/``minimum``/``maximum``
  (as a ``_``-separated word: ``min_days``, ``days_max``) are dropped, with a note.
* Anything else numeric that is not a group column is shown as it is, with a note.
* **check outcomes** — a column that holds background-check outcomes ("cleared", …)
  or is named after one (``cleared``, ``remark_obstacle``, ``n_remark_obstacle``,
  ``share_godkand``, …) is refused with a ValueError: outcomes go through
  :func:`protect_check_outcomes` (tidy, one row per outcome, for the municipality or
  by administration × year).

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
  n_censored``; ``n_offers = n_accepted + n_declined + n_pending``; ``n_closed =
  n_filled + n_readvertised + n_cancelled + n_unfilled``; two equal columns such as
  ``n`` and ``n_checks``): found from the data with ``row_totals="auto"``.

First a greedy rule: in every line the number of hidden non-zero cells must be 0 or
at least 2. While a line has exactly one, the smallest shown non-zero count of the
line is hidden too (preferring cells whose hiding opens no new line, and never a cell
that a published margin would give back when another choice exists), until nothing
changes. A line with a single non-zero cell needs nothing: that cell *is* the margin,
which its own publication must protect; if a secondary cell is such a margin,
:attr:`ProtectedTable.notes` says so.

Two hidden cells in a line are not always enough: a reader knows that "<5" is 1–4 and
that a "..‡" cell is at least 5 (zeros are never hidden, and 1–4 would show as "<5"),
so SOF 1, UBF 5, KOF 30, Totalt 36 shown as <5, ..‡, 30, 36 gives 6 = 1 + 5, and in a
table with totals both ways the lines together can pin a cell that each line alone
leaves open. So the greedy result is **audited** wherever the table has lines: for
every hidden count the smallest and the largest value consistent with all published
cells, all line totals (and margins assumed published, exactly, or as 1–4 where they
are small themselves) and the symbols' bounds are found (the linear relaxation, by
closed form for a cell in one line, else by linear programs, scipy's HiGHS). Where that
range is narrower than ``max(1, Thresholds.protection_width)`` (default 1: no hidden
count may be pinned to one value; a "<5" cell needs no more than its own 1–4), one more published non-zero cell is hidden — the
smallest in a line that sets the end of the range, or one whose withholding the
programs' dual values show moves it — and the audit runs again, until every hidden
count keeps its range. A range that no further withholding can widen (a reader can
combine margins published elsewhere, say the administration's offers and acceptances,
to get its declines) gets a note in :attr:`ProtectedTable.notes` to check the table by
hand. Then the rates that depend on hidden counts follow. The audit is written here by
hand: the maintained cell-suppression tools (tau-argus, R's sdcTable and
GaussSuppression) are not Python libraries, and Python's ACRO only suppresses small
cells of its own cross-tables.

Limitations: the lines are one-dimensional (not, say, a published total of a two-way
sub-table, unless it is a row of the table); a component of more than 2 000 linked
hidden counts (a three-way table of thousands of rows with every margin assumed
published) is audited line by line only, with a note; integrality is ignored (the
relaxation's range can be wider than the whole numbers in it, by less than one at
either end, where row relations and several lines meet);
shares that sum to one and differences of shown counts (n − n_filled) are protected
through their counts, not on their own; a rate whose guessed denominator is not its
real one (``share_hires_qualified`` without ``n_hires_qualification_known``) can imply
a small count the safety net above does not see.

Display symbols (one per reason, print-friendly, in every font):

=====================  ========  ===============================================
reason                 symbol    meaning
=====================  ========  ===============================================
``small_count``        ``<5``    1–4 (the threshold follows ``Thresholds.min_count``)
``small_denominator``  ``..*``   rate with a denominator below 10
``small_n``            ``..†``   duration from fewer than 10 observations
``secondary``          ``..‡``   would let a hidden value (or a count 1–4) be worked out
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
import itertools
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
    "CHECK_OUTCOME_LEVELS",
]

#: Reason codes, in footnote order.
REASONS = ("small_count", "small_denominator", "small_n", "secondary", "check_outcome")

#: Display symbol per reason (``small_count`` shows as "<" + the threshold, e.g. "<5").
SYMBOLS = {
    "small_count": "<5",
    "small_denominator": "..*",
    "small_n": "..\u2020",  # dagger
    "secondary": "..\u2021",  # double dagger
    "check_outcome": "..\u00a7",  # section sign
}
#: Display symbol of a value missing in the input (not withheld: not available).
MISSING_SYMBOL = ".."

#: The only levels below the municipality at which check outcomes are published.
CHECK_OUTCOME_LEVELS = ("administration", "year")

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
    protection_width : float, default 1
        How wide the range of a withheld count must stay for a reader who combines the
        published cells, the totals and what the symbols say (the audit of
        :func:`protect`): at least ``max(1, protection_width)``, or the whole
        ``1–(min_count - 1)`` of a "<5" cell where that is narrower. With 1 no withheld
        count can be worked out exactly (at least two whole values stay possible); with
        2 none can be narrowed down to fewer than three (a "<5" cell to no less than 1–3
        or 2–4); 3 keeps every "<5" cell at its full 1–4. The stricter settings withhold
        more and leave more notes where margins published elsewhere narrow a cell anyway
        (three "<5" cells of a line whose margin is "<5" are each at most 2).
    """

    min_count: int = 5
    min_denominator: int = 10
    min_duration_n: int = 10
    min_check_total: int = 10
    min_check_category: int = 5
    protection_width: float = 1


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
        (
            "{sym} Visas inte: ett dolt värde eller ett antal under {t.min_count} skulle annars kunna "
            "räknas fram ur summor eller andelar."
        ),
        (
            "{sym} Not shown: a hidden value or a number below {t.min_count} could otherwise be worked out "
            "from totals or rates."
        ),
    ),
    "check_outcome": (
        (
            "{sym} Visas inte: utfall av kontroller redovisas bara där det finns minst "
            "{t.min_check_total} kontroller och minst {t.min_check_category} i varje utfall."
        ),
        (
            "{sym} Not shown: check outcomes are only published where there are at least "
            "{t.min_check_total} checks and at least {t.min_check_category} in every outcome."
        ),
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

    def to_html(self, lang: str = "sv", decimals: dict[str, int] | None = None, caption: str | None = None) -> str:
        """:meth:`display` as a print-friendly HTML table (no index, numbers right-aligned,
        a header row that repeats on every printed page) followed by :meth:`footnotes`.
        Self-contained: inline styles only, nothing fetched. Figure cells carry their
        column kind (``data-kind="count"``, ...), so that a rendered report can be checked
        for small counts."""
        shown = self.display(lang, decimals)
        kinds = [self.column_kinds.get(c, "other") for c in self.values.columns]
        esc = html.escape
        parts = ['<div class="pe-protected-table">', '<table class="pe-table" style="border-collapse:collapse">']
        if caption:
            parts.append(f'<caption style="text-align:left;font-weight:bold">{esc(caption)}</caption>')
        parts.append("<thead><tr>")
        for header, kind in zip(shown.columns, kinds):
            align = "left" if kind == "group" else "right"
            parts.append(
                f'<th scope="col" style="text-align:{align};padding:2px 8px;'
                f'border-bottom:1px solid #000">{esc(str(header))}</th>'
            )
        parts.append("</tr></thead><tbody>")
        for row in shown.itertuples(index=False):
            parts.append("<tr>")
            for cell, kind in zip(row, kinds):
                if kind == "group":
                    parts.append(f'<td style="text-align:left;padding:2px 8px">{esc(cell)}</td>')
                else:
                    parts.append(
                        f'<td class="num" data-kind="{kind}" style="text-align:right;padding:2px 8px;'
                        f'white-space:nowrap">{esc(cell)}</td>'
                    )
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


# --------------------------------------------------------------------------- classification

_MINMAX = re.compile(r"(^|_)(min|max|minimum|maximum)(_|$)")
_COUNT_NAMES = frozenset({"n", "numerator", "denominator", "headcount", "voluntary_leavers", "new_hires"})
_NOT_COUNTS = frozenset({"n_months"})
_DURATION = re.compile(r"(_days$|^days_|^median_conf_|^rmst_\d+$|^rmst$)")
_PERCENT = re.compile(r"(_rate$|^rate$|^share$|^share_|^within_|^filled_within_)")
_RATIO = re.compile(r"(_per_|^ratio_to_best$|^ratio_)")
# Kaplan–Meier / cumulative-incidence shares: their numerator column (n_filled,
# n_completed) counts all events, not those within the horizon
_SURVIVAL_SHARE = re.compile(r"(filled_)?within_\d+")
# rates whose value × denominator is no count: ratios of rates, annualised turnover
_NO_IMPLIED_COUNT = re.compile(r"(^ratio_|^turnover_rate$)")
_GROUP_NAMES = frozenset(
    {
        "administration",
        "role_group",
        "period",
        "arm",
        "phase",
        "cohort",
        "gender",
        "age_band",
        "stage",
        "stage_name",
        "check_type",
        "employment_type",
        "scope",
        "year",
        "outcome",
        "exposure",
        "measure",
        "reason",
        "withdrawal_reason",
        "dimension",
        "group",
        "month",
        "quarter",
        "half",
        "event_time",
        "status",
        "vacancy_status",
        "final_status",
        "qualified",
        "statutory_check",
        "is_manager",
        "internal",
        "check_in_ad",
        "treated",
        "in_rollout",
        "highest_stage",
        "withdrawn_stage",
    }
)


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
    # competence_supply: adverts with that status ÷ closed adverts (the counts where the
    # table has them)
    "filled_rate": ("n_filled", _CLOSED),
    "readvertised_rate": ("n_readvertised", _CLOSED),
    "cancelled_rate": ("n_cancelled", _CLOSED),
    "unfilled_rate": ("n_unfilled", _CLOSED),
    "share_hires_qualified": ("n_hires_qualified", ["n_hires_qualification_known", "n_hires", "n"]),
    "share_hires_permanent": ("n_hires_permanent", ["n_hires", "n"]),
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
    elif re.fullmatch(r"filled_within_\d+", name):
        # time_to_fill: share of all vacancies filled within d days (≤ n_filled of n);
        # the panel's n_filled_<d> of n_followed_<d>
        days = name.rsplit("_", 1)[1]
        numerator = f"n_filled_{days}" if f"n_filled_{days}" in cols else "n_filled"
        candidates = [f"n_followed_{days}", "n"]
    elif re.fullmatch(r"within_\d+", name):
        # check_turnaround: share completed within d days (≤ n_completed of n)
        numerator, candidates = "n_completed", ["n"]
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
        f"pass rates={{{name!r}: (numerator_or_None, denominator_column)}} to protect()"
    )


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


def _classify(
    table: pd.DataFrame,
    group_columns: Sequence[str] | None,
    counts: Sequence[str] | None,
    rates: dict | None,
    durations: dict | None,
) -> _Columns:
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("the table has duplicate column names; give every column a unique name")
    table_cols = set(columns)

    def check(names: Iterable[str], what: str) -> None:
        missing = [c for c in names if c not in table_cols]
        if missing:
            raise ValueError(
                f"{what}: no column {', '.join(map(repr, missing))} in the table (columns: {', '.join(columns)})"
            )

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
                is_group = (
                    col in _GROUP_NAMES
                    or pd.api.types.is_bool_dtype(series.dtype)
                    or not pd.api.types.is_numeric_dtype(series.dtype)
                )
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
        horizon = re.fullmatch(r"days_\w+_(\d+)", col)
        if col not in explicit_durations and horizon and f"n_followed_{horizon.group(1)}" in table_cols:
            n_col = f"n_followed_{horizon.group(1)}"  # the panel's mean over the vacancies followed that long
        if n_col not in table_cols:
            raise ValueError(
                f"duration column {col!r} needs a count of observations, but the table has no "
                f"column {n_col!r}; pass durations={{{col!r}: 'the_n_column'}} to protect()"
            )
        duration_specs[col] = n_col
    return _Columns(group, count_cols, rate_specs, duration_specs, flag_cols, other, dropped, kinds)


# --------------------------------------------------------------------------- lines


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
            n_pairs = len(set(zip(ca.tolist(), cb.tolist())))
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
        for b in counts[i + 1 :]:
            # equal up to rounding (headcount, an average, and n, its rounding)
            if holds(a, (b,), tol=0.5 + 1e-9):
                identical.add(frozenset((a, b)))
                add(a, (b,))
    known = [
        ("n_filled", "n_competing", "n_censored"),
        ("n_completed", "n_pending"),
        ("n_completed", "n_pending", "n_cancelled"),
        ("n_accepted", "n_declined", "n_pending"),
        ("n_accepted", "n_declined"),
        ("n_court_records", "n_court_and_credit"),
        ("n_filled", "n_readvertised", "n_cancelled", "n_unfilled"),
    ]
    n_rows = len(frame)
    for total in counts:
        for parts in known:
            if total not in parts and all(p in values for p in parts) and holds(total, parts):
                add(total, parts)
        smaller = tuple(
            c
            for c in counts
            if c != total
            and frozenset((c, total)) not in identical
            and np.all(values[c][ok[c] & ok[total]] <= values[total][ok[c] & ok[total]])
        )
        if len(smaller) >= 2 and holds(total, smaller):
            add(total, smaller)
        elif 3 <= len(smaller) <= 10 and n_rows >= 3:
            # some of the smaller columns may add up to the total (n_closed = n_filled +
            # n_readvertised + n_cancelled + n_unfilled next to other counts); columns that
            # are 0 throughout add nothing. On three rows or more a coincidence is unlikely,
            # and a relation that holds in the data is one a reader can use anyway.
            nonzero = tuple(c for c in smaller if np.nansum(np.abs(values[c])) > 0)
            for r in range(2, len(nonzero)):
                for parts in itertools.combinations(nonzero, r):
                    if holds(total, parts):
                        add(total, parts)
    return rel


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

        if cells is None:
            start = range(self.n_lines)
        else:
            start = sorted({li for c in cells for li in cell_lines.get(c, ())})
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


# --------------------------------------------------------------------------- audit

#: Bound of an "unbounded" withheld cell in the audit's linear programs: this many times
#: the table's total of the count cells (plus a little), far beyond any real value.
_AUDIT_CAP_FACTOR = 4.0
_AUDIT_TOL = 1e-7
#: Largest number of linked withheld cells the linear programs audit (a few hundred cells
#: take milliseconds; ten thousand, as in a three-way table of 15 000 rows with every
#: margin, take minutes). Larger components get the one-line checks only, with a note.
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
        self.n_rows = r
        self.lo = np.array(lo, dtype=float)
        self.hi = np.array(hi, dtype=float)
        self.E = sparse.csr_matrix(
            (np.array(coefs, dtype=float), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(r, n_cells),
        )
        self.E_csc = self.E.tocsc()
        self.given_back = given_back
        self.closing_cell = closing_cell
        # widths found by the linear programs, by component (its withheld cells: the
        # constraints follow from them)
        self.lp_widths: dict[tuple[int, ...], np.ndarray] = {}
        # cell → (constraints, sensitivity of its minimum, of its maximum) where the
        # programs found it too narrow
        self.duals: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._everything = None  # the system with every non-zero cell withheld
        self._fixable: dict[int, dict[int, bool]] = {}  # by its component: cell → widens enough
        self.unaudited: set[int] = set()  # sizes of components too large for the programs
        self.seen_low, self.seen_high = self.val.copy(), self.val.copy()

    # ----------------------------------------------------------------- bounds

    def _bounds(self, cells: np.ndarray, primary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = self.val[cells]
        small = primary[cells]
        lb = np.where(small, np.minimum(1.0, v), np.minimum(self.min_count, v))
        ub = np.where(small, np.maximum(self.min_count - 1.0, v), np.maximum(self.cap, v))
        return lb, ub

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
            need = np.minimum(self.width, ub - lb) - _AUDIT_TOL
            sub = A.tocsc()[:, members][rows].tocsr()
            low, high, _ = self._row_bounds(sub, lo[rows], hi[rows], lb, ub)
            width = high - low
            if len(rows) > 1 and len(members) > 1 and len(members) <= _AUDIT_MAX_UNKNOWNS:
                doubt = width >= need  # an outer bound too narrow is narrow for sure
                width, _ = self._lp_widths(
                    sub, lo[rows], hi[rows], lb, ub, self.val[cells[members]], np.where(doubt, need, -np.inf)
                )
            self._fixable[k] = {int(c): bool(w >= n) for c, w, n in zip(cells[members], width, need)}
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
        need = np.minimum(self.width, ub - lb) - _AUDIT_TOL
        # interval from each constraint alone, intersected: exact for a component with one
        # constraint or one unknown, an outer bound (too wide, never too narrow) otherwise
        low, high, (entry_row, entry_var, entry_low, entry_high) = self._row_bounds(A, lo, hi, lb, ub)
        width = high - low
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
                if ((width[members] < need[members]) & ~ignored[members]).any():
                    continue  # exposed already by the outer bound
                key = tuple(cells[members].tolist())
                if key not in self.lp_widths:
                    if len(members) > _AUDIT_MAX_UNKNOWNS:
                        self.unaudited.add(len(members))
                        self.lp_widths[key] = width[members]
                    else:
                        comp_rows = row_order[row_starts[k] : row_starts[k + 1]]
                        # cells given up on need no exact programs
                        # solutions of earlier rounds solve this system too (withholding
                        # more only relaxes it): what they showed need not be found again
                        member_cells = cells[members]
                        seen = (self.seen_low[member_cells], self.seen_high[member_cells])
                        w, duals = self._lp_widths(
                            A_csc[:, members][comp_rows],
                            lo[comp_rows],
                            hi[comp_rows],
                            lb[members],
                            ub[members],
                            self.val[member_cells],
                            np.where(ignored[members], -np.inf, need[members]),
                            seen,
                        )
                        self.seen_low[member_cells], self.seen_high[member_cells] = seen
                        self.lp_widths[key] = w
                        rows_global = keep[comp_rows]
                        for i, (s_min, s_max) in duals.items():
                            self.duals[int(cells[members[i]])] = (rows_global, s_min, s_max)
                width[members] = self.lp_widths[key]
        bad = (width < need) & ~ignored
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
        outer = (high - low) < need
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
    ) -> tuple[np.ndarray, dict[int, tuple]]:
        """The width of each unknown's interval, exact where it is below ``need`` (else
        a lower bound of at least ``need``), and for each unknown found too narrow the
        sensitivity of its minimum and of its maximum to each constraint's published part
        (``d optimum / d constant``, from the programs' dual values), by local index."""
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
        for attempt in range(4):
            doubt = (seen_high - seen_low) < need
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
                if seen_high[i] - seen_low[i] >= need[i]:
                    break
                c = np.zeros(n)
                c[i] = sign
                ends.append(solve(c))
            if len(ends) == 2 and seen_high[i] - seen_low[i] < need[i] and all(r is not None for r in ends):
                duals[i] = (sensitivity(ends[0]), sensitivity(ends[1]))
        return seen_high - seen_low, duals

    # ----------------------------------------------------------------- repair

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
            return min(cands, key=lambda c: (abs(val[c]), bool(self.closing_cell[c]), c)) if cands else None

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
    E_csc = audit.E_csc
    while True:
        bad = audit.violations(hidden, primary, stuck)
        if not bad:
            break
        new: list[int] = []
        touched_rows: set[int] = set()
        touched_components: set[int] = set()
        for _, cell, rows, component in bad:
            # one repair per constraint and round (or per component, where a program
            # failed): a repair may fix the next cell too
            binding = [r for r in rows if r >= 0]
            active = [-1 - r for r in rows if r < 0]
            if touched_rows.intersection(binding or active):
                continue
            if not rows and component in touched_components:
                continue
            if not binding and not audit.fixable(cell, primary):
                stuck.add(cell)
                continue
            cand = audit.candidate(cell, hidden, binding)
            if cand is None:
                stuck.add(cell)
                continue
            touched_components.add(component)
            hidden[cand] = True
            new.append(cand)
            touched_rows.update(binding or active)
            touched_rows.update(E_csc.indices[E_csc.indptr[cand] : E_csc.indptr[cand + 1]].tolist())
        added.update(new)
        added |= greedy.run(hidden, new)
    return added, stuck, sorted(audit.unaudited)


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
    return pd.to_numeric(series.astype(object).where(series.notna(), np.nan), errors="coerce").to_numpy(dtype="float64")


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
) -> ProtectedTable:
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
    thresholds = thresholds or Thresholds()
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"protect needs a DataFrame, not {type(table).__name__}")
    markers, auto = _markers(totals)
    _refuse_check_outcomes(table)
    cols = _classify(table, group_columns, counts, rates, durations)
    notes: list[str] = []
    if cols.dropped:
        notes.append(f"columns {', '.join(cols.dropped)} withheld: minima and maxima are never published")
    if cols.other:
        notes.append(
            f"columns {', '.join(cols.other)} shown without disclosure control (not a count, rate "
            f"or duration by name); pass counts=, rates= or durations= if they are"
        )
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
        notes.append(
            "within a row, "
            + "; ".join(f"{t} = {' + '.join(p)}" for t, p in relations)
            + ": treated as totals for secondary suppression"
        )
    primary = hidden.copy()
    greedy = _Greedy(val, lines, thresholds.min_count)
    added = greedy.run(hidden)
    stuck: set[int] = set()
    if lines and hidden.any():
        # the greedy rule looks at one line at a time: audit the result as a whole
        more, stuck, unaudited = _audit_lines(
            val, hidden, primary, lines, greedy, thresholds.min_count, thresholds.protection_width
        )
        added |= more
        for size in unaudited:
            notes.append(
                f"{size} withheld counts are linked through so many lines that only each line on its "
                f"own was audited, not their combination: publish smaller tables (fewer group "
                f"columns or levels) to have them audited in full"
            )
    exposed = added & greedy.exposed
    for cell in sorted(stuck):
        i, j = divmod(cell, n_cc)
        notes.append(
            f"{count_cols[j]} at {_describe_row(frame, group, i)} is withheld but can be narrowed down "
            f"to a range narrower than {max(1, thresholds.protection_width):g} from the published cells, "
            f"the symbols and the totals (or margins assumed published elsewhere), and withholding more "
            f"cells of this table cannot change that: check the table and its margins by hand"
        )
    for cell in sorted(exposed):
        i, j = divmod(cell, n_cc)
        notes.append(
            f"{count_cols[j]} at {_describe_row(frame, group, i)} was withheld to protect another "
            f"cell but is the only non-zero count of a line whose total is assumed published "
            f"elsewhere: make sure that total is protected too"
        )
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
        if (num is None or _SURVIVAL_SHARE.fullmatch(rate)) and not _NO_IMPLIED_COUNT.search(rate):
            # rate × denominator is a count (of those filled within 90 days, say) even
            # where the table has no column for it: 1–4 is withheld like any small count.
            # (Where the numerator is a column of its own, its protection covers the rate.)
            implied = _as_float(frame[rate]) * den_value
            with np.errstate(invalid="ignore"):
                tiny = (implied > 1e-9) & (implied < thresholds.min_count - 1e-6)
            f[tiny & (f == "")] = "secondary"
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
        r for r in cols.rates if r != "ratio_to_best"
    ]
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
        notes.append(
            f"{int(counts_by_reason.sum())} cells withheld: "
            + ", ".join(f"{k} {int(v)}" for k, v in counts_by_reason.items())
        )
    kinds = dict(cols.kinds)
    return ProtectedTable(
        values=values, flags=flags, group_columns=list(group), notes=notes, column_kinds=kinds, thresholds=thresholds
    )


def _outcome_spellings() -> set[str]:
    """Folded spellings of the background-check outcomes: codes, the contract's Swedish
    values, the readers' labels, and the words "remark"/"anmärkning" on their own."""
    spellings = set(C.TABLES["background_checks"].column("outcome").label_lookup())
    for code in C.CHECK_OUTCOMES:
        for lang in _LANGS:
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


def _protect_ratio_to_best(
    frame: pd.DataFrame, group: list[str], cols: _Columns, flag_arr: dict[str, np.ndarray], thresholds: Thresholds
) -> None:
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


# --------------------------------------------------------------------------- check outcomes


def protect_check_outcomes(
    table: pd.DataFrame,
    *,
    category_column: str = "outcome",
    count_column: str = "n",
    level_columns: Sequence[str] = ("administration", "year"),
    thresholds: Thresholds | None = None,
    totals: str | Sequence[Hashable] | None = "auto",
    categories: Sequence[Hashable] | None = None,
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
        Any other group column (naming it), a level column other than ``administration``
        or ``year``, or a missing category or count column.

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
    added, exposed = _suppress_lines(totals_by_level, hidden, lines, thresholds.min_check_total)
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
    return ProtectedTable(
        values=values, flags=flags, group_columns=group, notes=notes, column_kinds=kinds, thresholds=thresholds
    )


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
