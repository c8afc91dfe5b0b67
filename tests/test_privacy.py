"""Tests of the privacy guard (pilot_eval.privacy)."""

from __future__ import annotations

import datetime as dt
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_eval import privacy
from pilot_eval.contract import TABLES
from pilot_eval.privacy import (
    IdentifierFinding,
    is_personnummer,
    redact,
    scan_frame,
    scan_header,
    scan_series,
)

# --------------------------------------------------------------------------- helpers


def luhn_digit(nine: str) -> str:
    """The check digit for the nine digits YYMMDDNNN (weights 2,1,2,1,...)."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def pnr(yyyymmdd: str, serial: str = "987", form: str = "short-", check_offset: int = 0) -> str:
    """A personnummer for a date and three-digit serial, in one of the five forms.

    ``check_offset`` != 0 gives a wrong check digit.
    """
    assert len(yyyymmdd) == 8 and len(serial) == 3
    nine = yyyymmdd[2:] + serial
    check = str((int(luhn_digit(nine)) + check_offset) % 10)
    short, last4 = yyyymmdd[2:], serial + check
    return {
        "short-": f"{short}-{last4}",
        "short+": f"{short}+{last4}",
        "short": f"{short}{last4}",
        "long-": f"{yyyymmdd}-{last4}",
        "long": f"{yyyymmdd}{last4}",
    }[form]


def samordning(yyyymmdd: str, serial: str = "987", form: str = "short-") -> str:
    """The samordningsnummer (day + 60) for a date."""
    day = int(yyyymmdd[6:]) + 60
    return pnr(yyyymmdd[:6] + f"{day:02d}", serial, form)


FORMS = ["short-", "short+", "short", "long-", "long"]


@pytest.fixture(params=["arrow", "python"])
def backend(request, monkeypatch):
    """Run a test on the Arrow (RE2) path and on the object-dtype (Python re) fallback,
    which must give the same answers."""
    if request.param == "python":

        def as_objects(values: pd.Series) -> pd.Series:
            obj = ["" if privacy._isna(v) else str(v) for v in values.to_numpy(dtype=object)]
            return pd.Series(obj, dtype=object)

        monkeypatch.setattr(privacy, "_as_strings", as_objects)
    return request.param


def scan_one(value: str) -> IdentifierFinding | None:
    return scan_series(pd.Series(["R-0a1b2c3d", value, ""], dtype=object), "col")


def kind_of(value: str) -> str | None:
    finding = scan_one(value)
    return None if finding is None else finding.kind


# --------------------------------------------------------------------------- personnummer


def test_luhn_helper_matches_the_known_example():
    assert luhn_digit("811218987") == "6"
    assert pnr("19811218") == "811218-9876"


@pytest.mark.parametrize("form", FORMS)
def test_known_example_in_every_form(form, backend):
    value = pnr("19811218", "987", form)
    assert is_personnummer(value) == "personnummer"
    assert kind_of(value) == "personnummer"
    assert kind_of(f"  {value} ") == "personnummer"


@pytest.mark.parametrize("date", ["19900101", "19751231", "20050615", "19400430", "18991130", "20101010", "19640707"])
@pytest.mark.parametrize("form", FORMS)
def test_constructed_personnummer_in_every_form(date, form, backend):
    value = pnr(date, "123", form)
    assert is_personnummer(value) == "personnummer"
    assert kind_of(value) == "personnummer"


@pytest.mark.parametrize("form", FORMS)
def test_samordningsnummer(form, backend):
    value = samordning("19811218", "987", form)
    assert value.replace("-", "").replace("+", "").endswith("8112789873")
    assert is_personnummer(value) == "samordningsnummer"
    assert kind_of(value) == "samordningsnummer"
    assert kind_of(samordning("19900131", "555", form)) == "samordningsnummer"


@pytest.mark.parametrize("offset", range(1, 10))
@pytest.mark.parametrize("form", FORMS)
def test_wrong_check_digit_is_not_flagged(offset, form, backend):
    value = pnr("19811218", "987", form, check_offset=offset)
    assert is_personnummer(value) is None
    assert scan_one(value) is None


@pytest.mark.parametrize(
    "date",
    [
        "19811318",  # month 13
        "19810018",  # month 00
        "19811200",  # day 00
        "19811232",  # day 32
        "19810230",  # 30 February
        "19810431",  # 31 April
        "19810931",  # 31 September
        "19230229",  # 29 February in a common year (10-digit form too: YY 23)
        "19000229",  # 1900 was not a leap year (12-digit form only)
        "17811218",  # century 17
        "21811218",  # century 21
    ],
)
def test_impossible_dates_are_not_flagged(date, backend):
    forms = FORMS if date[:2] in ("18", "19", "20") and date != "19000229" else ["long-", "long"]
    for form in forms:
        value = pnr(date, "321", form)
        assert is_personnummer(value) is None, value
        assert scan_one(value) is None, value


def test_impossible_samordningsnummer_day_is_not_flagged(backend):
    # day 32 + 60 = 92, and 30 February + 60 = 90
    for yyyymmdd in ("19811292", "19810290"):
        nine = yyyymmdd[2:] + "321"
        value = nine[:6] + "-" + nine[6:] + luhn_digit(nine)
        assert is_personnummer(value) is None
        assert scan_one(value) is None


@pytest.mark.parametrize(
    "date,ok",
    [
        ("20000229", True),  # divisible by 400
        ("19960229", True),
        ("20240229", True),
        ("19000229", False),  # divisible by 100, not by 400
        ("19970229", False),
        ("20230229", False),
    ],
)
def test_leap_day(date, ok, backend):
    for form in ("long-", "long"):
        value = pnr(date, "456", form)
        assert (is_personnummer(value) == "personnummer") is ok, value
        assert (kind_of(value) == "personnummer") is ok, value
    # The 10-digit form has no century: YY divisible by 4 allows 29 February.
    short = pnr(date, "456", "short-")
    assert (is_personnummer(short) is not None) is (int(date[2:4]) % 4 == 0)
    # samordningsnummer on a leap day: day 89
    assert (is_personnummer(samordning(date, "456", "long")) == "samordningsnummer") is ok


@pytest.mark.parametrize(
    "text",
    [
        "pnr 19811218-9876 ok",
        "Sökande: 811218-9876.",
        "(8112189876)",
        "id=198112189876;",
        "1234567890 811218-9876",  # the first ten digits fail; the second number is real
        "811218-9875 811218-9876",  # wrong check digit first, right one second
        "8112189876 8112189876",  # adjacent numbers
        "P-8112189876",
    ],
)
def test_embedded_in_text(text, backend):
    assert is_personnummer(text) == "personnummer"
    assert kind_of(text) == "personnummer"


@pytest.mark.parametrize(
    "text",
    [
        "98112189876",  # part of a longer digit run
        "81121898761",
        "x19811218-98761",
        "ab8112189876",  # glued to letters (hex IDs are not mined for digit runs)
        "811218-98",
        "8112-18-9876",
    ],
)
def test_not_a_number_of_its_own(text, backend):
    assert is_personnummer(text) is None
    assert scan_one(text) is None


def test_is_personnummer_on_non_strings():
    assert is_personnummer(None) is None  # type: ignore[arg-type]
    assert is_personnummer(8112189876) is None  # type: ignore[arg-type]
    assert is_personnummer("") is None


# --------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "value",
    [
        "anna.svensson@botkyrka.se",
        "Åsa.Öberg@exempel.se",
        "kontakta x_y+z@sub.domain.com!",
        "<a@b.se>",
        "Mejl: kalle.anka@gmail.com, tel saknas",
    ],
)
def test_email_flagged(value, backend):
    assert kind_of(value) == "email"


@pytest.mark.parametrize("value", ["12 st @ 500 kr", "@handle", "user@localhost", "a@b", "@", "x@.se"])
def test_email_look_alikes_not_flagged(value, backend):
    assert scan_one(value) is None


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "value",
    [
        "073-123 45 67",
        "070-1234567",
        "0701234567",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "0046701234567",
        "+46 (0)70-123 45 67",
        "08-123 456 78",
        "08-12 34 56",
        "08 - 123 45 67",
        "08/123 45 67",
        "(08) 123 45 67",
        "031-12 34 56",
        "0980-123 45",
        "0853061000",
        "070\u00a0123\u00a045\u00a067",
        "tel: 070-123 45 67.",
        "Anna,0701234567",
        "ring 08-12 34 56 eller 070-1234567",
    ],
)
def test_phone_variants_flagged(value, backend):
    assert kind_of(value) == "phone"


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-01",  # ISO dates
        "1999-12-31",
        "0701-12-23",  # ISO date of year 701
        "2024-03-01 08:30",
        "03-12-2024",
        "12,5",  # decimal comma
        "0,0812345678",
        "1 234,56",
        "2342",  # SSYK code
        "5312",
        "0",  # small integers
        "7",
        "42",
        "R-0a1b2c3d",  # opaque IDs
        "A-12345678",
        "R-07012345",
        "V-0701234567",
        "12 500",  # amounts
        "1 070 123",
        "0127",  # a municipality code
        "0012345678",  # zero-padded ID
        "08-12 34",  # too short
        "212000-0142",  # an organisation number
        "",
    ],
)
def test_phone_look_alikes_not_flagged(value, backend):
    assert scan_one(value) is None


# --------------------------------------------------------------------------- scan_series


def test_position_and_count(backend):
    values = pd.Series(
        [
            "R-0a1b2c3d",
            "2024-03-01",
            None,
            "x@y.se",
            "",
            np.nan,
            "811218-9876",
            "070-123 45 67",
            "811218-9875",
            "A-12345678",
        ],
        index=[10, 10, 3, 4, 5, 6, 7, 8, 9, 1],  # positions, not labels, are reported
        dtype=object,
    )
    finding = scan_series(values, "Sökande")
    assert finding == IdentifierFinding("Sökande", "email", 3, 3)


def test_kind_is_that_of_the_first_offending_value(backend):
    values = pd.Series(["", "0701234567", "811218-9876", "a@b.se"])
    finding = scan_series(values, "c")
    assert (finding.kind, finding.position, finding.count) == ("phone", 1, 3)


def test_one_value_with_several_identifiers_counts_once(backend):
    finding = scan_series(pd.Series(["811218-9876 a@b.se 070-1234567"]), "c")
    assert finding == IdentifierFinding("c", "personnummer", 0, 1)


def test_clean_and_empty_series(backend):
    assert scan_series(pd.Series([], dtype=object), "c") is None
    assert scan_series(pd.Series([None, np.nan, ""], dtype=object), "c") is None
    clean = pd.Series(["R-0a1b2c3d", "2024-03-01", "tillsatt", "0,75", "2342", "12 500"])
    assert scan_series(clean, "c") is None


@pytest.mark.parametrize("dtype", [object, "string", "string[pyarrow]", "category"])
def test_string_dtypes(dtype):
    values = pd.Series(["R-0a1b2c3d", None, "19811218-9876"], dtype=dtype)
    assert scan_series(values, "c") == IdentifierFinding("c", "personnummer", 2, 1)


def test_non_string_objects_are_scanned_as_text():
    values = pd.Series([1.5, None, 8112189876], dtype=object)
    assert scan_series(values, "c") == IdentifierFinding("c", "personnummer", 2, 1)


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "header",
    [
        "personnummer",
        "Personnummer",
        "PNR",
        "Pers.nr",
        "Person nr",
        "personnr",
        "Samordningsnummer",
        "Sökandes personnummer",
        "SSN",
        "Personal number",
        "Namn",
        "Förnamn",
        "Efternamn",
        "fornamn",
        "Name",
        "first_name",
        "Last Name",
        "Full name",
        "Surname",
        "Sökandenamn",
        "Chef namn",
        "Kontaktperson",
        "Användarnamn",
        "E-post",
        "epost",
        "Email",
        "e-mail",
        "Mail",
        "E-postadress",
        "Tjänste-e-post",
        "Telefon",
        "Tel",
        "Tel.",
        "Telefonnummer",
        "Mobil",
        "Mobilnummer",
        "Hemtelefon",
        "Phone",
        "Mobile",
        "Cell phone",
        "Adress",
        "Address",
        "Gatuadress",
        "Hemadress",
        "Postnummer",
        "Postnr",
        "Postort",
        "ZIP code",
        "C/O",
        "Fritext",
        "Free text",
        "Kommentar",
        "Kommentarer",
        "Comment",
        "Notes",
        "Anteckning",
        "Anteckningar",
        "Övrigt",
        "Beskrivning",
        "Sökande",
        "Kandidat",
    ],
)
def test_identifier_headers_flagged(header):
    finding = scan_header(header)
    assert finding == IdentifierFinding(header, "identifier_header", -1, 0)


@pytest.mark.parametrize(
    "header",
    [
        "Enhet",
        "Enhetsnamn",
        "Enhetens namn",
        "Department name",
        "Namn på enhet",
        "Befattning",
        "job_title",
        "Sökande ID",
        "kandidat_id",
        "Antal kommentarer",
        "pnr_hash",
        "Har e-post",
        "Telefonintervju",
        "Telefonintervju datum",
        "Phone screen date",
        "Lönepost",
        "Ansvarskod",
        "Unnamed: 0",
        "Kön",
        "Ålder",
        "Org.nr",
        "",
        "x",
    ],
)
def test_neutral_headers_not_flagged(header):
    assert scan_header(header) is None


def test_contract_headers_never_flagged():
    headers = [h for table in TABLES.values() for col in table.columns for h in (col.name, col.swedish)]
    assert len(headers) > 50
    for header in headers:
        for variant in (header, header.upper(), header.replace("_", " ").title()):
            assert scan_header(variant) is None, variant


def test_contract_headers_with_swedish_letters_never_flagged():
    for header in (
        "Sista ansökningsdag",
        "Förvaltning",
        "Anställningsform",
        "Återkallad orsak",
        "Beställd datum",
        "Kön",
        "Åldersgrupp",
        "Utfall",
        "Tillträde datum",
    ):
        assert scan_header(header) is None, header


def test_header_that_is_itself_an_identifier():
    # e.g. a file exported without its header row
    for header in ("811218-9876", "anna@botkyrka.se", "070-123 45 67"):
        finding = scan_header(header)
        assert finding is not None and finding.kind == "identifier_header"
        assert header not in finding.describe("ansokningar.csv", None)


# --------------------------------------------------------------------------- scan_frame


def test_scan_frame_orders_header_findings_first():
    df = pd.DataFrame(
        {
            "ansoknings_id": ["A-1", "A-2"],
            "Kontakt info": ["", "a@b.se"],
            "Förnamn": ["Anna", "Bo"],
            "ref_kod": ["811218-9876", ""],
            "Telefon": ["070-1234567", ""],
        }
    )
    findings = scan_frame(df)
    assert findings == [
        IdentifierFinding("Förnamn", "identifier_header", -1, 0),
        IdentifierFinding("Telefon", "identifier_header", -1, 0),
        IdentifierFinding("Kontakt info", "email", 1, 1),
        IdentifierFinding("ref_kod", "personnummer", 0, 1),
        IdentifierFinding("Telefon", "phone", 0, 1),
    ]


def test_scan_frame_clean_and_duplicate_headers():
    clean = pd.DataFrame(
        {"rekryterings_id": ["R-0a1b2c3d"], "status": ["tillsatt"], "publicerad_datum": ["2024-03-01"]}
    )
    assert scan_frame(clean) == []
    dup = pd.DataFrame([["x", "0701234567"]], columns=["dup", "dup"])
    assert scan_frame(dup) == [IdentifierFinding("dup", "phone", 0, 1)]


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    "value",
    [
        "811218-9876",
        "19811218-9876",
        "811278-9873",
        "anna.svensson@botkyrka.se",
        "070-123 45 67",
        "+46701234567",
    ],
)
def test_describe_never_contains_the_value(value):
    finding = scan_series(pd.Series(["", value]), "Kontakt")
    assert finding is not None
    for message in (finding.describe("data/ansokningar.csv", 3), finding.describe()):
        for fragment in (value, value.replace("-", "").replace(" ", ""), "9876", "svensson", "45 67"):
            assert fragment not in message
        assert "remove the column" in message.lower()
        assert "pseudonymise" in message
    message = finding.describe("data/ansokningar.csv", 3)
    assert message.startswith("data/ansokningar.csv: column 'Kontakt', row 3: the column contains ")


def test_describe_names_the_location_once_or_not_at_all():
    """Standalone, the message starts with file, column and row; without a file it is the
    body only, for an error that names the location itself (ingest's IngestError), so
    that the location is never repeated."""
    finding = IdentifierFinding("referens", "personnummer", 5, 1)
    standalone = finding.describe("applications.csv", 7)
    assert standalone.count("applications.csv") == 1 and standalone.count("referens") == 1
    assert standalone.count("row 7") == 1
    body = finding.describe()
    assert body.startswith(
        "The column contains a Swedish personal identity number (personnummer) (1 value in all, "
        "the first at value number 6; the values are not shown)"
    )
    assert "referens" not in body
    assert "value number" not in finding.describe(row=7)


def test_describe_header_finding_and_unknown_row():
    header = scan_header("Förnamn")
    message = header.describe("x.xlsx[ansokningar]", None)
    assert message.startswith("x.xlsx[ansokningar]: column 'Förnamn': the column is named like a direct identifier")
    assert "Remove the column" in message
    assert header.describe().startswith("The column is named like a direct identifier")
    value = IdentifierFinding("c", "phone", 4, 2)
    assert "value number 5" in value.describe("f.csv", None)
    assert "2 values" in value.describe("f.csv", 7)


def test_describe_redacts_identifiers_in_file_and_header():
    finding = IdentifierFinding("811218-9876", "personnummer", 0, 1)
    message = finding.describe("export_anna@botkyrka.se_19811218-9876.csv", 2)
    assert "9876" not in message and "anna@" not in message
    assert "[redacted]" in message
    assert redact("export_19811218-9876.csv") == "export_[redacted].csv"


def test_contract_header_aliases_and_written_forms_are_never_flagged():
    from pilot_eval.contract import HEADERS_SV

    assert scan_header("Återannonsering av") is None
    for header in HEADERS_SV.values():  # as the --swedish demo export writes them
        assert scan_header(header) is None, header


# --------------------------------------------------------------------------- properties

opaque_ids = st.from_regex(r"\A[A-Z]-[0-9a-f]{8}\Z")
iso_dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(
    lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(opaque_ids, iso_dates), min_size=1, max_size=50))
def test_opaque_ids_and_iso_dates_never_flagged(values):
    assert scan_series(pd.Series(values, dtype=object), "c") is None
    assert scan_series(pd.Series(values, dtype=object).map(lambda v: f" {v} "), "c") is None
    for v in values:
        assert is_personnummer(v) is None


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(FORMS),
    st.booleans(),
    st.integers(0, 9),
)
def test_constructed_numbers_property(date, serial, form, coordination, offset):
    ymd = date.strftime("%Y%m%d")
    if coordination:
        ymd = ymd[:6] + f"{date.day + 60:02d}"
    value = pnr(ymd, f"{serial:03d}", form, check_offset=offset)
    expected = None if offset else ("samordningsnummer" if coordination else "personnummer")
    assert is_personnummer(value) == expected
    assert is_personnummer(f"text {value} text") == expected
    finding = scan_series(pd.Series(["", value]), "c")
    found = finding.kind if finding else None
    if expected is not None:
        assert found == expected
    else:  # "0101010001" is no personnummer, but it is a phone number
        assert found not in ("personnummer", "samordningsnummer")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=string.digits + "-+ @.,()abAB/\u00a0", max_size=16), max_size=30))
def test_arrow_and_python_paths_agree(values):
    """RE2 on Arrow strings and Python's re on objects give the same codes, and
    is_personnummer agrees with the vectorised check."""
    fast = privacy._codes(pd.Series(values, dtype=object))  # converted to Arrow
    objects = pd.Series(values, dtype=object)  # .str on objects uses Python's re
    pnr_codes = privacy._pnr_rows(objects)
    slow = np.where(
        pnr_codes != 0,
        pnr_codes,
        np.where(
            privacy._email_rows(objects),
            privacy._EMAIL_CODE,
            np.where(privacy._phone_rows(objects), privacy._PHONE_CODE, 0),
        ),
    )
    assert fast.tolist() == slow.tolist()
    pnr_kinds = (privacy._PNR_CODE, privacy._SAMORD_CODE)
    for v, code in zip(values, fast, strict=True):
        assert (is_personnummer(v) is not None) == (code in pnr_kinds)


# --------------------------------------------------------------------------- volume


def test_scan_of_a_million_values():
    n = 1_000_000
    rng = np.random.default_rng(20240301)
    values = pd.Series([f"R-{x:08x}" for x in rng.integers(0, 2**32, n)], dtype=object)
    values[::7] = "2024-03-01"
    values[::11] = ""
    assert scan_series(values, "rekryterings_id") is None

    values[654_321] = "19811218-9876"
    values[765_432] = "kontakt 070-123 45 67"
    values[876_543] = "anna@botkyrka.se"
    finding = scan_series(values, "rekryterings_id")
    assert finding == IdentifierFinding("rekryterings_id", "personnummer", 654_321, 3)
