"""Durations and the panel: hand-built tables with the answer worked out here, then the
demo data against its truth.json."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval.demo import generate
from pilot_eval.measures.common import enrich_applications, grouped
from pilot_eval.measures.durations import (
    check_turnaround,
    cumulative_incidence,
    fill_durations,
    hire_dates,
    time_to_fill,
    time_to_hire,
)
from pilot_eval.measures.panel import build_panel

CUT = "2024-06-30"


def _vac(rows):
    cols = [
        "vacancy_id",
        "administration",
        "role_group",
        "published_date",
        "accepted_date",
        "closed_date",
        "start_date",
        "status",
        "positions",
    ]
    frame = pd.DataFrame(rows, columns=cols)
    for c in ("published_date", "accepted_date", "closed_date", "start_date"):
        frame[c] = pd.to_datetime(frame[c])
    frame["statutory_check"] = "none"
    frame["employment_type"] = "permanent"
    frame["is_manager"] = False
    frame["check_in_ad"] = False
    return frame


# four vacancies published 2024-01-01: filled at day 30, filled at day 60 (2 positions),
# cancelled at day 40, still open at the cut date (182 days)
BASIC = _vac(
    [
        ["R-1", "UBF", "teacher", "2024-01-01", "2024-01-31", "2024-01-31", "2024-03-01", "filled", 1],
        ["R-2", "UBF", "teacher", "2024-01-01", "2024-03-01", "2024-03-01", "2024-04-01", "filled", 2],
        ["R-3", "UBF", "teacher", "2024-01-01", None, "2024-02-10", None, "cancelled", 1],
        ["R-4", "UBF", "teacher", "2024-01-01", None, None, None, "open", 1],
    ]
)


def test_cumulative_incidence_by_hand_with_ties():
    # times 1 (event 1), 2 (event 2), 2 (event 1), 3 (censored)
    # t=1: n=4, d1=1 -> CIF=1/4, S=3/4; t=2: n=3, d1=1, d2=1 -> CIF += 3/4*1/3 = 1/2
    got = cumulative_incidence(np.array([1, 2, 2, 3]), np.array([1, 2, 1, 0]), [0, 1, 2, 3, 10])
    np.testing.assert_allclose(got, [0, 0.25, 0.5, 0.5, 0.5])


def test_cumulative_incidence_is_one_minus_km_without_competing_events():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(1)
    d = rng.integers(1, 60, 300).astype(float)  # many ties
    e = rng.random(300) < 0.7
    kmf = KaplanMeierFitter().fit(d, e)
    times = [5, 10, 30, 59]
    np.testing.assert_allclose(
        cumulative_incidence(d, e.astype(int), times), 1 - kmf.survival_function_at_times(times).to_numpy(), atol=1e-12
    )


def test_cumulative_incidence_matches_lifelines_aalen_johansen_without_ties():
    from lifelines import AalenJohansenFitter

    rng = np.random.default_rng(2)
    d = rng.exponential(30, 400)  # continuous: no ties, so lifelines does not jitter
    e = rng.choice([0, 1, 2], 400, p=[0.2, 0.6, 0.2])
    ajf = AalenJohansenFitter(calculate_variance=False).fit(d, e, event_of_interest=1)
    times = [10.0, 30.0, 60.0]
    expected = [ajf.cumulative_density_.loc[:t].iloc[-1, 0] for t in times]
    np.testing.assert_allclose(cumulative_incidence(d, e, times, 1), expected, atol=1e-10)


def test_fill_durations_censor_at_cut_and_compete():
    got = fill_durations(BASIC, CUT)
    assert got["duration"].tolist() == [30, 60, 40, 181]
    assert got["event"].tolist() == [1, 1, 2, 0]
    # an earlier cut date: R-2's acceptance lies after it, so R-2 is censored at the cut
    early = fill_durations(BASIC, "2024-02-15")
    assert early["duration"].tolist() == [30, 45, 40, 45]
    assert early["event"].tolist() == [1, 0, 2, 0]


def test_time_to_fill_worked_example():
    got = time_to_fill(BASIC, CUT).iloc[0]
    assert (got["n_filled"], got["n_competing"], got["n_censored"], got["n"]) == (2, 1, 1, 4)
    assert got["n_positions"] == 5
    # KM with the cancellation censored: S(30)=3/4; at 60 two at risk, one fills: S(60)=3/8
    assert got["median_days"] == 60
    # Aalen-Johansen: 1/4 at 30; cancellation at 40 leaves S=1/2; at 60: + 1/2 * 1/2
    assert got["filled_within_60"] == pytest.approx(0.5)
    assert got["filled_within_90"] == pytest.approx(0.5)
    # RMST to 90 on the KM curve: 30*1 + 30*3/4 + 30*3/8
    assert got["rmst_90"] == pytest.approx(30 + 22.5 + 11.25)
    assert list(time_to_fill(BASIC, CUT).columns)[-1] == "n"


def test_time_to_fill_ties_and_groups():
    rows = [
        [f"R-{i}", "UBF" if i < 4 else "VOF", "teacher", "2024-01-01", "2024-01-21", "2024-01-21", None, "filled", 1]
        for i in range(8)
    ]
    rows[4][4] = rows[4][5] = "2024-02-10"  # one VOF vacancy takes 40 days
    got = time_to_fill(_vac(rows), CUT, by="administration")
    assert got["administration"].tolist() == ["UBF", "VOF"]
    assert got["median_days"].tolist() == [20, 20]
    assert got["filled_within_60"].tolist() == [1.0, 1.0]
    assert got["rmst_90"].tolist() == pytest.approx([20, (3 * 20 + 40) / 4])
    assert got.columns[0] == "administration" and got.columns[-1] == "n"


def test_readvertisement_is_a_competing_outcome_and_a_new_clock():
    vac = _vac(
        [
            ["R-1", "UBF", "teacher", "2024-01-01", None, "2024-02-01", None, "readvertised", 1],
            ["R-2", "UBF", "teacher", "2024-02-05", "2024-03-06", "2024-03-06", None, "filled", 1],
        ]
    )
    got = time_to_fill(vac, CUT).iloc[0]
    assert (got["n_filled"], got["n_competing"]) == (1, 1)
    # R-2's own clock: 30 days; R-1 never fills
    assert got["filled_within_60"] == pytest.approx(0.5)


def test_time_to_hire_worked_example():
    apps = pd.DataFrame(
        {
            "application_id": ["A-1", "A-2", "A-3"],
            "vacancy_id": ["R-1", "R-2", "R-2"],
            "submitted_date": pd.to_datetime(["2024-01-10", "2024-01-05", "2024-01-06"]),
            "offer_date": pd.to_datetime(["2024-01-25", "2024-02-20", "2024-02-24"]),
            "final_status": ["hired", "hired", "declined_offer"],
        }
    )
    got = time_to_hire(apps, BASIC)
    got = got.set_index("measure")
    # offer 15, accepted (R-1 2024-01-31) 21, start (2024-03-01) - offer 36
    # offer 46, accepted (R-2 2024-03-01) 56, start (2024-04-01) - offer 41
    assert got.loc["submitted_to_offer", "median_days"] == pytest.approx((15 + 46) / 2)
    assert got.loc["submitted_to_accepted", "median_days"] == pytest.approx((21 + 56) / 2)
    assert got.loc["offer_to_start", "mean_days"] == pytest.approx((36 + 41) / 2)
    assert got["n"].tolist() == [2, 2, 2]


# multi-position vacancy M-1 (3 positions): first acceptance 2024-02-05, start 2024-03-01;
# single-position S-1; S-2 records an acceptance before its only hire's offer (inconsistent)
MULTI = _vac(
    [
        ["M-1", "UBF", "teacher", "2024-01-01", "2024-02-05", "2024-02-25", "2024-03-01", "filled", 3],
        ["S-1", "UBF", "teacher", "2024-01-01", "2024-02-01", "2024-02-01", "2024-02-15", "filled", 1],
        ["S-2", "VOF", "teacher", "2024-01-01", "2024-01-20", "2024-01-20", "2024-02-10", "filled", 1],
    ]
)
MULTI_APPS = pd.DataFrame(
    {
        "application_id": ["h1", "h2", "h3", "h4", "d1", "h5", "h6"],
        "vacancy_id": ["M-1", "M-1", "M-1", "M-1", "M-1", "S-1", "S-2"],
        "submitted_date": pd.to_datetime(
            ["2024-01-10", "2024-01-12", "2024-01-15", "2024-01-20", "2024-01-05", "2024-01-05", "2024-01-10"]
        ),
        # h1, h2 offered on M-1's earliest hire offer date (a tie); h3 two days later, still
        # before M-1's acceptance; h4 after it; d1 (declined, not a hire) earlier than all
        "offer_date": pd.to_datetime(
            ["2024-02-01", "2024-02-01", "2024-02-03", "2024-02-20", "2024-01-25", "2024-01-29", "2024-01-25"]
        ),
        "final_status": ["hired", "hired", "hired", "hired", "declined_offer", "hired", "hired"],
    }
)


def test_hire_dates_on_multi_position_vacancies():
    got = hire_dates(MULTI_APPS, MULTI).set_index(
        MULTI_APPS.loc[MULTI_APPS["final_status"] == "hired", "application_id"]
    )
    assert "d1" not in got.index
    acc = got["accepted_date"].dt.strftime("%Y-%m-%d").where(got["accepted_date"].notna(), None).to_dict()
    # the vacancy's first acceptance belongs to the hires offered on its earliest offer
    # date (h1, h2) and to a single-position vacancy's hire (h5); not to later hires (h3,
    # h4: h4 was even offered after it) nor where it precedes the offer (h6)
    assert acc == {"h1": "2024-02-05", "h2": "2024-02-05", "h3": None, "h4": None, "h5": "2024-02-01", "h6": None}
    start = got["start_date"].dt.strftime("%Y-%m-%d").where(got["start_date"].notna(), None).to_dict()
    assert start == {"h1": "2024-03-01", "h2": "2024-03-01", "h3": None, "h4": None, "h5": "2024-02-15", "h6": None}
    assert got["accepted_source"].tolist() == ["vacancy", "vacancy", None, None, "vacancy", None]


def test_time_to_hire_on_multi_position_vacancies():
    got = time_to_hire(MULTI_APPS, MULTI).set_index("measure")
    # submitted -> offer, every hire: h1 22, h2 20, h3 19, h4 31, h5 24, h6 15
    assert got.loc["submitted_to_offer", "n"] == 6
    assert got.loc["submitted_to_offer", "mean_days"] == pytest.approx((22 + 20 + 19 + 31 + 24 + 15) / 6)
    # submitted -> acceptance: h1 26, h2 24, h5 27
    assert got.loc["submitted_to_accepted", "n"] == 3
    assert got.loc["submitted_to_accepted", "median_days"] == 26
    assert got.loc["submitted_to_accepted", "mean_days"] == pytest.approx((26 + 24 + 27) / 3)
    # offer -> start: h1 29, h2 29, h5 17 (h4 would have had 10 days from the first hire's start)
    assert got.loc["offer_to_start", "n"] == 3
    assert got.loc["offer_to_start", "mean_days"] == pytest.approx((29 + 29 + 17) / 3)


def test_time_to_hire_uses_the_applications_own_dates_where_given():
    apps = MULTI_APPS.assign(
        accepted_date=pd.to_datetime([None, None, "2024-02-06", None, None, None, "2024-01-28"]),
        start_date=pd.to_datetime([None, None, "2024-03-15", None, None, None, None]),
    )
    got = hire_dates(apps, MULTI)
    got.index = apps.loc[got.index, "application_id"]
    assert got.loc["h3", "accepted_date"] == pd.Timestamp("2024-02-06")
    assert got.loc["h3", "start_date"] == pd.Timestamp("2024-03-15")
    assert got.loc["h3", "accepted_source"] == "application"
    # h6's own acceptance differs from S-2's recorded one: S-2's start is not taken for it
    assert got.loc["h6", "accepted_date"] == pd.Timestamp("2024-01-28") and pd.isna(got.loc["h6", "start_date"])
    table = time_to_hire(apps, MULTI).set_index("measure")
    assert table.loc["submitted_to_accepted", "n"] == 5  # h1 h2 h5 + own dates of h3 and h6


def test_time_to_hire_groups_equal_a_per_group_computation():
    export = generate(seed=5, scenario="large", scale=0.3)
    t = export.tables
    by = ["administration", "role_group", "period"]
    got = time_to_hire(t["applications"], t["vacancies"], by=by, period="month")
    # the former per-group loop, on the same hire dates
    apps = enrich_applications(t["applications"], t["vacancies"], None, "month")
    hired = apps.loc[apps["final_status"].astype(str) == "hired"].reset_index(drop=True)
    dates = hire_dates(t["applications"], t["vacancies"]).reset_index(drop=True)
    spans = {
        "submitted_to_offer": dates["offer_date"] - dates["submitted_date"],
        "submitted_to_accepted": dates["accepted_date"] - dates["submitted_date"],
        "offer_to_start": dates["start_date"] - dates["offer_date"],
    }
    long = pd.concat(
        [hired.assign(measure=k, days=v.dt.days.astype(float)) for k, v in spans.items()], ignore_index=True
    )
    long = long.loc[long["days"].notna() & (long["days"] >= 0)]
    long["measure"] = pd.Categorical(long["measure"], categories=list(spans))

    def compute(sub):
        days = sub["days"]
        return {
            "median_days": float(days.median()),
            "q25_days": float(days.quantile(0.25)),
            "q75_days": float(days.quantile(0.75)),
            "mean_days": float(days.mean()),
            "n": len(sub),
        }

    expected = grouped(long, by + ["measure"], compute)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    # every hire is in submitted_to_offer; later hires on multi-position vacancies are
    # not in the other two
    n = got.groupby("measure", observed=True)["n"].sum()
    assert n["submitted_to_offer"] == (t["applications"]["final_status"].astype(str) == "hired").sum()
    assert n["submitted_to_accepted"] < n["submitted_to_offer"]


def test_check_turnaround_censors_pending_and_leaves_out_cancelled():
    checks = pd.DataFrame(
        {
            "check_id": list("abcde"),
            "application_id": ["A-1"] * 5,
            "check_type": ["court_records"] * 4 + ["register_school"],
            "requested_date": pd.to_datetime(["2024-06-01", "2024-06-01", "2024-06-01", "2024-06-20", "2024-06-01"]),
            "completed_date": pd.to_datetime(["2024-06-04", "2024-06-06", None, None, "2024-06-11"]),
            "status": ["completed", "completed", "cancelled_by_candidate", "pending", "completed"],
        }
    )
    got = check_turnaround(checks, CUT).set_index("check_type")
    court = got.loc["court_records"]
    assert (court["n_completed"], court["n_pending"], court["n_cancelled"], court["n"]) == (2, 1, 1, 3)
    # durations 3, 5 and a pending one censored at 10 days: S(3)=2/3, S(5)=1/3
    assert court["median_days"] == 5
    assert court["within_7"] == pytest.approx(2 / 3)
    assert got.loc["register_school", "median_days"] == 10


# --------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo_pair():
    none = generate(seed=5, scenario="none")
    large = generate(seed=5, scenario="large")
    return none, large


def test_treated_counts_equal_truth(demo_pair):
    _, large = demo_pair
    t, truth = large.tables, large.truth
    got = time_to_fill(t["vacancies"], truth["cut_date"], by="treated", pilot_rollout=t["pilot_rollout"])
    treated = got.set_index("treated").loc[True]
    assert treated["n"] == truth["realised"]["vacancies"]["treated"]
    assert treated["n_filled"] == truth["realised"]["vacancies"]["treated_filled"]
    checks = check_turnaround(t["background_checks"], truth["cut_date"])
    by_type = (checks.set_index("check_type")["n"] + checks.set_index("check_type")["n_cancelled"]).to_dict()
    assert by_type == truth["realised"]["background_checks"]


def test_large_scenario_delay_is_seen_in_time_to_fill(demo_pair):
    none, large = demo_pair
    cut = large.truth["cut_date"]

    def by_treated(export):
        return time_to_fill(
            export.tables["vacancies"], cut, by="treated", pilot_rollout=export.tables["pilot_rollout"]
        ).set_index("treated")

    a, b = by_treated(none), by_treated(large)
    true_days = large.truth["effects"]["time_to_fill_delay"]["value"]
    # the same seed: untreated vacancies are identical, treated ones move by the delay
    assert a.loc[False, "median_days"] == b.loc[False, "median_days"]
    shift = b.loc[True, "median_days"] - a.loc[True, "median_days"]
    assert abs(shift - true_days) <= 5, shift
    assert b.loc[True, "filled_within_60"] < a.loc[True, "filled_within_60"] - 0.1


def test_check_turnaround_by_type_matches_design(demo_pair):
    _, large = demo_pair
    got = check_turnaround(large.tables["background_checks"], large.truth["cut_date"]).set_index("check_type")
    assert 3 <= got.loc["court_records", "median_days"] <= 5  # "about 4 days"
    assert 8 <= got.loc["register_school", "median_days"] <= 12  # "about 10 days"


# --------------------------------------------------------------------------- panel


def test_panel_is_balanced_and_adds_up(demo_pair):
    _, large = demo_pair
    t = large.tables
    cut = large.truth["cut_date"]
    panel = build_panel(t, cut, unit=("administration",))
    n_periods = panel["period"].nunique()
    assert len(panel) == 8 * n_periods and n_periods == 21  # 2021Q1 … 2026Q1
    assert panel["n_vacancies"].sum() == len(t["vacancies"])
    assert panel["n_applications"].sum() == len(t["applications"])
    assert panel.columns[:2].tolist() == ["administration", "period"]
    cohorts = panel.groupby("administration")["cohort_index"].first().to_dict()
    q3_2023 = panel.loc[panel["period"] == "2023Q3", "period_index"].iloc[0]
    assert cohorts == {a: (q3_2023 if a in ("SOF", "UBF", "KOF") else 0) for a in cohorts}
    sof = panel[panel["administration"] == "SOF"].set_index("period")
    # 2023-09-01 start: July and August are outside, so a third of Q3 is exposed
    assert sof.loc["2023Q3", "exposure"] == pytest.approx(30 / 92)
    assert sof.loc["2024Q2", "exposure"] == 1.0 and sof.loc["2025Q1", "exposure"] == 0.0
    assert sof.loc["2025Q1", "phase"] == "after" and sof.loc["2022Q1", "phase"] == "before"
    # the last quarter has no vacancy followed for 90 days
    assert panel.loc[panel["period"] == "2026Q1", "n_followed_90"].sum() == 0
    assert panel.loc[panel["period"] == "2026Q1", "filled_within_90"].isna().all()


def test_panel_has_n_and_the_denominators_of_its_rates(demo_pair):
    _, large = demo_pair
    panel = build_panel(large.tables, large.truth["cut_date"])
    assert panel.columns[-1] == "n"
    assert (panel["n"] == panel["n_vacancies"]).all()
    followed = panel["n_followed_90"] > 0
    np.testing.assert_allclose(
        panel.loc[followed, "filled_within_90"],
        panel.loc[followed, "n_filled_90"] / panel.loc[followed, "n_followed_90"],
    )
    assert panel.loc[~followed, "filled_within_90"].isna().all()
    assert (panel["n_filled_90"] <= panel["n_followed_90"]).all()
    # each rate after its counts
    cols = list(panel.columns)
    for rate, counts in {
        "filled_within_90": ("n_followed_90", "n_filled_90"),
        "applicants_per_vacancy": ("n_vacancies", "n_applications"),
        "qualified_per_vacancy": ("n_vacancies", "n_qualified"),
        "late_withdrawal_rate": ("n_reached_interview", "n_withdrawn_late"),
        "acceptance_rate": ("n_offers_decided", "n_accepted"),
    }.items():
        assert all(cols.index(c) < cols.index(rate) for c in counts), rate
        den, num = counts
        ok = panel[den] > 0
        np.testing.assert_allclose(panel.loc[ok, rate], panel.loc[ok, num] / panel.loc[ok, den])


def test_panel_late_withdrawal_matches_truth_counts(demo_pair):
    _, large = demo_pair
    panel = build_panel(large.tables, large.truth["cut_date"], unit=("administration",))
    treated = panel[panel["arm"] == "pilot"]
    assert panel["n_withdrawn_late"].sum() <= panel["n_reached_interview"].sum()
    assert treated["n_reached_interview"].sum() > 0
    rate = panel["late_withdrawal_rate"]
    assert ((rate >= 0) & (rate <= 1) | rate.isna()).all()


def test_staggered_rollout_gives_three_cohorts():
    export = generate(seed=3, scenario="none", rollout="staggered", scale=0.3)
    panel = build_panel(export.tables, export.truth["cut_date"], unit=("administration",))
    cohorts = panel.groupby("administration")["cohort"].first().dropna().to_dict()
    assert cohorts == {"UBF": "2023Q3", "SOF": "2024Q1", "KOF": "2024Q2"}
