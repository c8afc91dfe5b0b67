"""Staging names beside an output, and the sweep of those a killed process left behind.

Ingest (:mod:`pilot_eval.ingest`) and the report (:mod:`pilot_eval.report.stages`,
:mod:`pilot_eval.report.series`) replace an output ``<name>`` as a whole: they write a
sibling ``.<name>.<kind>-<pid>-<hex>`` (kind ``staging`` or ``new``) and rename it into place,
moving the old output aside as ``.<name>.old-<pid>-<hex>`` for a moment. A process killed
midway leaves such siblings. The next run sweeps them: only names of this pattern, and only
of processes that are gone (:func:`running`), so that two runs at the same time never
delete each other's work. What a sweep does with a leftover is up to its caller
(:func:`leftovers`); :func:`sweep` is the usual one: a staging or new sibling is deleted,
an old one is put back when ``<name>`` is missing (killed between the two renames), else
deleted.

Names written before the pid was part of them (``.<name>.new-<hex>``) have no owner to
ask: they count as stale when a day old.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
import uuid
from pathlib import Path

__all__ = ["ACTIVE", "leftovers", "release", "running", "sibling", "sweep"]

_PATTERN = re.compile(r"^\.(?P<name>.+)\.(?P<kind>[a-z]+)-(?:(?P<pid>\d+)-)?[0-9a-f]{8}$")
_DAY = 86_400

#: The staging and old siblings this process is working in right now (any thread).
ACTIVE: set[Path] = set()


def sibling(path: Path, kind: str) -> Path:
    """A new staging name beside ``path``, ``.<name>.<kind>-<pid>-<hex>``, marked as this
    process's work (:data:`ACTIVE`) until :func:`release`."""
    name = path.parent / f".{path.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    ACTIVE.add(name)
    return name


def release(path: Path) -> None:
    """``path`` (from :func:`sibling`) is no longer being worked in."""
    ACTIVE.discard(path)


def running(pid: int | None, path: Path) -> bool:
    """Whether the process that made ``path`` may still be at work."""
    if pid == os.getpid():
        return path in ACTIVE  # a run in another thread of this process
    if pid is None or os.name != "posix":  # no owner, or no cheap portable check: a day-old one is stale
        try:
            return time.time() - path.lstat().st_mtime < _DAY
        except OSError:
            return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(path: Path, kinds: tuple[str, ...]) -> list[tuple[Path, str, int | None]]:
    """The siblings of ``path`` of these kinds, ``(entry, kind, pid)``, newest first
    (running or not: :func:`running` tells)."""
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        m = _PATTERN.match(entry.name)
        if m and m["name"] == path.name and m["kind"] in kinds and not entry.is_symlink():
            try:
                mtime = entry.stat().st_mtime_ns
            except OSError:
                continue
            found.append((entry, m["kind"], int(m["pid"]) if m["pid"] else None, mtime))
    return [f[:3] for f in sorted(found, key=lambda f: f[3], reverse=True)]


def _remove(entry: Path) -> None:
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            entry.unlink()


def sweep(path: Path, kinds: tuple[str, ...] = ("new", "old")) -> list[Path]:
    """Clear up the siblings of ``path`` that a killed run left (see the module
    docstring); the entries removed or put back."""
    swept = []
    for entry, kind, pid in leftovers(path, kinds):
        if running(pid, entry):
            continue
        if kind == "old" and not path.exists():
            try:
                os.rename(entry, path)  # killed between the two renames: the old output comes back
            except OSError:
                continue
        else:
            _remove(entry)
        swept.append(entry)
    return swept
