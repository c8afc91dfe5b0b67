"""Power and minimum detectable effects for the actual design: 3 of 8 administrations.

"Not significant" must never be read as "no effect" (docs/estimation.md), and power is computed
from the data at hand, not from the demo. Two methods:

**From the data** (:func:`minimum_detectable_effect`, the public one). How large would a
constant additive effect of the pilot have to be for the headline test (randomization
inference over the 56 assignments, two-sided, 5 %) to detect it 80 % of the time, given
these rows? Design-based power, computed exactly with the linearity of the headline
estimator:

1. Remove the estimated effects from the actual pilot rows: ``y0 = y − Σ_t β̂_t · D_t``
   (D_t the actual treatment indicator of phase t), a data set without the (estimated)
   pilot effect that keeps the administrations' own levels, trends and shocks.
2. Take each of the 56 assignments B in turn as the "true" pilot set and add τ to B's
   rows of the phase. Every estimator here is linear in y, so assignment A then estimates
   ``β_A(y0) + τ · c_{A,B}``, with ``c_{A,B}`` the estimate under A with B's treatment
   indicator as the outcome (``c_{B,B} = 1``). Both come from one pass over the
   residualised unit × phase columns (``effects._assignment_estimates``; under a
   staggered roll-out ``effects._Imputation``, with B's indicator built from the
   schedules B's administrations take as placebo set, so the same linearity holds).
3. The test with B as the actual set rejects at τ when ``|β_B + τ|`` is among the
   ``⌊α · 56⌋`` most extreme of ``|β_A + τ c_{A,B}|`` (ties counted as extreme, as the
   real test does). Power(τ) is the share of the 56 B that reject.
4. Power is piecewise constant in τ: it changes only where ``|β_A + τ c_{A,B}| = |β_B +
   τ|``, i.e. at ``τ = (β_B − β_A)/(c_{A,B} − 1)`` or ``τ = −(β_A + β_B)/(c_{A,B} + 1)``.
   The MDE is the smallest such breakpoint τ > 0 (increase) or largest τ < 0 (decrease)
   beyond which power ≥ the target: exact, no grid.

It is the randomization analogue of Burlig, Preonas & Woerman (2020, power from the
data's own residual structure rather than an assumed variance): every source of noise the
data show (administration × quarter shocks, volumes, serial correlation) is in ``y0``,
and the design's only randomness is which administrations were picked. It costs one
estimation pass and a 56 × 56 comparison per breakpoint (about 0.1 s per outcome on the
demo). Assumption: a constant additive effect on the treated rows of the phase; it is
written into every result. For count outcomes (applicants per vacancy), whose headline
may be a ratio, ``relative`` gives the MDE as a proportional change: the additive MDE ÷
the pilot administrations' pre-pilot mean — an approximation (a proportional effect is
larger in absolute terms where the level is higher).

**By simulation** (:func:`simulated_minimum_detectable_effect`, kept as validation of
the data-driven one; the stored table of :mod:`pilot_eval.estimate.mde` comes from it).
Draw ``reps`` synthetic Botkyrkas with **no** effect from the demo generator at the real
design and volume. For each, compute for every one of the 56 assignments A the placebo
estimate β_A (the fixed-effects DiD of :func:`pilot_eval.estimate.effects.did_estimate`
with A as the pilot) and c_A, the same estimator applied to the actual treatment indicator
as outcome. Under a constant additive effect τ on the actually treated units, assignment A
then estimates β_A + τ·c_A (OLS is linear in y), so the randomization test of any τ follows
from the same null draws without re-simulating: the test rejects when |β_actual + τ| is
among the most extreme ⌊α·56⌋ values of |β_A + τ·c_A|. Power at τ is the share of draws
that reject; the minimum detectable effect is the smallest |τ| with power ≥ the target, in
each direction. The additive-effect assumption is stated in every result; for effects that
are not additive on the outcome's scale (a delay on a capped duration), simulate the
scenario with :func:`pilot_eval.demo.generate` and a custom effect instead.

References
----------
Burlig, F., Preonas, L. & Woerman, M. (2020). Panel data and experimental design. *Journal
of Development Economics* 144, 102458.
Young, A. (2019). Channeling Fisher: randomization tests and the statistical
insignificance of seemingly significant experimental results. *QJE* 134(2), 557-598.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd

from ..analysis.frames import outcome_data, outcome_frames
from ..analysis.window import DEFAULT_WINDOW, restrict_window
from ..demo import generate
from .base import EstimateResult, tidy_frame
from .effects import TERMS, _Projector, _reassign, did_estimate, rollout_design

__all__ = [
    "design_power_curve",
    "minimum_detectable_effect",
    "power_curve_from_null",
    "simulated_minimum_detectable_effect",
]


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


def simulated_minimum_detectable_effect(
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
    """Minimum detectable during-pilot effect on ``outcome`` (units of the outcome), by
    simulating the demo generator (see the module notes; the data-driven
    :func:`minimum_detectable_effect` is the one reports use, this one validates it).

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


# --------------------------------------------------------------------------- from the data at hand

_ASSUMPTION = "constant additive effect on the treated administrations' rows of the phase"
_MDE_TERMS = ("mde_increase", "mde_decrease")


def _treatment_columns(data: pd.DataFrame, rollout, assignments, term: str) -> np.ndarray:
    """(rows × assignments): B's treatment indicator of ``term`` for every assignment B,
    as the headline estimator builds it (under a staggered roll-out, with the schedules B's
    administrations take as a placebo set, :meth:`RolloutDesign.donors`)."""
    from .effects import _phase_masks

    admin = data["administration"].astype(str).to_numpy()
    out = np.zeros((len(data), len(assignments)))
    if not rollout.staggered:
        in_phase = data["phase"].astype(str).to_numpy() == term
        for j, b in enumerate(assignments):
            out[:, j] = np.isin(admin, list(b)) & in_phase
        return out
    k = TERMS.index(term)
    rows_of = {u: np.flatnonzero(admin == u) for u in np.unique(admin)}
    masks: dict[tuple[str, str], np.ndarray] = {}
    for j, b in enumerate(assignments):
        for unit, donor in rollout.donors(b):
            if (unit, donor) not in masks:
                rows = rows_of[unit]
                masks[(unit, donor)] = rows[_phase_masks(data, rows, rollout.schedules[donor])[k]]
            out[masks[(unit, donor)], j] = 1.0
    return out


def design_power_curve(beta: np.ndarray, C: np.ndarray, effects: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Power of the two-sided randomization test at each effect in ``effects``: the share of
    assignments B (each taken as the actual pilot set) for which ``|β_B + τ|`` is at most
    ``⌊α · N⌋``-th most extreme among ``|β_A + τ C[A, B]|`` (ties count as extreme, as in
    :func:`pilot_eval.estimate.inference.randomization_inference`). ``beta`` (N,) are
    the assignments' estimates without effect, ``C`` (N × N) the response of estimate A to
    a unit effect on B's rows (diagonal 1)."""
    beta = np.asarray(beta, dtype=float)
    C = np.asarray(C, dtype=float)
    n = len(beta)
    allowed = np.floor(alpha * n + 1e-9)  # p = count / n <= alpha
    out = np.empty(len(effects))
    for start in range(0, len(effects), 256):
        tau = np.asarray(effects[start : start + 256], dtype=float)[:, None, None]
        stats = np.abs(beta[None, :, None] + tau * C[None, :, :])  # (tau, A, B)
        own = np.abs(beta[None, None, :] + tau)  # (tau, 1, B)
        tol = 1e-9 * np.maximum(own, 1e-300)
        count = (stats >= own - tol).sum(axis=1)  # (tau, B), B itself included
        out[start : start + 256] = (count <= allowed).mean(axis=1)
    return out


def _breakpoints(beta: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Every τ at which some |β_A + τ C[A,B]| crosses |β_B + τ|."""
    bA, bB = beta[:, None], beta[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        one = (bB - bA) / (C - 1.0)
        two = -(bA + bB) / (C + 1.0)
    off = ~np.eye(len(beta), dtype=bool)
    points = np.concatenate([one[off], two[off]])
    return np.unique(points[np.isfinite(points)])


def _mde_from_curve(beta: np.ndarray, C: np.ndarray, power: float, alpha: float):
    """(increase, decrease, curve): the exact MDEs (NaN if power never reaches the target)
    and the power curve at the midpoints between breakpoints."""
    points = _breakpoints(beta, C)
    scale = max(np.abs(points).max() if len(points) else 1.0, 1.0)
    mdes, curves = {}, []
    for sign in (1, -1):
        side = np.sort(points[points * sign > 0] * sign)  # distances from 0, ascending
        edges = np.concatenate([[0.0], side])
        mids = np.concatenate([(edges[:-1] + edges[1:]) / 2, [edges[-1] + scale]]) * sign
        curve = design_power_curve(beta, C, mids, alpha)
        hit = np.flatnonzero(curve >= power - 1e-12)
        mdes[sign] = float(edges[hit[0]] * sign) if len(hit) else float("nan")
        curves.append(pd.DataFrame({"effect": mids, "power": curve}))
    table = pd.concat(curves, ignore_index=True).sort_values("effect", ignore_index=True)
    return mdes[1], mdes[-1], table


def minimum_detectable_effect(
    tables: dict[str, pd.DataFrame],
    cut_date,
    outcome: str,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    term: str = "during",
    window: tuple[str | None, str | None] | None = DEFAULT_WINDOW,
    period: str = "quarter",
    frames: Mapping[str, pd.DataFrame] | None = None,
    data: pd.DataFrame | None = None,
) -> EstimateResult:
    """Minimum detectable effect of the headline test, from the data at hand.

    Parameters
    ----------
    tables, cut_date, window, period
        As :func:`~pilot_eval.estimate.effects.pilot_effects`.
    outcome
        A name from :data:`~pilot_eval.estimate.effects.OUTCOMES`.
    power, alpha
        Target power and the test's level (two-sided).
    term
        The phase: "during" (default) or "after".
    frames, data
        The outcome's analysis rows if already built (``frames[outcome]``, as
        ``pilot_effects`` takes them, or ``data`` directly; ``tables`` is then not read).

    Returns
    -------
    EstimateResult
        ``tidy()``: terms ``mde_increase`` (> 0) and ``mde_decrease`` (< 0): estimate = the
        smallest effect (in the outcome's units) beyond which the randomization test
        rejects for at least ``power`` of the assignments; NaN when no size does (note
        says why). Also ``outcome``, ``phase``, ``n`` (rows), ``n_assignments``,
        ``pre_pilot_mean`` (the pilot administrations' mean before the pilot),
        ``relative`` (estimate ÷ pre_pilot_mean: the proportional change, an
        approximation meant for count outcomes), ``power``, ``alpha``, ``assumption``,
        ``note``. ``details["power_curve"]``: effect, power (piecewise constant: one
        point per stretch between breakpoints); ``details["beta0"]``, ``details["C"]``:
        the assignments' estimates without effect and the response matrix. See the
        module notes.
    """
    from .robustness import _assignment_effects

    if term not in TERMS:
        raise ValueError(f"term must be one of {TERMS}, not {term!r}")
    if data is None:
        if frames is not None and outcome in frames:
            data = frames[outcome]
        else:
            data = outcome_frames(restrict_window(tables, window), cut_date, [outcome], period)[outcome]
    rollout = rollout_design(data)
    pilot_rows = data["arm"].astype(str) == "pilot"
    pre = data.loc[pilot_rows & (data["phase"].astype(str) == "before"), "y"]
    pre_mean = float(pre.mean()) if len(pre) else float("nan")
    base = {
        "outcome": outcome,
        "phase": term,
        "n": len(data),
        "method": "design_based_power",
        "inference": "randomization_inference",
        "pre_pilot_mean": pre_mean,
        "power": power,
        "alpha": alpha,
        "assumption": _ASSUMPTION,
    }
    terms = [t for t in TERMS if data[t].sum() > 0]
    details: dict = {"window": window}
    if not rollout.treated or term not in terms:
        rows = [
            {**base, "term": t, "estimate": np.nan, "note": f"no treated rows {term} the pilot"} for t in _MDE_TERMS
        ]
        return EstimateResult(tidy_frame(rows, index_columns=["outcome"]), details=details)
    units = sorted(data["administration"].astype(str).unique())
    assignments = [frozenset(a) for a in combinations(units, len(rollout.treated))]
    D = _treatment_columns(data, rollout, assignments, term)
    terms, assignments, actual, est = _assignment_effects(data, rollout, extra=D)
    E = est[term]
    effects = np.array([est[t][actual, 0] for t in terms])
    beta0 = E[:, 0] - E[:, 1 : 1 + len(terms)] @ effects  # y0 = y − Σ β̂_t D_t
    C = E[:, 1 + len(terms) :]
    note = ""
    if not (np.all(np.isfinite(beta0)) and np.all(np.isfinite(C))):
        up = down = float("nan")
        curve = pd.DataFrame({"effect": [], "power": []})
        note = "the effect cannot be estimated under every assignment"
    elif 1 / len(assignments) > alpha:
        up = down = float("nan")
        curve = pd.DataFrame({"effect": [], "power": []})
        note = (
            f"not detectable at any size: {len(assignments)} randomization assignments, so the smallest "
            f"p-value is 1/{len(assignments)}"
        )
    else:
        up, down, curve = _mde_from_curve(beta0, C, power, alpha)
        if not (np.isfinite(up) and np.isfinite(down)):
            note = f"no effect size reaches {power:.0%} power in one direction (assignments that move with it)"
    rows = []
    for name, value in zip(_MDE_TERMS, (up, down), strict=True):
        rows.append(
            {
                **base,
                "term": name,
                "estimate": value,
                "n_assignments": len(assignments),
                "relative": value / pre_mean if pre_mean else float("nan"),
                "note": note,
            }
        )
    details.update(
        power_curve=curve,
        beta0=beta0,
        C=C,
        assignments=["+".join(sorted(a)) for a in assignments],
        actual=actual,
        removed_effects=dict(zip(terms, effects.tolist(), strict=True)),
        diagonal_ok=bool(np.allclose(np.diag(C), 1.0)) if np.all(np.isfinite(C)) else False,
    )
    return EstimateResult(tidy_frame(rows, index_columns=["outcome"]), details=details)
