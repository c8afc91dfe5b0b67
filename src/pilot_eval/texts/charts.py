"""The charts' texts (:mod:`pilot_eval.report.plots`), in Swedish and English.

Every text is a ``(swedish, english)`` pair; ``{placeholders}`` are filled by the chart
functions. Column and value names come from :mod:`pilot_eval.labels`; what is not a text
(an outcome's unit, a unit's scale) stays in the plots package.
"""

from __future__ import annotations

#: Texts of the charts that :mod:`pilot_eval.labels` does not have: key → (sv, en).
TEXTS: dict[str, tuple[str, str]] = {
    "days_since_publication": ("Dagar sedan publicering", "Days since publication"),
    "share_filled": ("Andel tillsatta (%)", "Share filled (%)"),
    "fill_title": ("Andel tillsatta rekryteringar", "Share of vacancies filled"),
    "fill_method": (
        (
            "Kaplan–Meier-skattning. Rekryteringar som fortfarande är öppna, eller som avbrutits eller "
            "annonserats om, räknas med så länge de pågick."
        ),
        (
            "Kaplan–Meier estimate. Vacancies still open, cancelled or re-advertised count for as long as "
            "they were running."
        ),
    ),
    "fill_truncated": (
        "En kurva slutar där färre än {k} rekryteringar återstår.",
        "A curve stops where fewer than {k} vacancies remain.",
    ),
    "fill_gap": (
        "En kurva saknas de dagar där den skulle avslöja ett antal under 5 eller ett dolt värde.",
        "A curve is left out on the days where it would give away a number below 5 or a hidden value.",
    ),
    "fill_too_few": (
        "Visas inte (färre än {k} rekryteringar): {groups}.",
        "Not shown (fewer than {k} vacancies): {groups}.",
    ),
    "no_data": ("Inga uppgifter", "No data"),
    "before_pilot": ("Före piloten", "Before the pilot"),
    "during_pilot": ("Under piloten", "During the pilot"),
    "pre_legend": ("Före piloten (bör ligga nära noll)", "Before the pilot (should be close to zero)"),
    "post_legend": ("Under piloten (skattad effekt)", "During the pilot (estimated effect)"),
    "event_xlabel_quarter": (
        "Kvartal i förhållande till pilotens start (0 = första kvartalet)",
        "Quarters relative to the pilot start (0 = first quarter)",
    ),
    "event_xlabel_month": (
        "Månader i förhållande till pilotens start (0 = första månaden)",
        "Months relative to the pilot start (0 = first month)",
    ),
    "event_xlabel_half": (
        "Halvår i förhållande till pilotens start (0 = första halvåret)",
        "Half-years relative to the pilot start (0 = first half-year)",
    ),
    "event_xlabel_year": (
        "År i förhållande till pilotens start (0 = första året)",
        "Years relative to the pilot start (0 = first year)",
    ),
    "difference": ("Skillnad mot jämförelseförvaltningarna", "Difference from the comparison administrations"),
    "event_caption": (
        (
            "Punkt: skattad skillnad mellan pilot- och jämförelseförvaltningarna jämfört med tiden före "
            "piloten; streck: {level}\u00a0% konfidensintervall."
        ),
        (
            "Point: estimated difference between pilot and comparison administrations relative to the time "
            "before the pilot; bar: {level}% confidence interval."
        ),
    ),
    "event_indicative": (
        "Intervallen är vägledande: med få förvaltningar blir osäkerheten underskattad.",
        "The intervals are indicative: with few administrations the uncertainty is understated.",
    ),
    "effect_during": ("Pilotens effekt medan den pågick", "Effect of the pilot while it ran"),
    "effect_after": ("Pilotens effekt efter att den avslutats", "Effect of the pilot after it ended"),
    "effect_axis": ("Skattad effekt", "Estimated effect"),
    "effect_caption": (
        (
            "Punkt: skattad effekt; streck: {level}\u00a0% konfidensintervall ({inference}). Ett streck som "
            "korsar nollinjen betyder att effekten inte går att skilja från noll."
        ),
        (
            "Point: estimated effect; bar: {level}% confidence interval ({inference}). A bar that crosses "
            "the zero line means the effect cannot be told apart from zero."
        ),
    ),
    "interval_to": ("till", "to"),
    "funnel_title": (
        "Återtagna ansökningar per steg i rekryteringen",
        "Withdrawn applications by stage of recruitment",
    ),
    "funnel_rate_axis": ("Andel som återtog ansökan vid steget (%)", "Share withdrawing at the stage (%)"),
    "funnel_share_axis": ("Andel av alla ansökningar (%)", "Share of all applications (%)"),
    "funnel_rate_caption": (
        "Andelen räknas bland de ansökningar som nått steget.",
        "The share is of the applications that reached the stage.",
    ),
    "funnel_share_caption": (
        "Andelen räknas bland alla ansökningar; summan över stegen är den totala andelen återtagna.",
        "The share is of all applications; summed over the stages it is the overall withdrawal rate.",
    ),
    "actual": ("Det faktiska utfallet", "The actual result"),
    "permutation_title": ("Hur ovanligt är det faktiska utfallet?", "How unusual is the actual result?"),
    "permutation_count": (
        "Antal möjliga val av pilotförvaltningar",
        "Number of possible choices of pilot administrations",
    ),
    "permutation_x": ("Skattad effekt", "Estimated effect"),
    "permutation_p": (
        (
            "Om piloten inte hade haft någon effekt hade en lika stor eller större skillnad (åt något håll) "
            "uppstått i {k} av {n} möjliga val av pilotförvaltningar (p = {p})."
        ),
        (
            "If the pilot had had no effect, a difference at least as large (in either direction) would "
            "have arisen in {k} of {n} possible choices of pilot administrations (p = {p})."
        ),
    ),
    "permutation_no_p": (
        "Staplarna visar den skattade effekten för vart och ett av {n} möjliga val av pilotförvaltningar.",
        "The bars show the estimated effect for each of {n} possible choices of pilot administrations.",
    ),
    "four_fifths": ("Fyra femtedelar", "Four-fifths"),
    # the charts' descriptions: alt texts and data tables (pilot_eval.report.plots.describe)
    "data_summary": ("Visa siffrorna i diagrammet", "Show the figures in the chart"),
    "data_caption": ("Siffrorna i diagrammet", "The figures in the chart"),
    "alt_and": ("och", "and"),
    "alt_withheld_few": ("visas inte (för få)", "not shown (too few)"),
    "alt_withheld": ("visas inte", "not shown"),
    "alt_missing": ("uppgift saknas", "not available"),
    "alt_not_shown_one": ("{n} värde visas inte", "{n} value is not shown"),
    "alt_not_shown_many": ("{n} värden visas inte", "{n} values are not shown"),
    "alt_between": ("mellan {low} och {high}", "between {low} and {high}"),
    "alt_many_values": (
        "{n} värden, {range}. Alla värden finns i tabellen under diagrammet",
        "{n} values, {range}. Every value is in the table below the chart",
    ),
    "alt_series_span": ("{what} per {unit} från {first} till {last}", "{what} by {unit} from {first} to {last}"),
    "alt_series_span_per": ("{what} från {first} till {last}", "{what} from {first} to {last}"),
    "alt_series_group": (
        "{group}: {first_value} {first} och {last_value} {last}, {range}",
        "{group}: {first_value} {first} and {last_value} {last}, {range}",
    ),
    "alt_series_in": ("i {period}", "in {period}"),
    "alt_marks": ("Lodräta linjer: {marks}", "Vertical lines: {marks}"),
    "alt_event_intro": (
        "Skattad skillnad mot jämförelseförvaltningarna per {unit} i förhållande till pilotens start",
        "Estimated difference from the comparison administrations by {unit} relative to the pilot start",
    ),
    "alt_zero_all": ("alla intervall omfattar noll", "every interval includes zero"),
    "alt_zero_some": ("{k} av {n} intervall omfattar noll", "{k} of {n} intervals include zero"),
    "alt_zero_none": ("inget intervall omfattar noll", "no interval includes zero"),
    "alt_effect_row": (
        "{outcome}: {estimate} {unit} ({level}\u00a0% konfidensintervall {low} till {high})",
        "{outcome}: {estimate} {unit} ({level}% confidence interval {low} to {high})",
    ),
    "alt_effect_row_percent": (
        "{outcome}: {estimate} ({level}\u00a0% konfidensintervall {low} till {high})",
        "{outcome}: {estimate} ({level}% confidence interval {low} to {high})",
    ),
    "effect_row_header": ("Mått", "Measure"),
    "unit_header": ("Enhet", "Unit"),
    "interval_header": ("{level}\u00a0% konfidensintervall", "{level}% confidence interval"),
    "alt_permutation": (
        "Det faktiska utfallet: {actual}. De möjliga valen gav {range}",
        "The actual result: {actual}. The possible choices gave {range}",
    ),
    "alt_permutation_of": (
        "Det faktiska utfallet ({what}): {actual}. De möjliga valen gav {range}",
        "The actual result ({what}): {actual}. The possible choices gave {range}",
    ),
    "permutation_actual_cell": ("{bin} (det faktiska utfallet: {actual})", "{bin} (the actual result: {actual})"),
    "alt_fill_at": ("Andel tillsatta efter {day} dagar", "Share filled after {day} days"),
    "fill_day_header": ("{day} dagar", "{day} days"),
    "fill_note_truncated": (
        "{symbol} Visas inte: färre än {k} rekryteringar återstod.",
        "{symbol} Not shown: fewer than {k} vacancies remained.",
    ),
}

#: The outcomes of :mod:`pilot_eval.estimate.effects` in words: name → (sv, en).
OUTCOMES: dict[str, tuple[str, str]] = {
    "days_to_fill": ("Dagar till tillsättning", "Days to fill"),
    "closed_without_hire": ("Andel avslutade utan anställning", "Share closed without a hire"),
    "filled_within_60": ("Andel tillsatta inom 60 dagar", "Share filled within 60 days"),
    "filled_within_90": ("Andel tillsatta inom 90 dagar", "Share filled within 90 days"),
    "days_unfilled_90": ("Dagar vakant de första 90 dagarna", "Days vacant in the first 90 days"),
    "late_withdrawal": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate"),
    "late_withdrawal_rate": ("Andel återtagna ansökningar i sent skede", "Late-stage withdrawal rate"),
    "applicants_per_vacancy": ("Sökande per rekrytering", "Applicants per vacancy"),
    "qualified_applicants_per_vacancy": ("Behöriga sökande per rekrytering", "Qualified applicants per vacancy"),
    "qualified_per_vacancy": ("Behöriga sökande per rekrytering", "Qualified applicants per vacancy"),
    "offer_acceptance": ("Andel accepterade erbjudanden", "Offer acceptance rate"),
    "acceptance_rate": ("Andel accepterade erbjudanden", "Offer acceptance rate"),
    "register_check_days": ("Tid för registerutdrag (dagar)", "Police register check turnaround (days)"),
}

#: Units of effects in words: unit key → (sv, en). A plain number (``"number"``) has none.
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "pp": ("procentenheter", "percentage points"),
    "days": ("dagar", "days"),
    "applicants": ("sökande", "applicants"),
    "percent": ("förändring i procent", "change in per cent"),
}

#: The inference methods of :mod:`pilot_eval.estimate.inference`, for the effect chart's
#: caption: name → (sv, en); ``{n}`` is the number of possible assignments.
INFERENCE: dict[str, tuple[str, str]] = {
    "randomization_inference": (
        "randomiseringsinferens över alla {n} möjliga val av pilotförvaltningar",
        "randomization inference over all {n} possible choices of pilot administrations",
    ),
    "wild_cluster_bootstrap_webb": ("vild klusterbootstrap", "wild cluster bootstrap"),
    "cluster_robust": ("klusterrobusta standardfel", "cluster-robust standard errors"),
}

#: The x-axis label of a line chart over periods: frequency (:data:`pilot_eval.periods.MONTHS_PER`)
#: → (sv, en).
PERIOD_AXIS: dict[str, tuple[str, str]] = {
    "M": ("Månad", "Month"),
    "Q": ("Kvartal", "Quarter"),
    "H": ("Halvår", "Half-year"),
    "Y": ("År", "Year"),
}

#: A period as an adjective ("Kvartalsvisa annonser"): a title that has it already says
#: the series' period, so that an alt text does not say it again. Frequency → (sv, en).
PERIOD_ADJECTIVES: dict[str, tuple[str, str]] = {
    "M": ("månadsvis", "monthly"),
    "Q": ("kvartalsvis", "quarterly"),
    "H": ("halvårsvis", "half-yearly"),
    "Y": ("årsvis", "yearly"),
}
