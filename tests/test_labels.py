"""Tests of the reader's labels and number formats (pilot_eval.labels)."""

from __future__ import annotations

import doctest
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from pilot_eval import contract as C
from pilot_eval import labels
from pilot_eval.labels import format_number, format_percent, label, relabel, value_label

NBSP = "\u00a0"
MINUS = "\u2212"

# The columns of the tidy tables a report shows (the brief's list): every one needs a
# Swedish and an English label.
REQUIRED_COLUMNS = [
    "n",
    "n_filled",
    "n_competing",
    "n_censored",
    "median_days",
    "median_conf_low",
    "median_conf_high",
    "filled_within_60",
    "filled_within_90",
    "rmst_90",
    "mean_days",
    "q25_days",
    "q75_days",
    "measure",
    "stage",
    "stage_name",
    "n_reached",
    "n_withdrawn",
    "rate",
    "late_withdrawal_rate",
    "n_reached_interview",
    "n_withdrawn_late",
    "reason",
    "share",
    "n_offers",
    "n_accepted",
    "n_declined",
    "acceptance_rate",
    "n_vacancies",
    "n_positions",
    "applicants_per_vacancy",
    "applicants_per_position",
    "qualified_per_vacancy",
    "qualified_per_position",
    "readvertised_rate",
    "cancelled_rate",
    "unfilled_rate",
    "n_hires",
    "share_hires_qualified",
    "share_hires_permanent",
    "turnover_rate",
    "vacant_posts",
    "hourly_hours",
    "check_type",
    "n_checks",
    "n_completed",
    "n_pending",
    "within_7",
    "dimension",
    "group",
    "ratio_to_best",
    "four_fifths_flag",
    "administration",
    "role_group",
    "period",
    "arm",
    "phase",
    "cohort",
    "gender",
    "age_band",
    "employment_type",
    "scope",
    "year",
    "outcome",
    "exposure",
    "n_closed",
    "n_cancelled",
    "n_readvertised",
    "n_unfilled",
    "n_hires_qualified",
    "n_hires_qualification_known",
    "n_hires_permanent",
]

MEASURES = {
    "time_to_fill": "Tid till tillsättning",
    "time_to_hire": "Tid till anställning",
    "withdrawals": "Återtagna ansökningar",
    "late_withdrawal_rate": "Andel återtagna ansökningar i sent skede",
    "check_turnaround": "Kontrolltid",
    "offers": "Accepterade erbjudanden",
    "competence_supply": "Kompetensförsörjning",
    "equality": "Jämlikhet",
    "pilot_coverage": "Pilotens omfattning",
}


def test_doctests() -> None:
    result = doctest.testmod(labels, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_every_required_column_has_both_languages(column: str) -> None:
    assert column in labels.COLUMN_LABELS, column
    sv, en = labels.COLUMN_LABELS[column]
    assert sv and en
    assert label(column, "sv") == sv
    assert label(column, "en") == en
    assert sv != column and en != column


def test_labels_in_one_language_are_unique_for_the_required_columns() -> None:
    # two columns of one table must not print under the same header (stage/stage_name, ...)
    for i, lang in enumerate(("sv", "en")):
        names = [c for c in REQUIRED_COLUMNS if c not in ("rate", "share")]
        seen = {}
        for c in names:
            text = labels.COLUMN_LABELS[c][i]
            assert text not in seen, (lang, c, seen.get(text))
            seen[text] = c


@pytest.mark.parametrize("measure,title", MEASURES.items())
def test_measure_titles(measure: str, title: str) -> None:
    assert label(measure) == title
    en = label(measure, "en")
    assert en and en != title and en != measure


def test_measure_title_prefers_titles() -> None:
    assert labels.measure_title("time_to_fill") == "Tid till tillsättning"
    assert labels.measure_title("late_withdrawal_rate") == label("late_withdrawal_rate")
    assert labels.measure_title("n_hires") == "Antal anställda"  # not a measure: the column label


def test_unknown_keys_fall_back_to_the_key() -> None:
    assert label("brand_new_column") == "brand_new_column"
    assert label("brand_new_column", "en") == "brand_new_column"
    assert value_label("brand_new_column", "xyz") == "xyz"
    assert value_label("administration", "XYZ") == "XYZ"


def test_patterned_labels() -> None:
    assert label("filled_within_30") == "Andel tillsatta inom 30 dagar"
    assert label("within_14", "en") == "Share completed within 14 days"
    assert label("rmst_180") == "Genomsnittlig tid inom 180 dagar (dagar)"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        label("n", "de")
    with pytest.raises(ValueError, match="lang"):
        format_number(1, "fi")


def test_the_label_tables_are_the_texts_of_pilot_eval_texts() -> None:
    """labels.py re-exports the tables of pilot_eval.texts.labels, so old imports keep working."""
    from pilot_eval.texts import labels as T

    for name in ("COLUMN_LABELS", "MEASURE_TITLES", "VALUE_LABELS", "MISSING_LABEL"):
        assert getattr(labels, name) is getattr(T, name), name
    assert labels.LANGUAGES == ("sv", "en")
    assert labels.ADMINISTRATIONS_EN["SOF"] == "Social Services Administration"
    assert labels.ROLE_GROUPS_EN["teacher"] == "Compulsory school teacher"
    assert T.ADMINISTRATIONS["SOF"] == (C.ADMINISTRATIONS["SOF"], "Social Services Administration")
    assert set(T.ROLE_GROUPS) == set(C.ROLE_GROUPS)
    assert list(T.VALUE_LABELS["stage"]) == [english for english, _ in C.STAGES.values()]


@pytest.mark.parametrize(
    "value", ["2024Q3", "2024q1", "2024H2", "2024H3", "2024-03", "2024-3", "2024-13", "2024", 2024, " 2024Q4 ", "x"]
)
def test_period_values_are_named_by_periods_label(value) -> None:
    from pilot_eval import periods

    for lang in ("sv", "en"):
        expected = periods.label(value, lang) or str(value)
        assert value_label("period", value, lang) == expected


# --------------------------------------------------------------------------- value labels


@pytest.mark.parametrize("code", list(C.ADMINISTRATIONS))
def test_administrations_by_code_and_full_name(code: str) -> None:
    full = C.ADMINISTRATIONS[code]
    assert value_label("administration", code) == full
    assert value_label("administration", code.lower()) == full
    assert value_label("administration", full) == full
    assert value_label("administration", full.upper().replace("Ö", "O")) == full
    en = value_label("administration", code, "en")
    assert en.endswith(("Administration", "Office"))
    assert value_label("administration", en, "sv") == full


def test_role_groups() -> None:
    for code, sv in C.ROLE_GROUP_DISPLAY_SV.items():
        assert value_label("role_group", code) == sv
        assert value_label("role_group", C.ROLE_GROUPS[code]) == sv  # the export's Swedish code
        assert value_label("role_group", code, "en") != code
    assert value_label("role_group", "teacher", "en") == "Compulsory school teacher"
    assert value_label("role_group", "all") == "Alla yrkesgrupper"
    assert value_label("role_group", "all", "en") == "All role groups"


def test_stages_by_number_and_name() -> None:
    expected = [
        "Inkommen",
        "Granskad",
        "Intervju",
        "Referenstagning",
        "Bakgrundskontroll",
        "Erbjudande",
        "Accepterat",
        "Tillträtt",
    ]
    for number, sv in enumerate(expected):
        english, swedish_code = C.STAGES[number]
        assert value_label("stage", number) == sv
        assert value_label("stage", np.int64(number)) == sv
        assert value_label("stage", float(number)) == sv
        assert value_label("stage", english) == sv
        assert value_label("stage_name", english) == sv
        assert value_label("stage", swedish_code) == sv
    assert value_label("stage", "background_check", "en") == "Background check"


def test_age_bands() -> None:
    assert [value_label("age_band", a) for a in C.AGE_BANDS] == ["Under 25", "25–34", "35–44", "45–54", "55 och äldre"]
    assert value_label("age_band", "55plus", "en") == "55 and over"
    assert value_label("age_band", "25-34") == "25–34"  # contract alias
    assert value_label("age_band", "not_recorded") == "Uppgift saknas"


def test_genders_outcomes_check_types_reasons() -> None:
    assert value_label("gender", "woman") == "Kvinnor"
    assert value_label("gender", "kvinna") == "Kvinnor"
    assert value_label("gender", "man", "en") == "Men"
    assert value_label("outcome", "remark_obstacle") == "Anmärkning, hinder för anställning"
    assert value_label("outcome", "godkand") == "Godkänd"
    assert value_label("check_type", "court_records") == "Fördjupad kontroll (domstolsregister)"
    assert value_label("check_type", "register_school", "en").startswith("Police register extract")
    assert value_label("reason", "process_length") == "Processens längd"
    assert value_label("withdrawal_reason", "background_check", "en") == "The background check"
    for kind in (
        "employment_type",
        "status",
        "final_status",
        "qualified",
        "statutory_check",
        "scope",
        "withdrawal_reason",
        "gender",
        "age_band",
        "check_type",
        "outcome",
        "arm",
        "phase",
    ):
        for canonical, (sv, en) in labels.VALUE_LABELS[kind].items():
            assert value_label(kind, canonical, "sv") == sv
            assert value_label(kind, canonical, "en") == en


def test_arm_and_phase() -> None:
    assert value_label("arm", "pilot") == "Pilotförvaltningar"
    assert value_label("arm", "pilot", "en") == "Pilot administrations"
    assert value_label("arm", "comparison") == "Jämförelseförvaltningar"
    assert [value_label("phase", p) for p in ("before", "during", "after")] == [
        "Före piloten",
        "Under piloten",
        "Efter piloten",
    ]


def test_periods() -> None:
    assert value_label("period", "2024Q3") == "kv. 3 2024"
    assert value_label("period", "2024Q3", "en") == "Q3 2024"
    assert value_label("period", "2024H1") == "första halvåret 2024"
    assert value_label("period", "2024H2") == "andra halvåret 2024"
    assert value_label("period", "2024H2", "en") == "second half of 2024"
    assert value_label("period", "2024-03") == "mars 2024"
    assert value_label("period", "2024-12", "en") == "December 2024"
    assert value_label("period", "2024") == "2024"
    assert value_label("cohort", "2023Q3") == "kv. 3 2023"
    assert value_label("period", "2024H3") == "2024H3"  # not a period: left alone
    assert value_label("year", 2024) == "2024"
    assert value_label("year", 2024.0) == "2024"


def test_bools_missing_and_totals() -> None:
    assert value_label("four_fifths_flag", True) == "Ja"
    assert value_label("four_fifths_flag", np.bool_(False), "en") == "No"
    assert value_label("treated", "true") == "Ja"
    assert value_label("whatever", True) == "Ja"
    for missing in (None, np.nan, pd.NA, pd.NaT):
        assert value_label("gender", missing) == "Uppgift saknas"
        assert value_label("gender", missing, "en") == "Not recorded"
    assert value_label("administration", "Totalt") == "Totalt"
    assert value_label("administration", "Hela kommunen", "en") == "Whole municipality"
    assert value_label("gender", "all") == "Totalt"


def test_dates_are_iso() -> None:
    assert value_label("start_date", pd.Timestamp("2023-09-01")) == "2023-09-01"
    assert value_label("end_date", pd.NaT) == "Uppgift saknas"


def test_equality_table_columns() -> None:
    assert value_label("dimension", "gender") == "Kön"
    assert value_label("dimension", "age_band", "en") == "Age band"
    assert value_label("group", "woman") == "Kvinnor"
    assert value_label("group", "55plus") == "55 och äldre"
    assert value_label("group", "not_recorded", "en") == "Not recorded"
    assert value_label("measure", "submitted_to_offer") == "Tid från ansökan till erbjudande"


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "x,sv,en",
    [
        (0, "0", "0"),
        (0.0, "0", "0"),
        (7, "7", "7"),
        (12.5, "12,5", "12.5"),
        (12.45, "12,5", "12.5"),  # half away from zero on the printed value, not banker's
        (12.35, "12,4", "12.4"),  # (banker's would give 12,4 and 12,4; binary round 12,3)
        (12.25, "12,3", "12.3"),  # banker's would give 12,2
        (-12.45, f"{MINUS}12,5", "-12.5"),
        (-0.04, "0,0", "0.0"),  # no negative zero
        (999, "999", "999"),
        (1234, f"1{NBSP}234", "1,234"),
        (1234567, f"1{NBSP}234{NBSP}567", "1,234,567"),
        (-1234567, f"{MINUS}1{NBSP}234{NBSP}567", "-1,234,567"),
        (1234.56, f"1{NBSP}234,6", "1,234.6"),
        (np.int64(5000), f"5{NBSP}000", "5,000"),
        (np.float64(2.0), "2", "2"),
    ],
)
def test_format_number(x, sv: str, en: str) -> None:
    assert format_number(x) == sv
    assert format_number(x, "en") == en


def test_format_number_decimals() -> None:
    assert format_number(2.675, decimals=2) == "2,68"  # Python's round gives 2.67
    assert format_number(0.125, decimals=2) == "0,13"
    assert format_number(12, decimals=1) == "12,0"
    assert format_number(12.96, decimals=0) == "13"
    assert format_number(1234.5, decimals=0) == f"1{NBSP}235"
    assert format_number(Decimal("1.005"), decimals=2) == "1,01"
    with pytest.raises(ValueError):
        format_number(1.5, decimals=-1)


def test_format_number_missing_and_infinite() -> None:
    for missing in (None, float("nan"), np.nan, pd.NA):
        assert format_number(missing) == ""
        assert format_percent(missing) == ""
    assert format_number(math.inf) == "∞"
    assert format_number(-math.inf) == f"{MINUS}∞"
    with pytest.raises(TypeError):
        format_number("twelve")


def test_format_number_units() -> None:
    assert format_number(12.5, unit="days") == f"12,5{NBSP}dagar"
    assert format_number(12.5, "en", unit="days") == f"12.5{NBSP}days"
    assert format_number(1, unit="days") == f"1{NBSP}dag"
    assert format_number(1, "en", unit="days") == f"1{NBSP}day"
    assert format_number(1.0, decimals=1, unit="days") == f"1,0{NBSP}dagar"
    assert format_number(3, unit="percentage_points") == f"3{NBSP}procentenheter"
    assert format_number(3, unit="st.") == f"3{NBSP}st."


def test_format_percent() -> None:
    assert format_percent(0.12) == f"12{NBSP}%"
    assert format_percent(0.12, "en") == "12%"
    assert format_percent(0.125, decimals=1) == f"12,5{NBSP}%"
    assert format_percent(0.125) == f"13{NBSP}%"  # half away from zero
    assert format_percent(0.145, decimals=1) == f"14,5{NBSP}%"  # 0.145 * 100 in binary is 14.499...
    assert format_percent(1) == f"100{NBSP}%"
    assert format_percent(0) == f"0{NBSP}%"
    assert format_percent(-0.031, "en", decimals=1) == "-3.1%"
    assert format_percent(12.5) == f"1{NBSP}250{NBSP}%"  # a proportion, not a percentage


# --------------------------------------------------------------------------- relabel


def test_relabel() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF"],
            "period": ["2024Q1", "2024Q2"],
            "arm": pd.Categorical(["pilot", "pilot"]),
            "gender": ["woman", None],
            "treated": [True, False],
            "term": ["att", "att"],
            "median_days": [41.5, 38.0],
            "n": [25, 7],
        }
    )
    out = relabel(t)
    assert list(out.columns) == [
        "Förvaltning",
        "Period",
        "Förvaltningsgrupp",
        "Kön",
        "Omfattas av piloten",
        "Avser",
        "Median (dagar)",
        "Antal",
    ]
    assert out["Förvaltning"].tolist() == ["Socialförvaltningen", "Utbildningsförvaltningen"]
    assert out["Period"].tolist() == ["kv. 1 2024", "kv. 2 2024"]
    assert out["Förvaltningsgrupp"].tolist() == ["Pilotförvaltningar"] * 2
    assert out["Kön"].tolist() == ["Kvinnor", "Uppgift saknas"]
    assert out["Omfattas av piloten"].tolist() == ["Ja", "Nej"]
    assert out["Avser"].tolist() == ["att", "att"]  # values without value labels: untouched
    assert out["Median (dagar)"].tolist() == [41.5, 38.0]  # figures untouched
    assert t["administration"].tolist() == ["SOF", "UBF"]  # the input is not modified
    en = relabel(t, "en")
    assert list(en.columns)[:2] == ["Administration", "Period"]
    assert en["Period"].tolist() == ["Q1 2024", "Q2 2024"]


def test_every_column_a_measure_produces_on_the_demo_has_both_labels() -> None:
    """Whatever a notebook can show from pilot_eval.measures gets a Swedish and an
    English header: run each measure (and the panel and the curves) on the demo data
    and look every output column up."""
    from pilot_eval import measures as M
    from pilot_eval.demo import generate

    t = generate(seed=3, scenario="delay", scale=0.2).tables
    cut = "2026-02-28"
    vac, app, chk = t["vacancies"], t["applications"], t["background_checks"]
    by = ["administration", "period"]
    frames = [
        M.time_to_fill(vac, cut, by=by, pilot_rollout=t["pilot_rollout"]),
        M.time_to_hire(app, vac, by="administration"),
        M.withdrawals(app, by="administration", vacancies=vac),
        M.late_withdrawal_rate(app, by=["administration", "gender"], vacancies=vac),
        M.withdrawal_reasons(app),
        M.offers(app, by="age_band"),
        M.check_turnaround(chk, cut, by="administration", applications=app, vacancies=vac),
        M.competence_supply(vac, app, staffing=t.get("staffing_monthly"), by="administration"),
        M.equality(app, vacancies=vac),
        M.km_curves(vac, cut, by="administration"),
        M.build_panel(t, cut),
    ]
    if "staffing_monthly" in t:
        frames.append(M.staffing_measures(t["staffing_monthly"], by="administration"))
    coverage = M.pilot_coverage(vac, app, chk, t["pilot_rollout"], cut_date=cut)
    frames += [f for f in vars(coverage).values() if isinstance(f, pd.DataFrame)]
    columns = sorted({c for f in frames for c in f.columns})
    unlabelled = [c for c in columns if c not in labels.COLUMN_LABELS]
    assert not unlabelled, f"columns without a label in pilot_eval.labels.COLUMN_LABELS: {unlabelled}"
    for c in columns:
        sv, en = labels.COLUMN_LABELS[c]
        assert sv and en and sv != en or c in {"period", "status"}, c
