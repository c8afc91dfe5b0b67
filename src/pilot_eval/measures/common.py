"""What every measure shares: grouping into tidy tables, and the enrichment it groups by.

The pilot arm, phase and period columns (:func:`enrich_vacancies`,
:func:`enrich_applications`, :func:`vacancy_pilot_status`) are analysis data, made in
:mod:`pilot_eval.analysis.enrich`; they are re-exported here for the measures and their
callers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .. import periods
from ..analysis.enrich import (
    COMPARISON_ARM,
    PHASES,
    PILOT_ARM,
    VACANCY_COLUMNS,
    enrich_applications,
    enrich_vacancies,
    period_label,
    vacancy_pilot_status,
)

__all__ = [
    "COMPARISON_ARM",
    "PERIODS",
    "PHASES",
    "PILOT_ARM",
    "as_by",
    "enrich_applications",
    "enrich_vacancies",
    "group_index",
    "grouped",
    "period_label",
    "vacancy_pilot_status",
]

PERIODS = periods.FREQUENCIES
_VACANCY_COLUMNS = VACANCY_COLUMNS  # the name measures.funnel imports


def as_by(by: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by=`` argument to a list of column names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def grouped(
    frame: pd.DataFrame, by: Sequence[str], compute: Callable[[pd.DataFrame], dict], n_column: str = "n"
) -> pd.DataFrame:
    """Apply ``compute`` (a sub-frame → dict of figures, including ``n_column``) to each
    group and return a tidy table: the group columns first, then the figures, then
    ``n_column``. With no ``by``, one row for everything. Empty groups of categorical
    columns are left out (observed=True)."""
    by = list(by)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise KeyError(
            f"cannot group by {', '.join(missing)}: not a column here (available: {', '.join(map(str, frame.columns))})"
        )
    rows = []
    if by:
        for key, sub in frame.groupby(by, observed=True, sort=True, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(by, key, strict=True)), **compute(sub)})
    else:
        rows.append(compute(frame))
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    figures = [c for c in out.columns if c not in by and c != n_column]
    return out[by + figures + ([n_column] if n_column in out.columns else [])].reset_index(drop=True)


def group_index(frame: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The groups of ``frame`` by ``by`` exactly as :func:`grouped` forms them (sorted,
    observed categories only, a missing key is a group of its own, key columns typed as
    :func:`grouped` types them: categorical keys as plain values) and each row's group
    number, for measures that compute their figures for all groups at once.

    With no ``by``: one group (an empty key frame of one row).
    """
    by = list(by)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise KeyError(
            f"cannot group by {', '.join(missing)}: not a column here (available: {', '.join(map(str, frame.columns))})"
        )
    if not by:
        return pd.DataFrame(index=pd.RangeIndex(1)), np.zeros(len(frame), dtype=np.int64)
    g = frame.groupby(by, observed=True, sort=True, dropna=False)
    gid = g.ngroup().to_numpy(dtype=np.int64)
    index = g.size().index
    records = [dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)) for key in index]
    keys = pd.DataFrame(records, columns=by) if records else frame[by].iloc[:0].reset_index(drop=True)
    return keys, gid
