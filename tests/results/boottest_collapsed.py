"""Stata ``boottest`` output on ``collapsed.dta``, the 8-cluster test file of boottest.

Source
------
Repository ``droodman/boottest`` (David Roodman), file ``unit tests.log`` at commit
``05351a1b2e45609f58f5314cafef3ca43e2a537d``; the ``boottest.mata`` at that commit is
"boottest 4.4.1 28 December 2022". The log echoes the do-file it ran (the loop over
``julia`` has the Julia back end commented out, so these are the Stata/Mata numbers)::

    use collapsed, clear
    qui regress hasinsurance selfemployed post post_self, cluster(year)   // log line "3."
    boottest post_self=.04, nogr                                         // log line "4."
    boottest {post_self=.04} {post}, nogr                                // log line "11."
    ...
    boottest post_self=.04, weight(webb) nogr                            // log line "71."
    boottest post_self=.04, weight(webb) reps(9999999) noci              // log line "72."
    boottest post_self=.04, weight(mammen) reps(9999) noci               // log line "75."

The same commands are lines 25–28, 36 and 114–121 of ``test/unit tests.do`` at commit
``1f9344de7555acbf7bad505c4049b96fbecc379f`` of the same repository. The data file is
``tests/data/collapsed.dta`` (16 observations — year × selfemployed — and 8 clusters, the
years 1983–1990; origin and terms in ``tests/data/README.md``).

Where each number is in the log (character offsets in the stored copy read with the
search tool's ``read_file``, which pages 16 000 characters at a time):

- ``RADEMACHER_POST_SELF``: first results block, offset ≈ 15 500 (output of line 4), and
  again in the first block of line 11 (offset ≈ 16 000–16 300), identical.
- ``RADEMACHER_POST``: second block of line 11, offset ≈ 16 300.
- ``WEBB_999_POST_SELF``: output of line 71, offset ≈ 44 600.
- ``WEBB_TEN_MILLION_POST_SELF``: output of line 72, offset ≈ 44 800.
- ``MAMMEN_9999_POST_SELF``: output of line 75, offset ≈ 45 300.

Notes on comparing them (worked out in tests/test_estimate_inference.py):

- Every ``t(7)`` is the CR1 cluster-robust t (Stata's small-sample factor, 7 = G − 1).
- With 8 clusters boottest enumerates all 2^8 = 256 Rademacher patterns ("Sampling each
  once"), so those p-values are exact counts out of 256: 0.0742 = 19/256.
- boottest 4.4.1 computes the symmetric p-value as ``#{|t*| > |t|} / B`` (strict, in
  ``boottest::getp``). Draws that tie with the actual statistic *exactly* in theory (with
  Rademacher the two draws v = ±1; with Mammen v = −0.618·1 and v = 1.618·1, together
  probability 0.0755 with 8 clusters) are then counted or not according to floating-point
  rounding. So a published p-value lies between our ``ties="strict"`` and
  ``ties="count"`` values; which end depends on rounding in Stata.
- boottest's confidence bounds come from a search that stops once the p-value is within
  one draw's worth (1/B) of alpha, so with B = 256 they are approximate to the width of one
  step of the p-value function (about 2·10⁻⁴ here) and printed to 4 significant digits.
"""

MODEL = "regress hasinsurance selfemployed post post_self, cluster(year)"
FORMULA = "hasinsurance ~ selfemployed + post + post_self"
CLUSTER = "year"
N_CLUSTERS = 8
N_OBS = 16

#: boottest post_self=.04, nogr  (Rademacher, enumerated: 256 replications)
RADEMACHER_POST_SELF = {
    "term": "post_self",
    "h0": 0.04,
    "weights": "rademacher",
    "reps": 256,
    "t": 2.0194,
    "p": 0.0742,
    "conf_low": 0.0384,
    "conf_high": 0.07148,
}

#: boottest {post_self=.04} {post}, nogr — the second test (post = 0)
RADEMACHER_POST = {
    "term": "post",
    "h0": 0.0,
    "weights": "rademacher",
    "reps": 256,
    "t": -5.5821,
    "p": 0.0000,
    "conf_low": -0.02955,
    "conf_high": -0.0129,
}

#: boottest post_self=.04, weight(webb) nogr  (999 random Webb draws)
WEBB_999_POST_SELF = {
    "term": "post_self",
    "h0": 0.04,
    "weights": "webb",
    "reps": 999,
    "t": 2.0194,
    "p": 0.0791,
    "conf_low": 0.03846,
    "conf_high": 0.07082,
}

#: boottest post_self=.04, weight(webb) reps(9999999) noci
WEBB_TEN_MILLION_POST_SELF = {
    "term": "post_self",
    "h0": 0.04,
    "weights": "webb",
    "reps": 9_999_999,
    "t": 2.0194,
    "p": 0.0757,
}

#: boottest post_self=.04, weight(mammen) reps(9999) noci
MAMMEN_9999_POST_SELF = {
    "term": "post_self",
    "h0": 0.04,
    "weights": "mammen",
    "reps": 9999,
    "t": 2.0194,
    "p": 0.1022,
}
