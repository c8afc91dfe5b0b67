"""Workbooks: no sheet is left out unsaid (extra and hidden sheets get a notice; a hidden
sheet that alone holds a table stops the ingest), and formula cells without a cached value
are never read as empty in silence."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from pilot_eval.readers import IngestError, discover, read_source


def _workbook(path, sheets):
    """``sheets``: name → (rows, state)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (rows, state) in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.save(path)
    return path


ROLLOUT = [["Förvaltning", "Yrkesgrupp"], ["UBF", "alla"]]


def test_extra_and_hidden_sheets_are_named_in_notices(tmp_path):
    _workbook(
        tmp_path / "export.xlsx",
        {
            "Pilot_schema": (ROLLOUT, "visible"),
            "Anteckningar": ([["x"], [1]], "visible"),
            "Gammal": ([["x"], [1]], "hidden"),
            "Rekryteringar": ([["x"], [1]], "veryHidden"),
        },
    )
    with pytest.raises(IngestError) as info:  # the vacancies' only sheet is hidden
        discover(tmp_path)
    assert info.value.file == "export.xlsx[Rekryteringar]" and info.value.table == "vacancies"
    assert "hidden" in info.value.message and "unhide it" in info.value.message
    (tmp_path / "vacancies.csv").write_text("vacancy_id\nR-1\n", encoding="utf-8")  # read from elsewhere
    sources, notices = discover(tmp_path)
    assert sorted(sources) == ["pilot_rollout", "vacancies"] and sources["pilot_rollout"].sheet == "Pilot_schema"
    assert "ignored export.xlsx[Anteckningar]: another sheet of the workbook is read (Pilot_schema)" in notices
    assert "ignored export.xlsx[Gammal]: the sheet is hidden (unhide it in Excel to have it read)" in notices
    assert "ignored export.xlsx[Rekryteringar]: the sheet is hidden (unhide it in Excel to have it read)" in notices


def test_a_workbook_named_after_its_table_reads_its_first_visible_sheet(tmp_path):
    _workbook(
        tmp_path / "pilot_rollout.xlsx",
        {"Gömd": ([["x"], [1]], "hidden"), "Blad1": (ROLLOUT, "visible"), "Blad2": ([["y"], [2]], "visible")},
    )
    sources, notices = discover(tmp_path)
    assert sources["pilot_rollout"].sheet == "Blad1"
    assert notices == [
        "ignored pilot_rollout.xlsx[Gömd]: the sheet is hidden (unhide it in Excel to have it read)",
        "ignored pilot_rollout.xlsx[Blad2]: another sheet of the workbook is read (Blad1)",
    ]
    assert read_source(sources["pilot_rollout"]).frame["role_group"].tolist() == ["alla"]


def test_a_hidden_sheet_named_after_the_table_is_not_read_in_place_of_a_visible_one(tmp_path):
    _workbook(
        tmp_path / "pilot_rollout.xlsx", {"Pilot_schema": ([["x"], [1]], "hidden"), "Blad1": (ROLLOUT, "visible")}
    )
    sources, notices = discover(tmp_path)
    assert sources["pilot_rollout"].sheet == "Blad1"
    assert notices == [
        "ignored pilot_rollout.xlsx[Pilot_schema]: the sheet is hidden (unhide it in Excel to have it read)"
    ]
