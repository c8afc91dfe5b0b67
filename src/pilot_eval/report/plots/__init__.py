"""Every chart of the reports, in one house style.

Charts are read by politicians, in Swedish by default (``lang="en"`` on request), on
screen and on paper. Every function here returns a :class:`matplotlib.figure.Figure`
(a :class:`ReportFigure`, which also renders itself as PNG in Jupyter when pyplot was
never imported) and changes no global state: figures are built with the object API
(never registered with pyplot, so a notebook shows each chart exactly once) inside
:func:`house_style`, a :func:`matplotlib.rc_context`.

House style
-----------
* Okabe–Ito colour-blind safe palette; the pilot arm is always :data:`PILOT_COLOR`
  (vermillion), the comparison arm :data:`COMPARISON_COLOR` (blue). Groups also differ by
  line style, marker or hatching, so the charts survive grey-scale printing.
* White background, no top or right spine, light grid along the value axis, 10–11 pt
  DejaVu Sans (it has the minus sign U+2212, the no-break space and the footnote symbols
  † ‡ §), 7 inches wide (fits an A4 page), 120 dpi.
* Contrast (WCAG 2.1 AA): every text at least 4.5:1 against the white background
  (:data:`PILOT_TEXT_COLOR` for text in the pilot's colour), every bar, line and point
  that carries data at least 3:1 (:func:`contrast_ratio`; tests/test_plots.py checks the
  artists of every chart).
* Tick labels in the reader's number format (:func:`number_formatter`: "12,5",
  "1 234", "12 %" in Swedish), axis labels with units, group values in plain words
  (:func:`pilot_eval.labels.value_label`).

Description
-----------
Every chart states its data in words and in a table (:mod:`.describe`): the figure it
returns has ``fig.pilot_eval_alt`` (the alt text, in the chart's language) and
``fig.pilot_eval_data`` (a DataFrame of the drawn values as reader strings, withheld ones
as their symbols), which :func:`pilot_eval.report.show.figure` shows as the image's
``alt`` and a data table behind a ``<details>``.

Disclosure control
------------------
A chart never shows a suppressed value. Functions that take tabular figures take a
:class:`~pilot_eval.disclosure.ProtectedTable` (:func:`pilot_eval.disclosure.publish`)
and refuse a raw DataFrame; they plot ``.values`` (withheld cells are NaN), draw nothing
for a withheld cell, put its symbol ("<5", "..*", …) in small grey text where the
value would be, and list the footnotes of the symbols used in a caption under the chart.
Curves computed from microdata (:func:`fill_curves`) stop where fewer than
``min_at_risk`` units are still at risk, and a group with fewer than ``min_n``
observations is not drawn at all (the caption says so).

Modules
-------
:mod:`.style` (colours, rcParams, the figure and its frame), :mod:`.format` (numbers),
:mod:`.common` (protected-table checks, footnotes, group styles), :mod:`.outcomes`
(outcome names and units), and one module per chart family: :mod:`.survival`
(:func:`fill_curves`), :mod:`.effects` (:func:`event_study_plot`, :func:`effect_plot`,
:func:`permutation_plot`), :mod:`.bars` (:func:`bar_chart`), :mod:`.lines`
(:func:`line_chart`), :mod:`.funnel` (:func:`funnel_chart`); :mod:`.describe` (alt
texts and data tables). The charts' texts are in
:mod:`pilot_eval.texts.charts`.

Examples
--------
>>> import pandas as pd
>>> from pilot_eval.disclosure import publish
>>> t = pd.DataFrame({"arm": ["pilot", "comparison"], "n_withdrawn_late": [30, 3],
...                   "n_reached_interview": [200, 150], "late_withdrawal_rate": [0.15, 0.02]})
>>> fig = bar_chart(publish(t, totals=None), value="late_withdrawal_rate", category="arm")
>>> len(fig.axes[0].patches)  # the comparison arm's rate is withheld ("<5" withdrawals)
1
>>> fig.pilot_eval_alt
'Andel återtagna ansökningar i sent skede. Pilotförvaltningar 15\xa0% och jämförelseförvaltningar visas inte.'
"""

from __future__ import annotations

from ...texts.charts import TEXTS as TEXTS
from .bars import bar_chart
from .common import group_styles
from .describe import describe
from .effects import effect_plot, event_study_plot, permutation_plot
from .format import number_formatter
from .funnel import funnel_chart
from .lines import line_chart
from .outcomes import OUTCOME_INFO as OUTCOME_INFO
from .outcomes import UNITS as UNITS
from .style import (
    BACKGROUND_BAR_COLOR,
    COMPARISON_COLOR,
    DPI,
    FIG_WIDTH,
    GROUP_COLORS,
    OKABE_ITO,
    PILOT_COLOR,
    PILOT_TEXT_COLOR,
    PRE_PERIOD_COLOR,
    SINGLE_SERIES_COLOR,
    STYLE,
    ReportFigure,
    contrast_ratio,
    house_style,
)
from .survival import fill_curves, fill_table

__all__ = [
    "BACKGROUND_BAR_COLOR",
    "COMPARISON_COLOR",
    "DPI",
    "FIG_WIDTH",
    "GROUP_COLORS",
    "OKABE_ITO",
    "PILOT_COLOR",
    "PILOT_TEXT_COLOR",
    "PRE_PERIOD_COLOR",
    "SINGLE_SERIES_COLOR",
    "STYLE",
    "ReportFigure",
    "bar_chart",
    "contrast_ratio",
    "describe",
    "effect_plot",
    "event_study_plot",
    "fill_curves",
    "fill_table",
    "funnel_chart",
    "group_styles",
    "house_style",
    "line_chart",
    "number_formatter",
    "permutation_plot",
]
# OUTCOME_INFO (report.sections uses it), UNITS and TEXTS are not in __all__; the aliases
# above ("import X as X") keep them importable from here.
