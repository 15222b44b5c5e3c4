"""`territoria ingest FILE --dataset SLUG [--org SLUG] [--title T] [--access LEVEL]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territoria.catalog.enums import AccessLevel
from territoria.ingest.services import IngestionFailed, do_ingest_file


class Command(BaseCommand):
    help = "Ingest a file as a new published version of a dataset (created if new)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dataset", required=True, help="dataset slug")
        parser.add_argument("--org", help="publishing organisation slug (to create a dataset)")
        parser.add_argument("--title", help="dataset title")
        parser.add_argument("--access", choices=AccessLevel.values, help="access level")
        parser.add_argument(
            "--no-publish", action="store_true", help="stage the version without publishing"
        )

    def handle(self, *args, file: Path, dataset: str, org, title, access, no_publish, **opts):
        try:
            outcome = do_ingest_file(
                file,
                dataset_slug=dataset,
                org_slug=org,
                title=title,
                access=access,
                publish=not no_publish,
            )
        except IngestionFailed as error:
            # CommandError prints one line on stderr and exits 1.
            raise CommandError(str(error)) from None
        version = outcome.version
        state = "published" if outcome.published else "staged"
        self.stdout.write(
            f"{outcome.dataset.slug}: version {version.key} {state}, "
            f"{version.row_count} rows, {len(version.schema.get('fields', []))} columns"
        )
