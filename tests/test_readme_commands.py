"""The README's Quick start is exactly two commands, and CI runs the README's test command."""

from __future__ import annotations

import re

from pilot_eval.paths import PROJECT_ROOT


def _quick_start_commands() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def test_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert commands == ["python3 run.py report", "python3 run.py test"]


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert _quick_start_commands()[1] in lines
    assert "set -euo pipefail" in lines, "a failing (or empty) test run must fail CI"


def test_data_and_reports_stay_out_of_git():
    ignore = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("data/raw/*", "data/processed/*", "reports/*", ".venv/"):
        assert pattern in ignore


def test_readme_and_cli_help_give_the_same_ingest_exit_statuses():
    from pilot_eval.cli import INGEST_EXIT_STATUS

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What ingest does", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"\*\*(\d)\*\*", section.split("Exit status:", 1)[1])
    assert documented == ["0", "1", "2", "3", "4"]
    assert re.findall(r"^  (\d)  ", INGEST_EXIT_STATUS, re.M) == documented
    assert "--debug" in section and "expectation" in section


def test_readme_ingest_options_exist():
    from pilot_eval.cli import build_parser

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("pilot-eval ingest ", 1)[1].split("\n\n", 1)[0]
    options = set(re.findall(r"(--[a-z-]+)", block))
    ingest = build_parser()._subparsers._group_actions[0].choices["ingest"]
    known = {s for action in ingest._actions for s in action.option_strings}
    assert options and options <= known, options - known


def test_readme_reports_section_names_the_stages_that_exist():
    """The Reports section describes the report as it runs: the estimate stage's names
    exist, the working folder is the runner's, and the removed fork server is gone."""
    from pilot_eval.report import stages

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reports", 1)[1].split("\n## ", 1)[0]
    for name in ("prepare", "estimate", "ReportEstimates"):
        assert f"stages.{name}" in section and hasattr(stages, name)
    assert "reports/.work/<period>/<lang>/estimates/" in section and "results_dir" in section
    assert "forkserver" not in readme and "PILOT_EVAL_FORK_KERNELS" not in readme
