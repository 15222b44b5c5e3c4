"""The job queue (Huey) and its tasks: a queued job is one ``run_job_task(job_id)`` message.

Embedded default: the queue is a SQLite file in ``TERRITORIA_HOME`` and ``territoria serve``
consumes it in threads of its own process (``start_embedded_worker``); production:
``TERRITORIA_REDIS_URL`` and ``territoria worker`` processes on any machine (decision 0011).

The queue carries job ids only: the ``Job`` row is the state users see, so a message lost
with a killed worker costs nothing that ``recover_stale_jobs`` cannot put right.

The Huey instance is built when this module is first imported (its tasks are registered on
it), which happens after the settings are loaded: Django imports it with the app.
"""

from __future__ import annotations

import logging
import signal
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer

logger = logging.getLogger(__name__)


def build_huey() -> Huey:
    """The queue the settings name: Redis when ``TERRITORIA_REDIS_URL`` is set, else SQLite."""
    if settings.REDIS_URL:
        return RedisHuey(settings.JOBS_QUEUE, url=settings.REDIS_URL)
    return SqliteHuey(settings.JOBS_QUEUE, filename=str(settings.HOME / "jobs.sqlite3"))


huey = build_huey()


@contextmanager
def _database_connections():
    """A task runs in a worker thread: it starts on a sound connection and closes it at the
    end (jobs are long and few; an idle worker thread holds no connection). Run inline inside
    a caller's transaction, by an immediate queue, it leaves that one alone."""
    if connection.in_atomic_block:
        yield
        return
    close_old_connections()
    try:
        yield
    finally:
        connection.close()


@huey.task(name="territoria.run_job")
def run_job_task(job_id: int) -> None:
    from territoria.ingest.jobs import run_job

    with _database_connections():
        run_job(job_id)


@huey.periodic_task(crontab(minute="*"), name="territoria.refresh_sources")
@huey.lock_task("territoria.refresh_sources")  # one refresh at a time, whatever the workers
def refresh_sources_task() -> None:
    """Every minute: queue a refresh job for each URL source that is due and has none
    waiting (``ingest/source_jobs.py``); the jobs fetch, the workers run them."""
    from territoria.ingest.source_jobs import do_enqueue_due_sources

    with _database_connections():
        do_enqueue_due_sources()


@huey.periodic_task(crontab(minute="*"), name="territoria.recover_stale_jobs")
def recover_stale_jobs_task() -> None:
    """Every minute: jobs whose worker died are failed, or queued again."""
    from territoria.ingest.job_recovery import recover_stale_jobs

    with _database_connections():
        recover_stale_jobs()


def create_consumer(*, workers: int = 1, periodic: bool = True) -> Consumer:
    """A Huey consumer of this queue, running jobs in threads."""
    # SQLite is polled: at most a second between two looks (Huey's default backs off to 10 s,
    # which a producer watching the job page would notice). Redis blocks on its list instead.
    return huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        check_worker_health=True,
        max_delay=1.0,
    )


def start_embedded_worker(*, workers: int = 1, periodic: bool = True) -> Consumer:
    """Consume the queue in threads of this process (``territoria serve``); returns the
    consumer, to ``stop`` it. Precondition: called from the main thread.

    Huey's consumer installs its signal handlers for a process of its own; the web server's
    (Ctrl-C stops it) are put back.
    """
    from territoria.ingest.job_recovery import recover_stale_jobs

    recover_stale_jobs()
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = create_consumer(workers=workers, periodic=periodic)
    try:
        consumer.start()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    return consumer
