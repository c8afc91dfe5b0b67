"""The words of the report series: the reports folder's index page (``reports/index.html``)
and the summary's sentence "sedan förra rapporten" (:mod:`pilot_eval.report.series`)."""

from __future__ import annotations

#: The index of every report in the reports folder; ``{n}``, ``{total}`` are page counts.
INDEX: dict[str, tuple[str, str]] = {
    "title": (
        "Utvärdering av fördjupad bakgrundskontroll — alla rapporter",
        "Evaluation of the deepened background checks — all reports",
    ),
    "intro": (
        "Här finns varje rapport som har tagits fram, den senaste perioden först. Börja med sammanfattningen.",
        "Every report produced so far, the latest period first. Start with the summary.",
    ),
    "none": ("Det finns inga rapporter ännu.", "There are no reports yet."),
    "synthetic": (
        "Rapporter märkta ”Demodata” bygger på syntetiska data, inte på kommunens verkliga uppgifter.",
        "Reports marked “Demo data” are based on synthetic data, not on the municipality's records.",
    ),
    "summary": ("Sammanfattning", "Summary"),
    "contents": ("Alla sidor", "All pages"),
    "rendered": ("Skapad", "Rendered"),
    "data": ("Data", "Data"),
    "demo": ("Demodata", "Demo data"),
    "cut_date": ("Data till och med", "Data up to"),
    "status": ("Status", "Status"),
    "all_ok": ("alla sidor klara", "all pages complete"),
    "failed": (
        "{n} av {total} sidor ofullständiga:",
        "{n} of {total} pages incomplete:",
    ),
    "other_index": ("In English", "På svenska"),
}

#: The language of a report, as the index names it.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "sv": ("På svenska", "In Swedish"),
    "en": ("På engelska", "In English"),
}

#: The summary's sentence on what changed since the previous report: ``{period}`` is the
#: earlier period, ``{changes}`` the ``first`` clause and the ``next`` ones joined as a list
#: (the figures that read as before last, ``first_same`` / ``next_same``),
#: ``{verdicts}`` ``verdicts_same`` or ``verdicts_changed`` (with its ``verdict`` clauses).
SINCE: dict[str, tuple[str, str]] = {
    "sentence": (
        "Sedan förra rapporten ({period}) har skattningen för {changes}{verdicts}",
        "Since the previous report ({period}), the estimate for {changes}{verdicts}",
    ),
    "first": ("{topic} ändrats från {before} till {now}", "{topic} has changed from {before} to {now}"),
    "next": ("för {topic} från {before} till {now}", "for {topic} from {before} to {now}"),
    # a figure that reads the same as before (rounded): said last, with a verb of its own
    "first_same": ("{topic} legat kvar på {now}", "{topic} has stayed at {now}"),
    "next_same": ("för {topic} legat kvar på {now}", "for {topic} stayed at {now}"),
    "verdicts_same": ("; bedömningarna är desamma.", "; the verdicts are the same."),
    "verdicts_changed": ("; bedömningen för {verdicts}.", "; the verdict for {verdicts}."),
    "verdict": ("{topic} är nu ”{now}” (förut ”{before}”)", "{topic} is now “{now}” (before: “{before}”)"),
}
