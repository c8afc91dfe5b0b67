"""What a chart says in words: its alt text and the table of the values it draws.

Every chart function of this package ends by calling :func:`describe`, which sets two
attributes on the figure (the convention of issue 18):

* ``fig.pilot_eval_alt``: an alt text in the chart's language that states its data
  ("Dagar till tillsättning. Pilotförvaltningar: före piloten 60 dagar, …"), short for a
  big chart (the range and the key figures), with a withheld value named as withheld
  ("visas inte (för få)"), never shown;
* ``fig.pilot_eval_data``: a DataFrame of exactly what the chart draws, headers reader
  labels, values formatted strings, withheld cells as the disclosure symbols ("<5",
  "..*"). Its ``attrs`` hold what the table around it needs: ``lang``, ``caption``,
  ``notes`` (the footnotes of the symbols used), ``row_headers`` (how many leading
  columns name the row) and ``kinds`` (header → column kind, ``"count"`` for counts, so
  that a rendered page can be checked for small counts like the tables).

:func:`pilot_eval.report.show.figure` turns them into the page's ``<img alt>`` and a data
table behind a ``<details>``; a figure without them is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ... import texts
from ...disclosure import MISSING_SYMBOL, ProtectedTable
from ...labels import label
from ...texts.charts import PERIOD_ADJECTIVES, PERIOD_AXIS, UNIT_WORDS
from .common import _t

#: Group columns whose values are common nouns, written in lower case inside a sentence
#: ("Pilotförvaltningar: före piloten 60 dagar"); other values (administrations) keep theirs.
_COMMON_NOUNS = frozenset({"arm", "phase", "stage", "gender", "age_band", "group", "status", "check_type"})
#: Up to this many values an alt text lists them all; beyond, it gives the range.
ALT_MAX_VALUES = 16


def describe(
    fig: Figure,
    alt: str,
    data: pd.DataFrame,
    *,
    lang: str,
    caption: str | None = None,
    notes: Sequence[str] = (),
    row_headers: int = 1,
    kinds: Mapping[str, str] | None = None,
) -> Figure:
    """Set ``fig.pilot_eval_alt`` and ``fig.pilot_eval_data`` (see the module docstring).

    >>> from matplotlib.figure import Figure
    >>> fig = describe(Figure(), "Antal: 12", pd.DataFrame({"Antal": ["12"]}), lang="sv")
    >>> fig.pilot_eval_alt, fig.pilot_eval_data.attrs["lang"]
    ('Antal: 12', 'sv')
    """
    texts.check_lang(lang)
    data = data.astype(object).reset_index(drop=True)
    data.attrs.update(
        lang=lang,
        caption=caption,
        notes=[n for n in notes if n],
        row_headers=int(row_headers),
        kinds=dict(kinds or {}),
    )
    fig.pilot_eval_alt = re.sub(r"[ \t\r\n]+", " ", alt).strip()  # no-break spaces stay
    fig.pilot_eval_data = data
    return fig


def _join(items: Sequence[str], lang: str) -> str:
    """ "a, b och c" / "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_t('alt_and', lang)} {items[-1]}"


def _join_numbered(items: Sequence[str], lang: str) -> str:
    """ "a: 1; b: 2 och c: 3": items that hold a colon and a comma-decimal number."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{'; '.join(items[:-1])} {_t('alt_and', lang)} {items[-1]}"


def _in_sentence(column: str | None, text: str) -> str:
    """A group value inside a sentence: common nouns in lower case ("före piloten"),
    names and abbreviations as they are ("SOF", "Socialförvaltningen")."""
    if column in _COMMON_NOUNS and len(text) > 1 and text[1:2].islower():
        return text[0].lower() + text[1:]
    return text


def _withheld(reason: str, lang: str) -> str:
    """A withheld or missing value in words: never the value, nor its symbol."""
    if reason in ("small_count", "small_denominator", "small_n"):
        return _t("alt_withheld_few", lang)
    if reason in ("", "missing"):
        return _t("alt_missing", lang)
    return _t("alt_withheld", lang)


def _with_unit(text: str, kind: str, lang: str) -> str:
    """A value as the alt text says it: days with their unit ("60 dagar")."""
    if kind == "days":
        return f"{text}\u00a0{UNIT_WORDS['days'][texts.index(lang)]}"
    return text


def _cell(protected: ProtectedTable | None, flag: str, shown: str) -> str:
    """A data-table cell: the value as the chart labels it, or the symbol that stands
    for it in the table."""
    if flag:
        return protected.symbol(flag) if protected is not None else MISSING_SYMBOL
    return shown


def _count_phrase(n: int, lang: str) -> str:
    """ "1 värde visas inte" / "3 värden visas inte"."""
    key = "alt_not_shown_one" if n == 1 else "alt_not_shown_many"
    return _t(key, lang, n=n)


def _range_text(values: np.ndarray, fmt, lang: str) -> str:
    """ "mellan 3 och 8" (or the one value)."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return ""
    lo, hi = float(finite.min()), float(finite.max())
    if fmt(lo) == fmt(hi):
        return fmt(lo)
    return _t("alt_between", lang, low=fmt(lo), high=fmt(hi))


def _sentence(text: str | None) -> str:
    """``text`` as a sentence: its first letter capital, a full stop at its end (unless
    it ends with one already, or ? or !)."""
    text = (text or "").strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


#: An axis label's unit at its end, in brackets: "Andel tillsatta (%)", "Tid (dagar)".
_TRAILING_UNIT = re.compile(r"\s*\([^()]*\)\s*$")


def _chart_name(title: str | None, axis_text: str | None, column: str | None, lang: str) -> str:
    """What an alt text names the chart by: its title, else its value axis' label without
    the unit in brackets ("Andel tillsatta (%)" → "Andel tillsatta"; the values carry
    their unit), else the column's label; never a bare unit such as "(%)"."""
    for text in (title, axis_text, label(column, lang) if column else ""):
        text = (text or "").strip()
        if text and text is not title:
            text = _TRAILING_UNIT.sub("", text).strip()
        if text:
            return text
    return ""


def _says_per(text: str, freq: str) -> bool:
    """Whether ``text`` already says the series' period ("Annonser per kvartal", "Adverts
    by quarter", "Quarterly adverts"), in either language: the alt text then does not say
    it again ("per kvartal per kvartal")."""
    words = [w.lower() for w in PERIOD_AXIS.get(freq, ())]
    if not words:
        return False
    names = "|".join(re.escape(w) for w in words)
    adjectives = "|".join(re.escape(w) for w in PERIOD_ADJECTIVES.get(freq, ()) or words)
    pattern = rf"\b(?:(?:per|by|each|a|efter|varje|och)\s+(?:{names})\b|(?:{adjectives})\w*)"
    return re.search(pattern, text, re.IGNORECASE) is not None
