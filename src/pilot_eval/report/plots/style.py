"""The house style: colours, rcParams, the figure class, and a chart's frame (title,
legend, caption and height)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from io import BytesIO

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure

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
#: The pilot arm, in every chart (3.9:1 against white: enough for a line or a bar, WCAG
#: 1.4.11, not for text).
PILOT_COLOR = OKABE_ITO["vermillion"]
#: Text in the pilot's colour ("Under piloten"): a darker vermillion, 5.2:1 against white.
PILOT_TEXT_COLOR = "#B84A00"
#: The comparison arm, in every chart.
COMPARISON_COLOR = OKABE_ITO["blue"]
#: Pre-periods of the event study and other "not the effect" marks (5.0:1: also its text).
PRE_PERIOD_COLOR = "#707070"
#: Bars of a chart without groups: neither arm's colour.
SINGLE_SERIES_COLOR = OKABE_ITO["bluish_green"]
#: Bars that are not the point of a chart (the randomization distribution's other bins).
BACKGROUND_BAR_COLOR = "#8C8C8C"
#: Other groups (administrations, genders, …), in order. Vermillion is left out: it means
#: the pilot. Okabe–Ito's orange, reddish purple, sky blue and yellow are darkened to 3:1
#: or more against white (WCAG 1.4.11, non-text contrast) with their hue kept.
GROUP_COLORS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    "#B87D00",  # orange
    OKABE_ITO["bluish_green"],
    "#C0609A",  # reddish purple
    "#2F8FCB",  # sky blue
    OKABE_ITO["black"],
    "#948A00",  # yellow
)
#: The least contrast against the white background: text (WCAG 1.4.3, AA) and the bars,
#: lines and points that carry data (WCAG 1.4.11).
MIN_TEXT_CONTRAST = 4.5
MIN_GRAPHIC_CONTRAST = 3.0
# Cycle lengths 7 (colours), 4 (line styles), 5 (markers, hatches) are coprime: up to 140
# groups get distinct combinations, and no two of the first seven share a colour.
_LINESTYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v")
_HATCHES = ("", "///", "...", "xxx", "\\\\\\")
_SYMBOL_COLOR = "#666666"  # 5.7:1
_TEXT_COLOR = "#333333"  # 12.6:1
_CAPTION_COLOR = "#444444"  # 9.7:1
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
    "axes.titlecolor": _TEXT_COLOR,
    "text.color": _TEXT_COLOR,
    "legend.labelcolor": _TEXT_COLOR,
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

    Every chart function of this package builds its figure inside it; pyplot's global
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


def contrast_ratio(color, background="white") -> float:
    """The WCAG 2.1 contrast ratio of two colours (1 to 21), from their relative
    luminance; any matplotlib colour (transparency ignored).

    >>> round(contrast_ratio("#767676"), 2), contrast_ratio("black")
    (4.54, 21.0)
    """
    from matplotlib.colors import to_rgb

    def luminance(c) -> float:
        channels = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in to_rgb(c)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    hi, lo = sorted((luminance(color), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
