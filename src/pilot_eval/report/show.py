"""Display helpers for notebooks: every table and chart a notebook shows goes through here.

* :func:`table` publishes a tidy table (disclosure control with the period's thresholds,
  :func:`pilot_eval.disclosure.publish`) and shows it in the report's language and number
  format, with a summary above a long one; a raw table is never displayed as it is. It
  returns nothing, so a cell that ends with it shows the table once.
* :func:`figure` shows a chart as an embedded PNG and closes it (no second copy from the
  inline backend, no figure kept in memory).
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

import io
import sys
from collections.abc import Callable

import pandas as pd

from ..disclosure import ProtectedTable
from .context import Period

__all__ = ["READER_KEY", "table", "figure", "verdicts", "heading", "say", "bullets"]


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
        raise TypeError(f"summary must be a published table, a sentence or a list of them, not {type(summary).__name__}")
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


def figure(fig) -> None:
    """Show a matplotlib figure as an embedded PNG and release it."""
    from IPython.display import Image

    buf = io.BytesIO()
    # no bbox_inches="tight": the report's figures use constrained layout, which keeps
    # every artist inside the figure (tests/test_plots.py checks each chart kind), and
    # "tight" would draw every figure a second time
    fig.savefig(buf, format="png", dpi=fig.dpi)
    # a figure made with pyplot is released from it; the report's charts are made without
    # pyplot (pilot_eval.report.plots), and importing pyplot only to close them would cost
    # every notebook its import and Jupyter's inline backend set-up
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)
    _display(Image(data=buf.getvalue(), format="png"), "figure")


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
