"""What the charts share: texts, the protected-table checks (a chart draws only what
disclosure control let through), the number kind of a column, footnotes, group styles."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import pandas as pd
from matplotlib.lines import Line2D

from ... import texts
from ...disclosure import MISSING_SYMBOL, ProtectedTable
from ...labels import label, value_label
from ...texts.charts import TEXTS, UNIT_WORDS
from .style import _HATCHES, _LINESTYLES, _MARKERS, COMPARISON_COLOR, GROUP_COLORS, PILOT_COLOR

_KINDS = ("percent", "count", "days", "ratio", "number")
_TABLE_KIND = {"percent": "percent", "count": "count", "duration": "days", "ratio": "ratio"}


def _t(key: str, lang: str, **fields: object) -> str:
    """The chart text ``key`` (:data:`pilot_eval.texts.charts.TEXTS`) in ``lang``, its
    ``{placeholders}`` filled from ``fields``."""
    text = TEXTS[key][texts.index(lang)]
    return text.format(**fields) if fields else text


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


# --------------------------------------------------------------------------- protected tables


def _require_protected(protected: object, function: str) -> ProtectedTable:
    if isinstance(protected, ProtectedTable):
        from ..ledger import note_charted

        note_charted(protected)  # the report's audit must run the notebook again to change it
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
    days = UNIT_WORDS["days"]
    if kind == "days" and not any(f"({word})" in text for word in days):  # the unit in either language
        return f"{text} ({days[texts.index(lang)]})"
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


def _line_handles(column: str | None, values: Sequence[Hashable], styles: Mapping, lang: str) -> list[Line2D]:
    """Legend entries of lines (call inside :func:`~.style.house_style`, whose line width
    and marker size they take)."""
    return [
        Line2D(
            [],
            [],
            color=styles[v]["color"],
            linestyle=styles[v]["linestyle"],
            marker=styles[v]["marker"],
            label=_group_text(column, v, lang),
        )
        for v in values
    ]
