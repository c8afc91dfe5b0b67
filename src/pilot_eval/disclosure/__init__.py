"""Statistical disclosure control for everything rendered (docs/disclosure.md).

Every tidy table of :mod:`pilot_eval.measures` goes through :func:`protect` (and check
outcomes, GDPR art. 10 criminal-offence data, through :func:`protect_check_outcomes`)
before it is shown to anyone outside the analysis. The result, a
:class:`ProtectedTable`, carries the figures with withheld cells set to NaN (safe to
plot), a reason code per withheld cell, and :meth:`ProtectedTable.display` /
:meth:`ProtectedTable.to_html` for print, with a footnote symbol for every withheld cell.

The package, one concern a module: ``rules`` (thresholds, reasons, symbols, which
column is what), ``pipeline`` (:func:`protect`, step by step), ``secondary`` (lines and
the greedy rule), ``audit`` (the linear programs that check the greedy result),
``check_outcomes`` (:func:`protect_check_outcomes`) and ``table``
(:class:`ProtectedTable`); the footnotes are in :mod:`pilot_eval.texts.disclosure`.

Rules
-----
The thresholds (:class:`Thresholds`: counts 5, denominators 10, durations 10, check
outcomes 10 checks and 5 per outcome, the audit's ``protection_width`` 1) are **floors**
(:data:`pilot_eval.disclosure.rules.FLOORS`): a :class:`Thresholds` may be stricter, never
laxer. A lower value is a ValueError naming the field and its floor, however it is given
(``Thresholds(min_count=4)``, :func:`dataclasses.replace`, a report parameter, a params
file, a notebook's default); a :class:`Thresholds` is frozen, and :func:`protect` and
:func:`protect_check_outcomes` take no other object as ``thresholds``.

Columns are recognised by name (override any of it with the keyword arguments):

* **counts** — ``n``, every ``n_*`` (but ``n_months``), ``numerator``,
  ``denominator``, ``headcount``, ``voluntary_leavers``, ``new_hires``. A count of 1–4
  is shown as "<5" (*small_count*); 0 stays 0.
* **rates** — ``*_rate``, ``rate``, ``share``, ``share_*``, ``within_*``,
  ``filled_within_*``, ``ratio_to_best``, ``ratio_*`` and per-unit ratios ``*_per_*``.
  A rate needs a denominator of at least 10 (*small_denominator*), and is withheld
  (*secondary*) when its numerator or denominator count is withheld, since rate ×
  denominator gives the count back. Numerators and denominators are guessed from the
  measures' column names (``late_withdrawal_rate`` = ``n_withdrawn_late`` ÷
  ``n_reached_interview``, ``acceptance_rate`` = ``n_accepted`` ÷ (``n_accepted`` +
  ``n_declined``), ``applicants_per_vacancy`` = ``n_applications`` ÷ ``n_vacancies``,
  ``filled_within_90`` ≤ ``n_filled`` ÷ ``n``, ``within_7`` ≤ ``n_completed`` ÷ ``n``,
  ``cancelled_rate`` = ``n_cancelled`` ÷ ``n_closed`` (likewise ``filled_``,
  ``readvertised_`` and ``unfilled_rate``) where the table has the count, …; the
  default denominator is ``n``); pass ``rates=`` where a guess is wrong. A rate whose
  numerator is no column of the table, and a Kaplan–Meier share (``within_*``,
  ``filled_within_*``, whose numerator column counts all events, not those within the
  horizon), is also withheld (*secondary*) when rate × denominator is a count of 1–4
  (20 % of 10 is 2), except ``ratio_*`` and the annualised ``turnover_rate``.
  ``ratio_to_best`` is also withheld in a whole comparison set (the rows that differ
  only in ``group``) when one eligible rate of the set is withheld, since
  rate ÷ ratio gives the best group's rate back; ``*_flag`` columns follow the rates of
  their row.
* **durations** — ``*_days``, ``median_conf_*``, ``rmst_*``: need ``n`` ≥ 10
  (*small_n*).
* **minima and maxima** — any column named ``min``/``max``/``minimum``/``maximum``
  (as a ``_``-separated word: ``min_days``, ``days_max``) are dropped, with a note.
* Anything else numeric that is not a group column is shown as it is, with a note.
* **check outcomes** — a column that holds background-check outcomes ("cleared", …)
  or is named after one (``cleared``, ``remark_obstacle``, ``n_remark_obstacle``,
  ``share_godkand``, …) is refused with a ValueError: outcomes go through
  :func:`protect_check_outcomes` (tidy, one row per outcome, for the municipality or
  by administration × year).

**Secondary suppression** (*secondary*). A reader who knows a total can recompute a
single hidden cell that adds up to it. The cells of a count column that add up to a
known total form a *line*:

* along each group column, for every combination of the other group columns: the rows
  with a total value ("Totalt", "Total", "all", "Alla", "Hela kommunen", "Samtliga", or
  ``totals=[...]``) close the line, which then includes them (they can be hidden too);
  with ``totals="auto"`` (the default) a line without a total row is closed by a margin
  assumed published elsewhere (e.g. the municipality's figure). Group columns that are
  one-to-one with each other (``stage`` and ``stage_name``) count as one;
* within a row, a count that is the sum of others (``n = n_filled + n_competing +
  n_censored``; ``n_offers = n_accepted + n_declined + n_pending``; ``n_closed =
  n_filled + n_readvertised + n_cancelled + n_unfilled``; two equal columns such as
  ``n`` and ``n_checks``): found from the data with ``row_totals="auto"``.

First a greedy rule: in every line the number of hidden non-zero cells must be 0 or
at least 2. While a line has exactly one, the smallest shown non-zero count of the
line is hidden too (preferring cells whose hiding opens no new line, and never a cell
that a published margin would give back when another choice exists), until nothing
changes. A line with a single non-zero cell needs nothing: that cell *is* the margin,
which its own publication must protect; if a secondary cell is such a margin,
:attr:`ProtectedTable.notes` says so.

Two hidden cells in a line are not always enough: a reader knows that "<5" is 1–4 and
that a "..‡" cell is at least 5 (zeros are never hidden, and 1–4 would show as "<5"),
so SOF 1, UBF 5, KOF 30, Totalt 36 shown as <5, ..‡, 30, 36 gives 6 = 1 + 5, and in a
table with totals both ways the lines together can pin a cell that each line alone
leaves open. So the greedy result is **audited** wherever the table has lines: for
every hidden count the smallest and the largest value consistent with all published
cells, all line totals (and margins assumed published, exactly, or as 1–4 where they
are small themselves) and the symbols' bounds are found (the linear relaxation, by
closed form for a cell in one line, else by linear programs, scipy's HiGHS). Where that
range is narrower than ``Thresholds.protection_width`` (default and floor 1: no hidden
count may be pinned to one value; a "<5" cell needs no more than its own 1–4), one more
published non-zero cell is hidden — the smallest in a line that sets the end of the
range, or one whose withholding the programs' dual values show moves it — and the audit
runs again, until every hidden count keeps its range. A range that no further withholding can widen (a reader can
combine margins published elsewhere, say the administration's offers and acceptances,
to get its declines) gets a note in :attr:`ProtectedTable.notes` to check the table by
hand. Then the rates that depend on hidden counts follow. The audit is written here by
hand: the maintained cell-suppression tools (tau-argus, R's sdcTable and
GaussSuppression) are not Python libraries, and Python's ACRO only suppresses small
cells of its own cross-tables.

Limitations: the lines are one-dimensional (not, say, a published total of a two-way
sub-table, unless it is a row of the table); a component of more than 500 linked
hidden counts (a three-way table of thousands of rows with every margin assumed
published) is audited line by line only, with a note; integrality is ignored (the
relaxation's range can be wider than the whole numbers in it, by less than one at
either end, where row relations and several lines meet);
shares that sum to one and differences of shown counts (n − n_filled) are protected
through their counts, not on their own; a rate whose guessed denominator is not its
real one (``share_hires_qualified`` without ``n_hires_qualification_known``) can imply
a small count the safety net above does not see.

Across a report: the ledger
---------------------------
A reader of a whole report combines its tables and sentences: a rate withheld for its
small denominator while numerator and denominator are shown gives den − num (14 − 11 =
3 declined offers); a total on one page minus the parts shown on another gives a "<5"
cell back; a sentence prints a total whose parts another page hides. So every published
figure is registered in one :class:`Ledger` per report (``add_table`` for tables and
charts, ``add_number`` for a count printed in a sentence), and :meth:`Ledger.audit`
checks them together before any page is written:

* **quantities** — every count cell is the quantity (scope, measure, groups): the
  measure is the column or its alias (``measures={"n": "n_offers"}``), the groups the
  row's group values without total values; a table without group columns is the total.
  Cells (and numbers) with the same key and the same true value are one quantity; the
  same key with another value is another population (a note);
* **relations** — those :func:`protect` uses, in quantities, so that they join across
  tables: the cells of a line add up to their margin, which is a registered quantity
  where one has its key and value (whatever the table's ``totals=``), else a total row,
  else with ``totals="auto"`` a margin assumed published (a constant), else a derived
  quantity nobody publishes (it links the tables that share it); the sums within a row;
  den = num + complement for every rate of a share (the complement derived); while a rate
  is shown, num = rate × den, and rate × den (and (1 − rate) × den) for a rate without a
  numerator column or a Kaplan–Meier share;
* **the attack** — shown figures are constants; "<5" is 1–4, other withheld counts at
  least 5, a check-outcome level "..§" 0 or more ("..‡" at least 5), derived quantities 0
  or more. For every unknown the linear programs of the table audit find its range;
  a withheld count is *exposed* when its range is narrower than the protection width,
  a derived quantity whose true value is 1–4 (a complement, a margin nobody publishes)
  when it is pinned like a "<5" cell would be (within 1–4 tells no more than "<5"), and a
  figure shown otherwise (a "..‡" cell, a number) whose true value is 1–4 when its range
  lies inside 1–4. A number of 1–4 in a sentence is withheld at once;
* **the repair** — one more shown non-zero count that bounds the exposed quantity is
  withheld (the smallest, parts before totals), *everywhere it appears*: every table
  showing it is protected again (:meth:`ProtectedTable.reprotect`, ``withhold=``), every
  number with it is withheld ("secondary"), and a figure withheld in one entry is
  withheld in every other. Then the audit runs again, to a fixed point.
  :attr:`LedgerAudit.unprotected` lists what no withholding can protect (the report must
  fail); :attr:`LedgerAudit.notes` what was withheld across tables and why.

Display symbols (one per reason, print-friendly, in every font):

=====================  ========  ===============================================
reason                 symbol    meaning
=====================  ========  ===============================================
``small_count``        ``<5``    1–4 (the threshold follows ``Thresholds.min_count``)
``small_denominator``  ``..*``   rate with a denominator below 10
``small_n``            ``..†``   duration from fewer than 10 observations
``secondary``          ``..‡``   would let a hidden value (or a count 1–4) be worked out
``check_outcome``      ``..§``   check outcomes below 10 checks / 5 per outcome
(missing in input)     ``..``    not available or not computable
=====================  ========  ===============================================

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"administration": ["SOF", "UBF", "KOF", "Totalt"],
...                   "n_withdrawn": [3, 8, 12, 23], "n": [40, 50, 60, 150]})
>>> p = protect(t)
>>> p.flags["n_withdrawn"].tolist()
['small_count', 'secondary', '', '']
>>> p.display()["Antal återtagna ansökningar"].tolist()
['<5', '..‡', '12', '23']
"""

from __future__ import annotations

import pandas as pd

from .check_outcomes import protect_check_outcomes
from .ledger import Ledger, LedgerAudit
from .pipeline import protect
from .rules import CHECK_OUTCOME_LEVELS, MISSING_SYMBOL, REASONS, SYMBOLS, TOTAL_MARKERS, Thresholds
from .table import ProtectedTable

__all__ = [
    "publish",
    "Thresholds",
    "ProtectedTable",
    "protect",
    "protect_check_outcomes",
    "Ledger",
    "LedgerAudit",
    "REASONS",
    "SYMBOLS",
    "MISSING_SYMBOL",
    "TOTAL_MARKERS",
    "CHECK_OUTCOME_LEVELS",
]


def publish(table: pd.DataFrame, *, check_outcomes: bool = False, **options) -> ProtectedTable:
    """The one way a table leaves the package for a reader: disclosure control applied.

    Notebooks and reports call this (never ``table.to_html()``) for every table they
    show; charts plot ``publish(...).values``, in which every withheld cell is NaN.
    ``options`` go to :func:`protect` (or :func:`protect_check_outcomes` with
    ``check_outcomes=True``); the thresholds default to the floors of docs/disclosure.md. Language and
    caption are chosen when the result is shown (``.to_html(lang="sv", caption=...)``).

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["SOF", "UBF", "VOF"], "n_withdrawn": [3, 12, 0],
    ...                   "n": [40, 120, 35]})
    >>> publish(t, totals=None).display(labels=False)["n_withdrawn"].tolist()
    ['<5', '12', '0']
    """
    if check_outcomes:
        return protect_check_outcomes(table, **options)
    return protect(table, **options)
