"""``territoria harvest [--source ID] [--due]``: run harvests now, print their reports."""

from django.core.management.base import BaseCommand, CommandError

from territoria.ingest.harvest.models import HarvestSource, RunStatus
from territoria.ingest.harvest.run import do_harvest, do_harvest_due


class Command(BaseCommand):
    help = "Harvest other portals: one source (--source ID), those due (--due), or all active."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="id of the source to harvest")
        parser.add_argument("--due", action="store_true", help="only the sources that are due")

    def handle(self, *args, source=None, due=False, **options):
        if source is not None:
            found = HarvestSource.objects.filter(pk=source).first()
            if found is None:
                raise CommandError(f"no harvest source {source}")
            runs = [do_harvest(found)]
        elif due:
            runs = do_harvest_due()
        else:
            runs = [do_harvest(s) for s in HarvestSource.objects.filter(active=True)]
        failed = False
        for run in runs:
            if run is None:
                self.stdout.write("skipped: another run of this source is under way")
                continue
            failed |= run.status == RunStatus.FAILED
            self.stdout.write(
                f"{run.source}: {run.status} — {run.created} created, {run.updated} updated, "
                f"{run.unchanged} unchanged, {run.removed} removed, {run.failed} failed"
            )
            for failure in run.failures:
                self.stdout.write(f"  {failure['slug'] or failure['remote_id'] or '-'}: "
                                  f"{failure['reason']}")  # fmt: skip
        if failed:
            raise CommandError("a harvest failed")
