"""What every report notebook starts from: the period, its data and its settings.

A notebook's ``parameters`` cell holds literals only (:data:`PARAMETERS` lists them with
their defaults); its next cell is::

    ctx = report.open_period(**report.notebook_parameters(globals()))

which resolves the derived values (cut date, window, directories), makes sure processed
data exist (ingesting the raw export, or generating and ingesting the built-in demo when
no directory is given) and loads them. ``pilot-eval report`` prepares the data and computes
the estimates once before it runs the notebooks (:mod:`pilot_eval.report.stages`), so that
they only load: it passes the saved estimates' folder as ``results_dir``, which
:attr:`Period.estimates` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths, periods, texts
from ..disclosure import Thresholds
from .parameters import PARAMETERS, check_floors, notebook_parameters, signature, with_defaults

__all__ = [
    "PARAMETERS",
    "Period",
    "PreparedData",
    "notebook_parameters",
    "open_period",
    "parse_period",
    "prepare_data",
    "default_processed_dir",
    "LAW_CHANGE",
    "WINDOW_END",
    "WINDOW_START",
]

#: First day of the default analysis window (the demo export starts here).
WINDOW_START = PARAMETERS["window_start"]
#: Last day of the default analysis window: the day before the 2026-03-01 law change (docs/estimation.md, "Window").
WINDOW_END = PARAMETERS["window_end"]
LAW_CHANGE = "2026-03-01"


def parse_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a report period.

    >>> [d.date().isoformat() for d in parse_period("2025Q4")]
    ['2025-10-01', '2025-12-31']
    >>> [d.date().isoformat() for d in parse_period("2024-02")]
    ['2024-02-01', '2024-02-29']
    >>> parse_period("Q4-2025")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: period 'Q4-2025' is not a period: write a quarter (2025Q4), half-year (2025H2), ...
    """
    return periods.bounds(period)


def default_processed_dir(period: str, demo: bool = True) -> Path:
    """Where a period's processed tables live: ``data/processed/demo/<period>`` for the
    demo, ``data/processed/<period>`` for a real export."""
    return paths.PROCESSED_DIR / "demo" / period if demo else paths.PROCESSED_DIR / period


def _demo_raw_dir(period: str) -> Path:
    return paths.RAW_DIR / "demo" / period


@dataclass
class PreparedData:
    """Processed data ready for a period's notebooks."""

    processed_dir: Path
    raw_dir: Path | None
    cut_date: str
    ingested: bool  # True if this call ran ingest
    ingest_report: dict = field(repr=False, default_factory=dict)

    @property
    def exit_status(self) -> int:
        return int(self.ingest_report.get("exit_status", 0))


def _report_of(processed_dir: Path) -> dict | None:
    path = processed_dir / paths.INGEST_REPORT_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _up_to_date(report: dict | None, raw_dir: Path | None, cut_date: str) -> bool:
    """Processed data match the raw export (same files, same bytes) and the cut date, and
    were ingested by this version's ingest (its report's ``format``)."""
    from ..ingest import REPORT_FORMAT

    if report is None or report.get("cut_date") != cut_date or report.get("format") != REPORT_FORMAT:
        return False
    if raw_dir is None:
        return True
    from ..readers import sha256_file

    for info in report.get("tables", {}).values():
        src = raw_dir / info["source"]["file"]
        if not src.is_file() or sha256_file(src) != info["source"]["sha256"]:
            return False
    return True


def _demo_is_cut_of(raw: Path, seed: int) -> bool:
    """The demo export in ``raw`` is a cut of this seed's history as the generator makes it now."""
    from ..demo import DEFAULT_END, HISTORY

    try:
        truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    same = truth.get("seed") == seed and truth.get("history") == HISTORY
    return same and truth.get("window", {}).get("end") == DEFAULT_END


def prepare_data(
    period: str,
    *,
    raw_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    demo: bool | None = None,
    cut_date: str | None = None,
    seed: int = 2023,
    quiet: bool = True,
) -> PreparedData:
    """Make sure ``processed_dir`` holds the period's processed tables, ingesting if needed.

    Parameters
    ----------
    period
        Report period (:func:`parse_period`).
    raw_dir
        A raw export (CSV or Excel, docs/contract.md). Ingested into ``processed_dir`` unless
        that already holds data from the same files (sha256) and cut date.
    processed_dir
        Default :func:`default_processed_dir`.
    demo
        Generate the synthetic Botkyrka export (``data/raw/demo/<period>``) as the cut at
        the cut date of the seed's one synthetic history (:func:`pilot_eval.demo.generate`
        with its default window) and ingest it. Default: True when neither ``raw_dir`` nor an
        existing ``processed_dir`` is given.
    cut_date
        Default: the last day of the period.

    Raises
    ------
    ValueError
        Both ``raw_dir`` and ``demo``; or ``processed_dir`` holds no processed data and
        there is nothing to ingest.
    pilot_eval.readers.IngestError
        Ingest refused the export (structure, privacy): nothing was written.
    """
    _, last = parse_period(period)
    cut = cut_date or last.date().isoformat()
    if raw_dir and demo:
        raise ValueError("give either a raw export directory or demo=True, not both")
    # absolute: a notebook's relative "../data/processed/2025Q4" means the same to ingest,
    # to GX's Data Docs (which refuse a relative directory) and to the report's readers
    raw = Path(raw_dir).expanduser().resolve() if raw_dir else None
    if processed_dir:
        out = Path(processed_dir).expanduser().resolve()
    else:
        out = default_processed_dir(period, demo=raw is None).resolve()
    report = _report_of(out)
    if demo is None:
        demo = raw is None and (not processed_dir or report is None)
    if demo:
        raw = _demo_raw_dir(period)
        if not _up_to_date(report, None, cut) or not _demo_is_cut_of(raw, seed):
            from ..demo import generate, write_export

            # every period is a cut of one history (the seed's, to the generator's end):
            # two periods agree on everything settled before the earlier cut
            write_export(generate(seed=seed, cut_date=cut), raw)
            report = None
    if raw is None:
        if report is None:
            raise ValueError(
                f"{out} holds no processed data (no ingest_report.json); give the raw export "
                "directory (raw_dir / --raw) or use the demo data (--demo)"
            )
        from ..ingest import REPORT_FORMAT

        if report.get("format") != REPORT_FORMAT:
            raise ValueError(
                f"{out} was ingested by an older pilot_eval (its ingest_report.json has format "
                f"{report.get('format', 1)}, this version reads {REPORT_FORMAT}): ingest the export again "
                f"(pilot-eval ingest --raw DIR --out {out}), or give raw_dir / --raw so that the report does"
            )
        return PreparedData(out, None, report["cut_date"], False, report)
    if _up_to_date(report, raw, cut):
        return PreparedData(out, raw, cut, False, report)
    from ..ingest import ingest

    result = ingest(raw, out, cut_date=cut)
    if not quiet:  # the account of every row, as `pilot-eval ingest` prints it
        print(result.summary(out), flush=True)
    return PreparedData(out, raw, cut, True, result.report)


@dataclass
class Period:
    """A report period's data and settings, as every notebook uses them.

    Attributes
    ----------
    period : str
    first_day, cut_date : Timestamp
        First day of the period and the data cut date.
    window : tuple of str
        (first, last) publication dates analysed: ``window_start`` to the earlier of
        ``window_end`` and the cut date.
    lang : {"sv", "en"}
    thresholds : Thresholds
    tables : dict of DataFrame
        The processed tables restricted to the window (applications and checks follow
        their vacancy); ``all_tables`` unrestricted.
    ingest_report : dict
    parameters : dict
        The notebook parameters as given.
    prepared : PreparedData
        What :func:`prepare_data` found or did (ingested now or not).
    results_dir : str
        The folder of the report's saved estimates (:meth:`pilot_eval.report.stages.ReportEstimates.save`);
        "" = :attr:`estimates` computes them.
    """

    period: str
    first_day: pd.Timestamp
    cut_date: pd.Timestamp
    window: tuple[str, str]
    lang: str
    thresholds: Thresholds
    processed_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)
    all_tables: dict[str, pd.DataFrame] = field(repr=False)
    ingest_report: dict = field(repr=False)
    parameters: dict = field(repr=False)
    bootstrap_reps: int = 999
    seed: int = 2023
    results_dir: str = ""
    prepared: PreparedData | None = field(default=None, repr=False)  # what prepare_data did

    @property
    def estimates(self):
        """The report's estimates (:class:`pilot_eval.report.stages.ReportEstimates`), read once:
        from ``results_dir`` when given (what the report's estimate stage saved, checked to be
        of these data and settings), otherwise computed here by
        :func:`pilot_eval.report.stages.estimate`, with the same numbers."""
        cache = self.__dict__.setdefault("_cache", {})
        if "estimates" not in cache:
            from . import stages

            if self.results_dir:
                cache["estimates"] = stages.ReportEstimates.load(self.results_dir).check(self)
            else:
                cache["estimates"] = stages.estimate(self)
        return cache["estimates"]

    @property
    def vacancies(self) -> pd.DataFrame:
        return self.tables["vacancies"]

    @property
    def applications(self) -> pd.DataFrame:
        return self.tables["applications"]

    @property
    def background_checks(self) -> pd.DataFrame:
        return self.tables["background_checks"]

    @property
    def pilot_rollout(self) -> pd.DataFrame:
        return self.tables["pilot_rollout"]

    @property
    def staffing(self) -> pd.DataFrame | None:
        return self.tables.get("staffing_monthly")

    def text(self, sv: str, en: str) -> str:
        """The sentence in the report's language."""
        return sv if self.lang == "sv" else en

    @property
    def ledger(self):
        """This notebook's part of the report's disclosure ledger
        (:class:`pilot_eval.report.ledger.PageLedger`): every table published and count
        printed, for the audit of the whole report."""
        cache = self.__dict__.setdefault("_cache", {})
        if "ledger" not in cache:
            from .ledger import PageLedger

            cache["ledger"] = PageLedger()
        return cache["ledger"]

    def publish(
        self,
        table: pd.DataFrame,
        *,
        measures: dict[str, str] | None = None,
        shown: str = "table",
        **options,
    ):
        """:func:`pilot_eval.disclosure.publish` with this period's thresholds, registered in
        the report's ledger (:attr:`ledger`; ``measures``: count column → the measure it is,
        where the column's name does not say it, e.g. ``{"n": "n_offers"}``; ``shown``:
        ``"table"`` or ``"chart"``). In a report run after an audit that withheld more, the
        cells it withheld in this table are withheld here too."""
        from ..disclosure import publish

        withhold = self.ledger.next_withhold()
        protected = publish(table, thresholds=self.thresholds, withhold=withhold or None, **options)
        self.ledger.add_table(protected, measures=measures, shown=shown)
        return protected

    def count(self, n: float, measure: str, groups: dict | None = None) -> str:
        """A count for running text (:func:`pilot_eval.report.findings.count_text`), registered
        in the report's ledger as ``measure`` for ``groups`` (e.g. ``"n_checks"``,
        ``{"check_type": "court_and_credit"}``: the same key as the cell of a table that
        shows it) where it is printed exactly. A count the audit withholds, or of 1–4, is
        said in words ("färre än 5", "ett antal som inte redovisas")."""
        from .findings import EXACT_BELOW, count_text

        text = count_text(n, self.lang, self.thresholds.min_count)
        if round(float(n)) >= EXACT_BELOW:  # printed rounded to 10 or 100
            return text
        withheld = self.ledger.count(
            round(float(n)), measure=measure, groups=groups, min_count=self.thresholds.min_count, lang=self.lang
        )
        return withheld or text


def open_period(period: str = PARAMETERS["period"], **params: object) -> Period:
    """Resolve a notebook's parameters (:data:`PARAMETERS`, keyword arguments) and load its data.

    Empty strings mean "derive": ``cut_date`` is the last day of ``period``;
    ``processed_dir`` the demo's (generated and ingested on first use). A parameter not
    given keeps its default; a name that is not a parameter is a ValueError that lists them,
    and so is a disclosure threshold (``min_count``, ``min_denominator``, ``min_n``) below
    its floor (:func:`~pilot_eval.report.parameters.check_floors`), before any data are read.
    ``results_dir``: where :attr:`Period.estimates` reads the report's saved estimates
    ("" = computes them). ``_demo`` and ``_quiet`` are :func:`prepare_data`'s ``demo`` and
    ``quiet`` (for :func:`pilot_eval.report.stages.prepare`).
    """
    _demo, _quiet = params.pop("_demo", None), params.pop("_quiet", True)
    params = with_defaults({"period": period, **params}, "open_period")
    # before any data are read: a notebook's own default below a floor is refused here,
    # where nothing was injected (opened alone in JupyterLab)
    check_floors(params, "open_period")
    # the parameters under the names the rest of this function uses
    period, processed_dir, raw_dir, cut_date = (params[k] for k in ("period", "processed_dir", "raw_dir", "cut_date"))
    window_start, window_end, lang = params["window_start"], params["window_end"], texts.check_lang(params["lang"])
    min_count, min_denominator, min_n = params["min_count"], params["min_denominator"], params["min_n"]
    bootstrap_reps, seed, results_dir = params["bootstrap_reps"], params["seed"], params["results_dir"]
    first, last = parse_period(period)
    prepared = prepare_data(
        period,
        raw_dir=raw_dir or None,
        processed_dir=processed_dir or None,
        demo=_demo,
        cut_date=cut_date or None,
        seed=seed,
        quiet=_quiet,
    )
    cut = pd.Timestamp(prepared.cut_date)
    end = min(pd.Timestamp(window_end), cut).date().isoformat()
    window = (pd.Timestamp(window_start).date().isoformat(), end)
    all_tables, tables = _window_tables(Path(prepared.processed_dir), window)
    thresholds = Thresholds(min_count=int(min_count), min_denominator=int(min_denominator), min_duration_n=int(min_n))
    return Period(
        period=period,
        first_day=first,
        cut_date=cut,
        window=window,
        lang=lang,
        thresholds=thresholds,
        processed_dir=prepared.processed_dir,
        tables=tables,
        all_tables=all_tables,
        ingest_report=prepared.ingest_report,
        parameters=params,
        bootstrap_reps=int(bootstrap_reps),
        seed=int(seed),
        results_dir=str(results_dir or ""),
        prepared=prepared,
    )


open_period.__signature__ = signature(return_annotation="Period")  # what help() and Jupyter show


def _window_tables(processed_dir: Path, window: tuple[str, str]):
    """The processed tables (read and verified by :func:`pilot_eval.ingest.load_processed`)
    and those of the window (:func:`pilot_eval.analysis.window.restrict_window`: the
    vacancies published in it, their applications and those applications' checks)."""
    from ..analysis.window import restrict_window
    from ..ingest import load_processed

    all_tables = load_processed(processed_dir)
    return all_tables, restrict_window(all_tables, window)
