"""The summary for politicians: what was done, what we found, and what the data cannot tell.

The quarterly report's first page ("Sammanfattning") is read by councillors in two
minutes (DESIGN.md §2, §7). This module turns the headline table of
:func:`pilot_eval.estimate.effects.pilot_effects` and the coverage tables of
:func:`pilot_eval.measures.coverage.pilot_coverage` into short sentences in plain
Swedish (klarspråk; English with ``lang="en"``):

* :func:`what_was_done` — one paragraph: which administrations, when, for whom, how many
  checks of which kind (protected counts: 1–4 never printed, large counts rounded);
* :func:`summarise` — three to five :class:`Finding` objects, one per main outcome, each
  with its size and direction, its uncertainty in words and, given the stored minimum
  detectable effects (:func:`pilot_eval.estimate.mde.stored_mde`), what the study could
  have found at all;
* :func:`cannot_tell` — what the data cannot tell;
* :func:`methods_note` — how the effects were estimated, in three sentences.

Wording rules (tested):

* The headline inference is randomization inference over the 56 ways of picking 3 of
  the 8 administrations (:data:`pilot_eval.estimate.effects.HEADLINE_REASON`). An
  interval that contains 0 is **no clear effect**: the text says that we cannot rule out
  that the pilot had no effect *and* how large an effect in either direction the
  interval still allows. An interval that excludes 0 is worded cautiously ("tyder på",
  "troligen"), never "bevisar".
* p-values are never printed, so they cannot be read as the probability that an effect
  is real.
* "Bara 3 av 8 förvaltningar" is said whenever the p-value is at its floor (1/56: the
  strongest evidence the design can give) or the interval is wide (wider than the
  estimate is large, or unbounded).
* Numbers in the reader's format (:func:`pilot_eval.labels.format_number`): shares in
  percentage points with one decimal, days with one decimal, applicants per advert with
  two; "osäkerhetsintervall", never "konfidensintervall" or "signifikant".

Examples
--------
>>> row = {"outcome": "late_withdrawal", "term": "during", "estimate": 0.025, "conf_low": -0.01,
...        "conf_high": 0.06, "p_value": 0.2, "inference": "randomization_inference"}
>>> f = describe_effect(row)
>>> f.verdict
'no_clear_effect'
>>> "2,5\\xa0procentenheter" in f.headline
True
>>> "inte utesluta" in f.uncertainty
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..estimate.effects import HEADLINE_INFERENCE
from ..labels import (
    LANGUAGES,
    format_number,
    format_percent,
    measure_title,
    value_label,
)

__all__ = [
    "DEMO_DISCLAIMER",
    "SUMMARY_OUTCOMES",
    "VERDICTS",
    "Finding",
    "cannot_tell",
    "count_text",
    "describe_effect",
    "methods_note",
    "summarise",
    "what_was_done",
]

#: The possible verdicts of a finding.
VERDICTS = ("no_clear_effect", "likely_increase", "likely_decrease")

#: The outcomes of the summary, in the order of the council's questions.
SUMMARY_OUTCOMES = (
    "days_unfilled_90",
    "filled_within_90",
    "late_withdrawal",
    "qualified_applicants_per_vacancy",
    "offer_acceptance",
)

#: The sentence :func:`cannot_tell` puts first when the report runs on the demo export.
DEMO_DISCLAIMER = {
    "sv": (
        "Siffrorna i denna rapport bygger på syntetiska demonstrationsdata, inte på verkliga uppgifter "
        "från Botkyrka kommun."
    ),
    "en": (
        "The figures in this report are based on synthetic demonstration data, not on real records "
        "from Botkyrka kommun."
    ),
}

_N_PILOT, _N_ALL = 3, 8
_N_ASSIGNMENTS = math.comb(_N_ALL, _N_PILOT)  # 56


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


def _say(lang: str, sv: str, en: str) -> str:
    """The Swedish or the English text."""
    return sv if _check_lang(lang) == "sv" else en


# --------------------------------------------------------------------------- outcome texts


@dataclass(frozen=True)
class _Text:
    """How one outcome is spoken of. ``unit`` is the reader's unit; ``scale`` turns the
    estimate into it; ``up_is_better`` says which direction helps recruitment. Every text
    is a (Swedish, English) pair; the headline clauses take ``{x}``, the size."""

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


def _share(title, topic, subject, up_is_better, more, fewer) -> _Text:
    return _Text(
        unit="pp",
        scale=100.0,
        decimals=1,
        up_is_better=up_is_better,
        title=title,
        topic=topic,
        up=(f"var {subject[0]} {{x}} högre", f"{subject[1]} was {{x}} higher"),
        down=(f"var {subject[0]} {{x}} lägre", f"{subject[1]} was {{x}} lower"),
        led_to_up=more,
        led_to_down=fewer,
    )


def _filled(days: int) -> _Text:
    share = (f"andelen tjänster som tillsattes inom {days} dagar", f"the share of posts filled within {days} days")
    return _share(
        (f"Tillsatt inom {days} dagar", f"Filled within {days} days"),
        share,
        share,
        True,
        (f"att fler tjänster tillsattes inom {days} dagar", f"more posts being filled within {days} days"),
        (f"att färre tjänster tillsattes inom {days} dagar", f"fewer posts being filled within {days} days"),
    )


def _applicants(qualified: bool) -> _Text:
    sv = "behöriga sökande" if qualified else "sökande"
    en = "qualified applicants" if qualified else "applicants"
    return _Text(
        unit="count",
        scale=1.0,
        decimals=2,
        up_is_better=True,
        title=(sv.capitalize() + " per annons", en.capitalize() + " per advert"),
        topic=(f"antalet {sv} per annons", f"the number of {en} per advert"),
        up=(f"fick varje annons i snitt {{x}} fler {sv}", f"each advert drew on average {{x}} more {en}"),
        down=(f"fick varje annons i snitt {{x}} färre {sv}", f"each advert drew on average {{x}} fewer {en}"),
        led_to_up=(f"fler {sv} per annons", f"more {en} per advert"),
        led_to_down=(f"färre {sv} per annons", f"fewer {en} per advert"),
    )


def _days(title, topic, action, longer, shorter) -> _Text:
    return _Text(
        unit="days",
        scale=1.0,
        decimals=1,
        up_is_better=False,
        title=title,
        topic=topic,
        up=(f"tog det i snitt {{x}} längre tid {action[0]}", f"{action[1]} took on average {{x}} longer"),
        down=(f"tog det i snitt {{x}} kortare tid {action[0]}", f"{action[1]} took on average {{x}} less"),
        led_to_up=longer,
        led_to_down=shorter,
    )


_TEXTS: dict[str, _Text] = {
    "days_unfilled_90": _days(
        (measure_title("time_to_fill"), measure_title("time_to_fill", "en")),
        ("tiden till tillsättning", "the time to fill a post"),
        ("att tillsätta en tjänst (räknat upp till 90 dagar)", "filling a post, counted up to 90 days,"),
        longer=("längre tid till tillsättning", "a longer time to fill posts"),
        shorter=("kortare tid till tillsättning", "a shorter time to fill posts"),
    ),
    "filled_within_60": _filled(60),
    "filled_within_90": _filled(90),
    "late_withdrawal": _share(
        ("Återtagna ansökningar", "Withdrawn applications"),
        (
            "hur många sökande som återtog sin ansökan sent i processen",
            "how many applicants withdrew late in the process",
        ),
        (
            "andelen sökande som återtog sin ansökan sent i processen (från intervju och framåt)",
            "the share of applicants who withdrew late in the process (at or after interview)",
        ),
        False,
        ("att fler sökande återtog sin ansökan sent i processen", "more applicants withdrawing late in the process"),
        ("att färre sökande återtog sin ansökan sent i processen", "fewer applicants withdrawing late in the process"),
    ),
    "applicants_per_vacancy": _applicants(False),
    "qualified_applicants_per_vacancy": _applicants(True),
    "offer_acceptance": _share(
        ("Accepterade erbjudanden", "Accepted offers"),
        ("hur många som tackade ja till ett erbjudande om anställning", "how many candidates accepted a job offer"),
        ("andelen erbjudanden om anställning som accepterades", "the share of job offers accepted"),
        True,
        ("att fler tackade ja till erbjudanden om anställning", "more candidates accepting job offers"),
        ("att fler tackade nej till erbjudanden om anställning", "more candidates turning job offers down"),
    ),
    "register_check_days": _days(
        ("Väntan på registerutdrag", "Waiting for police register extracts"),
        ("väntan på registerutdrag", "the wait for police register extracts"),
        ("att få ett registerutdrag från polisen", "getting a police register extract"),
        longer=("längre väntan på registerutdrag", "a longer wait for police register extracts"),
        shorter=("kortare väntan på registerutdrag", "a shorter wait for police register extracts"),
    ),
}

_UNIT_WORDS = {"pp": "percentage_points", "days": "days", "count": None}
_COUNT_UNIT = {"sv": "sökande per annons", "en": "applicants per advert"}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGUAGES.index(_check_lang(lang))]


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
    if unit and text.unit == "count":
        out = f"{out}\u00a0{_COUNT_UNIT[lang]}"
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


def describe_effect(row, *, lang: str = "sv", mde: Mapping | None = None, term: str = "during") -> Finding:
    """One headline row of :func:`~pilot_eval.estimate.effects.pilot_effects` in words.

    Parameters
    ----------
    row : Series or mapping
        One row of ``pilot_effects(...).tidy()`` (outcome, term, estimate, conf_low,
        conf_high, p_value, inference, …), normally the headline (randomization
        inference) row. Shares are proportions (0.025 = 2.5 percentage points).
    lang : {"sv", "en"}, default "sv"
    mde : mapping, optional
        ``{"mde_increase": …, "mde_decrease": …}`` in the outcome's units (as
        :func:`pilot_eval.estimate.mde.stored_mde`; the decrease may be negative; NaN =
        not detectable), optionally ``"power"`` (default 0.8). Adds the sentence on what
        the study can detect.
    term : {"during", "after"}, default "during"
        The effect described: during the pilot or after it ended. Must match the row's
        ``term`` where it has one.

    Returns
    -------
    Finding

    Examples
    --------
    >>> f = describe_effect({"outcome": "days_unfilled_90", "term": "during", "estimate": 12.49,
    ...                      "conf_low": 5.59, "conf_high": 19.61, "p_value": 1 / 56,
    ...                      "inference": "randomization_inference"}, lang="en")
    >>> f.verdict, f.unit, f.for_recruitment
    ('likely_increase', 'days', 'worse')
    >>> f.headline.replace("\\xa0", " ")
    'During the pilot, filling a post, counted up to 90 days, took on average 12.5 days longer in the pilot administrations, compared with the trend in the other administrations.'
    """
    _check_lang(lang)
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
    est = _float(_get(row, "estimate")) * text.scale
    if math.isnan(est):
        raise ValueError(f"describe_effect: the row of {outcome!r} has no estimate")
    low = _float(_get(row, "conf_low")) * text.scale
    high = _float(_get(row, "conf_high")) * text.scale
    p = _float(_get(row, "p_value"))

    # only an interval that excludes 0 is a likely change
    if math.isnan(low) or math.isnan(high) or low <= 0 <= high:
        verdict, for_recruitment = "no_clear_effect", None
    else:
        verdict = "likely_increase" if low > 0 else "likely_decrease"
        for_recruitment = "better" if (verdict == "likely_increase") == text.up_is_better else "worse"

    details = [_few_administrations(row, p, est, low, high, lang)]
    if mde is not None:
        details.append(_mde_sentence(text, mde, lang))
    return Finding(
        outcome=outcome,
        title=_pick(text.title, lang),
        headline=_headline(text, est, term, lang),
        uncertainty=_uncertainty(text, low, high, verdict, for_recruitment, lang),
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
    )


def _headline(text: _Text, est: float, term: str, lang: str) -> str:
    when = _pick(
        {"during": ("Under piloten", "During the pilot"), "after": ("Efter piloten", "After the pilot")}[term], lang
    )
    if _rounds_to_zero(est, text.decimals):
        return _say(
            lang,
            f"{when} skilde sig pilotförvaltningarna nästan inte alls från utvecklingen i de andra "
            f"förvaltningarna när det gäller {text.topic[0]}.",
            f"{when}, the pilot administrations hardly differed from the trend in the other "
            f"administrations in {text.topic[1]}.",
        )
    # applicants: "1,68 färre sökande", not "1,68 sökande per annons färre sökande"
    size = _fmt(est, text, lang, unit=text.unit != "count")
    clause = _pick(text.up if est > 0 else text.down, lang).format(x=size)
    return _say(
        lang,
        f"{when} {clause} i pilotförvaltningarna, jämfört med utvecklingen i de andra förvaltningarna.",
        f"{when}, {clause} in the pilot administrations, compared with the trend in the other administrations.",
    )


def _uncertainty(text: _Text, low: float, high: float, verdict: str, for_recruitment: str | None, lang: str) -> str:
    topic = _pick(text.topic, lang)
    if math.isnan(low) or math.isnan(high):
        return _say(
            lang,
            f"Osäkerheten kunde inte beräknas. Vi kan därför inte utesluta att piloten inte hade någon "
            f"effekt på {topic}, och inte heller en stor effekt åt något håll.",
            f"The uncertainty could not be computed. So we cannot rule out that the pilot had no effect "
            f"on {topic}, nor a large effect in either direction.",
        )
    if verdict == "no_clear_effect":
        allowed = [_bound_phrase(text, b, lang) for b in (low, high) if b != 0]
        also = _say(lang, " eller ", " or ").join(allowed)
        rest = _say(lang, f", men inte heller {also}", f", nor {also}") if allowed else ""
        return (
            _interval_sentence(text, low, high, lang)
            + " "
            + _say(
                lang,
                f"Vi kan alltså inte utesluta att piloten inte hade någon effekt på {topic}{rest}.",
                f"So we cannot rule out that the pilot had no effect on {topic}{rest}.",
            )
        )
    # a likely change: the whole interval on one side of zero
    increase = verdict == "likely_increase"
    side = _say(lang, "över" if increase else "under", "above" if increase else "below")
    near, far = (low, high) if increase else (high, low)
    small = _fmt(near, text, lang)
    if math.isinf(far):
        span = _say(
            lang,
            f"Vi kan inte utesluta en effekt så liten som {small}, och osäkerhetsintervallet har ingen "
            f"gräns åt andra hållet, men hela intervallet ligger {side} noll.",
            f"We cannot rule out an effect as small as {small}, and the uncertainty interval has no "
            f"limit the other way, but the whole interval lies {side} zero.",
        )
    else:
        large = _fmt(far, text, lang)
        span = _say(
            lang,
            f"Vi kan inte utesluta en effekt så liten som {small} eller så stor som {large}, men hela "
            f"osäkerhetsintervallet ligger {side} noll.",
            f"We cannot rule out an effect as small as {small} or as large as {large}, but the whole "
            f"uncertainty interval lies {side} zero.",
        )
    led_to = _pick(text.led_to_up if increase else text.led_to_down, lang)
    if for_recruitment == "better":
        judgement = _say(lang, "vilket underlättar rekryteringen", "which helps recruitment")
    else:
        judgement = _say(lang, "vilket försvårar rekryteringen", "which makes recruitment harder")
    return (
        span
        + " "
        + _say(
            lang,
            f"Det tyder på att piloten troligen ledde till {led_to}, {judgement}.",
            f"This suggests that the pilot probably led to {led_to}, {judgement}.",
        )
    )


def _interval_sentence(text: _Text, low: float, high: float, lang: str) -> str:
    if math.isinf(low) and math.isinf(high):
        return _say(
            lang,
            "Osäkerheten är så stor att uppgifterna inte sätter någon gräns för effekten åt något håll.",
            "The uncertainty is so large that the data set no limit on the effect in either direction.",
        )
    if math.isinf(low):
        up_to = _fmt(high, text, lang, signed=True)
        return _say(
            lang,
            f"Osäkerhetsintervallet har ingen nedre gräns och går upp till {up_to}.",
            f"The uncertainty interval has no lower limit and goes up to {up_to}.",
        )
    if math.isinf(high):
        start = _fmt(low, text, lang, signed=True)
        return _say(
            lang,
            f"Osäkerhetsintervallet börjar vid {start} och har ingen övre gräns.",
            f"The uncertainty interval starts at {start} and has no upper limit.",
        )
    start, end = _fmt(low, text, lang, unit=False, signed=True), _fmt(high, text, lang, signed=True)
    return _say(
        lang,
        f"Osäkerhetsintervallet går från {start} till {end}.",
        f"The uncertainty interval runs from {start} to {end}.",
    )


def _bound_phrase(text: _Text, bound: float, lang: str) -> str:
    if bound > 0:
        if math.isinf(bound):
            return _say(lang, "en ökning av vilken storlek som helst", "an increase of any size")
        size = _fmt(bound, text, lang)
        return _say(lang, f"en ökning på upp till {size}", f"an increase of up to {size}")
    if math.isinf(bound):
        return _say(lang, "en minskning av vilken storlek som helst", "a decrease of any size")
    size = _fmt(bound, text, lang)
    return _say(lang, f"en minskning på upp till {size}", f"a decrease of up to {size}")


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
        return _say(
            lang,
            f"Skillnaden för pilotförvaltningarna var större än för vart och ett av de {others} andra "
            f"sätten att välja ut {_N_PILOT} av de {_N_ALL} förvaltningarna. Starkare belägg än så kan "
            f"jämförelsen inte ge, eftersom bara {_N_PILOT} av {_N_ALL} förvaltningar var med i piloten.",
            f"The difference for the pilot administrations was larger than for each of the other {others} "
            f"ways of picking {_N_PILOT} of the {_N_ALL} administrations. The comparison cannot give "
            f"stronger evidence than that, because only {_N_PILOT} of the {_N_ALL} administrations were "
            "in the pilot.",
        )
    if wide:
        return _say(
            lang,
            f"Osäkerheten är stor eftersom bara {_N_PILOT} av {_N_ALL} förvaltningar var med i piloten.",
            f"The uncertainty is large because only {_N_PILOT} of the {_N_ALL} administrations were in the pilot.",
        )
    return None


def _mde_sentence(text: _Text, mde: Mapping, lang: str) -> str:
    up = abs(_float(mde.get("mde_increase"))) * text.scale
    down = abs(_float(mde.get("mde_decrease"))) * text.scale
    power = _float(mde.get("power", 0.8))
    strength = format_percent(0.8 if math.isnan(power) else power, lang)
    strength = _say(lang, f"{strength} styrka", f"{strength} power")
    if math.isnan(up) and math.isnan(down):
        return _say(
            lang,
            "Undersökningen kan inte upptäcka en effekt av rimlig storlek på detta mått.",
            "The study cannot detect an effect of any plausible size on this measure.",
        )
    if math.isnan(down):
        size = _fmt(up, text, lang)
        return _say(
            lang,
            f"Undersökningen kan bara upptäcka en ökning större än ungefär {size} ({strength}); "
            "en minskning kan den inte upptäcka.",
            f"The study can only detect an increase larger than about {size} ({strength}); it cannot "
            "detect a decrease.",
        )
    if math.isnan(up):
        size = _fmt(down, text, lang)
        return _say(
            lang,
            f"Undersökningen kan bara upptäcka en minskning större än ungefär {size} ({strength}); "
            "en ökning kan den inte upptäcka.",
            f"The study can only detect a decrease larger than about {size} ({strength}); it cannot "
            "detect an increase.",
        )
    up_s, down_s = _fmt(up, text, lang), _fmt(down, text, lang)
    return _say(
        lang,
        f"Undersökningen kan bara upptäcka effekter större än ungefär {up_s} uppåt eller {down_s} nedåt ({strength}).",
        f"The study can only detect effects larger than about {up_s} up or {down_s} down ({strength}).",
    )


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
            out = {str(t): _float(e) for t, e in zip(rows["term"], rows["estimate"])}
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

    Returns
    -------
    list of Finding
        Three to five findings when the table has at least three of the outcomes.
    """
    _check_lang(lang)
    table = effects_tidy
    if "headline" in table.columns:
        table = table.loc[table["headline"].astype(bool)]
    elif "inference" in table.columns:
        table = table.loc[table["inference"].astype(str) == HEADLINE_INFERENCE]
    if "term" in table.columns:
        table = table.loc[table["term"].astype(str) == term]
    out = []
    for outcome in outcomes:
        rows = table.loc[table["outcome"].astype(str) == outcome]
        if rows.empty:
            continue
        out.append(describe_effect(rows.iloc[0], lang=lang, mde=_mde_lookup(mde, outcome), term=term))
        if len(out) == 5:
            break
    return out


# --------------------------------------------------------------------------- what was done


def count_text(n, lang: str = "sv", min_count: int = 5) -> str:
    """A count for running text: none, "färre än 5" for 1–4, exact below 100, rounded
    above ("omkring 230", "omkring 2 300").

    >>> [count_text(n) for n in (0, 3, 42, 234, 2345)]
    ['inga', 'färre än 5', '42', 'omkring 230', 'omkring 2\\xa0300']
    >>> count_text(3, "en")
    'fewer than 5'
    """
    n = round(float(n))
    if n <= 0:
        return _say(lang, "inga", "no")
    if n < min_count:
        return _say(lang, f"färre än {min_count}", f"fewer than {min_count}")
    if n < 100:
        return format_number(n, lang)
    step = 10 if n < 1000 else 100
    return _say(lang, "omkring ", "about ") + format_number(int(math.floor(n / step + 0.5) * step), lang)


_MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def _date_text(d, lang: str) -> str:
    d = pd.Timestamp(d)
    text = f"{d.day} {_MONTHS[lang][d.month - 1]} {d.year}"
    return _say(lang, f"den {text}", text)


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
    if lang == "en":
        return ", ".join(items[:-1]) + (", and " if len(items) > 2 else " and ") + items[-1]
    # "a, b och c", but "a, b samt c" when an item has an "och" of its own
    last = " samt " if any(" och " in item for item in items) else " och "
    return ", ".join(items[:-1]) + last + items[-1]


def what_was_done(coverage, *, lang: str = "sv", min_count: int = 5) -> str:
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
    """
    _check_lang(lang)
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
        sentences.append(
            _say(
                lang,
                "Pilotens schema är tomt: inga förvaltningar finns med.",
                "The pilot's roll-out table is empty: no administration is listed.",
            )
        )

    # how many checks of which kind: municipality-wide sums only
    ctype = checks["check_type"].astype(str)
    n_court = int(checks.loc[ctype == "court_records", "n_checks"].sum())
    n_credit = int(checks.loc[ctype == "court_and_credit", "n_checks"].sum())
    n_register = int(checks.loc[ctype.str.startswith("register_"), "n_checks"].sum())
    if n_court + n_credit == 0:
        sentences.append(
            _say(
                lang,
                "Inga fördjupade kontroller finns registrerade i underlaget.",
                "No deepened checks are recorded in the data.",
            )
        )
    else:
        deep = count_text(n_court + n_credit, lang, min_count)
        deep = deep[0].upper() + deep[1:]
        credit = count_text(n_credit, lang, min_count)
        top = _top_roles(coverage["roles_covered"], lang, min_count)
        most = (
            _say(
                lang,
                f", flest i yrkesgrupperna {_and_list(top, lang)}",
                f", most of them in the role groups {_and_list(top, lang)}",
            )
            if top
            else ""
        )
        sentences.append(
            _say(
                lang,
                f"{deep} fördjupade kontroller gjordes, varav {credit} med kreditupplysning{most}.",
                f"{deep} deepened checks were made, {credit} of them with a credit check{most}.",
            )
        )
    share = _share_hires_checked(coverage["hires_checked"], admins)
    if share is not None:
        pct = format_percent(share, lang)
        sentences.append(
            _say(
                lang,
                f"Av dem som anställdes i pilotförvaltningarna under piloten fick {pct} en fördjupad kontroll.",
                f"Of those hired in the pilot administrations during the pilot, {pct} had a deepened check.",
            )
        )
    if n_register > 0:
        years = pd.to_numeric(checks.loc[ctype.str.startswith("register_"), "year"], errors="coerce").dropna()
        span = ""
        if len(years):
            first, last = int(years.min()), int(years.max())
            span = f" ({first}–{last})" if first != last else f" ({first})"
        many = count_text(n_register, lang, min_count)
        sentences.append(
            _say(
                lang,
                "Registerutdrag ur belastningsregistret krävdes redan enligt lag för arbete med "
                f"barn; underlaget{span} innehåller {many} sådana.",
                "Police register extracts were already required by law for work with children; "
                f"the data{span} hold {many} of them.",
            )
        )
    return " ".join(sentences)


def _who_and_when(rollout: pd.DataFrame, starts: pd.Series, lang: str) -> list[str]:
    """Which administrations, from when to when, for whom and with which check."""
    names = {
        a: _running(value_label("administration", a, lang), lang)
        if lang == "sv"
        else value_label("administration", a, lang)
        for a in starts.index
    }
    if starts.nunique() == 1:
        where = _say(
            lang,
            f"Fördjupad bakgrundskontroll prövades i {_and_list(list(names.values()), lang)} från "
            f"{_date_text(starts.iloc[0], lang)}",
            f"Deepened background checks were piloted in the {_and_list(list(names.values()), lang)} "
            f"from {_date_text(starts.iloc[0], lang)}",
        )
    else:
        parts = [
            _say(lang, f"{names[a]} från {_date_text(s, lang)}", f"the {names[a]} from {_date_text(s, lang)}")
            for a, s in starts.items()
        ]
        where = _say(
            lang,
            f"Fördjupad bakgrundskontroll prövades i {_and_list(parts, lang)}",
            f"Deepened background checks were piloted in {_and_list(parts, lang)}",
        )
    ends = pd.to_datetime(rollout["end_date"])
    last = _date_text(ends.max(), lang) if ends.notna().any() else ""
    if ends.isna().all():
        when = _say(lang, " och pågår fortfarande.", " and are still in place.")
    elif ends.notna().all() and ends.nunique() == 1:
        when = _say(lang, f" till {last}.", f" to {last}.")
    elif ends.notna().all():
        when = _say(lang, f", som längst till {last}.", f", at the latest to {last}.")
    else:
        when = _say(
            lang,
            f". Den har avslutats på vissa håll (senast {last}) men pågår fortfarande på andra.",
            f". They have ended in some places (at the latest {last}) but are still in place in others.",
        )
    out = [where + when]

    def scope_label(s: str) -> str:
        return _running(value_label("scope", s, lang), lang)

    present = set(rollout["scope"].astype(str))
    scopes = _and_list(
        [scope_label(s) for s in ("new_hires", "placements", "managers_financial") if s in present], lang
    )
    groups = set(rollout["role_group"].astype(str))
    if groups <= {"all", "alla"}:
        roles = _say(lang, "i alla yrkesgrupper", "in all role groups")
    else:
        labels = _and_list([_running(value_label("role_group", g, lang), lang) for g in sorted(groups)], lang)
        roles = _say(lang, f"i yrkesgrupperna {labels}", f"in the role groups {labels}")
    out.append(_say(lang, f"Den gällde {scopes} {roles}.", f"They covered {scopes} {roles}."))
    credit = rollout["check_type"].astype(str) == "court_and_credit"
    credit_scopes = _and_list([scope_label(s) for s in sorted(set(rollout.loc[credit, "scope"].astype(str)))], lang)
    if credit_scopes:
        out.append(
            _say(
                lang,
                f"Kontrollen är en sökning i domstolarnas register, och {credit_scopes} fick också en "
                "kreditupplysning.",
                f"The check is a search of court records; {credit_scopes} also had a credit check.",
            )
        )
    else:
        out.append(
            _say(lang, "Kontrollen är en sökning i domstolarnas register.", "The check is a search of court records.")
        )
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
    >>> cannot_tell(demo=True)[0]
    'Siffrorna i denna rapport bygger på syntetiska demonstrationsdata, inte på verkliga uppgifter från Botkyrka kommun.'
    """
    _check_lang(lang)
    items = [DEMO_DISCLAIMER[lang]] if demo else []
    items.append(
        _say(
            lang,
            f"Bara {_N_PILOT} av {_N_ALL} förvaltningar var med i piloten, och de valdes inte slumpvis utan för att "
            "personalen där arbetar med barn och unga. Skillnader mellan förvaltningarna kan därför också bero på annat "
            "än kontrollen.",
            f"Only {_N_PILOT} of the {_N_ALL} administrations were in the pilot, and they were not chosen at random but "
            "because their staff work with children and young people. Differences between administrations may "
            "therefore also have other causes than the check.",
        )
    )
    items.append(
        _say(
            lang,
            "Om något annat ändrades i pilotförvaltningarna samtidigt som kontrollerna började, till exempel arbetssätt "
            "eller bemanning, kan vi inte skilja det från effekten av kontrollen.",
            "If something else changed in the pilot administrations when the checks started, such as ways of working "
            "or staffing, we cannot tell it apart from the effect of the check.",
        )
    )
    items.append(
        _say(
            lang,
            "Varför en sökande återtog sin ansökan är ofta inte registrerat. Vi kan därför inte säga hur många som "
            "hoppade av just på grund av kontrollen.",
            "Why an applicant withdrew is often not recorded. So we cannot say how many withdrew because of the check "
            "itself.",
        )
    )
    if pilot_ended:
        time_item = _say(
            lang,
            "Piloten har avslutats. Uppgifterna visar inte hur en kontroll som gäller för alltid eller i hela "
            "kommunen skulle påverka rekryteringen, till exempel kommunens rykte som arbetsgivare.",
            "The pilot has ended. The data do not show how a permanent or municipality-wide check would affect "
            "recruitment, for example the municipality's reputation as an employer.",
        )
    else:
        time_item = _say(
            lang,
            "Piloten pågår fortfarande. Uppgifterna kan ännu inte visa vad som händer på längre sikt eller när "
            "piloten upphör.",
            "The pilot is still running. The data cannot yet show what happens in the longer run or when the "
            "pilot ends.",
        )
    if law_change_in_window:
        time_item += " " + _say(
            lang,
            "Den 1 mars 2026 ändras lagen om registerkontroller. Ändringen påverkar främst vård- och "
            "omsorgsförvaltningen, som är en av jämförelseförvaltningarna, så tiden efter den 28 februari 2026 är "
            "inte med i jämförelsen.",
            "On 1 March 2026 the law on register checks changes. The change mainly affects the Health and Social "
            "Care Administration, one of the comparison administrations, so the time after 28 February 2026 is "
            "left out of the comparison.",
        )
    items.append(time_item)
    return items


def methods_note(*, lang: str = "sv") -> str:
    """How the effects were estimated, in three plain sentences. The headline inference is
    randomization inference (:data:`pilot_eval.estimate.effects.HEADLINE_REASON`).

    >>> methods_note().count(".")
    3
    """
    if HEADLINE_INFERENCE != "randomization_inference":  # pragma: no cover - guards the wording
        raise RuntimeError(f"methods_note describes randomization inference, not {HEADLINE_INFERENCE!r}")
    return _say(
        lang,
        "Vi jämförde hur rekryteringen förändrades i de tre pilotförvaltningarna från tiden före piloten till tiden "
        "under den med hur den förändrades i de fem andra förvaltningarna under samma tid. Skillnaden mellan de två "
        "förändringarna är vår skattning av pilotens effekt. Osäkerheten mätte vi genom att göra om jämförelsen för "
        f"alla {_N_ASSIGNMENTS} sätt att välja ut 3 av de 8 förvaltningarna: bara om de verkliga "
        "pilotförvaltningarna sticker ut mer än nästan alla andra val tyder resultatet på en effekt.",
        "We compared how recruitment changed in the three pilot administrations, from before the pilot to during "
        "it, with how it changed in the five other administrations over the same time. The difference between the "
        "two changes is our estimate of the pilot's effect. We measured the uncertainty by repeating the comparison "
        f"for all {_N_ASSIGNMENTS} ways of picking 3 of the 8 administrations: only if the real pilot "
        "administrations stand out more than almost every other choice does the result suggest an effect.",
    )
