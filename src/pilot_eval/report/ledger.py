"""A notebook's part of the report's disclosure ledger (:class:`pilot_eval.disclosure.Ledger`).

Every table a notebook publishes (``ctx.publish``, ``show.table``) and every count it
prints in a sentence (``ctx.count``) is registered in its page's ledger, which is written
to the report's working folder after each registration (``<work>/ledger/<page>.json``).
After the notebooks have run, the runner audits all pages together
(:meth:`~pilot_eval.disclosure.Ledger.audit`). Where the audit withholds more, it writes a
plan (``disclosure_plan.json`` beside the ledger: for each table id the cells to withhold, for each number its
reason) and runs the notebooks of those pages again; their tables are then protected with
the plan's cells withheld (``protect(..., withhold=...)``) and their sentences say in
words that a number is not shown, so that a cell is withheld everywhere it appears: in the
table, in a chart drawn from it and in the text. docs/disclosure.md tells the whole story.

The report's worker tells a notebook's kernel its page name and the ledger's folder
through the environment (:data:`PAGE_ENV`, :data:`LEDGER_ENV`). A notebook opened alone
has neither: it registers all the same (nothing is written) and applies no plan.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import texts
from ..disclosure import Ledger, ProtectedTable
from ..texts.disclosure import WITHHELD_COUNT

__all__ = ["LEDGER_ENV", "PAGE_ENV", "PLAN_FILE", "PageLedger", "note_charted", "read_plan", "write_plan"]

#: The environment variable that names a notebook's page (its file's stem) in a report run.
PAGE_ENV = "PILOT_EVAL_PAGE"
#: The environment variable that names the folder of the report's ledger.
LEDGER_ENV = "PILOT_EVAL_LEDGER"
#: The audit's plan, beside the ledger's folder: what the next run of the notebooks withholds.
PLAN_FILE = "disclosure_plan.json"


#: The page ledger of this kernel (the last one made): charts tell it which tables they show.
_ACTIVE: PageLedger | None = None


def note_charted(table: ProtectedTable) -> None:
    """A chart is drawn from ``table`` (every chart function of :mod:`pilot_eval.report.plots`
    calls this): its entry in the page's ledger is marked ``shown="chart"``."""
    if _ACTIVE is not None:
        _ACTIVE.charted(table)


def write_plan(folder: str | Path, tables: dict[str, list], numbers: dict[str, str]) -> Path:
    """Write the audit's plan for the ledger in ``folder`` (beside it): ``tables`` (entry id
    → the (row, column) cells to withhold) and ``numbers`` (entry id → reason)."""
    path = Path(folder).parent / PLAN_FILE
    content = {"tables": {k: [[int(i), str(c)] for i, c in v] for k, v in tables.items()}, "numbers": numbers}
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_plan(folder: str | Path | None) -> dict:
    """The plan for the ledger in ``folder`` (empty when there is none)."""
    path = Path(folder).parent / PLAN_FILE if folder else None
    if path is None or not path.is_file():
        return {"tables": {}, "numbers": {}}
    content = json.loads(path.read_text(encoding="utf-8"))
    return {
        "tables": {k: [(int(i), str(c)) for i, c in v] for k, v in content.get("tables", {}).items()},
        "numbers": dict(content.get("numbers", {})),
    }


class PageLedger:
    """The registrations of one page, in the order the notebook makes them (entry ids
    ``<page>/t<k>`` and ``<page>/n<k>`` are that order, the same in every run of the
    notebook, which is what the plan's ids refer to)."""

    def __init__(self, page: str | None = None, folder: str | Path | None = None) -> None:
        self.page = page or os.environ.get(PAGE_ENV) or "notebook"
        folder = folder if folder is not None else os.environ.get(LEDGER_ENV)
        self.folder = Path(folder) if folder else None
        self.ledger = Ledger()
        self.plan = read_plan(self.folder)
        self._registered: dict[int, str] = {}  # id() of a registered table → its entry id
        self._tables = 0
        self._numbers = 0
        global _ACTIVE
        _ACTIVE = self

    # ---- tables
    def next_withhold(self) -> list[tuple[int, str]]:
        """The plan's cells for the next table this page registers."""
        return list(self.plan["tables"].get(f"{self.page}/t{self._tables}", []))

    def entry_of(self, table: ProtectedTable) -> str | None:
        """The entry id of a registered table (None: not registered)."""
        return self._registered.get(id(table))

    def charted(self, table: ProtectedTable) -> None:
        """Note that a chart was drawn from ``table`` (the audit's changes to it then need
        the notebook run again; a table shown only as a table is changed on its page)."""
        entry_id = self._registered.get(id(table))
        for entry in self.ledger.entries:
            if entry.id == entry_id and entry.shown != "chart":
                entry.shown = "chart"
                self._save()

    def add_table(self, table: ProtectedTable, **options) -> str:
        """Register ``table`` (:meth:`pilot_eval.disclosure.Ledger.add_table` options) and
        write the page's ledger."""
        expected = f"{self.page}/t{self._tables}"
        entry_id = self.ledger.add_table(self.page, table, **options)
        if entry_id != expected:  # pragma: no cover - the ids are the order of registration
            raise RuntimeError(f"ledger id {entry_id} is not {expected}")
        self._tables += 1
        self._registered[id(table)] = entry_id
        self._save()
        return entry_id

    def adopt(self, table: ProtectedTable, **options) -> ProtectedTable:
        """``table`` registered if it is not yet (a table protected outside ``ctx.publish``),
        with the plan's cells withheld: the table to show."""
        if id(table) in self._registered:
            return table
        withhold = self.next_withhold()
        if withhold:
            table = table.reprotect(withhold)
        self.add_table(table, **options)
        return table

    # ---- numbers
    def count(self, value: float, *, measure: str, groups: dict | None, min_count: int, lang: str) -> str | None:
        """Register a count printed in a sentence; the words for it when it is not to be
        printed (a count of 1 to ``min_count`` − 1, or the plan withholds it), else None."""
        entry_id = self.ledger.add_number(self.page, value, measure=measure, groups=groups)
        self._numbers += 1
        self._save()
        reason = self.plan["numbers"].get(entry_id) or ("small_count" if 0 < value < min_count else "")
        if not reason:
            return None
        words = WITHHELD_COUNT.get(reason, WITHHELD_COUNT["secondary"])
        return texts.pick(lang, *words).format(min_count=min_count)

    def _save(self) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.ledger.save(self.folder, self.page)
