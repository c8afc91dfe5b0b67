"""Staggered difference-in-differences (docs/estimation.md): Callaway & Sant'Anna group-time
effects, and naive two-way fixed effects with its Goodman-Bacon decomposition.

The headline estimator is :func:`staggered_did`, the group-time average treatment
effects ATT(g, t) of Callaway & Sant'Anna (2021) ("CS") on a unit × period panel, with the
aggregations of the R package ``did`` (``aggte``), analytic standard errors from the
influence functions, clustered, and the multiplier bootstrap with uniform confidence bands.
No maintained Python library does this on top of numpy/statsmodels in the way this
project needs (tidy results, clustering by administration, available-case cells), so it
is written here with numpy and checked against

* the textbook 2×2 difference in means (exactly, two periods and one cohort),
* Card & Krueger (1994, Table 3) on their public data,
* the ``csdid`` package (a Python port of R ``did`` 2.5), whose numbers and the
  script that produced them are stored in ``tests/results/did_csdid_reference.py``,
* simulated panels with known effects (recovery, pre-trend test size and power).

:func:`twfe` (statsmodels OLS with unit and period dummies, CR1 cluster-robust errors)
and :func:`bacon_decomposition` (Goodman-Bacon 2021) are there to show in a report *why*
the naive regression is not the headline: with staggered adoption and effects that grow
over time it compares later-treated units with already-treated ones ("forbidden"
comparisons) and can be far from any average effect.

Treatment must be absorbing
---------------------------
CS assume that a unit treated from period g stays treated. The pilot ended on
2024-12-31, so the caller must either restrict the panel to periods before the pilot ended
(the effect *during* the pilot) or read the event-time effects knowing that event times
past the end are post-pilot periods; ``max_event_time`` limits the estimated cells to
event times ``t - g <= max_event_time``.

Few clusters
------------
With 3 treated of 8 administrations the analytic and bootstrap errors here rest on
asymptotics in the number of clusters and understate uncertainty; the project reports
randomisation inference and the wild cluster bootstrap next to them (docs/estimation.md). The
influence functions are kept on the result (``influence``) for such procedures.

References
----------
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. *Journal of Econometrics* 225(2), 200-230.
Sant'Anna, P. H. C. & Zhao, J. (2020). Doubly robust difference-in-differences
estimators. *Journal of Econometrics* 219(1), 101-122.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277.
Card, D. & Krueger, A. B. (1994). Minimum wages and employment. *American Economic
Review* 84(4), 772-793.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pilot_eval.estimate.did import staggered_did
>>> rng = np.random.default_rng(0)
>>> rows = [(i, t, g, i + t + 2.0 * (g > 0 and t >= g) + rng.normal(scale=0.1))
...         for i, g in enumerate([0] * 10 + [3] * 10 + [4] * 10) for t in range(1, 6)]
>>> panel = pd.DataFrame(rows, columns=["unit", "time", "cohort", "y"])
>>> res = staggered_did(panel, "y", "unit", "time", "cohort")
>>> round(float(res.tidy()["estimate"].iloc[0]), 1)
2.0
>>> list(res.aggregate("event")["term"])
['overall', 'event_time=-2', 'event_time=-1', 'event_time=0', 'event_time=1', 'event_time=2']
>>> round(res.pretrend_p_value, 2)
0.52
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import EstimateResult, tidy_frame

# scipy (sparse, special) is imported where it is used: a notebook that unpickles a cached
# result imports this module and should not have to import scipy for it (scipy.stats, the
# heaviest of scipy's modules to import, is never used).

__all__ = [
    "BaconDecomposition",
    "StaggeredDiDResult",
    "bacon_decomposition",
    "staggered_did",
    "twfe",
]

METHOD = "callaway_santanna"
_KINDS = {"simple": "simple", "event": "event", "dynamic": "event", "group": "group", "calendar": "calendar"}


# --------------------------------------------------------------------------- 2×2 kernels
#
# Each kernel takes one (g, t) comparison as a cross-section of the units in it (treated
# and comparison units observed in both periods): the outcome change ``dy`` from the base
# period to t, the treated indicator ``d``, the design ``x`` (intercept first) and the
# weights ``w`` (normalised to mean 1 here). It returns the estimate and the influence
# function ψ_i of each unit, normalised so that estimate − truth ≈ mean(ψ) over the cell.


def _did_means(dy, d, x, w):
    """Unconditional parallel trends: difference of (weighted) mean changes, the sample
    analogue of CS (2021) eq. (2.2)-(2.4) with no covariates (all three coincide)."""
    w1, w0 = w * d, w * (1.0 - d)
    m1, m0 = w1.mean(), w0.mean()
    mu1, mu0 = (w1 * dy).mean() / m1, (w0 * dy).mean() / m0
    psi = w1 * (dy - mu1) / m1 - w0 * (dy - mu0) / m0
    return mu1 - mu0, psi


def _wls(y, x, w, mask):
    """Weighted least squares on the rows in ``mask``; None when the design is singular."""
    xm, wm = x[mask], w[mask]
    gram = (xm * wm[:, None]).T @ xm
    if xm.shape[0] < x.shape[1] or np.linalg.cond(gram, 1) > 1 / np.finfo(float).eps:
        return None
    return np.linalg.solve(gram, (xm * wm[:, None]).T @ y[mask])


def _did_reg(dy, d, x, w):
    """Outcome regression (Heckman, Ichimura & Todd 1997; CS eq. 2.2 / 2.5; Sant'Anna &
    Zhao 2020, ``reg_did_panel``): the comparison units' change regressed on covariates
    (WLS) predicts the treated units' counterfactual change."""
    n = len(dy)
    beta = _wls(dy, x, w * (1.0 - d), d == 0)
    if beta is None:
        return np.nan, None
    fit = x @ beta
    w1 = w * d
    m1 = w1.mean()
    eta_t, eta_c = (w1 * dy).mean() / m1, (w1 * fit).mean() / m1
    w0 = w * (1.0 - d)
    bread = np.linalg.inv((x * w0[:, None]).T @ x / n)
    lin_rep = (w0 * (dy - fit))[:, None] * x @ bread  # estimation effect of beta
    psi_t = (w1 * dy - w1 * eta_t) / m1
    psi_c = (w1 * fit - w1 * eta_c + lin_rep @ (w1[:, None] * x).mean(axis=0)) / m1
    return eta_t - eta_c, psi_t - psi_c


def _logit(d, x, w, tol=1e-12, max_iter=100):
    """Weighted logit by Newton-Raphson; fitted probabilities, or None if it fails."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (d - p))
        hess = (x * (w * p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    return p if np.all(np.isfinite(p)) else None


def _did_dr(dy, d, x, w, trim=0.995):
    """Doubly robust DiD for panel data (Sant'Anna & Zhao 2020, eq. 3.1 with the logit
    propensity score and linear outcome regression; CS eq. 2.4 / 2.7), as DRDID's
    ``drdid_panel``: comparison units with a propensity score ≥ ``trim`` get no weight."""
    n = len(dy)
    beta = _wls(dy, x, w * (1.0 - d), d == 0)
    ps = _logit(d, x, w)
    if beta is None or ps is None:
        return np.nan, None
    if ps.max() >= 0.999 and x.shape[1] > 1:  # overlap fails (as R did): no estimate
        return np.nan, "overlap"
    ps = np.minimum(ps, 1 - 1e-6)
    keep = np.where(d == 1, True, ps < trim).astype(float)
    fit = x @ beta
    w_t = keep * w * d
    w_c = keep * w * ps * (1 - d) / (1 - ps)
    resid = dy - fit
    eta_t = (w_t * resid).mean() / w_t.mean()
    eta_c = (w_c * resid).mean() / w_c.mean()
    w0 = w * (1 - d)
    lin_ols = (w0 * resid)[:, None] * x @ np.linalg.inv((x * w0[:, None]).T @ x / n)
    info = (x * (w * ps * (1 - ps))[:, None]).T @ x
    lin_ps = (w * (d - ps))[:, None] * x @ (np.linalg.inv(info) * n)
    psi_t = (w_t * resid - w_t * eta_t - lin_ols @ (w_t[:, None] * x).mean(axis=0)) / w_t.mean()
    m2 = (w_c[:, None] * (resid - eta_c)[:, None] * x).mean(axis=0)
    m3 = (w_c[:, None] * x).mean(axis=0)
    psi_c = (w_c * resid - w_c * eta_c + lin_ps @ m2 - lin_ols @ m3) / w_c.mean()
    return eta_t - eta_c, psi_t - psi_c


_KERNELS = {"dr": _did_dr, "reg": _did_reg}


# --------------------------------------------------------------------------- the panel


@dataclass
class _Panel:
    units: np.ndarray  # unit labels, length n
    times: np.ndarray  # sorted period values, length T
    y: np.ndarray  # n × T outcomes (NaN = not observed)
    x: np.ndarray | None  # n × T × k covariates (no intercept) or None
    g: np.ndarray  # n first-treated periods (0 = never treated)
    w: np.ndarray  # n unit weights
    cluster: np.ndarray  # n cluster codes 0..G-1
    cluster_labels: np.ndarray
    glist: np.ndarray  # cohorts with ATT(g,t) to estimate
    notes: list


def _show(value) -> str:
    """repr of a cell value for messages (numpy scalars as plain Python values)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _whole(values):
    """Integer dtype when every value is whole (nullable Int64 when some are missing)."""
    v = np.asarray(values, dtype=float)
    fin = np.isfinite(v)
    if fin.any() and np.all(np.mod(v[fin], 1) == 0):
        return (
            pd.array(np.where(fin, v, 0).astype(np.int64), dtype="Int64", copy=False)
            if fin.all()
            else pd.array([int(x) if f else pd.NA for x, f in zip(v, fin, strict=True)], dtype="Int64")
        )
    return v


def _unit_constant(df: pd.DataFrame, unit: str, column: str, what: str) -> pd.Series:
    """The per-unit value of a column that must not vary within a unit."""
    ucodes, ulabels = pd.factorize(df[unit], sort=True)
    vcodes = pd.factorize(df[column])[0]  # NaN as its own code (-1), as drop_duplicates
    lo = np.full(len(ulabels), np.iinfo(np.int64).max)
    hi = np.full(len(ulabels), np.iinfo(np.int64).min)
    np.minimum.at(lo, ucodes, vcodes)
    np.maximum.at(hi, ucodes, vcodes)
    if np.array_equal(lo, hi):  # fast path: constant within every unit
        _, first = np.unique(ucodes, return_index=True)
        out = df[column].iloc[first]
        out.index = pd.Index(ulabels, name=unit)
        return out
    pairs = df[[unit, column]].drop_duplicates()
    bad = pairs[unit].duplicated()
    if bad.any():
        u = pairs.loc[bad, unit].iloc[0]
        vals = sorted(map(str, df.loc[df[unit] == u, column].unique()))
        raise ValueError(
            f"staggered_did: {what} column {column!r} varies within unit {_show(u)} "
            f"(values {', '.join(vals[:4])}); it must be constant per unit"
        )
    return pairs.set_index(unit)[column].sort_index()


def _checked_frame(data, outcome, unit, time, cohort, covariates, weights, cluster) -> pd.DataFrame:
    """The columns the estimator needs, after checking they exist, have usable types and
    form one row per unit and period."""
    needed = list(
        dict.fromkeys(
            [unit, time, cohort, outcome, *covariates] + ([weights] if weights else []) + ([cluster] if cluster else [])
        )
    )
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise KeyError(f"staggered_did: column(s) {missing} not in the data; columns are {list(data.columns)}")
    df = data[needed].copy()
    if df[unit].isna().any():
        raise ValueError(
            f"staggered_did: unit column {unit!r} has missing values (row {df.index[df[unit].isna()][0]!r})"
        )
    for col, what in ((time, "time"), (cohort, "cohort")):
        if not (pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])):
            raise TypeError(
                f"staggered_did: {what} column {col!r} must be numeric (a period index such as "
                f"build_panel's period_index / cohort_index), not {df[col].dtype}"
            )
    for col in [outcome, *covariates]:
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise TypeError(
                f"staggered_did: column {col!r} must be numeric (code categories as 0/1 dummies), not {df[col].dtype}"
            )
    if df[time].isna().any():
        raise ValueError(f"staggered_did: time column {time!r} is missing in row {df.index[df[time].isna()][0]!r}")
    dup = df.duplicated([unit, time])
    if dup.any():
        r = df.loc[dup, [unit, time]].astype(object).iloc[0]
        raise ValueError(
            f"staggered_did: unit {_show(r[unit])} has more than one row for time {_show(r[time])}; "
            "the panel must have one row per unit and period"
        )
    return df


def _per_unit(df: pd.DataFrame, unit, cohort, weights, cluster):
    """Each unit's cohort (0 = never treated), weight (None without weights) and cluster
    (None without clusters), checked to be constant within the unit."""
    g_raw = df[cohort].astype("float64").replace([np.inf, -np.inf], np.nan).fillna(0.0)
    df["_g"] = g_raw
    g_unit = _unit_constant(df, unit, "_g", "cohort")
    w_unit = None
    if weights:
        w_unit = _unit_constant(df, unit, weights, "weights").astype(float)
        if not np.all(np.isfinite(w_unit)) or (w_unit < 0).any() or w_unit.sum() <= 0:
            raise ValueError(f"staggered_did: weights column {weights!r} must be finite, non-negative and not all zero")
    cl_unit = _unit_constant(df, unit, cluster, "cluster") if cluster else None
    if cl_unit is not None and cl_unit.isna().any():
        raise ValueError(
            f"staggered_did: cluster column {cluster!r} is missing for unit {_show(cl_unit.index[cl_unit.isna()][0])}"
        )
    return g_unit, w_unit, cl_unit


def _observed(df: pd.DataFrame, outcome, unit, time, covariates, notes: list[str]) -> pd.DataFrame:
    """The rows with an outcome and every covariate."""
    # unit-periods without an outcome (or covariates): dropped, each cell uses the units
    # observed in both of its periods
    ok = pd.Series(np.isfinite(df[outcome].to_numpy(dtype=float, na_value=np.nan)), index=df.index)
    for c in covariates:
        ok &= np.isfinite(df[c].to_numpy(dtype=float, na_value=np.nan))
    if (~ok).any():
        ex = df.loc[~ok, [unit, time]].astype(object).iloc[0]
        notes.append(
            f"{int((~ok).sum())} unit-period(s) without {outcome!r}"
            + (" or covariates" if covariates else "")
            + f" were dropped (e.g. unit {_show(ex[unit])}, time {_show(ex[time])}); each ATT(g,t) uses the "
            "units observed in both of its periods"
        )
    obs = df.loc[ok]
    if obs.empty:
        raise ValueError(f"staggered_did: no row has a value of {outcome!r}")
    return obs


def _cohorts(g_unit: pd.Series, obs: pd.DataFrame, unit, time, anticipation, control, notes: list[str]):
    """The units kept, their cohorts, the cohorts to estimate and the periods and rows left:
    units first treated after the last period count as never treated, units treated from
    the first period on are dropped, and without never-treated units the last cohort only
    serves as a comparison."""
    times = np.sort(obs[time].unique().astype(float))
    t_min, t_max = times[0], times[-1]
    gu = g_unit.copy()
    late = gu > t_max + anticipation
    if late.any():
        notes.append(
            f"{int(late.sum())} unit(s) first treated after the last period ({t_max:g}) count as never treated"
        )
        gu[late] = 0.0
    early = (gu != 0) & (gu <= t_min + anticipation)
    if early.any():
        notes.append(
            f"{int(early.sum())} unit(s) already treated in the first period (e.g. "
            f"{_show(early.index[early][0])}) were dropped: they have no pre-treatment period"
        )
    keep_units = gu.index[~early & gu.index.isin(obs[unit].unique())]
    if len(keep_units) == 0:
        raise ValueError("staggered_did: no units left after dropping those treated in the first period")

    glist_all = np.sort(gu.loc[keep_units].unique())
    has_never = (gu.loc[keep_units] == 0).any()
    glist = glist_all[glist_all > 0]
    if not has_never:
        if control == "never_treated":
            raise ValueError(
                "staggered_did: no never-treated units (cohort 0 or missing) in the data; use "
                "control='not_yet_treated' or a window in which some units are not yet treated"
            )
        last = glist.max()
        notes.append(
            f"no never-treated units: periods from {last - anticipation:g} on are dropped and "
            f"cohort {last:g} serves only as a not-yet-treated comparison"
        )
        obs = obs.loc[obs[time] < last - anticipation]
        times = times[times < last - anticipation]
        glist = glist[glist < last]
    if len(glist) == 0:
        raise ValueError("staggered_did: no treated cohort with a pre-treatment period in the data")
    if len(times) < 2:
        raise ValueError("staggered_did: at least two periods are needed")
    return keep_units, gu, glist, obs, times


def _prepare(data, outcome, unit, time, cohort, covariates, weights, cluster, anticipation, control):
    if not isinstance(data, pd.DataFrame):
        raise TypeError("staggered_did: data must be a pandas DataFrame (one row per unit and period)")
    covariates = list(covariates or [])
    df = _checked_frame(data, outcome, unit, time, cohort, covariates, weights, cluster)
    notes: list[str] = []
    g_unit, w_unit, cl_unit = _per_unit(df, unit, cohort, weights, cluster)
    obs = _observed(df, outcome, unit, time, covariates, notes)
    keep_units, gu, glist, obs, times = _cohorts(g_unit, obs, unit, time, anticipation, control, notes)

    units = np.asarray(keep_units)
    upos = pd.Index(keep_units)
    obs = obs.loc[obs[unit].isin(upos)]
    ri = upos.get_indexer(obs[unit])
    ci = np.searchsorted(times, obs[time].to_numpy(float))
    y = np.full((len(units), len(times)), np.nan)
    y[ri, ci] = obs[outcome].to_numpy(dtype=float, na_value=np.nan)
    x = None
    if covariates:
        x = np.full((len(units), len(times), len(covariates)), np.nan)
        x[ri, ci, :] = obs[covariates].to_numpy(dtype=float, na_value=np.nan)
    expected = len(units) * len(times)
    if np.isnan(y).sum() and not any("unit-period" in n for n in notes):
        notes.append(
            f"the panel is unbalanced ({int(np.isnan(y).sum())} of {expected} unit-periods have no "
            "row); each ATT(g,t) uses the units observed in both of its periods"
        )
    w = np.ones(len(units)) if w_unit is None else w_unit.loc[keep_units].to_numpy(float)
    if cl_unit is None:
        codes, labels = np.arange(len(units)), units
    else:
        codes, labels = pd.factorize(cl_unit.loc[keep_units], sort=True)
        labels = np.asarray(labels)
    g_arr = gu.loc[keep_units].to_numpy(float)
    lonely = [g for g in glist if len(np.unique(np.asarray(codes)[g_arr == g])) == 1]
    if lonely:
        notes.append(
            f"cohort(s) {', '.join(_fmt(g) for g in lonely)} lie in a single cluster (or are a single unit): "
            "their influence function sums to (about) zero within it, so the analytic and bootstrap standard errors "
            "and the pre-trend test leave out their own sampling variation and are too small; use "
            "randomisation inference or the wild cluster bootstrap for inference"
        )
    return _Panel(
        units=units,
        times=times,
        y=y,
        x=x,
        g=g_arr,
        w=w,
        cluster=np.asarray(codes),
        cluster_labels=labels,
        glist=glist,
        notes=notes,
    )


# --------------------------------------------------------------------------- estimation


def _cells(p: _Panel, control, base_period, anticipation, est_method, max_event_time):
    """ATT(g,t) for every cohort and period, with influence functions (n × cells)."""
    n, T = p.y.shape
    times = p.times
    observed = ~np.isnan(p.y)
    rows, infl, masks = [], [], []
    warn_cells = []
    start = 0 if base_period == "universal" else 1
    for g in p.glist:
        last_pre = int(np.nonzero(times + anticipation < g)[0][-1])
        for j in range(start, T):
            t = times[j]
            if max_event_time is not None and t - g > max_event_time:
                continue
            b = j - 1 if base_period == "varying" and t < g - anticipation else last_pre
            row = {"cohort": g, "time": t, "base_time": times[b], "event_time": t - g, "post": bool(t >= g)}
            if b == j:  # universal base period: normalised to zero
                rows.append({**row, "estimate": 0.0, "n": 0, "n_treated": 0, "n_control": 0, "reference": True})
                infl.append(np.zeros(n))
                masks.append(np.zeros(n, bool))
                continue
            both = observed[:, j] & observed[:, b]
            treated = (p.g == g) & both
            if control == "never_treated":
                comp = (p.g == 0) & both
            else:
                comp = ((p.g == 0) | ((p.g > max(t, times[b]) + anticipation) & (p.g != g))) & both
            cell = treated | comp
            row.update(n=int(cell.sum()), n_treated=int(treated.sum()), n_control=int(comp.sum()), reference=False)
            psi_full = np.zeros(n)
            if p.w[treated].sum() <= 0 or p.w[comp].sum() <= 0:
                warn_cells.append((g, t, "no treated or no comparison units observed"))
                rows.append({**row, "estimate": np.nan})
                infl.append(psi_full)
                masks.append(cell)
                continue
            dy = p.y[cell, j] - p.y[cell, b]
            d = treated[cell].astype(float)
            ww = p.w[cell] / p.w[cell].mean()
            if p.x is None:
                att, psi = _did_means(dy, d, None, ww)
            else:
                xc = p.x[cell, min(j, b), :]
                xx = np.column_stack([np.ones(cell.sum()), xc])
                att, psi = _KERNELS[est_method](dy, d, xx, ww)
                if psi is None or isinstance(psi, str):
                    why = "propensity scores near 1 (no overlap)" if isinstance(psi, str) else "singular design"
                    warn_cells.append((g, t, why))
                    rows.append({**row, "estimate": np.nan})
                    infl.append(psi_full)
                    masks.append(cell)
                    continue
            psi_full[cell] = (n / cell.sum()) * psi
            rows.append({**row, "estimate": att})
            infl.append(psi_full)
            masks.append(cell)
    if warn_cells:
        g, t, why = warn_cells[0]
        warnings.warn(
            f"staggered_did: {len(warn_cells)} ATT(g,t) cell(s) could not be estimated (e.g. cohort "
            f"{g:g}, time {t:g}: {why}); they are NaN and left out of every aggregate",
            stacklevel=3,
        )
    return pd.DataFrame(rows), np.column_stack(infl), np.column_stack(masks)


def _mammen(rng, size):
    s5 = np.sqrt(5.0)
    low = rng.random(size) < (s5 + 1) / (2 * s5)
    return np.where(low, -(s5 - 1) / 2, (s5 + 1) / 2)


class StaggeredDiDResult(EstimateResult):
    """Callaway & Sant'Anna group-time effects and their aggregations.

    ``tidy()`` is ``aggregate("simple")``; ``att_gt`` holds the group-time effects;
    ``aggregate(kind)`` the aggregations; ``pretrend_p_value`` (and ``pretrend_test``) the
    Wald pre-test; ``influence`` the n × cells influence-function matrix (rows ``units``,
    columns in the order of ``att_gt``) for further inference.
    """

    def __init__(self, *, att_gt, influence, masks, panel: _Panel, alpha, bootstrap, draws, settings):
        self.att_gt = att_gt
        self.influence = influence
        self.units = panel.units
        self._masks = masks
        self._p = panel
        self.alpha = alpha
        self.bootstrap = bootstrap
        self._draws = draws
        self.settings = settings
        self.n_units = len(panel.units)
        self.n_clusters = len(panel.cluster_labels)
        self._sum_by_cluster = None
        self.pretrend_test = self._pretrend()
        self.pretrend_p_value = self.pretrend_test["p_value"]
        super().__init__(
            table=self.aggregate("simple"),
            details={
                **settings,
                "n_units": self.n_units,
                "n_clusters": self.n_clusters,
                "notes": list(panel.notes),
                "pretrend_test": self.pretrend_test,
            },
        )

    def __getstate__(self) -> dict:
        # the cluster-sum matrix is rebuilt on demand: pickled (the report's cache) it
        # would make unpickling import scipy.sparse
        return {**self.__dict__, "_sum_by_cluster": None}

    # ---- inference helpers
    @property
    def inference(self) -> str:
        return "multiplier_bootstrap" if self.bootstrap else "analytic_if"

    def _cluster_sums(self, infl: np.ndarray) -> np.ndarray:
        if self._sum_by_cluster is None:  # clusters × units 0/1 matrix (np.add.at is slow on large panels)
            import scipy.sparse as sp

            n = len(self._p.cluster)
            self._sum_by_cluster = sp.csr_matrix(
                (np.ones(n), (self._p.cluster, np.arange(n))), shape=(self.n_clusters, n)
            )
        return np.asarray(self._sum_by_cluster @ infl).reshape(self.n_clusters, -1)

    def _analytic_se(self, infl: np.ndarray) -> np.ndarray:
        """CS (2021) Theorem 2: Var(θ̂) ≈ (1/n²) Σ_c (Σ_{i∈c} ψ_i)², the cluster-robust
        (CR0-type) form; with clustering by unit the R did formula mean(ψ²)/n."""
        s = self._cluster_sums(infl)
        return np.sqrt((s**2).sum(axis=0)) / self.n_units

    def _boot(self, infl: np.ndarray):
        """Multiplier bootstrap draws (CS 2021 Algorithm 1; Remark on clustering): one
        weight per cluster multiplies the cluster sums of ψ."""
        return self._draws @ self._cluster_sums(infl) / self.n_units

    def _inference(self, est: np.ndarray, infl: np.ndarray, uniform: np.ndarray | None = None):
        """SE, pointwise CI, p-value, and (bootstrap) uniform bands over ``uniform`` rows."""
        from scipy import special

        z = special.ndtri(1 - self.alpha / 2)
        if self.bootstrap:
            b = self._boot(infl)
            q75, q25 = np.quantile(b, [0.75, 0.25], axis=0, method="inverted_cdf")
            se = (q75 - q25) / (special.ndtri(0.75) - special.ndtri(0.25))
        else:
            se = self._analytic_se(infl)
        se = np.where(np.isfinite(se) & (se > 1e-12 * (1 + np.abs(est))), se, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = 2 * special.ndtr(-np.abs(est / se))
        out = {"std_error": se, "conf_low": est - z * se, "conf_high": est + z * se, "p_value": p}
        if self.bootstrap and uniform is not None:
            cols = uniform & np.isfinite(se)
            crit = np.nan
            if cols.any():
                tmax = np.max(np.abs(b[:, cols] / se[cols]), axis=1)
                crit = max(float(np.quantile(tmax, 1 - self.alpha, method="inverted_cdf")), z)
            out["conf_low_uniform"] = np.where(uniform, est - crit * se, np.nan)
            out["conf_high_uniform"] = np.where(uniform, est + crit * se, np.nan)
            out["critical_value_uniform"] = np.where(uniform, crit, np.nan)
        return out

    # ---- pre-test
    def _pretrend(self) -> dict:
        """Wald test that all pre-treatment ATT(g,t) (t < g − anticipation) are zero, with
        the analytic influence-function covariance (as R did's ``W``/``Wpval``). If that
        covariance is singular (more pre-period cells than clusters can identify), the
        Moore-Penrose inverse is used and the degrees of freedom are its rank."""
        from scipy import special

        a = self.att_gt
        antic = self.settings["anticipation"]
        pre = (
            (a["cohort"].astype(float) - antic > a["time"].astype(float)) & a["estimate"].notna() & ~a["reference"]
        ).to_numpy()
        se = self._analytic_se(self.influence)
        pre &= np.isfinite(se) & (se > 0)
        k = int(pre.sum())
        if k == 0:
            return {
                "statistic": np.nan,
                "df": 0,
                "p_value": np.nan,
                "n_cells": 0,
                "note": "no pre-treatment ATT(g,t) to test",
            }
        theta = a["estimate"].to_numpy(float)[pre]
        s = self._cluster_sums(self.influence[:, pre])
        v = s.T @ s / self.n_units**2
        eig = np.linalg.eigvalsh(v)
        rank = int((eig > eig.max() * k * np.finfo(float).eps * 10).sum())
        note = ""
        if rank < k:
            stat = float(theta @ np.linalg.pinv(v, rcond=k * np.finfo(float).eps * 10, hermitian=True) @ theta)
            note = (
                f"covariance of the {k} pre-period cells has rank {rank} (few units or clusters); "
                "generalised inverse used, df = rank"
            )
        else:
            stat = float(theta @ np.linalg.solve(v, theta))
        return {"statistic": stat, "df": rank, "p_value": float(special.chdtrc(rank, stat)), "n_cells": k, "note": note}

    # ---- aggregation
    def aggregate(self, kind: str = "simple") -> pd.DataFrame:
        """Aggregate the group-time effects as R ``did::aggte`` does (CS 2021, Section 3).

        Parameters
        ----------
        kind : {"simple", "event", "group", "calendar"}
            * ``"simple"``: the post-treatment ATT(g,t) averaged with weights proportional
              to cohort size, P(G = g) (``aggte(type = "simple")``);
            * ``"event"`` (alias ``"dynamic"``): θ_es(e), the cohort-size weighted average
              of ATT(g, g + e) for each event time e (pre-periods included), and as
              ``overall`` the plain mean of θ_es(e) over e ≥ 0;
            * ``"group"``: θ_sel(g), the mean of ATT(g,t) over the cohort's post periods,
              and as ``overall`` their cohort-size weighted average;
            * ``"calendar"``: θ_c(t), the cohort-size weighted average of the ATT(g,t) of
              the cohorts treated by t, and as ``overall`` their plain mean.

        Returns
        -------
        pandas.DataFrame
            Tidy rows (``overall`` first) with an ``event_time``, ``cohort`` or ``time``
            column for the non-overall rows. Standard errors include the estimation of the
            cohort-size weights (the ``wif`` term of R did). With the multiplier bootstrap
            the event, group and calendar rows also carry uniform (sup-t) bands
            ``conf_low_uniform`` / ``conf_high_uniform``.
        """
        if kind not in _KINDS:
            raise ValueError(f"aggregate: kind must be one of 'simple', 'event', 'group', 'calendar', not {kind!r}")
        kind = _KINDS[kind]
        a = self.att_gt
        ok = a["estimate"].notna().to_numpy()
        g = a["cohort"].to_numpy(float)
        t = a["time"].to_numpy(float)
        att = a["estimate"].to_numpy(float)
        psi = self.influence
        p = self._p
        cohorts = np.sort(np.unique(g[ok]))
        # P(G = g) over all units (weighted), the weights of aggte
        member = (p.g[:, None] == cohorts[None, :]).astype(float) * p.w[:, None]
        pg_c = member.mean(axis=0)
        pg_cell = pg_c[np.searchsorted(cohorts, g)]
        post = ok & (g <= t)
        if not post.any():
            raise ValueError("aggregate: no post-treatment ATT(g,t) to aggregate")

        def weights_if(sel: np.ndarray) -> np.ndarray:
            """Influence of the estimated weights pg/Σpg over the cells ``sel`` (R did wif)."""
            idx = np.searchsorted(cohorts, g[sel])
            num = member[:, idx] - pg_cell[sel]
            tot = pg_cell[sel].sum()
            return num / tot - np.outer(num.sum(axis=1), pg_cell[sel] / tot**2)

        def combo(sel: np.ndarray, with_wif: bool = True):
            wts = pg_cell[sel] / pg_cell[sel].sum()
            est = float(wts @ att[sel])
            inf = psi[:, sel] @ wts
            if with_wif:
                inf = inf + weights_if(sel) @ att[sel]
            return est, inf, self._masks[:, sel].any(axis=1)

        rows, ifs, used = [], [], []
        index_col = None
        if kind == "simple":
            est, inf, m = combo(post)
            rows.append({"term": "overall", "estimate": est})
            ifs.append(inf)
            used.append(m)
        elif kind == "event":
            index_col = "event_time"
            e_all = t - g
            eseq = np.sort(np.unique(e_all[ok]))
            is_ref = a["reference"].to_numpy(bool)
            per = []
            for e in eseq:
                sel = ok & (e_all == e)
                ref = bool(is_ref[sel].all())
                est, inf, m = combo(sel)
                per.append((e, est, inf, m, ref))
            epos = [r for r in per if r[0] >= 0]
            rows.append({"term": "overall", "estimate": float(np.mean([r[1] for r in epos]))})
            ifs.append(np.mean([r[2] for r in epos], axis=0))
            used.append(np.any([r[3] for r in epos], axis=0))
            for e, est, inf, m, ref in per:
                rows.append({"term": f"event_time={_fmt(e)}", "event_time": e, "estimate": est, "reference": ref})
                ifs.append(inf)
                used.append(m)
        elif kind == "group":
            index_col = "cohort"
            per = []
            for c in cohorts:
                sel = post & (g == c)
                if not sel.any():
                    continue
                est, inf, m = combo(sel, with_wif=False)  # equal weights within a cohort
                per.append((c, est, inf, m))
            gs = np.array([r[0] for r in per])
            idx = np.searchsorted(cohorts, gs)
            wg = pg_c[idx] / pg_c[idx].sum()
            est_g = np.array([r[1] for r in per])
            num = member[:, idx] - pg_c[idx]
            wif = num / pg_c[idx].sum() - np.outer(num.sum(axis=1), pg_c[idx] / pg_c[idx].sum() ** 2)
            rows.append({"term": "overall", "estimate": float(wg @ est_g)})
            ifs.append(np.column_stack([r[2] for r in per]) @ wg + wif @ est_g)
            used.append(np.any([r[3] for r in per], axis=0))
            for c, est, inf, m in per:
                rows.append({"term": f"cohort={_fmt(c)}", "cohort": c, "estimate": est})
                ifs.append(inf)
                used.append(m)
        else:
            index_col = "time"
            per = []
            for tt in p.times[p.times >= cohorts.min()]:
                sel = post & (t == tt)
                if not sel.any():
                    continue
                est, inf, m = combo(sel)
                per.append((tt, est, inf, m))
            rows.append({"term": "overall", "estimate": float(np.mean([r[1] for r in per]))})
            ifs.append(np.mean([r[2] for r in per], axis=0))
            used.append(np.any([r[3] for r in per], axis=0))
            for tt, est, inf, m in per:
                rows.append({"term": f"time={_fmt(tt)}", "time": tt, "estimate": est})
                ifs.append(inf)
                used.append(m)

        infl = np.column_stack(ifs)
        est = np.array([r["estimate"] for r in rows])
        reference = np.array([bool(r.get("reference", False)) for r in rows])
        uniform = np.array([r["term"] != "overall" for r in rows]) & ~reference
        inf_cols = self._inference(est, infl, uniform if kind != "simple" else None)
        frame = pd.DataFrame(rows).drop(columns=["reference"], errors="ignore")
        for k, v in inf_cols.items():
            frame[k] = v
        frame.loc[reference, ["std_error", "conf_low", "conf_high", "p_value"]] = np.nan
        frame["n"] = [int(m.sum()) for m in used]
        frame["method"] = METHOD
        frame["inference"] = self.inference
        if index_col:
            frame[index_col] = _whole(frame[index_col])
        return tidy_frame(frame, [index_col] if index_col else None)

    def event_study(self) -> pd.DataFrame:
        """Shorthand for ``aggregate("event")``: the table behind an event-study plot."""
        return self.aggregate("event")


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def staggered_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    control: str = "never_treated",
    base_period: str = "varying",
    covariates: Sequence[str] | None = None,
    anticipation: float = 0,
    cluster: str | None = None,
    alpha: float = 0.05,
    weights: str | None = None,
    bootstrap: str | None = None,
    reps: int = 999,
    seed: int | None = None,
    *,
    est_method: str = "dr",
    bootstrap_weights: str = "rademacher",
    max_event_time: float | None = None,
) -> StaggeredDiDResult:
    """Group-time average treatment effects of Callaway & Sant'Anna (2021).

    For each treated cohort g (units first treated in period g) and period t, ATT(g,t) is
    a 2×2 difference in differences between the cohort and a comparison group, from a
    base period b to t (CS 2021, Theorem 1, eqs. 2.2-2.7):

        ATT(g,t) = E[Y_t − Y_b | G = g] − E[Y_t − Y_b | comparison],

    with b = g − 1 − anticipation (the last period before treatment could matter) for
    t ≥ g − anticipation, and for the pre-periods b = t − 1 (``base_period="varying"``,
    as R did) or b = g − 1 − anticipation too (``"universal"``; the cell t = b is then the
    reference, 0 with no standard error). With ``covariates`` the conditional parallel
    trends version is estimated by the doubly robust estimator of Sant'Anna & Zhao (2020)
    (``est_method="dr"``, R did's default: logit propensity score, linear outcome
    regression of the comparison units' change; covariates from the earlier period of the
    pair) or by outcome regression (``est_method="reg"``).

    Parameters
    ----------
    data : pandas.DataFrame
        A long panel, one row per unit and period (e.g. from
        :func:`pilot_eval.measures.build_panel`).
    outcome, unit, time : str
        Column names. ``time`` must be numeric (a period index such as ``period_index``).
    cohort : str
        First treated period on the scale of ``time`` (e.g. ``cohort_index``); 0 or
        missing = never treated. Must be constant within a unit. Units first treated after
        the last period count as never treated; units treated in the first period (no
        pre-period) are dropped with a note, as in R did.
    control : {"never_treated", "not_yet_treated"}
        The comparison group: never-treated units, or never-treated plus units not yet
        treated by max(t, b) + anticipation (CS Assumptions 4 and 5).
    base_period : {"varying", "universal"}
    covariates : list of str, optional
        Covariates for conditional parallel trends (numeric columns).
    anticipation : int
        Periods before g in which units may already react (CS Assumption 3).
    cluster : str, optional
        A column constant within units; standard errors are clustered on it (default:
        by unit). Analytic: Var = (1/n²) Σ_c (Σ_{i∈c} ψ_i)², no small-sample correction
        (as R did; with 8 administrations see the module notes on few clusters).
    alpha : float
        1 − confidence level.
    weights : str, optional
        Column of sampling weights, constant within units.
    bootstrap : {None, "multiplier"}
        ``"multiplier"``: CS Algorithm 1 — the influence functions' cluster sums
        multiplied by i.i.d. weights (``bootstrap_weights``: "rademacher", as R did, or
        "mammen"), ``reps`` draws, SE = interquartile range / 1.349, uniform (sup-t)
        bands over the event-study (and group/calendar, and ATT(g,t)) rows.
    reps, seed : int
        Bootstrap draws and seed (the same draws serve every aggregation of the result).
    est_method : {"dr", "reg"}
        Estimator with covariates (ignored without).
    bootstrap_weights : {"rademacher", "mammen"}
    max_event_time : number, optional
        Only estimate cells with t − g ≤ ``max_event_time`` (e.g. to stop at the end of a
        pilot whose treatment ended: CS assume absorbing treatment).

    Returns
    -------
    StaggeredDiDResult
        ``att_gt`` (cohort, time, estimate, std_error, conf_low, conf_high, p_value, n —
        treated plus comparison units in the cell — and n_treated, n_control, base_time,
        event_time, post, ``reference`` for the universal base cell), ``aggregate(kind)``,
        ``tidy()`` (= ``aggregate("simple")``), ``pretrend_p_value`` / ``pretrend_test``,
        ``influence`` and ``details`` (settings, ``notes`` on dropped rows or units).

    Notes
    -----
    Missing outcomes: rows with a missing outcome (or covariate) are dropped and each
    ATT(g,t) uses the units observed in *both* of its periods (available-case); units
    enter the aggregation weights P(G = g) if they have any observation. On a balanced
    panel this is exactly R did (``panel = TRUE``), which instead drops every unit with a
    gap; a note in ``details["notes"]`` (and a warning) says when rows were dropped.

    The influence function of cell (g,t), ψ_i, is scaled as in R did so that
    ATT̂ − ATT ≈ (1/n) Σ_i ψ_i over all n units; aggregates combine them linearly with the
    influence of the estimated cohort shares (CS 2021, Section 4 and Theorem 2).

    The pre-trend Wald test (as R did's ``W``) is a large-sample test with an estimated
    covariance: in simulations it rejected 7% of the time at the 5% level with 40-50 units
    per group, but 13-16% with about 20. With one treated cluster per cohort (the pilot's
    administrations) it is not informative at all (see the warning it then gives).
    """
    if control not in ("never_treated", "not_yet_treated"):
        raise ValueError(f"staggered_did: control must be 'never_treated' or 'not_yet_treated', not {control!r}")
    if base_period not in ("varying", "universal"):
        raise ValueError(f"staggered_did: base_period must be 'varying' or 'universal', not {base_period!r}")
    if bootstrap not in (None, "multiplier"):
        raise ValueError(f"staggered_did: bootstrap must be None or 'multiplier', not {bootstrap!r}")
    if bootstrap_weights not in ("rademacher", "mammen"):
        raise ValueError("staggered_did: bootstrap_weights must be 'rademacher' or 'mammen'")
    if est_method not in _KERNELS:
        raise ValueError(f"staggered_did: est_method must be 'dr' or 'reg', not {est_method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"staggered_did: alpha must be between 0 and 1, not {alpha!r}")
    if anticipation < 0:
        raise ValueError("staggered_did: anticipation must be >= 0")
    if max_event_time is not None and max_event_time < 0:
        raise ValueError("staggered_did: max_event_time must be >= 0 (the effect on impact is event time 0)")
    panel = _prepare(
        data,
        outcome,
        unit,
        time,
        cohort,
        covariates,
        weights,
        cluster if cluster and cluster != unit else None,
        anticipation,
        control,
    )
    for note in panel.notes:
        warnings.warn(f"staggered_did: {note}", stacklevel=2)
    att_gt, infl, masks = _cells(panel, control, base_period, anticipation, est_method, max_event_time)
    draws = None
    if bootstrap:
        rng = np.random.default_rng(seed)
        size = (int(reps), len(panel.cluster_labels))
        draws = rng.choice([-1.0, 1.0], size=size) if bootstrap_weights == "rademacher" else _mammen(rng, size)
    settings = {
        "outcome": outcome,
        "unit": unit,
        "time": time,
        "cohort": cohort,
        "control": control,
        "base_period": base_period,
        "covariates": list(covariates or []),
        "est_method": est_method if covariates else "means",
        "anticipation": anticipation,
        "cluster": cluster or unit,
        "weights": weights,
        "bootstrap": bootstrap,
        "reps": reps,
        "seed": seed,
        "bootstrap_weights": bootstrap_weights if bootstrap else None,
        "max_event_time": max_event_time,
    }
    res = StaggeredDiDResult(
        att_gt=att_gt,
        influence=infl,
        masks=masks,
        panel=panel,
        alpha=alpha,
        bootstrap=bootstrap,
        draws=draws,
        settings=settings,
    )
    # inference for the ATT(g,t) table itself
    est = att_gt["estimate"].to_numpy(float)
    ref = att_gt["reference"].to_numpy(bool)
    cols = res._inference(np.nan_to_num(est), infl, ~ref & np.isfinite(est))
    table = att_gt.copy()
    for k, v in cols.items():
        table[k] = np.where(np.isfinite(est) & ~ref, v, np.nan)
    table["method"] = METHOD
    table["inference"] = res.inference
    table["cohort"] = _whole(table["cohort"])
    table["time"] = _whole(table["time"])
    table["base_time"] = _whole(table["base_time"])
    table["event_time"] = _whole(table["event_time"])
    first = ["cohort", "time", "estimate", "std_error", "conf_low", "conf_high", "p_value", "n"]
    res.att_gt = table[first + [c for c in table.columns if c not in first]]
    return res


# --------------------------------------------------------------------------- TWFE


def twfe(data: pd.DataFrame, formula: str, cluster: str) -> EstimateResult:
    """Naive two-way fixed effects regression (for comparison only, never the headline).

    Ordinary least squares of ``formula`` (statsmodels/patsy syntax, with the unit and
    period dummies written out, e.g. ``"y ~ treated + C(unit) + C(period)"``) with
    cluster-robust standard errors by ``cluster``: statsmodels' ``cov_type="cluster"``,
    i.e. CR1 with the G/(G−1)·(N−1)/(N−K) correction, and t(G−1) reference distribution
    for p-values and intervals (as Stata's ``vce(cluster)``).

    Returns
    -------
    EstimateResult
        ``tidy()`` has one row per coefficient other than the intercept and ``C(...)``
        dummies; ``method`` "twfe_ols", ``inference`` "cluster_robust", ``n`` the number of
        observations. ``details["model"]`` is the statsmodels result.
    """
    import statsmodels.formula.api as smf

    if cluster not in data.columns:
        raise KeyError(f"twfe: cluster column {cluster!r} not in the data")
    model = smf.ols(formula, data=data)
    rows = model.data.row_labels
    groups = data.loc[rows, cluster] if rows is not None else data[cluster]
    if groups.isna().any():
        raise ValueError(f"twfe: cluster column {cluster!r} is missing in row {groups.index[groups.isna()][0]!r}")
    codes = pd.factorize(groups)[0]
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    ci = fit.conf_int()
    out = []
    for name in fit.params.index:
        if name == "Intercept" or name.startswith("C("):
            continue
        out.append(
            {
                "term": name,
                "estimate": fit.params[name],
                "std_error": fit.bse[name],
                "conf_low": ci.loc[name, 0],
                "conf_high": ci.loc[name, 1],
                "p_value": fit.pvalues[name],
                "n": int(fit.nobs),
                "method": "twfe_ols",
                "inference": "cluster_robust",
            }
        )
    return EstimateResult(
        tidy_frame(out), {"model": fit, "formula": formula, "cluster": cluster, "n_clusters": len(np.unique(codes))}
    )


# --------------------------------------------------------------------------- Bacon


@dataclass
class BaconDecomposition:
    """Goodman-Bacon (2021) decomposition of a TWFE difference-in-differences estimate.

    ``table``: one row per 2×2 comparison with columns ``type`` ("earlier_vs_later",
    "later_vs_earlier" — the "forbidden" comparisons that use already-treated units as
    controls —, "treated_vs_never", "later_vs_always"), ``treated`` and ``control`` (the
    cohorts: first treated period; 0 = never treated), ``estimate``, ``weight`` and
    ``n_units`` (units in the two timing groups compared).
    Weights sum to 1 and ``(weight * estimate).sum() == twfe_estimate``.
    :meth:`tidy` gives the same in the project's tidy shape.
    """

    table: pd.DataFrame
    twfe_estimate: float
    n_units: int = 0
    n_obs: int = 0

    def tidy(self) -> pd.DataFrame:
        """The decomposition as a tidy table (docs/estimation.md): one row per 2×2 comparison,
        term ``"<type>: <treated> vs <control>"`` (cohorts by first treated period, 0 =
        never treated), ``estimate`` its 2×2 DiD, ``n`` the units in the two groups, and a
        last row, term ``"twfe"``, with the TWFE coefficient (= Σ weight × estimate) over
        all ``n_units`` units. ``method`` "bacon_decomposition", ``inference`` "none": the
        decomposition describes the point estimate, it has no standard errors, intervals
        or p-values (NaN). Index columns ``type``, ``treated``, ``control`` come first;
        ``weight`` (summing to 1 over the comparison rows; 1 on the "twfe" row) follows
        the tidy columns."""
        t = self.table
        rows = [
            {
                "type": r.type,
                "treated": r.treated,
                "control": r.control,
                "term": f"{r.type}: {r.treated} vs {r.control}",
                "estimate": float(r.estimate),
                "n": int(r.n_units),
                "weight": float(r.weight),
            }
            for r in t.itertuples(index=False)
        ]
        rows.append(
            {
                "type": "twfe",
                "treated": None,
                "control": None,
                "term": "twfe",
                "estimate": float(self.twfe_estimate),
                "n": int(self.n_units),
                "weight": 1.0,
            }
        )
        out = tidy_frame(rows, index_columns=["type", "treated", "control"])
        for col in ("treated", "control"):  # cohort labels as given (no float upcast from the twfe row's None)
            out[col] = pd.Series([r[col] for r in rows], dtype=object)
        out["method"] = "bacon_decomposition"
        out["inference"] = "none"
        return out

    def summary(self) -> pd.DataFrame:
        """Total weight and weighted average estimate by comparison type."""
        t = self.table.assign(_we=self.table["weight"] * self.table["estimate"])
        s = t.groupby("type", sort=False).agg(
            weight=("weight", "sum"), _we=("_we", "sum"), comparisons=("weight", "size")
        )
        s["estimate"] = s["_we"] / s["weight"]
        return s.drop(columns="_we").reset_index()[["type", "comparisons", "weight", "estimate"]]

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def bacon_decomposition(data: pd.DataFrame, outcome: str, unit: str, time: str, treat: str) -> BaconDecomposition:
    """Goodman-Bacon (2021) decomposition of the TWFE coefficient on ``treat``.

    For a balanced panel and a binary, absorbing treatment, the OLS coefficient of
    y_it = α_i + λ_t + β D_it + e_it is a weighted average of all 2×2 DiD comparisons
    between timing groups (GB 2021, Theorem 1, eq. 10a-10c): each treated cohort k
    against the never treated (s_kU), and for each pair of cohorts k < l the earlier
    against the not-yet-treated later one (s_kl^k) and the later against the
    already-treated earlier one (s_kl^l). Units treated in every period form an "always
    treated" group that can only serve as a control. Weights depend on group sizes n and
    the share of periods treated D̄:

        s_kU   ∝ (n_k + n_U)² n_kU(1 − n_kU) D̄_k(1 − D̄_k)
        s_kl^k ∝ ((n_k + n_l)(1 − D̄_l))² n_kl(1 − n_kl) (D̄_k − D̄_l)/(1 − D̄_l) · (1 − D̄_k)/(1 − D̄_l)
        s_kl^l ∝ ((n_k + n_l) D̄_k)² n_kl(1 − n_kl) (D̄_l/D̄_k) · (D̄_k − D̄_l)/D̄_k

    each divided by the variance of the two-way demeaned treatment.

    Raises
    ------
    ValueError
        If the panel is not balanced (naming a unit and period missing), the outcome or
        treatment is missing, treatment is not 0/1, or it switches off (not absorbing).
    """
    cols = [unit, time, outcome, treat]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"bacon_decomposition: column(s) {missing} not in the data")
    df = data[cols].copy()
    for c in (outcome, treat):
        if df[c].isna().any():
            r = df.loc[df[c].isna(), [unit, time]].astype(object).iloc[0]
            raise ValueError(
                f"bacon_decomposition: {c!r} is missing for unit {_show(r[unit])}, time {_show(r[time])}; "
                "the decomposition needs a balanced panel"
            )
    if df.duplicated([unit, time]).any():
        r = df.loc[df.duplicated([unit, time]), [unit, time]].astype(object).iloc[0]
        raise ValueError(f"bacon_decomposition: unit {_show(r[unit])} has more than one row for time {_show(r[time])}")
    d_vals = set(pd.unique(df[treat].astype(float)))
    if not d_vals <= {0.0, 1.0}:
        raise ValueError(f"bacon_decomposition: {treat!r} must be 0/1, found {sorted(d_vals)[:5]}")
    wide_y = df.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    wide_d = df.pivot(index=unit, columns=time, values=treat).sort_index(axis=1).astype(float)
    if wide_y.isna().any().any():
        i, j = np.argwhere(wide_y.isna().to_numpy())[0]
        raise ValueError(
            f"bacon_decomposition: unit {_show(wide_y.index[i])} has no row for time "
            f"{_show(wide_y.columns[j])}; the decomposition needs a balanced panel"
        )
    D = wide_d.to_numpy()
    Y = wide_y.to_numpy(float)
    times = wide_y.columns.to_numpy()
    off = np.diff(D, axis=1) < 0
    if off.any():
        i, j = np.argwhere(off)[0]
        raise ValueError(
            f"bacon_decomposition: treatment of unit {_show(wide_d.index[i])} switches off at time "
            f"{_show(times[j + 1])}; the decomposition needs an absorbing treatment"
        )
    T = D.shape[1]
    first = np.where(D.any(axis=1), D.argmax(axis=1), T)  # index of first treated period, T = never
    count = {k: int((first == k).sum()) for k in np.unique(first)}
    dd = D - D.mean(axis=1, keepdims=True) - D.mean(axis=0, keepdims=True) + D.mean()
    vd = (dd**2).mean()
    yy = Y - Y.mean(axis=1, keepdims=True) - Y.mean(axis=0, keepdims=True) + Y.mean()
    if vd <= 0:
        raise ValueError("bacon_decomposition: the treatment does not vary within units and periods")
    beta = float((dd * yy).sum() / (dd**2).sum())

    groups = np.unique(first)  # sorted: earliest first, never last
    size = {k: (first == k).mean() for k in groups}
    dbar = {k: (T - k) / T for k in groups}  # share of periods treated
    ybar = {k: Y[first == k].mean(axis=0) for k in groups}  # group mean by period

    def label(k):
        return times[k] if k < T else 0

    rows = []
    for a_i, k in enumerate(groups):
        for ell in groups[a_i + 1 :]:  # ell: the later group, l in Goodman-Bacon (2021)
            nk, nl, dk, dl = size[k], size[ell], dbar[k], dbar[ell]
            nkl = nk / (nk + nl)
            pre, mid, post = slice(0, k), slice(k, ell), slice(ell, T)
            if k > 0 and ell - k > 0:  # k treated, l (later or never) not yet: s_kl^k
                w_k = ((nk + nl) * (1 - dl)) ** 2 * nkl * (1 - nkl) * (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl) / vd
                est = (ybar[k][mid].mean() - ybar[k][pre].mean()) - (ybar[ell][mid].mean() - ybar[ell][pre].mean())
                rows.append(
                    {
                        "type": "treated_vs_never" if ell == T else "earlier_vs_later",
                        "treated": label(k),
                        "control": label(ell),
                        "estimate": est,
                        "weight": w_k,
                        "n_units": count[k] + count[ell],
                    }
                )
            if ell < T and ell - k > 0:  # l treated, k already treated: s_kl^l
                w_l = ((nk + nl) * dk) ** 2 * nkl * (1 - nkl) * (dl / dk) * (dk - dl) / dk / vd
                est = (ybar[ell][post].mean() - ybar[ell][mid].mean()) - (ybar[k][post].mean() - ybar[k][mid].mean())
                rows.append(
                    {
                        "type": "later_vs_always" if k == 0 else "later_vs_earlier",
                        "treated": label(ell),
                        "control": label(k),
                        "estimate": est,
                        "weight": w_l,
                        "n_units": count[k] + count[ell],
                    }
                )
    table = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight", "n_units"])
    table = table.loc[table["weight"] > 0].reset_index(drop=True)
    return BaconDecomposition(table=table, twfe_estimate=beta, n_units=int(D.shape[0]), n_obs=int(D.size))
