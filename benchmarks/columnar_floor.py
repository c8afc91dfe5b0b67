"""Experiment: how fast could a columnar engine do the heavy part of the Teamtailor
mapping? (issue 19; docs/performance.md, "Why 1.5× is out of reach here"). Prints one
line per run; no assertions. Needs polars (the ``bench`` extra), which pilot_eval does
not use.

    .venv/bin/python benchmarks/columnar_floor.py DIR [--repeat 2]

``DIR`` holds the Teamtailor layout (``pilot-eval demo-data --layout teamtailor``, or the
``own/`` folder that ``benchmarks/ingest.py --mapping teamtailor`` writes). It times
reading ``job-applications.csv`` and ``stage-changes.csv`` as text, deriving the
highest stage, the first offer date, the withdrawal date and the last end event from
the history (times with offset, the date in Stockholm), and joining them to the
applications with their submission dates. It does not run the privacy guard, value maps,
reasons or row accounting, which the engine must do as well, so it is a lower bound for
these steps.
"""

from __future__ import annotations

import argparse
import time

STAGES = {"Inbox": 0, "Screening": 1, "Interview": 2, "References": 3, "Background check": 4, "Offer": 5}
STAGES |= {"Hired": 6, "Started": 7}
ENDS = {"Rejected": "rejected", "Withdrawn": "withdrawn", "Offer declined": "declined_offer"}
ENDS |= {"Job cancelled": "cancelled"}
FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def run(folder: str) -> str:
    import polars as pl

    t0 = time.perf_counter()
    apps = pl.read_csv(f"{folder}/job-applications.csv", infer_schema=False)
    t1 = time.perf_counter()
    events = pl.read_csv(f"{folder}/stage-changes.csv", infer_schema=False)
    t2 = time.perf_counter()
    events = events.with_columns(
        pl.col("created-at").str.strip_chars().str.to_datetime(FORMAT, strict=False).alias("t"),
        pl.col("to-stage").replace_strict(STAGES, default=None, return_dtype=pl.Int8).alias("stage"),
        pl.col("to-stage").replace_strict(ENDS, default=None).alias("end"),
        pl.col("relationships.job-application.data.id").str.strip_chars().alias("key"),
    ).with_columns(
        pl.col("t").dt.convert_time_zone("Europe/Stockholm").dt.date().alias("day"),
        pl.int_range(pl.len()).alias("line"),
    )
    history = (
        events.sort(["key", "t", "line"])
        .group_by("key")
        .agg(
            pl.col("stage").max().alias("highest"),
            pl.col("day").filter(pl.col("stage") >= 5).first().alias("offer"),
            pl.col("day").filter(pl.col("end") == "withdrawn").first().alias("withdrawn"),
            pl.col("end").drop_nulls().last().alias("final"),
        )
    )
    t3 = time.perf_counter()
    out = apps.with_columns(
        pl.col("id").str.strip_chars().alias("key"),
        pl.col("created-at").str.to_datetime(FORMAT, strict=False).dt.convert_time_zone("Europe/Stockholm").dt.date(),
    ).join(history, on="key", how="left")
    t4 = time.perf_counter()
    return (
        f"read applications {t1 - t0:.2f} s, read history {t2 - t1:.2f} s, derive {t3 - t2:.2f} s, "
        f"join and dates {t4 - t3:.2f} s: {t4 - t0:.2f} s for {out.height:,} applications"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.repeat):
        print(run(args.folder), flush=True)


if __name__ == "__main__":
    main()
