"""Every chart of the reports, in one house style (DESIGN.md §7, STYLE.md).

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
* Tick labels in the reader's number format (:func:`number_formatter`: "12,5",
  "1 234", "12 %" in Swedish), axis labels with units, group values in plain words
  (:func:`pilot_eval.labels.value_label`).

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

Examples
--------
>>> import pandas as pd
>>> from pilot_eval.disclosure import publish
>>> t = pd.DataFrame({"arm": ["pilot", "comparison"], "n_withdrawn_late": [30, 3],
...                   "n_reached_interview": [200, 150], "late_withdrawal_rate": [0.15, 0.02]})
>>> fig = bar_chart(publish(t, totals=None), value="late_withdrawal_rate", category="arm")
>>> len(fig.axes[0].patches)  # the comparison arm's rate is withheld ("<5" withdrawals)
1
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from io import BytesIO

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..disclosure import MISSING_SYMBOL, ProtectedTable
from ..labels import format_number, format_percent, label, value_label

__all__ = [
    "COMPARISON_COLOR",
    "DPI",
    "FIG_WIDTH",
    "GROUP_COLORS",
    "OKABE_ITO",
    "PILOT_COLOR",
    "PRE_PERIOD_COLOR",
    "SINGLE_SERIES_COLOR",
    "STYLE",
    "ReportFigure",
    "bar_chart",
    "effect_plot",
    "event_study_plot",
    "fill_curves",
    "funnel_chart",
    "group_styles",
    "house_style",
    "line_chart",
    "number_formatter",
    "permutation_plot",
]

# --------------------------------------------------------------------------- house style

#: The Okabe & Ito (2008) colour-blind safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: The pilot arm, in every chart.
PILOT_COLOR = OKABE_ITO["vermillion"]
#: The comparison arm, in every chart.
COMPARISON_COLOR = OKABE_ITO["blue"]
#: Pre-periods of the event study and other "not the effect" marks.
PRE_PERIOD_COLOR = "#7A7A7A"
#: Bars of a chart without groups: neither arm's colour.
SINGLE_SERIES_COLOR = OKABE_ITO["bluish_green"]
#: Other groups (administrations, genders, …), in order. Vermillion is left out: it means
#: the pilot; yellow comes last (weak on white).
GROUP_COLORS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
# Cycle lengths 7 (colours), 4 (line styles), 5 (markers, hatches) are coprime: up to 140
# groups get distinct combinations, and no two of the first seven share a colour.
_LINESTYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v")
_HATCHES = ("", "///", "...", "xxx", "\\\\\\")
_SYMBOL_COLOR = "#666666"
_TEXT_COLOR = "#333333"
_CAPTION_COLOR = "#444444"
_ZERO_COLOR = "#333333"

#: Figure width in inches (an A4 page's text width) and resolution.
FIG_WIDTH = 7.0
DPI = 120
_CAPTION_WRAP = 110  # characters per caption line at 8.5 pt on 7 inches

#: The house style as rcParams (used by :func:`house_style`).
STYLE: dict[str, object] = {
    "figure.figsize": (FIG_WIDTH, 4.0),
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.7,
    "grid.linestyle": "-",
    "axes.prop_cycle": cycler(color=list(GROUP_COLORS)),
    "axes.titlesize": 10.5,
    "axes.titleweight": "normal",
    "axes.titlelocation": "left",
    "axes.titlepad": 6.0,
    "axes.labelsize": 10,
    "axes.labelcolor": _TEXT_COLOR,
    "axes.formatter.use_locale": False,
    "axes.unicode_minus": True,
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "sans-serif"],
    "font.size": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "xtick.color": _TEXT_COLOR,
    "ytick.color": _TEXT_COLOR,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5.5,
    "errorbar.capsize": 3.0,
    "hatch.linewidth": 0.8,
    "hatch.color": "white",
    "patch.linewidth": 0.0,
    "svg.fonttype": "none",
}


@contextmanager
def house_style() -> Iterator[None]:
    """The house style (:data:`STYLE`) for the duration of a ``with`` block.

    Every chart function of this module builds its figure inside it; pyplot's global
    rcParams are the same before and after.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["axes.spines.top"]
    >>> with house_style():
    ...     mpl.rcParams["axes.spines.top"]
    False
    >>> mpl.rcParams["axes.spines.top"] == before
    True
    """
    with mpl.rc_context(STYLE):
        yield


class ReportFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that shows itself as PNG in Jupyter.

    The chart functions build figures with the object API, so pyplot never registers them
    (a notebook cell that returns one shows it once, and nothing leaks between cells).
    Jupyter's inline backend shows a figure only once pyplot has been imported;
    :meth:`_repr_png_` makes the chart show without it.
    """

    def _repr_png_(self) -> bytes:
        buf = BytesIO()
        with house_style():
            self.savefig(buf, format="png", dpi=self.dpi, bbox_inches="tight")
        return buf.getvalue()


# --------------------------------------------------------------------------- texts

_LANGS = ("sv", "en")

#: Texts of the charts that :mod:`pilot_eval.labels` does not have: key → (sv, en).
TEXTS: dict[str, tuple[str, str]] = {
    "days_since_publication": ("Dagar sedan publicering", "Days since publication"),
    "share_filled": ("Andel tillsatta (%)", "Share filled (%)"),
    "fill_title": ("Andel tillsatta rekryteringar", "Share of vacancies filled"),
    "fill_method": (
        (
            "Kaplan–Meier-skattning. Rekryteringar som fortfarande är öppna, eller som avbrutits eller "
            "annonserats om, räknas med så länge de pågick."
        ),
        (
            "Kaplan–Meier estimate. Vacancies still open, cancelled or re-advertised count for as long as "
            "they were running."
        ),
    ),
    "fill_truncated": (
        "En kurva slutar där färre än {k} rekryteringar återstår.",
        "A curve stops where fewer than {k} vacancies remain.",
    ),
    "fill_too_few": (
        "Visas inte (färre än {k} rekryteringar): {groups}.",
        "Not shown (fewer than {k} vacancies): {groups}.",
    ),
    "no_data": ("Inga uppgifter", "No data"),
    "before_pilot": ("Före piloten", "Before the pilot"),
    "during_pilot": ("Under piloten", "During the pilot"),
    "pre_legend": ("Före piloten (bör ligga nära noll)", "Before the pilot (should be close to zero)"),
    "post_legend": ("Under piloten (skattad effekt)", "During the pilot (estimated effect)"),
    "event_xlabel_quarter": (
        "Kvartal i förhållande till pilotens start (0 = första kvartalet)",
        "Quarters relative to the pilot start (0 = first quarter)",
    ),
    "event_xlabel_month": (
        "Månader i förhållande till pilotens start (0 = första månaden)",
        "Months relative to the pilot start (0 = first month)",
    ),
    "event_xlabel_half": (
        "Halvår i förhållande till pilotens start (0 = första halvåret)",
        "Half-years relative to the pilot start (0 = first half-year)",
    ),
    "event_xlabel_year": (
        "År i förhållande till pilotens start (0 = första året)",
        "Years relative to the pilot start (0 = first year)",
    ),
    "difference": ("Skillnad mot jämförelseförvaltningarna", "Difference from the comparison administrations"),
    "event_caption": (
        (
            "Punkt: skattad skillnad mellan pilot- och jämförelseförvaltningarna jämfört med tiden före "
            "piloten; streck: {level}\u00a0% konfidensintervall."
        ),
        (
            "Point: estimated difference between pilot and comparison administrations relative to the time "
            "before the pilot; bar: {level}% confidence interval."
        ),
    ),
    "event_indicative": (
        "Intervallen är vägledande: med få förvaltningar blir osäkerheten underskattad.",
        "The intervals are indicative: with few administrations the uncertainty is understated.",
    ),
    "effect_during": ("Pilotens effekt medan den pågick", "Effect of the pilot while it ran"),
    "effect_after": ("Pilotens effekt efter att den avslutats", "Effect of the pilot after it ended"),
    "effect_axis": ("Skattad effekt", "Estimated effect"),
    "effect_caption": (
        (
            "Punkt: skattad effekt; streck: {level}\u00a0% konfidensintervall ({inference}). Ett streck som "
            "korsar nollinjen betyder att effekten inte går att skilja från noll."
        ),
        (
            "Point: estimated effect; bar: {level}% confidence interval ({inference}). A bar that crosses "
            "the zero line means the effect cannot be told apart from zero."
        ),
    ),
    "interval_to": ("till", "to"),
    "funnel_title": (
        "Återtagna ansökningar per steg i rekryteringen",
        "Withdrawn applications by stage of recruitment",
    ),
    "funnel_rate_axis": ("Andel som återtog ansökan vid steget (%)", "Share withdrawing at the stage (%)"),
    "funnel_share_axis": ("Andel av alla ansökningar (%)", "Share of all applications (%)"),
    "funnel_rate_caption": (
        "Andelen räknas bland de ansökningar som nått steget.",
        "The share is of the applications that reached the stage.",
    ),
    "funnel_share_caption": (
        "Andelen räknas bland alla ansökningar; summan över stegen är den totala andelen återtagna.",
        "The share is of all applications; summed over the stages it is the overall withdrawal rate.",
    ),
    "actual": ("Det faktiska utfallet", "The actual result"),
    "permutation_title": ("Hur ovanligt är det faktiska utfallet?", "How unusual is the actual result?"),
    "permutation_count": (
        "Antal möjliga val av pilotförvaltningar",
        "Number of possible choices of pilot administrations",
    ),
    "permutation_x": ("Skattad effekt", "Estimated effect"),
    "permutation_p": (
        (
            "Om piloten inte hade haft någon effekt hade en lika stor eller större skillnad (åt något håll) "
            "uppstått i {k} av {n} möjliga val av pilotförvaltningar (p = {p})."
        ),
        (
            "If the pilot had had no effect, a difference at least as large (in either direction) would "
            "have arisen in {k} of {n} possible choices of pilot administrations (p = {p})."
        ),
    ),
    "permutation_no_p": (
        "Staplarna visar den skattade effekten för vart och ett av {n} möjliga val av pilotförvaltningar.",
        "The bars show the estimated effect for each of {n} possible choices of pilot administrations.",
    ),
    "four_fifths": ("Fyra femtedelar", "Four-fifths"),
}

#: Outcomes of :mod:`pilot_eval.estimate.effects`: name → (sv, en, unit). ``"pp"`` means
#: a proportion shown in percentage points (× 100).
OUTCOME_INFO: dict[str, tuple[str, str, str]] = {
    "filled_within_60": ("Andel tillsatta inom 60 dagar", "Share filled within 60 days", "pp"),
    "filled_within_90": ("Andel tillsatta inom 90 dagar", "Share filled within 90 days", "pp"),
    "days_unfilled_90": ("Dagar som vakant, upp till 90", "Days unfilled, up to 90", "days"),
    "late_withdrawal": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate", "pp"),
    "late_withdrawal_rate": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate", "pp"),
    "applicants_per_vacancy": ("Sökande per rekrytering", "Applicants per vacancy", "applicants"),
    "qualified_applicants_per_vacancy": (
        "Behöriga sökande per rekrytering",
        "Qualified applicants per vacancy",
        "applicants",
    ),
    "qualified_per_vacancy": ("Behöriga sökande per rekrytering", "Qualified applicants per vacancy", "applicants"),
    "offer_acceptance": ("Andel accepterade erbjudanden", "Offer acceptance rate", "pp"),
    "acceptance_rate": ("Andel accepterade erbjudanden", "Offer acceptance rate", "pp"),
    "register_check_days": ("Tid för registerutdrag (dagar)", "Police register check turnaround (days)", "days"),
}

#: Units of effects: key → (sv, en, factor applied to the estimates).
UNITS: dict[str, tuple[str, str, float]] = {
    "pp": ("procentenheter", "percentage points", 100.0),
    "days": ("dagar", "days", 1.0),
    "applicants": ("sökande", "applicants", 1.0),
    "number": ("", "", 1.0),
}
_UNIT_ALIASES = {
    "percentage_points": "pp",
    "procentenheter": "pp",
    "day": "days",
    "dagar": "days",
    "sökande": "applicants",
}

_INFERENCE_TEXT = {
    "randomization_inference": (
        "randomiseringsinferens över alla {n} möjliga val av pilotförvaltningar",
        "randomization inference over all {n} possible choices of pilot administrations",
    ),
    "wild_cluster_bootstrap_webb": ("vild klusterbootstrap", "wild cluster bootstrap"),
    "cluster_robust": ("klusterrobusta standardfel", "cluster-robust standard errors"),
}

_KINDS = ("percent", "count", "days", "ratio", "number")
_TABLE_KIND = {"percent": "percent", "count": "count", "duration": "days", "ratio": "ratio"}


def _lang(lang: str) -> int:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {', '.join(_LANGS)}, not {lang!r}")
    return _LANGS.index(lang)


def _t(key: str, lang: str, **fields: object) -> str:
    text = TEXTS[key][_lang(lang)]
    return text.format(**fields) if fields else text


# --------------------------------------------------------------------------- numbers


def _tick_decimals(locs: Iterable[float], most: int = 4) -> int:
    """The fewest decimals that show every tick location exactly (0, 2.5, 5 → 1)."""
    values = [float(v) for v in locs if np.isfinite(v)]
    if not values:
        return 0
    scale = max(1.0, max(abs(v) for v in values))
    for d in range(most + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * scale for v in values):
            return d
    return most


def number_formatter(
    lang: str = "sv", kind: str = "number", *, scale: float = 1.0, decimals: int | None = None
) -> FuncFormatter:
    """A tick formatter in the reader's number format.

    Parameters
    ----------
    lang : {"sv", "en"}, default "sv"
        Swedish: decimal comma, no-break space between thousands, minus sign U+2212,
        "12 %"; English: "12.5", "1,234", "12%".
    kind : {"number", "percent", "count", "days", "ratio"}, default "number"
        ``"percent"`` reads the data as proportions (0.12 → "12 %"); the others as plain
        numbers.
    scale : float, default 1.0
        Multiplies a plain number before it is shown (100 for proportions shown as
        percentage points).
    decimals : int, optional
        Fixed decimals; by default the fewest that tell the axis' ticks apart ("0", "2,5",
        "5" become "0,0", "2,5", "5,0").

    Examples
    --------
    >>> f = number_formatter("sv", "percent")
    >>> f(0.125), f(0.5)
    ('12,5\\xa0%', '50\\xa0%')
    >>> number_formatter("sv")(1234.5)
    '1\\xa0234,5'
    >>> number_formatter("en")(-2.0)
    '-2'
    """
    _lang(lang)
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    return _ReaderFormatter(lang, kind, scale, decimals)


class _ReaderFormatter(FuncFormatter):
    """FuncFormatter whose decimals follow the axis' ticks (see :func:`number_formatter`)."""

    def __init__(self, lang: str, kind: str, scale: float, decimals: int | None) -> None:
        self.lang, self.kind, self.scale, self.decimals = lang, kind, scale, decimals
        self._tick_dec: int | None = None
        super().__init__(self._format)

    def _shown(self, x: float) -> float:
        return x * 100.0 if self.kind == "percent" else x * self.scale

    def format_ticks(self, values):
        if self.decimals is None:
            self._tick_dec = _tick_decimals([self._shown(v) for v in values])
        try:
            return super().format_ticks(values)
        finally:
            self._tick_dec = None

    def _format(self, x: float, pos: int | None = None) -> str:
        if not np.isfinite(x):
            return ""
        d = self.decimals
        if d is None:
            d = self._tick_dec if self._tick_dec is not None else _tick_decimals([self._shown(x)])
        if self.kind == "percent":
            return format_percent(x, self.lang, decimals=d)
        return format_number(self._shown(x), self.lang, decimals=d)


def _format_value(v: float, kind: str, lang: str, column: str = "", decimals: int | None = None) -> str:
    """A bar's value label, as the protected table's display would print it (percentages
    with ``decimals``, by default none)."""
    if kind == "percent":
        return format_percent(v, lang, decimals=0 if decimals is None else decimals)
    if kind == "count":
        return format_number(v, lang, decimals=0 if float(v).is_integer() else 1)
    if kind == "ratio":
        return format_number(v, lang, decimals=2 if column.startswith("ratio") else 1)
    return format_number(v, lang, decimals=0 if float(v).is_integer() else 1)


def _percent_decimals(values: np.ndarray) -> int:
    """No decimals for percentages unless every one is below 10 % (then one)."""
    finite = np.abs(values[np.isfinite(values)])
    return 1 if finite.size and finite.max() < 0.0995 else 0


# --------------------------------------------------------------------------- group styles


def group_styles(column: str | None, values: Sequence[Hashable]) -> dict[Hashable, dict[str, object]]:
    """Colour, line style, marker and hatch per group value.

    The pilot arm is always :data:`PILOT_COLOR` with a solid line, circles and plain bars;
    the comparison arm :data:`COMPARISON_COLOR`, dashed, squares, hatched bars. Other
    groups take :data:`GROUP_COLORS` in order, each with its own line style, marker and
    hatch, so that no chart relies on colour alone.

    Examples
    --------
    >>> group_styles("arm", ["comparison", "pilot"])["pilot"]["color"] == PILOT_COLOR
    True
    >>> group_styles("gender", ["woman", "man"])["man"]["linestyle"]
    '--'
    """
    out: dict[Hashable, dict[str, object]] = {}
    if column == "arm":
        fixed = {
            "pilot": {"color": PILOT_COLOR, "linestyle": "-", "marker": "o", "hatch": ""},
            "comparison": {"color": COMPARISON_COLOR, "linestyle": "--", "marker": "s", "hatch": "///"},
        }
        others = [v for v in values if str(v) not in fixed]
        for v in values:
            if str(v) in fixed:
                out[v] = dict(fixed[str(v)])
        for i, v in enumerate(others):
            j = (i + 2) % len(GROUP_COLORS)
            out[v] = {
                "color": GROUP_COLORS[j],
                "linestyle": _LINESTYLES[j % len(_LINESTYLES)],
                "marker": _MARKERS[j % len(_MARKERS)],
                "hatch": _HATCHES[j % len(_HATCHES)],
            }
        return out
    for i, v in enumerate(values):
        out[v] = {
            "color": GROUP_COLORS[i % len(GROUP_COLORS)],
            "linestyle": _LINESTYLES[i % len(_LINESTYLES)],
            "marker": _MARKERS[i % len(_MARKERS)],
            "hatch": _HATCHES[i % len(_HATCHES)],
        }
    return out


def _group_text(column: str | None, value: object, lang: str) -> str:
    if column is None:
        return ""
    return value_label(column, value, lang)


# --------------------------------------------------------------------------- figure helpers


def _new_figure(height: float, nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[ReportFigure, np.ndarray]:
    """A house-style figure (call inside :func:`house_style`)."""
    fig = ReportFigure(figsize=(FIG_WIDTH, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def _finish(
    fig: Figure,
    title: str | None,
    caption: Sequence[str],
    handles: Sequence | None = None,
    ncols: int = 3,
    plot_height: float | None = None,
) -> None:
    """Title and legend (top left), caption lines (bottom left, small), and the figure's
    height: ``plot_height`` (the axes with their tick and axis labels) plus what the title,
    legend and caption need.

    With a legend, the title is the legend's title: constrained layout would put an
    outside legend and a suptitle on top of each other, so they are one artist here.
    """
    labels = [h.get_label() for h in handles] if handles else []
    if handles:
        ncols = min(ncols, _legend_columns(labels))
        leg = fig.legend(
            handles=handles,
            loc="outside upper left",
            ncols=ncols,
            title=title or None,
            alignment="left",
            handlelength=2.6,
            columnspacing=1.6,
            title_fontproperties={"weight": "bold", "size": 11},
        )
        leg.set_in_layout(True)
    elif title:
        fig.suptitle(title, x=0.01, ha="left")
    lines = [line for line in caption if line]
    if lines:
        text = "\n".join(_wrap(line, _CAPTION_WRAP) for line in lines)
        fig.supxlabel(text, x=0.01, ha="left", fontsize=8.5, color=_CAPTION_COLOR, linespacing=1.3)
    if plot_height is not None:
        extra = (0.32 if title else 0.0) + _legend_height(labels, title=False) + _caption_height(lines)
        fig.set_size_inches(FIG_WIDTH, min(11.0, plot_height + extra))


def _legend_columns(labels: Sequence[str], most: int = 3) -> int:
    """As many legend columns as fit on the figure's width (about 0.08 in per character)."""
    if not labels:
        return 1
    entry = (max(len(t) for t in labels) + 6) * 0.08
    return max(1, min(most, len(labels), int((FIG_WIDTH - 0.2) // entry)))


def _legend_height(labels: Sequence[str], title: bool = True) -> float:
    """Inches the legend (and its title) take above the axes."""
    if not labels:
        return 0.0
    rows = math.ceil(len(labels) / _legend_columns(labels))
    return 0.25 * rows + 0.1 + (0.3 if title else 0.0)


def _caption_height(lines: Sequence[str]) -> float:
    n = sum(len(textwrap.wrap(line, _CAPTION_WRAP)) or 1 for line in lines if line)
    return 0.17 * n + (0.1 if n else 0.0)


def _value_grid(ax, horizontal_bars: bool) -> None:
    """Grid lines along the value axis only."""
    if horizontal_bars:
        ax.xaxis.grid(True)
        ax.yaxis.grid(False)
    else:
        ax.yaxis.grid(True)
        ax.xaxis.grid(False)


def _require_protected(protected: object, function: str) -> ProtectedTable:
    if isinstance(protected, ProtectedTable):
        return protected
    if isinstance(protected, pd.DataFrame):
        raise TypeError(
            f"{function}() needs a ProtectedTable, not a DataFrame: a chart never shows figures that have not "
            f"been through disclosure control. Pass pilot_eval.disclosure.publish(table) instead of the table."
        )
    raise TypeError(
        f"{function}() needs a ProtectedTable from pilot_eval.disclosure.publish(), not {type(protected).__name__}"
    )


def _check_columns(protected: ProtectedTable, columns: Iterable[str | None], function: str) -> None:
    have = list(map(str, protected.values.columns))
    for col in columns:
        if col is not None and col not in have:
            raise KeyError(f"{function}(): {col!r} is not a column of the protected table (columns: {', '.join(have)})")


def _rows(
    protected: ProtectedTable, where: Mapping[str, object] | None, function: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values and flags of the rows matching ``where`` (column → value or list)."""
    values, flags = protected.values, protected.flags
    if where:
        _check_columns(protected, where, function)
        keep = pd.Series(True, index=values.index)
        for col, wanted in where.items():
            options = list(wanted) if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
            keep &= values[col].astype(object).isin(options)
        values, flags = values.loc[keep], flags.loc[keep]
    return values, flags


def _check_unique(values: pd.DataFrame, keys: Sequence[str], protected: ProtectedTable, function: str) -> None:
    if values.duplicated(subset=list(keys)).any():
        others = [g for g in protected.group_columns if g not in keys]
        hint = (
            f"; the table is also grouped by {', '.join(others)}: choose one value of each with "
            f"where={{{others[0]!r}: ...}}"
            if others
            else ""
        )
        raise ValueError(f"{function}(): more than one row per {' × '.join(keys)}{hint}")


def _kind(protected: ProtectedTable, value: str, kind: str | None) -> str:
    if kind is None:
        kind = _TABLE_KIND.get(protected.column_kinds.get(value, "other"), "number")
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    return kind


def _axis_label(column: str, kind: str, lang: str) -> str:
    text = label(column, lang)
    if kind == "percent" and "%" not in text:
        return f"{text} (%)"
    if kind == "days" and not re.search(r"\((dagar|days)\)", text):
        return f"{text} ({'dagar' if lang == 'sv' else 'days'})"
    return text


def _symbol(protected: ProtectedTable, flag: str) -> str:
    return protected.symbol(flag) if flag else MISSING_SYMBOL


def _footnotes(protected: ProtectedTable, used: Iterable[str], lang: str) -> list[str]:
    """The table's footnote lines for the reasons shown in the chart (``""`` = missing)."""
    symbols = {_symbol(protected, r) for r in used}
    return [line for line in protected.footnotes(lang) if any(line.startswith(s + " ") for s in symbols)]


def _ordered(values: pd.Series) -> list:
    """Distinct values in table order (categories in their categorical order)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().tolist())
        return [c for c in values.cat.categories if c in present]
    return list(dict.fromkeys(values.dropna().tolist()))


# --------------------------------------------------------------------------- 1. fill curves


def _km_curve(
    durations: np.ndarray, filled: np.ndarray, horizon: int, min_at_risk: int
) -> tuple[np.ndarray, np.ndarray]:
    """Days 0…horizon and 1 − Kaplan–Meier (:func:`pilot_eval.measures.kaplan_meier`, which
    gives lifelines' curve without importing lifelines), cut before the first day with
    fewer than ``min_at_risk`` vacancies at risk."""
    from ..measures.survival import kaplan_meier

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
    from ..measures.common import enrich_vacancies
    from ..measures.durations import FILLED, fill_durations

    _lang(lang)
    by = [by] if isinstance(by, str) else list(by)
    if not 1 <= len(by) <= 2:
        raise ValueError(f"by must name one or two columns (lines, panels), not {by!r}")
    cut = pd.Timestamp(cut_date)
    vac = vacancies.loc[pd.to_datetime(vacancies["published_date"]) <= cut]
    frame = enrich_vacancies(vac, pilot_rollout, period).join(fill_durations(vac, cut))
    line_col = by[0]
    panel_col = by[1] if len(by) == 2 else None
    for col in by:
        if col not in frame.columns:
            raise KeyError(
                f"fill_curves(): cannot draw by {col!r}: not a column of the vacancies "
                f"(available: {', '.join(map(str, frame.columns))})"
            )
    if panel_col is not None:
        panels = _ordered(frame[panel_col])
        if panel_col == "phase" and phases is not None:
            unknown = [p for p in phases if p not in ("before", "during", "after")]
            if unknown:
                raise ValueError(f"phases must be among before, during, after; not {unknown}")
            panels = list(phases)
    else:
        panels = [None]
    lines = _ordered(frame[line_col])
    styles = group_styles(line_col, lines)

    too_few: list[str] = []
    truncated = False
    caption: list[str] = []
    with house_style():
        fig, axes = _new_figure(4.5, 1, len(panels), sharey=True)
        for ax, panel in zip(axes[0], panels):
            sub = frame if panel is None else frame.loc[frame[panel_col].astype(object) == panel]
            drawn = 0
            for value in lines:
                group = sub.loc[sub[line_col].astype(object) == value]
                name = _group_text(line_col, value, lang)
                if len(group) == 0:
                    continue
                if len(group) < max(min_n, 1):
                    where = f" ({_group_text(panel_col, panel, lang).lower()})" if panel is not None else ""
                    too_few.append(name + where)
                    continue
                d = group["duration"].to_numpy(dtype=float)
                e = group["event"].to_numpy() == FILLED
                x, y = _km_curve(d, e, horizon, min_at_risk)
                if len(x) == 0:
                    where = f" ({_group_text(panel_col, panel, lang).lower()})" if panel is not None else ""
                    too_few.append(name + where)
                    continue
                if x[-1] < horizon:
                    truncated = True
                st = styles[value]
                ax.plot(
                    x,
                    y,
                    drawstyle="steps-post",
                    color=st["color"],
                    linestyle=st["linestyle"],
                    marker=st["marker"],
                    markevery=slice(15, None, 30),
                    label=name,
                )
                drawn += 1
            if panel is not None:
                ax.set_title(_group_text(panel_col, panel, lang))
            if drawn == 0:
                ax.text(
                    0.5, 0.5, _t("no_data", lang), transform=ax.transAxes, ha="center", va="center", color=_SYMBOL_COLOR
                )
            ax.set_xlim(0, horizon)
            ax.set_ylim(0, 1.0)
            ax.set_xlabel(_t("days_since_publication", lang))
            ax.xaxis.set_major_locator(FixedLocator(_day_ticks(horizon, len(panels))))
            ax.xaxis.set_major_formatter(number_formatter(lang, "days"))
            ax.yaxis.set_major_formatter(number_formatter(lang, "percent"))
        axes[0][0].set_ylabel(_t("share_filled", lang))
        handles = [
            Line2D(
                [],
                [],
                color=styles[v]["color"],
                linestyle=styles[v]["linestyle"],
                marker=styles[v]["marker"],
                label=_group_text(line_col, v, lang),
            )
            for v in lines
        ]
        caption.append(_t("fill_method", lang))
        if truncated:
            caption.append(_t("fill_truncated", lang, k=min_at_risk))
        if too_few:
            caption.append(_t("fill_too_few", lang, k=max(min_n, min_at_risk), groups=", ".join(too_few)))
        _finish(
            fig,
            title if title is not None else _t("fill_title", lang),
            caption,
            handles,
            ncols=2 if len(handles) > 4 else 3,
            plot_height=3.3,
        )
    return fig


def _day_ticks(horizon: int, panels: int = 1) -> list[float]:
    """Ticks every 30 days (60, 90 for longer horizons); twice as far apart when three or
    more panels share the width, where "120 150 180" ran together."""
    step = 30 if horizon <= 240 else 60 if horizon <= 480 else 90
    if panels >= 3:
        step *= 2
    return list(np.arange(0, horizon + 1, step, dtype=float))


# --------------------------------------------------------------------------- 2. event study


def _unit(unit: str | None, outcome: str | None) -> str | None:
    if unit is None and outcome is not None and outcome in OUTCOME_INFO:
        return OUTCOME_INFO[outcome][2]
    if unit is None:
        return None
    return _UNIT_ALIASES.get(unit, unit)


def _unit_text(unit: str | None, lang: str) -> tuple[str, float]:
    """(unit words, factor) of a unit key; an unknown unit is shown as given."""
    if unit is None:
        return "", 1.0
    if unit in UNITS:
        sv, en, factor = UNITS[unit]
        return (sv, en)[_lang(lang)], factor
    return unit, 1.0


def _outcome_text(outcome: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and outcome in labels:
        return labels[outcome]
    if outcome in OUTCOME_INFO:
        return OUTCOME_INFO[outcome][_lang(lang)]
    return label(outcome, lang)


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
    _lang(lang)
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
    unit_key = _unit(unit, outcome)
    unit_words, factor = _unit_text(unit_key, lang)
    rows = rows.assign(event_time=rows["event_time"].astype(float)).sort_values("event_time")
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
            color=PILOT_COLOR,
            fontsize=10,
        )
        if len(x):
            ax.set_xlim(min(x.min(), -1) - 0.6, max(x.max(), 0) + 0.6)
            span = np.concatenate([low[np.isfinite(low)], high[np.isfinite(high)], est[np.isfinite(est)], [0.0]])
            lo, hi = float(span.min()), float(span.max())
            pad = 0.08 * (hi - lo or 1.0)
            ax.set_ylim(lo - pad, hi + 2.2 * pad)  # room for the two labels at the top
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 4, 5, 10]))
        ax.xaxis.set_major_formatter(number_formatter(lang, "number", decimals=0))
        ax.yaxis.set_major_formatter(number_formatter(lang, "number"))
        ax.set_xlabel(_t(xlabel_key, lang))
        ylabel = _t("difference", lang)
        ax.set_ylabel(_wrap(f"{ylabel} ({unit_words})" if unit_words else ylabel, 34))
        ax.legend(loc="best", fontsize=9)
        _finish(fig, title if title is not None else outcome_label, caption, plot_height=3.7)
    return fig


# --------------------------------------------------------------------------- 3. effects


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
    _lang(lang)
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
    units = dict(units or {})
    panels: dict[str, list[int]] = {}
    for k, outcome in enumerate(rows["outcome"].astype(str)):
        u = _unit(units.get(outcome), outcome) or "number"
        panels.setdefault(u, []).append(k)

    inference = ""
    if "inference" in rows.columns and rows["inference"].notna().any():
        name = str(rows["inference"].dropna().iloc[0])
        n_assign = ""
        if "n_assignments" in rows.columns and rows["n_assignments"].notna().any():
            n_assign = format_number(int(rows["n_assignments"].dropna().iloc[0]), lang)
        if name in _INFERENCE_TEXT:
            inference = _INFERENCE_TEXT[name][_lang(lang)].format(n=n_assign).replace("  ", " ")
            if not n_assign:
                inference = inference.replace("alla  ", "alla ").replace("all  ", "all ")
        else:
            inference = name
    caption = [_t("effect_caption", lang, level=level, inference=inference).replace(" ()", "")]
    n_rows = len(rows)
    with house_style():
        height = 0.5 + 0.42 * n_rows + 0.75 * len(panels)
        fig, axes = _new_figure(
            height, len(panels), 1, gridspec_kw={"height_ratios": [len(v) + 0.6 for v in panels.values()]}
        )
        for ax, (u, idx) in zip(axes[:, 0], panels.items()):
            words, factor = _unit_text(u, lang)
            sub = rows.iloc[idx]
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
                for yy, e, lo_, hi_ in zip(y, est, low, high):
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
        default = _t("effect_during" if term == "during" else "effect_after", lang)
        _finish(fig, title if title is not None else default, caption, plot_height=height)
    return fig


# --------------------------------------------------------------------------- 4. bars


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
    styles = group_styles(hue, hues) if hue else {None: {"color": COMPARISON_COLOR, "hatch": ""}}
    if hue is None:  # one series: a colour that means neither arm
        styles[None]["color"] = SINGLE_SERIES_COLOR
    k = len(hues)
    band = 0.8
    width = band / k
    used: set[str] = set()
    shown = values[value].to_numpy(dtype=float)
    finite = shown[np.isfinite(shown)]
    top = float(finite.max()) if finite.size else 1.0
    bottom = float(finite.min()) if finite.size else 0.0
    pct_dec = _percent_decimals(shown)
    cat_pos = {c: i for i, c in enumerate(cats)}
    hue_pos = {h: j for j, h in enumerate(hues)}
    offset_pts = 3
    for r in range(len(values)):
        c = values[category].iloc[r]
        h = values[hue].iloc[r] if hue else None
        if c not in cat_pos or h not in hue_pos:
            continue
        pos = cat_pos[c] + (hue_pos[h] - (k - 1) / 2) * width
        v = shown[r]
        flag = str(flags[value].iloc[r])
        st = styles[h]
        if np.isfinite(v):
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
                text = _format_value(v, kind, lang, value, pct_dec)
                sign = 1 if v >= 0 else -1
                if horizontal:
                    ax.annotate(
                        text,
                        (v, pos),
                        xytext=(sign * offset_pts, 0),
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
                        xytext=(0, sign * offset_pts),
                        textcoords="offset points",
                        ha="center",
                        va="bottom" if sign > 0 else "top",
                        fontsize=9,
                        color=_TEXT_COLOR,
                    )
        else:
            used.add(flag)
            sym = _symbol(protected, flag)
            if horizontal:
                ax.annotate(
                    sym,
                    (0, pos),
                    xytext=(offset_pts, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=8.5,
                    color=_SYMBOL_COLOR,
                )
            else:
                ax.annotate(
                    sym,
                    (pos, 0),
                    xytext=(0, offset_pts),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    color=_SYMBOL_COLOR,
                )
    text_of = category_text or (lambda c: _group_text(category, c, lang))
    texts = [text_of(c) for c in cats]
    rotate = False
    if not horizontal:  # columns: wrap into the slot, or slant the labels if a word is too long
        fit = max(6, int((FIG_WIDTH - 1.0) / max(len(cats), 1) / 0.085))
        rotate = any(len(w) > fit for t in texts for w in t.split())
        wrap = 60 if rotate else fit
    names = [_wrap(t, wrap) for t in texts]
    extra = 0.07 * max(len(t) for t in texts) * 0.57 if rotate and texts else 0.0
    ticks = np.arange(len(cats), dtype=float)
    formatter = number_formatter(lang, kind)
    pad = 0.14 if value_labels else 0.05
    lo = min(0.0, bottom)
    hi = max(0.0, top)
    span = (hi - lo) or 1.0
    limits = (lo - (pad * span if lo < 0 else 0.0), hi + pad * span)
    if horizontal:
        ax.set_yticks(ticks, names)
        ax.set_ylim(len(cats) - 0.5, -0.5)
        ax.set_xlim(*limits)
        ax.xaxis.set_major_formatter(formatter)
        ax.tick_params(axis="y", length=0)
    else:
        ax.set_xticks(ticks, names)
        if rotate:
            for tick in ax.get_xticklabels():
                tick.set_rotation(35)
                tick.set_horizontalalignment("right")
                tick.set_rotation_mode("anchor")
        ax.set_xlim(-0.5, len(cats) - 0.5)
        ax.set_ylim(*limits)
        ax.yaxis.set_major_formatter(formatter)
        ax.tick_params(axis="x", length=0)
    _value_grid(ax, horizontal_bars=horizontal)
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
    _lang(lang)
    _check_columns(protected, [value, category, hue], "bar_chart")
    kind = _kind(protected, value, kind)
    values, flags = _rows(protected, where, "bar_chart")
    keys = [category] + ([hue] if hue else [])
    _check_unique(values, keys, protected, "bar_chart")
    n_bars = len(values)
    with house_style():
        if horizontal:
            height = min(8.5, 0.8 + 0.22 * n_bars + 0.12 * len(_ordered(values[category])))
        else:
            height = 3.7
        fig, axes = _new_figure(height)
        ax = axes[0][0]
        used, handles, extra = _draw_bars(
            ax,
            values,
            flags,
            protected,
            value=value,
            category=category,
            hue=hue,
            lang=lang,
            kind=kind,
            horizontal=horizontal,
            value_labels=value_labels,
            wrap=28 if horizontal else 14,
        )
        height += extra
        missing_used = {r for r in used}
        _reference(ax, reference, kind, lang, horizontal, value)
        text = axis_label if axis_label is not None else _axis_label(value, kind, lang)
        if horizontal:
            ax.set_xlabel(text)
        else:
            ax.set_ylabel(_wrap(text, 40))
        _finish(fig, title, _footnotes(protected, missing_used, lang), handles, plot_height=height)
    return fig


# --------------------------------------------------------------------------- 5. lines

_PERIOD = re.compile(r"^(\d{4})(?:([QqHh])([1-4])|-(\d{1,2}))?$")
_MONTHS_PER = {"M": 1, "Q": 3, "H": 6, "Y": 12}


def _parse_period(value: object) -> tuple[str, int] | None:
    """(frequency, ordinal in periods since year 0) of "2024Q3", "2024H1", "2024-03",
    "2024", a year as a number, or a month-start timestamp."""
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "year") and hasattr(value, "month"):
        ts = pd.Timestamp(value)
        return "M", ts.year * 12 + ts.month - 1
    if isinstance(value, int | np.integer) and 1000 <= int(value) <= 9999:
        return "Y", int(value)
    m = _PERIOD.match(str(value).strip())
    if not m:
        return None
    year, kind, number, month = m.groups()
    year = int(year)
    if kind and kind.upper() == "Q":
        return "Q", year * 4 + int(number) - 1
    if kind and kind.upper() == "H":
        return ("H", year * 2 + int(number) - 1) if number in ("1", "2") else None
    if month:
        return ("M", year * 12 + int(month) - 1) if 1 <= int(month) <= 12 else None
    return "Y", year


def _period_start(freq: str, ordinal: int) -> pd.Timestamp:
    months = ordinal * _MONTHS_PER[freq]
    return pd.Timestamp(year=months // 12, month=months % 12 + 1, day=1)


def _mark_position(mark: object, freq: str, first: int) -> float:
    """x of a marker: a period string marks the start of that period; a date its place
    within its period (points sit at the middle of their period)."""
    if isinstance(mark, str) and _PERIOD.match(mark.strip()):
        parsed = _parse_period(mark)
        if parsed is None:
            raise ValueError(f"cannot read the marker {mark!r} as a period or date")
        f, o = parsed
        start = _period_start(f, o)
    else:
        start = pd.Timestamp(mark)
    mp = _MONTHS_PER[freq]
    ordinal = (start.year * 12 + start.month - 1) // mp
    p_start = _period_start(freq, ordinal)
    p_end = _period_start(freq, ordinal + 1)
    frac = (start - p_start) / (p_end - p_start)
    return (ordinal - first) - 0.5 + float(frac)


def _period_tick_label(value: object, lang: str, compact: bool) -> str:
    text = value_label("period", value, lang)
    return text.rsplit(" ", 1)[0] + "\n" + text.rsplit(" ", 1)[1] if compact and " " in text else text


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
    _lang(lang)
    _check_columns(protected, [x, value, hue], "line_chart")
    kind = _kind(protected, value, kind)
    values, flags = _rows(protected, where, "line_chart")
    _check_unique(values, [x] + ([hue] if hue else []), protected, "line_chart")
    parsed = [_parse_period(v) for v in values[x].astype(object)]
    bad = [v for v, p in zip(values[x], parsed) if p is None]
    if bad:
        raise ValueError(
            f"line_chart(): cannot read {bad[0]!r} in column {x!r} as a period "
            f"(expected e.g. 2024Q3, 2024H1, 2024-03, 2024)"
        )
    freqs = {p[0] for p in parsed}
    if len(freqs) > 1:
        raise ValueError(f"line_chart(): column {x!r} mixes period lengths ({', '.join(sorted(freqs))})")
    freq = freqs.pop() if freqs else "Q"
    ordinals = np.array([p[1] for p in parsed], dtype=int)
    first = int(ordinals.min()) if len(ordinals) else 0
    last = int(ordinals.max()) if len(ordinals) else 0
    n_pos = last - first + 1
    pos = ordinals - first
    label_of = {int(o - first): v for o, v in zip(ordinals, values[x].astype(object))}
    hues = _ordered(values[hue]) if hue else [None]
    styles = (
        group_styles(hue, hues)
        if hue
        else {None: {"color": GROUP_COLORS[0], "linestyle": "-", "marker": "o", "hatch": ""}}
    )
    used: set[str] = set()
    withheld_at: list[tuple[int, int, str]] = []
    with house_style():
        fig, axes = _new_figure(4.5)
        ax = axes[0][0]
        for j, h in enumerate(hues):
            rows = np.ones(len(values), dtype=bool) if hue is None else (values[hue].astype(object) == h).to_numpy()
            y = np.full(n_pos, np.nan)
            y[pos[rows]] = values[value].to_numpy(dtype=float)[rows]
            st = styles[h]
            ax.plot(
                np.arange(n_pos),
                y,
                color=st["color"],
                linestyle=st["linestyle"],
                marker=st["marker"],
                label=_group_text(hue, h, lang) if hue else None,
                zorder=3,
            )
            gone = rows & ~np.isfinite(values[value].to_numpy(dtype=float))
            for p, flag in zip(pos[gone], flags[value].to_numpy()[gone]):
                used.add(str(flag))
                withheld_at.append((int(p), j, _symbol(protected, str(flag))))
        for p, j, sym in withheld_at:
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
        lo_x, hi_x = -0.5, n_pos - 0.5
        marks = sorted((_mark_position(when, freq, first), str(text)) for when, text in (mark or []))
        for mx, _ in marks:
            lo_x, hi_x = min(lo_x, mx - 0.3), max(hi_x, mx + 0.3)
        levels: list[list[tuple[float, float]]] = []  # per label row: (left, right) in axes fraction
        for mx, text in marks:
            ax.axvline(mx, color=_ZERO_COLOR, linestyle=(0, (4, 2)), linewidth=1.0, zorder=2)
            frac = (mx - lo_x) / (hi_x - lo_x)
            width = 0.015 * len(text) + 0.02  # about 9 pt characters on 7 inches
            right = frac + width > 1.0  # no room on the right: label to the left of the line
            span = (frac - width, frac) if right else (frac, frac + width)
            row = next(
                (i for i, taken in enumerate(levels) if all(span[1] < a or span[0] > b for a, b in taken)), len(levels)
            )
            if row == len(levels):
                levels.append([])
            levels[row].append(span)
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
        shown = values[value].to_numpy(dtype=float)
        finite = shown[np.isfinite(shown)]
        if finite.size and finite.min() >= 0:
            top = float(finite.max())
            upper = top * (1.12 + 0.07 * max(1, len(levels))) if top > 0 else 1.0
            if kind == "percent" and upper > 1.0:  # a share: no axis beyond 100 %, room for the labels
                upper = 1.0 + 0.08 * max(1, len(levels))
                ax.yaxis.set_major_locator(FixedLocator([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]))
            ax.set_ylim(0, upper)
        if n_pos <= 12 or freq == "Y":
            ticks = sorted(label_of)
            if freq == "Y" and n_pos > 12:
                ticks = [t for t in ticks if (t + first) % 2 == 0]
            ax.set_xticks(ticks, [_period_tick_label(label_of[t], lang, compact=freq != "Y") for t in ticks])
        else:
            per_year = 12 // _MONTHS_PER[freq]
            major = [p for p in range(n_pos) if (p + first) % per_year == 0]
            ax.set_xticks(major, [str((p + first) // per_year) for p in major])
            ax.set_xticks(range(n_pos), minor=True)
        ax.xaxis.grid(False)
        ax.yaxis.set_major_formatter(number_formatter(lang, kind))
        ax.set_ylabel(_wrap(axis_label if axis_label is not None else _axis_label(value, kind, lang), 40))
        ax.set_xlabel(xlabel if xlabel is not None else _period_axis_label(x, freq, lang))
        if hue:
            handles = [
                Line2D(
                    [],
                    [],
                    color=styles[h]["color"],
                    linestyle=styles[h]["linestyle"],
                    marker=styles[h]["marker"],
                    label=_group_text(hue, h, lang),
                )
                for h in hues
            ]
        else:
            handles = []
        _finish(fig, title, _footnotes(protected, used, lang), handles, plot_height=3.7)
    return fig


def _period_axis_label(column: str, freq: str, lang: str) -> str:
    if column in ("period", "month", "quarter", "half", "year"):
        words = {
            "M": ("Månad", "Month"),
            "Q": ("Kvartal", "Quarter"),
            "H": ("Halvår", "Half-year"),
            "Y": ("År", "Year"),
        }[freq]
        return words[_lang(lang)]
    return label(column, lang)


# --------------------------------------------------------------------------- 6. funnel


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
    _lang(lang)
    if value not in ("rate", "share_of_applications"):
        raise ValueError(f"value must be 'rate' or 'share_of_applications', not {value!r}")
    _check_columns(protected, ["stage", value, hue], "funnel_chart")
    values, flags = _rows(protected, where, "funnel_chart")
    wanted = list(stages) if stages is not None else [s for s in range(7)]
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
        used, handles, _ = _draw_bars(
            ax,
            values,
            flags,
            protected,
            value=value,
            category="stage",
            hue=hue,
            lang=lang,
            kind="percent",
            horizontal=True,
            value_labels=True,
            category_text=lambda s: value_label("stage", int(s), lang),
        )
        ax.set_xlabel(_t("funnel_rate_axis" if value == "rate" else "funnel_share_axis", lang))
        _finish(
            fig,
            title if title is not None else _t("funnel_title", lang),
            [_t(caption_key, lang)] + _footnotes(protected, used, lang),
            handles,
            plot_height=height,
        )
    return fig


# --------------------------------------------------------------------------- 7. permutation


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
    _lang(lang)
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
    left = plot_data["bin_left"].to_numpy(dtype=float) * scale
    right = plot_data["bin_right"].to_numpy(dtype=float) * scale
    count = plot_data["count"].to_numpy(dtype=float)
    hit = (
        plot_data["contains_actual"].to_numpy(dtype=bool)
        if "contains_actual" in plot_data.columns
        else (left <= actual * scale) & (actual * scale < right)
    )
    n = round(float(count.sum()))
    if p_value is not None and np.isfinite(p_value):
        k = round(p_value * n)
        subtitle = _t(
            "permutation_p",
            lang,
            k=format_number(k, lang),
            n=format_number(n, lang),
            p=format_number(p_value, lang, decimals=2),
        )
    else:
        subtitle = _t("permutation_no_p", lang, n=format_number(n, lang))
    with house_style():
        fig, axes = _new_figure(4.2)
        ax = axes[0][0]
        for lo, hi, c, is_hit in zip(left, right, count, hit):
            ax.bar(
                lo,
                c,
                width=hi - lo,
                align="edge",
                color=PILOT_COLOR if is_hit else "#BBBBBB",
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
            color=PILOT_COLOR,
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
        _finish(fig, title if title is not None else _t("permutation_title", lang), [], plot_height=4.1)
    return fig
