"""Mappings from an HR system's own export to the data contract (docs/mapping.md).

:func:`load_mapping` reads and checks a mapping file; :func:`apply_mapping` builds the
contract's raw tables from the export it describes; ``pilot-eval ingest --mapping`` does
both before ingest's usual parsing, validation and quarantine. :func:`suggest_mapping`
drafts a mapping file from an unknown export (``pilot-eval map suggest``).
"""

from .apply import MAPPING_REASON, MappedExport, apply_mapping
from .load import SCHEMA, Mapping, MappingError, load_mapping, resolve_mapping_path
from .suggest import SuggestResult, suggest_mapping

__all__ = [
    "MAPPING_REASON",
    "MappedExport",
    "Mapping",
    "MappingError",
    "SCHEMA",
    "SuggestResult",
    "apply_mapping",
    "load_mapping",
    "resolve_mapping_path",
    "suggest_mapping",
]
