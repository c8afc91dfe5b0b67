"""The summary's answer and verdict table: question 5 in one sentence, then one row per
primary outcome with its effect, interval and verdict.

The release opens like an SCB "statistiknyhet": the question, its answer, and a table of
the three measures a councillor can read in half a minute. Everything here is built from
the :class:`~pilot_eval.report.findings.Finding` objects of
:func:`~pilot_eval.report.findings.summarise` (their verdicts follow
docs/estimation.md "Primary outcomes, the family and the verdicts"), in the words of
:mod:`pilot_eval.texts.summary`:

* :func:`answer` — the one sentence that answers question 5 from the verdicts;
* :func:`effect_words` — an effect with its interval in the outcome's own words
  ("7,0 dagar längre (mellan 4,3 kortare och 15,9 längre)");
* :func:`verdict_table` — the table (:class:`VerdictTable`), optionally with the previous
  report's effects beside (``previous``), shown by :func:`pilot_eval.report.show.verdicts`
  and charted by :func:`pilot_eval.report.plots.verdicts.verdict_chart`;
* :func:`previous_in_reader_units` — the previous report's saved headline figures (in the
  estimator's units) in the findings' units, for ``verdict_table(previous=...)``;
* :func:`glossary` — the summary's "Ordlista";
* :func:`pretrend_result` — a page's sentence on the pre-trend test of one outcome.

The verdict is said in words, and coloured by a CSS class per verdict
(``verdict-clear-increase`` …, in ``templates/pilot_eval/report.css``): the colour never
carries it alone.

Examples
--------
>>> from pilot_eval.report.findings import describe_effect
>>> f = describe_effect({"outcome": "days_to_fill", "term": "during", "estimate": 7.0, "conf_low": -4.3,
...                      "conf_high": 15.9, "p_value": 0.125, "p_value_fwer": 0.32})
>>> print(effect_words(f).replace("\\xa0", " "))
7,0 dagar längre (mellan 4,3 kortare och 15,9 längre)
>>> answer([f])
'Underlaget visar ingen säkerställd effekt av piloten på något av de tre måtten.'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from ..labels import format_number
from ..texts import check_lang, index
from ..texts import findings as TF
from ..texts import summary as T
from .findings import _TEXTS, VERDICTS, Finding, _and_list, _fmt, as_ratio

__all__ = [
    "PreviousEffect",
    "VerdictRow",
    "VerdictTable",
    "answer",
    "effect_words",
    "glossary",
    "previous_in_reader_units",
    "pretrend_result",
    "question_5",
    "reading_note",
    "verdict_class",
    "verdict_table",
]


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict's tag: ``verdict-clear-increase``, … (report.css).

    >>> verdict_class("differed_before")
    'verdict-differed-before'
    """
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
    return "verdict-" + verdict.replace("_", "-")


# --------------------------------------------------------------------------- effects in words


def _text_of(outcome: str, unit: str):
    """The outcome's wording with the reader's unit of its finding (Poisson rows: per cent)."""
    text = _TEXTS[outcome]
    return as_ratio(text) if unit == "percent" and text.unit != "percent" else text


def _signed(value: float, outcome: str, unit: str, lang: str, *, bound: bool = False) -> str:
    """A size with its unit and direction: "7,0 dagar längre", "12 % färre", "0,0 dagar";
    a ``bound`` of the interval without the unit's word ("4,3 kortare", "12 % färre")."""
    text = _text_of(outcome, unit)
    i = index(lang)
    size = _fmt(value, text, lang, unit=unit == "percent" or (not bound and unit != "count"))
    if value == 0:
        return size
    direction = T.DIRECTIONS[unit]["up" if value > 0 else "down"][i]
    return f"{size} {direction}"


def effect_words(f: Finding, *, estimate=None, conf_low=None, conf_high=None) -> str:
    """The effect of a finding with its interval in the outcome's own words.

    ``estimate``, ``conf_low`` and ``conf_high`` (in the finding's unit) replace the
    finding's own, for an earlier report's effect of the same outcome.

    >>> from pilot_eval.report.findings import describe_effect
    >>> f = describe_effect({"outcome": "late_withdrawal", "term": "during", "estimate": 0.026,
    ...                      "conf_low": -0.02, "conf_high": 0.063, "p_value": 0.2}, lang="en")
    >>> print(effect_words(f).replace("\\xa0", " "))
    2.6 percentage points higher (between 2.0 lower and 6.3 higher)
    """
    i = index(f.lang)
    est = f.estimate if estimate is None else float(estimate)
    low = f.conf_low if conf_low is None else float(conf_low)
    high = f.conf_high if conf_high is None else float(conf_high)
    if math.isnan(est):
        return T.EFFECT["unknown"][i]
    text = _text_of(f.outcome, f.unit)
    rounds_to_zero = format_number(abs(est), "en", decimals=text.decimals).strip("0.") == ""
    size = T.EFFECT["about_zero"][i] if rounds_to_zero else _signed(est, f.outcome, f.unit, f.lang)
    if math.isnan(low) or math.isnan(high):
        return size
    if math.isinf(low) and math.isinf(high):
        return T.EFFECT["no_limits"][i].format(size=size)
    if math.isinf(low):
        return T.EFFECT["no_lower"][i].format(size=size, high=_signed(high, f.outcome, f.unit, f.lang, bound=True))
    if math.isinf(high):
        return T.EFFECT["no_upper"][i].format(size=size, low=_signed(low, f.outcome, f.unit, f.lang, bound=True))
    return T.EFFECT["both"][i].format(
        size=size,
        low=_signed(low, f.outcome, f.unit, f.lang, bound=True),
        high=_signed(high, f.outcome, f.unit, f.lang, bound=True),
    )


# --------------------------------------------------------------------------- the answer


def _part(outcome: str, lang: str) -> str:
    pair = T.PARTS.get(outcome)
    return pair[index(lang)] if pair else _TEXTS[outcome].topic[index(lang)]


def answer(results: Sequence[Finding], *, lang: str | None = None) -> str:
    """The one sentence that answers question 5 from the findings' verdicts.

    No clear change anywhere: "Underlaget visar ingen säkerställd effekt av piloten på
    något av de tre måtten." Otherwise it names what the pilot probably led to, and then
    the parts without a clear effect and those where the groups already differed.

    >>> from pilot_eval.report.findings import describe_effect
    >>> up = describe_effect({"outcome": "days_to_fill", "term": "during", "estimate": 12.5, "conf_low": 5.6,
    ...                       "conf_high": 19.6, "p_value": 1 / 56, "p_value_fwer": 0.036})
    >>> flat = describe_effect({"outcome": "late_withdrawal", "term": "during", "estimate": 0.01,
    ...                         "conf_low": -0.02, "conf_high": 0.04, "p_value": 0.5, "p_value_fwer": 0.6})
    >>> print(answer([up, flat]))  # doctest: +NORMALIZE_WHITESPACE
    Piloten ledde troligen till längre tid till tillsättning; för återtagna ansökningar visar underlaget
    ingen säkerställd effekt.
    """
    if not results:
        return T.ANSWER["empty"][index(lang or "sv")]
    lang = check_lang(lang or results[0].lang)
    i = index(lang)
    clear = [f for f in results if f.verdict in ("clear_increase", "clear_decrease")]
    uncertain = [f for f in results if f.verdict == "differed_before"]
    open_ = [f for f in results if f.verdict == "no_clear_difference"]
    if not clear and not uncertain:
        return T.ANSWER["none"][i]
    parts = []
    if clear:
        led_to = [
            (_TEXTS[f.outcome].led_to_up if f.verdict == "clear_increase" else _TEXTS[f.outcome].led_to_down)[i]
            for f in clear
        ]
        parts.append(T.ANSWER["clear"][i].format(clear=_and_list(led_to, lang)))
        if open_:
            parts.append(
                T.ANSWER["rest_open"][i].format(others=_and_list([_part(f.outcome, lang) for f in open_], lang))
            )
    elif open_:
        parts.append(
            T.ANSWER["no_effect_start"][i].format(others=_and_list([_part(f.outcome, lang) for f in open_], lang))
        )
    if uncertain:
        names = _and_list([_part(f.outcome, lang) for f in uncertain], lang)
        key = "uncertain" if parts else "uncertain_start"
        parts.append(T.ANSWER[key][i].format(uncertain=names))
    return T.ANSWER["join"][i].join(parts) + T.ANSWER["end"][i]


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class PreviousEffect:
    """An earlier report's effect of one outcome: its period, the effect in words and its
    verdict (a :data:`~pilot_eval.report.findings.VERDICTS` key, or None when the earlier
    report gave its tag in words only)."""

    period: str
    effect: str
    tag: str
    verdict: str | None


@dataclass(frozen=True)
class VerdictRow:
    """One primary outcome: the measure in plain words, the effect with its interval in
    the outcome's own words, the verdict (key and words), and the finding's numbers (in
    its reader's unit, for the chart)."""

    outcome: str
    title: str
    measure: str
    detail: str
    effect: str
    verdict: str
    tag: str
    estimate: float
    conf_low: float
    conf_high: float
    unit: str
    previous: PreviousEffect | None = None


@dataclass(frozen=True)
class VerdictTable:
    """The summary's verdict table: caption, column headers and rows, in one language.

    :meth:`to_html` is what :func:`pilot_eval.report.show.verdicts` shows; :meth:`frame`
    the same as a DataFrame of strings.
    """

    lang: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[VerdictRow, ...] = field(default_factory=tuple)
    previous_period: str | None = None

    def frame(self) -> pd.DataFrame:
        """The table as strings, headers as the reader sees them."""
        records = []
        for r in self.rows:
            values = [f"{r.measure}: {r.detail}" if r.detail else r.measure, r.effect, r.tag]
            if self.previous_period is not None:
                values.append(_previous_text(r.previous, self.lang))
            records.append(values)
        return pd.DataFrame(records, columns=list(self.columns))

    def to_html(self) -> str:
        """An HTML table: a caption, column headers with ``scope="col"``, each measure a
        row header (``scope="row"``) and each verdict a tag of class
        :func:`verdict_class` (its words carry it; the class adds a colour)."""
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in self.columns)
        body = []
        for r in self.rows:
            cells = [
                f'<th scope="row">{escape(r.measure)}{_detail_html(r.detail)}</th>',
                f'<td class="verdict-effect">{escape(r.effect)}</td>',
                f"<td>{_tag_html(r.verdict, r.tag)}</td>",
            ]
            if self.previous_period is not None:
                label = escape(self.columns[-1])  # shown on a narrow screen, where the headers are not
                cells.append(
                    f'<td class="verdict-previous" data-label="{label}">{_previous_html(r.previous, self.lang)}</td>'
                )
            body.append("<tr>" + "".join(cells) + "</tr>")
        return (
            f'<table class="verdicts" lang="{self.lang}">'
            f"<caption>{escape(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _detail_html(detail: str) -> str:
    return f' <span class="verdict-detail">{escape(detail)}</span>' if detail else ""


def _tag_html(verdict: str | None, tag: str) -> str:
    if verdict is None:
        return escape(tag)
    return f'<span class="verdict {verdict_class(verdict)}">{escape(tag)}</span>'


def _previous_text(previous: PreviousEffect | None, lang: str) -> str:
    if previous is None:
        return "–"
    return f"{previous.effect}: {previous.tag}"


def _previous_html(previous: PreviousEffect | None, lang: str) -> str:
    if previous is None:
        return "–"
    return f"{escape(previous.effect)}<br>{_tag_html(previous.verdict, previous.tag)}"


def _previous_effect(f: Finding, earlier: Mapping) -> PreviousEffect:
    """An earlier report's figures of ``f``'s outcome (``period``, ``estimate``,
    ``conf_low``, ``conf_high`` in the finding's unit, ``tag``: a verdict key or words)."""
    missing = [k for k in ("period", "estimate", "conf_low", "conf_high", "tag") if k not in earlier]
    if missing:
        raise KeyError(f"verdict_table: previous[{f.outcome!r}] lacks {', '.join(missing)}")
    tag = str(earlier["tag"])
    verdict = tag if tag in VERDICTS else None
    words = TF.TAGS[tag][index(f.lang)] if verdict else tag
    effect = effect_words(f, estimate=earlier["estimate"], conf_low=earlier["conf_low"], conf_high=earlier["conf_high"])
    return PreviousEffect(period=str(earlier["period"]), effect=effect, tag=words, verdict=verdict)


def _reader_number(value, scale: float) -> float:
    """A saved figure (a number or None, as ``headline.json`` keeps a non-finite one) × ``scale``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number * scale


def previous_in_reader_units(
    previous: Mapping[str, Mapping] | None, results: Sequence[Finding]
) -> dict[str, dict] | None:
    """The previous report's headline figures in the units of this report's findings, for
    :func:`verdict_table`'s ``previous``.

    ``previous`` is what :func:`pilot_eval.report.sections.previous_headline` gives (the
    figures :func:`pilot_eval.report.series.headline_figures` saved): estimate and interval
    in the estimator's units, shares as proportions and a Poisson outcome as ratio − 1. A
    finding speaks of them in its own unit (:attr:`Finding.unit`): shares in percentage
    points and ratios in per cent (× 100), days and applicants as they are; so each outcome
    is scaled as its finding is. Only outcomes with a finding are kept. None when there is
    no previous report or it shares no outcome with ``results`` (then the table has no
    column for it).

    >>> from pilot_eval.report.findings import describe_effect
    >>> share = describe_effect({"outcome": "late_withdrawal", "term": "during", "estimate": 0.031,
    ...                          "conf_low": 0.004, "conf_high": 0.06, "p_value": 0.02})
    >>> saved = {"late_withdrawal": {"period": "2025Q3", "estimate": 0.026, "conf_low": -0.02,
    ...                              "conf_high": 0.063, "tag": "no_clear_difference"}}
    >>> previous_in_reader_units(saved, [share])["late_withdrawal"]["estimate"]
    2.6
    >>> previous_in_reader_units(None, [share]) is None
    True
    """
    if not previous:
        return None
    out = {}
    for f in results:
        earlier = previous.get(f.outcome)
        if not isinstance(earlier, Mapping):
            continue
        scale = _text_of(f.outcome, f.unit).scale
        out[f.outcome] = {
            "period": str(earlier.get("period", "")),
            **{k: _reader_number(earlier.get(k), scale) for k in ("estimate", "conf_low", "conf_high")},
            "tag": earlier.get("tag"),
        }
    return out or None


def verdict_table(
    results: Sequence[Finding], *, lang: str | None = None, previous: Mapping[str, Mapping] | None = None
) -> VerdictTable:
    """The verdict table of the summary: one row per finding (primary outcome).

    Parameters
    ----------
    results : sequence of Finding
        :func:`~pilot_eval.report.findings.summarise` (one language).
    lang : {"sv", "en"}, optional
        Default the findings' language.
    previous : mapping, optional
        The previous report's headline figures, ``{outcome: {"period": "2025Q3",
        "estimate": …, "conf_low": …, "conf_high": …, "tag": …}}`` with the numbers in
        the finding's unit (days, percentage points, per cent: :attr:`Finding.unit`)
        and ``tag`` a :data:`~pilot_eval.report.findings.VERDICTS` key (or the earlier
        tag in words). Adds a column "Förra rapporten (<period>)"; an outcome it lacks
        shows "–". None (default): no such column.

    Examples
    --------
    >>> from pilot_eval.report.findings import describe_effect
    >>> f = describe_effect({"outcome": "days_to_fill", "term": "during", "estimate": 7.0, "conf_low": -4.3,
    ...                      "conf_high": 15.9, "p_value": 0.125})
    >>> t = verdict_table([f], previous={"days_to_fill": {"period": "2025Q3", "estimate": 6.1,
    ...                   "conf_low": -5.0, "conf_high": 14.0, "tag": "no_clear_difference"}})
    >>> t.columns[-1]
    'Förra rapporten (2025Q3)'
    >>> t.rows[0].tag
    'ingen säkerställd skillnad'
    """
    lang = check_lang(lang or (results[0].lang if results else "sv"))
    i = index(lang)
    rows = []
    periods = []
    for f in results:
        if f.lang != lang:
            raise ValueError(f"verdict_table: the finding of {f.outcome!r} is in {f.lang!r}, the table in {lang!r}")
        earlier = None
        if previous and f.outcome in previous:
            earlier = _previous_effect(f, previous[f.outcome])
            periods.append(earlier.period)
        words = T.MEASURES.get(f.outcome)
        measure, detail = (words["name"][i], words["detail"][i]) if words else (f.title, "")
        rows.append(
            VerdictRow(
                outcome=f.outcome,
                title=f.title,
                measure=measure,
                detail=detail,
                effect=effect_words(f),
                verdict=f.verdict,
                tag=f.tag,
                estimate=f.estimate,
                conf_low=f.conf_low,
                conf_high=f.conf_high,
                unit=f.unit,
                previous=earlier,
            )
        )
    columns = [T.TABLE["measure"][i], T.TABLE["effect"][i], T.TABLE["verdict"][i]]
    previous_period = None
    if previous is not None:
        if len(set(periods)) > 1:
            raise ValueError(f"verdict_table: the previous figures come from several periods: {sorted(set(periods))}")
        previous_period = (
            periods[0] if periods else next((str(v["period"]) for v in previous.values() if "period" in v), "")
        )
        columns.append(T.TABLE["previous"][i].format(period=previous_period))
    return VerdictTable(
        lang=lang,
        caption=T.TABLE["caption"][i],
        columns=tuple(columns),
        rows=tuple(rows),
        previous_period=previous_period,
    )


# --------------------------------------------------------------------------- glossary and pre-trends


def glossary(lang: str = "sv") -> list[tuple[str, str]]:
    """The summary's "Ordlista": (term, one or two plain sentences), in order.

    >>> [term for term, _ in glossary("en")][:2]
    ['Uncertainty interval (95% confidence interval)', 'Power']
    """
    i = index(lang)
    return [(entry["term"][i], entry["text"][i]) for entry in T.GLOSSARY.values()]


def pretrend_result(outcome: str, p_value: float | None, *, lang: str = "sv", alpha: float = 0.05) -> str:
    """What the pre-trend test of ``outcome`` says, for the page with its event study:
    the groups moved together (p above ``alpha``) or already differed, with the p-value.

    >>> print(pretrend_result("days_to_fill", 0.7263).replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    Före piloten följdes grupperna åt för tiden till tillsättning: testet av om pilot- och
    jämförelseförvaltningarna utvecklades olika före piloten gav p = 0,73. Först ett värde under 0,05 hade
    räknats som en skillnad.
    """
    i = index(lang)
    topic = _TEXTS[outcome].topic[i]
    p = float("nan") if p_value is None else float(p_value)
    if math.isnan(p):
        return T.PRETREND_PAGE["missing"][i].format(topic=topic)
    key = "differed" if p <= alpha else "parallel"
    return T.PRETREND_PAGE[key][i].format(
        topic=topic,
        p=format_number(p, lang, decimals=2 if p >= 0.01 else 3),
        alpha=format_number(alpha, lang, decimals=2),
    )


def question_5(lang: str = "sv") -> str:
    """Question 5 of the council debate, as the summary asks it."""
    return T.QUESTION_5["question"][index(lang)]


def reading_note(lang: str = "sv") -> str:
    """How to read the verdict chart, in two sentences (said under it)."""
    return T.READING["chart"][index(lang)]
