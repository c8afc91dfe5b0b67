"""Tests of statistical disclosure control (pilot_eval.disclosure), DESIGN.md §7.

Hand-built tables have their answer worked out in the test; the property tests check
the rules on random tidy count tables with a checker written from the rules, not from
the implementation.
"""

from __future__ import annotations

import doctest
import itertools
import re

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
    protect,
    protect_check_outcomes,
)

NBSP = "\u00a0"
SEC, SMALL_DEN, SMALL_N, CHECK = (SYMBOLS[k] for k in ("secondary", "small_denominator", "small_n",
                                                         "check_outcome"))


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
    t = pd.DataFrame({"role_group": ["teacher", "manager", "childminder", "social_worker", "technical"],
                      "n": [0, 1, 4, 5, 12]})
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
    assert any("vacant_posts" in note for note in protect(t, totals=None).notes)   # shown, but said


# --------------------------------------------------------------------------- rates

def test_rate_needs_denominator_and_shown_numerator() -> None:
    t = pd.DataFrame({
        "administration": ["SOF", "UBF", "KOF", "VOF"],
        "n_withdrawn_late": [3, 6, 2, 8],
        "n_reached_interview": [40, 9, 60, 80],
        "late_withdrawal_rate": [3 / 40, 6 / 9, 2 / 60, 8 / 80],
        "n": [40, 9, 60, 80],
    })
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
    t = pd.DataFrame({"arm": ["pilot", "comparison", "Totalt"], "filled_within_90": [0.6, 0.7, 0.65],
                      "n": [3, 40, 43]})
    p = protect(t)
    assert flags(p, "n") == ["small_count", "secondary", ""]
    assert flags(p, "filled_within_90") == ["small_denominator", "secondary", ""]


def test_explicit_rate_spec_and_summed_denominator() -> None:
    # acceptance_rate = accepted / (accepted + declined): 8 decided offers of 30 is too few
    t = pd.DataFrame({"age_band": ["u25", "25_34"], "n_offers": [30, 30], "n_accepted": [6, 20],
                      "n_declined": [2, 9], "n_pending": [22, 1], "acceptance_rate": [0.75, 20 / 29], "n": [30, 30]})
    p = protect(t, totals=None, row_totals=None)
    assert flags(p, "acceptance_rate")[0] == "small_denominator"   # 6 + 2 = 8 < 10
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
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n_vacancies": [8, 20], "n_applications": [40, 3],
                      "applicants_per_vacancy": [5.0, 0.15], "n": [8, 20]})
    p = protect(t, totals=None, row_totals=None)
    assert flags(p, "applicants_per_vacancy") == ["small_denominator", "secondary"]
    assert p.column_kinds["applicants_per_vacancy"] == "ratio"


# --------------------------------------------------------------------------- durations, min/max

def test_durations_need_n_of_10_and_minmax_are_dropped() -> None:
    t = pd.DataFrame({
        "check_type": ["court_records", "court_and_credit", "register_school"],
        "median_days": [5.0, 9.0, 3.5],
        "q25_days": [3.0, 6.0, 2.0],
        "min_days": [1, 2, 0],
        "max_days": [40, 33, 12],
        "days_minimum": [1, 1, 1],
        "rmst_90": [6.2, 9.1, 3.9],
        "n": [10, 9, 250],
    })
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
    t = pd.DataFrame({"arm": ["pilot", "comparison"], "median_days": [40.0, 50.0], "n_filled": [8, 30],
                      "n": [50, 60]})
    assert flags(protect(t, totals=None), "median_days") == ["", ""]
    p = protect(t, totals=None, durations={"median_days": "n_filled"})
    assert flags(p, "median_days") == ["small_n", ""]


# --------------------------------------------------------------------------- secondary, 1-D

def test_secondary_with_a_total_row() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"],
                      "n_withdrawn": [3, 8, 12, 23], "n": [40, 50, 60, 150]})
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
    assert flags(protect(t2, totals=None), "n") == ["small_count", "", ""]         # not known as a total
    assert flags(protect(t2, totals=["Botkyrka"]), "n") == ["small_count", "secondary", ""]


def test_a_total_equal_to_a_single_hidden_part_is_hidden() -> None:
    t = pd.DataFrame({"gender": ["woman", "man", "Totalt"], "n": [3, 0, 3]})
    assert flags(protect(t, totals=None), "n") == ["small_count", "", "small_count"]
    #            woman  man  Totalt
    #   SOF        3    20     23
    #   UBF        7     0      7     <- 7 is hidden for the woman column (3 + 7 = 10),
    #   Totalt    10    20     30        so the row total 7 must go too
    rows = [("SOF", "woman", 3), ("SOF", "man", 20), ("SOF", "Totalt", 23),
            ("UBF", "woman", 7), ("UBF", "man", 0), ("UBF", "Totalt", 7),
            ("Totalt", "woman", 10), ("Totalt", "man", 20), ("Totalt", "Totalt", 30)]
    t = pd.DataFrame(rows, columns=["administration", "gender", "n"])
    p = protect(t, totals=None)
    assert flags(p, "n")[3] == "secondary" and flags(p, "n")[5] == "secondary"
    assert flags(p, "n")[4] == ""                      # zeros are never hidden
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
    t = pd.DataFrame({"stage": [0, 1, 2], "stage_name": ["received", "screened", "interview"],
                      "n_withdrawn": [20, 3, 9], "n": [100, 80, 30]})
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
    t = pd.DataFrame({"administration": ["SOF", "SOF", "UBF", "UBF", "KOF", "KOF"],
                      "gender": ["woman", "man"] * 3, "n": [20, 3, 30, 40, 6, 7]})
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
    rows = [("SOF", "woman", 20), ("SOF", "man", 3), ("SOF", "Totalt", 23),
            ("UBF", "woman", 30), ("UBF", "man", 40), ("UBF", "Totalt", 70),
            ("Totalt", "woman", 50), ("Totalt", "man", 43), ("Totalt", "Totalt", 93)]
    t = pd.DataFrame(rows, columns=["administration", "gender", "n"])
    for totals in (None, "auto"):
        p = protect(t, totals=totals)
        assert flags(p, "n") == ["secondary", "small_count", "", "secondary", "secondary", "", "", "", ""]
        assert lines_ok(t, p, ["administration", "gender"], totals)


def test_propagation_to_rates() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"],
                      "n_withdrawn": [3, 8, 12, 23], "n_reached": [40, 50, 60, 150],
                      "rate": [3 / 40, 8 / 50, 12 / 60, 23 / 150], "n": [40, 50, 60, 150]})
    p = protect(t)
    assert flags(p, "n_withdrawn") == ["small_count", "secondary", "", ""]
    # 8 is hidden: 0.16 × 50 would give it back
    assert flags(p, "rate") == ["secondary", "secondary", "", ""]
    assert p.display()["Andel"].tolist() == [SEC, SEC, f"20{NBSP}%", f"15{NBSP}%"]


def test_row_totals_are_lines_too() -> None:
    # time to fill: n = n_filled + n_competing + n_censored
    t = pd.DataFrame({"administration": ["SOF"], "n_filled": [20], "n_competing": [3], "n_censored": [7],
                      "n": [30], "median_days": [45.0]})
    p = protect(t)
    assert flags(p, "n_competing") == ["small_count"]
    assert flags(p, "n_censored") == ["secondary"]          # 30 − 20 − 7 would give 3 back
    assert flags(p, "n_filled") == [""] and flags(p, "n") == [""]
    assert any("n = n_filled + n_competing + n_censored" in note for note in p.notes)
    assert flags(protect(t, row_totals=None), "n_censored") == [""]
    # equal columns (n and n_checks) are hidden together
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n_checks": [3, 12, 30], "n": [3, 12, 30]})
    p = protect(t)
    assert flags(p, "n_checks") == flags(p, "n") == ["small_count", "secondary", ""]


# --------------------------------------------------------------------------- equality

def test_ratio_to_best_and_flag_follow_hidden_rates() -> None:
    # the best (lowest withdrawal rate) group is woman: 2/60, hidden (numerator 2);
    # man's ratio 0.0333 / 0.1 would give the best rate and so its count back
    t = pd.DataFrame({"dimension": ["gender"] * 3, "group": ["woman", "man", "other_unknown"],
                      "numerator": [2, 7, 6], "denominator": [60, 70, 30],
                      "rate": [2 / 60, 0.1, 0.2], "ratio_to_best": [1.0, 1 / 3, 1 / 6],
                      "four_fifths_flag": pd.array([False, True, True], dtype="boolean"),
                      "n": [60, 70, 30]})
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
        for outcome, n in zip(OUTCOMES, counts):
            rows.append({**dict(zip(columns, key)), "outcome": outcome, "n": n})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("column", ["gender", "role_group", "check_type", "age_band", "period"])
def test_check_outcomes_refuse_finer_levels(column: str) -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]}).assign(**{column: "x"})
    with pytest.raises(ValueError, match=f"column '{column}'"):
        protect_check_outcomes(t)


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
    assert p.display()["Utfall"].tolist() == ["Godkänd", "Anmärkning, inget hinder",
                                               "Anmärkning, hinder för anställning"]
    assert any("minst 10 kontroller och minst 5 i varje utfall" in f for f in p.footnotes())


def test_check_outcomes_category_rule_and_missing_category() -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 5], ("UBF", 2024): [80, 12, 4], ("KOF", 2024): [60, 9, 6]},
                      ).iloc[:-1]  # KOF has no remark_obstacle row at all: it counts as 0
    p = protect_check_outcomes(t, totals=None)
    assert flags(p, "n") == [""] * 3 + ["check_outcome"] * 3 + ["check_outcome"] * 2
    assert_consistent(p)


def test_check_outcomes_total_threshold() -> None:
    t = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "outcome": ["cleared", "remark", "cleared", "remark"],
                      "n": [10, 10, 8, 6]})
    p = protect_check_outcomes(t, totals=None, thresholds=Thresholds(min_check_total=15))
    assert flags(p, "n") == ["", "", "check_outcome", "check_outcome"]     # 14 < 15


def test_check_outcomes_secondary_between_levels() -> None:
    # administration × year, SOF 2024 fails (3 < 5). With every margin published the line
    # SOF (2023, 2024), the line 2024 (SOF, UBF) and then the others each need a second
    # withheld level: all four go.
    t = outcome_table({("SOF", 2023): [50, 10, 8], ("UBF", 2023): [100, 12, 6],
                       ("SOF", 2024): [40, 7, 3], ("UBF", 2024): [90, 9, 7]})
    p = protect_check_outcomes(t)
    expected = ["secondary"] * 6 + ["check_outcome"] * 3 + ["secondary"] * 3
    assert flags(p, "n") == expected
    assert set(p.display()["Antal"].tolist()) == {SEC, CHECK}
    q = protect_check_outcomes(t, totals=None)
    assert flags(q, "n") == [""] * 6 + ["check_outcome"] * 3 + [""] * 3


# --------------------------------------------------------------------------- display

def test_display_swedish_format_and_symbols() -> None:
    t = pd.DataFrame({
        "administration": ["UBF", "SOF", "KOF", "VOF"],
        "n_vacancies": [1234, 3, 40, 0],
        "median_days": [12.5, 30.0, 41.25, np.nan],
        "filled_within_90": [0.125, 0.5, 0.75, np.nan],
        "n": [1234, 3, 40, 0],
    })
    p = protect(t, totals=None)
    sv = p.display()
    assert list(sv.columns) == ["Förvaltning", "Antal rekryteringar", "Median (dagar)",
                                "Andel tillsatta inom 90 dagar", "Antal"]
    assert sv["Förvaltning"].tolist() == ["Utbildningsförvaltningen", "Socialförvaltningen",
                                          "Kultur- och fritidsförvaltningen", "Vård- och omsorgsförvaltningen"]
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
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n_withdrawn": [3, 8, 12],
                      "median_days": [20.0, 30.0, 40.0], "n": [8, 50, 60]})
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
    assert "&lt;5" in page and SEC in page                      # escaped "<5"
    assert "Återtagna &lt;ansökningar&gt;" in page
    assert "Färre än 5" in page and "pe-footnote" in page
    assert "Socialförvaltningen" in page
    assert "<td" in page and ">0<" not in page.split("<tbody>")[1].split("</tr>")[0]  # no index column
    assert "http" not in page and "<script" not in page
    assert "Fewer than 5" in protect(t).to_html("en")


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


COUNT = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60))


@st.composite
def count_tables(draw) -> tuple[pd.DataFrame, list[str], object]:
    k = draw(st.integers(1, 3))
    group = [f"g{i}" for i in range(k)]
    levels = [[f"v{i}{j}" for j in range(draw(st.integers(1, 4)))] for i in range(k)]
    cells = list(itertools.product(*levels))
    keep = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    cells = [c for c, kept in zip(cells, keep) if kept] or cells[:1]
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    # (2) no hidden count can be recomputed from a line and its total
    assert lines_ok(table, p, group, totals, count_cols=("n", "n_x"))
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


def test_protect_refuses_check_outcomes() -> None:
    t = outcome_table({("SOF", 2024): [50, 10, 8]})
    with pytest.raises(ValueError, match="protect_check_outcomes"):
        protect(t)
