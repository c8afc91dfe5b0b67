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


def _rewrite_sheet(path, old: bytes, new: bytes):
    """Replace bytes in the workbook's first sheet (as Excel would have saved it)."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    assert old in members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(old, new)
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)


def test_formula_cells_without_a_saved_value_in_a_contract_column_stop(tmp_path):
    rows = [["Förvaltning", "Yrkesgrupp", "Internkod"], ["UBF", "alla", "x"], ["SOF", '=LOWER("ALLA")', "y"]]
    rows += [["VOF", '=LOWER("ALLA")', "z"]]
    _workbook(tmp_path / "pilot_rollout.xlsx", {"Blad1": (rows, "visible")})
    sources, _ = discover(tmp_path)
    with pytest.raises(IngestError) as info:
        read_source(sources["pilot_rollout"])
    err = info.value
    assert (err.file, err.table, err.column, err.row) == ("pilot_rollout.xlsx[Blad1]", "pilot_rollout", "Yrkesgrupp", 3)
    assert "2 formula cells without a saved value (rows 3, 4)" in err.message
    assert "save it again" in err.message


def test_formula_cells_without_a_saved_value_in_a_dropped_column_get_a_notice(tmp_path):
    rows = [["Förvaltning", "Yrkesgrupp", "Internkod"], ["UBF", "alla", "=1+1"], ["SOF", "alla", "y"]]
    _workbook(tmp_path / "pilot_rollout.xlsx", {"Blad1": (rows, "visible")})
    raw = read_source(discover(tmp_path)[0]["pilot_rollout"])
    assert raw.notices == [
        "pilot_rollout.xlsx[Blad1]: column 'Internkod' has 1 formula cell without a saved value (rows 2): "
        "the workbook was saved by a program that does not compute formulas (the column is not read)"
    ]


def test_formula_cells_with_a_saved_value_are_read_as_that_value(tmp_path):
    rows = [["Förvaltning", "Yrkesgrupp"], ["UBF", '=LOWER("ALLA")'], ["SOF", '=IF(1,"","")']]
    path = _workbook(tmp_path / "pilot_rollout.xlsx", {"Blad1": (rows, "visible")})
    # as Excel saves them: the value beside the formula; a formula giving "" as an empty text
    _rewrite_sheet(path, b'<f>LOWER("ALLA")</f><v />', b'<f>LOWER("ALLA")</f><v>alla</v>')
    _rewrite_sheet(path, b'<c r="B2"><f>', b'<c r="B2" t="str"><f>')
    _rewrite_sheet(path, b'<c r="B3"><f>', b'<c r="B3" t="str"><f>')
    _rewrite_sheet(path, b'<f>IF(1,"","")</f><v />', b'<f>IF(1,"","")</f><v></v>')
    raw = read_source(discover(tmp_path)[0]["pilot_rollout"])
    assert raw.notices == [] and raw.frame["role_group"].tolist() == ["alla", ""]


# --------------------------------------------------------------------------- missing-value words


MISSING_WORDS = ["NA", "None", "null", "N/A", "NaN", "nan", "NULL", "n/a", "-NaN"]


def test_a_cell_reading_na_or_none_stays_text_as_in_a_csv_file(tmp_path):
    """pandas' read_excel turns "NA", "None", "null", "N/A", "NaN" … into missing; a CSV
    read keeps them. The Excel reader keeps the text; only a truly empty cell is ""."""
    from pilot_eval.readers import Source

    rows = [["vacancy_id", "readvertisement_of"]]
    rows += [[f"V{i}", word] for i, word in enumerate(MISSING_WORDS)] + [["V-empty", None]]
    _workbook(tmp_path / "vacancies.xlsx", {"Annonser": (rows, "visible")})
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    lines = ["vacancy_id,readvertisement_of"] + [f"{a},{'' if b is None else b}" for a, b in rows[1:]]
    (csv_dir / "vacancies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    excel = read_source(Source("vacancies", tmp_path / "vacancies.xlsx", "Annonser")).frame
    text = read_source(Source("vacancies", csv_dir / "vacancies.csv")).frame
    got = excel["readvertisement_of"].astype(object).tolist()
    assert got == [*MISSING_WORDS, ""]
    assert got == text["readvertisement_of"].astype(object).tolist()


@pytest.mark.parametrize("header_row", [1, 3])
def test_the_mapping_engine_keeps_na_and_none_in_a_workbook(tmp_path, header_row):
    """The engine's two xlsx paths (ingest's reader for header row 1, its own read below
    title rows) keep "NA" and "None" as text and an empty cell as ""."""
    from pilot_eval.mapping import apply_mapping

    raw = tmp_path / "raw"
    raw.mkdir()
    titles = [["Annonser ur systemet"], ["uttag 2026-01-31"]][: header_row - 1]
    body = [["Annons", "Ersätter"], ["A1", "NA"], ["A2", "None"], ["A3", None], ["A4", "null"]]
    _workbook(raw / "export.xlsx", {"Blad1": ([*titles, *body], "visible")})
    (tmp_path / "m.yaml").write_text(
        "mapping_version: 1\n"
        "sources:\n"
        f"  ads: {{file: export.xlsx, sheet: Blad1, header_row: {header_row}}}\n"
        "tables:\n"
        "  vacancies:\n"
        "    source: ads\n"
        "    columns: {vacancy_id: Annons, readvertisement_of: Ersätter}\n",
        encoding="utf-8",
    )
    frame = apply_mapping(tmp_path / "m.yaml", raw).raws["vacancies"].frame
    assert frame["readvertisement_of"].astype(object).tolist() == ["NA", "None", "", "null"]
    assert frame["_source_line"].tolist() == list(range(header_row + 1, header_row + 5))
