"""Fixtures of the portal tests: catalog entries made without ingestion, signed-in clients."""

import pytest


@pytest.fixture
def make_dataset(db, make_org):
    """Create a catalogued dataset (metadata only, no version) and index it for search."""
    from territoria.catalog.models import Dataset
    from territoria.catalog.search import index_dataset

    def make(slug, title=None, access="open", org="region-grand-est", **metadata):
        organisation = make_org(slug=org, name=org.replace("-", " ").title())
        dataset = Dataset.objects.create(
            slug=slug,
            title=title or slug.replace("-", " ").capitalize(),
            organisation=organisation,
            access_level=access,
            **metadata,
        )
        index_dataset(dataset)
        return dataset

    return make


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def citizen_client(client, plain_user):
    client.force_login(plain_user)
    return client
