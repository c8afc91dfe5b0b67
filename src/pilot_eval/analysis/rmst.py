"""Kaplan–Meier restricted mean time and its jackknife pseudo-values, in numpy.

The ``days_to_fill`` outcome (:mod:`pilot_eval.analysis.frames`) regresses each vacancy's
jackknife **pseudo-value** of the Kaplan–Meier restricted mean time to fill on the
difference-in-differences design (Andersen, Hansen & Klein 2004; Andersen & Perme 2010).
For a sample of ``n`` with restricted mean ``θ̂`` (the area under the KM curve from 0 to
the horizon ``H``) and ``θ̂₋ᵢ`` the same estimate without observation ``i``, the
pseudo-value is ``θᵢ = n·θ̂ − (n − 1)·θ̂₋ᵢ``; its mean over the sample is (to first order)
``θ̂``, and a regression of ``θᵢ`` on covariates estimates their effect on the restricted
mean when censoring is independent of those covariates (here: within each stratum).

**Why own numerics.** lifelines has the restricted mean of one fitted curve
(``lifelines.utils.restricted_mean_survival_time``) but no pseudo-values; the brute-force
jackknife refits ``n`` curves, O(n²) per stratum (minutes for the ~5 000 vacancies of a
report). Here all ``n`` leave-one-out estimates of a stratum come from one sort: leaving
out observation ``i`` (time ``tᵢ``, event ``δᵢ``) lowers the number at risk by one at
every distinct time up to ``tᵢ`` and the events at ``tᵢ`` by ``δᵢ``, and leaves later
factors alone, so ::

    θ̂₋ᵢ = t₁ + Σ_{j<k} Aⱼ Δⱼ + A_{k−1} (1 − (d_k − δᵢ)/(n_k − 1)) (Δ_k + R_k)

with ``k`` the rank of ``tᵢ`` among the distinct times ``t₁ < … < t_m`` below ``H``,
``Δⱼ = min(tⱼ₊₁, H) − tⱼ``, ``Aⱼ = Πₗ≤ⱼ (1 − dₗ/(nₗ − 1))`` and ``R_k`` the area after
``t_k`` on the full-sample curve relative to its value at ``t_k`` (a backward recursion, no
division by a survival that may be 0). Observations at or beyond ``H`` count as censored
at ``H`` (what happens after the horizon does not enter the restricted mean). Tested
against lifelines' ``KaplanMeierFitter`` + ``restricted_mean_survival_time`` and a
brute-force jackknife (``tests/test_days_to_fill.py``).

**The tail.** When the last observation of a sample before ``H`` is censored, the KM curve
is not defined beyond it; like lifelines, the curve is carried on at its last value to
``H``. :func:`km_restricted_mean` and :func:`rmst_pseudo_values` do the same, so a tiny
stratum whose longest vacancy was closed without a hire extrapolates "not filled" to
``H``. In the ``days_to_fill`` rows (vacancies followed ``H`` days) only a closure without a
hire can end a stratum before ``H``: 3.8 % of the demo's strata, all small
(``docs/estimation.md``).

References
----------
Andersen, P. K., Hansen, M. G. & Klein, J. P. (2004). Regression analysis of restricted
mean survival time based on pseudo-observations. *Lifetime Data Analysis* 10, 335-350.
Andersen, P. K. & Perme, M. P. (2010). Pseudo-observations in survival analysis.
*Statistical Methods in Medical Research* 19, 71-99.
"""

from __future__ import annotations

import numpy as np

__all__ = ["km_restricted_mean", "km_restricted_means", "rmst_pseudo_values"]


def _prepare(durations, events, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=float).reshape(-1)
    e = np.asarray(events).reshape(-1).astype(bool)
    if len(t) != len(e):
        raise ValueError("durations and events must have the same length")
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("durations must be finite and non-negative")
    if not horizon > 0:
        raise ValueError(f"horizon must be positive, not {horizon!r}")
    beyond = t >= horizon
    return np.where(beyond, float(horizon), t), e & ~beyond


def _one_stratum(t: np.ndarray, e: np.ndarray, horizon: float, loo: bool = True) -> tuple[float, np.ndarray]:
    """The restricted mean of one sample and (``loo``) its ``n`` leave-one-out estimates
    (times already capped at the horizon)."""
    n = len(t)
    grid, k = np.unique(t, return_inverse=True)
    at_or_after = n - np.searchsorted(np.sort(t), grid, side="left")  # n_j
    d = np.bincount(k, weights=e.astype(float), minlength=len(grid))  # d_j
    below = grid < horizon
    nxt = np.append(grid[1:], horizon)
    delta = np.where(below, np.minimum(nxt, horizon) - grid, 0.0)  # Δ_j
    f = 1.0 - d / at_or_after  # full-sample factors
    surv = np.cumprod(f)
    theta = grid[0] + float(np.sum(surv * delta))
    if n == 1 or not loo:
        return theta, np.array([np.nan])
    # R_k = Σ_{j>k} Π_{k<l≤j} f_l Δ_j, backwards: R_k = f_{k+1} (Δ_{k+1} + R_{k+1})
    m = len(grid)
    r = np.zeros(m)
    for j in range(m - 2, -1, -1):  # m ≤ distinct days below the horizon (≤ a few hundred)
        r[j] = f[j + 1] * (delta[j + 1] + r[j + 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(at_or_after > 1, 1.0 - d / (at_or_after - 1), 1.0)  # one fewer at risk
    acum = np.cumprod(a)
    a_before = np.concatenate([[1.0], acum[:-1]])  # A_{k-1}
    c_before = np.concatenate([[0.0], np.cumsum(acum * delta)[:-1]])  # Σ_{j<k} A_j Δ_j
    nk = at_or_after[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(nk > 1, 1.0 - (d[k] - e) / (nk - 1), 1.0)
    loo = grid[0] + c_before[k] + a_before[k] * own * (delta[k] + r[k])
    # leaving out the only observation at the first time moves the curve's start: the
    # grid's first time still starts the area (S = 1 before it either way), so no change
    return theta, loo


def km_restricted_mean(durations, events, horizon: float) -> float:
    """The Kaplan–Meier restricted mean ``∫₀ᴴ S(t) dt`` of one sample (lifelines'
    ``restricted_mean_survival_time(KaplanMeierFitter().fit(durations, events), t=H)``:
    the area under the step curve, carried at its last value when the last observation
    before ``H`` is censored). NaN for an empty sample.

    >>> km_restricted_mean([30, 60, 40, 181], [1, 1, 0, 0], 90)
    63.75
    """
    t, e = _prepare(durations, events, horizon)
    if len(t) == 0:
        return float("nan")
    return float(_one_stratum(t, e, float(horizon))[0])


def _groups(codes: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)


def km_restricted_means(durations, events, horizon: float, groups, n_groups: int | None = None) -> np.ndarray:
    """:func:`km_restricted_mean` of every group: ``groups`` numbers the rows ``0 …
    n_groups − 1``; a group without rows gets NaN.

    >>> km_restricted_means([30, 60, 40, 181, 10], [1, 1, 0, 0, 1], 90, [0, 0, 0, 0, 2]).tolist()
    [63.75, nan, 10.0]
    """
    t, e = _prepare(durations, events, horizon)
    g = np.asarray(groups, dtype=np.int64).reshape(-1)
    if len(g) != len(t):
        raise ValueError("groups must have the same length as durations")
    size = int(n_groups) if n_groups is not None else (int(g.max()) + 1 if len(g) else 0)
    out = np.full(size, np.nan)
    if len(t):
        for rows in _groups(g):
            out[g[rows[0]]] = _one_stratum(t[rows], e[rows], float(horizon), loo=False)[0]
    return out


def rmst_pseudo_values(durations, events, horizon: float, strata=None) -> np.ndarray:
    """Jackknife pseudo-values of the Kaplan–Meier restricted mean up to ``horizon``,
    computed within each stratum: ``n·θ̂ − (n − 1)·θ̂₋ᵢ`` (module notes). A stratum of one
    observation gets its own restricted mean (``θ̂``, the jackknife being undefined).

    Parameters
    ----------
    durations, events
        Time to event or censoring (≥ 0) and whether the event was observed.
    horizon
        ``H``: the restricted mean is the area under the curve from 0 to ``H``.
    strata
        Optional labels (any hashable values); default one stratum.

    >>> rmst_pseudo_values([10, 20, 30], [1, 1, 1], 90).tolist()  # no censoring: the times
    [10.0, 20.0, 30.0]
    """
    t, e = _prepare(durations, events, horizon)
    out = np.full(len(t), np.nan)
    if len(t) == 0:
        return out
    if strata is None:
        groups = [np.arange(len(t))]
    else:
        codes = np.unique(np.asarray(strata).reshape(-1), return_inverse=True)[1].reshape(-1)
        if len(codes) != len(t):
            raise ValueError("strata must have the same length as durations")
        groups = _groups(codes)
    for rows in groups:
        n = len(rows)
        theta, loo = _one_stratum(t[rows], e[rows], float(horizon))
        out[rows] = theta if n == 1 else n * theta - (n - 1) * loo
    return out
