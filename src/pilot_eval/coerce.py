"""Turning raw text cells into typed contract columns, strictly and vectorised.

Every parser returns the typed values and a boolean mask of the cells it could not
parse; such a row is quarantined with a reason, never kept with a silent NaT or NaN.
An empty cell is a null, not a failure (whether a null is allowed is a validation rule).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .contract import ColumnSpec, fold, stage_lookup
from .readers import looks_repeating

__all__ = ["parse_column", "parse_date", "parse_int", "parse_float", "parse_bool", "parse_enum", "parse_stage"]

_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_EXCEL_EPOCH = np.datetime64("1899-12-30")
#: The reason of a date before 1900 (:func:`parse_date`).
BEFORE_1900 = "before 1900: a typing error?"
_TRUE = {"ja", "j", "yes", "y", "true", "sant", "1", "x"}
_FALSE = {"nej", "n", "no", "false", "falskt", "0"}


def _clean(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = raw.astype("string").fillna("").str.strip()
    return text, text == ""


def parse_date(raw: pd.Series, *, excel: bool = False, month: bool = False) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Parse ISO dates (``YYYY-MM-DD``, optionally with a midnight time as Excel writes).

    Returns ``(datetime64 series, {reason: mask})``. In Excel sources a whole number is a
    serial date (days since 1899-12-30); in CSV it is refused with its own reason, because
    a bare number there is far more often an export mistake. ``month=True`` also accepts
    ``YYYY-MM`` and requires the first day of a month.

    A date written before 1900 (``1024-05-12``, ``1899-12-31``) is no date of a recruitment
    but a typing error of the year: it is refused with its own reason, "before 1900: a
    typing error?", whether it would parse or not (pandas cannot hold a date before 1677
    and would call it invalid). An Excel serial is never before 1900 (Excel counts from
    1900-01-01).
    """
    text, empty = _clean(raw)
    if month:
        text = text.where(~text.str.fullmatch(r"\d{4}-\d{2}"), text + "-01")
    iso = text.str.fullmatch(_ISO_DATE).fillna(False)
    early = iso & (text.str.slice(0, 4) < "1900")  # four digits: compared as text
    iso &= ~early
    parsed = pd.to_datetime(text.where(iso).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    number = ~empty & text.str.fullmatch(r"\d{1,7}(?:[.,]0+)?").fillna(False)
    failures: dict[str, pd.Series] = {}
    serial_like = pd.Series(False, index=text.index)
    if excel:
        serial = pd.to_numeric(text.where(number).str.replace(",", ".", regex=False), errors="coerce")
        ok = number & serial.between(1, 2958465)
        days = serial.where(ok).fillna(0).astype("int64").to_numpy().astype("timedelta64[D]")
        as_date = pd.Series(_EXCEL_EPOCH + days, index=text.index).astype("datetime64[ns]")
        parsed = parsed.where(~ok, as_date)
    else:
        serial_like = number & parsed.isna()
        failures["not a date but a number (Excel serial date?); export dates as YYYY-MM-DD"] = serial_like
    failures[BEFORE_1900] = early
    failures["not a valid date (YYYY-MM-DD)"] = ~empty & parsed.isna() & ~serial_like & ~early
    if month:
        failures["not the first day of a month"] = parsed.notna() & (parsed.dt.day != 1)
    return parsed.astype("datetime64[ns]"), failures


def _number_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text, empty = _clean(raw)
    text = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    has_comma = text.str.contains(",", regex=False)
    has_dot = text.str.contains(".", regex=False)
    text = text.where(~(has_comma & ~has_dot), text.str.replace(",", ".", regex=False))
    return text, empty


def parse_int(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Whole numbers; ``1 234`` and ``3,0`` are accepted, ``2,5`` and ``tre`` are not."""
    text, empty = _number_text(raw)
    ok = text.str.fullmatch(r"[+-]?\d+(?:\.0+)?").fillna(False)
    values = pd.to_numeric(text.where(ok), errors="coerce")
    out = pd.array(values.round(), dtype="Int64") if len(values) else pd.array([], dtype="Int64")
    return pd.Series(out, index=raw.index), {"not a whole number": ~empty & ~ok}


def parse_float(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Decimal numbers with a decimal point or a decimal comma (``12,5``)."""
    text, empty = _number_text(raw)
    ok = text.str.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)").fillna(False)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
    return values, {"not a number": ~empty & ~ok}


def parse_bool(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """ja/nej, yes/no, true/false, 1/0 (any case)."""
    text, empty = _clean(raw)
    folded = text.str.lower()
    is_true = folded.isin(_TRUE)
    is_false = folded.isin(_FALSE)
    values = pd.Series(pd.array([pd.NA] * len(text), dtype="boolean"), index=raw.index)
    values[is_true.to_numpy()] = True
    values[is_false.to_numpy()] = False
    return values, {"not yes/no (ja/nej, true/false, 1/0)": ~empty & ~is_true & ~is_false}


def _fold_series(text: pd.Series) -> pd.Series:
    uniques = pd.unique(text.to_numpy(dtype=object))
    mapping = {u: fold(u) for u in uniques}
    return text.map(mapping)


def parse_enum(raw: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Map English, Swedish and alias labels to canonical values.

    An unknown label is kept as written so that the GX ``in_set`` expectation reports it;
    it is therefore not a parse failure here.
    """
    text, empty = _clean(raw)
    lookup = spec.label_lookup()
    mapped = _fold_series(text).map(lookup)
    values = mapped.where(mapped.notna(), text).astype(object)
    values[empty.to_numpy()] = None
    return values, {}


def parse_stage(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """A funnel stage: its number (0–7, any integer is passed to the range check) or its
    English or Swedish name."""
    text, empty = _clean(raw)
    lookup = stage_lookup()
    named = _fold_series(text).map(lookup)
    numeric, _ = parse_int(text.where(named.isna(), ""))
    values = pd.Series(pd.array(named, dtype="Int64"), index=raw.index)
    values = values.fillna(numeric)
    return values, {"not a stage (0–7 or a stage name)": ~empty & values.isna()}


def _arrow_strings(raw: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow string data of an Arrow-backed string Series (as the CSV reader's fast
    path gives), else None."""
    if isinstance(raw.dtype, pd.ArrowDtype) and (
        pa.types.is_string(raw.dtype.pyarrow_dtype) or pa.types.is_large_string(raw.dtype.pyarrow_dtype)
    ):
        data = pa.array(raw.array)
        return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
    return None


def _edge_mask(chunk: pa.Array) -> np.ndarray:
    """Which values begin or end with a character other than printable ASCII (``!``..``~``):
    only those can change when stripped. Read off the UTF-8 bytes (a non-ASCII character
    begins with a byte >= 0xC2 and ends with one in 0x80..0xBF), without a Python call
    per value."""
    n = len(chunk)
    width = 8 if pa.types.is_large_string(chunk.type) else 4
    buffers = chunk.buffers()
    offsets = np.frombuffer(
        buffers[1], dtype=np.int64 if width == 8 else np.int32, count=n + 1, offset=chunk.offset * width
    )
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    nonempty = np.flatnonzero(ends > starts)
    first, last = data[starts[nonempty]], data[ends[nonempty] - 1]
    edge = np.zeros(n, dtype=bool)
    edge[nonempty] = (first < 0x21) | (first > 0x7E) | (last < 0x21) | (last > 0x7E)
    if chunk.null_count:
        edge &= chunk.is_valid().to_numpy(zero_copy_only=False)
    return edge


def _parse_text_arrow(data: pa.ChunkedArray) -> pa.ChunkedArray:
    """:func:`parse_text` on Arrow strings, into Arrow strings: values that begin or end
    with something other than printable ASCII go through Python's ``str.strip`` (the
    only values stripping can change); an empty value becomes null. A column without
    either is returned as it is, without a copy."""
    chunks = []
    for chunk in data.chunks:
        edges = np.flatnonzero(_edge_mask(chunk))
        if len(edges):
            stripped = [v.strip() for v in chunk.take(pa.array(edges)).to_pylist()]
            mask = np.zeros(len(chunk), dtype=bool)
            mask[edges] = True
            chunk = pc.replace_with_mask(chunk, pa.array(mask), pa.array(stripped, type=chunk.type))
        empty = pc.equal(chunk, "")
        if pc.any(empty).as_py():
            chunk = pc.if_else(empty, pa.scalar(None, type=chunk.type), chunk)
        chunks.append(chunk)
    out = pa.chunked_array(chunks, type=data.type)
    return out if out.type == pa.string() else out.cast(pa.string())


def parse_text(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """IDs and free codes: stripped; an empty value is null. Never a failure.

    Returns Arrow-backed strings (``string[pyarrow]``); :func:`parse_column` gives a
    Categorical instead for a repeating column."""
    data = _arrow_strings(raw)
    if data is None:
        text, empty = _clean(raw)
        values = text.astype(object)
        values[empty.to_numpy()] = None
        data = pa.chunked_array([pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)])
    return pd.Series(pd.arrays.ArrowExtensionArray(_parse_text_arrow(data)), index=raw.index, copy=False), {}


def _distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, distinct texts)``: every row's position among the distinct texts (object
    dtype; a null raw value is a distinct value None)."""
    if isinstance(raw.dtype, pd.CategoricalDtype):  # the reader's form of a repeating column
        codes = raw.cat.codes.to_numpy()
        uniques = np.asarray(raw.cat.categories, dtype=object)
    elif _arrow_strings(raw) is not None:
        codes, uniques = pd.factorize(raw)  # Arrow's hash kernel, no Python object per cell
        uniques = np.asarray(uniques, dtype=object)
    else:
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    if len(codes) and codes.min() < 0:  # nulls
        uniques = np.append(uniques, None)
        codes = np.where(codes < 0, len(uniques) - 1, codes)
    uniques[pd.isna(uniques)] = None
    return codes, pd.Series(uniques, dtype=object)


def _categorical(unique_values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-row values from parsed distinct values, as a Categorical (None is null; two
    texts that parse to the same value share a category)."""
    value_codes, categories = pd.factorize(unique_values.to_numpy(dtype=object))
    categorical = pd.Categorical.from_codes(value_codes[codes], categories=np.asarray(categories, dtype=object))
    return pd.Series(categorical, index=index, copy=False)


def parse_column(raw: pd.Series, spec: ColumnSpec, *, excel: bool = False) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Parse one raw column by its contract kind. Returns ``(values, {reason: mask})``, with
    only the reasons some row has.

    Dates, numbers and labels repeat a lot (a few thousand distinct dates in a million
    rows), so each distinct text is parsed once and the result spread back by position.
    Enums, and IDs and codes whose values repeat (a foreign key), come back as
    Categoricals; other IDs and codes as Arrow-backed strings (no Python object per
    value); dates as ``datetime64[ns]``, whole numbers and stages as ``Int64``, decimals
    as ``float64``, booleans as ``boolean``.
    """
    if (
        spec.kind in ("id", "str")
        and not isinstance(raw.dtype, pd.CategoricalDtype)
        and not (len(raw) >= 50_000 and looks_repeating(raw))
    ):
        return parse_text(raw)
    codes, uniques = _distinct(raw)
    if spec.kind in ("id", "str"):
        text, empty = _clean(uniques)
        unique_values = text.astype(object)
        unique_values[empty.to_numpy()] = None
        return _categorical(unique_values, codes, raw.index), {}
    unique_values, unique_failures = _parse_kind(uniques, spec, excel)
    failures = {}
    for reason, mask in unique_failures.items():
        mask = np.asarray(mask.fillna(False), dtype=bool)
        if mask.any():  # a reason no distinct value has is left out: no row has it
            failures[reason] = pd.Series(mask[codes], index=raw.index)
    if spec.kind == "enum":
        return _categorical(unique_values, codes, raw.index), failures
    return pd.Series(unique_values.array.take(codes), index=raw.index, copy=False), failures


def _parse_kind(raw: pd.Series, spec: ColumnSpec, excel: bool) -> tuple[pd.Series, dict[str, pd.Series]]:
    if spec.kind == "date":
        return parse_date(raw, excel=excel, month=spec.name == "month")
    if spec.kind == "int":
        return parse_int(raw)
    if spec.kind == "float":
        return parse_float(raw)
    if spec.kind == "bool":
        return parse_bool(raw)
    if spec.kind == "enum":
        return parse_enum(raw, spec)
    if spec.kind == "stage":
        return parse_stage(raw)
    raise ValueError(f"unknown column kind {spec.kind!r} for {spec.name}")
