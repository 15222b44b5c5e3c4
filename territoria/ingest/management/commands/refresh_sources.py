"""`territoria refresh-sources [--dataset SLUG] [--force]`: fetch the URL sources that are due."""

from django.core.management.base import BaseCommand, CommandError

from territoria.catalog.models import Dataset
from territoria.ingest.sources import refresh_due_sources


class Command(BaseCommand):
    help = (
        "Fetch the URL sources that are due and publish those whose content changed; "
        "alert the producers of sources that fail or are late."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", help="only the source of this dataset (slug)")
        parser.add_argument(
            "--force", action="store_true", help="fetch even if not due (still conditional)"
        )

    def handle(self, *args, dataset, force, **options):
        if dataset is not None and not Dataset.objects.filter(slug=dataset).exists():
            raise CommandError(f"no dataset {dataset!r}")
        outcomes = refresh_due_sources(dataset_slug=dataset, force=force)
        for outcome in outcomes:
            detail = outcome.version or outcome.error
            self.stdout.write(f"{outcome.dataset}: {outcome.state}{': ' if detail else ''}{detail}")
        if not outcomes:
            self.stdout.write("no source is due")
        failed = [o for o in outcomes if o.state == "failed"]
        if failed:
            # CommandError: one line on stderr, exit code 1, for cron and CI alike.
            raise CommandError(f"{len(failed)} of {len(outcomes)} sources failed")
