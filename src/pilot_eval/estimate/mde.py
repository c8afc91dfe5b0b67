"""The stored minimum detectable effects of every headline outcome, at Botkyrka's design.

:func:`pilot_eval.estimate.power.simulated_minimum_detectable_effect` simulates the demo generator
at the real design (3 of 8 administrations) and volume; a null draw costs a generator run
and 112 least-squares fits per outcome, far too slow for every quarterly report. So the
table is computed once, by the command (the one recorded in the stored file: 300 null
draws)::

    python -m pilot_eval.estimate.mde --reps 300 --out src/pilot_eval/estimate/mde_botkyrka.json

and shipped as package data (``mde_botkyrka.json``), which :func:`stored_mde` reads. The
JSON records how it was made: reps, seed, scale, power, alpha, creation time, the command,
the package version and the run time (the command's own default, ``--reps 100``, is for a
quicker look).

The command computes every outcome of :data:`pilot_eval.estimate.effects.OUTCOMES` in one
pass: each null draw generates the synthetic export once
(``generate(seed=seed + r, scenario="none")``) and derives every outcome's analysis rows
(:func:`pilot_eval.analysis.frames.outcome_data`) from it. The rows wait in a per-seed
cache until that outcome's simulation takes them (and are dropped then); whole exports
are never kept.

Sizes are in the outcome's own units (:data:`UNITS`): a share as a proportion (0.03 = 3
percentage points), days, or applicants per vacancy. ``mde_increase`` is positive and
``mde_decrease`` negative, as :func:`~pilot_eval.estimate.power.simulated_minimum_detectable_effect`
returns them. The effects tried are wider than that function's default grid
(:data:`GRIDS`); NaN means no effect in the grid (±100 percentage points, ±90 days, ±40
applicants) reaches the target power, and ``note`` says why — for register-check
turnaround, for instance, the comparison administrations have (almost) no register checks,
so the randomization test has 4 assignments instead of 56 and can never reach 5 %.

Examples
--------
>>> table = stored_mde()
>>> sorted(table["term"].unique())
['mde_decrease', 'mde_increase']
>>> mde_for(table, "late_withdrawal")["mde_increase"] > 0
True
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shlex
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.frames import OUTCOMES, outcome_frames
from .power import simulated_minimum_detectable_effect

__all__ = ["GRIDS", "MDE_FILE", "UNITS", "compute_mde", "main", "mde_for", "stored_mde", "write_mde"]

#: The file name of the stored table inside this package.
MDE_FILE = "mde_botkyrka.json"

#: Outcome → the unit of its sizes: "proportion" (0–1; × 100 gives percentage points),
#: "days" or "count" (applicants per vacancy).
UNITS: dict[str, str] = {
    "days_to_fill": "days",
    "closed_without_hire": "proportion",
    "filled_within_60": "proportion",
    "filled_within_90": "proportion",
    "days_unfilled_90": "days",
    "late_withdrawal": "proportion",
    "applicants_per_vacancy": "count",
    "qualified_applicants_per_vacancy": "count",
    "offer_acceptance": "proportion",
    "register_check_days": "days",
}

#: The effects tried per unit (in outcome units). Wide, because with 3 of 8 administrations
#: the headline test needs effects of several null standard deviations (placebo sets that
#: share two of the three pilot administrations move with the real effect, ``c_A`` ≈ 0.8),
#: beyond the ±4 null standard deviations of
#: :func:`~pilot_eval.estimate.power.simulated_minimum_detectable_effect`'s default grid, where most
#: outcomes' MDE came out NaN. Steps: 0.1 percentage point, 0.1 day, 0.01 applicant.
GRIDS: dict[str, np.ndarray] = {
    "proportion": np.round(np.arange(-1000, 1001) * 0.001, 3),
    "days": np.round(np.arange(-900, 901) * 0.1, 1),
    "count": np.round(np.arange(-4000, 4001) * 0.01, 2),
}

_COLUMNS = [
    "outcome",
    "term",
    "estimate",
    "unit",
    "null_sd",
    "n_assignments",
    "note",
    "power",
    "alpha",
    "reps",
    "seed",
    "scale",
    "created",
    "command",
    "version",
]
_ASSUMPTION = "constant additive effect on the treated administrations"


# --------------------------------------------------------------------------- reading


def stored_mde(path: str | Path | None = None) -> pd.DataFrame:
    """The stored minimum detectable effects (default: the package's ``mde_botkyrka.json``).

    Returns
    -------
    DataFrame
        One row per outcome × term (``mde_increase``, ``mde_decrease``): ``outcome``,
        ``term``, ``estimate`` (in ``unit``; NaN = not detectable within the grid),
        ``unit``, ``null_sd`` (standard deviation of the estimate under no effect),
        ``n_assignments`` (randomization assignments of the headline test), ``note``
        (why an estimate is NaN),
        ``power``, ``alpha``, ``reps``, ``seed``, ``scale``, ``created``, ``command``,
        ``version`` (of pilot_eval that made it).
    """
    if path is None:
        text = resources.files(__package__).joinpath(MDE_FILE).read_text(encoding="utf-8")
        where = f"the package data file pilot_eval/estimate/{MDE_FILE}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    try:
        doc = json.loads(text)
        rows = doc["rows"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{where} is not a stored MDE table ({exc}); re-create it with "
            "`python -m pilot_eval.estimate.mde --out <file>`"
        ) from exc
    meta = {k: doc.get(k) for k in ("power", "alpha", "reps", "seed", "scale", "created", "command", "version")}
    table = pd.DataFrame([{**meta, **row} for row in rows])
    table["estimate"] = pd.to_numeric(table["estimate"], errors="coerce").astype(float)
    table["null_sd"] = pd.to_numeric(table["null_sd"], errors="coerce").astype(float)
    return table[_COLUMNS]


def mde_for(table: pd.DataFrame | Mapping | None, outcome: str) -> dict[str, float] | None:
    """``{"mde_increase": …, "mde_decrease": …}`` of one outcome from a stored table
    (long, as :func:`stored_mde`), a mapping outcome → such a dict, or None (→ None,
    also when the outcome is missing)."""
    if table is None:
        return None
    if isinstance(table, pd.DataFrame):
        rows = table.loc[table["outcome"].astype(str) == outcome]
        if rows.empty:
            return None
        return {str(t): float(e) for t, e in zip(rows["term"], rows["estimate"], strict=True)}
    found = table.get(outcome)
    return None if found is None else dict(found)


# --------------------------------------------------------------------------- computing


class _OutcomeCache:
    """Analysis rows of every outcome, by seed, made once per seed and handed out once
    per outcome (then dropped), so each null draw runs the generator once."""

    def __init__(self, data_for_draw: Callable[[int], Mapping[str, pd.DataFrame]]):
        self._make = data_for_draw
        self._rows: dict[int, dict[str, pd.DataFrame]] = {}
        self.draws = 0
        #: outcome → the fewest randomization assignments seen in a draw
        self.assignments: dict[str, int] = {}

    def take(self, outcome: str, seed: int) -> pd.DataFrame:
        if seed not in self._rows:
            self._rows[seed] = dict(self._make(seed))
            self.draws += 1
        by_outcome = self._rows[seed]
        if outcome not in by_outcome:
            raise KeyError(f"the draw for seed {seed} has no rows for outcome {outcome!r}")
        rows = by_outcome.pop(outcome)
        if not by_outcome:
            del self._rows[seed]
        units = rows["administration"].astype(str)
        n_units = units.nunique()
        n_treated = units.loc[rows["arm"].astype(str) == "pilot"].nunique()
        count = math.comb(n_units, n_treated)
        self.assignments[outcome] = min(count, self.assignments.get(outcome, count))
        return rows


def _compact(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns the power simulation reads, labels as categories (a fraction of the
    memory of Python strings; the estimates are the same, the categories being sorted as
    the fixed-effect dummies are)."""
    keep = rows[["y", "administration", "period", "arm", "phase", "during"]]
    return keep.astype({c: "category" for c in ("administration", "period", "arm", "phase")})


def demo_draw(outcomes: Sequence[str], scale: float = 1.0) -> Callable[[int], dict[str, pd.DataFrame]]:
    """``seed → {outcome: analysis rows}`` from one synthetic Botkyrka with no effect."""
    from ..demo import generate

    def draw(seed: int) -> dict[str, pd.DataFrame]:
        export = generate(seed=seed, scenario="none", scale=scale)
        frames = outcome_frames(export.tables, export.truth["cut_date"], outcomes)  # the roll-out joined once
        return {o: _compact(frames[o]) for o in outcomes}

    return draw


def compute_mde(
    outcomes: Sequence[str] | None = None,
    *,
    reps: int = 100,
    seed: int = 1,
    scale: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    data_for_draw: Callable[[int], Mapping[str, pd.DataFrame]] | None = None,
    grids: Mapping[str, np.ndarray] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Minimum detectable during-pilot effects of several outcomes from shared null draws.

    Parameters
    ----------
    outcomes
        Names from :data:`~pilot_eval.estimate.effects.OUTCOMES` (default all).
    reps, seed, scale, power, alpha
        As :func:`~pilot_eval.estimate.power.simulated_minimum_detectable_effect`: draw ``r`` uses
        seed ``seed + r``.
    data_for_draw
        ``seed → {outcome: analysis rows}`` (default: the demo generator with no effect,
        :func:`demo_draw`); each seed is called once.
    grids
        Unit → the effects to try (default :data:`GRIDS`).
    progress
        Called with a line of text after each outcome.

    Returns
    -------
    DataFrame
        ``outcome``, ``term``, ``estimate``, ``unit``, ``null_sd``, ``n_assignments``,
        ``note``, ``power``, ``alpha``, ``reps``, ``seed``, ``scale``.
    """
    outcomes = list(outcomes or OUTCOMES)
    unknown = [o for o in outcomes if o not in UNITS]
    if unknown:
        raise ValueError(f"unknown outcome(s) {unknown}; choose from {', '.join(UNITS)}")
    grids = GRIDS if grids is None else grids
    cache = _OutcomeCache(data_for_draw or demo_draw(outcomes, scale))
    rows = []
    for outcome in outcomes:
        started = time.perf_counter()
        result = simulated_minimum_detectable_effect(
            outcome,
            reps=reps,
            scale=scale,
            power=power,
            alpha=alpha,
            seed=seed,
            effects=grids[UNITS[outcome]],
            data_for_draw=lambda s, o=outcome: cache.take(o, s),
        )
        tidy = result.tidy()
        for term in ("mde_increase", "mde_decrease"):
            estimate = float(tidy.loc[tidy["term"] == term, "estimate"].iloc[0])
            rows.append(
                {
                    "outcome": outcome,
                    "term": term,
                    "estimate": estimate,
                    "unit": UNITS[outcome],
                    "null_sd": float(result.details["null_sd"]),
                    "n_assignments": cache.assignments.get(outcome),
                    "note": _note(estimate, cache.assignments.get(outcome), alpha, power),
                    "power": power,
                    "alpha": alpha,
                    "reps": reps,
                    "seed": seed,
                    "scale": scale,
                }
            )
        if progress is not None:
            progress(
                f"{outcome}: +{rows[-2]['estimate']:.4g} / {rows[-1]['estimate']:.4g} "
                f"({time.perf_counter() - started:.0f} s, {cache.draws} draws made)"
            )
    return pd.DataFrame(rows)


def _note(estimate: float, n_assignments: int | None, alpha: float, power: float) -> str:
    if math.isfinite(estimate):
        return ""
    if n_assignments is not None and 1 / n_assignments > alpha:
        return (
            f"not detectable at any size: the outcome exists in too few administrations for more than "
            f"{n_assignments} randomization assignments, so the smallest p-value is 1/{n_assignments}"
        )
    return f"no effect in the grid reaches {power:.0%} power"


def _json_number(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def write_mde(
    table: pd.DataFrame,
    path: str | Path,
    *,
    command: str,
    created: str | None = None,
    seconds: float | None = None,
    grids: Mapping[str, np.ndarray] | None = None,
) -> Path:
    """Write a table of :func:`compute_mde` as the JSON :func:`stored_mde` reads."""
    path = Path(path)
    first = table.iloc[0]
    doc = {
        "description": (
            "Minimum detectable during-pilot effects of the headline test (randomization "
            "inference over the 56 assignments of 3 of 8 administrations), simulated with "
            "pilot_eval.demo.generate(scenario='none') at Botkyrka's design and volume; "
            "pilot_eval.estimate.power.simulated_minimum_detectable_effect."
        ),
        "assumption": _ASSUMPTION,
        "grid": {
            unit: [float(g[0]), float(g[-1]), round(float(g[1] - g[0]), 6)]
            for unit, g in (GRIDS if grids is None else grids).items()
        },
        "units": "proportion = share 0-1 (x 100 = percentage points); days; count = applicants per vacancy",
        "power": float(first["power"]),
        "alpha": float(first["alpha"]),
        "reps": int(first["reps"]),
        "seed": int(first["seed"]),
        "scale": float(first["scale"]),
        "created": created or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "version": _package_version(),
        "seconds": None if seconds is None else round(float(seconds)),
        "rows": [
            {
                "outcome": str(r.outcome),
                "term": str(r.term),
                "estimate": _json_number(r.estimate),
                "unit": str(r.unit),
                "null_sd": _json_number(r.null_sd),
                "n_assignments": None if pd.isna(r.n_assignments) else int(r.n_assignments),
                "note": str(r.note),
            }
            for r in table.itertuples(index=False)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("pilot_eval")
    except Exception:  # noqa: BLE001 - not installed: say so rather than fail
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pilot_eval.estimate.mde``: compute and store the table."""
    parser = argparse.ArgumentParser(prog="python -m pilot_eval.estimate.mde", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=100, help="null draws of the synthetic municipality")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first draw (draw r uses seed + r)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume relative to Botkyrka")
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--outcomes", nargs="*", default=None, help="default: every outcome")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    args = parser.parse_args(argv)
    command = "python -m pilot_eval.estimate.mde " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    started = time.perf_counter()
    table = compute_mde(
        args.outcomes,
        reps=args.reps,
        seed=args.seed,
        scale=args.scale,
        power=args.power,
        alpha=args.alpha,
        progress=lambda line: print(line, flush=True),
    )
    seconds = time.perf_counter() - started
    path = write_mde(table, args.out, command=command, seconds=seconds)
    print(f"wrote {path} ({seconds / 60:.1f} min)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
