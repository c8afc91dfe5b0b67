"""The recruitment funnel and competence supply (docs/measures.md): withdrawals by stage,
late-stage withdrawal (the main pilot outcome), withdrawal reasons, offers, applicants and
qualified applicants per vacancy, vacancy outcomes, staffing measures and the equality
breakdown.

Every function returns a tidy :class:`pandas.DataFrame`: the ``by=`` group columns first
(any column of the enriched frames of :mod:`pilot_eval.measures.common`, e.g.
``administration``, ``role_group``, ``period``, ``employment_type``, ``gender``,
``age_band``; with ``pilot_rollout`` also ``arm``, ``phase``, ``cohort``, ``treated``),
then the figures, then ``n`` (the denominator of the headline figure).

The application-level measures take the applications first and the vacancies as an
optional keyword, as issue 3 names them (``withdrawals(applications, by=None)``,
``offers(applications, by=None)``): the vacancies are needed only to group by their
columns or the pilot's. ``withdrawals(applications, vacancies, by=…)``, the earlier form,
still works. Groups are those
of :func:`pilot_eval.measures.common.grouped` (sorted, observed categories only, a missing
key is a group of its own), but the figures are computed fully vectorised: one pass of
``numpy.bincount`` over group codes instead of a Python loop over groups.

``period`` is the calendar period of the **vacancy's publication** (``"month"``,
``"quarter"``, ``"half"`` or ``"year"``), also for application-level measures: an
application belongs to the period its advert was published in.

Missing ``gender`` and ``age_band`` appear as the value ``"not_recorded"``, in contract
order after the recorded values, so that a breakdown never silently drops people.

Figures are raw counts and rates: no disclosure control is applied here (that is
:func:`pilot_eval.disclosure.protect`'s job, before anything is rendered).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .. import contract as C
from .common import (
    _VACANCY_COLUMNS,
    as_by,
    enrich_applications,
    enrich_vacancies,
    period_label,
    vacancy_pilot_status,
)

__all__ = [
    "FOUR_FIFTHS",
    "LATE_STAGE",
    "MEASURE_DIRECTION",
    "NOT_RECORDED",
    "competence_supply",
    "equality",
    "late_withdrawal_rate",
    "offers",
    "staffing_measures",
    "withdrawal_reasons",
    "withdrawals",
]

#: The value shown for a missing gender, age band or withdrawal reason.
NOT_RECORDED = "not_recorded"

#: The first "late" stage: late-stage withdrawal is withdrawal at or after the interview.
LATE_STAGE = 2

#: Which direction is favourable for each rate :func:`equality` can break down:
#: ``"lower"`` for adverse outcomes (withdrawals: the most favoured group has the lowest
#: rate), ``"higher"`` for favourable ones (hire, offer acceptance, being qualified: the
#: most favoured group has the highest rate).
MEASURE_DIRECTION: dict[str, str] = {
    "late_withdrawal_rate": "lower",
    "withdrawal_rate": "lower",
    "acceptance_rate": "higher",
    "hire_rate": "higher",
    "qualified_rate": "higher",
}

#: The four-fifths rule threshold of :func:`equality`.
FOUR_FIFTHS = 0.8

_STAFFING_BY = ("administration", "role_group", "period")
_PILOT_BY = ("arm", "phase", "cohort", "treated")
_DIMENSION_VALUES = {
    "gender": list(C.GENDERS),
    "age_band": list(C.AGE_BANDS),
    "qualified": list(C.QUALIFIED),
    "withdrawal_reason": list(C.WITHDRAWAL_REASONS),
}


# --------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, by: Sequence[str], what: str) -> None:
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise KeyError(
            f"cannot group {what} by {', '.join(map(str, missing))}: not a column here "
            f"(available: {', '.join(map(str, frame.columns))})"
        )


def _group_index(frame: pd.DataFrame, by: list[str], what: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The groups of ``frame`` by ``by`` (as :func:`common.grouped` forms them: sorted,
    observed categories only, missing keys kept) and each row's group number."""
    _require(frame, by, what)
    if not by:
        return pd.DataFrame(index=pd.RangeIndex(1)), np.zeros(len(frame), dtype=np.int64)
    g = frame.groupby(by, observed=True, sort=True, dropna=False)
    gid = g.ngroup().to_numpy(dtype=np.int64)
    keys = g.size().index.to_frame(index=False)
    keys.columns = by
    return keys, gid


def _sum(gid: np.ndarray, size: int, values=None) -> np.ndarray:
    if values is None:
        return np.bincount(gid, minlength=size).astype(np.int64)
    return np.bincount(gid, weights=np.asarray(values, dtype="float64"), minlength=size)


def _count(gid: np.ndarray, size: int, mask) -> np.ndarray:
    return np.rint(_sum(gid, size, mask)).astype(np.int64)


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _table(keys: pd.DataFrame, by: list[str], figures: dict, n) -> pd.DataFrame:
    out = keys.reset_index(drop=True).copy()
    for name, values in figures.items():
        out[name] = values
    out["n"] = n
    return out[by + list(figures) + ["n"]]


def _num(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _is(series: pd.Series, *values: str) -> np.ndarray:
    return series.astype(object).isin(values).to_numpy(dtype=bool)


def _as_enum(series: pd.Series, values: list[str]) -> pd.Series:
    """A categorical in contract order with missing values as ``"not_recorded"``."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        # the same from the categories: one string per category, not per row
        codes = series.cat.codes.to_numpy()
        names = np.asarray([str(c) for c in series.cat.categories] + [NOT_RECORDED], dtype=object)
        used = np.unique(np.where(codes < 0, len(names) - 1, codes))
        extra = sorted(set(names[used]) - set(values) - {NOT_RECORDED}, key=str)
        categories = list(values) + extra + [NOT_RECORDED]
        position = {c: i for i, c in enumerate(categories)}
        remap = np.array([position.get(n, -1) for n in names], dtype=np.int64)
        new_codes = remap[np.where(codes < 0, len(names) - 1, codes)]
        return pd.Series(pd.Categorical.from_codes(new_codes, categories=categories), index=series.index)
    missing = series.isna().to_numpy()
    s = pd.Series(
        np.where(missing, NOT_RECORDED, series.astype(object).astype(str).to_numpy()), index=series.index, dtype=object
    )
    extra = sorted(set(s.unique()) - set(values) - {NOT_RECORDED}, key=str)
    return pd.Series(pd.Categorical(s, categories=list(values) + extra + [NOT_RECORDED]), index=series.index)


#: Columns of the enriched applications that come from the vacancy (and the roll-out).
_FROM_VACANCY = frozenset(_VACANCY_COLUMNS) | {"vacancy_status", "period", "pilot_start", "pilot_end", *_PILOT_BY}


def _applications(
    applications: pd.DataFrame,
    vacancies: pd.DataFrame | None,
    pilot_rollout: pd.DataFrame | None,
    period: str,
    by: Sequence[str] = (),
    what: str = "this measure",
) -> pd.DataFrame:
    """Enriched applications with missing gender / age band as ``"not_recorded"``.

    Without ``vacancies`` the applications are used as they are: ``by`` may then only
    name their own columns, and a vacancy column (administration, role group, period of
    publication, pilot arm, …) raises a ``KeyError`` saying to pass ``vacancies=``.
    """
    period_label(pd.Series([], dtype="datetime64[ns]"), period)  # validates period
    if vacancies is None:
        if pilot_rollout is not None:
            raise ValueError(
                f"{what}: pilot_rollout= needs vacancies= too (a vacancy's administration, role "
                f"group and publication date decide its pilot arm and phase)"
            )
        need = [c for c in by if c not in applications.columns and c in _FROM_VACANCY]
        if need:
            raise KeyError(
                f"{what}: cannot group by {', '.join(need)} without the vacancies table "
                f"({'it is a vacancy column' if len(need) == 1 else 'they are vacancy columns'}); "
                f"pass vacancies="
            )
        df = applications.copy()
    else:
        df = enrich_applications(applications, vacancies, pilot_rollout, period)
    for col in ("gender", "age_band"):
        if col in df.columns:
            df[col] = _as_enum(df[col], _DIMENSION_VALUES[col])
    return df


#: The ``vacancies`` parameter of the application measures, as their docstrings show it
#: (filled in by :func:`_vacancies_optional` for ``{vacancies_parameter}``).
_VACANCIES_PARAMETER = """vacancies : DataFrame, optional (keyword)
        The processed vacancies. Needed only when ``by`` uses a vacancy column
        (``administration``, ``role_group``, ``employment_type``, ``period`` of the
        advert, …) or with ``pilot_rollout``; without it a vacancy column in ``by``
        raises a ``KeyError`` naming it. The earlier positional form
        ``f(applications, vacancies, by=…)`` still works."""


def _vacancies_optional(func: Callable) -> Callable:
    """Let ``func(applications, by, …, *, vacancies=None)`` also be called the earlier
    way, ``func(applications, vacancies, by, …)``: a DataFrame as the second positional
    argument is taken as ``vacancies`` and the remaining positional arguments keep their
    order. Fills in the ``vacancies`` parameter's description in the docstring."""

    @functools.wraps(func)
    def wrapper(applications, *args, **kwargs):
        if args and isinstance(args[0], pd.DataFrame):
            if "vacancies" in kwargs:
                raise TypeError(f"{func.__name__}() got vacancies both as the second argument and as vacancies=")
            kwargs["vacancies"] = args[0]
            args = args[1:]
        return func(applications, *args, **kwargs)

    if func.__doc__:
        wrapper.__doc__ = func.__doc__.replace("{vacancies_parameter}", _VACANCIES_PARAMETER)
    return wrapper


def _funnel(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per application: the stage reached, the stage of withdrawal (NaN unless
    withdrawn) and status flags.

    The stage of a withdrawal is ``withdrawn_stage``, or ``highest_stage`` where a
    withdrawn application lacks it (ingest quarantines such rows; this is a safety net).
    The stage reached is ``highest_stage`` (never below the stage of withdrawal).
    """
    status = df["final_status"]
    withdrawn = _is(status, "withdrawn")
    highest = _num(df["highest_stage"])
    wstage = _num(df["withdrawn_stage"]) if "withdrawn_stage" in df.columns else np.full(len(df), np.nan)
    wstage = np.where(withdrawn, np.where(np.isnan(wstage), highest, wstage), np.nan)
    reached = np.fmax(highest, wstage)
    return {
        "reached": reached,
        "wstage": wstage,
        "withdrawn": withdrawn,
        "hired": _is(status, "hired"),
        "declined": _is(status, "declined_offer"),
        "in_progress": _is(status, "in_progress"),
    }


def _offer_flags(df: pd.DataFrame, f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    offer_date = (
        df["offer_date"].notna().to_numpy(dtype=bool) if "offer_date" in df.columns else np.zeros(len(df), dtype=bool)
    )
    accepted = f["hired"] | (f["reached"] >= 6)
    declined = f["declined"] & ~accepted
    offered = offer_date | (f["reached"] >= 5) | accepted | declined
    pending = offered & f["in_progress"] & ~accepted & ~declined
    return {"offered": offered, "accepted": accepted, "declined": declined, "pending": pending}


# --------------------------------------------------------------------------- withdrawals


@_vacancies_optional
def withdrawals(
    applications: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
    *,
    vacancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Withdrawals by stage of the recruitment process.

    One row per group × stage 0–7 (every stage for every group, also where nobody
    reached it).

    Parameters
    ----------
    applications : DataFrame
        The processed applications (:func:`pilot_eval.ingest.load_processed`) or the demo's.
    {vacancies_parameter}
    by : str or list of str, optional
        Group columns of the enriched applications (see the module docstring).
    pilot_rollout : DataFrame, optional
        The roll-out table; makes ``arm``, ``phase``, ``cohort`` and ``treated`` available.
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication (the ``period`` column).

    Returns
    -------
    DataFrame
        Group columns, then:

        ``stage``, ``stage_name``
            The stage number 0–7 and its English name (``contract.STAGES``).
        ``n_reached``
            Applications that reached the stage (``highest_stage >= stage``); every
            application reached stage 0 (received).
        ``n_withdrawn``
            Applications withdrawn at this stage (``final_status == "withdrawn"`` and
            ``withdrawn_stage == stage``). A withdrawal before any screening has
            ``withdrawn_stage`` 0 and counts at stage 0.
        ``rate``
            ``n_withdrawn / n_reached``: the conditional withdrawal rate (hazard) at the
            stage, NaN when nobody reached it.
        ``share_of_applications``
            ``n_withdrawn`` ÷ all applications of the group (withdrawn ÷
            submitted, by stage); these shares sum over the stages to the group's
            overall withdrawal rate.
        ``n``
            ``n_reached``.

        Applications still ``in_progress`` at the cut date count as having reached their
        highest stage and not (yet) withdrawn.
    """
    by = as_by(by)
    df = _applications(applications, vacancies, pilot_rollout, period, by, "withdrawals()")
    keys, gid = _group_index(df, by, "applications")
    size = len(keys)
    f = _funnel(df)
    total = _sum(gid, size)
    stages = sorted(C.STAGES)
    reached = np.stack([_count(gid, size, f["reached"] >= s) for s in stages], axis=1)
    withdrawn = np.stack([_count(gid, size, f["withdrawn"] & (f["wstage"] == s)) for s in stages], axis=1)
    k = len(stages)
    out = keys.iloc[np.repeat(np.arange(size), k)].reset_index(drop=True)
    out["stage"] = np.tile(np.asarray(stages, dtype=np.int64), size)
    out["stage_name"] = np.tile(np.asarray([C.STAGES[s][0] for s in stages], dtype=object), size)
    n_reached = reached.reshape(-1)
    n_withdrawn = withdrawn.reshape(-1)
    out["n_reached"] = n_reached
    out["n_withdrawn"] = n_withdrawn
    out["rate"] = _ratio(n_withdrawn, n_reached)
    out["share_of_applications"] = _ratio(n_withdrawn, np.repeat(total, k))
    out["n"] = n_reached
    return out[by + ["stage", "stage_name", "n_reached", "n_withdrawn", "rate", "share_of_applications", "n"]]


@_vacancies_optional
def late_withdrawal_rate(
    applications: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
    include_in_progress: bool = True,
    *,
    vacancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Late-stage withdrawal: the main outcome of the pilot.

    Parameters
    ----------
    applications : DataFrame
        The processed applications (:func:`pilot_eval.ingest.load_processed`) or the demo's.
    {vacancies_parameter}
    by : str or list of str, optional
        Group columns of the enriched applications.
    pilot_rollout : DataFrame, optional
        The roll-out table; makes ``arm``, ``phase``, ``cohort`` and ``treated`` available.
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication.
    include_in_progress : bool, default True
        Whether applications still ``in_progress`` at the cut date are in the
        denominator. **By default they are**: they reached the interview and are still
        at risk of withdrawing, so the rate of a recent period is a lower bound that
        can still rise as those processes end (``n_in_progress`` says by how many
        applications). ``False`` restricts the rate to applications whose process had
        ended by the cut date (as the demo's ``truth.json`` observed rates do), which
        instead over-weights quickly ended processes in recent periods.

    Returns
    -------
    DataFrame
        Group columns, then:

        ``n_reached_interview``
            Applications that reached the interview stage (``highest_stage >= 2``).
        ``n_withdrawn_late``
            Of those, withdrawn at or after the interview (``final_status ==
            "withdrawn"`` and ``withdrawn_stage >= 2``).
        ``late_withdrawal_rate``
            ``n_withdrawn_late / n_reached_interview`` (NaN if nobody reached interview).
        ``n_in_progress``
            Of ``n_reached_interview``, applications still in progress at the cut date
            (0 when ``include_in_progress`` is false).
        ``n``
            ``n_reached_interview``.
    """
    by = as_by(by)
    df = _applications(applications, vacancies, pilot_rollout, period, by, "late_withdrawal_rate()")
    keys, gid = _group_index(df, by, "applications")
    size = len(keys)
    f = _funnel(df)
    keep = np.ones(len(df), dtype=bool) if include_in_progress else ~f["in_progress"]
    reached = keep & (f["reached"] >= LATE_STAGE)
    late = reached & f["withdrawn"] & (f["wstage"] >= LATE_STAGE)
    n_reached = _count(gid, size, reached)
    n_late = _count(gid, size, late)
    figures = {
        "n_reached_interview": n_reached,
        "n_withdrawn_late": n_late,
        "late_withdrawal_rate": _ratio(n_late, n_reached),
        "n_in_progress": _count(gid, size, reached & f["in_progress"]),
    }
    return _table(keys, by, figures, n_reached)


@_vacancies_optional
def withdrawal_reasons(
    applications: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
    min_stage: int = 0,
    *,
    vacancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The reasons given for withdrawals.

    Parameters
    ----------
    applications : DataFrame
        The processed applications (:func:`pilot_eval.ingest.load_processed`) or the demo's.
    {vacancies_parameter}
    by : str or list of str, optional
        Group columns of the enriched applications.
    pilot_rollout : DataFrame, optional
        The roll-out table (pilot columns for ``by``).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication.
    min_stage : int, default 0
        Only withdrawals at this stage or later; ``min_stage=2`` gives the reasons for
        late-stage withdrawals.

    Returns
    -------
    DataFrame
        One row per group × reason (the five contract reasons in contract order, then
        ``"not_recorded"`` for a missing reason; ``"unknown"`` is a recorded answer and
        kept apart), for the groups with at least one such withdrawal:

        ``withdrawal_reason``
            The reason.
        ``n_withdrawn``
            Withdrawn applications (at ``min_stage`` or later) giving that reason.
        ``share``
            ``n_withdrawn / n``: the reason's share of the group's withdrawals.
        ``n``
            All withdrawals of the group (at ``min_stage`` or later).
    """
    by = as_by(by)
    df = _applications(applications, vacancies, pilot_rollout, period, by, "withdrawal_reasons()")
    f = _funnel(df)
    mask = f["withdrawn"] & (f["wstage"] >= min_stage)
    df = df.loc[mask]
    keys, gid = _group_index(df, by, "applications")
    size = len(keys)
    reason_values = list(C.WITHDRAWAL_REASONS)
    raw = df["withdrawal_reason"] if "withdrawal_reason" in df.columns else pd.Series(None, index=df.index)
    reason = _as_enum(raw, reason_values)
    categories = list(reason.cat.categories)
    k = len(categories)
    codes = reason.cat.codes.to_numpy(dtype=np.int64)
    counts = np.bincount(gid * k + codes, minlength=size * k).astype(np.int64)
    total = np.repeat(_sum(gid, size), k)
    out = keys.iloc[np.repeat(np.arange(size), k)].reset_index(drop=True)
    out["withdrawal_reason"] = pd.Categorical(
        np.tile(np.asarray(categories, dtype=object), size), categories=categories
    )
    out["n_withdrawn"] = counts
    out["share"] = _ratio(counts, total)
    out["n"] = total
    return out[by + ["withdrawal_reason", "n_withdrawn", "share", "n"]]


@_vacancies_optional
def offers(
    applications: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
    *,
    vacancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Job offers and their acceptance.

    Parameters
    ----------
    applications : DataFrame
        The processed applications (:func:`pilot_eval.ingest.load_processed`) or the demo's.
    {vacancies_parameter}
    by : str or list of str, optional
        Group columns of the enriched applications.
    pilot_rollout : DataFrame, optional
        The roll-out table (pilot columns for ``by``).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication.

    Returns
    -------
    DataFrame
        Group columns, then:

        ``n_offers``
            Applications that got an offer: ``offer_date`` set or ``highest_stage >= 5``
            (offer), or hired / declined_offer.
        ``n_accepted``
            Offers accepted: ``final_status == "hired"`` or ``highest_stage >= 6``.
        ``n_declined``
            Offers declined: ``final_status == "declined_offer"``.
        ``n_pending``
            Offers neither accepted nor declined of applications still in progress at the
            cut date.
        ``acceptance_rate``
            ``n_accepted / (n_accepted + n_declined)``: among **decided** offers. Offers
            still pending at the cut date are left out of the denominator (their answer
            is not known yet; counting them as not accepted would make the latest
            periods look worse), and so are offers that ended otherwise (the application
            was withdrawn or the recruitment cancelled after the offer).
        ``n``
            ``n_offers``.
    """
    by = as_by(by)
    df = _applications(applications, vacancies, pilot_rollout, period, by, "offers()")
    keys, gid = _group_index(df, by, "applications")
    size = len(keys)
    o = _offer_flags(df, _funnel(df))
    n_offers = _count(gid, size, o["offered"])
    n_acc = _count(gid, size, o["accepted"])
    n_dec = _count(gid, size, o["declined"])
    figures = {
        "n_offers": n_offers,
        "n_accepted": n_acc,
        "n_declined": n_dec,
        "n_pending": _count(gid, size, o["pending"]),
        "acceptance_rate": _ratio(n_acc, n_acc + n_dec),
    }
    return _table(keys, by, figures, n_offers)


# --------------------------------------------------------------------------- competence supply


def _staffing_frame(staffing: pd.DataFrame, pilot_rollout: pd.DataFrame | None, period: str) -> pd.DataFrame:
    s = staffing.copy()
    s["month"] = pd.to_datetime(s["month"])
    s["period"] = period_label(s["month"], period)
    if pilot_rollout is not None:
        # a staffing month is "published" on its first day: the same arm and phase as a
        # vacancy of that administration and role group published then
        status = vacancy_pilot_status(
            s[["administration", "role_group"]].assign(published_date=s["month"]), pilot_rollout, period
        )
        s = s.join(status[list(_PILOT_BY)])
    return s


def _staffing_figures(s: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    keys, gid = _group_index(s, by, "staffing")
    size = len(keys)
    head = pd.to_numeric(s["headcount_permanent"], errors="coerce").fillna(0).to_numpy(dtype="float64") + pd.to_numeric(
        s["headcount_temporary"], errors="coerce"
    ).fillna(0).to_numpy(dtype="float64")
    month = pd.to_datetime(s["month"]).dt.to_period("M").astype("int64").to_numpy() if len(s) else np.zeros(0, np.int64)
    if len(s):
        pairs = np.unique(np.stack([gid, month], axis=1), axis=0)
        n_months = np.bincount(pairs[:, 0], minlength=size).astype(np.int64)
    else:
        n_months = np.zeros(size, dtype=np.int64)

    def col(name: str) -> np.ndarray:
        return pd.to_numeric(s[name], errors="coerce").fillna(0).to_numpy(dtype="float64")

    sq = (
        pd.to_numeric(s["share_qualified"], errors="coerce").to_numpy(dtype="float64")
        if "share_qualified" in s.columns
        else np.full(len(s), np.nan)
    )
    has_sq = ~np.isnan(sq)
    head_sum = _sum(gid, size, head)
    figures = {
        "n_months": n_months,
        "headcount": _ratio(head_sum, n_months),
        "fte": _ratio(_sum(gid, size, col("fte")), n_months),
        "voluntary_leavers": np.rint(_sum(gid, size, col("voluntary_leavers"))).astype(np.int64),
        "new_hires": np.rint(_sum(gid, size, col("new_hires"))).astype(np.int64),
        "turnover_rate": 12 * _ratio(_sum(gid, size, col("voluntary_leavers")), head_sum),
        "share_qualified": _ratio(
            _sum(gid, size, np.where(has_sq, sq * head, 0.0)), _sum(gid, size, np.where(has_sq, head, 0.0))
        ),
        "vacant_posts": _ratio(_sum(gid, size, col("vacant_posts")), n_months),
        "hourly_hours": _sum(gid, size, col("hourly_hours")),
    }
    return keys, figures


def _key_strings(frame: pd.DataFrame, by: list[str]) -> pd.Index:
    if not by:
        return pd.Index([""] * len(frame))
    parts = [frame[c].astype(object).where(frame[c].notna(), "\x00NA").astype(str) for c in by]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + "\x1f" + p
    return pd.Index(joined.to_numpy())


def competence_supply(
    vacancies: pd.DataFrame,
    applications: pd.DataFrame,
    staffing: pd.DataFrame | None = None,
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
) -> pd.DataFrame:
    """Competence supply per group of vacancies: applicants, qualified applicants,
    vacancy outcomes and hires, optionally with staffing figures.

    Parameters
    ----------
    vacancies, applications : DataFrame
        Processed tables (or the demo's tables).
    staffing : DataFrame, optional
        The ``staffing_monthly`` table. Its figures can only be broken down by the
        columns it has: ``administration``, ``role_group``, ``period`` (of the month,
        at the same ``period`` frequency) and, with ``pilot_rollout``, ``arm``,
        ``phase``, ``cohort`` and ``treated`` (a staffing month gets the status of a
        vacancy of its administration and role group published on the month's first
        day). If ``by`` has any other column (e.g. ``employment_type``,
        ``check_in_ad``) the staffing figures are NaN. Staffing cells of groups with no
        vacancy are not shown; without ``by`` the staffing figures cover every month of
        the staffing table.
    by : str or list of str, optional
        Group columns of the enriched vacancies (application columns such as gender
        are not available at vacancy level).
    pilot_rollout : DataFrame, optional
        The roll-out table (pilot columns for ``by``).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication.

    Returns
    -------
    DataFrame
        Group columns, then:

        ``n_vacancies``, ``n_positions``
            Adverts (a re-advertisement is an advert of its own) and the positions they
            advertise (``positions`` summed).
        ``n_applications``, ``n_qualified``
            Applications to those adverts, and those with ``qualified == "yes"``.
        ``applicants_per_vacancy``, ``applicants_per_position``
            ``n_applications`` ÷ ``n_vacancies`` and ÷ ``n_positions``.
        ``qualified_per_vacancy``, ``qualified_per_position``
            ``n_qualified`` ÷ ``n_vacancies`` and ÷ ``n_positions``.
        ``n_closed``
            Adverts no longer open (``status != "open"``) at the cut date.
        ``n_filled``, ``n_readvertised``, ``n_cancelled``, ``n_unfilled``
            Closed adverts by outcome (``status``); they add up to ``n_closed``. The
            numerators of the four rates, so that disclosure control can tie each rate to
            its count.
        ``filled_rate``, ``readvertised_rate``, ``cancelled_rate``, ``unfilled_rate``
            ``n_filled``, ``n_readvertised``, ``n_cancelled``, ``n_unfilled`` ÷
            ``n_closed``. Open adverts have no outcome yet and are left out of the
            denominator (counting them would make recent periods look worse); the four
            rates sum to 1.
        ``n_hires``
            Applications with ``final_status == "hired"``.
        ``n_hires_qualified``, ``n_hires_qualification_known``, ``n_hires_permanent``
            Hires with ``qualified == "yes"``; hires whose qualification applies and is
            known (``"yes"`` or ``"no"``); hires in adverts with ``employment_type ==
            "permanent"``.
        ``share_hires_qualified``
            ``n_hires_qualified`` ÷ ``n_hires_qualification_known`` (``"not_applicable"``
            and ``"unknown"`` are left out of the denominator).
        ``share_hires_permanent``
            ``n_hires_permanent`` ÷ ``n_hires``.
        ``turnover_rate`` (with ``staffing``)
            Annualised voluntary turnover: ``12 × Σ voluntary_leavers ÷ Σ
            (headcount_permanent + headcount_temporary)`` over the staffing rows
            (administration × role group × month) of the group, i.e. the average monthly
            leaving rate times 12.
        ``vacant_posts`` (with ``staffing``)
            Vacant posts per month: ``Σ vacant_posts`` ÷ the number of months in the
            group.
        ``hourly_hours`` (with ``staffing``)
            Hours worked by hourly-paid staff, summed over the group's months.
        ``n``
            ``n_vacancies``.
    """
    by = as_by(by)
    vac = enrich_vacancies(vacancies, pilot_rollout, period)
    keys, gid = _group_index(vac, by, "vacancies")
    size = len(keys)
    pos = pd.Index(vac["vacancy_id"]).get_indexer(applications["vacancy_id"])
    ok = pos >= 0
    apps = applications.loc[ok]
    agid = gid[pos[ok]]
    qualified = _is(apps["qualified"], "yes")
    qual_known = _is(apps["qualified"], "yes", "no")
    hired = _is(apps["final_status"], "hired")
    permanent = _is(vac["employment_type"], "permanent")[pos[ok]]
    status = vac["status"]
    n_vac = _sum(gid, size)
    n_pos = np.rint(_sum(gid, size, pd.to_numeric(vac["positions"], errors="coerce").fillna(1))).astype(np.int64)
    n_apps = _sum(agid, size)
    n_qual = _count(agid, size, qualified)
    n_closed = _count(gid, size, ~_is(status, "open"))
    outcome = {
        name: _count(gid, size, _is(status, name)) for name in ("filled", "readvertised", "cancelled", "unfilled")
    }
    n_hires = _count(agid, size, hired)
    n_hires_qual = _count(agid, size, hired & qualified)
    n_hires_known = _count(agid, size, hired & qual_known)
    n_hires_perm = _count(agid, size, hired & permanent)
    figures = {
        "n_vacancies": n_vac,
        "n_positions": n_pos,
        "n_applications": n_apps,
        "n_qualified": n_qual,
        "applicants_per_vacancy": _ratio(n_apps, n_vac),
        "applicants_per_position": _ratio(n_apps, n_pos),
        "qualified_per_vacancy": _ratio(n_qual, n_vac),
        "qualified_per_position": _ratio(n_qual, n_pos),
        "n_closed": n_closed,
        "n_filled": outcome["filled"],
        "n_readvertised": outcome["readvertised"],
        "n_cancelled": outcome["cancelled"],
        "n_unfilled": outcome["unfilled"],
        "filled_rate": _ratio(outcome["filled"], n_closed),
        "readvertised_rate": _ratio(outcome["readvertised"], n_closed),
        "cancelled_rate": _ratio(outcome["cancelled"], n_closed),
        "unfilled_rate": _ratio(outcome["unfilled"], n_closed),
        "n_hires": n_hires,
        "n_hires_qualified": n_hires_qual,
        "n_hires_qualification_known": n_hires_known,
        "n_hires_permanent": n_hires_perm,
        "share_hires_qualified": _ratio(n_hires_qual, n_hires_known),
        "share_hires_permanent": _ratio(n_hires_perm, n_hires),
    }
    if staffing is not None:
        supported = set(_STAFFING_BY) | (set(_PILOT_BY) if pilot_rollout is not None else set())
        names = ("turnover_rate", "vacant_posts", "hourly_hours")
        if all(c in supported for c in by):
            s = _staffing_frame(staffing, pilot_rollout, period)
            skeys, sfig = _staffing_figures(s, by)
            index = _key_strings(skeys, by)
            target = _key_strings(keys, by)
            for name in names:
                figures[name] = pd.Series(sfig[name], index=index).reindex(target).to_numpy(dtype="float64")
        else:
            for name in names:
                figures[name] = np.full(size, np.nan)
    return _table(keys, by, figures, n_vac)


def staffing_measures(
    staffing: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    period: str = "quarter",
    pilot_rollout: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The monthly competence-supply family from the ``staffing_monthly`` table.

    The table's level is administration × role group × month; ask for
    ``by=["administration", "period"]`` with ``period="month"`` for the administration ×
    month series of docs/measures.md.

    Parameters
    ----------
    staffing : DataFrame
        The ``staffing_monthly`` table.
    by : str or list of str, optional
        ``administration``, ``role_group``, ``period`` (of the month) and, with
        ``pilot_rollout``, ``arm``, ``phase``, ``cohort``, ``treated`` (a month gets the
        status of a vacancy of its administration and role group published on its
        first day).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Frequency of the ``period`` column.
    pilot_rollout : DataFrame, optional
        The roll-out table.

    Returns
    -------
    DataFrame
        Group columns, then:

        ``n_months``
            Calendar months in the group.
        ``headcount``
            Staff per month (``headcount_permanent + headcount_temporary``, summed over the
            group's administrations and role groups, averaged over its months).
        ``fte``
            Full-time equivalents per month (summed, then averaged over months).
        ``voluntary_leavers``, ``new_hires``
            Summed over the group's rows.
        ``turnover_rate``
            Annualised voluntary turnover: ``12 × Σ voluntary_leavers ÷ Σ headcount`` over
            the group's rows (the average monthly leaving rate × 12).
        ``share_qualified``
            Share of staff with the required qualification: the headcount-weighted mean
            of ``share_qualified`` over the rows that report it (NaN if none does).
        ``vacant_posts``
            Vacant posts per month (summed, then averaged over months).
        ``hourly_hours``
            Hours worked by hourly-paid staff, summed.
        ``n``
            ``headcount`` rounded to whole persons: the number of people the rates are
            about, for disclosure control.
    """
    by = as_by(by)
    period_label(pd.Series([], dtype="datetime64[ns]"), period)
    s = _staffing_frame(staffing, pilot_rollout, period)
    keys, figures = _staffing_figures(s, by)
    n = np.rint(np.nan_to_num(figures["headcount"])).astype(np.int64)
    return _table(keys, by, figures, n)


# --------------------------------------------------------------------------- equality


def _equality_parts(df: pd.DataFrame, measure: str) -> tuple[np.ndarray, np.ndarray]:
    f = _funnel(df)
    if measure == "late_withdrawal_rate":
        den = f["reached"] >= LATE_STAGE
        num = den & f["withdrawn"] & (f["wstage"] >= LATE_STAGE)
    elif measure == "withdrawal_rate":
        den = np.ones(len(df), dtype=bool)
        num = f["withdrawn"]
    elif measure == "acceptance_rate":
        o = _offer_flags(df, f)
        num = o["accepted"]
        den = o["accepted"] | o["declined"]
    elif measure == "hire_rate":
        den = np.ones(len(df), dtype=bool)
        num = f["hired"]
    elif measure == "qualified_rate":
        den = np.ones(len(df), dtype=bool)
        num = _is(df["qualified"], "yes")
    else:  # pragma: no cover - checked by the caller
        raise ValueError(measure)
    return num, den


@_vacancies_optional
def equality(
    applications: pd.DataFrame,
    measure: str = "late_withdrawal_rate",
    dimensions: str | Sequence[str] = ("gender", "age_band"),
    by: str | Sequence[str] | None = None,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
    min_denominator: int = 10,
    *,
    vacancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A rate broken down by gender, age band (or any application column), with the
    ratio to the most favoured group and the four-fifths flag.

    Parameters
    ----------
    applications : DataFrame
        The processed applications (:func:`pilot_eval.ingest.load_processed`) or the demo's.
    {vacancies_parameter}
    measure : str, default "late_withdrawal_rate"
        One of :data:`MEASURE_DIRECTION`:

        ``late_withdrawal_rate``
            Withdrawn at or after the interview ÷ reached the interview (as
            :func:`late_withdrawal_rate`, in-progress applications in the denominator).
        ``withdrawal_rate``
            Withdrawn at any stage ÷ applications.
        ``acceptance_rate``
            Offers accepted ÷ offers accepted or declined (as :func:`offers`).
        ``hire_rate``
            Hired ÷ applications.
        ``qualified_rate``
            Applications with ``qualified == "yes"`` ÷ applications.
    dimensions : str or list of str, default ("gender", "age_band")
        Application columns to break the rate down by, one at a time. Missing values
        form the group ``"not_recorded"``.
    by : str or list of str, optional
        Further group columns (e.g. ``["arm", "phase"]``); the comparison with the most
        favoured group is made within each of these groups.
    pilot_rollout : DataFrame, optional
        The roll-out table (pilot columns for ``by``).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Calendar period of the vacancy's publication.
    min_denominator : int, default 10
        Groups with a smaller denominator get their rate but no ratio or flag, and can
        not be the most favoured group: a rate of 0 out of 3 would otherwise make every
        other group look worse off.

    Returns
    -------
    DataFrame
        Group columns, then:

        ``dimension``, ``group``
            The dimension (e.g. ``"gender"``) and the value of it (e.g. ``"woman"``,
            ``"not_recorded"``), in contract order.
        ``numerator``, ``denominator``
            The counts of the rate (see ``measure``).
        ``rate``
            ``numerator / denominator`` (NaN if the denominator is 0).
        ``ratio_to_best``
            This group's rate against the most favoured group's within the same ``by``
            group and dimension, oriented so that **1 is as well off as the best and
            below 1 is worse off** (:data:`MEASURE_DIRECTION`): for favourable outcomes
            (hire, acceptance, qualified; higher is better) ``rate ÷ highest rate``; for
            adverse outcomes (withdrawals; lower is better) ``lowest rate ÷ rate``. Equal
            rates (also both 0) give 1; a positive withdrawal rate against a best of 0
            gives 0. NaN for groups below ``min_denominator``.
        ``four_fifths_flag``
            ``ratio_to_best < 0.8`` (:data:`FOUR_FIFTHS`): a warning sign worth a closer
            look, **not a verdict** of discrimination; small groups vary a lot by chance.
            Missing (``pd.NA``) where the ratio is.
        ``n``
            ``denominator``.
    """
    if measure not in MEASURE_DIRECTION:
        raise ValueError(f"measure must be one of {', '.join(MEASURE_DIRECTION)}, not {measure!r}")
    by = as_by(by)
    dims = as_by(dimensions)
    clash = [d for d in dims if d in by]
    if clash:
        raise ValueError(f"{', '.join(clash)} is both a dimension and a by= column")
    df = _applications(applications, vacancies, pilot_rollout, period, by + dims, "equality()")
    _require(df, dims, "applications (dimensions)")
    keys, gid = _group_index(df, by, "applications")
    size = len(keys)
    num, den = _equality_parts(df, measure)
    higher = MEASURE_DIRECTION[measure] == "higher"
    parts = []
    for d_index, dim in enumerate(dims):
        values = _as_enum(df[dim], _DIMENSION_VALUES.get(dim, _categories_of(df[dim])))
        cats = list(values.cat.categories)
        k = len(cats)
        cell = gid * k + values.cat.codes.to_numpy(dtype=np.int64)
        present = np.bincount(cell, minlength=size * k) > 0
        idx = np.flatnonzero(present)
        part = keys.iloc[idx // k].reset_index(drop=True)
        part["dimension"] = dim
        part["group"] = np.asarray(cats, dtype=object)[idx % k].astype(str)
        part["numerator"] = np.bincount(cell, weights=num.astype("float64"), minlength=size * k)[idx].astype(np.int64)
        part["denominator"] = np.bincount(cell, weights=den.astype("float64"), minlength=size * k)[idx].astype(np.int64)
        part["_g"] = idx // k
        part["_d"] = d_index
        part["_v"] = idx % k
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=by + ["dimension", "group"])
    out = out.sort_values(["_g", "_d", "_v"], kind="stable").reset_index(drop=True)
    rate = _ratio(out["numerator"], out["denominator"])
    eligible = (out["denominator"].to_numpy() >= max(min_denominator, 1)) & ~np.isnan(rate)
    eligible_rate = pd.Series(np.where(eligible, rate, np.nan))
    block = [out["_g"], out["_d"]]
    best = (eligible_rate.groupby(block).transform("max" if higher else "min")).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rate == best, 1.0, (rate / best) if higher else (best / rate))
    ratio = np.where(eligible & ~np.isnan(best), ratio, np.nan)
    out["rate"] = rate
    out["ratio_to_best"] = ratio
    flag = pd.array(ratio < FOUR_FIFTHS, dtype="boolean")
    flag[np.isnan(ratio)] = pd.NA
    out["four_fifths_flag"] = flag
    out["n"] = out["denominator"]
    return out[
        by + ["dimension", "group", "numerator", "denominator", "rate", "ratio_to_best", "four_fifths_flag", "n"]
    ]


def _categories_of(series: pd.Series) -> list[str]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories]
    return sorted({str(v) for v in series.dropna().unique()})
