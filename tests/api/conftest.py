"""The region of ``tests/governance/world.py``, for the API's generated tests too."""

from tests.governance.conftest import world, world_datastore  # noqa: F401 - fixtures
