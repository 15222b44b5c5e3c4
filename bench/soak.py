"""Soak: 32 clients for 60 s on the mixed load; no errors, memory growth at most 20 %.

    .venv/bin/python bench/soak.py [--rows N] [--seconds S] [--clients C]

Serves the data directory that ``records.py`` builds (the same CSV, ingested once, reused)
with ``territoria serve --no-worker``, checks that every scenario answers, warms up on the
mixed load (a weighted rotation over the records scenarios' paths, fixed and varied), reads
the server's RSS, then runs the load for ``--seconds`` while reading the RSS every second.
Exits 1 when a request failed or the RSS grew beyond ``--max-growth`` % of its value after
the warm-up. Writes its section of ``docs/benchmarks.md`` (between its own markers) and
everything as JSON under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import records
from load import Load, load_generator

START_MARK = "<!-- bench/soak.py: start -->"
END_MARK = "<!-- bench/soak.py: end -->"
HEADING = "## Soak: 32 clients on the mixed load"
# Requests of each scenario per round of the mixed load: lookups most often, as a portal
# and re-users ask them; the heavy ones (full-text, export) rarely but always, so that
# their memory shows. Varied paths most, so that an answer cache cannot hold the whole mix.
WEIGHTS = {
    "equality": 3,
    "equality_varied": 6,
    "range": 2,
    "range_varied": 4,
    "fulltext": 1,
    "group_by": 2,
    "facet": 2,
    "facet_varied": 3,
    "deep_page": 2,
    "export": 1,
}


def mixed_paths(scenarios: list[records.Scenario], weights: dict[str, int]) -> list[str]:
    """Territoria's paths of the mixed load, in order: rounds of each scenario's weight in
    requests (a varied one's next values), as many rounds as fit before a varied list would
    repeat a value (the generators wrap around the whole list after that)."""
    chosen = [s for s in scenarios if weights.get(s.name)]
    rounds = min((len(s.variants) // weights[s.name] for s in chosen if s.variants), default=1)
    turns = dict.fromkeys(weights, 0)
    paths = []
    for _ in range(rounds):
        for scenario in chosen:
            own = scenario.paths("territoria")
            for _ in range(weights[scenario.name]):
                paths.append(own[turns[scenario.name] % len(own)])
                turns[scenario.name] += 1
    return paths


# Memory.


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from the parent ids in /proc (a server may fork)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: the fields follow its end.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        tree.append(current)
        waiting.extend(children.get(current, []))
    return tree


def tree_rss_mb(pid: int) -> float:
    """The resident memory of ``pid`` and its descendants (VmRSS), in MB."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


class RssSampler:
    """Reads a process tree's RSS every ``interval`` seconds in a thread, until stopped."""

    def __init__(self, pid: int, interval: float = 1.0):
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        start = time.perf_counter()
        while True:
            self.samples.append((round(time.perf_counter() - start, 1), tree_rss_mb(self.pid)))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# The run.


def soak(
    server: records.Server, paths: list[str], args: argparse.Namespace, generate: Any
) -> dict[str, Any]:
    """Warm up, then the measured load with the RSS sampled; the figures."""
    warm = generate(Load(server.base, paths, args.clients, args.warmup))
    # The closed loop stops; the server may still be answering: measure from a quiet start.
    records.settle(server, records.PROBES["territoria"])
    rss_start = tree_rss_mb(server.process.pid)
    with RssSampler(server.process.pid) as sampler:
        load = generate(Load(server.base, paths, args.clients, args.seconds, warm["requests"]))
    rss_end = tree_rss_mb(server.process.pid)
    rss_max = max([rss_end, *(mb for _, mb in sampler.samples)])
    return {
        "warmup_requests": warm["requests"],
        "load": load,
        "rss_mb": {"start": rss_start, "max": rss_max, "end": rss_end},
        # Growth is the peak against the warmed-up start: the strict reading of "no growth".
        "growth_pct": (rss_max - rss_start) / rss_start * 100,
        "end_growth_pct": (rss_end - rss_start) / rss_start * 100,
        "rss_samples": sampler.samples,
    }


def verdicts(figures: dict[str, Any], max_growth: float) -> list[str]:
    """One line per target, ending with met or NOT met."""
    load = figures["load"]

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    errors = load["errors"]
    return [
        f"errors: {errors} (target 0): **{met(errors == 0 and load['requests'] > 0)}**",
        f"memory growth: {figures['growth_pct']:+.1f} % at the peak,"
        f" {figures['end_growth_pct']:+.1f} % at the end (target ≤ {max_growth:g} %):"
        f" **{met(figures['growth_pct'] <= max_growth)}**",
    ]


def markdown(report: dict[str, Any]) -> str:
    """The figures as the section of docs/benchmarks.md between this script's markers."""
    m, v, f = report["machine"], report["versions"], report["figures"]
    load, rss = f["load"], f["rss_mb"]
    weights = ", ".join(f"{name} {weight}" for name, weight in report["weights"].items())
    lines = [
        START_MARK,
        f"Run of {report['date']} (`{report['command']}`), {report['rows']:,} rows,"
        f" {report['clients']} clients, {report['warmup']:g} s of warm-up then"
        f" {report['seconds']:g} s measured; load generator: {report['generator']};"
        f" `territoria serve --processes {report['processes']}`.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Linux {m['kernel']};"
        f" load average (1 min) {report['load_before']:.2f} before, {report['load_after']:.2f}"
        " after.",
        f"- Versions: Territoria {v['territoria']}, Python {v['python']}, DuckDB {v['duckdb']},"
        f" wrk: {v['wrk']}.",
        f"- Mixed load: {report['paths']:,} paths in turn, weights per round: {weights}.",
        "",
        "| requests | req/s | non-2xx | socket errors | p50 / p99 ms |"
        " RSS start / max / end MB | growth (peak, end) |",
        "|---|---|---|---|---|---|---|",
        f"| {load['requests']:,} | {load['rps']:.1f} | {load.get('status_errors', 0)} |"
        f" {load.get('socket_errors', 0)} | {records.latency(load)} |"
        f" {rss['start']:.0f} / {rss['max']:.0f} / {rss['end']:.0f} |"
        f" {f['growth_pct']:+.1f} %, {f['end_growth_pct']:+.1f} % |",
        "",
        "Targets (issue: no errors, memory growth ≤ 20 %):",
        "",
        *(f"- {line}" for line in report["verdicts"]),
        END_MARK,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="territoria serve --processes"
    )
    parser.add_argument("--dir", type=Path, default=records.ROOT / "var" / "bench")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of measured load")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of warm-up load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-growth", type=float, default=20.0, help="RSS growth target, %%")
    parser.add_argument("--values", type=int, default=records.VARIED_VALUES)
    parser.add_argument("--python-load", action="store_true", help="ignore wrk")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()

    # A TERM (a stopped job) unwinds like Ctrl-C: the server is stopped in ``finally``.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work, home, parquet, _ = records.prepare_territoria(args.dir, args.rows)
    scenarios = records.scenarios(parquet, args.values)
    paths = mixed_paths(scenarios, WEIGHTS)
    generate, generator = load_generator(work, args.python_load)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": args.rows,
        "clients": args.clients,
        "warmup": args.warmup,
        "seconds": args.seconds,
        "generator": generator,
        "processes": args.processes,
        "weights": WEIGHTS,
        "paths": len(paths),
        "machine": records.machine(),
        "versions": records.versions(),
        "load_before": os.getloadavg()[0],
    }
    server = records.start_territoria(home, args.processes)
    try:
        for scenario in scenarios:  # every kind of request answers, before any load
            records.check_answers(scenario, {"territoria": server})
        report["figures"] = soak(server, paths, args, generate)
    finally:
        server.stop()
    report["load_after"] = os.getloadavg()[0]
    report["verdicts"] = verdicts(report["figures"], args.max_growth)
    print_summary(report)
    saved = args.dir / f"results-soak-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    saved.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"saved {saved}")
    if not args.no_docs:
        records.write_docs(markdown(report), (START_MARK, END_MARK), HEADING)
        print(f"figures written to {records.DOCS}")
    if any(line.endswith("**NOT met**") for line in report["verdicts"]):
        raise SystemExit(1)


def print_summary(report: dict[str, Any]) -> None:
    f = report["figures"]
    load, rss = f["load"], f["rss_mb"]
    print(
        f"{load['requests']:,} requests in {report['seconds']:g} s ({load['rps']:.1f} req/s),"
        f" non-2xx {load.get('status_errors', 0)}, socket errors {load.get('socket_errors', 0)},"
        f" p50 / p99 {records.latency(load)} ms; RSS start {rss['start']:.0f} MB, max"
        f" {rss['max']:.0f} MB, end {rss['end']:.0f} MB"
    )
    for line in report["verdicts"]:
        print(line)


if __name__ == "__main__":
    main()
