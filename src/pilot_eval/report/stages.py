"""``pilot-eval report`` as four stages, each a function with a tidy result.

1. :func:`prepare` — ingest or verify the data (:func:`~pilot_eval.report.context.prepare_data`),
   resolve the window and load the analysis tables: a :class:`~pilot_eval.report.context.Period`
   (what a notebook's ``report.open_period(...)`` returns).
2. :func:`estimate` — every effect, event study (with its pre-trend test), triple difference
   and minimum detectable effect that the pages show, computed once: a :class:`ReportEstimates`.
   The runner saves it with :meth:`ReportEstimates.save` in the report's working folder
   (:func:`work_dir`, ``<out>/.work/<period>/<lang>/estimates/``) as plain files: parquet for
   tables, JSON for the rest (no pickles).
3. :func:`execute` — the notebooks, run by papermill in ordinary kernels, from ``jobs``
   worker processes (each imports papermill once and runs its share of the notebooks, a
   kernel and a log per notebook); they get the saved estimates' folder as the parameter ``results_dir``
   and only read them (``sections.effects(ctx, ...)`` and the like read ``ctx.estimates``).
   A notebook opened alone (``results_dir=""``) calls :func:`estimate` itself and shows the
   same numbers.
4. :func:`publish` — the pages, the index and ``manifest.json`` from the executed notebooks,
   written into a temporary folder and swapped in for ``<out>/<period>/<lang>`` as a whole.

:func:`pilot_eval.report.runner.run_report` is these four calls in order. An analyst gets the
same results with::

    from pilot_eval.report import stages
    ctx = stages.prepare("2025Q4")
    est = stages.estimate(ctx)
    est.effects_of(["late_withdrawal"]).tidy()

The estimates are computed in one process, one after another: on the demo the whole stage
takes about as long as starting a worker process and importing the estimators in it, so
running outcomes side by side in a process pool does not pay (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from .. import staging
from ..errors import output_error
from ..estimate.base import EstimateResult
from . import context
from .context import Period
from .store import _Reader, _Writer

__all__ = [
    "BLAS_THREADS",
    "EVENT_STUDY_OUTCOMES",
    "FORMAT",
    "KERNEL_NAME",
    "TRIPLE_DIFFERENCE_OUTCOMES",
    "Executed",
    "Published",
    "ReportEstimates",
    "administration_panel",
    "compute_effects",
    "compute_event_study",
    "compute_family",
    "compute_leave_one_out",
    "compute_mde",
    "compute_placebo_in_time",
    "compute_pretrends",
    "compute_sensitivity",
    "compute_triple_difference",
    "estimate",
    "execute",
    "prepare",
    "publish",
    "published_provenance",
    "work_dir",
    "worker_environment",
]

#: The outcomes whose event studies (and pre-trend tests) :func:`estimate` computes: every
#: outcome with an administration × period panel column.
EVENT_STUDY_OUTCOMES = (
    "days_to_fill",
    "filled_within_90",
    "days_unfilled_90",
    "late_withdrawal",
    "applicants_per_vacancy",
    "qualified_applicants_per_vacancy",
    "offer_acceptance",
)
#: The outcomes whose triple difference (child-facing against other roles) the pages show.
TRIPLE_DIFFERENCE_OUTCOMES = ("late_withdrawal",)
#: The grids of M̄ (relative magnitudes) and M (smoothness; None = honest_did's default,
#: scaled to the outcome) of the report's sensitivity.
SENSITIVITY_GRID = {"relative_magnitudes": (0.0, 0.5, 1.0, 2.0), "smoothness": None}
#: The version of the saved layout (``estimates.json``'s ``format``).
FORMAT = 3
_INDEX_FILE = "estimates.json"
#: The working folder's subfolder of the report's disclosure ledger (:mod:`pilot_eval.report.ledger`).
LEDGER_DIR = "ledger"


# --------------------------------------------------------------------------- 1. prepare


def prepare(period: str = "2025Q4", *, demo: bool | None = None, quiet: bool = True, **parameters) -> Period:
    """Ingest or verify the period's data and load the window's tables.

    ``parameters`` are notebook parameters (:data:`~pilot_eval.report.context.PARAMETERS`;
    ``raw_dir``, ``processed_dir``, ``cut_date``, ``window_start``, ``lang``, ...), as
    :func:`~pilot_eval.report.context.open_period` takes them; ``demo`` and ``quiet`` go to
    :func:`~pilot_eval.report.context.prepare_data` (``quiet=False`` prints ingest's
    account of every row).

    Raises
    ------
    ValueError
        A bad parameter, or no data to ingest.
    pilot_eval.readers.IngestError
        Ingest refused the export: nothing was written.
    """
    return context.open_period(period, **parameters, _demo=demo, _quiet=quiet)


# --------------------------------------------------------------------------- 2. estimate


def _settings(ctx: Period) -> dict:
    """What the estimates depend on besides the code: the processed files (sha256), the cut
    date, the window, the bootstrap draws and seed; a loaded result is checked against it."""
    from .. import __version__

    files = {t: info["parquet"]["sha256"] for t, info in sorted(ctx.ingest_report.get("tables", {}).items())}
    return {
        "period": ctx.period,
        "files": files,
        "cut_date": ctx.cut_date.date().isoformat(),
        "window": list(ctx.window),
        "bootstrap_reps": int(ctx.bootstrap_reps),
        "seed": int(ctx.seed),
        "version": __version__,
    }


def compute_effects(ctx: Period, outcomes: Sequence[str]) -> dict[str, EstimateResult]:
    """:func:`pilot_eval.estimate.effects.pilot_effects` of each outcome on the period's window,
    with its bootstrap draws and seed; the outcomes' rows are built in one pass."""
    from ..estimate.effects import pilot_effects

    outcomes = list(outcomes)
    frames = _frames(ctx, outcomes)
    return {
        outcome: pilot_effects(
            ctx.tables,
            ctx.cut_date,
            outcomes=[outcome],
            window=ctx.window,
            reps=ctx.bootstrap_reps,
            seed=ctx.seed,
            frames={outcome: frames[outcome]},
        )
        for outcome in outcomes
    }


def administration_panel(ctx: Period) -> pd.DataFrame:
    """The administration × quarter panel of the period's window
    (:func:`pilot_eval.measures.build_panel`), built once per period and shared by the
    event studies of every outcome."""
    cache = ctx.__dict__.setdefault("_cache", {})
    if "administration_panel" not in cache:
        from ..measures import build_panel

        cache["administration_panel"] = build_panel(ctx.tables, ctx.cut_date, unit=("administration",))
    return cache["administration_panel"]


def compute_event_study(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.estimate.effects.event_study` of ``outcome`` on the period's window."""
    from ..estimate.effects import event_study

    return event_study(ctx.tables, outcome, ctx.cut_date, panel=administration_panel(ctx))


def compute_triple_difference(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.estimate.effects.triple_difference` of ``outcome`` on the period's window."""
    from ..estimate.effects import triple_difference

    return triple_difference(ctx.tables, outcome, ctx.cut_date, reps=ctx.bootstrap_reps, seed=ctx.seed)


def compute_family(effects: dict[str, EstimateResult], primary: Sequence[str]) -> pd.DataFrame:
    """The Westfall–Young family-wise p-values of the report's family (the primary outcomes'
    effects during the pilot, :data:`pilot_eval.estimate.multiplicity.REPORT_FAMILY`)
    (:func:`pilot_eval.estimate.multiplicity.family_wise_p_values`), over the outcomes'
    separately computed results; an outcome that could not be estimated is left out."""
    from ..estimate.multiplicity import REPORT_FAMILY, family_wise_p_values

    found = [effects[o] for o in primary if o in effects]
    family = [(o, t) for o, t in REPORT_FAMILY if o in effects]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a left-out outcome is in ReportEstimates.errors already
        return family_wise_p_values(found, family, missing="drop")


def compute_mde(ctx: Period, outcomes: Sequence[str]) -> pd.DataFrame:
    """The minimum detectable effects of ``outcomes`` during and after the pilot, from the
    period's data (:func:`pilot_eval.estimate.power.minimum_detectable_effect`), long:
    outcome, term (mde_increase / mde_decrease), phase, estimate, relative, power, …"""
    from ..estimate.power import minimum_detectable_effect

    frames = _frames(ctx, outcomes)
    parts = [
        minimum_detectable_effect(ctx.tables, ctx.cut_date, o, term=t, window=ctx.window, frames=frames).tidy()
        for o in outcomes
        for t in ("during", "after")
        if frames[o][t].sum() > 0
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def compute_leave_one_out(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.estimate.robustness.leave_one_out` of ``outcome`` on the period's window."""
    from ..estimate.robustness import leave_one_out

    # the methods page shows the estimates: the Poisson rows' intervals are left out (their refits)
    return leave_one_out(
        ctx.tables, ctx.cut_date, outcome, window=ctx.window, frames=_frames(ctx, [outcome]), intervals=False
    )


def compute_placebo_in_time(ctx: Period, outcome: str) -> EstimateResult:
    """:func:`pilot_eval.estimate.robustness.placebo_in_time` of ``outcome`` on the period's window."""
    from ..estimate.robustness import placebo_in_time

    return placebo_in_time(ctx.tables, ctx.cut_date, outcome, window=ctx.window)


def compute_sensitivity(ctx: Period, outcome: str, study: EstimateResult | None = None) -> EstimateResult:
    """Parallel-trends sensitivity of ``outcome``'s event study
    (:func:`pilot_eval.estimate.sensitivity.honest_did`): relative magnitudes and
    smoothness over the default grids, one tidy table; ``details["breakdown"]`` maps each
    method to its breakdown value. ``study``: the outcome's event study if already computed."""
    from ..estimate.sensitivity import breakdown, honest_did

    study = study or compute_event_study(ctx, outcome)
    # the page shows the breakdown values (found by bisection): a short grid of M̄ beside them
    parts = {m: honest_did(study, method=m, m_bar=SENSITIVITY_GRID[m]) for m in ("relative_magnitudes", "smoothness")}
    table = pd.concat([r.tidy() for r in parts.values()], ignore_index=True)
    return EstimateResult(table, details={"breakdown": {m: breakdown(r) for m, r in parts.items()}})


def compute_pretrends(
    ctx: Period, outcomes: Sequence[str], studies: dict[str, EstimateResult] | None = None
) -> pd.DataFrame:
    """Per outcome: the pre-trend test with the full-rank covariance (``p_value``; the
    analytic one beside it, ``p_value_analytic``) and the linear pre-trend it detects with
    50 % and 80 % power with the bias that trend would cause
    (:func:`pilot_eval.estimate.sensitivity.pretrend_test`, ``pretrend_power``): one row
    per outcome × power. ``studies``: event studies already computed, by outcome."""
    from ..estimate.sensitivity import pretrend_power, pretrend_test

    rows = []
    for outcome in outcomes:
        study = (studies or {}).get(outcome) or compute_event_study(ctx, outcome)
        test = pretrend_test(study)
        power = pretrend_power(study)
        table = power.tidy() if hasattr(power, "tidy") else power
        for row in table.to_dict("records"):
            rows.append(
                {**row, "outcome": outcome, "p_value": test["p_value"], "p_value_analytic": test["p_value_analytic"]}
            )
    return pd.DataFrame(rows)


def _frames(ctx: Period, outcomes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The outcomes' analysis rows on the period's window, built once per period."""
    from ..estimate.effects import outcome_frames, restrict_window

    cache = ctx.__dict__.setdefault("_cache", {}).setdefault("frames", {})
    missing = [o for o in outcomes if o not in cache]
    if missing:
        cache.update(outcome_frames(restrict_window(ctx.tables, ctx.window), ctx.cut_date, missing))
    return {o: cache[o] for o in outcomes}


class _Attempts:
    """Runs computations, keeping each one's error by key instead of raising."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def __call__(self, key: str, compute):
        try:
            return compute()
        except Exception as exc:  # noqa: BLE001 - kept; the page that needs it fails with it
            self.errors[key] = f"{type(exc).__name__}: {exc}"
            return None


def _robustness(ctx: Period, primary: Sequence[str], breakdowns: Sequence[str]) -> dict:
    """The estimates that rerun the headline on changed data or designs: the primary
    outcomes' minimum detectable effects, leave-one-out and fake pilot starts, and the
    group effects; with their errors (``"errors"``)."""
    from .sections import compute_group_effects

    attempt = _Attempts()
    found = {
        "mde": attempt("mde", lambda: compute_mde(ctx, primary)),
        "leave_one_out": {o: attempt(f"leave_one_out/{o}", lambda o=o: compute_leave_one_out(ctx, o)) for o in primary},
        "placebo_in_time": {
            o: attempt(f"placebo_in_time/{o}", lambda o=o: compute_placebo_in_time(ctx, o)) for o in primary
        },
        "group_effects": {
            b: attempt(f"group_effects/{b}", lambda b=b: compute_group_effects(ctx, b)) for b in breakdowns
        },
    }
    return {**found, "errors": attempt.errors}


#: The period and arguments of :func:`_robustness` for the forked process of :func:`estimate`
#: (it inherits them instead of receiving a pickled copy of the tables).
_FORKED: tuple | None = None


def _forked_robustness() -> dict:
    return _robustness(*_FORKED)


def estimate(
    ctx: Period,
    *,
    outcomes: Sequence[str] | None = None,
    event_studies: Sequence[str] = EVENT_STUDY_OUTCOMES,
    triple_differences: Sequence[str] = TRIPLE_DIFFERENCE_OUTCOMES,
    group_breakdowns: Sequence[str] | None = None,
    jobs: int = 2,
    previous: dict | None = None,
) -> ReportEstimates:
    """Every estimate the pages show, for the period ``ctx`` (:func:`prepare`).

    ``outcomes`` default every outcome of :data:`pilot_eval.estimate.effects.OUTCOMES`. The
    primary outcomes among them (:data:`pilot_eval.estimate.effects.PRIMARY_OUTCOMES`) also
    get their family-wise p-values, minimum detectable effects from the data,
    leave-one-out and placebo-in-time estimates and parallel-trends sensitivity.

    With ``jobs`` ≥ 2 (and where processes can be forked) the robustness estimates
    (:func:`_robustness`: MDEs, leave-one-out, fake pilots, group effects: about half of
    the work) are computed in one forked process while this one computes the effects,
    event studies and sensitivity; the results are the same as with ``jobs=1``.

    An estimate that cannot be computed is left out and its error kept in
    :attr:`ReportEstimates.errors`: the notebook that shows it computes it again and fails
    at that cell with the estimator's own error, as the others go on.

    ``previous`` is the headline of the report before this one ("sedan förra
    rapporten"): what :func:`pilot_eval.report.series.previous_headline` loads from the
    reports folder, kept as :attr:`ReportEstimates.previous_headline` for the summary. None
    (a notebook opened alone, the first report of a series): no earlier figures.
    """
    global _FORKED
    from ..estimate.effects import OUTCOMES, PRIMARY_OUTCOMES
    from .sections import GROUP_EFFECT_BY

    attempt = _Attempts()
    outcomes = list(outcomes or OUTCOMES)
    primary = [o for o in PRIMARY_OUTCOMES.values() if o in outcomes]
    breakdowns = GROUP_EFFECT_BY if group_breakdowns is None else group_breakdowns
    with contextlib.suppress(Exception):  # built once, shared with the forked process; an outcome
        _frames(ctx, outcomes)  # whose rows cannot be built fails again below, under its own name
    pool = None
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        _FORKED = (ctx, primary, breakdowns)
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        side = pool.submit(_forked_robustness)
    try:
        effects = attempt("effects", lambda: compute_effects(ctx, outcomes))
        if effects is None:  # one at a time, so that one outcome's failure leaves the others
            del attempt.errors["effects"]
            effects = {}
            for outcome in outcomes:
                found = attempt(f"effects/{outcome}", lambda o=outcome: compute_effects(ctx, [o]))
                effects.update(found or {})
        event = {o: attempt(f"event_studies/{o}", lambda o=o: compute_event_study(ctx, o)) for o in event_studies}
        triple = {
            o: attempt(f"triple_differences/{o}", lambda o=o: compute_triple_difference(ctx, o))
            for o in triple_differences
        }
        family = attempt("family", lambda: compute_family(effects, primary))
        studied = [o for o in primary if event.get(o) is not None]
        sensitivity = {
            o: attempt(f"sensitivity/{o}", lambda o=o: compute_sensitivity(ctx, o, event[o])) for o in studied
        }
        pretrends = attempt("pretrends", lambda: compute_pretrends(ctx, studied, event))
        robust = side.result() if pool is not None else _robustness(ctx, primary, breakdowns)
    finally:
        if pool is not None:
            pool.shutdown()
            _FORKED = None

    def kept(found: dict) -> dict:
        return {k: r for k, r in found.items() if r is not None}

    return ReportEstimates(
        settings=_settings(ctx),
        effects=effects,
        event_studies=kept(event),
        triple_differences=kept(triple),
        mde=pd.DataFrame() if robust["mde"] is None else robust["mde"],
        family=pd.DataFrame() if family is None else family,
        leave_one_out=kept(robust["leave_one_out"]),
        placebo_in_time=kept(robust["placebo_in_time"]),
        group_effects=kept(robust["group_effects"]),
        sensitivity=kept(sensitivity),
        pretrends=pd.DataFrame() if pretrends is None else pretrends,
        errors={**attempt.errors, **robust["errors"]},
        previous_headline=dict(previous or {}),
    )


#: The fields of :class:`ReportEstimates` that map a key (outcome, breakdown) to a result:
#: saved one file set per key.
_KEYED = (
    "effects",
    "event_studies",
    "triple_differences",
    "sensitivity",
    "leave_one_out",
    "placebo_in_time",
    "group_effects",
)


@dataclass(eq=False)
class ReportEstimates:
    """The estimates of one report: what :func:`estimate` computes and the notebooks read.

    Attributes
    ----------
    settings : dict
        What they were computed from (:func:`_settings`: files, cut date, window, draws, seed,
        package version).
    effects : dict of str to EstimateResult
        :func:`pilot_eval.estimate.effects.pilot_effects` of each outcome alone.
    event_studies : dict of str to EstimateResult
        :func:`pilot_eval.estimate.effects.event_study` by outcome (``details["pretrend_p_value"]``).
    triple_differences : dict of str to EstimateResult
        :func:`pilot_eval.estimate.effects.triple_difference` by outcome.
    mde : DataFrame
        The minimum detectable effects from the data at hand, long (outcome × term:
        mde_increase, mde_decrease), :func:`pilot_eval.estimate.minimum_detectable_effect`.
    family : DataFrame
        The family-wise p-values of the primary outcomes × terms (outcome, term, p_value,
        p_value_fwer), :func:`pilot_eval.estimate.multiplicity.family_wise_p_values`;
        :meth:`effects_of` adds them to the effect rows.
    sensitivity : dict of str to EstimateResult
        :func:`pilot_eval.estimate.sensitivity.honest_did` of each primary outcome's event
        study (relative magnitudes and smoothness).
    pretrends : DataFrame
        Per primary outcome: the pre-trend test with the full-rank covariance and the
        slopes it detects with 50 % and 80 % power (:func:`pilot_eval.estimate.sensitivity.pretrend_power`).
    leave_one_out, placebo_in_time : dict of str to EstimateResult
        :func:`pilot_eval.estimate.robustness.leave_one_out` and ``placebo_in_time`` of
        each primary outcome.
    group_effects : dict of str to EstimateResult
        :func:`pilot_eval.estimate.groups.group_effects` by breakdown ("gender", "age_band").
    errors : dict of str to str
        What could not be computed (``"effects/<outcome>"``, ``"event_studies/<outcome>"``,
        ``"triple_differences/<outcome>"``, ``"mde"``, ``"family"``, …) and why.
    previous_headline : dict of str to dict
        The previous report's headline figures (:func:`pilot_eval.report.series.previous_headline`),
        by primary outcome: ``{"period", "estimate", "conf_low", "conf_high", "tag"}`` (the
        effect during the pilot in the estimator's units, as in :meth:`effects_of`'s rows, and
        its verdict key, :data:`pilot_eval.report.findings.VERDICTS`); empty when there is
        no earlier report.
    """

    settings: dict
    effects: dict[str, EstimateResult]
    event_studies: dict[str, EstimateResult] = field(default_factory=dict)
    triple_differences: dict[str, EstimateResult] = field(default_factory=dict)
    mde: pd.DataFrame = field(default_factory=pd.DataFrame)
    family: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: dict[str, EstimateResult] = field(default_factory=dict)
    pretrends: pd.DataFrame = field(default_factory=pd.DataFrame)
    leave_one_out: dict[str, EstimateResult] = field(default_factory=dict)
    placebo_in_time: dict[str, EstimateResult] = field(default_factory=dict)
    group_effects: dict[str, EstimateResult] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    previous_headline: dict[str, dict] = field(default_factory=dict)

    def effects_of(self, outcomes: Sequence[str]) -> EstimateResult:
        """The effects of ``outcomes``, in that order, as one result: the tidy rows of each,
        the headline inference and its reason, ``details["randomization"][outcome][term]``
        (for :func:`pilot_eval.report.plots.permutation_plot`), ``details["design"][outcome]``
        and the outcomes' notes."""
        missing = [o for o in outcomes if o not in self.effects]
        if missing:
            raise KeyError(f"no effects of {', '.join(missing)} in these estimates")
        parts = [self.effects[o] for o in outcomes]
        table = pd.concat([p.tidy() for p in parts], ignore_index=True)
        # the family-wise p-values are those of the report's family (the primary outcomes ×
        # terms, adjusted together), never those of each outcome's own call
        if not self.family.empty:
            from ..estimate.multiplicity import add_family_wise

            table = add_family_wise(table, adjusted=self.family)
        else:
            table["p_value_fwer"] = float("nan")
        details = {
            **parts[0].details,
            "randomization": {o: p.details["randomization"].get(o, {}) for o, p in zip(outcomes, parts, strict=True)},
            "design": {
                o: p.details["design"][o] for o, p in zip(outcomes, parts, strict=True) if o in p.details["design"]
            },
            "notes": [note for p in parts for note in p.details["notes"]],
        }
        return EstimateResult(table, details=details)

    def event_study(self, outcome: str) -> EstimateResult:
        """The event study of ``outcome``."""
        return self.event_studies[outcome]

    def triple_difference(self, outcome: str) -> EstimateResult:
        """The triple difference of ``outcome``."""
        return self.triple_differences[outcome]

    def check(self, ctx: Period) -> ReportEstimates:
        """These estimates if they were computed from ``ctx``'s data and settings; otherwise a
        ValueError that says what differs (results of another run)."""
        expected = _settings(ctx)
        differ = [k for k in expected if self.settings.get(k) != expected[k]]
        if differ:
            raise ValueError(
                f"the saved estimates were computed with other {', '.join(differ)} than this notebook's "
                f"({', '.join(f'{k}={self.settings.get(k)!r}' for k in differ)}); run the report again "
                'or set results_dir = "" to compute them here'
            )
        return self

    # ---- plain files
    def save(self, folder: str | Path) -> Path:
        """Write the estimates into ``folder`` (made if needed, replaced as a whole):
        ``estimates.json`` and one parquet file per table under ``tables/``."""
        folder = Path(folder)
        staging.sweep(folder)  # what a killed report left beside it
        tmp = staging.sibling(folder, "new")
        tmp.mkdir(parents=True)
        try:
            writer = _Writer(tmp)
            content = {"format": FORMAT}
            for f in fields(self):
                value = getattr(self, f.name)
                if f.name in _KEYED:
                    content[f.name] = {k: writer.encode(v, f"{f.name}-{k}") for k, v in value.items()}
                else:
                    content[f.name] = writer.encode(value, f.name)
            text = json.dumps(content, indent=1, ensure_ascii=False, allow_nan=False)
            (tmp / _INDEX_FILE).write_text(text + "\n", encoding="utf-8")
            _swap_in(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
            staging.release(tmp)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ReportEstimates:
        """The estimates :meth:`save` wrote into ``folder``."""
        folder = Path(folder)
        path = folder / _INDEX_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"{folder} holds no saved estimates ({_INDEX_FILE}); run the report's estimate stage"
            )
        content = json.loads(path.read_text(encoding="utf-8"))
        if content.get("format") != FORMAT:
            raise ValueError(f"{path} has format {content.get('format')!r}, not {FORMAT}: run the report again")
        reader = _Reader(folder)
        values = {}
        for f in fields(cls):
            if f.name not in content:
                raise ValueError(f"{path} has no {f.name!r}: run the report again")
            raw = content[f.name]
            if f.name in _KEYED:
                values[f.name] = {k: reader.decode(v) for k, v in raw.items()}
            else:
                values[f.name] = reader.decode(raw)
        return cls(**values)


def work_dir(out_dir: str | Path, period: str, lang: str) -> Path:
    """The report's working folder in ``lang``, ``<out_dir>/.work/<period>/<lang>``: beside the
    published ``<out_dir>/<period>/<lang>`` (:func:`pilot_eval.report.render.published_dir`),
    never inside it. Each language has its own, estimates included (``estimates/``), so that
    runs of the two languages never replace each other's material."""
    from ..texts import check_lang

    return Path(out_dir) / ".work" / period / check_lang(lang)


# --------------------------------------------------------------------------- 3. execute

#: The Jupyter kernel every notebook runs in (``run.py`` registers it in ``.venv``).
KERNEL_NAME = "python3"
#: Threads of the linear-algebra libraries per worker. Notebooks run side by side (``jobs``),
#: each with its own kernel, and multi-threaded BLAS in every one of them on a machine with
#: few cores made them wait on each other, so each kernel gets one thread unless the user's
#: environment says otherwise.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def worker_environment() -> dict[str, str]:
    """The environment of a notebook worker (and its kernel): this one, plus :data:`BLAS_THREADS`
    where not set."""
    import os

    return {**BLAS_THREADS, **os.environ}


@dataclass(frozen=True)
class _Job:
    """One notebook for a worker process (sent to it as JSON)."""

    name: str
    title: str
    source: str
    folder: str  # the report being written (temporary folder)
    parameters: dict
    timeout: int

    @property
    def ipynb(self) -> str:
        return f"notebooks/{self.name}.ipynb"

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


def _entry(job: _Job, *, status: str, elapsed: float | None, error: dict | None) -> dict:
    """A notebook's entry in the manifest (the page and its logs are filled in later)."""
    return {
        "name": job.name,
        "title": job.title,
        "status": status,
        "elapsed_seconds": None if elapsed is None else round(elapsed, 1),
        "html": None,
        "ipynb": job.ipynb if (Path(job.folder) / job.ipynb).is_file() else None,
        "error": error,
        "stderr_lines": 0,
        "dropped_outputs": 0,
        "dropped_log": None,
        "log": None,
    }


def _execute_notebook(job: _Job) -> dict:
    """Execute one notebook with papermill (in a worker process, whose stdout and stderr,
    inherited by the kernel, go to the notebook's log)."""
    import logging

    import papermill

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    folder, source = Path(job.folder), Path(job.source)
    t0 = time.perf_counter()
    error = None
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
        )
    except Exception as exc:  # noqa: BLE001 - the notebook failed; the report goes on with the others
        error = _error_of(exc)
    elapsed = time.perf_counter() - t0
    if error and error["cell_index"] is None and (folder / job.ipynb).is_file():
        import nbformat

        # a timeout: the cell that stopped has an error output
        error.update(_cell_with_error(nbformat.read(folder / job.ipynb, as_version=4)))
    return _entry(job, status="failed" if error else "ok", elapsed=elapsed, error=error)


def _start_worker(env: dict[str, str]) -> None:
    """A worker process's start: the kernels it launches inherit ``env`` (one BLAS thread),
    and papermill is imported once for all the notebooks the worker runs."""
    import os

    os.environ.update(env)
    import papermill  # noqa: F401


def _run_job(job: _Job) -> dict:
    """Run one job in a worker process: its output and its kernel's (which inherits the
    worker's standard output and error) go to the job's log, not to the terminal."""
    import os

    from .ledger import LEDGER_ENV, PAGE_ENV

    folder = Path(job.folder)
    t0 = time.perf_counter()
    # the kernel (started by papermill from this process) learns its page and the report's
    # ledger from its environment: what it publishes is registered there for the audit
    os.environ[PAGE_ENV] = job.name
    os.environ[LEDGER_ENV] = str(folder / LEDGER_DIR)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(folder / job.log, "wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            entry = _execute_notebook(job)
        except Exception as exc:  # noqa: BLE001 - a failure outside the notebook: the report goes on
            entry = _entry(job, status="failed", elapsed=time.perf_counter() - t0, error=_error_of(exc))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    if (folder / job.log).stat().st_size == 0:
        (folder / job.log).unlink()
    else:
        entry["log"] = job.log
    return entry


def _worker_failed(job: _Job, exc: BaseException) -> dict:
    """The entry of a job whose worker process died (e.g. killed) before it returned."""
    return _entry(
        job,
        status="failed",
        elapsed=None,
        error={
            "cell_index": None,
            "execution_count": None,
            "ename": "WorkerError",
            "evalue": f"the worker process running it stopped: {exc}",
        },
    )


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


@dataclass
class Executed:
    """What :func:`execute` did: the folder of the report being written (``notebooks/``
    holds the executed notebooks, ``logs/`` the kernels' messages) and each notebook's
    manifest entry, in the files' order."""

    folder: Path
    entries: list[dict]

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.entries if e["status"] != "ok"]


def execute(
    notebooks: Sequence[str | Path],
    folder: str | Path,
    parameters: dict,
    *,
    titles: dict[str, str] | None = None,
    jobs: int = 2,
    timeout: int = 600,
    previous: str | Path | None = None,
    say=None,
    fresh: bool = True,
) -> Executed:
    """Run every notebook with papermill, ``jobs`` at a time, into ``folder/notebooks/``:
    ``jobs`` worker processes take the notebooks in turn, each in an ordinary kernel of its
    own whose output goes to the notebook's log in ``folder/logs/``.

    ``folder`` is the report's working folder (:func:`work_dir`): analysts' material, never
    published; the ``notebooks/`` and ``logs/`` of an earlier run in it are replaced.
    ``parameters`` are injected into every notebook (with ``results_dir`` the saved
    estimates, which the notebooks read). A failed notebook does not stop the others.
    ``previous`` is the folder of the previous run's ``manifest.json`` (which orders the
    notebooks longest first, :func:`_schedule`), usually ``folder`` itself; ``say`` prints
    one line per notebook as it finishes. ``fresh=False`` runs the notebooks again into the
    same working folder (after the disclosure audit), keeping the rest of it and the ledger's
    plan (``disclosure_plan.json``).
    """
    say = say or (lambda *a, **k: None)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sources = [Path(p) for p in notebooks]
    titles = titles or {}
    todo = [
        _Job(
            name=p.stem,
            title=titles.get(p.stem, p.stem),
            source=str(p),
            folder=str(folder),
            parameters=dict(parameters),
            timeout=timeout,
        )
        for p in sources
    ]
    width = max(len(job.name) for job in todo)
    order = _schedule(todo, Path(previous)) if previous else todo
    if fresh:  # the working material of an earlier run goes: its notebooks and logs are not this run's
        from .ledger import PLAN_FILE

        for sub in ("notebooks", "logs", ".results", LEDGER_DIR):
            shutil.rmtree(folder / sub, ignore_errors=True)
            (folder / sub).mkdir()
        (folder / PLAN_FILE).unlink(missing_ok=True)
    done: dict[str, dict] = {}
    # ``jobs`` worker processes, started fresh ("spawn": nothing of this process is shared),
    # each running its share of the notebooks one after another
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(worker_environment(),),
    ) as pool:
        futures = {pool.submit(_run_job, job): job for job in order}
        for future in as_completed(futures):
            job = futures[future]
            try:
                entry = future.result()
            except BrokenProcessPool as exc:
                entry = _worker_failed(job, exc)
            done[job.name] = entry
            seconds = f"{entry['elapsed_seconds']:6.1f} s" if entry["elapsed_seconds"] is not None else ""
            say(
                f"  [{len(done)}/{len(todo)}] {job.name:<{width}}  "
                f"{'ok' if entry['status'] == 'ok' else 'FAILED':<6}{seconds}"
            )
    return Executed(folder=folder, entries=[done[job.name] for job in todo])


# --------------------------------------------------------------------------- 3b. disclosure audit

#: How many times the notebooks of pages whose cells the audit withheld are run again before
#: the report gives up (each run applies the audit's plan; the next audit should find
#: nothing more to withhold).
AUDIT_PASSES = 3
#: Whether the report-wide audit also takes every line's margin as published elsewhere, as
#: each table's own protection does. It does not: each table was already protected against
#: its margins on its own (:func:`pilot_eval.disclosure.protect`); across tables the audit
#: takes what this report publishes, exactly (docs/disclosure.md, "Limits").
ASSUME_MARGINS = False
_AUDIT_FILE = "disclosure_audit.json"


@dataclass
class Disclosure:
    """What the report-wide disclosure audit found (:func:`audit_disclosure`).

    ``audit`` is the last :class:`pilot_eval.disclosure.LedgerAudit`; ``runs`` how often
    the notebooks ran (1: the audit withheld nothing more); ``before`` the cells shown
    when each table was protected on its own (the first run), ``(shown, cells)``;
    ``rerun`` the pages run again; ``patches`` the tables replaced on their pages."""

    audit: object
    runs: int
    before: tuple[int, int]
    rerun: list[str] = field(default_factory=list)
    #: table entry id → the audited table that replaces it on its page (tables the audit
    #: changed that no chart shows)
    patches: dict = field(default_factory=dict)

    @property
    def unprotected(self) -> list[str]:
        return list(self.audit.unprotected)

    def summary(self) -> dict:
        """For the manifest and ``disclosure_audit.json``."""
        shown, cells = self.before
        return {
            "cells": self.audit.cells,
            "published": self.audit.published,
            "published_share": round(self.audit.published / self.audit.cells, 4) if self.audit.cells else None,
            "before_report_audit": {
                "cells": cells,
                "published": shown,
                "published_share": round(shown / cells, 4) if cells else None,
            },
            "runs": self.runs,
            "rerun": list(self.rerun),
            "replaced_tables": sorted(self.patches),
            "unprotected": self.unprotected,
        }


def _shown_cells(ledger, min_count: int) -> tuple[int, int]:
    """(shown, all) figure cells of a ledger's entries as registered
    (:meth:`~pilot_eval.disclosure.ProtectedTable.shown_cells`), and every number (a count of
    1 to ``min_count`` − 1 is not shown)."""
    from ..disclosure.ledger import NumberEntry

    shown = cells = 0
    for entry in ledger.entries:
        if isinstance(entry, NumberEntry):
            cells += 1
            shown += not (0 < entry.value < min_count)
            continue
        table_shown, table_cells = entry.table.shown_cells()
        shown += table_shown
        cells += table_cells
    return shown, cells


def _plan_of(audit, min_count: int) -> tuple[dict, dict]:
    """The plan for the next run of the notebooks: each table's cells the audit withheld
    beyond the table's own protection, each withheld number's reason (not a count of 1 to
    ``min_count`` − 1, which the notebook withholds itself)."""
    from ..disclosure.ledger import NumberEntry

    small = {e.id for e in audit.entries if isinstance(e, NumberEntry) and 0 < e.value < min_count}
    tables = {k: sorted(t.withheld_extra) for k, t in audit.tables.items() if t.withheld_extra}
    numbers = {k: r for k, r in audit.numbers.items() if r and not (r == "small_count" and k in small)}
    return tables, numbers


def _needs_run(ledger, audit, plan: tuple[dict, dict], current: tuple[dict, dict]) -> set[str]:
    """The pages whose notebooks must run again for the audit's plan: those with a withheld
    number (a sentence) or a changed table that a chart shows, where the plan for it is not
    the one they ran with. A table shown only as a table is changed on its page instead."""
    from ..disclosure.ledger import TableEntry

    charted = {e.id for e in ledger.entries if isinstance(e, TableEntry) and e.shown == "chart"}
    tables, numbers = plan
    stale = {k for k in numbers if numbers.get(k) != current[1].get(k)}
    stale |= {k for k in tables if k in charted and k in audit.changed and tables[k] != current[0].get(k)}
    return {i.split("/", 1)[0] for i in stale}


def audit_disclosure(
    executed: Executed,
    sources: Sequence[str | Path],
    parameters: dict,
    *,
    titles: dict[str, str] | None = None,
    jobs: int = 2,
    timeout: int = 600,
    say=None,
) -> Disclosure:
    """Audit every page's published figures together (the ledger the notebooks wrote into
    ``<work>/ledger/``, :meth:`pilot_eval.disclosure.Ledger.audit`).

    Where the audit withholds more, a table shown only as a table is replaced on its page by
    the audited one (:attr:`Disclosure.patches`, which :func:`publish` applies). Where a
    chart or a sentence shows a figure the audit withholds, the plan goes to
    ``<work>/disclosure_plan.json`` and the notebooks of those pages run again
    (:func:`execute` with ``fresh=False``), so that the figure is withheld in every table,
    chart and sentence that shows it; then the audit runs again, up to
    :data:`AUDIT_PASSES` times. ``executed.entries`` are updated in place. The audit
    (without a true value of any withheld cell) goes to ``<work>/disclosure_audit.json``.
    """
    from ..disclosure import Ledger
    from .ledger import read_plan, write_plan

    say = say or (lambda *a, **k: None)
    folder = Path(executed.folder)
    ledger_dir = folder / LEDGER_DIR
    by_name = {Path(p).stem: Path(p) for p in sources}
    ledger = Ledger.load(ledger_dir)
    before = None
    runs, rerun, history = 1, [], []
    while True:
        audit = ledger.audit(assume_margins=ASSUME_MARGINS)
        # the thresholds are the strictest of the entries' (Ledger.audit)
        min_count = audit.thresholds.min_count
        before = before or _shown_cells(ledger, min_count)
        history.append({"run": runs, "changed": sorted(audit.changed), "notes": list(audit.notes)})
        plan = _plan_of(audit, min_count)
        written = read_plan(ledger_dir)
        current = ({k: sorted(v) for k, v in written["tables"].items()}, written["numbers"])
        pages = sorted(_needs_run(ledger, audit, plan, current) & set(by_name))
        if not pages:
            break
        if runs > AUDIT_PASSES:
            raise RuntimeError(
                f"the disclosure audit still withholds more after {AUDIT_PASSES} runs of the notebooks: "
                f"{', '.join(sorted(audit.changed))}"
            )
        write_plan(ledger_dir, *plan)
        extra = sum(len(v) for v in plan[0].values()) + len(plan[1])
        say(f"  [disclosure] the audit across pages withholds {extra} more figures; running {', '.join(pages)} again")
        again = execute(
            [by_name[p] for p in pages],
            folder,
            parameters,
            titles=titles,
            jobs=jobs,
            timeout=timeout,
            say=say,
            fresh=False,
        )
        entries = {e["name"]: e for e in again.entries}
        executed.entries[:] = [entries.get(e["name"], e) for e in executed.entries]
        rerun = sorted({*rerun, *pages})
        runs += 1
        ledger = Ledger.load(ledger_dir)
    patches = {k: audit.tables[k] for k in sorted(audit.changed) if k in audit.tables}
    result = Disclosure(audit=audit, runs=runs, before=before, rerun=rerun, patches=patches)
    content = {**audit.to_json(), "summary": result.summary(), "runs": history}
    _write_json(folder / _AUDIT_FILE, content)
    return result


# --------------------------------------------------------------------------- 4. publish


@dataclass
class Published:
    """What :func:`publish` wrote: the published ``<out>/<period>/<lang>/index.html``, the working
    folder's full manifest (also ``<work>/manifest.json``) and the published provenance
    record (``<out>/<period>/<lang>/provenance.json``)."""

    index: Path
    manifest: dict
    provenance: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.manifest["notebooks"] if e["status"] != "ok"]


def _page_failure(error: dict | None) -> dict | None:
    """What a page's banner may say about a failure: only where it stopped (the exception's
    text can quote data and stays in the working folder)."""
    if error is None:
        return None
    return {"cell_index": error.get("cell_index"), "execution_count": error.get("execution_count")}


def _patch_tables(nb, patches: dict, lang: str) -> int:
    """Replace, in an executed notebook, each table that ``show.table`` showed and the
    report's audit changed (``patches``: entry id → audited table) by the audited one, with
    its caption and decimals; the number replaced."""
    replaced = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get("pilot_eval", {})
            table = patches.get(mark.get("entry")) if isinstance(mark, dict) and mark.get("reader") == "table" else None
            if table is not None:
                labels = {k: tuple(v) for k, v in (mark.get("labels") or {}).items()} or None
                output.data["text/html"] = table.to_html(
                    lang=lang, decimals=mark.get("decimals"), caption=mark.get("caption"), labels=labels
                )
                replaced += 1
    return replaced


def _render_page(
    entry: dict, work: Path, out: Path, source: Path, lang: str, provenance: dict, patches: dict | None = None
) -> dict:
    """Render one executed notebook (in the working folder ``work``) as a page in ``out``,
    and what the page leaves out to ``work/logs/``; the entry with its page, log and, if
    rendering failed or the page would fetch something from the internet, the error."""
    import nbformat

    from . import render

    entry = dict(entry)
    if not entry["ipynb"]:
        return entry
    error = entry["error"]
    executed = nbformat.read(work / entry["ipynb"], as_version=4)
    if patches:
        entry["tables_replaced"] = _patch_tables(executed, patches, lang)
    reader, dropped = render.reader_copy(executed)
    if dropped:
        dropped_log = f"logs/{entry['name']}.not-shown.txt"
        (work / dropped_log).write_text(render.dropped_log(dropped), encoding="utf-8")
        entry["dropped_log"] = dropped_log
        entry["stderr_lines"] = sum(len(d["stderr"].splitlines()) for d in dropped)
        entry["dropped_outputs"] = sum(len(d["outputs"]) for d in dropped)

    def page(failure):
        return render.render_notebook(
            reader,
            title=entry["title"],
            lang=lang,
            provenance=provenance,
            failure=_page_failure(failure),
            path=source.parent,
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
        html = f"{entry['name']}.html"
        (out / html).write_text(text, encoding="utf-8")
        entry["html"] = html
    except Exception as exc:  # noqa: BLE001 - nbconvert could not render it; the executed notebook is kept
        error = error or {
            "cell_index": None,
            "execution_count": None,
            "ename": f"{type(exc).__name__} (rendering)",
            "evalue": str(exc),
        }
    entry["error"] = error
    entry["status"] = "failed" if error else "ok"
    return entry


def _reader_path(value: object) -> object:
    """A folder as a published page names it: relative to the project when it is inside it,
    else its last two parts (a machine's absolute path can name a person's account)."""
    from .. import paths

    if not isinstance(value, str) or not value or not Path(value).is_absolute():
        return value
    path = Path(value)
    try:
        return path.relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return "…/" + "/".join(path.parts[-2:])


#: What the published provenance record keeps of each notebook's manifest entry.
_PUBLISHED_ENTRY = ("name", "title", "status", "html")


def published_provenance(manifest: dict) -> dict:
    """The provenance record of the published folder (``provenance.json``): what the pages'
    footers say (period, parameters, input files by hash, versions, commit) and each page's
    status, without what only analysts need: no row counts (the processed files' rows
    against page 01's rows read would give a quarantined count back), no error texts, no
    logs, no paths of the working folder."""
    return {
        "period": manifest["period"],
        "created": manifest["created"],
        "lang": manifest["lang"],
        "parameters": {
            k: _reader_path(v) if k.endswith("_dir") else v
            for k, v in manifest["parameters"].items()
            if k != "results_dir"
        },
        "git_commit": manifest["git_commit"],
        "versions": manifest["versions"],
        "data": {"cut_date": manifest["data"]["cut_date"], "synthetic": manifest["data"]["synthetic"]},
        "input_files": [{k: v for k, v in f.items() if k != "rows"} for f in manifest["input_files"]],
        "notebooks": [{k: e.get(k) for k in _PUBLISHED_ENTRY} for e in manifest["notebooks"]],
        "exit_code": manifest["exit_code"],
    }


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def publish(
    ctx: Period,
    executed: Executed,
    final: str | Path,
    *,
    parameters: dict,
    sources: Sequence[str | Path],
    synthetic: bool,
    disclosure: dict | None = None,
    patches: dict | None = None,
    pdf: bool = False,
    chromium: str | None = None,
) -> Published:
    """Write the pages of the executed notebooks into a temporary folder beside ``final``
    (``<out>/<period>/<lang>``, :func:`pilot_eval.report.render.published_dir`) with
    ``index.html`` and ``provenance.json``, and put it in place of ``final`` as a whole: the
    published folder of one language, every file of which a reader may get.

    The working folder ``executed.folder`` (:func:`work_dir`) gets the analysts' material:
    the full ``manifest.json``, the GX Data Docs (if the data have them), each page's log of
    what it left out, and an ``index.html`` of its own that links the published pages and
    this material (the published index links none of it).

    ``parameters`` are the ones the notebooks ran with (the manifest's; the pages' footer
    leaves out ``results_dir``, the runner's working folder); ``sources`` the notebooks'
    files, in the order of ``executed.entries``; ``disclosure`` the summary of the
    report-wide disclosure audit (:meth:`Disclosure.summary`), for the manifest;
    ``patches`` the tables it changed that no chart shows (:attr:`Disclosure.patches`),
    shown on their pages in place of the notebooks' own.

    ``pdf``: the folder also gets the summary and the whole report as PDFs
    (:func:`pilot_eval.report.pdf.write_pdfs`, Chromium ``chromium`` or the one on the PATH),
    printed from the temporary folder before it is swapped in, and the index links them; when
    printing fails (:class:`~pilot_eval.report.pdf.PdfError`) nothing is swapped in.

    The temporary folder is ``.<lang>.new-<pid>-<hex>`` beside ``final`` (the old one is set
    aside as ``.<lang>.old-<pid>-<hex>`` while it is swapped in). Such folders left by a
    report that was killed are swept first (:func:`pilot_eval.staging.sweep`: only those of
    a process that is gone; a run at work in another process keeps its own).

    A disk that is full or a folder that is read-only raises
    :class:`~pilot_eval.errors.OutputError` naming ``final`` (exit status 4); the temporary
    folder is removed and ``final`` is unchanged.
    """
    from . import render

    work, final = Path(executed.folder), Path(final)
    staging.sweep(final)  # the temporary and old folders of a report that was killed
    out = staging.sibling(final, "new")
    try:
        out.mkdir(parents=True)
        prepared = ctx.prepared
        report = ctx.ingest_report
        processed_path = Path(ctx.processed_dir).resolve()
        language = ctx.lang
        footer = {k: _reader_path(v) if k.endswith("_dir") else v for k, v in parameters.items() if k != "results_dir"}
        prov = render.provenance(ctx.period, footer, report, cut_date=prepared.cut_date, synthetic=synthetic)
        entries = [
            _render_page(entry, work, out, Path(source), language, prov, patches)
            for entry, source in zip(executed.entries, sources, strict=True)
        ]
        failed = [e for e in entries if e["status"] != "ok"]
        data_docs = None
        shutil.rmtree(work / "data_docs", ignore_errors=True)
        if (processed_path / "data_docs").is_dir():
            shutil.copytree(processed_path / "data_docs", work / "data_docs")
            if (work / "data_docs" / "index.html").is_file():
                data_docs = "data_docs/index.html"
        manifest = {
            "period": ctx.period,
            "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "lang": language,
            "parameters": dict(parameters),
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
            "published": str(final),
            "disclosure": disclosure,
            "input_files": prov["input_files"],
            "notebooks": entries,
            "exit_code": 1 if failed else 0,
        }
        _write_json(work / "manifest.json", manifest)
        public = published_provenance(manifest)
        _write_json(out / "provenance.json", public)
        pdfs = None
        if pdf:
            from .pdf import pdf_names

            pdfs = pdf_names(ctx.period, language, [e["html"] for e in entries if e.get("html")])
        contents = {
            "period": ctx.period,
            "lang": language,
            "provenance": prov,
            "notebooks": entries,
            "ingest_warning": int(report.get("exit_status", 0)) == 1,
            "pdfs": pdfs,
        }
        (out / "index.html").write_text(render.render_contents(**contents), encoding="utf-8")
        pages = Path(os.path.relpath(final, work)).as_posix()
        (work / "index.html").write_text(
            render.render_contents(**contents, analysts={"pages": pages, "data_docs": data_docs}), encoding="utf-8"
        )
        shutil.rmtree(work / ".results", ignore_errors=True)
        if pdf:  # printed here, so that the folder is swapped in whole, PDFs and all
            from .pdf import write_pdfs

            printed = write_pdfs(out, lang=language, chromium=chromium)
            missing = sorted(set(pdfs.values()) - {p.name for p in printed})
            if missing:
                from .pdf import PdfError

                raise PdfError(f"Chromium printed no {', '.join(missing)}")
        _swap_in(out, final)
    except OSError as exc:  # disk full, read-only: exit 4 (the published folder is unchanged)
        unwritable = output_error(exc, final)
        if unwritable is None:
            raise
        raise unwritable from exc
    finally:
        if out.exists():
            shutil.rmtree(out, ignore_errors=True)
        staging.release(out)
    return Published(index=final / "index.html", manifest=manifest, provenance=public)


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` (both in the same folder). The old ``final`` is moved
    aside under a staging name (:func:`pilot_eval.staging.sibling`) for a moment: a run
    killed then leaves it for the next run's :func:`pilot_eval.staging.sweep`, which puts
    it back if ``final`` is missing."""
    old = None
    if final.exists():
        old = staging.sibling(final, "old")
        final.rename(old)
    try:
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if old is not None:
            staging.release(old)
