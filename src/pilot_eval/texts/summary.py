"""The texts of the summary as a release (:mod:`pilot_eval.report.verdicts`,
:mod:`pilot_eval.report.plots.verdicts`): the answer to question 5, the verdict table,
the verdict chart and the glossary ("Ordlista").

``(swedish, english)`` pairs; ``{named}`` placeholders are filled by those modules. Plain
words, no double negatives (``tests/test_verdicts.py`` checks every text here), and
"osäkerhetsintervall" in the text: the glossary is the one place that names the
"konfidensintervall" it is.

>>> ANSWER["none"][0]
'Underlaget visar ingen säkerställd effekt av piloten på något av de tre måtten.'
"""

from __future__ import annotations

__all__ = [
    "ANSWER",
    "CHART",
    "CHART_UNITS",
    "DIRECTIONS",
    "EFFECT",
    "GLOSSARY",
    "MEASURES",
    "PARTS",
    "PRETREND_PAGE",
    "QUESTION_5",
    "READING",
    "TABLE",
]

#: Question 5 of the council debate, as the summary asks it.
QUESTION_5: dict[str, tuple[str, str]] = {
    "question": (
        "Fråga 5: påverkade den fördjupade bakgrundskontrollen tiden till tillsättning, återtagna ansökningar och "
        "kompetensförsörjningen?",
        "Question 5: did the deepened background check affect the time to fill posts, withdrawn applications and "
        "the supply of competence?",
    ),
}

#: Each primary outcome as the part of question 5 it answers (in running text).
PARTS: dict[str, tuple[str, str]] = {
    "days_to_fill": ("tiden till tillsättning", "the time to fill posts"),
    "late_withdrawal": ("återtagna ansökningar", "withdrawn applications"),
    "qualified_applicants_per_vacancy": ("kompetensförsörjningen", "the supply of competence"),
}

#: The answer to question 5, from the verdicts. ``{clear}`` lists what the pilot probably
#: led to; ``{others}`` and ``{uncertain}`` list parts of the question.
ANSWER: dict[str, tuple[str, str]] = {
    "none": (
        "Underlaget visar ingen säkerställd effekt av piloten på något av de tre måtten.",
        "The data show no clear effect of the pilot on any of the three measures.",
    ),
    "clear": ("Piloten ledde troligen till {clear}", "The pilot probably led to {clear}"),
    "rest_open": (
        "för {others} visar underlaget ingen säkerställd effekt",
        "for {others} the data show no clear effect",
    ),
    "uncertain": (
        "för {uncertain} är resultatet osäkert, eftersom grupperna skilde sig redan före piloten",
        "for {uncertain} the result is uncertain, because the groups already differed before the pilot",
    ),
    "no_effect_start": (
        "Underlaget visar ingen säkerställd effekt av piloten på {others}",
        "The data show no clear effect of the pilot on {others}",
    ),
    "uncertain_start": (
        "För {uncertain} är resultatet osäkert, eftersom grupperna skilde sig redan före piloten",
        "For {uncertain} the result is uncertain, because the groups already differed before the pilot",
    ),
    "join": ("; ", "; "),
    "end": (".", "."),
    "empty": (
        "Effekterna kunde inte beräknas för den här perioden.",
        "The effects could not be estimated for this period.",
    ),
}

#: The verdict table: caption and column headers. ``{period}`` is the earlier report's.
TABLE: dict[str, tuple[str, str]] = {
    "caption": (
        "Pilotens effekt under pilotperioden, jämfört med de andra förvaltningarna",
        "The pilot's effect during the pilot, compared with the other administrations",
    ),
    "measure": ("Mått", "Measure"),
    "effect": ("Effekt (osäkerhetsintervall)", "Effect (uncertainty interval)"),
    "verdict": ("Bedömning", "Verdict"),
    "previous": ("Förra rapporten ({period})", "Previous report ({period})"),
}

#: The primary outcomes in plain words, for the verdict table's first column: the part
#: of question 5 (``name``) and what is measured (``detail``).
MEASURES: dict[str, dict[str, tuple[str, str]]] = {
    "days_to_fill": {
        "name": ("Tid till tillsättning", "Time to fill"),
        "detail": ("dagar från annons till att någon tackat ja", "days from advert to an accepted offer"),
    },
    "late_withdrawal": {
        "name": ("Återtagna ansökningar", "Withdrawn applications"),
        "detail": (
            "andel sökande som drog tillbaka sin ansökan efter intervju",
            "share of applicants who withdrew after interview",
        ),
    },
    "qualified_applicants_per_vacancy": {
        "name": ("Kompetensförsörjning", "Supply of competence"),
        "detail": ("behöriga sökande per annons", "qualified applicants per advert"),
    },
}

#: The words of a direction, by the reader's unit: (up, down).
DIRECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "days": {"up": ("längre", "longer"), "down": ("kortare", "shorter")},
    "pp": {"up": ("högre", "higher"), "down": ("lägre", "lower")},
    "percent": {"up": ("fler", "more"), "down": ("färre", "fewer")},
    "count": {"up": ("fler", "more"), "down": ("färre", "fewer")},
}

#: An effect with its interval in the outcome's own words: ``{size}`` a number with its
#: unit and direction ("7,0 dagar längre"), ``{low}`` and ``{high}`` the bounds the same way.
EFFECT: dict[str, tuple[str, str]] = {
    "both": ("{size} (mellan {low} och {high})", "{size} (between {low} and {high})"),
    "no_lower": ("{size} (utan nedre gräns, upp till {high})", "{size} (no lower limit, up to {high})"),
    "no_upper": ("{size} (från {low}, utan övre gräns)", "{size} (from {low}, no upper limit)"),
    "no_limits": ("{size} (osäkerheten saknar gräns åt båda hållen)", "{size} (the uncertainty has no limit)"),
    "about_zero": ("ungefär noll", "about zero"),
    "unknown": ("kunde inte beräknas", "could not be estimated"),
}

#: The verdict chart.
CHART: dict[str, tuple[str, str]] = {
    "title": (
        "Pilotens effekt, med 95\u00a0% osäkerhetsintervall",
        "The pilot's effect, with 95% uncertainty intervals",
    ),
    "zero": ("ingen skillnad", "no difference"),
    "axis": (
        "Skillnad mot jämförelseförvaltningarna ({unit})",
        "Difference from the comparison administrations ({unit})",
    ),
    "caption": (
        "Punkt: skattad effekt. Streck: osäkerhetsintervall. Ett streck som korsar linjen ”ingen skillnad” rymmer "
        "både en ökning och en minskning.",
        "Point: estimated effect. Bar: uncertainty interval. A bar that crosses the line “no difference” holds both "
        "an increase and a decrease.",
    ),
    "col_measure": ("Mått", "Measure"),
    "col_estimate": ("Skattad effekt", "Estimated effect"),
    "col_low": ("Osäkerhetsintervall, nedre gräns", "Uncertainty interval, lower limit"),
    "col_high": ("Osäkerhetsintervall, övre gräns", "Uncertainty interval, upper limit"),
    "col_unit": ("Enhet", "Unit"),
    "col_verdict": ("Bedömning", "Verdict"),
    "no_limit": ("ingen gräns", "no limit"),
}

#: The units of the verdict chart's axes and data table.
CHART_UNITS: dict[str, tuple[str, str]] = {
    "days": ("dagar", "days"),
    "pp": ("procentenheter", "percentage points"),
    "percent": ("procent", "per cent"),
    "count": ("sökande per annons", "applicants per advert"),
}

#: How to read the summary's chart, said under it.
READING: dict[str, tuple[str, str]] = {
    "chart": (
        "Punkten i diagrammet är den skattade effekten och strecket osäkerhetsintervallet: de effekter som "
        "stämmer med underlaget. Korsar strecket linjen ”ingen skillnad” rymmer underlaget både en ökning och en "
        "minskning, och effekten räknas då som osäker.",
        "The point in the chart is the estimated effect and the bar the uncertainty interval: the effects that fit "
        "the data. When the bar crosses the line “no difference”, the data hold both an increase and a decrease, "
        "and the effect counts as uncertain.",
    ),
}

#: The pre-trend result on a page with an event study: ``{p}`` the test's p-value,
#: ``{alpha}`` the level, ``{topic}`` the outcome in running text.
PRETREND_PAGE: dict[str, tuple[str, str]] = {
    "parallel": (
        "Före piloten följdes grupperna åt för {topic}: testet av om pilot- och jämförelseförvaltningarna "
        "utvecklades olika före piloten gav p\u00a0=\u00a0{p}. Först ett värde under {alpha} hade räknats som "
        "en skillnad.",
        "Before the pilot the groups moved together for {topic}: the test of whether pilot and comparison "
        "administrations developed differently before the pilot gave p\u00a0=\u00a0{p}. Only a value below "
        "{alpha} would have counted as a difference.",
    ),
    "differed": (
        "Före piloten utvecklades grupperna olika för {topic}: testet av om pilot- och jämförelseförvaltningarna "
        "utvecklades olika före piloten gav p\u00a0=\u00a0{p}, under gränsen {alpha}. Effekten kan därför bero "
        "på den skillnaden i stället för på piloten.",
        "Before the pilot the groups developed differently for {topic}: the test of whether pilot and comparison "
        "administrations developed differently before the pilot gave p\u00a0=\u00a0{p}, below the limit "
        "{alpha}. The effect may therefore come from that difference rather than from the pilot.",
    ),
    "missing": (
        "Testet av om grupperna utvecklades olika före piloten kunde inte göras för {topic}.",
        "The test of whether the groups developed differently before the pilot could not be run for {topic}.",
    ),
}

#: The summary's glossary ("Ordlista"): term → (term, explanation) in each language.
GLOSSARY: dict[str, dict[str, tuple[str, str]]] = {
    "interval": {
        "term": (
            "Osäkerhetsintervall (95\u00a0% konfidensintervall)",
            "Uncertainty interval (95% confidence interval)",
        ),
        "text": (
            "De effekter som stämmer med underlaget. Intervallet beräknas så att det i 95 fall av 100 "
            "innehåller den verkliga effekten.",
            "The effects that fit the data. The interval is computed so that it holds the true effect in 95 "
            "cases out of 100.",
        ),
    },
    "power": {
        "term": ("Styrka", "Power"),
        "text": (
            "Hur ofta undersökningen upptäcker en effekt av en viss storlek. Vi anger den minsta effekt som "
            "upptäcks i 8 fall av 10.",
            "How often the study detects an effect of a given size. We give the smallest effect it detects "
            "8 times in 10.",
        ),
    },
    "pilot": {
        "term": ("Pilotförvaltningar", "Pilot administrations"),
        "text": (
            "De tre förvaltningar som prövade den fördjupade bakgrundskontrollen.",
            "The three administrations that tried the deepened background check.",
        ),
    },
    "comparison": {
        "term": ("Jämförelseförvaltningar", "Comparison administrations"),
        "text": (
            "De fem förvaltningar som stod utanför piloten. Hur rekryteringen utvecklades där visar hur den "
            "troligen hade utvecklats i pilotförvaltningarna utan piloten.",
            "The five administrations outside the pilot. How recruitment developed there shows how it would "
            "probably have developed in the pilot administrations without the pilot.",
        ),
    },
    "permutation": {
        "term": ("Permutationstest", "Randomization test"),
        "text": (
            "Vi gör om jämförelsen för alla 56 sätt att välja ut 3 av de 8 förvaltningarna. Sticker de verkliga "
            "pilotförvaltningarna ut mer än nästan alla andra val är slumpen en osannolik förklaring.",
            "We repeat the comparison for all 56 ways of picking 3 of the 8 administrations. If the real pilot "
            "administrations stand out more than almost every other choice, chance is an unlikely explanation.",
        ),
    },
}
