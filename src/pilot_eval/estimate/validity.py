"""The simulation study of the headline estimators: bias, RMSE, interval coverage and
rejection rates on synthetic Botkyrkas with known effects (``benchmarks/estimator_validity.py``
is its command line; ``docs/estimator_validity.txt`` holds a printed run).

Each replication draws one synthetic municipality per scenario from
:func:`pilot_eval.demo.generate` (with its administration × quarter shocks) at the same
seed, builds every outcome's analysis rows once per export
(:func:`~pilot_eval.analysis.frames.outcome_frames`, window as
:func:`~pilot_eval.estimate.effects.pilot_effects`' default) and runs exactly the
estimation :func:`~pilot_eval.estimate.effects.pilot_effects` runs for each outcome, both
terms ("during" and "after"), all three inferences.

**The truth** of a replication (:func:`true_effects`) is, for each outcome and term, the
mean outcome over the treated rows of that phase in the scenario's export minus the same
mean in the no-effect export drawn with the same seed. The generator uses common random
numbers, so the untreated rows of the two exports are the same and the difference is the
realised average effect on the treated rows — what the estimators target. It is a
difference of means, not of rows matched by position: the two exports need not have the
same rows in the same order (re-advertisements, deterred applicants, processes still
running at the cut differ), and subtracting them position by position, as an earlier
version did, paired unrelated vacancies. Under "none" the truth is 0 by construction.
Every outcome of :data:`~pilot_eval.estimate.effects.OUTCOMES` but one has a truth defined
this way. The exception is ``days_to_fill``, whose ``y`` is a jackknife pseudo-value: the
mean of pseudo-values over a phase's treated rows is a Kaplan–Meier restricted mean of
their cells, an estimate with its own sampling error (and its leave-one-out terms depend on
the untreated rows of the same cell), not the realised effect on those rows. Its truth is
the generator's own (:func:`days_to_fill_truth`): the mean number of days the scenario
added to the time to fill of the treated filled vacancies (``truth.json``
``realised.time_to_fill_delay.mean_added_days_treated_filled``) during the pilot, 0 after
it (the generator's effects vanish when the pilot ends). Under a pure delay that is what
the restricted mean moves by, as long as the delayed fills stay inside the 180-day horizon
(99.9 % of the demo's fills do). The count outcomes are estimated by Poisson as ratios (rows with
``scale`` = "ratio", estimate = ratio − 1), and their truth is then the ratio of the two
means minus 1 (``true_effects(..., ratio=True)``); with ``count_model="linear"`` they are
estimated in levels against the difference of means.

**Family-wise p-values.** Each replication also computes, from the same randomization
results (no extra estimation), the Westfall–Young step-down p-values ``p_value_fwer`` of
the report's headline family (:func:`~pilot_eval.estimate.multiplicity.family_wise_p_values`
over :data:`~pilot_eval.estimate.multiplicity.REPORT_FAMILY`: days_to_fill, late_withdrawal,
qualified_applicants_per_vacancy during the pilot), written on the family's
randomization-inference rows. Which of those hypotheses are true nulls is read off the
generator's parameters (:func:`design_null`: "after" always, since the demo's effects stop
when the pilot ends; "during" when the scenario leaves the parameter that moves the outcome
at its no-effect value), not off the realised truth, which is only about 0 for the after
terms. :func:`family_error_rates` gives per scenario the family-wise error rate (share of
replications in which some true-null hypothesis has ``p_value_fwer`` ≤ alpha) beside the
same share with the unadjusted p-values; :func:`family_power` the share of replications
rejecting each hypothesis, family-wise and unadjusted; :func:`format_family_table` prints
both.

**The data-driven MDE against the realised power.** For the outcomes of
:data:`MDE_OUTCOMES` that a scenario moves, each replication also runs
:func:`~pilot_eval.estimate.power.minimum_detectable_effect` on its own export (term
"during"; about 0.15–0.25 s per outcome) and records the power it predicts at the
replication's truth; :func:`mde_check` sets the mean prediction beside the share of the same
replications whose randomization test rejected.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis.frames import OUTCOMES, outcome_frames
from ..analysis.window import DEFAULT_WINDOW, restrict_window
from .effects import TERMS, _estimate_outcome
from .multiplicity import REPORT_FAMILY, family_wise_p_values

__all__ = [
    "FAMILY",
    "INFERENCES",
    "MDE_OUTCOMES",
    "MOVED_BY",
    "SCENARIOS",
    "days_to_fill_truth",
    "design_null",
    "family_error_rates",
    "family_power",
    "format_family_table",
    "format_mde_check",
    "format_table",
    "mde_check",
    "replicate",
    "summarise",
    "term_means",
    "true_effects",
]

SCENARIOS = ("none", "delay", "deterrence", "large")
INFERENCES = {"cluster_robust": "CR1", "wild_cluster_bootstrap_webb": "WCB", "randomization_inference": "RI"}
#: The family of the family-wise p-values: the report's headline family (the primary
#: outcomes' effects during the pilot).
FAMILY: list[tuple[str, str]] = REPORT_FAMILY
#: outcome → the generator's effect parameter (:data:`pilot_eval.demo.SCENARIOS`) that moves
#: it during the pilot: ``delay_days`` the time-to-fill outcomes (their truths are built on it,
#: :func:`days_to_fill_truth`), ``late_withdrawal_pp`` late withdrawal, ``applicant_factor``
#: the applicant counts. Outcomes not listed (closure, offer acceptance, register checks) can
#: be moved indirectly by several parameters and have no design null.
#: Outcomes whose data-driven MDE (:func:`~pilot_eval.estimate.power.minimum_detectable_effect`,
#: levels, constant additive effect) is checked against the realised rejection rate: the two
#: primary outcomes whose headline is linear (the count outcome's headline is a Poisson ratio).
MDE_OUTCOMES = ("days_to_fill", "late_withdrawal")
MOVED_BY: dict[str, str] = {
    "days_to_fill": "delay_days",
    "filled_within_60": "delay_days",
    "filled_within_90": "delay_days",
    "days_unfilled_90": "delay_days",
    "late_withdrawal": "late_withdrawal_pp",
    "applicants_per_vacancy": "applicant_factor",
    "qualified_applicants_per_vacancy": "applicant_factor",
}


def term_means(frames: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], tuple[float, int]]:
    """(outcome, term) → (mean of ``y`` over the rows of that term, number of rows)."""
    out = {}
    for outcome, rows in frames.items():
        for term in TERMS:
            mask = rows[term].to_numpy() == 1
            out[(outcome, term)] = (float(rows.loc[mask, "y"].mean()) if mask.any() else float("nan"), int(mask.sum()))
    return out


def days_to_fill_truth(truth: Mapping) -> dict[str, float]:
    """term → the true ``days_to_fill`` effect of a generated export (its ``truth``,
    :attr:`pilot_eval.demo.DemoExport.truth`): "during" the mean days added to the time to
    fill of the treated filled vacancies, "after" 0 (module notes)."""
    added = truth["realised"]["time_to_fill_delay"]["mean_added_days_treated_filled"]
    return {"during": float(added) if added is not None else 0.0, "after": 0.0}


def design_null(scenario: str, outcome: str, term: str) -> bool | None:
    """Whether the generator puts no effect on ``outcome`` in ``term`` under ``scenario``
    (a name of :data:`pilot_eval.demo.SCENARIOS`): True for every term "after" (the demo's
    effects apply to vacancies published during the pilot only) and for "during" when the
    scenario leaves the outcome's :data:`MOVED_BY` parameter at its "none" value; False
    when it changes it; None for an outcome without a design null (not in ``MOVED_BY``,
    unless the scenario is "none", where every hypothesis is null)."""
    from ..demo import SCENARIOS as EFFECTS

    if scenario == "none" or term == "after":
        return True
    parameter = MOVED_BY.get(outcome)
    if parameter is None:
        return None
    return bool(EFFECTS[scenario][parameter] == EFFECTS["none"][parameter])


def true_effects(
    scenario_frames: Mapping[str, pd.DataFrame],
    none_frames: Mapping[str, pd.DataFrame] | Mapping[tuple[str, str], tuple[float, int]],
    scenario_truth: Mapping | None = None,
    ratio: bool = False,
) -> dict[tuple[str, str], float]:
    """(outcome, term) → the realised effect on the treated rows: mean of ``y`` over the
    term's rows of the scenario's export minus that of the no-effect export with the same
    seed (``none_frames`` may be its :func:`term_means`). Independent of row order. With
    ``ratio``, the proportional effect instead — the ratio of the two means minus 1 — the
    truth of the Poisson rows of the count outcomes (``scale`` = "ratio": estimate =
    ratio − 1). ``days_to_fill`` takes :func:`days_to_fill_truth` of ``scenario_truth``
    (the scenario export's ``truth``) instead; without it, it has no truth."""
    scen = term_means(scenario_frames)
    base = none_frames if none_frames and isinstance(next(iter(none_frames)), tuple) else term_means(none_frames)
    if ratio:
        out = {key: scen[key][0] / base[key][0] - 1.0 for key in scen if key in base and base[key][0] != 0}
    else:
        out = {key: scen[key][0] - base[key][0] for key in scen if key in base}
    out = {key: v for key, v in out.items() if key[0] != "days_to_fill"}
    if scenario_truth is not None and "days_to_fill" in scenario_frames:
        out.update({("days_to_fill", t): v for t, v in days_to_fill_truth(scenario_truth).items()})
    return out


def replicate(
    seed: int,
    scenarios: Sequence[str] = SCENARIOS,
    *,
    scale: float = 1.0,
    wcb_reps: int = 199,
    rollout: str = "default",
    outcomes: Sequence[str] | None = None,
    alpha: float = 0.05,
    count_model: str = "auto",
    family: Sequence[tuple[str, str]] | None = FAMILY,
    mde_outcomes: Sequence[str] = MDE_OUTCOMES,
) -> list[dict]:
    """One replication: for each scenario, one export at ``seed``, every outcome and term
    estimated with every inference. Returns one dict per scenario × outcome × term ×
    inference: seed, scenario, outcome, term, inference, estimate, conf_low, conf_high,
    p_value, truth, n, and ``p_value_fwer`` / ``null``: on the randomization-inference rows
    of ``family`` (default :data:`FAMILY`; ``None`` or empty: none) the Westfall–Young
    step-down p-value over the family's members estimated here, from the same
    randomization distributions (:func:`~pilot_eval.estimate.multiplicity.family_wise_p_values`),
    and :func:`design_null`; NaN / None elsewhere. ``predicted_power`` / ``mde_increase`` /
    ``mde_decrease``: on the randomization row of term "during" of each outcome of
    ``mde_outcomes`` that the scenario moves (``design_null`` False), the power that the
    data-driven :func:`~pilot_eval.estimate.power.minimum_detectable_effect` of that export
    predicts at the replication's truth (:func:`~pilot_eval.estimate.power.design_power_curve`)
    and its MDEs; NaN elsewhere. ``count_model`` as in
    :func:`~pilot_eval.estimate.effects.pilot_effects` ("auto": count outcomes by Poisson,
    whose rows are ratios − 1 and get the ratio truth of :func:`true_effects`; "linear":
    levels)."""
    from ..demo import generate

    outcomes = list(outcomes or OUTCOMES)
    none = generate(seed=seed, scenario="none", scale=scale, rollout=rollout)
    cut = none.truth["cut_date"]
    none_frames = outcome_frames(restrict_window(none.tables, DEFAULT_WINDOW), cut, outcomes)
    base = term_means(none_frames)
    rows: list[dict] = []
    for scenario in scenarios:
        if scenario == "none":
            frames, truth = none_frames, {key: 0.0 for key in base}
            truth_ratio = truth
        else:
            export = generate(seed=seed, scenario=scenario, scale=scale, rollout=rollout)
            frames = outcome_frames(restrict_window(export.tables, DEFAULT_WINDOW), cut, outcomes)
            truth = true_effects(frames, base, export.truth)
            truth_ratio = true_effects(frames, base, export.truth, ratio=True)
        randomization: dict[str, dict] = {}
        start = len(rows)
        for outcome in outcomes:
            randomization[outcome] = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unbounded bootstrap intervals: recorded as ±inf
                found, _ = _estimate_outcome(
                    frames[outcome],
                    reps=wcb_reps,
                    seed=seed,
                    alpha=alpha,
                    outcome=outcome,
                    model=count_model,
                    randomization=randomization[outcome],
                )
            for row in found:
                truths = truth_ratio if row.get("scale") == "ratio" else truth
                rows.append(
                    {
                        "seed": seed,
                        "scenario": scenario,
                        "outcome": outcome,
                        "term": row["term"],
                        "inference": row["inference"],
                        "estimate": row["estimate"],
                        "conf_low": row.get("conf_low", np.nan),
                        "conf_high": row.get("conf_high", np.nan),
                        "p_value": row.get("p_value", np.nan),
                        "truth": truths.get((outcome, row["term"]), np.nan),
                        "n": row["n"],
                        "p_value_fwer": np.nan,
                        "null": None,
                        "predicted_power": np.nan,
                        "mde_increase": np.nan,
                        "mde_decrease": np.nan,
                    }
                )
        adjusted = _family_p_values(randomization, family)
        for row in rows[start:]:
            key = (row["outcome"], row["term"])
            if row["inference"] == "randomization_inference" and key in adjusted:
                row["p_value_fwer"] = adjusted[key]
                row["null"] = design_null(scenario, *key)
            if (
                row["inference"] == "randomization_inference"
                and row["term"] == "during"
                and row["outcome"] in mde_outcomes
                and design_null(scenario, row["outcome"], "during") is False
                and np.isfinite(row["truth"])
            ):
                row.update(_predicted_power(frames[row["outcome"]], row["outcome"], row["truth"], alpha))
    return rows


def _predicted_power(data: pd.DataFrame, outcome: str, truth: float, alpha: float) -> dict:
    """The data-driven MDE of ``data`` ("during") and the power it predicts at ``truth``."""
    from .power import design_power_curve, minimum_detectable_effect

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = minimum_detectable_effect(None, None, outcome, data=data, alpha=alpha)
    mde = res.tidy().set_index("term")["estimate"]
    beta0, C = res.details.get("beta0"), res.details.get("C")
    if beta0 is None or not (np.all(np.isfinite(beta0)) and np.all(np.isfinite(C))):
        power = float("nan")
    else:
        power = float(design_power_curve(beta0, C, np.array([truth]), alpha)[0])
    return {
        "predicted_power": power,
        "mde_increase": float(mde.get("mde_increase", np.nan)),
        "mde_decrease": float(mde.get("mde_decrease", np.nan)),
    }


def _family_p_values(randomization: Mapping[str, Mapping], family) -> dict[tuple[str, str], float]:
    """(outcome, term) → family-wise p-value over the members of ``family`` that have a
    randomization result over the common assignments (others left out)."""
    present = [(o, t) for o, t in (family or []) if o in randomization and t in randomization[o]]
    if not present:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # members tested over other assignments are dropped
        table = family_wise_p_values(randomization, present, missing="drop")
    return {(o, t): float(p) for o, t, p in zip(table["outcome"], table["term"], table["p_value_fwer"], strict=True)}


def _mcse_share(share: float, reps: int) -> float:
    return math.sqrt(share * (1 - share) / reps) if reps else float("nan")


def summarise(results: pd.DataFrame | Iterable[dict], alpha: float = 0.05) -> pd.DataFrame:
    """Per scenario × outcome × term × inference: ``reps``, ``mean_truth``, ``bias`` and its
    Monte Carlo standard error ``bias_mcse`` (sd/√reps), ``rmse``, ``coverage`` (share of
    intervals containing the truth; unbounded ones count, missing ones do not) and
    ``coverage_mcse`` (√(c(1−c)/reps)), ``reject`` (share with p ≤ alpha; under "none" the
    size) and ``reject_mcse``."""
    frame = pd.DataFrame(results)
    out = []
    keys = ["scenario", "outcome", "term", "inference"]
    for key, g in frame.groupby(keys, sort=False):
        err = g["estimate"] - g["truth"]
        ok = err.notna()
        reps = int(ok.sum())
        has_ci = g["conf_low"].notna() & g["conf_high"].notna()
        covered = ((g["conf_low"] <= g["truth"]) & (g["truth"] <= g["conf_high"]))[has_ci]
        tested = g["p_value"].notna()
        reject = g.loc[tested, "p_value"] <= alpha + 1e-12
        cov = float(covered.mean()) if len(covered) else float("nan")
        rej = float(reject.mean()) if len(reject) else float("nan")
        out.append(
            {
                **dict(zip(keys, key, strict=True)),
                "reps": reps,
                "mean_truth": float(g["truth"].mean()),
                "bias": float(err[ok].mean()),
                "bias_mcse": float(err[ok].std(ddof=1) / math.sqrt(reps)) if reps > 1 else float("nan"),
                "rmse": float(np.sqrt((err[ok] ** 2).mean())),
                "coverage": cov,
                "coverage_mcse": _mcse_share(cov, len(covered)),
                "reject": rej,
                "reject_mcse": _mcse_share(rej, len(reject)),
            }
        )
    return pd.DataFrame(out)


def format_table(summary: pd.DataFrame) -> str:
    """The summary as printed in ``docs/estimator_validity.txt``: one line per scenario ×
    outcome × term; for each inference its coverage and rejection rate in percent with the
    Monte Carlo standard error in parentheses; ``reps`` an integer."""
    lines = []
    wide = []
    order = {s: i for i, s in enumerate(SCENARIOS)}
    outcomes = {o: i for i, o in enumerate(OUTCOMES)}
    for (scenario, outcome, term), g in summary.groupby(["scenario", "outcome", "term"], sort=False):
        first = g.iloc[0]
        row = {
            "scenario": scenario,
            "outcome": outcome,
            "term": term,
            "reps": int(first["reps"]),
            "truth": f"{first['mean_truth']:.4g}",
            "bias (mcse)": f"{first['bias']:.3g} ({first['bias_mcse']:.2g})",
            "rmse": f"{first['rmse']:.3g}",
        }
        for inference, label in INFERENCES.items():
            hit = g.loc[g["inference"] == inference]
            if hit.empty:
                row[f"{label} cover"] = row[f"{label} reject"] = "-"
                continue
            h = hit.iloc[0]
            row[f"{label} cover"] = _pct(h["coverage"], h["coverage_mcse"])
            row[f"{label} reject"] = _pct(h["reject"], h["reject_mcse"])
        wide.append(row)
    table = pd.DataFrame(wide)
    table = table.sort_values(
        ["scenario", "outcome", "term"],
        key=lambda s: s.map({**order, **outcomes, "during": 0, "after": 1}),
        kind="stable",
    )
    lines.append(table.to_string(index=False))
    return "\n".join(lines)


def _pct(share: float, mcse: float) -> str:
    if not np.isfinite(share):
        return "-"
    return f"{100 * share:.1f} ({100 * mcse:.1f})"


def mde_check(results: pd.DataFrame | Iterable[dict], alpha: float = 0.05) -> pd.DataFrame:
    """Per scenario × outcome with ``predicted_power`` (:func:`replicate`'s
    ``mde_outcomes``, term "during"): ``reps``, ``mean_truth``, ``predicted`` (mean over
    replications of the power the data-driven MDE predicts at the truth) with its Monte
    Carlo standard error sd/√reps, ``realised`` (share of the same replications whose
    randomization test rejected at alpha) with √(p(1−p)/reps), and the median
    ``mde_increase`` / ``mde_decrease``."""
    frame = pd.DataFrame(results)
    if "predicted_power" not in frame:
        return pd.DataFrame()
    rows = frame[(frame["inference"] == "randomization_inference") & frame["predicted_power"].notna()]
    out = []
    for (scenario, outcome), g in rows.groupby(["scenario", "outcome"], sort=False):
        reps = len(g)
        realised = float((g["p_value"] <= alpha + 1e-12).mean())
        out.append(
            {
                "scenario": scenario,
                "outcome": outcome,
                "reps": reps,
                "mean_truth": float(g["truth"].mean()),
                "predicted": float(g["predicted_power"].mean()),
                "predicted_mcse": float(g["predicted_power"].std(ddof=1) / math.sqrt(reps)) if reps > 1 else np.nan,
                "realised": realised,
                "realised_mcse": _mcse_share(realised, reps),
                "median_mde_increase": float(g["mde_increase"].median()),
                "median_mde_decrease": float(g["mde_decrease"].median()),
            }
        )
    return _in_order(pd.DataFrame(out), ["scenario", "outcome"])


def format_mde_check(check: pd.DataFrame) -> str:
    """:func:`mde_check` as printed in ``docs/estimator_validity.txt`` (percent, Monte Carlo
    standard errors in parentheses)."""
    if check.empty:
        return "(no replication with a predicted power)"
    table = pd.DataFrame(
        {
            "scenario": check["scenario"],
            "outcome": check["outcome"],
            "term": "during",
            "reps": check["reps"].astype(int),
            "truth": [f"{v:.4g}" for v in check["mean_truth"]],
            "predicted power": [_pct(p, m) for p, m in zip(check["predicted"], check["predicted_mcse"], strict=True)],
            "RI rejected": [_pct(p, m) for p, m in zip(check["realised"], check["realised_mcse"], strict=True)],
            "median MDE +": [f"{v:.4g}" for v in check["median_mde_increase"]],
            "median MDE -": [f"{v:.4g}" for v in check["median_mde_decrease"]],
        }
    )
    return table.to_string(index=False)


def _null_flags(values: pd.Series) -> pd.Series:
    """The ``null`` column as True / False / NaN (also after a CSV round trip)."""

    def flag(v):
        if isinstance(v, str):
            return {"True": True, "False": False}.get(v, np.nan)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return np.nan
        return bool(v)

    return values.astype(object).map(flag)


def _family_rows(results: pd.DataFrame | Iterable[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(results)
    if "p_value_fwer" not in frame:
        return frame.iloc[0:0].assign(p_value_fwer=np.nan, null=np.nan)
    rows = frame[(frame["inference"] == "randomization_inference") & frame["p_value_fwer"].notna()].copy()
    rows["null"] = _null_flags(rows["null"]) if "null" in rows else np.nan
    return rows


def family_error_rates(results: pd.DataFrame | Iterable[dict], alpha: float = 0.05) -> pd.DataFrame:
    """Per scenario, over the replications (seeds) of :func:`replicate`'s rows that carry
    family-wise p-values: ``reps``; ``family_size`` (hypotheses per replication, the most
    common count); ``nulls`` (how many of them are true nulls, :func:`design_null`);
    ``fwer`` — the family-wise error rate, the share of replications in which at least one
    true-null hypothesis has ``p_value_fwer`` ≤ alpha (replications without a true null
    are left out) — and ``raw_any``, the same share with the unadjusted randomization
    p-values, each with its Monte Carlo standard error √(p(1−p)/reps) (``fwer_mcse``,
    ``raw_any_mcse``); ``any_fwer`` (share of replications with any family-wise
    rejection, null or not) and ``median_min_fwer`` (the median over replications of the
    smallest family-wise p-value)."""
    rows = _family_rows(results)
    out = []
    for scenario, g in rows.groupby("scenario", sort=False):
        per = []
        for _, rep in g.groupby("seed", sort=False):
            null = rep["null"] == True  # noqa: E712 (NaN is neither)
            reject_fwer = rep["p_value_fwer"] <= alpha + 1e-12
            reject_raw = rep["p_value"] <= alpha + 1e-12
            per.append(
                {
                    "size": len(rep),
                    "nulls": int(null.sum()),
                    "fwer": bool((null & reject_fwer).any()) if null.any() else np.nan,
                    "raw_any": bool((null & reject_raw).any()) if null.any() else np.nan,
                    "any_fwer": bool(reject_fwer.any()),
                    "min_fwer": float(rep["p_value_fwer"].min()),
                }
            )
        per = pd.DataFrame(per)
        with_null = per["fwer"].notna()
        fwer = float(per.loc[with_null, "fwer"].astype(float).mean()) if with_null.any() else float("nan")
        raw = float(per.loc[with_null, "raw_any"].astype(float).mean()) if with_null.any() else float("nan")
        anyf = float(per["any_fwer"].astype(float).mean())
        out.append(
            {
                "scenario": scenario,
                "reps": len(per),
                "family_size": int(per["size"].mode().iloc[0]),
                "nulls": int(per["nulls"].mode().iloc[0]),
                "fwer": fwer,
                "fwer_mcse": _mcse_share(fwer, int(with_null.sum())),
                "raw_any": raw,
                "raw_any_mcse": _mcse_share(raw, int(with_null.sum())),
                "any_fwer": anyf,
                "any_fwer_mcse": _mcse_share(anyf, len(per)),
                "median_min_fwer": float(per["min_fwer"].median()),
            }
        )
    return _in_order(pd.DataFrame(out), ["scenario"])


def family_power(results: pd.DataFrame | Iterable[dict], alpha: float = 0.05) -> pd.DataFrame:
    """Per scenario × family hypothesis (outcome, term): ``reps``, ``null``
    (:func:`design_null`), ``mean_truth``, ``reject_fwer`` (share of replications with
    ``p_value_fwer`` ≤ alpha: the family-wise power, or for a true null its own error
    rate) and ``reject_raw`` (the same with the unadjusted randomization p-value), each
    with its Monte Carlo standard error (``…_mcse``)."""
    rows = _family_rows(results)
    out = []
    for (scenario, outcome, term), g in rows.groupby(["scenario", "outcome", "term"], sort=False):
        fw = float((g["p_value_fwer"] <= alpha + 1e-12).mean())
        tested = g["p_value"].notna()
        raw = float((g.loc[tested, "p_value"] <= alpha + 1e-12).mean()) if tested.any() else float("nan")
        null = g["null"].dropna()
        out.append(
            {
                "scenario": scenario,
                "outcome": outcome,
                "term": term,
                "reps": len(g),
                "null": bool(null.iloc[0]) if len(null) and null.nunique() == 1 else None,
                "mean_truth": float(g["truth"].mean()),
                "reject_fwer": fw,
                "reject_fwer_mcse": _mcse_share(fw, len(g)),
                "reject_raw": raw,
                "reject_raw_mcse": _mcse_share(raw, int(tested.sum())),
            }
        )
    return _in_order(pd.DataFrame(out), ["scenario", "outcome", "term"])


def _in_order(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in the order of :data:`SCENARIOS`, :data:`~pilot_eval.analysis.frames.OUTCOMES`
    and :data:`~pilot_eval.estimate.effects.TERMS` (unknown names last)."""
    if table.empty:
        return table
    rank = {
        **{s: i for i, s in enumerate(SCENARIOS)},
        **{o: i for i, o in enumerate(OUTCOMES)},
        **{t: i for i, t in enumerate(TERMS)},
    }
    return table.sort_values(keys, key=lambda s: s.map(lambda v: rank.get(v, len(rank))), kind="stable").reset_index(
        drop=True
    )


def format_family_table(errors: pd.DataFrame, power: pd.DataFrame) -> str:
    """:func:`family_error_rates` (one line per scenario) and :func:`family_power` (one line
    per scenario × hypothesis) as printed in ``docs/estimator_validity.txt``: shares in
    percent with the Monte Carlo standard error in parentheses."""
    first = pd.DataFrame(
        {
            "scenario": errors["scenario"],
            "reps": errors["reps"].astype(int),
            "hypotheses": errors["family_size"].astype(int),
            "true nulls": errors["nulls"].astype(int),
            "FWER (Westfall-Young)": [_pct(p, m) for p, m in zip(errors["fwer"], errors["fwer_mcse"], strict=True)],
            "any null p<=.05 unadjusted": [
                _pct(p, m) for p, m in zip(errors["raw_any"], errors["raw_any_mcse"], strict=True)
            ],
            "any FW rejection": [_pct(p, m) for p, m in zip(errors["any_fwer"], errors["any_fwer_mcse"], strict=True)],
            "median min p_fwer": [f"{v:.3f}" for v in errors["median_min_fwer"]],
        }
    )
    second = pd.DataFrame(
        {
            "scenario": power["scenario"],
            "outcome": power["outcome"],
            "term": power["term"],
            "reps": power["reps"].astype(int),
            "true null": power["null"].map({True: "yes", False: "no"}).fillna("-"),
            "truth": [f"{v:.4g}" for v in power["mean_truth"]],
            "reject p_fwer<=.05": [
                _pct(p, m) for p, m in zip(power["reject_fwer"], power["reject_fwer_mcse"], strict=True)
            ],
            "reject p<=.05 unadjusted": [
                _pct(p, m) for p, m in zip(power["reject_raw"], power["reject_raw_mcse"], strict=True)
            ],
        }
    )
    return first.to_string(index=False) + "\n\n" + second.to_string(index=False)
