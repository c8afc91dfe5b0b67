"""Family-wise p-values (Westfall–Young step-down min-p over the 56 assignments)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import PRIMARY_OUTCOMES, pilot_effects
from pilot_eval.estimate.multiplicity import (
    add_family_wise,
    assignment_p_values,
    family_wise_p_values,
    headline_family,
    joint_null,
    step_down_min_p,
)

RESULTS = Path(__file__).resolve().parent / "results"
OUTCOMES = ["late_withdrawal", "days_unfilled_90", "qualified_applicants_per_vacancy"]


@pytest.fixture(scope="module")
def demo():
    export = generate(seed=2023, scenario="large")
    return export.tables, export.truth["cut_date"]


@pytest.fixture(scope="module")
def separate(demo):
    tables, cut = demo
    return [pilot_effects(tables, cut, outcomes=[o], reps=99) for o in OUTCOMES]


def test_step_down_equals_pyfixest_on_the_stored_joint_null():
    """pyfixest 0.60.0 `_get_wyoung_pval` on the demo's 56 × 8 joint null statistics
    (tied observed p-values included) and on an integer case full of ties."""
    given = json.loads((RESULTS / "westfall_young_input.json").read_text())
    reference = json.loads((RESULTS / "westfall_young_reference.json").read_text())
    for case in ("demo", "ties"):
        T = np.asarray(given[case]["T"])
        P = assignment_p_values(T)
        actual = given[case]["actual"]
        assert P[actual] == pytest.approx(reference[case]["p_value"], abs=1e-15)
        ours = step_down_min_p(P[actual], P)
        assert ours == pytest.approx(reference[case]["p_value_fwer"], abs=1e-15), case
    demo_p = np.asarray(reference["demo"]["p_value"])
    assert len(set(demo_p)) < len(demo_p)  # the demo case has tied observed p-values


def test_step_down_by_hand():
    # 4 null draws, 2 hypotheses; draw 0 is the actual one
    P = np.array([[0.25, 0.5], [0.5, 0.25], [1.0, 1.0], [0.75, 0.75]])
    # order: h0 (0.25), h1 (0.5). q_(1) = min over both: [0.25, 0.25, 1, 0.75] <= 0.25 -> 2/4
    # q_(2) = p_h1: [0.5, 0.25, 1, 0.75] <= 0.5 -> 2/4; monotone -> 0.5
    assert step_down_min_p(P[0], P).tolist() == [0.5, 0.5]
    # ties in the observed p-values: the same adjusted value whatever the order
    P2 = np.array([[0.5, 0.5], [0.25, 1.0], [1.0, 0.25], [0.75, 0.75]])
    assert step_down_min_p(P2[0], P2).tolist() == [0.75, 0.75]
    assert step_down_min_p(P2[0, ::-1], P2[:, ::-1]).tolist() == [0.75, 0.75]


def _simulate(S: int, rho: float, families: int, alpha: float, seed: int, draws: int = 56) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    cov = np.full((S, S), rho) + (1 - rho) * np.eye(S)
    chol = np.linalg.cholesky(cov)
    any_adjusted = any_raw = 0
    for _ in range(families):
        # exchangeable rows (as the assignments under the sharp null); row 0 is the actual one
        T = rng.standard_normal((draws, S)) @ chol.T
        P = assignment_p_values(T)
        adjusted = step_down_min_p(P[0], P)
        any_adjusted += bool((adjusted <= alpha + 1e-12).any())
        any_raw += bool((P[0] <= alpha + 1e-12).any())
    return any_adjusted / families, any_raw / families


@pytest.mark.parametrize(("rho", "alpha", "draws"), [(0.0, 0.2, 56), (0.6, 0.2, 56), (0.3, 0.05, 200)])
def test_family_wise_error_rate_holds_where_unadjusted_does_not(rho, alpha, draws):
    families = 1500 if draws == 56 else 500
    fwer, raw = _simulate(S=6, rho=rho, families=families, alpha=alpha, seed=11, draws=draws)
    mc = np.sqrt(alpha * (1 - alpha) / families)
    assert fwer <= alpha + 2 * mc, fwer
    assert raw > alpha + 4 * mc, raw  # unadjusted: at least one "finding" far too often
    assert fwer >= alpha / 2  # not vacuous: the step-down uses (most of) its level


def test_six_hypotheses_over_56_assignments_cannot_reach_five_percent():
    """With 6 independent-ish hypotheses each attaining its smallest p (1/56) under a
    different assignment, the smallest family-wise p is 6/56: the family-wise test of the
    headline family at 5 % can only reject when the hypotheses move together."""
    T = np.random.default_rng(5).standard_normal((56, 6))
    T[0] = 10.0  # the actual assignment is the most extreme for every hypothesis
    P = assignment_p_values(T)
    adjusted = step_down_min_p(P[0], P)
    assert adjusted.min() == pytest.approx(1 / 56)  # all extreme at once: 1/56 is reachable
    T[0, 1:] = 0.0  # only hypothesis 0 extreme
    P = assignment_p_values(T)
    assert step_down_min_p(P[0], P)[0] > 0.05


def test_pilot_effects_has_family_wise_p_on_headline_rows_only(demo, separate):
    tables, cut = demo
    joint = pilot_effects(tables, cut, outcomes=OUTCOMES, reps=99).tidy()
    head = joint[joint["headline"]]
    assert head["p_value_fwer"].notna().all() and joint.loc[~joint["headline"], "p_value_fwer"].isna().all()
    assert (head["p_value_fwer"] >= head["p_value"] - 1e-15).all()
    assert (head["p_value_fwer"] >= 1 / 56 - 1e-15).all()
    # monotone: a smaller raw p never gets a larger adjusted p
    ordered = head.sort_values("p_value")
    assert ordered["p_value_fwer"].is_monotonic_increasing
    # after the fact, from one pilot_effects call per outcome: the same numbers
    after = family_wise_p_values(separate).set_index(["outcome", "term"])
    for row in head.itertuples():
        assert after.loc[(row.outcome, row.term), "p_value_fwer"] == pytest.approx(row.p_value_fwer, abs=1e-15)
        assert after.loc[(row.outcome, row.term), "p_value"] == pytest.approx(row.p_value, abs=1e-15)
    combined = add_family_wise(pd.concat([r.tidy() for r in separate], ignore_index=True), separate)
    assert combined["p_value_fwer"].notna().sum() == 6
    assert combined.loc[combined["headline"], "p_value_fwer"].to_numpy() == pytest.approx(
        head["p_value_fwer"].to_numpy(), abs=1e-15
    )


def test_family_parameter_and_smaller_family_gives_smaller_p(demo, separate):
    tables, cut = demo
    family = headline_family(["late_withdrawal"])
    table = pilot_effects(tables, cut, outcomes=OUTCOMES[:2], reps=99, family=family).tidy()
    got = table.loc[table["p_value_fwer"].notna(), ["outcome", "term"]]
    assert sorted(map(tuple, got.to_numpy())) == sorted(family)
    small = family_wise_p_values(separate, family).set_index(["outcome", "term"])["p_value_fwer"]
    big = family_wise_p_values(separate).set_index(["outcome", "term"])["p_value_fwer"]
    assert (small <= big.loc[small.index] + 1e-15).all()
    # the primary family names days_to_fill, which these results do not have
    with pytest.raises(KeyError, match="days_to_fill"):
        family_wise_p_values(separate, headline_family(PRIMARY_OUTCOMES))
    with pytest.warns(UserWarning, match="days_to_fill"):
        dropped = family_wise_p_values(separate, headline_family(PRIMARY_OUTCOMES), missing="drop")
    assert len(dropped) == 4


def test_distributions_are_aligned_by_assignment_not_position(separate):
    family, labels, T, actual = joint_null(separate)
    # every result lists the 56 assignments in the same (itertools.combinations) order
    orders = [
        res.distribution["assignment"].tolist()
        for r in separate
        for res in r.details["randomization"][r.tidy()["outcome"].iloc[0]].values()
    ]
    assert all(o == orders[0] for o in orders) and len(orders[0]) == 56 and labels == orders[0]
    before = family_wise_p_values(separate)
    shuffled = copy.deepcopy(separate[1])
    outcome = shuffled.tidy()["outcome"].iloc[0]
    for res in shuffled.details["randomization"][outcome].values():
        res.distribution = res.distribution.sample(frac=1.0, random_state=3).reset_index(drop=True)
    after = family_wise_p_values([separate[0], shuffled, separate[2]])
    pd.testing.assert_frame_equal(before, after)
    # a result over other assignments (7 administrations) has no joint null with these
    tables = generate(seed=2023, scenario="none", scale=0.3).tables
    cut = "2026-02-28"
    keep = tables["vacancies"]["administration"].astype(str) != "VOF"
    fewer = {**tables, "vacancies": tables["vacancies"].loc[keep]}
    other = pilot_effects(fewer, cut, outcomes=["days_unfilled_90"], reps=99)
    with pytest.raises(ValueError, match="other assignments"):
        family_wise_p_values([separate[0], other])


def test_outcomes_over_other_assignments_stay_out_of_the_default_family(demo, separate):
    """register_check_days exists in 4 administrations (4 assignments): pilot_effects over
    every outcome leaves it out of the family (NaN) instead of failing."""
    tables, cut = demo
    table = pilot_effects(tables, cut, outcomes=["late_withdrawal", "register_check_days"], reps=99).tidy()
    head = table[table["headline"]].set_index(["outcome", "term"])
    assert head.loc["register_check_days", "p_value_fwer"].isna().all()
    assert head.loc["late_withdrawal", "p_value_fwer"].notna().all()
    mixed = [*separate, pilot_effects(tables, cut, outcomes=["register_check_days"], reps=99)]
    with pytest.raises(ValueError, match="other assignments"):
        family_wise_p_values(mixed)
    with pytest.warns(UserWarning, match="other assignments"):
        assert len(family_wise_p_values(mixed, missing="drop")) == 6
