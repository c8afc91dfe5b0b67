"""The names an HR system's export may give each contract table, column and value.

``pilot-eval map suggest`` (:mod:`pilot_eval.mapping.suggest`) matches an unknown
export's headers and values against this vocabulary:

- every contract column under its English and Swedish names, the Swedish header as an HR
  system writes it (:data:`pilot_eval.contract.HEADERS_SV`) and the synonyms below:
  Swedish and English HR wording and the field names of the public sources the issue lists
  (Teamtailor's API, EasyCruit's Application Extract, Platsbanken and the JobTech API);
- names that are known but feed no contract column (:data:`KNOWN_UNUSED`: a vacancy's
  title, a candidate's pseudonym), so that the draft can say "not needed" instead of
  asking;
- names of columns that must never be exported (:data:`NEVER_EXPORT`: names,
  personnummer, e-mail, phone, address, free text). The privacy guard
  (:mod:`pilot_eval.privacy`) refuses a file with such a column before anything is
  matched; the list is here so that a test keeps the two in step;
- the labels of every enum value, and stage names with their stage numbers.

Matching, in this order: **exact** (the header as written), **folded**
(:func:`pilot_eval.contract.fold`: case, å/ä/ö, punctuation) and **fuzzy**
(:class:`difflib.SequenceMatcher` ratio of the folded texts at least
:data:`FUZZY_THRESHOLD`, folded texts of 4 characters or more). A fuzzy match is only a
proposal: the draft says so in a comment and asks the user to check it.

>>> match_header("Annons-ID", "vacancies").column
'vacancy_id'
>>> match_header("Publiceringsdatum", "vacancies").how
'exact'
>>> match_header("publiceringsdatum", "vacancies").how
'folded'
>>> match_value("Anställd", "applications", "final_status").target
'hired'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..contract import HEADERS_SV, LABELS_SV, STAGES, TABLES, fold

__all__ = [
    "FUZZY_THRESHOLD",
    "COLUMN_SYNONYMS",
    "KNOWN_UNUSED",
    "NEVER_EXPORT",
    "VALUE_SYNONYMS",
    "STAGE_SYNONYMS",
    "FILE_SYNONYMS",
    "NOTES",
    "HeaderMatch",
    "ValueMatch",
    "column_names",
    "match_header",
    "match_value",
    "known_unused",
    "table_for_file",
]

#: The least :class:`difflib.SequenceMatcher` ratio of two folded names for a fuzzy match.
#: 0.85 lets a missing letter or an ending through ("Publiseringsdatum",
#: "Ansökningsdatumet") but not another word ("Startdatum" against "Slutdatum" is 0.74).
FUZZY_THRESHOLD = 0.85

# Synonyms per table and column, in priority order (when two headers of one file name the
# same column, the one whose name comes first here is used). The contract's own names and
# HEADERS_SV are added by column_names(); these are the rest.
_ID_VACANCY = (
    "Annons-ID",
    "Annonsid",
    "Annonsnummer",
    "Rekryteringsnummer",
    "Rekrytering-ID",
    "Vacancy ID",
    "vacancy",
    "job_id",
    "job-id",
    "job.id",
    "relationships.job.data.id",
    "Platsnummer",
    "Job ID",
    "Requisition ID",
)
_ADMINISTRATION = (
    "Förvaltning",
    "Förvaltningsnamn",
    "Förvaltningskod",
    "Nämnd",
    "Administration",
    "Department Name",
    "Department",
    "Department ID",
    "Avdelning",
)
_ROLE_GROUP = ("Yrkesgrupp", "Yrke", "Befattning", "Tjänst", "Yrkeskategori", "Role group", "Occupation", "Job family")

COLUMN_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "vacancies": {
        "vacancy_id": (*_ID_VACANCY, "id", "PLATSNUMMER", "Annons ID"),
        "administration": _ADMINISTRATION,
        "role_group": _ROLE_GROUP,
        "ssyk_code": ("SSYK-kod", "SSYK 2012", "Yrkeskod", "SSYK code"),
        "employment_type": ("Anställningsform", "Anställningstyp", "Employment type", "Type of employment"),
        "positions": (
            "Antal tjänster",
            "Antal platser",
            "Antal",
            "ANTAL_AKT_PLATSER",
            "number_of_vacancies",
            "Number of positions",
            "Openings",
        ),
        "is_manager": ("Chefstjänst", "Chef", "Chefsbefattning", "Manager", "Managerial position"),
        "statutory_check": (
            "Registerkontroll",
            "Lagkrav utdrag",
            "Krav på registerutdrag",
            "Registerutdrag krävs",
            "Statutory check",
        ),
        "published_date": (
            "Publiceringsdatum",
            "Publicerad",
            "Publiceringsdag",
            "Annonsdatum",
            "FORSTA_PUBLICERINGSDATUM",
            "publication_date",
            "Published",
            "Published date",
            "Publish date",
            "created-at",
        ),
        "closing_date": (
            "Sista ansökningsdag",
            "Sista ansökningsdatum",
            "Sista dag att söka",
            "Ansök senast",
            "SISTA_ANSOK_PUBLDATUM",
            "application_deadline",
            "Deadline",
            "Closing date",
            "Application deadline",
        ),
        "first_offer_date": ("Första erbjudande", "Datum första erbjudande", "First offer date", "First offer"),
        "accepted_date": ("Accepterat", "Datum accepterat", "Accepterad", "Accepted date", "Offer accepted"),
        "start_date": (
            "Tillträdesdag",
            "Tillträdesdatum",
            "Tillträde",
            "Anställningsdatum",
            "Startdatum",
            "Start date",
            "Starting date",
        ),
        "closed_date": ("Avslutad", "Avslutsdatum", "Stängd datum", "Closed date", "Closed", "Close date"),
        "status": ("Status", "Annonsstatus", "Rekryteringsstatus", "Vacancy status", "status"),
        "readvertisement_of": (
            "Återannonsering",
            "Återannonserad från",
            "Ursprunglig annons",
            "Readvertisement of",
            "Original vacancy",
        ),
        "check_in_ad": ("Kontroll angiven i annons", "Registerutdrag i annons", "Check in ad", "Check stated in ad"),
    },
    "applications": {
        "application_id": (
            "Ansöknings-ID",
            "Ansökningsid",
            "Ansökningsnummer",
            "Application ID",
            "application",
            "id",
        ),
        "vacancy_id": _ID_VACANCY,
        "submitted_date": (
            "Ansökningsdatum",
            "Ansökt",
            "Ansökt datum",
            "Inkommen",
            "Inkom",
            "Inkommen datum",
            "Registrerad",
            "Application date",
            "Applied",
            "Applied date",
            "Submitted",
            "Submitted date",
            "created-at",
        ),
        "internal": (
            "Intern",
            "Internsökande",
            "Intern sökande",
            "Anställd i kommunen",
            "Internal",
            "Internal applicant",
            "sourced",
        ),
        "qualified": ("Behörig", "Behörighet", "Uppfyller krav", "Qualified", "Meets requirements"),
        "highest_stage": ("Högsta steg", "Steg", "Nått steg", "Stage", "Highest stage", "Stage reached"),
        "final_status": (
            "Slutstatus",
            "Status",
            "Ansökningsstatus",
            "Ansökans status",
            "Application Status",
            "Final status",
            "Outcome",
        ),
        "withdrawn_date": ("Återtagen datum", "Datum återkallad", "Withdrawn date", "Withdrawn at", "Withdrawal date"),
        "withdrawn_stage": ("Återtagen steg", "Steg vid återkallande", "Withdrawn stage", "Stage at withdrawal"),
        "withdrawal_reason": (
            "Orsak återkallad",
            "Orsak",
            "Skäl",
            "Anledning",
            "Withdrawal reason",
            "Reason",
            "relationships.reject-reason.data.id",
            "reject-reason",
        ),
        "offer_date": ("Erbjudande", "Erbjudandedatum", "Datum erbjudande", "Offer date", "Offered", "sent-at"),
        "gender": ("Kön", "Juridiskt kön", "Gender", "Sex"),
        "age_band": ("Åldersgrupp", "Ålder", "Åldersintervall", "Age band", "Age group", "Age"),
    },
    "background_checks": {
        "check_id": ("Kontroll-ID", "Kontrollid", "Utdrag-ID", "Ärende-ID", "Check ID", "id"),
        "application_id": ("Ansöknings-ID", "Ansökningsid", "Application ID", "application"),
        "check_type": ("Kontrolltyp", "Typ av kontroll", "Typ av utdrag", "Utdragstyp", "Check type", "Type"),
        "requested_date": ("Begärd", "Begärt datum", "Beställd", "Beställningsdatum", "Requested", "Requested date"),
        "completed_date": ("Klar", "Klart datum", "Avslutad", "Färdig", "Completed", "Completed date"),
        "status": ("Status", "Kontrollstatus", "Check status"),
        "outcome": ("Utfall", "Resultat", "Bedömning", "Outcome", "Result"),
    },
    "pilot_rollout": {
        "administration": _ADMINISTRATION,
        "role_group": _ROLE_GROUP,
        "scope": ("Omfattning", "Gäller", "Målgrupp", "Scope"),
        "check_type": ("Kontrolltyp", "Typ av kontroll", "Check type"),
        "start_date": ("Startdatum", "Start", "Från", "Gäller från", "Införd", "Start date", "From"),
        "end_date": ("Slutdatum", "Slut", "Till", "Gäller till", "End date", "To"),
    },
    "staffing_monthly": {
        "administration": _ADMINISTRATION,
        "role_group": _ROLE_GROUP,
        "month": ("Månad", "Period", "År-månad", "Month"),
        "headcount_permanent": ("Tillsvidareanställda", "Antal tillsvidareanställda", "Permanent staff", "Permanent"),
        "headcount_temporary": (
            "Tidsbegränsat anställda",
            "Antal visstidsanställda",
            "Visstidsanställda",
            "Temporary staff",
            "Temporary",
        ),
        "fte": ("Årsarbetare", "Heltidsekvivalenter", "Antal årsarbetare", "FTE", "Full-time equivalents"),
        "voluntary_leavers": ("Egna uppsägningar", "Avgångar", "Voluntary leavers", "Leavers"),
        "new_hires": ("Nyanställda", "Antal nyanställda", "New hires", "Hires"),
        "share_qualified": ("Andel behörig personal", "Behörighetsgrad", "Share qualified"),
        "hourly_hours": ("Timmar timanställda", "Timavlönade timmar", "Hourly hours", "Hours of hourly staff"),
        "vacant_posts": ("Vakanser", "Vakanta", "Obesatta tjänster", "Vacant posts", "Vacancies"),
    },
}

#: Cautions shown beside a match, keyed by folded name (``(table, folded name)`` or the
#: folded name for every table): the name is right for some systems, not for all.
NOTES: dict[tuple[str, str] | str, str] = {
    ("vacancies", "created_at"): "Teamtailor's job creation time; check that it is the publication date",
    ("applications", "created_at"): "Teamtailor's application time",
    ("applications", "sourced"): (
        "Teamtailor's sourced = added by a recruiter, not an internal applicant; check the meaning and the values"
    ),
    ("applications", "status"): "a status column; check that it holds the application's outcome",
    ("applications", "application_status"): (
        "EasyCruit's Application Status mixes stages and outcomes; check every value"
    ),
    "relationships_reject_reason_data_id": "Teamtailor's reject reason; its values need a value map",
    "department_id": "a department code; administration needs a value map from it",
    "department_name": "a department name; administration needs a value map from it",
    "tjanst": "check that it holds the occupation, not the vacancy's title",
    "anstallningsdatum": "check that it is the start of employment (tillträde), not the date of the decision",
    ("applications", "sent_at"): "Teamtailor's job offer sent-at, from a joined job-offers file",
    ("vacancies", "status"): "check every status value",
}

#: Names that are known but feed no contract column: why not.
KNOWN_UNUSED: dict[str, str] = {
    "Vacancy Title": "a vacancy's title; the contract uses role group instead",
    "Vacancy Reference Number": "EasyCruit's reference number; the contract uses Vacancy ID",
    "PLATSRUBRIK": "the advert's title; the contract uses role group instead",
    "title": "the job's title; the contract uses role group instead",
    "Rubrik": "the advert's title; the contract uses role group instead",
    "Annonsrubrik": "the advert's title; the contract uses role group instead",
    "Candidate ID": "a candidate's pseudonym; the contract counts applications, not candidates",
    "Kandidat-ID": "a candidate's pseudonym; the contract counts applications, not candidates",
    "relationships.candidate.data.id": "a candidate's pseudonym; the contract counts applications, not candidates",
    "candidate_id": "a candidate's pseudonym; the contract counts applications, not candidates",
    "Application Updated": "when the application last changed; not needed",
    "updated-at": "when the record last changed; not needed",
    "changed-stage-at": "when the application last changed stage; a stage history needs one row per change",
    "human-status": "the job's status as displayed; the draft uses status",
    "internal": "Teamtailor's internal job posting; the contract has no such column",
    "KOMMUN_KOD": "the municipality code; one municipality's export needs none",
    "workplace_address.municipality_code": "the municipality code; one municipality's export needs none",
    "YRKE_ID": "Arbetsförmedlingen's occupation ID (not an SSYK code); role group needs a value map from it",
    "removed_date": "when the advert was removed; the recruitment's closed date may differ",
    "relationships.stage.data.id": "the stage's ID; join the stages file to map the stage name",
    "row-order": "the stage's position in the stages file",
    "Kommun": "the municipality; one municipality's export needs none",
    "Kommunkod": "the municipality code; one municipality's export needs none",
    "Enhet": "the unit; the contract uses administration",
    "Arbetsplats": "the workplace; the contract uses administration",
    "Senast ändrad": "when the record last changed; not needed",
    "Ändrad": "when the record last changed; not needed",
}

#: Columns that must never be exported (the privacy guard refuses a file that has one).
NEVER_EXPORT: tuple[str, ...] = (
    "Personnummer",
    "Personnr",
    "Samordningsnummer",
    "Namn",
    "Förnamn",
    "Efternamn",
    "Sökandes namn",
    "first-name",
    "last-name",
    "Name",
    "E-post",
    "E-postadress",
    "email",
    "Telefon",
    "Mobilnummer",
    "phone",
    "Adress",
    "Gatuadress",
    "Kommentar",
    "Fritext",
    "Anteckningar",
    "Personligt brev",
    "cover-letter",
)

# Value synonyms per contract column name (all tables): label -> canonical value. The
# contract's canonical values, Swedish labels, aliases and display labels are added by
# _value_lookup().
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "final_status": {
        "Anställd": "hired",
        "Anställning": "hired",
        "Hired": "hired",
        "Employed": "hired",
        "Accepterat erbjudande": "hired",
        "Offer accepted": "hired",
        "Rejected": "rejected",
        "Ej aktuell": "rejected",
        "Ej aktuell för tjänsten": "rejected",
        "Avböjd": "rejected",
        "Avböjt": "rejected",
        "Avslag": "rejected",
        "Ej vidare": "rejected",
        "Not selected": "rejected",
        "Disqualified": "rejected",
        "Withdrawn": "withdrawn",
        "Återtagen": "withdrawn",
        "Återtagit": "withdrawn",
        "Återtagen ansökan": "withdrawn",
        "Återkallad": "withdrawn",
        "Återkallat": "withdrawn",
        "Candidate withdrew": "withdrawn",
        "Withdrew": "withdrawn",
        "Tackat nej": "declined_offer",
        "Tackat nej till erbjudande": "declined_offer",
        "Declined offer": "declined_offer",
        "Offer declined": "declined_offer",
        "Avböjt erbjudande": "declined_offer",
        "Avbruten": "cancelled",
        "Rekrytering avbruten": "cancelled",
        "Cancelled": "cancelled",
        "Canceled": "cancelled",
        "Pågående": "in_progress",
        "Under behandling": "in_progress",
        "In progress": "in_progress",
        "Active": "in_progress",
        "Aktiv": "in_progress",
        "Ny": "in_progress",
        "New": "in_progress",
        "Inkommen": "in_progress",
        "Received": "in_progress",
        "Intervju": "in_progress",
        "Interview": "in_progress",
    },
    "status": {  # vacancies and background checks: their canonical values do not collide
        "Open": "open",
        "Öppen": "open",
        "Publicerad": "open",
        "Published": "open",
        "Aktiv": "open",
        "Pågående": "open",
        "Tillsatt": "filled",
        "Filled": "filled",
        "Avbruten": "cancelled",
        "Cancelled": "cancelled",
        "Canceled": "cancelled",
        "Ej tillsatt": "unfilled",
        "Unfilled": "unfilled",
        "Not filled": "unfilled",
        "Återannonserad": "readvertised",
        "Readvertised": "readvertised",
        "Re-advertised": "readvertised",
    },
    "employment_type": {
        "Tillsvidareanställning": "permanent",
        "Tillsvidare": "permanent",
        "Fast anställning": "permanent",
        "Fast": "permanent",
        "Permanent": "permanent",
        "Visstidsanställning": "fixed_term",
        "Visstid": "fixed_term",
        "Allmän visstid": "fixed_term",
        "Särskild visstidsanställning": "fixed_term",
        "Tidsbegränsad": "fixed_term",
        "Tidsbegränsad anställning": "fixed_term",
        "Fixed term": "fixed_term",
        "Temporary": "fixed_term",
        "Vikariat": "substitute",
        "Vikarie": "substitute",
        "Substitute": "substitute",
        "Timanställning": "hourly",
        "Timavlönad": "hourly",
        "Behovsanställning": "hourly",
        "Hourly": "hourly",
        "Sommarvikariat": "summer",
        "Sommarjobb": "summer",
        "Feriearbete": "summer",
        "Summer": "summer",
    },
    "qualified": {
        "Behörig": "yes",
        "Ej behörig": "no",
        "Yes": "yes",
        "No": "no",
        "N/A": "not_applicable",
        "Ej tillämpligt": "not_applicable",
        "Not applicable": "not_applicable",
        "Okänt": "unknown",
        "Unknown": "unknown",
        "Ej bedömd": "unknown",
    },
    "withdrawal_reason": {
        "Annat arbete": "other_job",
        "Annat jobb": "other_job",
        "Fått annat arbete": "other_job",
        "Fått annat jobb": "other_job",
        "Other job": "other_job",
        "Found another job": "other_job",
        "Processens längd": "process_length",
        "För lång process": "process_length",
        "Process too long": "process_length",
        "Process length": "process_length",
        "Bakgrundskontroll": "background_check",
        "Registerutdrag": "background_check",
        "Background check": "background_check",
        "Personliga skäl": "personal",
        "Personal reasons": "personal",
        "Personal": "personal",
        "Okänd": "unknown",
        "Ej angiven": "unknown",
        "Unknown": "unknown",
    },
    "gender": {
        "Kvinna": "woman",
        "K": "woman",
        "Female": "woman",
        "Woman": "woman",
        "Man": "man",
        "M": "man",
        "Male": "man",
        "Annat": "other_unknown",
        "Okänt": "other_unknown",
        "Ej angivet": "other_unknown",
        "Vill ej uppge": "other_unknown",
        "Other": "other_unknown",
        "Unknown": "other_unknown",
    },
    "role_group": {
        "Lärare": "teacher",
        "Grundskolelärare": "teacher",
        "Förskolelärare": "preschool_teacher",
        "Socialsekreterare": "social_worker",
        "Undersköterska": "assistant_nurse",
        "Personlig assistent": "personal_assistant",
        "Chef": "manager",
        "Enhetschef": "manager",
        "Handläggare": "administrator",
    },
    "check_status": {
        "Klar": "completed",
        "Slutförd": "completed",
        "Completed": "completed",
        "Pågående": "pending",
        "Pending": "pending",
        "Avbruten av kandidat": "cancelled_by_candidate",
        "Avbruten av sökande": "cancelled_by_candidate",
        "Avbruten": "cancelled_other",
    },
    "outcome": {
        "Godkänd": "cleared",
        "Utan anmärkning": "cleared",
        "Cleared": "cleared",
        "Anmärkning, ej hinder": "remark_no_obstacle",
        "Anmärkning, hinder": "remark_obstacle",
    },
}

#: Stage names (of a stage column or a stage history) -> stage number.
STAGE_SYNONYMS: dict[str, int] = {
    "Inbox": 0,
    "Ny": 0,
    "New": 0,
    "Applied": 0,
    "Ansökt": 0,
    "Inkommen": 0,
    "Received": 0,
    "Screening": 1,
    "Urval": 1,
    "Granskad": 1,
    "Bedömd": 1,
    "Screened": 1,
    "Intervju": 2,
    "Interview": 2,
    "Intervju 1": 2,
    "Interview 1": 2,
    "Intervju 2": 2,
    "Interview 2": 2,
    "Referenser": 3,
    "Referenstagning": 3,
    "References": 3,
    "Bakgrundskontroll": 4,
    "Background check": 4,
    "Registerutdrag": 4,
    "Erbjudande": 5,
    "Erbjuden": 5,
    "Offer": 5,
    "Offered": 5,
    "Accepterat": 6,
    "Accepted": 6,
    "Anställd": 6,
    "Hired": 6,
    "Tillträtt": 7,
    "Started": 7,
}

#: File (or sheet) names -> contract table, besides the contract's own names.
FILE_SYNONYMS: dict[str, str] = {
    "annonser": "vacancies",
    "platsannonser": "vacancies",
    "annons": "vacancies",
    "jobs": "vacancies",
    "job": "vacancies",
    "vacancy": "vacancies",
    "vakanser": "vacancies",
    "tjanster": "vacancies",
    "rekrytering": "vacancies",
    "adverts": "vacancies",
    "ads": "vacancies",
    "job_applications": "applications",
    "ansokan": "applications",
    "application": "applications",
    "application_extract": "applications",
    "sokande": "applications",
    "candidates": "applications",
    "kontroller": "background_checks",
    "registerutdrag": "background_checks",
    "checks": "background_checks",
    "utdrag": "background_checks",
    "pilot": "pilot_rollout",
    "rollout": "pilot_rollout",
    "inforande": "pilot_rollout",
    "bemanning": "staffing_monthly",
    "staffing": "staffing_monthly",
    "personal": "staffing_monthly",
}


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class HeaderMatch:
    """A header matched to a contract column.

    ``how`` is ``"exact"``, ``"folded"`` or ``"fuzzy"``; ``name`` the vocabulary name it
    matched; ``score`` 1.0 for exact and folded matches, the ratio for a fuzzy one;
    ``rank`` the name's position in the column's names (lower = preferred); ``note`` a
    caution for the draft's comment ("" if none).
    """

    table: str
    column: str
    how: str
    name: str
    score: float
    rank: int
    note: str = ""


@dataclass(frozen=True)
class ValueMatch:
    """A source value matched to a contract value (a canonical enum value, a stage
    number, or True/False); ``how`` and ``score`` as for :class:`HeaderMatch`."""

    target: str | int | bool
    how: str
    name: str
    score: float


def column_names(table: str, column: str) -> tuple[str, ...]:
    """Every name ``column`` of ``table`` may go by, preferred first: the vocabulary's
    synonyms, then the contract's English and Swedish names, the Swedish display header
    and the contract's header aliases."""
    spec = TABLES[table].column(column)
    names = [*COLUMN_SYNONYMS.get(table, {}).get(column, ()), spec.name, spec.swedish]
    names.append(HEADERS_SV.get(spec.swedish, spec.swedish))
    names.extend(spec.header_aliases)
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return tuple(out)


def _note(table: str, folded: str) -> str:
    return NOTES.get((table, folded)) or NOTES.get(folded, "")


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def match_header(header: str, table: str, exclude: frozenset[str] = frozenset()) -> HeaderMatch | None:
    """The best contract column of ``table`` for ``header``: exact, then folded, then
    fuzzy (ratio >= :data:`FUZZY_THRESHOLD`); None if nothing matches. Columns named in
    ``exclude`` are not candidates."""
    text = str(header).strip()
    key = fold(text)
    if not key or key in _NEVER_EXPORT_FOLDED:
        return None
    best: HeaderMatch | None = None
    for how in ("exact", "folded"):
        for spec in TABLES[table].columns:
            if spec.name in exclude:
                continue
            for rank, name in enumerate(column_names(table, spec.name)):
                hit = text == name if how == "exact" else key == fold(name)
                if hit and (best is None or rank < best.rank):
                    best = HeaderMatch(table, spec.name, how, name, 1.0, rank, _note(table, key))
        if best is not None:
            return best
    if len(key) < 4 or known_unused(text) is not None:
        return None
    for spec in TABLES[table].columns:
        if spec.name in exclude:
            continue
        for rank, name in enumerate(column_names(table, spec.name)):
            score = _ratio(key, fold(name))
            if score >= FUZZY_THRESHOLD and (best is None or score > best.score):
                best = HeaderMatch(table, spec.name, "fuzzy", name, round(score, 2), rank, _note(table, key))
    return best


_NEVER_EXPORT_FOLDED = frozenset(fold(name) for name in NEVER_EXPORT)
_KNOWN_UNUSED_FOLDED = {fold(name): reason for name, reason in KNOWN_UNUSED.items()}


def known_unused(header: str) -> str | None:
    """Why a known header feeds no contract column, or None if it is not such a name."""
    return _KNOWN_UNUSED_FOLDED.get(fold(header))


def table_for_file(name: str) -> str | None:
    """The contract table a file or sheet name (without suffix) suggests, or None.

    >>> table_for_file("job-applications")
    'applications'
    >>> table_for_file("Platsannonser_2025")
    'vacancies'
    """
    key = fold(name)
    for table in TABLES.values():
        if key in (fold(table.name), fold(table.swedish)):
            return table.name
    if key in FILE_SYNONYMS:
        return FILE_SYNONYMS[key]
    tokens = key.split("_")
    for n in range(len(tokens), 0, -1):  # longest run of words first: "job_applications" before "job"
        for i in range(len(tokens) - n + 1):
            gram = "_".join(tokens[i : i + n])
            for table in TABLES.values():
                if gram in (fold(table.name), fold(table.swedish)):
                    return table.name
            if gram in FILE_SYNONYMS:
                return FILE_SYNONYMS[gram]
    return None


def _value_lookup(table: str, column: str) -> dict[str, str | int | bool]:
    """Folded label -> contract value for one column, synonyms first, then contract spellings."""
    spec = TABLES[table].column(column)
    out: dict[str, str | int | bool] = {}
    if spec.kind == "stage":
        for name, number in STAGE_SYNONYMS.items():
            out[fold(name)] = number
        for number, (english, swedish) in STAGES.items():
            out[str(number)] = number
            out[fold(english)] = number
            out[fold(swedish)] = number
            out[fold(LABELS_SV.get(swedish, swedish))] = number
        out[fold("Tillträtt")] = 7
        return out
    if spec.kind == "bool":
        for word in ("ja", "j", "yes", "y", "true", "sant", "1", "x"):
            out[word] = True
        for word in ("nej", "n", "no", "false", "falskt", "0"):
            out[word] = False
        return out
    key = "check_status" if (table, column) == ("background_checks", "status") else column
    allowed = set(spec.values)
    for label, canonical in VALUE_SYNONYMS.get(key, {}).items():
        if canonical in allowed:
            out[fold(label)] = canonical
    for canonical in spec.values:
        out[fold(spec.swedish_display_label(canonical))] = canonical
    out.update(spec.label_lookup())
    return out


def match_value(value: str, table: str, column: str) -> ValueMatch | None:
    """The contract value of ``column`` (an enum, stage or bool column of ``table``) for a
    source value: its folded form against every known label, then fuzzy; None if none."""
    text = str(value).strip()
    key = fold(text)
    lookup = _value_lookup(table, column)
    if key in lookup:
        spec = TABLES[table].column(column)
        exact = text in spec.labels or text in spec.aliases
        return ValueMatch(lookup[key], "exact" if exact else "folded", text, 1.0)
    if len(key) < 4:
        return None
    best: ValueMatch | None = None
    for label, target in lookup.items():
        score = _ratio(key, label)
        if score >= FUZZY_THRESHOLD and (best is None or score > best.score):
            best = ValueMatch(target, "fuzzy", label, round(score, 2))
    return best


# --------------------------------------------------------------------------- an example export

#: The headers of a Swedish municipal HR system's CSV export (Varbi, ReachMee, Heroma: their
#: exact names are not public, these are typical wording), for the columns it renames.
EXAMPLE_HEADERS = {
    "vacancies": {
        "vacancy_id": "Annons-ID",
        "administration": "Förvaltningsnamn",
        "published_date": "Publiceringsdatum",
        "closing_date": "Ansökan stänger",
        "employment_type": "Anställningsform",
        "status": "Rekryteringsstatus",
    },
    "applications": {
        "application_id": "Ansökan nr",
        "vacancy_id": "Annons-ID",
        "submitted_date": "Ansökningsdatum",
        "final_status": "Status",
    },
}
#: Its status labels for ``final_status``. Both are used by ``demo_layouts.write_renamed``.
EXAMPLE_STATUS = {
    "hired": "Anställd",
    "rejected": "Ej vidare",
    "withdrawn": "Drog tillbaka",
    "declined_offer": "Tackade nej",
    "cancelled": "Avbruten",
    "in_progress": "Pågår",
}
