"""The analysis window: which vacancies (and with them which applications and checks)
an analysis looks at."""

from __future__ import annotations

import pandas as pd

__all__ = ["DEFAULT_WINDOW", "restrict_window"]

#: The default analysis window of :func:`pilot_eval.estimate.effects.pilot_effects`:
#: everything published up to 2026-02-28, the day before the law change of 2026-03-01
#: that widens statutory register checks, mainly in VOF, a comparison administration
#: (docs/estimation.md, "Window").
DEFAULT_WINDOW: tuple[str | None, str | None] = (None, "2026-02-28")


def restrict_window(tables: dict[str, pd.DataFrame], window: tuple | None) -> dict[str, pd.DataFrame]:
    """The tables with only the vacancies published within ``window`` = (first, last)
    (either may be None; ``window`` None: the tables as given); the applications follow
    their vacancy, and the background checks their application. The other tables (the
    roll-out, staffing) are kept whole.

    >>> vac = pd.DataFrame({"vacancy_id": ["V1", "V2"], "published_date": pd.to_datetime(["2025-01-10", "2026-05-01"])})
    >>> app = pd.DataFrame({"application_id": ["A1", "A2"], "vacancy_id": ["V1", "V2"]})
    >>> chk = pd.DataFrame({"check_id": ["C1", "C2"], "application_id": ["A1", "A2"]})
    >>> kept = restrict_window({"vacancies": vac, "applications": app, "background_checks": chk}, (None, "2026-02-28"))
    >>> [kept[t].iloc[:, 0].tolist() for t in ("vacancies", "applications", "background_checks")]
    [['V1'], ['A1'], ['C1']]
    """
    if window is None:
        return tables
    first, last = window
    vacancies = tables["vacancies"]
    published = vacancies["published_date"]
    keep = pd.Series(True, index=published.index)
    if first is not None:
        keep &= published >= pd.Timestamp(first)
    if last is not None:
        keep &= published <= pd.Timestamp(last)
    out = {**tables, "vacancies": vacancies.loc[keep]}
    if "applications" in tables:
        apps = tables["applications"]
        apps = apps.loc[apps["vacancy_id"].isin(out["vacancies"]["vacancy_id"])]
        out["applications"] = apps
        if "background_checks" in tables:
            checks = tables["background_checks"]
            out["background_checks"] = checks.loc[checks["application_id"].isin(apps["application_id"])]
    return out
