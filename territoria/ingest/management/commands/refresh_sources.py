"""`territoria refresh-sources [--dataset SLUG] [--force] [--background]`: refresh the URL
sources that are due.

Each refresh is a job (``/api/1/jobs`` and ``/taches/`` show it), run in this process, retries
included (it waits out their back-off), as `territoria ingest` runs its own; ``--background``
queues the jobs for the workers instead. A source whose refresh job is already waiting or
running is left to it.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from territoria.catalog.models import Dataset
from territoria.ingest.job_recovery import recover_stale_jobs
from territoria.ingest.jobs import run_job
from territoria.ingest.models import Job, JobStatus
from territoria.ingest.source_jobs import do_enqueue_due_sources, refresh_outcome


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
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the jobs for the workers (territoria serve or worker) and return",
        )

    def handle(self, *args, dataset, force, background, **options):
        if dataset is not None and not Dataset.objects.filter(slug=dataset).exists():
            raise CommandError(f"no dataset {dataset!r}")
        recover_stale_jobs()  # e.g. the jobs of an earlier run that was killed
        jobs = do_enqueue_due_sources(dataset_slug=dataset, force=force, queued=background)
        if not jobs:
            self.stdout.write("no source is due")
            return
        if background:
            for job in jobs:
                self.stdout.write(f"{job.params['dataset_slug']}: job {job.pk} queued")
            return
        outcomes = [refresh_outcome(self.run_with_retries(job)) for job in jobs]
        for outcome in outcomes:
            detail = outcome.version or outcome.error
            self.stdout.write(f"{outcome.dataset}: {outcome.state}{': ' if detail else ''}{detail}")
        failed = [o for o in outcomes if o.state not in ("published", "unchanged", "skipped")]
        if failed:
            # CommandError: one line on stderr, exit code 1, for cron and CI alike.
            raise CommandError(f"{len(failed)} of {len(outcomes)} sources failed")

    def run_with_retries(self, job: Job) -> Job:
        """Run ``job`` here until it ends, waiting out the back-off between attempts."""
        while True:
            ran = run_job(job.pk)
            job = ran if ran is not None else Job.objects.get(pk=job.pk)
            if job.status != JobStatus.QUEUED or job.next_attempt_at is None:
                return job
            wait = (job.next_attempt_at - timezone.now()).total_seconds()
            self.stdout.write(f"{job.params['dataset_slug']}: {job.error}; again in {wait:.0f} s")
            time.sleep(max(0.0, wait))
