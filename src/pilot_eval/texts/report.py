"""Texts of the report's shared computations (:mod:`pilot_eval.report.sections`): the words of
the effect tables, the triple difference, the minimum detectable effects and the chart marks,
as ``(swedish, english)`` pairs."""

from __future__ import annotations

__all__ = [
    "GROUP_EFFECT_TERMS",
    "INFERENCE",
    "MARKS",
    "LEAVE_ONE_OUT",
    "PERCENTAGE_POINTS_SUFFIX",
    "TERMS",
    "TRIPLE_DIFFERENCE_TERMS",
    "UNITS",
]

#: Inference methods in words, by the start of their name in a tidy table's ``inference``.
INFERENCE = {
    "randomization_inference": ("permutationstest (56 fördelningar)", "randomization inference (56 assignments)"),
    "wild_cluster_bootstrap": ("vild klusterbootstrap (Webb)", "wild cluster bootstrap (Webb)"),
    "cluster_robust": ("klusterrobust (CR1)", "cluster-robust (CR1)"),
}

#: The effect tables' terms.
TERMS = {
    "during": ("under piloten", "during the pilot"),
    "after": ("efter piloten", "after the pilot"),
}

#: After an outcome's name in an effect table when its effects are in percentage points.
PERCENTAGE_POINTS_SUFFIX = {
    "suffix": (" (procentenheter)", " (percentage points)"),
    # a Poisson ratio, as the percentage change
    "percent": (" (förändring i procent)", " (change in per cent)"),
}

#: The triple difference's terms.
TRIPLE_DIFFERENCE_TERMS = {
    "during_other": ("under piloten, övriga yrken", "during the pilot, other roles"),
    "during_child_minus_other": (
        "under piloten, barnnära yrken minus övriga",
        "during the pilot, child-facing minus other roles",
    ),
    "after_other": ("efter piloten, övriga yrken", "after the pilot, other roles"),
    "after_child_minus_other": (
        "efter piloten, barnnära yrken minus övriga",
        "after the pilot, child-facing minus other roles",
    ),
}

#: The terms of the effects by group (:func:`pilot_eval.estimate.groups.group_effects`).
GROUP_EFFECT_TERMS = {
    "during": ("under piloten", "during the pilot"),
    "during_minus_rest": (
        "under piloten, skillnad mot övriga sökande",
        "during the pilot, difference from other applicants",
    ),
    "after": ("efter piloten", "after the pilot"),
    "after_minus_rest": (
        "efter piloten, skillnad mot övriga sökande",
        "after the pilot, difference from other applicants",
    ),
}

#: The units of the minimum detectable effects.
UNITS = {
    "percentage_points": ("procentenheter", "percentage points"),
    "days": ("dagar", "days"),
    "applicants": ("sökande per rekrytering", "applicants per vacancy"),
    "percent": ("procent av nivån före piloten", "per cent of the level before the pilot"),
}

#: The robustness tables of the methods page: the row with every administration, and a
#: fake pilot ``{months}`` months before the real one.
LEAVE_ONE_OUT = {
    "none": ("Ingen (alla åtta)", "None (all eight)"),
    "shift": ("Låtsad start {months} månader före den verkliga", "Fake start {months} months before the real one"),
}

#: Dates marked on time-series charts.
MARKS = {
    "pilot_starts": ("Piloten börjar", "Pilot starts"),
    "pilot_ends": ("Piloten slutar", "Pilot ends"),
    "law_change": ("Lagändring", "Law change"),
}
