"""The headline: effects of the pilot on each main outcome, during and after it.

Design (DESIGN.md §1, §6): 8 administrations, 3 in the pilot. Each outcome is analysed on
its own microdata (vacancies, applications or checks) with administration and calendar
period (quarter of publication) fixed effects::

    y_i = α_admin(i) + γ_period(i) + β_during · during_i + β_after · after_i + ε_i

where ``during_i`` marks units of pilot administrations published while the pilot was in
force and ``after_i`` those published after it ended (a pilot that ended is not absorbing;
the two effects are separate questions). Standard errors cluster by administration. With
one common start date this regression is the two-group difference-in-differences and has
none of the staggered-timing problems of two-way fixed effects; with staggered starts use
:func:`pilot_eval.estimate.did.staggered_did` for the during-effect.

Inference is shown three ways side by side, because with 3 treated of 8 clusters the
conventional one cannot be trusted (see ``docs/estimation.md`` for the simulation study):
conventional cluster-robust (CR1, t with G−1 df), the restricted wild cluster bootstrap
(Webb weights) and randomization inference over all 56 assignments of 3 of 8
administrations.

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
"""

from __future__ import annotations

from collections.abc import Sequence
import numpy as np
import pandas as pd

from ..measures.common import enrich_applications, enrich_vacancies
from ..measures.durations import FILLED, fill_durations
from .base import EstimateResult, tidy_frame

__all__ = ["OUTCOMES", "outcome_data", "did_estimate", "pilot_effects", "restrict_window", "ri_confidence_interval", "triple_difference", "event_study", "PANEL_OUTCOMES"]

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
TERMS = ("during", "after")


def outcome_data(tables: dict[str, pd.DataFrame], outcome: str, cut_date, period: str = "quarter") -> pd.DataFrame:
    """The analysis rows of one outcome: columns ``y``, ``administration``, ``period``,
    ``arm``, ``phase``, ``child_facing`` (the vacancy needed a police extract already),
    ``during``, ``after`` (0/1)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}")
    cut = pd.Timestamp(cut_date)
    vac_raw, roll = tables["vacancies"], tables["pilot_rollout"]
    vac = enrich_vacancies(vac_raw, roll, period)
    vac = vac.loc[vac["published_date"] <= cut]
    if outcome in ("filled_within_60", "filled_within_90", "days_unfilled_90"):
        horizon = 60 if outcome == "filled_within_60" else 90
        dur = fill_durations(vac_raw, cut).loc[vac.index]
        followed = vac["published_date"] <= cut - pd.Timedelta(days=horizon)
        days = dur["duration"].where(dur["event"] == FILLED, np.inf)
        rows = vac.loc[followed].copy()
        days = days.loc[followed]
        rows["y"] = np.minimum(days, 90.0) if outcome == "days_unfilled_90" else (days <= horizon).astype(float)
    elif outcome in ("applicants_per_vacancy", "qualified_applicants_per_vacancy"):
        apps = tables["applications"]
        if outcome == "qualified_applicants_per_vacancy":
            apps = apps.loc[apps["qualified"].astype(str) == "yes"]
        counts = apps.groupby("vacancy_id").size()
        rows = vac.copy()
        rows["y"] = rows["vacancy_id"].map(counts).fillna(0).astype(float)
    elif outcome in ("late_withdrawal", "offer_acceptance"):
        apps = enrich_applications(tables["applications"], vac_raw, roll, period)
        apps = apps.loc[apps["vacancy_id"].isin(vac["vacancy_id"])]
        status = apps["final_status"].astype(str)
        if outcome == "late_withdrawal":
            rows = apps.loc[(apps["highest_stage"] >= 2) & (status != "in_progress")].copy()
            rows["y"] = ((status.loc[rows.index] == "withdrawn")
                         & (rows["withdrawn_stage"].fillna(-1) >= 2)).astype(float)
        else:
            rows = apps.loc[status.isin(["hired", "declined_offer"])].copy()
            rows["y"] = (status.loc[rows.index] == "hired").astype(float)
    else:  # register_check_days
        apps = enrich_applications(tables["applications"], vac_raw, roll, period)
        apps = apps.loc[apps["vacancy_id"].isin(vac["vacancy_id"])]
        checks = tables["background_checks"]
        checks = checks.loc[(checks["status"].astype(str) == "completed")
                            & checks["check_type"].astype(str).str.startswith("register_")]
        rows = checks.merge(apps.drop(columns=[c for c in ("status",) if c in apps.columns]),
                            on="application_id", how="inner")
        rows["y"] = (rows["completed_date"] - rows["requested_date"]).dt.days.astype(float)
    rows = rows.assign(
        administration=rows["administration"].astype(str),
        period=rows["period"].astype(str),
        child_facing=(rows["statutory_check"].astype(str) != "none").astype(float),
        during=((rows["arm"].astype(str) == "pilot") & (rows["phase"].astype(str) == "during")).astype(float),
        after=((rows["arm"].astype(str) == "pilot") & (rows["phase"].astype(str) == "after")).astype(float),
    )
    keep = ["y", "administration", "period", "arm", "phase", "child_facing", "during", "after"]
    return rows[keep].reset_index(drop=True)


class _Projector:
    """Partial out fixed effects once (Frisch–Waugh–Lovell), so that refitting the
    treatment terms for each of the 56 assignments costs a few vector products."""

    def __init__(self, data: pd.DataFrame, fixed_effects: Sequence[str]):
        cols = [np.ones(len(data))]
        for f in fixed_effects:
            cols.extend(pd.get_dummies(data[f], drop_first=True, dtype=float).to_numpy().T)
        q, r = np.linalg.qr(np.column_stack(cols))
        keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(np.diag(r)).max())
        self.q = q[:, keep]

    def residual(self, x: np.ndarray) -> np.ndarray:
        return x - self.q @ (self.q.T @ x)


def did_estimate(data: pd.DataFrame, terms: Sequence[str] = TERMS,
                 fixed_effects: Sequence[str] = ("administration", "period"), *,
                 projector: _Projector | None = None) -> dict[str, float]:
    """OLS point estimates of ``terms`` with fixed effects, by partialling the fixed
    effects out (fast enough to refit for all 56 assignments; equals statsmodels' OLS with
    ``C()`` dummies, tested). Terms that are all zero give NaN."""
    present = [t for t in terms if data[t].abs().sum() > 0]
    out = {t: float("nan") for t in terms}
    if not present:
        return out
    proj = projector or _Projector(data, fixed_effects)
    X = proj.residual(data[present].to_numpy(dtype=float))
    y = proj.residual(data["y"].to_numpy(dtype=float))
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    out.update({t: float(b) for t, b in zip(present, beta)})
    return out


def _reassign(data: pd.DataFrame, treated: frozenset) -> pd.DataFrame:
    """The data as if ``treated`` had been the pilot administrations (same calendar)."""
    pilot = data["administration"].isin(treated)
    phase = data["phase"].astype(str)
    return data.assign(during=(pilot & (phase == "during")).astype(float),
                       after=(pilot & (phase == "after")).astype(float))


def _assignment_estimates(data: pd.DataFrame, terms: Sequence[str], fixed_effects: Sequence[str],
                          assignments: Sequence[frozenset], outcome: str = "y",
                          projector: _Projector | None = None) -> np.ndarray:
    """``did_estimate(_reassign(data, A), terms, ...)`` for every assignment A at once.

    Under assignment A the treatment column of term t is Σ_{u∈A} 1[unit u, phase t], and
    partialling out the fixed effects is linear, so the residualised base columns
    1[unit u, phase t] (one per unit and term) are computed once; every assignment's normal
    equations are then sums of entries of their cross-products: no copy of the data per
    assignment, no refit. Same numbers as the one-by-one loop (tested). Returns an array of
    shape (len(assignments), len(terms)); a term that is all zero under an assignment is NaN.
    """
    proj = projector or _Projector(data, fixed_effects)
    y = proj.residual(data[outcome].to_numpy(dtype=float))
    units_col = data["administration"].astype(str).to_numpy()
    phase = data["phase"].astype(str).to_numpy()
    units = sorted(set(units_col))
    p = len(terms)
    base = np.column_stack([(units_col == u) & (phase == t) for u in units for t in terms]).astype(float)
    counts = base.sum(axis=0)
    B = proj.residual(base)
    G, b = B.T @ B, B.T @ y
    out = np.full((len(assignments), p), np.nan)
    for i, a in enumerate(assignments):
        S = np.zeros((len(units) * p, p))
        for u in a:
            k = units.index(str(u))
            S[k * p:(k + 1) * p, :] = np.eye(p)
        present = (counts @ S) > 0
        if present.any():
            Sp = S[:, present]
            beta, *_ = np.linalg.lstsq(Sp.T @ G @ Sp, Sp.T @ b, rcond=None)
            out[i, present] = beta
    return out


def ri_confidence_interval(data: pd.DataFrame, term: str, terms: Sequence[str], fixed_effects: Sequence[str],
                           reassign, alpha: float = 0.05) -> tuple[float, float]:
    """Confidence interval of ``term`` by inverting the randomization test.

    Under a constant additive effect τ of ``term`` on the actually treated units, the
    outcome without it is ``y − τ·term``; OLS is linear in y, so assignment A estimates
    β_A − τ·c_A, where c_A is the same estimator applied to the actual ``term`` column as
    outcome (c = 1 for the actual assignment). The interval is every τ whose two-sided
    randomization p-value exceeds ``alpha``. It may be unbounded (±inf): with 3 treated
    of 8 clusters some effects cannot be told apart from placebo assignments at any size,
    and the interval says so. Other terms are held as estimated (not shifted).
    """
    from itertools import combinations

    units = sorted(data["administration"].unique())
    treated = frozenset(data.loc[data[term] == 1, "administration"].unique())
    assignments = [frozenset(c) for c in combinations(units, len(treated))]
    proj = _Projector(data, fixed_effects)
    as_outcome = data.assign(y=data[term])
    if reassign is _reassign:                                  # the usual case: all assignments at once
        k = list(terms).index(term)
        beta = _assignment_estimates(data, terms, fixed_effects, assignments, projector=proj)[:, k]
        c = _assignment_estimates(as_outcome, terms, fixed_effects, assignments, projector=proj)[:, k]
    else:
        beta = np.array([did_estimate(reassign(data, a), terms, fixed_effects, projector=proj)[term]
                         for a in assignments])
        c = np.array([did_estimate(reassign(as_outcome, a), terms, fixed_effects, projector=proj)[term]
                      for a in assignments])
    actual = assignments.index(treated)

    def p_value(tau: float) -> float:
        stats = np.abs(beta - tau * c)
        return float((stats >= stats[actual] - 1e-12 * max(1.0, abs(stats[actual]))).mean())

    est = beta[actual]
    spread = max(np.ptp(beta), abs(est), 1e-9)

    def bound(direction: int) -> float:
        inside, step = est, spread
        outside = None
        for _ in range(40):  # expand until rejected
            trial = inside + direction * step
            if p_value(trial) <= alpha:
                outside = trial
                break
            inside, step = trial, step * 2
        if outside is None:
            return direction * np.inf
        for _ in range(60):  # bisect the crossing
            mid = (inside + outside) / 2
            if p_value(mid) > alpha:
                inside = mid
            else:
                outside = mid
        return float(inside)

    return bound(-1), bound(+1)


def _formula(terms: Sequence[str], fixed_effects: Sequence[str]) -> str:
    return "y ~ " + " + ".join([*terms, *[f"C({f})" for f in fixed_effects]])


def _inference_rows(data: pd.DataFrame, term: str, terms: Sequence[str], fixed_effects: Sequence[str],
                    method: str, reps: int, seed: int | None, alpha: float,
                    randomization: dict | None = None) -> list[dict]:
    """The three inference rows of one term; the randomization-inference result is also put
    into ``randomization[term]`` when a dict is given (for the permutation chart)."""
    from .inference import cluster_robust, randomization_inference, wild_cluster_bootstrap

    formula = _formula(terms, fixed_effects)
    n = len(data)
    rows = []
    conv = cluster_robust(data, formula, cluster="administration", term=term)
    rows.append({**conv.tidy().iloc[0].to_dict(), "term": term, "n": n, "method": method})
    wcb = wild_cluster_bootstrap(data, formula, cluster="administration", term=term, weights="webb", reps=reps,
                                 seed=seed, alpha=alpha)
    rows.append({**wcb.tidy().iloc[0].to_dict(), "term": term, "n": n, "method": method})
    treated = frozenset(data.loc[data["arm"].astype(str) == "pilot", "administration"].unique())
    from itertools import combinations

    assignments = [frozenset(a) for a in combinations(sorted(data["administration"].unique()), len(treated))]
    estimates = _assignment_estimates(data, terms, fixed_effects, assignments)[:, list(terms).index(term)]
    by_assignment = dict(zip(assignments, estimates))
    ri = randomization_inference(data, lambda d, assigned: by_assignment[frozenset(assigned)],
                                 unit="administration", treated=treated, alpha=alpha)
    if randomization is not None:
        randomization[term] = ri
    low, high = ri_confidence_interval(data, term, terms, fixed_effects, _reassign, alpha)
    rows.append({**ri.tidy().iloc[0].to_dict(), "term": term, "n": n, "method": method,
                 "conf_low": low, "conf_high": high})
    return rows


def pilot_effects(tables: dict[str, pd.DataFrame], cut_date, *, outcomes: Sequence[str] | None = None,
                  window: tuple[str | None, str | None] | None = None, period: str = "quarter",
                  reps: int = 9999, seed: int | None = 2023, alpha: float = 0.05) -> EstimateResult:
    """The headline table: for each outcome, the effect during and after the pilot, with
    every inference method side by side and the headline one marked.

    Parameters
    ----------
    tables
        Processed tables (``load_processed``), including ``pilot_rollout``.
    cut_date
        The data cut date.
    outcomes
        Names from :data:`OUTCOMES` (default all).
    window
        ``(first, last)`` publication dates to analyse (default: all up to the cut date;
        DESIGN.md §1: the default analysis window ends 2026-02-28, before the law change).
    reps, seed
        Wild bootstrap draws and seed.

    Returns
    -------
    EstimateResult
        ``tidy()`` has columns outcome, term (during / after), the tidy columns and
        ``headline`` (True on the row of the headline inference). ``details["randomization"]
        [outcome][term]`` holds each randomization-inference result (its distribution over
        the 56 assignments, for :func:`pilot_eval.report.plots.permutation_plot`).
    """
    outcomes = list(outcomes or OUTCOMES)
    rows = []
    randomization: dict[str, dict] = {}
    for outcome in outcomes:
        data = outcome_data(restrict_window(tables, window), outcome, cut_date, period)
        for term in TERMS:
            if data[term].sum() == 0:
                continue
            terms = [t for t in TERMS if data[t].sum() > 0]
            for row in _inference_rows(data, term, terms, ("administration", "period"), "did_fixed_effects",
                                       reps, seed, alpha, randomization.setdefault(outcome, {})):
                rows.append({"outcome": outcome, **row})
    table = tidy_frame(rows, index_columns=["outcome"])
    table["headline"] = table["inference"].astype(str) == HEADLINE_INFERENCE
    return EstimateResult(table, details={"headline_inference": HEADLINE_INFERENCE,
                                          "why": HEADLINE_REASON, "randomization": randomization})


def restrict_window(tables: dict[str, pd.DataFrame], window: tuple | None) -> dict[str, pd.DataFrame]:
    """The tables with only vacancies published within ``window`` = (first, last)
    (either may be None); applications and checks follow their vacancy."""
    if window is None:
        return tables
    first, last = window
    published = tables["vacancies"]["published_date"]
    keep = pd.Series(True, index=published.index)
    if first is not None:
        keep &= published >= pd.Timestamp(first)
    if last is not None:
        keep &= published <= pd.Timestamp(last)
    return {**tables, "vacancies": tables["vacancies"].loc[keep]}


def triple_difference(tables: dict[str, pd.DataFrame], outcome: str, cut_date, *, period: str = "quarter",
                      reps: int = 9999, seed: int | None = 2023, alpha: float = 0.05) -> EstimateResult:
    """Triple difference for child-facing roles that already needed a police extract.

    In child-facing roles the pilot's contrast is "extract" vs "extract + deepened check";
    elsewhere "nothing" vs "deepened check". The model::

        y = FE(admin × child) + FE(period × child)
            + β_dd · during + β_ddd · during · child + (the same for after) + ε

    (child = the vacancy has a statutory police-extract requirement). Administration and
    period effects are separate for child-facing and other roles; no administration ×
    period effects, which would absorb ``during`` itself (it is constant within an
    administration and period).
    Rows: ``during_other`` (effect in other roles), ``during_child_minus_other`` (β_ddd:
    how much the effect differs where an extract was already required), likewise for
    after. Inference as in :func:`pilot_effects`.
    """
    data = outcome_data(tables, outcome, cut_date, period)
    data = data.assign(
        admin_child=data["administration"] + "_" + data["child_facing"].astype(int).astype(str),
        period_child=data["period"] + "_" + data["child_facing"].astype(int).astype(str),
        during_child=data["during"] * data["child_facing"],
        after_child=data["after"] * data["child_facing"],
    )
    terms = [t for t in ("during", "during_child", "after", "after_child") if data[t].sum() > 0]
    fixed = ("admin_child", "period_child")
    rows = []
    names = {"during": "during_other", "during_child": "during_child_minus_other",
             "after": "after_other", "after_child": "after_child_minus_other"}

    def reassigned(d: pd.DataFrame, assigned: frozenset) -> pd.DataFrame:
        d = _reassign(d, assigned)
        return d.assign(during_child=d["during"] * d["child_facing"], after_child=d["after"] * d["child_facing"])

    from .inference import cluster_robust, randomization_inference, wild_cluster_bootstrap

    formula = _formula(terms, fixed)
    treated = frozenset(data.loc[data["arm"].astype(str) == "pilot", "administration"].unique())
    notes = []
    # every placebo assignment refitted once for all terms (not once per term)
    from itertools import combinations

    proj = _Projector(data, fixed)
    placebo = {frozenset(a): did_estimate(reassigned(data, frozenset(a)), terms, fixed, projector=proj)
               for a in combinations(sorted(data["administration"].unique()), len(treated))}
    for term in terms:
        results = [cluster_robust(data, formula, cluster="administration", term=term),
                   wild_cluster_bootstrap(data, formula, cluster="administration", term=term, weights="webb",
                                          reps=reps, seed=seed, alpha=alpha)]
        try:
            results.append(randomization_inference(
                data, lambda d, a, term=term: placebo[frozenset(a)][term],
                unit="administration", treated=treated, alpha=alpha))
        except ValueError:
            # some placebo sets have no child-facing roles, so the term is not identified
            # for them: an exact randomization test over all 56 sets does not exist here
            notes.append(f"{names[term]}: no randomization inference (not identified for every assignment)")
        for res in results:
            rows.append({**res.tidy().iloc[0].to_dict(), "term": names[term], "n": len(data),
                         "method": "triple_difference", "outcome": outcome})
    table = tidy_frame(rows, index_columns=["outcome"])
    return EstimateResult(table, details={"notes": notes})


HEADLINE_INFERENCE = "randomization_inference"
HEADLINE_REASON = (
    "With 3 treated of 8 administrations, conventional cluster-robust standard errors "
    "over-reject badly, and the wild cluster bootstrap is unreliable when so few clusters are "
    "treated (MacKinnon & Webb 2017). Randomization inference over all 56 possible "
    "assignments is exact by construction under the sharp null of no effect: its p-value "
    "cannot be smaller than 1/56. See docs/estimation.md for the simulation study."
)


PANEL_OUTCOMES = {
    "filled_within_90": "filled_within_90",
    "days_unfilled_90": "days_unfilled_90",
    "late_withdrawal": "late_withdrawal_rate",
    "applicants_per_vacancy": "applicants_per_vacancy",
    "qualified_applicants_per_vacancy": "qualified_per_vacancy",
    "offer_acceptance": "acceptance_rate",
}


def event_study(tables: dict[str, pd.DataFrame], outcome: str, cut_date, *, period: str = "quarter",
                control: str = "never_treated") -> EstimateResult:
    """Event study with pre-periods for one outcome (DESIGN.md §6: part of every effect).

    Callaway & Sant'Anna group-time effects on the administration × period panel
    (:func:`pilot_eval.measures.build_panel`), aggregated by event time (periods since the
    pilot started; negative = before). Only periods up to the end of the pilot are used,
    so that treatment is absorbing as the estimator assumes; the after-pilot question is
    answered by :func:`pilot_effects`.

    With one administration per cohort the analytic standard errors leave out the treated
    administration's own noise (see :func:`pilot_eval.estimate.did.staggered_did`), so
    the intervals here are for the picture's shape; the tested numbers are the
    randomization-inference ones of :func:`pilot_effects`. ``tidy()`` carries
    ``inference`` = "analytic_if (indicative: single-cluster cohorts)". Empty cells
    (a unit with no vacancy in a period) are dropped.
    """
    from ..measures.panel import build_panel
    from .did import staggered_did

    if outcome not in PANEL_OUTCOMES:
        raise ValueError(f"no panel outcome for {outcome!r}; choose one of {', '.join(PANEL_OUTCOMES)}")
    panel = build_panel(tables, cut_date, period=period, unit=("administration",))
    rollout = tables["pilot_rollout"]
    ends = rollout.loc[rollout["scope"].astype(str) == "new_hires", "end_date"]
    if len(ends) and ends.notna().all():
        panel = panel.loc[panel["period_start"] <= ends.max()]
    column = PANEL_OUTCOMES[outcome]
    panel = panel.loc[panel[column].notna()].copy()
    panel["cohort_index"] = panel["cohort_index"].clip(lower=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the single-cluster warning is stated in the docstring and the table
        result = staggered_did(panel, column, unit="administration", time="period_index", cohort="cohort_index",
                               control=control)
    table = result.aggregate("event")
    table["inference"] = "analytic_if (indicative: single-cluster cohorts)"
    table.insert(0, "outcome", outcome)
    return EstimateResult(table, details={"pretrend_p_value": result.pretrend_p_value, "did": result,
                                          "periods": sorted(panel["period"].unique())})
