"""Benchmark: ingest through a mapping file against the direct ingest of the same data
(issue 19). Prints a Markdown table; no assertions.

    .venv/bin/python benchmarks/ingest_mapped.py [--scales 1 10] [--work DIR] [--seed 2023]

For each scale the demo export is written twice into ``WORK/scale-<s>``: as the contract's
own files (``direct/``) and in an HR system's own layout (``own/``: every header of
vacancies and applications renamed, ``;`` as delimiter, the final status as Swedish labels,
submission times as ISO 8601 date-times with an offset, publication dates as dd.mm.yyyy),
with the mapping that reads it (``own.yaml``). Each ingest runs in a fresh Python process
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
RENAMES = {
    "vacancies": {
        "vacancy_id": "Annons-ID",
        "administration": "Förvaltningsnamn",
        "published_date": "Publiceringsdatum",
        "closing_date": "Ansökan stänger",
        "employment_type": "Anställningsform",
        "status": "Rekryteringsstatus",
    },
    "applications": {
        "application_id": "Ansökan nr",
        "vacancy_id": "Annons-ID",
        "submitted_date": "Ansökningsdatum",
        "final_status": "Status",
    },
}
STATUS = {
    "hired": "Anställd",
    "rejected": "Ej vidare",
    "withdrawn": "Drog tillbaka",
    "declined_offer": "Tackade nej",
    "cancelled": "Avbruten",
    "in_progress": "Pågår",
}


def _prepare(base: Path, scale: float, seed: int) -> None:
    import pandas as pd

    from pilot_eval.demo import generate, write_export

    if (base / "own.yaml").exists():
        return
    export = generate(seed=seed, scale=scale, cut_date=CUT)
    write_export(export, base / "direct")
    own = base / "own"
    write_export(export, own)
    (own / "truth.json").unlink()
    lines = ["mapping_version: 1", "name: bench", "defaults: {delimiter: ';'}", "sources:"]
    lines += [f"  {t}_export: {{file: export_{t}.csv}}" for t in RENAMES]
    lines.append("tables:")
    for table, renames in RENAMES.items():
        frame = pd.read_csv(own / f"{table}.csv", dtype=str, keep_default_na=False)
        columns = list(frame.columns)
        if table == "applications":
            frame["final_status"] = frame["final_status"].map(STATUS)
            frame["submitted_date"] = frame["submitted_date"] + "T09:00:00+01:00"
        else:
            frame["published_date"] = pd.to_datetime(frame["published_date"]).dt.strftime("%d.%m.%Y")
        frame.rename(columns=renames).to_csv(own / f"export_{table}.csv", index=False, sep=";")
        (own / f"{table}.csv").unlink()
        lines += [f"  {table}:", f"    source: {table}_export", "    columns:"]
        for name in columns:
            header = renames.get(name, name)
            if name == "final_status":
                values = ", ".join(f'"{label}": {value}' for value, label in STATUS.items())
                lines.append(f'      {name}: {{from: "{header}", values: {{{values}}}}}')
            elif table == "vacancies" and name == "published_date":
                lines.append(f'      {name}: {{from: "{header}", format: "%d.%m.%Y"}}')
            else:
                lines.append(f'      {name}: "{header}"')
    (base / "own.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


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
