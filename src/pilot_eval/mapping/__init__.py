"""Mapping an HR system's own export onto the contract (issue 19).

``suggest_mapping`` drafts a mapping file from an unknown export (:mod:`.suggest`, with
the names it knows in :mod:`.vocabulary`).
"""

from __future__ import annotations

from .suggest import SuggestResult, suggest_mapping

__all__ = ["SuggestResult", "suggest_mapping"]
