"""Reference values for pilot_eval.estimate.sensitivity.pretrend_power by Monte Carlo.

Roth's R package ``pretrends`` has no Python port (moderndid 0.2.0 has none either), so the
reference is an independent computation: 1 000 000 draws of β̂_pre ~ N(γ t_pre, Σ_pre)
(common random numbers across γ), the Wald pre-test at 5 % (statistic β̂'Σ⁻¹β̂ against the
χ² critical value), γ for 50 % and 80 % power found by bisection on the simulated rejection
rate, and at that γ the bias of the average post-period effect unconditionally
(γ · mean(t_post)) and given that the pre-test passes (the simulated mean of
l'β̂_post − l'τ over the draws that pass, β̂_post drawn jointly with β̂_pre). Inputs:
tests/results/honestdid_inputs.json (the demo's placebo covariance); output
tests/results/pretrends_reference.json. Run with any numpy/scipy:

    PYTHONPATH=src python tests/results/pretrends_reference.py
"""

import json
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).parent


def main():
    cases = json.loads((HERE / "honestdid_inputs.json").read_text())
    DRAWS = 1_000_000
    out = {"draws": DRAWS, "alpha": 0.05, "cases": {}}
    for name in ("demo_days_unfilled_90", "demo_late_withdrawal"):
        c = cases[name]
        b, S = np.array(c["betahat"]), np.array(c["sigma"])
        npre, npost = c["num_pre"], c["num_post"]
        t = np.array(c["event_times"], dtype=float) + 1.0  # relative to the reference event time −1
        lv = np.full(npost, 1.0 / npost)
        rng = np.random.default_rng(12345)
        z = rng.multivariate_normal(np.zeros(len(b)), S, size=DRAWS)  # β̂ − β
        crit = stats.chi2.ppf(0.95, npre)
        Sinv = np.linalg.inv(S[:npre, :npre])
        res = {}
        for p in (0.5, 0.8):

            def rate(g, z=z, t=t, npre=npre, Sinv=Sinv, crit=crit):
                x = z[:, :npre] + g * t[:npre]
                return float((np.einsum("ij,jk,ik->i", x, Sinv, x) > crit).mean())

            lo, hi = 0.0, 1.0
            while rate(hi) < p:
                hi *= 2
            for _ in range(40):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if rate(mid) < p else (lo, mid)
            g = (lo + hi) / 2
            x = z[:, :npre] + g * t[:npre]
            passed = np.einsum("ij,jk,ik->i", x, Sinv, x) <= crit
            post = z[:, npre:] @ lv + g * lv @ t[npre:]
            res[str(p)] = {
                "slope": g,
                "bias": float(g * lv @ t[npre:]),
                "bias_given_pass": float(post[passed].mean()),
                "pass_probability": float(passed.mean()),
            }
        out["cases"][name] = res
        print(name, res)
    (HERE / "pretrends_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
