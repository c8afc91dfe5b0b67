"""The shipped profiles (issue 19, item 4): the demo written in Teamtailor's, EasyCruit's
and Platsbanken's own layout (pilot_eval.demo_layouts) ingests through
``mappings/<layout>.yaml`` to the same processed tables as the direct ingest of the same
demo, every source row accounted for, one application per source application however
many history rows, and identifiers with leading zeros kept.

Every contract column is carried by each layout (where the source has no such field the
layout gives it a column of this project's assumption, named so in demo_layouts and in
the profile's comments), so the whole tables are compared."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pandas as pd
import pytest

from pilot_eval.contract import TABLES
from pilot_eval.demo import generate, write_export
from pilot_eval.demo_layouts import LAYOUTS, TEAMTAILOR_ENDS, layout_export, write_layout
from pilot_eval.ingest import ingest, load_processed
from pilot_eval.mapping import load_mapping
from pilot_eval.paths import MAPPINGS_DIR

CUT = "2026-02-28"
ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


@pytest.fixture(scope="module")
def export():
    return generate(seed=7, scale=0.05, start="2024-01-01", cut_date=CUT)


def _csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- the layouts


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_layout_is_written_the_same_byte_for_byte(export, tmp_path, layout):
    first = write_layout(export, tmp_path / "a", layout)
    second = write_layout(export, tmp_path / "b", layout)
    assert [p.name for p in first] == [p.name for p in second]
    assert first[-1].name == "truth.json"
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_an_unknown_layout_is_refused(export, tmp_path):
    with pytest.raises(ValueError, match="teamtailor, easycruit, platsbanken"):
        write_layout(export, tmp_path, "varbi")


def test_teamtailor_files_look_like_flattened_api_output(export, tmp_path):
    write_layout(export, tmp_path, "teamtailor")
    apps = _csv(tmp_path / "job-applications.csv")
    header = list(apps[0])
    for name in (
        "id",
        "created-at",
        "changed-stage-at",
        "updated-at",
        "sourced",
        "relationships.job.data.id",
        "relationships.stage.data.id",
        "relationships.reject-reason.data.id",
    ):
        assert name in header, name
    assert all(ISO_OFFSET.fullmatch(r["created-at"]) for r in apps)
    assert {r["created-at"][-6:] for r in apps} == {"+01:00", "+02:00"}  # winter and summer time
    assert all(r["id"].startswith("0") and len(r["id"]) == 11 for r in apps)
    assert list(_csv(tmp_path / "stages.csv")[0]) == ["id", "name", "row-order"]
    assert list(_csv(tmp_path / "jobs.csv")[0])[:6] == [
        "id",
        "title",
        "status",
        "human-status",
        "created-at",
        "internal",
    ]
    offers = _csv(tmp_path / "job-offers.csv")
    assert {"status", "response", "sent-at", "answered-at"} <= set(offers[0])
    # the stage history: Inbox, each stage up to the highest, and an end event unless hired or in progress
    changes = _csv(tmp_path / "stage-changes.csv")
    app = export.tables["applications"]
    ends = app["final_status"].isin(list(TEAMTAILOR_ENDS)).sum()
    assert len(changes) == len(app) + int(app["highest_stage"].sum()) + int(ends)
    assert {c.name for c in tmp_path.iterdir()} >= {
        "background_checks.csv",
        "pilot_rollout.csv",
        "staffing_monthly.csv",
    }
    assert not (tmp_path / "applications.csv").exists() and not (tmp_path / "vacancies.csv").exists()


def test_teamtailor_history_times_rise_within_an_application(export, tmp_path):
    write_layout(export, tmp_path, "teamtailor")
    changes = pd.read_csv(tmp_path / "stage-changes.csv", dtype=str)
    at = pd.to_datetime(changes["created-at"], utc=True)
    key = changes["relationships.job-application.data.id"]
    assert (at.groupby(key).diff().dropna() > pd.Timedelta(0)).all()


def test_easycruit_writes_one_extract_per_year(export, tmp_path):
    written = write_layout(export, tmp_path, "easycruit")
    years = sorted(export.tables["applications"]["submitted_date"].dt.year.unique())
    extracts = [p.name for p in written if p.name.startswith("Application Extract")]
    assert extracts == [f"Application Extract {y}.xlsx" for y in years]
    sheet = pd.read_excel(tmp_path / extracts[0], sheet_name=None, dtype=str)
    assert list(sheet) == ["Application Extract"]
    columns = list(sheet["Application Extract"].columns)
    for name in (
        "Candidate ID",
        "Vacancy ID",
        "Vacancy Reference Number",
        "Vacancy Title",
        "Department ID",
        "Department Name",
        "Application Status",
        "Application Updated",
    ):
        assert name in columns, name
    statuses = set(pd.concat(pd.read_excel(tmp_path / e, dtype=str)["Application Status"] for e in extracts))
    assert {"Saved", "Interview 1", "Rejected"} <= statuses
    assert (tmp_path / "Vacancy Extract.xlsx").exists()


def test_platsbanken_fields_are_nullable_strings(export, tmp_path):
    written = write_layout(export, tmp_path, "platsbanken")
    ads = [json.loads(line) for p in written if p.suffix == ".jsonl" for line in p.read_text("utf-8").splitlines()]
    assert len(ads) == len(export.tables["vacancies"])
    fields = [
        "PLATSNUMMER",
        "PLATSRUBRIK",
        "AG_NAMN",
        "KOMMUN_KOD",
        "FORSTA_PUBLICERINGSDATUM",
        "SISTA_ANSOK_PUBLDATUM",
        "ANTAL_AKT_PLATSER",
        "YRKE_ID",
    ]
    assert all(list(ad) == fields for ad in ads)
    assert all(v is None or isinstance(v, str) for ad in ads for v in ad.values())
    assert all(ad["PLATSNUMMER"].startswith("0") for ad in ads) and {ad["KOMMUN_KOD"] for ad in ads} == {"0127"}
    hr = (tmp_path / "hr-annonser.csv").read_bytes().decode("cp1252")
    assert hr.startswith("Platsnummer;Förvaltning;")
    assert (tmp_path / "applications.csv").exists() and not (tmp_path / "vacancies.csv").exists()


def test_layout_export_renumbers_references_consistently(export):
    shaped = layout_export(export, "teamtailor")
    vac, app = shaped.tables["vacancies"], shaped.tables["applications"]
    assert app["vacancy_id"].isin(vac["vacancy_id"]).all()
    readv = vac["readvertisement_of"].dropna()
    assert len(readv) and readv.isin(vac["vacancy_id"]).all()
    assert shaped.tables["background_checks"]["application_id"].isin(app["application_id"]).all()
    assert export.tables["vacancies"]["vacancy_id"].iloc[0] != vac["vacancy_id"].iloc[0]  # the original is untouched


# --------------------------------------------------------------------------- the profiles


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_profile_is_decided_and_maps_every_enum_with_an_unknown_policy(layout):
    mapping = load_mapping(layout)
    assert mapping.path == MAPPINGS_DIR / f"{layout}.yaml"
    assert mapping.todos == []
    for table, spec in mapping.data["tables"].items():
        for column, cspec in spec["columns"].items():
            kind = TABLES[table].column(column).kind
            if kind in ("enum", "bool", "stage") and isinstance(cspec, dict) and "from" in cspec:
                assert cspec.get("values") and cspec.get("unknown"), (layout, table, column)


def test_every_shipped_profile_has_a_layout_and_every_layout_a_profile():
    """One list of names (paths.PROFILES) serves the CLI, the benchmark and the layouts:
    it must name exactly the mapping files shipped in mappings/."""
    assert sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml")) == sorted(LAYOUTS)


def test_demo_data_cli_writes_a_layout(tmp_path, capsys):
    from pilot_eval.cli import main

    code = main(
        ["demo-data", "--layout", "platsbanken", "--scale", "0.02", "--start", "2025-06-01", "--out", str(tmp_path)]
    )
    assert code == 0
    assert "--mapping platsbanken" in capsys.readouterr().out
    assert (tmp_path / "hr-annonser.csv").exists()
    assert main(["demo-data", "--layout", "teamtailor", "--excel", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- mapped = direct


@pytest.fixture(scope="module")
def ingested(export, tmp_path_factory):
    """Per layout: the direct ingest of the demo (with the layout's identifiers) and the
    ingest of the layout's own files through its profile."""
    done = {}

    def run(layout):
        if layout not in done:
            base = tmp_path_factory.mktemp(layout)
            write_export(layout_export(export, layout), base / "direct")
            write_layout(export, base / "own", layout)
            direct = ingest(base / "direct", base / "out-direct", cut_date=CUT, data_docs=False)
            mapped = ingest(base / "own", base / "out-mapped", cut_date=CUT, data_docs=False, mapping=layout)
            done[layout] = (base, direct, mapped)
        return done[layout]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_profile_ingests_its_layout_to_the_same_processed_tables(ingested, layout):
    base, direct, mapped = ingested(layout)
    assert direct.exit_code == mapped.exit_code == 0
    for table, info in mapped.report["tables"].items():
        assert info["rows_quarantined"] == 0, (layout, table, info["reasons"])
    left, right = load_processed(base / "out-direct"), load_processed(base / "out-mapped")
    assert set(left) == set(right) == set(TABLES)
    for table in TABLES:
        pd.testing.assert_frame_equal(right[table], left[table], obj=f"{layout}: {table}")
    assert mapped.report["notices"] == ["ignored truth.json"]  # every other column is used or ignored on purpose


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_source_row_is_accounted_for(ingested, layout):
    _, _, mapped = ingested(layout)
    sources = mapped.report["mapping"]["sources"]
    assert sources
    for name, info in sources.items():
        parts = info["contract_rows"] + info["folded"] + info["lookup"] + info["quarantined"]
        assert info["rows"] == parts, (layout, name, info)
        assert info["rows"] > 0


@pytest.mark.slow
def test_one_application_per_source_application_however_many_history_rows(ingested, export):
    base, _, mapped = ingested("teamtailor")
    sources = mapped.report["mapping"]["sources"]
    source_apps = len(_csv(base / "own" / "job-applications.csv"))
    history = sources["stage_changes"]
    assert history["role"] == "history" and history["rows"] > 2 * source_apps
    assert history["folded"] == history["rows"] and history["quarantined"] == 0
    assert sources["applications"]["contract_rows"] == source_apps
    processed = load_processed(base / "out-mapped")["applications"]
    assert len(processed) == source_apps == len(export.tables["applications"])
    assert processed["application_id"].is_unique


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "column", "source_file"),
    [
        ("teamtailor", "application_id", "job-applications.csv"),
        ("easycruit", "vacancy_id", "Vacancy Extract.xlsx"),
        ("platsbanken", "vacancy_id", None),
    ],
)
def test_identifiers_keep_their_leading_zeros(ingested, layout, column, source_file):
    base, _, _ = ingested(layout)
    table = "applications" if column == "application_id" else "vacancies"
    ids = load_processed(base / "out-mapped")[table][column].astype(str)
    assert ids.str.startswith("0").all() and ids.str.fullmatch(r"\d+").all()
    if layout == "teamtailor":
        assert ids.tolist() == [r["id"] for r in _csv(base / "own" / source_file)]
    if layout == "platsbanken":
        numbers = [json.loads(x)["PLATSNUMMER"] for p in sorted((base / "own").glob("*.jsonl")) for x in p.open()]
        assert sorted(ids) == sorted(numbers)


@pytest.mark.slow
def test_an_unknown_stage_in_the_history_quarantines_its_application_naming_the_mapping(ingested, tmp_path):
    base, _, _ = ingested("teamtailor")
    raw = tmp_path / "raw"
    shutil.copytree(base / "own", raw)
    changes = pd.read_csv(raw / "stage-changes.csv", dtype=str, keep_default_na=False)
    victim = changes["relationships.job-application.data.id"].iloc[0]
    changes.loc[0, "to-stage"] = "Phone screen"
    changes.to_csv(raw / "stage-changes.csv", index=False, lineterminator="\n")
    result = ingest(raw, tmp_path / "out", cut_date=CUT, data_docs=False, mapping="teamtailor")
    reasons = result.report["tables"]["applications"]["reasons"]
    assert result.report["tables"]["applications"]["rows_quarantined"] == 1
    (reason,) = reasons
    assert "'Phone screen' is not in the mapping" in reason and "tables.applications.history, line" in reason
    quarantined = pd.read_csv(tmp_path / "out" / "quarantine" / "applications.csv", dtype=str)
    assert quarantined["application_id"].tolist() == [victim]  # the leading zeros kept there too


@pytest.mark.slow
def test_history_rows_that_name_no_application_are_written_to_the_quarantine_folder(ingested, tmp_path):
    """A stage change whose application is not in the export (deleted in Teamtailor, or
    a typing error in the key) is not lost: counted as quarantined in the report's
    mapping section and written, with its file and line, to quarantine/_source_<name>.csv."""
    base, _, _ = ingested("teamtailor")
    raw = tmp_path / "raw"
    shutil.copytree(base / "own", raw)
    path = raw / "stage-changes.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    n = len(lines)
    path.write_text(
        text + "00099999901,2025-03-01T10:00:00+01:00,Inbox,00099999999\n"
        "00099999902,2025-03-02T10:00:00+01:00,Interview,\n",
        encoding="utf-8",
    )
    result = ingest(raw, tmp_path / "out", cut_date=CUT, data_docs=False, mapping="teamtailor")
    history = result.report["mapping"]["sources"]["stage_changes"]
    assert history["quarantined"] == 2 and history["folded"] == history["rows"] - 2
    assert history["quarantine_file"] == "quarantine/_source_stage_changes.csv"
    rows = pd.read_csv(tmp_path / "out" / history["quarantine_file"], dtype=str, keep_default_na=False)
    assert rows["source_file"].tolist() == ["stage-changes.csv"] * 2
    assert rows["source_line"].tolist() == [str(n + 1), str(n + 2)]
    assert rows["relationships.job-application.data.id"].tolist() == ["00099999999", ""]
    assert all("names no application of job-applications.csv" in r for r in rows["reasons"])
    assert any("2 stage-history rows name no application" in x for x in result.report["notices"])
    assert result.report["tables"]["applications"]["rows_quarantined"] == 0


# --------------------------------------------------------------------------- reviewed headers


def test_a_reviewed_header_passes_the_guard_by_name_only(export, tmp_path):
    """stages.csv's "name" is refused unless the profile reviews it; a reviewed column's
    values are still scanned, and the review is in the row accounting."""
    from pilot_eval.errors import IngestError
    from pilot_eval.mapping import apply_mapping

    raw = tmp_path / "raw"
    write_layout(generate(seed=3, scale=0.01, start="2025-10-01", cut_date=CUT), raw, "teamtailor")
    done = apply_mapping("teamtailor", raw)
    assert done.accounting["sources"]["stages"]["reviewed_headers"] == {
        "name": "the name of a recruitment stage (Inbox, Interview …), not a person's"
    }
    text = (MAPPINGS_DIR / "teamtailor.yaml").read_text(encoding="utf-8")
    unreviewed = tmp_path / "unreviewed.yaml"
    unreviewed.write_text(
        text.replace(
            '      name: "the name of a recruitment stage (Inbox, Interview …), not a person\'s"\n', ""
        ).replace(
            '    reviewed_headers:            # the privacy guard refuses a header called "name" unless reviewed\n', ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(IngestError, match="stages.csv.*named like a direct identifier"):
        apply_mapping(unreviewed, raw)
    stages = (raw / "stages.csv").read_text(encoding="utf-8")
    (raw / "stages.csv").write_text(stages.replace("Screening", "anna.svensson@example.se"), encoding="utf-8")
    with pytest.raises(IngestError, match="stages.csv") as caught:
        apply_mapping("teamtailor", raw)
    assert "anna" not in str(caught.value)  # never quoted


# --------------------------------------------------------------------------- map suggest --profile


def _from_columns(mapping) -> int:
    """The profile's contract columns read from a source column."""
    return sum(
        1
        for spec in mapping.data["tables"].values()
        for cspec in spec["columns"].values()
        if isinstance(cspec, str) or "from" in cspec
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_suggest_with_a_profile_matches_its_own_layout(export, tmp_path, layout):
    """``map suggest --profile X`` on X's own layout: every column the profile reads is
    matched (EasyCruit said "0 columns matched": only a draft from scratch was counted),
    the reviewed headers pass the privacy guard as in ingest (Teamtailor's and
    Platsbanken's were refused) and are carried over, and nothing is left undecided."""
    from pilot_eval.mapping import suggest_mapping

    write_layout(export, tmp_path, layout)
    profile = load_mapping(layout)
    result = suggest_mapping(tmp_path, profile=layout)
    assert result.todos == []
    assert result.matched == _from_columns(profile) > 0
    assert result.summary().startswith(f"{_from_columns(profile)} columns matched, 0 TODOs")
    assert set(result.direct) == set(TABLES) - set(profile.data["tables"])  # the contract files beside it
    draft = tmp_path / "draft.yaml"
    draft.write_text(result.text, encoding="utf-8")
    checked = load_mapping(draft)
    for name, source in profile.data["sources"].items():
        assert checked.data["sources"][name].get("reviewed_headers") == source.get("reviewed_headers"), name
    assert checked.data["tables"] == profile.data["tables"]


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_draft_from_a_profile_passes_map_check_and_ingests_as_the_profile(ingested, tmp_path, layout, capsys):
    from pilot_eval.cli import main

    base, _, _ = ingested(layout)
    draft = tmp_path / "draft.yaml"
    assert main(["map", "suggest", "--raw", str(base / "own"), "--profile", layout, "--out", str(draft)]) == 0
    assert " 0 TODOs" in capsys.readouterr().out
    assert main(["map", "check", str(draft)]) == 0
    result = ingest(base / "own", tmp_path / "out", cut_date=CUT, data_docs=False, mapping=draft)
    assert result.exit_code == 0
    left, right = load_processed(base / "out-mapped"), load_processed(tmp_path / "out")
    for table in TABLES:
        pd.testing.assert_frame_equal(right[table], left[table], obj=f"{layout}: {table}")
