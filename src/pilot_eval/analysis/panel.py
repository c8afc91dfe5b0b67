"""The estimation panel: administration × role group × period, ready for the estimators.

Each row is one unit (by default administration × role group) in one calendar period of
vacancy publication, with the outcomes of docs/measures.md that can be averaged across
cells, and the treatment columns the estimators need:

- ``arm`` (pilot / comparison), ``cohort`` (the first pilot period, a label such as
  ``"2023Q3"``; None if never treated), ``cohort_index`` (that period's position in the
  panel, 1-based; 0 = never treated, the convention of Callaway & Sant'Anna),
  ``period_index`` (1-based);
- ``exposure``: the share of the period's days in which the pilot was in force for the
  unit (0–1), and ``treated`` (exposure > 0);
- ``phase`` (before / during / after): the pilot may end, so effects during and after
  it are separate questions (docs/estimation.md);
- ``child_facing``: the unit's vacancies mostly required a police register extract
  already before the pilot (for the triple difference).

Outcomes that need follow-up are defined so that a recent cell is not biased by the cut
date: ``filled_within_90`` and ``days_unfilled_90`` only count vacancies published at
least 90 days before the cut date (``n_followed_90``); younger vacancies give NaN.
``days_to_fill_180`` is the Kaplan–Meier restricted mean time to fill up to 180 days of the
cell's vacancies published at least 180 days before the cut (``n_followed_180``), a vacancy
closed without a hire censored at its closure: the cell-level figure of the ``days_to_fill``
outcome (:func:`pilot_eval.analysis.frames.days_to_fill_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import periods as P
from .durations import FILLED, fill_durations
from .enrich import enrich_vacancies, period_label
from .rmst import km_restricted_means

#: The horizon of the panel's ``days_to_fill_180`` (:data:`pilot_eval.analysis.frames.FILL_HORIZON`).
_FILL_HORIZON = 180

__all__ = ["build_panel"]


def _period_bounds(labels: list[str]) -> pd.DataFrame:
    """First and last day of each period label."""
    rows = [(lab, *P.bounds(lab)) for lab in labels]
    return pd.DataFrame(rows, columns=["period", "period_start", "period_end"])


def _all_periods(first: pd.Timestamp, last: pd.Timestamp, period: str) -> list[str]:
    days = pd.date_range(first.normalize(), last.normalize(), freq="D")
    return list(dict.fromkeys(period_label(pd.Series(days), period)))


def build_panel(
    tables: dict[str, pd.DataFrame],
    cut_date,
    *,
    period: str = "quarter",
    unit: Sequence[str] = ("administration", "role_group"),
    start=None,
) -> pd.DataFrame:
    """Build the unit × period panel from the processed tables.

    Parameters
    ----------
    tables
        The processed tables (``vacancies``, ``applications``, ``pilot_rollout``).
    cut_date
        The data cut date; periods after it are not in the panel.
    period
        ``"month"``, ``"quarter"`` (default), ``"half"`` or ``"year"``.
    unit
        The unit columns (vacancy columns), by default administration × role group. Use
        ``("administration",)`` for the 8-cluster administration panel.
    start
        First day of the panel (default: the first publication date).

    Returns
    -------
    pandas.DataFrame
        One row per unit × period (balanced: a unit with no vacancy in a period has
        ``n_vacancies`` 0 and NaN rates), unit columns and ``period`` first, then the
        treatment columns, then the outcomes, each rate after its counts:

        - ``n_vacancies``, ``n_positions``;
        - ``n_followed_90`` (vacancies published at least 90 days before the cut),
          ``n_filled_90`` (of those, filled within 90 days), ``filled_within_90`` =
          ``n_filled_90 / n_followed_90``, ``days_unfilled_90`` (mean over the
          ``n_followed_90`` vacancies of min(days to fill, 90), unfilled or cancelled =
          90);
        - ``n_followed_180`` (vacancies published at least 180 days before the cut),
          ``days_to_fill_180`` (their Kaplan–Meier restricted mean time to fill up to
          180 days, closed without a hire = censored at closure; NaN without them);
        - ``n_applications``, ``n_qualified``, ``applicants_per_vacancy`` =
          ``n_applications / n_vacancies``, ``qualified_per_vacancy`` =
          ``n_qualified / n_vacancies``;
        - ``n_reached_interview``, ``n_withdrawn_late``, ``late_withdrawal_rate`` =
          ``n_withdrawn_late / n_reached_interview``;
        - ``n_offers_decided`` (hired or declined), ``n_accepted``, ``acceptance_rate`` =
          ``n_accepted / n_offers_decided``;
        - ``n``: the vacancies behind the cell (= ``n_vacancies``), last, as in every
          tidy table of the measures, so that the panel can go through disclosure control
          if it is shown.
    """
    unit = list(unit)
    cut = pd.Timestamp(cut_date)
    vac_raw = tables["vacancies"]
    vac = enrich_vacancies(vac_raw, tables["pilot_rollout"], period).join(fill_durations(vac_raw, cut))
    vac = vac.loc[vac["published_date"] <= cut]
    for col in unit:
        vac[col] = vac[col].astype(str)
    followed = vac["published_date"] <= cut - pd.Timedelta(days=90)
    filled_days = vac["duration"].where(vac["event"] == FILLED, np.inf)
    vac["followed_90"] = followed
    vac["filled_90"] = (filled_days <= 90) & followed
    vac["unfilled_days_90"] = np.minimum(filled_days, 90).where(followed)
    vac["child"] = vac["statutory_check"].astype(str) != "none"
    vac["followed_fill"] = vac["published_date"] <= cut - pd.Timedelta(days=_FILL_HORIZON)

    apps = tables["applications"].merge(vac[["vacancy_id", *unit, "period"]], on="vacancy_id", how="inner")
    status = apps["final_status"].astype(str)
    apps["reached_interview"] = apps["highest_stage"] >= 2
    apps["withdrawn_late"] = (status == "withdrawn") & (apps["withdrawn_stage"].fillna(-1) >= 2)
    apps["qualified_yes"] = apps["qualified"].astype(str) == "yes"
    apps["accepted"] = status == "hired"
    apps["decided"] = status.isin(["hired", "declined_offer"])

    keys = [*unit, "period"]
    v = vac.groupby(keys, observed=True).agg(
        n_vacancies=("vacancy_id", "size"),
        n_positions=("positions", "sum"),
        n_followed_90=("followed_90", "sum"),
        n_filled_90=("filled_90", "sum"),
        sum_unfilled_90=("unfilled_days_90", "sum"),
        n_followed_180=("followed_fill", "sum"),
    )
    fol = vac.loc[vac["followed_fill"]]
    cell_keys, cell = np.unique(
        np.column_stack([fol[k].astype(str).to_numpy() for k in keys]).astype(str), axis=0, return_inverse=True
    )
    rmst = km_restricted_means(
        fol["duration"].to_numpy(dtype=float),
        (fol["event"] == FILLED).to_numpy(),
        _FILL_HORIZON,
        cell.reshape(-1),
        len(cell_keys),
    )
    rmst_cells = pd.DataFrame(cell_keys, columns=keys).assign(days_to_fill_180=rmst)
    a = apps.groupby(keys, observed=True).agg(
        n_applications=("application_id", "size"),
        n_qualified=("qualified_yes", "sum"),
        n_reached_interview=("reached_interview", "sum"),
        n_withdrawn_late=("withdrawn_late", "sum"),
        n_offers_decided=("decided", "sum"),
        n_accepted=("accepted", "sum"),
    )

    first = pd.Timestamp(start) if start is not None else vac["published_date"].min()
    periods = _all_periods(first, cut, period)
    units = vac[unit].drop_duplicates().sort_values(unit)
    grid = units.merge(pd.DataFrame({"period": periods}), how="cross")
    panel = grid.merge(v.reset_index(), on=keys, how="left").merge(a.reset_index(), on=keys, how="left")
    panel = panel.merge(rmst_cells, on=keys, how="left")
    counts = [
        "n_vacancies",
        "n_positions",
        "n_followed_90",
        "n_filled_90",
        "n_followed_180",
        "n_applications",
        "n_qualified",
        "n_reached_interview",
        "n_withdrawn_late",
        "n_offers_decided",
        "n_accepted",
    ]
    panel[counts] = panel[counts].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        panel["filled_within_90"] = panel["n_filled_90"] / panel["n_followed_90"].where(panel["n_followed_90"] > 0)
        panel["days_unfilled_90"] = panel["sum_unfilled_90"] / panel["n_followed_90"].where(panel["n_followed_90"] > 0)
        nv = panel["n_vacancies"].where(panel["n_vacancies"] > 0)
        panel["applicants_per_vacancy"] = panel["n_applications"] / nv
        panel["qualified_per_vacancy"] = panel["n_qualified"] / nv
        panel["late_withdrawal_rate"] = panel["n_withdrawn_late"] / panel["n_reached_interview"].where(
            panel["n_reached_interview"] > 0
        )
        panel["acceptance_rate"] = panel["n_accepted"] / panel["n_offers_decided"].where(panel["n_offers_decided"] > 0)
    panel = panel.drop(columns=["sum_unfilled_90"])

    # treatment columns, from the unit's pilot dates (one vacancy of the unit suffices)
    status_cols = (
        vac.groupby(unit, observed=True)
        .agg(
            arm=("arm", "first"),
            pilot_start=("pilot_start", "first"),
            pilot_end=("pilot_end", "first"),
            child_share=("child", "mean"),
        )
        .reset_index()
    )
    panel = panel.merge(status_cols, on=unit, how="left")
    bounds = _period_bounds(periods)
    panel = panel.merge(bounds, on="period", how="left")
    panel["period_index"] = panel["period"].map({p: i + 1 for i, p in enumerate(periods)}).astype("int64")
    in_pilot = panel["arm"].astype(str) == "pilot"
    p_end = panel["pilot_end"].fillna(pd.Timestamp.max.normalize())
    overlap_start = panel[["period_start", "pilot_start"]].max(axis=1)
    overlap_end = pd.concat([panel["period_end"], p_end], axis=1).min(axis=1)
    overlap = ((overlap_end - overlap_start).dt.days + 1).clip(lower=0)
    length = (panel["period_end"] - panel["period_start"]).dt.days + 1
    panel["exposure"] = (overlap / length).where(in_pilot, 0.0).fillna(0.0)
    panel["treated"] = panel["exposure"] > 0
    panel["phase"] = np.where(
        panel["period_end"] < panel["pilot_start"], "before", np.where(panel["period_start"] > p_end, "after", "during")
    )
    cohort = period_label(panel["pilot_start"], period).where(in_pilot, None)
    panel["cohort"] = cohort
    panel["cohort_index"] = panel["cohort"].map({p: i + 1 for i, p in enumerate(periods)}).fillna(0).astype("int64")
    # a pilot that started before the panel: cohort before the first period
    panel.loc[in_pilot & (panel["cohort_index"] == 0), "cohort_index"] = -1
    panel["child_facing"] = panel["child_share"] >= 0.5
    order = [
        *unit,
        "period",
        "period_index",
        "period_start",
        "period_end",
        "arm",
        "cohort",
        "cohort_index",
        "exposure",
        "treated",
        "phase",
        "child_facing",
    ]
    panel["n"] = panel["n_vacancies"]
    outcomes = [
        "n_vacancies",
        "n_positions",
        "n_followed_90",
        "n_filled_90",
        "filled_within_90",
        "days_unfilled_90",
        "n_followed_180",
        "days_to_fill_180",
        "n_applications",
        "n_qualified",
        "applicants_per_vacancy",
        "qualified_per_vacancy",
        "n_reached_interview",
        "n_withdrawn_late",
        "late_withdrawal_rate",
        "n_offers_decided",
        "n_accepted",
        "acceptance_rate",
    ]
    rest = [
        c
        for c in panel.columns
        if c not in order + outcomes + ["n"] and c not in ("pilot_start", "pilot_end", "child_share")
    ]
    return panel[order + outcomes + rest + ["n"]].sort_values([*unit, "period_index"]).reset_index(drop=True)
