"""A real browser opens a rendered report as its readers would: pages display, images load,
the text is in the page's language, printing works, nothing is requested from any host, and
every page meets WCAG 2.1 AA as axe-core checks it, at desktop and phone width.

Headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it) driven by Playwright;
axe-core from npm (``tests/browser/package.json``; ``.ci/run`` runs ``npm ci`` there).
Screenshots, axe's findings per page and a PDF print of the summary go to
``tests/artifacts/browser/``.

The report is the real notebook suite rendered on demo data in Swedish and in English
(``report_fixtures.full_report``, shared with ``test_notebooks.py``).

Without chromium, playwright or axe-core the tests are skipped, saying what is missing,
unless ``PILOT_EVAL_BROWSER_REQUIRED=1`` (``.ci/run`` sets it): then they fail, so that CI
never passes without having looked.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import report_fixtures as fx

from pilot_eval.report.pdf import CHROMIUM_ARGS, find_chromium  # the browser `report --pdf` prints with

CHROMIUM = find_chromium()
ARGS = list(CHROMIUM_ARGS)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "browser"
AXE = Path(
    os.environ.get("AXE_CORE_JS") or Path(__file__).resolve().parent / "browser/node_modules/axe-core/axe.min.js"
)
#: the WCAG 2.1 A and AA rules of axe-core; a violation of serious or critical impact fails
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": 1200, "phone": 390}
LANGS = ("sv", "en")


def _missing() -> str | None:
    if CHROMIUM is None:
        return (
            "chromium not found: install Debian's chromium (apt-get install chromium) to run the browser "
            "test; .ci/run does"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed: pip install -e '.[test]' (python3 run.py setup does)"
    if not AXE.is_file():
        return f"axe-core not found at {AXE}: run npm ci in tests/browser (.ci/run does)"
    return None


MISSING = _missing()
if MISSING is not None and os.environ.get("PILOT_EVAL_BROWSER_REQUIRED") == "1":
    raise RuntimeError(f"the browser test is required here (PILOT_EVAL_BROWSER_REQUIRED=1): {MISSING}")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


@pytest.fixture(scope="module")
def report_dirs(tmp_path_factory) -> dict[str, Path]:
    """The published folders (Swedish and English) of the real notebook suite's report
    (shared with test_notebooks, built once per run), each copied alone to a folder of its
    own: what a councillor who gets it by mail opens, without the working folder beside it."""
    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    folders = {}
    for lang in LANGS:
        alone = tmp_path_factory.mktemp(f"published-alone-{lang}") / fx.PERIOD
        shutil.copytree(fx.published(base, lang), alone)
        folders[lang] = alone
    return folders


@pytest.fixture(scope="module")
def report_dir(report_dirs) -> Path:
    """The Swedish published folder."""
    return report_dirs["sv"]


def _pages(folder: Path) -> list[Path]:
    """Every page a reader can open in a published folder, the index first."""
    return [folder / "index.html", *sorted(p for p in folder.glob("*.html") if p.name != "index.html")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# test output, never committed\n*\n", encoding="utf-8")
    print(f"\nbrowser test artefacts: {ARTIFACTS}")
    return ARTIFACTS


class Visit:
    """A browser tab that aborts and records every request that is not for a local file."""

    def __init__(self, browser, width: int = 1100):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path):
        self.page.goto(path.as_uri(), wait_until="load")
        return self.page

    def assert_offline(self):
        remote = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        assert self.blocked == [] and remote == [], f"the page asked for {self.blocked or remote}"
        assert self.errors == [], self.errors

    def close(self):
        self.context.close()


def _images(page) -> list[dict]:
    return page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.src.slice(0, 30), complete: i.complete, width: i.naturalWidth}))"
    )


def test_index_and_summary_display_offline_in_swedish(report_dir, browser, artifacts):
    visit = Visit(browser)
    try:
        page = visit.open(report_dir / "index.html")
        assert page.evaluate("document.documentElement.lang") == "sv"
        assert "Utvärdering av fördjupad bakgrundskontroll" in page.title()
        text = page.inner_text("body")
        assert "För förtroendevalda" in text and "Underlag" in text and "Indatafiler" in text
        page.screenshot(path=str(artifacts / "index.png"), full_page=True)

        summary = next(report_dir.glob("00_*.html"))
        page.click("section.summary a")  # the page for politicians, from the index
        page.wait_for_load_state("load")
        assert page.url == summary.as_uri()
        text = page.inner_text("body")
        assert "Sammanfattning" in text and any(ch in text for ch in "åäöÅÄÖ")
        assert "Programversioner" in text and "Git-version" in text
        images = _images(page)
        assert images, "the summary shows at least one chart"
        assert all(img["complete"] and img["width"] > 0 and img["src"].startswith("data:image/") for img in images), (
            images
        )
        page.screenshot(path=str(artifacts / "summary.png"), full_page=True)
        visit.assert_offline()
    finally:
        visit.close()


def test_every_page_shows_its_images_and_fetches_nothing(report_dir, browser, artifacts):
    pages = sorted(p for p in report_dir.glob("*.html") if p.name != "index.html")
    assert pages
    for path in pages:
        visit = Visit(browser)
        try:
            page = visit.open(path)
            assert page.evaluate("document.documentElement.lang") == "sv"
            assert all(img["complete"] and img["width"] > 0 for img in _images(page)), path.name
            assert page.locator("footer.provenance").count() == 1, path.name
            assert page.locator("pre.highlight, .jp-InputArea-editor, script").count() == 0, path.name
            page.screenshot(path=str(artifacts / f"{path.stem}.png"), full_page=True)
            visit.assert_offline()
        finally:
            visit.close()


def test_the_summary_prints(report_dir, browser, artifacts):
    """Print media: no navigation, black on white, table headers repeat; a PDF is made."""
    visit = Visit(browser)
    try:
        page = visit.open(next(report_dir.glob("00_*.html")))
        page.emulate_media(media="print")
        style = page.evaluate("""() => {
            const s = e => getComputedStyle(document.querySelector(e));
            return {nav: s('nav').display, bg: s('body').backgroundColor, color: s('body').color,
                    thead: s('thead').display, size: s('body').fontSize};
        }""")
        assert style["nav"] == "none"
        assert style["bg"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)") and style["color"] == "rgb(17, 17, 17)"
        assert style["thead"] == "table-header-group"
        assert float(style["size"].removesuffix("px")) >= 11 * 96 / 72 - 0.01  # 11pt
        pdf = artifacts / "summary.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
        visit.assert_offline()
    finally:
        visit.close()


def test_every_link_and_load_stays_inside_the_published_folder(report_dir, browser):
    """A councillor gets the published folder alone: every link of every page leads to a
    page of it, and no page loads a file from outside it (no working material is linked)."""
    from urllib.parse import unquote, urlparse

    inside = report_dir.resolve()
    for path in sorted(report_dir.glob("*.html")):
        visit = Visit(browser)
        try:
            page = visit.open(path)
            hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
            for href in hrefs:
                url = urlparse(href)
                if url.scheme == "file":
                    target = Path(unquote(url.path)).resolve()
                    assert target.is_relative_to(inside) and target.is_file(), (path.name, href)
                else:
                    assert url.scheme in ("", "about") or href.startswith("#"), (path.name, href)
            loaded = [Path(unquote(urlparse(u).path)).resolve() for u in visit.requests if u.startswith("file:")]
            assert all(p.is_relative_to(inside) for p in loaded), (path.name, loaded)
            visit.assert_offline()
        finally:
            visit.close()


def _axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the open page: rule, impact, nodes."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_at_desktop_and_phone_width(report_dirs, browser, artifacts, lang):
    """WCAG 2.1 AA (the DOS law): axe-core finds no violation of serious or critical impact on
    any page, at 1200 and at 390 px. Every finding, minor ones too, goes to
    ``axe-<lang>.json`` in the artefacts, the result per page the release note quotes."""
    found: dict[str, dict[str, list[dict]]] = {}
    for path in _pages(report_dirs[lang]):
        for width in WIDTHS.values():
            visit = Visit(browser, width)
            try:
                page = visit.open(path)
                found.setdefault(path.name, {})[f"{width}px"] = _axe(page)
                visit.assert_offline()
            finally:
                visit.close()
    (artifacts / f"axe-{lang}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    serious = [
        f"{page}@{width}: {v['rule']} ({v['impact']}, {v['nodes']} nodes: {v['targets']}): {v['help']}"
        for page, widths in found.items()
        for width, violations in widths.items()
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_scrolls_sideways(report_dirs, browser, lang):
    """At 320 px (WCAG 1.4.10 reflow) and 390 px nothing is wider than the screen: tables
    wrap or stack, hashes break, charts shrink; nor at 1200 px, where a wide table wraps
    within the text column. No table, chart or paragraph reaches beyond the text column
    (``main``) either, at any of the widths."""
    wide = []
    for path in _pages(report_dirs[lang]):
        for width in (320, 390, WIDTHS["desktop"]):
            visit = Visit(browser, width)
            try:
                page = visit.open(path)
                overflow = page.evaluate("""() => {
                    const root = document.scrollingElement;
                    const culprits = [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
                        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > root.clientWidth + 1))
                        .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
                    const main = document.querySelector('main');
                    const edge = main ? main.getBoundingClientRect().right : root.clientWidth;
                    const beyond = [...document.querySelectorAll('main table, main figure, main img, main p')]
                        .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > edge + 1)
                        .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
                    return {scroll: root.scrollWidth, client: root.clientWidth, culprits, beyond};
                }""")
                if overflow["scroll"] > overflow["client"] + 1 or overflow["beyond"]:
                    wide.append(f"{path.name}@{width}: {overflow}")
            finally:
                visit.close()
    assert wide == [], "\n".join(wide)


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_states_its_data_and_has_a_table(report_dirs, browser, lang):
    """No chart is only a picture: its alt text states figures (a digit at least, never
    "Diagram") and a table of the same figures is behind it, closed until asked for."""
    faults = []
    for path in _pages(report_dirs[lang]):
        visit = Visit(browser)
        try:
            page = visit.open(path)
            charts = page.eval_on_selector_all(
                "img",
                """imgs => imgs.map(i => {
                const fig = i.closest('figure');
                const details = fig && fig.querySelector('details');
                return {alt: i.getAttribute('alt') || '', table: !!(details && details.querySelector('table')),
                        open: !!(details && details.open)};
            })""",
            )
            for n, chart in enumerate(charts, 1):
                alt = chart["alt"].strip()
                if alt.lower() in ("", "diagram", "chart", "figure") or not any(c.isdigit() for c in alt):
                    faults.append(f"{path.name} chart {n}: alt text states no data: {alt!r}")
                if not chart["table"] or chart["open"]:
                    faults.append(f"{path.name} chart {n}: no closed data table behind it")
        finally:
            visit.close()
    assert faults == [], "\n".join(faults)


@pytest.mark.parametrize("lang", LANGS)
def test_no_table_appears_twice_on_a_page(report_dirs, browser, lang):
    """A table a cell ends with is shown once (show.table returns nothing to display), and
    no page repeats a table; a chart's own data table is not counted."""
    twice = []
    for path in _pages(report_dirs[lang]):
        visit = Visit(browser)
        try:
            page = visit.open(path)
            texts = page.eval_on_selector_all(
                "main table",
                # textContent: a table collapsed behind <details> counts too (its innerText is empty)
                "ts => ts.filter(t => !t.closest('figure')).map(t => t.textContent.replace(/\\s+/g, ' ').trim())",
            )
            seen = set()
            for n, text in enumerate(texts, 1):
                if text in seen:
                    twice.append(f"{path.name}: table {n} repeats an earlier one: {text[:80]!r}")
                seen.add(text)
        finally:
            visit.close()
    assert twice == [], "\n".join(twice)


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_has_words_of_the_other_language(report_dirs, browser, lang):
    """A Swedish page has no English word, an English page no Swedish one, outside parts
    marked with their own ``lang`` (tests/language.py, word lists in tests/data/wordlists/)."""
    from language import foreign_words

    faults = []
    for path in _pages(report_dirs[lang]):
        visit = Visit(browser)
        try:
            page = visit.open(path)
            assert page.evaluate("document.documentElement.lang") == lang, path.name
            words = foreign_words(page.content(), lang)
            if words:
                faults.append(f"{path.name}: {sorted(set(words))[:20]}")
        finally:
            visit.close()
    assert faults == [], "\n".join(faults)


def test_screenshots_of_the_summary_at_both_widths(report_dirs, browser, artifacts):
    """The summary as a councillor sees it on a desktop and on a phone (for review:
    tests/artifacts/browser/summary-<lang>-<width>.png)."""
    for lang in LANGS:
        summary = next(report_dirs[lang].glob("00_*.html"))
        for width in WIDTHS.values():
            visit = Visit(browser, width)
            try:
                page = visit.open(summary)
                shot = artifacts / f"summary-{lang}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 20_000
            finally:
                visit.close()


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory) -> Path:
    """A reports folder after two quarterly runs (2025Q3, then 2025Q4, in Swedish; a small
    fixture page each, on the processed data test_report_series shares): what a councillor
    who follows the series opens."""
    import contextlib
    import io

    from pilot_eval.report.runner import run_report

    processed = fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"
    base = tmp_path_factory.mktemp("two-periods")
    notebooks = fx.notebooks(base / "notebooks", "02_utan_titel")
    out = base / "reports"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for period in ("2025Q3", fx.PERIOD):
            assert (
                run_report(period, processed_dir=processed, out_dir=out, notebooks_dir=notebooks, jobs=1).exit_code == 0
            )
    return out


def test_the_index_of_every_report_after_two_periods(two_periods, browser, artifacts):
    """``reports/index.html`` after two runs: both periods, the latest first, each with its
    status, each link opening that period's report; WCAG 2.1 AA at both widths and no
    sideways scroll at 320 px; nothing fetched."""
    index = two_periods / "index.html"
    faults = []
    for width in (*WIDTHS.values(), 320):
        visit = Visit(browser, width)
        try:
            page = visit.open(index)
            assert page.evaluate("document.documentElement.lang") == "sv"
            links = page.eval_on_selector_all("main a", "as => as.map(a => a.getAttribute('href'))")
            reports = [h for h in links if h.endswith("/index.html")]
            assert reports == ["2025Q4/sv/index.html", "2025Q3/sv/index.html"], links
            text = " ".join(page.inner_text("main").split())
            assert "2025Q4" in text and "2025Q3" in text and text.count("alla sidor klara") == 2, text
            if width != 320:
                faults += [
                    f"@{width}: {v['rule']} ({v['impact']}): {v['help']}"
                    for v in _axe(page)
                    if v["impact"] in ("serious", "critical")
                ]
            scroll = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
            if scroll[0] > scroll[1] + 1:
                faults.append(f"@{width}: scrolls sideways {scroll}")
            if width == WIDTHS["desktop"]:
                page.screenshot(path=str(artifacts / "reports-index.png"), full_page=True)
                page.click("main a[href='2025Q3/sv/index.html']")
                page.wait_for_load_state("load")
                assert page.url == (two_periods / "2025Q3" / "sv" / "index.html").as_uri()
                assert "2025Q3" in page.inner_text("body")
            visit.assert_offline()
        finally:
            visit.close()
    assert faults == [], "\n".join(faults)
