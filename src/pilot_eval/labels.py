"""Swedish and English labels and number formats for everything a reader sees.

The politicians' report is Swedish by default and English on request (DESIGN.md §7).
This module holds, in one place:

* :data:`COLUMN_LABELS` — a label per column name of the tidy tables of
  :mod:`pilot_eval.measures` (``median_days`` → "Median (dagar)");
* :data:`MEASURE_TITLES` — a title per measure function (``time_to_fill`` →
  "Tid till tillsättning");
* :data:`VALUE_LABELS` — labels of group values (administrations, role groups, stages,
  genders, age bands, check types, outcomes, pilot arm and phase, …), with
  :func:`value_label` also reading periods ("2024Q3" → "kv. 3 2024") and booleans;
* :func:`format_number` and :func:`format_percent` — the Swedish number format
  ("12,5", "1 234", "12 %") and the English one ("12.5", "1,234", "12%");
* :func:`relabel` — a tidy table with readable headers and group values, for display.

Unknown keys never raise: they fall back to the key itself, so a new column shows up
under its code name rather than breaking a report.

Number format decisions
-----------------------
* **Thousands separator** (Swedish): U+00A0 NO-BREAK SPACE (:data:`THOUSANDS_SEP_SV`),
  from 1 000 up (four-digit numbers are grouped too, "1 234"). The narrow no-break space
  U+202F is typographically finer but missing from some print fonts; U+00A0 never breaks
  a number over two lines and prints everywhere. English uses a comma.
* **Decimal mark**: comma in Swedish, point in English.
* **Minus sign**: U+2212 MINUS SIGN in Swedish (Språkrådet's recommendation; it does not
  break from the number), ASCII hyphen-minus in English.
* **Rounding**: half away from zero ("commercial" rounding, as a reader rounding by hand
  would), applied to the number *as it prints* (its shortest decimal representation):
  ``12.45`` → "12,5", ``2.675`` → "2,68", ``0.125`` with two decimals → "0,13". Not
  banker's rounding, and not the binary value's rounding that Python's
  ``round`` does (``round(2.675, 2) == 2.67``). A value that rounds to zero loses its
  sign ("0,0", never "−0,0").
* **Default decimals**: integers (and floats with no fractional part) without decimals,
  other numbers with one.
* **Units** are joined with a no-break space ("12,5 dagar", "12.5 days"; "1 dag").
  :func:`format_percent` takes a *proportion* (0.12 → "12 %"): Swedish puts a no-break
  space before "%", English does not.
* Missing values (None, NaN, pd.NA, NaT) format as the empty string; the disclosure
  module (:mod:`pilot_eval.disclosure`) decides which symbol a reader sees instead.

Examples
--------
>>> format_number(1234567)
'1\\xa0234\\xa0567'
>>> format_number(12.45)
'12,5'
>>> format_number(12.5, lang="en", unit="days")
'12.5\\xa0days'
>>> format_percent(0.125, decimals=1)
'12,5\\xa0%'
>>> label("median_days")
'Median (dagar)'
>>> label("time_to_fill", "en")
'Time to fill'
>>> value_label("administration", "SOF")
'Socialförvaltningen'
>>> value_label("period", "2024Q3"), value_label("period", "2024H1", "en")
('kv. 3 2024', 'first half of 2024')
>>> value_label("age_band", "55plus")
'55 och äldre'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from . import contract as C

__all__ = [
    "LANGUAGES",
    "THOUSANDS_SEP_SV",
    "UNIT_SEP",
    "MINUS_SV",
    "COLUMN_LABELS",
    "MEASURE_TITLES",
    "VALUE_LABELS",
    "COLUMN_VALUE_KIND",
    "MISSING_LABEL",
    "label",
    "measure_title",
    "value_label",
    "format_number",
    "format_percent",
    "relabel",
]

LANGUAGES = ("sv", "en")

#: Swedish thousands separator: NO-BREAK SPACE (see the module docstring for why).
THOUSANDS_SEP_SV = "\u00a0"
#: Between a number and its unit (and before "%" in Swedish): NO-BREAK SPACE.
UNIT_SEP = "\u00a0"
#: Swedish minus sign: U+2212 MINUS SIGN.
MINUS_SV = "\u2212"

_SEPARATORS = {
    # lang: (thousands, decimal mark, minus)
    "sv": (THOUSANDS_SEP_SV, ",", MINUS_SV),
    "en": (",", ".", "-"),
}


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


# --------------------------------------------------------------------------- column labels

#: Column name → (Swedish, English) header.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # counts
    "n": ("Antal", "Number"),
    "n_filled": ("Antal tillsatta", "Number filled"),
    "n_competing": ("Antal avslutade utan tillsättning", "Number closed without being filled"),
    "n_censored": ("Antal fortfarande öppna", "Number still open"),
    "n_reached": ("Antal som nått steget", "Number reaching the stage"),
    "n_withdrawn": ("Antal återtagna ansökningar", "Number of withdrawn applications"),
    "n_reached_interview": ("Antal som nått intervju", "Number reaching interview"),
    "n_withdrawn_late": ("Antal återtagna i sent skede", "Number withdrawn at a late stage"),
    "n_in_progress": ("Antal pågående", "Number in progress"),
    "n_offers": ("Antal erbjudanden", "Number of offers"),
    "n_accepted": ("Antal accepterade", "Number accepted"),
    "n_declined": ("Antal tackat nej", "Number declined"),
    "n_vacancies": ("Antal rekryteringar", "Number of vacancies"),
    "n_positions": ("Antal tjänster", "Number of positions"),
    "n_applications": ("Antal ansökningar", "Number of applications"),
    "n_qualified": ("Antal behöriga sökande", "Number of qualified applicants"),
    "n_closed": ("Antal avslutade rekryteringar", "Number of closed vacancies"),
    "n_readvertised": ("Antal återannonserade", "Number re-advertised"),
    "n_unfilled": ("Antal ej tillsatta", "Number not filled"),
    "n_hires": ("Antal anställda", "Number of hires"),
    "n_hires_qualified": ("Antal behöriga bland anställda", "Number of hires qualified"),
    "n_hires_qualification_known": ("Antal anställda med känd behörighet", "Number of hires with known qualification"),
    "n_hires_permanent": ("Antal tillsvidareanställda bland anställda", "Number of hires permanent"),
    "n_hires_with_court_check": ("Antal anställda med fördjupad kontroll", "Number of hires with a deepened check"),
    "n_hires_with_register_extract": (
        "Antal anställda med registerutdrag",
        "Number of hires with a police register extract",
    ),
    "n_checks": ("Antal kontroller", "Number of checks"),
    "n_completed": ("Antal slutförda", "Number completed"),
    "n_pending": ("Antal pågående", "Number pending"),
    "n_cancelled": ("Antal avbrutna", "Number cancelled"),
    "n_court_records": ("Antal fördjupade kontroller (domstol)", "Number of deepened checks (court records)"),
    "n_court_and_credit": (
        "Antal fördjupade kontroller med kreditupplysning",
        "Number of deepened checks with credit check",
    ),
    "n_months": ("Antal månader", "Number of months"),
    "n_at_risk": ("Antal fortfarande öppna vid dagen", "Number still open on the day"),
    "n_followed_90": ("Antal följda i minst 90 dagar", "Number followed for at least 90 days"),
    "n_filled_90": ("Antal tillsatta inom 90 dagar", "Number filled within 90 days"),
    "n_offers_decided": ("Antal besvarade erbjudanden", "Number of offers answered"),
    "numerator": ("Antal (täljare)", "Count (numerator)"),
    "denominator": ("Antal (nämnare)", "Count (denominator)"),
    # durations
    "median_days": ("Median (dagar)", "Median (days)"),
    "median_conf_low": ("Median, konfidensintervall nedre gräns (dagar)", "Median, lower confidence limit (days)"),
    "median_conf_high": ("Median, konfidensintervall övre gräns (dagar)", "Median, upper confidence limit (days)"),
    "mean_days": ("Medelvärde (dagar)", "Mean (days)"),
    "q25_days": ("Undre kvartil (dagar)", "Lower quartile (days)"),
    "q75_days": ("Övre kvartil (dagar)", "Upper quartile (days)"),
    "rmst_90": ("Genomsnittlig tid inom 90 dagar (dagar)", "Restricted mean time up to 90 days (days)"),
    "days_unfilled_90": ("Genomsnittlig tid obesatt inom 90 dagar (dagar)", "Mean days unfilled within 90 days (days)"),
    "day": ("Dag sedan annonsering", "Days since publication"),
    # rates and shares
    "filled_within_60": ("Andel tillsatta inom 60 dagar", "Share filled within 60 days"),
    "filled_within_90": ("Andel tillsatta inom 90 dagar", "Share filled within 90 days"),
    "share_filled": ("Andel tillsatta (medan rekryteringen pågår)", "Share filled (while the recruitment runs)"),
    "share_filled_conf_low": (
        "Andel tillsatta, konfidensintervall nedre gräns",
        "Share filled, lower confidence limit",
    ),
    "share_filled_conf_high": (
        "Andel tillsatta, konfidensintervall övre gräns",
        "Share filled, upper confidence limit",
    ),
    "survival": ("Andel ännu inte tillsatta", "Share not yet filled"),
    "cumulative_incidence": ("Andel av alla rekryteringar tillsatta", "Share of all vacancies filled"),
    "within_7": ("Andel klara inom 7 dagar", "Share completed within 7 days"),
    "within_14": ("Andel klara inom 14 dagar", "Share completed within 14 days"),
    "rate": ("Andel", "Rate"),
    "late_withdrawal_rate": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate"),
    "withdrawal_rate": ("Andel återtagna ansökningar", "Withdrawal rate"),
    "share": ("Andel", "Share"),
    "share_of_applications": ("Andel av alla ansökningar", "Share of all applications"),
    "acceptance_rate": ("Andel accepterade erbjudanden", "Offer acceptance rate"),
    "hire_rate": ("Andel anställda", "Hire rate"),
    "qualified_rate": ("Andel behöriga sökande", "Share of applicants qualified"),
    "applicants_per_vacancy": ("Sökande per rekrytering", "Applicants per vacancy"),
    "applicants_per_position": ("Sökande per tjänst", "Applicants per position"),
    "qualified_per_vacancy": ("Behöriga sökande per rekrytering", "Qualified applicants per vacancy"),
    "qualified_per_position": ("Behöriga sökande per tjänst", "Qualified applicants per position"),
    "filled_rate": ("Andel tillsatta", "Share filled"),
    "readvertised_rate": ("Andel återannonserade", "Share re-advertised"),
    "cancelled_rate": ("Andel avbrutna", "Share cancelled"),
    "unfilled_rate": ("Andel ej tillsatta", "Share not filled"),
    "share_hires_qualified": ("Andel behöriga bland anställda", "Share of hires qualified"),
    "share_hires_permanent": ("Andel tillsvidareanställda bland anställda", "Share of hires permanent"),
    "share_hires_checked": ("Andel anställda med fördjupad kontroll", "Share of hires with a deepened check"),
    "share_hires_register_extract": (
        "Andel anställda med registerutdrag",
        "Share of hires with a police register extract",
    ),
    "turnover_rate": ("Personalomsättning (egna avgångar per år)", "Staff turnover (voluntary leavers per year)"),
    "share_qualified": ("Andel behörig personal", "Share of staff qualified"),
    "ratio_to_best": ("Kvot mot bäst ställda grupp", "Ratio to the best-off group"),
    "four_fifths_flag": ("Under fyra femtedelar", "Below four-fifths"),
    # staffing
    "headcount": ("Antal anställda per månad", "Staff per month"),
    "fte": ("Årsarbetare per månad", "Full-time equivalents per month"),
    "voluntary_leavers": ("Egna avgångar", "Voluntary leavers"),
    "new_hires": ("Nyanställningar", "New hires"),
    "vacant_posts": ("Vakanta tjänster", "Vacant posts"),
    "hourly_hours": ("Timmar utförda av timavlönade", "Hours worked by hourly-paid staff"),
    # group columns
    "measure": ("Mått", "Measure"),
    "stage": ("Steg", "Stage"),
    "stage_name": ("Stegets namn", "Stage name"),
    "highest_stage": ("Högsta steg", "Highest stage"),
    "withdrawn_stage": ("Steg vid återtagandet", "Stage at withdrawal"),
    "reason": ("Orsak", "Reason"),
    "withdrawal_reason": ("Orsak till återtagandet", "Reason for withdrawal"),
    "check_type": ("Kontrolltyp", "Check type"),
    "dimension": ("Indelning", "Breakdown"),
    "group": ("Grupp", "Group"),
    "administration": ("Förvaltning", "Administration"),
    "role_group": ("Yrkesgrupp", "Role group"),
    "period": ("Period", "Period"),
    "month": ("Månad", "Month"),
    "quarter": ("Kvartal", "Quarter"),
    "year": ("År", "Year"),
    "arm": ("Förvaltningsgrupp", "Group of administrations"),
    "phase": ("Skede", "Phase"),
    "cohort": ("Pilotens start", "Pilot start"),
    "cohort_index": ("Pilotens start (periodnummer)", "Pilot start (period number)"),
    "period_index": ("Periodnummer", "Period number"),
    "period_start": ("Periodens första dag", "First day of the period"),
    "period_end": ("Periodens sista dag", "Last day of the period"),
    "child_facing": (
        "Arbete med barn (registerutdrag krävdes redan)",
        "Work with children (register extract already required)",
    ),
    "treated": ("Omfattas av piloten", "Covered by the pilot"),
    "gender": ("Kön", "Gender"),
    "age_band": ("Åldersgrupp", "Age band"),
    "employment_type": ("Anställningsform", "Employment type"),
    "scope": ("Omfattning", "Scope"),
    "outcome": ("Utfall", "Outcome"),
    "exposure": ("Exponering för piloten", "Exposure to the pilot"),
    "status": ("Status", "Status"),
    "vacancy_status": ("Rekryteringens status", "Vacancy status"),
    "final_status": ("Slutstatus", "Final status"),
    "qualified": ("Behörighet", "Qualification"),
    "statutory_check": ("Lagkrav på registerutdrag", "Statutory register extract"),
    "is_manager": ("Chefsbefattning", "Manager post"),
    "internal": ("Intern sökande", "Internal applicant"),
    "check_in_ad": ("Kontroll nämnd i annonsen", "Check mentioned in the advert"),
    "in_rollout": ("Ingår i pilotens schema", "In the pilot's roll-out"),
    "in_force_at_cut": ("Gäller vid uttaget", "In force at the data cut"),
    "months_in_force": ("Månader i kraft", "Months in force"),
    "start_date": ("Startdatum", "Start date"),
    "end_date": ("Slutdatum", "End date"),
    "event_time": ("Tid i förhållande till start", "Event time"),
    # estimates (DESIGN.md §6)
    "term": ("Term", "Term"),
    "estimate": ("Skattning", "Estimate"),
    "std_error": ("Standardfel", "Standard error"),
    "conf_low": ("Konfidensintervall, nedre gräns", "Lower confidence limit"),
    "conf_high": ("Konfidensintervall, övre gräns", "Upper confidence limit"),
    "p_value": ("p-värde", "p-value"),
    "method": ("Metod", "Method"),
    "inference": ("Inferens", "Inference"),
}

#: Measure function name → (Swedish, English) title.
MEASURE_TITLES: dict[str, tuple[str, str]] = {
    "time_to_fill": ("Tid till tillsättning", "Time to fill"),
    "time_to_hire": ("Tid till anställning", "Time to hire"),
    "offer_to_start": ("Tid från erbjudande till tillträde", "Time from offer to start"),
    "submitted_to_offer": ("Tid från ansökan till erbjudande", "Time from application to offer"),
    "submitted_to_accepted": ("Tid från ansökan till accepterat erbjudande", "Time from application to acceptance"),
    "withdrawals": ("Återtagna ansökningar", "Withdrawn applications"),
    "late_withdrawal_rate": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate"),
    "withdrawal_reasons": ("Orsaker till återtagna ansökningar", "Reasons for withdrawal"),
    "check_turnaround": ("Kontrolltid", "Check turnaround"),
    "offers": ("Accepterade erbjudanden", "Offer acceptance"),
    "competence_supply": ("Kompetensförsörjning", "Competence supply"),
    "staffing_measures": ("Bemanning", "Staffing"),
    "equality": ("Jämlikhet", "Equality"),
    "pilot_coverage": ("Pilotens omfattning", "Pilot coverage"),
}

_WITHIN = re.compile(r"^(filled_)?within_(\d+)$")
_RMST = re.compile(r"^rmst_(\d+)$")


def label(key: str, lang: str = "sv") -> str:
    """The reader's label of a column or measure name; the key itself if unknown.

    Columns come first (:data:`COLUMN_LABELS`), then measure titles
    (:data:`MEASURE_TITLES`); ``filled_within_<d>``, ``within_<d>`` and ``rmst_<d>``
    are labelled for any number of days.

    Parameters
    ----------
    key : str
        A column name of a tidy table or a measure function name.
    lang : {"sv", "en"}, default "sv"

    Examples
    --------
    >>> label("n_withdrawn_late")
    'Antal återtagna i sent skede'
    >>> label("filled_within_30", "en")
    'Share filled within 30 days'
    >>> label("no_such_column")
    'no_such_column'
    """
    i = LANGUAGES.index(_lang(lang))
    key_s = str(key)
    if key_s in COLUMN_LABELS:
        return COLUMN_LABELS[key_s][i]
    if key_s in MEASURE_TITLES:
        return MEASURE_TITLES[key_s][i]
    m = _WITHIN.match(key_s)
    if m:
        days = m.group(2)
        if m.group(1):
            return (f"Andel tillsatta inom {days} dagar", f"Share filled within {days} days")[i]
        return (f"Andel klara inom {days} dagar", f"Share completed within {days} days")[i]
    m = _RMST.match(key_s)
    if m:
        days = m.group(1)
        return (f"Genomsnittlig tid inom {days} dagar (dagar)", f"Restricted mean time up to {days} days (days)")[i]
    return key_s


def measure_title(name: str, lang: str = "sv") -> str:
    """The title of a measure function (:data:`MEASURE_TITLES`), else :func:`label`.

    >>> measure_title("offers"), label("offers")
    ('Accepterade erbjudanden', 'Accepterade erbjudanden')
    >>> measure_title("late_withdrawal_rate", "en")
    'Late-stage withdrawal rate'
    """
    i = LANGUAGES.index(_lang(lang))
    if str(name) in MEASURE_TITLES:
        return MEASURE_TITLES[str(name)][i]
    return label(name, lang)


# --------------------------------------------------------------------------- value labels

ADMINISTRATIONS_EN: dict[str, str] = {
    "UBF": "Education Administration",
    "SOF": "Social Services Administration",
    "KOF": "Culture and Leisure Administration",
    "VOF": "Health and Social Care Administration",
    "SBF": "Urban Development Administration",
    "TFF": "Technical Services Administration",
    "AVF": "Labour Market and Adult Education Administration",
    "KLF": "Municipal Executive Office",
}

ROLE_GROUPS_EN: dict[str, str] = {
    "preschool_teacher": "Preschool teacher",
    "childminder": "Childminder",
    "teacher": "Compulsory school teacher",
    "leisure_teacher": "Leisure-time teacher",
    "student_assistant": "Student assistant",
    "youth_leader": "Youth leader",
    "social_worker": "Social worker",
    "treatment_assistant": "Treatment assistant",
    "assistant_nurse": "Assistant nurse",
    "care_assistant": "Care assistant",
    "personal_assistant": "Personal assistant",
    "manager": "Manager",
    "administrator": "Administrator",
    "technical": "Technical staff",
    "other": "Other",
}

_NOT_RECORDED = {"not_recorded": ("Uppgift saknas", "Not recorded")}

#: Value kind → canonical value → (Swedish, English). Which columns use which kind is
#: :data:`COLUMN_VALUE_KIND`.
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "administration": {code: (name, ADMINISTRATIONS_EN[code]) for code, name in C.ADMINISTRATIONS.items()},
    "role_group": {
        **{k: (C.ROLE_GROUP_DISPLAY_SV[k], ROLE_GROUPS_EN[k]) for k in C.ROLE_GROUPS},
        C.ALL_ROLES: ("Alla yrkesgrupper", "All role groups"),
    },
    "employment_type": {
        "permanent": ("Tillsvidare", "Permanent"),
        "fixed_term": ("Visstid", "Fixed term"),
        "substitute": ("Vikariat", "Substitute"),
        "hourly": ("Timanställning", "Hourly"),
        "summer": ("Sommarvikariat", "Summer substitute"),
    },
    "status": {
        "open": ("Öppen", "Open"),
        "filled": ("Tillsatt", "Filled"),
        "cancelled": ("Avbruten", "Cancelled"),
        "unfilled": ("Ej tillsatt", "Not filled"),
        "readvertised": ("Återannonserad", "Re-advertised"),
        "completed": ("Slutförd", "Completed"),
        "pending": ("Pågående", "Pending"),
        "cancelled_by_candidate": ("Avbruten av kandidaten", "Cancelled by the candidate"),
        "cancelled_other": ("Avbruten av annat skäl", "Cancelled for another reason"),
    },
    "final_status": {
        "hired": ("Anställd", "Hired"),
        "rejected": ("Ej aktuell", "Rejected"),
        "withdrawn": ("Återtagen", "Withdrawn"),
        "declined_offer": ("Tackade nej till erbjudande", "Declined the offer"),
        "cancelled": ("Avbruten", "Cancelled"),
        "in_progress": ("Pågående", "In progress"),
    },
    "qualified": {
        "yes": ("Behörig", "Qualified"),
        "no": ("Ej behörig", "Not qualified"),
        "not_applicable": ("Ej tillämpligt", "Not applicable"),
        "unknown": ("Okänt", "Unknown"),
    },
    "statutory_check": {
        "none": ("Inget lagkrav", "No statutory check"),
        "school_preschool": ("Skola och förskola", "School and preschool"),
        "hvb": ("HVB-hem", "Residential care homes (HVB)"),
        "lss_children": ("LSS för barn", "Disability services for children (LSS)"),
        "other_children": ("Annan verksamhet med barn", "Other work with children"),
    },
    "stage": {
        english: (swedish_display, english.replace("_", " ").capitalize())
        for (english, _), swedish_display in zip(
            C.STAGES.values(),
            [
                "Inkommen",
                "Granskad",
                "Intervju",
                "Referenstagning",
                "Bakgrundskontroll",
                "Erbjudande",
                "Accepterat",
                "Tillträtt",
            ],
        )
    },
    "withdrawal_reason": {
        "other_job": ("Annat arbete", "Another job"),
        "process_length": ("Processens längd", "Length of the process"),
        "background_check": ("Bakgrundskontrollen", "The background check"),
        "personal": ("Personliga skäl", "Personal reasons"),
        "unknown": ("Okänd orsak", "Unknown reason"),
        **_NOT_RECORDED,
    },
    "gender": {
        "woman": ("Kvinnor", "Women"),
        "man": ("Män", "Men"),
        "other_unknown": ("Annat eller okänt", "Other or unknown"),
        **_NOT_RECORDED,
    },
    "age_band": {
        "u25": ("Under 25", "Under 25"),
        "25_34": ("25–34", "25–34"),
        "35_44": ("35–44", "35–44"),
        "45_54": ("45–54", "45–54"),
        "55plus": ("55 och äldre", "55 and over"),
        **_NOT_RECORDED,
    },
    "check_type": {
        "register_school": ("Registerutdrag (skola och förskola)", "Police register extract (school and preschool)"),
        "register_hvb": ("Registerutdrag (HVB-hem)", "Police register extract (residential care, HVB)"),
        "register_lss": ("Registerutdrag (LSS)", "Police register extract (disability services, LSS)"),
        "register_other_children": (
            "Registerutdrag (annan verksamhet med barn)",
            "Police register extract (other work with children)",
        ),
        "court_records": ("Fördjupad kontroll (domstolsregister)", "Deepened check (court records)"),
        "court_and_credit": ("Fördjupad kontroll med kreditupplysning", "Deepened check with credit check"),
    },
    "outcome": {
        "cleared": ("Godkänd", "Cleared"),
        "remark_no_obstacle": ("Anmärkning, inget hinder", "Remark, no obstacle"),
        "remark_obstacle": ("Anmärkning, hinder för anställning", "Remark, obstacle to employment"),
    },
    "scope": {
        "new_hires": ("Nyanställda", "New hires"),
        "placements": ("VFU-studenter och praktikanter", "Student placements and trainees"),
        "managers_financial": ("Chefer med ekonomiskt ansvar", "Managers with financial responsibility"),
    },
    "arm": {
        "pilot": ("Pilotförvaltningar", "Pilot administrations"),
        "comparison": ("Jämförelseförvaltningar", "Comparison administrations"),
    },
    "phase": {
        "before": ("Före piloten", "Before the pilot"),
        "during": ("Under piloten", "During the pilot"),
        "after": ("Efter piloten", "After the pilot"),
    },
    "total": {
        "total": ("Totalt", "Total"),
        "totalt": ("Totalt", "Total"),
        "all": ("Totalt", "Total"),
        "alla": ("Totalt", "Total"),
        "hela_kommunen": ("Hela kommunen", "Whole municipality"),
        "samtliga": ("Samtliga", "All"),
    },
}

#: Column name → value kind of :data:`VALUE_LABELS` (or "period", "bool", "column",
#: "measure", "any").
COLUMN_VALUE_KIND: dict[str, str] = {
    **{k: k for k in VALUE_LABELS if k != "total"},
    "vacancy_status": "status",
    "stage_name": "stage",
    "highest_stage": "stage",
    "withdrawn_stage": "stage",
    "reason": "withdrawal_reason",
    "period": "period",
    "cohort": "period",
    "quarter": "period",
    "month": "period",
    "half": "period",
    "treated": "bool",
    "is_manager": "bool",
    "internal": "bool",
    "check_in_ad": "bool",
    "in_rollout": "bool",
    "in_force_at_cut": "bool",
    "four_fifths_flag": "bool",
    "dimension": "column",
    "measure": "measure",
    "group": "any",
}

#: The label of a missing group value.
MISSING_LABEL = ("Uppgift saknas", "Not recorded")

_MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_PERIOD = re.compile(r"^(\d{4})(?:([QqHh])([1-4])|-(\d{1,2}))?$")


def _fold(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    return C.fold(str(value))


def _build_lookup() -> dict[str, dict[str, str]]:
    """Per value kind: folded spelling (canonical, Swedish or English label, contract
    Swedish code, contract alias) → canonical value."""
    out: dict[str, dict[str, str]] = {}
    for kind, labels in VALUE_LABELS.items():
        lookup: dict[str, str] = {}
        for canonical, (sv, en) in labels.items():
            for spelling in (canonical, sv, en):
                lookup.setdefault(_fold(spelling), canonical)
        out[kind] = lookup
    # spellings the contract accepts on input (Swedish codes, full names, aliases)
    contract_columns = {
        "administration": C.TABLES["vacancies"].column("administration"),
        "role_group": C.TABLES["pilot_rollout"].column("role_group"),
        "employment_type": C.TABLES["vacancies"].column("employment_type"),
        "qualified": C.TABLES["applications"].column("qualified"),
        "statutory_check": C.TABLES["vacancies"].column("statutory_check"),
        "withdrawal_reason": C.TABLES["applications"].column("withdrawal_reason"),
        "gender": C.TABLES["applications"].column("gender"),
        "age_band": C.TABLES["applications"].column("age_band"),
        "check_type": C.TABLES["background_checks"].column("check_type"),
        "outcome": C.TABLES["background_checks"].column("outcome"),
        "scope": C.TABLES["pilot_rollout"].column("scope"),
    }
    for kind, spec in contract_columns.items():
        for spelling, canonical in spec.label_lookup().items():
            out[kind].setdefault(spelling, canonical)
    for spec in (C.TABLES["vacancies"].column("status"), C.TABLES["background_checks"].column("status")):
        for spelling, canonical in spec.label_lookup().items():
            out["status"].setdefault(spelling, canonical)
    for spelling, canonical in C.TABLES["applications"].column("final_status").label_lookup().items():
        out["final_status"].setdefault(spelling, canonical)
    for number, (english, swedish) in C.STAGES.items():
        out["stage"][str(number)] = english
        out["stage"].setdefault(_fold(swedish), english)
    return out


_LOOKUP = _build_lookup()


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _period_label(value: object, lang: str) -> str | None:
    m = _PERIOD.match(str(value).strip())
    if not m:
        return None
    year, kind, number, month = m.groups()
    if kind and kind.upper() == "Q":
        return f"kv. {number} {year}" if lang == "sv" else f"Q{number} {year}"
    if kind and kind.upper() == "H":
        if number not in ("1", "2"):
            return None
        if lang == "sv":
            return f"{'första' if number == '1' else 'andra'} halvåret {year}"
        return f"{'first' if number == '1' else 'second'} half of {year}"
    if month:
        if not 1 <= int(month) <= 12:
            return None
        return f"{_MONTHS[lang][int(month) - 1]} {year}"
    return year


def _bool_label(value: object, lang: str) -> str | None:
    if isinstance(value, bool | np.bool_):
        return ("Ja", "Yes")[LANGUAGES.index(lang)] if value else ("Nej", "No")[LANGUAGES.index(lang)]
    folded = _fold(value)
    if folded in ("true", "ja", "yes", "1"):
        return ("Ja", "Yes")[LANGUAGES.index(lang)]
    if folded in ("false", "nej", "no", "0"):
        return ("Nej", "No")[LANGUAGES.index(lang)]
    return None


def _from_kind(kind: str, value: object, lang: str) -> str | None:
    canonical = _LOOKUP.get(kind, {}).get(_fold(value))
    if canonical is None:
        return None
    return VALUE_LABELS[kind][canonical][LANGUAGES.index(lang)]


def value_label(column: str, value: object, lang: str = "sv") -> str:
    """The reader's label of a group value in ``column``; ``str(value)`` if unknown.

    Accepts the canonical value and every spelling ingest accepts (Swedish codes, full
    Swedish names, English labels), case- and å/ä/ö-insensitively. Total rows
    ("Totalt", "all", "Hela kommunen") get "Totalt" / "Total" ("Alla yrkesgrupper" for a
    role group of ``"all"``); missing values get "Uppgift saknas" / "Not recorded".

    Parameters
    ----------
    column : str
        The column the value is in: decides how it is read (``administration``,
        ``role_group``, ``stage``, ``period``, ``gender``, ``age_band``, …; see
        :data:`COLUMN_VALUE_KIND`). In ``group`` (the equality table) any known value
        is labelled; in ``dimension`` the value is a column name (``"gender"`` → "Kön").
    value : object
    lang : {"sv", "en"}, default "sv"

    Examples
    --------
    >>> value_label("administration", "Kultur- och fritidsförvaltningen", "en")
    'Culture and Leisure Administration'
    >>> value_label("role_group", "preschool_teacher")
    'Förskollärare'
    >>> value_label("stage", 2), value_label("stage", "interview", "en")
    ('Intervju', 'Interview')
    >>> value_label("arm", "comparison")
    'Jämförelseförvaltningar'
    >>> value_label("phase", "during", "en")
    'During the pilot'
    >>> value_label("period", "2024-03")
    'mars 2024'
    >>> value_label("four_fifths_flag", True)
    'Ja'
    >>> value_label("group", "woman"), value_label("dimension", "age_band")
    ('Kvinnor', 'Åldersgrupp')
    >>> value_label("administration", "Totalt", "en")
    'Total'
    """
    lang = _lang(lang)
    i = LANGUAGES.index(lang)
    column = str(column)
    if _is_missing(value):
        return MISSING_LABEL[i]
    if isinstance(value, dt.date | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    kind = COLUMN_VALUE_KIND.get(column)
    if kind is None:
        if column.endswith("_period"):
            kind = "period"
        elif isinstance(value, bool | np.bool_):
            kind = "bool"
    if kind == "role_group" and _fold(value) in ("all", "alla"):
        return VALUE_LABELS["role_group"][C.ALL_ROLES][i]
    total = _from_kind("total", value, lang)
    if total is not None:
        return total
    if kind in VALUE_LABELS:
        found = _from_kind(kind, value, lang)
        if found is not None:
            return found
    elif kind == "period":
        found = _period_label(value, lang)
        if found is not None:
            return found
    elif kind == "bool":
        found = _bool_label(value, lang)
        if found is not None:
            return found
    elif kind in ("column", "measure"):
        return label(str(value), lang)
    elif kind == "any":
        hits = {_from_kind(k, value, lang) for k in VALUE_LABELS if k != "total"} - {None}
        if len(hits) == 1:
            return hits.pop()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- numbers

_UNITS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # unit key: ((sv singular, sv plural), (en singular, en plural))
    "days": (("dag", "dagar"), ("day", "days")),
    "weeks": (("vecka", "veckor"), ("week", "weeks")),
    "months": (("månad", "månader"), ("month", "months")),
    "hours": (("timme", "timmar"), ("hour", "hours")),
    "applicants": (("sökande", "sökande"), ("applicant", "applicants")),
    "percentage_points": (("procentenhet", "procentenheter"), ("percentage point", "percentage points")),
}
_UNIT_ALIASES = {
    "day": "days",
    "dag": "days",
    "dagar": "days",
    "week": "weeks",
    "veckor": "weeks",
    "month": "months",
    "månader": "months",
    "hour": "hours",
    "timmar": "hours",
    "pp": "percentage_points",
    "procentenheter": "percentage_points",
}


def _to_decimal(x: object) -> Decimal:
    if isinstance(x, bool | np.bool_):
        return Decimal(int(x))
    if isinstance(x, int | np.integer):
        return Decimal(int(x))
    if isinstance(x, Decimal):
        return x
    # repr of a float is its shortest round-tripping decimal: round what a reader sees
    return Decimal(repr(float(x)))


def _group_digits(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(groups)


def format_number(x: object, lang: str = "sv", decimals: int | None = None, unit: str | None = None) -> str:
    """A number in the reader's format.

    Parameters
    ----------
    x : number
        An int, float, numpy scalar or Decimal. Missing (None, NaN, pd.NA) → ``""``.
    lang : {"sv", "en"}, default "sv"
        Swedish: decimal comma, no-break space (U+00A0) between thousands, minus sign
        U+2212. English: decimal point, comma between thousands, hyphen-minus.
    decimals : int, optional
        Digits after the decimal mark. Default: none for whole numbers, one otherwise.
        Rounding is half away from zero on the printed value (12.45 → 12.5).
    unit : str, optional
        ``"days"``, ``"weeks"``, ``"months"``, ``"hours"``, ``"applicants"`` or
        ``"percentage_points"`` (translated, singular for exactly 1), or any other text,
        appended as is. Joined with a no-break space.

    Examples
    --------
    >>> format_number(1234)
    '1\\xa0234'
    >>> format_number(1234.5, "en")
    '1,234.5'
    >>> format_number(-3.25, decimals=1)
    '\\u22123,3'
    >>> format_number(1, unit="days"), format_number(12.5, unit="days")
    ('1\\xa0dag', '12,5\\xa0dagar')
    >>> format_number(float("nan"))
    ''
    """
    lang = _lang(lang)
    if _is_missing(x):
        return ""
    try:
        d = _to_decimal(x)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise TypeError(f"format_number needs a number, not {x!r}") from exc
    thousands, point, minus = _SEPARATORS[lang]
    if d.is_infinite():
        text = ("" if d > 0 else minus) + "∞"
    else:
        if decimals is None:
            decimals = 0 if d == d.to_integral_value() else 1
        if decimals < 0:
            raise ValueError(f"decimals must be 0 or more, not {decimals}")
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        negative = q < 0
        digits = f"{abs(q):f}"
        whole, _, frac = digits.partition(".")
        text = _group_digits(whole, thousands) + (point + frac if frac else "")
        if negative:
            text = minus + text
    if unit:
        key = _UNIT_ALIASES.get(unit, unit)
        if key in _UNITS:
            singular, plural = _UNITS[key][LANGUAGES.index(lang)]
            word = singular if text in ("1", minus + "1") else plural
        else:
            word = unit
        text = f"{text}{UNIT_SEP}{word}"
    return text


def format_percent(x: object, lang: str = "sv", decimals: int = 0) -> str:
    """A proportion as a percentage: 0.12 → "12 %" (Swedish, no-break space) or "12%".

    Parameters
    ----------
    x : number
        A proportion (0.125 is 12.5 %). Missing → ``""``.
    lang : {"sv", "en"}, default "sv"
    decimals : int, default 0
        Digits after the decimal mark, rounded half away from zero.

    Examples
    --------
    >>> format_percent(0.12)
    '12\\xa0%'
    >>> format_percent(0.1234, "en", decimals=1)
    '12.3%'
    >>> format_percent(0.005)
    '1\\xa0%'
    """
    lang = _lang(lang)
    if _is_missing(x):
        return ""
    value = _to_decimal(x) * 100
    text = format_number(value, lang, decimals=decimals)
    return f"{text}{UNIT_SEP}%" if lang == "sv" else f"{text}%"


# --------------------------------------------------------------------------- tables


def _is_group_like(name: str, series: pd.Series) -> bool:
    if name in COLUMN_VALUE_KIND or name.endswith("_period"):
        return True
    return pd.api.types.is_bool_dtype(series.dtype)


def relabel(table: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """A copy of a tidy table for display: headers as :func:`label`, group values as
    :func:`value_label`. Figure columns keep their values (format them with
    :func:`format_number` or, with disclosure control, use
    :meth:`pilot_eval.disclosure.ProtectedTable.display`).

    Group values are relabelled in the columns :func:`value_label` knows (see
    :data:`COLUMN_VALUE_KIND`) and in boolean columns; other columns are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF", "VOF"], "gender": ["woman", "man"], "n": [12, 30]})
    >>> relabel(t).to_dict("list")
    {'Förvaltning': ['Socialförvaltningen', 'Vård- och omsorgsförvaltningen'], 'Kön': ['Kvinnor', 'Män'], 'Antal': [12, 30]}
    """
    lang = _lang(lang)
    out = table.copy()
    for name in out.columns:
        if _is_group_like(str(name), out[name]):
            out[name] = [value_label(str(name), v, lang) for v in out[name].astype(object)]
    out.columns = [label(str(c), lang) for c in out.columns]
    return out
