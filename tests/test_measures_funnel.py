"""The funnel, competence supply, equality and pilot coverage measures: small hand-built
tables with the answer worked out here, then the demo data against its truth.json."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval import contract as C
from pilot_eval.demo import generate
from pilot_eval.measures.common import enrich_applications, grouped
from pilot_eval.measures.coverage import PilotCoverage, pilot_coverage
from pilot_eval.measures.funnel import (
    MEASURE_DIRECTION,
    NOT_RECORDED,
    competence_supply,
    equality,
    late_withdrawal_rate,
    offers,
    staffing_measures,
    withdrawal_reasons,
    withdrawals,
)

# --------------------------------------------------------------------------- hand-built tables

VAC_COLUMNS = [
    "vacancy_id",
    "administration",
    "role_group",
    "employment_type",
    "positions",
    "published_date",
    "status",
    "readvertisement_of",
    "check_in_ad",
]
# UBF: V1 (2 positions, filled), V2 (re-advertised as V3, still open); VOF: V4 cancelled,
# V5 (3 positions) unfilled. V1-V3 published in 2024Q1, V4-V5 in 2024Q2.
VAC_ROWS = [
    ["V1", "UBF", "teacher", "permanent", 2, "2024-01-10", "filled", None, True],
    ["V2", "UBF", "teacher", "fixed_term", 1, "2024-02-01", "readvertised", None, True],
    ["V3", "UBF", "teacher", "permanent", 1, "2024-03-01", "open", "V2", True],
    ["V4", "VOF", "assistant_nurse", "hourly", 1, "2024-05-01", "cancelled", None, False],
    ["V5", "VOF", "assistant_nurse", "permanent", 3, "2024-05-02", "unfilled", None, False],
]
APP_COLUMNS = [
    "application_id",
    "vacancy_id",
    "qualified",
    "highest_stage",
    "final_status",
    "withdrawn_stage",
    "withdrawal_reason",
    "offer_date",
    "gender",
    "age_band",
]
APP_ROWS = [
    # V1
    ["a1", "V1", "yes", 7, "hired", None, None, "2024-02-10", "woman", "25_34"],
    ["a2", "V1", "no", 6, "hired", None, None, "2024-02-10", "man", "35_44"],
    ["a3", "V1", "yes", 5, "declined_offer", None, None, "2024-02-10", "woman", "25_34"],
    ["a4", "V1", "no", 0, "withdrawn", 0, "other_job", None, None, "u25"],  # before screening
    ["a5", "V1", "yes", 3, "withdrawn", 3, "background_check", None, "woman", "25_34"],
    ["a6", "V1", "no", 2, "in_progress", None, None, None, "man", "45_54"],
    ["a7", "V1", "no", 1, "rejected", None, None, None, "woman", "55plus"],
    # V2
    ["b1", "V2", "no", 2, "withdrawn", 2, None, None, "man", "35_44"],  # reason missing
    ["b2", "V2", "no", 1, "rejected", None, None, None, "woman", "u25"],
    # V3 (the re-advertisement): an offer still pending, one still at the background check
    ["c1", "V3", "yes", 5, "in_progress", None, None, "2024-04-01", "woman", "35_44"],
    ["c2", "V3", "no", 4, "in_progress", None, None, None, "woman", "45_54"],
    # V4, V5
    ["d1", "V4", "not_applicable", 1, "cancelled", None, None, None, "woman", "u25"],
    ["d2", "V4", "not_applicable", 0, "withdrawn", 0, "personal", None, "man", "u25"],
    ["e1", "V5", "yes", 2, "rejected", None, None, None, "woman", "25_34"],
    ["e2", "V5", "not_applicable", 4, "withdrawn", 4, "process_length", None, None, None],
]
ROLLOUT = pd.DataFrame(
    {
        "administration": ["UBF", "UBF"],
        "role_group": ["all", "all"],
        "scope": ["new_hires", "managers_financial"],
        "check_type": ["court_records", "court_and_credit"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-01-01"]),
        "end_date": pd.to_datetime(["2024-04-30", "2024-04-30"]),
    }
)
CHECK_COLUMNS = ["check_id", "application_id", "check_type", "requested_date", "completed_date", "status", "outcome"]
CHECK_ROWS = [
    ["k1", "a1", "register_school", "2024-02-01", "2024-02-05", "completed", "cleared"],
    ["k2", "a1", "court_records", "2024-02-02", "2024-02-06", "completed", "cleared"],
    ["k3", "a2", "court_and_credit", "2024-02-03", "2024-02-07", "completed", "remark_no_obstacle"],
    ["k4", "c1", "court_records", "2024-04-01", None, "pending", None],
    ["k5", "a3", "court_records", "2024-02-05", None, "cancelled_by_candidate", None],
    ["k6", "e2", "register_lss", "2024-06-01", None, "cancelled_other", None],
]
STAFF_COLUMNS = [c.name for c in C.TABLES["staffing_monthly"].columns]  # the contract's order
STAFF_ROWS = [
    ["UBF", "teacher", "2024-01-01", 90, 10, 95.0, 1, 1, 0.8, 10.0, 4],
    ["UBF", "teacher", "2024-02-01", 90, 10, 95.0, 2, 1, 0.8, 20.0, 5],
    ["UBF", "teacher", "2024-03-01", 90, 10, 95.0, 3, 1, None, 30.0, 6],
    ["UBF", "preschool_teacher", "2024-01-01", 40, 10, 45.0, 0, 0, 0.5, 5.0, 2],
    ["VOF", "assistant_nurse", "2024-04-01", 200, 0, 180.0, 2, 3, None, 100.0, 1],
    ["VOF", "assistant_nurse", "2024-05-01", 200, 0, 180.0, 2, 3, None, 100.0, 1],
    ["VOF", "assistant_nurse", "2024-06-01", 200, 0, 180.0, 2, 3, None, 100.0, 1],
]


def _vacancies() -> pd.DataFrame:
    v = pd.DataFrame(VAC_ROWS, columns=VAC_COLUMNS)
    v["published_date"] = pd.to_datetime(v["published_date"])
    v["closing_date"] = v["published_date"] + pd.Timedelta(days=14)
    v["is_manager"] = False
    v["statutory_check"] = np.where(v["administration"] == "UBF", "school_preschool", "none")
    return v


def _applications() -> pd.DataFrame:
    a = pd.DataFrame(APP_ROWS, columns=APP_COLUMNS)
    a["withdrawn_stage"] = a["withdrawn_stage"].astype("Int64")
    a["offer_date"] = pd.to_datetime(a["offer_date"])
    a["submitted_date"] = pd.Timestamp("2024-01-12")
    a["internal"] = False
    return a


def _checks() -> pd.DataFrame:
    k = pd.DataFrame(CHECK_ROWS, columns=CHECK_COLUMNS)
    for col in ("requested_date", "completed_date"):
        k[col] = pd.to_datetime(k[col])
    return k


def _staffing() -> pd.DataFrame:
    s = pd.DataFrame(STAFF_ROWS, columns=STAFF_COLUMNS)
    s["month"] = pd.to_datetime(s["month"])
    return s


def _as_processed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Enum columns as categoricals with every contract value, as load_processed gives."""
    out = frame.copy()
    for col in C.TABLES[table].columns:
        if col.kind == "enum" and col.name in out.columns:
            out[col.name] = pd.Categorical(out[col.name], categories=col.values)
    return out


@pytest.fixture(params=["object", "categorical"])
def hand(request):
    v, a, k, s = _vacancies(), _applications(), _checks(), _staffing()
    if request.param == "categorical":
        v, a = _as_processed(v, "vacancies"), _as_processed(a, "applications")
        k, s = _as_processed(k, "background_checks"), _as_processed(s, "staffing_monthly")
    return {
        "vacancies": v,
        "applications": a,
        "background_checks": k,
        "staffing_monthly": s,
        "pilot_rollout": ROLLOUT.copy(),
    }


def _row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for col, value in keys.items():
        mask &= (frame[col].astype(object) == value).to_numpy()
    assert mask.sum() == 1, (keys, frame)
    return frame.loc[mask].iloc[0]


# --------------------------------------------------------------------------- withdrawals


def test_withdrawals_by_stage_by_hand(hand):
    w = withdrawals(hand["applications"], hand["vacancies"], by="administration")
    assert len(w) == 2 * 8
    ubf = w[w["administration"].astype(str) == "UBF"]
    assert ubf["stage"].tolist() == list(range(8))
    assert ubf["stage_name"].tolist() == [C.STAGES[s][0] for s in range(8)]
    # 11 UBF applications; a4 withdrew before screening (stage 0), b1 at interview, a5 at references
    assert ubf["n_reached"].tolist() == [11, 10, 8, 6, 5, 4, 2, 1]
    assert ubf["n_withdrawn"].tolist() == [1, 0, 1, 1, 0, 0, 0, 0]
    np.testing.assert_allclose(ubf["rate"], [1 / 11, 0, 1 / 8, 1 / 6, 0, 0, 0, 0])
    np.testing.assert_allclose(ubf["share_of_applications"], [1 / 11, 0, 1 / 11, 1 / 11, 0, 0, 0, 0])
    assert (ubf["n"] == ubf["n_reached"]).all()
    vof = w[w["administration"].astype(str) == "VOF"]
    assert vof["n_reached"].tolist() == [4, 3, 2, 1, 1, 0, 0, 0]
    assert vof["n_withdrawn"].tolist() == [1, 0, 0, 0, 1, 0, 0, 0]
    assert vof["rate"].iloc[4] == 1.0 and vof["rate"].iloc[5:].isna().all()


def test_withdrawals_total_and_missing_stage_fallback(hand):
    w = withdrawals(hand["applications"], hand["vacancies"])
    assert list(w.columns) == ["stage", "stage_name", "n_reached", "n_withdrawn", "rate", "share_of_applications", "n"]
    assert w["n_withdrawn"].sum() == 5 and w["n_reached"].iloc[0] == 15
    # a withdrawn application without withdrawn_stage counts at its highest stage
    a = hand["applications"].copy()
    a.loc[a["application_id"] == "a5", "withdrawn_stage"] = pd.NA
    w2 = withdrawals(a, hand["vacancies"])
    assert w2["n_withdrawn"].tolist() == w["n_withdrawn"].tolist()


def test_late_withdrawal_rate_by_hand(hand):
    late = late_withdrawal_rate(hand["applications"], hand["vacancies"], by="administration")
    ubf = _row(late, administration="UBF")
    # reached interview: a1 a2 a3 a5 a6 b1 c1 c2; late withdrawals b1 (interview), a5 (references)
    assert (ubf["n_reached_interview"], ubf["n_withdrawn_late"], ubf["n_in_progress"], ubf["n"]) == (8, 2, 3, 8)
    assert ubf["late_withdrawal_rate"] == pytest.approx(0.25)
    vof = _row(late, administration="VOF")
    assert (vof["n_reached_interview"], vof["n_withdrawn_late"]) == (2, 1)
    # leaving out the three still in progress (a6, c1, c2)
    ended = late_withdrawal_rate(
        hand["applications"], hand["vacancies"], by="administration", include_in_progress=False
    )
    ubf = _row(ended, administration="UBF")
    assert (ubf["n_reached_interview"], ubf["n_withdrawn_late"], ubf["n_in_progress"]) == (5, 2, 0)
    assert ubf["late_withdrawal_rate"] == pytest.approx(0.4)


def test_late_withdrawal_rate_with_pilot_columns(hand):
    # the roll-out starts UBF 2024-01-01 and ends 2024-04-30: V1-V3 treated; VOF is a
    # comparison unit, V4/V5 published after the pilot calendar
    late = late_withdrawal_rate(
        hand["applications"], hand["vacancies"], by=["arm", "phase", "treated"], pilot_rollout=hand["pilot_rollout"]
    )
    assert list(late.columns[:3]) == ["arm", "phase", "treated"]
    assert [(str(a), str(p), bool(t)) for a, p, t in late[["arm", "phase", "treated"]].itertuples(index=False)] == [
        ("pilot", "during", True),
        ("comparison", "after", False),
    ]
    assert late["n_withdrawn_late"].tolist() == [2, 1]


def test_withdrawal_reasons_by_hand(hand):
    r = withdrawal_reasons(hand["applications"], hand["vacancies"])
    assert r["withdrawal_reason"].astype(str).tolist() == list(C.WITHDRAWAL_REASONS) + [NOT_RECORDED]
    got = dict(zip(r["withdrawal_reason"].astype(str), r["n_withdrawn"], strict=True))
    assert got == {
        "other_job": 1,
        "process_length": 1,
        "background_check": 1,
        "personal": 1,
        "unknown": 0,
        NOT_RECORDED: 1,
    }
    assert (r["n"] == 5).all()
    np.testing.assert_allclose(r["share"], [0.2, 0.2, 0.2, 0.2, 0.0, 0.2])
    late = withdrawal_reasons(hand["applications"], hand["vacancies"], min_stage=2)
    got = dict(zip(late["withdrawal_reason"].astype(str), late["n_withdrawn"], strict=True))
    assert got["background_check"] == 1 and got[NOT_RECORDED] == 1 and got["process_length"] == 1
    assert got["other_job"] == 0 and (late["n"] == 3).all()


def test_offers_by_hand(hand):
    o = offers(hand["applications"], hand["vacancies"])
    row = o.iloc[0]
    # offers a1 a2 (hired), a3 (declined), c1 (pending at the cut): acceptance 2 / (2 + 1)
    assert (row["n_offers"], row["n_accepted"], row["n_declined"], row["n_pending"], row["n"]) == (4, 2, 1, 1, 4)
    assert row["acceptance_rate"] == pytest.approx(2 / 3)
    # an accepted application without offer_date still counts as an offer (highest_stage >= 5)
    a = hand["applications"].copy()
    a.loc[a["application_id"] == "a1", "offer_date"] = pd.NaT
    assert offers(a, hand["vacancies"])["n_offers"].iloc[0] == 4


# --------------------------------------------------------------------------- competence supply


def test_competence_supply_by_hand(hand):
    cs = competence_supply(hand["vacancies"], hand["applications"], by="administration")
    ubf = _row(cs, administration="UBF")
    assert (ubf["n_vacancies"], ubf["n_positions"], ubf["n_applications"]) == (3, 4, 11)
    assert ubf["applicants_per_vacancy"] == pytest.approx(11 / 3)
    assert ubf["applicants_per_position"] == pytest.approx(11 / 4)
    assert ubf["qualified_per_vacancy"] == pytest.approx(4 / 3)  # a1 a3 a5 c1
    assert ubf["qualified_per_position"] == pytest.approx(1.0)
    # V3 is still open: closed = V1 (filled), V2 (re-advertised)
    assert ubf["n_closed"] == 2
    assert (ubf["filled_rate"], ubf["readvertised_rate"], ubf["cancelled_rate"], ubf["unfilled_rate"]) == (
        0.5,
        0.5,
        0.0,
        0.0,
    )
    assert ubf["n_hires"] == 2
    assert ubf["share_hires_qualified"] == pytest.approx(0.5)  # a1 yes, a2 no
    assert ubf["share_hires_permanent"] == pytest.approx(1.0)  # both on V1 (permanent)
    # the counts behind the shares
    assert ubf["n_qualified"] == 4
    assert (ubf["n_filled"], ubf["n_readvertised"], ubf["n_cancelled"], ubf["n_unfilled"]) == (1, 1, 0, 0)
    assert (ubf["n_hires_qualified"], ubf["n_hires_qualification_known"], ubf["n_hires_permanent"]) == (1, 2, 2)
    vof = _row(cs, administration="VOF")
    assert (vof["n_vacancies"], vof["n_positions"], vof["n_applications"], vof["n"]) == (2, 4, 4, 2)
    assert vof["qualified_per_vacancy"] == pytest.approx(0.5)
    assert (vof["cancelled_rate"], vof["unfilled_rate"]) == (0.5, 0.5)
    assert (vof["n_filled"], vof["n_readvertised"], vof["n_cancelled"], vof["n_unfilled"]) == (0, 0, 1, 1)
    assert vof["n_hires"] == 0 and np.isnan(vof["share_hires_qualified"])
    assert "turnover_rate" not in cs.columns
    # every rate is its count over its denominator; the outcomes add up to n_closed
    outcomes = ["n_filled", "n_readvertised", "n_cancelled", "n_unfilled"]
    assert (cs[outcomes].sum(axis=1) == cs["n_closed"]).all()
    for count in outcomes:
        rate = count[2:] + "_rate"
        np.testing.assert_allclose(cs[rate], cs[count] / cs["n_closed"])
        assert list(cs.columns).index(count) < list(cs.columns).index(rate)
    np.testing.assert_allclose(cs["qualified_per_vacancy"], cs["n_qualified"] / cs["n_vacancies"])
    known = cs["n_hires_qualification_known"] > 0
    np.testing.assert_allclose(
        cs.loc[known, "share_hires_qualified"],
        cs.loc[known, "n_hires_qualified"] / cs.loc[known, "n_hires_qualification_known"],
    )


def test_competence_supply_outcome_counts_on_demo():
    export = generate(seed=5, scenario="none", scale=0.3)
    t = export.tables
    cs = competence_supply(t["vacancies"], t["applications"], by=["administration", "period"])
    status = t["vacancies"]["status"].astype(str)
    for name in ("filled", "readvertised", "cancelled", "unfilled"):
        assert cs[f"n_{name}"].sum() == (status == name).sum()
    assert (cs[["n_filled", "n_readvertised", "n_cancelled", "n_unfilled"]].sum(axis=1) == cs["n_closed"]).all()


def test_staffing_measures_by_hand(hand):
    s = staffing_measures(hand["staffing_monthly"], by="administration")
    ubf = _row(s, administration="UBF")
    # months Jan-Mar; headcount 100 + 100 + 100 (teacher) + 50 (preschool, Jan) = 350
    assert ubf["n_months"] == 3
    assert ubf["headcount"] == pytest.approx(350 / 3)
    assert ubf["fte"] == pytest.approx((3 * 95 + 45) / 3)
    assert ubf["voluntary_leavers"] == 6
    assert ubf["turnover_rate"] == pytest.approx(12 * 6 / 350)
    assert ubf["share_qualified"] == pytest.approx((0.8 * 100 + 0.8 * 100 + 0.5 * 50) / 250)
    assert ubf["vacant_posts"] == pytest.approx(17 / 3)
    assert ubf["hourly_hours"] == pytest.approx(65.0)
    assert ubf["n"] == 117
    vof = _row(s, administration="VOF")
    assert vof["turnover_rate"] == pytest.approx(0.12) and np.isnan(vof["share_qualified"])
    assert (vof["headcount"], vof["vacant_posts"], vof["hourly_hours"], vof["n"]) == (200, 1, 300, 200)
    monthly = staffing_measures(hand["staffing_monthly"], by=["administration", "period"], period="month")
    assert len(monthly) == 6
    assert _row(monthly, administration="UBF", period="2024-01")["headcount"] == 150


def test_competence_supply_with_staffing(hand):
    cs = competence_supply(
        hand["vacancies"], hand["applications"], hand["staffing_monthly"], by=["administration", "period"]
    )
    assert list(cs.columns[-4:]) == ["turnover_rate", "vacant_posts", "hourly_hours", "n"]
    ubf = _row(cs, administration="UBF", period="2024Q1")
    assert ubf["turnover_rate"] == pytest.approx(12 * 6 / 350)
    assert ubf["vacant_posts"] == pytest.approx(17 / 3)
    assert ubf["hourly_hours"] == pytest.approx(65.0)
    vof = _row(cs, administration="VOF", period="2024Q2")
    assert vof["turnover_rate"] == pytest.approx(0.12)
    # a column the staffing table does not have: staffing figures NaN, the rest as usual
    by_type = competence_supply(hand["vacancies"], hand["applications"], hand["staffing_monthly"], by="employment_type")
    assert by_type[["turnover_rate", "vacant_posts", "hourly_hours"]].isna().all().all()
    assert by_type["n_vacancies"].sum() == 5
    # pilot columns are derived for the staffing months too
    arm = competence_supply(
        hand["vacancies"], hand["applications"], hand["staffing_monthly"], by="arm", pilot_rollout=hand["pilot_rollout"]
    )
    assert _row(arm, arm="pilot")["turnover_rate"] == pytest.approx(12 * 6 / 350)


# --------------------------------------------------------------------------- equality


def test_equality_by_hand(hand):
    eq = equality(hand["applications"], hand["vacancies"], dimensions="gender", min_denominator=1)
    assert list(eq.columns) == [
        "dimension",
        "group",
        "numerator",
        "denominator",
        "rate",
        "ratio_to_best",
        "four_fifths_flag",
        "n",
    ]
    # reached interview: women a1 a3 a5 c1 c2 e1 (late: a5), men a2 a6 b1 (b1), missing e2 (e2)
    assert eq["group"].tolist() == ["woman", "man", NOT_RECORDED]
    assert eq["numerator"].tolist() == [1, 1, 1] and eq["denominator"].tolist() == [6, 3, 1]
    # adverse outcome: the best is the lowest rate (1/6); ratio = best / rate
    np.testing.assert_allclose(eq["ratio_to_best"], [1.0, 0.5, 1 / 6])
    assert eq["four_fifths_flag"].tolist() == [False, True, True]
    # favourable outcome: hires / applications, best = highest (men 1/4)
    hire = equality(
        hand["applications"], hand["vacancies"], measure="hire_rate", dimensions="gender", min_denominator=1
    )
    assert hire["denominator"].tolist() == [9, 4, 2] and hire["numerator"].tolist() == [1, 1, 0]
    np.testing.assert_allclose(hire["ratio_to_best"], [4 / 9, 1.0, 0.0])
    # small groups (default min_denominator 10) get a rate but no ratio or flag
    small = equality(hand["applications"], hand["vacancies"], dimensions=("gender", "age_band"))
    assert small["ratio_to_best"].isna().all() and small["four_fifths_flag"].isna().all()
    assert small["rate"].notna().any()
    assert small["dimension"].unique().tolist() == ["gender", "age_band"]
    ages = small.loc[small["dimension"] == "age_band", "group"].tolist()
    assert ages == ["u25", "25_34", "35_44", "45_54", "55plus", NOT_RECORDED]


def test_equality_rejects_unknown_measure_and_clash(hand):
    with pytest.raises(ValueError, match="measure"):
        equality(hand["applications"], hand["vacancies"], measure="happiness")
    with pytest.raises(ValueError, match="both"):
        equality(hand["applications"], hand["vacancies"], dimensions="gender", by="gender")


# --------------------------------------------------------------------------- the by= contract

ALL_CALLS = {
    "withdrawals": lambda t, by: withdrawals(
        t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]
    ),
    "late_withdrawal_rate": lambda t, by: late_withdrawal_rate(
        t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]
    ),
    "withdrawal_reasons": lambda t, by: withdrawal_reasons(
        t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]
    ),
    "offers": lambda t, by: offers(t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]),
    "competence_supply": lambda t, by: competence_supply(
        t["vacancies"], t["applications"], t["staffing_monthly"], by=by, pilot_rollout=t["pilot_rollout"]
    ),
    "staffing_measures": lambda t, by: staffing_measures(
        t["staffing_monthly"], by=by, pilot_rollout=t["pilot_rollout"]
    ),
    "equality": lambda t, by: equality(t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]),
}


@pytest.mark.parametrize("name", list(ALL_CALLS))
@pytest.mark.parametrize("by", [None, "administration", ["period", "arm"], ["administration", "phase", "treated"]])
def test_group_columns_first_n_last(hand, name, by):
    out = ALL_CALLS[name](hand, by)
    cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    assert list(out.columns[: len(cols)]) == cols
    assert out.columns[-1] == "n"
    assert len(out) > 0
    assert not out.columns.duplicated().any()


# --------------------------------------------------------------------------- signatures


def test_application_measures_without_vacancies(hand):
    """The issue's signatures: withdrawals(applications, by=None), offers(applications, by=None)."""
    apps, vac = hand["applications"], hand["vacancies"]
    pd.testing.assert_frame_equal(withdrawals(apps), withdrawals(apps, vac))
    pd.testing.assert_frame_equal(withdrawals(apps, by="gender"), withdrawals(apps, vac, by="gender"))
    pd.testing.assert_frame_equal(offers(apps), offers(apps, vac))
    pd.testing.assert_frame_equal(offers(apps, by=["age_band"]), offers(apps, vac, by=["age_band"]))
    pd.testing.assert_frame_equal(late_withdrawal_rate(apps, by="gender"), late_withdrawal_rate(apps, vac, by="gender"))
    pd.testing.assert_frame_equal(withdrawal_reasons(apps, min_stage=2), withdrawal_reasons(apps, vac, min_stage=2))
    pd.testing.assert_frame_equal(
        equality(apps, measure="hire_rate", min_denominator=1),
        equality(apps, vac, measure="hire_rate", min_denominator=1),
    )
    # positional by, as the issue writes it
    pd.testing.assert_frame_equal(withdrawals(apps, "gender"), withdrawals(apps, by="gender"))


def test_vacancies_as_keyword_and_the_earlier_positional_form(hand):
    apps, vac, roll = hand["applications"], hand["vacancies"], hand["pilot_rollout"]
    keyword = withdrawals(apps, by=["arm", "phase"], vacancies=vac, pilot_rollout=roll)
    pd.testing.assert_frame_equal(keyword, withdrawals(apps, vac, by=["arm", "phase"], pilot_rollout=roll))
    # fully positional in the earlier order: (applications, vacancies, by, pilot_rollout, period, …)
    pd.testing.assert_frame_equal(keyword, withdrawals(apps, vac, ["arm", "phase"], roll, "quarter"))
    pd.testing.assert_frame_equal(
        late_withdrawal_rate(apps, vac, "administration", None, "quarter", False),
        late_withdrawal_rate(apps, by="administration", include_in_progress=False, vacancies=vac),
    )
    pd.testing.assert_frame_equal(
        equality(apps, vac, "hire_rate", "gender", min_denominator=1),
        equality(apps, "hire_rate", "gender", min_denominator=1, vacancies=vac),
    )
    pd.testing.assert_frame_equal(offers(apps, vac, "administration"), offers(apps, by="administration", vacancies=vac))
    with pytest.raises(TypeError, match="vacancies"):
        offers(apps, vac, vacancies=vac)


def test_vacancy_columns_need_the_vacancies(hand):
    apps, roll = hand["applications"], hand["pilot_rollout"]
    with pytest.raises(KeyError, match="administration.*vacancies="):
        withdrawals(apps, by="administration")
    with pytest.raises(KeyError, match="period.*vacancies="):
        offers(apps, by=["gender", "period"])
    with pytest.raises(KeyError, match="arm.*vacancies="):
        equality(apps, by="arm")
    with pytest.raises(ValueError, match="pilot_rollout= needs vacancies="):
        late_withdrawal_rate(apps, by="gender", pilot_rollout=roll)
    with pytest.raises(KeyError, match="not a column"):
        withdrawals(apps, by="no_such_column")
    # applications that already carry a vacancy column can be grouped by it
    enriched = apps.merge(hand["vacancies"][["vacancy_id", "administration"]], on="vacancy_id")
    pd.testing.assert_frame_equal(
        withdrawals(enriched, by="administration"), withdrawals(apps, by="administration", vacancies=hand["vacancies"])
    )


def test_unknown_group_column_is_a_clear_error(hand):
    with pytest.raises(KeyError, match="not a column"):
        late_withdrawal_rate(hand["applications"], hand["vacancies"], by="no_such_column")
    with pytest.raises(KeyError, match="not a column"):
        competence_supply(hand["vacancies"], hand["applications"], by="gender")  # application-level
    with pytest.raises(ValueError, match="period"):
        offers(hand["applications"], hand["vacancies"], period="week")


def test_groups_are_those_of_grouped(hand):
    """The vectorised tallies give the same groups, order and figures as common.grouped."""
    by = ["administration", "period", "gender"]
    got = late_withdrawal_rate(hand["applications"], hand["vacancies"], by=by)
    enriched = enrich_applications(hand["applications"], hand["vacancies"])
    gender = enriched["gender"].astype(object).where(enriched["gender"].notna(), NOT_RECORDED)
    enriched["gender"] = pd.Categorical(gender, categories=list(C.GENDERS) + [NOT_RECORDED])

    def compute(sub):
        reached = sub["highest_stage"] >= 2
        late = reached & (sub["final_status"].astype(object) == "withdrawn") & (sub["withdrawn_stage"] >= 2)
        return {"n_withdrawn_late": int(late.sum()), "n": int(reached.sum())}

    want = grouped(enriched, by, compute)
    assert got[by].astype(str).values.tolist() == want[by].astype(str).values.tolist()  # same groups, same order
    merged = got.astype({c: str for c in by}).merge(want.astype({c: str for c in by}), on=by)
    assert (merged["n_withdrawn_late_x"] == merged["n_withdrawn_late_y"]).all()
    assert (merged["n_x"] == merged["n_y"]).all()


def test_missing_gender_is_a_group_of_its_own(hand):
    out = late_withdrawal_rate(hand["applications"], hand["vacancies"], by="gender")
    assert out["gender"].astype(str).tolist() == ["woman", "man", NOT_RECORDED]
    assert out["n"].sum() == 10


# --------------------------------------------------------------------------- pilot coverage


def test_pilot_coverage_by_hand(hand):
    cov = pilot_coverage(
        hand["vacancies"], hand["applications"], hand["background_checks"], hand["pilot_rollout"], cut_date="2024-06-30"
    )
    assert isinstance(cov, PilotCoverage) and set(cov) == {
        "rollout",
        "checks_by_type",
        "hires_checked",
        "roles_covered",
    }
    for table in cov.values():
        assert "outcome" not in table.columns
    ro = cov["rollout"]
    assert list(ro.columns[:6]) == ["administration", "role_group", "scope", "check_type", "start_date", "end_date"]
    assert (ro["months_in_force"] == 4.0).all()  # 2024-01-01 .. 2024-04-30
    assert not ro["in_force_at_cut"].any()
    mid = pilot_coverage(
        hand["vacancies"], hand["applications"], hand["background_checks"], hand["pilot_rollout"], cut_date="2024-03-15"
    )["rollout"]
    assert (mid["months_in_force"] == 2.5).all() and mid["in_force_at_cut"].all()  # 75 days

    cbt = cov["checks_by_type"]
    assert list(cbt.columns) == [
        "administration",
        "check_type",
        "year",
        "n_checks",
        "n_completed",
        "n_pending",
        "n_cancelled",
        "n",
    ]
    court = _row(cbt, administration="UBF", check_type="court_records")
    assert (court["year"], court["n_checks"], court["n_completed"], court["n_pending"], court["n_cancelled"]) == (
        2024,
        3,
        1,
        1,
        1,
    )
    assert _row(cbt, administration="VOF", check_type="register_lss")["n_cancelled"] == 1
    assert cbt["n_checks"].sum() == 6

    hc = cov["hires_checked"]
    row = _row(hc, administration="UBF", phase="during")
    assert (row["n_hires"], row["n_hires_with_court_check"], row["n_hires_with_register_extract"]) == (2, 2, 1)
    assert row["share_hires_checked"] == 1.0 and row["n"] == 2

    rc = cov["roles_covered"]
    row = _row(rc, administration="UBF", role_group="teacher")
    assert (row["n_court_records"], row["n_court_and_credit"], row["n"]) == (3, 1, 4) and row["in_rollout"]
    assert len(rc) == 1


# --------------------------------------------------------------------------- demo data

SEED = 2023


@pytest.fixture(scope="module")
def scenarios():
    return {name: generate(seed=SEED, scenario=name) for name in ("none", "large", "deterrence")}


def _did(tables) -> float:
    late = late_withdrawal_rate(
        tables["applications"], tables["vacancies"], by=["arm", "phase"], pilot_rollout=tables["pilot_rollout"]
    ).set_index(["arm", "phase"])
    r = late["late_withdrawal_rate"]
    return (r["pilot", "during"] - r["pilot", "before"]) - (r["comparison", "during"] - r["comparison", "before"])


def test_demo_late_withdrawal_difference_matches_truth(scenarios):
    none, large = scenarios["none"], scenarios["large"]
    truth = large.truth["effects"]["late_stage_withdrawal"]["value"]
    assert truth == pytest.approx(0.06)
    did_none, did_large = _did(none.tables), _did(large.tables)
    assert abs(did_none) < 0.02  # no effect: diff-in-diff near zero
    assert did_large - did_none == pytest.approx(truth, abs=0.02)
    assert did_large == pytest.approx(truth, abs=0.025)


def test_demo_late_withdrawal_matches_truth_counts(scenarios):
    """Without in-progress applications the figure is the one truth.json reports."""
    large = scenarios["large"]
    t = large.tables
    late = late_withdrawal_rate(
        t["applications"],
        t["vacancies"],
        by=["arm", "phase"],
        pilot_rollout=t["pilot_rollout"],
        include_in_progress=False,
    )
    late = late.set_index(["arm", "phase"])
    observed = large.truth["realised"]["late_stage_withdrawal"]["observed_rates"]
    for arm, group in (("pilot", "pilot_administrations"), ("comparison", "comparison_administrations")):
        for phase, per in (("before", "pre"), ("during", "pilot"), ("after", "post")):
            want = observed[group][per]
            row = late.loc[(arm, phase)]
            assert row["n_reached_interview"] == want["reached_interview"]
            assert row["n_withdrawn_late"] == want["late_withdrawals"]


def test_demo_deterrence_fewer_applicants_for_treated_ads(scenarios):
    def per_vacancy(export):
        t = export.tables
        return competence_supply(
            t["vacancies"], t["applications"], by=["treated", "check_in_ad"], pilot_rollout=t["pilot_rollout"]
        ).set_index(["treated", "check_in_ad"])

    none, deter = per_vacancy(scenarios["none"]), per_vacancy(scenarios["deterrence"])
    ratio = deter["applicants_per_vacancy"] / none["applicants_per_vacancy"]
    factor = scenarios["deterrence"].truth["effects"]["applicants_per_vacancy"]["value"]
    assert ratio[True, True] == pytest.approx(factor, abs=0.04)
    assert ratio[False, True] == pytest.approx(1.0, abs=0.03)
    assert ratio[False, False] == pytest.approx(1.0, abs=0.03)
    # the deterred applicants are the realised ones of truth.json
    realised = scenarios["deterrence"].truth["realised"]["applicants_per_vacancy"]["realised_factor"]
    assert ratio[True, True] == pytest.approx(realised, abs=0.04)


@pytest.mark.parametrize("measure", list(MEASURE_DIRECTION))
def test_demo_equality_ratios_and_flags(scenarios, measure):
    t = scenarios["large"].tables
    eq = equality(
        t["applications"], t["vacancies"], measure=measure, by=["arm", "phase"], pilot_rollout=t["pilot_rollout"]
    )
    ratio = eq["ratio_to_best"]
    assert (ratio.dropna() <= 1 + 1e-12).all() and (ratio.dropna() >= 0).all()
    flagged = eq["four_fifths_flag"]
    assert (flagged.isna() == ratio.isna()).all()
    assert (flagged.dropna().astype(bool) == (ratio.dropna() < 0.8)).all()
    # in every block one group is the best (ratio 1), and the best has the extreme rate
    for _, block in eq.dropna(subset=["ratio_to_best"]).groupby(["arm", "phase", "dimension"], observed=True):
        assert np.isclose(block["ratio_to_best"].max(), 1.0)
        best = block.loc[np.isclose(block["ratio_to_best"], 1.0), "rate"].iloc[0]
        extreme = block["rate"].max() if MEASURE_DIRECTION[measure] == "higher" else block["rate"].min()
        assert best == pytest.approx(extreme)
    assert (eq["n"] == eq["denominator"]).all()
    # every application is counted once per dimension
    if measure in ("withdrawal_rate", "hire_rate", "qualified_rate"):
        totals = eq.groupby("dimension")["denominator"].sum()
        assert (totals == len(t["applications"])).all()


def test_demo_pilot_coverage_equals_direct_counts(scenarios):
    export = scenarios["large"]
    t = export.tables
    cov = pilot_coverage(t["vacancies"], t["applications"], t["background_checks"], t["pilot_rollout"])
    checks = t["background_checks"]
    apps = t["applications"]
    vac = t["vacancies"].set_index("vacancy_id")
    # checks by type add up to the table, and per type to truth.json
    cbt = cov["checks_by_type"]
    assert cbt["n_checks"].sum() == len(checks)
    assert (
        cbt.groupby("check_type", observed=True)["n_checks"].sum().to_dict()
        == export.truth["realised"]["background_checks"]
    )
    assert (cbt["n_completed"] + cbt["n_pending"] + cbt["n_cancelled"] == cbt["n_checks"]).all()
    # checks by administration, directly
    admin_of_app = apps.set_index("application_id")["vacancy_id"].map(vac["administration"])
    direct = checks["application_id"].map(admin_of_app).value_counts().sort_index()
    assert cbt.groupby("administration", observed=True)["n_checks"].sum().sort_index().to_dict() == direct.to_dict()
    # court checks only in the pilot administrations
    court = cbt[cbt["check_type"].astype(str).isin(C.PILOT_CHECK_TYPES)]
    assert set(court["administration"].astype(str)) <= set(C.PILOT_ADMINISTRATIONS)
    # hires: all of them, and the ones with a court check
    hc = cov["hires_checked"]
    hired = apps[apps["final_status"].astype(str) == "hired"]
    assert hc["n_hires"].sum() == len(hired)
    court_apps = set(checks.loc[checks["check_type"].astype(str).isin(C.PILOT_CHECK_TYPES), "application_id"])
    assert hc["n_hires_with_court_check"].sum() == hired["application_id"].isin(court_apps).sum()
    during = hc[(hc["phase"].astype(str) == "during") & hc["administration"].astype(str).isin(C.PILOT_ADMINISTRATIONS)]
    assert (during["share_hires_checked"] > 0.9).all()
    assert (
        hc.loc[~hc["administration"].astype(str).isin(C.PILOT_ADMINISTRATIONS), "n_hires_with_court_check"] == 0
    ).all()
    # roles covered: the direct count of court checks by administration and role group
    rc = cov["roles_covered"]
    court_checks = checks[checks["check_type"].astype(str).isin(C.PILOT_CHECK_TYPES)]
    role_of_app = apps.set_index("application_id")["vacancy_id"].map(vac["role_group"])
    direct = (
        pd.DataFrame(
            {
                "a": court_checks["application_id"].map(admin_of_app),
                "r": court_checks["application_id"].map(role_of_app),
            }
        )
        .value_counts()
        .sort_index()
    )
    got = rc.set_index(["administration", "role_group"])["n"].sort_index()
    assert got.to_dict() == direct.to_dict()
    assert rc["in_rollout"].all()
    # roll-out: the pilot ran 2023-09-01 .. 2024-12-31 = 16 months
    assert (cov["rollout"]["months_in_force"] == 16.0).all()


def test_fine_grained_groupings_run_on_demo(scenarios):

    t = scenarios["large"].tables
    by = ["administration", "role_group", "period"]
    calls = [
        lambda: withdrawals(t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]),
        lambda: late_withdrawal_rate(
            t["applications"], t["vacancies"], by=by + ["gender"], pilot_rollout=t["pilot_rollout"], period="month"
        ),
        lambda: equality(t["applications"], t["vacancies"], by=by, pilot_rollout=t["pilot_rollout"]),
        lambda: competence_supply(
            t["vacancies"], t["applications"], t["staffing_monthly"], by=by, pilot_rollout=t["pilot_rollout"]
        ),
        lambda: pilot_coverage(t["vacancies"], t["applications"], t["background_checks"], t["pilot_rollout"]),
    ]
    for call in calls:  # speed is measured by benchmarks/measures.py, not asserted here
        result = call()
        assert len(result) > 0


def test_application_measures_document_the_vacancies_parameter():
    from pilot_eval.measures import equality, late_withdrawal_rate, offers, withdrawal_reasons, withdrawals

    for func in (withdrawals, late_withdrawal_rate, withdrawal_reasons, offers, equality):
        doc = func.__doc__
        assert "{vacancies_parameter}" not in doc, func.__name__
        assert "    vacancies : DataFrame, optional (keyword)\n        The processed vacancies." in doc, func.__name__
