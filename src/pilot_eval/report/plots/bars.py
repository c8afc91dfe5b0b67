"""Bar charts of a protected table (and the bars the funnel chart shares)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ... import texts
from ...disclosure import MISSING_SYMBOL, ProtectedTable
from ...labels import format_number, format_percent, label
from .common import (
    _axis_label,
    _check_columns,
    _check_unique,
    _footnotes,
    _group_text,
    _kind,
    _ordered,
    _require_protected,
    _rows,
    _symbol,
    _t,
    group_styles,
)
from .describe import (
    _TRAILING_UNIT,
    ALT_MAX_VALUES,
    _cell,
    _chart_name,
    _in_sentence,
    _join,
    _join_numbered,
    _range_text,
    _sentence,
    _with_unit,
    _withheld,
    describe,
)
from .format import _format_value, _value_decimals, number_formatter
from .style import (
    _SYMBOL_COLOR,
    _TEXT_COLOR,
    _ZERO_COLOR,
    FIG_WIDTH,
    SINGLE_SERIES_COLOR,
    ReportFigure,
    _finish,
    _new_figure,
    _value_grid,
    _wrap,
    house_style,
)

_OFFSET_PTS = 3  # between a bar's end and its label


def _draw_bars(
    ax,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    protected: ProtectedTable,
    *,
    value: str,
    category: str,
    hue: str | None,
    lang: str,
    kind: str,
    horizontal: bool,
    value_labels: bool,
    category_text=None,
    wrap: int = 28,
) -> tuple[set[str], list, float]:
    """Grouped bars on ``ax``; returns the reasons of the symbols shown, the legend handles
    and the height (inches) slanted category labels need beyond the usual."""
    cats = _ordered(values[category])
    hues = _ordered(values[hue]) if hue else [None]
    # one series: a colour that means neither arm
    styles = group_styles(hue, hues) if hue else {None: {"color": SINGLE_SERIES_COLOR, "hatch": ""}}
    used = _draw_bar_rows(
        ax,
        values,
        flags,
        protected,
        value=value,
        category=category,
        hue=hue,
        cats=cats,
        hues=hues,
        styles=styles,
        lang=lang,
        kind=kind,
        horizontal=horizontal,
        value_labels=value_labels,
    )
    text_of = category_text or (lambda c: _group_text(category, c, lang))
    extra = _category_axis(
        ax,
        [text_of(c) for c in cats],
        _bar_limits(values[value].to_numpy(dtype=float), value_labels),
        number_formatter(lang, kind),
        horizontal=horizontal,
        wrap=wrap,
    )
    handles = []
    if hue:
        handles = [
            Patch(
                facecolor=styles[h]["color"],
                hatch=styles[h]["hatch"],
                edgecolor="white",
                label=_group_text(hue, h, lang),
            )
            for h in hues
        ]
    return used, handles, extra


def _draw_bar_rows(
    ax,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    protected: ProtectedTable,
    *,
    value: str,
    category: str,
    hue: str | None,
    cats: Sequence[Hashable],
    hues: Sequence[Hashable],
    styles: Mapping,
    lang: str,
    kind: str,
    horizontal: bool,
    value_labels: bool,
) -> set[str]:
    """A bar (with its value) per row, or the symbol of its withheld value; returns the
    reasons of the symbols shown."""
    k = len(hues)
    width = 0.8 / k  # the hue groups share 0.8 of a category's slot
    used: set[str] = set()
    shown = values[value].to_numpy(dtype=float)
    decimals = _value_decimals(shown, kind)
    cat_pos = {c: i for i, c in enumerate(cats)}
    hue_pos = {h: j for j, h in enumerate(hues)}
    for r in range(len(values)):
        c = values[category].iloc[r]
        h = values[hue].iloc[r] if hue else None
        if c not in cat_pos or h not in hue_pos:
            continue
        pos = cat_pos[c] + (hue_pos[h] - (k - 1) / 2) * width
        v = shown[r]
        flag = str(flags[value].iloc[r])
        if np.isfinite(v):
            st = styles[h]
            kw = {
                "color": st["color"],
                "hatch": st["hatch"],
                "edgecolor": "white",
                "linewidth": 0.0,
                "label": _group_text(hue, h, lang) if hue else None,
            }
            if horizontal:
                ax.barh(pos, v, height=width * 0.92, **kw)
            else:
                ax.bar(pos, v, width=width * 0.92, **kw)
            if value_labels:
                _bar_label(ax, pos, v, _format_value(v, kind, lang, value, decimals), horizontal)
        else:
            used.add(flag)
            _bar_symbol(ax, pos, _symbol(protected, flag), horizontal)
    return used


def _describe_bars(
    fig,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    protected: ProtectedTable,
    *,
    value: str,
    category: str,
    hue: str | None,
    lang: str,
    kind: str,
    title: str | None,
    axis_text: str,
    category_text=None,
    notes: Sequence[str] = (),
) -> None:
    """The alt text and data table of bars (:mod:`.describe`): one row per category, one
    column per hue group, each value as its bar's label, a withheld one as its symbol in
    the table and in words in the alt text."""
    cats = _ordered(values[category])
    hues = _ordered(values[hue]) if hue else [None]
    text_of = category_text or (lambda c: _group_text(category, c, lang))
    shown = values[value].to_numpy(dtype=float)
    decimals = _value_decimals(shown, kind)

    def fmt(v: float) -> str:
        return _format_value(v, kind, lang, value, decimals)

    cells: dict[tuple, tuple[str, str]] = {}  # (category, hue) → (table cell, alt words)
    for r in range(len(values)):
        key = (values[category].iloc[r], values[hue].iloc[r] if hue else None)
        flag, v = str(flags[value].iloc[r]), shown[r]
        if flag or not np.isfinite(v):
            cells[key] = (_cell(protected, flag, MISSING_SYMBOL), _withheld(flag, lang))
        else:
            cells[key] = (fmt(v), _with_unit(fmt(v), kind, lang))
    absent = (MISSING_SYMBOL, _withheld("missing", lang))
    columns = [_group_text(hue, h, lang) for h in hues] if hue else [axis_text]
    rows = [[text_of(c)] + [cells.get((c, h), absent)[0] for h in hues] for c in cats]
    data = pd.DataFrame(rows, columns=[label(category, lang), *columns])
    if len(cells) > ALT_MAX_VALUES:
        body = _t(
            "alt_many_values",
            lang,
            n=len(cells),
            range=_range_text(shown, lambda x: _with_unit(fmt(x), kind, lang), lang),
        )
    else:
        parts = []
        # a name that ends with a number ("25–34") and its value would run together:
        # "25–34: 0,95; 35–44: 1,00"
        numbered = any(text_of(c)[-1:].isdigit() for c in cats)
        for h in hues:
            items = [(_in_sentence(category, text_of(c)), cells[(c, h)][1]) for c in cats if (c, h) in cells]
            if numbered:
                listed = _join_numbered([f"{name}: {words}" for name, words in items], lang)
            else:
                listed = _join([f"{name} {words}" for name, words in items], lang)
            parts.append(f"{_group_text(hue, h, lang)}{' –' if numbered else ':'} {listed}" if hue else listed)
        body = " ".join(_sentence(p) for p in parts)
    what = title or axis_text
    alt = f"{_sentence(_chart_name(title, axis_text, value, lang))} {_sentence(body)}"
    caption = what
    # the axis' label adds the unit of the table's figures ("Andel … (%)"); one without a
    # unit only says the title again in other words ("kvot mot bäst ställda grupp")
    if title and hue and axis_text and _TRAILING_UNIT.search(axis_text) and axis_text.lower() not in title.lower():
        caption = f"{_sentence(title)} {axis_text}"
    kinds = dict.fromkeys(columns, protected.column_kinds.get(value, "other"))
    describe(fig, alt, data, lang=lang, caption=caption, notes=notes, kinds=kinds)


def _bar_label(ax, pos: float, v: float, text: str, horizontal: bool) -> None:
    """A bar's value beyond its end."""
    sign = 1 if v >= 0 else -1
    if horizontal:
        ax.annotate(
            text,
            (v, pos),
            xytext=(sign * _OFFSET_PTS, 0),
            textcoords="offset points",
            ha="left" if sign > 0 else "right",
            va="center",
            fontsize=9,
            color=_TEXT_COLOR,
        )
    else:
        ax.annotate(
            text,
            (pos, v),
            xytext=(0, sign * _OFFSET_PTS),
            textcoords="offset points",
            ha="center",
            va="bottom" if sign > 0 else "top",
            fontsize=9,
            color=_TEXT_COLOR,
        )


def _bar_symbol(ax, pos: float, symbol: str, horizontal: bool) -> None:
    """A withheld value's symbol where its bar would start."""
    if horizontal:
        ax.annotate(
            symbol,
            (0, pos),
            xytext=(_OFFSET_PTS, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8.5,
            color=_SYMBOL_COLOR,
        )
    else:
        ax.annotate(
            symbol,
            (pos, 0),
            xytext=(0, _OFFSET_PTS),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_SYMBOL_COLOR,
        )


def _bar_limits(shown: np.ndarray, value_labels: bool) -> tuple[float, float]:
    """The value axis: zero and the values, with room for the value labels."""
    finite = shown[np.isfinite(shown)]
    top = float(finite.max()) if finite.size else 1.0
    bottom = float(finite.min()) if finite.size else 0.0
    pad = 0.14 if value_labels else 0.05
    lo = min(0.0, bottom)
    hi = max(0.0, top)
    span = (hi - lo) or 1.0
    return lo - (pad * span if lo < 0 else 0.0), hi + pad * span


def _category_axis(
    ax, names: Sequence[str], limits: tuple[float, float], formatter, *, horizontal: bool, wrap: int
) -> float:
    """The category labels and both axes' limits; returns the height (inches) slanted
    labels need beyond the usual."""
    n = len(names)
    rotate = False
    if not horizontal:  # columns: wrap into the slot, or slant the labels if a word is too long
        fit = max(6, int((FIG_WIDTH - 1.0) / max(n, 1) / 0.085))
        rotate = any(len(w) > fit for t in names for w in t.split())
        wrap = 60 if rotate else fit
    extra = 0.07 * max(len(t) for t in names) * 0.57 if rotate and names else 0.0
    wrapped = [_wrap(t, wrap) for t in names]
    ticks = np.arange(n, dtype=float)
    if horizontal:
        ax.set_yticks(ticks, wrapped)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(*limits)
        ax.xaxis.set_major_formatter(formatter)
        ax.tick_params(axis="y", length=0)
    else:
        ax.set_xticks(ticks, wrapped)
        if rotate:
            for tick in ax.get_xticklabels():
                tick.set_rotation(35)
                tick.set_horizontalalignment("right")
                tick.set_rotation_mode("anchor")
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(*limits)
        ax.yaxis.set_major_formatter(formatter)
        ax.tick_params(axis="x", length=0)
    _value_grid(ax, horizontal_bars=horizontal)
    return extra


def _reference(ax, reference, kind: str, lang: str, horizontal: bool, value: str) -> None:
    if reference is None:
        return
    if isinstance(reference, tuple | list):
        where, text = float(reference[0]), str(reference[1])
    else:
        where = float(reference)
        if abs(where - 0.8) < 1e-12 and (kind == "ratio" or value.startswith("ratio")):
            text = f"{_t('four_fifths', lang)} ({format_number(where, lang, decimals=1)})"
        elif kind == "percent":
            text = format_percent(where, lang)
        else:
            text = format_number(where, lang)
    line = {"color": _ZERO_COLOR, "linestyle": (0, (4, 2)), "linewidth": 1.2, "zorder": 4}
    if horizontal:
        ax.axvline(where, **line)
        ax.text(
            where,
            1.0,
            " " + text,
            transform=ax.get_xaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=9,
            color=_ZERO_COLOR,
        )
        lo, hi = ax.get_xlim()
        ax.set_xlim(min(lo, where), max(hi, where * 1.05 if where > 0 else hi))
    else:
        ax.axhline(where, **line)
        ax.text(
            1.0,
            where,
            " " + text,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=9,
            color=_ZERO_COLOR,
        )
        lo, hi = ax.get_ylim()
        ax.set_ylim(min(lo, where), max(hi, where * 1.05 if where > 0 else hi))


def bar_chart(
    protected: ProtectedTable,
    *,
    value: str,
    category: str,
    hue: str | None = None,
    lang: str = "sv",
    kind: str | None = None,
    title: str | None = None,
    horizontal: bool = True,
    reference: float | tuple[float, str] | None = None,
    where: Mapping[str, object] | None = None,
    axis_label: str | None = None,
    value_labels: bool = True,
) -> ReportFigure:
    """Bars of one figure of a protected table, by category (and hue group).

    Withheld cells are not drawn: their symbol ("<5", "..*", …) stands in small grey text
    where the bar would start, and the caption lists the footnotes of the symbols shown.

    Parameters
    ----------
    protected : ProtectedTable
        From :func:`pilot_eval.disclosure.publish`; a DataFrame is refused (TypeError).
    value : str
        The column drawn.
    category : str
        The group column along the category axis (in table order).
    hue : str, optional
        A second group column: one bar per value within each category (``"arm"`` gets the
        pilot and comparison colours).
    lang : {"sv", "en"}, default "sv"
    kind : {"percent", "count", "days", "ratio", "number"}, optional
        How values are formatted; by default from the table's column kind (rates are
        percent: proportions shown as "12 %").
    title : str, optional
    horizontal : bool, default True
        Horizontal bars (category labels read easily); False for columns.
    reference : float or (float, str), optional
        A reference line across the bars with a label, e.g. ``0.8`` for four-fifths
        ratios (labelled "Fyra femtedelar (0,8)" on a ratio) or ``(0.5, "Hälften")``.
    where : dict, optional
        Column → value (or list): draw only these rows, e.g. ``{"phase": "during"}`` when
        the table has more group columns than ``category`` and ``hue``.
    axis_label : str, optional
        The value axis label; default the column's label with its unit.
    value_labels : bool, default True
        Write each bar's value at its end.

    Returns
    -------
    ReportFigure

    Raises
    ------
    TypeError
        ``protected`` is not a ProtectedTable.
    ValueError
        More than one row per category × hue (use ``where``).

    Examples
    --------
    >>> import pandas as pd
    >>> from pilot_eval.disclosure import publish
    >>> t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n": [40, 3, 25]})
    >>> fig = bar_chart(publish(t, totals=None), value="n", category="administration")
    >>> len(fig.axes[0].patches), "<5" in [x.get_text() for x in fig.axes[0].texts]
    (2, True)
    """
    protected = _require_protected(protected, "bar_chart")
    texts.check_lang(lang)
    _check_columns(protected, [value, category, hue], "bar_chart")
    kind = _kind(protected, value, kind)
    values, flags = _rows(protected, where, "bar_chart")
    keys = [category] + ([hue] if hue else [])
    _check_unique(values, keys, protected, "bar_chart")
    n_bars = len(values)
    with house_style():
        height = min(8.5, 0.8 + 0.22 * n_bars + 0.12 * len(_ordered(values[category]))) if horizontal else 3.7
        fig, axes = _new_figure(height)
        ax = axes[0][0]
        # what the bars draw, and what their description states: the same data and words
        bars = dict(value=value, category=category, hue=hue, lang=lang, kind=kind)
        used, handles, extra = _draw_bars(
            ax,
            values,
            flags,
            protected,
            **bars,
            horizontal=horizontal,
            value_labels=value_labels,
            wrap=28 if horizontal else 14,
        )
        height += extra
        _reference(ax, reference, kind, lang, horizontal, value)
        text = axis_label if axis_label is not None else _axis_label(value, kind, lang)
        if horizontal:
            ax.set_xlabel(text)
        else:
            ax.set_ylabel(_wrap(text, 40))
        notes = _footnotes(protected, used, lang)
        _finish(fig, title, notes, handles, plot_height=height)
    _describe_bars(fig, values, flags, protected, **bars, title=title, axis_text=text, notes=notes)
    return fig
