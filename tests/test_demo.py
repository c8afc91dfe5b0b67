"""Tests of the synthetic export generator (pilot_eval.demo).

The consistency rules below mirror the ones the ingest validator quarantines rows for;
the demo must break none of them.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from pilot_eval import contract as C
from pilot_eval.demo import SCENARIOS, YEARLY_VACANCIES, DemoExport, generate, write_export

PILOT = list(C.PILOT_ADMINISTRATIONS)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def default_export() -> DemoExport:
    return generate()


@pytest.fixture(scope="module")
def small_export() -> DemoExport:
    return generate(seed=11, scale=0.08, start="2023-01-01", end="2024-06-30")


@pytest.fixture(scope="module")
def none_and_large() -> tuple[DemoExport, DemoExport]:
    return generate(seed=5, scenario="none"), generate(seed=5, scenario="large")


# --------------------------------------------------------------------------- the rules


def consistency_violations(tables: dict[str, pd.DataFrame], cut_date) -> dict[str, int]:
    """Count the rows breaking each validation rule (all vectorised)."""
    cut = pd.Timestamp(cut_date)
    v = tables["vacancies"]
    a = tables["applications"]
    c = tables["background_checks"]
    r = tables["pilot_rollout"]
    s = tables["staffing_monthly"]
    bad: dict[str, pd.Series | np.ndarray] = {}

    # vacancies
    bad["v: id not unique"] = v.vacancy_id.duplicated()
    bad["v: closing < published"] = v.closing_date < v.published_date
    bad["v: first offer < published"] = v.first_offer_date < v.published_date
    bad["v: accepted < first offer"] = v.accepted_date < v.first_offer_date
    bad["v: accepted without first offer"] = v.accepted_date.notna() & v.first_offer_date.isna()
    bad["v: start < accepted"] = v.start_date < v.accepted_date
    bad["v: start without accepted"] = v.start_date.notna() & v.accepted_date.isna()
    bad["v: time to fill >= 730"] = (v.accepted_date - v.published_date).dt.days >= 730
    filled = v.status == "filled"
    bad["v: filled <=> accepted"] = filled != v.accepted_date.notna()
    bad["v: open with closed/accepted"] = (v.status == "open") & (v.closed_date.notna() | v.accepted_date.notna())
    ended = v.status.isin(["cancelled", "unfilled", "readvertised"])
    bad["v: ended without closed"] = ended & v.closed_date.isna()
    bad["v: ended closed < published"] = ended & (v.closed_date < v.published_date)
    bad["v: ended with accepted"] = ended & v.accepted_date.notna()
    # a filled vacancy not yet closed at the cut has no closed_date (it is not an event yet)
    bad["v: filled closed < accepted"] = filled & v.closed_date.notna() & ~(v.closed_date >= v.accepted_date)
    bad["v: positions < 1"] = v.positions < 1
    by_id = v.set_index("vacancy_id")
    ro = v[v.readvertisement_of.notna()]
    parent_status = ro.readvertisement_of.map(by_id.status)
    parent_pub = ro.readvertisement_of.map(by_id.published_date)
    bad["v: re-ad of unknown vacancy"] = parent_status.isna()
    bad["v: re-ad of non-readvertised"] = parent_status.notna() & (parent_status != "readvertised")
    bad["v: re-ad not published later"] = ~(parent_pub < ro.published_date)
    bad["v: manager flag"] = v.is_manager != (v.role_group == "manager")

    # applications
    m = a.merge(
        v[["vacancy_id", "published_date", "closing_date", "first_offer_date", "positions", "status"]],
        on="vacancy_id",
        how="left",
        suffixes=("", "_v"),
        indicator=True,
    )
    bad["a: id not unique"] = a.application_id.duplicated()
    bad["a: unknown vacancy"] = m._merge != "both"
    bad["a: submitted < published"] = m.submitted_date < m.published_date
    bad["a: submitted > closing"] = m.submitted_date > m.closing_date
    wd = a.final_status == "withdrawn"
    bad["a: withdrawn <=> date"] = wd != a.withdrawn_date.notna()
    bad["a: withdrawn <=> stage"] = wd != a.withdrawn_stage.notna()
    bad["a: withdrawn stage > highest"] = (a.withdrawn_stage > a.highest_stage).fillna(False)
    bad["a: withdrawn date < submitted"] = a.withdrawn_date < a.submitted_date
    bad["a: reason without withdrawal"] = a.withdrawal_reason.notna() & ~wd
    off = a.offer_date.notna()
    bad["a: offer with stage < 5"] = off & (a.highest_stage < 5)
    bad["a: offer < submitted"] = a.offer_date < a.submitted_date
    hired = a.final_status == "hired"
    bad["a: hired stage < 6"] = hired & (a.highest_stage < 6)
    bad["a: hired without offer"] = hired & ~off
    dec = a.final_status == "declined_offer"
    bad["a: declined without offer"] = dec & ~off
    bad["a: declined stage != 5"] = dec & (a.highest_stage != 5)
    bad["a: stage out of range"] = ~a.highest_stage.between(0, 7)
    hires = a[hired].groupby("vacancy_id").size()
    hv = v.vacancy_id.map(hires).fillna(0)
    bad["v: more hires than positions"] = hv > v.positions
    bad["v: filled without hire"] = filled & (hv == 0)
    mh = m[hired.to_numpy()]
    bad["a: hire offer < first offer"] = mh.offer_date < mh.first_offer_date
    bad["a: hired in non-filled vacancy"] = mh.status != "filled"

    # background checks
    mc = c.merge(
        a[["application_id", "submitted_date", "highest_stage"]], on="application_id", how="left", indicator=True
    )
    bad["c: id not unique"] = c.check_id.duplicated()
    bad["c: unknown application"] = mc._merge != "both"
    bad["c: requested < submitted"] = mc.requested_date < mc.submitted_date
    bad["c: completed < requested"] = c.completed_date < c.requested_date
    done = c.status == "completed"
    bad["c: completed <=> date"] = done != c.completed_date.notna()
    bad["c: completed <=> outcome"] = done != c.outcome.notna()
    bad["c: application stage < 4"] = mc.highest_stage < 4

    # nothing happened after the cut date
    for table, cols in C.EVENT_DATES.items():
        for col in cols:
            bad[f"{table}.{col} after cut"] = tables[table][col] > cut
    bad["r: end < start"] = r.end_date < r.start_date
    bad["s: share_qualified outside [0, 1]"] = ~s.share_qualified.between(0, 1) & s.share_qualified.notna()
    return {k: int(np.asarray(b).sum()) for k, b in bad.items()}


def assert_consistent(export: DemoExport, cut_date) -> None:
    counts = consistency_violations(export.tables, cut_date)
    broken = {k: n for k, n in counts.items() if n}
    assert not broken, broken


def assert_contract_types(export: DemoExport) -> None:
    for name, spec in C.TABLES.items():
        df = export.tables[name]
        assert list(df.columns) == spec.column_names, name
        for col in spec.columns:
            s = df[col.name]
            if not col.nullable and col.kind != "bool":
                assert s.notna().all(), (name, col.name)
            if col.kind == "date":
                assert s.dtype == "datetime64[ns]", (name, col.name, s.dtype)
            elif col.kind == "bool":
                assert s.dtype == bool, (name, col.name, s.dtype)
            elif col.kind in ("int", "stage"):
                assert str(s.dtype) in ("int64", "Int64"), (name, col.name, s.dtype)
            elif col.kind == "float":
                assert s.dtype == "float64", (name, col.name)
            elif col.kind == "enum":
                present = set(s.dropna().unique())
                assert present <= set(col.values), (name, col.name, present - set(col.values))
            if col.minimum is not None and col.kind != "date":
                assert (s.dropna() >= col.minimum).all(), (name, col.name)
            if col.maximum is not None and col.kind != "date":
                assert (s.dropna() <= col.maximum).all(), (name, col.name)


# --------------------------------------------------------------------------- tests


def test_tables_follow_the_contract(default_export):
    assert set(default_export.tables) == set(C.TABLES)
    assert_contract_types(default_export)
    v = default_export.tables["vacancies"]
    assert v.ssyk_code.dropna().str.fullmatch(r"\d{4}").all()
    assert 0.01 < v.ssyk_code.isna().mean() < 0.15


def test_default_export_breaks_no_rule(default_export):
    assert_consistent(default_export, "2026-02-28")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(seed=3, scenario="large", scale=0.5),
        dict(seed=4, scenario="deterrence", scale=0.5, rollout="staggered"),
        dict(seed=6, scenario="none", scale=0.5, pilot_continues=True),
        dict(seed=8, scenario="delay", scale=0.5, cut_date="2024-06-30"),
        dict(seed=9, scenario="large", scale=0.3, start="2023-03-15", end="2024-02-10", cut_date="2024-03-01"),
    ],
)
def test_variants_break_no_rule(kwargs):
    export = generate(**kwargs)
    assert_contract_types(export)
    assert_consistent(export, kwargs.get("cut_date", kwargs.get("end", "2026-02-28")))


def test_cut_date_censors(default_export):
    ex = generate(seed=8, scale=0.5, cut_date="2024-06-30")
    v, a, c = (ex.tables[k] for k in ("vacancies", "applications", "background_checks"))
    assert v.published_date.max() <= pd.Timestamp("2024-06-30")
    # processes still running at the cut look like it
    assert (v.status == "open").sum() > 20
    assert (a.final_status == "in_progress").sum() > 100
    assert (c.status == "pending").sum() > 0
    assert ex.truth["cut_date"] == "2024-06-30"


def test_determinism(tmp_path, small_export):
    again = generate(seed=11, scale=0.08, start="2023-01-01", end="2024-06-30")
    for name in C.TABLES:
        pd.testing.assert_frame_equal(small_export.tables[name], again.tables[name])
    assert small_export.truth == again.truth
    p1 = write_export(small_export, tmp_path / "one")
    p2 = write_export(again, tmp_path / "two")
    assert [p.name for p in p1] == [p.name for p in p2]
    for x, y in zip(p1, p2, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name
    other = generate(seed=12, scale=0.08, start="2023-01-01", end="2024-06-30")
    assert not other.tables["vacancies"].equals(small_export.tables["vacancies"])
    assert (
        set(other.tables["vacancies"].vacancy_id).isdisjoint(small_export.tables["vacancies"].vacancy_id)
        or len(set(other.tables["vacancies"].vacancy_id) & set(small_export.tables["vacancies"].vacancy_id)) < 3
    )


def test_volumes_per_administration(default_export):
    v = default_export.tables["vacancies"]
    full_years = v[v.published_date.dt.year.between(2021, 2025)]
    per_year = full_years.groupby([full_years.published_date.dt.year, "administration"]).size().unstack()
    for admin, target in YEARLY_VACANCIES.items():
        assert abs(per_year[admin].mean() / target - 1) < 0.20, (admin, per_year[admin].mean(), target)
        assert ((per_year[admin] / target - 1).abs() < 0.40).all(), (admin, per_year[admin].tolist())
    a = default_export.tables["applications"]
    assert 5_500 < len(v) < 9_000
    assert 110_000 < len(a) < 190_000
    s = default_export.tables["staffing_monthly"]
    monthly = s.groupby("month")[["headcount_permanent", "headcount_temporary"]].sum().sum(axis=1)
    assert monthly.between(5_000, 7_500).all()
    turnover = s.voluntary_leavers.sum() / s.headcount_permanent.sum()
    assert 0.005 < turnover < 0.012


def test_realism(default_export):
    v = default_export.tables["vacancies"]
    a = default_export.tables["applications"]
    c = default_export.tables["background_checks"]
    month = v.published_date.dt.month
    assert (month == 7).sum() < 0.5 * (month == 4).sum()
    assert (month.isin([3, 4, 5]).sum() / 3) > (month.isin([9, 10, 11]).sum() / 3)
    # summer substitutes are advertised in spring only (re-advertisements may run into June)
    summer = v.employment_type == "summer"
    assert month[summer & v.readvertisement_of.isna()].isin([2, 3, 4, 5]).all()
    assert month[summer].isin([2, 3, 4, 5, 6, 7]).all()
    # re-advertisements repeat the original advert; summer substitutes start in June/July
    ch = v[v.readvertisement_of.notna()].merge(
        v, left_on="readvertisement_of", right_on="vacancy_id", suffixes=("", "_parent")
    )
    assert len(ch) > 100
    for col in ("administration", "role_group", "statutory_check", "employment_type", "positions"):
        assert (ch[col] == ch[col + "_parent"]).all(), col
    assert (ch.published_date > ch.closed_date_parent).all()
    summer_start = v.start_date[summer & v.start_date.notna()].dt.month
    assert summer_start.isin([6, 7, 8]).all() and (summer_start == 6).mean() > 0.5
    # applicants per vacancy: shortage roles few, volume roles many
    n = a.groupby("vacancy_id").size().reindex(v.vacancy_id, fill_value=0).to_numpy()
    per_role = pd.Series(n, index=v.role_group.to_numpy()).groupby(level=0).mean()
    for role in ("teacher", "preschool_teacher", "social_worker"):
        assert 3 < per_role[role] < 10, (role, per_role[role])
    for role in ("childminder", "youth_leader", "administrator", "care_assistant"):
        assert 20 < per_role[role] < 45, (role, per_role[role])
    # time to fill right-skewed, mostly 30-90 days
    ttf = (v.accepted_date - v.published_date).dt.days.dropna()
    assert 35 < ttf.median() < 75 and ttf.mean() > ttf.median()
    assert ttf.between(30, 90).mean() > 0.6
    # statutory checks where the law asks for them
    st = v.groupby(["administration", "role_group"]).statutory_check.agg(lambda x: x.mode()[0])
    assert st["UBF", "teacher"] == "school_preschool"
    assert st["SOF", "treatment_assistant"] == "hvb"
    assert st["KOF", "youth_leader"] == "other_children"
    assert (
        v[
            v.administration.isin(["VOF", "TFF", "SBF", "KLF", "AVF"]) & (v.role_group != "personal_assistant")
        ].statutory_check
        == "none"
    ).all()
    # women majority in care and school roles
    care = a.merge(v[["vacancy_id", "role_group"]], on="vacancy_id")
    share_w = care[care.role_group.isin(["preschool_teacher", "assistant_nurse"])].gender.eq("woman").mean()
    assert share_w > 0.75
    # every status, reason and stage shows up
    assert set(v.status) == set(C.VACANCY_STATUSES)
    assert set(a.final_status) == set(C.FINAL_STATUSES)
    assert set(a.withdrawal_reason.dropna()) == set(C.WITHDRAWAL_REASONS)
    assert set(a.highest_stage) == set(range(8))
    assert set(c.status) == set(C.CHECK_STATUSES)
    assert set(c.outcome.dropna()) == set(C.CHECK_OUTCOMES)
    assert c.outcome.eq("cleared").mean() > 0.9
    done = c[c.status == "completed"]
    turn = (done.completed_date - done.requested_date).dt.days
    kind = done.check_type.str.startswith("register")
    assert 7 <= turn[kind].median() <= 13
    assert 2 <= turn[~kind].median() <= 6


def test_ids_are_opaque(default_export):
    ids = pd.concat(
        [
            default_export.tables["vacancies"].vacancy_id,
            default_export.tables["applications"].application_id,
            default_export.tables["background_checks"].check_id,
        ]
    )
    assert ids.is_unique
    assert ids.str.fullmatch(r"[RAK]-[0-9a-f]{8,10}").all()
    assert ids.str.contains(r"[a-f]").all()
    assert not ids.str.contains(r"\d{3}").any()  # never 3 digits in a row
    pnr = r"(?:19|20)?\d{6}[-+]?\d{4}"
    assert not ids.str.contains(pnr).any()
    assert not ids.str.contains("@").any()
    v = default_export.tables["vacancies"]
    assert v.readvertisement_of.dropna().isin(v.vacancy_id).all()


def test_rollout_rows():
    default = generate(seed=1, scale=0.05, start="2023-01-01", end="2024-03-31").tables["pilot_rollout"]
    assert len(default) == 9
    assert set(default.administration) == set(PILOT)
    assert set(default.role_group) == {"all"}
    assert set(zip(default.scope, default.check_type, strict=True)) == {
        ("new_hires", "court_records"),
        ("placements", "court_records"),
        ("managers_financial", "court_and_credit"),
    }
    assert (default.start_date == pd.Timestamp("2023-09-01")).all()
    assert (default.end_date == pd.Timestamp("2024-12-31")).all()
    stag = generate(seed=1, scale=0.05, start="2023-01-01", end="2024-03-31", rollout="staggered")
    starts = stag.tables["pilot_rollout"].groupby("administration").start_date.unique()
    assert starts["UBF"][0] == pd.Timestamp("2023-09-01")
    assert starts["SOF"][0] == pd.Timestamp("2024-01-01")
    assert starts["KOF"][0] == pd.Timestamp("2024-04-01")
    assert stag.truth["rollout"] == "staggered" and len(stag.truth["rollout_rows"]) == 9
    cont = generate(seed=1, scale=0.05, start="2023-01-01", end="2024-03-31", pilot_continues=True)
    assert cont.tables["pilot_rollout"].end_date.isna().all()
    assert all(row["end_date"] is None for row in cont.truth["rollout_rows"])


def _treated_mask(v: pd.DataFrame, rollout: pd.DataFrame) -> pd.Series:
    nh = rollout[rollout.scope == "new_hires"].set_index("administration")
    start = v.administration.map(nh.start_date)
    end = v.administration.map(nh.end_date).fillna(pd.Timestamp.max)
    return (v.published_date >= start) & (v.published_date <= end)


def test_pilot_checks_and_ads_follow_the_rollout():
    ex = generate(seed=21, scenario="large", scale=0.6, rollout="staggered")
    v, a, c = (ex.tables[k] for k in ("vacancies", "applications", "background_checks"))
    treated = _treated_mask(v, ex.tables["pilot_rollout"])
    assert treated.sum() == ex.truth["realised"]["vacancies"]["treated"]
    assert v.check_in_ad[treated].mean() > 0.85
    assert v.check_in_ad[~treated & (v.statutory_check == "none")].mean() < 0.1
    cv = c.merge(a[["application_id", "vacancy_id"]], on="application_id").merge(
        v.assign(treated=treated)[["vacancy_id", "treated", "is_manager", "statutory_check"]], on="vacancy_id"
    )
    pilot = cv.check_type.isin(C.PILOT_CHECK_TYPES)
    assert cv.treated[pilot].all()  # no court checks outside the pilot
    assert (cv[pilot & cv.is_manager].check_type == "court_and_credit").all()
    assert (cv[pilot & ~cv.is_manager].check_type == "court_records").all()
    reg = ~pilot
    assert (cv.statutory_check[reg] != "none").all()
    # every treated application reaching stage 4 got a deepened check
    at4 = a.merge(v.assign(treated=treated)[["vacancy_id", "treated"]], on="vacancy_id")
    at4 = at4[(at4.highest_stage >= 4) & at4.treated]
    assert at4.application_id.isin(cv.application_id[pilot]).all()


def test_none_has_no_effect(none_and_large):
    none, _ = none_and_large
    real = none.truth["realised"]
    assert real["time_to_fill_delay"]["mean_added_days_treated_filled"] == 0
    assert real["late_stage_withdrawal"]["induced_withdrawals"] == 0
    assert real["applicants_per_vacancy"]["deterred_applicants"] == 0
    assert real["applicants_per_vacancy"]["realised_factor"] == 1.0
    assert none.truth["effects"]["time_to_fill_delay"]["value"] == 0


def test_realised_effects_match_what_was_applied(none_and_large):
    none, large = none_and_large
    p = SCENARIOS["large"]
    real = large.truth["realised"]
    assert large.truth["effects"]["time_to_fill_delay"]["value"] == p["delay_days"]
    assert abs(real["time_to_fill_delay"]["mean_added_days_treated_filled"] - p["delay_days"]) < 2.0
    lw = real["late_stage_withdrawal"]
    assert abs(lw["induced_share"] - p["late_withdrawal_pp"]) < 0.015
    assert lw["induced_share"] == pytest.approx(
        lw["induced_withdrawals"] / lw["treated_applications_reaching_interview"], abs=1e-4
    )
    ap = real["applicants_per_vacancy"]
    assert abs(ap["realised_factor"] - p["applicant_factor"]) < 0.03
    assert ap["would_be_applicants"] - ap["applicants"] == ap["deterred_applicants"] > 0
    # common random numbers: the same original adverts in both scenarios; control ones identical,
    # treated filled ones later by about the applied delay
    vn, vl = none.tables["vacancies"], large.tables["vacancies"]
    g_n = vn[vn.readvertisement_of.isna()].set_index("vacancy_id")
    g_l = vl[vl.readvertisement_of.isna()].set_index("vacancy_id")
    # Re-advertisements are drawn in a scenario-dependent order, so only original adverts are
    # paired by id; those whose original was published before the window (and so lost their
    # reference) can only appear early in the window, hence the 2022 cut-off.
    g_n = g_n[g_n.published_date >= "2022-01-01"]
    g_l = g_l[g_l.published_date >= "2022-01-01"]
    assert g_n.index.sort_values().equals(g_l.index.sort_values())
    m = g_n.join(g_l, rsuffix="_l")
    treated = _treated_mask(m, large.tables["pilot_rollout"])
    ctrl = m[~treated]
    for col in ("status", "accepted_date", "first_offer_date", "closed_date", "start_date"):
        left, right = ctrl[col].astype(str), ctrl[col + "_l"].astype(str)  # NaT == NaT as "NaT"
        assert (left == right).all(), col
    both = m[treated & (m.status == "filled") & (m.status_l == "filled")]
    diff = (both.accepted_date_l - both.accepted_date).dt.days
    assert abs(diff.mean() - real["time_to_fill_delay"]["mean_added_days_treated_filled"]) < 2.5
    assert diff.median() > 0
    # and the applicants of treated adverts that mention the check are fewer
    a_n = none.tables["applications"].groupby("vacancy_id").size()
    a_l = large.tables["applications"].groupby("vacancy_id").size()
    sel = m[treated & m.check_in_ad].index
    ratio = a_l.reindex(sel, fill_value=0).sum() / a_n.reindex(sel, fill_value=0).sum()
    assert abs(ratio - p["applicant_factor"]) < 0.04


def _did(v: pd.DataFrame, value: pd.Series) -> float:
    treated_admin = v.administration.isin(PILOT)
    pilot = (v.published_date >= "2023-09-01") & (v.published_date <= "2024-12-31")
    pre = v.published_date < "2023-09-01"
    mean = lambda m: value[m].mean()  # noqa: E731
    return float(
        (mean(treated_admin & pilot) - mean(treated_admin & pre))
        - (mean(~treated_admin & pilot) - mean(~treated_admin & pre))
    )


def test_difference_in_differences_recovers_the_large_effect():
    large = generate(seed=2024, scenario="large", scale=4)
    v = large.tables["vacancies"]
    filled = v[v.status == "filled"]
    ttf = (filled.accepted_date - filled.published_date).dt.days
    did = _did(filled, ttf)
    assert abs(did - SCENARIOS["large"]["delay_days"]) < 6, did
    # late-stage withdrawal (applications whose process has ended, reaching interview)
    a = large.tables["applications"].merge(v[["vacancy_id", "administration", "published_date"]], on="vacancy_id")
    a = a[(a.highest_stage >= 2) & (a.final_status != "in_progress")]
    late = ((a.final_status == "withdrawn") & (a.withdrawn_stage >= 2)).astype(float)
    did_w = _did(a, late)
    assert abs(did_w - SCENARIOS["large"]["late_withdrawal_pp"]) < 0.035, did_w
    # the effects vanish after the pilot: post-pilot treated vacancies carry no delay
    post = filled.published_date > "2024-12-31"
    assert large.truth["realised"]["vacancies"]["treated"] < (v.administration.isin(PILOT)).sum()
    t_post = (
        ttf[post & filled.administration.isin(PILOT)].mean() - ttf[post & ~filled.administration.isin(PILOT)].mean()
    )
    t_pre = (
        ttf[(filled.published_date < "2023-09-01") & filled.administration.isin(PILOT)].mean()
        - ttf[(filled.published_date < "2023-09-01") & ~filled.administration.isin(PILOT)].mean()
    )
    assert abs(t_post - t_pre) < 8


def test_truth_is_json_and_complete(default_export, tmp_path):
    truth = default_export.truth
    json.dumps(truth)
    for key in ("scenario", "seed", "scale", "window", "cut_date", "rollout_rows", "effects", "realised"):
        assert key in truth
    assert truth["window"] == {"start": "2021-01-01", "end": "2026-02-28"}
    for eff in truth["effects"].values():
        assert {"value", "unit", "applies_to"} <= set(eff)
    paths = write_export(default_export, tmp_path)
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8")) == truth
    assert paths[-1].name == "truth.json"


def test_default_csv_format(small_export, tmp_path):
    paths = write_export(small_export, tmp_path)
    assert [p.name for p in paths] == [f"{t}.csv" for t in C.TABLES] + ["truth.json"]
    text = (tmp_path / "vacancies.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == ",".join(C.TABLES["vacancies"].column_names)
    assert "\r" not in text
    body = "\n".join(lines[1:])
    assert re.search(r",(true|false)\n", body)
    assert not re.search(r"True|False|NaT|nan|None|00:00:00", text)
    assert re.search(r"\d{4}-\d{2}-\d{2}", body)
    # round trip
    v = pd.read_csv(tmp_path / "vacancies.csv", dtype=str, keep_default_na=False)
    orig = small_export.tables["vacancies"]
    assert len(v) == len(orig)
    assert (v.published_date == orig.published_date.dt.strftime("%Y-%m-%d")).all()
    assert (v.first_offer_date == orig.first_offer_date.dt.strftime("%Y-%m-%d").fillna("")).all()
    s = pd.read_csv(tmp_path / "staffing_monthly.csv")
    assert np.allclose(s.fte, small_export.tables["staffing_monthly"].fte)


def test_swedish_writer(small_export, tmp_path):
    paths = write_export(small_export, tmp_path, swedish=True)
    assert [p.name for p in paths] == [f"{t.swedish}.csv" for t in C.TABLES.values()] + ["truth.json"]
    raw = (tmp_path / "rekryteringar.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really Windows-1252, not UTF-8
    text = raw.decode("cp1252")
    header = text.split("\r\n")[0]
    # Swedish as an HR system writes it: å/ä/ö, capitals, spaces (each folds to the contract's name)
    assert header == ";".join(c.swedish_display for c in C.TABLES["vacancies"].columns)
    assert header.startswith("Rekryterings-ID;Förvaltning;Yrkesgrupp;SSYK;Anställningsform;Antal tjänster;")
    assert ";Sista ansökningsdag;" in header and ";Återannonsering av;" in header
    assert "Utbildningsförvaltningen" in text
    assert re.search(r";(Ja|Nej)\r\n", text)
    for label in (
        ";Tillsatt;",
        ";Ej tillsatt;",
        ";Återannonserad;",
        ";Barnskötare;",
        ";Förskollärare;",
        ";Skola/förskola;",
        ";Timanställning;",
    ):
        assert label in text, label
    assert (
        ";filled;" not in text
        and ";tillsatt;" not in text
        and ";barnskotare;" not in text.lower().replace("barnskötare", "")
    )
    stf = (tmp_path / "bemanning_manad.csv").read_bytes().decode("cp1252")
    first = stf.split("\r\n")[1].split(";")
    fte = first[[c.swedish for c in C.TABLES["staffing_monthly"].columns].index("arsarbetare")]
    assert re.fullmatch(r"\d+(,\d+)?", fte)
    assert stf.startswith("Förvaltning;Yrkesgrupp;Månad;Antal tillsvidare;")
    sv = pd.read_csv(tmp_path / "ansokningar.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert set(sv["Slutstatus"]) <= {"Anställd", "Ej aktuell", "Återkallad", "Tackat nej", "Avbruten", "Pågående"}
    assert set(sv["Kön"]) <= {"Kvinna", "Man", "Annat/okänt", ""} and "25–34" in set(sv["Åldersgrupp"])
    # UTF-8 with BOM on request
    write_export(small_export, tmp_path / "bom", swedish=True, encoding="utf-8-sig")
    assert (tmp_path / "bom" / "rekryteringar.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_excel_writer(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    ex = generate(seed=2, scale=0.03, start="2023-06-01", end="2024-05-31")
    paths = write_export(ex, tmp_path / "a", excel=True)
    assert [p.name for p in paths] == [f"{t}.xlsx" for t in C.TABLES] + ["truth.json"]
    wb = openpyxl.load_workbook(tmp_path / "a" / "vacancies.xlsx")
    assert wb.sheetnames == ["vacancies"]
    ws = wb["vacancies"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == C.TABLES["vacancies"].column_names
    pub = ws.cell(row=2, column=header.index("published_date") + 1)
    assert pub.is_date
    back = pd.read_excel(tmp_path / "a" / "applications.xlsx", sheet_name="applications")
    assert len(back) == len(ex.tables["applications"])
    # Swedish names and stable bytes
    write_export(ex, tmp_path / "b", excel=True, swedish=True)
    write_export(ex, tmp_path / "c", excel=True, swedish=True)
    wb = openpyxl.load_workbook(tmp_path / "b" / "rekryteringar.xlsx")
    assert wb.sheetnames == ["rekryteringar"]
    assert [c.value for c in next(wb.active.iter_rows(max_row=1))][:3] == [
        "Rekryterings-ID",
        "Förvaltning",
        "Yrkesgrupp",
    ]
    roles = set(next(wb.active.iter_cols(min_col=3, max_col=3, min_row=2, values_only=True)))
    assert roles <= {C.ROLE_GROUP_DISPLAY_SV[r] for r in C.ROLE_GROUPS} and "Förskollärare" in roles
    for name in ("rekryteringar.xlsx", "ansokningar.xlsx", "bemanning_manad.xlsx"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_bad_arguments():
    with pytest.raises(ValueError, match="scenario"):
        generate(scenario="huge")
    with pytest.raises(ValueError, match="rollout"):
        generate(rollout="sometimes")
    with pytest.raises(ValueError, match="scale"):
        generate(scale=0)
    with pytest.raises(ValueError, match="before"):
        generate(start="2024-01-01", end="2023-01-01")


@pytest.mark.slow
def test_scale_ten_is_consistent():
    ex = generate(seed=10, scale=10, scenario="large")
    assert len(ex.tables["applications"]) > 1_000_000
    assert_consistent(ex, "2026-02-28")
