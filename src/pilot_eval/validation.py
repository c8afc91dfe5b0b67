"""Great Expectations (GX Core 1.x) validation of the coerced tables.

This is the only module that imports ``great_expectations``. The import is slow, so it
happens on first use, with GX's progress bars and usage statistics off, and Python's
warnings behaviour restored afterwards (GX routes warnings into logging at import, which
would hide statsmodels' convergence warnings).

The suites are JSON files in ``expectations/`` (one per table, GX 1.x format), reviewed
like code. Each expectation carries ``meta``:

``reason``
    the short, stable text that a failing row gets in ``quarantine/<table>.csv`` and in
    ``ingest_report.json`` (e.g. ``"closing_date before published_date"``);
``severity``
    ``"quarantine"`` (default: failing rows are set aside), ``"warning"`` (counted and
    reported, rows kept) or ``"structural"`` (the table as a whole is unusable: exit 2).

GX silently drops an expectation it cannot build (a misspelt type logs an error and the
suite loads without it); :func:`load_suite` compares the count in the file with the count
loaded and refuses a suite that lost any.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import SuiteError  # re-exported: raised here, defined with every error class
from .paths import EXPECTATIONS_DIR

__all__ = [
    "SuiteError",
    "ExpectationOutcome",
    "TableValidation",
    "load_suite_json",
    "load_suite",
    "validate_tables",
    "gx_version",
    "suite_columns",
]

SEVERITIES = ("quarantine", "warning", "structural")


@dataclass
class ExpectationOutcome:
    """One expectation's result on one table, reduced to what ingest needs."""

    expectation_type: str
    column: str | None
    reason: str
    severity: str
    success: bool
    unexpected_count: int = 0
    unexpected_index: list[int] = field(default_factory=list)
    #: the expectation's arguments as its suite file writes them (a list of allowed values
    #: left out): what a reader's sentence about the check needs (bounds, a second column,
    #: a row condition)
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableValidation:
    table: str
    suite_name: str
    outcomes: list[ExpectationOutcome]

    @property
    def n_expectations(self) -> int:
        return len(self.outcomes)

    @property
    def n_failed(self) -> int:
        return sum(not o.success for o in self.outcomes)


def suite_path(table: str, directory: Path | None = None) -> Path:
    return (directory or EXPECTATIONS_DIR) / f"{table}.json"


def load_suite_json(table: str, directory: Path | None = None) -> dict[str, Any]:
    """The suite of ``table`` as stored, checked for the fields ingest relies on."""
    path = suite_path(table, directory)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SuiteError(f"{path}: the expectation suite for table {table} is missing") from exc
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data.get("expectations"), list) or not data.get("name"):
        raise SuiteError(f"{path}: a GX 1.x suite needs 'name' and a list of 'expectations'")
    for i, exp in enumerate(data["expectations"]):
        meta = exp.get("meta") or {}
        if "type" not in exp or not isinstance(exp.get("kwargs"), dict):
            raise SuiteError(f"{path}: expectation {i} needs 'type' and 'kwargs' (GX 1.x format)")
        if not meta.get("reason"):
            raise SuiteError(f"{path}: expectation {i} ({exp['type']}) has no meta.reason")
        if meta.get("severity", "quarantine") not in SEVERITIES:
            raise SuiteError(
                f"{path}: expectation {i} has severity {meta.get('severity')!r}; use one of {', '.join(SEVERITIES)}"
            )
    return data


_GX_LOCK = threading.Lock()
_GX_MODULE: Any = None


def _gx():
    """Import GX once, quietly, and give Python's warnings back to Python.

    Thread-safe: a call while :func:`preload_gx`'s thread imports waits for it (the lock
    also keeps the save and the restore of the warnings state together)."""
    global _GX_MODULE
    with _GX_LOCK:
        if _GX_MODULE is None:
            _GX_MODULE = _import_gx()
        return _GX_MODULE


def preload_gx() -> threading.Thread | None:
    """Start importing GX on a background thread (None if it is imported already).

    Ingest calls this once the tables are coerced: the slow import then runs beside the
    next steps, which spend much of their time in Arrow outside the GIL
    (dictionary-encoding millions of IDs for GX, writing parquet), instead of after them.
    Started any earlier, it competed with the CSV reader's own Python and gained nothing.
    :func:`_gx` waits for it; an import that fails on the thread is left for
    :func:`_gx` to raise again on the caller's thread. While it runs, GX routes Python
    warnings into logging (restored when it is done).
    """
    if _GX_MODULE is not None or _GX_LOCK.locked():
        return None

    def run() -> None:
        with contextlib.suppress(BaseException):  # _gx() on the caller's thread raises it again
            _gx()

    thread = threading.Thread(target=run, name="pilot_eval-import-gx", daemon=True)
    thread.start()
    return thread


def _import_gx():
    saved_filters = warnings.filters[:]
    saved_showwarning = warnings.showwarning
    for name in ("great_expectations", "posthog", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        import great_expectations as gx  # on first use only: GX's import is slow
    finally:
        logging.captureWarnings(False)
        warnings.filters[:] = saved_filters
        warnings.showwarning = saved_showwarning
    return gx


def gx_version() -> str:
    from importlib.metadata import version

    return version("great_expectations")


def _context(data_docs_dir: Path | None):
    gx = _gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    if data_docs_dir is not None:
        context.add_data_docs_site(
            site_name="pilot_eval",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(data_docs_dir).resolve()),
                },  # GX needs it absolute
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


# How an expectation looks at its column(s), for :func:`suite_columns`. "equality": only
# which values are null and which are equal to which; "order": that, and which of two
# values is the larger (a pair comparison); anything else looks at the values themselves.
_EQUALITY_ONLY = frozenset(
    {
        "expect_column_to_exist",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_unique",
    }
)
_ORDER_ONLY = frozenset({"expect_column_pair_values_a_to_be_greater_than_b"})
_TABLE_ROWS_ONLY = frozenset({"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"})
# kwargs that do not change what is compared
_NEUTRAL_KWARGS = frozenset(
    {
        "column",
        "column_A",
        "column_B",
        "row_condition",
        "condition_parser",
        "mostly",
        "result_format",
        "catch_exceptions",
        "meta",
        "ignore_row_if",
        "or_equal",
    }
)


def _condition_columns(condition: Any) -> set[str] | None:
    """The columns a (GX 1.x structured) row condition refers to; None if unknown."""
    if not condition:
        return set()
    if not isinstance(condition, dict):
        return None  # a condition string: its columns are not known here
    columns: set[str] = set()
    column = condition.get("column")
    if isinstance(column, dict) and column.get("name"):
        columns.add(column["name"])
    elif column is not None:
        return None
    for sub in condition.get("conditions") or []:
        sub_columns = _condition_columns(sub)
        if sub_columns is None:
            return None
        columns |= sub_columns
    return columns or None


def suite_columns(suite_json: dict[str, Any]) -> dict[str, set[str]] | None:
    """How a suite looks at each column of its table: column → uses, each use
    ``"equality"`` (null, not-null and unique expectations: only which values are null
    and which are equal matters), ``"order"`` (pair comparisons: also which of two
    values is the larger) or ``"values"`` (anything else, and every row-condition
    column). None if some expectation may look at every column (a table-level
    expectation other than the row count, or a condition string).
    """
    uses: dict[str, set[str]] = {}
    for exp in suite_json["expectations"]:
        kwargs = exp.get("kwargs") or {}
        names = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
        names += list(kwargs.get("column_list") or [])
        condition = _condition_columns(kwargs.get("row_condition"))
        if condition is None or (not names and exp["type"] not in _TABLE_ROWS_ONLY):
            return None
        neutral = set(kwargs) <= _NEUTRAL_KWARGS
        use = (
            "equality"
            if exp["type"] in _EQUALITY_ONLY and neutral
            else "order"
            if exp["type"] in _ORDER_ONLY and neutral
            else "values"
        )
        for name in names:
            uses.setdefault(name, set()).add(use)
        for name in condition:
            uses.setdefault(name, set()).add("values")
    return uses


def _column_of(kwargs: dict) -> str | None:
    return kwargs.get("column") or kwargs.get("column_A") or (",".join(kwargs.get("column_list") or []) or None)


def _describe(exp: dict, i: int | None = None) -> str:
    column = _column_of(exp.get("kwargs") or {})
    number = f"expectation {i} " if i is not None else ""
    return f"{number}{exp.get('type')}" + (f" on {column}" if column else "")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load_suite(table: str, directory: Path | None = None):
    """Build the GX ``ExpectationSuite`` of ``table``, refusing one that lost expectations.

    Raises :class:`SuiteError` (one line: the suite file and the expectation) when GX
    refuses an expectation's arguments (GX raises a pydantic ``ValidationError``) or
    silently drops one (a misspelt type): the expectations compared by type and column.
    """
    gx = _gx()
    data = load_suite_json(table, directory)
    path = suite_path(table, directory)
    gx_logger = logging.getLogger("great_expectations")
    try:
        suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"], meta=data.get("meta", {}))
    except Exception as exc:  # pydantic's ValidationError (v1 or v2), GX's configuration errors
        for i, exp in enumerate(data["expectations"]):  # find the expectation GX refuses
            try:
                gx.ExpectationSuite(name=data["name"], expectations=[exp])
            except Exception as single:
                raise SuiteError(f"{path}: {_describe(exp, i)}: GX refuses its arguments: {_one_line(single)}") from exc
        raise SuiteError(f"{path}: GX cannot build the suite: {_one_line(exc)}") from exc
    finally:
        gx_logger.setLevel(logging.CRITICAL)
    if len(suite.expectations) != len(data["expectations"]):
        lost = Counter((e["type"], _column_of(e["kwargs"])) for e in data["expectations"])
        lost.subtract(Counter((e.expectation_type, _column_of(e.configuration.kwargs)) for e in suite.expectations))
        names = [
            _describe({"type": t, "kwargs": {"column": c}}) for (t, c), n in lost.items() for _ in range(max(n, 0))
        ]
        raise SuiteError(
            f"{path}: GX could not load {len(data['expectations']) - len(suite.expectations)} "
            f"expectation(s): {', '.join(names) or 'unknown'} (misspelt type or bad kwargs?)"
        )
    return suite


def validate_tables(
    frames: dict[str, pd.DataFrame], *, data_docs_dir: Path | None = None, suites_dir: Path | None = None
) -> dict[str, TableValidation]:
    """Validate each frame with its table's suite; optionally build GX Data Docs.

    ``frames`` maps table name → coerced DataFrame (its index identifies rows; outcomes
    report failing rows by index label). Expectations that raise inside GX are a bug in
    the suite or in coercion and raise :class:`SuiteError` rather than pass silently.
    """
    gx = _gx()
    context = _context(data_docs_dir)
    datasource = context.data_sources.add_pandas("pilot_eval")
    definitions = []
    jsons = {}
    for table in frames:
        suite = context.suites.add(load_suite(table, suites_dir))
        jsons[table] = load_suite_json(table, suites_dir)
        asset = datasource.add_dataframe_asset(table)
        batch_def = asset.add_batch_definition_whole_dataframe(f"{table}_all")
        definitions.append(
            context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch_def, suite=suite))
        )
    results: dict[str, TableValidation] = {}
    for table, definition in zip(frames, definitions, strict=True):
        # First pass: pass/fail (and, for Data Docs, counts and a few examples) of every
        # expectation. Listing every failing row (COMPLETE) costs a copy of the table per
        # expectation even when nothing fails, so only failed expectations get a second,
        # COMPLETE pass (outside the Data Docs context) for their rows and counts.
        first_format = "SUMMARY" if data_docs_dir is not None else "BOOLEAN_ONLY"
        result = definition.run(
            batch_parameters={"dataframe": frames[table]}, result_format={"result_format": first_format}
        )
        _raise_on_exceptions(table, result.results)
        failed = [res.expectation_config for res in result.results if not res.success]
        complete = {}
        if failed:
            for res in _complete_results(table, frames[table], failed, jsons[table]):
                complete[_config_key(res.expectation_config)] = res
        written = {
            (e["type"], (e.get("meta") or {}).get("reason", e["type"])): {
                k: v for k, v in e["kwargs"].items() if k != "value_set"
            }
            for e in jsons[table]["expectations"]
        }
        outcomes = []
        for res in result.results:
            cfg = res.expectation_config
            meta = cfg.meta or {}
            r = (complete.get(_config_key(cfg)).result if not res.success else res.result) or {}
            column = (
                cfg.kwargs.get("column")
                or cfg.kwargs.get("column_A")
                or (",".join(cfg.kwargs.get("column_list", [])) or None)
            )
            outcomes.append(
                ExpectationOutcome(
                    expectation_type=cfg.type,
                    column=column,
                    reason=meta.get("reason", cfg.type),
                    severity=meta.get("severity", "quarantine"),
                    success=bool(res.success),
                    unexpected_count=int(r.get("unexpected_count") or 0),
                    unexpected_index=[int(i) for i in (r.get("unexpected_index_list") or [])],
                    kwargs=written.get((cfg.type, meta.get("reason", cfg.type)), {}),
                )
            )
        results[table] = TableValidation(table=table, suite_name=jsons[table]["name"], outcomes=outcomes)
    if data_docs_dir is not None:
        context.build_data_docs()
    return results


def _config_key(cfg) -> str:
    return json.dumps([cfg.type, cfg.kwargs, cfg.meta], sort_keys=True, default=str)


def _raise_on_exceptions(table: str, results) -> None:
    for res in results:
        cfg = res.expectation_config
        info = res.exception_info or {}
        raised = info.get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values()
        )
        if raised:
            message = info.get("exception_message") or next(
                (v.get("exception_message") for v in info.values() if isinstance(v, dict)), ""
            )
            raise SuiteError(
                f"expectations/{table}.json: {cfg.type} on {_column_of(cfg.kwargs)} raised: {_one_line(message)}"
            )


def _complete_results(table: str, frame: pd.DataFrame, configs: list, suite_json: dict[str, Any]) -> list:
    """The COMPLETE results (every failing row's index) of the given expectations only,
    in a context of their own so that Data Docs show one validation per table."""
    gx = _gx()
    context = _context(None)
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=suite_json["name"],
            meta=suite_json.get("meta", {}),
            expectations=[{"type": c.type, "kwargs": c.kwargs, "meta": c.meta} for c in configs],
        )
    )
    asset = context.data_sources.add_pandas("pilot_eval").add_dataframe_asset(table)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(
            name=table, data=asset.add_batch_definition_whole_dataframe(f"{table}_all"), suite=suite
        )
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={
            "result_format": "COMPLETE",
            "include_unexpected_rows": False,
            "return_unique_unexpected": False,
        },
    )
    _raise_on_exceptions(table, result.results)
    got = {_config_key(res.expectation_config) for res in result.results}
    if got != {_config_key(c) for c in configs}:
        raise SuiteError(f"expectations/{table}.json: the second validation pass lost expectations")
    return result.results
