"""`territoria serve [--port N]`: serve portal and APIs with waitress (PORT overrides 8000)."""

import os

from django.core.management.base import BaseCommand


def serve(host: str, port: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from territoria.wsgi import application

    stdout.write(f"Territoria on http://{host}:{port}/ (Ctrl-C to stop)")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=8, ident="territoria")


class Command(BaseCommand):
    help = "Serve the portal and the APIs (multi-threaded WSGI server, static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("TERRITORIA_HOST", "127.0.0.1"))

    def handle(self, *args, port: int, host: str, **options):
        serve(host, port, self.stdout)
