"""The notebooks' shared context: period, window, data preparation, the report's estimates."""

from __future__ import annotations

import pandas as pd
import pytest
import report_fixtures as fx

from pilot_eval.report import PARAMETERS, notebook_parameters, open_period, parse_period, prepare_data, sections


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"


@pytest.mark.parametrize(
    "period, first, last",
    [
        ("2025Q4", "2025-10-01", "2025-12-31"),
        ("2024H1", "2024-01-01", "2024-06-30"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2023", "2023-01-01", "2023-12-31"),
    ],
)
def test_periods(period, first, last):
    a, b = parse_period(period)
    assert (a.date().isoformat(), b.date().isoformat()) == (first, last)


@pytest.mark.parametrize("bad", ["2025Q5", "Q4 2025", "2025-13", "25Q1", ""])
def test_a_bad_period_says_how_to_write_one(bad):
    with pytest.raises(ValueError, match="write a quarter"):
        parse_period(bad)


def test_notebook_parameters_fill_defaults():
    assert notebook_parameters({"period": "2024Q1", "unrelated": 1}) == {**PARAMETERS, "period": "2024Q1"}


def test_open_period_windows_the_data_and_follows_vacancies(processed):
    ctx = open_period(
        "2025Q4",
        processed_dir=str(processed),
        window_start="2023-01-01",
        window_end="2026-02-28",
        lang="en",
        min_count=7,
    )
    assert ctx.window == ("2023-01-01", "2025-12-31")  # the cut date ends it before window_end
    assert ctx.cut_date.date().isoformat() == fx.CUT
    assert ctx.vacancies["published_date"].min() >= ctx.first_day.replace(year=2023, month=1, day=1)
    assert ctx.applications["vacancy_id"].isin(ctx.vacancies["vacancy_id"]).all()
    assert ctx.background_checks["application_id"].isin(ctx.applications["application_id"]).all()
    assert len(ctx.all_tables["vacancies"]) > len(ctx.vacancies)
    assert ctx.thresholds.min_count == 7 and ctx.text("sv", "en") == "en"
    assert sections.is_demo(ctx)  # the fixture's raw folder has truth.json
    with pytest.raises(ValueError, match="lang must be"):
        open_period("2025Q4", processed_dir=str(processed), lang="de")


def test_prepare_data_refuses_an_empty_processed_dir_without_raw(tmp_path):
    with pytest.raises(ValueError, match="holds no processed data"):
        prepare_data("2025Q4", processed_dir=tmp_path, demo=False)
    with pytest.raises(ValueError, match="not both"):
        prepare_data("2025Q4", raw_dir=tmp_path, demo=True)


def test_prepared_data_is_not_ingested_twice(processed):
    raw = processed.parent / "raw"
    again = prepare_data("2025Q4", raw_dir=raw, processed_dir=processed)
    assert not again.ingested and again.cut_date == fx.CUT


def test_processed_data_of_an_older_ingest_are_ingested_again_or_refused_without_raw(processed, tmp_path):
    """Processed data whose ingest_report.json has an older format lack what the pages read
    (each check's arguments for the data-quality page): with the export, ingested again;
    without it, refused, saying what to do."""
    import json
    import shutil

    old = tmp_path / "processed"
    shutil.copytree(processed, old)
    report = json.loads((old / "ingest_report.json").read_text(encoding="utf-8"))
    del report["format"]
    (old / "ingest_report.json").write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(ValueError, match="older pilot_eval .*ingest the export again"):
        prepare_data("2025Q4", processed_dir=old, demo=False)
    again = prepare_data("2025Q4", raw_dir=processed.parent / "raw", processed_dir=old)
    assert again.ingested and again.ingest_report["format"] >= 2


def test_effects_are_computed_once_per_period_and_shared(processed, monkeypatch):
    """Every section of a notebook reads the period's estimates (ctx.estimates), computed
    once: a second ask computes nothing, and a period with other draws computes its own."""
    from pilot_eval.estimate import effects as E

    ctx = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=99)
    first = sections.effects(ctx, ["late_withdrawal"])
    assert ctx.estimates is ctx.estimates

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(E, "pilot_effects", refuse)
    again = sections.effects(ctx, ["late_withdrawal"])
    assert again.tidy().equals(first.tidy())
    assert set(again.details["randomization"]["late_withdrawal"]) == {"during", "after"}
    with pytest.raises(AssertionError, match="computed again"):
        sections.effects(open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49), ["late_withdrawal"])


@pytest.mark.slow
def test_outcomes_are_built_in_one_pass_with_the_same_numbers(processed, monkeypatch):
    """The estimates build every outcome's rows by one outcome_frames call (the vacancies
    and applications enriched once), and each effect is the one pilot_effects gives alone."""
    from pilot_eval.analysis import frames as F
    from pilot_eval.estimate import effects as E

    outcomes = ["late_withdrawal", "offer_acceptance", "days_unfilled_90", "qualified_applicants_per_vacancy"]
    ctx = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    calls = []
    real = E.outcome_frames

    def spy(tables, cut_date, which=None, *args, **kwargs):
        calls.append(list(which))
        return real(tables, cut_date, which, *args, **kwargs)

    monkeypatch.setattr(E, "outcome_frames", spy)
    monkeypatch.setattr(F, "outcome_frames", spy)  # outcome_data (the triple difference) calls it there
    together = sections.effects(ctx, outcomes[:3]).tidy()
    # every outcome's effect rows in one call; the triple difference builds its own rows
    assert calls == [list(E.OUTCOMES), ["late_withdrawal"]]
    monkeypatch.undo()
    alone = E.pilot_effects(
        ctx.tables, ctx.cut_date, outcomes=outcomes[:3], window=ctx.window, reps=49, seed=ctx.seed
    ).tidy()
    # the family-wise p-values are the report's family's (primary outcomes × terms), not this call's
    pd.testing.assert_frame_equal(together.drop(columns="p_value_fwer"), alone.drop(columns="p_value_fwer"))
    family = ctx.estimates.family.set_index(["outcome", "term"])["p_value_fwer"]
    rows = together.loc[together["headline"] & together["outcome"].eq("late_withdrawal")]
    assert rows.loc[rows["term"] == "during", "p_value_fwer"].tolist() == [family[("late_withdrawal", "during")]]
    assert rows.loc[rows["term"] == "after", "p_value_fwer"].isna().all()
    given = E.outcome_frames(E.restrict_window(ctx.tables, ctx.window), ctx.cut_date, outcomes[:1])
    partly_given = E.pilot_effects(
        ctx.tables, ctx.cut_date, outcomes=outcomes[:2], window=ctx.window, reps=49, seed=ctx.seed, frames=given
    ).tidy()
    pd.testing.assert_frame_equal(partly_given, alone[alone["outcome"].isin(outcomes[:2])].reset_index(drop=True))


def test_effects_use_the_period_window(processed, monkeypatch):
    """The report's window reaches pilot_effects (its own default would cut elsewhere)."""
    from pilot_eval.estimate import effects as E

    ctx = open_period(
        "2025Q4", processed_dir=str(processed), window_start="2023-01-01", window_end="2025-06-30", bootstrap_reps=39
    )
    seen = {}
    real = E.pilot_effects

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(E, "pilot_effects", spy)
    sections.effects(ctx, ["late_withdrawal"])
    assert seen["window"] == ("2023-01-01", "2025-06-30") == ctx.window


def test_event_studies_share_one_panel_and_give_the_same_numbers(processed):
    from pilot_eval.estimate.effects import event_study

    ctx = open_period("2025Q4", processed_dir=str(processed))
    for outcome in ("late_withdrawal", "days_unfilled_90"):
        shared = sections.event_study(ctx, outcome)
        alone = event_study(ctx.tables, outcome, ctx.cut_date)
        pd.testing.assert_frame_equal(shared.tidy(), alone.tidy())
        assert shared.details["pretrend_p_value"] == alone.details["pretrend_p_value"]
    assert sections.administration_panel(ctx) is sections.administration_panel(ctx)


def test_saved_estimates_are_read_not_computed(processed, tmp_path, monkeypatch):
    """A notebook given the report's results_dir reads the saved estimates: no estimator
    and no panel is computed, and every section shows the same numbers as computed."""
    from pilot_eval.estimate import effects as E

    computed = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    saved = computed.estimates.save(tmp_path / "estimates")

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    for name in ("pilot_effects", "outcome_frames", "event_study", "triple_difference"):
        monkeypatch.setattr(E, name, refuse)
    from pilot_eval.estimate import groups, power, robustness, sensitivity

    for module, name in (
        (robustness, "leave_one_out"),
        (robustness, "placebo_in_time"),
        (power, "minimum_detectable_effect"),
        (sensitivity, "honest_did"),
        (sensitivity, "pretrend_test"),
        (groups, "group_effects"),
    ):
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(sections.M, "build_panel", refuse)
    ctx = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49, results_dir=str(saved))
    assert ctx.parameters["results_dir"] == str(saved)
    outcomes = list(sections.SUMMARY_OUTCOMES)
    pd.testing.assert_frame_equal(
        sections.effect_table(sections.effects(ctx, outcomes)),
        sections.effect_table(computed.estimates.effects_of(outcomes)),
    )
    # the pages' robustness and sensitivity tables come from the saved estimates, not recomputed
    for table in (
        sections.pretrend_table,
        sections.sensitivity_table,
        sections.leave_one_out_overview,
        sections.placebo_in_time_overview,
        sections.mde_table,
    ):
        pd.testing.assert_frame_equal(table(ctx), table(computed), obj=table.__name__)
    assert sections.pretrend_p_values(ctx) == {
        o: p for o, p in computed.estimates.pretrends.groupby("outcome", sort=False)["p_value"].first().items()
    }
    monkeypatch.undo()
    pd.testing.assert_frame_equal(sections.triple_difference_table(ctx), sections.triple_difference_table(computed))
    pd.testing.assert_frame_equal(sections.mde_table(ctx), sections.mde_table(computed))


def test_saved_estimates_of_other_data_or_settings_are_refused(processed, tmp_path):
    from pilot_eval.report import stages

    saved = stages.estimate(open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)).save(tmp_path / "e")
    other = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=39, results_dir=str(saved))
    with pytest.raises(ValueError, match="other bootstrap_reps"):
        sections.effects(other, ["late_withdrawal"])
    missing = open_period("2025Q4", processed_dir=str(processed), results_dir=str(tmp_path / "none"))
    with pytest.raises(FileNotFoundError, match="holds no saved estimates"):
        sections.event_study(missing, "late_withdrawal")


def test_the_windowed_tables_are_read_from_the_parquet_files(processed, tmp_path):
    """open_period reads the processed parquet files (load_processed, which verifies their
    sha256) and restricts them to the window; it writes nothing beside them."""
    import shutil

    from pilot_eval.ingest import load_processed

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    before = sorted(p.relative_to(local) for p in local.rglob("*"))
    first = open_period("2025Q4", processed_dir=str(local), window_start="2022-01-01")
    assert sorted(p.relative_to(local) for p in local.rglob("*")) == before
    loaded = load_processed(local)
    for name in first.all_tables:
        pd.testing.assert_frame_equal(first.all_tables[name], loaded[name])
    assert (first.vacancies["published_date"] >= "2022-01-01").all()
    other = open_period("2025Q4", processed_dir=str(local), window_start="2023-01-01")  # another window
    assert len(other.vacancies) < len(first.vacancies)
