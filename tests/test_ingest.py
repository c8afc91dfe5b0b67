"""Ingest's promises beyond single bad inputs: output files, idempotence, atomicity, CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pilot_eval.contract import TABLES
from pilot_eval.ingest import REPORT_NAME, ingest, load_processed
from pilot_eval.readers import IngestError

from rawfixture import CUT_DATE, table_rows, write_raw


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
    assert not list(out.glob(".staging-*")) and not list(out.glob(".old-*"))


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
    ingest(write_raw(tmp_path / "raw2", {"staffing_monthly": None}), tmp_path / "out", cut_date=CUT_DATE,
           data_docs=False)
    assert not (tmp_path / "out" / "staffing_monthly.parquet").exists()
    assert set(load_processed(tmp_path / "out")) == set(TABLES) - {"staffing_monthly"}


def test_cut_date_defaults_to_today_and_is_validated(tmp_path):
    result = ingest(write_raw(tmp_path / "raw"), tmp_path / "out", data_docs=False)
    assert result.report["cut_date_source"].startswith("today")
    with pytest.raises(IngestError, match="--cut-date"):
        ingest(tmp_path / "raw", tmp_path / "out", cut_date="28/02/2026", data_docs=False)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pilot_eval.cli", *args], capture_output=True, text=True,
                          timeout=300)


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

    quiet = _cli("ingest", "--raw", str(bad), "--out", str(tmp_path / "q"), "--cut-date", CUT_DATE, "--quiet",
                 "--quarantine-threshold", "0.5", "--no-data-docs")
    assert (quiet.returncode, quiet.stdout) == (0, "")

    (raw / "vacancies.csv").write_bytes(b"")
    two = _cli("ingest", "--raw", str(raw), "--out", str(tmp_path / "two"), "--cut-date", CUT_DATE)
    assert two.returncode == 2
    assert "vacancies.csv" in two.stderr and "empty" in two.stderr and "Nothing was written" in two.stderr
    assert not (tmp_path / "two").exists()
