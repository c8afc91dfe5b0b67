"""Effects by applicant group (pilot_eval.estimate.groups): the regression it states, the
inference on collapsed cells, and a simulation with a known effect in one group only."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from patsy import dmatrices

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import _reassign, did_estimate, outcome_data, restrict_window
from pilot_eval.estimate.groups import GROUP_TERMS, METHOD, group_effects
from pilot_eval.estimate.inference import _design_for, _wild_from_design

PILOT = frozenset({"SOF", "UBF", "KOF"})


@pytest.fixture(scope="module")
def demo():
    export = generate(seed=5, scenario="none", scale=0.5)
    return export.tables, export.truth["cut_date"]


@pytest.fixture(scope="module")
def rows(demo):
    tables, cut = demo
    return outcome_data(restrict_window(tables, (None, "2026-02-28")), "late_withdrawal", cut)


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # wide bootstrap sets in small groups
        return function(*args, **kwargs)


def _row_model(rows: pd.DataFrame, by: str, g: str) -> pd.DataFrame:
    """The rows with the model's columns, built independently of the module."""
    d = rows.loc[rows[by].notna()].reset_index(drop=True)
    G = (d[by].astype(str) == g).astype(int)
    return d.assign(
        admin_g=d["administration"] + "_" + G.astype(str),
        period_g=d["period"] + "_" + G.astype(str),
        during_in=d["during"] * G,
        during_out=d["during"] * (1 - G),
        after_in=d["after"] * G,
        after_out=d["after"] * (1 - G),
        during_diff=d["during"] * G,
        after_diff=d["after"] * G,
    )


def _statsmodels_cr1(d: pd.DataFrame, formula: str) -> pd.DataFrame:
    """statsmodels OLS with cluster-robust CR1 (its default small-sample corrections) on the
    rows, the one collinear dummy (both dummy sets span the group indicator) dropped."""
    y, X = dmatrices(formula, d, return_type="dataframe")
    q, r = np.linalg.qr(X.to_numpy())
    keep = np.abs(np.diag(r)) > 1e-9 * np.abs(np.diag(r)).max()
    X = X.loc[:, keep]
    codes = pd.factorize(d["administration"], sort=True)[0]
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": codes})
    return pd.DataFrame({"estimate": fit.params, "std_error": fit.bse})


@pytest.mark.parametrize("by, g", [("gender", "man"), ("age_band", "u25")])
def test_group_effects_equal_statsmodels_ols_with_interacted_fixed_effects_and_cr1(demo, rows, by, g):
    """Estimates and CR1 standard errors (computed on collapsed, √n-weighted cells) equal
    statsmodels' on the application rows, to 1e-8: the effect within the group is the
    coefficient of during·G, the difference from the rest that of during·G with during in
    the model."""
    tables, cut = demo
    t = group_effects(tables, cut, by=by, reps=99, seed=1, data=rows)
    conv = t.tidy().query("group == @g and inference == 'cluster_robust'").set_index("term")
    d = _row_model(rows, by, g)
    fe = " + C(admin_g) + C(period_g)"
    within = _statsmodels_cr1(d, "y ~ during_in + during_out + after_in + after_out" + fe)
    diff = _statsmodels_cr1(d, "y ~ during + during_diff + after + after_diff" + fe)
    for term, ref, coef in [
        ("during", within, "during_in"),
        ("after", within, "after_in"),
        ("during_minus_rest", diff, "during_diff"),
        ("after_minus_rest", diff, "after_diff"),
    ]:
        assert conv.loc[term, "estimate"] == pytest.approx(ref.loc[coef, "estimate"], abs=1e-8), term
        assert conv.loc[term, "std_error"] == pytest.approx(ref.loc[coef, "std_error"], rel=1e-8), term
    # the within-group effect is the difference-in-differences on the group's rows alone
    alone = did_estimate(d.loc[d[by].astype(str) == g])
    assert conv.loc["during", "estimate"] == pytest.approx(alone["during"], abs=1e-10)


def test_the_wild_bootstrap_and_the_placebo_estimates_on_cells_equal_those_on_the_rows(demo, rows):
    """The wild bootstrap on the √n-scaled cells gives the rows' p-value and interval (same
    draws); the 56 placebo estimates are refits on reassigned rows."""
    tables, cut = demo
    result = group_effects(tables, cut, by="gender", reps=199, seed=4, data=rows)
    t = result.tidy().query("group == 'woman'").set_index(["term", "inference"])
    d = _row_model(rows, "gender", "woman")
    formula = "y ~ during_in + during_out + after_in + after_out + C(admin_g) + C(period_g)"
    design = _design_for(d, formula, "administration")
    ref = _quiet(_wild_from_design, design, "during_in", weights="webb", reps=199, seed=4, cluster="administration")
    ours = t.loc[("during", "wild_cluster_bootstrap_webb")]
    assert ours["p_value"] == pytest.approx(ref.p_value, abs=1e-12)
    assert ours["conf_low"] == pytest.approx(ref.conf_low, abs=1e-8)
    assert ours["conf_high"] == pytest.approx(ref.conf_high, abs=1e-8)
    assert ours["std_error"] == pytest.approx(ref.std_error, rel=1e-8)
    # randomization inference: the actual estimate, and the p-value from refits of the
    # within-group difference-in-differences under every assignment
    woman = d.loc[d["gender"].astype(str) == "woman"]
    units = sorted(d["administration"].unique())
    refits = np.array([did_estimate(_reassign(woman, frozenset(a)))["during"] for a in combinations(units, 3)])
    actual = did_estimate(woman)["during"]
    ri = t.loc[("during", "randomization_inference")]
    assert ri["estimate"] == pytest.approx(actual, abs=1e-10)
    assert ri["p_value"] == pytest.approx(np.mean(np.abs(refits) >= abs(actual) - 1e-12), abs=1e-12)


def _add_withdrawals(tables: dict, gender: str, probability: float, seed: int) -> tuple[dict, pd.Series]:
    """The tables with extra late withdrawals: each application of ``gender`` to a pilot
    administration's vacancy published during the pilot, that reached interview, ended and
    was not withdrawn late, is withdrawn at interview with ``probability``. Returns the
    tables and the number of applications hit."""
    apps, vac = tables["applications"].copy(), tables["vacancies"]
    start, end = pd.Timestamp("2023-09-01"), pd.Timestamp("2024-12-31")
    v = vac.set_index("vacancy_id").loc[apps["vacancy_id"]]
    pilot = v["administration"].astype(str).isin(PILOT).to_numpy()
    during = ((v["published_date"] >= start) & (v["published_date"] <= end)).to_numpy()
    status = apps["final_status"].astype(str)
    late = (status == "withdrawn") & (apps["withdrawn_stage"].fillna(-1) >= 2)
    eligible = (
        pilot
        & during
        & (apps["gender"].astype(str) == gender).to_numpy()
        & (apps["highest_stage"] >= 2).to_numpy()
        & (status != "in_progress").to_numpy()
        & ~late.to_numpy()
    )
    hit = eligible & (np.random.default_rng(seed).random(len(apps)) < probability)
    apps.loc[hit, "final_status"] = "withdrawn"
    apps.loc[hit, "withdrawn_stage"] = 2
    apps.loc[hit, "withdrawal_reason"] = "background_check"
    return {**tables, "applications": apps}, int(hit.sum())


def test_an_effect_in_one_group_only_is_found_there_and_nowhere_else(demo):
    """Simulation with a known truth: on a demo without any pilot effect, 15 % of the men's
    still-open applications in pilot administrations during the pilot are made late
    withdrawals (an effect of 15 % × the share not already withdrawn, about 13 percentage
    points). The men's effect recovers it, their difference from the rest is the same
    number (the rest is untouched), the women's effect does not move at all, and the
    randomization test finds the men's effect."""
    tables, cut = demo
    before = group_effects(tables, cut, by="gender", reps=99, seed=2)
    treated, hits = _add_withdrawals(tables, "man", 0.15, seed=11)
    after = group_effects(treated, cut, by="gender", reps=99, seed=2)

    def estimate(result, group, term, inference="randomization_inference"):
        t = result.tidy()
        return t.loc[(t["group"] == group) & (t["term"] == term) & (t["inference"] == inference)].iloc[0]

    # the true effect: 15 % of the men's pilot-during rows that could be hit (in
    # expectation), and the share actually hit in this draw
    data = outcome_data(restrict_window(tables, (None, "2026-02-28")), "late_withdrawal", cut)
    men = data.loc[(data["gender"].astype(str) == "man") & (data["during"] == 1)]
    truth = 0.15 * (1 - men["y"].mean())
    realised = hits / len(men)
    assert 0.10 < truth < 0.15 and hits > 0
    null = estimate(before, "man", "during")["estimate"]
    change = estimate(after, "man", "during")["estimate"] - null
    assert change == pytest.approx(realised, abs=0.005)  # the regression weights cells a little unevenly
    assert change == pytest.approx(truth, abs=0.03)  # Binomial noise of about 1.5 points at half scale
    # Absolutely, the estimate is the truth plus what the estimator finds on this demo
    # without any effect. On seed 5 that is +5.5 points for men during the pilot, the
    # largest of seeds 1-20 (whose null estimates have mean +0.7 and SD 2.6 points, so
    # about 2 SD out), and larger than the ±5 points this test once allowed around the
    # truth. Here: within 3 SD; the centre and the coverage over seeds are in
    # test_the_group_effect_is_centred_on_the_truth_over_seeds.
    assert abs(null) < 3 * 0.026
    assert estimate(after, "man", "during")["p_value"] <= 0.05
    # the rest is unchanged, so the difference moves exactly as the men's effect does
    diff_change = (
        estimate(after, "man", "during_minus_rest")["estimate"]
        - estimate(before, "man", "during_minus_rest")["estimate"]
    )
    assert diff_change == pytest.approx(change, abs=1e-10)
    # no effect in the women's rows: their within-group effect is exactly what it was (the
    # model separates the groups), and after the pilot (no withdrawals added then) the men's
    # effect barely moves (the added withdrawals move the fixed effects a little)
    for term in ("during", "after"):
        assert estimate(after, "woman", term)["estimate"] == pytest.approx(
            estimate(before, "woman", term)["estimate"], abs=1e-10
        )
    assert estimate(after, "man", "after")["estimate"] == pytest.approx(
        estimate(before, "man", "after")["estimate"], abs=0.005
    )
    assert abs(estimate(after, "woman", "during")["estimate"]) < 0.05


@pytest.mark.slow
def test_the_group_effect_is_centred_on_the_truth_over_seeds():
    """Over 20 demos without any pilot effect (seeds 1-20, half scale) the men's
    within-group effect during the pilot centres on zero (measured: mean +0.7, SD 2.6
    points), so the estimator is unbiased within three standard errors of the mean; with
    the known late withdrawals of the test above added, the change equals the realised
    share every time and the wild cluster bootstrap's 95 % interval covers the truth in at
    least 16 of 20 (measured: 19; 15 or fewer has probability 0.3 % at 95 % coverage, 4 %
    at 90 %)."""
    nulls, covered = [], 0
    for seed in range(1, 21):
        export = generate(seed=seed, scenario="none", scale=0.5)
        tables, cut = export.tables, export.truth["cut_date"]
        data = outcome_data(restrict_window(tables, (None, "2026-02-28")), "late_withdrawal", cut)
        men = data.loc[(data["gender"].astype(str) == "man") & (data["during"] == 1)]
        truth = 0.15 * (1 - men["y"].mean())
        treated, hits = _add_withdrawals(tables, "man", 0.15, seed=11)
        rows = {}
        for name, t in (("before", tables), ("after", treated)):
            tidy = _quiet(group_effects, t, cut, by="gender", reps=99, seed=2).tidy()
            rows[name] = tidy.loc[
                (tidy["group"] == "man")
                & (tidy["term"] == "during")
                & (tidy["inference"] == "wild_cluster_bootstrap_webb")
            ].iloc[0]
        nulls.append(rows["before"]["estimate"])
        change = rows["after"]["estimate"] - rows["before"]["estimate"]
        assert change == pytest.approx(hits / len(men), abs=0.015), seed  # measured: at most 1.1 points apart
        covered += rows["after"]["conf_low"] <= truth <= rows["after"]["conf_high"]
    nulls = np.array(nulls)
    assert abs(nulls.mean()) < 3 * nulls.std(ddof=1) / np.sqrt(len(nulls))
    assert covered >= 16


def test_the_table_is_tidy_exploratory_and_withholds_small_groups(demo, rows):
    tables, cut = demo
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the bootstrap's remarks go to the notes
        result = group_effects(tables, cut, by="gender", reps=99, seed=3, data=rows)
    t = result.tidy()
    assert result.details["exploratory"] is True
    assert any("exploratory" in n for n in result.details["notes"])
    assert set(t["method"]) == {METHOD}
    assert set(t["term"]) == set(GROUP_TERMS)
    assert list(dict.fromkeys(t["group"])) == ["woman", "man", "other_unknown"]
    # exactly one headline row per group and term
    assert (t.loc[t["headline"]].groupby(["group", "term"]).size() == 1).all()
    assert len(t.loc[t["headline"]]) == 3 * len(GROUP_TERMS)
    # the "other or unknown" gender is too small at half scale: not estimated, with a note
    other = t.loc[t["group"] == "other_unknown"]
    assert (other["inference"] == "not_estimated").all() and other["estimate"].isna().all()
    assert (other[["n_cell_min_applications", "n_cell_min_events"]].min(axis=1) < 10).all()
    assert any("other_unknown" in n and "not estimated" in n for n in result.details["notes"])
    # the cells behind the rows add up to the analysed rows
    cells = result.details["cells"]
    assert cells["n_applications"].sum() == rows["gender"].notna().sum()
    assert cells["n_events"].sum() == rows.loc[rows["gender"].notna(), "y"].sum()
    assert result.details["n_missing"] == rows["gender"].isna().sum()
    woman = t.loc[(t["group"] == "woman") & (t["term"] == "during")].iloc[0]
    cell = cells.loc[(cells["gender"] == "woman") & cells["phase"].isin(["before", "during"])]
    assert woman["n_cell_min_applications"] == cell["n_applications"].min()
    assert woman["n_cell_min_events"] == cell["n_events"].min()


def test_randomization_inference_falls_back_to_the_bootstrap_when_a_placebo_set_has_no_group(demo, rows):
    """With no men's applications in three small comparison administrations during the pilot,
    the placebo set of those three has no treated men: the men's during terms get no exact
    randomization test, the wild bootstrap is their headline, and a note says why."""
    tables, cut = demo
    drop = (rows["gender"].astype(str) == "man") & rows["administration"].isin(["AVF", "KLF", "SBF"])
    drop &= rows["phase"].astype(str) == "during"
    result = group_effects(tables, cut, by="gender", reps=99, seed=3, data=rows.loc[~drop])
    t = result.tidy()
    head = t.loc[t["headline"] & (t["group"] == "man")].set_index("term")["inference"]
    assert head["during"] == head["during_minus_rest"] == "wild_cluster_bootstrap_webb"
    assert head["after"] == "randomization_inference"
    assert any("man, during" in n and "no randomization inference" in n for n in result.details["notes"])


def test_group_effects_refuse_what_they_cannot_estimate(demo):
    tables, cut = demo
    with pytest.raises(ValueError, match="by must be"):
        group_effects(tables, cut, by="administration")
    with pytest.raises(ValueError, match="outcome on applications"):
        group_effects(tables, cut, outcome="days_unfilled_90")
    with pytest.raises(ValueError, match="below the floor"):
        group_effects(tables, cut, min_cell=5)
