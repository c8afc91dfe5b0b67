"""pyfixest ``fepois`` on ``tests/data/poisson_applicants.csv``: the reference for the
Poisson (PPML) difference-in-differences of :mod:`pilot_eval.estimate.poisson`.

The data: the ``applicants_per_vacancy`` rows of the demo export ``pilot_eval.demo.generate(
seed=7, scenario="deterrence")`` (default roll-out, the analysis window of
``pilot_effects``): one row per vacancy, ``y`` the number of applications, the
administration, quarter of publication, calendar phase and the 0/1 ``during`` / ``after``
treatment indicators. 7 383 rows, 8 administrations. Synthetic data, no personal data.

Run (in a scratch venv that has pyfixest; not a dependency of pilot_eval)::

    python3.11 -m venv .refvenv-poisson
    .refvenv-poisson/bin/pip install pyfixest==0.60.0 pyarrow
    .refvenv-poisson/bin/python tests/results/poisson_reference.py

It writes ``tests/results/poisson_reference.json`` beside this file, which
``tests/test_estimate_poisson.py`` reads. Made 2026-12-07 with pyfixest 0.60.0.

Two small-sample conventions are stored: pyfixest's default (``k_fixef="nonnested"``: the
administration effects, nested in the administration clusters, are not counted in k) and
``k_fixef="full"`` (every coefficient counted, as statsmodels' GLM ``cov_type="cluster"``
and :func:`pilot_eval.estimate.poisson.poisson_fit`). Both use ``G/(G−1)·(N−1)/(N−k)``.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "poisson_applicants.csv"
OUT = HERE / "poisson_reference.json"


def main() -> None:
    import pandas as pd
    import pyfixest as pf

    data = pd.read_csv(DATA, dtype={"administration": str, "period": str, "phase": str})
    fml = "y ~ during + after | administration + period"
    out = {"pyfixest": pf.__version__, "data": DATA.name, "n": len(data), "formula": fml, "fits": {}}
    for label, ssc in (
        ("default", pf.ssc()),
        ("full", pf.ssc(k_adj=True, k_fixef="full", G_adj=True)),
    ):
        fit = pf.fepois(fml, data=data, vcov={"CRV1": "administration"}, ssc=ssc, iwls_tol=1e-12, fixef_tol=1e-12)
        out["fits"][label] = {
            "coef": {k: float(v) for k, v in fit.coef().items()},
            "se": {k: float(v) for k, v in fit.se().items()},
            "ssc": {k: (v if isinstance(v, (bool, str)) else str(v)) for k, v in ssc.items()},
        }
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
