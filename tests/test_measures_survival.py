"""The grouped Kaplan–Meier of pilot_eval.measures.survival against lifelines, the reference.

lifelines fits one group at a time, so the measures compute the
Kaplan–Meier figures of all groups at once; these tests fit lifelines' KaplanMeierFitter
per group — on hand-built tables with ties, censoring and competing outcomes, on random
tables, and on the demo data — and require the same curve, median, confidence interval
of the median, survival at given days and restricted mean. The per-group reference
implementations of time_to_fill and check_turnaround below are the lifelines code the
measures used before they were vectorised.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.utils import (
    median_survival_times,
    qth_survival_time,
    restricted_mean_survival_time,
)

from pilot_eval.demo import generate
from pilot_eval.measures import survival as S
from pilot_eval.measures.common import enrich_applications, enrich_vacancies, grouped
from pilot_eval.measures.durations import (
    CENSORED,
    COMPETING,
    FILLED,
    check_turnaround,
    cumulative_incidence,
    fill_durations,
    km_curves,
    time_to_fill,
)
from pilot_eval.measures.survival import kaplan_meier

# --------------------------------------------------------------------------- the lifelines reference


def _fit(d, observed) -> KaplanMeierFitter:
    kmf = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf.fit(np.asarray(d, dtype=float), event_observed=np.asarray(observed, dtype=bool))
    return kmf


def _finite(x) -> float:
    x = float(x)
    return x if np.isfinite(x) else np.nan


def _lifelines_summary(d, observed, horizons=(), rmst_to=None) -> dict:
    """The measures' former per-group computation (lifelines)."""
    out = {"median_days": np.nan, "median_conf_low": np.nan, "median_conf_high": np.nan}
    if len(d) == 0:
        out.update({f"within_{h}": np.nan for h in horizons})
        if rmst_to:
            out[f"rmst_{rmst_to}"] = np.nan
        return out
    kmf = _fit(d, observed)
    ci = median_survival_times(kmf.confidence_interval_)
    out["median_days"] = _finite(kmf.median_survival_time_)
    out["median_conf_low"] = _finite(ci.iloc[0, 0])
    out["median_conf_high"] = _finite(ci.iloc[0, 1])
    for h in horizons:
        out[f"within_{h}"] = float(1.0 - kmf.survival_function_at_times(h).iloc[0])
    if rmst_to:
        out[f"rmst_{rmst_to}"] = float(restricted_mean_survival_time(kmf, t=rmst_to))
    return out


def reference_time_to_fill(vacancies, cut_date, by=None, pilot_rollout=None, period="quarter") -> pd.DataFrame:
    frame = enrich_vacancies(vacancies, pilot_rollout, period).join(fill_durations(vacancies, cut_date))

    def compute(sub):
        d, e = sub["duration"].to_numpy(), sub["event"].to_numpy()
        km = _lifelines_summary(d, e == FILLED, rmst_to=90)
        cif = cumulative_incidence(d, e, [60, 90], FILLED) if len(d) else [np.nan, np.nan]
        return {
            "n_filled": int((e == FILLED).sum()),
            "n_competing": int((e == COMPETING).sum()),
            "n_censored": int((e == CENSORED).sum()),
            "n_positions": int(sub["positions"].sum()),
            "median_days": km["median_days"],
            "median_conf_low": km["median_conf_low"],
            "median_conf_high": km["median_conf_high"],
            "filled_within_60": float(cif[0]),
            "filled_within_90": float(cif[1]),
            "rmst_90": km["rmst_90"],
            "n": len(sub),
        }

    by = [by] if isinstance(by, str) else list(by or [])
    return grouped(frame, by, compute)


def reference_check_turnaround(
    checks, cut_date, by=None, applications=None, vacancies=None, pilot_rollout=None, period="quarter"
) -> pd.DataFrame:
    cut = pd.Timestamp(cut_date)
    checks = checks.copy()
    if applications is not None and vacancies is not None:
        apps = enrich_applications(applications, vacancies, pilot_rollout, period)
        extra = [c for c in apps.columns if c not in checks.columns or c == "application_id"]
        checks = checks.merge(apps[extra], on="application_id", how="left", validate="many_to_one")
    status = checks["status"].astype(str)
    done, pending = status == "completed", status == "pending"
    end = checks["completed_date"].where(done, cut)
    checks["days"] = (end - checks["requested_date"]).dt.days.clip(lower=0).astype(float)
    checks["done"], checks["kept"] = done, done | pending
    checks["check_type"] = checks["check_type"].astype(str)

    def compute(sub):
        kept = sub.loc[sub["kept"]]
        km = _lifelines_summary(kept["days"].to_numpy(), kept["done"].to_numpy(), horizons=(7, 14))
        return {
            "n_completed": int(kept["done"].sum()),
            "n_pending": int((~kept["done"]).sum()),
            "n_cancelled": int((~sub["kept"]).sum()),
            "median_days": km["median_days"],
            "median_conf_low": km["median_conf_low"],
            "median_conf_high": km["median_conf_high"],
            "within_7": km["within_7"],
            "within_14": km["within_14"],
            "n": len(kept),
        }

    by = [by] if isinstance(by, str) else list(by or [])
    return grouped(checks, by + ["check_type"], compute)


def assert_same_as_lifelines(d, e, g, n_groups=None, event_of_interest=1, times=(0, 7, 30, 60, 90), tau=90):
    """Every figure of kaplan_meier equals a lifelines fit of each group."""
    d, e, g = np.asarray(d, dtype=float), np.asarray(e), np.asarray(g)
    km = kaplan_meier(d, e, g, n_groups, event_of_interest=event_of_interest)
    size = km.n_groups
    med, low, high = km.median(), km.median("lower"), km.median("upper")
    at, rmst = km.at(list(times)), km.rmst(tau)
    cif = km.at(list(times), "cumulative_incidence")
    observed = e.astype(bool) if e.dtype == bool else e == event_of_interest
    for k in range(size):
        m = g == k
        if not m.any():
            assert np.isnan([med[k], low[k], high[k], rmst[k]]).all() and np.isnan(at[k]).all()
            continue
        kmf = _fit(d[m], observed[m])
        rows = km.group == k
        # the curve and its band, to the bit
        np.testing.assert_array_equal(km.time[rows], kmf.survival_function_.index.to_numpy())
        np.testing.assert_array_equal(km.survival[rows], kmf.survival_function_.iloc[:, 0].to_numpy())
        np.testing.assert_array_equal(km.lower[rows], kmf.confidence_interval_.iloc[:, 0].to_numpy())
        np.testing.assert_array_equal(km.upper[rows], kmf.confidence_interval_.iloc[:, 1].to_numpy())
        np.testing.assert_array_equal(km.n_at_risk[rows], kmf.event_table["at_risk"].to_numpy())
        np.testing.assert_array_equal(km.n_events[rows], kmf.event_table["observed"].to_numpy())
        ci = median_survival_times(kmf.confidence_interval_)
        expected = [_finite(kmf.median_survival_time_), _finite(ci.iloc[0, 0]), _finite(ci.iloc[0, 1])]
        np.testing.assert_array_equal([med[k], low[k], high[k]], expected)
        np.testing.assert_array_equal(at[k], kmf.survival_function_at_times(list(times)).to_numpy())
        assert rmst[k] == pytest.approx(restricted_mean_survival_time(kmf, t=tau), abs=1e-9, rel=1e-12)
        ev = e[m] if e.dtype != bool else e[m].astype(int)
        np.testing.assert_array_equal(cif[k], cumulative_incidence(d[m], ev, list(times), event_of_interest))


# --------------------------------------------------------------------------- hand-built tables


def test_worked_example_by_hand():
    # 30 filled, 60 filled, 40 cancelled (competing), 181 open: S(30)=3/4, S(60)=3/8
    km = kaplan_meier([30, 60, 40, 181], [FILLED, FILLED, COMPETING, CENSORED], event_of_interest=FILLED)
    assert km.median()[0] == 60
    assert km.at([29, 30, 59, 60, 200])[0] == pytest.approx([1, 0.75, 0.75, 0.375, 0.375])
    assert km.rmst(90)[0] == pytest.approx(30 + 30 * 0.75 + 30 * 0.375)
    # Aalen-Johansen: 1/4 at 30; the cancellation at 40 leaves 1/2 surviving; + 1/2 * 1/2 at 60
    assert km.at([60, 90], "cumulative_incidence")[0] == pytest.approx([0.5, 0.5])
    assert km.at_risk([0, 30, 31, 61])[0].tolist() == [4, 4, 3, 1]


HAND_GROUPS = [
    # (durations, events): ties, censoring at the same day as events, exact one-half crossings
    ([1, 2, 2, 3], [1, 2, 1, 0]),
    ([5, 5, 10, 10], [1, 1, 1, 0]),  # S = 1/2 exactly on a tie
    ([3, 3, 3, 3], [1, 1, 1, 1]),  # everything at one time: S falls to 0
    ([0, 0, 4, 8], [1, 0, 1, 1]),  # events and censoring at day 0
    ([7], [0]),  # one censored vacancy: no median, S = 1
    ([7], [1]),  # one filled
    ([10, 10, 10, 20, 20, 30], [0, 0, 0, 0, 0, 0]),  # all censored
    ([2, 4, 4, 4, 6, 8, 8, 9, 12, 12], [1, 1, 0, 2, 1, 1, 1, 0, 1, 2]),
    ([20, 40, 40, 60], [1, 1, 1, 1]),  # S = 1/2 then 1/4: median at the tie, no interval end
    ([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0]),  # S stays at exactly 1/2 after day 3
]


def test_hand_built_groups_equal_lifelines():
    d = np.concatenate([g[0] for g in HAND_GROUPS]).astype(float)
    e = np.concatenate([g[1] for g in HAND_GROUPS])
    g = np.repeat(np.arange(len(HAND_GROUPS)), [len(x[0]) for x in HAND_GROUPS])
    # shuffled rows and an empty group at the end
    order = np.random.default_rng(0).permutation(len(d))
    assert_same_as_lifelines(
        d[order], e[order], g[order], n_groups=len(HAND_GROUPS) + 1, times=(0, 3, 5, 10, 50), tau=10
    )


def test_one_half_exactly_resolved_as_lifelines():
    # 2 of 4 filled on day 10: S(10) is 1/2 in exact arithmetic; lifelines computes
    # exp(log(3/4) + log(2/3)) and takes day 10 or the next event by the last bit
    km = kaplan_meier([5, 10, 15, 20], [1, 1, 1, 1])
    expected = _fit([5, 10, 15, 20], [1, 1, 1, 1]).median_survival_time_
    assert km.median()[0] == expected


def test_no_event_group_and_bool_events():
    km = kaplan_meier([3.0, 4.0, 5.0], np.array([False, False, False]))
    assert np.isnan(km.median()[0]) and km.at([10])[0, 0] == 1.0 and km.rmst(4)[0] == 4.0
    assert km.at([10], "cumulative_incidence")[0, 0] == 0.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier([-1.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="finite"):
        kaplan_meier([np.nan, 2.0], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1.0, 2.0], [1])
    with pytest.raises(ValueError, match="n_groups"):
        kaplan_meier([1.0, 2.0], [1, 1], [0, 3], n_groups=2)
    with pytest.raises(ValueError, match="which"):
        kaplan_meier([1.0], [1]).median("middle")


def test_empty_input():
    km = kaplan_meier([], [], np.zeros(0, dtype=int), n_groups=2)
    assert np.isnan(km.median()).all() and np.isnan(km.rmst(90)).all() and km.at([1]).shape == (2, 1)
    assert km.at_risk([0]).tolist() == [[0], [0]]


def test_non_monotone_band_uses_binary_search_as_lifelines():
    # a band that rises again: lifelines' qth_survival_time binary-searches it (numpy
    # searchsorted) instead of taking the first crossing; so do we
    km = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1])
    band = np.array([1.0, 0.8, 0.45, 0.6, 0.55, 0.3, 0.1])
    odd = dataclasses.replace(km, lower=band)
    expected = qth_survival_time(0.5, pd.Series(band, index=km.time))
    assert odd.median("lower")[0] == expected
    assert expected != 2.0  # the first crossing would be day 2


@pytest.mark.parametrize("chunk", [S._CHUNK_CELLS, 1, 25])
def test_random_groups_equal_lifelines(monkeypatch, chunk):
    # small chunks: the zero-padded group x time matrix is accumulated in many pieces
    monkeypatch.setattr(S, "_CHUNK_CELLS", chunk)
    rng = np.random.default_rng(7)
    n = 1500
    g = rng.integers(0, 60, n)
    g[g == 13] = 14  # group 13 has no rows
    d = rng.integers(0, 100, n).astype(float)  # many ties
    e = rng.choice([0, 1, 2], n, p=[0.25, 0.55, 0.2])
    assert_same_as_lifelines(d, e, g, n_groups=61)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 30), st.integers(0, 2)), min_size=1, max_size=60))
def test_property_equal_lifelines(rows):
    g, d, e = (np.array(x) for x in zip(*rows, strict=True))
    assert_same_as_lifelines(d.astype(float), e, g, times=(0, 5, 15, 30), tau=20)


# --------------------------------------------------------------------------- the measures


def _vac(rows):
    cols = [
        "vacancy_id",
        "administration",
        "role_group",
        "published_date",
        "accepted_date",
        "closed_date",
        "status",
        "positions",
    ]
    frame = pd.DataFrame(rows, columns=cols)
    for c in ("published_date", "accepted_date", "closed_date"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def test_time_to_fill_hand_built_ties_and_censoring_equal_reference():
    pub = "2024-01-01"
    rows = []
    for i, (admin, acc, closed, status) in enumerate(
        [
            ("UBF", "2024-01-21", "2024-01-21", "filled"),
            ("UBF", "2024-01-21", "2024-01-21", "filled"),
            ("UBF", None, "2024-01-21", "cancelled"),
            ("UBF", None, None, "open"),
            ("VOF", "2024-02-10", "2024-02-10", "filled"),
            ("VOF", "2024-02-10", "2024-02-10", "filled"),
            ("VOF", "2024-03-01", "2024-03-01", "filled"),
            ("VOF", None, "2024-03-01", "unfilled"),
            ("VOF", "2024-08-01", "2024-08-01", "filled"),  # accepted after the cut: censored at the cut
            ("KOF", None, None, "open"),
            ("KOF", None, None, "open"),
        ]
    ):
        rows.append([f"R-{i}", admin, "teacher", pub, acc, closed, status, 1 + i % 2])
    vac = _vac(rows)
    got = time_to_fill(vac, "2024-06-30", by="administration")
    pd.testing.assert_frame_equal(got, reference_time_to_fill(vac, "2024-06-30", by="administration"))
    assert got["median_days"].isna().tolist() == [True, False, False]  # KOF: nothing filled


@pytest.fixture(scope="module")
def demo():
    export = generate(seed=5, scenario="large", scale=0.3)
    return export.tables, export.truth["cut_date"]


@pytest.mark.parametrize(
    "by,period",
    [(None, "quarter"), (["arm", "phase"], "quarter"), (["administration", "period"], "half"), ("treated", "quarter")],
)
def test_time_to_fill_on_demo_equals_lifelines_per_group(demo, by, period):
    t, cut = demo
    kwargs = {"pilot_rollout": t["pilot_rollout"], "period": period}
    got = time_to_fill(t["vacancies"], cut, by=by, **kwargs)
    expected = reference_time_to_fill(t["vacancies"], cut, by=by, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("by", [None, ["administration", "period"], ["arm", "phase"]])
def test_check_turnaround_on_demo_equals_lifelines_per_group(demo, by):
    t, cut = demo
    kwargs = (
        {}
        if by is None
        else {
            "applications": t["applications"],
            "vacancies": t["vacancies"],
            "pilot_rollout": t["pilot_rollout"],
            "period": "year",
        }
    )
    got = check_turnaround(t["background_checks"], cut, by=by, **kwargs)
    expected = reference_check_turnaround(t["background_checks"], cut, by=by, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-9)


def test_check_turnaround_group_with_only_cancelled_checks():
    checks = pd.DataFrame(
        {
            "check_id": list("abc"),
            "application_id": ["A-1"] * 3,
            "check_type": ["court_records", "court_records", "register_school"],
            "requested_date": pd.to_datetime(["2024-06-01"] * 3),
            "completed_date": pd.to_datetime(["2024-06-04", None, None]),
            "status": ["completed", "pending", "cancelled_other"],
        }
    )
    got = check_turnaround(checks, "2024-06-30")
    pd.testing.assert_frame_equal(got, reference_check_turnaround(checks, "2024-06-30"))
    school = got.set_index("check_type").loc["register_school"]
    assert school["n"] == 0 and school["n_cancelled"] == 1 and np.isnan(school["median_days"])


def test_km_curves_equal_lifelines_and_the_report_at_risk(demo):
    t, cut = demo
    vac = t["vacancies"]
    curves = km_curves(vac, cut, by=["arm", "phase"], pilot_rollout=t["pilot_rollout"], horizon=120)
    assert curves.columns[:3].tolist() == ["arm", "phase", "day"] and curves.columns[-1] == "n"
    frame = enrich_vacancies(vac, t["pilot_rollout"]).join(fill_durations(vac, cut))
    days = np.arange(0, 121, dtype=float)
    for (arm, phase), sub in frame.groupby(["arm", "phase"], observed=True):
        mine = curves[(curves["arm"] == arm) & (curves["phase"] == phase)]
        d = sub["duration"].to_numpy(dtype=float)
        e = sub["event"].to_numpy()
        kmf = _fit(d, e == FILLED)
        np.testing.assert_array_equal(mine["day"], days)
        np.testing.assert_array_equal(mine["share_filled"], 1.0 - kmf.survival_function_at_times(days).to_numpy())
        np.testing.assert_array_equal(
            mine["share_filled_conf_high"], 1.0 - kmf.confidence_interval_.iloc[:, 0].asof(days).to_numpy()
        )
        # the report's fill_curves: at risk = len(durations) - searchsorted(sorted, day, "left")
        at_risk = len(d) - np.searchsorted(np.sort(d), days, side="left")
        np.testing.assert_array_equal(mine["n_at_risk"], at_risk)
        np.testing.assert_array_equal(mine["cumulative_incidence"], cumulative_incidence(d, e, days, FILLED))
        assert (mine["n"] == len(sub)).all()
    # the curve at 60 and 90 days is the table's filled_within (AJ) and 1 - S behind the median
    table = time_to_fill(vac, cut, by=["arm", "phase"], pilot_rollout=t["pilot_rollout"])
    at60 = curves[curves["day"] == 60].reset_index(drop=True)
    np.testing.assert_array_equal(at60["cumulative_incidence"], table["filled_within_60"])


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01, 0.2, 0.32])
def test_normal_quantile_is_scipys_to_the_bit(alpha):
    """The usual levels come from a table (no scipy import in the notebooks); they and
    any other level equal scipy's ndtri exactly, as lifelines uses it."""
    from scipy.special import ndtri

    from pilot_eval.measures.survival import _z

    assert _z(alpha) == float(ndtri(1 - alpha / 2))
    assert type(_z(alpha)) is float


def test_survival_curves_do_not_import_scipy_at_the_usual_level():
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "from pilot_eval.measures.survival import _z\n"
        "_z(0.05)\n"
        "print('scipy.special' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
