"""The shared helpers of the measures: their fast paths give what the plain pandas
versions give (period labels, enum columns, enriched applications)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pilot_eval import periods
from pilot_eval.analysis.enrich import _rollout_new_hires
from pilot_eval.measures import common as C
from pilot_eval.measures.funnel import NOT_RECORDED, _as_enum


@pytest.mark.parametrize("freq", ["month", "quarter", "half", "year"])
def test_period_labels_from_integer_keys_equal_the_string_formatting(freq):
    rng = np.random.default_rng(1)
    dates = pd.Series(pd.to_datetime("1999-12-31") + pd.to_timedelta(rng.integers(0, 12_000, 5_000), unit="D"))
    dates[rng.random(5_000) < 0.1] = pd.NaT
    fast = C.period_label(dates, freq)
    slow = periods._labels_of_dates(dates, freq)
    pd.testing.assert_series_equal(fast, slow)
    assert fast.isna().sum() == dates.isna().sum()
    # a list of strings and a tz-aware series take the general path and agree
    pd.testing.assert_series_equal(C.period_label(dates.dt.strftime("%Y-%m-%d").where(dates.notna()), freq), slow)
    aware = dates.dt.tz_localize("Europe/Stockholm")
    pd.testing.assert_series_equal(C.period_label(aware, freq), periods._labels_of_dates(aware, freq))


def test_period_label_of_nothing_and_of_only_missing():
    assert C.period_label(pd.Series([], dtype="datetime64[ns]")).tolist() == []
    assert C.period_label(pd.Series([pd.NaT, pd.NaT])).tolist() == [None, None]


def test_enum_from_a_categorical_equals_the_enum_from_strings():
    values = ["woman", "man", "other"]
    raw = pd.Series(["man", None, "unknown", "woman", "man", None, "zeta"], index=[5, 3, 9, 1, 0, 2, 7])
    for series in (
        raw,
        raw.astype("category"),
        raw.astype(pd.CategoricalDtype(["zeta", "man", "woman", "unused", "unknown"])),
    ):
        got = _as_enum(series, values)
        want = _as_enum(series.astype(object), values)
        pd.testing.assert_series_equal(got, want)
        assert list(got.cat.categories) == values + ["unknown", "zeta", NOT_RECORDED]
        assert got.tolist() == ["man", NOT_RECORDED, "unknown", "woman", "man", NOT_RECORDED, "zeta"]


def _tables():
    vac = pd.DataFrame(
        {
            "vacancy_id": ["v1", "v2", "v3"],
            "administration": ["SOF", "UBF", "KLF"],
            "role_group": ["teacher", "teacher", "other"],
            "positions": [1, 2, 1],
            "published_date": pd.to_datetime(["2023-01-05", "2023-10-01", "2024-02-01"]),
            "status": ["filled", "open", "cancelled"],
            "check_in_ad": [True, False, True],
        }
    )
    app = pd.DataFrame(
        {
            "application_id": ["a1", "a2", "a3", "a4"],
            "vacancy_id": ["v2", "v1", "v2", "v3"],
            "gender": ["woman", "man", None, "woman"],
        },
        index=[10, 11, 12, 13],
    )
    rollout = pd.DataFrame(
        {
            "administration": ["SOF"],
            "role_group": ["all"],
            "scope": ["new_hires"],
            "start_date": pd.to_datetime(["2023-09-01"]),
            "end_date": pd.to_datetime(["2024-12-31"]),
        }
    )
    return vac, app, rollout


def test_enriched_applications_by_position_equal_the_merge():
    vac, app, rollout = _tables()
    got = C.enrich_applications(app, vac, rollout)
    vac_e = C.enrich_vacancies(vac, rollout)
    keep = ["vacancy_id"] + [
        c
        for c in C._VACANCY_COLUMNS + ["period", "arm", "phase", "pilot_start", "pilot_end", "cohort", "treated"]
        if c in vac_e.columns
    ]
    want = app.merge(
        vac_e[keep].rename(columns={"status": "vacancy_status"}), on="vacancy_id", how="left", validate="many_to_one"
    )
    pd.testing.assert_frame_equal(got, want)
    assert got["vacancy_status"].tolist() == ["open", "filled", "open", "cancelled"]


def test_enriched_applications_fall_back_to_the_merge():
    vac, app, rollout = _tables()
    orphan = pd.concat([app, pd.DataFrame({"application_id": ["a5"], "vacancy_id": ["v9"], "gender": ["man"]})])
    got = C.enrich_applications(orphan, vac)
    assert len(got) == 5 and pd.isna(got["administration"].iloc[-1]) and got["positions"].dtype == float
    with pytest.raises(pd.errors.MergeError):
        C.enrich_applications(app, pd.concat([vac, vac.iloc[:1]]))


# --------------------------------------------------------------------------- pilot status


def _row_by_row_pilot_status(
    vacancies: pd.DataFrame, pilot_rollout: pd.DataFrame, period: str = "quarter"
) -> pd.DataFrame:
    """The former implementation (one boolean mask per roll-out row over the pairs)."""
    r = _rollout_new_hires(pilot_rollout)
    # the roll-out rows are matched once per distinct administration × role group, then
    # spread to the vacancies
    admin_codes, admins = pd.factorize(vacancies["administration"].astype(str))
    role_codes, roles = pd.factorize(vacancies["role_group"].astype(str))
    pair_codes, pairs = pd.factorize(admin_codes.astype(np.int64) * max(len(roles), 1) + role_codes)
    admin = pd.Series(np.asarray(admins, dtype=object)[pairs // max(len(roles), 1)], dtype=object)
    role = pd.Series(np.asarray(roles, dtype=object)[pairs % max(len(roles), 1)], dtype=object)
    pair_start = pd.Series(pd.NaT, index=admin.index, dtype="datetime64[ns]")
    pair_end = pd.Series(pd.NaT, index=admin.index, dtype="datetime64[ns]")
    pair_in = pd.Series(False, index=admin.index)
    pair_open = pd.Series(False, index=admin.index)
    # a role-specific row wins over "all"
    for specific in (False, True):
        rows = r[(r["role_group"] != "all") == specific]
        for _, row in rows.iterrows():
            hit = (admin == row["administration"]) & ((role == row["role_group"]) | (row["role_group"] == "all"))
            pair_start[hit] = row["start_date"]
            pair_end[hit] = row["end_date"]
            pair_open[hit] = pd.isna(row["end_date"])
            pair_in |= hit

    def spread(values: pd.Series) -> pd.Series:
        return pd.Series(values.to_numpy()[pair_codes], index=vacancies.index, dtype=values.dtype)

    start, end, in_pilot, open_ended = spread(pair_start), spread(pair_end), spread(pair_in), spread(pair_open)
    # comparison units: the pilot calendar
    cal_start = r["start_date"].min() if len(r) else pd.NaT
    cal_end = pd.NaT if (len(r) == 0 or r["end_date"].isna().any()) else r["end_date"].max()
    start = start.where(in_pilot, cal_start)
    end = end.where(in_pilot, cal_end)
    published = vacancies["published_date"]
    no_end = in_pilot & open_ended | (~in_pilot & pd.isna(cal_end))
    phase = np.where(published < start, "before", np.where(no_end | (published <= end), "during", "after"))
    phase = pd.Series(phase, index=vacancies.index).where(start.notna(), "before")
    arm = pd.Series(np.where(in_pilot, C.PILOT_ARM, C.COMPARISON_ARM), index=vacancies.index)
    cohort = C.period_label(start, period).where(in_pilot, None)
    return pd.DataFrame(
        {
            "arm": pd.Categorical(arm, categories=[C.PILOT_ARM, C.COMPARISON_ARM]),
            "phase": pd.Categorical(phase, categories=list(C.PHASES)),
            "pilot_start": start,
            "pilot_end": end.where(~no_end, pd.NaT),
            "cohort": cohort,
            "treated": in_pilot & (phase == "during"),
        },
        index=vacancies.index,
    )


def _rollouts():
    """Roll-out tables that exercise every rule: "all" rows, a role-specific row over an
    "all" row, two rows for the same unit (the later wins), open-ended, a missing end,
    another scope, and none at all."""
    d = pd.to_datetime
    base = {"scope": "new_hires"}
    yield pd.DataFrame(
        [
            {
                **base,
                "administration": "SOF",
                "role_group": "all",
                "start_date": d("2023-09-01"),
                "end_date": d("2024-12-31"),
            }
        ]
    )
    yield pd.DataFrame(
        [
            {**base, "administration": "SOF", "role_group": "all", "start_date": d("2023-09-01"), "end_date": pd.NaT},
            {
                **base,
                "administration": "SOF",
                "role_group": "teacher",
                "start_date": d("2024-01-01"),
                "end_date": d("2024-06-30"),
            },
            {
                **base,
                "administration": "UBF",
                "role_group": "teacher",
                "start_date": d("2023-10-01"),
                "end_date": d("2024-03-31"),
            },
            {
                **base,
                "administration": "UBF",
                "role_group": "teacher",
                "start_date": d("2023-11-01"),
                "end_date": d("2024-05-31"),
            },
            {
                "scope": "all_staff",
                "administration": "KLF",
                "role_group": "all",
                "start_date": d("2023-01-01"),
                "end_date": d("2025-01-01"),
            },
        ]
    )
    yield pd.DataFrame(
        {
            "administration": pd.Series([], dtype=object),
            "role_group": pd.Series([], dtype=object),
            "scope": pd.Series([], dtype=object),
            "start_date": pd.Series([], dtype="datetime64[ns]"),
            "end_date": pd.Series([], dtype="datetime64[ns]"),
        }
    )


@pytest.mark.parametrize("period", ["quarter", "month", "year"])
def test_pilot_status_by_pairs_equals_the_row_by_row_rule(period):
    rng = np.random.default_rng(5)
    n = 400
    vac = pd.DataFrame(
        {
            "administration": pd.Categorical(rng.choice(["SOF", "UBF", "KLF", "VOF"], n)),
            "role_group": rng.choice(["teacher", "other", "manager"], n),
            "published_date": pd.Series(
                pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 800, n), unit="D")
            ),
        },
        index=rng.permutation(n) + 100,
    )
    vac.loc[vac.index[:7], "published_date"] = pd.NaT
    vac.loc[vac.index[7:10], "administration"] = np.nan  # a missing code is the text "nan"
    for rollout in _rollouts():
        for frame in (vac, vac.astype({"administration": object})):
            got = C.vacancy_pilot_status(frame, rollout, period)
            pd.testing.assert_frame_equal(got, _row_by_row_pilot_status(frame, rollout, period))
    empty = vac.iloc[:0]
    pd.testing.assert_frame_equal(
        C.vacancy_pilot_status(empty, next(_rollouts()), period),
        _row_by_row_pilot_status(empty, next(_rollouts()), period),
    )


@pytest.mark.parametrize("rollout, continues", [("default", False), ("staggered", False), ("default", True)])
def test_pilot_status_on_the_demo_equals_the_row_by_row_rule(rollout, continues):
    from pilot_eval.demo import generate

    tables = generate(seed=4, scale=0.1, rollout=rollout, pilot_continues=continues).tables
    v, r = tables["vacancies"], tables["pilot_rollout"]
    pd.testing.assert_frame_equal(C.vacancy_pilot_status(v, r), _row_by_row_pilot_status(v, r))
