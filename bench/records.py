"""Records API benchmark: Territoria against Datasette on the same 1M-row French dataset.

DESIGN.md's targets, 8 concurrent clients: equality filter >= 1.5x Datasette's requests/s,
group-by/facet >= 50x Datasette, p99 < 100 ms for both. One command does everything:

    .venv/bin/python bench/records.py [--rows N] [--duration S] [--clients 1,8,32]

1. generates the French CSV deterministically (``french_csv.py``, shared with
   ``ingest_csv.py``), under ``var/bench/``;
2. ingests it into Territoria (``territoria migrate`` + ``territoria ingest``, in a data
   directory of its own) and into Datasette's SQLite: the same typed rows, copied from our
   Parquet file with sqlite-utils, the indexes Datasette's documentation recommends on the
   filtered and faceted columns, FTS5 on the searched column, immutable mode with an
   inspect file (so that Datasette never counts the whole table);
3. serves both as subprocesses on free ports (``territoria serve``, ``datasette serve``);
4. runs each scenario on both at each concurrency with ``wrk`` when it is installed
   (Debian's ``wrk``), else with the threaded generator below, after checking that both
   answer the same counts;
5. times the same query in raw DuckDB over the Parquet file: the floor;
6. writes the figures between the markers of ``docs/benchmarks.md`` and all of them as
   JSON under ``var/bench/``. ``--profile`` adds a pyinstrument profile of each scenario
   run in-process through Django's test client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import french_csv  # noqa: E402  (the bench folder is not a package)

BIN = Path(sys.executable).parent
SLUG = "bench-records"
TABLE = "rows"
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- bench/records.py: start -->"
END_MARK = "<!-- bench/records.py: end -->"
SQLITE_BATCH = 20_000
# A cheap query through each server's query threads (see ``settle``).
PROBES = {
    "territoria": f"/api/explore/v2.1/catalog/datasets/{SLUG}/records?limit=1",
    "datasette": "/bench.json?sql=select+1",
}
# wrk's Lua hook: the summary as one JSON line (latencies in microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d,'
    .. ' "socket_errors": %d, "timeouts": %d, "p50": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Scenario:
    """One kind of request, as each contender spells it, and its raw DuckDB floor."""

    name: str
    title: str
    territoria: str  # path and query string
    datasette: str
    duckdb: list[str]  # statements over the Parquet file: their time is the floor
    targets: list[str] = field(default_factory=list)


# Preparation.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(command: list[str], env: dict[str, str] | None = None) -> float:
    """Run a command to completion (its output shown only on failure); returns its seconds."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def territoria_env(home: Path) -> dict[str, str]:
    env = dict(os.environ, TERRITORIA_HOME=str(home), TERRITORIA_LOG_LEVEL="ERROR")
    env.pop("DATABASE_URL", None)  # the bench's own SQLite metadata, never a shared database
    return env


def ingest_territoria(csv: Path, home: Path) -> tuple[Path, dict[str, Any], float]:
    """Ingest the CSV once into ``home`` (reused when already there); returns the live
    version's Parquet file, its schema and the ingestion's seconds (0 when reused)."""
    done = home / "ingested.json"
    env = territoria_env(home)
    if done.exists():
        # The code may have new migrations since the data was ingested: apply them.
        run([str(BIN / "territoria"), "migrate", "--no-input"], env)
        info = json.loads(done.read_text())
        return Path(info["parquet"]), info["schema"], info["seconds"]
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    run([str(BIN / "territoria"), "migrate", "--no-input"], env)
    print("ingesting into Territoria…", flush=True)
    seconds = run(
        [
            *(str(BIN / "territoria"), "ingest", str(csv), "--dataset", SLUG),
            *("--org", "bench", "--title", "Bench records", "--access", "open"),
        ],
        env,
    )
    (version,) = (home / "datastore" / "versions").iterdir()
    schema = json.loads((version / "version.json").read_text())["schema"]
    parquet = version / "data.parquet"
    done.write_text(json.dumps({"parquet": str(parquet), "schema": schema, "seconds": seconds}))
    return parquet, schema, seconds


def sqlite_type(duckdb_type: str) -> type:
    if re.match(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$", duckdb_type):
        return int
    if duckdb_type in ("DOUBLE", "FLOAT") or duckdb_type.startswith("DECIMAL"):
        return float
    return str  # text, and dates as ISO text: what sqlite-utils writes for them


def build_sqlite(parquet: Path, db_path: Path) -> tuple[float, Path]:
    """Datasette's database: the same rows as our Parquet file, typed, indexed, searchable.

    Indexes on the columns filtered (equality, range) and faceted, as Datasette's docs
    advise; FTS5 on the searched column (``enable_fts``); then ``datasette inspect`` so that
    immutable mode knows the row count. Returns the seconds taken and the inspect file.
    """
    inspect_file = db_path.with_suffix(".inspect.json")
    timing = db_path.with_suffix(".seconds")
    if db_path.exists() and inspect_file.exists():
        return float(timing.read_text()) if timing.exists() else 0.0, inspect_file
    import duckdb
    import sqlite_utils

    db_path.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect()
    relation = con.sql(f"SELECT * FROM read_parquet('{parquet}')")
    names, types = relation.columns, [str(t) for t in relation.types]
    db = sqlite_utils.Database(db_path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    table = db[TABLE]
    table.create({n: sqlite_type(t) for n, t in zip(names, types, strict=True)})
    cursor = con.execute(f"SELECT * FROM read_parquet('{parquet}')")
    while batch := cursor.fetchmany(SQLITE_BATCH):
        rows = (
            {
                n: (v.isoformat() if hasattr(v, "isoformat") else v)
                for n, v in zip(names, r, strict=True)
            }
            for r in batch
        )
        table.insert_all(rows, batch_size=SQLITE_BATCH)
    for column in ("code_insee", "montant", "categorie"):
        table.create_index([column])
    table.enable_fts(["libelle"], create_triggers=False)
    db.execute("ANALYZE")
    db.close()
    seconds = time.perf_counter() - start
    run([str(BIN / "datasette"), "inspect", str(db_path), "--inspect-file", str(inspect_file)])
    timing.write_text(str(seconds))
    return seconds, inspect_file


# Servers.


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, ready: str):
        self.name, self.port = name, port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop())
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + ready, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.log.seek(0)
        output = self.log.read().decode()[-3000:]
        self.stop()
        raise SystemExit(f"{name} did not start:\n{output}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


def settle(server: Server, probe: str, limit: float = 180.0) -> float:
    """Wait until ``server`` has worked off the requests still queued from the last load
    (a closed-loop client stops sending, the server goes on answering): a cheap query
    answered within a second means its queue is empty. Returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        asked = time.perf_counter()
        fetch(server.base, probe)
        if time.perf_counter() - asked < 1.0:
            break
    return time.perf_counter() - start


def start_territoria(home: Path) -> Server:
    port = free_port()
    # The web server alone, as in production (jobs run in `territoria worker` processes).
    command = [str(BIN / "territoria"), "serve", "--port", str(port), "--no-worker"]
    return Server("territoria", command, territoria_env(home), port, "/healthz")


def start_datasette(db_path: Path, inspect_file: Path) -> Server:
    port = free_port()
    command = [
        *(str(BIN / "datasette"), "serve", "-i", str(db_path)),
        *("--inspect-file", str(inspect_file), "--port", str(port)),
        # Datasette's time limits would turn its slow answers into fast errors: lifted, so
        # that it computes what it is asked, as Territoria does within its 10 s budget.
        *("--setting", "sql_time_limit_ms", "30000"),
        *("--setting", "facet_time_limit_ms", "30000"),
        # Suggested facets cost a query per column on every table page: off, its docs say.
        *("--setting", "suggest_facets", "off"),
    ]
    return Server("datasette", command, dict(os.environ), port, "/-/versions.json")


# The scenarios.


def scenarios(parquet: Path) -> list[Scenario]:
    """The seven requests, their values read from the data (the same on every run)."""
    import duckdb

    con = duckdb.connect()
    source = f"read_parquet('{parquet}')"
    row = con.execute(
        f"SELECT code_insee FROM {source} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()
    assert row is not None
    insee = row[0]
    records = f"/api/explore/v2.1/catalog/datasets/{SLUG}"

    def ours(path: str, **params: str) -> str:
        return f"{records}/{path}?{urlencode(params)}"

    def theirs(path: str, **params: str) -> str:
        return f"/bench/{path}?{urlencode(params)}"

    group_sql = (
        "select categorie, count(*) as n, avg(montant) as avg_montant from rows"
        " group by categorie order by categorie"
    )
    return [
        Scenario(
            "equality",
            f"equality filter (`code_insee = '{insee}'`, 20 rows and the count)",
            ours("records", where=f'code_insee = "{insee}"', limit="20"),
            theirs(f"{TABLE}.json", code_insee=insee, _size="20"),
            [
                f"SELECT * FROM {source} WHERE code_insee = '{insee}' LIMIT 20",
                f"SELECT count(*) FROM {source} WHERE code_insee = '{insee}'",
            ],
            ["equality"],
        ),
        Scenario(
            "range",
            "range filter (`10000 <= montant < 10100`, 20 rows and the count)",
            ours("records", where="montant >= 10000 and montant < 10100", limit="20"),
            theirs(f"{TABLE}.json", montant__gte="10000", montant__lt="10100", _size="20"),
            [
                f"SELECT * FROM {source} WHERE montant >= 10000 AND montant < 10100 LIMIT 20",
                f"SELECT count(*) FROM {source} WHERE montant >= 10000 AND montant < 10100",
            ],
        ),
        Scenario(
            "fulltext",
            "full-text (`boulangerie moulin` in libelle, 20 rows and the count)",
            ours("records", where='search(libelle, "boulangerie moulin")', limit="20"),
            theirs(f"{TABLE}.json", _search="boulangerie moulin", _size="20"),
            [
                f"SELECT * FROM {source} WHERE libelle ILIKE '%boulangerie%'"
                " AND libelle ILIKE '%moulin%' LIMIT 20",
                f"SELECT count(*) FROM {source} WHERE libelle ILIKE '%boulangerie%'"
                " AND libelle ILIKE '%moulin%'",
            ],
        ),
        Scenario(
            "group_by",
            "group-by categorie with count and avg(montant)",
            ours(
                "records",
                select="categorie, count(*) as n, avg(montant) as avg_montant",
                group_by="categorie",
                limit="100",
            ),
            f"/bench.json?{urlencode({'sql': group_sql})}",
            [
                f"SELECT categorie, count(*), avg(montant) FROM {source}"
                " GROUP BY 1 ORDER BY 1 NULLS LAST"
            ],
            ["group_by"],
        ),
        Scenario(
            "facet",
            "facet counts of categorie over every row",
            ours("facets", facet="categorie"),
            theirs(f"{TABLE}.json", _facet="categorie", _size="0"),
            [f"SELECT categorie, count(*) FROM {source} GROUP BY 1 ORDER BY 2 DESC, 1"],
            ["facet"],
        ),
        Scenario(
            "deep_page",
            "one page deep into the table (rows 9,981–10,000)",
            ours("records", limit="20", offset="9980"),
            theirs(f"{TABLE}.json", _size="20", _next="9980"),
            [f"SELECT * FROM {source} LIMIT 20 OFFSET 9980"],
        ),
        Scenario(
            "export",
            "CSV export of ~10,000 rows (`10000 <= montant < 10500`)",
            ours("exports/csv", where="montant >= 10000 and montant < 10500"),
            theirs(
                f"{TABLE}.csv", montant__gte="10000", montant__lt="10500", _stream="on", _size="max"
            ),
            [
                f"COPY (SELECT * FROM {source} WHERE montant >= 10000 AND montant < 10500)"
                " TO '/dev/null' (FORMAT csv)"
            ],
        ),
    ]


def fetch(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=120) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def answer_summary(name: str, contender: str, status: int, body: bytes) -> str:
    """What an answer says, to compare both contenders (a count, groups, rows)."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if name == "export":
        lines = body.count(b"\n")
        return f"{lines - 1} rows"  # minus the header line
    data = json.loads(body)
    if name in ("group_by",):
        rows = data["results"] if contender == "territoria" else data["rows"]
        return f"{len(rows)} groups"
    if name == "facet":
        if contender == "territoria":
            values = data["facets"][0]["facets"]
            return f"{len(values)} values, top {values[0]['count']}"
        values = data["facet_results"]["categorie"]["results"]
        return f"{len(values)} values, top {values[0]['count']}"
    if contender == "territoria":
        return f"count {data['total_count']}, {len(data['results'])} rows"
    return f"count {data.get('filtered_table_rows_count')}, {len(data['rows'])} rows"


# Load generators.


def run_wrk(url: str, clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [
            *("wrk", "-t", str(min(clients, 2)), "-c", str(clients)),
            *("-d", f"{seconds:g}s", "--timeout", "60s", "-s", script.name, url),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    duration = summary["duration_us"] / 1e6
    return {
        "seconds": seconds,
        "requests": summary["requests"],
        "errors": summary["status_errors"] + summary["socket_errors"] + summary["timeouts"],
        "rps": summary["requests"] / duration,
        "p50_ms": summary["p50"] / 1000,
        "p99_ms": summary["p99"] / 1000,
        "max_ms": summary["max"] / 1000,
        "bytes": summary["bytes"],
    }


def run_threads(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """A closed-loop generator: ``clients`` threads, each one keep-alive connection sending
    the next request when the previous answer is read."""
    host, _, rest = url.removeprefix("http://").partition("/")
    hostname, port = host.split(":")
    path = "/" + rest
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    received = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = HTTPConnection(hostname, int(port), timeout=60)
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except OSError:
                errors[index] += 1
                connection.close()
                connection = HTTPConnection(hostname, int(port), timeout=60)
                continue
            latencies[index].append(time.perf_counter() - start)
            received[index] += len(body)
            if response.status != 200:
                errors[index] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(x for per in latencies for x in per)
    if not every:
        return {"seconds": seconds, "requests": 0, "errors": sum(errors), "rps": 0.0}
    return {
        "seconds": seconds,
        "requests": len(every),
        "errors": sum(errors),
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every) * 1000,
        "p99_ms": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        "max_ms": every[-1] * 1000,
        "bytes": sum(received),
    }


def duckdb_floor(parquet: Path, statements: list[str], runs: int = 15) -> dict[str, float]:
    """The statements' time in raw DuckDB (one connection, warm): median and best, in ms."""
    import duckdb

    con = duckdb.connect()
    for statement in statements:  # warm-up: the Parquet footer and the OS cache
        con.execute(statement).fetchall()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for statement in statements:
            con.execute(statement).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "best_ms": min(times)}


# Profiles.


def profile_child(home: Path, out: Path, requests: int) -> None:
    """In a child process: each scenario's Territoria request ``requests`` times through
    Django's test client under pyinstrument; one text report per scenario."""
    os.environ.update(territoria_env(home))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoria.settings")
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    info = json.loads((home / "ingested.json").read_text())
    client = Client()
    for scenario in scenarios(Path(info["parquet"])):
        client.get(scenario.territoria)  # warm-up
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(requests):
            response = client.get(scenario.territoria)
            if scenario.name == "export":
                b"".join(response.streaming_content)
        profiler.stop()
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        (out / f"profile-{scenario.name}.txt").write_text(text)
        print(f"profile of {scenario.name}: {out / f'profile-{scenario.name}.txt'}", flush=True)


# The report.


def versions() -> dict[str, str]:
    import datasette.version
    import duckdb

    def command_version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:
            return "absent"
        return (done.stdout + done.stderr).strip().splitlines()[0]

    revision = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "territoria": f"git {revision} (working tree)",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "datasette": datasette.version.__version__,
        "sqlite": sqlite3.sqlite_version,
        "wrk": command_version(["wrk", "--version"]) if shutil.which("wrk") else "absent",
    }


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "kernel": platform.release(),
    }


def rate(measured: dict[str, Any]) -> str:
    if not measured["requests"]:
        return f"none in {measured.get('seconds', 10):g} s"
    return f"{measured['rps']:.1f}"


def latency(measured: dict[str, Any]) -> str:
    if not measured["requests"]:
        return "—"
    return f"{measured['p50_ms']:.0f} / {measured['p99_ms']:.0f}"


def markdown(report: dict[str, Any]) -> str:
    """The figures as the section of docs/benchmarks.md between the markers."""
    m, v = report["machine"], report["versions"]
    lines = [
        START_MARK,
        f"Run of {report['date']} (`{report['command']}`), {report['rows']:,} rows, "
        f"{report['duration']:g} s per measurement, load generator: {report['generator']}.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Linux {m['kernel']};"
        f" load average (1 min) {report['load_before']:.2f} before the runs,"
        f" {min(report['loads']):.2f}–{max(report['loads']):.2f} during them.",
        f"- Versions: Territoria {v['territoria']}, Python {v['python']}, DuckDB {v['duckdb']},"
        f" Datasette {v['datasette']}, SQLite {v['sqlite']}, wrk: {v['wrk']}.",
        f"- Ingestion (when the data was first set up): Territoria"
        f" {report['ingest']['territoria_s']:.1f} s (`territoria ingest`, CSV → Parquet);"
        f" Datasette's SQLite {report['ingest']['sqlite_s']:.1f} s (rows copied from our"
        " Parquet, 3 indexes, FTS5; 0: not recorded).",
        "",
        "Same answers on both sides (checked before the load):",
        "",
        "| scenario | Territoria | Datasette |",
        "|---|---|---|",
    ]
    for name, check in report["answers"].items():
        lines.append(f"| {name} | {check['territoria']} | {check['datasette']} |")
    lines += [
        "",
        "| scenario | clients | Territoria req/s | p50 / p99 ms | Datasette req/s |"
        " p50 / p99 ms | ratio | raw DuckDB floor ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in report["results"]:
        ours, theirs = result["territoria"], result["datasette"]
        ratio = f"{ours['rps'] / theirs['rps']:.2f}×" if theirs["requests"] else "—"
        if ours.get("errors") or theirs.get("errors"):
            ratio += f" (errors: {ours.get('errors', 0)} / {theirs.get('errors', 0)})"
        lines.append(
            f"| {result['scenario']} | {result['clients']} | {rate(ours)} | {latency(ours)} |"
            f" {rate(theirs)} | {latency(theirs)} | {ratio} | {result['floor']['median_ms']:.1f} |"
        )
    lines += ["", "Targets at 8 clients (DESIGN.md):", ""]
    for target in report["targets"]:
        lines.append(f"- {target}")
    lines.append(END_MARK)
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        _, after = rest.split(END_MARK, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n## Records API against Datasette\n\n" + section + "\n"
    DOCS.write_text(text)


def targets(results: list[dict[str, Any]]) -> list[str]:
    at_8 = {r["scenario"]: r for r in results if r["clients"] == 8}
    out = []
    for name, wanted in (("equality", 1.5), ("group_by", 50), ("facet", 50)):
        if name not in at_8:
            continue
        ours, theirs = at_8[name]["territoria"], at_8[name]["datasette"]
        ratio = ours["rps"] / theirs["rps"] if theirs["requests"] else float("inf")
        p99 = ours.get("p99_ms", float("inf"))
        met = "met" if ratio >= wanted and p99 < 100 else "NOT met"
        out.append(
            f"{name}: {ratio:.2f}× Datasette's requests/s (target ≥ {wanted}×), p99"
            f" {p99:.1f} ms (target < 100 ms): **{met}**"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--python-load", action="store_true", help="ignore wrk")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles too")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--render", type=Path, help="rewrite the docs from a saved JSON")
    parser.add_argument("--profile-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        report = json.loads(args.render.read_text())
        report["targets"] = targets(report["results"])
        write_docs(markdown(report))
        return
    if args.profile_child:
        profile_child(Path(args.profile_child[0]), Path(args.profile_child[1]), 10)
        return

    # A TERM (a stopped job) unwinds like Ctrl-C: the servers are stopped in ``finally``.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.dir.mkdir(parents=True, exist_ok=True)
    work = args.dir / f"records-{args.rows}"
    work.mkdir(exist_ok=True)
    csv = args.dir / f"french-{args.rows}.csv"
    if not csv.exists():
        print(f"generating {csv} ({args.rows:,} rows)…", flush=True)
        french_csv.write_csv(csv, args.rows)
    home = work / "territoria"
    parquet, _, territoria_seconds = ingest_territoria(csv, home)
    print("building Datasette's SQLite database…", flush=True)
    sqlite_seconds, inspect_file = build_sqlite(parquet, work / "bench.db")
    chosen = scenarios(parquet)
    if args.only:
        chosen = [s for s in chosen if s.name in args.only.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    generate = run_wrk if use_wrk else run_threads

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": args.rows,
        "duration": args.duration,
        "generator": "wrk (keep-alive connections, one per client)"
        if use_wrk
        else "bench/records.py's threads (keep-alive connections, one per client)",
        "machine": machine(),
        "versions": versions(),
        "ingest": {"territoria_s": territoria_seconds, "sqlite_s": sqlite_seconds},
        "load_before": os.getloadavg()[0],
        "loads": [],
        "answers": {},
        "results": [],
    }
    floors = {s.name: duckdb_floor(parquet, s.duckdb) for s in chosen}
    servers = {
        "territoria": start_territoria(home),
        "datasette": start_datasette(work / "bench.db", inspect_file),
    }
    try:
        for scenario in chosen:
            answers = {}
            for name, server in servers.items():
                path = getattr(scenario, name)
                status, body = fetch(server.base, path)
                answers[name] = answer_summary(scenario.name, name, status, body)
            report["answers"][scenario.name] = answers
            print(f"{scenario.name}: {answers}", flush=True)
            if any(answer.startswith("HTTP ") for answer in answers.values()):
                raise SystemExit(f"{scenario.name}: an error answer; nothing measured")
        for scenario in chosen:
            for count in clients:
                result: dict[str, Any] = {
                    "scenario": scenario.name,
                    "clients": count,
                    "floor": floors[scenario.name],
                }
                for name, server in servers.items():  # in turns: a load elsewhere hits both
                    url = server.base + getattr(scenario, name)
                    generate(url, count, min(2.0, args.duration))  # warm-up
                    settle(server, PROBES[name])
                    result[name] = generate(url, count, args.duration)
                    result[name]["settled_s"] = round(settle(server, PROBES[name]), 1)
                    report["loads"].append(os.getloadavg()[0])
                ours, theirs = result["territoria"], result["datasette"]
                print(
                    f"{scenario.name:10s} c={count:<3d} territoria {ours['rps']:8.1f} req/s"
                    f" p99 {ours.get('p99_ms', 0):8.1f} ms | datasette {theirs['rps']:8.1f} req/s"
                    f" p99 {theirs.get('p99_ms', 0):8.1f} ms | floor"
                    f" {result['floor']['median_ms']:.1f} ms",
                    flush=True,
                )
                report["results"].append(result)
    finally:
        for server in servers.values():
            server.stop()
    report["targets"] = targets(report["results"])
    for line in report["targets"]:
        print(line)
    if args.profile:
        run([sys.executable, __file__, "--profile-child", str(home), str(args.dir)])
    saved = args.dir / f"results-records-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    saved.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"saved {saved}")
    if not args.no_docs:
        write_docs(markdown(report))
        print(f"figures written to {DOCS}")


if __name__ == "__main__":
    main()
