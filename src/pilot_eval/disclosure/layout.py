"""How a protected table is laid out for a reader (:meth:`ProtectedTable.to_html`).

A table a reader sees follows four rules, whatever the notebook that shows it:

* **Every header is a label.** Each column's header is its reader label
  (:func:`pilot_eval.labels.label`, or a (Swedish, English) pair given with ``labels=``)
  and each code in a group column a value label; a column or a value that is still a code
  (``source_file``, ``n_read``, ``mde_increase``) is an error (:class:`UnlabelledError`),
  not a page that shows it.
* **A column withheld in every row is left out**, with one sentence that says why
  (:data:`pilot_eval.texts.disclosure.WITHHELD_COLUMNS`): a column of symbols tells a reader
  nothing a sentence cannot.
* **A wide table becomes long.** With more than :data:`WIDE_COLUMNS` figure columns, the
  figures become rows (one row per group × measure, :func:`long_form`), the group columns
  with few values becoming the columns, so that no table is clipped on screen or on paper.
* **A long table is collapsed** behind ``<details>`` when it has more than
  :data:`LONG_ROWS` rows ("Visa hela tabellen (60 rader)"); the page shows a summary above
  it (``show.table(..., summary=...)``).

Every cell carries its header in ``data-label``: on a narrow screen the report's style
sheet shows each row as a block of "header: value" lines instead of a table wider than the
screen.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pandas as pd

from .. import texts
from ..labels import label
from ..texts.disclosure import LAYOUT, WITHHELD_COLUMNS
from .rules import MISSING_SYMBOL

__all__ = ["LONG_ROWS", "TEXT_COLUMN_PX", "WIDE_COLUMNS", "UnlabelledError", "long_form", "to_html", "withheld_columns"]

#: A table with more rows than this is collapsed behind ``<details>``.
LONG_ROWS = 15
#: A table with more figure columns than this is shown in long form.
WIDE_COLUMNS = 6

#: A code, not a reader's word: lowercase letters, digits and underscores, with at least
#: one underscore (``source_file``, ``n_read``), or a single lowercase word that is a
#: column name of the tidy tables.
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_WORD = re.compile(r"^[a-z][a-z0-9]*$")


class UnlabelledError(ValueError):
    """A table would show a column name or a value code instead of a reader's label."""


def _is_code(text: str) -> bool:
    return bool(_CODE.match(text))


def withheld_columns(table) -> list[str]:
    """The figure columns of ``table`` (a :class:`~pilot_eval.disclosure.ProtectedTable`)
    withheld in every row (a table of two rows or more)."""
    if len(table.values) < 2:
        return []
    return [
        c for c in table.values.columns if table.column_kinds.get(c) != "group" and bool((table.flags[c] != "").all())
    ]


def _headers(table, lang: str, labels: dict[str, tuple[str, str]] | None) -> dict[str, str]:
    """Column → header in ``lang``; :class:`UnlabelledError` for a column without a label."""
    i = texts.index(lang)
    out = {}
    missing = []
    for c in table.values.columns:
        key = str(c)
        if labels and key in labels:
            out[key] = labels[key][i]
            continue
        text = label(key, lang)
        if text == key and (_is_code(key) or _WORD.match(key)):
            missing.append(key)
        out[key] = text
    if missing:
        raise UnlabelledError(
            f"column(s) {', '.join(missing)} have no reader label: add them to "
            "pilot_eval.texts.labels.COLUMN_LABELS (Swedish and English), or pass labels={column: (sv, en)}"
        )
    return out


def _check_values(table, shown: pd.DataFrame, columns: list[str]) -> None:
    """:class:`UnlabelledError` for a group or text cell that shows a code."""
    for c, shown_col in zip(columns, shown.columns, strict=True):
        if table.column_kinds.get(c, "other") not in ("group", "other"):
            continue
        codes = sorted({v for v in shown[shown_col] if isinstance(v, str) and _is_code(v)})
        if codes:
            raise UnlabelledError(
                f"column {c} shows codes {codes[:5]}: give them a label in pilot_eval.texts.labels.VALUE_LABELS "
                "(and the column in pilot_eval.labels.COLUMN_VALUE_KIND), or label them before publishing"
            )


def long_form(cells: pd.DataFrame, kinds: dict[str, str], headers: dict[str, str], lang: str, wide: int = WIDE_COLUMNS):
    """A wide table of reader's strings in long form.

    ``cells``: the table as :meth:`~pilot_eval.disclosure.ProtectedTable.display` with codes
    (``labels=False``) as column names and reader's strings as cells; ``kinds`` its column
    kinds. The group columns at the end whose values, multiplied, are at most ``wide``
    (arm × phase: 6) become the columns; each remaining group combination gives one row per
    figure column ("Mått"), in the table's order. Without such group columns the figures
    are one column ("Värde").

    Returns ``(header, rows, combos)``: the header cells, per row a list of
    ``(text, kind, data_label)``, and the pivot's value combinations, one per column after
    "Mått" (``[]`` without a pivot), from which :func:`to_html` draws a header of two rows
    when the pivot has two group columns (arm above phase): each arm's name then spans its
    phases, so that the columns are as narrow as "Före piloten" and not as
    "Jämförelseförvaltningar, Före piloten".
    """
    groups = [c for c in cells.columns if kinds.get(c) == "group"]
    figures = [c for c in cells.columns if kinds.get(c) != "group"]
    pivot: list[str] = []
    size = 1
    for c in reversed(groups):
        n = cells[c].nunique()
        if size * n > wide:
            break
        pivot.insert(0, c)
        size *= n
    if size < 2:
        pivot = []
    keys = [c for c in groups if c not in pivot]
    measure = label("measure", lang)
    if pivot:
        combos = list(dict.fromkeys(tuple(r) for r in cells[pivot].itertuples(index=False)))
        names = [", ".join(combo) for combo in combos]
        header = [headers[c] for c in keys] + [measure] + names
        rows = []
        key_rows = list(dict.fromkeys(tuple(r) for r in cells[keys].itertuples(index=False))) if keys else [()]
        for key in key_rows:
            mask = pd.Series(True, index=cells.index)
            for c, v in zip(keys, key, strict=True):
                mask &= cells[c] == v
            part = cells.loc[mask]
            at = {tuple(r[pivot]): r for _, r in part.iterrows()}
            for f in figures:
                row = [(v, "group", headers[c]) for c, v in zip(keys, key, strict=True)]
                row.append((headers[f], "group", measure))
                for combo, name in zip(combos, names, strict=True):
                    r = at.get(combo)
                    row.append((MISSING_SYMBOL if r is None else r[f], kinds.get(f, "other"), name))
                rows.append(row)
        return header, rows, combos
    value = texts.pick(lang, *LAYOUT["value"])
    header = [headers[c] for c in groups] + [measure, value]
    rows = []
    for _, r in cells.iterrows():
        for f in figures:
            row = [(r[c], "group", headers[c]) for c in groups]
            row += [(headers[f], "group", measure), (r[f], kinds.get(f, "other"), value)]
            rows.append(row)
    return header, rows, []


_TH = '<th scope="{scope}"{span} style="text-align:{align};padding:2px 8px{rule}">{text}</th>'
_RULE = ";border-bottom:1px solid #000"


def _header_rows(header: list[str], aligns: list[str], combos: list[tuple], esc) -> list[str]:
    """The ``<tr>`` of the header: one row, or two when the columns after "Mått" are the
    combinations of two groups (a ``colgroup`` header per value of the first, spanning its
    columns, above the second's values)."""
    n_lead = len(header) - len(combos)
    if not combos or any(len(c) != 2 for c in combos):
        cells = [
            _TH.format(scope="col", span="", align=a, rule=_RULE, text=esc(t))
            for t, a in zip(header, aligns, strict=True)
        ]
        return ["<tr>" + "".join(cells) + "</tr>"]
    top = [
        _TH.format(scope="col", span=' rowspan="2"', align=a, rule=_RULE, text=esc(t))
        for t, a in zip(header[:n_lead], aligns[:n_lead], strict=True)
    ]
    runs: list[list] = []  # [first value, number of columns]
    for first, _ in combos:
        if runs and runs[-1][0] == first:
            runs[-1][1] += 1
        else:
            runs.append([first, 1])
    top += [
        _TH.format(
            scope="colgroup", span=f' colspan="{n}"', align="center", rule=";border-bottom:1px solid #999", text=esc(v)
        )
        for v, n in runs
    ]
    below = [
        _TH.format(scope="col", span="", align=a, rule=_RULE, text=esc(second))
        for (_, second), a in zip(combos, aligns[n_lead:], strict=True)
    ]
    return ["<tr>" + "".join(top) + "</tr>", "<tr>" + "".join(below) + "</tr>"]


#: The report's text column at desktop width (CSS pixels; ``main`` of report.css).
TEXT_COLUMN_PX = 820
#: Pixels per character at the table's size (a wide average: bold headers, Swedish words).
_CHAR_PX = 8.6
_CELL_PADDING_PX = 12


def _min_width(header: list[str], rows: list[list[tuple]]) -> float:
    """An estimate of the narrowest the table can be set with whole words: per column its
    longest word (header or cell; a figure whole), plus padding. Over
    :data:`TEXT_COLUMN_PX` the table is set *dense* (``pe-dense``: smaller, and its words
    may break), so that it stays inside the text column instead of reaching into the
    margin or making the page scroll sideways."""

    def longest(text: str, kind: str) -> int:
        text = str(text)
        return len(text) if kind not in ("group", "header") else max((len(w) for w in text.split()), default=0)

    columns = len(header)
    widest = [longest(h, "header") for h in header]
    if len(widest) != columns:  # pragma: no cover - headers and rows are made together
        return 0.0
    for row in rows:
        if len(row) != columns:
            continue
        for j, (text, kind, _) in enumerate(row):
            widest[j] = max(widest[j], longest(text, kind))
    return sum(w * _CHAR_PX + _CELL_PADDING_PX for w in widest)


#: A file's name in a cell ("vacancies.csv"): set as code, not as words of the page's language.
_FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|tsv|txt|xlsx|xls|parquet|json|jsonl)", re.IGNORECASE)


def _cell(text: str, kind: str, data_label: str, esc=html.escape) -> str:
    if kind == "group":
        shown = f"<code>{esc(str(text))}</code>" if _FILE_NAME.fullmatch(str(text)) else esc(str(text))
        return f'<td data-label="{esc(data_label)}" style="text-align:left;padding:2px 8px">{shown}</td>'
    return (
        f'<td class="num" data-kind="{kind}" data-label="{esc(data_label)}" '
        f'style="text-align:right;padding:2px 8px;white-space:nowrap">{esc(str(text))}</td>'
    )


def to_html(
    table,
    lang: str = "sv",
    decimals: dict[str, int] | None = None,
    caption: str | None = None,
    *,
    labels: dict[str, tuple[str, str]] | None = None,
    collapse: int | None = LONG_ROWS,
    wide: int | None = WIDE_COLUMNS,
) -> str:
    """The reader's HTML of a protected table (see the module docstring for the rules);
    :meth:`ProtectedTable.to_html` calls this."""
    texts.check_lang(lang)
    esc = html.escape
    dropped = withheld_columns(table)
    notes = []
    if dropped:
        heads = _headers(table, lang, labels)
        reasons = [r for r in dict.fromkeys(v for c in dropped for v in table.flags[c]) if r]
        from .table import _threshold_fields

        fields = _threshold_fields(table.thresholds)
        why = "; ".join(texts.pick(lang, *WITHHELD_COLUMNS[r]).format(**fields) for r in reasons)
        names = [texts.pick(lang, *LAYOUT["quote"]).format(heads[c]) for c in dropped]
        joined = (
            names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {texts.pick(lang, 'och', 'and')} {names[-1]}"
        )
        notes.append(texts.pick(lang, *LAYOUT["dropped"]).format(columns=joined, why=why))
        kept = [c for c in table.values.columns if c not in dropped]
        table = replace(
            table,
            values=table.values[kept],
            flags=table.flags[kept],
            column_kinds={c: k for c, k in table.column_kinds.items() if c in kept},
        )
    columns = [str(c) for c in table.values.columns]
    headers = _headers(table, lang, labels)
    shown = table.display(lang, decimals)
    _check_values(table, shown, columns)
    kinds = {c: table.column_kinds.get(c, "other") for c in columns}
    cells = shown.copy()
    cells.columns = columns
    figures = [c for c in columns if kinds[c] != "group"]
    if wide is not None and len(figures) > wide and len(cells):
        header, rows, combos = long_form(cells, kinds, headers, lang, wide)
        group_cols = sum(1 for text, kind, _ in rows[0] if kind == "group") if rows else 0
        aligns = ["left"] * group_cols + ["right"] * (len(header) - group_cols)
        form = "long"
    else:
        header = [headers[c] for c in columns]
        rows = [
            [(v, kinds[c], headers[c]) for c, v in zip(columns, r, strict=True)] for r in cells.itertuples(index=False)
        ]
        aligns = ["left" if kinds[c] == "group" else "right" for c in columns]
        form = "wide"
        combos = []
    drawn = header  # the header words each column must hold: the lower row of a two-row header
    if combos and all(len(c) == 2 for c in combos):
        drawn = header[: len(header) - len(combos)] + [second for _, second in combos]
    dense = " pe-dense" if _min_width(drawn, rows) > TEXT_COLUMN_PX else ""
    parts = [f'<table class="pe-table pe-{form}{dense}" style="border-collapse:collapse">']
    if caption:
        parts.append(f'<caption style="text-align:left;font-weight:bold">{esc(caption)}</caption>')
    parts.append("<thead>")
    parts += _header_rows(header, aligns, combos, esc)
    parts.append("</thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(_cell(*c) for c in row) + "</tr>")
    parts.append("</tbody></table>")
    body = "\n".join(parts)
    if collapse is not None and len(rows) > collapse:
        what = texts.pick(lang, *LAYOUT["show_all"]).format(rows=len(rows))
        if caption:
            what = f"{caption}: {what[0].lower()}{what[1:]}"
        body = f'<details class="pe-details">\n<summary>{esc(what)}</summary>\n{body}\n</details>'
    out = ['<div class="pe-protected-table">']
    out += [f'<p class="pe-note">{esc(n)}</p>' for n in notes]
    out.append(body)
    out += [f'<p class="pe-footnote" style="font-size:85%;margin:2px 0">{esc(n)}</p>' for n in table.footnotes(lang)]
    out.append("</div>")
    return "\n".join(out)
