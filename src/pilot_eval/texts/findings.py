"""The texts of the politicians' summary (:mod:`pilot_eval.report.findings`).

Plain Swedish (klarspråk) and its English translation, as ``(swedish, english)`` pairs.
Sentence templates take ``{named}`` placeholders that :mod:`pilot_eval.report.findings`
fills with ``.format(...)``: sizes and counts in the reader's number format, names of
administrations and role groups, dates in words. The wording rules (no p-values, no
"significant", "osäkerhetsintervall" rather than "konfidensintervall") are in that
module's docstring and tested in ``tests/test_findings.py``.

>>> OUTCOMES["late_withdrawal"]["up"][0].format(x="2,5 procentenheter")
'var andelen sökande som återtog sin ansökan sent i processen (från intervju och framåt) 2,5 procentenheter högre'
>>> COUNTS["few"][1].format(min_count=5)
'fewer than 5'
"""

from __future__ import annotations

from .labels import MEASURE_TITLES

__all__ = [
    "BOUNDS",
    "CANNOT_TELL",
    "COUNTS",
    "DATES",
    "FEW_ADMINISTRATIONS",
    "HEADLINE",
    "HEADLINE_REASON",
    "INTERVAL",
    "LISTS",
    "MDE",
    "METHODS",
    "SENSITIVITY",
    "LEAVE_ONE_OUT",
    "LEAVE_ONE_OUT_UNITS",
    "PLACEBO",
    "PRETRENDS",
    "SMALL_NUMBERS",
    "TAGS",
    "VERDICT_NOTE",
    "OUTCOMES",
    "TERMS",
    "UNCERTAINTY",
    "UNITS",
    "WHAT_WAS_DONE",
]

# --------------------------------------------------------------------------- outcomes

#: How each outcome is spoken of. ``title`` heads its finding; ``topic`` ends "… had no
#: effect on <topic>"; ``up`` and ``down`` are the headline's clause for an increase and a
#: decrease, ``{x}`` the size; ``led_to_up`` and ``led_to_down`` end "the pilot probably
#: led to <…>".
OUTCOMES: dict[str, dict[str, tuple[str, str]]] = {
    "days_to_fill": {
        "title": MEASURE_TITLES["time_to_fill"],
        "topic": ("tiden till tillsättning", "the time to fill a post"),
        "up": (
            "tog det i snitt {x} längre tid att tillsätta en tjänst",
            "filling a post took on average {x} longer",
        ),
        "down": (
            "tog det i snitt {x} kortare tid att tillsätta en tjänst",
            "filling a post took on average {x} less",
        ),
        "led_to_up": ("längre tid till tillsättning", "a longer time to fill posts"),
        "led_to_down": ("kortare tid till tillsättning", "a shorter time to fill posts"),
    },
    "closed_without_hire": {
        "title": ("Avslutade utan anställning", "Closed without a hire"),
        "topic": (
            "andelen rekryteringar som avslutades utan att någon anställdes",
            "the share of recruitments closed without a hire",
        ),
        "up": (
            "var andelen rekryteringar som avslutades utan anställning {x} högre",
            "the share of recruitments closed without a hire was {x} higher",
        ),
        "down": (
            "var andelen rekryteringar som avslutades utan anställning {x} lägre",
            "the share of recruitments closed without a hire was {x} lower",
        ),
        "led_to_up": (
            "att fler rekryteringar avslutades utan anställning",
            "more recruitments being closed without a hire",
        ),
        "led_to_down": (
            "att färre rekryteringar avslutades utan anställning",
            "fewer recruitments being closed without a hire",
        ),
    },
    "days_unfilled_90": {
        "title": ("Dagar vakant de första 90 dagarna", "Days vacant in the first 90 days"),
        "topic": (
            "hur många av de första 90 dagarna en tjänst var vakant",
            "how many of the first 90 days a post was vacant",
        ),
        "up": (
            "var en tjänst i snitt vakant {x} mer under sina första 90 dagar",
            "a post was vacant on average {x} more in its first 90 days",
        ),
        "down": (
            "var en tjänst i snitt vakant {x} mindre under sina första 90 dagar",
            "a post was vacant on average {x} less in its first 90 days",
        ),
        "led_to_up": ("fler dagar med vakanta tjänster", "more days with posts vacant"),
        "led_to_down": ("färre dagar med vakanta tjänster", "fewer days with posts vacant"),
    },
    "filled_within_60": {
        "title": ("Tillsatt inom 60 dagar", "Filled within 60 days"),
        "topic": ("andelen tjänster som tillsattes inom 60 dagar", "the share of posts filled within 60 days"),
        "up": (
            "var andelen tjänster som tillsattes inom 60 dagar {x} högre",
            "the share of posts filled within 60 days was {x} higher",
        ),
        "down": (
            "var andelen tjänster som tillsattes inom 60 dagar {x} lägre",
            "the share of posts filled within 60 days was {x} lower",
        ),
        "led_to_up": ("att fler tjänster tillsattes inom 60 dagar", "more posts being filled within 60 days"),
        "led_to_down": ("att färre tjänster tillsattes inom 60 dagar", "fewer posts being filled within 60 days"),
    },
    "filled_within_90": {
        "title": ("Tillsatt inom 90 dagar", "Filled within 90 days"),
        "topic": ("andelen tjänster som tillsattes inom 90 dagar", "the share of posts filled within 90 days"),
        "up": (
            "var andelen tjänster som tillsattes inom 90 dagar {x} högre",
            "the share of posts filled within 90 days was {x} higher",
        ),
        "down": (
            "var andelen tjänster som tillsattes inom 90 dagar {x} lägre",
            "the share of posts filled within 90 days was {x} lower",
        ),
        "led_to_up": ("att fler tjänster tillsattes inom 90 dagar", "more posts being filled within 90 days"),
        "led_to_down": ("att färre tjänster tillsattes inom 90 dagar", "fewer posts being filled within 90 days"),
    },
    "late_withdrawal": {
        "title": ("Återtagna ansökningar", "Withdrawn applications"),
        "topic": (
            "hur många sökande som återtog sin ansökan sent i processen",
            "how many applicants withdrew late in the process",
        ),
        "up": (
            "var andelen sökande som återtog sin ansökan sent i processen (från intervju och framåt) {x} högre",
            "the share of applicants who withdrew late in the process (at or after interview) was {x} higher",
        ),
        "down": (
            "var andelen sökande som återtog sin ansökan sent i processen (från intervju och framåt) {x} lägre",
            "the share of applicants who withdrew late in the process (at or after interview) was {x} lower",
        ),
        "led_to_up": (
            "att fler sökande återtog sin ansökan sent i processen",
            "more applicants withdrawing late in the process",
        ),
        "led_to_down": (
            "att färre sökande återtog sin ansökan sent i processen",
            "fewer applicants withdrawing late in the process",
        ),
    },
    "applicants_per_vacancy": {
        "title": ("Sökande per annons", "Applicants per advert"),
        "topic": ("antalet sökande per annons", "the number of applicants per advert"),
        "up": ("fick varje annons i snitt {x} fler sökande", "each advert drew on average {x} more applicants"),
        "down": ("fick varje annons i snitt {x} färre sökande", "each advert drew on average {x} fewer applicants"),
        "led_to_up": ("fler sökande per annons", "more applicants per advert"),
        "led_to_down": ("färre sökande per annons", "fewer applicants per advert"),
        "up_ratio": ("fick annonserna i snitt {x} fler sökande", "adverts drew on average {x} more applicants"),
        "down_ratio": ("fick annonserna i snitt {x} färre sökande", "adverts drew on average {x} fewer applicants"),
    },
    "qualified_applicants_per_vacancy": {
        "title": ("Behöriga sökande per annons", "Qualified applicants per advert"),
        "topic": ("antalet behöriga sökande per annons", "the number of qualified applicants per advert"),
        "up": (
            "fick varje annons i snitt {x} fler behöriga sökande",
            "each advert drew on average {x} more qualified applicants",
        ),
        "down": (
            "fick varje annons i snitt {x} färre behöriga sökande",
            "each advert drew on average {x} fewer qualified applicants",
        ),
        "led_to_up": ("fler behöriga sökande per annons", "more qualified applicants per advert"),
        "led_to_down": ("färre behöriga sökande per annons", "fewer qualified applicants per advert"),
        "up_ratio": (
            "fick annonserna i snitt {x} fler behöriga sökande",
            "adverts drew on average {x} more qualified applicants",
        ),
        "down_ratio": (
            "fick annonserna i snitt {x} färre behöriga sökande",
            "adverts drew on average {x} fewer qualified applicants",
        ),
    },
    "offer_acceptance": {
        "title": ("Accepterade erbjudanden", "Accepted offers"),
        "topic": (
            "hur många som tackade ja till ett erbjudande om anställning",
            "how many candidates accepted a job offer",
        ),
        "up": (
            "var andelen erbjudanden om anställning som accepterades {x} högre",
            "the share of job offers accepted was {x} higher",
        ),
        "down": (
            "var andelen erbjudanden om anställning som accepterades {x} lägre",
            "the share of job offers accepted was {x} lower",
        ),
        "led_to_up": ("att fler tackade ja till erbjudanden om anställning", "more candidates accepting job offers"),
        "led_to_down": (
            "att fler tackade nej till erbjudanden om anställning",
            "more candidates turning job offers down",
        ),
    },
    "register_check_days": {
        "title": ("Väntan på registerutdrag", "Waiting for police register extracts"),
        "topic": ("väntan på registerutdrag", "the wait for police register extracts"),
        "up": (
            "tog det i snitt {x} längre tid att få ett registerutdrag från polisen",
            "getting a police register extract took on average {x} longer",
        ),
        "down": (
            "tog det i snitt {x} kortare tid att få ett registerutdrag från polisen",
            "getting a police register extract took on average {x} less",
        ),
        "led_to_up": ("längre väntan på registerutdrag", "a longer wait for police register extracts"),
        "led_to_down": ("kortare väntan på registerutdrag", "a shorter wait for police register extracts"),
    },
}

#: The unit of the applicants-per-advert outcomes, after the number.
UNITS: dict[str, tuple[str, str]] = {
    "count": ("sökande per annons", "applicants per advert"),
    "percent": ("%", "%"),
}

#: The effect described: during the pilot or after it.
TERMS: dict[str, tuple[str, str]] = {
    "during": ("Under piloten", "During the pilot"),
    "after": ("Efter piloten", "After the pilot"),
}

# --------------------------------------------------------------------------- one finding

#: The headline: ``{when}`` is a :data:`TERMS` text, ``{topic}`` and ``{clause}`` an
#: outcome's ``topic`` and ``up``/``down`` clause.
HEADLINE: dict[str, tuple[str, str]] = {
    "near_zero": (
        "{when} skilde sig pilotförvaltningarna nästan inte alls från utvecklingen i de andra "
        "förvaltningarna när det gäller {topic}.",
        "{when}, the pilot administrations hardly differed from the trend in the other administrations in {topic}.",
    ),
    "change": (
        "{when} {clause} i pilotförvaltningarna, jämfört med utvecklingen i de andra förvaltningarna.",
        "{when}, {clause} in the pilot administrations, compared with the trend in the other administrations.",
    ),
}

#: The uncertainty in words, by verdict (:data:`pilot_eval.report.findings.VERDICTS`). No
#: double negatives: what the interval allows is said as what it "rymmer" (holds).
UNCERTAINTY: dict[str, tuple[str, str]] = {
    "not_computed": (
        "Osäkerheten kunde inte beräknas, så underlaget visar ingen säkerställd skillnad i {topic}.",
        "The uncertainty could not be computed, so the data show no clear difference in {topic}.",
    ),
    # between the two bound phrases of BOUNDS
    "or": (" och ", " and "),
    "no_clear_difference": (
        "Det rymmer {allowed}, så underlaget visar ingen säkerställd skillnad i {topic}.",
        "It holds {allowed}, so the data show no clear difference in {topic}.",
    ),
    "not_in_family": (
        "Var för sig ligger intervallet {side} noll, men vi prövar {family} effekter samtidigt, och med "
        "hänsyn till det kan skillnaden bero på slumpen. Underlaget visar alltså ingen säkerställd "
        "skillnad i {topic}.",
        "On its own the interval lies {side} zero, but we test {family} effects at once, and allowing "
        "for that the difference may be chance. So the data show no clear difference in {topic}.",
    ),
    "differed_before": (
        "Resultatet är osäkert: pilotförvaltningarna och de andra förvaltningarna utvecklades olika redan "
        "före piloten, så skillnaden kan bero på det i stället för på piloten.",
        "The result is uncertain: the pilot administrations and the others already developed differently "
        "before the pilot, so the difference may come from that rather than from the pilot.",
    ),
    "above": ("över", "above"),
    "below": ("under", "below"),
    "clear": (
        "Hela intervallet ligger {side} noll, även när vi tar hänsyn till att vi prövar {family} effekter samtidigt.",
        "The whole interval lies {side} zero, also allowing for the {family} effects we test at once.",
    ),
    "helps": ("vilket underlättar rekryteringen", "which helps recruitment"),
    "hinders": ("vilket försvårar rekryteringen", "which makes recruitment harder"),
    "led_to": (
        "Piloten ledde troligen till {led_to}, {judgement}.",
        "The pilot probably led to {led_to}, {judgement}.",
    ),
}

#: The verdict of a finding in a few words, for the summary's verdict column; never shown
#: by colour alone.
TAGS: dict[str, tuple[str, str]] = {
    "clear_increase": ("tydlig ökning", "clear increase"),
    "clear_decrease": ("tydlig minskning", "clear decrease"),
    "no_clear_difference": ("ingen säkerställd skillnad", "no clear difference"),
    "differed_before": (
        "osäkert: grupperna skilde sig redan före piloten",
        "uncertain: the groups already differed before the pilot",
    ),
}

#: Small numbers in words in running text.
SMALL_NUMBERS: dict[int | str, tuple[str, str]] = {
    "several": ("flera", "several"),
    2: ("två", "two"),
    3: ("tre", "three"),
    4: ("fyra", "four"),
    5: ("fem", "five"),
    6: ("sex", "six"),
    7: ("sju", "seven"),
    8: ("åtta", "eight"),
    9: ("nio", "nine"),
    10: ("tio", "ten"),
}

#: Before the summary's verdicts: ``{n}`` the number of effects tested together.
VERDICT_NOTE: dict[str, tuple[str, str]] = {
    "family": (
        "Vi bedömer pilotens effekt under pilotperioden på ett mått för varje del av fråga 5: tiden till "
        "tillsättning, återtagna ansökningar och kompetensförsörjningen. En skillnad räknas som tydlig bara om "
        "den står sig när vi tar hänsyn till att alla {n} prövas samtidigt, och bara om pilotförvaltningarna "
        "och de andra förvaltningarna utvecklades lika före piloten.",
        "We judge the pilot's effect during the pilot on one measure for each part of question 5: the time to "
        "fill posts, withdrawn applications and the supply of competence. A difference counts as clear only if "
        "it holds when we allow for testing all {n} at once, and only if the pilot administrations and the "
        "others developed alike before the pilot.",
    ),
    "no_family": (
        "Vi bedömer ett mått för varje del av fråga 5: tiden till tillsättning, återtagna ansökningar och "
        "kompetensförsörjningen. En skillnad räknas som tydlig bara om pilotförvaltningarna och de andra "
        "förvaltningarna utvecklades lika före piloten.",
        "We judge one measure for each part of question 5: the time to fill posts, withdrawn applications and "
        "the supply of competence. A difference counts as clear only if the pilot administrations and the "
        "others developed alike before the pilot.",
    ),
}

#: Why the headline uses randomization inference (the methods page), in words; the
#: estimator's own reason is :data:`pilot_eval.estimate.effects.HEADLINE_REASON`.
HEADLINE_REASON: tuple[str, str] = (
    "Med 3 av 8 förvaltningar i piloten ger vanliga klusterrobusta standardfel för ofta falskt larm, och den vilda "
    "klusterbootstrappen är opålitlig när så få grupper är med. Permutationstestet, över alla 56 möjliga val av "
    "pilotförvaltningar, håller sin nivå exakt om piloten inte hade någon effekt: dess p-värde kan aldrig bli "
    "mindre än 1/56.",
    "With 3 of 8 administrations in the pilot, conventional cluster-robust standard errors give false alarms too "
    "often, and the wild cluster bootstrap is unreliable with so few groups. The randomization test, over all 56 "
    "possible choices of pilot administrations, holds its level exactly if the pilot had no effect: its p-value "
    "can never be smaller than 1/56.",
)

#: The methods page's pre-trend sentence; ``{topics}`` the outcomes that differed.
PRETRENDS: dict[str, tuple[str, str]] = {
    "none": (
        "Testet visar ingen skillnad i utveckling mellan grupperna före piloten för något av de tre måtten.",
        "The test shows no difference in how the groups developed before the pilot for any of the three measures.",
    ),
    "some": (
        "För {topics} utvecklades grupperna olika redan före piloten, så effekterna där är osäkra.",
        "For {topics} the groups already developed differently before the pilot, so the effects there are uncertain.",
    ),
}

#: The methods page's leave-one-out sentence, per outcome.
LEAVE_ONE_OUT: dict[str, tuple[str, str]] = {
    "spread": (
        "Effekten på {topic} ligger mellan {low} och {high} {unit} när en förvaltning i taget lämnas utanför; "
        "mest ändras den utan {admin}.",
        "The effect on {topic} lies between {low} and {high} {unit} with one administration left out at a time; "
        "it changes most without the {admin}.",
    ),
}
LEAVE_ONE_OUT_UNITS: dict[str, tuple[str, str]] = {
    "days": ("dagar", "days"),
    "pp": ("procentenheter", "percentage points"),
    "percent": ("procent", "per cent"),
    "count": ("sökande per annons", "applicants per advert"),
}

#: The methods page's sentence on the fake pilot starts.
PLACEBO: dict[str, tuple[str, str]] = {
    "none": (
        "Ingen av de låtsade pilotstarterna ger en effekt som permutationstestet skiljer från slumpen. Det talar "
        "för att jämförelsen bara hittar effekter där det fanns en pilot.",
        "None of the fake pilot starts gives an effect that the randomization test tells apart from chance. That "
        "suggests the comparison finds effects only where there was a pilot.",
    ),
    "some": (
        "{k} av {n} effekter av låtsade pilotstarter skiljer sig från slumpen. Grupperna kan alltså ha skilt sig åt "
        "redan före piloten, och effekterna ovan ska läsas med det i minnet.",
        "{k} of {n} effects of fake pilot starts differ from chance. So the groups may have differed before the "
        "pilot, and the effects above should be read with that in mind.",
    ),
}

#: How far the conclusion survives a break of parallel trends (Rambachan & Roth 2023,
#: relative magnitudes): ``{m}`` the breakdown value M̄.
SENSITIVITY: dict[str, tuple[str, str]] = {
    "holds_up_to": (
        "Slutsatsen står sig även om grupperna hade utvecklats olika utan piloten, så länge den skillnaden "
        "är högst {m} gånger så stor som den största skillnaden mellan dem före piloten.",
        "The conclusion holds even if the groups would have developed differently without the pilot, as long "
        "as that difference is at most {m} times the largest difference between them before the pilot.",
    ),
    "fragile": (
        "Slutsatsen står sig bara om grupperna hade utvecklats helt lika utan piloten.",
        "The conclusion holds only if the groups would have developed exactly alike without the pilot.",
    ),
}

#: The uncertainty interval, from ``{start}`` to ``{end}`` (or up to ``{up_to}``).
INTERVAL: dict[str, tuple[str, str]] = {
    "no_limits": (
        "Osäkerheten är så stor att uppgifterna inte sätter någon gräns för effekten åt något håll.",
        "The uncertainty is so large that the data set no limit on the effect in either direction.",
    ),
    "no_lower": (
        "Osäkerhetsintervallet har ingen nedre gräns och går upp till {up_to}.",
        "The uncertainty interval has no lower limit and goes up to {up_to}.",
    ),
    "no_upper": (
        "Osäkerhetsintervallet börjar vid {start} och har ingen övre gräns.",
        "The uncertainty interval starts at {start} and has no upper limit.",
    ),
    "both": (
        "Osäkerhetsintervallet går från {start} till {end}.",
        "The uncertainty interval runs from {start} to {end}.",
    ),
}

#: An effect the interval still allows, ``{size}`` its bound.
BOUNDS: dict[str, tuple[str, str]] = {
    "increase_any": ("en ökning av vilken storlek som helst", "an increase of any size"),
    "increase": ("en ökning på upp till {size}", "an increase of up to {size}"),
    "decrease_any": ("en minskning av vilken storlek som helst", "a decrease of any size"),
    "decrease": ("en minskning på upp till {size}", "a decrease of up to {size}"),
}

#: "Only 3 of 8": ``{n_pilot}`` of ``{n_all}`` administrations, ``{others}`` the other
#: ways of picking them.
FEW_ADMINISTRATIONS: dict[str, tuple[str, str]] = {
    "at_floor": (
        "Skillnaden för pilotförvaltningarna var större än för vart och ett av de {others} andra "
        "sätten att välja ut {n_pilot} av de {n_all} förvaltningarna. Starkare belägg än så kan "
        "jämförelsen inte ge, eftersom bara {n_pilot} av {n_all} förvaltningar var med i piloten.",
        "The difference for the pilot administrations was larger than for each of the other {others} "
        "ways of picking {n_pilot} of the {n_all} administrations. The comparison cannot give "
        "stronger evidence than that, because only {n_pilot} of the {n_all} administrations were "
        "in the pilot.",
    ),
    "wide": (
        "Osäkerheten är stor eftersom bara {n_pilot} av {n_all} förvaltningar var med i piloten.",
        "The uncertainty is large because only {n_pilot} of the {n_all} administrations were in the pilot.",
    ),
}

#: What the study can detect (minimum detectable effects), ``{power}`` how often
#: ("i 8 fall av 10": the power in words, never "80 % styrka").
MDE: dict[str, tuple[str, str]] = {
    "power_tenths": ("i {k} fall av 10", "in {k} cases out of 10"),
    "power_percent": ("i {pct} av fallen", "in {pct} of cases"),
    "none": (
        "Undersökningen kan inte upptäcka en effekt av rimlig storlek på detta mått.",
        "The study cannot detect an effect of any plausible size on this measure.",
    ),
    "increase_only": (
        "Undersökningen upptäcker {power} en ökning på ungefär {size} eller mer. En minskning kan den inte upptäcka.",
        "The study detects, {power}, an increase of about {size} or more. It cannot detect a decrease.",
    ),
    "decrease_only": (
        "Undersökningen upptäcker {power} en minskning på ungefär {size} eller mer. En ökning kan den inte upptäcka.",
        "The study detects, {power}, a decrease of about {size} or more. It cannot detect an increase.",
    ),
    "both": (
        "Undersökningen upptäcker {power} en ökning på ungefär {up} eller mer och en minskning på ungefär "
        "{down} eller mer. Mindre effekter kan den missa.",
        "The study detects, {power}, an increase of about {up} or more and a decrease of about {down} or more. "
        "It can miss smaller effects.",
    ),
}

# --------------------------------------------------------------------------- running text

#: A count in running text: none, fewer than ``{min_count}``, about ``{n}`` (rounded).
COUNTS: dict[str, tuple[str, str]] = {
    "none": ("inga", "no"),
    "few": ("färre än {min_count}", "fewer than {min_count}"),
    "about": ("omkring {n}", "about {n}"),
}

#: A date in running text, ``{date}`` in words ("1 oktober 2023").
DATES: dict[str, tuple[str, str]] = {
    "on": ("den {date}", "{date}"),
}

#: The last joint of a list: "a, b och c"; "samt" when an item has an "och" of its own.
LISTS: dict[str, tuple[str, str]] = {
    "and": ("och", "and"),
    "and_also": ("samt", "and"),
}

# --------------------------------------------------------------------------- what was done

#: The paragraph on what the pilot did.
WHAT_WAS_DONE: dict[str, tuple[str, str]] = {
    "empty": (
        "Pilotens schema är tomt: inga förvaltningar finns med.",
        "The pilot's roll-out table is empty: no administration is listed.",
    ),
    "piloted_in_from": (
        "Fördjupad bakgrundskontroll prövades i {names} från {start}",
        "Deepened background checks were piloted in the {names} from {start}",
    ),
    "administration_from": ("{name} från {start}", "the {name} from {start}"),
    "piloted_in": (
        "Fördjupad bakgrundskontroll prövades i {parts}",
        "Deepened background checks were piloted in {parts}",
    ),
    "still_running": (" och pågår fortfarande.", " and are still in place."),
    "until": (" till {last}.", " to {last}."),
    "until_latest": (", som längst till {last}.", ", at the latest to {last}."),
    "ended_in_some": (
        ". Den har avslutats på vissa håll (senast {last}) men pågår fortfarande på andra.",
        ". They have ended in some places (at the latest {last}) but are still in place in others.",
    ),
    "all_roles": ("i alla yrkesgrupper", "in all role groups"),
    "roles": ("i yrkesgrupperna {roles}", "in the role groups {roles}"),
    "covered": ("Den gällde {scopes} {roles}.", "They covered {scopes} {roles}."),
    "check_and_credit": (
        "Kontrollen är en sökning i domstolarnas register, och {scopes} fick också en kreditupplysning.",
        "The check is a search of court records; {scopes} also had a credit check.",
    ),
    "check": ("Kontrollen är en sökning i domstolarnas register.", "The check is a search of court records."),
    "no_deepened_checks": (
        "Inga fördjupade kontroller finns registrerade i underlaget.",
        "No deepened checks are recorded in the data.",
    ),
    "most_in_roles": (", flest i yrkesgrupperna {roles}", ", most of them in the role groups {roles}"),
    "deepened_checks": (
        "{deep} fördjupade kontroller gjordes, varav {credit} med kreditupplysning{most}.",
        "{deep} deepened checks were made, {credit} of them with a credit check{most}.",
    ),
    "share_of_hires": (
        "Av dem som anställdes i pilotförvaltningarna under piloten fick {pct} en fördjupad kontroll.",
        "Of those hired in the pilot administrations during the pilot, {pct} had a deepened check.",
    ),
    "register_extracts": (
        "Registerutdrag ur belastningsregistret krävdes redan enligt lag för arbete med "
        "barn; underlaget{span} innehåller {many} sådana.",
        "Police register extracts were already required by law for work with children; "
        "the data{span} hold {many} of them.",
    ),
}

# --------------------------------------------------------------------------- caveats and methods

#: What the data cannot tell. ``demo`` comes first when the report runs on the demo export.
CANNOT_TELL: dict[str, tuple[str, str]] = {
    "demo": (
        "Siffrorna i denna rapport bygger på syntetiska demonstrationsdata, inte på verkliga uppgifter "
        "från Botkyrka kommun.",
        "The figures in this report are based on synthetic demonstration data, not on real records "
        "from Botkyrka kommun.",
    ),
    "few_administrations": (
        "Bara {n_pilot} av {n_all} förvaltningar var med i piloten, och de valdes inte slumpvis utan för att "
        "personalen där arbetar med barn och unga. Skillnader mellan förvaltningarna kan därför också bero på annat "
        "än kontrollen.",
        "Only {n_pilot} of the {n_all} administrations were in the pilot, and they were not chosen at random but "
        "because their staff work with children and young people. Differences between administrations may "
        "therefore also have other causes than the check.",
    ),
    "other_changes": (
        "Om något annat ändrades i pilotförvaltningarna samtidigt som kontrollerna började, till exempel arbetssätt "
        "eller bemanning, kan vi inte skilja det från effekten av kontrollen.",
        "If something else changed in the pilot administrations when the checks started, such as ways of working "
        "or staffing, we cannot tell it apart from the effect of the check.",
    ),
    "withdrawal_reasons": (
        "Varför en sökande återtog sin ansökan är ofta inte registrerat. Vi kan därför inte säga hur många som "
        "hoppade av just på grund av kontrollen.",
        "Why an applicant withdrew is often not recorded. So we cannot say how many withdrew because of the check "
        "itself.",
    ),
    "pilot_ended": (
        "Piloten har avslutats. Uppgifterna visar inte hur en kontroll som gäller för alltid eller i hela "
        "kommunen skulle påverka rekryteringen, till exempel kommunens rykte som arbetsgivare.",
        "The pilot has ended. The data do not show how a permanent or municipality-wide check would affect "
        "recruitment, for example the municipality's reputation as an employer.",
    ),
    "pilot_running": (
        "Piloten pågår fortfarande. Uppgifterna kan ännu inte visa vad som händer på längre sikt eller när "
        "piloten upphör.",
        "The pilot is still running. The data cannot yet show what happens in the longer run or when the pilot ends.",
    ),
    "law_change": (
        "Den 1 mars 2026 ändras lagen om registerkontroller. Ändringen påverkar främst vård- och "
        "omsorgsförvaltningen, som är en av jämförelseförvaltningarna, så tiden efter den 28 februari 2026 är "
        "inte med i jämförelsen.",
        "On 1 March 2026 the law on register checks changes. The change mainly affects the Health and Social "
        "Care Administration, one of the comparison administrations, so the time after 28 February 2026 is "
        "left out of the comparison.",
    ),
}

#: How the effects were estimated; ``{n_assignments}`` the ways of picking 3 of the 8
#: administrations.
METHODS: dict[str, tuple[str, str]] = {
    "note": (
        "Vi jämförde hur rekryteringen förändrades i de tre pilotförvaltningarna från tiden före piloten till tiden "
        "under den med hur den förändrades i de fem andra förvaltningarna under samma tid. Skillnaden mellan de två "
        "förändringarna är vår skattning av pilotens effekt. Osäkerheten mätte vi genom att göra om jämförelsen för "
        "alla {n_assignments} sätt att välja ut 3 av de 8 förvaltningarna: bara om de verkliga "
        "pilotförvaltningarna sticker ut mer än nästan alla andra val tyder resultatet på en effekt.",
        "We compared how recruitment changed in the three pilot administrations, from before the pilot to during "
        "it, with how it changed in the five other administrations over the same time. The difference between the "
        "two changes is our estimate of the pilot's effect. We measured the uncertainty by repeating the comparison "
        "for all {n_assignments} ways of picking 3 of the 8 administrations: only if the real pilot "
        "administrations stand out more than almost every other choice does the result suggest an effect.",
    ),
}
