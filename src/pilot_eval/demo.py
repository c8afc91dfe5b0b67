"""A synthetic Botkyrka recruitment export with known true effects.

The generator produces the five tables of the data contract (docs/contract.md, as code in
:mod:`pilot_eval.contract`) for eight administrations over a window of years, from a
seeded random-number generator, fully vectorised. It is meant to be mistaken for a real
HR-system export at a glance, to exercise every validation rule of the ingest step without
tripping any of them, and to carry **known true effects** of the pilot so that the
estimators can be tested for bias and coverage.

How the data are made
---------------------
* **Vacancies** are drawn per administration and publication day (Poisson, weekdays,
  spring peak, July trough) around the yearly volumes in :data:`YEARLY_VACANCIES`, with a
  role mix per administration (:data:`ROLE_MIX`), SSYK 2012 code, employment type by role
  and month (summer substitutes only advertised February–May), positions, manager flag
  and the statutory register-extract requirement of the role.
* Each vacancy follows a **process timeline**: advert (7–28 days) → screening →
  interview → references → background check → first offer → acceptance → start. The
  gaps are gamma distributed and multiplied by a vacancy-level log-normal factor built
  from administration and role effects, a common trend and holiday season, an
  **administration × quarter shock** (normal on the log scale) and idiosyncratic noise,
  so time to fill is right-skewed, typically 30–90 days and never 730 days or more.
* **Applicants** per vacancy are negative binomial (gamma–Poisson) with a role-specific
  mean (shortage roles ~5–7, high-volume roles ~25–35). Each application gets a
  submission date inside the advert, internal flag, qualification, gender, age band and
  a merit score. The **funnel** is run stage by stage (loops over the eight stages, never
  over rows): withdrawals by stage (logit hazards with administration × quarter shocks),
  selection of the best active candidates into a limited number of interview, reference,
  background-check and offer slots, declined offers, a second offer round to the best
  reserve when every first-round offer failed, and the vacancy's fate (filled, cancelled,
  unfilled, re-advertised — a re-advertisement is a new vacancy pointing at the old one).
* Adverts are simulated from 180 days before ``start`` (not exported) so that staffing
  counts and the first months of the window do not ramp up from zero.
* Everything is simulated as if the future were known and then **censored at the cut
  date**: a step that had not happened by then is not in the export, so vacancies and
  applications still running look like it (status ``open``, ``in_progress``, checks
  ``pending``). The history is simulated to ``end`` whatever the cut, and no random
  number depends on the cut: the exports of one seed at two cut dates are two cuts of one
  history, equal in every record settled before the earlier cut (the quarterly demo
  reports agree where their data agree).
* **Background checks**: child-facing roles (statutory check) get a police register
  extract for every application reaching stage 4; vacancies treated by the pilot also get
  ``court_records`` (``court_and_credit`` for managers).
* **Staffing** per administration × role group × month: headcounts summing to about
  6 000 × ``scale``, voluntary leavers ≈ 0.8 % a month, new hires and vacant posts
  counted from the generated vacancies, qualified share and hourly hours.

Treatment and effects
---------------------
A vacancy is **treated** when its administration has a ``new_hires`` row in the
roll-out table and it was published between that row's start and end date (inclusive;
open-ended when ``pilot_continues``). Effects never apply outside that window, so they
vanish when the pilot ends (non-absorbing treatment). The effects of a scenario
(:data:`SCENARIOS`):

* ``delay_days`` — days added to the background-check → offer interval of every treated
  vacancy (per vacancy ``Gamma(4, delay/4)`` rounded to whole days, mean ``delay``), so
  every later date, and hence time to fill (``accepted_date − published_date``) of a
  treated filled vacancy, moves by exactly that many days.
* ``late_withdrawal_pp`` — extra probability that a treated application that reaches the
  interview stage withdraws there (reasons mostly ``background_check`` and
  ``process_length``); the probability is scaled by ``1/(1 − baseline hazard)`` so that
  the induced withdrawals are ``late_withdrawal_pp`` of the applications reaching
  interview, in expectation. Late-stage withdrawal = withdrawn at or after interview ÷
  reaching interview.
* ``applicant_factor`` — each would-be applicant to a treated vacancy whose advert
  mentions the check (``check_in_ad``) is deterred with probability ``1 − factor``, so the
  expected number of applicants is multiplied by the factor.

Random numbers are drawn in the same order whatever the scenario (common random numbers):
with the same seed, the first-generation vacancies of two scenarios have the same ids and
attributes, the control vacancies are identical, and a treated vacancy that is filled in
the same offer round in both differs only by its drawn delay.

The roll-out (``rollout=``): ``"default"`` starts SOF, UBF and KOF on 2023-09-01;
``"staggered"`` starts UBF on 2023-09-01, SOF on 2024-01-01 and KOF on 2024-04-01. Both
end on 2024-12-31 unless ``pilot_continues=True`` (end date left empty).

Examples
--------
>>> from pilot_eval.demo import generate
>>> export = generate(seed=1, scale=0.05, start="2023-01-01", end="2023-12-31")
>>> sorted(export.tables)
['applications', 'background_checks', 'pilot_rollout', 'staffing_monthly', 'vacancies']
>>> export.truth["scenario"]
'delay'
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract as C

__all__ = [
    "SCENARIOS",
    "ROLLOUTS",
    "YEARLY_VACANCIES",
    "ROLE_MIX",
    "HEADCOUNT",
    "DemoExport",
    "generate",
    "write_export",
]

# --------------------------------------------------------------------------- parameters

#: The effect scenarios. ``delay_days``: calendar days added to time to fill of treated
#: vacancies; ``late_withdrawal_pp``: added probability (0.02 = 2 percentage points) of
#: late-stage withdrawal among treated applications reaching interview;
#: ``applicant_factor``: multiplier on expected applicants of treated vacancies whose ad
#: mentions the check. "deterrence" is a pure applicant effect (no delay, no withdrawal).
SCENARIOS: dict[str, dict] = {
    "none": {
        "delay_days": 0.0,
        "late_withdrawal_pp": 0.0,
        "applicant_factor": 1.0,
        "description": "no effect of the pilot at all",
    },
    "delay": {
        "delay_days": 7.0,
        "late_withdrawal_pp": 0.02,
        "applicant_factor": 1.0,
        "description": "the deepened check adds about a week to time to fill and 2 percentage "
        "points to late-stage withdrawal",
    },
    "deterrence": {
        "delay_days": 0.0,
        "late_withdrawal_pp": 0.0,
        "applicant_factor": 0.85,
        "description": "ads that mention the deepened check draw 15 % fewer applicants; no delay, no extra withdrawal",
    },
    "large": {
        "delay_days": 21.0,
        "late_withdrawal_pp": 0.06,
        "applicant_factor": 0.70,
        "description": "three weeks' delay, 6 percentage points more late-stage withdrawal, "
        "30 % fewer applicants when the ad mentions the check",
    },
}

#: Roll-out variants: administration -> start date (all end 2024-12-31 unless the pilot
#: continues).
ROLLOUTS: dict[str, dict[str, str]] = {
    "default": {"SOF": "2023-09-01", "UBF": "2023-09-01", "KOF": "2023-09-01"},
    "staggered": {"UBF": "2023-09-01", "SOF": "2024-01-01", "KOF": "2024-04-01"},
}
PILOT_END = "2024-12-31"

#: Vacancies per year at scale 1 (re-advertisements included).
YEARLY_VACANCIES: dict[str, float] = {
    "UBF": 550,
    "VOF": 330,
    "SOF": 160,
    "KLF": 90,
    "KOF": 80,
    "TFF": 70,
    "SBF": 60,
    "AVF": 50,
}

#: Monthly-paid staff per administration at scale 1 (sums to 6 000).
HEADCOUNT: dict[str, float] = {
    "UBF": 2600,
    "VOF": 1350,
    "SOF": 650,
    "KOF": 230,
    "TFF": 380,
    "SBF": 260,
    "KLF": 330,
    "AVF": 200,
}

#: Share of each role group among an administration's vacancies.
ROLE_MIX: dict[str, dict[str, float]] = {
    "UBF": {
        "teacher": 0.30,
        "preschool_teacher": 0.17,
        "childminder": 0.14,
        "leisure_teacher": 0.07,
        "student_assistant": 0.12,
        "manager": 0.04,
        "administrator": 0.06,
        "other": 0.10,
    },
    "SOF": {
        "social_worker": 0.40,
        "treatment_assistant": 0.22,
        "personal_assistant": 0.13,
        "manager": 0.06,
        "administrator": 0.12,
        "other": 0.07,
    },
    "VOF": {
        "assistant_nurse": 0.42,
        "care_assistant": 0.25,
        "personal_assistant": 0.18,
        "manager": 0.04,
        "administrator": 0.06,
        "other": 0.05,
    },
    "KOF": {"youth_leader": 0.40, "administrator": 0.20, "other": 0.25, "manager": 0.07, "technical": 0.08},
    "TFF": {"technical": 0.55, "administrator": 0.25, "manager": 0.07, "other": 0.13},
    "SBF": {"technical": 0.30, "administrator": 0.50, "manager": 0.08, "other": 0.12},
    "KLF": {"administrator": 0.70, "other": 0.20, "manager": 0.10},
    "AVF": {"administrator": 0.50, "other": 0.40, "manager": 0.10},
}

ADMINS: list[str] = list(C.ADMINISTRATIONS)
ROLES: list[str] = list(C.ROLE_GROUPS)
_EMP = list(C.EMPLOYMENT_TYPES)  # permanent, fixed_term, substitute, hourly, summer
_STAT = list(C.STATUTORY_CHECKS)  # none, school_preschool, hvb, lss_children, other_children
_QUAL = list(C.QUALIFIED)  # yes, no, not_applicable, unknown
_GENDER = list(C.GENDERS)  # woman, man, other_unknown
_AGE = list(C.AGE_BANDS)  # u25, 25_34, 35_44, 45_54, 55plus
_REASON = list(C.WITHDRAWAL_REASONS)  # other_job, process_length, background_check, personal, unknown
_VSTATUS = list(C.VACANCY_STATUSES)  # open, filled, cancelled, unfilled, readvertised
_CTYPE = list(C.CHECK_TYPES)
_CSTATUS = list(C.CHECK_STATUSES)  # completed, pending, cancelled_by_candidate, cancelled_other
_COUTCOME = list(C.CHECK_OUTCOMES)  # cleared, remark_no_obstacle, remark_obstacle

# role -> (mean applicants, qualified probs (yes, no, n/a, unknown), woman share,
#          employment type probs (permanent, fixed_term, substitute, hourly, summer),
#          offer decline prob, log time-to-fill effect, age profile)
_ROLE_PARAMS: dict[str, tuple] = {
    "preschool_teacher": (5.5, (0.45, 0.47, 0, 0.08), 0.92, (0.60, 0.10, 0.25, 0.05, 0), 0.16, 0.05, "adult"),
    "childminder": (30, (0.45, 0.45, 0.02, 0.08), 0.86, (0.45, 0.10, 0.25, 0.20, 0), 0.10, -0.05, "young"),
    "teacher": (6.5, (0.55, 0.38, 0, 0.07), 0.71, (0.60, 0.10, 0.25, 0.05, 0), 0.17, 0.10, "adult"),
    "leisure_teacher": (12, (0.40, 0.50, 0, 0.10), 0.55, (0.50, 0.15, 0.25, 0.10, 0), 0.12, 0, "adult"),
    "student_assistant": (32, (0.20, 0.15, 0.60, 0.05), 0.62, (0.35, 0.30, 0.20, 0.15, 0), 0.10, -0.10, "young"),
    "youth_leader": (35, (0.25, 0.20, 0.50, 0.05), 0.46, (0.30, 0.20, 0.10, 0.30, 0.10), 0.08, -0.10, "young"),
    "social_worker": (7, (0.65, 0.28, 0, 0.07), 0.82, (0.70, 0.10, 0.20, 0, 0), 0.18, 0.15, "adult"),
    "treatment_assistant": (22, (0.45, 0.35, 0.12, 0.08), 0.56, (0.45, 0.10, 0.20, 0.20, 0.05), 0.10, 0, "adult"),
    "assistant_nurse": (14, (0.60, 0.32, 0, 0.08), 0.86, (0.50, 0.05, 0.15, 0.15, 0.15), 0.12, -0.05, "adult"),
    "care_assistant": (28, (0.10, 0.05, 0.80, 0.05), 0.76, (0.25, 0.05, 0.15, 0.35, 0.20), 0.07, -0.20, "young"),
    "personal_assistant": (22, (0.05, 0.05, 0.85, 0.05), 0.66, (0.35, 0.10, 0.15, 0.30, 0.10), 0.08, -0.10, "young"),
    "manager": (16, (0.70, 0.20, 0.05, 0.05), 0.64, (0.90, 0.05, 0.05, 0, 0), 0.15, 0.35, "senior"),
    "administrator": (32, (0.55, 0.25, 0.12, 0.08), 0.66, (0.70, 0.15, 0.15, 0, 0), 0.12, 0.05, "adult"),
    "technical": (14, (0.55, 0.30, 0.10, 0.05), 0.24, (0.75, 0.10, 0.10, 0, 0.05), 0.14, 0.10, "adult"),
    "other": (25, (0.15, 0.10, 0.70, 0.05), 0.55, (0.50, 0.15, 0.15, 0.10, 0.10), 0.10, -0.05, "adult"),
}
_AGE_PROFILES = {
    "young": (0.38, 0.30, 0.15, 0.10, 0.07),
    "adult": (0.10, 0.32, 0.27, 0.19, 0.12),
    "senior": (0.01, 0.15, 0.36, 0.32, 0.16),
}
# SSYK 2012 codes per role (first = most common).
_SSYK: dict[str, tuple[str, ...]] = {
    "preschool_teacher": ("2343",),
    "childminder": ("5311",),
    "teacher": ("2341",),
    "leisure_teacher": ("2342",),
    "student_assistant": ("5312",),
    "youth_leader": ("3423",),
    "social_worker": ("2661",),
    "treatment_assistant": ("3412",),
    "assistant_nurse": ("5321", "5323"),
    "care_assistant": ("5330",),
    "personal_assistant": ("5343",),
    "administrator": ("3359", "2422", "4111"),
    "technical": ("3112", "2142", "7126"),
    "other": ("5120", "9412", "4222"),
}
_SSYK_MANAGER = {
    "UBF": ("1412", "1422"),
    "SOF": ("1521", "1522"),
    "VOF": ("1531", "1532"),
    "KOF": ("1291",),
    "TFF": ("1351", "1291"),
    "SBF": ("1291",),
    "KLF": ("1211", "1291"),
    "AVF": ("1412", "1291"),
}
_SCHOOL_ROLES = ("preschool_teacher", "childminder", "teacher", "leisure_teacher", "student_assistant")
_SHORTAGE_ROLES = ("teacher", "preschool_teacher", "social_worker")

_ADMIN_TTF_FE = {
    "UBF": 0.0,
    "SOF": 0.15,
    "KOF": -0.05,
    "VOF": -0.10,
    "SBF": 0.05,
    "TFF": 0.0,
    "AVF": -0.05,
    "KLF": 0.05,
}
_ADMIN_W_FE = {"UBF": 0.0, "SOF": 0.10, "KOF": 0.05, "VOF": 0.15, "SBF": -0.10, "TFF": -0.05, "AVF": 0.0, "KLF": -0.15}
_ADMIN_APP_FE = {"UBF": 1.0, "SOF": 0.95, "KOF": 1.05, "VOF": 1.0, "SBF": 1.05, "TFF": 0.95, "AVF": 1.1, "KLF": 1.15}
_TTF_SHOCK_SD = 0.10  # administration × quarter shock, log time-to-fill scale
_W_SHOCK_SD = 0.20  # administration × quarter shock, withdrawal logit scale
_TTF_NOISE_SD = 0.35  # vacancy-level noise, log scale

# Vacancy volume by calendar month (spring peak, July trough), mean 1.
_MONTH_VOL = np.array([1.00, 1.05, 1.30, 1.35, 1.25, 0.85, 0.35, 1.10, 1.10, 1.00, 0.95, 0.70])
_MONTH_VOL = _MONTH_VOL / _MONTH_VOL.mean()
# Applicant interest by calendar month.
_MONTH_APPS = np.array([1.05, 1.05, 1.10, 1.10, 1.00, 0.90, 0.80, 1.00, 1.05, 1.00, 0.95, 0.90])
# Summer-substitute advertising by month (Feb–May only).
_MONTH_SUMMER = np.array([0, 0.6, 1.3, 1.5, 0.8, 0, 0, 0, 0, 0, 0, 0])
# Slower processes when the advert closes in June/July (holidays) or December.
_MONTH_TTF = np.array([0, 0, 0, 0, 0.05, 0.25, 0.30, 0.05, 0, 0, 0, 0.12])
# Gamma means (days) of the gaps closing→screening→interview→references→check→offer→accept.
_GAP_MEANS = np.array([3.0, 8.0, 5.0, 3.0, 6.0, 2.0])
# Withdrawal hazards at stages 0..4 (baseline, before shocks).
_W_HAZARD = np.array([0.03, 0.04, 0.07, 0.05, 0.04])

_BIG = np.int32(2**30)  # "never" as a day number

#: The last publication day of the demo history by default (the analysis window's end).
DEFAULT_END = "2026-02-28"

#: How the generator makes a history, recorded in ``truth.json`` (``history``): raised
#: whenever the same arguments would give other tables, so that a demo export written by
#: an older generator is made again rather than mixed with cuts of the new history.
HISTORY = 2
# Adverts are simulated from this many days before the window so that staffing counts
# (new hires, vacant posts) do not ramp up from zero; those adverts are not exported.
_BURN_IN_DAYS = 180
_EPOCH = np.datetime64("1970-01-01", "D")

(_ST_PROGRESS, _ST_REJECTED, _ST_WITHDRAWN, _ST_DECLINED, _ST_HIRED, _ST_CANCELLED) = range(6)
_FINAL = ["in_progress", "rejected", "withdrawn", "declined_offer", "hired", "cancelled"]
(_F_FILL, _F_CANCEL, _F_UNFILLED, _F_READV) = range(4)


@dataclass
class DemoExport:
    """A generated export: the five contract tables and the truth about them.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        ``vacancies``, ``applications``, ``background_checks``, ``pilot_rollout`` and
        ``staffing_monthly``, with canonical column names in contract order, canonical
        enum values, dates as ``datetime64[ns]`` (NaT for empty), bools as ``bool``.
    truth : dict
        JSON-serialisable description of the scenario, its parameters and the effects as
        realised in these tables (see :func:`generate`).
    """

    tables: dict[str, pd.DataFrame]
    truth: dict

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return f"DemoExport({self.truth.get('scenario')!r}, {sizes})"


# --------------------------------------------------------------------------- small helpers


def _day(text) -> int:
    return int((np.datetime64(str(text)[:10], "D") - _EPOCH).astype(np.int64))


def _iso(day: int) -> str:
    return str(_EPOCH + np.timedelta64(int(day), "D"))


def _months(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of day numbers."""
    return (_EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    return np.log(p / (1.0 - p))


def _choice_rows(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Categorical draw per row: ``probs`` is (n, k) (rows need not be normalised)."""
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    return (u[:, None] > cdf[:, :-1]).sum(axis=1).astype(np.int8)


def _choice_by_group(u: np.ndarray, group: np.ndarray, table) -> np.ndarray:
    """Categorical draw per row with probabilities ``table[group]`` (one row of ``table``
    per group); never builds an (n, k) matrix."""
    cdf = np.cumsum(np.asarray(table, dtype=float), axis=1)
    cdf /= cdf[:, -1:]
    code = np.zeros(len(u), dtype=np.int8)
    for j in range(cdf.shape[1] - 1):
        code += u > cdf[:, j][group]
    return code


def _choice_fixed(u: np.ndarray, probs) -> np.ndarray:
    cdf = np.cumsum(np.asarray(probs, dtype=float))
    cdf /= cdf[-1]
    return np.searchsorted(cdf[:-1], u, side="right").astype(np.int8)


def _descending_key(x: np.ndarray) -> np.ndarray:
    """uint64 keys (< 2**32) that sort float32 values in descending order."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    asc = np.where(bits >> np.uint32(31), ~bits, bits | np.uint32(0x80000000))
    return (np.uint32(0xFFFFFFFF) - asc).astype(np.uint64)


def _group_rank(mask: np.ndarray, gstart: np.ndarray) -> np.ndarray:
    """Rank (0, 1, …) of each True row among the True rows of its contiguous group."""
    m = mask.astype(np.int32)
    cs = np.cumsum(m, dtype=np.int64)
    base = cs[gstart] - m[gstart]
    return (cs - base - 1).astype(np.int32)


def _group_reduce(values: np.ndarray, starts: np.ndarray, counts: np.ndarray, ufunc, empty):
    """Per-group reduction of contiguous groups (empty groups get ``empty``)."""
    out = np.full(len(starts), empty, dtype=values.dtype)
    nz = counts > 0
    if nz.any() and len(values):
        out[nz] = ufunc.reduceat(values, starts[nz])
    return out


def _draw_ids(
    rng: np.random.Generator, n: int, prefix: str, length: int, taken: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unique opaque ids: ``prefix`` + ``length`` hex characters, every third one a letter
    a–f, so that an id never holds more than two digits in a row (never looks like a
    personnummer, phone number or date). Returns (ids as object array, integer codes)."""
    letter_pos = [i for i in range(length) if i % 3 == 2]
    radices = np.array([6 if i in letter_pos else 16 for i in range(length)], dtype=np.int64)
    cap = int(np.prod(radices.astype(float)))
    codes = rng.integers(0, cap, size=n, dtype=np.int64)
    pool = codes if taken is None else np.concatenate([taken, codes])
    for _ in range(100):
        srt = np.sort(pool)
        dup_values = np.unique(srt[1:][srt[1:] == srt[:-1]])
        if not len(dup_values):
            break
        rows = np.flatnonzero(np.isin(pool, dup_values))
        _, first = np.unique(pool[rows], return_index=True)  # the earliest row keeps its id
        redo = np.delete(rows, first)
        pool[redo] = rng.integers(0, cap, size=len(redo), dtype=np.int64)
    codes = pool[len(pool) - n :]
    chars = np.empty((n, len(prefix) + length), dtype=np.uint8)
    for i, ch in enumerate(prefix.encode()):
        chars[:, i] = ch
    hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    lett = np.frombuffer(b"abcdef", dtype=np.uint8)
    rest = codes.copy()
    for i in range(length - 1, -1, -1):
        digit = rest % radices[i]
        rest //= radices[i]
        chars[:, len(prefix) + i] = (lett if i in letter_pos else hexd)[digit]
    ids = chars.view(f"S{chars.shape[1]}").ravel().astype(f"U{chars.shape[1]}").astype(object)
    return ids, codes


def _to_datetime(days: np.ndarray) -> np.ndarray:
    """int day numbers (``_BIG`` or above = missing) → datetime64[ns] with NaT."""
    d = np.asarray(days, dtype=np.int64)
    missing = d >= _BIG
    out = (np.where(missing, 0, d) * 86_400_000_000_000).view("datetime64[ns]")
    out[missing] = np.datetime64("NaT")
    return out


def _labels(values: list[str], codes: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[codes]


# --------------------------------------------------------------------------- the context


class _Ctx:
    """Everything a generation of the simulation needs."""

    def __init__(self, seed, scenario, scale, start, end, cut, rollout, pilot_continues):
        self.seed = int(seed)
        if isinstance(scenario, dict):  # custom effects, e.g. for power simulations
            self.eff = {**SCENARIOS["none"], "description": "custom effects", **scenario}
            self.scenario = "custom"
        else:
            self.eff = SCENARIOS[scenario]
            self.scenario = scenario
        self.scale = float(scale)
        self.start, self.end, self.cut = _day(start), _day(end), _day(cut)
        # The history is simulated to ``end`` whatever the cut (so that every cut of one
        # seed's history draws the same random numbers); adverts after the cut are dropped.
        self.pub_end = min(self.end, self.cut)
        self.rollout = rollout
        self.pilot_continues = bool(pilot_continues)
        starts = ROLLOUTS[rollout]
        self.treat_start = np.full(len(ADMINS), _BIG, dtype=np.int64)
        self.treat_end = np.full(len(ADMINS), -1, dtype=np.int64)
        for code, s in starts.items():
            i = ADMINS.index(code)
            self.treat_start[i] = _day(s)
            self.treat_end[i] = _BIG if pilot_continues else _day(PILOT_END)
        # calendar quarters of the window, for the administration × quarter shocks
        self.sim_start = self.start - _BURN_IN_DAYS
        m0 = int(_months(np.array([self.sim_start]))[0])
        m1 = int(_months(np.array([self.end + 800]))[0])
        self.q0 = m0 // 3
        nq = m1 // 3 - self.q0 + 1
        shock_rng = self.rng(90)
        self.shock_ttf = shock_rng.normal(0, _TTF_SHOCK_SD, size=(len(ADMINS), nq))
        self.shock_w = shock_rng.normal(0, _W_SHOCK_SD, size=(len(ADMINS), nq))
        self.vac_taken: np.ndarray | None = None
        self.app_taken: np.ndarray | None = None
        self.chk_taken: np.ndarray | None = None

    def rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream])

    def quarter(self, days: np.ndarray) -> np.ndarray:
        q = _months(days) // 3 - self.q0
        return np.clip(q, 0, self.shock_ttf.shape[1] - 1)


# --------------------------------------------------------------------------- vacancies


def _first_generation(ctx: _Ctx) -> dict[str, np.ndarray]:
    """Administration, publication day and role attributes of the original adverts."""
    rng = ctx.rng(1)
    days = np.arange(ctx.sim_start, ctx.end + 1, dtype=np.int64)
    month = (_months(days) % 12).astype(np.int64)
    weekday = (days + 3) % 7  # Monday = 0
    dayw = np.where(weekday < 5, 1.0, 0.04)
    dayw = dayw * _MONTH_VOL[month]
    dayw = dayw / _typical_day_weight()  # a typical year averages 1 per day
    # (re-advertisements, about 8 % of adverts, come on top of these originals)
    base = np.array([YEARLY_VACANCIES[a] for a in ADMINS]) / 365.25 / 1.08 * ctx.scale
    lam = base[:, None] * dayw[None, :]
    counts = rng.poisson(lam)
    admin = np.repeat(np.repeat(np.arange(len(ADMINS))[:, None], len(days), 1).ravel(), counts.ravel())
    pub = np.repeat(np.tile(days, len(ADMINS)), counts.ravel())
    order = np.argsort(pub, kind="stable")
    admin, pub = admin[order].astype(np.int8), pub[order]
    n = len(pub)
    mix = np.array([[ROLE_MIX[a].get(r, 0.0) for r in ROLES] for a in ADMINS])
    role = _choice_rows(rng.random(n), mix[admin])
    pm = (_months(pub) % 12).astype(np.int64)
    emp_p = np.array([_ROLE_PARAMS[r][3] for r in ROLES], dtype=float)[role]
    emp_p[:, 4] *= _MONTH_SUMMER[pm]
    emp = _choice_rows(rng.random(n), emp_p)
    # positions: mostly 1, more for hourly/summer recruitments
    many = (rng.random(n) < np.where(emp >= 3, 0.45, 0.12)) & (role != ROLES.index("manager"))
    extra = np.array([2, 3, 4, 5])[_choice_fixed(rng.random(n), (0.5, 0.25, 0.15, 0.10))]
    positions = np.where(many, extra, 1).astype(np.int64)
    ssyk = _draw_ssyk(rng, admin, role)
    stat = _statutory(rng, admin, role)
    return {
        "admin": admin,
        "pub": pub,
        "role": role,
        "emp": emp,
        "positions": positions,
        "ssyk": ssyk,
        "stat": stat,
        "parent": np.full(n, -1, dtype=np.int64),
    }


def _typical_day_weight() -> float:
    days = np.arange(_day("2022-01-01"), _day("2022-12-31") + 1)
    w = np.where((days + 3) % 7 < 5, 1.0, 0.04) * _MONTH_VOL[(_months(days) % 12)]
    return float(w.mean())


def _draw_ssyk(rng, admin, role) -> np.ndarray:
    """SSYK 2012 code per vacancy: the role's main code three times in four, else one of its
    other codes; managers by administration; 6 % left empty."""
    n = len(role)
    u_empty = rng.random(n)
    pick = rng.random(n)
    out = np.full(n, None, dtype=object)
    for r_i, r in enumerate(ROLES):
        sel = role == r_i
        if not sel.any():
            continue
        groups = (
            [(sel & (admin == a_i), _SSYK_MANAGER[a]) for a_i, a in enumerate(ADMINS)]
            if r == "manager"
            else [(sel, _SSYK[r])]
        )
        for mask, codes in groups:
            codes = np.asarray(codes, dtype=object)
            p = pick[mask]
            idx = np.where(p < 0.75, 0, 1 + np.floor((p - 0.75) / 0.25 * (len(codes) - 1)).astype(int))
            out[mask] = codes[np.minimum(idx, len(codes) - 1)]
    out[u_empty < 0.06] = None  # some exports leave the code empty
    return out


def _statutory(rng, admin, role) -> np.ndarray:
    n = len(role)
    u = rng.random(n)
    a = np.asarray(ADMINS, dtype=object)[admin]
    r = np.asarray(ROLES, dtype=object)[role]
    out = np.zeros(n, dtype=np.int8)
    school = (a == "UBF") & np.isin(r, _SCHOOL_ROLES)
    out[school] = _STAT.index("school_preschool")
    out[(a == "UBF") & (r == "manager") & (u < 0.7)] = _STAT.index("school_preschool")
    out[(a == "SOF") & (r == "treatment_assistant")] = _STAT.index("hvb")
    out[(r == "personal_assistant") & (u < np.where(a == "SOF", 0.45, 0.12))] = _STAT.index("lss_children")
    out[(a == "KOF") & (r == "youth_leader") & (u < 0.85)] = _STAT.index("other_children")
    return out


def _simulate_generation(ctx: _Ctx, gen: int, vac: dict[str, np.ndarray]):
    """Run one generation of adverts (originals, or re-advertisements of the previous
    generation) through applications and the funnel. Returns the vacancy columns, the
    application columns and the inputs of the next generation."""
    rng = ctx.rng(10 + gen)  # vacancy-level draws
    rng_a = ctx.rng(20 + gen)  # application-level draws
    rng_i = ctx.rng(30 + gen)  # ids
    eff = ctx.eff
    V = len(vac["pub"])
    admin, role, emp, pub = vac["admin"], vac["role"], vac["emp"], vac["pub"].astype(np.int64)
    positions = vac["positions"]
    role_name = np.asarray(ROLES, dtype=object)[role]
    is_manager = role == ROLES.index("manager")
    stat = vac["stat"]
    register = stat > 0

    ids, codes = _draw_ids(rng_i, V, "R-", 8, ctx.vac_taken)
    ctx.vac_taken = codes if ctx.vac_taken is None else np.concatenate([ctx.vac_taken, codes])

    # advert
    ad_len = np.array([7, 10, 14, 21, 28])[_choice_fixed(rng.random(V), (0.08, 0.15, 0.35, 0.30, 0.12))]
    ad_len = np.where(emp >= 3, np.minimum(ad_len, 14), ad_len)
    close = pub + ad_len

    treated = (pub >= ctx.treat_start[admin]) & (pub <= ctx.treat_end[admin])
    u_ad = rng.random(V)
    check_in_ad = u_ad < np.where(treated, 0.93, np.where(register, 0.5, 0.03))

    # timeline -------------------------------------------------------------------------
    quarter = ctx.quarter(pub)
    years = (pub - _day("2021-01-01")) / 365.25
    rp = np.array([_ROLE_PARAMS[r][5] for r in ROLES])
    emp_fe = np.array([0, -0.05, -0.10, -0.30, -0.25])
    log_m = (
        np.array([_ADMIN_TTF_FE[a] for a in ADMINS])[admin]
        + rp[role]
        + emp_fe[emp]
        + ctx.shock_ttf[admin, quarter]
        + 0.03 * years
        + _MONTH_TTF[(_months(close) % 12)]
        + _TTF_NOISE_SD * rng.standard_normal(V)
    )
    mult = np.clip(np.exp(log_m), 0.25, 6.0)
    gaps = rng.gamma(2.0, 1.0, size=(6, V)) * (_GAP_MEANS[:, None] / 2.0) * mult[None, :]
    gaps[4] += np.where(register, 3.0, 0.0)  # waiting for the register extract
    gaps += 1.0
    T = np.empty((7, V), dtype=np.int32)  # day numbers fit in int32 (as does _BIG)
    T[0] = close
    # cap the process at 550 days after closing so that time to fill stays below 730 days
    T[1:] = close[None, :] + np.floor(np.minimum(np.cumsum(gaps, axis=0), 550.0)).astype(np.int32)
    delay_draw = np.rint(np.minimum(rng.gamma(4.0, 0.25, size=V), 3.0) * eff["delay_days"]).astype(np.int64)
    delay = np.where(treated, delay_draw, 0)
    T[5:] += delay[None, :]
    # second offer round (to a reserve) and start of work
    r2a = 3 + rng.poisson(4, size=V)
    r2b = 2 + rng.poisson(5, size=V)
    r2c = 1 + rng.poisson(2, size=V)
    notice = _notice(rng, emp)
    u_start = rng.random(V)
    close_lag = np.where(rng.random(V) < 0.7, 0, rng.integers(1, 11, size=V))

    # intended fate ---------------------------------------------------------------------
    shortage = np.isin(role_name, _SHORTAGE_ROLES)
    p_cancel = np.full(V, 0.045)
    p_unf = np.where(shortage, 0.06, 0.04) + (0.05 if gen > 0 else 0.0)
    p_readv = np.where(shortage, 0.08, np.where(is_manager, 0.08, 0.045))
    if gen > 0:
        p_readv = p_readv * 0.6
    if gen >= 2:
        p_unf, p_readv = p_unf + p_readv, np.zeros(V)
    p_fill = 1 - p_cancel - p_unf - p_readv
    fate = _choice_rows(rng.random(V), np.stack([p_fill, p_cancel, p_unf, p_readv], 1))
    u_nofill = rng.random(V)
    stop_cancel = np.array([1, 2, 3, 4])[_choice_fixed(rng.random(V), (0.40, 0.30, 0.15, 0.15))]
    stop_unf = np.array([1, 2, 3, 5])[_choice_fixed(rng.random(V), (0.50, 0.20, 0.10, 0.20))]
    stop_readv = np.array([1, 2, 5])[_choice_fixed(rng.random(V), (0.55, 0.20, 0.25))]
    stop_lag = rng.integers(1, 8, size=V)
    stop_lag5 = 8 + rng.integers(0, 6, size=V)
    nofill_lag = rng.integers(1, 8, size=V)
    zero_lag = rng.integers(3, 15, size=V)
    fallback_readv = rng.random(V) < 0.7

    # applicants (negative binomial = gamma-Poisson) -------------------------------------
    pub_m = (_months(pub) % 12).astype(np.int64)
    mu = (
        0.85
        * np.array([_ROLE_PARAMS[r][0] for r in ROLES])[role]
        * _MONTH_APPS[pub_m]
        * (1 + 0.35 * (positions - 1))
        * np.array([_ADMIN_APP_FE[a] for a in ADMINS])[admin]
        * np.where(emp == 4, 1.4, 1.0)
        * _labour_market(pub)
    )
    if gen > 0:
        mu = mu * 0.8
    n0 = rng.poisson(mu * rng.gamma(1.8, 1 / 1.8, size=V)).astype(np.int64)
    A0 = int(n0.sum())
    va0 = np.repeat(np.arange(V, dtype=np.int64), n0)
    deterred = treated[va0] & check_in_ad[va0] & (rng_a.random(A0, dtype=np.float32) < 1 - eff["applicant_factor"])
    keep0 = np.flatnonzero(~deterred)
    n = np.bincount(va0[keep0], minlength=V).astype(np.int64)

    # fate given applicants: no applicants → never filled
    fate = np.where(
        (n == 0) & (fate == _F_FILL),
        np.where(
            u_nofill < 0.6, _F_READV if gen < 2 else _F_UNFILLED, np.where(u_nofill < 0.85, _F_UNFILLED, _F_CANCEL)
        ),
        fate,
    ).astype(np.int8)
    stop = np.select(
        [fate == _F_CANCEL, fate == _F_UNFILLED, fate == _F_READV], [stop_cancel, stop_unf, stop_readv], 99
    ).astype(np.int8)
    stop = np.where((n == 0) & (fate != _F_FILL), 1, stop)
    Tstop = np.take_along_axis(T, np.clip(stop, 0, 6)[None, :], 0)[0]
    closed_plan = np.where(stop == 5, T[5] + stop_lag5, Tstop + stop_lag)
    closed_plan = np.where(n == 0, close + zero_lag, closed_plan)
    closed_plan = np.where(fate == _F_FILL, _BIG, closed_plan).astype(np.int32)

    # application attributes (drawn for every would-be applicant: common random numbers)
    def draw(fn):
        return fn()[keep0]

    s_off = draw(lambda: rng_a.beta(0.8, 1.1, size=A0))
    internal = draw(lambda: rng_a.random(A0, dtype=np.float32)) < 0.12
    u_q = draw(lambda: rng_a.random(A0))
    u_g = draw(lambda: rng_a.random(A0))
    u_age = draw(lambda: rng_a.random(A0))
    z_merit = draw(lambda: rng_a.standard_normal(A0, dtype=np.float32))
    va = va0[keep0]
    del va0
    A = len(va)
    r_app = role[va]
    qual = _choice_by_group(u_q, r_app, [_ROLE_PARAMS[r][1] for r in ROLES])
    wshare = np.array([_ROLE_PARAMS[r][2] for r in ROLES])[r_app]
    gender = np.where(u_g < wshare * 0.985, 0, np.where(u_g < 0.985, 1, 2)).astype(np.int8)
    gender = np.where(draw(lambda: rng_a.random(A0, dtype=np.float32)) < 0.02, -1, gender).astype(np.int8)
    prof = [_AGE_PROFILES[_ROLE_PARAMS[r][6]] for r in ROLES] + [_AGE_PROFILES["young"]]
    age = _choice_by_group(u_age, np.where(emp[va] == 4, len(ROLES), r_app), prof)  # summer jobs: young
    age = np.where(draw(lambda: rng_a.random(A0, dtype=np.float32)) < 0.02, -1, age).astype(np.int8)
    del u_q, u_g, u_age, prof, wshare
    submitted = (pub[va] + np.floor(s_off * (ad_len[va] + 1))).astype(np.int32)
    submitted = np.minimum(submitted, close[va])
    merit = (z_merit + np.where(qual == 0, 1.0, np.where(qual == 1, -1.0, 0.0)) + 0.3 * internal).astype(np.float32)
    del s_off, z_merit

    # sort applications by vacancy, best first
    order = np.argsort((va.astype(np.uint64) << np.uint64(32)) | _descending_key(merit))
    keep0 = keep0[order]
    va, submitted, internal, qual, gender, age, merit = (
        x[order] for x in (va, submitted, internal, qual, gender, age, merit)
    )
    starts = np.cumsum(n) - n
    gstart = starts[va]

    def draw_sorted(fn):
        return fn()[keep0]

    # withdrawal hazards: logit baseline + administration + admin × quarter shock + age
    app_admin = admin[va]
    lw = (
        np.array([_ADMIN_W_FE[a] for a in ADMINS])[app_admin]
        + ctx.shock_w[app_admin, quarter[va]]
        + np.where(age == 0, 0.30, np.where(age == 4, -0.20, 0.0))
        + np.where(register[va], 0.05, 0.0)
    ).astype(np.float32)
    treated_app = treated[va]

    status = np.zeros(A, dtype=np.int8)
    hs = np.zeros(A, dtype=np.int8)
    wst = np.full(A, -1, dtype=np.int8)
    wdate = np.full(A, _BIG, dtype=np.int32)
    te = np.full(A, _BIG, dtype=np.int32)
    induced = np.zeros(A, dtype=bool)
    fate_app = fate[va]
    stop_app = stop[va]

    # stage 0: withdrawal before screening
    u = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
    uw = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
    w = u < _sigmoid(_logit(_W_HAZARD[0]) + lw)
    t1 = T[1][va]
    wd = submitted + np.floor(uw * (t1 - submitted)).astype(np.int32)
    status[w], wst[w], wdate[w], te[w] = _ST_WITHDRAWN, 0, wd[w], wd[w]
    active = ~w
    # slots into stage k+1 from stage k
    n_int = positions + 1 + rng.poisson(2.0, size=V)
    n_ref = positions + (rng.random(V) < 0.6) + (rng.random(V) < 0.2)
    n_bc = positions + (rng.random(V) < 0.15)
    slots = {1: n_int, 2: n_ref, 3: n_bc, 4: positions}
    eff_prob = eff["late_withdrawal_pp"] / (1 - _W_HAZARD[2])
    for k in (1, 2, 3, 4):
        hs[active] = k
        u = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
        uw = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
        w = active & (u < _sigmoid(_logit(_W_HAZARD[k]) + lw))
        if k == 2:
            u_eff = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
            ind = active & ~w & treated_app & (u_eff < eff_prob)
            induced |= ind
            w |= ind
            del u_eff
        tk = T[k][va]
        end_k = np.where(stop_app == k, closed_plan[va], T[k + 1][va])
        wd = tk + np.floor(uw * (end_k - tk)).astype(np.int32)
        status[w], wst[w], wdate[w], te[w] = _ST_WITHDRAWN, k, wd[w], wd[w]
        active &= ~w
        st = active & (stop_app == k)
        status[st] = np.where(fate_app[st] == _F_CANCEL, _ST_CANCELLED, _ST_REJECTED)
        te[st] = closed_plan[va][st]
        active &= ~st
        rank = _group_rank(active, gstart)
        adv = active & (rank < slots[k][va])
        rej = active & ~adv
        status[rej], te[rej] = _ST_REJECTED, T[k + 1][va][rej]
        active = adv
        del u, uw, w, tk, end_k, wd, rank, adv, rej
    # stage 5: offers
    hs[active] = 5
    rank = _group_rank(active, gstart)
    jitter = draw_sorted(lambda: rng_a.integers(0, 3, size=A0))
    u_dec = draw_sorted(lambda: rng_a.random(A0, dtype=np.float32))
    dec_lag = draw_sorted(lambda: rng_a.integers(1, 6, size=A0))
    offer = np.full(A, _BIG, dtype=np.int32)
    offer[active] = (T[5][va] + np.where(rank == 0, 0, jitter))[active]
    p_dec = np.array([_ROLE_PARAMS[r][4] for r in ROLES])[r_app] * np.where(emp[va] >= 3, 0.6, 1.0)
    st5 = active & (stop_app == 5)
    dec = active & ((u_dec < p_dec) | st5)
    status[dec], te[dec] = _ST_DECLINED, (offer + dec_lag)[dec]
    hired = active & ~dec
    accept = np.full(A, _BIG, dtype=np.int32)
    accept[hired] = (T[6][va] + offer - T[5][va])[hired]
    status[hired], hs[hired], te[hired] = _ST_HIRED, 6, accept[hired]
    del rank, jitter, u_dec, dec_lag, p_dec, active
    # second round: the best reserve when every first-round offer failed
    hires_v = np.bincount(va[hired], minlength=V)
    need = (fate == _F_FILL) & (hires_v == 0)
    reserve = (status == _ST_REJECTED) & (hs >= 2) & need[va]
    r0 = reserve & (_group_rank(reserve, gstart) == 0)
    r4 = T[4][va]
    r4 = np.where(r0 & (hs <= 3), (T[6] + r2a)[va], r4)
    offer[r0] = (T[6] + r2a + r2b)[va][r0]
    accept[r0] = (T[6] + r2a + r2b + r2c)[va][r0]
    status[r0], hs[r0], te[r0] = _ST_HIRED, 6, accept[r0]
    hired |= r0
    round2_v = np.bincount(va[r0], minlength=V) > 0
    hires_v = np.bincount(va[hired], minlength=V)
    del reserve, r0
    # vacancies meant to be filled that found nobody
    fallback = (fate == _F_FILL) & (hires_v == 0)
    fate = np.where(fallback, np.where(fallback_readv & (gen < 2), _F_READV, _F_UNFILLED), fate).astype(np.int8)

    accepted_unc = _group_reduce(accept, starts, n, np.minimum, _BIG)
    last_te = _group_reduce(np.where(te >= _BIG, -1, te), starts, n, np.maximum, -1)
    filled_unc = hires_v > 0
    closed_unc = np.where(filled_unc, accepted_unc + close_lag, np.maximum(closed_plan, last_te))
    closed_unc = np.where(fallback, np.where(n > 0, last_te + nofill_lag, close + zero_lag), closed_unc)
    start_v = np.where(filled_unc, _start_dates(accepted_unc, notice, emp, role, u_start), _BIG)
    start_app = np.where(hired, _start_dates(accept, notice[va], emp[va], role[va], u_start[va]), _BIG)

    # ---------------------------------------------------------------- censor at the cut
    cut = ctx.cut
    kept = submitted <= cut
    # highest stage reached by the cut date
    reach = {4: r4, 5: offer, 6: accept, 7: start_app}
    hs_c = np.where(status == _ST_HIRED, 7, hs).astype(np.int8)
    for k in range(7, 0, -1):
        rk = reach[k] if k in reach else T[k][va]
        m = (hs_c == k) & (rk > cut)
        hs_c[m] = k - 1
        del rk
    done = te <= cut
    status_c = np.where(done, status, _ST_PROGRESS).astype(np.int8)
    offer_c = np.where(offer <= cut, offer, _BIG)
    wd_ok = status_c == _ST_WITHDRAWN
    wdate_c = np.where(wd_ok, wdate, _BIG)
    wst_c = np.where(wd_ok, wst, -1).astype(np.int8)
    u_reason = draw_sorted(lambda: rng_a.random(A0))
    reason = np.full(A, -1, dtype=np.int8)
    wi = np.flatnonzero(wd_ok)
    reason[wi] = _withdrawal_reason(u_reason[wi], wst[wi], register[va[wi]], induced[wi])
    del u_reason, wi

    filled = filled_unc & (accepted_unc <= cut)
    closed_ok = np.where(filled, True, closed_unc <= cut)
    v_status = np.where(
        ~closed_ok,
        0,
        np.where(filled, 1, np.select([fate == _F_CANCEL, fate == _F_UNFILLED, fate == _F_READV], [2, 3, 4], 3)),
    ).astype(np.int8)
    accepted = np.where(filled, accepted_unc, _BIG)
    closed = np.where((v_status == 0) | (closed_unc > cut), _BIG, closed_unc)
    start_out = np.where(filled, start_v, _BIG)
    first_offer = _group_reduce(np.where(kept, offer_c, _BIG), starts, n, np.minimum, _BIG)

    vac_out = {
        "vacancy_id": ids,
        "id_code": codes,
        "admin": admin,
        "role": role,
        "ssyk": vac["ssyk"],
        "emp": emp,
        "positions": positions,
        "is_manager": is_manager,
        "stat": stat,
        "pub": pub,
        "close": close,
        "first_offer": first_offer,
        "accepted": accepted,
        "start": start_out,
        "closed": closed,
        "status": v_status,
        "parent": vac["parent"],
        "check_in_ad": check_in_ad,
        # truth and bookkeeping (not exported)
        "treated": treated,
        "delay": delay,
        "round2": round2_v,
        "gen": np.full(V, gen, np.int8),
        "n0": n0,
        "n": n,
        "fate": fate,
        "stop": stop,
        "closed_unc": closed_unc,
    }
    # ids of every application of the history (kept or not: the draws do not depend on the cut)
    app_ids, app_codes = _draw_ids(rng_i, A, "A-", 10, ctx.app_taken)
    ctx.app_taken = app_codes if ctx.app_taken is None else np.concatenate([ctx.app_taken, app_codes])
    cand = _check_candidates(ctx, gen, va, hs, status, treated, register, stat, is_manager)
    k_idx = np.flatnonzero(kept)
    new_row = np.cumsum(kept) - 1
    cand_kept = kept[cand["app"]]
    cand = {k: x[cand_kept] for k, x in cand.items()}
    cand["app"] = new_row[cand["app"]]
    app_out = {
        "app_id": app_ids[k_idx],
        "app_code": app_codes[k_idx],
        "va_local": va[k_idx],
        "submitted": submitted[k_idx],
        "internal": internal[k_idx],
        "qual": qual[k_idx],
        "hs": hs_c[k_idx],
        "status": status_c[k_idx],
        "wdate": wdate_c[k_idx],
        "wst": wst_c[k_idx],
        "reason": reason[k_idx],
        "offer": offer_c[k_idx],
        "gender": gender[k_idx],
        "age": age[k_idx],
        "r4": r4[k_idx],
        "te": te[k_idx],
        "wdate_unc": wdate[k_idx],
        "status_unc": status[k_idx],
        "induced": induced[k_idx],
        "treated": treated_app[k_idx],
        "hs_unc": hs[k_idx],
        "merit": merit[k_idx],
    }
    app_out["reached_interview_unc"] = (hs[k_idx] >= 2) | (status[k_idx] == _ST_HIRED)
    # next generation: re-advertisements published after the old advert was closed, for
    # the whole history (those published after the cut are dropped with the other adverts)
    readv = ~filled_unc & (fate == _F_READV)
    child_pub = closed_unc + rng.integers(1, 15, size=V)
    make = readv & (child_pub <= ctx.end)
    p_idx = np.flatnonzero(make)
    child = {
        "admin": admin[p_idx],
        "pub": child_pub[p_idx],
        "role": role[p_idx],
        "emp": emp[p_idx],
        "positions": positions[p_idx],
        "ssyk": vac["ssyk"][p_idx],
        "stat": stat[p_idx],
        "parent_local": p_idx,
    }
    return vac_out, app_out, child, cand


def _check_candidates(ctx: _Ctx, gen: int, va, hs, status, treated, register, stat, is_manager) -> dict:
    """The background checks of the whole history: one per application that reaches the
    background-check stage (stage 4) in a child-facing role (the register extract) and one
    in a vacancy treated by the pilot (court records; court and credit for managers), with
    their random parts (request lag, turnaround, outcome, id). Which of them a cut shows,
    and in what state, :func:`_checks` decides."""
    rng = ctx.rng(70 + gen)
    at4 = np.flatnonzero(hs >= 4)
    v = va[at4]
    reg = register[v]
    pil = treated[v]
    rows = np.concatenate([at4[reg], at4[pil]])
    reg_type = np.array([-1, 0, 1, 2, 3])[stat[v[reg]]]  # register_school, _hvb, _lss, _other_children
    pil_type = np.where(is_manager[v[pil]], _CTYPE.index("court_and_credit"), _CTYPE.index("court_records"))
    N = len(rows)
    ids, codes = _draw_ids(rng, N, "K-", 10, ctx.chk_taken)
    ctx.chk_taken = codes if ctx.chk_taken is None else np.concatenate([ctx.chk_taken, codes])
    return {
        "app": rows,
        "ctype": np.concatenate([reg_type, pil_type]).astype(np.int8),
        "is_reg": np.concatenate([np.ones(int(reg.sum()), bool), np.zeros(int(pil.sum()), bool)]),
        "lag": rng.integers(0, 2, size=N),
        "z": rng.standard_normal(N),
        "u": rng.random(N),
        "check_id": ids,
        "check_code": codes,
    }


def _labour_market(pub: np.ndarray) -> np.ndarray:
    """Common applicant-interest factor over calendar time (rising unemployment 2023–25)."""
    years = np.array([2020.5, 2021.5, 2022.5, 2023.5, 2024.5, 2025.5, 2026.5])
    level = np.array([1.0, 1.0, 0.95, 1.05, 1.15, 1.20, 1.20])
    t = 1970 + (pub + 0.5) / 365.2425
    return np.interp(t, years, level)


def _start_dates(accepted, notice, emp, role, u) -> np.ndarray:
    """Start of work: acceptance + notice, but summer substitutes accepted before June
    start around midsummer and half of the permanent teachers accepted in March–July start
    at the autumn term (around 10 August)."""
    acc = np.where(accepted >= _BIG, 0, accepted).astype(np.int64)
    start = acc + notice
    day = _EPOCH + acc.astype("timedelta64[D]")
    year_start = day.astype("datetime64[Y]").astype("datetime64[M]")
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    june = ((year_start + 5).astype("datetime64[D]") - _EPOCH).astype(np.int64) + 7 + (u * 14).astype(np.int64)
    august = ((year_start + 7).astype("datetime64[D]") - _EPOCH).astype(np.int64) + 7 + (u * 8).astype(np.int64)
    summer = (emp == _EMP.index("summer")) & (month <= 5)
    start = np.where(summer, np.maximum(acc + 3, june), start)
    term = (
        np.isin(role, [ROLES.index(r) for r in ("teacher", "preschool_teacher", "leisure_teacher")])
        & (emp == _EMP.index("permanent"))
        & (month >= 3)
        & (month <= 7)
        & (u < 0.5)
    )
    start = np.where(term, np.maximum(acc + 14, august), start)
    return np.where(accepted >= _BIG, _BIG, start).astype(np.int32)


def _notice(rng, emp) -> np.ndarray:
    V = len(emp)
    base = np.array([14, 30, 60, 90])[_choice_fixed(rng.random(V), (0.2, 0.35, 0.25, 0.2))] + rng.integers(
        0, 15, size=V
    )
    quick = 3 + rng.integers(0, 28, size=V)
    notice = np.where(emp >= 3, quick, base)
    notice = np.where(emp == 2, np.minimum(notice, 30), notice)
    return notice.astype(np.int64)


def _withdrawal_reason(u, stage, register, induced) -> np.ndarray:
    """Reason codes (index into WITHDRAWAL_REASONS, -1 = empty) by stage."""
    # other_job, process_length, background_check, personal, unknown
    early = np.array([0.36, 0.05, 0, 0.26, 0.33])
    mid = np.array([0.45, 0.20, 0.02, 0.15, 0.18])
    late = np.array([0.30, 0.20, 0.05, 0.12, 0.33])
    late_reg = np.array([0.28, 0.18, 0.20, 0.10, 0.24])
    eff = np.array([0.15, 0.30, 0.45, 0, 0.10])
    p = np.where((stage <= 1)[:, None], early[None, :], mid[None, :])
    p = np.where((stage == 4)[:, None], np.where(register[:, None], late_reg[None, :], late[None, :]), p)
    p = np.where(induced[:, None], eff[None, :], p)
    # 5 % of withdrawals carry no reason at all
    cdf = np.cumsum(p, axis=1) * 0.95
    code = (u[:, None] > cdf).sum(axis=1)
    return np.where(code >= 5, -1, code).astype(np.int8)


# --------------------------------------------------------------------------- checks


def _checks(ctx: _Ctx, vac: dict, app: dict, cand: dict) -> dict[str, np.ndarray]:
    """The checks known at the cut date: those requested by then (``cand``: every check of
    the history, :func:`_check_candidates`); completed when they were done by the cut,
    cancelled when the application ended first (known by the cut), pending otherwise."""
    cut = ctx.cut
    rows = cand["app"]
    is_reg, ctype = cand["is_reg"], cand["ctype"]
    requested = app["r4"][rows] + cand["lag"]
    requested = np.minimum(requested, app["wdate_unc"][rows])
    requested = np.maximum(requested, app["submitted"][rows])
    med = np.where(is_reg, 10.0, np.where(ctype == _CTYPE.index("court_and_credit"), 5.0, 4.0))
    sd = np.where(is_reg, 0.45, 0.5)
    turn = np.rint(med * np.exp(sd * cand["z"])).astype(np.int64)
    turn = np.maximum(turn, np.where(is_reg, 1, 0))
    completed = requested + turn
    # an obstacle in a check leads to the rejection that follows it (history, not the cut)
    obstacle_ok = (app["status_unc"][rows] == _ST_REJECTED) & (app["hs_unc"][rows] == 4)
    u = cand["u"]
    outcome = np.where(obstacle_ok & (u < 0.12), 2, np.where(u > 0.975, 1, 0)).astype(np.int8)
    known = (requested <= cut) & (app["hs"][rows] >= 4)
    rows, requested, completed, outcome, ctype = (x[known] for x in (rows, requested, completed, outcome, ctype))
    st = app["status"][rows]  # as known at the cut
    wdate = app["wdate"][rows]
    te = app["te"][rows]
    status = np.where(completed <= cut, 0, 1).astype(np.int8)  # completed / pending
    by_cand = (st == _ST_WITHDRAWN) & (wdate < completed)
    other = ((st == _ST_REJECTED) | (st == _ST_CANCELLED)) & (te < completed)
    status[other] = 3
    status[by_cand] = 2
    completed = np.where(status == 0, completed, _BIG)
    outcome = np.where(status == 0, outcome, -1).astype(np.int8)
    return {
        "rows": rows,
        "ctype": ctype,
        "requested": requested,
        "completed": completed,
        "status": status,
        "outcome": outcome,
        "check_id": cand["check_id"][known],
        "check_code": cand["check_code"][known],
    }


# --------------------------------------------------------------------------- staffing


def _staffing(ctx: _Ctx, vac: dict, app: dict) -> pd.DataFrame:
    rng = ctx.rng(50)
    m_first = int(_months(np.array([ctx.start]))[0])
    m_last = int(_months(np.array([ctx.pub_end]))[0])
    months = np.arange(m_first, int(_months(np.array([ctx.end]))[0]) + 1)  # the history's months
    M = len(months)
    pairs = [(a_i, ROLES.index(r)) for a_i, a in enumerate(ADMINS) for r in ROLE_MIX[a]]
    P = len(pairs)
    pa = np.array([p[0] for p in pairs])
    pr = np.array([p[1] for p in pairs])
    share = np.array([ROLE_MIX[ADMINS[a]][ROLES[r]] for a, r in pairs])
    head = np.array([HEADCOUNT[ADMINS[a]] for a in pa]) * share * ctx.scale
    moy = (months % 12)[None, :]
    years = ((months - _months(np.array([_day("2021-01-01")]))[0]) / 12.0)[None, :]
    care = np.isin(
        np.asarray(ROLES, dtype=object)[pr],
        ("assistant_nurse", "care_assistant", "personal_assistant", "treatment_assistant", "youth_leader"),
    )[:, None]
    trend = 1 + 0.012 * years + rng.normal(0, 0.01, size=(P, M))
    total = head[:, None] * trend
    perm_share = np.where(care, 0.74, 0.86) - np.where(np.isin(moy, (5, 6, 7)), 0.07, 0.0)
    hc_perm = np.rint(total * perm_share).astype(np.int64)
    hc_temp = np.rint(total * (1 - perm_share) * (1 + np.where(care & np.isin(moy, (5, 6, 7)), 0.6, 0.0))).astype(
        np.int64
    )
    fte = np.round((hc_perm + hc_temp) * rng.normal(0.91, 0.015, size=(P, M)), 1)
    season_l = np.array([1.0, 0.8, 0.9, 0.9, 1.0, 1.6, 0.6, 1.4, 1.1, 1.0, 0.9, 0.7])[moy]
    leavers = rng.poisson(np.maximum(0.008 * hc_perm * season_l, 0)).astype(np.int64)
    qual_base = {
        "teacher": 0.72,
        "preschool_teacher": 0.42,
        "leisure_teacher": 0.45,
        "childminder": 0.55,
        "social_worker": 0.85,
        "assistant_nurse": 0.78,
        "treatment_assistant": 0.60,
    }
    qb = np.array([qual_base.get(ROLES[r], np.nan) for r in pr])[:, None]
    share_q = np.clip(np.round(qb + 0.004 * years + rng.normal(0, 0.015, size=(P, M)), 3), 0, 1)
    hourly_per_head = {
        "care_assistant": 18,
        "assistant_nurse": 10,
        "personal_assistant": 14,
        "childminder": 8,
        "student_assistant": 8,
        "youth_leader": 15,
        "teacher": 2,
        "preschool_teacher": 3,
        "leisure_teacher": 5,
        "treatment_assistant": 8,
        "social_worker": 1,
        "other": 5,
        "administrator": 0.5,
        "technical": 1,
        "manager": 0,
    }
    hph = np.array([hourly_per_head[ROLES[r]] for r in pr])[:, None]
    hseason = np.where(care & np.isin(moy, (5, 6, 7)), 1.8, np.where(~care & (moy == 6), 0.4, 1.0))
    hourly = np.round(np.maximum(hph * total * hseason * rng.lognormal(0, 0.08, size=(P, M)), 0), 1)
    # counts from the generated vacancies: hires by start month, open positions at month end
    key = np.full((len(ADMINS), len(ROLES)), -1)
    key[pa, pr] = np.arange(P)
    vkey = key[vac["admin"], vac["role"]]
    hires_per_vac = np.bincount(app["va"][app["status"] == _ST_HIRED], minlength=len(vac["pub"]))
    has_start = vac["start"] <= ctx.cut
    sm = _months(np.where(has_start, vac["start"], 0)) - m_first
    ok = has_start & (sm >= 0) & (sm < M) & (vkey >= 0)
    new_hires = np.zeros((P, M), dtype=np.int64)
    np.add.at(new_hires, (vkey[ok], sm[ok]), hires_per_vac[ok])
    pm = _months(vac["pub"]) - m_first
    # a post is vacant until it is filled (the acceptance) or its vacancy closes unfilled
    shut_day = np.where(vac["accepted"] < _BIG, vac["accepted"], vac["closed"])
    has_closed = shut_day < _BIG
    cm = np.where(has_closed, _months(np.where(has_closed, shut_day, 0)) - m_first, M + 1)
    opened = np.zeros((P, M + 2), dtype=np.int64)
    shut = np.zeros((P, M + 2), dtype=np.int64)
    okv = vkey >= 0
    np.add.at(opened, (vkey[okv], np.clip(pm[okv], 0, M + 1)), vac["positions"][okv])
    np.add.at(shut, (vkey[okv], np.clip(cm[okv], 0, M + 1)), vac["positions"][okv])
    vacant = (np.cumsum(opened, axis=1) - np.cumsum(shut, axis=1))[:, :M]
    vacant = np.maximum(vacant, 0)
    month_days = (months.astype("datetime64[M]").astype("datetime64[D]") - _EPOCH).astype(np.int64)
    df = pd.DataFrame(
        {
            "administration": _labels(ADMINS, np.repeat(pa, M)),
            "role_group": _labels(ROLES, np.repeat(pr, M)),
            "month": _to_datetime(np.tile(month_days, P)),
            "headcount_permanent": hc_perm.ravel(),
            "headcount_temporary": hc_temp.ravel(),
            "fte": fte.ravel(),
            "voluntary_leavers": leavers.ravel(),
            "new_hires": new_hires.ravel(),
            "share_qualified": share_q.ravel(),
            "hourly_hours": hourly.ravel(),
            "vacant_posts": vacant.ravel().astype(np.int64),
        }
    )
    df = df.loc[np.tile(months <= m_last, P)]  # the months up to the cut
    return df.sort_values(["month", "administration", "role_group"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- public API


def generate(
    seed: int = 2023,
    scenario: str = "delay",
    scale: float = 1.0,
    start: str = "2021-01-01",
    end: str = DEFAULT_END,
    cut_date: str | None = None,
    rollout: str = "default",
    pilot_continues: bool = False,
) -> DemoExport:
    """Generate a synthetic recruitment export with known true pilot effects.

    Parameters
    ----------
    seed : int, default 2023
        Seed of the random-number generator; the same arguments always give the same
        tables (and the same bytes from :func:`write_export`).
    scenario : {"none", "delay", "deterrence", "large"} or dict, default "delay"
        The true effects (:data:`SCENARIOS`), or a dict of custom effect parameters
        (``delay_days``, ``late_withdrawal_pp``, ``applicant_factor``; unspecified ones
        are those of "none"), as power simulations need.
    scale : float, default 1.0
        Multiplies volumes (vacancies, applications, checks, staffing headcounts). Scale 1
        is about 7 000 vacancies and 150 000 applications over the default window.
    start, end : str, default "2021-01-01", "2026-02-28"
        The window (ISO dates) of the history: adverts are published from ``start`` to
        ``end``.
    cut_date : str, optional
        The data cut date: the export is what was known of the history on that day.
        The seed's history is the same whatever the cut (the random numbers never depend
        on it), so two cuts agree on everything settled before the earlier one. After
        the cut nothing has happened: adverts published after it are absent (with their
        applications and checks); a vacancy not filled or closed by then is ``open``
        (no accepted, start or closed date; its first offer only if made by then); one
        filled by then but not yet closed is ``filled`` without a closed date; an
        application is ``in_progress`` at the highest stage reached by then (no
        withdrawal or offer after the cut); a check is in the export once requested,
        ``pending`` until it is completed or its application has ended; staffing runs
        to the cut's month. Defaults to ``end``.
    rollout : {"default", "staggered"}, default "default"
        ``"default"``: SOF, UBF and KOF from 2023-09-01; ``"staggered"``: UBF from
        2023-09-01, SOF from 2024-01-01, KOF from 2024-04-01.
    pilot_continues : bool, default False
        If true the pilot never ends (end dates empty, effects persist); otherwise it ends
        on 2024-12-31 and effects vanish for adverts published after that.

    Returns
    -------
    DemoExport
        ``tables`` (the five contract tables) and ``truth`` (JSON-serialisable: scenario,
        seed, scale, window, cut date, roll-out rows, effect parameters with units and the
        units they apply to, and the realised effects and counts in these tables).

    Raises
    ------
    ValueError
        On an unknown scenario or roll-out, a non-positive scale, or a window that is
        empty or starts after the cut date.
    """
    if isinstance(scenario, dict):
        unknown = set(scenario) - set(SCENARIOS["none"])
        if unknown:
            raise ValueError(f"unknown effect parameter(s) {sorted(unknown)}; use {sorted(SCENARIOS['none'])}")
    elif scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {sorted(SCENARIOS)}")
    if rollout not in ROLLOUTS:
        raise ValueError(f"unknown rollout {rollout!r}; choose one of {sorted(ROLLOUTS)}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    cut_date = end if cut_date is None else cut_date
    ctx = _Ctx(seed, scenario, scale, start, end, cut_date, rollout, pilot_continues)
    if ctx.end < ctx.start:
        raise ValueError(f"end {end} is before start {start}")
    if ctx.cut < ctx.start:
        raise ValueError(f"cut_date {cut_date} is before start {start}")

    vac_inputs = _first_generation(ctx)
    vac_parts, app_parts, cand_parts = [], [], []
    offset = app_offset = 0
    parent_global = vac_inputs["parent"]
    for gen in range(3):
        vac_inputs["parent"] = parent_global
        v, a, child, cand = _simulate_generation(ctx, gen, vac_inputs)
        a["va"] = a.pop("va_local") + offset
        cand["app"] = cand["app"] + app_offset
        vac_parts.append(v)
        app_parts.append(a)
        cand_parts.append(cand)
        parent_global = child.pop("parent_local") + offset
        offset += len(v["pub"])
        app_offset += len(a["va"])
        vac_inputs = child
        if len(parent_global) == 0:
            break
    vac = {k: np.concatenate([p[k] for p in vac_parts]) for k in vac_parts[0]}
    app = {k: np.concatenate([p[k] for p in app_parts]) for k in app_parts[0]}
    cand = {k: np.concatenate([p[k] for p in cand_parts]) for k in cand_parts[0]}
    del vac_parts, app_parts, cand_parts
    # the cut: adverts published after it are not in the export (nor, then, their
    # applications, which are all submitted after it)
    vac, app, cand = _keep_vacancies(vac, app, cand, vac["pub"] <= ctx.cut)
    staffing = _staffing(ctx, vac, app)  # counts include the burn-in adverts
    vac, app, cand = _keep_vacancies(vac, app, cand, vac["pub"] >= ctx.start)
    checks = _checks(ctx, vac, app, cand)
    tables = _assemble(ctx, vac, app, checks)
    tables["pilot_rollout"] = _rollout_table(ctx)
    tables["staffing_monthly"] = staffing
    for name in C.TABLES:
        assert list(tables[name].columns) == C.TABLES[name].column_names, name
    tables = {name: tables[name] for name in C.TABLES}
    truth = _truth(ctx, vac, app, checks, tables)
    return DemoExport(tables=tables, truth=truth)


def _keep_vacancies(vac: dict, app: dict, cand: dict, keep: np.ndarray) -> tuple[dict, dict, dict]:
    """Keep the adverts ``keep`` (and their applications and checks). Used for the adverts
    published in the window: a re-advertisement of an advert published before the window
    loses its reference, as it would in an export filtered on publication date."""
    if keep.all():
        return vac, app, cand
    new_index = np.full(len(keep), -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))
    vac = {k: x[keep] for k, x in vac.items()}
    vac["parent"] = np.where(vac["parent"] >= 0, new_index[np.maximum(vac["parent"], 0)], -1)
    ka = keep[app["va"]]
    app = {k: x[ka] for k, x in app.items()}
    app["va"] = new_index[app["va"]]
    new_app = np.cumsum(ka) - 1
    kc = ka[cand["app"]]
    cand = {k: x[kc] for k, x in cand.items()}
    cand["app"] = new_app[cand["app"]]
    return vac, app, cand


def _rollout_table(ctx: _Ctx) -> pd.DataFrame:
    rows = []
    for code, s in ROLLOUTS[ctx.rollout].items():
        for scope, ctype in (
            ("new_hires", "court_records"),
            ("placements", "court_records"),
            ("managers_financial", "court_and_credit"),
        ):
            rows.append(
                {
                    "administration": code,
                    "role_group": C.ALL_ROLES,
                    "scope": scope,
                    "check_type": ctype,
                    "start_date": pd.Timestamp(s),
                    "end_date": pd.NaT if ctx.pilot_continues else pd.Timestamp(PILOT_END),
                }
            )
    df = pd.DataFrame(rows)
    df["start_date"] = df["start_date"].astype("datetime64[ns]")
    df["end_date"] = df["end_date"].astype("datetime64[ns]")
    return df.sort_values(["start_date", "administration"], kind="stable").reset_index(drop=True)


def _assemble(ctx: _Ctx, vac: dict, app: dict, checks: dict):
    V = len(vac["pub"])
    # parent ids (re-advertisements)
    parent_id = np.full(V, None, dtype=object)
    has_parent = vac["parent"] >= 0
    parent_id[has_parent] = vac["vacancy_id"][vac["parent"][has_parent]]
    stat_codes = vac["stat"]
    vdf = pd.DataFrame(
        {
            "vacancy_id": vac["vacancy_id"],
            "administration": _labels(ADMINS, vac["admin"]),
            "role_group": _labels(ROLES, vac["role"]),
            "ssyk_code": vac["ssyk"],
            "employment_type": _labels(_EMP, vac["emp"]),
            "positions": vac["positions"].astype(np.int64),
            "is_manager": vac["is_manager"].astype(bool),
            "statutory_check": _labels(_STAT, stat_codes),
            "published_date": _to_datetime(vac["pub"]),
            "closing_date": _to_datetime(vac["close"]),
            "first_offer_date": _to_datetime(vac["first_offer"]),
            "accepted_date": _to_datetime(vac["accepted"]),
            "start_date": _to_datetime(vac["start"]),
            "closed_date": _to_datetime(vac["closed"]),
            "status": _labels(_VSTATUS, vac["status"]),
            "readvertisement_of": parent_id,
            "check_in_ad": vac["check_in_ad"].astype(bool),
        },
        copy=False,
    )
    v_order = np.lexsort((vac["id_code"], vac["pub"]))  # id codes sort like the ids
    vdf = vdf.iloc[v_order].reset_index(drop=True)

    app_ids, app_codes = app["app_id"], app["app_code"]
    sub = app["submitted"].astype(np.int64)
    o = np.argsort(((sub - sub.min(initial=0)) << 37) | app_codes)  # by date, then id; frame built in this order
    wst = app["wst"][o]
    reason, gender, age = app["reason"][o], app["gender"][o], app["age"][o]
    adf = pd.DataFrame(
        {
            "application_id": app_ids[o],
            "vacancy_id": vac["vacancy_id"][app["va"][o]],
            "submitted_date": _to_datetime(app["submitted"][o]),
            "internal": app["internal"][o].astype(bool),
            "qualified": _labels(_QUAL, app["qual"][o]),
            "highest_stage": app["hs"][o].astype(np.int64),
            "final_status": _labels(_FINAL, app["status"][o]),
            "withdrawn_date": _to_datetime(app["wdate"][o]),
            "withdrawn_stage": pd.arrays.IntegerArray(np.where(wst >= 0, wst, 0).astype(np.int64), wst < 0),
            "withdrawal_reason": np.where(reason >= 0, _labels(_REASON, np.maximum(reason, 0)), None),
            "offer_date": _to_datetime(app["offer"][o]),
            "gender": np.where(gender >= 0, _labels(_GENDER, np.maximum(gender, 0)), None),
            "age_band": np.where(age >= 0, _labels(_AGE, np.maximum(age, 0)), None),
        },
        copy=False,
    )  # no block consolidation: no second copy in memory
    del o, wst, reason, gender, age

    chk_ids, chk_codes = checks["check_id"], checks["check_code"]
    cdf = pd.DataFrame(
        {
            "check_id": chk_ids,
            "application_id": app_ids[checks["rows"]],
            "check_type": _labels(_CTYPE, checks["ctype"]),
            "requested_date": _to_datetime(checks["requested"]),
            "completed_date": _to_datetime(checks["completed"]),
            "status": _labels(_CSTATUS, checks["status"]),
            "outcome": np.where(checks["outcome"] >= 0, _labels(_COUTCOME, np.maximum(checks["outcome"], 0)), None),
        },
        copy=False,
    )
    c_order = np.lexsort((chk_codes, checks["requested"]))
    cdf = cdf.iloc[c_order].reset_index(drop=True)
    return {"vacancies": vdf, "applications": adf, "background_checks": cdf}


# --------------------------------------------------------------------------- truth


def _r(x, nd=4):
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


def _truth(ctx: _Ctx, vac: dict, app: dict, checks: dict, tables: dict) -> dict:
    eff = ctx.eff
    cut = ctx.cut
    treated = vac["treated"]
    filled = vac["status"] == 1
    ttf = (vac["accepted"] - vac["pub"]).astype(float)
    gen0 = vac["gen"] == 0
    tf = treated & filled
    a_tr = app["treated"]
    reach2 = app["reached_interview_unc"]
    n_reach_tr = int((a_tr & reach2).sum())
    n_induced = int((app["induced"]).sum())
    n_induced_obs = int((app["induced"] & (app["status"] == _ST_WITHDRAWN)).sum())
    aff = treated & vac["check_in_ad"]
    n0_aff, n_aff = int(vac["n0"][aff].sum()), int(vac["n"][aff].sum())

    # observed late-stage withdrawal by group and period (uncensored-free: applications
    # whose process had ended by the cut)
    hs, st, wst = app["hs"], app["status"], app["wst"]
    ended = st != _ST_PROGRESS
    reached = (hs >= 2) & ended
    late_w = (st == _ST_WITHDRAWN) & (wst >= 2)
    pub_app = vac["pub"][app["va"]]
    period = np.where(
        pub_app < ctx.treat_start.min(),
        0,
        np.where(pub_app <= (_day(PILOT_END) if not ctx.pilot_continues else _BIG), 1, 2),
    ).astype(np.int8)
    del pub_app
    pilot_admin = np.isin(np.asarray(ADMINS)[vac["admin"][app["va"]]], list(ROLLOUTS[ctx.rollout]))
    late_rates = {}
    for grp, gm in (("pilot_administrations", pilot_admin), ("comparison_administrations", ~pilot_admin)):
        late_rates[grp] = {}
        for per_code, per in enumerate(("pre", "pilot", "post")):
            m = gm & (period == per_code) & reached
            late_rates[grp][per] = {
                "reached_interview": int(m.sum()),
                "late_withdrawals": int((m & late_w).sum()),
                "rate": _r(late_w[m].mean()) if m.any() else None,
            }

    rollout_rows = []
    for rec in tables["pilot_rollout"].to_dict("records"):
        rollout_rows.append(
            {
                k: (
                    None
                    if (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
                    else (v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v)
                )
                for k, v in rec.items()
            }
        )

    vt = tables["vacancies"]
    at = tables["applications"]
    ct = tables["background_checks"]
    truth = {
        "generator": "pilot_eval.demo.generate",
        "scenario": ctx.scenario,
        "description": eff["description"],
        "seed": ctx.seed,
        "scale": ctx.scale,
        "window": {"start": _iso(ctx.start), "end": _iso(ctx.end)},
        "cut_date": _iso(cut),
        "history": HISTORY,
        "rollout": ctx.rollout,
        "pilot_continues": ctx.pilot_continues,
        "rollout_rows": rollout_rows,
        "treatment_definition": (
            "a vacancy is treated when its administration has a new_hires row in pilot_rollout and "
            "published_date lies between that row's start_date and end_date (inclusive; open-ended if "
            "end_date is empty); applications and background checks inherit the vacancy's treatment. "
            "Effects apply to treated units only and vanish for adverts published after the pilot ends."
        ),
        "effects": {
            "time_to_fill_delay": {
                "value": eff["delay_days"],
                "unit": "calendar days",
                "measure": "time to fill = accepted_date - published_date (vacancy)",
                "applies_to": "treated vacancies (every date from the first offer on moves; observable on filled ones)",
                "mechanism": "added to the background-check -> offer interval; per vacancy Gamma(shape 4, "
                "scale value/4) rounded to whole days, mean = value",
            },
            "late_stage_withdrawal": {
                "value": eff["late_withdrawal_pp"],
                "unit": "probability (0.02 = 2 percentage points)",
                "measure": "withdrawn at or after interview (withdrawn_stage >= 2) / reaching interview "
                "(highest_stage >= 2), applications",
                "applies_to": "applications to treated vacancies that reach the interview stage",
                "mechanism": "extra withdrawal at the interview stage with probability value/(1 - baseline "
                "hazard at interview), so induced withdrawals = value of those reaching "
                "interview in expectation; reasons mostly background_check/process_length",
            },
            "applicants_per_vacancy": {
                "value": eff["applicant_factor"],
                "unit": "multiplicative factor on expected applicants",
                "measure": "applications per vacancy",
                "applies_to": "treated vacancies whose ad mentions the check (check_in_ad true)",
                "mechanism": "each would-be applicant is deterred (never applies) with probability 1 - value",
            },
        },
        "realised": {
            "vacancies": {
                "total": int(len(vt)),
                "treated": int(treated.sum()),
                "control": int((~treated).sum()),
                "treated_filled": int(tf.sum()),
                "control_filled": int((filled & ~treated).sum()),
                "open_at_cut": int((vac["status"] == 0).sum()),
                "readvertisements": int((vac["parent"] >= 0).sum()),
            },
            "time_to_fill_delay": {
                "mean_added_days_treated_filled": _r(vac["delay"][tf].mean()) if tf.any() else None,
                "mean_added_days_treated_all": _r(vac["delay"][treated].mean()) if treated.any() else None,
                "n_treated_filled": int(tf.sum()),
                "filled_in_second_offer_round": {
                    "treated": int((tf & vac["round2"]).sum()),
                    "control": int((filled & ~treated & vac["round2"]).sum()),
                },
                "mean_time_to_fill_filled": {
                    "treated": _r(ttf[tf].mean(), 2) if tf.any() else None,
                    "control": _r(ttf[filled & ~treated].mean(), 2) if (filled & ~treated).any() else None,
                },
                "first_generation_filled_treated": int((tf & gen0).sum()),
            },
            "late_stage_withdrawal": {
                "induced_withdrawals": n_induced,
                "induced_withdrawals_observed_by_cut": n_induced_obs,
                "treated_applications_reaching_interview": n_reach_tr,
                "induced_share": _r(n_induced / n_reach_tr) if n_reach_tr else None,
                "observed_rates": late_rates,
                "observed_rates_note": (
                    "applications whose process had ended by the cut date and that reached interview; "
                    f"periods by the advert's published_date: pre = before {_iso(int(ctx.treat_start.min()))}, "
                    "pilot = from then to "
                    + ("the cut date" if ctx.pilot_continues else PILOT_END)
                    + ", post = after; pilot administrations = "
                    + ", ".join(ROLLOUTS[ctx.rollout])
                ),
            },
            "applicants_per_vacancy": {
                "affected_vacancies": int(aff.sum()),
                "would_be_applicants": n0_aff,
                "applicants": n_aff,
                "realised_factor": _r(n_aff / n0_aff) if n0_aff else None,
                "deterred_applicants": n0_aff - n_aff,
            },
            "applications": {"total": int(len(at)), "treated": int(a_tr.sum()), "control": int((~a_tr).sum())},
            "background_checks": {k: int(v) for k, v in ct["check_type"].value_counts().sort_index().items()},
        },
        "shocks": {
            "time_to_fill_log_sd": _TTF_SHOCK_SD,
            "withdrawal_logit_sd": _W_SHOCK_SD,
            "level": "administration x calendar quarter (of published_date)",
        },
    }
    return json.loads(json.dumps(truth))


# --------------------------------------------------------------------------- writers

_FIXED_XLSX_TIME = "2000-01-01T00:00:00Z"


def _export_frame(df: pd.DataFrame, spec: C.TableSpec, swedish: bool, for_excel: bool) -> pd.DataFrame:
    out = {}
    for col in spec.columns:
        s = df[col.name]
        header = col.swedish_display if swedish else col.name
        if col.kind == "date":
            out[header] = s if for_excel else s.dt.strftime("%Y-%m-%d")
        elif col.kind == "bool":
            yes, no = ("Ja", "Nej") if swedish else ("true", "false")
            out[header] = np.where(s.to_numpy(bool), yes, no).astype(object)
        elif col.kind == "enum" and swedish:
            # as a Swedish HR system writes them: "Barnskötare", "Ej tillsatt", "Utbildningsförvaltningen"
            out[header] = s.map({value: col.swedish_display_label(value) for value in col.values})
        else:
            out[header] = s
    return pd.DataFrame(out)


def _atomic_write_bytes(path: Path, data_writer) -> None:
    """Write via a temporary file in the same directory, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        data_writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def _write_csv(frame: pd.DataFrame, path: Path, swedish: bool, encoding: str) -> None:
    def w(tmp: Path):
        frame.to_csv(
            tmp,
            index=False,
            sep=";" if swedish else ",",
            decimal="," if swedish else ".",
            encoding=encoding,
            lineterminator="\r\n" if swedish else "\n",
            na_rep="",
            date_format="%Y-%m-%d",
        )

    _atomic_write_bytes(path, w)


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """One workbook with one sheet. openpyxl writes the package (styles with a
    ``yyyy-mm-dd`` date format, workbook, content types); the rows of the sheet are
    serialised here, column by column, instead of by openpyxl's per-cell writer (a
    Python call per cell), and give the same XML."""
    from openpyxl import Workbook

    if len(frame) > 1_048_575:
        raise ValueError(
            f"{sheet}: {len(frame)} rows do not fit in an Excel sheet (max 1 048 575); "
            "write CSV instead or use a smaller scale"
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([str(c) for c in frame.columns])
    ws.append([_dt_date(2000, 1, 1)])  # registers the date style; replaced below
    buf = io.BytesIO()
    wb.save(buf)
    skeleton = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    sheet_name = next(n for n in skeleton.namelist() if n.startswith("xl/worksheets/sheet"))
    xml = skeleton.read(sheet_name).decode("utf-8")
    date_style = re.search(r'<row r="2"><c r="A2" s="(\d+)"', xml).group(1)
    header = re.search(r'<row r="1">.*?</row>', xml).group(0)
    body = _sheet_rows_xml(frame, date_style)
    xml = re.sub(
        r"<sheetData>.*</sheetData>", lambda _: "<sheetData>" + header + body + "</sheetData>", xml, flags=re.S
    )

    def w(tmp: Path):
        _deterministic_zip(buf.getvalue(), tmp, replace={sheet_name: xml.encode("utf-8")})

    _atomic_write_bytes(path, w)


def _dt_date(y, m, d):
    import datetime

    return datetime.date(y, m, d)


def _xml_escape(s: pd.Series) -> pd.Series:
    return (
        s.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_rows_xml(frame: pd.DataFrame, date_style: str) -> str:
    n = len(frame)
    if n == 0:
        return ""
    rownum = np.arange(2, n + 2).astype(str).astype(object)
    acc = '<row r="' + rownum + '">'
    for i, name in enumerate(frame.columns):
        s = frame[name]
        ref = '<c r="' + _column_letter(i) + rownum
        missing = s.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(s):
            days = s.to_numpy().astype("datetime64[D]").astype(np.int64) + 25569
            text = ref + '" s="' + date_style + '" t="n"><v>' + days.astype(str).astype(object) + "</v></c>"
        elif pd.api.types.is_bool_dtype(s):
            text = ref + '" t="b"><v>' + s.to_numpy().astype(np.int8).astype(str).astype(object) + "</v></c>"
        elif pd.api.types.is_integer_dtype(s):
            vals = s.to_numpy(dtype=np.int64, na_value=0)
            text = ref + '" t="n"><v>' + vals.astype(str).astype(object) + "</v></c>"
        elif pd.api.types.is_float_dtype(s):
            vals = np.array([repr(float(x)) for x in s.fillna(0).to_numpy()], dtype=object)
            text = ref + '" t="n"><v>' + vals + "</v></c>"
        else:
            vals = _xml_escape(s.fillna("").astype(str)).to_numpy(dtype=object)
            text = ref + '" t="inlineStr"><is><t>' + vals + "</t></is></c>"
        acc = acc + np.where(missing, "", text)
    return "".join(acc + "</row>")


def _deterministic_zip(data: bytes, target: Path, replace: dict[str, bytes] | None = None) -> None:
    """Rewrite an xlsx with fixed member timestamps and fixed document properties
    (and members replaced by ``replace``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    replace = replace or {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = replace.get(info.filename) or src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_XLSX_TIME + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            out.writestr(zi, content)


def write_export(
    export: DemoExport, out_dir, *, swedish: bool = False, excel: bool = False, encoding: str | None = None
) -> list[Path]:
    """Write a generated export as files, one per table, plus ``truth.json``.

    Parameters
    ----------
    export : DemoExport
        From :func:`generate`.
    out_dir : str or path-like
        Directory (created if missing). Existing files of the same names are replaced
        atomically (written to a temporary file, then renamed).
    swedish : bool, default False
        Swedish file names (``rekryteringar.csv`` …), Swedish headers and enum labels
        written as an HR system writes them, with å/ä/ö, capitals and spaces
        (``Sista ansökningsdag``, ``Barnskötare``, ``Ej tillsatt``; administration as
        the full Swedish name; :data:`pilot_eval.contract.HEADERS_SV` and
        :data:`~pilot_eval.contract.LABELS_SV`), booleans ``Ja``/``Nej``, semicolon
        separator, decimal comma, CRLF line ends and Windows-1252 unless ``encoding``
        says otherwise. Also applies to ``excel``. Default: canonical names, ``<table>.csv``, UTF-8, comma, ISO dates,
        ``true``/``false``, empty string for nulls, ``.`` decimals, LF line ends.
    excel : bool, default False
        One ``.xlsx`` workbook per table instead of CSV (one sheet named after the
        table), dates as real Excel dates. Raises ``ValueError`` if a table has more rows
        than a sheet can hold.
    encoding : str, optional
        CSV encoding, e.g. ``"utf-8-sig"``; defaults to ``"cp1252"`` when ``swedish`` and
        ``"utf-8"`` otherwise. Ignored for Excel.

    Returns
    -------
    list of pathlib.Path
        The files written, tables in contract order then ``truth.json``.

    Notes
    -----
    Output is deterministic: the same export gives the same bytes (no timestamps in CSV;
    the workbooks' document properties and zip member times are fixed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    enc = encoding or ("cp1252" if swedish else "utf-8")
    written: list[Path] = []
    for name, spec in C.TABLES.items():
        if name not in export.tables:
            continue
        stem = spec.swedish if swedish else spec.name
        frame = _export_frame(export.tables[name], spec, swedish, for_excel=excel)
        if excel:
            path = out / f"{stem}.xlsx"
            _write_xlsx(frame, path, stem)
        else:
            path = out / f"{stem}.csv"
            _write_csv(frame, path, swedish, enc)
        written.append(path)
    truth_path = out / "truth.json"
    text = json.dumps(export.truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _atomic_write_bytes(truth_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    written.append(truth_path)
    return written
