"""Who the pilot covered and how many checks of which kind were made: the council's
questions 1 and 2.

Check **outcomes** are criminal-offence data (GDPR art. 10) and are never read here: the
``outcome`` column is dropped before anything else is done.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .. import contract as C
from .common import period_label, vacancy_pilot_status

__all__ = ["COURT_CHECK_TYPES", "REGISTER_CHECK_TYPES", "PilotCoverage", "pilot_coverage"]

#: The deepened checks of the pilot.
COURT_CHECK_TYPES = tuple(C.PILOT_CHECK_TYPES)
#: The statutory police register extracts (required before the pilot in child-facing roles).
REGISTER_CHECK_TYPES = tuple(t for t in C.CHECK_TYPES if t.startswith("register_"))

_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, eq=False)
class PilotCoverage(Mapping):
    """The tables of :func:`pilot_coverage`; also a read-only mapping name → table
    (``result["rollout"]``, ``dict(result)``)."""

    rollout: pd.DataFrame
    checks_by_type: pd.DataFrame
    hires_checked: pd.DataFrame
    roles_covered: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names():
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def _last_date(*series: pd.Series) -> pd.Timestamp:
    values = [pd.to_datetime(s).max() for s in series if s is not None and len(s)]
    values = [v for v in values if pd.notna(v)]
    return max(values) if values else pd.NaT


def _str(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def pilot_coverage(
    vacancies: pd.DataFrame,
    applications: pd.DataFrame,
    background_checks: pd.DataFrame,
    pilot_rollout: pd.DataFrame,
    period: str = "quarter",
    cut_date: str | pd.Timestamp | None = None,
) -> PilotCoverage:
    """Which administrations, role groups and hires the pilot covered, and how many
    checks of which kind were made (no outcomes).

    Parameters
    ----------
    vacancies, applications, background_checks, pilot_rollout : DataFrame
        Processed tables (or the demo's tables).
    period : {"month", "quarter", "half", "year"}, default "quarter"
        Frequency of the roll-out ``cohort`` label (the period the row started in) and of
        the pilot phase's calendar (:func:`pilot_eval.measures.common.vacancy_pilot_status`).
    cut_date : str or Timestamp, optional
        The data cut date, up to which ``months_in_force`` is counted. Defaults to the
        last event date in the data (publication, submission, check request or
        completion).

    Returns
    -------
    PilotCoverage
        Four tidy tables (group columns first, ``n`` last where it applies):

        ``rollout``
            One row per roll-out row: ``administration``, ``role_group`` (``"all"`` =
            every role group), ``scope``, ``check_type``, ``start_date``, ``end_date``
            (NaT = open-ended), ``cohort`` (the period of ``start_date``),
            ``in_force_at_cut`` and ``months_in_force``: calendar months from
            ``start_date`` to ``end_date`` or the cut date, whichever comes first, both
            days included (days ÷ 30.44, one decimal; 0 if it starts after the cut).
        ``checks_by_type``
            ``administration`` (of the check's vacancy) × ``check_type`` × ``year`` (of
            ``requested_date``): ``n_checks``, ``n_completed``, ``n_pending``,
            ``n_cancelled`` (by the candidate or otherwise), ``n`` = ``n_checks``.
        ``hires_checked``
            ``administration`` × ``phase`` (before / during / after the pilot, by the
            vacancy's publication date; comparison administrations on the pilot's
            calendar): ``n_hires`` (applications with ``final_status == "hired"``),
            ``n_hires_with_court_check`` (hires with at least one ``court_records`` or
            ``court_and_credit`` check, whatever its status),
            ``share_hires_checked`` (= ``n_hires_with_court_check / n_hires``),
            ``n_hires_with_register_extract`` (hires with at least one police register
            extract, ``register_*``), ``share_hires_register_extract``, ``n`` =
            ``n_hires``.
        ``roles_covered``
            ``administration`` × ``role_group`` with at least one court check:
            ``n_court_records``, ``n_court_and_credit``, ``in_rollout`` (whether a
            roll-out row of any scope names the administration and the role group or
            ``"all"``; false flags checks made outside the roll-out), ``n`` = court checks.
    """
    checks = background_checks.drop(columns=["outcome"], errors="ignore")
    period_label(pd.Series([], dtype="datetime64[ns]"), period)  # validates period
    if cut_date is None:
        cut = _last_date(
            vacancies["published_date"],
            applications["submitted_date"],
            checks["requested_date"],
            checks.get("completed_date"),
        )
    else:
        cut = pd.Timestamp(cut_date)

    # --- roll-out
    r = pilot_rollout.copy()
    start = pd.to_datetime(r["start_date"])
    end = pd.to_datetime(r["end_date"])
    stop = end.where(end.notna() & (end <= cut), cut) if pd.notna(cut) else end
    days = (stop - start).dt.days + 1
    rollout = pd.DataFrame(
        {
            "administration": r["administration"].reset_index(drop=True),
            "role_group": r["role_group"].reset_index(drop=True),
            "scope": r["scope"].reset_index(drop=True),
            "check_type": r["check_type"].reset_index(drop=True),
            "start_date": start.to_numpy(),
            "end_date": end.to_numpy(),
            "cohort": period_label(start, period).to_numpy(),
            "in_force_at_cut": ((start <= cut) & (end.isna() | (end >= cut))).to_numpy(dtype=bool),
            "months_in_force": (days.clip(lower=0) / _DAYS_PER_MONTH).round(1).to_numpy(dtype="float64"),
        }
    )
    rollout = rollout.sort_values(["start_date", "administration", "role_group", "scope"], kind="stable").reset_index(
        drop=True
    )

    # --- checks with their vacancy (look-ups on the unique ids: fast, and a duplicate id
    # raises instead of silently multiplying rows)
    app = applications[["application_id", "vacancy_id", "final_status"]]
    vac = vacancies[["vacancy_id", "administration", "role_group", "published_date"]]
    vac_by_id = vac.set_index("vacancy_id")
    check_vacancy = app.set_index("application_id")["vacancy_id"].reindex(checks["application_id"].to_numpy())
    c = vac_by_id[["administration", "role_group"]].reindex(check_vacancy.to_numpy()).reset_index(drop=True)
    c.insert(0, "application_id", checks["application_id"].to_numpy())
    for col in ("check_type", "requested_date", "status"):
        c[col] = checks[col].reset_index(drop=True)
    ctype = _str(c["check_type"])
    cstatus = _str(c["status"])
    tally = pd.DataFrame(
        {
            "administration": c["administration"],
            "check_type": c["check_type"],
            "year": pd.to_datetime(c["requested_date"]).dt.year.astype("Int64"),
            "n_checks": 1,
            "n_completed": (cstatus == "completed").astype(np.int64),
            "n_pending": (cstatus == "pending").astype(np.int64),
            "n_cancelled": cstatus.isin(["cancelled_by_candidate", "cancelled_other"]).astype(np.int64),
        }
    )
    keys = ["administration", "check_type", "year"]
    checks_by_type = (
        tally.groupby(keys, observed=True, sort=True, dropna=False)[
            ["n_checks", "n_completed", "n_pending", "n_cancelled"]
        ]
        .sum()
        .reset_index()
    )
    checks_by_type["n"] = checks_by_type["n_checks"]

    # --- hires checked
    court_apps = pd.Index(c.loc[ctype.isin(COURT_CHECK_TYPES).to_numpy(), "application_id"].unique())
    register_apps = pd.Index(c.loc[ctype.isin(REGISTER_CHECK_TYPES).to_numpy(), "application_id"].unique())
    hired = app.loc[(_str(app["final_status"]) == "hired").to_numpy()]
    hires = vac_by_id.reindex(hired["vacancy_id"].to_numpy()).reset_index()
    hires["application_id"] = hired["application_id"].to_numpy()
    status = vacancy_pilot_status(hires, pilot_rollout, period)
    h = pd.DataFrame(
        {
            "administration": hires["administration"],
            "phase": status["phase"],
            "n_hires": 1,
            "n_hires_with_court_check": hires["application_id"].isin(court_apps).astype(np.int64),
            "n_hires_with_register_extract": hires["application_id"].isin(register_apps).astype(np.int64),
        }
    )
    hires_checked = (
        h.groupby(["administration", "phase"], observed=True, sort=True, dropna=False)[
            ["n_hires", "n_hires_with_court_check", "n_hires_with_register_extract"]
        ]
        .sum()
        .reset_index()
    )
    n_h = hires_checked["n_hires"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        hires_checked.insert(
            4,
            "share_hires_checked",
            np.where(n_h > 0, hires_checked["n_hires_with_court_check"] / np.maximum(n_h, 1), np.nan),
        )
        hires_checked["share_hires_register_extract"] = np.where(
            n_h > 0, hires_checked["n_hires_with_register_extract"] / np.maximum(n_h, 1), np.nan
        )
    hires_checked["n"] = hires_checked["n_hires"]

    # --- roles covered
    court = c.loc[ctype.isin(COURT_CHECK_TYPES).to_numpy()]
    ct = _str(court["check_type"])
    rc = pd.DataFrame(
        {
            "administration": court["administration"],
            "role_group": court["role_group"],
            "n_court_records": (ct == "court_records").astype(np.int64),
            "n_court_and_credit": (ct == "court_and_credit").astype(np.int64),
        }
    )
    roles_covered = (
        rc.groupby(["administration", "role_group"], observed=True, sort=True, dropna=False)[
            ["n_court_records", "n_court_and_credit"]
        ]
        .sum()
        .reset_index()
    )
    covered = {(str(a), str(g)) for a, g in zip(r["administration"], r["role_group"], strict=True)}
    roles_covered["in_rollout"] = [
        (str(a), str(g)) in covered or (str(a), C.ALL_ROLES) in covered
        for a, g in zip(roles_covered["administration"], roles_covered["role_group"], strict=True)
    ]
    roles_covered["n"] = roles_covered["n_court_records"] + roles_covered["n_court_and_credit"]

    return PilotCoverage(
        rollout=rollout,
        checks_by_type=checks_by_type.reset_index(drop=True),
        hires_checked=hires_checked.reset_index(drop=True),
        roles_covered=roles_covered.reset_index(drop=True),
    )
