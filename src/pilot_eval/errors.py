"""Every exception class of pilot_eval, in one place.

This module sits in the bottom layer (it imports nothing of the package), so that any
layer can raise or catch these without importing the layer that usually raises them.
The modules that raise them re-export them (``from pilot_eval.readers import
IngestError`` keeps working).

Everything else the package raises is a built-in exception: ``ValueError`` for a bad
argument (an unknown outcome, period or language), ``KeyError`` for a column that is not
there.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["IngestError", "MappingError", "OutputError", "SuiteError", "output_error"]


class IngestError(Exception):
    """A problem with the data that stops ingest (exit status 2 unless stated): names
    where it is.

    Raised by :mod:`pilot_eval.readers` (a file that cannot be found, decoded or parsed),
    :mod:`pilot_eval.ingest` (a missing table or required column, an empty table, a
    privacy finding of :mod:`pilot_eval.privacy`, a structural expectation that failed,
    unsuitable directories) and :func:`pilot_eval.ingest.load_processed` (no ingest
    output, or files that do not match its report). Nothing has been written when it is
    raised. The user fixes the file, column or row it names (or the directories) and runs
    ``pilot-eval ingest`` again.

    The message never contains a cell value from the data, and neither file, column nor
    message a value the privacy guard refuses: :mod:`pilot_eval.readers` and
    :mod:`pilot_eval.ingest` pass every one through :func:`pilot_eval.privacy.scrub_error`
    on its way out (this module cannot: it imports nothing of the package).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        table: str | None = None,
        column: str | None = None,
        row: int | None = None,
        exit_code: int = 2,
    ):
        self.message = message
        self.file = str(file) if file is not None else None
        self.table = table
        self.column = column
        self.row = row
        self.exit_code = exit_code
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.table:
            parts.append(f"table {self.table}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {
            "error": self.message,
            "file": self.file,
            "table": self.table,
            "column": self.column,
            "row": self.row,
            "exit_code": self.exit_code,
        }


class SuiteError(Exception):
    """An expectation suite file in ``expectations/`` is broken (a developer error, not
    a data error).

    Raised by :mod:`pilot_eval.validation` when a suite is missing, is not valid JSON or
    GX 1.x format, lacks ``meta.reason`` or has an unknown ``meta.severity``, when GX
    refuses an expectation's arguments or silently drops an expectation, and when
    validation itself raised. ``pilot-eval ingest`` reports it with exit status 2 and
    writes nothing. The developer fixes the suite file and expectation the message names;
    the data need not change.
    """


class MappingError(IngestError):
    """A mapping file (``mappings/<name>.yaml``) that cannot be used: broken YAML, a key the
    format does not have, a name that is not in the contract, or an undecided ``TODO``
    entry. The message names the mapping file, the line and the key. Exit status 2."""


#: The errno values of an output that cannot be written, and how a user says each.
_OUTPUT_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "the folder is read-only (no permission to write there)",
    errno.EPERM: "the folder is read-only (no permission to write there)",
}


class OutputError(Exception):
    """An output that cannot be written (exit status 4): the disk is full, the quota is
    used up, or the folder is read-only or not ours to write.

    Raised by :func:`pilot_eval.ingest.ingest`, the report (:mod:`pilot_eval.report`) and
    ``pilot-eval demo-data`` where they write, in place of the ``OSError`` that would
    otherwise be reported as an internal error (exit status 3): it is not a bug and not a
    problem with the data, and the user's fix is to free space or write elsewhere. Nothing
    was changed when it is raised: ingest and the report write into a staging folder and
    swap it in whole, and remove the staging folder when writing fails.

    ``path`` is the file or folder that could not be written, ``reason`` the plain words
    of :data:`_OUTPUT_ERRNOS` (``"the disk is full"``).
    """

    exit_code = 4

    def __init__(self, path: str | Path, reason: str, *, errno_code: int | None = None):
        self.path = str(path)
        self.reason = reason
        self.errno = errno_code
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"cannot write to {self.path}: {self.reason}"

    def to_dict(self) -> dict:
        return {"error": str(self), "file": self.path, "exit_code": self.exit_code}


def output_error(exc: BaseException, path: str | Path | None = None) -> OutputError | None:
    """The :class:`OutputError` an ``OSError`` stands for (disk full, quota, read-only,
    permission), or None for any other exception.

    ``path``: the output as the user named it (``data/processed/demo``), named in place of
    the file the error names (a staging folder's file means nothing to the user); without
    it the error's own file. Arrow's writers raise an ``OSError`` without ``errno`` whose
    text is the system's message ("No space left on device"): recognised by that text.
    """
    if not isinstance(exc, OSError):
        return None
    code = exc.errno
    if code is None:
        text = str(exc)
        code = next((c for c in _OUTPUT_ERRNOS if os.strerror(c) in text), None)
    if code not in _OUTPUT_ERRNOS:
        return None
    where = path if path is not None else exc.filename
    return OutputError(where if where is not None else "the output", _OUTPUT_ERRNOS[code], errno_code=code)
