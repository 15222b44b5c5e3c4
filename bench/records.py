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
   (Debian's ``wrk``), else with the threaded one of ``load.py``, after checking that both
   answer the same counts. Seven scenarios repeat one URL; three *varied* ones
   (``equality_varied``, ``range_varied``, ``facet_varied``) take the next value of a fixed
   list on each request, the same list for both: once answers are cached per (version,
   query), only these show the engine's own speed;
5. times the same query in raw DuckDB over the Parquet file: the floor (for a varied
   scenario, the median over a sample of its values);
6. writes the figures between the markers of ``docs/benchmarks.md`` and all of them as
   JSON under ``var/bench/``. ``--profile`` adds a pyinstrument profile of each scenario
   run in-process through Django's test client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import french_csv  # noqa: E402  (the bench folder is not a package)
from ingest_csv import machine  # noqa: E402  (the machine, described once for every bench)
from load import Load, load_generator  # noqa: E402

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
# Distinct values per varied scenario. Enough that all the runs of one scenario go through
# its list less than once (Territoria's engine answered ~10 equality requests a second on 1M
# rows: ~400 over 3 × 12 s), so an answer cache keyed by (version, query) is not hit and the
# engine's cold path is measured. The report says how many times each list was gone round.
VARIED_VALUES = 2000
# Varied paths whose answers are compared before the load, and timed in raw DuckDB.
VARIED_SAMPLE = 5


@dataclass
class Scenario:
    """One kind of request, as each contender spells it, and its raw DuckDB floor.

    A *varied* scenario has ``variants``: the same kind of request with a different value
    each (taken in turn under load); the fields above then hold the first variant's."""

    name: str
    title: str
    territoria: str  # path and query string
    datasette: str
    duckdb: list[str]  # statements over the Parquet file: their time is the floor
    targets: list[str] = field(default_factory=list)
    variants: list[Scenario] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The name of the fixed scenario whose answers this one's look like."""
        return self.name.removesuffix("_varied")

    def paths(self, contender: str) -> list[str]:
        """Every path the load sends to ``contender``, in the order it sends them."""
        return [getattr(v, contender) for v in self.variants] or [getattr(self, contender)]

    def sample(self, count: int = VARIED_SAMPLE) -> list[Scenario]:
        """The variants checked and timed in raw DuckDB: ``count`` of them, evenly spread
        over the list (the scenario itself when it is not varied)."""
        if not self.variants:
            return [self]
        step = max(1, len(self.variants) // count)
        return self.variants[::step][:count]


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


def start_territoria(home: Path, processes: int = 1) -> Server:
    port = free_port()
    # The web server alone, as in production (jobs run in `territoria worker` processes),
    # with ``processes`` servers on its port (`--processes`: one per core in production).
    command = [str(BIN / "territoria"), "serve", "--port", str(port), "--no-worker"]
    command += ["--processes", str(processes)]
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

RECORDS = f"/api/explore/v2.1/catalog/datasets/{SLUG}"


def ours(path: str, **params: str) -> str:
    """A path of Territoria's Explore API for the bench dataset."""
    return f"{RECORDS}/{path}?{urlencode(params)}"


def theirs(path: str, **params: str) -> str:
    """A path of Datasette's JSON/CSV API for the bench database."""
    return f"/bench/{path}?{urlencode(params)}"


def equality(source: str, insee: str, name: str = "equality") -> Scenario:
    return Scenario(
        name,
        f"equality filter (`code_insee = '{insee}'`, 20 rows and the count)",
        ours("records", where=f'code_insee = "{insee}"', limit="20"),
        theirs(f"{TABLE}.json", code_insee=insee, _size="20"),
        [
            f"SELECT * FROM {source} WHERE code_insee = '{insee}' LIMIT 20",
            f"SELECT count(*) FROM {source} WHERE code_insee = '{insee}'",
        ],
        ["equality"],
    )


def amount_range(source: str, low: int, name: str = "range") -> Scenario:
    high = low + 100
    return Scenario(
        name,
        f"range filter (`{low} <= montant < {high}`, 20 rows and the count)",
        ours("records", where=f"montant >= {low} and montant < {high}", limit="20"),
        theirs(f"{TABLE}.json", montant__gte=str(low), montant__lt=str(high), _size="20"),
        [
            f"SELECT * FROM {source} WHERE montant >= {low} AND montant < {high} LIMIT 20",
            f"SELECT count(*) FROM {source} WHERE montant >= {low} AND montant < {high}",
        ],
    )


def facet_in_commune(source: str, insee: str) -> Scenario:
    """The facet a portal shows once a commune is chosen: categories within it."""
    return Scenario(
        "facet_varied",
        f"facet counts of categorie where `code_insee = '{insee}'`",
        ours("facets", facet="categorie", where=f'code_insee = "{insee}"'),
        theirs(f"{TABLE}.json", _facet="categorie", code_insee=insee, _size="0"),
        [
            f"SELECT categorie, count(*) FROM {source} WHERE code_insee = '{insee}'"
            " GROUP BY 1 ORDER BY 2 DESC, 1"
        ],
        ["facet"],
    )


def varied(title: str, variants: list[Scenario]) -> Scenario:
    """A scenario sending each of ``variants`` in turn (named and targeted as they are)."""
    first = variants[0]
    return Scenario(
        first.name,
        title,
        first.territoria,
        first.datasette,
        first.duckdb,
        first.targets,
        variants,
    )


def varied_values(con: Any, source: str, count: int) -> tuple[list[str], list[int]]:
    """``count`` INSEE codes and ``count`` lower bounds of 100-wide amount ranges, all with
    rows in the data, spread over their span, in a fixed shuffled order (the same on every
    run and for both contenders: a value is never asked twice in a row, and neither engine
    is helped by a sorted sweep)."""
    codes = [
        code
        for (code,) in con.execute(
            f"SELECT DISTINCT code_insee FROM {source} WHERE code_insee IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    codes = codes[:: max(1, len(codes) // count)][:count]
    # 100-wide windows with rows in them: their lower bounds on a grid of 10 (there are only
    # ~500 distinct multiples of 100 among the amounts), so that windows overlap.
    lows = [
        int(low)
        for (low,) in con.execute(
            f"SELECT DISTINCT floor(montant / 10) * 10 FROM {source}"
            " WHERE montant IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    lows = lows[:: max(1, len(lows) // count)][:count]
    shuffle = random.Random(2024)
    shuffle.shuffle(codes)
    shuffle.shuffle(lows)
    return codes, lows


def scenarios(parquet: Path, values: int = VARIED_VALUES) -> list[Scenario]:
    """The seven fixed requests and the varied ones, their values read from the data (the
    same on every run)."""
    import duckdb

    con = duckdb.connect()
    source = f"read_parquet('{parquet}')"
    row = con.execute(
        f"SELECT code_insee FROM {source} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()
    assert row is not None
    insee = row[0]
    codes, lows = varied_values(con, source, values)
    group_sql = (
        "select categorie, count(*) as n, avg(montant) as avg_montant from rows"
        " group by categorie order by categorie"
    )
    return [
        equality(source, insee),
        amount_range(source, 10000),
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
        varied(
            f"equality filter, {len(codes):,} INSEE codes in turn (20 rows and the count)",
            [equality(source, code, "equality_varied") for code in codes],
        ),
        varied(
            f"range filter, {len(lows):,} 100-wide montant ranges in turn (20 rows and the count)",
            [amount_range(source, low, "range_varied") for low in lows],
        ),
        varied(
            f"facet counts of categorie within one commune, {len(codes):,} INSEE codes in turn",
            [facet_in_commune(source, code) for code in codes],
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


def check_answers(scenario: Scenario, servers: dict[str, Server]) -> dict[str, str]:
    """Each contender's answers to the scenario's path (a varied one's sample), summarised
    and joined; exits when one is an error or when the contenders disagree, as a benchmark
    of different answers would measure nothing."""
    summaries: dict[str, list[str]] = {name: [] for name in servers}
    for variant in scenario.sample():
        for name, server in servers.items():
            status, body = fetch(server.base, getattr(variant, name))
            summaries[name].append(answer_summary(scenario.kind, name, status, body))
    answers = {name: "; ".join(said) for name, said in summaries.items()}
    print(f"{scenario.name}: {answers}", flush=True)
    if any(said.startswith("HTTP ") for per in summaries.values() for said in per):
        raise SystemExit(f"{scenario.name}: an error answer; nothing measured")
    if len(set(answers.values())) > 1:
        raise SystemExit(f"{scenario.name}: the contenders' answers differ; nothing measured")
    return answers


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


def scenario_floor(parquet: Path, scenario: Scenario) -> dict[str, float]:
    """The raw DuckDB floor of a scenario; of a varied one, the median over its sample of
    each variant's median (and the best of all)."""
    if not scenario.variants:
        return duckdb_floor(parquet, scenario.duckdb)
    floors = [duckdb_floor(parquet, v.duckdb, runs=5) for v in scenario.sample()]
    return {
        "median_ms": statistics.median(f["median_ms"] for f in floors),
        "best_ms": min(f["best_ms"] for f in floors),
        "sampled": len(floors),
    }


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
        # A varied scenario's paths in turn: one path repeated would profile a cache.
        paths = scenario.paths("territoria")
        client.get(paths[-1])  # warm-up
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for turn in range(requests):
            response = client.get(paths[turn % len(paths)])
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
        f"Territoria served by {report['processes']} process(es) (`territoria serve --processes"
        f" {report['processes']}`), Datasette by its one process (it has no such option).",
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
    lines += rotation_notes(report.get("rotation", {}))
    lines += ["", "Targets at 8 clients (DESIGN.md):", ""]
    for target in report["targets"]:
        lines.append(f"- {target}")
    lines.append(END_MARK)
    return "\n".join(lines)


def rotation_notes(rotation: dict[str, dict[str, int]]) -> list[str]:
    """Lines saying how often each varied scenario's list was gone through: a value asked
    again may be answered from a cache, which the varied scenarios exist to avoid."""
    if not rotation:
        return []
    lines = [
        "",
        "Varied scenarios: each request takes the next value of a fixed list, the same for both"
        " contenders; their floor is the median over a sample of values. Requests sent over"
        " all runs of each (warm-ups included), and how many times through the list:",
        "",
    ]
    for name, sent in rotation.items():
        values = sent["values"]
        lines.append(
            f"- {name}: {values:,} values; Territoria {sent['territoria']:,} requests"
            f" ({sent['territoria'] / values:.1f}×), Datasette {sent['datasette']:,}"
            f" ({sent['datasette'] / values:.1f}×)."
            + (
                " Territoria went round its list: some answers may have come from a cache."
                if sent["territoria"] > values
                else ""
            )
        )
    return lines


def write_docs(
    section: str,
    marks: tuple[str, str] = (START_MARK, END_MARK),
    heading: str = "## Records API against Datasette",
) -> None:
    """Put ``section`` (which starts and ends with ``marks``) between the markers of
    docs/benchmarks.md, or under ``heading`` at its end the first time."""
    text = DOCS.read_text()
    start, end = marks
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n" + section + "\n"
    DOCS.write_text(text)


def targets(results: list[dict[str, Any]]) -> list[str]:
    at_8 = {r["scenario"]: r for r in results if r["clients"] == 8}
    out = []
    # The varied ones too: once answers are cached, only they show the engine's own speed.
    wanted_ratios = (
        *(("equality", 1.5), ("equality_varied", 1.5)),
        *(("group_by", 50), ("facet", 50), ("facet_varied", 50)),
    )
    for name, wanted in wanted_ratios:
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


def prepare_territoria(directory: Path, rows: int) -> tuple[Path, Path, Path, float]:
    """The French CSV of ``rows`` rows and Territoria's data directory holding it, made once
    and reused. Returns the run's directory, the data directory (``TERRITORIA_HOME``), the
    live version's Parquet file and the ingestion's seconds (0 when reused)."""
    directory.mkdir(parents=True, exist_ok=True)
    work = directory / f"records-{rows}"
    work.mkdir(exist_ok=True)
    csv = directory / f"french-{rows}.csv"
    if not csv.exists():
        print(f"generating {csv} ({rows:,} rows)…", flush=True)
        french_csv.write_csv(csv, rows)
    home = work / "territoria"
    parquet, _, seconds = ingest_territoria(csv, home)
    return work, home, parquet, seconds


def measure(
    scenario: Scenario,
    servers: dict[str, Server],
    clients: list[int],
    duration: float,
    generate: Callable[[Load], dict[str, Any]],
    report: dict[str, Any],
) -> None:
    """Every measurement of one scenario, contenders in turns (a load from elsewhere falls on
    both), added to ``report``. A varied scenario's list is taken up where the last run on
    that contender stopped, so that a warm-up does not ask the values measured next."""
    sent = dict.fromkeys(servers, 0)
    for count in clients:
        result: dict[str, Any] = {
            "scenario": scenario.name,
            "clients": count,
            "floor": report["floors"][scenario.name],
        }
        for name, server in servers.items():
            paths = scenario.paths(name)
            for seconds in (min(2.0, duration), duration):  # a warm-up, then the measurement
                settle(server, PROBES[name])
                measured = generate(Load(server.base, paths, count, seconds, sent[name]))
                sent[name] += measured["requests"]
            result[name] = measured
            result[name]["settled_s"] = round(settle(server, PROBES[name]), 1)
            report["loads"].append(os.getloadavg()[0])
        print(result_line(result), flush=True)
        report["results"].append(result)
    if scenario.variants:
        report["rotation"][scenario.name] = {"values": len(scenario.variants), **sent}


def result_line(result: dict[str, Any]) -> str:
    ours, theirs = result["territoria"], result["datasette"]
    return (
        f"{result['scenario']:15s} c={result['clients']:<3d} territoria {ours['rps']:8.1f} req/s"
        f" p99 {ours.get('p99_ms', 0):8.1f} ms | datasette {theirs['rps']:8.1f} req/s"
        f" p99 {theirs.get('p99_ms', 0):8.1f} ms | floor {result['floor']['median_ms']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="territoria serve --processes"
    )
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument(
        "--values", type=int, default=VARIED_VALUES, help="values per varied scenario"
    )
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
    work, home, parquet, territoria_seconds = prepare_territoria(args.dir, args.rows)
    print("building Datasette's SQLite database…", flush=True)
    sqlite_seconds, inspect_file = build_sqlite(parquet, work / "bench.db")
    chosen = scenarios(parquet, args.values)
    if args.only:
        chosen = [s for s in chosen if s.name in args.only.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    generate, generator = load_generator(work, args.python_load)

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": args.rows,
        "duration": args.duration,
        "generator": generator,
        "processes": args.processes,
        "machine": machine(),
        "versions": versions(),
        "ingest": {"territoria_s": territoria_seconds, "sqlite_s": sqlite_seconds},
        "load_before": os.getloadavg()[0],
        "loads": [],
        "answers": {},
        "results": [],
        "rotation": {},
    }
    report["floors"] = {s.name: scenario_floor(parquet, s) for s in chosen}
    servers = {
        "territoria": start_territoria(home, args.processes),
        "datasette": start_datasette(work / "bench.db", inspect_file),
    }
    try:
        for scenario in chosen:
            report["answers"][scenario.name] = check_answers(scenario, servers)
        for scenario in chosen:
            measure(scenario, servers, clients, args.duration, generate, report)
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
