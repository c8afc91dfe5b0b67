"""The analysis-data layer: the window, its re-exports, and that the estimators' rows are
the same whether applications follow their vacancies into the window or not."""

from __future__ import annotations

import pandas as pd
import pytest

from pilot_eval import analysis, measures
from pilot_eval.analysis import DEFAULT_WINDOW, outcome_frames, restrict_window
from pilot_eval.demo import generate


def _tables() -> dict[str, pd.DataFrame]:
    vacancies = pd.DataFrame(
        {
            "vacancy_id": ["V1", "V2", "V3"],
            "published_date": pd.to_datetime(["2020-12-31", "2021-06-01", "2026-03-01"]),
        }
    )
    applications = pd.DataFrame({"application_id": ["A1", "A2", "A3", "A4"], "vacancy_id": ["V1", "V2", "V2", "V3"]})
    checks = pd.DataFrame({"check_id": ["C1", "C2", "C3"], "application_id": ["A1", "A3", "A4"]})
    rollout = pd.DataFrame({"administration": ["UBF"], "scope": ["new_hires"]})
    return {"vacancies": vacancies, "applications": applications, "background_checks": checks, "pilot_rollout": rollout}


def test_applications_and_checks_follow_their_vacancies_into_the_window():
    tables = _tables()
    kept = restrict_window(tables, ("2021-01-01", "2026-02-28"))
    assert kept["vacancies"]["vacancy_id"].tolist() == ["V2"]
    assert kept["applications"]["application_id"].tolist() == ["A2", "A3"]  # not A1 (V1) nor A4 (V3)
    assert kept["background_checks"]["check_id"].tolist() == ["C2"]
    assert kept["pilot_rollout"] is tables["pilot_rollout"]  # the other tables are kept whole
    assert kept["applications"].index.tolist() == [1, 2]  # rows as they were, not renumbered


def test_a_window_open_at_either_end_and_no_window():
    tables = _tables()
    assert restrict_window(tables, None) is tables
    assert restrict_window(tables, (None, "2021-06-01"))["applications"]["application_id"].tolist() == [
        "A1",
        "A2",
        "A3",
    ]
    assert restrict_window(tables, ("2021-01-01", None))["background_checks"]["check_id"].tolist() == ["C2", "C3"]
    only_vacancies = {"vacancies": tables["vacancies"]}
    assert list(restrict_window(only_vacancies, DEFAULT_WINDOW)) == ["vacancies"]


def test_callers_find_the_analysis_data_where_they_always_did():
    from pilot_eval import estimate
    from pilot_eval.estimate import effects
    from pilot_eval.measures import common, durations, panel

    assert measures.build_panel is panel.build_panel is analysis.build_panel
    assert common.enrich_vacancies is measures.enrich_vacancies is analysis.enrich_vacancies
    assert common.vacancy_pilot_status is analysis.vacancy_pilot_status
    assert durations.fill_durations is analysis.fill_durations and durations.FILLED == analysis.FILLED
    assert effects.restrict_window is estimate.restrict_window is restrict_window
    assert effects.outcome_frames is estimate.outcome_frames is outcome_frames
    assert effects.OUTCOMES is analysis.OUTCOMES and effects.DEFAULT_WINDOW == DEFAULT_WINDOW


@pytest.fixture(scope="module")
def demo():
    export = generate(seed=5, scale=0.3)
    return export.tables, export.truth["cut_date"]


def test_the_estimators_rows_are_those_of_the_vacancies_in_the_window(demo):
    """outcome_frames always kept only the applications and checks of the vacancies it
    was given: with them following into the window, every outcome's rows are the same."""
    tables, cut = demo
    window = ("2021-06-01", "2025-09-30")
    published = tables["vacancies"]["published_date"]
    keep = (published >= pd.Timestamp(window[0])) & (published <= pd.Timestamp(window[1]))
    vacancies_only = {**tables, "vacancies": tables["vacancies"].loc[keep]}
    windowed = restrict_window(tables, window)
    assert len(windowed["applications"]) < len(tables["applications"])
    before, after = outcome_frames(vacancies_only, cut), outcome_frames(windowed, cut)
    for outcome in analysis.OUTCOMES:
        pd.testing.assert_frame_equal(after[outcome], before[outcome], obj=outcome)
