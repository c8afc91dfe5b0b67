"""``pilot-eval map suggest``: the vocabulary, the draft's decisions, its TODOs, the
privacy guard, and the round trip of issue 19's "Must show": an export whose headers are
all synonyms drafts a mapping that ingests to the same processed tables as the original."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import yaml

from pilot_eval.cli import main
from pilot_eval.contract import TABLES, fold
from pilot_eval.demo import generate, write_export
from pilot_eval.errors import IngestError
from pilot_eval.ingest import ingest, load_processed
from pilot_eval.mapping import suggest_mapping
from pilot_eval.mapping import vocabulary as V
from pilot_eval.mapping.suggest import ENUM_CAP, detect_date_format
from pilot_eval.privacy import scan_header

CUT = "2025-06-30"

# Every source name issue 19 lists, with the contract column it names (table, column), or
# None for a name that is known but feeds no contract column.
ISSUE_NAMES = {
    # Teamtailor
    ("applications", "id"): "application_id",
    ("vacancies", "id"): "vacancy_id",
    ("applications", "created-at"): "submitted_date",
    ("applications", "sourced"): "internal",
    ("applications", "relationships.job.data.id"): "vacancy_id",
    ("applications", "relationships.reject-reason.data.id"): "withdrawal_reason",
    ("vacancies", "status"): "status",
    ("vacancies", "created-at"): "published_date",
    ("applications", "changed-stage-at"): None,
    ("applications", "updated-at"): None,
    ("applications", "relationships.candidate.data.id"): None,
    ("applications", "relationships.stage.data.id"): None,
    ("vacancies", "title"): None,
    ("vacancies", "human-status"): None,
    ("vacancies", "internal"): None,
    # EasyCruit
    ("applications", "Candidate ID"): None,
    ("applications", "Vacancy ID"): "vacancy_id",
    ("vacancies", "Vacancy ID"): "vacancy_id",
    ("vacancies", "Vacancy Reference Number"): None,
    ("vacancies", "Vacancy Title"): None,
    ("vacancies", "Department ID"): "administration",
    ("vacancies", "Department Name"): "administration",
    ("applications", "Application Status"): "final_status",
    ("applications", "Application Updated"): None,
    # Platsbanken and JobTech
    ("vacancies", "PLATSNUMMER"): "vacancy_id",
    ("vacancies", "PLATSRUBRIK"): None,
    ("vacancies", "KOMMUN_KOD"): None,
    ("vacancies", "FORSTA_PUBLICERINGSDATUM"): "published_date",
    ("vacancies", "SISTA_ANSOK_PUBLDATUM"): "closing_date",
    ("vacancies", "ANTAL_AKT_PLATSER"): "positions",
    ("vacancies", "YRKE_ID"): None,
    ("vacancies", "publication_date"): "published_date",
    ("vacancies", "application_deadline"): "closing_date",
    ("vacancies", "number_of_vacancies"): "positions",
    ("vacancies", "removed_date"): None,
    ("vacancies", "workplace_address.municipality_code"): None,
    # Swedish HR wording
    ("vacancies", "Annons-ID"): "vacancy_id",
    ("vacancies", "Publiceringsdatum"): "published_date",
    ("applications", "Ansökningsdatum"): "submitted_date",
    ("vacancies", "Förvaltning"): "administration",
    ("vacancies", "Anställningsform"): "employment_type",
    ("vacancies", "Sista ansökningsdag"): "closing_date",
    ("vacancies", "Status"): "status",
    ("applications", "Status"): "final_status",
    ("vacancies", "Tjänst"): "role_group",
    ("vacancies", "Antal tjänster"): "positions",
    ("vacancies", "Anställningsdatum"): "start_date",
    ("vacancies", "Tillträdesdag"): "start_date",
}


@pytest.mark.parametrize(("where", "column"), ISSUE_NAMES.items(), ids=[f"{t}:{n}" for t, n in ISSUE_NAMES])
def test_every_name_the_issue_lists_is_known(where, column):
    table, name = where
    match = V.match_header(name, table)
    if column is None:
        assert V.known_unused(name), name
        assert match is None, (name, match)
    else:
        assert match is not None and match.how == "exact" and match.column == column, (name, match)


def test_contract_names_and_swedish_display_headers_are_in_the_vocabulary():
    for table, spec in TABLES.items():
        for col in spec.columns:
            for name in (col.name, col.swedish, col.swedish_display):
                match = V.match_header(name, table)
                assert match is not None and match.column == col.name and match.how == "exact", (table, name)


def test_no_name_stands_for_two_columns_of_one_table():
    for table, spec in TABLES.items():
        seen: dict[str, str] = {}
        for col in spec.columns:
            for name in V.column_names(table, col.name):
                assert seen.setdefault(fold(name), col.name) == col.name, (table, name)


def test_folded_and_fuzzy_matches_say_so():
    folded = V.match_header("  ANNONS id ", "vacancies")
    assert (folded.column, folded.how) == ("vacancy_id", "folded")
    fuzzy = V.match_header("Publiseringsdatum", "vacancies")  # a letter wrong
    assert (fuzzy.column, fuzzy.how) == ("published_date", "fuzzy")
    assert V.FUZZY_THRESHOLD <= fuzzy.score < 1
    assert V.match_header("Intern kod", "vacancies") is None
    assert V.match_header("Startdatum", "vacancies").column == "start_date"  # a synonym, not fuzzy
    assert V.match_header("Slutdatum", "pilot_rollout").column == "end_date"


def test_names_that_must_never_be_exported_are_refused_by_the_privacy_guard():
    for name in V.NEVER_EXPORT:
        assert scan_header(name) is not None, name
        assert all(V.match_header(name, table) is None for table in TABLES), name


@pytest.mark.parametrize(
    ("value", "column", "target"),
    [
        ("Anställd", "final_status", "hired"),
        ("Hired", "final_status", "hired"),
        ("Avböjt", "final_status", "rejected"),
        ("Rejected", "final_status", "rejected"),
        ("Ej aktuell", "final_status", "rejected"),
        ("Withdrawn", "final_status", "withdrawn"),
        ("Återtagen", "final_status", "withdrawn"),
        ("Tackat nej", "final_status", "declined_offer"),
        ("pagaende", "final_status", "in_progress"),
        ("Intervju", "highest_stage", 2),
        ("Interview 1", "highest_stage", 2),
        ("Offer", "highest_stage", 5),
        ("Tillträtt", "highest_stage", 7),
        ("3", "highest_stage", 3),
        ("Ja", "internal", True),
        ("false", "internal", False),
        ("Kvinna", "gender", "woman"),
        ("55+", "age_band", "55plus"),
    ],
)
def test_value_synonyms(value, column, target):
    match = V.match_value(value, "applications", column)
    assert match is not None and match.target == target and match.how != "fuzzy", match


def test_values_fold_and_fuzz_and_unknown_values_match_nothing():
    assert V.match_value("ANSTÄLLD", "applications", "final_status").how == "folded"
    fuzzy = V.match_value("Anstäld", "applications", "final_status")  # a letter missing
    assert (fuzzy.target, fuzzy.how) == ("hired", "fuzzy")
    assert V.match_value("Parked", "applications", "final_status") is None
    assert V.match_value("Saved", "applications", "final_status") is None
    assert V.match_value("Tillsvidareanställning", "vacancies", "employment_type").target == "permanent"
    assert V.match_value("Avbruten", "background_checks", "status").target == "cancelled_other"


def test_file_names():
    assert V.table_for_file("job-applications") == "applications"
    assert V.table_for_file("Application Extract 2025") == "applications"
    assert V.table_for_file("platsannonser") == "vacancies"
    assert V.table_for_file("Ansökningar") == "applications"
    assert V.table_for_file("stages") is None


def test_date_formats():
    assert detect_date_format(["2025-01-02", "2025-02-03T10:15:00+01:00"]) == (None, "")
    assert detect_date_format(["2025-01-02T10:15:00"])[0] is None
    assert "timezone" in detect_date_format(["2025-01-02T10:15:00"])[1]
    assert detect_date_format(["02.01.2025", "31.12.2024"])[0] == "%d.%m.%Y"
    assert detect_date_format(["2025-01-02 10:15:00"])[0] == "%Y-%m-%d %H:%M:%S"
    fmt, note = detect_date_format(["02/01/2025", "03/04/2025"])
    assert fmt == "%d/%m/%Y" and "day and month" in note
    assert detect_date_format(["12/31/2024"])[0] == "%m/%d/%Y"
    assert detect_date_format(["2025-01"], month=True)[0] == "%Y-%m"
    assert detect_date_format(["nästa vecka"])[0].startswith("TODO")


# --------------------------------------------------------------------------- drafts


def _write(path, rows, sep=";", encoding="utf-8", title=None):
    lines = ([title] if title else []) + [sep.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


APPS = [
    ["Ansöknings-ID", "Annons-ID", "Ansökningsdatum", "Intern", "Behörig", "Steg", "Ansökningsstatus", "Okänd kolumn"],
    ["A001", "V01", "03.02.2025", "Nej", "Ja", "Intervju", "Anställd", "x"],
    ["A002", "V01", "04.02.2025", "Ja", "Nej", "Inkommen", "Ej aktuell", "y"],
    ["A003", "V02", "05.02.2025", "NULL", "Ja", "Erbjudande", "Parked", "z"],
]


def test_a_draft_decides_layout_dates_values_and_lists_todos(tmp_path):
    _write(tmp_path / "Ansökningar 2025.csv", APPS, encoding="cp1252", title="Rapport: ansökningar;;")
    result = suggest_mapping(tmp_path)
    source = next(iter(result.sources.values()))
    assert (source.table, source.encoding, source.delimiter, source.header_row) == ("applications", "cp1252", ";", 2)
    assert source.null_values == ["", "NULL"]
    cols = result.tables["applications"]
    assert cols["submitted_date"].source_column == "Ansökningsdatum" and cols["submitted_date"].format == "%d.%m.%Y"
    assert cols["highest_stage"].values == {"Erbjudande": 5, "Inkommen": 0, "Intervju": 2}
    assert cols["internal"].values == {"Ja": True, "Nej": False}
    assert cols["final_status"].values["Anställd"] == "hired"
    assert cols["final_status"].values["Parked"].startswith("TODO: which final_status?")
    paths = dict(result.todos)
    # a value without a contract value, and the column that maps to nothing: nothing else
    assert sorted(paths) == [
        f"sources.{source.name}.ignore_columns[0]",
        "tables.applications.columns.final_status.values.Parked",
    ]
    assert "'Okänd kolumn'" in paths[f"sources.{source.name}.ignore_columns[0]"]
    # the draft is YAML, its TODOs are scalars starting with TODO, and the optional columns left out
    draft = yaml.safe_load(result.text)
    assert draft["mapping_version"] == 1
    assert draft["tables"]["applications"]["columns"]["submitted_date"] == {
        "from": "Ansökningsdatum",
        "format": "%d.%m.%Y",
    }
    assert "gender" not in draft["tables"]["applications"]["columns"]
    todos = [t for t in _scalars(draft) if isinstance(t, str) and t.startswith("TODO")]
    assert sorted(todos) == sorted(text for _, text in result.todos)


def _scalars(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scalars(value)
    else:
        yield node


def test_an_unknown_column_yields_a_todo_naming_it(tmp_path):
    """Must show: an export with an unknown column yields a TODO naming it."""
    rows = [[*r[:7], v] for r, v in zip(APPS, ["Favoritfärg", "blå", "röd", "grön"], strict=True)]
    _write(tmp_path / "applications_export.csv", rows)
    result = suggest_mapping(tmp_path)
    named = [(path, text) for path, text in result.todos if "'Favoritfärg'" in text]
    assert len(named) == 1
    path, text = named[0]
    assert path.startswith("sources.") and ".ignore_columns[" in path
    draft = yaml.safe_load(result.text)
    source = draft["tables"]["applications"]["source"]
    assert text in draft["sources"][source]["ignore_columns"]


def test_known_unused_columns_are_left_out_without_a_todo(tmp_path):
    adverts = [
        {
            "PLATSNUMMER": "0012",
            "PLATSRUBRIK": "Förskollärare till Ekbacken",
            "FORSTA_PUBLICERINGSDATUM": "2025-03-01T08:00:00+01:00",
            "SISTA_ANSOK_PUBLDATUM": "2025-03-31",
            "ANTAL_AKT_PLATSER": "2",
            "YRKE_ID": None,
        },
        {
            "PLATSNUMMER": "0013",
            "PLATSRUBRIK": "Socialsekreterare",
            "FORSTA_PUBLICERINGSDATUM": "2025-03-02T08:00:00+01:00",
            "SISTA_ANSOK_PUBLDATUM": "2025-04-01",
            "ANTAL_AKT_PLATSER": "1",
            "YRKE_ID": "1234",
        },
    ]
    (tmp_path / "platsannonser.jsonl").write_text("\n".join(json.dumps(a) for a in adverts) + "\n", encoding="utf-8")
    result = suggest_mapping(tmp_path)
    source = next(iter(result.sources.values()))
    assert source.table == "vacancies" and source.format == "jsonl"
    assert [entry for entry, _ in source.ignored] == ["PLATSRUBRIK", "YRKE_ID"]
    cols = result.tables["vacancies"]
    assert cols["vacancy_id"].source_column == "PLATSNUMMER"
    assert cols["published_date"].format is None and cols["closing_date"].format is None
    assert not any("PLATSRUBRIK" in text for _, text in result.todos)
    assert "tables.vacancies.columns.administration" in dict(result.todos)
    draft = yaml.safe_load(result.text)
    assert draft["tables"]["vacancies"]["columns"]["vacancy_id"] == "PLATSNUMMER"  # a string, zeros kept


def test_too_many_distinct_values_is_not_an_enum(tmp_path):
    rows = [["Ansöknings-ID", "Annons-ID", "Slutstatus"]] + [
        [f"A{i}", "V1", f"status {i}"] for i in range(ENUM_CAP + 1)
    ]
    _write(tmp_path / "ansokningar_x.csv", rows)
    result = suggest_mapping(tmp_path)
    text = dict(result.todos)["tables.applications.columns.final_status"]
    assert f"{ENUM_CAP + 1} distinct values" in text


def test_a_file_with_a_personnummer_is_refused_without_quoting_it(tmp_path):
    rows = [r[:7] + [c] for r, c in zip(APPS, ["Referens", "19121212-1212", "x", "y"], strict=True)]
    _write(tmp_path / "ansokningar_x.csv", rows)
    with pytest.raises(IngestError) as err:
        suggest_mapping(tmp_path)
    message = str(err.value)
    assert "19121212" not in message and "121212" not in message
    assert err.value.file == "ansokningar_x.csv" and err.value.column == "Referens" and err.value.row == 2
    out = tmp_path / "draft.yaml"
    assert main(["map", "suggest", "--raw", str(tmp_path), "--out", str(out)]) == 2
    assert not out.exists()


def test_a_header_that_names_an_identifier_is_refused(tmp_path):
    rows = [r[:7] + [c] for r, c in zip(APPS, ["E-post", "a", "b", "c"], strict=True)]
    _write(tmp_path / "ansokningar_x.csv", rows)
    with pytest.raises(IngestError, match="E-post"):
        suggest_mapping(tmp_path)


def test_cli_writes_the_draft_and_refuses_to_overwrite(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / "ansokningar_x.csv", APPS)
    out = tmp_path / "draft.yaml"
    assert main(["map", "suggest", "--raw", str(raw), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "columns matched" in printed and "TODO tables.applications.columns.final_status.values.Parked" in printed
    assert f"draft written to {out}" in printed
    first = out.read_text(encoding="utf-8")
    out.write_text("edited", encoding="utf-8")
    assert main(["map", "suggest", "--raw", str(raw), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "edited"
    assert main(["map", "suggest", "--raw", str(raw), "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == first


# --------------------------------------------------------------------------- round trip

# Every contract column under a synonym (never the contract's English or Swedish name),
# file names that are not contract names.
SYNONYMS = {
    "vacancies": (
        "Annonser",
        {
            "vacancy_id": "Annons-ID",
            "administration": "Förvaltningsnamn",
            "role_group": "Befattning",
            "ssyk_code": "SSYK-kod",
            "employment_type": "Anställningstyp",
            "positions": "Antal platser",
            "is_manager": "Chefstjänst",
            "statutory_check": "Krav på registerutdrag",
            "published_date": "Publiceringsdatum",
            "closing_date": "Sista ansökningsdatum",
            "first_offer_date": "Första erbjudande",
            "accepted_date": "Datum accepterat",
            "start_date": "Tillträdesdag",
            "closed_date": "Avslutsdatum",
            "status": "Annonsstatus",
            "readvertisement_of": "Ursprunglig annons",
            "check_in_ad": "Registerutdrag i annons",
        },
    ),
    "applications": (
        "Sökande",
        {
            "application_id": "Ansökningsnummer",
            "vacancy_id": "Annons-ID",
            "submitted_date": "Ansökningsdatum",
            "internal": "Internsökande",
            "qualified": "Behörighet",
            "highest_stage": "Nått steg",
            "final_status": "Ansökningsstatus",
            "withdrawn_date": "Datum återkallad",
            "withdrawn_stage": "Steg vid återkallande",
            "withdrawal_reason": "Orsak återkallad",
            "offer_date": "Erbjudandedatum",
            "gender": "Juridiskt kön",
            "age_band": "Åldersintervall",
        },
    ),
    "background_checks": (
        "Registerutdrag",
        {
            "check_id": "Utdrag-ID",
            "application_id": "Ansökningsid",
            "check_type": "Typ av utdrag",
            "requested_date": "Beställningsdatum",
            "completed_date": "Klart datum",
            "status": "Kontrollstatus",
            "outcome": "Resultat",
        },
    ),
    "pilot_rollout": (
        "Införande",
        {
            "administration": "Nämnd",
            "role_group": "Yrke",
            "scope": "Målgrupp",
            "check_type": "Typ av kontroll",
            "start_date": "Gäller från",
            "end_date": "Gäller till",
        },
    ),
    "staffing_monthly": (
        "Bemanning",
        {
            "administration": "Förvaltningsnamn",
            "role_group": "Yrkeskategori",
            "month": "Period",
            "headcount_permanent": "Tillsvidareanställda",
            "headcount_temporary": "Visstidsanställda",
            "fte": "Heltidsekvivalenter",
            "voluntary_leavers": "Egna uppsägningar",
            "new_hires": "Antal nyanställda",
            "share_qualified": "Behörighetsgrad",
            "hourly_hours": "Timavlönade timmar",
            "vacant_posts": "Obesatta tjänster",
        },
    ),
}


@pytest.fixture(scope="module")
def synonym_export(tmp_path_factory):
    """The demo written as a Swedish HR system would (Windows-1252, ';', decimal commas,
    Swedish display labels, Ja/Nej), then every header renamed to a synonym, the files
    renamed, and published dates written dd.mm.yyyy."""
    base = tmp_path_factory.mktemp("synonyms")
    export = generate(seed=5, scale=0.05, start="2024-01-01", end="2025-06-30", cut_date=CUT)
    write_export(export, base / "direct")
    write_export(export, base / "swedish", swedish=True)
    (base / "raw").mkdir()
    for table, (stem, names) in SYNONYMS.items():
        spec = TABLES[table]
        frame = pd.read_csv(
            base / "swedish" / f"{spec.swedish}.csv", sep=";", dtype=str, keep_default_na=False, encoding="cp1252"
        )
        assert list(frame.columns) == [c.swedish_display for c in spec.columns]
        frame.columns = [names[c.name] for c in spec.columns]
        for col in spec.columns:
            assert fold(names[col.name]) not in {fold(h) for h in col.headers}, names[col.name]
        if table == "vacancies":
            frame["Publiceringsdatum"] = [
                dt.date.fromisoformat(d).strftime("%d.%m.%Y") for d in frame["Publiceringsdatum"]
            ]
        frame.to_csv(base / "raw" / f"{stem}.csv", sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return base, export


def test_a_synonym_export_drafts_a_complete_mapping(synonym_export):
    base, _ = synonym_export
    result = suggest_mapping(base / "raw")
    assert result.todos == []
    assert result.direct == {}
    for table, (stem, names) in SYNONYMS.items():
        decisions = result.tables[table]
        for column, header in names.items():
            assert decisions[column].source_column == header, (table, column)
            assert decisions[column].how == "exact", (table, column)
        source = next(s for s in result.sources.values() if s.table == table)
        assert (source.file, source.encoding, source.delimiter) == (f"{stem}.csv", "cp1252", ";")
    assert result.tables["vacancies"]["published_date"].format == "%d.%m.%Y"
    assert next(s for s in result.sources.values() if s.table == "staffing_monthly").decimal == ","
    assert result.tables["vacancies"]["role_group"].values["Barnskötare"] == "childminder"
    assert result.tables["vacancies"]["status"].values["Ej tillsatt"] == "unfilled"
    assert result.matched == sum(len(names) for _, names in SYNONYMS.values())


def _apply_decisions(result, raw, out):
    """The draft's decisions applied by hand, as contract files: a check of the decisions
    that needs no mapping engine."""
    out.mkdir()
    for table, decisions in result.tables.items():
        source = next(s for s in result.sources.values() if s.table == table)
        frame = pd.read_csv(
            raw / source.file, sep=source.delimiter, dtype=str, keep_default_na=False, encoding=source.encoding
        )
        contract = pd.DataFrame(index=frame.index)
        for column, d in decisions.items():
            if d.source_column is None:
                continue
            values = frame[d.source_column].where(~frame[d.source_column].isin(source.null_values), "")
            if d.values is not None:
                lookup = {fold(k): v for k, v in d.values.items()}
                mapped = values.map(lambda v, lookup=lookup: lookup.get(fold(v), v) if v else "")
                values = mapped.map(lambda v: str(v).lower() if isinstance(v, bool) else str(v))
            if d.format:
                values = values.map(lambda v, f=d.format: dt.datetime.strptime(v, f).date().isoformat() if v else "")
            if TABLES[table].column(column).kind in ("int", "float") and source.decimal == ",":
                values = values.str.replace(",", ".", regex=False)
            contract[column] = values
        contract.to_csv(out / f"{table}.csv", index=False)


def _processed_equal(a, b):
    left, right = load_processed(a), load_processed(b)
    assert sorted(left) == sorted(right)
    for table in left:
        pd.testing.assert_frame_equal(left[table], right[table], check_like=False, obj=table)


@pytest.mark.slow
def test_round_trip_the_drafts_decisions_give_the_original_tables(synonym_export, tmp_path):
    base, _ = synonym_export
    result = suggest_mapping(base / "raw")
    _apply_decisions(result, base / "raw", tmp_path / "applied")
    a = ingest(base / "direct", tmp_path / "a", cut_date=CUT, data_docs=False)
    b = ingest(tmp_path / "applied", tmp_path / "b", cut_date=CUT, data_docs=False)
    assert a.exit_code == b.exit_code == 0
    _processed_equal(tmp_path / "a", tmp_path / "b")


@pytest.mark.slow
def test_round_trip_a_synonym_export_ingests_unedited_to_the_same_tables(synonym_export, tmp_path):
    """Must show: an export whose headers are all synonyms suggests a mapping that ingests
    to the same processed tables as the original export."""
    base, _ = synonym_export
    draft = tmp_path / "draft.yaml"
    assert main(["map", "suggest", "--raw", str(base / "raw"), "--out", str(draft)]) == 0
    a = ingest(base / "direct", tmp_path / "a", cut_date=CUT, data_docs=False)
    b = ingest(base / "raw", tmp_path / "b", cut_date=CUT, data_docs=False, mapping=draft)
    assert a.exit_code == b.exit_code == 0
    assert all(info["rows_quarantined"] == 0 for info in b.report["tables"].values())
    _processed_equal(tmp_path / "a", tmp_path / "b")


# --------------------------------------------------------------------------- profiles

PROFILE = """\
mapping_version: 1
name: mini
sources:
  applications:
    file: "job-applications*.csv"
  stages:
    file: "stages.csv"
tables:
  applications:
    source: applications
    join:
      - source: stages
        on: {"relationships.stage.data.id": "id"}
    columns:
      application_id: id
      vacancy_id: relationships.job.data.id
      submitted_date: {from: created-at}
      internal: {from: sourced, values: {"true": false, "false": true}}
      final_status:
        from: stages.name
        values: {Hired: hired, Rejected: rejected}
        unknown: quarantine
"""


def test_a_profile_is_checked_against_the_export(tmp_path):
    profile = tmp_path / "mini.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(
        raw / "job-applications-2025.csv",
        [
            ["id", "relationships.stage.data.id", "created-at", "sourced", "Kanal"],
            ["1", "s1", "2025-01-02T10:00:00+01:00", "false", "web"],
            ["2", "s2", "2025-01-03T10:00:00+01:00", "true", "web"],
        ],
        sep=",",
    )
    _write(raw / "stages.csv", [["id", "stage-title"], ["s1", "Hired"], ["s2", "Parked"]], sep=",")
    result = suggest_mapping(raw, profile=profile)
    todos = dict(result.todos)
    # a column the profile reads and the export lacks
    assert "'relationships.job.data.id'" in todos["tables.applications.columns.vacancy_id"]
    assert "'name' of stages" in todos["tables.applications.columns.final_status"]
    # an extra column, named
    assert any("'Kanal'" in text for path, text in todos.items() if path.startswith("sources.applications"))
    assert any("'stage-title'" in text for path, text in todos.items() if path.startswith("sources.stages"))
    draft = yaml.safe_load(result.text)
    assert draft["tables"]["applications"]["columns"]["application_id"] == "id"  # present: unchanged
    assert draft["tables"]["applications"]["columns"]["internal"]["values"] == {"true": False, "false": True}
    assert sorted(t for t in _scalars(draft) if isinstance(t, str) and t.startswith("TODO")) == sorted(todos.values())


def test_a_profile_learns_of_values_it_does_not_list(tmp_path):
    profile = tmp_path / "mini.yaml"
    profile.write_text(PROFILE.replace("from: stages.name", "from: status"), encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(
        raw / "job-applications.csv",
        [
            ["id", "relationships.job.data.id", "relationships.stage.data.id", "created-at", "sourced", "status"],
            ["1", "j1", "s1", "2025-01-02", "false", "Hired"],
            ["2", "j1", "s1", "2025-01-02", "false", "hired"],
            ["3", "j1", "s1", "2025-01-02", "false", "Parked"],
        ],
        sep=",",
    )
    _write(raw / "stages.csv", [["id"], ["s1"]], sep=",")
    result = suggest_mapping(raw, profile=profile)
    assert [path for path, _ in result.todos] == ["tables.applications.columns.final_status.values.Parked"]


def test_an_unknown_profile_is_refused(tmp_path):
    with pytest.raises(IngestError, match="no such profile"):
        suggest_mapping(tmp_path, profile="no-such-system")


def test_an_excel_extract_below_title_rows(tmp_path):
    """EasyCruit's Application Extract layout: a sheet with title rows above the header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Application Extract"
    ws.append(["Application Extract"])
    ws.append(["Period: 2025"])
    ws.append(["Candidate ID", "Vacancy ID", "Department Name", "Application Status", "Application Updated"])
    rows = [
        ("C1", "0042", "Socialförvaltningen", "Interview 1", dt.datetime(2025, 2, 1, 10, 30)),
        ("C2", "0042", "Socialförvaltningen", "Rejected", dt.datetime(2025, 2, 2, 9, 0)),
        ("C3", "0043", "Utbildningsförvaltningen", "Saved", dt.datetime(2025, 2, 3, 9, 0)),
        ("C4", "0043", "Utbildningsförvaltningen", "Transferred", dt.datetime(2025, 2, 4, 9, 0)),
    ]
    for row in rows:
        ws.append(row)
    wb.create_sheet("Hidden").sheet_state = "hidden"
    wb.save(tmp_path / "Application Extract 2025.xlsx")
    result = suggest_mapping(tmp_path)
    source = next(iter(result.sources.values()))
    assert (source.table, source.sheet, source.header_row, source.format) == (
        "applications",
        "Application Extract",
        3,
        "xlsx",
    )
    entries = [entry for entry, _ in source.ignored]
    assert entries[0] == "Candidate ID" and entries[2] == "Application Updated"  # known, not needed
    assert entries[1].startswith("TODO: column 'Department Name' is not mapped (it names vacancies.administration")
    status = result.tables["applications"]["final_status"]
    assert status.source_column == "Application Status" and "EasyCruit" in status.note
    assert status.values["Rejected"] == "rejected"
    assert status.values["Interview 1"] == "in_progress" and "fuzzy" in status.value_notes["Interview 1"]
    assert status.values["Saved"].startswith("TODO") and status.values["Transferred"].startswith("TODO")
    assert result.tables["applications"]["vacancy_id"].source_column == "Vacancy ID"
    todos = dict(result.todos)
    assert "tables.applications.columns.application_id" in todos  # EasyCruit's extract has none
    assert "Hidden" not in result.text


def test_yearly_extracts_with_one_header_are_stacked_by_a_file_pattern(tmp_path):
    header = ["Ansöknings-ID", "Annons-ID", "Ansökningsdatum"]
    _write(tmp_path / "ansokningar_2024.csv", [header, ["A1", "V1", "2024-05-01"]])
    _write(tmp_path / "ansokningar_2025.csv", [header, ["A2", "V1", "2025-02-01"]])
    _write(tmp_path / "ansokningar_gammal.csv", [[*header, "Extra"], ["A0", "V0", "2020-01-01", "x"]])
    result = suggest_mapping(tmp_path)
    source = result.sources["applications"]
    assert source.file == "ansokningar_202*.csv" and source.rows == 2
    assert ("ansokningar_gammal.csv", "also looks like applications; the draft uses ansokningar_2024.csv") in (
        result.unused
    )
