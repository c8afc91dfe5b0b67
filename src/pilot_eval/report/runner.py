"""``pilot-eval report``: every notebook of a period, executed and rendered for readers.

:func:`run_report` is the four stages of :mod:`pilot_eval.report.stages`, in order:

1. Parameters: :data:`~pilot_eval.report.context.PARAMETERS` defaults, then
   ``params/<period>.yaml`` (or ``params_file``), then ``lang`` and ``params`` given on
   the command line (:func:`resolve_parameters`). A disclosure threshold below its floor
   (``min_count`` 5, ``min_denominator`` 10, ``min_n`` 10), there or as the default of a
   notebook's parameters cell, stops the report here: nothing is prepared or written.
2. :func:`~pilot_eval.report.stages.prepare`: the data, ingested only if needed, and the
   window's tables; every notebook gets the prepared directory as ``processed_dir``. Ingest
   refusing the data: no report.
3. :func:`~pilot_eval.report.stages.estimate`: every estimate the pages show, computed once
   here and saved as plain files in ``<out>/.work/<period>/<lang>/estimates/``; every
   notebook gets that folder as ``results_dir`` and reads them. The headline figures of the
   latest earlier report in ``<out>`` (:func:`pilot_eval.report.series.previous_headline`)
   go with them, for the summary's "sedan förra rapporten".
4. :func:`~pilot_eval.report.stages.execute`: every ``*.ipynb`` directly in the notebooks
   folder, in name order, executed by papermill (kernel ``python3``, working directory the
   notebooks folder), each in a Python process of its own whose output (and its kernel's)
   goes to the notebook's log, ``jobs`` at a time. A failed notebook does not stop the others.
5. :func:`~pilot_eval.report.stages.publish`: each executed notebook rendered by
   :func:`pilot_eval.report.render.render_notebook`, an index page, ``manifest.json``, the
   GX Data Docs if the data have them. The language's folder ``<out>/<period>/<lang>`` is
   replaced only at the end (written in a temporary folder beside it, then swapped in), so
   that a failed or interrupted run leaves the previous report as it was. Nothing outside
   ``<out>/<period>/<lang>`` and the working folder ``<out>/.work/<period>/<lang>`` is
   deleted: a report in the other language is never touched. Then the report's headline
   figures go to ``<work>/headline.json`` (:func:`pilot_eval.report.series.save_headline`),
   and ``<out>/index.html`` and ``<out>/index.en.html``, the index of every report in
   ``<out>``, are written again from what is published there
   (:func:`pilot_eval.report.series.write_index`; after a run that published nothing too).


``out`` is the reports folder (``--out``, default ``reports/``). Two folders per report
and language (README, "Reports"; docs/disclosure.md §1):

* **published**, ``<out>/<period>/<lang>/`` (:func:`pilot_eval.report.render.published_dir`):
  what readers get, every file of it safe to mail to a councillor: ``index.html``,
  ``<notebook>.html`` (only what the notebooks showed through :mod:`pilot_eval.report.show`,
  after disclosure control) and ``provenance.json`` (what the footers say, without row
  counts or error texts). It links nothing outside itself.
* **working**, ``<out>/.work/<period>/<lang>/`` (:func:`pilot_eval.report.stages.work_dir`):
  analysts' material, never linked from a published page: ``index.html`` (the same
  contents, linking the published pages and the rest), ``manifest.json`` (everything:
  paths, row counts, errors, timings), ``notebooks/<notebook>.ipynb`` (executed, with code
  and every output), ``logs/<notebook>.not-shown.txt`` (what a page left out: warnings,
  print output, a cell's value), ``logs/<notebook>.log`` (kernel and papermill messages, if
  any), ``data_docs/`` (GX Data Docs), ``estimates/`` and ``headline.json``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import paths, privacy
from . import render, series, stages
from .parameters import PARAMS_DIR, check_notebook_floors, parse_param, resolve_parameters
from .stages import BLAS_THREADS, KERNEL_NAME, _Job, _schedule, _swap_in, worker_environment

__all__ = [
    "BLAS_THREADS",
    "KERNEL_NAME",
    "PARAMS_DIR",
    "ReportResult",
    "parse_param",
    "resolve_parameters",
    "run_report",
    "worker_environment",
]
# the worker machinery lives with the execute stage; these names stay importable from here
_REEXPORTED = (_Job, _schedule, _swap_in)

#: The summary for politicians is the notebook whose name starts with this.
SUMMARY_PREFIX = "00_"


@dataclass
class ReportResult:
    """What :func:`run_report` did.

    Attributes
    ----------
    index : Path or None
        ``<out>/<period>/<lang>/index.html``; None when no report was written (the data
        could not be prepared, or the disclosure audit stopped it).
    manifest : dict
        The content of ``manifest.json`` (empty when no report was written).
    notebooks : dict of str to str
        Each notebook's status, ``"ok"`` or ``"failed"``, by name.
    exit_code : int
        0 every notebook ran; 1 at least one failed (the rest is rendered all the same);
        2 ingest refused the data (nothing written).
    """

    index: Path | None
    manifest: dict
    notebooks: dict[str, str]
    exit_code: int


def _notebook_title(path: Path, lang: str) -> str:
    """The notebook's ``metadata["pilot_eval"]["title"][lang]``, or its file name."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a readable notebook: {exc}") from None
    titles = nb.get("metadata", {}).get("pilot_eval", {}).get("title", {})
    return titles.get(lang) or path.stem


def _failure_text(entry: dict, folder: Path) -> str:
    err = entry["error"] or {}
    where = []
    if err.get("cell_index") is not None:
        where.append(f"cell {err['cell_index']}")
    if err.get("execution_count") is not None:
        where.append(f"(In [{err['execution_count']}])")
    reason = f"{err.get('ename')}: {err['evalue']}" if err.get("evalue") else str(err.get("ename"))
    reason = privacy.redact(reason)  # a notebook's exception may quote a cell
    lines = [
        f"FAILED {entry['name']}" + (f" in {' '.join(where)}" if where else "") + ":",
        "    " + reason.replace("\n", "\n    "),
    ]
    if entry["ipynb"]:
        lines.append(f"    executed notebook (with the traceback): {folder / entry['ipynb']}")
    if entry.get("log"):
        lines.append(f"    kernel and papermill messages: {folder / entry['log']}")
    return "\n".join(lines)


def run_report(
    period: str,
    *,
    raw_dir: str | Path | None = None,
    demo: bool = False,
    processed_dir: str | Path | None = None,
    out_dir: str | Path = paths.REPORTS_DIR,
    lang: str | None = None,
    jobs: int = 2,
    params: Mapping[str, object] | None = None,
    params_file: str | Path | None = None,
    notebooks_dir: str | Path = paths.NOTEBOOKS_DIR,
    timeout: int = 600,
    quiet: bool = False,
    pdf: bool = False,
    chromium: str | None = None,
) -> ReportResult:
    """Render a period's quarterly report in one language into ``<out_dir>/<period>/<lang>/``.

    Parameters
    ----------
    period
        ``2025Q4``, ``2025H2``, ``2025-12`` or ``2025``.
    raw_dir
        A raw export to ingest (CSV or Excel, docs/contract.md), unless ``processed_dir``
        already holds it (same files by sha256, same cut date).
    demo
        Use the synthetic Botkyrka export (generated and ingested on first use).
    processed_dir
        Where the processed tables are (or go). Default ``data/processed/<period>``
        (``data/processed/demo/<period>`` with ``demo``).
    out_dir
        The reports folder: the report is ``<out_dir>/<period>/<lang>/``, its working
        folder ``<out_dir>/.work/<period>/<lang>/``, the index of every report
        ``<out_dir>/index.html``.
    lang
        ``"sv"`` (default) or ``"en"``; overrides the params file. Each language has its own
        folders: an English run leaves the Swedish report as it is.
    jobs
        Notebooks executed at the same time (one process and kernel each).
    params
        Parameter overrides (``--param key=value``), see :func:`resolve_parameters`.
        ``raw_dir`` and ``processed_dir`` from the params file or here say where the
        data are when the arguments above do not.
    params_file
        Default ``params/<period>.yaml`` when it exists.
    notebooks_dir
        The notebooks: every ``*.ipynb`` directly in it (not in subfolders).
    timeout
        Seconds a cell may run before its notebook fails.
    quiet
        Print nothing but errors.
    pdf
        Also print the summary and the whole report as PDFs into the published folder
        (:func:`pilot_eval.report.pdf.write_pdfs`: ``<summary>.pdf`` and
        ``rapport-<period>.pdf``, ``report-<period>.pdf`` in English), before it is swapped in;
        the index links them. Needs Chromium and Playwright, checked before anything runs.
    chromium
        The Chromium executable for ``pdf``; default ``chromium`` (or ``chromium-browser``)
        on the PATH.

    Returns
    -------
    ReportResult

    Raises
    ------
    ValueError
        Bad parameters (see :func:`resolve_parameters`; a disclosure threshold below its
        floor among them), a notebook whose parameters cell sets one below its floor
        (:func:`~pilot_eval.report.parameters.check_notebook_floors`), no data source given,
        a processed folder without data, no notebooks. All of these before any data are
        prepared or anything is written.
    PdfUnavailable
        ``pdf`` and no Chromium or no Playwright
        (:class:`pilot_eval.report.pdf.PdfUnavailable`, its message says what to install),
        before anything is prepared or written.
    """
    say = (lambda *a, **k: None) if quiet else (lambda *a, **k: print(*a, **k, flush=True))
    parameters = resolve_parameters(period, params_file=params_file, overrides=params, lang=lang)
    raw = raw_dir or (None if demo else parameters["raw_dir"] or None)
    processed = processed_dir or parameters["processed_dir"] or None
    if not (demo or raw or processed):
        raise ValueError(
            "say which data the report is for: --raw DIR (a raw export), --processed DIR "
            "(already ingested), --demo (synthetic data), or raw_dir in params/<period>.yaml"
        )
    notebooks_dir = Path(notebooks_dir).resolve()
    sources = sorted(notebooks_dir.glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no notebooks (*.ipynb) in {notebooks_dir}")
    for path in sources:  # a notebook's own default below a floor: refused before anything runs
        check_notebook_floors(path)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    titles = {path.stem: _notebook_title(path, parameters["lang"]) for path in sources}
    if pdf:  # no Chromium: said now, not after the notebooks have run
        from .pdf import check_available

        chromium = check_available(chromium)
    from ..readers import IngestError

    # 1. prepare
    say(f"Report {period}: preparing the data …")
    t0 = time.perf_counter()
    given = {k: v for k, v in parameters.items() if k not in ("period", "raw_dir", "processed_dir", "results_dir")}
    try:
        ctx = stages.prepare(period, raw_dir=raw or "", processed_dir=processed or "", demo=demo, quiet=quiet, **given)
    except IngestError as exc:
        print(f"pilot-eval report: ERROR: {exc}\nThe data were not ingested; no report was written.", file=sys.stderr)
        return ReportResult(index=None, manifest={}, notebooks={}, exit_code=exc.exit_code)
    prepared = ctx.prepared
    processed_path = Path(prepared.processed_dir).resolve()
    if prepared.cut_date != parameters["cut_date"]:
        say(
            f"  note: the data in {processed_path} were cut on {prepared.cut_date}, not "
            f"{parameters['cut_date']}; the report uses {prepared.cut_date}"
        )
    report = prepared.ingest_report
    synthetic = demo or "ignored truth.json" in report.get("notices", [])
    say(
        f"  [data] {processed_path}  {'ingested' if prepared.ingested else 'up to date'}  "
        f"{time.perf_counter() - t0:.1f} s"
    )

    # 2. estimate, saved beside the report for the notebooks, with the previous report's headline
    language = parameters["lang"]
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    previous = series.previous_headline(out_dir, period, language, synthetic=synthetic)
    estimates = stages.estimate(ctx, previous=previous)
    work = stages.work_dir(out_dir, period, language)
    results_dir = estimates.save(work / "estimates")
    say(f"  [estimates] {results_dir}  {time.perf_counter() - t0:.1f} s")
    for what, why in estimates.errors.items():  # the pages that show it will fail with it
        print(f"pilot-eval report: WARNING: could not estimate {what}: {privacy.redact(why)}", file=sys.stderr)
    notebook_params = dict(
        parameters,
        processed_dir=str(processed_path),
        raw_dir="",
        cut_date=prepared.cut_date,
        results_dir=str(results_dir),
    )

    final = render.published_dir(out_dir, period, language)
    # 3. execute, in the working folder
    say(f"Executing {len(sources)} notebooks from {notebooks_dir} ({min(jobs, len(sources))} at a time) …")
    executed = stages.execute(
        sources, work, notebook_params, titles=titles, jobs=jobs, timeout=timeout, previous=work, say=say
    )
    # 3b. the disclosure audit of every page's figures together
    t0 = time.perf_counter()
    try:
        disclosure = stages.audit_disclosure(
            executed, sources, notebook_params, titles=titles, jobs=jobs, timeout=timeout, say=say
        )
    except RuntimeError as exc:
        print(f"pilot-eval report: ERROR: {exc}\nNothing was published.", file=sys.stderr)
        series.write_index(out_dir)
        return ReportResult(index=None, manifest={}, notebooks={}, exit_code=1)
    summary = disclosure.summary()
    shown, before = summary["published"], summary["before_report_audit"]["published"]
    say(
        f"  [disclosure] {summary['cells']} figures audited across all pages, {shown} shown "
        f"({before} when each table was protected on its own)  {time.perf_counter() - t0:.1f} s"
    )
    if disclosure.unprotected:
        cells = "\n".join(f"    {cell}" for cell in disclosure.unprotected)
        print(
            f"pilot-eval report: ERROR: the disclosure audit could not protect these cells:\n{cells}\n"
            f"Nothing was published; the audit is in {work / 'disclosure_audit.json'}.",
            file=sys.stderr,
        )
        series.write_index(out_dir)
        return ReportResult(index=None, manifest={}, notebooks={}, exit_code=1)
    # 4. publish: the pages into the published folder, the rest stays in the working folder
    from .pdf import PdfError

    t0 = time.perf_counter()
    try:
        published = stages.publish(
            ctx,
            executed,
            final,
            parameters=notebook_params,
            sources=sources,
            synthetic=synthetic,
            disclosure=summary,
            patches=disclosure.patches,
            pdf=pdf,
            chromium=chromium,
        )
    except PdfError as exc:
        print(
            f"pilot-eval report: ERROR: {exc}\nNothing was published; {final} is as it was.",
            file=sys.stderr,
        )
        return ReportResult(index=None, manifest={}, notebooks={}, exit_code=1)
    if pdf:
        printed = ", ".join(sorted(p.name for p in final.glob("*.pdf")))
        say(f"  [pdf] {printed}  {time.perf_counter() - t0:.1f} s (with the pages)")

    manifest, failed = published.manifest, published.failed
    series.save_headline(work, estimates, period=period, cut_date=prepared.cut_date, synthetic=synthetic)
    if int(report.get("exit_status", 0)) == 1:
        print(
            f"WARNING: ingest quarantined more rows than its threshold in {processed_path}; "
            f"see its ingest_report.json and the GX Data Docs in {work / 'data_docs'}",
            file=sys.stderr,
        )
    for entry in failed:
        print(_failure_text(entry, work), file=sys.stderr)
    if failed:
        print(
            f"{len(failed)} of {len(manifest['notebooks'])} notebooks failed; the rest of the report was rendered.",
            file=sys.stderr,
        )
    reports_index = series.write_index(out_dir)[0]
    say(f"  every report in this folder: {reports_index}")
    say(f"  analysts' working folder: {work / 'index.html'}")
    say(published.index)
    return ReportResult(
        index=published.index,
        manifest=manifest,
        notebooks={e["name"]: e["status"] for e in manifest["notebooks"]},
        exit_code=manifest["exit_code"],
    )
