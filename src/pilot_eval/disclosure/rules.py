"""The rules of disclosure control: thresholds, reasons and symbols, and which column is what.

:func:`_classify` decides, by column name (or the caller's keyword arguments), which
columns are group columns, counts, rates, durations, flags, minima and maxima (dropped)
or other figures, and which numerator and denominator every rate has (see the rules in
:mod:`pilot_eval.disclosure`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import contract as C

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


# --------------------------------------------------------------------------- cell values


def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    return False


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
