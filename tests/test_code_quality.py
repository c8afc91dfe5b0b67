"""The repository passes its own checks: the declared layers (import-linter, pyproject.toml's
``[tool.importlinter]``) and ruff's lint rules and formatting, with the tools the test
extras pin, run from the environment the tests run in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pilot_eval.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    tool = BIN / command[0]
    if not tool.exists():
        pytest.fail(f"{tool} is missing: install the test extras (pip install -e '.[test]')")
    # the package of this checkout, whatever an editable install elsewhere points at
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [str(tool), *command[1:]], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _passes(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"{' '.join(proc.args)} failed:\n{proc.stdout}\n{proc.stderr}"


def test_the_layers_hold():
    """cli > report > disclosure > estimate > measures > analysis > ingest > readers >
    contract: no module imports a layer above its own (function-level imports included)."""
    proc = _run("lint-imports", "--no-cache")
    _passes(proc)
    assert "0 broken" in proc.stdout


def test_ruff_check():
    _passes(_run("ruff", "check", "--no-cache", "."))


def test_ruff_format():
    _passes(_run("ruff", "format", "--check", "--no-cache", "."))
