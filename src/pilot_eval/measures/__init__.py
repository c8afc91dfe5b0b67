"""Outcome measures of DESIGN.md §5: tidy tables from the processed tables.

Every function takes processed tables (``pilot_eval.ingest.load_processed``), a cut date
where censoring matters, and ``by=`` grouping columns; it returns a tidy DataFrame with
the group columns first, then the figures, then ``n``. Figures are raw (unprotected):
anything meant for publication goes through :func:`pilot_eval.disclosure.protect`.
"""

from __future__ import annotations

from .common import enrich_applications, enrich_vacancies, period_label, vacancy_pilot_status

__all__ = ["enrich_applications", "enrich_vacancies", "period_label", "vacancy_pilot_status"]
