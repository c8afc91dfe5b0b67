"""The withdrawals funnel: withdrawals by stage of recruitment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ... import texts
from ...disclosure import ProtectedTable
from ...labels import value_label
from .bars import _describe_bars, _draw_bars
from .common import _check_columns, _check_unique, _footnotes, _require_protected, _rows, _t
from .style import ReportFigure, _finish, _new_figure, house_style


def funnel_chart(
    protected: ProtectedTable,
    *,
    lang: str = "sv",
    hue: str | None = "arm",
    value: str = "rate",
    stages: Sequence[int] | None = None,
    where: Mapping[str, object] | None = None,
    title: str | None = None,
) -> ReportFigure:
    """Withdrawals by stage of recruitment, from :func:`pilot_eval.measures.withdrawals`.

    One horizontal bar per stage (and hue group): by default the **withdrawal rate at the
    stage**, the share of the applications that reached a stage and were withdrawn there.
    This is the clearer of the function's figures for the pilot's question, because a
    check late in the process shows up at its own stage instead of being diluted by
    everyone who never got that far. ``value="share_of_applications"`` draws withdrawals
    at the stage as a share of all applications instead (these add up to the overall
    withdrawal rate). Stages are named in the reader's language ("Intervju",
    "Bakgrundskontroll", …).

    Parameters
    ----------
    protected : ProtectedTable
        ``publish(withdrawals(applications, vacancies, by="arm", pilot_rollout=...))``; a
        DataFrame is refused (TypeError).
    lang : {"sv", "en"}, default "sv"
    hue : str or None, default "arm"
        Group column of the bars; None for a table without groups.
    value : {"rate", "share_of_applications"}, default "rate"
    stages : sequence of int, optional
        Stages to show; default 0–6 ("started", stage 7, cannot be withdrawn from).
    where : dict, optional
        Column → value (or list) for other group columns, e.g. ``{"phase": "during"}``.
    title : str, optional
        Default "Återtagna ansökningar per steg i rekryteringen".

    Returns
    -------
    ReportFigure

    Examples
    --------
    >>> from pilot_eval.demo import generate
    >>> from pilot_eval.disclosure import publish
    >>> from pilot_eval.measures import withdrawals
    >>> t = generate(seed=1, scale=0.1).tables
    >>> w = withdrawals(t["applications"], t["vacancies"], by="arm", pilot_rollout=t["pilot_rollout"])
    >>> fig = funnel_chart(publish(w))
    >>> len(fig.axes[0].get_yticklabels())
    7
    """
    protected = _require_protected(protected, "funnel_chart")
    texts.check_lang(lang)
    if value not in ("rate", "share_of_applications"):
        raise ValueError(f"value must be 'rate' or 'share_of_applications', not {value!r}")
    _check_columns(protected, ["stage", value, hue], "funnel_chart")
    values, flags = _rows(protected, where, "funnel_chart")
    wanted = list(stages) if stages is not None else list(range(7))
    keep = values["stage"].astype(int).isin(wanted).to_numpy()
    values, flags = values.loc[keep], flags.loc[keep]
    order = np.argsort(values["stage"].astype(int).to_numpy(), kind="stable")
    values, flags = values.iloc[order], flags.iloc[order]
    keys = ["stage"] + ([hue] if hue else [])
    _check_unique(values, keys, protected, "funnel_chart")
    caption_key = "funnel_rate_caption" if value == "rate" else "funnel_share_caption"
    with house_style():
        n_bars = len(values)
        height = min(8.5, 0.9 + 0.2 * n_bars + 0.1 * len(wanted))
        fig, axes = _new_figure(height)
        ax = axes[0][0]
        # what the bars draw, and what their description states: the same data and words
        bars = dict(
            value=value,
            category="stage",
            hue=hue,
            lang=lang,
            kind="percent",
            category_text=lambda s: value_label("stage", int(s), lang),
        )
        used, handles, _ = _draw_bars(ax, values, flags, protected, **bars, horizontal=True, value_labels=True)
        axis_text = _t("funnel_rate_axis" if value == "rate" else "funnel_share_axis", lang)
        ax.set_xlabel(axis_text)
        title = title if title is not None else _t("funnel_title", lang)
        caption = [_t(caption_key, lang)] + _footnotes(protected, used, lang)
        _finish(fig, title, caption, handles, plot_height=height)
    _describe_bars(fig, values, flags, protected, **bars, title=title, axis_text=axis_text, notes=caption)
    return fig
