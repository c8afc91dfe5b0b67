"""Swedish and English labels and number formats for everything a reader sees.

The politicians' report is Swedish by default and English on request.
The texts themselves, as (Swedish, English) pairs, live in :mod:`pilot_eval.texts.labels`;
this module looks them up and formats numbers, and re-exports the label tables:

* :data:`COLUMN_LABELS` — a label per column name of the tidy tables of
  :mod:`pilot_eval.measures` (``median_days`` → "Median (dagar)");
* :data:`MEASURE_TITLES` — a title per measure function (``time_to_fill`` →
  "Tid till tillsättning");
* :data:`VALUE_LABELS` — labels of group values (administrations, role groups, stages,
  genders, age bands, check types, outcomes, pilot arm and phase, …), with
  :func:`value_label` also reading periods ("2024Q3" → "kv. 3 2024") and booleans;
* :func:`format_number` and :func:`format_percent` — the Swedish number format
  ("12,5", "1 234", "12 %") and the English one ("12.5", "1,234", "12%");
* :func:`relabel` — a tidy table with readable headers and group values, for display.

Unknown keys never raise: they fall back to the key itself, so a new column shows up
under its code name rather than breaking a report.

Number format decisions
-----------------------
* **Thousands separator** (Swedish): U+00A0 NO-BREAK SPACE (:data:`THOUSANDS_SEP_SV`),
  from 1 000 up (four-digit numbers are grouped too, "1 234"). The narrow no-break space
  U+202F is typographically finer but missing from some print fonts; U+00A0 never breaks
  a number over two lines and prints everywhere. English uses a comma.
* **Decimal mark**: comma in Swedish, point in English.
* **Minus sign**: U+2212 MINUS SIGN in Swedish (Språkrådet's recommendation; it does not
  break from the number), ASCII hyphen-minus in English.
* **Rounding**: half away from zero ("commercial" rounding, as a reader rounding by hand
  would), applied to the number *as it prints* (its shortest decimal representation):
  ``12.45`` → "12,5", ``2.675`` → "2,68", ``0.125`` with two decimals → "0,13". Not
  banker's rounding, and not the binary value's rounding that Python's
  ``round`` does (``round(2.675, 2) == 2.67``). A value that rounds to zero loses its
  sign ("0,0", never "−0,0").
* **Default decimals**: integers (and floats with no fractional part) without decimals,
  other numbers with one.
* **Units** are joined with a no-break space ("12,5 dagar", "12.5 days"; "1 dag").
  :func:`format_percent` takes a *proportion* (0.12 → "12 %"): Swedish puts a no-break
  space before "%", English does not.
* Missing values (None, NaN, pd.NA, NaT) format as the empty string; the disclosure
  module (:mod:`pilot_eval.disclosure`) decides which symbol a reader sees instead.

Examples
--------
>>> format_number(1234567)
'1\\xa0234\\xa0567'
>>> format_number(12.45)
'12,5'
>>> format_number(12.5, lang="en", unit="days")
'12.5\\xa0days'
>>> format_percent(0.125, decimals=1)
'12,5\\xa0%'
>>> label("median_days")
'Median (dagar)'
>>> label("time_to_fill", "en")
'Time to fill'
>>> value_label("administration", "SOF")
'Socialförvaltningen'
>>> value_label("period", "2024Q3"), value_label("period", "2024H1", "en")
('kv. 3 2024', 'first half of 2024')
>>> value_label("age_band", "55plus")
'55 och äldre'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from . import contract as C
from . import periods
from .texts import LANGUAGES, check_lang, index
from .texts import labels as T
from .texts.labels import COLUMN_LABELS, MEASURE_TITLES, MISSING_LABEL, VALUE_LABELS

__all__ = [
    "LANGUAGES",
    "THOUSANDS_SEP_SV",
    "UNIT_SEP",
    "MINUS_SV",
    "COLUMN_LABELS",
    "MEASURE_TITLES",
    "VALUE_LABELS",
    "COLUMN_VALUE_KIND",
    "MISSING_LABEL",
    "label",
    "measure_title",
    "value_label",
    "format_number",
    "format_percent",
    "relabel",
]

#: Swedish thousands separator: NO-BREAK SPACE (see the module docstring for why).
THOUSANDS_SEP_SV = "\u00a0"
#: Between a number and its unit (and before "%" in Swedish): NO-BREAK SPACE.
UNIT_SEP = "\u00a0"
#: Swedish minus sign: U+2212 MINUS SIGN.
MINUS_SV = "\u2212"

_SEPARATORS = {
    # lang: (thousands, decimal mark, minus)
    "sv": (THOUSANDS_SEP_SV, ",", MINUS_SV),
    "en": (",", ".", "-"),
}


# --------------------------------------------------------------------------- column labels

_WITHIN = re.compile(r"^(filled_)?within_(\d+)$")
_RMST = re.compile(r"^rmst_(\d+)$")


def label(key: str, lang: str = "sv") -> str:
    """The reader's label of a column or measure name; the key itself if unknown.

    Columns come first (:data:`COLUMN_LABELS`), then measure titles
    (:data:`MEASURE_TITLES`); ``filled_within_<d>``, ``within_<d>`` and ``rmst_<d>``
    are labelled for any number of days.

    Parameters
    ----------
    key : str
        A column name of a tidy table or a measure function name.
    lang : {"sv", "en"}, default "sv"

    Examples
    --------
    >>> label("n_withdrawn_late")
    'Antal återtagna i sent skede'
    >>> label("filled_within_30", "en")
    'Share filled within 30 days'
    >>> label("no_such_column")
    'no_such_column'
    """
    i = index(lang)
    key_s = str(key)
    if key_s in COLUMN_LABELS:
        return COLUMN_LABELS[key_s][i]
    if key_s in MEASURE_TITLES:
        return MEASURE_TITLES[key_s][i]
    m = _WITHIN.match(key_s)
    if m:
        days = m.group(2)
        if m.group(1):
            return T.LABEL_TEMPLATES["filled_within"][i].format(days=days)
        return T.LABEL_TEMPLATES["within"][i].format(days=days)
    m = _RMST.match(key_s)
    if m:
        days = m.group(1)
        return T.LABEL_TEMPLATES["rmst"][i].format(days=days)
    return key_s


def measure_title(name: str, lang: str = "sv") -> str:
    """The title of a measure function (:data:`MEASURE_TITLES`), else :func:`label`.

    >>> measure_title("offers"), label("offers")
    ('Accepterade erbjudanden', 'Accepterade erbjudanden')
    >>> measure_title("late_withdrawal_rate", "en")
    'Late-stage withdrawal rate'
    """
    i = index(lang)
    if str(name) in MEASURE_TITLES:
        return MEASURE_TITLES[str(name)][i]
    return label(name, lang)


# --------------------------------------------------------------------------- value labels

#: Administration code → English name; role group → English name (see
#: :data:`pilot_eval.texts.labels.ADMINISTRATIONS` and ``ROLE_GROUPS`` for both languages).
ADMINISTRATIONS_EN: dict[str, str] = {code: en for code, (_, en) in T.ADMINISTRATIONS.items()}
ROLE_GROUPS_EN: dict[str, str] = {k: en for k, (_, en) in T.ROLE_GROUPS.items()}

#: Column name → value kind of :data:`VALUE_LABELS` (or "period", "bool", "column",
#: "measure", "any").
COLUMN_VALUE_KIND: dict[str, str] = {
    **{k: k for k in VALUE_LABELS if k != "total"},
    "vacancy_status": "status",
    "stage_name": "stage",
    "highest_stage": "stage",
    "withdrawn_stage": "stage",
    "reason": "withdrawal_reason",
    "period": "period",
    "cohort": "period",
    "quarter": "period",
    "month": "period",
    "half": "period",
    "treated": "bool",
    "is_manager": "bool",
    "internal": "bool",
    "check_in_ad": "bool",
    "in_rollout": "bool",
    "in_force_at_cut": "bool",
    "four_fifths_flag": "bool",
    "dimension": "column",
    "measure": "measure",
    "group": "any",
}


def _fold(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    return C.fold(str(value))


def _build_lookup() -> dict[str, dict[str, str]]:
    """Per value kind: folded spelling (canonical, Swedish or English label, contract
    Swedish code, contract alias) → canonical value."""
    out: dict[str, dict[str, str]] = {}
    for kind, labels in VALUE_LABELS.items():
        lookup: dict[str, str] = {}
        for canonical, (sv, en) in labels.items():
            for spelling in (canonical, sv, en):
                lookup.setdefault(_fold(spelling), canonical)
        out[kind] = lookup
    # spellings the contract accepts on input (Swedish codes, full names, aliases)
    contract_columns = {
        "administration": C.TABLES["vacancies"].column("administration"),
        "role_group": C.TABLES["pilot_rollout"].column("role_group"),
        "employment_type": C.TABLES["vacancies"].column("employment_type"),
        "qualified": C.TABLES["applications"].column("qualified"),
        "statutory_check": C.TABLES["vacancies"].column("statutory_check"),
        "withdrawal_reason": C.TABLES["applications"].column("withdrawal_reason"),
        "gender": C.TABLES["applications"].column("gender"),
        "age_band": C.TABLES["applications"].column("age_band"),
        "check_type": C.TABLES["background_checks"].column("check_type"),
        "outcome": C.TABLES["background_checks"].column("outcome"),
        "scope": C.TABLES["pilot_rollout"].column("scope"),
    }
    for kind, spec in contract_columns.items():
        for spelling, canonical in spec.label_lookup().items():
            out[kind].setdefault(spelling, canonical)
    for spec in (C.TABLES["vacancies"].column("status"), C.TABLES["background_checks"].column("status")):
        for spelling, canonical in spec.label_lookup().items():
            out["status"].setdefault(spelling, canonical)
    for spelling, canonical in C.TABLES["applications"].column("final_status").label_lookup().items():
        out["final_status"].setdefault(spelling, canonical)
    for number, (english, swedish) in C.STAGES.items():
        out["stage"][str(number)] = english
        out["stage"].setdefault(_fold(swedish), english)
    return out


_LOOKUP = _build_lookup()


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _bool_label(value: object, lang: str) -> str | None:
    if isinstance(value, bool | np.bool_):
        return T.WORDS["yes" if value else "no"][index(lang)]
    folded = _fold(value)
    if folded in ("true", "ja", "yes", "1"):
        return T.WORDS["yes"][index(lang)]
    if folded in ("false", "nej", "no", "0"):
        return T.WORDS["no"][index(lang)]
    return None


def _from_kind(kind: str, value: object, lang: str) -> str | None:
    canonical = _LOOKUP.get(kind, {}).get(_fold(value))
    if canonical is None:
        return None
    return VALUE_LABELS[kind][canonical][index(lang)]


def value_label(column: str, value: object, lang: str = "sv") -> str:
    """The reader's label of a group value in ``column``; ``str(value)`` if unknown.

    Accepts the canonical value and every spelling ingest accepts (Swedish codes, full
    Swedish names, English labels), case- and å/ä/ö-insensitively. Total rows
    ("Totalt", "all", "Hela kommunen") get "Totalt" / "Total" ("Alla yrkesgrupper" for a
    role group of ``"all"``); missing values get "Uppgift saknas" / "Not recorded".

    Parameters
    ----------
    column : str
        The column the value is in: decides how it is read (``administration``,
        ``role_group``, ``stage``, ``period``, ``gender``, ``age_band``, …; see
        :data:`COLUMN_VALUE_KIND`). In ``group`` (the equality table) any known value
        is labelled; in ``dimension`` the value is a column name (``"gender"`` → "Kön").
    value : object
    lang : {"sv", "en"}, default "sv"

    Examples
    --------
    >>> value_label("administration", "Kultur- och fritidsförvaltningen", "en")
    'Culture and Leisure Administration'
    >>> value_label("role_group", "preschool_teacher")
    'Förskollärare'
    >>> value_label("stage", 2), value_label("stage", "interview", "en")
    ('Intervju', 'Interview')
    >>> value_label("arm", "comparison")
    'Jämförelseförvaltningar'
    >>> value_label("phase", "during", "en")
    'During the pilot'
    >>> value_label("period", "2024-03")
    'mars 2024'
    >>> value_label("four_fifths_flag", True)
    'Ja'
    >>> value_label("group", "woman"), value_label("dimension", "age_band")
    ('Kvinnor', 'Åldersgrupp')
    >>> value_label("administration", "Totalt", "en")
    'Total'
    """
    i = index(lang)
    column = str(column)
    if _is_missing(value):
        return MISSING_LABEL[i]
    if isinstance(value, dt.date | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    kind = COLUMN_VALUE_KIND.get(column)
    if kind is None:
        if column.endswith("_period"):
            kind = "period"
        elif isinstance(value, bool | np.bool_):
            kind = "bool"
    if kind == "role_group" and _fold(value) in ("all", "alla"):
        return VALUE_LABELS["role_group"][C.ALL_ROLES][i]
    total = _from_kind("total", value, lang)
    if total is not None:
        return total
    if kind in VALUE_LABELS:
        found = _from_kind(kind, value, lang)
        if found is not None:
            return found
    elif kind == "period":
        found = periods.label(value, lang)
        if found is not None:
            return found
    elif kind == "bool":
        found = _bool_label(value, lang)
        if found is not None:
            return found
    elif kind in ("column", "measure"):
        return label(str(value), lang)
    elif kind == "any":
        hits = {_from_kind(k, value, lang) for k in VALUE_LABELS if k != "total"} - {None}
        if len(hits) == 1:
            return hits.pop()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- numbers


def _to_decimal(x: object) -> Decimal:
    if isinstance(x, bool | np.bool_):
        return Decimal(int(x))
    if isinstance(x, int | np.integer):
        return Decimal(int(x))
    if isinstance(x, Decimal):
        return x
    # repr of a float is its shortest round-tripping decimal: round what a reader sees
    return Decimal(repr(float(x)))


def _group_digits(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(groups)


def format_number(x: object, lang: str = "sv", decimals: int | None = None, unit: str | None = None) -> str:
    """A number in the reader's format.

    Parameters
    ----------
    x : number
        An int, float, numpy scalar or Decimal. Missing (None, NaN, pd.NA) → ``""``.
    lang : {"sv", "en"}, default "sv"
        Swedish: decimal comma, no-break space (U+00A0) between thousands, minus sign
        U+2212. English: decimal point, comma between thousands, hyphen-minus.
    decimals : int, optional
        Digits after the decimal mark. Default: none for whole numbers, one otherwise.
        Rounding is half away from zero on the printed value (12.45 → 12.5).
    unit : str, optional
        ``"days"``, ``"weeks"``, ``"months"``, ``"hours"``, ``"applicants"`` or
        ``"percentage_points"`` (translated, singular for exactly 1), or any other text,
        appended as is. Joined with a no-break space.

    Examples
    --------
    >>> format_number(1234)
    '1\\xa0234'
    >>> format_number(1234.5, "en")
    '1,234.5'
    >>> format_number(-3.25, decimals=1)
    '\\u22123,3'
    >>> format_number(1, unit="days"), format_number(12.5, unit="days")
    ('1\\xa0dag', '12,5\\xa0dagar')
    >>> format_number(float("nan"))
    ''
    """
    lang = check_lang(lang)
    if _is_missing(x):
        return ""
    try:
        d = _to_decimal(x)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise TypeError(f"format_number needs a number, not {x!r}") from exc
    thousands, point, minus = _SEPARATORS[lang]
    if d.is_infinite():
        text = ("" if d > 0 else minus) + "∞"
    else:
        if decimals is None:
            decimals = 0 if d == d.to_integral_value() else 1
        if decimals < 0:
            raise ValueError(f"decimals must be 0 or more, not {decimals}")
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        negative = q < 0
        digits = f"{abs(q):f}"
        whole, _, frac = digits.partition(".")
        text = _group_digits(whole, thousands) + (point + frac if frac else "")
        if negative:
            text = minus + text
    if unit:
        key = T.UNIT_ALIASES.get(unit, unit)
        word = unit
        if key in T.UNITS:
            word = T.UNITS[key]["one" if text in ("1", minus + "1") else "many"][index(lang)]
        text = f"{text}{UNIT_SEP}{word}"
    return text


def format_percent(x: object, lang: str = "sv", decimals: int = 0) -> str:
    """A proportion as a percentage: 0.12 → "12 %" (Swedish, no-break space) or "12%".

    Parameters
    ----------
    x : number
        A proportion (0.125 is 12.5 %). Missing → ``""``.
    lang : {"sv", "en"}, default "sv"
    decimals : int, default 0
        Digits after the decimal mark, rounded half away from zero.

    Examples
    --------
    >>> format_percent(0.12)
    '12\\xa0%'
    >>> format_percent(0.1234, "en", decimals=1)
    '12.3%'
    >>> format_percent(0.005)
    '1\\xa0%'
    """
    lang = check_lang(lang)
    if _is_missing(x):
        return ""
    value = _to_decimal(x) * 100
    text = format_number(value, lang, decimals=decimals)
    return f"{text}{UNIT_SEP}%" if lang == "sv" else f"{text}%"


# --------------------------------------------------------------------------- tables


def _is_group_like(name: str, series: pd.Series) -> bool:
    if name in COLUMN_VALUE_KIND or name.endswith("_period"):
        return True
    return pd.api.types.is_bool_dtype(series.dtype)


def relabel(table: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """A copy of a tidy table for display: headers as :func:`label`, group values as
    :func:`value_label`. Figure columns keep their values (format them with
    :func:`format_number` or, with disclosure control, use
    :meth:`pilot_eval.disclosure.ProtectedTable.display`).

    Group values are relabelled in the columns :func:`value_label` knows (see
    :data:`COLUMN_VALUE_KIND`) and in boolean columns; other columns are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF", "VOF"], "gender": ["woman", "man"], "n": [12, 30]})
    >>> relabel(t).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'Förvaltning': ['Socialförvaltningen', 'Vård- och omsorgsförvaltningen'],
     'Kön': ['Kvinnor', 'Män'], 'Antal': [12, 30]}
    """
    lang = check_lang(lang)
    out = table.copy()
    for name in out.columns:
        if _is_group_like(str(name), out[name]):
            out[name] = [value_label(str(name), v, lang) for v in out[name].astype(object)]
    out.columns = [label(str(c), lang) for c in out.columns]
    return out
