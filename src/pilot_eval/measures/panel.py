"""The estimation panel (administration × role group × period) is analysis data: it lives in
:mod:`pilot_eval.analysis.panel`, re-exported here for the measures' callers."""

from __future__ import annotations

from ..analysis.panel import build_panel

__all__ = ["build_panel"]
