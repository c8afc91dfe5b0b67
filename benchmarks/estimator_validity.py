"""Simulation study: do the pilot-effect estimates and their intervals hold up with 3
treated of 8 administrations?

Draws many synthetic Botkyrkas (the demo generator, with its administration × quarter
shocks) under "none" (no effect) and an effect scenario, estimates the during-pilot effect
with :func:`pilot_eval.estimate.effects.did_estimate` and prints, per outcome and inference
method: bias, RMSE, 95 % interval coverage, and the rejection rate at 5 % (under "none"
that is the size, which must be ≤ 6 % for the headline method).

The truth per replication: for ``late_withdrawal`` the scenario's
``late_withdrawal_pp``; for ``days_unfilled_90`` the realised average change among the
treated vacancies, from the same seed run without effect (the generator draws common
random numbers, so control vacancies are identical and treated ones move by their delay).

    .venv/bin/python benchmarks/estimator_validity.py --reps 200 --scenario delay > docs/estimator_validity.txt
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import (
    _formula,
    _Projector,
    _reassign,
    did_estimate,
    outcome_data,
    ri_confidence_interval,
)
from pilot_eval.estimate.inference import cluster_robust, randomization_inference, wild_cluster_bootstrap

OUTCOMES = ("late_withdrawal", "days_unfilled_90")
TERMS = ("during", "after")


def _truth(outcome: str, scenario_export, none_export) -> float:
    if outcome == "late_withdrawal":
        return float(scenario_export.truth["effects"]["late_stage_withdrawal"]["value"])
    cut = scenario_export.truth["cut_date"]
    a = outcome_data(scenario_export.tables, outcome, cut)
    b = outcome_data(none_export.tables, outcome, cut)
    if len(a) != len(b):  # re-advertisements differ between scenarios: fall back to means
        return float(a.loc[a["during"] == 1, "y"].mean() - b.loc[b["during"] == 1, "y"].mean())
    mask = a["during"].to_numpy() == 1
    return float((a["y"].to_numpy()[mask] - b["y"].to_numpy()[mask]).mean())


def one_replication(seed: int, scenario: str, scale: float, wcb_reps: int) -> list[dict]:
    export = generate(seed=seed, scenario=scenario, scale=scale)
    none = export if scenario == "none" else generate(seed=seed, scenario="none", scale=scale)
    cut = export.truth["cut_date"]
    rows = []
    for outcome in OUTCOMES:
        data = outcome_data(export.tables, outcome, cut)
        truth = 0.0 if scenario == "none" else _truth(outcome, export, none)
        formula = _formula(TERMS, ("administration", "period"))
        proj = _Projector(data, ("administration", "period"))
        est = did_estimate(data, projector=proj)["during"]
        conv = cluster_robust(data, formula, cluster="administration", term="during")
        wcb = wild_cluster_bootstrap(data, formula, cluster="administration", term="during", weights="webb",
                                     reps=wcb_reps, seed=seed)
        treated = frozenset(data.loc[data["arm"].astype(str) == "pilot", "administration"].unique())
        ri = randomization_inference(data, lambda d, a: did_estimate(_reassign(d, a), projector=proj)["during"],
                                     unit="administration", treated=treated)
        ri_low, ri_high = ri_confidence_interval(data, "during", TERMS, ("administration", "period"), _reassign)
        for name, res in (("cluster_robust", conv), ("wild_bootstrap_webb", wcb), ("randomization", ri)):
            tidy = res.tidy().iloc[0]
            low, high = (ri_low, ri_high) if name == "randomization" else (tidy["conf_low"], tidy["conf_high"])
            rows.append({"seed": seed, "outcome": outcome, "inference": name, "estimate": est, "truth": truth,
                         "conf_low": low, "conf_high": high, "p_value": tidy["p_value"]})
    return rows


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    def agg(g: pd.DataFrame) -> pd.Series:
        err = g["estimate"] - g["truth"]
        has_ci = g["conf_low"].notna() & g["conf_high"].notna()
        cover = ((g["conf_low"] <= g["truth"]) & (g["truth"] <= g["conf_high"]))[has_ci]
        return pd.Series({"reps": len(g), "mean_truth": g["truth"].mean(), "bias": err.mean(),
                          "rmse": float(np.sqrt((err ** 2).mean())),
                          "coverage_95": cover.mean() if len(cover) else np.nan,
                          "reject_5pct": (g["p_value"] < 0.05).mean()})

    return results.groupby(["outcome", "inference"], sort=False).apply(agg, include_groups=False).reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--scenario", default="delay")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--wcb-reps", type=int, default=999)
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tables = []
    for scenario in ("none", args.scenario):
        rows = []
        for r in range(args.reps):
            rows.extend(one_replication(args.first_seed + r, scenario, args.scale, args.wcb_reps))
        summary = summarise(pd.DataFrame(rows))
        summary.insert(0, "scenario", scenario)
        tables.append(summary)
    out = pd.concat(tables, ignore_index=True)
    print(f"# Estimator validity: {args.reps} synthetic Botkyrkas per scenario (scale {args.scale:g}), "
          f"during-pilot effect, 8 administrations / 3 treated, wild bootstrap {args.wcb_reps} Webb draws")
    print(f"# command: .venv/bin/python benchmarks/estimator_validity.py --reps {args.reps} "
          f"--scenario {args.scenario} --scale {args.scale:g} --wcb-reps {args.wcb_reps}")
    print(f"# Python {platform.python_version()}, {platform.machine()}, {time.perf_counter() - t0:.0f} s")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(out.to_string(index=False, float_format=lambda x: f"{x:.4f}"))


if __name__ == "__main__":
    main()
