"""Causal effects of the pilot (DESIGN.md §6): estimators with honest uncertainty for 3
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
- :func:`minimum_detectable_effect`: power by simulation at the real design;
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
    "DEFAULT_WINDOW",
    "HEADLINE_INFERENCE",
    "OUTCOMES",
    "TIDY_COLUMNS",
    "PlaceboCovariance",
    "BaconDecomposition",
    "ClusterRobustResult",
    "EstimateResult",
    "InterruptedTimeSeriesResult",
    "RandomizationInferenceResult",
    "StaggeredDiDResult",
    "WildClusterBootstrapResult",
    "bacon_decomposition",
    "breakdown",
    "cluster_robust",
    "default_hac_lags",
    "event_study",
    "honest_did",
    "imputation_estimate",
    "interrupted_time_series",
    "minimum_detectable_effect",
    "outcome_data",
    "outcome_frames",
    "pilot_effects",
    "placebo_covariance",
    "pretrend_power",
    "pretrend_test",
    "randomization_inference",
    "restrict_window",
    "rollout_design",
    "staggered_did",
    "tidy_frame",
    "triple_difference",
    "twfe",
    "wild_cluster_bootstrap",
]
