"""Texts of the report's PDFs (:mod:`pilot_eval.report.pdf`): the running header and page
numbers of every printed page, and the index page's links to the PDFs, as
``(swedish, english)`` pairs."""

from __future__ import annotations

__all__ = ["PDF"]

PDF = {
    # the running header: organisation · report title · period [· demo marking]
    "organisation": ("Botkyrka kommun", "Botkyrka Municipality"),
    "demo": ("Demodata", "Demo data"),
    # the page number at the foot of every page ({page} and {pages} become Chromium's numbers)
    "page": ("Sida {page} av {pages}", "Page {page} of {pages}"),
    # the whole report's file name, before "-<period>.pdf"
    "report_file": ("rapport", "report"),
    # the index page's links
    "heading": ("Utskrift", "For printing"),
    "summary": ("Sammanfattningen som PDF", "The summary as PDF"),
    "report": ("Hela rapporten som PDF", "The whole report as PDF"),
    "note": (
        "För nämndhandlingar: A4 med sidnummer på varje sida.",
        "For committee papers: A4 with page numbers on every page.",
    ),
}
