"""The report charts (pilot_eval.report.plots): what is drawn, what is withheld, in which
language and number format, and that no call changes pyplot's global state.

Small hand-built tables with the answer worked out here; the demo export (scale 0.1) for
the end-to-end cases.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from pilot_eval.demo import generate
from pilot_eval.disclosure import publish
from pilot_eval.estimate.inference import randomization_inference
from pilot_eval.labels import value_label
from pilot_eval.measures import withdrawals
from pilot_eval.report import plots as P
from pilot_eval.report.plots.survival import _km_curve

NBSP = "\u00a0"
MINUS = "\u2212"
CUT = "2026-02-28"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate(seed=1, scale=0.1).tables


def _rates() -> pd.DataFrame:
    # SOF 30/200 shown; UBF 3 withdrawals (<5) so its rate is withheld (secondary);
    # KOF's rate has a denominator of 8 (small_denominator); VOF shown
    return pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "KOF", "VOF"],
            "n_withdrawn_late": [30, 3, 6, 20],
            "n_reached_interview": [200, 150, 8, 120],
            "late_withdrawal_rate": [0.15, 0.02, 0.75, 20 / 120],
        }
    )


@pytest.fixture
def rates():
    p = publish(_rates(), totals=None)
    assert p.flags["late_withdrawal_rate"].tolist() == ["", "secondary", "small_denominator", ""]
    return p


def _series() -> pd.DataFrame:
    # pilot 2024Q2 rests on 8 vacancies: its rate is withheld (small_denominator)
    return pd.DataFrame(
        {
            "period": ["2024Q1", "2024Q2", "2024Q3", "2024Q4"] * 2,
            "arm": ["pilot"] * 4 + ["comparison"] * 4,
            "n_filled": [30, 5, 28, 31, 40, 41, 39, 42],
            "n": [60, 8, 55, 50, 70, 80, 75, 70],
            "filled_rate": [0.5, 0.625, 28 / 55, 0.62, 40 / 70, 41 / 80, 0.52, 0.6],
        }
    )


def _funnel() -> pd.DataFrame:
    # withdrawals() shape: stages 0-7 for both arms; the comparison arm's 2 withdrawals
    # at the background check are "<5", so that stage's rate is withheld
    rows = []
    for arm, reached, withdrawn in (
        ("pilot", [500, 480, 200, 120, 90, 80, 70, 68], [20, 30, 12, 9, 6, 0, 0, 0]),
        ("comparison", [400, 390, 150, 100, 70, 66, 60, 59], [10, 25, 8, 6, 2, 0, 0, 0]),
    ):
        for stage in range(8):
            rows.append(
                {
                    "arm": arm,
                    "stage": stage,
                    "stage_name": value_label("stage", stage, "en").lower(),
                    "n_reached": reached[stage],
                    "n_withdrawn": withdrawn[stage],
                    "rate": withdrawn[stage] / reached[stage],
                    "share_of_applications": withdrawn[stage] / reached[0],
                    "n": reached[stage],
                }
            )
    return pd.DataFrame(rows)


def _tiny_vacancies() -> tuple[pd.DataFrame, pd.DataFrame]:
    """12 pilot vacancies (SOF) filled after 10, 20, …, 120 days and 5 comparison ones
    (VOF), all published 2024-02-01, during the pilot (2023-09-01 – 2024-12-31).

    At risk on day x: the vacancies with a duration of at least x. Ten remain up to day 30
    (durations 30–120), nine from day 31: with min_at_risk=10 the curve ends on day 30,
    at 3/12 filled."""
    published = pd.Timestamp("2024-02-01")
    rows = []
    for k in range(1, 13):
        rows.append(("SOF", published + pd.Timedelta(days=10 * k)))
    for k in range(1, 6):
        rows.append(("VOF", published + pd.Timedelta(days=15 * k)))
    vac = pd.DataFrame(
        {
            "vacancy_id": [f"R-{i}" for i in range(len(rows))],
            "administration": [a for a, _ in rows],
            "role_group": "teacher",
            "published_date": published,
            "accepted_date": [d for _, d in rows],
            "closed_date": [d for _, d in rows],
            "status": "filled",
            "positions": 1,
        }
    )
    rollout = pd.DataFrame(
        {
            "administration": ["SOF"],
            "role_group": ["all"],
            "scope": ["new_hires"],
            "check_type": ["court_records"],
            "start_date": [pd.Timestamp("2023-09-01")],
            "end_date": [pd.Timestamp("2024-12-31")],
        }
    )
    return vac, rollout


def _event_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": "filled_within_90",
            "event_time": pd.array([pd.NA, -3, -2, -1, 0, 1, 2], dtype="Int64"),
            "term": [
                "overall",
                "event_time=-3",
                "event_time=-2",
                "event_time=-1",
                "event_time=0",
                "event_time=1",
                "event_time=2",
            ],
            "estimate": [-0.1, 0.01, -0.02, 0.0, -0.08, -0.12, -0.05],
            "conf_low": [-0.2, -0.05, -0.08, -0.06, -0.15, -0.2, -0.125],
            "conf_high": [0.0, 0.07, 0.04, 0.06, -0.01, -0.04, 0.025],
            "inference": "analytic_if (indicative: single-cluster cohorts)",
        }
    )


def _effects_table() -> pd.DataFrame:
    rows = []
    for outcome, est in (
        ("filled_within_90", -0.05),
        ("late_withdrawal", 0.02),
        ("days_unfilled_90", 4.8),
        ("applicants_per_vacancy", -8.4),
    ):
        for term, shift in (("during", 0.0), ("after", 1.0)):
            for inference in ("cluster_robust", "wild_cluster_bootstrap_webb", "randomization_inference"):
                e = est + shift * (0.01 if abs(est) < 1 else 1.0)
                width = abs(e) * 2 + (0.05 if abs(est) < 1 else 5.0)
                rows.append(
                    {
                        "outcome": outcome,
                        "term": term,
                        "estimate": e,
                        "conf_low": e - width,
                        "conf_high": e + width,
                        "p_value": 0.4,
                        "inference": inference,
                        "n_assignments": 56 if inference == "randomization_inference" else np.nan,
                        "headline": inference == "randomization_inference",
                    }
                )
    return pd.DataFrame(rows)


def _plot_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bin_left": [-0.2, -0.1, 0.0, 0.1],
            "bin_right": [-0.1, 0.0, 0.1, 0.2],
            "count": [5, 20, 25, 6],
            "contains_actual": [False, False, False, True],
        }
    )


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _ticklabels(ax, axis: str = "x") -> list[str]:
    ax.figure.canvas.draw()
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels if t.get_text()]


def _points(ax) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, y) of every errorbar's points."""
    return [
        (np.asarray(c.lines[0].get_xdata(), dtype=float), np.asarray(c.lines[0].get_ydata(), dtype=float))
        for c in ax.containers
    ]


# --------------------------------------------------------------------------- house style


def test_number_formatter_uses_the_swedish_format():
    f = P.number_formatter("sv")
    assert f.format_ticks([0.0, 2.5, 5.0]) == ["0,0", "2,5", "5,0"]
    assert f(1234.0) == f"1{NBSP}234"
    assert f(-2.0) == f"{MINUS}2"
    pct = P.number_formatter("sv", "percent")
    assert pct.format_ticks([0.0, 0.125, 0.25]) == [f"0,0{NBSP}%", f"12,5{NBSP}%", f"25,0{NBSP}%"]
    assert pct(0.12) == f"12{NBSP}%"
    assert P.number_formatter("en", "percent")(0.12) == "12%"
    assert P.number_formatter("en").format_ticks([0.0, 1250.5]) == ["0.0", "1,250.5"]
    assert P.number_formatter("sv", scale=100)(0.05) == "5"


def test_house_style_is_a_context_and_the_arms_keep_their_colours():
    before = dict(matplotlib.rcParams)
    with P.house_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["figure.facecolor"] == "white"
    assert dict(matplotlib.rcParams) == before
    styles = P.group_styles("arm", ["comparison", "pilot"])
    assert styles["pilot"]["color"] == P.PILOT_COLOR
    assert styles["comparison"]["color"] == P.COMPARISON_COLOR
    # not by colour alone
    assert styles["pilot"]["linestyle"] != styles["comparison"]["linestyle"]
    assert styles["pilot"]["marker"] != styles["comparison"]["marker"]
    assert styles["pilot"]["hatch"] != styles["comparison"]["hatch"]
    many = P.group_styles("administration", list("ABCDEFGH"))
    combos = {(s["color"], s["linestyle"], s["marker"]) for s in many.values()}
    assert len(combos) == 8
    assert P.PILOT_COLOR not in {s["color"] for s in many.values()}


# --------------------------------------------------------------------------- bar chart


def test_bar_chart_draws_no_withheld_bar_and_marks_it(rates):
    fig = P.bar_chart(rates, value="late_withdrawal_rate", category="administration")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted([0.15, 20 / 120]))
    texts = _texts(fig)
    assert "..‡" in texts and "..*" in texts
    assert f"15{NBSP}%" in texts and f"17{NBSP}%" in texts
    assert "0,75" not in " ".join(texts) and f"75{NBSP}%" not in texts  # the withheld rate is nowhere
    caption = fig.get_supxlabel()
    assert "..‡ Visas inte" in caption and "..* Visas inte" in caption
    assert "<5" not in caption  # the count column is not drawn: its footnote is not needed
    labels = _ticklabels(ax, "y")
    assert labels == [
        "Socialförvaltningen",
        "Utbildningsförvaltningen",
        "Kultur- och\nfritidsförvaltningen",
        "Vård- och\nomsorgsförvaltningen",
    ]
    assert any(t.endswith(f"{NBSP}%") for t in _ticklabels(ax, "x"))
    assert ax.get_xlabel() == "Andel återtagna ansökningar i sent skede (%)"


def test_bar_chart_in_english(rates):
    fig = P.bar_chart(
        rates, value="late_withdrawal_rate", category="administration", lang="en", title="Late withdrawals"
    )
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Late-stage withdrawal rate (%)"
    assert _ticklabels(ax, "y")[0].replace("\n", " ") == "Social Services Administration"
    assert all(t.endswith("%") and NBSP not in t for t in _ticklabels(ax, "x"))
    assert "Not shown" in fig.get_supxlabel()
    assert fig.get_suptitle() == "Late withdrawals"


def test_bar_chart_ticks_use_the_decimal_comma():
    t = pd.DataFrame(
        {
            "administration": ["SOF", "UBF", "VOF"],
            "n_applications": [25, 60, 33],
            "n_vacancies": [20, 80, 30],
            "applicants_per_vacancy": [1.25, 0.75, 1.1],
        }
    )
    fig = P.bar_chart(
        publish(t, totals=None), value="applicants_per_vacancy", category="administration", horizontal=False
    )
    ax = fig.axes[0]
    ticks = _ticklabels(ax, "y")
    assert "0,2" in ticks and not any("." in t for t in ticks)
    assert "1,3" in _texts(fig)  # 1.25 rounded half away from zero, with a comma
    assert len(ax.patches) == 3


def test_bar_chart_refuses_a_dataframe():
    with pytest.raises(TypeError, match="ProtectedTable.*publish"):
        P.bar_chart(_rates(), value="late_withdrawal_rate", category="administration")


def test_bar_chart_with_hue_reference_and_where():
    t = pd.DataFrame(
        {
            "phase": ["during"] * 4 + ["before"] * 4,
            "gender": ["woman", "woman", "man", "man"] * 2,
            "arm": ["pilot", "comparison"] * 4,
            "n_hires": [50, 60, 40, 45] * 2,
            "n": [100, 110, 90, 95] * 2,
            "ratio_to_best": [1.0, 0.92, 0.7, 0.85] * 2,
        }
    )
    p = publish(t, totals=None, rates={"ratio_to_best": (None, ["n"])})
    with pytest.raises(ValueError, match="where="):
        P.bar_chart(p, value="ratio_to_best", category="gender", hue="arm")
    fig = P.bar_chart(
        p, value="ratio_to_best", category="gender", hue="arm", reference=0.8, where={"phase": "during"}, kind="ratio"
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    pilot = [q for q in ax.patches if q.get_facecolor() == to_rgba(P.PILOT_COLOR)]
    assert sorted(q.get_width() for q in pilot) == pytest.approx([0.7, 1.0])
    assert [ln.get_xdata()[0] for ln in ax.lines] == [0.8]
    assert "Fyra femtedelar (0,8)" in " ".join(_texts(fig))
    legend = fig.legends[0]
    assert [x.get_text() for x in legend.get_texts()] == ["Pilotförvaltningar", "Jämförelseförvaltningar"]


# --------------------------------------------------------------------------- line chart


def test_line_chart_leaves_a_gap_and_marks_it():
    p = publish(_series(), totals=None)
    assert p.flags["filled_rate"].tolist()[1] == "small_denominator"
    fig = P.line_chart(
        p,
        x="period",
        value="filled_rate",
        hue="arm",
        mark=[("2024-04-01", "Piloten börjar"), ("2024Q4", "Piloten slutar")],
    )
    ax = fig.axes[0]
    data = [ln for ln in ax.lines if ln.get_label() in ("Pilotförvaltningar", "Jämförelseförvaltningar")]
    assert len(data) == 2
    pilot = next(ln for ln in data if ln.get_label() == "Pilotförvaltningar")
    y = np.asarray(pilot.get_ydata(), dtype=float)
    assert np.isnan(y[1]) and np.isfinite(y[[0, 2, 3]]).all()
    assert pilot.get_color() == P.PILOT_COLOR
    comparison = next(ln for ln in data if ln.get_label() == "Jämförelseförvaltningar")
    assert np.isfinite(np.asarray(comparison.get_ydata(), dtype=float)).all()
    assert pilot.get_linestyle() != comparison.get_linestyle()
    assert "..*" in _texts(fig)
    assert "0,625" not in " ".join(_texts(fig))
    assert "..* Visas inte" in fig.get_supxlabel()
    # markers: 2024-04-01 is the start of 2024Q2 (points sit at the middle of their period)
    marks = sorted(ln.get_xdata()[0] for ln in ax.lines if ln not in data)
    assert marks == pytest.approx([0.5, 2.5])
    assert {"Piloten börjar", "Piloten slutar"} <= set(_texts(fig))
    assert _ticklabels(ax, "x") == ["kv. 1\n2024", "kv. 2\n2024", "kv. 3\n2024", "kv. 4\n2024"]
    assert ax.get_xlabel() == "Kvartal"
    assert ax.get_ylabel() == "Andel tillsatta (%)"
    en = P.line_chart(p, x="period", value="filled_rate", hue="arm", lang="en")
    assert _ticklabels(en.axes[0], "x")[0] == "Q1\n2024"


def test_line_chart_over_years_labels_the_years_and_refuses_a_dataframe():
    periods = [f"{y}Q{q}" for y in (2022, 2023, 2024, 2025) for q in (1, 2, 3, 4)]
    t = pd.DataFrame({"period": periods, "n": np.arange(16) + 20})
    fig = P.line_chart(publish(t, totals=None), x="period", value="n", mark=[("2026-03-01", "Lagändring")])
    ax = fig.axes[0]
    assert _ticklabels(ax, "x") == ["2022", "2023", "2024", "2025"]
    assert max(ln.get_xdata()[0] for ln in ax.lines if len(ln.get_xdata()) == 2) > 15  # the mark, after 2025Q4
    with pytest.raises(TypeError, match="ProtectedTable"):
        P.line_chart(t, x="period", value="n")


# --------------------------------------------------------------------------- funnel


def test_funnel_chart_marks_a_withheld_stage():
    p = publish(_funnel(), totals=None)
    comparison_bg = (p.values["arm"] == "comparison") & (p.values["stage"] == 4)
    assert p.flags.loc[comparison_bg, "rate"].tolist() == ["secondary"]
    fig = P.funnel_chart(p)
    ax = fig.axes[0]
    assert len(ax.patches) == 7 * 2 - 1  # stages 0-6, both arms, one withheld
    assert "..‡" in _texts(fig)
    assert _ticklabels(ax, "y") == [
        "Inkommen",
        "Granskad",
        "Intervju",
        "Referenstagning",
        "Bakgrundskontroll",
        "Erbjudande",
        "Accepterat",
    ]
    assert ax.get_xlabel() == "Andel som återtog ansökan vid steget (%)"
    caption = fig.get_supxlabel()
    assert "nått steget" in caption and "..‡ Visas inte" in caption
    en = P.funnel_chart(p, lang="en", value="share_of_applications", stages=[2, 3, 4])
    assert _ticklabels(en.axes[0], "y") == ["Interview", "References", "Background check"]
    assert len(en.axes[0].patches) == 5
    with pytest.raises(TypeError, match="ProtectedTable"):
        P.funnel_chart(_funnel())


def test_funnel_chart_from_the_measure(demo):
    w = withdrawals(demo["applications"], demo["vacancies"], by="arm", pilot_rollout=demo["pilot_rollout"])
    p = publish(w)
    fig = P.funnel_chart(p)
    ax = fig.axes[0]
    shown = p.values.loc[p.values["stage"] < 7, "rate"].notna().sum()
    assert len(ax.patches) == shown
    colours = {q.get_facecolor() for q in ax.patches}
    assert colours == {to_rgba(P.PILOT_COLOR), to_rgba(P.COMPARISON_COLOR)}


# --------------------------------------------------------------------------- fill curves


def test_fill_curve_stops_where_fewer_than_min_at_risk_remain():
    vac, rollout = _tiny_vacancies()
    fig = P.fill_curves(vac, rollout, "2024-12-31")
    before, during = fig.axes
    assert before.get_title(loc="left") == "Före piloten" and during.get_title(loc="left") == "Under piloten"
    assert len(before.lines) == 0 and "Inga uppgifter" in [t.get_text() for t in before.texts]
    assert len(during.lines) == 1  # the comparison arm has 5 vacancies (< min_n): not drawn
    line = during.lines[0]
    assert line.get_label() == "Pilotförvaltningar"
    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    durations = np.arange(1, 13) * 10
    at_risk = np.array([(durations >= d).sum() for d in x])
    assert (at_risk >= 10).all()
    assert x.max() == 30
    assert y[-1] == pytest.approx(3 / 12)
    assert y[x == 9][0] == 0 and y[x == 10][0] == pytest.approx(1 / 12)
    caption = fig.get_supxlabel()
    assert "Jämförelseförvaltningar (under piloten)" in caption
    assert "färre än 10 rekryteringar återstår" in caption
    assert during.get_xlabel() == "Dagar sedan publicering"
    assert before.get_ylabel() == "Andel tillsatta (%)"
    assert f"20{NBSP}%" in _ticklabels(before, "y")


def test_fill_curve_is_lifelines_kaplan_meier_with_ties_and_censoring():
    """The drawn curve is 1 − lifelines' KaplanMeierFitter (the reference), although the
    report no longer imports lifelines to draw it."""
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(4)
    durations = rng.integers(0, 120, 300).astype(float)  # many tied days
    filled = rng.random(300) < 0.7
    x, y = _km_curve(durations, filled, 180, 10)
    at_risk = np.array([(durations >= d).sum() for d in np.arange(181)])
    assert x.tolist() == np.arange(181)[at_risk >= 10].tolist()
    kmf = KaplanMeierFitter().fit(durations, event_observed=filled)
    np.testing.assert_allclose(y, 1 - kmf.survival_function_at_times(x).to_numpy(), rtol=0, atol=1e-12)
    x, y = _km_curve(durations[:5], filled[:5], 180, 10)
    assert len(x) == len(y) == 0


def test_fill_curve_day_ticks_thin_out_when_three_panels_share_the_width(demo):
    """Three panels (before, during, after) are narrow: ticks every 60 days, not 30, so
    "120 150 180" does not run together; one or two panels keep 30."""
    three = P.fill_curves(demo["vacancies"], demo["pilot_rollout"], "2026-02-28", phases=("before", "during", "after"))
    assert [float(x) for x in three.axes[0].get_xticks()] == [0, 60, 120, 180]
    two = P.fill_curves(demo["vacancies"], demo["pilot_rollout"], "2026-02-28")
    assert [float(x) for x in two.axes[0].get_xticks()] == [0, 30, 60, 90, 120, 150, 180]


def test_fill_curve_thresholds_are_parameters():
    vac, rollout = _tiny_vacancies()
    fig = P.fill_curves(vac, rollout, "2024-12-31", min_at_risk=5, min_n=5, phases=("during",), lang="en")
    (ax,) = fig.axes
    labels = {ln.get_label(): ln for ln in ax.lines}
    assert set(labels) == {"Pilot administrations", "Comparison administrations"}
    assert max(labels["Pilot administrations"].get_xdata()) == 80  # durations 80-120: 5 at risk
    assert max(labels["Comparison administrations"].get_xdata()) == 15  # all 5 at risk up to day 15
    assert ax.get_xlabel() == "Days since publication"
    assert ax.get_ylabel() == "Share filled (%)"


def test_fill_curves_on_the_demo(demo):
    fig = P.fill_curves(demo["vacancies"], demo["pilot_rollout"], CUT, phases=("before", "during", "after"))
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert len(ax.lines) == 2
        pilot, comparison = ax.lines
        assert pilot.get_color() == P.PILOT_COLOR and comparison.get_color() == P.COMPARISON_COLOR
        assert pilot.get_linestyle() != comparison.get_linestyle()
        assert pilot.get_marker() != comparison.get_marker()
        y = np.asarray(pilot.get_ydata(), dtype=float)
        assert (np.diff(y) >= 0).all() and y.min() >= 0 and y.max() <= 1
        assert max(pilot.get_xdata()) <= 180


# --------------------------------------------------------------------------- event study


def test_event_study_plot():
    fig = P.event_study_plot(_event_table())
    ax = fig.axes[0]
    (pre_x, _), (post_x, post_y) = _points(ax)
    assert pre_x.tolist() == [-3, -2, -1] and post_x.tolist() == [0, 1, 2]  # the overall row is dropped
    assert post_y == pytest.approx([-8.0, -12.0, -5.0])  # a share, in percentage points
    assert ax.containers[0].lines[0].get_color() == P.PRE_PERIOD_COLOR
    assert ax.containers[1].lines[0].get_color() == P.PILOT_COLOR
    assert {"Före piloten", "Under piloten"} <= set(_texts(fig))
    vertical = [ln for ln in ax.lines if list(ln.get_xdata()) == [-0.5, -0.5]]
    assert len(vertical) == 1 and vertical[0].get_linestyle() == "--"
    assert ax.get_ylabel().replace("\n", " ") == "Skillnad mot jämförelseförvaltningarna (procentenheter)"
    assert ax.get_xlabel().startswith("Kvartal i förhållande till pilotens start")
    assert fig.get_suptitle() == "Andel tillsatta inom 90 dagar"
    assert "vägledande" in fig.get_supxlabel()
    assert f"{MINUS}2" in _ticklabels(ax, "x")
    en = P.event_study_plot(_event_table(), lang="en", unit="number", outcome_label="Filled in 90 days")
    assert _points(en.axes[0])[1][1] == pytest.approx([-0.08, -0.12, -0.05])
    assert en.get_suptitle() == "Filled in 90 days"
    assert {"Before the pilot", "During the pilot"} <= set(_texts(en))


def test_event_study_plot_from_the_estimator(demo):
    from pilot_eval.estimate.effects import event_study

    table = event_study(demo, "filled_within_90", CUT).tidy()
    fig = P.event_study_plot(table)
    n_points = sum(len(x) for x, _ in _points(fig.axes[0]))
    assert n_points == table["event_time"].notna().sum()


# --------------------------------------------------------------------------- effects


def test_effect_plot_draws_the_headline_rows_one_panel_per_unit():
    fig = P.effect_plot(_effects_table())
    assert len(fig.axes) == 3
    pp, days, applicants = fig.axes
    assert pp.get_xlabel() == "Skattad effekt (procentenheter)"
    assert days.get_xlabel() == "Skattad effekt (dagar)"
    assert applicants.get_xlabel() == "Skattad effekt (sökande)"
    ((x, _),) = _points(pp)
    assert x == pytest.approx([-5.0, 2.0])  # headline rows only, × 100
    assert [t.replace("\n", " ") for t in _ticklabels(pp, "y")] == [
        "Andel tillsatta inom 90 dagar",
        "Andel återtagna ansökningar i sent skede",
    ]
    assert _points(days)[0][0] == pytest.approx([4.8])
    assert f"{MINUS}5,0 ({MINUS}20,0 till 10,0)" in _texts(fig)
    assert fig.get_suptitle() == "Pilotens effekt medan den pågick"
    assert "56 möjliga val" in fig.get_supxlabel()
    after = P.effect_plot(_effects_table(), term="after", lang="en", units={"late_withdrawal": "number"})
    assert len(after.axes) == 4
    assert after.get_suptitle() == "Effect of the pilot after it ended"
    with pytest.raises(ValueError, match="more than one row per outcome"):
        P.effect_plot(_effects_table().drop(columns="headline"))


# --------------------------------------------------------------------------- permutation


def test_permutation_plot():
    fig = P.permutation_plot(_plot_data(), 0.16, p_value=3 / 56, scale=100)
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    hit = [q for q in ax.patches if q.get_facecolor() == to_rgba(P.PILOT_COLOR)]
    assert len(hit) == 1 and hit[0].get_x() == pytest.approx(10.0)
    actual = [ln for ln in ax.lines if ln.get_color() == P.PILOT_COLOR]
    assert actual[0].get_xdata()[0] == pytest.approx(16.0)
    assert "Det faktiska utfallet" in _texts(fig)
    subtitle = ax.get_title(loc="left").replace("\n", " ")
    assert "3 av 56" in subtitle and "p = 0,05" in subtitle
    assert any("," in t for t in _ticklabels(ax, "x")) is False  # whole numbers: no decimals
    en = P.permutation_plot(_plot_data(), 0.16, lang="en")
    assert "The actual result" in _texts(en)
    assert "56 possible choices" in en.axes[0].get_title(loc="left").replace("\n", " ")


def test_permutation_plot_takes_the_result():
    df = pd.DataFrame({"admin": list("ABCDEFGH"), "y": [9.0, 8.0, 7.0, 1.0, 2.0, 3.0, 2.0, 1.0]})

    def diff(d, treated):
        t = d["admin"].isin(treated)
        return d.loc[t, "y"].mean() - d.loc[~t, "y"].mean()

    res = randomization_inference(df, diff, unit="admin", treated={"A", "B", "C"})
    fig = P.permutation_plot(res)
    ax = fig.axes[0]
    assert sum(q.get_height() for q in ax.patches) == 56
    assert "1 av 56" in ax.get_title(loc="left").replace("\n", " ")


# --------------------------------------------------------------------------- every chart


def _every_chart(demo_tables):
    vac, rollout = _tiny_vacancies()
    return {
        "fill_curves": lambda: P.fill_curves(vac, rollout, "2024-12-31"),
        "event_study_plot": lambda: P.event_study_plot(_event_table()),
        "effect_plot": lambda: P.effect_plot(_effects_table()),
        "bar_chart": lambda: P.bar_chart(
            publish(_rates(), totals=None),
            value="late_withdrawal_rate",
            category="administration",
            title="Sent återtagande",
        ),
        "line_chart": lambda: P.line_chart(
            publish(_series(), totals=None), x="period", value="filled_rate", hue="arm", mark=[("2024-04-01", "Start")]
        ),
        "funnel_chart": lambda: P.funnel_chart(publish(_funnel(), totals=None)),
        "permutation_plot": lambda: P.permutation_plot(_plot_data(), 0.16, p_value=0.05),
    }


@pytest.mark.parametrize(
    "name",
    ["fill_curves", "event_study_plot", "effect_plot", "bar_chart", "line_chart", "funnel_chart", "permutation_plot"],
)
def test_every_chart_leaves_pyplot_alone_and_renders(name):
    make = _every_chart(None)[name]
    rc_before = dict(matplotlib.rcParams)
    figs_before = plt.get_fignums()
    fig = make()
    assert dict(matplotlib.rcParams) == rc_before
    assert plt.get_fignums() == figs_before  # never registered with pyplot: a notebook shows it once
    assert isinstance(fig, Figure)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(P.FIG_WIDTH) and 2.5 < height <= 11
    assert 110 <= fig.dpi <= 150
    for ax in fig.axes:
        assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    buf = BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert dict(matplotlib.rcParams) == rc_before


@pytest.mark.parametrize(
    "name",
    ["fill_curves", "event_study_plot", "effect_plot", "bar_chart", "line_chart", "funnel_chart", "permutation_plot"],
)
def test_every_chart_keeps_its_artists_inside_the_figure(name):
    """show.figure saves without bbox_inches="tight" (a second draw): that is only safe
    while constrained layout keeps titles, legends, captions and tick labels inside."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _every_chart(None)[name]()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer())
    width, height = fig.get_size_inches()
    assert box.x0 >= -0.01 and box.y0 >= -0.01 and box.x1 <= width + 0.01 and box.y1 <= height + 0.01, box


def test_every_public_function_has_a_docstring_with_an_example():
    for name in (
        "fill_curves",
        "event_study_plot",
        "effect_plot",
        "bar_chart",
        "line_chart",
        "funnel_chart",
        "permutation_plot",
        "number_formatter",
        "house_style",
        "group_styles",
    ):
        doc = getattr(P, name).__doc__
        assert doc and ">>>" in doc, name


def test_show_figure_shows_a_png_without_importing_pyplot_and_closes_pyplots_figures():
    """show.figure embeds the chart as PNG (in its <figure>); the report's charts are made without pyplot, so
    showing one must not import it (its import and Jupyter's inline backend set-up cost
    every notebook time), while a figure made with pyplot is closed after it is shown."""
    import subprocess
    import sys

    code = (
        "import sys, matplotlib; matplotlib.use('Agg')\n"
        "import IPython.display as d\n"
        "shown = []\n"
        "d.display = lambda obj, **kw: shown.append(obj)\n"
        "from pilot_eval.report import plots, show\n"
        "import pandas as pd\n"
        "from pilot_eval.disclosure import publish\n"
        "t = publish(pd.DataFrame({'phase': ['before', 'during'], 'n_vacancies': [40, 50]}), totals=None)\n"
        "show.figure(plots.bar_chart(t, value='n_vacancies', category='phase', kind='count'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert '<figure class=\"chart\">' in shown[-1].data and 'base64,iVBORw0KGgo' in shown[-1].data\n"
        "import matplotlib.pyplot as plt\n"
        "fig = plt.figure(); assert plt.get_fignums()\n"
        "fig.pilot_eval_alt = 'Antal: 3'\n"
        "fig.pilot_eval_data = pd.DataFrame({'Antal': ['3']}); fig.pilot_eval_data.attrs['lang'] = 'sv'\n"
        "show.figure(fig)\n"
        "assert not plt.get_fignums(), 'pyplot figure left open'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


# --------------------------------------------------------------------------- texts and periods


def test_outcome_info_joins_the_chart_texts_with_the_units():
    """OUTCOME_INFO keeps its shape (sv, en, unit) for its callers, built from
    pilot_eval.texts.charts and the units the plots package keeps."""
    from pilot_eval.texts import charts

    assert list(P.OUTCOME_INFO) == list(charts.OUTCOMES)
    for name, (sv, en, unit) in P.OUTCOME_INFO.items():
        assert (sv, en) == charts.OUTCOMES[name]
        assert unit in P.UNITS
    assert P.UNITS["pp"] == ("procentenheter", "percentage points", 100.0)
    assert P.UNITS["number"] == ("", "", 1.0)
    assert set(P.TEXTS) >= {"fill_title", "event_xlabel_quarter", "permutation_p"}


def test_chart_texts_have_both_languages_and_the_same_placeholders():
    from string import Formatter

    from pilot_eval.texts import charts as C
    from pilot_eval.texts import pairs

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    charts = [(where, sv, en) for where, sv, en in pairs() if where.startswith("charts.")]
    assert len(charts) == sum(
        len(d) for d in (C.TEXTS, C.OUTCOMES, C.UNIT_WORDS, C.INFERENCE, C.PERIOD_AXIS, C.PERIOD_ADJECTIVES)
    )
    for where, sv, en in charts:
        assert sv and en and sv != en, where
        assert fields(sv) == fields(en), where


def test_line_chart_reads_periods_as_pilot_eval_periods_does():
    t = pd.DataFrame({"half": ["2023h2", "2024H1", "2025H1"], "n": [20, 30, 25]})
    p = publish(t, totals=None)
    fig = P.line_chart(p, x="half", value="n", mark=[("2024-10-01", "Mitt i halvåret"), ("2025H1", "Start")])
    ax = fig.axes[0]
    (data,) = [ln for ln in ax.lines if len(ln.get_xdata()) == 4]  # 2023H2 … 2025H1
    assert np.isnan(np.asarray(data.get_ydata(), dtype=float)[2])  # 2024H2 is not in the table: a gap
    marks = sorted(ln.get_xdata()[0] for ln in ax.lines if ln is not data)
    assert marks == pytest.approx([2.0, 2.5])  # 1 October: the middle of 2024H2; 2025H1: its start
    assert ax.get_xlabel() == "Halvår"
    assert P.line_chart(p, x="half", value="n", lang="en").axes[0].get_xlabel() == "Half-year"
    with pytest.raises(ValueError, match="cannot read the marker '2024H3'"):
        P.line_chart(p, x="half", value="n", mark=[("2024H3", "x")])
    with pytest.raises(ValueError, match="cannot read the marker 'soon'"):
        P.line_chart(p, x="half", value="n", mark=[("soon", "x")])
    with pytest.raises(ValueError, match="mixes period lengths"):
        P.line_chart(
            publish(pd.DataFrame({"period": ["2024Q1", "2024-05"], "n": [20, 30]}), totals=None), x="period", value="n"
        )
    with pytest.raises(ValueError, match="lang must be 'sv' or 'en'"):
        P.line_chart(p, x="half", value="n", lang="de")
