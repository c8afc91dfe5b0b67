"""The synthetic demo export written as three real sources write their data (issue 19).

:func:`write_layout` writes a :class:`pilot_eval.demo.DemoExport` in the layout of
Teamtailor, EasyCruit or Platsbanken, so that the shipped mapping profiles
(``mappings/<layout>.yaml``) can be tried and tested on data that looks like what a
municipality's analyst gets. ``pilot-eval demo-data --layout X --out DIR`` calls it.

**What is public and what is this project's assumption.** Only the names listed in
issue 19 are taken from the systems' public documentation; every other file name, header
and value label below is this project's assumption, marked *(assumed)*, and a real
export may name it differently (the profile is then edited, or drafted afresh with
``pilot-eval map suggest``):

* **teamtailor** — the API's resources flattened to CSV, one file per resource, dotted
  paths for relationships (``relationships.job.data.id``), timestamps ISO 8601 with the
  Stockholm offset (``2025-03-04T09:12:00+01:00``).

  - ``job-applications.csv``: ``id``, ``created-at``, ``changed-stage-at``,
    ``updated-at``, ``sourced`` and the links ``relationships.candidate.data.id``,
    ``relationships.job.data.id``, ``relationships.stage.data.id``,
    ``relationships.reject-reason.data.id`` (public); the municipality's custom fields
    ``custom-fields.internal``, ``custom-fields.qualified``, ``custom-fields.gender``,
    ``custom-fields.age-band`` with Swedish labels *(assumed: Teamtailor has custom
    fields, these names and their flattening are ours)*.
  - ``stages.csv``: ``id``, ``name``, ``row-order`` (public); the stage names (Inbox,
    Screening, Interview, References, Background check, Offer, Hired, Started) *(assumed)*.
  - ``stage-changes.csv``: the activity log flattened, one row per application × stage
    change: ``id``, ``created-at``, ``to-stage`` (the stage's name, or the end of the
    process: Rejected, Withdrawn, Offer declined, Job cancelled) and
    ``relationships.job-application.data.id`` *(assumed: the log's layout is not public;
    its times are the ``changed-stage-at`` events)*.
  - ``job-offers.csv``: ``status``, ``response``, ``sent-at``, ``answered-at`` (public),
    ``id`` and the links ``relationships.job-application.data.id``,
    ``relationships.job.data.id``; the values of status (sent/accepted/declined) and
    response (yes/no) *(assumed)*.
  - ``jobs.csv``: ``id``, ``title``, ``status``, ``human-status``, ``created-at``,
    ``internal`` (public), ``relationships.department.data.id`` *(assumed)*;
    ``departments.csv``: ``id``, ``name`` *(assumed)*.
  - ``reject-reasons.csv``: ``id``, ``reason``, ``rejected-by-company`` *(assumed)*:
    the candidate's own reasons for withdrawing, linked to a withdrawn application, and
    the company's "Not qualified" (``rejected-by-company`` true), linked to every
    rejected application, where the contract's ``withdrawal_reason`` is empty.
  - ``job-custom-fields.csv``: the contract's vacancy fields Teamtailor does not have,
    kept by HR as the job's custom fields, keyed by ``job-id`` *(assumed)*.

* **easycruit** — the "Application Extract" workbook, at most one year per extract, so
  one file per year of submission: ``Application Extract <year>.xlsx``, sheet
  ``Application Extract``. Public columns: ``Candidate ID``, ``Vacancy ID``, ``Vacancy
  Reference Number``, ``Vacancy Title``, ``Department ID``, ``Department Name``,
  ``Application Status`` (values such as Saved, Interview 1, Rejected) and ``Application
  Updated``. *Assumed*: ``Application ID``, ``Application Date``, ``Internal Applicant``,
  ``Qualified``, ``Highest Status``, ``Withdrawn Date``, ``Withdrawn At Status``,
  ``Withdrawal Reason``, ``Offer Date``, ``Gender``, ``Age Group``, the other status labels
  and the vacancy file ``Vacancy Extract.xlsx`` (sheet ``Vacancy Extract``) with the
  vacancy's fields in English.

* **platsbanken** — Arbetsförmedlingen's job-ad data as JSON Lines, one file per year
  of first publication (``platsbanken-<year>.jsonl``), every field a nullable string:
  ``PLATSNUMMER``, ``PLATSRUBRIK``, ``AG_NAMN``, ``KOMMUN_KOD``,
  ``FORSTA_PUBLICERINGSDATUM``, ``SISTA_ANSOK_PUBLDATUM``, ``ANTAL_AKT_PLATSER``,
  ``YRKE_ID`` (public; ``YRKE_ID`` is Arbetsförmedlingen's own occupation code, which the
  demo does not know: it is null). The dates' text form ``YYYY-MM-DDTHH:MM:SS`` is
  *assumed*. What the HR system must add is ``hr-annonser.csv`` *(assumed)*: the
  contract's vacancy fields Platsbanken lacks, keyed by ``Platsnummer``, in the contract's
  Swedish headers and labels, ``;``-separated Windows-1252 as a Swedish system writes it.

The contract tables a source does not have (Teamtailor: background_checks,
pilot_rollout, staffing_monthly; EasyCruit: the same; Platsbanken: everything but the
vacancies) are written beside, as the contract's own CSV files, which ingest reads
directly (docs/mapping.md).

**Identifiers** are numbers written as text with leading zeros (``0000042``), this
project's choice so that the tests see them kept: :func:`layout_export` gives the demo
export with those identifiers, which is what the layout's files hold and what a direct
ingest is compared with.

Output is deterministic: the same export gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract as C
from .demo import DemoExport, _atomic_write_bytes, _export_frame, _write_csv, _write_xlsx
from .paths import PROFILES

__all__ = ["LAYOUTS", "layout_export", "write_layout", "TEAMTAILOR_STAGES", "TEAMTAILOR_ENDS"]

LAYOUTS = PROFILES  # one demo layout per shipped profile

#: Teamtailor's stages of the demo (assumed names), by contract stage number.
TEAMTAILOR_STAGES = ("Inbox", "Screening", "Interview", "References", "Background check", "Offer", "Hired", "Started")
#: The end events in Teamtailor's stage history (assumed labels), by contract final status.
TEAMTAILOR_ENDS = {
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "declined_offer": "Offer declined",
    "cancelled": "Job cancelled",
}
_REASONS = {  # reject reasons a candidate gives (assumed texts), by withdrawal_reason
    "other_job": "Accepted another job",
    "process_length": "The process took too long",
    "background_check": "The background check",
    "personal": "Personal reasons",
    "unknown": "No reason given",
}
_COMPANY_REASON = "Not qualified"  # the company's reason on a rejected application (assumed text)
EASYCRUIT_STAGES = (
    "New",
    "Saved",
    "Interview 1",
    "References",
    "Background Check",
    "Offer",
    "Offer Accepted",
    "Started",
)
EASYCRUIT_ENDS = {
    "hired": "Hired",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "declined_offer": "Offer Declined",
    "cancelled": "Vacancy Cancelled",
}
_TZ = "Europe/Stockholm"
_ID_WIDTH = {"vacancy": 7, "application": 11, "platsnummer": 8}


# --------------------------------------------------------------------------- identifiers


def _numbered(n: int, width: int, start: int = 1) -> np.ndarray:
    return np.char.zfill(np.arange(start, start + n).astype(str), width).astype(object)


def layout_export(export: DemoExport, layout: str) -> DemoExport:
    """The demo export with the identifiers the layout writes: numbers as text with
    leading zeros (vacancies ``0000001`` …, applications ``00000000001`` …; Platsbanken
    renumbers the vacancies only, as its advert numbers, ``00000001`` …). References
    (``applications.vacancy_id``, ``vacancies.readvertisement_of``,
    ``background_checks.application_id``) follow. Everything else is unchanged."""
    _check_layout(layout)
    tables = {name: frame.copy() for name, frame in export.tables.items()}
    vac, app = tables["vacancies"], tables["applications"]
    width = _ID_WIDTH["platsnummer" if layout == "platsbanken" else "vacancy"]
    vmap = pd.Series(_numbered(len(vac), width), index=vac["vacancy_id"].to_numpy())
    vac["vacancy_id"] = vmap.to_numpy()
    vac["readvertisement_of"] = vac["readvertisement_of"].map(vmap).astype(object)
    vac.loc[vac["readvertisement_of"].isna(), "readvertisement_of"] = None
    app["vacancy_id"] = app["vacancy_id"].map(vmap).to_numpy()
    if layout != "platsbanken":
        amap = pd.Series(_numbered(len(app), _ID_WIDTH["application"]), index=app["application_id"].to_numpy())
        app["application_id"] = amap.to_numpy()
        if "background_checks" in tables:
            checks = tables["background_checks"]
            checks["application_id"] = checks["application_id"].map(amap).to_numpy()
    return DemoExport(tables=tables, truth=export.truth)


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; the layouts are {', '.join(LAYOUTS)}")


# --------------------------------------------------------------------------- helpers


def _days(s: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 (int64); -1 for NaT."""
    v = s.to_numpy(dtype="datetime64[ns]")
    out = v.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(v), -1, out)


def _iso_local(minutes: np.ndarray) -> np.ndarray:
    """Local Stockholm minutes since 1970-01-01 (no time 02:00-03:59, so never a
    nonexistent or repeated hour) as ISO 8601 with the offset, ``2025-03-04T09:12:00+01:00``."""
    codes, uniques = pd.factorize(minutes)
    stamps = pd.to_datetime(np.asarray(uniques, dtype=np.int64) * 60, unit="s").tz_localize(_TZ)
    text = pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S%z"))
    return (text.str[:-2] + ":" + text.str[-2:]).to_numpy(dtype=object)[codes]  # +0100 -> +01:00


def _iso_date(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as ``YYYY-MM-DD`` ("" for -1)."""
    codes, uniques = pd.factorize(days)
    text = pd.to_datetime(np.asarray(uniques, dtype=np.int64), unit="D").strftime("%Y-%m-%d").to_numpy(dtype=object)
    text = np.where(np.asarray(uniques) < 0, "", text)
    return text[codes]


def _clock(n: int, salt: int) -> np.ndarray:
    """A deterministic local time of day in minutes: 00:00-01:59 or 04:00-21:59 (never the
    hours a change of summer time skips or repeats, never so late that a later event of the
    same day passes midnight)."""
    m = (np.arange(n, dtype=np.int64) * 7919 + salt * 104729) % (20 * 60)
    return np.where(m >= 120, m + 120, m)


def _write_frame(frame: pd.DataFrame, path: Path) -> Path:
    def w(tmp: Path):
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", na_rep="")

    _atomic_write_bytes(path, w)
    return path


def _contract_csv(export: DemoExport, out: Path, tables) -> list[Path]:
    """Tables the source does not have, as the contract's own CSV files."""
    written = []
    for name in tables:
        spec = C.TABLES[name]
        frame = _export_frame(export.tables[name], spec, swedish=False, for_excel=False)
        path = out / f"{spec.name}.csv"
        _write_csv(frame, path, swedish=False, encoding="utf-8")
        written.append(path)
    return written


def _truth(export: DemoExport, out: Path) -> Path:
    path = out / "truth.json"
    text = json.dumps(export.truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _atomic_write_bytes(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def _sv(table: str, column: str, values: pd.Series) -> np.ndarray:
    """Canonical enum values as their Swedish labels (None stays None)."""
    col = C.TABLES[table].column(column)
    return values.map({v: col.swedish_display_label(v) for v in col.values}).to_numpy(dtype=object)


def _en(values: pd.Series, labels: dict | None = None) -> np.ndarray:
    """Canonical enum values as English labels (``fixed_term`` -> ``Fixed term``)."""
    labels = labels or {}
    return values.map(lambda v: None if v is None or v != v else labels.get(v, str(v).replace("_", " ").capitalize()))


def _yes_no(values: pd.Series, yes: str, no: str) -> np.ndarray:
    return np.where(values.to_numpy(bool), yes, no).astype(object)


def _cut_day(export: DemoExport, app: pd.DataFrame) -> int:
    cut = export.truth.get("cut_date")
    if cut:
        return int(np.datetime64(cut, "D").astype(np.int64))
    return int(_days(app["submitted_date"]).max())


# --------------------------------------------------------------------------- Teamtailor


def _teamtailor_events(app: pd.DataFrame, cut: int) -> pd.DataFrame:
    """The stage history of each application: Inbox at submission, each stage up to the
    highest reached, then the end event (none for hired and in progress). Days are the
    contract's dates where it has them (submission, offer, withdrawal), spread evenly
    between them otherwise; times rise within an application."""
    n = len(app)
    h = app["highest_stage"].to_numpy(dtype=np.int64)
    final = app["final_status"].to_numpy(dtype=object)
    s_day = _days(app["submitted_date"])
    o_day = _days(app["offer_date"])
    w_day = _days(app["withdrawn_date"])
    withdrawn = final == "withdrawn"
    ends = np.isin(final, list(TEAMTAILOR_ENDS))
    # anchor of the stages before an offer
    plain = np.maximum(np.minimum(s_day + 2 * h, cut), s_day)
    anchor = np.where(h >= 5, o_day, np.where(withdrawn, w_day, plain))
    pre = np.minimum(h, 4)
    count = 1 + h + ends.astype(np.int64)
    idx = np.repeat(np.arange(n), count)
    starts = np.cumsum(count) - count
    k = np.arange(len(idx)) - starts[idx]  # 0 = Inbox, 1..h = stages, h+1 = end
    stage = k.copy()
    is_end = k > h[idx]
    stage[is_end] = -1
    day = np.empty(len(idx), dtype=np.int64)
    si, ai, pi = s_day[idx], anchor[idx], pre[idx]
    first = k == 0
    day[first] = si[first]
    m = (k >= 1) & (k <= 4) & ~is_end
    day[m] = si[m] + (k[m] * (ai[m] - si[m])) // (pi[m] + 1)
    m = (k >= 5) & ~is_end
    oi = o_day[idx]
    day[m] = np.maximum(oi[m], np.minimum(oi[m] + 2 * (k[m] - 5), cut))
    last = np.where(is_end, 0, day)
    last_day = pd.Series(last).groupby(idx).transform("max").to_numpy()
    end_day = np.where(
        final[idx] == "withdrawn",
        w_day[idx],
        np.maximum(last_day, np.minimum(last_day + 1, cut)),
    )
    day[is_end] = end_day[is_end]
    clock = np.where(first, _clock(n, 1)[idx], 600 + k)
    minute = day * 1440 + clock
    rise = pd.Series(minute - k).groupby(idx).cummax().to_numpy() + k  # strictly later within an application
    label = np.empty(len(idx), dtype=object)
    stages = np.array(TEAMTAILOR_STAGES, dtype=object)
    label[~is_end] = stages[stage[~is_end]]
    label[is_end] = pd.Series(final[idx][is_end]).map(TEAMTAILOR_ENDS).to_numpy(dtype=object)
    return pd.DataFrame({"app": idx, "k": k, "stage": stage, "minute": rise, "label": label})


def _write_teamtailor(export: DemoExport, out: Path) -> list[Path]:
    vac, app = export.tables["vacancies"], export.tables["applications"]
    n = len(app)
    cut = _cut_day(export, app)
    written: list[Path] = []
    # departments and stages
    adm = C.TABLES["vacancies"].column("administration")
    dept_id = {code: f"{i + 1:04d}" for i, code in enumerate(adm.values)}
    departments = pd.DataFrame(
        {"id": list(dept_id.values()), "name": [adm.swedish_display_label(v) for v in adm.values]}
    )
    written.append(_write_frame(departments, out / "departments.csv"))
    stage_ids = [f"{i + 1:02d}" for i in range(len(TEAMTAILOR_STAGES))]
    stages = pd.DataFrame({"id": stage_ids, "name": list(TEAMTAILOR_STAGES), "row-order": range(8)})
    written.append(_write_frame(stages, out / "stages.csv"))
    reasons = pd.DataFrame(
        {
            "id": [f"{i + 1}" for i in range(len(_REASONS) + 1)],
            "reason": [*_REASONS.values(), _COMPANY_REASON],
            "rejected-by-company": ["false"] * len(_REASONS) + ["true"],
        }
    )
    reason_id = dict(zip(_REASONS, reasons["id"], strict=False))
    company_reason_id = reasons["id"].iloc[-1]
    written.append(_write_frame(reasons, out / "reject-reasons.csv"))
    # jobs and their custom fields
    pub = _days(vac["published_date"])
    is_open = vac["status"].to_numpy(dtype=object) == "open"
    jobs = pd.DataFrame(
        {
            "id": vac["vacancy_id"].to_numpy(dtype=object),
            "title": _sv("vacancies", "role_group", vac["role_group"]),
            "status": np.where(is_open, "open", "archived").astype(object),
            "human-status": np.where(is_open, "Published", "Archived").astype(object),
            "created-at": _iso_local(pub * 1440 + 8 * 60 + (np.arange(len(vac)) % 50)),
            "internal": "false",
            "relationships.department.data.id": vac["administration"].map(dept_id).to_numpy(dtype=object),
        }
    )
    written.append(_write_frame(jobs, out / "jobs.csv"))
    dates = {c: _iso_date(_days(vac[c])) for c in ("closing_date", "first_offer_date", "accepted_date")}
    dates.update({c: _iso_date(_days(vac[c])) for c in ("start_date", "closed_date")})
    custom = pd.DataFrame(
        {
            "job-id": vac["vacancy_id"].to_numpy(dtype=object),
            "role-group": _sv("vacancies", "role_group", vac["role_group"]),
            "ssyk": vac["ssyk_code"].to_numpy(dtype=object),
            "employment-type": _sv("vacancies", "employment_type", vac["employment_type"]),
            "positions": vac["positions"].to_numpy(),
            "manager": _yes_no(vac["is_manager"], "Ja", "Nej"),
            "statutory-check": _sv("vacancies", "statutory_check", vac["statutory_check"]),
            "deadline": dates["closing_date"],
            "first-offer": dates["first_offer_date"],
            "accepted": dates["accepted_date"],
            "start": dates["start_date"],
            "closed": dates["closed_date"],
            "outcome": _sv("vacancies", "status", vac["status"]),
            "readvertisement-of": vac["readvertisement_of"].to_numpy(dtype=object),
            "check-in-ad": _yes_no(vac["check_in_ad"], "Ja", "Nej"),
        }
    )
    written.append(_write_frame(custom, out / "job-custom-fields.csv"))
    # the stage history
    ev = _teamtailor_events(app, cut)
    app_ids = app["application_id"].to_numpy(dtype=object)
    stamps = _iso_local(ev["minute"].to_numpy())
    changes = pd.DataFrame(
        {
            "id": _numbered(len(ev), 11),
            "created-at": stamps,
            "to-stage": ev["label"].to_numpy(dtype=object),
            "relationships.job-application.data.id": app_ids[ev["app"].to_numpy()],
        }
    )
    written.append(_write_frame(changes, out / "stage-changes.csv"))
    # applications
    evi = ev["app"].to_numpy()
    staged = ev["stage"].to_numpy() >= 0
    first_at = stamps[ev["k"].to_numpy() == 0]
    last_stage_pos = pd.Series(np.flatnonzero(staged)).groupby(evi[staged]).max().to_numpy()
    last_pos = pd.Series(np.arange(len(ev))).groupby(evi).max().to_numpy()
    h = app["highest_stage"].to_numpy(dtype=np.int64)
    reason = app["withdrawal_reason"].map(reason_id)
    gender = _sv("applications", "gender", app["gender"])
    age = _sv("applications", "age_band", app["age_band"])
    applications = pd.DataFrame(
        {
            "id": app_ids,
            "created-at": first_at,
            "changed-stage-at": stamps[last_stage_pos],
            "updated-at": stamps[last_pos],
            "sourced": "false",
            "relationships.candidate.data.id": _numbered(n, 11, start=50_000_001),
            "relationships.job.data.id": app["vacancy_id"].to_numpy(dtype=object),
            "relationships.stage.data.id": np.array(stage_ids, dtype=object)[h],
            "relationships.reject-reason.data.id": reason.where(app["final_status"] == "withdrawn")
            .mask(app["final_status"] == "rejected", company_reason_id)
            .to_numpy(dtype=object),
            "custom-fields.internal": _yes_no(app["internal"], "Ja", "Nej"),
            "custom-fields.qualified": _sv("applications", "qualified", app["qualified"]),
            "custom-fields.gender": gender,
            "custom-fields.age-band": age,
        }
    )
    written.append(_write_frame(applications, out / "job-applications.csv"))
    # job offers: one per application that reached the offer
    offered = np.flatnonzero(h >= 5)
    pos = ev.index[(ev["stage"] == 5).to_numpy()].to_numpy()  # one per offered application, in order
    final = app["final_status"].to_numpy(dtype=object)[offered]
    accepted = h[offered] >= 6
    declined = final == "declined_offer"
    answer_pos = np.where(accepted, pos + 1, last_pos[offered])
    offers = pd.DataFrame(
        {
            "id": _numbered(len(offered), 8),
            "status": np.where(accepted, "accepted", np.where(declined, "declined", "sent")).astype(object),
            "response": np.where(accepted, "yes", np.where(declined, "no", "")).astype(object),
            "sent-at": stamps[pos],
            "answered-at": np.where(accepted | declined, stamps[answer_pos], "").astype(object),
            "relationships.job-application.data.id": app_ids[offered],
            "relationships.job.data.id": app["vacancy_id"].to_numpy(dtype=object)[offered],
        }
    )
    written.append(_write_frame(offers, out / "job-offers.csv"))
    written += _contract_csv(export, out, ("background_checks", "pilot_rollout", "staffing_monthly"))
    return written


# --------------------------------------------------------------------------- EasyCruit


def _write_easycruit(export: DemoExport, out: Path) -> list[Path]:
    vac, app = export.tables["vacancies"], export.tables["applications"]
    written: list[Path] = []
    adm = C.TABLES["vacancies"].column("administration")
    dept_id = {code: f"{i + 11:03d}" for i, code in enumerate(adm.values)}
    dept_name = {code: adm.swedish_display_label(code) for code in adm.values}
    ref = "BK-" + vac["published_date"].dt.strftime("%Y").to_numpy(dtype=object) + "-" + vac["vacancy_id"].str[-4:]
    title = _sv("vacancies", "role_group", vac["role_group"])
    vacancies = pd.DataFrame(
        {
            "Vacancy ID": vac["vacancy_id"].to_numpy(dtype=object),
            "Vacancy Reference Number": ref.to_numpy(dtype=object),
            "Vacancy Title": title,
            "Department ID": vac["administration"].map(dept_id).to_numpy(dtype=object),
            "Department Name": vac["administration"].map(dept_name).to_numpy(dtype=object),
            "Job Category": _en(vac["role_group"]),
            "Occupation Code": vac["ssyk_code"].to_numpy(dtype=object),
            "Employment Type": _en(vac["employment_type"]),
            "Number of Positions": vac["positions"].to_numpy(),
            "Manager Position": _yes_no(vac["is_manager"], "Yes", "No"),
            "Background Check Requirement": _en(
                vac["statutory_check"], {"none": "No requirement", "hvb": "HVB", "lss_children": "LSS children"}
            ),
            "Publish Date": vac["published_date"],
            "Application Deadline": vac["closing_date"],
            "First Offer Date": vac["first_offer_date"],
            "Accepted Date": vac["accepted_date"],
            "Start Date": vac["start_date"],
            "Closed Date": vac["closed_date"],
            "Vacancy Status": _en(vac["status"]),
            "Readvertisement Of": vac["readvertisement_of"].to_numpy(dtype=object),
            "Check In Ad": _yes_no(vac["check_in_ad"], "Yes", "No"),
        }
    )
    path = out / "Vacancy Extract.xlsx"
    _write_xlsx(vacancies, path, "Vacancy Extract")
    written.append(path)
    info = vacancies.set_index("Vacancy ID")
    vid = app["vacancy_id"].to_numpy(dtype=object)
    h = app["highest_stage"].to_numpy(dtype=np.int64)
    final = app["final_status"]
    stages = np.array(EASYCRUIT_STAGES, dtype=object)
    status = np.where(final == "in_progress", stages[h], final.map(EASYCRUIT_ENDS).to_numpy(dtype=object))
    last = app[["submitted_date", "withdrawn_date", "offer_date"]].max(axis=1)
    withdrawn = (final == "withdrawn").to_numpy()
    extract = pd.DataFrame(
        {
            "Candidate ID": _numbered(len(app), 11, start=50_000_001),
            "Application ID": app["application_id"].to_numpy(dtype=object),
            "Vacancy ID": vid,
            "Vacancy Reference Number": info["Vacancy Reference Number"].reindex(vid).to_numpy(dtype=object),
            "Vacancy Title": info["Vacancy Title"].reindex(vid).to_numpy(dtype=object),
            "Department ID": info["Department ID"].reindex(vid).to_numpy(dtype=object),
            "Department Name": info["Department Name"].reindex(vid).to_numpy(dtype=object),
            "Application Date": app["submitted_date"],
            "Application Status": status.astype(object),
            "Application Updated": last,
            "Internal Applicant": _yes_no(app["internal"], "Yes", "No"),
            "Qualified": _en(app["qualified"], {"not_applicable": "Not applicable"}),
            "Highest Status": stages[h],
            "Withdrawn Date": app["withdrawn_date"],
            "Withdrawn At Status": np.where(withdrawn, stages[h], None).astype(object),
            "Withdrawal Reason": _en(app["withdrawal_reason"], {"other_job": "Other job"}),
            "Offer Date": app["offer_date"],
            "Gender": _en(app["gender"], {"other_unknown": "Other/unknown"}),
            "Age Group": _en(
                app["age_band"],
                {"u25": "Under 25", "25_34": "25-34", "35_44": "35-44", "45_54": "45-54", "55plus": "55+"},
            ),
        }
    )
    year = app["submitted_date"].dt.year.to_numpy()
    for y in np.unique(year):
        path = out / f"Application Extract {y}.xlsx"
        _write_xlsx(extract[year == y].reset_index(drop=True), path, "Application Extract")
        written.append(path)
    written += _contract_csv(export, out, ("background_checks", "pilot_rollout", "staffing_monthly"))
    return written


# --------------------------------------------------------------------------- Platsbanken


def _write_platsbanken(export: DemoExport, out: Path) -> list[Path]:
    vac = export.tables["vacancies"]
    written: list[Path] = []
    pub = vac["published_date"].dt.strftime("%Y-%m-%dT00:00:00").to_numpy(dtype=object)
    close = vac["closing_date"].dt.strftime("%Y-%m-%dT23:59:59").to_numpy(dtype=object)
    role = _sv("vacancies", "role_group", vac["role_group"])
    adm = C.TABLES["vacancies"].column("administration")
    ads = pd.DataFrame(
        {
            "PLATSNUMMER": vac["vacancy_id"].to_numpy(dtype=object),
            "PLATSRUBRIK": role
            + " till "
            + vac["administration"].map(adm.swedish_display_label).to_numpy(dtype=object),
            "AG_NAMN": "Botkyrka kommun",
            "KOMMUN_KOD": "0127",
            "FORSTA_PUBLICERINGSDATUM": pub,
            "SISTA_ANSOK_PUBLDATUM": close,
            "ANTAL_AKT_PLATSER": vac["positions"].astype(str).to_numpy(dtype=object),
            "YRKE_ID": None,
        }
    )
    year = vac["published_date"].dt.year.to_numpy()
    for y in np.unique(year):
        rows = ads[year == y].to_dict("records")
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        path = out / f"platsbanken-{y}.jsonl"
        _atomic_write_bytes(path, lambda tmp, text=text: tmp.write_bytes(text.encode("utf-8")))
        written.append(path)
    spec = C.TABLES["vacancies"]
    hr_columns = [
        c.name for c in spec.columns if c.name not in ("vacancy_id", "published_date", "closing_date", "positions")
    ]
    frame = _export_frame(vac, spec, swedish=True, for_excel=False)
    keep = [spec.column(c).swedish_display for c in hr_columns]
    hr = pd.concat([pd.DataFrame({"Platsnummer": vac["vacancy_id"].to_numpy(dtype=object)}), frame[keep]], axis=1)
    path = out / "hr-annonser.csv"
    _write_csv(hr, path, swedish=True, encoding="cp1252")
    written.append(path)
    written += _contract_csv(export, out, ("applications", "background_checks", "pilot_rollout", "staffing_monthly"))
    return written


# --------------------------------------------------------------------------- entry point


def write_layout(export: DemoExport, out_dir, layout: str) -> list[Path]:
    """Write the demo export as ``layout`` (teamtailor, easycruit or platsbanken) writes
    it, with the tables it lacks as contract files beside and ``truth.json``.

    The identifiers are those of :func:`layout_export` (numbers as text with leading
    zeros). Existing files of the same names are replaced atomically. Returns the files
    written, ``truth.json`` last. Raises ``ValueError`` for an unknown layout, or when an
    EasyCruit year has more applications than a sheet holds.
    """
    _check_layout(layout)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shaped = layout_export(export, layout)
    writer = {"teamtailor": _write_teamtailor, "easycruit": _write_easycruit, "platsbanken": _write_platsbanken}
    written = writer[layout](shaped, out)
    written.append(_truth(shaped, out))
    return written


# --------------------------------------------------------------------------- a renamed export


def write_renamed(export: DemoExport, out_dir, headers: dict[str, dict[str, str]], status: dict[str, str]) -> str:
    """Write the tables of ``headers`` (vacancies and applications) of the demo export as
    a Swedish municipal HR system writes them (``export_<table>.csv``: the columns renamed
    by ``headers``, ``;`` as delimiter, ``final_status`` by the labels of ``status``,
    submission times as ISO 8601 date-times with an offset, publication dates as
    dd.mm.yyyy), the other tables as contract files beside; returns the text of the
    mapping that reads it. The wording comes from ``pilot_eval.mapping.vocabulary``
    (``EXAMPLE_HEADERS``, ``EXAMPLE_STATUS``); used by the mapping tests' round trip and
    ``benchmarks/ingest_mapped.py``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _contract_csv(export, out, list(C.TABLES))  # the two renamed are rewritten below
    lines = ["mapping_version: 1", "name: renamed", "defaults: {delimiter: ';'}", "sources:"]
    lines += [f"  {t}_export: {{file: export_{t}.csv}}" for t in headers]
    lines.append("tables:")
    for table, renames in headers.items():
        path = out / f"{table}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        columns = list(frame.columns)
        if table == "applications":
            frame["final_status"] = frame["final_status"].map(status)
            # a date-time with an offset, as an API writes it: 10:00 local time that day
            frame["submitted_date"] = frame["submitted_date"] + "T09:00:00+01:00"
        else:
            frame["published_date"] = pd.to_datetime(frame["published_date"]).dt.strftime("%d.%m.%Y")
        frame = frame.rename(columns=renames)
        frame.to_csv(out / f"export_{table}.csv", index=False, sep=";", encoding="utf-8", lineterminator="\n")
        path.unlink()
        lines += [f"  {table}:", f"    source: {table}_export", "    columns:"]
        for name in columns:
            header = renames.get(name, name)
            if name == "final_status":
                values = ", ".join(f'"{label}": {value}' for value, label in status.items())
                lines.append(f'      {name}: {{from: "{header}", values: {{{values}}}, unknown: quarantine}}')
            elif table == "vacancies" and name == "published_date":
                lines.append(f'      {name}: {{from: "{header}", format: "%d.%m.%Y"}}')
            else:
                lines.append(f'      {name}: "{header}"')
    return "\n".join(lines) + "\n"
