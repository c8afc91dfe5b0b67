"""The rules of disclosure control: thresholds, reasons and symbols, and which column is what.

:func:`_classify` decides, by column name (or the caller's keyword arguments), which
columns are group columns, counts, rates, durations, flags, minima and maxima (dropped)
or other figures, and which numerator and denominator every rate has (see the rules in
:mod:`pilot_eval.disclosure`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

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


#: The floors (docs/disclosure.md, "Thresholds are floors"): no :class:`Thresholds` field may be set below these. A
#: threshold may be raised (withholding more), never lowered; the defaults are the floors.
#: ``protection_width`` below 1 would mean nothing (the audit keeps every withheld count to
#: at least two whole values), so it is refused rather than silently read as 1.
FLOORS: Mapping[str, float] = MappingProxyType(
    {
        "min_count": 5,
        "min_denominator": 10,
        "min_duration_n": 10,
        "min_check_total": 10,
        "min_check_category": 5,
        "protection_width": 1,
    }
)


def below_floor(name: str, value: object, floor: float) -> str:
    """The message that refuses ``name=value`` below its floor (the same for a
    :class:`Thresholds` field and for a report parameter).

    >>> print(below_floor("min_count", 1, 5))  # doctest: +NORMALIZE_WHITESPACE
    min_count=1 is below its floor of 5 (docs/disclosure.md §3):
    disclosure thresholds may be raised, never lowered
    """
    return (
        f"{name}={value} is below its floor of {floor:g} (docs/disclosure.md §3): "
        "disclosure thresholds may be raised, never lowered"
    )


@dataclass(frozen=True)
class Thresholds:
    """The disclosure thresholds (docs/disclosure.md), each at least its floor (:data:`FLOORS`).

    The defaults are the floors. A higher value withholds more and is allowed; a lower one
    is a ValueError naming the field and its floor, however the instance is made
    (``Thresholds(min_count=4)``, :func:`dataclasses.replace`), and the instance is frozen,
    so that no parameter, notebook or caller of :func:`protect` can publish what the floors
    withhold.

    Attributes
    ----------
    min_count : int, default 5 (the floor)
        Counts from 1 to ``min_count - 1`` are withheld (shown as "<5").
    min_denominator : int, default 10 (the floor)
        A rate needs a denominator of at least this.
    min_duration_n : int, default 10 (the floor)
        A duration figure (median, mean, quartile, RMST) needs at least this many
        observations.
    min_check_total : int, default 10 (the floor)
        Check outcomes need at least this many checks per level row...
    min_check_category : int, default 5 (the floor)
        ...and at least this many in every outcome category.
    protection_width : float, default 1 (the floor)
        How wide the range of a withheld count must stay for a reader who combines the
        published cells, the totals and what the symbols say (the audit of
        :func:`protect`): at least ``protection_width``, or the whole
        ``1–(min_count - 1)`` of a "<5" cell where that is narrower. With 1 no withheld
        count can be worked out exactly (at least two whole values stay possible); with
        2 none can be narrowed down to fewer than three (a "<5" cell to no less than 1–3
        or 2–4); 3 keeps every "<5" cell at its full 1–4. The stricter settings withhold
        more and leave more notes where margins published elsewhere narrow a cell anyway
        (three "<5" cells of a line whose margin is "<5" are each at most 2).

    Examples
    --------
    >>> Thresholds(min_count=10).min_count
    10
    >>> Thresholds(min_count=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Thresholds: min_count=3 is below its floor of 5 (docs/disclosure.md §3): disclosure thresholds ...
    """

    min_count: int = FLOORS["min_count"]
    min_denominator: int = FLOORS["min_denominator"]
    min_duration_n: int = FLOORS["min_duration_n"]
    min_check_total: int = FLOORS["min_check_total"]
    min_check_category: int = FLOORS["min_check_category"]
    protection_width: float = FLOORS["protection_width"]

    def __post_init__(self):
        for name, floor in FLOORS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise TypeError(f"Thresholds: {name} must be a number, not {value!r}")
            if not value >= floor:  # NaN is refused too
                raise ValueError(f"Thresholds: {below_floor(name, value, floor)}")


def _thresholds(thresholds: Thresholds | None) -> Thresholds:
    """``thresholds``, or the defaults for None; anything but a :class:`Thresholds` (a
    mapping, an object with the same attributes) is refused, since only a
    :class:`Thresholds` is checked against the floors."""
    if thresholds is None:
        return Thresholds()
    if not isinstance(thresholds, Thresholds):
        raise TypeError(f"thresholds must be a pilot_eval.disclosure.Thresholds, not {type(thresholds).__name__}")
    return thresholds


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
    """Which column of a table is what (:func:`_classify`), and each rate's numerator and
    denominator and each duration's count of observations."""

    group: list[str]
    counts: list[str]
    rates: dict[str, tuple[str | None, tuple[str, ...]]]
    durations: dict[str, str]
    flags: list[str]
    other: list[str]
    dropped: list[str]
    kinds: dict[str, str]


@dataclass
class _Given:
    """The columns the caller named (``group`` None where the caller named none)."""

    group: list[str] | None
    counts: list[str]
    rates: dict
    durations: dict


def _classify(
    table: pd.DataFrame,
    group_columns: Sequence[str] | None,
    counts: Sequence[str] | None,
    rates: dict | None,
    durations: dict | None,
) -> _Columns:
    """Which column is what: group, count, percent or ratio (a rate), duration, flag,
    minimum or maximum (dropped) or other, by the caller's keyword arguments first, else by
    name (:func:`_kind_by_name`) and, for a column no name decides, by its type; then every
    rate's numerator and denominator and every duration's count of observations."""
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("the table has duplicate column names; give every column a unique name")
    given = _given_columns(columns, group_columns, counts, rates, durations)
    kinds = {col: _kind(col, table[col], given) for col in columns}
    by_kind: dict[str, list[str]] = {k: [] for k in ("group", "count", "duration", "flag", "minmax", "other")}
    for col, kind in kinds.items():
        if kind not in ("percent", "ratio"):
            by_kind[kind].append(col)
    dropped = by_kind["minmax"]
    for col in dropped:
        del kinds[col]
    kept = [c for c in columns if c not in dropped]
    rate_specs = {col: _rate_spec(col, given, kept) for col, kind in kinds.items() if kind in ("percent", "ratio")}
    duration_specs = {col: _duration_n(col, given, set(columns)) for col in by_kind["duration"]}
    return _Columns(
        by_kind["group"],
        by_kind["count"],
        rate_specs,
        duration_specs,
        by_kind["flag"],
        by_kind["other"],
        dropped,
        kinds,
    )


def _check_names(names: Iterable[str], what: str, columns: list[str]) -> None:
    missing = [c for c in names if c not in columns]
    if missing:
        raise ValueError(
            f"{what}: no column {', '.join(map(repr, missing))} in the table (columns: {', '.join(columns)})"
        )


def _given_columns(
    columns: list[str],
    group_columns: Sequence[str] | None,
    counts: Sequence[str] | None,
    rates: dict | None,
    durations: dict | None,
) -> _Given:
    """The caller's keyword arguments, checked: every column they name is in the table, a
    rate is given as (numerator or None, denominator), and no column is both a group
    column and a figure."""
    given = _Given(None, list(counts or []), dict(rates or {}), dict(durations or {}))
    _check_names(given.counts, "counts", columns)
    _check_names(given.rates, "rates", columns)
    _check_names(given.durations, "durations", columns)
    for rate, spec in given.rates.items():
        if not (isinstance(spec, tuple | list) and len(spec) == 2):
            raise ValueError(f"rates[{rate!r}] must be (numerator or None, denominator), not {spec!r}")
        num, den = spec
        _check_names([num] if num is not None else [], f"numerator of rate {rate!r}", columns)
        _check_names([den] if isinstance(den, str) else list(den), f"denominator of rate {rate!r}", columns)
    _check_names(given.durations.values(), "the n column of durations", columns)
    if group_columns is not None:
        given.group = [group_columns] if isinstance(group_columns, str) else list(group_columns)
        _check_names(given.group, "group_columns", columns)
        clash = (set(given.counts) | set(given.rates) | set(given.durations)) & set(given.group)
        if clash:
            raise ValueError(f"{', '.join(sorted(clash))}: both a group column and a figure")
    return given


def _kind(col: str, series: pd.Series, given: _Given) -> str:
    """The kind of one column: as the caller named it, else by its name, else a group
    column if it is a known group name, boolean or not numeric (and the caller named no
    group columns), else "other"."""
    if given.group is not None and col in given.group:
        return "group"
    if col in given.counts:
        return "count"
    if col in given.rates:
        by_name = _kind_by_name(col)
        return by_name if by_name in ("percent", "ratio") else ("ratio" if _RATIO.search(col) else "percent")
    if col in given.durations:
        return "duration"
    kind = _kind_by_name(col)
    if kind is not None:
        return kind
    is_group = (
        col in _GROUP_NAMES
        or pd.api.types.is_bool_dtype(series.dtype)
        or not pd.api.types.is_numeric_dtype(series.dtype)
    )
    return "group" if given.group is None and is_group else "other"


def _rate_spec(col: str, given: _Given, kept: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """A rate's numerator (None if it has no column) and the columns that add up to its
    denominator: as the caller gave them, else :func:`_default_rate`."""
    if col in given.rates:
        num, den = given.rates[col]
        return num, (den,) if isinstance(den, str) else tuple(den)
    return _default_rate(col, kept)


def _duration_n(col: str, given: _Given, table_cols: set[str]) -> str:
    """The column that counts a duration's observations: as the caller gave it, else
    ``n_followed_<d>`` for the panel's ``days_*_<d>`` where the table has it, else ``n``."""
    n_col = given.durations.get(col, "n")
    horizon = re.fullmatch(r"days_\w+_(\d+)", col)
    if col not in given.durations and horizon and f"n_followed_{horizon.group(1)}" in table_cols:
        n_col = f"n_followed_{horizon.group(1)}"  # the panel's mean over the vacancies followed that long
    if n_col not in table_cols:
        raise ValueError(
            f"duration column {col!r} needs a count of observations, but the table has no "
            f"column {n_col!r}; pass durations={{{col!r}: 'the_n_column'}} to protect()"
        )
    return n_col
