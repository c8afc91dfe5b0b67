"""Benchmark: ingest through a mapping file against the direct ingest of the same data
(issue 19). Prints a Markdown table; no assertions.

    .venv/bin/python benchmarks/ingest_mapped.py [--scales 1 10] [--work DIR] [--seed 2023]

For each scale the demo export is written twice into ``WORK/scale-<s>``: as the contract's
own files (``direct/``) and in an HR system's own layout (``own/``,
``pilot_eval.demo_layouts.write_renamed``: headers of vacancies and applications renamed,
``;`` as delimiter, the final status as Swedish labels, submission times as ISO 8601
date-times with an offset, publication dates as dd.mm.yyyy), with the mapping that reads
it (``own.yaml``). Each ingest runs in a fresh Python process
(wall time of the call; imports excluded). Target: mapped ≤ 1.5 × direct.

The shipped profiles, on the demo in their systems' own layouts, are measured by
``benchmarks/ingest.py --mapping teamtailor`` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
CUT = "2026-02-28"


def _prepare(base: Path, scale: float, seed: int) -> None:
    from pilot_eval.demo import generate, write_export
    from pilot_eval.demo_layouts import write_renamed
    from pilot_eval.mapping.vocabulary import EXAMPLE_HEADERS, EXAMPLE_STATUS

    if (base / "own.yaml").exists():
        return
    export = generate(seed=seed, scale=scale, cut_date=CUT)
    write_export(export, base / "direct")
    (base / "own.yaml").write_text(
        write_renamed(export, base / "own", EXAMPLE_HEADERS, EXAMPLE_STATUS), encoding="utf-8"
    )


def _child(raw: str, out: str, mapping: str | None) -> None:
    import time

    from pilot_eval.ingest import ingest

    t0 = time.perf_counter()
    result = ingest(raw, out, cut_date=CUT, data_docs=False, mapping=mapping or None)
    seconds = time.perf_counter() - t0
    rows = sum(t["rows_read"] for t in result.report["tables"].values())
    print(json.dumps({"seconds": seconds, "rows": rows, "exit": result.exit_code}))


def _run(raw: Path, out: Path, mapping: Path | None) -> dict:
    cmd = [sys.executable, str(HERE), "--child", str(raw), str(out), str(mapping or "")]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pilot_eval-bench-mapped")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print("| scale | rows | direct s | mapped s | mapped / direct |")
    print("|---:|---:|---:|---:|---:|")
    for scale in args.scales:
        base = args.work / f"scale-{scale:g}-seed-{args.seed}"
        _prepare(base, scale, args.seed)
        direct = _run(base / "direct", base / "out-direct", None)
        mapped = _run(base / "own", base / "out-mapped", base / "own.yaml")
        ratio = mapped["seconds"] / direct["seconds"]
        print(
            f"| {scale:g} | {direct['rows']:,} | {direct['seconds']:.1f} | {mapped['seconds']:.1f} | {ratio:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
