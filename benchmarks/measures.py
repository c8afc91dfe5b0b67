"""Benchmark: every measure on the demo data at Botkyrka scale (issue 3's target: well under
a second per call), including the fine groupings that once cost a lifelines fit per group
(administration × quarter, role group × quarter, administration × role group × month).
Prints a table and the machine's load average; no assertions.

    .venv/bin/python benchmarks/measures.py [--scale 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from pilot_eval import measures as m
from pilot_eval.demo import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    export = generate(seed=2023, scenario="delay", scale=args.scale)
    t, cut = export.tables, export.truth["cut_date"]
    vac, app, chk, roll, staff = (
        t["vacancies"],
        t["applications"],
        t["background_checks"],
        t["pilot_rollout"],
        t["staffing_monthly"],
    )
    admin_role = ["administration", "role_group", "period"]
    calls = {
        "time_to_fill by arm × phase": lambda: m.time_to_fill(vac, cut, by=["arm", "phase"], pilot_rollout=roll),
        "time_to_fill by administration": lambda: m.time_to_fill(vac, cut, by="administration"),
        "time_to_fill admin × quarter": lambda: m.time_to_fill(vac, cut, by=["administration", "period"]),
        "time_to_fill role × quarter": lambda: m.time_to_fill(vac, cut, by=["role_group", "period"]),
        "time_to_fill admin × role × month": lambda: m.time_to_fill(vac, cut, by=admin_role, period="month"),
        "km_curves admin × quarter, days 0–180": lambda: m.km_curves(vac, cut, by=["administration", "period"]),
        "time_to_hire by arm": lambda: m.time_to_hire(app, vac, by="arm", pilot_rollout=roll),
        "time_to_hire admin × role × month": lambda: m.time_to_hire(app, vac, by=admin_role, period="month"),
        "check_turnaround": lambda: m.check_turnaround(chk, cut),
        "check_turnaround admin × year": lambda: m.check_turnaround(
            chk, cut, by=["administration", "period"], applications=app, vacancies=vac, period="year"
        ),
        "withdrawals by arm × phase": lambda: m.withdrawals(app, vac, by=["arm", "phase"], pilot_rollout=roll),
        "late_withdrawal_rate by arm × phase": lambda: m.late_withdrawal_rate(
            app, vac, by=["arm", "phase"], pilot_rollout=roll
        ),
        "withdrawal_reasons": lambda: m.withdrawal_reasons(app, vac),
        "offers by arm": lambda: m.offers(app, vac, by="arm", pilot_rollout=roll),
        "competence_supply by administration": lambda: m.competence_supply(vac, app, staff, by="administration"),
        "equality (late withdrawal)": lambda: m.equality(app, vac, by="arm", pilot_rollout=roll),
        "pilot_coverage": lambda: m.pilot_coverage(vac, app, chk, roll),
        "build_panel admin × role × quarter": lambda: m.build_panel(t, cut),
    }
    print(
        f"pilot_eval measures benchmark — scale {args.scale:g}: {len(vac):,} vacancies, {len(app):,} applications, "
        f"{len(chk):,} checks; Python {platform.python_version()} on {platform.machine()}"
    )
    print(f"load average before: {_load()}")
    print(f"{'measure':<40}{'rows':>7}{'best s':>9}{'median s':>10}")
    for name, call in calls.items():
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = call()
            times.append(time.perf_counter() - t0)
        rows = len(out) if hasattr(out, "__len__") and not isinstance(out, tuple) else ""
        print(f"{name:<40}{rows:>7}{min(times):>9.3f}{statistics.median(times):>10.3f}")
    print(f"load average after: {_load()}")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


if __name__ == "__main__":
    main()
