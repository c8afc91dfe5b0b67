"""Applying a mapping: from an HR system's own files to the contract's raw tables.

:func:`apply_mapping` reads each source file of a mapping as text, runs the privacy guard
on **every** column of it (mapped or not) before anything else, and builds each mapped
contract table as a :class:`pilot_eval.readers.RawTable` in the contract's own spelling
(dates ``YYYY-MM-DD``, enum values by their canonical names), which ingest then parses,
validates and quarantines exactly as a direct export. A value the mapping cannot translate
is not dropped: the row carries a reason in ``_mapping_reason``, and ingest quarantines it
naming the source file and line.

Values are translated once per distinct text (a column of 4 million cells has a few
hundred distinct dates or labels), never cell by cell in Python.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import TABLES, fold, stage_lookup
from ..errors import IngestError, MappingError
from ..privacy import safe_value, scan_frame, scrub_error
from ..readers import (
    _SHORT,
    _SPLIT,
    SHORT_RECORD,
    SOURCE_FILE,
    SOURCE_LINE,
    SPLIT_RECORD,
    RawTable,
    Source,
    _encode_repeating,
    _read_csv,
    _read_excel,
    decode_bytes,
    detect_separator,
    is_wide,
    parse_csv_text,
    plain_text,
    sha256_file,
)
from .load import TERMINAL_EVENTS, Mapping, is_todo, load_mapping

__all__ = ["MappedExport", "apply_mapping", "MAPPING_REASON", "STOCKHOLM"]

MAPPING_REASON = "_mapping_reason"
_READ_REASON = "_read_reason"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DEFAULTS = {
    "encoding": "auto",
    "delimiter": "auto",
    "decimal": ".",
    "null_values": [""],
    "header_row": 1,
    "timezone": "Europe/Stockholm",
}


@dataclass
class MappedExport:
    """What :func:`apply_mapping` gives ingest: the contract tables it built (``raws``),
    notices in English, and the row accounting of every source file (``accounting``,
    written under ``"mapping"`` in ``ingest_report.json``)."""

    raws: dict[str, RawTable]
    notices: list[str] = field(default_factory=list)
    accounting: dict = field(default_factory=dict)
    source_paths: list[Path] = field(default_factory=list)
    #: per source, its rows set aside outside any contract table (history rows that name
    #: no application): source file and line, reason, the cells the mapping reads;
    #: ingest writes them to ``quarantine/_source_<name>.csv``
    set_aside: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class _Read:
    name: str
    files: list[Path]
    labels: list[str]
    frame: pd.DataFrame  # original headers, every cell text, plus SOURCE_FILE, SOURCE_LINE
    settings: dict
    sha256: dict[str, str]
    encoding: str | None
    separator: str | None
    columns: list[str] = field(default_factory=list)  # the data columns, all (the frame keeps the used ones)
    rows: int = 0


def _settings(mapping: Mapping, source: str) -> dict:
    merged = {**_DEFAULTS, **(mapping.data.get("defaults") or {})}
    merged.update({k: v for k, v in mapping.data["sources"][source].items() if k in _DEFAULTS})
    return merged


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "csv"


def flatten_record(record: dict, prefix: str = "") -> dict[str, str]:
    """One JSON object as text cells: nested objects as dotted names
    (``workplace_address.municipality_code``), null as "", booleans as true/false, a whole
    number as written without ``.0``, a list as its JSON text."""
    out: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_record(value, name + "."))
        elif value is None:
            out[name] = ""
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, float) and value.is_integer():
            out[name] = str(int(value))
        else:
            out[name] = str(value)
    return out


def read_jsonl(path: Path, label: str) -> pd.DataFrame:
    """A JSON Lines file as text cells (:func:`flatten_record`), with ``_source_line``;
    a line that is not a JSON object stops with an error naming file and line. Used by
    :func:`apply_mapping` and by ``map suggest``, so a draft sees what ingest reads."""
    text, _ = decode_bytes(path.read_bytes(), label)
    records: list[dict[str, str]] = []
    lines: list[int] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(f"a line that is not a JSON object ({exc.msg})", file=label, row=number) from exc
        if not isinstance(record, dict):
            raise IngestError("a line that is not a JSON object", file=label, row=number)
        records.append(flatten_record(record))
        lines.append(number)
    columns = list(dict.fromkeys(name for record in records for name in record))
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in records], columns=columns, dtype=object)
    frame.insert(0, SOURCE_LINE, pd.array(lines, dtype="int64"))
    return frame


def read_csv_with(path: Path, label: str, settings: dict) -> tuple[pd.DataFrame, str, str]:
    """A CSV file read with a mapping's file settings (``encoding``, ``delimiter``,
    ``header_row``): ``(frame, encoding, separator)``, every cell text, ``_source_line``
    the record's line in the file. Used by :func:`apply_mapping` and ``map suggest``."""
    data = path.read_bytes()
    if settings["encoding"] == "auto":
        text, encoding = decode_bytes(data, label)
    else:
        encoding = settings["encoding"]
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise IngestError(f"the file is not {encoding} text", file=label, row=line) from exc
    text = text.lstrip("\ufeff")
    skip = settings["header_row"] - 1
    lines = text.split("\n", skip)
    body = lines[-1] if skip else text
    sep = detect_separator(body.split("\n", 1)[0]) if settings["delimiter"] == "auto" else settings["delimiter"]
    if not body.strip():
        raise IngestError("the file is empty (not even a header line)", file=label)
    return parse_csv_text(body, sep, Source("_", path), offset=skip), encoding, sep


def _read_one(path: Path, fmt: str, settings: dict, sheet: str | None, label: str):
    """(frame, encoding, separator, SHA-256 of the bytes read or None) of one source file,
    every cell text."""
    if fmt == "jsonl":
        return read_jsonl(path, label), "utf-8", None, None
    if fmt == "xlsx":
        src = Source("_", path, sheet)
        if settings["header_row"] == 1:
            return _read_excel(src), None, None, None
        frame = pd.read_excel(  # keep_default_na=False: a cell "NA" or "None" stays text, as in _read_excel
            path, sheet_name=sheet or 0, dtype=str, header=settings["header_row"] - 1, keep_default_na=False
        )
        frame = frame.fillna("")
        frame.columns = [str(c).strip() for c in frame.columns]
        start = settings["header_row"] + 1
        frame.insert(0, SOURCE_LINE, pd.array(range(start, start + len(frame)), dtype="int64"))
        return frame, None, None, None
    if settings["encoding"] == "auto" and settings["header_row"] == 1:
        # ingest's own reader (Arrow first) when it sees the file as the mapping says
        frame, encoding, sep, digest = _read_csv(Source("_", path), keep_wide=True)
        if settings["delimiter"] in ("auto", sep):
            return frame, encoding, sep, digest
    return (*read_csv_with(path, label, settings), None)


def _read_source(mapping: Mapping, name: str, raw_dir: Path) -> _Read:
    spec = mapping.data["sources"][name]
    settings = _settings(mapping, name)
    pattern = spec["file"]
    files = sorted(p for p in raw_dir.glob(pattern) if p.is_file())
    if not files:
        raise MappingError(
            f"{mapping.where(('sources', name, 'file'))}: no file {pattern!r} in the raw directory", file=raw_dir
        )
    frames, labels, digests = [], [], {}
    encoding = separator = None
    header: list[str] | None = None
    for path in files:
        fmt = _format_of(path, spec.get("format"))
        sheet = spec.get("sheet")
        label = f"{path.name}[{sheet}]" if sheet else path.name
        try:
            frame, encoding, separator, digest = _read_one(path, fmt, settings, sheet, label)
        except IngestError as exc:
            exc.file = exc.file or label
            raise scrub_error(exc) from exc.__cause__
        columns = [c for c in frame.columns if c not in (SOURCE_LINE, _READ_REASON)]
        if header is not None and columns != header:
            raise IngestError(
                f"the files of source {name!r} have different headers ({labels[0]} and {label}); "
                "every file of one source must have the same columns",
                file=label,
            )
        header = columns
        short = frame.attrs.pop(_SHORT, {})  # records cut short (readers._short_records): quarantined
        why = np.full(len(frame), "", dtype=object)
        for pos, k in short.items():
            why[pos] = SPLIT_RECORD if k == _SPLIT else SHORT_RECORD
        frame.insert(0, _READ_REASON, pd.Categorical(why) if len(short) else _constant(len(frame), ""))
        frame.insert(0, SOURCE_FILE, _constant(len(frame), label))
        frames.append(frame)
        labels.append(label)
        digests[label] = digest or sha256_file(path)  # of the bytes parsed, when the reader had them
    if len(frames) > 1:  # stacked: each file's dictionaries differ
        frames = [f.apply(plain_text) if any(is_wide(f[c]) for c in f.columns) else f for f in frames]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    nulls = {str(v).strip() for v in settings["null_values"]} - {""}
    if nulls:
        for column in header or []:
            values = frame[column].astype(str).str.strip()
            frame[column] = values.where(~values.isin(nulls), "")
    return _Read(name, files, labels, frame, settings, digests, encoding, separator, list(header or []), len(frame))


def _constant(n: int, text: str) -> pd.Categorical:
    """A column of ``n`` cells holding one text (codes, not ``n`` references)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[text], validate=False)


def _guard(read: _Read, reviewed: dict | None = None) -> None:
    """The privacy guard on every column of a source file, before any mapping.

    ``reviewed`` (the source's ``reviewed_headers``: header -> why it holds no person's
    data, e.g. Teamtailor's ``name`` of a stage) lifts the check of those headers by
    their NAME only; their values are scanned as every other column's."""
    data = read.frame.drop(columns=[SOURCE_FILE, SOURCE_LINE, _READ_REASON])
    findings = [f for f in scan_frame(data) if not (f.is_header and f.column in (reviewed or {}))]
    if findings:
        finding = findings[0]
        row = None
        if finding.position >= 0:
            row = int(read.frame[SOURCE_LINE].iloc[finding.position])
            label = str(read.frame[SOURCE_FILE].iloc[finding.position])
        else:
            label = read.labels[0]
        raise scrub_error(
            IngestError(finding.describe(), file=label, table=None, column=safe_value(finding.column), row=row)
        )


# --------------------------------------------------------------------------- values


def _arrow_texts(uniques) -> pa.Array:
    """Distinct values as an Arrow string array (a value that is not text as its str)."""
    try:
        return pa.array(np.asarray(uniques, dtype=object), pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(["" if u is None else str(u) for u in uniques], pa.string())


def _codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """``(codes, texts)``: each cell of a column as a code into its distinct texts, stripped
    of white space; a missing cell is "", and two texts equal once stripped share a code.

    Computed on the distinct texts with Arrow's kernels: a categorical column (as ingest's
    Arrow reader gives repeating columns) by its codes, an Arrow string column by Arrow's
    dictionary encoding, anything else by :func:`pandas.factorize`; never per cell in
    Python (a stage history has millions of cells and as many distinct keys as
    applications)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        texts = _arrow_texts(values.cat.categories)
    elif is_wide(values):  # Arrow's dictionary array, as read: its codes and texts as they are
        array = pa.array(values.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        codes = np.asarray(pc.fill_null(array.indices, -1))
        texts = array.dictionary.cast(pa.string())
    elif hasattr(values.array, "__arrow_array__"):
        array = pa.array(values.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        encoded = pc.dictionary_encode(array)
        codes = np.asarray(pc.fill_null(encoded.indices, -1))
        texts = encoded.dictionary.cast(pa.string())
    else:
        codes, uniques = pd.factorize(values)
        texts = _arrow_texts(uniques)
    stripped = pc.fill_null(pc.utf8_trim_whitespace(texts), "")
    missing = codes < 0
    if texts.null_count == 0 and pc.all(pc.equal(stripped, texts)).as_py() is not False:
        # nothing to strip (the usual case): the distinct texts stay distinct
        if not missing.any():
            return codes.astype(np.int32, copy=False), stripped
        empty = pc.index(stripped, "").as_py()
        if empty < 0:
            stripped, empty = pa.concat_arrays([stripped, pa.array([""], pa.string())]), len(stripped)
        return np.where(missing, empty, codes).astype(np.int32, copy=False), stripped
    stripped = pa.concat_arrays([stripped, pa.array([""], pa.string())])  # the code of a missing cell
    again = pc.dictionary_encode(stripped)  # texts equal once stripped, and the "" added
    remap = np.asarray(again.indices, dtype=np.int32)
    return remap[np.where(missing, len(stripped) - 1, codes)], again.dictionary


def _factorize_stripped(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_codes` with the distinct texts as an object array."""
    codes, texts = _codes(values)
    return codes, np.asarray(texts.to_numpy(zero_copy_only=False), dtype=object)


_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"


_COMMON_STAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-](?:[01]\d|2[0-3]):[0-5]\d$"


def _common_stamps(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which texts are the common API form ``2025-03-04T09:12:00+01:00`` (a valid date
    and time), and their UTC instants (``datetime64[ns]``, NaT elsewhere), computed with
    Arrow's string kernels in C, never a Python object per text: pandas parses a text
    with an offset in Python (some 7 µs each) and its string methods on object columns
    run per cell."""
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.string(), from_pandas=True)
    arr = pc.utf8_trim_whitespace(arr)
    matched = np.asarray(pc.fill_null(pc.match_substring_regex(arr, _COMMON_STAMP), False), dtype=bool)
    utc = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    pick = np.flatnonzero(matched)
    if not len(pick):
        return matched, utc
    sub = arr.take(pa.array(pick))

    def number(start: int, stop: int) -> np.ndarray:
        return np.asarray(pc.cast(pc.utf8_slice_codeunits(sub, start, stop), pa.int64()))

    naive = pc.strptime(pc.utf8_slice_codeunits(sub, 0, 19), format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls 30 February over to 1 March: the day it read must be the day written
    valid = np.asarray(pc.fill_null(pc.equal(pc.day(naive), pa.array(number(8, 10))), False), dtype=bool)
    west = np.asarray(pc.equal(pc.utf8_slice_codeunits(sub, 19, 20), "-"), dtype=bool)
    sign = np.where(west, -1, 1)
    offset = (sign * (number(20, 22) * 60 + number(23, 25)) * 60).astype("timedelta64[s]")
    local = np.asarray(pc.fill_null(pc.cast(naive, pa.int64()), 0)).astype("datetime64[s]").astype("datetime64[ns]")
    utc[pick[valid]] = (local - offset)[valid]
    common = np.zeros(len(texts), dtype=bool)
    common[pick[valid]] = True
    return common, utc


def _day_text(local: np.ndarray) -> np.ndarray:
    """``datetime64`` values as ``YYYY-MM-DD`` (each distinct day formatted once)."""
    codes, days = pd.factorize(local.astype("datetime64[D]"))
    text = pd.DatetimeIndex(days).strftime("%Y-%m-%d").to_numpy(dtype=object)
    return text[codes] if len(text) else np.array([], dtype=object)


def _objects(texts, where: np.ndarray) -> np.ndarray:
    """The texts at ``where`` as Python strings (texts: an object array or Arrow's)."""
    if isinstance(texts, pa.Array):
        return np.asarray(texts.filter(pa.array(where)).to_numpy(zero_copy_only=False), dtype=object)
    return np.asarray(texts, dtype=object)[where]


def _stockholm_days(utc: np.ndarray) -> np.ndarray:
    """UTC instants (``datetime64[ns]``) as ``YYYY-MM-DD`` in Europe/Stockholm, with
    Arrow's time-zone kernels (each distinct day formatted once)."""
    instants = pa.array(utc, type=pa.timestamp("ns", tz="UTC"))
    local = pc.local_timestamp(instants.cast(pa.timestamp("ns", tz="Europe/Stockholm")))
    days = np.asarray(pc.cast(pc.cast(local, pa.date32()), pa.int32()))
    distinct, codes = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(distinct.astype("datetime64[D]"), unit="D").astype(object)
    return text[codes]


def _to_date_fast(texts, zone: zoneinfo.ZoneInfo, stamps: tuple[np.ndarray, np.ndarray] | None = None):
    """:func:`_to_date` for many ISO 8601 texts (an object array or Arrow's): the common
    API form in C (:func:`_common_stamps`, or its result given as ``stamps``), the rest
    as :func:`_to_date_pandas` reads them."""
    out = np.empty(len(texts), dtype=object)
    ok = np.ones(len(texts), dtype=bool)
    common, utc = _common_stamps(texts) if stamps is None else stamps
    if common.any():
        out[common] = _stockholm_days(utc[common])
    rest = ~common
    if rest.any():
        out[rest], ok[rest] = _to_date_pandas(_objects(texts, rest), zone)
    return out, ok


def _to_date_pandas(texts: np.ndarray, zone: zoneinfo.ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_to_date` for ISO 8601 texts, parsed by pandas: the dates of the texts it
    can read unambiguously (with an offset, a date alone, or a naive time in ``zone``),
    the others by the exact per-text rules of :func:`_to_date`."""
    s = pd.Series(texts, dtype=object).astype(str).str.strip()
    empty = (s == "").to_numpy()
    offset = s.str.contains(_OFFSET, regex=True).to_numpy() & ~empty
    local = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if offset.any():
        stamps = pd.to_datetime(s[offset], format="ISO8601", utc=True, errors="coerce")
        local[offset] = stamps.dt.tz_convert(STOCKHOLM).dt.tz_localize(None)
    naive = ~offset & ~empty
    if naive.any():
        stamps = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
        midnight = stamps.notna() & (stamps == stamps.dt.normalize())
        local[naive] = stamps.where(midnight)
        timed = stamps[stamps.notna() & ~midnight]
        if len(timed):
            there = timed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
            local[timed.index] = there.dt.tz_convert(STOCKHOLM).dt.tz_localize(None)
    values = local.to_numpy()
    out = np.full(len(texts), "", dtype=object)
    found = ~np.isnat(values)
    out[found] = _day_text(values[found])
    left = np.flatnonzero(~found & ~empty)  # unparsed, ambiguous or nonexistent: the exact rules
    ok = np.ones(len(texts), dtype=bool)
    if len(left):
        out[left], ok[left] = _to_date(texts[left], None, zone, fast=False)
    return out, ok


def _to_date(
    texts: np.ndarray, fmt: str | None, zone: zoneinfo.ZoneInfo, fast: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct text as ``YYYY-MM-DD`` in Europe/Stockholm; ``ok`` False where it is no date."""
    if fast and (fmt is None or fmt == "iso") and len(texts) > 1000:  # many distinct times: in C
        return _to_date_fast(texts, zone)
    out = np.empty(len(texts), dtype=object)
    ok = np.ones(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        text = str(text).strip()
        if not text:
            out[i] = ""
            continue
        try:
            if fmt and fmt != "iso":
                stamp = dt.datetime.strptime(text, fmt)
            elif _DATE_ONLY.fullmatch(text):
                dt.date.fromisoformat(text)
                out[i] = text
                continue
            else:
                stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            out[i], ok[i] = text, False
            continue
        if stamp.tzinfo is None:
            if stamp.time() == dt.time(0) and (fmt is None or fmt == "iso" or "%H" not in fmt):
                out[i] = stamp.date().isoformat()
                continue
            stamp = stamp.replace(tzinfo=zone)
        out[i] = stamp.astimezone(STOCKHOLM).date().isoformat()
    return out, ok


def _target(col, value) -> str:
    """A value-map target in the contract's canonical spelling ("" stays "": empty)."""
    if isinstance(value, str) and value == "":
        return ""
    if col.kind == "stage":
        return str(stage_lookup()[fold(str(value).lower())])
    if col.kind == "bool":
        return "true" if fold(str(value)) in ("true", "ja", "yes") else "false"
    if col.kind == "enum":
        return col.label_lookup()[fold(str(value))]
    return str(value)


def _map_column(mapping: Mapping, path: tuple, col, cspec, frame: pd.DataFrame, read: _Read, names=None):
    """(values as contract text, reasons) for one contract column; ``names``: every column
    of the source and its joins (for a did-you-mean)."""
    n = len(frame)
    reasons = np.full(n, "", dtype=object)
    if isinstance(cspec, str):
        cspec = {"from": cspec}
    if "constant" in cspec:
        value = cspec["constant"]
        text = _target(col, value) if col.kind in ("enum", "stage", "bool") else str(value)
        return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [text])), reasons
    if "from_file" in cspec:
        pattern = re.compile(cspec["from_file"])
        names = frame[SOURCE_FILE].astype(str).str.replace(r"\[.*\]$", "", regex=True)
        found = names.map(lambda name: m.group("value") if (m := pattern.search(name)) else None)
        if found.isna().any():
            missing = names[found.isna()].iloc[0]
            raise MappingError(
                f"{mapping.where((*path, 'from_file'))}: the file name {missing!r} does not match the pattern",
                file=missing,
            )
        frame = frame.assign(_from_file=found.to_numpy())
        cspec = {**{k: v for k, v in cspec.items() if k != "from_file"}, "from": "_from_file"}
    source_col = cspec["from"]
    if source_col not in frame.columns:
        have = names or [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_LINE, _READ_REASON)]
        import difflib

        close = difflib.get_close_matches(source_col, have, n=1)
        raise MappingError(
            f"{mapping.where(path)}: the source {read.name} ({', '.join(read.labels)}) has no column {source_col!r}"
            + (f"; did you mean {close[0]!r}?" if close else ""),
            file=read.labels[0],
            column=source_col,
        )
    raw_values = frame[source_col]
    decimal = col.kind in ("int", "float") and read.settings["decimal"] == ","
    if "values" not in cspec and col.kind != "date" and not decimal:
        return plain_text(raw_values).reset_index(drop=True), reasons  # as read: ingest's parser takes it
    many_dates = col.kind == "date" and "values" not in cspec and (cspec.get("format") or "iso") == "iso"
    if many_dates:
        codes, texts = _codes(raw_values)
        many_dates = len(texts) > 1000
    if many_dates:  # many distinct times: parsed as Arrow's texts, a Python string only for the odd ones
        zone = zoneinfo.ZoneInfo(cspec.get("timezone") or read.settings["timezone"])
        out, ok = _to_date_fast(texts, zone)
        bad = ~ok
        if bad.any():
            uniques = np.full(len(texts), "", dtype=object)
            uniques[bad] = _objects(texts, bad)
            texts_bad = np.full(len(texts), "", dtype=object)
            why = f"{col.name}: {{}} is not a date in the mapping's format (ISO 8601)"
            texts_bad[bad] = [why.format(repr(safe_value(u))) for u in uniques[bad]]
            rows = bad[codes]
            reasons[rows] = texts_bad[codes[rows]]
        merged, out = pd.factorize(np.asarray(out, dtype=object))
        values = pd.Categorical.from_codes(merged[codes], categories=pd.Index(out, dtype=object), validate=False)
        return pd.Series(values), reasons
    codes, uniques = _factorize_stripped(raw_values)
    out = uniques.copy()
    bad = np.zeros(len(uniques), dtype=bool)
    why = ""
    if "values" in cspec:
        table = {fold(str(k)): _target(col, v) for k, v in cspec["values"].items() if not is_todo(v)}
        unknown = cspec.get("unknown", "quarantine")
        for i, text in enumerate(uniques):
            if text == "":
                continue
            key = fold(text)
            if key in table:
                out[i] = table[key]
            elif unknown == "keep":
                out[i] = text
            elif unknown == "quarantine":
                bad[i] = True
            else:
                out[i] = _target(col, unknown)
        where = f"{'.'.join(path)}, line {mapping.line_of(path)}"
        why = f"{col.name}: the export's value {{}} is not in the mapping's values ({where})"
    elif col.kind == "date":
        zone = zoneinfo.ZoneInfo(cspec.get("timezone") or read.settings["timezone"])
        out, ok = _to_date(uniques, cspec.get("format"), zone)
        bad = ~ok
        fmt = cspec.get("format") or "ISO 8601"
        why = f"{col.name}: {{}} is not a date in the mapping's format ({fmt})"
    elif decimal:
        out = np.array([t.replace(" ", "").replace(".", "").replace(",", ".") for t in uniques], dtype=object)
    if bad.any():
        texts = np.full(len(uniques), "", dtype=object)
        texts[bad] = [why.format(repr(safe_value(u))) for u in uniques[bad]]
        rows = bad[codes]
        reasons[rows] = texts[codes[rows]]
    merged, out = pd.factorize(np.asarray(out, dtype=object))  # two source texts may give one value
    values = pd.Categorical.from_codes(merged[codes], categories=pd.Index(out, dtype=object), validate=False)
    return pd.Series(values), reasons


def _take(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """The cells of ``values`` at ``rows``, "" where a row is -1 (a key the join did not
    find); categorical and Arrow columns stay so."""
    missing = rows < 0
    values = plain_text(values)
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        codes = values.cat.codes.to_numpy()
        if missing.any():
            if "" not in cats:
                cats = cats.append(pd.Index([""], dtype=object))
            filler = cats.get_loc("")
        taken = np.where(missing, filler, codes[rows]) if missing.any() else codes[rows]
        return pd.Series(pd.Categorical.from_codes(taken, categories=cats, validate=False))
    if hasattr(values.array, "__arrow_array__"):
        array = pa.array(values.array)
        taken = pc.fill_null(array.take(pa.array(rows, mask=missing)), "")
        return pd.Series(pd.arrays.ArrowExtensionArray(taken))
    taken = values.to_numpy(dtype=object)[rows]
    taken[missing] = ""
    return pd.Series(taken, dtype=object)


def _join(mapping: Mapping, table: str, frame: pd.DataFrame, reads: dict[str, _Read]) -> pd.DataFrame:
    """The table's source with the columns of each joined source, named ``<source>.<column>``
    (many to one, by the key's text stripped of white space; "" where the key is not found)."""
    for i, join in enumerate(mapping.data["tables"][table].get("join") or []):
        right = reads[join["source"]]
        ((left_col, right_col),) = join["on"].items()
        path = ("tables", table, "join", i, "on")
        for col, where in ((left_col, frame), (right_col, right.frame)):
            if col not in where.columns:
                raise MappingError(f"{mapping.where(path)}: no column {col!r} to join on", column=col)
        right_codes, right_keys = _codes(right.frame[right_col])
        empty = np.asarray(pc.equal(right_keys, ""), dtype=bool)
        later = np.ones(len(right_codes), dtype=bool)  # a row whose key an earlier row has
        later[np.unique(right_codes, return_index=True)[1]] = False
        later &= ~empty[right_codes]
        if later.any():
            dup = int(np.flatnonzero(later)[0])
            raise IngestError(
                f"the join key {right_col!r} repeats (each row of {join['source']} must be found by one key; "
                f"{mapping.where(path)})",
                file=str(right.frame[SOURCE_FILE].iloc[dup]),
                column=right_col,
                row=int(right.frame[SOURCE_LINE].iloc[dup]),
            )
        row_of_key = np.full(len(right_keys), -1, dtype=np.int64)  # each distinct key's row
        row_of_key[right_codes] = np.arange(len(right_codes))
        row_of_key[empty] = -1
        left_codes, left_keys = _codes(frame[left_col])
        found = np.asarray(pc.fill_null(pc.index_in(left_keys, value_set=right_keys), -1), dtype=np.int64)
        found = np.where(found >= 0, row_of_key[np.maximum(found, 0)], -1)
        rows = found[left_codes]
        joined = {
            f"{join['source']}.{column}": _take(right.frame[column], rows)
            for column in right.frame.columns
            if column not in (SOURCE_FILE, SOURCE_LINE, _READ_REASON)
        }
        frame = pd.concat([frame.reset_index(drop=True), pd.DataFrame(joined, copy=False)], axis=1)
    return frame


def _instants(texts, fmt: str | None, zone: zoneinfo.ZoneInfo) -> tuple[np.ndarray, tuple | None]:
    """The UTC instants of distinct time texts, for the order of a stage history
    (``datetime64[ns]``, NaT where unreadable or empty; a time without offset taken in
    ``zone``), and the result of :func:`_common_stamps` when it was used, for
    :func:`_to_date` to reuse."""
    utc = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    stamps = None
    rest = np.ones(len(texts), dtype=bool)
    if fmt is None or fmt == "iso":
        stamps = _common_stamps(texts)
        utc[stamps[0]] = stamps[1][stamps[0]]
        rest = ~stamps[0]
    if not rest.any():
        return utc, stamps
    s = pd.Series(_objects(texts, rest), dtype=object).astype(str).str.strip()
    found = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    if fmt and fmt != "iso":
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        aware = parsed.dt.tz is not None
        groups = [(slice(None), parsed, aware)]
    else:
        offset = s.str.contains(_OFFSET, regex=True)
        groups = [
            (offset, pd.to_datetime(s[offset], format="ISO8601", utc=True, errors="coerce"), True),
            (~offset, pd.to_datetime(s[~offset], format="ISO8601", errors="coerce"), False),
        ]
    for where, parsed, aware in groups:
        if not len(parsed):
            continue
        if aware:
            found[where] = parsed.dt.tz_convert("UTC")
        else:
            found[where] = parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    utc[rest] = found.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return utc, stamps


def _first_of(group: np.ndarray, key: np.ndarray, size: int, last: bool = False) -> np.ndarray:
    """Per group (0..size-1) the smallest ``key`` of its members (the largest with
    ``last``), -1 for a group without members. ``key`` is non-negative."""
    out = np.full(size, -1 if last else np.iinfo(np.int64).max, dtype=np.int64)
    (np.maximum if last else np.minimum).at(out, group, key)
    if not last:
        out[out == np.iinfo(np.int64).max] = -1
    return out


def _categorical(codes: np.ndarray, categories: list | np.ndarray) -> pd.Series:
    """Text cells as a Categorical of the texts used (codes -1: the last category, "")."""
    codes = np.where(codes < 0, len(categories) - 1, codes)
    values = pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object), validate=False)
    return pd.Series(values).cat.remove_unused_categories()


def _derive(mapping: Mapping, table: str, frame: pd.DataFrame, reads: dict[str, _Read]) -> tuple[dict, np.ndarray, int]:
    """The columns a stage history derives (docs/mapping.md), the reasons per row, and how
    many history rows name no application.

    Computed per distinct application ID (rows that repeat an ID share its history; ingest
    then quarantines them as repeated IDs) with one pass of NumPy reductions over the
    events, no sort: an application's first event of a kind is the one of the smallest
    (time, line), its last the one of the largest, as a stable sort by time would give."""
    spec = mapping.data["tables"][table]
    history = spec["history"]
    events = reads[history["source"]].frame
    path = ("tables", table, "history")
    on = history.get("on") or _from_of(spec["columns"].get("application_id"))
    for col, where in ((history["key"], events), (history["at"], events), (history["stage"], events), (on, frame)):
        if col not in where.columns:
            raise MappingError(f"{mapping.where(path)}: no column {col!r} for the stage history", column=col)
    row_app, apps = _codes(frame[on])  # each row's ID among the distinct IDs
    size = len(apps)
    key_codes, keys = _codes(events[history["key"]])
    key_app = np.array(pc.fill_null(pc.index_in(keys, value_set=apps), -1), dtype=np.int32)
    key_app[np.asarray(pc.equal(keys, ""), dtype=bool)] = -1  # an empty key names no application
    app = key_app[key_codes]  # each event's application (distinct ID), -1: none
    unmatched = np.flatnonzero(app < 0)
    # stage labels, once per distinct label
    values = {fold(str(k)): v for k, v in history["values"].items()}
    label_codes, labels = _factorize_stripped(events[history["stage"]])
    stage_of = np.full(len(labels), -1, dtype=np.int8)
    end_of = np.zeros(len(labels), dtype=np.int8)  # 1 + index in _ENDS, 0: no end event
    unknown_label = np.zeros(len(labels), dtype=bool)
    lookup = stage_lookup()
    for i, label in enumerate(labels):
        target = values.get(fold(label))
        if target is None:
            unknown_label[i] = True
        elif str(target) in TERMINAL_EVENTS:
            end_of[i] = 1 + _ENDS.index(str(target))
        else:
            stage_of[i] = lookup[fold(str(target))]
    # times, once per distinct text: the date in Stockholm and the instant for the order
    zone = zoneinfo.ZoneInfo(history.get("timezone") or reads[history["source"]].settings["timezone"])
    at_codes, at_texts = _codes(events[history["at"]])  # Arrow's texts: parsed in C
    utc, stamps = _instants(at_texts, history.get("format"), zone)
    fmt = history.get("format")
    if stamps is not None and len(at_texts) > 1000:
        at_dates, at_ok = _to_date_fast(at_texts, zone, stamps)
    else:
        at_dates, at_ok = _to_date(_objects(at_texts, np.ones(len(at_texts), dtype=bool)), fmt, zone)
    date_codes, dates = pd.factorize(at_dates)  # distinct time -> distinct date
    dates = list(dates)
    if "" not in dates:
        dates.append("")
    no_date = dates.index("")
    # the rank of each distinct instant (equal instants equal), unreadable ones last
    ticks = utc.view(np.int64).copy()
    timeless = np.isnat(utc)
    ticks[timeless] = np.iinfo(np.int64).max
    _, rank = np.unique(ticks, return_inverse=True)
    rank = rank.astype(np.int32)
    # the reasons, per application
    reasons = np.full(size, "", dtype=object)
    where = f"{'.'.join(path)}, line {mapping.line_of(path)}"
    if history.get("unknown", "quarantine") == "quarantine":
        for label_pos in np.flatnonzero(unknown_label):
            hit = np.unique(app[(label_codes == label_pos) & (app >= 0)])
            reasons[hit] = (
                f"highest_stage: the history's stage {safe_value(labels[label_pos])!r} is not in the mapping ({where})"
            )
    bad_at = ~at_ok[at_codes]
    reasons[np.unique(app[bad_at & (app >= 0)])] = f"highest_stage: a history row's time is not a date ({where})"
    # the events that count: of an application, a known stage or end, a readable time
    kept = np.flatnonzero((app >= 0) & ~unknown_label[label_codes] & ~bad_at)
    e_app = app[kept]
    e_stage = stage_of[label_codes[kept]]
    e_end = end_of[label_codes[kept]]
    e_rank = rank[at_codes[kept]]
    e_timeless = timeless[at_codes[kept]]
    order = e_rank.astype(np.int64) * (len(events) + 1) + kept  # (time, line): as a stable sort by time
    staged = e_stage >= 0
    highest = np.zeros(size, dtype=np.int8)
    np.maximum.at(highest, e_app[staged], e_stage[staged])
    offer = _first_of(e_app[e_stage >= 5], order[e_stage >= 5], size)

    def date_of(first: np.ndarray) -> np.ndarray:  # the date code of an application's chosen event
        out = np.full(size, no_date, dtype=np.int64)
        has = first >= 0
        out[has] = date_codes[at_codes[first[has] % (len(events) + 1)]]
        return out

    withdrawn_end = e_end == 1 + _ENDS.index("withdrawn")
    withdrawn = _first_of(e_app[withdrawn_end], order[withdrawn_end], size)
    was_withdrawn = withdrawn >= 0
    cut = np.full(size, -1, dtype=np.int64)  # the rank of the withdrawal's time
    cut[was_withdrawn] = withdrawn[was_withdrawn] // (len(events) + 1)
    cut_timeless = np.zeros(size, dtype=bool)
    cut_timeless[was_withdrawn] = timeless[at_codes[withdrawn[was_withdrawn] % (len(events) + 1)]]
    before = staged & ~e_timeless & (e_rank <= cut[e_app]) & ~cut_timeless[e_app]
    reached = np.full(size, -1, dtype=np.int8)
    np.maximum.at(reached, e_app[before], e_stage[before])
    withdrawn_stage = np.where(was_withdrawn, np.maximum(reached, 0), -1)
    has_end = e_end > 0
    last_end = _first_of(e_app[has_end], order[has_end], size, last=True)
    final = np.where(highest >= 6, _ENDS.index("hired"), len(_ENDS))  # or in_progress
    ended = last_end >= 0
    final[ended] = end_of[label_codes[last_end[ended] % (len(events) + 1)]] - 1
    stages = [str(k) for k in range(8)]
    derived = {
        "highest_stage": _categorical(highest[row_app], stages),
        "offer_date": _categorical(date_of(offer)[row_app], dates),
        "withdrawn_date": _categorical(date_of(withdrawn)[row_app], dates),
        "withdrawn_stage": _categorical(withdrawn_stage[row_app], [*stages, ""]),
        "final_status": _categorical(final[row_app], [*_ENDS, "in_progress"]),
    }
    return derived, reasons[row_app], unmatched


_ENDS = tuple(TERMINAL_EVENTS)


def _referenced(mapping: Mapping) -> dict[str, set[str]]:
    """The columns of each source the mapping reads: a table's column sources, join keys
    and history columns. The others were needed only by the privacy guard, which has run,
    and are dropped before the tables are built (a history's event IDs, a timestamp the
    contract does not use: hundreds of megabytes at scale)."""
    need: dict[str, set[str]] = {name: set() for name in mapping.data["sources"]}
    for spec in mapping.data["tables"].values():
        main = spec["source"]
        joins = spec.get("join") or []
        for join in joins:
            ((left, right),) = join["on"].items()
            need[main].add(left)
            need[join["source"]].add(right)
        for cspec in spec["columns"].values():
            src = _from_of(cspec)
            if not src:
                continue
            need[main].add(src)  # a name with dots may be the main source's own column
            for join in joins:
                if src.startswith(join["source"] + "."):
                    need[join["source"]].add(src[len(join["source"]) + 1 :])
        history = spec.get("history")
        if history:
            need[history["source"]] |= {history["key"], history["at"], history["stage"]}
            need[main].add(history.get("on") or _from_of(spec["columns"].get("application_id")))
    return need


def _from_of(cspec) -> str | None:
    return cspec if isinstance(cspec, str) else (cspec or {}).get("from")


def _first_rows(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, int]:
    """An export with one row per application × status change, as one row per application:
    the first row (in file order) of each application ID, and how many rows were folded
    into it. A row without an ID stays a row of its own (ingest sets it aside). A reason
    to set a folded row aside (a record cut short) goes with its application's row."""
    codes, texts = _codes(frame[key])
    empty = np.asarray(pc.equal(texts, ""), dtype=bool)
    distinct, first = np.unique(codes, return_index=True)
    keep = np.sort(np.concatenate([first[~empty[distinct]], np.flatnonzero(empty[codes])]))
    if len(keep) == len(frame):
        return frame, 0
    out = frame.iloc[keep].reset_index(drop=True)
    why = frame[_READ_REASON].to_numpy(dtype=object)
    troubled = np.flatnonzero(why != "")
    if len(troubled):
        row_of = np.full(len(texts), -1, dtype=np.int64)  # each ID's row in ``out``
        kept_codes = codes[keep]
        named = ~empty[kept_codes]
        row_of[kept_codes[named]] = np.flatnonzero(named)
        reasons = out[_READ_REASON].to_numpy(dtype=object).copy()
        for pos in troubled:
            target = row_of[codes[pos]]
            if target >= 0 and reasons[target] == "":
                reasons[target] = why[pos]
        out[_READ_REASON] = reasons
    return out, len(frame) - len(keep)


def _build_table(mapping: Mapping, table: str, read: _Read, reads: dict[str, _Read]) -> tuple[RawTable, dict]:
    tspec = TABLES[table]
    spec = mapping.data["tables"][table]
    names = read.columns + [f"{j['source']}.{c}" for j in spec.get("join") or [] for c in reads[j["source"]].columns]
    main, folded = read.frame, 0
    history = spec.get("history")
    if history and history["source"] == read.name:  # the table's own rows are its history
        main, folded = _first_rows(read.frame, history["key"])
    frame = _join(mapping, table, main, reads)
    derived, derived_reasons, unmatched = (
        _derive(mapping, table, frame, reads) if history else ({}, None, np.zeros(0, dtype=np.int64))
    )
    if history and history["source"] == read.name:
        unmatched = np.zeros(0, dtype=np.int64)  # a row without an ID stays a row (ingest sets it aside)
    out: dict[str, object] = {SOURCE_FILE: frame[SOURCE_FILE].astype("category"), SOURCE_LINE: frame[SOURCE_LINE]}
    reasons = np.full(len(frame), "", dtype=object)
    used: set[str] = set()
    if derived_reasons is not None:
        reasons = derived_reasons.copy()
    read_why = frame[_READ_REASON].to_numpy()
    has = read_why != ""
    reasons[has] = np.where(reasons[has] == "", read_why[has], reasons[has] + "; " + read_why[has])
    for column, cspec in spec["columns"].items():
        col = tspec.column(column)
        path = ("tables", table, "columns", column)
        if isinstance(cspec, dict) and cspec.get("derive"):
            out[column] = derived[column]
            continue
        values, why = _map_column(mapping, path, col, cspec, frame, read, names)
        src = cspec if isinstance(cspec, str) else cspec.get("from")
        if src:
            used.add(src)
        out[column] = values.reset_index(drop=True)
        has = why != ""
        reasons[has] = np.where(reasons[has] == "", why[has], reasons[has] + "; " + why[has])
    out[MAPPING_REASON] = pd.Series(reasons, dtype=object)
    result = pd.DataFrame(out, copy=False)
    _encode_repeating(result)
    ignored = set(mapping.data["sources"][read.name].get("ignore_columns") or [])
    for join in spec.get("join") or []:  # join keys are used; a joined source's ignore_columns hold too
        ((left_col, right_col),) = join["on"].items()
        ignored |= {left_col, f"{join['source']}.{right_col}"}
        ignored |= {
            f"{join['source']}.{c}" for c in mapping.data["sources"][join["source"]].get("ignore_columns") or []
        }
    names = read.columns + [f"{j['source']}.{c}" for j in spec.get("join") or [] for c in reads[j["source"]].columns]
    unmapped = [c for c in names if c not in used | ignored]
    main_path = read.files[0]
    raw = RawTable(
        table=table,
        source=Source(table, main_path, mapping.data["sources"][read.name].get("sheet")),
        frame=result,
        header_map={},
        extra_columns=[],
        encoding=read.encoding,
        separator=read.separator,
        excel=False,
        sha256=read.sha256[read.labels[0]],
        guarded=True,  # every cell of its source files passed the privacy guard in apply_mapping
    )
    return raw, {"unmapped_columns": unmapped, "history_unmatched": unmatched, "folded": folded}


def _unmatched_rows(mapping: Mapping, table: str, events: _Read, main: _Read, rows: np.ndarray) -> pd.DataFrame:
    """The history rows that name no application, as ingest writes them to the
    quarantine folder: where each is, why, and the three cells the history reads."""
    history = mapping.data["tables"][table]["history"]
    frame = events.frame.iloc[rows]
    key = history["key"]
    why = f"stage history: {key} names no application of {main.labels[0]} (or is empty)"
    out = pd.DataFrame(
        {
            "source_file": frame[SOURCE_FILE].astype(str).to_numpy(),
            "source_line": frame[SOURCE_LINE].to_numpy(),
            "reasons": why,
        }
    )
    for column in (key, history["at"], history["stage"]):
        out[column] = frame[column].astype(str).to_numpy()
    return out


def apply_mapping(mapping: Mapping | str | Path, raw_dir: str | Path) -> MappedExport:
    """Build the contract tables a mapping describes from the files in ``raw_dir``.

    Raises :class:`~pilot_eval.errors.IngestError` (a privacy finding, a file that cannot
    be read) or :class:`~pilot_eval.errors.MappingError` (a source column the mapping names
    is not in the file), naming file, column and row or the mapping's line.
    """
    mapping = load_mapping(mapping)
    raw_dir = Path(raw_dir)
    reads: dict[str, _Read] = {}
    need = _referenced(mapping)
    for name in mapping.data["sources"]:
        read = reads[name] = _read_source(mapping, name, raw_dir)
        # privacy first: every column of the file, before any value is mapped or quoted
        _guard(read, mapping.data["sources"][name].get("reviewed_headers"))
        unused = [c for c in read.columns if c not in need[name]]
        if unused:  # before the next file is read
            read.frame = read.frame.drop(columns=unused)
    export = MappedExport(raws={})
    sources: dict[str, dict] = {}
    for table, spec in mapping.data["tables"].items():
        read = reads[spec["source"]]
        raw, extra = _build_table(mapping, table, read, reads)
        unmatched = extra.pop("history_unmatched")
        export.raws[table] = raw
        for join in spec.get("join") or []:
            right = reads[join["source"]]
            sources[join["source"]] = {
                "files": right.labels,
                "sha256": right.sha256,
                "into": table,
                "role": "join",
                "rows": right.rows,
                "contract_rows": 0,
                "folded": 0,
                "lookup": right.rows,
                "quarantined": 0,
                "unmapped_columns": [],
            }
        folded = extra.pop("folded")
        if spec.get("history") and spec["history"]["source"] != read.name:
            events = reads[spec["history"]["source"]]
            quarantine_file = None
            if len(unmatched):
                export.set_aside[events.name] = _unmatched_rows(mapping, table, events, read, unmatched)
                quarantine_file = f"quarantine/_source_{events.name}.csv"
            sources[events.name] = {
                "files": events.labels,
                "sha256": events.sha256,
                "into": table,
                "role": "history",
                "rows": events.rows,
                "contract_rows": 0,
                "folded": events.rows - len(unmatched),
                "lookup": 0,
                "quarantined": len(unmatched),
                "unmapped_columns": [],
                "quarantine_file": quarantine_file,
            }
            if len(unmatched):
                export.notices.append(
                    f"{events.labels[0]}: {len(unmatched)} stage-history rows name no application of "
                    f"{read.labels[0]} and were set aside ({quarantine_file})"
                )
        sources[read.name] = {
            "files": read.labels,
            "sha256": read.sha256,
            "into": table,
            "role": "main",
            "rows": read.rows,
            "contract_rows": raw.n_rows,
            "folded": folded,  # rows of an application's history kept in its own source
            "lookup": 0,
            "quarantined": read.rows - raw.n_rows - folded,
            **extra,
        }
        for column in extra["unmapped_columns"]:
            export.notices.append(
                f"{read.labels[0]}: column {safe_value(column)!r} is not used by the mapping {mapping.path.name}"
            )
    for name, read in reads.items():
        if name not in sources:
            sources[name] = {
                "files": read.labels,
                "sha256": read.sha256,
                "into": None,
                "role": "unused",
                "rows": read.rows,
                "contract_rows": 0,
                "folded": 0,
                "lookup": read.rows,
                "quarantined": 0,
                "unmapped_columns": [],
            }
        export.source_paths += read.files
        reviewed = mapping.data["sources"][name].get("reviewed_headers")
        if reviewed:  # what the mapping's author vouched for, in the report for review
            sources[name]["reviewed_headers"] = dict(reviewed)
    export.accounting = {
        "file": str(mapping.path),
        "sha256": mapping.sha256,
        "name": mapping.name,
        "sources": sources,
    }
    return export
