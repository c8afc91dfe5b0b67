"""The data contract as documents, generated from :mod:`pilot_eval.contract`.

* :func:`contract_markdown` — ``docs/contract.md``, the reference of every table and
  column (checked against this function by ``tests/test_data_request.py``; rewrite it with
  ``pilot-eval contract --docs``);
* :func:`data_request` — the data request an analyst sends the HR department
  (``pilot-eval contract --lang sv``), as Markdown and as one printable HTML file: what to
  extract, what must never be in the files, and how to pseudonymise the IDs.
"""

from __future__ import annotations

import html
import re

from .contract import STAGES, TABLES, ColumnSpec

__all__ = ["contract_markdown", "data_request", "FILE_NAMES"]

#: The file names ``pilot-eval contract`` writes, per language.
FILE_NAMES = {"sv": "dataforfragan", "en": "data-request"}

_KIND_EN = {
    "id": "ID (text)",
    "str": "text",
    "enum": "one of the values",
    "int": "whole number",
    "float": "number",
    "bool": "yes/no",
    "date": "date YYYY-MM-DD",
    "stage": "stage 0–7",
}
_KIND_SV = {
    "id": "ID (text)",
    "str": "text",
    "enum": "ett av värdena",
    "int": "heltal",
    "float": "tal",
    "bool": "ja/nej",
    "date": "datum ÅÅÅÅ-MM-DD",
    "stage": "steg 0–7",
}
_ROW_SV = {
    "vacancies": "en rad per annonserad rekrytering (en återannonsering är en ny rad)",
    "applications": "en rad per ansökan",
    "background_checks": "en rad per bakgrundskontroll",
    "pilot_rollout": "en rad per förvaltning, yrkesgrupp och omfattning i piloten",
    "staffing_monthly": "frivillig: en rad per förvaltning, yrkesgrupp och månad",
}


def _values(col: ColumnSpec, lang: str) -> str:
    if col.kind == "stage":
        return ", ".join(f"{n} {sv if lang == 'sv' else en}" for n, (en, sv) in STAGES.items())
    if col.kind != "enum":
        return ""
    if lang == "sv":
        return ", ".join(col.swedish_display_label(v) for v in col.values)
    return ", ".join(f"{v} ({col.swedish_display_label(v)})" for v in col.values)


def contract_markdown() -> str:
    """``docs/contract.md``: every table and column of the contract, in English."""
    out = [
        "# The data contract",
        "",
        "Generated from `src/pilot_eval/contract.py` by `pilot-eval contract --docs`; do not edit by hand",
        "(`tests/test_data_request.py` checks that this file is what the code writes).",
        "",
        "One file per table, named after the table in English or Swedish (`vacancies.csv`,",
        "`rekryteringar.xlsx`); headers in English or Swedish; dates `YYYY-MM-DD`; an empty cell",
        "for a missing value. An export in an HR system's own layout is read through a mapping",
        "file (`docs/mapping.md`).",
        "",
    ]
    for table in TABLES.values():
        out += [f"## `{table.name}` ({table.swedish})", ""]
        out.append(
            f"{table.description[:1].upper()}{table.description[1:]}. "
            + ("Required." if table.required else "Optional.")
        )
        out.append(f"Key: {', '.join(f'`{k}`' for k in table.key)}.")
        for column, (other, other_col) in table.foreign_keys.items():
            out.append(f"`{column}` refers to `{other}.{other_col}`.")
        out += ["", "| column | Swedish header | type | may be empty | values |", "|---|---|---|---|---|"]
        for col in table.columns:
            limits = []
            if col.minimum is not None and col.kind in ("int", "float"):
                limits.append(f"≥ {col.minimum:g}")
            if col.maximum is not None and col.kind in ("int", "float"):
                limits.append(f"≤ {col.maximum:g}")
            values = "; ".join(x for x in (_values(col, "en"), " ".join(limits), col.description) if x)
            out.append(
                f"| `{col.name}` | {col.swedish_display} | {_KIND_EN[col.kind]} | {'yes' if col.nullable else 'no'} "
                f"| {values} |"
            )
        out.append("")
    return "\n".join(out)


_TEXT = {
    "sv": {
        "title": "Dataförfrågan: utvärdering av piloten med fördjupade bakgrundskontroller",
        "intro": "Vi behöver uppgifter ur rekryteringssystemet för att utvärdera piloten. Uppgifterna ska vara "
        "avidentifierade: ingen person ska gå att känna igen i filerna.",
        "extract_h": "Vad vi behöver",
        "extract": [
            "En fil per tabell nedan, med tabellens namn som filnamn, till exempel `ansokningar.csv`.",
            "CSV med semikolon eller Excel (.xlsx). Teckenkodning UTF-8.",
            "Datum skrivs ÅÅÅÅ-MM-DD. En tom cell när uppgiften saknas.",
            "Alla rekryteringar som publicerades från ett år före pilotens start till i dag.",
            "Rubrikerna i tabellerna nedan. Värden som ska väljas ur en lista står i kolumnen Värden.",
        ],
        "never_h": "Detta får aldrig finnas i filerna",
        "never": [
            "personnummer eller samordningsnummer",
            "namn på sökande eller anställda",
            "e-postadresser och telefonnummer",
            "hemadresser",
            "fritext, till exempel anteckningar, motiveringar eller kommentarer",
        ],
        "never_after": "Importen stoppar en fil som innehåller sådana uppgifter, och ingenting läses in.",
        "ids_h": "Så skapar ni ID-nummer",
        "ids": [
            "Ge varje rekrytering, ansökan och kontroll ett löpnummer, eller en kod som räknas fram med en "
            "hemlig nyckel som bara HR har.",
            "Skicka aldrig nyckeln, och räkna aldrig fram ett ID från personnumret utan en hemlig nyckel.",
            "Samma ansökan ska ha samma ID i alla filer, så att filerna kan kopplas ihop.",
            "ID-nummer är text: inledande nollor ska finnas kvar.",
        ],
        "own_h": "Om systemet har egna kolumnnamn",
        "own": "Det går också bra att skicka systemets egen export, med systemets egna rubriker och värden. "
        "Analytikern skriver då en mappningsfil som översätter den (se docs/mapping.md). Reglerna ovan om "
        "vad som aldrig får finnas med gäller ändå.",
        "tables_h": "Tabellerna",
        "required": "Måste finnas.",
        "optional": "Frivillig.",
        "head": ["Rubrik", "Typ", "Får vara tom", "Värden"],
        "yes": "ja",
        "no": "nej",
    },
    "en": {
        "title": "Data request: evaluation of the pilot of deepened background checks",
        "intro": "To evaluate the pilot we need data from the recruitment system. The data must be "
        "de-identified: no person may be recognisable in the files.",
        "extract_h": "What we need",
        "extract": [
            "One file per table below, named after the table, for example `applications.csv`.",
            "CSV with semicolons, or Excel (.xlsx). Encoding UTF-8.",
            "Dates as YYYY-MM-DD. An empty cell where a value is missing.",
            "Every recruitment published from one year before the pilot started until today.",
            "The headers of the tables below. Values chosen from a list are given in the Values column.",
        ],
        "never_h": "What must never be in the files",
        "never": [
            "personal identity numbers (personnummer) or coordination numbers",
            "names of applicants or employees",
            "e-mail addresses and phone numbers",
            "home addresses",
            "free text, such as notes, reasons or comments",
        ],
        "never_after": "The import stops at a file that holds such data, and reads nothing.",
        "ids_h": "How to make the IDs",
        "ids": [
            "Give every recruitment, application and check a running number, or a code computed with a "
            "secret key that only HR has.",
            "Never send the key, and never compute an ID from the personnummer without a secret key.",
            "The same application must have the same ID in every file, so that the files can be linked.",
            "IDs are text: leading zeros must be kept.",
        ],
        "own_h": "If the system has its own column names",
        "own": "You may also send the system's own export, with its own headers and values. The analyst then "
        "writes a mapping file that translates it (see docs/mapping.md). The rules above on what must never "
        "be included apply all the same.",
        "tables_h": "The tables",
        "required": "Required.",
        "optional": "Optional.",
        "head": ["Header", "Type", "May be empty", "Values"],
        "yes": "yes",
        "no": "no",
    },
}


def _request_markdown(lang: str) -> str:
    t = _TEXT[lang]
    kinds = _KIND_SV if lang == "sv" else _KIND_EN
    out = [f"# {t['title']}", "", t["intro"], "", f"## {t['extract_h']}", ""]
    out += [f"- {line}" for line in t["extract"]]
    out += ["", f"## {t['never_h']}", ""] + [f"- {line}" for line in t["never"]] + ["", t["never_after"], ""]
    out += [f"## {t['ids_h']}", ""] + [f"- {line}" for line in t["ids"]] + ["", f"## {t['own_h']}", "", t["own"], ""]
    out += [f"## {t['tables_h']}", ""]
    for table in TABLES.values():
        stem = table.swedish if lang == "sv" else table.name
        shown = table.swedish_display if lang == "sv" else stem.replace("_", " ").capitalize()
        name = f"{shown} (`{stem}.csv`)"
        what = _ROW_SV[table.name] if lang == "sv" else table.description
        out += [
            f"### {name}",
            "",
            f"{what[:1].upper()}{what[1:]}. {t['required'] if table.required else t['optional']}",
            "",
        ]
        out += ["| " + " | ".join(t["head"]) + " |", "|---|---|---|---|"]
        for col in table.columns:
            header = col.swedish_display if lang == "sv" else col.name
            empty = t["yes"] if col.nullable else t["no"]
            out.append(f"| {header} | {kinds[col.kind]} | {empty} | {_values(col, lang)} |")
        out.append("")
    return "\n".join(out)


def _inline(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _markdown_to_html(markdown: str, lang: str, title: str) -> str:
    """The few Markdown forms :func:`_request_markdown` writes (headings, lists, tables,
    paragraphs) as HTML; written here because that small subset needs no library."""
    body: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            body.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            head = "".join(f'<th scope="col">{_inline(c)}</th>' for c in rows[0])
            cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows[2:])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
            continue
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        i += 1
    css = (
        "@page{size:A4;margin:18mm 16mm}body{font-family:system-ui,sans-serif;font-size:11pt;line-height:1.45;"
        "max-width:52rem;margin:1.5rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}"
        "h2{font-size:1.2rem;margin-top:1.6rem;break-after:avoid}h3{font-size:1.05rem;margin-top:1.2rem;break-after:avoid}"
        "table{border-collapse:collapse;width:100%;font-size:9.5pt;margin:.4rem 0 1rem}"
        "th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left;vertical-align:top}"
        "th{background:#eee}tr{break-inside:avoid}code{font-size:.95em}"
        "td:nth-child(2),td:nth-child(3),th:nth-child(3){white-space:nowrap}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def data_request(lang: str = "sv") -> tuple[str, str]:
    """The data request for the HR department: ``(markdown, html)`` in ``lang`` (sv or en)."""
    if lang not in _TEXT:
        raise ValueError(f"lang must be sv or en, not {lang!r}")
    markdown = _request_markdown(lang)
    return markdown, _markdown_to_html(markdown, lang, _TEXT[lang]["title"])
