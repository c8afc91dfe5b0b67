"""The ``pilot-eval`` command.

``pilot-eval demo-data``  write a synthetic Botkyrka export with known true effects
``pilot-eval ingest``     raw export → validated processed tables (+ quarantine, report)
``pilot-eval quickstart`` demo data → ingest → summary of every row
``pilot-eval report``     a period's quarterly report: every notebook rendered to reports/<period>/<lang>/
``pilot-eval lab``        JupyterLab in notebooks/ with the project's kernel
``pilot-eval map suggest`` draft a mapping file from an HR system's own export (docs/mapping.md)

Exit status of ``ingest``: 0 all good; 1 too many rows quarantined (tables written for
inspection); 2 a structural or privacy problem in the data, or a broken expectation
suite (nothing written); 3 an internal error, a bug (nothing written; the traceback goes
to a log file named in the message, or to the terminal with --debug); 4 the output cannot
be written, the disk is full or the folder read-only (nothing changed). Of ``report``: 0
every notebook ran, 1 at least one failed (the rest is rendered), 2 bad arguments or data
(or ``--pdf`` without Chromium or Playwright: nothing run, nothing written), 4 the output
cannot be written (disk full, read-only folder: the published report is unchanged).
``demo-data`` and ``quickstart`` also give 4 when they cannot write.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import __version__, paths
from .errors import OutputError, output_error

__all__ = ["format_summary", "main"]


INGEST_EXIT_STATUS = """exit status:
  0  all good
  1  a table's quarantined share is above --quarantine-threshold (tables written for inspection)
  2  a structural or privacy problem in the data (unreadable or empty file, missing table or
     required column, direct identifiers), or a broken expectation suite: nothing written
  3  internal error (a bug): nothing written; the message names a log file with the
     traceback (--debug prints it)
  4  the output cannot be written: the disk is full (or the quota used up) or the folder is
     read-only; nothing changed"""


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def format_summary(report: dict, out_dir: Path | str) -> str:
    """The ingest summary :func:`pilot_eval.ingest.ingest_summary` (kept under this name
    for its callers; :meth:`pilot_eval.ingest.IngestResult.summary` is the usual way)."""
    from .ingest import ingest_summary

    return ingest_summary(report, out_dir)


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from .demo import generate, write_export

    if args.layout and (args.swedish or args.excel or args.encoding):
        print(
            "pilot-eval demo-data: ERROR: --layout writes the system's own files; give it without "
            "--swedish, --excel or --encoding",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    try:
        export = generate(
            seed=args.seed,
            scenario=args.scenario,
            scale=args.scale,
            start=args.start,
            end=args.end,
            cut_date=args.cut_date,
            rollout=args.rollout,
            pilot_continues=args.pilot_continues,
        )
        if args.layout:
            from .demo_layouts import write_layout

            paths = write_layout(export, args.out, args.layout)
        else:
            paths = write_export(export, args.out, swedish=args.swedish, excel=args.excel, encoding=args.encoding)
    except ValueError as exc:
        print(f"pilot-eval demo-data: ERROR: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        unwritable = output_error(exc, args.out)
        if unwritable is None:
            raise
        print(
            f"pilot-eval demo-data: {unwritable}. Each file is replaced whole or not at all; "
            "free some space (or choose another --out) and run again.",
            file=sys.stderr,
        )
        return unwritable.exit_code
    if not args.quiet:
        print(
            f"Wrote a synthetic Botkyrka export (scenario {args.scenario}, seed {args.seed}, "
            f"scale {args.scale:g}{', as ' + args.layout + ' writes it' if args.layout else ''}) "
            f"to {args.out} in {time.perf_counter() - t0:.1f} s:"
        )
        for path in paths:
            print(f"  {path.name}")
        for table, frame in export.tables.items():
            print(f"  {table:<19}{_fmt_int(len(frame)):>10} rows")
        if args.layout:
            print(f"Ingest it with: pilot-eval ingest --raw {args.out} --out OUT --mapping {args.layout}")
    return 0


def _traceback_text() -> str:
    """The traceback of the exception being handled, through the privacy guard's
    redaction (an exception text can quote a cell or a header)."""
    import traceback

    from .privacy import redact

    return redact(traceback.format_exc())


def _traceback_log(command: str) -> Path | None:
    """Write the traceback of the exception being handled to a log file (redacted, see
    :func:`_traceback_text`); its path."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=f"pilot-eval-{command}-", suffix=".log")
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(f"pilot_eval {__version__}, {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            fh.write(f"command: {' '.join(sys.argv)}\n\n")
            fh.write(_traceback_text())
        return Path(name)
    except OSError:
        return None


def _cmd_ingest(args: argparse.Namespace) -> int:
    """``pilot-eval ingest``. What it prints (text, ``--json``, the traceback log) quotes
    no value the privacy guard refuses: ingest's errors and report are scrubbed by
    :mod:`pilot_eval.ingest`, and everything else passes :func:`pilot_eval.privacy.redact`
    here."""
    from .errors import IngestError, SuiteError
    from .ingest import ingest
    from .privacy import redact, scrub_error

    def fail(code: int, message: str, error: dict) -> int:
        if args.json:
            safe = {k: redact(v) if isinstance(v, str) else v for k, v in error.items()}
            print(json.dumps({**safe, "exit_code": code}, ensure_ascii=False))
        print(redact(message), file=sys.stderr)
        return code

    try:
        result = ingest(
            args.raw,
            args.out,
            cut_date=args.cut_date,
            quarantine_threshold=args.quarantine_threshold,
            data_docs=not args.no_data_docs,
            mapping=getattr(args, "mapping", None),
        )
    except IngestError as exc:
        scrub_error(exc)
        return fail(exc.exit_code, f"pilot-eval ingest: ERROR: {exc}\nNothing was written.", exc.to_dict())
    except OutputError as exc:  # disk full, read-only: not a bug, not the data
        return fail(exc.exit_code, f"pilot-eval ingest: {exc}. Nothing was changed.", exc.to_dict())
    except SuiteError as exc:
        if getattr(args, "debug", False):
            print(_traceback_text(), end="", file=sys.stderr)
        return fail(
            2,
            f"pilot-eval ingest: ERROR: broken expectation suite: {exc}\nNothing was written.",
            {"error": f"broken expectation suite: {exc}"},
        )
    except Exception as exc:  # a bug, not a data problem: say so, keep the traceback
        if getattr(args, "debug", False):
            print(_traceback_text(), end="", file=sys.stderr)
            where = "the traceback is above"
        else:
            log = _traceback_log("ingest")
            where = (
                f"the traceback is in {log}" if log else "the traceback could not be saved"
            ) + "; run again with --debug to print it"
        detail = redact(" ".join(f"{type(exc).__name__}: {exc}".split()))[:300]
        cause = (
            "A file could not be read or written (disk full? permissions?)"
            if isinstance(exc, OSError)
            else "This is a bug in pilot_eval, not a problem with the data"
        )
        return fail(
            3,
            f"pilot-eval ingest: INTERNAL ERROR ({detail}). {cause}; the output directory was not "
            f"changed. {where[0].upper()}{where[1:]}.",
            {"error": f"internal error: {detail}"},
        )
    if args.json:
        print(json.dumps(result.report, ensure_ascii=False, indent=2))
    elif not args.quiet:
        print(result.summary(Path(args.out)))
    return result.exit_code


def _cmd_map_check(args: argparse.Namespace) -> int:
    """``pilot-eval map check FILE``: 0 when the mapping can be used as it is, 2 with each
    error or TODO (file, line, key) when not."""
    from .errors import MappingError
    from .mapping import load_mapping

    try:
        mapping = load_mapping(args.mapping)
    except MappingError as exc:
        print(f"pilot-eval map check: ERROR: {exc.message}", file=sys.stderr)
        return 2
    if mapping.todos:
        print(f"pilot-eval map check: {mapping.path.name} has {len(mapping.todos)} undecided TODO entries:")
        for line, path, text in mapping.todos:
            print(f"  {mapping.path.name}, line {line}: {path}: {text}")
        return 2
    print(f"{mapping.path.name}: ok ({len(mapping.data['tables'])} tables from {len(mapping.data['sources'])} sources)")
    return 0


def _cmd_contract(args: argparse.Namespace) -> int:
    """``pilot-eval contract``: the data request for HR (Markdown and printable HTML), or
    with ``--docs`` docs/contract.md, both generated from :mod:`pilot_eval.contract`."""
    from .data_request import FILE_NAMES, contract_markdown, data_request

    if args.docs:
        target = paths.PROJECT_ROOT / "docs" / "contract.md"
        target.write_text(contract_markdown(), encoding="utf-8")
        print(target)
        return 0
    out = Path(args.out) if args.out else paths.REPORTS_DIR / "data-request"
    out.mkdir(parents=True, exist_ok=True)
    markdown, page = data_request(args.lang)
    for suffix, text in ((".md", markdown), (".html", page)):
        target = out / f"{FILE_NAMES[args.lang]}{suffix}"
        target.write_text(text, encoding="utf-8")
        print(target)
    return 0


def _cmd_quickstart(args: argparse.Namespace) -> int:
    from .demo import DEFAULT_END
    from .paths import PROCESSED_DIR, RAW_DIR

    raw = Path(args.raw) if args.raw else RAW_DIR / "demo"
    out = Path(args.out) if args.out else PROCESSED_DIR / "demo"
    print(f"1/2 Generating the synthetic Botkyrka export in {raw} …", flush=True)
    demo_args = argparse.Namespace(
        out=raw,
        seed=args.seed,
        scenario=args.scenario,
        scale=1.0,
        start="2021-01-01",
        end=DEFAULT_END,  # a cut of the one demo history, as the reports' demo data are
        cut_date=args.cut_date,
        rollout="default",
        pilot_continues=False,
        swedish=False,
        excel=False,
        encoding=None,
        quiet=False,
    )
    code = _cmd_demo_data(demo_args)
    if code:
        return code
    print(f"\n2/2 Ingesting and validating with Great Expectations into {out} …", flush=True)
    t0 = time.perf_counter()
    code = _cmd_ingest(
        argparse.Namespace(
            raw=raw,
            out=out,
            cut_date=args.cut_date,
            quarantine_threshold=0.05,
            no_data_docs=False,
            json=False,
            quiet=False,
            debug=False,
        )
    )
    print(f"\nDone in {time.perf_counter() - t0:.1f} s (ingest). Exit status {code}.")
    return code


def _cmd_report(args: argparse.Namespace) -> int:
    from .report.pdf import PdfUnavailable
    from .report.runner import parse_param, run_report

    try:
        overrides = dict(parse_param(p) for p in args.param)
        result = run_report(
            args.period,
            raw_dir=args.raw,
            demo=args.demo,
            processed_dir=args.processed,
            out_dir=args.out,
            lang=args.lang,
            jobs=args.jobs,
            params=overrides,
            params_file=args.params_file,
            notebooks_dir=args.notebooks,
            timeout=args.timeout,
            pdf=args.pdf,
        )
    except (ValueError, PdfUnavailable) as exc:
        print(f"pilot-eval report: ERROR: {exc}", file=sys.stderr)
        return 2
    except (OutputError, OSError) as exc:  # disk full, read-only (in ingest, the estimates, the pages)
        unwritable = exc if isinstance(exc, OutputError) else output_error(exc, args.out)
        if unwritable is None:
            raise
        print(f"pilot-eval report: {unwritable}. The published report was not changed.", file=sys.stderr)
        return unwritable.exit_code
    return result.exit_code


#: The kernel a new notebook gets in JupyterLab: the project's, registered by ``run.py``.
LAB_KERNEL = "python3"

#: How ``pilot-eval lab`` replaces itself with JupyterLab (replaced in tests).
_exec = os.execv

ROOT_MESSAGE = (
    "pilot-eval lab: ERROR: this is the root user, and JupyterLab refuses to run as root "
    "unless told to. Run it as an ordinary user, or, if root is what you mean, say so:\n"
    "  pilot-eval lab -- --allow-root\n"
    "  python3 run.py lab -- --allow-root"
)


def _jupyter_lab_program() -> list[str]:
    """The venv's ``jupyter-lab`` (beside this Python), else ``python -m jupyterlab``."""
    script = Path(sys.executable).with_name("jupyter-lab.exe" if os.name == "nt" else "jupyter-lab")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jupyterlab"]


def lab_command(notebooks_dir: str | Path = paths.NOTEBOOKS_DIR, extra: list[str] | None = None) -> list[str]:
    """The command that starts JupyterLab in ``notebooks_dir`` with this Python's
    Jupyter, new notebooks on the project's kernel (:data:`LAB_KERNEL`)."""
    return [
        *_jupyter_lab_program(),
        f"--ServerApp.root_dir={Path(notebooks_dir).resolve()}",
        f"--MappingKernelManager.default_kernel_name={LAB_KERNEL}",
        *(extra or []),
    ]


def _run_forwarding_signals(command: list[str]) -> int:
    """Run ``command`` as a child, pass SIGINT and SIGTERM on to it and wait for it (where
    the process cannot replace itself with JupyterLab)."""
    import signal

    with subprocess.Popen(command) as server:

        def forward(signum, _frame):
            server.send_signal(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return server.wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _cmd_lab(args: argparse.Namespace) -> int:
    if not Path(args.notebooks).is_dir():
        print(f"pilot-eval lab: ERROR: {args.notebooks} is not a folder", file=sys.stderr)
        return 2
    extra = args.jupyter_args[1:] if args.jupyter_args[:1] == ["--"] else args.jupyter_args
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        print(ROOT_MESSAGE, file=sys.stderr)
        return 2
    command = lab_command(args.notebooks, extra)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "nt":  # on Windows exec starts a new process instead of replacing this one
        try:
            # JupyterLab takes this process's place: Ctrl-C and SIGTERM reach the server
            # itself, which shuts down its kernels; nothing is left running behind it
            _exec(command[0], command)
        except OSError as exc:
            print(f"pilot-eval lab: could not replace itself with JupyterLab ({exc}); running it as a child")
    return _run_forwarding_signals(command)


MAP_SUGGEST_EXIT_STATUS = """exit status:
  0  the draft was written (its TODOs, if any, are listed)
  2  bad input: the raw directory or a file cannot be read, a file holds a direct identifier,
     or --out exists (use --force): nothing written
  4  the draft could not be written (disk full, read-only, no such folder)"""


def _cmd_map_suggest(args: argparse.Namespace) -> int:
    """``pilot-eval map suggest``: draft a mapping, print what it decided and what not."""
    from .errors import IngestError
    from .mapping import suggest_mapping
    from .privacy import redact, scrub_error

    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"pilot-eval map suggest: ERROR: {out} exists; use --force to replace it", file=sys.stderr)
        return 2
    try:
        result = suggest_mapping(args.raw, profile=args.profile)
    except IngestError as exc:
        scrub_error(exc)
        print(redact(f"pilot-eval map suggest: ERROR: {exc}\nNothing was written."), file=sys.stderr)
        return exc.exit_code
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(result.text, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        print(f"pilot-eval map suggest: ERROR: cannot write {out} ({exc.strerror or exc})", file=sys.stderr)
        return 4
    print(result.summary(out))
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1, not {text}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a share between 0 and 1 (0.05 = 5 %), not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pilot-eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"pilot_eval {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo-data", help="write a synthetic Botkyrka export with known true effects")
    demo.add_argument("--out", required=True, type=Path, help="directory to write the export to")
    demo.add_argument("--seed", type=int, default=2023)
    demo.add_argument("--scenario", default="delay", help="none | delay | deterrence | large (default delay)")
    demo.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 = Botkyrka)")
    demo.add_argument("--start", default="2021-01-01", help="first day of the window")
    demo.add_argument("--end", default="2026-02-28", help="last publication day of the history (default 2026-02-28)")
    demo.add_argument(
        "--cut-date",
        default=None,
        help="data cut date: what was known that day of the seed's one history, the same for every "
        "cut (default: --end)",
    )
    demo.add_argument("--rollout", default="default", choices=["default", "staggered"])
    demo.add_argument("--pilot-continues", action="store_true", help="the pilot has no end date")
    demo.add_argument(
        "--swedish", action="store_true", help="Swedish headers and labels, semicolons, decimal commas, Windows-1252"
    )
    demo.add_argument("--excel", action="store_true", help="write .xlsx workbooks instead of CSV")
    demo.add_argument("--encoding", default=None, help="with --swedish: cp1252 (default) or utf-8-sig")
    demo.add_argument(
        "--layout",
        choices=paths.PROFILES,
        default=None,
        help="write the export as that system writes it (ingest it with --mapping of the same name; "
        "docs/mapping.md, Shipped profiles)",
    )
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=_cmd_demo_data)

    ing = sub.add_parser(
        "ingest",
        help="validate a raw export and write processed tables",
        description="Read a raw export (one file per table), refuse direct identifiers, "
        "parse and validate every row (GX suites in expectations/), and "
        "replace --out as a whole with the processed tables, quarantine/, "
        "ingest_report.json and the GX Data Docs.",
        epilog=INGEST_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ing.add_argument("--raw", required=True, type=Path, help="directory with one file per table")
    ing.add_argument("--out", required=True, type=Path, help="processed directory to write")
    ing.add_argument("--cut-date", default=None, help="data cut date YYYY-MM-DD (default: today)")
    ing.add_argument(
        "--quarantine-threshold",
        type=_share,
        default=0.05,
        help="exit 1 when a table's quarantined share exceeds this (default 0.05)",
    )
    ing.add_argument("--no-data-docs", action="store_true", help="skip building GX Data Docs")
    ing.add_argument(
        "--mapping",
        default=None,
        help="a mapping file (or a shipped profile's name: teamtailor, easycruit, platsbanken) for an "
        "export in an HR system's own layout; see docs/mapping.md",
    )
    out = ing.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the ingest report as JSON")
    out.add_argument("--quiet", action="store_true", help="print nothing but errors")
    ing.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    ing.set_defaults(func=_cmd_ingest)

    mp = sub.add_parser("map", help="draft and check mapping files for an HR system's own export (docs/mapping.md)")
    map_sub = mp.add_subparsers(dest="map_command", required=True, metavar="COMMAND")
    check = map_sub.add_parser("check", help="check a mapping file: errors and undecided TODO entries, with lines")
    check.add_argument("mapping", help="a mapping file or a shipped profile's name")
    check.set_defaults(func=_cmd_map_check)
    suggest = map_sub.add_parser(
        "suggest",
        help="draft a mapping file from an HR system's own export",
        description="Read every CSV, Excel and JSON Lines file in --raw (refusing direct identifiers "
        "first), match headers and values against a vocabulary of contract names and Swedish and "
        "English synonyms, and write a draft mapping to --out. What it cannot decide is a TODO "
        "entry, which `pilot-eval ingest --mapping` refuses until it is edited.",
        epilog=MAP_SUGGEST_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    suggest.add_argument("--raw", required=True, type=Path, help="directory with the export's files")
    suggest.add_argument(
        "--profile", default=None, help="start from a shipped profile (teamtailor …) or a mapping file"
    )
    suggest.add_argument("--out", required=True, type=Path, help="the draft mapping file (YAML) to write")
    suggest.add_argument("--force", action="store_true", help="replace --out if it exists")
    suggest.set_defaults(func=_cmd_map_suggest)

    con = sub.add_parser(
        "contract",
        help="the data request for the HR department (Markdown and printable HTML), from the contract",
    )
    con.add_argument("--lang", choices=("sv", "en"), default="sv")
    con.add_argument("--out", default=None, help="folder to write to (default reports/data-request/)")
    con.add_argument("--docs", action="store_true", help="rewrite docs/contract.md instead")
    con.set_defaults(func=_cmd_contract)

    quick = sub.add_parser("quickstart", help="the README's main job on the built-in demo data")
    quick.add_argument("--raw", default=None, help="where to write the demo export (default data/raw/demo)")
    quick.add_argument("--out", default=None, help="processed directory (default data/processed/demo)")
    quick.add_argument("--seed", type=int, default=2023)
    quick.add_argument("--scenario", default="delay")
    quick.add_argument("--cut-date", default="2026-02-28")
    quick.set_defaults(func=_cmd_quickstart)

    from .report.parameters import PARAMETERS  # the names --param's help lists

    rep = sub.add_parser(
        "report",
        help="render every notebook for a period into reports/<period>/<lang>/",
        description="Execute every notebook in --notebooks with the period's parameters "
        "(papermill) and render them for readers (HTML without code, with a "
        "provenance footer) into <out>/<period>/<lang>/ and lists every report in "
        "<out>/index.html. Prints the path of the report's index.html last.",
    )
    rep.add_argument("--period", required=True, help="2025Q4, 2025H2, 2025-12 or 2025")
    data = rep.add_mutually_exclusive_group()
    data.add_argument("--raw", type=Path, default=None, help="raw export to ingest (unless already processed)")
    data.add_argument("--demo", action="store_true", help="use the synthetic Botkyrka export")
    rep.add_argument(
        "--processed",
        type=Path,
        default=None,
        help="processed folder (default data/processed/<period>, data/processed/demo/<period>)",
    )
    rep.add_argument(
        "--out",
        type=Path,
        default=paths.REPORTS_DIR,
        help="the reports folder: reports go to <out>/<period>/<lang>/ (default reports/)",
    )
    rep.add_argument(
        "--lang", choices=["sv", "en"], default=None, help="report language (default sv); each has its own folder"
    )
    rep.add_argument("--jobs", type=_positive_int, default=2, help="notebooks run at the same time (default 2)")
    rep.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"a notebook parameter ({', '.join(PARAMETERS)}), e.g. --param bootstrap_reps=199 (repeatable)",
    )
    rep.add_argument(
        "--params-file",
        type=Path,
        default=None,
        help="YAML file of parameters (default params/<period>.yaml if it exists)",
    )
    rep.add_argument("--timeout", type=_positive_int, default=600, help="seconds a notebook cell may run (default 600)")
    rep.add_argument(
        "--notebooks",
        type=Path,
        default=paths.NOTEBOOKS_DIR,
        help="folder of the notebooks (default notebooks/; subfolders are not run)",
    )
    rep.add_argument(
        "--pdf",
        action="store_true",
        help="also write the summary and the whole report as PDFs (A4, page numbers) into the "
        "published folder; needs Debian's chromium (apt-get install chromium)",
    )
    rep.set_defaults(func=_cmd_report)

    lab = sub.add_parser(
        "lab",
        help="start JupyterLab in notebooks/ with the project's kernel",
        description=(
            "Start JupyterLab in notebooks/ with the project's kernel. The command becomes "
            "JupyterLab (it replaces itself), so Ctrl-C or a SIGTERM stops the server and "
            "its kernels. As root it stops with exit status 2 unless --allow-root is passed "
            "on to JupyterLab: pilot-eval lab -- --allow-root (python3 run.py lab -- --allow-root)."
        ),
    )
    lab.add_argument("--notebooks", type=Path, default=paths.NOTEBOOKS_DIR, help="folder to open")
    lab.add_argument(
        "jupyter_args",
        nargs=argparse.REMAINDER,
        help="after --, passed on to jupyter lab: pilot-eval lab -- --port 8890 --no-browser (as root: --allow-root)",
    )
    lab.set_defaults(func=_cmd_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
