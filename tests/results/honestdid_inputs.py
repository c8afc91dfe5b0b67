"""Writes tests/results/honestdid_inputs.json: fixed inputs for the HonestDiD and pre-trend references.

The demo's universal-base event study and its default (comparison-pooled) covariance for two
outcomes, and a small synthetic case. Run with the project's venv from the repository root:

    PYTHONPATH=src python tests/results/honestdid_inputs.py
"""

import json
from pathlib import Path

import numpy as np

from pilot_eval.demo import generate
from pilot_eval.estimate.effects import DEFAULT_WINDOW, event_study, restrict_window
from pilot_eval.measures import build_panel


def main():
    ex = generate()
    tables = restrict_window(ex.tables, DEFAULT_WINDOW)
    cut = ex.truth["cut_date"]
    panel = build_panel(tables, cut, unit=("administration",))
    cases = {}
    for o in ["days_unfilled_90", "late_withdrawal"]:
        pc = event_study(tables, o, cut, panel=panel).details["placebo"]
        cases[f"demo_{o}"] = {
            "source": (
                f"pilot_eval.demo.generate() (seed 2023, scenario delay), "
                f"event_study({o!r}).details['placebo'] (source {pc.source!r})"
            ),
            "betahat": pc.betahat.tolist(),
            "sigma": pc.vcov.tolist(),
            "num_pre": pc.num_pre,
            "num_post": pc.num_post,
            "event_times": pc.event_times.tolist(),
        }
    # a small synthetic case: 4 pre, 3 post, AR(1)-correlated errors, a mild pre-trend
    rng = np.random.default_rng(17)
    k = 7
    t = np.r_[np.arange(-4, 0), np.arange(1, 4)].astype(float)
    sig = 0.04 * 0.5 ** np.abs(np.subtract.outer(np.arange(k), np.arange(k))) + 0.01
    beta = 0.02 * t + np.r_[np.zeros(4), 0.3, 0.35, 0.4] + rng.normal(scale=0.05, size=k)
    cases["synthetic_4pre_3post"] = {
        "source": "numpy default_rng(17), see tests/results/honestdid_inputs.py",
        "betahat": np.round(beta, 6).tolist(),
        "sigma": np.round(sig, 8).tolist(),
        "num_pre": 4,
        "num_post": 3,
        "event_times": [-5, -4, -3, -2, 0, 1, 2],
    }
    Path("tests/results/honestdid_inputs.json").write_text(json.dumps(cases, indent=1))
    print({k: (v["num_pre"], v["num_post"]) for k, v in cases.items()})


if __name__ == "__main__":
    main()
