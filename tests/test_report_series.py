"""The reports as a series: one folder per period and language, the reports folder's index,
and the previous report's headline figures ("sedan förra rapporten")."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import report_fixtures as fx

from pilot_eval.report import render, sections, series, stages
from pilot_eval.report.runner import run_report

# ---------------------------------------------------------------- fast: from files on disk


def _publish(out: Path, period: str, lang: str, *, failed=(), synthetic=True, cut_date=None, pages=None) -> Path:
    """A published folder as the runner leaves it: its provenance.json and empty pages."""
    folder = render.published_dir(out, period, lang)
    folder.mkdir(parents=True)
    names = pages or ["00_sammanfattning", "01_data_quality", "02_effekter"]
    notebooks = [
        {
            "name": n,
            "title": f"Sida {n}" if lang == "sv" else f"Page {n}",
            "status": "failed" if n in failed else "ok",
            "html": f"{n}.html",
        }
        for n in names
    ]
    record = {
        "period": period,
        "created": "2026-01-15T09:30:12+01:00",
        "lang": lang,
        "parameters": {"processed_dir": "…/demo/2025Q4"},
        "data": {"cut_date": cut_date or f"{period[:4]}-12-31", "synthetic": synthetic},
        "input_files": [{"table": "vacancies", "file": "rekryteringar.csv", "sha256": "ab" * 32}],
        "notebooks": notebooks,
        "exit_code": 1 if failed else 0,
    }
    (folder / "provenance.json").write_text(json.dumps(record), encoding="utf-8")
    for n in ["index", *names]:
        (folder / f"{n}.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    return folder


def _save(out: Path, period: str, lang: str, outcomes: dict, *, cut_date=None, synthetic=True) -> Path:
    """The headline.json a published report's run saves in its working folder."""
    folder = stages.work_dir(out, period, lang)
    folder.mkdir(parents=True, exist_ok=True)
    content = {
        "period": period,
        "cut_date": cut_date or f"{period[:4]}-12-31",
        "synthetic": synthetic,
        "outcomes": {o: dict(f, period=period) for o, f in outcomes.items()},
    }
    (folder / series.HEADLINE_FILE).write_text(json.dumps(content), encoding="utf-8")
    return folder


def _figures(estimate: float, tag: str = "no_clear_difference") -> dict:
    return {"estimate": estimate, "conf_low": estimate - 5, "conf_high": estimate + 5, "tag": tag}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.langs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        if "lang" in attrs:
            self.langs.append(attrs["lang"])

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_reports_index_lists_every_period_and_language_newest_first_with_status(tmp_path):
    _publish(tmp_path, "2025Q3", "sv", failed=["02_effekter"])
    _publish(tmp_path, "2025Q4", "sv")
    _publish(tmp_path, "2025Q4", "en", synthetic=False)
    (tmp_path / "2025Q2").mkdir()  # a period folder with nothing published: not listed
    (tmp_path / "notes").mkdir()  # not a period
    written = series.write_index(tmp_path)
    assert written == [tmp_path / "index.html", tmp_path / "index.en.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "index.en.html",
        "index.html",
        "notes",
    ]

    sv = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert sv.startswith('<!DOCTYPE html>\n<html lang="sv">')
    page = _parse(tmp_path / "index.html")
    # the latest period first, Swedish before English; the summary, then the contents page
    assert page.links == [
        "index.en.html",
        "2025Q4/sv/00_sammanfattning.html",
        "2025Q4/sv/index.html",
        "2025Q4/en/00_sammanfattning.html",
        "2025Q4/en/index.html",
        "2025Q3/sv/00_sammanfattning.html",
        "2025Q3/sv/index.html",
    ]
    for link in page.links:  # links go down into the period folders only
        assert (tmp_path / link).is_file() and not link.startswith(("/", ".."))
    text = " ".join(" ".join(page.text).split())
    assert "kv. 4 2025 (2025Q4)" in text and "kv. 3 2025 (2025Q3)" in text
    assert text.index("2025Q4") < text.index("2025Q3")
    assert "Skapad 2026-01-15 09:30" in text and "Data till och med 31 december 2025" in text
    assert "Status alla sidor klara" in text
    assert "1 av 3 sidor ofullständiga: Sida 02_effekter" in text
    assert "Data Demodata" in text and "Data rekryteringar.csv" in text  # the export: its files by name
    assert "På engelska" in text and "Rapporter märkta ”Demodata”" in text
    assert page.langs == ["sv", "en", "sv"]  # the page, the link to the English index, a failed page's title
    # no more than the published records say: no path, no hash, no parameter
    for absent in ("…/demo", "processed_dir", "ab" * 32, str(tmp_path)):
        assert absent not in sv, absent

    en = _parse(tmp_path / "index.en.html")
    assert (tmp_path / "index.en.html").read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">')
    assert en.links[0] == "index.html" and en.links[1:] == page.links[1:]
    en_text = " ".join(" ".join(en.text).split())
    assert "Q4 2025 (2025Q4)" in en_text and "1 of 3 pages incomplete: Sida 02_effekter" in en_text
    assert "Data up to 31 December 2025" in en_text and "In Swedish" in en_text and "Demo data" in en_text


def test_an_empty_reports_folder_has_an_index_that_says_so(tmp_path):
    series.write_index(tmp_path)
    assert "Det finns inga rapporter ännu." in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "There are no reports yet." in (tmp_path / "index.en.html").read_text(encoding="utf-8")


def test_the_index_uses_the_pages_template_and_fetches_nothing(tmp_path):
    _publish(tmp_path, "2025Q4", "sv")
    series.write_index(tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert ":root {" in html and ".series .series-report" in html  # report.css, inline
    assert render.external_fetches(html) == [] and "<script" not in html
    assert '<main class="series">' in html and '<p class="banner synthetic">' in html.split("<main", 1)[1]


def test_the_previous_headline_is_the_latest_earlier_period_of_the_same_kind_of_data(tmp_path):
    assert series.previous_headline(tmp_path, "2025Q4", "sv", synthetic=True) is None  # nothing rendered
    _publish(tmp_path, "2025Q2", "sv")
    _save(tmp_path, "2025Q2", "sv", {"days_to_fill": _figures(4.0)})
    _publish(tmp_path, "2025Q3", "en")
    _save(tmp_path, "2025Q3", "en", {"days_to_fill": _figures(6.5)})
    _publish(tmp_path, "2025Q4", "sv")
    _save(tmp_path, "2025Q4", "sv", {"days_to_fill": _figures(7.0)})
    # the latest earlier period, in either language: 2025Q3 (English only)
    got = series.previous_headline(tmp_path, "2025Q4", "sv", synthetic=True)
    assert got == {"days_to_fill": {"period": "2025Q3", **_figures(6.5)}}
    assert series.previous_headline(tmp_path, "2025Q3", "sv", synthetic=True)["days_to_fill"]["period"] == "2025Q2"
    assert series.previous_headline(tmp_path, "2025Q2", "sv", synthetic=True) is None  # the first report
    assert series.previous_headline(tmp_path, "2026Q1", "sv", synthetic=True)["days_to_fill"]["estimate"] == 7.0
    # the export is never compared with demo data
    assert series.previous_headline(tmp_path, "2025Q4", "sv", synthetic=False) is None
    # the same language is preferred when both are there
    _publish(tmp_path, "2025Q3", "sv")
    _save(tmp_path, "2025Q3", "sv", {"days_to_fill": _figures(6.0)})
    assert series.previous_headline(tmp_path, "2025Q4", "sv", synthetic=True)["days_to_fill"]["estimate"] == 6.0
    assert series.previous_headline(tmp_path, "2025Q4", "en", synthetic=True)["days_to_fill"]["estimate"] == 6.5


def test_saved_figures_of_other_data_than_the_published_report_are_not_used(tmp_path):
    """A headline.json whose cut date is not the published report's (a later run that
    published nothing), or that is missing, is passed over for the period before it."""
    _publish(tmp_path, "2025Q2", "sv")
    _save(tmp_path, "2025Q2", "sv", {"days_to_fill": _figures(4.0)})
    _publish(tmp_path, "2025Q3", "sv", cut_date="2025-09-30")
    _save(tmp_path, "2025Q3", "sv", {"days_to_fill": _figures(6.5)}, cut_date="2025-08-31")
    _publish(tmp_path, "2025Q1", "sv")  # no figures saved
    assert series.previous_headline(tmp_path, "2025Q4", "sv", synthetic=True)["days_to_fill"]["period"] == "2025Q2"
    assert series.previous_headline(tmp_path, "2025Q2", "sv", synthetic=True) is None


def test_since_last_report_says_what_changed_in_the_pages_language():
    before = {
        "days_to_fill": {"period": "2025Q3", **_figures(6.5, "no_clear_difference")},
        "late_withdrawal": {"period": "2025Q3", **_figures(0.012)},
        "qualified_applicants_per_vacancy": {"period": "2025Q3", **_figures(-0.31)},
    }
    now = {
        "days_to_fill": {"period": "2025Q4", **_figures(7.0, "clear_increase")},
        "late_withdrawal": {"period": "2025Q4", **_figures(0.008)},
        "qualified_applicants_per_vacancy": {"period": "2025Q4", **_figures(-0.2)},
    }
    sv = series.since_last_report(before, now, lang="sv").replace("\xa0", " ")
    assert sv == (
        "Sedan förra rapporten (2025Q3) har skattningen för tid till tillsättning ändrats från +6,5 till "
        "+7,0 dagar, för återtagna ansökningar från +1,2 till +0,8 procentenheter och för behöriga sökande "
        "per annons från −0,31 till −0,20 sökande per annons; bedömningen för tid till tillsättning är nu "
        "”tydlig ökning” (förut ”ingen säkerställd skillnad”)."
    )
    en = series.since_last_report(before, now, lang="en").replace("\xa0", " ")
    assert en.startswith(
        "Since the previous report (2025Q3), the estimate for time to fill has changed from +6.5 to +7.0 days"
    )
    assert "for qualified applicants per advert from -0.31 to -0.20 applicants per advert" in en
    assert en.endswith("the verdict for time to fill is now “clear increase” (before: “no clear difference”).")
    same = {o: dict(f, tag=before[o]["tag"]) for o, f in now.items()}
    assert series.since_last_report(before, same, lang="sv").endswith("; bedömningarna är desamma.")
    # a Poisson outcome in per cent; no previous report, or no outcome in both: no sentence
    ratio = series.since_last_report(
        {"qualified_applicants_per_vacancy": {"period": "2025Q3", **_figures(0.12)}},
        {"qualified_applicants_per_vacancy": {"period": "2025Q4", **_figures(-0.05)}},
        ratios=["qualified_applicants_per_vacancy"],
    )
    assert "från +12 till −5\xa0%" in ratio
    assert series.since_last_report(None, now) is None and series.since_last_report({}, now) is None
    assert (
        series.since_last_report({"days_to_fill": before["days_to_fill"]}, {"late_withdrawal": now["late_withdrawal"]})
        is None
    )


def test_sections_give_the_notebooks_the_previous_headline_or_none():
    held = {"days_to_fill": {"period": "2025Q3", **_figures(6.5)}}
    assert sections.previous_headline(SimpleNamespace(estimates=SimpleNamespace(previous_headline=held))) == held
    assert sections.previous_headline(SimpleNamespace(estimates=SimpleNamespace(previous_headline={}))) is None
    first = SimpleNamespace(estimates=SimpleNamespace(previous_headline={}), lang="sv")
    assert sections.since_last_report(first) is None


# ---------------------------------------------------------------- slow: reports run into one folder


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return fx.once(tmp_path_factory, "processed", fx.processed_data) / "processed"


@pytest.mark.slow
def test_two_periods_and_two_languages_in_one_reports_folder(processed, tmp_path):
    """2025Q3 in Swedish (a page fails), then 2025Q4 in Swedish and in English: every report
    has its own folders; the English run leaves the Swedish report as it was, byte for byte;
    the reports folder's index lists all three with their status; 2025Q4's estimates hold the
    figures 2025Q3 saved, and 2025Q3, the first report, has none."""
    out = tmp_path / "reports"
    notebooks = fx.notebooks(tmp_path / "notebooks", "02_utan_titel", "03_fel")
    only_ok = fx.notebooks(tmp_path / "ok", "02_utan_titel")
    runs = {}
    with contextlib.redirect_stdout(io.StringIO()) as said, contextlib.redirect_stderr(io.StringIO()):
        runs["q3"] = run_report("2025Q3", processed_dir=processed, out_dir=out, notebooks_dir=notebooks, jobs=1)
        runs["sv"] = run_report(fx.PERIOD, processed_dir=processed, out_dir=out, notebooks_dir=only_ok, jobs=1)
        sv = render.published_dir(out, fx.PERIOD, "sv")
        before = {"published": _hashes(sv), "work": _hashes(stages.work_dir(out, fx.PERIOD, "sv"))}
        runs["en"] = run_report(
            fx.PERIOD, processed_dir=processed, out_dir=out, notebooks_dir=only_ok, lang="en", jobs=1
        )
    assert [r.exit_code for r in runs.values()] == [1, 0, 0]
    en = render.published_dir(out, fx.PERIOD, "en")
    assert runs["sv"].index == sv / "index.html" and runs["en"].index == en / "index.html"
    assert said.getvalue().strip().splitlines()[-1] == str(en / "index.html")
    # the English report beside the Swedish one, which it did not touch
    assert sorted(p.name for p in (out / fx.PERIOD).iterdir()) == ["en", "sv"]
    assert _hashes(sv) == before["published"]
    assert _hashes(stages.work_dir(out, fx.PERIOD, "sv")) == before["work"]
    assert '<html lang="en">' in (en / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in (sv / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / ".work" / fx.PERIOD).iterdir()) == ["en", "sv"]
    # the reports folder's index: the three reports, the latest period first, with status
    page = _parse(out / "index.html")
    assert [u for u in page.links if u.endswith("index.html")] == [
        "2025Q4/sv/index.html",
        "2025Q4/en/index.html",
        "2025Q3/sv/index.html",
    ]
    text = " ".join(" ".join(page.text).split())
    assert text.count("alla sidor klara") == 2 and "1 av 2 sidor ofullständiga: En sida som misslyckas" in text
    for link in page.links:
        assert (out / link).is_file(), link
    # no published page links up out of its folder (a period folder mailed alone still works)
    for html in [*sv.glob("*.html"), *en.glob("*.html")]:
        assert not [u for u in re.findall(r'href="([^"]*)"', html.read_text(encoding="utf-8")) if ".." in u], html
    # "sedan förra rapporten": 2025Q4 holds what 2025Q3 saved
    q3 = json.loads((stages.work_dir(out, "2025Q3", "sv") / series.HEADLINE_FILE).read_text(encoding="utf-8"))
    assert set(q3["outcomes"]) == {"days_to_fill", "late_withdrawal", "qualified_applicants_per_vacancy"}
    for figures in q3["outcomes"].values():
        assert set(figures) == set(series.HEADLINE_KEYS) and figures["period"] == "2025Q3"
        assert figures["conf_low"] <= figures["estimate"] <= figures["conf_high"]
    first = stages.ReportEstimates.load(stages.work_dir(out, "2025Q3", "sv") / "estimates")
    assert sections.previous_headline(SimpleNamespace(estimates=first)) is None
    for lang in ("sv", "en"):
        held = stages.ReportEstimates.load(stages.work_dir(out, fx.PERIOD, lang) / "estimates")
        assert sections.previous_headline(SimpleNamespace(estimates=held)) == q3["outcomes"]
    # the same data in both periods here: the sentence says nothing changed
    ctx = SimpleNamespace(estimates=held, period=fx.PERIOD, lang="sv")
    sentence = sections.since_last_report(ctx)
    assert sentence.startswith("Sedan förra rapporten (2025Q3) har skattningen för ")
    assert "tid till tillsättning" in sentence and ("ändrats från" in sentence or "legat kvar på" in sentence)
    assert sentence.endswith("; bedömningarna är desamma.")


def test_a_figure_that_reads_as_before_is_said_to_have_stayed_not_changed_from_itself():
    before = {
        "days_to_fill": {"period": "2025Q3", **_figures(5.75)},
        "late_withdrawal": {"period": "2025Q3", **_figures(0.018)},
    }
    now = {
        "days_to_fill": {"period": "2025Q4", **_figures(5.81)},  # +5,8 both times
        "late_withdrawal": {"period": "2025Q4", **_figures(0.019)},
    }
    sv = series.since_last_report(before, now, lang="sv").replace("\xa0", " ")
    assert sv == (
        "Sedan förra rapporten (2025Q3) har skattningen för återtagna ansökningar ändrats från +1,8 till +1,9 "
        "procentenheter och för tid till tillsättning legat kvar på +5,8 dagar; bedömningarna är desamma."
    )
    en = series.since_last_report({"days_to_fill": before["days_to_fill"]}, now, lang="en").replace("\xa0", " ")
    assert en == (
        "Since the previous report (2025Q3), the estimate for time to fill has stayed at +5.8 days; "
        "the verdicts are the same."
    )
