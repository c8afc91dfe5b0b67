"""Effects of the pilot by applicant group (gender, age band): exploratory.

The equality question ("does the pilot push some groups out more than
others?") as an estimate, not only as rates: for each group *g* of ``by`` (the
applications' ``gender`` or ``age_band``, :data:`pilot_eval.contract.GENDERS` /
:data:`~pilot_eval.contract.AGE_BANDS`) a **triple difference** on the application rows of
one outcome (:func:`pilot_eval.analysis.frames.outcome_data`; by default late withdrawal)::

    y = FE(admin × G) + FE(period × G)
        + β_in · during · G + β_out · during · (1 − G) + (the same for after) + ε

with ``G = 1[applicant in g]``. Administration and calendar effects are separate for the
group and for every other applicant, so ``β_in`` is the difference-in-differences within
*g* alone (the "during" / "after" rows) and ``β_in − β_out`` (β_ddd, the
"during_minus_rest" / "after_minus_rest" rows) how much the effect in *g* differs from
the effect on the other applicants. The same model re-parametrised with ``during`` and
``during · G`` gives β_ddd as one coefficient, so that each row is one coefficient of
one regression; the pattern is :func:`pilot_eval.estimate.effects.triple_difference`.

Inference as in :func:`pilot_eval.estimate.effects.pilot_effects`: conventional
cluster-robust (CR1, t with G − 1 df, clusters = administrations), the restricted wild
cluster bootstrap (Webb weights) and randomization inference over the 56 assignments of 3
of 8 administrations (the headline; every assignment at once from the residualised
administration × term columns, :func:`~pilot_eval.estimate.effects._assignment_estimates`;
interval by test inversion with the actual group's treatment column shifted, other terms
held as estimated). The randomization test of a term is exact under the sharp null of no
effect on anyone when the term is estimable for *every* placebo set: every set of three
administrations must have applicants of *g* (and of the rest) in the phase, and so must
the other five. Where a set lacks them, the term is tested by the wild bootstrap instead
(the headline row says which) and a note says so.

**Exploratory.** Many groups, each tested on its own, no correction for multiplicity, and
little power (the smallest groups have a few hundred applications reaching interview):
``details["exploratory"]`` is True and ``details["notes"]`` says so. A group is only
estimated where every group × arm × phase cell behind a row has at least ``min_cell``
applications and at least ``min_cell`` events (default 10, the floor of
:data:`pilot_eval.disclosure.rules.FLOORS` for denominators and durations): the
"other or unknown" gender is often below it. The cell counts are in the table
(``n_cell_min_applications``, ``n_cell_min_events``) and, in full, in
``details["cells"]``, so that the report's disclosure control can apply its own (possibly
stricter) thresholds.

Rows with a missing value of ``by`` are left out (a note counts them): they belong to no
group, and keeping them in "the rest" would make the rest differ between groups.

References
----------
Olden, A. & Møen, J. (2022). The triple difference estimator. *The Econometrics Journal*
25(3), 531-553.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from .. import contract as C
from ..analysis.frames import OUTCOMES, outcome_data
from ..analysis.window import DEFAULT_WINDOW, restrict_window
from .base import EstimateResult, tidy_frame

__all__ = ["BY", "GROUP_TERMS", "METHOD", "group_cells", "group_effects"]

#: The applicant columns to break effects down by, and their groups in order.
BY: dict[str, tuple[str, ...]] = {"gender": tuple(C.GENDERS), "age_band": tuple(C.AGE_BANDS)}
#: The rows of each group: the effect within the group, and its difference from the rest.
GROUP_TERMS = ("during", "during_minus_rest", "after", "after_minus_rest")
METHOD = "triple_difference_group"
#: Default smallest number of applications and of events in every cell behind a row.
MIN_CELL = 10

_EXPLORATORY_NOTE = (
    "exploratory: one test per group and term, no correction for multiplicity, and little power in "
    "small groups; read the differences as leads, not as findings"
)


def group_cells(data: pd.DataFrame, by: str) -> pd.DataFrame:
    """Applications (``n_applications``) and events (``n_events``: sum of the 0/1 outcome)
    by group × arm × phase of the analysis rows ``data`` (rows missing ``by`` left out),
    every combination present (0 where empty)."""
    groups = [g for g in BY[by] if (data[by].astype(object) == g).any()]
    rows = data.loc[data[by].notna()]
    key = [rows[by].astype(str), rows["arm"].astype(str), rows["phase"].astype(str)]
    agg = rows.groupby(key)["y"].agg(["size", "sum"])
    full = pd.MultiIndex.from_product(
        [groups, ["pilot", "comparison"], ["before", "during", "after"]], names=[by, "arm", "phase"]
    )
    agg = agg.reindex(full, fill_value=0)
    return pd.DataFrame(
        {"n_applications": agg["size"].astype(int).to_numpy(), "n_events": agg["sum"].round().astype(int).to_numpy()},
        index=full,
    ).reset_index()


def _cell_minimum(cells: pd.DataFrame, by: str, groups: Sequence[str], phase: str) -> tuple[int, int]:
    """The fewest applications and the fewest events among the cells of ``groups`` × both
    arms × (before, ``phase``)."""
    sub = cells.loc[cells[by].isin(list(groups)) & cells["phase"].isin(["before", phase])]
    return int(sub["n_applications"].min()), int(sub["n_events"].min())


def _placebo_identified(cell: pd.DataFrame, phase: str, assignments) -> bool:
    """Whether the group term and the rest term of ``phase`` are estimable under every
    assignment: each placebo set and its complement have rows of the group, and of the
    rest, in the phase (``cell``: :func:`_collapse`)."""
    rows = cell.loc[(cell["phase"] == phase) & (cell["n"] > 0)]
    for part in (1, 0):
        present = set(rows.loc[rows["in_group"] == part, "administration"])
        for a in assignments:
            if not (present & set(a)) or not (present - set(a)):
                return False
    return True


def group_effects(
    tables: dict[str, pd.DataFrame],
    cut_date,
    *,
    outcome: str = "late_withdrawal",
    by: str = "gender",
    window: tuple[str | None, str | None] | None = DEFAULT_WINDOW,
    period: str = "quarter",
    reps: int = 9999,
    seed: int | None = 2023,
    alpha: float = 0.05,
    min_cell: int = MIN_CELL,
    data: pd.DataFrame | None = None,
) -> EstimateResult:
    """The pilot's effect within each group of ``by`` and its difference from the other
    applicants (a triple difference per group; see the module notes). Exploratory.

    Parameters
    ----------
    tables, cut_date, window, period, reps, seed, alpha
        As in :func:`pilot_eval.estimate.effects.pilot_effects`.
    outcome
        An outcome on application rows (:data:`pilot_eval.analysis.frames.OUTCOMES`:
        ``late_withdrawal``, ``offer_acceptance``).
    by
        ``"gender"`` or ``"age_band"``.
    min_cell
        A row is estimated only where every group × arm × phase cell behind it has at
        least this many applications and this many events (at least the floor, 10).
    data
        The outcome's analysis rows if already built (``outcome_data`` of
        ``restrict_window(tables, window)``).

    Returns
    -------
    EstimateResult
        ``tidy()``: outcome, by, group, term (:data:`GROUP_TERMS`), the tidy columns
        (method ``"triple_difference_group"``; for each term the ``cluster_robust``,
        ``wild_cluster_bootstrap_webb`` and ``randomization_inference`` rows, or one row with
        inference ``"not_estimated"`` and no figures where the cells are too small), ``headline``
        (True on the row to show: randomization inference, else the wild bootstrap),
        ``n_group`` (the group's rows), ``n_cell_min_applications`` and ``n_cell_min_events``
        (the fewest applications and events in a group × arm × phase cell behind the row; the
        rest's cells too for the ``*_minus_rest`` rows). ``details``: ``exploratory`` (True),
        ``notes``, ``cells`` (:func:`group_cells`), ``by``, ``outcome``, ``window``, ``min_cell``,
        ``n_missing`` (rows without ``by``).
    """
    from .effects import rollout_design

    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    if OUTCOMES.get(outcome) != "application":
        apps = [o for o, unit in OUTCOMES.items() if unit == "application"]
        raise ValueError(f"group effects need an outcome on applications ({', '.join(apps)}), not {outcome!r}")
    if min_cell < MIN_CELL:
        raise ValueError(f"min_cell={min_cell} is below the floor of {MIN_CELL} (docs/disclosure.md §3)")
    if data is None:
        data = outcome_data(restrict_window(tables, window), outcome, cut_date, period)
    notes = [_EXPLORATORY_NOTE]
    details = {"exploratory": True, "notes": notes, "by": by, "outcome": outcome, "window": window}
    details["min_cell"] = min_cell
    missing = data[by].isna().to_numpy()
    details["n_missing"] = int(missing.sum())
    if missing.any():
        notes.append(f"{int(missing.sum())} rows without {by} left out")
    data = data.loc[~missing].reset_index(drop=True)
    cells = group_cells(data, by)
    details["cells"] = cells
    groups = list(dict.fromkeys(cells[by]))
    rollout = rollout_design(data)
    if rollout.staggered:
        notes.append(f"not estimated: {rollout.reason}; the group triple difference assumes one common schedule")
        return EstimateResult(tidy_frame([], index_columns=["outcome", "by", "group"]), details=details)
    treated = frozenset(rollout.treated)
    units = sorted(data["administration"].astype(str).unique())
    assignments = [frozenset(a) for a in combinations(units, len(treated))]
    phases = [t for t in ("during", "after") if data[t].sum() > 0]
    fine = _fine_cells(data, by)
    rows: list[dict] = []
    for g in groups:
        rows.extend(
            _group_rows(
                data,
                fine,
                outcome,
                by,
                g,
                groups,
                cells,
                phases,
                assignments,
                treated,
                reps=reps,
                seed=seed,
                alpha=alpha,
                min_cell=min_cell,
                notes=notes,
            )
        )
    table = tidy_frame(rows, index_columns=["outcome", "by", "group"])
    if len(table):
        order = {t: i for i, t in enumerate(GROUP_TERMS)}
        table = table.assign(_g=table["group"].map({g: i for i, g in enumerate(groups)}), _t=table["term"].map(order))
        table = table.sort_values(["_g", "_t"], kind="stable").drop(columns=["_g", "_t"]).reset_index(drop=True)
        table["method"] = METHOD
    return EstimateResult(table, details=details)


# --------------------------------------------------------------------------- one group


class _WeightedProjector:
    """Partial out fixed effects in the √n-weighted regression on cell means (the
    :class:`~pilot_eval.estimate.effects._Projector` of weighted least squares):
    ``residual(x)`` is the residual of √n ⊙ x on √n ⊙ [1, dummies]."""

    def __init__(self, cells: pd.DataFrame, fixed_effects: Sequence[str], root_n: np.ndarray):
        cols = [np.ones(len(cells))]
        for f in fixed_effects:
            cols.extend(pd.get_dummies(cells[f], drop_first=True, dtype=float).to_numpy().T)
        q, r = np.linalg.qr(np.column_stack(cols) * root_n[:, None])
        keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(np.diag(r)).max())
        self.q, self.root_n = q[:, keep], root_n

    def residual(self, x: np.ndarray) -> np.ndarray:
        x = x * (self.root_n if x.ndim == 1 else self.root_n[:, None])
        return x - self.q @ (self.q.T @ x)


def _fine_cells(data: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rows as administration × period × phase × ``by`` cells (``n`` rows, ``s`` the sum
    of ``y``), once for every group (:func:`_collapse` merges them)."""
    frame = pd.DataFrame(
        {
            "administration": data["administration"].astype(str).to_numpy(),
            "period": data["period"].astype(str).to_numpy(),
            "phase": data["phase"].astype(str).to_numpy(),
            by: data[by].astype(str).to_numpy(),
            "during": data["during"].to_numpy(dtype=float),
            "after": data["after"].to_numpy(dtype=float),
            "y": data["y"].to_numpy(dtype=float),
        }
    )
    keys = ["administration", "period", "phase", by]
    out = frame.groupby(keys, sort=True).agg(
        n=("y", "size"), s=("y", "sum"), during=("during", "first"), after=("after", "first")
    )
    return out.reset_index()


def _collapse(fine: pd.DataFrame, by: str, g: str) -> pd.DataFrame:
    """The rows as administration × period × phase × (in group ``g`` or not) cells: ``n``
    rows, ``y`` their mean. Every regressor of the model is constant within a cell, so OLS
    on the rows is least squares on the cell means weighted by ``n``, and every cluster
    score (and so CR1 and the wild bootstrap) is the same computed from the √n-scaled cells
    (tested against the rows)."""
    keys = ["administration", "period", "phase", "in_group"]
    out = (
        fine.assign(in_group=(fine[by] == g).astype(int))
        .groupby(keys, sort=True)
        .agg(n=("n", "sum"), s=("s", "sum"), during=("during", "first"), after=("after", "first"))
        .reset_index()
    )
    out["y"] = out["s"] / out["n"]
    g_ = out["in_group"].astype(str)
    return out.assign(admin_g=out["administration"] + "_" + g_, period_g=out["period"] + "_" + g_)


def _scaled_design(cells: pd.DataFrame, terms: Sequence[str], fixed: Sequence[str]):
    """The model's design on the cells, rows scaled by √n (see :func:`_collapse`)."""
    from .effects import _formula
    from .inference import _design_for

    design = _design_for(cells[["y", *terms, *fixed, "administration"]], _formula(terms, fixed), "administration")
    root_n = np.sqrt(cells["n"].to_numpy(dtype=float))
    design.X = design.X * root_n[:, None]
    design.y = design.y * root_n
    return design


def _cr1(design, coef: str, n_rows: int, alpha: float):
    """CR1 of ``coef`` from the scaled cell design: the cluster scores are those of the
    rows, and the small-sample factor G/(G−1)·(N−1)/(N−k) takes N = the rows, as
    statsmodels' and Stata's does on the rows."""
    from .inference import _cluster_robust_result

    j = design.names.index(coef)
    X, y, g = design.X, design.y, design.cluster_codes
    G = design.n_clusters
    A = np.linalg.inv(X.T @ X)
    beta = A @ (X.T @ y)
    score = np.bincount(g, (X @ A[:, j]) * (y - X @ beta), minlength=G)
    c = G / (G - 1) * (n_rows - 1) / (n_rows - design.k)
    se = float(np.sqrt(c * float(score @ score)))
    return _cluster_robust_result(
        design,
        coef,
        float(beta[j]),
        se,
        h0=0.0,
        alpha=alpha,
        formula="",
        cluster="administration",
        fixed_effects=None,
    )


def _group_rows(
    data: pd.DataFrame,
    fine: pd.DataFrame,
    outcome: str,
    by: str,
    g: str,
    groups: Sequence[str],
    cells: pd.DataFrame,
    phases: Sequence[str],
    assignments: Sequence[frozenset],
    treated: frozenset,
    *,
    reps: int,
    seed: int | None,
    alpha: float,
    min_cell: int,
    notes: list[str],
) -> list[dict]:
    """The tidy rows of one group (see :func:`group_effects`)."""
    from .effects import _assignment_estimates, _ri_interval
    from .inference import _wild_from_design, randomization_inference

    n_group = int(fine.loc[fine[by] == g, "n"].sum())
    base = {"outcome": outcome, "by": by, "group": g, "n_group": n_group, "method": METHOD}
    rest_cells = cells.loc[cells[by] != g].groupby(["arm", "phase"], as_index=False)[["n_applications", "n_events"]]
    rest_cells = rest_cells.sum()
    rows: list[dict] = []
    minima: dict[str, tuple[int, int]] = {}
    fit = []
    for t in phases:
        n_app, n_ev = _cell_minimum(cells, by, [g], t)
        rest = rest_cells.loc[rest_cells["phase"].isin(["before", t])]
        minima[t] = (n_app, n_ev)
        minima[f"{t}_minus_rest"] = (
            min(n_app, int(rest["n_applications"].min())),
            min(n_ev, int(rest["n_events"].min())),
        )
        if min(n_app, n_ev) >= min_cell:
            fit.append(t)
            continue
        notes.append(
            f"{by}={g}, {t}: not estimated: a group × arm × phase cell has fewer than {min_cell} "
            f"applications or events (fewest {n_app} applications, {n_ev} events)"
        )
        for term in (t, f"{t}_minus_rest"):
            rows.append({**base, **_minima(term, minima), "inference": "not_estimated", "n": n_group, "headline": True})
    if not fit:
        return rows
    cell = _collapse(fine, by, g)
    G = cell["in_group"].to_numpy(dtype=bool)
    cols = {}
    for t in fit:
        cols[f"{t}_in"] = cell[t].to_numpy() * G
        cols[f"{t}_out"] = cell[t].to_numpy() * ~G
        cols[f"{t}_diff"] = cols[f"{t}_in"]
    cell = cell.assign(**cols)
    fixed = ("admin_g", "period_g")
    # parametrisation B (effect in g, effect in the rest) and A (rest, g minus rest): the same model
    terms_b = [c for t in fit for c in (f"{t}_in", f"{t}_out")]
    terms_a = [c for t in fit for c in (t, f"{t}_diff")]
    design = {"b": _scaled_design(cell, terms_b, fixed), "a": _scaled_design(cell, terms_a, fixed)}
    # every placebo assignment at once: the outcome and, for the interval, the actual
    # group treatment columns as outcomes
    shift = {f"_c_{t}": cols[f"{t}_in"] for t in fit}
    phase = cell["phase"].to_numpy()
    term_rows = {}
    for t in fit:
        term_rows[t] = phase == t
        term_rows[f"{t}_diff"] = (phase == t) & G
    projector = _WeightedProjector(cell, fixed, np.sqrt(cell["n"].to_numpy(dtype=float)))
    est = _assignment_estimates(
        cell.assign(**shift),
        terms_a,
        fixed,
        assignments,
        outcome=["y", *shift],
        projector=projector,
        term_rows=term_rows,
    )
    actual = assignments.index(treated)
    n_rows = len(data)
    for t in fit:
        k_rest, k_diff, c_col = terms_a.index(t), terms_a.index(f"{t}_diff"), 1 + fit.index(t)
        placebo = {
            t: (est[:, k_rest, 0] + est[:, k_diff, 0], est[:, k_rest, c_col] + est[:, k_diff, c_col]),
            f"{t}_minus_rest": (est[:, k_diff, 0], est[:, k_diff, c_col]),
        }
        identified = _placebo_identified(cell, t, assignments)
        for term, which, coef in ((t, "b", f"{t}_in"), (f"{t}_minus_rest", "a", f"{t}_diff")):
            row = {**base, **_minima(term, minima), "n": n_rows}
            d = design[which]
            if coef not in d.names:
                notes.append(f"{by}={g}, {term}: not estimated: collinear with the fixed effects")
                rows.append({**row, "inference": "not_estimated", "headline": True})
                continue
            conv = _cr1(d, coef, n_rows, alpha).tidy().iloc[0].to_dict()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", RuntimeWarning)
                wild = _wild_from_design(
                    d, coef, weights="webb", reps=reps, seed=seed, alpha=alpha, cluster="administration"
                )
            # the bootstrap's remarks (a set that is no interval, an unbounded side) go to the
            # notes: with many groups they are many, and the bootstrap is not the headline
            notes.extend(f"{by}={g}, {term}: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning))
            # the bootstrap's p-value and interval do not depend on the CR1 factor (it
            # scales the actual and every bootstrap t alike); its standard error is the CR1 one
            wild_row = wild.tidy().iloc[0].to_dict()
            wild_row.update(std_error=conv["std_error"], statistic=conv["statistic"])
            beta, c = placebo[term]
            ri_ok = identified and bool(np.all(np.isfinite(beta)))
            rows.append({**conv, **row, "headline": False})
            rows.append({**wild_row, **row, "headline": not ri_ok})
            if not ri_ok:
                notes.append(
                    f"{by}={g}, {term}: no randomization inference (some placebo set of administrations "
                    "has no applicants of the group or of the rest in the phase): the wild bootstrap is shown"
                )
                continue
            lookup = dict(zip(assignments, beta, strict=True))
            ri = randomization_inference(
                cell,
                lambda _d, a, lookup=lookup: lookup[frozenset(a)],
                unit="administration",
                treated=treated,
                alpha=alpha,
            )
            low, high = _ri_interval(beta, c, actual, alpha)
            rows.append({**ri.tidy().iloc[0].to_dict(), **row, "conf_low": low, "conf_high": high, "headline": True})
    return rows


def _minima(term: str, minima: dict[str, tuple[int, int]]) -> dict:
    t = term.removesuffix("_minus_rest")
    n_app, n_ev = minima[term] if term in minima else minima[t]
    return {"term": term, "n_cell_min_applications": n_app, "n_cell_min_events": n_ev}
