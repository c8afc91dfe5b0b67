"""Texts of the data-quality page (:mod:`pilot_eval.report.sections`, its section "data
quality in words"): each check that ingest makes, said in plain words, with what happens
to a row that fails it, and the reader's sentences for the ingest's notices.

A check's words are built from its kind (a GX expectation type, or a check ingest makes in
code), the reader's names of its columns (:data:`CONTRACT_COLUMNS`) and its arguments, so
that a new expectation in ``expectations/<table>.json`` gets words without a new text."""

from __future__ import annotations

__all__ = [
    "CHECKS",
    "CONDITIONS",
    "CONTRACT_COLUMNS",
    "CROSS_TABLE_CHECKS",
    "NOTICE_UNKNOWN",
    "PAGE",
    "PARSE_FAILURES",
    "RESULTS",
    "SEVERITIES",
    "SUMMARY",
    "UNITS",
]

#: The contract's columns as a reader names them in a sentence (sentence case; lowered
#: inside a sentence; in English with its article). The derived columns of the suites
#: (``_days_to_fill``) too.
CONTRACT_COLUMNS: dict[str, tuple[str, str]] = {
    "vacancy_id": ("Rekryteringens id", "The vacancy ID"),
    "application_id": ("Ansökans id", "The application ID"),
    "check_id": ("Kontrollens id", "The check ID"),
    "administration": ("Förvaltning", "The administration"),
    "role_group": ("Yrkesgrupp", "The role group"),
    "ssyk_code": ("SSYK-kod", "The SSYK code"),
    "employment_type": ("Anställningsform", "The employment type"),
    "positions": ("Antal tjänster", "The number of positions"),
    "is_manager": ("Uppgiften om chefsbefattning", "The manager-post field"),
    "statutory_check": ("Lagkrav på registerutdrag", "The statutory register extract"),
    "published_date": ("Publiceringsdatum", "The publication date"),
    "closing_date": ("Sista ansökningsdag", "The closing date"),
    "first_offer_date": ("Datum för första erbjudandet", "The date of the first offer"),
    "accepted_date": ("Datum då erbjudandet accepterades", "The date the offer was accepted"),
    "start_date": ("Tillträdesdatum", "The start date"),
    "closed_date": ("Avslutsdatum", "The closing-down date"),
    "status": ("Status", "The status"),
    "readvertisement_of": ("Hänvisningen till en tidigare annons", "The reference to an earlier advert"),
    "check_in_ad": ("Uppgiften om kontroll i annonsen", "The check-in-advert field"),
    "submitted_date": ("Ansökningsdatum", "The application date"),
    "internal": ("Uppgiften om intern sökande", "The internal-applicant field"),
    "qualified": ("Behörighet", "The qualification"),
    "highest_stage": ("Högsta steg", "The highest stage"),
    "final_status": ("Slutstatus", "The final status"),
    "withdrawn_date": ("Datum för återtagandet", "The withdrawal date"),
    "withdrawn_stage": ("Steg vid återtagandet", "The stage at withdrawal"),
    "withdrawal_reason": ("Orsak till återtagandet", "The reason for withdrawal"),
    "offer_date": ("Datum för erbjudandet", "The offer date"),
    "gender": ("Kön", "The gender"),
    "age_band": ("Åldersgrupp", "The age band"),
    "check_type": ("Kontrolltyp", "The check type"),
    "requested_date": ("Datum då kontrollen begärdes", "The date the check was requested"),
    "completed_date": ("Datum då kontrollen blev klar", "The date the check was completed"),
    "outcome": ("Utfall", "The outcome"),
    "scope": ("Omfattning", "The scope"),
    "end_date": ("Slutdatum", "The end date"),
    "month": ("Månad", "The month"),
    "headcount_permanent": ("Antal tillsvidareanställda", "The permanent headcount"),
    "headcount_temporary": ("Antal tidsbegränsat anställda", "The temporary headcount"),
    "fte": ("Antal årsarbetare", "The number of full-time equivalents"),
    "voluntary_leavers": ("Antal egna avgångar", "The number of voluntary leavers"),
    "new_hires": ("Antal nyanställda", "The number of new hires"),
    "share_qualified": ("Andel behörig personal", "The share of staff qualified"),
    "hourly_hours": ("Timmar utförda av timavlönade", "The number of hours worked by hourly-paid staff"),
    "vacant_posts": ("Antal vakanta tjänster", "The number of vacant posts"),
    # a column whose meaning depends on its table: "<table>.<column>"
    "pilot_rollout.start_date": ("Pilotens startdatum", "The pilot's start date"),
    "pilot_rollout.end_date": ("Pilotens slutdatum", "The pilot's end date"),
    "_days_to_fill": ("Tiden till tillsättning", "The time to fill"),
    "_turnaround_days": ("Kontrollens handläggningstid", "The check's turnaround time"),
}

#: Column → its unit after a bound ("mellan 0 och 730 dagar").
UNITS: dict[str, tuple[str, str]] = {
    "_days_to_fill": ("dagar", "days"),
    "_turnaround_days": ("dagar", "days"),
}

#: A GX expectation type → its words. Placeholders: ``{column}`` (the column's name,
#: sentence case), ``{other}`` (a second column, inside the sentence), ``{columns}`` (a
#: list), ``{low}``/``{high}`` (bounds, with a unit where the column has one). Keys with a
#: suffix are variants of one type (bounds given, dates or numbers compared).
CHECKS: dict[str, tuple[str, str]] = {
    "expect_table_row_count_to_be_between": ("Tabellen har minst en rad", "The table has at least one row"),
    "expect_column_to_exist": (
        "Filen har en kolumn för {column_lower}",
        "The file has a column for {column_lower}",
    ),
    "expect_column_values_to_not_be_null": ("{column} finns på varje rad", "{column} is given on every row"),
    "expect_column_values_to_be_null": ("{column} saknas", "{column} is empty"),
    "expect_column_values_to_be_unique": ("{column} förekommer bara en gång", "{column} occurs only once"),
    "expect_compound_columns_to_be_unique": (
        "Varje kombination av {columns} förekommer bara en gång",
        "Each combination of {columns} occurs only once",
    ),
    "expect_column_values_to_be_in_set": (
        "{column} är ett av de tillåtna värdena",
        "{column} is one of the allowed values",
    ),
    "expect_column_values_to_match_regex": ("{column} har rätt form", "{column} has the right form"),
    "expect_column_values_to_match_regex:ssyk_code": (
        "{column} har fyra siffror",
        "{column} has four digits",
    ),
    "expect_column_values_to_be_between:both": (
        "{column} är mellan {low} och {high}",
        "{column} is between {low} and {high}",
    ),
    "expect_column_values_to_be_between:low": ("{column} är minst {low}", "{column} is at least {low}"),
    "expect_column_values_to_be_between:high": ("{column} är högst {high}", "{column} is at most {high}"),
    "expect_column_pair_values_a_to_be_greater_than_b:dates": (
        "{column} är samma dag som {other} eller senare",
        "{column} is on or after {other}",
    ),
    "expect_column_pair_values_a_to_be_greater_than_b:dates_strict": (
        "{column} är senare än {other}",
        "{column} is after {other}",
    ),
    "expect_column_pair_values_a_to_be_greater_than_b:numbers": (
        "{column} är minst lika högt som {other}",
        "{column} is at least as high as {other}",
    ),
    "expect_column_pair_values_a_to_be_greater_than_b:numbers_strict": (
        "{column} är högre än {other}",
        "{column} is higher than {other}",
    ),
    # a type with no words of its own (a new expectation): still no class name
    "other": ("{column}: en kontroll av värdena", "{column}: a check of the values"),
    "other_table": ("En kontroll av hela tabellen", "A check of the whole table"),
}

#: A row condition of an expectation, after its check ("… där status är tillsatt").
#: ``{column}`` inside the sentence, ``{value}`` the value's label (lower case).
CONDITIONS: dict[str, tuple[str, str]] = {
    "==": ("där {column} är {value}", "where {column} is {value}"),
    "!=": ("där {column} inte är {value}", "where {column} is not {value}"),
    "IN": ("där {column} är {value}", "where {column} is {value}"),
    "or": (" eller ", " or "),  # between the last two values; the others take a comma
    "other": ("på vissa rader", "on some rows"),
}

#: The checks ingest makes in code, across tables and against the cut date
#: (``cross_table_results`` of ``ingest_report.json``). ``{column}`` as in :data:`CHECKS`.
CROSS_TABLE_CHECKS: dict[str, tuple[str, str]] = {
    "after_cut_date": (
        "{column} är senast samma dag som datauttaget",
        "{column} is on or before the data cut date",
    ),
    "foreign_key:vacancies": (
        "Varje rad hör till en rekrytering i uttaget",
        "Every row belongs to a vacancy in the export",
    ),
    "foreign_key:applications": (
        "Varje rad hör till en ansökan i uttaget",
        "Every row belongs to an application in the export",
    ),
    "parent_quarantined:vacancies": (
        "Rekryteringen som raden hör till klarade sina kontroller",
        "The vacancy the row belongs to passed its checks",
    ),
    "parent_quarantined:applications": (
        "Ansökan som raden hör till klarade sina kontroller",
        "The application the row belongs to passed its checks",
    ),
    "reference:vacancies": (
        "{column} pekar på en rekrytering i uttaget",
        "{column} refers to a vacancy in the export",
    ),
    "date_order:vacancies": (
        "{column} är samma dag som rekryteringens publiceringsdatum eller senare",
        "{column} is on or after the vacancy's publication date",
    ),
    "date_order:applications": (
        "{column} är samma dag som ansökningsdatumet eller senare",
        "{column} is on or after the application date",
    ),
    "other": ("En kontroll mot en annan tabell", "A check against another table"),
}

#: A cell that could not be read (``<column>: <failure>`` among a table's ``reasons``).
PARSE_FAILURES: dict[str, tuple[str, str]] = {
    "date": ("{column} kunde läsas som ett datum", "{column} could be read as a date"),
    "number": ("{column} kunde läsas som ett tal", "{column} could be read as a number"),
    "yes_no": ("{column} kunde läsas som ja eller nej", "{column} could be read as yes or no"),
    "stage": ("{column} kunde läsas som ett steg", "{column} could be read as a stage"),
    "month": ("{column} är den första dagen i en månad", "{column} is the first day of a month"),
    "year": ("{column} är år 1900 eller senare", "{column} is in 1900 or later"),
    "fields": ("Raden har lika många fält som rubrikraden", "The record has as many fields as the header"),
    "other": ("{column} kunde läsas", "{column} could be read"),
    "unknown": ("Annan kontroll", "Another check"),
}

#: What happens to a row that fails a check (``meta.severity`` of the suites).
SEVERITIES: dict[str, tuple[str, str]] = {
    "structural": ("stoppar inläsningen", "stops the ingest"),
    "quarantine": ("raden läggs i karantän", "the row is quarantined"),
    "warning": ("varning, raden behålls", "warning, the row is kept"),
}

#: A check's result. Not "godkänd": that is the word of a background check's outcome
#: (criminal-offence data), which disclosure control refuses in an ordinary table.
RESULTS: dict[str, tuple[str, str]] = {
    "passed": ("klarad", "passed"),
    "failed": ("inte klarad", "failed"),
}

#: The sentence above a table's checks. ``{table}``: the table's name (lower case).
SUMMARY: dict[str, tuple[str, str]] = {
    "all_passed": (
        "Uppgifterna om {table} klarade alla {n} kontroller.",
        "All {n} checks of {table} passed.",
    ),
    "some_failed": (
        "Uppgifterna om {table} klarade {passed} av {n} kontroller. Kontroller som inte klarades: {failed}.",
        "{passed} of {n} checks of {table} passed. Failed: {failed}.",
    ),
    "see_reasons": (
        "Hur många rader som lades i karantän står i tabellen ”Skäl till karantän” ovan.",
        "How many rows were quarantined is in the table “Reasons for quarantine” above.",
    ),
    "none": (
        "Ingen kontroll av {table} finns i inläsningens rapport.",
        "The ingest report holds no checks of {table}.",
    ),
}

#: The page's own sentences on the checks.
PAGE: dict[str, tuple[str, str]] = {
    "intro": (
        "När uppgifterna läses in prövas varje tabell mot ett antal kontroller. En rad som inte "
        "klarar en kontroll läggs i karantän eller ger en varning, beroende på kontrollen. Några "
        "kontroller gäller hela filen: klaras de inte, stoppas inläsningen. Antal rader från 1 "
        "till 4 redovisas inte.",
        "When the data are read in, each table is tested against a number of checks. A row that "
        "fails a check is quarantined or gives a warning, depending on the check. Some checks are "
        "about the whole file: if one fails, the ingest stops. Numbers of rows from 1 to 4 are "
        "not shown.",
    ),
    "caption": ("Kontroller av {table}", "Checks of {table}"),
}

#: A notice of ingest that the report has no words for (its text stays in the working
#: folder's log).
NOTICE_UNKNOWN: dict[str, tuple[str, str]] = {
    "notice": (
        "Inläsningen lämnade ett meddelande om uttaget. Analytikerna har det i rapportens arbetsmapp.",
        "The ingest left a notice about the export. The analysts have it in the report's working folder.",
    ),
}
