"""Causal effects of the pilot (DESIGN.md §6): estimators with honest uncertainty for 3
treated of 8 administrations. Every result has ``tidy()`` with the columns of
:data:`pilot_eval.estimate.base.TIDY_COLUMNS`.

- :func:`staggered_did`: Callaway & Sant'Anna (2021) group-time ATTs and aggregations;
- :func:`twfe`, :func:`bacon_decomposition`: the naive comparison and why it is not the
  headline;
- :func:`wild_cluster_bootstrap`, :func:`cluster_robust`, :func:`randomization_inference`:
  inference with few clusters;
- :func:`interrupted_time_series`: segmented regression for a single series;
- :func:`pilot_effects`, :func:`triple_difference`: the headline table;
- :func:`minimum_detectable_effect`: power by simulation at the real design.
"""

from __future__ import annotations

from .base import TIDY_COLUMNS, EstimateResult, tidy_frame
from .did import BaconDecomposition, StaggeredDiDResult, bacon_decomposition, staggered_did, twfe
from .effects import (
    HEADLINE_INFERENCE,
    OUTCOMES,
    event_study,
    outcome_data,
    pilot_effects,
    restrict_window,
    triple_difference,
)
from .inference import (
    ClusterRobustResult,
    RandomizationInferenceResult,
    WildClusterBootstrapResult,
    cluster_robust,
    randomization_inference,
    wild_cluster_bootstrap,
)
from .its import InterruptedTimeSeriesResult, default_hac_lags, interrupted_time_series
from .power import minimum_detectable_effect

__all__ = [
    "HEADLINE_INFERENCE",
    "OUTCOMES",
    "TIDY_COLUMNS",
    "BaconDecomposition",
    "ClusterRobustResult",
    "EstimateResult",
    "InterruptedTimeSeriesResult",
    "RandomizationInferenceResult",
    "StaggeredDiDResult",
    "WildClusterBootstrapResult",
    "bacon_decomposition",
    "cluster_robust",
    "default_hac_lags",
    "event_study",
    "interrupted_time_series",
    "minimum_detectable_effect",
    "outcome_data",
    "pilot_effects",
    "randomization_inference",
    "restrict_window",
    "staggered_did",
    "tidy_frame",
    "triple_difference",
    "twfe",
    "wild_cluster_bootstrap",
]
