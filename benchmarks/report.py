"""Benchmark: the quarterly report end to end, against the floor of the same path.

    .venv/bin/python benchmarks/report.py [--period 2025Q4] [--jobs 2] [--repeat 2]

Prints a Markdown table (asserts nothing; DEVELOPERS: targets are met here, never in
timed unit tests):

1. ``pilot-eval report`` for one period on the demo data, the data already prepared: cold
   (into an empty reports folder: no previous report, no working folder) and warm (again
   into the same folder: the previous manifest orders the notebooks). Both compute the
   estimates once in the runner (the ``estimate`` stage, timed on its own line) before the
   notebooks run in ordinary kernels and read them;
2. the same from nothing: ``--demo`` into an empty folder (generate, ingest with GX and
   Data Docs, notebooks);
3. the floor: as many trivial notebooks (a parameters cell and one print) through the same
   runner, papermill and nbconvert path, the same number of jobs: what kernel start,
   execution machinery and rendering cost by themselves (the runner's prepare and estimate
   stages included, as in the report);
4. import costs every notebook pays (each in a fresh interpreter), and a kernel start.

Each figure is measured in the same run as its floor (interleaved, ``--repeat`` times), so
the ratio holds on a noisy machine: the table gives the best of each against the best
floor, and the ratio of each repetition to the floor measured right after it (median and
range), which is steadier when the machine's speed drifts. Targets (issue 15): from
nothing ≤ 30 s on 2 cores, cold notebooks ≤ 2× the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

from pilot_eval.report.runner import worker_environment  # noqa: E402 - one BLAS thread, as report workers

ENV = worker_environment()

IMPORTS = {
    "python (nothing)": "pass",
    "pandas": "import pandas",
    "matplotlib (Agg figure)": "import matplotlib.figure",
    "notebook stack (pilot_eval.report + measures + plots + findings + sections)": (
        "from pilot_eval import measures, report; from pilot_eval.report import findings, plots, sections, show"
    ),
    "+ estimators (pilot_eval.estimate.effects)": "import pilot_eval.estimate.effects",
    "statsmodels.api (only interrupted time series)": "import statsmodels.api",
    "great_expectations (ingest only)": "import great_expectations",
}


def _trivial_notebooks(folder: Path, n: int) -> Path:
    """``n`` notebooks with the report's parameters cell and one print, like the real ones'
    metadata (title, kernelspec)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from pilot_eval.report import PARAMETERS

    folder.mkdir(parents=True, exist_ok=True)
    params = "\n".join(f"{k} = {v!r}" for k, v in PARAMETERS.items())
    for i in range(n):
        nb = new_notebook()
        nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
        nb.metadata["pilot_eval"] = {"title": {"sv": f"Sida {i}", "en": f"Page {i}"}}
        p = new_code_cell(params)
        p.metadata["tags"] = ["parameters"]
        nb.cells = [p, new_code_cell("print(period)")]
        for j, c in enumerate(nb.cells):
            c.id = f"c{j}"
        nbformat.write(nb, folder / f"{i:02d}_trivial.ipynb")
    return folder


#: CPU seconds (user + system) of each run, by the name of its row in the wall-time table
#: (workers and kernels included: each process waits for its children).
CPU: dict[str, list[float]] = {}


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    t0, c0 = time.perf_counter(), _cpu_children()
    proc = subprocess.run(args, cwd=ROOT, env=env or ENV, capture_output=True, text=True)
    _run.cpu = _cpu_children() - c0
    return time.perf_counter() - t0, proc.returncode, proc.stdout + proc.stderr


def _report(
    period: str, out: Path, jobs: int, *extra: str, env: dict[str, str] | None = None
) -> tuple[float, int, str]:
    return _run(
        [str(BIN / "pilot-eval"), "report", "--period", period, "--out", str(out), "--jobs", str(jobs), *extra], env
    )


def _estimate_seconds(output: str) -> float | None:
    """The runner's estimate stage, from its ``[estimates] <folder>  1.7 s`` line."""
    for line in output.splitlines():
        parts = line.split()
        if parts[:1] == ["[estimates]"] and parts[-1] == "s":
            return float(parts[-2])
    return None


def _notebook_times(output: str) -> dict[str, float]:
    times = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0].startswith("[") and parts[-1] == "s" and parts[2] in ("ok", "FAILED"):
            times[parts[1]] = float(parts[-2])
    return times


def _import_seconds(code: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def _kernel_start_seconds(repeat: int) -> float:
    from jupyter_client.manager import start_new_kernel

    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        best = min(best, time.perf_counter() - t0)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--period", default="2025Q4")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="interleaved repetitions; the best is kept")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    args = ap.parse_args(argv)

    from pilot_eval.report import prepare_data

    work = args.work or Path(tempfile.mkdtemp(prefix="pe-bench-report-"))
    n_notebooks = len(sorted((ROOT / "notebooks").glob("*.ipynb")))
    trivial = _trivial_notebooks(work / "trivial", n_notebooks)
    t0 = time.perf_counter()
    prepared = prepare_data(args.period, demo=True, processed_dir=work / "processed", quiet=True)
    prepare = time.perf_counter() - t0
    print(f"data prepared in {prepare:.1f} s: {prepared.processed_dir}", file=sys.stderr)

    rows: dict[str, list[float]] = {
        "report, notebooks only, cold": [],
        "report, notebooks only, warm": [],
        "report from nothing (--demo: generate, ingest, notebooks)": [],
        "floor: trivial notebooks, same runner": [],
    }
    per_notebook: dict[str, float] = {}
    estimate_stage: list[float] = []
    for _ in range(args.repeat):
        shutil.rmtree(work / "out", ignore_errors=True)  # cold: no previous report, no working folder
        secs, code, out = _report(args.period, work / "out", args.jobs, "--processed", str(prepared.processed_dir))
        assert code == 0, out
        rows["report, notebooks only, cold"].append(secs)
        CPU.setdefault("report, notebooks only, cold", []).append(_run.cpu)
        for k, v in _notebook_times(out).items():
            per_notebook[k] = min(v, per_notebook.get(k, v))
        if _estimate_seconds(out) is not None:
            estimate_stage.append(_estimate_seconds(out))
        secs, code, out = _report(args.period, work / "out", args.jobs, "--processed", str(prepared.processed_dir))
        assert code == 0, out
        rows["report, notebooks only, warm"].append(secs)
        CPU.setdefault("report, notebooks only, warm", []).append(_run.cpu)
        secs, code, out = _report(
            args.period,
            work / "out-trivial",
            args.jobs,
            "--processed",
            str(prepared.processed_dir),
            "--notebooks",
            str(trivial),
        )
        assert code == 0, out
        rows["floor: trivial notebooks, same runner"].append(secs)
        CPU.setdefault("floor: trivial notebooks, same runner", []).append(_run.cpu)
    # from nothing: a fresh demo folder (the repository's data/ is left alone)
    scratch = work / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    secs, code, out = _run(
        [
            sys.executable,
            "-c",
            (
                "import sys, pilot_eval.paths as p, pathlib; "
                f"s = pathlib.Path({str(scratch)!r}); p.RAW_DIR = s / 'raw'; p.PROCESSED_DIR = s / 'processed'; "
                "from pilot_eval.cli import main; "
                f"sys.exit(main(['report', '--period', {args.period!r}, '--demo', '--out', str(s / 'out'), "
                f"'--jobs', '{args.jobs}']))"
            ),
        ]
    )
    assert code == 0, out
    rows["report from nothing (--demo: generate, ingest, notebooks)"].append(secs)
    CPU.setdefault("report from nothing (--demo: generate, ingest, notebooks)", []).append(_run.cpu)

    floors = rows["floor: trivial notebooks, same runner"]
    floor = min(floors)
    print(f"\n## Report end to end ({n_notebooks} notebooks, --jobs {args.jobs})\n")
    print("| run | best wall (s) | runs | best / best floor | each run / its floor: median (range) |")
    print("|---|---:|---:|---:|---:|")
    for name, values in rows.items():
        paired = ""
        if len(values) == len(floors) and not name.startswith("floor"):
            ratios = sorted(v / f for v, f in zip(values, floors, strict=True))
            paired = f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f})"
        print(f"| {name} | {min(values):.1f} | {len(values)} | {min(values) / floor:.2f} | {paired} |")
    if estimate_stage:
        print(
            f"| of which the estimate stage (cold, in the runner) | {min(estimate_stage):.1f} "
            f"| {len(estimate_stage)} | | |"
        )
    floor_cpu = min(CPU["floor: trivial notebooks, same runner"])
    print(
        "\nCPU seconds (user + system of the command, its workers and kernels; less sensitive than wall "
        "time to the machine's speed changing between runs):\n"
    )
    print("| run | best CPU s | ratio to the floor's |")
    print("|---|---:|---:|")
    for name, values in CPU.items():
        print(f"| {name} | {min(values):.1f} | {min(values) / floor_cpu:.2f} |")
    print("\nPer notebook (cold, best of the runs, seconds of papermill in its worker):\n")
    print("| notebook | s |")
    print("|---|---:|")
    for name, v in sorted(per_notebook.items()):
        print(f"| {name} | {v:.1f} |")

    print("\n## Import and kernel start costs (fresh interpreter each, best of 3)\n")
    print("| what | s |")
    print("|---|---:|")
    for name, code_ in IMPORTS.items():
        print(f"| {name} | {_import_seconds(code_, 3):.2f} |")
    print(f"| kernel start (python3, ready for code) | {_kernel_start_seconds(3):.2f} |")

    import pandas as pd

    from pilot_eval import __version__

    print(
        f"\nMachine: {os.cpu_count()} cores, {_ram_gb():.0f} GB RAM, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, pilot_eval {__version__}, {time.strftime('%Y-%m-%d')}."
    )
    print(json.dumps({k: [round(v, 2) for v in vs] for k, vs in rows.items()}), file=sys.stderr)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _ram_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):  # pragma: no cover
        return float("nan")


if __name__ == "__main__":
    sys.exit(main())
