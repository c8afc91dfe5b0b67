"""The notebook suite's support: period context, charts, plain-language findings and the
quarterly report runner.

Notebooks start with ``from pilot_eval import report`` and
``ctx = report.open_period(**report.notebook_parameters(globals()))``. The submodules
``plots``, ``findings``, ``show`` and ``runner`` are imported on first use, so that a
notebook pays only for what it uses (matplotlib, papermill and nbconvert are not cheap).
"""

from __future__ import annotations

import importlib

from .context import PARAMETERS, Period, notebook_parameters, open_period, parse_period, prepare_data

__all__ = [
    "PARAMETERS",
    "Period",
    "notebook_parameters",
    "open_period",
    "parse_period",
    "prepare_data",
    "plots",
    "findings",
    "show",
    "runner",
]

_LAZY = ("plots", "findings", "show", "sections", "runner", "render")


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
