"""Every measure's table can be published safely: publish() on demo data (small on purpose
so that small cells occur) never shows a count of 1-4 and never a rate of a hidden count."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pilot_eval import measures as m
from pilot_eval.demo import generate
from pilot_eval.disclosure import publish


@pytest.fixture(scope="module")
def small():
    export = generate(seed=9, scenario="large", scale=0.05)  # a twentieth of Botkyrka: many small cells
    return export.tables, export.truth["cut_date"]


def _tables(small):
    t, cut = small
    vac, app, chk, roll, staff = (
        t["vacancies"],
        t["applications"],
        t["background_checks"],
        t["pilot_rollout"],
        t["staffing_monthly"],
    )
    cov = m.pilot_coverage(vac, app, chk, roll)
    return {
        "time_to_fill": m.time_to_fill(vac, cut, by=["administration", "phase"], pilot_rollout=roll),
        "time_to_hire": m.time_to_hire(app, vac, by="administration"),
        "check_turnaround": m.check_turnaround(chk, cut),
        "withdrawals": m.withdrawals(app, vac, by="administration"),
        "late_withdrawal_rate": m.late_withdrawal_rate(app, vac, by=["administration", "gender"]),
        "withdrawal_reasons": m.withdrawal_reasons(app, vac, by="administration"),
        "offers": m.offers(app, vac, by=["administration", "age_band"]),
        "competence_supply": m.competence_supply(vac, app, staff, by="administration"),
        "equality": m.equality(app, vac, by="arm", pilot_rollout=roll),
        "checks_by_type": cov["checks_by_type"],
        "hires_checked": cov["hires_checked"],
    }


def test_every_measure_publishes_without_small_counts(small):
    seen_small = 0
    for name, table in _tables(small).items():
        protected = publish(table)
        shown = protected.display(labels=False)
        kinds = protected.column_kinds
        for col, kind in kinds.items():
            if kind != "count":
                continue
            raw = pd.to_numeric(table[col], errors="coerce")
            seen_small += int(((raw >= 1) & (raw <= 4)).sum())
            for cell in shown[col]:
                digits = re.sub(r"[\s\u00a0\u202f]", "", cell)
                assert not (digits.isdigit() and 1 <= int(digits) <= 4), (name, col, cell)
        # NaN in values wherever a reason is flagged: charts cannot show a withheld value
        flagged = protected.flags != ""
        assert protected.values.where(flagged).isna().all().all(), name
    assert seen_small > 20, "the test data must contain small counts for this test to mean anything"


def test_rate_of_a_hidden_count_is_hidden(small):
    table = _tables(small)["late_withdrawal_rate"]
    protected = publish(table)
    hidden_num = protected.flags["n_withdrawn_late"] != ""
    assert hidden_num.any()
    assert (protected.flags.loc[hidden_num, "late_withdrawal_rate"] != "").all()
    assert np.isnan(protected.values.loc[hidden_num, "late_withdrawal_rate"].astype(float)).all()


def test_check_outcomes_only_through_their_own_gate(small):
    t, _ = small
    chk = t["background_checks"].assign(year=t["background_checks"]["requested_date"].dt.year)
    outcomes = (
        chk.dropna(subset=["outcome"]).groupby(["year", "outcome"], observed=True).size().rename("n").reset_index()
    )
    with pytest.raises(ValueError):
        publish(outcomes)
    gated = publish(outcomes, check_outcomes=True, level_columns=("year",))
    shown = gated.display(labels=False)
    # a year with fewer than 5 of some outcome shows none of its outcome counts
    assert (gated.flags["n"] == "check_outcome").any()
    assert not shown["n"].str.fullmatch(r"[1-4]").any()


# rate → the count its value × denominator stands for (of the denominator column)
_IMPLIED = {
    "time_to_fill": {"filled_within_60": "n", "filled_within_90": "n"},
    "check_turnaround": {"within_7": "n", "within_14": "n"},
    "competence_supply": {
        "filled_rate": "n_closed",
        "readvertised_rate": "n_closed",
        "cancelled_rate": "n_closed",
        "unfilled_rate": "n_closed",
    },
}


def test_no_published_rate_implies_a_count_of_1_to_4(small):
    """A shown rate × its denominator is never a count of 1–4 (20 % of 10 is 2), whether
    the table has the count (time_to_fill's n_filled counts all filled, not those within
    90 days) or not."""
    tables = _tables(small)
    seen_small = 0
    for name, rates in _IMPLIED.items():
        table = tables[name]
        protected = publish(table)
        for rate, den in rates.items():
            if rate not in table.columns:
                continue
            implied = pd.to_numeric(table[rate], errors="coerce") * table[den]
            small_implied = (implied > 1e-9) & (implied < 5 - 1e-9)
            seen_small += int(small_implied.sum())
            assert (protected.flags.loc[small_implied, rate] != "").all(), (name, rate)
            assert protected.values.loc[small_implied, rate].isna().all(), (name, rate)
    assert seen_small > 5, "the test data must contain rates of small counts for this test to mean anything"


def test_wide_check_outcome_tables_are_refused(small):
    t, _ = small
    chk = t["background_checks"].dropna(subset=["outcome"])
    wide = (
        chk.assign(administration=chk["check_type"].astype(str).str[:3])
        .pivot_table(
            index="administration", columns="outcome", values="check_id", aggfunc="count", observed=True, fill_value=0
        )
        .reset_index()
    )
    wide.columns = [str(c) for c in wide.columns]
    assert {"cleared", "remark_no_obstacle"} <= set(wide.columns)
    with pytest.raises(ValueError, match="named after a background-check outcome.*protect_check_outcomes"):
        publish(wide)
    with pytest.raises(ValueError, match="named after a background-check outcome"):
        publish(wide.rename(columns={"remark_no_obstacle": "n_remark_no_obstacle"}).drop(columns=["cleared"]))
