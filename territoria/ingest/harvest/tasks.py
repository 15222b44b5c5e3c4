"""The harvest schedule: a periodic task on the job queue of ``ingest/tasks.py``.

Imported when the app is ready (``apps.py``), so every worker knows it. Every ten minutes
(at :05, :15…) the sources whose frequency has passed are harvested, one after the other,
each run bounded by ``TERRITORIA_HARVEST_RUN_SECONDS``; their tables are read by refresh jobs.
"""

from __future__ import annotations

from huey import crontab

from territoria.ingest.tasks import _database_connections, huey


# At :05, :15… — off the top of the hour, when hourly URL sources all fall due at once.
@huey.periodic_task(crontab(minute="5-59/10"), name="territoria.harvest_due_sources")
@huey.lock_task("territoria.harvest_due_sources")  # one harvest at a time, whatever the workers
def harvest_due_sources_task() -> None:
    from territoria.ingest.harvest.run import do_harvest_due

    with _database_connections():
        do_harvest_due()
