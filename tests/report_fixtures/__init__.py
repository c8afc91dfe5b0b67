"""Trivial notebooks for testing the report runner, and a small data set to run them on.

* ``ok/``: ``00_sammanfattning`` (the summary: a table and a matplotlib chart from the
  data, Swedish text, a cell tagged ``analyst-note``), ``01_varningar`` (prints a table, writes a warning to stderr),
  ``02_utan_titel`` (no title in its metadata, no data; a Markdown image from ``logo.png``).
* ``failing/03_fel``: stops with ZeroDivisionError in its third code cell.
* ``failing/06_fientlig``: a user's notebook that does what it should not: displays raw
  rows (``display``, raw HTML, a cell's value), prints IDs to stdout and stderr and raises
  with an ID in its message; one sentence goes through ``show.say``.
* ``timeout/05_sover``: sleeps longer than any test's cell timeout.
* ``ledger/07_erbjudanden`` and ``ledger/08_summa``: two pages that are safe on their own
  and not together: offers by outcome (pending "<5", nothing else withheld) and the total
  of offers (517 − 341 − 147 − 13 − 12 gives the pending 4 back), and a sentence with two
  counts (13 withdrawn, shown on the other page too, and 3 "lost"); ``ledger/09_diagram``:
  the same offers in a chart, and the expired ones in a sentence (the audit withholds them:
  the page runs again).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

HERE = Path(__file__).resolve().parent
OK, FAILING, TIMEOUT, LEDGER = HERE / "ok", HERE / "failing", HERE / "timeout", HERE / "ledger"
PERIOD = "2025Q4"
CUT = "2025-12-31"


def once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    """``build(folder)`` once per test run, for whichever test asks first, in whichever
    module and pytest-xdist worker; the others wait for it and get the same ``folder``."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, shared by its workers
    folder = base / f"shared-{name}"
    with FileLock(f"{folder}.lock"):
        if not (folder / ".done").is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed halfway
            folder.mkdir()
            build(folder)
            (folder / ".done").touch()
    return folder


def processed_data(base: Path, seed: int = 5) -> Path:
    """A fifth of Botkyrka's volume, generated, written and ingested (no Data Docs) into
    ``base/processed``, as ``pilot-eval report --demo`` would for 2025Q4 (about 10 s).
    Tests share one: ``once(tmp_path_factory, "processed", processed_data) / "processed"``."""
    from pilot_eval.demo import generate, write_export
    from pilot_eval.ingest import ingest

    write_export(generate(seed=seed, scale=0.2, end=CUT, cut_date=CUT), base / "raw")
    ingest(base / "raw", base / "processed", cut_date=CUT, data_docs=False)
    return base / "processed"


def notebooks(dest: Path, *names: str) -> Path:
    """Copy the named fixture notebooks (from any of the folders) and ``logo.png`` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(OK / "logo.png", dest)
    for name in names:
        source = next(
            folder / f"{name}.ipynb"
            for folder in (OK, FAILING, TIMEOUT, LEDGER)
            if (folder / f"{name}.ipynb").is_file()
        )
        shutil.copy(source, dest)
    return dest


def small_unit_data(base: Path, seed: int = 7) -> Path:
    """Botkyrka's volume with one pilot administration (KOF) made tiny on purpose (about 1
    in 40 of its adverts kept), generated, written and ingested into ``base/processed``:
    the data on which no rendered count may be 1–4."""
    from pilot_eval.demo import generate, write_export
    from pilot_eval.ingest import ingest

    export = generate(seed=seed, end=CUT, cut_date=CUT)
    t = export.tables
    v = t["vacancies"]
    kof = v["administration"].astype(str) == "KOF"
    keep = v.loc[kof].sort_values("published_date").index[::40]
    v = v.loc[~kof | v.index.isin(keep)]
    v = v.loc[v["readvertisement_of"].isna() | v["readvertisement_of"].isin(v["vacancy_id"])]
    apps = t["applications"].loc[lambda a: a["vacancy_id"].isin(v["vacancy_id"])]
    checks = t["background_checks"].loc[lambda c: c["application_id"].isin(apps["application_id"])]
    export.tables.update(vacancies=v, applications=apps, background_checks=checks)
    write_export(export, base / "raw")
    result = ingest(base / "raw", base / "processed", cut_date=CUT, data_docs=False)
    assert result.exit_code == 0, result.report
    return base / "processed"


def published(base: Path, lang: str = "sv") -> Path:
    """The published folder of the report in ``base/reports`` for :data:`PERIOD` in ``lang``:
    ``base/reports/2025Q4/sv``."""
    from pilot_eval.report.render import published_dir

    return published_dir(base / "reports", PERIOD, lang)


def work(published_folder: Path) -> Path:
    """The working folder of the report published in ``published_folder``
    (``<out>/<period>/<lang>`` → ``<out>/.work/<period>/<lang>``)."""
    lang, period, out = published_folder.name, published_folder.parent.name, published_folder.parent.parent
    return out / ".work" / period / lang


def full_report(base: Path) -> Path:
    """The real notebook suite (``notebooks/``) rendered for 2025Q4 on :func:`small_unit_data`
    into ``base/reports``, in Swedish and then in English, as ``pilot-eval report`` does; returns
    the published Swedish folder ``base/reports/2025Q4/sv``. Tests share one:
    ``published(once(tmp_path_factory, "full-report", full_report), lang)``."""
    import contextlib
    import io
    import json

    from pilot_eval.report.runner import run_report

    processed = small_unit_data(base)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result = run_report(PERIOD, processed_dir=processed, out_dir=base / "reports", jobs=2)
        english = run_report(PERIOD, processed_dir=processed, out_dir=base / "reports", jobs=2, lang="en")
    (base / "result.json").write_text(
        json.dumps({"exit_code": result.exit_code, "manifest": result.manifest}, default=str), encoding="utf-8"
    )
    (base / "result-en.json").write_text(
        json.dumps({"exit_code": english.exit_code, "manifest": english.manifest}, default=str), encoding="utf-8"
    )
    return published(base)
