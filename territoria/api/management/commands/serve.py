"""`territoria serve [--port N] [--processes N] [--no-worker]`: serve portal and APIs with
waitress (PORT overrides 8000), and run the queued jobs in the same process unless Redis
holds the queue.

With ``--processes N`` (or ``TERRITORIA_WEB_PROCESSES``) the parent binds the socket once and
forks N servers that accept on it: the kernel spreads connections across them, so the
records API uses every core (one Python process is bound to one core by the GIL; measured in
docs/benchmarks.md). The job runner then lives in the first of them only.
"""

import contextlib
import os
import signal
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

THREADS_PER_PROCESS = 8


def _jobs_here(jobs: bool | None) -> bool:
    return jobs if jobs is not None else not settings.REDIS_URL


def _serve_on(sock: socket.socket | None, host: str, port: int, *, jobs: bool) -> None:
    """Serve on ``sock`` (or bind ``host:port``) until interrupted; run jobs too if ``jobs``."""
    from waitress import serve as waitress_serve

    from territoria.wsgi import application

    consumer = None
    if jobs:
        from territoria.ingest.tasks import start_embedded_worker

        consumer = start_embedded_worker()
    where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    try:
        waitress_serve(application, threads=THREADS_PER_PROCESS, ident="territoria", **where)
    finally:
        if consumer is not None:
            consumer.stop()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _fork_server(sock: socket.socket, index: int, jobs: bool) -> int:
    """Fork one server process; returns its pid (in the parent)."""
    pid = os.fork()
    if pid == 0:  # the child: serve until killed, never return into the parent's code
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _serve_on(sock, "", 0, jobs=jobs and index == 0)
        except KeyboardInterrupt:
            pass
        except BaseException:  # noqa: BLE001 - reported, then the parent restarts this server
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def serve_processes(sock: socket.socket, count: int, *, jobs: bool) -> None:
    """Fork ``count`` servers on ``sock`` and keep them running until SIGINT/SIGTERM.

    Precondition: no database connection or DuckDB database is open yet (they must not be
    shared across a fork), which holds at the start of the command.
    """
    connections.close_all()
    children = {_fork_server(sock, index, jobs): index for index in range(count)}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, _status = os.wait()
        except ChildProcessError:
            break
        index = children.pop(pid, None)
        if index is not None and not stopping:  # a server died: start another in its place
            children[_fork_server(sock, index, jobs)] = index


def serve(host: str, port: int, stdout, *, jobs: bool | None = None, processes: int = 1) -> None:
    """Serve until Ctrl-C; with ``jobs`` (default: unless Redis holds the queue), the job
    queue is consumed by threads of this process too (no worker to start, decision 0011)."""
    stdout.write(
        f"Territoria on http://{host}:{port}/ "
        f"({processes} process{'es' if processes > 1 else ''}; Ctrl-C to stop)"
    )
    stdout.flush()
    if processes == 1:
        _serve_on(None, host, port, jobs=_jobs_here(jobs))
        return
    serve_processes(_bind(host, port), processes, jobs=_jobs_here(jobs))


class Command(BaseCommand):
    help = "Serve the portal and the APIs (multi-threaded WSGI server, static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("TERRITORIA_HOST", "127.0.0.1"))
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("TERRITORIA_WEB_PROCESSES", "1")),
            help="server processes sharing the port (one per core uses every core)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run jobs here (default with TERRITORIA_REDIS_URL: `territoria worker`)",
        )

    def handle(self, *args, port: int, host: str, processes: int, no_worker: bool, **options):
        if processes < 1:
            raise CommandError("--processes: at least 1")
        if processes > 1 and not hasattr(os, "fork"):
            raise CommandError(f"--processes {processes}: needs fork(), absent on {sys.platform}")
        serve(host, port, self.stdout, jobs=False if no_worker else None, processes=processes)
