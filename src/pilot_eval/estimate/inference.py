"""Inference with few clusters: 8 administrations, 3 of them treated (docs/estimation.md).

With so few clusters the usual cluster-robust t-test cannot be trusted (Cameron, Gelbach &
Miller 2008; MacKinnon & Webb 2017). This module gives three answers to "is the effect
different from ``h0``?", meant to be shown side by side:

- :func:`cluster_robust` — the conventional CR1 cluster-robust t-test (statsmodels
  ``cov_type="cluster"``), with Stata's small-sample factor and a t(G − 1) reference
  distribution. Shown for comparison; it over-rejects with few (treated) clusters.
- :func:`wild_cluster_bootstrap` — the restricted ("null imposed", WCR) wild cluster
  bootstrap-t of Cameron, Gelbach & Miller (2008), computed with the matrix algebra of
  Roodman, MacKinnon, Nielsen & Webb (2019), so it reproduces Stata's ``boottest``:
  Rademacher, Webb or Mammen weights, full enumeration of the weight patterns when they are
  few, a symmetric p-value, and a confidence interval by test inversion.
- :func:`randomization_inference` — re-estimates the effect under every assignment of the
  same number of treated administrations (56 for 3 of 8) and reports the exact share that
  is at least as extreme as the actual one.

Conventions (as Stata and ``boottest``, Roodman et al. 2019, except where said):

- CR1 variance: ``G/(G−1) · (N−1)/(N−k)`` times the cluster sandwich, where ``k`` counts
  every estimated coefficient, absorbed fixed effects included (as ``regress ... i.fe``
  and ``areg``).
- Bootstrap p-values are two-sided and symmetric by default: the share of draws with
  ``|t*| ≥ |t|``. With discrete weights some draws tie with the actual statistic *exactly*
  (every draw ``v = c·1``, e.g. ``v = ±1`` with Rademacher, reproduces ``|t|``), so the
  rule for ties matters: ``ties="count"`` (default; conservative, the convention of
  randomization inference below), ``"strict"`` (``|t*| > |t|``, the formula in
  ``boottest`` 4.x, where exact ties are then settled by floating-point rounding) or
  ``"half"`` (mid-p). Webb (2023) reports such p-values as an interval; ``p_value_range``
  gives it. With Webb weights and sampled draws ties have probability ≈ 0.
- With **random draws** (not every weight pattern enumerated) the p-value is the Monte
  Carlo p-value ``(b + 1)/(B + 1)``, ``b`` the draws at least as extreme among ``B``
  (Davison & Hinkley 1997, §4.2.1; Phipson & Smyth 2010): the actual statistic counts as
  one draw, so a bootstrap p-value is never reported as exactly 0 — "no draw as extreme"
  reads ``1/(B + 1)``, i.e. p < 1/B. ``boottest`` reports ``b/B`` (0 in that case); the two
  differ by less than ``1/B``, within the Monte Carlo error of either. Enumerated weight
  patterns give the exact share (no "+1": there is no sampling).

References
----------
Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based improvements for
inference with clustered errors. *Review of Economics and Statistics* 90(3), 414–427.

Roodman, D., MacKinnon, J. G., Nielsen, M. Ø. & Webb, M. D. (2019). Fast and wild:
Bootstrap inference in Stata using boottest. *The Stata Journal* 19(1), 4–60.

Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
Cambridge University Press, §4.2.1; Phipson, B. & Smyth, G. K. (2010). Permutation
p-values should never be zero. *Statistical Applications in Genetics and Molecular
Biology* 9(1), Article 39.

Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
*Canadian Journal of Economics* 56(3), 839–858 (the six-point weights; p-value intervals
from ties).

MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for wildly different
cluster sizes. *Journal of Applied Econometrics* 32(2), 233–254.

Fisher, R. A. (1935). *The Design of Experiments*; Young, A. (2019). Channeling Fisher:
Randomization tests and the statistical insignificance of seemingly significant
experimental results. *Quarterly Journal of Economics* 134(2), 557–598.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .base import EstimateResult, tidy_frame

if TYPE_CHECKING:
    import scipy.sparse as sp

# scipy (sparse, linalg, special) and patsy are imported where they are used, not here:
# the result classes below are what a notebook unpickles from the report's cache, and
# importing this module should not make it import scipy (scipy.stats, the heaviest of
# scipy's modules to import, is never used).

__all__ = [
    "WEIGHT_DISTRIBUTIONS",
    "ClusterRobustResult",
    "RandomizationInferenceResult",
    "WildClusterBootstrapResult",
    "cluster_robust",
    "randomization_inference",
    "wild_cluster_bootstrap",
]

_SQRT5 = math.sqrt(5.0)

#: Auxiliary weight distributions of the wild bootstrap: values and their probabilities.
#: Each has mean 0 and variance 1 (Rademacher; Webb's six-point; Mammen's two-point).
WEIGHT_DISTRIBUTIONS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "rademacher": (np.array([-1.0, 1.0]), np.array([0.5, 0.5])),
    "webb": (
        np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]),
        np.full(6, 1 / 6),
    ),
    "mammen": (
        np.array([(1 - _SQRT5) / 2, (1 + _SQRT5) / 2]),
        np.array([(_SQRT5 + 1) / (2 * _SQRT5), (_SQRT5 - 1) / (2 * _SQRT5)]),
    ),
}

#: The largest number of weight patterns enumerated (2^21 Rademacher, 6^8 Webb).
MAX_ENUMERATION = 2_100_000

_P_TYPES = ("symmetric", "equal_tail", "upper", "lower")
_TIE_RTOL = 1e-9  # |t*| within this relative distance of |t| is a tie (exact in theory)
_CHUNK = 262_144  # draws processed at a time (bounds memory with enumeration)


# --------------------------------------------------------------------------- design


@dataclass
class _Design:
    y: np.ndarray  # (N,) outcome, demeaned by the absorbed fixed effect if any
    X: np.ndarray  # (N, k) regressors without collinear columns (demeaned likewise)
    names: list[str]  # column names of X
    cluster_codes: np.ndarray  # (N,) 0..G-1
    cluster_labels: list  # label of each code
    fe_codes: np.ndarray | None  # (N,) 0..F-1 for the absorbed fixed effect
    n_fe: int  # F: levels absorbed (0 without fixed_effects)
    dropped: list[str]  # collinear columns left out
    index: pd.Index  # rows of data used

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def n_clusters(self) -> int:
        return len(self.cluster_labels)

    @property
    def k(self) -> int:
        """Coefficients estimated, absorbed fixed effects included (the CR1 ``k``)."""
        return self.X.shape[1] + self.n_fe


def _capture_env(depth: int = 2):
    """The namespace of the public function's caller, so formulas can use its names."""
    import patsy

    return patsy.EvalEnvironment.capture(depth)


def _check_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    for col in columns:
        if col not in data.columns:
            raise KeyError(f"{what} column {col!r} is not in the data; columns are {list(data.columns)}.")


def _independent_columns(X: np.ndarray) -> list[int]:
    """Columns of ``X`` that are linearly independent, in order: an incremental Cholesky
    of the cross-product that skips a column whose Schur complement (its squared distance
    from the span of the kept columns) is below 1e-10 of its squared length. Like Stata,
    the first of a collinear set is kept and the later ones are omitted."""
    from scipy.linalg import solve_triangular

    xtx = X.T @ X
    keep: list[int] = []
    L = np.zeros((0, 0))
    for c in range(X.shape[1]):
        norm2 = xtx[c, c]
        if norm2 <= 1e-300:
            continue
        row = solve_triangular(L, xtx[keep, c], lower=True) if keep else np.zeros(0)
        resid = norm2 - row @ row
        if resid > 1e-10 * norm2:
            size = len(keep)
            L = np.block([[L, np.zeros((size, 1))], [row[None, :], np.array([[math.sqrt(resid)]])]])
            keep.append(c)
    return keep


_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")
_CATEGORICAL = re.compile(r"^C\(\s*(?:([A-Za-z_][A-Za-z_0-9]*)|Q\(\s*(['\"])(.+)\2\s*\))\s*\)$")


def _simple_factors(desc, data: pd.DataFrame) -> dict[object, tuple[str, str]] | None:
    """Each factor of the formula with its column and kind (``"numeric"`` or
    ``"categorical"``), or None when a term is not a plain numeric column or a
    ``C(column)`` main effect (or the outcome is not numeric)."""
    if len(desc.lhs_termlist) != 1 or len(desc.lhs_termlist[0].factors) != 1:
        return None
    columns: dict[object, tuple[str, str]] = {}  # factor -> (column, "numeric" | "categorical")
    for t in [*desc.lhs_termlist, *desc.rhs_termlist]:
        if len(t.factors) > 1:
            return None
        for f in t.factors:
            code = getattr(f, "code", None)
            if not isinstance(code, str):
                return None
            m = _CATEGORICAL.match(code)
            if _NAME.match(code) and code in data.columns:
                col, kind = code, "numeric"
            elif m and (m.group(1) or m.group(3)) in data.columns:
                col, kind = m.group(1) or m.group(3), "categorical"
            else:
                return None
            if not isinstance(data[col].dtype, np.dtype):  # extension dtypes: leave them to patsy
                return None
            if kind == "numeric" and data[col].dtype.kind not in "iuf":  # bool/str columns are categorical in patsy
                return None
            if t in desc.lhs_termlist and kind != "numeric":
                return None
            columns[f] = (col, kind)
    return columns


def _complete_and_sample(columns, values, n_rows: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows without a missing value in any factor, and a few rows that show patsy
    every level of every categorical factor (None when the levels cannot be sorted out)."""
    ok = np.ones(n_rows, bool)
    sample = [np.zeros(min(n_rows, 1), np.intp)]
    for f, (_, kind) in columns.items():
        v = values[f]
        missing = np.isnan(v) if v.dtype.kind == "f" else pd.isna(v) if kind == "categorical" else None
        if missing is not None:
            ok &= ~np.asarray(missing, bool)
        if kind == "categorical":  # the first row of every level (levels are sniffed before NA rows are dropped)
            present = np.flatnonzero(~np.asarray(pd.isna(v), bool))
            try:
                _, first = np.unique(pd.factorize(v[present])[0], return_index=True)
            except TypeError:
                return None
            sample.append(present[first])
    return ok, np.unique(np.concatenate(sample))


def _fill_design(info, values, ok: np.ndarray) -> np.ndarray | None:
    """The full design matrix on the rows ``ok``, from the columns and contrast matrices
    patsy chose (``info``); None for a term it codes in a way not handled here."""
    X = np.empty((int(ok.sum()), len(info.column_names)))
    for t, slc in info.term_slices.items():
        if not t.factors:
            X[:, slc] = 1.0
            continue
        f = t.factors[0]
        fi = info.factor_infos[f]
        v = values[f][ok]
        if fi.type == "numerical":
            if fi.num_columns != 1:
                return None
            X[:, slc] = v.astype(float)[:, None]
            continue
        codings = info.term_codings[t]
        if len(codings) != 1:
            return None
        inverse, uniques = pd.factorize(v)
        level = pd.Index(list(fi.categories), dtype=object).get_indexer(pd.Index(list(uniques), dtype=object))
        codes = level[inverse]
        if (inverse < 0).any() or (level < 0).any():
            return None
        X[:, slc] = codings[0].contrast_matrices[f].matrix[codes]
    return X


def _fast_dmatrices(formula: str, data: pd.DataFrame, env) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``patsy.dmatrices(formula, data, NA_action="drop")`` for the formulas this module
    is used with — plain numeric columns and ``C(column)`` / ``C(Q('column'))`` main
    effects — without patsy's per-row Python loop over categorical values. patsy itself
    still decides the columns, their order, names and contrasts: it builds the design on
    one row per level of every categorical column (so it sees every level, as on the
    full data), and the full matrix is then filled from those contrast matrices with
    numpy. Returns None, and the caller uses patsy on the full data, for any other
    formula (interactions, functions, transforms, extension dtypes)."""
    import patsy

    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError:
        return None
    columns = _simple_factors(desc, data)
    if columns is None:
        return None
    values = {f: data[col].to_numpy() for f, (col, _) in columns.items()}
    found = _complete_and_sample(columns, values, len(data))
    if found is None:
        return None
    ok, rows = found
    try:
        y_small, X_small = patsy.dmatrices(
            formula, data.iloc[rows], return_type="dataframe", NA_action="drop", eval_env=env
        )
    except patsy.PatsyError:
        return None
    info = X_small.design_info
    X = _fill_design(info, values, ok)
    if X is None:
        return None
    index = data.index[ok]
    y_col = y_small.design_info.column_names
    y = values[desc.lhs_termlist[0].factors[0]][ok].astype(float)
    return (pd.DataFrame({y_col[0]: y}, index=index), pd.DataFrame(X, index=index, columns=info.column_names))


def _build_design(
    data: pd.DataFrame,
    formula: str,
    cluster: str,
    term: str | None,
    fixed_effects: str | None,
    env,
    absorb: bool = True,
) -> _Design:
    import patsy
    import scipy.sparse as sp

    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame.")
    if fixed_effects is not None and not isinstance(fixed_effects, str):
        fe = list(fixed_effects)
        if len(fe) != 1:
            raise ValueError(
                f"fixed_effects absorbs one column; put further fixed effects in the formula as C(name) (got {fe})."
            )
        fixed_effects = fe[0]
    _check_columns(data, [cluster], "cluster")
    if fixed_effects is not None:
        _check_columns(data, [fixed_effects], "fixed_effects")
    keep = data[cluster].notna()
    if fixed_effects is not None:
        keep &= data[fixed_effects].notna()
    sub = data.loc[keep]
    if fixed_effects is not None and not absorb:
        formula = f"{formula} + C(Q({fixed_effects!r}))"
    try:
        y_df, X_df = _fast_dmatrices(formula, sub, env) or patsy.dmatrices(
            formula, sub, return_type="dataframe", NA_action="drop", eval_env=env
        )
    except patsy.PatsyError as exc:
        raise ValueError(f"cannot build the model {formula!r} from the data: {exc}") from exc
    if y_df.shape[1] != 1:
        raise ValueError(f"the formula {formula!r} must have exactly one outcome column (got {list(y_df.columns)}).")
    if term is not None and term not in X_df.columns:
        raise KeyError(f"term {term!r} is not a coefficient of {formula!r}; coefficients are {list(X_df.columns)}.")
    rows = X_df.index
    y = y_df.iloc[:, 0].to_numpy(dtype=float)
    X = X_df.to_numpy(dtype=float)
    names = list(X_df.columns)
    codes, labels = pd.factorize(sub.loc[rows, cluster], sort=True)
    fe_codes, n_fe = None, 0
    if fixed_effects is not None and absorb:
        fe_codes, fe_labels = pd.factorize(sub.loc[rows, fixed_effects], sort=True)
        n_fe = len(fe_labels)
        counts = np.bincount(fe_codes, minlength=n_fe).astype(float)
        y = y - (np.bincount(fe_codes, y, n_fe) / counts)[fe_codes]
        member = sp.csr_matrix(
            (np.ones(len(fe_codes)), (fe_codes, np.arange(len(fe_codes)))), shape=(n_fe, len(fe_codes))
        )
        means = np.asarray(member @ X) / counts[:, None]  # one sparse product, not a loop over columns
        if not X.flags.writeable:
            X = X.copy()
        X -= means[fe_codes]
        if "Intercept" in names:  # absorbed by the fixed effect
            i = names.index("Intercept")
            X = np.delete(X, i, axis=1)
            names.pop(i)
    independent = _independent_columns(X)
    dropped = [n for i, n in enumerate(names) if i not in independent]
    if term is not None and term in dropped:
        raise ValueError(
            f"term {term!r} is collinear with the other regressors"
            + (f" or the fixed effect {fixed_effects!r}" if fixed_effects else "")
            + f" in {formula!r}: it cannot be estimated."
        )
    X = X[:, independent]
    names = [names[i] for i in independent]
    design = _Design(
        y=y,
        X=X,
        names=names,
        cluster_codes=codes.astype(np.intp),
        cluster_labels=list(labels),
        fe_codes=None if fe_codes is None else fe_codes.astype(np.intp),
        n_fe=n_fe,
        dropped=dropped,
        index=rows,
    )
    if design.n_clusters < 2:
        raise ValueError(
            f"cluster-robust inference needs at least 2 clusters in {cluster!r}; the data have {design.n_clusters}."
        )
    if design.n <= design.k:
        raise ValueError(f"{design.n} observations cannot estimate {design.k} coefficients of {formula!r}.")
    return design


# --------------------------------------------------------------------------- bootstrap algebra


@dataclass
class _BootstrapDistribution:
    """Per-draw pieces from which every bootstrap t at any null value ``h0`` follows.

    For the restricted residuals ``ũ(h0) = u0 − h0·m`` and draw ``v``, the bootstrap
    numerator is ``(s0 − h0·s1)·v`` and the CR1 variance ``c·‖(K0 − h0·K1)v‖²``
    (Roodman et al. 2019, §3–5), so with ``n0 = s0·v``, ``n1 = s1·v``, ``a = ‖K0 v‖²``,
    ``b = (K0 v)·(K1 v)`` and ``cc = ‖K1 v‖²`` one has
    ``t*(h0) = (n0 − h0 n1) / sqrt(c (a − 2 h0 b + h0² cc))``.
    """

    n0: np.ndarray
    n1: np.ndarray
    a: np.ndarray
    b: np.ndarray
    cc: np.ndarray
    prob: np.ndarray | None  # probability of each draw (None: equally likely)
    c: float  # CR1 factor
    estimate: float
    std_error: float
    p_type: str
    ties: str
    sampled: bool = False  # random draws (not every pattern): Monte Carlo p-value (b + 1)/(B + 1)

    def t_actual(self, h0: float) -> float:
        return (self.estimate - h0) / self.std_error

    def t_star(self, h0: float) -> np.ndarray:
        den2 = self.c * (self.a - 2.0 * h0 * self.b + h0 * h0 * self.cc)
        num = self.n0 - h0 * self.n1
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / np.sqrt(np.maximum(den2, 0.0))

    def p_value(self, h0: float, ties: str | None = None) -> float:
        """Bootstrap p-value for ``coefficient = h0`` (``ties`` overrides the stored rule)."""
        ties = ties or self.ties
        t = self.t_actual(h0)
        ts = self.t_star(h0)
        feasible = ~np.isnan(ts)
        w = self.prob
        total = feasible.sum() if w is None else w[feasible].sum()
        if total == 0:
            return float("nan")

        def share(mask: np.ndarray) -> float:
            mask = mask & feasible
            if self.sampled:  # (b + 1)/(B + 1): the data's own statistic counts as one draw, p is never 0
                return float((mask.sum() + 1.0) / (total + 1.0))
            return float(mask.sum() / total) if w is None else float(w[mask].sum() / total)

        tie_weight = {"half": 0.5, "strict": 0.0, "count": 1.0}[ties]
        if self.p_type == "symmetric":
            at, a = abs(t), np.abs(ts)
            tie = np.abs(a - at) <= _TIE_RTOL * max(at, 1e-300)
            p = _with_ties(share, (a > at) & ~tie, tie, tie_weight)
        else:
            tie = np.abs(ts - t) <= _TIE_RTOL * max(abs(t), 1e-300)
            upper = _with_ties(share, (ts > t) & ~tie, tie, tie_weight)
            lower = _with_ties(share, (ts < t) & ~tie, tie, tie_weight)
            if self.p_type == "upper":
                p = upper
            elif self.p_type == "lower":
                p = lower
            else:
                p = 2.0 * min(upper, lower)
        return float(min(p, 1.0))


def _with_ties(share: Callable[[np.ndarray], float], beyond: np.ndarray, tie: np.ndarray, tie_weight: float) -> float:
    """Share of draws beyond the statistic plus ``tie_weight`` of the exact ties, as one
    share (so that the Monte Carlo "+1" of sampled draws is counted once)."""
    if tie_weight == 1.0:
        return share(beyond | tie)
    if tie_weight == 0.0 or not tie.any():
        return share(beyond)
    return (1.0 - tie_weight) * share(beyond) + tie_weight * share(beyond | tie)


def _cluster_sum(S: sp.csr_matrix, M: np.ndarray) -> np.ndarray:
    return np.asarray(S @ M)


def _weight_draws(dist: str, G: int, reps: int, enumerate_: bool | None, seed) -> tuple[bool, int, Callable]:
    values, probs = WEIGHT_DISTRIBUTIONS[dist]
    n_patterns = len(values) ** G
    if enumerate_ is None:
        enumerate_ = n_patterns <= reps
    if enumerate_ and n_patterns > MAX_ENUMERATION:
        raise ValueError(
            f"{len(values)}^{G} = {n_patterns:,} {dist} weight patterns are too many to enumerate "
            f"(limit {MAX_ENUMERATION:,}); use enumerate=False and reps draws."
        )
    if enumerate_:
        base = len(values)
        powers = base ** np.arange(G)

        def chunks():
            for start in range(0, n_patterns, _CHUNK):
                idx = np.arange(start, min(start + _CHUNK, n_patterns))
                digits = (idx[None, :] // powers[:, None]) % base  # (G, chunk)
                prob = None if np.allclose(probs, probs[0]) else np.prod(probs[digits], axis=0)
                yield values[digits], prob

        return True, n_patterns, chunks
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps}).")
    rng = np.random.default_rng(seed)
    draws = rng.choice(len(values), size=(G, reps), p=probs)

    def sampled():
        for start in range(0, reps, _CHUNK):
            yield values[draws[:, start : start + _CHUNK]], None

    return False, reps, sampled


def _bootstrap_distribution(
    design: _Design, j: int, dist: str, reps: int, enumerate_: bool | None, seed, p_type: str, ties: str
) -> tuple[_BootstrapDistribution, bool, int]:
    import scipy.sparse as sp

    X, y, g = design.X, design.y, design.cluster_codes
    N = X.shape[0]
    G = design.n_clusters
    S = sp.csr_matrix((np.ones(N), (g, np.arange(N))), shape=(G, N))
    XtX = X.T @ X
    A = np.linalg.inv(XtX)
    beta = A @ (X.T @ y)
    u_hat = y - X @ beta
    q = X @ A[:, j]  # β̂_j = q'y
    c = G / (G - 1) * (N - 1) / (N - design.k)
    score = S @ (q * u_hat)
    se = math.sqrt(c * float(score @ score))
    # restricted residuals ũ(h0) = M_{X−j} (y − h0 x_j) = u0 − h0 m
    Xr = np.delete(X, j, axis=1)
    if Xr.shape[1]:
        Ar = np.linalg.inv(Xr.T @ Xr)
        u0 = y - Xr @ (Ar @ (Xr.T @ y))
        m = X[:, j] - Xr @ (Ar @ (Xr.T @ X[:, j]))
    else:
        u0, m = y.copy(), X[:, j].copy()
    QX = _cluster_sum(S, X * q[:, None])  # (G, k): q_h' X_h
    QXA = QX @ A
    if design.fe_codes is not None:
        F = design.n_fe
        fe = design.fe_codes
        counts = np.bincount(fe, minlength=F).astype(float)
        Qfe = sp.csr_matrix((q, (fe, g)), shape=(F, G)).toarray()  # Σ q over fe f ∩ cluster h

    def K_of(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = S @ (q * r)
        XU = _cluster_sum(S, X * r[:, None]).T  # (k, G): X_g' r_g
        K = np.diag(s) - QXA @ XU
        if design.fe_codes is not None:
            C = sp.csr_matrix((r, (fe, g)), shape=(F, G)).toarray() / counts[:, None]
            K -= Qfe.T @ C
        return s, K

    s0, K0 = K_of(u0)
    s1, K1 = K_of(m)
    enumerated, n_draws, chunks = _weight_draws(dist, G, reps, enumerate_, seed)
    parts = {key: [] for key in ("n0", "n1", "a", "b", "cc", "prob")}
    for V, prob in chunks():
        KV0, KV1 = K0 @ V, K1 @ V
        parts["n0"].append(s0 @ V)
        parts["n1"].append(s1 @ V)
        parts["a"].append(np.einsum("ij,ij->j", KV0, KV0))
        parts["b"].append(np.einsum("ij,ij->j", KV0, KV1))
        parts["cc"].append(np.einsum("ij,ij->j", KV1, KV1))
        if prob is not None:
            parts["prob"].append(prob)
    joined = {key: np.concatenate(val) for key, val in parts.items() if val}
    distribution = _BootstrapDistribution(
        n0=joined["n0"],
        n1=joined["n1"],
        a=joined["a"],
        b=joined["b"],
        cc=joined["cc"],
        prob=joined.get("prob"),
        c=c,
        estimate=float(beta[j]),
        std_error=se,
        p_type=p_type,
        ties=ties,
        sampled=not enumerated,
    )
    return distribution, enumerated, n_draws


def _invert(dist: _BootstrapDistribution, alpha: float, n_draws: int) -> tuple[float, float, bool]:
    """The confidence set {h0 : p(h0) > alpha} by test inversion with the same draws: find
    where the bootstrap p-value, as a function of h0, crosses ``alpha`` (the approach of
    ``boottest``, Roodman et al. 2019 §3.5). Returns (low, high, is_interval); a side on
    which the test never rejects within 2·10^6 standard errors is unbounded (±inf)."""
    centre, se = dist.estimate, dist.std_error
    if not (np.isfinite(se) and se > 0):
        return float("nan"), float("nan"), True
    step0 = 2.0 * se  # first trial distance; doubled until the test rejects
    grid_n = 48 if n_draws <= 100_000 else 16
    is_interval = True
    bounds = []
    for direction in (-1.0, 1.0):
        outer = None
        for i in range(21):
            x = centre + direction * step0 * 2.0**i
            if dist.p_value(x) <= alpha:
                outer = x
                break
        if outer is None:
            bounds.append(direction * math.inf)
            continue
        # scan inward from the rejected point for the outermost accepted one
        grid = centre + (outer - centre) * np.linspace(1.0, 0.0, grid_n + 1)
        pvals = [dist.p_value(x) for x in grid]
        first_ok = next((i for i, p in enumerate(pvals) if p > alpha), len(grid) - 1)
        if any(p <= alpha for p in pvals[first_ok:]):
            is_interval = False
        accepted, rejected = grid[first_ok], grid[max(first_ok - 1, 0)]
        while abs(rejected - accepted) > 1e-10 * se:
            mid = 0.5 * (accepted + rejected)
            if mid in (accepted, rejected):
                break
            if dist.p_value(mid) > alpha:
                accepted = mid
            else:
                rejected = mid
        bounds.append(0.5 * (accepted + rejected))
    return bounds[0], bounds[1], is_interval


# --------------------------------------------------------------------------- results


@dataclass(eq=False, repr=False)
class WildClusterBootstrapResult(EstimateResult):
    """A restricted wild cluster bootstrap-t test of one coefficient (see
    :func:`wild_cluster_bootstrap`). ``tidy()`` is the one-row tidy table."""

    term: str = ""
    h0: float = 0.0
    estimate: float = float("nan")
    std_error: float = float("nan")
    t_stat: float = float("nan")
    p_value: float = float("nan")
    p_value_range: tuple[float, float] = (float("nan"), float("nan"))
    conf_low: float = float("nan")
    conf_high: float = float("nan")
    alpha: float = 0.05
    reps: int = 0
    enumerated: bool = False
    weights: str = ""
    p_type: str = "symmetric"
    n: int = 0
    n_clusters: int = 0
    bootstrap_t: np.ndarray = field(default_factory=lambda: np.empty(0))
    _distribution: _BootstrapDistribution | None = None

    def p_value_at(self, h0: float, ties: str | None = None) -> float:
        """The bootstrap p-value for the null ``coefficient = h0``, with the same draws
        (the function whose crossings of ``alpha`` are the confidence bounds); ``ties``
        overrides the rule used for the result."""
        if self._distribution is None:  # pragma: no cover
            raise RuntimeError("no bootstrap distribution stored")
        return self._distribution.p_value(float(h0), ties)

    def __repr__(self) -> str:
        how = (
            f"all {self.reps:,} {self.weights} weight patterns"
            if self.enumerated
            else f"{self.reps:,} {self.weights} draws"
        )
        return (
            f"Wild cluster bootstrap-t, null imposed, {how}, {self.n_clusters} clusters:\n"
            f"  {self.term} = {self.h0:g}\n  t = {self.t_stat:.4f}, p ({self.p_type}) = {self.p_value:.4f}\n"
            f"  {100 * (1 - self.alpha):g}% CI: [{self.conf_low:.6g}, {self.conf_high:.6g}]"
        )


@dataclass(eq=False, repr=False)
class ClusterRobustResult(EstimateResult):
    """A conventional CR1 cluster-robust t-test (see :func:`cluster_robust`)."""

    term: str = ""
    h0: float = 0.0
    estimate: float = float("nan")
    std_error: float = float("nan")
    t_stat: float = float("nan")
    p_value: float = float("nan")
    conf_low: float = float("nan")
    conf_high: float = float("nan")
    alpha: float = 0.05
    df: int = 0
    n: int = 0
    n_clusters: int = 0

    def __repr__(self) -> str:
        return (
            f"Cluster-robust (CR1) t-test, {self.n_clusters} clusters, t({self.df}):\n"
            f"  {self.term} = {self.h0:g}\n  t = {self.t_stat:.4f}, p = {self.p_value:.4f}\n"
            f"  {100 * (1 - self.alpha):g}% CI: [{self.conf_low:.6g}, {self.conf_high:.6g}]"
        )


@dataclass(eq=False, repr=False)
class RandomizationInferenceResult(EstimateResult):
    """Randomization inference over assignments of treated units (see
    :func:`randomization_inference`)."""

    term: str = ""
    estimate: float = float("nan")
    statistic_value: float = float("nan")
    distribution: pd.DataFrame = field(default_factory=pd.DataFrame)
    p_value: float = float("nan")
    p_value_one_sided_upper: float = float("nan")
    p_value_one_sided_lower: float = float("nan")
    n_assignments: int = 0
    enumerated: bool = True
    unit: str = ""
    treated: frozenset = frozenset()
    statistic: str = "estimate"
    alpha: float = 0.05

    @property
    def min_p_value(self) -> float:
        """The smallest p-value this design can give (1/56 for 3 of 8)."""
        return 1.0 / self.n_assignments if self.n_assignments else float("nan")

    def plot_data(self, bins: int | str = "auto") -> pd.DataFrame:
        """The randomization distribution of the tested statistic binned for a histogram: one
        row per bin with ``bin_left``, ``bin_right``, ``count``, ``share`` and
        ``contains_actual`` (the bin holding the actual assignment's value, to mark in the
        chart)."""
        column = self.details.get("tested_column", "estimate")
        values = self.distribution[column].to_numpy(dtype=float)
        counts, edges = np.histogram(values, bins=bins)
        actual = self.statistic_value
        idx = int(np.clip(np.searchsorted(edges, actual, side="right") - 1, 0, len(counts) - 1))
        return pd.DataFrame(
            {
                "bin_left": edges[:-1],
                "bin_right": edges[1:],
                "count": counts,
                "share": counts / counts.sum(),
                "contains_actual": np.arange(len(counts)) == idx,
            }
        )

    def __repr__(self) -> str:
        kind = "all" if self.enumerated else "sampled"
        return (
            f"Randomization inference over {kind} {self.n_assignments:,} assignments of "
            f"{len(self.treated)} treated {self.unit}:\n  {self.statistic} = {self.statistic_value:.6g}, "
            f"p (two-sided) = {self.p_value:.4f}, smallest possible p = {self.min_p_value:.4f}"
        )


# --------------------------------------------------------------------------- public API


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    formula: str,
    cluster: str,
    term: str,
    h0: float = 0.0,
    weights: str = "webb",
    reps: int = 9999,
    seed: int | np.random.Generator | None = None,
    alpha: float = 0.05,
    fixed_effects: str | None = None,
    *,
    enumerate: bool | None = None,
    p_type: str = "symmetric",
    ties: str = "count",
    confint: bool = True,
) -> WildClusterBootstrapResult:
    """Restricted wild cluster bootstrap-t test (WCR) of one OLS coefficient.

    Tests ``coefficient(term) = h0`` in the linear model ``formula`` (patsy syntax, OLS)
    with errors clustered by ``cluster``. The bootstrap data are generated with the null
    imposed, ``y* = X β̃ + ũ · v_g``, where ``β̃, ũ`` are the restricted estimates and
    residuals and ``v_g`` one auxiliary weight per cluster (Cameron, Gelbach & Miller
    2008). Each draw's CR1 t-statistic is computed from small G × G matrices, not by
    re-fitting, following Roodman, MacKinnon, Nielsen & Webb (2019, "Fast and wild"), so
    the results reproduce Stata's ``boottest`` (see the tests for the published numbers).

    Parameters
    ----------
    data
        One row per observation.
    formula
        Patsy formula, e.g. ``"y ~ during + after + C(period)"``.
    cluster
        Column whose values are the clusters (the administrations).
    term
        Coefficient tested: a column name of the design matrix (``"during"``,
        ``"C(x)[T.b]"``).
    h0
        Value of the coefficient under the null.
    weights
        ``"webb"`` (six-point, the default; recommended with few clusters),
        ``"rademacher"`` (±1) or ``"mammen"``.
    reps
        Number of random draws when the weight patterns are not enumerated.
    seed
        Seed (or ``numpy.random.Generator``) for the draws; irrelevant when enumerated.
    alpha
        Level of the confidence interval (``1 − alpha``).
    fixed_effects
        Optional column to absorb as a fixed effect (one-way within transformation). The
        result is identical to adding ``C(column)`` to the formula, including the CR1
        small-sample factor, which counts the absorbed levels in ``k`` (as Stata's
        ``regress ... i.fe`` and ``areg``); absorbing is faster when there are many
        levels. Further fixed effects go in the formula as ``C(name)``.
    enumerate
        ``None`` (default): enumerate every weight pattern when there are no more than
        ``reps`` of them — 2^G for Rademacher and Mammen, 6^G for Webb — which is what
        ``boottest`` does for Rademacher ("Sampling each once"). Mammen patterns are
        weighted by their probabilities, giving the exact bootstrap p-value that
        ``boottest`` only approximates by sampling. ``True`` forces enumeration (at most
        :data:`MAX_ENUMERATION` patterns, e.g. all 6^8 = 1 679 616 Webb patterns for 8
        clusters); ``False`` forces
        ``reps`` random draws.
    p_type
        ``"symmetric"`` (default, as ``boottest``: share of ``|t*|`` beyond ``|t|``),
        ``"equal_tail"``, ``"upper"`` or ``"lower"``.
    ties
        How a draw whose statistic equals the actual one exactly counts: ``"count"``
        (default, conservative: ``p = #{|t*| ≥ |t|}/B``), ``"strict"`` (``#{|t*| > |t|}/B``,
        ``boottest``'s formula) or ``"half"`` (mid-p). Matters only for Rademacher and
        Mammen weights with few clusters (see the module notes and ``p_value_range``).
        With random draws every rule gives ``(b + 1)/(B + 1)`` instead of ``b/B`` (never 0;
        see the module notes).
    confint
        Compute the confidence interval by test inversion (set False to save time in
        simulations).

    Returns
    -------
    WildClusterBootstrapResult
        ``estimate`` (OLS), ``std_error`` (CR1), ``t_stat`` (CR1 t for ``h0``),
        ``p_value`` (bootstrap; with random draws ``(b + 1)/(B + 1)``, never 0),
        ``conf_low``/``conf_high`` (bootstrap test inversion),
        ``p_value_range`` (the p-value with ties not counted and fully counted),
        ``reps`` (draws used: 2^G or 6^G when enumerated), ``enumerated``,
        ``bootstrap_t`` (the draws' t-statistics), ``p_value_at(h0)`` and ``tidy()`` with
        inference ``"wild_cluster_bootstrap_<weights>"`` and method ``"ols"``.

    Notes
    -----
    The confidence interval is ``{h0 : p(h0) > alpha}``: the p-value is recomputed, with
    the same draws, as a function of the hypothesised value, and each bound is the point
    where it crosses ``alpha``, found by bracketing and bisection (to machine precision,
    where ``boottest`` stops within one draw's worth of p). With discrete p-values the
    bound is a jump point of this step function. If the set is not an interval the
    outermost crossings are returned and a warning is given. If the test cannot reject at
    ``alpha`` on one side (e.g. Mammen weights with 8 clusters and ties counted: the draw
    ``v = −0.618·1`` alone has probability 0.0755), that bound is infinite.

    References
    ----------
    Cameron, Gelbach & Miller (2008), *REStat* 90(3); Roodman, MacKinnon, Nielsen & Webb
    (2019), *Stata Journal* 19(1), 4–60; Webb (2023), *Canadian Journal of Economics*
    56(3).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"g": np.repeat(np.arange(8), 25), "x": rng.normal(size=200)})
    >>> df["y"] = 0.3 * df["x"] + rng.normal(size=8)[df["g"]] + rng.normal(size=200)
    >>> res = wild_cluster_bootstrap(df, "y ~ x", cluster="g", term="x", weights="rademacher")
    >>> res.enumerated, res.reps
    (True, 256)
    >>> bool(res.conf_low < 0.3 < res.conf_high)
    True
    >>> res.p_value == wild_cluster_bootstrap(df, "y ~ x", cluster="g", term="x",
    ...                                       weights="rademacher", seed=99).p_value
    True
    """
    weights = _check_wcb_arguments(weights, p_type, ties, alpha)
    design = _build_design(data, formula, cluster, term, fixed_effects, _capture_env())
    return _wild_from_design(
        design,
        term,
        h0=h0,
        weights=weights,
        reps=reps,
        seed=seed,
        alpha=alpha,
        enumerate_=enumerate,
        p_type=p_type,
        ties=ties,
        confint=confint,
        formula=formula,
        cluster=cluster,
        fixed_effects=fixed_effects,
        stacklevel=3,
    )


def _check_wcb_arguments(weights: str, p_type: str, ties: str, alpha: float) -> str:
    weights = str(weights).lower()
    if weights not in WEIGHT_DISTRIBUTIONS:
        raise ValueError(f"weights must be one of {sorted(WEIGHT_DISTRIBUTIONS)} (got {weights!r}).")
    if p_type not in _P_TYPES:
        raise ValueError(f"p_type must be one of {_P_TYPES} (got {p_type!r}).")
    if ties not in ("half", "count", "strict"):
        raise ValueError(f"ties must be 'count', 'strict' or 'half' (got {ties!r}).")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha}).")
    return weights


def _design_for(data: pd.DataFrame, formula: str, cluster: str) -> _Design:
    """The model's design once, for several terms (:func:`_wild_from_design`,
    :func:`_conventional_from_design`). For ``"y ~ a + b + C(f) + C(g)"`` (numeric columns
    and categorical main effects, no missing values) the matrix is built with numpy — an
    intercept, treatment-coded dummies of the sorted levels of each ``C()`` column, then the
    numeric columns, in patsy's order and with its names — which is what patsy builds, without its
    per-factor overhead (tens of columns in the staggered design); anything else goes
    through :func:`_build_design`."""
    design = _plain_design(data, formula, cluster)
    return design if design is not None else _build_design(data, formula, cluster, None, None, _capture_env(1))


def _plain_design(data: pd.DataFrame, formula: str, cluster: str) -> _Design | None:
    if formula.count("~") != 1:
        return None
    lhs, rhs = (part.strip() for part in formula.split("~"))
    terms = [t.strip() for t in rhs.split("+")]
    numeric, categorical = [], []
    for t in terms:
        m = re.fullmatch(r"C\(([A-Za-z_][A-Za-z_0-9]*)\)", t)
        if m and m.group(1) in data.columns:
            categorical.append(m.group(1))
        elif _NAME.match(t) and t in data.columns and data[t].dtype.kind in "fiu":
            numeric.append(t)
        else:
            return None
    if not (_NAME.match(lhs) and lhs in data.columns and data[lhs].dtype.kind in "fiu") or cluster not in data:
        return None
    y = data[lhs].to_numpy(dtype=float)
    columns = [np.ones(len(data))]
    names = ["Intercept"]
    for name in categorical:  # patsy puts categorical terms before numeric ones
        values = data[name]
        if values.isna().any():
            return None
        codes, levels = pd.factorize(values, sort=True)
        dummies = np.zeros((len(data), len(levels)))
        dummies[np.arange(len(data)), codes] = 1.0
        columns.extend(dummies[:, 1:].T)
        names.extend(f"C({name})[T.{level}]" for level in levels[1:])
    for name in numeric:
        columns.append(data[name].to_numpy(dtype=float))
        names.append(name)
    X = np.column_stack(columns)
    if not (np.isfinite(y).all() and np.isfinite(X).all()) or data[cluster].isna().any():
        return None
    independent = _independent_columns(X)
    dropped = [n for i, n in enumerate(names) if i not in independent]
    codes, labels = pd.factorize(data[cluster], sort=True)
    design = _Design(
        y=y,
        X=X[:, independent],
        names=[names[i] for i in independent],
        cluster_codes=codes.astype(np.intp),
        cluster_labels=list(labels),
        fe_codes=None,
        n_fe=0,
        dropped=dropped,
        index=data.index,
    )
    if design.n_clusters < 2 or design.n <= design.k:
        return None
    return design


def _wild_from_design(
    design: _Design,
    term: str,
    *,
    h0: float = 0.0,
    weights: str = "webb",
    reps: int = 9999,
    seed=None,
    alpha: float = 0.05,
    enumerate_: bool | None = None,
    p_type: str = "symmetric",
    ties: str = "count",
    confint: bool = True,
    formula: str = "",
    cluster: str = "",
    fixed_effects: str | None = None,
    stacklevel: int = 2,
) -> WildClusterBootstrapResult:
    """:func:`wild_cluster_bootstrap` on a design already built (see :func:`_design_for`)."""
    if term not in design.names:
        if term in design.dropped:
            raise ValueError(
                f"term {term!r} is collinear with the other regressors in {formula!r}: it cannot be estimated."
            )
        raise KeyError(f"term {term!r} is not a coefficient of {formula!r}; coefficients are {design.names}.")
    j = design.names.index(term)
    dist, enumerated, n_draws = _bootstrap_distribution(design, j, weights, int(reps), enumerate_, seed, p_type, ties)
    h0 = float(h0)
    p = dist.p_value(h0)
    low = high = float("nan")
    is_interval = True
    if confint:
        low, high, is_interval = _invert(dist, alpha, n_draws)
        if not is_interval:
            warnings.warn(
                f"the {100 * (1 - alpha):g}% wild bootstrap confidence set for {term!r} is not an "
                "interval; the outermost bounds are reported.",
                RuntimeWarning,
                stacklevel=stacklevel,
            )
        if n_draws * alpha < 1:
            warnings.warn(
                f"{n_draws} bootstrap draws cannot resolve a {100 * (1 - alpha):g}% interval "
                f"(need at least {math.ceil(1 / alpha)}).",
                RuntimeWarning,
                stacklevel=stacklevel,
            )
    t = dist.t_actual(h0)
    p_range = (dist.p_value(h0, "strict"), dist.p_value(h0, "count"))
    if confint and not (np.isfinite(low) and np.isfinite(high)):
        warnings.warn(
            f"the {weights} wild bootstrap test of {term!r} cannot reject at alpha={alpha:g} on "
            "at least one side: the confidence interval is unbounded there.",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
    inference = f"wild_cluster_bootstrap_{weights}"
    table = tidy_frame(
        [
            {
                "term": term,
                "estimate": dist.estimate,
                "std_error": dist.std_error,
                "conf_low": low,
                "conf_high": high,
                "p_value": p,
                "n": design.n,
                "method": "ols",
                "inference": inference,
                "statistic": t,
                "h0": h0,
                "n_clusters": design.n_clusters,
                "reps": n_draws,
                "enumerated": enumerated,
            }
        ]
    )
    details = {
        "formula": formula,
        "cluster": cluster,
        "fixed_effects": fixed_effects,
        "p_type": p_type,
        "ties": ties,
        "seed": seed,
        "cr1_factor": dist.c,
        "dropped_collinear": design.dropped,
        "confidence_set_is_interval": is_interval,
        "k": design.k,
        "p_value_convention": (
            "exact share over every weight pattern"
            if enumerated
            else "(b + 1)/(B + 1) over B random draws: never below 1/(B + 1)"
        ),
    }
    return WildClusterBootstrapResult(
        table=table,
        details=details,
        term=term,
        h0=h0,
        estimate=dist.estimate,
        std_error=dist.std_error,
        t_stat=t,
        p_value=p,
        p_value_range=p_range,
        conf_low=low,
        conf_high=high,
        alpha=alpha,
        reps=n_draws,
        enumerated=enumerated,
        weights=weights,
        p_type=p_type,
        n=design.n,
        n_clusters=design.n_clusters,
        bootstrap_t=dist.t_star(h0),
        _distribution=dist,
    )


def _conventional_from_design(
    design: _Design, term: str, *, h0: float = 0.0, alpha: float = 0.05, formula: str = "", cluster: str = ""
) -> ClusterRobustResult:
    """:func:`cluster_robust` from a design already built: the same CR1 numbers (β̂ and
    ``sqrt(c · Σ_g (Σ_{i∈g} q_i û_i)²)`` with ``q = X (X'X)⁻¹ e_j``, the row of the OLS
    estimator), computed with numpy instead of statsmodels. Equal to :func:`cluster_robust`
    to rounding (tested); used where one design serves several terms."""
    if term not in design.names:
        raise KeyError(f"term {term!r} is not a coefficient of {formula!r}; coefficients are {design.names}.")
    j = design.names.index(term)
    X, y, g = design.X, design.y, design.cluster_codes
    N, G = X.shape[0], design.n_clusters
    A = np.linalg.inv(X.T @ X)
    beta = A @ (X.T @ y)
    q = X @ A[:, j]
    u = y - X @ beta
    score = np.bincount(g, q * u, minlength=G)
    c = G / (G - 1) * (N - 1) / (N - design.k)
    est, se = float(beta[j]), math.sqrt(c * float(score @ score))
    return _cluster_robust_result(
        design, term, est, se, h0=h0, alpha=alpha, formula=formula, cluster=cluster, fixed_effects=None
    )


def _cluster_robust_result(
    design: _Design,
    term: str,
    est: float,
    se: float,
    *,
    h0: float,
    alpha: float,
    formula: str,
    cluster: str,
    fixed_effects: str | None,
) -> ClusterRobustResult:
    """The CR1 t-test of ``term`` from its estimate and standard error: t with G − 1
    degrees of freedom, p-value, interval and the tidy row."""
    from scipy import special  # not scipy.stats: a second to import

    G = design.n_clusters
    df = G - 1
    t = (est - float(h0)) / se
    p = float(2 * special.stdtr(df, -abs(t)))
    crit = float(special.stdtrit(df, 1 - alpha / 2))
    table = tidy_frame(
        [
            {
                "term": term,
                "estimate": est,
                "std_error": se,
                "conf_low": est - crit * se,
                "conf_high": est + crit * se,
                "p_value": p,
                "n": design.n,
                "method": "ols",
                "inference": "cluster_robust",
                "statistic": t,
                "h0": float(h0),
                "n_clusters": G,
                "df": df,
            }
        ]
    )
    details = {
        "formula": formula,
        "cluster": cluster,
        "fixed_effects": fixed_effects,
        "dropped_collinear": design.dropped,
        "k": design.k,
    }
    return ClusterRobustResult(
        table=table,
        details=details,
        term=term,
        h0=float(h0),
        estimate=est,
        std_error=se,
        t_stat=t,
        p_value=p,
        conf_low=est - crit * se,
        conf_high=est + crit * se,
        alpha=alpha,
        df=df,
        n=design.n,
        n_clusters=G,
    )


def cluster_robust(
    data: pd.DataFrame,
    formula: str,
    cluster: str,
    term: str,
    h0: float = 0.0,
    alpha: float = 0.05,
    fixed_effects: str | None = None,
) -> ClusterRobustResult:
    """Conventional cluster-robust (CR1) t-test of one OLS coefficient, via statsmodels.

    The variance is statsmodels' ``cov_type="cluster"`` (CR1: the cluster sandwich times
    ``G/(G−1) · (N−1)/(N−k)``, as Stata's ``regress, vce(cluster)``); the p-value and the
    confidence interval use a t distribution with ``G − 1`` degrees of freedom, as Stata
    does. Shown beside :func:`wild_cluster_bootstrap` and :func:`randomization_inference`:
    with few clusters, and few treated ones, it rejects too often (MacKinnon & Webb 2017).

    Parameters
    ----------
    data, formula, cluster, term, h0, alpha
        As in :func:`wild_cluster_bootstrap`.
    fixed_effects
        Optional column added to the formula as ``C(column)``.

    Returns
    -------
    ClusterRobustResult
        ``estimate``, ``std_error``, ``t_stat``, ``p_value``, ``conf_low``/``conf_high``,
        ``df`` (G − 1) and ``tidy()`` with inference ``"cluster_robust"``, method ``"ols"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"g": np.repeat(np.arange(8), 25), "x": rng.normal(size=200)})
    >>> df["y"] = 0.3 * df["x"] + rng.normal(size=200)
    >>> res = cluster_robust(df, "y ~ x", cluster="g", term="x")
    >>> res.df, res.tidy()["inference"].item()
    (7, 'cluster_robust')
    """
    from statsmodels.regression.linear_model import (
        OLS,  # not statsmodels.api, which imports all of statsmodels
    )

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha}).")
    design = _build_design(data, formula, cluster, term, fixed_effects, _capture_env(), absorb=False)
    fit = OLS(design.y, design.X).fit(
        method="qr",
        cov_type="cluster",
        cov_kwds={"groups": design.cluster_codes, "use_correction": True, "df_correction": True},
    )
    j = design.names.index(term)
    return _cluster_robust_result(
        design,
        term,
        float(fit.params[j]),
        float(fit.bse[j]),
        h0=h0,
        alpha=alpha,
        formula=formula,
        cluster=cluster,
        fixed_effects=fixed_effects,
    )


def _label(assignment: tuple) -> str:
    return "+".join(str(u) for u in assignment)


def randomization_inference(
    data: pd.DataFrame,
    estimate: Callable[[pd.DataFrame, frozenset], float | Mapping],
    unit: str = "administration",
    treated: Iterable[Hashable] | None = None,
    n_treated: int | None = None,
    statistic: str = "estimate",
    alpha: float = 0.05,
    *,
    term: str | None = None,
    method: str | None = None,
    max_assignments: int = 100_000,
    n_draws: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> RandomizationInferenceResult:
    """Randomization (permutation) inference over assignments of treated units.

    Re-estimates the effect as if each possible set of ``n_treated`` units had been the
    treated ones — all ``C(8, 3) = 56`` sets for 3 of 8 administrations — and compares
    the actual estimate with that distribution (Fisher 1935; Young 2019). Under the sharp
    null of no effect for any unit, and an assignment that could equally have picked any
    set, the p-value is exact: the share of assignments whose statistic is at least as
    extreme as the actual one, the actual one included, so the smallest possible p-value
    is ``1/56``.

    Parameters
    ----------
    data
        The data, passed unchanged to ``estimate``.
    estimate
        ``estimate(data, treated_units: frozenset) -> float`` re-estimates the effect as if
        ``treated_units`` were treated (for example a difference-in-differences with the
        treatment dummy rebuilt from ``treated_units``). It may instead return a mapping
        such as ``{"estimate": ..., "t_stat": ...}``; then ``statistic`` names the entry
        tested, and every entry is kept in ``distribution``.
    unit
        Column of ``data`` holding the assignment units.
    treated
        The units actually treated.
    n_treated
        Number of treated units (default ``len(treated)``; must agree with it).
    statistic
        The key tested when ``estimate`` returns a mapping, e.g. ``"t_stat"`` to test the
        studentised effect (often better behaved with clusters of unequal size; Young
        2019); the mapping's ``"estimate"`` entry is still reported as the effect. When
        ``estimate`` returns a float, a label for what it is.
    alpha
        Significance level, stored with the result.
    term
        Name for the ``term`` column of ``tidy()`` (default ``statistic``).
    method
        Name for the ``method`` column of ``tidy()`` (default: the callable's name).
    max_assignments
        Enumerate every assignment when there are at most this many; otherwise sample.
    n_draws, seed
        Sample ``n_draws`` random assignments (with replacement, plus the actual one)
        instead of enumerating; ``p = (1 + #extreme draws)/(1 + n_draws)``. Default
        ``n_draws`` when sampling is forced by ``max_assignments``: 9 999.

    Returns
    -------
    RandomizationInferenceResult
        ``estimate`` (the actual assignment's effect), ``statistic_value`` (its tested
        statistic; the same unless a mapping is returned), ``distribution`` (one row per
        assignment: ``assignment`` ("KOF+SOF+UBF"), ``units`` (tuple), ``estimate``, any
        other returned entries, ``is_actual``), ``p_value`` (two-sided: share with
        ``|statistic| ≥ |actual|``), ``p_value_one_sided_upper`` (share ≥ actual),
        ``p_value_one_sided_lower`` (share ≤ actual), ``n_assignments``,
        ``enumerated``, ``min_p_value``, ``plot_data()`` and ``tidy()`` with inference
        ``"randomization_inference"`` (no standard error or interval: NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"admin": list("ABCDEFGH"), "y": [9., 8., 7., 1., 2., 3., 2., 1.]})
    >>> def diff(d, treated):
    ...     t = d["admin"].isin(treated)
    ...     return d.loc[t, "y"].mean() - d.loc[~t, "y"].mean()
    >>> res = randomization_inference(df, diff, unit="admin", treated={"A", "B", "C"})
    >>> res.n_assignments, round(res.p_value, 4), round(res.min_p_value, 4)
    (56, 0.0179, 0.0179)
    """
    _check_columns(data, [unit], "unit")
    if treated is None:
        raise ValueError("randomization_inference needs the actually treated units: pass treated=[...].")
    if isinstance(treated, (str, bytes)):
        treated = [treated]
    actual = frozenset(treated)
    units = sorted(pd.unique(data[unit].dropna()), key=lambda u: (str(type(u)), u))
    missing = actual - set(units)
    if missing:
        raise ValueError(
            f"treated units {sorted(map(str, missing))} are not values of {unit!r}; the units are {units}."
        )
    if n_treated is None:
        n_treated = len(actual)
    if n_treated != len(actual):
        raise ValueError(
            f"n_treated={n_treated} but {len(actual)} treated units were given: {sorted(map(str, actual))}."
        )
    if not 0 < n_treated < len(units):
        raise ValueError(f"need between 1 and {len(units) - 1} treated of {len(units)} units (got {n_treated}).")
    total = math.comb(len(units), n_treated)
    order = {u: i for i, u in enumerate(units)}

    def canonical(s: Iterable) -> tuple:
        return tuple(sorted(s, key=order.__getitem__))

    enumerated = n_draws is None and total <= max_assignments
    if enumerated:
        assignments = [tuple(c) for c in itertools.combinations(units, n_treated)]
    else:
        n_draws = 9999 if n_draws is None else int(n_draws)
        if n_draws < 1:
            raise ValueError(f"n_draws must be at least 1 (got {n_draws}).")
        rng = np.random.default_rng(seed)
        picks = [
            canonical(np.asarray(units, dtype=object)[rng.choice(len(units), n_treated, replace=False)])
            for _ in range(n_draws)
        ]
        assignments = [canonical(actual), *picks]
    actual_key = canonical(actual)

    rows = []
    cache: dict[tuple, object] = {}
    for i, assignment in enumerate(assignments):
        if assignment not in cache:
            cache[assignment] = estimate(data, frozenset(assignment))
        value = cache[assignment]
        if isinstance(value, Mapping):
            if statistic not in value:
                raise KeyError(f"estimate returned {sorted(value)} but statistic={statistic!r}.")
            values = {str(k): float(v) for k, v in value.items()}
            values.setdefault("estimate", values[statistic])
            tested = values[statistic]
        else:
            tested = float(value)
            values = {"estimate": tested}
        if not np.isfinite(tested):
            raise ValueError(
                f"estimate returned {tested} for the assignment {_label(assignment)}; every assignment "
                "must give a finite statistic."
            )
        is_actual = (i == 0) if not enumerated else assignment == actual_key
        rows.append({"assignment": _label(assignment), "units": assignment, **values, "is_actual": is_actual})
    distribution = pd.DataFrame(rows)
    column = statistic if statistic in distribution.columns else "estimate"
    actual_row = distribution.loc[distribution["is_actual"]].iloc[0]
    values = distribution[column].to_numpy(dtype=float)
    actual_value = float(actual_row[column])
    tol = _TIE_RTOL * max(abs(actual_value), 1e-300)
    p_two = float(np.mean(np.abs(values) >= abs(actual_value) - tol))
    p_upper = float(np.mean(values >= actual_value - tol))
    p_lower = float(np.mean(values <= actual_value + tol))
    n_assign = len(values)
    term = term or statistic
    method = method or getattr(estimate, "__name__", "custom")
    if method == "<lambda>":
        method = "custom"
    effect = float(actual_row["estimate"])
    table = tidy_frame(
        [
            {
                "term": term,
                "estimate": effect,
                "std_error": float("nan"),
                "conf_low": float("nan"),
                "conf_high": float("nan"),
                "p_value": p_two,
                "n": len(data),
                "method": method,
                "inference": "randomization_inference",
                "statistic": actual_value,
                "p_value_one_sided_upper": p_upper,
                "p_value_one_sided_lower": p_lower,
                "n_assignments": n_assign,
                "enumerated": enumerated,
            }
        ]
    )
    details = {
        "unit": unit,
        "treated": sorted(map(str, actual)),
        "statistic": statistic,
        "tested_column": column,
        "possible_assignments": total,
        "seed": seed,
    }
    return RandomizationInferenceResult(
        table=table,
        details=details,
        term=term,
        estimate=effect,
        statistic_value=actual_value,
        distribution=distribution,
        p_value=p_two,
        p_value_one_sided_upper=p_upper,
        p_value_one_sided_lower=p_lower,
        n_assignments=n_assign,
        enumerated=enumerated,
        unit=unit,
        treated=actual,
        statistic=statistic,
        alpha=alpha,
    )
