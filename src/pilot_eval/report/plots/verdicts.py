"""The summary's chart: each primary outcome's effect during the pilot with its interval.

One small panel per outcome (their units differ: days, percentage points, per cent), each
centred on a zero line labelled "ingen skillnad", the verdict in the panel's title, so
that the chart says what the verdict table says. Estimates, not microdata: no disclosure
control applies. The texts are :mod:`pilot_eval.texts.summary`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ... import texts
from ...labels import format_number
from ...texts import summary as T
from .describe import describe
from .format import number_formatter
from .style import _TEXT_COLOR, _ZERO_COLOR, PILOT_COLOR, ReportFigure, _finish, _new_figure, _wrap, house_style

__all__ = ["verdict_chart"]

#: Decimals of each reader's unit (as the findings print them).
_DECIMALS = {"days": 1, "pp": 1, "percent": 0, "count": 2}
_PANEL_HEIGHT = 1.35  # inches per outcome: title, the bar, its axis and label
_TITLE_LINE = 0.2  # inches per further line of a panel's title
#: Narrower than the house style's 7 inches: the chart is read on a phone too, where a
#: 7-inch figure shrinks its text to less than half.
_WIDTH = 5.0
_PANEL_TITLE_WRAP = 56  # characters per line of a panel's title at 10.5 pt on 5 inches
_CAPTION_WRAP = 78  # characters per caption line at 8.5 pt on 5 inches


def _number(value: float, unit: str, lang: str) -> str:
    if not math.isfinite(value):
        return T.CHART["no_limit"][texts.index(lang)]
    return format_number(value, lang, decimals=_DECIMALS.get(unit, 1))


def verdict_chart(table, *, lang: str | None = None, title: str | None = None) -> ReportFigure:
    """Small multiples of the verdict table: per outcome a point (the estimate) and a bar
    (its 95 % interval), a zero line "ingen skillnad", the verdict in the panel's title.

    Parameters
    ----------
    table : VerdictTable
        :func:`pilot_eval.report.verdicts.verdict_table` (its rows' ``estimate``,
        ``conf_low``, ``conf_high`` in the reader's ``unit``, ``title``, ``tag`` and
        ``effect`` in words).
    lang : {"sv", "en"}, optional
        Default the table's language.
    title : str, optional
        Default "Pilotens effekt under pilotperioden, med 95 % osäkerhetsintervall".

    Returns
    -------
    ReportFigure
        With ``pilot_eval_alt`` (the chart's data in one sentence per outcome) and
        ``pilot_eval_data`` (a DataFrame of formatted strings: measure, estimate, bounds,
        unit, verdict).

    Examples
    --------
    >>> from pilot_eval.report.findings import describe_effect
    >>> from pilot_eval.report.verdicts import verdict_table
    >>> f = describe_effect({"outcome": "days_to_fill", "term": "during", "estimate": 7.0, "conf_low": -4.3,
    ...                      "conf_high": 15.9, "p_value": 0.125})
    >>> fig = verdict_chart(verdict_table([f]))
    >>> fig.axes[0].get_title(loc="left")
    'Tid till tillsättning: ingen säkerställd skillnad'
    >>> list(fig.pilot_eval_data.iloc[0])
    ['Tid till tillsättning', '7,0', '−4,3', '15,9', 'dagar', 'ingen säkerställd skillnad']
    """
    lang = texts.check_lang(lang or table.lang)
    i = texts.index(lang)
    rows = list(table.rows)
    if not rows:
        raise ValueError("verdict_chart(): the verdict table has no rows")
    title = T.CHART["title"][i] if title is None else title
    panel_titles = [_wrap(f"{r.title}: {r.tag}", _PANEL_TITLE_WRAP) for r in rows]
    heights = [_PANEL_HEIGHT + _TITLE_LINE * t.count("\n") for t in panel_titles]
    with house_style():
        height = sum(heights)
        fig, axes = _new_figure(height, len(rows), 1, gridspec_kw={"height_ratios": heights})
        for ax, row, panel_title in zip(axes[:, 0], rows, panel_titles, strict=True):
            _draw_panel(ax, row, lang, panel_title)
        caption = _wrap(T.CHART["caption"][i], _CAPTION_WRAP).split("\n")
        _finish(fig, title, caption, plot_height=height)
        fig.set_size_inches(_WIDTH, fig.get_size_inches()[1])
    described = "; ".join(f"{r.title}: {r.effect}, {r.tag}" for r in rows)
    data = pd.DataFrame(
        [
            [
                r.title,
                _number(r.estimate, r.unit, lang),
                _number(r.conf_low, r.unit, lang),
                _number(r.conf_high, r.unit, lang),
                T.CHART_UNITS.get(r.unit, ("", ""))[i],
                r.tag,
            ]
            for r in rows
        ],
        columns=[
            T.CHART[k][i] for k in ("col_measure", "col_estimate", "col_low", "col_high", "col_unit", "col_verdict")
        ],
    )
    # estimates and intervals in words, no counts: nothing here for disclosure control
    return describe(fig, f"{title.rstrip('.')}. {described}.", data, lang=lang, caption=title.rstrip("."))


def _draw_panel(ax, row, lang: str, title: str) -> None:
    """One outcome: its interval as a bar and its estimate as a point, symmetric around
    the zero line so that left is always "less" and right "more"."""
    i = texts.index(lang)
    est, low, high = float(row.estimate), float(row.conf_low), float(row.conf_high)
    finite = [abs(v) for v in (est, low, high) if math.isfinite(v)]
    reach = max(finite + [1e-9]) * 1.18
    shown_low = low if math.isfinite(low) else -reach
    shown_high = high if math.isfinite(high) else reach
    ax.axvline(0.0, color=_ZERO_COLOR, linewidth=1.0, zorder=1)
    ax.text(
        0.0, 0.93, T.CHART["zero"][i], transform=ax.get_xaxis_transform(), ha="center", va="top",
        fontsize=9, color=_TEXT_COLOR, backgroundcolor="white", zorder=2,
    )  # fmt: skip
    directions = T.DIRECTIONS.get(row.unit)
    if directions:
        for x, ha, words in (
            (0.0, "left", f"\u2190 {directions['down'][i]}"),
            (1.0, "right", f"{directions['up'][i]} \u2192"),
        ):
            ax.text(x, 0.93, words, transform=ax.transAxes, ha=ha, va="top", fontsize=9, color=_TEXT_COLOR)
    if math.isfinite(est):
        ax.errorbar(
            [est],
            [0.0],
            xerr=np.array([[est - shown_low], [shown_high - est]]) if math.isfinite(shown_low + shown_high) else None,
            fmt="o",
            color=PILOT_COLOR,
            ecolor=PILOT_COLOR,
            elinewidth=3.0,
            capsize=5,
            markersize=8,
            markeredgecolor=_TEXT_COLOR,
            zorder=3,
        )
        ax.annotate(
            _number(est, row.unit, lang),
            (est, 0.0),
            xytext=(0, -13),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=9,
            color=_TEXT_COLOR,
        )
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-1.0, 1.0)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.yaxis.grid(False)
    ax.xaxis.grid(True)
    ax.xaxis.set_major_formatter(number_formatter(lang, "number"))
    unit = T.CHART_UNITS.get(row.unit, ("", ""))[i]
    ax.set_xlabel(T.CHART["axis"][i].format(unit=unit) if unit else "", fontsize=9)
    ax.set_title(title, fontsize=10.5, color="#111111")
