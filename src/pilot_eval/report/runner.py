"""``pilot-eval report``: every notebook of a period, executed and rendered for readers.

1. Parameters: :data:`~pilot_eval.report.context.PARAMETERS` defaults, then
   ``params/<period>.yaml`` (or ``params_file``), then ``lang`` and ``params`` given on
   the command line (:func:`resolve_parameters`).
2. Data: :func:`~pilot_eval.report.context.prepare_data` once (ingest only if needed);
   every notebook gets the prepared directory as ``processed_dir`` and reads nothing else.
3. Notebooks: every ``*.ipynb`` directly in the notebooks folder, in name order, executed
   by papermill (kernel ``python3``, working directory the notebooks folder), each in a
   Python process of its own whose output (and its kernel's) goes to the notebook's log,
   ``jobs`` at a time. A failed notebook does not stop the others.
4. Pages: each executed notebook rendered by :func:`pilot_eval.report.render.render_notebook`,
   an index page, ``manifest.json``, the GX Data Docs if the data have them.
5. The period's folder ``<out>/<period>`` is replaced only at the end (rendered in a
   temporary folder beside it, then swapped in), so that a failed or interrupted run
   leaves the previous report as it was. Nothing outside ``<out>/<period>`` is deleted.

Layout of ``<out>/<period>/``: ``index.html``, ``<notebook>.html``, ``manifest.json``,
``notebooks/<notebook>.ipynb`` (executed, with code), ``logs/<notebook>.stderr.txt``
(warnings the notebook wrote, not shown to readers), ``logs/<notebook>.log`` (kernel and
papermill messages, if any), ``data_docs/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import paths
from . import context, forkserver, render
from .parameters import PARAMS_DIR, parse_param, resolve_parameters

__all__ = ["KERNEL_NAME", "PARAMS_DIR", "ReportResult", "parse_param", "resolve_parameters", "run_report"]

#: The Jupyter kernel every notebook runs in (``run.py`` registers it in ``.venv``).
KERNEL_NAME = "python3"
#: Python's cycle collector in every notebook's kernel: a collection of the youngest
#: generation after 50,000 new container objects (Python's default is 700), the older ones
#: a little less often too. Importing pandas and matplotlib and building data frames
#: create hundreds of thousands of objects that live on, and the default thresholds
#: traverse them again and again: 8-12 % of the CPU time of the demo report's notebook
#: code, measured in one process, and about 4 % of a whole report's CPU in interleaved
#: runs (2026-12-03, docs/performance.md). Garbage in reference cycles waits a little
#: longer to be freed; everything else is freed as before.
KERNEL_GC_THRESHOLD = (50_000, 20, 20)
#: Arguments added to the kernel's command line (Jupyter's ``extra_arguments``): lines the
#: kernel runs before the notebook, without a name left behind or a history entry.
KERNEL_ARGUMENTS = (f'--IPKernelApp.exec_lines=__import__("gc").set_threshold{KERNEL_GC_THRESHOLD}',)
#: The summary for politicians is the notebook whose name starts with this.
SUMMARY_PREFIX = "00_"


@dataclass
class ReportResult:
    """What :func:`run_report` did.

    Attributes
    ----------
    index : Path or None
        ``<out>/<period>/index.html``; None when no report was written (the data could
        not be prepared).
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


@dataclass(frozen=True)
class _Job:
    """One notebook for a worker process (sent to it as JSON)."""

    name: str
    title: str
    source: str
    folder: str  # the report being written (temporary folder)
    parameters: dict
    timeout: int
    lang: str
    provenance: dict

    @property
    def ipynb(self) -> str:
        return f"notebooks/{self.name}.ipynb"

    @property
    def html(self) -> str:
        return f"{self.name}.html"

    @property
    def stderr_log(self) -> str:
        return f"logs/{self.name}.stderr.txt"

    @property
    def log(self) -> str:
        return f"logs/{self.name}.log"

    @property
    def result(self) -> str:
        return f".results/{self.name}.json"


def _error_of(exc: BaseException) -> dict:
    """Where and why a notebook stopped, from papermill's exception (or any other)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return {
            "cell_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    # a cell timeout, a kernel that died or did not start: papermill raises it as it is
    return {"cell_index": None, "execution_count": None, "ename": type(exc).__name__, "evalue": str(exc).strip()}


def _cell_with_error(nb) -> dict:
    """Index and execution count of the first cell with an error output (none: empty)."""
    for index, cell in enumerate(nb.cells):
        if any(output.output_type == "error" for output in cell.get("outputs", [])):
            return {"cell_index": index, "execution_count": cell.execution_count}
    return {}


def _entry(
    job: _Job,
    *,
    status: str,
    elapsed: float | None,
    error: dict | None,
    html: str | None = None,
    stderr_lines: int = 0,
    stderr_log: str | None = None,
) -> dict:
    """A notebook's entry in the manifest (``log`` is filled in by the parent process)."""
    folder = Path(job.folder)
    return {
        "name": job.name,
        "title": job.title,
        "status": status,
        "elapsed_seconds": None if elapsed is None else round(elapsed, 1),
        "html": html,
        "ipynb": job.ipynb if (folder / job.ipynb).is_file() else None,
        "error": error,
        "stderr_lines": stderr_lines,
        "stderr_log": stderr_log,
        "log": None,
    }


def _execute_and_render(job: _Job) -> dict:
    """Execute one notebook with papermill and render its page (in a worker process,
    whose stdout and stderr, inherited by the kernel, go to the notebook's log)."""
    import logging

    import nbformat
    import papermill

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    folder, source = Path(job.folder), Path(job.source)
    t0 = time.perf_counter()
    error = html = stderr_log = None
    stderr_lines = 0
    kernels = {}
    if os.environ.get(forkserver.ENV_ADDRESS):  # set only when the report started a server
        kernels["kernel_manager_class"] = forkserver.ForkingKernelManager
    try:
        papermill.execute_notebook(
            source,
            folder / job.ipynb,
            parameters=job.parameters,
            kernel_name=KERNEL_NAME,
            cwd=source.parent,
            execution_timeout=job.timeout,
            progress_bar=False,
            log_output=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
            **kernels,
        )
    except Exception as exc:  # noqa: BLE001 - the notebook failed; the report goes on with the others
        error = _error_of(exc)
    elapsed = time.perf_counter() - t0
    if (folder / job.ipynb).is_file():
        executed = nbformat.read(folder / job.ipynb, as_version=4)
        if error and error["cell_index"] is None:  # a timeout: the cell that stopped has an error output
            error.update(_cell_with_error(executed))
        reader, stderr = render.reader_copy(executed)
        if stderr:
            (folder / job.stderr_log).write_text("\n".join(stderr), encoding="utf-8")
            stderr_log = job.stderr_log
            stderr_lines = sum(len(chunk.splitlines()) - 1 for chunk in stderr)

        def page(failure):
            return render.render_notebook(
                reader, title=job.title, lang=job.lang, provenance=job.provenance, failure=failure, path=source.parent
            )

        try:
            text = page(error)
            fetches = render.external_fetches(text)
            if fetches and error is None:
                error = {
                    "cell_index": None,
                    "execution_count": None,
                    "ename": "ExternalFetch",
                    "evalue": f"the page would fetch {', '.join(sorted(set(fetches)))} from the internet: "
                    "show that output as an embedded image or a table instead",
                }
                text = page(error)
            (folder / job.html).write_text(text, encoding="utf-8")
            html = job.html
        except Exception as exc:  # noqa: BLE001 - nbconvert could not render it; the executed notebook is kept
            error = error or {
                "cell_index": None,
                "execution_count": None,
                "ename": f"{type(exc).__name__} (rendering)",
                "evalue": str(exc),
            }
    return _entry(
        job,
        status="failed" if error else "ok",
        elapsed=elapsed,
        error=error,
        html=html,
        stderr_lines=stderr_lines,
        stderr_log=stderr_log,
    )


def _worker(job_file: str) -> int:
    """``python -m pilot_eval.report.runner JOB.json``: run one job, write its entry."""
    job = _Job(**json.loads(Path(job_file).read_text(encoding="utf-8")))
    entry = _execute_and_render(job)
    (Path(job.folder) / job.result).write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    return 0


#: Threads of the linear-algebra libraries per worker. Notebooks run side by side (``--jobs``),
#: each with its own kernel; multi-threaded BLAS in every one of them on 2 cores made a QR
#: decomposition 20 times slower (0.56 s against 0.03 s single-threaded, measured), so each
#: kernel gets one thread unless the user's environment says otherwise.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def worker_environment() -> dict[str, str]:
    """The environment of a notebook worker (and its kernel): this one, plus :data:`BLAS_THREADS`
    where not set."""
    return {**BLAS_THREADS, **os.environ}


def _run_in_subprocess(job: _Job, env: dict[str, str] | None = None) -> dict:
    """Run a job in a fresh Python process (one kernel each, output to the job's log);
    ``env`` default :func:`worker_environment`."""
    folder = Path(job.folder)
    job_file = folder / ".results" / f"{job.name}.job.json"
    job_file.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    t0 = time.perf_counter()
    with open(folder / job.log, "wb") as log:
        code = subprocess.call(
            [sys.executable, "-m", __name__, str(job_file)],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            env=env or worker_environment(),
        )
    if code == 0 and (folder / job.result).is_file():
        entry = json.loads((folder / job.result).read_text(encoding="utf-8"))
    else:
        entry = _entry(
            job,
            status="failed",
            elapsed=time.perf_counter() - t0,
            error={
                "cell_index": None,
                "execution_count": None,
                "ename": "WorkerError",
                "evalue": f"the worker process exited with status {code}; see {job.log}",
            },
        )
    if (folder / job.log).stat().st_size == 0:
        (folder / job.log).unlink()
    else:
        entry["log"] = job.log
    return entry


def _compile_package() -> None:
    """Byte-compile pilot_eval's own modules, as pip does when it installs a package, so
    that every notebook's kernel (and worker) loads them instead of compiling them again:
    about 0.15 s per notebook where Python writes no bytecode itself (an editable install
    under ``PYTHONDONTWRITEBYTECODE``, as on CI). Files already compiled are skipped (a
    few milliseconds); a read-only installation is left as it is. Only this package's
    folder is written to (``__pycache__``, ignored by git)."""
    import compileall

    try:
        compileall.compile_dir(str(paths.PACKAGE_DIR), quiet=2, workers=1)
    except OSError:  # pragma: no cover - compileall reports write errors itself
        pass


def _schedule(todo: list[_Job], previous: Path) -> list[_Job]:
    """The order in which to start the notebooks: longest first by the elapsed times of
    the previous report in ``previous`` (its ``manifest.json``), so that the last
    notebooks to start are short ones and no core idles at the end while one long
    notebook runs alone; notebooks it did not time keep their place at the front. Without
    a previous report, the order of the files. The contents page keeps the files' order."""
    try:
        manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
        seconds = {
            e["name"]: float(e["elapsed_seconds"])
            for e in manifest.get("notebooks", [])
            if e.get("elapsed_seconds") is not None
        }
    except (OSError, ValueError, KeyError, TypeError):
        return list(todo)
    return sorted(todo, key=lambda job: -seconds.get(job.name, float("inf")))


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
    lines = [
        f"FAILED {entry['name']}" + (f" in {' '.join(where)}" if where else "") + ":",
        "    " + reason.replace("\n", "\n    "),
    ]
    if entry["ipynb"]:
        lines.append(f"    executed notebook (with the traceback): {folder / entry['ipynb']}")
    if entry.get("log"):
        lines.append(f"    kernel and papermill messages: {folder / entry['log']}")
    return "\n".join(lines)


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` (both in the same folder)."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old)


@contextlib.contextmanager
def _kernel_server():
    """The notebook workers' environment during a report, and the kernel fork server.

    Yields :func:`worker_environment` and, when kernels can be forked
    (:func:`forkserver.available`), the address of a
    :class:`~pilot_eval.report.forkserver.KernelForkServer` that lives as long as the block,
    and the server (None without one). It starts before the data are checked, so that its
    imports overlap with that."""
    env = worker_environment()
    if not forkserver.available():
        yield env, None
        return
    try:
        server = forkserver.KernelForkServer(env)
    except OSError as exc:  # e.g. a socket path too long for the system (a long TMPDIR)
        print(f"pilot-eval report: no kernel server ({exc}); kernels are started by Popen", file=sys.stderr)
        yield env, None
        return
    try:
        yield {**env, forkserver.ENV_ADDRESS: server.address}, server
    finally:
        server.close()


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
) -> ReportResult:
    """Render a period's quarterly report into ``<out_dir>/<period>/``.

    Parameters
    ----------
    period
        ``2025Q4``, ``2025H2``, ``2025-12`` or ``2025``.
    raw_dir
        A raw export to ingest (CSV or Excel, DESIGN.md §4), unless ``processed_dir``
        already holds it (same files by sha256, same cut date).
    demo
        Use the synthetic Botkyrka export (generated and ingested on first use).
    processed_dir
        Where the processed tables are (or go). Default ``data/processed/<period>``
        (``data/processed/demo/<period>`` with ``demo``).
    out_dir
        Reports folder; the report is ``<out_dir>/<period>/``.
    lang
        ``"sv"`` (default) or ``"en"``; overrides the params file.
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

    Returns
    -------
    ReportResult

    Raises
    ------
    ValueError
        Bad parameters (see :func:`resolve_parameters`), no data source given, a
        processed folder without data, no notebooks.
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
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    titles = {path.stem: _notebook_title(path, parameters["lang"]) for path in sources}

    with _kernel_server() as (env, server):
        from ..readers import IngestError

        say(f"Report {period}: preparing the data …")
        t0 = time.perf_counter()
        try:
            prepared = context.prepare_data(
                period,
                raw_dir=raw,
                processed_dir=processed,
                demo=demo,
                cut_date=parameters["cut_date"],
                seed=parameters["seed"],
                quiet=quiet,
            )
        except IngestError as exc:
            print(
                f"pilot-eval report: ERROR: {exc}\nThe data were not ingested; no report was written.", file=sys.stderr
            )
            return ReportResult(index=None, manifest={}, notebooks={}, exit_code=exc.exit_code)
        processed_path = Path(prepared.processed_dir).resolve()
        if prepared.cut_date != parameters["cut_date"]:
            say(
                f"  note: the data in {processed_path} were cut on {prepared.cut_date}, not "
                f"{parameters['cut_date']}; the report uses {prepared.cut_date}"
            )
        notebook_params = dict(parameters, processed_dir=str(processed_path), raw_dir="", cut_date=prepared.cut_date)
        report = prepared.ingest_report
        synthetic = demo or "ignored truth.json" in report.get("notices", [])
        say(
            f"  [data] {processed_path}  {'ingested' if prepared.ingested else 'up to date'}  "
            f"{time.perf_counter() - t0:.1f} s"
        )

        out_dir = Path(out_dir).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        final = out_dir / period
        tmp = Path(tempfile.mkdtemp(prefix=f".{period}.new-", dir=out_dir))
        try:
            for sub in ("notebooks", "logs", ".results"):
                (tmp / sub).mkdir()
            prov = render.provenance(period, notebook_params, report, cut_date=prepared.cut_date, synthetic=synthetic)
            language = parameters["lang"]
            todo = [
                _Job(
                    name=p.stem,
                    title=titles[p.stem],
                    source=str(p),
                    folder=str(tmp),
                    parameters=notebook_params,
                    timeout=timeout,
                    lang=language,
                    provenance=prov,
                )
                for p in sources
            ]
            width = max(len(job.name) for job in todo)
            workers = min(jobs, len(todo))
            _compile_package()
            say(f"Executing {len(todo)} notebooks from {notebooks_dir} ({workers} at a time) …")
            done: dict[str, dict] = {}
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(_run_in_subprocess, job, env): job for job in _schedule(todo, final)}
                for future in as_completed(futures):
                    job, entry = futures[future], future.result()
                    done[job.name] = entry
                    seconds = f"{entry['elapsed_seconds']:6.1f} s" if entry["elapsed_seconds"] is not None else ""
                    say(
                        f"  [{len(done)}/{len(todo)}] {job.name:<{width}}  "
                        f"{'ok' if entry['status'] == 'ok' else 'FAILED':<6}{seconds}"
                    )
            entries = [done[job.name] for job in todo]
            failed = [e for e in entries if e["status"] != "ok"]
            server_log = server.log() if server is not None else ""  # what it could not preload, why it did not fork
            if server_log:
                (tmp / "logs" / "kernel-server.log").write_text(server_log, encoding="utf-8")

            data_docs = None
            if (processed_path / "data_docs").is_dir():
                shutil.copytree(processed_path / "data_docs", tmp / "data_docs")
                if (tmp / "data_docs" / "index.html").is_file():
                    data_docs = "data_docs/index.html"
            ingest_warning = int(report.get("exit_status", 0)) == 1
            manifest = {
                "period": period,
                "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "lang": language,
                "parameters": notebook_params,
                "git_commit": prov["git_commit"],
                "versions": prov["versions"],
                "data": {
                    "processed_dir": str(processed_path),
                    "raw_dir": str(prepared.raw_dir or ""),
                    "cut_date": prepared.cut_date,
                    "synthetic": synthetic,
                    "ingested_now": prepared.ingested,
                    "ingest_exit_status": int(report.get("exit_status", 0)),
                    "data_docs": data_docs,
                },
                "input_files": prov["input_files"],
                "notebooks": entries,
                "exit_code": 1 if failed else 0,
            }
            (tmp / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (tmp / "index.html").write_text(
                render.render_contents(
                    period=period,
                    lang=language,
                    provenance=prov,
                    notebooks=entries,
                    data_docs=data_docs,
                    ingest_warning=ingest_warning,
                ),
                encoding="utf-8",
            )
            shutil.rmtree(tmp / ".results")
            if not any((tmp / "logs").iterdir()):
                (tmp / "logs").rmdir()
            _swap_in(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)

        if ingest_warning:
            print(
                f"WARNING: ingest quarantined more rows than its threshold in {processed_path}; "
                "see its ingest_report.json and data_docs",
                file=sys.stderr,
            )
        for entry in failed:
            print(_failure_text(entry, final), file=sys.stderr)
        if failed:
            print(
                f"{len(failed)} of {len(entries)} notebooks failed; the rest of the report was rendered.",
                file=sys.stderr,
            )
        index = final / "index.html"
        say(index)
        return ReportResult(
            index=index,
            manifest=manifest,
            notebooks={e["name"]: e["status"] for e in entries},
            exit_code=manifest["exit_code"],
        )


if __name__ == "__main__":  # a worker process, started by _run_in_subprocess
    # jsonschema (imported by nbformat) builds some 35 Earley parsers when it imports
    # rfc3987_syntax: 2-3 s in every worker (python-jsonschema/jsonschema#1428). It is
    # only used to check the "iri" format, which no notebook schema uses.
    sys.modules.setdefault("rfc3987_syntax", None)
    sys.exit(_worker(sys.argv[1]))
