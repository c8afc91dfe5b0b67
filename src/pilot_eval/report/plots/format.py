"""Numbers in the reader's format: tick formatters and the value labels of bars."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.ticker import FuncFormatter

from ... import texts
from ...labels import format_number, format_percent
from .common import _KINDS


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
    texts.check_lang(lang)
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
    """A bar's value label, as the protected table's display would print it: percentages
    with ``decimals`` (by default none), ratios with two decimals (``ratio_*``) or one,
    other numbers with ``decimals`` (by default none when whole, else one)."""
    if kind == "percent":
        return format_percent(v, lang, decimals=0 if decimals is None else decimals)
    if kind == "ratio":
        return format_number(v, lang, decimals=2 if column.startswith("ratio") else 1)
    if decimals is None:
        decimals = 0 if float(v).is_integer() else 1
    return format_number(v, lang, decimals=decimals)


def _value_decimals(values: np.ndarray, kind: str) -> int | None:
    """The decimals of a column's value labels, the same for every value of it (as the
    protected table's display): percentages by :func:`_percent_decimals`, ratios by
    their column, other numbers none when all are whole, else one."""
    if kind == "percent":
        return _percent_decimals(values)
    if kind == "ratio":
        return None
    finite = values[np.isfinite(values)]
    return 0 if np.all(np.equal(np.mod(finite, 1), 0)) else 1


def _percent_decimals(values: np.ndarray) -> int:
    """No decimals for percentages unless every one is below 10 % (then one)."""
    finite = np.abs(values[np.isfinite(values)])
    return 1 if finite.size and finite.max() < 0.0995 else 0
