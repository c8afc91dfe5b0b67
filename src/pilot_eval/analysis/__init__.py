"""Analysis data: the processed tables made ready for measures and estimators.

The layer between ingest and the measures (``tests/test_code_quality.py`` runs
import-linter on the layers declared in ``pyproject.toml``): it reads the processed
tables (:func:`pilot_eval.ingest.load_processed`) and imports nothing above itself.

- :mod:`~pilot_eval.analysis.enrich`: the pilot arm, phase, cohort and period of every
  vacancy (:func:`vacancy_pilot_status`), joined to vacancies and applications;
- :mod:`~pilot_eval.analysis.durations`: how each vacancy's recruitment ended, or is
  censored at the cut date (:func:`fill_durations`);
- :mod:`~pilot_eval.analysis.window`: the vacancies published within the analysis window,
  with their applications and checks (:func:`restrict_window`);
- :mod:`~pilot_eval.analysis.frames`: the analysis rows of each outcome the estimators
  take (:func:`outcome_frames`);
- :mod:`~pilot_eval.analysis.panel`: the unit × period panel (:func:`build_panel`).

:mod:`pilot_eval.measures` and :mod:`pilot_eval.estimate.effects` re-export these names
where their callers have always found them.
"""

from __future__ import annotations

from .durations import CENSORED, COMPETING, FILLED, fill_durations
from .enrich import (
    COMPARISON_ARM,
    PHASES,
    PILOT_ARM,
    enrich_applications,
    enrich_vacancies,
    period_label,
    vacancy_pilot_status,
)
from .frames import OUTCOMES, outcome_data, outcome_frames
from .panel import build_panel
from .window import DEFAULT_WINDOW, restrict_window

__all__ = [
    "CENSORED",
    "COMPARISON_ARM",
    "COMPETING",
    "DEFAULT_WINDOW",
    "FILLED",
    "OUTCOMES",
    "PHASES",
    "PILOT_ARM",
    "build_panel",
    "enrich_applications",
    "enrich_vacancies",
    "fill_durations",
    "outcome_data",
    "outcome_frames",
    "period_label",
    "restrict_window",
    "vacancy_pilot_status",
]
