"""The privacy guard of ingest: refuse raw exports that contain direct identifiers.

No direct identifier (personnummer, name, e-mail, phone, address, free text) may enter
the evaluation (docs/ingest.md, "Privacy first"). Ingest reads every raw column as strings and calls
:func:`scan_frame` *before anything is written*; if it gets a finding back it stops with
exit status 2 and an error that names the file, the column and the first offending row
(once) followed by :meth:`IdentifierFinding.describe`, but never the offending value.

Order: the guard comes before any check that can quote what it guards. The reader
(:func:`pilot_eval.readers.read_source`) runs :func:`scan_header` on the raw header names
(and refuses a sheet or workbook name that holds an identifier) before its own header
checks (a repeated column name, two headers for one column), so a file exported without
its header row, whose first line of data stands where the names should be, is refused
as such and its values are never quoted as "column names"; the cells are scanned before
anything (a hint, a notice, a quarantine file, Data Docs) can show them. As a defence in
depth, every message that ingest, its report and ``pilot-eval ingest`` (text or
``--json``) emit passes through :func:`redact` (text: the identifier is replaced in
place) or :func:`safe_value` (one quoted header or cell: replaced whole by a placeholder
naming what it looks like, e.g. ``<withheld: looks like a personnummer>``), and an
:class:`~pilot_eval.errors.IngestError` through :func:`scrub_error`, which keeps the file,
table, column and row it names. Both use the detectors below, never a second set of rules.

Two kinds of evidence are used:

* **Headers** (:func:`scan_header`): a column whose header names a direct identifier
  (``Personnummer``, ``Förnamn``, ``E-post``, ``Telefon``, ``Adress``, ``Kommentar``, ...)
  is refused whatever it holds. This is the only defence against names and free text,
  which cannot be recognised reliably from the values. The contract's own headers
  (every ``ColumnSpec.name`` and ``.swedish`` in :data:`pilot_eval.contract.TABLES`) are
  never flagged.
* **Values** (:func:`scan_series`), searched anywhere in a value
  (``"pnr 19811218-9876 ok"`` is caught):

  - *personnummer* in the forms YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN and
    YYYYMMDDNNNN, if the Luhn check digit over YYMMDDNNNN is right and the date exists
    (leap years included; century 18, 19 or 20 in the 12-digit form); a
    *samordningsnummer* is the same with day + 60. Ten digits that fail the Luhn check
    or the date are *not* flagged, so opaque numeric pseudonyms pass (but about 0.7 %
    of random ten-digit numbers pass both checks by chance: see Notes). The number must
    not touch a digit or an ASCII letter on either side.
  - *e-mail*: ``something@domain.tld``.
  - *phone*: a Swedish number as HR systems write it: trunk prefix 0, +46 or 0046 (then
    optionally "(0)"), then 7-10 digits, either run together (``0701234567``) or as an
    area code of 1-3 digits, a separator ("-", "/", space) and a subscriber number of
    5-8 digits run together or in groups of 2-3 (``070-123 45 67``, ``08-12 34 56``,
    ``+46 70 123 45 67``, ``(08) 123 45 67``). ISO dates, decimal-comma numbers, SSYK
    codes, amounts such as "12 500" and IDs such as "R-0a1b2c3d" or "A-07012345" do not
    match: the prefix must start a token (not follow a digit, a letter, a hyphen glued
    to a letter or digit, or a decimal comma).

Method: the column is converted once to an Arrow-backed pandas Series, so
``Series.str.contains`` runs as a vectorised RE2 kernel. E-mail and phone patterns are
exact (the digit-count rules are enumerated into the phone pattern), so a cheap
pre-filter ("@", a trunk prefix at a token start) and one ``str.contains`` on the
candidates decide. Personnummer candidates (the shape with a plausible month and
day) that are the whole value have their digits read by position and checked with
numpy; the rare embedded ones go through ``str.extract``. There is no Python loop per
value. Every regular expression is in the subset shared by RE2 and Python's :mod:`re`,
so the object-dtype fallback (only used if the values cannot be converted to Arrow
strings) gives the same answers, just slower.

Notes
-----
Known limits: names and free text are caught by header only; a ten-digit numeric ID
column will almost surely contain some values that happen to be valid personnummer
and be refused (use IDs with letters); a numeric code with a single leading zero and
8-11 digits (``01270001``) looks like a phone number; numbers written with other
separators (``811218 9876``, ``08.123 45 67``, ``08-1234 5678``) are not recognised.

Examples
--------
>>> import pandas as pd
>>> is_personnummer("811218-9876")
'personnummer'
>>> is_personnummer("811218-9875") is None     # wrong check digit
True
>>> f = scan_series(pd.Series(["R-0a1b2c3d", "", "ring 070-123 45 67"]), "Kontakt")
>>> (f.kind, f.position, f.count)
('phone', 2, 1)
>>> scan_header("Förnamn").kind
'identifier_header'
>>> scan_header("Sista ansökningsdag") is None  # a contract header
True
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pilot_eval.contract import TABLES, fold
from pilot_eval.errors import IngestError

__all__ = [
    "IdentifierFinding",
    "KINDS",
    "identifier_mask",
    "is_personnummer",
    "looks_like_identifier",
    "redact",
    "safe_value",
    "scrub_error",
    "scan_series",
    "scan_header",
    "scan_frame",
]

KINDS = ("personnummer", "samordningsnummer", "email", "phone", "identifier_header")
"""Every value :attr:`IdentifierFinding.kind` can take."""

_KIND_TEXT = {
    "personnummer": "a Swedish personal identity number (personnummer)",
    "samordningsnummer": "a Swedish co-ordination number (samordningsnummer)",
    "email": "an e-mail address",
    "phone": "a phone number",
}


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class IdentifierFinding:
    """A direct identifier found in a raw export.

    Attributes
    ----------
    column : str
        The header as it appears in the file.
    kind : str
        ``"personnummer"``, ``"samordningsnummer"``, ``"email"``, ``"phone"`` (a value
        finding) or ``"identifier_header"`` (the header itself names, or is, a direct
        identifier).
    position : int
        0-based position within the scanned Series of the first offending value; -1 for
        header findings.
    count : int
        How many values in the column matched any kind (a value counts once even if it
        holds several identifiers); 0 for header findings.
    """

    column: str
    kind: str
    position: int
    count: int

    @property
    def is_header(self) -> bool:
        """True for a header finding (``position == -1``)."""
        return self.position < 0

    def describe(self, file: str | None = None, row: int | None = None) -> str:
        """A message for the person running ingest; it never contains the value.

        Parameters
        ----------
        file : str, optional
            The file (or ``file[sheet]``) the column was read from. Given, the message
            stands alone: it starts with the file, the column and the row. Left out, the
            message is the body only (what was found and what to do), for an error that
            names file, column and row itself, as ingest's ``IngestError`` does; the
            location is then not repeated.
        row : int or None
            The row number the user will recognise (ingest computes it from
            :attr:`position`: header line, 1-based numbering); None if unknown.
            Ignored for header findings.

        Returns
        -------
        str
            One paragraph of plain English saying what was found and what to do. A file
            name or header that itself looks like an identifier (e.g. a file exported
            without a header row) is redacted as well.
        """
        if file is not None:
            where = f"{redact(str(file))}: column {_safe_header(self.column)}"
            if not self.is_header:
                where += f", row {row}" if row is not None else f", value number {self.position + 1}"
            subject = f"{where}: the column"
        else:
            subject = "The column"
        if self.is_header and _text_kind(self.column) is not None:
            return (
                f"{subject} name is {_KIND_TEXT[_text_kind(self.column)]} (not shown): the header line "
                "holds data, so the file was probably exported without its header row. Export it "
                "again with the column names in the first line (and without direct identifiers, which "
                "must not enter the evaluation), and run ingest again."
            )
        if self.is_header:
            return (
                f"{subject} is named like a direct identifier (personal "
                "identity number, name, e-mail, phone, address or free text), which "
                "must not enter the evaluation. Remove the column from the export (the "
                "evaluation does not use it). If it really holds something else, "
                "pseudonymise it in the export and give it a neutral name."
            )
        what = _KIND_TEXT.get(self.kind, "a direct identifier")
        n = f"{self.count} value" + ("" if self.count == 1 else "s")
        first = "" if file is not None or row is not None else f", the first at value number {self.position + 1}"
        return (
            f"{subject} contains {what} ({n} in all{first}; the values "
            "are not shown). Direct identifiers must not enter the evaluation. Remove "
            "the column from the export, or pseudonymise it in the export (replace each "
            "identifier by an opaque ID), and run ingest again."
        )


# --------------------------------------------------------------------------- patterns
#
# Only the subset of regular-expression syntax shared by RE2 (pyarrow) and Python's re:
# no look-around, no back-references, [0-9] instead of \d. Boundaries are therefore
# consumed characters.

_NBSP = "\u00a0"

# personnummer / samordningsnummer: YYMMDD[-+]NNNN, YYYYMMDD[-+]NNNN (century 18/19/20),
# month 01-12 and day 00-39 or 60-99 (the exact calendar and Luhn checks are numeric).
# Not preceded or followed by a digit or an ASCII letter (so hex IDs such as UUIDs are
# not mined for digit runs); a hyphen may precede ("P-8112189876" is caught).
_PNR = (
    r"(?:^|[^0-9A-Za-z])"
    r"(?P<pnr>(?P<date>(?:18|19|20)?[0-9]{2}(?:0[1-9]|1[0-2])(?:[0-3][0-9]|[6-9][0-9]))"
    r"[-+]?(?P<serial>[0-9]{4}))"
    r"(?:[^0-9A-Za-z]|$)"
)
# A value that is nothing but a number of that shape (after trimming white space): its
# digits can be read by position, without the (slow) regex extraction.
_PNR_WHOLE = r"(?:18|19|20)?[0-9]{6}[-+]?[0-9]{4}"

_EMAIL = r"(?P<email>[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)*\.[A-Za-z]{2,})"


def _phone_pattern() -> str:
    """The exact Swedish phone-number pattern (see the module docstring).

    A trunk prefix (0, +46 or 0046, the latter optionally followed by "(0)"), then either
    7-10 digits run together, or an area code of 1-3 digits, a separator and a
    subscriber number of 5-8 digits (run together or in groups of 2-3 digits) such that
    area code and subscriber number have 7-10 digits together. The digit counts are
    enumerated into the pattern so that a plain match is the whole check.

    Boundary before: start, or a character that is not a digit, letter, "+", "_", ",",
    "." or "-"; a "," or "." is accepted if no digit precedes it (not a decimal comma),
    a "-" if no digit or letter precedes it (not inside "A-07012345" or an ISO date).
    Boundary after: no digit or ASCII letter.
    """
    space = f"[ {_NBSP}]"
    sep = f"(?:{space}?[-–/]{space}?|{space})"  # between area code and number
    gsep = f"[ \\-{_NBSP}]"  # between groups of the subscriber number

    def subscriber(n_digits: set[int]) -> str:
        forms = [f"[1-9][0-9]{{{n - 1}}}" for n in sorted(n_digits)]  # run together
        for groups in (2, 3, 4):
            for sizes in itertools.product((2, 3), repeat=groups):
                if sum(sizes) in n_digits:
                    forms.append(f"[1-9][0-9]{{{sizes[0] - 1}}}" + "".join(f"{gsep}[0-9]{{{k}}}" for k in sizes[1:]))
        return "(?:" + "|".join(forms) + ")"

    def area_and_number(area_open: str, area_close: str) -> str:
        forms = []
        for area in (1, 2, 3):
            ok = {s for s in range(5, 9) if 7 <= area + s <= 10}
            forms.append(f"{area_open}[1-9][0-9]{{{area - 1}}}{area_close}{subscriber(ok)}")
        return "(?:" + "|".join(forms) + ")"

    trunk = rf"(?:(?:\+46|0046){gsep}?(?:\(0\){gsep}?)?|0)"
    separated = area_and_number("", sep)
    in_parens = area_and_number(r"\(0", r"\)" + space + "?")  # "(08) 123 45 67"
    core = f"(?:{trunk}(?:[1-9][0-9]{{6,9}}|{separated})|{in_parens})"
    before = r"(?:^|[^0-9A-Za-z,.\-_+]|(?:^|[^0-9])[,.]|(?:^|[^0-9A-Za-z])-)"
    after = r"(?:[^0-9A-Za-z]|$)"
    return f"{before}(?P<phone>{core}){after}"


_PHONE = _phone_pattern()
# Cheap pre-filter: a trunk prefix at a boundary.
_PHONE_PREFILTER = (
    r"(?:^|[^0-9A-Za-z,.\-_+]|(?:^|[^0-9])[,.]|(?:^|[^0-9A-Za-z])-)"
    r"(?:\+46|0046|\(?0[1-9])"
)


def _nocapture(pattern: str) -> str:
    """The pattern with its named groups made non-capturing (for ``str.contains``)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_PNR_RE = re.compile(_PNR)
_EMAIL_RE = re.compile(_EMAIL)
_PHONE_RE = re.compile(_PHONE)
_PNR_FILTER = _nocapture(_PNR)
_EMAIL_FILTER = _nocapture(_EMAIL)
_PHONE_FILTER = _nocapture(_PHONE)
_DIGITS_PREFILTER = f"(?:{_PHONE_PREFILTER})|(?:{_PNR_FILTER})"

# --------------------------------------------------------------------------- exact checks

_LUHN_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int16)  # digit sum of 2*d
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)

_NONE, _PNR_CODE, _SAMORD_CODE, _EMAIL_CODE, _PHONE_CODE = 0, 1, 2, 3, 4
_CODE_KIND = {_PNR_CODE: "personnummer", _SAMORD_CODE: "samordningsnummer", _EMAIL_CODE: "email", _PHONE_CODE: "phone"}


def _pnr_codes(digits: np.ndarray, century: np.ndarray) -> np.ndarray:
    """Vectorised validity check of candidate numbers.

    Parameters
    ----------
    digits : ndarray of shape (n, 10)
        The ten digits YYMMDDNNNN of each candidate (day + 60 for a samordningsnummer).
    century : ndarray of int, shape (n,)
        The first two digits of the 12-digit form, or -1 for the 10-digit form.

    Returns
    -------
    ndarray of int8
        ``_PNR_CODE``, ``_SAMORD_CODE`` or ``_NONE`` per candidate: the Luhn check digit
        (the last digit) must be right and the date must exist (leap years included;
        with an unknown century, YY divisible by 4 allows 29 February, since 2000 was a
        leap year), and a given century must be 18, 19 or 20.
    """
    d = np.ascontiguousarray(np.asarray(digits, dtype=np.int16).reshape(-1, 10).T)
    century = np.asarray(century, dtype=np.int16).reshape(-1)
    # Luhn: digits in even positions (0, 2, ..., 8) are doubled and their digit sums taken.
    total = d[1] + d[3] + d[5] + d[7]
    for i in (0, 2, 4, 6, 8):
        total = total + _LUHN_DOUBLED[d[i]]
    valid = (10 - total % 10) % 10 == d[9]

    yy = d[0] * 10 + d[1]
    mm = d[2] * 10 + d[3]
    dd = d[4] * 10 + d[5]
    samord = dd > 60
    day = np.where(samord, dd - 60, dd)
    known = century >= 0
    year = century.astype(np.int32) * 100 + yy
    leap = np.where(known, (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), yy % 4 == 0)
    days = _DAYS_IN_MONTH[np.clip(mm, 0, 12)] + ((mm == 2) & leap)
    valid &= (mm >= 1) & (mm <= 12) & (day >= 1) & (day <= days)
    valid &= ~known | (century == 18) | (century == 19) | (century == 20)
    return np.where(valid, np.where(samord, _SAMORD_CODE, _PNR_CODE), _NONE).astype(np.int8)


def _digit_matrix(strings: pd.Series, width: int) -> np.ndarray:
    """Digits of equal-width ASCII digit strings as an (n, width) uint8 array."""
    n = len(strings)
    if n == 0:
        return np.zeros((0, width), dtype=np.uint8)
    if isinstance(strings.dtype, pd.ArrowDtype):
        # Read the Arrow data buffer directly: n strings of `width` bytes back to back.
        arr = pa.array(strings.array)  # via __arrow_array__: no copy
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.cast(pa.large_binary())
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
        if arr.null_count == 0 and np.all(np.diff(offsets) == width):
            data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
            block = data[offsets[0] : offsets[0] + n * width]
            return block.reshape(n, width) - np.uint8(48)
    text = "".join(strings.astype(object).tolist()).encode("ascii")
    return np.frombuffer(text, dtype=np.uint8).reshape(n, width) - np.uint8(48)


# Layouts of a value that is nothing but the number, by its length: the columns holding
# the century (if any) and the ten digits YYMMDDNNNN.
_PNR_LAYOUTS = {
    10: (None, list(range(10))),  # YYMMDDNNNN
    11: (None, [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]),  # YYMMDD-NNNN
    12: ([0, 1], list(range(2, 12))),  # YYYYMMDDNNNN
    13: ([0, 1], [2, 3, 4, 5, 6, 7, 9, 10, 11, 12]),  # YYYYMMDD-NNNN
}


def _pnr_codes_of(numbers: pd.Series) -> np.ndarray:
    """Codes for strings that are nothing but a number in one of the layouts above."""
    codes = np.zeros(len(numbers), dtype=np.int8)
    lengths = numbers.str.len().to_numpy(dtype=np.int64, na_value=0)
    for length, (century_cols, ten_cols) in _PNR_LAYOUTS.items():
        rows = lengths == length
        if not rows.any():
            continue
        part = numbers if rows.all() else numbers[rows]
        digits = _digit_matrix(part, length)
        if century_cols is None:
            century = np.full(len(part), -1, dtype=np.int16)
        else:
            century = digits[:, 0].astype(np.int16) * 10 + digits[:, 1]
        codes[rows] = _pnr_codes(digits[:, ten_cols], century)
    return codes


def _validate_pnr(groups: pd.DataFrame) -> np.ndarray:
    """Codes for the rows of ``str.extract(_PNR)`` (all rows have a match)."""
    return _pnr_codes_of(groups["date"].str.cat(groups["serial"]))


# --------------------------------------------------------------------------- scanning


def _as_strings(values: pd.Series) -> pd.Series:
    """The values as an Arrow-backed string Series with a fresh RangeIndex (NaN and None
    become null), or as plain ``str`` objects if Arrow refuses them."""
    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        return pd.Series(pd.arrays.ArrowExtensionArray(arr), copy=False)
    except (pa.ArrowException, TypeError, ValueError):
        obj = values.to_numpy(dtype=object, copy=True)
        obj = np.array(["" if _isna(v) else str(v) for v in obj], dtype=object)
        return pd.Series(obj, dtype=object)


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _contains(s: pd.Series, pattern: str, regex: bool = True) -> np.ndarray:
    return s.str.contains(pattern, regex=regex, na=False).to_numpy(dtype=bool, na_value=False)


def _email_rows(s: pd.Series) -> np.ndarray:
    """Rows holding an e-mail address (the pattern is exact; "@" pre-filters)."""
    hit = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(_contains(s, "@", regex=False))
    if len(idx):
        hit[idx[_contains(s.iloc[idx], _EMAIL_FILTER)]] = True
    return hit


def _phone_rows(s: pd.Series) -> np.ndarray:
    """Rows holding a phone number (the pattern is exact; a trunk prefix pre-filters)."""
    hit = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(_contains(s, _PHONE_PREFILTER))
    if len(idx):
        hit[idx[_contains(s.iloc[idx], _PHONE_FILTER)]] = True
    return hit


def _pnr_rows(s: pd.Series) -> np.ndarray:
    """Code per row: personnummer, samordningsnummer or none.

    The pre-filter (the shape with a plausible month and day) picks the candidates.
    Candidates that are nothing but the number are checked by position; the others
    have their first match extracted and checked, and those whose first match fails are
    searched again with that match removed, until each has a valid match or none left.
    All of it is vectorised and proportional to the number of candidates.
    """
    codes = np.zeros(len(s), dtype=np.int8)
    idx = np.flatnonzero(_contains(s, _PNR_FILTER))
    if not len(idx):
        return codes
    cur = (s if len(idx) == len(s) else s.iloc[idx]).str.strip()
    whole = cur.str.fullmatch(_PNR_WHOLE).to_numpy(dtype=bool, na_value=False)
    if whole.all():
        codes[idx] = _pnr_codes_of(cur)
        return codes
    if whole.any():
        codes[idx[whole]] = _pnr_codes_of(cur[whole])
    idx, cur = idx[~whole], cur[~whole]
    while len(idx):
        groups = cur.str.extract(_PNR, expand=True)
        found = groups["pnr"].notna().to_numpy(dtype=bool)
        idx, cur, groups = idx[found], cur[found], groups[found]
        if not len(idx):
            break
        got = _validate_pnr(groups)
        codes[idx] = got
        retry = got == _NONE
        idx, cur = idx[retry], cur[retry].str.replace(_PNR, " ", n=1, regex=True)
    return codes


def _codes(values: pd.Series) -> np.ndarray:
    """Kind code per value; personnummer beats e-mail beats phone in the same value.

    A Categorical (the reader's form of a repeating column) and a long Arrow column that
    repeats its values (dates, labels, codes: a few thousand distinct values in millions)
    are scanned once per distinct value and the codes spread back; a column of (mostly)
    distinct values, such as an ID, is scanned as it is.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # as the reader holds a repeating column
        categories = values.cat.categories
        unique_codes = (
            _scan_codes(_as_strings(pd.Series(categories, dtype=object)))
            if len(categories)
            else np.zeros(0, dtype=np.int8)
        )
        return np.append(unique_codes, np.int8(_NONE))[values.cat.codes.to_numpy()]
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_dictionary(values.dtype.pyarrow_dtype):
        # Arrow's dictionary array (the mapping engine's form of a column of many distinct
        # texts, readers.WIDE_DICTIONARY): each distinct text scanned once, as above
        array = pa.array(values.array)
        array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
        texts = pd.Series(pd.arrays.ArrowExtensionArray(array.dictionary.cast(pa.large_string())), copy=False)
        unique_codes = _scan_codes(texts) if len(texts) else np.zeros(0, dtype=np.int8)
        return np.append(unique_codes, np.int8(_NONE))[np.asarray(pc.fill_null(array.indices, len(texts)))]
    s = _as_strings(values)
    if (
        len(s) >= _DEDUPE_MIN
        and isinstance(s.dtype, pd.ArrowDtype)
        and s.iloc[:_DEDUPE_SAMPLE].nunique(dropna=False) <= _DEDUPE_SAMPLE // 2
    ):
        positions, uniques = pd.factorize(s)  # nulls get -1
        if len(uniques) <= len(s) // 2:
            unique_codes = _scan_codes(pd.Series(uniques, copy=False))
            return np.append(unique_codes, np.int8(_NONE))[positions]
    return _scan_codes(s)


_DEDUPE_MIN = 50_000
_DEDUPE_SAMPLE = 10_000


def _scan_codes(s: pd.Series) -> np.ndarray:
    codes = np.where(_email_rows(s), _EMAIL_CODE, _NONE).astype(np.int8)
    # One pass of the two digit pre-filters together, then each on the candidates.
    cand = np.flatnonzero(_contains(s, _DIGITS_PREFILTER))
    if len(cand):
        sub = s if len(cand) == len(s) else s.iloc[cand]
        phone = _phone_rows(sub)
        codes[cand[phone & (codes[cand] == _NONE)]] = _PHONE_CODE
        pnr = _pnr_rows(sub)
        codes[cand[pnr != _NONE]] = pnr[pnr != _NONE]
    return codes


def scan_series(values: pd.Series, column: str) -> IdentifierFinding | None:
    """Scan one column's values for personnummer, samordningsnummer, e-mail and phone.

    Parameters
    ----------
    values : pandas.Series
        The raw values as strings (object or any pandas string dtype); NaN/None are
        treated as empty. The index is ignored: positions are 0-based positions.
    column : str
        The header as it appears in the file (copied into the finding).

    Returns
    -------
    IdentifierFinding or None
        None if no value holds an identifier; otherwise one finding whose ``position``
        is the first offending value, ``kind`` the kind found there (personnummer /
        samordningsnummer before e-mail before phone if one value holds several) and
        ``count`` the number of offending values of any kind.

    Notes
    -----
    Matches are searched anywhere in a value, not only as the whole value. See the
    module docstring for the exact rules.
    """
    if len(values) == 0:
        return None
    codes = _codes(values)
    hits = np.flatnonzero(codes)
    if not len(hits):
        return None
    first = int(hits[0])
    return IdentifierFinding(str(column), _CODE_KIND[int(codes[first])], first, int(len(hits)))


def identifier_mask(values: pd.Series) -> np.ndarray:
    """Which values hold an identifier of any kind :func:`scan_series` finds (a boolean
    array by position).

    >>> identifier_mask(pd.Series(["R-1", "8112189876", "", "a@b.se"])).tolist()
    [False, True, False, True]
    """
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    return _codes(values) != _NONE


def is_personnummer(value: str) -> str | None:
    """Whether a value holds a valid personnummer or samordningsnummer.

    Parameters
    ----------
    value : str
        Any string; the number may be embedded in longer text. Non-strings give None.

    Returns
    -------
    str or None
        ``"personnummer"`` or ``"samordningsnummer"`` for the first valid number in
        the value (forms YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN,
        YYYYMMDDNNNN; Luhn check digit over YYMMDDNNNN right; the date exists, with
        day + 60 for a samordningsnummer; century 18, 19 or 20), else None.

    Examples
    --------
    >>> is_personnummer(" 19811218-9876 ")
    'personnummer'
    >>> is_personnummer("811278-9873")
    'samordningsnummer'
    >>> is_personnummer("8112189875") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value
    while (m := _PNR_RE.search(text)) is not None:
        date = m.group("date")
        ten = date[-6:] + m.group("serial")
        digits = np.frombuffer(ten.encode("ascii"), dtype=np.uint8) - 48
        code = _pnr_codes(digits, np.array([int(date[:2]) if len(date) == 8 else -1]))[0]
        if code != _NONE:
            return _CODE_KIND[int(code)]
        text = text[: m.start()] + " " + text[m.end() :]
    return None


def _text_kind(text: str) -> str | None:
    """The identifier kind a single string holds, if any (for headers and file names)."""
    finding = scan_series(pd.Series([text], dtype=object), "")
    return finding.kind if finding is not None else None


def redact(text: str) -> str:
    """``text`` with any identifier replaced by ``[redacted]`` (for messages: file
    names, notices).

    >>> redact("export_19811218-9876.csv")
    'export_[redacted].csv'
    """
    if _text_kind(text) is None:
        return text
    for regex, group in ((_PNR_RE, "pnr"), (_EMAIL_RE, "email"), (_PHONE_RE, "phone")):
        previous = None
        while previous != text:  # again: a consumed boundary can hide an adjacent match
            previous = text
            text = regex.sub(
                lambda m, g=group: (
                    m.group(0)[: m.start(g) - m.start()] + "[redacted]" + m.group(0)[m.end(g) - m.start() :]
                ),
                text,
            )
    return text


_KIND_SHORT = {
    "personnummer": "a personnummer",
    "samordningsnummer": "a samordningsnummer",
    "email": "an e-mail address",
    "phone": "a phone number",
}


def safe_value(value: object) -> str:
    """A header or cell as a message may quote it: its text if the guard would let it
    through, else a placeholder that says what it looks like (never a part of it).

    For one quoted value (an error's column, a header in a hint); a sentence that may
    hold an identifier somewhere goes through :func:`redact` instead. A header that only
    *names* an identifier ("Förnamn") is not a value the guard refuses and is kept: the
    user needs it to find the column.

    >>> safe_value("R-0a1b2c3d")
    'R-0a1b2c3d'
    >>> safe_value("19811218-9876")
    '<withheld: looks like a personnummer>'
    >>> safe_value(None)
    ''
    """
    text = "" if value is None else str(value)
    kind = _text_kind(text) if text else None
    return text if kind is None else f"<withheld: looks like {_KIND_SHORT[kind]}>"


def scrub_error(error: IngestError) -> IngestError:
    """``error`` made safe to show, in place (and returned): its message and file through
    :func:`redact`, its column through :func:`safe_value`; table and row are kept, so it
    still names where the problem is.

    >>> e = scrub_error(IngestError("the header repeats 8112189876", file="a.csv", column="811218-9876", row=1))
    >>> str(e)
    "file a.csv, column '<withheld: looks like a personnummer>', row 1: the header repeats [redacted]"
    """
    error.message = redact(error.message)
    if error.file is not None:
        error.file = redact(error.file)
    if error.column is not None:
        error.column = safe_value(error.column)
    error.args = (str(error),)
    return error


def looks_like_identifier(text: str) -> bool:
    """Whether a single text (e.g. a header) is itself a direct identifier value, so that
    a message must not echo it."""
    return _text_kind(str(text)) is not None


def _safe_header(header: str) -> str:
    """The header quoted for a message, or a placeholder if it holds an identifier."""
    kind = _text_kind(str(header))
    if kind is None:
        return repr(str(header))
    return f"[header not shown: it looks like {_KIND_TEXT[kind]}; was the file exported without a header row?]"


# --------------------------------------------------------------------------- headers


def _contract_headers() -> frozenset[str]:
    return frozenset(fold(name) for table in TABLES.values() for col in table.columns for name in col.headers)


_CONTRACT_HEADERS = _contract_headers()

# Words (one to three folded tokens, compared joined by "_" and run together) that name a
# direct identifier wherever they stand in a header.
_IDENTIFIER_WORDS = frozenset(
    [
        "personnummer",
        "personnr",
        "persnr",
        "pnr",
        "person_nummer",
        "personal_number",
        "personal_id_number",
        "personal_identity_number",
        "personal_identification_number",
        "national_id",
        "national_id_number",
        "national_identity_number",
        "social_security_number",
        "ssn",
        "samordningsnummer",
        "samordningsnr",
        "namn",
        "name",
        "fornamn",
        "efternamn",
        "tilltalsnamn",
        "mellannamn",
        "fullstandigt_namn",
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "full_name",
        "fullname",
        "surname",
        "given_name",
        "givenname",
        "family_name",
        "familyname",
        "middle_name",
        "middlename",
        "username",
        "user_name",
        "anvandarnamn",
        "kontaktperson",
        "contact_person",
        "e_post",
        "epost",
        "email",
        "e_mail",
        "mail",
        "mejl",
        "e_mejl",
        "epostadress",
        "mailadress",
        "mejladress",
        "telefon",
        "tel",
        "telnr",
        "tfn",
        "telefonnummer",
        "telefonnr",
        "mobil",
        "mobilnummer",
        "mobilnr",
        "mobiltelefon",
        "phone",
        "phone_number",
        "mobile",
        "mobile_number",
        "mobile_phone",
        "cellphone",
        "cell_phone",
        "adress",
        "address",
        "gatuadress",
        "hemadress",
        "postadress",
        "bostadsadress",
        "street",
        "gata",
        "postnummer",
        "postnr",
        "postort",
        "zip",
        "zipcode",
        "zip_code",
        "postal_code",
        "postcode",
        "c_o",
        "fritext",
        "free_text",
        "freetext",
        "kommentar",
        "kommentarer",
        "comment",
        "comments",
        "notes",
        "note",
        "notering",
        "noteringar",
        "anteckning",
        "anteckningar",
        "anmarkning",
        "anmarkningar",
        "meddelande",
        "message",
        "remarks",
        "beskrivning",
        "description",
        "motivering",
        "ovrigt",
        "cv",
        "personligt_brev",
        "cover_letter",
        "resume",
        "fodelsedatum",
        "fodelsedag",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "dob",
    ]
)

# Compound words found anywhere in the header run together ("Sökandes personnummer",
# "Mobiltelefonnummer", "Hemadress").
_IDENTIFIER_STEMS = (
    "personnummer",
    "personnr",
    "samordningsnummer",
    "samordningsnr",
    "fornamn",
    "efternamn",
    "tilltalsnamn",
    "firstname",
    "lastname",
    "fullname",
    "surname",
    "givenname",
    "anvandarnamn",
    "username",
    "kontaktperson",
    "telefonnummer",
    "telefonnr",
    "mobilnummer",
    "mobilnr",
    "phonenumber",
    "email",
    "epostadress",
    "mailadress",
    "mejladress",
    "adress",
    "address",
    "postnummer",
    "postort",
    "fritext",
    "freetext",
    "kommentar",
    "comment",
    "anteckning",
)

# Compounds ending like this ("Hemtelefon", "Mobilephone", "Sökandenamn") are flagged
# unless the rest is an organisational word ("Enhetsnamn", "Department name").
_IDENTIFIER_SUFFIXES = ("telefon", "phone", "namn", "name")

# Headers that are only an identifier as a whole ("Sökande" usually holds a name;
# "sokande_id" does not).
_IDENTIFIER_WHOLE = frozenset(
    [
        "sokande",
        "kandidat",
        "applicant",
        "candidate",
        "person",
        "anstalld",
        "employee",
        "medarbetare",
        "rekryterare",
        "recruiter",
        "kontakt",
        "contact",
    ]
)

# "... name" of these is the name of a thing, not of a person.
_ORG_STEMS = [
    "enhet",
    "avdelning",
    "forvaltning",
    "befattning",
    "yrke",
    "annons",
    "fil",
    "kommun",
    "arbetsplats",
    "skola",
    "forskola",
    "tjanst",
    "verksamhet",
    "organisation",
    "organization",
    "org",
    "region",
    "omrade",
    "tabell",
    "blad",
    "kolumn",
    "rekrytering",
    "projekt",
    "kurs",
    "utbildning",
    "program",
    "unit",
    "department",
    "dept",
    "job",
    "position",
    "role",
    "title",
    "file",
    "sheet",
    "table",
    "column",
    "school",
    "workplace",
    "vacancy",
    "ad",
    "municipality",
    "area",
    "project",
    "course",
    "site",
    "company",
    "employer",
    "team",
    "group",
    "grupp",
]
_ORG_WORDS = frozenset(
    stem + ending for stem in _ORG_STEMS for ending in ("", "s", "n", "ns", "en", "ens", "et", "ets")
)

# A header that starts or ends with one of these describes or counts the identifier
# ("Antal kommentarer", "E-post skickad datum", "pnr_hash") rather than holding it; its
# values are still scanned.
_NEUTRAL_FIRST = frozenset(["antal", "andel", "har", "has", "number", "num", "n", "count", "share"])
_NEUTRAL_LAST = frozenset(
    [
        "datum",
        "date",
        "dag",
        "day",
        "tid",
        "time",
        "typ",
        "type",
        "antal",
        "count",
        "andel",
        "share",
        "status",
        "flagga",
        "flag",
        "finns",
        "saknas",
        "exists",
        "missing",
        "verifierad",
        "verified",
        "langd",
        "length",
        "kategori",
        "category",
        "id",
        "hash",
        "hashad",
        "hashed",
        "pseudonym",
        "pseudonymiserad",
        "key",
        "nyckel",
    ]
)


def _names_identifier(folded: str) -> bool:
    tokens = [t for t in folded.split("_") if t]
    if not tokens:
        return False
    if folded in _IDENTIFIER_WHOLE:
        return True
    if len(tokens) > 1 and (tokens[0] in _NEUTRAL_FIRST or tokens[-1] in _NEUTRAL_LAST):
        return False
    for n in (1, 2, 3):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            for joined in ("_".join(gram), "".join(gram)):
                if joined in _IDENTIFIER_WORDS:
                    if (
                        joined in ("namn", "name")
                        and (
                            (i > 0 and tokens[i - 1] in _ORG_WORDS)  # "enhetens namn"
                            or (
                                tokens[i + 1 : i + 2] in (["pa"], ["of"])  # "namn på enhet"
                                and tokens[i + 2 : i + 3] != []
                                and tokens[i + 2] in _ORG_WORDS
                            )
                        )
                    ):
                        continue
                    return True
    compact = "".join(tokens)
    if any(stem in compact for stem in _IDENTIFIER_STEMS):
        return True
    for token in tokens:
        for suffix in _IDENTIFIER_SUFFIXES:
            if token.endswith(suffix) and token != suffix:
                rest = token[: -len(suffix)]
                if rest not in _ORG_WORDS:
                    return True
    return False


def scan_header(header: str) -> IdentifierFinding | None:
    """Whether a header names a direct identifier.

    Parameters
    ----------
    header : str
        The header as it appears in the file.

    Returns
    -------
    IdentifierFinding or None
        A finding of kind ``"identifier_header"`` (position -1, count 0) if the folded
        header (:func:`pilot_eval.contract.fold`) names a personal identity number, a
        name, an e-mail address, a phone number, an address or free text (Swedish or
        English, alone or in a compound such as "Sökandes personnummer" or
        "Hemtelefon"), or if the header text itself holds an identifier (a file
        exported without a header row); None otherwise and always for the contract's
        own headers.

    Notes
    -----
    ``"... namn"``/``"... name"`` after an organisational word ("Enhetsnamn",
    "department_name") and headers that count or describe an identifier column
    ("Antal kommentarer", "pnr_hash", "E-post skickad datum") are not flagged.
    """
    folded = fold(header)
    if folded in _CONTRACT_HEADERS:
        return None
    if _names_identifier(folded) or _text_kind(str(header)) is not None:
        return IdentifierFinding(str(header), "identifier_header", -1, 0)
    return None


def scan_frame(df: pd.DataFrame) -> list[IdentifierFinding]:
    """Scan every header and every column of a raw table.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read from the file, all columns as strings. Duplicate or
        non-string headers are fine (columns are taken by position).

    Returns
    -------
    list of IdentifierFinding
        Header findings first, then value findings, each in column order; empty if the
        table holds no direct identifier. A column can give both a header and a value
        finding.
    """
    headers = [str(c) for c in df.columns]
    findings = [f for f in (scan_header(h) for h in headers) if f is not None]
    for i, header in enumerate(headers):
        finding = scan_series(df.iloc[:, i], header)
        if finding is not None:
            findings.append(finding)
    return findings
