"""`territoria serve [--port N] [--no-worker]`: serve portal and APIs with waitress (PORT
overrides 8000), and run the queued jobs in the same process unless Redis holds the queue."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand


def serve(host: str, port: int, stdout, *, jobs: bool | None = None) -> None:
    """Serve until Ctrl-C; with ``jobs`` (default: unless Redis holds the queue), the job
    queue is consumed by threads of this process too (no worker to start, decision 0011)."""
    from waitress import serve as waitress_serve

    from territoria.wsgi import application

    consumer = None
    if jobs if jobs is not None else not settings.REDIS_URL:
        from territoria.ingest.tasks import start_embedded_worker

        consumer = start_embedded_worker()
    stdout.write(f"Territoria on http://{host}:{port}/ (Ctrl-C to stop)")
    stdout.flush()
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="territoria")
    finally:
        if consumer is not None:
            consumer.stop()


class Command(BaseCommand):
    help = "Serve the portal and the APIs (multi-threaded WSGI server, static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("TERRITORIA_HOST", "127.0.0.1"))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run jobs here (default with TERRITORIA_REDIS_URL: `territoria worker`)",
        )

    def handle(self, *args, port: int, host: str, no_worker: bool, **options):
        serve(host, port, self.stdout, jobs=False if no_worker else None)
