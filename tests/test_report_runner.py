"""The quarterly report runner (``pilot-eval report``) on trivial fixture notebooks.

One module-scoped run renders ``tests/report_fixtures``' notebooks (three that work, one
that fails) on a small ingested data set; most tests inspect what it wrote.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import report_fixtures as fx

from pilot_eval import cli
from pilot_eval.report import parameters, render, runner
from pilot_eval.report.context import PARAMETERS

PAGES = ["00_sammanfattning", "01_varningar", "02_utan_titel", "03_fel"]
OK_PAGES = PAGES[:3]


def _work(published: Path) -> Path:
    """The working folder of the report published in ``published``."""
    return fx.work(published)


def _urls(html: str) -> list[str]:
    """Every src and href value of a page."""
    return re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)""", html, flags=re.IGNORECASE)


# ---------------------------------------------------------------- parameters (fast)


@pytest.fixture
def no_params_dir(tmp_path, monkeypatch):
    """params/ is empty: the repository's example params/2025Q4.yaml does not apply."""
    monkeypatch.setattr(parameters, "PARAMS_DIR", tmp_path / "params")
    return tmp_path / "params"


def test_parameters_defaults_then_file_then_command_line(tmp_path, no_params_dir):
    params_file = tmp_path / "p.yaml"
    params_file.write_text("seed: 7\nlang: en\nbootstrap_reps: 199\ncut_date: 2025-11-30\n", encoding="utf-8")
    got = runner.resolve_parameters("2025Q4", params_file=params_file, overrides={"bootstrap_reps": "99"}, lang="sv")
    assert got["seed"] == 7  # file over default
    assert got["bootstrap_reps"] == 99  # command line over file, typed as the default
    assert got["lang"] == "sv"  # --lang over file
    assert got["cut_date"] == "2025-11-30"  # a YAML date becomes the ISO text
    assert got["window_start"] == PARAMETERS["window_start"]
    assert set(got) == set(PARAMETERS)
    assert runner.resolve_parameters("2025Q4")["cut_date"] == "2025-12-31"  # last day of the period
    assert runner.resolve_parameters("2024-02")["cut_date"] == "2024-02-29"


def test_the_periods_params_file_is_read_by_default(no_params_dir):
    no_params_dir.mkdir()
    (no_params_dir / "2025Q3.yaml").write_text("min_n: 20\n", encoding="utf-8")
    assert runner.resolve_parameters("2025Q3")["min_n"] == 20
    assert runner.resolve_parameters("2025Q4")["min_n"] == PARAMETERS["min_n"]


def test_the_example_params_file_is_valid():
    got = runner.resolve_parameters("2025Q4")
    assert got["period"] == "2025Q4" and got["cut_date"] == "2025-12-31" and got["lang"] == "sv"


def test_an_unknown_parameter_is_named_with_the_valid_ones(tmp_path, no_params_dir):
    with pytest.raises(ValueError, match=r"unknown parameter 'bootstrap'.*bootstrap_reps.*seed"):
        runner.resolve_parameters("2025Q4", overrides={"bootstrap": "5"})
    params_file = tmp_path / "p.yaml"
    params_file.write_text("min_counts: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{re.escape(str(params_file))}: unknown parameter 'min_counts'.*min_count"):
        runner.resolve_parameters("2025Q4", params_file=params_file)


@pytest.mark.parametrize(
    ("content", "overrides", "lang", "message"),
    [
        ("", {"seed": "many"}, None, r"'seed' must be a whole number"),
        ("", {}, "de", r"lang must be one of sv, en"),
        ("", {"cut_date": "31/12/2025"}, None, r"cut_date '31/12/2025' is not a date"),
        ("- seed\n", {}, None, r"must be a mapping"),
        ("period: 2025Q3\n", {}, None, r"sets period 2025Q3, but the report is for 2025Q4"),
        ("window_end: [1, 2]\n", {}, None, r"'window_end' must be a text value"),
        ("", {"period": "2025Q1"}, None, r"give the period with --period"),
    ],
)
def test_bad_parameter_values_are_refused(tmp_path, no_params_dir, content, overrides, lang, message):
    params_file = tmp_path / "p.yaml"
    params_file.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        runner.resolve_parameters("2025Q4", params_file=params_file, overrides=overrides, lang=lang)


def test_cli_exits_2_naming_a_bad_parameter(capsys, no_params_dir):
    assert cli.main(["report", "--period", "2025Q4", "--demo", "--param", "nope=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'nope'" in err and "bootstrap_reps" in err
    assert cli.main(["report", "--period", "2025Q4", "--demo", "--param", "seed"]) == 2
    assert "is not key=value" in capsys.readouterr().err


def test_a_report_needs_to_be_told_which_data(tmp_path, no_params_dir):
    with pytest.raises(ValueError, match="say which data"):
        runner.run_report("2025Q4", out_dir=tmp_path / "reports", notebooks_dir=fx.OK)
    assert not (tmp_path / "reports").exists()


def test_an_export_that_ingest_refuses_gives_exit_2_and_no_report(tmp_path, capsys, no_params_dir):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "vacancies.csv").write_text("vacancy_id,administration\nV1,UBF\n", encoding="utf-8")
    result = runner.run_report(
        "2025Q4", raw_dir=raw, processed_dir=tmp_path / "processed", out_dir=tmp_path / "reports", notebooks_dir=fx.OK
    )
    assert result.exit_code == 2 and result.index is None
    err = capsys.readouterr().err
    assert "no file for required table(s) applications" in err and "no report was written" in err
    assert not (tmp_path / "reports").exists()


# ---------------------------------------------------------------- rendering helpers (fast)


def test_the_fetch_detector_catches_what_nbconvert_s_own_template_loads():
    """nbconvert's default lab template loads require.js and MathJax from a CDN; ours does not."""
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Hej")])
    default, _ = HTMLExporter().from_notebook_node(nb)
    assert any("cdnjs" in url for url in render.external_fetches(default))
    prov = {
        "period": "2025Q4",
        "cut_date": "2025-12-31",
        "parameters": {},
        "input_files": [],
        "versions": {},
        "git_commit": "abc",
        "rendered": "2026-01-05 10:00",
        "synthetic": False,
    }
    ours = render.render_notebook(nb, title="t", lang="en", provenance=prov)
    assert render.external_fetches(ours) == []
    assert '<html lang="en">' in ours and "Provenance" in ours and "<script" not in ours


_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
_PROV = {
    "period": "2025Q4",
    "cut_date": "2025-12-31",
    "parameters": {"seed": 1},
    "input_files": [],
    "versions": {},
    "git_commit": "abc",
    "rendered": "2026-01-05 10:00",
    "synthetic": True,
}


def _page_notebook(extra_html: str = "") -> nbformat.NotebookNode:
    """A notebook whose outputs are what report pages hold: Markdown, a protected table
    (HTML, many tags), charts (PNG, with and without alternative text), printed text."""
    rows = "".join(f"<tr><th>Förvaltning {i}</th><td>{i * 7}</td><td>&lt;5</td></tr>" for i in range(60))
    table = f'<table class="pilot-eval"><caption>Tabell &amp; fot</caption><tbody>{rows}</tbody></table>'
    v4 = nbformat.v4
    code = v4.new_code_cell(
        "x",
        execution_count=1,
        outputs=[
            v4.new_output("display_data", data={"text/html": table + extra_html, "text/plain": "t"}),
            v4.new_output("display_data", data={"image/png": _PNG}, metadata={"image/png": {"alt": "Staplar: <5"}}),
            v4.new_output("display_data", data={"image/png": _PNG}),
            v4.new_output("stream", name="stdout", text="klart\n"),
            v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
        ],
    )
    return v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# Rubrik\n\n* en punkt med **fet** text\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
            code,
            v4.new_markdown_cell("Slut."),
        ],
        metadata={"language_info": {"name": "python"}},
    )


@pytest.mark.parametrize("template", [render.TEMPLATE_NAME, "lab"])
def test_pages_are_the_ones_nbconvert_writes_without_its_beautifulsoup_pass(template):
    """The report's exporter skips nbconvert's BeautifulSoup pass (its cost grows with a
    page's tables) and makes its changes itself: the page is nbconvert's own, up to the
    re-serialisation (with nbconvert's lab template too, where cells get tabindex)."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    nb = _page_notebook()
    resources = {
        "metadata": {"name": "t", "path": ""},
        "pilot_eval": {"lang": "sv", "title": "t", "text": render.TEXT["sv"], "provenance": _PROV, "failure": None},
    }
    ours, _ = render._exporter(template).from_notebook_node(nb, resources=json.loads(json.dumps(resources)))
    theirs, _ = render._exporter(template, cls=HTMLExporter).from_notebook_node(
        nb, resources=json.loads(json.dumps(resources))
    )
    assert "BeautifulSoup" not in type(render._exporter(template)).from_notebook_node.__code__.co_names
    # where an image has no alternative text, nbconvert's placeholder is English; ours the report's word
    placeholder = 'alt="No description has been provided for this image"'
    assert (placeholder in theirs) == (template == "lab")
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs.replace(placeholder, 'alt="Diagram"')
    assert ours.count("<th>Förvaltning ") == 60 and ours.count("<img") == 2
    assert ('tabindex="0"' in theirs) == (template == "lab") == ('tabindex="0"' in ours)


def test_an_image_without_alternative_text_gets_the_report_s_word_for_a_chart():
    nb = _page_notebook(extra_html=f'<img src="data:image/png;base64,{_PNG}"><IMG ALT="egen" SRC="x.png">')
    page = render.render_notebook(nb, title="t", lang="en", provenance=_PROV)
    imgs = re.findall(r"<img\b[^>]*>", page, re.IGNORECASE)
    assert len(imgs) == 4 and all(re.search(r"\salt=", i, re.IGNORECASE) for i in imgs)
    assert sum('alt="Chart"' in i for i in imgs) == 2  # the PNG output without alt and the bare <img>
    assert 'ALT="egen"' in page and 'alt="Staplar: &lt;5"' in page


def test_git_commit_of_a_folder_that_is_not_a_checkout_is_unknown(tmp_path):
    assert render.git_commit(tmp_path) == "unknown"


# ---------------------------------------------------------------- one report (slow)


def test_the_terminal_failure_line_does_not_quote_an_identifier_from_the_exception(tmp_path):
    entry = {
        "name": "06_egen",
        "ipynb": "notebooks/06_egen.ipynb",
        "log": None,
        "error": {"cell_index": 4, "execution_count": 3, "ename": "ValueError", "evalue": "row 19811218-9876 is odd"},
    }
    text = runner._failure_text(entry, tmp_path)
    assert text.startswith("FAILED 06_egen in cell 4 (In [3]):") and "ValueError: row [redacted] is odd" in text
    assert "9876" not in text and str(tmp_path / "notebooks" / "06_egen.ipynb") in text


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"


def _render(folder: Path, processed: Path) -> None:
    """Three working notebooks and one that fails, with a params file and a --param."""
    notebooks = fx.notebooks(folder / "notebooks", *PAGES)
    params_file = folder / "2025Q4.yaml"
    params_file.write_text("bootstrap_reps: 199\nmin_n: 11\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = runner.run_report(
            fx.PERIOD,
            processed_dir=processed,
            out_dir=folder / "reports",
            notebooks_dir=notebooks,
            params_file=params_file,
            params={"min_n": "12"},
            jobs=2,
        )
    (folder / "result.json").write_text(
        json.dumps(
            {
                "exit_code": result.exit_code,
                "notebooks": result.notebooks,
                "index": str(result.index),
                "out": out.getvalue(),
                "err": err.getvalue(),
            }
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def report(processed, tmp_path_factory):
    """(result, published folder, stdout, stderr, processed folder) of one run, shared by the
    tests of this module across pytest-xdist workers (its working folder: :func:`_work`)."""
    folder = fx.once(tmp_path_factory, "runner-report", lambda f: _render(f, processed))
    saved = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    manifest = json.loads((_work(fx.published(folder)) / "manifest.json").read_text(encoding="utf-8"))
    result = runner.ReportResult(
        index=Path(saved["index"]), manifest=manifest, notebooks=saved["notebooks"], exit_code=saved["exit_code"]
    )
    return result, fx.published(folder), saved["out"], saved["err"], processed


@pytest.mark.slow
def test_a_failing_notebook_is_named_with_its_cell_and_error_and_the_rest_is_rendered(report):
    result, folder, _, err, _ = report
    assert result.exit_code == 1
    assert result.notebooks == {
        "00_sammanfattning": "ok",
        "01_varningar": "ok",
        "02_utan_titel": "ok",
        "03_fel": "failed",
    }
    assert "FAILED 03_fel in cell 3 (In [4]):" in err  # cells: parameters, injected parameters, x = 1, x / 0
    assert "ZeroDivisionError: division by zero" in err
    assert str(_work(folder) / "notebooks" / "03_fel.ipynb") in err
    for name in PAGES:
        assert (folder / f"{name}.html").is_file() and (_work(folder) / "notebooks" / f"{name}.ipynb").is_file()
    page = (folder / "03_fel.html").read_text(encoding="utf-8")
    # the banner says where it stopped, not why: an exception's text can quote data
    assert "Sidan är ofullständig: beräkningen avbröts i cell 4." in page
    for detail in ("ZeroDivisionError", "division by zero", "Traceback", "An Exception was encountered"):
        assert detail not in page, detail
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="03_fel.html">En sida som misslyckas</a> <span class="failed">', index)


@pytest.mark.slow
def test_the_terminal_shows_one_line_per_notebook_and_the_index_last(report):
    _, folder, out, err, _ = report
    lines = out.strip().splitlines()
    progress = [line for line in lines if re.match(r"\s+\[\d/4\] ", line)]
    assert len(progress) == 4
    assert sorted(re.search(r"\] (\S+)", line).group(1) for line in progress) == PAGES
    assert all(re.search(r"\s(ok|FAILED)\s+\d+\.\d s$", line) for line in progress)
    assert any(line.startswith("  [data] ") for line in lines)
    assert any(line.startswith("  [estimates] ") for line in lines)
    assert lines[-1] == str(folder / "index.html") and Path(lines[-1]).is_absolute()
    assert lines[-2] == f"  analysts' working folder: {_work(folder) / 'index.html'}"
    for noise in (
        "IPKernelApp",
        "Kernel is running",
        "Executing notebook",
        "Passed unknown parameter",
        "Traceback",
        "%|",
    ):
        assert noise not in out + err


@pytest.mark.slow
def test_pages_have_no_code_no_prompts_and_fetch_nothing(report):
    _, folder, *_ = report
    for name in [*PAGES, "index"]:
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert '<html lang="sv">' in html
        for code in (
            "In&nbsp;[",
            "In [",
            "Out[",
            "open_period(",
            "per_administration",
            "import warnings",
            "jp-InputArea-editor",
            "<script",
            "@import",
            "analyst note",
        ):
            assert code not in html, (name, code)
        assert render.external_fetches(html) == [], name
        external = [u for u in _urls(html) if re.match(r"\s*(https?:)?//", u, flags=re.IGNORECASE)]
        assert external == [], (name, external)


@pytest.mark.slow
def test_images_are_embedded(report):
    _, folder, *_ = report
    summary = (folder / "00_sammanfattning.html").read_text(encoding="utf-8")
    logo = (folder / "02_utan_titel.html").read_text(encoding="utf-8")
    for html, alt in ((summary, "Rekryteringar per förvaltning: "), (logo, "Botkyrka kommuns logotyp (testbild)")):
        images = re.findall(r"<img\b[^>]*>", html)
        assert images, "the page has its image"
        for img in images:
            assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/]{100,}', img)
            assert f'alt="{alt}' in img and 'alt="Diagram"' not in img
    # the chart's figures behind a closed disclosure
    assert '<figure class="chart">' in summary and '<details class="chart-data">' in summary


@pytest.mark.slow
def test_print_output_and_stderr_go_to_the_working_folder_not_to_readers(report):
    result, folder, *_ = report
    page = (folder / "01_varningar.html").read_text(encoding="utf-8")
    assert "en varning för analytiker" not in page and "UserWarning" not in page
    assert "filled" not in page  # the printed table is not shown: only show.* reaches a page
    assert "Tabell och varning" in page  # the notebook's own Markdown is
    log = (_work(folder) / "logs" / "01_varningar.not-shown.txt").read_text(encoding="utf-8")
    assert "UserWarning: en varning för analytiker, inte för läsare" in log
    assert "# not shown to readers: stdout (" in log
    entries = {e["name"]: e for e in result.manifest["notebooks"]}
    assert entries["01_varningar"]["stderr_lines"] == 2  # the warning and its source line
    assert entries["01_varningar"]["dropped_outputs"] == 1
    assert entries["01_varningar"]["dropped_log"] == "logs/01_varningar.not-shown.txt"
    assert entries["00_sammanfattning"]["stderr_lines"] == 0


@pytest.mark.slow
def test_every_page_has_the_provenance_footer(report):
    result, folder, _, _, processed = report
    ingest_report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    hashes = [
        h for info in ingest_report["tables"].values() for h in (info["source"]["sha256"], info["parquet"]["sha256"])
    ]
    commit = render.git_commit()
    assert commit == result.manifest["git_commit"]
    for name in [*PAGES, "index"]:
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        footer = html.split('<footer class="provenance">', 1)[1]
        for label in ("Underlag", "Parametrar", "Indatafiler", "Programversioner", "Git-version", "Skapad"):
            assert label in footer, (name, label)
        assert all(h in footer for h in hashes), name
        assert commit in footer and "vacancies.csv" in footer and "statsmodels" in footer
        # each input table by its Swedish name on a Swedish page, not the contract's identifier
        assert '<td data-label="Tabell">Ansökningar</td>' in footer, name
        assert "<code>applications</code>" not in footer, name
        assert '<th scope="row"><code>bootstrap_reps</code></th><td><code>199</code>' in footer  # from the params file
        assert '<th scope="row"><code>min_n</code></th><td><code>12</code>' in footer  # --param over the file
        assert "results_dir" not in footer  # the runner's working folder is no concern of readers
        # a machine's absolute path can name a person's account: the last two parts only
        assert str(processed.resolve()) not in footer and f"…/{processed.parent.name}/processed" in footer
        assert "syntetiska demodata" in footer


@pytest.mark.slow
def test_the_index_links_every_page_summary_first(report):
    _, folder, *_ = report
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Utvärdering av fördjupad bakgrundskontroll — rapport för 2025Q4" in index
    links = _urls(index)
    pages = [u for u in links if u.endswith(".html")]
    assert pages == [f"{name}.html" for name in PAGES]  # the summary first, then in order
    assert re.search(
        r'<section class="summary">\s*<h2>För förtroendevalda</h2>\s*<p class="lead">'
        r'<a href="00_sammanfattning.html">Sammanfattning för förtroendevalda</a>',
        index,
    )
    assert ">02_utan_titel</a>" in index  # no title: the file name
    assert "För analytiker" not in index
    for link in links:
        assert (folder / link).is_file(), link


@pytest.mark.slow
def test_the_working_folder_has_the_analysts_material_and_an_index_of_its_own(report):
    """Executed notebooks, logs, manifest and GX Data Docs are in the working folder, whose
    index links them and the published pages; the published folder has none of it."""
    _, folder, _, _, processed = report
    work = _work(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"{n}.html" for n in PAGES), "index.html", "provenance.json"]
    )
    index = (work / "index.html").read_text(encoding="utf-8")
    links = _urls(index)
    assert [u for u in links if u.endswith(".html") and "data_docs" not in u] == [
        f"../../../{fx.PERIOD}/sv/{name}.html" for name in PAGES
    ]
    assert "För analytiker" in index
    assert [u for u in links if u.endswith(".ipynb")] == [f"notebooks/{name}.ipynb" for name in PAGES]
    assert "manifest.json" in links and "logs/01_varningar.not-shown.txt" in links
    if (processed / "data_docs").is_dir():
        assert "data_docs/index.html" in links
    for link in links:
        assert (work / link).is_file(), link


@pytest.mark.slow
def test_the_published_provenance_record_has_no_row_counts_errors_or_working_paths(report):
    result, folder, *_ = report
    record = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert record["period"] == fx.PERIOD and record["exit_code"] == 1
    assert [e["name"] for e in record["notebooks"]] == PAGES
    assert record["notebooks"][3] == {
        "name": "03_fel",
        "title": "En sida som misslyckas",
        "status": "failed",
        "html": "03_fel.html",
    }
    assert {f["sha256"] for f in record["input_files"]} == {f["sha256"] for f in result.manifest["input_files"]}
    text = json.dumps(record)
    for absent in ('"rows"', "ZeroDivisionError", "results_dir", ".work", "elapsed_seconds", "ingested_now", "/tmp/"):
        assert absent not in text, absent


@pytest.mark.slow
def test_the_manifest_says_what_ran_with_what(report):
    result, folder, _, _, processed = report
    manifest = result.manifest
    assert manifest["period"] == "2025Q4" and manifest["exit_code"] == 1
    params = manifest["parameters"]
    assert params["processed_dir"] == str(processed.resolve()) and params["raw_dir"] == ""
    assert params["cut_date"] == "2025-12-31" and params["bootstrap_reps"] == 199 and params["min_n"] == 12
    # the estimates the notebooks read: computed once, in the working folder
    assert params["results_dir"] == str(_work(folder) / "estimates")
    assert (Path(params["results_dir"]) / "estimates.json").is_file()
    assert set(manifest["versions"]) == {*render.VERSIONED, "python"}
    assert {f["table"] for f in manifest["input_files"]} >= {"vacancies", "applications", "background_checks"}
    assert [e["name"] for e in manifest["notebooks"]] == PAGES
    for entry in manifest["notebooks"]:
        assert entry["elapsed_seconds"] > 0 and entry["title"]
        assert entry["html"] and entry["ipynb"]
        assert (folder / entry["html"]).is_file()
        for key in ("ipynb", "dropped_log", "log"):
            assert entry[key] is None or (_work(folder) / entry[key]).is_file(), (entry["name"], key)
    failed = manifest["notebooks"][3]
    assert failed["status"] == "failed"
    assert {k: failed["error"][k] for k in ("ename", "evalue", "execution_count")} == {
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "execution_count": 4,
    }
    assert manifest["data"]["synthetic"] is True and manifest["data"]["ingested_now"] is False


@pytest.mark.slow
def test_the_executed_notebooks_carry_the_injected_parameters(report):
    _, folder, _, _, processed = report
    nb = nbformat.read(_work(folder) / "notebooks" / "00_sammanfattning.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "bootstrap_reps = 199" in injected.source
    assert f'processed_dir = "{processed.resolve()}"' in injected.source
    assert nb.metadata.papermill.parameters["min_n"] == 12


@pytest.mark.slow
def test_a_rerun_replaces_the_period_folder_and_a_timeout_is_a_failure(report, processed, tmp_path):
    """Re-rendering a period swaps the whole folder; nothing beside it is touched. A cell
    that runs past the timeout fails its notebook, named with its cell."""
    _, folder, *_ = report
    out = tmp_path / "reports"
    shutil.copytree(folder, out / fx.PERIOD / "sv")
    shutil.copytree(_work(folder), out / ".work" / fx.PERIOD / "sv")
    (out / "2025Q3").mkdir()
    (out / "README.md").write_text("kept", encoding="utf-8")
    notebooks = fx.notebooks(tmp_path / "notebooks", "02_utan_titel", "05_sover")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        result = runner.run_report(fx.PERIOD, processed_dir=processed, out_dir=out, notebooks_dir=notebooks, timeout=3)
    assert result.exit_code == 1 and result.notebooks == {"02_utan_titel": "ok", "05_sover": "failed"}
    assert "FAILED 05_sover in cell 2 (In [3]):" in err.getvalue()
    assert "CellTimeoutError: A cell timed out while it was being executed, after 3 seconds" in err.getvalue()
    # no temporary folders; the working folder holds this run's material only
    assert sorted(p.name for p in out.iterdir()) == [
        ".work",
        "2025Q3",
        "2025Q4",
        "README.md",
        "index.en.html",
        "index.html",
    ]
    assert sorted(p.name for p in (out / ".work").iterdir()) == ["2025Q4"]
    assert sorted(p.name for p in (out / fx.PERIOD).iterdir()) == ["sv"]
    assert sorted(p.name for p in (out / ".work" / fx.PERIOD / "sv" / "notebooks").iterdir()) == [
        "02_utan_titel.ipynb",
        "05_sover.ipynb",
    ]
    assert sorted(p.name for p in (out / fx.PERIOD / "sv").glob("*.html")) == [
        "02_utan_titel.html",
        "05_sover.html",
        "index.html",
    ]
    assert not (out / fx.PERIOD / "sv" / "00_sammanfattning.html").exists()


@pytest.mark.slow
def test_a_user_notebook_that_shows_raw_rows_prints_and_raises_ids_leaks_nothing(processed, tmp_path):
    """Only what passed through show.* reaches the published folder: no ID and no raw value
    of a notebook that displays rows, prints IDs to stdout and stderr and raises with one,
    in any file of it; the working folder keeps all of it for the analyst."""
    import pandas as pd

    notebooks = fx.notebooks(tmp_path / "notebooks", "06_fientlig")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        result = runner.run_report(
            fx.PERIOD, processed_dir=processed, out_dir=tmp_path / "reports", notebooks_dir=notebooks, jobs=1
        )
    assert result.notebooks == {"06_fientlig": "failed"}
    published = fx.published(tmp_path)
    apps = pd.read_parquet(processed / "applications.parquet").head(20)
    vacs = pd.read_parquet(processed / "vacancies.parquet").head(20)
    secrets = {str(v) for v in [*apps["application_id"], *vacs["vacancy_id"]]}
    secrets |= {str(v) for v in apps["candidate_id"]} if "candidate_id" in apps else set()
    files = [f for f in published.rglob("*") if f.is_file()]
    assert sorted(f.name for f in files) == ["06_fientlig.html", "index.html", "provenance.json"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, (f.name, leaked[:3])
        assert "application_id" not in text and "ValueError" not in text, f.name
    page = (published / "06_fientlig.html").read_text(encoding="utf-8")
    assert "Den här texten får synas." in page and "Rader som inte får synas" in page
    assert "beräkningen avbröts i cell 6." in page
    work = _work(published)
    kept = (work / "notebooks" / "06_fientlig.ipynb").read_text(encoding="utf-8")
    assert str(apps["application_id"].iloc[0]) in kept  # the analyst's copy has it all
    log = (work / "logs" / "06_fientlig.not-shown.txt").read_text(encoding="utf-8")
    assert "display_data" in log and "execute_result" in log and "stdout" in log
    assert "FAILED 06_fientlig in cell 6 (In [6]):" in err.getvalue()


@pytest.mark.slow
def test_two_pages_safe_alone_are_audited_together_and_the_sum_across_pages_is_protected(processed, tmp_path):
    """The pending offers are "<5" on one page and the total of offers on another: the
    report-wide audit withholds one more outcome on the first page (in its table, and in
    the sentence of the other page that prints it), and runs that page again."""
    notebooks = fx.notebooks(tmp_path / "notebooks", "07_erbjudanden", "08_summa")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        result = runner.run_report(
            fx.PERIOD, processed_dir=processed, out_dir=tmp_path / "reports", notebooks_dir=notebooks, jobs=1
        )
    assert result.exit_code == 0, result.manifest
    published = fx.published(tmp_path)
    offers = (published / "07_erbjudanden.html").read_text(encoding="utf-8")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", offers)
    assert "&lt;5" in cells and "..‡" in cells  # pending "<5" and a second outcome withheld
    assert "341" in cells and "147" in cells and "517" in (published / "08_summa.html").read_text(encoding="utf-8")
    shown = [int(c) for c in cells if c.isdigit()]
    assert 517 - sum(shown) >= 5 + 1  # the withheld cells together are more than "<5" + "..‡" could pin
    summary = (published / "08_summa.html").read_text(encoding="utf-8")
    assert "3 försvann" not in summary and "färre än 5 försvann" in summary  # a count 1–4 in a sentence
    # a table shown only as a table is replaced on its page: no notebook runs again
    assert not any("running" in line for line in out.getvalue().splitlines())
    audit = json.loads((_work(published) / "disclosure_audit.json").read_text(encoding="utf-8"))
    assert audit["summary"]["runs"] == 1 and audit["summary"]["replaced_tables"] == ["07_erbjudanden/t0"]
    assert audit["unprotected"] == [] and "341" not in json.dumps(audit["tables"])
    disclosure = result.manifest["disclosure"]
    assert disclosure["published"] < disclosure["before_report_audit"]["published"]


@pytest.mark.slow
def test_a_chart_and_a_sentence_that_show_a_figure_the_audit_withholds_are_made_again(processed, tmp_path):
    """The same offers in a chart (with the expired ones in a sentence) on a third page: the
    audit withholds the expired offers, so that page's notebook runs again with the audit's
    plan, and its chart and sentence no longer show them."""
    notebooks = fx.notebooks(tmp_path / "notebooks", "07_erbjudanden", "08_summa", "09_diagram")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        result = runner.run_report(
            fx.PERIOD, processed_dir=processed, out_dir=tmp_path / "reports", notebooks_dir=notebooks, jobs=2
        )
    assert result.exit_code == 0, result.manifest
    lines = out.getvalue().splitlines()
    assert any("withholds" in line and "running 09_diagram again" in line for line in lines), lines
    summary = result.manifest["disclosure"]
    assert summary["runs"] == 2 and summary["rerun"] == ["09_diagram"]
    assert summary["replaced_tables"] == ["07_erbjudanden/t0"]
    page = (fx.published(tmp_path) / "09_diagram.html").read_text(encoding="utf-8")
    assert "Utgångna erbjudanden: ett antal som inte redovisas." in page
    work = _work(fx.published(tmp_path))
    plan = json.loads((work / "disclosure_plan.json").read_text(encoding="utf-8"))
    assert plan["numbers"] == {"09_diagram/n0": "secondary"} and "09_diagram/t0" in plan["tables"]


@pytest.mark.slow
def test_the_command_line_renders_in_english_and_exits_0(processed, tmp_path, capsys):
    notebooks = fx.notebooks(tmp_path / "notebooks", "02_utan_titel")
    code = cli.main(
        [
            "report",
            "--period",
            fx.PERIOD,
            "--processed",
            str(processed),
            "--out",
            str(tmp_path / "reports"),
            "--notebooks",
            str(notebooks),
            "--lang",
            "en",
            "--jobs",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    index = fx.published(tmp_path, "en") / "index.html"
    assert out.strip().splitlines()[-1] == str(index)
    html = index.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Evaluation of the deepened background checks" in html
    assert "Provenance" in html and "Software versions" in html


def test_kernels_are_ordinary_kernels_with_nothing_else_visible(processed, tmp_path):
    """Every notebook runs in a kernel that its worker started (no fork server), with
    Python's own cycle-collector thresholds, the parameters (results_dir among them) as its
    only names and no execution count taken by anything but the notebook's cells."""
    import gc

    notebooks = fx.notebooks(tmp_path / "notebooks", "04_karnan")
    result = runner.run_report(
        fx.PERIOD, processed_dir=processed, out_dir=tmp_path / "reports", notebooks_dir=notebooks, jobs=1, quiet=True
    )
    assert result.exit_code == 0
    nb = nbformat.read(_work(fx.published(tmp_path)) / "notebooks" / "04_karnan.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "get_threshold" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert f"gc {gc.get_threshold()}" in text, text
    assert "forked False" in text, text
    names = ast.literal_eval(text.split("names ", 1)[1].strip())
    user = set(names) - {"In", "Out", "exit", "quit", "get_ipython", "open"}
    assert user == set(PARAMETERS) | {"gc"}, user
    assert "results_dir" in user
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]


# ---------------------------------------------------------------- lab


@pytest.mark.slow
def test_lab_runs_this_environment_s_jupyterlab(tmp_path):
    command = cli.lab_command(tmp_path, ["--version"])
    assert command[0] == str(Path(sys.executable).with_name("jupyter-lab"))
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and re.match(r"4\.\d+", done.stdout)


def test_the_report_kernel_is_this_environment_s_python():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(runner.KERNEL_NAME)
    assert Path(spec.argv[0]).parent == Path(sys.executable).parent, (
        f"kernel {runner.KERNEL_NAME} runs {spec.argv[0]}: run `python3 run.py setup` to register this .venv's"
    )


def test_notebooks_start_longest_first_by_the_previous_report(tmp_path):
    """With a previous report's manifest, the slowest notebooks start first (new ones
    before them); without one, the files' order. Ties keep the files' order."""
    jobs = [
        runner._Job(
            name=n,
            title=n,
            source=f"{n}.ipynb",
            folder=str(tmp_path),
            parameters={},
            timeout=60,
        )
        for n in ("00_a", "01_b", "02_c", "03_d", "04_new")
    ]
    assert [j.name for j in runner._schedule(jobs, tmp_path)] == ["00_a", "01_b", "02_c", "03_d", "04_new"]
    previous = {
        "notebooks": [
            {"name": "00_a", "elapsed_seconds": 4.9},
            {"name": "01_b", "elapsed_seconds": 2.7},
            {"name": "02_c", "elapsed_seconds": 5.2},
            {"name": "03_d", "elapsed_seconds": 2.7},
            {"name": "gone", "elapsed_seconds": 9.0},
        ]
    }
    (tmp_path / "manifest.json").write_text(json.dumps(previous), encoding="utf-8")
    assert [j.name for j in runner._schedule(jobs, tmp_path)] == ["04_new", "02_c", "00_a", "01_b", "03_d"]
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert [j.name for j in runner._schedule(jobs, tmp_path)] == ["00_a", "01_b", "02_c", "03_d", "04_new"]
