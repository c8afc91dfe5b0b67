"""docs/contract.md and the data request for HR (pilot-eval contract), generated from
pilot_eval.contract."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pilot_eval import cli, paths
from pilot_eval.contract import TABLES
from pilot_eval.data_request import contract_markdown, data_request


def test_docs_contract_md_is_what_the_code_writes():
    written = (paths.PROJECT_ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert written == contract_markdown(), "docs/contract.md is out of date: run pilot-eval contract --docs"


def test_the_reference_names_every_table_and_column():
    text = contract_markdown()
    for table in TABLES.values():
        assert f"## `{table.name}` ({table.swedish})" in text
        for col in table.columns:
            assert f"| `{col.name}` | {col.swedish_display} |" in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_request_names_every_column_and_what_never_to_send(lang):
    markdown, page = data_request(lang)
    for table in TABLES.values():
        assert f"`{table.swedish if lang == 'sv' else table.name}.csv`" in markdown
        for col in table.columns:
            assert f"| {col.swedish_display if lang == 'sv' else col.name} |" in markdown
    never = {
        "sv": ["personnummer", "namn", "e-postadresser", "telefonnummer", "hemadresser", "fritext"],
        "en": ["personnummer", "names", "e-mail", "phone", "home addresses", "free text"],
    }[lang]
    section = markdown.split("\n## ")[2]
    for word in never:
        assert word in section, word
    assert ("hemlig nyckel" if lang == "sv" else "secret key") in markdown
    assert ("inledande nollor" if lang == "sv" else "leading zeros") in markdown


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_html_is_a_printable_page(lang):
    _, page = data_request(lang)
    parser = _Structure()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert dict(parser.tags)["html"]["lang"] == lang
    assert tags.count("h1") == 1 and tags.count("table") == len(TABLES)
    assert all(a.get("scope") == "col" for t, a in parser.tags if t == "th")
    assert "@page{size:A4" in page
    assert "|" not in re.sub(r"<[^>]+>", "", page.split("<main>")[1])  # no Markdown table left over


def test_the_swedish_request_has_no_english_prose():
    markdown, _ = data_request("sv")
    prose = " ".join(line for line in markdown.split("\n") if not line.startswith("|"))
    for word in (" the ", " and ", " must ", " never ", " file ", " table "):
        assert word not in prose.lower(), word


def test_the_cli_writes_both_files(tmp_path, capsys):
    assert cli.main(["contract", "--lang", "sv", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "dataforfragan.md").read_text(encoding="utf-8") == data_request("sv")[0]
    assert (tmp_path / "dataforfragan.html").exists()
    assert cli.main(["contract", "--lang", "en", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "data-request.html").exists()
    assert str(tmp_path / "data-request.md") in capsys.readouterr().out


def test_the_swedish_headings_name_each_table_in_swedish_with_its_file_name():
    """Headings in Swedish with å/ä/ö ("Ansökningar", not "Ansokningar"); the file names
    stay the contract's ASCII names."""
    from pilot_eval.contract import TABLE_NAMES_SV
    from pilot_eval.texts.labels import VALUE_LABELS

    markdown, page = data_request("sv")
    headings = [line[4:] for line in markdown.splitlines() if line.startswith("### ")]
    assert headings == [f"{TABLE_NAMES_SV[t.name]} (`{t.swedish}.csv`)" for t in TABLES.values()]
    assert "### Ansökningar (`ansokningar.csv`)" in markdown
    assert "### Bemanning per månad (`bemanning_manad.csv`)" in markdown
    assert "<h3>Ansökningar (<code>ansokningar.csv</code>)</h3>" in page
    assert "Ansokningar" not in markdown and "manad (" not in markdown
    assert {t: sv for t, (sv, _) in VALUE_LABELS["table"].items()} == TABLE_NAMES_SV  # one Swedish name per table
    english = data_request("en")[0]
    assert "### Applications (`applications.csv`)" in english and "Ansökningar" not in english
