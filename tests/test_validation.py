"""The GX suites in expectations/ and the wrapper that loads them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pilot_eval.contract import TABLES
from pilot_eval.paths import EXPECTATIONS_DIR
from pilot_eval.validation import SuiteError, load_suite, load_suite_json, validate_tables


@pytest.mark.parametrize("table", list(TABLES))
def test_every_expectation_in_the_file_is_loaded(table):
    data = load_suite_json(table)
    suite = load_suite(table)
    assert len(suite.expectations) == len(data["expectations"]) > 10


@pytest.mark.parametrize("table", list(TABLES))
def test_suites_follow_the_contract(table):
    """Enum sets equal the contract's values; every required column must exist and be
    non-null; every column a suite names is a contract column or a derived _column."""
    spec = TABLES[table]
    exps = load_suite_json(table)["expectations"]
    in_set = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in exps
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    assert in_set == {c.name: c.values for c in spec.columns if c.kind == "enum"}
    exist = {e["kwargs"]["column"] for e in exps if e["type"] == "expect_column_to_exist"}
    not_null = {
        e["kwargs"]["column"]
        for e in exps
        if e["type"] == "expect_column_values_to_not_be_null" and "row_condition" not in e["kwargs"]
    }
    assert exist == not_null == set(spec.required_columns)
    named = {e["kwargs"].get(k) for e in exps for k in ("column", "column_A", "column_B")} - {None}
    assert {c for c in named if not c.startswith("_")} <= set(spec.column_names)
    key = [
        e for e in exps if e["type"] in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
    ]
    assert len(key) == 1


def _copy_suites(tmp_path: Path) -> Path:
    for p in EXPECTATIONS_DIR.glob("*.json"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_misspelt_expectation_is_refused_not_dropped(tmp_path):
    d = _copy_suites(tmp_path)
    data = json.loads((d / "pilot_rollout.json").read_text())
    data["expectations"].append(
        {"type": "expect_colum_values_to_be_unique", "kwargs": {"column": "scope"}, "meta": {"reason": "typo"}}
    )
    (d / "pilot_rollout.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError, match="could not load 1 expectation.*expect_colum_values_to_be_unique"):
        load_suite("pilot_rollout", d)


def test_expectation_without_reason_is_refused(tmp_path):
    d = _copy_suites(tmp_path)
    data = json.loads((d / "pilot_rollout.json").read_text())
    del data["expectations"][3]["meta"]
    (d / "pilot_rollout.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError, match="meta.reason"):
        load_suite_json("pilot_rollout", d)


def test_bad_severity_and_bad_json_are_refused(tmp_path):
    d = _copy_suites(tmp_path)
    data = json.loads((d / "pilot_rollout.json").read_text())
    data["expectations"][3]["meta"]["severity"] = "fatal"
    (d / "pilot_rollout.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError, match="severity"):
        load_suite_json("pilot_rollout", d)
    (d / "staffing_monthly.json").write_text("{not json")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suite_json("staffing_monthly", d)


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (GX's import is once per process) and check it ran."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_python_warnings_survive_the_gx_import():
    """GX calls logging.captureWarnings(True) at import; after our import a warning is
    shown by Python's own showwarning again (statsmodels' convergence warnings stay visible)."""
    code = (
        "import warnings, logging\n"
        "original = warnings.showwarning\n"
        "from pilot_eval.validation import _gx\n"
        "gx = _gx()\n"
        "assert 'great_expectations' in type(gx).__name__ or gx.__name__ == 'great_expectations'\n"
        "print('restored' if warnings.showwarning is original else 'captured')\n"
        "warnings.warn('convergence failed')\n"
    )
    proc = _python(code)
    assert proc.stdout.strip() == "restored"
    assert "UserWarning: convergence failed" in proc.stderr


def test_gx_imported_on_a_background_thread_is_waited_for_and_leaves_warnings_alone():
    """Ingest starts GX's import on a thread; _gx() waits for it and returns the same
    module, Python's warnings are Python's again, and a second preload does nothing."""
    code = (
        "import warnings\n"
        "original = warnings.showwarning\n"
        "from pilot_eval import validation\n"
        "thread = validation.preload_gx()\n"
        "gx = validation._gx()\n"
        "thread.join(timeout=60)\n"
        "import great_expectations\n"
        "print(thread is not None, not thread.is_alive(), gx is great_expectations,\n"
        "      warnings.showwarning is original, validation.preload_gx() is None)\n"
        "warnings.warn('convergence failed')\n"
    )
    proc = _python(code)
    assert proc.stdout.split() == ["True"] * 5
    assert "UserWarning: convergence failed" in proc.stderr


def test_validate_reports_failing_rows_by_index():
    frame = pd.DataFrame(
        {
            "administration": ["SOF", "XXX", "UBF"],
            "role_group": ["all", "all", "teacher"],
            "scope": ["new_hires", "new_hires", "placements"],
            "check_type": ["court_records"] * 3,
            "start_date": pd.to_datetime(["2023-09-01", "2023-09-01", "2024-01-01"]),
            "end_date": pd.to_datetime(["2024-12-31", None, "2023-12-31"]),
        },
        index=[0, 1, 2],
    )
    result = validate_tables({"pilot_rollout": frame})["pilot_rollout"]
    failed = {o.reason: o.unexpected_index for o in result.outcomes if not o.success}
    assert failed == {"administration: unknown label": [1], "end_date before start_date": [2]}
    assert result.n_failed == 2 and result.n_expectations == len(load_suite_json("pilot_rollout")["expectations"])


def test_lost_expectations_are_listed_by_type_and_column_only(tmp_path):
    """Only the expectation that really went missing is named (GX normalises the kwargs
    of the others, so comparing kwargs named correct ones too)."""
    d = _copy_suites(tmp_path)
    data = json.loads((d / "vacancies.json").read_text())
    data["expectations"].append(
        {"type": "expect_colum_values_to_be_unique", "kwargs": {"column": "status"}, "meta": {"reason": "typo"}}
    )
    (d / "vacancies.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError) as info:
        load_suite("vacancies", d)
    message = str(info.value)
    assert message.endswith(
        "vacancies.json: GX could not load 1 expectation(s): expect_colum_values_to_be_unique "
        "on status (misspelt type or bad kwargs?)"
    )
    assert "between" not in message


def test_bad_expectation_argument_is_a_suite_error_naming_file_and_expectation(tmp_path):
    d = _copy_suites(tmp_path)
    data = json.loads((d / "pilot_rollout.json").read_text())
    data["expectations"][3]["kwargs"]["mostly"] = "lots"
    (d / "pilot_rollout.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError) as info:
        load_suite("pilot_rollout", d)
    message = str(info.value)
    assert "\n" not in message
    assert str(d / "pilot_rollout.json") in message
    assert "expectation 3 expect_column_to_exist on scope: GX refuses its arguments" in message and "mostly" in message
