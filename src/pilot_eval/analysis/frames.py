"""The analysis rows of every outcome the estimators take: one row per vacancy,
application or check, with its outcome ``y`` and the pilot columns.

Outcomes (name → unit of analysis, definition):

- ``filled_within_60`` / ``filled_within_90``: vacancies with 60 / 90 days of follow-up;
  1 if filled within 60 / 90 days.
- ``days_to_fill``: vacancies with :data:`FILL_HORIZON` (180) days of follow-up; the
  jackknife pseudo-value of the Kaplan–Meier restricted mean time to fill up to 180 days,
  computed within each administration × quarter × treatment cell, a vacancy closed without
  a hire (cancelled, unfilled, re-advertised) censored at its closure. The regression of
  these on the design estimates the difference-in-differences of restricted mean days
  from publication to acceptance (the time-to-fill headline; see :func:`days_to_fill_rows`).
- ``closed_without_hire``: the ``days_to_fill`` rows; 1 if the vacancy was cancelled, left
  unfilled or re-advertised within :data:`FILL_HORIZON` days. The selection check of
  ``days_to_fill``, which censors these vacancies: if the pilot changed which vacancies
  end without a hire, the restricted mean of the others compares different vacancies.
- ``days_unfilled_90``: vacancies with 90 days of follow-up; min(days to fill, 90), a
  cancelled or unfilled vacancy counting 90 — days vacant in the first 90 days (a capped
  measure: it mixes delay with not filling, and caps a delay at 90).
- ``late_withdrawal``: applications that reached interview and whose process has ended;
  1 if withdrawn at or after interview.
- ``applicants_per_vacancy`` / ``qualified_applicants_per_vacancy``: vacancies; the number
  of (qualified) applications.
- ``offer_acceptance``: decided offers (hired or declined); 1 if accepted.
- ``register_check_days``: completed police-register checks; requested → completed. (The
  court-record check only exists in the pilot, so its own turnaround has no comparison;
  it is described in ``measures.check_turnaround``.)

Every row carries ``administration``, ``period`` (of the vacancy's publication), ``arm``,
``phase``, ``child_facing``, the 0/1 treatment indicators ``during`` and ``after``, and the
schedule that applies to it (``role_group``, ``published_date``, ``pilot_start``,
``pilot_end``) for a staggered roll-out. Rows of applications (and checks) also carry the
applicant's ``gender`` and ``age_band`` (missing where not recorded).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .durations import COMPETING, FILLED, fill_durations
from .enrich import enrich_applications, enrich_vacancies
from .rmst import rmst_pseudo_values

__all__ = ["FILL_HORIZON", "OUTCOMES", "days_to_fill_rows", "outcome_data", "outcome_frames"]

#: The horizon (days) of the ``days_to_fill`` restricted mean: long enough that almost
#: every fill falls inside it (99.9 % of the demo's fills; a fill after it counts as
#: ``FILL_HORIZON`` days), short enough that the report's "after" phase (publications in
#: 2025, cut 2025-12-31) keeps its first half (vacancies need this many days of follow-up).
FILL_HORIZON = 180

OUTCOMES: dict[str, str] = {
    "days_to_fill": "vacancy",
    "closed_without_hire": "vacancy",
    "filled_within_60": "vacancy",
    "filled_within_90": "vacancy",
    "days_unfilled_90": "vacancy",
    "late_withdrawal": "application",
    "applicants_per_vacancy": "vacancy",
    "qualified_applicants_per_vacancy": "vacancy",
    "offer_acceptance": "application",
    "register_check_days": "check",
}

_DURATION_OUTCOMES = ("filled_within_60", "filled_within_90", "days_unfilled_90", "days_to_fill", "closed_without_hire")
_COLUMNS = [
    "y",
    "administration",
    "period",
    "arm",
    "phase",
    "child_facing",
    "during",
    "after",
    "role_group",
    "published_date",
    "pilot_start",
    "pilot_end",
    # application rows only (late withdrawal, offer acceptance, checks): who applied, for
    # the effects by group (pilot_eval.estimate.groups)
    "gender",
    "age_band",
]


def outcome_data(tables: dict[str, pd.DataFrame], outcome: str, cut_date, period: str = "quarter") -> pd.DataFrame:
    """The analysis rows of one outcome: columns ``y``, ``administration``, ``period``,
    ``arm``, ``phase``, ``child_facing`` (the vacancy needed a police extract already),
    ``during``, ``after`` (0/1), and ``role_group``, ``published_date``, ``pilot_start``,
    ``pilot_end`` (the schedule that applies to the row, for staggered roll-outs)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}")
    return outcome_frames(tables, cut_date, [outcome], period)[outcome]


def outcome_frames(
    tables: dict[str, pd.DataFrame], cut_date, outcomes: Sequence[str] | None = None, period: str = "quarter"
) -> dict[str, pd.DataFrame]:
    """:func:`outcome_data` of several outcomes at once: the vacancies (and applications)
    are joined to the roll-out once, not once per outcome. Returns outcome → rows."""
    outcomes = list(OUTCOMES if outcomes is None else outcomes)
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome {unknown[0]!r}; choose one of {', '.join(OUTCOMES)}")
    cut = pd.Timestamp(cut_date)
    vac_raw, roll = tables["vacancies"], tables["pilot_rollout"]
    vac = enrich_vacancies(vac_raw, roll, period)
    vac = vac.loc[vac["published_date"] <= cut]
    days = apps = None
    out: dict[str, pd.DataFrame] = {}
    for outcome in outcomes:
        if outcome in _DURATION_OUTCOMES:
            if days is None:
                dur = fill_durations(vac_raw, cut).loc[vac.index]
                days = dur["duration"].where(dur["event"] == FILLED, np.inf)
            if outcome == "days_to_fill":
                out[outcome] = _finish(days_to_fill_rows(vac, dur, cut))
                continue
            if outcome == "closed_without_hire":
                followed = vac["published_date"] <= cut - pd.Timedelta(days=FILL_HORIZON)
                rows = vac.loc[followed].copy()
                d = dur.loc[followed]
                rows["y"] = ((d["event"] == COMPETING) & (d["duration"] < FILL_HORIZON)).astype(float)
                out[outcome] = _finish(rows)
                continue
            horizon = 60 if outcome == "filled_within_60" else 90
            followed = vac["published_date"] <= cut - pd.Timedelta(days=horizon)
            rows = vac.loc[followed].copy()
            d = days.loc[followed]
            rows["y"] = np.minimum(d, 90.0) if outcome == "days_unfilled_90" else (d <= horizon).astype(float)
        elif outcome in ("applicants_per_vacancy", "qualified_applicants_per_vacancy"):
            applications = tables["applications"]
            if outcome == "qualified_applicants_per_vacancy":
                applications = applications.loc[applications["qualified"].astype(str) == "yes"]
            counts = applications.groupby("vacancy_id").size()
            rows = vac.copy()
            rows["y"] = rows["vacancy_id"].map(counts).fillna(0).astype(float)
        else:
            if apps is None:
                apps = enrich_applications(tables["applications"], vac_raw, roll, period)
                apps = apps.loc[apps["vacancy_id"].isin(vac["vacancy_id"])]
            if outcome in ("late_withdrawal", "offer_acceptance"):
                status = apps["final_status"].astype(str)
                if outcome == "late_withdrawal":
                    rows = apps.loc[(apps["highest_stage"] >= 2) & (status != "in_progress")].copy()
                    rows["y"] = (
                        (status.loc[rows.index] == "withdrawn") & (rows["withdrawn_stage"].fillna(-1) >= 2)
                    ).astype(float)
                else:
                    rows = apps.loc[status.isin(["hired", "declined_offer"])].copy()
                    rows["y"] = (status.loc[rows.index] == "hired").astype(float)
            else:  # register_check_days
                checks = tables["background_checks"]
                checks = checks.loc[
                    (checks["status"].astype(str) == "completed")
                    & checks["check_type"].astype(str).str.startswith("register_")
                ]
                rows = checks.merge(
                    apps.drop(columns=[c for c in ("status",) if c in apps.columns]), on="application_id", how="inner"
                )
                rows["y"] = (rows["completed_date"] - rows["requested_date"]).dt.days.astype(float)
        out[outcome] = _finish(rows)
    return out


def days_to_fill_rows(
    vacancies: pd.DataFrame, durations: pd.DataFrame, cut_date, horizon: float = FILL_HORIZON
) -> pd.DataFrame:
    """The ``days_to_fill`` rows: enriched vacancies (:func:`enrich_vacancies` with the
    roll-out) published at least ``horizon`` days before the cut, with ``y`` the jackknife
    pseudo-value of the Kaplan–Meier restricted mean time to fill up to ``horizon``
    (:func:`pilot_eval.analysis.rmst.rmst_pseudo_values`).

    Estimand: the difference-in-differences of the restricted mean days from publication
    to acceptance, ``E[min(T, H)]``, where ``T`` is the time to fill had the vacancy not
    been closed without a hire. Acceptance is the event; a vacancy cancelled, left
    unfilled or re-advertised is censored at its closing date (KM assumes it would have
    filled like the vacancies still open at that day in its cell); with ``horizon`` days
    of follow-up the cut censors no vacancy before ``H``. The KM curves are computed
    within **strata = administration × publication quarter × treatment (during, after)**,
    the regression's own cells, so censoring may differ freely between administrations,
    quarters and arms (pseudo-values are unbiased only when censoring does not depend on
    the regressors; Binder, Gerds & Andersen 2014). ``durations`` is
    :func:`pilot_eval.analysis.durations.fill_durations` of these vacancies."""
    cut = pd.Timestamp(cut_date)
    followed = vacancies["published_date"] <= cut - pd.Timedelta(days=horizon)
    rows = vacancies.loc[followed].copy()
    dur = durations.loc[rows.index]
    arm, phase = rows["arm"].astype(str), rows["phase"].astype(str)
    strata = (
        rows["administration"].astype(str)
        + "|"
        + rows["period"].astype(str)
        + "|"
        + np.where(arm == "pilot", phase, "comparison")
    )
    rows["y"] = rmst_pseudo_values(
        dur["duration"].to_numpy(dtype=float), (dur["event"] == FILLED).to_numpy(), horizon, strata.to_numpy()
    )
    return rows


def _finish(rows: pd.DataFrame) -> pd.DataFrame:
    arm, phase = rows["arm"].astype(str), rows["phase"].astype(str)
    rows = rows.assign(
        administration=rows["administration"].astype(str),
        period=rows["period"].astype(str),
        child_facing=(rows["statutory_check"].astype(str) != "none").astype(float),
        during=((arm == "pilot") & (phase == "during")).astype(float),
        after=((arm == "pilot") & (phase == "after")).astype(float),
    )
    if "role_group" in rows.columns:
        rows["role_group"] = rows["role_group"].astype(str)
    keep = [c for c in _COLUMNS if c in rows.columns]
    return rows[keep].reset_index(drop=True)
