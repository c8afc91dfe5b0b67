"""The result shape every estimator shares (docs/estimation.md).

Every estimate is a tidy table with the columns of :data:`TIDY_COLUMNS` (plus index
columns such as ``event_time`` or ``cohort`` where an estimator has them). Result
objects follow pyfixest's habit: :meth:`EstimateResult.tidy` is the primary DataFrame and
``coef()``, ``se()``, ``confint()`` are views of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["TIDY_COLUMNS", "EstimateResult", "tidy_frame"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "n", "method", "inference"]


def tidy_frame(rows: list[dict] | pd.DataFrame, index_columns: list[str] | None = None) -> pd.DataFrame:
    """Order (and complete) columns as the tidy contract says: index columns, then
    :data:`TIDY_COLUMNS`, then anything else. Missing tidy columns are filled with NaN."""
    frame = pd.DataFrame(rows)
    for col in TIDY_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.NA if col in ("method", "inference", "term") else float("nan")
    index_columns = [c for c in (index_columns or []) if c in frame.columns]
    rest = [c for c in frame.columns if c not in TIDY_COLUMNS and c not in index_columns]
    return frame[index_columns + TIDY_COLUMNS + rest].reset_index(drop=True)


@dataclass
class EstimateResult:
    """A fitted estimate: ``tidy()`` plus views and free-form details for notebooks."""

    table: pd.DataFrame
    details: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def coef(self) -> pd.Series:
        return self.table.set_index("term")["estimate"]

    def se(self) -> pd.Series:
        return self.table.set_index("term")["std_error"]

    def confint(self) -> pd.DataFrame:
        return self.table.set_index("term")[["conf_low", "conf_high"]]

    def _repr_html_(self) -> str:  # renders as a table in Jupyter
        return self.table._repr_html_()
