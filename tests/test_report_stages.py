"""The report's stages (pilot_eval.report.stages): prepare, estimate (saved as plain files,
read by the notebooks), execute and publish."""

from __future__ import annotations

import json
import math

import nbformat
import numpy as np
import pandas as pd
import pytest
import report_fixtures as fx

from pilot_eval.estimate.base import EstimateResult
from pilot_eval.report import open_period, sections, stages


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"


@pytest.fixture(scope="module")
def computed(processed):
    ctx = stages.prepare("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    return ctx, stages.estimate(ctx)


def assert_same(a, b, where="estimates"):
    """``a`` and ``b`` hold the same values: frames by pd.testing, arrays by dtype, shape and
    values, NaN equal to NaN, this package's objects by their attributes."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif a is pd.NaT:
        assert b is pd.NaT, where
    elif isinstance(a, (float, np.floating)):
        assert (math.isnan(a) and math.isnan(b)) or a == b, f"{where}: {a} != {b}"
    elif type(a).__module__.startswith("pilot_eval") and hasattr(a, "__dict__"):
        assert_same(dict(a.__getstate__()), dict(b.__getstate__()), where)
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_prepare_is_open_period(processed):
    ctx = stages.prepare("2025Q4", processed_dir=str(processed), lang="en")
    other = open_period("2025Q4", processed_dir=str(processed), lang="en")
    assert ctx.window == other.window and ctx.lang == "en" and ctx.results_dir == ""
    assert not ctx.prepared.ingested and ctx.prepared.cut_date == fx.CUT
    for name in ctx.tables:
        pd.testing.assert_frame_equal(ctx.tables[name], other.tables[name])


def test_estimate_holds_what_the_pages_show(computed):
    from pilot_eval.estimate.effects import OUTCOMES, PRIMARY_OUTCOMES

    ctx, est = computed
    primary = list(PRIMARY_OUTCOMES.values())
    assert list(est.effects) == list(OUTCOMES)
    assert est.errors == {}
    assert set(est.event_studies) >= {"days_to_fill", "late_withdrawal", "qualified_applicants_per_vacancy"}
    assert list(est.triple_differences) == ["late_withdrawal"]
    # the minimum detectable effects come from these data: both phases of every primary outcome
    pairs = [(o, t) for o in primary for t in ("during", "after")]
    assert set(zip(est.mde["outcome"], est.mde["phase"], strict=True)) == set(pairs)
    assert (est.mde.loc[est.mde["term"] == "mde_increase", "estimate"] > 0).all()
    # the family: the primary outcomes during the pilot, adjusted together, never below the raw p-value
    assert list(zip(est.family["outcome"], est.family["term"], strict=True)) == [(o, "during") for o in primary]
    assert (est.family["p_value_fwer"] >= est.family["p_value"] - 1e-12).all()
    assert set(est.leave_one_out) == set(est.placebo_in_time) == set(est.sensitivity) == set(primary)
    assert set(est.group_effects) == {"gender", "age_band"}
    assert set(est.pretrends["outcome"]) == set(primary)
    for result in est.sensitivity.values():
        assert set(result.details["breakdown"]) == {"relative_magnitudes", "smoothness"}
    summary = est.effects_of(sections.SUMMARY_OUTCOMES)
    assert list(dict.fromkeys(summary.tidy()["outcome"])) == list(sections.SUMMARY_OUTCOMES)
    assert summary.details["why"] and set(summary.details["randomization"]) == set(sections.SUMMARY_OUTCOMES)
    assert set(summary.details["design"]) == set(sections.SUMMARY_OUTCOMES)
    ri = summary.details["randomization"]["late_withdrawal"]["during"]
    assert ri.plot_data()["count"].sum() == ri.n_assignments == 56
    assert est.settings["bootstrap_reps"] == 49 and est.settings["window"] == list(ctx.window)


def test_effects_of_carries_the_family_wise_p_values_of_the_family_only(computed):
    ctx, est = computed
    t = est.effects_of(["late_withdrawal", "offer_acceptance"]).tidy()
    family = est.family.set_index(["outcome", "term"])["p_value_fwer"]
    headline = t.loc[t["headline"]]
    late = headline.loc[headline["outcome"] == "late_withdrawal"]
    for term, p in zip(late["term"], late["p_value_fwer"], strict=True):
        if term == "during":  # the family is the effects during the pilot
            assert p == family[("late_withdrawal", term)]
        else:
            assert math.isnan(p)
    # not in the family, and not the headline inference: no family-wise p-value
    assert headline.loc[headline["outcome"] == "offer_acceptance", "p_value_fwer"].isna().all()
    assert t.loc[~t["headline"], "p_value_fwer"].isna().all()


@pytest.mark.slow
def test_the_forked_robustness_estimates_equal_those_of_one_process(processed, computed):
    _, forked = computed
    ctx = stages.prepare("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    alone = stages.estimate(ctx, jobs=1)
    for name in ("mde", "family", "pretrends"):
        pd.testing.assert_frame_equal(getattr(alone, name), getattr(forked, name), obj=name)
    for name in ("leave_one_out", "placebo_in_time", "group_effects", "sensitivity"):
        for key, result in getattr(alone, name).items():
            pd.testing.assert_frame_equal(result.tidy(), getattr(forked, name)[key].tidy(), obj=f"{name}[{key}]")


def test_saved_estimates_load_as_computed(computed, tmp_path):
    """The round trip: every table (pd.testing), every detail (arrays with their dtype,
    frames, NaN, the randomization results, the event studies' fitted model) as computed;
    on disk only JSON and parquet files."""
    ctx, est = computed
    folder = est.save(tmp_path / "estimates")
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert {p.suffix for p in files} == {".json", ".parquet"}, files
    json.loads((folder / "estimates.json").read_text(encoding="utf-8"))  # strict JSON: no NaN
    assert "NaN" not in (folder / "estimates.json").read_text(encoding="utf-8")
    loaded = stages.ReportEstimates.load(folder).check(ctx)
    assert_same(vars(est), vars(loaded))
    for outcome, result in est.effects.items():
        pd.testing.assert_frame_equal(loaded.effects[outcome].tidy(), result.tidy())
    ri = loaded.effects_of(["late_withdrawal"]).details["randomization"]["late_withdrawal"]["during"]
    pd.testing.assert_frame_equal(
        ri.plot_data(), est.effects["late_withdrawal"].details["randomization"]["late_withdrawal"]["during"].plot_data()
    )
    again = est.save(folder)  # replaced as a whole
    assert sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file()) == files
    assert not [p for p in folder.parent.iterdir() if p.name != "estimates"]


def test_the_codec_keeps_every_kind_of_value(tmp_path):
    frame = pd.DataFrame(
        {
            "units": [("A", "B"), ("C",), None],
            "flag": [True, np.nan, False],
            "text": ["x", None, "z"],
            "cat": pd.Categorical(["a", "b", "a"]),
            "when": pd.to_datetime(["2025-01-01", None, "2025-03-01"]),
            "y": [1.5, np.nan, -np.inf],
        }
    )
    details = {
        "array": np.array([[1.0, np.nan], [np.inf, -2.0]]),
        "ints": np.arange(3, dtype="int32"),
        "objects": np.array(["a", 1, None], dtype=object),
        "dates": np.array(["2025-01-01", "NaT"], dtype="datetime64[ns]"),
        "scalar": np.float64(0.25),
        "nan": float("nan"),
        "none": None,
        "tuple": (1, "a"),
        "set": frozenset({"KOF", "SOF"}),
        "keys": {1: "one", ("a", 2): [pd.Timestamp("2025-01-01"), pd.NaT]},
        "__dunder": "kept",
        "frame": frame,
        "numbers": pd.DataFrame({0: [1, 2], 1: [3.0, 4.0]}, index=[5, 7]),
        "series": pd.Series([1.0, 2.0], name="s"),
    }
    est = stages.ReportEstimates(
        settings={"seed": 1}, effects={"x": EstimateResult(pd.DataFrame({"estimate": [1.0]}), details=details)}
    )
    loaded = stages.ReportEstimates.load(est.save(tmp_path / "e"))
    assert_same(vars(est), vars(loaded))


def test_the_codec_refuses_what_it_cannot_rebuild(tmp_path):
    class Foreign:
        pass

    est = stages.ReportEstimates(settings={}, effects={"x": EstimateResult(pd.DataFrame(), details={"f": Foreign()})})
    with pytest.raises(TypeError, match="cannot save"):
        est.save(tmp_path / "e")
    assert not (tmp_path / "e").exists() and not list(tmp_path.iterdir())
    folder = stages.ReportEstimates(settings={}, effects={}).save(tmp_path / "ok")
    content = json.loads((folder / "estimates.json").read_text(encoding="utf-8"))
    content["settings"] = {"__object__": "os:system", "state": {}}
    (folder / "estimates.json").write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match="outside pilot_eval"):
        stages.ReportEstimates.load(folder)


def test_each_language_has_its_working_folder_beside_the_reports_folders(tmp_path):
    from pilot_eval.report import render

    assert stages.work_dir(tmp_path, "2025Q4", "en") == tmp_path / ".work" / "2025Q4" / "en"
    assert render.published_dir(tmp_path, "2025Q4", "sv") == tmp_path / "2025Q4" / "sv"
    with pytest.raises(ValueError, match="lang must be"):
        stages.work_dir(tmp_path, "2025Q4", "de")


def _probe_notebook(path):
    """A notebook as the report's are: parameters cell, open_period, the sections."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell('processed_dir = ""\nbootstrap_reps = 999', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import json, sys\n"
            "from pilot_eval import report\n"
            "from pilot_eval.report import sections\n"
            "ctx = report.open_period(**report.notebook_parameters(globals()))\n"
            'effects = sections.effects(ctx, ["late_withdrawal"])\n'
            'study = sections.event_study(ctx, "late_withdrawal")\n'
            "print(json.dumps({'estimates': effects.tidy()['estimate'].tolist(),\n"
            "                  'pretrend': study.details['pretrend_p_value'],\n"
            "                  'did_imported': 'pilot_eval.estimate.did' in sys.modules,\n"
            "                  'statsmodels_imported': 'statsmodels' in sys.modules}))"
        ),
    ]
    nbformat.write(nb, path)
    return path


def _printed(path) -> dict:
    nb = nbformat.read(path, as_version=4)
    return json.loads(nb.cells[-1].outputs[0]["text"])


@pytest.mark.slow
def test_a_notebook_reads_the_saved_estimates_and_alone_computes_the_same(computed, processed, tmp_path):
    """Run with the runner's results_dir, a notebook shows the saved numbers (here altered
    on disk, to tell them from computed ones) and imports no statsmodels; opened alone
    (results_dir "") it computes the same numbers as the estimate stage."""
    import papermill

    ctx, est = computed
    folder = est.save(tmp_path / "estimates")
    table = folder / "tables" / "effects-late_withdrawal-table.parquet"
    assert table.is_file(), sorted(p.name for p in (folder / "tables").iterdir())
    altered = pd.read_parquet(table).assign(estimate=0.125)
    altered.to_parquet(table)
    source = _probe_notebook(tmp_path / "probe.ipynb")
    params = {"processed_dir": str(processed), "bootstrap_reps": 49}
    run = dict(kernel_name="python3", cwd=str(tmp_path), progress_bar=False, log_output=False)
    papermill.execute_notebook(
        source, tmp_path / "read.ipynb", parameters={**params, "results_dir": str(folder)}, **run
    )
    papermill.execute_notebook(source, tmp_path / "alone.ipynb", parameters=params, **run)
    read, alone = _printed(tmp_path / "read.ipynb"), _printed(tmp_path / "alone.ipynb")
    assert read["estimates"] == [0.125] * len(altered)
    assert not read["statsmodels_imported"]
    assert alone["estimates"] == est.effects["late_withdrawal"].tidy()["estimate"].tolist()
    assert read["pretrend"] == alone["pretrend"] == est.event_study("late_withdrawal").details["pretrend_p_value"]


def test_an_estimate_that_fails_is_left_to_the_page_that_shows_it(processed, tmp_path, monkeypatch):
    """One estimator failing does not stop the stage: its error is kept (and saved), the
    other estimates are there, and the section that shows it fails with the estimator's
    own error (so that only that notebook fails, at its cell)."""
    from pilot_eval.estimate import effects as E

    real = E.pilot_effects

    def broken_effects(*args, outcomes, **kwargs):
        if "late_withdrawal" in outcomes:
            raise ValueError("no interviews in the window")
        return real(*args, outcomes=outcomes, **kwargs)

    def broken(*args, **kwargs):
        raise ValueError("no child-facing roles")

    monkeypatch.setattr(E, "pilot_effects", broken_effects)
    monkeypatch.setattr(E, "triple_difference", broken)
    ctx = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    est = stages.estimate(ctx, event_studies=["late_withdrawal"])
    assert est.errors == {
        "effects/late_withdrawal": "ValueError: no interviews in the window",
        "triple_differences/late_withdrawal": "ValueError: no child-facing roles",
    }
    assert "late_withdrawal" not in est.effects and "offer_acceptance" in est.effects
    loaded = stages.ReportEstimates.load(est.save(tmp_path / "e"))
    assert loaded.errors == est.errors
    read = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49, results_dir=str(tmp_path / "e"))
    assert len(sections.effects(read, ["offer_acceptance"]).tidy())
    with pytest.raises(ValueError, match="no interviews in the window"):
        sections.effects(read, ["late_withdrawal", "offer_acceptance"])
    with pytest.raises(ValueError, match="no child-facing roles"):
        sections.triple_difference_table(read)
