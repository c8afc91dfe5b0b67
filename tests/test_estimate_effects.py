"""The headline estimator's building blocks: outcome rows, the fixed-effects DiD, power."""

from __future__ import annotations

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
from pilot_eval.estimate.power import minimum_detectable_effect, power_curve_from_null
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


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")  # intercept + both dummy sets; terms identified
def test_triple_difference_fits_the_stated_model_and_recovers_the_effect(large):
    """β_dd (effect in roles without a statutory extract) and β_ddd equal OLS with
    admin × child and period × child dummies; the large scenario's late-withdrawal effect
    (the same in every role) shows in β_dd and not in β_ddd; randomization inference is
    left out, with a note, where a placebo set has no child-facing roles."""
    from pilot_eval.estimate.effects import triple_difference

    tables, truth = large
    with pytest.warns(RuntimeWarning, match="not an interval"):    # wide bootstrap sets for β_ddd
        result = triple_difference(tables, "late_withdrawal", truth["cut_date"], reps=99, seed=3)
    t = result.tidy()
    data = outcome_data(tables, "late_withdrawal", truth["cut_date"])
    data = data.assign(admin_child=data["administration"] + "_" + data["child_facing"].astype(int).astype(str),
                       period_child=data["period"] + "_" + data["child_facing"].astype(int).astype(str),
                       during_child=data["during"] * data["child_facing"],
                       after_child=data["after"] * data["child_facing"])
    fit = smf.ols("y ~ during + during_child + after + after_child + C(admin_child) + C(period_child)",
                  data=data).fit()
    for term, column in [("during_other", "during"), ("during_child_minus_other", "during_child"),
                         ("after_other", "after"), ("after_child_minus_other", "after_child")]:
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
                rows.append(pd.DataFrame({"administration": a, "period": f"P{q:02d}", "phase": phase,
                                          "arm": "pilot" if a in ("UBF", "SOF", "KOF") else "comparison", "y": y}))
        return _reassign(pd.concat(rows, ignore_index=True), frozenset({"UBF", "SOF", "KOF"}))

    result = minimum_detectable_effect("late_withdrawal", reps=12, data_for_draw=draw)
    curve = result.details["power_curve"]
    assert curve.loc[curve["effect"].abs() < 1e-12, "power"].iloc[0] <= 0.1
    assert curve["power"].iloc[-1] >= 0.9 and curve["power"].iloc[0] >= 0.9
    mde = result.tidy().set_index("term")["estimate"]
    sd = result.details["null_sd"]
    assert 0 < mde["mde_increase"] <= 4 * sd and -4 * sd <= mde["mde_decrease"] < 0


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["none", "large"])
def test_pilot_effects_headline_covers_the_truth(scenario):
    from pilot_eval.estimate import HEADLINE_INFERENCE, pilot_effects

    export = generate(seed=31, scenario=scenario, scale=0.5)
    result = pilot_effects(export.tables, export.truth["cut_date"], outcomes=["late_withdrawal"], reps=999)
    table = result.tidy()
    assert set(table["inference"]) == {"cluster_robust", "wild_cluster_bootstrap_webb", "randomization_inference"}
    assert set(table["term"]) == {"during", "after"}
    headline = table[table["headline"]].set_index("term")
    assert (table.loc[table["headline"], "inference"] == HEADLINE_INFERENCE).all() and len(headline) == 2
    true = export.truth["effects"]["late_stage_withdrawal"]["value"]
    during = headline.loc["during"]
    assert during["conf_low"] <= during["estimate"] <= during["conf_high"]
    assert during["conf_low"] <= true <= during["conf_high"]
    assert headline.loc["after", "conf_low"] <= 0 <= headline.loc["after", "conf_high"]  # no effect after
    assert during["p_value"] >= 1 / 56  # the smallest p-value 56 assignments allow
    assert result.details["why"]


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
        return randomization_inference(shifted, lambda d, a: did_estimate(_reassign(d, a))["during"],
                                       unit="administration", treated=treated).p_value

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
