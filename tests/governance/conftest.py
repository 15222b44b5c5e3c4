"""Fixtures of the governance tests: the module-scoped region of ``world.py``, signed-in clients.

Building the region ingests four datasets; the route inventory sends a few thousand requests
to it, so it is built once per module, inside a transaction rolled back at the module's end
(each test still runs in its own savepoint, see pytest-django's ``db``).
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.governance.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    with django_db_blocker.unblock(), override_settings(DATASTORE_ROOT=root), transaction.atomic():
        yield build_world(root)
        transaction.set_rollback(True)


@pytest.fixture
def world_datastore(world, settings):
    """Point the datastore at the world's versions (use instead of ``_isolated_datastore``)."""
    settings.DATASTORE_ROOT = world.root
    return world.root


@pytest.fixture
def client_as(world, db):
    """``client_as(role)``: a test client signed in as the world's user of ``role``."""

    def make(role: str) -> Client:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return make
