"""The notebook suite: structure (fast) and a full quarterly report on demo data (slow).

Structure: every notebook in notebooks/ has exactly one ``parameters`` cell of literals,
the one :func:`pilot_eval.report.parameters.parameters_cell` makes, a kernelspec, a
title in both languages, no outputs, and stays thin (no function definitions, no file
reading, no paths).

Execution: the whole suite is run once through ``pilot-eval report``'s runner on a demo
export in which one pilot administration (KOF) is made tiny on purpose, and the rendered
HTML is checked: no code, no prompts, no external URL, embedded images, Swedish text, and
no count between 1 and 4 anywhere a count is shown.
"""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import report_fixtures as fx

from pilot_eval import paths
from pilot_eval.report.parameters import parameters_cell

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_suite_has_every_section():
    stems = [p.stem for p in NOTEBOOKS]
    for part in (
        "sammanfattning",
        "data_quality",
        "time_to_fill",
        "withdrawals",
        "competence_supply",
        "equality",
        "checks",
        "methods_power",
    ):
        assert any(part in s for s in stems), f"no notebook for {part}: {stems}"
    assert stems[0].startswith("00_") and "sammanfattning" in stems[0], "the summary must come first"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_of_literals_matching_the_contract(path):
    nb = _load(path)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    tree = ast.parse("".join(tagged[0]["source"]))
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"{path.name}: the parameters cell may only assign literals, found {ast.dump(node)[:80]}"
        )
        ast.literal_eval(node.value)
    assert "".join(tagged[0]["source"]) == parameters_cell(), (
        f"{path.name}: the parameters cell is not the definition's; rewrite it with "
        "python -m pilot_eval.report.parameters --write-notebooks notebooks/"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_with_kernelspec_and_titles(path):
    nb = _load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    titles = nb["metadata"]["pilot_eval"]["title"]
    assert titles["sv"] and titles["en"]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_stay_thin(path):
    """notebooks/README.md: a cell calls pilot_eval, displays, says a sentence; no functions, no file
    reading, no paths in a notebook."""
    code = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "code")
    tree = ast.parse(code)
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    for forbidden in ("read_csv", "read_parquet", "read_excel", "open(", "data/raw", "data/processed", "import pandas"):
        assert forbidden not in code, f"{path.name} contains {forbidden!r}"


# --------------------------------------------------------------------------- the full report


class _Cells(HTMLParser):
    """Collects the text of every table cell with its data-kind, every src/href and every img."""

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.images: list[str] = []
        self._kind: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(a[key])
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "td":
            self._kind, self._text = a.get("data-kind", ""), []

    def handle_data(self, data):
        if self._kind is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._kind is not None:
            self.cells.append((self._kind, "".join(self._text).strip()))
            self._kind = None


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The full report for 2025Q4 on a demo export whose KOF is tiny on purpose (built once
    per test run, shared with the browser test)."""
    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    result = json.loads((base / "result.json").read_text(encoding="utf-8"))
    return result, fx.published(base)


@pytest.mark.slow
def test_every_notebook_runs_with_its_defaults_and_renders(report):
    res, folder = report
    failed = [(n["name"], n.get("error")) for n in res["manifest"]["notebooks"] if n["status"] != "ok"]
    assert res["exit_code"] == 0 and not failed, failed
    work = fx.work(folder)
    for nb in NOTEBOOKS:
        assert (folder / f"{nb.stem}.html").is_file()
        assert (work / "notebooks" / nb.name).is_file()
    assert (folder / "index.html").is_file() and (work / "manifest.json").is_file()
    # the published folder holds what readers get, nothing else
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"{nb.stem}.html" for nb in NOTEBOOKS), "index.html", "provenance.json"]
    )


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])
def test_rendered_page_has_no_code_prompts_external_urls_or_small_counts(report, stem):
    _, folder = report
    page = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert "In&nbsp;[" not in page and "In [" not in page and "Out[" not in page
    assert "jp-InputArea" not in page and "input_area" not in page, "a code cell was rendered"
    assert "show.table(" not in page and "report.open_period" not in page
    assert "Traceback" not in page and "Warning" not in page
    parser = _Cells()
    parser.feed(page)
    external = [u for u in parser.urls if re.match(r"^(https?:)?//", u)]
    assert not external, f"{stem}: external URLs {external[:3]}"
    assert parser.images and all(src.startswith("data:image/") for src in parser.images), f"{stem}: images not embedded"
    counts = [text for kind, text in parser.cells if kind == "count"]
    assert counts or "sammanfattning" in stem, f"{stem}: no count shown at all"  # the summary has charts only
    small = [c for c in counts if c in {"1", "2", "3", "4"}]
    assert not small, f"{stem}: counts 1-4 shown: {small[:5]}"


@pytest.mark.slow
def test_no_published_numerator_and_denominator_give_a_count_of_1_to_4_and_the_audit_is_on_record(report):
    """The published figures of every page together (the report's ledger, as published):
    no row shows a numerator and its denominator whose difference is 1–4 (declined offers on
    the equality page, 14 − 11 = 3), no count of 1–4 is shown anywhere, and the working
    folder has the audit, without a true value of any withheld cell."""
    from pilot_eval.disclosure import Ledger
    from pilot_eval.disclosure.ledger import TableEntry
    from pilot_eval.report import stages

    res, folder = report
    work = fx.work(folder)
    ledger = Ledger.load(work / "ledger")
    tables = [e for e in ledger.entries if isinstance(e, TableEntry)]
    assert {e.page for e in tables} >= {"01_data_quality", "05_equality", "06_checks"}
    # the tables as published: as the notebooks registered them, or as the audit replaced them
    audited = ledger.audit(assume_margins=stages.ASSUME_MARGINS)
    replaced = res["manifest"]["disclosure"]["replaced_tables"]
    assert sorted(k for k in audited.changed if k in audited.tables) == replaced
    pairs = 0
    for entry in tables:
        t = audited.tables[entry.id] if entry.id in replaced else entry.table
        src, flags = t.source.reset_index(drop=True), t.flags.reset_index(drop=True)
        if {"numerator", "denominator"} <= set(src.columns):
            shown = (flags["numerator"] == "") & (flags["denominator"] == "")
            gap = src["denominator"] - src["numerator"]
            pairs += int(shown.sum())
            assert not (shown & gap.between(1, 4)).any(), (entry.id, src[shown & gap.between(1, 4)])
        for col, kind in t.column_kinds.items():
            if kind == "count" and col in src:
                visible = flags[col] == ""
                assert not (visible & src[col].between(1, 4)).any(), (entry.id, col)
    assert pairs > 50  # the equality page shows most of its pairs
    audit = json.loads((work / "disclosure_audit.json").read_text(encoding="utf-8"))
    assert audit["unprotected"] == [] and audit["summary"]["cells"] > 1000
    assert 0.5 < audit["summary"]["published_share"] <= audit["summary"]["before_report_audit"]["published_share"]


@pytest.mark.slow
def test_the_small_administration_is_protected_not_hidden(report):
    """KOF was made tiny on purpose: its small counts appear as "<5", never as 1–4."""
    _, folder = report
    page = (folder / "06_checks.html").read_text(encoding="utf-8")
    assert "Kultur- och fritidsförvaltningen" in page or "KOF" in page
    assert "&lt;5" in page or "<5" in page


@pytest.mark.slow
def test_summary_is_swedish_with_findings_and_uncertainty(report):
    _, folder = report
    page = (folder / "00_sammanfattning.html").read_text(encoding="utf-8")
    assert 'lang="sv"' in page
    for phrase in (
        "Sammanfattning",
        "Vad gjordes?",
        "Vad blev resultatet?",
        "syntetiska demonstrationsdata",
        "fråga 5",
        "prövas samtidigt",
    ):
        assert phrase in page, f"summary lacks {phrase!r}"
    # a verdict in words for each primary outcome, and no double negative
    tags = ("tydlig ökning", "tydlig minskning", "ingen säkerställd skillnad", "grupperna skilde sig redan före")
    assert sum(page.count(tag) for tag in tags) >= 3
    assert "inte utesluta att piloten inte" not in page
    assert page.count("data:image/png") >= 1, "the chart of the effects with their intervals"
    assert re.search(r"\d,\d", page), "Swedish decimal comma"
    assert "Fråga 5: påverkade den fördjupade bakgrundskontrollen" in page
    assert '<table class="verdicts"' in page and page.count('class="verdict verdict-') == 3
    assert "Ordlista" in page and "styrka)" not in page


class _WordsBeforeChart(HTMLParser):
    """The words of a page's visible text before its first image (title, style, script left out)."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self._skip = 0
        self._done = False

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "title")
        self._done = self._done or tag == "img"

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "title")

    def handle_data(self, data):
        if not self._skip and not self._done:
            self.words += data.split()


@pytest.mark.slow
def test_the_summary_has_at_most_400_words_before_its_first_chart(report):
    _, folder = report
    parser = _WordsBeforeChart()
    parser.feed((folder / "00_sammanfattning.html").read_text(encoding="utf-8"))
    assert parser._done, "the summary has a chart"
    assert 100 < len(parser.words) <= 400, len(parser.words)


@pytest.mark.slow
def test_the_summary_shows_the_previous_reports_figures_only_when_there_is_one(tmp_path, tmp_path_factory):
    """2025Q3 and then 2025Q4 into one reports folder: 2025Q4's verdict table has a column
    "Förra rapporten (2025Q3)" whose effects read as 2025Q3's own table reads them (in the
    reader's units: days, percentage points, per cent), and a sentence "Sedan förra
    rapporten"; 2025Q3, the first report, has neither."""
    import shutil

    from pilot_eval.report.runner import run_report

    processed = fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.NOTEBOOKS_DIR / "00_sammanfattning.ipynb", notebooks)
    out = tmp_path / "out"
    for period in ("2025Q3", fx.PERIOD):
        result = run_report(period, processed_dir=processed, out_dir=out, notebooks_dir=notebooks, quiet=True)
        assert result.exit_code == 0, result.manifest
    first = (out / "2025Q3" / "sv" / "00_sammanfattning.html").read_text(encoding="utf-8")
    later = (out / fx.PERIOD / "sv" / "00_sammanfattning.html").read_text(encoding="utf-8")
    assert "Förra rapporten" not in first and "Sedan förra rapporten" not in first
    table_before = re.search(r'<table class="verdicts".*?</table>', first, re.S).group(0)
    table_now = re.search(r'<table class="verdicts".*?</table>', later, re.S).group(0)
    assert '<td class="verdict-previous"' not in table_before and table_before.count('<th scope="col">') == 3
    assert table_now.count('<th scope="col">') == 4
    assert '<th scope="col">Förra rapporten (2025Q3)</th>' in table_now
    assert "Sedan förra rapporten (2025Q3) har skattningen för " in later
    effects_before = re.findall(r'<td class="verdict-effect">([^<]*)</td>', first)
    previous_now = re.findall(r'<td class="verdict-previous" data-label="[^"]*">([^<]*)<br>', later)
    assert len(effects_before) == 3 and previous_now == effects_before
    assert re.search(r"procentenheter (högre|lägre)", " ".join(previous_now)), "a share in percentage points"
    assert re.search(r"\d\xa0% (fler|färre)", " ".join(previous_now)), "a ratio in per cent"


@pytest.mark.slow
def test_the_summary_in_english(report, tmp_path, tmp_path_factory):
    """``lang="en"`` renders the same summary in English: headings, findings, number format."""
    import shutil

    from pilot_eval.report.runner import run_report

    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.NOTEBOOKS_DIR / "00_sammanfattning.ipynb", notebooks)
    result = run_report(
        fx.PERIOD,
        processed_dir=base / "processed",
        out_dir=tmp_path / "out",
        lang="en",
        notebooks_dir=notebooks,
        quiet=True,
    )
    assert result.exit_code == 0, result.manifest
    page = (tmp_path / "out" / fx.PERIOD / "en" / "00_sammanfattning.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page
    for phrase in ("Summary", "What was done?", "What did we find?", "What can the data not tell?", "synthetic"):
        assert phrase in page, f"English summary lacks {phrase!r}"
    assert "Vad gjordes?" not in page and "inte utesluta" not in page
