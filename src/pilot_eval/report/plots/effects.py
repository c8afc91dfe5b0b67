"""Charts of estimates: the event study, the effects (a forest plot) and the
randomization distribution. Estimates, not microdata: no disclosure control applies."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ... import texts
from ...labels import format_number, format_percent
from ...texts.charts import INFERENCE, PERIOD_AXIS, TEXTS
from .common import _t
from .describe import _range_text, _sentence, describe
from .format import number_formatter
from .outcomes import _outcome_text, _unit, _unit_text
from .style import (
    _TEXT_COLOR,
    _ZERO_COLOR,
    BACKGROUND_BAR_COLOR,
    PILOT_COLOR,
    PILOT_TEXT_COLOR,
    PRE_PERIOD_COLOR,
    ReportFigure,
    _finish,
    _new_figure,
    _value_grid,
    _wrap,
    house_style,
)

# --------------------------------------------------------------------------- event study


def event_study_plot(
    table: pd.DataFrame,
    *,
    lang: str = "sv",
    outcome_label: str | None = None,
    unit: str | None = None,
    period: str = "quarter",
    title: str | None = None,
    level: int = 95,
) -> ReportFigure:
    """Event-study chart: the estimated difference by period relative to the pilot start.

    Points with confidence-interval bars by event time; the pre-periods in grey (they test
    whether pilot and comparison administrations moved alike before the pilot, and should
    lie near zero), the pilot periods in the pilot colour; a zero line and a dashed line
    between event times −1 and 0, labelled "Före piloten" / "Under piloten".

    Parameters
    ----------
    table : DataFrame
        ``event_study(...).tidy()`` (:func:`pilot_eval.estimate.effects.event_study`):
        columns ``event_time``, ``estimate``, ``conf_low``, ``conf_high``; the ``overall``
        row (no event time) is dropped. Estimates, not microdata: no disclosure control
        applies.
    lang : {"sv", "en"}, default "sv"
    outcome_label : str, optional
        The outcome in words (the title); by default from the table's ``outcome`` column.
    unit : {"pp", "days", "applicants", "number"} or str, optional
        The estimates' unit; ``"pp"`` shows proportions as percentage points (× 100).
        By default from the outcome (shares in percentage points). Any other text is
        shown as given, without scaling.
    period : {"quarter", "month", "half", "year"}, default "quarter"
        What one event time is (the x-axis label).
    title : str, optional
        Default: the outcome label.
    level : int, default 95
        Confidence level of the intervals, for the caption.

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": "filled_within_90", "event_time": [None, -2, -1, 0, 1],
    ...                   "term": ["overall", "event_time=-2", "event_time=-1", "event_time=0", "event_time=1"],
    ...                   "estimate": [-0.1, 0.01, -0.02, -0.08, -0.12],
    ...                   "conf_low": [-0.2, -0.05, -0.08, -0.15, -0.2],
    ...                   "conf_high": [0.0, 0.07, 0.04, -0.01, -0.04]})
    >>> fig = event_study_plot(t)
    >>> fig.axes[0].get_ylabel().replace("\\n", " ")
    'Skillnad mot jämförelseförvaltningarna (procentenheter)'
    """
    texts.check_lang(lang)
    rows, outcome = _event_rows(table)
    unit_words, factor = _unit_text(_unit(unit, outcome), lang)
    x = rows["event_time"].to_numpy(dtype=float)
    est = rows["estimate"].to_numpy(dtype=float) * factor
    low = rows["conf_low"].to_numpy(dtype=float) * factor
    high = rows["conf_high"].to_numpy(dtype=float) * factor
    if outcome_label is None:
        outcome_label = _outcome_text(outcome, lang) if outcome else ""
    xlabel_key = f"event_xlabel_{period}"
    if xlabel_key not in TEXTS:
        raise ValueError(f"period must be one of quarter, month, half, year; not {period!r}")

    caption = [_t("event_caption", lang, level=level)]
    if "inference" in rows.columns and rows["inference"].astype(str).str.contains("indicative").any():
        caption.append(_t("event_indicative", lang))
    with house_style():
        fig, axes = _new_figure(4.5)
        ax = axes[0][0]
        ax.axhline(0.0, color=_ZERO_COLOR, linewidth=0.9, zorder=1)
        ax.axvline(-0.5, color=_ZERO_COLOR, linewidth=0.9, linestyle="--", zorder=1)
        _draw_event_points(ax, x, est, low, high, lang)
        _event_limits(ax, x, est, low, high)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 4, 5, 10]))
        ax.xaxis.set_major_formatter(number_formatter(lang, "number", decimals=0))
        ax.yaxis.set_major_formatter(number_formatter(lang, "number"))
        ax.set_xlabel(_t(xlabel_key, lang))
        ylabel = _t("difference", lang)
        ax.set_ylabel(_wrap(f"{ylabel} ({unit_words})" if unit_words else ylabel, 34))
        ax.legend(loc="best", fontsize=9)
        title = title if title is not None else outcome_label
        _finish(fig, title, caption, plot_height=3.7)
    _describe_event_study(
        fig, x, est, low, high, lang=lang, title=title, unit_words=unit_words, period=period, level=level
    )
    return fig


_PERIOD_FREQ = {"quarter": "Q", "month": "M", "half": "H", "year": "Y"}


def _describe_event_study(
    fig, x, est, low, high, *, lang: str, title: str, unit_words: str, period: str, level: int
) -> None:
    """The alt text (the range of the points before the pilot, whether their intervals
    include zero, and the range during it) and the data table (every point with its
    interval) of an event study (:mod:`.describe`)."""

    def f(v: float) -> str:
        return format_number(v, lang, decimals=1)

    def with_unit(text: str) -> str:
        return f"{text}\u00a0{unit_words}" if unit_words and text else text

    interval = _t("interval_header", lang, level=level)
    difference = _t("difference", lang)
    rows = [
        [format_number(t, lang, decimals=0), f(e), _interval_cell(lo, hi, lang)]
        for t, e, lo, hi in zip(x, est, low, high, strict=True)
    ]
    headers = [
        _t(f"event_xlabel_{period}", lang),
        f"{difference} ({unit_words})" if unit_words else difference,
        interval,
    ]
    data = pd.DataFrame(rows, columns=headers)
    unit = PERIOD_AXIS[_PERIOD_FREQ[period]][texts.index(lang)].lower()
    parts = [title, _t("alt_event_intro", lang, unit=unit)]
    for part, key in ((x < 0, "before_pilot"), (x >= 0, "during_pilot")):
        if not part.any():
            continue
        text = f"{_t(key, lang)}: {with_unit(_range_text(est[part], f, lang))}"
        zero = _zero_text(low[part], high[part], lang) if key == "before_pilot" else ""
        text += f", {zero}" if zero else ""
        parts.append(text)
    alt = " ".join(_sentence(p) for p in parts)
    describe(fig, alt, data, lang=lang, caption=title or None)


def _interval_cell(low: float, high: float, lang: str) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return ".."
    return f"{format_number(low, lang, decimals=1)} {_t('interval_to', lang)} {format_number(high, lang, decimals=1)}"


def _zero_text(low: np.ndarray, high: np.ndarray, lang: str) -> str:
    """Whether the intervals include zero, in words."""
    known = np.isfinite(low) & np.isfinite(high)
    k = int(((low <= 0) & (high >= 0) & known).sum())
    n = int(known.sum())
    if n == 0:
        return ""
    if k == n:
        return _t("alt_zero_all", lang)
    if k == 0:
        return _t("alt_zero_none", lang)
    return _t("alt_zero_some", lang, k=k, n=n)


def _event_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The rows of event times (the ``overall`` row dropped), in order, and the outcome."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"event_study_plot() needs event_study(...).tidy(), a DataFrame, not {type(table).__name__}")
    missing = [c for c in ("event_time", "estimate", "conf_low", "conf_high") if c not in table.columns]
    if missing:
        raise KeyError(f"event_study_plot(): the table lacks {', '.join(missing)}; pass event_study(...).tidy()")
    rows = table.loc[table["event_time"].notna()]
    if "term" in rows.columns:
        rows = rows.loc[rows["term"].astype(str) != "overall"]
    outcome = None
    if "outcome" in table.columns and table["outcome"].notna().any():
        outcome = str(table["outcome"].dropna().iloc[0])
    rows = rows.assign(event_time=rows["event_time"].astype(float)).sort_values("event_time")
    return rows, outcome


def _draw_event_points(ax, x: np.ndarray, est: np.ndarray, low: np.ndarray, high: np.ndarray, lang: str) -> None:
    """The pre-periods in grey, the pilot periods in the pilot colour, each with its
    interval; "Före piloten" and "Under piloten" either side of the pilot start."""
    for part, color, marker, face, key in (
        (x < 0, PRE_PERIOD_COLOR, "s", "white", "pre_legend"),
        (x >= 0, PILOT_COLOR, "o", PILOT_COLOR, "post_legend"),
    ):
        if not part.any():
            continue
        yerr = np.vstack([est[part] - low[part], high[part] - est[part]])
        yerr = np.where(np.isfinite(yerr), yerr, 0.0)
        ax.errorbar(
            x[part],
            est[part],
            yerr=yerr,
            fmt=marker,
            color=color,
            markerfacecolor=face,
            markeredgecolor=color,
            ecolor=color,
            elinewidth=1.4,
            markersize=6,
            zorder=3,
            label=_t(key, lang),
        )
    ax.text(
        -0.6,
        0.98,
        _t("before_pilot", lang),
        transform=ax.get_xaxis_transform(),
        ha="right",
        va="top",
        color=PRE_PERIOD_COLOR,
        fontsize=10,
    )
    ax.text(
        -0.4,
        0.98,
        _t("during_pilot", lang),
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="top",
        color=PILOT_TEXT_COLOR,
        fontsize=10,
    )


def _event_limits(ax, x: np.ndarray, est: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    if not len(x):
        return
    ax.set_xlim(min(x.min(), -1) - 0.6, max(x.max(), 0) + 0.6)
    span = np.concatenate([low[np.isfinite(low)], high[np.isfinite(high)], est[np.isfinite(est)], [0.0]])
    lo, hi = float(span.min()), float(span.max())
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + 2.2 * pad)  # room for the two labels at the top


# --------------------------------------------------------------------------- effects


def _interval_text(est: float, low: float, high: float, lang: str) -> str:
    def f(v: float) -> str:
        return format_number(v, lang, decimals=1)

    if not (np.isfinite(low) and np.isfinite(high)):
        return f(est)
    return f"{f(est)} ({f(low)} {_t('interval_to', lang)} {f(high)})"


def effect_plot(
    table: pd.DataFrame,
    *,
    lang: str = "sv",
    outcome_labels: Mapping[str, str] | None = None,
    term: str = "during",
    units: Mapping[str, str] | None = None,
    title: str | None = None,
    level: int = 95,
    annotate: bool = True,
    row_header: str | None = None,
) -> ReportFigure:
    """Forest plot of the pilot's effect on each outcome: a point and its interval.

    Outcomes are on different scales, so they are drawn in one small panel per unit
    (percentage points for shares, days, applicants), each with its own zero line; each
    row is labelled with the estimate and interval in numbers.

    Parameters
    ----------
    table : DataFrame
        ``pilot_effects(...).tidy()`` (:func:`pilot_eval.estimate.effects.pilot_effects`):
        columns ``outcome``, ``term``, ``estimate``, ``conf_low``, ``conf_high`` (and
        ``headline``, ``inference``, ``n_assignments``). Only the ``headline`` rows (when
        the column is there) of ``term`` are drawn; one row per outcome must remain.
    lang : {"sv", "en"}, default "sv"
    outcome_labels : dict, optional
        Outcome → label, overriding :data:`OUTCOME_INFO`.
    term : {"during", "after"}, default "during"
        The effect while the pilot ran, or after it ended.
    units : dict, optional
        Outcome → unit (``"pp"``, ``"days"``, ``"applicants"``, ``"number"``), overriding
        :data:`OUTCOME_INFO`; an outcome of unknown unit is drawn as it is.
    title : str, optional
        Default "Pilotens effekt medan den pågick" (or "… efter att den avslutats").
    level : int, default 95
        Confidence level, for the caption.
    annotate : bool, default True
        Write "estimate (low till high)" beside every row.
    row_header : str, optional
        The header of the rows' names in the chart's data table (``fig.pilot_eval_data``);
        default "Mått" / "Measure" (e.g. "Kön" when the rows are groups).

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": ["filled_within_90", "days_unfilled_90"], "term": "during",
    ...                   "estimate": [-0.05, 4.8], "conf_low": [-0.2, -7.8], "conf_high": [0.1, 17.3],
    ...                   "p_value": [0.55, 0.41], "inference": "randomization_inference",
    ...                   "n_assignments": 56, "headline": True})
    >>> fig = effect_plot(t)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['Skattad effekt (procentenheter)', 'Skattad effekt (dagar)']
    """
    texts.check_lang(lang)
    rows = _effect_rows(table, term)
    units = dict(units or {})
    panels: dict[str, list[int]] = {}  # unit → positions of its rows
    ratio = rows["scale"].astype(str).eq("ratio").to_numpy() if "scale" in rows else np.zeros(len(rows), bool)
    for k, outcome in enumerate(rows["outcome"].astype(str)):
        # a Poisson row (count outcome) is a ratio − 1: drawn as the change in per cent
        u = _unit(units.get(outcome, "percent" if ratio[k] else None), outcome) or "number"
        panels.setdefault(u, []).append(k)
    caption = [_t("effect_caption", lang, level=level, inference=_inference_text(rows, lang)).replace(" ()", "")]
    n_rows = len(rows)
    with house_style():
        height = 0.5 + 0.42 * n_rows + 0.75 * len(panels)
        fig, axes = _new_figure(
            height, len(panels), 1, gridspec_kw={"height_ratios": [len(v) + 0.6 for v in panels.values()]}
        )
        for ax, (u, idx) in zip(axes[:, 0], panels.items(), strict=True):
            _draw_effect_panel(ax, rows.iloc[idx], u, lang, outcome_labels, annotate)
        default = _t("effect_during" if term == "during" else "effect_after", lang)
        title = title if title is not None else default
        _finish(fig, title, caption, plot_height=height)
    _describe_effects(
        fig,
        rows,
        panels,
        lang=lang,
        outcome_labels=outcome_labels,
        title=title,
        level=level,
        row_header=row_header,
        notes=caption,
    )
    return fig


def _describe_effects(
    fig,
    rows: pd.DataFrame,
    panels: Mapping[str, list[int]],
    *,
    lang: str,
    outcome_labels: Mapping[str, str] | None,
    title: str,
    level: int,
    row_header: str | None,
    notes: list[str],
) -> None:
    """The alt text and data table of an effect plot (:mod:`.describe`): each row's
    estimate and interval, in its unit, in the chart's order."""

    def f(v: float) -> str:
        return format_number(v, lang, decimals=1) if np.isfinite(v) else ".."

    table, said = [], []
    for unit, idx in panels.items():
        words, factor = _unit_text(unit, lang)
        for k in idx:
            row = rows.iloc[k]
            name = _outcome_text(str(row["outcome"]), lang, outcome_labels)
            est, lo, hi = (float(row[c]) * factor for c in ("estimate", "conf_low", "conf_high"))
            table.append([name, words, f(est), _interval_cell(lo, hi, lang)])
            if unit == "percent":  # a Poisson row: the change in per cent, "+2,6 %"
                said.append(
                    _t(
                        "alt_effect_row_percent",
                        lang,
                        outcome=name,
                        estimate=_signed_percent(est, lang),
                        level=level,
                        low=_signed_percent(lo, lang),
                        high=_signed_percent(hi, lang),
                    )
                )
                continue
            said.append(
                _t(
                    "alt_effect_row",
                    lang,
                    outcome=name,
                    estimate=f(est),
                    unit=words,
                    level=level,
                    low=f(lo),
                    high=f(hi),
                )
            )
    headers = [
        row_header or _t("effect_row_header", lang),
        _t("unit_header", lang),
        _t("effect_axis", lang),
        _t("interval_header", lang, level=level),
    ]
    alt = " ".join(_sentence(t) for t in (title, *said))
    describe(fig, alt, pd.DataFrame(table, columns=headers), lang=lang, caption=title or None, notes=notes)


def _signed_percent(v: float, lang: str) -> str:
    """A change in per cent with its sign, in the report's number format: "+2,6 %",
    "−3,1 %" ("+2.6%", "-3.1%")."""
    if not np.isfinite(v):
        return ".."
    text = format_percent(v / 100.0, lang, decimals=1)
    if text.startswith(("\u2212", "-")) or not any(c in "123456789" for c in text):
        return text  # negative, or zero: no sign
    return f"+{text}"


def _effect_rows(table: pd.DataFrame, term: str) -> pd.DataFrame:
    """The headline rows (when the table says which) of ``term``, one per outcome."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"effect_plot() needs pilot_effects(...).tidy(), a DataFrame, not {type(table).__name__}")
    missing = [c for c in ("outcome", "term", "estimate", "conf_low", "conf_high") if c not in table.columns]
    if missing:
        raise KeyError(f"effect_plot(): the table lacks {', '.join(missing)}; pass pilot_effects(...).tidy()")
    if term not in ("during", "after"):
        raise ValueError(f"term must be 'during' or 'after', not {term!r}")
    rows = table
    if "headline" in rows.columns:
        rows = rows.loc[rows["headline"].fillna(False).astype(bool)]
    rows = rows.loc[rows["term"].astype(str) == term]
    if rows["outcome"].duplicated().any():
        raise ValueError(
            "effect_plot(): more than one row per outcome; pass the table with its 'headline' "
            "column, or keep one inference per outcome"
        )
    if rows.empty:
        raise ValueError(
            f"effect_plot(): no {'headline ' if 'headline' in table.columns else ''}rows with term {term!r}"
        )
    return rows


def _inference_text(rows: pd.DataFrame, lang: str) -> str:
    """The inference method in words for the caption ("" when the table does not say)."""
    if "inference" not in rows.columns or not rows["inference"].notna().any():
        return ""
    name = str(rows["inference"].dropna().iloc[0])
    n_assign = ""
    if "n_assignments" in rows.columns and rows["n_assignments"].notna().any():
        n_assign = format_number(int(rows["n_assignments"].dropna().iloc[0]), lang)
    if name not in INFERENCE:
        return name
    # without the number of assignments, "all {n} possible" keeps a single space
    return INFERENCE[name][texts.index(lang)].format(n=n_assign).replace("  ", " ")


def _draw_effect_panel(
    ax, sub: pd.DataFrame, unit: str, lang: str, outcome_labels: Mapping[str, str] | None, annotate: bool
) -> None:
    """The outcomes of one unit: a point and its interval each, a zero line."""
    words, factor = _unit_text(unit, lang)
    y = np.arange(len(sub), dtype=float)
    est = sub["estimate"].to_numpy(dtype=float) * factor
    low = sub["conf_low"].to_numpy(dtype=float) * factor
    high = sub["conf_high"].to_numpy(dtype=float) * factor
    ax.axvline(0.0, color=_ZERO_COLOR, linewidth=0.9, zorder=1)
    xerr = np.vstack([est - low, high - est])
    xerr = np.where(np.isfinite(xerr), xerr, 0.0)
    ax.errorbar(
        est,
        y,
        xerr=xerr,
        fmt="o",
        color=PILOT_COLOR,
        ecolor=PILOT_COLOR,
        elinewidth=2.0,
        markersize=7,
        zorder=3,
    )
    names = [_wrap(_outcome_text(o, lang, outcome_labels), 30) for o in sub["outcome"].astype(str)]
    ax.set_yticks(y, names)
    ax.set_ylim(len(sub) - 0.5, -0.5)
    finite = np.concatenate([v[np.isfinite(v)] for v in (est, low, high)] + [np.array([0.0])])
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.xaxis.set_major_formatter(number_formatter(lang, "number"))
    ax.set_xlabel(f"{_t('effect_axis', lang)} ({words})" if words else _t("effect_axis", lang))
    _value_grid(ax, horizontal_bars=True)
    ax.tick_params(axis="y", length=0)
    if annotate:
        for yy, e, lo_, hi_ in zip(y, est, low, high, strict=True):
            ax.text(
                1.02,
                yy,
                _interval_text(e, lo_, hi_, lang),
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=9,
                color=_TEXT_COLOR,
            )


# --------------------------------------------------------------------------- permutation


def permutation_plot(
    plot_data,
    actual: float | None = None,
    *,
    lang: str = "sv",
    label: str | None = None,
    p_value: float | None = None,
    scale: float = 1.0,
    title: str | None = None,
) -> ReportFigure:
    """Histogram of the randomization distribution with the actual result marked.

    Each bar counts the possible choices of pilot administrations (56 for 3 of 8) whose
    estimated effect falls in the bin; the bin holding the actual choice is drawn in the
    pilot colour and the actual value marked with a line, "Det faktiska utfallet". The
    subtitle says what the p-value means in words.

    Parameters
    ----------
    plot_data : DataFrame or RandomizationInferenceResult
        ``RandomizationInferenceResult.plot_data()`` (columns ``bin_left``, ``bin_right``,
        ``count``, ``contains_actual``), or the result itself (then ``actual`` and
        ``p_value`` default to its ``statistic_value`` and ``p_value``).
    actual : float
        The actual assignment's statistic (``result.statistic_value``).
    lang : {"sv", "en"}, default "sv"
    label : str, optional
        The x-axis label (the statistic with its unit); default "Skattad effekt".
    p_value : float, optional
        The two-sided p-value (``result.p_value``); with it the subtitle reads "… i 3 av 56
        möjliga val av pilotförvaltningar (p = 0,05)".
    scale : float, default 1.0
        Multiplies the statistic before it is shown (100 for proportions in percentage
        points).
    title : str, optional
        Default "Hur ovanligt är det faktiska utfallet?".

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> import pandas as pd
    >>> pd_ = pd.DataFrame({"bin_left": [-2.0, -1.0, 0.0, 1.0], "bin_right": [-1.0, 0.0, 1.0, 2.0],
    ...                     "count": [5, 20, 25, 6], "contains_actual": [False, False, False, True]})
    >>> fig = permutation_plot(pd_, 1.6, p_value=3 / 56)
    >>> len(fig.axes[0].patches)
    4
    """
    texts.check_lang(lang)
    plot_data, actual, p_value = _permutation_input(plot_data, actual, p_value)
    left = plot_data["bin_left"].to_numpy(dtype=float) * scale
    right = plot_data["bin_right"].to_numpy(dtype=float) * scale
    count = plot_data["count"].to_numpy(dtype=float)
    hit = (
        plot_data["contains_actual"].to_numpy(dtype=bool)
        if "contains_actual" in plot_data.columns
        else (left <= actual * scale) & (actual * scale < right)
    )
    subtitle = _permutation_subtitle(round(float(count.sum())), p_value, lang)
    with house_style():
        fig, axes = _new_figure(4.2)
        ax = axes[0][0]
        for lo, hi, c, is_hit in zip(left, right, count, hit, strict=True):
            ax.bar(
                lo,
                c,
                width=hi - lo,
                align="edge",
                color=PILOT_COLOR if is_hit else BACKGROUND_BAR_COLOR,
                hatch="///" if is_hit else "",
                edgecolor="white",
                linewidth=0.6,
            )
        a = float(actual) * scale
        ax.axvline(a, color=PILOT_COLOR, linewidth=2.0, zorder=4)
        ax.annotate(
            _t("actual", lang),
            (a, 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(4, -2),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=10,
            color=PILOT_TEXT_COLOR,
            fontweight="bold",
        )
        lo_x = min(float(left.min()) if len(left) else a, a)
        hi_x = max(float(right.max()) if len(right) else a, a)
        pad = 0.05 * ((hi_x - lo_x) or 1.0)
        ax.set_xlim(lo_x - pad, hi_x + pad)
        ax.set_ylim(0, (count.max() if len(count) else 1) * 1.15)
        ax.xaxis.set_major_formatter(number_formatter(lang, "number"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(number_formatter(lang, "count", decimals=0))
        ax.set_xlabel(label if label is not None else _t("permutation_x", lang))
        ax.set_ylabel(_wrap(_t("permutation_count", lang), 28))
        ax.set_title(_wrap(subtitle, 95), fontsize=9.5, color=_TEXT_COLOR)
        title = title if title is not None else _t("permutation_title", lang)
        x_text = label if label is not None else _t("permutation_x", lang)
        _finish(fig, title, [], plot_height=4.1)
    _describe_permutation(fig, left, right, count, hit, a, lang=lang, title=title, subtitle=subtitle, x_text=x_text)
    return fig


def _describe_permutation(
    fig, left, right, count, hit, actual: float, *, lang: str, title: str, subtitle: str, x_text: str
) -> None:
    """The alt text (what the p-value means, the actual result and the range of the
    possible ones) and data table (every bin's range and count, the actual result's bin
    marked) of a randomization distribution (:mod:`.describe`)."""
    edges = np.concatenate([left, right])
    decimals = _bin_decimals(left, right)
    # the actual result as the report's effects give it (one decimal), unless that reads
    # like a bin edge (then one more)
    shown_edges = {format_number(v, lang, decimals=decimals) for v in edges[np.isfinite(edges)]}
    actual_decimals = max(decimals, 1)
    while actual_decimals < 3 and format_number(actual, lang, decimals=actual_decimals) in shown_edges:
        actual_decimals += 1
    unit_words, what = _label_unit(x_text)

    def f(v: float) -> str:
        return format_number(v, lang, decimals=decimals)

    def f_actual(v: float) -> str:
        return format_number(v, lang, decimals=actual_decimals)

    def with_unit(text: str) -> str:
        return f"{text}\u00a0{unit_words}" if unit_words else text

    rows = []
    for lo, hi, c, is_hit in zip(left, right, count, hit, strict=True):
        where = f"{f(lo)} {_t('interval_to', lang)} {f(hi)}"
        if is_hit:
            where = _t("permutation_actual_cell", lang, bin=where, actual=f_actual(actual))
        rows.append([where, format_number(c, lang, decimals=0)])
    data = pd.DataFrame(rows, columns=[x_text, _t("permutation_count", lang)])
    possible = count > 0
    spread = (
        with_unit(_t("alt_between", lang, low=f(float(left[possible].min())), high=f(float(right[possible].max()))))
        if possible.any()
        else ""
    )
    default_x = what.lower() == _t("permutation_x", lang).lower()
    said = (
        _t(
            "alt_permutation" if default_x else "alt_permutation_of",
            lang,
            actual=with_unit(f_actual(actual)),
            range=spread,
            what=what[:1].lower() + what[1:],
        )
        if spread
        else ""
    )
    alt = " ".join(_sentence(t) for t in (title, subtitle, said))
    describe(fig, alt, data, lang=lang, caption=title or None)


def _bin_decimals(left: np.ndarray, right: np.ndarray, most: int = 3) -> int:
    """The fewest decimals (up to ``most``) at which every bin keeps its width to within
    10 %: bins 1,496 wide from −5,012 read −5,0 till −3,5 (not −5 till −4, −4 till −2)."""
    ok = np.isfinite(left) & np.isfinite(right) & (right > left)
    lo, hi = left[ok].astype(float), right[ok].astype(float)
    for d in range(most + 1):
        width = np.round(hi, d) - np.round(lo, d)
        if np.all(np.abs(width - (hi - lo)) <= 0.1 * (hi - lo)):
            return d
    return most


def _label_unit(text: str) -> tuple[str, str]:
    """(unit, label) of an axis label that ends with its unit in brackets: "Skattad
    effekt (procentenheter)" → ("procentenheter", "Skattad effekt"); ("", text) when it
    has none. A percent sign stays with the number."""
    match = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", text or "")
    if not match:
        return "", (text or "").strip()
    unit = match.group(2).strip()
    return ("" if unit == "%" else unit), match.group(1)


def _permutation_input(
    plot_data, actual: float | None, p_value: float | None
) -> tuple[pd.DataFrame, float, float | None]:
    """The bins, the actual result and the p-value, from the arguments or the result."""
    if not isinstance(plot_data, pd.DataFrame) and hasattr(plot_data, "plot_data"):
        result = plot_data
        plot_data = result.plot_data()
        if actual is None:
            actual = float(result.statistic_value)
        if p_value is None:
            p_value = float(result.p_value)
    if not isinstance(plot_data, pd.DataFrame):
        raise TypeError(
            f"permutation_plot() needs RandomizationInferenceResult.plot_data(), not {type(plot_data).__name__}"
        )
    missing = [c for c in ("bin_left", "bin_right", "count") if c not in plot_data.columns]
    if missing:
        raise KeyError(f"permutation_plot(): plot_data lacks {', '.join(missing)}; pass result.plot_data()")
    if actual is None:
        raise ValueError("permutation_plot(): give the actual result (result.statistic_value)")
    return plot_data, actual, p_value


def _permutation_subtitle(n: int, p_value: float | None, lang: str) -> str:
    """What the p-value means in words (or, without one, what the bars show)."""
    if p_value is not None and np.isfinite(p_value):
        k = round(p_value * n)
        return _t(
            "permutation_p",
            lang,
            k=format_number(k, lang),
            n=format_number(n, lang),
            p=format_number(p_value, lang, decimals=2),
        )
    return _t("permutation_no_p", lang, n=format_number(n, lang))
