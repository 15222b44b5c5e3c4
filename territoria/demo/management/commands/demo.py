"""`territoria demo [--no-serve] [--port N]`: migrate, load the Grand Est demo region, serve it."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from territoria.api.management.commands.serve import serve
from territoria.demo.loader import DemoSummary, load_demo_region, thousands
from territoria.demo.referential import ReferentialMissing
from territoria.ingest.services import IngestionFailed

HOST = "127.0.0.1"  # the demo has known passwords: never listen beyond this machine


class Command(BaseCommand):
    help = (
        "Load the demo region (Région Grand Est: INSEE referential and synthetic datasets), "
        "then serve it on 127.0.0.1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load, print, and stop")
        parser.add_argument(
            "--port", type=int, default=None, help="port to serve on (default: $PORT or 8000)"
        )

    def handle(self, *args, no_serve: bool, port: int | None, **options):
        port = port or int(os.environ.get("PORT", "8000"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Chargement de la région de démonstration Grand Est…")
        try:
            summary = load_demo_region(stdout=self.stdout)
        except (ReferentialMissing, IngestionFailed) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_summary(summary, f"http://{HOST}:{port}"))
        if not no_serve:
            serve(HOST, port, self.stdout)


def format_summary(summary: DemoSummary, base_url: str) -> str:
    """The lines a visitor needs: what was loaded, where to look, where to query."""
    lines = [
        "",
        f"{len(summary.datasets)} jeux de données, {thousands(summary.rows)} lignes, "
        f"{summary.new_versions} nouvelle(s) version(s), "
        f"{thousands(summary.territories)} territoires, en {summary.seconds:.1f} s.",
        "",
        f"  {'jeu de données':<42} {'producteur':<28} {'accès':<9} {'lignes':>9}",
    ]
    for d in summary.datasets:
        kind = "" if d.synthetic else "  (réel)"
        lines.append(
            f"  {d.slug:<42} {d.organisation:<28} {d.access:<9} {thousands(d.rows):>9}{kind}"
        )
    lines += [
        "",
        f"Portail            {base_url}/",
        f"Jeux de données    {base_url}/jeux-de-donnees/",
        f"API Explore v2.1   {base_url}/api/explore/v2.1/catalog/datasets",
        f"Exemple            {base_url}/api/explore/v2.1/catalog/datasets/communes-grand-est/"
        "records?select=departement%2Ccount(*)%20as%20n&group_by=departement",
        f"Administration     {base_url}/admin/ (comptes « steward » et « admin »)",
        "",
    ]
    return "\n".join(lines)
