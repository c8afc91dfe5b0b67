"""No message of ingest quotes a value that the privacy guard refuses (issue 16, item 5).

The guard (:mod:`pilot_eval.privacy`) runs before any check that can quote a header or a
cell, and every message, the report, ``pilot-eval ingest`` (text and ``--json``) and its
traceback log pass the guard's redaction as a second line of defence. Each test breaks an
export the way a real one breaks (no header row, a repeated header, an e-mail address
where a column name should be, a bad byte or a bad date beside a personnummer) and checks
both halves of the rule: the error still names file, table, column and row, and the
identifier is nowhere: not in the exception, stdout, stderr, the JSON, nor in any file
ingest wrote.

The personnummer are synthetic: an obviously made-up date and serial with the check digit
computed, so that the guard recognises them as it would a real one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from rawfixture import CUT_DATE, table_rows, to_csv_text, write_raw

from pilot_eval import cli
from pilot_eval.errors import IngestError
from pilot_eval.ingest import ingest
from pilot_eval.privacy import is_personnummer, safe_value, scrub_error


def _luhn(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def fake_pnr(yyyymmdd: str = "19850101", serial: str = "999") -> str:
    """A synthetic personnummer YYYYMMDD-NNNN with a valid check digit."""
    return f"{yyyymmdd}-{serial}{_luhn(yyyymmdd[2:] + serial)}"


PNR = fake_pnr()
EMAIL = "v@cancy.id"  # an e-mail address that is also one edit from the column vacancy_id


def forms(pnr: str) -> list[str]:
    """Every way the number could leak: 12 and 10 digits, with and without the dash."""
    long, short = pnr.replace("-", ""), pnr[2:].replace("-", "")
    return [pnr, long, pnr[2:], short]


def test_the_synthetic_numbers_are_what_the_guard_refuses():
    assert all(is_personnummer(form) == "personnummer" for form in forms(PNR))
    assert safe_value(EMAIL) == "<withheld: looks like an e-mail address>"


# --------------------------------------------------------------------------- helpers


def assert_nowhere(secrets: list[str], *texts: str, root: Path | None = None, skip: Path | None = None) -> None:
    """None of ``secrets`` occurs in ``texts`` nor in any file under ``root`` (except ``skip``)."""
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into: {text[:300]!r}"
    if root is None:
        return
    for path in root.rglob("*"):
        if path.is_file() and (skip is None or skip not in path.parents):
            content = path.read_bytes().decode("utf-8", errors="replace")
            for secret in secrets:
                assert secret not in content, f"{secret!r} leaked into {path}"


def stop(tmp_path: Path, raw: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest(raw, tmp_path / "out", cut_date=CUT_DATE, data_docs=False)
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists(), "a stopped ingest writes nothing"
    return info.value


def cli_json(raw: Path, out: Path, capsys) -> tuple[int, dict, str, str]:
    """``pilot-eval ingest --json`` in process: exit status, parsed stdout, stdout, stderr."""
    code = cli.main(
        ["ingest", "--raw", str(raw), "--out", str(out), "--cut-date", CUT_DATE, "--no-data-docs", "--json"]
    )
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.out, captured.err


def check_everywhere(tmp_path: Path, raw: Path, capsys, secrets: list[str], **where) -> IngestError:
    """Ingest in Python and through the CLI: both stop naming ``where`` (file, table, row,
    and a column that ``where['column']`` matches as a regular expression), and no secret
    appears in any output or file."""
    err = stop(tmp_path, raw)
    column = where.pop("column", None)
    for key, value in where.items():
        assert getattr(err, key) == value, (key, str(err))
    if column is not None:
        assert err.column is not None and re.search(column, err.column), err.column
    code, payload, out, stderr = cli_json(raw, tmp_path / "cli-out", capsys)
    assert code == 2 and not (tmp_path / "cli-out").exists()
    for key, value in where.items():
        assert payload[key] == value, (key, payload)
    if column is not None:
        assert re.search(column, payload["column"])
    assert "Nothing was written" in stderr and where.get("file", "") in stderr
    assert_nowhere(secrets, str(err), repr(err.args), json.dumps(err.to_dict()), out, stderr, root=tmp_path, skip=raw)
    return err


# --------------------------------------------------------------------------- headers


def test_headerless_file_whose_first_row_repeats_a_personnummer(tmp_path, capsys):
    """The issue's own case: the first line is data, and it repeats the number, so the
    header check used to say "the header repeats a column name: <the number>"."""
    rows = table_rows("applications")[1:]  # exported without the header row
    rows[0][0] = rows[0][1] = PNR
    raw = write_raw(tmp_path / "raw", {"applications": rows})
    err = check_everywhere(
        tmp_path, raw, capsys, forms(PNR), file="applications.csv", table="applications", row=1, column=r"column 1\b"
    )
    assert "personnummer" in err.column and "without its header row" in err.message


def test_duplicate_headers_that_are_personnummer(tmp_path, capsys):
    rows = table_rows("applications")
    rows[0] += [PNR, PNR]  # two extra columns headed by the same number
    for row in rows[1:]:
        row += ["", ""]
    raw = write_raw(tmp_path / "raw", {"applications": rows})
    err = check_everywhere(
        tmp_path, raw, capsys, forms(PNR), file="applications.csv", table="applications", row=1, column=r"column 14\b"
    )
    assert "repeats" not in err.message  # the guard came first


def test_email_address_as_a_header_close_to_a_required_column(tmp_path, capsys):
    """``v@cancy.id`` in place of ``vacancy_id`` would get the hint "the file has a column
    'v@cancy.id': a misspelling of it?"; the guard refuses it first."""
    rows = table_rows("applications")
    rows[0][1] = EMAIL
    raw = write_raw(tmp_path / "raw", {"applications": rows})
    err = check_everywhere(
        tmp_path,
        raw,
        capsys,
        [EMAIL, "cancy.id"],
        file="applications.csv",
        table="applications",
        row=1,
        column=r"e-mail.*column 2\b",
    )
    assert "e-mail" in err.message


def test_email_header_still_named_if_the_guard_let_it_through(tmp_path, capsys, monkeypatch):
    """Defence in depth: with both guards switched off (as a bug in them would), the
    "did you mean" hints in the error, the report, the JSON and the summary still hold a
    placeholder, never the header."""
    import pilot_eval.ingest as ingest_module
    import pilot_eval.readers as readers_module

    monkeypatch.setattr(readers_module, "_guard_headers", lambda headers, source: None)
    monkeypatch.setattr(ingest_module, "_privacy_guard", lambda raws: None)
    # a required column: the stop names the likely header
    rows = table_rows("applications")
    rows[0][1] = EMAIL
    raw = write_raw(tmp_path / "a" / "raw", {"applications": rows})
    err = check_everywhere(
        tmp_path / "a", raw, capsys, [EMAIL], file="applications.csv", table="applications", row=1, column="vacancy_id"
    )
    assert "<withheld: looks like an e-mail address>" in err.message and "misspelling" in err.message
    # an optional column: the loud warning in the report
    rows = table_rows("applications")
    rows[0][rows[0].index("gender")] = "g@nd.er"
    raw = write_raw(tmp_path / "b" / "raw", {"applications": rows})
    code, report, out, stderr = cli_json(raw, tmp_path / "b" / "out", capsys)
    assert code == 0
    (warning,) = report["column_warnings"]
    assert warning.startswith("applications.csv: column '<withheld: looks like an e-mail address>'")
    assert "did you mean gender" in warning
    summary = ingest_module.ingest_summary(report, tmp_path / "b" / "out")
    assert "did you mean gender" in summary
    secrets = ["g@nd.er", "nd.er"]
    assert_nowhere(secrets, out, stderr, summary, json.dumps(report), root=tmp_path / "b", skip=raw)


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "bad_bytes, words",
    [
        (b"\x81", "unknown text encoding"),  # undefined in Windows-1252 and not UTF-8
        ("Vård".encode("cp1252"), "mixes UTF-8 and Windows-1252"),  # beside the UTF-8 ö
    ],
)
def test_encoding_error_in_a_row_with_a_personnummer(tmp_path, capsys, bad_bytes, words):
    rows = table_rows("applications")
    rows[4][0] = PNR  # line 5
    rows[4][rows[0].index("withdrawal_reason")] = "förflyttning"  # UTF-8 ö on the same line
    text = to_csv_text(rows).encode("utf-8")
    line = text.split(b"\n")[4]
    text = text.replace(line, line.replace(b"R-a2", b"R-a2" + bad_bytes))
    raw = write_raw(tmp_path / "raw", {"applications": text})
    err = check_everywhere(tmp_path, raw, capsys, forms(PNR), file="applications.csv", table="applications", row=5)
    assert words in err.message


@pytest.mark.parametrize("form", [0, 1, 2, 3])
def test_bad_date_cell_holding_a_personnummer(tmp_path, capsys, form):
    value = forms(PNR)[form]
    rows = table_rows("applications")
    rows[3][rows[0].index("submitted_date")] = value  # line 4: neither a date nor to be quoted
    raw = write_raw(tmp_path / "raw", {"applications": rows})
    err = check_everywhere(
        tmp_path,
        raw,
        capsys,
        forms(PNR),
        file="applications.csv",
        table="applications",
        row=4,
        column="^submitted_date$",
    )
    assert "personnummer" in err.message and "not a valid date" not in err.message


def test_number_that_reads_as_a_personnummer_once_coerced(tmp_path, capsys):
    """ "850101 9999" is not one of the forms the guard recognises in text, but coerced as
    a whole number it is 8501019999, which GX and its Data Docs would list as out of
    range: the coerced numbers are guarded too."""
    spaced = PNR[2:].replace("-", " ")
    rows = table_rows("vacancies")
    rows[2][rows[0].index("positions")] = spaced
    raw = write_raw(tmp_path / "raw", {"vacancies": rows})
    err = check_everywhere(
        tmp_path, raw, capsys, forms(PNR), file="vacancies.csv", table="vacancies", row=3, column="^positions$"
    )
    assert "personnummer" in err.message


# --------------------------------------------------------------------------- Excel


def _workbook(path: Path, rows: list[list[str]], sheet: str, header: bool = True) -> None:
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False, header=header)


def test_sheet_named_like_a_personnummer(tmp_path, capsys):
    raw = write_raw(tmp_path / "raw", {"vacancies": None})
    _workbook(raw / "vacancies.xlsx", table_rows("vacancies"), sheet=PNR)
    err = check_everywhere(tmp_path, raw, capsys, forms(PNR), table="vacancies")
    assert err.file == "vacancies.xlsx[[redacted]]" and "rename" in err.message


def test_headerless_sheet_with_a_personnummer(tmp_path, capsys):
    rows = table_rows("applications")
    rows[1][0] = PNR
    raw = write_raw(tmp_path / "raw", {"applications": None})
    _workbook(raw / "applications.xlsx", rows, sheet="Blad1", header=False)  # data in row 1
    err = check_everywhere(
        tmp_path,
        raw,
        capsys,
        forms(PNR),
        file="applications.xlsx[Blad1]",
        table="applications",
        row=1,
        column=r"personnummer.*column 1\b",
    )
    assert "without its header row" in err.message


# --------------------------------------------------------------------------- the last line


def test_scrub_error_keeps_the_location_and_drops_the_value():
    err = IngestError(f"two columns map to x: {PNR!r} and 'y'", file=f"export_{PNR}.xlsx", table="t", column=PNR, row=7)
    scrub_error(err)
    assert (err.table, err.row) == ("t", 7)
    assert err.column == "<withheld: looks like a personnummer>"
    assert err.file == "export_[redacted].xlsx" and "[redacted]" in err.message
    assert_nowhere(forms(PNR), str(err), repr(err.args), json.dumps(err.to_dict()))
    clean = IngestError("required column missing: status", file="v.csv", table="vacancies", column="status", row=1)
    expected = "file v.csv, table vacancies, column 'status', row 1: required column missing: status"
    assert str(scrub_error(clean)) == expected


def test_an_internal_error_quoting_a_personnummer_is_redacted_in_every_output(tmp_path, capsys, monkeypatch):
    import pilot_eval.ingest as ingest_module

    def boom(*args, **kwargs):
        raise KeyError(f"no vacancy {PNR}")

    monkeypatch.setattr(ingest_module, "_cross_table_checks", boom)
    raw = write_raw(tmp_path / "raw")
    args = ["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--cut-date", CUT_DATE, "--no-data-docs"]
    assert cli.main([*args, "--json"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"].startswith("internal error: KeyError")
    log = Path(re.search(r"traceback is in (\S+\.log)", captured.err).group(1))
    try:
        logged = log.read_text(encoding="utf-8")
        assert "Traceback" in logged and "boom" in logged and "[redacted]" in logged
        assert_nowhere(forms(PNR), captured.out, captured.err, logged, root=tmp_path, skip=raw)
    finally:
        log.unlink()
    assert cli.main([*args, "--debug"]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert_nowhere(forms(PNR), err)
