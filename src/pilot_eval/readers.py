"""Reading raw exports: finding the table files, decoding them, mapping headers.

A raw directory holds one file per table (CSV or Excel), named after the table in English
or Swedish (``vacancies.csv``, ``Rekryteringar.xlsx``), or Excel workbooks with one sheet
per table. Everything is read **as text** ("" for an empty cell) so that ingest decides
what a value means and can quarantine what it cannot parse; nothing is guessed here but
the encoding and the separator.

CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252; separator ``;``, ``,`` or
tab, detected from the header line. A record with fewer fields than the header is read
(padded) but marked for quarantine with a notice naming its line (:func:`_short_records`);
one with more fields is refused naming its line. A file that mixes UTF-8 and Windows-1252, or is in
another encoding (UTF-16 without BOM, DOS CP850, ISO-8859-2), is refused naming its line.

Errors name a file by its name in the raw directory (``vacancies.csv``, or
``export.xlsx[Blad1]`` for a sheet): the same label as in ``quarantine/<table>.csv``.

Privacy first: the privacy guard (:mod:`pilot_eval.privacy`) runs before anything here can
quote what it guards. A workbook or sheet whose name holds a direct identifier is refused
by :func:`discover` under a redacted name. :func:`read_source` runs
:func:`pilot_eval.privacy.scan_header` on the raw header names *before* its header checks
(a repeated name, two headers for one column): a file exported without its header row,
whose first line holds a personnummer where the names should be, is refused as such
(file, table, column position, row 1) and the value is never quoted as a "column name".
No message here quotes a cell; the cells are scanned by ingest before a hint, notice or
quarantine file can show them. Every :class:`IngestError` raised here passes through
:func:`pilot_eval.privacy.scrub_error` on its way out, in case a message from a library
(pandas' parser, openpyxl) quotes the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from .contract import TABLES, fold, table_for_name
from .errors import IngestError  # re-exported: raised here, defined with every error class
from .privacy import looks_like_identifier, redact, safe_value, scan_header, scrub_error

__all__ = [
    "IngestError",
    "RawTable",
    "Source",
    "discover",
    "read_source",
    "read_raw_dir",
    "sha256_file",
    "looks_repeating",
]

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
SOURCE_LINE = "_source_line"
SOURCE_FILE = "_source_file"


@dataclass(frozen=True)
class Source:
    """Where one table comes from: a CSV file, or an Excel file and sheet."""

    table: str
    path: Path
    sheet: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name}[{self.sheet}]" if self.sheet else self.path.name


@dataclass
class RawTable:
    """One table as read: every cell a string; contract columns under canonical names.

    ``frame`` holds the contract columns present (canonical names), the extra columns under
    their original header, and ``_source_file`` / ``_source_line`` (1-based line or sheet
    row of the record; the header is line 1). A text column is held as Arrow strings
    (plain CSV files), Python strings, or, when its values repeat, as a Categorical of its
    distinct texts (see :func:`looks_repeating`); the cells are the same texts either way.
    """

    table: str
    source: Source
    frame: pd.DataFrame
    header_map: dict[str, str]
    extra_columns: list[str]
    encoding: str | None = None
    separator: str | None = None
    excel: bool = False
    sha256: str = ""
    notices: list[str] = field(default_factory=list)
    #: True when the privacy guard has already scanned every cell of the source files this
    #: table was built from (:func:`pilot_eval.mapping.apply_mapping`); ingest does not scan it again.
    guarded: bool = False
    #: Rows to quarantine for what the reader saw (row position in ``frame`` → reasons):
    #: a CSV record with fewer fields than the header (:func:`_short_records`).
    row_reasons: dict[int, list[str]] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- discovery


def discover(
    raw_dir: str | Path, *, exclude: set[Path] | frozenset = frozenset()
) -> tuple[dict[str, Source], list[str]]:
    """Find the file (or sheet) of each table in ``raw_dir``.

    Returns ``(sources, notices)``. Files that name no table are ignored with a notice;
    two sources for one table is an error. ``exclude``: files a mapping reads as its
    sources (:mod:`pilot_eval.mapping`), which are not contract files.

    Workbooks: a visible sheet named after a table is read (in a workbook named after a
    table, only that table's sheet, or else the first visible sheet); every other sheet
    is ignored with a notice naming it, so that no sheet is left out unsaid. Hidden sheets
    (hidden or "very hidden" in Excel) are never read: what the analyst does not see in
    Excel must not enter the evaluation unseen (a hidden sheet is often an old copy or a
    working sheet). One named after a table gets a notice when the table is read from
    elsewhere; when nothing else holds that table, ingest stops (exit 2) naming the sheet:
    unhide it to have it read, or delete it. Leaving the table out would pass in silence
    for an optional table, and be reported as a missing file for a required one.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise IngestError("the raw data directory does not exist", file=raw_dir)
    sources: dict[str, Source] = {}
    notices: list[str] = []
    hidden: list[tuple[str, str]] = []  # (table, label) of hidden sheets named after a table

    def add(src: Source) -> None:
        if looks_like_identifier(src.label):  # it would be quoted in every message and in the report
            raise IngestError(
                "the name of the file or sheet holds a direct identifier (personnummer, e-mail or phone "
                "number), which must not enter the evaluation (not even in a file name); rename it after "
                "its table and run ingest again",
                file=redact(src.label),
                table=src.table,
            )
        if src.table in sources:
            raise IngestError(
                f"two sources for table {src.table}: {sources[src.table].label} and {src.label}; "
                "keep one file per table",
                file=src.label,
                table=src.table,
            )
        sources[src.table] = src

    excluded = {Path(p).resolve() for p in exclude}
    for path in sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))):
        if path.resolve() in excluded:
            continue
        suffix = path.suffix.lower()
        table = table_for_name(path.stem)
        if suffix in CSV_SUFFIXES:
            if table:
                add(Source(table, path))
            else:
                notices.append(f"ignored {path.name}: its name is not a table of the contract")
        elif suffix in EXCEL_SUFFIXES:
            _workbook_sources(path, table, add, notices, hidden)
        elif suffix == ".xls":
            raise IngestError("old Excel format (.xls) is not supported; save the workbook as .xlsx", file=path.name)
        elif table:
            notices.append(f"ignored {path.name}: unsupported file type {suffix or '(none)'}")
        else:
            notices.append(f"ignored {path.name}")
    for table, label in hidden:
        if table not in sources:
            raise IngestError(
                f"the sheet for table {table} is hidden in the workbook; a hidden sheet is never read (what "
                "is not seen in Excel must not enter the evaluation unseen): unhide it to have it read, or "
                "delete it",
                file=redact(label),
                table=table,
            )
    return sources, [redact(n) for n in notices]


def _workbook_sources(path: Path, table: str | None, add, notices: list[str], hidden: list[tuple[str, str]]) -> None:
    """:func:`discover` for one workbook: ``add`` the sheets it reads; a notice for every
    other sheet; ``hidden`` gets ``(table, label)`` of the hidden sheets that name a table."""
    states = _excel_sheets(path)
    sheets = [name for name, state in states if state == "visible"]
    read: list[str] = []
    for sheet in sheets:
        sheet_table = table_for_name(sheet)
        if sheet_table and (table is None or sheet_table == table):
            add(Source(sheet_table, path, sheet))
            read.append(sheet)
    if not read and table and sheets:
        add(Source(table, path, sheets[0]))
        read.append(sheets[0])
    if not read:
        notices.append(f"ignored {path.name}: neither the file nor a sheet is named after a table")
    for name, state in states:
        label = f"{path.name}[{name}]"
        if state != "visible":
            named = table_for_name(name)
            named = (named if table is None or named == table else None) or (None if read else table)
            if named:
                hidden.append((named, label))
            notices.append(f"ignored {label}: the sheet is hidden (unhide it in Excel to have it read)")
        elif read and name not in read:
            notices.append(f"ignored {label}: another sheet of the workbook is read ({read[0]})")


def _excel_sheet_names(path: Path) -> list[str]:
    """Every sheet's name, hidden ones included (:func:`_excel_sheets` says which)."""
    return [name for name, _ in _excel_sheets(path)]


def _excel_sheets(path: Path) -> list[tuple[str, str]]:
    """``(name, state)`` of every sheet in workbook order; state is ``visible``,
    ``hidden`` or ``veryHidden`` (hidden so that Excel's menu cannot unhide it)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise IngestError(f"cannot open the Excel workbook ({type(exc).__name__})", file=path.name) from exc
    try:
        return [(name, getattr(wb[name], "sheet_state", "visible") or "visible") for name in wb.sheetnames]
    finally:
        wb.close()


# --------------------------------------------------------------------------- decoding

_NOT_NEWLINE = re.compile(rb"[^\r\n]")
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]")


# A run of symbols between two letters in text decoded as Windows-1252 is the mark of
# another code page: DOS CP850/CP437 writes ö ä å as the bytes Windows-1252 shows as
# ” „ †, ISO-8859-2 writes ł ą as ³ ¹. Swedish text in Windows-1252 has letters there.
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
_ODD_SYMBOL = (
    "\u00a1-\u00a9\u00ab\u00ac\u00ae-\u00b4\u00b6-\u00b9\u00bb-\u00bf\u00d7\u00f7"
    "\u0192\u02c6\u02dc\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_OTHER_CODE_PAGE = re.compile(f"[{_LETTER}][{_ODD_SYMBOL}]+[{_LETTER}]")
# The bytes that are not such a symbol in Windows-1252: deleting them (bytes.translate, at
# memory speed) leaves nothing in almost every file, and the regex above is then not run.
_NOT_ODD_BYTES = bytes(
    b for b in range(256) if not re.fullmatch(f"[{_ODD_SYMBOL}]", bytes([b]).decode("cp1252", errors="replace"))
)


def _line_of(data: bytes | str, position: int) -> int:
    return data[:position].count(b"\n" if isinstance(data, bytes) else "\n") + 1


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte NUL (ASCII text)."""
    head = data[:2000]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.4


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode a CSV file's bytes; return ``(text, encoding)``.

    UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252. Anything else stops
    with an :class:`IngestError` naming the file (``path``'s name, or ``path`` itself
    if a string label) and the first line that gives it away: UTF-16 without a BOM, a
    byte that Windows-1252 does not define, a file that mixes UTF-8 and Windows-1252, or
    text in another code page (DOS CP850, ISO-8859-2: symbols between letters).
    """
    label = path.name if isinstance(path, Path) else str(path)
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if b"\x00" in data[:2000] and _looks_like_utf16(data):
            raise IngestError(
                "the file looks like UTF-16 text without a byte-order mark; export it as UTF-8 "
                "(or UTF-8 with BOM, or Windows-1252)",
                file=label,
                row=1,
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise IngestError(f"not valid {encoding} text", file=label, row=_line_of(data, exc.start)) from exc
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise IngestError(
                "unknown text encoding (neither UTF-8 nor Windows-1252); export as UTF-8",
                file=label,
                row=_line_of(data, exc2.start),
            ) from exc2
        encoding = "cp1252"
        bad = _MOJIBAKE.search(text) if b"\xc3" in data or b"\xc2" in data else None  # Ã, Â
        if bad:
            raise IngestError(
                "the file mixes UTF-8 and Windows-1252 text; export it again in one encoding (UTF-8)",
                file=label,
                row=_line_of(text, bad.start()),
            ) from exc
        odd = _OTHER_CODE_PAGE.search(text) if data.translate(None, _NOT_ODD_BYTES) else None
        if odd:
            raise IngestError(
                "unknown text encoding: neither UTF-8 nor Windows-1252 (symbols between letters, as another "
                "code page such as DOS CP850 or ISO-8859-2 gives); export as UTF-8",
                file=label,
                row=_line_of(text, odd.start()),
            ) from exc
    if "\x00" in text:
        raise IngestError(
            "the file contains NUL bytes; it is not a text (CSV) file",
            file=label,
            row=_line_of(text, text.index("\x00")),
        )
    return text, encoding


def detect_separator(header_line: str) -> str:
    """The separator of a CSV header line: the most frequent of ``;``, ``,`` and tab."""
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _read_csv(source: Source, keep_wide: bool = False) -> tuple[pd.DataFrame, str, str, str]:
    """``(frame, encoding, separator, sha256 of the file's bytes)``; ``keep_wide``: see
    :func:`_pandas_text` (the mapping engine's reading of an HR system's files)."""
    path, label = source.path, source.label
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()  # of the bytes read, not a second read of the file
    if not data or data.isspace():
        raise IngestError("the file is empty (not even a header line)", file=label, table=source.table)
    fast = _read_csv_arrow(data, keep_wide)
    if fast is not None:
        return (*fast, digest)
    try:
        text, encoding = decode_bytes(data, label)
    except IngestError as exc:  # it names the line, never its bytes; the table as well
        exc.table = source.table
        exc.args = (str(exc),)
        raise
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = detect_separator(first_line)
    return parse_csv_text(text, sep, source), encoding, sep, digest


def parse_csv_text(text: str, sep: str, source: Source, offset: int = 0) -> pd.DataFrame:
    """Decoded CSV text as a frame of text cells with ``_source_line``, the general path
    of :func:`_read_csv` (also the mapping engine's, for a file read with its own
    encoding, delimiter or header row: ``offset`` lines above the header are added to
    every line number). Blank lines are dropped; records cut short are marked in
    ``frame.attrs`` (:func:`_short_records`), a long one is refused."""
    label = source.label
    try:
        with warnings.catch_warnings():
            # a first record with too many fields: refused by _short_records, which counts them
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
                index_col=False,  # never the first column as an index when the first record is long
            )
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        long = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if long:  # too many fields: which field is in which column cannot be known
            raise IngestError(
                _too_many(int(long[2]) + offset, int(long[3]), int(long[1])),
                file=label,
                table=source.table,
                row=int(long[2]) + offset,
            ) from exc
        raise IngestError(
            f"malformed CSV ({redact(str(exc).strip())})",
            file=label,
            table=source.table,
            row=int(m.group(1)) + offset if m else None,
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise IngestError("the file is empty (not even a header line)", file=label, table=source.table) from exc
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.fillna("")
    lines = pd.RangeIndex(2, len(frame) + 2)
    counts = None  # fields of every record, when the records had to be walked anyway
    if '"' in text and frame.apply(lambda col: col.str.contains("\n", regex=False)).to_numpy().any():
        lines, counts = _csv_record_lines(text, sep, fields=True)
        lines, counts = lines[: len(frame)], counts[: len(frame)]
    frame.insert(0, SOURCE_LINE, pd.array(lines, dtype="int64"))
    # a blank line is not a record
    data_cols = [c for c in frame.columns if c != SOURCE_LINE]
    blank = (frame[data_cols] == "").all(axis=1) if data_cols else pd.Series(False, index=frame.index)
    short = _short_records(text, sep, frame, blank.to_numpy(), counts, source, offset)
    frame = frame.loc[~blank].reset_index(drop=True)
    if offset:
        frame[SOURCE_LINE] = frame[SOURCE_LINE] + offset
    if short:
        frame.attrs[_SHORT] = short
    return frame


_SHORT = "pilot_eval.short_records"
_SPLIT = -1  # in _short_records' result: a whole record whose last field goes on on the next line
#: The reason a record with fewer fields than the header is quarantined for (one text for
#: all of them, so that ingest's report counts them together; the notice names the lines).
SHORT_RECORD = "record: fewer fields than the header (cut short, or a line break inside a field?)"
#: The reason of a whole record followed by a line of one field: its last field broken.
SPLIT_RECORD = "record: its last field goes on on the next line (a line break inside a field?)"


def _too_many(line: int, fields: int, header: int) -> str:
    return (
        f"malformed CSV: line {line} has {fields} fields, the header has {header}: a separator inside a field "
        "that is not quoted, or a separator at the end of the line? Which value belongs to which column cannot "
        "be known, so the file is refused; export it again with the fields quoted"
    )


def _short_records(
    text: str,
    sep: str,
    frame: pd.DataFrame,
    blank: np.ndarray,
    counts: list[int] | None,
    source: Source,
    offset: int = 0,
) -> dict[int, int]:
    """The records of ``frame`` (pandas' reading of ``text``) with fewer fields than the
    header: row position after the blank lines are dropped → its number of fields.

    pandas pads a short record with empty fields, silently: a record cut short at a field
    boundary, or a line break inside a field that is not quoted (one record read as two
    short ones). Only a record whose last field is empty can be one, so only those are
    counted again with :mod:`csv` (the same dialect), each from its own line (or from
    ``counts``, when every record was walked for its line). A longer record raises
    (pandas) before this; the first record too, counted here (pandas would drop its extra
    fields with ``index_col=False``, or take its first one as an index without it).
    Blank lines are no records and are dropped (``blank``), as before.
    """
    n = len(frame.columns) - 1  # without SOURCE_LINE
    if n <= 1 or not len(frame):
        return {}
    first = next((i for i in range(len(frame)) if not blank[i]), None)
    if first is not None:
        line = int(frame[SOURCE_LINE].iloc[first])
        fields = _fields_of_line(text, sep, line) if counts is None else counts[first]
        if fields is not None and fields > n:
            line += offset  # in the file, above its text's first line
            raise IngestError(_too_many(line, fields, n), file=source.label, table=source.table, row=line)
    candidates = np.flatnonzero(~frame.iloc[:, -1].to_numpy(dtype=object).astype(bool))  # "" is falsy
    candidates = candidates[~blank[candidates]]
    if not len(candidates):
        return {}
    if counts is None:
        lines = _lines(text)
        at = frame[SOURCE_LINE].to_numpy()
        found = {}
        for i in candidates:
            k = _count_fields(lines[at[i] - 1], sep)
            if k < n:
                found[int(i)] = k
    else:
        found = {int(i): counts[i] for i in candidates if counts[i] < n}
    kept = np.cumsum(~blank) - 1  # position after the blank lines are dropped
    out = {int(kept[i]): k for i, k in found.items()}
    # A line of one field after a whole record: a line break inside that record's last
    # field, whose end is this line; the record before it is cut, though whole in count.
    for i, k in found.items():
        if k == 1 and i > 0 and not blank[i - 1] and found.get(i - 1, n) == n:
            out.setdefault(int(kept[i - 1]), _SPLIT)
    return out


_LINE_BREAK = re.compile("\r\n|\n|\r")


def _lines(text: str) -> list[str]:
    """The physical lines of ``text`` as pandas breaks them (LF, CRLF or CR alone). A
    CRLF line keeps its CR, which changes no count of fields; str.split is three times as
    fast as the regular expression, which only text with a lone CR needs."""
    if "\r" not in text or text.count("\r") == text.count("\r\n"):
        return text.split("\n")
    return _LINE_BREAK.split(text)


def _count_fields(line: str, sep: str) -> int:
    if '"' not in line:
        return line.count(sep) + 1
    return len(next(csv.reader([line], delimiter=sep), [""]))


def _fields_of_line(text: str, sep: str, line: int) -> int | None:
    """The number of fields on physical line ``line`` (1-based) of ``text``."""
    pieces = _lines(text[: _nth_line_end(text, line)])
    return _count_fields(pieces[line - 1], sep) if len(pieces) >= line else None


def _nth_line_end(text: str, line: int) -> int:
    """An offset at or after the end of physical line ``line`` (cheap for the first lines)."""
    end = 0
    for _ in range(line):
        end = max(text.find("\n", end), text.find("\r", end)) + 1
        if end == 0:
            return len(text)
    return end


def _read_csv_arrow(data: bytes, keep_wide: bool = False) -> tuple[pd.DataFrame, str, str] | None:
    """The fast path of :func:`_read_csv` for plain files, or None to take the general one.

    Plain means: UTF-8 (with or without BOM), no NUL byte, no quote character at all (so
    no quoted separators or newlines), a header of distinct non-empty names, and every
    record with exactly as many fields as the header (no blank line). Such a file reads
    to the same strings and line numbers with pyarrow's CSV reader as with pandas' C
    parser, without a Python object per cell: into Arrow-backed string columns (a few
    bytes a cell). Anything else (invalid UTF-8, a ragged row)
    makes pyarrow raise, and the general path then reads the file and reports the
    problem (a short record is quarantined there, a long one refused: :func:`_short_records`).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", memoryview(data)[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    else:
        encoding, body = "utf-8", memoryview(data)
    if b'"' in data or b"\x00" in data:
        return None
    end = data.find(b"\n", len(data) - len(body))
    header = bytes(body[: (end - (len(data) - len(body))) if end >= 0 else len(body)])
    try:
        header_line = header.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if "\r" in header_line or not header_line.strip():
        return None
    sep = detect_separator(header_line)
    names = [c.strip() for c in header_line.split(sep)]
    if "" in names or len(set(names)) != len(names) or any(c.startswith("\ufeff") for c in names):
        return None
    if end < 0 or _NOT_NEWLINE.search(data, end + 1) is None:
        return None  # no data rows: the general path decides what that means
    columns = [f"c{i}" for i in range(len(names))]
    parse_options = pacsv.ParseOptions(
        delimiter=sep,
        quote_char=False,
        double_quote=False,
        escape_char=False,
        newlines_in_values=False,
        ignore_empty_lines=False,
    )

    def read(buffer, types: dict[str, pa.DataType]) -> pa.Table:
        return pacsv.read_csv(
            buffer,
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1),
            parse_options=parse_options,
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=True
            ),
        )

    try:
        # A column whose first values repeat is dictionary-encoded while it is parsed (see
        # looks_repeating): the first megabyte tells which.
        head = bytes(body[:_SAMPLE_BYTES])
        head = head if len(head) < _SAMPLE_BYTES else head[: head.rfind(b"\n") + 1]
        sample = read(pa.py_buffer(head), {c: pa.string() for c in columns}).slice(0, REPEAT_SAMPLE)
        types = {c: _DICTIONARY if _repeats(sample.column(c)) else pa.string() for c in columns}
        table = read(pa.py_buffer(body), types)
        if _DICTIONARY in types.values():
            table = table.unify_dictionaries()
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    lines = {SOURCE_LINE: np.arange(2, table.num_rows + 2, dtype=np.int64)}
    frame = pd.DataFrame(
        lines | {name: _pandas_text(table.column(i), keep_wide) for i, name in enumerate(names)}, copy=False
    )
    del table
    # a record of empty fields only (",,,") is not a record, but it keeps its line number
    blank = np.ones(len(frame), dtype=bool)
    for name in names:
        blank &= _is_empty(frame[name])
        if not blank.any():
            break
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
    return frame, encoding, sep


_SAMPLE_BYTES = 1 << 20
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def _repeats(sample: pa.ChunkedArray) -> bool:
    """:func:`looks_repeating` for the Arrow strings of a file's first lines."""
    return len(sample) > 0 and pc.count_distinct(sample).as_py() <= len(sample) // 2


#: A dictionary-encoded column with more distinct texts than this is wide: with
#: ``keep_wide`` it stays Arrow's dictionary array (pandas' Categorical would make a Python
#: string of each of them and hash them all again; a stage history's keys and times have
#: as many distinct texts as there are applications).
WIDE_DICTIONARY = 1 << 16


def _pandas_text(column: pa.ChunkedArray, keep_wide: bool = False) -> pd.api.extensions.ExtensionArray:
    """A parsed column: Arrow strings as they are; a dictionary-encoded one (its chunks
    share one dictionary) as a Categorical of its distinct texts, or, with ``keep_wide``
    and more than :data:`WIDE_DICTIONARY` of them, as Arrow's dictionary array."""
    if not pa.types.is_dictionary(column.type):
        return pd.arrays.ArrowExtensionArray(column)
    combined = column.combine_chunks() if column.num_chunks else pa.array([], type=column.type)
    if keep_wide and len(combined.dictionary) > WIDE_DICTIONARY:
        return pd.arrays.ArrowExtensionArray(pa.chunked_array([combined]))
    codes = combined.indices.to_numpy(zero_copy_only=False)
    categories = combined.dictionary.to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(np.asarray(categories, dtype=object)), validate=False
    )  # Arrow's indices are valid by construction


def is_wide(values: pd.Series) -> bool:
    """Whether a column is held as Arrow's dictionary array (:func:`_pandas_text`)."""
    return isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_dictionary(values.dtype.pyarrow_dtype)


def plain_text(values: pd.Series) -> pd.Series:
    """A wide dictionary column as plain Arrow strings (any other column as it is)."""
    if not is_wide(values):
        return values
    return pd.Series(pd.arrays.ArrowExtensionArray(pc.cast(pa.array(values.array), pa.string())), copy=False)


def _is_empty(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.CategoricalDtype):
        empty = np.asarray(values.cat.categories == "", dtype=bool)
        return np.append(empty, False)[values.cat.codes.to_numpy()]
    array = pa.array(values.array)
    if pa.types.is_dictionary(array.type):
        array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
        empty = np.asarray(pc.equal(array.dictionary, ""), dtype=bool)
        return np.append(empty, False)[np.asarray(pc.fill_null(array.indices, len(empty)))]
    return pc.equal(array, "").to_numpy(zero_copy_only=False)


def _csv_record_lines(text: str, sep: str, *, fields: bool = False):
    """Starting line of every record (after the header), for files with quoted newlines;
    with ``fields``, ``(starts, number of fields of every record)``."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    next(reader, None)
    starts, counts = [], []
    prev_end = reader.line_num
    for record in reader:
        starts.append(prev_end + 1)
        counts.append(len(record))
        prev_end = reader.line_num
    return (starts, counts) if fields else starts


def _excel_cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_excel(source: Source) -> pd.DataFrame:
    try:
        # keep_default_na=False: a cell "NA", "None", "null", "N/A" or "NaN" is that text, as in a
        # CSV file; only a truly empty cell is empty ("")
        frame = pd.read_excel(
            source.path, sheet_name=source.sheet, dtype=object, header=0, engine="openpyxl", keep_default_na=False
        )
    except ValueError as exc:
        raise IngestError(f"cannot read the sheet ({redact(str(exc))})", file=source.label, table=source.table) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if any(c.startswith("Unnamed:") for c in frame.columns) and len(frame.columns) and frame.shape[0] == 0:
        raise IngestError("the sheet has no header row", file=source.label, table=source.table)
    frame = frame.map(_excel_cell_text) if len(frame) else frame.astype(str)
    frame.insert(0, SOURCE_LINE, pd.array(range(2, len(frame) + 2), dtype="int64"))
    data_cols = [c for c in frame.columns if c != SOURCE_LINE]
    blank = (frame[data_cols] == "").all(axis=1) if data_cols else pd.Series(False, index=frame.index)
    frame = frame.loc[~blank].reset_index(drop=True)
    uncomputed = _uncomputed_formulas(source)
    if uncomputed:
        frame.attrs[_UNCOMPUTED] = {
            data_cols[col] if col < len(data_cols) else f"column {col + 1}": rows for col, rows in uncomputed.items()
        }
    return frame


_UNCOMPUTED = "pilot_eval.uncomputed_formulas"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _uncomputed_formulas(source: Source) -> dict[int, list[int]]:
    """Formula cells of the sheet that have no saved value: column index (0 = A) → sheet
    rows, the header row left out.

    Excel saves each formula's last value beside it, and that is what is read
    (``data_only``). A program that writes formulas without computing them (openpyxl, many
    report generators, some exports) leaves the value out: the cell would read as empty.
    Read from the sheet's XML: a ``<c>`` with an ``<f>`` and no ``<v>`` (or an empty one
    that is not a text result: Excel saves a formula giving "" as ``t="str"`` with an empty
    ``<v>``). A sheet without any ``<f>`` (nearly every export) is scanned for the tag
    only, at the speed of reading the file.
    """
    import posixpath
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(source.path) as book:
            names = set(book.namelist())
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            rid = next(
                (el.get(f"{_REL_NS}id") for el in workbook.iter(f"{_MAIN_NS}sheet") if el.get("name") == source.sheet),
                None,
            )
            target = next((el.get("Target") for el in rels if el.get("Id") == rid), None)
            if target is None:
                return {}
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if member not in names:
                return {}
            with book.open(member) as fh:
                tail, found = b"", False
                while chunk := fh.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        found = True
                        break
                    tail = chunk[-16:]
            if not found:
                return {}
            out: dict[int, list[int]] = {}
            with book.open(member) as fh:
                for _, cell in ElementTree.iterparse(fh):
                    if cell.tag != f"{_MAIN_NS}c":
                        if cell.tag == f"{_MAIN_NS}row":
                            cell.clear()
                        continue
                    if cell.find(f"{_MAIN_NS}f") is None:
                        continue
                    value = cell.find(f"{_MAIN_NS}v")
                    if value is not None and (value.text or cell.get("t") == "str"):
                        continue
                    m = _CELL_REF.fullmatch(cell.get("r") or "")
                    if m is None or int(m[2]) == 1:
                        continue
                    col = 0
                    for letter in m[1]:
                        col = col * 26 + ord(letter) - 64
                    out.setdefault(col - 1, []).append(int(m[2]))
            return out
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}  # openpyxl has read the workbook; what it read stands


# --------------------------------------------------------------------------- headers


def map_headers(headers: list[str], table: str, file_label: str) -> tuple[dict[str, str], list[str]]:
    """Map a file's headers to contract columns. Returns ``(header → canonical, extras)``."""
    lookup = TABLES[table].header_lookup()
    mapping: dict[str, str] = {}
    extras: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        if header == SOURCE_LINE:
            continue
        if header == "" or header.startswith("Unnamed:"):
            extras.append(header)
            continue
        canonical = lookup.get(fold(header))
        if canonical is None:
            extras.append(header)
            continue
        if canonical in seen:
            raise IngestError(
                f"two columns map to {canonical}: {seen[canonical]!r} and {header!r}; keep one",
                file=file_label,
                table=table,
                column=header,
            )
        seen[canonical] = header
        mapping[header] = canonical
    return mapping, extras


def _guard_headers(headers: list[str], source: Source) -> None:
    """The privacy guard on the raw header names, before any header check can quote one.

    A header that names a direct identifier ("Förnamn") is refused as ingest's guard
    would (the name is shown: it is no one's data); a header that *is* one (a file
    exported without its header row) is refused at row 1 under a placeholder.
    """
    for position, header in enumerate(headers):
        finding = scan_header(header)
        if finding is None:
            continue
        is_value = looks_like_identifier(header)
        raise IngestError(
            finding.describe(),
            file=source.label,
            table=source.table,
            column=f"{safe_value(header)} (column {position + 1})" if is_value else header,
            row=1 if is_value else None,
        )


def read_source(source: Source) -> RawTable:
    """Read one table's file or sheet as text, with canonical headers.

    The raw header names go through the privacy guard before the header checks (see the
    module docstring); an :class:`IngestError` never quotes an identifier.
    """
    try:
        return _read_source(source)
    except IngestError as exc:
        raise scrub_error(exc) from exc.__cause__


def _read_source(source: Source) -> RawTable:
    excel = source.path.suffix.lower() in EXCEL_SUFFIXES
    if excel:
        frame, encoding, sep, digest = _read_excel(source), None, None, sha256_file(source.path)
    else:
        frame, encoding, sep, digest = _read_csv(source)
    short = frame.attrs.pop(_SHORT, {})
    uncomputed = frame.attrs.pop(_UNCOMPUTED, {})
    headers = [c for c in frame.columns if c != SOURCE_LINE]
    _guard_headers(headers, source)  # first: the checks below quote headers
    if len(set(headers)) != len(headers) or any(
        re.search(r"\.\d+$", h) and h.rsplit(".", 1)[0] in headers for h in headers
    ):
        dupes = sorted({h.rsplit(".", 1)[0] for h in headers if re.search(r"\.\d+$", h)} & set(headers))
        raise IngestError(
            f"the header repeats a column name: {', '.join(dupes)}",
            file=source.label,
            table=source.table,
            column=dupes[0] if dupes else None,
            row=1,
        )
    mapping, extras = map_headers(headers, source.table, source.label)
    notices = _check_formulas(uncomputed, mapping, source)
    frame.columns = [mapping.get(c, c) for c in frame.columns]  # renamed in place: no copy of the data
    _encode_repeating(frame)
    frame.insert(0, SOURCE_FILE, pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [source.label]))
    raw = RawTable(
        table=source.table,
        source=source,
        frame=frame,
        header_map=mapping,
        extra_columns=extras,
        encoding=encoding,
        separator=sep,
        excel=excel,
        sha256=digest,
        notices=notices,
    )
    if short:
        _quarantine_short(raw, short, len(headers))
    return raw


def _check_formulas(uncomputed: dict[str, list[int]], mapping: dict[str, str], source: Source) -> list[str]:
    """Formula cells without a saved value (:func:`_uncomputed_formulas`): refused in a
    contract column, a notice in a column that is dropped anyway.

    Refused, not warned about: the value is in the workbook's intent but not in the file,
    and a warning would still let it in as empty (a missing date, an optional value
    silently blank) while the fix is one step for the user: open the workbook in Excel or
    LibreOffice, which computes the formulas, and save it again.
    """
    notices = []
    for column, rows in uncomputed.items():
        shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        what = (
            f"{len(rows)} formula cell{'s' if len(rows) > 1 else ''} without a saved value (rows {shown}): the "
            "workbook was saved by a program that does not compute formulas"
        )
        if column in mapping:
            raise IngestError(
                f"{what}, so the cells would read as empty; open the workbook in Excel or LibreOffice and save "
                "it again (that computes them), then run ingest again",
                file=source.label,
                table=source.table,
                column=column,
                row=rows[0],
            )
        notices.append(f"{source.label}: column {safe_value(column)!r} has {what} (the column is not read)")
    return notices


def _quarantine_short(raw: RawTable, short: dict[int, int], n: int) -> None:
    """Quarantine the records with fewer fields than the header (:func:`_short_records`)
    and say so in a notice naming their lines: their padding with empty values would
    otherwise pass as data (a required value "missing", an optional one silently empty)."""
    lines = raw.frame[SOURCE_LINE].to_numpy()
    for pos, k in short.items():
        raw.row_reasons.setdefault(pos, []).append(SPLIT_RECORD if k == _SPLIT else SHORT_RECORD)
    cut = sorted(p for p, k in short.items() if k != _SPLIT)
    first = cut[0]
    shown = ", ".join(str(int(lines[p])) for p in sorted(short)[:10]) + (" …" if len(short) > 10 else "")
    raw.notices.append(
        f"{raw.source.label}: {len(short)} record{'s' if len(short) > 1 else ''} cut short quarantined "
        f"(line {int(lines[first])} has {short[first]} fields, the header has {n}: a record cut short "
        f"or a line break inside a field?); lines: {shown}"
    )


# A column whose first values repeat (dates, labels, numbers, a foreign key) is held as a
# pandas Categorical of its distinct texts: the privacy scan and the parsers then work on
# the distinct texts once each, and the column costs one small code per row. A column of
# (mostly) distinct values, such as an ID, stays as it is (Arrow or Python strings).
REPEAT_SAMPLE = 10_000


def looks_repeating(values: pd.Series) -> bool:
    """Whether at most half of the first :data:`REPEAT_SAMPLE` values are distinct."""
    sample = values.iloc[:REPEAT_SAMPLE]
    return len(sample) > 0 and sample.nunique(dropna=False) <= len(sample) // 2


def _encode_repeating(frame: pd.DataFrame) -> None:
    """Turn the repeating text columns of a raw frame into Categoricals (in place). The
    values, their order and every cell's text are unchanged; only the storage differs."""
    for i, name in enumerate(frame.columns):
        if name == SOURCE_LINE:
            continue
        values = frame.iloc[:, i]
        if isinstance(values.dtype, pd.CategoricalDtype) or not looks_repeating(values):
            continue
        # Arrow strings: Arrow's hash kernel; Python strings: pandas' hash table
        codes, uniques = pd.factorize(
            values if isinstance(values.dtype, pd.ArrowDtype) else values.to_numpy(dtype=object)
        )
        categories = np.asarray(uniques, dtype=object)
        frame.isetitem(i, pd.Categorical.from_codes(codes, categories=categories))


def read_raw_dir(raw_dir: str | Path) -> tuple[dict[str, RawTable], list[str]]:
    """Read every table in ``raw_dir``. Returns ``(tables, notices)``."""
    try:
        sources, notices = discover(raw_dir)
    except IngestError as exc:
        raise scrub_error(exc) from exc.__cause__
    tables = {name: read_source(src) for name, src in sources.items()}
    pa.default_memory_pool().release_unused()  # the parser's buffers: give the memory back now
    return tables, notices + [redact(n) for raw in tables.values() for n in raw.notices]
