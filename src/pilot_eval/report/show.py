"""Display helpers for notebooks: every table and chart a notebook shows goes through here.

* :func:`table` publishes a tidy table (disclosure control with the period's thresholds,
  :func:`pilot_eval.disclosure.publish`) and shows it in the report's language and number
  format, with a summary above a long one; a raw table is never displayed as it is. It
  returns nothing, so a cell that ends with it shows the table once.
* :func:`figure` shows a chart as an embedded PNG with the alt text the chart states its
  data in, and the chart's figures in a table behind a ``<details>`` (WCAG 2.1 AA), and
  closes it (no second copy from the inline backend, no figure kept in memory). The chart
  functions of :mod:`pilot_eval.report.plots` describe their figures
  (``fig.pilot_eval_alt``, ``fig.pilot_eval_data``: :mod:`pilot_eval.report.plots.describe`);
  a figure without a description is refused.
* :func:`verdicts` shows the summary's verdict table
  (:class:`pilot_eval.report.verdicts.VerdictTable`): estimates in words, no counts.
* :func:`heading` and :func:`say` show text in the report's language (Markdown), so that
  one notebook renders a Swedish or an English report from its ``lang`` parameter.

Only what passes through here reaches a reader: each output is marked in its metadata
(:data:`READER_KEY`), and a reader's page keeps marked outputs only
(:func:`pilot_eval.report.render.reader_copy`). A DataFrame a cell ends with, ``print``
output, warnings and error messages stay in the executed notebook and the logs of the
report's working folder.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import sys
from collections.abc import Callable

import pandas as pd

from .. import texts
from ..disclosure import ProtectedTable
from ..texts.charts import TEXTS as CHART_TEXTS
from ..texts.pages import PAGES
from .context import Period

__all__ = ["READER_KEY", "table", "figure", "figure_html", "verdicts", "heading", "say", "bullets"]


#: The key of an output's metadata that marks it as shown through this module: the only
#: outputs a reader's page keeps (:func:`pilot_eval.report.render.reader_copy`).
READER_KEY = "pilot_eval"


def _display(obj, kind: str, **details) -> None:
    """Show ``obj`` and mark the output as one for readers (``kind``: what made it;
    ``details``: what the report needs to show it again, e.g. a table's ledger entry)."""
    from IPython.display import display

    display(obj, metadata={READER_KEY: {"reader": kind, **details}})


def table(
    ctx: Period,
    data: pd.DataFrame | ProtectedTable,
    caption: tuple[str, str] | str | None = None,
    decimals: dict[str, int] | None = None,
    *,
    summary: ProtectedTable | Summary | str | list[str] | None = None,
    summary_caption: tuple[str, str] | str | None = None,
    labels: dict[str, tuple[str, str]] | None = None,
    **protect_options,
) -> None:
    """Protect (unless already protected) and show ``data``; returns nothing.

    Code that needs the protected table (for a chart) publishes it first and passes it::

        published = ctx.publish(frame, totals=None)
        show.table(ctx, published, caption=("Annonser per kvartal", "Adverts per quarter"))

    ``caption`` is a string or a (Swedish, English) pair; ``labels`` column → (Swedish,
    English) header for a column :func:`pilot_eval.labels.label` does not know (every
    header must be a label: :meth:`~pilot_eval.disclosure.ProtectedTable.to_html`).
    ``protect_options`` go to :func:`pilot_eval.disclosure.protect` (``totals=``,
    ``rates=``, ...).

    ``summary`` is shown above the table, for a long one (more than
    :data:`pilot_eval.disclosure.layout.LONG_ROWS` rows, collapsed behind ``<details>``):
    a smaller published table (``ctx.publish(...)``, or a part of this one,
    :meth:`~pilot_eval.disclosure.ProtectedTable.select`) with ``summary_caption``, a
    sentence or a list of them (already in the report's language), or a function of the
    published table that returns one of these (None: no summary). A summary made from
    this table's figures counts as a chart of it: where the report's audit withholds more
    in it, the page is run again rather than patched.
    """
    from IPython.display import HTML

    # registered in the report's disclosure ledger either way (ctx.publish registers it)
    protected = ctx.ledger.adopt(data) if isinstance(data, ProtectedTable) else ctx.publish(data, **protect_options)
    if isinstance(caption, tuple):
        caption = ctx.text(*caption)
    if callable(summary) and not isinstance(summary, ProtectedTable):
        summary = summary(protected)
    if summary is not None:
        _summary(ctx, protected, summary, summary_caption)
    labels = {k: tuple(v) for k, v in labels.items()} if labels else None
    # with its ledger entry, caption, decimals and labels: where the report's audit
    # withholds more in it, the page shows the audited table in its place (stages.publish)
    _display(
        HTML(protected.to_html(lang=ctx.lang, decimals=decimals, caption=caption, labels=labels)),
        "table",
        entry=ctx.ledger.entry_of(protected),
        caption=caption,
        decimals=decimals,
        labels={k: list(v) for k, v in labels.items()} if labels else None,
    )


#: A summary made from a published table (``show.table(..., summary=...)``).
Summary = Callable[[ProtectedTable], "ProtectedTable | str | list[str] | None"]


def _summary(ctx: Period, protected: ProtectedTable, summary, caption) -> None:
    """Show the summary of ``protected`` (see :func:`table`)."""
    from IPython.display import HTML

    if isinstance(caption, tuple):
        caption = ctx.text(*caption)
    if isinstance(summary, str):
        summary = [summary]
    if isinstance(summary, list):
        ctx.ledger.charted(protected)  # sentences from its figures: withheld in them too
        for sentence in summary:
            say(ctx, sentence)
        return
    if not isinstance(summary, ProtectedTable):
        raise TypeError(
            f"summary must be a published table, a sentence or a list of them, not {type(summary).__name__}"
        )
    if ctx.ledger.entry_of(summary) is None and summary.source is None:
        # a part of a published table (ProtectedTable.select): shown like a chart of it
        ctx.ledger.charted(protected)
        _display(HTML(summary.to_html(lang=ctx.lang, caption=caption)), "table", entry=None, caption=caption)
        return
    summary = ctx.ledger.adopt(summary)
    _display(
        HTML(summary.to_html(lang=ctx.lang, caption=caption)),
        "table",
        entry=ctx.ledger.entry_of(summary),
        caption=caption,
        decimals=None,
    )


def figure(fig, ctx: Period | None = None) -> None:
    """Show a chart with its description and release it.

    The page gets one output: a ``<figure class="chart">`` holding the chart as an
    embedded PNG whose ``alt`` is ``fig.pilot_eval_alt`` (the chart's data in words) and,
    behind a closed ``<details>``, ``fig.pilot_eval_data`` as a table (:func:`figure_html`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart of :mod:`pilot_eval.report.plots` (which describes its figures), or any
        figure on which ``pilot_eval_alt`` and ``pilot_eval_data`` were set (a DataFrame of
        strings, the figures already disclosure-controlled; its ``attrs["lang"]`` the
        language, unless ``ctx`` is given).
    ctx : Period, optional
        The report's period: its language is the summary's, and must be the chart's.

    Raises
    ------
    ValueError
        The figure has no description (an alt text that states its data and the table of
        them), or it is in another language than the report.
    """
    lang = ctx.lang if ctx is not None else None
    page = figure_html(fig, lang)
    # a figure made with pyplot is released from it; the report's charts are made without
    # pyplot (pilot_eval.report.plots), and importing pyplot only to close them would cost
    # every notebook its import and Jupyter's inline backend set-up
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)
    from IPython.display import HTML

    _display(HTML(page), "figure")


#: Alt texts that say nothing about a chart's data: refused.
_EMPTY_ALTS = frozenset({"", "chart", "figure", "image", *(w.lower() for w in PAGES["figure"])})


def _description(fig, lang: str | None) -> tuple[str, pd.DataFrame, str]:
    """The figure's alt text, data table and language; a ValueError that says what to do
    when one is missing."""
    alt = getattr(fig, "pilot_eval_alt", None)
    data = getattr(fig, "pilot_eval_data", None)
    if not isinstance(alt, str) or alt.strip().lower() in _EMPTY_ALTS or not isinstance(data, pd.DataFrame):
        raise ValueError(
            "show.figure(): the chart has no description. Set fig.pilot_eval_alt (an alt text that states the "
            "chart's data, e.g. 'Days to fill. Pilot administrations: before the pilot 60 days, …') and "
            "fig.pilot_eval_data (a DataFrame of the drawn values as reader strings, headers reader labels, "
            "withheld cells as their symbols). The charts of pilot_eval.report.plots set both; see "
            "docs/architecture.md (a new chart)."
        )
    chart_lang = data.attrs.get("lang")
    if lang is not None and chart_lang is not None and chart_lang != lang:
        raise ValueError(f"show.figure(): the chart is in {chart_lang!r}, the report in {lang!r}: pass lang=ctx.lang")
    lang = lang or chart_lang
    if lang is None:
        raise ValueError(
            "show.figure(): the chart's language is unknown: pass show.figure(fig, ctx) or set "
            "fig.pilot_eval_data.attrs['lang']"
        )
    return alt.strip(), data, texts.check_lang(lang)


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    return struct.unpack(">II", png[16:24])


def figure_html(fig, lang: str | None = None) -> str:
    """The HTML :func:`figure` shows: the chart as an embedded PNG with its alt text, and
    its data table behind a ``<details>`` (closed), with a caption, column headers
    (``scope="col"``), row headers (``scope="row"``) and the footnotes of the symbols.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(1, 1))
    >>> fig.pilot_eval_alt = "Antal: SOF 12, UBF <5"
    >>> fig.pilot_eval_data = pd.DataFrame({"Förvaltning": ["SOF", "UBF"], "Antal": ["12", "<5"]})
    >>> page = figure_html(fig, "sv")
    >>> 'alt="Antal: SOF 12, UBF &lt;5"' in page, "<summary>Visa siffrorna i diagrammet</summary>" in page
    (True, True)
    """
    alt, data, lang = _description(fig, lang)
    buf = io.BytesIO()
    # no bbox_inches="tight": the report's figures use constrained layout, which keeps
    # every artist inside the figure (tests/test_plots.py checks each chart kind), and
    # "tight" would draw every figure a second time
    fig.savefig(buf, format="png", dpi=fig.dpi)
    png = buf.getvalue()
    width, height = _png_size(png)
    src = base64.b64encode(png).decode("ascii")
    summary = CHART_TEXTS["data_summary"][texts.index(lang)]
    return "\n".join(
        [
            '<figure class="chart">',
            f'<img src="data:image/png;base64,{src}" alt="{html.escape(alt)}" width="{width}" height="{height}">',
            '<details class="chart-data">',
            f"<summary>{html.escape(summary)}</summary>",
            _data_table(data, lang),
            "</details>",
            "</figure>",
        ]
    )


def _data_table(data: pd.DataFrame, lang: str) -> str:
    """A chart's data table: leading row headers, figures right-aligned (with their kind,
    as protected tables have it, so that a page can be checked for small counts), then
    the notes."""
    esc = html.escape
    attrs = data.attrs
    n_head = min(int(attrs.get("row_headers", 1) or 0), data.shape[1])
    kinds = attrs.get("kinds") or {}
    caption = attrs.get("caption") or CHART_TEXTS["data_caption"][texts.index(lang)]
    headers = [str(c) for c in data.columns]
    parts = ['<table class="chart-data-table">', f"<caption>{esc(caption)}</caption>", "<thead><tr>"]
    parts += [
        f'<th scope="col" class="row-head">{esc(h)}</th>' if j < n_head else f'<th scope="col">{esc(h)}</th>'
        for j, h in enumerate(headers)
    ]
    parts.append("</tr></thead><tbody>")
    for row in data.itertuples(index=False):
        cells = []
        for j, (header, value) in enumerate(zip(headers, row, strict=True)):
            text = esc("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))
            # every cell carries its header (data-label): on a phone a row is a block of
            # "header value" lines (report.css), as the published tables are
            label_attr = f' data-label="{esc(header)}"'
            if j < n_head:
                cells.append(f'<th scope="row"{label_attr}>{text}</th>')
            else:
                kind = kinds.get(header)
                kind_attr = f' data-kind="{esc(kind)}"' if kind else ""
                cells.append(f'<td class="num"{kind_attr}{label_attr}>{text}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    parts += [f'<p class="chart-note">{esc(note)}</p>' for note in attrs.get("notes") or []]
    return "\n".join(parts)


def verdicts(ctx: Period, verdict_table) -> None:
    """Show the summary's verdict table (:func:`pilot_eval.report.verdicts.verdict_table`),
    as an HTML table with a caption, column and row headers and each verdict a tag in words
    (its colour comes from a CSS class, never alone). The table holds estimates and their
    intervals in words, no counts: nothing in it is subject to disclosure control."""
    from IPython.display import HTML

    if verdict_table.lang != ctx.lang:
        raise ValueError(f"show.verdicts: the table is in {verdict_table.lang!r}, the report in {ctx.lang!r}")
    _display(HTML(verdict_table.to_html()), "verdicts")


def heading(ctx: Period, sv: str, en: str, level: int = 2) -> None:
    """A heading in the report's language."""
    from IPython.display import Markdown

    _display(Markdown(f"{'#' * level} {ctx.text(sv, en)}"), "heading")


def say(ctx: Period, sv: str, en: str | None = None) -> None:
    """A paragraph in the report's language (Markdown). With ``en`` omitted, ``sv`` is
    shown whatever the language (for text already built in the right language)."""
    from IPython.display import Markdown

    _display(Markdown(sv if en is None else ctx.text(sv, en)), "say")


def bullets(items: list[str]) -> None:
    """A bulleted list (items already in the report's language)."""
    from IPython.display import Markdown

    _display(Markdown("\n".join(f"- {item}" for item in items)), "bullets")
