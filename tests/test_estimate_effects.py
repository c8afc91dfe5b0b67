"""The headline estimator's building blocks: outcome rows, the fixed-effects DiD, power."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import (
    OUTCOMES,
    _assignment_estimates,
    _reassign,
    did_estimate,
    outcome_data,
    restrict_window,
)
from pilot_eval.estimate.power import power_curve_from_null, simulated_minimum_detectable_effect
from pilot_eval.measures import late_withdrawal_rate


@pytest.fixture(scope="module")
def large():
    export = generate(seed=21, scenario="large", scale=0.5)
    return export.tables, export.truth


def test_outcome_rows_and_flags(large):
    tables, truth = large
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    assert set(data.columns) >= {"y", "administration", "period", "during", "after", "child_facing"}
    during = data.loc[data["during"] == 1]
    assert set(during["administration"]) == {"SOF", "UBF", "KOF"}
    assert (during["phase"] == "during").all() and (data.loc[data["after"] == 1, "phase"] == "after").all()
    # the same applications as the descriptive measure (processes ended, reached interview)
    measure = late_withdrawal_rate(tables["applications"], tables["vacancies"], include_in_progress=False)
    assert len(data) == measure["n_reached_interview"].sum()
    assert data["y"].sum() == measure["n_withdrawn_late"].sum()


def test_every_outcome_builds(large):
    tables, truth = large
    for outcome in OUTCOMES:
        data = outcome_data(tables, outcome, truth["cut_date"])
        assert len(data) > 100 and data["y"].notna().all(), outcome
    with pytest.raises(ValueError, match="unknown outcome"):
        outcome_data(tables, "happiness", truth["cut_date"])


def test_did_estimate_equals_statsmodels_ols(large):
    tables, truth = large
    data = outcome_data(tables, "days_unfilled_90", truth["cut_date"])
    ours = did_estimate(data)
    fit = smf.ols("y ~ during + after + C(administration) + C(period)", data=data).fit()
    assert ours["during"] == pytest.approx(fit.params["during"], abs=1e-9)
    assert ours["after"] == pytest.approx(fit.params["after"], abs=1e-9)


@pytest.mark.parametrize("outcome", ["late_withdrawal", "days_unfilled_90", "offer_acceptance"])
def test_all_assignments_at_once_equal_refitting_each(large, outcome):
    """The 56 placebo estimates computed from the residualised unit × phase columns are
    the refits of did_estimate on each reassigned data set."""
    from itertools import combinations

    tables, truth = large
    data = outcome_data(tables, outcome, truth["cut_date"])
    assignments = [frozenset(c) for c in combinations(sorted(data["administration"].unique()), 3)]
    fast = _assignment_estimates(data, ("during", "after"), ("administration", "period"), assignments)
    assert fast.shape == (56, 2) and np.isfinite(fast).all()
    for i in (0, 17, 55, assignments.index(frozenset({"SOF", "UBF", "KOF"}))):
        slow = did_estimate(_reassign(data, assignments[i]))
        assert fast[i, 0] == pytest.approx(slow["during"], abs=1e-10)
        assert fast[i, 1] == pytest.approx(slow["after"], abs=1e-10)


def test_assignment_estimates_with_term_rows_equal_refits_of_the_triple_difference(large):
    """The triple difference's placebo estimates (treatment on a subset of rows: during and
    child-facing) from the residualised columns equal a refit on the reassigned data."""
    tables, truth = large
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    child = data["child_facing"].astype(int).astype(str)
    data = data.assign(admin_child=data["administration"] + "_" + child, period_child=data["period"] + "_" + child)
    terms, fixed = ("during", "during_child", "after", "after_child"), ("admin_child", "period_child")
    phase, is_child = data["phase"].astype(str).to_numpy(), data["child_facing"].to_numpy(dtype=bool)
    rows = {
        "during": phase == "during",
        "after": phase == "after",
        "during_child": (phase == "during") & is_child,
        "after_child": (phase == "after") & is_child,
    }
    assignments = [frozenset(c) for c in combinations(sorted(data["administration"].unique()), 3)]
    fast = _assignment_estimates(data, terms, fixed, assignments, term_rows=rows)
    for i in (0, 30, assignments.index(frozenset({"SOF", "UBF", "KOF"}))):
        d = _reassign(data, assignments[i])
        d = d.assign(during_child=d["during"] * d["child_facing"], after_child=d["after"] * d["child_facing"])
        slow = did_estimate(d, terms, fixed)
        for k, t in enumerate(terms):
            if np.isnan(slow[t]):
                assert np.isnan(fast[i, k])
            else:
                assert fast[i, k] == pytest.approx(slow[t], abs=1e-9), (i, t)


@pytest.mark.filterwarnings(
    "ignore:The design matrix is rank-deficient"
)  # intercept + both dummy sets; terms identified
def test_triple_difference_fits_the_stated_model_and_recovers_the_effect(large):
    """β_dd (effect in roles without a statutory extract) and β_ddd equal OLS with
    admin × child and period × child dummies; the large scenario's late-withdrawal effect
    (the same in every role) shows in β_dd and not in β_ddd; randomization inference is
    left out, with a note, where a placebo set has no child-facing roles."""
    from pilot_eval.estimate.effects import triple_difference

    tables, truth = large
    with pytest.warns(RuntimeWarning, match="not an interval"):  # wide bootstrap sets for β_ddd
        result = triple_difference(tables, "late_withdrawal", truth["cut_date"], reps=99, seed=3)
    t = result.tidy()
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    data = data.assign(
        admin_child=data["administration"] + "_" + data["child_facing"].astype(int).astype(str),
        period_child=data["period"] + "_" + data["child_facing"].astype(int).astype(str),
        during_child=data["during"] * data["child_facing"],
        after_child=data["after"] * data["child_facing"],
    )
    fit = smf.ols("y ~ during + during_child + after + after_child + C(admin_child) + C(period_child)", data=data).fit()
    for term, column in [
        ("during_other", "during"),
        ("during_child_minus_other", "during_child"),
        ("after_other", "after"),
        ("after_child_minus_other", "after_child"),
    ]:
        rows = t.loc[t["term"] == term]
        assert set(rows["inference"]) >= {"cluster_robust", "wild_cluster_bootstrap_webb"}
        assert rows["estimate"].to_numpy() == pytest.approx(fit.params[column], abs=1e-9)
    true = truth["effects"]["late_stage_withdrawal"]["value"]
    during = t.loc[t["term"] == "during_other", "estimate"].iloc[0]
    assert abs(during - true) < 0.03
    ri = t.loc[(t["term"] == "during_other") & (t["inference"] == "randomization_inference"), "p_value"]
    assert len(ri) == 1 and 1 / 56 <= ri.iloc[0] <= 1
    assert any("during_child_minus_other: no randomization inference" in n for n in result.details["notes"])


def test_large_effect_on_late_withdrawal_is_recovered(large):
    tables, truth = large
    est = did_estimate(outcome_data(tables, "late_withdrawal", truth["cut_date"]))
    true = truth["effects"]["late_stage_withdrawal"]["value"]
    assert abs(est["during"] - true) < 0.035
    assert abs(est["after"]) < 0.035  # the effect vanishes after the pilot


def test_reassignment_and_window(large):
    tables, truth = large
    data = outcome_data(tables, "applicants_per_vacancy", truth["cut_date"])
    placebo = _reassign(data, frozenset({"VOF", "SBF", "TFF"}))
    assert set(placebo.loc[placebo["during"] == 1, "administration"]) == {"VOF", "SBF", "TFF"}
    windowed = restrict_window(tables, ("2022-01-01", "2024-12-31"))
    published = windowed["vacancies"]["published_date"]
    assert published.min() >= pd.Timestamp("2022-01-01") and published.max() <= pd.Timestamp("2024-12-31")
    assert outcome_data(windowed, "applicants_per_vacancy", truth["cut_date"])["after"].sum() == 0


def test_power_curve_by_hand():
    # two draws, three assignments (the actual one is index 0)
    betas = np.array([[0.0, 1.0, -0.5], [0.2, -1.0, 0.1]])
    cs = np.array([[1.0, 0.2, -0.3], [1.0, 0.2, -0.3]])
    # tau = 0: draw 1 |0| is the smallest -> p = 1; draw 2: |0.2| vs 1.0, 0.1 -> p = 2/3
    # tau = 5: draw 1: |5| vs |2|, |-2| -> p = 1/3; draw 2: |5.2| vs |0|, |-1.4| -> 1/3
    curve = power_curve_from_null(betas, cs, 0, np.array([0.0, 5.0]), alpha=0.34)
    assert curve.tolist() == [0.0, 1.0]


@pytest.mark.slow
def test_minimum_detectable_effect_on_synthetic_draws():
    """Eight equal clusters, 3 treated, cluster shocks and a clean additive effect: the
    power curve is near alpha at zero and rises to (almost) 1 at the ends of the grid."""
    admins = ["UBF", "SOF", "KOF", "VOF", "SBF", "TFF", "AVF", "KLF"]

    def draw(seed):
        r = np.random.default_rng(seed)
        rows = []
        for a in admins:
            shock = r.normal(0, 0.02)
            for q in range(12):
                phase = "before" if q < 6 else "during"
                y = r.normal(0, 0.3, 30) + shock * (phase == "during")
                rows.append(
                    pd.DataFrame(
                        {
                            "administration": a,
                            "period": f"P{q:02d}",
                            "phase": phase,
                            "arm": "pilot" if a in ("UBF", "SOF", "KOF") else "comparison",
                            "y": y,
                        }
                    )
                )
        return _reassign(pd.concat(rows, ignore_index=True), frozenset({"UBF", "SOF", "KOF"}))

    result = simulated_minimum_detectable_effect("late_withdrawal", reps=12, data_for_draw=draw)
    curve = result.details["power_curve"]
    assert curve.loc[curve["effect"].abs() < 1e-12, "power"].iloc[0] <= 0.1
    assert curve["power"].iloc[-1] >= 0.9 and curve["power"].iloc[0] >= 0.9
    mde = result.tidy().set_index("term")["estimate"]
    sd = result.details["null_sd"]
    assert 0 < mde["mde_increase"] <= 4 * sd and -4 * sd <= mde["mde_decrease"] < 0


# --------------------------------------------------------------------------- done when: scenarios recovered
#
# One synthetic Botkyrka per scenario at the real volume (scale 1) and the same seed, so
# that the no-effect export is each scenario's counterfactual: the true effect of an outcome
# and term is the mean of its treated rows minus the same in the no-effect export
# (pilot_eval.estimate.validity.true_effects; common random numbers keep the untreated
# rows identical). Per scenario, the outcomes it moves (demo.SCENARIOS): the headline
# interval (randomization inference) must cover the truth, during and after the pilot;
# under "none" no main outcome may be significant at 5 %. A fixed seed makes these
# deterministic checks; how often they hold over many seeds is the simulation study's
# business (benchmarks/estimator_validity.py, docs/estimator_validity.txt).

DEMO_SEED = 31
MOVED = {
    "none": list(OUTCOMES),
    "delay": ["days_to_fill", "filled_within_60", "filled_within_90", "days_unfilled_90", "late_withdrawal"],
    "deterrence": ["applicants_per_vacancy", "qualified_applicants_per_vacancy"],
    "large": [
        "days_to_fill",
        "filled_within_60",
        "filled_within_90",
        "days_unfilled_90",
        "late_withdrawal",
        "applicants_per_vacancy",
        "qualified_applicants_per_vacancy",
    ],
}


class _Demo:
    """Exports and their analysis rows, made once per module and roll-out."""

    def __init__(self):
        self._exports, self._frames = {}, {}

    def export(self, scenario, rollout="default"):
        key = (scenario, rollout)
        if key not in self._exports:
            self._exports[key] = generate(seed=DEMO_SEED, scenario=scenario, scale=1.0, rollout=rollout)
        return self._exports[key]

    def frames(self, scenario, rollout="default"):
        from pilot_eval.estimate.effects import DEFAULT_WINDOW, outcome_frames

        key = (scenario, rollout)
        if key not in self._frames:
            export = self.export(scenario, rollout)
            self._frames[key] = outcome_frames(restrict_window(export.tables, DEFAULT_WINDOW), export.truth["cut_date"])
        return self._frames[key]

    def truth(self, scenario, rollout="default"):
        """The true effects; for the count outcomes (estimated by Poisson as ratio − 1) the
        ratio of the treated means minus 1."""
        from pilot_eval.estimate.poisson import COUNT_OUTCOMES
        from pilot_eval.estimate.validity import true_effects

        scen, none = self.frames(scenario, rollout), self.frames("none", rollout)
        truth = self.export(scenario, rollout).truth
        levels, ratios = true_effects(scen, none, truth), true_effects(scen, none, truth, ratio=True)
        return {key: ratios[key] if key[0] in COUNT_OUTCOMES else value for key, value in levels.items()}


@pytest.fixture(scope="module")
def demo():
    return _Demo()


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(MOVED))
def test_pilot_effects_headline_covers_the_truth(demo, scenario):
    from pilot_eval.estimate import HEADLINE_INFERENCE, pilot_effects

    export = demo.export(scenario)
    outcomes = MOVED[scenario]
    result = pilot_effects(export.tables, export.truth["cut_date"], outcomes=outcomes, reps=199)
    table = result.tidy()
    assert set(table["inference"]) == {"cluster_robust", "wild_cluster_bootstrap_webb", "randomization_inference"}
    # one start date: the two-group comparison (Poisson for the count outcomes)
    assert set(table["method"]) <= {"did_fixed_effects", "poisson_fixed_effects"}
    headline = table[table["headline"]].set_index(["outcome", "term"])
    assert (table.loc[table["headline"], "inference"] == HEADLINE_INFERENCE).all()
    assert len(headline) == 2 * len(outcomes)
    truth = demo.truth(scenario)
    for (outcome, term), row in headline.iterrows():
        true = truth[(outcome, term)]
        assert row["conf_low"] <= row["estimate"] <= row["conf_high"], (outcome, term)
        assert row["conf_low"] <= true <= row["conf_high"], (outcome, term, true, row["conf_low"], row["conf_high"])
        assert row["p_value"] >= 1 / row["n_assignments"]  # the smallest p-value the assignments allow
        if scenario == "none":
            assert true == 0.0
            assert row["p_value"] > 0.05, (outcome, term)  # the null scenario finds nothing
    if scenario != "none":
        # the scenario really moves these outcomes (a truth of zero would make coverage trivial)
        during = {o: truth[(o, "during")] for o in outcomes}
        assert all(abs(v) > 0.015 for v in during.values()), during
    if scenario == "large":  # the big effects on time to fill and late withdrawal are found
        for outcome in ("days_to_fill", "filled_within_90", "days_unfilled_90", "late_withdrawal"):
            assert headline.loc[(outcome, "during"), "p_value"] <= 0.05, outcome
    assert result.details["why"]


def test_true_effect_is_a_mean_difference_whatever_the_row_order():
    """The truth of the simulation study: mean of the treated rows minus the same in the
    no-effect export (not rows subtracted position by position — the exports do not line
    up row for row), 0 for identical exports, unchanged by reordering rows."""
    from pilot_eval.estimate.effects import outcome_frames
    from pilot_eval.estimate.validity import term_means, true_effects

    a = generate(seed=5, scenario="delay", scale=0.2)
    b = generate(seed=5, scenario="none", scale=0.2)
    cut = a.truth["cut_date"]
    outcomes = ["days_unfilled_90", "late_withdrawal", "applicants_per_vacancy"]
    fa, fb = outcome_frames(a.tables, cut, outcomes), outcome_frames(b.tables, cut, outcomes)
    truth = true_effects(fa, fb)
    for outcome in outcomes:
        for term in ("during", "after"):
            by_hand = (
                fa[outcome].loc[fa[outcome][term] == 1, "y"].mean()
                - fb[outcome].loc[fb[outcome][term] == 1, "y"].mean()
            )
            assert truth[(outcome, term)] == pytest.approx(by_hand, abs=1e-12)
    shuffled = {o: f.sample(frac=1.0, random_state=1) for o, f in fa.items()}
    assert true_effects(shuffled, fb) == pytest.approx(truth)
    assert true_effects(fb, fb) == {key: 0.0 for key in truth}
    assert true_effects(fa, term_means(fb)) == pytest.approx(truth)  # the counterfactual's means suffice
    # the delay is real: about a week on the capped duration of treated vacancies, none after
    assert 2.0 < truth[("days_unfilled_90", "during")] < 8.0
    assert abs(truth[("days_unfilled_90", "after")]) < 1.0


def test_validity_summary_has_monte_carlo_errors_and_integer_reps():
    from pilot_eval.estimate.validity import format_table, summarise

    rows = []
    for seed in range(4):
        for inference, p in (("cluster_robust", 0.01), ("randomization_inference", 0.5)):
            rows.append(
                {
                    "seed": seed,
                    "scenario": "none",
                    "outcome": "late_withdrawal",
                    "term": "during",
                    "inference": inference,
                    "estimate": 0.01 * seed,
                    "truth": 0.0,
                    "conf_low": -1.0 if seed < 3 else 0.5,
                    "conf_high": 1.0,
                    "p_value": p if seed else 0.9,
                }
            )
    summary = summarise(rows).set_index("inference")
    cr = summary.loc["cluster_robust"]
    assert cr["reps"] == 4 and cr["coverage"] == 0.75 and cr["reject"] == 0.75
    assert cr["coverage_mcse"] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert cr["bias"] == pytest.approx(0.015) and cr["bias_mcse"] == pytest.approx(
        np.std([0, 0.01, 0.02, 0.03], ddof=1) / 2
    )
    assert summary.loc["randomization_inference", "reject"] == 0.0
    text = format_table(summary.reset_index())
    header, line = text.splitlines()[:2]
    assert header.split()[3] == "reps" and line.split()[3] == "4"  # reps printed as an integer
    assert "75.0 (21.7)" in line  # coverage % (Monte Carlo s.e.)


# --------------------------------------------------------------------------- staggered roll-out

QUARTERS = pd.period_range("2021Q1", "2024Q4", freq="Q")
SCHEDULE = {
    "UBF": ("2022-04-01", "2024-06-30"),
    "SOF": ("2023-01-01", "2024-06-30"),
    "KOF": ("2023-07-01", "2024-06-30"),
}
ADMINS = ["UBF", "VOF", "SOF", "KLF", "KOF", "TFF", "SBF", "AVF"]
VOLUME = {"UBF": 24, "VOF": 14, "SOF": 10, "KLF": 6, "KOF": 5, "TFF": 4, "SBF": 4, "AVF": 3}  # rows per quarter


def staggered_rows(seed: int = 0, noise: float = 0.0) -> tuple[pd.DataFrame, dict]:
    """Analysis rows with a staggered roll-out (UBF 2022Q2, SOF 2023Q1, KOF 2023Q3, all
    ending 2024-06-30) and effects that differ by cohort and over time (UBF: 1 + quarters
    since its start, SOF: 2, KOF: 1.5), 0.3 after the pilot; additive administration and
    quarter effects. Returns the rows and the true mean effects on the treated rows."""
    rng = np.random.default_rng(seed)
    alpha = dict(zip(ADMINS, rng.normal(size=8) * 3, strict=True))
    gamma = dict(zip(QUARTERS, np.cumsum(rng.normal(size=len(QUARTERS))), strict=True))
    rows = []
    for a in ADMINS:
        for q in QUARTERS:
            for _ in range(VOLUME[a]):
                day = q.start_time + pd.Timedelta(days=int(rng.integers(0, 90)))
                rows.append((a, str(q), day, alpha[a] + gamma[q] + noise * rng.normal()))
    d = pd.DataFrame(rows, columns=["administration", "period", "published_date", "y"])
    cal_start, cal_end = pd.Timestamp("2022-04-01"), pd.Timestamp("2024-06-30")
    start = d["administration"].map({a: pd.Timestamp(s) for a, (s, e) in SCHEDULE.items()}).fillna(cal_start)
    end = d["administration"].map({a: pd.Timestamp(e) for a, (s, e) in SCHEDULE.items()}).fillna(cal_end)
    pilot = d["administration"].isin(list(SCHEDULE))
    phase = np.where(d["published_date"] < start, "before", np.where(d["published_date"] <= end, "during", "after"))
    d = d.assign(
        arm=np.where(pilot, "pilot", "comparison"),
        phase=phase,
        role_group="all",
        pilot_start=start,
        pilot_end=end,
        child_facing=0.0,
    )
    d["during"] = (pilot & (d["phase"] == "during")).astype(float)
    d["after"] = (pilot & (d["phase"] == "after")).astype(float)
    since = ((d["published_date"] - start).dt.days // 91).clip(lower=0)
    level = d["administration"].map({"SOF": 2.0, "KOF": 1.5}).fillna(0.0)
    during = np.where(d["administration"] == "UBF", 1.0 + since, level)
    tau = np.where(d["during"] == 1, during, np.where(d["after"] == 1, 0.3, 0.0))
    d["y"] = d["y"] + tau
    truth = {"during": float(tau[d["during"] == 1].mean()), "after": 0.3}
    return d, truth


def test_rollout_design_detects_staggering_and_pairs_schedules_by_volume():
    from pilot_eval.estimate.effects import _phase_masks, rollout_design

    d, _ = staggered_rows()
    design = rollout_design(d)
    assert design.staggered and "staggered roll-out" in design.reason
    assert design.treated == ["UBF", "SOF", "KOF"]  # ranked by pre-pilot rows: UBF largest
    assert design.ranking[:2] == ["UBF", "VOF"] or design.ranking[:2] == ["VOF", "UBF"]
    assert design.schedules["SOF"] == {None: (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-30"))}
    # the actual assignment reproduces the data's own during / after flags
    for unit in design.treated:
        rows = np.flatnonzero(d["administration"] == unit)
        during, after = _phase_masks(d, rows, design.schedules[unit])
        assert (during == (d["during"].to_numpy()[rows] == 1)).all()
        assert (after == (d["after"].to_numpy()[rows] == 1)).all()
    assert design.donors(frozenset({"UBF", "SOF", "KOF"})) == [("UBF", "UBF"), ("SOF", "SOF"), ("KOF", "KOF")]
    # a placebo set: its largest administration takes the first (largest) pilot schedule
    pairs = design.donors(frozenset({"AVF", "KLF", "VOF"}))
    assert pairs[0][1] == "UBF" and [p[0] for p in pairs] == sorted(["AVF", "KLF", "VOF"], key=design.ranking.index)
    # one common date is not staggered
    common = d.assign(pilot_start=pd.Timestamp("2022-04-01"), pilot_end=pd.Timestamp("2024-06-30"))
    assert not rollout_design(common).staggered


def test_imputation_recovers_heterogeneous_staggered_effects_where_twfe_does_not():
    """No noise, effects growing with time and differing by cohort: the imputation
    estimator (the headline under staggering) returns the mean effect on the treated rows
    exactly; the naive one-dummy TWFE does not (already-treated administrations serve as
    its controls)."""
    from pilot_eval.estimate.effects import imputation_estimate

    d, truth = staggered_rows()
    est = imputation_estimate(d)
    assert est["during"] == pytest.approx(truth["during"], abs=1e-9)
    assert est["after"] == pytest.approx(truth["after"], abs=1e-9)
    naive = did_estimate(d)
    assert abs(naive["during"] - truth["during"]) > 0.2 * truth["during"]  # here 3.1 against a true 4.0
    assert abs(naive["after"] - truth["after"]) > 0.3


def test_imputation_equals_ols_with_saturated_treated_cells():
    """The re-parametrised cell regression (used for the conventional and bootstrap rows)
    gives the imputation estimate as one coefficient, equal to statsmodels OLS with a dummy
    per treated administration × quarter × phase cell, aggregated by row counts."""
    from pilot_eval.estimate.effects import (
        _cell_regressors,
        _Imputation,
        imputation_estimate,
        rollout_design,
    )

    d, _ = staggered_rows(seed=3, noise=1.0)
    design = rollout_design(d)
    est = imputation_estimate(d, design)
    imp = _Imputation(d, design, d["y"].to_numpy())
    cells, _ = _cell_regressors(d, imp, ["during", "after"])
    fit = smf.ols("y ~ " + " + ".join(cells.columns) + " + C(administration) + C(period)", d.join(cells)).fit()
    assert fit.params["theta_during"] == pytest.approx(est["during"], abs=1e-9)
    assert fit.params["theta_after"] == pytest.approx(est["after"], abs=1e-9)
    # and by hand: one dummy per treated cell, weighted by its rows
    cell = np.where(d["during"] == 1, d["administration"] + "_" + d["period"], "none")
    dummies = pd.get_dummies(pd.Series(cell), dtype=float).drop(columns="none")
    dummies.columns = [f"c{i}" for i in range(dummies.shape[1])]
    after = np.where(d["after"] == 1, d["administration"] + "_" + d["period"], "none")
    adummies = pd.get_dummies(pd.Series(after), dtype=float).drop(columns="none")
    adummies.columns = [f"a{i}" for i in range(adummies.shape[1])]
    wide = pd.concat([d, dummies, adummies], axis=1)
    full = smf.ols(
        "y ~ " + " + ".join([*dummies.columns, *adummies.columns]) + " + C(administration) + C(period)", wide
    ).fit()
    weights = dummies.sum() / dummies.to_numpy().sum()
    assert float((full.params[dummies.columns] * weights).sum()) == pytest.approx(est["during"], abs=1e-9)


def test_staggered_estimation_rows_and_placebo_schedules():
    """_estimate_outcome (what pilot_effects runs per outcome) on a staggered roll-out: the
    imputation estimate in all three rows, 56 placebo assignments each given the pilot
    schedules by rank, and a note saying why."""
    from pilot_eval.estimate.effects import _estimate_outcome, imputation_estimate

    d, truth = staggered_rows(seed=1, noise=0.5)
    notes, randomization = [], {}
    rows, design = _estimate_outcome(d, reps=99, seed=1, alpha=0.05, notes=notes, randomization=randomization)
    table = pd.DataFrame(rows)
    est = imputation_estimate(d)
    assert (table["method"] == "did_imputation_staggered").all()
    for term in ("during", "after"):
        sub = table.loc[table["term"] == term]
        assert list(sub["inference"]) == ["cluster_robust", "wild_cluster_bootstrap_webb", "randomization_inference"]
        assert sub["estimate"].to_numpy() == pytest.approx(est[term], abs=1e-9)
    ri = randomization["during"]
    assert ri.n_assignments == 56
    placebo = ri.distribution.set_index("assignment")["estimate"]
    assert placebo["AVF+KLF+VOF"] == pytest.approx(
        imputation_estimate(d, design, frozenset({"AVF", "KLF", "VOF"}))["during"], abs=1e-12
    )
    # the effect (about 5 on a noise of 0.5) is far beyond every placebo set: the smallest p
    assert ri.p_value == pytest.approx(1 / 56)
    low, high = table.loc[
        (table["term"] == "during") & (table["inference"] == "randomization_inference"), ["conf_low", "conf_high"]
    ].iloc[0]
    assert low <= truth["during"] <= high
    assert any("staggered roll-out" in n for n in notes)


@pytest.mark.slow
def test_staggered_demo_rollout_headline_covers_the_truth(demo):
    """The demo generator's staggered roll-out (UBF 2023-09-01, SOF 2024-01-01, KOF
    2024-04-01) with the "large" effects: pilot_effects detects it, switches the headline
    to the staggered-robust estimator, and its interval covers the true effect."""
    from pilot_eval.estimate import pilot_effects

    export = demo.export("large", "staggered")
    outcomes = ["days_unfilled_90", "late_withdrawal", "applicants_per_vacancy"]
    result = pilot_effects(export.tables, export.truth["cut_date"], outcomes=outcomes, reps=199)
    table = result.tidy()
    assert set(table["method"]) == {"did_imputation_staggered", "poisson_imputation_staggered"}
    assert (table.loc[table["outcome"] == "applicants_per_vacancy", "method"] == "poisson_imputation_staggered").all()
    assert all(result.details["design"][o].staggered for o in outcomes)
    assert result.details["design"]["late_withdrawal"].treated == ["UBF", "SOF", "KOF"]
    assert any("staggered roll-out" in n for n in result.details["notes"])
    truth = demo.truth("large", "staggered")
    headline = table[table["headline"]].set_index(["outcome", "term"])
    for (outcome, term), row in headline.iterrows():
        assert row["conf_low"] <= truth[(outcome, term)] <= row["conf_high"], (outcome, term)
    assert headline.loc[("days_unfilled_90", "during"), "p_value"] <= 0.05  # three weeks' delay is found
    assert headline.loc[("days_unfilled_90", "during"), "n_assignments"] == 56


def test_default_window_ends_before_the_law_change():
    """docs/estimation.md, "Window": without a window, pilot_effects analyses vacancies published up to
    2026-02-28; window=None takes everything up to the cut date."""
    from pilot_eval.estimate.effects import DEFAULT_WINDOW, pilot_effects

    export = generate(seed=8, scenario="none", scale=0.3, end="2026-06-30")
    cut = export.truth["cut_date"]
    kw = {"outcomes": ["applicants_per_vacancy"], "reps": 49}
    default = pilot_effects(export.tables, cut, **kw)
    explicit = pilot_effects(export.tables, cut, window=(None, "2026-02-28"), **kw)
    everything = pilot_effects(export.tables, cut, window=None, **kw)
    assert DEFAULT_WINDOW == (None, "2026-02-28") and default.details["window"] == DEFAULT_WINDOW
    published = export.tables["vacancies"]["published_date"]
    assert default.tidy()["n"].iloc[0] == (published <= "2026-02-28").sum() == explicit.tidy()["n"].iloc[0]
    assert everything.tidy()["n"].iloc[0] == len(published) > default.tidy()["n"].iloc[0]


def test_pilot_effects_columns_are_the_ones_the_report_reads(large):
    """The report (report/sections.py, findings.py) consumes these columns."""
    from pilot_eval.estimate.effects import pilot_effects

    tables, truth = large
    table = pilot_effects(tables, truth["cut_date"], outcomes=["offer_acceptance"], reps=49).tidy()
    assert list(table.columns) == [
        "outcome",
        "term",
        "estimate",
        "std_error",
        "conf_low",
        "conf_high",
        "p_value",
        "n",
        "method",
        "inference",
        "statistic",
        "h0",
        "n_clusters",
        "df",
        "reps",
        "enumerated",
        "p_value_one_sided_upper",
        "p_value_one_sided_lower",
        "n_assignments",
        "headline",
        "p_value_fwer",
    ]


@pytest.mark.slow
def test_ri_interval_matches_the_test_it_inverts(large):
    from pilot_eval.estimate.effects import ri_confidence_interval
    from pilot_eval.estimate.inference import randomization_inference

    tables, truth = large
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    low, high = ri_confidence_interval(data, "during", ("during", "after"), ("administration", "period"), _reassign)
    treated = frozenset({"SOF", "UBF", "KOF"})

    def p_at(tau):
        shifted = data.assign(y=data["y"] - tau * data["during"])
        return randomization_inference(
            shifted, lambda d, a: did_estimate(_reassign(d, a))["during"], unit="administration", treated=treated
        ).p_value

    eps = 1e-6
    assert p_at(low + eps) > 0.05 >= p_at(low - 1e-3)
    assert p_at(high - eps) > 0.05 >= p_at(high + 1e-3)


def test_event_study_has_pre_periods_and_stops_at_the_pilot_end(large):
    from pilot_eval.estimate.effects import event_study

    tables, truth = large
    result = event_study(tables, "days_unfilled_90", truth["cut_date"])
    table = result.tidy()
    events = table.dropna(subset=["event_time"])
    assert (events["event_time"] < 0).sum() >= 4 and (events["event_time"] >= 0).sum() >= 4
    assert max(result.details["periods"]) <= "2024Q4"  # absorbing: nothing after the pilot ended
    post = events.loc[events["event_time"] >= 0, "estimate"].mean()
    assert table.loc[table["term"] == "overall", "estimate"].iloc[0] == pytest.approx(post)
    assert post > 5  # the large scenario adds three weeks to treated recruitments
    with pytest.raises(ValueError, match="no panel outcome"):
        event_study(tables, "register_check_days", truth["cut_date"])


def test_a_term_collinear_with_the_fixed_effects_is_reported_not_a_crash():
    """Register checks are made by four administrations; when the one comparison
    administration has no check after the pilot, "after" is a sum of period dummies. The
    simulation study met this (a KeyError from the conventional row); now the term is
    left out with a note and "during" is still estimated."""
    tables = generate(seed=3, scenario="none", scale=0.5).tables
    data = outcome_data(tables, "register_check_days", "2026-02-28")
    late_vof = data.loc[(data["administration"] == "VOF") & (data["phase"] == "after")]
    assert len(late_vof) > 0
    apps = tables["applications"]
    vof_after = apps.loc[
        apps["vacancy_id"].isin(
            tables["vacancies"].loc[
                (tables["vacancies"]["administration"] == "VOF")
                & (tables["vacancies"]["published_date"] > "2024-12-31"),
                "vacancy_id",
            ]
        ),
        "application_id",
    ]
    checks = tables["background_checks"]
    tables = {**tables, "background_checks": checks.loc[~checks["application_id"].isin(vof_after)]}
    data = outcome_data(tables, "register_check_days", "2026-02-28")
    assert not ((data["administration"] == "VOF") & (data["phase"] == "after")).any()
    from pilot_eval.estimate.effects import pilot_effects

    result = pilot_effects(tables, "2026-02-28", outcomes=["register_check_days"], reps=99)
    t = result.tidy()
    assert set(t["term"]) == {"during"}
    assert t["estimate"].notna().all()
    assert any("after" in note and "collinear" in note for note in result.details["notes"])


def test_triple_difference_notes_a_term_the_fixed_effects_absorb(large):
    """When no comparison administration has child-facing vacancies after the pilot, the
    after × child term is a sum of the period × child effects: it is left out with a note
    (as pilot_effects does), not a crash, and the other terms are still estimated."""
    from pilot_eval.estimate.effects import triple_difference

    tables, truth = large
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    assert (
        (data["phase"].astype(str) == "after") & (data["child_facing"] == 1) & (data["arm"].astype(str) == "comparison")
    ).any()
    v = tables["vacancies"]
    end = tables["pilot_rollout"]["end_date"].max()
    pilot = {"SOF", "UBF", "KOF"}
    drop = (
        (v["statutory_check"].astype(str) != "none")
        & (v["published_date"] > end)
        & ~v["administration"].astype(str).isin(pilot)
    )
    kept = v.loc[~drop]
    apps = tables["applications"].loc[tables["applications"]["vacancy_id"].isin(kept["vacancy_id"])]
    checks = tables["background_checks"].loc[tables["background_checks"]["application_id"].isin(apps["application_id"])]
    cut = {**tables, "vacancies": kept, "applications": apps, "background_checks": checks}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # wide bootstrap sets, as above
        result = triple_difference(cut, "late_withdrawal", truth["cut_date"], reps=49, seed=3)
    terms = set(result.tidy()["term"])
    assert "after_child_minus_other" not in terms and {"during_other", "after_other"} <= terms
    assert any(n.startswith("after_child_minus_other: not estimated") for n in result.details["notes"])
