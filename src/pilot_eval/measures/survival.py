"""Kaplan–Meier (and Aalen–Johansen) for many groups in one pass.

**Why not lifelines here.** The project prefers lifelines for survival estimates, and
lifelines stays the reference: ``tests/test_measures_survival.py`` fits
``KaplanMeierFitter`` per group (on the demo data and on hand-built tables with ties,
censoring and competing outcomes) and checks that this module gives the same survival
curve, median, confidence interval of the median, survival at given times and restricted
mean. But lifelines fits one group at a time, and a fit per group of the fine groupings
(administration × quarter, administration × role group × month: hundreds to thousands of
groups) cannot meet issue 3's "well under a second per call". There is no
grouped Kaplan–Meier in lifelines (or statsmodels, whose ``SurvfuncRight`` is also one
group per call), so the estimator is written here, vectorised over groups:

- the event table per group — at-risk counts and events at every distinct time, plus
  lifelines' row at time 0 — from one sort of (group, time);
- the survival curve computed **as lifelines computes it**, ``exp(cumsum(log(n − d) −
  log(n)))`` with a plain sequential cumulative sum per group (not ``cumprod(1 − d/n)``,
  which differs in the last bit: a median is the first time ``S(t) <= 0.5``, and when
  ``S`` is exactly one half in exact arithmetic only the same floating-point path gives
  the same day as lifelines);
- the 95 % confidence band of lifelines' ``KaplanMeierFitter.confidence_interval_``, the
  exponential Greenwood ("log(−log)") band, and the median's confidence interval as
  ``lifelines.utils.median_survival_times(confidence_interval_)`` takes it: the first
  time each band reaches 0.5 (with numpy's ``searchsorted`` itself where a band is not
  monotone, as lifelines does);
- survival at given times (lifelines' ``survival_function_at_times``: the step value at
  the last time not after it) and the restricted mean (lifelines'
  ``restricted_mean_survival_time`` on a fitted KM: the area under the step curve);
- with competing events, the Aalen–Johansen cumulative incidence exactly as
  :func:`pilot_eval.measures.durations.cumulative_incidence` (exact with tied days,
  which lifelines' ``AalenJohansenFitter`` jitters).

Cumulative sums and products run sequentially within each group (a zero-padded
group × time matrix, accumulated along its rows), so every value is the one a per-group
fit gives, to the bit for the curves and to rounding (~1e-13) for the restricted mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["KaplanMeierCurves", "kaplan_meier"]

#: Largest zero-padded group × time matrix accumulated at once (cells).
_CHUNK_CELLS = 4_000_000


#: ``ndtri(1 - alpha / 2)`` for the usual levels, the very floats scipy returns (a test
#: compares them bit for bit), so that the report notebooks that draw survival curves
#: need not import ``scipy.special`` only for this constant.
_Z_OF_ALPHA = {0.05: 1.959963984540054, 0.1: 1.6448536269514722, 0.01: 2.5758293035489004}


def _z(alpha: float) -> float:
    z = _Z_OF_ALPHA.get(alpha)
    if z is not None:
        return z
    from scipy.special import ndtri  # scipy.stats.norm.ppf without importing scipy.stats

    return float(ndtri(1 - alpha / 2))  # lifelines.utils.inv_normal_cdf


def _segment_accumulate(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, ufunc: np.ufunc, identity: float
) -> np.ndarray:
    """``ufunc.accumulate`` within each segment (contiguous rows ``starts[i]`` …
    ``starts[i] + lengths[i] - 1``), sequential as on one group's array alone."""
    out = np.empty(len(values), dtype="float64")
    if len(values) == 0:
        return out
    order = np.argsort(lengths, kind="stable")  # similar lengths together: little padding
    sorted_len = lengths[order]
    i = 0
    while i < len(order):
        # as many segments as fit in a chunk at the width of the longest of them (at least one)
        j = i + 1
        while j < len(order) and (j + 1 - i) * int(sorted_len[j]) <= _CHUNK_CELLS:
            j += 1
        segs = order[i:j]
        width = int(lengths[segs].max())
        col = np.arange(width)
        seg_len = lengths[segs]
        mask = col[None, :] < seg_len[:, None]
        idx = starts[segs][:, None] + col[None, :]
        mat = np.full((len(segs), width), identity, dtype="float64")
        mat[mask] = values[idx[mask]]
        acc = ufunc.accumulate(mat, axis=1)
        out[idx[mask]] = acc[mask]
        i = j
    return out


@dataclass(frozen=True, eq=False)
class KaplanMeierCurves:
    """Kaplan–Meier step curves of several groups, as flat arrays in (group, time) order.

    One row per group and distinct time (with lifelines' row at time 0); a group with no
    observation has no rows and gets NaN from every method. Build it with
    :func:`kaplan_meier`.

    Attributes
    ----------
    n_groups : int
        Number of groups (``0 … n_groups − 1``).
    group, time : ndarray
        The group number and the time of each row.
    n_at_risk, n_events, n_competing, n_removed : ndarray
        At risk just before the time, events of interest, competing events, and all
        leaving at the time (events, competing events and censored).
    survival : ndarray
        Kaplan–Meier S(t) with competing events censored (lifelines' ``survival_function_``).
    lower, upper : ndarray
        Its pointwise confidence band (lifelines' ``confidence_interval_``).
    cumulative_incidence : ndarray
        Aalen–Johansen cumulative incidence of the event of interest with the competing
        events as competing risks (equals ``1 − survival`` when nothing competes).
    """

    n_groups: int
    group: np.ndarray
    time: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    n_competing: np.ndarray
    n_removed: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cumulative_incidence: np.ndarray
    _starts: np.ndarray
    _lengths: np.ndarray
    _segment_group: np.ndarray

    # ------------------------------------------------------------------ helpers
    def _values(self, which: str) -> np.ndarray:
        names = {
            "survival": self.survival,
            "lower": self.lower,
            "upper": self.upper,
            "cumulative_incidence": self.cumulative_incidence,
        }
        if which not in names:
            raise ValueError(f"which must be one of {', '.join(names)}, not {which!r}")
        return names[which]

    def _per_group(self, per_segment: np.ndarray) -> np.ndarray:
        out = np.full(self.n_groups, np.nan)
        out[self._segment_group] = per_segment
        return out

    def _rows_at(self, times: np.ndarray, strict: bool = False) -> np.ndarray:
        """For every segment × time: the last row of the segment with ``time <= t``
        (``< t`` if ``strict``), or −1; shape (segments, len(times))."""
        times = np.asarray(times, dtype="float64")
        k, nseg = len(times), len(self._starts)
        if nseg == 0 or k == 0:
            return np.full((nseg, k), -1, dtype=np.int64)
        seg_of_row = np.repeat(np.arange(nseg), self._lengths)
        qseg = np.repeat(np.arange(nseg), k)
        qtime = np.tile(times, nseg)
        # data rows before queries at equal times (<=), or after them (<)
        flag_data, flag_query = (1, 0) if strict else (0, 1)
        seg = np.concatenate([seg_of_row, qseg])
        tim = np.concatenate([self.time, qtime])
        flag = np.concatenate([np.full(len(self.time), flag_data), np.full(len(qtime), flag_query)])
        order = np.lexsort((flag, tim, seg))
        is_data = order < len(self.time)
        last = np.where(is_data, order, -1)
        last = np.maximum.accumulate(last)
        # a data row of an earlier segment does not count
        first_row_of_seg = self._starts
        found = last[~is_data]
        qpos = order[~is_data] - len(self.time)
        row = np.full(len(qtime), -1, dtype=np.int64)
        ok = found >= 0
        ok[ok] = found[ok] >= first_row_of_seg[qseg[qpos[ok]]]
        row[qpos[ok]] = found[ok]
        return row.reshape(nseg, k)

    # ------------------------------------------------------------------ figures
    def quantile(self, q: float = 0.5, which: str = "survival") -> np.ndarray:
        """Per group, the first time the curve reaches ``q`` or below, as lifelines'
        ``qth_survival_time`` finds it; NaN where it stays above ``q`` (lifelines: inf)."""
        values = self._values(which)
        nseg = len(self._starts)
        if nseg == 0:
            return np.full(self.n_groups, np.nan)
        ends = self._starts + self._lengths - 1
        reached = values[ends] <= q
        rows = np.arange(len(values))
        hit = np.where(values <= q, rows, len(values))
        first = np.minimum.reduceat(hit, self._starts)
        # where a curve rises somewhere (possible for the band), binary search as lifelines does
        rises = np.zeros(len(values), dtype=bool)
        rises[1:] = values[1:] > values[:-1]
        rises[self._starts] = False
        for s in np.flatnonzero(np.logical_or.reduceat(rises, self._starts) & reached):
            a, n = self._starts[s], self._lengths[s]
            first[s] = a + int(np.searchsorted(-values[a : a + n], [-q])[0])
        out = np.where(reached, self.time[np.minimum(first, len(values) - 1)], np.nan)
        return self._per_group(out)

    def median(self, which: str = "survival") -> np.ndarray:
        """Per group, the median (lifelines' ``median_survival_time_``); with
        ``which="lower"`` / ``"upper"`` the limits of its confidence interval
        (``median_survival_times(confidence_interval_)``: lower, upper)."""
        return self.quantile(0.5, which)

    def at(self, times, which: str = "survival") -> np.ndarray:
        """Per group × time (shape ``(n_groups, len(times))``): the step curve at each
        time (its value at the last time not after it; lifelines'
        ``survival_function_at_times``). NaN for groups without rows and times before 0."""
        times = np.atleast_1d(np.asarray(times, dtype="float64"))
        values = self._values(which)
        rows = self._rows_at(times)
        seg = np.where(rows >= 0, values[np.clip(rows, 0, None)], np.nan) if len(values) else rows.astype(float)
        out = np.full((self.n_groups, len(times)), np.nan)
        out[self._segment_group] = seg
        return out

    def at_risk(self, times) -> np.ndarray:
        """Per group × time: the number still at risk at the time (time-to-event ≥ t), as
        ``len(durations) − searchsorted(sorted durations, t, side="left")``. 0 for groups
        without rows."""
        times = np.atleast_1d(np.asarray(times, dtype="float64"))
        out = np.zeros((self.n_groups, len(times)), dtype=np.int64)
        nseg = len(self._starts)
        if nseg == 0:
            return out
        rows = self._rows_at(times, strict=True)  # last row before t
        total = self.n_at_risk[self._starts]
        left = np.where(
            rows >= 0, self.n_at_risk[np.clip(rows, 0, None)] - self.n_removed[np.clip(rows, 0, None)], total[:, None]
        )
        out[self._segment_group] = left
        return out

    def rmst(self, tau: float) -> np.ndarray:
        """Per group, the restricted mean up to ``tau``: the area under the step curve
        from 0 to ``tau`` (lifelines' ``restricted_mean_survival_time(kmf, t=tau)``)."""
        nseg = len(self._starts)
        if nseg == 0:
            return np.full(self.n_groups, np.nan)
        nxt = np.empty(len(self.time))
        nxt[:-1] = self.time[1:]
        ends = self._starts + self._lengths - 1
        nxt[ends] = np.inf
        inside = self.time <= tau
        width = np.where(inside, np.minimum(nxt, tau) - self.time, 0.0)
        area = np.add.reduceat(width * self.survival, self._starts)
        return self._per_group(area)

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (``group``, ``time``, counts, curves)."""
        return pd.DataFrame(
            {
                "group": self.group,
                "time": self.time,
                "n_at_risk": self.n_at_risk,
                "n_events": self.n_events,
                "n_competing": self.n_competing,
                "n_removed": self.n_removed,
                "survival": self.survival,
                "lower": self.lower,
                "upper": self.upper,
                "cumulative_incidence": self.cumulative_incidence,
            }
        )


def kaplan_meier(
    durations, events, groups=None, n_groups: int | None = None, *, event_of_interest: int = 1, alpha: float = 0.05
) -> KaplanMeierCurves:
    """Kaplan–Meier curves of every group at once (see the module docstring for why this
    is not a loop over lifelines fits, and how it matches them).

    Parameters
    ----------
    durations : array of float
        Time to event or censoring, ≥ 0, finite.
    events : array of bool or int
        Bool: the event was observed (else censored). Int: 0 censored,
        ``event_of_interest`` the event, any other value a competing event (censored in
        the Kaplan–Meier curve, a competing risk in ``cumulative_incidence``).
    groups : array of int, optional
        Group number of each row (``0 … n_groups − 1``); default one group.
    n_groups : int, optional
        Number of groups (default ``max(groups) + 1``); groups without rows get NaN.
    alpha : float, default 0.05
        For the confidence band (lifelines' ``alpha``).

    Examples
    --------
    >>> km = kaplan_meier([30, 60, 40, 181], [1, 1, 2, 0])
    >>> km.median().tolist(), km.at([60, 90]).round(6).tolist(), km.rmst(90).round(6).tolist()
    ([60.0], [[0.375, 0.375]], [63.75])
    >>> km.at([60], which="cumulative_incidence").tolist()
    [[0.5]]
    """
    d = np.asarray(durations, dtype="float64").reshape(-1)
    e = np.asarray(events).reshape(-1)
    if len(e) != len(d):
        raise ValueError("durations and events must have the same length")
    if not np.isfinite(d).all():
        raise ValueError("durations must be finite (no NaN or inf)")
    if (d < 0).any():
        raise ValueError("durations must be non-negative")
    if e.dtype == bool:
        ev = e
        comp = np.zeros(len(e), dtype=bool)
    else:
        e = e.astype(np.int64)
        ev = e == event_of_interest
        comp = (e != 0) & ~ev
    g = np.zeros(len(d), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64).reshape(-1)
    if len(g) != len(d):
        raise ValueError("groups must have the same length as durations")
    if len(g) and g.min() < 0:
        raise ValueError("group numbers must be non-negative")
    size = int(n_groups) if n_groups is not None else (int(g.max()) + 1 if len(g) else 0)
    if len(g) and g.max() >= size:
        raise ValueError("a group number is not below n_groups")
    present = np.flatnonzero(np.bincount(g, minlength=size) > 0)

    # the event table: lifelines' birth row at time 0 for every group, then one row per
    # distinct (group, time)
    t_all = np.concatenate([np.zeros(len(present)), d])
    g_all = np.concatenate([present, g])
    one = np.concatenate([np.zeros(len(present), dtype=np.int64), np.ones(len(d), dtype=np.int64)])
    ev_all = np.concatenate([np.zeros(len(present), dtype=np.int64), ev.astype(np.int64)])
    comp_all = np.concatenate([np.zeros(len(present), dtype=np.int64), comp.astype(np.int64)])
    order = np.lexsort((t_all, g_all))
    t_all, g_all = t_all[order], g_all[order]
    new = np.ones(len(t_all), dtype=bool)
    new[1:] = (g_all[1:] != g_all[:-1]) | (t_all[1:] != t_all[:-1])
    first = np.flatnonzero(new)
    time, group = t_all[first], g_all[first]
    if len(first):
        removed = np.add.reduceat(one[order], first)
        deaths = np.add.reduceat(ev_all[order], first)
        competing = np.add.reduceat(comp_all[order], first)
    else:
        removed = deaths = competing = np.zeros(0, dtype=np.int64)
    seg_new = np.ones(len(group), dtype=bool)
    seg_new[1:] = group[1:] != group[:-1]
    starts = np.flatnonzero(seg_new)
    lengths = np.diff(np.append(starts, len(group)))
    seg_of_row = np.repeat(np.arange(len(starts)), lengths)
    total = np.add.reduceat(removed, starts) if len(starts) else np.zeros(0, dtype=np.int64)
    before = np.cumsum(removed) - removed  # integer: exact
    at_risk = total[seg_of_row] - (before - before[starts][seg_of_row])

    with np.errstate(divide="ignore", invalid="ignore"):
        # lifelines: _additive_f, _additive_var, _bounds (exponential Greenwood)
        log_step = np.log(at_risk - deaths) - np.log(at_risk)
        survival = np.exp(_segment_accumulate(log_step, starts, lengths, np.add, 0.0))
        var_step = deaths / (at_risk.astype("float64") * (at_risk - deaths).astype("float64"))
        var_step = np.where(np.isposinf(var_step), 0.0, var_step)
        var = _segment_accumulate(var_step, starts, lengths, np.add, 0.0)
        z = _z(alpha)
        v = np.log(survival)
        lower = np.exp(-np.exp(np.log(-v) - z * np.sqrt(var) / v))
        upper = np.exp(-np.exp(np.log(-v) + z * np.sqrt(var) / v))
        lower = np.where(np.isnan(lower), 1.0, lower)
        upper = np.where(np.isnan(upper), 1.0, upper)
        # Aalen-Johansen, as durations.cumulative_incidence
        surv_all = _segment_accumulate(1.0 - (deaths + competing) / at_risk, starts, lengths, np.multiply, 1.0)
        surv_before = np.empty(len(surv_all))
        surv_before[1:] = surv_all[:-1]
        surv_before[starts] = 1.0
        cif = _segment_accumulate(surv_before * deaths / at_risk, starts, lengths, np.add, 0.0)

    return KaplanMeierCurves(
        n_groups=size,
        group=group,
        time=time,
        n_at_risk=at_risk,
        n_events=deaths,
        n_competing=competing,
        n_removed=removed,
        survival=survival,
        lower=lower,
        upper=upper,
        cumulative_incidence=cif,
        _starts=starts,
        _lengths=lengths,
        _segment_group=group[starts] if len(starts) else np.zeros(0, np.int64),
    )
