"""The shared helpers of the measures: their fast paths give what the plain pandas
versions give (period labels, enum columns, enriched applications)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval.measures import common as C
from pilot_eval.measures.funnel import NOT_RECORDED, _as_enum


@pytest.mark.parametrize("freq", ["month", "quarter", "half", "year"])
def test_period_labels_from_integer_keys_equal_the_string_formatting(freq):
    rng = np.random.default_rng(1)
    dates = pd.Series(pd.to_datetime("1999-12-31") + pd.to_timedelta(rng.integers(0, 12_000, 5_000), unit="D"))
    dates[rng.random(5_000) < 0.1] = pd.NaT
    fast = C.period_label(dates, freq)
    slow = C._period_labels(dates, freq)
    pd.testing.assert_series_equal(fast, slow)
    assert fast.isna().sum() == dates.isna().sum()
    # a list of strings and a tz-aware series take the general path and agree
    pd.testing.assert_series_equal(C.period_label(dates.dt.strftime("%Y-%m-%d").where(dates.notna()), freq), slow)
    aware = dates.dt.tz_localize("Europe/Stockholm")
    pd.testing.assert_series_equal(C.period_label(aware, freq), C._period_labels(aware, freq))


def test_period_label_of_nothing_and_of_only_missing():
    assert C.period_label(pd.Series([], dtype="datetime64[ns]")).tolist() == []
    assert C.period_label(pd.Series([pd.NaT, pd.NaT])).tolist() == [None, None]


def test_enum_from_a_categorical_equals_the_enum_from_strings():
    values = ["woman", "man", "other"]
    raw = pd.Series(["man", None, "unknown", "woman", "man", None, "zeta"], index=[5, 3, 9, 1, 0, 2, 7])
    for series in (raw, raw.astype("category"),
                   raw.astype(pd.CategoricalDtype(["zeta", "man", "woman", "unused", "unknown"]))):
        got = _as_enum(series, values)
        want = _as_enum(series.astype(object), values)
        pd.testing.assert_series_equal(got, want)
        assert list(got.cat.categories) == values + ["unknown", "zeta", NOT_RECORDED]
        assert got.tolist() == ["man", NOT_RECORDED, "unknown", "woman", "man", NOT_RECORDED, "zeta"]


def _tables():
    vac = pd.DataFrame({"vacancy_id": ["v1", "v2", "v3"], "administration": ["SOF", "UBF", "KLF"],
                        "role_group": ["teacher", "teacher", "other"], "positions": [1, 2, 1],
                        "published_date": pd.to_datetime(["2023-01-05", "2023-10-01", "2024-02-01"]),
                        "status": ["filled", "open", "cancelled"], "check_in_ad": [True, False, True]})
    app = pd.DataFrame({"application_id": ["a1", "a2", "a3", "a4"], "vacancy_id": ["v2", "v1", "v2", "v3"],
                        "gender": ["woman", "man", None, "woman"]}, index=[10, 11, 12, 13])
    rollout = pd.DataFrame({"administration": ["SOF"], "role_group": ["all"], "scope": ["new_hires"],
                            "start_date": pd.to_datetime(["2023-09-01"]), "end_date": pd.to_datetime(["2024-12-31"])})
    return vac, app, rollout


def test_enriched_applications_by_position_equal_the_merge():
    vac, app, rollout = _tables()
    got = C.enrich_applications(app, vac, rollout)
    vac_e = C.enrich_vacancies(vac, rollout)
    keep = ["vacancy_id"] + [c for c in C._VACANCY_COLUMNS + ["period", "arm", "phase", "pilot_start", "pilot_end",
                                                                "cohort", "treated"] if c in vac_e.columns]
    want = app.merge(vac_e[keep].rename(columns={"status": "vacancy_status"}), on="vacancy_id", how="left",
                     validate="many_to_one")
    pd.testing.assert_frame_equal(got, want)
    assert got["vacancy_status"].tolist() == ["open", "filled", "open", "cancelled"]


def test_enriched_applications_fall_back_to_the_merge():
    vac, app, rollout = _tables()
    orphan = pd.concat([app, pd.DataFrame({"application_id": ["a5"], "vacancy_id": ["v9"], "gender": ["man"]})])
    got = C.enrich_applications(orphan, vac)
    assert len(got) == 5 and pd.isna(got["administration"].iloc[-1]) and got["positions"].dtype == float
    with pytest.raises(pd.errors.MergeError):
        C.enrich_applications(app, pd.concat([vac, vac.iloc[:1]]))
