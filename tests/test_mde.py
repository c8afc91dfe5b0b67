"""The stored minimum detectable effects: pilot_eval.estimate.mde."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from pilot_eval.estimate import mde as M
from pilot_eval.estimate.effects import OUTCOMES

ADMINS = ["AVF", "KLF", "KOF", "SBF", "SOF", "TFF", "UBF", "VOF"]
PILOT = {"SOF", "UBF", "KOF"}

#: Plausible sizes per unit: an MDE outside these means the simulation or its units broke.
PLAUSIBLE = {"proportion": (0.005, 0.5), "days": (0.5, 60.0), "count": (0.1, 30.0)}


# --------------------------------------------------------------------------- the stored file


@pytest.fixture(scope="module")
def stored() -> pd.DataFrame:
    return M.stored_mde()


def test_stored_file_has_every_outcome_in_both_directions(stored):
    assert set(stored["outcome"]) == set(OUTCOMES)
    for outcome in OUTCOMES:
        terms = stored.loc[stored["outcome"] == outcome, "term"].tolist()
        assert sorted(terms) == ["mde_decrease", "mde_increase"], outcome
    assert (stored["unit"] == stored["outcome"].map(M.UNITS)).all()


def test_stored_sizes_are_positive_and_plausible(stored):
    for r in stored.itertuples(index=False):
        if r.n_assignments * r.alpha < 1:
            # e.g. register checks exist in only 4 administrations: 4 assignments, smallest p 1/4
            assert math.isnan(r.estimate) and "not detectable" in r.note, r
            continue
        assert r.n_assignments == 56, r
        assert math.isfinite(r.estimate), r
        sign = 1 if r.term == "mde_increase" else -1
        assert sign * r.estimate > 0, r
        low, high = PLAUSIBLE[r.unit]
        assert low < abs(r.estimate) < high, r
        assert abs(r.estimate) > r.null_sd, r  # more than one null standard deviation, necessarily


def test_stored_file_records_how_it_was_made(stored):
    first = stored.iloc[0]
    assert first["reps"] >= 100 and isinstance(int(first["seed"]), int)
    assert first["power"] == 0.8 and first["alpha"] == 0.05 and first["scale"] == 1.0
    assert first["command"].startswith("python -m pilot_eval.estimate.mde ")
    assert "--reps" in first["command"]
    dt.datetime.fromisoformat(first["created"])
    assert first["version"] and first["version"] != "unknown"


def test_docs_quote_the_command_that_made_the_stored_file(stored):
    """The command in the module docstring and in docs/estimation.md is the one recorded
    in the stored file (its --reps is the reps the file says), not the CLI default."""
    from pathlib import Path

    command = stored.iloc[0]["command"]
    assert f"--reps {int(stored.iloc[0]['reps'])} " in command + " "
    assert command in M.__doc__
    docs = Path(__file__).resolve().parents[1] / "docs" / "estimation.md"
    if docs.exists():
        assert command in docs.read_text(encoding="utf-8")
    assert stored[["reps", "seed", "created", "command", "version"]].nunique().eq(1).all()


def test_mde_for(stored):
    late = M.mde_for(stored, "late_withdrawal")
    assert set(late) == {"mde_increase", "mde_decrease"} and late["mde_increase"] > 0 > late["mde_decrease"]
    assert M.mde_for(stored, "no_such_outcome") is None
    assert M.mde_for(None, "late_withdrawal") is None
    assert M.mde_for({"late_withdrawal": {"mde_increase": 0.05}}, "late_withdrawal") == {"mde_increase": 0.05}


def test_a_broken_file_says_how_to_recreate_it(tmp_path):
    bad = tmp_path / "mde.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="python -m pilot_eval.estimate.mde"):
        M.stored_mde(bad)


# --------------------------------------------------------------------------- the writer, on a stub


def stub_rows(seed: int, noise: float) -> pd.DataFrame:
    """A tiny municipality: 8 administrations × 8 quarters × 4 rows, the pilot in 3 of them
    from the fifth quarter, no effect."""
    rng = np.random.default_rng(seed)
    admin = np.repeat(ADMINS, 32)
    period = np.tile(np.repeat([f"2023Q{q}" for q in range(1, 5)] + [f"2024Q{q}" for q in range(1, 5)], 4), 8)
    pilot = np.isin(admin, list(PILOT))
    phase = np.where(np.char.startswith(period.astype(str), "2024"), "during", "before")
    during = (pilot & (phase == "during")).astype(float)
    return pd.DataFrame(
        {
            "y": rng.normal(0, noise, len(admin)) + rng.normal(0, noise, 8).repeat(32),
            "administration": admin,
            "period": period,
            "arm": np.where(pilot, "pilot", "comparison"),
            "phase": phase,
            "child_facing": 0.0,
            "during": during,
            "after": 0.0,
        }
    )


class Stub:
    def __init__(self):
        self.calls: list[int] = []

    def __call__(self, seed: int) -> dict[str, pd.DataFrame]:
        self.calls.append(seed)
        return {"late_withdrawal": stub_rows(seed, 0.02), "days_unfilled_90": stub_rows(seed + 1000, 2.0)}


def test_writer_round_trips_on_a_stub(tmp_path):
    stub = Stub()
    table = M.compute_mde(["late_withdrawal", "days_unfilled_90"], reps=6, seed=40, data_for_draw=stub)
    assert stub.calls == list(range(40, 46))  # one draw per seed, shared by both outcomes
    assert list(table["outcome"]) == ["late_withdrawal"] * 2 + ["days_unfilled_90"] * 2
    assert list(table["unit"]) == ["proportion"] * 2 + ["days"] * 2
    assert (table["n_assignments"] == 56).all()
    path = M.write_mde(table, tmp_path / "mde.json", command="python -m pilot_eval.estimate.mde --reps 6", seconds=1.5)
    back = M.stored_mde(path)
    assert list(back.columns[:4]) == ["outcome", "term", "estimate", "unit"]
    pd.testing.assert_frame_equal(back[["outcome", "term", "unit"]], table[["outcome", "term", "unit"]])
    np.testing.assert_allclose(back["estimate"], table["estimate"], equal_nan=True)
    np.testing.assert_allclose(back["null_sd"], table["null_sd"])
    assert (back["reps"] == 6).all() and (back["seed"] == 40).all()
    assert back["command"].iloc[0] == "python -m pilot_eval.estimate.mde --reps 6"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["seconds"] == 2 and doc["grid"]["days"] == [-90.0, 90.0, 0.1]
    # the sizes are in the outcome's units: a share's MDE is a proportion, days are days
    finite = table.dropna(subset=["estimate"])
    assert len(finite) >= 2
    assert (finite.loc[finite["unit"] == "proportion", "estimate"].abs() < 1).all()


def test_main_writes_the_file_and_its_command(tmp_path, monkeypatch, capsys):
    def fake_demo_draw(outcomes, scale=1.0):
        return lambda s: {o: stub_rows(s, 2.0) for o in outcomes}

    monkeypatch.setattr(M, "demo_draw", fake_demo_draw)
    out = tmp_path / "m.json"
    assert M.main(["--reps", "3", "--outcomes", "days_unfilled_90", "--out", str(out)]) == 0
    back = M.stored_mde(out)
    assert list(back["outcome"]) == ["days_unfilled_90"] * 2
    command = f"python -m pilot_eval.estimate.mde --reps 3 --outcomes days_unfilled_90 --out {out}"
    assert back["command"].iloc[0] == command
    assert "wrote" in capsys.readouterr().out


def test_cache_hands_out_each_outcome_once_and_forgets_it():
    stub = Stub()
    cache = M._OutcomeCache(stub)
    first = cache.take("late_withdrawal", 1)
    cache.take("days_unfilled_90", 1)
    assert stub.calls == [1] and cache._rows == {}
    assert cache.assignments == {"late_withdrawal": 56, "days_unfilled_90": 56}
    assert len(first) == 256
    with pytest.raises(KeyError, match="no rows for outcome"):
        cache.take("offer_acceptance", 2)


def test_compact_rows_give_the_same_estimates():
    from pilot_eval.estimate.power import simulated_minimum_detectable_effect

    grid = M.GRIDS["days"]
    plain = simulated_minimum_detectable_effect(
        "days_unfilled_90", reps=3, effects=grid, data_for_draw=lambda s: stub_rows(s, 2.0)
    )
    compact = simulated_minimum_detectable_effect(
        "days_unfilled_90", reps=3, effects=grid, data_for_draw=lambda s: M._compact(stub_rows(s, 2.0))
    )
    pd.testing.assert_frame_equal(plain.tidy(), compact.tidy())
