"""The reports as a series over periods: the reports folder, its index, "sedan förra rapporten".

A reports folder (``pilot-eval report --out``, default ``reports/``) holds one published
folder per period and language, ``<out>/<period>/<lang>/``
(:func:`~pilot_eval.report.render.published_dir`), and their working folders
``<out>/.work/<period>/<lang>/`` (:func:`~pilot_eval.report.stages.work_dir`). This module
reads what is there:

* :func:`rendered` — every published report, from its ``provenance.json`` (never from a
  working folder): period, language, when it was rendered, from which data, up to which
  date, each page's status.
* :func:`write_index` — ``<out>/index.html`` (Swedish) and ``<out>/index.en.html``
  (English): every report, the latest period first, linking each one's contents page and
  summary. The runner rewrites them after every run. They say no more than the reports'
  own ``provenance.json`` (no paths, no counts, no error texts) and link only down into the
  period folders; no published page links up to them, so that a period folder still works
  when it is mailed alone.
* :func:`headline_figures`, :func:`save_headline` — a report's headline figures (per
  primary outcome: the effect during the pilot, its interval and its verdict), saved by the
  runner, once the report is published, as ``headline.json`` in its working folder.
* :func:`previous_headline` — the headline figures of the latest earlier report in the same
  folder (:func:`pilot_eval.periods.bounds` order; the same language first, else the other),
  for the estimate stage (:attr:`~pilot_eval.report.stages.ReportEstimates.previous_headline`).
* :func:`since_last_report` — the summary's sentence "Sedan förra rapporten …".

>>> earlier("2025Q3", "2025Q4"), earlier("2025", "2025Q4"), earlier("2025-09", "2025Q3")
(True, False, False)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2

from .. import periods, staging
from ..texts import LANGUAGES, check_lang, index
from ..texts import series as T

__all__ = [
    "HEADLINE_FILE",
    "INDEX_FILES",
    "earlier",
    "headline_figures",
    "previous_headline",
    "ratio_outcomes",
    "rendered",
    "render_index",
    "save_headline",
    "since_last_report",
    "write_index",
]

#: The file in a report's working folder with its headline figures (:func:`save_headline`).
HEADLINE_FILE = "headline.json"
#: The reports folder's index page in each language.
INDEX_FILES = {"sv": "index.html", "en": "index.en.html"}
#: The keys of one outcome's headline figures.
HEADLINE_KEYS = ("period", "estimate", "conf_low", "conf_high", "tag")
#: What a notebook page is called whose name starts with this: the summary.
SUMMARY_PREFIX = "00_"


def _order(period: str) -> tuple:
    first, last = periods.bounds(period)
    return last, first


def earlier(period: str, than: str) -> bool:
    """Whether the report of ``period`` comes before that of ``than``: its data end earlier
    (a year's report and its fourth quarter's end on the same day: neither is earlier)."""
    return _order(period)[0] < _order(than)[0]


# --------------------------------------------------------------------------- what is on disk


def _read_json(path: Path) -> dict | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def rendered(out_dir: str | Path) -> list[dict]:
    """Every report published in ``out_dir``, the latest period first (Swedish before
    English): one dict per ``<period>/<lang>/provenance.json`` with ``period``, ``lang``,
    ``created`` (ISO time), ``cut_date``, ``synthetic``, ``files`` (the input files' names),
    ``pages`` (each page's ``name``, ``title``, ``status``, ``html``), ``failed`` (the
    titles of the pages that failed), ``summary`` and ``index`` (links relative to
    ``out_dir``; ``summary`` None when the report has no summary page). Folders that are no
    period, and records that cannot be read, are left out."""
    from .render import published_dir

    out_dir = Path(out_dir)
    found = []
    if not out_dir.is_dir():
        return found
    for folder in out_dir.iterdir():
        try:
            periods.bounds(folder.name)
        except ValueError:
            continue
        for lang in LANGUAGES:
            record = _read_json(published_dir(out_dir, folder.name, lang) / "provenance.json")
            if record is None or record.get("period") != folder.name:
                continue
            pages = [p for p in record.get("notebooks", []) if isinstance(p, dict)]
            summaries = [p for p in pages if str(p.get("name", "")).startswith(SUMMARY_PREFIX) and p.get("html")]
            summary = summaries[0] if summaries else None
            base = f"{folder.name}/{lang}"
            found.append(
                {
                    "period": folder.name,
                    "lang": lang,
                    "created": str(record.get("created", "")),
                    "cut_date": str(record.get("data", {}).get("cut_date", "")),
                    "synthetic": bool(record.get("data", {}).get("synthetic")),
                    "files": [str(f.get("file")) for f in record.get("input_files", []) if f.get("file")],
                    "pages": pages,
                    "failed": [str(p.get("title") or p.get("name")) for p in pages if p.get("status") != "ok"],
                    "summary": f"{base}/{summary['html']}" if summary else None,
                    "index": f"{base}/index.html",
                }
            )
    found.sort(key=lambda r: (_order(r["period"]), -LANGUAGES.index(r["lang"])), reverse=True)
    return found


# --------------------------------------------------------------------------- the index page


def _when(created: str) -> str:
    """An ISO time as the pages' footers write it (``2025-12-07 14:03``)."""
    try:
        return dt.datetime.fromisoformat(created).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return created


def render_index(reports: Sequence[dict], lang: str) -> str:
    """The index page of a reports folder in ``lang``, from :func:`rendered`."""
    from .render import TEMPLATE_NAME, TEMPLATES_DIR

    i = index(lang)
    t = {key: pair[i] for key, pair in T.INDEX.items()}
    by_period: dict[str, list[dict]] = {}
    for r in reports:
        by_period.setdefault(r["period"], []).append(
            dict(
                r,
                language=T.LANGUAGE_NAMES[r["lang"]][i],
                rendered=_when(r["created"]),
                cut_date_text=periods.date_text(r["cut_date"], lang) if r["cut_date"] else "",
                failed_text=t["failed"].format(n=len(r["failed"]), total=len(r["pages"])) if r["failed"] else "",
            )
        )
    other = LANGUAGES[1 - i]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / TEMPLATE_NAME), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return env.get_template("series.html.j2").render(
        lang=lang,
        t=t,
        periods=[
            {"period": p, "label": periods.label(p, lang), "reports": rs, "anchor": f"p{p}"}
            for p, rs in by_period.items()
        ],
        synthetic=any(r["synthetic"] for r in reports),
        other={"lang": other, "href": INDEX_FILES[other], "text": t["other_index"]},
    )


def write_index(out_dir: str | Path) -> list[Path]:
    """Write ``<out_dir>/index.html`` and ``<out_dir>/index.en.html`` from what is published
    in ``out_dir`` now (each replaced at once, never half written); the paths written."""
    out_dir = Path(out_dir)
    reports = rendered(out_dir)
    written = []
    for lang, name in INDEX_FILES.items():
        path = out_dir / name
        staging.sweep(path)  # a temporary index left by a report that was killed
        tmp = staging.sibling(path, "new")
        try:
            tmp.write_text(render_index(reports, lang), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            staging.release(tmp)
            if tmp.exists():
                tmp.unlink()
        written.append(path)
    return written


# --------------------------------------------------------------------------- headline figures


def _number(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _headline_rows(estimates) -> dict[str, tuple[str, object]]:
    """Outcome → (term, headline row of ``effects_of(...).tidy()``) of the report's family."""
    from ..estimate.multiplicity import REPORT_FAMILY

    family: dict[str, str] = {}
    for outcome, term in REPORT_FAMILY:
        if outcome in estimates.effects:
            family.setdefault(outcome, term)
    if not family:
        return {}
    table = estimates.effects_of(list(family)).tidy()
    if "headline" in table:
        table = table.loc[table["headline"].astype(bool)]
    out = {}
    for outcome, term in family.items():
        rows = table.loc[(table["outcome"].astype(str) == outcome) & (table["term"].astype(str) == term)]
        if not rows.empty and _number(rows.iloc[0]["estimate"]) is not None:
            out[outcome] = (term, rows.iloc[0])
    return out


def headline_figures(estimates, period: str) -> dict[str, dict]:
    """Per primary outcome (the report's family, :data:`pilot_eval.estimate.multiplicity.REPORT_FAMILY`):
    ``{"period", "estimate", "conf_low", "conf_high", "tag"}``, the headline effect during the
    pilot (randomization inference; in the estimator's units, as ``effects_of(...).tidy()``
    has it: shares as proportions, a Poisson row as ratio − 1) and its verdict key
    (:data:`pilot_eval.report.findings.VERDICTS`), decided as the summary decides it (the
    family-wise p-value and the pre-trend test). Outcomes the estimates lack are left out."""
    from .findings import describe_effect

    pre = estimates.pretrends
    pretrends = (
        {str(o): float(p) for o, p in pre.groupby("outcome", sort=False)["p_value"].first().items()}
        if not pre.empty
        else {}
    )
    out = {}
    for outcome, (term, row) in _headline_rows(estimates).items():
        finding = describe_effect(row, term=term, pretrend_p_value=pretrends.get(outcome))
        out[outcome] = {
            "period": period,
            "estimate": _number(row["estimate"]),
            "conf_low": _number(row["conf_low"]),
            "conf_high": _number(row["conf_high"]),
            "tag": finding.verdict,
        }
    return out


def ratio_outcomes(estimates) -> list[str]:
    """The primary outcomes whose headline estimate is a proportional change (a Poisson row)."""
    from .findings import _is_ratio

    return [o for o, (_, row) in _headline_rows(estimates).items() if _is_ratio(row)]


def save_headline(folder: str | Path, estimates, *, period: str, cut_date: str, synthetic: bool) -> Path:
    """Write the headline figures of a published report (:func:`headline_figures`) into its
    working folder ``folder`` as :data:`HEADLINE_FILE`, with the period, cut date and kind
    of data they are of; the path."""
    path = Path(folder) / HEADLINE_FILE
    content = {
        "period": period,
        "cut_date": cut_date,
        "synthetic": bool(synthetic),
        "outcomes": headline_figures(estimates, period),
    }
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    return path


def _saved_headline(out_dir: Path, report: dict) -> dict[str, dict] | None:
    """The headline figures saved for a published report (:func:`rendered`'s entry), if they
    are of the data it was published from."""
    from .stages import work_dir

    content = _read_json(work_dir(out_dir, report["period"], report["lang"]) / HEADLINE_FILE)
    if not content or content.get("period") != report["period"] or content.get("cut_date") != report["cut_date"]:
        return None
    outcomes = content.get("outcomes")
    if not isinstance(outcomes, dict) or not outcomes:
        return None
    return {str(o): {k: f.get(k) for k in HEADLINE_KEYS} for o, f in outcomes.items() if isinstance(f, dict)}


def previous_headline(out_dir: str | Path, period: str, lang: str, *, synthetic: bool) -> dict[str, dict] | None:
    """The headline figures (:func:`headline_figures`) of the report before ``period`` in
    the reports folder ``out_dir``: the latest earlier period (:func:`earlier`) published on
    the same kind of data (``synthetic``: demo with demo, the export with the export) whose
    figures were saved, those of the report in ``lang`` if there is one, else of the other
    language (the estimates do not depend on the language). None for the first report."""
    out_dir = Path(out_dir)
    check_lang(lang)
    before = [r for r in rendered(out_dir) if r["synthetic"] == bool(synthetic) and earlier(r["period"], period)]
    before.sort(key=lambda r: (_order(r["period"]), r["lang"] == lang), reverse=True)
    for report in before:
        figures = _saved_headline(out_dir, report)
        if figures:
            return figures
    return None


# --------------------------------------------------------------------------- the sentence


def _signed(value: float, outcome: str, ratio: bool, lang: str, *, unit: bool) -> str:
    from .findings import _TEXTS, _fmt, as_ratio

    text = as_ratio(_TEXTS[outcome]) if ratio else _TEXTS[outcome]
    shown = _fmt(value * text.scale, text, lang, unit=unit, signed=True)
    return f"+{shown}" if value > 0 and any(c in "123456789" for c in shown.split("\u00a0")[0]) else shown


def since_last_report(
    previous: Mapping[str, Mapping] | None,
    current: Mapping[str, Mapping],
    *,
    lang: str = "sv",
    ratios: Sequence[str] = (),
) -> str | None:
    """One sentence on how the headline figures changed since the previous report:
    "Sedan förra rapporten (2025Q3) har skattningen för tid till tillsättning ändrats från
    +6,5 till +7,0 dagar, …; bedömningarna är desamma." ``previous`` and ``current`` are
    :func:`headline_figures`-shaped (outcome → figures); ``ratios`` the outcomes whose
    estimate is a proportional change (Poisson rows). None without previous figures or
    without an outcome in both.

    >>> before = {"days_to_fill": {"period": "2025Q3", "estimate": 6.5, "conf_low": 1.0, "conf_high": 12.0,
    ...                            "tag": "no_clear_difference"}}
    >>> now = {"days_to_fill": {"period": "2025Q4", "estimate": 7.04, "conf_low": 2.0, "conf_high": 12.1,
    ...                         "tag": "clear_increase"}}
    >>> print(since_last_report(before, now).replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    Sedan förra rapporten (2025Q3) har skattningen för tid till tillsättning ändrats från +6,5 till +7,0 dagar;
    bedömningen för tid till tillsättning är nu ”tydlig ökning” (förut ”ingen säkerställd skillnad”).
    """
    from ..texts import findings as F
    from .findings import _TEXTS, _and_list

    if not previous:
        return None
    i = index(lang)
    both = [o for o in current if o in previous and o in _TEXTS]
    both = [o for o in both if _number(previous[o].get("estimate")) is not None]
    if not both:
        return None

    def topic(outcome: str) -> str:
        title = _TEXTS[outcome].title[i]
        return title[:1].lower() + title[1:] if title[1:2].islower() else title

    def reads(outcome: str, figures: Mapping, *, unit: bool) -> str:
        return _signed(float(figures[outcome]["estimate"]), outcome, outcome in ratios, lang, unit=unit)

    # the figures that changed first, then those that read as before once rounded ("from
    # +5,8 to +5,8" says nothing): "… ändrats från +1,8 till +1,9 procentenheter och för
    # tid till tillsättning legat kvar på +5,8 dagar"
    same = {o for o in both if reads(o, previous, unit=False) == reads(o, current, unit=False)}
    clauses, verdicts = [], []
    for n, outcome in enumerate([o for o in both if o not in same] + [o for o in both if o in same]):
        key = ("first" if n == 0 else "next") + ("_same" if outcome in same else "")
        before, now = reads(outcome, previous, unit=False), reads(outcome, current, unit=True)
        clauses.append(T.SINCE[key][i].format(topic=topic(outcome), before=before, now=now))
    for outcome in both:
        was, tag = previous[outcome].get("tag"), current[outcome].get("tag")
        if was != tag and was in F.TAGS and tag in F.TAGS:
            words = {"topic": topic(outcome), "now": F.TAGS[tag][i], "before": F.TAGS[was][i]}
            verdicts.append(T.SINCE["verdict"][i].format(**words))
    ending = (
        T.SINCE["verdicts_changed"][i].format(verdicts=_and_list(verdicts, lang))
        if verdicts
        else T.SINCE["verdicts_same"][i]
    )
    period = str(previous[both[0]].get("period", ""))
    return T.SINCE["sentence"][i].format(period=period, changes=_and_list(clauses, lang), verdicts=ending)
