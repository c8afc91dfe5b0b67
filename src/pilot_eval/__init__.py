"""pilot_eval: evaluation of Botkyrka kommun's pilot of deepened background checks."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
