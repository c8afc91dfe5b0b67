"""The labels of tables: column headers, measure titles, group values and unit words.

Every text is a ``(swedish, english)`` pair; :mod:`pilot_eval.labels` looks them up and
formats numbers with them. Administration and role-group names take their Swedish
spelling from :mod:`pilot_eval.contract` (the export's own names), so that a name is
written in one place.

>>> COLUMN_LABELS["median_days"]
('Median (dagar)', 'Median (days)')
>>> VALUE_LABELS["administration"]["SOF"]
('Socialförvaltningen', 'Social Services Administration')
>>> UNITS["days"]["one"], UNITS["days"]["many"]
(('dag', 'day'), ('dagar', 'days'))
"""

from __future__ import annotations

from .. import contract as C

__all__ = [
    "ADMINISTRATIONS",
    "COLUMN_LABELS",
    "LABEL_TEMPLATES",
    "MEASURE_TITLES",
    "MISSING_LABEL",
    "ROLE_GROUPS",
    "UNITS",
    "UNIT_ALIASES",
    "VALUE_LABELS",
    "WORDS",
]

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
    "n_hired": ("Antal anställda", "Number hired"),
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
    "days_unfilled_90": ("Dagar vakant de första 90 dagarna (medelvärde)", "Days vacant in the first 90 days (mean)"),
    "days_to_fill": ("Dagar till tillsättning", "Days to fill"),
    "closed_without_hire": ("Andel avslutade utan anställning", "Share closed without a hire"),
    "closed_rate": (
        "Andel avslutade utan anställning inom 180 dagar",
        "Share closed without a hire within 180 days",
    ),
    "days_to_fill_180": (
        "Dagar till tillsättning, genomsnitt räknat upp till 180 dagar",
        "Days to fill, mean counted up to 180 days",
    ),
    "n_followed_180": ("Antal följda i minst 180 dagar", "Number followed for at least 180 days"),
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
    # the data quality page (pilot_eval.report.sections.row_accounting, quarantine_reasons)
    "table": ("Tabell", "Table"),
    "source_file": ("Fil", "File"),
    "n_read": ("Rader inlästa", "Rows read"),
    "n_processed": ("Rader bearbetade", "Rows processed"),
    "n_quarantined": ("Rader i karantän", "Rows quarantined"),
    "n_rows": ("Antal rader", "Number of rows"),
    # its per-check tables (pilot_eval.report.sections.expectation_results)
    "check": ("Kontroll", "Check"),
    "check_severity": ("Följd om kontrollen inte klaras", "What happens if the check fails"),
    "check_result": ("Resultat", "Result"),
    "n_rows_failed": ("Rader som inte klarade kontrollen", "Rows that failed the check"),
    "failed_check": ("Kontroll som raderna inte klarade", "Check the rows failed"),
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
    # estimates (docs/estimation.md)
    "term": ("Avser", "Refers to"),
    "estimate": ("Skattning", "Estimate"),
    "std_error": ("Standardfel", "Standard error"),
    "conf_low": ("Intervall, nedre gräns", "Interval, lower limit"),
    "conf_high": ("Intervall, övre gräns", "Interval, upper limit"),
    "p_value": ("p-värde", "p-value"),
    # the effects by group (pilot_eval.report.sections.group_effect_table)
    "effect_term": ("Effekt", "Effect"),
    "interval": ("95\u00a0% konfidensintervall", "95\u00a0% confidence interval"),
    "method": ("Metod", "Method"),
    "inference": ("Inferens", "Inference"),
    "p_value_fwer": ("p-värde, justerat för tre samtidiga test", "p-value adjusted for three tests at once"),
    "n_assignments": ("Antal möjliga val av pilotförvaltningar", "Number of possible choices of pilot administrations"),
    "mde_increase": ("Minsta ökning som upptäcks", "Smallest increase detected"),
    "mde_decrease": ("Minsta minskning som upptäcks", "Smallest decrease detected"),
    "unit": ("Enhet", "Unit"),
    "dropped": ("Förvaltning som lämnats utanför", "Administration left out"),
    "dropped_arm": ("Dess grupp", "Its group"),
    "shift_months": ("Låtsad pilot", "Fake pilot"),
    "pretrend_p_value": (
        "Test av lika utveckling före piloten (p-värde)",
        "Test of parallel trends before the pilot (p-value)",
    ),
    "pretrend_slope_80": (
        "Skillnad i trend per kvartal som testet upptäcker i 8 fall av 10",
        "Difference in trend per quarter the test detects 8 times in 10",
    ),
    "pretrend_bias_80": ("Fel i effekten som en sådan trend skulle ge", "Error in the effect such a trend would cause"),
    "breakdown_rm": (
        "Slutsatsen håller till M̄ (gånger största skillnaden före)",
        "The conclusion holds up to M̄ (times the largest difference before)",
    ),
    "breakdown_sd": (
        "Slutsatsen håller till M (böjning per kvartal)",
        "The conclusion holds up to M (bend per quarter)",
    ),
    "effect_time_to_fill": ("Dagar till tillsättning", "Days to fill"),
    "effect_withdrawal": (
        "Återtagna efter intervju (procentenheter)",
        "Withdrawn after interview (percentage points)",
    ),
    "effect_competence_supply": (
        "Behöriga sökande per annons (förändring i procent)",
        "Qualified applicants per advert (change in per cent)",
    ),
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

#: Labels of the columns named for any number of days (``filled_within_<days>``,
#: ``within_<days>``, ``rmst_<days>``).
LABEL_TEMPLATES: dict[str, tuple[str, str]] = {
    "filled_within": ("Andel tillsatta inom {days} dagar", "Share filled within {days} days"),
    "within": ("Andel klara inom {days} dagar", "Share completed within {days} days"),
    "rmst": ("Genomsnittlig tid inom {days} dagar (dagar)", "Restricted mean time up to {days} days (days)"),
}

# --------------------------------------------------------------------------- value labels

#: Single words of group values: a missing value, and booleans.
WORDS: dict[str, tuple[str, str]] = {
    "missing": ("Uppgift saknas", "Not recorded"),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
}

#: The label of a missing group value.
MISSING_LABEL = WORDS["missing"]

_ADMINISTRATIONS_EN = {
    "UBF": "Education Administration",
    "SOF": "Social Services Administration",
    "KOF": "Culture and Leisure Administration",
    "VOF": "Health and Social Care Administration",
    "SBF": "Urban Development Administration",
    "TFF": "Technical Services Administration",
    "AVF": "Labour Market and Adult Education Administration",
    "KLF": "Municipal Executive Office",
}
#: Administration code → (Swedish, English) name; the Swedish one is the contract's.
ADMINISTRATIONS: dict[str, tuple[str, str]] = {
    code: (swedish, _ADMINISTRATIONS_EN[code]) for code, swedish in C.ADMINISTRATIONS.items()
}

_ROLE_GROUPS_EN = {
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
#: Role group → (Swedish, English) name; the Swedish one is the contract's display name.
ROLE_GROUPS: dict[str, tuple[str, str]] = {k: (C.ROLE_GROUP_DISPLAY_SV[k], _ROLE_GROUPS_EN[k]) for k in C.ROLE_GROUPS}

_NOT_RECORDED = {"not_recorded": MISSING_LABEL}

#: Value kind → canonical value → (Swedish, English). Which columns use which kind is
#: :data:`pilot_eval.labels.COLUMN_VALUE_KIND`.
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "administration": ADMINISTRATIONS,
    "role_group": {
        **ROLE_GROUPS,
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
        "received": ("Inkommen", "Received"),
        "screened": ("Granskad", "Screened"),
        "interview": ("Intervju", "Interview"),
        "references": ("Referenstagning", "References"),
        "background_check": ("Bakgrundskontroll", "Background check"),
        "offer": ("Erbjudande", "Offer"),
        "accepted": ("Accepterat", "Accepted"),
        "started": ("Tillträtt", "Started"),
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
    "table": {  # the Swedish names are the contract's (contract.TABLE_NAMES_SV)
        "vacancies": (C.TABLE_NAMES_SV["vacancies"], "Vacancies"),
        "applications": (C.TABLE_NAMES_SV["applications"], "Applications"),
        "background_checks": (C.TABLE_NAMES_SV["background_checks"], "Background checks"),
        "pilot_rollout": (C.TABLE_NAMES_SV["pilot_rollout"], "Pilot roll-out"),
        "staffing_monthly": (C.TABLE_NAMES_SV["staffing_monthly"], "Staffing by month"),
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

# --------------------------------------------------------------------------- units

#: Unit key → the word after one (``one``) and after any other number (``many``).
UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "days": {"one": ("dag", "day"), "many": ("dagar", "days")},
    "weeks": {"one": ("vecka", "week"), "many": ("veckor", "weeks")},
    "months": {"one": ("månad", "month"), "many": ("månader", "months")},
    "hours": {"one": ("timme", "hour"), "many": ("timmar", "hours")},
    "applicants": {"one": ("sökande", "applicant"), "many": ("sökande", "applicants")},
    "percentage_points": {
        "one": ("procentenhet", "percentage point"),
        "many": ("procentenheter", "percentage points"),
    },
}

#: Other spellings of a unit that callers pass → its key in :data:`UNITS`.
UNIT_ALIASES: dict[str, str] = {
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
