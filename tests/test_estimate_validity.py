"""The simulation study's family-wise and MDE summaries (pilot_eval.estimate.validity):
hand-made replication rows with known shares, the design nulls read off the generator's
parameters, and one small real replication carrying family-wise p-values."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from pilot_eval.estimate.effects import PRIMARY_OUTCOMES
from pilot_eval.estimate.multiplicity import headline_family
from pilot_eval.estimate.validity import (
    FAMILY,
    design_null,
    family_error_rates,
    family_power,
    format_family_table,
    format_mde_check,
    mde_check,
)

#: A family of six (primary outcomes × during/after): the summaries count any family.
SIX = headline_family(PRIMARY_OUTCOMES, ("during", "after"))


def _family_rows(scenario, seed, nulls, p_raw, p_fwer, truth=0.0):
    """Randomization rows of the six family hypotheses of one replication, plus a CR1 row
    of the first (which must be ignored: family-wise p-values live on the RI rows)."""
    rows = []
    for (outcome, term), null, p, pf in zip(SIX, nulls, p_raw, p_fwer, strict=True):
        rows.append(
            {
                "seed": seed,
                "scenario": scenario,
                "outcome": outcome,
                "term": term,
                "inference": "randomization_inference",
                "estimate": 0.0,
                "truth": truth if not null else 0.0,
                "p_value": p,
                "p_value_fwer": pf,
                "null": null,
            }
        )
    rows.append({**rows[0], "inference": "cluster_robust", "p_value": 0.001, "p_value_fwer": np.nan, "null": None})
    return rows


def _synthetic():
    all_null = [True] * 6
    big = [0.5] * 6
    rows = []
    # "none", 4 replications: a family-wise rejection of a null in seed 0; in seed 1 an
    # unadjusted rejection only (p 0.018, adjusted 0.2); seeds 2 and 3 nothing.
    rows += _family_rows("none", 0, all_null, [0.018, *big[1:]], [0.036, *big[1:]])
    rows += _family_rows("none", 1, all_null, [0.5, 0.018, *big[2:]], [0.5, 0.2, *big[2:]])
    rows += _family_rows("none", 2, all_null, big, big)
    rows += _family_rows("none", 3, all_null, big, [*big[:5], 0.6])
    # "delay", 2 replications: days_to_fill during (not null) rejected family-wise in seed
    # 0 (power, not an error); late_withdrawal after (null) rejected unadjusted in seed 1.
    nulls = [False, True, False, True, True, True]
    rows += _family_rows("delay", 0, nulls, [0.018, *big[1:]], [0.036, *big[1:]], truth=7.0)
    rows += _family_rows("delay", 1, nulls, [*big[:3], 0.036, *big[4:]], [*big[:3], 0.3, *big[4:]], truth=7.0)
    return rows


def test_design_null_follows_the_generator_parameters():
    assert design_null("none", "offer_acceptance", "during") is True
    assert design_null("delay", "days_to_fill", "during") is False
    assert design_null("delay", "qualified_applicants_per_vacancy", "during") is True
    assert design_null("deterrence", "days_to_fill", "during") is True
    assert design_null("deterrence", "qualified_applicants_per_vacancy", "during") is False
    assert design_null("large", "late_withdrawal", "after") is True  # effects stop with the pilot
    assert design_null("delay", "offer_acceptance", "during") is None  # no design null
    assert [design_null("large", o, t) for o, t in SIX] == [False, True, False, True, False, True]
    assert [(o, "during") for o in PRIMARY_OUTCOMES.values()] == FAMILY  # the report's family


def test_family_error_rates_and_power_count_replications():
    rows = _synthetic()
    errors = family_error_rates(rows).set_index("scenario")
    none = errors.loc["none"]
    assert none["reps"] == 4 and none["family_size"] == 6 and none["nulls"] == 6
    assert none["fwer"] == 0.25 and none["raw_any"] == 0.5
    assert none["fwer_mcse"] == pytest.approx(np.sqrt(0.25 * 0.75 / 4))
    assert none["any_fwer"] == 0.25
    assert none["median_min_fwer"] == pytest.approx(0.35)  # minima 0.036, 0.2, 0.5, 0.5
    delay = errors.loc["delay"]
    assert delay["nulls"] == 4
    assert delay["fwer"] == 0.0  # the only family-wise rejection is of a true effect
    assert delay["raw_any"] == 0.5 and delay["any_fwer"] == 0.5
    assert list(errors.index) == ["none", "delay"]

    power = family_power(rows).set_index(["scenario", "outcome", "term"])
    assert len(power) == 12
    hit = power.loc[("delay", "days_to_fill", "during")]
    assert not hit["null"] and hit["reps"] == 2 and hit["mean_truth"] == 7.0
    assert hit["reject_fwer"] == 0.5 and hit["reject_raw"] == 0.5
    assert hit["reject_fwer_mcse"] == pytest.approx(0.5 / np.sqrt(2))
    lw = power.loc[("delay", "late_withdrawal", "after")]
    assert lw["null"] and lw["reject_fwer"] == 0.0 and lw["reject_raw"] == 0.5
    assert power.loc[("none", "days_to_fill", "after"), "reject_raw"] == 0.25  # seed 1's raw rejection
    assert power.loc[("none", "days_to_fill", "after"), "reject_fwer"] == 0.0
    assert power.loc[("none", "days_to_fill", "during"), "reject_fwer"] == 0.25  # seed 0's

    text = format_family_table(family_error_rates(rows), family_power(rows))
    first = text.splitlines()[1]
    assert first.split()[:4] == ["none", "4", "6", "6"] and "25.0 (21.7)" in first and "50.0 (25.0)" in first


def test_family_summaries_survive_a_csv_round_trip():
    """The benchmark's --raw CSV stores ``null`` as text and missing values as empty."""
    buffer = io.StringIO()
    pd.DataFrame(_synthetic()).to_csv(buffer, index=False)
    again = pd.read_csv(io.StringIO(buffer.getvalue()))
    pd.testing.assert_frame_equal(family_error_rates(again), family_error_rates(_synthetic()))
    pd.testing.assert_frame_equal(family_power(again), family_power(_synthetic()))


def test_mde_check_sets_predicted_beside_realised_power():
    rows = []
    for seed, (pred, p) in enumerate([(0.4, 0.018), (0.6, 0.5), (0.5, 0.5), (0.5, 0.036)]):
        rows.append(
            {
                "seed": seed,
                "scenario": "delay",
                "outcome": "days_to_fill",
                "term": "during",
                "inference": "randomization_inference",
                "truth": 7.0,
                "p_value": p,
                "predicted_power": pred,
                "mde_increase": 10.0 + seed,
                "mde_decrease": -8.0,
            }
        )
    rows.append({**rows[0], "inference": "cluster_robust", "predicted_power": np.nan})
    check = mde_check(rows).iloc[0]
    assert check["reps"] == 4 and check["predicted"] == pytest.approx(0.5) and check["realised"] == 0.5
    assert check["predicted_mcse"] == pytest.approx(np.std([0.4, 0.6, 0.5, 0.5], ddof=1) / 2)
    assert check["median_mde_increase"] == pytest.approx(11.5)
    assert "50.0 (25.0)" in format_mde_check(mde_check(rows))


@pytest.mark.slow
def test_replicate_carries_family_wise_p_values_on_the_family_rows():
    """A real (small) replication: p_value_fwer only on the randomization rows of the
    family, never below the unadjusted p-value or 1/56, equal to those of
    ``pilot_effects(..., family=...)`` on the same export; the data-driven MDE's predicted
    power only on the moved outcomes of MDE_OUTCOMES, "during"."""
    from pilot_eval.estimate.multiplicity import headline_family
    from pilot_eval.estimate.validity import replicate

    outcomes = ["late_withdrawal", "qualified_applicants_per_vacancy"]
    family = headline_family(outcomes)
    rows = pd.DataFrame(replicate(7, ["none", "deterrence"], scale=1.0, wcb_reps=99, outcomes=outcomes, family=family))
    fam = rows[rows["p_value_fwer"].notna()]
    assert set(fam["inference"]) == {"randomization_inference"}
    assert len(fam) == 2 * len(family)  # both scenarios, every hypothesis
    assert (fam["p_value_fwer"] >= fam["p_value"] - 1e-12).all()
    assert (fam["p_value_fwer"] >= 1 / 56 - 1e-12).all()
    assert fam.loc[fam["scenario"] == "none", "null"].eq(True).all()
    det = fam[fam["scenario"] == "deterrence"].set_index(["outcome", "term"])["null"]
    assert det[("qualified_applicants_per_vacancy", "during")] is False
    assert det[("late_withdrawal", "during")] is True
    # deterrence moves no outcome of MDE_OUTCOMES: no predicted power anywhere
    assert rows["predicted_power"].isna().all()
    # the same p-values as the report's own pilot_effects(family=...) on that export
    import warnings

    from pilot_eval.demo import generate
    from pilot_eval.estimate import pilot_effects

    export = generate(seed=7, scenario="deterrence", scale=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pilot_effects(
            export.tables, export.truth["cut_date"], outcomes=outcomes, reps=99, seed=7, family=family
        ).tidy()
    report = table[table["headline"]].set_index(["outcome", "term"])["p_value_fwer"]
    mine = fam[fam["scenario"] == "deterrence"].set_index(["outcome", "term"])["p_value_fwer"]
    pd.testing.assert_series_equal(mine.sort_index(), report.sort_index(), check_names=False, atol=1e-12)
