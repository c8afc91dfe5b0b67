"""The disclosure thresholds are floors (issue 16, item 3): ``min_count`` ≥ 5,
``min_denominator`` ≥ 10, ``min_n`` ≥ 10 and the check-outcome rules of docs/disclosure.md
(≥ 10 checks, ≥ 5 per outcome) may be raised, never lowered, by a parameter, a params
file, a notebook's default or a caller of the disclosure functions."""

from __future__ import annotations

import dataclasses
import json
import re
import types

import pandas as pd
import pytest
import report_fixtures as fx

from pilot_eval import cli
from pilot_eval.disclosure import Thresholds, protect, protect_check_outcomes, publish
from pilot_eval.disclosure.rules import FLOORS
from pilot_eval.report import context, parameters, runner

OUTCOMES = ["cleared", "remark_no_obstacle", "remark_obstacle"]


def floor_message(name: str, value, floor) -> str:
    return re.escape(
        f"{name}={value} is below its floor of {floor} (docs/disclosure.md §3): "
        "disclosure thresholds may be raised, never lowered"
    )


@pytest.fixture
def no_params_dir(tmp_path, monkeypatch):
    """params/ is empty: the repository's example params/2025Q4.yaml does not apply."""
    monkeypatch.setattr(parameters, "PARAMS_DIR", tmp_path / "params")
    return tmp_path / "params"


@pytest.fixture
def no_data_work(monkeypatch):
    """Fail loudly if the report got as far as preparing data: every refusal here must come first."""

    def prepare(*args, **kwargs):
        raise AssertionError("the data were prepared although a threshold was below its floor")

    monkeypatch.setattr(context, "prepare_data", prepare)
    monkeypatch.setattr(runner.stages, "prepare", prepare)


def _notebook(path, source: str, *, tagged: bool = True):
    """A minimal notebook whose first cell is ``source`` (tagged ``parameters``)."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "params",
                "metadata": {"tags": ["parameters"] if tagged else []},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            },
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "open",
                "metadata": {},
                "outputs": [],
                "source": ["ctx = report.open_period(**report.notebook_parameters(globals()))"],
            },
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the one definition


def test_the_floors_are_design_s_and_the_defaults():
    assert dict(FLOORS) == {
        "min_count": 5,
        "min_denominator": 10,
        "min_duration_n": 10,
        "min_check_total": 10,
        "min_check_category": 5,
        "protection_width": 1,
    }
    assert dataclasses.asdict(Thresholds()) == dict(FLOORS)
    floors = {p.name: p.floor for p in parameters.DEFINITION if p.floor is not None}
    assert floors == {"min_count": 5, "min_denominator": 10, "min_n": 10}
    assert all(parameters.PARAMETERS[name] == floor for name, floor in floors.items())
    with pytest.raises(ValueError, match="default 3 is below its floor 5"):
        parameters.Parameter("min_x", 3, "whole number", "a threshold", floor=5)


# ---------------------------------------------------------------- Thresholds itself


@pytest.mark.parametrize(("name", "value"), [(k, v - 1) for k, v in FLOORS.items()] + [("min_count", 4.5)])
def test_thresholds_below_a_floor_are_refused(name, value):
    with pytest.raises(ValueError, match="Thresholds: " + floor_message(name, value, FLOORS[name])):
        Thresholds(**{name: value})


def test_thresholds_refuse_nan_and_what_is_no_number():
    with pytest.raises(ValueError, match="min_count=nan is below its floor"):
        Thresholds(min_count=float("nan"))
    with pytest.raises(TypeError, match="min_denominator must be a number, not '3'"):
        Thresholds(min_denominator="3")
    with pytest.raises(TypeError, match="must be a number, not True"):
        Thresholds(min_check_category=True)


def test_higher_thresholds_are_allowed_and_none_can_be_lowered_afterwards():
    strict = Thresholds(min_count=6, min_denominator=20, min_duration_n=11, min_check_total=15, min_check_category=6)
    assert strict.min_count == 6 and strict.min_check_total == 15
    with pytest.raises(dataclasses.FrozenInstanceError):
        strict.min_count = 1
    with pytest.raises(ValueError, match=floor_message("min_count", 1, 5)):
        dataclasses.replace(strict, min_count=1)


def test_protect_takes_only_thresholds_that_were_checked():
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n": [3, 30]})
    assert protect(t, totals=None).flags["n"].tolist() == ["small_count", ""]
    assert protect(t, totals=None, thresholds=Thresholds(min_count=40)).flags["n"].tolist() == ["small_count"] * 2
    lax = types.SimpleNamespace(**{**FLOORS, "min_count": 1})  # the same attributes, not checked
    with pytest.raises(TypeError, match="thresholds must be a pilot_eval.disclosure.Thresholds"):
        protect(t, totals=None, thresholds=lax)
    with pytest.raises(TypeError, match="thresholds must be"):
        publish(t, totals=None, thresholds={"min_count": 1})
    with pytest.raises(TypeError, match="thresholds must be"):
        protect_check_outcomes(pd.DataFrame({"outcome": OUTCOMES, "n": [50, 10, 4]}), thresholds=lax)


# ---------------------------------------------------------------- check outcomes


def test_no_option_of_protect_check_outcomes_publishes_a_category_of_4():
    t = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 4]})
    withheld = ["check_outcome"] * 3
    assert protect_check_outcomes(t).flags["n"].tolist() == withheld
    assert protect_check_outcomes(t, totals=None).flags["n"].tolist() == withheld
    # categories= can add a category a level must have, not exempt one the table shows
    assert protect_check_outcomes(t, categories=["cleared"]).flags["n"].tolist() == withheld
    assert protect_check_outcomes(t, categories=["cleared", "remark_no_obstacle"]).flags["n"].tolist() == withheld
    # ... and a category it adds counts as 0 where the table lacks it
    ok = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 6]})
    assert protect_check_outcomes(ok).flags["n"].tolist() == [""] * 3
    assert protect_check_outcomes(ok, categories=["withdrawn"]).flags["n"].tolist() == withheld
    with pytest.raises(ValueError, match=floor_message("min_check_category", 4, 5)):
        protect_check_outcomes(t, thresholds=Thresholds(min_check_category=4))
    with pytest.raises(ValueError, match=floor_message("min_check_total", 9, 10)):
        protect_check_outcomes(t, thresholds=Thresholds(min_check_total=9))
    # stricter is allowed: 6 in every category but only 418 checks of 500 asked for
    strict = Thresholds(min_check_total=500)
    assert protect_check_outcomes(ok, thresholds=strict).flags["n"].tolist() == withheld


def test_the_rule_cannot_be_pointed_at_another_count_column():
    # the real counts in n, a column that passes the rule given as the count column
    t = pd.DataFrame({"outcome": OUTCOMES, "n": [400, 12, 4], "n_dummy": [100, 100, 100]})
    with pytest.raises(ValueError, match=r"count columns besides count_column 'n_dummy': 'n'"):
        protect_check_outcomes(t, count_column="n_dummy")
    with pytest.raises(ValueError, match=r"besides count_column 'n': 'n_dummy'"):
        protect_check_outcomes(t)


# ---------------------------------------------------------------- report parameters


@pytest.mark.parametrize(
    ("name", "value", "floor"), [("min_count", 1, 5), ("min_denominator", 9, 10), ("min_n", 9, 10)]
)
def test_a_parameter_below_its_floor_is_refused(name, value, floor, no_params_dir):
    with pytest.raises(ValueError, match="--param: " + floor_message(name, value, floor)):
        parameters.resolve_parameters("2025Q4", overrides={name: str(value)})


def test_a_parameter_above_its_floor_is_allowed(no_params_dir):
    got = parameters.resolve_parameters("2025Q4", overrides={"min_count": "6", "min_denominator": "10", "min_n": "25"})
    assert (got["min_count"], got["min_denominator"], got["min_n"]) == (6, 10, 25)


def test_a_params_file_below_a_floor_is_refused_even_when_the_command_line_raises_it(tmp_path, no_params_dir):
    params_file = tmp_path / "p.yaml"
    params_file.write_text("seed: 7\nmin_count: 1\n", encoding="utf-8")
    message = re.escape(str(params_file)) + ": " + floor_message("min_count", 1, 5)
    with pytest.raises(ValueError, match=message):
        parameters.resolve_parameters("2025Q4", params_file=params_file)
    with pytest.raises(ValueError, match=message):
        parameters.resolve_parameters("2025Q4", params_file=params_file, overrides={"min_count": "5"})
    # the period's own file, read without --params-file
    no_params_dir.mkdir()
    (no_params_dir / "2025Q3.yaml").write_text("min_n: 4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"2025Q3\.yaml: " + floor_message("min_n", 4, 10)):
        parameters.resolve_parameters("2025Q3")
    (no_params_dir / "2025Q3.yaml").write_text("min_n: 40\n", encoding="utf-8")
    assert parameters.resolve_parameters("2025Q3")["min_n"] == 40


def test_the_cli_refuses_a_low_param_with_exit_2_before_anything_is_written(
    tmp_path, capsys, no_params_dir, no_data_work
):
    out = tmp_path / "reports"
    code = cli.main(["report", "--period", "2025Q4", "--demo", "--out", str(out), "--param", "min_count=1"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("pilot-eval report: ERROR: --param: ")
    assert re.search(floor_message("min_count", 1, 5), err)
    assert not out.exists()


def test_the_cli_refuses_a_low_params_file_with_exit_2(tmp_path, capsys, no_params_dir, no_data_work):
    params_file = tmp_path / "p.yaml"
    params_file.write_text("min_denominator: 9\n", encoding="utf-8")
    out = tmp_path / "reports"
    argv = ["report", "--period", "2025Q4", "--demo", "--out", str(out), "--params-file", str(params_file)]
    assert cli.main(argv) == 2
    assert re.search(floor_message("min_denominator", 9, 10), capsys.readouterr().err)
    assert not out.exists()


def test_the_readmes_say_the_thresholds_are_floors():
    params_table = parameters.readme_table("params")
    assert "| `min_count`, `min_denominator`, `min_n` | 5, 10, 10 |" in params_table
    assert "floors 5, 10, 10: may be raised, never lowered" in params_table
    notebooks_table = parameters.readme_table("notebooks")
    assert re.search(r"\| `min_count` \| 5 \| .*floor 5: may be raised, never lowered", notebooks_table)
    assert "floor" not in parameters.parameters_cell()  # the notebooks' cell is unchanged


# ---------------------------------------------------------------- notebook defaults


def test_a_notebook_default_below_a_floor_is_refused_by_the_runner(tmp_path, no_params_dir, no_data_work):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(folder / "01_ok.ipynb", parameters.parameters_cell())
    low = parameters.parameters_cell().replace("min_n = 10", "min_n = 3")
    assert low != parameters.parameters_cell()
    bad = _notebook(folder / "02_mine.ipynb", low)
    out = tmp_path / "reports"
    with pytest.raises(ValueError, match=re.escape(f"{bad}, parameters cell: ") + floor_message("min_n", 3, 10)):
        runner.run_report("2025Q4", demo=True, out_dir=out, notebooks_dir=folder, quiet=True)
    assert not out.exists()
    # the CLI: exit 2, naming the notebook, the parameter and its floor
    argv = ["report", "--period", "2025Q4", "--demo", "--out", str(out), "--notebooks", str(folder)]
    assert cli.main(argv) == 2
    assert not out.exists()


def test_the_runner_s_notebook_check_reads_only_the_parameters_cell_s_literals(tmp_path):
    check = parameters.check_notebook_floors
    check(_notebook(tmp_path / "a.ipynb", "min_count = 6\nmin_denominator: int = 12\n"))  # higher: fine
    check(_notebook(tmp_path / "b.ipynb", "min_count = 1\n", tagged=False))  # no parameters cell
    check(_notebook(tmp_path / "c.ipynb", "min_count = int('1')\n"))  # no literal: open_period checks it
    with pytest.raises(ValueError, match=floor_message("min_denominator", 2, 10)):
        check(_notebook(tmp_path / "d.ipynb", "min_count = 5\nmin_denominator: int = 2\n"))
    with pytest.raises(ValueError, match=floor_message("min_count", 4, 5)):
        check(_notebook(tmp_path / "e.ipynb", "lang = 'en'; min_count = 4  # mine\n"))
    for folder in (fx.OK, fx.FAILING):  # the fixture notebooks pass
        for path in folder.glob("*.ipynb"):
            check(path)


def test_the_project_s_notebooks_pass_the_check():
    from pilot_eval import paths

    notebooks = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        parameters.check_notebook_floors(path)


@pytest.mark.parametrize(
    ("name", "value", "floor"), [("min_count", 1, 5), ("min_denominator", 9, 10), ("min_n", 9, 10)]
)
def test_open_period_refuses_a_notebook_default_below_a_floor_before_reading_data(name, value, floor, no_data_work):
    # a notebook opened alone in JupyterLab: its own parameters cell set the value
    namespace = {**parameters.PARAMETERS, name: value}
    with pytest.raises(ValueError, match="open_period: " + floor_message(name, value, floor)):
        context.open_period(**parameters.notebook_parameters(namespace))
    with pytest.raises(ValueError, match="open_period: " + floor_message(name, str(value), floor)):
        context.open_period("2025Q4", **{name: str(value)})
