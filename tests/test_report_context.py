"""The notebooks' shared context: period, window, data preparation, the effects cache."""

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
        min_count=3,
    )
    assert ctx.window == ("2023-01-01", "2025-12-31")  # the cut date ends it before window_end
    assert ctx.cut_date.date().isoformat() == fx.CUT
    assert ctx.vacancies["published_date"].min() >= ctx.first_day.replace(year=2023, month=1, day=1)
    assert ctx.applications["vacancy_id"].isin(ctx.vacancies["vacancy_id"]).all()
    assert ctx.background_checks["application_id"].isin(ctx.applications["application_id"]).all()
    assert len(ctx.all_tables["vacancies"]) > len(ctx.vacancies)
    assert ctx.thresholds.min_count == 3 and ctx.text("sv", "en") == "en"
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


@pytest.mark.slow
def test_effects_are_computed_once_and_shared(processed, tmp_path):
    """The second notebook asking for an outcome reads the first one's result; a different
    number of draws is a different entry."""
    import shutil

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    ctx = open_period("2025Q4", processed_dir=str(local), bootstrap_reps=99)
    first = sections.effects(ctx, ["late_withdrawal"])
    cached = sorted((local / ".cache").glob("effects-late_withdrawal-*.pkl"))
    assert len(cached) == 1 and not list((local / ".cache").glob("*.lock"))
    stamp = cached[0].stat().st_mtime_ns
    again = sections.effects(open_period("2025Q4", processed_dir=str(local), bootstrap_reps=99), ["late_withdrawal"])
    assert cached[0].stat().st_mtime_ns == stamp
    assert again.tidy().equals(first.tidy())
    assert set(again.details["randomization"]["late_withdrawal"]) == {"during", "after"}
    sections.effects(open_period("2025Q4", processed_dir=str(local), bootstrap_reps=49), ["late_withdrawal"])
    assert len(list((local / ".cache").glob("effects-late_withdrawal-*.pkl"))) == 2


@pytest.mark.slow
def test_outcomes_not_cached_yet_are_built_in_one_pass_with_the_same_numbers(processed, tmp_path, monkeypatch):
    """The summary asks for five outcomes at once: their rows are built by one
    outcome_frames call (the vacancies and applications enriched once), skipping those
    another notebook has cached or is computing (its lock), and each effect is the one
    pilot_effects gives alone."""
    import shutil

    from pilot_eval.estimate import effects as E

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    shutil.rmtree(local / ".cache", ignore_errors=True)
    outcomes = ["late_withdrawal", "offer_acceptance", "days_unfilled_90", "qualified_applicants_per_vacancy"]
    ctx = open_period("2025Q4", processed_dir=str(local), bootstrap_reps=49)
    sections.effects(ctx, [outcomes[2]])  # cached before
    (local / ".cache").mkdir(exist_ok=True)
    busy = sections._cache_path(ctx, "effects", outcomes[3]).with_suffix(".lock")
    busy.touch()  # another notebook computes it
    calls = []
    real = E.outcome_frames

    def spy(tables, cut_date, which=None, *args, **kwargs):
        calls.append(list(which))
        return real(tables, cut_date, which, *args, **kwargs)

    monkeypatch.setattr(E, "outcome_frames", spy)
    together = sections.effects(ctx, outcomes[:3]).tidy()
    assert calls == [outcomes[:2]]
    monkeypatch.undo()
    busy.unlink()
    alone = E.pilot_effects(
        ctx.tables, ctx.cut_date, outcomes=outcomes[:3], window=ctx.window, reps=49, seed=ctx.seed
    ).tidy()
    pd.testing.assert_frame_equal(together, alone)
    given = E.outcome_frames(E.restrict_window(ctx.tables, ctx.window), ctx.cut_date, outcomes[:1])
    partly_given = E.pilot_effects(
        ctx.tables, ctx.cut_date, outcomes=outcomes[:2], window=ctx.window, reps=49, seed=ctx.seed, frames=given
    ).tidy()
    pd.testing.assert_frame_equal(partly_given, alone[alone["outcome"].isin(outcomes[:2])].reset_index(drop=True))


def test_effects_use_the_period_window_and_a_code_change_invalidates_the_cache(processed, tmp_path, monkeypatch):
    """The report's window reaches pilot_effects (its own default would cut elsewhere),
    and an edited estimator (same package version) never reads an old cached result."""
    import shutil

    from pilot_eval.estimate import effects as E

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    ctx = open_period(
        "2025Q4", processed_dir=str(local), window_start="2023-01-01", window_end="2025-06-30", bootstrap_reps=39
    )
    seen = {}
    real = E.pilot_effects

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(E, "pilot_effects", spy)
    sections.effects(ctx, ["late_withdrawal"])
    assert seen["window"] == ("2023-01-01", "2025-06-30") == ctx.window
    key = sections._effect_key(ctx, "late_withdrawal")
    monkeypatch.setattr(sections, "_code_hash", lambda: "edited")
    assert sections._effect_key(ctx, "late_withdrawal") != key


def test_event_studies_share_one_panel_and_give_the_same_numbers(processed):
    from pilot_eval.estimate.effects import event_study

    ctx = open_period("2025Q4", processed_dir=str(processed))
    for outcome in ("late_withdrawal", "days_unfilled_90"):
        shared = sections.event_study(ctx, outcome)
        alone = event_study(ctx.tables, outcome, ctx.cut_date)
        pd.testing.assert_frame_equal(shared.tidy(), alone.tidy())
        assert shared.details["pretrend_p_value"] == alone.details["pretrend_p_value"]
    assert sections.administration_panel(ctx) is sections.administration_panel(ctx)


def test_event_studies_and_the_triple_difference_are_computed_once_per_report(processed, tmp_path, monkeypatch):
    """The time-to-fill, withdrawals and methods pages ask for the same event studies: the
    first computes and keeps each in .cache/, the next reads it (no estimator is called,
    so no scipy is imported for it) and gets the same numbers."""
    import shutil

    from pilot_eval.estimate import effects as E

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    shutil.rmtree(local / ".cache", ignore_errors=True)
    first = sections.event_study(open_period("2025Q4", processed_dir=str(local)), "late_withdrawal")
    triple = sections.triple_difference_table(open_period("2025Q4", processed_dir=str(local), bootstrap_reps=49))
    assert len(list((local / ".cache").glob("event_study-late_withdrawal-*.pkl"))) == 1
    assert len(list((local / ".cache").glob("triple_difference-late_withdrawal-*.pkl"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(E, "event_study", refuse)
    monkeypatch.setattr(E, "triple_difference", refuse)
    ctx = open_period("2025Q4", processed_dir=str(local))
    again = sections.event_study(ctx, "late_withdrawal")
    pd.testing.assert_frame_equal(again.tidy(), first.tidy())
    assert again.details["pretrend_p_value"] == first.details["pretrend_p_value"]
    assert "_cache" not in ctx.__dict__  # the panel was not built either
    pd.testing.assert_frame_equal(
        sections.triple_difference_table(open_period("2025Q4", processed_dir=str(local), bootstrap_reps=49)), triple
    )
    with pytest.raises(AssertionError, match="computed again"):  # other draws: another entry
        sections.triple_difference_table(open_period("2025Q4", processed_dir=str(local), bootstrap_reps=39))
    # another outcome's event study is computed, on the panel the first one left behind
    assert len(list((local / ".cache").glob("panel-administration-*.pkl"))) == 1
    monkeypatch.undo()
    monkeypatch.setattr(sections.M, "build_panel", refuse)
    other = sections.event_study(open_period("2025Q4", processed_dir=str(local)), "days_unfilled_90")
    assert other.details["pretrend_p_value"] >= 0


def test_a_read_only_processed_folder_computes_without_a_cache(processed, tmp_path, monkeypatch):
    import shutil

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    ctx = open_period("2025Q4", processed_dir=str(local))
    shutil.rmtree(local / ".cache", ignore_errors=True)
    (local / ".cache").write_text("not a folder")  # mkdir fails as on a read-only share
    study = sections.event_study(ctx, "days_unfilled_90")
    assert study.details["pretrend_p_value"] >= 0


def test_the_windowed_tables_are_read_once_and_shared_through_the_cache(processed, tmp_path):
    """The first open_period leaves the window's tables in .cache/; the next reads them
    (the same frames as loading the parquet files); a damaged cache file is ignored."""
    import shutil

    local = tmp_path / "processed"
    shutil.copytree(processed, local)
    shutil.rmtree(local / ".cache", ignore_errors=True)
    first = open_period("2025Q4", processed_dir=str(local), window_start="2022-01-01")
    cached = list((local / ".cache").glob("tables-*.pkl"))
    assert len(cached) == 1
    again = open_period("2025Q4", processed_dir=str(local), window_start="2022-01-01")
    for name in first.tables:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])
        pd.testing.assert_frame_equal(again.all_tables[name], first.all_tables[name])
    assert (again.vacancies["published_date"] >= "2022-01-01").all()
    other = open_period("2025Q4", processed_dir=str(local), window_start="2023-01-01")  # another window
    assert len(list((local / ".cache").glob("tables-*.pkl"))) == 2
    assert len(other.vacancies) < len(first.vacancies)
    cached[0].write_bytes(b"not a pickle")
    damaged = open_period("2025Q4", processed_dir=str(local), window_start="2022-01-01")
    pd.testing.assert_frame_equal(damaged.tables["applications"], first.tables["applications"])
