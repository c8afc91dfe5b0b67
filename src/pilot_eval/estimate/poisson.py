"""Count outcomes on the log scale: Poisson (PPML) difference-in-differences with ratios.

Applicants per vacancy (and qualified applicants per vacancy) are counts whose common
trends are multiplicative: in the demo generator the labour-market factor multiplies
expected applicants (about +20 % in 2023–25), and the pilot administrations have lower
baselines (shortage roles). Parallel trends then hold in ratios, not in levels, and the
levels difference-in-differences of :mod:`pilot_eval.estimate.effects` is biased (about
−0.36 / −0.93 applicants during / after under no effect; ``docs/estimation.md``). This
module estimates the same design on the log scale.

**Model** (one start date, :func:`poisson_effects`): Poisson pseudo-maximum likelihood
(PPML; Santos Silva & Tenreyro 2006) with the mean ::

    E[y_i] = exp(α_admin(i) + γ_period(i) + β_during · during_i + β_after · after_i)

``exp(β)`` is the ratio of expected counts with and without the pilot (the same for every
administration and quarter under the model), reported as ``estimate = exp(β) − 1``, the
proportional change ("12 % fewer applicants" is −0.12). PPML is consistent for this mean
whatever the distribution of ``y`` (over-dispersion is the rule for applicants); only the
standard errors need the cluster-robust sandwich.

**Cells.** With only categorical regressors the Poisson log likelihood depends on the rows
only through each cell's sum of ``y`` and its number of rows (``Σ y η − n e^η`` per cell), so
every fit here is made on administration × period × phase cells with exposure = rows: the
same estimate, Hessian and cluster scores as on the microdata (tested against statsmodels
GLM on the rows to 1e-8). About 180 cells instead of 7 000 rows, which makes refitting
cheap: the 56 placebo assignments are one batched Newton solve (:func:`_fit_batch`).

**Inference**, three rows per term as for the linear outcomes:

* ``cluster_robust``: CR1 by administration, ``G/(G−1)·(N−1)/(N−k)`` times the sandwich
  ``H⁻¹ (Σ_g s_g s_g') H⁻¹`` with ``k`` every coefficient (fixed effects included) and ``N``
  the rows: statsmodels' GLM ``cov_type="cluster"`` (tested). The p-value and interval use
  t(G − 1) on the log scale, as the linear rows do (Stata's ``poisson`` and pyfixest use
  the normal; t(7) is the less anti-conservative choice with 8 clusters); the interval is
  ``exp(β ± t·se) − 1``.
* ``wild_cluster_bootstrap_webb``: the restricted wild *score* bootstrap (Kline & Santos
  2012; boottest's ``boottype(score)`` after ML estimation). Own numpy implementation: no
  Python library has it. Under H0: β_j = h0 the model is refitted with β_j fixed; with its
  cluster scores ``s_g`` and Hessian ``H`` (both at the restricted fit, ``H`` held fixed),
  draw ``v`` gives the one-step bootstrap estimate ``e_j'H⁻¹ Σ_g v_g s_g`` and its CR1
  variance from the re-centred scores ``v_h s_h − H_h H⁻¹ Σ_g v_g s_g`` (``H_h`` cluster h's
  part of the Hessian). This is the Roodman et al. (2019) algebra of the linear WCR
  bootstrap with Poisson weights: for a linear model it reproduces
  :func:`~pilot_eval.estimate.inference.wild_cluster_bootstrap` exactly (tested). The actual
  statistic is the same formula at ``v = 1`` (a cluster-robust score statistic, 0 at
  ``h0 = β̂``). Webb weights, p-value ``(b + 1)/(B + 1)`` with random draws as elsewhere;
  the interval inverts the test (one restricted refit per trial ``h0``, the same draws).
* ``randomization_inference`` (headline): the log ratio re-estimated under all 56
  assignments, in the order of :func:`~pilot_eval.estimate.inference.randomization_inference`;
  its interval inverts the test under a constant multiplicative effect: for τ on the log
  scale the untreated counts are ``y·exp(−τ·D)`` on the actually treated rows of the term,
  every assignment is refitted (batched, warm-started), and the interval is every τ with
  p(τ) > α (bounds to 1e-6 on the log scale).

**Staggered roll-out** (:func:`poisson_imputation`): the Poisson imputation estimator
(Wooldridge 2023): the administration and period effects are fitted by Poisson on the
untreated rows only, each treated row's untreated mean ``μ0 = exp(α̂ + γ̂)`` is imputed, and
the ratio of a phase is ``Σ y / Σ μ0`` over its treated rows (the estimate is ratio − 1).
Equivalent to Poisson with one dummy per treated administration × period × phase cell
(canonical link: treated cells are then fitted exactly and the fixed effects come from the
untreated rows alone). Randomization inference uses the placebo schedules of
:meth:`~pilot_eval.estimate.effects.RolloutDesign.donors` as the linear imputation estimator
does, with its interval by test inversion; the cluster-robust row is the M-estimator
sandwich of the stacked moments (untreated Poisson scores and ``Σ_treated (y − e^ρ μ0)``),
anti-conservative with one administration per start date for the reason the linear
imputation rows are. No wild bootstrap row (the null ``log Σy/Σμ0 = h0`` is not a
coefficient restriction of a Poisson model; a note says so).

References
----------
Santos Silva, J. M. C. & Tenreyro, S. (2006). The log of gravity. *Review of Economics and
Statistics* 88(4), 641–658.
Kline, P. & Santos, A. (2012). A score based approach to wild bootstrap inference.
*Journal of Econometric Methods* 1(1), 23–41.
Roodman, D., MacKinnon, J. G., Nielsen, M. Ø. & Webb, M. D. (2019). Fast and wild:
Bootstrap inference in Stata using boottest. *The Stata Journal* 19(1), 4–60 (§7, the
score bootstrap).
Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences with
panel data. *The Econometrics Journal* 26(3), C31–C66.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = ["COUNT_OUTCOMES", "POISSON_METHODS", "poisson_effects", "poisson_fit", "poisson_imputation"]

#: Outcomes that are counts per vacancy: estimated by Poisson (ratios) unless asked otherwise.
COUNT_OUTCOMES = ("applicants_per_vacancy", "qualified_applicants_per_vacancy")

#: ``method`` of the tidy rows: one start date / staggered roll-out.
POISSON_METHODS = ("poisson_fixed_effects", "poisson_imputation_staggered")

TERMS = ("during", "after")
_TOL = 1e-11  # Newton: largest coefficient step at convergence
_CI_TOL = 1e-6  # test inversion: width of the bracket of a bound on the log scale


# --------------------------------------------------------------------------- fitting


def _fit_batch(
    X: np.ndarray,
    s: np.ndarray,
    n: np.ndarray,
    beta0: np.ndarray | None = None,
    offset: np.ndarray | None = None,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson maximum likelihood for a batch of problems on cells.

    Maximises ``Σ_c s_c η_c − n_c exp(η_c)`` with ``η = X β + offset`` for each problem b:
    ``X`` (B, C, k) or (C, k) shared, ``s`` (B, C) cell sums, ``n`` (B, C) or (C,) exposures.
    Newton–Raphson with step halving (the objective is concave); a column with no exposure
    in a problem is held at 0 (whatever its start value). Returns (β (B, k), converged (B,)); a problem whose treated
    cells have no counts (β → −∞) does not converge.
    """
    s = np.atleast_2d(s)
    B = s.shape[0]
    Xb = X if X.ndim == 3 else np.broadcast_to(X, (B, *X.shape))
    nb = np.broadcast_to(n, s.shape)
    off = np.zeros(s.shape) if offset is None else np.broadcast_to(offset, s.shape)
    k = Xb.shape[2]
    if beta0 is None:
        beta = np.zeros((B, k))
        beta[:, 0] = np.log(np.maximum(s.sum(axis=1), 1e-300) / np.maximum(nb.sum(axis=1), 1e-300))
    else:
        beta = np.array(np.broadcast_to(beta0, (B, k)), dtype=float)
    XT = Xb.transpose(0, 2, 1)
    empty = (np.abs(XT) @ nb[:, :, None])[:, :, 0] == 0

    def linear(b: np.ndarray) -> np.ndarray:
        return (Xb @ b[:, :, None])[:, :, 0] + off

    def objective(eta: np.ndarray, which=slice(None)) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (s[which] * eta - nb[which] * np.exp(eta)).sum(axis=1)

    eta = linear(beta)
    value = objective(eta)
    converged = np.zeros(B, bool)
    for _ in range(max_iter):
        mu = nb * np.exp(eta)
        grad = (XT @ (s - mu)[:, :, None])[:, :, 0]
        H = XT @ (Xb * mu[:, :, None])
        if empty.any():
            H[empty] = 0.0
            idx = np.nonzero(empty)
            H[idx[0], idx[1], idx[1]] = 1.0
            grad[empty] = 0.0
        try:
            step = np.linalg.solve(H, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(h, g, rcond=None)[0] for h, g in zip(H, grad, strict=True)])
        t = np.ones(B)
        trial = beta + step
        eta_new = linear(trial)
        new = objective(eta_new)
        for _ in range(40):  # halve where the objective fell
            bad = ~(new >= value - 1e-12 * np.abs(value))
            if not bad.any():
                break
            t[bad] /= 2
            trial[bad] = beta[bad] + t[bad, None] * step[bad]
            eta_new[bad] = (Xb[bad] @ trial[bad][:, :, None])[:, :, 0] + off[bad]
            new[bad] = objective(eta_new[bad], bad)
        size = np.abs(t[:, None] * step).max(axis=1)
        beta, value, eta = trial, new, eta_new
        converged = size < _TOL * np.maximum(1.0, np.abs(beta).max(axis=1))
        if converged.all():
            break
    beta[empty] = 0.0
    return beta, converged & np.isfinite(beta).all(axis=1)


class _Cells:
    """The rows of one outcome collapsed to administration × period × phase cells (with the
    actual treatment indicators), and the fixed-effects design on those cells."""

    def __init__(self, data: pd.DataFrame, terms: Sequence[str]):
        admin = data["administration"].astype(str).to_numpy()
        period = data["period"].astype(str).to_numpy()
        phase = data["phase"].astype(str).to_numpy()
        self.units = sorted(set(admin))
        self.periods = sorted(set(period))
        self.terms = list(terms)
        a = pd.Index(self.units).get_indexer(admin)
        q = pd.Index(self.periods).get_indexer(period)
        ph = pd.Index(["before", "during", "after"]).get_indexer(phase)
        ph = np.where(ph < 0, 0, ph)
        D = data[self.terms].to_numpy(dtype=float) if self.terms else np.zeros((len(data), 0))
        key = ((a * len(self.periods) + q) * 3 + ph) * (1 << len(self.terms))
        for j in range(len(self.terms)):
            key = key + (D[:, j] > 0).astype(int) * (1 << j)
        uniq, inverse = np.unique(key, return_inverse=True)
        self.n = np.bincount(inverse, minlength=len(uniq)).astype(float)
        self.s = np.bincount(inverse, data["y"].to_numpy(dtype=float), minlength=len(uniq))
        self.inverse = inverse
        first = np.zeros(len(uniq), np.intp)
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]
        self.a, self.q, self.phase = a[first], q[first], ph[first]
        self.D = D[first]  # actual treatment of each cell
        self.N = len(data)
        C = len(uniq)
        cols = [np.ones(C)]
        names = ["Intercept"]
        for i, u in enumerate(self.units[1:], start=1):
            cols.append((self.a == i).astype(float))
            names.append(f"C(administration)[T.{u}]")
        for i, p in enumerate(self.periods[1:], start=1):
            cols.append((self.q == i).astype(float))
            names.append(f"C(period)[T.{p}]")
        self.F = np.column_stack(cols)
        self.fe_names = names

    def design(self, D: np.ndarray) -> np.ndarray:
        """Cells × (fixed effects, treatment columns ``D``)."""
        return np.column_stack([self.F, D])

    def assignment_D(self, assignment) -> np.ndarray:
        """The treatment columns of the cells had ``assignment`` been the pilot (same calendar)."""
        idx = [self.units.index(str(u)) for u in assignment]
        pilot = np.isin(self.a, idx)
        return np.column_stack([(pilot & (self.phase == (1 if t == "during" else 2))) for t in self.terms]).astype(
            float
        )


def _cr1(X, s, n, beta, cluster, N) -> tuple[np.ndarray, np.ndarray]:
    """CR1 covariance of Poisson β on cells: ``c · H⁻¹ M H⁻¹`` with ``c = G/(G−1)·(N−1)/(N−k)``
    (statsmodels' GLM ``cov_type="cluster"``); returns (covariance, H)."""
    mu = n * np.exp(X @ beta)
    H = X.T @ (X * mu[:, None])
    G = int(cluster.max()) + 1
    scores = np.zeros((G, X.shape[1]))
    np.add.at(scores, cluster, X * (s - mu)[:, None])
    A = np.linalg.inv(H)
    k = X.shape[1]
    c = G / (G - 1) * (N - 1) / (N - k)
    return c * A @ (scores.T @ scores) @ A, H


def poisson_fit(data: pd.DataFrame, terms: Sequence[str] = TERMS) -> dict:
    """PPML of ``y`` on ``terms`` with administration and period fixed effects, fitted on
    cells (see the module notes). Returns ``{"params": Series (statsmodels' names and
    order: Intercept, C(administration)[T.…], C(period)[T.…], terms), "cov": CR1 DataFrame,
    "n": rows, "n_clusters": G}``; equal to statsmodels
    ``GLM(y, X, family=Poisson()).fit(cov_type="cluster", cov_kwds={"groups": admin})``
    on the rows (tested to 1e-8)."""
    terms = [t for t in terms if data[t].abs().sum() > 0]
    cells = _Cells(data, terms)
    X = cells.design(cells.D)
    beta, ok = _fit_batch(X, cells.s[None, :], cells.n)
    if not ok[0]:
        raise ValueError("the Poisson fit did not converge (a term's treated rows may have no counts)")
    cov, _ = _cr1(X, cells.s, cells.n, beta[0], cells.a, cells.N)
    names = [*cells.fe_names, *terms]
    return {
        "params": pd.Series(beta[0], index=names),
        "cov": pd.DataFrame(cov, index=names, columns=names),
        "n": cells.N,
        "n_clusters": len(cells.units),
    }


# --------------------------------------------------------------------------- score bootstrap


def _score_bootstrap_stats(X, w, r, cluster, j, V, c) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Numerator and denominator² of the score statistic at ``v = 1`` and of every draw
    (columns of ``V``, G × B): ``X`` cells × k, ``w`` the Hessian weights (n μ̃), ``r`` the
    residuals (s − n μ̃) at the restricted fit, ``j`` the tested column, ``c`` the CR1 factor.
    With ``w = 1`` and OLS residuals this is the WCR algebra of
    :func:`~pilot_eval.estimate.inference._bootstrap_distribution`."""
    G = V.shape[0]
    A = np.linalg.inv(X.T @ (X * w[:, None]))
    q = X @ A[:, j]
    S = np.zeros((G, len(cluster)))
    S[cluster, np.arange(len(cluster))] = 1.0
    s0 = S @ (q * r)  # (G,)  e_j' H⁻¹ s_g
    QX = S @ (X * (w * q)[:, None])  # (G, k): e_j' H⁻¹ H_h
    XU = S @ (X * r[:, None])  # (G, k): s_g
    K = np.diag(s0) - (QX @ A) @ XU.T  # (G, G)
    one = np.ones(G)
    k1 = K @ one
    KV = K @ V
    return float(s0.sum()), float(c * k1 @ k1), s0 @ V, c * np.einsum("ij,ij->j", KV, KV)


class _ScoreBootstrap:
    """The restricted wild score bootstrap of one term of the cell model (module notes):
    ``p_value(h0)`` refits the model with the term fixed at ``h0`` and compares the score
    statistic with its draws (fixed Webb draws ``V``)."""

    def __init__(self, X, s, n, cluster, j, N, V, sampled: bool, beta_hat: np.ndarray):
        self.X, self.s, self.n, self.cluster, self.j = X, s, n, cluster, j
        self.V, self.sampled = V, sampled
        self.Xr = np.delete(X, j, axis=1)
        G, k = int(cluster.max()) + 1, X.shape[1]
        self.c = G / (G - 1) * (N - 1) / (N - k)
        self.start = np.delete(beta_hat, j)
        self._cache: dict[float, float] = {}

    def p_value(self, h0: float) -> float:
        h0 = float(h0)
        if h0 in self._cache:
            return self._cache[h0]
        from .inference import _BootstrapDistribution

        off = h0 * self.X[:, self.j]
        br, ok = _fit_batch(self.Xr, self.s[None, :], self.n, beta0=self.start, offset=off[None, :])
        if not ok[0]:
            return float("nan")
        eta = self.Xr @ br[0] + off
        mu = self.n * np.exp(eta)
        num, den2, n0, a = _score_bootstrap_stats(self.X, mu, self.s - mu, self.cluster, self.j, self.V, self.c)
        zeros = np.zeros_like(n0)
        dist = _BootstrapDistribution(
            n0=n0,
            n1=zeros,
            a=a,
            b=zeros,
            cc=zeros,
            prob=None,
            c=1.0,
            estimate=num,
            std_error=math.sqrt(den2) if den2 > 0 else float("nan"),
            p_type="symmetric",
            ties="count",
            sampled=self.sampled,
        )
        p = dist.p_value(0.0) if den2 > 0 else 1.0
        self._cache[h0] = p
        return p

    def statistic(self, h0: float = 0.0) -> float:
        off = h0 * self.X[:, self.j]
        br, _ = _fit_batch(self.Xr, self.s[None, :], self.n, beta0=self.start, offset=off[None, :])
        mu = self.n * np.exp(self.Xr @ br[0] + off)
        num, den2, *_ = _score_bootstrap_stats(self.X, mu, self.s - mu, self.cluster, self.j, self.V[:, :1], self.c)
        return num / math.sqrt(den2)


def _invert(p_value, centre: float, scale: float, alpha: float, tol: float = _CI_TOL) -> tuple[float, float]:
    """{h : p(h) > alpha} around ``centre`` (accepted there): expand by doubling steps from
    ``scale`` until rejected, then bisect to ``tol``; a side never rejected within 2^30
    steps is unbounded (±inf)."""
    out = []
    for direction in (-1.0, 1.0):
        inside, step, outside = centre, max(scale, 1e-6), None
        for _ in range(30):
            trial = inside + direction * step
            p = p_value(trial)
            if not np.isfinite(p) or p <= alpha:
                outside = trial
                break
            inside, step = trial, step * 2
        if outside is None:
            out.append(direction * math.inf)
            continue
        while abs(outside - inside) > tol:
            mid = 0.5 * (inside + outside)
            p = p_value(mid)
            if np.isfinite(p) and p > alpha:
                inside = mid
            else:
                outside = mid
        out.append(0.5 * (inside + outside))
    return out[0], out[1]


def _weights(G: int, reps: int, seed) -> tuple[np.ndarray, bool]:
    """Webb weights G × B as the linear bootstrap draws them (enumerated when 6^G ≤ reps)."""
    from .inference import _weight_draws

    enumerated, _, chunks = _weight_draws("webb", G, int(reps), None, seed)
    return np.concatenate([v for v, _ in chunks()], axis=1), not enumerated


# --------------------------------------------------------------------------- randomization


def _ri_p(stats: np.ndarray, actual: int) -> float:
    a = np.abs(stats)
    return float((a >= a[actual] - 1e-12 * max(1.0, a[actual])).mean())


def _ratio_row(term, log_est, log_low, log_high, se, p, n, method, inference, **extra) -> dict:
    return {
        "term": term,
        "estimate": math.expm1(log_est),
        "std_error": se,
        "conf_low": math.expm1(log_low) if np.isfinite(log_low) else (-1.0 if log_low < 0 else math.inf),
        "conf_high": math.expm1(log_high) if np.isfinite(log_high) else (math.inf if log_high > 0 else -1.0),
        "p_value": p,
        "n": n,
        "method": method,
        "inference": inference,
        "scale": "ratio",
        "ratio": math.exp(log_est),
        "log_ratio": log_est,
        "log_conf_low": log_low,
        "log_conf_high": log_high,
        **extra,
    }


def _randomization_result(data, assignments, stats, treated, alpha, term, notes, why):
    """The randomization-inference result of one term from its log-ratio statistic under
    every assignment; None (and a note saying ``why``) when some assignment has none."""
    from .inference import randomization_inference

    if not np.all(np.isfinite(stats)):
        bad = [("+".join(sorted(a))) for a, v in zip(assignments, stats, strict=True) if not np.isfinite(v)]
        notes.append(f"{term}: no randomization inference: {why} for {len(bad)} placebo assignment(s), e.g. {bad[0]}")
        return None
    lookup = dict(zip(assignments, stats, strict=True))
    ri = randomization_inference(
        data, lambda d, a: lookup[frozenset(a)], unit="administration", treated=treated, alpha=alpha
    )
    ri.details["scale"] = "log_ratio"
    return ri


def _ri_row(term, log_est, log_low, log_high, ri, n, method) -> dict:
    """The randomization-inference row of one term (``ri`` its result over the assignments)."""
    return _ratio_row(
        term,
        log_est,
        log_low,
        log_high,
        float("nan"),
        ri.p_value,
        n,
        method,
        "randomization_inference",
        statistic=ri.statistic_value,
        n_assignments=ri.n_assignments,
        enumerated=True,
        p_value_one_sided_upper=ri.p_value_one_sided_upper,
        p_value_one_sided_lower=ri.p_value_one_sided_lower,
    )


def _t_crit(df: int, alpha: float) -> tuple[float, object]:
    from scipy import special

    return float(special.stdtrit(df, 1 - alpha / 2)), special


def poisson_effects(
    data: pd.DataFrame,
    *,
    reps: int = 9999,
    seed: int | None = 2023,
    alpha: float = 0.05,
    randomization: dict | None = None,
    notes: list | None = None,
    rollout=None,
    headline_only: bool = False,
    interval: bool = True,
) -> list[dict]:
    """The tidy rows of one count outcome (:data:`COUNT_OUTCOMES`) on its analysis rows
    (:func:`~pilot_eval.estimate.effects.outcome_data`): for each term present (during,
    after) the ``cluster_robust``, ``wild_cluster_bootstrap_webb`` and
    ``randomization_inference`` rows of the PPML difference-in-differences (one start date;
    method ``"poisson_fixed_effects"``), or of :func:`poisson_imputation` under a staggered
    roll-out. See the module notes for the estimator and the inferences.

    Every row: ``estimate`` = ratio − 1 (the proportional change in expected counts;
    −0.15 = 15 % fewer), ``conf_low``/``conf_high`` on that scale, ``std_error`` the CR1
    standard error of the **log** ratio (NaN for randomization inference), ``p_value``,
    ``n`` rows, ``method``, ``inference``, and ``scale`` = ``"ratio"``, ``ratio`` (exp β),
    ``log_ratio`` (β), ``log_conf_low``/``log_conf_high``, ``statistic`` (CR1 t, the score
    statistic, or the log ratio tested by randomization inference). Randomization results
    (statistic = log ratio, the 56 assignments in the order of
    :func:`~pilot_eval.estimate.inference.randomization_inference`) go into
    ``randomization[term]``. ``headline_only``: the randomization rows alone (no CR1 or
    bootstrap; bounds to 0.1 % on the log scale instead of 1e-6), what
    :mod:`pilot_eval.estimate.robustness` reruns on changed data; ``interval=False`` also
    leaves their interval out (NaN: its refits are most of the cost).
    """
    from .effects import rollout_design

    notes = [] if notes is None else notes
    if (data["y"].to_numpy(dtype=float) < 0).any():
        raise ValueError("Poisson estimation needs a non-negative outcome (counts); y has negative values")
    rollout = rollout or rollout_design(data)
    if rollout.staggered:
        return poisson_imputation(data, rollout, alpha=alpha, randomization=randomization, notes=notes)
    terms = [t for t in TERMS if data[t].sum() > 0]
    if not terms:
        return []
    method = POISSON_METHODS[0]
    # the robustness reruns print their bounds in whole per cent: 0.1 % on the log scale
    ci_tol = 1e-3 if headline_only else _CI_TOL
    cells = _Cells(data, terms)
    G = len(cells.units)
    treated = frozenset(rollout.treated)
    assignments = [frozenset(a) for a in combinations(cells.units, len(treated))]
    actual = assignments.index(treated)
    X = cells.design(cells.D)
    fit, ok = _fit_batch(X, cells.s[None, :], cells.n)
    if not ok[0]:
        notes.append("no Poisson estimate: the fit did not converge (a phase's treated rows may have no counts)")
        return []
    beta_hat = fit[0]
    cov, _ = _cr1(X, cells.s, cells.n, beta_hat, cells.a, cells.N)
    crit, special = _t_crit(G - 1, alpha)
    V, sampled = _weights(G, reps, seed)
    # every assignment at once (batched Newton), and the same refitted per τ for the interval
    X3 = np.stack([cells.design(cells.assignment_D(a)) for a in assignments])
    S0 = np.broadcast_to(cells.s, (len(assignments), len(cells.s)))
    base, conv = _fit_batch(X3, S0, cells.n, beta0=beta_hat)
    kF = cells.F.shape[1]
    rows = []
    for k, term in enumerate(terms):
        j = kF + k
        b, se = float(beta_hat[j]), math.sqrt(cov[j, j])
        t = b / se
        p = float(2 * special.stdtr(G - 1, -abs(t)))
        if not headline_only:
            rows.extend(
                _conventional_and_bootstrap_rows(
                    X, cells, j, term, b, se, t, p, crit, G, V, sampled, beta_hat, method, alpha
                )
            )
        stats = base[:, j].copy()
        stats[~conv | ((X3[:, :, j] * cells.n).sum(axis=1) == 0)] = np.nan  # no exposure: not estimable
        ri = _randomization_result(data, assignments, stats, treated, alpha, term, notes, "the Poisson fit fails")
        if ri is None:
            continue
        if randomization is not None:
            randomization[term] = ri
        shift = cells.D[:, k]
        cache: dict[float, np.ndarray] = {0.0: base}

        def p_tau(tau: float, shift=shift, cache=cache, j=j) -> float:
            near = min(cache, key=lambda x: abs(x - tau))
            st, ok_ = _fit_batch(X3, S0 * np.exp(-tau * shift)[None, :], cells.n, beta0=cache[near])
            cache[tau] = st
            if not ok_.all():
                return float("nan")
            return _ri_p(st[:, j], actual)

        if interval:
            low, high = _invert(p_tau, b, max(np.ptp(stats), abs(b), 1e-3), alpha, tol=ci_tol)
        else:
            low, high = np.nan, np.nan
        rows.append(_ri_row(term, b, low, high, ri, cells.N, method))
    return rows


def _conventional_and_bootstrap_rows(X, cells, j, term, b, se, t, p, crit, G, V, sampled, beta_hat, method, alpha):
    """The cluster-robust and wild-score-bootstrap rows of one term (see :func:`poisson_effects`)."""
    conventional = _ratio_row(
        term, b, b - crit * se, b + crit * se, se, p, cells.N, method, "cluster_robust", statistic=t, df=G - 1
    )
    boot = _ScoreBootstrap(X, cells.s, cells.n, cells.a, j, cells.N, V, sampled, beta_hat)
    low, high = _invert(boot.p_value, b, 2 * se, alpha)
    bootstrap = _ratio_row(
        term,
        b,
        low,
        high,
        se,
        boot.p_value(0.0),
        cells.N,
        method,
        "wild_cluster_bootstrap_webb",
        statistic=boot.statistic(0.0),
        reps=V.shape[1],
        enumerated=not sampled,
    )
    return [conventional, bootstrap]


# --------------------------------------------------------------------------- staggered: imputation


class _PoissonImputation:
    """The Poisson imputation estimator on administration × period cells for any
    assignment of schedules (the cell sums of :class:`~pilot_eval.estimate.effects._Imputation`
    with columns y, y·during, y·after of the actual roll-out, so that the interval's
    ``y·exp(−τ·D)`` is a change of cell sums)."""

    def __init__(self, data: pd.DataFrame, rollout, terms: Sequence[str]):
        from .effects import _Imputation

        self.terms = list(terms)
        y = data["y"].to_numpy(dtype=float)
        D = data[["during", "after"]].to_numpy(dtype=float)
        self.imp = _Imputation(data, rollout, np.column_stack([y, y * D[:, 0], y * D[:, 1]]))
        A, Q = self.imp.n.shape
        a, q = np.divmod(np.arange(A * Q), Q)
        cols = [np.ones(A * Q)]
        cols += [(a == i).astype(float) for i in range(1, A)]
        cols += [(q == i).astype(float) for i in range(1, Q)]
        self.X = np.column_stack(cols)
        self.A, self.Q = A, Q
        self.rollout = rollout
        self.N = len(data)

    def parts(self, assignments: Sequence[Sequence[tuple[str, str]]]):
        """For each assignment (pairs of administration, schedule donor): untreated counts
        and sums (B, A, Q[, 3]) and treated counts and sums per phase (B, 2, A, Q[, 3])."""
        imp = self.imp
        B = len(assignments)
        Un = np.repeat(imp.n[None], B, axis=0)
        Us = np.repeat(imp.s[None], B, axis=0)
        Tn = np.zeros((B, 2, self.A, self.Q))
        Ts = np.zeros((B, 2, self.A, self.Q, imp.s.shape[2]))
        for b, pairs in enumerate(assignments):
            for unit, donor in pairs:
                i = imp.units.index(unit)
                for k, (n, s, _) in enumerate(imp.pair(unit, donor)):
                    Un[b, i] -= n
                    Us[b, i] -= s
                    Tn[b, k, i] += n
                    Ts[b, k, i] += s
        return Un, Us, Tn, Ts

    def log_ratios(self, parts, tau: float = 0.0, k_shift: int = 0, beta0=None):
        """(log ratio (B, 2), FE coefficients (B, kF), ok (B, 2)) with the actual treated rows
        of term ``k_shift`` scaled by ``exp(−τ)``."""
        Un, Us, Tn, Ts = parts
        B = Un.shape[0]
        scale = 1.0 - math.exp(-tau)
        us = Us[..., 0] - scale * Us[..., 1 + k_shift]
        ts = Ts[..., 0] - scale * Ts[..., 1 + k_shift]
        n = Un.reshape(B, -1)
        beta, conv = _fit_batch(self.X, us.reshape(B, -1), n, beta0=beta0)
        mu0 = np.exp(beta @ self.X.T).reshape(B, self.A, self.Q)  # per row
        ok_a = Un.sum(axis=2) > 0  # (B, A)
        ok_q = Un.sum(axis=1) > 0  # (B, Q)
        denom = (Tn * mu0[:, None]).sum(axis=(2, 3))
        num = ts.sum(axis=(2, 3))
        bad = ((Tn > 0) & ~(ok_a[:, None, :, None] & ok_q[:, None, None, :])).any(axis=(2, 3))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(num / denom)
        ok = conv[:, None] & ~bad & (Tn.sum(axis=(2, 3)) > 0) & np.isfinite(out)
        return np.where(ok, out, np.nan), beta, ok

    def cr1(self, parts_actual, beta: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """CR1 covariance of (φ, ρ_during, ρ_after) from the stacked moments (module notes);
        terms with no treated rows are left out of the system."""
        Un, Us, Tn, Ts = (p[0] for p in parts_actual)
        A, Q = self.A, self.Q
        X = self.X
        mu0 = np.exp(X @ beta)
        kF = X.shape[1]
        active = [k for k in range(2) if Tn[k].sum() > 0]
        p = kF + len(active)
        G = A
        cl = np.repeat(np.arange(A), Q)
        un, us = Un.reshape(-1), Us[..., 0].reshape(-1)
        g = np.zeros((G, p))
        gf = np.zeros((G, kF))
        np.add.at(gf, cl, X * (us - un * mu0)[:, None])
        g[:, :kF] = gf
        J = np.zeros((p, p))
        J[:kF, :kF] = -X.T @ (X * (un * mu0)[:, None])
        for m, k in enumerate(active):
            tn, ts = Tn[k].reshape(-1), Ts[k][..., 0].reshape(-1)
            e = math.exp(rho[k])
            g[:, kF + m] = np.bincount(cl, ts - tn * mu0 * e, minlength=G)
            J[kF + m, :kF] = -(X * (tn * mu0 * e)[:, None]).sum(axis=0)
            J[kF + m, kF + m] = -(tn * mu0 * e).sum()
        Ji = np.linalg.inv(J)
        c = G / (G - 1) * (self.N - 1) / (self.N - p)
        V = c * Ji @ (g.T @ g) @ Ji.T
        out = np.full((2, 2), np.nan)
        for m, k in enumerate(active):
            for m2, k2 in enumerate(active):
                out[k, k2] = V[kF + m, kF + m2]
        return out


def poisson_imputation(
    data: pd.DataFrame,
    rollout=None,
    *,
    alpha: float = 0.05,
    randomization: dict | None = None,
    notes: list | None = None,
) -> list[dict]:
    """The Poisson imputation estimator for a staggered roll-out (module notes; Wooldridge
    2023): per term the ``cluster_robust`` row (stacked-moment sandwich, CR1, t(G − 1) on the
    log scale) and the ``randomization_inference`` row (log ratio over the 56 assignments
    with the pilot schedules paired by :meth:`RolloutDesign.donors`; interval by test
    inversion under a constant multiplicative effect), method
    ``"poisson_imputation_staggered"``, in the shape of :func:`poisson_effects`. No wild
    bootstrap row (a note says why)."""
    from .effects import rollout_design

    notes = [] if notes is None else notes
    rollout = rollout or rollout_design(data)
    terms = [t for t in TERMS if data[t].sum() > 0]
    if not terms:
        return []
    method = POISSON_METHODS[1]
    est = _PoissonImputation(data, rollout, terms)
    units = est.imp.units
    treated = frozenset(rollout.treated)
    assignments = [frozenset(a) for a in combinations(units, len(treated))]
    actual = assignments.index(treated)
    pairs = [rollout.donors(a) for a in assignments]
    parts = est.parts(pairs)
    base, beta, ok = est.log_ratios(parts)
    G = len(units)
    crit, special = _t_crit(G - 1, alpha)
    cov = est.cr1(tuple(p[actual : actual + 1] for p in parts), beta[actual], base[actual])
    notes.append(
        f"{rollout.reason}: count outcome: Poisson imputation estimator (ratio of observed to imputed "
        "untreated counts); placebo assignments take the pilot schedules by rank of pre-pilot volume "
        f"({', '.join(rollout.treated)}); the cluster-robust row cannot see a single-administration "
        "cohort's own shocks and is anti-conservative; no wild bootstrap row (the ratio is not a "
        "coefficient of a Poisson model whose null could be imposed)"
    )
    rows = []
    for k, term in enumerate(TERMS):
        if term not in terms or not np.isfinite(base[actual, k]):
            continue
        b = float(base[actual, k])
        se = math.sqrt(cov[k, k])
        t = b / se
        p = float(2 * special.stdtr(G - 1, -abs(t)))
        rows.append(
            _ratio_row(term, b, b - crit * se, b + crit * se, se, p, est.N, method, "cluster_robust", statistic=t)
        )
        stats = base[:, k]
        why = "the ratio cannot be estimated"
        ri = _randomization_result(data, assignments, stats, treated, alpha, term, notes, why)
        if ri is None:
            continue
        if randomization is not None:
            randomization[term] = ri
        cache: dict[float, np.ndarray] = {0.0: beta}

        def p_tau(tau: float, k=k, cache=cache) -> float:
            near = min(cache, key=lambda x: abs(x - tau))
            st, be, ok_ = est.log_ratios(parts, tau, k, beta0=cache[near])
            cache[tau] = be
            if not ok_[:, k].all():
                return float("nan")
            return _ri_p(st[:, k], actual)

        low, high = _invert(p_tau, b, max(np.ptp(stats), abs(b), 1e-3), alpha)
        rows.append(_ri_row(term, b, low, high, ri, est.N, method))
    return rows
