"""The report parameters' one definition (pilot_eval.report.parameters) and what derives from it:
PARAMETERS, open_period's keyword arguments, the notebooks' parameters cell, the READMEs' tables."""

from __future__ import annotations

import ast
import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import report_fixtures as fx

from pilot_eval import paths, report
from pilot_eval.report import context, parameters, runner
from pilot_eval.report.parameters import DEFINITION, PARAMETERS, Parameter


def test_the_definition_gives_parameters_in_order_with_their_types():
    assert list(PARAMETERS) == [p.name for p in DEFINITION]
    assert report.PARAMETERS is PARAMETERS and context.PARAMETERS is PARAMETERS
    assert list(PARAMETERS)[:5] == ["period", "processed_dir", "raw_dir", "results_dir", "cut_date"]
    assert PARAMETERS["results_dir"] == ""
    for p in DEFINITION:
        assert isinstance(p.default, p.type) and p.meaning and "\n" not in p.meaning
    assert {p.name for p in DEFINITION if p.type is int} == {
        "min_count",
        "min_denominator",
        "min_n",
        "bootstrap_reps",
        "seed",
    }
    assert PARAMETERS["window_start"] == context.WINDOW_START and PARAMETERS["window_end"] == context.WINDOW_END


def test_a_parameter_s_default_must_fit_its_kind():
    with pytest.raises(TypeError, match="not a int"):
        Parameter("n", "5", "whole number", "a count")
    with pytest.raises(ValueError, match="kind 'number' is not one of"):
        Parameter("n", 5, "number", "a count")


def test_the_parameters_cell_assigns_every_default_as_a_literal_as_ruff_formats_it():
    cell = parameters.parameters_cell()
    lines = cell.splitlines()
    assert lines[0] == parameters.CELL_COMMENT and not cell.endswith("\n")
    values = {}
    for node in ast.parse(cell).body:
        assert isinstance(node, ast.Assign)
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == PARAMETERS
    assert all(line.count("  # ") == 1 for line in lines[1:])  # one comment per line, two spaces before it
    assert lines[1] == 'period = "2025Q4"  # report period: 2025Q4, 2025H2, 2025-12 or 2025'
    # the notebooks are formatted by ruff: the generated cell must be a fixed point of ruff format
    ruff = Path(sys.executable).parent / "ruff"
    formatted = subprocess.run(
        [str(ruff), "format", "--isolated", "--line-length", "120", "-"],
        input=cell + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert formatted == cell + "\n"


def _parameters_source(path) -> str | None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    return "".join(cells[0]["source"]) if cells else None


def test_the_fixture_notebooks_with_every_parameter_have_the_definition_s_cell():
    folders = (fx.OK, fx.FAILING, fx.LEDGER)
    sources = {p.name: _parameters_source(p) for folder in folders for p in folder.glob("*.ipynb")}
    assert len(sources) == 9
    assert all(s == parameters.parameters_cell() for s in sources.values()), sources


def test_write_notebooks_rewrites_only_the_parameters_cell(tmp_path):
    for path in paths.NOTEBOOKS_DIR.glob("0[01]_*.ipynb"):
        shutil.copy(path, tmp_path)
    (tmp_path / "no_parameters.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n",
        encoding="utf-8",
    )
    assert parameters.write_notebooks(tmp_path) == []  # already the definition's cell: nothing written
    target = sorted(tmp_path.glob("00_*.ipynb"))[0]
    before = json.loads(target.read_text(encoding="utf-8"))
    cell = next(c for c in before["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = ['period = "2024Q1"\n', "seed = 1"]
    target.write_text(json.dumps(before, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert parameters.write_notebooks(tmp_path) == [target]
    after = json.loads(target.read_text(encoding="utf-8"))
    assert _parameters_source(target) == parameters.parameters_cell()
    original = json.loads((paths.NOTEBOOKS_DIR / target.name).read_text(encoding="utf-8"))
    assert after == original  # ids, tags, the other cells and the metadata as they were


def test_the_readmes_tables_are_the_generated_ones():
    for path, name in (
        (paths.PROJECT_ROOT / "params" / "README.md", "params"),
        (paths.NOTEBOOKS_DIR / "README.md", "notebooks"),
    ):
        tables = parameters.readme_tables(path.read_text(encoding="utf-8"))
        assert tables == [(name, parameters.readme_table(name))], (
            f"{path}: rewrite its table with python -m pilot_eval.report.parameters --readme {path.name}"
        )


def test_the_params_readme_table_shares_rows_and_names_every_parameter():
    table = parameters.readme_table("params")
    assert "| `window_start`, `window_end` | `2021-01-01`, `2026-02-28` |" in table
    assert "| `min_count`, `min_denominator`, `min_n` | 5, 10, 10 | disclosure thresholds" in table
    assert "| `period` | the `--period` given |" in table
    assert all(f"`{name}`" in table for name in PARAMETERS)
    with pytest.raises(ValueError, match="not one of params, notebooks"):
        parameters.readme_table("cli")


def test_write_readme_replaces_the_tables_between_the_markers(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(
        "# x\n\n<!-- parameters table: notebooks -->\n| old |\n<!-- end of parameters table -->\n\nafter\n",
        encoding="utf-8",
    )
    assert parameters.write_readme(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n<!-- parameters table: notebooks -->\n| name | default | meaning |\n")
    assert text.endswith("<!-- end of parameters table -->\n\nafter\n") and "| old |" not in text
    assert not parameters.write_readme(path)  # up to date: not written
    path.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no line '<!-- parameters table: NAME -->'"):
        parameters.write_readme(path)
    path.write_text("<!-- parameters table: params -->\n| old |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no line '<!-- end of parameters table -->'"):
        parameters.write_readme(path)


def test_the_command_prints_the_table_and_the_cell(capsys):
    assert parameters.main(["--readme"]) == 0
    assert capsys.readouterr().out == parameters.readme_table("params")
    assert parameters.main(["--cell"]) == 0
    assert capsys.readouterr().out == parameters.parameters_cell() + "\n"
    with pytest.raises(SystemExit):
        parameters.main([])


def test_the_command_writes_notebooks_and_readmes(tmp_path, capsys):
    shutil.copy(fx.FAILING / "03_fel.ipynb", tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text("<!-- parameters table: params -->\n<!-- end of parameters table -->\n", encoding="utf-8")
    assert parameters.main(["--write-notebooks", str(tmp_path), "--readme", str(readme)]) == 0
    assert capsys.readouterr().out == f"wrote {readme}\n"  # the fixture's cell is already the definition's
    assert parameters.readme_tables(readme.read_text(encoding="utf-8")) == [
        ("params", parameters.readme_table("params"))
    ]
    assert parameters.main(["--readme", str(tmp_path / "missing.md")]) == 2


def test_with_defaults_fills_in_order_and_names_the_valid_ones():
    got = parameters.with_defaults({"seed": 7, "period": "2024Q1"}, "here")
    assert list(got) == list(PARAMETERS) and got["seed"] == 7 and got["period"] == "2024Q1"
    with pytest.raises(ValueError, match=r"^here: unknown parameter 'sed'; the parameters are period, .*, seed$"):
        parameters.with_defaults({"sed": 7}, "here")


def test_open_period_takes_the_definition_s_names(monkeypatch):
    sig = inspect.signature(report.open_period)
    assert list(sig.parameters) == list(PARAMETERS)
    assert {k: v.default for k, v in sig.parameters.items()} == PARAMETERS
    assert sig.parameters["period"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    with pytest.raises(
        ValueError, match=r"open_period: unknown parameter 'bootstrap'; the parameters are .*bootstrap_reps"
    ):
        report.open_period("2025Q4", bootstrap=99)
    with pytest.raises(ValueError, match="lang must be 'sv' or 'en', not 'de'"):
        report.open_period(lang="de")
    seen = {}

    def prepare(period, **kwargs):  # stop before any data is read: the parameters are what this test is about
        seen.update(kwargs, period=period)
        raise RuntimeError("stop")

    monkeypatch.setattr(context, "prepare_data", prepare)
    with pytest.raises(RuntimeError, match="stop"):
        report.open_period(**report.notebook_parameters({"period": "2024Q1", "seed": 7, "x": 1}))
    assert seen["period"] == "2024Q1" and seen["seed"] == 7 and seen["cut_date"] is None


def test_runner_and_cli_use_the_definition(capsys):
    assert runner.parse_param is parameters.parse_param
    assert runner.resolve_parameters is parameters.resolve_parameters
    assert runner.PARAMS_DIR == paths.PROJECT_ROOT / "params"
    from pilot_eval import cli

    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ", ".join(PARAMETERS) in help_text


def test_resolve_parameters_reads_the_given_params_dir(tmp_path):
    (tmp_path / "2025Q3.yaml").write_text("min_n: 20\nresults_dir: out/results\n", encoding="utf-8")
    got = parameters.resolve_parameters("2025Q3", params_dir=tmp_path)
    assert got["min_n"] == 20 and got["results_dir"] == "out/results" and got["cut_date"] == "2025-09-30"
