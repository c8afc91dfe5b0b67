"""How each vacancy's recruitment ended, or is censored: the durations every
time-to-fill figure, the panel and the estimators' duration outcomes start from.

A vacancy is **filled** on its ``accepted_date``; it ends in a **competing** outcome
(cancelled, unfilled or re-advertised) on its ``closed_date``; otherwise it is
**censored** at the cut date (still open, or closed without a date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CENSORED", "COMPETING", "COMPETING_STATUSES", "FILLED", "cut_timestamp", "fill_durations"]

#: The ``event`` codes of :func:`fill_durations`.
FILLED, COMPETING, CENSORED = 1, 2, 0
COMPETING_STATUSES = ("cancelled", "unfilled", "readvertised")


def cut_timestamp(cut_date) -> pd.Timestamp:
    """The cut date as a Timestamp; a ValueError when it is missing (open vacancies and
    pending checks are censored at it)."""
    if cut_date is None:
        raise ValueError("cut_date is required: open vacancies are censored at it")
    return pd.Timestamp(cut_date)


def fill_durations(vacancies: pd.DataFrame, cut_date) -> pd.DataFrame:
    """Per vacancy: ``duration`` (days) and ``event`` — 1 filled (accepted_date), 2 a
    competing outcome (cancelled, unfilled or re-advertised: closed_date), 0 censored at
    the cut date (open, or closed without a date)."""
    cut = cut_timestamp(cut_date)
    published = vacancies["published_date"]
    accepted = vacancies["accepted_date"]
    status = vacancies["status"].astype(str)
    filled = accepted.notna() & (accepted <= cut)
    competing = (
        ~filled & status.isin(COMPETING_STATUSES) & vacancies["closed_date"].notna() & (vacancies["closed_date"] <= cut)
    )
    end = pd.Series(cut, index=vacancies.index)
    end = end.where(~competing, vacancies["closed_date"]).where(~filled, accepted)
    duration = (end - published).dt.days.clip(lower=0).astype(float)
    event = np.where(filled, FILLED, np.where(competing, COMPETING, CENSORED))
    return pd.DataFrame({"duration": duration, "event": event}, index=vacancies.index)
