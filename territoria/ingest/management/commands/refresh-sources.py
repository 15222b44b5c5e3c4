"""`territoria refresh-sources`: the stable, hyphenated name of ``refresh_sources``."""

from territoria.ingest.management.commands.refresh_sources import Command

__all__ = ["Command"]
