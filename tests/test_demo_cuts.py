"""Demo periods are cuts of one synthetic history: the same seed makes the same history
whatever the cut date, and a cut shows what was known of it on that day."""

from __future__ import annotations

import pandas as pd
import pytest

from pilot_eval import cli
from pilot_eval.demo import generate

EARLY, LATE = "2024-06-30", "2025-03-31"
KEYS = {"vacancies": "vacancy_id", "applications": "application_id", "background_checks": "check_id"}
OPEN = {"vacancies": ("status", "open"), "applications": ("final_status", "in_progress"),
        "background_checks": ("status", "pending")}  # fmt: skip


@pytest.fixture(scope="module")
def cuts():
    return generate(seed=7, scale=0.3, cut_date=EARLY), generate(seed=7, scale=0.3, cut_date=LATE)


def _indexed(export, table):
    return export.tables[table].set_index(KEYS[table])


@pytest.mark.parametrize("table", list(KEYS))
def test_the_later_cut_holds_every_record_of_the_earlier_and_more(cuts, table):
    early, late = (_indexed(c, table) for c in cuts)
    assert early.index.difference(late.index).empty
    assert len(late) > len(early)


@pytest.mark.parametrize("table", list(KEYS))
def test_records_settled_before_the_earlier_cut_are_the_same_in_the_later(cuts, table):
    early, late = (_indexed(c, table) for c in cuts)
    column, open_value = OPEN[table]
    settled = early.loc[early[column] != open_value]
    assert len(settled) > 100
    later = late.loc[settled.index]
    if table == "vacancies":
        # a vacancy filled by the cut but not yet closed gets its closed date later
        pending_close = (settled["status"] == "filled") & settled["closed_date"].isna()
        assert (later.loc[pending_close, "closed_date"].fillna(pd.Timestamp(LATE)) > pd.Timestamp(EARLY)).all()
        later = later.assign(closed_date=later["closed_date"].where(~pending_close))
        assert (settled.loc[~pending_close, "closed_date"].dropna() <= pd.Timestamp(EARLY)).all()
    if table == "applications":
        # a hire's start of work (stage 7) may come after the cut: its only later change
        hired = settled["final_status"] == "hired"
        started = hired & (later["highest_stage"] == 7) & (settled["highest_stage"] == 6)
        settled = settled.assign(highest_stage=settled["highest_stage"].where(~started, 7))
    pd.testing.assert_frame_equal(settled, later)


def test_records_open_at_the_earlier_cut_are_open_or_closed_after_it(cuts):
    early, late = (_indexed(c, "vacancies") for c in cuts)
    still = early.loc[early["status"] == "open"]
    assert len(still) > 10
    later = late.loc[still.index]
    closed_later = later["status"] != "open"
    assert closed_later.any() and (late["status"] == "open").any()
    ended = later.loc[closed_later]
    assert (ended["accepted_date"].fillna(ended["closed_date"]) > pd.Timestamp(EARLY)).all()
    # the vacancy itself (administration, role, dates of the advert) does not change
    same = ["administration", "role_group", "published_date", "closing_date", "positions", "check_in_ad"]
    pd.testing.assert_frame_equal(still[same], later[same])
    apps_early, apps_late = (_indexed(c, "applications") for c in cuts)
    pending = apps_early.loc[apps_early["final_status"] == "in_progress"]
    assert (apps_late.loc[pending.index, "highest_stage"] >= pending["highest_stage"]).all()


def test_nothing_after_the_cut_and_staffing_agrees_on_common_months(cuts):
    early, late = cuts
    cut = pd.Timestamp(EARLY)
    assert (early.tables["vacancies"]["published_date"] <= cut).all()
    assert (early.tables["applications"]["submitted_date"] <= cut).all()
    assert (early.tables["background_checks"]["requested_date"] <= cut).all()
    keys = ["administration", "role_group", "month"]
    a, b = early.tables["staffing_monthly"], late.tables["staffing_monthly"]
    assert a["month"].max() == pd.Timestamp("2024-06-01") and len(b) > len(a)
    pd.testing.assert_frame_equal(a, b.merge(a[keys], on=keys)[a.columns])


def test_a_cut_is_the_same_as_the_full_history_cut_there(cuts):
    """Cutting is not a function of where the history is simulated to: the default
    window's history cut at EARLY is the export of that cut."""
    again = generate(seed=7, scale=0.3, cut_date=EARLY)
    for table in KEYS:
        pd.testing.assert_frame_equal(cuts[0].tables[table], again.tables[table])
    assert cuts[0].truth["history"] == cuts[1].truth["history"]


def test_demo_data_cut_date_writes_the_cut(tmp_path, cuts):
    assert cli.main(["demo-data", "--out", str(tmp_path), "--seed", "7", "--scale", "0.3",
                     "--cut-date", EARLY, "--quiet"]) == 0  # fmt: skip
    written = pd.read_csv(tmp_path / "vacancies.csv", usecols=["vacancy_id", "status"])
    expected = cuts[0].tables["vacancies"]
    assert list(written["vacancy_id"]) == list(expected["vacancy_id"])
    assert list(written["status"]) == list(expected["status"])


def test_report_demo_data_is_a_cut_of_the_seed_s_history(tmp_path, monkeypatch):
    from pilot_eval import demo, ingest
    from pilot_eval.report import context

    calls = []
    monkeypatch.setattr(demo, "generate", lambda **kw: calls.append(kw) or "export")
    monkeypatch.setattr(demo, "write_export", lambda export, raw: None)
    monkeypatch.setattr(ingest, "ingest", lambda raw, out, cut_date: type("R", (), {"report": {}})())
    monkeypatch.setattr(context, "_demo_raw_dir", lambda period: tmp_path / "raw" / period)
    for period in ("2025Q3", "2025Q4"):
        context.prepare_data(period, processed_dir=tmp_path / period, demo=True, seed=11)
    assert calls == [{"seed": 11, "cut_date": "2025-09-30"}, {"seed": 11, "cut_date": "2025-12-31"}]


@pytest.mark.slow
def test_a_cut_ingests_with_no_more_quarantine_than_the_full_history(tmp_path):
    from pilot_eval.demo import DEFAULT_END, write_export
    from pilot_eval.ingest import ingest

    quarantined = {}
    for cut in (EARLY, DEFAULT_END):
        write_export(generate(seed=7, scale=0.3, cut_date=cut), tmp_path / cut / "raw")
        report = ingest(tmp_path / cut / "raw", tmp_path / cut / "out", cut_date=cut, data_docs=False).report
        quarantined[cut] = {t: (i["rows_quarantined"], i["warnings"]) for t, i in report["tables"].items()}
    assert quarantined[EARLY] == quarantined[DEFAULT_END] == {t: (0, {}) for t in quarantined[EARLY]}
