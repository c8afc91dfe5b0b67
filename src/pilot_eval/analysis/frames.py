"""The analysis rows of every outcome the estimators take: one row per vacancy,
application or check, with its outcome ``y`` and the pilot columns.

Outcomes (name → unit of analysis, definition):

- ``filled_within_60`` / ``filled_within_90``: vacancies with 60 / 90 days of follow-up;
  1 if filled within 60 / 90 days.
- ``days_unfilled_90``: the same vacancies; min(days to fill, 90), a cancelled or unfilled
  vacancy counting 90 — the vacancy-level analogue of the restricted mean.
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

from .durations import FILLED, fill_durations
from .enrich import enrich_applications, enrich_vacancies

__all__ = ["OUTCOMES", "outcome_data", "outcome_frames"]

OUTCOMES: dict[str, str] = {
    "filled_within_60": "vacancy",
    "filled_within_90": "vacancy",
    "days_unfilled_90": "vacancy",
    "late_withdrawal": "application",
    "applicants_per_vacancy": "vacancy",
    "qualified_applicants_per_vacancy": "vacancy",
    "offer_acceptance": "application",
    "register_check_days": "check",
}

_DURATION_OUTCOMES = ("filled_within_60", "filled_within_90", "days_unfilled_90")
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
