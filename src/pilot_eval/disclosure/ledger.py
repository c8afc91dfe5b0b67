"""One disclosure ledger per report: every published table and every count printed in a
sentence, audited together (see "Across a report: the ledger" in
:mod:`pilot_eval.disclosure`).

A reader of a whole report can combine its tables and sentences: a rate withheld for a
small denominator while its numerator and denominator are shown gives den − num, a count
of 1–4; a total on one page minus the shown parts on another gives a "<5" cell back; a
sentence prints a total whose parts another page hides. :class:`Ledger` collects what a
report publishes, and :meth:`Ledger.audit` treats all of it as one system of linear
relations between *quantities*, attacks it as such a reader would (the linear programs of
:class:`~pilot_eval.disclosure.audit._Audit`), and withholds more cells, everywhere each
appears, until no quantity is exposed.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contract as C
from .audit import _Audit
from .rules import (
    _NO_IMPLIED_COUNT,
    _RATE_DEFAULTS,
    _SURVIVAL_SHARE,
    TOTAL_MARKERS,
    Thresholds,
    _as_float,
    _classify,
    _describe_row,
    _markers,
    _missing,
)
from .secondary import _dimensions, _relations
from .table import ProtectedTable

__all__ = ["Ledger", "LedgerAudit", "TableEntry", "NumberEntry"]

_TOL = 1e-6
#: Rounds of withholding before the audit gives up (each round withholds at least one
#: more cell or gives one up, so a report never needs nearly this many).
_MAX_ROUNDS = 500
_PAGE_NAME = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*")
#: The format of the files :meth:`Ledger.save` writes.
_FORMAT = 1


# --------------------------------------------------------------------------- entries


@dataclass
class TableEntry:
    """A published table (or chart) of a page: the protected table as it was registered,
    which columns are which measure, and its population (``scope``)."""

    id: str
    page: str
    name: str
    table: ProtectedTable
    measures: dict[str, str] = field(default_factory=dict)
    scope: str = ""
    shown: str = "table"


@dataclass
class NumberEntry:
    """A count printed inside a sentence of a page."""

    id: str
    page: str
    name: str
    value: float
    measure: str
    groups: dict = field(default_factory=dict)
    scope: str = ""


class Ledger:
    """Every figure a report publishes, registered as it is published, for one audit.

    Examples
    --------
    Page A shows offers by status with the pending ones as "<5"; page B the total number
    of offers. Together they give the pending offers back (517 − 341 − 147 − 13 − 12 = 4),
    so the audit withholds one more status on page A:

    >>> from pilot_eval.disclosure import protect
    >>> a = pd.DataFrame({"status": ["accepted", "declined", "withdrawn", "expired", "pending"],
    ...                   "n": [341, 147, 13, 12, 4]})
    >>> ledger = Ledger()
    >>> ta = ledger.add_table("a", protect(a, totals=None), name="offers", measures={"n": "n_offers"})
    >>> tb = ledger.add_table("b", protect(pd.DataFrame({"n_offers": [517]})), name="total")
    >>> result = ledger.audit()
    >>> result.tables[ta].flags["n"].tolist()
    ['', '', '', 'secondary', 'small_count']
    >>> sorted(result.changed), result.unprotected
    (['a/t0'], [])
    """

    def __init__(self) -> None:
        self.entries: list[TableEntry | NumberEntry] = []
        # (folder, entry id) → the frames' file records this ledger wrote there: a table does
        # not change once registered, so a page saved after each registration writes only
        # the new table's files (and its index)
        self._written: dict[tuple[str, str], dict] = {}

    # ----------------------------------------------------------------- registering

    def _new_id(self, page: str, kind: str) -> str:
        if not isinstance(page, str) or not _PAGE_NAME.fullmatch(page):
            raise ValueError(f"page name {page!r}: letters, digits, '_', '-' and '.' (not first) only: it names a file")
        ids = {e.id for e in self.entries}
        k = sum(1 for e in self.entries if e.id.startswith(f"{page}/{kind}"))
        while f"{page}/{kind}{k}" in ids:
            k += 1
        return f"{page}/{kind}{k}"

    def add_table(
        self,
        page: str,
        table: ProtectedTable,
        *,
        name: str | None = None,
        measures: dict[str, str] | None = None,
        scope: str = "",
        shown: str = "table",
    ) -> str:
        """Register a protected table of ``page``; returns its id (``"<page>/t<k>"``).

        ``measures`` maps a count column to the measure it is, so that ``n`` of an offers
        table and ``n_offers`` of another are one quantity (default: the column name);
        ``scope`` separates populations (a window, a cohort) whose figures are never the
        same quantity; ``shown`` is ``"table"`` or ``"chart"``."""
        if not isinstance(table, ProtectedTable):
            raise TypeError(f"add_table needs a ProtectedTable, not {type(table).__name__}")
        if table.source is None:
            raise ValueError("add_table needs a table made by protect() or protect_check_outcomes() (it has no source)")
        if shown not in ("table", "chart"):
            raise ValueError(f"shown must be 'table' or 'chart', not {shown!r}")
        measures = {str(k): str(v) for k, v in (measures or {}).items()}
        unknown = sorted(set(measures) - {str(c) for c in table.values.columns})
        if unknown:
            raise ValueError(f"measures names columns the table does not have: {', '.join(unknown)}")
        entry_id = self._new_id(page, "t")
        self.entries.append(TableEntry(entry_id, page, name or entry_id, table, measures, str(scope), shown))
        return entry_id

    def add_number(
        self,
        page: str,
        value: float,
        *,
        measure: str,
        groups: dict | None = None,
        scope: str = "",
        name: str | None = None,
    ) -> str:
        """Register a count printed in a sentence of ``page`` (the quantity ``measure``
        for ``groups``, e.g. ``{"administration": "SOF"}``; none: the whole population);
        returns its id (``"<page>/n<k>"``). :attr:`LedgerAudit.numbers` says whether it
        may be printed."""
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"add_number needs a finite number, not {value!r}")
        entry_id = self._new_id(page, "n")
        self.entries.append(NumberEntry(entry_id, page, name or entry_id, v, str(measure), dict(groups or {}), scope))
        return entry_id

    # ----------------------------------------------------------------- files

    def save(self, folder, page: str) -> Path:
        """Write this page's entries: ``folder/<page>.json`` and parquet files under
        ``folder/<page>/`` (the tables' sources hold true values: the working folder's
        material, never published). Pages are written one by one, so that notebooks
        running at once each write their own."""
        folder = Path(folder)
        page_dir = folder / page
        page_dir.mkdir(parents=True, exist_ok=True)
        records = []
        for entry in self.entries:
            if entry.page != page:
                continue
            if isinstance(entry, NumberEntry):
                records.append({"kind": "number", **asdict(entry)})
                continue
            stem = entry.id.split("/", 1)[1]
            t = entry.table
            key = (str(folder.resolve()), entry.id)
            frames = self._written.get(key)
            if frames is None or not all((page_dir / f["file"]).is_file() for f in frames.values()):
                frames = {}
                for part, frame in (("source", t.source), ("values", t.values), ("flags", t.flags)):
                    file = page_dir / f"{stem}.{part}.parquet"
                    frames[part] = {"file": file.name, **_write_frame(frame, file)}
                self._written[key] = frames
            records.append(
                {
                    "kind": "table",
                    "id": entry.id,
                    "page": entry.page,
                    "name": entry.name,
                    "measures": entry.measures,
                    "scope": entry.scope,
                    "shown": entry.shown,
                    "method": t.method,
                    "options": t.options,
                    "withheld_extra": [list(c) for c in t.withheld_extra],
                    "group_columns": list(t.group_columns),
                    "column_kinds": dict(t.column_kinds),
                    "notes": list(t.notes),
                    "thresholds": asdict(t.thresholds),
                    "frames": frames,
                }
            )
        path = folder / f"{page}.json"
        data = {"ledger": _FORMAT, "page": page, "entries": records}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder) -> Ledger:
        """All pages' entries in ``folder`` (as :meth:`save` wrote them), in page-name
        order, their ids kept."""
        folder = Path(folder)
        ledger = cls()
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("ledger") != _FORMAT:
                continue  # not a page of the ledger (the audit's own JSON, say)
            page_dir = folder / data["page"]
            for rec in data["entries"]:
                if rec["kind"] == "number":
                    ledger.entries.append(NumberEntry(**{k: v for k, v in rec.items() if k != "kind"}))
                    continue
                frames = {part: _read_frame(page_dir / spec["file"], spec) for part, spec in rec["frames"].items()}
                table = ProtectedTable(
                    values=frames["values"],
                    flags=frames["flags"],
                    group_columns=rec["group_columns"],
                    notes=rec["notes"],
                    column_kinds=rec["column_kinds"],
                    thresholds=Thresholds(**rec["thresholds"]),
                    source=frames["source"],
                    options=rec["options"],
                    method=rec["method"],
                    withheld_extra=tuple((int(i), str(c)) for i, c in rec["withheld_extra"]),
                )
                ledger.entries.append(
                    TableEntry(rec["id"], rec["page"], rec["name"], table, rec["measures"], rec["scope"], rec["shown"])
                )
        return ledger

    # ----------------------------------------------------------------- the audit

    def audit(self, *, assume_margins: bool = True) -> LedgerAudit:
        """Audit every entry together and withhold more where they expose a cell: see
        "Across a report: the ledger" in :mod:`pilot_eval.disclosure`.

        ``assume_margins`` (default True): a line of a table protected with
        ``totals="auto"`` whose margin is no figure of the report is closed by that margin
        as published elsewhere (a constant), as :func:`protect` assumes, so that the cells
        protect could not protect from within the table (four "<5" cells whose margin is
        "<5") are unprotected here too. False: only the report's own figures count (such a
        margin is a quantity nobody publishes)."""
        return _LedgerRun(self.entries, assume_margins=assume_margins).run()


@dataclass
class LedgerAudit:
    """The result of :meth:`Ledger.audit`.

    Attributes
    ----------
    tables : dict
        Entry id → the table to publish (protected again where the audit withheld more).
    numbers : dict
        Entry id → ``""`` (print the number) or the reason it is withheld
        (``"small_count"``: a count of 1–4; ``"secondary"``: it would give a withheld
        figure back). A withheld number is said in words ("färre än 5", "uppgiften
        redovisas inte").
    changed : set of str
        Ids whose shown cells changed (tables with more withheld cells, withheld numbers).
    notes : list of str
        For the analyst (English): what was withheld across tables and why, each naming
        page, table, column and row.
    unprotected : list of str
        Cells that no further withholding could protect: the report must not be published.
    cells, published : int
        Figure cells of all entries (not those missing in the input; numbers count one
        each) and how many of them are shown.
    """

    tables: dict[str, ProtectedTable]
    numbers: dict[str, str]
    changed: set[str]
    notes: list[str]
    unprotected: list[str]
    cells: int
    published: int
    thresholds: Thresholds = field(default_factory=Thresholds)
    entries: list = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        """The audit for the working folder's ``disclosure_audit.json``: where cells are
        withheld and why, the notes and the unprotected cells, never the true value of a
        withheld cell (a number's value only where it is printed)."""
        tables = {}
        numbers_out = {}
        for entry in self.entries:
            if isinstance(entry, NumberEntry):
                reason = self.numbers.get(entry.id, "")
                numbers_out[entry.id] = {
                    "page": entry.page,
                    "name": entry.name,
                    "measure": entry.measure,
                    "reason": reason,
                    "value": entry.value if reason == "" else None,
                }
                continue
            t = self.tables[entry.id]
            flags = t.flags.reset_index(drop=True)
            withheld = [
                [int(i), str(c), str(flags.at[i, c])]
                for c in flags.columns
                for i in np.flatnonzero((flags[c] != "").to_numpy()).tolist()
            ]
            tables[entry.id] = {"page": entry.page, "name": entry.name, "shown": entry.shown, "withheld": withheld}
        return {
            "thresholds": asdict(self.thresholds),
            "cells": self.cells,
            "published": self.published,
            "changed": sorted(self.changed),
            "unprotected": list(self.unprotected),
            "notes": list(self.notes),
            "tables": tables,
            "numbers": numbers_out,
        }


# --------------------------------------------------------------------------- quantities


def _norm(v: object):
    """A group value as a key: missing values None, whole numbers int (2025 and 2025.0 are
    one year), other numbers float, everything else its string."""
    if _missing(v):
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        f = float(v)
        return int(f) if f.is_integer() else f
    return str(v)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


@dataclass
class _Quantity:
    key: tuple  # (scope, measure, groups)
    value: float
    derived: str = ""  # "" for a published figure; else what it is ("complement", "margin", "implied")
    where: str = ""  # for a derived quantity: the cells it comes from, in words
    appearances: list = field(default_factory=list)  # (entry index, row, column); row None for a number


class _Registry:
    """The quantities: one per (scope, measure, groups) and true value."""

    def __init__(self) -> None:
        self.items: list[_Quantity] = []
        self.by_key: dict[tuple, list[int]] = defaultdict(list)

    def find(self, key: tuple, value: float) -> int | None:
        for q in self.by_key.get(key, ()):
            if _same(self.items[q].value, value):
                return q
        return None

    def get(self, key: tuple, value: float, derived: str = "", where: str = "") -> int:
        q = self.find(key, value)
        if q is None:
            q = len(self.items)
            self.items.append(_Quantity(key, float(value), derived, where))
            self.by_key[key].append(q)
        return q


def _key_text(key: tuple) -> str:
    scope, measure, groups = key
    where = ", ".join(f"{g}={v!r}" for g, v in groups) or "all"
    return f"{measure} ({where}{', scope ' + repr(scope) if scope else ''})"


# --------------------------------------------------------------------------- one table


@dataclass
class _Relation:
    coefs: dict[int, float]
    lo: float
    hi: float


@dataclass
class _RateRow:
    """A rate of a row and the quantities it links: while the rate is shown, ``num = rate ×
    den`` (or the implied count and its complement are rate × den and (1 − rate) × den)."""

    column: str
    row: int
    rate: float
    num: int | None
    den: list[int]
    implied: int | None
    rest: int | None


@dataclass
class _TableStructure:
    frame: pd.DataFrame
    group: list[str]
    counts: list[str]
    check: bool
    qid: dict[str, np.ndarray]  # count column -> quantity per row (-1: missing)
    relations: list[_Relation]
    rates: list[_RateRow]
    given_back: set[int]
    closing: set[int]
    pending: tuple | None = None  # what the relations are made from, until they are


def _frame_of(table: ProtectedTable) -> tuple[pd.DataFrame, list[str], list[str], dict]:
    """The table's true values as protect saw them, its group and count columns and the
    rates' (numerator, denominator)."""
    src = table.source
    opts = table.options
    if table.method == "check_outcomes":
        frame = src.copy()
        frame.columns = [str(c) for c in frame.columns]
        frame = frame[[c for c in table.values.columns]]
        return frame, list(table.group_columns), [opts.get("count_column", "n")], {}
    cols = _classify(src, opts.get("group_columns"), opts.get("counts"), opts.get("rates"), opts.get("durations"))
    frame = src.drop(columns=cols.dropped)
    frame.columns = [str(c) for c in frame.columns]
    return frame, list(cols.group), list(cols.counts), dict(cols.rates)


class _Builder:
    """Turns one table into quantities and relations between them."""

    def __init__(self, reg: _Registry, thresholds: Thresholds, notes: list[str], assume_margins: bool = True) -> None:
        self.reg = reg
        self.t = thresholds
        self.notes = notes
        self.collisions: set[tuple] = set()
        self.assume_margins = assume_margins

    def register(self, key: tuple, value: float, where: tuple) -> int:
        if key in self.reg.by_key and self.reg.find(key, value) is None and key not in self.collisions:
            self.collisions.add(key)
            self.notes.append(
                f"{_key_text(key)} has different values in different entries: treated as different "
                f"populations (give them different scopes, or check that the measures agree)"
            )
        q = self.reg.get(key, value)
        self.reg.items[q].appearances.append(where)
        return q

    def table(self, k: int, entry: TableEntry) -> _TableStructure:
        t = entry.table
        frame, group, counts, rates = _frame_of(t)
        markers, auto = _markers(t.options.get("totals", "auto"))
        check = t.method == "check_outcomes"
        n = len(frame)
        codes, is_total = {}, {}
        for g in group:
            codes[g], uniques = pd.factorize(frame[g].astype(object), use_na_sentinel=False)
            marked = np.array([(not _missing(v)) and C.fold(str(v)) in markers for v in uniques], dtype=bool)
            is_total[g] = marked[codes[g]] if len(marked) else np.zeros(n, dtype=bool)
        raw_groups = {g: frame[g].astype(object).tolist() for g in group}
        groups = [tuple(sorted((g, _norm(raw_groups[g][i])) for g in group if not is_total[g][i])) for i in range(n)]
        measure = {c: entry.measures.get(c, c) for c in frame.columns}
        scope = entry.scope
        values = {c: _as_float(frame[c]) for c in counts}
        qid: dict[str, np.ndarray] = {}
        for c in counts:
            ids = np.full(n, -1, dtype=np.int64)
            for i in range(n):
                v = values[c][i]
                if not np.isnan(v):
                    ids[i] = self.register((scope, measure[c], groups[i]), float(v), (k, i, c))
            qid[c] = ids
        s = _TableStructure(frame, group, counts, check, qid, [], [], set(), set())
        s.pending = (codes, is_total, groups, values, measure, auto and not check and self.assume_margins, rates)
        return s

    def relations(self, s: _TableStructure, entry: TableEntry) -> None:
        """The relations of a table, once every published figure is registered."""
        codes, is_total, groups, values, measure, auto, rates = s.pending
        s.pending = None
        self._group_relations(s, entry, codes, is_total, groups, values, measure, auto)
        if not s.check:
            self._row_relations(s, entry.table.options.get("row_totals", "auto"), values)
            self._rate_rows(s, entry, rates, values, groups, measure)

    def _where(self, s: _TableStructure, entry: TableEntry, i: int) -> str:
        return f"{_describe_row(s.frame, s.group, i)} of table {entry.name!r} on page {entry.page!r}"

    def _sum_relation(self, s: _TableStructure, parts: list[int], total: int, values: list[float], tot: float) -> None:
        """parts add up to total (as protect's audit reads a closing cell: exactly, within
        rounding, or at most)."""
        gap = sum(values) - tot
        coefs: dict[int, float] = defaultdict(float)
        for q in parts:
            coefs[q] += 1.0
        coefs[total] -= 1.0
        s.closing.add(total)
        if abs(gap) <= _TOL * max(1.0, abs(tot)):
            s.relations.append(_Relation(dict(coefs), 0.0, 0.0))
        elif abs(gap) <= 0.5 + 1e-9:
            s.relations.append(_Relation(dict(coefs), -0.5, 0.5))
        elif gap < 0:
            s.relations.append(_Relation(dict(coefs), -np.inf, 0.0))

    def _group_relations(self, s, entry, codes, is_total, groups, values, measure, auto: bool) -> None:
        """Along each dimension, for every combination of the other group columns: the
        cells add up to their margin, which is a registered quantity (published elsewhere,
        or a total row of the table) where one has the same key and value, else a total
        row of the table as protect reads it, else (``totals="auto"``) a margin assumed
        published (a constant, as protect assumes), else a derived quantity that nobody
        publishes (it links tables that share it)."""
        group, frame = s.group, s.frame
        if not group or len(frame) == 0:
            return
        mc = self.t.min_count
        for dim in _dimensions(codes, group):
            others = [g for g in group if g not in dim]
            total = np.zeros(len(frame), dtype=bool)
            for g in dim:
                total |= is_total[g]
            key_rows: dict[tuple, tuple[list[int], list[int]]] = {}
            for i in range(len(frame)):
                bucket = tuple(int(codes[g][i]) for g in others)
                parts, closing = key_rows.setdefault(bucket, ([], []))
                (closing if total[i] else parts).append(i)
            for parts_rows, closing_rows in key_rows.values():
                if not parts_rows:
                    continue
                margin_groups = tuple(p for p in groups[parts_rows[0]] if p[0] not in dim)
                for c in s.counts:
                    rows = [i for i in parts_rows if s.qid[c][i] >= 0]
                    if not rows:
                        continue
                    parts = [int(s.qid[c][i]) for i in rows]
                    vals = [float(values[c][i]) for i in rows]
                    total_value = float(sum(vals))
                    key = (entry.scope, measure[c], margin_groups)
                    margin = self.reg.find(key, total_value)
                    closing = [i for i in closing_rows if s.qid[c][i] >= 0]
                    if margin is not None and margin not in parts:
                        self._sum_relation(s, parts, margin, vals, total_value)
                    elif closing:
                        for i in closing:
                            self._sum_relation(s, parts, int(s.qid[c][i]), vals, float(values[c][i]))
                    elif len(parts) < 2:
                        continue
                    elif auto:
                        nonzero = [q for q, v in zip(parts, vals, strict=True) if v != 0]
                        if not nonzero:
                            continue
                        if len(nonzero) == 1 and abs(total_value) >= mc:
                            s.given_back.add(nonzero[0])  # the margin published elsewhere is this cell
                            continue
                        coefs = {q: 1.0 for q in parts}
                        if 0 < total_value < mc:
                            s.relations.append(_Relation(coefs, min(1.0, total_value), max(mc - 1.0, total_value)))
                        else:
                            s.relations.append(_Relation(coefs, total_value, total_value))
                    else:
                        where = f"the sum of {measure[c]} over {'/'.join(dim)} at {self._where(s, entry, rows[0])}"
                        m = self.reg.get(key, total_value, "margin", where)
                        self._sum_relation(s, parts, m, vals, total_value)

    def _row_relations(self, s: _TableStructure, row_totals, values) -> None:
        """Within every row, a count that is the sum of others (protect's row totals)."""
        try:
            relations = _relations(s.frame, s.counts, row_totals)
        except ValueError:
            return
        for total, parts in relations:
            if total not in s.qid or any(p not in s.qid for p in parts):
                continue
            for i in range(len(s.frame)):
                ids = [int(s.qid[p][i]) for p in parts]
                t_id = int(s.qid[total][i])
                if t_id < 0 or min(ids) < 0:
                    continue
                self._sum_relation(s, ids, t_id, [float(values[p][i]) for p in parts], float(values[total][i]))

    def _rate_rows(self, s: _TableStructure, entry: TableEntry, rates: dict, values, groups, measure) -> None:
        """Numerator and denominator of every rate: den = num + complement (a derived
        quantity nobody publishes); and, while a rate is shown, num = rate × den, or for a
        rate without a numerator column (and a Kaplan–Meier share) the implied count rate ×
        den (and, for a share, its complement (1 − rate) × den)."""
        kinds = entry.table.column_kinds
        wrong: set[str] = set()
        for rate, (num, den) in rates.items():
            if _NO_IMPLIED_COUNT.search(rate) or any(d not in s.qid for d in den):
                continue
            percent = kinds.get(rate) == "percent"
            survival = bool(_SURVIVAL_SHARE.fullmatch(rate))
            has_num = num is not None and num in s.qid and not survival
            rate_value = _as_float(s.frame[rate])
            den_name = "+".join(measure[d] for d in den)
            for i in range(len(s.frame)):
                den_ids = [int(s.qid[d][i]) for d in den]
                if min(den_ids) < 0:
                    continue
                den_value = float(sum(values[d][i] for d in den))
                where = self._where(s, entry, i)
                num_id = int(s.qid[num][i]) if has_num else -1
                if has_num and num_id >= 0 and percent and num not in den:
                    rest_value = den_value - float(values[num][i])
                    if rest_value >= -_TOL:
                        q = self.reg.get(
                            (entry.scope, f"{den_name}-{measure[num]}", groups[i]),
                            rest_value,
                            "complement",
                            f"{den_name} − {measure[num]} at {where}",
                        )
                        coefs: dict[int, float] = defaultdict(float)
                        for d in den_ids:
                            coefs[d] += 1.0
                        coefs[num_id] -= 1.0
                        coefs[q] -= 1.0
                        s.relations.append(_Relation(dict(coefs), 0.0, 0.0))
                r = float(rate_value[i])
                if not math.isfinite(r):
                    continue
                if num_id >= 0 and not _same(float(values[num][i]), r * den_value):
                    # not numerator ÷ denominator in the data: a relation a reader cannot use
                    # (the table's rates= would say what it is)
                    if rate not in wrong:
                        wrong.add(rate)
                        self.notes.append(
                            f"{rate} of table {entry.name!r} on page {entry.page!r} is not {measure[num]} ÷ "
                            f"{den_name} in every row: those rows' rate is left out of the audit (pass rates= "
                            f"to protect() if it has another numerator or denominator)"
                        )
                    num_id = -1
                    if not survival and num is not None:
                        continue
                implied = rest = None
                if not has_num:
                    # the count rate × den is the numerator's measure where the rate has a
                    # known one (late_withdrawal_rate: n_withdrawn_late), shown elsewhere perhaps
                    num_name = None if survival else _numerator_name(rate)
                    implied = self.reg.get(
                        (entry.scope, num_name or f"{rate}*({den_name})", groups[i]),
                        r * den_value,
                        "implied",
                        f"{rate} × {den_name} at {where}",
                    )
                    if percent and not survival:
                        rest = self.reg.get(
                            (entry.scope, f"(1-{rate})*({den_name})", groups[i]),
                            (1.0 - r) * den_value,
                            "complement",
                            f"(1 − {rate}) × {den_name} at {where}",
                        )
                s.rates.append(_RateRow(rate, i, r, num_id if num_id >= 0 else None, den_ids, implied, rest))


def _numerator_name(rate: str) -> str | None:
    """The count a rate is of, by the measures' names (None if the name does not say)."""
    if rate in _RATE_DEFAULTS:
        return _RATE_DEFAULTS[rate][0]
    stem = re.sub(r"(_rate$|^share_|_per_.*$)", "", rate)
    return f"n_{stem}" if stem != rate and stem else None


def _flag_arrays(table: ProtectedTable) -> dict[str, list[str]]:
    return {str(c): table.flags[c].tolist() for c in table.flags.columns}


def _number_key(entry: NumberEntry) -> tuple:
    markers = {C.fold(m) for m in TOTAL_MARKERS}
    groups = tuple(
        sorted((str(g), _norm(v)) for g, v in entry.groups.items() if _missing(v) or C.fold(str(v)) not in markers)
    )
    return (entry.scope, entry.measure, groups)


# --------------------------------------------------------------------------- the audit


class _LedgerRun:
    """One audit of a ledger: the quantities and relations, then rounds of the attacker's
    programs and of withholding, to a fixed point."""

    def __init__(self, entries: list, *, assume_margins: bool = True) -> None:
        self.entries = list(entries)
        tables = [e.table for e in self.entries if isinstance(e, TableEntry)]
        base = Thresholds()
        if tables:
            base = Thresholds(
                min_count=max(t.thresholds.min_count for t in tables),
                min_denominator=max(t.thresholds.min_denominator for t in tables),
                min_duration_n=max(t.thresholds.min_duration_n for t in tables),
                min_check_total=max(t.thresholds.min_check_total for t in tables),
                min_check_category=max(t.thresholds.min_check_category for t in tables),
                protection_width=max(t.thresholds.protection_width for t in tables),
            )
        self.thresholds = base
        self.notes: list[str] = []
        self.reg = _Registry()
        self.current: dict[int, ProtectedTable] = {}
        self.flag_arrays: dict[int, dict[str, list[str]]] = {}  # of the current tables, by column
        self.seen: tuple[np.ndarray, np.ndarray] | None = None  # values the programs reached
        self.number_reason: dict[int, str] = {}
        self.struct: dict[int, _TableStructure] = {}
        builder = _Builder(self.reg, base, self.notes, assume_margins)
        # published figures first, so that margins and derived quantities find them
        for k, e in enumerate(self.entries):
            if isinstance(e, NumberEntry):
                builder.register(_number_key(e), e.value, (k, None, None))
                self.number_reason[k] = ""
        for k, e in enumerate(self.entries):
            if isinstance(e, TableEntry):
                self.current[k] = e.table
                self.flag_arrays[k] = _flag_arrays(e.table)
                self.struct[k] = builder.table(k, e)
        for k, s in self.struct.items():
            builder.relations(s, self.entries[k])
        self.given_back = set().union(*(s.given_back for s in self.struct.values())) if self.struct else set()
        self.closing = set().union(*(s.closing for s in self.struct.values())) if self.struct else set()
        self.val = np.array([q.value for q in self.reg.items], dtype=float)

    # ----------------------------------------------------------------- words

    def describe(self, q: int) -> str:
        """Where a quantity is, in words (each appearance: page, table, column, row)."""
        item = self.reg.items[q]
        if item.derived:
            return item.where
        places = []
        for k, i, c in item.appearances:
            e = self.entries[k]
            if i is None:
                places.append(f"the number {e.name!r} ({e.measure}) on page {e.page!r}")
            else:
                s = self.struct[k]
                places.append(f"{c} at {_describe_row(s.frame, s.group, i)} of table {e.name!r} on page {e.page!r}")
        return "; ".join(places)

    # ----------------------------------------------------------------- state

    def _appearance_bounds(self, k: int, i: int | None, c: str | None) -> tuple[float, float] | None:
        """The bounds a reader knows for one appearance (None: shown)."""
        t = self.thresholds
        if i is None:
            reason = self.number_reason[k]
            if not reason:
                return None
            return (1.0, t.min_count - 1.0) if reason == "small_count" else (float(t.min_count), np.inf)
        flag = self.flag_arrays[k][c][i]
        if not flag:
            return None
        if flag == "small_count":
            return 1.0, t.min_count - 1.0
        if self.struct[k].check:
            return (float(t.min_check_category), np.inf) if flag == "secondary" else (0.0, np.inf)
        return float(t.min_count), np.inf

    def _status(self):
        """Per quantity: shown, its bounds if withheld, and whether it is a "<5" cell."""
        n = len(self.reg.items)
        shown = np.zeros(n, dtype=bool)
        lb = np.zeros(n)
        ub = np.full(n, np.inf)
        small = np.zeros(n, dtype=bool)
        mixed = []
        for q, item in enumerate(self.reg.items):
            if item.derived:
                continue
            bounds = [self._appearance_bounds(k, i, c) for k, i, c in item.appearances]
            hidden = [b for b in bounds if b is not None]
            if len(hidden) < len(bounds):
                shown[q] = True
                if hidden:
                    mixed.append(q)
                lb[q] = float(self.thresholds.min_count)  # if it were withheld
                continue
            lb[q] = max(b[0] for b in hidden)
            ub[q] = min(b[1] for b in hidden)
            small[q] = ub[q] <= self.thresholds.min_count - 1.0
        return shown, lb, ub, small, mixed

    def _withhold(self, quantities: Iterable[int], why: dict[int, str]) -> set[int]:
        """Withhold the quantities everywhere they are shown: every table is protected
        again with them, every number gets reason "secondary". Returns those it could
        not withhold anywhere."""
        per_table: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for q in quantities:
            for k, i, c in self.reg.items[q].appearances:
                if i is None:
                    if not self.number_reason[k]:
                        self.number_reason[k] = "secondary"
                        e = self.entries[k]
                        self.notes.append(
                            f"the number {e.name!r} ({e.measure}) on page {e.page!r} is withheld (secondary): {why[q]}"
                        )
                elif not self.flag_arrays[k][c][i] and self.reg.items[q].value != 0:
                    # (a zero is never withheld in a table: a reader would know it anyway)
                    per_table[k].append((i, c))
                    e = self.entries[k]
                    s = self.struct[k]
                    self.notes.append(
                        f"{c} at {_describe_row(s.frame, s.group, i)} of table {e.name!r} on page {e.page!r} "
                        f"withheld (secondary): {why[q]}"
                    )
        for k, cells in per_table.items():
            # without protect's own audit: this audit covers the table's lines too; and with
            # the count cells it withheld before (the greedy rule, starting elsewhere, could
            # otherwise show one again), so that every round only relaxes what a reader knows
            s = self.struct[k]
            before = [
                (i, c)
                for c in s.counts
                for i, f in enumerate(self.flag_arrays[k][c])
                if f == "secondary" and (i, c) not in self.current[k].withheld_extra
            ]
            self.current[k] = self.current[k].reprotect(before + cells, audit=False)
            self.flag_arrays[k] = _flag_arrays(self.current[k])
        shown, *_ = self._status()
        return {q for q in quantities if shown[q]}

    def _consistent(self) -> None:
        """A figure withheld in one entry is withheld in every entry that shows it."""
        for _ in range(_MAX_ROUNDS):
            *_, mixed = self._status()
            if not mixed:
                return
            why = {}
            for q in mixed:
                hidden_in = [
                    self.describe_one(k, i, c)
                    for k, i, c in self.reg.items[q].appearances
                    if self._appearance_bounds(k, i, c) is not None
                ]
                why[q] = f"the same figure is withheld as {hidden_in[0]}"
            left = self._withhold(mixed, why)
            if left == set(mixed):
                return

    def describe_one(self, k: int, i: int | None, c: str | None) -> str:
        e = self.entries[k]
        if i is None:
            return f"the number {e.name!r} on page {e.page!r}"
        s = self.struct[k]
        return f"{c} at {_describe_row(s.frame, s.group, i)} of table {e.name!r} on page {e.page!r}"

    def _system(self):
        """The relations of this round as a sparse matrix over all quantities."""
        from scipy import sparse

        rows, cols, coefs, lo, hi = [], [], [], [], []
        r = 0

        def add(rel_coefs: dict[int, float], low: float, high: float) -> None:
            nonlocal r
            for q, a in rel_coefs.items():
                if a != 0:
                    rows.append(r)
                    cols.append(q)
                    coefs.append(a)
            lo.append(low)
            hi.append(high)
            r += 1

        for k, s in self.struct.items():
            for rel in s.relations:
                add(rel.coefs, rel.lo, rel.hi)
            flags = self.flag_arrays[k]
            for rr in s.rates:
                if flags[rr.column][rr.row]:
                    continue  # a withheld rate says nothing
                if rr.num is not None:
                    c = defaultdict(float)
                    c[rr.num] += 1.0
                    for d in rr.den:
                        c[d] -= rr.rate
                    add(dict(c), 0.0, 0.0)
                for q, share in ((rr.implied, rr.rate), (rr.rest, 1.0 - rr.rate)):
                    if q is not None:
                        c = defaultdict(float)
                        c[q] += 1.0
                        for d in rr.den:
                            c[d] -= share
                        add(dict(c), 0.0, 0.0)
        n = len(self.reg.items)
        E = sparse.csr_matrix(
            (np.array(coefs, dtype=float), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(r, n),
        )
        return E, np.array(lo, dtype=float), np.array(hi, dtype=float)

    # ----------------------------------------------------------------- rounds

    def run(self) -> LedgerAudit:
        t = self.thresholds
        mc = float(t.min_count)
        for k, e in enumerate(self.entries):
            if isinstance(e, NumberEntry) and 0 < abs(e.value) < mc:
                self.number_reason[k] = "small_count"
                self.notes.append(
                    f"the number {e.name!r} ({e.measure}) on page {e.page!r} is withheld (small_count): "
                    f"a count of 1–{t.min_count - 1}"
                )
        self._consistent()
        stuck: set[int] = set()
        for _ in range(_MAX_ROUNDS):
            audit, hidden, inside_lo = self._audit_now()
            bad = audit.violations(hidden, hidden, stuck)
            if not bad:
                break
            chosen: dict[int, str] = {}
            # one repair per constraint and round, as _audit_lines does
            for cell, cand in audit.repairs(bad, hidden, hidden, stuck, hide=False):
                what = (
                    f"inside 1–{t.min_count - 1}"
                    if np.isfinite(inside_lo[cell])
                    else f"to a range narrower than {max(1.0, float(t.protection_width)):g}"
                )
                chosen.setdefault(
                    cand, f"with it published, the report's other figures narrow {self.describe(cell)} down {what}"
                )
            if not chosen:
                continue  # all given up on this round: the next round audits without them
            # a figure that could not be withheld anywhere counts as published from now on
            self.given_back |= self._withhold(chosen, chosen)
            self._consistent()
        audit, hidden, _ = self._audit_now()
        still = [cell for _w, cell, _r, _c in audit.violations(hidden, hidden, set())]
        return self._result(sorted(set(still)))

    def _audit_now(self) -> tuple[_Audit, np.ndarray, np.ndarray]:
        """The attacker's programs over the figures as they are now published."""
        t = self.thresholds
        mc = float(t.min_count)
        shown, lb, ub, small, _mixed = self._status()
        derived = np.array([bool(q.derived) for q in self.reg.items], dtype=bool)
        hidden = ~shown | derived
        tiny = (self.val >= 1.0 - _TOL) & (self.val <= mc - 1.0 + _TOL)
        # a figure not shown as "<5" whose true value is 1–4 must not be narrowed to inside 1–4;
        # a quantity nobody publishes (a complement, a margin) whose true value is 1–4 must not
        # be pinned, as a "<5" cell: that it lies within 1–4 tells no more than a "<5" would,
        # and a margin of "<5" cells and zeros always does
        inside_lo = np.where(~small & ~derived & tiny, 1.0, np.inf)
        inside_hi = np.where(np.isfinite(inside_lo), mc - 1.0, -np.inf)
        no_width = derived & ~tiny
        E, lo, hi = self._system()
        closing = np.zeros(len(self.val), dtype=bool)
        closing[sorted(self.closing)] = True
        audit = _Audit.of_system(
            self.val,
            E,
            lo,
            hi,
            min_count=mc,
            width=t.protection_width,
            lb=lb,
            ub=ub,
            no_width=no_width,
            inside=(inside_lo, inside_hi),
            given_back=set(self.given_back),
            closing_cell=closing,
        )
        audit.rank = self._ranker(audit)
        # every round only relaxes the system (more withheld, fewer rates shown): the values
        # the programs reached before are still possible, and need not be found again
        if self.seen is None or len(self.seen[0]) != len(self.val):
            self.seen = (self.val.copy(), self.val.copy())
        audit.seen_low, audit.seen_high = self.seen
        return audit, hidden, inside_lo

    def _ranker(self, audit: _Audit):
        """The order of candidates: the smallest first, as in a table; among equals one
        whose withholding leaves no relation with it as the only unknown (that would pin it:
        a new exposure), then parts before totals, then one that appears in fewer entries."""
        E, E_csc, val = audit.E, audit.E_csc, audit.val
        given_back = audit.given_back

        def opens(c: int, hidden: np.ndarray) -> int:
            n = 0
            for r in E_csc.indices[E_csc.indptr[c] : E_csc.indptr[c + 1]].tolist():
                others = E.indices[E.indptr[r] : E.indptr[r + 1]].tolist()
                if not any(o != c and hidden[o] and o not in given_back for o in others):
                    n += 1
            return n

        def rank(c: int, hidden: np.ndarray) -> tuple:
            return (
                abs(val[c]),
                opens(c, hidden),
                bool(audit.closing_cell[c]),
                len(self.reg.items[c].appearances),
                c,
            )

        return rank

    def _result(self, stuck: list[int]) -> LedgerAudit:
        unprotected = []
        for q in stuck:
            unprotected.append(
                f"{self.describe(q)}: the report's published figures narrow it down too far, and "
                f"withholding more cannot change that"
            )
        tables = {}
        numbers_out = {}
        changed = set()
        cells = published = 0
        for k, e in enumerate(self.entries):
            if isinstance(e, NumberEntry):
                numbers_out[e.id] = self.number_reason[k]
                if self.number_reason[k]:
                    changed.add(e.id)
                cells += 1
                published += self.number_reason[k] == ""
                continue
            final = self.current[k]
            tables[e.id] = final
            if not final.flags.equals(e.table.flags):
                changed.add(e.id)
            shown, figures = final.shown_cells()
            cells += figures
            published += shown
        return LedgerAudit(
            tables=tables,
            numbers=numbers_out,
            changed=changed,
            notes=self.notes,
            unprotected=unprotected,
            cells=cells,
            published=published,
            thresholds=self.thresholds,
            entries=self.entries,
        )


# --------------------------------------------------------------------------- parquet


def _tag(v: object):
    if _missing(v):
        return None
    if isinstance(v, bool | np.bool_):
        return ["b", bool(v)]
    if isinstance(v, numbers.Integral):
        return ["i", int(v)]
    if isinstance(v, numbers.Real):
        return ["f", float(v)]
    if isinstance(v, str):
        return ["s", v]
    return ["r", str(v)]


def _untag(text):
    if text is None:
        return None
    t = json.loads(text)
    if t is None:
        return None
    return {"b": bool, "i": int, "f": float}.get(t[0], str)(t[1])


def _write_frame(frame: pd.DataFrame, path: Path) -> dict:
    """Write a frame to parquet whatever its column names and mixed object columns (the
    ``year`` column 2024, 2025, "Totalt"): columns by position, object columns and the
    index as tagged JSON. Returns what :func:`_read_frame` needs."""
    out = {}
    encoded = []
    for j, c in enumerate(frame.columns):
        col = frame[c]
        if col.dtype == object or isinstance(col.dtype, pd.CategoricalDtype):
            out[f"c{j}"] = [None if (t := _tag(v)) is None else json.dumps(t) for v in col.astype(object)]
            encoded.append(j)
        else:
            out[f"c{j}"] = col.to_numpy()
    out["index"] = [json.dumps(_tag(v)) for v in frame.index]
    pd.DataFrame(out).to_parquet(path, index=False)
    return {"columns": [_tag(c) for c in frame.columns], "encoded": encoded}


def _read_frame(path: Path, spec: dict) -> pd.DataFrame:
    raw = pd.read_parquet(path)
    columns = [_untag(json.dumps(c)) for c in spec["columns"]]
    data = {}
    for j, _c in enumerate(columns):
        col = raw[f"c{j}"]
        if j in spec["encoded"]:
            data[j] = pd.Series([_untag(v) for v in col], dtype=object)
        else:
            data[j] = col
    frame = pd.DataFrame(data)
    frame.columns = columns
    frame.index = pd.Index([_untag(v) for v in raw["index"]])
    return frame
