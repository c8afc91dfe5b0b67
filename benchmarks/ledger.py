"""Benchmark: the report-wide disclosure audit (:meth:`pilot_eval.disclosure.Ledger.audit`)
on a synthetic report.

    .venv/bin/python benchmarks/ledger.py [--tables 30] [--admins 8] [--seed 0] [--repeat 3]

Builds a report-sized ledger: ``--tables`` tables over administration × role × gender ×
quarter (one- to three-way, with and without total rows, count columns with a rate and
row totals), sharing their margins as a report does (an administration's applications on
one page, by gender on another), plus a few numbers in sentences; protects each table,
then times the audit. Prints the number of count cells, the time to register and protect,
the audit's time (best and median of ``--repeat``), its rounds' result (cells withheld,
unprotected) and the published share before and after. Asserts nothing (targets, issue
16: a few thousand count cells in ~30 tables audit in a few seconds at most).
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import time

import numpy as np
import pandas as pd

from pilot_eval.disclosure import Ledger, protect

ADMINS = ["SOF", "UBF", "KOF", "VOF", "MBF", "SBF", "KUF", "FTK", "IFF", "SLK"]
ROLES = ["teacher", "nurse", "assistant", "manager", "engineer"]
GENDERS = ["woman", "man", "other_unknown"]
QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]


def population(rng: np.random.Generator, admins: list[str]) -> pd.DataFrame:
    """Offers by administration × role × gender × quarter: accepted, declined, pending."""
    rows = []
    for a, r, g, q in itertools.product(admins, ROLES, GENDERS, QUARTERS):
        scale = {"woman": 14, "man": 8, "other_unknown": 1.0}[g]
        acc = int(rng.poisson(scale))
        dec = int(rng.poisson(scale / 3))
        pen = int(rng.poisson(1.5))
        rows.append((a, r, g, q, acc, dec, pen))
    return pd.DataFrame(
        rows,
        columns=["administration", "role_group", "gender", "quarter", "n_accepted", "n_declined", "n_pending"],
    )


def table(pop: pd.DataFrame, by: list[str], with_totals: bool) -> pd.DataFrame:
    counts = ["n_accepted", "n_declined", "n_pending"]
    t = pop.groupby(by, as_index=False)[counts].sum() if by else pop[counts].sum().to_frame().T
    if with_totals and by:
        tot = pop[counts].sum().to_frame().T
        for g in by:
            tot[g] = "Totalt"
        t = pd.concat([t, tot[by + counts]], ignore_index=True)
    t["n_offers"] = t[counts].sum(axis=1)
    decided = t["n_accepted"] + t["n_declined"]  # the measures' acceptance rate: of the offers decided
    t["acceptance_rate"] = np.where(decided > 0, t["n_accepted"] / decided.clip(lower=1), np.nan)
    return t


def build(n_tables: int, n_admins: int, seed: int) -> tuple[Ledger, float, int]:
    """Tables of two windows (scopes, each its own population) over every design of one to
    three group columns, with and without total rows, in turn; and numbers in sentences."""
    rng = np.random.default_rng(seed)
    dims = ["administration", "role_group", "gender", "quarter"]
    designs = [list(c) for k in (0, 1, 2) for c in itertools.combinations(dims, k)]
    designs += [["administration", "gender", "quarter"], ["administration", "role_group", "gender"]]
    windows = {"2024": population(rng, ADMINS[:n_admins]), "2025": population(rng, ADMINS[:n_admins])}
    ledger = Ledger()
    t0 = time.perf_counter()
    n_cells = 0
    for k in range(n_tables):
        scope = list(windows)[(k // len(designs)) % 2]
        by = designs[k % len(designs)]
        t = table(windows[scope], by, with_totals=k % 3 == 0)
        p = protect(t, totals="auto" if k % 2 else None)
        n_cells += 4 * len(t)
        ledger.add_table(f"p{k % 10:02d}", p, name=f"offers by {' × '.join(by) or 'all'} ({k})", scope=scope)
    for scope, pop in windows.items():
        totals = pop[["n_accepted", "n_declined", "n_pending"]].sum()
        ledger.add_number("summary", float(totals.sum()), measure="n_offers", scope=scope, name=f"offers {scope}")
        ledger.add_number("summary", float(totals["n_accepted"]), measure="n_accepted", scope=scope, name="accepted")
        for a in ADMINS[:2]:
            declined = float(pop.loc[pop.administration == a, "n_declined"].sum())
            ledger.add_number(
                "summary", declined, measure="n_declined", groups={"administration": a}, scope=scope, name=a
            )
    return ledger, time.perf_counter() - t0, n_cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--admins", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ledger, t_build, n_cells = build(args.tables, args.admins, args.seed)
    print(f"pilot_eval ledger benchmark — Python {platform.python_version()} on {platform.machine()}")
    print(f"{len(ledger.entries)} entries, {n_cells:,} count cells; protecting the tables took {t_build:.2f} s")
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = ledger.audit()
        times.append(time.perf_counter() - t0)
    before = 0
    for e in ledger.entries:
        if hasattr(e, "table"):
            figure = [c for c in e.table.flags.columns if e.table.column_kinds.get(c) != "group"]
            before += int((e.table.flags[figure] == "").to_numpy().sum())
        else:
            before += 1
    print(f"audit: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
    print(
        f"changed entries {len(result.changed)}, notes {len(result.notes)}, unprotected {len(result.unprotected)}; "
        f"published figure cells {before:,} of {result.cells:,} before the audit "
        f"({before / result.cells:.1%}), {result.published:,} after ({result.published / result.cells:.1%})"
    )


if __name__ == "__main__":
    main()
