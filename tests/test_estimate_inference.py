"""Few-cluster inference (pilot_eval.estimate.inference): proof that the numbers are right.

1. Published reference: Stata's ``boottest`` on its 8-cluster test file ``collapsed.dta``
   (numbers and their source in ``tests/results/boottest_collapsed.py``).
2. An obviously-correct slow reference: refit OLS with statsmodels for every weight
   pattern and compare each bootstrap t-statistic and the p-value.
3. Exactness: enumeration does not depend on the seed; the confidence bounds are where the
   bootstrap p-value crosses alpha.
4. Size with 8 clusters, 3 treated: the wild bootstrap stays near 5 % where the
   conventional cluster-robust test over-rejects.
5. Randomization inference: 56 assignments, smallest p 1/56, exact, uniform under the null.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from results import boottest_collapsed as ref
from scipy import stats

from pilot_eval.estimate import inference as inf
from pilot_eval.estimate.base import TIDY_COLUMNS
from pilot_eval.estimate.inference import (
    WEIGHT_DISTRIBUTIONS,
    cluster_robust,
    randomization_inference,
    wild_cluster_bootstrap,
)

COLLAPSED_DTA = Path(__file__).resolve().parent / "data" / "collapsed.dta"  # origin: tests/data/README.md


@pytest.fixture(scope="module")
def collapsed() -> pd.DataFrame:
    data = pd.read_stata(COLLAPSED_DTA)
    data = data.dropna(how="all")  # the file has 84 empty rows after the 16 observations
    assert len(data) == ref.N_OBS and data[ref.CLUSTER].nunique() == ref.N_CLUSTERS
    return data


def _wcb(data, spec: dict, **kw):
    return wild_cluster_bootstrap(
        data, ref.FORMULA, ref.CLUSTER, spec["term"], h0=spec["h0"], weights=spec["weights"], **kw
    )


def _tie_counts(res) -> tuple[int, int]:
    """Draws strictly beyond |t| and draws tying with it (to 1e-9 relative)."""
    a, at = np.abs(res.bootstrap_t), abs(res.t_stat)
    tie = np.abs(a - at) <= 1e-9 * at
    return int(((a > at) & ~tie).sum()), int(tie.sum())


# --------------------------------------------------------------------------- 1. boottest


class TestBoottestReference:
    """Stata boottest 4.4.1 on collapsed.dta (droodman/boottest, ``unit tests.log`` at commit
    05351a1b2e45609f58f5314cafef3ca43e2a537d; see tests/results/boottest_collapsed.py)."""

    def test_rademacher_enumeration_post_self(self, collapsed):
        # boottest post_self=.04, nogr -> t(7) = 2.0194, Prob>|t| = 0.0742,
        # CI [.0384, .07148], 256 replications (unit tests.log, output of log line "4.")
        spec = ref.RADEMACHER_POST_SELF
        res = _wcb(collapsed, spec, seed=1)
        assert res.enumerated and res.reps == spec["reps"] == 2**8
        assert res.t_stat == pytest.approx(spec["t"], abs=5e-5)
        # 18 draws are strictly beyond |t|, and v = ±1 tie with it exactly
        assert _tie_counts(res) == (18, 2)
        # published 0.0742 = 19/256: boottest counted one of the two exact ties (rounding)
        assert res.p_value_at(spec["h0"], ties="half") == 19 / 256
        assert round(res.p_value_at(spec["h0"], ties="half"), 4) == spec["p"]
        assert res.p_value_range[0] <= spec["p"] <= res.p_value_range[1]
        assert res.p_value == 20 / 256  # our default counts ties: #{|t*| >= |t|}/B
        # CI: boottest stops within 1/B of alpha; ours is the exact crossing. Agreement to
        # the width of one p-step (about 2e-4) under both tie rules:
        for ties in ("strict", "count"):
            other = _wcb(collapsed, spec, ties=ties)
            assert other.conf_low == pytest.approx(spec["conf_low"], abs=4e-4)
            assert other.conf_high == pytest.approx(spec["conf_high"], abs=4e-4)

    def test_rademacher_enumeration_post(self, collapsed):
        # boottest {post_self=.04} {post}, nogr -> second test: t(7) = -5.5821,
        # Prob>|t| = 0.0000, CI [-.02955, -.0129] (unit tests.log, log line "11.")
        spec = ref.RADEMACHER_POST
        res = _wcb(collapsed, spec)
        assert res.t_stat == pytest.approx(spec["t"], abs=5e-5)
        # no draw strictly beyond |t|; only the exact ties v = ±1 reach it
        assert _tie_counts(res) == (0, 2)
        assert res.p_value_at(0.0, ties="strict") == spec["p"] == 0.0
        assert res.p_value == 2 / 256
        for ties in ("strict", "count"):
            other = _wcb(collapsed, spec, ties=ties)
            assert other.conf_low == pytest.approx(spec["conf_low"], abs=4e-4)
            assert other.conf_high == pytest.approx(spec["conf_high"], abs=4e-4)

    def test_webb_full_enumeration_matches_ten_million_draws(self, collapsed):
        # boottest post_self=.04, weight(webb) reps(9999999) noci -> Prob>|t| = 0.0757
        # (log line "72."). All 6^8 = 1 679 616 Webb patterns give the exact value that
        # boottest estimates with 10^7 random draws (Monte Carlo s.e. 8e-5).
        spec = ref.WEBB_TEN_MILLION_POST_SELF
        res = _wcb(collapsed, spec, enumerate=True, confint=False)
        assert res.enumerated and res.reps == 6**8
        mc_se = math.sqrt(spec["p"] * (1 - spec["p"]) / spec["reps"])
        assert res.p_value == pytest.approx(spec["p"], abs=max(3 * mc_se, 5e-5))
        assert round(res.p_value, 4) == spec["p"]
        assert res.t_stat == pytest.approx(spec["t"], abs=5e-5)

    @pytest.mark.slow
    def test_webb_999_draws_p_and_ci(self, collapsed):
        # boottest post_self=.04, weight(webb) nogr -> Prob>|t| = 0.0791, CI [.03846, .07082]
        # with 999 random draws (log line "71."). Compare with the exact (enumerated) Webb
        # bootstrap: within Monte Carlo error of 999 draws.
        spec = ref.WEBB_999_POST_SELF
        exact = _wcb(collapsed, spec, enumerate=True)
        mc_se = math.sqrt(exact.p_value * (1 - exact.p_value) / spec["reps"])
        assert exact.p_value == pytest.approx(spec["p"], abs=3 * mc_se)
        assert exact.conf_low == pytest.approx(spec["conf_low"], abs=1e-3)
        assert exact.conf_high == pytest.approx(spec["conf_high"], abs=1e-3)
        sampled = _wcb(collapsed, spec, reps=spec["reps"], seed=20221228)
        assert not sampled.enumerated and sampled.reps == 999
        assert sampled.p_value == pytest.approx(exact.p_value, abs=3 * mc_se)

    def test_mammen_matches_boottest_strict_rule(self, collapsed):
        # boottest post_self=.04, weight(mammen) reps(9999) noci -> Prob>|t| = 0.1022
        # (log line "75."). boottest samples 9 999 of the 256 Mammen patterns and counts
        # only |t*| > |t|; the exact weighted enumeration with that rule is 0.1039.
        spec = ref.MAMMEN_9999_POST_SELF
        res = _wcb(collapsed, spec, ties="strict", confint=False)
        assert res.enumerated and res.reps == 256
        mc_se = math.sqrt(res.p_value * (1 - res.p_value) / spec["reps"])
        assert res.p_value == pytest.approx(spec["p"], abs=3 * mc_se)
        # the tie atom v = -0.618·1 has probability 0.7236^8 = 0.0755: counting ties
        # moves the p-value by that much, so the rule is stated with every result
        counted = _wcb(collapsed, spec, confint=False)
        lo, hi = WEIGHT_DISTRIBUTIONS["mammen"][1]
        assert counted.p_value - res.p_value == pytest.approx(lo**8 + hi**8, abs=1e-12)

    def test_cluster_robust_t_matches_stata(self, collapsed):
        # the t(7) = 2.0194 that boottest prints is the CR1 Wald t of regress, cluster(year)
        res = cluster_robust(collapsed, ref.FORMULA, ref.CLUSTER, "post_self", h0=0.04)
        assert res.t_stat == pytest.approx(ref.RADEMACHER_POST_SELF["t"], abs=5e-5)
        assert res.df == 7
        res = cluster_robust(collapsed, ref.FORMULA, ref.CLUSTER, "post")
        assert res.t_stat == pytest.approx(ref.RADEMACHER_POST["t"], abs=5e-5)


# --------------------------------------------------------------------------- 2. slow reference


def _panel(seed: int = 0, sizes=(9, 4, 12, 3, 7, 5, 10, 6)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(len(sizes)), sizes)
    n = len(g)
    period = rng.integers(0, 4, n)
    treated = np.isin(g, [0, 2, 5])
    df = pd.DataFrame(
        {
            "admin": np.array(list("ABCDEFGHIJKL"))[g],
            "period": period,
            "x": rng.normal(size=n) + 0.5 * rng.normal(size=len(sizes))[g],
            "D": (treated & (period >= 2)).astype(float),
        }
    )
    df["y"] = 0.2 * df["x"] + 0.3 * df["D"] + 0.1 * period + rng.normal(size=len(sizes))[g] + rng.normal(size=n)
    return df


def _slow_wild_t(data, formula, cluster, term, h0, values, probs, n_clusters):
    """Obviously-correct reference: impose the null, then for every weight pattern build
    y* = fitted_restricted + residual_restricted * v_g and refit OLS with statsmodels'
    CR1 cluster covariance. Patterns in the order of the fast code: cluster g (sorted
    labels) takes digit (b // base**g) % base."""
    full = smf.ols(formula, data).fit()
    X = pd.DataFrame(full.model.exog, columns=full.model.exog_names)
    y = full.model.endog
    restricted = sm.OLS(y - h0 * X[term].to_numpy(), X.drop(columns=term)).fit()
    fitted = y - restricted.resid
    u = np.asarray(restricted.resid)
    codes = pd.factorize(data[cluster], sort=True)[0]
    base = len(values)
    ts, ws = [], []
    for b in range(base**n_clusters):
        digits = [(b // base**gg) % base for gg in range(n_clusters)]
        v = values[digits]
        fit = sm.OLS(fitted + u * v[codes], X).fit(cov_type="cluster", cov_kwds={"groups": codes})
        ts.append((fit.params[term] - h0) / fit.bse[term])
        ws.append(np.prod(probs[digits]))
    t = (full.params[term] - h0) / full.get_robustcov_results("cluster", groups=codes).bse[
        list(full.params.index).index(term)
    ]
    return float(t), np.array(ts), np.array(ws)


def _slow_p(t, ts, ws, ties):
    a, at = np.abs(ts), abs(t)
    tie = np.abs(a - at) <= 1e-9 * at
    weight = {"strict": 0.0, "half": 0.5, "count": 1.0}[ties]
    return float((ws * (((a > at) & ~tie) + weight * tie)).sum() / ws.sum())


class TestAgainstRefitting:
    def test_cr1_standard_error_equals_statsmodels(self):
        df = _panel()
        formula = "y ~ D + x + C(period)"
        res = wild_cluster_bootstrap(df, formula, "admin", "D", weights="rademacher", confint=False)
        fit = smf.ols(formula, df).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df["admin"])[0]})
        assert res.estimate == pytest.approx(fit.params["D"], rel=1e-12)
        assert res.std_error == pytest.approx(fit.bse["D"], rel=1e-10)
        conv = cluster_robust(df, formula, "admin", "D")
        assert conv.std_error == pytest.approx(fit.bse["D"], rel=1e-12)
        assert conv.t_stat == pytest.approx(res.t_stat, rel=1e-10)
        assert conv.p_value == pytest.approx(2 * stats.t.sf(abs(conv.t_stat), 7), rel=1e-12)
        crit = stats.t.ppf(0.975, 7)
        assert (conv.conf_low, conv.conf_high) == pytest.approx(
            (fit.params["D"] - crit * fit.bse["D"], fit.params["D"] + crit * fit.bse["D"]), rel=1e-10
        )

    @pytest.mark.parametrize("h0", [0.0, 0.3])
    def test_rademacher_every_pattern_equals_refit(self, h0):
        df = _panel()
        formula = "y ~ D + x + C(period)"
        res = wild_cluster_bootstrap(df, formula, "admin", "D", h0=h0, weights="rademacher", confint=False)
        values, probs = WEIGHT_DISTRIBUTIONS["rademacher"]
        t, ts, ws = _slow_wild_t(df, formula, "admin", "D", h0, values, probs, 8)
        assert res.t_stat == pytest.approx(t, rel=1e-10)
        np.testing.assert_allclose(res.bootstrap_t, ts, rtol=1e-9, atol=1e-12)
        for ties in ("count", "strict", "half"):
            assert res.p_value_at(h0, ties=ties) == pytest.approx(_slow_p(t, ts, ws, ties), abs=1e-12)

    def test_webb_enumeration_equals_refit(self):
        df = _panel(seed=3, sizes=(6, 9, 4))
        formula = "y ~ x + D"
        res = wild_cluster_bootstrap(df, formula, "admin", "x", h0=0.1, weights="webb", reps=999, confint=False)
        assert res.enumerated and res.reps == 6**3
        values, probs = WEIGHT_DISTRIBUTIONS["webb"]
        t, ts, ws = _slow_wild_t(df, formula, "admin", "x", 0.1, values, probs, 3)
        np.testing.assert_allclose(res.bootstrap_t, ts, rtol=1e-9, atol=1e-12)
        assert res.p_value == pytest.approx(_slow_p(t, ts, ws, "count"), abs=1e-12)

    def test_mammen_weighted_enumeration_equals_refit(self):
        df = _panel(seed=4, sizes=(6, 9, 4, 8, 5))
        formula = "y ~ x + D"
        res = wild_cluster_bootstrap(df, formula, "admin", "x", weights="mammen", confint=False)
        values, probs = WEIGHT_DISTRIBUTIONS["mammen"]
        t, ts, ws = _slow_wild_t(df, formula, "admin", "x", 0.0, values, probs, 5)
        np.testing.assert_allclose(res.bootstrap_t, ts, rtol=1e-9, atol=1e-12)
        for ties in ("count", "strict"):
            assert res.p_value_at(0.0, ties=ties) == pytest.approx(_slow_p(t, ts, ws, ties), abs=1e-12)

    def test_absorbed_fixed_effect_equals_dummies(self):
        # fixed effect not nested in the clusters (period), and one nested in them (admin)
        df = _panel(seed=5)
        for fe, formula in (("period", "y ~ D + x"), ("admin", "y ~ D + x + C(period)")):
            absorbed = wild_cluster_bootstrap(df, formula, "admin", "D", weights="rademacher", fixed_effects=fe)
            dummies = wild_cluster_bootstrap(df, f"{formula} + C({fe})", "admin", "D", weights="rademacher")
            assert absorbed.estimate == pytest.approx(dummies.estimate, rel=1e-10)
            assert absorbed.std_error == pytest.approx(dummies.std_error, rel=1e-10)
            np.testing.assert_allclose(absorbed.bootstrap_t, dummies.bootstrap_t, rtol=1e-8)
            assert absorbed.p_value == dummies.p_value
            assert (absorbed.conf_low, absorbed.conf_high) == pytest.approx(
                (dummies.conf_low, dummies.conf_high), rel=1e-7
            )
            conv = cluster_robust(df, formula, "admin", "D", fixed_effects=fe)
            assert conv.std_error == pytest.approx(dummies.std_error, rel=1e-10)

    def test_absorbed_fixed_effect_equals_refit(self):
        df = _panel(seed=6)
        res = wild_cluster_bootstrap(
            df, "y ~ D + x", "admin", "D", weights="rademacher", fixed_effects="period", confint=False
        )
        values, probs = WEIGHT_DISTRIBUTIONS["rademacher"]
        _, ts, _ = _slow_wild_t(df, "y ~ D + x + C(period)", "admin", "D", 0.0, values, probs, 8)
        np.testing.assert_allclose(res.bootstrap_t, ts, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------- 3. exactness


class TestExactness:
    def test_enumeration_ignores_seed(self, collapsed):
        a = _wcb(collapsed, ref.RADEMACHER_POST_SELF, seed=1)
        b = _wcb(collapsed, ref.RADEMACHER_POST_SELF, seed=987654321)
        c = _wcb(collapsed, ref.RADEMACHER_POST_SELF)
        assert a.p_value == b.p_value == c.p_value
        assert (a.conf_low, a.conf_high) == (b.conf_low, b.conf_high)
        np.testing.assert_array_equal(a.bootstrap_t, b.bootstrap_t)

    def test_sampling_is_reproducible_with_seed(self):
        df = _panel()
        a = wild_cluster_bootstrap(df, "y ~ D + x", "admin", "D", seed=11)
        b = wild_cluster_bootstrap(df, "y ~ D + x", "admin", "D", seed=11)
        assert not a.enumerated and a.reps == 9999
        assert a.p_value == b.p_value and a.conf_low == b.conf_low

    @pytest.mark.parametrize(
        "weights, ties", [("rademacher", "count"), ("rademacher", "strict"), ("webb", "count"), ("mammen", "strict")]
    )
    def test_confidence_bounds_are_where_p_crosses_alpha(self, collapsed, weights, ties):
        res = wild_cluster_bootstrap(
            collapsed, ref.FORMULA, ref.CLUSTER, "post_self", h0=0.04, weights=weights, ties=ties, seed=3
        )
        assert res.conf_low < res.estimate < res.conf_high
        eps = 1e-8 * res.std_error
        for bound, inward in ((res.conf_low, 1), (res.conf_high, -1)):
            assert res.p_value_at(bound + inward * eps) > res.alpha >= res.p_value_at(bound - inward * eps)
        # and the test at h0 agrees with the interval
        assert (res.p_value > res.alpha) == (res.conf_low < res.h0 < res.conf_high)

    def test_restricted_draws_reproduce_h0(self, collapsed):
        # the draw v = 1 reproduces the data, so its statistic is the actual one, for any h0
        res = _wcb(collapsed, ref.RADEMACHER_POST_SELF)
        dist = res._distribution
        for h0 in (res.conf_low, 0.0, 0.04, res.conf_high):
            assert dist.t_star(h0)[-1] == pytest.approx(dist.t_actual(h0), rel=1e-9)  # last pattern: all +1
            assert dist.t_star(h0)[0] == pytest.approx(-dist.t_actual(h0), rel=1e-9)  # first: all -1

    def test_9999_draws_with_interval_on_1000_rows(self):
        """Runs on a realistic size (speed is measured in benchmarks, not asserted here)."""
        rng = np.random.default_rng(0)
        n = 1000
        g = rng.integers(0, 8, n)
        df = pd.DataFrame({"g": g, "period": rng.integers(0, 12, n), "x": rng.normal(size=n)})
        df["treat"] = (np.isin(df["g"], [0, 1, 2]) & (df["period"] >= 6)).astype(float)
        df["y"] = rng.normal(size=8)[g] + rng.normal(size=n)
        res = wild_cluster_bootstrap(df, "y ~ treat + x + C(g) + C(period)", "g", "treat", seed=1)
        assert res.reps == 9999 and np.isfinite(res.conf_low) and res.conf_low < res.estimate < res.conf_high


class TestMonteCarloPValueAndSharedDesign:
    def test_sampled_p_value_is_never_zero(self):
        """With random draws p = (b + 1)/(B + 1): an effect far beyond every draw gives
        1/(B + 1) (i.e. p < 1/B), not 0; enumeration keeps the exact share."""
        df = _panel()
        df["y"] = df["y"] + 50.0 * df["D"]  # no draw comes near this t
        sampled = wild_cluster_bootstrap(df, "y ~ D + x", "admin", "D", weights="webb", reps=199, seed=5, confint=False)
        assert not sampled.enumerated and sampled.reps == 199
        assert sampled.p_value == pytest.approx(1 / 200)
        assert sampled.p_value_range == pytest.approx((1 / 200, 1 / 200))
        assert "(b + 1)/(B + 1)" in sampled.details["p_value_convention"]
        # b draws beyond out of B: exactly (b + 1)/(B + 1)
        null = wild_cluster_bootstrap(
            _panel(seed=9), "y ~ D + x", "admin", "D", weights="webb", reps=999, seed=2, confint=False
        )
        beyond = int((np.abs(null.bootstrap_t) >= abs(null.t_stat)).sum())
        assert null.p_value == pytest.approx((beyond + 1) / 1000)
        exact = wild_cluster_bootstrap(df, "y ~ D + x", "admin", "D", weights="rademacher", confint=False)
        assert exact.enumerated and exact.p_value == pytest.approx(2 / 256)  # the two ties v = ±1

    def test_conventional_from_a_shared_design_equals_cluster_robust(self):
        """pilot_effects builds one design per outcome for both terms and derives the CR1
        row from it with numpy: the same numbers as cluster_robust (statsmodels), and the
        numpy-built matrix is patsy's (columns, names, order)."""
        from pilot_eval.estimate.inference import (
            _build_design,
            _capture_env,
            _conventional_from_design,
            _design_for,
            _plain_design,
        )

        df = _panel(seed=4)
        df["period"] = df["period"].astype(str)
        formula = "y ~ D + x + C(period) + C(admin)"
        fast = _plain_design(df, formula, "admin")
        slow = _build_design(df, formula, "admin", None, None, _capture_env(1))
        assert fast is not None and fast.names == slow.names and fast.k == slow.k
        np.testing.assert_array_equal(fast.X, slow.X)
        design = _design_for(df, formula, "admin")
        for term in ("D", "x"):
            ours = _conventional_from_design(design, term)
            ref_ = cluster_robust(df, formula, "admin", term)
            for attr in ("estimate", "std_error", "t_stat", "p_value", "conf_low", "conf_high"):
                assert getattr(ours, attr) == pytest.approx(getattr(ref_, attr), rel=1e-9, abs=1e-12), attr
            assert list(ours.tidy().columns) == list(ref_.tidy().columns)
        # formulas it does not handle go through patsy
        assert _plain_design(df, "y ~ D * x", "admin") is None


def _design_frame() -> pd.DataFrame:
    """Numeric, string, bool, float-coded and ``Q()``-named columns with missing values, and
    a level ("z") that appears only on a row dropped for its missing outcome."""
    rng = np.random.default_rng(11)
    n = 60
    df = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "k": rng.integers(0, 5, n),
            "s": rng.choice(["a", "b", "c"], n).astype(object),
            "b": rng.random(n) < 0.5,
            "f": rng.choice([1.0, 2.0, 3.0], n),
            "odd name": rng.choice(["p", "q"], n).astype(object),
            "e": pd.array(rng.integers(0, 3, n), dtype="Int64"),
        }
    )
    df.loc[[3, 17], "y"] = np.nan
    df.loc[5, "x"] = np.nan
    df.loc[8, "s"] = None
    df.loc[3, "s"] = "z"
    df.loc[9, "f"] = np.nan
    return df.set_index(pd.RangeIndex(100, 100 + n))


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ x",
        "y ~ x + k",
        "y ~ x + C(s)",
        "y ~ 0 + C(s) + x",
        "y ~ C(f) + C(b) + k",
        "y ~ x + C(Q('odd name'))",
        "y ~ x + x + C(s) + C(s)",
    ],
)
def test_fast_design_is_patsys(formula):
    """The numpy-filled design equals patsy.dmatrices on the same formula and data:
    columns, names, order, index (rows with missing values dropped) and values."""
    import patsy

    from pilot_eval.estimate.inference import _capture_env, _fast_dmatrices

    df = _design_frame()
    env = _capture_env(1)
    fast = _fast_dmatrices(formula, df, env)
    assert fast is not None
    y_ref, X_ref = patsy.dmatrices(formula, df, return_type="dataframe", NA_action="drop", eval_env=env)
    pd.testing.assert_frame_equal(fast[0], y_ref, check_dtype=False)
    pd.testing.assert_frame_equal(fast[1], X_ref, check_dtype=False)


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ x:k",  # interaction
        "y ~ np.log(k + 1)",  # a function of a column
        "y ~ C(s, Sum)",  # another contrast
        "y ~ b",  # a bool column as numeric: patsy makes it categorical
        "y ~ e",  # an extension dtype
        "k ~ C(s) + x",  # fine (numeric outcome) ...
        "C(s) ~ x",  # ... but not a categorical outcome
        "y ~ unknown",  # not a column
    ],
)
def test_fast_design_leaves_other_formulas_to_patsy(formula):
    from pilot_eval.estimate.inference import _capture_env, _fast_dmatrices

    got = _fast_dmatrices(formula, _design_frame(), _capture_env(1))
    assert (got is not None) == (formula == "k ~ C(s) + x")


# --------------------------------------------------------------------------- 4. size


def test_size_with_eight_clusters_three_treated():
    """Difference-in-differences under the null, 8 administrations of very different size
    (2–12 people per period), 3 of them treated (two small, one large) from period 4 of 8,
    with administration and administration × period shocks. Conventional CR1 with t(7)
    over-rejects; the wild cluster bootstrap (Webb weights) stays near 5 %.

    The design is built once and only the outcome redrawn (1 500 replications, 399 draws
    each); the first replication is checked against the public functions.
    """
    sizes, T, treated = np.array([2, 3, 12, 8, 6, 6, 3, 2]), 8, [0, 1, 2]
    g = np.repeat(np.arange(8), sizes * T)
    t = np.concatenate([np.repeat(np.arange(T), s) for s in sizes])
    df = pd.DataFrame({"g": g, "t": t, "D": (np.isin(g, treated) & (t >= T // 2)).astype(float), "y": 0.0})
    formula = "y ~ D + C(g) + C(t)"
    design = inf._build_design(df, formula, "g", "D", None, inf._capture_env(1))
    j = design.names.index("D")
    rng = np.random.default_rng(20230701)
    n_sim, reject_cr, reject_wcb = 1500, 0, 0
    for s in range(n_sim):
        y = rng.normal(size=8)[g] + rng.normal(size=(8, T))[g, t] + rng.normal(size=len(g))
        design.y = y
        dist, _, _ = inf._bootstrap_distribution(design, j, "webb", 399, None, s, "symmetric", "count")
        p_cr = 2 * stats.t.sf(abs(dist.t_actual(0.0)), 7)
        p_wcb = dist.p_value(0.0)
        if s == 0:  # the shortcut is the public functions
            df["y"] = y
            assert cluster_robust(df, formula, "g", "D").p_value == pytest.approx(p_cr, rel=1e-9)
            assert wild_cluster_bootstrap(
                df, formula, "g", "D", reps=399, seed=0, confint=False
            ).p_value == pytest.approx(p_wcb, abs=1e-12)
        reject_cr += p_cr <= 0.05
        reject_wcb += p_wcb <= 0.05
    rate_cr, rate_wcb = reject_cr / n_sim, reject_wcb / n_sim
    se = math.sqrt(0.05 * 0.95 / n_sim)  # 0.0056
    assert rate_wcb <= 0.08, f"wild bootstrap rejects {rate_wcb:.3f}"
    assert rate_cr >= 0.05 + 4 * se, f"cluster-robust rejects only {rate_cr:.3f}"
    assert rate_cr - rate_wcb >= 0.05


# --------------------------------------------------------------------------- 5. randomization


UNITS = ["UBF", "SOF", "KOF", "VOF", "SBF", "TFF", "AVF", "KLF"]


def _mean_difference(data: pd.DataFrame, treated: frozenset) -> float:
    is_treated = data["administration"].isin(treated)
    return float(data.loc[is_treated, "y"].mean() - data.loc[~is_treated, "y"].mean())


class TestRandomizationInference:
    def test_56_assignments_smallest_p(self):
        df = pd.DataFrame({"administration": UNITS, "y": [10.0, 9.0, 8.0, 1.0, 2.0, 3.0, 2.5, 1.5]})
        res = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"})
        assert res.n_assignments == 56 == math.comb(8, 3) and res.enumerated
        assert res.p_value == pytest.approx(1 / 56) == res.min_p_value
        assert res.p_value_one_sided_upper == pytest.approx(1 / 56)
        assert res.p_value_one_sided_lower == pytest.approx(1.0)
        dist = res.distribution
        assert len(dist) == 56 and dist["is_actual"].sum() == 1
        assert dist["assignment"].is_unique
        assert dist.loc[dist["is_actual"], "assignment"].item() == "KOF+SOF+UBF"  # sorted labels
        assert res.estimate == pytest.approx(9.0 - 2.0)

    def test_p_value_counts_the_actual_assignment_and_ties(self):
        # all units equal: every assignment ties with the actual one, p = 1
        df = pd.DataFrame({"administration": UNITS, "y": 1.0})
        res = randomization_inference(df, _mean_difference, treated=["VOF", "SBF", "TFF"])
        assert res.p_value == res.p_value_one_sided_upper == res.p_value_one_sided_lower == 1.0

    def test_exact_and_seed_invariant(self):
        rng = np.random.default_rng(1)
        df = pd.DataFrame({"administration": np.repeat(UNITS, 5), "y": rng.normal(size=40)})
        a = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"}, seed=1)
        b = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"}, seed=99)
        assert a.p_value == b.p_value
        pd.testing.assert_frame_equal(a.distribution, b.distribution)
        values = a.distribution["estimate"].to_numpy()
        assert a.p_value == pytest.approx(np.mean(np.abs(values) >= abs(a.estimate) - 1e-12))
        assert a.p_value * 56 == pytest.approx(round(a.p_value * 56))  # a multiple of 1/56

    def test_sampling_when_asked(self):
        rng = np.random.default_rng(2)
        df = pd.DataFrame({"administration": np.repeat(UNITS, 5), "y": rng.normal(size=40)})
        exact = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"})
        sampled = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"}, n_draws=3000, seed=5)
        again = randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"}, n_draws=3000, seed=5)
        assert not sampled.enumerated and sampled.n_assignments == 3001
        assert sampled.p_value == again.p_value
        assert sampled.p_value == pytest.approx(exact.p_value, abs=0.03)
        limited = randomization_inference(
            df, _mean_difference, treated={"UBF", "SOF", "KOF"}, max_assignments=10, n_draws=500, seed=1
        )
        assert not limited.enumerated and limited.distribution["is_actual"].iloc[0]

    def test_uniform_under_the_null(self):
        """Null data with administration shocks and unequal sizes: the share of p <= 0.05
        is 2/56 = 0.036 in theory (p takes values k/56)."""
        rng = np.random.default_rng(3)
        sizes = np.array([30, 25, 6, 12, 4, 5, 3, 8])
        g = np.repeat(np.arange(8), sizes)
        frame = pd.DataFrame({"administration": UNITS})
        position = {u: i for i, u in enumerate(UNITS)}
        n_sim, p_values = 300, []
        for _ in range(n_sim):
            y = 2.0 * rng.normal(size=8)[g] + rng.normal(size=len(g))
            means = np.bincount(g, y) / sizes  # the estimate uses administration means

            def effect(_data, treated, means=means):
                mask = np.zeros(8, bool)
                mask[[position[u] for u in treated]] = True
                return float(means[mask].mean() - means[~mask].mean())

            p_values.append(randomization_inference(frame, effect, treated={"UBF", "SOF", "KOF"}).p_value)
        p_values = np.array(p_values)
        assert np.mean(p_values <= 0.05) <= 0.05 + 0.025
        assert np.mean(p_values <= 0.05) >= 0.01
        assert np.mean(p_values <= 0.5) == pytest.approx(0.5, abs=0.08)
        assert p_values.min() >= 1 / 56 - 1e-12

    def test_mapping_statistic_and_tidy(self):
        df = pd.DataFrame({"administration": UNITS, "y": [10.0, 9.0, 8.0, 1.0, 2.0, 3.0, 2.5, 1.5]})

        def both(data, treated):
            return {"estimate": _mean_difference(data, treated), "t_stat": 2 * _mean_difference(data, treated)}

        res = randomization_inference(df, both, treated={"UBF", "SOF", "KOF"}, statistic="t_stat", term="pilot")
        assert res.estimate == pytest.approx(7.0) and res.statistic_value == pytest.approx(14.0)
        assert {"estimate", "t_stat"} <= set(res.distribution.columns) and res.statistic == "t_stat"
        assert res.p_value == pytest.approx(1 / 56)
        tidy = res.tidy()
        assert list(tidy.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
        row = tidy.iloc[0]
        assert row["inference"] == "randomization_inference" and row["term"] == "pilot"
        assert row["method"] == "both" and np.isnan(row["std_error"]) and np.isnan(row["conf_low"])
        hist = res.plot_data()
        assert hist["count"].sum() == 56 and hist["contains_actual"].sum() == 1
        assert hist.loc[hist["contains_actual"], "bin_right"].item() >= res.statistic_value

    def test_errors_name_the_problem(self):
        df = pd.DataFrame({"administration": UNITS, "y": 1.0})
        with pytest.raises(ValueError, match="not values of 'administration'"):
            randomization_inference(df, _mean_difference, treated={"XYZ"})
        with pytest.raises(ValueError, match="n_treated=2"):
            randomization_inference(df, _mean_difference, treated={"UBF", "SOF", "KOF"}, n_treated=2)
        with pytest.raises(ValueError, match="treated="):
            randomization_inference(df, _mean_difference)
        with pytest.raises(ValueError, match="finite"):
            randomization_inference(df, lambda d, t: float("nan"), treated={"UBF"})


# --------------------------------------------------------------------------- tidy and errors


class TestContract:
    def test_tidy_rows(self, collapsed):
        wcb = _wcb(collapsed, ref.RADEMACHER_POST_SELF)
        conv = cluster_robust(collapsed, ref.FORMULA, ref.CLUSTER, "post_self")
        for res, inference in ((wcb, "wild_cluster_bootstrap_rademacher"), (conv, "cluster_robust")):
            tidy = res.tidy()
            assert list(tidy.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS and len(tidy) == 1
            row = tidy.iloc[0]
            assert row["term"] == "post_self" and row["method"] == "ols" and row["inference"] == inference
            assert row["n"] == 16 and row["n_clusters"] == 8
            assert row["estimate"] == pytest.approx(res.estimate)
            assert row["p_value"] == res.p_value
            assert res.coef()["post_self"] == row["estimate"]
        assert wcb.tidy()["enumerated"].item() and wcb.tidy()["reps"].item() == 256
        assert "t = 2.0194" in repr(wcb)

    def test_errors(self, collapsed):
        with pytest.raises(KeyError, match="coefficients are"):
            _wcb(collapsed, {**ref.RADEMACHER_POST_SELF, "term": "nope"})
        with pytest.raises(KeyError, match="cluster column"):
            wild_cluster_bootstrap(collapsed, ref.FORMULA, "nope", "post")
        with pytest.raises(ValueError, match="weights must be"):
            wild_cluster_bootstrap(collapsed, ref.FORMULA, ref.CLUSTER, "post", weights="normal")
        with pytest.raises(ValueError, match="too many to enumerate"):
            wild_cluster_bootstrap(_panel(sizes=(3,) * 9), "y ~ x", "admin", "x", enumerate=True)
        with pytest.raises(ValueError, match="collinear"):  # as Stata, the later of a collinear pair goes
            wild_cluster_bootstrap(
                collapsed.assign(copy=collapsed["post"]), ref.FORMULA + " + copy", ref.CLUSTER, "copy"
            )
        with pytest.raises(ValueError, match="collinear with the other regressors or the fixed effect"):
            wild_cluster_bootstrap(
                collapsed.assign(g=collapsed["year"] > 1987),
                "hasinsurance ~ post",
                ref.CLUSTER,
                "post",
                fixed_effects="g",
            )
        with pytest.raises(ValueError, match="at least 2 clusters"):
            wild_cluster_bootstrap(collapsed.assign(one=1), ref.FORMULA, "one", "post")

    def test_collinear_other_columns_are_dropped(self, collapsed):
        # a copy of a control is dropped (Stata's "omitted because of collinearity")
        base = _wcb(collapsed, ref.RADEMACHER_POST_SELF)
        res = wild_cluster_bootstrap(
            collapsed.assign(copy=collapsed["post"]),
            ref.FORMULA + " + copy",
            ref.CLUSTER,
            "post_self",
            h0=0.04,
            weights="rademacher",
        )
        assert res.details["dropped_collinear"] == ["copy"]
        assert res.t_stat == pytest.approx(base.t_stat) and res.p_value == base.p_value

    def test_unbounded_interval_is_infinite_with_warning(self, collapsed):
        # Mammen, 8 clusters, ties counted: p >= 0.0755 for every h0, so nothing is rejected
        with pytest.warns(RuntimeWarning, match="unbounded"):
            res = _wcb(collapsed, ref.MAMMEN_9999_POST_SELF)
        assert res.conf_low == -math.inf and res.conf_high == math.inf
