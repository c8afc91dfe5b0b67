"""The equality page's effects by group: the sections helpers (table for print, what is
withheld, the chart, the estimate stage's hook) and the rendered page."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import report_fixtures as fx

from pilot_eval.report import open_period, sections


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"


@pytest.fixture(scope="module")
def ctx(processed):
    return open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)


def test_the_table_for_print_is_in_words_and_percentage_points(ctx):
    result = sections.group_effects(ctx, "gender")
    assert result.details["exploratory"] is True
    assert result.details["min_cell"] == sections.group_effect_floor(ctx) == 10
    table = sections.group_effect_table(ctx, "gender")
    assert list(table.columns) == ["gender", "effect_term", "estimate", "interval", "p_value"]
    head = result.tidy().loc[lambda t: t["headline"]].reset_index(drop=True)
    assert len(table) == len(head) == 3 * 4
    assert np.allclose(table["estimate"], 100 * head["estimate"], equal_nan=True)
    assert set(table["effect_term"]) == {
        "under piloten",
        "under piloten, skillnad mot övriga sökande",
        "efter piloten",
        "efter piloten, skillnad mot övriga sökande",
    }
    woman = table.loc[(table["gender"] == "woman") & (table["effect_term"] == "under piloten")].iloc[0]
    low, high = head.loc[(head["group"] == "woman") & (head["term"] == "during"), ["conf_low", "conf_high"]].iloc[0]
    assert woman["interval"] == f"{100 * low:.1f} till {100 * high:.1f}".replace(".", ",").replace("-", "−")
    # a fifth of Botkyrka: the "other or unknown" gender has too few withdrawals to estimate
    other = table.loc[table["gender"] == "other_unknown"]
    assert other["estimate"].isna().all() and other["interval"].isna().all()
    assert sections.group_effect_withheld(ctx, "gender") == ["Annat eller okänt"]


def test_published_it_shows_labels_and_the_not_available_marker(ctx):
    table = sections.group_effect_table(ctx, "age_band")
    protected = ctx.publish(table, group_columns=["age_band", "effect_term"], totals=None)
    shown = protected.display("sv", decimals={"estimate": 1, "p_value": 2})
    assert list(shown.columns) == ["Åldersgrupp", "Effekt", "Skattning", "95\u00a0% konfidensintervall", "p-värde"]
    assert set(shown["Åldersgrupp"]) <= {"Under 25", "25–34", "35–44", "45–54", "55 och äldre"}
    # rows not estimated (a group may be estimated during the pilot and not after it) show
    # the "not available" marker, and their groups are named for the sentence that says why
    missing = table["estimate"].isna().to_numpy()
    assert (shown.loc[missing, "Skattning"] == "..").all() and (shown.loc[~missing, "Skattning"] != "..").all()
    named = sections.group_effect_withheld(ctx, "age_band")
    assert named == list(dict.fromkeys(shown.loc[missing, "Åldersgrupp"]))
    english = open_period("2025Q4", processed_dir=str(ctx.processed_dir), bootstrap_reps=49, lang="en")
    words = sections.group_effect_table(english, "age_band")["effect_term"]
    assert "during the pilot, difference from other applicants" in set(words)


def test_the_chart_draws_the_groups_the_table_shows(ctx):
    table = sections.group_effect_table(ctx, "gender")
    protected = ctx.publish(table, group_columns=["gender", "effect_term"], totals=None)
    fig = sections.group_effect_plot(ctx, protected, "gender", title="Effekt under piloten per kön")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    shown = table.loc[table["estimate"].notna() & (table["effect_term"] == "under piloten"), "gender"]
    assert len(labels) == len(shown) and "Annat eller okänt" not in labels


def test_the_estimate_stage_s_results_are_used_when_it_has_them(processed, monkeypatch):
    """Once the report's estimate stage keeps ``group_effects[by]``, the page reads them and
    computes nothing."""
    ctx = open_period("2025Q4", processed_dir=str(processed), bootstrap_reps=49)
    stored = sections.compute_group_effects(ctx, "gender")

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(sections, "compute_group_effects", refuse)
    ctx.__dict__.setdefault("_cache", {})["estimates"] = SimpleNamespace(group_effects={"gender": stored})
    assert sections.group_effects(ctx, "gender") is stored


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = fx.once(tmp_path_factory, "full-report", fx.full_report)
    result = json.loads((base / "result.json").read_text(encoding="utf-8"))
    return result, fx.published(base)


@pytest.mark.slow
def test_the_equality_page_renders_the_effects_by_group(report):
    res, folder = report
    status = {n["name"]: n["status"] for n in res["manifest"]["notebooks"]}
    assert status.get("05_equality") == "ok", status
    page = (folder / "05_equality.html").read_text(encoding="utf-8")
    for text in (
        "Pilotens effekt i varje grupp (utforskande)",
        "Skillnaderna mellan grupper är osäkra och ska läsas som ledtrådar, inte som slutsatser.",
        "Pilotens effekt på återtagna efter intervju per kön, procentenheter (utforskande)",
        "Pilotens effekt på återtagna efter intervju per åldersgrupp, procentenheter (utforskande)",
        "under piloten, skillnad mot övriga sökande",
    ):
        assert text in page, text
    # the two rate charts of the page and one forest plot per breakdown
    assert page.count("<img") == 4
    for raw in ("during_minus_rest", "other_unknown", "n_cell_min", "age_band", "effect_term"):
        assert raw not in page, raw


def test_the_result_saves_and_loads_as_the_report_s_plain_files(ctx, tmp_path):
    """What the estimate stage will keep: the result round-trips through the report's store."""
    import pandas as pd

    from pilot_eval.report.store import _Reader, _Writer

    result = sections.group_effects(ctx, "age_band")
    encoded = _Writer(tmp_path).encode(result, "group_effects-age_band")
    back = _Reader(tmp_path).decode(json.loads(json.dumps(encoded)))
    pd.testing.assert_frame_equal(back.tidy(), result.tidy())
    pd.testing.assert_frame_equal(back.details["cells"], result.details["cells"])
    assert back.details["exploratory"] is True and back.details["notes"] == result.details["notes"]
