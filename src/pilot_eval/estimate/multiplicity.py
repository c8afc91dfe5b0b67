"""Family-wise p-values over the headline family: Westfall–Young step-down min-p on the
randomization distributions (docs/estimation.md).

The headline test of every outcome and term is randomization inference over the same 56
assignments of 3 of 8 administrations. Under the joint sharp null (no effect on any
outcome, in any phase) the assignment that picked the pilot administrations is one draw
from those 56, and **one assignment applies to every hypothesis at once**: the joint null
distribution of the family's statistics is the 56 rows "assignment A applied to every
outcome and term". The adjusted p-values follow from it exactly, with no resampling:

1. For hypothesis j and assignment b, ``p_j(b)`` is the randomization p-value that j
   would have had if b had been the actual assignment: the share of the 56 assignments a
   with ``|T_j(a)| ≥ |T_j(b)|`` (ties counted as at least as extreme, with the same
   relative tolerance as :func:`~pilot_eval.estimate.inference.randomization_inference`),
   so ``p_j(actual)`` is the reported p-value and every ``p_j(b) ≥ 1/56``.
2. Order the hypotheses by observed p-value, ``p_(1) ≤ … ≤ p_(S)``; for each b the
   successive minima ``q_(k)(b) = min(p_(k)(b), …, p_(S)(b))``.
3. ``p̃_(k) = #{b : q_(k)(b) ≤ p_(k)} / 56``, then monotonicity is enforced,
   ``p̃_(k) = max(p̃_(k−1), p̃_(k))``.

This is Westfall & Young (1993), Algorithm 2.8 (free step-down resampling, min-p) with
the full randomization distribution in place of resamples (the permutation version,
valid under subset pivotality, which the sharp null gives: Romano & Wolf 2005). The
actual assignment is among the 56, so ``p̃ ≥ 1/56``; p-values tied at the observed level
get the same adjusted p-value whatever their order (the monotone step makes the later of
two tied hypotheses take the earlier one's value). The min-p form puts outcomes on
different scales (days, shares, counts) on one scale without studentising them.

The step-down itself matches pyfixest's ``_get_wyoung_pval`` (0.60.0) to the last digit on
the demo's stored joint null matrix (``tests/results/westfall_young_reference.py``).

References
----------
Westfall, P. H. & Young, S. S. (1993). *Resampling-Based Multiple Testing.* Wiley (Algorithm 2.8,
free step-down resampling).
Romano, J. P. & Wolf, M. (2005). Exact and approximate stepdown methods for multiple
hypothesis testing. *JASA* 100(469), 94-108.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .base import EstimateResult
from .effects import FAMILY_TERMS, PRIMARY_OUTCOMES

__all__ = [
    "add_family_wise",
    "common_assignments",
    "family_wise_p_values",
    "headline_family",
    "REPORT_FAMILY",
    "joint_null",
    "step_down_min_p",
]

_TIE_RTOL = 1e-9  # as inference._TIE_RTOL: |T(a)| within this relative distance of |T(b)| ties
_P_TOL = 1e-12  # the p-values are multiples of 1/56: compare them with this slack


def headline_family(primary: Mapping[str, str] | Sequence[str], terms: Sequence[str] = ("during", "after")):
    """The (outcome, term) pairs of a family: every outcome of ``primary`` (a mapping
    question → outcome such as :data:`~pilot_eval.estimate.effects.PRIMARY_OUTCOMES`, or
    a list of outcomes) × ``terms``.

    >>> headline_family({"withdrawal": "late_withdrawal"})
    [('late_withdrawal', 'during'), ('late_withdrawal', 'after')]
    """
    outcomes = list(primary.values()) if isinstance(primary, Mapping) else list(primary)
    return [(o, t) for o in outcomes for t in terms]


#: The report's headline family: the primary outcomes × the effect during the pilot
#: (:data:`~pilot_eval.estimate.effects.PRIMARY_OUTCOMES` × ``FAMILY_TERMS``).
REPORT_FAMILY: list[tuple[str, str]] = headline_family(PRIMARY_OUTCOMES, FAMILY_TERMS)


def _randomization_results(results) -> dict[tuple[str, str], object]:
    """(outcome, term) → RandomizationInferenceResult from an EstimateResult of
    ``pilot_effects``, a list of them, or ``details["randomization"]``-shaped mappings
    (outcome → term → result)."""
    from .inference import RandomizationInferenceResult

    found: dict[tuple[str, str], object] = {}

    def take(item):
        if isinstance(item, EstimateResult) and not isinstance(item, RandomizationInferenceResult):
            take(item.details.get("randomization", {}))
        elif isinstance(item, Mapping):
            for outcome, by_term in item.items():
                if isinstance(by_term, RandomizationInferenceResult):
                    raise TypeError("pass outcome → term → RandomizationInferenceResult, not term → result")
                for term, res in by_term.items():
                    key = (str(outcome), str(term))
                    if key in found and found[key] is not res:
                        raise ValueError(f"{key} appears in more than one result")
                    found[key] = res
        elif isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
            for sub in item:
                take(sub)
        else:
            raise TypeError(f"cannot read randomization results from {type(item).__name__}")

    take(results)
    return found


def _assignment_set(res) -> tuple[frozenset, str]:
    dist = res.distribution
    return frozenset(dist["assignment"].astype(str)), str(dist.loc[dist["is_actual"], "assignment"].iloc[0])


def common_assignments(results, family: Sequence[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The pairs of ``family`` (default: every randomization result) that have a result and
    were tested over the most common set of assignments (with the same actual one): the
    largest family that has a joint null. E.g. ``register_check_days`` exists in 4
    administrations only (4 assignments) and cannot join the outcomes tested over 56."""
    found = _randomization_results(results)
    keys = [k for k in (found if family is None else [(str(o), str(t)) for o, t in family]) if k in found]
    sets = {k: _assignment_set(found[k]) for k in keys if found[k].enumerated}
    if not sets:
        return []
    counts: dict = {}
    for v in sets.values():
        counts[v] = counts.get(v, 0) + 1
    best = max(counts, key=lambda v: (counts[v], len(v[0])))
    return [k for k in keys if sets.get(k) == best]


def joint_null(
    results, family: Sequence[tuple[str, str]] | None = None, *, missing: str = "raise"
) -> tuple[list[tuple[str, str]], list[str], np.ndarray, np.ndarray]:
    """The family's joint randomization distribution.

    Returns ``(family, assignments, T, actual)``: the (outcome, term) pairs kept, the
    assignment labels (as ``RandomizationInferenceResult.distribution["assignment"]``,
    e.g. "KOF+SOF+UBF", in the first result's order), ``T`` of shape (assignments,
    hypotheses) with the tested statistic of each hypothesis under each assignment, and
    the index of the actual assignment. The rows of every result are aligned by
    assignment label, not by position; every hypothesis must have been tested over the
    same set of enumerated assignments with the same actual one (else ValueError: a
    family-wise p-value over different assignments has no joint null). ``missing``:
    "raise" (default) or "drop" (warn and leave out) for family pairs with no
    randomization result or tested over other assignments than most of the family
    (:func:`common_assignments`).
    """
    found = _randomization_results(results)
    family = list(found) if family is None else [(str(o), str(t)) for o, t in family]
    absent = [k for k in family if k not in found]
    if absent:
        if missing == "raise":
            raise KeyError(f"no randomization result for {absent}; present: {sorted(found)}")
        warnings.warn(f"left out of the family (no randomization result): {absent}", stacklevel=2)
        family = [k for k in family if k in found]
    if missing == "drop":
        keep = common_assignments(results, family)
        if len(keep) < len(family):
            other = [k for k in family if k not in keep]
            warnings.warn(f"left out of the family (tested over other assignments): {other}", stacklevel=2)
            family = keep
    if not family:
        raise ValueError("the family is empty")
    first = found[family[0]]
    labels = first.distribution["assignment"].astype(str).tolist()
    actual_label = first.distribution.loc[first.distribution["is_actual"], "assignment"].iloc[0]
    columns = []
    for key in family:
        res = found[key]
        dist = res.distribution
        if not res.enumerated:
            raise ValueError(f"{key}: sampled assignments; the family-wise test needs every assignment enumerated")
        mine = dist["assignment"].astype(str)
        if sorted(mine) != sorted(labels) or mine.duplicated().any():
            raise ValueError(
                f"{key} was tested over other assignments ({len(mine)}) than {family[0]} ({len(labels)}): "
                "no joint null distribution"
            )
        if dist.loc[dist["is_actual"], "assignment"].iloc[0] != actual_label:
            raise ValueError(f"{key} has another actual assignment than {family[0]}")
        column = res.details.get("tested_column", "estimate")
        values = pd.Series(dist[column].to_numpy(dtype=float), index=mine)
        columns.append(values.loc[labels].to_numpy())
    return family, labels, np.column_stack(columns), labels.index(actual_label)


def assignment_p_values(T: np.ndarray) -> np.ndarray:
    """``P[b, j]``: the two-sided randomization p-value of hypothesis j had assignment b
    been the actual one (share of assignments a with ``|T[a, j]| ≥ |T[b, j]|``, ties
    included with relative tolerance 1e-9 as in ``randomization_inference``)."""
    A = np.abs(np.asarray(T, dtype=float))
    tol = _TIE_RTOL * np.maximum(A, 1e-300)
    # (a, b, j): assignment a at least as extreme as b
    return (A[:, None, :] >= A[None, :, :] - tol[None, :, :]).mean(axis=0)


def step_down_min_p(p_observed: np.ndarray, p_null: np.ndarray) -> np.ndarray:
    """Westfall–Young free step-down min-p adjusted p-values (Algorithm 2.8).

    ``p_observed`` (S,): the hypotheses' p-values; ``p_null`` (B, S): their p-values under
    each of B joint null draws (here: every randomization assignment, the actual one
    included). Ties: the comparison ``q ≤ p`` allows 1e-12 (the p-values are counts over
    B), and the monotone step gives tied hypotheses one adjusted p-value. Own numpy code
    (a few lines; equal to pyfixest's ``_get_wyoung_pval``, tested).
    """
    p_observed = np.asarray(p_observed, dtype=float)
    p_null = np.asarray(p_null, dtype=float)
    order = np.argsort(p_observed, kind="stable")
    successive = np.minimum.accumulate(p_null[:, order[::-1]], axis=1)[:, ::-1]
    raw = (successive <= p_observed[order][None, :] + _P_TOL).mean(axis=0)
    adjusted = np.empty_like(raw)
    adjusted[order] = np.maximum.accumulate(raw)
    return np.minimum(adjusted, 1.0)


def family_wise_p_values(
    results, family: Sequence[tuple[str, str]] | None = None, *, missing: str = "raise"
) -> pd.DataFrame:
    """Westfall–Young step-down family-wise p-values over randomization-inference results.

    Parameters
    ----------
    results
        One or more :class:`~pilot_eval.estimate.base.EstimateResult` of
        :func:`~pilot_eval.estimate.effects.pilot_effects` (each outcome may come from
        its own call: the joint null only needs each result's distribution over the same
        assignments, aligned here by assignment label), or mappings outcome → term →
        :class:`~pilot_eval.estimate.inference.RandomizationInferenceResult` (the shape of
        ``details["randomization"]``).
    family
        The (outcome, term) pairs tested together (e.g. :func:`headline_family` of
        :data:`~pilot_eval.estimate.effects.PRIMARY_OUTCOMES`); default every
        randomization result found.
    missing
        "raise" or "drop" (with a warning) for family pairs without a randomization
        result or tested over other assignments than most of the family.

    Returns
    -------
    DataFrame
        One row per hypothesis: ``outcome``, ``term``, ``p_value`` (the unadjusted
        randomization p-value, equal to the headline row's), ``p_value_fwer`` (adjusted,
        ≥ p_value, ≥ 1/n_assignments), ``n_assignments``, ``family_size``. See the module
        notes for the method.
    """
    family, labels, T, actual = joint_null(results, family, missing=missing)
    P = assignment_p_values(T)
    adjusted = step_down_min_p(P[actual], P)
    return pd.DataFrame(
        {
            "outcome": [o for o, _ in family],
            "term": [t for _, t in family],
            "p_value": P[actual],
            "p_value_fwer": adjusted,
            "n_assignments": len(labels),
            "family_size": len(family),
        }
    )


def add_family_wise(
    table: pd.DataFrame,
    results=None,
    family: Sequence[tuple[str, str]] | None = None,
    *,
    adjusted: pd.DataFrame | None = None,
    missing: str = "raise",
) -> pd.DataFrame:
    """``table`` (a combined tidy table of ``pilot_effects`` results, with ``outcome``,
    ``term`` and ``headline``) with a column ``p_value_fwer``: the family-wise p-value on
    the headline row of each (outcome, term) in the family, NaN elsewhere (other
    inferences, and headline rows outside the family). Pass the ``results`` the table
    came from (and ``family``), or an already computed ``adjusted`` table of
    :func:`family_wise_p_values`."""
    if adjusted is None:
        adjusted = family_wise_p_values(results, family, missing=missing)
    lookup = {(str(o), str(t)): p for o, t, p in adjusted[["outcome", "term", "p_value_fwer"]].itertuples(index=False)}
    out = table.copy()
    headline = (
        out["headline"].astype(bool)
        if "headline" in out
        else out["inference"].astype(str).eq("randomization_inference")
    )
    keys = list(zip(out["outcome"].astype(str), out["term"].astype(str), strict=True))
    out["p_value_fwer"] = [lookup.get(k, np.nan) if h else np.nan for k, h in zip(keys, headline, strict=True)]
    return out
