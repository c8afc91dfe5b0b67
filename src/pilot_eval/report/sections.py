"""Computations that several report notebooks share (so that no notebook defines a function).

Everything here returns tidy, unprotected figures; notebooks show them with
:func:`pilot_eval.report.show.table` (which applies disclosure control) and chart them from
the protected table's ``values``. The estimates (effects, event studies, triple differences,
minimum detectable effects) are the report's, computed once by
:func:`pilot_eval.report.stages.estimate` and read here from ``ctx.estimates``
(:attr:`pilot_eval.report.context.Period.estimates`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import measures as M
from .. import texts
from ..estimate.base import EstimateResult
from ..labels import format_number, value_label
from ..texts import report as words
from .context import Period
from .findings import SUMMARY_OUTCOMES  # the summary's outcomes are defined once, there

__all__ = [
    "OUTCOME_MEASURES",
    "SUMMARY_OUTCOMES",
    "arm_phase_table",
    "caveats",
    "check_outcomes",
    "effects",
    "effect_table",
    "equality_summary",
    "effect_table_inference",
    "event_study",
    "GROUP_EFFECT_BY",
    "GROUP_EFFECT_OUTCOME",
    "compute_group_effects",
    "group_effect_bootstrapped",
    "group_effect_floor",
    "group_effect_plot",
    "group_effect_table",
    "group_effect_withheld",
    "group_effects",
    "is_demo",
    "leave_one_out",
    "leave_one_out_table",
    "mde",
    "mde_by_outcome",
    "mde_table",
    "placebo_in_time",
    "placebo_in_time_table",
    "outcome_label",
    "pilot_marks",
    "breakdowns",
    "leave_one_out_overview",
    "placebo_in_time_overview",
    "pretrend_p_values",
    "pretrend_result",
    "rollout_scope",
    "group_effect_result",
    "hires_checked_result",
    "turnaround_result",
    "check_outcomes_result",
    "finding",
    "pretrend_table",
    "pretrends",
    "previous_headline",
    "sensitivity",
    "since_last_report",
    "sensitivity_table",
    "sensitivity_result",
    "supply_summary",
    "quarantine_reasons",
    "row_accounting",
    "triple_difference_table",
    "vacancies_by_period",
    # data quality in words
    "check_words",
    "data_checks_intro",
    "expectation_caption",
    "expectation_results",
    "expectation_summary",
    "ingest_notices",
    "quarantine_reasons_in_words",
]

#: For each effect outcome, the descriptive measure that shows the same thing by arm and
#: phase: (measure name, figure column, chart kind).
OUTCOME_MEASURES: dict[str, tuple[str, str, str]] = {
    "days_to_fill": ("time_to_fill_restricted", "rmst_180", "days"),
    "closed_without_hire": ("time_to_fill_restricted", "closed_rate", "percent"),
    "days_unfilled_90": ("time_to_fill", "rmst_90", "days"),
    "filled_within_60": ("time_to_fill", "filled_within_60", "percent"),
    "filled_within_90": ("time_to_fill", "filled_within_90", "percent"),
    "late_withdrawal": ("late_withdrawal_rate", "late_withdrawal_rate", "percent"),
    "applicants_per_vacancy": ("competence_supply", "applicants_per_vacancy", "ratio"),
    "qualified_applicants_per_vacancy": ("competence_supply", "qualified_per_vacancy", "ratio"),
    "offer_acceptance": ("offers", "acceptance_rate", "percent"),
}


def outcome_label(outcome: str, lang: str = "sv") -> str:
    """Plain-language name of an effect outcome (the charts' names,
    :data:`pilot_eval.report.plots.OUTCOME_INFO`)."""
    from .plots import OUTCOME_INFO

    sv, en, _ = OUTCOME_INFO.get(outcome, (outcome, outcome, ""))
    return sv if lang == "sv" else en


def _to_percentage_points(table: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Multiply ``columns`` by 100 in the rows whose ``outcome`` is a proportion (in place);
    returns that mask."""
    from .plots import OUTCOME_INFO

    share = table["outcome"].map(lambda o: OUTCOME_INFO.get(o, ("", "", ""))[2] == "pp").astype(bool)
    for c in columns:
        table[c] = table[c].where(~share, table[c] * 100)
    return share


def arm_phase_table(ctx: Period, outcome: str, by: Sequence[str] = ("arm", "phase")) -> pd.DataFrame:
    """The descriptive figure behind an effect outcome, by pilot arm and phase (before /
    during / after the pilot): the "before and after, pilot and comparison" picture of a
    difference-in-differences, with the counts its disclosure control needs."""
    measure, column, _ = OUTCOME_MEASURES[outcome]
    by = list(by)
    v, a, r = ctx.vacancies, ctx.applications, ctx.pilot_rollout
    if measure == "time_to_fill":
        table = M.time_to_fill(v, ctx.cut_date, by=by, pilot_rollout=r)
        keep = ["n_filled", column, "n"]
    elif measure == "time_to_fill_restricted":
        # the days_to_fill effect's own quantity: KM restricted mean up to the same
        # horizon, the same rows (followed that long) and censoring (closure)
        table = M.time_to_fill_restricted(v, ctx.cut_date, by=by, pilot_rollout=r)
        keep = ["n_closed" if column == "closed_rate" else "n_filled", column, "n"]
    elif measure == "late_withdrawal_rate":
        table = M.late_withdrawal_rate(a, v, by=by, pilot_rollout=r)
        keep = ["n_reached_interview", "n_withdrawn_late", column]
    elif measure == "competence_supply":
        table = M.competence_supply(v, a, by=by, pilot_rollout=r)
        keep = (
            ["n_vacancies", "n_applications", column] if column == "applicants_per_vacancy" else ["n_vacancies", column]
        )
    else:
        table = M.offers(a, v, by=by, pilot_rollout=r)
        keep = ["n_accepted", "n_declined", column]
    return table[by + keep].reset_index(drop=True)


def effects(ctx: Period, outcomes: Sequence[str] | None = None) -> EstimateResult:
    """:func:`pilot_eval.estimate.effects.pilot_effects` on the period's window, with its
    bootstrap draws and seed, for ``outcomes`` (default all) in that order.

    The report's estimates (``ctx.estimates``: saved by the runner's estimate stage, or
    computed once in this kernel); an outcome they do not hold is computed here.
    """
    from ..estimate.effects import OUTCOMES

    outcomes = list(outcomes or OUTCOMES)
    estimates = ctx.estimates
    missing = [o for o in outcomes if o not in estimates.effects]
    if missing:
        from .stages import compute_effects

        estimates.effects.update(compute_effects(ctx, missing))
    return estimates.effects_of(outcomes)


def effect_table(result: EstimateResult, lang: str = "sv", headline_only: bool = False) -> pd.DataFrame:
    """The effects for print: outcome in words, during / after, estimate, interval,
    p-value, inference method, n. Shares are in percentage points."""
    t = result.tidy().copy()
    if headline_only:
        t = t.loc[t["headline"]]
    share = _to_percentage_points(t, ("estimate", "conf_low", "conf_high", "std_error"))
    # Poisson rows (count outcomes): ratio − 1, printed as the change in per cent
    ratio = t["scale"].astype(str).eq("ratio") if "scale" in t else pd.Series(False, index=t.index)
    for c in ("estimate", "conf_low", "conf_high"):
        t[c] = t[c].where(~ratio, t[c] * 100)
    i = texts.index(lang)
    suffix = {k: v[i] for k, v in words.PERCENTAGE_POINTS_SUFFIX.items()}
    t["outcome"] = [
        outcome_label(o, lang) + (suffix["suffix"] if s else suffix["percent"] if r else "")
        for o, s, r in zip(t["outcome"], share, ratio, strict=True)
    ]
    t["term"] = t["term"].map(lambda x: words.TERMS[x][i] if x in words.TERMS else x)
    t["inference"] = effect_table_inference(t["inference"], lang)
    cols = ["outcome", "term", "inference", "estimate", "conf_low", "conf_high", "p_value", "n"]
    if "p_value_fwer" in t and t["p_value_fwer"].notna().any():
        cols.insert(cols.index("p_value") + 1, "p_value_fwer")
    return t[cols].reset_index(drop=True)


def effect_table_inference(inference: pd.Series, lang: str) -> list[str]:
    """Inference method names in words."""
    i = texts.index(lang)
    return [next((w[i] for k, w in words.INFERENCE.items() if str(x).startswith(k)), str(x)) for x in inference]


def administration_panel(ctx: Period) -> pd.DataFrame:
    """The administration × quarter panel of the period's window
    (:func:`pilot_eval.measures.build_panel`), built once per period and shared by the
    event studies of every outcome."""
    from .stages import administration_panel as panel

    return panel(ctx)


def event_study(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.estimate.effects.event_study` for the period's window: the report's
    (``ctx.estimates``; the time-to-fill, withdrawals and methods pages show the same event
    studies), computed here for an outcome they do not hold."""
    from .stages import compute_event_study

    return _stage_result(ctx, "event_studies", outcome, lambda: compute_event_study(ctx, outcome))


def row_accounting(ctx: Period) -> pd.DataFrame:
    """Per table: rows read, processed and quarantined (from the ingest report)."""
    rows = [
        {
            "table": t,
            "source_file": info["source"]["file"],
            "n_read": info["rows_read"],
            "n_processed": info["rows_processed"],
            "n_quarantined": info["rows_quarantined"],
        }
        for t, info in ctx.ingest_report.get("tables", {}).items()
    ]
    return pd.DataFrame(rows, columns=["table", "source_file", "n_read", "n_processed", "n_quarantined"])


def quarantine_reasons(ctx: Period) -> pd.DataFrame:
    """Per table and reason: quarantined rows (a row may have several reasons)."""
    rows = [
        {"table": t, "reason": reason, "n_rows": n}
        for t, info in ctx.ingest_report.get("tables", {}).items()
        for reason, n in info["reasons"].items()
    ]
    return pd.DataFrame(rows, columns=["table", "reason", "n_rows"])


def vacancies_by_period(ctx: Period) -> pd.DataFrame:
    """Vacancies published per quarter and pilot arm."""
    v = M.enrich_vacancies(ctx.vacancies, ctx.pilot_rollout)
    return v.groupby(["period", "arm"], observed=True).size().rename("n_vacancies").reset_index()


def check_outcomes(ctx: Period) -> pd.DataFrame:
    """Completed deepened checks (court records, court and credit) by year of request and
    outcome, for the whole municipality: the only level at which outcomes are published
    (criminal-offence data; shown through ``publish(..., check_outcomes=True)``)."""
    from ..measures.coverage import COURT_CHECK_TYPES

    c = ctx.background_checks
    done = c.loc[c["check_type"].astype(str).isin(COURT_CHECK_TYPES) & (c["status"].astype(str) == "completed")]
    out = (
        done.assign(year=done["requested_date"].dt.year.astype(str), outcome=done["outcome"].astype(str))
        .groupby(["year", "outcome"])
        .size()
        .rename("n")
        .reset_index()
    )
    full = pd.MultiIndex.from_product(
        [sorted(out["year"].unique()), ["cleared", "remark_no_obstacle", "remark_obstacle"]], names=["year", "outcome"]
    )
    return out.set_index(["year", "outcome"]).reindex(full, fill_value=0).reset_index()


def checks_by(coverage, by: Sequence[str]) -> pd.DataFrame:
    """Checks requested, summed over the roll-out's administration × check type × year
    table (:attr:`pilot_eval.measures.PilotCoverage.checks_by_type`) to ``by`` (e.g.
    check type and year). Only the number of checks: with the completed, pending and
    cancelled counts beside it, a small number cancelled would have to be hidden together
    with its row's other counts, and with every line's margin assumed published the
    three-way table lost nearly every cell to secondary suppression (37 of 43 rows on the
    demo)."""
    table = coverage.checks_by_type
    return table.groupby(list(by), observed=True, sort=True)[["n_checks"]].sum().reset_index()


def is_demo(ctx: Period) -> bool:
    """True when the period's data are the synthetic demo export (its raw folder has truth.json)."""
    from pathlib import Path

    raw = ctx.ingest_report.get("raw_dir")
    return bool(raw) and (Path(raw) / "truth.json").is_file()


def pretrends(ctx: Period) -> pd.DataFrame:
    """The primary outcomes' pre-trend tests and pre-trend power (the estimate stage's
    :func:`pilot_eval.report.stages.compute_pretrends`, or computed here)."""
    from .stages import compute_pretrends

    return _stage_result(ctx, "pretrends", None, lambda: compute_pretrends(ctx, _primary(ctx)))


def pretrend_p_values(ctx: Period) -> dict[str, float]:
    """Outcome → the p-value of its pre-trend test with the full-rank covariance (what the
    summary's verdicts use)."""
    t = pretrends(ctx)
    return {str(o): float(p) for o, p in t.groupby("outcome", sort=False)["p_value"].first().items()}


def pretrend_table(ctx: Period) -> pd.DataFrame:
    """Per primary outcome, for print: the test that pilot and comparison administrations
    moved in parallel before the pilot (p-value with the full-rank covariance), and the
    steepest difference in trend per quarter the test finds with 80 % power with the bias
    such a trend would give the effect (in the outcome's units; percentage points for
    shares)."""
    from .plots import OUTCOME_INFO

    t = pretrends(ctx)
    t = t.loc[t["power"].round(2) == 0.8].copy()
    share = t["outcome"].map(lambda o: OUTCOME_INFO.get(o, ("", "", ""))[2] == "pp").astype(bool)
    for c in ("slope", "bias"):
        t[c] = t[c].where(~share, t[c] * 100)
    i = texts.index(ctx.lang)
    t["unit"] = [_unit_word(o, i) for o in t["outcome"]]
    t["outcome"] = [outcome_label(o, ctx.lang) for o in t["outcome"]]
    t = t.rename(columns={"p_value": "pretrend_p_value", "slope": "pretrend_slope_80", "bias": "pretrend_bias_80"})
    return t[["outcome", "pretrend_p_value", "unit", "pretrend_slope_80", "pretrend_bias_80"]].reset_index(drop=True)


def _unit_word(outcome: str, i: int) -> str:
    """The unit an outcome's event study is in, in words (shares in percentage points)."""
    from .plots import OUTCOME_INFO

    kind = OUTCOME_INFO.get(outcome, ("", "", ""))[2]
    key = {"pp": "percentage_points", "days": "days", "applicants": "applicants"}.get(kind)
    return words.UNITS[key][i] if key else ""


def sensitivity(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.report.stages.compute_sensitivity` of ``outcome`` (the estimate
    stage's, or computed here)."""
    from .stages import compute_sensitivity

    return _stage_result(ctx, "sensitivity", outcome, lambda: compute_sensitivity(ctx, outcome))


def breakdowns(ctx: Period, method: str = "relative_magnitudes") -> dict[str, float]:
    """Outcome → the breakdown value of its event study (the smallest M̄ at which the
    robust interval contains 0; 0 = the ordinary one already does), for the summary."""
    return {o: float(sensitivity(ctx, o).details["breakdown"][method]) for o in _primary(ctx)}


def sensitivity_table(ctx: Period) -> pd.DataFrame:
    """Per primary outcome, for print: the event study's average effect after the start
    with its ordinary interval, and the breakdown values of the two restrictions of
    Rambachan & Roth (2023): relative magnitudes (M̄: how many times the largest
    difference before the pilot the difference after it may be) and smoothness (M: how
    much the trend may bend per quarter, in the outcome's units)."""
    from .plots import OUTCOME_INFO

    rows = []
    for o in _primary(ctx):
        r = sensitivity(ctx, o)
        t = r.tidy()
        original = t.loc[t["inference"].astype(str) == "original"].iloc[0]
        factor = 100.0 if OUTCOME_INFO.get(o, ("", "", ""))[2] == "pp" else 1.0
        b = r.details["breakdown"]
        rows.append(
            {
                "outcome": outcome_label(o, ctx.lang),
                "unit": _unit_word(o, texts.index(ctx.lang)),
                "estimate": float(original["estimate"]) * factor,
                "conf_low": float(original["conf_low"]) * factor,
                "conf_high": float(original["conf_high"]) * factor,
                "breakdown_rm": float(b["relative_magnitudes"]),
                "breakdown_sd": float(b["smoothness"]) * factor,
            }
        )
    return pd.DataFrame(rows)


def sensitivity_result(ctx: Period, method: str = "relative_magnitudes") -> list[str]:
    """The sentences under the sensitivity table (page 07): for each primary outcome whose
    effect after the start differs from zero, how large a break of parallel trends it
    withstands (its breakdown value M̄, Rambachan & Roth 2023); the outcomes whose interval
    already contains zero, together in one sentence."""
    i = texts.index(ctx.lang)
    said, zero = [], []
    for o in _primary(ctx):
        m = float(sensitivity(ctx, o).details["breakdown"][method])
        name = outcome_label(o, ctx.lang)
        name = name[0].lower() + name[1:]
        if m > 0:
            said.append(
                words.SENSITIVITY_RESULT["holds"][i].format(outcome=name, m=format_number(m, ctx.lang, decimals=2))
            )
        else:
            zero.append(name)
    if zero:
        joined = (
            zero[0] if len(zero) == 1 else ", ".join(zero[:-1]) + (" och " if ctx.lang == "sv" else " and ") + zero[-1]
        )
        said.append(words.SENSITIVITY_RESULT["contains_zero"][i].format(outcomes=joined))
    return said


def _stage_result(ctx: Period, field: str, key: str | None, compute):
    """``ctx.estimates.<field>[key]`` (or the field itself without a key), computed here
    with ``compute()`` when the estimate stage does not hold it: a page whose estimate
    failed in the stage fails at this cell with the estimator's own error."""
    estimates = ctx.estimates
    held = getattr(estimates, field)
    if key is None:
        if field in estimates.errors or (isinstance(held, pd.DataFrame) and held.empty):
            setattr(estimates, field, compute())
        return getattr(estimates, field)
    if key not in held:
        held[key] = compute()
    return held[key]


def _primary(ctx: Period) -> list[str]:
    from ..estimate.effects import PRIMARY_OUTCOMES

    return list(PRIMARY_OUTCOMES.values())


def previous_headline(ctx: Period) -> dict[str, dict] | None:
    """The previous report's headline figures ("sedan förra rapporten"), by primary outcome:
    ``{"period", "estimate", "conf_low", "conf_high", "tag"}`` (the effect during the pilot in
    the estimator's units, as in :func:`effects`' rows: shares as proportions; ``tag`` the
    verdict key, :data:`pilot_eval.report.findings.VERDICTS`). None for the first report of
    a reports folder, or a notebook run alone (:func:`pilot_eval.report.series.previous_headline`)."""
    return dict(ctx.estimates.previous_headline) or None


def since_last_report(ctx: Period) -> str | None:
    """One sentence in the page's language on how the primary outcomes' estimates (and
    their verdicts) changed since the previous report, or None when there is none
    (:func:`pilot_eval.report.series.since_last_report`)."""
    from . import series

    previous = previous_headline(ctx)
    if previous is None:
        return None
    current = series.headline_figures(ctx.estimates, ctx.period)
    ratios = series.ratio_outcomes(ctx.estimates)
    return series.since_last_report(previous, current, lang=ctx.lang, ratios=ratios)


def mde(ctx: Period) -> pd.DataFrame:
    """The minimum detectable effects of the primary outcomes from the period's data
    (:func:`pilot_eval.report.stages.compute_mde`), long: outcome, term (mde_increase /
    mde_decrease), phase, estimate (the outcome's units), relative (÷ the pilot
    administrations' pre-pilot mean), power."""
    from .stages import compute_mde

    return _stage_result(ctx, "mde", None, lambda: compute_mde(ctx, _primary(ctx)))


def mde_by_outcome(ctx: Period, term: str = "during") -> dict[str, dict[str, float]]:
    """Outcome → {"mde_increase", "mde_decrease", "power"} of ``term``, in the units the
    summary speaks of each outcome in (:func:`pilot_eval.report.findings.describe_effect`):
    proportions for shares, days, and for the count outcomes (Poisson ratios) the
    proportional change (the ``relative`` MDE)."""
    from ..estimate.poisson import COUNT_OUTCOMES

    table = mde(ctx)
    out: dict[str, dict[str, float]] = {}
    for row in table.loc[table["phase"].astype(str) == term].itertuples(index=False):
        value = row.relative if row.outcome in COUNT_OUTCOMES else row.estimate
        out.setdefault(str(row.outcome), {"power": float(row.power)})[str(row.term)] = float(value)
    return out


def mde_table(ctx: Period) -> pd.DataFrame:
    """The minimum detectable effects for print: outcome in words, phase, unit, the
    smallest increase and decrease the headline test finds with 80 % power, computed from
    the period's own data (shares in percentage points; counts as per cent of the pilot
    administrations' level before the pilot, as their effects are ratios)."""
    from ..estimate.poisson import COUNT_OUTCOMES

    t = mde(ctx).copy()
    count = t["outcome"].isin(COUNT_OUTCOMES)
    t["estimate"] = t["estimate"].where(~count, t["relative"] * 100)
    wide = t.pivot_table(index=["outcome", "phase"], columns="term", values="estimate", sort=False).reset_index()
    share = _to_percentage_points(wide, ("mde_increase", "mde_decrease"))
    i = texts.index(ctx.lang)
    unit = tuple(words.UNITS[k][i] for k in ("percentage_points", "days", "percent"))
    counts = wide["outcome"].isin(COUNT_OUTCOMES)
    wide["unit"] = [unit[0] if s else unit[2] if c else unit[1] for s, c in zip(share, counts, strict=True)]
    wide["outcome"] = [outcome_label(o, ctx.lang) for o in wide["outcome"]]
    wide["phase"] = [value_label("phase", x, ctx.lang) for x in wide["phase"]]
    return wide[["outcome", "phase", "unit", "mde_increase", "mde_decrease"]]


def leave_one_out(ctx: Period, outcome: str):
    """:func:`pilot_eval.estimate.robustness.leave_one_out` of ``outcome`` (the estimate
    stage's, or computed here)."""
    from .stages import compute_leave_one_out

    return _stage_result(ctx, "leave_one_out", outcome, lambda: compute_leave_one_out(ctx, outcome))


def placebo_in_time(ctx: Period, outcome: str):
    """:func:`pilot_eval.estimate.robustness.placebo_in_time` of ``outcome`` (the estimate
    stage's, or computed here)."""
    from .stages import compute_placebo_in_time

    return _stage_result(ctx, "placebo_in_time", outcome, lambda: compute_placebo_in_time(ctx, outcome))


def _reader_units(t: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Estimate and interval in the reader's units: percentage points for shares, per cent
    for ratios (``scale`` "ratio"), else as they are."""
    from .plots import OUTCOME_INFO

    t = t.copy()
    factor = 100.0 if OUTCOME_INFO.get(outcome, ("", "", ""))[2] == "pp" else 1.0
    if "scale" in t and t["scale"].astype(str).eq("ratio").any():
        factor = 100.0
    for c in ("estimate", "conf_low", "conf_high"):
        t[c] = t[c] * factor
    return t


def leave_one_out_table(ctx: Period, outcome: str, term: str = "during") -> pd.DataFrame:
    """The headline effect of ``outcome`` (``term``) with each administration left out, for
    print: administration in words (first row: all eight), its group, estimate, interval,
    p-value and the number of assignments the test had."""
    t = leave_one_out(ctx, outcome).tidy()
    t = _reader_units(t.loc[t["term"].astype(str) == term], outcome)
    i = texts.index(ctx.lang)
    t["dropped"] = [
        words.LEAVE_ONE_OUT["none"][i] if pd.isna(a) else value_label("administration", a, ctx.lang)
        for a in t["dropped"]
    ]
    t["dropped_arm"] = ["" if pd.isna(a) else value_label("arm", a, ctx.lang) for a in t["dropped_arm"]]
    cols = ["dropped", "dropped_arm", "estimate", "conf_low", "conf_high", "p_value", "n_assignments"]
    return t[cols].reset_index(drop=True)


def leave_one_out_overview(ctx: Period, term: str = "during") -> pd.DataFrame:
    """The headline effect of each primary outcome (``term``) with each administration
    left out, one column per outcome in the reader's units (shares in percentage points,
    counts in per cent; columns ``effect_<question>`` of
    :data:`pilot_eval.estimate.effects.PRIMARY_OUTCOMES`): the first row has all eight."""
    from ..estimate.effects import PRIMARY_OUTCOMES

    out = None
    for question, o in PRIMARY_OUTCOMES.items():
        t = leave_one_out_table(ctx, o, term)
        out = t[["dropped", "dropped_arm"]].copy() if out is None else out
        out[f"effect_{question}"] = t["estimate"].to_numpy()
    return out


def placebo_in_time_overview(ctx: Period) -> pd.DataFrame:
    """The fake pilots 12 and 24 months early of every primary outcome, one row per
    outcome × fake start × phase: outcome in words, then :func:`placebo_in_time_table`'s
    columns."""
    parts = []
    for o in _primary(ctx):
        t = placebo_in_time_table(ctx, o)
        t.insert(0, "outcome", outcome_label(o, ctx.lang) + _suffix(o, ctx.lang))
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def _suffix(outcome: str, lang: str) -> str:
    """ " (procentenheter)" for shares, " (förändring i procent)" for count outcomes, else ""."""
    from ..estimate.poisson import COUNT_OUTCOMES
    from .plots import OUTCOME_INFO

    i = texts.index(lang)
    if outcome in COUNT_OUTCOMES:
        return words.PERCENTAGE_POINTS_SUFFIX["percent"][i]
    if OUTCOME_INFO.get(outcome, ("", "", ""))[2] == "pp":
        return words.PERCENTAGE_POINTS_SUFFIX["suffix"][i]
    return ""


def placebo_in_time_table(ctx: Period, outcome: str) -> pd.DataFrame:
    """The headline estimator on fake pilots 12 and 24 months before the real one, for
    print: the fake start in words, phase, estimate, interval, p-value."""
    t = _reader_units(placebo_in_time(ctx, outcome).tidy(), outcome)
    i = texts.index(ctx.lang)
    t["shift_months"] = [words.LEAVE_ONE_OUT["shift"][i].format(months=int(m)) for m in t["shift_months"]]
    t["term"] = t["term"].map(lambda x: words.TERMS[x][i] if x in words.TERMS else x)
    return t[["shift_months", "term", "estimate", "conf_low", "conf_high", "p_value"]].reset_index(drop=True)


def pilot_marks(ctx: Period) -> list[tuple[str, str]]:
    """Dates to mark on time-series charts: the pilot's first start, its last end (if it
    ended) and the law change when it falls inside the window."""
    from .context import LAW_CHANGE

    r = ctx.pilot_rollout
    r = r.loc[r["scope"].astype(str) == "new_hires"]
    marks = []
    if len(r):
        marks.append((r["start_date"].min().date().isoformat(), ctx.text(*words.MARKS["pilot_starts"])))
        if r["end_date"].notna().all():
            marks.append((r["end_date"].max().date().isoformat(), ctx.text(*words.MARKS["pilot_ends"])))
    if pd.Timestamp(LAW_CHANGE) <= pd.Timestamp(ctx.window[1]):
        marks.append((LAW_CHANGE, ctx.text(*words.MARKS["law_change"])))
    return marks


def caveats(ctx: Period) -> list[str]:
    """What the data cannot tell, for this period (:func:`pilot_eval.report.findings.cannot_tell`)."""
    from .context import LAW_CHANGE
    from .findings import cannot_tell

    rollout = ctx.pilot_rollout
    ended = bool(len(rollout)) and bool(rollout["end_date"].notna().all())
    return cannot_tell(
        lang=ctx.lang,
        pilot_ended=ended,
        law_change_in_window=ctx.cut_date >= pd.Timestamp(LAW_CHANGE),
        demo=is_demo(ctx),
    )


def triple_difference_table(ctx: Period, outcome: str = "late_withdrawal") -> pd.DataFrame:
    """The triple difference for child-facing roles (which already needed a police extract)
    against other roles, inside and outside the pilot administrations, for print: term in
    words, inference, estimate, interval, p-value, n."""
    from .stages import compute_triple_difference

    found = _stage_result(ctx, "triple_differences", outcome, lambda: compute_triple_difference(ctx, outcome))
    t = found.tidy()
    t["term"] = [
        ctx.text(*words.TRIPLE_DIFFERENCE_TERMS[x]) if x in words.TRIPLE_DIFFERENCE_TERMS else x for x in t["term"]
    ]
    t["inference"] = effect_table_inference(t["inference"], ctx.lang)
    return t[["term", "inference", "estimate", "conf_low", "conf_high", "p_value", "n"]].reset_index(drop=True)


# --------------------------------------------------------------------------- effects by group (exploratory)

#: The outcome of the equality page's effects by group, and the breakdowns it shows.
GROUP_EFFECT_OUTCOME = "late_withdrawal"
GROUP_EFFECT_BY = ("gender", "age_band")


def group_effect_floor(ctx: Period) -> int:
    """The smallest base an effect by group needs: the floor of
    :data:`pilot_eval.estimate.groups.MIN_CELL`, or the period's thresholds for rates and
    durations where they are stricter."""
    from ..estimate.groups import MIN_CELL

    return int(max(MIN_CELL, ctx.thresholds.min_denominator, ctx.thresholds.min_duration_n))


def compute_group_effects(ctx: Period, by: str, outcome: str = GROUP_EFFECT_OUTCOME) -> EstimateResult:
    """:func:`pilot_eval.estimate.groups.group_effects` of ``outcome`` by ``by`` on the
    period's window, with its bootstrap draws and seed and the period's thresholds as the
    smallest base (for the report's estimate stage, :mod:`pilot_eval.report.stages`, to call
    once per breakdown of :data:`GROUP_EFFECT_BY` and keep as ``group_effects[by]``)."""
    from ..estimate.groups import group_effects as estimate

    return estimate(
        ctx.tables,
        ctx.cut_date,
        outcome=outcome,
        by=by,
        window=ctx.window,
        reps=ctx.bootstrap_reps,
        seed=ctx.seed,
        min_cell=group_effect_floor(ctx),
    )


def group_effects(ctx: Period, by: str) -> EstimateResult:
    """The effects by group (``by``: "gender" or "age_band") of the equality page: the
    report's (``ctx.estimates.group_effects[by]`` once the estimate stage computes them),
    else computed here once per kernel (:func:`compute_group_effects`). A notebook opened on
    its own does not compute every other estimate for them."""
    cache = ctx.__dict__.setdefault("_cache", {})
    loaded = ctx.estimates if ctx.results_dir else cache.get("estimates")
    stored = getattr(loaded, "group_effects", None) if loaded is not None else None
    if stored is not None and by in stored:
        return stored[by]
    mine = cache.setdefault("group_effects", {})
    if by not in mine:
        mine[by] = compute_group_effects(ctx, by)
    return mine[by]


def group_effect_table(ctx: Period, by: str) -> pd.DataFrame:
    """The effects by group for print (:func:`pilot_eval.report.show.table`): the group
    (``by``, labelled by the report), ``effect_term`` (in words: the effect within the group
    during / after the pilot, and its difference from the other applicants), the estimate in
    percentage points, ``interval`` (the 95 % interval of the headline inference in words,
    "−1,1 till 7,7") and the p-value.

    A group whose cells are under the floor (:func:`group_effect_floor`) is not estimated
    (:func:`compute_group_effects`): its rows have no figures and show the "not available"
    marker; :func:`group_effect_withheld` names them for the sentence that says why. The
    cell counts behind the rows are not published: a smallest cell is a count of one of the
    group × arm × phase cells the page's rate tables show, and the report's ledger cannot
    tell which one, so it could give back a count those tables withhold."""
    from ..labels import format_number

    t = group_effects(ctx, by).tidy()
    columns = [by, "effect_term", *_GROUP_FIGURES]
    if t.empty:
        return pd.DataFrame(columns=columns)
    t = t.loc[t["headline"].astype(bool)].copy()
    for c in ("estimate", "conf_low", "conf_high"):
        t[c] = t[c] * 100  # late withdrawal is a share: percentage points
    t["effect_term"] = [ctx.text(*words.GROUP_EFFECT_TERMS[x]) for x in t["term"]]
    to = ctx.text("till", "to")

    def number(v: float) -> str:
        return format_number(v, ctx.lang, decimals=1) if abs(v) != float("inf") else ("−∞" if v < 0 else "∞")

    t["interval"] = [
        None if pd.isna(lo) or pd.isna(hi) else f"{number(lo)} {to} {number(hi)}"
        for lo, hi in zip(t["conf_low"], t["conf_high"], strict=True)
    ]
    t = t.rename(columns={"group": by})
    return t[columns].reset_index(drop=True)


#: The figures of :func:`group_effect_table`.
_GROUP_FIGURES = ("estimate", "interval", "p_value")


def group_effect_withheld(ctx: Period, by: str) -> list[str]:
    """The groups (in words, the report's language) whose effects are not estimated because
    a cell they compare is under the floor (see :func:`group_effect_table`)."""
    from ..labels import value_label

    t = group_effects(ctx, by).tidy()
    if t.empty:
        return []
    small = t.loc[t["inference"].astype(str) == "not_estimated", "group"]
    return [value_label(by, g, ctx.lang) for g in dict.fromkeys(small)]


def group_effect_bootstrapped(ctx: Period, by: str) -> list[str]:
    """The groups (in words) with a row whose interval is the wild bootstrap's, not the
    permutation test's: some placebo set of administrations has none of the group's
    applicants (:func:`pilot_eval.estimate.groups.group_effects`)."""
    from ..labels import value_label

    t = group_effects(ctx, by).tidy()
    if t.empty:
        return []
    head = t.loc[t["headline"].astype(bool) & t["inference"].astype(str).str.startswith("wild"), "group"]
    return [value_label(by, g, ctx.lang) for g in dict.fromkeys(head)]


def group_effect_plot(ctx: Period, protected, by: str, title: str | None = None):
    """A forest plot of the effect within each group during the pilot, of the rows that the
    published table ``protected`` (:func:`group_effect_table` through ``show.table``) shows:
    a withheld group is not drawn. None when no group is shown."""
    from ..labels import label, value_label
    from .plots import effect_plot

    t = group_effects(ctx, by).tidy()
    if t.empty:
        return None
    t = t.loc[t["headline"].astype(bool)].reset_index(drop=True)  # the rows of group_effect_table
    shown = protected.values["estimate"].notna().to_numpy() & (protected.flags["estimate"] == "").to_numpy()
    rows = t.loc[shown & (t["term"] == "during").to_numpy()]
    if rows.empty:
        return None
    groups = list(rows["group"])
    return effect_plot(
        rows.assign(outcome=rows["group"]),
        lang=ctx.lang,
        outcome_labels={g: value_label(by, g, ctx.lang) for g in groups},
        units=dict.fromkeys(groups, "pp"),
        term="during",
        title=title,
        row_header=label(by, ctx.lang),
    )


# --------------------------------------------------------------------------- interpretation sentences


def finding(ctx: Period, outcome: str):
    """The summary's :class:`~pilot_eval.report.findings.Finding` of one primary outcome
    (the same words as page 00, for the page that shows its effect): judged with the
    family of the three primary outcomes, its pre-trend test and breakdown."""
    from .findings import summarise

    found = summarise(
        effects(ctx, SUMMARY_OUTCOMES).tidy(),
        lang=ctx.lang,
        mde=mde_by_outcome(ctx),
        pretrends=pretrend_p_values(ctx),
        breakdowns=breakdowns(ctx),
        outcomes=[outcome],
    )
    if not found:
        raise KeyError(f"finding(): no headline effect of {outcome!r}; primary outcomes: {', '.join(SUMMARY_OUTCOMES)}")
    return found[0]


def pretrend_result(ctx: Period, outcome: str) -> str:
    """The sentence on the pre-trend test of ``outcome`` for the page with its event study
    (:func:`pilot_eval.report.verdicts.pretrend_result`)."""
    from .verdicts import pretrend_result as sentence

    return sentence(outcome, pretrend_p_values(ctx).get(outcome), lang=ctx.lang)


def _shown(published, column: str):
    """The rows of a published table whose ``column`` is shown (a number, not withheld)."""
    v, f = published.values, published.flags
    if column not in v:
        return v.iloc[0:0]
    return v.loc[(f[column] == "").to_numpy() & pd.to_numeric(v[column], errors="coerce").notna().to_numpy()]


def _percent(share: float, lang: str) -> str:
    """A share in per cent, whole (74 %, 0 %), with one decimal between 0 and 10 % (0,7 %)."""
    from ..labels import format_percent

    return format_percent(share, lang, decimals=1 if 0 < share < 0.1 else 0)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def group_effect_result(ctx: Period, published, by: str) -> str | None:
    """What the equality page's table of effects by group (:func:`group_effect_table`,
    published as ``published``) shows during the pilot: the groups whose difference from
    the other applicants is clear (its interval lies wholly on one side of zero), or that
    none is, naming the groups shown. None when the table shows no group's difference."""
    from ..labels import value_label
    from .findings import _and_list

    t = group_effects(ctx, by).tidy()
    if t.empty:
        return None
    t = t.loc[t["headline"].astype(bool)].reset_index(drop=True)  # the rows of group_effect_table
    v, f = published.values, published.flags
    if len(v) != len(t) or "estimate" not in v:
        return None
    shown = v["estimate"].notna().to_numpy() & (f["estimate"] == "").to_numpy()
    rows = t.loc[shown & (t["term"].astype(str) == "during_minus_rest").to_numpy()]
    rows = rows.loc[rows["conf_low"].notna() & rows["conf_high"].notna()]
    if rows.empty:
        return None
    i = texts.index(ctx.lang)
    clear = rows.loc[(rows["conf_low"] > 0) | (rows["conf_high"] < 0), "group"]
    if len(clear):
        names = [_lower_first(value_label(by, g, ctx.lang)) for g in dict.fromkeys(clear)]
        return words.GROUP_EFFECT_RESULT["differs"][i].format(groups=_and_list(names, ctx.lang))
    groups = list(dict.fromkeys(rows["group"]))
    if len(groups) == 1:
        group = _lower_first(value_label(by, groups[0], ctx.lang))
        return words.GROUP_EFFECT_RESULT["same_one"][i].format(group=group)
    return words.GROUP_EFFECT_RESULT["same"][i].format(n=len(groups))


def _pilot_administrations(ctx: Period) -> set[str]:
    r = ctx.pilot_rollout
    return set(r.loc[r["scope"].astype(str) == "new_hires", "administration"].astype(str))


def rollout_scope(ctx: Period, rollout: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The roll-out table page 06 shows (:attr:`pilot_eval.measures.PilotCoverage.rollout`)
    with the columns a reader needs: who, which check, from when to when, and whether it
    was in force at the cut. The cohort (the start's quarter) and the months in force repeat
    the dates and are left out; the occupational group too when every row has the same one,
    said instead in a sentence (returned; None when the groups differ)."""
    shown = rollout.drop(columns=[c for c in ("cohort", "months_in_force") if c in rollout])
    groups = shown["role_group"].dropna().unique() if "role_group" in shown else []
    if len(groups) != 1:
        return shown, None
    group = value_label("role_group", groups[0], ctx.lang)
    sentence = words.ROLLOUT_SCOPE[texts.index(ctx.lang)].format(group=group[0].lower() + group[1:])
    return shown.drop(columns=["role_group"]), sentence


def hires_checked_result(ctx: Period, published) -> str | None:
    """What the checks page's table of hires checked (``pilot_coverage(...).hires_checked``,
    published) shows: the share of the people hired during the pilot who had a deepened
    check, in the pilot administrations and in the comparison administrations. A group's
    share is given only when every administration's row of it is shown (a share over
    shown rows alone would be of an unknown part), so nothing withheld can be worked out."""
    v = published.values
    needed = ("administration", "phase", "n_hires", "n_hires_with_court_check")
    if not all(c in v for c in needed):
        return None
    during = v["phase"].astype(str) == "during"
    pilot = v["administration"].astype(str).isin(_pilot_administrations(ctx))
    ok = published.flags[["n_hires", "n_hires_with_court_check"]].eq("").all(axis=1)
    ok &= v[["n_hires", "n_hires_with_court_check"]].notna().all(axis=1)

    def share(rows) -> str | None:
        if not rows.any() or not ok[rows].all():
            return None
        hires = float(v.loc[rows, "n_hires"].sum())
        if hires < ctx.thresholds.min_denominator:
            return None
        return _percent(float(v.loc[rows, "n_hires_with_court_check"].sum()) / hires, ctx.lang)

    i = texts.index(ctx.lang)
    in_pilot, in_comparison = share(during & pilot), share(during & ~pilot)
    if in_pilot is None:
        return None
    if in_comparison is None:
        return words.CHECKS_RESULT["hires_pilot"][i].format(pilot=in_pilot)
    return words.CHECKS_RESULT["hires"][i].format(pilot=in_pilot, comparison=in_comparison)


def turnaround_result(ctx: Period, published) -> str:
    """What the checks page's turnaround table (:func:`pilot_eval.measures.check_turnaround`,
    published) shows: within how many days half of the checks of each type were done (the
    medians the table shows; types with the same median named together, the quickest first)."""
    from ..labels import format_number, value_label
    from .findings import _and_list

    i = texts.index(ctx.lang)
    rows = _shown(published, "median_days")
    if rows.empty:
        return words.CHECKS_RESULT["turnaround_none"][i]
    # the types with the same median together, the quickest first
    by_days: dict[float, list[str]] = {}
    for _, r in rows.sort_values("median_days", kind="stable").iterrows():
        by_days.setdefault(float(r["median_days"]), []).append(
            _lower_first(value_label("check_type", r["check_type"], ctx.lang))
        )
    items = [
        words.CHECKS_RESULT["turnaround_item"][i].format(
            days=format_number(days, ctx.lang, decimals=0, unit="days"), check=_plain_list(checks, i)
        )
        for days, checks in by_days.items()
    ]
    return words.CHECKS_RESULT["turnaround"][i].format(items=_and_list(items, ctx.lang))


def _plain_list(items: list[str], i: int) -> str:
    """ "a, b och c" with a plain "och" (inside a longer list, which then takes "samt")."""
    from ..texts.findings import LISTS

    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {LISTS['and'][i]} " + items[-1]


def check_outcomes_result(ctx: Period, published) -> str:
    """What the checks page's table of check outcomes (:func:`check_outcomes`, published
    with ``check_outcomes=True``) shows: the years it can show, in each the share of the
    checks that led to a remark preventing employment, and the years it withholds and why."""
    from .findings import _and_list

    i = texts.index(ctx.lang)
    v, f = published.values, published.flags
    limits = {"total": ctx.thresholds.min_check_total, "category": ctx.thresholds.min_check_category}
    years = list(dict.fromkeys(v["year"].astype(str)))
    ok = (f["n"] == "").to_numpy() & v["n"].notna().to_numpy()
    shown = [y for y in years if ok[(v["year"].astype(str) == y).to_numpy()].all()]
    withheld = [y for y in years if y not in shown]
    if not shown:
        return words.CHECKS_RESULT["outcomes_none"][i].format(**limits)
    parts = [words.CHECKS_RESULT["outcomes_shown"][i].format(years=_and_list(shown, ctx.lang))]
    for y in shown:
        rows = v.loc[v["year"].astype(str) == y]
        total = float(rows["n"].sum())
        obstacle = float(rows.loc[rows["outcome"].astype(str) == "remark_obstacle", "n"].sum())
        if total >= ctx.thresholds.min_denominator:
            parts.append(words.CHECKS_RESULT["obstacle"][i].format(year=y, share=_percent(obstacle / total, ctx.lang)))
    if withheld:
        parts.append(words.CHECKS_RESULT["outcomes_withheld"][i].format(years=_and_list(withheld, ctx.lang), **limits))
    return " ".join(parts)


# --------------------------------------------------------------------------- summaries of long tables


def supply_summary(published):
    """The summary above the competence supply table (``show.table(..., summary=...)``): the
    four figures a reader needs, by arm and phase, from the published table."""
    wanted = ["applicants_per_vacancy", "qualified_per_vacancy", "filled_rate", "share_hires_qualified"]
    return published.select(columns=[c for c in wanted if c in published.values.columns])


def equality_summary(ctx: Period):
    """The summary above an equality table (:func:`pilot_eval.measures.equality` published):
    a function of the published table giving the sentence a reader needs, the groups the
    four-fifths rule flags (among the rows whose ratio is shown), that it flags none, or
    that no ratio can be shown."""
    i = texts.index(ctx.lang)

    def summary(published) -> list[str]:
        v, f = published.values, published.flags
        if "ratio_to_best" not in v:
            return []
        shown = (f["ratio_to_best"] == "").to_numpy() & v["ratio_to_best"].notna().to_numpy()
        if not shown.any():
            return [words.EQUALITY_SUMMARY["none_shown"][i]]
        flag = v["ratio_to_best"].astype(float).to_numpy() < 0.8
        rows = v.loc[shown & flag]
        if rows.empty:
            return [words.EQUALITY_SUMMARY["none_flagged"][i].format(n=int(shown.sum()))]
        context = [c for c in ("arm", "phase") if c in v]
        names = [
            value_label("group", r["group"], ctx.lang)
            + (" (" + ", ".join(value_label(c, r[c], ctx.lang).lower() for c in context) + ")" if context else "")
            for _, r in rows.iterrows()
        ]
        return [words.EQUALITY_SUMMARY["flagged"][i].format(groups=", ".join(names))]

    return summary


# --------------------------------------------------------------------------- data quality in words
# The data-quality page's checks and notices in the page's language (issue 18, part 6),
# from ingest_report.json: each GX expectation and each check ingest makes in code, said in
# words built from its kind, its columns and its arguments; never a GX class name.


def _pair(pair: tuple[str, str], lang: str) -> str:
    return pair[texts.index(lang)]


def _inside(text: str) -> str:
    """``text`` inside a sentence: its first letter in lower case, unless it starts an
    abbreviation ("SSYK-kod")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _column_words(column: str | None, lang: str, table: str | None = None) -> str:
    """A contract column as a reader names it (sentence case), in ``table`` where its
    meaning depends on the table (a roll-out's start date is not a hire's)."""
    from ..labels import label
    from ..texts.quality import CONTRACT_COLUMNS

    if f"{table}.{column}" in CONTRACT_COLUMNS:
        return _pair(CONTRACT_COLUMNS[f"{table}.{column}"], lang)
    if column in CONTRACT_COLUMNS:
        return _pair(CONTRACT_COLUMNS[column], lang)
    return label(column or "", lang)


def _bound(value, column: str | None, lang: str) -> str:
    from ..labels import format_number
    from ..texts.quality import UNITS

    unit = UNITS.get(column or "")
    return format_number(value, lang) + (f"\u00a0{_pair(unit, lang)}" if unit else "")


def _listing(items: list[str], lang: str, last: str) -> str:
    """``a, b och c``: the items with commas, ``last`` before the last one."""
    return ", ".join(items[:-1]) + last + items[-1] if len(items) > 1 else "".join(items)


def _condition_words(condition, lang: str, table: str | None = None) -> str | None:
    """A row condition of a suite (the Condition JSON form) in words, or None."""
    from ..texts.quality import CONDITIONS

    if not isinstance(condition, dict):
        return _pair(CONDITIONS["other"], lang) if condition else None
    column = (condition.get("column") or {}).get("name")
    operator, value = condition.get("operator"), condition.get("parameter")
    if condition.get("type") != "comparison" or not column or operator not in CONDITIONS:
        return _pair(CONDITIONS["other"], lang)
    values = value if isinstance(value, list) else [value]
    said = _listing([_inside(value_label(column, v, lang)) for v in values], lang, _pair(CONDITIONS["or"], lang))
    return _pair(CONDITIONS[operator], lang).format(column=_inside(_column_words(column, lang, table)), value=said)


def check_words(result: dict, lang: str = "sv", table: str | None = None) -> str:
    """One check of ``ingest_report.json`` in plain words: an entry of a table's
    ``expectation_results`` (a GX expectation, with its ``kwargs``) or of its
    ``cross_table_results`` (a check ingest makes in code, with its ``kind``).

    >>> check_words({"type": "expect_column_values_to_not_be_null", "column": "submitted_date"})
    'Ansökningsdatum finns på varje rad'
    >>> check_words({"type": "expect_column_values_to_be_in_set", "column": "status"}, "en")
    'The status is one of the allowed values'
    >>> check_words({"kind": "foreign_key", "column": "vacancy_id", "other_table": "vacancies"})
    'Varje rad hör till en rekrytering i uttaget'

    ``table``: the table checked, for a column whose words depend on it.
    """
    from ..texts.quality import CHECKS, CROSS_TABLE_CHECKS

    column = result.get("column")
    if "kind" in result:  # a check in code
        key = result["kind"] if result["kind"] == "after_cut_date" else f"{result['kind']}:{result.get('other_table')}"
        pair = CROSS_TABLE_CHECKS.get(key, CROSS_TABLE_CHECKS["other"])
        return _pair(pair, lang).format(column=_column_words(column, lang, table))
    kind, kwargs = result.get("type", ""), result.get("kwargs") or {}
    fields = {"column": _column_words(column, lang, table), "column_lower": _inside(_column_words(column, lang, table))}
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        both = low is not None and high is not None
        # "mellan 0 och 730 dagar": the unit once, after the upper bound
        fields |= {"low": _bound(low, None if both else column, lang), "high": _bound(high, column, lang)}
        kind += ":both" if both else ":low" if low is not None else ":high"
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        other = kwargs.get("column_B")
        fields["other"] = _inside(_column_words(other, lang, table)) if other else ""
        dates = str(column).endswith("_date") and str(other).endswith("_date")
        kind += (":dates" if dates else ":numbers") + ("" if kwargs.get("or_equal", False) else "_strict")
    elif kind == "expect_compound_columns_to_be_unique":
        names = [
            _inside(_column_words(c, lang, table)) for c in kwargs.get("column_list") or str(column or "").split(",")
        ]
        fields["columns"] = _listing(names, lang, _pair((" och ", " and "), lang))
    elif kind == "expect_column_values_to_match_regex" and f"{kind}:{column}" in CHECKS:
        kind += f":{column}"
    if kind not in CHECKS:
        kind = "other" if column else "other_table"
    words_ = _pair(CHECKS[kind], lang).format(**fields)
    condition = _condition_words(kwargs.get("row_condition"), lang, table)
    return f"{words_} {condition}" if condition else words_


def _table_checks(ctx: Period, table: str) -> list[dict]:
    info = ctx.ingest_report.get("tables", {}).get(table, {})
    return list(info.get("expectation_results", [])) + list(info.get("cross_table_results", []))


def expectation_results(ctx: Period, table: str) -> pd.DataFrame:
    """The checks of ``table`` at ingest, one row per check, in the page's language: the
    check in words (:func:`check_words`), what happens to a row that fails it, the result
    and how many rows failed it (``n_rows_failed``, a count: publish it, so that 1–4 are
    withheld). The GX expectations of ``expectations/<table>.json`` first, then the checks
    ingest makes in code (against other tables and the cut date). A check of the whole
    table or file (a structural one) that failed has no row count (the ingest stopped).

    Show it with ``show.table(ctx, ctx.publish(frame, totals=None), ...)``."""
    from ..texts.quality import RESULTS, SEVERITIES

    rows = []
    for res in _table_checks(ctx, table):
        severity = res.get("severity", "quarantine")
        rows.append(
            {
                "check": check_words(res, ctx.lang, table),
                "check_severity": _pair(SEVERITIES.get(severity, SEVERITIES["quarantine"]), ctx.lang),
                "check_result": _pair(RESULTS["passed" if res.get("success") else "failed"], ctx.lang),
                # a check of the whole file that failed stopped the ingest: no row count to
                # show; the rows a failed quarantine check put in quarantine are counted in
                # "Skäl till karantän" (registered with the rows per table, so that the
                # report's audit sees the parts and their total together), not twice here
                "n_rows_failed": pd.NA
                if severity in ("structural", "quarantine") and not res.get("success")
                else int(res.get("unexpected_count") or 0),
            }
        )
    frame = pd.DataFrame(rows, columns=["check", "check_severity", "check_result", "n_rows_failed"])
    frame["n_rows_failed"] = frame["n_rows_failed"].astype("Int64")
    return frame


def expectation_summary(ctx: Period, table: str) -> str:
    """The sentence above a table's checks: how many passed, and which failed (by name, no
    counts)."""
    from ..texts.quality import SUMMARY

    checks = _table_checks(ctx, table)
    name = _inside(value_label("table", table, ctx.lang))
    if not checks:
        return _pair(SUMMARY["none"], ctx.lang).format(table=name)
    failed = [_inside(check_words(c, ctx.lang, table)) for c in checks if not c.get("success")]
    n, passed = len(checks), len(checks) - len(failed)
    if not failed:
        return _pair(SUMMARY["all_passed"], ctx.lang).format(table=name, n=n)
    said = _pair(SUMMARY["some_failed"], ctx.lang).format(table=name, n=n, passed=passed, failed="; ".join(failed))
    if any(not c.get("success") and c.get("severity", "quarantine") == "quarantine" for c in checks):
        said += " " + _pair(SUMMARY["see_reasons"], ctx.lang)
    return said


def data_checks_intro(ctx: Period) -> str:
    """The paragraph before the tables of checks: what a check is and what happens to a
    row that fails one."""
    from ..texts.quality import PAGE

    return _pair(PAGE["intro"], ctx.lang)


def expectation_caption(ctx: Period, table: str) -> str:
    """The caption of a table's checks ("Kontroller av rekryteringar")."""
    from ..texts.quality import PAGE

    return _pair(PAGE["caption"], ctx.lang).format(table=_inside(value_label("table", table, ctx.lang)))


def ingest_notices(ctx: Period) -> list[str]:
    """The ingest's notices (files not read, columns dropped or taken as empty) as reader
    sentences in the page's language (:data:`pilot_eval.texts.report.NOTICES`). A notice
    the report has no words for gives one general sentence in the page's language (once,
    however many there are); its own text, in English, is printed for the executed
    notebook and the working folder's log only."""
    import re

    from ..texts.quality import NOTICE_UNKNOWN

    out, unknown = [], []
    for notice in ctx.ingest_report.get("notices", []):
        for pattern, pair in words.NOTICES:
            m = re.match(pattern, notice)
            if m:
                out.append(_pair(pair, ctx.lang).format(**m.groupdict()))
                break
        else:
            unknown.append(notice)
    if unknown:
        print("ingest notices without reader words (working folder only):", *unknown, sep="\n  ")
        out.append(_pair(NOTICE_UNKNOWN["notice"], ctx.lang))
    return out


def quarantine_reasons_in_words(ctx: Period) -> pd.DataFrame:
    """:func:`quarantine_reasons` with each reason said as the check the rows failed, in
    the page's language (``failed_check``), instead of ingest's English reason: the
    expectation or check in code of that reason (:func:`check_words`), or a cell that could
    not be read (``<column>: not a valid date``); a reason the report has no words for is
    "another check" (its text stays in the working folder)."""
    from ..texts.quality import PARSE_FAILURES

    rows = []
    for t, info in ctx.ingest_report.get("tables", {}).items():
        by_reason = {c.get("reason"): c for c in _table_checks(ctx, t)}
        for reason, n in info.get("reasons", {}).items():
            if reason in by_reason:
                said = check_words(by_reason[reason], ctx.lang, t)
            else:
                column, _, failure = reason.partition(": ")
                kind = (
                    "unknown"
                    if not failure
                    else "fields"
                    if column == "record"  # readers.SHORT_RECORD, SPLIT_RECORD
                    else "month"
                    if "first day of a month" in failure
                    else "year"
                    if failure.startswith("before 1900")
                    else "date"
                    if "date" in failure
                    else "number"
                    if "number" in failure
                    else "yes_no"
                    if "yes/no" in failure
                    else "stage"
                    if "stage" in failure
                    else "other"
                )
                said = _pair(PARSE_FAILURES[kind], ctx.lang).format(column=_column_words(column, ctx.lang, t))
            rows.append({"table": t, "source_file": info["source"]["file"], "failed_check": said, "n_rows": n})
    # table and file as in row_accounting: each table's reasons are the parts of its
    # quarantined rows there (one quantity for the report's audit, measures={"n_rows":
    # "n_quarantined"})
    return pd.DataFrame(rows, columns=["table", "source_file", "failed_check", "n_rows"])
