"""The summary for politicians: what was done, what we found, and what the data cannot tell.

The quarterly report's first page ("Sammanfattning") is read by councillors in two
minutes. This module turns the headline table of
:func:`pilot_eval.estimate.effects.pilot_effects` and the coverage tables of
:func:`pilot_eval.measures.coverage.pilot_coverage` into short sentences in plain
Swedish (klarspråk; English with ``lang="en"``):

* :func:`what_was_done` — one paragraph: which administrations, when, for whom, how many
  checks of which kind (protected counts: 1–4 never printed, large counts rounded);
* :func:`summarise` — one :class:`Finding` per primary outcome (one per part of question
  5), each with its size and direction, its verdict (:data:`VERDICTS`), its uncertainty in
  words and, given the minimum detectable effects from the data
  (:func:`pilot_eval.estimate.minimum_detectable_effect`), what the study could have found;
* :func:`family_note` — the sentence that says how many effects are judged together;
* :func:`cannot_tell` — what the data cannot tell;
* :func:`methods_note` — how the effects were estimated, in three sentences.

The sentences and their templates are the (Swedish, English) pairs of
:mod:`pilot_eval.texts.findings`; this module chooses among them and fills them in.

Wording rules (tested):

* The headline inference is randomization inference over the 56 ways of picking 3 of
  the 8 administrations (:data:`pilot_eval.estimate.effects.HEADLINE_REASON`). The
  verdict (docs/estimation.md, "Primary outcomes, the family and the verdicts") uses the
  family-wise p-value over the primary outcomes × phases and the pre-trend test: "tydlig
  ökning/minskning" only when both allow it, "osäkert: grupperna skilde sig redan före
  piloten" when the pre-test rejects, else "ingen säkerställd skillnad", said with what
  the interval holds in both directions. A clear change is worded cautiously
  ("troligen"), never "bevisar"; no double negatives.
* p-values are never printed, so they cannot be read as the probability that an effect
  is real.
* "Bara 3 av 8 förvaltningar" is said whenever the p-value is at its floor (1/56: the
  strongest evidence the design can give) or the interval is wide (wider than the
  estimate is large, or unbounded).
* Numbers in the reader's format (:func:`pilot_eval.labels.format_number`): shares in
  percentage points with one decimal, days with one decimal, applicants per advert with
  two, Poisson ratios in whole per cent; "osäkerhetsintervall", never
  "konfidensintervall" or "signifikant".

Examples
--------
>>> row = {"outcome": "late_withdrawal", "term": "during", "estimate": 0.025, "conf_low": -0.01,
...        "conf_high": 0.06, "p_value": 0.2, "inference": "randomization_inference"}
>>> f = describe_effect(row)
>>> f.verdict, f.tag
('no_clear_difference', 'ingen säkerställd skillnad')
>>> "2,5\\xa0procentenheter" in f.headline
True
>>> "ingen säkerställd skillnad" in f.uncertainty
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..estimate.effects import HEADLINE_INFERENCE
from ..labels import format_number, format_percent, value_label
from ..periods import date_text
from ..texts import LANGUAGES, check_lang, index
from ..texts import findings as T
from ..texts.disclosure import WITHHELD_COUNT

__all__ = [
    "DEMO_DISCLAIMER",
    "SUMMARY_OUTCOMES",
    "VERDICTS",
    "as_ratio",
    "Finding",
    "cannot_tell",
    "count_text",
    "describe_effect",
    "HEADLINE_REASON",
    "family_note",
    "leave_one_out_sentence",
    "placebo_sentence",
    "pretrend_sentence",
    "methods_note",
    "summarise",
    "what_was_done",
]

#: The possible verdicts of a finding (docs/estimation.md, "Verdicts"): a clear change
#: needs the family-wise p-value (``p_value_fwer``) at or below the level and a pre-test
#: that does not reject; a rejecting pre-test makes any result "differed_before".
VERDICTS = ("clear_increase", "clear_decrease", "no_clear_difference", "differed_before")

#: The outcomes of the summary: the pre-registered primary outcome of each part of the
#: council's question 5, in its order (:data:`pilot_eval.estimate.effects.PRIMARY_OUTCOMES`).
SUMMARY_OUTCOMES = (
    "days_to_fill",
    "late_withdrawal",
    "qualified_applicants_per_vacancy",
)

#: The sentence :func:`cannot_tell` puts first when the report runs on the demo export,
#: by language (the text is :data:`pilot_eval.texts.findings.CANNOT_TELL` ``["demo"]``).
DEMO_DISCLAIMER = dict(zip(LANGUAGES, T.CANNOT_TELL["demo"], strict=True))

_N_PILOT, _N_ALL = 3, 8
_N_ASSIGNMENTS = math.comb(_N_ALL, _N_PILOT)  # 56


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class _Text:
    """How one outcome is spoken of. ``unit`` is the reader's unit; ``scale`` turns the
    estimate into it; ``up_is_better`` says which direction helps recruitment. The texts
    are (Swedish, English) pairs of :data:`pilot_eval.texts.findings.OUTCOMES`; the
    headline clauses take ``{x}``, the size."""

    unit: str
    scale: float
    decimals: int
    up_is_better: bool
    title: tuple[str, str]
    topic: tuple[str, str]  # "… had no effect on <topic>"
    up: tuple[str, str]  # headline clause, increase
    down: tuple[str, str]  # headline clause, decrease
    led_to_up: tuple[str, str]  # "… the pilot probably led to <led_to>"
    led_to_down: tuple[str, str]
    up_ratio: tuple[str, str] | None = None  # headline clauses of a ratio (Poisson) estimate
    down_ratio: tuple[str, str] | None = None


#: Outcome → (unit, scale, decimals, up_is_better): shares in percentage points with one
#: decimal, days with one, applicants per advert with two.
_NUMBERS: dict[str, tuple[str, float, int, bool]] = {
    "days_to_fill": ("days", 1.0, 1, False),
    "closed_without_hire": ("pp", 100.0, 1, False),
    "days_unfilled_90": ("days", 1.0, 1, False),
    "filled_within_60": ("pp", 100.0, 1, True),
    "filled_within_90": ("pp", 100.0, 1, True),
    "late_withdrawal": ("pp", 100.0, 1, False),
    "applicants_per_vacancy": ("count", 1.0, 2, True),
    "qualified_applicants_per_vacancy": ("count", 1.0, 2, True),
    "offer_acceptance": ("pp", 100.0, 1, True),
    "register_check_days": ("days", 1.0, 1, False),
}

_TEXTS: dict[str, _Text] = {outcome: _Text(*numbers, **T.OUTCOMES[outcome]) for outcome, numbers in _NUMBERS.items()}

_UNIT_WORDS = {"pp": "percentage_points", "days": "days", "count": None, "percent": None}

#: The reader's number of a ratio estimate (``estimate`` = ratio − 1, Poisson rows): percent.
_RATIO = ("percent", 100.0, 0)


def as_ratio(text: _Text) -> _Text:
    """An outcome's wording for its Poisson row (estimate = ratio − 1): shown in per cent,
    without decimals (the findings, the verdict table and the since-last-report sentence)."""
    unit, scale, decimals = _RATIO
    return replace(text, unit=unit, scale=scale, decimals=decimals)


def _is_ratio(row) -> bool:
    """True for a row whose estimate is a proportional change (ratio − 1): the count
    outcomes' Poisson rows (``scale`` "ratio", or a ``method`` that starts with "poisson")."""
    scale, method = _get(row, "scale"), _get(row, "method")
    return (not _missing(scale) and str(scale) == "ratio") or (
        not _missing(method) and str(method).startswith("poisson")
    )


# --------------------------------------------------------------------------- Finding


@dataclass
class Finding:
    """One finding of the summary, in plain words, with its numbers.

    ``estimate``, ``conf_low`` and ``conf_high`` are in the reader's ``unit``: ``"pp"``
    (percentage points: the share's estimate × 100), ``"days"`` or ``"count"``
    (applicants per advert). ``verdict`` is one of :data:`VERDICTS`;
    ``for_recruitment`` is ``"better"`` or ``"worse"`` when the verdict is a likely
    change, else None.
    """

    outcome: str
    title: str
    headline: str
    uncertainty: str
    detail: str | None
    estimate: float
    conf_low: float
    conf_high: float
    p_value: float
    unit: str
    verdict: str
    term: str = "during"
    lang: str = "sv"
    for_recruitment: str | None = None
    p_value_fwer: float = float("nan")
    pretrend_p_value: float = float("nan")
    breakdown: float = float("nan")
    family: int | None = None

    @property
    def tag(self) -> str:
        """The verdict in a few words ("tydlig ökning", "ingen säkerställd skillnad", …)."""
        return T.TAGS[self.verdict][index(self.lang)]

    def text(self) -> str:
        """Headline, uncertainty and detail as one paragraph."""
        return " ".join(part for part in (self.headline, self.uncertainty, self.detail) if part)

    def to_markdown(self, level: int = 3) -> str:
        """A Markdown section: the title as a heading of ``level``, then the paragraph.

        >>> Finding("x", "Titel", "Rubrik.", "Osäkert.", None, 1.0, 0.0, 2.0, 0.1, "days",
        ...         "no_clear_effect").to_markdown()
        '### Titel\\n\\nRubrik. Osäkert.\\n'
        """
        return f"{'#' * level} {self.title}\n\n{self.text()}\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


# --------------------------------------------------------------------------- numbers


def _rounds_to_zero(value: float, decimals: int) -> bool:
    return format_number(abs(value), "en", decimals=decimals).strip("0.") == ""


def _fmt(value: float, text: _Text, lang: str, *, unit: bool = True, signed: bool = False) -> str:
    """A size in the reader's format (absolute unless ``signed``); more decimals when
    rounding would print 0 for a non-zero value, so that "0,0" never stands for a bound
    the text calls above zero."""
    v = value if signed else abs(value)
    decimals = text.decimals
    while not math.isinf(v) and v != 0 and decimals < text.decimals + 3 and _rounds_to_zero(v, decimals):
        decimals += 1
    out = format_number(
        v, lang, decimals=None if math.isinf(v) else decimals, unit=_UNIT_WORDS[text.unit] if unit else None
    )
    if unit and text.unit == "percent" and lang == "en":
        out = f"{out}%"  # the report's English number format: "12%" (format_percent)
    elif unit and text.unit in ("count", "percent"):
        out = f"{out}\u00a0{T.UNITS[text.unit][index(lang)]}"
    return out


def _get(row, name: str, default=None):
    if isinstance(row, pd.Series | Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def _float(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --------------------------------------------------------------------------- describe


def describe_effect(
    row,
    *,
    lang: str = "sv",
    mde: Mapping | None = None,
    term: str = "during",
    pretrend_p_value: float | None = None,
    breakdown: float | None = None,
    family: int | None = None,
    alpha: float = 0.05,
) -> Finding:
    """One headline row of :func:`~pilot_eval.estimate.effects.pilot_effects` in words.

    Parameters
    ----------
    row : Series or mapping
        One row of ``pilot_effects(...).tidy()`` (outcome, term, estimate, conf_low,
        conf_high, p_value, inference, …), normally the headline (randomization
        inference) row, with ``p_value_fwer`` when the outcome belongs to the report's
        family of primary outcomes. Shares are proportions (0.025 = 2.5 percentage
        points); a Poisson row (``method`` "poisson_…" or ``scale`` "ratio") is a
        proportional change (0.12 = 12 % more).
    lang : {"sv", "en"}, default "sv"
    mde : mapping, optional
        ``{"mde_increase": …, "mde_decrease": …}`` in the outcome's units (the decrease
        may be negative; NaN = not detectable), optionally ``"power"`` (default 0.8). Adds
        the sentence on what the study can detect.
    term : {"during", "after"}, default "during"
        The effect described. Must match the row's ``term`` where it has one.
    pretrend_p_value : float, optional
        The pre-trend test of the outcome (full-rank covariance,
        :func:`pilot_eval.estimate.sensitivity.pretrend_test`). At or below ``alpha`` the
        verdict is "differed_before", whatever the effect.
    breakdown : float, optional
        The breakdown value M̄ of :func:`pilot_eval.estimate.sensitivity.honest_did`
        (relative magnitudes): said for a clear change.
    family : int, optional
        How many effects the family-wise p-value adjusts for (said in the text).
    alpha : float, default 0.05

    The verdict (:data:`VERDICTS`, docs/estimation.md "Verdicts"):

    * pre-test rejects → ``"differed_before"``;
    * else the family-wise p-value (``p_value_fwer``; the row's own ``p_value`` when it
      has none) at or below ``alpha`` and the interval on one side of 0 →
      ``"clear_increase"`` / ``"clear_decrease"``;
    * else ``"no_clear_difference"``.

    Examples
    --------
    >>> f = describe_effect({"outcome": "days_to_fill", "term": "during", "estimate": 12.49,
    ...                      "conf_low": 5.59, "conf_high": 19.61, "p_value": 1 / 56,
    ...                      "p_value_fwer": 0.036, "inference": "randomization_inference"},
    ...                     lang="en", family=6)
    >>> f.verdict, f.unit, f.for_recruitment, f.tag
    ('clear_increase', 'days', 'worse', 'clear increase')
    >>> print(f.headline.replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    During the pilot, filling a post took on average 12.5 days longer in the pilot administrations,
    compared with the trend in the other administrations.
    """
    check_lang(lang)
    outcome = str(_get(row, "outcome"))
    if outcome not in _TEXTS:
        raise ValueError(f"describe_effect: no wording for outcome {outcome!r}; known: {', '.join(_TEXTS)}")
    if term not in ("during", "after"):
        raise ValueError(f"term must be 'during' or 'after', not {term!r}")
    row_term = _get(row, "term")
    if not _missing(row_term) and str(row_term) != term:
        raise ValueError(
            f"describe_effect: the row of {outcome!r} is the {row_term!r} effect; pass term={str(row_term)!r}"
        )
    text = _TEXTS[outcome]
    if _is_ratio(row):
        if text.up_ratio is None:
            raise ValueError(f"describe_effect: no ratio wording for outcome {outcome!r}")
        text = replace(as_ratio(text), up=text.up_ratio, down=text.down_ratio)
    est = _float(_get(row, "estimate")) * text.scale
    if math.isnan(est):
        raise ValueError(f"describe_effect: the row of {outcome!r} has no estimate")
    low = _float(_get(row, "conf_low")) * text.scale
    high = _float(_get(row, "conf_high")) * text.scale
    p = _float(_get(row, "p_value"))
    p_fwer = _float(_get(row, "p_value_fwer"))
    p_verdict = p if math.isnan(p_fwer) else p_fwer
    pre = _float(pretrend_p_value)
    one_side = not (math.isnan(low) or math.isnan(high) or low <= 0 <= high)

    for_recruitment = None
    if not math.isnan(pre) and pre <= alpha:
        verdict = "differed_before"
    elif one_side and not math.isnan(p_verdict) and p_verdict <= alpha:
        verdict = "clear_increase" if low > 0 else "clear_decrease"
        for_recruitment = "better" if (verdict == "clear_increase") == text.up_is_better else "worse"
    else:
        verdict = "no_clear_difference"

    details = [_few_administrations(row, p, est, low, high, lang)]
    if verdict in ("clear_increase", "clear_decrease") and not _missing(breakdown):
        details.append(_sensitivity_sentence(float(breakdown), lang))
    if mde is not None:
        details.append(_mde_sentence(text, mde, lang))
    n_family = family if family else None
    return Finding(
        outcome=outcome,
        title=text.title[index(lang)],
        headline=_headline(text, est, term, lang),
        uncertainty=_uncertainty(text, low, high, verdict, for_recruitment, lang, one_side=one_side, family=n_family),
        detail=" ".join(d for d in details if d) or None,
        estimate=est,
        conf_low=low,
        conf_high=high,
        p_value=p,
        unit=text.unit,
        verdict=verdict,
        term=term,
        lang=lang,
        for_recruitment=for_recruitment,
        p_value_fwer=p_fwer,
        pretrend_p_value=pre,
        breakdown=_float(breakdown),
        family=n_family,
    )


def _headline(text: _Text, est: float, term: str, lang: str) -> str:
    i = index(lang)
    when = T.TERMS[term][i]
    if _rounds_to_zero(est, text.decimals):
        return T.HEADLINE["near_zero"][i].format(when=when, topic=text.topic[i])
    # applicants: "1,68 färre sökande", not "1,68 sökande per annons färre sökande"
    size = _fmt(est, text, lang, unit=text.unit != "count")
    clause = (text.up if est > 0 else text.down)[i].format(x=size)
    return T.HEADLINE["change"][i].format(when=when, clause=clause)


def _uncertainty(
    text: _Text,
    low: float,
    high: float,
    verdict: str,
    for_recruitment: str | None,
    lang: str,
    *,
    one_side: bool,
    family: int | None,
) -> str:
    i = index(lang)
    words = T.UNCERTAINTY
    topic = text.topic[i]
    if math.isnan(low) or math.isnan(high):
        return words["not_computed"][i].format(topic=topic)
    interval = _interval_sentence(text, low, high, lang)
    side = words["above" if low > 0 else "below"][i]
    n_family = _number_words(family, lang) if family else T.SMALL_NUMBERS["several"][i]
    if verdict == "differed_before":
        return interval + " " + words["differed_before"][i]
    if verdict == "no_clear_difference":
        if one_side:  # on its own the interval excludes 0; the family-wise test does not
            return interval + " " + words["not_in_family"][i].format(side=side, family=n_family, topic=topic)
        allowed = words["or"][i].join(_bound_phrase(text, b, lang) for b in (low, high) if b != 0)
        if not allowed:
            return interval
        return interval + " " + words["no_clear_difference"][i].format(allowed=allowed, topic=topic)
    increase = verdict == "clear_increase"
    led_to = (text.led_to_up if increase else text.led_to_down)[i]
    judgement = words["helps" if for_recruitment == "better" else "hinders"][i]
    clear = words["clear"][i].format(side=side, family=n_family) if family else ""
    return " ".join(
        part for part in (interval, clear, words["led_to"][i].format(led_to=led_to, judgement=judgement)) if part
    )


def _sensitivity_sentence(breakdown: float, lang: str) -> str:
    """How far the conclusion survives a break of parallel trends (breakdown M̄)."""
    i = index(lang)
    if not breakdown > 0:
        return T.SENSITIVITY["fragile"][i]
    return T.SENSITIVITY["holds_up_to"][i].format(m=format_number(breakdown, lang, decimals=1))


def _interval_sentence(text: _Text, low: float, high: float, lang: str) -> str:
    i = index(lang)
    if math.isinf(low) and math.isinf(high):
        return T.INTERVAL["no_limits"][i]
    if math.isinf(low):
        return T.INTERVAL["no_lower"][i].format(up_to=_fmt(high, text, lang, signed=True))
    if math.isinf(high):
        return T.INTERVAL["no_upper"][i].format(start=_fmt(low, text, lang, signed=True))
    start, end = _fmt(low, text, lang, unit=False, signed=True), _fmt(high, text, lang, signed=True)
    return T.INTERVAL["both"][i].format(start=start, end=end)


def _bound_phrase(text: _Text, bound: float, lang: str) -> str:
    direction = "increase" if bound > 0 else "decrease"
    if math.isinf(bound):
        return T.BOUNDS[f"{direction}_any"][index(lang)]
    return T.BOUNDS[direction][index(lang)].format(size=_fmt(bound, text, lang))


def _few_administrations(row, p: float, est: float, low: float, high: float, lang: str) -> str | None:
    """The "only 3 of 8" sentence, when the p-value is at its floor or the interval is wide."""
    inference = _get(row, "inference")
    n_assign = _float(_get(row, "n_assignments"))
    if math.isnan(n_assign):
        n_assign = _N_ASSIGNMENTS
    randomization = _missing(inference) or str(inference) == HEADLINE_INFERENCE
    at_floor = randomization and not math.isnan(p) and p <= 1 / n_assign + 1e-9
    wide = not (math.isfinite(low) and math.isfinite(high)) or (high - low) > abs(est)
    others = int(n_assign) - 1
    if at_floor:
        return T.FEW_ADMINISTRATIONS["at_floor"][index(lang)].format(others=others, n_pilot=_N_PILOT, n_all=_N_ALL)
    if wide:
        return T.FEW_ADMINISTRATIONS["wide"][index(lang)].format(n_pilot=_N_PILOT, n_all=_N_ALL)
    return None


def _power_words(power: float, lang: str) -> str:
    """How often the study detects an effect, in words: "i 8 fall av 10", "i 85 % av fallen"."""
    i = index(lang)
    power = 0.8 if math.isnan(power) else power
    tenths = power * 10
    if abs(tenths - round(tenths)) < 1e-9:
        return T.MDE["power_tenths"][i].format(k=int(round(tenths)))
    return T.MDE["power_percent"][i].format(pct=format_percent(power, lang))


def _mde_sentence(text: _Text, mde: Mapping, lang: str) -> str:
    up = abs(_float(mde.get("mde_increase"))) * text.scale
    down = abs(_float(mde.get("mde_decrease"))) * text.scale
    i = index(lang)
    power = _power_words(_float(mde.get("power", 0.8)), lang)
    if math.isnan(up) and math.isnan(down):
        return T.MDE["none"][i]
    if math.isnan(down):
        return T.MDE["increase_only"][i].format(size=_fmt(up, text, lang), power=power)
    if math.isnan(up):
        return T.MDE["decrease_only"][i].format(size=_fmt(down, text, lang), power=power)
    return T.MDE["both"][i].format(up=_fmt(up, text, lang), down=_fmt(down, text, lang), power=power)


# --------------------------------------------------------------------------- summarise


def _mde_lookup(mde, outcome: str) -> dict | None:
    """The MDEs of one outcome from a long table (outcome, term, estimate), a wide one
    (outcome → mde_increase, mde_decrease) or a dict outcome → dict."""
    if mde is None:
        return None
    if isinstance(mde, pd.DataFrame):
        if {"outcome", "term", "estimate"} <= set(mde.columns):
            rows = mde.loc[mde["outcome"].astype(str) == outcome]
            if rows.empty:
                return None
            out = {str(t): _float(e) for t, e in zip(rows["term"], rows["estimate"], strict=True)}
            if "power" in rows.columns:
                out["power"] = _float(rows["power"].iloc[0])
            return out
        wide = mde.set_index("outcome") if "outcome" in mde.columns else mde
        if outcome not in wide.index:
            return None
        return {str(k): _float(v) for k, v in wide.loc[outcome].items()}
    found = mde.get(outcome)
    return None if found is None else dict(found)


def summarise(
    effects_tidy: pd.DataFrame,
    *,
    lang: str = "sv",
    mde=None,
    term: str = "during",
    outcomes: Sequence[str] = SUMMARY_OUTCOMES,
    pretrends: Mapping[str, float] | None = None,
    breakdowns: Mapping[str, float] | None = None,
    family: int | None = None,
) -> list[Finding]:
    """The findings of the summary page, one per outcome, in the order of ``outcomes``.

    Parameters
    ----------
    effects_tidy : DataFrame
        ``pilot_effects(...).tidy()``. The headline rows are used (``headline`` true, or
        ``inference`` = the headline inference when there is no such column).
    lang : {"sv", "en"}, default "sv"
    mde : DataFrame or mapping, optional
        Minimum detectable effects by outcome: the long table of
        :func:`pilot_eval.estimate.mde.stored_mde` (outcome, term, estimate), a wide one
        (outcome → mde_increase, mde_decrease), or a dict outcome → {"mde_increase": …,
        "mde_decrease": …}.
    term : {"during", "after"}, default "during"
    outcomes : sequence of str
        Outcomes in reading order (default :data:`SUMMARY_OUTCOMES`); those missing from
        the table are skipped. At most five findings are returned (a two-minute read).
    pretrends, breakdowns : mapping outcome → float, optional
        Each outcome's pre-trend p-value and breakdown M̄ (see :func:`describe_effect`).
    family : int, optional
        The number of effects the family-wise p-values adjust for; default the number of
        rows with a ``p_value_fwer`` among the headline rows.

    Returns
    -------
    list of Finding
        Three to five findings when the table has at least three of the outcomes.
    """
    check_lang(lang)
    table = effects_tidy
    if "headline" in table.columns:
        table = table.loc[table["headline"].astype(bool)]
    elif "inference" in table.columns:
        table = table.loc[table["inference"].astype(str) == HEADLINE_INFERENCE]
    if family is None and "p_value_fwer" in table.columns:
        family = int(table["p_value_fwer"].notna().sum()) or None
    if "term" in table.columns:
        table = table.loc[table["term"].astype(str) == term]
    out = []
    for outcome in outcomes:
        rows = table.loc[table["outcome"].astype(str) == outcome]
        if rows.empty:
            continue
        out.append(
            describe_effect(
                rows.iloc[0],
                lang=lang,
                mde=_mde_lookup(mde, outcome),
                term=term,
                pretrend_p_value=(pretrends or {}).get(outcome),
                breakdown=(breakdowns or {}).get(outcome),
                family=family,
            )
        )
        if len(out) == 5:
            break
    return out


# --------------------------------------------------------------------------- what was done


#: Counts below this are printed exactly in running text; larger ones rounded (:func:`count_text`).
EXACT_BELOW = 100


def count_text(n, lang: str = "sv", min_count: int = 5) -> str:
    """A count for running text: none, "färre än 5" for 1–4, exact below 100, rounded
    above ("omkring 230", "omkring 2 300").

    >>> [count_text(n) for n in (0, 3, 42, 234, 2345)]
    ['inga', 'färre än 5', '42', 'omkring 230', 'omkring 2\\xa0300']
    >>> count_text(3, "en")
    'fewer than 5'
    """
    i = index(lang)
    n = round(float(n))
    if n <= 0:
        return T.COUNTS["none"][i]
    if n < min_count:
        return T.COUNTS["few"][i].format(min_count=min_count)
    if n < EXACT_BELOW:
        return format_number(n, lang)
    step = 10 if n < 1000 else 100
    return T.COUNTS["about"][i].format(n=format_number(int(math.floor(n / step + 0.5) * step), lang))


def _date_text(d, lang: str) -> str:
    """A date in running text: "den 1 oktober 2023" / "1 October 2023"."""
    return T.DATES["on"][index(lang)].format(date=date_text(d, lang))


def _running(label: str, lang: str) -> str:
    """A label inside a sentence: Swedish lower case first letter (not in an acronym such
    as "VFU"); English lower case except for administrations' names, which the caller
    leaves alone."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _and_list(items: Sequence[str], lang: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    i = index(lang)
    word = T.LISTS["and"][i]
    if lang == "en":
        return ", ".join(items[:-1]) + (f", {word} " if len(items) > 2 else f" {word} ") + items[-1]
    # "a, b och c", but "a, b samt c" when an item has an "och" of its own
    if any(f" {word} " in item for item in items):
        word = T.LISTS["and_also"][i]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def what_was_done(coverage, *, lang: str = "sv", min_count: int = 5, count=None, brief: bool = False) -> str:
    """A short paragraph on what the pilot did, from
    :func:`~pilot_eval.measures.coverage.pilot_coverage`.

    Uses only municipality-wide sums of the coverage tables (never an administration ×
    year cell) and prints counts through :func:`count_text`: 1 to ``min_count − 1`` as
    "färre än 5", large counts rounded. The share of new hires checked is given only
    with a denominator of at least 10. Check outcomes are not in the coverage tables
    and never appear.

    Parameters
    ----------
    coverage : PilotCoverage or mapping
        The tables ``rollout``, ``checks_by_type``, ``hires_checked`` and
        ``roles_covered``.
    lang : {"sv", "en"}, default "sv"
    min_count : int, default 5
        Counts below it (and above 0) are not printed.
    count : callable, optional
        ``count(n, measure, groups)``: the words for a count, which a report registers in
        its disclosure ledger (``ctx.count``: the key is that of the cell of the table on
        page 06 that shows the same number). Default :func:`count_text`.
    brief : bool, default False
        The summary's short version: without the role groups with most checks and the
        sentence on police register extracts (page 06 has both).
    """
    i = index(lang)
    words = T.WHAT_WAS_DONE
    if count is None:

        def count(n, measure, groups=None):
            return count_text(n, lang, min_count)

    rollout = coverage["rollout"]
    checks = coverage["checks_by_type"]
    sentences = []
    starts = (
        pd.to_datetime(rollout["start_date"])
        .groupby(rollout["administration"].astype(str))
        .min()
        .sort_values(kind="stable")
    )
    admins = list(starts.index)
    if admins:
        sentences += _who_and_when(rollout, starts, lang)
    else:
        sentences.append(words["empty"][i])

    # how many checks of which kind: municipality-wide sums only
    ctype = checks["check_type"].astype(str)
    n_court = int(checks.loc[ctype == "court_records", "n_checks"].sum())
    n_credit = int(checks.loc[ctype == "court_and_credit", "n_checks"].sum())
    n_register = int(checks.loc[ctype.str.startswith("register_"), "n_checks"].sum())
    if n_court + n_credit == 0:
        sentences.append(words["no_deepened_checks"][i])
    else:
        # the court-only checks are the difference of the two printed counts
        court = count(n_court, "n_checks", {"check_type": "court_records"})
        deep = count(n_court + n_credit, "n_checks", {"check_type": "court_records+court_and_credit"})
        court_hidden = 0 < n_court < min_count or court != count_text(n_court, lang, min_count)
        sum_exact = n_court + n_credit < EXACT_BELOW and deep == count_text(n_court + n_credit, lang, min_count)
        if court_hidden and sum_exact:
            deep = WITHHELD_COUNT["secondary"][i]  # the exact sum and its other part would give it back
        deep = deep[0].upper() + deep[1:]
        credit = count(n_credit, "n_checks", {"check_type": "court_and_credit"})
        top = [] if brief else _top_roles(coverage["roles_covered"], lang, min_count)
        most = words["most_in_roles"][i].format(roles=_and_list(top, lang)) if top else ""
        sentences.append(words["deepened_checks"][i].format(deep=deep, credit=credit, most=most))
    share = _share_hires_checked(coverage["hires_checked"], admins)
    if share is not None:
        sentences.append(words["share_of_hires"][i].format(pct=format_percent(share, lang)))
    if n_register > 0 and not brief:
        years = pd.to_numeric(checks.loc[ctype.str.startswith("register_"), "year"], errors="coerce").dropna()
        span = ""
        if len(years):
            first, last = int(years.min()), int(years.max())
            span = f" ({first}–{last})" if first != last else f" ({first})"
        many = count(n_register, "n_checks", {"check_type": "register_extracts"})
        sentences.append(words["register_extracts"][i].format(span=span, many=many))
    return " ".join(sentences)


def _who_and_when(rollout: pd.DataFrame, starts: pd.Series, lang: str) -> list[str]:
    """Which administrations, from when to when, for whom and with which check."""
    i = index(lang)
    words = T.WHAT_WAS_DONE
    names = {
        a: _running(value_label("administration", a, lang), lang)
        if lang == "sv"
        else value_label("administration", a, lang)
        for a in starts.index
    }
    if starts.nunique() == 1:
        where = words["piloted_in_from"][i].format(
            names=_and_list(list(names.values()), lang), start=_date_text(starts.iloc[0], lang)
        )
    else:
        parts = [
            words["administration_from"][i].format(name=names[a], start=_date_text(s, lang)) for a, s in starts.items()
        ]
        where = words["piloted_in"][i].format(parts=_and_list(parts, lang))
    ends = pd.to_datetime(rollout["end_date"])
    last = _date_text(ends.max(), lang) if ends.notna().any() else ""
    if ends.isna().all():
        when = words["still_running"][i]
    elif ends.notna().all() and ends.nunique() == 1:
        when = words["until"][i].format(last=last)
    elif ends.notna().all():
        when = words["until_latest"][i].format(last=last)
    else:
        when = words["ended_in_some"][i].format(last=last)
    out = [where + when]

    def scope_label(s: str) -> str:
        return _running(value_label("scope", s, lang), lang)

    present = set(rollout["scope"].astype(str))
    scopes = _and_list(
        [scope_label(s) for s in ("new_hires", "placements", "managers_financial") if s in present], lang
    )
    groups = set(rollout["role_group"].astype(str))
    if groups <= {"all", "alla"}:
        roles = words["all_roles"][i]
    else:
        labels = _and_list([_running(value_label("role_group", g, lang), lang) for g in sorted(groups)], lang)
        roles = words["roles"][i].format(roles=labels)
    out.append(words["covered"][i].format(scopes=scopes, roles=roles))
    credit = rollout["check_type"].astype(str) == "court_and_credit"
    credit_scopes = _and_list([scope_label(s) for s in sorted(set(rollout.loc[credit, "scope"].astype(str)))], lang)
    if credit_scopes:
        out.append(words["check_and_credit"][i].format(scopes=credit_scopes))
    else:
        out.append(words["check"][i])
    return out


def _top_roles(roles: pd.DataFrame, lang: str, min_count: int, k: int = 3) -> list[str]:
    """The role groups with the most deepened checks (names only; at least ``min_count``
    checks each; "other" left out)."""
    if roles is None or roles.empty:
        return []
    by_role = roles.groupby(roles["role_group"].astype(str))["n"].sum()
    by_role = by_role.loc[(by_role >= min_count) & ~by_role.index.isin(["other", "all"])]
    top = by_role.sort_values(ascending=False, kind="stable").index[:k]
    return [_running(value_label("role_group", g, lang), lang) for g in top]


def _share_hires_checked(hires: pd.DataFrame, admins: Sequence[str], min_denominator: int = 10) -> float | None:
    if hires is None or hires.empty or not admins:
        return None
    during = hires.loc[(hires["phase"].astype(str) == "during") & hires["administration"].astype(str).isin(admins)]
    n = float(during["n_hires"].sum())
    if n < min_denominator:
        return None
    return float(during["n_hires_with_court_check"].sum()) / n


# --------------------------------------------------------------------------- caveats and methods


def cannot_tell(
    *, lang: str = "sv", pilot_ended: bool = True, law_change_in_window: bool = False, demo: bool = False
) -> list[str]:
    """What the data cannot tell: three to five items of one or two plain sentences.

    Parameters
    ----------
    lang : {"sv", "en"}, default "sv"
    pilot_ended : bool, default True
        Whether the pilot has ended (2024-12-31 in the roll-out).
    law_change_in_window : bool, default False
        Whether the report's period reaches the 2026-03-01 law change; if so, say that
        the time after 2026-02-28 is left out of the comparison.
    demo : bool, default False
        The report runs on the synthetic demo export: the first item says so
        (:data:`DEMO_DISCLAIMER`).

    Examples
    --------
    >>> print(cannot_tell(demo=True)[0])  # doctest: +NORMALIZE_WHITESPACE
    Siffrorna i denna rapport bygger på syntetiska demonstrationsdata, inte på verkliga uppgifter
    från Botkyrka kommun.
    """
    i = index(lang)
    words = T.CANNOT_TELL
    items = [words["demo"][i]] if demo else []
    items.append(words["few_administrations"][i].format(n_pilot=_N_PILOT, n_all=_N_ALL))
    items.append(words["other_changes"][i])
    items.append(words["withdrawal_reasons"][i])
    time_item = words["pilot_ended" if pilot_ended else "pilot_running"][i]
    if law_change_in_window:
        time_item += " " + words["law_change"][i]
    items.append(time_item)
    return items


def _number_words(n: int, lang: str) -> str:
    """A small count in words ("tre"), a larger one in figures."""
    return T.SMALL_NUMBERS[n][index(lang)] if n in T.SMALL_NUMBERS else format_number(n, lang)


def family_note(results: Sequence[Finding], *, lang: str = "sv") -> str:
    """The sentence before the summary's verdicts: which outcomes are judged, how many
    effects are tested together, and what a clear difference needs.

    >>> f = Finding("x", "T", "H.", "U.", None, 1.0, 0.0, 2.0, 0.1, "days", "no_clear_difference", family=3)
    >>> "alla tre prövas samtidigt" in family_note([f])
    True
    """
    check_lang(lang)
    family = next((f.family for f in results if f.family), None)
    key = "family" if family else "no_family"
    n = _number_words(family, lang) if family else ""
    return T.VERDICT_NOTE[key][index(lang)].format(n=n)


def pretrend_sentence(p_values: Mapping[str, float], *, lang: str = "sv", alpha: float = 0.05) -> str:
    """What the pre-trend tests of the primary outcomes (outcome → p-value) say, in one
    sentence: none rejects, or which outcomes already differed before the pilot."""
    check_lang(lang)
    i = index(lang)
    differed = [o for o, p in p_values.items() if not math.isnan(_float(p)) and _float(p) <= alpha]
    if not differed:
        return T.PRETRENDS["none"][i]
    topics = _and_list([_TEXTS[o].topic[i] for o in differed if o in _TEXTS], lang)
    return T.PRETRENDS["some"][i].format(topics=topics)


def leave_one_out_sentence(overview: pd.DataFrame, *, lang: str = "sv") -> str:
    """The spread of each primary outcome's effect when one administration is left out
    (:func:`pilot_eval.report.sections.leave_one_out_overview`: first row all eight,
    columns ``effect_<question>`` in the reader's units), and which administration moves
    it most."""
    check_lang(lang)
    i = index(lang)
    parts = []
    from ..estimate.effects import PRIMARY_OUTCOMES

    for column in [c for c in overview.columns if c.startswith("effect_")]:
        outcome = PRIMARY_OUTCOMES.get(column.removeprefix("effect_"))
        if outcome not in _TEXTS:
            continue
        values = overview[column].to_numpy(dtype=float)
        full, rest = values[0], values[1:]
        if not np.isfinite(rest).any():
            continue
        moved = int(np.nanargmax(np.abs(rest - full)))
        unit = T.LEAVE_ONE_OUT_UNITS[_reader_unit(outcome)][i]
        parts.append(
            T.LEAVE_ONE_OUT["spread"][i].format(
                topic=_TEXTS[outcome].topic[i],
                low=format_number(np.nanmin(rest), lang, decimals=1),
                high=format_number(np.nanmax(rest), lang, decimals=1),
                unit=unit,
                admin=str(overview.iloc[1 + moved, 0]),
            )
        )
    return " ".join(parts)


def _reader_unit(outcome: str) -> str:
    from ..estimate.poisson import COUNT_OUTCOMES

    return "percent" if outcome in COUNT_OUTCOMES else _TEXTS[outcome].unit


def placebo_sentence(placebo: pd.DataFrame, *, lang: str = "sv", alpha: float = 0.05) -> str:
    """What the fake pilot starts say (:func:`pilot_eval.report.sections.placebo_in_time_overview`):
    none tells an effect apart from chance, or how many do."""
    check_lang(lang)
    i = index(lang)
    p = placebo["p_value"].to_numpy(dtype=float)
    hits = int((p <= alpha).sum())
    if hits == 0:
        return T.PLACEBO["none"][i]
    return T.PLACEBO["some"][i].format(k=format_number(hits, lang), n=format_number(len(p), lang))


#: Why the headline uses randomization inference, (Swedish, English) for the methods page.
HEADLINE_REASON = T.HEADLINE_REASON


def methods_note(*, lang: str = "sv") -> str:
    """How the effects were estimated, in three plain sentences. The headline inference is
    randomization inference (:data:`pilot_eval.estimate.effects.HEADLINE_REASON`).

    >>> methods_note().count(".")
    3
    """
    if HEADLINE_INFERENCE != "randomization_inference":  # pragma: no cover - guards the wording
        raise RuntimeError(f"methods_note describes randomization inference, not {HEADLINE_INFERENCE!r}")
    return T.METHODS["note"][index(lang)].format(n_assignments=_N_ASSIGNMENTS)
