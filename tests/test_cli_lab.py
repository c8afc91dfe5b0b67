"""`pilot-eval lab`: it becomes JupyterLab, so that stopping it stops the server and its kernels."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from pilot_eval import cli
from pilot_eval.report import runner


class _Exec(Exception):
    """Raised by the stand-in for os.execv: the process would have been replaced here."""


def _fake_exec(calls):
    def fake(path, argv):
        calls.append((path, list(argv)))
        raise _Exec

    return fake


def test_lab_execs_jupyterlab_in_the_notebooks_with_the_project_kernel(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_exec", _fake_exec(calls))
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    with pytest.raises(_Exec):
        cli.main(["lab", "--notebooks", str(tmp_path), "--", "--port", "8890", "--no-browser"])
    ((path, argv),) = calls
    assert path == argv[0] == str(Path(sys.executable).with_name("jupyter-lab"))
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in argv
    assert f"--MappingKernelManager.default_kernel_name={runner.KERNEL_NAME}" in argv
    assert argv[-3:] == ["--port", "8890", "--no-browser"]


def test_lab_as_root_stops_and_says_how(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(cli, "_exec", _fake_exec(calls))
    monkeypatch.setattr(cli.os, "geteuid", lambda: 0)
    assert cli.main(["lab", "--notebooks", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "root" in err and "pilot-eval lab -- --allow-root" in err and "python3 run.py lab -- --allow-root" in err
    assert calls == []
    with pytest.raises(_Exec):  # with the flag it starts
        cli.main(["lab", "--notebooks", str(tmp_path), "--", "--allow-root"])
    assert calls[0][1][-1] == "--allow-root"


def test_lab_help_says_how_to_run_as_root(capsys):
    with pytest.raises(SystemExit):
        cli.main(["lab", "--help"])
    assert "--allow-root" in capsys.readouterr().out


def test_lab_forwards_sigterm_when_it_cannot_exec(tmp_path, monkeypatch):
    """Where exec fails, the server runs as a child and a SIGTERM to pilot-eval reaches it."""
    child = [sys.executable, "-c", "import signal, sys, time; time.sleep(30)"]
    monkeypatch.setattr(cli, "lab_command", lambda *a, **k: child)

    def no_exec(path, argv):
        raise OSError("exec not possible here")

    monkeypatch.setattr(cli, "_exec", no_exec)
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    timer = __import__("threading").Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    status = cli.main(["lab", "--notebooks", str(tmp_path)])
    assert status == -signal.SIGTERM and time.monotonic() - started < 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str, method: str = "GET") -> dict:
    request = urllib.request.Request(
        url, method=method, headers={"Authorization": f"token {token}"}, data=b"{}" if method == "POST" else None
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_sigterm_to_pilot_eval_lab_stops_server_and_kernels(tmp_path):
    port, token = _free_port(), "pilot-eval-lab-test"
    args = ["--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "pilot_eval.cli", "lab", "--notebooks", str(tmp_path), "--", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/status", token)
                break
            except OSError:
                assert process.poll() is None, "JupyterLab did not start"
                assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
                time.sleep(0.5)
        _get(f"{base}/kernels", token, method="POST")  # a kernel, as a notebook would start
        server = psutil.Process(process.pid)
        assert "jupyter" in " ".join(server.cmdline())  # the process became JupyterLab
        family = [server, *server.children(recursive=True)]
        assert len(family) >= 2  # the server and its kernel
        process.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs(family, timeout=10)
        assert alive == [], f"still running 10 s after SIGTERM: {[p.cmdline() for p in alive]}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
