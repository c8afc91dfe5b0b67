"""Power and minimum detectable effects for the actual design: 3 of 8 administrations.

"Not significant" must never be read as "no effect" (DESIGN.md §6). This module answers:
how large would the during-pilot effect have to be for the headline test (randomization
inference over the 56 assignments, 5 %) to detect it 80 % of the time, given Botkyrka's
volumes and the administration × quarter shocks?

Method (simulation with the demo generator at the real design and volume): draw ``reps``
synthetic Botkyrkas with **no** effect. For each, compute for every one of the 56
assignments A the placebo estimate β_A (the fixed-effects DiD of
:func:`pilot_eval.estimate.effects.did_estimate` with A as the pilot) and c_A, the same
estimator applied to the actual treatment indicator as outcome. Under a constant additive
effect τ on the actually treated units, assignment A then estimates β_A + τ·c_A (OLS is
linear in y), so the randomization test of any τ follows from the same null draws without
re-simulating: the test rejects when |β_actual + τ| is among the most extreme
⌊α·56⌋ values of |β_A + τ·c_A|. Power at τ is the share of draws that reject; the minimum
detectable effect is the smallest |τ| with power ≥ the target, in each direction.

The additive-effect assumption is stated in every result; for effects that are not
additive on the outcome's scale (a delay on a capped duration), simulate the scenario
with :func:`pilot_eval.demo.generate` and a custom effect instead.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ..analysis.frames import outcome_data
from ..demo import generate
from .base import EstimateResult, tidy_frame
from .effects import _Projector, _reassign, did_estimate

__all__ = ["minimum_detectable_effect", "power_curve_from_null"]


def _null_draw(
    data: pd.DataFrame, treated: frozenset, units: list[str], n_treated: int
) -> tuple[np.ndarray, np.ndarray, int]:
    assignments = [frozenset(c) for c in combinations(units, n_treated)]
    actual = assignments.index(treated)
    fixed = ("administration", "period")
    proj = _Projector(data, fixed)
    beta = np.array(
        [did_estimate(_reassign(data, a), ("during",), fixed, projector=proj)["during"] for a in assignments]
    )
    actual_dummy = data.assign(y=data["during"])
    c = np.array(
        [did_estimate(_reassign(actual_dummy, a), ("during",), fixed, projector=proj)["during"] for a in assignments]
    )
    return beta, c, actual


def power_curve_from_null(
    betas: np.ndarray, cs: np.ndarray, actual: int, effects: np.ndarray, alpha: float = 0.05
) -> np.ndarray:
    """Power of the two-sided randomization test at each effect in ``effects``.

    ``betas`` and ``cs`` are (draws × assignments); the p-value counts assignments at
    least as extreme as the actual one (itself included), as
    :func:`pilot_eval.estimate.inference.randomization_inference` does.
    """
    power = np.empty(len(effects))
    for k, tau in enumerate(effects):
        stats = np.abs(betas + tau * cs)
        p = (stats >= stats[:, [actual]] - 1e-12).mean(axis=1)
        power[k] = (p <= alpha).mean()
    return power


def minimum_detectable_effect(
    outcome: str,
    *,
    reps: int = 50,
    scale: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    seed: int = 1,
    effects: np.ndarray | None = None,
    data_for_draw=None,
) -> EstimateResult:
    """Minimum detectable during-pilot effect on ``outcome`` (units of the outcome).

    Parameters
    ----------
    outcome
        A name from :data:`pilot_eval.estimate.effects.OUTCOMES`.
    reps
        Null draws of the synthetic municipality (each costs a generator run and 112
        least-squares fits).
    scale
        Volume relative to Botkyrka (1 = the real volume).
    effects
        The grid of effects to evaluate (default: ±4 null standard deviations).
    data_for_draw
        Optional callable ``seed → analysis rows`` (the columns of
        :func:`pilot_eval.analysis.frames.outcome_data`) replacing the demo generator, for
        another municipality's design or for tests.

    Returns
    -------
    EstimateResult
        ``tidy()``: terms ``mde_increase`` and ``mde_decrease`` (estimate = the smallest
        effect with power ≥ ``power``; NaN if none in the grid), n = reps; details hold
        the power curve (``details["power_curve"]``: effect, power).
    """
    draws_b, draws_c, actual = [], [], None
    for r in range(reps):
        if data_for_draw is None:
            export = generate(seed=seed + r, scenario="none", scale=scale)
            data = outcome_data(export.tables, outcome, export.truth["cut_date"])
        else:
            data = data_for_draw(seed + r)
        treated = frozenset(data.loc[data["arm"].astype(str) == "pilot", "administration"].unique())
        units = sorted(data["administration"].unique())
        b, c, actual = _null_draw(data, treated, units, len(treated))
        draws_b.append(b)
        draws_c.append(c)
    betas, cs = np.vstack(draws_b), np.vstack(draws_c)
    null_sd = float(np.std(betas[:, actual], ddof=1)) if reps > 1 else float(np.std(betas))
    if effects is None:
        effects = np.linspace(-4 * null_sd, 4 * null_sd, 81)
    curve = power_curve_from_null(betas, cs, actual, np.asarray(effects, dtype=float), alpha)
    effects = np.asarray(effects, dtype=float)
    up = effects[(effects > 0) & (curve >= power)]
    down = effects[(effects < 0) & (curve >= power)]
    rows = [
        {"term": "mde_increase", "estimate": float(up.min()) if len(up) else np.nan},
        {"term": "mde_decrease", "estimate": float(down.max()) if len(down) else np.nan},
    ]
    for row in rows:
        row.update(
            {
                "n": reps,
                "method": f"power_simulation_{outcome}",
                "inference": "randomization_inference",
                "std_error": null_sd,
            }
        )
    table = tidy_frame(rows)
    table["power"] = power
    table["alpha"] = alpha
    table["assumption"] = "constant additive effect on the treated administrations"
    return EstimateResult(
        table,
        details={
            "power_curve": pd.DataFrame({"effect": effects, "power": curve}),
            "null_sd": null_sd,
            "reps": reps,
            "scale": scale,
        },
    )
