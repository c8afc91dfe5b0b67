"""A real browser opens a rendered report: pages display, images load, the Swedish text is
there, printing works, and nothing is requested from any host.

Headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it) driven by Playwright.
Screenshots and a PDF print of the summary go to ``tests/artifacts/browser/``.

The report is the real notebook suite rendered on demo data (``report_fixtures.full_report``,
shared with ``test_notebooks.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import report_fixtures as fx

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "browser"


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
    return None


MISSING = _missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    """The published folder of the real notebook suite's report (shared with test_notebooks,
    built once per run), copied alone to a folder of its own: what a councillor who gets it
    by mail opens, without the working folder beside it."""
    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    alone = tmp_path_factory.mktemp("published-alone") / fx.PERIOD
    shutil.copytree(fx.published(base), alone)
    return alone


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
    ignore = ARTIFACTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# test output, never committed\n*\n", encoding="utf-8")
    print(f"\nbrowser test artefacts: {ARTIFACTS}")
    return ARTIFACTS


class Visit:
    """A browser tab that aborts and records every request that is not for a local file."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
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
