"""Draft a mapping file from an unknown export: ``pilot-eval map suggest``.

:func:`suggest_mapping` reads every CSV, Excel and JSON Lines file of a raw directory as
text, runs the privacy guard on every column of every file first (a file with a direct
identifier is refused, as ingest refuses it, and no value is quoted), and then decides:

- which file (or sheet) holds which contract table: by its name and by how many of its
  headers match the table's columns (:mod:`.vocabulary`). A file that is already a
  contract table under its contract name with contract headers is "read directly" and
  left out of ``tables:``;
- the file's encoding, delimiter, header row, decimal comma and null tokens ("NULL",
  "-", …);
- which header is which contract column (exact, folded or fuzzy; a fuzzy match is
  marked "check" in a comment);
- each date column's format (ISO, or a strftime pattern such as ``%d.%m.%Y``);
- for each enum, stage and yes/no column, an inventory of its distinct values (at most
  :data:`ENUM_CAP`) with the contract value proposed for each, and an ``unknown:``
  policy.

What it cannot decide becomes a ``TODO`` (a scalar starting with "TODO"), which
``pilot-eval ingest --mapping`` refuses until it is edited: a contract column with no
source column, a value with no contract value, a date column of unknown format, and a
source column that maps to nothing (listed under the source's ``ignore_columns``; write
its name there to leave it out on purpose). A draft with no TODO loads and ingests
unedited.

With a profile (``mappings/<name>.yaml``), the draft starts from the profile and checks
it against the export instead: columns the profile expects but the export lacks, values
the profile's value maps do not list, and extra columns all become TODOs.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..contract import TABLES, fold, table_for_name
from ..errors import IngestError
from ..privacy import redact, safe_value, scan_frame, scrub_error
from ..readers import CSV_SUFFIXES, EXCEL_SUFFIXES, SOURCE_LINE, decode_bytes
from . import vocabulary as V
from .apply import read_csv_with, read_jsonl
from .load import iter_todos, yaml_loader

__all__ = [
    "ENUM_CAP",
    "NULL_TOKENS",
    "DATE_FORMATS",
    "ColumnDecision",
    "SourceDecision",
    "SuggestResult",
    "suggest_mapping",
    "detect_date_format",
]

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
#: At most this many distinct values make an enum inventory; a column with more is not an enum.
ENUM_CAP = 50
#: Cell texts that mean "empty" in exports (besides the empty string), found per file.
#: A token that a column maps as a value (``N/A`` for ``qualified``) stays a value there.
#: ("none" is not one: it is a contract value of ``statutory_check``.)
NULL_TOKENS = ("NULL", "null", "Null", "-", "–", "N/A", "n/a", "#N/A", "nan", "NaN", "(tom)")
#: strftime patterns tried, in order, for a date column whose values are not ISO.
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d.%m.%y",
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_SAMPLE = 2000  # distinct values looked at for a date format
_DELIMITERS = (";", ",", "\t", "|")


# --------------------------------------------------------------------------- result


@dataclass
class ColumnDecision:
    """How one contract column is drafted.

    ``source_column`` is the header used (None: no column found); ``how`` is
    ``"exact"``, ``"folded"``, ``"fuzzy"`` or ``"missing"``; ``values`` the value map
    (source value -> contract value, or a "TODO: …" text); ``todo`` the TODO text when
    the column itself is undecided.
    """

    table: str
    column: str
    source_column: str | None = None
    how: str = "missing"
    score: float = 0.0
    note: str = ""
    format: str | None = None
    format_note: str = ""
    values: dict[str, object] | None = None
    value_notes: dict[str, str] = field(default_factory=dict)
    unknown: str | None = None
    todo: str | None = None


@dataclass
class SourceDecision:
    """One source file of the draft (``sources.<name>``) and what it holds."""

    name: str
    file: str
    label: str
    table: str | None
    format: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    null_values: list[str] = field(default_factory=lambda: [""])
    header_row: int = 1
    rows: int = 0
    headers: list[str] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (entry, comment); a TODO entry starts "TODO"


@dataclass
class SuggestResult:
    """The draft (``text``, YAML with comments) and its decisions as data.

    ``todos`` lists ``(dotted path, text)`` for every TODO in the draft; ``direct`` maps
    a contract table read directly to its file; ``unused`` lists ``(file label,
    reason)`` for files the draft does not use.
    """

    text: str
    sources: dict[str, SourceDecision]
    tables: dict[str, dict[str, ColumnDecision]]
    direct: dict[str, str]
    unused: list[tuple[str, str]]
    todos: list[tuple[str, str]]
    profile: str | None = None
    profile_matched: int | None = None  # with a profile: its columns the export has

    @property
    def matched(self) -> int:
        """Contract columns drafted from a source column (with a profile: the profile's
        columns read from a source column the export has)."""
        if self.profile_matched is not None:
            return self.profile_matched
        return sum(1 for cols in self.tables.values() for d in cols.values() if d.source_column and not d.todo)

    def summary(self, out: str | Path | None = None) -> str:
        """The lines ``pilot-eval map suggest`` prints."""
        lines = [f"{self.matched} columns matched, {len(self.todos)} TODO{'s' if len(self.todos) != 1 else ''}"]
        lines += [f"  TODO {path}: {text}" for path, text in self.todos]
        for table, label in self.direct.items():
            lines.append(f"  read directly: {label} ({table})")
        for label, reason in self.unused:
            lines.append(f"  not used: {label} ({reason})")
        if out is not None:
            lines.append(f"draft written to {out}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


@dataclass
class _Sheet:
    path: Path
    label: str
    format: str
    frame: pd.DataFrame  # every cell a stripped string
    lines: list[int]  # line / row of each record
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1

    @property
    def stem(self) -> str:
        return self.sheet if self.sheet else self.path.stem


def _field_counts(lines: list[str], sep: str) -> list[int]:
    return [len(row) for row in csv.reader(lines, delimiter=sep)]


def _detect_layout(text: str) -> tuple[str, int]:
    """``(delimiter, 1-based header line)`` from the first lines of a CSV text: the
    delimiter that splits the most lines into the same number (> 1) of fields, and the
    first line with that many fields (title lines above the header have fewer)."""
    head = [line for line in text.splitlines()[:30]]
    best: tuple[int, int, str] | None = None
    for sep in _DELIMITERS:
        counts = _field_counts(head, sep)
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=lambda c: (wide.count(c), c))
        key = (wide.count(mode), mode)
        if best is None or key > best[:2]:
            best = (*key, sep)
    if best is None:
        return ",", 1
    _, mode, sep = best
    for i, count in enumerate(_field_counts(head, sep)):
        if count == mode:
            return sep, i + 1
    return sep, 1


def _read_csv(path: Path) -> _Sheet:
    data = path.read_bytes()
    if not data.strip():
        raise IngestError("the file is empty (not even a header line)", file=path.name)
    text, encoding = decode_bytes(data, path)
    sep, header_row = _detect_layout(text.lstrip("\ufeff"))
    # read as the draft will tell ingest to read it
    frame, _, _ = read_csv_with(path, path.name, {"encoding": "auto", "delimiter": sep, "header_row": header_row})
    lines = frame.pop(SOURCE_LINE).tolist()
    return _Sheet(path, path.name, "csv", frame, lines, encoding=encoding, delimiter=sep, header_row=header_row)


def _read_jsonl(path: Path) -> _Sheet:
    frame = read_jsonl(path, path.name)
    lines = frame.pop(SOURCE_LINE).tolist()
    return _Sheet(path, path.name, "jsonl", frame, lines, encoding="utf-8")


def _read_xlsx(path: Path) -> list[_Sheet]:
    from openpyxl import load_workbook

    from ..readers import _excel_cell_text

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise IngestError(f"cannot open the Excel workbook ({type(exc).__name__})", file=path.name) from exc
    sheets: list[_Sheet] = []
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            rows = [[_excel_cell_text(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
            filled = [sum(1 for v in row if v) for row in rows[:30]]
            if not filled or max(filled) == 0:
                continue
            widest = max(filled)
            header_at = next(i for i, n in enumerate(filled) if n >= max(2, 0.8 * widest) or n == widest)
            header = rows[header_at]
            width = max(i + 1 for i, v in enumerate(header) if v)
            body = [(r + [""] * width)[:width] for r in rows[header_at + 1 :]]
            frame = pd.DataFrame(body, columns=header[:width], dtype=object)
            lines = list(range(header_at + 2, header_at + 2 + len(body)))
            label = f"{path.name}[{ws.title}]"
            sheets.append(_Sheet(path, label, "xlsx", frame, lines, sheet=ws.title, header_row=header_at + 1))
    finally:
        wb.close()
    return sheets


def _read_all(raw_dir: Path) -> tuple[list[_Sheet], list[tuple[str, str]]]:
    sheets: list[_Sheet] = []
    unused: list[tuple[str, str]] = []
    for path in sorted(raw_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            sheets.append(_read_csv(path))
        elif suffix in EXCEL_SUFFIXES:
            sheets.extend(_read_xlsx(path))
        elif suffix in JSONL_SUFFIXES:
            sheets.append(_read_jsonl(path))
        else:
            unused.append((redact(path.name), "not a CSV, Excel or JSON Lines file"))
    for sheet in sheets:
        frame = sheet.frame
        frame.columns = [str(c).strip() for c in frame.columns]
        keep = ~(frame == "").all(axis=1).to_numpy() if len(frame.columns) else []
        sheet.lines = [line for line, k in zip(sheet.lines, keep, strict=True) if k]
        sheet.frame = frame.loc[keep].reset_index(drop=True).apply(lambda s: s.astype(str).str.strip())
    return sheets, unused


def _privacy_guard(sheet: _Sheet, reviewed: set[str] | frozenset[str] = frozenset()) -> None:
    """Refuse a file with a direct identifier in any column (header or value), as ingest
    does; the message names file, column and row and never quotes the value.

    ``reviewed``: headers a profile's ``reviewed_headers`` vouch for (Teamtailor's
    ``name`` of a stage); they pass by their name, as in ingest, their values are scanned."""
    findings = [f for f in scan_frame(sheet.frame) if not (f.is_header and f.column in reviewed)]
    if findings:
        finding = findings[0]
        row = None if finding.position < 0 else sheet.lines[finding.position]
        error = IngestError(finding.describe(), file=redact(sheet.label), column=safe_value(finding.column), row=row)
        raise scrub_error(error)


# --------------------------------------------------------------------------- deciding


def _nulls(values: pd.Series, tokens: list[str]) -> pd.Series:
    return values[~values.isin(tokens)]


def detect_date_format(values: list[str], month: bool = False) -> tuple[str | None, str]:
    """``(format, note)`` for a date column's non-empty values: ``(None, note)`` for ISO
    dates and ISO 8601 datetimes (with or without offset, the mapping's default), else the
    first of :data:`DATE_FORMATS` that reads every value, or ``("TODO: …", "")`` if none.

    >>> detect_date_format(["2025-03-01", "2025-03-02T10:00:00+01:00"])[0] is None
    True
    >>> detect_date_format(["01.03.2025", "31.12.2024"])[0]
    '%d.%m.%Y'
    """
    sample = [v for v in values if v][:_SAMPLE]
    if not sample:
        return None, "no values to tell the format from; ISO assumed"
    if all(_ISO_DATE.match(v) or _ISO_DATETIME.match(v) for v in sample):
        naive = any(_ISO_DATETIME.match(v) and not _ISO_OFFSET.match(v) for v in sample)
        return None, "ISO datetimes without offset: read in the source's timezone" if naive else ""
    if month and all(re.match(r"^\d{4}-\d{2}$", v) for v in sample):
        return "%Y-%m", ""
    if any(_ISO_OFFSET.match(v.replace(" ", "T", 1)) for v in sample) and all(
        _ISO_OFFSET.match(v.replace(" ", "T", 1)) or _ISO_DATE.match(v) for v in sample
    ):
        return None, ""

    def reads(pattern: str) -> bool:
        for v in sample:
            try:
                parsed = dt.datetime.strptime(v, pattern)
            except ValueError:
                return False
            if not 1900 <= parsed.year <= 2100:
                return False
        return True

    fits = [p for p in DATE_FORMATS if reads(p)]
    if not fits:
        return "TODO: the date format is not one this tool knows; give a strftime pattern such as %d.%m.%Y", ""
    note = ""
    if {"%d/%m/%Y", "%m/%d/%Y"} <= set(fits):
        note = "day and month cannot be told apart in these values; check that the day comes first"
    return fits[0], note


def _inventory(values: pd.Series) -> list[str]:
    """Distinct non-empty values, most frequent first (ties by text)."""
    counts = values[values != ""].value_counts()
    return sorted(counts.index, key=lambda v: (-counts[v], v))


def _contract_values(table: str, column: str) -> str:
    spec = TABLES[table].column(column)
    if spec.kind == "stage":
        return "a stage number 0-7"
    if spec.kind == "bool":
        return "true or false"
    return ", ".join(spec.values)


_UNKNOWN_POLICY = {"withdrawal_reason": "unknown", "role_group": "other"}


def _decide_values(decision: ColumnDecision, values: pd.Series) -> None:
    spec = TABLES[decision.table].column(decision.column)
    distinct = _inventory(values)
    if len(distinct) > ENUM_CAP:
        decision.todo = (
            f"TODO: column {decision.source_column!r} has {len(distinct)} distinct values, more than an enum "
            f"({ENUM_CAP}); is it the column for {decision.column}?"
        )
        return
    mapped: dict[str, object] = {}
    seen: set[str] = set()
    for value in distinct:
        key = fold(value)
        if key in seen:  # the map is matched folded: one entry per folded value
            continue
        seen.add(key)
        match = V.match_value(value, decision.table, decision.column)
        if match is None:
            mapped[value] = f"TODO: which {decision.column}? ({_contract_values(decision.table, decision.column)})"
        else:
            mapped[value] = match.target
            if match.how == "fuzzy":
                decision.value_notes[value] = f"fuzzy match ({match.score:.2f}) of {match.name!r}; check"
    decision.values = mapped
    decision.unknown = _UNKNOWN_POLICY.get(decision.column, "quarantine") if spec.kind == "enum" else "quarantine"


def _todo_missing(table: str, column: str) -> str:
    spec = TABLES[table].column(column)
    what = f" ({spec.swedish_display}: {spec.description})" if spec.description else f" ({spec.swedish_display})"
    text = f"TODO: no column found; which column holds {table}.{column}{what}?"
    if column in ("highest_stage", "final_status", "withdrawn_date", "withdrawn_stage", "offer_date"):
        text += " Or derive it from a stage history (docs/mapping.md)"
    return text


def _match_columns(sheet: _Sheet, table: str) -> dict[str, V.HeaderMatch]:
    """Header -> match, one header per contract column (the best: exact before folded
    before fuzzy, then the preferred name)."""
    best: dict[str, tuple[str, V.HeaderMatch]] = {}
    for header in sheet.frame.columns:
        m = V.match_header(header, table)
        if m is None:
            continue
        order = ({"exact": 0, "folded": 1, "fuzzy": 2}[m.how], -m.score, m.rank)
        held = best.get(m.column)
        if held is None:
            best[m.column] = (header, m)
            continue
        o = held[1]
        if order < ({"exact": 0, "folded": 1, "fuzzy": 2}[o.how], -o.score, o.rank):
            best[m.column] = (header, m)
    return {header: m for header, m in best.values()}


def _score(sheet: _Sheet, table: str) -> float:
    matches = _match_columns(sheet, table)
    score = sum(1.0 if m.how != "fuzzy" else 0.5 for m in matches.values())
    if V.table_for_file(sheet.stem) == table:
        score += 3
    if any(m.column in TABLES[table].key for m in matches.values()):
        score += 1
    return score


def _is_direct(sheet: _Sheet) -> str | None:
    """The contract table a sheet is, as direct ingest reads it (its contract name and
    only contract headers), else None."""
    table = table_for_name(sheet.stem) or (table_for_name(sheet.path.stem) if sheet.sheet else None)
    if table is None:
        return None
    lookup = TABLES[table].header_lookup()
    headers = [fold(h) for h in sheet.frame.columns]
    if not headers or any(h not in lookup for h in headers):
        return None
    present = {lookup[h] for h in headers}
    return table if set(TABLES[table].required_columns) <= present else None


@dataclass
class _Stem:
    stem: str


def _source_name(sheet: _Sheet | _Stem, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_]", "", fold(sheet.stem)) or "source"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _glob_for(names: list[str], everything: list[str]) -> str | None:
    """A glob that matches exactly ``names`` among ``everything`` (files to stack)."""
    prefix = names[0]
    suffix = names[0]
    for n in names[1:]:
        while not n.startswith(prefix):
            prefix = prefix[:-1]
        while not n.endswith(suffix):
            suffix = suffix[1:]
    pattern = f"{prefix}*{suffix}"
    return pattern if sorted(fnmatch.filter(everything, pattern)) == sorted(names) else None


def _decide_table(sheet: _Sheet, source: SourceDecision, table: str) -> dict[str, ColumnDecision]:
    frame = sheet.frame
    tokens = source.null_values
    matches = _match_columns(sheet, table)
    used = set(matches)
    keep_as_value: set[str] = set()
    decisions: dict[str, ColumnDecision] = {}
    for spec in TABLES[table].columns:
        header = next((h for h, m in matches.items() if m.column == spec.name), None)
        d = ColumnDecision(table, spec.name)
        decisions[spec.name] = d
        if header is None:
            if not spec.nullable:
                d.todo = _todo_missing(table, spec.name)
            continue
        m = matches[header]
        d.source_column, d.how, d.score, d.note = header, m.how, m.score, m.note
        values = frame[header]
        if spec.kind in ("enum", "stage", "bool"):
            kept = [t for t in tokens if t and V.match_value(t, table, spec.name) is not None]
            keep_as_value.update(t for t in kept if t in set(values))
            values = values.where(~values.isin([t for t in tokens if t not in kept]), "")
        else:
            values = values.where(~values.isin(tokens), "")
        if spec.kind == "date":
            d.format, d.format_note = detect_date_format(
                list(pd.unique(values[values != ""])), month=spec.name == "month"
            )
        elif spec.kind in ("enum", "stage", "bool"):
            _decide_values(d, values)
        elif spec.kind in ("int", "float") and values.str.match(_DECIMAL_COMMA).any():
            source.decimal = ","
    # a null token that is a value of some column is not a null of the whole source
    source.null_values = [t for t in tokens if t not in keep_as_value]
    for header in frame.columns:
        if header in used:
            continue
        reason = V.known_unused(header)
        other = V.match_header(header, table)
        if reason is not None:
            source.ignored.append((header, f"known, not needed: {reason}"))
        elif other is not None and other.how != "fuzzy":
            chosen = decisions[other.column].source_column
            source.ignored.append((header, f"also names {other.column}; the draft uses {chosen!r}"))
        else:
            elsewhere = next(
                (
                    f"{m.table}.{m.column}"
                    for t in TABLES
                    if t != table and (m := V.match_header(header, t)) is not None and m.how != "fuzzy"
                ),
                None,
            )
            where = f" (it names {elsewhere}: map it there, e.g. by a join)" if elsewhere else ""
            source.ignored.append(
                (
                    f"TODO: column {header!r} is not mapped{where}; map it under tables.{table}.columns, "
                    f"or write its name here to leave it out",
                    "",
                )
            )
    return decisions


def _new_source(sheet: _Sheet, name: str, table: str | None) -> SourceDecision:
    nulls = [""]
    values = sheet.frame.to_numpy().ravel() if sheet.frame.size else []
    present = set(pd.unique(pd.Series(values, dtype=object))) if len(values) else set()
    nulls += [t for t in NULL_TOKENS if t in present]
    return SourceDecision(
        name=name,
        file=sheet.path.name,
        label=sheet.label,
        table=table,
        format=sheet.format,
        sheet=sheet.sheet,
        encoding=sheet.encoding if sheet.format == "csv" else None,
        delimiter=sheet.delimiter,
        null_values=nulls,
        header_row=sheet.header_row,
        rows=len(sheet.frame),
        headers=list(sheet.frame.columns),
    )


# --------------------------------------------------------------------------- rendering


def _q(text: object) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _target(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _q(value)


def _how_comment(d: ColumnDecision) -> str:
    parts = []
    if d.how == "fuzzy":
        parts.append(f"fuzzy match ({d.score:.2f}) of the header; check that it is {d.column}")
    elif d.how in ("exact", "folded"):
        parts.append(f"{d.how} match")
    if d.note:
        parts.append(d.note)
    if d.format_note:
        parts.append(d.format_note)
    return "  # " + "; ".join(parts) if parts else ""


def _render_source(name: str, s: SourceDecision, out: list[str], todos: list[tuple[str, str]]) -> None:
    out.append(f"  {name}:")
    out.append(f"    file: {_q(s.file)}")
    if s.sheet:
        out.append(f"    sheet: {_q(s.sheet)}")
    if s.encoding:
        out.append(f"    encoding: {s.encoding}")
    if s.delimiter:
        out.append(f"    delimiter: {_q(s.delimiter)}")
    if s.decimal != ".":
        out.append(f"    decimal: {_q(s.decimal)}")
    if s.null_values != [""]:
        out.append(f"    null_values: [{', '.join(_q(v) for v in s.null_values)}]")
    if s.header_row != 1:
        out.append(f"    header_row: {s.header_row}  # the lines above it are skipped")
    if s.ignored:
        out.append("    ignore_columns:  # source columns left out on purpose")
        for i, (entry, comment) in enumerate(s.ignored):
            out.append(f"      - {_q(entry)}" + (f"  # {comment}" if comment else ""))
            if entry.startswith("TODO"):
                todos.append((f"sources.{name}.ignore_columns[{i}]", entry))


def _render_column(path: str, d: ColumnDecision, out: list[str], todos: list[tuple[str, str]]) -> None:
    column = d.column
    if d.source_column is None and d.todo is None:
        out.append(f"      # {column}: no column found (optional: left out)")
        return
    if d.todo is not None:
        if d.source_column:
            out.append(f"      # candidate for {column}: {_q(d.source_column)}")
        out.append(f"      {column}: {_q(d.todo)}")
        todos.append((path, d.todo))
        return
    comment = _how_comment(d)
    if d.values is None and d.format is None:
        out.append(f"      {column}: {_q(d.source_column)}{comment}")
        return
    if d.values is None:
        out.append(f"      {column}: {{from: {_q(d.source_column)}, format: {_q(d.format)}}}{comment}")
        if d.format and d.format.startswith("TODO"):
            todos.append((f"{path}.format", d.format))
        return
    out.append(f"      {column}:{comment}")
    out.append(f"        from: {_q(d.source_column)}")
    out.append("        values:" if d.values else "        values: {}")
    for value, target in d.values.items():
        note = d.value_notes.get(value)
        out.append(f"          {_q(value)}: {_target(target)}" + (f"  # {note}" if note else ""))
        if isinstance(target, str) and target.startswith("TODO"):
            todos.append((f"{path}.values.{value}", target))
    out.append(f"        unknown: {d.unknown}")


def _render(
    sources: dict[str, SourceDecision],
    tables: dict[str, dict[str, ColumnDecision]],
    direct: dict[str, str],
    unused: list[tuple[str, str]],
    raw_dir: Path,
) -> tuple[str, list[tuple[str, str]]]:
    todos: list[tuple[str, str]] = []
    out = [
        f"# Draft mapping written by `pilot-eval map suggest --raw {raw_dir.name}`.",
        '# Each "TODO" is a decision left to you: `pilot-eval ingest --mapping` refuses this file',
        "# while any is left (exit 2, one line per TODO). The comments say how each header was",
        "# matched: exact, folded (case, å/ä/ö, punctuation ignored) or fuzzy (a guess: check it).",
        "# The format is described in docs/mapping.md.",
    ]
    for table, label in direct.items():
        out.append(f"# Read directly (a contract file, no mapping needed): {label} -> {table}")
    for label, reason in unused:
        out.append(f"# Not used: {label} ({reason})")
    out += ["mapping_version: 1", "name: draft", f"description: {_q('drafted by pilot-eval map suggest')}"]
    out.append("sources:" if sources else "sources: {}")
    for name, s in sources.items():
        _render_source(name, s, out, todos)
    out.append("tables:" if tables else "tables: {}")
    for table, decisions in tables.items():
        source = next(s for s in sources.values() if s.table == table)
        out += [f"  {table}:", f"    source: {source.name}", "    columns:"]
        for column, d in decisions.items():
            _render_column(f"tables.{table}.columns.{column}", d, out, todos)
    return "\n".join(out) + "\n", todos


# --------------------------------------------------------------------------- profiles


def _profile_path(profile: str | Path) -> Path:
    path = Path(profile)
    if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
        path = paths.MAPPINGS_DIR / f"{profile}.yaml"
    if not path.is_file():
        shipped = sorted(p.stem for p in paths.MAPPINGS_DIR.glob("*.yaml")) if paths.MAPPINGS_DIR.is_dir() else []
        raise IngestError(
            f"no such profile or mapping file (shipped profiles: {', '.join(shipped) or 'none'})", file=str(profile)
        )
    return path


def _sheets_of(source: dict, sheets: list[_Sheet]) -> list[_Sheet]:
    pattern = str(source.get("file", ""))
    hits = [s for s in sheets if fnmatch.fnmatch(s.path.name, pattern)]
    if source.get("sheet") is not None:
        return [s for s in hits if s.sheet == source["sheet"]]
    first: dict[Path, _Sheet] = {}
    for sheet in hits:
        first.setdefault(sheet.path, sheet)  # an Excel file's first visible sheet
    return list(first.values())


class _ProfileCheck:
    """A profile checked against the export: TODOs replace what the export lacks."""

    def __init__(self, data: dict, sheets: list[_Sheet]):
        self.data = data
        self.frames: dict[str, pd.DataFrame] = {}
        self.used: dict[str, set[str]] = {}
        sources = data.get("sources") or {}
        for name, source in sources.items():
            if not isinstance(source, dict):
                continue
            found = _sheets_of(source, sheets)
            self.used[name] = set()
            if not found:
                source["file"] = (
                    f"TODO: the profile expects a file matching {source.get('file')!r}; the export has none. "
                    "Which file is it?"
                )
                continue
            self.frames[name] = pd.concat([s.frame for s in found], ignore_index=True)

    def column(self, source: str, column: object, what: str) -> object:
        """``column`` if the source has it (or cannot be checked), else a TODO."""
        if not isinstance(column, str) or source not in self.frames or column.startswith("TODO"):
            return column
        self.used[source].add(column)
        if column in self.frames[source].columns:
            return column
        return f"TODO: the profile reads column {column!r} of {source} ({what}), which the export lacks; which is it?"

    def values(self, source: str, column: str, values: object, what: str) -> object:
        """The value map with a TODO entry for every export value it does not list."""
        frame = self.frames.get(source)
        if not isinstance(values, dict) or frame is None or column not in frame.columns:
            return values
        known = {fold(str(k)) for k in values}
        nulls = set((self.data.get("sources", {}).get(source) or {}).get("null_values") or [""])
        for value in _inventory(frame[column])[:ENUM_CAP]:
            if value not in nulls and fold(value) not in known:
                values[value] = f"TODO: which {what}? (in the export, not in the profile)"
                known.add(fold(value))
        return values

    def split(self, table: dict, ref: str) -> tuple[str, str]:
        """``(source, column)`` of a column reference of a table (joined columns are
        named ``<source>.<column>``)."""
        for join in table.get("join") or []:
            name = join.get("source") if isinstance(join, dict) else None
            if name and ref.startswith(f"{name}."):
                return name, ref[len(name) + 1 :]
        return table.get("source", ""), ref

    def ref(self, table: dict, ref: object, what: str) -> object:
        """A column reference of a table as written (a joined one keeps its ``<source>.``
        prefix) if the export has the column, else a TODO."""
        if not isinstance(ref, str):
            return ref
        source, column = self.split(table, ref)
        checked = self.column(source, column, what)
        return ref if checked == column else checked

    def table(self, name: str, table: dict) -> None:
        main = table.get("source", "")
        for join in table.get("join") or []:
            if isinstance(join, dict) and isinstance(join.get("on"), dict):
                join["on"] = {
                    self.ref(table, left, f"{name} join key"): self.column(
                        join.get("source", ""), right, f"{name} join key"
                    )
                    for left, right in join["on"].items()
                }
        columns = table.get("columns") or {}
        for column, spec in columns.items():
            if isinstance(spec, str):
                columns[column] = self.ref(table, spec, f"{name}.{column}")
            elif isinstance(spec, dict) and isinstance(spec.get("from"), str):
                source, ref = self.split(table, spec["from"])
                checked = self.column(source, ref, f"{name}.{column}")
                if checked != ref:
                    columns[column] = checked
                    continue
                if "values" in spec:
                    spec["values"] = self.values(source, ref, spec["values"], column)
        history = table.get("history")
        if isinstance(history, dict):
            source = history.get("source", main)
            for key in ("key", "at", "stage"):
                if key in history:
                    history[key] = self.column(source, history[key], f"{name} history {key}")
            if "on" in history:
                history["on"] = self.column(main, history["on"], f"{name} history on")
            if isinstance(history.get("stage"), str) and "values" in history:
                history["values"] = self.values(source, history["stage"], history["values"], "stage")

    def extras(self) -> None:
        """A TODO for each column the profile does not name, in the sources whose unused
        columns ingest reports (a table's own source and its joins; not a history's or an
        unused source's, as in apply_mapping)."""
        checked = set()
        for table in (self.data.get("tables") or {}).values():
            if isinstance(table, dict):
                checked.add(table.get("source"))
                checked |= {j.get("source") for j in table.get("join") or [] if isinstance(j, dict)}
        for name, frame in self.frames.items():
            if name not in checked:
                continue
            source = self.data["sources"][name]
            ignored = [c for c in source.get("ignore_columns") or [] if isinstance(c, str)]
            extra = [c for c in frame.columns if c not in self.used[name] and c not in ignored]
            if extra:
                source["ignore_columns"] = ignored + [
                    f"TODO: column {c!r} is not in the profile; map it, or write its name here to leave it out"
                    for c in extra
                ]


def _todos_of(data: object) -> list[tuple[str, str]]:
    """The draft's TODOs as ``load_mapping`` counts them, each with its path
    (``tables.applications.columns.final_status``, ``sources.x.ignore_columns[0]``)."""
    return [
        ("".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path)), text)
        for path, text in iter_todos(data)
    ]


def _yaml_loader():
    """The loader of mapping files (:func:`.load.yaml_loader`): only true/false are
    booleans (a join's ``on:`` stays "on", "yes"/"no" stay text) and ``25_34`` or ``007``
    stay text, as ``load_mapping`` reads them."""
    return yaml_loader()


def _read_profile(profile: str | Path) -> tuple[Path, dict]:
    import yaml

    path = _profile_path(profile)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_yaml_loader())  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError("not valid YAML", file=path.name, row=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise IngestError("a mapping file is a YAML mapping (mapping_version, sources, tables)", file=path.name)
    return path, data


def _reviewed_of(data: dict, sheets: list[_Sheet]) -> dict[str, set[str]]:
    """Sheet label -> the headers the profile's ``reviewed_headers`` vouch for in the
    sources that read that sheet."""
    out: dict[str, set[str]] = {}
    for source in (data.get("sources") or {}).values():
        if not isinstance(source, dict) or not isinstance(source.get("reviewed_headers"), dict):
            continue
        for sheet in _sheets_of(source, sheets):
            out.setdefault(sheet.label, set()).update(str(h) for h in source["reviewed_headers"])
    return out


def _profile_matched(data: dict, check: _ProfileCheck) -> int:
    """The profile's contract columns read from a source column the export has."""
    count = 0
    for table in (data.get("tables") or {}).values():
        if not isinstance(table, dict):
            continue
        for spec in (table.get("columns") or {}).values():
            ref = spec if isinstance(spec, str) else spec.get("from") if isinstance(spec, dict) else None
            if isinstance(ref, str) and not ref.startswith("TODO"):
                source, column = check.split(table, ref)
                if source in check.frames and column in check.frames[source].columns:
                    count += 1
    return count


def _check_profile(
    raw: Path, sheets: list[_Sheet], unused: list[tuple[str, str]], profile: str | Path, path: Path, data: dict
) -> SuggestResult:
    import yaml

    check = _ProfileCheck(data, sheets)
    for name, table in (data.get("tables") or {}).items():
        if isinstance(table, dict):
            check.table(name, table)
    check.extras()
    files = {s.path.name for name in check.frames for s in _sheets_of(data["sources"][name], sheets)}
    direct: dict[str, str] = {}
    for sheet in sheets:
        if sheet.path.name in files:
            continue
        table = _is_direct(sheet)
        if table is not None and table not in direct and table not in (data.get("tables") or {}):
            direct[table] = sheet.label  # a contract table beside the export, read as without a mapping
        else:
            unused.append((sheet.label, "the profile reads no such file"))
    todos = _todos_of(data)
    head = [
        f"# Draft mapping written by `pilot-eval map suggest --raw {raw.name} --profile {profile}`:",
        f'# the profile {path.name} checked against this export. Each "TODO" marks what the export',
        "# lacks or the profile does not know; `pilot-eval ingest --mapping` refuses this file while",
        "# any is left. The profile's own comments are in the profile file.",
    ]
    head += [f"# Read directly (a contract table, as without a mapping): {label}" for label in direct.values()]
    head += [f"# Not used: {label} ({reason})" for label, reason in unused]
    text = "\n".join(head) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    return SuggestResult(
        text, {}, {}, direct, unused, todos, profile=str(profile), profile_matched=_profile_matched(data, check)
    )


# --------------------------------------------------------------------------- entry


def suggest_mapping(raw_dir: str | Path, profile: str | Path | None = None) -> SuggestResult:
    """Draft a mapping for the export in ``raw_dir`` (see the module docstring).

    Parameters
    ----------
    raw_dir : str or path-like
        The export's directory.
    profile : str or path-like, optional
        A shipped profile's name (``teamtailor``: ``mappings/teamtailor.yaml``) or a
        mapping file to start from; the draft is then the profile checked against the
        export.

    Returns
    -------
    SuggestResult
        The draft's text and its decisions.

    Raises
    ------
    IngestError
        The directory does not exist, a file cannot be read, or a file holds a direct
        identifier (the privacy guard; the value is never quoted).
    """
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise IngestError("the raw data directory does not exist", file=raw)
    sheets, unused = _read_all(raw)
    path, data = _read_profile(profile) if profile is not None else (None, {})
    reviewed = _reviewed_of(data, sheets)  # a profile's reviewed headers pass by name, as in ingest
    for sheet in sheets:  # first: nothing below may quote a value of a refused file
        _privacy_guard(sheet, reviewed.get(sheet.label, frozenset()))
    if profile is not None:
        return _check_profile(raw, sheets, unused, profile, path, data)

    direct: dict[str, str] = {}
    candidates: list[_Sheet] = []
    for sheet in sheets:
        table = _is_direct(sheet)
        if table is not None and table not in direct:
            direct[table] = sheet.label
        else:
            candidates.append(sheet)
    # assign each table to its best-scoring sheet; sheets of one table with one header are stacked
    scored = []
    for sheet in candidates:
        scores = {t: _score(sheet, t) for t in TABLES if t not in direct}
        best = max(scores, key=lambda t: scores[t]) if scores else None
        if best is None or scores[best] < 2:
            unused.append((sheet.label, "no contract table matched its name or headers"))
            continue
        scored.append((scores[best], best, sheet))
    scored.sort(key=lambda x: (-x[0], x[2].label))
    chosen: dict[str, list[_Sheet]] = {}
    for _, table, sheet in scored:
        group = chosen.setdefault(table, [])
        same = bool(group) and list(group[0].frame.columns) == list(sheet.frame.columns)
        if not group or (same and group[0].format == sheet.format != "xlsx"):
            group.append(sheet)
        else:
            unused.append((sheet.label, f"also looks like {table}; the draft uses {group[0].label}"))
    everything = sorted(p.name for p in raw.iterdir() if p.is_file())
    sources: dict[str, SourceDecision] = {}
    tables: dict[str, dict[str, ColumnDecision]] = {}
    taken: set[str] = set()
    for table in TABLES:
        if table not in chosen:
            continue
        group = sorted(chosen[table], key=lambda s: s.label)
        first = group[0]
        if len(group) > 1:
            glob = _glob_for([s.path.name for s in group], everything)
            if glob is None:
                unused.extend((s.label, f"also {table}; no file pattern matches only these files") for s in group[1:])
                group = [first]
            else:
                stacked = pd.concat([s.frame for s in group], ignore_index=True)
                lines = [line for s in group for line in s.lines]
                first = _Sheet(
                    first.path,
                    first.label,
                    first.format,
                    stacked,
                    lines,
                    first.sheet,
                    first.encoding,
                    first.delimiter,
                    first.header_row,
                )
        name = _source_name(first, taken) if len(group) == 1 else _source_name(_Stem(table), taken)
        source = _new_source(first, name, table)
        if len(group) > 1:
            source.file = glob  # type: ignore[assignment]
        sources[source.name] = source
        tables[table] = _decide_table(first, source, table)
    text, todos = _render(sources, tables, direct, unused, raw)
    return SuggestResult(text, sources, tables, direct, unused, todos)
