"""Reference values for pilot_eval.estimate.sensitivity.honest_did from moderndid's HonestDiD.

moderndid (PyPI ``moderndid``, module ``moderndid.didhonest``, a port of R HonestDiD by
Rambachan & Roth) is run on fixed inputs, tests/results/honestdid_inputs.json (the demo's
universal-base event study and placebo covariance for two outcomes, and a small synthetic
case), and its confidence sets are written to tests/results/honestdid_reference.json.
The ``honestdid`` package (PyPI, 0.1.1, which follows R's indexing of the relative-
magnitudes polyhedra) is run too where it is available. Neither is a dependency of
pilot_eval (both need cvxpy; honestdid also torch). Run in a scratch venv:

    python3.11 -m venv .refvenv-honest
    .refvenv-honest/bin/pip install "moderndid[didhonest]==0.2.0" honestdid==0.1.1
    .refvenv-honest/bin/python tests/results/honestdid_reference.py

Note: moderndid 0.2.0 takes s in −(numPre−1)…−1 for Δ^RM_{s,±} with the difference
δ_{s+1} − δ_s, so it never considers the earliest pre-period difference as the maximum;
R HonestDiD (and pilot_eval) use all numPre differences. The test compares with moderndid
on moderndid's set of polyhedra (``s_values``) and with honestdid on R's.
"""

import json
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def main():
    from moderndid.didhonest import (
        construct_original_cs,
        create_sensitivity_results_rm,
        create_sensitivity_results_sm,
    )

    cases = json.loads((HERE / "honestdid_inputs.json").read_text())
    out = {"versions": {p: version(p) for p in ("moderndid", "numpy", "scipy", "cvxpy")}, "cases": {}}
    try:
        import honestdid

        out["versions"]["honestdid"] = version("honestdid")
    except ImportError:  # pragma: no cover - optional second reference
        honestdid = None

    def rows(frame):
        """moderndid's results (polars or pandas frames, named tuples or lists of them) as dicts."""
        if hasattr(frame, "to_dicts"):
            return frame.to_dicts()
        if hasattr(frame, "to_dict"):
            return frame.to_dict("records")
        if hasattr(frame, "_asdict"):
            return [frame._asdict()]
        return [r._asdict() if hasattr(r, "_asdict") else dict(r) for r in frame]

    for name, c in cases.items():
        b, S = np.array(c["betahat"]), np.array(c["sigma"])
        npre, npost = c["num_pre"], c["num_post"]
        lv = np.full(npost, 1.0 / npost)
        se = float(np.sqrt(lv @ S[npre:, npre:] @ lv))
        m_sd = [0.0, 0.05 * se, 0.1 * se, 0.2 * se]
        m_rm = [0.0, 0.5, 1.0, 2.0]
        res = {"l_vec": lv.tolist(), "m_sd": m_sd, "m_rm": m_rm}
        res["original"] = rows(construct_original_cs(b, S, npre, npost, l_vec=lv, alpha=0.05))
        t0 = time.perf_counter()
        res["flci"] = rows(
            create_sensitivity_results_sm(b, S, npre, npost, method="FLCI", m_vec=np.array(m_sd), l_vec=lv, alpha=0.05)
        )
        res["seconds_flci"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        res["rm_clf"] = rows(
            create_sensitivity_results_rm(
                b, S, npre, npost, method="C-LF", m_bar_vec=np.array(m_rm), l_vec=lv, alpha=0.05
            )
        )
        res["seconds_rm"] = time.perf_counter() - t0
        if honestdid is not None:
            try:
                t0 = time.perf_counter()
                r = honestdid.createSensitivityResults_relativeMagnitudes(
                    b, S, npre, npost, method="C-LF", Mbarvec=np.array(m_rm), l_vec=lv, alpha=0.05
                )
                res["honestdid_rm_clf"] = rows(r)
                res["seconds_honestdid_rm"] = time.perf_counter() - t0
            except Exception as exc:  # noqa: BLE001 - record why the second reference is missing
                res["honestdid_error"] = f"{type(exc).__name__}: {exc}"
        out["cases"][name] = res
        print(name, {k: v for k, v in res.items() if k.startswith("seconds")})

    (HERE / "honestdid_reference.json").write_text(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
