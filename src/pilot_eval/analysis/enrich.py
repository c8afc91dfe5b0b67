"""Who is in the pilot, and when: the pilot arm, phase and period of every vacancy.

The pilot of a vacancy is decided by the roll-out table (docs/contract.md, ``pilot_rollout``): a vacancy is in
the **pilot arm** if its administration has a ``new_hires`` roll-out row for its role group
(or for ``all``); its **phase** is ``before`` / ``during`` / ``after`` by its
``published_date`` against that row's start and end. Comparison administrations get the
phase of the pilot calendar (earliest start, latest end over the pilot rows), so that
"before/during/after" means the same calendar time in both arms.

Every measure (:mod:`pilot_eval.measures`), the panel and the estimators' analysis rows
(:mod:`pilot_eval.analysis`) start from these columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods

__all__ = [
    "COMPARISON_ARM",
    "PHASES",
    "PILOT_ARM",
    "VACANCY_COLUMNS",
    "enrich_applications",
    "enrich_vacancies",
    "period_label",
    "vacancy_pilot_status",
]

PILOT_ARM = "pilot"
COMPARISON_ARM = "comparison"
PHASES = ("before", "during", "after")


def period_label(dates: pd.Series, freq: str = "quarter") -> pd.Series:
    """Calendar period of each date (:func:`pilot_eval.periods.of_dates`).

    >>> period_label(pd.Series(pd.to_datetime(["2024-08-15", "2024-01-01"])), "quarter").tolist()
    ['2024Q3', '2024Q1']
    """
    return periods.of_dates(dates, freq)


def _rollout_new_hires(pilot_rollout: pd.DataFrame) -> pd.DataFrame:
    r = pilot_rollout.loc[pilot_rollout["scope"].astype(str) == "new_hires"].copy()
    r["administration"] = r["administration"].astype(str)
    r["role_group"] = r["role_group"].astype(str)
    return r


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values.astype(str))`` (codes and the distinct texts, an object
    array), from a Categorical's codes without making a string per row; a missing value
    is the text "nan", as ``astype(str)`` writes it."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        texts = np.asarray(values.cat.categories.astype(str), dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(texts), codes)
            texts = np.append(texts, "nan").astype(object)
        return codes, texts
    codes, uniques = pd.factorize(values.astype(str))
    return codes, np.asarray(uniques, dtype=object)


def vacancy_pilot_status(vacancies: pd.DataFrame, pilot_rollout: pd.DataFrame, period: str = "quarter") -> pd.DataFrame:
    """Per vacancy: ``arm`` (pilot / comparison), ``phase`` (before / during / after),
    ``pilot_start``, ``pilot_end`` (NaT if open-ended), ``cohort`` (the first pilot period
    of its administration and role group, as a period label; None for comparison units)
    and ``treated`` (pilot arm and published during the pilot).

    Returns a frame aligned with ``vacancies`` (same index).
    """
    r = _rollout_new_hires(pilot_rollout)
    # each distinct administration × role group is matched with the roll-out once (a
    # role-specific row wins over "all"; of two rows of the same kind, the later one), in
    # plain Python over a hundred-odd pairs, then spread to the vacancies with numpy
    admin_codes, admins = _text_codes(vacancies["administration"])
    role_codes, roles = _text_codes(vacancies["role_group"])
    n_roles = max(len(roles), 1)
    pair_codes, pairs = pd.factorize(admin_codes.astype(np.int64) * n_roles + role_codes)
    rows: dict[tuple[str, str], tuple] = {}
    for admin, role, row_start, row_end in zip(
        r["administration"], r["role_group"], r["start_date"], r["end_date"], strict=True
    ):
        rows[(admin, role)] = (row_start, row_end)
    nat = np.datetime64("NaT", "ns")
    n_pairs = len(pairs)
    pair_start = np.full(n_pairs, nat)
    pair_end = np.full(n_pairs, nat)
    pair_in = np.zeros(n_pairs, dtype=bool)
    pair_open = np.zeros(n_pairs, dtype=bool)
    for k, code in enumerate(pairs.tolist()):
        admin, role = admins[code // n_roles], roles[code % n_roles]
        hit = rows.get((admin, role)) if role != "all" else None
        if hit is None:
            hit = rows.get((admin, "all"))
        if hit is not None:
            pair_in[k] = True
            pair_start[k] = np.datetime64(pd.Timestamp(hit[0]), "ns") if pd.notna(hit[0]) else nat
            pair_end[k] = np.datetime64(pd.Timestamp(hit[1]), "ns") if pd.notna(hit[1]) else nat
            pair_open[k] = pd.isna(hit[1])
    start, end = pair_start[pair_codes], pair_end[pair_codes]
    in_pilot, open_ended = pair_in[pair_codes], pair_open[pair_codes]
    # comparison units: the pilot calendar
    cal_start = r["start_date"].min() if len(r) else pd.NaT
    cal_end = pd.NaT if (len(r) == 0 or r["end_date"].isna().any()) else r["end_date"].max()
    cal_start = np.datetime64(pd.Timestamp(cal_start), "ns") if pd.notna(cal_start) else nat
    cal_end_value = np.datetime64(pd.Timestamp(cal_end), "ns") if pd.notna(cal_end) else nat
    start = np.where(in_pilot, start, cal_start)
    end = np.where(in_pilot, end, cal_end_value)
    published = vacancies["published_date"].to_numpy(dtype="datetime64[ns]")
    no_end = in_pilot & open_ended | (~in_pilot & pd.isna(cal_end))
    before, during, after = (PHASES.index(p) for p in ("before", "during", "after"))
    phase_code = np.where(published < start, before, np.where(no_end | (published <= end), during, after))
    phase_code = np.where(np.isnat(start), before, phase_code)
    # the cohort label of each pair's start (a pilot pair's only), spread
    pair_cohort = period_label(pd.Series(pair_start), period).to_numpy(dtype=object)
    cohort = np.where(in_pilot, pair_cohort[pair_codes] if n_pairs else np.array([], dtype=object), None)
    return pd.DataFrame(
        {
            "arm": pd.Categorical.from_codes(np.where(in_pilot, 0, 1), categories=[PILOT_ARM, COMPARISON_ARM]),
            "phase": pd.Categorical.from_codes(phase_code, categories=list(PHASES)),
            "pilot_start": pd.Series(start, index=vacancies.index, dtype="datetime64[ns]"),
            "pilot_end": pd.Series(np.where(no_end, nat, end), index=vacancies.index, dtype="datetime64[ns]"),
            "cohort": pd.Series(cohort, index=vacancies.index, dtype=object),
            "treated": pd.Series(in_pilot & (phase_code == during), index=vacancies.index),
        },
        index=vacancies.index,
    )


def enrich_vacancies(
    vacancies: pd.DataFrame, pilot_rollout: pd.DataFrame | None = None, period: str = "quarter"
) -> pd.DataFrame:
    """Vacancies with ``period`` (of publication) and, given the roll-out table, the
    pilot columns of :func:`vacancy_pilot_status`."""
    out = vacancies.copy()
    out["period"] = period_label(out["published_date"], period)
    if pilot_rollout is not None:
        out = out.join(vacancy_pilot_status(vacancies, pilot_rollout, period))
    return out


#: The vacancy columns :func:`enrich_applications` joins to each application.
VACANCY_COLUMNS = [
    "administration",
    "role_group",
    "employment_type",
    "is_manager",
    "statutory_check",
    "published_date",
    "status",
    "check_in_ad",
    "positions",
]


def enrich_applications(
    applications: pd.DataFrame,
    vacancies: pd.DataFrame,
    pilot_rollout: pd.DataFrame | None = None,
    period: str = "quarter",
) -> pd.DataFrame:
    """Applications with their vacancy's columns (administration, role group, employment
    type, published date, status, …), ``period`` (of the vacancy's publication) and,
    given the roll-out table, its pilot arm, phase, cohort and ``treated``."""
    vac = enrich_vacancies(vacancies, pilot_rollout, period)
    keep = ["vacancy_id"] + [
        c
        for c in VACANCY_COLUMNS + ["period", "arm", "phase", "pilot_start", "pilot_end", "cohort", "treated"]
        if c in vac.columns
    ]
    vac = vac[keep].rename(columns={"status": "vacancy_status"})
    # applications.merge(vac, on="vacancy_id", how="left", validate="many_to_one") by
    # position, without the merge's hash join over millions of applications: the same
    # frame when every application's vacancy is there once (the processed tables'
    # foreign key); otherwise the merge itself (its error for duplicated vacancies, its
    # missing values and dtypes)
    keys = pd.Index(vac["vacancy_id"])
    clash = set(applications.columns) & (set(vac.columns) - {"vacancy_id"})
    if keys.is_unique and not clash and applications["vacancy_id"].notna().all():
        rows = keys.get_indexer(applications["vacancy_id"])
        if (rows >= 0).all():
            out = applications.reset_index(drop=True)
            extra = vac.drop(columns="vacancy_id").take(rows).reset_index(drop=True)
            return pd.concat([out, extra], axis=1, copy=False)  # both are new frames already
    return applications.merge(vac, on="vacancy_id", how="left", validate="many_to_one")
