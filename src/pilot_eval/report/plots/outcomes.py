"""The outcomes of the effect estimates and their units: names in words
(:mod:`pilot_eval.texts.charts`) joined with the unit each is shown in."""

from __future__ import annotations

from collections.abc import Mapping

from ... import texts
from ...labels import label
from ...texts.charts import OUTCOMES, UNIT_WORDS

# The unit of each outcome (:data:`UNITS`), in the order of OUTCOME_INFO.
_OUTCOME_UNITS: dict[str, str] = {
    "days_to_fill": "days",
    "closed_without_hire": "pp",
    "filled_within_60": "pp",
    "filled_within_90": "pp",
    "days_unfilled_90": "days",
    "late_withdrawal": "pp",
    "late_withdrawal_rate": "pp",
    "applicants_per_vacancy": "applicants",
    "qualified_applicants_per_vacancy": "applicants",
    "qualified_per_vacancy": "applicants",
    "offer_acceptance": "pp",
    "acceptance_rate": "pp",
    "register_check_days": "days",
}
# The factor applied to the estimates of each unit.
_UNIT_FACTORS: dict[str, float] = {"pp": 100.0, "days": 1.0, "applicants": 1.0, "number": 1.0, "percent": 100.0}

#: Outcomes of :mod:`pilot_eval.estimate.effects`: name → (sv, en, unit). ``"pp"`` means
#: a proportion shown in percentage points (× 100).
OUTCOME_INFO: dict[str, tuple[str, str, str]] = {
    outcome: (*OUTCOMES[outcome], unit) for outcome, unit in _OUTCOME_UNITS.items()
}

#: Units of effects: key → (sv, en, factor applied to the estimates).
UNITS: dict[str, tuple[str, str, float]] = {
    unit: (*UNIT_WORDS.get(unit, ("", "")), factor) for unit, factor in _UNIT_FACTORS.items()
}

# Other spellings of the units: the Swedish words, and two English ones.
_UNIT_ALIASES = {
    "percentage_points": "pp",
    "day": "days",
    **{words[0]: unit for unit, words in UNIT_WORDS.items()},
}


def _unit(unit: str | None, outcome: str | None) -> str | None:
    if unit is None and outcome is not None and outcome in OUTCOME_INFO:
        return OUTCOME_INFO[outcome][2]
    if unit is None:
        return None
    return _UNIT_ALIASES.get(unit, unit)


def _unit_text(unit: str | None, lang: str) -> tuple[str, float]:
    """(unit words, factor) of a unit key; an unknown unit is shown as given."""
    if unit is None:
        return "", 1.0
    if unit in UNITS:
        sv, en, factor = UNITS[unit]
        return texts.pick(lang, sv, en), factor
    return unit, 1.0


def _outcome_text(outcome: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and outcome in labels:
        return labels[outcome]
    if outcome in OUTCOME_INFO:
        return OUTCOME_INFO[outcome][texts.index(lang)]
    return label(outcome, lang)
