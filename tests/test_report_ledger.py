"""A notebook's part of the report's disclosure ledger (pilot_eval.report.ledger): what it
registers, where it writes it, how it applies the audit's plan, and how a sentence says that
a count is withheld."""

from __future__ import annotations

import pandas as pd
import pytest

from pilot_eval.disclosure import Ledger, Thresholds, protect
from pilot_eval.report import findings
from pilot_eval.report.ledger import LEDGER_ENV, PAGE_ENV, PLAN_FILE, PageLedger, read_plan, write_plan

OFFERS = pd.DataFrame(
    {"status": ["accepted", "declined", "withdrawn", "expired", "pending"], "n": [341, 147, 13, 12, 4]}
)


def test_the_page_and_folder_come_from_the_report_worker_s_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(PAGE_ENV, "03_withdrawals")
    monkeypatch.setenv(LEDGER_ENV, str(tmp_path / "ledger"))
    page = PageLedger()
    assert page.page == "03_withdrawals" and page.folder == tmp_path / "ledger"
    assert page.add_table(protect(OFFERS, totals=None)) == "03_withdrawals/t0"
    # written at once: a notebook that fails later leaves what it published on record
    loaded = Ledger.load(tmp_path / "ledger")
    assert [e.id for e in loaded.entries] == ["03_withdrawals/t0"]


def test_a_notebook_opened_alone_registers_but_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(PAGE_ENV, raising=False)
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    page = PageLedger()
    page.add_table(protect(OFFERS, totals=None))
    assert page.folder is None and len(page.ledger.entries) == 1 and list(tmp_path.iterdir()) == []


def test_the_plan_withholds_its_cells_in_the_table_it_names_and_no_other(tmp_path):
    folder = tmp_path / "ledger"
    write_plan(folder, {"p/t1": [(3, "n")]}, {"p/n0": "secondary"})
    assert (tmp_path / PLAN_FILE).is_file()  # beside the ledger's folder, not in it
    assert read_plan(folder)["tables"] == {"p/t1": [(3, "n")]}
    page = PageLedger("p", folder)
    first = protect(OFFERS, totals=None, withhold=page.next_withhold() or None)
    page.add_table(first)
    assert page.next_withhold() == [(3, "n")]
    second = page.adopt(protect(OFFERS, totals=None))  # protected elsewhere: the plan still applies
    assert first.flags["n"].tolist() == ["", "", "", "", "small_count"]
    assert second.flags["n"].tolist() == ["", "", "", "secondary", "small_count"]
    assert page.adopt(second) is second  # registered once


@pytest.mark.parametrize(
    ("value", "plan", "lang", "words"),
    [
        (3, {}, "sv", "färre än 5"),
        (3, {}, "en", "fewer than 5"),
        (48, {"p/n0": "secondary"}, "sv", "ett antal som inte redovisas"),
        (48, {"p/n0": "secondary"}, "en", "a number that is not shown"),
        (48, {}, "sv", None),
        (0, {}, "sv", None),
    ],
)
def test_a_withheld_count_is_said_in_words(tmp_path, value, plan, lang, words):
    folder = tmp_path / "ledger"
    write_plan(folder, {}, plan)
    page = PageLedger("p", folder)
    assert page.count(value, measure="n_checks", groups=None, min_count=5, lang=lang) == words
    assert page.ledger.entries[0].value == value


def test_what_was_done_asks_the_report_for_every_count_it_prints():
    """The summary's counts go through the report's ``count`` (the ledger), under the keys of
    the cells of page 06 that show the same numbers; a withheld one is said in words, and
    the sum that would give a withheld part back is not printed either."""
    from test_findings import small_coverage

    coverage = small_coverage()
    checks = coverage["checks_by_type"]
    checks["n_checks"] = checks["n_checks"] * 10  # court 70, credit 30, register 20
    asked = []

    def count(n, measure, groups=None):
        asked.append((n, measure, groups))
        withheld = groups == {"check_type": "court_records"}
        return "ett antal som inte redovisas" if withheld else findings.count_text(n)

    text = findings.what_was_done(coverage, count=count)
    assert (30, "n_checks", {"check_type": "court_and_credit"}) in asked
    assert (70, "n_checks", {"check_type": "court_records"}) in asked
    assert (20, "n_checks", {"check_type": "register_extracts"}) in asked
    assert "Omkring 100 fördjupade kontroller gjordes, varav 30 med kreditupplysning" in text  # rounded: printed
    asked.clear()
    checks["n_checks"] = [2, 3, 1, 4, 2]  # court 7, credit 3, sum 10: exact, and court withheld
    text = findings.what_was_done(coverage, count=count)
    assert "10 fördjupade" not in text and "Ett antal som inte redovisas" in text


def test_the_thresholds_of_a_page_s_tables_are_never_below_their_floors():
    with pytest.raises(ValueError, match="floor"):
        Thresholds(min_count=4)


def test_a_page_saved_after_each_registration_writes_each_table_s_files_once(tmp_path):
    page = PageLedger("p", tmp_path / "ledger")
    page.add_table(protect(OFFERS, totals=None))
    first = tmp_path / "ledger" / "p" / "t0.source.parquet"
    stamp = first.stat().st_mtime_ns
    page.add_table(protect(OFFERS, totals=None))
    page.count(48, measure="n_checks", groups=None, min_count=5, lang="sv")
    assert first.stat().st_mtime_ns == stamp  # not written again
    assert [e.id for e in Ledger.load(tmp_path / "ledger").entries] == ["p/t0", "p/t1", "p/n0"]
