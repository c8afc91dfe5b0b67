"""Tables as readers see them: show.table shows once and returns nothing, every header is a
label, a column withheld in every row gives way to a sentence, wide tables become long,
long ones are collapsed under a summary, and every cell names its header for a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pilot_eval.disclosure import Thresholds, protect
from pilot_eval.disclosure.layout import LONG_ROWS, UnlabelledError, long_form
from pilot_eval.report import sections, show
from pilot_eval.report.context import Period

ROOT = Path(__file__).resolve().parents[1]


def _ctx(lang: str = "sv", notices: list[str] | None = None) -> Period:
    """A period without data: enough for show and the sections that read the ingest report."""
    day = pd.Timestamp("2025-12-31")
    return Period(
        period="2025Q4",
        first_day=pd.Timestamp("2025-10-01"),
        cut_date=day,
        window=("2021-01-01", "2025-12-31"),
        lang=lang,
        thresholds=Thresholds(),
        processed_dir=Path("."),
        tables={},
        all_tables={},
        ingest_report={"notices": notices or []},
        parameters={},
    )


@pytest.fixture
def shown(monkeypatch):
    """What show displays: (kind, html or markdown, metadata) per output."""
    out = []

    def display(obj, kind, **details):
        out.append((kind, getattr(obj, "data", obj), details))

    monkeypatch.setattr(show, "_display", display)
    return out


def _by_arm(n_rows: int = 2) -> pd.DataFrame:
    arms = ["pilot", "comparison"] * (n_rows // 2)
    quarters = [f"{2020 + i // 8}Q{(i // 2) % 4 + 1}" for i in range(n_rows)]
    return pd.DataFrame({"period": quarters, "arm": arms, "n_vacancies": [120 + i for i in range(n_rows)]})


# --------------------------------------------------------------------------- show.table


def test_show_table_returns_nothing_and_shows_the_table_once(shown):
    ctx = _ctx()
    assert show.table(ctx, _by_arm(), caption=("Rekryteringar", "Vacancies"), totals=None) is None
    assert [k for k, _, _ in shown] == ["table"]
    html = shown[0][1]
    assert html.count("<table") == 1 and "Pilotförvaltningar" in html and "Rekryteringar" in html
    # a table published first is shown as it is and registered once
    published = ctx.publish(_by_arm(), totals=None)
    show.table(ctx, published)
    assert shown[1][2]["entry"] == ctx.ledger.entry_of(published) == "notebook/t1"


@pytest.mark.slow
def test_a_notebook_cell_ending_with_show_table_has_no_value_to_display(tmp_path):
    """In a real kernel: the cell's outputs are the one marked display, no execute_result."""
    import nbformat
    from nbclient import NotebookClient

    code = (
        "import pandas as pd\n"
        "from pathlib import Path\n"
        "from pilot_eval.disclosure import Thresholds\n"
        "from pilot_eval.report import show\n"
        "from pilot_eval.report.context import Period\n"
        "ctx = Period('2025Q4', pd.Timestamp('2025-10-01'), pd.Timestamp('2025-12-31'), ('2021-01-01', '2025-12-31'),"
        " 'sv', Thresholds(), Path('.'), {}, {}, {}, {})\n"
        "show.table(ctx, pd.DataFrame({'arm': ['pilot', 'comparison'], 'n': [12, 30]}), totals=None)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"], outputs
    assert outputs[0].metadata["pilot_eval"]["reader"] == "table"


def test_no_notebook_uses_the_value_of_show_table():
    paths = [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("tests/report_fixtures/*/*.ipynb")]
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"=\s*show\.table\(", text), path.name


def test_a_summary_is_shown_above_a_long_table(shown):
    ctx = _ctx()
    published = ctx.publish(_by_arm(20), totals=None)
    show.table(
        ctx,
        published,
        caption=("Rekryteringar per kvartal", "Vacancies by quarter"),
        summary=published.select(rows=[0, 1]),
        summary_caption=("I korthet", "In brief"),
    )
    (k1, summary, meta), (k2, full, _) = shown
    assert k1 == k2 == "table" and meta["entry"] is None  # a part of the published table, not a new one
    assert "<details" not in summary and summary.count("<tr>") == 3 and "I korthet" in summary
    assert '<details class="pe-details">' in full
    assert "<summary>Rekryteringar per kvartal: visa hela tabellen (20 rader)</summary>" in full
    # a summary made from the table's figures counts as a chart of it (the page runs again
    # when the audit withholds more in it)
    entry = next(e for e in ctx.ledger.ledger.entries if e.id == ctx.ledger.entry_of(published))
    assert entry.shown == "chart"


def test_a_summary_function_gets_the_published_table(shown):
    ctx = _ctx("en")
    seen = []
    show.table(ctx, _by_arm(), totals=None, summary=lambda p: seen.append(p) or "Two groups.")
    assert len(seen) == 1 and ctx.ledger.entry_of(seen[0]) is not None
    assert [(k, body) for k, body, _ in shown[:1]] == [("say", "Two groups.")]
    with pytest.raises(TypeError, match="summary must be"):
        show.table(ctx, _by_arm(), totals=None, summary=lambda p: 3)


# --------------------------------------------------------------------------- labels


def test_every_header_and_code_value_must_be_a_label():
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "source_file": ["a.csv", "b.csv"], "n_read": [20, 30]})
    with pytest.raises(UnlabelledError, match="odd_column"):
        protect(t.assign(odd_column=[1, 2]), totals=None).to_html()
    page = protect(t, totals=None).to_html("en")
    assert ">File<" in page and ">Rows read<" in page and "source_file" not in page
    codes = pd.DataFrame({"outcome": ["days_to_fill", "late_withdrawal"], "n": [20, 30]})
    with pytest.raises(UnlabelledError, match="days_to_fill"):
        protect(codes, totals=None).to_html()
    # a column the labels do not know, labelled by the caller
    own = protect(pd.DataFrame({"arm": ["pilot", "comparison"], "odd_column": [1.5, 2.5]}), totals=None)
    assert ">Udda<" in own.to_html(labels={"odd_column": ("Udda", "Odd")})


@pytest.mark.parametrize(
    "column",
    ["table", "source_file", "n_read", "n_processed", "n_quarantined", "pretrend_p_value", "unit", "mde_increase"],
)
def test_the_columns_the_issue_found_raw_have_labels_in_both_languages(column):
    from pilot_eval.labels import label

    assert label(column, "sv") != column and label(column, "en") != column
    assert label(column, "sv") != label(column, "en") or column == "n_rows"


# --------------------------------------------------------------------------- layout


def test_a_column_withheld_in_every_row_is_replaced_by_a_sentence():
    t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n_hires": [3, 2, 4], "n": [40, 30, 20]})
    p = protect(t, totals=None)
    assert (p.flags["n_hires"] != "").all()
    page = p.to_html()
    assert "Antal anställda" not in page.split("<table")[1]  # the column is gone
    assert "Tabellen visar inte ”Antal anställda”: varje antal är färre än 5." in page
    assert "Färre än 5 (1–4)" not in page  # no footnote for a symbol the table no longer shows
    assert "The table leaves out “Number of hires”" in p.to_html("en")


def test_a_wide_table_becomes_long_with_groups_as_columns():
    t = pd.DataFrame(
        {
            "arm": ["pilot", "pilot", "comparison", "comparison"],
            "phase": ["before", "during", "before", "during"],
            **{f"n_{c}": [100, 110, 120, 130] for c in ("vacancies", "positions", "applications", "qualified")},
            "n_closed": [50, 60, 70, 80],
            "n_filled": [40, 50, 60, 70],
            "n_readvertised": [10, 10, 10, 10],
        }
    )
    page = protect(t, totals=None).to_html()
    head = re.findall(r"<th [^>]*>([^<]*)</th>", page)
    # two header rows: each arm spans its phases, so that no column is as wide as both names
    assert head == [
        "Mått",
        "Pilotförvaltningar",
        "Jämförelseförvaltningar",
        "Före piloten",
        "Under piloten",
        "Före piloten",
        "Under piloten",
    ]
    assert '<th scope="colgroup" colspan="2"' in page and '<th scope="col" rowspan="2"' in page
    assert page.count("<tr>") == 2 + 7 and 'class="pe-table pe-long"' in page
    assert 'data-kind="count" data-label="Jämförelseförvaltningar, Under piloten"' in page
    # groups with many values: one figure column
    cells = pd.DataFrame({"role_group": [f"r{i}" for i in range(8)], **{f"m{j}": ["1"] * 8 for j in range(7)}})
    header, rows, combos = long_form(cells, {"role_group": "group"}, {c: c.upper() for c in cells}, "en")
    assert header == ["ROLE_GROUP", "Measure", "Value"] and len(rows) == 8 * 7 and combos == []


def test_a_long_table_is_collapsed_and_every_cell_names_its_header():
    assert LONG_ROWS == 15
    page = protect(_by_arm(16), totals=None).to_html("en", caption="Vacancies")
    assert "<summary>Vacancies: show the whole table (16 rows)</summary>" in page
    cells = re.findall(r"<td[^>]*>", page)
    assert len(cells) == 3 * 16 and all("data-label=" in c for c in cells)
    assert "<details" not in protect(_by_arm(14), totals=None).to_html()
    assert "<details" not in protect(_by_arm(16), totals=None).to_html(collapse=None)


# --------------------------------------------------------------------------- sections


def test_ingest_notices_in_the_report_language():
    ctx = _ctx(notices=["ignored truth.json", "ignored notes.txt", "vacancies.csv: optional column x is not in"])
    said = sections.ingest_notices(ctx)
    assert said[0].startswith("truth.json lästes inte in: filen hör till demodatan")
    assert said[1] == "notes.txt lästes inte in."
    assert "optional column x" not in said[2]  # unknown: a sentence in the page's language, not ingest's English
    assert sections.ingest_notices(_ctx("en", ["ignored truth.json"]))[0].startswith("truth.json was not read")


def test_the_equality_summary_names_flagged_groups_or_says_none_can_be_shown():
    t = pd.DataFrame(
        {
            "arm": ["pilot"] * 3,
            "dimension": ["gender"] * 3,
            "group": ["woman", "man", "other_unknown"],
            "ratio_to_best": [1.0, 0.7, 0.9],
            "n": [200, 150, 120],
        }
    )
    p = protect(t, totals=None)
    (sentence,) = sections.equality_summary(_ctx())(p)
    assert sentence.startswith("Fyrafemtedelsregeln slår larm för Män (pilotförvaltningar)")
    none = p.select(rows=[0, 2])
    assert "någon av de 2 grupper" in sections.equality_summary(_ctx())(none)[0]
    withheld = p.select()
    withheld.flags["ratio_to_best"] = "secondary"
    assert sections.equality_summary(_ctx("en"))(withheld) == [
        "The four-fifths rule cannot be applied in this table: the ratio to the best-off group cannot be shown "
        "for any group."
    ]


# --------------------------------------------------------------------------- interpretation sentences, pages 05 and 06


def _published(frame: pd.DataFrame, withheld: dict[str, list[int]] | None = None):
    """``frame`` as a published table, with the cells ``withheld`` ({column: rows}) marked."""
    p = protect(frame, totals=None)
    out = p.select()
    for column, rows in (withheld or {}).items():
        for r in rows:
            out.flags.loc[r, column] = "secondary"
    return out


def test_the_hires_sentence_gives_each_groups_share_only_when_all_its_rows_are_shown():
    ctx = _ctx()
    ctx.tables["pilot_rollout"] = pd.DataFrame({"administration": ["UBF", "SOF"], "scope": ["new_hires"] * 2})
    t = pd.DataFrame(
        {
            "administration": ["UBF", "SOF", "SBF", "TFF", "UBF"],
            "phase": ["during", "during", "during", "during", "before"],
            "n_hires": [300, 100, 120, 80, 200],
            "n_hires_with_court_check": [270, 90, 0, 10, 0],
        }
    )
    assert sections.hires_checked_result(ctx, _published(t)) == (
        "Under piloten fick 90\xa0% av de anställda i pilotförvaltningarna en fördjupad kontroll, "
        "mot 5,0\xa0% i jämförelseförvaltningarna."
    )
    one_hidden = _published(t, {"n_hires_with_court_check": [3]})
    assert sections.hires_checked_result(ctx, one_hidden).endswith(
        "90\xa0% av de anställda i pilotförvaltningarna en fördjupad kontroll."
    )
    assert sections.hires_checked_result(ctx, _published(t, {"n_hires": [0]})) is None
    none_checked = _published(t.assign(n_hires_with_court_check=[270, 90, 0, 0, 0]))
    assert sections.hires_checked_result(ctx, none_checked).endswith("mot 0\xa0% i jämförelseförvaltningarna.")
    ctx_en = _ctx("en")
    ctx_en.tables["pilot_rollout"] = ctx.tables["pilot_rollout"]
    assert "90% of the people hired in the pilot administrations" in sections.hires_checked_result(
        ctx_en, _published(t)
    )


def test_the_turnaround_sentence_names_each_shown_median():
    t = pd.DataFrame(
        {
            "check_type": ["court_records", "register_school", "court_and_credit"],
            "median_days": [4.0, 10.0, 1.0],
            "n": [1200, 2300, 40],
        }
    )
    assert sections.turnaround_result(_ctx(), _published(t, {"median_days": [1]})) == (
        "Hälften av kontrollerna var klara inom 1\xa0dag för fördjupad kontroll med kreditupplysning "
        "och 4\xa0dagar för fördjupad kontroll (domstolsregister)."
    )
    assert sections.turnaround_result(_ctx("en"), _published(t)) == (
        "Half of the checks were done within 1\xa0day for deepened check with credit check, 4\xa0days for deepened "
        "check (court records), and 10\xa0days for police register extract (school and preschool)."
    )
    same = _published(t.assign(median_days=[10.0, 10.0, 4.0]))
    assert sections.turnaround_result(_ctx(), same) == (
        "Hälften av kontrollerna var klara inom 4\xa0dagar för fördjupad kontroll med kreditupplysning "
        "samt 10\xa0dagar för fördjupad kontroll (domstolsregister) och registerutdrag (skola och förskola)."
    )
    assert "kan inte visas" in sections.turnaround_result(_ctx(), _published(t, {"median_days": [0, 1, 2]}))


def test_the_outcomes_sentence_says_which_years_are_shown_and_why_others_are_not():
    t = pd.DataFrame(
        {
            "year": ["2024"] * 3 + ["2025"] * 3,
            "outcome": ["cleared", "remark_no_obstacle", "remark_obstacle"] * 2,
            "n": [937, 28, 7, 50, 3, 2],
        }
    )
    from pilot_eval.disclosure import protect_check_outcomes

    published = protect_check_outcomes(t, level_columns=["year"], totals=None)
    assert published.flags["n"].tolist()[3:] != ["", "", ""], "2025 has fewer than 5 in an outcome"
    said = sections.check_outcomes_result(_ctx(), published)
    assert said == (
        "Utfallen visas för 2024. År 2024 ledde 0,7\xa0% av kontrollerna till en anmärkning som hindrade anställning. "
        "För 2025 visas inga utfall: där fanns färre än 10 kontroller eller färre än 5 i något utfall."
    )
    none = protect_check_outcomes(t.assign(n=[9, 3, 2, 50, 3, 2]), level_columns=["year"], totals=None)
    assert sections.check_outcomes_result(_ctx("en"), none).startswith("Outcomes cannot be shown for any year")


def test_the_group_effect_sentence_names_a_clear_difference_or_says_there_is_none(monkeypatch):
    from types import SimpleNamespace

    tidy = pd.DataFrame(
        {
            "group": ["woman", "woman", "man", "man"],
            "term": ["during", "during_minus_rest"] * 2,
            "headline": [True] * 4,
            "estimate": [0.02, 0.01, 0.05, 0.06],
            "conf_low": [-0.01, -0.02, 0.01, 0.01],
            "conf_high": [0.05, 0.04, 0.09, 0.11],
        }
    )
    monkeypatch.setattr(sections, "group_effects", lambda ctx, by: SimpleNamespace(tidy=lambda: tidy))
    table = _published(tidy[["group", "term", "estimate"]])
    assert sections.group_effect_result(_ctx(), table, "gender").startswith(
        "Under piloten skilde sig effekten för män tydligt från effekten för övriga sökande"
    )
    men_hidden = _published(tidy[["group", "term", "estimate"]], {"estimate": [2, 3]})
    assert sections.group_effect_result(_ctx("en"), men_hidden, "gender") == (
        "The data show no clear difference for women during the pilot: the interval of the difference from other "
        "applicants contains zero."
    )
    both = tidy.assign(conf_low=[-0.01, -0.02, -0.01, -0.01])
    monkeypatch.setattr(sections, "group_effects", lambda ctx, by: SimpleNamespace(tidy=lambda: both))
    assert "för var och en av de 2 grupper som kan visas" in sections.group_effect_result(_ctx(), table, "gender")
    hidden = _published(tidy[["group", "term", "estimate"]], {"estimate": [0, 1, 2, 3]})
    assert sections.group_effect_result(_ctx(), hidden, "gender") is None


def test_the_rollout_table_shows_what_a_reader_needs_and_says_a_common_group_once():
    rollout = pd.DataFrame(
        {
            "administration": ["UBF", "SOF"],
            "role_group": ["all", "all"],
            "scope": ["new_hires", "new_hires"],
            "check_type": ["court_records", "court_records"],
            "start_date": pd.to_datetime(["2023-09-01", "2023-09-01"]),
            "end_date": pd.to_datetime(["2024-12-31", "2024-12-31"]),
            "cohort": ["2023Q3", "2023Q3"],
            "in_force_at_cut": [False, False],
            "months_in_force": [16.0, 16.0],
        }
    )
    shown, sentence = sections.rollout_scope(_ctx("sv"), rollout)
    assert list(shown.columns) == ["administration", "scope", "check_type", "start_date", "end_date", "in_force_at_cut"]
    assert sentence == "Piloten gällde alla yrkesgrupper i varje förvaltning."
    assert (
        sections.rollout_scope(_ctx("en"), rollout)[1] == "The pilot covered all role groups in every administration."
    )
    rollout.loc[1, "role_group"] = "managers"
    shown, sentence = sections.rollout_scope(_ctx("sv"), rollout)
    assert "role_group" in shown.columns and sentence is None


def test_a_table_whose_whole_words_need_more_than_the_text_column_is_set_dense():
    from pilot_eval.disclosure.layout import TEXT_COLUMN_PX

    narrow = pd.DataFrame({"administration": ["UBF", "SOF"], "n_vacancies": [100, 120]})
    assert "pe-dense" not in protect(narrow, totals=None).to_html()
    wide = pd.DataFrame({f"name_{i}": ["Utbildningsförvaltningen", "Socialförvaltningen"] for i in range(5)})
    wide["n_vacancies"] = [100, 120]
    labels = {f"name_{i}": (f"Namn {i}", f"Name {i}") for i in range(5)}
    assert TEXT_COLUMN_PX < 5 * 24 * 8  # five columns of a 24-letter word cannot fit whole
    assert 'class="pe-table pe-wide pe-dense"' in protect(wide, totals=None).to_html(labels=labels)


def test_the_sensitivity_sentences_say_how_far_a_difference_holds_and_join_the_outcomes_at_zero(monkeypatch):
    from types import SimpleNamespace

    breakdown = {"days_to_fill": 0.13, "late_withdrawal_rate": 0.0, "qualified_per_vacancy": 0.0}
    monkeypatch.setattr(sections, "_primary", lambda ctx: list(breakdown))
    monkeypatch.setattr(
        sections,
        "sensitivity",
        lambda ctx, o: SimpleNamespace(details={"breakdown": {"relative_magnitudes": breakdown[o]}}),
    )
    holds, zero = sections.sensitivity_result(_ctx("sv"))
    assert holds.startswith("För dagar till tillsättning skiljer sig effekten efter starten från noll")
    assert "högst 0,13 gånger den största skillnaden" in holds
    assert zero.startswith("För ") and " och " in zero and "rymmer intervallet redan noll" in zero
    assert not re.search(r"\binte\b", holds + zero)  # no negation to untangle
    en = sections.sensitivity_result(_ctx("en"))
    assert "at most 0.13 times" in en[0] and " and " in en[1] and "already contains zero" in en[1]
    breakdown.update(days_to_fill=0.0)
    assert len(sections.sensitivity_result(_ctx("sv"))) == 1  # all three in one sentence
