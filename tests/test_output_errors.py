"""Exit status 4: an output that cannot be written (disk full, quota, read-only folder) is
said in plain words, not reported as an internal error (exit 3), and changes nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from rawfixture import CUT_DATE, write_raw

from pilot_eval import cli
from pilot_eval.errors import OutputError, output_error
from pilot_eval.ingest import ingest


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is used up"),
        (errno.EROFS, "the folder is read-only"),
        (errno.EACCES, "the folder is read-only"),
        (errno.EPERM, "the folder is read-only"),
    ],
)
def test_output_error_names_the_output_and_the_cause(code, words):
    err = output_error(OSError(code, os.strerror(code), "/x/.out.staging-1-abcdef12/t.parquet"), "data/processed/demo")
    assert isinstance(err, OutputError) and err.exit_code == 4
    assert str(err).startswith("cannot write to data/processed/demo: ") and words in str(err)


def test_output_error_recognises_arrow_messages_and_ignores_other_errors():
    assert "disk is full" in str(output_error(OSError("IOError: No space left on device"), "out"))
    assert output_error(OSError(errno.ENOENT, "No such file or directory"), "out") is None
    assert output_error(ValueError("No space left on device"), "out") is None


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_ingest_exits_4_when_the_disk_is_full_and_changes_nothing(tmp_path, monkeypatch, capsys, code):
    import pilot_eval.ingest as ingest_module

    raw = write_raw(tmp_path / "raw")
    out = tmp_path / "processed" / "demo"
    ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    before = _snapshot(out)

    def full(arrow, path):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(ingest_module, "_write_parquet", full)
    with pytest.raises(OutputError) as caught:
        ingest(raw, out, cut_date=CUT_DATE, data_docs=False)
    assert caught.value.path == str(out)
    args = ["ingest", "--raw", str(raw), "--out", str(out), "--cut-date", CUT_DATE, "--no-data-docs"]
    assert cli.main(args) == 4
    err = capsys.readouterr().err
    reason = "the disk is full" if code == errno.ENOSPC else "the folder is read-only"
    assert err.strip() == f"pilot-eval ingest: cannot write to {out}: {reason}. Nothing was changed."
    assert "INTERNAL ERROR" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["demo"], "the staging folder is removed"


def test_ingest_json_says_exit_4(tmp_path, monkeypatch, capsys):
    import json

    import pilot_eval.ingest as ingest_module

    raw = write_raw(tmp_path / "raw")

    def full(arrow, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(ingest_module, "_write_parquet", full)
    code = cli.main(["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--cut-date", CUT_DATE, "--json"])
    assert code == 4
    printed = json.loads(capsys.readouterr().out)
    assert printed["exit_code"] == 4 and "the disk is full" in printed["error"]
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into a read-only folder")
def test_ingest_into_a_read_only_folder_exits_4(tmp_path, capsys):
    raw = write_raw(tmp_path / "raw")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        args = ["ingest", "--raw", str(raw), "--out", str(locked / "out"), "--cut-date", CUT_DATE, "--no-data-docs"]
        assert cli.main(args) == 4
        err = capsys.readouterr().err
        assert "cannot write to" in err and "read-only" in err and "Nothing was changed." in err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_demo_data_exits_4_when_the_disk_is_full(tmp_path, monkeypatch, capsys):
    import pilot_eval.demo as demo

    def full(path, data_writer):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(demo, "_atomic_write_bytes", full)
    code = cli.main(["demo-data", "--out", str(tmp_path / "raw"), "--scale", "0.05", "--quiet"])
    assert code == 4
    err = capsys.readouterr().err
    assert err.startswith(f"pilot-eval demo-data: cannot write to {tmp_path / 'raw'}: the disk is full.")


def test_report_publish_raises_output_error_and_keeps_the_published_folder(tmp_path, monkeypatch):
    from pilot_eval.report import stages

    final = tmp_path / "2025Q4" / "en"
    final.mkdir(parents=True)
    (final / "index.html").write_text("old")

    class Ctx:  # publish fails at its first write: nothing else of ctx is read
        @property
        def prepared(self):
            raise OSError(errno.EROFS, "Read-only file system", str(final))

    executed = stages.Executed(folder=tmp_path / "work", entries=[])
    with pytest.raises(OutputError) as caught:
        stages.publish(Ctx(), executed, final, parameters={}, sources=[], synthetic=True)
    assert caught.value.path == str(final) and "read-only" in str(caught.value)
    assert (final / "index.html").read_text() == "old"
    assert sorted(p.name for p in final.parent.iterdir()) == ["en"]


def test_cli_help_documents_exit_status_4(capsys):
    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    assert "4  the output cannot be written" in capsys.readouterr().out
