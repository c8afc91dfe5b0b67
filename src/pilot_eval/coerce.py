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

__all__ = ["parse_column", "parse_date", "parse_int", "parse_float", "parse_bool", "parse_enum", "parse_stage"]

_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_EDGE = r"^[^!-~]|[^!-~]$"  # a value whose first or last character is not printable ASCII
_EXCEL_EPOCH = np.datetime64("1899-12-30")
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
    """
    text, empty = _clean(raw)
    if month:
        text = text.where(~text.str.fullmatch(r"\d{4}-\d{2}"), text + "-01")
    iso = text.str.fullmatch(_ISO_DATE).fillna(False)
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
    failures["not a valid date (YYYY-MM-DD)"] = ~empty & parsed.isna() & ~serial_like
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
    if isinstance(raw.dtype, pd.ArrowDtype) and pa.types.is_string(raw.dtype.pyarrow_dtype) \
            or isinstance(raw.dtype, pd.ArrowDtype) and pa.types.is_large_string(raw.dtype.pyarrow_dtype):
        data = pa.array(raw.array)
        return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
    return None


def _parse_text_arrow(raw: pd.Series, data: pa.ChunkedArray) -> tuple[pd.Series, dict[str, pd.Series]]:
    """:func:`parse_text` for Arrow strings: only values that begin or end with something
    other than printable ASCII can change when stripped, so only those go through
    Python's ``str.strip`` (the same result, without a Python call per value)."""
    values = data.to_numpy()  # object array of str (no nulls: the reader gives "" for empty)
    empty = pc.equal(data, "").to_numpy()
    edges = np.flatnonzero(pc.match_substring_regex(data, _EDGE).to_numpy())
    if len(edges):
        stripped = np.array([v.strip() if isinstance(v, str) else "" for v in values[edges]], dtype=object)
        values[edges] = stripped
        empty[edges] = stripped == ""
    values[empty] = None
    return pd.Series(values, index=raw.index, dtype=object), {}


def parse_text(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    data = _arrow_strings(raw)
    if data is not None and data.null_count == 0:
        if len(raw) >= 50_000 and raw.iloc[:10_000].nunique() <= 5_000:
            # a repeating column (a foreign key): one Python string per distinct value
            codes, uniques = pd.factorize(raw)
            unique_values, _ = _parse_text_arrow(pd.Series(uniques), _arrow_strings(pd.Series(uniques)))
            return pd.Series(unique_values.to_numpy()[codes], index=raw.index, dtype=object), {}
        return _parse_text_arrow(raw, data)
    text, empty = _clean(raw)
    values = text.astype(object)
    values[empty.to_numpy()] = None
    return values, {}


def parse_column(raw: pd.Series, spec: ColumnSpec, *, excel: bool = False) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Parse one raw column by its contract kind. Returns ``(values, {reason: mask})``.

    Dates, numbers and labels repeat a lot (a few thousand distinct dates in a million
    rows), so each distinct text is parsed once and the result spread back by position.
    """
    if spec.kind in ("id", "str"):
        return parse_text(raw)
    if _arrow_strings(raw) is not None:
        codes, uniques = pd.factorize(raw)  # Arrow's hash kernel, no Python object per cell
        uniques = np.asarray(uniques, dtype=object)
        uniques[pd.isna(uniques)] = None
    else:
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
    unique_values, unique_failures = _parse_kind(pd.Series(uniques, dtype=object), spec, excel)
    values = unique_values.take(codes).reset_index(drop=True)
    values.index = raw.index
    failures = {reason: pd.Series(np.asarray(mask.fillna(False), dtype=bool)[codes], index=raw.index)
                for reason, mask in unique_failures.items()}
    return values, failures


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
