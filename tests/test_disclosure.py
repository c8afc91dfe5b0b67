"""Tests of statistical disclosure control (pilot_eval.disclosure), docs/disclosure.md.

Hand-built tables have their answer worked out in the test; the property tests check
the rules on random tidy count tables with a checker written from the rules, not from
the implementation.
"""

from __future__ import annotations

import doctest
import itertools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_eval import disclosure
from pilot_eval.disclosure import (
    SYMBOLS,
    ProtectedTable,
    Thresholds,
    audit,
    protect,
    protect_check_outcomes,
)

NBSP = "\u00a0"
SEC, SMALL_DEN, SMALL_N, CHECK = (SYMBOLS[k] for k in ("secondary", "small_denominator", "small_n", "check_outcome"))


def flags(p: ProtectedTable, col: str) -> list[str]:
    return p.flags[col].tolist()


def assert_consistent(p: ProtectedTable) -> None:
    """values is NaN exactly where a flag is set (inputs here have no missing figures)."""
    assert p.values.shape == p.flags.shape
    assert list(p.values.columns) == list(p.flags.columns)
    figure = [c for c in p.values.columns if c not in p.group_columns]
    for c in figure:
        assert (p.values[c].isna().to_numpy() == (p.flags[c] != "").to_numpy()).all(), c
    for c in p.group_columns:
        assert (p.flags[c] == "").all()


def test_doctests() -> None:
    result = doctest.testmod(disclosure, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5
    assert result.failed == 0


# --------------------------------------------------------------------------- primary


def test_primary_suppression_and_zero_kept() -> None:
    t = pd.DataFrame(
        {"role_group": ["teacher", "manager", "childminder", "social_worker", "technical"], "n": [0, 1, 4, 5, 12]}
    )
    p = protect(t, totals=None)
    assert flags(p, "n") == ["", "small_count", "small_count", "", ""]
    assert p.values["n"].tolist()[0] == 0
    assert np.isnan(p.values["n"].tolist()[1:3]).all()
    assert p.values["n"].tolist()[3:] == [5, 12]
    assert p.suppressed["n"].tolist() == [False, True, True, False, False]
    assert p.display()["Antal"].tolist() == ["0", "<5", "<5", "5", "12"]
    assert_consistent(p)
    # the input is untouched
    assert t["n"].tolist() == [0, 1, 4, 5, 12]


def test_every_count_column_is_protected_and_thresholds_are_parameters() -> None:
    t = pd.DataFrame({"gender": ["woman", "man"], "n_hires": [3, 9], "n_offers": [7, 2], "n": [30, 40]})
    p = protect(t, totals=None)
    assert flags(p, "n_hires") == ["small_count", ""]
    assert flags(p, "n_offers") == ["", "small_count"]
    strict = protect(t, totals=None, thresholds=Thresholds(min_count=10))
    assert flags(strict, "n_hires") == ["small_count", "small_count"]
    assert flags(strict, "n_offers") == ["small_count", "small_count"]
    assert strict.display()["Antal anställda"].tolist() == ["<10", "<10"]


def test_explicit_counts_for_an_unconventional_name() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "vacant_posts": [2, 30]})
    assert flags(protect(t, totals=None), "vacant_posts") == ["", ""]
    p = protect(t, totals=None, counts=["vacant_posts"])
    assert flags(p, "vacant_posts") == ["small_count", ""]
    assert any("vacant_posts" in note for note in protect(t, totals=None).notes)  # shown, but said


# --------------------------------------------------------------------------- rates


def test_rate_needs_denominator_and_shown_numerator() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF", "VOF"],
            "n_withdrawn_late": [3, 6, 2, 8],
            "n_reached_interview": [40, 9, 60, 80],
            "late_withdrawal_rate": [3 / 40, 6 / 9, 2 / 60, 8 / 80],
            "n": [40, 9, 60, 80],
        }
    )
    p = protect(t, totals=None)
    # SOF: numerator 3 hidden -> the rate too (3/40 * 40 = 3); UBF: denominator 9 < 10;
    # KOF: numerator 2 hidden; VOF: shown
    assert flags(p, "n_withdrawn_late") == ["small_count", "", "small_count", ""]
    assert flags(p, "late_withdrawal_rate") == ["secondary", "small_denominator", "secondary", ""]
    assert p.values["late_withdrawal_rate"].tolist()[3] == pytest.approx(0.1)
    assert p.display()["Andel återtagna ansökningar i sent skede"].tolist() == [SEC, SMALL_DEN, SEC, f"10{NBSP}%"]
    assert_consistent(p)


def test_rate_with_hidden_denominator_is_hidden() -> None:
    # the denominator n is secondary-suppressed (total row), so the rate goes too
    t = pd.DataFrame({"arm": ["pilot", "comparison", "Totalt"], "filled_within_90": [0.6, 0.7, 0.65], "n": [3, 40, 43]})
    p = protect(t)
    assert flags(p, "n") == ["small_count", "secondary", ""]
    assert flags(p, "filled_within_90") == ["small_denominator", "secondary", ""]


def test_explicit_rate_spec_and_summed_denominator() -> None:
    # acceptance_rate = accepted / (accepted + declined): 8 decided offers of 30 is too few
    t = pd.DataFrame(
        {
            "age_band": ["u25", "25_34"],
            "n_offers": [30, 30],
            "n_accepted": [6, 20],
            "n_declined": [2, 9],
            "n_pending": [22, 1],
            "acceptance_rate": [0.75, 20 / 29],
            "n": [30, 30],
        }
    )
    p = protect(t, totals=None, row_totals=None)
    assert flags(p, "acceptance_rate")[0] == "small_denominator"  # 6 + 2 = 8 < 10
    assert flags(p, "acceptance_rate")[1] == ""
    q = protect(t, totals=None, row_totals=None, rates={"acceptance_rate": ("n_accepted", "n_offers")})
    assert flags(q, "acceptance_rate") == ["", ""]


def test_rate_without_denominator_is_refused() -> None:
    t = pd.DataFrame({"gender": ["woman"], "hire_rate": [0.1]})
    with pytest.raises(ValueError, match="hire_rate.*rates="):
        protect(t)
    with pytest.raises(ValueError, match="n_apps"):
        protect(t, rates={"hire_rate": (None, "n_apps")})


def test_per_unit_ratios() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF"],
            "n_vacancies": [8, 20],
            "n_applications": [40, 3],
            "applicants_per_vacancy": [5.0, 0.15],
            "n": [8, 20],
        }
    )
    p = protect(t, totals=None, row_totals=None)
    assert flags(p, "applicants_per_vacancy") == ["small_denominator", "secondary"]
    assert p.column_kinds["applicants_per_vacancy"] == "ratio"


def test_survival_shares_follow_their_counts_and_never_imply_a_small_count() -> None:
    # time_to_fill: SOF's n_filled 2 is "<5", and filled_within_90 = 20 % of n = 10
    # would give it back; UBF's 7.5 % of 40 is 3 vacancies filled within 90 days (of 12
    # filled in all), a count of 1–4 no column shows; KOF's 60 % of 40 is 24.
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF"],
            "n_filled": [2, 12, 30],
            "n_competing": [3, 8, 5],
            "n_censored": [5, 20, 5],
            "filled_within_60": [0.1, 0.05, 0.5],
            "filled_within_90": [0.2, 0.075, 0.6],
            "n": [10, 40, 40],
        }
    )
    p = protect(t, totals=None)
    assert flags(p, "n_filled") == ["small_count", "", ""]
    assert flags(p, "filled_within_90") == ["secondary", "secondary", ""]
    assert flags(p, "filled_within_60") == ["secondary", "secondary", ""]  # 1, 2 and 20
    assert p.display()["Andel tillsatta inom 90 dagar"].tolist() == [SEC, SEC, f"60{NBSP}%"]
    assert "antal under 5" in p.footnotes()[-1]
    # check_turnaround: within_7 ≤ n_completed ÷ n; 10 % of 30 is 3 checks
    t = pd.DataFrame(
        {
            "check_type": ["court_records", "register_school"],
            "n_completed": [30, 3],
            "n_pending": [0, 20],
            "within_7": [0.1, 0.1],
            "within_14": [0.5, 0.13],
            "n": [30, 23],
        }
    )
    p = protect(t, totals=None)
    assert flags(p, "within_7") == ["secondary", "secondary"]
    assert flags(p, "within_14") == ["", "secondary"]  # numerator 3 is "<5"


def test_rates_without_their_count_never_imply_a_small_count() -> None:
    # competence_supply without the count columns: 3 of 40 adverts cancelled is 7.5 %
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF"],
            "n_closed": [40, 40, 8],
            "cancelled_rate": [3 / 40, 8 / 40, 1 / 8],
            "unfilled_rate": [0.0, 0.5, 0.25],
            "turnover_rate": [0.05, 0.5, 0.1],
            "n": [40, 40, 8],
        }
    )
    p = protect(t, totals=None)
    assert flags(p, "cancelled_rate") == ["secondary", "", "small_denominator"]
    assert flags(p, "unfilled_rate") == ["", "", "small_denominator"]  # 0 stays 0
    # annualised turnover × n is no count (the table has no headcount anyway)
    assert flags(p, "turnover_rate") == ["", "", "small_denominator"]
    # with the counts (as competence_supply now has them) the rate follows its count
    t2 = t.assign(n_cancelled=[3, 8, 1], n_unfilled=[0, 20, 2])
    q = protect(t2, totals=None, row_totals=None)
    assert flags(q, "n_cancelled") == ["small_count", "", "small_count"]
    assert flags(q, "cancelled_rate") == ["secondary", "", "small_denominator"]
    # a rate whose numerator is given as None gets the same net
    t3 = pd.DataFrame({"gender": ["woman", "man"], "hire_rate": [0.1, 0.3], "n": [30, 30]})
    assert flags(protect(t3, totals=None, rates={"hire_rate": (None, "n")}), "hire_rate") == ["secondary", ""]


# --------------------------------------------------------------------------- durations, min/max


def test_durations_need_n_of_10_and_minmax_are_dropped() -> None:
    t = pd.DataFrame(
        {
            "check_type": ["court_records", "court_and_credit", "register_school"],
            "median_days": [5.0, 9.0, 3.5],
            "q25_days": [3.0, 6.0, 2.0],
            "min_days": [1, 2, 0],
            "max_days": [40, 33, 12],
            "days_minimum": [1, 1, 1],
            "rmst_90": [6.2, 9.1, 3.9],
            "n": [10, 9, 250],
        }
    )
    p = protect(t, totals=None)
    assert list(p.values.columns) == ["check_type", "median_days", "q25_days", "rmst_90", "n"]
    assert list(p.flags.columns) == list(p.values.columns)
    assert any("min_days, max_days, days_minimum" in note and "never published" in note for note in p.notes)
    for col in ("median_days", "q25_days", "rmst_90"):
        assert flags(p, col) == ["", "small_n", ""]
    assert flags(p, "n") == ["", "", ""]
    shown = p.display("en")
    assert shown["Median (days)"].tolist() == ["5.0", SMALL_N, "3.5"]
    assert_consistent(p)


def test_explicit_duration_n_column() -> None:
    t = pd.DataFrame({"arm": ["pilot", "comparison"], "median_days": [40.0, 50.0], "n_filled": [8, 30], "n": [50, 60]})
    assert flags(protect(t, totals=None), "median_days") == ["", ""]
    p = protect(t, totals=None, durations={"median_days": "n_filled"})
    assert flags(p, "median_days") == ["small_n", ""]


def test_panel_days_unfilled_needs_the_vacancies_followed_that_long() -> None:
    """The panel's days_unfilled_90 is a mean over the n_followed_90 vacancies published at
    least 90 days before the cut, not over all n: that count decides."""
    t = pd.DataFrame(
        {"administration": ["SOF", "UBF"], "days_unfilled_90": [41.0, 38.5], "n_followed_90": [6, 40], "n": [30, 60]}
    )
    p = protect(t, totals=None)
    assert flags(p, "days_unfilled_90") == ["small_n", ""]


# --------------------------------------------------------------------------- secondary, 1-D


def test_secondary_with_a_total_row() -> None:
    t = pd.DataFrame(
        {"administration": ["SOF", "UBF", "KOF", "Totalt"], "n_withdrawn": [3, 8, 12, 23], "n": [40, 50, 60, 150]}
    )
    for totals in ("auto", None):
        p = protect(t, totals=totals)
        # 3 is hidden; 23 - 8 - 12 would give it back, so the next smallest (8) goes too
        assert flags(p, "n_withdrawn") == ["small_count", "secondary", "", ""]
        assert flags(p, "n") == ["", "", "", ""]
        assert_consistent(p)


def test_secondary_with_a_named_total_row_and_a_custom_marker() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "Hela kommunen"], "n": [2, 30, 32]})
    p = protect(t, totals=None)
    # only two parts: the other part and the total are both shown non-zero -> hide 30
    assert flags(p, "n") == ["small_count", "secondary", ""]
    t2 = pd.DataFrame({"administration": ["SOF", "UBF", "Botkyrka"], "n": [2, 30, 32]})
    assert flags(protect(t2, totals=None), "n") == ["small_count", "", ""]  # not known as a total
    assert flags(protect(t2, totals=["Botkyrka"]), "n") == ["small_count", "secondary", ""]


def test_a_total_equal_to_a_single_hidden_part_is_hidden() -> None:
    t = pd.DataFrame({"gender": ["woman", "man", "Totalt"], "n": [3, 0, 3]})
    assert flags(protect(t, totals=None), "n") == ["small_count", "", "small_count"]
    #            woman  man  Totalt
    #   SOF        3    20     23
    #   UBF        7     0      7     <- 7 is hidden for the woman column (3 + 7 = 10),
    #   Totalt    10    20     30        so the row total 7 must go too
    rows = [
        ("SOF", "woman", 3),
        ("SOF", "man", 20),
        ("SOF", "Totalt", 23),
        ("UBF", "woman", 7),
        ("UBF", "man", 0),
        ("UBF", "Totalt", 7),
        ("Totalt", "woman", 10),
        ("Totalt", "man", 20),
        ("Totalt", "Totalt", 30),
    ]
    t = pd.DataFrame(rows, columns=["administration", "gender", "n"])
    p = protect(t, totals=None)
    assert flags(p, "n")[3] == "secondary" and flags(p, "n")[5] == "secondary"
    assert flags(p, "n")[4] == ""  # zeros are never hidden
    assert lines_ok(t, p, ["administration", "gender"], None)


def test_secondary_with_margins_published_elsewhere() -> None:
    t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [27, 3, 0]})
    assert flags(protect(t), "n") == ["secondary", "small_count", ""]
    assert flags(protect(t, totals=None), "n") == ["", "small_count", ""]
    # two hidden cells already: nothing more
    t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [27, 3, 2]})
    assert flags(protect(t), "n") == ["", "small_count", "small_count"]
    # one non-zero cell: it is the margin, which its own publication protects
    t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [0, 3, 0]})
    assert flags(protect(t), "n") == ["", "small_count", ""]


def test_secondary_picks_the_smallest_non_zero() -> None:
    t = pd.DataFrame({"age_band": ["u25", "25_34", "35_44", "45_54", "55plus"], "n": [4, 0, 17, 9, 30]})
    assert flags(protect(t), "n") == ["small_count", "", "", "secondary", ""]


def test_one_to_one_group_columns_make_one_line() -> None:
    # stage and stage_name say the same thing: the line runs over the stages
    t = pd.DataFrame(
        {
            "stage": [0, 1, 2],
            "stage_name": ["received", "screened", "interview"],
            "n_withdrawn": [20, 3, 9],
            "n": [100, 80, 30],
        }
    )
    p = protect(t)
    assert flags(p, "n_withdrawn") == ["", "small_count", "secondary"]


def test_rows_must_be_unique_by_group() -> None:
    t = pd.DataFrame({"administration": ["SOF", "SOF"], "n": [10, 20]})
    with pytest.raises(ValueError, match="not unique by the group columns administration"):
        protect(t)
    with pytest.raises(ValueError, match="group_columns.*nope"):
        protect(t, group_columns=["nope"])


# --------------------------------------------------------------------------- secondary, 2-D


def test_secondary_in_two_dimensions_with_margins() -> None:
    #            woman  man              each row total (administration) and column total
    #   SOF        20    3   <- 3 hidden  (gender, municipality) is published elsewhere
    #   UBF        30   40
    #   KOF         6    7
    # row SOF has one hidden cell: hide 20; column man has one (3): hide the smallest
    # other, 7; column woman now has one (20): hide 6; row KOF then has two. UBF stays.
    t = pd.DataFrame(
        {
            "administration": ["SOF", "SOF", "UBF", "UBF", "KOF", "KOF"],
            "gender": ["woman", "man"] * 3,
            "n": [20, 3, 30, 40, 6, 7],
        }
    )
    p = protect(t)
    assert flags(p, "n") == ["secondary", "small_count", "", "", "secondary", "secondary"]
    assert_consistent(p)
    assert lines_ok(t, p, ["administration", "gender"], "auto")
    # without published margins nothing but the primary cell
    assert flags(protect(t, totals=None), "n") == ["", "small_count", "", "", "", ""]


def test_secondary_in_two_dimensions_with_total_rows() -> None:
    #            woman  man  Totalt
    #   SOF        20    3     23
    #   UBF        30   40     70
    #   Totalt     50   43     93
    # column man: 3 hidden -> hide 40 (smaller than the total 43); row UBF -> hide 30;
    # column woman -> hide 20; row SOF has 20 and 3. Every total stays.
    rows = [
        ("SOF", "woman", 20),
        ("SOF", "man", 3),
        ("SOF", "Totalt", 23),
        ("UBF", "woman", 30),
        ("UBF", "man", 40),
        ("UBF", "Totalt", 70),
        ("Totalt", "woman", 50),
        ("Totalt", "man", 43),
        ("Totalt", "Totalt", 93),
    ]
    t = pd.DataFrame(rows, columns=["administration", "gender", "n"])
    for totals in (None, "auto"):
        p = protect(t, totals=totals)
        assert flags(p, "n") == ["secondary", "small_count", "", "secondary", "secondary", "", "", "", ""]
        assert lines_ok(t, p, ["administration", "gender"], totals)


def test_propagation_to_rates() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF", "Totalt"],
            "n_withdrawn": [3, 8, 12, 23],
            "n_reached": [40, 50, 60, 150],
            "rate": [3 / 40, 8 / 50, 12 / 60, 23 / 150],
            "n": [40, 50, 60, 150],
        }
    )
    p = protect(t)
    assert flags(p, "n_withdrawn") == ["small_count", "secondary", "", ""]
    # 8 is hidden: 0.16 × 50 would give it back
    assert flags(p, "rate") == ["secondary", "secondary", "", ""]
    assert p.display()["Andel"].tolist() == [SEC, SEC, f"20{NBSP}%", f"15{NBSP}%"]


def test_row_totals_are_lines_too() -> None:
    # time to fill: n = n_filled + n_competing + n_censored
    t = pd.DataFrame(
        {
            "administration": ["SOF"],
            "n_filled": [20],
            "n_competing": [3],
            "n_censored": [7],
            "n": [30],
            "median_days": [45.0],
        }
    )
    p = protect(t)
    assert flags(p, "n_competing") == ["small_count"]
    assert flags(p, "n_censored") == ["secondary"]  # 30 − 20 − 7 would give 3 back
    assert flags(p, "n_filled") == [""] and flags(p, "n") == [""]
    assert any("n = n_filled + n_competing + n_censored" in note for note in p.notes)
    assert flags(protect(t, row_totals=None), "n_censored") == [""]
    # equal columns (n and n_checks) are hidden together
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n_checks": [3, 12, 30], "n": [3, 12, 30]})
    p = protect(t)
    assert flags(p, "n_checks") == flags(p, "n") == ["small_count", "secondary", ""]


# --------------------------------------------------------------------------- audit


def test_symbols_and_a_total_do_not_give_the_hidden_cells_back() -> None:
    # SOF 1, UBF 5, KOF 30, Totalt 36. The greedy rule alone showed <5, ..‡, 30, 36: a
    # reader knows "<5" is 1–4 and "..‡" at least 5 (zeros are never withheld, 1–4 would
    # be "<5"), so 36 − 30 = 6 = 1 + 5 pinned both. With 30 withheld too, SOF + UBF + KOF
    # = 36 leaves SOF anywhere in 1–4 and UBF, KOF anywhere in 5–30.
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [1, 5, 30, 36]})
    for totals in ("auto", None):
        p = protect(t, totals=totals)
        assert flags(p, "n") == ["small_count", "secondary", "secondary", ""]
        assert p.display(labels=False)["n"].tolist() == ["<5", SEC, SEC, "36"]
        ranges = attacker_ranges(t, p, ["administration"], totals)
        assert ranges[(0, "n")] == pytest.approx((1, 4))
        assert ranges[(1, "n")] == pytest.approx((5, 30))
        assert ranges[(2, "n")] == pytest.approx((5, 30))
        assert_consistent(p)
    # a total far enough away needs nothing more: 3 + UBF = 11 leaves 3 anywhere in 1–4
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [3, 8, 12, 23]})
    assert flags(protect(t), "n") == ["small_count", "secondary", "", ""]


def test_protection_width_is_a_parameter() -> None:
    # SOF + UBF = 47 − 40 = 7 with UBF ≥ 5: SOF is 1 or 2 (a range of width 1), enough
    # by default (no withheld count is pinned to one value), not for protection_width=2
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [1, 6, 40, 47]})
    assert Thresholds().protection_width == 1
    assert flags(protect(t), "n") == ["small_count", "secondary", "", ""]
    with pytest.raises(ValueError, match=r"protection_width=0 is below its floor of 1"):
        Thresholds(protection_width=0)  # the audit's least width: refused, not read as 1
    assert flags(protect(t, thresholds=Thresholds(protection_width=2)), "n") == [
        "small_count",
        "secondary",
        "secondary",
        "",
    ]
    # SOF + UBF = 8: SOF in 1–3, width 2; protection_width 3 asks for the whole 1–4
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [2, 6, 40, 48]})
    assert flags(protect(t, thresholds=Thresholds(protection_width=2)), "n") == ["small_count", "secondary", "", ""]
    assert flags(protect(t, thresholds=Thresholds(protection_width=3)), "n") == [
        "small_count",
        "secondary",
        "secondary",
        "",
    ]


def two_way(inner: list[list[int]], rows=("SOF", "UBF", "KOF"), cols=("woman", "man", "other_unknown")):
    """A table with its row and column totals (and the grand total) as rows "Totalt"."""
    m = np.array(inner)
    full = np.zeros((m.shape[0] + 1, m.shape[1] + 1), dtype=int)
    full[:-1, :-1] = m
    full[-1, :-1], full[:-1, -1], full[-1, -1] = m.sum(0), m.sum(1), m.sum()
    names_r, names_c = [*rows, TOTAL], [*cols, TOTAL]
    return pd.DataFrame(
        [(names_r[i], names_c[j], int(full[i, j])) for i in range(len(names_r)) for j in range(len(names_c))],
        columns=["administration", "gender", "n"],
    )


def test_a_two_way_table_with_totals_gives_no_cell_back() -> None:
    #            woman  man  other  Totalt
    #   SOF        1     5     8      14
    #   UBF        5    12     4      21
    #   KOF        7    12    15      34
    #   Totalt    13    29    27      69
    # The greedy rule withheld SOF/woman (<5), SOF/other (..‡), UBF/woman (..‡) and
    # UBF/other (<5): two in every line, yet woman: SOF + UBF = 13 − 7 = 6 with UBF ≥ 5
    # gives SOF = 1, then UBF/woman = 5, UBF/other = 21 − 12 − 5 = 4 and SOF/other = 8.
    t = two_way([[1, 5, 8], [5, 12, 4], [7, 12, 15]])
    for totals in (None, "auto"):
        p = protect(t, totals=totals)
        f = dict(zip(zip(t["administration"], t["gender"], strict=True), flags(p, "n"), strict=True))
        assert f[("SOF", "woman")] == f[("UBF", "other_unknown")] == "small_count"
        assert f[("SOF", "other_unknown")] == f[("UBF", "woman")] == "secondary"
        assert f[(TOTAL, TOTAL)] == ""
        assert not narrow_cells(t, p, ["administration", "gender"], totals)
        low, high = attacker_ranges(t, p, ["administration", "gender"], totals)[(0, "n")]
        assert low == pytest.approx(1) and high >= 3 - 1e-6  # SOF/woman: 1–3 at least
        assert lines_ok(t, p, ["administration", "gender"], totals)
        assert_consistent(p)


def test_audited_tables_of_earlier_tests_keep_their_answers() -> None:
    # the worked examples of the greedy rule are audited as well: nothing changes
    t = two_way([[20, 3], [30, 40]], rows=("SOF", "UBF"), cols=("woman", "man"))
    p = protect(t, totals=None)
    assert not narrow_cells(t, p, ["administration", "gender"], None)
    t = pd.DataFrame(
        {
            "administration": ["SOF", "SOF", "UBF", "UBF", "KOF", "KOF"],
            "gender": ["woman", "man"] * 3,
            "n": [20, 3, 30, 40, 6, 7],
        }
    )
    p = protect(t)
    assert not narrow_cells(t, p, ["administration", "gender"], "auto")


def test_row_relation_of_vacancy_outcomes() -> None:
    # n_closed = n_filled + n_readvertised + n_cancelled + n_unfilled: 16 − 14 = 2 would
    # give both "<5" (1 and 1) back; with 14 withheld, 16 = x + 1 + 1 + 0 leaves 1–4 each
    t = pd.DataFrame(
        {
            "administration": ["AVF"],
            "n_closed": [16],
            "n_filled": [14],
            "n_readvertised": [1],
            "n_cancelled": [1],
            "n_unfilled": [0],
            "cancelled_rate": [1 / 16],
        }
    )
    p = protect(t, rates={"cancelled_rate": ("n_cancelled", "n_closed")})
    assert flags(p, "n_readvertised") == flags(p, "n_cancelled") == ["small_count"]
    assert flags(p, "n_filled") == ["secondary"]
    assert flags(p, "n_closed") == flags(p, "n_unfilled") == [""]
    assert flags(p, "cancelled_rate") == ["secondary"]
    assert any("n_closed = n_filled + n_readvertised + n_cancelled + n_unfilled" in n for n in p.notes)
    ranges = attacker_ranges(
        t,
        p,
        ["administration"],
        None,
        count_cols=("n_closed", "n_filled", "n_readvertised", "n_cancelled", "n_unfilled"),
        relations=[("n_closed", ["n_filled", "n_readvertised", "n_cancelled", "n_unfilled"])],
    )
    assert ranges[(0, "n_cancelled")] == pytest.approx((1, 4))


def test_a_cell_no_withholding_can_protect_is_reported() -> None:
    # four "<5" cells whose margin, published elsewhere, is itself "<5": a reader knows
    # each is at least 1 and all four at most 4, so every one is 1. Nothing in this table
    # can change that: the notes say so for each.
    t = pd.DataFrame({"age_band": ["u25", "25_34", "35_44", "45_54"], "n": [1, 1, 1, 1]})
    p = protect(t)
    assert flags(p, "n") == ["small_count"] * 4
    assert sum("cannot change that" in note for note in p.notes) == 4
    assert all(noted(p, t, ["age_band"], i, "n") for i in range(4))
    assert not any("cannot change that" in note for note in protect(t, totals=None).notes)


def test_large_components_are_audited_line_by_line_with_a_note(monkeypatch) -> None:
    t = two_way([[1, 5, 8], [5, 12, 4], [7, 12, 15]])
    monkeypatch.setattr(audit, "_AUDIT_MAX_UNKNOWNS", 2)
    p = protect(t, totals=None)
    assert any("only each line on its own was audited" in note for note in p.notes)
    assert lines_ok(t, p, ["administration", "gender"], None)


# --------------------------------------------------------------------------- equality


def test_ratio_to_best_and_flag_follow_hidden_rates() -> None:
    # the best (lowest withdrawal rate) group is woman: 2/60, hidden (numerator 2);
    # man's ratio 0.0333 / 0.1 would give the best rate and so its count back
    t = pd.DataFrame(
        {
            "dimension": ["gender"] * 3,
            "group": ["woman", "man", "other_unknown"],
            "numerator": [2, 7, 6],
            "denominator": [60, 70, 30],
            "rate": [2 / 60, 0.1, 0.2],
            "ratio_to_best": [1.0, 1 / 3, 1 / 6],
            "four_fifths_flag": pd.array([False, True, True], dtype="boolean"),
            "n": [60, 70, 30],
        }
    )
    p = protect(t, totals=None)
    assert flags(p, "rate") == ["secondary", "", ""]
    assert flags(p, "ratio_to_best") == ["secondary"] * 3
    assert flags(p, "four_fifths_flag") == ["secondary"] * 3
    assert_consistent(p)
    # with nothing hidden the ratios and flags show
    t2 = t.assign(numerator=[5, 7, 6], rate=[5 / 60, 0.1, 0.2])
    q = protect(t2, totals=None)
    assert flags(q, "ratio_to_best") == ["", "", ""]
    assert q.display()["Under fyra femtedelar"].tolist() == ["Nej", "Ja", "Ja"]
    assert q.display()["Kvot mot bäst ställda grupp"].tolist() == ["1,00", "0,33", "0,17"]


# --------------------------------------------------------------------------- check outcomes

OUTCOMES = ["cleared", "remark_no_obstacle", "remark_obstacle"]


def outcome_table(levels: dict[tuple, list[int]], columns=("administration", "year")) -> pd.DataFrame:
    rows = []
    for key, counts in levels.items():
        for outcome, n in zip(OUTCOMES, counts, strict=True):
            rows.append({**dict(zip(columns, key, strict=True)), "outcome": outcome, "n": n})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("column", ["gender", "role_group", "check_type", "age_band", "period"])
def test_check_outcomes_refuse_finer_levels(column: str) -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]}).assign(**{column: "x"})
    with pytest.raises(ValueError, match=f"column '{column}'"):
        protect_check_outcomes(t)


@pytest.mark.parametrize(
    "column",
    [
        "cleared",
        "remark_no_obstacle",
        "remark_obstacle",
        "n_remark_obstacle",
        "share_cleared",
        "remark_obstacle_rate",
        "Godkänd",
        "n_anmarkning_hinder",
        "n_remark",
    ],
)
def test_protect_refuses_columns_named_after_check_outcomes(column: str) -> None:
    # a wide table of outcomes passed raw before: its columns were "other" figures
    t = pd.DataFrame({"administration": ["SOF", "UBF"], column: [30, 2], "n": [33, 3]})
    with pytest.raises(ValueError, match=rf"column {re.escape(repr(column))}.*protect_check_outcomes"):
        protect(t)
    with pytest.raises(ValueError, match="protect_check_outcomes"):
        protect(t, group_columns=["administration"], counts=[column])


def test_protect_refuses_outcome_values_in_any_column() -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]})
    with pytest.raises(ValueError, match="'outcome'.*protect_check_outcomes"):
        protect(t, group_columns=["administration", "year"])  # outcome not a group column


def test_columns_that_merely_resemble_outcomes_are_fine() -> None:
    t = pd.DataFrame(
        {
            "check_type": ["court_records", "register_school"],
            "n_checks": [30, 40],
            "n_completed": [30, 38],
            "n": [30, 40],
        }
    )
    assert flags(protect(t, totals=None), "n_completed") == ["", ""]


@pytest.mark.parametrize("levels", [("gender",), ("administration", "role_group"), ("period",), "check_type"])
def test_check_outcome_levels_are_administration_and_year_only(levels) -> None:
    t = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 5]})
    with pytest.raises(ValueError, match="level_columns.*administration and year"):
        protect_check_outcomes(t, level_columns=levels)


def test_check_outcome_levels_allowed() -> None:
    municipality = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 5]})
    assert flags(protect_check_outcomes(municipality, level_columns=()), "n") == ["", "", ""]
    by_year = outcome_table({(2023,): [50, 10, 8], (2024,): [60, 9, 6]}, columns=("year",))
    assert flags(protect_check_outcomes(by_year, level_columns=("year",), totals=None), "n") == [""] * 6
    by_both = outcome_table({("SOF", 2024): [50, 10, 8]})
    assert flags(protect_check_outcomes(by_both, level_columns=["year", "administration"]), "n") == [""] * 3


def test_check_outcomes_need_their_columns() -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]})
    with pytest.raises(ValueError, match="category_column 'utfall'"):
        protect_check_outcomes(t, category_column="utfall")
    with pytest.raises(ValueError, match="count_column 'antal'"):
        protect_check_outcomes(t, count_column="antal")


def test_check_outcomes_municipality_level() -> None:
    t = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 5]})
    p = protect_check_outcomes(t)
    assert flags(p, "n") == ["", "", ""]
    t = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 4]})
    p = protect_check_outcomes(t)
    assert flags(p, "n") == ["check_outcome"] * 3
    assert p.display()["Antal"].tolist() == [CHECK] * 3
    assert p.display()["Utfall"].tolist() == [
        "Godkänd",
        "Anmärkning, inget hinder",
        "Anmärkning, hinder för anställning",
    ]
    assert any("minst 10 kontroller och minst 5 i varje utfall" in f for f in p.footnotes())


def test_check_outcomes_category_rule_and_missing_category() -> None:
    t = outcome_table(
        {("SOF", 2024): [50, 10, 5], ("UBF", 2024): [80, 12, 4], ("KOF", 2024): [60, 9, 6]},
    ).iloc[:-1]  # KOF has no remark_obstacle row at all: it counts as 0
    p = protect_check_outcomes(t, totals=None)
    assert flags(p, "n") == [""] * 3 + ["check_outcome"] * 3 + ["check_outcome"] * 2
    assert_consistent(p)


def test_check_outcomes_total_threshold() -> None:
    t = pd.DataFrame(
        {"year": [2023, 2023, 2024, 2024], "outcome": ["cleared", "remark", "cleared", "remark"], "n": [10, 10, 8, 6]}
    )
    p = protect_check_outcomes(t, totals=None, thresholds=Thresholds(min_check_total=15))
    assert flags(p, "n") == ["", "", "check_outcome", "check_outcome"]  # 14 < 15


def test_check_outcomes_secondary_between_levels() -> None:
    # administration × year, SOF 2024 fails (3 < 5). With every margin published the line
    # SOF (2023, 2024), the line 2024 (SOF, UBF) and then the others each need a second
    # withheld level: all four go.
    t = outcome_table(
        {("SOF", 2023): [50, 10, 8], ("UBF", 2023): [100, 12, 6], ("SOF", 2024): [40, 7, 3], ("UBF", 2024): [90, 9, 7]}
    )
    p = protect_check_outcomes(t)
    expected = ["secondary"] * 6 + ["check_outcome"] * 3 + ["secondary"] * 3
    assert flags(p, "n") == expected
    assert set(p.display()["Antal"].tolist()) == {SEC, CHECK}
    q = protect_check_outcomes(t, totals=None)
    assert flags(q, "n") == [""] * 6 + ["check_outcome"] * 3 + [""] * 3


# --------------------------------------------------------------------------- display


def test_display_swedish_format_and_symbols() -> None:
    t = pd.DataFrame(
        {
            "administration": ["UBF", "SOF", "KOF", "VOF"],
            "n_vacancies": [1234, 3, 40, 0],
            "median_days": [12.5, 30.0, 41.25, np.nan],
            "filled_within_90": [0.125, 0.5, 0.75, np.nan],
            "n": [1234, 3, 40, 0],
        }
    )
    p = protect(t, totals=None)
    sv = p.display()
    assert list(sv.columns) == [
        "Förvaltning",
        "Antal rekryteringar",
        "Median (dagar)",
        "Andel tillsatta inom 90 dagar",
        "Antal",
    ]
    assert sv["Förvaltning"].tolist() == [
        "Utbildningsförvaltningen",
        "Socialförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Vård- och omsorgsförvaltningen",
    ]
    assert sv["Antal rekryteringar"].tolist() == [f"1{NBSP}234", "<5", "40", "0"]
    # one decimal for the whole column once one value has it; 41.25 -> 41,3 (half up)
    assert sv["Median (dagar)"].tolist() == ["12,5", SMALL_N, "41,3", SMALL_N]
    assert sv["Andel tillsatta inom 90 dagar"].tolist() == [f"13{NBSP}%", SMALL_DEN, f"75{NBSP}%", SMALL_DEN]
    en = p.display("en", decimals={"filled_within_90": 1})
    assert en["Number of vacancies"].tolist() == ["1,234", "<5", "40", "0"]
    assert en["Share filled within 90 days"].tolist() == ["12.5%", SMALL_DEN, "75.0%", SMALL_DEN]
    codes = p.display(labels=False)
    assert list(codes.columns) == list(p.values.columns)
    assert codes["administration"].tolist() == ["UBF", "SOF", "KOF", "VOF"]
    # never a blank cell
    for frame in (sv, en, codes):
        assert (frame != "").all().all()


def test_missing_input_values_show_as_not_available() -> None:
    t = pd.DataFrame({"arm": ["pilot", "comparison"], "median_days": [np.nan, 40.0], "n": [50, 60]})
    p = protect(t, totals=None)
    assert flags(p, "median_days") == ["", ""]
    assert p.display()["Median (dagar)"].tolist() == ["..", "40"]
    assert p.footnotes() == [".. Uppgift saknas eller kan inte beräknas."]


def test_symbols_are_distinct_and_footnotes_list_the_reasons_used() -> None:
    assert len(set(SYMBOLS.values()) | {disclosure.MISSING_SYMBOL}) == len(SYMBOLS) + 1
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF"],
            "n_withdrawn": [3, 8, 12],
            "median_days": [20.0, 30.0, 40.0],
            "n": [8, 50, 60],
        }
    )
    p = protect(t)
    used = {f for f in p.flags.to_numpy().ravel() if f}
    assert used == {"small_count", "secondary", "small_n"}
    sv = p.footnotes()
    assert len(sv) == 3
    assert sv[0] == "<5 Färre än 5 (1–4): det exakta antalet visas inte."
    assert sv[1].startswith(SMALL_N + " ") and "10 observationer" in sv[1]
    assert sv[2].startswith(SEC + " ")
    en = p.footnotes("en")
    assert en[0] == "<5 Fewer than 5 (1–4): the exact number is not shown."
    assert protect(pd.DataFrame({"gender": ["woman"], "n": [30]})).footnotes() == []


def test_to_html_is_a_print_friendly_table_with_footnotes() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n_withdrawn": [3, 8, 12], "n": [40, 50, 60]})
    page = protect(t).to_html(caption="Återtagna <ansökningar>")
    assert page.count("<table") == 1 and "<thead>" in page and "<tbody>" in page
    assert "<th" in page and "Antal återtagna ansökningar" in page
    assert "&lt;5" in page and SEC in page  # escaped "<5"
    assert "Återtagna &lt;ansökningar&gt;" in page
    assert "Färre än 5" in page and "pe-footnote" in page
    assert "Socialförvaltningen" in page
    assert "<td" in page and ">0<" not in page.split("<tbody>")[1].split("</tr>")[0]  # no index column
    assert "http" not in page and "<script" not in page
    assert "Fewer than 5" in protect(t).to_html("en")


def test_footnote_texts_cover_every_reason_and_follow_the_thresholds() -> None:
    """The footnotes live in pilot_eval.texts.disclosure: one (sv, en) pair per reason and
    for missing values, with the same placeholders, filled from the table's thresholds."""
    import string

    from pilot_eval.texts.disclosure import FOOTNOTES

    assert set(FOOTNOTES) == {*disclosure.REASONS, "missing"}
    for reason, (sv, en) in FOOTNOTES.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (sv, en)]
        assert fields[0] == fields[1], reason
        assert "symbol" in fields[0], reason
    t = pd.DataFrame({"role_group": ["teacher", "manager"], "n": [2, 0], "median_days": [30.0, 20.0]})
    p = protect(t, totals=None, thresholds=Thresholds(min_count=7, min_duration_n=12))
    assert p.footnotes("sv") == [
        "<7 Färre än 7 (1–6): det exakta antalet visas inte.",
        SMALL_N + " Visas inte: värdet bygger på färre än 12 observationer.",
    ]
    with pytest.raises(ValueError, match="lang must be 'sv' or 'en', not 'de'"):
        p.footnotes("de")
    with pytest.raises(ValueError, match="lang must be 'sv' or 'en'"):
        p.to_html("SV")


# --------------------------------------------------------------------------- properties

TOTAL = "Totalt"


def lines_ok(table: pd.DataFrame, p: ProtectedTable, group: list[str], totals, count_cols=("n",)) -> bool:
    """The rule of §7 checked from scratch: along each group column, for every combination
    of the others, the cells that add up to a known total (a total row, or with
    ``totals="auto"`` a margin published elsewhere) have 0 or at least 2 hidden non-zero
    cells. A line with a single non-zero cell is exempt when its total is not a row of
    the table: that cell is the published margin itself."""
    hidden = p.flags != ""
    for col in count_cols:
        for g in group:
            others = [h for h in group if h != g]
            buckets = table.groupby(others, dropna=False).groups.values() if others else [table.index]
            for idx in buckets:
                sub = table.loc[idx]
                is_total = sub[g] == TOTAL
                nonzero = sub[col] != 0
                n_hidden = int((hidden.loc[idx, col] & nonzero).sum())
                if is_total.any():
                    if n_hidden == 1:
                        return False
                elif totals == "auto" and int(nonzero.sum()) >= 2 and n_hidden == 1:
                    return False
    return True


def attacker_ranges(
    table: pd.DataFrame,
    p: ProtectedTable,
    group: list[str],
    totals,
    count_cols=("n",),
    relations: Sequence[tuple[str, Sequence[str]]] = (),
    min_count: int = 5,
) -> dict[tuple[int, str], tuple[float, float]]:
    """What a reader can work out about each withheld count, written from the rules (not
    from the implementation): the smallest and the largest value consistent with

    * the published counts;
    * every line total: along each group column, for every combination of the others,
      the cells add up to the row with the total value; with ``totals="auto"`` a line
      without one adds up to a margin published elsewhere, exactly, or known as 1–4
      where it is itself a small count;
    * ``relations`` within every row (``("n", ["n_a", "n_b"])``: n = n_a + n_b);
    * what the symbols say: "<5" is 1–4, "..‡" at least 5 (zeros are never withheld,
      and 1–4 would show as "<5").

    Integrality is ignored (the linear relaxation, scipy's HiGHS). Keys are (row position,
    column)."""
    from scipy.optimize import linprog

    table = table.reset_index(drop=True)
    flag = p.flags.reset_index(drop=True)
    cells = [(i, c) for i in range(len(table)) for c in count_cols]
    value = {cell: float(table.at[cell[0], cell[1]]) for cell in cells}
    withheld = [cell for cell in cells if flag.at[cell[0], cell[1]] != ""]
    var = {cell: k for k, cell in enumerate(withheld)}
    constraints: list[tuple[dict, float, float]] = []
    for col in count_cols:
        for g in group:
            others = [h for h in group if h != g]
            buckets = (
                table.groupby(others, dropna=False, sort=False).indices.values() if others else [np.arange(len(table))]
            )
            for idx in buckets:
                parts = [int(i) for i in idx if table.at[int(i), g] != TOTAL]
                tots = [int(i) for i in idx if table.at[int(i), g] == TOTAL]
                for k in tots:
                    constraints.append(({**{(i, col): 1.0 for i in parts}, (k, col): -1.0}, 0.0, 0.0))
                if not tots and totals == "auto" and len(parts) >= 2:
                    margin = sum(value[(i, col)] for i in parts)
                    if margin > 0:
                        low, high = (1.0, min_count - 1.0) if margin < min_count else (margin, margin)
                        constraints.append(({(i, col): 1.0 for i in parts}, low, high))
    for total, parts in relations:
        for i in range(len(table)):
            constraints.append(({**{(i, q): 1.0 for q in parts}, (i, total): -1.0}, 0.0, 0.0))
    A_eq, b_eq, A_ub, b_ub = [], [], [], []
    for coefs, low, high in constraints:
        row = np.zeros(len(withheld))
        const = 0.0
        for cell, a in coefs.items():
            if cell in var:
                row[var[cell]] += a
            else:
                const += a * value[cell]
        if not row.any():
            assert low - 1e-9 <= const <= high + 1e-9  # the published cells agree
            continue
        if low == high:
            A_eq.append(row)
            b_eq.append(low - const)
        else:
            A_ub.extend([row, -row])
            b_ub.extend([high - const, const - low])
    bounds = [
        (1.0, min_count - 1.0) if flag.at[i, c] == "small_count" else (float(min_count), None) for i, c in withheld
    ]
    linked = np.zeros(len(withheld), dtype=bool)
    for row in A_eq + A_ub:
        linked |= row != 0
    out = {}
    for cell, k in var.items():
        if not linked[k]:  # in no line with a known total: its symbol's range
            out[cell] = (bounds[k][0], np.inf if bounds[k][1] is None else bounds[k][1])
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(withheld))
            objective[k] = sign
            res = linprog(
                objective,
                A_eq=np.array(A_eq) if A_eq else None,
                b_eq=b_eq or None,
                A_ub=np.array(A_ub) if A_ub else None,
                b_ub=b_ub or None,
                bounds=bounds,
                method="highs",
            )
            assert res.status in (0, 3), res.message  # 3: unbounded
            ends.append(res.x[k] if res.status == 0 else sign * -np.inf)
        out[cell] = (ends[0], ends[1])
        assert ends[0] - 1e-6 <= value[cell] <= ends[1] + 1e-6  # the true table is a solution
    return out


def narrow_cells(
    table: pd.DataFrame, p: ProtectedTable, group: list[str], totals, count_cols=("n",), relations=()
) -> list[tuple[int, str, float]]:
    """Withheld counts a reader can narrow down more than the documented protection allows:
    to a range narrower than max(1, protection_width), or for a "<5" cell than its 1–4."""
    width = max(1.0, Thresholds().protection_width)
    out = []
    for (i, col), (low, high) in attacker_ranges(table, p, group, totals, count_cols, relations).items():
        need = min(width, 3.0) if p.flags[col].iloc[i] == "small_count" else width
        if high - low < need - 1e-6:
            out.append((i, col, high - low))
    return out


def noted(p: ProtectedTable, table: pd.DataFrame, group: list[str], i: int, col: str) -> bool:
    """Whether a note names the cell (withheld but given back by a margin, or not
    protectable from within the table)."""
    where = ", ".join(f"{g}={table[g].iloc[i]!r}" for g in group)
    return any(note.startswith(f"{col} at {where} ") for note in p.notes)


COUNT = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60))


@st.composite
def count_tables(draw) -> tuple[pd.DataFrame, list[str], object]:
    k = draw(st.integers(1, 3))
    group = [f"g{i}" for i in range(k)]
    levels = [[f"v{i}{j}" for j in range(draw(st.integers(1, 4)))] for i in range(k)]
    cells = list(itertools.product(*levels))
    keep = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    cells = [c for c, kept in zip(cells, keep, strict=True) if kept] or cells[:1]
    base = pd.DataFrame(cells, columns=group)
    base["n"] = draw(st.lists(COUNT, min_size=len(base), max_size=len(base)))
    base["n_x"] = draw(st.lists(COUNT, min_size=len(base), max_size=len(base)))
    with_total = [g for g in group if draw(st.booleans())]
    parts = [base]
    for r in range(1, len(with_total) + 1):
        for subset in itertools.combinations(with_total, r):
            rest = [g for g in group if g not in subset]
            if rest:
                margin = base.groupby(rest, as_index=False)[["n", "n_x"]].sum()
            else:
                margin = base[["n", "n_x"]].sum().to_frame().T
            for g in subset:
                margin[g] = TOTAL
            parts.append(margin[group + ["n", "n_x"]])
    table = pd.concat(parts, ignore_index=True)
    table["x_rate"] = table["n_x"] / table["n"].where(table["n"] > 0)
    table = table.sample(frac=1, random_state=draw(st.integers(0, 10_000))).reset_index(drop=True)
    totals = draw(st.sampled_from(["auto", None]))
    return table, group, totals


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_properties_of_protected_count_tables(case) -> None:
    table, group, totals = case
    p = protect(table, totals=totals, rates={"x_rate": ("n_x", "n")})
    assert p.group_columns == group
    shown = p.display(labels=False)
    # (1) no count column shows a number between 1 and 4
    for col in ("n", "n_x"):
        for cell in shown[col]:
            assert not re.fullmatch(r"[1-4]", cell), (col, cell)
            if re.fullmatch(r"[0-9]+", cell):
                assert int(cell) == 0 or int(cell) >= 5
    # (2) no withheld count can be worked out, or narrowed down below the documented
    # protection, from the published counts, the totals and the symbols (an independent
    # linear program), unless a note says so
    for i, col, width in narrow_cells(table, p, group, totals, count_cols=("n", "n_x")):
        assert noted(p, table, group, i, col), (i, col, width, p.notes)
    # (3) values is NaN exactly where a flag is set (x_rate is missing where n is 0)
    for col in ("n", "n_x"):
        assert (p.values[col].isna() == (p.flags[col] != "")).all()
    assert (p.values["x_rate"].isna() == ((p.flags["x_rate"] != "") | table["x_rate"].isna())).all()
    # (4) a rate is never shown when its numerator (or denominator) is hidden
    hidden_num = p.flags["n_x"] != ""
    hidden_den = p.flags["n"] != ""
    assert (p.flags["x_rate"][hidden_num | hidden_den] != "").all()
    assert not shown["x_rate"][hidden_num].str.contains(r"\d%?$").any()
    assert (p.flags["x_rate"][table["n"] < 10] != "").all()
    # counts shown are the input's
    for col in ("n", "n_x"):
        ok = p.flags[col] == ""
        assert (p.values.loc[ok, col] == table.loc[ok, col]).all()


@settings(max_examples=60, deadline=None)
@given(count_tables())
def test_secondary_cells_given_back_by_a_published_margin_are_reported(case) -> None:
    """With ``totals="auto"``, a withheld cell that is the only non-zero cell of a line
    without a total row equals that line's published margin; if such a cell was
    withheld only to protect another, a note must say so."""
    table, group, _ = case
    p = protect(table, totals="auto", rates={"x_rate": ("n_x", "n")})
    for col in ("n", "n_x"):
        for g in group:
            others = [h for h in group if h != g]
            buckets = table.groupby(others, dropna=False).groups.values() if others else [table.index]
            for idx in buckets:
                sub = table.loc[idx]
                if (sub[g] == TOTAL).any() or len(sub) < 2:
                    continue
                nonzero = sub.index[sub[col] != 0]
                if len(nonzero) == 1 and p.flags.loc[nonzero[0], col] == "secondary":
                    assert any(col in note and "assumed published" in note for note in p.notes)


@st.composite
def two_way_tables(draw) -> tuple[pd.DataFrame, object]:
    """administration × gender counts n_a and n_b with n = n_a + n_b, total rows one or
    both ways (or none), and two rates whose numerator is not in the table: y_rate =
    y / n and a Kaplan–Meier-like share filled_within_90 (y / n less a little)."""
    n_rows, n_cols = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    admins = [f"A{i}" for i in range(n_rows)]
    genders = [f"G{j}" for j in range(n_cols)]
    size = n_rows * n_cols
    a = np.array(draw(st.lists(COUNT, min_size=size, max_size=size))).reshape(n_rows, n_cols)
    b = np.array(draw(st.lists(COUNT, min_size=size, max_size=size))).reshape(n_rows, n_cols)
    row_totals, col_totals = draw(st.booleans()), draw(st.booleans())
    records = []
    for i in range(n_rows + row_totals):
        for j in range(n_cols + col_totals):
            rows = slice(None) if i == n_rows else slice(i, i + 1)
            cols = slice(None) if j == n_cols else slice(j, j + 1)
            records.append(
                {
                    "administration": admins[i] if i < n_rows else TOTAL,
                    "gender": genders[j] if j < n_cols else TOTAL,
                    "n_a": int(a[rows, cols].sum()),
                    "n_b": int(b[rows, cols].sum()),
                }
            )
    table = pd.DataFrame(records)
    table["n"] = table["n_a"] + table["n_b"]
    y = np.array([draw(st.integers(0, int(n))) for n in table["n"]])
    table["y_rate"] = y / table["n"].where(table["n"] > 0)
    table["filled_within_90"] = (y - 0.3 * (y > 0)) / table["n"].where(table["n"] > 0)
    table = table.sample(frac=1, random_state=draw(st.integers(0, 10_000))).reset_index(drop=True)
    return table, draw(st.sampled_from(["auto", None]))


@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables())
def test_no_withheld_count_can_be_worked_out_from_a_two_way_table(case) -> None:
    """Random two-way count tables with total rows and columns: after protect() an
    independent linear program over the published cells, the totals (rows, columns and
    n = n_a + n_b) and the symbols' bounds finds no withheld count it can pin down (or
    narrow below the documented protection) that no note reports; and no rate implies a
    count of 1–4."""
    table, totals = case
    group = ["administration", "gender"]
    p = protect(table, totals=totals, rates={"y_rate": (None, "n")})
    assert p.group_columns == group
    counts = ("n_a", "n_b", "n")
    for i, col, width in narrow_cells(table, p, group, totals, count_cols=counts, relations=[("n", ["n_a", "n_b"])]):
        assert noted(p, table, group, i, col), (i, col, width, p.notes)
    shown = p.display(labels=False)
    for col in counts:
        assert not shown[col].str.fullmatch(r"[1-4]").any()
    for rate in ("y_rate", "filled_within_90"):
        visible = (p.flags[rate] == "") & table[rate].notna()
        implied = (table.loc[visible, rate] * table.loc[visible, "n"]).to_numpy()
        assert not ((implied > 1e-9) & (implied < 5 - 1e-9)).any(), (rate, implied)
        # and never with a withheld denominator
        assert (p.flags.loc[p.flags["n"] != "", rate] != "").all()


def test_protect_refuses_check_outcomes() -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]})
    with pytest.raises(ValueError, match="protect_check_outcomes"):
        protect(t)
