"""Tests of the report-wide disclosure ledger (pilot_eval.disclosure.ledger) and of the
``withhold=`` / ``reprotect`` that it uses, issue 16 item 4.

The ranges a reader can still give withheld cells are worked out in each test by hand or
by brute force over whole numbers, from the rules (not from the implementation).
"""

from __future__ import annotations

import doctest
import itertools
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_eval.disclosure import Ledger, LedgerAudit, ProtectedTable, Thresholds, protect, protect_check_outcomes
from pilot_eval.disclosure import ledger as ledger_module


def flags(p: ProtectedTable, col: str) -> list[str]:
    return p.flags[col].tolist()


def test_doctests() -> None:
    result = doctest.testmod(ledger_module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3
    assert result.failed == 0


def brute_force(ranges: dict[str, range], constraints) -> dict[str, tuple[int, int]]:
    """The smallest and largest whole value of each unknown over every assignment within
    ``ranges`` that satisfies every constraint (a function of the assignment)."""
    names = list(ranges)
    seen: dict[str, list[int]] = {n: [] for n in names}
    for combo in itertools.product(*(ranges[n] for n in names)):
        x = dict(zip(names, combo, strict=True))
        if all(c(x) for c in constraints):
            for n in names:
                seen[n].append(x[n])
    return {n: (min(v), max(v)) for n, v in seen.items() if v}


# --------------------------------------------------------------------------- withhold= and reprotect


def test_withhold_none_changes_nothing_and_origin_is_recorded() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [1, 5, 30, 36]})
    a, b = protect(t), protect(t, withhold=None)
    assert a.values.equals(b.values) and a.flags.equals(b.flags) and a.notes == b.notes
    assert b.method == "protect" and b.withheld_extra == ()
    assert b.source.equals(t) and b.source is not t
    assert b.options["totals"] == "auto" and json.dumps(b.options)


def test_withhold_cells_are_secondary_and_what_follows_them_follows() -> None:
    t = pd.DataFrame(
        {
            "arm": ["pilot", "comparison", "Totalt"],
            "n_withdrawn_late": [12, 20, 32],
            "late_withdrawal_rate": [0.24, 0.25, 32 / 130],
            "n_reached_interview": [50, 80, 130],
            "n": [50, 80, 130],
        }
    )
    assert flags(protect(t), "n_withdrawn_late") == ["", "", ""]
    p = protect(t, withhold=[(0, "n_withdrawn_late")])
    # the line pilot + comparison = total needs a second withheld cell; the rates follow
    assert flags(p, "n_withdrawn_late") == ["secondary", "secondary", ""]
    assert flags(p, "late_withdrawal_rate") == ["secondary", "secondary", ""]
    assert p.withheld_extra == ((0, "n_withdrawn_late"),)


def test_withhold_ignores_zeros_and_refuses_unknown_cells() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n": [0, 12, 30]})
    p = protect(t, totals=None, withhold=[(0, "n"), (1, "n")])
    assert flags(p, "n") == ["", "secondary", ""]
    assert any("zeros are never withheld" in note for note in p.notes)
    with pytest.raises(ValueError, match="no count column"):
        protect(t, withhold=[(0, "administration")])
    with pytest.raises(ValueError, match="row position 7"):
        protect(t, withhold=[(7, "n")])


def test_reprotect_adds_to_the_earlier_cells() -> None:
    t = pd.DataFrame({"gender": ["woman", "man", "other_unknown"], "n": [40, 50, 60]})
    p = protect(t, totals=None, group_columns=["gender"])
    q = p.reprotect([(0, "n")]).reprotect([(2, "n")])
    assert flags(q, "n") == ["secondary", "", "secondary"]
    assert q.withheld_extra == ((0, "n"), (2, "n"))
    assert q.options["group_columns"] == ["gender"]
    with pytest.raises(ValueError, match="source"):
        ProtectedTable(values=t, flags=p.flags, group_columns=["gender"], notes=[]).reprotect([(0, "n")])


def test_withhold_and_reprotect_in_check_outcomes() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF"] * 3 + ["UBF"] * 3 + ["KOF"] * 3,
            "outcome": ["cleared", "remark_no_obstacle", "remark_obstacle"] * 3,
            "n": [120, 9, 6, 300, 12, 5, 400, 16, 7],
        }
    )
    base = protect_check_outcomes(t, totals=None)
    assert flags(base, "n") == [""] * 9
    assert base.method == "check_outcomes"
    p = base.reprotect([(1, "n")])
    # the whole level SOF goes, as "..‡" (it passes the rule); no line without totals
    assert flags(p, "n") == ["secondary"] * 3 + [""] * 6
    q = protect_check_outcomes(t, withhold=[(4, "n")])
    # with margins published elsewhere a second level goes too
    assert flags(q, "n").count("secondary") == 6 and flags(q, "n")[3:6] == ["secondary"] * 3
    assert protect_check_outcomes(t, withhold=None).flags.equals(protect_check_outcomes(t).flags)
    with pytest.raises(ValueError, match="count column"):
        protect_check_outcomes(t, withhold=[(0, "outcome")])


# --------------------------------------------------------------------------- the ledger


def offers(n_offers: list[int], n_accepted: list[int], genders=("woman", "man")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gender": list(genders),
            "n_offers": n_offers,
            "n_accepted": n_accepted,
            "acceptance_rate": [a / o for a, o in zip(n_accepted, n_offers, strict=True)],
        }
    )


def test_numerator_and_denominator_shown_give_their_complement_back() -> None:
    # the equality page: 14 offers, 11 accepted → 3 declined, a count of 1–4; and 8 − 6 = 2
    # where the rate is withheld for its small denominator. A summary page shows the same
    # 11 acceptances.
    t = offers([14, 8, 40], [11, 6, 30], genders=("woman", "other_unknown", "man"))
    p = protect(t, totals=None)
    assert flags(p, "acceptance_rate") == ["", "small_denominator", ""]
    assert (p.flags[["n_offers", "n_accepted"]] == "").all().all()
    summary = protect(pd.DataFrame({"gender": ["woman"], "n_accepted": [11]}), totals=None)
    ledger = Ledger()
    eq = ledger.add_table("equality", p, name="offers by gender")
    su = ledger.add_table("summary", summary, name="acceptances")
    result = ledger.audit()
    final = result.tables[eq]
    # one of each pair is withheld (the smaller, the numerator), and the rate with it
    assert flags(final, "n_accepted") == ["secondary", "secondary", ""]
    assert flags(final, "n_offers") == ["", "", ""]
    assert flags(final, "acceptance_rate") == ["secondary", "small_denominator", ""]
    # ...everywhere it appears
    assert flags(result.tables[su], "n_accepted") == ["secondary"]
    assert result.changed == {eq, su} and result.unprotected == []
    assert any("'offers by gender'" in n and "n_accepted" in n and "gender='woman'" in n for n in result.notes)
    # what a reader can still work out: declines = offers − accepted, accepted ≥ 5 (a "..‡")
    for offered in (14, 8):
        r = brute_force({"acc": range(5, offered + 1)}, [lambda x, o=offered: o - x["acc"] >= 0])
        assert r["acc"][1] - r["acc"][0] >= 1
        declines = {offered - a for a in range(r["acc"][0], r["acc"][1] + 1)}
        assert not declines <= {1, 2, 3, 4}  # not pinned inside 1–4
    # the man row (40 − 30 = 10) needed nothing
    assert result.cells == 3 * 3 + 1 and result.published == 3 * 3 + 1 - 5


def pending_tables(total: int = 517):
    a = pd.DataFrame(
        {"status": ["accepted", "declined", "withdrawn", "expired", "pending"], "n": [341, 147, 13, 12, 4]}
    )
    b = pd.DataFrame({"n_offers": [total]})
    return a, b


def test_pending_offers_summed_across_pages() -> None:
    a, b = pending_tables()
    pa = protect(a, totals=None)
    assert flags(pa, "n") == [""] * 4 + ["small_count"]  # on its own the page is safe
    ledger = Ledger()
    ia = ledger.add_table("a", pa, name="offers by status", measures={"n": "n_offers"})
    ib = ledger.add_table("b", protect(b), name="offers")
    result = ledger.audit()
    fa, fb = result.tables[ia], result.tables[ib]
    assert flags(fa, "n") == ["", "", "", "secondary", "small_count"]  # the smallest shown status
    assert flags(fb, "n_offers") == [""]  # page A's withholding suffices
    assert result.changed == {ia} and result.unprotected == []
    # independent check: every withheld cell keeps at least two values, pending its 1–4
    shown = {s: v for s, v, f in zip(a["status"], a["n"], flags(fa, "n"), strict=True) if not f}
    hidden = {
        s: (range(1, 5) if f == "small_count" else range(5, 518))
        for s, f in zip(a["status"], flags(fa, "n"), strict=True)
        if f
    }
    r = brute_force(hidden, [lambda x: sum(x.values()) + sum(shown.values()) == 517])
    assert r["pending"] == (1, 4)
    assert r["expired"][1] - r["expired"][0] >= 1


def test_the_same_key_with_another_value_is_another_population() -> None:
    a, b = pending_tables(total=520)  # another window's offers, say
    ledger = Ledger()
    ia = ledger.add_table("a", protect(a, totals=None), measures={"n": "n_offers"})
    ledger.add_table("b", protect(b))
    result = ledger.audit()
    assert flags(result.tables[ia], "n") == [""] * 4 + ["small_count"]
    assert result.changed == set()
    # the same key in two tables with two values: kept apart, with a note
    ledger.add_table("c", protect(pd.DataFrame({"status": ["expired"], "n_offers": [11]}), totals=None))
    result = ledger.audit()
    assert result.changed == set()
    assert any("different values" in note and "expired" in note for note in result.notes)


def test_a_cell_shown_in_two_tables_is_withheld_in_both() -> None:
    a, b = pending_tables()
    ledger = Ledger()
    ia = ledger.add_table("a", protect(a, totals=None), name="offers by status", measures={"n": "n_offers"})
    ledger.add_table("b", protect(b), name="offers")
    ic = ledger.add_table(
        "c", protect(pd.DataFrame({"status": ["expired", "withdrawn"], "n_offers": [12, 13]}), totals=None), name="lost"
    )
    result = ledger.audit()
    assert flags(result.tables[ia], "n")[3] == "secondary"
    assert flags(result.tables[ic], "n_offers") == ["secondary", ""]  # no line of its own needs more
    assert {ia, ic} <= result.changed and result.unprotected == []
    assert any("'lost'" in note and "expired" in note for note in result.notes)


def test_a_table_cell_withheld_on_its_own_is_withheld_where_another_table_shows_it() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"], "n": [3, 8, 12, 23]})
    p = protect(t)
    assert flags(p, "n") == ["small_count", "secondary", "", ""]
    other = protect(pd.DataFrame({"administration": ["UBF"], "n": [8]}), totals=None)
    ledger = Ledger()
    ledger.add_table("p1", p)
    io = ledger.add_table("p2", other, name="UBF alone")
    result = ledger.audit()
    assert flags(result.tables[io], "n") == ["secondary"]
    assert any("the same figure is withheld" in note for note in result.notes)


def test_a_number_that_is_a_total_whose_parts_are_hidden_elsewhere() -> None:
    # "48 med kreditupplysning" where the credit counts by administration show SOF as "<5"
    t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF"], "n_credit": [3, 45, 0]})
    p = protect(t, totals=None)
    assert flags(p, "n_credit") == ["small_count", "", ""]
    ledger = Ledger()
    it = ledger.add_table("p06", p, name="credit checks")
    num = ledger.add_number("summary", 48, measure="n_credit", name="credit checks in total")
    result = ledger.audit()
    assert flags(result.tables[it], "n_credit") == ["small_count", "secondary", ""]
    assert result.numbers[num] == ""
    r = brute_force({"sof": range(1, 5), "ubf": range(5, 49)}, [lambda x: x["sof"] + x["ubf"] == 48])
    assert r["sof"] == (1, 4) and r["ubf"][1] - r["ubf"][0] >= 1


def test_a_number_is_withheld_where_nothing_else_can_be() -> None:
    # SOF 1 "<5", UBF 5 and "6 in total": 6 − 5 = 1. Withholding UBF is not enough (1 + 5,
    # "<5" ≥ 1 and "..‡" ≥ 5), so the number goes too.
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n": [1, 5]})
    ledger = Ledger()
    it = ledger.add_table("p1", protect(t, totals=None), name="by administration")
    num = ledger.add_number("p2", 6, measure="n", name="in total")
    result = ledger.audit()
    assert flags(result.tables[it], "n") == ["small_count", "secondary"]
    assert result.numbers[num] == "secondary"
    assert result.changed == {it, num} and result.unprotected == []
    assert any("the number 'in total'" in note for note in result.notes)


def test_page_names_name_files() -> None:
    ledger = Ledger()
    for bad in ("..", "a/b", "", ".hidden"):
        with pytest.raises(ValueError, match="page name"):
            ledger.add_number(bad, 12, measure="n")
    assert ledger.add_number("01_overview", 12, measure="n") == "01_overview/n0"


def test_a_small_number_is_withheld_at_once() -> None:
    ledger = Ledger()
    num = ledger.add_number("summary", 3, measure="n_remarks", groups={"administration": "SOF"})
    zero = ledger.add_number("summary", 0, measure="n_remarks", groups={"administration": "UBF"})
    result = ledger.audit()
    assert result.numbers == {num: "small_count", zero: ""}
    assert result.cells == 2 and result.published == 1
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n": [12.0, np.nan]})
    ledger.add_table("p1", protect(t, totals=None))
    result = ledger.audit()
    assert result.cells == 3 and result.published == 2  # the missing cell is no figure


def test_what_no_withholding_can_protect_is_unprotected() -> None:
    # four age bands of one each ("<5") and a sentence "4 in all" (itself "<5"): a reader
    # knows each band is at least 1 and all of them at most 4, so every band is 1; nothing
    # shown is left to withhold
    t = pd.DataFrame({"age_band": ["u25", "25_34", "35_44", "45_54"], "n": [1, 1, 1, 1]})
    ledger = Ledger()
    ledger.add_table("p04", protect(t, totals=None), name="hires by age")
    num = ledger.add_number("summary", 4, measure="n", name="hires")
    result = ledger.audit()
    assert result.numbers[num] == "small_count"
    assert len(result.unprotected) == 5
    assert any("'hires by age'" in u and "age_band='u25'" in u and "p04" in u for u in result.unprotected)
    assert any("the number 'hires'" in u for u in result.unprotected)


def test_margins_assumed_published_elsewhere_count_unless_told_otherwise() -> None:
    # four "<5" cells whose margin, assumed published elsewhere (totals="auto"), is "<5"
    # itself: protect notes that it cannot protect them; the report's audit fails them,
    # unless only the report's own figures are to count
    t = pd.DataFrame({"age_band": ["u25", "25_34", "35_44", "45_54"], "n": [1, 1, 1, 1]})
    ledger = Ledger()
    ledger.add_table("p04", protect(t), name="hires by age")
    assert len(ledger.audit().unprotected) == 4
    assert ledger.audit(assume_margins=False).unprotected == []


def test_save_and_load_two_pages_written_separately(tmp_path) -> None:
    a, b = pending_tables()
    years = pd.DataFrame({"year": [2024, 2025, "Totalt"], "n": [1234, 3, 1237]})  # a mixed object column
    one, two = Ledger(), Ledger()
    one.add_table("a", protect(a, totals=None), name="offers by status", measures={"n": "n_offers"})
    one.add_table("a", protect(years), name="by year")
    two.add_table("b", protect(b), name="offers")
    two.add_number("b", 1237, measure="n", name="all years")
    one.save(tmp_path, "a")
    two.save(tmp_path, "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "a.json", "b", "b.json"]
    (tmp_path / "disclosure_audit.json").write_text("{}")  # not a page: skipped
    loaded = Ledger.load(tmp_path)
    assert [e.id for e in loaded.entries] == ["a/t0", "a/t1", "b/t0", "b/n0"]
    assert loaded.entries[1].table.source["year"].tolist() == [2024, 2025, "Totalt"]
    together = Ledger()
    together.entries = one.entries + two.entries
    r1, r2 = loaded.audit(), together.audit()
    assert isinstance(r1, LedgerAudit)
    for key in r2.tables:
        assert r1.tables[key].flags.reset_index(drop=True).equals(r2.tables[key].flags.reset_index(drop=True))
    assert r1.numbers == r2.numbers and r1.changed == r2.changed == {"a/t0"}
    assert r1.to_json() == r2.to_json()


def test_to_json_holds_no_true_value_of_a_withheld_cell() -> None:
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n": [3, 1234]})
    ledger = Ledger()
    it = ledger.add_table("p1", protect(t, totals=None), name="by administration")
    ledger.add_number("p2", 1237, measure="n", name="in total")
    ubf = ledger.add_number("p2", 1234, measure="n", groups={"administration": "UBF"}, name="UBF")
    result = ledger.audit()
    assert flags(result.tables[it], "n") == ["small_count", "secondary"]
    assert result.numbers[ubf] == "secondary"  # the same figure as the withheld cell
    data = result.to_json()
    text = json.dumps(data) + json.dumps(result.notes)
    assert "1234" not in text
    assert "1237" in text  # a printed number is printed anyway
    assert data["tables"][it]["withheld"] == [[0, "n", "small_count"], [1, "n", "secondary"]]
    assert data["numbers"][ubf] == {"page": "p2", "name": "UBF", "measure": "n", "reason": "secondary", "value": None}
    assert data["cells"] == 4 and data["published"] == 1


def test_thresholds_are_the_strictest_of_the_entries() -> None:
    strict = Thresholds(min_count=10)
    t = pd.DataFrame({"administration": ["SOF", "UBF"], "n": [7, 30]})
    ledger = Ledger()
    ledger.add_table("p1", protect(t, totals=None))
    ledger.add_table("p2", protect(pd.DataFrame({"role_group": ["teacher"], "n": [12]}), thresholds=strict))
    num = ledger.add_number("p3", 8, measure="n_x")
    result = ledger.audit()
    assert result.thresholds.min_count == 10 and result.numbers[num] == "small_count"


def test_rate_and_its_denominator_give_a_small_complement_back() -> None:
    # a share without its numerator column: 80 % of 20 shown → 4 without, a count of 1–4
    t = pd.DataFrame({"gender": ["woman", "man"], "share_hires_permanent": [0.8, 0.5], "n_hires": [20, 40]})
    p = protect(t, totals=None)
    assert (p.flags == "").all().all()
    ledger = Ledger()
    it = ledger.add_table("p1", p)
    result = ledger.audit()
    assert flags(result.tables[it], "n_hires") == ["secondary", ""]
    assert flags(result.tables[it], "share_hires_permanent") == ["secondary", ""]


def attacker_ranges_of_a_report(inner: np.ndarray, f2, fa, fg, total_flag: str) -> dict:
    """What a reader of the three pages and the sentence can work out about each withheld
    count, written from the rules: the two-way table's cells add up to the other pages'
    administrations and genders, and all of them to the number; "<5" is 1–4, any other
    withheld count at least 5. Linear programs (scipy's HiGHS); keys as in the test."""
    from scipy.optimize import linprog

    n_r, n_c = inner.shape
    value = {("c", i, j): float(inner[i, j]) for i in range(n_r) for j in range(n_c)}
    value |= {("a", i): float(inner[i].sum()) for i in range(n_r)}
    value |= {("g", j): float(inner[:, j].sum()) for j in range(n_c)}
    value[("t",)] = float(inner.sum())
    flag = {("c", i, j): f2[i][j] for i in range(n_r) for j in range(n_c)}
    flag |= {("a", i): fa[i] for i in range(n_r)} | {("g", j): fg[j] for j in range(n_c)} | {("t",): total_flag}
    unknown = [c for c in value if flag[c]]
    pos = {c: k for k, c in enumerate(unknown)}
    eqs = [([("c", i, j) for j in range(n_c)], ("a", i)) for i in range(n_r)]
    eqs += [([("c", i, j) for i in range(n_r)], ("g", j)) for j in range(n_c)]
    eqs += [([("a", i) for i in range(n_r)], ("t",)), ([("g", j) for j in range(n_c)], ("t",))]
    A, b = [], []
    for parts, total in eqs:
        row, const = np.zeros(len(unknown)), 0.0
        for c, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if c in pos:
                row[pos[c]] += sign
            else:
                const += sign * value[c]
        if row.any():
            A.append(row)
            b.append(-const)
    bounds = [(1, 4) if flag[c] == "small_count" else (5, None) for c in unknown]
    out = {}
    for c, k in pos.items():
        ends = []
        for sign in (1, -1):
            obj = np.zeros(len(unknown))
            obj[k] = sign
            res = linprog(obj, A_eq=np.array(A) if A else None, b_eq=b or None, bounds=bounds, method="highs")
            assert res.status in (0, 3), res.message
            ends.append(res.x[k] if res.status == 0 else sign * -np.inf)
        out[c] = (ends[0], ends[1])
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 20, 40]), min_size=3, max_size=3), min_size=2, max_size=3
    )
)
def test_no_withheld_count_of_a_report_can_be_worked_out(cells) -> None:
    # a two-way table (administration × gender) on one page, its margins on two others and
    # the grand total in a sentence: after the audit no withheld count that the audit does
    # not list as unprotected is pinned (the linear programs above, written from the rules)
    inner = np.array(cells)
    admins, genders = ["SOF", "UBF", "KOF"][: inner.shape[0]], ["woman", "man", "other_unknown"]
    two_way = pd.DataFrame(
        [
            {"administration": a, "gender": g, "n": int(inner[i, j])}
            for i, a in enumerate(admins)
            for j, g in enumerate(genders)
        ]
    )
    ledger = Ledger()
    i2 = ledger.add_table("p1", protect(two_way, totals=None), name="two-way")
    ia = ledger.add_table(
        "p2", protect(pd.DataFrame({"administration": admins, "n": inner.sum(axis=1)}), totals=None), name="admin"
    )
    ig = ledger.add_table(
        "p3", protect(pd.DataFrame({"gender": genders, "n": inner.sum(axis=0)}), totals=None), name="gender"
    )
    it = ledger.add_number("p4", int(inner.sum()), measure="n", name="all")
    result = ledger.audit()
    f2 = np.array(flags(result.tables[i2], "n")).reshape(inner.shape).tolist()
    fa, fg = flags(result.tables[ia], "n"), flags(result.tables[ig], "n")
    ranges = attacker_ranges_of_a_report(inner, f2, fa, fg, result.numbers[it])
    for cell, (low, high) in ranges.items():
        if cell[0] == "c":
            where = f"administration='{admins[cell[1]]}', gender='{genders[cell[2]]}' of table 'two-way'"
        elif cell[0] == "a":
            where = f"administration='{admins[cell[1]]}' of table 'admin'"
        elif cell[0] == "g":
            where = f"gender='{genders[cell[1]]}' of table 'gender'"
        else:
            where = "the number 'all'"
        listed = any(where in u for u in result.unprotected)
        assert listed or high - low >= 1 - 1e-6, (cell, low, high, result.unprotected)


def test_a_rate_and_its_denominator_give_a_count_withheld_elsewhere_back() -> None:
    # page A: late withdrawals as a rate of those interviewed (no count column); page B:
    # the counts, pilot withheld to protect the "<5" of "other". 24 % of 50 = 12 gives
    # pilot back, and 35 − 12 − 20 = 3 "other".
    a = pd.DataFrame(
        {"arm": ["pilot", "comparison"], "late_withdrawal_rate": [0.24, 0.25], "n_reached_interview": [50, 80]}
    )
    b = pd.DataFrame({"arm": ["pilot", "comparison", "other", "Totalt"], "n_withdrawn_late": [12, 20, 3, 35]})
    pa, pb = protect(a, totals=None), protect(b)
    assert (pa.flags == "").all().all()
    assert flags(pb, "n_withdrawn_late") == ["secondary", "", "small_count", ""]
    ledger = Ledger()
    ia = ledger.add_table("a", pa, name="late withdrawals")
    ledger.add_table("b", pb, name="late withdrawals by arm")
    result = ledger.audit()
    assert flags(result.tables[ia], "n_reached_interview") == ["secondary", ""]
    assert flags(result.tables[ia], "late_withdrawal_rate") == ["secondary", ""]
    assert result.unprotected == []


def test_a_check_outcome_withheld_on_a_page_is_not_printed_in_a_sentence() -> None:
    t = pd.DataFrame(
        {
            "administration": ["SOF"] * 3 + ["UBF"] * 3,
            "outcome": ["cleared", "remark_no_obstacle", "remark_obstacle"] * 2,
            "n": [120, 9, 2, 300, 12, 5],
        }
    )
    t = pd.concat([t, pd.DataFrame({"administration": ["SOF", "UBF"], "outcome": ["remark_x"] * 2, "n": [0, 6]})])
    t = t.reset_index(drop=True)
    p = protect_check_outcomes(t, totals=None)
    assert flags(p, "n") == ["check_outcome"] * 3 + [""] * 3 + ["check_outcome", ""]
    ledger = Ledger()
    ic = ledger.add_table("p01", p, name="check outcomes")
    cleared = ledger.add_number("summary", 120, measure="n", groups={"administration": "SOF", "outcome": "cleared"})
    none = ledger.add_number("summary", 0, measure="n", groups={"administration": "SOF", "outcome": "remark_x"})
    total = ledger.add_number("summary", 131, measure="n", groups={"administration": "SOF"}, name="SOF checks")
    result = ledger.audit()
    assert result.numbers[cleared] == "secondary"
    assert result.numbers[none] == "secondary"  # a withheld outcome, if zero
    # 131 checks at SOF leave every outcome of the withheld level open (0 or more each)
    assert result.numbers[total] == ""
    assert flags(result.tables[ic], "n") == flags(p, "n") and result.unprotected == []


def test_a_margin_of_small_cells_and_zeros_lies_within_1_to_4_and_is_not_an_exposure():
    """A quantity nobody publishes whose true value is 1–4 must not be pinned; lying within
    1–4 tells no more than a "<5" would: the pending offers of both phases together, made of
    one "<5" and zeros, are always within 1–4 and need nothing more."""
    from pilot_eval.disclosure import Ledger, protect

    t = pd.DataFrame({"phase": ["before", "during", "after"], "n_pending": [3, 0, 0], "n_accepted": [40, 52, 61]})
    ledger = Ledger()
    ledger.add_table("a", protect(t, totals=None), name="offers")
    result = ledger.audit(assume_margins=False)
    assert result.unprotected == [] and result.changed == set()


def test_a_complement_of_1_to_4_is_withheld_when_pinned_and_a_larger_one_is_left():
    from pilot_eval.disclosure import Ledger, protect

    def table(den_a):
        return pd.DataFrame(
            {
                "group": ["a", "b"],
                "numerator": [11, 30],
                "denominator": [den_a, 40],
                "rate": [11 / den_a, 0.75],
            }
        )

    ledger = Ledger()
    ledger.add_table("p", protect(table(14), totals=None, row_totals=None), name="pinned")
    result = ledger.audit(assume_margins=False)
    flags = result.tables["p/t0"].flags
    assert (flags.loc[0, ["numerator", "denominator"]] != "").any()  # 14 − 11 = 3 declined: one of them goes
    assert result.unprotected == [] and result.changed == {"p/t0"}
    # 30 of 40 and 11 of 20: complements of 10 and 9, nothing to do
    ledger = Ledger()
    ledger.add_table("p", protect(table(20), totals=None, row_totals=None), name="safe")
    assert ledger.audit(assume_margins=False).changed == set()
