"""Reference values for the Westfall–Young step-down (min-p) of pilot_eval.estimate.multiplicity:
pyfixest 0.60.0's ``pyfixest.estimation.post_estimation.multcomp._get_wyoung_pval``.

Two steps, two interpreters (pyfixest is never a dependency of pilot_eval):

1. With the project venv, write the joint null statistics (``westfall_young_input.json``):
   the demo's 56 randomization assignments (``pilot_eval.demo.generate(seed=2023,
   scenario="large")``, default window) applied to 4 outcomes × 2 terms, plus a small
   integer-valued case full of ties::

       PYTHONPATH=src .venv/bin/python tests/results/westfall_young_reference.py input

2. In a scratch venv with pyfixest (``python3.11 -m venv .refvenv-robust &&
   .refvenv-robust/bin/pip install pyfixest==0.60.0``), compute the per-assignment p-values
   with plain numpy (``p_j(b)`` = share of assignments a with ``|T_j(a)| ≥ |T_j(b)|``) and
   feed them to pyfixest's step-down; writes ``westfall_young_reference.json``::

       .refvenv-robust/bin/python tests/results/westfall_young_reference.py reference

The test (tests/test_estimate_multiplicity.py) reads both files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
INPUT = HERE / "westfall_young_input.json"
OUTPUT = HERE / "westfall_young_reference.json"
OUTCOMES = ["late_withdrawal", "days_unfilled_90", "qualified_applicants_per_vacancy", "filled_within_90"]


def make_input() -> None:
    from pilot_eval.demo import generate
    from pilot_eval.estimate.effects import pilot_effects
    from pilot_eval.estimate.multiplicity import joint_null

    export = generate(seed=2023, scenario="large")
    result = pilot_effects(export.tables, export.truth["cut_date"], outcomes=OUTCOMES, reps=99)
    family, labels, T, actual = joint_null(result)
    rng = np.random.default_rng(7)
    ties = rng.integers(-3, 4, size=(56, 5)).astype(float)  # many ties, and tied observed p-values
    ties[0] = [3.0, -3.0, 2.0, 3.0, 0.0]
    doc = {
        "demo": {"family": family, "assignments": labels, "actual": actual, "T": T.tolist()},
        "ties": {"actual": 0, "T": ties.tolist()},
    }
    INPUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def p_matrix(T: np.ndarray) -> np.ndarray:
    A = np.abs(T)
    B = A.shape[0]
    P = np.empty_like(A)
    for b in range(B):
        for j in range(A.shape[1]):
            P[b, j] = np.sum(A[:, j] >= A[b, j]) / B
    return P


def make_reference() -> None:
    from importlib.metadata import version

    from pyfixest.estimation.post_estimation.multcomp import _get_wyoung_pval

    doc = json.loads(INPUT.read_text(encoding="utf-8"))
    out = {"pyfixest": version("pyfixest"), "numpy": version("numpy"), "python": sys.version.split()[0]}
    for case in ("demo", "ties"):
        T = np.asarray(doc[case]["T"], dtype=float)
        P = p_matrix(T)
        actual = doc[case]["actual"]
        out[case] = {"p_value": P[actual].tolist(), "p_value_fwer": _get_wyoung_pval(P[actual], P).tolist()}
    OUTPUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    {"input": make_input, "reference": make_reference}[sys.argv[1]]()
