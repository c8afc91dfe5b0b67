"""Ingest's promises beyond single bad inputs: output files, idempotence, atomicity, CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rawfixture import CUT_DATE, table_rows, write_raw

from pilot_eval import cli, paths
from pilot_eval.cli import format_summary
from pilot_eval.contract import TABLES
from pilot_eval.ingest import REPORT_NAME, ingest, ingest_summary, load_processed
from pilot_eval.readers import IngestError


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    base = tmp_path_factory.mktemp("ingest")
    raw = write_raw(base / "raw")
    result = ingest(raw, base / "out", cut_date=CUT_DATE, data_docs=True)
    return base, result


def test_writes_tables_report_and_data_docs(processed):
    base, result = processed
    out = base / "out"
    assert sorted(p.name for p in out.glob("*.parquet")) == sorted(f"{t}.parquet" for t in TABLES)
    report = json.loads((out / REPORT_NAME).read_text())
    assert report == json.loads(json.dumps(result.report))
    assert report["cut_date"] == CUT_DATE and report["exit_status"] == 0
    assert report["great_expectations_version"].startswith("1.24")
    vac = report["tables"]["vacancies"]
    assert vac["source"]["file"] == "vacancies.csv" and len(vac["source"]["sha256"]) == 64
    assert vac["source"]["encoding"] == "utf-8" and vac["source"]["separator"] == ","
    assert vac["expectations"] == vac["expectations"] > 10 and vac["expectations_failed"] == 0
    index = (out / "data_docs" / "index.html").read_text()
    assert "pilot_eval" in index
    assert list((out / "data_docs" / "validations").rglob("*.html")), "validation pages are built"
    assert not list(base.glob(".out.*")), "no staging or old folder left beside the output"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [REPORT_NAME, "data_docs", "quarantine"] + [f"{t}.parquet" for t in TABLES]
    )


def test_processed_types_follow_the_contract(processed):
    base, _ = processed
    tables = load_processed(base / "out")
    vac = tables["vacancies"]
    assert str(vac["published_date"].dtype) == "datetime64[ns]"
    assert list(vac["administration"].cat.categories) == TABLES["vacancies"].column("administration").values
    assert vac["positions"].dtype == "int64" and vac["is_manager"].dtype == bool
    app = tables["applications"]
    assert str(app["withdrawn_stage"].dtype) == "Int64"
    assert app.loc[app.application_id == "A-02", "withdrawn_stage"].tolist() == [2]
    schema = pq.read_schema(base / "out" / "vacancies.parquet")
    assert str(schema.field("published_date").type) == "date32[day]"
    assert schema.field("vacancy_id").nullable is False and schema.field("accepted_date").nullable is True
    assert list(vac.columns) == TABLES["vacancies"].column_names
    contract = schema.metadata[b"pilot_eval.contract"].decode()  # a document of this repository
    assert contract == "docs/contract.md" and (paths.PROJECT_ROOT / contract).is_file()


def test_same_input_gives_byte_identical_parquet(tmp_path):
    raw = write_raw(tmp_path / "raw")
    ingest(raw, tmp_path / "a", cut_date=CUT_DATE, data_docs=False)
    ingest(raw, tmp_path / "b", cut_date=CUT_DATE, data_docs=False)
    ingest(raw, tmp_path / "a", cut_date=CUT_DATE, data_docs=False)  # re-run over existing output
    for table in TABLES:
        assert (tmp_path / "a" / f"{table}.parquet").read_bytes() == (tmp_path / "b" / f"{table}.parquet").read_bytes()


def test_raw_files_are_only_read(tmp_path):
    raw = write_raw(tmp_path / "raw")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in raw.iterdir()}
    ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in raw.iterdir()} == before
    with pytest.raises(IngestError, match="raw directory"):
        ingest(raw, raw / "processed", cut_date=CUT_DATE, data_docs=False)


def test_load_processed_refuses_a_changed_or_mixed_directory(tmp_path):
    raw = write_raw(tmp_path / "raw")
    ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    other = write_raw(tmp_path / "raw2", {"pilot_rollout": table_rows("pilot_rollout")[:3]})
    ingest(other, tmp_path / "out2", cut_date=CUT_DATE, data_docs=False)
    # a crash between moving files would mix runs: simulate it
    (tmp_path / "out" / "pilot_rollout.parquet").write_bytes((tmp_path / "out2" / "pilot_rollout.parquet").read_bytes())
    with pytest.raises(IngestError, match="does not match ingest_report.json"):
        load_processed(tmp_path / "out")
    assert len(load_processed(tmp_path / "out", verify=False)["pilot_rollout"]) == 2
    with pytest.raises(IngestError, match="run `pilot-eval ingest` first"):
        load_processed(tmp_path / "nowhere")


def test_table_dropped_from_a_later_export_does_not_linger(tmp_path):
    ingest(write_raw(tmp_path / "raw"), tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    ingest(
        write_raw(tmp_path / "raw2", {"staffing_monthly": None}), tmp_path / "out", cut_date=CUT_DATE, data_docs=False
    )
    assert not (tmp_path / "out" / "staffing_monthly.parquet").exists()
    assert set(load_processed(tmp_path / "out")) == set(TABLES) - {"staffing_monthly"}


def test_cut_date_defaults_to_today_and_is_validated(tmp_path):
    result = ingest(write_raw(tmp_path / "raw"), tmp_path / "out", data_docs=False)
    assert result.report["cut_date_source"].startswith("today")
    with pytest.raises(IngestError, match="--cut-date"):
        ingest(tmp_path / "raw", tmp_path / "out", cut_date="28/02/2026", data_docs=False)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pilot_eval.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_cli_exit_statuses_and_outputs(tmp_path):
    raw = write_raw(tmp_path / "raw")
    ok = _cli("ingest", "--raw", str(raw), "--out", str(tmp_path / "ok"), "--cut-date", CUT_DATE, "--no-data-docs")
    assert ok.returncode == 0, ok.stderr
    assert "Quarantine: empty" in ok.stdout and "vacancies" in ok.stdout
    assert "Calculating Metrics" not in ok.stdout + ok.stderr, "no GX progress bars"
    assert ok.stderr == ""

    rows = table_rows("vacancies")
    rows[2][rows[0].index("positions")] = "0"
    bad = write_raw(tmp_path / "bad", {"vacancies": rows})
    one = _cli("ingest", "--raw", str(bad), "--out", str(tmp_path / "one"), "--cut-date", CUT_DATE, "--json")
    assert one.returncode == 1
    report = json.loads(one.stdout)
    assert report["tables"]["vacancies"]["reasons"] == {"positions: below 1": 1}

    quiet = _cli(
        "ingest",
        "--raw",
        str(bad),
        "--out",
        str(tmp_path / "q"),
        "--cut-date",
        CUT_DATE,
        "--quiet",
        "--quarantine-threshold",
        "0.5",
        "--no-data-docs",
    )
    assert (quiet.returncode, quiet.stdout) == (0, "")

    (raw / "vacancies.csv").write_bytes(b"")
    two = _cli("ingest", "--raw", str(raw), "--out", str(tmp_path / "two"), "--cut-date", CUT_DATE)
    assert two.returncode == 2
    assert "vacancies.csv" in two.stderr and "empty" in two.stderr and "Nothing was written" in two.stderr
    assert not (tmp_path / "two").exists()


# --------------------------------------------------------------------------- relative paths


@pytest.mark.slow
def test_cli_with_relative_paths_and_data_docs(tmp_path):
    """The README's own `pilot-eval ingest --raw data/raw/demo --out data/processed/demo`
    (relative paths, Data Docs on): GX refused a relative Data Docs directory."""
    write_raw(tmp_path / "data" / "raw" / "demo")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pilot_eval.cli",
            "ingest",
            "--raw",
            "data/raw/demo",
            "--out",
            "data/processed/demo",
            "--cut-date",
            CUT_DATE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Quarantine: empty" in done.stdout
    out = tmp_path / "data" / "processed" / "demo"
    assert (out / "data_docs" / "index.html").is_file()
    report = json.loads((out / REPORT_NAME).read_text())
    assert report["raw_dir"] == str((tmp_path / "data" / "raw" / "demo").resolve())  # absolute: means the same anywhere
    assert set(load_processed(out)) == set(TABLES)
    assert sorted(p.name for p in out.parent.iterdir()) == ["demo"], "no staging or old folder left behind"


def test_relative_paths_in_python_and_prepare_data_prints_the_summary(tmp_path, monkeypatch, capsys):
    """prepare_data (the report's data step; notebooks pass "../data/processed/…") with
    relative folders and Data Docs on, printing the account of every row when it ingests."""
    from pilot_eval.report.context import prepare_data

    write_raw(tmp_path / "raw")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    prepared = prepare_data(
        "2025Q4", raw_dir="../raw", processed_dir="../processed/2025Q4", cut_date=CUT_DATE, quiet=False
    )
    assert prepared.ingested and prepared.processed_dir == tmp_path.resolve() / "processed" / "2025Q4"
    assert (tmp_path / "processed" / "2025Q4" / "data_docs" / "index.html").is_file()
    out = capsys.readouterr().out
    assert "Quarantine: empty; every row passed." in out
    for table in TABLES:
        assert re.search(rf"^  {table}\s+\d+\s+\d+\s+0\s+\d+/\d+ passed$", out, re.M), (table, out)
    again = prepare_data(
        "2025Q4", raw_dir="../raw", processed_dir="../processed/2025Q4", cut_date=CUT_DATE, quiet=False
    )
    assert not again.ingested and capsys.readouterr().out == ""


# --------------------------------------------------------------------------- the summary


def _fake_report(counts: dict[str, tuple[int, int]]) -> dict:
    tables = {}
    for table, (read, quarantined) in counts.items():
        tables[table] = {
            "rows_read": read,
            "rows_processed": read - quarantined,
            "rows_quarantined": quarantined,
            "quarantine_share": quarantined / read,
            "reasons": {},
            "warnings": {},
            "expectations": 135,
            "expectations_failed": 1 if quarantined else 0,
        }
    return {
        "raw_dir": "/data/raw/x",
        "cut_date": CUT_DATE,
        "tables": tables,
        "notices": [],
        "data_docs": None,
        "exit_status": 1,
        "quarantine_threshold": 0.05,
        "column_warnings": [],
    }


def test_summary_columns_stay_apart_for_large_counts():
    report = _fake_report(
        {
            "vacancies": (7_300, 0),
            "applications": (34_411_302, 2_650_000),
            "background_checks": (12_345_678, 1),
            "pilot_rollout": (3, 0),
        }
    )
    text = format_summary(report, Path("out"))
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("table"))
    body = lines[header + 2 : header + 6]
    for line in body:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == 5, line  # five columns, never run together
    apps = re.split(r"\s{2,}", body[1].strip())
    assert apps[:4] == ["applications", "34 411 302", "31 761 302", "2 650 000 (7.7%)"]
    # numbers are right-aligned under their headers
    for name in ("read", "processed", "quarantined"):
        end = lines[header].index(name) + len(name)
        assert all(line[end - 1] != " " and (len(line) == end or line[end] == " ") for line in body), name


def test_summary_shows_misspelt_column_warnings_loudly():
    report = _fake_report({"vacancies": (4, 0)})
    report["column_warnings"] = ["vacancies.csv: column 'Tilltrade datumm' … did you mean start_date?"]
    text = format_summary(report, Path("out"))
    assert "WARNING" in text and "did you mean start_date" in text


def test_the_result_gives_its_own_summary(processed):
    base, result = processed
    assert result.summary() == ingest_summary(result.report, result.out_dir)
    assert result.summary() == format_summary(result.report, result.out_dir)  # the command line's old name
    assert result.summary("out").startswith(f"Ingested {result.report['raw_dir']} → out (cut date {CUT_DATE})")
    assert "Validation report (GX Data Docs): out/data_docs/index.html" in result.summary("out")


def test_every_error_class_lives_in_errors_and_keeps_its_old_import():
    from pilot_eval import errors, readers, validation
    from pilot_eval import ingest as ingest_module

    assert readers.IngestError is errors.IngestError is ingest_module.IngestError is IngestError
    assert validation.SuiteError is errors.SuiteError
    assert all(cls.__doc__ and "Raised by" in cls.__doc__ for cls in (errors.IngestError, errors.SuiteError))
    error = errors.IngestError("no such column", file="v.csv", table="vacancies", column="x", row=3)
    assert str(error) == "file v.csv, table vacancies, column 'x', row 3: no such column"
    assert error.to_dict()["exit_code"] == 2


# --------------------------------------------------------------------------- exit statuses


def _suites_with(tmp_path, table: str, change) -> Path:
    from pilot_eval.paths import EXPECTATIONS_DIR

    folder = tmp_path / "suites"
    folder.mkdir()
    for p in EXPECTATIONS_DIR.glob("*.json"):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads((folder / f"{table}.json").read_text())
    change(data["expectations"])
    (folder / f"{table}.json").write_text(json.dumps(data))
    return folder


def test_broken_suite_exits_2_naming_suite_and_expectation(tmp_path, monkeypatch, capsys):
    import pilot_eval.validation as validation

    def bad_kwarg(exps):
        exps[3]["kwargs"]["mostly"] = "lots"  # pydantic refuses it inside GX

    monkeypatch.setattr(validation, "EXPECTATIONS_DIR", _suites_with(tmp_path, "pilot_rollout", bad_kwarg))
    raw = write_raw(tmp_path / "raw")
    code = cli.main(
        ["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--cut-date", CUT_DATE, "--no-data-docs"]
    )
    err = capsys.readouterr().err
    assert code == 2
    message = err.splitlines()[0]
    assert "pilot_rollout.json" in message and "expectation 3 expect_column_to_exist on scope" in message
    assert "mostly" in message and "Traceback" not in err and "Nothing was written" in err
    assert not (tmp_path / "out").exists()


def test_unexpected_error_exits_3_with_the_traceback_in_a_log(tmp_path, monkeypatch, capsys):
    import pilot_eval.ingest as ingest_module

    raw = write_raw(tmp_path / "raw")
    out = tmp_path / "out"
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise RuntimeError("a bug in the cross-table checks")

    monkeypatch.setattr(ingest_module, "_cross_table_checks", boom)
    args = ["ingest", "--raw", str(raw), "--out", str(out), "--cut-date", CUT_DATE, "--no-data-docs"]
    assert cli.main(args) == 3
    err = capsys.readouterr().err
    assert "INTERNAL ERROR" in err and "RuntimeError: a bug in the cross-table checks" in err
    assert "not a problem with the data" in err and "--debug" in err and "Traceback" not in err
    log = Path(re.search(r"traceback is in (\S+\.log)", err).group(1))
    assert "Traceback" in log.read_text() and "boom" in log.read_text()
    log.unlink()
    assert cli.main(args + ["--debug"]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "boom" in err
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]


def test_cli_help_documents_every_exit_status(capsys):
    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    text = capsys.readouterr().out
    for line in (
        "0  all good",
        "1  a table's quarantined share",
        "2  a structural or privacy problem",
        "3  internal error",
        "4  the output cannot be written",
    ):
        assert line in text


# --------------------------------------------------------------------------- atomic replacement


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture()
def two_exports(tmp_path):
    """An output directory ingested from one export (with Data Docs), and a second,
    different export to ingest over it."""
    out = tmp_path / "out"
    ingest(write_raw(tmp_path / "raw1"), out, cut_date=CUT_DATE, data_docs=True)
    raw2 = write_raw(tmp_path / "raw2", {"pilot_rollout": table_rows("pilot_rollout")[:3], "staffing_monthly": None})
    return out, raw2


def test_a_failing_swap_leaves_the_old_output_intact(two_exports, monkeypatch):
    import pilot_eval.ingest as ingest_module

    out, raw2 = two_exports
    before = _snapshot(out)
    real_rename = os.rename

    def rename(src, dst):
        if ".staging-" in str(src) and Path(dst) == out.resolve():
            raise OSError("disk trouble")  # after out → .old, before staging → out
        return real_rename(src, dst)

    monkeypatch.setattr(ingest_module.os, "rename", rename)
    with pytest.raises(OSError, match="disk trouble"):
        ingest(raw2, out, cut_date=CUT_DATE, data_docs=True)
    assert _snapshot(out) == before and _siblings(out) == []
    assert len(load_processed(out)["pilot_rollout"]) == 3


def test_a_process_killed_between_the_renames_is_recovered(two_exports, monkeypatch):
    """The old output is moved aside, and then the process dies: the directory is
    briefly absent (readers get a clear message); the next run puts the old one back."""
    import pilot_eval.ingest as ingest_module

    out, raw2 = two_exports
    before = _snapshot(out)
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) > 1:
            raise KeyboardInterrupt  # nothing after the first rename happens
        return real_rename(src, dst)

    monkeypatch.setattr(ingest_module.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        ingest(raw2, out, cut_date=CUT_DATE, data_docs=True)
    monkeypatch.setattr(ingest_module.os, "rename", real_rename)
    assert calls[0][0] == "out" and calls[0][1].startswith(".out.old-")
    assert not out.exists() and len(_siblings(out)) == 1  # the old output, aside
    with pytest.raises(IngestError, match="an ingest is replacing this directory"):
        load_processed(out)
    ingest_module._sweep_stale(out.resolve())  # what the next run does first
    assert _snapshot(out) == before and _siblings(out) == []
    result = ingest(raw2, out, cut_date=CUT_DATE, data_docs=False)
    assert set(load_processed(out)) == set(result.tables) and _siblings(out) == []
    assert not (out / "data_docs").exists() and not (out / "staffing_monthly.parquet").exists()


def test_stale_siblings_of_a_dead_process_are_swept_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    raw = write_raw(tmp_path / "raw")
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    staging = tmp_path / f".out.staging-{dead}-0123abcd"
    old = tmp_path / f".out.old-{dead}-89abcdef"
    for folder in (staging, old):
        folder.mkdir()
        (folder / "vacancies.parquet").write_bytes(b"half")
    (old / "notes.txt").write_text("an analyst's file, written by hand")
    alive = tmp_path / f".out.staging-{os.getppid()}-fedcba98"  # a running process's: left alone
    other = tmp_path / f".other.staging-{dead}-0123abcd"  # another output's: left alone
    unrelated = tmp_path / ".out.staging-notes"  # not our pattern: left alone
    for folder in (alive, other, unrelated):
        folder.mkdir()
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    assert not staging.exists() and not old.exists()
    assert (out / "notes.txt").read_text() == "an analyst's file, written by hand"
    assert alive.exists() and other.exists() and unrelated.exists()
    load_processed(out)


def test_what_ingest_did_not_write_is_kept(tmp_path):
    out = tmp_path / "out"
    raw = write_raw(tmp_path / "raw")
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    (out / ".cache").mkdir()  # ingest knows nothing of the report's files: kept as any other
    (out / ".cache" / "effects-late_withdrawal-x.pkl").write_bytes(b"the report's")
    (out / "2025Q4").mkdir()  # e.g. a period's folder nested inside
    (out / "2025Q4" / "ingest_report.json").write_text("{}")
    (out / "README.txt").write_text("kept")
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    assert (out / ".cache" / "effects-late_withdrawal-x.pkl").read_bytes() == b"the report's"
    assert (out / "2025Q4" / "ingest_report.json").read_text() == "{}" and (out / "README.txt").exists()
    assert set(load_processed(out)) == set(TABLES) and _siblings(out) == []


def test_output_directory_must_be_a_folder_of_its_own(tmp_path, monkeypatch):
    raw = write_raw(tmp_path / "export" / "raw")
    with pytest.raises(IngestError, match="raw directory must not be inside the output directory"):
        ingest(raw, tmp_path / "export", cut_date=CUT_DATE, data_docs=False)
    (tmp_path / "work" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work" / "sub")
    for out in (".", ".."):  # ingest replaces the output folder as a whole
        with pytest.raises(IngestError, match="a folder of its own"):
            ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    with pytest.raises(IngestError, match="raw data directory does not exist") as info:
        ingest("nowhere", "out", cut_date=CUT_DATE, data_docs=False)
    assert info.value.file == "nowhere"
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["raw"]
    assert sorted(p.name for p in (tmp_path / "work").rglob("*")) == ["sub"]


# --------------------------------------------------------------------------- fast paths


def _dirty_export(directory: Path) -> Path:
    """The fixture export with a broken row of nearly every kind, repeated so that the
    repeating columns are held as Categoricals and each ID column has duplicates."""
    vac, app, chk = table_rows("vacancies"), table_rows("applications"), table_rows("background_checks")
    vac += [[f"R-b{i}" if i % 7 else "R-a1", *row[1:]] for i, row in enumerate(vac[1:] * 5)]
    vac[6][9] = "2024-01-01"  # closing_date before published_date
    vac[7][5] = "2,5"  # not a whole number
    vac[8][0] = ""  # missing ID
    app += [[f"A-x{i}" if i % 11 else "A-02", *row[1:]] for i, row in enumerate(app[1:] * 6)]
    app[9][1] = "R-nosuch"  # no such vacancy
    app[10][1] = " R-a2\u00a0"  # an ID to strip
    app[11][2] = "44000"  # a serial number, not a date
    app[12][4] = "kanske"  # unknown label
    app[13][5] = "9"  # stage out of range
    app[14][6] = "Anställd"  # Swedish label
    app[15][0] = "  "  # an empty ID
    app[16][7] = "2024-03-01"  # withdrawn_date on a rejected application
    chk += [[f"K-x{i}", *row[1:]] for i, row in enumerate(chk[1:] * 4)]
    chk[5][1] = "A-nosuch"
    chk[6][4] = "2023-01-01"  # completed before requested
    return write_raw(directory, {"vacancies": vac, "applications": app, "background_checks": chk})


def test_gx_stand_ins_give_the_same_outcomes_as_the_values(tmp_path):
    """The smaller forms in which the GX frame holds IDs and dates (codes, day numbers)
    give every expectation the same outcome and the same failing rows."""
    from pilot_eval import ingest as ingest_module
    from pilot_eval.readers import read_raw_dir
    from pilot_eval.validation import load_suite_json, suite_columns, validate_tables

    raws, _ = read_raw_dir(_dirty_export(tmp_path / "raw"))
    assert isinstance(raws["applications"].frame["vacancy_id"].dtype, pd.CategoricalDtype)
    frames = {}
    for stand_ins in (True, False):
        for table in ("vacancies", "applications", "background_checks"):
            outcome = ingest_module._coerce_table(raws[table], TABLES[table], [], [])
            frame = ingest_module._frame_for_gx(
                outcome.typed, TABLES[table], suite_columns(load_suite_json(table)), stand_ins=stand_ins
            )
            frames[table, stand_ins] = frame
    assert isinstance(frames["applications", True]["application_id"].cat.categories, pd.RangeIndex)
    assert str(frames["applications", True]["submitted_date"].dtype) == "float32"
    assert str(frames["applications", False]["submitted_date"].dtype) == "datetime64[ns]"
    results = {}
    for stand_ins in (True, False):
        got = validate_tables({t: frames[t, s] for t, s in frames if s == stand_ins})
        results[stand_ins] = {
            t: [(o.expectation_type, o.column, o.success, o.unexpected_count, o.unexpected_index) for o in v.outcomes]
            for t, v in got.items()
        }
    assert results[True] == results[False]
    assert sum(not o[2] for outcomes in results[True].values() for o in outcomes) >= 6


def test_dirty_export_reports_the_same_with_data_docs_and_without(tmp_path):
    """Data Docs get the values themselves, ingest without them the stand-ins: the
    quarantine, the report and the parquet files are the same."""
    raw = _dirty_export(tmp_path / "raw")
    plain = ingest(raw, tmp_path / "plain", cut_date=CUT_DATE, data_docs=False)
    docs = ingest(raw, tmp_path / "docs", cut_date=CUT_DATE, data_docs=True)
    for table, info in plain.report["tables"].items():
        other = docs.report["tables"][table]
        assert info["reasons"] == other["reasons"] and info["warnings"] == other["warnings"], table
        assert info["parquet"]["sha256"] == other["parquet"]["sha256"], table
        assert plain.quarantine[table].equals(docs.quarantine[table]), table
    reasons = plain.report["tables"]["applications"]["reasons"]
    assert reasons["application_id: duplicate"] >= 2 and "vacancy_id: no such vacancy in the export" in reasons
    assert plain.report["tables"]["vacancies"]["reasons"]["closing_date before published_date"] >= 1


def test_processed_frames_hold_text_as_arrow_strings_and_enums_as_categoricals(tmp_path):
    result = ingest(_dirty_export(tmp_path / "raw"), tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    app = result.tables["applications"]
    assert str(app["application_id"].dtype) == "string[pyarrow]" and str(app["vacancy_id"].dtype) == "string[pyarrow]"
    assert list(app["final_status"].cat.categories) == TABLES["applications"].column("final_status").values
    assert "R-a2" in set(app["vacancy_id"]) and not app["application_id"].isna().any()
    loaded = load_processed(tmp_path / "out")["applications"]
    assert loaded["application_id"].dtype == object
    assert loaded["application_id"].tolist() == app["application_id"].tolist()


def _record_parquet_writes(monkeypatch) -> list[tuple[str, int]]:
    """(table, rows) of every parquet file ingest writes, in the order written."""
    import pilot_eval.ingest as ingest_module

    written: list[tuple[str, int]] = []
    original = ingest_module._write_parquet

    def record(arrow, path):
        written.append((path.stem, arrow.num_rows))
        original(arrow, path)

    monkeypatch.setattr(ingest_module, "_write_parquet", record)
    return written


def test_parquet_written_during_validation_is_kept_only_where_nothing_was_set_aside(tmp_path, monkeypatch):
    """Files are written while GX validates, from every row; a table that then has rows
    set aside (by GX or by the cross-table checks) is written again from its kept rows,
    and the output is byte for byte what a write after validation gives."""
    import pilot_eval.ingest as ingest_module

    rows = table_rows("vacancies")
    rows[2][9] = "2024-01-01"  # closing_date before published_date: only GX sees it
    apps = table_rows("applications")
    apps[3][1] = "R-nosuch"  # no such vacancy: only the cross-table check sees it
    raw = write_raw(tmp_path / "raw", {"vacancies": rows, "applications": apps})
    written = _record_parquet_writes(monkeypatch)
    result = ingest(raw, tmp_path / "early", cut_date=CUT_DATE, data_docs=False)
    n = {t: len(table_rows(t)) - 1 for t in TABLES}
    assert sorted(written) == sorted(
        [
            ("vacancies", n["vacancies"]),
            ("vacancies", n["vacancies"] - 1),  # early, then kept rows
            ("applications", n["applications"]),
            ("applications", n["applications"] - 2),  # and R-a2's
            ("background_checks", n["background_checks"]),
            ("pilot_rollout", n["pilot_rollout"]),
            ("staffing_monthly", n["staffing_monthly"]),
        ]
    )
    assert result.report["tables"]["vacancies"]["rows_quarantined"] == 1
    assert pq.read_table(tmp_path / "early" / "vacancies.parquet").num_rows == n["vacancies"] - 1

    # the same output with no early writes at all
    monkeypatch.setattr(ingest_module, "_write_early", lambda outcomes, staging, writer: {})
    ingest(raw, tmp_path / "late", cut_date=CUT_DATE, data_docs=False)
    for table in TABLES:
        assert (tmp_path / "early" / f"{table}.parquet").read_bytes() == (
            tmp_path / "late" / f"{table}.parquet"
        ).read_bytes(), table


def test_a_table_that_cannot_be_written_whole_is_not_written_early(tmp_path, monkeypatch):
    """A value outside an enum's set is null in the written column, which the schema does
    not allow: that table waits for validation to set the row aside."""
    apps = table_rows("applications")
    apps[3][4] = "kanske"  # qualified: not one of the contract's values
    raw = write_raw(tmp_path / "raw", {"applications": apps})
    written = _record_parquet_writes(monkeypatch)
    result = ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    assert [table for table, _ in written].count("applications") == 1
    assert result.report["tables"]["applications"]["rows_quarantined"] == 1
