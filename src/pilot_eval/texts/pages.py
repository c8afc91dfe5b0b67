"""The words of the report's pages: the index, the page frame and the provenance footer."""

from __future__ import annotations

#: Each text as (Swedish, English); ``{period}`` is filled in by the page.
PAGES: dict[str, tuple[str, str]] = {
    "title": (
        "Utvärdering av fördjupad bakgrundskontroll — rapport för {period}",
        "Evaluation of the deepened background checks — report for {period}",
    ),
    "contents": ("Innehåll", "Contents"),
    "for_politicians": ("För förtroendevalda", "For elected representatives"),
    "summary_note": (
        "Börja här. De andra sidorna visar underlaget i detalj.",
        "Start here. The other pages show the evidence in detail.",
    ),
    "pages": ("Sidor", "Pages"),
    "failed": ("misslyckades", "failed"),
    "for_analysts": ("För analytiker", "For analysts"),
    "executed_notebook": ("körd notebook med kod och utdata", "executed notebook with code and outputs"),
    "warnings": (
        "vad sidan inte visar: varningar och annan utdata",
        "what the page leaves out: warnings and other output",
    ),
    "kernel_log": ("kärnans och papermills meddelanden", "the kernel's and papermill's messages"),
    "manifest": (
        "vad som kördes, med vilka parametrar och vilka data",
        "what was run, with which parameters and which data",
    ),
    "data_docs": ("GX Data Docs (för analytiker)", "GX Data Docs (for analysts)"),
    "data_docs_note": (
        "datavalideringens egna sidor från Great Expectations; de kan hämta skript och typsnitt från internet",
        "Great Expectations' own data validation pages; they may fetch scripts and fonts from the internet",
    ),
    "ingest_warning": (
        "Varning: vid inläsningen sattes fler rader undan än tröskelvärdet tillåter (se sidan om datakvalitet); "
        "siffrorna kan vara ofullständiga.",
        "Warning: ingest set aside more rows than the threshold allows (see the page on data quality); "
        "the figures may be incomplete.",
    ),
    "synthetic": (
        "Demoversion: rapporten bygger på syntetiska data, inte på kommunens verkliga uppgifter.",
        "Demo version: this report is based on synthetic data, not on the municipality's records.",
    ),
    "page_failed": ("Sidan är ofullständig: beräkningen avbröts", "This page is incomplete: the computation stopped"),
    "in_cell": ("i cell", "in cell"),
    "page_failed_where": (
        "Det som visas ovanför den punkten gäller; analytikerna har felet i rapportens arbetsmapp.",
        "What is shown above that point holds; the analysts have the error in the report's working folder.",
    ),
    "figure": ("Diagram", "Chart"),
    "provenance": ("Underlag", "Provenance"),
    "period": ("Period", "Period"),
    "cut_date": ("data t.o.m.", "data up to"),
    "rendered": ("Skapad", "Rendered"),
    "git": ("Git-version", "Git commit"),
    "data": ("Data", "Data"),
    "data_synthetic": ("syntetiska demodata", "synthetic demo data"),
    "data_real": ("kommunens export", "the municipality's export"),
    "parameters": ("Parametrar", "Parameters"),
    "input_files": ("Indatafiler", "Input files"),
    "table": ("Tabell", "Table"),
    "file": ("Fil", "File"),
    "processed_file": ("Bearbetad fil", "Processed file"),
    "versions": ("Programversioner", "Software versions"),
}
