"""The bad-input corpus: each raw export breaks one thing, and the exact outcome is asserted.

Outcomes are either a clear stop (IngestError, exit status 2, nothing written, a message
naming file, column and row) or named quarantine reasons with exact row accounting.
Built on the hand-written fixture in ``tests/rawfixture.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from rawfixture import CUT_DATE, TABLES, table_rows, to_csv_text, write_raw

from pilot_eval.ingest import ingest
from pilot_eval.readers import IngestError

ROWS = {name: len(rows) - 1 for name, rows in TABLES.items()}


def run(tmp_path: Path, overrides=None, **kwargs):
    raw = write_raw(tmp_path / "raw", overrides, **{k: kwargs.pop(k) for k in ("sep", "encoding") if k in kwargs})
    return ingest(raw, tmp_path / "out", cut_date=kwargs.pop("cut_date", CUT_DATE), data_docs=False, **kwargs)


def stop(tmp_path: Path, overrides, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        run(tmp_path, overrides, **kwargs)
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists(), "a stopped ingest must write nothing"
    return info.value


def edit(table: str, row: int, column: str, value: str) -> dict:
    rows = table_rows(table)
    rows[row][rows[0].index(column)] = value
    return {table: rows}


def assert_accounting(result):
    for table, info in result.report["tables"].items():
        assert info["rows_read"] == info["rows_processed"] + info["rows_quarantined"], table
        assert info["rows_read"] == ROWS[table] or table in ("vacancies", "applications", "background_checks")
        assert len(result.tables[table]) == info["rows_processed"]
        assert len(result.quarantine[table]) == info["rows_quarantined"]


def quarantined(result, table: str) -> dict[str, int]:
    return result.report["tables"][table]["reasons"]


# --------------------------------------------------------------------------- the good case


def test_fixture_is_clean(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0
    assert_accounting(result)
    for table, n in ROWS.items():
        info = result.report["tables"][table]
        assert (info["rows_read"], info["rows_quarantined"]) == (n, 0), table
    assert not any((tmp_path / "out" / "quarantine").iterdir())


# --------------------------------------------------------------------------- structural stops


def test_empty_file_stops(tmp_path):
    err = stop(tmp_path, {"vacancies": b""})
    assert err.file == "vacancies.csv" and err.table == "vacancies"  # the name in the raw directory, not a path
    assert "empty" in err.message


def test_header_only_stops(tmp_path):
    err = stop(tmp_path, {"applications": [TABLES["applications"][0]]})
    assert err.table == "applications" and "no rows" in err.message


def test_missing_required_column_stops(tmp_path):
    rows = [r[:14] + r[15:] for r in table_rows("vacancies")]  # drop status
    err = stop(tmp_path, {"vacancies": rows})
    assert (err.table, err.column, err.row) == ("vacancies", "status", 1)
    assert "required column missing: status" in err.message and "'status'" in err.message


def test_missing_table_stops(tmp_path):
    err = stop(tmp_path, {"background_checks": None})
    assert err.table == "background_checks" and "bakgrundskontroller" in err.message


def test_mixed_encoding_stops(tmp_path):
    text = to_csv_text(edit("vacancies", 1, "role_group", "förskollärare")["vacancies"])
    mixed = text.encode("utf-8").replace(b"VOF", "Vård- och omsorgsförvaltningen".encode("cp1252"), 1)
    err = stop(tmp_path, {"vacancies": mixed})
    assert "mixes UTF-8 and Windows-1252" in err.message and err.row is not None


def test_binary_file_stops(tmp_path):
    err = stop(tmp_path, {"pilot_rollout": b"\x00\x01\x02administration\x00"})
    assert err.table is None or err.table == "pilot_rollout"
    assert "pilot_rollout.csv" in str(err)


def test_repeated_header_stops(tmp_path):
    rows = [r + [r[14]] for r in table_rows("vacancies")]  # status twice
    err = stop(tmp_path, {"vacancies": rows})
    assert "repeats a column" in err.message and err.column == "status"


def test_same_column_in_english_and_swedish_stops(tmp_path):
    rows = table_rows("vacancies")
    rows[0].append("Status")
    for r in rows[1:]:
        r.append("tillsatt")
    err = stop(tmp_path, {"vacancies": rows})
    assert "two columns map to status" in err.message


def test_two_files_for_one_table_stop(tmp_path):
    raw = write_raw(tmp_path / "raw")
    (raw / "rekryteringar.csv").write_text(to_csv_text(TABLES["vacancies"]), encoding="utf-8")
    with pytest.raises(IngestError, match="two sources for table vacancies"):
        ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    assert not (tmp_path / "out").exists()


def test_ragged_row_stops_with_line(tmp_path):
    text = to_csv_text(TABLES["pilot_rollout"]) + "SOF,all,new_hires,court_records,2023-09-01,,surplus,more\n"
    err = stop(tmp_path, {"pilot_rollout": text})
    assert err.row == 5 and "malformed CSV: line 5 has 8 fields, the header has 6" in err.message


def test_personnummer_in_contract_column_stops_without_echo(tmp_path):
    pnr = "19811218-9876"  # the Swedish Tax Agency's textbook example, valid check digit
    err = stop(tmp_path, edit("applications", 3, "application_id", pnr))
    assert (err.table, err.column, err.row) == ("applications", "application_id", 4)
    assert pnr not in str(err) and "811218" not in str(err)
    assert "personnummer" in err.message


def test_personnummer_is_reported_before_a_coercion_error(tmp_path):
    """The privacy scan runs beside coercion; a finding still comes first (and nothing of
    the table that also fails coercion is echoed)."""
    pnr = "19811218-9876"
    apps = table_rows("applications")
    apps[3][0] = pnr  # application_id: a personnummer
    vac = [row[:1] + row[2:] for row in table_rows("vacancies")]  # required column administration missing
    err = stop(tmp_path, {"applications": apps, "vacancies": vac})
    assert (err.table, err.column, err.row) == ("applications", "application_id", 4)
    assert "personnummer" in err.message and pnr not in str(err)


def test_personnummer_in_extra_column_stops(tmp_path):
    rows = table_rows("applications")
    rows[0].append("referens")
    for i, r in enumerate(rows[1:]):
        r.append("811218-9876" if i == 5 else "")
    err = stop(tmp_path, {"applications": rows})
    assert (err.column, err.row) == ("referens", 7)
    assert "9876" not in str(err)
    # one location, named once: file as in the raw directory, table, column, row
    assert str(err).startswith(
        "file applications.csv, table applications, column 'referens', row 7: The column "
        "contains a Swedish personal identity number"
    )
    assert str(err).count("applications.csv") == 1 and str(err).count("referens") == 1


def test_email_column_stops(tmp_path):
    rows = table_rows("vacancies")
    rows[0].append("info")
    for r in rows[1:]:
        r.append("rekryterare@example.org")
    err = stop(tmp_path, {"vacancies": rows})
    assert err.column == "info" and err.row == 2 and "e-mail" in err.message.lower()
    assert "example.org" not in str(err)


def test_phone_number_stops(tmp_path):
    rows = table_rows("applications")
    rows[0].append("extra")
    for i, r in enumerate(rows[1:]):
        r.append("070-123 45 67" if i == 2 else "")
    err = stop(tmp_path, {"applications": rows})
    assert err.column == "extra" and err.row == 4 and "phone" in err.message.lower()


def test_identifier_header_stops(tmp_path):
    rows = table_rows("applications")
    rows[0].append("Namn")
    for r in rows[1:]:
        r.append("")
    err = stop(tmp_path, {"applications": rows})
    assert err.column == "Namn" and err.row is None
    assert str(err).startswith(
        "file applications.csv, table applications, column 'Namn': The column is named like a direct identifier"
    )
    assert str(err).count("applications.csv") == 1


def test_stop_leaves_existing_processed_untouched(tmp_path):
    good = run(tmp_path)
    assert_accounting(good)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*") if p.is_file()}
    raw = write_raw(tmp_path / "raw2", {"vacancies": b""})
    with pytest.raises(IngestError):
        ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    after = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*") if p.is_file()}
    assert before == after and good.exit_code == 0
    assert not list(tmp_path.glob(".out.*")), "no staging or old folder left beside the output"


# --------------------------------------------------------------------------- accepted variants


def _processed_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]):
    assert a.keys() == b.keys()
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], obj=table)


def test_bom_semicolon_decimal_comma_is_the_same_data(tmp_path):
    canonical = run(tmp_path / "a")
    bom = run(
        tmp_path / "b",
        sep=";",
        encoding="utf-8-sig",
        overrides={
            "staffing_monthly": [
                [c.replace(".", ",") if c[:1].isdigit() and "-" not in c else c for c in r]
                for r in TABLES["staffing_monthly"]
            ]
        },
    )
    assert bom.exit_code == 0
    assert bom.report["tables"]["vacancies"]["source"]["encoding"] == "utf-8-sig"
    assert bom.report["tables"]["vacancies"]["source"]["separator"] == ";"
    assert bom.tables["staffing_monthly"]["fte"].tolist() == [431.5, 555.2]
    _processed_equal(canonical.tables, bom.tables)
    assert_accounting(bom)


def test_swedish_headers_labels_cp1252(tmp_path):
    from pilot_eval.contract import ADMINISTRATIONS
    from pilot_eval.contract import TABLES as SPECS

    canonical = run(tmp_path / "a")
    raw = tmp_path / "b" / "raw"
    raw.mkdir(parents=True)

    def header(col, i):  # folded Swedish headers, every other one in capitals
        return col.swedish.upper() if i % 2 else col.swedish

    def label(col, v):  # folded labels; administrations by their full names
        return ADMINISTRATIONS[v] if col.name == "administration" else col.labels.get(v, v)

    for name in TABLES:
        rows = _swedish_rows(name, header, label, no="nej")
        (raw / f"{SPECS[name].swedish}.csv").write_bytes(to_csv_text(rows, sep=";").encode("cp1252"))
    swedish = ingest(raw, tmp_path / "b" / "out", cut_date=CUT_DATE, data_docs=False)
    assert swedish.exit_code == 0
    assert swedish.report["tables"]["vacancies"]["source"]["encoding"] == "cp1252"
    _processed_equal(canonical.tables, swedish.tables)
    assert_accounting(swedish)


def test_excel_workbook_with_real_and_serial_dates(tmp_path):
    canonical = run(tmp_path / "a")
    raw = write_raw(tmp_path / "b" / "raw", {"vacancies": None})
    rows = table_rows("vacancies")
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    for col in ("published_date", "closing_date", "first_offer_date", "accepted_date", "start_date", "closed_date"):
        frame[col] = pd.to_datetime(frame[col].replace("", None))
    frame["positions"] = frame["positions"].astype(int)
    # one date as an Excel serial number (45301 = 2024-01-10), as an unformatted cell holds it
    frame["published_date"] = frame["published_date"].astype(object)
    frame.loc[0, "published_date"] = 45301
    with pd.ExcelWriter(raw / "Rekryteringar.xlsx") as writer:
        frame.to_excel(writer, sheet_name="Blad1", index=False)
    result = ingest(raw, tmp_path / "b" / "out", cut_date=CUT_DATE, data_docs=False)
    assert result.exit_code == 0, result.report["tables"]["vacancies"]["reasons"]
    assert result.report["tables"]["vacancies"]["source"]["sheet"] == "Blad1"
    _processed_equal(canonical.tables, result.tables)
    assert_accounting(result)


def test_extra_column_is_dropped_with_notice(tmp_path):
    rows = table_rows("vacancies")
    rows[0].append("intern_kod")
    for r in rows[1:]:
        r.append("X7")
    result = run(tmp_path, {"vacancies": rows})
    assert result.exit_code == 0
    assert result.report["tables"]["vacancies"]["dropped_columns"] == ["intern_kod"]
    assert any("intern_kod" in n for n in result.report["notices"])
    assert "intern_kod" not in result.tables["vacancies"].columns
    assert result.report["column_warnings"] == []  # not close to any contract column: a notice only
    assert_accounting(result)


def test_optional_column_left_out_is_taken_as_empty(tmp_path):
    rows = [r[:3] + r[4:] for r in table_rows("vacancies")]  # no ssyk_code
    result = run(tmp_path, {"vacancies": rows})
    assert result.exit_code == 0
    assert result.report["tables"]["vacancies"]["empty_optional_columns"] == ["ssyk_code"]
    assert result.tables["vacancies"]["ssyk_code"].isna().all()
    assert_accounting(result)


def test_blank_lines_are_not_rows_and_lines_stay_true(tmp_path):
    text = to_csv_text(edit("applications", 4, "qualified", "perhaps")["applications"])
    lines = text.split("\n")
    lines.insert(2, "")  # a blank line after the first record
    result = run(tmp_path, {"applications": "\n".join(lines)})
    q = result.quarantine["applications"]
    assert result.report["tables"]["applications"]["rows_read"] == ROWS["applications"]
    assert q["source_line"].tolist() == [6]  # record 4 sits on line 6 after the blank line
    assert q["qualified"].tolist() == ["perhaps"]
    assert_accounting(result)


# --------------------------------------------------------------------------- row-level quarantine


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "reason"),
    [
        ("vacancies", 3, "published_date", "45386", "published_date: not a date but a number"),
        ("vacancies", 3, "published_date", "02/04/2024", "published_date: not a valid date (YYYY-MM-DD)"),
        ("vacancies", 3, "published_date", "2024-02-30", "published_date: not a valid date (YYYY-MM-DD)"),
        ("vacancies", 2, "role_group", "astronaut", "role_group: unknown label"),
        ("vacancies", 2, "positions", "-1", "positions: below 1"),
        ("vacancies", 2, "positions", "två", "positions: not a whole number"),
        ("vacancies", 2, "is_manager", "kanske", "is_manager: not yes/no"),
        ("vacancies", 2, "closing_date", "2024-01-20", "closing_date before published_date"),
        ("vacancies", 3, "ssyk_code", "53", "ssyk_code: not a 4-digit SSYK code"),
        ("vacancies", 2, "status", "", "status: missing value"),
        ("vacancies", 4, "published_date", "2026-03-02", "published_date: after the cut date"),
        ("applications", 2, "highest_stage", "9", "highest_stage: outside 0–7"),
        ("applications", 2, "withdrawn_date", "", "withdrawn without withdrawn_date"),
        ("applications", 2, "withdrawn_stage", "", "withdrawn without withdrawn_stage"),
        ("applications", 2, "withdrawn_stage", "5", "withdrawn_stage above highest_stage"),
        ("applications", 3, "submitted_date", "2023-12-24", "submitted_date before the vacancy's published_date"),
        ("applications", 5, "final_status", "anstalld", None),  # Swedish label: accepted
        ("applications", 3, "final_status", "hired", "hired below stage 6 (accepted)"),
        ("applications", 4, "gender", "robot", "gender: unknown label"),
        ("background_checks", 1, "completed_date", "2024-02-01", "completed_date before requested_date"),
        (
            "background_checks",
            3,
            "requested_date",
            "2024-04-01",
            "requested_date before the application's submitted_date",
        ),
        ("background_checks", 2, "completed_date", "2026-02-10", "pending but has completed_date"),
        ("pilot_rollout", 1, "end_date", "2023-01-01", "end_date before start_date"),
        ("staffing_monthly", 1, "share_qualified", "1,4", "share_qualified: outside 0–1"),
        ("staffing_monthly", 1, "month", "2024-01-15", "month: not the first day of a month"),
    ],
)
def test_row_level_failure_is_quarantined_with_reason(tmp_path, table, row, column, value, reason):
    result = run(tmp_path, edit(table, row, column, value))
    assert_accounting(result)
    info = result.report["tables"][table]
    if reason is None:
        assert info["rows_quarantined"] == 0
        return
    assert info["rows_quarantined"] == 1, info["reasons"]
    assert any(r.startswith(reason) for r in info["reasons"]), info["reasons"]
    q = result.quarantine[table]
    assert q["source_line"].tolist() == [row + 1]
    assert q[column].tolist() == [value]  # the row as read, nothing lost
    assert reason in q["reasons"].iloc[0]


def test_duplicate_key_quarantines_every_copy(tmp_path):
    rows = table_rows("applications")
    rows[3][0] = rows[2][0]
    result = run(tmp_path, {"applications": rows})
    assert quarantined(result, "applications") == {"application_id: duplicate": 2}
    assert result.quarantine["applications"]["source_line"].tolist() == [3, 4]
    assert_accounting(result)


def test_orphan_foreign_key(tmp_path):
    result = run(tmp_path, edit("applications", 4, "vacancy_id", "R-zz"))
    assert quarantined(result, "applications") == {"vacancy_id: no such vacancy in the export": 1}
    assert_accounting(result)


def test_quarantined_parent_takes_children_along(tmp_path):
    # vacancy R-a1 breaks; its applications (A-01..03) and A-01's check follow it
    result = run(tmp_path, edit("vacancies", 1, "published_date", "2024-13-01"))
    assert quarantined(result, "vacancies") == {"published_date: not a valid date (YYYY-MM-DD)": 1}
    assert quarantined(result, "applications") == {"vacancy_id: its vacancy is quarantined": 3}
    assert quarantined(result, "background_checks") == {"application_id: its application is quarantined": 1}
    assert set(result.tables["applications"]["vacancy_id"]) <= set(result.tables["vacancies"]["vacancy_id"])
    assert_accounting(result)


def test_time_to_fill_over_two_years_is_implausible(tmp_path):
    rows = table_rows("vacancies")
    r = rows[1]
    for col, v in (
        ("first_offer_date", "2026-02-01"),
        ("accepted_date", "2026-02-02"),
        ("closed_date", "2026-02-02"),
        ("start_date", "2026-03-01"),
    ):
        r[rows[0].index(col)] = v
    result = run(tmp_path, {"vacancies": rows})
    assert "time to fill over two years (implausible)" in quarantined(result, "vacancies")
    assert_accounting(result)


def test_unparseable_cell_gets_one_clear_reason_not_also_missing(tmp_path):
    result = run(tmp_path, edit("vacancies", 2, "published_date", "igår"))
    assert quarantined(result, "vacancies") == {"published_date: not a valid date (YYYY-MM-DD)": 1}
    assert_accounting(result)


def test_warning_keeps_the_row(tmp_path):
    result = run(tmp_path, edit("vacancies", 2, "readvertisement_of", "R-older"))
    info = result.report["tables"]["vacancies"]
    assert info["rows_quarantined"] == 0
    assert info["warnings"] == {"readvertisement_of: no such vacancy in the export (kept)": 1}
    assert_accounting(result)


def test_quarantine_share_above_threshold_exits_1_and_writes(tmp_path):
    result = run(tmp_path, edit("vacancies", 2, "positions", "0"))
    assert result.exit_code == 1  # 1 of 4 vacancies (25 %) > 5 %
    assert_accounting(result)
    assert (tmp_path / "out" / "vacancies.parquet").exists()
    assert (tmp_path / "out" / "quarantine" / "vacancies.csv").exists()
    relaxed = run(tmp_path / "again", edit("vacancies", 2, "positions", "0"), quarantine_threshold=0.5)
    assert relaxed.exit_code == 0
    assert_accounting(relaxed)


def test_quarantine_file_is_readable_csv_with_reasons(tmp_path):
    assert_accounting(run(tmp_path, edit("applications", 6, "age_band", "ancient")))
    q = pd.read_csv(tmp_path / "out" / "quarantine" / "applications.csv", dtype=str, keep_default_na=False)
    assert q.columns[:3].tolist() == ["source_file", "source_line", "reasons"]
    assert q.loc[0, "source_file"] == "applications.csv" and q.loc[0, "source_line"] == "7"
    assert q.loc[0, "reasons"] == "age_band: unknown label" and q.loc[0, "age_band"] == "ancient"


def test_file_without_header_row_does_not_echo_the_identifier(tmp_path):
    rows = table_rows("applications")
    rows[0][0] = "19811218-9876"  # a file exported without its header: data in the header line
    err = stop(tmp_path, {"applications": rows})
    assert "9876" not in str(err) and "811218" not in str(err)


def test_birth_date_column_is_refused(tmp_path):
    rows = table_rows("applications")
    rows[0].append("Födelsedatum")
    for r in rows[1:]:
        r.append("1990-01-01")
    err = stop(tmp_path, {"applications": rows})
    assert err.column == "Födelsedatum"


# --------------------------------------------------------------------------- Swedish as written


def _swedish_rows(name: str, header, label, no: str = "Nej") -> list[list[str]]:
    """The fixture table written the Swedish way: ``header(column spec, position)`` for
    each header, ``label(column spec, value)`` for each enum value, "Ja"/``no`` for
    booleans and decimal commas."""
    from pilot_eval.contract import TABLES as SPECS

    spec = SPECS[name]
    rows = table_rows(name)
    body = []
    for r in rows[1:]:
        out = []
        for c, v in zip(rows[0], r, strict=True):
            col = spec.column(c)
            if col.kind == "enum" and v:
                v = label(col, v)
            elif col.kind == "bool":
                v = {"true": "Ja", "false": no}[v]
            elif col.kind == "float":
                v = v.replace(".", ",")
            out.append(v)
        body.append(out)
    return [[header(spec.column(c), i) for i, c in enumerate(rows[0])]] + body


def _swedish_as_written(name: str, spelling_readvertised: str = "Återannonsering av") -> list[list[str]]:
    """The fixture table with the headers and labels a Swedish HR system writes (å/ä/ö,
    capitals, spaces): "Sista ansökningsdag", "Barnskötare", "Ej tillsatt", "Ja"."""

    def header(col, _):
        return spelling_readvertised if col.name == "readvertisement_of" else col.swedish_display

    return _swedish_rows(name, header, lambda col, v: col.swedish_display_label(v))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_swedish_headers_and_labels_with_aao(tmp_path, encoding):
    canonical = run(tmp_path / "a")
    overrides = {name: _swedish_as_written(name) for name in TABLES}
    result = run(tmp_path / "b", overrides, sep=";", encoding=encoding)
    raw = tmp_path / "b" / "raw"
    text = "".join((raw / f"{name}.csv").read_bytes().decode(encoding) for name in TABLES)
    for written in (
        "Sista ansökningsdag",
        "Förvaltning",
        "Återannonsering av",
        "Tillträde datum",
        "Öppen",
        "Utbildningsförvaltningen",
        "Undersköterska",
        "Återannonserad",
        "Pågående",
        "Skola/förskola",
        "Åldersgrupp",
        "Kön",
        "25–34",
        "Årsarbetare",
        "Fördjupad domstol",
        "Slutförd",
        "Godkänd",
    ):
        assert written in text, written
    assert result.exit_code == 0, {t: i["reasons"] for t, i in result.report["tables"].items()}
    assert result.report["tables"]["vacancies"]["dropped_columns"] == []
    assert result.tables["vacancies"]["readvertisement_of"].tolist()[2] == "R-a2"
    _processed_equal(canonical.tables, result.tables)
    assert_accounting(result)


@pytest.mark.parametrize(
    ("header", "label"),
    [
        ("Återannonsering av", "Återannonserad"),
        ("ateranonsering_av", "ateranonserad"),
        ("ÅTERANNONSERING AV", "återanonserad"),
    ],
)
def test_readvertisement_in_both_spellings(tmp_path, header, label):
    rows = table_rows("vacancies")
    rows[0][rows[0].index("readvertisement_of")] = header
    rows[2][rows[0].index("status")] = label
    result = run(tmp_path, {"vacancies": rows})
    assert result.exit_code == 0 and result.report["tables"]["vacancies"]["dropped_columns"] == []
    assert result.tables["vacancies"]["status"].tolist()[1] == "readvertised"
    assert result.tables["vacancies"]["readvertisement_of"].tolist()[2] == "R-a2"
    assert_accounting(result)


def test_misspelt_optional_column_gives_a_loud_warning(tmp_path):
    rows = table_rows("vacancies")
    rows[0][rows[0].index("start_date")] = "Tillträdes datum"  # not the contract's "tilltrade_datum"
    result = run(tmp_path, {"vacancies": rows})
    assert result.exit_code == 0
    info = result.report["tables"]["vacancies"]
    assert info["dropped_columns"] == ["Tillträdes datum"] and info["empty_optional_columns"] == ["start_date"]
    [warning] = result.report["column_warnings"]
    assert "vacancies.csv: column 'Tillträdes datum'" in warning and "did you mean start_date" in warning
    assert not any("Tillträdes datum" in n for n in result.report["notices"])  # a warning, not a quiet notice
    assert_accounting(result)


def test_misspelt_required_column_stop_names_the_likely_header(tmp_path):
    rows = table_rows("vacancies")
    rows[0][rows[0].index("published_date")] = "Publicerat datum"
    err = stop(tmp_path, {"vacancies": rows})
    assert err.column == "published_date" and "the file has a column 'Publicerat datum'" in err.message


# --------------------------------------------------------------------------- other encodings


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        # UTF-16 without a byte-order mark (every other byte NUL)
        (to_csv_text(TABLES["pilot_rollout"]).encode("utf-16-le"), 1, "UTF-16 text without a byte-order mark"),
        # DOS code page 850, as old Swedish systems write: ö ä å become ” „ † in Windows-1252
        (
            to_csv_text(
                TABLES["pilot_rollout"] + [["UBF", "Förskollärare", "new_hires", "court_records", "2023-09-01", ""]]
            ).encode("cp850"),
            5,
            "DOS CP850",
        ),
        # ISO-8859-2 (ł, ą), which Windows-1252 shows as ³, ¹
        (
            to_csv_text(
                TABLES["pilot_rollout"][:2] + [["UBF", "all", "Wyłączony", "court_records", "2023-09-01", ""]]
            ).encode("iso-8859-2"),
            3,
            "ISO-8859-2",
        ),
        # a byte Windows-1252 does not define
        (
            to_csv_text(TABLES["pilot_rollout"]).encode("utf-8").replace(b"KOF", b"K\x81F"),
            4,
            "neither UTF-8 nor Windows-1252",
        ),
    ],
)
def test_other_encodings_stop_naming_file_and_line(tmp_path, data, line, words):
    err = stop(tmp_path, {"pilot_rollout": data})
    assert (err.file, err.row) == ("pilot_rollout.csv", line)
    assert words in err.message and "export" in err.message.lower()
    assert str(err).count("pilot_rollout.csv") == 1
