"""Calendar periods: the one home of period parsing, their bounds and their names.

A period is written ``"2025Q4"`` (quarter), ``"2025H2"`` (half-year), ``"2025-12"``
(month) or ``"2025"`` (year). :func:`parse` reads such a text (leniently, as tables and
chart axes carry it), :func:`bounds` gives the first and last day of a report period
(strictly: only the canonical spelling), :func:`label` names a period for a reader and
:func:`date_text` a date. :data:`MONTHS` holds the month names of both languages.

>>> [d.date().isoformat() for d in bounds("2025Q4")]
['2025-10-01', '2025-12-31']
>>> label("2025Q4", "sv"), label("2024H1", "en"), label("2024-03", "sv")
('kv. 4 2025', 'first half of 2024', 'mars 2024')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FREQUENCIES",
    "MONTHS",
    "MONTHS_PER",
    "PeriodSpec",
    "bounds",
    "date_text",
    "label",
    "of_dates",
    "parse",
    "start",
]

#: Months per period of each frequency: month, quarter, half-year, year.
MONTHS_PER = {"M": 1, "Q": 3, "H": 6, "Y": 12}

#: The frequency names that :func:`of_dates` takes, and their letters.
FREQUENCIES = {"month": "M", "quarter": "Q", "half": "H", "year": "Y"}

# fmt: off
MONTHS = {
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}
# fmt: on

_PERIOD = re.compile(r"^(\d{4})(?:([QqHh])([1-4])|-(\d{1,2}))?$")


@dataclass(frozen=True)
class PeriodSpec:
    """A period as its frequency (``"M"``, ``"Q"``, ``"H"``, ``"Y"``) and its ordinal:
    periods of that frequency since the start of year 0 (so that consecutive periods have
    consecutive ordinals)."""

    freq: str
    ordinal: int

    @property
    def year(self) -> int:
        return self.ordinal * MONTHS_PER[self.freq] // 12

    @property
    def number(self) -> int:
        """The quarter, half or month within the year (1 for a year)."""
        return self.ordinal % (12 // MONTHS_PER[self.freq]) + 1

    @property
    def first_day(self) -> pd.Timestamp:
        return start(self.freq, self.ordinal)

    @property
    def last_day(self) -> pd.Timestamp:
        return start(self.freq, self.ordinal + 1) - pd.Timedelta(days=1)

    def canonical(self) -> str:
        """``2025Q4``, ``2025H2``, ``2025-12`` or ``2025``."""
        if self.freq == "Q":
            return f"{self.year}Q{self.number}"
        if self.freq == "H":
            return f"{self.year}H{self.number}"
        if self.freq == "M":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)


def parse(value: object) -> PeriodSpec | None:
    """The period of ``"2024Q3"``, ``"2024h1"``, ``"2024-03"``, ``"2024-3"``, ``"2024"``,
    a year as a number, or a date (its month); None when ``value`` is none of these.

    >>> parse("2024Q3")
    PeriodSpec(freq='Q', ordinal=8098)
    >>> parse("2024Q3").canonical(), parse("2024-3").canonical(), parse(2024).canonical()
    ('2024Q3', '2024-03', '2024')
    >>> parse("Q3 2024") is None, parse("2024H3") is None, parse("2024-13") is None
    (True, True, True)
    """
    if isinstance(value, pd.Timestamp | np.datetime64) or (hasattr(value, "year") and hasattr(value, "month")):
        ts = pd.Timestamp(value)
        return PeriodSpec("M", ts.year * 12 + ts.month - 1)
    if isinstance(value, int | np.integer) and 1000 <= int(value) <= 9999:
        return PeriodSpec("Y", int(value))
    m = _PERIOD.match(str(value).strip())
    if not m:
        return None
    year, kind, number, month = m.groups()
    year = int(year)
    if kind and kind.upper() == "Q":
        return PeriodSpec("Q", year * 4 + int(number) - 1)
    if kind and kind.upper() == "H":
        return PeriodSpec("H", year * 2 + int(number) - 1) if number in ("1", "2") else None
    if month:
        return PeriodSpec("M", year * 12 + int(month) - 1) if 1 <= int(month) <= 12 else None
    return PeriodSpec("Y", year)


def start(freq: str, ordinal: int) -> pd.Timestamp:
    """First day of the period ``ordinal`` of frequency ``freq`` (:class:`PeriodSpec`)."""
    months = ordinal * MONTHS_PER[freq]
    return pd.Timestamp(year=months // 12, month=months % 12 + 1, day=1)


def bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a report period, written as the report names it.

    >>> [d.date().isoformat() for d in bounds("2024-02")]
    ['2024-02-01', '2024-02-29']
    >>> bounds("Q4-2025")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: period 'Q4-2025' is not a period: write a quarter (2025Q4), half-year (2025H2), ...
    """
    spec = parse(str(period).strip())
    if spec is None or spec.canonical() != str(period).strip():
        raise ValueError(
            f"period {period!r} is not a period: write a quarter (2025Q4), half-year (2025H2), "
            "month (2025-12) or year (2025)"
        )
    last = spec.last_day
    assert last.day == calendar.monthrange(last.year, last.month)[1]
    return spec.first_day, last


def label(value: object, lang: str = "sv") -> str | None:
    """A period's name for a reader: ``kv. 4 2025`` / ``Q4 2025``, ``andra halvåret 2025`` /
    ``second half of 2025``, ``december 2025`` / ``December 2025``, ``2025``; None when
    ``value`` is not a period text."""
    if not isinstance(value, str | int | np.integer):
        return None
    spec = parse(value)
    if spec is None:
        return None
    if spec.freq == "Q":
        return f"kv. {spec.number} {spec.year}" if lang == "sv" else f"Q{spec.number} {spec.year}"
    if spec.freq == "H":
        if lang == "sv":
            return f"{'första' if spec.number == 1 else 'andra'} halvåret {spec.year}"
        return f"{'first' if spec.number == 1 else 'second'} half of {spec.year}"
    if spec.freq == "M":
        return f"{MONTHS[lang][spec.number - 1]} {spec.year}"
    return str(spec.year)


def date_text(d: object, lang: str = "sv") -> str:
    """A date in words: ``1 oktober 2023`` / ``1 October 2023``.

    >>> date_text("2023-10-01", "sv"), date_text("2023-10-01", "en")
    ('1 oktober 2023', '1 October 2023')
    """
    d = pd.Timestamp(d)
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def of_dates(dates: pd.Series, freq: str = "quarter") -> pd.Series:
    """Calendar period of each date: ``"2024-03"`` (month), ``"2024Q3"`` (quarter),
    ``"2024H1"`` (half), ``"2024"`` (year). NaT stays missing.

    >>> of_dates(pd.Series(pd.to_datetime(["2024-08-15", "2024-01-01"])), "quarter").tolist()
    ['2024Q3', '2024Q1']
    >>> of_dates(pd.Series(pd.to_datetime(["2024-08-15"])), "half").tolist()
    ['2024H2']
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"period must be one of {', '.join(FREQUENCIES)}, not {freq!r}")
    d = dates if isinstance(dates, pd.Series) and dates.dtype.kind == "M" else pd.to_datetime(dates)
    if not isinstance(d, pd.Series):
        d = pd.Series(d)
    if d.dtype.kind == "M" and getattr(d.dtype, "tz", None) is None:
        return _labels_by_key(d, freq)
    # label each distinct date once (a table has far fewer dates than rows)
    codes, uniques = pd.factorize(d)
    if len(uniques) < len(d):
        labels = _labels_of_dates(pd.Series(uniques), freq).to_numpy(dtype=object)
        out = np.where(codes >= 0, labels[np.clip(codes, 0, None)] if len(labels) else None, None)
        return pd.Series(out, index=d.index, dtype=object)
    return _labels_of_dates(d, freq)


def _labels_by_key(d: pd.Series, freq: str) -> pd.Series:
    """:func:`of_dates` of naive dates from integer year and month arithmetic, one string
    per distinct period."""
    values = d.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(values)
    months = values.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    year, month = months // 12 + 1970, months % 12 + 1
    if freq == "month":
        key = year * 100 + month
    elif freq == "quarter":
        key = year * 10 + (month - 1) // 3 + 1
    elif freq == "half":
        key = year * 10 + np.where(month <= 6, 1, 2)
    else:
        key = year
    key = np.where(missing, -1, key)
    codes, uniques = pd.factorize(key)
    letter = {"quarter": "Q", "half": "H"}.get(freq)
    if freq == "month":
        labels = [f"{k // 100}-{k % 100:02d}" for k in uniques]
    elif letter:
        labels = [f"{k // 10}{letter}{k % 10}" for k in uniques]
    else:
        labels = [str(k) for k in uniques]
    labels = np.array([None if k == -1 else lab for k, lab in zip(uniques, labels, strict=True)], dtype=object)
    return pd.Series(labels[codes] if len(labels) else np.array([], dtype=object), index=d.index, dtype=object)


def _labels_of_dates(d: pd.Series, freq: str) -> pd.Series:
    year = d.dt.year.astype("Int64").astype(str)
    if freq == "month":
        out = d.dt.strftime("%Y-%m")
    elif freq == "quarter":
        out = year + "Q" + d.dt.quarter.astype("Int64").astype(str)
    elif freq == "half":
        out = year + "H" + np.where(d.dt.month <= 6, "1", "2")
    else:
        out = year
    return out.where(d.notna(), None).astype(object)
