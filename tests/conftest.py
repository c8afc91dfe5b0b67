"""Shared test set-up: tests import the fixture helpers in tests/ by module name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import os

from hypothesis import settings

# Property tests draw the same examples on every run, so that the suite (and CI) gives the
# same answer for the same commit; a failure found once is found again. For a wider hunt,
# run with HYPOTHESIS_PROFILE=explore, which draws fresh random examples each time.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
