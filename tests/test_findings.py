"""The politicians' summary in plain words: pilot_eval.report.findings."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from pilot_eval.measures.coverage import PilotCoverage
from pilot_eval.report import findings as F
from pilot_eval.report.findings import (
    Finding,
    cannot_tell,
    describe_effect,
    methods_note,
    summarise,
    what_was_done,
)

NBSP = "\u00a0"
MINUS = "\u2212"
#: Words a plain-language summary must not use (jargon, or claims the design cannot back).
FORBIDDEN = (
    "signifikant",
    "konfidensintervall",
    "bevisar",
    "p-värde",
    "sannolikheten att",
    "significant",
    "confidence interval",
    "proves",
    "p-value",
    "probability that",
)


def row(outcome="late_withdrawal", estimate=0.025, low=-0.01, high=0.06, p=0.2, term="during", **extra):
    return {
        "outcome": outcome,
        "term": term,
        "estimate": estimate,
        "std_error": float("nan"),
        "conf_low": low,
        "conf_high": high,
        "p_value": p,
        "n": 1000,
        "method": "did_fixed_effects",
        "inference": "randomization_inference",
        "headline": True,
        **extra,
    }


def all_text(f: Finding) -> str:
    return f.to_markdown()


def assert_plain(text: str) -> None:
    low = text.lower()
    for word in FORBIDDEN:
        assert word not in low, f"{word!r} in {text!r}"


# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    "estimate, low, high, p, fwer, verdict",
    [
        (0.025, -0.01, 0.06, 0.2, 0.5, "no_clear_difference"),
        (-0.025, -0.06, 0.01, 0.2, 0.5, "no_clear_difference"),
        (0.03, 0.0, 0.06, 0.05, 0.2, "no_clear_difference"),  # a bound exactly at zero: zero is in the interval
        (0.04, 0.01, 0.07, 0.036, 0.036, "clear_increase"),
        (-0.04, -0.07, -0.01, 0.018, 0.04, "clear_decrease"),
        (0.04, 0.01, 0.07, 0.036, 0.11, "no_clear_difference"),  # alone below 5 %, not in the family
        (0.04, 0.01, 0.07, 0.036, float("nan"), "clear_increase"),  # no family: its own p-value
    ],
)
def test_verdict_follows_the_family_wise_p_value_and_the_interval(estimate, low, high, p, fwer, verdict):
    f = describe_effect(row(estimate=estimate, low=low, high=high, p=p, p_value_fwer=fwer), family=6)
    assert f.verdict == verdict
    assert (
        f.tag
        == {
            "no_clear_difference": "ingen säkerställd skillnad",
            "clear_increase": "tydlig ökning",
            "clear_decrease": "tydlig minskning",
        }[verdict]
    )
    assert_plain(all_text(f))


def test_a_rejecting_pre_test_makes_any_result_uncertain():
    f = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.018, p_value_fwer=0.02), pretrend_p_value=0.009)
    assert f.verdict == "differed_before" and f.for_recruitment is None
    assert f.tag == "osäkert: grupperna skilde sig redan före piloten"
    assert "utvecklades olika redan före piloten" in f.uncertainty
    assert "troligen" not in f.uncertainty
    passed = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.018, p_value_fwer=0.02), pretrend_p_value=0.4)
    assert passed.verdict == "clear_increase"
    en = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.018), pretrend_p_value=0.01, lang="en")
    assert en.tag.startswith("uncertain") and "before the pilot" in en.uncertainty


def test_no_clear_difference_says_what_the_interval_holds_without_double_negatives():
    f = describe_effect(row(estimate=0.025, low=-0.01, high=0.06))
    assert f.verdict == "no_clear_difference" and f.for_recruitment is None
    assert "ingen säkerställd skillnad" in f.uncertainty
    assert f"en minskning på upp till 1,0{NBSP}procentenheter" in f.uncertainty
    assert f"en ökning på upp till 6,0{NBSP}procentenheter" in f.uncertainty
    assert f"från {MINUS}1,0 till 6,0{NBSP}procentenheter" in f.uncertainty
    assert "inte utesluta" not in f.to_markdown() and "inte hade någon" not in f.to_markdown()
    assert "3 av 8" in f.detail  # an interval that contains zero is wide


def test_not_clear_in_the_family_says_why():
    f = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.036, p_value_fwer=0.11), family=6)
    assert "prövar sex effekter samtidigt" in f.uncertainty and "slumpen" in f.uncertainty
    assert "ingen säkerställd skillnad" in f.uncertainty


def test_clear_effects_say_good_or_bad_for_recruitment_and_the_breakdown():
    up = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.036, p_value_fwer=0.04), family=6, breakdown=1.5)
    assert up.verdict == "clear_increase"
    assert "troligen" in up.uncertainty and "sex effekter samtidigt" in up.uncertainty
    assert "fler sökande återtog sin ansökan" in up.uncertainty
    assert up.for_recruitment == "worse" and "försvårar rekryteringen" in up.uncertainty
    assert "högre" in up.headline
    assert "högst 1,5 gånger så stor" in up.detail
    fragile = describe_effect(row(estimate=0.04, low=0.01, high=0.07, p=0.036), breakdown=0.0)
    assert "helt lika" in fragile.detail
    unsure = describe_effect(row(estimate=0.025, low=-0.01, high=0.06), breakdown=0.0)
    assert unsure.detail is None or "gånger" not in unsure.detail  # no breakdown sentence without a clear change
    down = describe_effect(row(outcome="days_to_fill", estimate=-8.0, low=-12.0, high=-4.0, p=0.036))
    assert down.verdict == "clear_decrease" and down.for_recruitment == "better"
    assert "kortare tid" in down.headline and "underlättar rekryteringen" in down.uncertainty
    # a fall in applicants is bad for recruitment, a rise in acceptance good
    fewer = describe_effect(row(outcome="applicants_per_vacancy", estimate=-3, low=-5, high=-1, p=0.02))
    assert fewer.for_recruitment == "worse"
    accepted = describe_effect(row(outcome="offer_acceptance", estimate=0.05, low=0.02, high=0.08, p=0.02))
    assert accepted.for_recruitment == "better"


def test_a_poisson_row_is_said_as_a_percentage():
    f = describe_effect(
        row(
            outcome="qualified_applicants_per_vacancy",
            estimate=-0.12,
            low=-0.2,
            high=-0.05,
            p=0.018,
            method="poisson_fixed_effects",
        )
    )
    assert f.unit == "percent" and f.estimate == pytest.approx(-12)
    assert f"12{NBSP}% färre behöriga sökande" in f.headline
    assert f"till {MINUS}5{NBSP}%" in f.uncertainty
    en = describe_effect(
        row(outcome="applicants_per_vacancy", estimate=0.1, low=-0.1, high=0.3, scale="ratio"), lang="en"
    )
    assert "10% more applicants" in en.headline.replace(NBSP, " ")


def test_three_of_eight_at_the_p_value_floor_or_when_wide_only():
    floor = describe_effect(row(estimate=0.10, low=0.08, high=0.12, p=1 / 56))
    assert "3 av 8" in floor.detail and "55 andra" in floor.detail
    narrow = describe_effect(row(estimate=0.10, low=0.08, high=0.12, p=0.036))
    assert narrow.detail is None
    wide = describe_effect(row(estimate=0.10, low=0.02, high=0.25, p=0.036))
    assert "Osäkerheten är stor eftersom bara 3 av 8" in wide.detail


def test_unbounded_interval():
    f = describe_effect(row(outcome="register_check_days", estimate=1.2, low=-0.5, high=math.inf, p=0.25))
    assert f.verdict == "no_clear_difference"
    assert "ingen övre gräns" in f.uncertainty and "en ökning av vilken storlek som helst" in f.uncertainty
    assert "3 av 8" in f.detail
    both = describe_effect(row(outcome="register_check_days", estimate=1.2, low=-math.inf, high=math.inf))
    assert "inte sätter någon gräns" in both.uncertainty


# --------------------------------------------------------------------------- numbers and units


@pytest.mark.parametrize(
    "outcome, unit, scale",
    [
        ("filled_within_60", "pp", 100),
        ("filled_within_90", "pp", 100),
        ("late_withdrawal", "pp", 100),
        ("offer_acceptance", "pp", 100),
        ("days_unfilled_90", "days", 1),
        ("register_check_days", "days", 1),
        ("applicants_per_vacancy", "count", 1),
        ("qualified_applicants_per_vacancy", "count", 1),
    ],
)
def test_units_per_outcome(outcome, unit, scale):
    f = describe_effect(row(outcome=outcome, estimate=0.5, low=-0.25, high=1.25))
    assert f.unit == unit
    assert f.estimate == pytest.approx(0.5 * scale)
    assert (f.conf_low, f.conf_high) == (pytest.approx(-0.25 * scale), pytest.approx(1.25 * scale))
    words = {"pp": f"{NBSP}procentenheter", "days": f"{NBSP}dagar", "count": f"{NBSP}sökande per annons"}[unit]
    assert words in f.uncertainty
    assert_plain(all_text(f))


def test_swedish_number_format_and_rounding():
    f = describe_effect(row(estimate=0.02549, low=-0.0125, high=0.0634))
    assert f"2,5{NBSP}procentenheter högre" in f.headline  # 1 decimal for percentage points
    days = describe_effect(row(outcome="days_to_fill", estimate=12.46, low=-1.04, high=25.96))
    assert f"12,5{NBSP}dagar längre tid att tillsätta" in days.headline  # 1 decimal for days
    assert f"{MINUS}1,0 till 26,0{NBSP}dagar" in days.uncertainty
    apps = describe_effect(row(outcome="qualified_applicants_per_vacancy", estimate=-1.679, low=-3.19, high=0.137))
    assert "1,68 färre behöriga sökande" in apps.headline  # 2 decimals for applicants
    big = describe_effect(row(outcome="days_to_fill", estimate=1234.0, low=-10.0, high=2500.0))
    assert f"1{NBSP}234,0{NBSP}dagar" in big.headline  # U+00A0 between thousands
    assert F.count_text(2345) == f"omkring 2{NBSP}300"


def test_a_tiny_estimate_is_said_to_be_about_zero_and_small_bounds_keep_their_sign():
    f = describe_effect(row(estimate=0.0003, low=-0.02, high=0.03))
    assert "nästan inte alls" in f.headline
    tiny = describe_effect(row(estimate=0.02, low=0.0002, high=0.04, p=0.03))
    assert tiny.verdict == "clear_increase"
    assert "från 0,02 till" in tiny.uncertainty  # never "0,0" for a bound above zero


def test_english_variant():
    f = describe_effect(row(estimate=0.025, low=-0.01, high=0.06), lang="en")
    assert f.title == "Withdrawn applications"
    assert f"2.5{NBSP}percentage points higher" in f.headline
    assert "the data show no clear difference" in f.uncertainty
    assert f"an increase of up to 6.0{NBSP}percentage points" in f.uncertainty
    assert "only 3 of the 8 administrations" in f.detail
    assert_plain(all_text(f))
    up = describe_effect(row(outcome="days_to_fill", estimate=12.49, low=5.59, high=19.61, p=1 / 56), lang="en")
    assert up.verdict == "clear_increase" and "probably" in up.uncertainty
    assert "stronger evidence" in up.detail


def test_mde_sentence():
    mde = {"mde_increase": 0.056, "mde_decrease": -0.048}
    f = describe_effect(row(), mde=mde)
    assert (
        f"Undersökningen upptäcker i 8 fall av 10 en ökning på ungefär 5,6{NBSP}procentenheter eller mer och en "
        f"minskning på ungefär 4,8{NBSP}procentenheter eller mer. Mindre effekter kan den missa."
    ) in f.detail
    assert "styrka" not in f.detail, "the power in words, not jargon"
    en = describe_effect(row(), mde=mde, lang="en")
    assert "The study detects, in 8 cases out of 10, an increase of about 5.6" in en.detail
    assert "power" not in en.detail
    other = describe_effect(row(), mde={**mde, "power": 0.85})
    assert f"i 85{NBSP}% av fallen" in other.detail
    one_way = describe_effect(
        row(outcome="days_to_fill", estimate=3, low=-2, high=8),
        mde={"mde_increase": 10.66, "mde_decrease": float("nan")},
    )
    assert f"en ökning på ungefär 10,7{NBSP}dagar eller mer" in one_way.detail
    none = describe_effect(
        row(outcome="register_check_days", estimate=1, low=-2, high=3),
        mde={"mde_increase": float("nan"), "mde_decrease": float("nan")},
    )
    assert "kan inte upptäcka en effekt av rimlig storlek" in none.detail


def test_row_from_a_series_term_checks_and_markdown():
    series = pd.Series(row(term="after", estimate=-0.01, low=-0.05, high=0.03))
    f = describe_effect(series, term="after")
    assert f.headline.startswith("Efter piloten") and f.term == "after"
    with pytest.raises(ValueError, match="term='after'"):
        describe_effect(series)
    with pytest.raises(ValueError, match="no wording"):
        describe_effect(row(outcome="nonsense"))
    md = f.to_markdown()
    assert md.startswith("### Återtagna ansökningar\n\n") and f.headline in md and f.uncertainty in md


# --------------------------------------------------------------------------- summarise


def effects_table() -> pd.DataFrame:
    rows = []
    for outcome, est in [
        ("offer_acceptance", -0.014),
        ("late_withdrawal", 0.066),
        ("days_to_fill", 12.5),
        ("days_unfilled_90", 10.0),
        ("applicants_per_vacancy", -2.0),
        ("filled_within_90", -0.18),
        ("qualified_applicants_per_vacancy", -1.68),
        ("register_check_days", 0.4),
    ]:
        for term in ("during", "after"):
            for inference, headline in (("cluster_robust", False), ("randomization_inference", True)):
                r = row(
                    outcome=outcome,
                    estimate=est if term == "during" else est / 10,
                    low=est - abs(est),
                    high=est + abs(est) * 0.5,
                    p=0.1,
                    term=term,
                )
                r.update(inference=inference, headline=headline)
                rows.append(r)
    return pd.DataFrame(rows)


def test_summarise_order_length_and_headline_rows():
    table = effects_table()
    out = summarise(table)
    assert [f.outcome for f in out] == list(F.SUMMARY_OUTCOMES)
    assert 3 <= len(out) <= 5
    assert all(f.term == "during" for f in out)
    days = out[0]
    assert days.estimate == pytest.approx(12.5)
    # skipping outcomes the table lacks
    fewer = summarise(table.loc[table["outcome"] != "late_withdrawal"])
    assert [f.outcome for f in fewer] == [o for o in F.SUMMARY_OUTCOMES if o != "late_withdrawal"]
    # never more than five
    many = summarise(table, outcomes=("register_check_days", "applicants_per_vacancy", *F.SUMMARY_OUTCOMES))
    assert len(many) == 5 and many[0].outcome == "register_check_days"
    after = summarise(table, term="after", lang="en")
    assert all(f.headline.startswith("After the pilot") for f in after)


def test_summarise_with_a_stored_mde_table():
    mde_long = pd.DataFrame(
        {
            "outcome": ["late_withdrawal", "late_withdrawal"],
            "term": ["mde_increase", "mde_decrease"],
            "estimate": [0.056, -0.048],
            "power": [0.8, 0.8],
        }
    )
    out = {f.outcome: f for f in summarise(effects_table(), mde=mde_long)}
    assert "Undersökningen upptäcker i 8 fall av 10" in out["late_withdrawal"].detail
    assert "Undersökningen" not in (out["days_to_fill"].detail or "")
    as_dict = {
        f.outcome: f
        for f in summarise(effects_table(), mde={"days_to_fill": {"mde_increase": 10.7, "mde_decrease": -8.9}})
    }
    assert f"en ökning på ungefär 10,7{NBSP}dagar eller mer" in as_dict["days_to_fill"].detail


def test_summarise_with_the_package_mde_table():
    from pilot_eval.estimate.mde import stored_mde

    out = summarise(effects_table(), mde=stored_mde())
    assert all("Undersökningen" in f.detail for f in out if f.outcome != "days_to_fill")


# --------------------------------------------------------------------------- what was done


def small_coverage() -> PilotCoverage:
    rollout = pd.DataFrame(
        {
            "administration": ["SOF", "SOF", "UBF", "KOF"],
            "role_group": ["all"] * 4,
            "scope": ["new_hires", "managers_financial", "new_hires", "new_hires"],
            "check_type": ["court_records", "court_and_credit", "court_records", "court_records"],
            "start_date": pd.to_datetime(["2023-09-15"] * 4),
            "end_date": pd.to_datetime(["2024-12-31"] * 4),
            "cohort": ["2023Q3"] * 4,
            "in_force_at_cut": [False] * 4,
            "months_in_force": [15.5] * 4,
        }
    )
    checks = pd.DataFrame(
        {
            "administration": ["SOF", "SOF", "UBF", "KOF", "UBF"],
            "check_type": ["court_records", "court_and_credit", "court_records", "court_records", "register_school"],
            "year": [2024, 2024, 2024, 2024, 2024],
            "n_checks": [2, 3, 1, 4, 2],
        }
    )
    checks["n_completed"] = checks["n_checks"]
    checks["n_pending"] = 0
    checks["n_cancelled"] = 0
    checks["n"] = checks["n_checks"]
    hires = pd.DataFrame(
        {
            "administration": ["SOF", "UBF"],
            "phase": ["during", "during"],
            "n_hires": [3, 4],
            "n_hires_with_court_check": [2, 3],
            "share_hires_checked": [2 / 3, 3 / 4],
            "n_hires_with_register_extract": [0, 2],
            "share_hires_register_extract": [0, 0.5],
            "n": [3, 4],
        }
    )
    roles = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF"],
            "role_group": ["manager", "teacher", "youth_leader"],
            "n_court_records": [0, 1, 4],
            "n_court_and_credit": [3, 0, 0],
            "in_rollout": [True] * 3,
            "n": [3, 1, 4],
        }
    )
    return PilotCoverage(rollout=rollout, checks_by_type=checks, hires_checked=hires, roles_covered=roles)


def _numbers_outside_dates(text: str) -> list[str]:
    text = re.sub(
        r"(den )?\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november"
        r"|december|January|February|March|April|May|June|July|August|September|October|November"
        r"|December) \d{4}",
        " ",
        text,
    )
    text = re.sub(r"\b(19|20)\d{2}\b", " ", text)
    return re.findall(r"\d+(?:[\u00a0,.]\d+)*", text)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_what_was_done_never_prints_counts_of_one_to_four(lang):
    text = what_was_done(small_coverage(), lang=lang)
    numbers = _numbers_outside_dates(text)
    assert not [n for n in numbers if n in ("1", "2", "3", "4")], text
    assert ("färre än 5" if lang == "sv" else "fewer than 5") in text
    # the share of hires checked has a denominator of 7 < 10: not shown
    assert "%" not in text
    assert_plain(text)


def test_what_was_done_on_demo_coverage():
    from pilot_eval.demo import generate
    from pilot_eval.measures.coverage import pilot_coverage

    t = generate(seed=7, scenario="delay", scale=0.3).tables
    cov = pilot_coverage(t["vacancies"], t["applications"], t["background_checks"], t["pilot_rollout"])
    text = what_was_done(cov)
    assert "socialförvaltningen" in text and "utbildningsförvaltningen" in text
    assert "kultur- och fritidsförvaltningen" in text
    assert "den 1 september 2023 till den 31 december 2024" in text
    assert "kreditupplysning" in text and "fördjupade kontroller" in text
    assert "Registerutdrag" in text
    numbers = _numbers_outside_dates(text)
    assert not [n for n in numbers if n in ("1", "2", "3", "4")], text
    counts = [int(n.replace(NBSP, "")) for n in numbers if n.replace(NBSP, "").isdigit()]
    big = [n for n in counts if n >= 100]
    assert all(n % 10 == 0 for n in big), text  # large counts are rounded
    en = what_was_done(cov, lang="en")
    assert "Social Services Administration" in en and "1 September 2023 to 31 December 2024" in en


def test_count_text():
    assert [F.count_text(n) for n in (0, 1, 4, 5, 99, 104, 1049, 1051)] == [
        "inga",
        "färre än 5",
        "färre än 5",
        "5",
        "99",
        "omkring 100",
        f"omkring 1{NBSP}000",
        f"omkring 1{NBSP}100",
    ]
    assert F.count_text(2, "en") == "fewer than 5"


# --------------------------------------------------------------------------- caveats and methods


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("pilot_ended", [True, False])
@pytest.mark.parametrize("law", [True, False])
@pytest.mark.parametrize("demo", [True, False])
def test_cannot_tell_has_three_to_five_plain_items(lang, pilot_ended, law, demo):
    items = cannot_tell(lang=lang, pilot_ended=pilot_ended, law_change_in_window=law, demo=demo)
    assert 3 <= len(items) <= 5
    text = " ".join(items)
    assert_plain(text)
    assert ("3 av 8" if lang == "sv" else "3 of the 8") in text
    assert ("28 februari 2026" in text or "28 February 2026" in text) == law
    disclaimer = (
        "Siffrorna i denna rapport bygger på syntetiska demonstrationsdata"
        if lang == "sv"
        else "synthetic demonstration data"
    )
    assert (disclaimer in items[0]) == demo
    assert (disclaimer in text) == demo


def test_methods_note():
    for lang in ("sv", "en"):
        note = methods_note(lang=lang)
        assert "56" in note and ("fem andra" in note or "five other" in note)
        assert 2 <= note.count(".") <= 3
        assert_plain(note)


# --------------------------------------------------------------------------- texts


def test_the_texts_come_from_pilot_eval_texts():
    from pilot_eval.report import sections
    from pilot_eval.texts import findings as T

    assert (F.DEMO_DISCLAIMER["sv"], F.DEMO_DISCLAIMER["en"]) == T.CANNOT_TELL["demo"]
    assert cannot_tell(demo=True, lang="en")[0] == T.CANNOT_TELL["demo"][1]
    assert sections.SUMMARY_OUTCOMES is F.SUMMARY_OUTCOMES
    assert set(F._TEXTS) == set(T.OUTCOMES)
    assert F._TEXTS["days_to_fill"].title == ("Tid till tillsättning", "Time to fill")
    assert F._TEXTS["days_unfilled_90"].title == (
        "Dagar vakant de första 90 dagarna",
        "Days vacant in the first 90 days",
    )


def test_dates_in_running_text():
    assert F._date_text("2023-10-01", "sv") == "den 1 oktober 2023"
    assert F._date_text(pd.Timestamp("2024-12-31"), "en") == "31 December 2024"


def test_lists_in_running_text():
    assert F._and_list(["a", "b", "c"], "sv") == "a, b och c"
    assert F._and_list(["a", "b och c", "d"], "sv") == "a, b och c samt d"
    assert F._and_list(["a", "b"], "en") == "a and b"
    assert F._and_list(["a", "b", "c"], "en") == "a, b, and c"
    assert F._and_list(["a"], "en") == "a"


@pytest.mark.parametrize("call", [lambda: F.count_text(3, "de"), lambda: methods_note(lang="de")])
def test_unknown_language_is_refused(call):
    with pytest.raises(ValueError, match="lang must be"):
        call()


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_end_to_end_on_the_large_demo_scenario():
    from pilot_eval.demo import generate
    from pilot_eval.estimate.effects import pilot_effects

    export = generate(seed=2023, scenario="large")
    outcomes = ["days_unfilled_90", "filled_within_90", "late_withdrawal"]
    effects = pilot_effects(export.tables, export.truth["cut_date"], outcomes=outcomes, reps=199)
    out = summarise(effects.tidy(), outcomes=outcomes)
    assert [f.outcome for f in out] == outcomes
    late = out[2]
    # the large scenario adds 6 percentage points of late withdrawal: described as an increase
    assert late.estimate > 0 and late.verdict != "clear_decrease"
    assert "högre" in late.headline and f"{NBSP}procentenheter" in late.headline
    if late.verdict == "no_clear_difference":
        assert "ingen säkerställd skillnad" in late.uncertainty
    else:
        assert "fler sökande återtog sin ansökan" in late.uncertainty
    # three weeks' delay: longer time to fill, fewer filled within 90 days
    assert "vakant" in out[0].headline and "mer" in out[0].headline and "lägre" in out[1].headline
    for f in out:
        assert_plain(f.to_markdown())
    en = summarise(effects.tidy(), lang="en", outcomes=outcomes)
    assert "higher" in en[2].headline
