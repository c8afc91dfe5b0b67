"""The anonymised data contract, as data (docs/contract.md is generated from it).

Everything else in the package (the demo generator, ingest, the Great Expectations
suites, the measures) reads table and column definitions from here, so that a column is
named, typed and labelled in exactly one place.

Canonical names are English snake_case. Every table, column and enum value also has the
Swedish name an HR system would export; :func:`fold` makes matching case-insensitive and
tolerant of å/ä/ö written as a/a/o.

Examples
--------
>>> from pilot_eval.contract import TABLES, fold
>>> TABLES["vacancies"].swedish
'rekryteringar'
>>> TABLES["vacancies"].column("status").labels["filled"]
'tillsatt'
>>> fold("Kultur- och fritidsförvaltningen")
'kultur_och_fritidsforvaltningen'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "ColumnSpec",
    "TableSpec",
    "TABLES",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "ADMINISTRATIONS",
    "PILOT_ADMINISTRATIONS",
    "COMPARISON_ADMINISTRATIONS",
    "STAGES",
    "fold",
    "table_for_name",
    "close_column",
    "HEADERS_SV",
    "LABELS_SV",
]

_FOLD_TRANSLATE = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "a", "ø": "o"})


def fold(text: str) -> str:
    """Fold a header or label for matching: lower case, å/ä/ö → a/a/o, runs of anything
    that is not a letter, digit or ``+`` → one underscore, no leading/trailing underscore.

    >>> fold("  Sista ansökningsdag ")
    'sista_ansokningsdag'
    >>> fold("Annat/okänt")
    'annat_okant'
    """
    text = unicodedata.normalize("NFC", str(text)).strip().lower().translate(_FOLD_TRANSLATE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9+]+", "_", text).strip("_")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract.

    ``kind`` is one of ``"id"`` (opaque pseudonymous string), ``"str"``, ``"enum"``,
    ``"int"``, ``"float"``, ``"bool"``, ``"date"`` and ``"stage"`` (an int 0–7 that may
    also be given by its stage name). ``labels`` maps each canonical enum value to its
    Swedish label; ``aliases`` maps further accepted spellings to canonical values.
    ``header_aliases`` are further accepted spellings of the header (e.g. the correct
    Swedish "återannonsering" beside the contract's "ateranonsering").
    """

    name: str
    swedish: str
    kind: str
    nullable: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    header_aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    @property
    def values(self) -> list[str]:
        """The canonical enum values, in contract order."""
        return list(self.labels)

    def label_lookup(self) -> dict[str, str]:
        """Folded spelling → canonical value, for every accepted spelling."""
        out: dict[str, str] = {}
        for canonical, swedish in self.labels.items():
            out[fold(canonical)] = canonical
            out[fold(swedish)] = canonical
        for alias, canonical in self.aliases.items():
            out[fold(alias)] = canonical
        return out

    @property
    def headers(self) -> tuple[str, ...]:
        """Every accepted header spelling: canonical, Swedish and the aliases."""
        return (self.name, self.swedish, *self.header_aliases)

    @property
    def swedish_display(self) -> str:
        """The Swedish header as an HR system writes it (``"Sista ansökningsdag"``)."""
        return HEADERS_SV.get(self.swedish, self.swedish)

    def swedish_display_label(self, value: str) -> str:
        """The Swedish label of a canonical enum value as an HR system writes it
        (``"Barnskötare"``, ``"Ej tillsatt"``); administrations by their full name."""
        if self.name == "administration":
            return ADMINISTRATIONS.get(value, value)
        if self.name == "role_group" and value in ROLE_GROUP_DISPLAY_SV:
            return ROLE_GROUP_DISPLAY_SV[value]
        label = self.labels.get(value, value)
        return LABELS_SV.get(label, label)


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its names, columns, key and foreign keys."""

    name: str
    swedish: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    required: bool = True
    description: str = ""

    @property
    def swedish_display(self) -> str:
        """The table's Swedish name for a reader, with å/ä/ö (``"Ansökningar"``); the
        file name stays :attr:`swedish` (``ansokningar.csv``)."""
        return TABLE_NAMES_SV.get(self.name, self.swedish.replace("_", " ").capitalize())

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Columns that must be present in every export (all contract columns but the
        nullable ones, which may be left out of an export altogether)."""
        return [c.name for c in self.columns if not c.nullable]

    def header_lookup(self) -> dict[str, str]:
        """Folded header spelling → canonical column name (English or Swedish)."""
        out: dict[str, str] = {}
        for col in self.columns:
            for header in col.headers:
                out[fold(header)] = col.name
        return out


# --------------------------------------------------------------------------- enums

ADMINISTRATIONS: dict[str, str] = {
    "UBF": "Utbildningsförvaltningen",
    "SOF": "Socialförvaltningen",
    "KOF": "Kultur- och fritidsförvaltningen",
    "VOF": "Vård- och omsorgsförvaltningen",
    "SBF": "Samhällsbyggnadsförvaltningen",
    "TFF": "Tekniska förvaltningen",
    "AVF": "Arbetsmarknads- och vuxenutbildningsförvaltningen",
    "KLF": "Kommunledningsförvaltningen",
}
PILOT_ADMINISTRATIONS = ("SOF", "UBF", "KOF")
COMPARISON_ADMINISTRATIONS = ("VOF", "SBF", "TFF", "AVF", "KLF")

ROLE_GROUPS: dict[str, str] = {
    "preschool_teacher": "forskollarare",
    "childminder": "barnskotare",
    "teacher": "grundskollarare",
    "leisure_teacher": "fritidspedagog",
    "student_assistant": "elevassistent",
    "youth_leader": "fritidsledare",
    "social_worker": "socialsekreterare",
    "treatment_assistant": "behandlingsassistent",
    "assistant_nurse": "underskoterska",
    "care_assistant": "vardbitrade",
    "personal_assistant": "personlig_assistent",
    "manager": "chef",
    "administrator": "handlaggare",
    "technical": "teknisk",
    "other": "ovrigt",
}
# Swedish display names with diacritics, for reports and the --swedish demo export.
ROLE_GROUP_DISPLAY_SV: dict[str, str] = {
    "preschool_teacher": "Förskollärare",
    "childminder": "Barnskötare",
    "teacher": "Grundskollärare",
    "leisure_teacher": "Fritidspedagog",
    "student_assistant": "Elevassistent",
    "youth_leader": "Fritidsledare",
    "social_worker": "Socialsekreterare",
    "treatment_assistant": "Behandlingsassistent",
    "assistant_nurse": "Undersköterska",
    "care_assistant": "Vårdbiträde",
    "personal_assistant": "Personlig assistent",
    "manager": "Chef",
    "administrator": "Handläggare",
    "technical": "Teknisk",
    "other": "Övrigt",
}

EMPLOYMENT_TYPES = {
    "permanent": "tillsvidare",
    "fixed_term": "visstid",
    "substitute": "vikariat",
    "hourly": "timanstallning",
    "summer": "sommarvikariat",
}
STATUTORY_CHECKS = {
    "none": "inget",
    "school_preschool": "skola_forskola",
    "hvb": "hvb",
    "lss_children": "lss_barn",
    "other_children": "ovrigt_barn",
}
VACANCY_STATUSES = {
    "open": "oppen",
    "filled": "tillsatt",
    "cancelled": "avbruten",
    "unfilled": "ej_tillsatt",
    "readvertised": "ateranonserad",
}
# The contract spells "återannonsera" with one n (docs/contract.md); Swedish has two.
VACANCY_STATUS_ALIASES = {"återannonserad": "readvertised"}
QUALIFIED = {"yes": "ja", "no": "nej", "not_applicable": "ej_tillamplig", "unknown": "okand"}
STAGES: dict[int, tuple[str, str]] = {
    0: ("received", "inkommen"),
    1: ("screened", "granskad"),
    2: ("interview", "intervju"),
    3: ("references", "referenstagning"),
    4: ("background_check", "bakgrundskontroll"),
    5: ("offer", "erbjudande"),
    6: ("accepted", "accepterat"),
    7: ("started", "tilltratt"),
}
FINAL_STATUSES = {
    "hired": "anstalld",
    "rejected": "ej_aktuell",
    "withdrawn": "aterkallad",
    "declined_offer": "tackat_nej",
    "cancelled": "avbruten",
    "in_progress": "pagaende",
}
WITHDRAWAL_REASONS = {
    "other_job": "annat_arbete",
    "process_length": "processens_langd",
    "background_check": "bakgrundskontroll",
    "personal": "personliga_skal",
    "unknown": "okand",
}
GENDERS = {"woman": "kvinna", "man": "man", "other_unknown": "annat_okant"}
AGE_BANDS = {"u25": "u25", "25_34": "25_34", "35_44": "35_44", "45_54": "45_54", "55plus": "55plus"}
AGE_BAND_ALIASES = {
    "under 25": "u25",
    "<25": "u25",
    "-24": "u25",
    "25-34": "25_34",
    "35-44": "35_44",
    "45-54": "45_54",
    "55+": "55plus",
    "55-": "55plus",
}
CHECK_TYPES = {
    "register_school": "registerutdrag_skola",
    "register_hvb": "registerutdrag_hvb",
    "register_lss": "registerutdrag_lss",
    "register_other_children": "registerutdrag_ovrigt_barn",
    "court_records": "fordjupad_domstol",
    "court_and_credit": "utokad_domstol_kredit",
}
PILOT_CHECK_TYPES = ("court_records", "court_and_credit")
CHECK_STATUSES = {
    "completed": "slutford",
    "pending": "pagaende",
    "cancelled_by_candidate": "avbruten_av_kandidat",
    "cancelled_other": "avbruten_ovrigt",
}
CHECK_OUTCOMES = {
    "cleared": "godkand",
    "remark_no_obstacle": "anmarkning_ej_hinder",
    "remark_obstacle": "anmarkning_hinder",
}
SCOPES = {
    "new_hires": "nyanstallda",
    "placements": "vfu_praktik",
    "managers_financial": "chefer_ekonomiskt_ansvar",
}
ALL_ROLES = "all"

#: Each table's Swedish name for a reader (headings of the data request, the report's
#: data-quality tables): the file names stay the ASCII ``swedish`` names.
TABLE_NAMES_SV: dict[str, str] = {
    "vacancies": "Rekryteringar",
    "applications": "Ansökningar",
    "background_checks": "Bakgrundskontroller",
    "pilot_rollout": "Pilotens schema",
    "staffing_monthly": "Bemanning per månad",
}

# Swedish headers and labels as an HR system writes them (with å/ä/ö, capitals, spaces),
# for the --swedish demo export. Each folds (:func:`fold`) to the contract's Swedish name
# or to an alias, so ingest reads them back to the same values (tested).
HEADERS_SV: dict[str, str] = {
    "rekryterings_id": "Rekryterings-ID",
    "forvaltning": "Förvaltning",
    "yrkesgrupp": "Yrkesgrupp",
    "ssyk": "SSYK",
    "anstallningsform": "Anställningsform",
    "antal_tjanster": "Antal tjänster",
    "chefsbefattning": "Chefsbefattning",
    "lagkrav_registerutdrag": "Lagkrav registerutdrag",
    "publicerad_datum": "Publicerad datum",
    "sista_ansokningsdag": "Sista ansökningsdag",
    "forsta_erbjudande_datum": "Första erbjudande datum",
    "accepterat_datum": "Accepterat datum",
    "tilltrade_datum": "Tillträde datum",
    "avslutad_datum": "Avslutad datum",
    "status": "Status",
    "ateranonsering_av": "Återannonsering av",
    "kontroll_i_annons": "Kontroll i annons",
    "ansoknings_id": "Ansöknings-ID",
    "inkommen_datum": "Inkommen datum",
    "intern_sokande": "Intern sökande",
    "behorig": "Behörig",
    "hogsta_steg": "Högsta steg",
    "slutstatus": "Slutstatus",
    "aterkallad_datum": "Återkallad datum",
    "aterkallad_steg": "Återkallad steg",
    "aterkallad_orsak": "Återkallad orsak",
    "erbjudande_datum": "Erbjudande datum",
    "kon": "Kön",
    "aldersgrupp": "Åldersgrupp",
    "kontroll_id": "Kontroll-ID",
    "kontrolltyp": "Kontrolltyp",
    "begard_datum": "Begärd datum",
    "klar_datum": "Klar datum",
    "utfall": "Utfall",
    "omfattning": "Omfattning",
    "startdatum": "Startdatum",
    "slutdatum": "Slutdatum",
    "manad": "Månad",
    "antal_tillsvidare": "Antal tillsvidare",
    "antal_tidsbegransade": "Antal tidsbegränsade",
    "arsarbetare": "Årsarbetare",
    "egna_avgangar": "Egna avgångar",
    "nyanstallningar": "Nyanställningar",
    "andel_behoriga": "Andel behöriga",
    "timmar_timavlonade": "Timmar timavlönade",
    "vakanta_tjanster": "Vakanta tjänster",
}
# Keyed by the contract's Swedish label (role groups: ROLE_GROUP_DISPLAY_SV;
# administrations: their full names in ADMINISTRATIONS).
LABELS_SV: dict[str, str] = {
    # employment_type
    "tillsvidare": "Tillsvidare",
    "visstid": "Visstid",
    "vikariat": "Vikariat",
    "timanstallning": "Timanställning",
    "sommarvikariat": "Sommarvikariat",
    # statutory_check
    "inget": "Inget",
    "skola_forskola": "Skola/förskola",
    "hvb": "HVB",
    "lss_barn": "LSS barn",
    "ovrigt_barn": "Övrigt barn",
    # vacancy status
    "oppen": "Öppen",
    "tillsatt": "Tillsatt",
    "avbruten": "Avbruten",
    "ej_tillsatt": "Ej tillsatt",
    "ateranonserad": "Återannonserad",
    # qualified
    "ja": "Ja",
    "nej": "Nej",
    "ej_tillamplig": "Ej tillämplig",
    "okand": "Okänd",
    # final_status
    "anstalld": "Anställd",
    "ej_aktuell": "Ej aktuell",
    "aterkallad": "Återkallad",
    "tackat_nej": "Tackat nej",
    "pagaende": "Pågående",
    # withdrawal_reason
    "annat_arbete": "Annat arbete",
    "processens_langd": "Processens längd",
    "bakgrundskontroll": "Bakgrundskontroll",
    "personliga_skal": "Personliga skäl",
    # gender, age band
    "kvinna": "Kvinna",
    "man": "Man",
    "annat_okant": "Annat/okänt",
    "u25": "Under 25",
    "25_34": "25–34",
    "35_44": "35–44",
    "45_54": "45–54",
    "55plus": "55+",
    # check_type
    "registerutdrag_skola": "Registerutdrag skola",
    "registerutdrag_hvb": "Registerutdrag HVB",
    "registerutdrag_lss": "Registerutdrag LSS",
    "registerutdrag_ovrigt_barn": "Registerutdrag övrigt barn",
    "fordjupad_domstol": "Fördjupad domstol",
    "utokad_domstol_kredit": "Utökad domstol/kredit",
    # check status, outcome
    "slutford": "Slutförd",
    "avbruten_av_kandidat": "Avbruten av kandidat",
    "avbruten_ovrigt": "Avbruten övrigt",
    "godkand": "Godkänd",
    "anmarkning_ej_hinder": "Anmärkning, ej hinder",
    "anmarkning_hinder": "Anmärkning, hinder",
    # scope, all roles
    "nyanstallda": "Nyanställda",
    "vfu_praktik": "VFU/praktik",
    "chefer_ekonomiskt_ansvar": "Chefer ekonomiskt ansvar",
    "alla": "Alla",
}


def _admin_col() -> ColumnSpec:
    # The code (UBF) is canonical; the Swedish label is the code too, the full names are
    # aliases (the Swedish full names are also accepted).
    return ColumnSpec(
        "administration",
        "forvaltning",
        "enum",
        labels={code: code for code in ADMINISTRATIONS},
        aliases={name: code for code, name in ADMINISTRATIONS.items()},
    )


def _role_col(allow_all: bool = False) -> ColumnSpec:
    labels = dict(ROLE_GROUPS)
    aliases = {ROLE_GROUP_DISPLAY_SV[k]: k for k in ROLE_GROUPS}
    if allow_all:
        labels[ALL_ROLES] = "alla"
    return ColumnSpec("role_group", "yrkesgrupp", "enum", labels=labels, aliases=aliases)


def _date(name: str, swedish: str, nullable: bool = False, description: str = "") -> ColumnSpec:
    return ColumnSpec(name, swedish, "date", nullable=nullable, description=description)


# --------------------------------------------------------------------------- tables

VACANCIES = TableSpec(
    "vacancies",
    "rekryteringar",
    (
        ColumnSpec("vacancy_id", "rekryterings_id", "id"),
        _admin_col(),
        _role_col(),
        ColumnSpec("ssyk_code", "ssyk", "str", nullable=True, description="4-digit SSYK 2012"),
        ColumnSpec("employment_type", "anstallningsform", "enum", labels=EMPLOYMENT_TYPES),
        ColumnSpec("positions", "antal_tjanster", "int", minimum=1),
        ColumnSpec("is_manager", "chefsbefattning", "bool"),
        ColumnSpec("statutory_check", "lagkrav_registerutdrag", "enum", labels=STATUTORY_CHECKS),
        _date("published_date", "publicerad_datum"),
        _date("closing_date", "sista_ansokningsdag"),
        _date("first_offer_date", "forsta_erbjudande_datum", nullable=True),
        _date("accepted_date", "accepterat_datum", nullable=True),
        _date("start_date", "tilltrade_datum", nullable=True),
        _date("closed_date", "avslutad_datum", nullable=True),
        ColumnSpec("status", "status", "enum", labels=VACANCY_STATUSES, aliases=VACANCY_STATUS_ALIASES),
        ColumnSpec(
            "readvertisement_of", "ateranonsering_av", "id", nullable=True, header_aliases=("återannonsering_av",)
        ),
        ColumnSpec("check_in_ad", "kontroll_i_annons", "bool"),
    ),
    key=("vacancy_id",),
    foreign_keys={"readvertisement_of": ("vacancies", "vacancy_id")},
    description="one row per advertised recruitment (a re-advertisement is a new row)",
)

APPLICATIONS = TableSpec(
    "applications",
    "ansokningar",
    (
        ColumnSpec("application_id", "ansoknings_id", "id"),
        ColumnSpec("vacancy_id", "rekryterings_id", "id"),
        _date("submitted_date", "inkommen_datum"),
        ColumnSpec("internal", "intern_sokande", "bool"),
        ColumnSpec("qualified", "behorig", "enum", labels=QUALIFIED),
        ColumnSpec("highest_stage", "hogsta_steg", "stage", minimum=0, maximum=7),
        ColumnSpec("final_status", "slutstatus", "enum", labels=FINAL_STATUSES),
        _date("withdrawn_date", "aterkallad_datum", nullable=True),
        ColumnSpec("withdrawn_stage", "aterkallad_steg", "stage", nullable=True, minimum=0, maximum=7),
        ColumnSpec("withdrawal_reason", "aterkallad_orsak", "enum", nullable=True, labels=WITHDRAWAL_REASONS),
        _date("offer_date", "erbjudande_datum", nullable=True),
        ColumnSpec(
            "gender",
            "kon",
            "enum",
            nullable=True,
            labels=GENDERS,
            aliases={"kvinnor": "woman", "män": "man", "annat": "other_unknown", "okänt": "other_unknown"},
        ),
        ColumnSpec("age_band", "aldersgrupp", "enum", nullable=True, labels=AGE_BANDS, aliases=AGE_BAND_ALIASES),
    ),
    key=("application_id",),
    foreign_keys={"vacancy_id": ("vacancies", "vacancy_id")},
    description="one row per application",
)

BACKGROUND_CHECKS = TableSpec(
    "background_checks",
    "bakgrundskontroller",
    (
        ColumnSpec("check_id", "kontroll_id", "id"),
        ColumnSpec("application_id", "ansoknings_id", "id"),
        ColumnSpec("check_type", "kontrolltyp", "enum", labels=CHECK_TYPES),
        _date("requested_date", "begard_datum"),
        _date("completed_date", "klar_datum", nullable=True),
        ColumnSpec("status", "status", "enum", labels=CHECK_STATUSES),
        ColumnSpec(
            "outcome",
            "utfall",
            "enum",
            nullable=True,
            labels=CHECK_OUTCOMES,
            description="criminal-offence data (GDPR art. 10): only ever published as protected aggregates",
        ),
    ),
    key=("check_id",),
    foreign_keys={"application_id": ("applications", "application_id")},
    description="one row per check",
)

PILOT_ROLLOUT = TableSpec(
    "pilot_rollout",
    "pilot_schema",
    (
        _admin_col(),
        _role_col(allow_all=True),
        ColumnSpec("scope", "omfattning", "enum", labels=SCOPES),
        ColumnSpec("check_type", "kontrolltyp", "enum", labels={k: CHECK_TYPES[k] for k in PILOT_CHECK_TYPES}),
        _date("start_date", "startdatum"),
        _date("end_date", "slutdatum", nullable=True, description="open-ended if empty"),
    ),
    key=("administration", "role_group", "scope"),
    description="one row per administration × role group × scope",
)

STAFFING_MONTHLY = TableSpec(
    "staffing_monthly",
    "bemanning_manad",
    (
        _admin_col(),
        _role_col(),
        _date("month", "manad", description="first day of the month (YYYY-MM also accepted)"),
        ColumnSpec("headcount_permanent", "antal_tillsvidare", "int", minimum=0),
        ColumnSpec("headcount_temporary", "antal_tidsbegransade", "int", minimum=0),
        ColumnSpec("fte", "arsarbetare", "float", minimum=0),
        ColumnSpec("voluntary_leavers", "egna_avgangar", "int", minimum=0),
        ColumnSpec("new_hires", "nyanstallningar", "int", minimum=0),
        ColumnSpec("share_qualified", "andel_behoriga", "float", nullable=True, minimum=0, maximum=1),
        ColumnSpec("hourly_hours", "timmar_timavlonade", "float", minimum=0),
        ColumnSpec("vacant_posts", "vakanta_tjanster", "int", minimum=0),
    ),
    key=("administration", "role_group", "month"),
    required=False,
    description="optional aggregate, administration × role group × month",
)

TABLES: dict[str, TableSpec] = {
    t.name: t for t in (VACANCIES, APPLICATIONS, BACKGROUND_CHECKS, PILOT_ROLLOUT, STAFFING_MONTHLY)
}
REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)
OPTIONAL_TABLES = tuple(name for name, t in TABLES.items() if not t.required)

# Dates that record an event that has happened: none of them may lie after the data cut
# date. Planned dates (closing_date, start_date, roll-out dates) may.
EVENT_DATES: dict[str, tuple[str, ...]] = {
    "vacancies": ("published_date", "first_offer_date", "accepted_date", "closed_date"),
    "applications": ("submitted_date", "withdrawn_date", "offer_date"),
    "background_checks": ("requested_date", "completed_date"),
    "pilot_rollout": (),
    "staffing_monthly": ("month",),
}


def stage_lookup() -> dict[str, int]:
    """Folded stage name (English or Swedish) or digit → stage number."""
    out: dict[str, int] = {}
    for number, (english, swedish) in STAGES.items():
        out[str(number)] = number
        out[fold(english)] = number
        out[fold(swedish)] = number
    return out


def table_for_name(name: str) -> str | None:
    """Canonical table name for a file or sheet name (English or Swedish), else None.

    >>> table_for_name("Ansökningar")
    'applications'
    >>> table_for_name("truth") is None
    True
    """
    key = fold(name)
    for table in TABLES.values():
        if key in (fold(table.name), fold(table.swedish)):
            return table.name
    return None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` if it is larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def close_column(header: str, table: str, exclude: set[str] | frozenset[str] = frozenset()) -> ColumnSpec | None:
    """The contract column of ``table`` whose name (English, Swedish or an alias) is
    within a small edit distance of ``header`` after folding: 1 for a folded header of up
    to 5 characters, 2 for longer ones; shorter than 4 characters never matches.
    Columns named in ``exclude`` (canonical names, e.g. those already in the file) are
    not candidates. For a "did you mean …?" on a header that is not in the contract.

    >>> close_column("Publicerad datumm", "vacancies").name
    'published_date'
    >>> close_column("intern_kod", "vacancies") is None
    True
    """
    key = fold(header)
    if len(key) < 4:
        return None
    limit = 1 if len(key) <= 5 else 2
    best: tuple[int, ColumnSpec] | None = None
    for col in TABLES[table].columns:
        if col.name in exclude:
            continue
        for name in col.headers:
            d = _edit_distance(key, fold(name), limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, col)
    return best[1] if best else None
