"""Durations: time to fill, time to hire, check turnaround — right about censoring.

All durations are calendar days. The survival estimates use lifelines
(``KaplanMeierFitter``, ``median_survival_times``, ``restricted_mean_survival_time``);
the cumulative incidence under competing outcomes is :func:`cumulative_incidence`,
written here because lifelines' ``AalenJohansenFitter`` breaks ties by random jitter,
and day-level recruitment data is nearly all ties (its answer would change from run to
run and differ from the exact tied estimate).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .common import as_by, enrich_applications, enrich_vacancies, grouped

__all__ = ["cumulative_incidence", "fill_durations", "time_to_fill", "time_to_hire", "check_turnaround"]

FILLED, COMPETING, CENSORED = 1, 2, 0
COMPETING_STATUSES = ("cancelled", "unfilled", "readvertised")


def cumulative_incidence(durations: np.ndarray, events: np.ndarray, times: Sequence[float],
                         event_of_interest: int = 1) -> np.ndarray:
    """Aalen–Johansen cumulative incidence of one event type at ``times``, exact with ties.

    ``events`` is 0 for censored, or the event type (1, 2, …). At a tied time, events
    happen before censoring (the usual convention). With no competing events this equals
    1 − Kaplan–Meier.

    Written here rather than taken from lifelines: ``AalenJohansenFitter`` adds random
    jitter to tied durations, and day-level data is nearly all ties.

    >>> cumulative_incidence(np.array([1, 2, 2, 3]), np.array([1, 2, 1, 0]), [1, 2, 3])
    array([0.25, 0.5 , 0.5 ])
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=int)
    times = np.asarray(times, dtype=float)
    if len(durations) == 0:
        return np.full(len(times), np.nan)
    event_times = np.unique(durations[events > 0])
    if len(event_times) == 0:
        return np.zeros(len(times))
    order = np.sort(durations)
    at_risk = len(durations) - np.searchsorted(order, event_times, side="left")
    ev_sorted = np.sort(durations[events > 0])
    d_any = np.searchsorted(ev_sorted, event_times, side="right") - np.searchsorted(ev_sorted, event_times, side="left")
    ev1_sorted = np.sort(durations[events == event_of_interest])
    d_one = np.searchsorted(ev1_sorted, event_times, side="right") - np.searchsorted(ev1_sorted, event_times, side="left")
    surv = np.cumprod(1.0 - d_any / at_risk)
    surv_before = np.concatenate([[1.0], surv[:-1]])
    cif = np.cumsum(surv_before * d_one / at_risk)
    idx = np.searchsorted(event_times, times, side="right") - 1
    return np.where(idx >= 0, cif[np.clip(idx, 0, None)], 0.0)


def _km(durations: np.ndarray, observed: np.ndarray):
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kmf.fit(durations, event_observed=observed)
    return kmf


def _km_summary(durations: np.ndarray, observed: np.ndarray, horizons: Sequence[int] = (),
                rmst_to: int | None = None) -> dict:
    """Median (with 95 % CI), 1 − S(h) at each horizon and RMST, from lifelines' KM."""
    from lifelines.utils import median_survival_times, restricted_mean_survival_time

    out: dict = {"median_days": np.nan, "median_conf_low": np.nan, "median_conf_high": np.nan}
    if len(durations) == 0:
        out.update({f"within_{h}": np.nan for h in horizons})
        if rmst_to:
            out[f"rmst_{rmst_to}"] = np.nan
        return out
    kmf = _km(durations, observed)
    median = kmf.median_survival_time_
    ci = median_survival_times(kmf.confidence_interval_)
    out["median_days"] = float(median) if np.isfinite(median) else np.nan
    low, high = ci.iloc[0, 0], ci.iloc[0, 1]
    out["median_conf_low"] = float(low) if np.isfinite(low) else np.nan
    out["median_conf_high"] = float(high) if np.isfinite(high) else np.nan
    for h in horizons:
        out[f"within_{h}"] = float(1.0 - kmf.survival_function_at_times(h).iloc[0])
    if rmst_to:
        out[f"rmst_{rmst_to}"] = float(restricted_mean_survival_time(kmf, t=rmst_to))
    return out


def _cut(cut_date) -> pd.Timestamp:
    if cut_date is None:
        raise ValueError("cut_date is required: open vacancies are censored at it")
    return pd.Timestamp(cut_date)


def fill_durations(vacancies: pd.DataFrame, cut_date) -> pd.DataFrame:
    """Per vacancy: ``duration`` (days) and ``event`` — 1 filled (accepted_date), 2 a
    competing outcome (cancelled, unfilled or re-advertised: closed_date), 0 censored at
    the cut date (open, or closed without a date)."""
    cut = _cut(cut_date)
    published = vacancies["published_date"]
    accepted = vacancies["accepted_date"]
    status = vacancies["status"].astype(str)
    filled = accepted.notna() & (accepted <= cut)
    competing = ~filled & status.isin(COMPETING_STATUSES) & vacancies["closed_date"].notna() & (
        vacancies["closed_date"] <= cut)
    end = pd.Series(cut, index=vacancies.index)
    end = end.where(~competing, vacancies["closed_date"]).where(~filled, accepted)
    duration = (end - published).dt.days.clip(lower=0).astype(float)
    event = np.where(filled, FILLED, np.where(competing, COMPETING, CENSORED))
    return pd.DataFrame({"duration": duration, "event": event}, index=vacancies.index)


def time_to_fill(vacancies: pd.DataFrame, cut_date, by: str | Sequence[str] | None = None, *,
                 pilot_rollout: pd.DataFrame | None = None, period: str = "quarter") -> pd.DataFrame:
    """Time to fill (tid till tillsättning): published → accepted, in days.

    Open vacancies are right-censored at ``cut_date``. Cancelled, unfilled and
    re-advertised vacancies end in a **competing outcome** at their ``closed_date`` (a
    re-advertisement is a new vacancy row and starts its own clock). Never the mean of the
    completed ones alone.

    Returns one row per group with

    - ``n_filled``, ``n_competing``, ``n_censored``, ``n_positions``;
    - ``median_days`` with ``median_conf_low`` / ``median_conf_high`` (95 %): the
      Kaplan–Meier median with competing outcomes censored, i.e. how long a recruitment
      takes *when it is carried through* (lifelines);
    - ``filled_within_60`` / ``filled_within_90``: the share of **all** vacancies filled
      within 60 / 90 days, the Aalen–Johansen cumulative incidence (a cancelled vacancy is
      not filled; equals 1 − KM when nothing competes);
    - ``rmst_90``: restricted mean time to fill up to 90 days on the same KM curve as the
      median (lifelines);
    - ``n``: vacancies.

    ``by`` takes any vacancy column, ``period`` (of publication; ``period=`` sets month,
    quarter, half or year) and, with ``pilot_rollout``, ``arm``, ``phase``, ``cohort`` and
    ``treated``.

    Examples
    --------
    >>> vac = pd.DataFrame({
    ...     "published_date": pd.to_datetime(["2024-01-01"] * 4),
    ...     "accepted_date": pd.to_datetime(["2024-01-31", "2024-03-01", None, None]),
    ...     "closed_date": pd.to_datetime(["2024-01-31", "2024-03-01", "2024-02-10", None]),
    ...     "status": ["filled", "filled", "cancelled", "open"], "positions": [1, 2, 1, 1],
    ...     "administration": "UBF", "role_group": "teacher"})
    >>> time_to_fill(vac, "2024-06-30")[["n_filled", "n_competing", "n_censored", "filled_within_60", "n"]]
       n_filled  n_competing  n_censored  filled_within_60  n
    0         2            1           1               0.5  4
    """
    frame = enrich_vacancies(vacancies, pilot_rollout, period).join(fill_durations(vacancies, cut_date))

    def compute(sub: pd.DataFrame) -> dict:
        d, e = sub["duration"].to_numpy(), sub["event"].to_numpy()
        km = _km_summary(d, e == FILLED, rmst_to=90)
        cif = cumulative_incidence(d, e, [60, 90], FILLED) if len(d) else [np.nan, np.nan]
        return {
            "n_filled": int((e == FILLED).sum()), "n_competing": int((e == COMPETING).sum()),
            "n_censored": int((e == CENSORED).sum()), "n_positions": int(sub["positions"].sum()),
            "median_days": km["median_days"], "median_conf_low": km["median_conf_low"],
            "median_conf_high": km["median_conf_high"],
            "filled_within_60": float(cif[0]), "filled_within_90": float(cif[1]),
            "rmst_90": km["rmst_90"], "n": len(sub),
        }

    return grouped(frame, as_by(by), compute)


def time_to_hire(applications: pd.DataFrame, vacancies: pd.DataFrame, by: str | Sequence[str] | None = None, *,
                 pilot_rollout: pd.DataFrame | None = None, period: str = "quarter") -> pd.DataFrame:
    """Time to hire (tid till anställning) for hired applications, in days.

    One row per group × ``measure``:

    - ``submitted_to_offer``: offer_date − submitted_date;
    - ``submitted_to_accepted``: the vacancy's accepted_date − submitted_date (for a
      vacancy with several positions, its first acceptance);
    - ``offer_to_start``: the vacancy's start_date − offer_date.

    These are conditional on being hired (every duration is complete), so no censoring
    arises; they describe the hires, not the recruitments (see :func:`time_to_fill`).
    Figures: ``median_days``, ``q25_days``, ``q75_days``, ``mean_days``, ``n``.
    """
    apps = enrich_applications(applications, vacancies, pilot_rollout, period)
    hired = apps.loc[apps["final_status"].astype(str) == "hired"].copy()
    vac = vacancies.set_index("vacancy_id")
    hired["accepted_date"] = hired["vacancy_id"].map(vac["accepted_date"])
    hired["start_date"] = hired["vacancy_id"].map(vac["start_date"])
    spans = {
        "submitted_to_offer": (hired["offer_date"] - hired["submitted_date"]).dt.days,
        "submitted_to_accepted": (hired["accepted_date"] - hired["submitted_date"]).dt.days,
        "offer_to_start": (hired["start_date"] - hired["offer_date"]).dt.days,
    }
    long = pd.concat([hired.assign(measure=name, days=days.astype(float)) for name, days in spans.items()],
                     ignore_index=True)
    long = long.loc[long["days"].notna() & (long["days"] >= 0)]
    long["measure"] = pd.Categorical(long["measure"], categories=list(spans))

    def compute(sub: pd.DataFrame) -> dict:
        days = sub["days"]
        return {"median_days": float(days.median()), "q25_days": float(days.quantile(0.25)),
                "q75_days": float(days.quantile(0.75)), "mean_days": float(days.mean()), "n": len(sub)}

    return grouped(long, as_by(by) + ["measure"], compute)


def check_turnaround(background_checks: pd.DataFrame, cut_date, by: str | Sequence[str] | None = None, *,
                     applications: pd.DataFrame | None = None, vacancies: pd.DataFrame | None = None,
                     pilot_rollout: pd.DataFrame | None = None, period: str = "quarter") -> pd.DataFrame:
    """Check turnaround (kontrolltid): requested → completed, in days, by check type.

    Pending checks are right-censored at ``cut_date``. Checks cancelled by the candidate
    or otherwise have no completion date and leave the process: they are left out (and
    counted in ``n_cancelled``), since a cancelled check says nothing about how long a
    completed one takes.

    Always grouped by ``check_type`` (after any ``by`` columns). With ``applications`` and
    ``vacancies`` (and ``pilot_rollout``), ``by`` may use their columns (administration,
    period, arm, phase, …). Figures: ``n_completed``, ``n_pending``, ``n_cancelled``,
    ``median_days`` with 95 % CI (Kaplan–Meier, lifelines), ``within_7`` and ``within_14``
    (share completed within 7 / 14 days, 1 − KM), ``n`` (completed + pending).
    """
    cut = _cut(cut_date)
    checks = background_checks.copy()
    if applications is not None and vacancies is not None:
        apps = enrich_applications(applications, vacancies, pilot_rollout, period)
        extra = [c for c in apps.columns if c not in checks.columns or c == "application_id"]
        checks = checks.merge(apps[extra], on="application_id", how="left", validate="many_to_one")
    status = checks["status"].astype(str)
    done = status == "completed"
    pending = status == "pending"
    end = checks["completed_date"].where(done, cut)
    checks["days"] = (end - checks["requested_date"]).dt.days.clip(lower=0).astype(float)
    checks["done"] = done
    checks["kept"] = done | pending
    checks["check_type"] = checks["check_type"].astype(str)

    def compute(sub: pd.DataFrame) -> dict:
        kept = sub.loc[sub["kept"]]
        km = _km_summary(kept["days"].to_numpy(), kept["done"].to_numpy(), horizons=(7, 14))
        return {"n_completed": int(kept["done"].sum()), "n_pending": int((~kept["done"]).sum()),
                "n_cancelled": int((~sub["kept"]).sum()),
                "median_days": km["median_days"], "median_conf_low": km["median_conf_low"],
                "median_conf_high": km["median_conf_high"], "within_7": km["within_7"],
                "within_14": km["within_14"], "n": len(kept)}

    return grouped(checks, as_by(by) + ["check_type"], compute)
