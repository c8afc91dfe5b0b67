"""Texts of the report's shared computations (:mod:`pilot_eval.report.sections`): the words of
the effect tables, the triple difference, the minimum detectable effects and the chart marks,
as ``(swedish, english)`` pairs."""

from __future__ import annotations

__all__ = [
    "CHECKS_RESULT",
    "EQUALITY_SUMMARY",
    "GROUP_EFFECT_RESULT",
    "GROUP_EFFECT_TERMS",
    "INFERENCE",
    "MARKS",
    "LEAVE_ONE_OUT",
    "NOTICES",
    "PERCENTAGE_POINTS_SUFFIX",
    "ROLLOUT_SCOPE",
    "SENSITIVITY_RESULT",
    "TERMS",
    "TRIPLE_DIFFERENCE_TERMS",
    "UNITS",
]

#: Inference methods in words, by the start of their name in a tidy table's ``inference``.
INFERENCE = {
    "randomization_inference": ("permutationstest (56 fördelningar)", "randomization inference (56 assignments)"),
    "wild_cluster_bootstrap": ("vild klusterbootstrap (Webb)", "wild cluster bootstrap (Webb)"),
    "cluster_robust": ("klusterrobust (CR1)", "cluster-robust (CR1)"),
}

#: The effect tables' terms.
TERMS = {
    "during": ("under piloten", "during the pilot"),
    "after": ("efter piloten", "after the pilot"),
}

#: After an outcome's name in an effect table when its effects are in percentage points.
PERCENTAGE_POINTS_SUFFIX = {
    "suffix": (" (procentenheter)", " (percentage points)"),
    # a Poisson ratio, as the percentage change
    "percent": (" (förändring i procent)", " (change in per cent)"),
}

#: The triple difference's terms.
TRIPLE_DIFFERENCE_TERMS = {
    "during_other": ("under piloten, övriga yrken", "during the pilot, other roles"),
    "during_child_minus_other": (
        "under piloten, barnnära yrken minus övriga",
        "during the pilot, child-facing minus other roles",
    ),
    "after_other": ("efter piloten, övriga yrken", "after the pilot, other roles"),
    "after_child_minus_other": (
        "efter piloten, barnnära yrken minus övriga",
        "after the pilot, child-facing minus other roles",
    ),
}

#: The terms of the effects by group (:func:`pilot_eval.estimate.groups.group_effects`).
GROUP_EFFECT_TERMS = {
    "during": ("under piloten", "during the pilot"),
    "during_minus_rest": (
        "under piloten, skillnad mot övriga sökande",
        "during the pilot, difference from other applicants",
    ),
    "after": ("efter piloten", "after the pilot"),
    "after_minus_rest": (
        "efter piloten, skillnad mot övriga sökande",
        "after the pilot, difference from other applicants",
    ),
}

#: The units of the minimum detectable effects.
UNITS = {
    "percentage_points": ("procentenheter", "percentage points"),
    "days": ("dagar", "days"),
    "applicants": ("sökande per rekrytering", "applicants per vacancy"),
    "percent": ("procent av nivån före piloten", "per cent of the level before the pilot"),
}

#: The robustness tables of the methods page: the row with every administration, and a
#: fake pilot ``{months}`` months before the real one.
LEAVE_ONE_OUT = {
    "none": ("Ingen (alla åtta)", "None (all eight)"),
    "shift": ("Låtsad start {months} månader före den verkliga", "Fake start {months} months before the real one"),
}

#: Dates marked on time-series charts.
MARKS = {
    "pilot_starts": ("Piloten börjar", "Pilot starts"),
    "pilot_ends": ("Piloten slutar", "Pilot ends"),
    "law_change": ("Lagändring", "Law change"),
}

#: The notices of ingest (:func:`pilot_eval.report.sections.ingest_notices`): a regular expression
#: on the English notice → (Swedish, English) text, with the expression's named groups.
NOTICES = (
    (
        r"^ignored (?P<file>[^:]+): its name is not a table of the contract$",
        (
            "{file} lästes inte in: filens namn är inte namnet på en tabell i datakontraktet.",
            "{file} was not read: its name is not the name of a table in the data contract.",
        ),
    ),
    (
        r"^ignored (?P<file>[^:]+): neither the file nor a sheet is named after a table$",
        (
            "{file} lästes inte in: varken filen eller något av dess blad har namnet på en tabell.",
            "{file} was not read: neither the file nor any of its sheets is named after a table.",
        ),
    ),
    (
        r"^ignored (?P<file>[^:]+): unsupported file type (?P<type>.+)$",
        (
            "{file} lästes inte in: filtypen {type} kan inte läsas.",
            "{file} was not read: the file type {type} cannot be read.",
        ),
    ),
    (
        r"^ignored truth\.json$",
        (
            "truth.json lästes inte in: filen hör till demodatan och anger de effekter som lagts in i den.",
            "truth.json was not read: the file belongs to the demo data and states the effects put into them.",
        ),
    ),
    (
        r"^ignored (?P<file>.+\]): the sheet is hidden \(unhide it in Excel to have it read\)$",
        (
            "{file} lästes inte in: bladet är dolt i Excel. Ta fram bladet om det ska läsas in.",
            "{file} was not read: the sheet is hidden in Excel. Unhide it to have it read.",
        ),
    ),
    (
        r"^ignored (?P<file>.+\]): another sheet of the workbook is read \((?P<sheet>.+)\)$",
        (
            "{file} lästes inte in: ett annat blad i arbetsboken lästes in ({sheet}).",
            "{file} was not read: another sheet of the workbook was read ({sheet}).",
        ),
    ),
    (
        r"^ignored (?P<file>.+)$",
        ("{file} lästes inte in.", "{file} was not read."),
    ),
    (
        r"^(?P<file>.+): dropped column (?P<column>.+), which is not in the contract for (?P<table>\w+)$",
        (
            "{file}: kolumnen {column} finns inte i datakontraktet och lästes inte in.",
            "{file}: the column {column} is not in the data contract and was not read.",
        ),
    ),
    (
        r"^(?P<file>.+): \d+ records? cut short quarantined \(line (?P<line>\d+) has (?P<fields>\d+) fields, "
        r"the header has (?P<header>\d+): .*$",
        (
            "{file}: rader med färre fält än rubrikraden lades i karantän, den första på rad {line} med {fields} "
            "fält av {header}. En rad som har klippts av, eller en radbrytning inne i ett fält?",
            "{file}: records with fewer fields than the header were quarantined, the first on line {line} with "
            "{fields} fields of {header}. A record cut short, or a line break inside a field?",
        ),
    ),
    (
        r"^(?P<file>.+): column (?P<column>.+) has \d+ formula cells? without a saved value .*\(the column is not "
        r"read\)$",
        (
            "{file}: kolumnen {column} har formler utan sparat värde, eftersom arbetsboken sparades av ett program "
            "som inte räknar ut formler. Kolumnen lästes inte in.",
            "{file}: the column {column} has formulas without a saved value, because the workbook was saved by a "
            "program that does not compute formulas. The column was not read.",
        ),
    ),
    (
        r"^(?P<file>.+): optional column (?P<column>\w+) is not in the export; taken as empty$",
        (
            "{file}: den frivilliga kolumnen {column} saknas i uttaget och räknas som tom.",
            "{file}: the optional column {column} is missing from the export and is taken as empty.",
        ),
    ),
)

#: The summary above an equality table (:func:`pilot_eval.report.sections.equality_summary`).
EQUALITY_SUMMARY = {
    "flagged": (
        "Fyrafemtedelsregeln slår larm för {groups}: gruppens andel är under 0,8 gånger den bäst ställda gruppens.",
        "The four-fifths rule flags {groups}: the group's rate is below 0.8 times that of the best-off group.",
    ),
    "none_flagged": (
        "Fyrafemtedelsregeln slår inte larm för någon av de {n} grupper där kvoten kan visas.",
        "The four-fifths rule flags none of the {n} groups whose ratio can be shown.",
    ),
    "none_shown": (
        "Fyrafemtedelsregeln kan inte prövas i den här tabellen: kvoten mot den bäst ställda gruppen "
        "kan inte visas för någon grupp.",
        "The four-fifths rule cannot be applied in this table: the ratio to the best-off group cannot be "
        "shown for any group.",
    ),
}

#: What the equality page's effects by group show
#: (:func:`pilot_eval.report.sections.group_effect_result`).
GROUP_EFFECT_RESULT = {
    "differs": (
        "Under piloten skilde sig effekten för {groups} tydligt från effekten för övriga sökande: intervallet för "
        "skillnaden ligger helt på ena sidan om noll. Grupperna är många, så en sådan skillnad kan också bero "
        "på slumpen.",
        "During the pilot the effect for {groups} clearly differed from that for other applicants: the interval "
        "of the difference lies wholly on one side of zero. There are many groups, so such a difference may "
        "also be chance.",
    ),
    "same": (
        "Underlaget visar ingen säkerställd skillnad mellan grupperna under piloten: för var och en av de {n} "
        "grupper som kan visas innehåller intervallet för skillnaden mot övriga sökande noll.",
        "The data show no clear difference between the groups during the pilot: for each of the {n} groups "
        "that can be shown, the interval of the difference from other applicants contains zero.",
    ),
    "same_one": (
        "Underlaget visar ingen säkerställd skillnad för {group} under piloten: intervallet för skillnaden mot "
        "övriga sökande innehåller noll.",
        "The data show no clear difference for {group} during the pilot: the interval of the difference from "
        "other applicants contains zero.",
    ),
}

#: What the checks page's tables show (:func:`pilot_eval.report.sections.hires_checked_result`,
#: :func:`~pilot_eval.report.sections.turnaround_result`,
#: :func:`~pilot_eval.report.sections.check_outcomes_result`).
#: Page 07: what the sensitivity table means (sections.sensitivity_result): ``{outcomes}``
#: the outcomes in words, ``{m}`` the breakdown value M̄.
SENSITIVITY_RESULT = {
    "holds": (
        "För {outcome} skiljer sig effekten efter starten från noll så länge en skillnad i utveckling utan "
        "piloten är högst {m} gånger den största skillnaden mellan grupperna före piloten.",
        "For {outcome} the effect after the start differs from zero as long as a difference in trend without "
        "the pilot is at most {m} times the largest difference between the groups before the pilot.",
    ),
    "contains_zero": (
        "För {outcomes} rymmer intervallet redan noll, så där finns ingen skillnad som en annan utveckling "
        "skulle kunna förklara.",
        "For {outcomes} the interval already contains zero, so there is no difference for another trend to explain.",
    ),
}

#: Page 06: the occupational group every row of the roll-out has (sections.rollout_scope).
ROLLOUT_SCOPE = (
    "Piloten gällde {group} i varje förvaltning.",
    "The pilot covered {group} in every administration.",
)

CHECKS_RESULT = {
    "hires": (
        "Under piloten fick {pilot} av de anställda i pilotförvaltningarna en fördjupad kontroll, "
        "mot {comparison} i jämförelseförvaltningarna.",
        "During the pilot {pilot} of the people hired in the pilot administrations had a deepened check, "
        "against {comparison} in the comparison administrations.",
    ),
    "hires_pilot": (
        "Under piloten fick {pilot} av de anställda i pilotförvaltningarna en fördjupad kontroll.",
        "During the pilot {pilot} of the people hired in the pilot administrations had a deepened check.",
    ),
    "turnaround": (
        "Hälften av kontrollerna var klara inom {items}.",
        "Half of the checks were done within {items}.",
    ),
    "turnaround_item": ("{days} för {check}", "{days} for {check}"),
    "turnaround_none": (
        "Tiden för kontrollerna kan inte visas för någon typ av kontroll: underlaget är för litet.",
        "The time taken by the checks cannot be shown for any type of check: there are too few.",
    ),
    "outcomes_shown": ("Utfallen visas för {years}.", "Outcomes are shown for {years}."),
    "obstacle": (
        "År {year} ledde {share} av kontrollerna till en anmärkning som hindrade anställning.",
        "In {year}, {share} of the checks led to a remark that prevented employment.",
    ),
    "outcomes_withheld": (
        "För {years} visas inga utfall: där fanns färre än {total} kontroller eller färre än {category} i något "
        "utfall.",
        "For {years} no outcomes are shown: there were fewer than {total} checks or fewer than {category} in "
        "some outcome.",
    ),
    "outcomes_none": (
        "Utfallen kan inte visas för något år: där fanns färre än {total} kontroller eller färre än {category} "
        "i något utfall.",
        "Outcomes cannot be shown for any year: there were fewer than {total} checks or fewer than {category} "
        "in some outcome.",
    ),
}
