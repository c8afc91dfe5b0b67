"""Line charts of a protected table: a time series by calendar period."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator

from ... import periods, texts
from ...disclosure import MISSING_SYMBOL, ProtectedTable
from ...labels import label, value_label
from ...texts.charts import PERIOD_AXIS
from .common import (
    _axis_label,
    _check_columns,
    _check_unique,
    _footnotes,
    _group_text,
    _kind,
    _line_handles,
    _ordered,
    _require_protected,
    _rows,
    _symbol,
    _t,
    group_styles,
)
from .describe import (
    ALT_MAX_VALUES,
    _cell,
    _chart_name,
    _count_phrase,
    _join,
    _range_text,
    _says_per,
    _sentence,
    _with_unit,
    _withheld,
    describe,
)
from .format import _format_value, _value_decimals, number_formatter
from .style import (
    _SYMBOL_COLOR,
    _ZERO_COLOR,
    GROUP_COLORS,
    ReportFigure,
    _finish,
    _new_figure,
    _wrap,
    house_style,
)


def line_chart(
    protected: ProtectedTable,
    *,
    x: str,
    value: str,
    hue: str | None = None,
    lang: str = "sv",
    kind: str | None = None,
    title: str | None = None,
    mark: Sequence[tuple[object, str]] | None = None,
    where: Mapping[str, object] | None = None,
    axis_label: str | None = None,
    xlabel: str | None = None,
) -> ReportFigure:
    """A time series by period from a protected table: one line per hue group.

    Withheld values leave a gap in their line (a lone value between two gaps shows as its
    marker), with the symbol in small grey text at the foot of the chart at that period;
    the caption lists the footnotes of the symbols shown. Periods are placed by calendar
    time, so a period missing from the table is a gap too.

    Parameters
    ----------
    protected : ProtectedTable
        From :func:`pilot_eval.disclosure.publish`; a DataFrame is refused (TypeError).
    x : str
        The period column: labels as :func:`pilot_eval.measures.period_label` makes them
        ("2024Q3", "2024H1", "2024-03", "2024"), shown as "kv. 3 2024" (Swedish) or "Q3
        2024"; over more than 12 periods only the years are labelled.
    value : str
        The column drawn.
    hue : str, optional
        The group column of the lines (``"arm"`` gets the pilot and comparison styles).
    lang : {"sv", "en"}, default "sv"
    kind : {"percent", "count", "days", "ratio", "number"}, optional
        By default from the table's column kind.
    title : str, optional
    mark : list of (date or period, label), optional
        Vertical markers, e.g. ``[("2023-09-01", "Piloten börjar"), ("2025-01-01", "Piloten slutar"),
        ("2026-03-01", "Lagändring")]``. A date is placed within its period; a period label
        ("2025Q1") at its start.
    where : dict, optional
        Column → value (or list): draw only these rows.
    axis_label, xlabel : str, optional
        Override the axis labels.

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> import pandas as pd
    >>> from pilot_eval.disclosure import publish
    >>> t = pd.DataFrame({"period": ["2024Q1", "2024Q2", "2024Q3"] * 2,
    ...                   "arm": ["pilot"] * 3 + ["comparison"] * 3,
    ...                   "n_filled": [30, 2, 28, 40, 41, 39], "n": [60, 50, 55, 70, 80, 75],
    ...                   "filled_rate": [0.5, 0.04, 0.51, 0.57, 0.51, 0.52]})
    >>> fig = line_chart(publish(t, totals=None), x="period", value="filled_rate", hue="arm",
    ...                  mark=[("2024-04-01", "Piloten börjar")])
    >>> len(fig.axes[0].lines)  # two lines and the marker
    3
    """
    protected = _require_protected(protected, "line_chart")
    texts.check_lang(lang)
    _check_columns(protected, [x, value, hue], "line_chart")
    kind = _kind(protected, value, kind)
    values, flags = _rows(protected, where, "line_chart")
    _check_unique(values, [x] + ([hue] if hue else []), protected, "line_chart")
    axis = _period_axis(values, x)
    hues = _ordered(values[hue]) if hue else [None]
    styles = (
        group_styles(hue, hues)
        if hue
        else {None: {"color": GROUP_COLORS[0], "linestyle": "-", "marker": "o", "hatch": ""}}
    )
    with house_style():
        fig, axes = _new_figure(4.5)
        ax = axes[0][0]
        used = _draw_series(
            ax, values, flags, protected, value=value, hue=hue, hues=hues, styles=styles, axis=axis, lang=lang
        )
        label_rows = _draw_marks(ax, mark or [], axis)
        _value_limits(ax, values[value].to_numpy(dtype=float), kind, label_rows)
        _period_ticks(ax, axis, lang)
        ax.xaxis.grid(False)
        ax.yaxis.set_major_formatter(number_formatter(lang, kind))
        y_text = axis_label if axis_label is not None else _axis_label(value, kind, lang)
        ax.set_ylabel(_wrap(y_text, 40))
        x_text = xlabel if xlabel is not None else _period_axis_label(x, axis.freq, lang)
        ax.set_xlabel(x_text)
        handles = _line_handles(hue, hues, styles, lang) if hue else []
        notes = _footnotes(protected, used, lang)
        _finish(fig, title, notes, handles, plot_height=3.7)
    _describe_series(
        fig,
        values,
        flags,
        protected,
        x=x,
        value=value,
        hue=hue,
        hues=hues,
        axis=axis,
        lang=lang,
        kind=kind,
        title=title,
        y_text=y_text,
        x_text=x_text,
        mark=mark or [],
        notes=notes,
    )
    return fig


def _describe_series(
    fig,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    protected: ProtectedTable,
    *,
    x: str,
    value: str,
    hue: str | None,
    hues: Sequence[Hashable],
    axis: _PeriodAxis,
    lang: str,
    kind: str,
    title: str | None,
    y_text: str,
    x_text: str,
    mark: Sequence[tuple[object, str]],
    notes: Sequence[str],
) -> None:
    """The alt text and data table of a line chart (:mod:`.describe`): one row per period,
    one column per line. The alt text lists every value of a short series; of a long one
    the first and last value and the range."""
    shown = values[value].to_numpy(dtype=float)
    decimals = _value_decimals(shown, kind)
    positions = sorted(axis.label_of)
    period_text = {p: value_label("period", axis.label_of[p], lang) for p in positions}

    def fmt(v: float) -> str:
        return _format_value(v, kind, lang, value, decimals)

    cells: dict[tuple[int, Hashable], tuple[str, str, float]] = {}  # (position, group) → (cell, words, value)
    for r in range(len(values)):
        key = (int(axis.pos[r]), values[hue].iloc[r] if hue else None)
        flag, v = str(flags[value].iloc[r]), shown[r]
        if flag or not np.isfinite(v):
            cells[key] = (_cell(protected, flag, MISSING_SYMBOL), _withheld(flag, lang), np.nan)
        else:
            cells[key] = (fmt(v), _with_unit(fmt(v), kind, lang), v)
    columns = [_group_text(hue, h, lang) for h in hues] if hue else [y_text]
    rows = [[period_text[p]] + [cells.get((p, h), (MISSING_SYMBOL,))[0] for h in hues] for p in positions]
    data = pd.DataFrame(rows, columns=[x_text, *columns])

    what = title or y_text
    said_what = _chart_name(title, y_text, value, lang)
    unit = PERIOD_AXIS[axis.freq][texts.index(lang)].lower()
    parts = [
        _t(
            "alt_series_span_per" if _says_per(said_what, axis.freq) else "alt_series_span",
            lang,
            what=said_what,
            unit=unit,
            first=period_text[positions[0]],
            last=period_text[positions[-1]],
        )
        if positions
        else said_what
    ]
    for h in hues:
        own = [p for p in positions if (p, h) in cells]
        if not own:
            continue
        name = _group_text(hue, h, lang)
        if len(cells) <= ALT_MAX_VALUES:
            # "50 % i kv. 1 2024": the value first, so that no two numbers run together
            listed = _join(
                [f"{cells[(p, h)][1]} {_t('alt_series_in', lang, period=period_text[p])}" for p in own], lang
            )
        else:
            listed = _t(
                "alt_series_group",
                lang,
                group=name,
                first_value=cells[(own[0], h)][1],
                first=_t("alt_series_in", lang, period=period_text[own[0]]),
                last_value=cells[(own[-1], h)][1],
                last=_t("alt_series_in", lang, period=period_text[own[-1]]),
                range=_range_text(
                    np.array([cells[(p, h)][2] for p in own]), lambda v: _with_unit(fmt(v), kind, lang), lang
                ),
            ).rstrip(", ")
            name = ""
            if not hue:  # one line: no group to name
                listed = listed.removeprefix(": ")
        parts.append(f"{name}: {listed}" if name and hue else listed)
    withheld = sum(1 for c in cells.values() if not np.isfinite(c[2]))
    if withheld and len(cells) > ALT_MAX_VALUES:
        parts.append(_count_phrase(withheld, lang))
    if mark:
        marks = [f"{text} ({_mark_text(when, lang)})" for when, text in mark]
        parts.append(_t("alt_marks", lang, marks=_join(marks, lang)))
    alt = " ".join(_sentence(p) for p in parts)
    kinds = dict.fromkeys(columns, protected.column_kinds.get(value, "other"))
    describe(fig, alt, data, lang=lang, caption=what, notes=notes, kinds=kinds)


def _mark_text(mark: object, lang: str) -> str:
    """A marker's date or period in words ("1 september 2023", "kv. 1 2025")."""
    if isinstance(mark, str) and periods.parse(mark) is not None:
        return periods.label(mark, lang) or mark
    return periods.date_text(_mark_start(mark), lang)


@dataclass(frozen=True)
class _PeriodAxis:
    """The x axis of a line chart: one position per period of ``freq`` from the first
    period of the table to its last (a period missing from the table is a gap)."""

    freq: str
    first: int  # the first period's ordinal (pilot_eval.periods.PeriodSpec)
    n_pos: int
    pos: np.ndarray  # each row's position
    label_of: dict[int, object]  # position → the table's period text


def _period_axis(values: pd.DataFrame, x: str) -> _PeriodAxis:
    """The periods of column ``x``; a ValueError if one is not a period, or they mix
    period lengths."""
    parsed = [periods.parse(v) for v in values[x].astype(object)]
    bad = [v for v, p in zip(values[x], parsed, strict=True) if p is None]
    if bad:
        raise ValueError(
            f"line_chart(): cannot read {bad[0]!r} in column {x!r} as a period "
            f"(expected e.g. 2024Q3, 2024H1, 2024-03, 2024)"
        )
    freqs = {p.freq for p in parsed}
    if len(freqs) > 1:
        raise ValueError(f"line_chart(): column {x!r} mixes period lengths ({', '.join(sorted(freqs))})")
    freq = freqs.pop() if freqs else "Q"
    ordinals = np.array([p.ordinal for p in parsed], dtype=int)
    first = int(ordinals.min()) if len(ordinals) else 0
    last = int(ordinals.max()) if len(ordinals) else 0
    label_of = {int(o - first): v for o, v in zip(ordinals, values[x].astype(object), strict=True)}
    return _PeriodAxis(freq, first, last - first + 1, ordinals - first, label_of)


def _draw_series(
    ax,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    protected: ProtectedTable,
    *,
    value: str,
    hue: str | None,
    hues: Sequence[Hashable],
    styles: Mapping,
    axis: _PeriodAxis,
    lang: str,
) -> set[str]:
    """One line per hue group, with a gap where a value is withheld and its symbol at the
    foot of the chart; returns the reasons of the symbols shown."""
    shown = values[value].to_numpy(dtype=float)
    reasons = flags[value].to_numpy()
    used: set[str] = set()
    withheld_at: list[tuple[int, int, str]] = []
    for j, h in enumerate(hues):
        rows = np.ones(len(values), dtype=bool) if hue is None else (values[hue].astype(object) == h).to_numpy()
        y = np.full(axis.n_pos, np.nan)
        y[axis.pos[rows]] = shown[rows]
        st = styles[h]
        ax.plot(
            np.arange(axis.n_pos),
            y,
            color=st["color"],
            linestyle=st["linestyle"],
            marker=st["marker"],
            label=_group_text(hue, h, lang) if hue else None,
            zorder=3,
        )
        gone = rows & ~np.isfinite(shown)
        for p, flag in zip(axis.pos[gone], reasons[gone], strict=True):
            used.add(str(flag))
            withheld_at.append((int(p), j, _symbol(protected, str(flag))))
    for p, j, sym in withheld_at:  # stacked by group, so that two groups' symbols do not overlap
        ax.annotate(
            sym,
            (p, 0.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(0, 3 + 11 * j),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_SYMBOL_COLOR,
        )
    return used


def _draw_marks(ax, mark: Sequence[tuple[object, str]], axis: _PeriodAxis) -> int:
    """The vertical markers and their labels, and the x limits (which take in every
    marker); returns the number of rows of labels."""
    lo_x, hi_x = -0.5, axis.n_pos - 0.5
    marks = sorted((_mark_position(when, axis.freq, axis.first), str(text)) for when, text in mark)
    for mx, _ in marks:
        lo_x, hi_x = min(lo_x, mx - 0.3), max(hi_x, mx + 0.3)
    levels: list[list[tuple[float, float]]] = []  # per label row: (left, right) in axes fraction
    for mx, text in marks:
        ax.axvline(mx, color=_ZERO_COLOR, linestyle=(0, (4, 2)), linewidth=1.0, zorder=2)
        frac = (mx - lo_x) / (hi_x - lo_x)
        width = 0.015 * len(text) + 0.02  # about 9 pt characters on 7 inches
        right = frac + width > 1.0  # no room on the right: label to the left of the line
        span = (frac - width, frac) if right else (frac, frac + width)
        row = _label_row(levels, span)
        ax.annotate(
            text,
            (mx, 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(-3 if right else 3, -2 - 13 * row),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=9,
            color=_ZERO_COLOR,
        )
    ax.set_xlim(lo_x, hi_x)
    return len(levels)


def _label_row(levels: list[list[tuple[float, float]]], span: tuple[float, float]) -> int:
    """The first row of labels where ``span`` overlaps no label (a new row if none), taken."""
    row = next((i for i, taken in enumerate(levels) if all(span[1] < a or span[0] > b for a, b in taken)), len(levels))
    if row == len(levels):
        levels.append([])
    levels[row].append(span)
    return row


def _mark_position(mark: object, freq: str, first: int) -> float:
    """x of a marker: a period string marks the start of that period; a date its place
    within its period (points sit at the middle of their period)."""
    start = _mark_start(mark)
    ordinal = (start.year * 12 + start.month - 1) // periods.MONTHS_PER[freq]
    p_start = periods.start(freq, ordinal)
    p_end = periods.start(freq, ordinal + 1)
    frac = (start - p_start) / (p_end - p_start)
    return (ordinal - first) - 0.5 + float(frac)


def _mark_start(mark: object) -> pd.Timestamp:
    """The first day of a period text ("2025Q1"), or the date ``mark`` is."""
    spec = periods.parse(mark) if isinstance(mark, str) else None
    if spec is not None:
        return spec.first_day
    try:
        return pd.Timestamp(mark)
    except ValueError as e:
        raise ValueError(f"cannot read the marker {mark!r} as a period or date") from e


def _value_limits(ax, shown: np.ndarray, kind: str, label_rows: int) -> None:
    """From zero, with room above for the markers' labels; a share stops at 100 %."""
    finite = shown[np.isfinite(shown)]
    if not (finite.size and finite.min() >= 0):
        return
    top = float(finite.max())
    upper = top * (1.12 + 0.07 * max(1, label_rows)) if top > 0 else 1.0
    if kind == "percent" and upper > 1.0:  # a share: no axis beyond 100 %, room for the labels
        upper = 1.0 + 0.08 * max(1, label_rows)
        ax.yaxis.set_major_locator(FixedLocator([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    ax.set_ylim(0, upper)


def _period_ticks(ax, axis: _PeriodAxis, lang: str) -> None:
    """Every period named over up to 12 periods (every other year over more years);
    otherwise only the years, with a minor tick per period."""
    if axis.n_pos <= 12 or axis.freq == "Y":
        ticks = sorted(axis.label_of)
        if axis.freq == "Y" and axis.n_pos > 12:
            ticks = [t for t in ticks if (t + axis.first) % 2 == 0]
        compact = axis.freq != "Y"
        ax.set_xticks(ticks, [_period_tick_label(axis.label_of[t], lang, compact=compact) for t in ticks])
    else:
        per_year = 12 // periods.MONTHS_PER[axis.freq]
        major = [p for p in range(axis.n_pos) if (p + axis.first) % per_year == 0]
        ax.set_xticks(major, [str((p + axis.first) // per_year) for p in major])
        ax.set_xticks(range(axis.n_pos), minor=True)


def _period_tick_label(value: object, lang: str, compact: bool) -> str:
    """The period's name (:func:`pilot_eval.labels.value_label`); ``compact`` puts the year
    on a line of its own."""
    text = value_label("period", value, lang)
    return text.rsplit(" ", 1)[0] + "\n" + text.rsplit(" ", 1)[1] if compact and " " in text else text


def _period_axis_label(column: str, freq: str, lang: str) -> str:
    if column in ("period", "month", "quarter", "half", "year"):
        return PERIOD_AXIS[freq][texts.index(lang)]
    return label(column, lang)
