"""Minimum detectable effect from the data at hand (design-based power of the headline test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval.demo import generate
from pilot_eval.estimate import minimum_detectable_effect as public_mde
from pilot_eval.estimate.effects import DEFAULT_WINDOW, TERMS, outcome_frames, restrict_window, rollout_design
from pilot_eval.estimate.mde import mde_for, stored_mde
from pilot_eval.estimate.power import _treatment_columns, design_power_curve, minimum_detectable_effect
from pilot_eval.estimate.robustness import _assignment_effects, headline_rows

ADMINS = ["UBF", "SOF", "KOF", "VOF", "SBF", "TFF", "AVF", "KLF"]


def _rows(export, outcomes):
    return outcome_frames(restrict_window(export.tables, DEFAULT_WINDOW), export.truth["cut_date"], outcomes)


@pytest.fixture(scope="module")
def demo():
    export = generate(seed=2023)
    return export, _rows(export, ["late_withdrawal", "days_unfilled_90", "qualified_applicants_per_vacancy"])


def _mde(data):
    table = minimum_detectable_effect(None, None, "x", data=data).tidy().set_index("term")["estimate"]
    return table["mde_increase"], table["mde_decrease"]


@pytest.mark.parametrize("rollout", ["default", "staggered"])
def test_shortcut_equals_adding_the_effect_and_re_estimating(rollout):
    """β_A(y0 + τ D_B) = β_A(y0) + τ c_{A,B} for every A, with the effect really added to B's
    rows and every assignment re-estimated; and with B as the actual set its p-value."""
    export = generate(seed=4, scenario="delay", scale=0.5, rollout=rollout)
    data = _rows(export, ["days_unfilled_90"])["days_unfilled_90"]
    result = minimum_detectable_effect(None, None, "days_unfilled_90", data=data)
    d = result.details
    beta0, C = d["beta0"], d["C"]
    assert np.allclose(np.diag(C), 1.0) and d["diagonal_ok"]
    terms = [t for t in TERMS if data[t].sum() > 0]
    y0 = data["y"].to_numpy() - sum(d["removed_effects"][t] * data[t].to_numpy() for t in terms)
    rollout_ = rollout_design(data)
    _, assignments, actual, _ = _assignment_effects(data, rollout_)
    D = _treatment_columns(data, rollout_, assignments, "during")
    for b, tau in ((actual, 0.0), (7, 6.0), (40, -3.5)):
        shifted = data.assign(y=y0 + tau * D[:, b])
        _, _, _, est = _assignment_effects(shifted, rollout_)
        refit = est["during"][:, 0]
        assert refit == pytest.approx(beta0 + tau * C[:, b], abs=1e-8)
        # B's randomization p-value had it been the pilot set, from the refit
        p_refit = np.mean(np.abs(refit) >= np.abs(refit[b]) * (1 - 1e-9))
        short = np.abs(beta0 + tau * C[:, b])
        assert p_refit == np.mean(short >= short[b] * (1 - 1e-9))
    # the power curve is the share of B whose own test rejects
    tau = 6.0
    rejects = [np.mean(np.abs(beta0 + tau * C[:, b]) >= abs(beta0[b] + tau) * (1 - 1e-9)) <= 0.05 for b in range(56)]
    assert design_power_curve(beta0, C, np.array([tau]))[0] == pytest.approx(np.mean(rejects))


def test_power_at_zero_is_the_exact_size_and_the_mde_is_where_power_crosses(demo):
    _, frames = demo
    result = minimum_detectable_effect(None, None, "late_withdrawal", data=frames["late_withdrawal"])
    beta0, C = result.details["beta0"], result.details["C"]
    assert design_power_curve(beta0, C, np.array([0.0]))[0] == pytest.approx(2 / 56)  # ⌊0.05 · 56⌋ = 2
    up, down = _mde(frames["late_withdrawal"])
    assert up > 0 > down
    above = design_power_curve(beta0, C, np.array([up * 1.0001, down * 1.0001]))
    below = design_power_curve(beta0, C, np.array([up * 0.9999, down * 0.9999]))
    assert (above >= 0.8).all() and (below < 0.8).all()
    curve = result.details["power_curve"]
    assert curve["effect"].is_monotonic_increasing and curve["power"].between(0, 1).all()


def test_public_name_speed_and_relative_change(demo):
    export, frames = demo
    table = public_mde(
        export.tables, export.truth["cut_date"], "qualified_applicants_per_vacancy", frames=frames
    ).tidy()
    data = frames["qualified_applicants_per_vacancy"]
    pre = data.loc[(data["arm"] == "pilot") & (data["phase"] == "before"), "y"].mean()
    assert table["pre_pilot_mean"].iloc[0] == pytest.approx(pre)
    assert table["relative"].to_numpy() == pytest.approx(table["estimate"].to_numpy() / pre)
    assert set(table["term"]) == {"mde_increase", "mde_decrease"} and (table["n_assignments"] == 56).all()
    assert table["assumption"].str.contains("additive").all()
    # the same from the tables as from the rows built once
    again = public_mde(export.tables, export.truth["cut_date"], "qualified_applicants_per_vacancy").tidy()
    assert again["estimate"].to_numpy() == pytest.approx(table["estimate"].to_numpy())


def test_too_few_administrations_is_not_detectable(demo):
    export, _ = demo
    table = minimum_detectable_effect(export.tables, export.truth["cut_date"], "register_check_days").tidy()
    assert table["estimate"].isna().all() and table["note"].str.contains("not detectable at any size").all()


def test_fewer_rows_give_a_larger_mde(demo):
    _, frames = demo
    for outcome, data in frames.items():
        up, down = _mde(data)
        subs = [_mde(data.sample(frac=0.1, random_state=s).reset_index(drop=True)) for s in (0, 1)]
        assert np.mean([u for u, _ in subs]) > 1.3 * up, outcome
        assert np.mean([d for _, d in subs]) < 1.3 * down, outcome


def _synthetic(seed: int, sigma: float) -> pd.DataFrame:
    """Eight administrations, 16 quarters (pilot from quarter 8), administration × quarter
    shocks and row noise, both with standard deviation proportional to ``sigma``."""
    r = np.random.default_rng(seed)
    rows = []
    for a in ADMINS:
        level = r.normal(0, 1)
        for q in range(16):
            phase = "before" if q < 8 else "during"
            n = 40
            y = level + 0.1 * q + sigma * (r.normal(0, 0.3) + r.normal(0, 1.0, n))
            rows.append(
                pd.DataFrame(
                    {
                        "administration": a,
                        "period": f"P{q:02d}",
                        "phase": phase,
                        "arm": "pilot" if a in ADMINS[:3] else "comparison",
                        "y": y,
                    }
                )
            )
    data = pd.concat(rows, ignore_index=True)
    pilot = data["arm"] == "pilot"
    return data.assign(during=(pilot & (data["phase"] == "during")).astype(float), after=0.0)


def test_doubling_the_noise_roughly_doubles_the_mde():
    one = np.array([_mde(_synthetic(s, 1.0)) for s in range(6)])
    two = np.array([_mde(_synthetic(s + 100, 2.0)) for s in range(6)])  # independent draws
    ratio = np.abs(two).mean(axis=0) / np.abs(one).mean(axis=0)
    assert ((ratio > 1.5) & (ratio < 2.6)).all(), ratio


@pytest.mark.slow
def test_in_the_range_of_the_stored_simulation():
    """The data-driven MDE on demo exports (no effect, 3 seeds) against the stored
    simulation of the demo generator (300 draws): the median ratio per outcome within
    0.5–1.6 (measured over 8 seeds: 0.7–1.0; see docs/estimation.md)."""
    stored = stored_mde()
    outcomes = ["late_withdrawal", "days_unfilled_90", "qualified_applicants_per_vacancy", "offer_acceptance"]
    ratios = {o: [] for o in outcomes}
    for seed in (2023, 1, 2):
        export = generate(seed=seed, scenario="none")
        frames = _rows(export, outcomes)
        for o in outcomes:
            up, down = _mde(frames[o])
            ref = mde_for(stored, o)
            ratios[o].append((up / ref["mde_increase"] + down / ref["mde_decrease"]) / 2)
    medians = {o: float(np.median(r)) for o, r in ratios.items()}
    assert all(0.5 <= m <= 1.6 for m in medians.values()), medians


@pytest.mark.slow
def test_predicted_power_matches_the_rejection_rate_at_a_known_effect():
    """Known truth: demo exports with late-stage withdrawal raised by 5.5 points (about the
    data-driven MDE, 0.03-0.08 across seeds). On each export the data-driven power at
    that effect is computed from the export itself (its estimated effect removed), and
    the headline test is run: the mean predicted power and the share of exports where
    the test rejects agree within a wide band (12 seeds: Monte Carlo SE of the share ≈
    0.14). Measured: predicted 0.80, found 0.50. The design-based power averages over the
    56 sets the design could have picked, and the demo's actual set (KOF, SOF, UBF) is
    noisier than the average set (null standard deviation 0.018 against 0.016 over 24
    draws), so its own power is lower: see docs/estimation.md."""
    outcome, effect = "late_withdrawal", 0.055
    predicted, found = [], []
    for seed in range(100, 112):
        export = generate(seed=seed, scenario={"late_withdrawal_pp": effect})
        data = _rows(export, [outcome])[outcome]
        details = minimum_detectable_effect(None, None, outcome, data=data).details
        predicted.append(design_power_curve(details["beta0"], details["C"], np.array([effect]))[0])
        row = next(r for r in headline_rows(data) if r["term"] == "during")
        found.append(row["p_value"] <= 0.05)
    assert 0.35 <= np.mean(predicted) <= 0.95, predicted
    assert np.mean(found) >= 0.3, found
    assert abs(np.mean(found) - np.mean(predicted)) <= 0.35, (np.mean(found), np.mean(predicted))
