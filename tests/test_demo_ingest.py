"""The issue's "done when": the demo export ingests with an empty quarantine, and its
Swedish (Windows-1252, semicolons, decimal commas) and Excel variants give identical
processed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from pilot_eval.demo import generate, write_export
from pilot_eval.ingest import ingest, load_processed

CUT = "2026-02-28"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    export = generate(seed=7, scenario="delay", cut_date=CUT)
    write_export(export, base / "raw")
    result = ingest(base / "raw", base / "out", cut_date=CUT, data_docs=False)
    return base, export, result


@pytest.mark.slow
def test_demo_export_ingests_with_an_empty_quarantine(demo):
    base, export, result = demo
    assert result.exit_code == 0
    for table, info in result.report["tables"].items():
        assert info["rows_quarantined"] == 0, (table, info["reasons"])
        assert info["rows_read"] == info["rows_processed"] == len(export.tables[table])
        assert info["warnings"] == {}, (table, info["warnings"])
    assert not any((base / "out" / "quarantine").iterdir())
    assert result.report["notices"] == ["ignored truth.json"]


@pytest.mark.slow
def test_processed_tables_equal_what_the_generator_made(demo):
    base, export, _ = demo
    tables = load_processed(base / "out")
    for table, expected in export.tables.items():
        got = tables[table]
        assert list(got.columns) == list(expected.columns)
        for col in expected.columns:
            left = got[col].astype(object).where(got[col].notna(), None).tolist()
            right = expected[col].astype(object).where(expected[col].notna(), None).tolist()
            assert left == right, (table, col)


@pytest.mark.slow
@pytest.mark.parametrize(
    "variant",
    [
        {"swedish": True},  # cp1252, ';', decimal comma, Swedish names
        {"swedish": True, "encoding": "utf-8-sig"},
    ],
)
def test_variants_give_identical_processed_tables(demo, tmp_path, variant):
    base, export, _ = demo
    write_export(export, tmp_path / "raw", **variant)
    text = (tmp_path / "raw" / "rekryteringar.csv").read_bytes().decode(variant.get("encoding", "cp1252"))
    for written in ("Sista ansökningsdag", "Förvaltning", "Barnskötare", "Återannonserad", "Ej tillsatt"):
        assert written in text, written  # proper Swedish, not folded ASCII
    result = ingest(tmp_path / "raw", tmp_path / "out", cut_date=CUT, data_docs=False)
    assert result.exit_code == 0
    assert all(info["rows_quarantined"] == 0 for info in result.report["tables"].values())
    assert all(
        info["rows_read"] == info["rows_processed"] == len(export.tables[t])
        for t, info in result.report["tables"].items()
    )
    if not variant.get("excel"):
        assert result.report["tables"]["vacancies"]["source"]["separator"] == ";"
        assert result.report["tables"]["vacancies"]["source"]["file"] == "rekryteringar.csv"
    for table in export.tables:
        a = (base / "out" / f"{table}.parquet").read_bytes()
        b = (tmp_path / "out" / f"{table}.parquet").read_bytes()
        assert a == b, f"{table} differs between the canonical and the {variant} export"


@pytest.mark.slow
def test_excel_variant_gives_identical_processed_tables(tmp_path):
    """Excel workbooks (one per table, Swedish names, real Excel dates). At a tenth of
    Botkyrka's volume: openpyxl needs about a minute for the full export."""
    export = generate(seed=11, scenario="large", scale=0.1, cut_date=CUT)
    write_export(export, tmp_path / "csv")
    write_export(export, tmp_path / "xlsx", excel=True, swedish=True)
    assert sorted(p.suffix for p in (tmp_path / "xlsx").glob("*.xlsx")) == [".xlsx"] * 5
    header = pd.read_excel(tmp_path / "xlsx" / "ansokningar.xlsx", nrows=1).columns.tolist()
    assert header[:4] == ["Ansöknings-ID", "Rekryterings-ID", "Inkommen datum", "Intern sökande"]
    a = ingest(tmp_path / "csv", tmp_path / "a", cut_date=CUT, data_docs=False)
    b = ingest(tmp_path / "xlsx", tmp_path / "b", cut_date=CUT, data_docs=False)
    assert a.exit_code == b.exit_code == 0
    assert all(info["rows_quarantined"] == 0 for info in b.report["tables"].values())
    assert all(
        info["rows_read"] == info["rows_processed"] == len(export.tables[t]) for t, info in b.report["tables"].items()
    )
    for table in export.tables:
        assert (tmp_path / "a" / f"{table}.parquet").read_bytes() == (tmp_path / "b" / f"{table}.parquet").read_bytes()


@pytest.mark.slow
def test_report_keeps_every_expectation_s_result(demo):
    """ingest_report.json: per table, one entry per expectation of its suite (GX's order)."""
    import json

    from pilot_eval.validation import load_suite_json

    base, _, result = demo
    report = json.loads((base / "out" / "ingest_report.json").read_text(encoding="utf-8"))
    assert report == json.loads(json.dumps(result.report))
    for table, info in report["tables"].items():
        suite = load_suite_json(table)["expectations"]
        results = info["expectation_results"]
        assert sorted((r["type"], r["reason"]) for r in results) == sorted(
            (e["type"], e["meta"]["reason"]) for e in suite
        )
        assert all(r["success"] and r["unexpected_count"] == 0 for r in results), table
        assert info["expectations"] == len(results)


@pytest.mark.slow
def test_the_demo_s_checks_read_as_words_on_the_data_quality_page(demo):
    """The data-quality page's table of checks (issue 18, part 6): one row per expectation
    and per check ingest makes in code, in the page's language, with no GX class name."""
    from types import SimpleNamespace

    from pilot_eval.report import sections

    _, _, result = demo
    report = result.report
    said = {}
    for lang in ("sv", "en"):
        ctx = SimpleNamespace(lang=lang, ingest_report=report)
        for table, info in report["tables"].items():
            frame = sections.expectation_results(ctx, table)
            assert len(frame) == len(info["expectation_results"]) + len(info["cross_table_results"]) > 10
            assert not frame["check"].str.contains(r"expect_|_date\b|_id\b").any(), table
            assert (frame["n_rows_failed"].fillna(0) == 0).all()
            said[lang, table] = frame["check"].tolist()
    for table in report["tables"]:
        assert all(sv != en for sv, en in zip(said["sv", table], said["en", table], strict=True)), table
    assert "Ansökningsdatum finns på varje rad" in said["sv", "applications"]
    assert "Varje rad hör till en rekrytering i uttaget" in said["sv", "applications"]
    assert "Every row belongs to an application in the export" in said["en", "background_checks"]
