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

__all__ = [
    "INFERENCES",
    "SCENARIOS",
    "days_to_fill_truth",
    "format_table",
    "replicate",
    "summarise",
    "term_means",
    "true_effects",
]

SCENARIOS = ("none", "delay", "deterrence", "large")
INFERENCES = {"cluster_robust": "CR1", "wild_cluster_bootstrap_webb": "WCB", "randomization_inference": "RI"}


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
) -> list[dict]:
    """One replication: for each scenario, one export at ``seed``, every outcome and term
    estimated with every inference. Returns one dict per scenario × outcome × term ×
    inference: seed, scenario, outcome, term, inference, estimate, conf_low, conf_high,
    p_value, truth, n. ``count_model`` as in :func:`~pilot_eval.estimate.effects.pilot_effects`
    ("auto": count outcomes by Poisson, whose rows are ratios − 1 and get the ratio truth
    of :func:`true_effects`; "linear": levels)."""
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
        for outcome in outcomes:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unbounded bootstrap intervals: recorded as ±inf
                found, _ = _estimate_outcome(
                    frames[outcome], reps=wcb_reps, seed=seed, alpha=alpha, outcome=outcome, model=count_model
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
                    }
                )
    return rows


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
