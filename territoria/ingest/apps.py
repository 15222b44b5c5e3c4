from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "territoria.ingest"
    label = "ingest"

    def ready(self) -> None:
        # The job kinds register themselves on import (jobs.job_kind): a worker must know
        # every kind before it runs its first job, whichever module queued it.
        from territoria.ingest import file_jobs, source_jobs  # noqa: F401
