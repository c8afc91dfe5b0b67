"""Causal effects of the pilot (DESIGN.md §6): estimators with honest uncertainty for 3
treated of 8 administrations. Every result has ``tidy()`` with the columns of
:data:`pilot_eval.estimate.base.TIDY_COLUMNS`."""

from __future__ import annotations

from .base import TIDY_COLUMNS, EstimateResult, tidy_frame

__all__ = ["TIDY_COLUMNS", "EstimateResult", "tidy_frame"]
