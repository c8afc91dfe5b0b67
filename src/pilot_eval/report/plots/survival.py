"""Fill curves: the share of vacancies filled by days since publication (Kaplan–Meier)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator

from ... import texts
from ...disclosure import ProtectedTable
from ...disclosure.rules import SYMBOLS
from ...labels import format_percent, label
from .common import (
    _check_columns,
    _footnotes,
    _group_text,
    _line_handles,
    _ordered,
    _require_protected,
    _t,
    group_styles,
)
from .describe import _in_sentence, _join, _sentence, _withheld, describe
from .format import number_formatter
from .style import _SYMBOL_COLOR, ReportFigure, _finish, _new_figure, house_style

_PHASES = ("before", "during", "after")


def _km_curve(
    durations: np.ndarray, filled: np.ndarray, horizon: int, min_at_risk: int
) -> tuple[np.ndarray, np.ndarray]:
    """Days 0…horizon and 1 − Kaplan–Meier (:func:`pilot_eval.measures.kaplan_meier`, which
    gives lifelines' curve without importing lifelines), cut before the first day with
    fewer than ``min_at_risk`` vacancies at risk."""
    from ...measures.survival import kaplan_meier

    days = np.arange(0, int(horizon) + 1, dtype=float)
    km = kaplan_meier(durations, np.asarray(filled, dtype=np.int64))
    keep = km.at_risk(days)[0] >= min_at_risk  # non-increasing in the day: a prefix
    days = days[keep]
    return days, 1.0 - km.at(days)[0]


def fill_curves(
    vacancies: pd.DataFrame,
    pilot_rollout: pd.DataFrame,
    cut_date,
    *,
    lang: str = "sv",
    horizon: int = 180,
    min_at_risk: int = 10,
    min_n: int = 10,
    by: Sequence[str] = ("arm", "phase"),
    phases: Sequence[str] | None = ("before", "during"),
    title: str | None = None,
    period: str = "quarter",
    published: ProtectedTable | None = None,
) -> ReportFigure:
    """Share of vacancies filled by days since publication: one line per arm, one panel
    per phase of the pilot.

    The curve is 1 − Kaplan–Meier (as lifelines' ``KaplanMeierFitter``) of time to fill
    (:func:`pilot_eval.measures.durations.fill_durations`): open vacancies are censored at
    the cut date and competing outcomes (cancelled, unfilled, re-advertised) at their
    closing date, as for the median of :func:`~pilot_eval.measures.time_to_fill`; so the
    curve answers "how fast are recruitments filled while they run".

    Disclosure control: a curve stops before the first day on which fewer than
    ``min_at_risk`` vacancies of its group are still at risk, so no single vacancy's
    duration can be read off a step; a group with fewer than ``min_n`` vacancies is not
    drawn at all, and the caption names it.

    Parameters
    ----------
    vacancies : DataFrame
        Processed vacancies (``load_processed()["vacancies"]`` or the demo's table).
        Vacancies published after ``cut_date`` are left out.
    pilot_rollout : DataFrame
        The roll-out table (decides arm and phase: :func:`~pilot_eval.measures.vacancy_pilot_status`).
    cut_date : date-like
        The data cut date.
    lang : {"sv", "en"}, default "sv"
    horizon : int, default 180
        Last day shown.
    min_at_risk : int, default 10
        A curve stops where fewer vacancies than this are still at risk.
    min_n : int, default 10
        Groups with fewer vacancies are not drawn.
    by : (str, str) or (str,), default ("arm", "phase")
        The line column, then the panel column (any column of
        :func:`~pilot_eval.measures.enrich_vacancies`, e.g. ``("arm", "period")``); one
        column gives a single panel.
    phases : sequence of str, optional, default ("before", "during")
        The panels to show when the panel column is ``phase`` (add ``"after"`` for the time
        after the pilot); None shows every phase present.
    title : str, optional
        Default "Andel tillsatta rekryteringar" / "Share of vacancies filled".
    period : str, default "quarter"
        Calendar period of the ``period`` column, if ``by`` uses it.
    published : ProtectedTable, optional
        The chart's figures published for the report's ledger:
        ``ctx.publish(fill_table(...same arguments...), totals=None, shown="chart")``
        (:func:`fill_table`). A share it withholds (its implied count is 1–4, or the
        report's audit withheld it) is withheld in the data table and the alt text, and the
        curve is not drawn from the table day before it to the table day after it. Without
        it the chart's figures are in no ledger (a chart outside a report).

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> from pilot_eval.demo import generate
    >>> t = generate(seed=1, scale=0.1).tables
    >>> fig = fill_curves(t["vacancies"], t["pilot_rollout"], "2026-02-28")
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['Före piloten', 'Under piloten']
    """
    frame, line_col, panel_col, panels = _fill_frame(vacancies, pilot_rollout, cut_date, lang, by, phases, period)
    lines = _ordered(frame[line_col])
    withheld = _withheld_days(published, line_col, panel_col, horizon) if published is not None else {}
    styles = group_styles(line_col, lines)

    too_few: list[str] = []
    truncated = False
    drawn_curves: list[tuple[object, dict]] = []  # (panel, {line value: (days, share filled)})
    with house_style():
        fig, axes = _new_figure(4.5, 1, len(panels), sharey=True)
        for ax, panel in zip(axes[0], panels, strict=True):
            sub = frame if panel is None else frame.loc[frame[panel_col].astype(object) == panel]
            # a group too small to draw is named with its panel
            where = f" ({_group_text(panel_col, panel, lang).lower()})" if panel is not None else ""
            curves, cut_short, small = _draw_fill_panel(
                ax,
                sub,
                line_col,
                lines,
                styles,
                where,
                horizon=horizon,
                min_at_risk=min_at_risk,
                min_n=min_n,
                lang=lang,
                withheld={k[0]: v for k, v in withheld.items() if k[1] == panel},
            )
            truncated = truncated or cut_short
            too_few.extend(small)
            drawn_curves.append((panel, curves))
            _fill_axis(ax, panel_col, panel, len(curves), horizon, len(panels), lang)
        axes[0][0].set_ylabel(_t("share_filled", lang))
        handles = _line_handles(line_col, lines, styles, lang)
        title = title if title is not None else _t("fill_title", lang)
        caption = _fill_caption(lang, truncated, too_few, min_at_risk, min_n)
        if any(withheld.values()):  # a curve left out around a withheld share
            caption.insert(-1 if too_few else len(caption), _t("fill_gap", lang))
        _finish(fig, title, caption, handles, ncols=2 if len(handles) > 4 else 3, plot_height=3.3)
    _describe_fill(
        fig,
        drawn_curves,
        line_col,
        panel_col,
        lines,
        lang=lang,
        horizon=horizon,
        title=title,
        too_few=too_few,
        min_at_risk=min_at_risk,
        min_n=min_n,
        withheld=withheld,
        published=published,
    )
    return fig


def fill_table(
    vacancies: pd.DataFrame,
    pilot_rollout: pd.DataFrame,
    cut_date,
    *,
    horizon: int = 180,
    min_at_risk: int = 10,
    min_n: int = 10,
    by: Sequence[str] = ("arm", "phase"),
    phases: Sequence[str] | None = ("before", "during"),
    period: str = "quarter",
) -> pd.DataFrame:
    """The figures :func:`fill_curves` states (with the same arguments), for the report's
    disclosure ledger: one row per curve drawn, its group columns, ``n`` (vacancies of the
    group) and the share filled after 30, 60, 90 days and at the horizon as
    ``within_<day>`` (Kaplan–Meier shares, proportions; NaN past the end of the curve,
    where fewer than ``min_at_risk`` remain).

    Publish it before drawing, so that the audit across pages covers the chart::

        fill = ctx.publish(plots.fill_table(...), totals=None, shown="chart")
        show.figure(plots.fill_curves(..., published=fill))

    Examples
    --------
    >>> from pilot_eval.demo import generate
    >>> t = generate(seed=1, scale=0.1).tables
    >>> list(fill_table(t["vacancies"], t["pilot_rollout"], "2026-02-28").columns)
    ['arm', 'phase', 'n', 'within_30', 'within_60', 'within_90', 'within_180']
    """
    frame, line_col, panel_col, panels = _fill_frame(vacancies, pilot_rollout, cut_date, "sv", by, phases, period)
    days = _fill_days(horizon)
    rows = []
    for panel in panels:
        sub = frame if panel is None else frame.loc[frame[panel_col].astype(object) == panel]
        for value in _ordered(frame[line_col]):
            group = sub.loc[sub[line_col].astype(object) == value]
            if len(group) < max(min_n, 1):
                continue
            x, y = _group_curve(group, horizon, min_at_risk)
            if len(x) == 0:
                continue
            share = dict(zip(x.astype(int), y, strict=True))
            row = {line_col: value, **({panel_col: panel} if panel_col else {}), "n": len(group)}
            row.update({f"within_{d}": float(share[d]) if d in share else np.nan for d in days})
            rows.append(row)
    columns = [line_col, *([panel_col] if panel_col else []), "n", *(f"within_{d}" for d in days)]
    return pd.DataFrame(rows, columns=columns)


def _group_curve(group: pd.DataFrame, horizon: int, min_at_risk: int) -> tuple[np.ndarray, np.ndarray]:
    from ...measures.durations import FILLED

    d = group["duration"].to_numpy(dtype=float)
    e = group["event"].to_numpy() == FILLED
    return _km_curve(d, e, horizon, min_at_risk)


def _withheld_days(
    published: ProtectedTable, line_col: str, panel_col: str | None, horizon: int
) -> dict[tuple, dict[int, str]]:
    """(line value, panel) → {day: reason} of the shares ``published`` withholds."""
    published = _require_protected(published, "fill_curves")
    days = _fill_days(horizon)
    needed = [line_col, *([panel_col] if panel_col else []), *(f"within_{d}" for d in days)]
    _check_columns(published, needed, "fill_curves")
    values, flags = published.values, published.flags
    out: dict[tuple, dict[int, str]] = {}
    for r in range(len(values)):
        key = (values[line_col].iloc[r], values[panel_col].iloc[r] if panel_col else None)
        out[key] = {d: str(flags[f"within_{d}"].iloc[r]) for d in days if str(flags[f"within_{d}"].iloc[r])}
    return out


def _hidden(x: np.ndarray, withheld: dict[int, str], horizon: int) -> np.ndarray:
    """The days of a curve not drawn around a withheld table day: from the table day
    before it to the table day after it, so that no point of the curve is read as the
    withheld share."""
    days = _fill_days(horizon)
    hide = np.zeros(len(x), dtype=bool)
    for k, day in enumerate(days):
        if day in withheld:
            before = days[k - 1] if k > 0 else -1
            after = days[k + 1] if k + 1 < len(days) else np.inf
            hide |= (x > before) & (x < after)
    return hide


def _fill_days(horizon: int) -> list[int]:
    """The days of the data table: 30, 60, 90 and the horizon (those within it)."""
    return sorted({d for d in (30, 60, 90, int(horizon)) if 0 < d <= horizon})


def _describe_fill(
    fig,
    drawn: Sequence[tuple[object, dict]],
    line_col: str,
    panel_col: str | None,
    lines: Sequence,
    *,
    lang: str,
    horizon: int,
    title: str,
    too_few: Sequence[str],
    min_at_risk: int,
    min_n: int,
    withheld: dict | None = None,
    published: ProtectedTable | None = None,
) -> None:
    """The alt text (the share filled after 90 days, or at the horizon, per panel and
    line) and data table (the share filled after 30, 60, 90 days and at the horizon) of
    fill curves (:mod:`.describe`): only days a curve reaches, the others withheld as the
    chart withholds them (the curve stops where fewer than ``min_at_risk`` remain), a
    group too small to draw left out (named in the notes, as in the chart's caption)."""
    days = _fill_days(horizon)
    key_day = 90 if 90 in days else days[-1]
    symbol = SYMBOLS["small_n"]
    rows, said, cut, used = [], [], False, set()
    for panel, curves in drawn:
        panel_text = _group_text(panel_col, panel, lang) if panel_col else ""
        at_key = []
        for value in lines:
            if value not in curves:
                continue
            x, y = curves[value]
            share = {int(d): float(v) for d, v in zip(x, y, strict=True)}
            hidden = (withheld or {}).get((value, panel), {})
            for d in hidden:
                share.pop(d, None)
                used.add(hidden[d])
            cells = [
                format_percent(share[d], lang) if d in share else published.symbol(hidden[d]) if d in hidden else symbol
                for d in days
            ]
            cut = cut or any(d not in share and d not in hidden for d in days)
            name = _group_text(line_col, value, lang)
            rows.append(([panel_text] if panel_col else []) + [name, *cells])
            words = (
                format_percent(share[key_day], lang)
                if key_day in share
                else _withheld(hidden.get(key_day, "small_n"), lang)
            )
            at_key.append(f"{_in_sentence(line_col, name)} {words}")
        if at_key:
            listed = _join(at_key, lang)
            said.append(f"{_in_sentence(panel_col, panel_text)}: {listed}" if panel_col else listed)
    headers = ([label(panel_col, lang)] if panel_col else []) + [label(line_col, lang)]
    headers += [_t("fill_day_header", lang, day=d) for d in days]
    notes = [_t("fill_method", lang)]
    if cut:
        notes.append(_t("fill_note_truncated", lang, symbol=symbol, k=min_at_risk))
    if used and published is not None:
        notes += _footnotes(published, used, lang)
    if too_few:
        notes.append(_t("fill_too_few", lang, k=max(min_n, min_at_risk), groups=", ".join(too_few)))
    sep = ", " if panel_col else ": "
    parts = [title, f"{_t('alt_fill_at', lang, day=key_day)}{sep}{'; '.join(said)}" if said else _t("no_data", lang)]
    if too_few:
        groups = ", ".join(_in_sentence(line_col, g) for g in too_few)
        parts.append(_t("fill_too_few", lang, k=max(min_n, min_at_risk), groups=groups))
    alt = " ".join(_sentence(p) for p in parts)
    data = pd.DataFrame(rows, columns=headers)
    describe(fig, alt, data, lang=lang, caption=title, notes=notes, row_headers=2 if panel_col else 1)


def _fill_frame(
    vacancies: pd.DataFrame,
    pilot_rollout: pd.DataFrame,
    cut_date,
    lang: str,
    by: Sequence[str] | str,
    phases: Sequence[str] | None,
    period: str,
) -> tuple[pd.DataFrame, str, str | None, list]:
    """The vacancies published by the cut date with their arm, phase, period, duration and
    event; the line column, the panel column (or None) and the panels."""
    from ...measures.common import enrich_vacancies
    from ...measures.durations import fill_durations

    texts.check_lang(lang)
    by = [by] if isinstance(by, str) else list(by)
    if not 1 <= len(by) <= 2:
        raise ValueError(f"by must name one or two columns (lines, panels), not {by!r}")
    cut = pd.Timestamp(cut_date)
    vac = vacancies.loc[pd.to_datetime(vacancies["published_date"]) <= cut]
    frame = enrich_vacancies(vac, pilot_rollout, period).join(fill_durations(vac, cut))
    for col in by:
        if col not in frame.columns:
            raise KeyError(
                f"fill_curves(): cannot draw by {col!r}: not a column of the vacancies "
                f"(available: {', '.join(map(str, frame.columns))})"
            )
    panel_col = by[1] if len(by) == 2 else None
    return frame, by[0], panel_col, _fill_panels(frame, panel_col, phases)


def _fill_panels(frame: pd.DataFrame, panel_col: str | None, phases: Sequence[str] | None) -> list:
    if panel_col is None:
        return [None]
    if panel_col == "phase" and phases is not None:
        unknown = [p for p in phases if p not in _PHASES]
        if unknown:
            raise ValueError(f"phases must be among before, during, after; not {unknown}")
        return list(phases)
    return _ordered(frame[panel_col])


def _draw_fill_panel(
    ax,
    sub: pd.DataFrame,
    line_col: str,
    lines: Sequence,
    styles: dict,
    where: str,
    *,
    horizon: int,
    min_at_risk: int,
    min_n: int,
    lang: str,
    withheld: dict | None = None,
) -> tuple[dict, bool, list[str]]:
    """One panel's curves; returns those drawn (line value → days, share filled), whether
    one stops before the horizon, and the groups too small to draw."""
    drawn, truncated, too_few = {}, False, []
    for value in lines:
        group = sub.loc[sub[line_col].astype(object) == value]
        name = _group_text(line_col, value, lang)
        if len(group) == 0:
            continue
        if len(group) < max(min_n, 1):
            too_few.append(name + where)
            continue
        x, y = _group_curve(group, horizon, min_at_risk)
        if len(x) == 0:
            too_few.append(name + where)
            continue
        if x[-1] < horizon:
            truncated = True
        st = styles[value]
        drawn_y = np.where(_hidden(x, (withheld or {}).get(value, {}), horizon), np.nan, y)
        ax.plot(
            x,
            drawn_y,
            drawstyle="steps-post",
            color=st["color"],
            linestyle=st["linestyle"],
            marker=st["marker"],
            markevery=slice(15, None, 30),
            label=name,
        )
        drawn[value] = (x, y)
    return drawn, truncated, too_few


def _fill_axis(ax, panel_col: str | None, panel, drawn: int, horizon: int, n_panels: int, lang: str) -> None:
    """A panel's title, "no data" when nothing was drawn, its axes and their ticks."""
    if panel is not None:
        ax.set_title(_group_text(panel_col, panel, lang))
    if drawn == 0:
        ax.text(0.5, 0.5, _t("no_data", lang), transform=ax.transAxes, ha="center", va="center", color=_SYMBOL_COLOR)
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.0)
    ax.set_xlabel(_t("days_since_publication", lang))
    ax.xaxis.set_major_locator(FixedLocator(_day_ticks(horizon, n_panels)))
    ax.xaxis.set_major_formatter(number_formatter(lang, "days"))
    ax.yaxis.set_major_formatter(number_formatter(lang, "percent"))


def _fill_caption(lang: str, truncated: bool, too_few: Sequence[str], min_at_risk: int, min_n: int) -> list[str]:
    caption = [_t("fill_method", lang)]
    if truncated:
        caption.append(_t("fill_truncated", lang, k=min_at_risk))
    if too_few:
        caption.append(_t("fill_too_few", lang, k=max(min_n, min_at_risk), groups=", ".join(too_few)))
    return caption


def _day_ticks(horizon: int, panels: int = 1) -> list[float]:
    """Ticks every 30 days (60, 90 for longer horizons); twice as far apart when three or
    more panels share the width, where "120 150 180" ran together."""
    step = 30 if horizon <= 240 else 60 if horizon <= 480 else 90
    if panels >= 3:
        step *= 2
    return list(np.arange(0, horizon + 1, step, dtype=float))
