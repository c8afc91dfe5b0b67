"""Outcome measures (docs/measures.md): tidy tables from the processed tables.

Every function takes processed tables (``pilot_eval.ingest.load_processed``), a cut date
where censoring matters, and ``by=`` grouping columns; it returns a tidy DataFrame with
the group columns first, then the figures, then ``n``. Figures are raw (unprotected):
anything meant for publication goes through :func:`pilot_eval.disclosure.protect`.
"""

from __future__ import annotations

from .common import (
    enrich_applications,
    enrich_vacancies,
    period_label,
    vacancy_pilot_status,
)
from .coverage import PilotCoverage, pilot_coverage
from .durations import (
    check_turnaround,
    cumulative_incidence,
    hire_dates,
    km_curves,
    time_to_fill,
    time_to_fill_restricted,
    time_to_hire,
)
from .funnel import (
    MEASURE_DIRECTION,
    NOT_RECORDED,
    competence_supply,
    equality,
    late_withdrawal_rate,
    offers,
    staffing_measures,
    withdrawal_reasons,
    withdrawals,
)
from .panel import build_panel
from .survival import KaplanMeierCurves, kaplan_meier

__all__ = [
    "MEASURE_DIRECTION",
    "NOT_RECORDED",
    "KaplanMeierCurves",
    "PilotCoverage",
    "build_panel",
    "check_turnaround",
    "competence_supply",
    "cumulative_incidence",
    "enrich_applications",
    "enrich_vacancies",
    "equality",
    "hire_dates",
    "kaplan_meier",
    "km_curves",
    "late_withdrawal_rate",
    "offers",
    "period_label",
    "pilot_coverage",
    "staffing_measures",
    "time_to_fill",
    "time_to_fill_restricted",
    "time_to_hire",
    "vacancy_pilot_status",
    "withdrawal_reasons",
    "withdrawals",
]
