"""A CSV record with fewer fields than the header (cut short at a field boundary, or split
in two by a line break inside a field that is not quoted) is quarantined and named by its
line, never padded with empty values in silence; a record with more fields is refused."""

from __future__ import annotations

import pytest
from rawfixture import CUT_DATE, table_rows, to_csv_text, write_raw

from pilot_eval.ingest import ingest
from pilot_eval.readers import SHORT_RECORD, SPLIT_RECORD, IngestError, discover, read_source

HEADER = "application_id,vacancy_id,submitted_date,qualified,gender"
ROWS = [f"A-{i:03d},R-{i % 3},2024-01-{1 + i % 28:02d},ja,kvinna" for i in range(30)]


def _read(tmp_path, lines, *, encoding="utf-8", sep=","):
    text = "\n".join([HEADER, *lines]) + "\n"
    path = tmp_path / "applications.csv"
    path.write_bytes(text.replace(",", sep).encode(encoding))
    return read_source(discover(tmp_path)[0]["applications"])


@pytest.mark.parametrize(
    ("encoding", "sep", "quoted"),
    [("utf-8", ",", False), ("cp1252", ";", False), ("utf-8", ",", True)],
    ids=["arrow-file", "pandas-path", "quoted-newlines"],
)
def test_a_record_cut_short_is_quarantined_and_named_by_its_line(tmp_path, encoding, sep, quoted):
    lines = list(ROWS)
    lines[5] = "A-005,R-2,2024-01-06"  # cut short at a field boundary: line 7
    lines[9:10] = ["A-009,R-0,2024-01-10,ja,kv", "inna"]  # a line break inside the last field: lines 11, 12
    if quoted:
        lines[0] = 'A-000,R-0,2024-01-01,ja,"kvin\nna"'  # a quoted line break is fine (and takes a line)
    raw = _read(tmp_path, lines, encoding=encoding, sep=sep)
    frame = raw.frame
    shift = 1 if quoted else 0
    assert len(frame) == 31, "every record is read: nothing is dropped"
    short = sorted(raw.row_reasons)
    assert [int(frame["_source_line"].iloc[p]) for p in short] == [7 + shift, 11 + shift, 12 + shift]
    # line 11 is whole in count, but its last field goes on on line 12
    assert [raw.row_reasons[p] for p in short] == [[SHORT_RECORD], [SPLIT_RECORD], [SHORT_RECORD]]
    # the lines after them keep their true numbers
    assert frame["_source_line"].tolist()[-1] == 32 + shift
    assert frame["application_id"].astype(object).tolist()[11] == "A-010"
    (notice,) = raw.notices
    assert notice == (
        "applications.csv: 3 records cut short quarantined (line "
        f"{7 + shift} has 3 fields, the header has 5: a record cut short or a line break inside a field?); "
        f"lines: {7 + shift}, {11 + shift}, {12 + shift}"
    )


def test_a_full_record_with_empty_last_fields_and_blank_lines_are_not_short(tmp_path):
    lines = list(ROWS)
    lines[3] = "A-003,R-0,2024-01-04,,"
    lines.insert(8, "")  # a blank line is no record
    lines.insert(9, ",,,,")
    raw = _read(tmp_path, lines, encoding="cp1252", sep=";")
    assert raw.row_reasons == {} and raw.notices == [] and len(raw.frame) == 30


@pytest.mark.parametrize("position", [0, 6], ids=["first-record", "later-record"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_record_with_too_many_fields_is_refused_naming_its_line(tmp_path, position, encoding):
    lines = list(ROWS)
    lines[position] = lines[position] + ",extra"
    with pytest.raises(IngestError) as info:
        _read(tmp_path, lines, encoding=encoding)
    err = info.value
    assert (err.file, err.table, err.row) == ("applications.csv", "applications", position + 2)
    assert f"line {position + 2} has 6 fields, the header has 5" in err.message


def test_ingest_quarantines_a_short_record_and_reports_its_line(tmp_path):
    rows = table_rows("applications")
    raw = write_raw(tmp_path / "raw")
    text = to_csv_text(rows).splitlines()
    text[2] = ",".join(text[2].split(",")[:9])  # line 3 cut short after its ninth field
    (raw / "applications.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    info = result.report["tables"]["applications"]
    assert info["rows_read"] == len(rows) - 1 and info["rows_quarantined"] >= 1
    assert info["reasons"][SHORT_RECORD] == 1
    q = result.quarantine["applications"]
    assert q.loc[q["reasons"].str.contains("fewer fields", regex=False), "source_line"].tolist() == [3]
    n = len(rows[0])
    assert any(
        notice.startswith("applications.csv: 1 record cut short quarantined (line 3 has 9 fields")
        and f"the header has {n}" in notice
        for notice in result.report["notices"]
    )
