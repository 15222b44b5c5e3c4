"""`territoria worker [--workers N] [--no-periodic]`: run the queued jobs (decision 0011).

In production the queue is Redis (``TERRITORIA_REDIS_URL``) and workers run on as many
machines as needed; with the embedded default (a SQLite queue), ``territoria serve`` already
runs one, and a worker is only needed to add threads on the same machine. Ctrl-C stops after
the running jobs; a killed worker's jobs are recovered by the others (``recover_stale_jobs``).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from territoria.ingest.job_recovery import recover_stale_jobs
from territoria.ingest.tasks import create_consumer


class Command(BaseCommand):
    help = "Run background jobs (ingestions, URL source refreshes) from the job queue."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="jobs run at once (threads)")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not schedule the periodic tasks (another worker does)",
        )

    def handle(self, *args, workers: int, no_periodic: bool, **options):
        recovered = recover_stale_jobs()
        queue = "Redis" if settings.REDIS_URL else f"SQLite ({settings.HOME / 'jobs.sqlite3'})"
        self.stdout.write(
            f"Territoria worker: queue {settings.JOBS_QUEUE!r} on {queue}, {workers} thread(s)"
            + (f"; {len(recovered)} interrupted job(s) recovered" if recovered else "")
        )
        self.stdout.flush()
        create_consumer(workers=max(1, workers), periodic=not no_periodic).run()
