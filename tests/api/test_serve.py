"""`territoria serve --processes N` as an operator runs it: N servers forked on one port."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

TERRITORIA = str(Path(sys.executable).with_name("territoria"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="--processes needs fork()")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Fields after the command name, which is in parentheses: state, ppid, …
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _wait_for(condition, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TERRITORIA_HOME"] = str(tmp_path / "home")
    migrated = subprocess.run(
        [TERRITORIA, "migrate", "--noinput", "-v0"], env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    server = subprocess.Popen(
        [TERRITORIA, "serve", "--port", str(port), "--processes", "2", "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the teardown kills every server
    )
    try:
        yield server, port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.communicate(timeout=30)


def test_two_processes_serve_one_port_and_a_dead_one_is_replaced(served):
    server, port = served
    _wait_for(lambda: _healthy(port))
    first = _wait_for(lambda: (found := _children(server.pid)) and len(found) == 2 and found)
    assert all(_healthy(port) for _ in range(10))

    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    replaced = _wait_for(
        lambda: (found := _children(server.pid)) and len(found) == 2 and victim not in found
    )
    assert replaced
    assert _wait_for(lambda: _healthy(port))


def test_sigterm_stops_the_parent_and_every_server(served):
    server, port = served
    _wait_for(lambda: _healthy(port))
    servers = _wait_for(lambda: (found := _children(server.pid)) and len(found) == 2 and found)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in servers)
    assert not _healthy(port)


def test_processes_below_one_are_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TERRITORIA_HOME"] = str(tmp_path / "home")
    refused = subprocess.run(
        [TERRITORIA, "serve", "--processes", "0"], env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "--processes: at least 1" in refused.stderr
