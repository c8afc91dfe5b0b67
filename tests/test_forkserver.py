"""The report's kernel fork server (``pilot_eval.report.forkserver``): kernels forked from
one process with the modules already imported, behaving as kernels started by Popen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from pilot_eval.report import forkserver, runner

pytestmark = pytest.mark.skipif(not forkserver.available(), reason="kernels are forked on Linux only")


def _gone(pid: int, seconds: float = 30.0) -> bool:
    """Whether process ``pid`` has ended (waiting up to ``seconds`` for it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a child of ours (a kernel started by Popen) is reaped here
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with the report's preload, as ``pilot-eval report`` starts it."""
    with forkserver.KernelForkServer(runner.worker_environment()) as s:
        yield s


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def _run(path: Path, *, cwd: Path, extra: tuple[str, ...] = ()) -> str:
    """Execute the notebook as a report worker does; its cells' printed text."""
    out = papermill.execute_notebook(
        path,
        path.with_suffix(".out.ipynb"),
        kernel_name=runner.KERNEL_NAME,
        cwd=str(cwd),
        progress_bar=False,
        execution_timeout=120,
        kernel_manager_class=forkserver.ForkingKernelManager,
        extra_arguments=[*runner.KERNEL_ARGUMENTS, *extra],
    )
    return "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))


PROBE = (
    "import os, sys\n"
    "print('parent', os.getppid())\n"
    "print('cwd', os.getcwd())\n"
    "print('mark', os.environ.get('PILOT_EVAL_TEST_MARK'))\n"
    "print('manager', os.environ.get('JPY_PARENT_PID'))\n"
    "print('path', sys.path)\n"
    "print('threshold', __import__('gc').get_threshold())\n"
    "import matplotlib\n"
    "print('matplotlib', matplotlib.rcParams['lines.linewidth'], matplotlib.rcParams._get('backend'))\n"
)


def _fields(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def test_a_kernel_is_forked_by_the_server_in_the_worker_s_folder_with_its_environment(server, tmp_path, monkeypatch):
    monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
    monkeypatch.setenv("PILOT_EVAL_TEST_MARK", "from the worker")
    first = (
        "import gc, sys\nprint('preloaded', [m for m in %r if m not in sys.modules])\n"
        "print('frozen', gc.get_freeze_count() > 10_000)\n" % (forkserver.PRELOAD,)
    )
    fields = _fields(_run(_notebook(tmp_path / "probe.ipynb", first, PROBE), cwd=tmp_path))
    assert fields["parent"] == str(server._process.pid)  # the server's child, not Popen's
    assert fields["preloaded"] == "[]"  # every module was there before the first cell
    assert fields["frozen"] == "True"  # the cycle collector leaves the preloaded objects alone
    assert Path(fields["cwd"]) == tmp_path
    assert fields["mark"] == "from the worker"
    assert "''" in fields["path"]  # IPython puts the working directory on the path
    assert fields["threshold"] == str(runner.KERNEL_GC_THRESHOLD)  # the worker's command line
    assert server.log() == ""  # every preload imported; nothing refused


def test_a_forked_kernel_and_a_popen_kernel_see_the_same(server, tmp_path, monkeypatch):
    """Apart from who started it, the kernel's view is the same either way, down to a
    matplotlibrc in the working directory and ipykernel's inline backend."""
    monkeypatch.setenv("PILOT_EVAL_TEST_MARK", "x")
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 7.5\n")
    nb = _notebook(tmp_path / "probe.ipynb", PROBE)
    monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
    forked = _fields(_run(nb, cwd=tmp_path))
    monkeypatch.setenv(forkserver.ENV_SWITCH, "0")
    started = _fields(_run(nb, cwd=tmp_path))
    assert forked.pop("parent") == str(server._process.pid)
    assert started.pop("parent") == str(os.getpid())
    assert forked == started
    assert forked["manager"] == str(os.getpid())
    assert forked["matplotlib"] == "7.5 module://matplotlib_inline.backend_inline"


def test_output_to_the_kernel_s_file_descriptors_goes_to_the_worker_s(server, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
    nb = _notebook(tmp_path / "fd.ipynb", "import os\nos.write(1, b'fd-one\\n')\nos.write(2, b'fd-two\\n')")
    _run(nb, cwd=tmp_path, extra=("--IPKernelApp.capture_fd_output=False",))
    captured = capfd.readouterr()
    assert "fd-one" in captured.out and "fd-two" in captured.err


def test_kernels_do_not_share_random_streams(server, tmp_path, monkeypatch):
    monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
    nb = _notebook(tmp_path / "random.ipynb", "import random, numpy\nprint(random.random(), numpy.random.random())")
    draws = [_run(nb, cwd=tmp_path) for _ in range(2)]
    first, second = (d.split() for d in draws)
    assert first[0] != second[0] and first[1] != second[1]


def test_a_kernel_that_dies_is_reported_dead_not_waited_for(server, tmp_path, monkeypatch):
    from nbclient.exceptions import DeadKernelError

    monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
    nb = _notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)", "print('never')")
    with pytest.raises(DeadKernelError):
        _run(nb, cwd=tmp_path)


def _connection_file(tmp_path: Path) -> list[str]:
    from jupyter_client.connect import write_connection_file

    path, _ = write_connection_file(str(tmp_path / "kernel.json"))
    return ["-f", path]


def test_a_forked_kernel_is_killed_and_its_exit_status_reported(server, tmp_path):
    kernel = forkserver.fork_kernel(server.address, _connection_file(tmp_path), env=dict(os.environ), cwd=str(tmp_path))
    assert kernel.poll() is None
    assert os.getpgid(kernel.pid) == kernel.pid  # its own session, so interrupts reach its children too
    kernel.kill()
    assert kernel.wait(30) == -signal.SIGKILL
    assert kernel.poll() == -signal.SIGKILL


def test_a_kernel_ends_when_its_worker_s_connection_closes(server, tmp_path):
    kernel = forkserver.fork_kernel(server.address, _connection_file(tmp_path), env=dict(os.environ), cwd=str(tmp_path))
    assert kernel.poll() is None
    kernel._connection.close()  # as when the worker process dies
    assert _gone(kernel.pid)


def test_ending_the_server_ends_its_kernels_and_removes_its_socket(tmp_path):
    server = forkserver.KernelForkServer(runner.worker_environment(), preload=("ipykernel.kernelapp",))
    kernel = forkserver.fork_kernel(server.address, _connection_file(tmp_path), env=dict(os.environ), cwd=str(tmp_path))
    folder = Path(server.address).parent
    assert kernel.poll() is None and folder.is_dir()
    server.close()
    assert server._process.returncode == 0
    assert _gone(kernel.pid)
    assert not folder.exists()


def test_a_server_that_cannot_fork_safely_leaves_kernels_to_popen(tmp_path, monkeypatch, capfd):
    """A preloaded module that starts a thread: forking could copy a held lock, so the
    server refuses and the worker starts the kernel with Popen, saying why."""
    (tmp_path / "starts_a_thread.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
    )
    env = {**runner.worker_environment(), "PYTHONPATH": str(tmp_path)}
    with forkserver.KernelForkServer(env, preload=("ipykernel.kernelapp", "starts_a_thread")) as server:
        with pytest.raises(ConnectionError, match="threads"):
            forkserver.fork_kernel(server.address, _connection_file(tmp_path), env=dict(os.environ), cwd=str(tmp_path))
        monkeypatch.setenv(forkserver.ENV_ADDRESS, server.address)
        fields = _fields(_run(_notebook(tmp_path / "probe.ipynb", PROBE), cwd=tmp_path))
    assert fields["parent"] == str(os.getpid())
    assert "starting the kernel with Popen" in capfd.readouterr().err
    assert "starts_a_thread" not in server.messages and "threads" in server.messages


def test_without_a_server_the_kernel_is_started_by_popen(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv(forkserver.ENV_ADDRESS, str(tmp_path / "no-such.sock"))
    fields = _fields(_run(_notebook(tmp_path / "probe.ipynb", PROBE), cwd=tmp_path))
    assert fields["parent"] == str(os.getpid())
    assert "no kernel server" in capfd.readouterr().err


def test_switched_off_there_is_no_server_and_no_forking(monkeypatch):
    monkeypatch.setenv(forkserver.ENV_SWITCH, "0")
    assert not forkserver.available()
    with runner._kernel_server() as (env, server):
        assert forkserver.ENV_ADDRESS not in env and server is None


@pytest.mark.parametrize(
    ("cmd", "arguments"),
    [
        ([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"], ["-f", "k.json"]),
        (
            [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json", "--x=1"],
            ["-f", "k.json", "--x=1"],
        ),
        ([sys.executable, "-Xdev", "-m", "ipykernel_launcher", "-f", "k.json"], None),
        ([sys.executable, "-m", "other_kernel", "-f", "k.json"], None),
        (["/usr/bin/R", "-m", "ipykernel_launcher"], None),
        ([], None),
    ],
)
def test_only_a_plain_ipykernel_launch_of_this_python_is_forked(cmd, arguments):
    assert forkserver._kernel_arguments(cmd) == arguments


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_reach_the_server(server):
    code = (
        "import os, socket, sys\nos.setgid(65534); os.setuid(65534)\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
        f"try:\n    s.connect({server.address!r})\nexcept PermissionError:\n    sys.exit(7)\nsys.exit(0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 7


def test_the_server_refuses_a_request_without_the_output_descriptors(server):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.settimeout(30)
    conn.connect(server.address)
    conn.send(b'{"argv": [], "env": {}, "cwd": "/"}')
    assert conn.recv(1024) == b""  # closed without a kernel
    conn.close()


def test_a_socket_path_the_system_refuses_leaves_kernels_to_popen(tmp_path, monkeypatch, capsys):
    """A TMPDIR so long that the socket's path exceeds the system's limit (108 bytes on
    Linux): the report runs without a server."""
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr("tempfile.tempdir", None)
    with runner._kernel_server() as (env, server):
        assert server is None and forkserver.ENV_ADDRESS not in env
    assert "no kernel server" in capsys.readouterr().err
    assert list(deep.iterdir()) == []  # its folder was removed
