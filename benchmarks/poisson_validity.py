"""The count outcomes' simulation study of docs/estimation.md ("Count outcomes: Poisson
ratios"): bias, coverage and rejection of the Poisson rows and of the levels rows of
``applicants_per_vacancy`` and ``qualified_applicants_per_vacancy`` on demo exports under
"none" and "deterrence", with :func:`pilot_eval.estimate.validity.replicate` (the
Poisson rows' truth is the ratio of the treated means minus 1).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/poisson_validity.py --seeds 1 101
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/poisson_validity.py --seeds 1 51 --rollout staggered

(2026-12-07: about 3 s of CPU per seed for both models.)
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse

import pandas as pd

from pilot_eval.estimate.validity import replicate, summarise

OUTCOMES = ["applicants_per_vacancy", "qualified_applicants_per_vacancy"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs=2, default=[1, 101], help="first and one-past-last seed")
    parser.add_argument("--rollout", default="default", choices=["default", "staggered"])
    parser.add_argument("--wcb-reps", type=int, default=199)
    args = parser.parse_args(argv)
    rows = []
    for seed in range(*args.seeds):
        for model in ("auto", "linear"):
            found = replicate(
                seed,
                ["none", "deterrence"],
                wcb_reps=args.wcb_reps,
                rollout=args.rollout,
                outcomes=OUTCOMES,
                count_model=model,
            )
            rows.extend({**r, "count_model": "poisson" if model == "auto" else "levels"} for r in found)
    frame = pd.DataFrame(rows)
    for model, g in frame.groupby("count_model"):
        table = summarise(g)[
            [
                "scenario",
                "outcome",
                "term",
                "inference",
                "reps",
                "mean_truth",
                "bias",
                "bias_mcse",
                "coverage",
                "reject",
            ]
        ]
        print(f"== {model}")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
