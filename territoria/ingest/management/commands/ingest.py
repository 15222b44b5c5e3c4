"""`territoria ingest FILE --dataset SLUG [--org SLUG] [--title T] [--access LEVEL]`.

The ingestion is a job like any other (``/api/1/jobs`` shows it), run in this process: a
progress bar on a terminal, a plain line per stage (and every few seconds) otherwise; on
failure, exit code 1 and the one-line reason on stderr. ``--background`` queues it for the
workers instead and prints the job's number.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territoria.catalog.enums import AccessLevel
from territoria.datastore.progress import Snapshot
from territoria.ingest.file_jobs import do_enqueue_ingest
from territoria.ingest.job_recovery import recover_stale_jobs
from territoria.ingest.jobs import run_job
from territoria.ingest.models import JobStatus

BAR_WIDTH = 24
PLAIN_EVERY_SECONDS = 10.0
PLAIN_EVERY_PERCENT = 25.0
STAGES = {"checksum": "checking", "read": "reading", "transform": "processing"}


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
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the job for the workers (territoria serve or worker) and return",
        )

    def handle(self, *args, file: Path, dataset: str, org, title, access, no_publish, **opts):
        recover_stale_jobs()  # e.g. the job of an earlier `territoria ingest` that was killed
        arguments = {"org_slug": org, "title": title, "access": access, "publish": not no_publish}
        if opts["background"]:
            job = do_enqueue_ingest(
                file.resolve(), dataset_slug=dataset, own_file=False, **arguments
            )
            self.stdout.write(f"job {job.pk} queued")
            return
        job = do_enqueue_ingest(file.resolve(), dataset_slug=dataset, queued=False, **arguments)
        progress = ProgressDisplay(self.stdout)
        try:
            job = run_job(job.pk, on_progress=progress.show)
        finally:
            progress.close()
        if job is None or job.status == JobStatus.CANCELLED:
            raise CommandError("cancelled")
        if job.status != JobStatus.SUCCEEDED:
            # CommandError prints one line on stderr and exits 1.
            raise CommandError(job.error)
        result = job.result
        state = "published" if result["published"] else "staged"
        self.stdout.write(
            f"{result['dataset']}: version {result['version']} {state}, "
            f"{result['row_count']} rows, {result['columns']} columns"
        )
        if result.get("held"):  # staged, not published: personal data to review (0023)
            self.stdout.write(result["held"])


class ProgressDisplay:
    """A bar redrawn in place on a terminal; elsewhere (a log, a pipe) a plain line when a
    stage starts, then every ``PLAIN_EVERY_PERCENT`` or ``PLAIN_EVERY_SECONDS``. Called
    from the progress thread."""

    def __init__(self, out):
        self.out = out
        self.tty = out.isatty()
        self.drawn = False
        self.last_stage = ""
        self.last_line = 0.0
        self.last_percent = 0.0

    def show(self, snapshot: Snapshot) -> None:
        if not snapshot.stage or snapshot.stage == "checks":
            return
        if self.tty:
            self.out.write("\r\033[K" + describe(snapshot, bar=True), ending="")
            self.out.flush()
            self.drawn = True
            return
        now, percent = time.monotonic(), (snapshot.fraction or 0.0) * 100
        if (
            snapshot.stage != self.last_stage
            or now - self.last_line >= PLAIN_EVERY_SECONDS
            or percent - self.last_percent >= PLAIN_EVERY_PERCENT
        ):
            self.last_stage, self.last_line, self.last_percent = snapshot.stage, now, percent
            self.out.write(describe(snapshot, bar=False))
            self.out.flush()

    def close(self) -> None:
        if self.drawn:
            self.out.write("\r\033[K", ending="")
            self.out.flush()


def describe(snapshot: Snapshot, *, bar: bool) -> str:
    """``reading [#######·····]  48%  52.1 MB of 108.0 MB, ~500,000 rows, ~3 s left``."""
    stage = STAGES.get(snapshot.stage, snapshot.stage)
    parts = []
    if snapshot.bytes_total:
        parts.append(f"{_size(snapshot.bytes_done)} of {_size(snapshot.bytes_total)}")
    if snapshot.rows_done:
        parts.append(f"{'~' if snapshot.rows_estimated else ''}{snapshot.rows_done:,} rows")
    if snapshot.eta_seconds is not None:
        parts.append(f"~{max(1, round(snapshot.eta_seconds))} s left")
    fraction = snapshot.fraction
    percent = f"{fraction * 100:3.0f}%" if fraction is not None else ""
    if bar:
        filled = round((fraction or 0) * BAR_WIDTH)
        gauge = "[" + "#" * filled + "·" * (BAR_WIDTH - filled) + "]"
        return "  ".join(p for p in (f"{stage:<10}", gauge, percent, ", ".join(parts)) if p)
    details = ", ".join(parts)
    return (
        stage + (f": {percent.strip()}" if percent else "") + (f" ({details})" if details else "")
    )


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"
