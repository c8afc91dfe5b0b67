"""Every chart states its data (WCAG 2.1 AA, issue 18): an alt text that gives the drawn
figures in the chart's language, a data table of exactly the drawn values (withheld ones
as their symbols, never their value), text contrast of at least 4.5:1 and data marks of
at least 3:1 against white; and show.figure puts them on the page.

The charts are the small hand-built ones of tests/test_plots.py, with the answer worked
out there."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from test_plots import (
    _effects_table,
    _event_table,
    _every_chart,
    _funnel,
    _plot_data,
    _rates,
    _series,
    _texts,
    _tiny_vacancies,
)

from pilot_eval.disclosure import publish
from pilot_eval.report import plots as P
from pilot_eval.report import show

NBSP = "\u00a0"
CHARTS = [
    "fill_curves",
    "event_study_plot",
    "effect_plot",
    "bar_chart",
    "line_chart",
    "funnel_chart",
    "permutation_plot",
]
#: Words that only a Swedish text has, and only an English one.
SWEDISH = re.compile(r"\b(och|uppgift|saknas|visas|piloten|dagar|förvaltning\w*|mellan|till|inte)\b", re.IGNORECASE)
ENGLISH = re.compile(r"\b(and|not shown|the pilot|days|between|administrations?|during)\b", re.IGNORECASE)


def _english_charts():
    vac, rollout = _tiny_vacancies()
    return {
        "fill_curves": lambda: P.fill_curves(vac, rollout, "2024-12-31", lang="en"),
        "event_study_plot": lambda: P.event_study_plot(_event_table(), lang="en"),
        "effect_plot": lambda: P.effect_plot(_effects_table(), lang="en"),
        "bar_chart": lambda: P.bar_chart(
            publish(_rates(), totals=None), value="late_withdrawal_rate", category="administration", lang="en"
        ),
        "line_chart": lambda: P.line_chart(
            publish(_series(), totals=None), x="period", value="filled_rate", hue="arm", lang="en"
        ),
        "funnel_chart": lambda: P.funnel_chart(publish(_funnel(), totals=None), lang="en"),
        "permutation_plot": lambda: P.permutation_plot(_plot_data(), 0.16, p_value=0.05, lang="en"),
    }


def _figures(data: pd.DataFrame) -> list[str]:
    """The table's figure cells (after its row headers)."""
    return [str(v) for v in data.iloc[:, data.attrs["row_headers"] :].to_numpy().ravel()]


# --------------------------------------------------------------------------- every chart


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_describes_itself_in_its_language(name):
    for lang, make, other in (("sv", _every_chart(None)[name], ENGLISH), ("en", _english_charts()[name], SWEDISH)):
        fig = make()
        alt, data = fig.pilot_eval_alt, fig.pilot_eval_data
        assert isinstance(alt, str) and len(alt) > 40 and alt.endswith("."), (lang, alt)
        assert isinstance(data, pd.DataFrame) and len(data) and data.attrs["lang"] == lang
        assert all(isinstance(v, str) for v in data.to_numpy().ravel()), data
        assert not any(re.fullmatch(r"[a-z_]+", str(c)) for c in data.columns), data.columns  # reader labels
        words = " ".join([alt, *map(str, data.columns), data.attrs["caption"] or "", *data.attrs["notes"]])
        words = words.replace("Kaplan–Meier", "")
        assert not other.search(words), (lang, other.search(words), words)


@pytest.mark.parametrize("name", CHARTS)
def test_every_text_has_4_5_to_1_and_every_data_mark_3_to_1_against_white(name):
    """WCAG 1.4.3 (text, AA) and 1.4.11 (non-text contrast): tick and axis labels, titles,
    legends, captions, value labels and annotations; bars, lines, points and intervals."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _every_chart(None)[name]()
    FigureCanvasAgg(fig).draw()
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 5
    for t in texts:
        assert P.contrast_ratio(t.get_color()) >= 4.5, (t.get_text(), t.get_color())
    marks = 0
    for ax in fig.axes:
        assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0)
        for line in ax.lines:
            if line.get_visible() and len(np.atleast_1d(line.get_xdata())):
                marks += 1
                assert P.contrast_ratio(line.get_color()) >= 3.0, line
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_visible():
                marks += 1
                assert P.contrast_ratio(patch.get_facecolor()) >= 3.0, patch
        for coll in ax.collections:
            if isinstance(coll, LineCollection):
                for colour in coll.get_colors():
                    assert P.contrast_ratio(colour) >= 3.0, coll
    assert marks


def test_the_palette_text_colours_and_contrast_ratio():
    """Every colour the style gives data at least 3:1, every text colour 4.5:1 (the
    Okabe–Ito orange, sky blue and yellow are darkened for it)."""
    from pilot_eval.report.plots import style

    assert P.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert P.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert P.contrast_ratio(P.OKABE_ITO["orange"]) < 3.0  # why the palette is darkened
    for colour in (*P.GROUP_COLORS, P.PILOT_COLOR, P.COMPARISON_COLOR, P.SINGLE_SERIES_COLOR, P.BACKGROUND_BAR_COLOR):
        assert P.contrast_ratio(colour) >= style.MIN_GRAPHIC_CONTRAST, colour
    text_colours = [style._TEXT_COLOR, style._SYMBOL_COLOR, style._CAPTION_COLOR, style._ZERO_COLOR]
    text_colours += [P.PILOT_TEXT_COLOR, P.PRE_PERIOD_COLOR, P.STYLE["axes.labelcolor"], P.STYLE["xtick.color"]]
    text_colours += [P.STYLE["ytick.color"], P.STYLE["text.color"], P.STYLE["legend.labelcolor"]]
    for colour in text_colours:
        assert P.contrast_ratio(colour) >= style.MIN_TEXT_CONTRAST, colour
    assert len(set(P.GROUP_COLORS)) == len(P.GROUP_COLORS)


# --------------------------------------------------------------------------- chart by chart


def test_bar_chart_states_its_bars_and_names_the_withheld_ones():
    p = publish(_rates(), totals=None)  # UBF secondary, KOF small denominator (0.75 withheld)
    fig = P.bar_chart(p, value="late_withdrawal_rate", category="administration", title="Sent återtagande")
    alt, data = fig.pilot_eval_alt, fig.pilot_eval_data
    drawn = [t for t in _texts(fig) if t.endswith("%")]  # the bars' value labels
    assert data.columns.tolist() == ["Förvaltning", "Andel återtagna ansökningar i sent skede (%)"]
    assert data.iloc[:, 0].tolist() == [
        "Socialförvaltningen",
        "Utbildningsförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Vård- och omsorgsförvaltningen",
    ]
    assert data.iloc[:, 1].tolist() == [f"15{NBSP}%", "..‡", "..*", f"17{NBSP}%"]
    assert sorted(v for v in _figures(data) if v.endswith("%")) == sorted(drawn)
    assert alt == (
        f"Sent återtagande. Socialförvaltningen 15{NBSP}%, Utbildningsförvaltningen visas inte, "
        f"Kultur- och fritidsförvaltningen visas inte (för få) och Vård- och omsorgsförvaltningen 17{NBSP}%."
    )
    for hidden in ("75", "2 %", f"2{NBSP}%", "..‡", "..*"):  # neither the value nor the table's symbol
        assert hidden not in alt
    assert "75" not in " ".join(_figures(data))
    notes = data.attrs["notes"]
    assert [n[:3] for n in notes] == ["..*", "..‡"] and data.attrs["kinds"] == {data.columns[1]: "percent"}


def test_a_small_count_stays_withheld_in_the_alt_text_and_the_table():
    p = publish(pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n": [40, 3, 25]}), totals=None)
    assert p.display("sv")["Antal"].tolist() == ["40", "<5", "25"]
    fig = P.bar_chart(p, value="n", category="administration", title="Rekryteringar")
    alt, data = fig.pilot_eval_alt, fig.pilot_eval_data
    assert data.iloc[:, 1].tolist() == ["40", "<5", "25"]
    assert alt == (
        "Rekryteringar. Socialförvaltningen 40, Utbildningsförvaltningen visas inte (för få) och "
        "Kultur- och fritidsförvaltningen 25."
    )
    assert not re.search(r"\b3\b", alt) and "<5" not in alt
    assert data.attrs["kinds"] == {"Antal": "count"}  # a page's small-count check reads the cells
    assert data.attrs["notes"] == ["<5 Färre än 5 (1–4): det exakta antalet visas inte."]


def test_bar_chart_with_hue_is_a_table_by_category_and_group():
    t = pd.DataFrame(
        {
            "phase": ["before", "during", "after"] * 2,
            "arm": ["pilot"] * 3 + ["comparison"] * 3,
            "rmst_180": [60.0, 69.0, 62.0, 53.0, 55.0, 55.0],
            "n": [100] * 6,
        }
    )
    fig = P.bar_chart(
        publish(t, totals=None),
        value="rmst_180",
        category="phase",
        hue="arm",
        kind="days",
        title="Dagar till tillsättning",
    )
    assert fig.pilot_eval_alt == (
        "Dagar till tillsättning. Pilotförvaltningar: före piloten 60 dagar, under piloten 69 dagar och efter "
        "piloten 62 dagar. Jämförelseförvaltningar: före piloten 53 dagar, under piloten 55 dagar och efter "
        "piloten 55 dagar.".replace(" dagar", f"{NBSP}dagar")
    )
    data = fig.pilot_eval_data
    assert data.to_dict("list") == {
        "Skede": ["Före piloten", "Under piloten", "Efter piloten"],
        "Pilotförvaltningar": ["60", "69", "62"],
        "Jämförelseförvaltningar": ["53", "55", "55"],
    }
    assert sorted(_figures(data)) == sorted(_texts(fig))  # every bar's label, nothing else


def test_a_long_bar_chart_gives_the_range_not_every_bar():
    t = pd.DataFrame({"role_group": [f"grupp {i}" for i in range(20)], "n": list(range(20, 40))})
    fig = P.bar_chart(publish(t, totals=None), value="n", category="role_group", title="Många")
    assert fig.pilot_eval_alt == "Många. 20 värden, mellan 20 och 39. Alla värden finns i tabellen under diagrammet."
    assert len(fig.pilot_eval_data) == 20


def test_line_chart_lists_a_short_series_and_names_the_gap():
    p = publish(_series(), totals=None)  # pilot 2024Q2 withheld (small denominator)
    fig = P.line_chart(p, x="period", value="filled_rate", hue="arm", mark=[("2024-04-01", "Start")], title="Tillsatta")
    data = fig.pilot_eval_data
    assert data.columns.tolist() == ["Kvartal", "Pilotförvaltningar", "Jämförelseförvaltningar"]
    assert data["Kvartal"].tolist() == ["kv. 1 2024", "kv. 2 2024", "kv. 3 2024", "kv. 4 2024"]
    assert data["Pilotförvaltningar"].tolist() == [f"50{NBSP}%", "..*", f"51{NBSP}%", f"62{NBSP}%"]
    # the table's figures are the line's points, as the tick format shows them
    ax = fig.axes[0]
    pilot = next(ln for ln in ax.lines if ln.get_color() == P.PILOT_COLOR)
    drawn = np.asarray(pilot.get_ydata(), dtype=float)
    assert np.isnan(drawn[1])
    assert [f"{round(v * 100)}{NBSP}%" for v in drawn[[0, 2, 3]]] == [data["Pilotförvaltningar"][i] for i in (0, 2, 3)]
    alt = fig.pilot_eval_alt
    assert alt.startswith(
        f"Tillsatta per kvartal från kv. 1 2024 till kv. 4 2024. Pilotförvaltningar: 50{NBSP}% i kv. 1 2024, "
    )
    assert "visas inte (för få) i kv. 2 2024" in alt
    assert "62,5" not in alt and f"63{NBSP}%" not in alt  # the withheld 5 of 8
    assert alt.endswith("Lodräta linjer: Start (1 april 2024).")


def test_a_long_line_chart_gives_first_last_and_range():
    t = pd.DataFrame(
        {
            "period": [f"{y}Q{q}" for y in range(2021, 2026) for q in range(1, 5)],
            "n_vacancies": [3] + list(range(21, 40)),
        }
    )
    fig = P.line_chart(
        publish(t, totals=None), x="period", value="n_vacancies", kind="count", lang="en", title="Adverts"
    )
    alt = fig.pilot_eval_alt
    assert alt == (
        "Adverts by quarter from Q1 2021 to Q4 2025. Not shown (too few) in Q1 2021 and 39 in Q4 2025, "
        "between 21 and 39. 1 value is not shown."
    )
    assert fig.pilot_eval_data.iloc[0].tolist() == ["Q1 2021", "<5"] and len(fig.pilot_eval_data) == 20


def test_funnel_chart_describes_each_stage():
    p = publish(_funnel(), totals=None)
    fig = P.funnel_chart(p)
    data, alt = fig.pilot_eval_data, fig.pilot_eval_alt
    assert data.columns.tolist() == ["Steg", "Pilotförvaltningar", "Jämförelseförvaltningar"]
    assert data.loc[data["Steg"] == "Bakgrundskontroll", "Jämförelseförvaltningar"].tolist() == ["..‡"]
    assert sorted(v for v in _figures(data) if v != "..‡") == sorted(t for t in _texts(fig) if t.endswith("%"))
    assert "Jämförelseförvaltningar: inkommen 2,5" in alt and "bakgrundskontroll visas inte" in alt
    assert "nått steget" in data.attrs["notes"][0]


def test_fill_curves_table_holds_the_curve_at_a_few_days_and_what_it_withholds():
    vac, rollout = _tiny_vacancies()  # pilot: ten at risk up to day 30 (3 of 12 filled); comparison: 5
    fig = P.fill_curves(vac, rollout, "2024-12-31")
    data = fig.pilot_eval_data
    assert data.columns.tolist() == ["Skede", "Förvaltningsgrupp", "30 dagar", "60 dagar", "90 dagar", "180 dagar"]
    assert data.to_numpy().tolist() == [["Under piloten", "Pilotförvaltningar", f"25{NBSP}%", "..†", "..†", "..†"]]
    assert data.attrs["row_headers"] == 2
    assert any(n.startswith("..† Visas inte: färre än 10") for n in data.attrs["notes"])
    assert any("Jämförelseförvaltningar (under piloten)" in n for n in data.attrs["notes"])  # too few to draw
    alt = fig.pilot_eval_alt
    assert "Andel tillsatta efter 90 dagar, under piloten: pilotförvaltningar visas inte (för få)." in alt
    assert "Visas inte (färre än 10 rekryteringar): jämförelseförvaltningar (under piloten)." in alt


def test_fill_curves_table_is_the_drawn_curve(demo_tables):
    t = demo_tables
    fig = P.fill_curves(t["vacancies"], t["pilot_rollout"], "2026-02-28", lang="en")
    data = fig.pilot_eval_data
    for ax in fig.axes:
        panel = ax.get_title(loc="left")
        for line in ax.lines:
            x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
            row = data.loc[(data["Phase"] == panel) & (data.iloc[:, 1] == line.get_label())]
            assert len(row) == 1, (panel, line.get_label())
            for day in (30, 60, 90, 180):
                cell = row[f"{day} days"].iloc[0]
                if day <= x.max():
                    assert cell == f"{round(float(y[x == day][0]) * 100)}%", (panel, day)
                else:
                    assert cell == "..†"
    assert "Share filled after 90 days, before the pilot: pilot administrations" in fig.pilot_eval_alt


@pytest.fixture(scope="module")
def demo_tables():
    from pilot_eval.demo import generate

    return generate(seed=1, scale=0.1).tables


def test_event_study_states_the_pre_period_range_and_the_effect():
    fig = P.event_study_plot(_event_table())
    data, alt = fig.pilot_eval_data, fig.pilot_eval_alt
    assert data.columns.tolist() == [
        "Kvartal i förhållande till pilotens start (0 = första kvartalet)",
        "Skillnad mot jämförelseförvaltningarna (procentenheter)",
        f"95{NBSP}% konfidensintervall",
    ]
    assert data.iloc[:, 0].tolist() == ["\u22123", "\u22122", "\u22121", "0", "1", "2"]
    ax = fig.axes[0]
    drawn = np.concatenate([c.lines[0].get_ydata() for c in ax.containers])
    assert data.iloc[:, 1].tolist() == [f"{v:.1f}".replace(".", ",").replace("-", "\u2212") for v in drawn]
    assert data.iloc[3, 2] == "\u221215,0 till \u22121,0"
    assert alt == (
        "Andel tillsatta inom 90 dagar. Skattad skillnad mot jämförelseförvaltningarna per kvartal i förhållande "
        "till pilotens start. Före piloten: mellan \u22122,0 och 1,0\u00a0procentenheter, alla intervall omfattar "
        "noll. Under piloten: mellan \u221212,0 och \u22125,0\u00a0procentenheter."
    )


def test_effect_plot_states_every_row_as_its_label_does():
    fig = P.effect_plot(_effects_table())
    data, alt = fig.pilot_eval_data, fig.pilot_eval_alt
    assert data.columns.tolist() == ["Mått", "Enhet", "Skattad effekt", f"95{NBSP}% konfidensintervall"]
    assert data["Enhet"].tolist() == ["procentenheter", "procentenheter", "dagar", "sökande"]
    annotations = _texts(fig)  # "estimate (low till high)" beside every row
    assert [f"{e} ({i})" for e, i in zip(data["Skattad effekt"], data.iloc[:, 3], strict=True)] == annotations
    for e, i in zip(data["Skattad effekt"], data.iloc[:, 3], strict=True):
        assert f": {e} " in alt and f"konfidensintervall {i})" in alt
    assert alt.startswith("Pilotens effekt medan den pågick. Andel tillsatta inom 90 dagar: \u22125,0 procentenheter")
    groups = P.effect_plot(_effects_table(), row_header="Kön")
    assert groups.pilot_eval_data.columns[0] == "Kön"


def test_permutation_plot_table_is_the_bins_and_their_counts():
    fig = P.permutation_plot(_plot_data(), 0.16, p_value=0.05)
    data, alt = fig.pilot_eval_data, fig.pilot_eval_alt
    assert data.iloc[:, 1].tolist() == ["5", "20", "25", "6"]
    assert [q.get_height() for q in fig.axes[0].patches] == [5, 20, 25, 6]
    assert data.iloc[3, 0] == "0,1 till 0,2 (det faktiska utfallet: 0,16)"
    assert "3 av 56 möjliga val" in alt and "Det faktiska utfallet: 0,16." in alt and "mellan \u22120,2 och 0,2" in alt


# --------------------------------------------------------------------------- show.figure


class _Page(HTMLParser):
    """The img alts, details (with their open attribute), and table cells of a page."""

    def __init__(self):
        super().__init__()
        self.alts, self.details, self.rows, self.head, self.figures = [], [], [], [], 0
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.captions: list[str] = []
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.alts.append(a.get("alt"))
        elif tag == "figure" and "chart" in (a.get("class") or ""):
            self.figures += 1
        elif tag == "details":
            self.details.append("open" in a)
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "th" and a.get("scope") == "col":
                self.head.append(True)
        elif tag == "caption":
            self._caption = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "caption":
            self.captions.append("".join(self._caption))
            self._caption = None


def test_show_figure_html_has_the_alt_text_and_the_data_table_behind_a_closed_details():
    fig = P.bar_chart(
        publish(_rates(), totals=None), value="late_withdrawal_rate", category="administration", lang="en"
    )
    page = _Page()
    page.feed(show.figure_html(fig))
    assert page.figures == 1 and page.alts == [fig.pilot_eval_alt]
    assert page.details == [False]  # closed
    data = fig.pilot_eval_data
    assert page.rows == [list(map(str, data.columns)), *data.to_numpy().tolist()]
    assert len(page.head) == data.shape[1]
    assert page.captions == [data.attrs["caption"]]
    html = show.figure_html(fig)
    assert "<summary>Show the figures in the chart</summary>" in html
    assert '<th scope="row" data-label="Administration">Social Services Administration</th>' in html
    # every figure carries its header: on a phone a row is a block of "header value" lines
    header = data.columns[1]
    assert html.count(f'data-label="{header}"') == len(data)
    assert '<p class="chart-note">..* Not shown' in html
    assert re.search(r'<img src="data:image/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]{100,}" alt="', html)


def test_show_figure_refuses_a_chart_without_its_description_or_in_another_language():
    from matplotlib.figure import Figure

    fig = Figure()
    with pytest.raises(ValueError, match="no description"):
        show.figure_html(fig, "sv")
    fig.pilot_eval_alt = "Diagram"  # the old placeholder says nothing about the data
    fig.pilot_eval_data = pd.DataFrame({"Antal": ["12"]})
    with pytest.raises(ValueError, match="no description"):
        show.figure_html(fig, "sv")
    fig.pilot_eval_alt = "Antal: 12"
    with pytest.raises(ValueError, match="language is unknown"):
        show.figure_html(fig)
    assert 'alt="Antal: 12"' in show.figure_html(fig, "sv")
    en = P.bar_chart(publish(_rates(), totals=None), value="late_withdrawal_rate", category="administration", lang="en")
    with pytest.raises(ValueError, match="the chart is in 'en', the report in 'sv'"):
        show.figure_html(en, "sv")


# --------------------------------------------------------------------------- wording (issue 18)

#: A number with a decimal point (Swedish pages) or a decimal comma (English pages; "1,234"
#: is a thousands separator), and a raw column name.
DECIMAL_POINT = re.compile(r"\d\.\d")
DECIMAL_COMMA = re.compile(r"\d,\d(?!\d\d)")
RAW_NAME = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
REPEATED = re.compile(r"\b(\w+ \w+) \1\b", re.IGNORECASE)


@pytest.mark.parametrize("name", CHARTS)
def test_every_alt_text_reads_in_the_report_s_number_format(name):
    """No decimal point on a Swedish page, no decimal comma on an English one, no raw
    column name, no phrase said twice in a row, no unit ("(%)") standing for a title, no
    figure with more decimals than a reader needs."""
    for lang, make in (("sv", _every_chart(None)[name]), ("en", _english_charts()[name])):
        fig = make()
        alt = fig.pilot_eval_alt
        cells = " ".join([*map(str, fig.pilot_eval_data.columns), *_figures(fig.pilot_eval_data)])
        for text in (alt, cells):
            assert not (DECIMAL_POINT if lang == "sv" else DECIMAL_COMMA).search(text), (lang, text)
            assert not RAW_NAME.search(text), (lang, text)
            assert not re.search(r"\d[,.]\d{3}(?!\d)" if lang == "sv" else r"\d\.\d{3}", text), (lang, text)
        assert not REPEATED.search(alt), (lang, REPEATED.search(alt), alt)
        assert not alt.startswith("("), alt
        first = alt.split(". ")[0]
        assert "(%)" not in first and "(dagar)" not in first and "(days)" not in first, (lang, alt)


def test_a_title_that_says_per_quarter_is_not_followed_by_per_quarter_again():
    p = publish(_series(), totals=None)
    for lang, title in (("sv", "Publicerade annonser per kvartal"), ("en", "Adverts published per quarter")):
        alt = P.line_chart(p, x="period", value="filled_rate", hue="arm", title=title, lang=lang).pilot_eval_alt
        assert "per kvartal per kvartal" not in alt and "per quarter by quarter" not in alt, alt
        assert alt.startswith(f"{title} {'från kv. 1 2024 till' if lang == 'sv' else 'from Q1 2024 to'}"), alt
    # a title without the period still gets it
    alt = P.line_chart(p, x="period", value="filled_rate", hue="arm", title="Tillsatta").pilot_eval_alt
    assert alt.startswith("Tillsatta per kvartal från kv. 1 2024"), alt


def test_a_chart_without_a_title_is_named_by_its_axis_without_the_unit():
    p = publish(_series(), totals=None)
    sv = P.line_chart(p, x="period", value="filled_rate", hue="arm").pilot_eval_alt
    en = P.line_chart(p, x="period", value="filled_rate", hue="arm", lang="en").pilot_eval_alt
    assert sv.startswith("Andel tillsatta per kvartal från"), sv
    assert en.startswith("Share filled by quarter from"), en
    bars = P.bar_chart(
        publish(_rates(), totals=None), value="late_withdrawal_rate", category="administration", lang="en"
    )
    assert bars.pilot_eval_alt.startswith("Late-stage withdrawal rate. Social Services Administration 15%"), (
        bars.pilot_eval_alt
    )
    assert bars.pilot_eval_data.columns[1] == "Late-stage withdrawal rate (%)"  # the table keeps its unit


def test_a_short_series_gives_each_value_before_its_quarter():
    """ "50 % i kv. 1 2024", not "kv. 1 2024 50 %" (two numbers run together)."""
    p = publish(_series(), totals=None)
    alt = P.line_chart(p, x="period", value="filled_rate", hue="arm", title="Tillsatta").pilot_eval_alt
    assert f"50{NBSP}% i kv. 1 2024" in alt and "2024 50" not in alt, alt
    en = P.line_chart(p, x="period", value="filled_rate", hue="arm", title="Filled", lang="en").pilot_eval_alt
    assert "50% in Q1 2024" in en and "2024 50" not in en, en


def _permutation_demo() -> pd.DataFrame:
    """Bins as the randomization result gives them (edges of 3–4 decimals)."""
    edges = np.linspace(-0.05012, 0.04952, 11)
    return pd.DataFrame(
        {
            "bin_left": edges[:-1],
            "bin_right": edges[1:],
            "count": [1, 3, 5, 8, 10, 10, 8, 6, 3, 2],
            "contains_actual": [False] * 6 + [True] + [False] * 3,
        }
    )


def test_permutation_plot_rounds_its_bins_and_result_for_a_reader():
    label = (
        "Skattad effekt på återtagna efter intervju (procentenheter)",
        "Estimated effect on withdrawals (percentage points)",
    )
    for lang, text in zip(("sv", "en"), label, strict=True):
        fig = P.permutation_plot(_permutation_demo(), 0.018543, p_value=29 / 56, lang=lang, scale=100, label=text)
        alt, data = fig.pilot_eval_alt, fig.pilot_eval_data
        if lang == "sv":
            assert (
                f"Det faktiska utfallet (skattad effekt på återtagna efter intervju): 1,9{NBSP}procentenheter." in alt
            )
            assert f"De möjliga valen gav mellan −5 och 5{NBSP}procentenheter." in alt
            assert data.iloc[0, 0] == "−5 till −4", data
            assert "(det faktiska utfallet: 1,9)" in data.iloc[6, 0]
        else:
            assert f"The actual result (estimated effect on withdrawals): 1.9{NBSP}percentage points." in alt
            assert f"between -5 and 5{NBSP}percentage points." in alt
        assert not re.search(r"\d[,.]\d{3}", alt + " ".join(data.iloc[:, 0])), (alt, data)


def test_poisson_rows_read_as_a_change_in_per_cent_with_its_sign():
    t = _effects_table()
    t = t.loc[t["outcome"] == "applicants_per_vacancy"].copy()
    t[["estimate", "conf_low", "conf_high"]] = [0.041, -0.151, 0.262]
    t["scale"] = "ratio"
    sv = P.effect_plot(t).pilot_eval_alt
    en = P.effect_plot(t, lang="en").pilot_eval_alt
    assert "förändring i procent" not in sv and "change in per cent" not in en
    assert f"Sökande per rekrytering: +4,1{NBSP}% (95{NBSP}% konfidensintervall −15,1{NBSP}% till +26,2{NBSP}%)." in sv
    assert "Applicants per vacancy: +4.1% (95% confidence interval -15.1% to +26.2%)." in en


def test_bars_of_groups_named_by_numbers_keep_names_and_values_apart():
    t = pd.DataFrame(
        {
            "arm": ["pilot"] * 3,
            "group": ["Under 25", "25–34", "35–44"],
            "n": [40, 50, 60],
            "n_filled": [20, 30, 36],
        }
    )
    t["filled_rate"] = t["n_filled"] / t["n"]
    fig = P.bar_chart(publish(t, totals=None), value="filled_rate", category="group", hue="arm", title="Tillsatta")
    alt = fig.pilot_eval_alt
    assert f"Pilotförvaltningar – under 25: 50{NBSP}%; 25–34: 60{NBSP}% och 35–44: 60{NBSP}%." in alt, alt
    assert "25 50" not in alt and "34 60" not in alt


def _texts_of(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def test_fill_curves_take_their_figures_from_the_published_table_and_register_it():
    """The curves' shares go through disclosure control and the report's ledger: a share
    whose implied count is 1–4 (3 of 12 filled by day 30) is withheld in the table, the
    alt text and the curve itself, and the table is marked as charted."""
    from pilot_eval.report.ledger import PageLedger

    vac, rollout = _tiny_vacancies()
    table = P.fill_table(vac, rollout, "2024-12-31")
    assert table.columns.tolist() == ["arm", "phase", "n", "within_30", "within_60", "within_90", "within_180"]
    assert table[["arm", "phase", "n"]].to_numpy().tolist() == [["pilot", "during", 12]]
    assert table["within_30"].tolist() == [pytest.approx(0.25)] and table["within_60"].isna().all()
    published = publish(table, totals=None)
    assert published.flags["within_30"].tolist() == ["secondary"]  # 25 % of 12 is 3
    ledger = PageLedger("p02", folder=None)
    entry = ledger.add_table(published)
    fig = P.fill_curves(vac, rollout, "2024-12-31", published=published)
    assert [e.shown for e in ledger.ledger.entries if e.id == entry] == ["chart"]
    data, alt = fig.pilot_eval_data, fig.pilot_eval_alt
    assert data.to_numpy().tolist() == [["Under piloten", "Pilotförvaltningar", "..‡", "..†", "..†", "..†"]]
    assert any(n.startswith("..‡ ") for n in data.attrs["notes"])
    assert "25" not in alt and "visas inte" in alt
    assert "En kurva saknas de dagar där den skulle avslöja ett antal under 5" in " ".join(_texts_of(fig))
    for ax in fig.axes:  # the curve is not drawn where it would give the share back
        for line in ax.lines:
            assert np.isnan(np.asarray(line.get_ydata(), dtype=float)).all()
    # without the published table the chart is as before
    assert P.fill_curves(vac, rollout, "2024-12-31").pilot_eval_data.iloc[0, 2] == f"25{NBSP}%"


def test_a_bar_chart_s_table_caption_does_not_say_its_title_twice():
    t = pd.DataFrame(
        {
            "arm": ["pilot", "pilot", "comparison", "comparison"],
            "group": ["Kvinnor", "Män", "Kvinnor", "Män"],
            "n": [40, 50, 60, 70],
            "n_filled": [20, 30, 36, 35],
        }
    )
    t["filled_rate"] = t["n_filled"] / t["n"]
    t["ratio_to_best"] = [0.83, 1.0, 1.0, 0.83]
    title = "Anställda efter kön: kvot mot bäst placerade grupp"
    fig = P.bar_chart(publish(t, totals=None), value="ratio_to_best", category="group", hue="arm", title=title)
    assert fig.pilot_eval_data.attrs["caption"] == title
    assert fig.pilot_eval_alt.startswith(f"{title}. Pilotförvaltningar: kvinnor 0,83 och män 1,00."), fig.pilot_eval_alt
    # an axis label with a unit still says the unit of the table's figures
    fig = P.bar_chart(publish(t, totals=None), value="filled_rate", category="group", hue="arm", title="Tillsatta")
    assert fig.pilot_eval_data.attrs["caption"].endswith("(%)")


def test_permutation_bins_keep_their_width_when_rounded():
    """Bins 1,496 wide from −5,012 (the demo's) read −5,0 till −3,5 … ; whole numbers
    would make them look 1 and 2 wide by turns."""
    edges = -0.05012 + 0.01496 * np.arange(8)
    data = pd.DataFrame(
        {"bin_left": edges[:-1], "bin_right": edges[1:], "count": [4, 11, 1, 16, 14, 8, 2], "contains_actual": False}
    )
    table = P.permutation_plot(data, 0.018543, p_value=0.52, scale=100).pilot_eval_data
    assert table.iloc[:3, 0].tolist() == ["−5,0 till −3,5", "−3,5 till −2,0", "−2,0 till −0,5"]


def test_a_title_that_says_the_period_is_recognised_in_either_language():
    from pilot_eval.report.plots.describe import _says_per

    for title in ("Publicerade annonser per kvartal", "Adverts by quarter", "Kvartalsvisa annonser", "Quarterly"):
        assert _says_per(title, "Q"), title
    for title in ("Tillsatta", "Andel per år", "Share filled within 90 days"):
        assert not _says_per(title, "Q"), title
    assert _says_per("Yearly adverts", "Y") and _says_per("Annonser per månad", "M")


def test_permutation_bins_of_the_demo_read_with_one_decimal():
    """The demo's bins (1,423 wide from −5,012) at one decimal: every bin within 10 % of
    its width; its result as the report's effects give it."""
    edges = -0.05012 + 0.014233 * np.arange(8)
    data = pd.DataFrame(
        {"bin_left": edges[:-1], "bin_right": edges[1:], "count": [4, 11, 1, 16, 14, 8, 2], "contains_actual": False}
    )
    fig = P.permutation_plot(data, 0.018543, p_value=0.52, scale=100)
    assert fig.pilot_eval_data.iloc[:3, 0].tolist() == ["−5,0 till −3,6", "−3,6 till −2,2", "−2,2 till −0,7"]
    assert "Det faktiska utfallet: 1,9." in fig.pilot_eval_alt and "mellan −5,0 och 5,0." in fig.pilot_eval_alt
