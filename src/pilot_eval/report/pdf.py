"""``pilot-eval report --pdf``: the summary and the whole report as PDFs for a committee's
agenda (nämndhandling), printed by headless Chromium.

:func:`write_pdfs` takes a complete published folder (``index.html``, the pages,
``provenance.json``) and writes into it

* ``<summary>.pdf``: the summary page (``00_*.html``) alone, and
* ``rapport-<period>.pdf`` (English: ``report-<period>.pdf``): the summary, then every other
  page in the report's order, then the provenance once, in one document whose page numbers
  run through it.

Each PDF is printed from a print copy of the pages (one HTML file in a temporary folder
outside the published folder): every page's ``<main>`` in order, its banners with it, one
page break between pages, the provenance footer once at the end, and links that lead
elsewhere in the folder made plain text (a PDF mailed alone has no folder beside it).
Every printed page is A4 and has a running header, "Botkyrka kommun · <title> · <period>",
with "Demodata" when the data are synthetic, and "Sida N av M" at its foot (Chromium's own
header and footer, so they are on every page). The layout on paper is report.css's
``@media print`` rules.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright's sync API as in
tests/test_browser.py. Without it :func:`check_available` raises :class:`PdfUnavailable`
saying what to install. The PDFs are written in the temporary folder first and moved into
the published folder only when both are complete.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..texts import pick
from ..texts.pdf import PDF

__all__ = [
    "CHROMIUM_ARGS",
    "MARGINS",
    "PdfError",
    "PdfUnavailable",
    "check_available",
    "find_chromium",
    "pdf_names",
    "print_html",
    "too_wide",
    "write_pdfs",
]

#: Chromium's switches: no sandbox (root in a container), no GPU, nothing fetched by itself.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: The paper's margins: room for the running header at the top and the page number below.
MARGINS = {"top": "22mm", "bottom": "20mm", "left": "16mm", "right": "16mm"}

#: The width that is printed on, in CSS pixels (A4 is 210 mm; 96 px to the inch).
PRINTABLE_WIDTH_PX = round((210 - 16 - 16) / 25.4 * 96)

#: The summary is the page whose name starts with this.
SUMMARY_PREFIX = "00_"


class PdfUnavailable(RuntimeError):
    """Chromium or Playwright is missing: nothing can be printed (the message says what to
    install)."""


class PdfError(RuntimeError):
    """Printing failed (the published folder was left without PDFs)."""


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or ``chromium-browser``) on the PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_available(chromium: str | None = None) -> str:
    """The Chromium executable to print with: ``chromium`` if given, else the one on the
    PATH; :class:`PdfUnavailable` when there is none or Playwright is not installed."""
    path = chromium or find_chromium()
    if path is None or not Path(path).is_file():
        raise PdfUnavailable(
            (f"Chromium not found at {chromium}" if chromium else "Chromium not found (chromium, chromium-browser)")
            + ": --pdf prints with headless Chromium; install Debian's package (apt-get install chromium) "
            "and try again. Nothing was written."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfUnavailable(
            "the Python package playwright is not installed: --pdf drives Chromium with it; install the "
            "project's dependencies (python3 run.py setup, or pip install -e .) and try again. Nothing was written."
        ) from None
    return path


def pdf_names(period: str, lang: str, pages: Sequence[str]) -> dict[str, str]:
    """The PDFs' file names: ``{"summary": "<summary stem>.pdf", "report": "rapport-<period>.pdf"}``
    (``report-`` in English); no ``summary`` when no page is the summary.

    >>> pdf_names("2025Q4", "sv", ["00_sammanfattning.html", "01_data_quality.html"])
    {'summary': '00_sammanfattning.pdf', 'report': 'rapport-2025Q4.pdf'}
    >>> pdf_names("2025Q4", "en", ["01_data_quality.html"])
    {'report': 'report-2025Q4.pdf'}
    """
    names = {}
    summary = next((p for p in pages if Path(p).name.startswith(SUMMARY_PREFIX)), None)
    if summary:
        names["summary"] = f"{Path(summary).stem}.pdf"
    names["report"] = f"{pick(lang, *PDF['report_file'])}-{period}.pdf"
    return names


def _published(published_dir: Path) -> tuple[dict, list[str]]:
    """The folder's provenance record and its pages in the report's order, summary first."""
    record_file = published_dir / "provenance.json"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PdfError(f"{record_file} cannot be read ({exc}): is {published_dir} a published report?") from None
    listed = [e["html"] for e in record.get("notebooks", []) if e.get("html")]
    pages = [p for p in listed if (published_dir / p).is_file()]
    if not pages:
        raise PdfError(f"{published_dir} has no pages to print")
    summary = [p for p in pages if p.startswith(SUMMARY_PREFIX)][:1]
    return record, summary + [p for p in pages if p not in summary]


def _synthetic(record: dict) -> bool:
    return bool(record.get("synthetic", record.get("data", {}).get("synthetic", False)))


def _short_title(title: str, period: str) -> str:
    """The report's title without its period at the end (the header names the period itself).

    >>> _short_title("Utvärdering av fördjupad bakgrundskontroll — rapport för 2025Q4", "2025Q4")
    'Utvärdering av fördjupad bakgrundskontroll'
    >>> _short_title("Uppföljning", "2025Q4")
    'Uppföljning'
    """
    short = re.sub(rf"\s*[—–-][^—–-]*\b{re.escape(period)}\s*$", "", title).strip()
    return short or title


#: The header and footer of every printed page: Chromium's templates (inline styles only,
#: its spans pageNumber and totalPages), black text at 10 pt inside the side margins.
_BAND = (
    "font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #000; "
    f"width: 100%; margin: 0 {MARGINS['left']}; display: flex; justify-content: space-between; "
    "align-items: baseline; gap: 6mm; -webkit-print-color-adjust: exact;"
)


def header_template(title: str, period: str, lang: str, synthetic: bool) -> str:
    """Chromium's header template: "Botkyrka kommun · <title> · <period>" and, for synthetic
    data, "Demodata" in a frame at the right."""
    left = " · ".join((pick(lang, *PDF["organisation"]), title, period))
    right = ""
    if synthetic:
        right = (
            '<span style="font-weight: 700; border: 1.5px solid #000; padding: 0.5mm 2mm; white-space: nowrap;">'
            f"{html.escape(pick(lang, *PDF['demo']))}</span>"
        )
    return (
        f'<div lang="{lang}" style="{_BAND} border-bottom: 0.5pt solid #000; padding-bottom: 1.5mm;">'
        f"<span>{html.escape(left)}</span>{right}</div>"
    )


def footer_template(lang: str) -> str:
    """Chromium's footer template: "Sida N av M" at the right."""
    text = html.escape(pick(lang, *PDF["page"]))
    numbers = text.format(page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>')
    return f'<div lang="{lang}" style="{_BAND} justify-content: flex-end;"><span>{numbers}</span></div>'


#: Reads one published page in the browser: its style, banners, <main> (links into the
#: folder made plain) and provenance footer.
_EXTRACT = """() => {
    const main = document.querySelector('main');
    if (!main) return null;
    const copy = main.cloneNode(true);
    for (const a of copy.querySelectorAll('a[href]')) {
        if (!/^(https?:|mailto:)/i.test(a.getAttribute('href'))) a.removeAttribute('href');
    }
    const outside = [...document.querySelectorAll('.banner')].filter(b => !main.contains(b));
    const footer = document.querySelector('footer.provenance');
    return {
        lang: document.documentElement.lang,
        title: document.title,
        css: [...document.head.querySelectorAll('style')].map(s => s.textContent).join('\\n'),
        banners: outside.map(b => b.outerHTML),
        mainClass: main.className,
        main: copy.innerHTML,
        footer: footer ? footer.outerHTML : '',
    };
}"""

#: The print copy's own rules: one page break between the report's pages.
_PARTS_CSS = """
.pdf-part + .pdf-part { break-before: page; page-break-before: always; }
"""


def print_html(parts: Sequence[dict], *, lang: str, title: str) -> str:
    """The print copy of the pages read by ``_EXTRACT``: the first page's style, then every
    page's banners and ``<main>`` in order, each in a ``<section class="pdf-part">`` (a page
    break between them; the demo banner on the first only: the running header marks every
    page), then the last page's provenance footer."""
    css = parts[0]["css"]
    body = []
    for i, part in enumerate(parts):
        banners = [b for b in part["banners"] if i == 0 or 'class="banner synthetic"' not in b]
        klass = " ".join(c for c in ("pdf-part", part["mainClass"]) if c)
        page = html.escape(part.get("name", ""))
        start = f'<section class="{html.escape(klass)}" data-page="{page}">'
        body.append("\n".join([start, *banners, part["main"], "</section>"]))
    footer = next((p["footer"] for p in reversed(parts) if p["footer"]), "")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n{_PARTS_CSS}</style>\n</head>\n<body>\n"
        "<main>\n" + "\n".join(body) + "\n</main>\n" + footer + "\n</body>\n</html>\n"
    )


#: The outermost elements that reach past the printed width (the page laid out for print
#: at the paper's width): the page they are on, tag, first words, right edge in px.
_TOO_WIDE = """(limit) => {
    const wide = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > limit + 1; };
    const out = [];
    for (const el of document.querySelectorAll('main *, footer *')) {
        if (wide(el) && !(el.parentElement && wide(el.parentElement))) {
            const part = el.closest('[data-page]');
            out.push({page: part ? part.dataset.page : '', tag: el.tagName.toLowerCase(),
                      text: (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
                      right: Math.round(el.getBoundingClientRect().right)});
        }
    }
    return out;
}"""


def too_wide(page, width: int = PRINTABLE_WIDTH_PX) -> list[dict]:
    """What on the open Playwright ``page`` is wider than the paper: the page laid out for
    print at the printable width (A4 less the side margins), every element whose right edge
    is beyond it and whose parent is not (``page``: the page's file name in a print copy,
    ``tag``, ``text``: its first words, ``right``: its right edge in px). Changes the page's viewport and media."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.emulate_media(media="print")
    return page.evaluate(_TOO_WIDE, width)


#: Scales down, in the print copy, each table that is wider than the paper so that it fits
#: (CSS zoom, which the layout follows: nothing is cut off and the rest of the document keeps
#: its size; without it Chromium would shrink every page of the document to the widest
#: table). Returns the tables scaled: page, caption or first words, the scale.
_FIT_TABLES = """(limit) => {
    const out = [];
    for (const table of document.querySelectorAll('main table')) {
        if (table.parentElement.closest('table')) continue;
        const r = table.getBoundingClientRect();
        const room = limit - r.left;
        if (r.width > 0 && r.width > room + 0.5) {
            const scale = Math.floor(room / r.width * 100) / 100;
            table.style.zoom = scale;
            const part = table.closest('[data-page]');
            const caption = table.querySelector('caption');
            out.push({page: part ? part.dataset.page : '', scale: scale,
                      text: ((caption || table).innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 60)});
        }
    }
    return out;
}"""


def _route_local(route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def _print(context, source: Path, target: Path, *, header: str, footer: str) -> tuple[list[dict], list[dict]]:
    """Print the print copy ``source`` to ``target``; the tables scaled to fit and whatever
    is still wider than the paper (:func:`too_wide`)."""
    page = context.new_page()
    try:
        page.goto(source.as_uri(), wait_until="load")
        page.set_viewport_size({"width": PRINTABLE_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        scaled = page.evaluate(_FIT_TABLES, PRINTABLE_WIDTH_PX)
        wide = too_wide(page)
        page.pdf(
            path=str(target),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=header,
            footer_template=footer,
            margin=MARGINS,
        )
    finally:
        page.close()
    return scaled, wide


def _warn(name: str, scaled: list[dict], wide: list[dict]) -> None:
    if scaled:
        tables = "\n".join(f"    {t['page']}: {t['text']!r} at {t['scale']:.0%}" for t in scaled)
        print(
            f"pilot-eval report: WARNING: {name}: {len(scaled)} tables are wider than the paper and were "
            f"printed smaller to fit it:\n{tables}",
            file=sys.stderr,
        )
    for item in wide:
        print(
            f"pilot-eval report: WARNING: {name}, {item['page']}: a <{item['tag']}> ({item['text'][:40]!r}) "
            "is wider than the paper and is cut at its right edge",
            file=sys.stderr,
        )


def write_pdfs(published_dir: Path, *, lang: str, chromium: str | None = None) -> list[Path]:
    """Print a published folder's summary and whole report into it as PDFs.

    Parameters
    ----------
    published_dir
        A complete published folder: ``provenance.json`` (period, synthetic, its pages in
        order) and the pages. Taken as given, wherever it is.
    lang
        The report's language (``"sv"`` or ``"en"``): header, page numbers, file name.
    chromium
        The Chromium executable; default the one on the PATH (:func:`find_chromium`).

    Returns
    -------
    list of Path
        ``[<published_dir>/<summary>.pdf, <published_dir>/rapport-<period>.pdf]`` (the first
        only when the report has a summary page).

    Raises
    ------
    PdfUnavailable
        No Chromium or no Playwright (nothing written).
    PdfError
        The folder is not a published report, or printing failed (nothing written).
    """
    published_dir = Path(published_dir)
    executable = check_available(chromium)
    record, pages = _published(published_dir)
    period = str(record.get("period", ""))
    synthetic = _synthetic(record)
    names = pdf_names(period, lang, pages)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pilot-eval-pdf-") as tmp:
        tmp_dir = Path(tmp)
        written = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
                try:
                    context = browser.new_context(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
                    context.route("**/*", _route_local)
                    reader = context.new_page()
                    parts = []
                    for name in pages:
                        reader.goto((published_dir / name).resolve().as_uri(), wait_until="load")
                        part = reader.evaluate(_EXTRACT)
                        if part is None:
                            raise PdfError(f"{published_dir / name} has no <main>: not a report page")
                        parts.append(dict(part, name=name))
                    reader.close()
                    index = published_dir / "index.html"
                    title = parts[0]["title"]
                    if index.is_file():
                        reader = context.new_page()
                        reader.goto(index.resolve().as_uri(), wait_until="load")
                        title = reader.title() or title
                        reader.close()
                    header = header_template(_short_title(title, period), period, lang, synthetic)
                    footer = footer_template(lang)
                    jobs = [("report", parts, title)]
                    if "summary" in names:
                        jobs.insert(0, ("summary", parts[:1], parts[0]["title"]))
                    for kind, chosen, doc_title in jobs:
                        source = tmp_dir / f"{kind}.html"
                        source.write_text(print_html(chosen, lang=lang, title=doc_title), encoding="utf-8")
                        target = tmp_dir / names[kind]
                        _warn(names[kind], *_print(context, source, target, header=header, footer=footer))
                        written.append(target)
                    context.close()
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise PdfError(f"Chromium could not print the report: {exc}") from None
        for target in written:
            if not target.read_bytes().startswith(b"%PDF"):
                raise PdfError(f"Chromium wrote no PDF for {target.name}")
        result = []
        for target in written:
            final = published_dir / target.name
            shutil.move(str(target), final)
            result.append(final)
    return result
