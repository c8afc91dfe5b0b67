"""Staggered difference-in-differences (pilot_eval.estimate.did) against the textbook
2×2, a published reference (Card & Krueger 1994), an independent implementation (csdid,
the Python port of R did; numbers and script in tests/results/did_csdid_reference.py) and
simulated panels with known effects."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from results.did_csdid_reference import CASES as CSDID_CASES
from results.did_csdid_reference import DATA as CSDID_DATA
from results.did_csdid_reference import RESULTS as CSDID_RESULTS
from scipy import stats

from pilot_eval.demo import generate
from pilot_eval.estimate.base import TIDY_COLUMNS
from pilot_eval.estimate.did import bacon_decomposition, staggered_did, twfe
from pilot_eval.measures import build_panel

RESULTS_DIR = Path(__file__).resolve().parent / "results"
KINDS = ("simple", "event", "group", "calendar")


def quiet(*args, **kwargs):
    """staggered_did with its notes (dropped unit-periods etc.) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(*args, **kwargs)


def simulate(cohorts: dict, periods: int, seed: int, noise: float = 1.0, effect=None, pretrend=None):
    """A staggered panel: unit effects (shifted by cohort), random-walk period effects, a
    deterministic effect ``effect(g, e)`` from the first treated period g on (e = t − g),
    optional cohort-specific pre-trends ``pretrend(g, t)`` and normal noise.

    ``cohorts`` maps first treated period (0 = never) to the number of units. Returns the
    long panel (unit, time, cohort, y, d) and the true ATT(g,t) of the post cells."""
    rng = np.random.default_rng(seed)
    effect = effect or (lambda g, e: 1.0 + 0.5 * e)
    lam = np.cumsum(rng.normal(size=periods))
    rows, truth = [], {}
    uid = 0
    for g, m in cohorts.items():
        for _ in range(m):
            uid += 1
            alpha = rng.normal() + 0.7 * g / periods
            for t in range(1, periods + 1):
                treated = g > 0 and t >= g
                tau = effect(g, t - g) if treated else 0.0
                if treated:
                    truth[(g, t)] = tau
                trend = pretrend(g, t) if pretrend else 0.0
                y = alpha + lam[t - 1] + tau + trend + noise * rng.normal()
                rows.append((f"u{uid:03d}", t, g, y, int(treated)))
    return pd.DataFrame(rows, columns=["unit", "time", "cohort", "y", "d"]), truth


def true_aggregates(panel: pd.DataFrame, truth: dict) -> dict:
    """The aggte targets from the true ATT(g,t) and the sample cohort shares."""
    share = panel.drop_duplicates("unit")["cohort"].value_counts(normalize=True)
    cells = pd.DataFrame([(g, t, v, share[g]) for (g, t), v in truth.items()], columns=["g", "t", "att", "pg"])
    cells["e"] = cells["t"] - cells["g"]

    def wmean(f):
        return float((f["att"] * f["pg"]).sum() / f["pg"].sum())

    event = {e: wmean(f) for e, f in cells.groupby("e")}
    group = {g: float(f["att"].mean()) for g, f in cells.groupby("g")}
    calendar = {t: wmean(f) for t, f in cells.groupby("t")}
    pgg = share[list(group)]
    return {
        "simple": wmean(cells),
        "event": float(np.mean(list(event.values()))),
        "group": float(sum(group[g] * pgg[g] for g in group) / pgg.sum()),
        "calendar": float(np.mean(list(calendar.values()))),
        "event_rows": event,
        "group_rows": group,
        "calendar_rows": calendar,
    }


# --------------------------------------------------------------------------- R did on mpdta
#
# The R package did's own example: Callaway & Sant'Anna's county teen employment panel
# (mpdta: 500 counties, 2003-2007, first treated 2004, 2006 or 2007, 309 never treated),
# never-treated controls, no covariates, varying base period. Printed output of did 2.5.0:
#
#   [README] https://github.com/bcallaway11/did/blob/0c4287f43c2964a580e3291cdc00e6bcdcfd1317/README.md
#            (att_gt(..., xformla = ~1, est_method = "reg"), summary(out), aggte "dynamic" and "group")
#   [AGGTE]  https://github.com/bcallaway11/did/blob/3571b74dcdba0a722523d8b4b9e7d4e4ae89d394/docs/reference/aggte.md
#            (= https://bcallaway11.github.io/did/reference/aggte.html, did 2.5.0: att_gt(..., xformla = NULL),
#            aggte "simple", "dynamic", "group", "calendar")
#
# Without covariates "reg" and "dr" are the same difference of mean changes, so both pages
# print the same point estimates. Their standard errors come from did's default multiplier
# bootstrap (1 000 draws, bstrap = TRUE), so they differ between the two pages by up to
# 10 % (e.g. group 2004: 0.0277 in README, 0.0300 in AGGTE); ours are the analytic
# influence-function ones, compared at 15 % — a missing cluster sum or a wrong 1/n would be
# off by far more (the pre-test p-value, which did computes analytically, matches to 1e-5).

MPDTA = Path(__file__).resolve().parent / "data" / "mpdta.csv"
CK_PUBLIC_DAT = Path(__file__).resolve().parent / "data" / "ck_public.dat"

#: ATT(g,t): [README] summary(out) "Group-Time Average Treatment Effects" (estimate, SE).
MPDTA_ATT_GT = {
    (2004, 2004): (-0.0105, 0.0241),
    (2004, 2005): (-0.0704, 0.0313),
    (2004, 2006): (-0.1373, 0.0380),
    (2004, 2007): (-0.1008, 0.0337),
    (2006, 2004): (0.0065, 0.0223),
    (2006, 2005): (-0.0028, 0.0196),
    (2006, 2006): (-0.0046, 0.0188),
    (2006, 2007): (-0.0412, 0.0202),
    (2007, 2004): (0.0305, 0.0154),
    (2007, 2005): (-0.0027, 0.0168),
    (2007, 2006): (-0.0311, 0.0190),
    (2007, 2007): (-0.0261, 0.0182),
}
#: [README] "P-value for pre-test of parallel trends assumption:  0.16812".
MPDTA_PRETEST_P = 0.16812
#: aggte(out, type = ...): overall row and the rows by event time / cohort / year, [AGGTE].
MPDTA_AGGTE = {
    "simple": {"overall": (-0.04, 0.0119)},
    "event": {
        "overall": (-0.0772, 0.0208),
        "event_time=-3": (0.0305, 0.0154),
        "event_time=-2": (-0.0006, 0.0129),
        "event_time=-1": (-0.0245, 0.0145),
        "event_time=0": (-0.0199, 0.0119),
        "event_time=1": (-0.0510, 0.0160),
        "event_time=2": (-0.1373, 0.0393),
        "event_time=3": (-0.1008, 0.0356),
    },
    "group": {
        "overall": (-0.031, 0.0126),
        "cohort=2004": (-0.0797, 0.0300),
        "cohort=2006": (-0.0229, 0.0163),
        "cohort=2007": (-0.0261, 0.0167),
    },
    "calendar": {
        "overall": (-0.0417, 0.0175),
        "time=2004": (-0.0105, 0.0242),
        "time=2005": (-0.0704, 0.0319),
        "time=2006": (-0.0488, 0.0206),
        "time=2007": (-0.0371, 0.0133),
    },
}
#: [README] aggte(out, type = "dynamic") overall -0.0772 (0.0196); type = "group" -0.031 (0.0123).
MPDTA_README_AGGTE = {"event": (-0.0772, 0.0196), "group": (-0.031, 0.0123)}


def _decimals(printed: float) -> float:
    """Half a unit in the last printed digit (did prints 4 significant decimals, or fewer)."""
    text = f"{printed:.4f}".rstrip("0")
    places = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -max(places, 1) + 1e-12


@pytest.fixture(scope="module")
def mpdta_fit():
    data = pd.read_csv(MPDTA)
    assert len(data) == 2500 and data["countyreal"].nunique() == 500
    assert data.drop_duplicates("countyreal")["first.treat"].value_counts().to_dict() == {
        0: 309,
        2007: 131,
        2006: 40,
        2004: 20,
    }
    return staggered_did(
        data,
        "lemp",
        unit="countyreal",
        time="year",
        cohort="first.treat",
        control="never_treated",
        base_period="varying",
    )


def test_mpdta_group_time_effects_match_r_did(mpdta_fit):
    att = mpdta_fit.att_gt.set_index(["cohort", "time"])
    assert len(att) == len(MPDTA_ATT_GT)
    for (g, t), (estimate, se) in MPDTA_ATT_GT.items():
        row = att.loc[(g, t)]
        assert row["estimate"] == pytest.approx(estimate, abs=_decimals(estimate)), (g, t)
        assert row["std_error"] == pytest.approx(se, rel=0.15), (g, t)
    assert mpdta_fit.pretrend_p_value == pytest.approx(MPDTA_PRETEST_P, abs=5e-6)


@pytest.mark.parametrize("kind", ["simple", "event", "group", "calendar"])
def test_mpdta_aggregations_match_r_did(mpdta_fit, kind):
    table = mpdta_fit.aggregate(kind).set_index("term")
    for term, (estimate, se) in MPDTA_AGGTE[kind].items():
        assert table.loc[term, "estimate"] == pytest.approx(estimate, abs=_decimals(estimate)), term
        assert table.loc[term, "std_error"] == pytest.approx(se, rel=0.15), term
    if kind in MPDTA_README_AGGTE:
        estimate, se = MPDTA_README_AGGTE[kind]
        assert table.loc["overall", "estimate"] == pytest.approx(estimate, abs=_decimals(estimate))
        assert table.loc["overall", "std_error"] == pytest.approx(se, rel=0.15)


def test_a_pickled_result_leaves_scipy_out_and_aggregates_the_same(mpdta_fit):
    """The report keeps event studies in its cache as pickles: the cluster-sum matrix
    (scipy.sparse) is not part of one, and is rebuilt when an aggregation needs it."""
    import pickle

    mpdta_fit.aggregate("event")  # builds the cluster-sum matrix
    assert mpdta_fit._sum_by_cluster is not None
    data = pickle.dumps(mpdta_fit)
    assert b"scipy" not in data
    again = pickle.loads(data)
    assert again._sum_by_cluster is None
    for kind in ("simple", "event", "group"):
        pd.testing.assert_frame_equal(again.aggregate(kind), mpdta_fit.aggregate(kind))
    assert again.pretrend_p_value == mpdta_fit.pretrend_p_value


# --------------------------------------------------------------------------- the 2×2


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n1=st.integers(2, 25), n0=st.integers(2, 25), seed=st.integers(0, 10_000), n_missing=st.integers(0, 3))
def test_two_periods_one_cohort_is_the_textbook_2x2(n1, n0, seed, n_missing):
    rng = np.random.default_rng(seed)
    n = n1 + n0 + n_missing
    y0, y1 = rng.normal(size=n) * 3, rng.normal(size=n) * 3 + 1
    treated = np.r_[np.ones(n1 + n_missing, bool), np.zeros(n0, bool)]
    y1[:n_missing] = np.nan  # treated units without a second wave
    panel = pd.DataFrame(
        {
            "unit": np.tile(np.arange(n), 2),
            "time": np.repeat([1, 2], n),
            "cohort": np.tile(np.where(treated, 2, 0), 2),
            "y": np.r_[y0, y1],
        }
    )
    res = quiet(panel, "y", "unit", "time", "cohort")
    both = ~np.isnan(y1)
    dy = y1 - y0
    d1, d0 = dy[treated & both], dy[~treated & both]
    textbook = d1.mean() - d0.mean()
    # the IF variance is the two-sample variance with 1/n (not 1/(n-1)) within each arm
    se = np.sqrt(d1.var() / len(d1) + d0.var() / len(d0))
    for frame in (res.att_gt, res.tidy()):
        assert frame["estimate"].iloc[0] == pytest.approx(textbook, rel=1e-12, abs=1e-12)
        assert frame["std_error"].iloc[0] == pytest.approx(se, rel=1e-12)
    assert res.att_gt["n"].iloc[0] == n1 + n0
    assert np.isnan(res.pretrend_p_value)  # no pre-period to test


# --------------------------------------------------------------------------- Card & Krueger

CK_COLUMNS = [
    "SHEET",
    "CHAIN",
    "CO_OWNED",
    "STATE",
    "SOUTHJ",
    "CENTRALJ",
    "NORTHJ",
    "PA1",
    "PA2",
    "SHORE",
    "NCALLS",
    "EMPFT",
    "EMPPT",
    "NMGRS",
    "WAGE_ST",
    "INCTIME",
    "FIRSTINC",
    "BONUS",
    "PCTAFF",
    "MEALS",
    "OPEN",
    "HRSOPEN",
    "PSODA",
    "PFRY",
    "PENTREE",
    "NREGS",
    "NREGS11",
    "TYPE2",
    "STATUS2",
    "DATE2",
    "NCALLS2",
    "EMPFT2",
    "EMPPT2",
    "NMGRS2",
    "WAGE_ST2",
    "INCTIME2",
    "FIRSTIN2",
    "SPECIAL2",
    "MEALS2",
    "OPEN2R",
    "HRSOPEN2",
    "PSODA2",
    "PFRY2",
    "PENTREE2",
    "NREGS2",
    "NREGS112",
]

# Card & Krueger (1994), AER 84(4), Table 3 ("Average employment per store before and after
# the rise in New Jersey minimum wage"), column (iii) "Difference, NJ-PA". Transcription
# checked against the table text in repository Fomalhaut647/Econometrics-Replication,
# table_3/standard_output.md (found with the code search "Card Krueger 1994 table 3"):
#   row 1 FTE before, all available:  PA 23.33 (1.35), NJ 20.44 (0.51)
#   row 2 FTE after, all available:   PA 21.17 (0.94), NJ 21.03 (0.52)
#   row 3 change in mean FTE:         PA -2.16 (1.25), NJ 0.59 (0.54), NJ-PA 2.76 (1.36)
#   row 4 balanced sample of stores:  PA -2.28 (1.25), NJ 0.47 (0.48), NJ-PA 2.75 (1.34)
CK_TABLE3 = {
    "before": {"PA": 23.33, "NJ": 20.44},
    "after": {"PA": 21.17, "NJ": 21.03},
    "all_stores_did": 2.76,
    "all_stores_se": 1.36,
    "balanced_did": 2.75,
    "balanced_se": 1.34,
    "balanced_change": {"PA": (-2.28, 1.25), "NJ": (0.47, 0.48)},
}


@pytest.fixture(scope="module")
def ck_panel() -> pd.DataFrame:
    """The CK two-wave store panel. FTE = full-time + managers + ½ part-time; the six stores
    closed for good have wave-2 employment 0 in the file (as in CK), the four temporarily
    closed (and one refusal) have it missing. SHEET is not unique (one duplicate), so the
    store id is the row number. tests/data/ck_public.dat and ck_codebook.txt: origin and
    terms in tests/data/README.md."""
    raw = pd.read_csv(CK_PUBLIC_DAT, sep=r"\s+", header=None, names=CK_COLUMNS, na_values=".")
    assert len(raw) == 410  # as the codebook says
    fte1 = raw["EMPFT"] + raw["NMGRS"] + 0.5 * raw["EMPPT"]
    fte2 = raw["EMPFT2"] + raw["NMGRS2"] + 0.5 * raw["EMPPT2"]
    nj = raw["STATE"] == 1
    return pd.DataFrame(
        {
            "store": np.tile(np.arange(len(raw)), 2),
            "wave": np.repeat([1, 2], len(raw)),
            "cohort": np.tile(np.where(nj, 2, 0), 2),
            "state": np.tile(np.where(nj, "NJ", "PA"), 2),
            "fte": np.r_[fte1, fte2],
        }
    )


def test_card_krueger_data_reproduce_table3_means(ck_panel):
    means = ck_panel.groupby(["wave", "state"])["fte"].mean()
    for wave, key in ((1, "before"), (2, "after")):
        for state in ("PA", "NJ"):
            assert round(means[(wave, state)], 2) == CK_TABLE3[key][state]
    # row 3 differences the all-store means of each wave: 2.7536 from the data; the paper
    # prints 2.76 (= 0.59 + 2.16 + rounding of the state changes 0.588 and -2.166)
    all_did = (means[(2, "NJ")] - means[(1, "NJ")]) - (means[(2, "PA")] - means[(1, "PA")])
    assert abs(all_did - CK_TABLE3["all_stores_did"]) < 0.01


def test_card_krueger_balanced_did_and_se(ck_panel):
    with pytest.warns(UserWarning, match="unit-period"):  # stores without FTE in a wave are dropped
        res = staggered_did(ck_panel, "fte", "store", "wave", "cohort")
    row = res.tidy().iloc[0]
    assert row["n"] == 384  # 309 NJ + 75 PA with FTE in both waves
    assert round(row["estimate"], 2) == CK_TABLE3["balanced_did"]
    # CK's standard error of the difference is sqrt(se_NJ² + se_PA²) from the per-state
    # standard errors of the mean change, which use 1/(n-1); the influence-function variance
    # uses 1/n. The two are 1.3423 and 1.3342 here, both within 0.02 of the printed 1.34.
    wide = ck_panel.pivot(index="store", columns="wave", values="fte").dropna()
    state = ck_panel.drop_duplicates("store").set_index("store").loc[wide.index, "state"]
    change = wide[2] - wide[1]
    per_state = {
        s: (change[state == s].mean(), change[state == s].std() / np.sqrt((state == s).sum())) for s in ("PA", "NJ")
    }
    for s in ("PA", "NJ"):
        assert round(per_state[s][0], 2) == CK_TABLE3["balanced_change"][s][0]
        assert round(per_state[s][1], 2) == CK_TABLE3["balanced_change"][s][1]
    se_ddof1 = np.hypot(per_state["PA"][1], per_state["NJ"][1])
    se_ddof0 = np.sqrt(sum(change[state == s].var(ddof=0) / (state == s).sum() for s in ("PA", "NJ")))
    assert round(se_ddof1, 2) == CK_TABLE3["balanced_se"]
    assert row["std_error"] == pytest.approx(se_ddof0, rel=1e-12)
    assert abs(row["std_error"] - CK_TABLE3["balanced_se"]) <= 0.02
    assert row["estimate"] == pytest.approx(per_state["NJ"][0] - per_state["PA"][0], rel=1e-12)


def test_card_krueger_twfe_same_point_estimate(ck_panel):
    bal = ck_panel.loc[ck_panel.groupby("store")["fte"].transform("count") == 2].copy()
    bal["nj_after"] = ((bal["cohort"] == 2) & (bal["wave"] == 2)).astype(int)
    tw = twfe(bal, "fte ~ nj_after + C(store) + C(wave)", cluster="store").tidy().iloc[0]
    cs = quiet(bal, "fte", "store", "wave", "cohort").tidy().iloc[0]
    assert tw["term"] == "nj_after" and tw["inference"] == "cluster_robust" and tw["n"] == 768
    assert tw["estimate"] == pytest.approx(cs["estimate"], rel=1e-10)
    # with two periods the CR0 sandwich of the dummy regression is the IF variance, so CR1
    # is it times G/(G-1)·(N-1)/(N-K) — which counts the 384 store dummies in K, about
    # doubling the variance (Stata's `reg ..., vce(cluster)` does the same; xtreg/fixest do not)
    g, n, k = 384, 768, 384 + 1 + 1
    assert tw["std_error"] == pytest.approx(cs["std_error"] * np.sqrt(g / (g - 1) * (n - 1) / (n - k)), rel=1e-8)


# --------------------------------------------------------------------------- csdid / R did


def _ours_for_case(init: dict, fit: dict):
    kw = {
        "control": "never_treated" if init["control_group"] == "nevertreated" else "not_yet_treated",
        "base_period": fit["base_period"],
        "est_method": fit["est_method"],
    }
    if "xformla" in init:
        kw["covariates"] = ["x"]
    if "weights_name" in init:
        kw["weights"] = init["weights_name"]
    if "clustervar" in init:
        kw["cluster"] = init["clustervar"]
    if "anticipation" in init:
        kw["anticipation"] = init["anticipation"]
    return staggered_did(pd.DataFrame(CSDID_DATA), "y", "id", "t", "g", **kw)


def _arr(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case", list(CSDID_CASES))
def test_matches_csdid(case):
    """ATT(g,t), analytic SEs, the Wald pre-test and all four aggregations (with their
    SEs, including the estimated-weights term) agree with csdid 0.4.3 to 1e-8 (1e-10 for
    the closed forms; the doubly robust cells differ by the logit's convergence, ~1e-11)."""
    ref = CSDID_RESULTS[case]
    res = _ours_for_case(*CSDID_CASES[case])
    tol = 1e-8
    a, r_gt = res.att_gt, ref["att_gt"]
    np.testing.assert_array_equal(a["cohort"].astype(float), r_gt["group"])
    np.testing.assert_array_equal(a["time"].astype(float), r_gt["time"])
    np.testing.assert_allclose(a["estimate"].astype(float), r_gt["att"], rtol=0, atol=tol)
    np.testing.assert_allclose(a["std_error"].astype(float), _arr(r_gt["se"]), rtol=0, atol=tol)
    if ref["W"] is None:  # csdid refuses a singular pre-period covariance (7 clusters, 18 cells)
        assert res.pretrend_test["df"] < res.pretrend_test["n_cells"]
    else:
        assert res.pretrend_test["statistic"] == pytest.approx(ref["W"], rel=1e-8)
    for kind in KINDS:
        r = ref["dynamic" if kind == "event" else kind]
        t = res.aggregate(kind)
        assert t["term"].iloc[0] == "overall"
        assert t["estimate"].iloc[0] == pytest.approx(r["overall_att"], abs=tol)
        assert t["std_error"].iloc[0] == pytest.approx(r["overall_se"], abs=tol)
        if kind != "simple":
            index = {"event": "event_time", "group": "cohort", "calendar": "time"}[kind]
            np.testing.assert_array_equal(t[index].iloc[1:].astype(float), r["index"])
            np.testing.assert_allclose(t["estimate"].iloc[1:].astype(float), r["att"], rtol=0, atol=tol)
            np.testing.assert_allclose(t["std_error"].iloc[1:].astype(float), _arr(r["se"]), rtol=0, atol=tol)


# --------------------------------------------------------------------------- known effects

COHORTS_8x20 = {0: 2, 4: 2, 8: 2, 12: 2}  # 8 units × 20 periods, 3 treated cohorts


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_noise_free_panel_recovers_every_effect_exactly(control, base_period):
    """Unit and period effects, effects that differ by cohort and grow with time since
    treatment, no noise: every ATT(g,t) and every aggregate equals the truth."""
    panel, truth = simulate(COHORTS_8x20, 20, seed=1, noise=0.0, effect=lambda g, e: 2.0 + 0.4 * e + 0.1 * g)
    res = quiet(panel, "y", "unit", "time", "cohort", control=control, base_period=base_period)
    a = res.att_gt
    post = a["time"] >= a["cohort"]
    expected = [truth[(g, t)] for g, t in zip(a.loc[post, "cohort"], a.loc[post, "time"], strict=True)]
    np.testing.assert_allclose(a.loc[post, "estimate"].astype(float), expected, atol=1e-9)
    np.testing.assert_allclose(a.loc[~post, "estimate"].astype(float), 0, atol=1e-9)  # parallel trends
    agg = true_aggregates(panel, truth)
    for kind in KINDS:
        t = res.aggregate(kind)
        assert t["estimate"].iloc[0] == pytest.approx(agg[kind], abs=1e-9)
    ev = res.aggregate("event").iloc[1:].set_index("event_time")["estimate"]
    for e, v in agg["event_rows"].items():
        assert ev[e] == pytest.approx(v, abs=1e-9)
    grp = res.aggregate("group").iloc[1:].set_index("cohort")["estimate"]
    cal = res.aggregate("calendar").iloc[1:].set_index("time")["estimate"]
    assert grp.to_dict() == pytest.approx(agg["group_rows"], abs=1e-9)
    assert cal.to_dict() == pytest.approx(agg["calendar_rows"], abs=1e-9)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")  # no noise, no SE
def test_twfe_biased_where_cs_is_not_and_bacon_shows_why():
    """The classic demonstration (Goodman-Bacon 2021): with staggered adoption and effects
    that grow with time since treatment, TWFE's "later vs earlier treated" comparisons use
    the earlier cohort's growing effect as if it were a trend, dragging the estimate far
    below every true effect; CS recovers the average effect exactly."""
    panel, truth = simulate(COHORTS_8x20, 20, seed=2, noise=0.0, effect=lambda g, e: 0.5 + 0.5 * e)
    agg = true_aggregates(panel, truth)
    cs = quiet(panel, "y", "unit", "time", "cohort").tidy()["estimate"].iloc[0]
    tw = twfe(panel, "y ~ d + C(unit) + C(time)", cluster="unit").tidy()["estimate"].iloc[0]
    bacon = bacon_decomposition(panel, "y", "unit", "time", "d")
    assert cs == pytest.approx(agg["simple"], abs=1e-9)
    assert min(truth.values()) >= 0.5
    assert tw < 0.5 * agg["simple"]  # here: 1.52 against a true 3.71
    assert bacon.twfe_estimate == pytest.approx(tw, abs=1e-9)
    summary = bacon.summary().set_index("type")
    assert summary.loc["later_vs_earlier", "estimate"] < 0  # the forbidden comparisons
    assert summary.loc["treated_vs_never", "estimate"] > 3.0
    assert summary["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    # the tidy view: one row per 2x2 comparison plus the TWFE coefficient
    tidy = bacon.tidy()
    assert list(tidy.columns[:3]) == ["type", "treated", "control"]
    assert list(tidy.columns[3 : 3 + len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    comparisons = tidy.loc[tidy["term"] != "twfe"]
    assert len(comparisons) == len(bacon.table)
    assert (comparisons["weight"] * comparisons["estimate"]).sum() == pytest.approx(tw, abs=1e-9)
    last = tidy.iloc[-1]
    assert last["term"] == "twfe" and last["estimate"] == pytest.approx(tw, abs=1e-9)
    assert last["n"] == panel["unit"].nunique()
    assert (tidy["method"] == "bacon_decomposition").all() and (tidy["inference"] == "none").all()
    assert tidy[["std_error", "conf_low", "conf_high", "p_value"]].isna().all().all()
    first = comparisons.iloc[0]
    assert first["term"] == f"{first['type']}: {first['treated']} vs {first['control']}"
    sizes = panel.drop_duplicates("unit")["cohort"].value_counts()
    assert first["n"] == sizes[first["treated"]] + sizes[first["control"]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bacon_identity_on_random_designs(data):
    """Weights sum to one and the weighted 2×2 estimates add up to the TWFE coefficient
    (independent least-squares fit with unit and period dummies) for any balanced design,
    including always-treated and never-treated groups."""
    T = data.draw(st.integers(3, 8), label="periods")
    first = data.draw(st.lists(st.integers(1, T + 1), min_size=3, max_size=14), label="first treated")
    if not any(2 <= f <= T for f in first):  # someone must switch on inside the window
        first = first + [2]
    if len(set(first)) < 2:  # and there must be a second timing to compare with
        first = first + [T + 1]
    seed = data.draw(st.integers(0, 1000), label="seed")
    rng = np.random.default_rng(seed)
    N = len(first)
    y = rng.normal(size=(N, T)) * 2 + np.arange(T) * rng.normal()
    d = (np.arange(1, T + 1)[None, :] >= np.array(first)[:, None]).astype(float)
    panel = pd.DataFrame(
        {"unit": np.repeat(np.arange(N), T), "time": np.tile(np.arange(1, T + 1), N), "y": y.ravel(), "d": d.ravel()}
    )
    bacon = bacon_decomposition(panel, "y", "unit", "time", "d")
    X = np.column_stack([d.ravel(), np.kron(np.eye(N), np.ones((T, 1))), np.kron(np.ones((N, 1)), np.eye(T))[:, 1:]])
    beta = np.linalg.lstsq(X, y.ravel(), rcond=None)[0][0]
    assert bacon.table["weight"].sum() == pytest.approx(1.0, abs=1e-10)
    assert (bacon.table["weight"] > 0).all()
    assert (bacon.table["weight"] * bacon.table["estimate"]).sum() == pytest.approx(beta, abs=1e-9)
    assert bacon.twfe_estimate == pytest.approx(beta, abs=1e-9)


def test_bacon_refuses_a_design_with_one_timing_and_no_comparison():
    """All units switching on together leaves nothing to compare with: say so, do not divide by zero."""
    T, N = 3, 3
    d = (np.arange(1, T + 1)[None, :] >= 2).repeat(N, axis=0).astype(float)
    panel = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(N), T),
            "time": np.tile(np.arange(1, T + 1), N),
            "y": np.arange(N * T, dtype=float),
            "d": d.ravel(),
        }
    )
    with pytest.raises(ValueError, match="does not vary within units and periods"):
        bacon_decomposition(panel, "y", "unit", "time", "d")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shift=st.floats(-50, 50))
def test_invariant_to_unit_and_period_effects(seed, shift):
    """Adding any unit effect and any period effect to the outcome changes no ATT(g,t) or SE."""
    panel, _ = simulate({0: 6, 3: 5, 5: 5}, 6, seed=seed)
    rng = np.random.default_rng(seed + 1)
    unit_fx = dict(zip(panel["unit"].unique(), rng.normal(scale=10, size=16), strict=True))
    moved = panel.assign(y=panel["y"] + panel["unit"].map(unit_fx) + shift * panel["time"] ** 2)
    for control in ("never_treated", "not_yet_treated"):
        a = staggered_did(panel, "y", "unit", "time", "cohort", control=control).att_gt
        b = staggered_did(moved, "y", "unit", "time", "cohort", control=control).att_gt
        np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-8)
        np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-6, atol=1e-8)


def test_coverage_and_pretrend_size_in_repeated_samples():
    """100 samples of 130 units: the 95% interval of the simple ATT covers the truth and the
    Wald pre-test rejects at 5% about as often as it should under parallel trends (here 96%
    and 7%; with 20 units a cohort the pre-test over-rejects, 13-16%, being a large-sample
    test with an estimated covariance)."""
    cover, reject = [], []
    for rep in range(100):
        panel, truth = simulate({0: 50, 3: 40, 5: 40}, 6, seed=1000 + rep, noise=1.0)
        res = staggered_did(panel, "y", "unit", "time", "cohort")
        row = res.tidy().iloc[0]
        target = true_aggregates(panel, truth)["simple"]
        cover.append(row["conf_low"] <= target <= row["conf_high"])
        reject.append(res.pretrend_p_value < 0.05)
    assert 0.89 <= np.mean(cover) <= 0.99, np.mean(cover)
    assert np.mean(reject) <= 0.12, np.mean(reject)


def test_pretrend_test_rejects_a_planted_pretrend():
    def diverging(g, t):  # cohort 8 drifts up 0.4 a period before it is treated
        return 0.4 * t if g == 8 and t < 8 else (0.4 * 7 if g == 8 else 0.0)

    clean, _ = simulate({0: 30, 5: 25, 8: 25}, 10, seed=7)
    bent, _ = simulate({0: 30, 5: 25, 8: 25}, 10, seed=7, pretrend=diverging)
    for base in ("varying", "universal"):
        ok = staggered_did(clean, "y", "unit", "time", "cohort", base_period=base)
        bad = staggered_did(bent, "y", "unit", "time", "cohort", base_period=base)
        assert ok.pretrend_p_value > 0.05
        assert bad.pretrend_p_value < 1e-6
        assert bad.pretrend_test["df"] == bad.pretrend_test["n_cells"]
    # and the post-period effects of the clean cohort are untouched by the other's pre-trend
    ok5 = ok.att_gt.query("cohort == 5 and time >= 5")["estimate"].to_numpy()
    bad5 = bad.att_gt.query("cohort == 5 and time >= 5")["estimate"].to_numpy()
    np.testing.assert_allclose(ok5, bad5, atol=1e-12)


def test_no_pre_period_gives_nan_pretrend_and_singular_covariance_uses_rank():
    panel, _ = simulate(COHORTS_8x20, 20, seed=3)
    res = staggered_did(panel, "y", "unit", "time", "cohort")
    test = res.pretrend_test
    assert test["n_cells"] > 8 and test["df"] <= 8 and "rank" in test["note"]  # 8 units identify ≤ 8 directions
    assert 0 <= res.pretrend_p_value <= 1


# --------------------------------------------------------------------------- bootstrap


@pytest.fixture(scope="module")
def medium_panel():
    panel, truth = simulate({0: 40, 4: 30, 6: 30}, 8, seed=11, noise=1.0)
    panel["region"] = panel["unit"].str[-1]  # 10 clusters of 10 units
    return panel, truth


def test_multiplier_bootstrap_agrees_with_analytic_and_gives_uniform_bands(medium_panel):
    panel, _ = medium_panel
    ana = staggered_did(panel, "y", "unit", "time", "cohort")
    boot = staggered_did(panel, "y", "unit", "time", "cohort", bootstrap="multiplier", reps=2999, seed=5)
    again = staggered_did(panel, "y", "unit", "time", "cohort", bootstrap="multiplier", reps=2999, seed=5)
    ev_a, ev_b = ana.aggregate("event"), boot.aggregate("event")
    pd.testing.assert_frame_equal(ev_b, again.aggregate("event"))  # seeded: reproducible
    np.testing.assert_allclose(ev_a["estimate"], ev_b["estimate"])  # same point estimates
    np.testing.assert_allclose(ev_b["std_error"], ev_a["std_error"], rtol=0.1)
    assert (ev_b["inference"] == "multiplier_bootstrap").all() and (ev_a["inference"] == "analytic_if").all()
    rows = ev_b.iloc[1:]
    crit = rows["critical_value_uniform"].iloc[0]
    z = stats.norm.ppf(0.975)
    bonferroni = stats.norm.ppf(1 - 0.025 / len(rows))
    assert z < crit < bonferroni
    assert (rows["conf_low_uniform"] < rows["conf_low"]).all() and (rows["conf_high_uniform"] > rows["conf_high"]).all()
    assert np.isnan(ev_b["conf_low_uniform"].iloc[0])  # none for the overall row
    assert {"conf_low_uniform", "conf_high_uniform"} <= set(boot.att_gt.columns)


def test_clustered_inference_analytic_and_bootstrap(medium_panel):
    panel, _ = medium_panel
    by_unit = staggered_did(panel, "y", "unit", "time", "cohort")
    by_region = staggered_did(panel, "y", "unit", "time", "cohort", cluster="region")
    assert by_region.n_clusters == 10 and by_unit.n_clusters == 100
    # analytic clustered variance = (1/n²) Σ_c (Σ_{i∈c} ψ_i)²
    psi = by_region.influence
    codes = pd.factorize(panel.drop_duplicates("unit").set_index("unit").loc[by_region.units, "region"])[0]
    sums = np.vstack([psi[codes == c].sum(axis=0) for c in range(10)])
    np.testing.assert_allclose(by_region.att_gt["std_error"], np.sqrt((sums**2).sum(axis=0)) / 100)
    boot = staggered_did(
        panel,
        "y",
        "unit",
        "time",
        "cohort",
        cluster="region",
        bootstrap="multiplier",
        reps=4999,
        seed=2,
        bootstrap_weights="mammen",
    )
    # with 10 clusters the two-point bootstrap is coarse: agreement within 25%
    np.testing.assert_allclose(boot.tidy()["std_error"], by_region.tidy()["std_error"], rtol=0.25)


def test_mammen_and_rademacher_draws_have_mean_zero_unit_variance(medium_panel):
    panel, _ = medium_panel
    for kind in ("rademacher", "mammen"):
        res = staggered_did(
            panel, "y", "unit", "time", "cohort", bootstrap="multiplier", reps=4000, seed=1, bootstrap_weights=kind
        )
        v = res._draws
        assert v.shape == (4000, 100) and len(np.unique(v)) == 2
        assert abs(v.mean()) < 0.01 and abs(v.var() - 1) < 0.01
        if kind == "mammen":
            assert abs((v**3).mean() - 1) < 0.05  # Mammen: E v³ = 1


# --------------------------------------------------------------------------- the result shape


def test_tidy_contract_and_aggregate_shapes(medium_panel):
    panel, _ = medium_panel
    res = staggered_did(panel, "y", "unit", "time", "cohort", control="not_yet_treated")
    for kind, col in (("simple", None), ("event", "event_time"), ("group", "cohort"), ("calendar", "time")):
        t = res.aggregate(kind)
        assert t["term"].iloc[0] == "overall"
        start = 1 if col else 0
        assert list(t.columns[start : start + len(TIDY_COLUMNS)]) == TIDY_COLUMNS
        if col:
            assert t.columns[0] == col and t[col].iloc[1:].notna().all()
        assert (t["method"] == "callaway_santanna").all() and (t["inference"] == "analytic_if").all()
        assert ((t["conf_low"] < t["estimate"]) & (t["estimate"] < t["conf_high"])).all()
        assert (t["n"] > 0).all()
    assert res.aggregate("dynamic").equals(res.aggregate("event"))
    pd.testing.assert_frame_equal(res.tidy(), res.aggregate("simple"))
    assert res.coef()["overall"] == res.tidy()["estimate"].iloc[0]
    assert list(res.att_gt.columns[:8]) == [
        "cohort",
        "time",
        "estimate",
        "std_error",
        "conf_low",
        "conf_high",
        "p_value",
        "n",
    ]
    with pytest.raises(ValueError, match="kind"):
        res.aggregate("cohort")


def test_max_event_time_limits_the_cells(medium_panel):
    panel, _ = medium_panel
    full = staggered_did(panel, "y", "unit", "time", "cohort")
    short = staggered_did(panel, "y", "unit", "time", "cohort", max_event_time=1)
    assert short.att_gt["event_time"].max() == 1
    ev = short.aggregate("event").iloc[1:].set_index("event_time")["estimate"]
    ev_full = full.aggregate("event").iloc[1:].set_index("event_time")["estimate"]
    pd.testing.assert_series_equal(ev, ev_full.loc[ev.index])


# --------------------------------------------------------------------------- input handling


def test_clear_errors_and_notes():
    panel, _ = simulate({0: 4, 3: 4}, 4, seed=1)
    with pytest.raises(ValueError, match=r"unit 'u001' has more than one row for time 1"):
        staggered_did(pd.concat([panel, panel.head(1)]), "y", "unit", "time", "cohort")
    bad = panel.copy()
    bad.loc[1, "cohort"] = 3
    with pytest.raises(ValueError, match=r"varies within unit 'u001'"):
        staggered_did(bad, "y", "unit", "time", "cohort")
    with pytest.raises(TypeError, match="must be numeric"):
        staggered_did(panel.assign(time=panel["time"].astype(str)), "y", "unit", "time", "cohort")
    with pytest.raises(ValueError, match="no never-treated"):
        staggered_did(panel.loc[panel["cohort"] > 0], "y", "unit", "time", "cohort")
    with pytest.raises(KeyError, match="outcome_x"):
        staggered_did(panel, "outcome_x", "unit", "time", "cohort")
    gap = panel.copy()
    gap.loc[(gap["unit"] == "u005") & (gap["time"] == 4), "y"] = np.nan
    with pytest.warns(UserWarning, match=r"unit 'u005', time 4"):
        res = staggered_did(gap, "y", "unit", "time", "cohort")
    # the cell that needs period 4 loses that unit, the others (bases 1 and 2) keep it
    assert res.att_gt.set_index("time")["n_treated"].to_dict() == {2: 4, 3: 4, 4: 3}


def test_every_input_check_and_note():
    """Each check and note of the input preparation, with its message."""
    panel, _ = simulate({0: 4, 3: 4, 5: 4}, 6, seed=2)

    def call(data, **kw):
        return staggered_did(data, "y", "unit", "time", "cohort", **kw)

    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        call(panel.to_dict())
    with pytest.raises(ValueError, match=r"unit column 'unit' has missing values \(row "):
        call(panel.assign(unit=panel["unit"].where(panel.index != 0)))
    with pytest.raises(ValueError, match=r"time column 'time' is missing in row "):
        call(panel.assign(time=panel["time"].astype(float).where(panel.index != 2)))
    with pytest.raises(TypeError, match=r"column 'y' must be numeric"):
        call(panel.assign(y=panel["y"].astype(str)))
    with pytest.raises(ValueError, match="weights column 'w' must be finite, non-negative"):
        call(panel.assign(w=-1.0), weights="w")
    with pytest.raises(ValueError, match=r"cluster column 'cl' is missing for unit 'u001'"):
        call(panel.assign(cl=np.where(panel["unit"] == "u001", None, "a")), cluster="cl")
    with pytest.raises(ValueError, match="no row has a value of 'y'"):
        call(panel.assign(y=np.nan))
    with pytest.raises(ValueError, match="no units left"):
        call(panel.assign(cohort=1), control="not_yet_treated")
    with pytest.raises(ValueError, match="at least two periods"):
        # periods 1 and 10, cohorts 6 and 10: without never-treated units, period 10 goes
        # with the last cohort and period 1 is left alone
        sparse = panel.loc[panel["time"].isin([1, 6]) & (panel["cohort"] > 0)]
        sparse = sparse.assign(time=sparse["time"].replace({6: 10}), cohort=sparse["cohort"] * 2)
        call(sparse, control="not_yet_treated")
    late = panel.assign(cohort=panel["cohort"].replace({5: 9}))
    early = panel.assign(cohort=panel["cohort"].replace({3: 1}))
    with pytest.warns(UserWarning, match=r"4 unit\(s\) first treated after the last period \(6\) count as never"):
        call(late)
    with pytest.warns(UserWarning, match=r"4 unit\(s\) already treated in the first period \(e.g. 'u005'\)"):
        call(early)
    one_cluster = panel.assign(cl=np.where(panel["cohort"] == 3, "c3", panel["unit"]))
    with pytest.warns(UserWarning, match=r"cohort\(s\) 3 lie in a single cluster"):
        call(one_cluster, cluster="cl")
    unbalanced = panel.drop(index=[7])
    with pytest.warns(UserWarning, match=r"the panel is unbalanced \(1 of 72 unit-periods have no row\)"):
        call(unbalanced)


def test_not_yet_treated_without_never_treated_units():
    panel, _ = simulate({4: 10, 6: 10, 8: 10}, 9, seed=4)
    with pytest.warns(UserWarning, match="no never-treated"):
        res = staggered_did(panel, "y", "unit", "time", "cohort", control="not_yet_treated")
    assert set(res.att_gt["cohort"]) == {4, 6} and res.att_gt["time"].max() == 7


def test_twfe_and_bacon_input_errors():
    panel, _ = simulate({0: 3, 3: 3}, 4, seed=1)
    with pytest.raises(ValueError, match="balanced"):
        bacon_decomposition(panel.iloc[1:], "y", "unit", "time", "d")
    off = panel.copy()
    off.loc[(off["unit"] == "u004") & (off["time"] == 4), "d"] = 0
    with pytest.raises(ValueError, match=r"switches off"):
        bacon_decomposition(off, "y", "unit", "time", "d")
    with pytest.raises(KeyError):
        twfe(panel, "y ~ d + C(unit) + C(time)", cluster="nope")


# --------------------------------------------------------------------------- the demo export


@pytest.fixture(scope="module")
def demo_panels():
    """The administration × quarter panel of a staggered demo roll-out (UBF 2023Q3, SOF
    2024Q1, KOF 2024Q2), up to 2024Q4 when the pilot ends (so treatment is absorbing), for
    the 'large' scenario and for 'none' with the same seed (common random numbers)."""
    out = {}
    for scenario in ("large", "none"):
        ex = generate(seed=3, scenario=scenario, rollout="staggered", start="2022-01-01", end="2025-03-31")
        panel = build_panel(ex.tables, "2025-03-31", period="quarter", unit=("administration",))
        out[scenario] = panel.loc[panel["period"] <= "2024Q4"].copy()
    return out


def test_demo_panel_recovers_the_planted_effects(demo_panels):
    """The 'large' scenario plants 21 days' delay in time to fill (about 14 days on
    days_unfilled_90, where unfilled or slower vacancies count as 90) and +6 percentage
    points late-stage withdrawal. One administration per cohort with administration ×
    quarter shocks makes each estimate noisy, but the same seed without effects ('none')
    shares those shocks, so the difference isolates the planted effect."""
    large, none = demo_panels["large"], demo_panels["none"]
    cohorts = large.loc[large["cohort_index"] > 0].groupby("administration")["cohort_index"].first()
    assert cohorts.to_dict() == {"KOF": 10, "SOF": 9, "UBF": 7}

    def simple(panel, outcome):
        with pytest.warns(UserWarning, match="single cluster"):  # 1 administration per cohort
            return staggered_did(panel, outcome, "administration", "period_index", "cohort_index").tidy().iloc[0]

    days, days0 = simple(large, "days_unfilled_90"), simple(none, "days_unfilled_90")
    late, late0 = simple(large, "late_withdrawal_rate"), simple(none, "late_withdrawal_rate")
    assert 5 < days["estimate"] < 25 and 0.03 < late["estimate"] < 0.09
    assert 8 < days["estimate"] - days0["estimate"] < 20  # here 13.9 days
    assert 0.03 < late["estimate"] - late0["estimate"] < 0.09  # here 0.054
    assert abs(days0["estimate"]) < days["estimate"] - days0["estimate"]
