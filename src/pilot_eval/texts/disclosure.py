"""The texts of disclosure control (:mod:`pilot_eval.disclosure`): the footnotes under a
protected table, one per reason a cell is withheld and one for values missing in the input.

Placeholders: ``{symbol}`` the cell's symbol ("<5", "..*", …) and the thresholds of
:class:`pilot_eval.disclosure.Thresholds` by name, with ``{small_max}`` the largest count
shown as "<5" (``min_count - 1``).
"""

from __future__ import annotations

from .findings import COUNTS

#: Footnote per reason code (and ``missing``), ``(swedish, english)``.
FOOTNOTES = {
    "small_count": (
        "{symbol} Färre än {min_count} (1–{small_max}): det exakta antalet visas inte.",
        "{symbol} Fewer than {min_count} (1–{small_max}): the exact number is not shown.",
    ),
    "small_denominator": (
        "{symbol} Visas inte: andelen bygger på färre än {min_denominator}.",
        "{symbol} Not shown: the rate is based on fewer than {min_denominator}.",
    ),
    "small_n": (
        "{symbol} Visas inte: värdet bygger på färre än {min_duration_n} observationer.",
        "{symbol} Not shown: the figure is based on fewer than {min_duration_n} observations.",
    ),
    "secondary": (
        "{symbol} Visas inte: ett dolt värde eller ett antal under {min_count} skulle annars kunna "
        "räknas fram ur summor eller andelar.",
        "{symbol} Not shown: a hidden value or a number below {min_count} could otherwise be worked out "
        "from totals or rates.",
    ),
    "check_outcome": (
        "{symbol} Visas inte: utfall av kontroller redovisas bara där det finns minst "
        "{min_check_total} kontroller och minst {min_check_category} i varje utfall.",
        "{symbol} Not shown: check outcomes are only published where there are at least "
        "{min_check_total} checks and at least {min_check_category} in every outcome.",
    ),
    "missing": (
        "{symbol} Uppgift saknas eller kan inte beräknas.",
        "{symbol} Not available or cannot be computed.",
    ),
}

#: How a sentence says that a count is not printed (``{min_count}``), by reason.
WITHHELD_COUNT = {
    "small_count": COUNTS["few"],  # as the findings say a count of 1–4
    "secondary": ("ett antal som inte redovisas", "a number that is not shown"),
}

#: Why a column withheld in every row is left out of a table (the sentence in its place,
#: :func:`pilot_eval.disclosure.layout.to_html`), by reason; placeholders as in :data:`FOOTNOTES`.
WITHHELD_COLUMNS = {
    "small_count": (
        "varje antal är färre än {min_count}",
        "every number is below {min_count}",
    ),
    "small_denominator": (
        "varje andel bygger på färre än {min_denominator}",
        "every rate is based on fewer than {min_denominator}",
    ),
    "small_n": (
        "varje värde bygger på färre än {min_duration_n} observationer",
        "every figure is based on fewer than {min_duration_n} observations",
    ),
    "secondary": (
        "grupperna är för små, och med värdena skulle dolda värden eller antal under {min_count} kunna "
        "räknas fram ur andra siffror i rapporten",
        "the groups are too small, and with these figures hidden values or numbers below {min_count} could be "
        "worked out from other figures in the report",
    ),
    "check_outcome": (
        "utfall av kontroller redovisas bara där det finns minst {min_check_total} kontroller och minst "
        "{min_check_category} i varje utfall",
        "check outcomes are only published where there are at least {min_check_total} checks and at least "
        "{min_check_category} in every outcome",
    ),
}

#: The words of a table's layout (:mod:`pilot_eval.disclosure.layout`).
LAYOUT = {
    "dropped": ("Tabellen visar inte {columns}: {why}.", "The table leaves out {columns}: {why}."),
    "quote": ("”{}”", "“{}”"),
    "show_all": ("Visa hela tabellen ({rows} rader)", "Show the whole table ({rows} rows)"),
    "value": ("Värde", "Value"),
}
