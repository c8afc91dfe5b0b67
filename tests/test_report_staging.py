"""A killed report leaves its temporary folders behind (``<out>/<period>/.<lang>.new-…``,
``.<lang>.old-…``, ``.work/<period>/<lang>/.estimates.new-…``, ``<out>/.index.html.new-…``):
the next run sweeps those whose process is gone and keeps those of a run still at work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from pilot_eval import staging
from pilot_eval.report import series, stages


@pytest.fixture(scope="module")
def dead() -> int:
    """The pid of a process that has ended."""
    out = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(out.stdout)


class _Stop(Exception):
    pass


class _Ctx:  # publish stops at its first look at the data: the sweep has run by then
    @property
    def prepared(self):
        raise _Stop


def _publish(final):
    with pytest.raises(_Stop):
        stages.publish(
            _Ctx(),
            stages.Executed(folder=final.parent / "work", entries=[]),
            final,
            parameters={},
            sources=[],
            synthetic=True,
        )


def test_publish_sweeps_what_a_killed_report_left_and_keeps_live_runs(tmp_path, dead):
    final = tmp_path / "2025Q4" / "en"
    final.mkdir(parents=True)
    (final / "index.html").write_text("published")
    stale_new = final.with_name(f".en.new-{dead}-0123abcd")
    stale_old = final.with_name(f".en.old-{dead}-89abcdef")
    mine = staging.sibling(final, "new")  # this process, at work in another thread
    other_run = final.with_name(f".en.new-{os.getppid()}-fedcba98")  # a running process's
    other_lang = final.with_name(f".sv.new-{dead}-0123abcd")  # another language's: its own run sweeps it
    legacy_old, legacy_new = final.with_name(".en.new-aaaabbbb"), final.with_name(".en.new-ccccdddd")
    unrelated = final.with_name(".en.new-notes")
    for folder in (stale_new, stale_old, mine, other_run, other_lang, legacy_old, legacy_new, unrelated):
        folder.mkdir()
        (folder / "index.html").write_text("half")
    day_ago = time.time() - 2 * 86_400
    os.utime(legacy_old, (day_ago, day_ago))  # written before the pid was in the name: a day old is stale
    try:
        _publish(final)
    finally:
        staging.release(mine)
    assert not stale_new.exists() and not stale_old.exists() and not legacy_old.exists()
    assert mine.exists() and other_run.exists() and other_lang.exists() and legacy_new.exists()
    assert unrelated.exists() and (final / "index.html").read_text() == "published"
    names = sorted(p.name for p in final.parent.iterdir())
    assert not any(n.startswith(".en.new-") and str(os.getpid()) in n and n != mine.name for n in names)


def test_an_old_folder_comes_back_when_the_report_was_killed_between_the_renames(tmp_path, dead):
    final = tmp_path / "2025Q4" / "en"
    final.parent.mkdir()
    old = final.with_name(f".en.old-{dead}-89abcdef")
    old.mkdir()
    (old / "index.html").write_text("published")
    _publish(final)
    assert (final / "index.html").read_text() == "published" and not old.exists()


def test_saving_estimates_and_writing_the_index_sweep_their_leftovers(tmp_path, dead):
    folder = tmp_path / ".work" / "2025Q4" / "en" / "estimates"
    folder.parent.mkdir(parents=True)
    stale = folder.with_name(f".estimates.new-{dead}-0123abcd")
    stale_old = folder.with_name(f".estimates.old-{dead}-89abcdef")
    for leftover in (stale, stale_old):
        leftover.mkdir()

    @dataclass
    class NoEstimates:  # ReportEstimates.save's own code, with nothing to encode
        pass

    stages.ReportEstimates.save(NoEstimates(), folder)
    assert not stale.exists() and not stale_old.exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["estimates"]
    index_tmp = tmp_path / f".index.html.new-{dead}-0123abcd"
    index_tmp.write_text("half")
    series.write_index(tmp_path)
    assert not index_tmp.exists() and (tmp_path / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".index")) == []


def test_staging_names_carry_the_pid_and_are_released():
    from pathlib import Path

    name = staging.sibling(Path("/x/2025Q4/en"), "new")
    assert name.parent == Path("/x/2025Q4") and name.name.startswith(f".en.new-{os.getpid()}-")
    assert staging.running(os.getpid(), name)
    staging.release(name)
    assert not staging.running(os.getpid(), name)
