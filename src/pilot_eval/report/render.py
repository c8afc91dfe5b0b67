"""A report's pages for readers: executed notebooks as HTML, the index page, the footer.

Pages have no code and no prompts (nbconvert's ``exclude_input``), images
embedded, nothing fetched from another host (the nbconvert template ``pilot_eval`` in
``templates/`` replaces the lab template's head, which loads require.js and MathJax from
a CDN, by inline CSS), print-friendly, and a provenance footer on every page: period,
parameters, input file hashes, package versions, git commit and date rendered.

A page shows only what a notebook showed through :mod:`pilot_eval.report.show`:
:func:`reader_copy` drops every other output (``print`` output, warnings, a cell's value,
errors); the report's working folder keeps them (its ``logs/`` and executed notebooks).
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
import re
import subprocess
from html import escape as html_escape
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .. import paths, texts
from ..texts.labels import VALUE_LABELS
from ..texts.pages import PAGES
from ..texts.pdf import PDF

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "TEXT",
    "external_fetches",
    "git_commit",
    "input_files",
    "package_versions",
    "provenance",
    "published_dir",
    "READER_MIME_TYPES",
    "READER_OUTPUTS",
    "dropped_log",
    "reader_copy",
    "render_contents",
    "render_notebook",
    "report_title",
]

#: Where the nbconvert template ``pilot_eval`` lives (package data).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "pilot_eval"

#: Distributions whose versions every page names (plus Python's).
VERSIONED = (
    "pilot_eval",
    "pandas",
    "numpy",
    "statsmodels",
    "lifelines",
    "great_expectations",
    "papermill",
    "nbconvert",
    "matplotlib",
)

#: Cells with these tags are not shown to readers: a notebook's notes for analysts
#: (notebooks/README.md) and papermill's error markers (they say "In [n]").
REMOVE_CELL_TAGS = frozenset({"analyst-note", "papermill-error-cell-tag"})

#: The words of the pages, by report language (the texts are in :mod:`pilot_eval.texts.pages`).
TEXT: dict[str, dict[str, str]] = {
    lang: {key: pair[i] for key, pair in PAGES.items()} for i, lang in enumerate(texts.LANGUAGES)
}
for _i, _lang in enumerate(texts.LANGUAGES):  # the footer names each input table in the page's language
    TEXT[_lang].update({f"table:{name}": pair[_i] for name, pair in VALUE_LABELS["table"].items()})


def published_dir(out_dir: str | Path, period: str, lang: str) -> Path:
    """The published folder of a period's report in one language, ``<out_dir>/<period>/<lang>``:
    what readers get (``index.html``, the pages, ``provenance.json``). Each language has its
    own, swapped in as a whole by its own run: an English run never replaces the Swedish
    report. ``out_dir`` is the reports root (``reports/``), whose ``index.html`` lists them all
    (:mod:`pilot_eval.report.series`).

    >>> published_dir("reports", "2025Q4", "en").as_posix()
    'reports/2025Q4/en'
    """
    return Path(out_dir) / period / texts.check_lang(lang)


def report_title(period: str, lang: str) -> str:
    """The title of a period's report.

    >>> report_title("2025Q4", "sv")
    'Utvärdering av fördjupad bakgrundskontroll — rapport för 2025Q4'
    """
    return TEXT[lang]["title"].format(period=period)


def package_versions() -> dict[str, str]:
    """Versions of the packages a report depends on, and of Python."""
    versions = {}
    for dist in VERSIONED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def git_commit(root: str | Path = paths.PROJECT_ROOT) -> str:
    """``git rev-parse HEAD`` of ``root``, with ``+dirty`` when tracked files have changed;
    ``unknown`` when ``root`` is not a git checkout (or git is not installed)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if changes else "")


def input_files(ingest_report: dict) -> list[dict]:
    """Each table's source file and processed file with their sha256, from an ingest report."""
    return [
        {
            "table": table,
            "file": info["source"]["file"],
            "sheet": info["source"].get("sheet"),
            "sha256": info["source"]["sha256"],
            "parquet": info["parquet"]["file"],
            "parquet_sha256": info["parquet"]["sha256"],
            "rows": info["parquet"]["rows"],
        }
        for table, info in ingest_report.get("tables", {}).items()
    ]


def provenance(
    period: str,
    parameters: dict,
    ingest_report: dict,
    *,
    cut_date: str,
    synthetic: bool,
    rendered: dt.datetime | None = None,
) -> dict:
    """What the footer of every page says (a plain dict, so that worker processes get it).

    Parameters
    ----------
    period
        The report period.
    parameters
        The parameters the notebooks ran with.
    ingest_report
        ``ingest_report.json`` of the processed data.
    cut_date
        The data's cut date.
    synthetic
        The data are the demo generator's.
    rendered
        Default now.
    """
    rendered = rendered or dt.datetime.now().astimezone()
    return {
        "period": period,
        "cut_date": cut_date,
        "parameters": dict(parameters),
        "input_files": input_files(ingest_report),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "rendered": rendered.strftime("%Y-%m-%d %H:%M"),
        "synthetic": bool(synthetic),
    }


#: The kinds of output that :mod:`pilot_eval.report.show` marks (its ``READER_KEY``), and
#: the data of them that a page may show.
READER_OUTPUTS = frozenset({"table", "figure", "verdicts", "heading", "say", "bullets"})
READER_MIME_TYPES = ("text/html", "text/markdown", "image/png")


def _reader_output(output) -> bool:
    """Whether ``output`` was shown through :mod:`pilot_eval.report.show`."""
    if output.output_type != "display_data":
        return False
    mark = output.get("metadata", {}).get("pilot_eval")
    return isinstance(mark, dict) and mark.get("reader") in READER_OUTPUTS


def reader_copy(nb: NotebookNode) -> tuple[NotebookNode, list[dict]]:
    """A copy of an executed notebook with only what readers may see.

    A code cell keeps only the outputs that :mod:`pilot_eval.report.show` made (marked in
    their metadata), and of them only their HTML, Markdown or PNG. Everything else is
    dropped: ``print`` output, stderr (warnings), the value a cell ends with (a DataFrame
    shown by Jupyter itself), any other ``display`` and error outputs (an exception's text
    can quote data; a failed page says only where it stopped, in a banner).

    Returns
    -------
    notebook, dropped
        The copy, and for each cell that lost something: ``cell`` (its index),
        ``execution_count``, ``stderr`` (its text) and ``outputs`` (what else was dropped,
        described without its content), for the working folder's log.
    """
    import nbformat

    copy = nbformat.from_dict(nb)
    dropped = []
    for index, cell in enumerate(copy.cells):
        if cell.cell_type != "code":
            continue
        kept, stderr, others = [], [], []
        for output in cell.outputs:
            if _reader_output(output):
                output.data = {k: v for k, v in output.data.items() if k in READER_MIME_TYPES}
                output.metadata = {}
                kept.append(output)
            elif output.output_type == "stream" and output.name == "stderr":
                stderr.append(output.text.rstrip())
            elif output.output_type == "stream":
                others.append(f"{output.name} ({len(output.text.splitlines())} lines)")
            elif output.output_type == "error":
                others.append(f"error {output.ename}")
            else:
                others.append(f"{output.output_type} ({', '.join(sorted(output.get('data', {})))})")
        cell.outputs = kept
        if stderr or others:
            dropped.append(
                {"cell": index, "execution_count": cell.execution_count, "stderr": "\n".join(stderr), "outputs": others}
            )
    return copy, dropped


def dropped_log(dropped: list[dict]) -> str:
    """The working folder's log of what :func:`reader_copy` kept from a page: each cell's
    stderr text and the other outputs it dropped."""
    chunks = []
    for d in dropped:
        head = f"# cell {d['cell']} (In [{d['execution_count']}])"
        if d["outputs"]:
            head += "\n# not shown to readers: " + "; ".join(d["outputs"])
        chunks.append(head + "\n" + (d["stderr"] + "\n" if d["stderr"] else ""))
    return "\n".join(chunks)


#: An ``<img>`` start tag without an ``alt`` attribute.
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)", re.IGNORECASE)
#: An element of class ``jp-Notebook`` (nbconvert's lab template has one; ours has none).
_NOTEBOOK_CLASS = re.compile(r'class="(?:[^"]*\s)?jp-Notebook[\s"]')
#: A ``<div>`` start tag whose class names a cell's input wrapper or an output: the
#: elements nbconvert makes keyboard-focusable (inside ``.jp-Notebook``).
_FOCUSABLE_DIV = re.compile(r'<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?"[^>]*')


@functools.lru_cache(maxsize=1)
def _exporter_class():
    """nbconvert's ``HTMLExporter`` without its BeautifulSoup pass.

    nbconvert 7.17's ``HTMLExporter.from_notebook_node`` parses the page it has just
    rendered with BeautifulSoup (the pure-Python ``html.parser``), to give images without
    ``alt`` a placeholder and to make cells focusable (``tabindex="0"`` inside
    ``.jp-Notebook``), and writes it out again, which is costly for report pages whose
    tables are thousands of tags (docs/performance.md). No library offers the rendering
    without it, so this subclass repeats the method up to the parse (the same filters)
    and makes the same two changes with a regular expression on the start tags, which
    our template writes itself: an ``alt`` (the report's word for a figure) on every
    ``<img>`` that has none, and ``tabindex="0"`` where the page has a ``.jp-Notebook``
    (ours has none: its ``<body>`` is the template's). tests/test_report_runner.py checks
    that the page is the one nbconvert would write, up to its re-serialisation.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReaderHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            alt = html_escape(resources.get("pilot_eval", {}).get("text", {}).get("figure") or "Figure")
            html = _IMG_WITHOUT_ALT.sub(lambda m: f'{m.group(0)} alt="{alt}"', html)
            if _NOTEBOOK_CLASS.search(html):
                html = _FOCUSABLE_DIV.sub(
                    lambda m: m.group(0) if " tabindex=" in m.group(0) else f'{m.group(0)} tabindex="0"', html
                )
            return html, resources

    return ReaderHTMLExporter


def _exporter(template_name: str = TEMPLATE_NAME, cls=None):
    """The exporter of the report's pages (``cls``: another exporter class, for tests)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = (cls or _exporter_class())(
        template_name=template_name,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS)), enabled=True)
    return exporter


def render_notebook(
    nb: NotebookNode, *, title: str, lang: str, provenance: dict, failure: dict | None = None, path: str | Path = ""
) -> str:
    """An executed notebook as a page for readers.

    Parameters
    ----------
    nb
        The executed notebook, as :func:`reader_copy` left it.
    title
        The page title.
    lang
        ``"sv"`` or ``"en"``: the page's language (``<html lang>``, banner and footer).
    provenance
        From :func:`provenance`.
    failure
        Where execution stopped (``execution_count``, ``ename``, ``evalue``): the page
        is marked incomplete.
    path
        The notebook's folder: Markdown images (``![](figure.png)``) are embedded from there.
    """
    resources = {
        "metadata": {"name": title, "path": str(path)},
        "pilot_eval": {"lang": lang, "title": title, "text": TEXT[lang], "provenance": provenance, "failure": failure},
    }
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    return html


def render_contents(
    *,
    period: str,
    lang: str,
    provenance: dict,
    notebooks: list[dict],
    ingest_warning: bool,
    analysts: dict | None = None,
    pdfs: dict[str, str] | None = None,
) -> str:
    """The index page of a report.

    Parameters
    ----------
    notebooks
        The manifest's notebook entries (``name``, ``title``, ``status``, ``html``,
        ``ipynb``, ``dropped_log``), in order; the first whose name starts with ``00_``
        is the summary for politicians and comes first.
    ingest_warning
        Ingest quarantined more than its threshold: say so.
    analysts
        ``None`` for the published index: it links the pages only. For the working
        folder's copy, ``{"pages": path of the published folder relative to it,
        "data_docs": link to the GX Data Docs or None}``: it links the pages there and has a
        section "för analytiker" with the executed notebooks, their logs, the manifest and
        the Data Docs, which exist in the working folder only.
    pdfs
        The report's PDFs in the published folder (``pilot-eval report --pdf``), as
        :func:`pilot_eval.report.pdf.pdf_names` names them (``summary``, ``report``): the
        page links them under "Utskrift". None: no PDFs.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / TEMPLATE_NAME), autoescape=True, undefined=jinja2.StrictUndefined
    )
    prefix = f"{analysts['pages'].rstrip('/')}/" if analysts else ""
    linked = [dict(nb, href=f"{prefix}{nb['html']}" if nb.get("html") else None) for nb in notebooks]
    summary = next((nb for nb in linked if nb["name"].startswith("00_") and nb["href"]), None)
    pages = [nb for nb in linked if nb is not summary]
    printed = [
        {"href": f"{prefix}{name}", "label": texts.pick(lang, *PDF[kind])}
        for kind, name in (pdfs or {}).items()
        if kind in ("summary", "report")
    ]
    return env.get_template("contents.html.j2").render(
        lang=lang,
        title=report_title(period, lang),
        t=TEXT[lang],
        provenance=provenance,
        summary=summary,
        pages=pages,
        analysts=analysts is not None,
        notebooks=[nb for nb in linked if nb.get("ipynb")] if analysts else [],
        data_docs=(analysts or {}).get("data_docs"),
        ingest_warning=TEXT[lang]["ingest_warning"] if ingest_warning else None,
        pdfs=printed,
        pdf_heading=texts.pick(lang, *PDF["heading"]),
        pdf_note=texts.pick(lang, *PDF["note"]),
    )


_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)|url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)


class _FetchFinder(HTMLParser):
    """Collects every URL a browser would load by itself (not links a reader may follow)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "data", "poster", "background"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if attrs.get("srcset"):
            self.urls += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if attrs.get("style"):
            self._css(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)

    def _css(self, text):
        self.urls += [a or b for a, b in _CSS_URL.findall(text)]


def external_fetches(html: str) -> list[str]:
    """URLs on another host that a browser showing ``html`` would fetch by itself
    (``src``, ``srcset``, ``<link href>``, CSS ``@import`` and ``url()``); links in
    ``<a href>`` are not fetches.

    >>> external_fetches('<script src="https://cdn.example/x.js"></script><img src="data:image/png;base64,AA">')
    ['https://cdn.example/x.js']
    >>> external_fetches('<style>@import url("//fonts.example/f.css");</style><a href="https://example.se">x</a>')
    ['//fonts.example/f.css']
    """
    finder = _FetchFinder()
    finder.feed(html)
    finder.close()
    return [url for url in finder.urls if _EXTERNAL.match(url) and not url.lower().startswith("file:")]
