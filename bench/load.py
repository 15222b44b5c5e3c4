"""Load generators for the benchmarks: wrk when installed, else a threaded one in Python.

Both are closed-loop (each client sends its next request when the previous answer is read,
over one keep-alive connection) and both take a list of paths in the same order, so that a
scenario asking a different value on each request loads both contenders alike.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

# wrk's Lua hook: the summary as one JSON line (latencies in microseconds).
WRK_SUMMARY = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d,'
    .. ' "socket_errors": %d, "timeouts": %d, "p50": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""
# For several paths (``wrk … URL -- FILE START THREADS``): the paths are read from FILE, one a
# line; wrk thread k of n sends paths START+k, START+k+n, … (wrapping), so that the threads
# never send the same path at the same time and a list is gone through once before any
# repeats. ``setup`` runs in wrk's main Lua state, ``init`` and ``request`` in each thread's.
WRK_ROTATION = """
local made = 0
setup = function(thread)
  thread:set("index", made)
  made = made + 1
end
init = function(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  index = index + tonumber(args[2])
  step = tonumber(args[3])
end
request = function()
  local path = paths[index % #paths + 1]
  index = index + step
  return wrk.format(nil, path)
end
"""


@dataclass
class Load:
    """What a load generator sends: ``paths`` in turn from index ``start`` (wrapping), over
    ``clients`` keep-alive connections for ``seconds``."""

    base: str
    paths: list[str]
    clients: int
    seconds: float
    start: int = 0


def wrk_runner(workdir: Path) -> Callable[[Load], dict[str, Any]]:
    """wrk, its Lua scripts and path lists written to ``workdir`` (the run's directory)."""
    summary_only = workdir / "wrk-summary.lua"
    summary_only.write_text(WRK_SUMMARY)
    rotating = workdir / "wrk-rotation.lua"
    rotating.write_text(WRK_ROTATION + WRK_SUMMARY)
    path_list = workdir / "wrk-paths.txt"

    def run_wrk(load: Load) -> dict[str, Any]:
        threads = min(load.clients, 2)
        command = [
            *("wrk", "-t", str(threads), "-c", str(load.clients)),
            *("-d", f"{load.seconds:g}s", "--timeout", "60s"),
        ]
        if len(load.paths) == 1:  # one URL: wrk builds its request once, as it always did
            command += ["-s", str(summary_only), load.base + load.paths[0]]
        else:
            path_list.write_text("\n".join(load.paths) + "\n")
            command += ["-s", str(rotating), load.base + "/", "--", str(path_list)]
            command += [str(load.start), str(threads)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return wrk_figures(load, json.loads(done.stdout.strip().splitlines()[-1]))

    return run_wrk


def wrk_figures(load: Load, summary: dict[str, int]) -> dict[str, Any]:
    duration = summary["duration_us"] / 1e6
    return {
        "seconds": load.seconds,
        "requests": summary["requests"],
        "errors": summary["status_errors"] + summary["socket_errors"] + summary["timeouts"],
        "status_errors": summary["status_errors"],
        "socket_errors": summary["socket_errors"] + summary["timeouts"],
        "rps": summary["requests"] / duration,
        "p50_ms": summary["p50"] / 1000,
        "p99_ms": summary["p99"] / 1000,
        "max_ms": summary["max"] / 1000,
        "bytes": summary["bytes"],
    }


def run_threads(load: Load) -> dict[str, Any]:
    """A closed-loop generator: ``clients`` threads, each one keep-alive connection sending
    the next request when the previous answer is read. Client k of n sends paths start+k,
    start+k+n, … as wrk's threads do with ``WRK_ROTATION``."""
    hostname, port = load.base.removeprefix("http://").split(":")
    clients, paths = load.clients, load.paths
    latencies: list[list[float]] = [[] for _ in range(clients)]
    status_errors = [0] * clients
    socket_errors = [0] * clients
    received = [0] * clients
    stop_at = time.perf_counter() + load.seconds

    def client(index: int) -> None:
        connection = HTTPConnection(hostname, int(port), timeout=60)
        turn = load.start + index
        while time.perf_counter() < stop_at:
            path = paths[turn % len(paths)]
            turn += clients
            start = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except OSError:
                socket_errors[index] += 1
                connection.close()
                connection = HTTPConnection(hostname, int(port), timeout=60)
                continue
            latencies[index].append(time.perf_counter() - start)
            received[index] += len(body)
            if not 200 <= response.status < 300:
                status_errors[index] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(x for per in latencies for x in per)
    errors = {"status_errors": sum(status_errors), "socket_errors": sum(socket_errors)}
    if not every:
        return {"seconds": load.seconds, "requests": 0, "errors": sum(errors.values()), "rps": 0.0}
    return {
        "seconds": load.seconds,
        "requests": len(every),
        "errors": sum(errors.values()),
        **errors,
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every) * 1000,
        "p99_ms": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        "max_ms": every[-1] * 1000,
        "bytes": sum(received),
    }


def load_generator(workdir: Path, python_load: bool) -> tuple[Callable[[Load], dict], str]:
    """wrk when installed (and not refused), else the threads; and how the report names it."""
    if shutil.which("wrk") is not None and not python_load:
        return wrk_runner(workdir), "wrk (keep-alive connections, one per client)"
    return run_threads, "bench/load.py's threads (keep-alive connections, one per client)"
