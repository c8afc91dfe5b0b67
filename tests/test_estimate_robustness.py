"""Leave one administration out, and placebo pilots in time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import DEFAULT_WINDOW, outcome_frames, pilot_effects, restrict_window
from pilot_eval.estimate.robustness import headline_rows, leave_one_out, placebo_in_time, shift_rollout
from pilot_eval.estimate.validity import true_effects

PILOT = {"KOF", "SOF", "UBF"}


def _frames(export):
    return outcome_frames(restrict_window(export.tables, DEFAULT_WINDOW), export.truth["cut_date"])


@pytest.fixture(scope="module")
def large():
    export = generate(seed=2023, scenario="large")
    return export, _frames(export)


@pytest.mark.parametrize("rollout", ["default", "staggered"])
def test_headline_rows_equal_pilot_effects_headline(rollout):
    export = generate(seed=5, scenario="delay", scale=0.5, rollout=rollout)
    outcomes = ["late_withdrawal", "days_unfilled_90"]
    frames = _frames(export)
    full = pilot_effects(export.tables, export.truth["cut_date"], outcomes=outcomes, reps=99, frames=frames).tidy()
    head = full[full["headline"]].set_index(["outcome", "term"])
    for outcome in outcomes:
        for row in headline_rows(frames[outcome]):
            ref = head.loc[(outcome, row["term"])]
            assert row["method"] == ref["method"]
            for col in ("estimate", "conf_low", "conf_high", "p_value", "n", "n_assignments"):
                assert row[col] == pytest.approx(ref[col], rel=1e-12, abs=1e-12), (outcome, row["term"], col)


def test_leave_one_out_rows_assignments_and_speed(large):
    export, frames = large
    table = leave_one_out(export.tables, export.truth["cut_date"], "late_withdrawal", frames=frames).tidy()
    assert list(table["dropped"].iloc[:2]) == [None, None]
    assert set(table["dropped"].dropna()) == set(frames["late_withdrawal"]["administration"])
    n_assign = table.dropna(subset=["dropped"]).groupby("dropped")["n_assignments"].first()
    assert all(n_assign[a] == (21 if a in PILOT else 35) for a in n_assign.index)
    assert (table.loc[table["dropped"].isna(), "n_assignments"] == 56).all()
    arms = table.dropna(subset=["dropped"]).groupby("dropped")["dropped_arm"].first()
    assert all(arms[a] == ("pilot" if a in PILOT else "comparison") for a in arms.index)
    # fewer rows without each administration, and every p-value at least 1/assignments
    full_n = table.loc[table["dropped"].isna(), "n"].iloc[0]
    assert (table.dropna(subset=["dropped"])["n"] < full_n).all()
    assert (table["p_value"] >= 1 / table["n_assignments"] - 1e-12).all()


def test_shift_rollout_moves_every_date_back():
    roll = generate(seed=1, scale=0.05, start="2023-01-01", end="2023-12-31").tables["pilot_rollout"]
    moved = shift_rollout(roll, 12)
    assert (moved["start_date"] == roll["start_date"] - pd.DateOffset(months=12)).all()
    assert (moved["end_date"] == roll["end_date"] - pd.DateOffset(months=12)).all()


def test_placebo_uses_only_data_before_the_real_start(large):
    export, _ = large
    result = placebo_in_time(export.tables, export.truth["cut_date"], ["late_withdrawal", "days_unfilled_90"])
    table = result.tidy()
    assert result.details["real_start"] == pd.Timestamp("2023-09-01")
    assert (table["placebo_end"] <= pd.Timestamp("2023-08-31")).all()
    twelve = table[table["shift_months"] == 12]
    assert set(twelve["term"]) == {"during"}  # its fake pilot would end after the real start
    assert set(table.loc[table["shift_months"] == 24, "term"]) == {"during", "after"}
    assert (twelve["placebo_start"] == pd.Timestamp("2022-09-01")).all()
    # the rows are those published before the real start, whatever the shift
    before = restrict_window(export.tables, (None, "2023-08-31"))
    n_vac = len(outcome_frames(before, export.truth["cut_date"], ["days_unfilled_90"])["days_unfilled_90"])
    assert (table.loc[table["outcome"] == "days_unfilled_90", "n"] == n_vac).all()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2023, 31, 7])
def test_known_truth_large_scenario(seed):
    """Under "large" (6 points more late withdrawal, 3 weeks' delay): the placebo pilots in
    time find about nothing, and leaving any one administration out keeps the estimate
    near the truth."""
    large = generate(seed=seed, scenario="large")
    none = generate(seed=seed, scenario="none")
    frames = _frames(large)
    truth = true_effects(frames, _frames(none))
    cut = large.truth["cut_date"]
    outcomes = ["late_withdrawal", "days_unfilled_90"]
    tol = {"late_withdrawal": 0.035, "days_unfilled_90": 5.0}
    placebo = placebo_in_time(large.tables, cut, outcomes).tidy()
    for row in placebo.itertuples():
        assert abs(row.estimate) < tol[row.outcome], (row.outcome, row.shift_months, row.term, row.estimate)
    loo = leave_one_out(large.tables, cut, outcomes, frames=frames).tidy()
    during = loo[loo["term"] == "during"]
    for row in during.itertuples():
        true = truth[(row.outcome, "during")]
        assert abs(row.estimate - true) < tol[row.outcome], (row.outcome, row.dropped, row.estimate, true)
    # the placebo estimates are much smaller than the real ones
    real = during[during["dropped"].isna()].set_index("outcome")["estimate"]
    fake = placebo[placebo["term"] == "during"].groupby("outcome")["estimate"].apply(lambda s: np.abs(s).max())
    assert (fake < 0.5 * real.loc[fake.index].abs()).all()
