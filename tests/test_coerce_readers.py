"""Strict parsing of raw cells and the reading of raw files (no GX involved: fast)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_eval.coerce import parse_bool, parse_date, parse_enum, parse_float, parse_int, parse_stage
from pilot_eval.contract import TABLES, fold, table_for_name
from pilot_eval.readers import IngestError, decode_bytes, detect_separator, discover, read_source


def _s(*values):
    return pd.Series(list(values), dtype=object)


def test_dates_are_strict_iso():
    values, failures = parse_date(
        _s(
            "2024-03-01",
            "",
            "2024-02-29",
            "2023-02-29",
            "01/03/2024",
            "2024-3-1",
            "2024-03-01 00:00:00",
            "2024-03-01 13:45:00",
            "45352",
        )
    )
    assert values.dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "2024-03-01",
        "",
        "2024-02-29",
        "",
        "",
        "",
        "2024-03-01",
        "",
        "",
    ]
    bad = failures["not a valid date (YYYY-MM-DD)"].tolist()
    assert bad == [False, False, False, True, True, True, False, True, False]
    assert failures["not a date but a number (Excel serial date?); export dates as YYYY-MM-DD"].tolist()[-1]


def test_excel_serials_only_in_excel_sources():
    values, failures = parse_date(_s("45352", "1", "60", "61"), excel=True)
    # 1900 leap-year bug: serial 60 is the fictitious 1900-02-29; 61 is 1900-03-01 in both systems
    assert values.dt.strftime("%Y-%m-%d").tolist()[0] == "2024-03-01"
    assert values.dt.strftime("%Y-%m-%d").tolist()[3] == "1900-03-01"
    assert not any(m.any() for m in failures.values())


def test_numbers_accept_swedish_formats():
    ints, f = parse_int(_s("1", " 1 234 ", "3,0", "2,5", "tre", "", "-4"))
    assert ints.tolist()[:3] == [1, 1234, 3] and ints.tolist()[6] == -4
    assert f["not a whole number"].tolist() == [False, False, False, True, True, False, False]
    floats, f = parse_float(_s("12,5", "12.5", "1 234,5", "1\u00a0234,5", "1,2.3", "abc", ""))
    assert floats.tolist()[:4] == [12.5, 12.5, 1234.5, 1234.5]
    assert f["not a number"].tolist() == [False, False, False, False, True, True, False]


def test_booleans_in_swedish_and_english():
    values, f = parse_bool(_s("Ja", "nej", "TRUE", "false", "1", "0", "kanske", ""))
    assert values.tolist()[:6] == [True, False, True, False, True, False]
    assert f["not yes/no (ja/nej, true/false, 1/0)"].tolist() == [False] * 6 + [True, False]


def test_enum_labels_english_swedish_folded_and_full_names():
    admin = TABLES["vacancies"].column("administration")
    values, _ = parse_enum(
        _s(
            "UBF",
            "ubf",
            "Utbildningsförvaltningen",
            "UTBILDNINGSFORVALTNINGEN",
            "Kultur- och fritidsförvaltningen",
            "Mars",
            "",
        ),
        admin,
    )
    assert values.tolist() == ["UBF", "UBF", "UBF", "UBF", "KOF", "Mars", None]
    role = TABLES["vacancies"].column("role_group")
    values, _ = parse_enum(_s("Förskollärare", "forskollarare", "preschool_teacher", "Personlig assistent"), role)
    assert values.tolist() == ["preschool_teacher"] * 3 + ["personal_assistant"]
    status = TABLES["applications"].column("final_status")
    values, _ = parse_enum(_s("Återkallad", "tackat nej", "ej aktuell"), status)
    assert values.tolist() == ["withdrawn", "declined_offer", "rejected"]


def test_stages_by_number_or_name():
    values, f = parse_stage(_s("0", "7", "Intervju", "bakgrundskontroll", "offer", "9", "sju", ""))
    assert values.tolist()[:6] == [0, 7, 2, 4, 5, 9]
    assert f["not a stage (0–7 or a stage name)"].tolist() == [False] * 6 + [True, False]


@given(st.text(max_size=30))
def test_fold_is_idempotent_and_plain(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert all(c.isascii() and (c.isalnum() or c in "_+") for c in folded)


def test_table_names_english_and_swedish():
    assert table_for_name("Bakgrundskontroller") == "background_checks"
    assert table_for_name("BEMANNING_MÅNAD") == "staffing_monthly"
    assert table_for_name("pilot schema") == "pilot_rollout"
    assert table_for_name("truth") is None


def test_every_swedish_header_maps_back():
    for spec in TABLES.values():
        lookup = spec.header_lookup()
        for col in spec.columns:
            assert lookup[fold(col.swedish)] == col.name
            assert lookup[fold(col.swedish.upper())] == col.name


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("id;namn\n1;Åsa\n".encode(), "utf-8"),
        ("id;namn\n1;Åsa\n".encode("utf-8-sig"), "utf-8-sig"),
        ("id;namn\n1;Åsa\n".encode("cp1252"), "cp1252"),
        ("id;namn\n1;Åsa\n".encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path, data, encoding):
    text, detected = decode_bytes(data, tmp_path / "x.csv")
    assert detected == encoding and "Åsa" in text


def test_separator_detection():
    assert detect_separator("a;b;c") == ";"
    assert detect_separator("a,b,c") == ","
    assert detect_separator("a\tb") == "\t"
    assert detect_separator("single") == ","


def test_discovery_ignores_unknown_files_and_refuses_xls(tmp_path):
    (tmp_path / "vacancies.csv").write_text("vacancy_id\n")
    (tmp_path / "truth.json").write_text("{}")
    (tmp_path / "README.txt").write_text("hello")
    sources, notices = discover(tmp_path)
    assert list(sources) == ["vacancies"]
    assert any("truth.json" in n for n in notices) and any("README.txt" in n for n in notices)
    (tmp_path / "ansokningar.xls").write_bytes(b"old")
    with pytest.raises(IngestError, match=r"\.xls"):
        discover(tmp_path)


def test_workbook_with_one_sheet_per_table(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Förvaltning": ["UBF"], "Yrkesgrupp": ["alla"]}).to_excel(
            writer, sheet_name="Pilot_schema", index=False
        )
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Anteckningar", index=False)
    sources, _ = discover(tmp_path)
    assert list(sources) == ["pilot_rollout"] and sources["pilot_rollout"].sheet == "Pilot_schema"
    raw = read_source(sources["pilot_rollout"])
    assert raw.header_map == {"Förvaltning": "administration", "Yrkesgrupp": "role_group"}
    assert raw.frame["_source_line"].tolist() == [2] and raw.frame["role_group"].tolist() == ["alla"]


def test_quoted_newlines_keep_true_line_numbers(tmp_path):
    path = tmp_path / "pilot_rollout.csv"
    path.write_text('administration,scope,x\nUBF,"two\nlines",1\nSOF,new_hires,2\n', encoding="utf-8")
    sources, _ = discover(tmp_path)
    raw = read_source(sources["pilot_rollout"])
    assert raw.frame["_source_line"].tolist() == [2, 4]


def test_swedish_written_forms_fold_back_to_the_contract():
    """Every header and label the --swedish demo export writes (å/ä/ö, capitals, spaces)
    maps back to its contract column or value, and fits in Windows-1252."""
    for spec in TABLES.values():
        lookup = spec.header_lookup()
        for col in spec.columns:
            assert lookup[fold(col.swedish_display)] == col.name, col.swedish_display
            col.swedish_display.encode("cp1252")
            if col.kind == "enum":
                labels = col.label_lookup()
                for value in col.values:
                    written = col.swedish_display_label(value)
                    assert labels[fold(written)] == value, written
                    written.encode("cp1252")
    assert TABLES["vacancies"].column("closing_date").swedish_display == "Sista ansökningsdag"
    assert TABLES["vacancies"].column("role_group").swedish_display_label("childminder") == "Barnskötare"


def test_readvertisement_in_correct_swedish_and_in_the_contracts_spelling():
    vacancies = TABLES["vacancies"]
    lookup = vacancies.header_lookup()
    assert lookup[fold("Återannonsering av")] == lookup[fold("ateranonsering_av")] == "readvertisement_of"
    values, _ = parse_enum(
        _s("Återannonserad", "ateranonserad", "återanonserad", "readvertised"), vacancies.column("status")
    )
    assert values.tolist() == ["readvertised"] * 4


def test_close_column_suggests_a_contract_column():
    from pilot_eval.contract import close_column

    assert close_column("Tillträdes datum", "vacancies").name == "start_date"
    assert close_column("Publicerat datum", "vacancies").name == "published_date"
    assert close_column("ssyk2", "vacancies").name == "ssyk_code"
    assert close_column("Publicerat datum", "vacancies", exclude={"published_date"}) is None
    for unrelated in ("intern_kod", "x7", "Lönepost", "kod", "Ansvarskod"):
        assert close_column(unrelated, "vacancies") is None, unrelated


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        ("id;namn\n1;Åsa\n".encode("utf-16-le"), 1, "UTF-16 text without a byte-order mark"),
        ("id;yrke\n1;Barnsk\u00f6tare\n2;F\u00f6rskoll\u00e4rare\n".encode("cp850"), 2, "DOS CP850"),
        ("id;status\n1;ok\n2;Wy\u0142\u0105czony\n".encode("iso-8859-2"), 3, "ISO-8859-2"),
        (b"id;x\n1;a\n2;\x81\n", 3, "neither UTF-8 nor Windows-1252"),
    ],
)
def test_other_encodings_are_refused_naming_file_and_line(tmp_path, data, line, words):
    with pytest.raises(IngestError) as info:
        decode_bytes(data, tmp_path / "x.csv")
    assert (info.value.file, info.value.row) == ("x.csv", line)
    assert words in info.value.message


def test_windows_1252_swedish_is_not_mistaken_for_another_code_page(tmp_path):
    text = "Förvaltning;Yrkesgrupp;Åldersgrupp\nKultur- och fritidsförvaltningen;Barnskötare;25–34\nÖ;Å;55+\n"
    assert decode_bytes(text.encode("cp1252"), tmp_path / "x.csv") == (text, "cp1252")


def test_fast_and_general_csv_paths_read_the_same_cells(tmp_path):
    """A plain UTF-8 file (pyarrow, repeating columns dictionary-encoded while parsed) and
    the same file in Windows-1252 with semicolons (pandas' C parser) give the same texts,
    line numbers and blank-record handling; repeating columns are Categoricals."""
    rows = ["application_id,vacancy_id,submitted_date,qualified,gender"]
    rows += [
        f"A-{i:05d},R-{i % 7},2024-01-{1 + i % 28:02d},{'ja' if i % 3 else 'nej'},{'' if i % 5 else 'kvinna'}"
        for i in range(3000)
    ]
    rows.insert(40, ",,,,")  # a blank record keeps later line numbers
    text = "\n".join(rows) + "\n"
    fast_dir, slow_dir = tmp_path / "fast", tmp_path / "slow"
    fast_dir.mkdir()
    slow_dir.mkdir()
    (fast_dir / "applications.csv").write_text(text, encoding="utf-8")
    (slow_dir / "applications.csv").write_bytes(text.replace(",", ";").encode("cp1252"))
    fast = read_source(discover(fast_dir)[0]["applications"]).frame
    slow = read_source(discover(slow_dir)[0]["applications"]).frame
    assert str(fast["application_id"].dtype) == "string[pyarrow]"
    for frame in (fast, slow):
        assert isinstance(frame["vacancy_id"].dtype, pd.CategoricalDtype)
        assert isinstance(frame["qualified"].dtype, pd.CategoricalDtype)
    assert len(fast) == len(slow) == 3000 and fast["_source_line"].tolist()[38:41] == [40, 42, 43]
    for col in ("_source_line", "application_id", "vacancy_id", "submitted_date", "qualified", "gender"):
        assert fast[col].astype(object).tolist() == slow[col].astype(object).tolist(), col


def test_dates_before_1900_are_refused_as_typing_errors():
    from pilot_eval.coerce import BEFORE_1900

    values, failures = parse_date(
        _s("1899-12-31", "1900-01-01", "1024-05-12", "0201-03-04 00:00:00", "2024-01-01", "", "1899-13-45")
    )
    assert BEFORE_1900 == "before 1900: a typing error?"
    assert failures[BEFORE_1900].tolist() == [True, False, True, True, False, False, True]
    assert not failures["not a valid date (YYYY-MM-DD)"].any(), "one reason per cell: the year says it"
    assert values.isna().tolist() == [True, False, True, True, False, True, True]
    # an Excel source: the ISO text is checked the same; a serial counts from 1900-01-01
    _, failures = parse_date(_s("1899-12-31", "2"), excel=True)
    assert failures[BEFORE_1900].tolist() == [True, False]
    _, failures = parse_date(_s("1899-12", "1900-01"), month=True)
    assert failures[BEFORE_1900].tolist() == [True, False]


def test_a_date_before_1900_is_quarantined_with_its_reason(tmp_path):
    from rawfixture import CUT_DATE, write_raw

    from pilot_eval.ingest import ingest

    raw = write_raw(tmp_path / "raw")
    path = raw / "vacancies.csv"
    path.write_text(path.read_text().replace("2024-01-10", "1024-01-10", 1))
    result = ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    reasons = result.report["tables"]["vacancies"]["reasons"]
    assert reasons.get("published_date: before 1900: a typing error?") == 1
    q = result.quarantine["vacancies"]
    assert q["published_date"].tolist()[:1] == ["1024-01-10"] and q["source_line"].tolist()[:1] == [2]
