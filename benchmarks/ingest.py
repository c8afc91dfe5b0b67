"""Benchmark: ingest + validation of the demo export at several scales (issue 6, item 2),
side by side with its floor, reading the same CSV files with pandas' pyarrow engine.
Prints a Markdown table; no assertions.

    .venv/bin/python benchmarks/ingest.py [--scales 1 10 100] [--work DIR] [--seed 2023]
                                          [--no-data-docs-row] [--repeat 3]

For each scale the demo export is generated once into ``WORK/scale-<s>-seed-<seed>/raw``
(``WORK`` defaults to ``$TMPDIR/pilot_eval-bench-ingest``)
and reused by later runs (a ``bench.json`` beside it records the arguments and what the
generation cost). Every measurement runs in a fresh Python process, so its peak RSS
(``ru_maxrss`` from ``os.wait4``) is its own:

* **floor**: ``pd.read_csv(path, engine="pyarrow")`` of every table's CSV file;
* **ingest**: ``pilot_eval.ingest.ingest(raw, out, cut_date=..., data_docs=False)``;
* at scale 1 also ingest with Data Docs, whose extra cost is reported separately.

With ``--mapping teamtailor`` (or easycruit, platsbanken: a shipped profile, issue 19)
the demo export of each scale is written twice into ``WORK/scale-<s>-seed-<seed>-<name>``:
as the contract's own files (``direct/``, with the layout's identifiers,
``pilot_eval.demo_layouts.layout_export``) and in that system's own layout (``own/``,
``write_layout``). The table then compares the direct ingest with the ingest of the
same data through the profile (``ingest(..., mapping=name)``): seconds, peak memory and
their ratios (target: mapped ≤ 1.5 × direct), each ingest in a fresh process, the two
interleaved ``--repeat`` times.

Seconds are the wall time of the call inside the child (imports of pandas and
``pilot_eval.ingest`` excluded; the lazy Great Expectations import is part of ingest, a
fixed cost whatever the size). "base MB" is the child's RSS after its imports, so
"(peak − base) / row" is the memory a row costs. With ``--repeat N`` the floor and
ingest run N times, each ingest right after its own floor: the table gives the best of
each and the median (range) of the paired ratios, which hold better than one run's when
the machine's speed drifts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pilot_eval.paths import PROFILES

HERE = Path(__file__).resolve()
DEFAULT_WORK = Path(tempfile.gettempdir()) / "pilot_eval-bench-ingest"
TABLES = ("vacancies", "applications", "background_checks", "pilot_rollout", "staffing_monthly")


# --------------------------------------------------------------------------- children


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    import pandas as pd

    raw = Path(args.raw)
    if args.child == "generate-layout":
        from pilot_eval.demo import generate, write_export
        from pilot_eval.demo_layouts import layout_export, write_layout

        base = _rss_mb()
        t0 = time.perf_counter()
        export = generate(seed=args.seed, scenario="delay", scale=args.scale, cut_date=args.cut)
        t1 = time.perf_counter()
        write_export(layout_export(export, args.mapping), raw)
        t2 = time.perf_counter()
        files = write_layout(export, Path(args.out), args.mapping)
        t3 = time.perf_counter()
        rows = {t: len(f) for t, f in export.tables.items()}
        own_mb = sum(p.stat().st_size for p in files) / 1e6
        print(
            json.dumps(
                {"generate_s": t1 - t0, "write_s": t2 - t1, "layout_s": t3 - t2, "rows": rows, "base_mb": base}
                | {"own_mb": own_mb}
            )
        )
        return
    if args.child == "generate":
        from pilot_eval.demo import generate, write_export

        base = _rss_mb()
        t0 = time.perf_counter()
        export = generate(seed=args.seed, scenario="delay", scale=args.scale, cut_date=args.cut)
        t1 = time.perf_counter()
        write_export(export, raw)
        t2 = time.perf_counter()
        rows = {t: len(f) for t, f in export.tables.items()}
        print(json.dumps({"generate_s": t1 - t0, "write_s": t2 - t1, "rows": rows, "base_mb": base}))
        return
    if args.child == "floor":
        base = _rss_mb()
        t0 = time.perf_counter()
        rows = {t: len(pd.read_csv(raw / f"{t}.csv", engine="pyarrow")) for t in TABLES}
        seconds = time.perf_counter() - t0
    else:
        from pilot_eval.ingest import ingest

        base = _rss_mb()
        t0 = time.perf_counter()
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.01)
            profiler.start()
        mapping = args.mapping if args.child == "ingest-mapped" else None
        result = ingest(raw, Path(args.out), cut_date=args.cut, data_docs=args.child == "ingest+docs", mapping=mapping)
        seconds = time.perf_counter() - t0
        if args.profile:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        rows = {t: info["rows_read"] for t, info in result.report["tables"].items()}
        assert result.exit_code == 0, result.report  # the demo export must ingest cleanly
    print(json.dumps({"seconds": seconds, "rows": rows, "base_mb": base}))


def _run_child(
    kind: str,
    raw: Path,
    *,
    scale: float,
    seed: int,
    cut: str,
    out: Path | None = None,
    profile: str | None = None,
    mapping: str | None = None,
) -> dict:
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        kind,
        "--raw",
        str(raw),
        "--scale",
        repr(scale),
        "--seed",
        str(seed),
        "--cut",
        cut,
    ]
    if out is not None:
        cmd += ["--out", str(out)]
    if profile:
        cmd += ["--profile", profile]
    if mapping:
        cmd += ["--mapping", mapping]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} at {raw} failed with exit status {proc.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(process_s=wall, peak_mb=usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux
    return result


# --------------------------------------------------------------------------- parent


def _prepare(work: Path, scale: float, seed: int, cut: str) -> tuple[Path, dict]:
    """The export of this scale and seed, generated now or reused."""
    base = work / f"scale-{scale:g}-seed-{seed}"
    raw, meta_path = base / "raw", base / "bench.json"
    key = {"scale": scale, "seed": seed, "cut_date": cut, "scenario": "delay"}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key and all((raw / f"{t}.csv").exists() for t in TABLES):
            meta["reused"] = True
            return raw, meta
    shutil.rmtree(base, ignore_errors=True)
    raw.mkdir(parents=True)
    gen = _run_child("generate", raw, scale=scale, seed=seed, cut=cut)
    meta = {"key": key, "generation": gen, "csv_mb": sum((raw / f"{t}.csv").stat().st_size for t in TABLES) / 1e6}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    meta["reused"] = False
    return raw, meta


def _prepare_mapped(work: Path, scale: float, seed: int, cut: str, mapping: str) -> tuple[Path, Path, dict]:
    """The export of this scale and seed as contract files (direct/) and in the layout of
    ``mapping`` (own/), generated now or reused."""
    base = work / f"scale-{scale:g}-seed-{seed}-{mapping}"
    direct, own, meta_path = base / "direct", base / "own", base / "bench.json"
    key = {"scale": scale, "seed": seed, "cut_date": cut, "scenario": "delay", "layout": mapping}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key and all((direct / f"{t}.csv").exists() for t in TABLES) and own.is_dir():
            meta["reused"] = True
            return direct, own, meta
    shutil.rmtree(base, ignore_errors=True)
    direct.mkdir(parents=True)
    gen = _run_child("generate-layout", direct, scale=scale, seed=seed, cut=cut, out=own, mapping=mapping)
    meta = {"key": key, "generation": gen, "csv_mb": sum((direct / f"{t}.csv").stat().st_size for t in TABLES) / 1e6}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    meta["reused"] = False
    return direct, own, meta


def _main_mapped(args: argparse.Namespace, work: Path) -> None:
    """Direct ingest against the ingest of the same data through a shipped profile."""
    lines = []
    for scale in args.scales:
        direct, own, meta = _prepare_mapped(work, scale, args.seed, args.cut, args.mapping)
        g = meta["generation"]
        n = sum(g["rows"].values())
        print(
            f"scale {scale:g}: export ready ({n:,} rows; {meta['csv_mb']:,.0f} MB as contract CSV, "
            f"{g['own_mb']:,.0f} MB as {args.mapping}; generate {g['generate_s']:.0f} s, write "
            f"{g['write_s']:.0f} s, layout {g['layout_s']:.0f} s, peak {g['peak_mb']:,.0f} MB)",
            file=sys.stderr,
            flush=True,
        )
        pairs = []
        for _ in range(args.repeat):
            runs = {}
            for kind, raw in (("ingest", direct), ("ingest-mapped", own)):
                out = raw.parent / f"processed-{kind}"
                res = _run_child(kind, raw, scale=scale, seed=args.seed, cut=args.cut, out=out, mapping=args.mapping)
                print(f"  {kind} {res['seconds']:.1f} s, {res['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)
                runs[kind] = res
                shutil.rmtree(out, ignore_errors=True)
            pairs.append((runs["ingest"], runs["ingest-mapped"]))
        if args.profile_scale == scale:
            prof = work / f"profile-scale-{scale:g}-{args.mapping}.txt"
            out = own.parent / "processed-profile"
            _run_child(
                "ingest-mapped",
                own,
                scale=scale,
                seed=args.seed,
                cut=args.cut,
                out=out,
                profile=str(prof),
                mapping=args.mapping,
            )
            shutil.rmtree(out, ignore_errors=True)
            print(f"  profile written to {prof}", file=sys.stderr, flush=True)
        d = min((d for d, _ in pairs), key=lambda r: r["seconds"])
        m = min((m for _, m in pairs), key=lambda r: r["seconds"])
        ratios = sorted(mm["seconds"] / dd["seconds"] for dd, mm in pairs)
        lines.append(
            f"| {scale:g} | {n:,} | {g['own_mb']:,.0f} | {d['seconds']:.1f} | {m['seconds']:.1f} "
            f"| **{m['seconds'] / d['seconds']:.2f}** | {statistics.median(ratios):.2f} "
            f"({ratios[0]:.2f}–{ratios[-1]:.2f}) | {d['peak_mb']:,.0f} | {m['peak_mb']:,.0f} "
            f"| {m['peak_mb'] / d['peak_mb']:.2f} |"
        )
    print(f"Direct ingest against ingest --mapping {args.mapping} of the same data (target: mapped ≤ 1.5 × direct):\n")
    print(
        "| scale | rows (contract tables) | source MB | direct s | mapped s | mapped / direct "
        "| paired runs: median (range) | direct peak MB | mapped peak MB | peak mapped / direct |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(lines))
    if args.repeat > 1:
        print(f"\nBest of {args.repeat} interleaved runs each (peak memory: of the quickest run).")


def _machine() -> str:
    from importlib.metadata import version

    import pandas as pd
    import pyarrow as pa

    with open("/proc/meminfo") as fh:
        ram = int(fh.readline().split()[1]) / 1024**2
    with open("/proc/cpuinfo") as fh:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), platform.processor()
        )
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {ram:.0f} GB RAM, load average {load[0]:.1f} at start; "
        f"Python {platform.python_version()}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
        f"great_expectations {version('great_expectations')}; {dt.date.today().isoformat()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--cut", default="2026-02-28")
    parser.add_argument("--no-data-docs-row", action="store_true", help="skip the scale-1 run with Data Docs")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="floor and ingest this many times, interleaved (best and paired ratios shown)",
    )
    parser.add_argument(
        "--profile-scale",
        type=float,
        default=None,
        help="also run ingest at this scale under pyinstrument (text profile into WORK)",
    )
    # internal: one measurement in a fresh process
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--raw", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--mapping",
        choices=PROFILES,
        default=None,
        help="compare the direct ingest with the ingest of the same data in this system's layout "
        "through its shipped profile (default scales 10 100)",
    )
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"pilot_eval ingest benchmark — {_machine()}\n", flush=True)
    if args.mapping:
        if args.scales == [1, 10, 100]:
            args.scales = [10, 100]
        _main_mapped(args, work)
        return
    gen_rows, rows_out = [], []
    for scale in args.scales:
        raw, meta = _prepare(work, scale, args.seed, args.cut)
        g = meta["generation"]
        gen_rows.append(
            f"| {scale:g} | {sum(g['rows'].values()):,} | {meta['csv_mb']:,.0f} | {g['generate_s']:.1f} "
            f"| {g['write_s']:.1f} | {g['peak_mb']:,.0f} | {'reused' if meta['reused'] else 'now'} |"
        )
        print(
            f"scale {scale:g}: export ready ({sum(g['rows'].values()):,} rows, {meta['csv_mb']:,.0f} MB CSV)",
            file=sys.stderr,
            flush=True,
        )
        out = raw.parent / "processed"
        kinds = ["ingest"] + (["ingest+docs"] if scale == 1 and not args.no_data_docs_row else [])
        runs: dict[str, list[tuple[dict, dict]]] = {kind: [] for kind in kinds}
        for _ in range(args.repeat):  # each run right after its own floor
            floor = _run_child("floor", raw, scale=scale, seed=args.seed, cut=args.cut)
            print(f"  floor {floor['seconds']:.1f} s, {floor['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)
            for kind in kinds:
                res = _run_child(kind, raw, scale=scale, seed=args.seed, cut=args.cut, out=out)
                print(f"  {kind} {res['seconds']:.1f} s, {res['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)
                runs[kind].append((floor, res))
            shutil.rmtree(out, ignore_errors=True)
        for kind in kinds:
            rows_out.append((scale, kind, runs[kind]))
        if args.profile_scale == scale:
            prof = work / f"profile-scale-{scale:g}.txt"
            _run_child("ingest", raw, scale=scale, seed=args.seed, cut=args.cut, out=out, profile=str(prof))
            shutil.rmtree(out, ignore_errors=True)
            print(f"  profile written to {prof}", file=sys.stderr, flush=True)

    print("Generation (`generate` + `write_export`, once per scale, cached):\n")
    print("| scale | rows (all tables) | CSV MB | generate s | write s | peak RSS MB | |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    print("\n".join(gen_rows))
    print('\nIngest + validation against the floor (`pd.read_csv(engine="pyarrow")`, all tables):\n')
    print(
        "| scale | run | rows (all tables) | floor s | floor rows/s | floor peak MB | ingest s | ingest rows/s "
        "| × floor | each run / its floor: median (range) | peak RSS MB | base MB | (peak − base) / row |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale, kind, pairs in rows_out:
        floor = min((f for f, _ in pairs), key=lambda f: f["seconds"])
        res = min((r for _, r in pairs), key=lambda r: r["seconds"])
        ratios = sorted(r["seconds"] / f["seconds"] for f, r in pairs)
        n = sum(res["rows"].values())
        per_row = (res["peak_mb"] - res["base_mb"]) * 2**20 / n
        print(
            f"| {scale:g} | {kind} | {n:,} | {floor['seconds']:.1f} | {n / floor['seconds']:,.0f} "
            f"| {floor['peak_mb']:,.0f} | {res['seconds']:.1f} | {n / res['seconds']:,.0f} "
            f"| {res['seconds'] / floor['seconds']:.2f} "
            f"| {statistics.median(ratios):.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f}) | {res['peak_mb']:,.0f} "
            f"| {res['base_mb']:,.0f} | {per_row:,.0f} B |"
        )
    if args.repeat > 1:
        print(
            f"\nBest of {args.repeat} runs each (peak memory: of the quickest ingest); every ingest ran right "
            "after its own floor, and the median of those paired ratios is the steadier figure when the "
            "machine's speed drifts."
        )
    docs = {s: min((r for _, r in p), key=lambda r: r["seconds"]) for s, k, p in rows_out if k == "ingest+docs"}
    plain = {s: min((r for _, r in p), key=lambda r: r["seconds"]) for s, k, p in rows_out if k == "ingest"}
    for s, r in docs.items():
        print(
            f"\nData Docs at scale {s:g}: +{r['seconds'] - plain[s]['seconds']:.1f} s "
            f"({r['seconds']:.1f} s with, {plain[s]['seconds']:.1f} s without)."
        )


if __name__ == "__main__":
    main()
