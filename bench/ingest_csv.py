"""Ingestion benchmark: a French CSV into Parquet, ours against raw DuckDB and sqlite-utils.

DESIGN.md's targets: a 1M-row, 100 MB French CSV ingests at >= 0.7x the speed of raw DuckDB
``read_csv`` -> Parquet on the same file and >= 25x sqlite-utils; a 5 GB CSV ingests with a
peak RSS under 1 GB. ``bench/README.md`` says how to run it; ``docs/benchmarks.md`` holds
the figures.

Each measurement runs in a fresh child process, timed inside it (imports excluded); the
three contenders take turns, so a load from elsewhere falls on all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import french_csv  # noqa: E402  (the bench folder is not a package)

SMALL_ROWS = 1_000_000
ROW_BYTES = 111  # about, in the generated file
MEMORY_GB = 5
FREE_DISK_NEEDED = 15 * 10**9
RSS_TARGET = 10**9

# Raw DuckDB, told everything: dialect, encoding, decimal comma, date format and each
# column's type (codes as text), so that it does no sniffing and writes the same types.
RAW_COLUMNS = {
    "Code INSEE": "VARCHAR",
    "Commune": "VARCHAR",
    "Code postal": "VARCHAR",
    "SIRET": "VARCHAR",
    "Date de création": "DATE",
    "Montant": "DOUBLE",
    "Surface (km²)": "DOUBLE",
    "Population": "BIGINT",
    "Catégorie": "VARCHAR",
    "Libellé": "VARCHAR",
}


def raw_duckdb_sql(source: Path, dest: Path, parquet_options: str = "FORMAT parquet") -> str:
    columns = ", ".join(f"'{name}': '{type_}'" for name, type_ in RAW_COLUMNS.items())
    return (
        f"COPY (SELECT * FROM read_csv('{source}', auto_detect = false, header = true,"
        " delim = ';', quote = '\"', escape = '\"', encoding = 'latin-1',"
        " decimal_separator = ',', dateformat = '%d/%m/%Y',"
        f" columns = {{{columns}}})) TO '{dest}' ({parquet_options})"
    )


# Children: one ingestion each, printing what they measured as JSON.


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_raw(source: Path, dest: Path, *, tuned: bool = False) -> dict[str, Any]:
    """Raw DuckDB with its default Parquet options, or (``tuned``) with ours."""
    import duckdb

    from territoria.datastore.readers.csv import PARQUET_OPTIONS

    con = duckdb.connect()
    sql = raw_duckdb_sql(source, dest, PARQUET_OPTIONS if tuned else "FORMAT parquet")
    start, cpu = time.perf_counter(), _cpu_seconds()
    row = con.execute(sql).fetchone()
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": int(row[0]) if row else 0}


def child_ours(source: Path, dest: Path, *, exact: bool = False) -> dict[str, Any]:
    """Our reader; with ``exact``, forced onto its exact path (what a file whose late value
    breaks the sample's types costs)."""
    from territoria.datastore.readers import csv as csv_reader
    from territoria.datastore.readers import read_to_parquet

    if exact:
        csv_reader._read_in_one_pass = lambda *args: None

    work = Path(tempfile.mkdtemp(prefix="work-", dir=dest.parent))
    try:
        start, cpu = time.perf_counter(), _cpu_seconds()
        result = read_to_parquet(source, dest, work_dir=work)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)
    types = {f["name"]: f["type"] for f in result.schema["fields"]}
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": result.row_count, "types": types}


def run_child(kind: str, source: Path, dest: Path) -> dict[str, Any]:
    """Run one measurement in a child process; adds its peak RSS (bytes)."""
    with tempfile.TemporaryFile() as out:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, __file__, "--child", kind, str(source), str(dest)],
            dict(os.environ),
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
        )
        _, status, usage = os.wait4(pid, 0)
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed: {text}")
    result: dict[str, Any] = json.loads(text)
    result["peak_rss"] = usage.ru_maxrss * 1024  # kilobytes on Linux
    return result


def run_sqlite_utils(source: Path, folder: Path) -> dict[str, Any]:
    """Datasette's way in: ``sqlite-utils insert --csv`` detecting types, timed as a command."""
    database = folder / "bench.db"
    database.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).with_name("sqlite-utils")),
        "insert",
        str(database),
        "rows",
        str(source),
        "--csv",
        "--delimiter",
        ";",
        "--encoding",
        "latin-1",
    ]  # types are detected by default since sqlite-utils 4 (``--detect-types`` before)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    database.unlink()
    return {"seconds": seconds}


# The runs.


def timing(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    summary = {
        "best": min(seconds),
        "median": statistics.median(seconds),
        "runs": [round(s, 3) for s in seconds],
    }
    if all("cpu_seconds" in r for r in runs):  # user + system, all threads: the work done
        summary["cpu_seconds"] = [round(r["cpu_seconds"], 3) for r in runs]
    return summary


def machine() -> dict[str, Any]:
    import duckdb

    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "kernel": platform.release(),
    }


def ensure_csv(path: Path, rows: int) -> Path:
    if not path.exists():
        print(f"generating {path} ({rows:,} rows)…", flush=True)
        french_csv.write_csv(path, rows)
    return path


def bench_speed(folder: Path, rows: int, runs: int, sqlite: bool) -> dict[str, Any]:
    source = ensure_csv(folder / f"french-{rows}.csv", rows)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {
        "raw": [],
        "ours": [],
        "raw_tuned": [],
        "ours_exact": [],
        "sqlite_utils": [],
    }
    loads = [os.getloadavg()]
    for turn in range(runs):
        for kind in ("raw", "ours", "raw_tuned", "ours_exact"):
            results[kind].append(run_child(kind, source, out / f"{kind}.parquet"))
            loads.append(os.getloadavg())
        if sqlite:
            results["sqlite_utils"].append(run_sqlite_utils(source, out))
            loads.append(os.getloadavg())
        line = ", ".join(f"{k} {v[-1]['seconds']:.3f} s" for k, v in results.items() if v)
        print(f"turn {turn + 1}/{runs}: {line}", flush=True)
    report: dict[str, Any] = {
        "file": {"path": str(source), "bytes": source.stat().st_size, "rows": rows},
        "raw_duckdb": timing(results["raw"]),
        "ours": timing(results["ours"]),
        "raw_duckdb_with_our_parquet_options": timing(results["raw_tuned"]),
        "ours_exact_path": timing(results["ours_exact"]),
        "ours_types": results["ours"][-1]["types"],
        "load_average_1min": [round(load[0], 2) for load in loads],
    }
    for kind in ("raw", "ours", "raw_tuned", "ours_exact"):
        counted = {r["rows"] for r in results[kind]}
        assert counted == {rows}, f"{kind} wrote {counted} rows, expected {rows}"
    ours, raw = report["ours"], report["raw_duckdb"]
    report["ratio_vs_raw"] = {
        "best": raw["best"] / ours["best"],
        "median": raw["median"] / ours["median"],
    }
    tuned = report["raw_duckdb_with_our_parquet_options"]
    report["ratio_vs_raw_with_our_parquet_options"] = {
        "best": tuned["best"] / ours["best"],
        "median": tuned["median"] / ours["median"],
    }
    if sqlite:
        report["sqlite_utils"] = timing(results["sqlite_utils"])
        peer = report["sqlite_utils"]
        report["ratio_vs_sqlite_utils"] = {
            "best": peer["best"] / ours["best"],
            "median": peer["median"] / ours["median"],
        }
    return report


def bench_memory(folder: Path, gigabytes: float) -> dict[str, Any]:
    rows = int(gigabytes * 10**9 / ROW_BYTES)
    source = folder / f"french-{rows}.csv"
    free = shutil.disk_usage(folder).free
    needed = FREE_DISK_NEEDED if not source.exists() else FREE_DISK_NEEDED - source.stat().st_size
    if free < needed:
        return {"skipped": f"{free / 1e9:.1f} GB free, {needed / 1e9:.1f} GB needed"}
    ensure_csv(source, rows)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    report: dict[str, Any] = {"file": {"path": str(source), "bytes": source.stat().st_size}}
    for kind in ("ours", "raw", "ours_exact"):
        load = os.getloadavg()[0]
        result = run_child(kind, source, out / f"{kind}-big.parquet")
        report[kind] = {
            "seconds": round(result["seconds"], 1),
            "cpu_seconds": round(result["cpu_seconds"], 1),
            "rows": result["rows"],
            "peak_rss_mb": round(result["peak_rss"] / 2**20),
            "load_average_1min": round(load, 2),
        }
        print(f"{kind}: {report[kind]}", flush=True)
        (out / f"{kind}-big.parquet").unlink(missing_ok=True)
    for kind in ("ours", "ours_exact"):
        report[kind]["under_target"] = report[kind]["peak_rss_mb"] * 2**20 < RSS_TARGET
    return report


def print_speed(report: dict[str, Any]) -> None:
    size = report["file"]["bytes"] / 1e6
    print(f"\nfile: {report['file']['rows']:,} rows, {size:.1f} MB")
    rows = [
        ("raw DuckDB", report["raw_duckdb"]),
        ("ours", report["ours"]),
        ("raw, our opts", report["raw_duckdb_with_our_parquet_options"]),
        ("ours, exact", report["ours_exact_path"]),
    ]
    if "sqlite_utils" in report:
        rows.append(("sqlite-utils", report["sqlite_utils"]))
    for name, t in rows:
        print(f"{name:14s} best {t['best']:7.3f} s  median {t['median']:7.3f} s  runs {t['runs']}")
        if "cpu_seconds" in t:
            print(f"{'':14s} CPU seconds (user + system) {t['cpu_seconds']}")
    ratio = report["ratio_vs_raw"]
    print(f"ours / raw DuckDB speed: best {ratio['best']:.2f}x, median {ratio['median']:.2f}x")
    ratio = report["ratio_vs_raw_with_our_parquet_options"]
    best, median = ratio["best"], ratio["median"]
    print(f"ours / raw DuckDB with our Parquet options: best {best:.2f}x, median {median:.2f}x")
    if "ratio_vs_sqlite_utils" in report:
        ratio = report["ratio_vs_sqlite_utils"]
        best, median = ratio["best"], ratio["median"]
        print(f"ours / sqlite-utils speed: best {best:.1f}x, median {median:.1f}x")
    print(f"load average (1 min) along the runs: {report['load_average_1min']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--rows", type=int, default=SMALL_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sqlite", action="store_true", help="skip sqlite-utils (slow)")
    parser.add_argument("--memory", action="store_true", help="the 5 GB peak-RSS measurement")
    parser.add_argument("--gigabytes", type=float, default=MEMORY_GB)
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "SOURCE", "DEST"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        kind, source, dest = args.child
        if kind in ("ours", "ours_exact"):
            measured = child_ours(Path(source), Path(dest), exact=kind == "ours_exact")
        else:
            measured = child_raw(Path(source), Path(dest), tuned=kind == "raw_tuned")
        print(json.dumps(measured))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
    }
    if args.memory:
        report["memory"] = bench_memory(args.dir, args.gigabytes)
    else:
        report["speed"] = bench_speed(args.dir, args.rows, args.runs, not args.no_sqlite)
        print_speed(report["speed"])
    name = "memory" if args.memory else "speed"
    saved = args.dir / f"results-{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    saved.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nsaved {saved}")


if __name__ == "__main__":
    main()
