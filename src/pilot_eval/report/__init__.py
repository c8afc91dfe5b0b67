"""The notebook suite's support: period context, charts, plain-language findings and the
quarterly report runner (its four stages: :mod:`pilot_eval.report.stages`).

Notebooks start with ``from pilot_eval import report`` and
``ctx = report.open_period(**report.notebook_parameters(globals()))``. The submodules
``plots``, ``findings``, ``show``, ``sections``, ``stages`` and ``runner`` are imported on first use, so that a
notebook imports only what it uses (matplotlib, papermill and nbconvert are large).
"""

from __future__ import annotations

import importlib

#: The names of :mod:`.context` offered here, imported on first use too: ``pilot-eval --help``
#: and ``report.parameters`` need none of pandas.
_FROM_CONTEXT = ("PARAMETERS", "Period", "notebook_parameters", "open_period", "parse_period", "prepare_data")

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
    "sections",
    "stages",
    "runner",
]

_LAZY = ("plots", "findings", "show", "sections", "stages", "runner", "render")


def __getattr__(name: str):
    if name in _FROM_CONTEXT:
        return getattr(importlib.import_module(f"{__name__}.context"), name)
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
