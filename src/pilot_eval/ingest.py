"""From a raw export directory to trusted processed tables, with an account of every row.

The steps, in order (nothing is written until all of them have passed):

1. **Read** every table's file as text (:mod:`pilot_eval.readers`).
2. **Privacy guard** (:mod:`pilot_eval.privacy`): a header or value that looks like a
   direct identifier stops the ingest (exit status 2), naming file, column and row but
   never the value. The header names are guarded first, inside step 1, before the
   reader's own header checks can quote one (a file exported without its header row);
   the cells before any step below can quote one. Columns outside the contract are then
   dropped with a notice. Once coerced, the numbers are guarded again as GX and Data
   Docs will show them ("811 218 9876" reads as 8112189876).
3. **Structure**: required columns present, no empty table (exit status 2 otherwise).
4. **Coerce** each column strictly (:mod:`pilot_eval.coerce`); a cell that cannot be
   parsed is a row-level failure.
5. **Validate** with the GX suites in ``expectations/`` (:mod:`pilot_eval.validation`).
6. **Cross-table checks** in code: foreign keys (and rows whose parent was quarantined),
   dates across tables, event dates after the cut date.
7. **Write** ``<table>.parquet``, ``quarantine/<table>.csv`` (source file and line, the
   reasons, the row as read), ``ingest_report.json`` and GX Data Docs into a staging
   directory beside the output directory, then swap it in with two renames, so that
   the output directory is at any instant entirely old or entirely new (see
   "directories" below); nothing is copied.

For every table ``rows_read == rows_processed + rows_quarantined``.

Exit status: 0 all good; 1 a table's quarantined share is above the threshold (default
5 %; the tables are still written for inspection); 2 a structural or privacy problem
(nothing written); 4 the output cannot be written, the disk is full or the folder
read-only (:class:`~pilot_eval.errors.OutputError`; nothing changed). The command line
adds 2 for a broken expectation suite and 3 for an internal error (:mod:`pilot_eval.cli`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__, paths, staging
from .coerce import parse_column
from .contract import EVENT_DATES, REQUIRED_TABLES, TABLES, TableSpec, close_column
from .errors import IngestError, MappingError, OutputError, output_error
from .mapping import MAPPING_REASON
from .privacy import IdentifierFinding, identifier_mask, redact, safe_value, scan_series, scrub_error
from .readers import SOURCE_FILE, SOURCE_LINE, RawTable, discover, read_raw_dir, read_source, sha256_file

__all__ = [
    "IngestError",
    "IngestResult",
    "OutputError",
    "ingest",
    "ingest_summary",
    "load_processed",
    "REPORT_NAME",
    "DEFAULT_QUARANTINE_THRESHOLD",
]

REPORT_NAME = paths.INGEST_REPORT_NAME
DEFAULT_QUARANTINE_THRESHOLD = 0.05
#: The layout of ``ingest_report.json``: raised when it gains what a report reads (2: each
#: check's result, arguments and the checks made in code, for the data-quality page), so
#: that a report does not reuse processed data whose report lacks it (it ingests again).
REPORT_FORMAT = 2
# Tables are processed parent first, so that a child row whose parent was quarantined
# can be quarantined too (the processed tables never hold a dangling foreign key).
TABLE_ORDER = ("vacancies", "applications", "background_checks", "pilot_rollout", "staffing_monthly")


@dataclass
class TableOutcome:
    """What happened to one table."""

    table: str
    raw: RawTable
    typed: pd.DataFrame
    reasons: dict[int, list[str]] = field(default_factory=dict)  # row position → reasons
    warnings: Counter = field(default_factory=Counter)
    dropped_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    n_expectations: int = 0
    n_expectations_failed: int = 0
    expectation_results: list[dict] = field(default_factory=list)  # one per expectation of the suite
    cross_table_results: list[dict] = field(default_factory=list)  # one per check in code (_cross_table_checks)

    def add(self, mask: np.ndarray | pd.Series, reason: str) -> None:
        mask = np.asarray(pd.Series(mask).fillna(False), dtype=bool)
        for pos in np.flatnonzero(mask):
            self.reasons.setdefault(int(pos), []).append(reason)

    def check(
        self, kind: str, column: str, mask: np.ndarray | pd.Series, reason: str, *, other: str | None = None, warn=False
    ) -> None:
        """A check made in code rather than by GX: quarantine the rows of ``mask`` (or count
        them as a warning) and record the result, as ``expectation_results`` records a GX
        expectation's (the data-quality page shows both)."""
        mask = np.asarray(pd.Series(mask).fillna(False), dtype=bool)
        n = int(mask.sum())
        if warn:
            if n:
                self.warnings[reason] += n
        else:
            self.add(mask, reason)
        self.cross_table_results.append(
            {
                "kind": kind,
                "column": column,
                "other_table": other,
                "reason": reason,
                "severity": "warning" if warn else "quarantine",
                "success": n == 0,
                "unexpected_count": n,
            }
        )

    @property
    def quarantined(self) -> np.ndarray:
        mask = np.zeros(len(self.typed), dtype=bool)
        if self.reasons:
            mask[list(self.reasons)] = True
        return mask


@dataclass
class IngestResult:
    """The outcome of :func:`ingest`: the report (as written), the processed tables and
    the quarantined rows, and the exit status the CLI returns.

    ``tables`` are the frames as ingest built them, in its memory-saving types: IDs and
    free text as ``string[pyarrow]``, enums and repeating values as categoricals. For the
    documented analysis types (object strings, ``datetime64[ns]``, nullable integers) read
    the written files with :func:`load_processed`, as the notebooks do.
    """

    report: dict
    tables: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    exit_code: int
    out_dir: Path

    def summary(self, out_dir: Path | str | None = None) -> str:
        """The account of every row that ``pilot-eval ingest`` prints (:func:`ingest_summary`);
        ``out_dir``: the output directory as the user named it (default :attr:`out_dir`)."""
        return ingest_summary(self.report, self.out_dir if out_dir is None else out_dir)


# --------------------------------------------------------------------------- public


def ingest(
    raw_dir: str | Path,
    out_dir: str | Path,
    *,
    cut_date: str | dt.date | None = None,
    quarantine_threshold: float = DEFAULT_QUARANTINE_THRESHOLD,
    data_docs: bool = True,
    mapping=None,
) -> IngestResult:
    """Ingest the raw export in ``raw_dir`` into ``out_dir``.

    Parameters
    ----------
    raw_dir
        Directory with one file per table (CSV or Excel), English or Swedish names.
        Relative paths are taken from the current directory; the report records the
        absolute path.
    out_dir
        The processed directory, replaced as a whole (what ingest did not write there is
        kept): the output is written into a sibling ``.<name>.staging-*`` directory and
        swapped in by renames. Raw files are only read.
    cut_date
        The data cut date (``YYYY-MM-DD``). Event dates after it are quarantined. Defaults
        to today.
    quarantine_threshold
        A table whose quarantined share exceeds this gives exit status 1.
    data_docs
        Build GX Data Docs under ``out_dir/data_docs``.
    mapping
        A mapping file (path, a shipped profile's name such as ``"teamtailor"``, or a
        :class:`pilot_eval.mapping.Mapping`) for an export in an HR system's own layout
        (docs/mapping.md). The tables it maps are built from its source files; the other
        tables are read from their contract-named files as without a mapping. A mapping
        with an undecided ``TODO`` entry is refused (:class:`~pilot_eval.errors.MappingError`,
        exit status 2, naming each). The report records every source file's rows under
        ``"mapping"``.

    Raises
    ------
    IngestError
        For structural and privacy problems (``exit_code`` 2); nothing is written then.
    pilot_eval.validation.SuiteError
        An expectation suite in ``expectations/`` is broken (a developer error); nothing
        is written.
    OutputError
        The output cannot be written: the disk is full (or the quota used up), or the
        folder is read-only (``exit_code`` 4). The staging directory is removed and
        ``out_dir`` is unchanged.

    Examples
    --------
    From the command line this is ``pilot-eval ingest``; in Python (not run as a doctest:
    it writes files and validates with GX)::

        from pilot_eval.demo import generate, write_export
        write_export(generate(seed=1), "data/raw/demo")
        result = ingest("data/raw/demo", "data/processed/demo", cut_date="2026-02-28")
        result.exit_code   # 0
    """
    raw_given, out_given = Path(raw_dir), Path(out_dir)
    # Absolute from here on: GX's Data Docs need an absolute directory, and the report's
    # raw_dir must mean the same from a notebook's working directory.
    raw_dir, out_dir = raw_given.expanduser().resolve(), out_given.expanduser().resolve()
    try:
        _check_directories(raw_dir, out_dir, raw_given, out_given)
        cut, cut_source = _cut_date(cut_date)
        _sweep_stale(out_dir)
        if mapping is not None:
            raws, notices, mapping_report, set_aside = _read_mapped(raw_dir, mapping)
        else:
            raws, notices = read_raw_dir(raw_dir)
            mapping_report, set_aside = None, {}
        missing = [t for t in REQUIRED_TABLES if t not in raws]
        if missing:
            names = ", ".join(f"{t} ({TABLES[t].swedish})" for t in missing)
            raise IngestError(
                f"no file for required table(s) {names}; name each file after its table",
                file=raw_given,
                table=missing[0],
            )
        outcomes: dict[str, TableOutcome] = {}
        column_warnings: list[str] = []
        # The privacy scan (mostly Arrow's regex kernels, outside the GIL) runs on a second
        # thread beside coercion (mostly Python); nothing is written before both are done,
        # and a privacy finding is reported before any coercion error, as when they ran in turn.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pilot_eval-privacy") as pool:
            privacy = pool.submit(_privacy_guard, raws)
            try:
                for table in [t for t in TABLE_ORDER if t in raws]:
                    outcomes[table] = _coerce_table(raws[table], TABLES[table], notices, column_warnings)
            except BaseException:
                privacy.result()
                raise
            privacy.result()
        _numbers_guard(outcomes)
    except IngestError as exc:
        scrub_error(exc)  # defence in depth: no message quotes what the guard refuses
        raise
    from .validation import preload_gx

    preload_gx()
    created = _missing_ancestors(out_dir.parent)
    staging = _sibling(out_dir, "staging")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pilot_eval-parquet")
    try:
        staging.mkdir(parents=True)
        early = _write_early(outcomes, staging, writer)
        _validate(outcomes, staging / "data_docs" if data_docs else None)
        _cross_table_checks(outcomes, cut)
        result = _write(
            outcomes,
            raw_dir,
            out_dir,
            staging,
            cut,
            cut_source,
            quarantine_threshold,
            notices,
            column_warnings,
            data_docs,
            early,
            mapping_report,
            set_aside,
        )
        _commit(staging, out_dir)
    except BaseException as exc:
        if isinstance(exc, IngestError):
            scrub_error(exc)
        writer.shutdown(wait=True, cancel_futures=True)  # nothing writes into staging any more
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # a failed first run leaves nothing behind
            try:
                folder.rmdir()
            except OSError:
                break
        unwritable = output_error(exc, out_given)  # disk full, read-only: exit 4, not an internal error
        if unwritable is not None:
            raise unwritable from exc
        raise
    finally:
        writer.shutdown(wait=True)
        _ACTIVE.discard(staging)
    return result


def load_processed(processed_dir: str | Path, *, verify: bool = True) -> dict[str, pd.DataFrame]:
    """Read the processed tables written by :func:`ingest`.

    Dates come back as ``datetime64[ns]``, enums as categoricals with every contract
    value as a category. With ``verify`` each file's sha256 is checked against
    ``ingest_report.json``, so a directory that is not one ingest's output as a whole is
    refused, never mixed.
    """
    processed_dir = Path(processed_dir)
    report_path = processed_dir / REPORT_NAME
    if not report_path.exists():
        if _siblings(processed_dir.expanduser().resolve()):
            raise IngestError(
                "an ingest is replacing this directory right now (or one was interrupted): "
                "wait a moment and try again, or run `pilot-eval ingest` again",
                file=processed_dir,
            )
        raise IngestError("no ingest_report.json: run `pilot-eval ingest` first", file=processed_dir)
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        tables: dict[str, pd.DataFrame] = {}
        for table, info in report["tables"].items():
            path = processed_dir / info["parquet"]["file"]
            if verify and sha256_file(path) != info["parquet"]["sha256"]:
                raise IngestError(
                    "the file does not match ingest_report.json (changed by hand, or the directory "
                    "was replaced while it was read); run `pilot-eval ingest` again",
                    file=path,
                    table=table,
                )
            frame = pq.read_table(path).to_pandas(date_as_object=False)
            for col in TABLES[table].columns:
                if col.kind == "date":
                    frame[col.name] = frame[col.name].astype("datetime64[ns]")
                elif col.kind in ("int", "stage"):
                    frame[col.name] = frame[col.name].astype("Int64" if col.nullable else "int64")
            tables[table] = frame
    except FileNotFoundError as exc:
        raise IngestError(
            "a file disappeared while the directory was read (an ingest replaced it); try again", file=processed_dir
        ) from exc
    return tables


# --------------------------------------------------------------------------- summary


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _text_table(rows: list[list[str]], align: str, indent: str = "  ", gap: int = 2) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell; ``align`` has one
    ``<`` or ``>`` per column. The first row is the header, underlined."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    sep = " " * gap

    def line(row):
        return indent + sep.join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths, strict=True)).rstrip()

    return [line(rows[0]), indent + "-" * (sum(widths) + gap * (len(widths) - 1))] + [line(r) for r in rows[1:]]


def ingest_summary(report: dict, out_dir: Path | str) -> str:
    """A short human account of an ingest (``report`` as in ``ingest_report.json``, into
    ``out_dir``): every table's rows read, kept and set aside, what was quarantined and why.

    Columns are as wide as their widest value, so counts of any size stay apart.
    """
    lines = [f"Ingested {report['raw_dir']} → {out_dir} (cut date {report['cut_date']})", ""]
    rows = [["table", "read", "processed", "quarantined", "expectations"]]
    for table, info in report["tables"].items():
        q = info["rows_quarantined"]
        rows.append(
            [
                table,
                _fmt_int(info["rows_read"]),
                _fmt_int(info["rows_processed"]),
                _fmt_int(q) + (f" ({info['quarantine_share']:.1%})" if q else ""),
                f"{info['expectations'] - info['expectations_failed']}/{info['expectations']} passed",
            ]
        )
    lines += _text_table(rows, "<>>><")
    column_warnings = report.get("column_warnings") or []
    if column_warnings:
        lines += ["", "WARNING: columns dropped that look like misspelt contract columns:"]
        lines += [f"  {w}" for w in column_warnings]
    reasons = [(t, r, n) for t, info in report["tables"].items() for r, n in info["reasons"].items()]
    if reasons:
        lines += ["", "Quarantined (reason: rows), see quarantine/<table>.csv:"]
        lines += [f"  {t}: {r}: {_fmt_int(n)}" for t, r, n in reasons[:20]]
        if len(reasons) > 20:
            lines.append(f"  … and {len(reasons) - 20} more reasons in ingest_report.json")
    else:
        lines += ["", "Quarantine: empty; every row passed."]
    warnings = [(t, r, n) for t, info in report["tables"].items() for r, n in info["warnings"].items()]
    if warnings:
        lines += ["", "Warnings (rows kept):"] + [f"  {t}: {r}: {_fmt_int(n)}" for t, r, n in warnings]
    if report["notices"]:
        lines += ["", "Notices:"] + [f"  {n}" for n in report["notices"]]
    if report.get("data_docs"):
        lines += ["", f"Validation report (GX Data Docs): {Path(out_dir) / report['data_docs']}"]
    if report["exit_status"] == 1:
        lines += [
            "",
            f"EXIT 1: a table's quarantined share is above {report['quarantine_threshold']:.0%}; "
            "the processed tables were written for inspection.",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- directories
#
# The output directory is replaced as a whole. Everything is written into a sibling
# ``.<name>.staging-<pid>-<hex>``; the commit then renames ``<name>`` to
# ``.<name>.old-<pid>-<hex>`` and the staging directory to ``<name>`` (two renames: at
# any instant ``<name>`` is entirely old, entirely new, or briefly absent), moves back
# anything in the old directory that ingest did not write, and deletes the old one.
# A process killed halfway leaves siblings that the next run sweeps (only names of
# this pattern, only of processes that are no longer running): a staging directory is
# deleted; an old directory is put back if ``<name>`` is missing, else its entries that
# ingest did not write are moved into ``<name>`` and it is deleted.


def _is_owned(name: str) -> bool:
    """Whether an entry of the output directory is ingest's (replaced by each run):
    the table files, the report, quarantine/, data_docs/ and an older version's staging
    leftovers."""
    return (
        name in {REPORT_NAME, "quarantine", "data_docs"}
        or name in {f"{t}.parquet" for t in TABLES}
        or name.startswith((".staging-", ".old-"))
    )


# The staging and old directories this process is working in right now, and whether the
# process that made a sibling may still be at work: pilot_eval.staging's, which the report's
# own staging names share.
_ACTIVE = staging.ACTIVE
_running = staging.running


def _sibling(out_dir: Path, kind: str) -> Path:
    return staging.sibling(out_dir, kind)


def _siblings(out_dir: Path) -> list[tuple[Path, str, int]]:
    """The staging and old directories of ingests into ``out_dir``, newest first."""
    return [
        (entry, kind, pid)
        for entry, kind, pid in staging.leftovers(out_dir, ("staging", "old"))
        if pid is not None and entry.is_dir()
    ]


def _carry_over(old: Path, out_dir: Path) -> None:
    """Move what ingest did not write from the old output directory into the new one."""
    for entry in sorted(old.iterdir()):
        if not _is_owned(entry.name) and not (out_dir / entry.name).exists():
            os.rename(entry, out_dir / entry.name)


def _sweep_stale(out_dir: Path) -> None:
    """Clear up after an ingest into ``out_dir`` that was killed midway (see above)."""
    for path, kind, pid in _siblings(out_dir):
        if _running(pid, path):
            continue
        if kind == "old":
            if not out_dir.exists():
                os.rename(path, out_dir)  # killed between the two renames: the old output comes back
                continue
            _carry_over(path, out_dir)
        shutil.rmtree(path, ignore_errors=True)


def _commit(staging: Path, out_dir: Path) -> None:
    """Put the staged output in place of ``out_dir`` (see above); no data is copied."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    old = _sibling(out_dir, "old")
    try:
        os.rename(out_dir, old)
        try:
            os.rename(staging, out_dir)
        except BaseException:
            os.rename(old, out_dir)  # the old output stays
            raise
        _carry_over(old, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        _ACTIVE.discard(old)


def _missing_ancestors(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _check_directories(raw_dir: Path, out_dir: Path, raw_given: Path, out_given: Path) -> None:
    """Refuse folders that the whole-directory replacement must not touch."""
    if not raw_dir.is_dir():
        raise IngestError("the raw data directory does not exist", file=raw_given)
    cwd = Path.cwd().resolve()
    if out_dir == cwd or out_dir in cwd.parents or out_dir == Path.home().resolve():
        raise IngestError(
            "the output directory must be a folder of its own (e.g. data/processed/<name>), not "
            "the current directory, one of its parents or the home directory: ingest replaces "
            "it as a whole",
            file=out_given,
        )
    if out_dir == raw_dir or raw_dir in out_dir.parents:
        raise IngestError(
            "the output directory must not be the raw directory or inside it (raw data is immutable)", file=out_given
        )
    if out_dir in raw_dir.parents:
        raise IngestError(
            "the raw directory must not be inside the output directory (ingest replaces the "
            "output directory as a whole)",
            file=raw_given,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise IngestError("the output path exists and is not a directory", file=out_given)


# --------------------------------------------------------------------------- steps


def _cut_date(cut_date: str | dt.date | None) -> tuple[pd.Timestamp, str]:
    if cut_date is None:
        return pd.Timestamp(dt.date.today()), "today (no --cut-date given)"
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(cut_date))), "option"
    except ValueError as exc:
        raise IngestError(f"--cut-date must be a date YYYY-MM-DD, got {cut_date!r}") from exc


def _read_mapped(raw_dir: Path, mapping) -> tuple[dict[str, RawTable], list[str], dict, dict[str, pd.DataFrame]]:
    """The raw tables of an export described by a mapping: the mapped tables from
    :func:`pilot_eval.mapping.apply_mapping`, the others from their own contract-named
    files (a file the mapping reads is not read a second time), and the source rows set
    aside outside any table (:attr:`pilot_eval.mapping.MappedExport.set_aside`)."""
    from .mapping import apply_mapping, load_mapping

    mapping = load_mapping(mapping)
    if mapping.todos:
        lines = "\n  ".join(f"{mapping.path.name}, line {line}: {path}: {text}" for line, path, text in mapping.todos)
        raise MappingError(
            f"the mapping has {len(mapping.todos)} undecided TODO entr{'y' if len(mapping.todos) == 1 else 'ies'}; "
            f"decide each and run ingest again:\n  {lines}",
            file=mapping.path,
        )
    mapped = apply_mapping(mapping, raw_dir)
    sources, notices = discover(raw_dir, exclude=set(mapped.source_paths))
    raws = {t: read_source(src) for t, src in sources.items() if t not in mapped.raws}
    for table, src in sources.items():
        if table in mapped.raws:
            notices.append(f"ignored {src.label}: the mapping {mapping.path.name} builds {table} from its own sources")
    raws.update(mapped.raws)
    return raws, notices + mapped.notices, mapped.accounting, mapped.set_aside


def _privacy_guard(raws: dict[str, RawTable]) -> None:
    from .privacy import scan_frame

    for table, raw in raws.items():
        if raw.guarded:
            continue
        data = raw.frame.drop(columns=[SOURCE_FILE, SOURCE_LINE, MAPPING_REASON], errors="ignore")
        # report findings under the header as it appears in the file
        reverse = {canonical: header for header, canonical in raw.header_map.items()}
        data = data.rename(columns=reverse)
        findings = scan_frame(data)
        if findings:
            finding = findings[0]
            row = None if finding.position < 0 else int(raw.frame[SOURCE_LINE].iloc[finding.position])
            # a header that is itself an identifier (no header row exported) is not echoed either
            column = safe_value(finding.column)
            raise IngestError(finding.describe(), file=raw.source.label, table=table, column=column, row=row)


_NUMBER_KINDS = ("int", "float", "stage")


def _numbers_guard(outcomes: dict[str, TableOutcome]) -> None:
    """The privacy guard on the coerced numbers, as GX and its Data Docs will show them.

    Coercion drops the spaces of a number ("811 218 9876" reads as 8112189876), which can
    make a personnummer of a text that the guard could not recognise as one; the Data Docs
    list a number outside its range as written. Each distinct number is scanned once.
    """
    for table, outcome in outcomes.items():
        raw_lines = outcome.raw.frame[SOURCE_LINE]
        for col in TABLES[table].columns:
            if col.kind not in _NUMBER_KINDS or col.name not in outcome.typed.columns:
                continue
            values = outcome.typed[col.name]
            distinct = (
                pd.Series(values.unique()).dropna().astype(object).reset_index(drop=True)
            )  # no copy of the column
            if not len(distinct):
                continue
            texts = distinct.map(lambda v: str(int(v)) if float(v).is_integer() else repr(float(v)))
            bad = identifier_mask(texts)
            if not bad.any():
                continue
            hits = np.flatnonzero(values.isin(distinct[bad].tolist()).to_numpy(dtype=bool, na_value=False))
            row = int(raw_lines.iloc[hits[0]])
            first = scan_series(texts[bad], col.name)
            finding = IdentifierFinding(col.name, first.kind, int(hits[0]), len(hits))
            raise IngestError(
                finding.describe(row=row) + " (The cells hold numbers with spaces in them; read as numbers, as "
                "the validation and its Data Docs would show them, they are identifiers.)",
                file=outcome.raw.source.label,
                table=table,
                column=col.name,
                row=row,
            )


def _close_columns(raw: RawTable, spec: TableSpec) -> dict[str, str]:
    """Extra (dropped) header → the contract column it is probably a misspelling of,
    among the contract columns the file lacks."""
    present = {c for c in spec.column_names if c in raw.frame.columns}
    out = {}
    for extra in raw.extra_columns:
        if extra and not extra.startswith("Unnamed:"):
            col = close_column(extra, spec.name, exclude=present)
            if col is not None:
                out[extra] = col.name
    return out


def _coerce_table(raw: RawTable, spec: TableSpec, notices: list[str], column_warnings: list[str]) -> TableOutcome:
    label = raw.source.label
    close = _close_columns(raw, spec)
    missing = [c for c in spec.required_columns if c not in raw.frame.columns]
    if missing:
        col = spec.column(missing[0])
        guess = next((extra for extra, name in close.items() if name == col.name), None)
        raise IngestError(
            f"required column missing: {col.name} (Swedish header {col.swedish!r})"
            + (f"; the file has a column {safe_value(guess)!r}: a misspelling of it?" if guess else "")
            + (f"; also missing: {', '.join(missing[1:])}" if len(missing) > 1 else ""),
            file=label,
            table=spec.name,
            column=col.name,
            row=1,
        )
    if raw.n_rows == 0:
        raise IngestError("the table has a header but no rows", file=label, table=spec.name)
    outcome = TableOutcome(spec.name, raw, typed=pd.DataFrame(index=pd.RangeIndex(raw.n_rows)))
    if MAPPING_REASON in raw.frame.columns:  # a value the mapping could not translate (pilot_eval.mapping)
        why = raw.frame[MAPPING_REASON].astype(str).to_numpy()
        for pos in np.flatnonzero(why != ""):
            outcome.reasons.setdefault(int(pos), []).extend(why[pos].split("; "))
    for pos, reasons in raw.row_reasons.items():  # what the reader saw (a CSV record cut short)
        outcome.reasons.setdefault(pos, []).extend(reasons)
    for extra in raw.extra_columns:
        outcome.dropped_columns.append(extra)
        # headers that passed the guard; safe_value all the same (defence in depth)
        shown = safe_value(extra) if extra and not extra.startswith("Unnamed:") else "(no header)"
        if extra in close:
            col = spec.column(close[extra])
            column_warnings.append(
                f"{label}: column {shown!r} is not in the contract for {spec.name} and was dropped; did you mean "
                f"{col.name} (Swedish {col.swedish!r})? Rename the header and ingest again"
            )
        else:
            notices.append(f"{label}: dropped column {shown!r}, which is not in the contract for {spec.name}")
    typed = {}
    frame_index = pd.RangeIndex(raw.n_rows)
    for col in spec.columns:
        if col.name not in raw.frame.columns:
            outcome.added_columns.append(col.name)
            notices.append(f"{label}: optional column {col.name} is not in the export; taken as empty")
            raw_values = pd.Series(pd.Categorical.from_codes(np.zeros(raw.n_rows, dtype=np.int8), [""]))
        else:
            raw_values = raw.frame[col.name]
        values, failures = parse_column(raw_values, col, excel=raw.excel)
        for reason, mask in failures.items():
            outcome.add(mask, f"{col.name}: {reason}")
        typed[col.name] = values if values.index.equals(frame_index) else values.reset_index(drop=True)
    frame = pd.DataFrame(typed, copy=False)
    # derived columns for the GX suites (names start with _ and never reach the output)
    if spec.name == "vacancies":
        frame["_days_to_fill"] = (frame["accepted_date"] - frame["published_date"]).dt.days.astype("Float64")
    if spec.name == "background_checks":
        frame["_turnaround_days"] = (frame["completed_date"] - frame["requested_date"]).dt.days.astype("Float64")
    outcome.typed = frame
    return outcome


def _validate(outcomes: dict[str, TableOutcome], docs_dir: Path | None) -> None:
    from .validation import load_suite_json, suite_columns, validate_tables

    frames = {
        table: _frame_for_gx(
            outcome.typed, TABLES[table], suite_columns(load_suite_json(table)), stand_ins=docs_dir is None
        )
        for table, outcome in outcomes.items()
    }
    results = validate_tables(frames, data_docs_dir=docs_dir)
    del frames
    for table, validation in results.items():
        outcome = outcomes[table]
        outcome.n_expectations = validation.n_expectations
        outcome.n_expectations_failed = validation.n_failed
        outcome.expectation_results = [
            {
                "type": res.expectation_type,
                "column": res.column,
                "reason": redact(res.reason),
                "severity": res.severity,
                "success": res.success,
                "unexpected_count": res.unexpected_count,
                "kwargs": res.kwargs,
            }
            for res in validation.outcomes
        ]
        failed_cells = {reason.split(":", 1)[0] for reasons in outcome.reasons.values() for reason in reasons}
        for res in validation.outcomes:
            if res.success:
                continue
            if res.severity == "structural":
                raise IngestError(res.reason, file=outcome.raw.source.label, table=table, column=res.column)
            if res.severity == "warning":
                outcome.warnings[res.reason] += res.unexpected_count
                continue
            positions = np.asarray(res.unexpected_index, dtype=int)
            if res.expectation_type == "expect_column_values_to_not_be_null" and res.column in failed_cells:
                # a cell that could not be parsed is already quarantined with a clearer reason
                already = {p for p, rs in outcome.reasons.items() if any(r.startswith(f"{res.column}:") for r in rs)}
                positions = np.array([p for p in positions if p not in already], dtype=int)
            mask = np.zeros(len(outcome.typed), dtype=bool)
            mask[positions] = True
            outcome.add(mask, res.reason)


_NS_PER_DAY = 86_400 * 10**9


def _frame_for_gx(
    typed: pd.DataFrame, spec: TableSpec, uses: dict[str, set[str]] | None = None, *, stand_ins: bool = True
) -> pd.DataFrame:
    """The coerced table in the column types GX's pandas engine handles fast; every
    expectation's outcome (and its failing rows) is the same as on the coerced values.

    GX copies the whole frame for every row condition and for every column expectation
    that skips nulls, so the frame is kept narrow: only the columns the suite uses
    (``uses``, from :func:`pilot_eval.validation.suite_columns`; None: all), text as
    Categoricals (codes are cheap to copy and to hash; ``isin`` and ``duplicated`` work
    on them), booleans as a Categorical of False/True, nullable integers and floats as
    numpy ``int64``/``float64`` (``expect_column_values_to_be_between`` compares
    extension arrays value by value in Python).

    With ``stand_ins``, a column is handed over in a smaller form where the suite cannot
    tell the difference: a text column that only null, not-null and unique expectations
    look at (an ID) as codes (category *i* stands for the *i*-th distinct value: no
    Python string per value); and, when every date column is only compared with another
    date or checked for nulls, dates as ``float32`` day numbers (exact; NaN for null).
    Data Docs list failing values, so they get the values themselves (``stand_ins=False``).
    """
    kinds = {col.name: col.kind for col in spec.columns}
    use_of = (lambda name: uses.get(name, {"values"})) if uses is not None else (lambda name: {"values"})
    dates = [n for n in typed.columns if kinds.get(n) == "date" and (uses is None or n in uses)]
    days = stand_ins and all(use_of(n) <= {"equality", "order"} for n in dates)
    columns = {}
    for name in typed.columns:
        if uses is not None and name not in uses:
            continue
        s = typed[name]
        kind = kinds.get(name)
        opaque = stand_ins and use_of(name) <= {"equality"}
        if isinstance(s.dtype, pd.CategoricalDtype):
            if opaque and kind in ("id", "str"):
                s = pd.Series(
                    pd.Categorical.from_codes(s.cat.codes, categories=pd.RangeIndex(len(s.cat.categories))),
                    index=s.index,
                    name=name,
                )
        elif kind == "bool":
            codes = np.where(s.isna().to_numpy(), -1, s.fillna(False).to_numpy(dtype=np.int8))
            s = pd.Series(pd.Categorical.from_codes(codes, categories=[False, True]), index=s.index, name=name)
        elif kind in ("id", "str", "enum"):
            codes, uniques = pd.factorize(s)  # categories in order of appearance: no sort of millions of IDs
            categories = pd.RangeIndex(len(uniques)) if opaque else np.asarray(uniques, dtype=object)
            s = pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=s.index, name=name)
        elif kind == "date" and days:
            values = s.to_numpy(dtype="datetime64[ns]")
            null, ns = np.isnat(values), values.view(np.int64)
            within_day = ns % _NS_PER_DAY
            within_day[null] = 0
            if not within_day.any():  # whole days (as parsed dates are): exact as float32
                day_numbers = (ns // _NS_PER_DAY).astype(np.float32)
                day_numbers[null] = np.nan
                s = pd.Series(day_numbers, index=s.index, name=name)
        elif isinstance(s.dtype, (pd.Int64Dtype, pd.Float64Dtype)) or kind in ("int", "stage"):
            # exactly int64 or float64: GX's `between` compares other dtypes value by value in Python
            s = (
                s.astype("float64")
                if s.hasnans or isinstance(s.dtype, pd.Float64Dtype) or s.dtype.kind == "f"
                else s.astype("int64")
            )
        columns[name] = s
    return pd.DataFrame(columns, index=typed.index)  # built consolidated: one block per numpy dtype


def _cross_table_checks(outcomes: dict[str, TableOutcome], cut: pd.Timestamp) -> None:
    for table, outcome in outcomes.items():
        for col in EVENT_DATES[table]:
            outcome.check("after_cut_date", col, outcome.typed[col] > cut, f"{col}: after the cut date")

    vac = outcomes["vacancies"]
    vac_ids = _objects(vac.typed["vacancy_id"])  # hundreds of thousands at most: Python strings are fine
    vac_ok = vac_ids[~vac.quarantined]
    codes, readv = _keys(vac.typed["readvertisement_of"])
    dangling = (readv.notna() & ~readv.isin(vac_ids)).to_numpy()[codes]
    vac.check(
        "reference",
        "readvertisement_of",
        dangling,
        "readvertisement_of: no such vacancy in the export (kept)",
        other="vacancies",
        warn=True,
    )

    app = outcomes["applications"]
    _foreign_key(app, "vacancy_id", vac_ids, vac_ok, "vacancy", "vacancies")
    codes, keys = _keys(app.typed["vacancy_id"])
    published = _parent_values(codes, keys, vac_ids, vac.typed["published_date"].to_numpy())
    app.check(
        "date_order",
        "submitted_date",
        app.typed["submitted_date"].to_numpy() < published,
        "submitted_date before the vacancy's published_date",
        other="vacancies",
    )

    chk = outcomes["background_checks"]
    codes, keys = _keys(chk.typed["application_id"])
    # Only the applications the checks refer to matter (duplicates of a referred ID are
    # referred too): one lookup over the millions of application IDs, not one per check.
    referred = _small_side(app.typed["application_id"], keys)
    _foreign_key(
        chk, "application_id", referred, referred[~app.quarantined[referred.index]], "application", "applications"
    )
    submitted = _parent_values(codes, keys, referred, app.typed["submitted_date"].loc[referred.index].to_numpy())
    chk.check(
        "date_order",
        "requested_date",
        chk.typed["requested_date"].to_numpy() < submitted,
        "requested_date before the application's submitted_date",
        other="applications",
    )


def _objects(ids: pd.Series) -> pd.Series:
    """A text column (Arrow strings, a Categorical or Python strings) as Python strings,
    None for null, same index."""
    return pd.Series(np.asarray(ids.to_numpy(dtype=object, na_value=None), dtype=object), index=ids.index)


def _parent_values(codes: np.ndarray, keys: pd.Series, parent_ids: pd.Series, values: np.ndarray) -> np.ndarray:
    """Per child row (``keys.to_numpy()[codes]``, :func:`_keys`) the value of its parent
    row (``values`` beside ``parent_ids``); missing where the parent is absent or its ID
    is not unique (the ID check quarantines those)."""
    unique = ~parent_ids.duplicated(keep=False).to_numpy()
    return keys.map(pd.Series(values, index=parent_ids).loc[unique]).to_numpy()[codes]


def _keys(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, keys)`` with ``keys.to_numpy()[codes]`` the values as Python strings (None
    for null): a Categorical's distinct values once each (checks then cost one lookup
    per distinct value), any other column as it is."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        keys = np.append(np.asarray(values.cat.categories, dtype=object), None)
        return np.where(codes < 0, len(keys) - 1, codes), pd.Series(keys, dtype=object)
    return np.arange(len(values)), _objects(values).reset_index(drop=True)


def _small_side(parent_ids: pd.Series, keys: pd.Series) -> pd.Series:
    """The parent IDs that ``keys`` can refer to, as Python strings. A hash lookup costs
    most to build: when the parent table is the larger (14.8 million applications against
    0.45 million checks at scale 100), build it on the keys and keep only the parents
    referred to (an Arrow lookup: no Python string per parent)."""
    if len(parent_ids) > 4 * len(keys):  # (about as many: the filter would cost more than it saves)
        wanted = pd.unique(keys.dropna().to_numpy(dtype=object))
        if isinstance(parent_ids.dtype, pd.ArrowDtype):
            hit = pc.is_in(pa.array(parent_ids.array), value_set=pa.array(wanted, type=pa.string()))
            parent_ids = parent_ids[hit.to_numpy(zero_copy_only=False)]
        else:
            parent_ids = parent_ids[parent_ids.isin(wanted).to_numpy()]
    return _objects(parent_ids)


def _foreign_key(
    child: TableOutcome, column: str, parent_ids: pd.Series, parent_ok: pd.Series, parent: str, parent_table: str
) -> None:
    codes, keys = _keys(child.typed[column])
    parent_ids, parent_ok = _small_side(parent_ids, keys), _small_side(parent_ok, keys)
    present = keys.notna().to_numpy()
    in_parent = keys.isin(parent_ids).to_numpy()
    child.check(
        "foreign_key",
        column,
        (present & ~in_parent)[codes],
        f"{column}: no such {parent} in the export",
        other=parent_table,
    )
    if len(parent_ok) < len(parent_ids):  # some parent is quarantined
        orphaned = (present & in_parent & ~keys.isin(parent_ok).to_numpy())[codes]
    else:
        orphaned = np.zeros(len(codes), dtype=bool)
    child.check("parent_quarantined", column, orphaned, f"{column}: its {parent} is quarantined", other=parent_table)


# --------------------------------------------------------------------------- output


def _to_arrow(frame: pd.DataFrame, spec: TableSpec) -> tuple[pa.Table, pd.DataFrame]:
    """The table as written to parquet, and the processed frame :func:`ingest` returns
    (the same values: text as Arrow-backed strings, enums as Categoricals of the contract
    values, the other columns as coerced)."""
    arrays, fields, processed = [], [], {}
    for col in spec.columns:
        s = frame[col.name]
        processed[col.name] = s
        if col.kind == "date":
            arr = pa.array(
                s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]"), type=pa.date32(), from_pandas=True
            )
        elif col.kind == "enum":
            cat = pd.Categorical(s, categories=col.values)
            arr = pa.DictionaryArray.from_arrays(
                pa.array(cat.codes, type=pa.int8(), mask=cat.codes < 0), pa.array(col.values, type=pa.string())
            )
            processed[col.name] = pd.Series(cat, index=s.index, copy=False)
        elif col.kind in ("int", "stage"):
            arr = pa.array(s.astype("Int64"), type=pa.int64() if col.kind == "int" else pa.int8(), from_pandas=True)
        elif col.kind == "float":
            arr = pa.array(s.astype("float64"), type=pa.float64(), from_pandas=True)
        elif col.kind == "bool":
            arr = pa.array(s.astype("boolean"), type=pa.bool_(), from_pandas=True)
        else:
            arr = _string_array(s)
            processed[col.name] = pd.Series(pd.arrays.ArrowExtensionArray(arr), index=s.index, copy=False)
        arrays.append(arr)
        fields.append(pa.field(col.name, arr.type, nullable=col.nullable))
    table = pa.Table.from_arrays(
        arrays,
        schema=pa.schema(fields, metadata={"pilot_eval.table": spec.name, "pilot_eval.contract": "docs/contract.md"}),
    )
    return table, pd.DataFrame(processed, copy=False)


def _string_array(s: pd.Series) -> pa.StringArray:
    """A text column (Arrow strings, a Categorical of strings, or Python strings) as one
    Arrow string array (one chunk, as the parquet file has always been written from)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        categories = pa.array(np.asarray(s.cat.categories, dtype=object), type=pa.string())
        codes = s.cat.codes.to_numpy()
        return categories.take(pa.array(codes, mask=codes < 0))
    if isinstance(s.dtype, pd.ArrowDtype):
        data = pa.array(s.array)
        data = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
        return data if data.type == pa.string() else data.cast(pa.string())
    return pa.array(s.astype(object), type=pa.string(), from_pandas=True)


@dataclass
class _EarlyWrite:
    """A table's parquet file, written from all its rows while validation runs."""

    arrow: pa.Table
    processed: pd.DataFrame
    done: Future


def _write_early(
    outcomes: dict[str, TableOutcome], staging: Path, writer: ThreadPoolExecutor
) -> dict[str, _EarlyWrite]:
    """Start writing every table's parquet file as if no row were quarantined.

    Most exports have few or no rows to set aside, and the parquet writer (Arrow's C++,
    outside the GIL) is much work at national scale that can run on the second core
    while GX validates on the first.
    :func:`_write` keeps the file of a table that had nothing quarantined, and writes the
    kept rows of any other table again, exactly as it would have without this.
    """
    early = {}
    for table, outcome in outcomes.items():
        spec = TABLES[table]
        if outcome.quarantined.any():
            continue  # rows will be set aside (a cell that did not parse)
        whole = pd.DataFrame({c: outcome.typed[c] for c in spec.column_names}, copy=False)
        try:
            arrow, processed = _to_arrow(whole, spec)
        except pa.ArrowInvalid:  # validation will set the offending rows aside; _write writes the rest
            continue
        if any(arrow.column(f.name).null_count for f in arrow.schema if not f.nullable):
            continue  # a required value missing, or outside an enum's set: the row will be set aside
        early[table] = _EarlyWrite(arrow, processed, writer.submit(_write_parquet, arrow, staging / f"{table}.parquet"))
    return early


def _write_parquet(arrow: pa.Table, path: Path) -> None:
    pq.write_table(arrow, path, compression="zstd")


def _quarantine_frame(outcome: TableOutcome) -> pd.DataFrame:
    positions = sorted(outcome.reasons)
    raw = outcome.raw.frame.iloc[positions] if positions else outcome.raw.frame.iloc[:0]  # a slice: no copy
    spec = TABLES[outcome.table]
    # the reasons are a few fixed texts: each is redacted once (the cells passed the guard)
    shown = {r: redact(r) for r in {r for p in positions for r in outcome.reasons[p]}}
    out = pd.DataFrame(
        {
            "source_file": raw[SOURCE_FILE].to_numpy(),
            "source_line": raw[SOURCE_LINE].to_numpy(),
            "reasons": ["; ".join(dict.fromkeys(shown[r] for r in outcome.reasons[p])) for p in positions],
        }
    )
    for col in spec.column_names:
        out[col] = raw[col].to_numpy() if col in raw.columns else ""
    return out


def _write(
    outcomes: dict[str, TableOutcome],
    raw_dir: Path,
    out_dir: Path,
    staging: Path,
    cut: pd.Timestamp,
    cut_source: str,
    threshold: float,
    notices: list[str],
    column_warnings: list[str],
    data_docs: bool,
    early: dict[str, _EarlyWrite] | None = None,
    mapping_report: dict | None = None,
    set_aside: dict[str, pd.DataFrame] | None = None,
) -> IngestResult:
    """Write the whole output into ``staging`` (committed by the caller); ``early``: the
    files :func:`_write_early` started, kept where no row was quarantined; ``set_aside``:
    a mapping's source rows that reached no table, to ``quarantine/_source_<name>.csv``."""
    (staging / "quarantine").mkdir(exist_ok=True)
    for name, rows in (set_aside or {}).items():
        rows = rows.assign(reasons=rows["reasons"].map(redact))
        rows.to_csv(staging / "quarantine" / f"_source_{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    report_tables: dict[str, dict] = {}
    processed: dict[str, pd.DataFrame] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    exit_code = 0
    for table, outcome in outcomes.items():
        spec = TABLES[table]
        bad = outcome.quarantined
        parquet = staging / f"{table}.parquet"
        started = early.get(table) if early else None
        if started is not None:
            try:
                started.done.result()  # written; rewritten below if rows were set aside
            except pa.ArrowInvalid:  # the kept rows are written below (or raise it again)
                started = None
        if started is not None and not bad.any():
            kept = started.processed
        else:
            if bad.any():
                kept = outcome.typed.loc[~bad, spec.column_names].reset_index(drop=True)
            else:  # the same frame without a copy of every column (typed has a RangeIndex)
                kept = pd.DataFrame({c: outcome.typed[c] for c in spec.column_names}, copy=False)
            arrow, kept = _to_arrow(kept, spec)
            _write_parquet(arrow, parquet)
        q = _quarantine_frame(outcome)
        if len(q):
            q.to_csv(staging / "quarantine" / f"{table}.csv", index=False, encoding="utf-8", lineterminator="\n")
        rows_read = outcome.raw.n_rows
        if rows_read != len(kept) + len(q):  # the invariant every report promises
            raise AssertionError(f"row accounting broken for {table}: {rows_read} != {len(kept)} + {len(q)}")
        share = len(q) / rows_read if rows_read else 0.0
        if share > threshold:
            exit_code = 1
        reasons = Counter(redact(r) for p in outcome.reasons for r in dict.fromkeys(outcome.reasons[p]))
        src = outcome.raw
        report_tables[table] = {
            "source": {  # names with an identifier were refused by the reader: kept as they are
                "file": src.source.path.name,
                "sheet": src.source.sheet,
                "sha256": src.sha256,
                "encoding": src.encoding,
                "separator": src.separator,
            },
            "rows_read": rows_read,
            "rows_processed": len(kept),
            "rows_quarantined": len(q),
            "quarantine_share": round(share, 6),
            "reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "warnings": dict(sorted((redact(r), n) for r, n in outcome.warnings.items())),
            "dropped_columns": [
                safe_value(c) if c and not c.startswith("Unnamed:") else "(no header)" for c in outcome.dropped_columns
            ],
            "empty_optional_columns": outcome.added_columns,
            "expectations": outcome.n_expectations,
            "expectations_failed": outcome.n_expectations_failed,
            "expectation_results": outcome.expectation_results,
            "cross_table_results": outcome.cross_table_results,
            "parquet": {"file": parquet.name, "sha256": sha256_file(parquet), "rows": len(kept)},
            "quarantine_file": f"quarantine/{table}.csv" if len(q) else None,
        }
        processed[table] = kept
        quarantine[table] = q
    from .validation import gx_version

    report = {
        "format": REPORT_FORMAT,
        "pilot_eval_version": __version__,
        "great_expectations_version": gx_version(),
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "cut_date": cut.date().isoformat(),
        "cut_date_source": cut_source,
        "quarantine_threshold": threshold,
        "exit_status": exit_code,
        "tables": report_tables,
        # Every text that quotes a header passes the guard's redaction (defence in depth: the
        # headers themselves have passed the guard by now).
        "column_warnings": [redact(w) for w in column_warnings],
        "notices": [redact(n) for n in notices],
        "data_docs": "data_docs/index.html" if data_docs else None,
    }
    if mapping_report is not None:
        report["mapping"] = mapping_report
    (staging / REPORT_NAME).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return IngestResult(report=report, tables=processed, quarantine=quarantine, exit_code=exit_code, out_dir=out_dir)
