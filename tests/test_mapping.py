"""Mapping files (pilot_eval.mapping, docs/mapping.md): loading with errors that name the
line, TODO refusal, value maps with their unknown-value policies, dates with a time zone,
IDs kept as text, the privacy guard on unmapped columns, and an end-to-end round trip: an
export with the HR system's own headers and labels ingests, through a mapping, to the same
processed tables as the contract export it was made from."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from pilot_eval import cli
from pilot_eval.demo import generate, write_export
from pilot_eval.demo_layouts import write_renamed
from pilot_eval.errors import IngestError, MappingError
from pilot_eval.ingest import ingest, load_processed
from pilot_eval.mapping import apply_mapping, load_mapping
from pilot_eval.mapping.apply import STOCKHOLM, _to_date
from pilot_eval.mapping.vocabulary import EXAMPLE_HEADERS, EXAMPLE_STATUS

CUT = "2026-02-28"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
mapping_version: 1
name: small
sources:
  apps:
    file: apps.csv
tables:
  applications:
    source: apps
    columns:
      application_id: ID
      vacancy_id: Annons-ID
      submitted_date: {from: Skapad}
      final_status:
        from: Status
        values: {Anställd: hired, Nej tack: rejected}
        unknown: quarantine
"""


def test_a_good_mapping_loads_with_its_lines(tmp_path):
    m = load_mapping(_write(tmp_path / "m.yaml", GOOD))
    assert m.name == "small" and m.todos == []
    assert m.line_of(("tables", "applications", "columns", "final_status", "unknown")) == 16
    assert m.line_of(("tables", "applications", "columns", "vacancy_id")) == 11


@pytest.mark.parametrize(
    ("change", "line", "needle"),
    [
        (("        unknown: quarantine", "        unknwn: quarantine"), 16, "unknown key; did you mean 'unknown'?"),
        (("        unknown: quarantine", "        unknown: maybe"), 16, "must be quarantine, keep or a value of"),
        (("Nej tack: rejected", "Nej tack: refused"), 15, "'refused' is not a value of final_status"),
        (("      vacancy_id: Annons-ID", "      vacancy: Annons-ID"), 11, "not a column of applications"),
        (("    source: apps", "    source: ap"), 8, "no source 'ap' under sources"),
        (("  applications:", "  aplications:"), 7, "did you mean 'applications'?"),
        (("mapping_version: 1", "mapping_version: 2"), 1, "mapping_version"),
    ],
)
def test_each_error_names_the_line_and_the_key(tmp_path, change, line, needle):
    text = GOOD.replace(*change)
    with pytest.raises(MappingError) as err:
        load_mapping(_write(tmp_path / "m.yaml", text))
    message = str(err.value)
    assert f"m.yaml, line {line}" in message, message
    assert needle in message, message
    assert err.value.exit_code == 2


def test_a_key_given_twice_names_both_lines(tmp_path):
    text = GOOD.replace("      vacancy_id: Annons-ID\n", "      vacancy_id: Annons-ID\n      vacancy_id: Ad\n")
    with pytest.raises(MappingError, match=r"line 12: the key 'vacancy_id' is given twice \(first on line 11\)"):
        load_mapping(_write(tmp_path / "m.yaml", text))


def test_broken_yaml_names_its_line(tmp_path):
    with pytest.raises(MappingError, match=r"m.yaml, line 3: not valid YAML"):
        load_mapping(_write(tmp_path / "m.yaml", "mapping_version: 1\nsources:\n\tapps: x\n"))


def _apps(
    tmp_path, rows="ID,Annons-ID,Skapad,Status\n007,0042,2025-03-30T23:30:00Z,Anställd\n008,0042,2025-03-02,Parkerad\n"
):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    _write(raw / "apps.csv", rows)
    return raw


def test_values_dates_and_ids_are_translated_and_kept_as_text(tmp_path):
    raw = _apps(tmp_path)
    m = load_mapping(_write(tmp_path / "m.yaml", GOOD))
    out = apply_mapping(m, raw)
    frame = out.raws["applications"].frame
    assert list(frame["application_id"].astype(str)) == ["007", "008"]  # leading zeros kept
    assert list(frame["vacancy_id"].astype(str)) == ["0042", "0042"]
    # 23:30 UTC on 30 March 2025 is already 31 March in Stockholm (summer time, UTC+2)
    assert list(frame["submitted_date"].astype(str)) == ["2025-03-31", "2025-03-02"]
    assert list(frame["final_status"].astype(str)) == ["hired", "Parkerad"]
    reasons = list(frame["_mapping_reason"])
    assert reasons[0] == ""
    assert "the export's value 'Parkerad' is not in the mapping's values" in reasons[1]
    assert "line 13" in reasons[1]
    assert list(frame["_source_line"]) == [2, 3]
    src = out.accounting["sources"]["apps"]
    assert src["rows"] == src["contract_rows"] + src["folded"] + src["lookup"] + src["quarantined"] == 2


AGES = (
    GOOD
    + """\
      age_band:
        from: Ålder
        values: {"25-34": 25_34, "35-44": 35_44, "55+": 55plus}
        unknown: quarantine
"""
)


def test_an_unquoted_value_with_underscores_stays_text(tmp_path):
    """YAML 1.1 reads 25_34 as the number 2534 (and 007 as octal 7); the mapping's loader
    keeps them as text, so the contract's age bands need no quotes."""
    m = load_mapping(_write(tmp_path / "m.yaml", AGES))
    assert m.data["tables"]["applications"]["columns"]["age_band"]["values"] == {
        "25-34": "25_34",
        "35-44": "35_44",
        "55+": "55plus",
    }
    text = GOOD.replace("application_id: ID", "application_id: 007").replace("{from: Skapad}", "{from: 1:30}")
    columns = load_mapping(_write(tmp_path / "n.yaml", text)).data["tables"]["applications"]["columns"]
    assert columns["application_id"] == "007" and columns["submitted_date"] == {"from": "1:30"}
    raw = _apps(tmp_path, "ID,Annons-ID,Skapad,Status,Ålder\n1,2,2025-03-02,Anställd,25-34\n")
    frame = apply_mapping(m, raw).raws["applications"].frame
    assert frame["age_band"].astype(str).tolist() == ["25_34"]


def test_a_value_map_target_read_as_a_number_says_to_quote_it(tmp_path):
    with pytest.raises(MappingError) as err:
        load_mapping(_write(tmp_path / "m.yaml", AGES.replace("25_34, ", "2534, ")))
    message = str(err.value)
    assert "m.yaml, line 19: tables.applications.columns.age_band.values.25-34: 2534 is not a value" in message
    assert "write it in quotes: '25_34'" in message


REASONS = (
    GOOD
    + """\
      withdrawal_reason:
        from: Orsak
        values: {Annat jobb: other_job, Ej kvalificerad: ""}
        unknown: unknown
"""
)


def test_a_value_mapped_to_empty_gives_an_empty_cell(tmp_path):
    """A value map's target "" is the contract's missing value (a company's reject reason
    on a rejected application has no withdrawal_reason), not the unknown policy's value."""
    raw = _apps(
        tmp_path,
        "ID,Annons-ID,Skapad,Status,Orsak\n1,9,2025-03-02,Nej tack,Ej kvalificerad\n"
        "2,9,2025-03-02,Nej tack,Annat jobb\n3,9,2025-03-02,Nej tack,Flyttat\n4,9,2025-03-02,Nej tack,\n",
    )
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", REASONS)), raw).raws["applications"].frame
    assert frame["withdrawal_reason"].astype(str).tolist() == ["", "other_job", "unknown", ""]
    assert (frame["_mapping_reason"] == "").all()


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (('Ej kvalificerad: ""', "Ej kvalificerad: ~"), "no target; to map this value to empty"),
        (('Ej kvalificerad: ""', "Ej kvalificerad:"), "no target; to map this value to empty"),
        (("Nej tack: rejected", 'Nej tack: ""'), 'final_status may not be empty, so "" (empty) is no target here'),
    ],
)
def test_an_empty_target_is_written_as_two_quotes_and_only_where_empty_is_allowed(tmp_path, change, needle):
    text = REASONS.replace(*change)
    with pytest.raises(MappingError) as err:
        load_mapping(_write(tmp_path / "m.yaml", text))
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if change[1] in row)
    assert f"m.yaml, line {line}: tables.applications.columns." in str(err.value)
    assert needle in str(err.value)


@pytest.mark.parametrize(("policy", "expected"), [("keep", "Parkerad"), ("in_progress", "in_progress")])
def test_the_unknown_value_policy(tmp_path, policy, expected):
    raw = _apps(tmp_path)
    m = load_mapping(_write(tmp_path / "m.yaml", GOOD.replace("unknown: quarantine", f"unknown: {policy}")))
    frame = apply_mapping(m, raw).raws["applications"].frame
    assert frame["final_status"].astype(str).iloc[1] == expected
    assert frame["_mapping_reason"].iloc[1] == ""


def test_dates_with_offsets_formats_and_zones():
    utc = __import__("zoneinfo").ZoneInfo("UTC")
    texts = np.array(
        ["2025-10-26T23:30:00+00:00", "2025-03-30T21:59:00Z", "2025-06-01 23:30", "2025-01-05", "", "31/12/2025"],
        dtype=object,
    )
    out, ok = _to_date(texts, None, utc)
    assert list(out[:5]) == ["2025-10-27", "2025-03-30", "2025-06-02", "2025-01-05", ""]
    assert list(ok) == [True, True, True, True, True, False]
    out, ok = _to_date(np.array(["31.12.2025", "1.2.2024 23:30"], dtype=object), "%d.%m.%Y", STOCKHOLM)
    assert list(out) == ["2025-12-31", "1.2.2024 23:30"] and list(ok) == [True, False]


def test_an_identifier_in_an_unmapped_column_is_refused_first(tmp_path):
    raw = _apps(tmp_path, "ID,Annons-ID,Skapad,Status,Extra\n1,2,2025-01-01,Okänt värde,19121212-1212\n")
    m = load_mapping(_write(tmp_path / "m.yaml", GOOD))
    with pytest.raises(IngestError) as err:
        apply_mapping(m, raw)
    text = str(err.value)
    assert "apps.csv" in text and "Extra" in text and "row 2" in text
    assert "19121212" not in text and "Okänt värde" not in text


def test_jsonl_nested_fields_become_dotted_columns(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [
        {"PLATSNUMMER": "00123", "occupation": {"legacy_id": "0127"}, "publication_date": "2025-02-01"},
        {"PLATSNUMMER": "00124", "occupation": {"legacy_id": None}, "publication_date": None},
    ]
    _write(raw / "ads.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    text = """\
mapping_version: 1
sources:
  ads: {file: "*.jsonl"}
tables:
  vacancies:
    source: ads
    columns:
      vacancy_id: PLATSNUMMER
      ssyk_code: occupation.legacy_id
      published_date: publication_date
"""
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["vacancies"].frame
    assert list(frame["vacancy_id"].astype(str)) == ["00123", "00124"]
    assert list(frame["ssyk_code"].astype(str)) == ["0127", ""]
    assert list(frame["published_date"].astype(str)) == ["2025-02-01", ""]


def test_a_column_the_file_lacks_names_the_mapping_line(tmp_path):
    raw = _apps(tmp_path, "ID,Annons,Skapad,Status\n1,2,2025-01-01,Anställd\n")
    with pytest.raises(MappingError, match=r"m.yaml, line 11: tables.applications.columns.vacancy_id: .*no column"):
        apply_mapping(load_mapping(_write(tmp_path / "m.yaml", GOOD)), raw)


def test_todos_are_refused_by_ingest_and_map_check_naming_each(tmp_path, capsys):
    text = GOOD.replace("vacancy_id: Annons-ID", 'vacancy_id: "TODO: which column is the vacancy?"').replace(
        "Nej tack: rejected", "Nej tack: TODO"
    )
    path = _write(tmp_path / "m.yaml", text)
    raw = _apps(tmp_path)
    code = cli.main(["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--mapping", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2 undecided TODO entries" in err
    assert "m.yaml, line 11: tables.applications.columns.vacancy_id: TODO: which column is the vacancy?" in err
    assert "m.yaml, line 15: tables.applications.columns.final_status.values.Nej tack: TODO" in err
    assert not (tmp_path / "out").exists()
    assert cli.main(["map", "check", str(path)]) == 2
    assert "line 11" in capsys.readouterr().out
    assert cli.main(["map", "check", str(_write(tmp_path / "ok.yaml", GOOD))]) == 0


# --------------------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """The demo as contract files and as a Swedish HR system writes it
    (demo_layouts.write_renamed: renamed headers, ``;``, Swedish status labels, date-times
    with an offset, dd.mm.yyyy), each ingested, the second through its mapping."""
    base = tmp_path_factory.mktemp("mapped")
    export = generate(seed=5, scale=0.05, cut_date=CUT)
    write_export(export, base / "direct")
    ingest(base / "direct", base / "out-direct", cut_date=CUT, data_docs=False)
    own = base / "own"
    mapping = _write(base / "own.yaml", write_renamed(export, own, EXAMPLE_HEADERS, EXAMPLE_STATUS))
    result = ingest(own, base / "out-mapped", cut_date=CUT, data_docs=False, mapping=mapping)
    return base, result


@pytest.mark.slow
def test_an_export_in_its_own_layout_ingests_to_the_same_tables(round_trip):
    base, result = round_trip
    assert result.exit_code == 0
    direct = load_processed(base / "out-direct")
    mapped = load_processed(base / "out-mapped")
    assert set(direct) == set(mapped)
    for table in direct:
        pd.testing.assert_frame_equal(direct[table], mapped[table], check_categorical=False)


@pytest.mark.slow
def test_the_report_accounts_for_every_source_row(round_trip):
    _, result = round_trip
    sources = result.report["mapping"]["sources"]
    assert set(sources) == {"vacancies_export", "applications_export"}
    for name, info in sources.items():
        assert info["rows"] == info["contract_rows"] + info["folded"] + info["lookup"] + info["quarantined"], name
        assert info["rows"] == result.report["tables"][info["into"]]["rows_read"]
    assert result.report["mapping"]["name"] == "renamed"


# --------------------------------------------------------------------------- joins, history

#: The columns a mapping of applications with a stage history has besides its IDs and dates.
DERIVED = """\
      internal: {constant: "false"}
      qualified: {constant: unknown}
      highest_stage: {derive: history}
      final_status: {derive: history}
      withdrawn_date: {derive: history}
      withdrawn_stage: {derive: history}
      offer_date: {derive: history}
"""

TT = (
    """\
mapping_version: 1
name: tt-like
sources:
  apps: {file: job-applications.csv}
  stages: {file: stages.csv}
  changes: {file: stage-changes.csv}
tables:
  applications:
    source: apps
    join:
      - source: stages
        on: {relationships.stage.data.id: id}
    history:
      source: changes
      key: application-id
      at: changed-at
      stage: to-stage
      values: {Inbox: 0, Screening: 1, Interview: 2, Offer: 5, Hired: 7, Withdrawn: withdrawn, Rejected: rejected}
      unknown: quarantine
    columns:
      application_id: id
      vacancy_id: relationships.job.data.id
      submitted_date: created-at
"""
    + DERIVED
)


def _tt(tmp_path, changes_extra=""):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    _write(
        raw / "job-applications.csv",
        "id,created-at,relationships.job.data.id,relationships.stage.data.id\n"
        "0101,2025-03-01T10:00:00+01:00,0042,3\n"
        "0102,2025-03-02T10:00:00+01:00,0042,9\n"
        "0103,2025-03-03T10:00:00+01:00,0042,1\n",
    )
    _write(raw / "stages.csv", "id,label,row-order\n1,Inbox,1\n3,Interview,3\n9,Withdrawn,9\n")
    _write(
        raw / "stage-changes.csv",
        "application-id,changed-at,to-stage\n"
        "0101,2025-03-01T10:00:00+01:00,Inbox\n"
        "0101,2025-03-05T09:00:00+01:00,Interview\n"
        "0101,2025-03-20T23:30:00+00:00,Offer\n"
        "0101,2025-03-25T12:00:00+01:00,Hired\n"
        "0102,2025-03-02T10:00:00+01:00,Inbox\n"
        "0102,2025-03-06T10:00:00+01:00,Interview\n"
        "0102,2025-03-09T10:00:00+01:00,Withdrawn\n"
        "0103,2025-03-03T10:00:00+01:00,Inbox\n"
        "9999,2025-03-03T10:00:00+01:00,Inbox\n" + changes_extra,
    )
    return raw


def test_a_stage_history_derives_one_row_per_application(tmp_path):
    raw = _tt(tmp_path)
    text = TT
    out = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw)
    frame = out.raws["applications"].frame
    got = {c: list(frame[c].astype(str)) for c in ("application_id", "highest_stage", "final_status")}
    assert got == {
        "application_id": ["0101", "0102", "0103"],
        "highest_stage": ["7", "2", "0"],
        "final_status": ["hired", "withdrawn", "in_progress"],
    }
    # 23:30 UTC on 20 March is 00:30 on 21 March in Stockholm
    assert list(frame["offer_date"].astype(str)) == ["2025-03-21", "", ""]
    assert list(frame["withdrawn_date"].astype(str)) == ["", "2025-03-09", ""]
    assert list(frame["withdrawn_stage"].astype(str)) == ["", "2", ""]
    sources = out.accounting["sources"]
    assert sources["changes"] == {**sources["changes"], "rows": 9, "folded": 8, "quarantined": 1, "role": "history"}
    assert sources["stages"]["role"] == "join" and sources["stages"]["lookup"] == 3
    for info in sources.values():
        assert info["rows"] == info["contract_rows"] + info["folded"] + info["lookup"] + info["quarantined"]
    assert any("1 stage-history rows name no application" in n for n in out.notices)


def test_a_joined_column_is_named_after_its_source(tmp_path):
    raw = _tt(tmp_path)
    text = TT.replace("      withdrawn_stage: {derive: history}\n", "      withdrawn_stage: {from: stages.row-order}\n")
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["applications"].frame
    assert list(frame["withdrawn_stage"].astype(str)) == ["3", "9", "1"]


def test_an_unknown_history_stage_quarantines_its_application(tmp_path):
    raw = _tt(tmp_path, "0103,2025-03-04T10:00:00+01:00,Parked\n")
    text = TT
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["applications"].frame
    assert list(frame["_mapping_reason"] != "") == [False, False, True]
    assert "the history's stage 'Parked' is not in the mapping" in frame["_mapping_reason"].iloc[2]


def test_a_repeated_join_key_names_file_and_line(tmp_path):
    raw = _tt(tmp_path)
    _write(raw / "stages.csv", "id,label,row-order\n1,Inbox,1\n3,Interview,3\n3,Withdrawn,9\n")
    text = TT
    with pytest.raises(IngestError) as err:
        apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw)
    assert "stages.csv" in str(err.value) and "row 4" in str(err.value) and "repeats" in str(err.value)


def test_derive_needs_a_history_and_a_derivable_column(tmp_path):
    text = TT.replace(
        "      offer_date: {derive: history}\n", "      offer_date: {derive: history}\n      vacancy_id: x\n"
    )
    with pytest.raises(MappingError, match="given twice"):
        load_mapping(_write(tmp_path / "m.yaml", text))
    text = TT
    text = text.replace("      vacancy_id: relationships.job.data.id\n", "      vacancy_id: {derive: history}\n")
    with pytest.raises(MappingError, match=r"line \d+: tables.applications.columns.vacancy_id.derive: only"):
        load_mapping(_write(tmp_path / "m.yaml", text))


def test_from_file_takes_a_value_from_the_file_name(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / "SOF_ads.csv", "Annons\n0001\n")
    _write(raw / "UBF_ads.csv", "Annons\n0002\n")
    text = """\
mapping_version: 1
sources:
  ads: {file: "*_ads.csv"}
tables:
  vacancies:
    source: ads
    columns:
      vacancy_id: Annons
      administration: {from_file: "^(?P<value>[A-Z]{3})_"}
"""
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["vacancies"].frame
    assert list(frame["administration"].astype(str)) == ["SOF", "UBF"]
    assert list(frame["_source_file"].astype(str)) == ["SOF_ads.csv", "UBF_ads.csv"]


def test_a_csv_read_with_the_mappings_settings_keeps_each_records_line(tmp_path):
    """Blank lines and a quoted field over two lines do not shift the lines named in a
    quarantine; title lines above the header are skipped (header_row)."""
    from pilot_eval.mapping.apply import read_csv_with

    path = _write(tmp_path / "x.csv", 'Export 2026-03\n\nID;Text\n1;a\n\n2;"b\nc"\n3;d\n')
    frame, _, sep = read_csv_with(path, "x.csv", {"encoding": "auto", "delimiter": ";", "header_row": 3})
    assert sep == ";"
    assert list(frame["ID"]) == ["1", "2", "3"]
    assert list(frame["_source_line"]) == [4, 6, 8]


# --------------------------------------------------------------------------- history, against a plain reference

_VALUES = {"Inbox": 0, "Screening": 1, "Interview": 2, "Offer": 5, "Hired": 6, "Started": 7}
_ENDS = {"Withdrawn": "withdrawn", "Rejected": "rejected", "Declined": "declined_offer"}


def _reference(events):
    """The derived columns of one application, the rules of docs/mapping.md in plain
    Python: events in time order (ties in file order), a time given in UTC."""
    events = sorted(events, key=lambda e: (e[0], e[2]))  # (instant, label, line, date)
    staged = [(t, _VALUES[label], date) for t, label, _, date in events if label in _VALUES]
    highest = max((s for _, s, _ in staged), default=0)
    offer = next((date for _, s, date in staged if s >= 5), "")
    withdrawals = [(t, date) for t, label, _, date in events if _ENDS.get(label) == "withdrawn"]
    withdrawn_date = withdrawn_stage = ""
    if withdrawals:
        cut, withdrawn_date = withdrawals[0]
        withdrawn_stage = str(max((s for t, s, _ in staged if t <= cut), default=0))
    ends = [_ENDS[label] for _, label, _, _ in events if label in _ENDS]
    final = ends[-1] if ends else ("hired" if highest >= 6 else "in_progress")
    return [str(highest), offer, withdrawn_date, withdrawn_stage, final]


def test_the_history_rules_match_a_plain_reference_on_random_histories(tmp_path):
    """Events out of time order, ties at one instant (file order decides), times in two
    offsets for one instant, withdrawals before and after the stages reached, several
    end events: the vectorised derivation gives what the plain rules give."""
    rng = np.random.default_rng(19)
    labels = [*_VALUES, *_ENDS]
    base = pd.Timestamp("2025-03-01T08:00:00Z")
    apps, rows = [], []
    for a in range(300):
        app = f"{a:05d}"
        apps.append(f"{app},2025-03-01T08:00:00+01:00,0042\n")
        for _ in range(int(rng.integers(0, 7))):
            instant = base + pd.Timedelta(hours=int(rng.integers(0, 60)) * 12)  # ties are common
            label = labels[int(rng.integers(0, len(labels)))]
            if rng.random() < 0.5:
                text = instant.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                text = instant.tz_convert("Europe/Stockholm").isoformat()
            rows.append((app, text, label))
    order = rng.permutation(len(rows))  # the file is not in time order
    lines = [0] * len(rows)
    for new, old in enumerate(order):
        lines[old] = new
    by_line = sorted(range(len(rows)), key=lambda i: lines[i])
    expected: dict[str, list] = {}
    per_app: dict[str, list] = {}
    for i in by_line:
        app, text, label = rows[i]
        instant = pd.Timestamp(text).tz_convert("UTC")
        day = instant.tz_convert("Europe/Stockholm").strftime("%Y-%m-%d")
        per_app.setdefault(app, []).append((instant, label, lines[i], day))
    for a in range(300):
        expected[f"{a:05d}"] = _reference(per_app.get(f"{a:05d}", []))
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / "job-applications.csv", "id,created-at,relationships.job.data.id\n" + "".join(apps))
    _write(
        raw / "stage-changes.csv",
        "application-id,changed-at,to-stage\n" + "".join(f"{rows[i][0]},{rows[i][1]},{rows[i][2]}\n" for i in by_line),
    )
    text = TT.replace("      - source: stages\n        on: {relationships.stage.data.id: id}\n", "")
    text = text.replace("    join:\n", "").replace("  stages: {file: stages.csv}\n", "")
    text = text.replace(
        "values: {Inbox: 0, Screening: 1, Interview: 2, Offer: 5, Hired: 7, Withdrawn: withdrawn, Rejected: rejected}",
        "values: {Inbox: 0, Screening: 1, Interview: 2, Offer: 5, Hired: 6, Started: 7, Withdrawn: withdrawn, "
        "Rejected: rejected, Declined: declined_offer}",
    )
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["applications"].frame
    columns = ["highest_stage", "offer_date", "withdrawn_date", "withdrawn_stage", "final_status"]
    got = {app: [str(frame[c].iloc[i]) for c in columns] for i, app in enumerate(frame["application_id"].astype(str))}
    assert got == expected
    assert len({tuple(v) for v in expected.values()}) > 20  # the histories are varied


def test_a_repeated_application_id_is_quarantined_not_a_crash(tmp_path):
    """Two rows of the main source with one ID: the history cannot tell them apart, so both
    get it, and ingest's check that application IDs are unique sets them aside (this
    used to stop with an internal error)."""
    raw = _tt(tmp_path)
    path = raw / "job-applications.csv"
    _write(path, path.read_text() + "0102,2025-03-04T10:00:00+01:00,0042,3\n")
    out = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", TT)), raw)
    frame = out.raws["applications"].frame
    assert list(frame["application_id"].astype(str)) == ["0101", "0102", "0103", "0102"]
    assert list(frame["final_status"].astype(str)) == ["hired", "withdrawn", "in_progress", "withdrawn"]


LOG = (
    """\
mapping_version: 1
name: status-log
defaults: {delimiter: ";"}
sources:
  log: {file: statuslogg.csv}
tables:
  applications:
    source: log
    history:
      source: log                 # the export itself: one row per application × status change
      key: Ansökan
      at: Ändrad
      stage: Status
      values: {Inkommen: 0, Intervju: 2, Erbjudande: 5, Anställd: 6, Avböjd: declined_offer, Återtagen: withdrawn}
    columns:
      application_id: Ansökan
      vacancy_id: Annons
      submitted_date: Inkommen
"""
    + DERIVED
)


def _status_log(tmp_path, *rows: str):
    raw = tmp_path / "raw"
    raw.mkdir()
    head = "Ansökan;Annons;Inkommen;Ändrad;Status\n0101;0042;2025-03-01;2025-03-01 10:00;Inkommen\n"
    _write(raw / "statuslogg.csv", head + "".join(row + "\n" for row in rows))
    return raw


def test_a_history_kept_in_the_tables_own_rows_gives_one_row_per_application(tmp_path):
    """A status log (one row per application × status change, the application's columns
    repeated) is folded into one row per application, its first; the rows folded are
    counted; a row without an ID stays a row for ingest to set aside."""
    raw = _status_log(
        tmp_path,
        "0102;0042;2025-03-02;2025-03-02 10:00;Inkommen",
        "0101;0042;2025-03-01;2025-03-05 09:00;Intervju",
        "0101;0042;2025-03-01;2025-03-20 09:00;Erbjudande",
        "0102;0042;2025-03-02;2025-03-09 10:00;Återtagen",
        ";0042;2025-03-03;2025-03-03 10:00;Inkommen",
        "0101;0042;2025-03-01;2025-03-25 12:00;Anställd",
    )
    out = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", LOG)), raw)
    frame = out.raws["applications"].frame
    got = {
        c: list(frame[c].astype(str))
        for c in ("application_id", "highest_stage", "final_status", "offer_date", "withdrawn_date", "withdrawn_stage")
    }
    assert got == {
        "application_id": ["0101", "0102", ""],
        "highest_stage": ["6", "0", "0"],
        "final_status": ["hired", "withdrawn", "in_progress"],
        "offer_date": ["2025-03-20", "", ""],
        "withdrawn_date": ["", "2025-03-09", ""],
        "withdrawn_stage": ["", "0", ""],
    }
    assert list(frame["_source_line"]) == [2, 3, 7]  # each application's first row
    info = out.accounting["sources"]["log"]
    assert (info["rows"], info["contract_rows"], info["folded"], info["quarantined"]) == (7, 3, 4, 0)
    assert not out.set_aside


def test_a_folded_row_cut_short_sets_its_application_aside(tmp_path):
    raw = _status_log(tmp_path, "0102;0042;2025-03-02;2025-03-02 10:00;Inkommen", "0101;0042;2025-03-01")
    text = LOG.replace("Återtagen: withdrawn}", "Återtagen: withdrawn}\n      unknown: quarantine")
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", text)), raw).raws["applications"].frame
    assert list(frame["application_id"].astype(str)) == ["0101", "0102"]
    assert "fewer fields than the header" in frame["_mapping_reason"].iloc[0]
    assert frame["_mapping_reason"].iloc[1] == ""


def test_wide_dictionary_columns_map_as_categoricals_do(tmp_path, monkeypatch):
    """A column of many distinct texts read as Arrow's dictionary array (the engine's
    form above readers.WIDE_DICTIONARY: a history's keys and times) gives the same tables
    as the Categorical form below it: history, joins and value maps."""
    from pilot_eval import readers

    raw = _tt(tmp_path, "0103,2025-03-04T10:00:00+01:00,Parked\n")
    mapping = load_mapping(_write(tmp_path / "m.yaml", TT))
    narrow = apply_mapping(mapping, raw)
    monkeypatch.setattr(readers, "WIDE_DICTIONARY", 1)
    wide = apply_mapping(mapping, raw)
    for table in narrow.raws:
        a, b = narrow.raws[table].frame, wide.raws[table].frame
        assert list(a.columns) == list(b.columns)
        for column in a.columns:
            assert list(a[column].astype(str)) == list(b[column].astype(str)), column
    assert narrow.accounting == wide.accounting


def test_the_privacy_guard_scans_wide_dictionary_columns(tmp_path, monkeypatch):
    """The guard finds a personal identity number in a column held as Arrow's dictionary
    array, naming its file, column and line, as in any other column."""
    from pilot_eval import readers

    monkeypatch.setattr(readers, "WIDE_DICTIONARY", 1)
    raw = _tt(tmp_path, "0103,2025-03-04T10:00:00+01:00,Inbox\n19811218-9876,2025-03-05T10:00:00+01:00,Inbox\n")
    frame = readers._read_csv(readers.Source("_", raw / "stage-changes.csv"), keep_wide=True)[0]
    assert readers.is_wide(frame["application-id"])
    with pytest.raises(IngestError) as err:
        apply_mapping(load_mapping(_write(tmp_path / "m.yaml", TT)), raw)
    text = str(err.value)
    assert "stage-changes.csv" in text and "application-id" in text and "row 12" in text
    assert "personnummer" in text.lower() or "identity number" in text.lower()
    assert "19811218" not in text


def test_stockholm_days_in_arrow_agree_with_zoneinfo_across_summer_time():
    """The engine takes the date in Stockholm with Arrow's time-zone kernels; every hour
    and minute around the summer-time changes of 2019-2027 gives the date zoneinfo gives."""
    from pilot_eval.mapping.apply import _stockholm_days

    instants = []
    for year in range(2019, 2028):
        for month, day in ((3, 24), (10, 23)):
            start = pd.Timestamp(year=year, month=month, day=day, tz="UTC")
            instants += list(pd.date_range(start, start + pd.Timedelta(days=10), freq="17min"))
    utc = pd.DatetimeIndex(instants).tz_convert(None).to_numpy(dtype="datetime64[ns]")
    expected = [
        dt.datetime.fromtimestamp(t.timestamp(), tz=STOCKHOLM).date().isoformat() for t in pd.DatetimeIndex(instants)
    ]
    assert list(_stockholm_days(utc)) == expected


SHORT = """\
mapping_version: 1
sources:
  ads: {file: annonser.csv, encoding: cp1252, delimiter: ";", header_row: 2}
tables:
  vacancies:
    source: ads
    columns:
      vacancy_id: Annons
      published_date: Publicerad
      status: Status
"""


def test_a_record_cut_short_is_marked_also_with_the_mappings_own_file_settings(tmp_path):
    """A file read with its own encoding and a title row above the header goes through
    the same parsing as a direct export: a record cut short is set aside, naming its line
    in the file; a record with too many fields is refused, naming its line."""
    raw = tmp_path / "raw"
    raw.mkdir()
    title = "Annonser från HR\n"
    (raw / "annonser.csv").write_bytes(
        (title + "Annons;Publicerad;Status\n0042;2025-03-01;Öppen\n0043;2025-03-02\n0044;2025-03-03;Tillsatt\n").encode(
            "cp1252"
        )
    )
    frame = apply_mapping(load_mapping(_write(tmp_path / "m.yaml", SHORT)), raw).raws["vacancies"].frame
    assert list(frame["vacancy_id"].astype(str)) == ["0042", "0043", "0044"]
    assert list(frame["_source_line"]) == [3, 4, 5]
    reasons = list(frame["_mapping_reason"])
    assert reasons[0] == "" and reasons[2] == "" and "fewer fields than the header" in reasons[1]
    (raw / "annonser.csv").write_bytes(
        (title + "Annons;Publicerad;Status\n0042;2025-03-01;Öppen\n0043;2025-03-02;Öppen;x\n").encode("cp1252")
    )
    with pytest.raises(IngestError, match=r"annonser\.csv.*row 4"):
        apply_mapping(load_mapping(_write(tmp_path / "m.yaml", SHORT)), raw)
