"""``pilot-eval report --pdf``: the summary and the whole report as PDFs for a committee's
agenda, printed by headless Chromium (:mod:`pilot_eval.report.pdf`).

The printed PDFs are read back with poppler's ``pdftotext`` (Debian's ``poppler-utils``,
which ``.ci/run`` installs with chromium): every page has the running header, "Demodata"
on demo data and "Sida N av M" with N running 1..M, the summary's sentences and every
table cell of the report are in the text, and no word lies beyond the printable width.
The first page of each PDF (and a middle page of the whole report) goes to
``tests/artifacts/browser/`` as PNG (git-ignored).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import report_fixtures as fx

from pilot_eval import cli
from pilot_eval.report import pdf, runner

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "browser"
HEADER_SV = "Botkyrka kommun · Utvärdering av fördjupad bakgrundskontroll · 2025Q4"
#: A4 is 595 pt wide; the right margin is 16 mm (45.4 pt): no word may end beyond this.
RIGHT_EDGE_PT = 595.3 - 16 / 25.4 * 72 + 1


def _missing() -> str | None:
    if CHROMIUM is None:
        return "chromium not found: install Debian's chromium (apt-get install chromium) to print; .ci/run does"
    if PDFTOTEXT is None or shutil.which("pdftoppm") is None:
        return "pdftotext/pdftoppm not found: install Debian's poppler-utils to read the PDFs back; .ci/run does"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed: pip install -e . (python3 run.py setup does)"
    return None


MISSING = _missing()
needs_chromium = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


# -- without Chromium: said at once, nothing run, nothing written ---------------------------------


def test_report_pdf_without_chromium_exits_2_saying_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    out = tmp_path / "reports"
    code = cli.main(["report", "--period", "2025Q4", "--demo", "--out", str(out), "--pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert "apt-get install chromium" in err and "Nothing was written" in err
    assert not out.exists()  # checked before the data are prepared: no folder, no PDF


def test_without_playwright_the_message_names_the_python_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    with pytest.raises(pdf.PdfUnavailable, match="Python package playwright"):
        pdf.check_available(sys.executable)  # an executable that exists stands in for chromium


def test_a_folder_that_is_not_a_published_report_is_refused(tmp_path):
    with pytest.raises(pdf.PdfError, match="provenance.json"):
        pdf.write_pdfs(tmp_path, lang="sv", chromium=sys.executable)
    assert list(tmp_path.iterdir()) == []


def test_the_running_header_marks_demo_data_and_the_footer_numbers_pages():
    demo = pdf.header_template("Utvärdering", "2025Q4", "sv", synthetic=True)
    assert "Botkyrka kommun · Utvärdering · 2025Q4" in demo and "Demodata" in demo
    assert "Demodata" not in pdf.header_template("Utvärdering", "2025Q4", "sv", synthetic=False)
    assert "Botkyrka Municipality" in pdf.header_template("Evaluation", "2025Q4", "en", synthetic=True)
    sv, en = pdf.footer_template("sv"), pdf.footer_template("en")
    assert 'Sida <span class="pageNumber"></span> av <span class="totalPages"></span>' in sv
    assert 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>' in en


def test_the_index_links_the_pdfs_in_the_report_s_language():
    from pilot_eval.report import render

    prov = {
        "period": "2025Q4",
        "cut_date": "2025-12-31",
        "parameters": {},
        "input_files": [],
        "versions": {},
        "git_commit": "x",
        "rendered": "2026-01-01 10:00",
        "synthetic": False,
    }
    nbs = [{"name": "00_sammanfattning", "title": "Sammanfattning", "status": "ok", "html": "00_sammanfattning.html"}]
    names = pdf.pdf_names("2025Q4", "sv", ["00_sammanfattning.html"])
    page = render.render_contents(
        period="2025Q4", lang="sv", provenance=prov, notebooks=nbs, ingest_warning=False, pdfs=names
    )
    assert '<a href="00_sammanfattning.pdf" type="application/pdf">Sammanfattningen som PDF</a>' in page
    assert '<a href="rapport-2025Q4.pdf" type="application/pdf">Hela rapporten som PDF</a>' in page
    plain = render.render_contents(period="2025Q4", lang="sv", provenance=prov, notebooks=nbs, ingest_warning=False)
    assert "application/pdf" not in plain and "Utskrift" not in plain


# -- reading PDFs back ------------------------------------------------------------------------------


def _pages(path: Path) -> list[str]:
    """The text of each page (pdftotext ends each with a form feed)."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _bare(text: str) -> str:
    """Without any white space: a line broken in the PDF ("2025-12-" / "31") still matches."""
    return re.sub(r"\s+", "", text)


#: The running header's and the footer's lines (pilot_eval.report.pdf), which a paragraph
#: broken across two pages has between its halves.
_RUNNING = re.compile(r"^\s*(Botkyrka (kommun|Municipality) · .*|(Sida|Page) \d+ (av|of) \d+)\s*$")


def _raw_text(path: Path) -> str:
    """The PDF's text in the order it was printed (-raw: a table cell's lines stay together),
    without the running header and page numbers, so that a paragraph that goes on over a
    page break reads as one."""
    raw = subprocess.run([PDFTOTEXT, "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return _bare("\n".join(line for line in raw.replace("\f", "\n").splitlines() if not _RUNNING.match(line)))


def _words_beyond_the_margin(path: Path) -> list[str]:
    bbox = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [
        f"{m.group(2)} (x {float(m.group(1)):.0f} pt)"
        for m in re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox)
        if float(m.group(1)) > RIGHT_EDGE_PT
    ]


def _shot(path: Path, name: str, page: int = 1) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"  # the browser folder only: tests/artifacts/*.png are kept
    if not ignore.exists():
        ignore.write_text("# test output, never committed\n*\n", encoding="utf-8")
    stem = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(path), str(stem)],
        check=True,
    )
    return stem.with_suffix(".png")


def _assert_numbered_with_header(pages: list[str], header: str, demo: str | None, page_word=("Sida", "av")):
    """Every page says "Sida N av M" with N its number, and its first line is the running
    header (with the demo mark when ``demo``)."""
    total = len(pages)
    assert total >= 1
    for number, text in enumerate(pages, start=1):
        assert f"{page_word[0]} {number} {page_word[1]} {total}" in _flat(text), (number, _flat(text)[-200:])
        first = _flat(next(line for line in text.splitlines() if line.strip()))
        assert first.startswith(header), (number, first)
        assert (demo in first) if demo else ("Demo" not in first), (number, first)


def _read_pages(paths: list[Path]) -> dict[str, dict]:
    """Each page's table cells, sentences (p, li, h1, h2) and first heading, as the browser
    shows them (a Playwright of its own, closed before anything is printed)."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(pdf.CHROMIUM_ARGS))
        page = browser.new_page()
        for html in paths:
            page.goto(html.as_uri(), wait_until="load")
            cells = page.eval_on_selector_all("main td, main th", "cs => cs.map(c => c.innerText)")
            sentences = page.eval_on_selector_all("main p, main li, main h1, main h2", "es => es.map(e => e.innerText)")
            heading = page.inner_text("main h1") if page.locator("main h1").count() else ""
            out[html.name] = {
                "cells": [_flat(c) for c in cells if _flat(c)],
                "sentences": [_flat(t) for t in sentences if _flat(t)],
                "heading": _flat(heading),
            }
        browser.close()
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The real notebook suite's published folder (shared with test_browser), copied, and
    printed: (folder, stderr of write_pdfs, its result)."""
    if MISSING:
        pytest.skip(MISSING)
    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    folder = tmp_path_factory.mktemp("pdf") / fx.PERIOD
    shutil.copytree(fx.published(base, "sv"), folder)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        written = pdf.write_pdfs(folder, lang="sv")
    return folder, err.getvalue(), written


@pytest.mark.slow
@pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
def test_the_summary_pdf_has_header_demo_mark_and_page_numbers_on_every_page(printed):
    folder, err, written = printed
    summary = folder / "00_sammanfattning.pdf"
    assert written == [summary, folder / "rapport-2025Q4.pdf"]
    assert summary.read_bytes().startswith(b"%PDF")
    pages = _pages(summary)
    _assert_numbered_with_header(pages, HEADER_SV, "Demodata")
    text = _raw_text(summary)
    page = _read_pages([folder / "00_sammanfattning.html"])["00_sammanfattning.html"]
    assert len(page["sentences"]) >= 5
    missing = [s for s in page["sentences"] if _bare(s) not in text]
    assert missing == [], missing  # every heading, paragraph and list item of the summary
    assert [c for c in page["cells"] if _bare(c) not in text] == []
    assert _words_beyond_the_margin(summary) == []
    _shot(summary, "pdf-summary-page1")


@pytest.mark.slow
@pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
def test_the_whole_report_is_one_pdf_numbered_through_with_every_page_and_table(printed):
    folder, err, _ = printed
    whole = folder / "rapport-2025Q4.pdf"
    assert whole.read_bytes().startswith(b"%PDF")
    pages = _pages(whole)
    report_pages = sorted(p for p in folder.glob("*.html") if p.name != "index.html")
    assert len(pages) >= len(report_pages)
    _assert_numbered_with_header(pages, HEADER_SV, "Demodata")
    text = _raw_text(whole)
    # the summary first, then the pages in order: each page's first heading after the last one's
    at = -1
    for name, page in _read_pages(report_pages).items():
        heading = _bare(page["heading"] or page["sentences"][0])
        found = text.find(heading, at + 1)
        assert found > at, (name, heading)
        at = found
        lost = [c for c in page["cells"] if _bare(c) not in text]
        assert lost == [], (name, lost[:10])  # no table cut off at the paper's edge
    assert text.count("Programversioner") == 1  # the provenance once, at the end
    assert text.rfind("Programversioner") > at
    assert _words_beyond_the_margin(whole) == []
    assert "cut at its right edge" not in err
    assert b"file:" not in whole.read_bytes()  # no local path in the PDF
    _shot(whole, "pdf-report-page1")
    _shot(whole, "pdf-report-middle", page=len(pages) // 2)


@pytest.mark.slow
@pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
def test_a_table_wider_than_the_paper_is_printed_smaller_whole_and_the_text_keeps_its_size(tmp_path):
    """A page of real data (not synthetic: no demo mark) with a 30-column table: the table is
    scaled to the paper and named in a warning; the other pages' text is not shrunk with it."""
    style = "<style>body{font-size:12pt} @media print {body{font-size:11pt}}</style>"
    row = "".join(f"<td style='white-space:nowrap'>{i * 1111:,} kr</td>" for i in range(30))
    pages = {
        "00_sammanfattning.html": "<h1>Sammanfattning</h1><p>Kort text om resultatet, se "
        '<a href="01_bred.html">tabellen</a> och <a href="https://www.botkyrka.se/">kommunen</a>.</p>',
        "01_bred.html": f"<h1>Bred tabell</h1><table><caption>Bred</caption><tr>{row}</tr></table>",
    }
    for name, main in pages.items():
        (tmp_path / name).write_text(
            f'<!DOCTYPE html><html lang="sv"><head><title>{name}</title>{style}</head>'
            f"<body><main>{main}</main></body></html>",
            encoding="utf-8",
        )
    record = {
        "period": "2026Q1",
        "data": {"synthetic": False},
        "notebooks": [{"name": Path(n).stem, "html": n} for n in pages],
    }
    (tmp_path / "provenance.json").write_text(json.dumps(record), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        summary, whole = pdf.write_pdfs(tmp_path, lang="sv")
    assert "1 tables are wider than the paper" in err.getvalue() and "01_bred.html: 'Bred'" in err.getvalue()
    text = _flat(" ".join(_pages(whole)))
    assert all(_bare(f"{i * 1111:,} kr") in _raw_text(whole) for i in range(30))
    assert _words_beyond_the_margin(whole) == []
    assert "Demodata" not in text and "Sida 1 av 2" in text and "Sida 2 av 2" in text
    for printed in (summary, whole):  # a link into the folder is plain text; a link to the web stays
        assert b"file:" not in printed.read_bytes() and b"https://www.botkyrka.se/" in printed.read_bytes()

    def height(path, word):
        bbox = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True).stdout
        m = re.search(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{word}<', bbox)
        return float(m.group(2)) - float(m.group(1))

    assert height(whole, "Kort") == pytest.approx(height(summary, "Kort"), rel=0.02)
    assert height(whole, "Kort") > 11 * 0.95  # 11 pt text, as the print CSS says


# -- the command: PDFs in the published folder, swapped in with it -------------------------------


@pytest.mark.slow
@pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
def test_report_pdf_puts_english_pdfs_in_the_published_folder_and_a_failed_print_publishes_nothing(
    tmp_path, tmp_path_factory, monkeypatch
):
    processed = fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"
    notebooks = fx.notebooks(tmp_path / "notebooks", "00_sammanfattning", "02_utan_titel")
    out = tmp_path / "reports"

    def run():
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            result = runner.run_report(
                fx.PERIOD, processed_dir=processed, out_dir=out, notebooks_dir=notebooks, lang="en", pdf=True
            )
        return result, err.getvalue()

    printed_in = []
    real = pdf.write_pdfs

    def spy(folder, **kwargs):  # printed in the folder about to be swapped in, complete but for the PDFs
        printed_in.append(Path(folder).name)
        assert (Path(folder) / "index.html").is_file() and not (out / fx.PERIOD / "en").exists()
        return real(folder, **kwargs)

    monkeypatch.setattr(pdf, "write_pdfs", spy)
    result, _ = run()
    assert result.exit_code == 0
    assert len(printed_in) == 1 and printed_in[0].startswith(".en.new-")  # beside where en/ goes
    published = result.index.parent
    assert sorted(p.name for p in published.glob("*.pdf")) == ["00_sammanfattning.pdf", "report-2025Q4.pdf"]
    pages = _pages(published / "report-2025Q4.pdf")
    assert len(pages) >= 2
    _assert_numbered_with_header(pages, "Botkyrka Municipality · ", "Demo data", page_word=("Page", "of"))
    index = (published / "index.html").read_text(encoding="utf-8")
    assert 'href="00_sammanfattning.pdf"' in index and "The whole report as PDF" in index
    assert [p.name for p in (out / fx.PERIOD).iterdir() if p.name.startswith(".")] == []  # no staging left
    _shot(published / "report-2025Q4.pdf", "pdf-report-en-page1")
    before = {p.name: p.stat().st_mtime_ns for p in published.iterdir()}

    def fail(*args, **kwargs):
        raise pdf.PdfError("Chromium could not print the report: test")

    monkeypatch.setattr(pdf, "write_pdfs", fail)
    result, err = run()
    assert result.exit_code == 1 and result.index is None
    assert "Nothing was published" in err
    assert {p.name: p.stat().st_mtime_ns for p in published.iterdir()} == before  # the last report, untouched
    assert [p.name for p in (out / fx.PERIOD).iterdir() if p.name.startswith(".")] == []
