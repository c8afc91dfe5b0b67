"""The summary as a release: the answer to question 5, the verdict table, its chart, the
glossary and the pages' pre-trend sentences (pilot_eval.report.verdicts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pilot_eval import texts
from pilot_eval.report import render, show
from pilot_eval.report import verdicts as V
from pilot_eval.report.findings import VERDICTS, describe_effect
from pilot_eval.report.plots.verdicts import verdict_chart

NBSP = "\u00a0"


def finding(outcome="days_to_fill", estimate=7.0, low=-4.3, high=15.9, p=0.125, fwer=0.32, lang="sv", **kw):
    row = {
        "outcome": outcome,
        "term": "during",
        "estimate": estimate,
        "conf_low": low,
        "conf_high": high,
        "p_value": p,
        "p_value_fwer": fwer,
        "inference": "randomization_inference",
        **kw.pop("row", {}),
    }
    return describe_effect(row, lang=lang, family=3, **kw)


def demo_findings(lang="sv"):
    """The demo's 2025Q4 headline effects (docs/estimation.md): all three unclear."""
    return [
        finding("days_to_fill", 7.0, -4.3, 15.9, lang=lang),
        finding("late_withdrawal", 0.026, -0.020, 0.063, p=0.196, fwer=0.36, lang=lang),
        finding(
            "qualified_applicants_per_vacancy",
            0.07,
            -0.12,
            0.33,
            p=0.321,
            fwer=0.36,
            lang=lang,
            row={"method": "poisson_did", "scale": "ratio"},
        ),
    ]


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


# --------------------------------------------------------------------------- effects in words


def test_effects_in_the_outcomes_own_words():
    days, share, ratio = demo_findings()
    assert plain(V.effect_words(days)) == "7,0 dagar längre (mellan 4,3 kortare och 15,9 längre)"
    assert plain(V.effect_words(share)) == "2,6 procentenheter högre (mellan 2,0 lägre och 6,3 högre)"
    assert plain(V.effect_words(ratio)) == "7 % fler (mellan 12 % färre och 33 % fler)"
    en = demo_findings("en")
    assert plain(V.effect_words(en[0])) == "7.0 days longer (between 4.3 shorter and 15.9 longer)"
    assert plain(V.effect_words(en[2])) == "7% more (between 12% fewer and 33% more)"


def test_effect_words_near_zero_and_unbounded():
    zero = finding(estimate=0.01, low=-3.0, high=3.0)
    assert plain(V.effect_words(zero)).startswith("ungefär noll (mellan 3,0 kortare")
    open_top = finding(estimate=5.0, low=-1.0, high=float("inf"))
    assert plain(V.effect_words(open_top)) == "5,0 dagar längre (från 1,0 kortare, utan övre gräns)"
    open_bottom = finding(estimate=5.0, low=float("-inf"), high=9.0)
    assert "utan nedre gräns, upp till 9,0 längre" in V.effect_words(open_bottom).replace(NBSP, " ")
    # a small bound keeps its digits instead of reading "0,0 kortare"
    assert "0,04 kortare" in plain(V.effect_words(finding(estimate=5.0, low=-0.04, high=9.0)))


# --------------------------------------------------------------------------- the answer


def test_the_answer_when_nothing_is_clear():
    assert (
        V.answer(demo_findings()) == "Underlaget visar ingen säkerställd effekt av piloten på något av de tre måtten."
    )
    assert V.answer(demo_findings("en")) == "The data show no clear effect of the pilot on any of the three measures."


def test_the_answer_names_the_clear_and_the_uncertain_parts():
    up = finding(estimate=12.5, low=5.6, high=19.6, p=1 / 56, fwer=0.036)
    assert up.verdict == "clear_increase"
    rest = demo_findings()[1:]
    assert V.answer([up, *rest]) == (
        "Piloten ledde troligen till längre tid till tillsättning; för återtagna ansökningar och "
        "kompetensförsörjningen visar underlaget ingen säkerställd effekt."
    )
    before = finding("late_withdrawal", 0.04, 0.01, 0.07, p=0.02, fwer=0.03, pretrend_p_value=0.01)
    assert before.verdict == "differed_before"
    text = V.answer([demo_findings()[0], before])
    assert text == (
        "Underlaget visar ingen säkerställd effekt av piloten på tiden till tillsättning; för återtagna "
        "ansökningar är resultatet osäkert, eftersom grupperna skilde sig redan före piloten."
    )
    assert text.count(".") == 1, "one sentence"
    down = finding("late_withdrawal", -0.04, -0.07, -0.01, p=1 / 56, fwer=0.03, lang="en")
    assert V.answer([down]) == "The pilot probably led to fewer applicants withdrawing late in the process."


def test_question_5_is_named():
    assert V.question_5("sv").startswith("Fråga 5: påverkade den fördjupade bakgrundskontrollen tiden till")
    assert "kompetensförsörjningen?" in V.question_5("sv")
    assert V.question_5("en").startswith("Question 5:")


# --------------------------------------------------------------------------- the table


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Table:
    p = _Table()
    p.feed(html)
    return p


def test_the_verdict_table_has_a_caption_headers_and_a_tag_per_row():
    table = V.verdict_table(demo_findings())
    assert table.columns == ("Mått", "Effekt (osäkerhetsintervall)", "Bedömning")
    assert [r.verdict for r in table.rows] == ["no_clear_difference"] * 3
    html = table.to_html()
    p = parse(html)
    assert [t for t, _ in p.tags].count("caption") == 1
    assert [a.get("scope") for t, a in p.tags if t == "th"] == ["col"] * 3 + ["row"] * 3
    spans = [a["class"] for t, a in p.tags if t == "span" and a["class"] != "verdict-detail"]
    assert spans == ["verdict verdict-no-clear-difference"] * 3
    words = "".join(p.text)
    assert words.count("ingen säkerställd skillnad") == 3, "the verdict is said in words, not colour alone"
    assert "7,0\u00a0dagar längre" in words
    assert list(table.frame().columns) == list(table.columns) and len(table.frame()) == 3


@pytest.mark.parametrize("verdict", VERDICTS)
def test_every_verdict_has_its_own_class_and_words(verdict):
    rows = {
        "clear_increase": dict(estimate=12.5, low=5.6, high=19.6, p=1 / 56, fwer=0.036),
        "clear_decrease": dict(estimate=-12.5, low=-19.6, high=-5.6, p=1 / 56, fwer=0.036),
        "no_clear_difference": dict(),
        "differed_before": dict(pretrend_p_value=0.01),
    }[verdict]
    f = finding(**rows)
    assert f.verdict == verdict
    html = V.verdict_table([f]).to_html()
    assert f'class="verdict {V.verdict_class(verdict)}"' in html
    assert f">{f.tag}</span>" in html


def test_the_previous_report_adds_a_column():
    previous = {
        "days_to_fill": {
            "period": "2025Q3",
            "estimate": 6.1,
            "conf_low": -5.0,
            "conf_high": 14.0,
            "tag": "no_clear_difference",
        },
        "late_withdrawal": {
            "period": "2025Q3",
            "estimate": 3.9,
            "conf_low": 0.5,
            "conf_high": 7.0,
            "tag": "clear_increase",
        },
    }
    table = V.verdict_table(demo_findings(), previous=previous)
    assert table.columns[-1] == "Förra rapporten (2025Q3)"
    frame = table.frame()
    assert (
        plain(frame.iloc[0, -1]) == "6,1 dagar längre (mellan 5,0 kortare och 14,0 längre): ingen säkerställd skillnad"
    )
    assert plain(frame.iloc[1, -1]).startswith("3,9 procentenheter högre (mellan 0,5 högre och 7,0 högre)")
    assert frame.iloc[1, -1].endswith("tydlig ökning")
    assert frame.iloc[2, -1] == "–", "an outcome the previous report lacks"
    html = table.to_html()
    assert html.count('<th scope="col">') == 4 and 'class="verdict verdict-clear-increase"' in html
    assert html.count('<td class="verdict-previous" data-label="Förra rapporten (2025Q3)">') == 3
    en = V.verdict_table(demo_findings("en"), previous=previous)
    assert en.columns[-1] == "Previous report (2025Q3)" and frame.shape == (3, 4)
    assert V.verdict_table(demo_findings(), previous=None).previous_period is None


def test_the_previous_mapping_is_checked():
    with pytest.raises(KeyError, match="lacks conf_high"):
        V.verdict_table(
            demo_findings(), previous={"days_to_fill": {"period": "2025Q3", "estimate": 1.0, "conf_low": 0, "tag": "x"}}
        )
    mixed = {
        "days_to_fill": {"period": "2025Q3", "estimate": 1.0, "conf_low": 0.0, "conf_high": 2.0, "tag": "x"},
        "late_withdrawal": {"period": "2025Q2", "estimate": 1.0, "conf_low": 0.0, "conf_high": 2.0, "tag": "x"},
    }
    with pytest.raises(ValueError, match="several periods"):
        V.verdict_table(demo_findings(), previous=mixed)
    with pytest.raises(ValueError, match="in 'en'"):
        V.verdict_table([*demo_findings(), *demo_findings("en")])


def test_the_table_escapes_its_text():
    table = V.verdict_table(
        demo_findings(),
        previous={
            "days_to_fill": {"period": "2025Q3", "estimate": 1.0, "conf_low": 0.0, "conf_high": 2.0, "tag": "<b>"}
        },
    )
    assert "<b>" not in table.to_html() and "&lt;b&gt;" in table.to_html()


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[k : k + 2], 16) / 255 for k in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_each_verdict_tag_has_a_css_tint_with_readable_text():
    css = (render.TEMPLATES_DIR / render.TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    for verdict in VERDICTS:
        rule = re.search(rf"\.{V.verdict_class(verdict)}\s*\{{([^}}]*)\}}", css)
        assert rule, f"no CSS rule for {verdict}"
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", rule.group(1)).group(1)
        colour = re.search(r"(?<!-)color:\s*(#[0-9a-fA-F]{6})", rule.group(1)).group(1)
        assert contrast(background, colour) >= 4.5, (verdict, background, colour)
        assert background.lower() != "#ffffff"
    # in print the word carries the verdict: a border, the text colour, no tint needed
    assert re.search(r"\.verdict\s*\{[^}]*border:\s*1px solid currentColor", css)


# --------------------------------------------------------------------------- show


def test_show_verdicts_marks_its_output_for_readers(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: shown.append((obj, metadata)))

    class Ctx:
        lang = "sv"

    table = V.verdict_table(demo_findings())
    show.verdicts(Ctx(), table)
    ((obj, metadata),) = shown
    assert metadata == {show.READER_KEY: {"reader": "verdicts"}}
    assert obj.data == table.to_html()
    assert "verdicts" in render.READER_OUTPUTS
    Ctx.lang = "en"
    with pytest.raises(ValueError, match="the table is in 'sv'"):
        show.verdicts(Ctx(), table)


# --------------------------------------------------------------------------- the chart


def _text_colour_contrast(fig) -> list[tuple[str, float]]:
    from matplotlib.colors import to_hex
    from matplotlib.text import Text

    fig.canvas.draw()
    return [
        (t.get_text(), contrast(to_hex(t.get_color()), "#ffffff"))
        for t in fig.findobj(Text)
        if t.get_text().strip() and t.get_visible()
    ]


@pytest.mark.parametrize("lang", texts.LANGUAGES)
def test_the_chart_shows_each_effect_with_its_interval_and_verdict(lang):
    table = V.verdict_table(demo_findings(lang))
    fig = verdict_chart(table)
    axes = fig.axes
    assert len(axes) == 3
    tag = "ingen säkerställd skillnad" if lang == "sv" else "no clear difference"
    assert [ax.get_title(loc="left") for ax in axes] == [f"{r.title}: {tag}" for r in table.rows]
    zero = "ingen skillnad" if lang == "sv" else "no difference"
    for ax, row in zip(axes, table.rows, strict=True):
        assert any(t.get_text() == zero for t in ax.texts), "the zero line is labelled"
        low, high = ax.get_xlim()
        assert low < row.conf_low < row.estimate < row.conf_high < high and low == -high, "symmetric around 0"
        lines = [c for c in ax.collections if len(c.get_segments())]
        (segment,) = lines[0].get_segments()  # the interval bar
        assert segment[0][0] == pytest.approx(row.conf_low) and segment[1][0] == pytest.approx(row.conf_high)
    for text, ratio in _text_colour_contrast(fig):
        assert ratio >= 4.5, (text, ratio)


def test_the_chart_describes_its_data():
    fig = verdict_chart(V.verdict_table(demo_findings()))
    alt = plain(fig.pilot_eval_alt)
    assert alt.startswith("Pilotens effekt, med 95 % osäkerhetsintervall. Tid till tillsättning: 7,0")
    assert "ingen säkerställd skillnad" in alt and alt.count(";") == 2
    data = fig.pilot_eval_data
    assert list(data.columns) == [
        "Mått",
        "Skattad effekt",
        "Osäkerhetsintervall, nedre gräns",
        "Osäkerhetsintervall, övre gräns",
        "Enhet",
        "Bedömning",
    ]
    assert data.map(lambda v: isinstance(v, str)).all().all(), "values already formatted"
    assert list(data.iloc[2]) == [
        "Behöriga sökande per annons",
        "7",
        "\u221212",
        "33",
        "procent",
        "ingen säkerställd skillnad",
    ]
    en = verdict_chart(V.verdict_table(demo_findings("en")))
    assert (
        en.pilot_eval_alt.startswith("The pilot's effect, with 95% uncertainty intervals. Time to fill")
        and "Measure" in en.pilot_eval_data
    )


# --------------------------------------------------------------------------- glossary, pre-trends, wording


def test_the_glossary_explains_the_terms_in_one_or_two_sentences():
    for lang in texts.LANGUAGES:
        entries = V.glossary(lang)
        assert len(entries) == 5
        for term, text in entries:
            assert term and 1 <= len(re.findall(r"[.!?](?:\s|$)", text)) <= 2, (term, text)
    terms = " ".join(term for term, _ in V.glossary("sv")).lower()
    for word in ("konfidensintervall", "osäkerhetsintervall", "styrka", "jämförelseförvaltningar", "permutationstest"):
        assert word in terms


def test_the_pre_trend_sentence():
    ok = plain(V.pretrend_result("days_to_fill", 0.7263))
    assert ok.startswith("Före piloten följdes grupperna åt för tiden till tillsättning") and "p = 0,73" in ok
    assert "under 0,05" in ok
    bad = plain(V.pretrend_result("late_withdrawal", 0.012, lang="en"))
    assert "developed differently" in bad and "p = 0.01" in bad and "below the limit 0.05" in bad
    assert "could not be run" in V.pretrend_result("late_withdrawal", float("nan"), lang="en")
    assert "0,004" in V.pretrend_result("days_to_fill", 0.004)


#: Negations; two in one clause make a double negative ("inte utesluta att … inte").
#: "utan" is left out: "inte slumpvis utan för att …" is "not … but".
NEGATIONS = {
    "sv": re.compile(r"\b(inte|ingen|inget|inga|aldrig|ej|icke|varken)\b", re.IGNORECASE),
    "en": re.compile(r"\b(not|no|never|none|nothing|cannot|neither|nor|without)\b|n't\b", re.IGNORECASE),
}
_CLAUSE = re.compile(r"[.;:?!]|,\s+(?:så|so)\s|\b(?:men|but)\b")


def double_negatives(text: str, lang: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if len(NEGATIONS[lang].findall(c)) > 1]


def test_the_double_negative_finder():
    assert double_negatives("Vi kan inte utesluta att piloten inte hade någon effekt.", "sv")
    assert double_negatives("We cannot say it had no effect.", "en")
    assert not double_negatives("Underlaget visar ingen säkerställd effekt. Det kan inte avgöras.", "sv")


def test_no_double_negatives_in_the_findings_and_summary_texts():
    found = [
        (where, lang, clause)
        for where, sv, en in texts.pairs()
        if where.startswith(("findings.", "summary.", "series.", "report.GROUP_EFFECT_RESULT", "report.CHECKS_RESULT"))
        for lang, text in (("sv", sv), ("en", en))
        for clause in double_negatives(text, lang)
    ]
    assert not found, found
    for lang in texts.LANGUAGES:
        for f in demo_findings(lang):
            assert not double_negatives(f.text(), lang)
        assert not double_negatives(V.answer(demo_findings(lang)), lang)


# --------------------------------------------------------------------------- "sedan förra rapporten"


def _saved(estimate, low, high, period="2025Q3", tag="no_clear_difference"):
    """One outcome's figures as headline.json keeps them (the estimator's units)."""
    return {"period": period, "estimate": estimate, "conf_low": low, "conf_high": high, "tag": tag}


def test_the_previous_figures_are_put_in_each_findings_unit():
    saved = {
        "days_to_fill": _saved(6.1, -5.0, 14.0),
        "late_withdrawal": _saved(0.039, 0.005, 0.07, tag="clear_increase"),
        "qualified_applicants_per_vacancy": _saved(0.12, -0.05, 0.3),
        "offer_acceptance": _saved(0.01, -0.02, 0.04),  # no finding of it: left out
    }
    found = demo_findings()
    converted = V.previous_in_reader_units(saved, found)
    assert set(converted) == {"days_to_fill", "late_withdrawal", "qualified_applicants_per_vacancy"}
    assert converted["days_to_fill"] == _saved(6.1, -5.0, 14.0)  # days as they are
    assert converted["late_withdrawal"]["estimate"] == pytest.approx(3.9)  # a share in percentage points
    assert converted["late_withdrawal"]["conf_high"] == pytest.approx(7.0)
    assert converted["qualified_applicants_per_vacancy"]["conf_low"] == pytest.approx(-5.0)  # ratio − 1 in per cent
    assert converted["late_withdrawal"]["tag"] == "clear_increase" and converted["days_to_fill"]["period"] == "2025Q3"
    # the previous effect reads as the earlier report's own finding read
    table = V.verdict_table(found, previous=converted)
    earlier = [
        finding("days_to_fill", 6.1, -5.0, 14.0),
        finding("late_withdrawal", 0.039, 0.005, 0.07),
        finding("qualified_applicants_per_vacancy", 0.12, -0.05, 0.3, row={"method": "poisson_did", "scale": "ratio"}),
    ]
    assert [r.previous.effect for r in table.rows] == [V.effect_words(f) for f in earlier]
    assert plain(table.rows[2].previous.effect) == "12 % fler (mellan 5 % färre och 30 % fler)"


def test_no_previous_report_gives_no_previous_column():
    found = demo_findings()
    assert V.previous_in_reader_units(None, found) is None
    assert V.previous_in_reader_units({}, found) is None
    assert V.previous_in_reader_units({"offer_acceptance": _saved(0.01, -0.02, 0.04)}, found) is None
    table = V.verdict_table(found, previous=V.previous_in_reader_units(None, found))
    assert table.previous_period is None and len(table.columns) == 3 and "Förra rapporten" not in table.to_html()


def test_a_previous_figure_that_was_not_finite_reads_as_unknown():
    saved = {"days_to_fill": _saved(None, None, None)}  # headline.json keeps a non-finite figure as null
    converted = V.previous_in_reader_units(saved, demo_findings()[:1])
    table = V.verdict_table(demo_findings()[:1], previous=converted)
    assert table.rows[0].previous.effect == texts.summary.EFFECT["unknown"][0]
