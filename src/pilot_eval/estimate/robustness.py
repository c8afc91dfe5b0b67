"""Robustness of the headline: leave one administration out, and placebo pilots in time
(docs/estimation.md, "Leave-one-out and placebo pilots in time").

Both rerun the headline of :func:`~pilot_eval.estimate.effects.pilot_effects` — the same
estimator (fixed-effects difference-in-differences, or the imputation estimator under a
staggered roll-out) and the same randomization inference over every assignment, with
its test-inversion interval — on changed data. Only the randomization-inference row is
computed (no cluster-robust or bootstrap rows), which makes a rerun cost a few
milliseconds: :func:`headline_rows` uses the same building blocks as ``pilot_effects``
(``effects._placebo_estimates``, ``effects._ri_interval``) and
gives the same numbers on the same rows (tested).

* :func:`leave_one_out` drops each of the 8 administrations in turn. Dropping a pilot
  administration leaves 2 pilot of 7 administrations (C(7, 2) = 21 assignments, smallest
  p-value 1/21); dropping a comparison administration leaves 3 of 7 (35 assignments).
  An estimate that moves far when one administration goes says the headline rests on it.
* :func:`placebo_in_time` pretends the pilot started ``s`` months earlier (12 and 24 by
  default): every date of the roll-out table moves back by ``s`` months, and only
  vacancies published before the real start are analysed, so the real pilot cannot leak
  in. The fake pilot keeps the real schedule's length but is cut at the real start where
  it would overlap it (with the demo's 16-month pilot, a 12-month shift leaves 12 months
  "during" and no "after" rows; a 24-month shift keeps the whole fake pilot and 8 months
  after it). There was no pilot then, so the estimates should be near 0; a placebo effect
  as large as the headline says the comparison picks up something other than the pilot
  (trends that differ between the pilot and comparison administrations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from ..analysis.frames import outcome_frames
from ..analysis.window import DEFAULT_WINDOW, restrict_window
from .base import EstimateResult, tidy_frame
from .effects import (
    TERMS,
    RolloutDesign,
    _placebo_estimates,
    _ri_interval,
    rollout_design,
)
from .poisson import COUNT_OUTCOMES, poisson_effects

__all__ = ["headline_rows", "leave_one_out", "placebo_in_time", "real_pilot_start", "shift_rollout"]

_TIE_RTOL = 1e-9  # as inference._TIE_RTOL


def _assignment_effects(data: pd.DataFrame, rollout: RolloutDesign, extra: np.ndarray | None = None):
    """``(terms, assignments, actual, est)``: est[term] is (assignments, 1 + terms + extra)
    — the estimate under every assignment of the outcome, of each actual treatment column,
    and of each ``extra`` column (rows × k) taken as the outcome."""
    terms = [t for t in TERMS if data[t].sum() > 0]
    treated = frozenset(rollout.treated)
    units = sorted(data["administration"].astype(str).unique())
    assignments = [frozenset(a) for a in combinations(units, len(treated))]
    actual = assignments.index(treated)
    Y = data[["y", *terms]].to_numpy(dtype=float)
    if extra is not None:
        Y = np.column_stack([Y, extra])
    est, _ = _placebo_estimates(data, rollout, terms, assignments, Y)
    return terms, assignments, actual, est


def _p_two_sided(beta: np.ndarray, actual: int) -> float:
    """As :func:`~pilot_eval.estimate.inference.randomization_inference`."""
    a = abs(beta[actual])
    return float(np.mean(np.abs(beta) >= a - _TIE_RTOL * max(a, 1e-300)))


def headline_rows(
    data: pd.DataFrame,
    *,
    alpha: float = 0.05,
    rollout: RolloutDesign | None = None,
    outcome: str | None = None,
    interval: bool = True,
) -> list[dict]:
    """The headline (randomization-inference) rows of one outcome's analysis rows
    (:func:`~pilot_eval.analysis.frames.outcome_data`), as ``pilot_effects`` computes them
    (a count outcome of :data:`~pilot_eval.estimate.poisson.COUNT_OUTCOMES`, named by
    ``outcome``, as its Poisson ratio: ``scale`` "ratio", estimate = ratio − 1):
    per term present, ``term``, ``estimate``, ``conf_low``, ``conf_high`` (test
    inversion), ``p_value`` (two-sided, over every assignment), ``n``,
    ``n_assignments``, ``method``, ``inference``. A term whose estimate is undefined
    under some assignment gets NaN p-value and interval."""
    rollout = rollout or rollout_design(data)
    if not rollout.treated:
        return []
    if outcome in COUNT_OUTCOMES:
        found = poisson_effects(data, alpha=alpha, rollout=rollout, headline_only=True, interval=interval)
        return [r for r in found if r["inference"] == "randomization_inference"]
    terms, assignments, actual, est = _assignment_effects(data, rollout)
    method = "did_imputation_staggered" if rollout.staggered else "did_fixed_effects"
    rows = []
    for k, term in enumerate(terms):
        beta, c = est[term][:, 0], est[term][:, 1 + k]
        row = {
            "term": term,
            "estimate": float(beta[actual]),
            "n": len(data),
            "n_assignments": len(assignments),
            "method": method,
            "inference": "randomization_inference",
        }
        if np.all(np.isfinite(beta)):
            low, high = _ri_interval(beta, c, actual, alpha)
            row.update(p_value=_p_two_sided(beta, actual), conf_low=low, conf_high=high)
        rows.append(row)
    return rows


def _frames(tables, cut_date, outcomes, window, period, frames):
    given = dict(frames or {})
    missing = [o for o in outcomes if o not in given]
    if missing:
        given.update(outcome_frames(restrict_window(tables, window), cut_date, missing, period))
    return given


def _outcomes(outcome: str | Sequence[str]) -> list[str]:
    return [outcome] if isinstance(outcome, str) else list(outcome)


def leave_one_out(
    tables: dict[str, pd.DataFrame],
    cut_date,
    outcome: str | Sequence[str],
    *,
    window: tuple[str | None, str | None] | None = DEFAULT_WINDOW,
    period: str = "quarter",
    alpha: float = 0.05,
    frames: Mapping[str, pd.DataFrame] | None = None,
    intervals: bool = True,
) -> EstimateResult:
    """The headline effect with each administration left out in turn.

    Parameters
    ----------
    tables, cut_date, window, period, alpha
        As :func:`~pilot_eval.estimate.effects.pilot_effects`.
    outcome
        One outcome of :data:`~pilot_eval.estimate.effects.OUTCOMES` or several.
    frames
        The outcomes' analysis rows if already built (as ``pilot_effects``' ``frames``).
    intervals
        False: the count outcomes' (Poisson) rows without their randomization interval
        (NaN): its refits are most of the cost, and the report shows the estimates only.

    Returns
    -------
    EstimateResult
        ``tidy()``: one row per outcome × left-out administration × term (the full
        sample first, with ``dropped`` None): ``outcome``, ``dropped``, ``term``,
        ``estimate``, ``conf_low``, ``conf_high``, ``p_value``, ``n``, ``n_assignments``
        (21 when a pilot administration is left out, 35 for a comparison one),
        ``method``, ``inference`` ("randomization_inference") and ``dropped_arm``
        ("pilot" / "comparison"). See the module notes.
    """
    outcomes = _outcomes(outcome)
    frames = _frames(tables, cut_date, outcomes, window, period, frames)
    rows = []
    for name in outcomes:
        data = frames[name]
        admin = data["administration"].astype(str)
        pilot = set(admin.loc[data["arm"].astype(str) == "pilot"])
        for dropped in [None, *sorted(admin.unique())]:
            part = data if dropped is None else data.loc[admin != dropped].reset_index(drop=True)
            arm = None if dropped is None else ("pilot" if dropped in pilot else "comparison")
            for row in headline_rows(part, alpha=alpha, outcome=name, interval=intervals):
                rows.append({"outcome": name, "dropped": dropped, "dropped_arm": arm, **row})
    return EstimateResult(
        tidy_frame(rows, index_columns=["outcome", "dropped"]),
        details={"window": window, "alpha": alpha},
    )


def real_pilot_start(rollout: pd.DataFrame) -> pd.Timestamp:
    """The first start date of the pilot for new hires in the roll-out table."""
    rows = rollout.loc[rollout["scope"].astype(str) == "new_hires", "start_date"]
    if rows.dropna().empty:
        raise ValueError("the roll-out table has no start date for new hires")
    return pd.Timestamp(rows.min())


def shift_rollout(rollout: pd.DataFrame, months: int) -> pd.DataFrame:
    """The roll-out table with every start and end date ``months`` calendar months earlier
    (an open end stays open)."""
    offset = pd.DateOffset(months=int(months))
    out = rollout.copy()
    for col in ("start_date", "end_date"):
        out[col] = pd.to_datetime(out[col]) - offset
    return out


def placebo_in_time(
    tables: dict[str, pd.DataFrame],
    cut_date,
    outcome: str | Sequence[str],
    *,
    shifts_months: Sequence[int] = (12, 24),
    window: tuple[str | None, str | None] | None = DEFAULT_WINDOW,
    period: str = "quarter",
    alpha: float = 0.05,
) -> EstimateResult:
    """The headline estimator on fake pilots that started ``shifts_months`` months before
    the real one, on the vacancies published before the real start only.

    Returns
    -------
    EstimateResult
        ``tidy()``: one row per outcome × shift × term present: ``outcome``,
        ``shift_months``, ``term``, ``estimate``, ``conf_low``, ``conf_high``,
        ``p_value``, ``n``, ``n_assignments``, ``method``, ``inference``,
        ``placebo_start`` and ``placebo_end`` (the fake pilot's first start and last end
        as analysed, i.e. cut the day before the real start). A shift whose fake pilot
        has no "after" rows (its end falls after the real start) has no "after" row; a
        shift that leaves no rows before the fake start gives no rows. ``details``:
        ``real_start`` and ``window`` (the window analysed). See the module notes.
    """
    outcomes = _outcomes(outcome)
    rollout = tables["pilot_rollout"]
    start = real_pilot_start(rollout)
    last_day = start - pd.Timedelta(days=1)
    first, last = (None, None) if window is None else window
    last = last_day if last is None else min(pd.Timestamp(last), last_day)
    analysed = (first, last)
    base = restrict_window(tables, analysed)
    rows = []
    for shift in shifts_months:
        moved = shift_rollout(rollout, shift)
        fake = {**base, "pilot_rollout": moved}
        new_hires = moved.loc[moved["scope"].astype(str) == "new_hires"]
        fake_start = pd.Timestamp(new_hires["start_date"].min())
        fake_end = new_hires["end_date"].max() if new_hires["end_date"].notna().all() else pd.NaT
        fake_end = last if pd.isna(fake_end) else min(pd.Timestamp(fake_end), last)
        if fake_start > last:
            continue
        frames = outcome_frames(fake, cut_date, outcomes, period)
        for name in outcomes:
            data = frames[name]
            if not (data["phase"].astype(str) == "before").any():
                continue
            for row in headline_rows(data, alpha=alpha, outcome=name):
                rows.append(
                    {
                        "outcome": name,
                        "shift_months": int(shift),
                        **row,
                        "placebo_start": fake_start,
                        "placebo_end": fake_end,
                    }
                )
    return EstimateResult(
        tidy_frame(rows, index_columns=["outcome", "shift_months"]),
        details={"real_start": start, "window": analysed, "alpha": alpha},
    )
