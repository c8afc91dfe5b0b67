"""Causal effects of the pilot (docs/estimation.md): estimators with honest uncertainty for 3
treated of 8 administrations. Every result has ``tidy()`` with the columns of
:data:`pilot_eval.estimate.base.TIDY_COLUMNS`.

- :func:`staggered_did`: Callaway & Sant'Anna (2021) group-time ATTs and aggregations;
- :func:`twfe`, :func:`bacon_decomposition`: the naive comparison and why it is not the
  headline;
- :func:`wild_cluster_bootstrap`, :func:`cluster_robust`, :func:`randomization_inference`:
  inference with few clusters;
- :func:`interrupted_time_series`: segmented regression for a single series;
- :func:`pilot_effects`, :func:`triple_difference`: the headline table (with
  :func:`rollout_design` and :func:`imputation_estimate` for a staggered roll-out);
- :func:`family_wise_p_values`: Westfall–Young step-down over the headline family;
- :func:`leave_one_out`, :func:`placebo_in_time`: the headline without each
  administration, and on fake pilots before the real one;
- :func:`group_effects`: effects by gender or age band (a triple difference per group;
  exploratory);
- :func:`minimum_detectable_effect`: power of the headline test from the data at hand
  (:func:`simulated_minimum_detectable_effect`: by simulating the demo generator).
- :func:`poisson_effects`, :func:`poisson_imputation`, :func:`poisson_fit`: the count
  outcomes (:data:`COUNT_OUTCOMES`) as Poisson ratios, used by :func:`pilot_effects`.
- :func:`honest_did`, :func:`pretrend_power`, :func:`pretrend_test`: sensitivity of the event
  study to parallel trends (Rambachan & Roth 2023; Roth 2022), with
  :func:`placebo_covariance`.
"""

from __future__ import annotations

import importlib

#: Public name → submodule. Imported on first use (PEP 562), so that ``import
#: pilot_eval.estimate.base`` or ``.effects`` does not pay for statsmodels (interrupted time
#: series) or the simulation code: every report notebook's kernel imports only what it uses.
_WHERE = {
    "TIDY_COLUMNS": "base",
    "EstimateResult": "base",
    "tidy_frame": "base",
    "BaconDecomposition": "did",
    "StaggeredDiDResult": "did",
    "bacon_decomposition": "did",
    "staggered_did": "did",
    "twfe": "did",
    "HEADLINE_INFERENCE": "effects",
    "OUTCOMES": "effects",
    "event_study": "effects",
    "outcome_data": "effects",
    "pilot_effects": "effects",
    "restrict_window": "effects",
    "triple_difference": "effects",
    "DEFAULT_WINDOW": "effects",
    "outcome_frames": "effects",
    "rollout_design": "effects",
    "imputation_estimate": "effects",
    "group_effects": "groups",
    "ClusterRobustResult": "inference",
    "RandomizationInferenceResult": "inference",
    "WildClusterBootstrapResult": "inference",
    "cluster_robust": "inference",
    "randomization_inference": "inference",
    "wild_cluster_bootstrap": "inference",
    "InterruptedTimeSeriesResult": "its",
    "default_hac_lags": "its",
    "interrupted_time_series": "its",
    "minimum_detectable_effect": "power",
    "simulated_minimum_detectable_effect": "power",
    "family_wise_p_values": "multiplicity",
    "leave_one_out": "robustness",
    "placebo_in_time": "robustness",
    "PRIMARY_OUTCOMES": "effects",
    "COUNT_OUTCOMES": "poisson",
    "poisson_effects": "poisson",
    "poisson_fit": "poisson",
    "poisson_imputation": "poisson",
    "PlaceboCovariance": "sensitivity",
    "breakdown": "sensitivity",
    "honest_did": "sensitivity",
    "placebo_covariance": "sensitivity",
    "pretrend_power": "sensitivity",
    "pretrend_test": "sensitivity",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "COUNT_OUTCOMES",
    "DEFAULT_WINDOW",
    "HEADLINE_INFERENCE",
    "OUTCOMES",
    "PRIMARY_OUTCOMES",
    "TIDY_COLUMNS",
    "BaconDecomposition",
    "ClusterRobustResult",
    "EstimateResult",
    "InterruptedTimeSeriesResult",
    "PlaceboCovariance",
    "RandomizationInferenceResult",
    "StaggeredDiDResult",
    "WildClusterBootstrapResult",
    "bacon_decomposition",
    "breakdown",
    "cluster_robust",
    "default_hac_lags",
    "event_study",
    "family_wise_p_values",
    "group_effects",
    "honest_did",
    "imputation_estimate",
    "interrupted_time_series",
    "leave_one_out",
    "minimum_detectable_effect",
    "outcome_data",
    "outcome_frames",
    "pilot_effects",
    "placebo_covariance",
    "placebo_in_time",
    "poisson_effects",
    "poisson_fit",
    "poisson_imputation",
    "pretrend_power",
    "pretrend_test",
    "randomization_inference",
    "restrict_window",
    "rollout_design",
    "simulated_minimum_detectable_effect",
    "staggered_did",
    "tidy_frame",
    "triple_difference",
    "twfe",
    "wild_cluster_bootstrap",
]
