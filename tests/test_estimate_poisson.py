"""Poisson (PPML) ratios for the count outcomes: reference matches (statsmodels GLM on the
rows, pyfixest ``fepois``), the cell and batched fits, the score bootstrap, randomization
inference and its interval, the imputation estimator, and recovery of known effects."""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pilot_eval.estimate.effects import _estimate_outcome, _reassign, rollout_design
from pilot_eval.estimate.poisson import (
    COUNT_OUTCOMES,
    _Cells,
    _fit_batch,
    _score_bootstrap_stats,
    _weights,
    poisson_effects,
    poisson_fit,
)

HERE = Path(__file__).resolve().parent
TERMS = ["during", "after"]


@pytest.fixture(scope="module")
def rows():
    """The demo's applicants-per-vacancy rows (seed 7, deterrence), stored in tests/data
    (see tests/results/poisson_reference.py)."""
    data = pd.read_csv(
        HERE / "data" / "poisson_applicants.csv", dtype={"administration": str, "period": str, "phase": str}
    )
    pilot = data["administration"].isin(["SOF", "UBF", "KOF"])
    return data.astype({"y": float, "during": float, "after": float}).assign(arm=np.where(pilot, "pilot", "comparison"))


def _glm(data: pd.DataFrame):
    import statsmodels.api as sm

    X = pd.get_dummies(data[["administration", "period"]], drop_first=True, dtype=float)
    X.insert(0, "const", 1.0)
    X["during"], X["after"] = data["during"], data["after"]
    groups = pd.factorize(data["administration"], sort=True)[0]
    return sm.GLM(data["y"], X, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, tol=1e-13
    )


def test_cell_fit_equals_statsmodels_glm_on_the_rows(rows):
    """The fit on administration × period × phase cells (exposure = rows) is the PPML of
    the microdata: every coefficient and its CR1 standard error as statsmodels' GLM Poisson
    with cov_type="cluster" (G/(G−1)·(N−1)/(N−k)), to 1e-8."""
    ours = poisson_fit(rows)
    fit = _glm(rows)
    assert ours["params"].to_numpy() == pytest.approx(fit.params.to_numpy(), abs=1e-8)
    assert np.sqrt(np.diag(ours["cov"])) == pytest.approx(fit.bse.to_numpy(), abs=1e-8)
    assert ours["n"] == len(rows) and ours["n_clusters"] == 8
    assert len(_Cells(rows, TERMS).n) < len(rows) / 30  # the point: a few cells, not thousands of rows


def test_matches_pyfixest_fepois(rows):
    """pyfixest 0.60 fepois("y ~ during + after | administration + period", CRV1 by
    administration), stored by tests/results/poisson_reference.py: coefficients to 1e-9;
    standard errors to 1e-9 with k_fixef="full" (the convention here), and pyfixest's
    default (administration effects nested in the clusters not counted in k) differs by
    exactly sqrt((N−k+7)/(N−k))."""
    ref = json.loads((HERE / "results" / "poisson_reference.json").read_text())
    assert ref["n"] == len(rows)
    ours = poisson_fit(rows)
    N, k = len(rows), len(ours["params"])
    for term in TERMS:
        se = math.sqrt(ours["cov"].loc[term, term])
        assert ours["params"][term] == pytest.approx(ref["fits"]["full"]["coef"][term], abs=1e-9)
        assert se == pytest.approx(ref["fits"]["full"]["se"][term], abs=1e-9)
        assert se / ref["fits"]["default"]["se"][term] == pytest.approx(math.sqrt((N - k + 7) / (N - k)), rel=1e-8)


def test_batched_placebo_fits_equal_refitting_each_reassigned_data_set(rows):
    cells = _Cells(rows, TERMS)
    units = cells.units
    assignments = [frozenset(a) for a in combinations(units, 3)]
    X3 = np.stack([cells.design(cells.assignment_D(a)) for a in assignments])
    beta, ok = _fit_batch(X3, np.broadcast_to(cells.s, (56, len(cells.s))), cells.n)
    assert ok.all()
    for i in (0, 23, 55, assignments.index(frozenset({"SOF", "UBF", "KOF"}))):
        slow = poisson_fit(_reassign(rows, assignments[i]))["params"]
        assert beta[i, -2:] == pytest.approx(slow[TERMS].to_numpy(), abs=1e-9), i


def test_score_bootstrap_with_unit_weights_is_the_linear_wild_bootstrap(rows):
    """With Hessian weights 1 and OLS residuals, the score bootstrap's draws are those of
    the restricted wild cluster bootstrap (the boottest-checked linear code): the same
    numerators and CR1 variances draw by draw, and the statistic at v = 1 is the Wald t."""
    from pilot_eval.estimate.inference import _bootstrap_distribution, _design_for

    data = rows.assign(y=np.log1p(rows["y"]))
    design = _design_for(data, "y ~ during + after + C(administration) + C(period)", "administration")
    j = design.names.index("during")
    dist, _, _ = _bootstrap_distribution(design, j, "webb", 999, None, 5, "symmetric", "count")
    X, y, g = design.X, design.y, design.cluster_codes
    Xr = np.delete(X, j, axis=1)
    u0 = y - Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]  # restricted at h0 = 0
    V, sampled = _weights(8, 999, 5)
    num, den2, n0, a = _score_bootstrap_stats(X, np.ones(len(y)), u0, g, j, V, dist.c)
    assert sampled
    assert n0 == pytest.approx(dist.n0, abs=1e-10)
    assert a == pytest.approx(dist.c * dist.a, rel=1e-9)
    assert num / math.sqrt(den2) == pytest.approx(dist.t_actual(0.0), rel=1e-9)


def test_poisson_rows_shape_bootstrap_and_randomization(rows):
    randomization, notes = {}, []
    found = poisson_effects(rows, reps=999, seed=1, randomization=randomization, notes=notes)
    table = pd.DataFrame(found)
    assert list(table["inference"]) == ["cluster_robust", "wild_cluster_bootstrap_webb", "randomization_inference"] * 2
    assert (table["method"] == "poisson_fixed_effects").all() and (table["scale"] == "ratio").all()
    fit = _glm(rows)
    for term in TERMS:
        t = table.loc[table["term"] == term].set_index("inference")
        b = fit.params[term]
        assert t["log_ratio"].to_numpy() == pytest.approx(b, abs=1e-9)
        assert t["estimate"].to_numpy() == pytest.approx(math.expm1(b), abs=1e-9)
        assert t.loc["cluster_robust", "std_error"] == pytest.approx(fit.bse[term], abs=1e-9)
        for inference, row in t.iterrows():  # intervals on the ratio − 1 scale, around the estimate
            assert row["conf_low"] < row["estimate"] < row["conf_high"], (term, inference)
            assert row["conf_low"] == pytest.approx(math.expm1(row["log_conf_low"]))
        # the score statistic at h0 = 0 is close to the Wald t (same data, restricted fit)
        assert t.loc["wild_cluster_bootstrap_webb", "statistic"] == pytest.approx(
            t.loc["cluster_robust", "statistic"], rel=0.05
        )
        ri = randomization[term]
        assert ri.n_assignments == 56 and ri.statistic_value == pytest.approx(b, abs=1e-9)
        assert ri.p_value == t.loc["randomization_inference", "p_value"]
        # the distribution is the 56 placebo log ratios in randomization_inference's order
        for i in (0, 40):
            units = ri.distribution["units"].iloc[i]
            slow = poisson_fit(_reassign(rows, frozenset(units)))["params"][term]
            assert ri.distribution["estimate"].iloc[i] == pytest.approx(slow, abs=1e-9)
    assert not notes


@pytest.mark.slow
def test_randomization_interval_inverts_the_test_with_refits(rows):
    """Just inside each bound of the randomization interval the test (every assignment
    refitted on y·exp(−τ·D) by statsmodels-equal poisson_fit) accepts; just outside it
    rejects."""
    from pilot_eval.estimate.inference import randomization_inference

    found = pd.DataFrame(poisson_effects(rows, reps=99, seed=1))
    row = found.loc[(found["term"] == "during") & (found["inference"] == "randomization_inference")].iloc[0]
    treated = {"SOF", "UBF", "KOF"}

    def p_value(tau):
        shifted = rows.assign(y=rows["y"] * np.exp(-tau * rows["during"]))
        return randomization_inference(
            shifted,
            lambda d, a: poisson_fit(_reassign(d, a))["params"]["during"],
            unit="administration",
            treated=treated,
        ).p_value

    for bound, inward in ((row["log_conf_low"], 1), (row["log_conf_high"], -1)):
        assert p_value(bound + inward * 1e-4) > 0.05
        assert p_value(bound - inward * 1e-4) <= 0.05


def test_bootstrap_interval_is_where_the_p_value_crosses_alpha(rows):
    from pilot_eval.estimate.poisson import _ScoreBootstrap

    cells = _Cells(rows, TERMS)
    X = cells.design(cells.D)
    beta, _ = _fit_batch(X, cells.s[None, :], cells.n)
    V, sampled = _weights(8, 999, 1)
    j = X.shape[1] - 2
    boot = _ScoreBootstrap(X, cells.s, cells.n, cells.a, j, cells.N, V, sampled, beta[0])
    found = pd.DataFrame(poisson_effects(rows, reps=999, seed=1))
    row = found.loc[(found["term"] == "during") & (found["inference"] == "wild_cluster_bootstrap_webb")].iloc[0]
    assert boot.p_value(beta[0, j]) == 1.0  # the score is zero at the estimate
    assert boot.p_value(0.0) == row["p_value"]
    for bound, inward in ((row["log_conf_low"], 1), (row["log_conf_high"], -1)):
        assert boot.p_value(bound + inward * 1e-5) > 0.05
        assert boot.p_value(bound - inward * 1e-5) <= 0.05


def _synthetic(seed: int, ratio: float, n_per_cell: int = 400) -> pd.DataFrame:
    """Counts with a multiplicative common trend (rising 40 % over the quarters), lower
    baselines in the treated administrations and a true ratio ``ratio`` during the pilot:
    parallel trends hold in ratios, not in levels. Over-dispersed (gamma-Poisson)."""
    rng = np.random.default_rng(seed)
    units = np.array(list("ABCDEFGH"))
    base = np.array([8, 10, 12, 20, 25, 30, 35, 40], dtype=float)
    u = np.repeat(np.arange(8), n_per_cell)
    u = np.tile(u, 16)
    q = np.repeat(np.arange(16), 8 * n_per_cell)
    phase = np.where(q < 8, "before", np.where(q < 12, "during", "after"))
    pilot = u < 3
    during = (pilot & (phase == "during")).astype(float)
    mu = base[u] * (1.0 + 0.4 * q / 15) * np.where(during > 0, ratio, 1.0)
    y = rng.poisson(mu * rng.gamma(2.0, 0.5, size=len(mu))).astype(float)
    return pd.DataFrame(
        {
            "y": y,
            "administration": units[u],
            "period": [f"q{v:02d}" for v in q],
            "phase": phase,
            "during": during,
            "after": (pilot & (phase == "after")).astype(float),
            "arm": np.where(pilot, "pilot", "comparison"),
        }
    )


def test_known_ratio_is_recovered_where_the_levels_estimate_is_biased():
    """Simulated counts with a multiplicative trend and a true ratio 0.85: Poisson recovers
    the ratio (log scale within 0.03, about 2.5 standard errors, in each of 3 draws) and
    the randomization interval covers it, while the levels DiD picks up part of the common
    trend (its proportional reading is off by more than 5 points)."""
    from pilot_eval.estimate.effects import did_estimate

    for seed in range(3):
        data = _synthetic(seed, 0.85)
        found = pd.DataFrame(poisson_effects(data, reps=99, seed=1))
        ri = found.loc[(found["term"] == "during") & (found["inference"] == "randomization_inference")].iloc[0]
        assert ri["log_ratio"] == pytest.approx(math.log(0.85), abs=0.03)
        assert ri["log_conf_low"] <= math.log(0.85) <= ri["log_conf_high"]
        treated_mean = data.loc[data["during"] == 1, "y"].mean()
        levels = did_estimate(data)["during"]
        assert abs(levels / (treated_mean - levels) - (0.85 - 1)) > 0.05
    none = pd.DataFrame(poisson_effects(_synthetic(9, 1.0), reps=99, seed=1))
    assert abs(none.loc[0, "log_ratio"]) < 0.03


def test_estimate_outcome_dispatches_count_outcomes_and_keeps_the_levels_model(rows):
    data = rows
    assert COUNT_OUTCOMES == ("applicants_per_vacancy", "qualified_applicants_per_vacancy")
    ri_p, ri_l = {}, {}
    poisson, _ = _estimate_outcome(
        data, reps=99, seed=1, alpha=0.05, outcome="applicants_per_vacancy", randomization=ri_p
    )
    linear, _ = _estimate_outcome(
        data, reps=99, seed=1, alpha=0.05, outcome="applicants_per_vacancy", model="linear", randomization=ri_l
    )
    other, _ = _estimate_outcome(data, reps=99, seed=1, alpha=0.05, outcome="days_unfilled_90")
    assert {r["method"] for r in poisson} == {"poisson_fixed_effects"}
    assert {r["method"] for r in linear} == {r["method"] for r in other} == {"did_fixed_effects"}
    assert [(r["term"], r["inference"]) for r in poisson] == [(r["term"], r["inference"]) for r in linear]
    for term in TERMS:  # the same 56 assignments in the same order, for Westfall–Young
        assert list(ri_p[term].distribution["assignment"]) == list(ri_l[term].distribution["assignment"])
    with pytest.raises(ValueError, match="model must be"):
        _estimate_outcome(data, reps=9, seed=1, alpha=0.05, model="probit")
    with pytest.raises(ValueError, match="non-negative"):
        _estimate_outcome(data.assign(y=data["y"] - 5), reps=9, seed=1, alpha=0.05, model="poisson")


@pytest.fixture(scope="module")
def staggered():
    from pilot_eval.demo import generate
    from pilot_eval.estimate.effects import DEFAULT_WINDOW, outcome_frames, restrict_window

    export = generate(seed=3, scenario="deterrence", rollout="staggered", scale=0.6)
    frames = outcome_frames(restrict_window(export.tables, DEFAULT_WINDOW), export.truth["cut_date"])
    return frames["applicants_per_vacancy"]


@pytest.mark.slow
def test_poisson_imputation_equals_the_saturated_poisson_regression_and_its_sandwich(staggered):
    """The imputation ratio Σy / Σμ0 equals the one from Poisson with every treated
    administration × period × phase cell saturated (statsmodels GLM), whose fixed effects
    give μ0. Its CR1 standard error is the sandwich of the stacked moments (untreated
    Poisson scores; Σ_treated (y − e^ρ μ0) per phase) recomputed here on the rows with a
    numerical Jacobian."""
    import statsmodels.api as sm

    data = staggered
    rollout = rollout_design(data)
    assert rollout.staggered
    notes = []
    found = pd.DataFrame(poisson_effects(data, notes=notes))
    assert set(found["method"]) == {"poisson_imputation_staggered"}
    assert set(found["inference"]) == {"cluster_robust", "randomization_inference"}
    assert any("no wild bootstrap row" in n for n in notes)
    treated = (data["during"] + data["after"]).to_numpy() > 0
    cell = np.where(
        treated, data["administration"] + "_" + data["period"] + "_" + data["during"].astype(int).astype(str), ""
    )
    X = pd.get_dummies(data[["administration", "period"]], drop_first=True, dtype=float)
    X.insert(0, "const", 1.0)
    D = pd.get_dummies(pd.Series(cell, index=data.index), dtype=float).drop(columns=[""])
    fit = sm.GLM(data["y"], pd.concat([X, D], axis=1), family=sm.families.Poisson()).fit(tol=1e-13)
    k = X.shape[1]
    Xn, y = X.to_numpy(), data["y"].to_numpy()
    mu0 = np.exp(Xn @ fit.params.to_numpy()[:k])
    masks = [data[t].to_numpy() > 0 for t in TERMS]
    rho = np.array([math.log(y[m].sum() / mu0[m].sum()) for m in masks])
    for term, r in zip(TERMS, rho, strict=True):
        row = found.loc[(found["term"] == term) & (found["inference"] == "cluster_robust")].iloc[0]
        assert row["log_ratio"] == pytest.approx(r, abs=1e-8)
    g = pd.factorize(data["administration"], sort=True)[0]

    def moments(theta):
        phi, rh = theta[:k], theta[k:]
        m0 = np.exp(Xn @ phi)
        out = np.zeros((len(y), k + 2))
        out[~treated, :k] = Xn[~treated] * (y - m0)[~treated, None]
        for j, m in enumerate(masks):
            out[m, k + j] = (y - m0 * np.exp(rh[j]))[m]
        return np.stack([out[g == c].sum(axis=0) for c in range(8)])

    theta = np.concatenate([fit.params.to_numpy()[:k], rho])
    gm = moments(theta)
    assert np.abs(gm.sum(axis=0)).max() < 1e-6  # the estimating equations hold
    J = np.zeros((k + 2, k + 2))
    for j in range(k + 2):
        h = 1e-6
        e = np.zeros(k + 2)
        e[j] = h
        J[:, j] = (moments(theta + e).sum(axis=0) - moments(theta - e).sum(axis=0)) / (2 * h)
    Ji = np.linalg.inv(J)
    N, G = len(y), 8
    V = G / (G - 1) * (N - 1) / (N - k - 2) * Ji @ (gm.T @ gm) @ Ji.T
    for j, term in enumerate(TERMS):
        row = found.loc[(found["term"] == term) & (found["inference"] == "cluster_robust")].iloc[0]
        assert row["std_error"] == pytest.approx(math.sqrt(V[k + j, k + j]), rel=1e-5)


def test_poisson_imputation_randomization_uses_the_placebo_schedules(staggered):
    """Each placebo statistic is the log ratio of the imputation estimator refitted by hand
    (statsmodels Poisson on the rows untreated under that placebo set with the donors'
    schedules, μ0 predicted for its during rows), in randomization_inference's order."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from pilot_eval.estimate.effects import _phase_masks

    data = staggered
    rollout = rollout_design(data)
    randomization = {}
    found = pd.DataFrame(poisson_effects(data, randomization=randomization))
    ri = randomization["during"]
    assert ri.n_assignments == 56
    admin = data["administration"].to_numpy()
    for i in (0, 31, int(np.flatnonzero(ri.distribution["is_actual"])[0])):
        units = frozenset(ri.distribution["units"].iloc[i])
        during = np.zeros(len(data), bool)
        treated = np.zeros(len(data), bool)
        for unit, donor in rollout.donors(units):
            pos = np.flatnonzero(admin == unit)
            d, a = _phase_masks(data, pos, rollout.schedules[donor])
            during[pos[d]] = True
            treated[pos[d | a]] = True
        fit = smf.glm("y ~ C(administration) + C(period)", data=data.loc[~treated], family=sm.families.Poisson()).fit(
            tol=1e-13
        )
        mu0 = fit.predict(data.loc[during])
        expected = math.log(data.loc[during, "y"].sum() / mu0.sum())
        assert ri.distribution["estimate"].iloc[i] == pytest.approx(expected, abs=1e-8), i
    row = found.loc[(found["term"] == "during") & (found["inference"] == "randomization_inference")].iloc[0]
    assert ri.statistic_value == pytest.approx(row["log_ratio"])
    assert row["log_conf_low"] < row["log_ratio"] < row["log_conf_high"]


def test_fit_batch_halves_steps_from_a_bad_start_and_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(50), rng.normal(size=50)])
    s = rng.poisson(np.exp(1 + 0.5 * X[:, 1]), size=(3, 50)).astype(float)
    beta, ok = _fit_batch(X, s, np.ones(50), beta0=np.array([[8.0, -6.0], [0.0, 0.0], [1.0, 0.5]]))
    assert ok.all()
    for i in range(3):
        ref = sm.GLM(s[i], X, family=sm.families.Poisson()).fit(tol=1e-13).params
        assert beta[i] == pytest.approx(ref, abs=1e-9)
