#!/usr/bin/env python3
"""The README's two commands, ``python3 run.py report`` and ``python3 run.py test``, and
``python3 run.py lab``.

``report``  the quarterly report for 2025Q4 on the built-in demo data
            (``pilot-eval report --period 2025Q4 --demo``); prints the path of
            ``reports/2025Q4/sv/index.html``
``test``    the test suite
``lab``     JupyterLab in ``notebooks/`` with the project's kernel
``setup``   only the set-up below

Creates a local ``.venv`` on first use (with the Python that runs this script, which
must be 3.11), installs the package with its test extras and registers its Jupyter kernel
``python3``, and reinstalls only when ``pyproject.toml`` changes. Needs nothing but Python
3.11 and pip. Extra arguments are passed on: ``python3 run.py test -k ingest``,
``python3 run.py report --lang en``, ``python3 run.py lab --port 8890``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".pilot_eval-installed"


def _say(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def ensure_venv() -> Path:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"run.py needs Python 3.11 (this is {sys.version.split()[0]}): run it as python3.11 run.py …")
    python = BIN / "python"
    if not python.exists():
        _say(f"creating {VENV.relative_to(ROOT)} …")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        _say("installing pilot_eval and its pinned dependencies (first run takes a few minutes) …")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run(pip + ["install", "--upgrade", "pip"], check=True)
        subprocess.run(pip + ["install", "-e", f"{ROOT}[test]"], check=True)
        subprocess.run(
            [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"report", "test", "lab", "setup"}:
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    python = ensure_venv()
    # one BLAS thread per process: tests (pytest-xdist) and notebooks run side by side on
    # 2 cores, and multi-threaded BLAS in each would oversubscribe them
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **os.environ, "PYTHONUTF8": "1"}
    if task == "setup":
        return 0
    if task == "test":
        # both cores by default (pytest-xdist); `-n 0` runs in one process
        workers = (
            []
            if any(a == "-n" or a.startswith("-n") or a.startswith("--numprocesses") for a in rest)
            else ["-n", "auto"]
        )
        return subprocess.call([str(python), "-m", "pytest", *workers, *rest], cwd=ROOT, env=env)
    if task == "lab":
        # `python3 run.py lab -- --allow-root` and `python3 run.py lab --port 8890` alike
        rest = rest[1:] if rest[:1] == ["--"] else rest
        command = [str(BIN / "pilot-eval"), "lab", "--", *rest]
        os.chdir(ROOT)
        if os.name != "nt":
            # become `pilot-eval lab`, which becomes JupyterLab: Ctrl-C and SIGTERM reach the
            # server itself, and stopping it stops its kernels
            os.execve(command[0], command, env)
        return subprocess.call(command, cwd=ROOT, env=env)
    # report: the main job on the built-in demo data
    return subprocess.call(
        [str(BIN / "pilot-eval"), "report", "--period", "2025Q4", "--demo", *rest], cwd=ROOT, env=env
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
