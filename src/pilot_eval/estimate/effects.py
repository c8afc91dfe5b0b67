"""The headline: effects of the pilot on each main outcome, during and after it.

Design (docs/estimation.md): 8 administrations, 3 in the pilot. Each outcome is analysed on
its own microdata (vacancies, applications or checks) with administration and calendar
period (quarter of publication) fixed effects. ``during_i`` marks units of pilot
administrations published while the pilot was in force and ``after_i`` those published
after it ended (a pilot that ended is not absorbing; the two effects are separate
questions). Standard errors cluster by administration.

Which estimator depends on the roll-out (:func:`rollout_design`):

* **One common start and end date** for every pilot administration (the default roll-out):
  the fixed-effects difference-in-differences ::

      y_i = α_admin(i) + γ_period(i) + β_during · during_i + β_after · after_i + ε_i

  With a single treatment date this is the two-group comparison and has none of the
  staggered-timing problems of two-way fixed effects (every treated unit switches at the
  same moment, so no already-treated unit ever serves as a control).

* **Staggered roll-out** (several start or end dates among the pilot administrations, or
  a pilot confined to some role groups): the naive regression above would be the two-way
  fixed effects estimator, never the headline (already-treated administrations would act as
  controls for later ones; docs/estimation.md). The headline then uses the
  **imputation estimator** (Borusyak, Jaravel & Spiess 2024; equivalently Wooldridge's
  2021 extended TWFE with every treated administration × quarter cell saturated):
  administration and quarter effects are fitted on the untreated rows only (comparison
  administrations, and pilot administrations before their own start), each treated row's
  untreated outcome is imputed as ``α̂_admin + γ̂_period``, and the effect is the mean of
  ``y − ŷ(0)`` over the treated rows of the phase — the average effect on the treated
  vacancies (applications, checks), each administration and quarter weighted by its
  number of rows (cohort size × exposure). It is robust to effects that differ between
  cohorts and over time. It equals OLS of ``y`` on administration and quarter dummies
  plus one dummy per treated administration × quarter × phase cell, aggregated with
  those weights (tested); that regression, re-parametrised so that the aggregate is one
  coefficient, gives the conventional and wild-bootstrap rows.

Inference is shown three ways side by side, because with 3 treated of 8 clusters the
conventional one cannot be trusted (see ``docs/estimation.md`` for the simulation study):
conventional cluster-robust (CR1, t with G−1 df), the restricted wild cluster bootstrap
(Webb weights) and randomization inference over all 56 assignments of 3 of 8
administrations (the headline). Under a staggered roll-out every placebo assignment gets
the actual administrations' schedules (start and end dates, role groups covered): the
administrations of a placebo set and the actual pilot administrations are each ranked
by their number of analysis rows published before the pilot's first start (largest
first, ties by code), and the placebo administration of rank *k* in its set takes the
schedule of the pilot administration of rank *k* (so UBF's date goes to the largest
placebo administration). For the actual assignment this is the actual roll-out; the rule
uses pre-pilot volumes only, so it is fixed before any outcome is seen. With one
administration per start date the cluster-robust and bootstrap rows cannot see the
treated administrations' own shocks (each is absorbed by its cells): they are shown, but
are anti-conservative there; randomization inference is valid under the sharp null
whatever the estimator.

The outcomes and their analysis rows (:data:`OUTCOMES`, :func:`outcome_data`) are
analysis data: :mod:`pilot_eval.analysis.frames` defines them, re-exported here.

The count outcomes (applicants and qualified applicants per vacancy,
:data:`pilot_eval.estimate.poisson.COUNT_OUTCOMES`) are estimated on the log scale instead:
Poisson (PPML) with the same fixed effects and terms, or the Poisson imputation estimator
under a staggered roll-out, reported as ratios − 1 with the same three inferences
(:mod:`pilot_eval.estimate.poisson`); ``count_model="linear"`` keeps the levels regression.

References
----------
Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. *Review of Economic Studies* 91(6), 3253-3285.
Wooldridge, J. M. (2021). Two-way fixed effects, the two-way Mundlak regression, and
difference-in-differences estimators. Working paper, SSRN 3906345.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from ..analysis.frames import OUTCOMES, outcome_data, outcome_frames
from ..analysis.panel import build_panel
from ..analysis.window import DEFAULT_WINDOW, restrict_window
from .base import EstimateResult, tidy_frame

__all__ = [
    "DEFAULT_WINDOW",
    "OUTCOMES",
    "PANEL_OUTCOMES",
    "FAMILY_TERMS",
    "PRIMARY_OUTCOMES",
    "did_estimate",
    "event_study",
    "imputation_estimate",
    "outcome_data",
    "outcome_frames",
    "pilot_effects",
    "restrict_window",
    "ri_confidence_interval",
    "rollout_design",
    "triple_difference",
]

TERMS = ("during", "after")
FIXED_EFFECTS = ("administration", "period")

#: The one pre-specified primary outcome of each question (docs/estimation.md, "Primary
#: outcomes"). The report's headline family for family-wise p-values is these
#: outcomes × :data:`FAMILY_TERMS` (:data:`pilot_eval.estimate.multiplicity.REPORT_FAMILY`).
PRIMARY_OUTCOMES: dict[str, str] = {
    "time_to_fill": "days_to_fill",
    "withdrawal": "late_withdrawal",
    "competence_supply": "qualified_applicants_per_vacancy",
}
#: The terms of the headline family: the effect during the pilot, on which the summary's
#: verdicts are drawn. The "after" effects are shown with their own p-values, as secondary
#: questions: with them in the family (6 hypotheses over 56 assignments) the three null
#: "after" terms are most extreme under assignments of their own, so no family-wise p-value
#: could fall below 3/56 + 1/56 and the verdicts could never say "tydlig" (docs/estimation.md).
FAMILY_TERMS = ("during",)

# --------------------------------------------------------------------------- the common-date estimator


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


def did_estimate(
    data: pd.DataFrame,
    terms: Sequence[str] = TERMS,
    fixed_effects: Sequence[str] = FIXED_EFFECTS,
    *,
    projector: _Projector | None = None,
) -> dict[str, float]:
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
    out.update({t: float(b) for t, b in zip(present, beta, strict=True)})
    return out


def _reassign(data: pd.DataFrame, treated: frozenset) -> pd.DataFrame:
    """The data as if ``treated`` had been the pilot administrations (same calendar)."""
    pilot = data["administration"].isin(treated)
    phase = data["phase"].astype(str)
    return data.assign(
        during=(pilot & (phase == "during")).astype(float), after=(pilot & (phase == "after")).astype(float)
    )


def _assignment_estimates(
    data: pd.DataFrame,
    terms: Sequence[str],
    fixed_effects: Sequence[str],
    assignments: Sequence[frozenset],
    outcome: str | Sequence[str] = "y",
    projector: _Projector | None = None,
    term_rows: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """``did_estimate(_reassign(data, A), terms, ...)`` for every assignment A at once.

    Under assignment A the treatment column of term t is Σ_{u∈A} 1[unit u, phase t], and
    partialling out the fixed effects is linear, so the residualised base columns
    1[unit u, phase t] (one per unit and term) are computed once; every assignment's normal
    equations are then sums of entries of their cross-products: no copy of the data per
    assignment, no refit. Same numbers as the one-by-one loop (tested). Returns an array of
    shape (len(assignments), len(terms)); a term that is all zero under an assignment is NaN.
    With a list of outcome columns, the shape is (assignments, terms, outcomes): several
    outcomes share the residualised base columns. ``term_rows`` (term → boolean row mask)
    replaces the default "phase == term" for terms that are the treatment on a subset of
    rows (the triple difference's ``during_child``: during and child-facing).
    """
    proj = projector or _Projector(data, fixed_effects)
    names = [outcome] if isinstance(outcome, str) else list(outcome)
    Y = proj.residual(data[names].to_numpy(dtype=float))
    units_col = data["administration"].astype(str).to_numpy()
    phase = data["phase"].astype(str).to_numpy()
    rows = {t: (term_rows or {}).get(t, phase == t) for t in terms}
    units = sorted(set(units_col))
    p = len(terms)
    base = np.column_stack([(units_col == u) & rows[t] for u in units for t in terms]).astype(float)
    counts = base.sum(axis=0)
    B = proj.residual(base)
    G, b = B.T @ B, B.T @ Y
    out = np.full((len(assignments), p, len(names)), np.nan)
    for i, a in enumerate(assignments):
        S = np.zeros((len(units) * p, p))
        for u in a:
            k = units.index(str(u))
            S[k * p : (k + 1) * p, :] = np.eye(p)
        present = (counts @ S) > 0
        if present.any():
            Sp = S[:, present]
            beta, *_ = np.linalg.lstsq(Sp.T @ G @ Sp, Sp.T @ b, rcond=None)
            out[i, present, :] = beta
    return out[:, :, 0] if isinstance(outcome, str) else out


# --------------------------------------------------------------------------- roll-out and schedules


@dataclass
class RolloutDesign:
    """The pilot's roll-out as the analysis rows show it (see :func:`rollout_design`).

    ``treated``: the pilot administrations, ranked (largest pre-pilot volume first);
    ``ranking``: every administration so ranked; ``schedules``: administration → {role
    group (None = every role) → (start, end or NaT)}; ``staggered``: True when the
    pilot administrations do not share one schedule covering all their rows; ``reason``:
    why, in words; ``first_start``: the earliest start date.
    """

    treated: list[str]
    ranking: list[str]
    schedules: dict[str, dict]
    staggered: bool
    reason: str
    first_start: pd.Timestamp | None = None
    pre_rows: dict[str, int] = field(default_factory=dict)

    def donors(self, assignment) -> list[tuple[str, str]]:
        """(placebo administration, the pilot administration whose schedule it takes),
        pairing the two rankings (see the module notes)."""
        placebo = sorted(assignment, key=self.ranking.index)
        return list(zip(placebo, self.treated, strict=True))


def _dates(values: pd.Series) -> pd.Series:
    """Dates as datetime64 (no conversion when they are already)."""
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def _key(value) -> str:
    return "open" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def rollout_design(data: pd.DataFrame) -> RolloutDesign:
    """The roll-out of the analysis rows of one outcome (:func:`outcome_data`): which
    administrations are in the pilot, with which start and end dates (per role group
    when the roll-out table names role groups), whether the roll-out is staggered, and the
    ranking that pairs placebo administrations with pilot schedules for randomization
    inference (rows published before the first start, most first; ties by code)."""
    admin = data["administration"].astype(str)
    pilot = data["arm"].astype(str) == "pilot"
    treated = sorted(admin.loc[pilot].unique())
    if not treated:
        return RolloutDesign([], sorted(admin.unique()), {}, False, "no pilot administration in the data")
    starts = _dates(data.loc[pilot, "pilot_start"]) if "pilot_start" in data else None
    if starts is None:  # rows without schedule columns: one calendar, as the phase column says
        return RolloutDesign(treated, sorted(admin.unique()), {}, False, "no schedule columns")
    first = starts.min()
    published = _dates(data["published_date"])
    pre = (published < first).groupby(admin).sum().astype(int).to_dict()
    ranking = sorted(admin.unique(), key=lambda a: (-pre.get(a, 0), a))
    roles = data["role_group"].astype(str) if "role_group" in data else pd.Series("all", index=data.index)
    outside = (~pilot).groupby(admin).sum()
    combos = (
        pd.DataFrame(
            {
                "administration": admin,
                "role_group": roles,
                "pilot_start": data["pilot_start"],
                "pilot_end": data["pilot_end"],
            }
        )
        .loc[pilot]
        .drop_duplicates()
    )
    schedules: dict[str, dict] = {}
    partial = []
    for a, rows in combos.groupby("administration", sort=True):
        pairs = {(_key(s), _key(e)) for s, e in zip(rows["pilot_start"], rows["pilot_end"], strict=True)}
        whole = int(outside.get(a, 0)) == 0
        if len(pairs) == 1 and whole:
            s, e = rows["pilot_start"].iloc[0], rows["pilot_end"].iloc[0]
            schedules[a] = {None: (pd.Timestamp(s), pd.NaT if pd.isna(e) else pd.Timestamp(e))}
        else:
            if not whole:
                partial.append(a)
            by_role = rows.groupby("role_group", observed=True)[["pilot_start", "pilot_end"]].first()
            schedules[a] = {
                str(r): (pd.Timestamp(s), pd.NaT if pd.isna(e) else pd.Timestamp(e)) for r, (s, e) in by_role.iterrows()
            }
    distinct = {(_key(s), _key(e)) for sched in schedules.values() for s, e in sched.values()}
    reasons = []
    if len(distinct) > 1:
        reasons.append(
            "staggered roll-out: "
            + "; ".join(
                f"{a} {', '.join(sorted({f'{_key(s)} to {_key(e)}' for s, e in schedules[a].values()}))}"
                for a in sorted(schedules, key=ranking.index)
            )
        )
    if partial:
        reasons.append(f"the pilot covers only some role groups in {', '.join(partial)}")
    staggered = bool(reasons)
    reason = " and ".join(reasons) if reasons else "one start and end date for every pilot administration"
    return RolloutDesign(
        treated=sorted(treated, key=ranking.index),
        ranking=ranking,
        schedules=schedules,
        staggered=staggered,
        reason=reason,
        first_start=first,
        pre_rows=pre,
    )


def _phase_masks(data: pd.DataFrame, rows: np.ndarray, schedule: dict) -> tuple[np.ndarray, np.ndarray]:
    """During / after masks of ``rows`` (positions) under ``schedule`` (role → dates)."""
    published = _dates(data["published_date"]).to_numpy().astype("datetime64[ns]")[rows]
    if None in schedule and len(schedule) == 1:
        s, e = schedule[None]
        start = np.full(len(rows), np.datetime64(s, "ns"))
        end = np.full(len(rows), np.datetime64("NaT", "ns") if pd.isna(e) else np.datetime64(e, "ns"))
        covered = np.ones(len(rows), bool)
    else:
        roles = data["role_group"].astype(str).to_numpy()[rows]
        start = np.full(len(rows), np.datetime64("NaT", "ns"))
        end = np.full(len(rows), np.datetime64("NaT", "ns"))
        covered = np.zeros(len(rows), bool)
        for role, (s, e) in schedule.items():
            hit = (roles == role) if role is not None else ~covered
            start[hit] = np.datetime64(s, "ns")
            end[hit] = np.datetime64("NaT", "ns") if pd.isna(e) else np.datetime64(e, "ns")
            covered |= hit
    begun = covered & (published >= start)
    open_ended = np.isnat(end)
    during = begun & (open_ended | (published <= end))
    after = begun & ~open_ended & (published > end)
    return during, after


# --------------------------------------------------------------------------- the staggered estimator


class _Imputation:
    """The imputation estimator on administration × period cell sums, for any assignment
    of schedules to administrations.

    Two-way fixed effects fitted on untreated rows depend on the rows only through the
    counts and sums of each administration × period cell, so an assignment's estimate is
    a small least-squares problem on those (8 × 21 cells at most): every one of the 56
    placebo assignments costs microseconds. ``Y`` may hold several outcome columns (the
    outcome and the actual treatment indicators, for the randomization interval).
    """

    def __init__(self, data: pd.DataFrame, rollout: RolloutDesign, Y: np.ndarray):
        self.data, self.rollout = data, rollout
        self.Y = Y.reshape(len(data), -1)
        self.units = sorted(data["administration"].astype(str).unique())
        self.a = pd.Index(self.units).get_indexer(data["administration"].astype(str))
        self.periods = sorted(data["period"].astype(str).unique())
        self.q = pd.Index(self.periods).get_indexer(data["period"].astype(str))
        A, Q, m = len(self.units), len(self.periods), self.Y.shape[1]
        cell = self.a * Q + self.q
        self.n = np.bincount(cell, minlength=A * Q).reshape(A, Q).astype(float)
        self.s = np.stack([np.bincount(cell, self.Y[:, k], minlength=A * Q) for k in range(m)], axis=-1).reshape(
            A, Q, m
        )
        self._rows = {u: np.flatnonzero(self.a == i) for i, u in enumerate(self.units)}
        self._pairs: dict[tuple[str, str], tuple] = {}

    def pair(self, unit: str, donor: str):
        """Per-period counts and sums of ``unit``'s rows that are during / after under
        ``donor``'s schedule, and the masks (positions in the data)."""
        key = (unit, donor)
        if key not in self._pairs:
            rows = self._rows[unit]
            during, after = _phase_masks(self.data, rows, self.rollout.schedules[donor])
            Q, m = len(self.periods), self.Y.shape[1]
            parts = []
            for mask in (during, after):
                r = rows[mask]
                n = np.bincount(self.q[r], minlength=Q).astype(float)
                s = np.stack([np.bincount(self.q[r], self.Y[r, k], minlength=Q) for k in range(m)], axis=-1)
                parts.append((n, s, r))
            self._pairs[key] = tuple(parts)
        return self._pairs[key]

    def estimate(self, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
        """``{"during": (m,), "after": (m,)}``: the imputation estimate of each phase for
        each outcome column, with ``pairs`` = [(administration, schedule donor), …]
        treated; NaN where a phase has no treated rows or a treated cell's untreated
        outcome cannot be imputed (no untreated row of its administration or period)."""
        A, Q, m = self.n.shape[0], self.n.shape[1], self.Y.shape[1]
        Un, Us = self.n.copy(), self.s.copy()
        treated = []
        for unit, donor in pairs:
            (dn, ds, _), (an, as_, _) = self.pair(unit, donor)
            i = self.units.index(unit)
            Un[i] -= dn + an
            Us[i] -= ds + as_
            treated.append((i, dn, ds, an, as_))
        rowsum, colsum = Un.sum(axis=1), Un.sum(axis=0)
        M = np.zeros((A + Q, A + Q))
        M[np.arange(A), np.arange(A)] = rowsum
        M[A + np.arange(Q), A + np.arange(Q)] = colsum
        M[:A, A:] = Un
        M[A:, :A] = Un.T
        rhs = np.concatenate([Us.sum(axis=1), Us.sum(axis=0)], axis=0)  # (A+Q, m)
        active = np.concatenate([rowsum > 0, colsum > 0])
        sol = np.zeros((A + Q, m))
        sub = np.linalg.lstsq(M[np.ix_(active, active)], rhs[active], rcond=None)
        if sub[2] < active.sum() - 1:  # the untreated cells do not connect every administration and period
            return {"during": np.full(m, np.nan), "after": np.full(m, np.nan)}
        sol[active] = sub[0]
        alpha, gamma = sol[:A], sol[A:]
        ok_a, ok_q = rowsum > 0, colsum > 0
        out = {}
        for phase, (ni, si) in (("during", (1, 2)), ("after", (3, 4))):
            total_n, total = 0.0, np.zeros(m)
            for entry in treated:
                i, n, s = entry[0], entry[ni], entry[si]
                if not n.any():
                    continue
                if not ok_a[i] or (n[~ok_q] > 0).any():
                    total_n = np.nan
                    break
                fitted = alpha[i][None, :] + gamma  # (Q, m)
                total += s.sum(axis=0) - (n[:, None] * fitted).sum(axis=0)
                total_n += n.sum()
            out[phase] = total / total_n if total_n and np.isfinite(total_n) else np.full(m, np.nan)
        return out

    def actual_pairs(self) -> list[tuple[str, str]]:
        return [(u, u) for u in self.rollout.treated]


def imputation_estimate(data: pd.DataFrame, rollout: RolloutDesign | None = None, assignment=None) -> dict[str, float]:
    """The imputation (staggered-robust) estimate of the during and after effects on the
    analysis rows of one outcome (:func:`outcome_data`), for the actual roll-out or, with
    ``assignment`` (a set of administrations), for that placebo set with the schedules
    paired as :meth:`RolloutDesign.donors` says. See the module notes."""
    rollout = rollout or rollout_design(data)
    imp = _Imputation(data, rollout, data["y"].to_numpy(dtype=float))
    pairs = imp.actual_pairs() if assignment is None else rollout.donors(assignment)
    est = imp.estimate(pairs)
    return {t: float(est[t][0]) for t in TERMS}


def _cell_regressors(data: pd.DataFrame, imp: _Imputation, terms: Sequence[str]) -> tuple[pd.DataFrame, dict]:
    """The imputation estimator as one OLS regression: a dummy per treated administration ×
    period × phase cell, re-parametrised so that the row-weighted mean of each phase's cell
    coefficients is a single coefficient ``theta_<phase>`` (with w_c the cell's share of
    the phase's rows and a pivot cell p: ``theta`` multiplies cell_p / w_p and every other
    cell c enters as cell_c − (w_c / w_p) cell_p). Returns the columns to add and
    {phase: coefficient name}."""
    Q = len(imp.periods)
    cols, names = {}, {}
    for phase in terms:
        k = 0 if phase == "during" else 1
        rows = np.concatenate([imp.pair(u, u)[k][2] for u in imp.rollout.treated])
        if len(rows) == 0:
            continue
        cell = np.full(len(data), -1)
        cell[rows] = imp.a[rows] * Q + imp.q[rows]
        labels, counts = np.unique(cell[rows], return_counts=True)
        w = counts / counts.sum()
        pivot = int(np.argmax(counts))
        d_pivot = (cell == labels[pivot]).astype(float)
        theta = f"theta_{phase}"
        cols[theta] = d_pivot / w[pivot]
        for j, lab in enumerate(labels):
            if j != pivot:
                cols[f"cell_{phase}_{j}"] = (cell == lab).astype(float) - (w[j] / w[pivot]) * d_pivot
        names[phase] = theta
    return pd.DataFrame(cols, index=data.index), names


# --------------------------------------------------------------------------- randomization interval


def _ri_interval(beta: np.ndarray, c: np.ndarray, actual: int, alpha: float) -> tuple[float, float]:
    """Invert the randomization test: every τ whose two-sided p-value, with assignment A
    estimating ``beta[A] − τ·c[A]``, exceeds ``alpha`` (see :func:`ri_confidence_interval`)."""

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


def ri_confidence_interval(
    data: pd.DataFrame, term: str, terms: Sequence[str], fixed_effects: Sequence[str], reassign, alpha: float = 0.05
) -> tuple[float, float]:
    """Confidence interval of ``term`` by inverting the randomization test.

    Under a constant additive effect τ of ``term`` on the actually treated units, the
    outcome without it is ``y − τ·term``; OLS is linear in y, so assignment A estimates
    β_A − τ·c_A, where c_A is the same estimator applied to the actual ``term`` column as
    outcome (c = 1 for the actual assignment). The interval is every τ whose two-sided
    randomization p-value exceeds ``alpha``. It may be unbounded (±inf): with 3 treated
    of 8 clusters some effects cannot be told apart from placebo assignments at any size,
    and the interval says so. Other terms are held as estimated (not shifted).
    """
    units = sorted(data["administration"].unique())
    treated = frozenset(data.loc[data[term] == 1, "administration"].unique())
    assignments = [frozenset(c) for c in combinations(units, len(treated))]
    proj = _Projector(data, fixed_effects)
    as_outcome = data.assign(y=data[term])
    if reassign is _reassign:  # the usual case: all assignments at once
        k = list(terms).index(term)
        both = _assignment_estimates(
            data.assign(_c=data[term]), terms, fixed_effects, assignments, outcome=["y", "_c"], projector=proj
        )
        beta, c = both[:, k, 0], both[:, k, 1]
    else:
        beta = np.array(
            [did_estimate(reassign(data, a), terms, fixed_effects, projector=proj)[term] for a in assignments]
        )
        c = np.array(
            [did_estimate(reassign(as_outcome, a), terms, fixed_effects, projector=proj)[term] for a in assignments]
        )
    return _ri_interval(beta, c, assignments.index(treated), alpha)


def _formula(terms: Sequence[str], fixed_effects: Sequence[str]) -> str:
    return "y ~ " + " + ".join([*terms, *[f"C({f})" for f in fixed_effects]])


# --------------------------------------------------------------------------- one outcome, three inferences


def _placebo_estimates(
    data: pd.DataFrame, rollout: RolloutDesign, terms: Sequence[str], assignments: Sequence[frozenset], Y: np.ndarray
) -> tuple[dict[str, np.ndarray], _Imputation | None]:
    """The headline estimator under every assignment, for each column of ``Y`` (rows × k)
    taken as the outcome: ``by_term[term]`` is (assignments, k). The imputation estimator
    with the donors' schedules under a staggered roll-out (its :class:`_Imputation` is
    returned too), else the fixed-effects regression (all assignments at once,
    :func:`_assignment_estimates`; None)."""
    if rollout.staggered:
        imp = _Imputation(data, rollout, Y)
        by_term = {t: np.full((len(assignments), Y.shape[1]), np.nan) for t in terms}
        for i, a in enumerate(assignments):
            found = imp.estimate(rollout.donors(a))
            for t in terms:
                by_term[t][i] = found[t]
        return by_term, imp
    cols = {f"_c{j}": Y[:, j] for j in range(Y.shape[1])}
    multi = _assignment_estimates(data.assign(**cols), terms, FIXED_EFFECTS, assignments, outcome=list(cols))
    return {t: multi[:, k, :] for k, t in enumerate(terms)}, None


def _estimate_outcome(
    data: pd.DataFrame,
    *,
    reps: int,
    seed: int | None,
    alpha: float,
    randomization: dict | None = None,
    notes: list | None = None,
    rollout: RolloutDesign | None = None,
    outcome: str | None = None,
    model: str = "auto",
) -> tuple[list[dict], RolloutDesign]:
    """The tidy rows of one outcome: for each term present (during, after) the
    conventional, wild-bootstrap and randomization-inference rows, in that order, from the
    estimator the roll-out calls for (see the module notes). Randomization results go into
    ``randomization[term]`` (for the permutation chart), remarks into ``notes``.

    ``model``: ``"auto"`` (default) estimates the count outcomes of
    :data:`~pilot_eval.estimate.poisson.COUNT_OUTCOMES` (``outcome`` names the rows) by
    Poisson, as ratios (:func:`~pilot_eval.estimate.poisson.poisson_effects`: estimate =
    ratio − 1, column ``scale`` = "ratio") and every other outcome in levels; ``"linear"``
    forces the levels regression (the earlier estimate of the count outcomes), ``"poisson"``
    forces Poisson."""
    from .inference import (
        _conventional_from_design,
        _design_for,
        _wild_from_design,
        randomization_inference,
    )
    from .poisson import COUNT_OUTCOMES, poisson_effects

    notes = [] if notes is None else notes
    rollout = rollout or rollout_design(data)
    if model not in ("auto", "linear", "poisson"):
        raise ValueError(f"model must be 'auto', 'linear' or 'poisson' (got {model!r})")
    if model == "poisson" or (model == "auto" and outcome in COUNT_OUTCOMES):
        found = poisson_effects(
            data, reps=reps, seed=seed, alpha=alpha, randomization=randomization, notes=notes, rollout=rollout
        )
        return found, rollout
    terms = [t for t in TERMS if data[t].sum() > 0]
    if not terms:
        return [], rollout
    treated = frozenset(rollout.treated)
    units = sorted(data["administration"].astype(str).unique())
    assignments = [frozenset(a) for a in combinations(units, len(treated))]
    actual = assignments.index(treated)
    n = len(data)
    by_term, imp = _placebo_estimates(data, rollout, terms, assignments, data[["y", *terms]].to_numpy(dtype=float))
    if rollout.staggered:
        method = "did_imputation_staggered"
        cells, names = _cell_regressors(data, imp, terms)
        reg = pd.concat([data[["y", *FIXED_EFFECTS]], cells], axis=1)
        formula = "y ~ " + " + ".join([*cells.columns, *[f"C({f})" for f in FIXED_EFFECTS]])
        notes.append(
            f"{rollout.reason}: headline estimator = imputation (staggered-robust); placebo "
            "assignments take the pilot schedules by rank of pre-pilot volume "
            f"({', '.join(rollout.treated)}); the cluster-robust and bootstrap rows cannot see "
            "a single-administration cohort's own shocks and are anti-conservative"
        )
    else:
        method = "did_fixed_effects"
        reg = data[["y", *terms, *FIXED_EFFECTS]]
        names = {t: t for t in terms}
        formula = _formula(terms, FIXED_EFFECTS)
    design = _design_for(reg, formula, "administration")
    rows = []
    for k, term in enumerate(terms):
        coef = names[term]
        if coef not in design.names:
            # e.g. no comparison administration has rows in the phase: the term is a sum of
            # period dummies, and the data cannot tell it from the calendar
            notes.append(
                f"{term}: not estimated: collinear with the administration and period effects (no "
                "comparison administration has rows in this phase)"
            )
            continue
        conv = _conventional_from_design(design, coef, alpha=alpha, formula=formula, cluster="administration")
        wcb = _wild_from_design(
            design,
            coef,
            weights="webb",
            reps=reps,
            seed=seed,
            alpha=alpha,
            formula=formula,
            cluster="administration",
            stacklevel=4,
        )
        for res in (conv, wcb):
            rows.append({**res.tidy().iloc[0].to_dict(), "term": term, "n": n, "method": method})
        beta, c = by_term[term][:, 0], by_term[term][:, 1 + k]
        if not np.all(np.isfinite(beta)):
            bad = [("+".join(sorted(a))) for a, b in zip(assignments, beta, strict=True) if not np.isfinite(b)]
            notes.append(
                f"{term}: no randomization inference: the effect cannot be estimated for "
                f"{len(bad)} placebo assignment(s), e.g. {bad[0]}"
            )
            rows.append(
                {
                    "term": term,
                    "estimate": float(beta[actual]),
                    "n": n,
                    "method": method,
                    "inference": "randomization_inference",
                    "statistic": float(beta[actual]),
                    "n_assignments": len(assignments),
                    "enumerated": True,
                }
            )
            continue
        lookup = dict(zip(assignments, beta, strict=True))
        ri = randomization_inference(
            data, lambda d, a, lookup=lookup: lookup[frozenset(a)], unit="administration", treated=treated, alpha=alpha
        )
        if randomization is not None:
            randomization[term] = ri
        low, high = _ri_interval(beta, c, actual, alpha)
        rows.append(
            {**ri.tidy().iloc[0].to_dict(), "term": term, "n": n, "method": method, "conf_low": low, "conf_high": high}
        )
    return rows, rollout


def pilot_effects(
    tables: dict[str, pd.DataFrame],
    cut_date,
    *,
    outcomes: Sequence[str] | None = None,
    window: tuple[str | None, str | None] | None = DEFAULT_WINDOW,
    period: str = "quarter",
    reps: int = 9999,
    seed: int | None = 2023,
    alpha: float = 0.05,
    frames: Mapping[str, pd.DataFrame] | None = None,
    family: Sequence[tuple[str, str]] | None = None,
    count_model: str = "auto",
) -> EstimateResult:
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
        ``(first, last)`` publication dates to analyse, either may be None. Default
        :data:`DEFAULT_WINDOW`: up to 2026-02-28, the day before the 2026-03-01 law change
        (docs/estimation.md, "Window"), and never after the cut date. ``None`` analyses everything up to
        the cut date.
    reps, seed
        Wild bootstrap draws and seed.
    frames
        The outcomes' rows if already built: :func:`outcome_frames` of
        ``restrict_window(tables, window)``, the same cut date and period (a caller that
        estimates outcomes one at a time builds them in one pass). Outcomes not in it are
        built here.
    family
        The (outcome, term) pairs whose headline rows get a family-wise p-value
        (default: every headline row of the call tested over the same assignments — all
        but an outcome found in fewer administrations, such as register checks), e.g.
        ``multiplicity.headline_family(PRIMARY_OUTCOMES)``; pairs not estimated here, or
        over other assignments, are left out with a warning.
    count_model
        ``"auto"`` (default): the count outcomes (``applicants_per_vacancy``,
        ``qualified_applicants_per_vacancy``) by Poisson as ratios
        (:mod:`pilot_eval.estimate.poisson`; their rows have ``scale`` = "ratio" and
        ``estimate`` = ratio − 1), the rest in levels; ``"linear"``: every outcome in levels
        (the earlier estimate of the counts, for comparison).

    Returns
    -------
    EstimateResult
        ``tidy()`` has columns outcome, term (during / after), the tidy columns,
        ``headline`` (True on the row of the headline inference) and ``p_value_fwer``
        (Westfall–Young step-down min-p over ``family`` on the same 56 assignments,
        :func:`pilot_eval.estimate.multiplicity.family_wise_p_values`; NaN on the other
        inferences' rows and outside the family); ``method`` says which
        estimator: "did_fixed_effects" (one start date) or "did_imputation_staggered"
        (staggered roll-out, see the module notes); for the count outcomes
        "poisson_fixed_effects" / "poisson_imputation_staggered" (ratios; see
        :func:`pilot_eval.estimate.poisson.poisson_effects` for their columns). ``details["randomization"][outcome]
        [term]`` holds each randomization-inference result (its distribution over the 56
        assignments, for :func:`pilot_eval.report.plots.permutation_plot`);
        ``details["design"][outcome]`` the roll-out as seen in that outcome's rows
        (:class:`RolloutDesign`), ``details["notes"]`` remarks (e.g. why the staggered
        estimator was used), ``details["window"]`` the window applied.
    """
    outcomes = list(outcomes or OUTCOMES)
    given = dict(frames or {})
    missing = [o for o in outcomes if o not in given]
    frames = {
        **given,
        **(outcome_frames(restrict_window(tables, window), cut_date, missing, period) if missing else {}),
    }
    rows = []
    randomization: dict[str, dict] = {}
    designs: dict[str, RolloutDesign] = {}
    notes: list[str] = []
    for outcome in outcomes:
        mine: list[str] = []
        found, designs[outcome] = _estimate_outcome(
            frames[outcome],
            reps=reps,
            seed=seed,
            alpha=alpha,
            randomization=randomization.setdefault(outcome, {}),
            notes=mine,
            outcome=outcome,
            model=count_model,
        )
        rows.extend({"outcome": outcome, **row} for row in found)
        notes.extend(f"{outcome}: {note}" for note in mine)
    table = tidy_frame(rows, index_columns=["outcome"])
    table["headline"] = table["inference"].astype(str) == HEADLINE_INFERENCE
    table = _with_family_wise(table, randomization, family)
    return EstimateResult(
        table,
        details={
            "headline_inference": HEADLINE_INFERENCE,
            "why": HEADLINE_REASON,
            "randomization": randomization,
            "design": designs,
            "notes": notes,
            "window": window,
        },
    )


def _with_family_wise(table: pd.DataFrame, randomization: dict, family) -> pd.DataFrame:
    """``table`` with ``p_value_fwer`` (see :func:`pilot_effects`)."""
    from .multiplicity import add_family_wise, common_assignments

    found = [(o, t) for o, by_term in randomization.items() for t in by_term]
    if family is None:  # every headline row with a joint null (not e.g. register checks' 4 assignments)
        family = common_assignments([randomization])
    if not found or not family:
        return table.assign(p_value_fwer=np.nan)
    return add_family_wise(table, [randomization], family, missing="drop")


def triple_difference(
    tables: dict[str, pd.DataFrame],
    outcome: str,
    cut_date,
    *,
    period: str = "quarter",
    reps: int = 9999,
    seed: int | None = 2023,
    alpha: float = 0.05,
) -> EstimateResult:
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
    names = {
        "during": "during_other",
        "during_child": "during_child_minus_other",
        "after": "after_other",
        "after_child": "after_child_minus_other",
    }

    from itertools import combinations

    from .inference import _conventional_from_design, _design_for, _wild_from_design, randomization_inference

    formula = _formula(terms, fixed)
    treated = frozenset(data.loc[data["arm"].astype(str) == "pilot", "administration"].unique())
    notes = []
    # every placebo assignment at once for all terms (as pilot_effects: residualised
    # administration × term columns, no refit per assignment)
    phase = data["phase"].astype(str).to_numpy()
    child = data["child_facing"].to_numpy(dtype=bool)
    term_rows = {
        "during": phase == "during",
        "after": phase == "after",
        "during_child": (phase == "during") & child,
        "after_child": (phase == "after") & child,
    }
    assignments = [frozenset(a) for a in combinations(sorted(data["administration"].unique()), len(treated))]
    estimates = _assignment_estimates(data, terms, fixed, assignments, term_rows=term_rows)
    placebo = {a: dict(zip(terms, est, strict=True)) for a, est in zip(assignments, estimates, strict=True)}
    design = _design_for(data, formula, "administration")  # one design for every term
    for term in terms:
        if term not in design.names:
            # e.g. every child-facing vacancy after the pilot is in a pilot administration:
            # the term is a sum of the fixed effects, and the data cannot tell it from them
            notes.append(f"{names[term]}: not estimated: collinear with the administration and period effects")
            continue
        results = [
            _conventional_from_design(design, term, alpha=alpha, formula=formula, cluster="administration"),
            _wild_from_design(
                design,
                term,
                weights="webb",
                reps=reps,
                seed=seed,
                alpha=alpha,
                formula=formula,
                cluster="administration",
                stacklevel=3,
            ),
        ]
        try:
            results.append(
                randomization_inference(
                    data,
                    lambda d, a, term=term: placebo[frozenset(a)][term],
                    unit="administration",
                    treated=treated,
                    alpha=alpha,
                )
            )
        except ValueError:
            # some placebo sets have no child-facing roles, so the term is not identified
            # for them: an exact randomization test over all 56 sets does not exist here
            notes.append(f"{names[term]}: no randomization inference (not identified for every assignment)")
        for res in results:
            rows.append(
                {
                    **res.tidy().iloc[0].to_dict(),
                    "term": names[term],
                    "n": len(data),
                    "method": "triple_difference",
                    "outcome": outcome,
                }
            )
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
    "days_to_fill": "days_to_fill_180",
    "filled_within_90": "filled_within_90",
    "days_unfilled_90": "days_unfilled_90",
    "late_withdrawal": "late_withdrawal_rate",
    "applicants_per_vacancy": "applicants_per_vacancy",
    "qualified_applicants_per_vacancy": "qualified_per_vacancy",
    "offer_acceptance": "acceptance_rate",
}


def event_study(
    tables: dict[str, pd.DataFrame],
    outcome: str,
    cut_date,
    *,
    period: str = "quarter",
    control: str = "never_treated",
    panel: pd.DataFrame | None = None,
) -> EstimateResult:
    """Event study with pre-periods for one outcome (part of every effect, docs/estimation.md).

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
    (a unit with no vacancy in a period) are dropped. ``panel``: the administration ×
    period panel already built from the same tables, cut date and period
    (``build_panel(tables, cut_date, period=period, unit=("administration",))``), to
    share it between outcomes.

    ``details["placebo"]`` (:class:`pilot_eval.estimate.sensitivity.PlaceboCovariance`) holds
    the universal-base coefficients and their full-rank placebo covariance for
    :func:`pilot_eval.estimate.sensitivity.honest_did` and ``pretrend_power``;
    ``details["vcov_placebo"]`` the same covariance labelled by event time.
    """
    from .did import staggered_did

    if outcome not in PANEL_OUTCOMES:
        raise ValueError(f"no panel outcome for {outcome!r}; choose one of {', '.join(PANEL_OUTCOMES)}")
    if panel is None:
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
        result = staggered_did(
            panel, column, unit="administration", time="period_index", cohort="cohort_index", control=control
        )
    table = result.aggregate("event")
    table["inference"] = "analytic_if (indicative: single-cluster cohorts)"
    table.insert(0, "outcome", outcome)
    from .sensitivity import placebo_covariance

    placebo = placebo_covariance(panel, column)
    labels = [f"event_time={e}" for e in placebo.event_times]
    return EstimateResult(
        table,
        details={
            "pretrend_p_value": result.pretrend_p_value,
            "did": result,
            "periods": sorted(panel["period"].unique()),
            "placebo": placebo,
            "vcov_placebo": pd.DataFrame(placebo.vcov, index=labels, columns=labels),
        },
    )
