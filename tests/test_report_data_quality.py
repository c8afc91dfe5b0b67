"""The data-quality page in words (issue 18, part 6): each check ingest makes as a row of
plain words in the page's language, the rows that failed it disclosure-controlled, and the
ingest's notices as reader sentences."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from rawfixture import CUT_DATE, table_rows, write_raw

from pilot_eval.disclosure import publish
from pilot_eval.report import sections
from pilot_eval.validation import load_suite_json

#: How a count of 1-4 shows (the default threshold 5).
SMALL_COUNT_SYMBOL = "&lt;5"
TABLES = ("vacancies", "applications", "background_checks", "pilot_rollout", "staffing_monthly")
#: Words of GX's class names and of ingest's English reasons that must not reach a page.
GX_WORDS = re.compile(r"expect_|expectation|_id\b|_date\b|column_|not_be_null|unique|in_set", re.IGNORECASE)


def _suite_results(table: str, failed: dict[str, int] | None = None) -> list[dict]:
    """``expectation_results`` as ingest writes them, from the suite on disk; ``failed``:
    reason → rows that failed it."""
    failed = failed or {}
    return [
        {
            "type": e["type"],
            "column": e["kwargs"].get("column") or e["kwargs"].get("column_A"),
            "reason": e["meta"]["reason"],
            "severity": e["meta"].get("severity", "quarantine"),
            "success": e["meta"]["reason"] not in failed,
            "unexpected_count": failed.get(e["meta"]["reason"], 0),
            "kwargs": {k: v for k, v in e["kwargs"].items() if k != "value_set"},
        }
        for e in load_suite_json(table)["expectations"]
    ]


def _ctx(lang: str, tables: dict, notices: list[str] | None = None) -> SimpleNamespace:
    return SimpleNamespace(lang=lang, ingest_report={"tables": tables, "notices": notices or []})


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_one_row_per_check_in_words_in_the_page_s_language(lang):
    tables = {t: {"expectation_results": _suite_results(t), "reasons": {}} for t in TABLES}
    ctx = _ctx(lang, tables)
    for table in TABLES:
        frame = sections.expectation_results(ctx, table)
        assert len(frame) == len(load_suite_json(table)["expectations"]), table
        assert list(frame.columns) == ["check", "check_severity", "check_result", "n_rows_failed"]
        for text in frame["check"]:
            assert not GX_WORDS.search(text), (table, text)
            assert text[0].isupper() and "{" not in text, text
        assert frame["check"].is_unique, table  # every check says what it checks
        assert set(frame["check_result"]) == {"klarad" if lang == "sv" else "passed"}
    vac = sections.expectation_results(ctx, "vacancies")["check"].tolist()
    if lang == "sv":
        assert "Publiceringsdatum finns på varje rad" in vac
        assert "Status är ett av de tillåtna värdena" in vac
        assert "Tiden till tillsättning är mellan 0 och 730\u00a0dagar" in vac
        assert "Datum då erbjudandet accepterades finns på varje rad där status är tillsatt" in vac
        assert "Avslutsdatum finns på varje rad där status är avbruten, ej tillsatt eller återannonserad" in vac
        rollout = sections.expectation_results(ctx, "pilot_rollout")["check"].tolist()
        assert "Pilotens startdatum finns på varje rad" in rollout  # not a hire's start date
    else:
        assert "The publication date is given on every row" in vac
        assert "The status is one of the allowed values" in vac
        assert "The closing date is on or after the publication date" in vac


def test_a_failed_check_is_named_in_the_sentence_its_quarantined_rows_counted_once_a_warning_s_withheld_if_small():
    failed = {"closing_date before published_date": 3, "positions: more than 100 (check the export)": 12}
    tables = {"vacancies": {"expectation_results": _suite_results("vacancies", failed), "reasons": {}}}
    ctx = _ctx("sv", tables)
    frame = sections.expectation_results(ctx, "vacancies")
    row = frame.loc[frame["check"] == "Sista ansökningsdag är samma dag som publiceringsdatum eller senare"].iloc[0]
    # the rows it put in quarantine are counted in "Skäl till karantän" (linked there with
    # the rows per table), not a second time here
    assert (row["check_result"], row["check_severity"]) == ("inte klarad", "raden läggs i karantän")
    assert row["n_rows_failed"] is pd.NA
    page = publish(frame, totals=None).to_html(lang="sv", collapse=None)
    cells = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    closing = next(c for c in cells if "Sista ansökningsdag är samma dag" in c)
    assert not re.search(r">\s*3\s*<", closing)
    positions = next(c for c in cells if "högst 100" in c)
    assert re.search(r">\s*12\s*<", positions) and "varning, raden behålls" in positions
    failed["positions: more than 100 (check the export)"] = 2  # a warning of 1–4 rows: withheld
    tables["vacancies"]["expectation_results"] = _suite_results("vacancies", failed)
    page = publish(sections.expectation_results(ctx, "vacancies"), totals=None).to_html(lang="sv", collapse=None)
    positions = next(c for c in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S) if "högst 100" in c)
    assert SMALL_COUNT_SYMBOL in positions and not re.search(r">\s*2\s*<", positions)
    sentence = sections.expectation_summary(ctx, "vacancies")
    n = len(frame)
    assert sentence == (
        f"Uppgifterna om rekryteringar klarade {n - 2} av {n} kontroller. Kontroller som inte klarades: "
        "sista ansökningsdag är samma dag som publiceringsdatum eller senare; antal tjänster är högst 100. "
        "Hur många rader som lades i karantän står i tabellen ”Skäl till karantän” ovan."
    )
    assert "3" not in sentence.replace(str(n - 2), "").replace(str(n), "")  # no row count in it
    ctx.lang = "en"
    assert sections.expectation_summary(ctx, "vacancies").startswith(f"{n - 2} of {n} checks of vacancies passed.")


def test_all_passed_sentence_and_a_failed_structural_check_has_no_row_count():
    tables = {"applications": {"expectation_results": _suite_results("applications"), "reasons": {}}}
    ctx = _ctx("sv", tables)
    n = len(load_suite_json("applications")["expectations"])
    assert (
        sections.expectation_summary(ctx, "applications") == f"Uppgifterna om ansökningar klarade alla {n} kontroller."
    )
    frame = sections.expectation_results(ctx, "applications")
    structural = frame["check_severity"] == "stoppar inläsningen"
    assert structural.any() and (frame["n_rows_failed"] == 0).all()  # passed: no row failed
    results = _suite_results("applications", {"application_id: column missing": 0})
    tables["applications"]["expectation_results"] = results
    frame = sections.expectation_results(ctx, "applications")
    row = frame.loc[frame["check"] == "Filen har en kolumn för ansökans id"].iloc[0]
    assert row["check_result"] == "inte klarad" and row["n_rows_failed"] is pd.NA


def test_notices_come_out_in_the_page_s_language_and_an_unknown_one_does_not_leak(capsys):
    notices = [
        "ignored truth.json",
        "ignored notes.txt: its name is not a table of the contract",
        "vacancies.csv: optional column ssyk_code is not in the export; taken as empty",
        "something new that ingest says one day",
    ]
    sv = sections.ingest_notices(_ctx("sv", {}, notices))
    assert sv[0].startswith("truth.json lästes inte in:")
    assert sv[1] == "notes.txt lästes inte in: filens namn är inte namnet på en tabell i datakontraktet."
    assert sv[2].startswith("vacancies.csv: den frivilliga kolumnen ssyk_code saknas")
    assert sv[3].startswith("Inläsningen lämnade ett meddelande") and "something" not in " ".join(sv)
    assert "something new that ingest says one day" in capsys.readouterr().out  # for the working folder's log
    en = sections.ingest_notices(_ctx("en", {}, notices))
    assert en[0].startswith("truth.json was not read:") and en[3].startswith("The ingest left a notice")
    assert len(sv) == len(en) == 4
    assert sections.ingest_notices(_ctx("sv", {}, [])) == []


@pytest.mark.slow
def test_cross_table_checks_and_failed_rows_from_a_real_ingest(tmp_path):
    """A tiny export with one closing date before its publication and one application of
    no vacancy: both checks are rows of the page, each with its row withheld (1 row), and
    the quarantine reasons are said as the checks the rows failed."""
    from pilot_eval.ingest import ingest

    rows = table_rows("vacancies")
    rows[2][9] = "2024-01-01"  # closing_date before published_date
    apps = table_rows("applications")
    apps[3][1] = "R-nosuch"  # no such vacancy
    raw = write_raw(tmp_path / "raw", {"vacancies": rows, "applications": apps})
    report = ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False).report
    cross = {(r["kind"], r["column"]): r for r in report["tables"]["applications"]["cross_table_results"]}
    assert cross["foreign_key", "vacancy_id"]["unexpected_count"] == 1
    assert cross["foreign_key", "vacancy_id"]["success"] is False
    assert cross["after_cut_date", "submitted_date"]["success"] is True
    ctx = _ctx("sv", report["tables"])
    for table, check in [
        ("vacancies", "Sista ansökningsdag är samma dag som publiceringsdatum eller senare"),
        ("applications", "Varje rad hör till en rekrytering i uttaget"),
    ]:
        frame = sections.expectation_results(ctx, table)
        info = report["tables"][table]
        assert len(frame) == len(info["expectation_results"]) + len(info["cross_table_results"])
        row = frame.loc[frame["check"] == check].iloc[0]
        # a failed quarantine check: its rows are counted among the reasons for quarantine
        assert row["check_result"] == "inte klarad" and row["n_rows_failed"] is pd.NA
    reasons = sections.quarantine_reasons_in_words(ctx)
    counted = reasons.set_index(["table", "failed_check"])["n_rows"]
    assert counted["applications", "Varje rad hör till en rekrytering i uttaget"] == 1
    page = publish(reasons, totals=None).to_html(lang="sv", collapse=None)
    line = next(c for c in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S) if "hör till en rekrytering" in c)
    assert not re.search(r">\s*1\s*<", line)  # "<5", or the column left out when every count is small
    assert "Varje rad hör till en rekrytering i uttaget" in set(reasons["failed_check"])
    assert not any(GX_WORDS.search(t) for t in reasons["failed_check"])


def test_every_column_of_the_suites_and_of_the_checks_in_code_has_reader_words():
    from pilot_eval.contract import EVENT_DATES
    from pilot_eval.texts.quality import CONTRACT_COLUMNS

    columns = set()
    for table in TABLES:
        for e in load_suite_json(table)["expectations"]:
            k = e["kwargs"]
            columns |= {k[n] for n in ("column", "column_A", "column_B") if n in k} | set(k.get("column_list", []))
            condition = k.get("row_condition")
            if isinstance(condition, dict):
                columns.add(condition["column"]["name"])
        columns |= set(EVENT_DATES[table])
    columns |= {"readvertisement_of", "vacancy_id", "application_id", "submitted_date", "requested_date"}
    assert sorted(columns - set(CONTRACT_COLUMNS)) == []


def test_the_reasons_for_quarantine_are_parts_of_the_rows_quarantined_per_table_for_the_audit():
    """33 applications quarantined (rows per table), for two reasons: 32 and 1. Each table
    alone is safe to show but 32, beside 33, gives the "<5" back: registered as one
    measure with the same table and file, the report's audit withholds more."""
    from pilot_eval.disclosure import Ledger

    info = {"source": {"file": "applications.csv"}, "rows_read": 141_642, "rows_processed": 141_609}
    info |= {"rows_quarantined": 33, "reasons": {"vacancy_id: not in vacancies": 32, "x: not a valid date": 1}}
    ctx = _ctx("sv", {"applications": info | {"expectation_results": []}})
    accounting = publish(sections.row_accounting(ctx), totals=None)
    reasons = publish(sections.quarantine_reasons_in_words(ctx), totals=None)
    assert list(accounting.flags["n_quarantined"]) == [""]
    assert sorted(reasons.flags["n_rows"]) == ["", "small_count"]  # alone: 32 shown, 1 as "<5"
    ledger = Ledger()
    a = ledger.add_table("01", accounting, name="rows per table")
    r = ledger.add_table("01", reasons, name="reasons", measures={"n_rows": "n_quarantined"})
    result = ledger.audit()
    assert result.unprotected == []
    assert list(result.tables[a].flags["n_quarantined"]) == [""]  # 33 stays
    assert list(result.tables[r].flags["n_rows"]) == ["secondary", "small_count"]  # 32 goes
    unlinked = Ledger()
    unlinked.add_table("01", accounting, name="rows per table")
    r = unlinked.add_table("01", reasons, name="reasons")
    assert list(unlinked.audit().tables[r].flags["n_rows"]) == ["", "small_count"]  # what the link prevents


def test_a_date_before_1900_is_said_as_the_check_it_failed():
    info = {"source": {"file": "vacancies.csv"}, "rows_read": 10, "rows_processed": 9, "rows_quarantined": 1}
    info |= {"reasons": {"published_date: before 1900: a typing error?": 1}, "expectation_results": []}
    said_in = {"sv": "Publiceringsdatum är år 1900 eller senare", "en": "The publication date is in 1900 or later"}
    for lang, said in said_in.items():
        reasons = sections.quarantine_reasons_in_words(_ctx(lang, {"vacancies": info}))
        assert reasons["failed_check"].tolist() == [said]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_notices_of_the_red_team_fixes_have_reader_words(lang, capsys):
    """Hidden and extra sheets, records cut short: said in the page's language, no count."""
    notices = [
        "ignored export.xlsx[Gammal]: the sheet is hidden (unhide it in Excel to have it read)",
        "ignored export.xlsx[Anteckningar]: another sheet of the workbook is read (Pilot_schema)",
        "applications.csv: 3 records cut short quarantined (line 57 has 9 fields, the header has 14: a record cut "
        "short or a line break inside a field?); lines: 57, 90, 91",
        "pilot_rollout.xlsx[Blad1]: column 'Internkod' has 2 formula cells without a saved value (rows 2, 3): "
        "the workbook was saved by a program that does not compute formulas (the column is not read)",
    ]
    said = sections.ingest_notices(_ctx(lang, {}, notices))
    assert capsys.readouterr().out == "", "every notice has words"
    assert said[0].startswith("export.xlsx[Gammal] ") and ("dolt" if lang == "sv" else "hidden") in said[0]
    assert said[1].startswith("export.xlsx[Anteckningar] ") and "(Pilot_schema)" in said[1]
    assert said[2].startswith("applications.csv: ") and "57" in said[2] and "14" in said[2]
    assert "3 " not in said[2] and "90" not in said[2], "no count of records on a page"
    assert said[3].startswith("pilot_rollout.xlsx[Blad1]: ") and "'Internkod'" in said[3] and "2 " not in said[3]
