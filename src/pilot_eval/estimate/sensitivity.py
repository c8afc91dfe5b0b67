"""Sensitivity of the event study to parallel trends (docs/estimation.md, issue 17 items 3-4).

Three pieces, all on the report's event study (:func:`pilot_eval.estimate.effects.event_study`:
Callaway & Sant'Anna on the administration × quarter panel, never-treated comparisons):

* :func:`placebo_covariance`: the event-study coefficients with a **universal base period**
  (every coefficient compares a quarter with the last quarter before the pilot, event time
  −1, as Rambachan & Roth require; the report's picture uses R did's varying base for the
  pre-periods, whose Wald pre-test is the same test) and a **full-rank covariance** of them,
  pooled over quarters (see below), with the 55 placebo assignments' event studies;
* :func:`honest_did`: Rambachan & Roth (2023) robust confidence sets under relative
  magnitudes Δ^RM(M̄) and smoothness Δ^SD(M), and the breakdown value (:func:`breakdown`);
* :func:`pretrend_test`, :func:`pretrend_power`: the pre-trend Wald test with that covariance,
  and the linear pre-trend it would detect with 50 % / 80 % power and the bias such a trend
  causes (Roth 2022).

Why the covariance is built this way
------------------------------------
The analytic influence-function covariance of the 15 coefficients has rank 6 (3 treated
and 5 comparison administrations: the influence functions sum to zero within each arm), so
HonestDiD cannot use it. The obvious replacement does not help either: with a common start
date every coefficient of assignment A is ``c_A' Z_e`` (c_A = 1/3 on the placebo pilot
administrations, −1/5 on the others; Z_e the 8 administrations' outcome changes from event
time −1 to e), so the second moment of the 55 (or 56) placebo vectors is
``Z' (Σ_A c_A c_A'/N) Z`` and has rank at most G − 1 = 7 whatever the number of event times;
a cluster bootstrap is in the same span (rank ≤ 8). Any covariance computed only across the
8 administrations is singular for more than 7 event times.

So the noise is pooled over quarters, under one added assumption: **stationarity of the
administrations' quarter-to-quarter noise** (the covariance of two quarters depends only on
their distance) and the same noise in pilot and comparison administrations. By default
(``source="comparison"``) the 5 comparison administrations' outcomes, with administration
and quarter means removed, give the autocovariance γ(h) at every lag h (biased,
divide-by-T, estimator: a positive-definite Toeplitz matrix, so full rank by construction);
the treated-minus-comparison series of cohort g then has Cov(D_g(t), D_h(s)) =
(1[g = h]/n_g + 1/n_0) γ(|t − s|), and the coefficients' covariance is ``L Γ L'`` with L the
map from the series to the coefficients (D(g+e) − D(g−1), cohort-size weights).
``source="placebo"`` instead averages the same (cross-)autocovariances over the 55 placebo
assignments' treated-minus-comparison series (second moments about zero: under the sharp
null the placebo differences have mean zero over all assignments). It was tried first and
is kept for comparison, but it is not the default: every placebo set that contains one or
two pilot administrations carries their effect and any differential trend, so a real
pre-trend of the pilot administrations inflates its own variance (in simulation with a
linear violation the parallel-trends interval then still covered the truth 33 times in 40,
and the pre-test lost its power) — the opposite of what a sensitivity analysis needs. The
comparison administrations are untouched by the pilot. ``vcov_assignments`` keeps the
unpooled second moment of the 55 placebo vectors (rank ≤ 7) for comparison; on the demo
the standard errors of all three are of the same size (docs/estimation.md). In simulation
(8 × 16 panel, iid noise) the Wald pre-test with the default covariance rejects about 11 %
of the time at the 5 % level (the covariance is estimated), so it errs towards "fails".

The placebo event studies are computed with numpy from the cell means (the CS event-time
estimates without covariates are differences of available-case cell means, aggregated with
cohort-size weights), not with 55 calls of :func:`pilot_eval.estimate.did.staggered_did`;
for the actual assignment they equal ``staggered_did(..., base_period="universal")``
(tested). Under a staggered roll-out each placebo administration takes the cohort of the
pilot administration of the same rank by pre-pilot volume (the rule of
:mod:`pilot_eval.estimate.effects`).

No library does this here
-------------------------
The Python ports of HonestDiD, ``moderndid`` (0.2.0, module ``didhonest``) and ``honestdid``
(0.1.1), were evaluated: both need cvxpy, ``honestdid`` also torch (and it fails on numpy 2),
moderndid polars and pyarrow, and moderndid took 50-250 s per outcome for relative
magnitudes with 9 pre-periods (an LP per θ and 1 000 LPs per least-favourable critical
value). That is too heavy and too slow for the report's runtime, so the computations are
written here with numpy and scipy: SLSQP for the FLCI, and for the ARP tests the vertices
of the dual LP enumerated once per polyhedron (the statistic, the selected vertex and the
truncation points are then exact, with no LP per θ). They are checked against moderndid
on fixed inputs (``tests/results/honestdid_reference.py`` and its json).

References
----------
Rambachan, A. & Roth, J. (2023). A more credible approach to parallel trends. *Review of
Economic Studies* 90(5), 2555-2591.
Roth, J. (2022). Pretest with caution: event-study estimates after testing for parallel
trends. *American Economic Review: Insights* 4(3), 305-322.
Andrews, I., Roth, J. & Pakes, A. (2023). Inference for linear conditional moment
inequalities. *Review of Economic Studies* 90(6), 2763-2791.
Armstrong, T. B. & Kolesár, M. (2018). Optimal inference in a class of regression models.
*Econometrica* 86(2), 655-683.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .base import EstimateResult, tidy_frame

__all__ = [
    "PlaceboCovariance",
    "breakdown",
    "honest_did",
    "placebo_covariance",
    "pretrend_power",
    "pretrend_test",
]

REFERENCE_EVENT = -1


# --------------------------------------------------------------------------- the covariance


@dataclass
class PlaceboCovariance:
    """Universal-base event-study coefficients and their placebo covariance.

    ``event_times``: the non-reference event times (pre-periods e ≤ −2, post e ≥ 0; the
    reference −1 is left out); ``betahat``: the actual assignment's coefficients;
    ``vcov``: the pooled covariance (full rank, see the module notes; ``source`` says
    which: "comparison" or "placebo");
    ``vcov_assignments``: the unpooled second moment of the placebo vectors (rank ≤ G − 1);
    ``placebo``: the placebo coefficient vectors (assignments × event times);
    ``assignments``: the placebo sets of administrations; ``outcome``: the panel column.
    """

    event_times: np.ndarray
    betahat: np.ndarray
    vcov: np.ndarray
    vcov_assignments: np.ndarray
    placebo: np.ndarray
    assignments: list = field(default_factory=list)
    outcome: str = ""
    reference_event: int = REFERENCE_EVENT
    source: str = "comparison"

    @property
    def pre(self) -> np.ndarray:
        return self.event_times < self.reference_event

    @property
    def num_pre(self) -> int:
        return int(self.pre.sum())

    @property
    def num_post(self) -> int:
        return int((self.event_times >= 0).sum())

    @property
    def relative_times(self) -> np.ndarray:
        """Event times relative to the reference period (HonestDiD's t: −numPre…−1, 1…numPost)."""
        return (self.event_times - self.reference_event).astype(float)

    def frame(self) -> pd.DataFrame:
        """The coefficients and their pooled standard errors, one row per event time."""
        return pd.DataFrame(
            {
                "event_time": self.event_times,
                "estimate": self.betahat,
                "std_error": np.sqrt(np.diag(self.vcov)),
                "std_error_assignments": np.sqrt(np.diag(self.vcov_assignments)),
            }
        )


def _ranked(wide: pd.DataFrame, counts: pd.DataFrame | None, first: float) -> list[str]:
    """Administrations by pre-pilot volume (largest first, ties by code)."""
    units = list(wide.index)
    if counts is None:
        return sorted(units)
    pre = counts.loc[:, [c for c in counts.columns if c < first]].sum(axis=1)
    return sorted(units, key=lambda u: (-float(pre.get(u, 0.0)), u))


def _levels(Y: np.ndarray, obs: np.ndarray, cohorts: np.ndarray, glist: np.ndarray) -> np.ndarray:
    """Treated-minus-comparison means per assignment, cohort and period:
    ``cohorts`` (assignments × units) holds each unit's cohort (0 = comparison)."""
    Y0 = np.where(obs, Y, 0.0)
    out = np.empty((cohorts.shape[0], len(glist), Y.shape[1]))
    control = (cohorts == 0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):  # a cohort with no unit observed: NaN
        c_mean = (control @ Y0) / (control @ obs)
        for k, g in enumerate(glist):
            tr = (cohorts == g).astype(float)
            out[:, k, :] = (tr @ Y0) / (tr @ obs) - c_mean
    return out


def _event_coefficients(Y, obs, cohorts, glist, times, event_times):
    """CS event-time coefficients (universal base g − 1) for every assignment at once:
    available-case cell differences, cohort-size weights over the estimable cells."""
    n_assign = cohorts.shape[0]
    est = np.zeros((n_assign, len(event_times)))
    wsum = np.zeros((n_assign, len(event_times)))
    for g in glist:
        tr = (cohorts == g).astype(float)  # assignments × units
        co = (cohorts == 0).astype(float)
        size = tr.sum(axis=1)
        b = int(np.searchsorted(times, g)) - 1
        if b < 0:
            continue
        for j, e in enumerate(event_times):
            t = np.searchsorted(times, g + e)
            if t >= len(times) or times[t] != g + e:
                continue
            both = obs[:, t] & obs[:, b]
            dy = np.where(both, Y[:, t] - Y[:, b], 0.0)
            nt, nc = tr @ both, co @ both
            ok = (nt > 0) & (nc > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                cell = (tr @ dy) / nt - (co @ dy) / nc
            est[:, j] += np.where(ok, size * cell, 0.0)
            wsum[:, j] += np.where(ok, size, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return est / wsum


def _loading(glist, sizes, times, event_times) -> np.ndarray:
    """L: (event times) × (cohorts · periods), coefficient e = Σ_g w_g (D_g(g+e) − D_g(g−1))."""
    T = len(times)
    L = np.zeros((len(event_times), len(glist) * T))
    for j, e in enumerate(event_times):
        cells = []
        for k, g in enumerate(glist):
            t = np.searchsorted(times, g + e)
            b = int(np.searchsorted(times, g)) - 1
            if b >= 0 and t < T and times[t] == g + e:
                cells.append((k, t, b))
        total = sum(sizes[k] for k, _, _ in cells)
        for k, t, b in cells:
            L[j, k * T + t] += sizes[k] / total
            L[j, k * T + b] -= sizes[k] / total
    return L


def _pooled_levels_cov(levels: np.ndarray) -> np.ndarray:
    """Block-Toeplitz covariance of the (cohorts × periods) series, from the biased
    (cross-)autocovariances of each assignment's time-demeaned series averaged over
    assignments: positive definite for non-constant series."""
    n_assign, K, T = levels.shape
    d = levels - np.nanmean(levels, axis=2, keepdims=True)
    d = np.nan_to_num(d)
    lag = np.empty((T, K, K))
    for h in range(T):
        lag[h] = np.einsum("akt,alt->kl", d[:, :, : T - h], d[:, :, h:]) / (T * n_assign)
    G = np.empty((K * T, K * T))
    for s in range(T):
        for t in range(T):
            block = lag[t - s] if t >= s else lag[s - t].T
            G[np.ix_(np.arange(K) * T + s, np.arange(K) * T + t)] = block
    return G


def _comparison_autocov(Y0: np.ndarray, obs0: np.ndarray) -> np.ndarray:
    """γ(h), h = 0…T−1: the autocovariance of the comparison units' two-way demeaned
    outcomes (unit and period means removed), biased (divide by T) over time and divided by
    N₀ − 1 over units (the cross-sectional mean removed): a positive-definite Toeplitz
    covariance of one unit's noise."""
    n0, T = Y0.shape
    Yc = np.where(obs0, Y0, np.nan)
    e = Yc - np.nanmean(Yc, axis=1, keepdims=True)
    e = e - np.nanmean(e, axis=0, keepdims=True)
    e = np.nan_to_num(e)
    return np.array([(e[:, : T - h] * e[:, h:]).sum() / (T * (n0 - 1)) for h in range(T)])


def placebo_covariance(
    panel: pd.DataFrame,
    column: str,
    *,
    unit: str = "administration",
    time: str = "period_index",
    cohort: str = "cohort_index",
    counts: str | None = "n_vacancies",
    source: str = "comparison",
) -> PlaceboCovariance:
    """Universal-base CS event-study coefficients of ``column`` and their placebo covariance.

    ``panel``: the unit × period panel the event study uses (one row per unit and period,
    ``cohort`` the first treated period, 0 = never treated; rows with a missing outcome are
    left out, as the estimator's available-case cells). Every other set of as many units as
    the pilot has is a placebo assignment; each gets the pilot's cohorts (one cohort: all of
    them; staggered: paired by rank of pre-pilot ``counts``, see the module notes). Returns
    the actual coefficients, the pooled full-rank covariance and the unpooled one (module
    notes). An event time that some placebo assignment cannot estimate (no unit of a
    cohort observed in the cell, possible on a sparse staggered panel) is left out.
    Cost: a few milliseconds.
    """
    df = panel.loc[panel[column].notna()]
    wide = df.pivot(index=unit, columns=time, values=column).sort_index(axis=1)
    times = wide.columns.to_numpy(dtype=float)
    Y = wide.to_numpy(dtype=float)
    obs = np.isfinite(Y)
    g_unit = df.groupby(unit)[cohort].first().reindex(wide.index).fillna(0).to_numpy(dtype=float)
    g_unit = np.where(g_unit > times.max(), 0.0, g_unit)  # treated after the last period: never treated
    units = list(wide.index)
    treated = [u for u, g in zip(units, g_unit, strict=True) if g > 0]
    if not treated:
        raise ValueError("placebo_covariance: no treated unit in the panel")
    glist = np.sort(np.unique(g_unit[g_unit > 0]))
    first = float(glist.min())
    cnt = None
    if counts and counts in panel.columns:
        cnt = panel.pivot_table(index=unit, columns=time, values=counts, aggfunc="sum")
    ranking = _ranked(wide, cnt, first)
    donors = sorted(treated, key=ranking.index)
    donor_cohort = [g_unit[units.index(u)] for u in donors]
    assignments = [frozenset(a) for a in combinations(units, len(treated))]
    actual = frozenset(treated)
    cohorts = np.zeros((len(assignments), len(units)))
    for i, a in enumerate(assignments):
        for u, g in zip(sorted(a, key=ranking.index), donor_cohort, strict=True):
            cohorts[i, units.index(u)] = g
    e_all = np.unique(np.concatenate([times - g for g in glist]))
    event_times = e_all[e_all != REFERENCE_EVENT]
    coef = _event_coefficients(Y, obs, cohorts, glist, times, event_times)
    keep = np.all(np.isfinite(coef), axis=0)
    event_times, coef = event_times[keep], coef[:, keep]
    is_actual = np.array([a == actual for a in assignments])
    placebo = coef[~is_actual]
    sizes = np.array([(g_unit == g).sum() for g in glist], dtype=float)
    L = _loading(glist, sizes, times, event_times)
    if source == "comparison":
        gamma = _comparison_autocov(Y[g_unit == 0], obs[g_unit == 0])
        n0 = float((g_unit == 0).sum())
        lag = np.abs(np.subtract.outer(np.arange(len(times)), np.arange(len(times))))
        factor = np.diag(1.0 / sizes) + 1.0 / n0  # Cov(D_g, D_h) = (1[g=h]/n_g + 1/n_0) γ
        levels_cov = np.kron(factor, gamma[lag])
    elif source == "placebo":
        levels_cov = _pooled_levels_cov(_levels(Y, obs, cohorts[~is_actual], glist))
    else:
        raise ValueError(f"placebo_covariance: source must be 'comparison' or 'placebo', not {source!r}")
    vcov = L @ levels_cov @ L.T
    return PlaceboCovariance(
        event_times=event_times.astype(int),
        betahat=coef[is_actual][0],
        vcov=(vcov + vcov.T) / 2,
        vcov_assignments=placebo.T @ placebo / len(placebo),
        placebo=placebo,
        assignments=[a for a in assignments if a != actual],
        outcome=column,
        source=source,
    )


def _inputs(study) -> tuple[PlaceboCovariance, str]:
    """The placebo covariance of an event study (``event_study(...)`` result) or itself."""
    if isinstance(study, PlaceboCovariance):
        return study, study.outcome
    details = getattr(study, "details", None) or {}
    pc = details.get("placebo")
    if not isinstance(pc, PlaceboCovariance):
        raise TypeError(
            "need an event_study(...) result with details['placebo'] (a PlaceboCovariance) or a PlaceboCovariance"
        )
    table = study.tidy() if hasattr(study, "tidy") else pd.DataFrame()
    outcome = str(table["outcome"].iloc[0]) if "outcome" in table and len(table) else pc.outcome
    return pc, outcome


def _l_vec(pc: PlaceboCovariance, target) -> np.ndarray:
    """Weights on the post-period coefficients (HonestDiD's l_vec)."""
    if isinstance(target, str):
        if target.replace(" ", "_") not in ("average_post", "average"):
            raise ValueError(f"target must be 'average_post' or a vector of post-period weights, not {target!r}")
        return np.full(pc.num_post, 1.0 / pc.num_post)
    lv = np.asarray(target, dtype=float).ravel()
    if lv.shape != (pc.num_post,):
        raise ValueError(f"target: {pc.num_post} post-period weights needed, got {lv.shape[0]}")
    return lv


# --------------------------------------------------------------------------- pre-trend test and power


def pretrend_test(study) -> dict:
    """Wald test that every pre-period coefficient is zero, with the pooled placebo covariance.

    The statistic is β̂_pre' Σ_pre⁻¹ β̂_pre ~ χ²(numPre) under parallel pre-trends. With the
    universal base the pre-period coefficients are an invertible linear transform of the
    varying-base pre-period ATTs that :attr:`StaggeredDiDResult.pretrend_test` tests (one
    cohort), so this is the same hypothesis; only the covariance differs (the analytic one has
    rank 6 there). Returns statistic, df, p_value, n_cells, covariance (its source) and the
    analytic p-value of the event study (``p_value_analytic``) when ``study`` is an
    event_study result.
    """
    from scipy import special

    pc, _ = _inputs(study)
    b = pc.betahat[pc.pre]
    S = pc.vcov[np.ix_(pc.pre, pc.pre)]
    stat = float(b @ np.linalg.solve(S, b))
    out = {"statistic": stat, "df": pc.num_pre, "p_value": float(special.chdtrc(pc.num_pre, stat))}
    out["n_cells"] = pc.num_pre
    details = getattr(study, "details", None) or {}
    if "pretrend_p_value" in details:
        out["p_value_analytic"] = float(details["pretrend_p_value"])
    out["covariance"] = f"{pc.source} (pooled over quarters)"
    return out


def _wald_power(lam: float, df: int, alpha: float) -> float:
    """P(χ²(df, λ) > the 1 − alpha critical value of χ²(df))."""
    from scipy import special

    crit = special.chdtri(df, alpha)
    return float(1 - special.chndtr(crit, df, lam)) if lam > 0 else alpha


def pretrend_power(
    study,
    *,
    power: Sequence[float] = (0.5, 0.8),
    alpha: float = 0.05,
    target="average_post",
    draws: int = 200_000,
    seed: int = 2023,
) -> pd.DataFrame:
    """The linear pre-trend that the pre-test detects with the given power, and its bias
    (Roth 2022, "Pretest with caution").

    A violation of parallel trends δ_t = γ·t (t the event time relative to the reference
    quarter −1, so δ = 0 there) shifts the event-study coefficients to β = τ + δ. The
    pre-test is the report's: the Wald test of all pre-period coefficients
    (:func:`pretrend_test`, level ``alpha``), whose statistic is then non-central
    χ²(numPre, λ = γ² t_pre' Σ_pre⁻¹ t_pre); γ for power p solves P(reject) = p (scipy
    ``special.chndtr``). Columns: outcome, power, slope (γ, in the outcome's unit per quarter; the
    positive root, a negative trend of the same size is detected as often), bias (the
    unconditional bias γ · l' t_post of the target — with the default ``target`` the mean of
    the post-period effects, l = 1/numPost each — if such a trend continued),
    bias_given_pass (Roth's conditional bias: E[l'β̂_post | pre-test passes] − l'τ under
    that trend, by Monte Carlo with ``draws`` draws of N(γt, Σ) and the given ``seed``;
    Monte Carlo error about 1 % of it), pass_probability, pretest ("wald") and
    slope_per_se (γ divided by the target's standard error).
    """
    from scipy import optimize, special

    pc, outcome = _inputs(study)
    lv = _l_vec(pc, target)
    pre = pc.pre
    post = pc.event_times >= 0
    t = pc.relative_times
    S = pc.vcov
    S11 = S[np.ix_(pre, pre)]
    info = float(t[pre] @ np.linalg.solve(S11, t[pre]))
    df = pc.num_pre
    crit = special.chdtri(df, alpha)
    se_target = float(np.sqrt(lv @ S[np.ix_(post, post)] @ lv))
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(S11)
    z = rng.standard_normal((draws, df)) @ chol.T  # β̂_pre − γ t_pre
    regress = np.linalg.solve(S11, S[np.ix_(pre, post)] @ lv)  # E[l'β̂_post | β̂_pre] slope
    Sinv = np.linalg.inv(S11)
    rows = []
    for p in power:
        if not alpha < p < 1:
            raise ValueError(f"pretrend_power: power must lie between alpha and 1, not {p!r}")
        lam = optimize.brentq(lambda x, p=p: _wald_power(x, df, alpha) - p, 1e-9, 1e4, xtol=1e-12)
        gamma = float(np.sqrt(lam / info))
        bias = float(gamma * lv @ t[post])
        x = z + gamma * t[pre]
        passed = np.einsum("ij,jk,ik->i", x, Sinv, x) <= crit
        cond = float(bias + (z[passed] @ regress).mean())
        rows.append(
            {
                "outcome": outcome,
                "power": float(p),
                "slope": gamma,
                "bias": bias,
                "bias_given_pass": cond,
                "pass_probability": float(passed.mean()),
                "pretest": "wald",
                "slope_per_se": gamma / se_target,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- smoothness: FLCI


def _folded_cv(r: float, alpha: float) -> float:
    """1 − alpha quantile of |N(r, 1)| (r ≥ 0)."""
    from scipy import optimize, special

    r = abs(float(r))

    def f(c):
        return special.ndtr(c - r) - special.ndtr(-c - r) - (1 - alpha)

    return float(optimize.brentq(f, 0.0, r + 10.0, xtol=1e-13))


def _sd_basis(t: np.ndarray) -> np.ndarray:
    """Columns g_k: δ = s·t + Σ_k η_k g_k with η_k the second difference of δ at the interior
    point t_k of the grid −numPre…numPost (δ_0 = 0)."""
    grid = np.arange(int(t.min()), int(t.max()) + 1)
    cols = []
    for tk in grid[1:-1]:
        cols.append(np.where(t > tk, t - tk, 0.0) if tk >= 0 else np.where(t < tk, tk - t, 0.0))
    return np.column_stack(cols) if cols else np.zeros((len(t), 0))


def _flci(beta, sigma, t, pre, lv, m, alpha):
    """Fixed-length CI for l'τ_post under Δ^SD(m) (Rambachan & Roth 2023, Section 4.1;
    Armstrong & Kolesár 2018): the affine estimator v'β̂ with v_post = l, v_pre chosen to
    minimise the half-length cv_α(b̄/σ)·σ, b̄ = the worst-case bias over Δ^SD(m)
    = m Σ_k |v'g_k| (finite only when v't = 0: linear trends are unrestricted), σ² = v'Σv.
    Solved by SLSQP in (v_pre, u) with u_k ≥ |v'g_k|; the problem is convex."""
    from scipy import optimize

    post = ~pre
    scale = float(np.sqrt(lv @ sigma[np.ix_(post, post)] @ lv))
    S = sigma / scale**2
    mm = m / scale
    G = _sd_basis(t)
    a, r = t[pre], -float(lv @ t[post])
    S11 = S[np.ix_(pre, pre)]
    S12l = S[np.ix_(pre, post)] @ lv
    Si_a, Si_s = np.linalg.solve(S11, a), np.linalg.solve(S11, S12l)
    mu = (r + a @ Si_s) / (a @ Si_a)
    v0 = mu * Si_a - Si_s  # minimum variance with v't = 0 (the m = 0 FLCI)
    P, K = int(pre.sum()), G.shape[1]

    def full(x):
        v = np.empty(len(t))
        v[pre], v[post] = x[:P], lv
        return v

    def parts(x):
        v = full(x)
        sd = float(np.sqrt(v @ S @ v))
        return v, sd, mm * x[P:].sum() / sd

    def obj(x):
        v, sd, rr = parts(x)
        return _folded_cv(rr, alpha) * sd

    def jac(x):
        v, sd, rr = parts(x)
        c = _folded_cv(rr, alpha)
        phi1, phi2 = np.exp(-0.5 * (c - rr) ** 2), np.exp(-0.5 * (c + rr) ** 2)
        dc = (phi1 - phi2) / (phi1 + phi2)  # d cv / d r
        g = np.empty_like(x)
        g[:P] = (c - dc * rr) * (S @ v)[pre] / sd
        g[P:] = dc * mm
        return g

    Gp, Gq = G[pre], G[post].T @ lv  # v'g_k = x_pre'Gp[:,k] + Gq[k]
    cons = [
        {"type": "eq", "fun": lambda x: np.array([a @ x[:P] - r]), "jac": lambda x: np.r_[a, np.zeros(K)][None, :]},
        {
            "type": "ineq",
            "fun": lambda x: np.r_[x[P:] - (Gp.T @ x[:P] + Gq), x[P:] + (Gp.T @ x[:P] + Gq)],
            "jac": lambda x: np.block([[-Gp.T, np.eye(K)], [Gp.T, np.eye(K)]]),
        },
    ]
    x0 = np.r_[v0, np.abs(Gp.T @ v0 + Gq)]
    if mm == 0:
        x = x0
    else:
        res = optimize.minimize(
            obj, x0, jac=jac, constraints=cons, method="SLSQP", options={"ftol": 1e-12, "maxiter": 500}
        )
        x = res.x if res.success or obj(res.x) <= obj(x0) else x0
        x[P:] = np.abs(Gp.T @ x[:P] + Gq)  # the exact worst-case bias at the solution
    v = full(x)
    half = obj(x) * scale
    centre = float(v @ beta)
    return centre - half, centre + half, v


def _original_ci(beta, sigma, post, lv, alpha):
    from scipy import special

    z = special.ndtri(1 - alpha / 2)
    est = float(lv @ beta[post])
    se = float(np.sqrt(lv @ sigma[np.ix_(post, post)] @ lv))
    return est, se, est - z * se, est + z * se


# --------------------------------------------------------------------------- relative magnitudes: ARP


def _rm_constraints(num_pre: int, num_post: int, m_bar: float, s: int, positive: bool) -> np.ndarray:
    """A of Δ^RM_{s,sign}(M̄) = {δ: Aδ ≤ 0} (Rambachan & Roth 2023, footnote 9; R HonestDiD
    ``.create_A_RM``): every first difference |δ_{t} − δ_{t−1}| bounded by (the sign times)
    δ_s − δ_{s−1} for pre-periods and by M̄ times it for post-periods, s ∈ {−numPre+1, …, 0}
    indexing the pre-period difference that is the largest. Columns: periods −numPre…numPost
    without 0."""
    total = num_pre + num_post
    At = np.zeros((total, total + 1))
    for r in range(total):
        At[r, r], At[r, r + 1] = -1.0, 1.0
    vmax = np.zeros(total + 1)
    idx = num_pre + s - 1
    vmax[idx], vmax[idx + 1] = -1.0, 1.0
    if not positive:
        vmax = -vmax
    ub = np.vstack([np.tile(vmax, (num_pre, 1)), np.tile(m_bar * vmax, (num_post, 1))])
    A = np.vstack([At - ub, -At - ub])
    A = A[~np.all(np.abs(A) <= 1e-10, axis=1)]
    return np.delete(A, num_pre, axis=1)


def _dual_vertices(W: np.ndarray) -> np.ndarray:
    """Vertices of {γ ≥ 0, W'γ = e₁} (W = [σ, X], rows = moments): every basic feasible
    solution, by enumerating the bases. The ARP statistic min{η: Y − Xτ ≤ ησ} equals
    max over these vertices of γ'Y (LP duality), so the test needs no LP per θ."""
    m, k = W.shape
    bases = np.array(list(combinations(range(m), k)))
    Wb = np.transpose(W[bases], (0, 2, 1))  # (bases, k, k): W_B'
    det = np.linalg.det(Wb)
    ok = np.abs(det) > 1e-12 * np.abs(W).max() ** k
    e1 = np.zeros(k)
    e1[0] = 1.0
    sol = np.linalg.solve(Wb[ok], np.broadcast_to(e1, (int(ok.sum()), k))[..., None])[..., 0]
    feasible = np.all(sol >= -1e-10, axis=1)
    V = np.zeros((int(feasible.sum()), m))
    rows = np.arange(V.shape[0])[:, None]
    V[rows, bases[ok][feasible]] = np.clip(sol[feasible], 0, None)
    return np.unique(np.round(V, 12), axis=0)


def _truncnorm_ppf(p: float, lo: float, hi: float) -> float:
    """p-quantile of N(0, 1) truncated to [lo, hi] (scipy.special only: scipy.stats is the
    slowest of scipy's modules to import); computed in the tail nearer the interval."""
    from scipy import special

    if lo >= hi:
        return lo
    if lo > 0:  # upper tail: work with survival probabilities
        slo, shi = special.ndtr(-lo), special.ndtr(-hi)
        return float(-special.ndtri(slo - p * (slo - shi)))
    flo, fhi = special.ndtr(lo), special.ndtr(hi)
    return float(special.ndtri(flo + p * (fhi - flo)))


class _ARP:
    """The conditional / hybrid ARP test of H0: ∃τ̃ with Y(θ) − Xτ̃ ≤ 0 (Andrews, Roth &
    Pakes 2023, with nuisance parameters; Rambachan & Roth 2023, Section 5.3), for one
    polyhedron Aδ ≤ 0, as R HonestDiD's ``.lp_conditional_test_fn``: Y(θ) = Aβ̂ − a₁θ, X the
    remaining post-period directions (the target l'τ_post rotated to the first coordinate),
    only the moments involving post-periods (``postPeriodMomentsOnly``). The statistic,
    the selected dual vertex and the truncation points [v_lo, v_up] of its conditional
    distribution are exact here (vertex enumeration) where HonestDiD solves LPs and bisects.
    Hybrid "LF": first stage rejects when η̂ exceeds the least-favourable 1 − κ critical value
    (``sims`` draws of N(0, Σ_Y), numpy ``default_rng(seed).multivariate_normal``, as
    moderndid); second stage at level (α − κ)/(1 − κ) with v_up capped at it."""

    def __init__(self, beta, sigma, A, num_pre, lv, alpha, hybrid, kappa, sims, seed):
        num_post = len(lv)
        drop = int(np.argmax(np.abs(lv)))
        gamma = np.zeros((num_post, num_post))
        gamma[0] = lv
        others = [i for i in range(num_post) if i != drop]
        for row, i in enumerate(others, start=1):
            gamma[row, i] = 1.0
        Ag = A[:, num_pre:] @ np.linalg.inv(gamma)
        rows = np.nonzero(np.any(A[:, num_pre:] != 0, axis=1))[0] if num_post > 1 else np.arange(A.shape[0])
        self.y = (A @ beta)[rows]
        self.a1 = Ag[rows, 0]
        X = Ag[rows, 1:]
        self.S = (A @ sigma @ A.T)[np.ix_(rows, rows)]
        sd = np.sqrt(np.diag(self.S))
        self.V = _dual_vertices(np.column_stack([sd, X]))
        self.alpha, self.hybrid, self.kappa = alpha, hybrid, kappa
        self.lf_cv = np.inf
        if hybrid == "LF" and len(self.V):
            rng = np.random.default_rng(seed)
            xi = rng.multivariate_normal(np.zeros(len(rows)), self.S, size=sims)
            self.lf_cv = float(np.quantile((xi @ self.V.T).max(axis=1), 1 - kappa))
        self.SV = self.S @ self.V.T  # Σγ for every vertex
        self.VSV = np.einsum("ij,ji->i", self.V, self.SV)

    def accepts(self, theta: float) -> bool:
        if not len(self.V):
            return True  # the statistic is −∞: every θ is consistent with the polyhedron
        Y = self.y - self.a1 * theta
        vals = self.V @ Y
        j = int(np.argmax(vals))
        eta = float(vals[j])
        if self.hybrid == "LF":
            if eta > self.lf_cv:
                return False
            size = (self.alpha - self.kappa) / (1 - self.kappa)
        else:
            size = self.alpha
        s2 = float(self.VSV[j])
        if s2 <= np.finfo(float).eps:
            return not eta > 0
        sb = np.sqrt(s2)
        c = self.SV[:, j] / s2
        Sres = Y - c * eta
        a = self.V @ c
        b = self.V @ Sres
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = b / (1 - a)
        lo_set, hi_set = a < 1 - 1e-9, a > 1 + 1e-9
        vlo = float(ratio[lo_set].max()) if lo_set.any() else -np.inf
        vup = float(ratio[hi_set].min()) if hi_set.any() else np.inf
        if self.hybrid == "LF":
            vup = min(vup, self.lf_cv)
        zlo, zup, stat = vlo / sb, vup / sb, eta / sb
        if not zlo <= stat <= zup:
            return True
        cval = max(0.0, _truncnorm_ppf(1 - size, zlo, zup))
        return not stat > cval


def _grid_interval(test, grid: np.ndarray) -> tuple[int | None, int | None]:
    """First and last accepted grid point, assuming the accepted set is an interval (as
    HonestDiD's grid search finds it; binary search from an accepted point)."""
    n = len(grid)
    mid = n // 2
    seed_idx = mid if test(grid[mid]) else None
    offset = 1
    while seed_idx is None and (mid - offset >= 0 or mid + offset < n):
        for i in (mid - offset, mid + offset):
            if 0 <= i < n and test(grid[i]):
                seed_idx = i
                break
        offset += 1
    if seed_idx is None:
        return None, None
    lo, hi = 0, seed_idx
    if test(grid[0]):
        lo_idx = 0
    else:
        while lo < hi:
            m = (lo + hi) // 2
            lo, hi = (lo, m) if test(grid[m]) else (m + 1, hi)
        lo_idx = lo
    lo, hi = seed_idx, n - 1
    if test(grid[-1]):
        hi_idx = n - 1
    else:
        while lo < hi:
            m = (lo + hi + 1) // 2
            lo, hi = (m, hi) if test(grid[m]) else (lo, m - 1)
        hi_idx = lo
    return lo_idx, hi_idx


def _rm_ci(beta, sigma, num_pre, lv, m_bar, alpha, *, hybrid="LF", grid_points=1000, sims=1000, seed=0, s_values=None):
    """Robust CI under Δ^RM(M̄): the union over the polyhedra Δ^RM_{s,±}(M̄) of the ARP
    hybrid confidence sets on HonestDiD's θ grid (``computeConditionalCS_DeltaRM``)."""
    num_post = len(lv)
    post = slice(num_pre, num_pre + num_post)
    sd_theta = float(np.sqrt(lv @ sigma[post, post] @ lv))
    maxpre = float(np.max(np.abs(np.diff(np.r_[beta[:num_pre], 0.0]))))
    off = float(beta[post] @ lv)
    half = float(m_bar * np.arange(1, num_post + 1) @ np.abs(lv) * maxpre) + 20 * sd_theta
    grid = np.linspace(off - half, off + half, grid_points)
    kappa = alpha / 10
    lows, highs = [], []
    for s in s_values if s_values is not None else range(-(num_pre - 1), 1):
        for positive in (True, False):
            A = _rm_constraints(num_pre, num_post, m_bar, s, positive)
            test = _ARP(beta, sigma, A, num_pre, lv, alpha, hybrid, kappa, sims, seed)
            lo, hi = _grid_interval(test.accepts, grid)
            if lo is not None:
                lows.append(grid[lo])
                highs.append(grid[hi])
    if not lows:
        return np.nan, np.nan
    return float(min(lows)), float(max(highs))


# --------------------------------------------------------------------------- the public functions

_METHODS = {
    "relative_magnitudes": "relative_magnitudes",
    "rm": "relative_magnitudes",
    "smoothness": "smoothness",
    "sd": "smoothness",
}
DEFAULT_M_BAR = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SD_GRID_SE = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def _robust_ci(pc: PlaceboCovariance, method: str, m: float, lv: np.ndarray, alpha: float) -> tuple[float, float]:
    pre = pc.pre
    if method == "smoothness":
        lo, hi, _ = _flci(pc.betahat, pc.vcov, pc.relative_times, pre, lv, m, alpha)
        return lo, hi
    return _rm_ci(pc.betahat, pc.vcov, pc.num_pre, lv, m, alpha)


def _default_grid(pc: PlaceboCovariance, method: str, lv: np.ndarray) -> np.ndarray:
    """Relative magnitudes: 0, 0.25, …, 2 (R HonestDiD's range). Smoothness: M in multiples
    of the target's standard error per quarter², 0 … 0.5·se (a change of slope of half a
    standard error per quarter already widens the interval many times over)."""
    if method == "relative_magnitudes":
        return np.array(DEFAULT_M_BAR)
    post = pc.event_times >= 0
    se = float(np.sqrt(lv @ pc.vcov[np.ix_(post, post)] @ lv))
    return se * np.array(SD_GRID_SE)


def _covers_zero(lo: float, hi: float) -> bool:
    """True when the robust set contains 0. An empty set (NaN bounds: every θ rejected, the
    restriction itself is at odds with the data) does not count."""
    return bool(np.isfinite(lo) and np.isfinite(hi) and lo <= 0 <= hi)


def honest_did(
    study,
    *,
    method: str = "relative_magnitudes",
    m_bar: Sequence[float] | None = None,
    alpha: float = 0.05,
    target="average_post",
    breakdown_tol: float | None = None,
) -> EstimateResult:
    """Rambachan & Roth (2023) confidence sets for the post-pilot effect when parallel
    trends may fail, over a grid of how badly.

    Parameters
    ----------
    study
        ``event_study(...)`` (:func:`pilot_eval.estimate.effects.event_study`; uses its
        ``details["placebo"]``: the universal-base coefficients and their full-rank placebo
        covariance, :func:`placebo_covariance`) or a :class:`PlaceboCovariance`.
    method
        ``"relative_magnitudes"``: Δ^RM(M̄) — every post-period change in the trend
        difference is at most M̄ times the largest pre-period change
        (|δ_{t+1} − δ_t| ≤ M̄ · max_{s<0} |δ_{s+1} − δ_s|); robust confidence set by the
        hybrid conditional / least-favourable ARP test (κ = α/10) of each polyhedron
        Δ^RM_{s,±}, their union over s and sign, on a grid of 1 000 θ values (as R HonestDiD
        ``createSensitivityResults_relativeMagnitudes``, method "C-LF").
        ``"smoothness"``: Δ^SD(M) — the trend difference's slope changes by at most M per
        quarter (|δ_{t+1} − 2δ_t + δ_{t−1}| ≤ M, in the outcome's unit); the optimal
        fixed-length confidence interval (FLCI, as ``createSensitivityResults``' default).
    m_bar
        The grid of M̄ (relative magnitudes, unitless; default 0, 0.25, …, 1.5, 2) or M
        (smoothness, outcome units per quarter²; default 0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3,
        0.5 times the target's standard error).
    alpha
        1 − confidence level.
    target
        ``"average_post"`` (default): the mean of the post-pilot event-time effects, equal
        weights 1/numPost on event times 0…numPost−1 (HonestDiD's l_vec) — the same
        "overall" as the event study's; or a vector of post-period weights.
    breakdown_tol
        Refine the breakdown value by bisection between grid points to this precision
        (default: 1 % of the grid's largest value).

    Returns
    -------
    EstimateResult
        ``tidy()``: one row per grid value, ``term`` "average_post", ``m_bar``,
        ``estimate`` (l'β̂), ``conf_low``/``conf_high`` (the robust set), ``method``
        ("honest_did_relative_magnitudes" or "honest_did_smoothness"), ``inference``
        ("arp_hybrid_lf" / "flci"), plus a first row ``m_bar`` NaN, ``inference``
        "original" (l'β̂ ± z·se, exact parallel trends) with the placebo covariance.
        ``details["breakdown"]``: the smallest M̄ (M) at which the robust set contains 0 —
        0 if the original interval already does, ``inf`` if no value up to the grid's end
        does (then the conclusion holds over the whole grid); an empty robust set (NaN
        bounds) does not count as containing 0; also :func:`breakdown`.
        ``details["l_vec"]``, ``details["seconds"]``.

    Notes
    -----
    The numerics are this module's own (numpy/scipy; see the module notes for why no
    library): the FLCI by convex optimisation (SLSQP) of the exact worst-case bias, the ARP
    tests by enumerating the vertices of the dual LP (exact statistic and truncation points
    instead of HonestDiD's LP-plus-bisection). Relative magnitudes uses every one of the
    numPre pre-period differences as a candidate maximum, as R HonestDiD (moderndid 0.2.0
    leaves out the earliest).
    """
    import time

    t0 = time.perf_counter()
    if method not in _METHODS:
        raise ValueError(f"honest_did: method must be 'relative_magnitudes' or 'smoothness', not {method!r}")
    method = _METHODS[method]
    pc, outcome = _inputs(study)
    if pc.num_pre < 2 and method == "relative_magnitudes":
        raise ValueError("honest_did: relative magnitudes need at least two pre-periods")
    if pc.num_post < 1:
        raise ValueError("honest_did: no post-period coefficient")
    lv = _l_vec(pc, target)
    grid = np.asarray(_default_grid(pc, method, lv) if m_bar is None else m_bar, dtype=float)
    if np.any(grid < 0):
        raise ValueError("honest_did: m_bar values must be non-negative")
    grid = np.sort(grid)
    post = pc.event_times >= 0
    est, se, olo, ohi = _original_ci(pc.betahat, pc.vcov, post, lv, alpha)
    name = f"honest_did_{method}"
    inference = "arp_hybrid_lf" if method == "relative_magnitudes" else "flci"
    rows = [
        {
            "outcome": outcome,
            "term": "average_post",
            "m_bar": np.nan,
            "estimate": est,
            "std_error": se,
            "conf_low": olo,
            "conf_high": ohi,
            "n": pc.num_pre + pc.num_post,
            "method": name,
            "inference": "original",
        }
    ]
    cis = {}
    for m in grid:
        lo, hi = _robust_ci(pc, method, float(m), lv, alpha)
        cis[float(m)] = (lo, hi)
        rows.append(
            {
                "outcome": outcome,
                "term": "average_post",
                "m_bar": float(m),
                "estimate": est,
                "conf_low": lo,
                "conf_high": hi,
                "n": pc.num_pre + pc.num_post,
                "method": name,
                "inference": inference,
            }
        )
    # breakdown: the first grid value whose set contains zero, refined by bisection
    if olo <= 0 <= ohi:
        value = 0.0
    else:
        covered = [m for m in grid if _covers_zero(*cis[float(m)])]
        if not covered:
            value = float("inf")
        else:
            hi_m = float(covered[0])
            below = [m for m in grid if m < hi_m]
            lo_m = float(below[-1]) if below else 0.0
            if lo_m == hi_m or (lo_m == 0.0 and _covers_zero(*_robust_ci(pc, method, 0.0, lv, alpha))):
                value = lo_m
            else:
                tol = breakdown_tol if breakdown_tol is not None else 0.01 * max(float(grid.max()), 1e-12)
                while hi_m - lo_m > tol:
                    mid = (lo_m + hi_m) / 2
                    if _covers_zero(*_robust_ci(pc, method, mid, lv, alpha)):
                        hi_m = mid
                    else:
                        lo_m = mid
                value = hi_m
    table = tidy_frame(rows, index_columns=["outcome", "m_bar"])
    return EstimateResult(
        table,
        details={
            "breakdown": value,
            "method": method,
            "l_vec": lv,
            "alpha": alpha,
            "grid": grid,
            "seconds": time.perf_counter() - t0,
            "event_times": pc.event_times,
        },
    )


def breakdown(result: EstimateResult) -> float:
    """The breakdown value of an :func:`honest_did` result: the smallest M̄ (M) at which
    the robust confidence set contains zero (0: the original interval already does; ``inf``:
    none on the grid does)."""
    return float(result.details["breakdown"])
