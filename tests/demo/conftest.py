"""Fixtures of the demo tests: the INSEE referential, and one demo load shared by a module."""

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_VARIABLE = "TERRITORIA_REQUIRE_REFERENTIAL"


@pytest.fixture(scope="session")
def referential_archive() -> Path:
    """The archive fetched by `make demo`; skip (or fail, in CI) when it is absent."""
    from django.conf import settings

    from territoria.demo.referential import is_intact

    path = Path(settings.REFERENTIAL_ARCHIVE)
    if is_intact(path):
        return path
    message = (
        f"INSEE referential not found (or altered) at {path}: "
        "run `.venv/bin/python -m territoria.demo.referential fetch` (or `make demo`)"
    )
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def centres_archive() -> Path:
    """The GeoNames archive fetched by `make demo`; skip (or fail, in CI) when it is absent."""
    from django.conf import settings

    from territoria.demo.referential import CENTRES_INTEGRITY, is_intact

    path = Path(settings.CENTRES_ARCHIVE)
    if is_intact(path, CENTRES_INTEGRITY):
        return path
    message = (
        f"GeoNames commune centres not found (or altered) at {path}: "
        "run `.venv/bin/python -m territoria.demo.referential fetch-centres` (or `make demo`)"
    )
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def ref(referential_archive):
    from territoria.demo.referential import load_referential

    return load_referential(referential_archive)


@pytest.fixture(scope="session")
def demo_datastore(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-datastore")


@pytest.fixture(autouse=True)
def _isolated_datastore(request, demo_datastore):
    """Overrides the project-wide fixture: demo tests read the versions the shared load wrote."""
    uses_db = {"db", "transactional_db", "client", "admin_client"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not uses_db:
        yield None
        return
    settings = request.getfixturevalue("settings")
    settings.DATASTORE_ROOT = demo_datastore
    yield demo_datastore


@pytest.fixture(autouse=True)
def _static_root(request, tmp_path_factory):
    """WhiteNoise warns (an error under -W error) when STATIC_ROOT does not exist yet, as in a
    fresh checkout before any collectstatic: point it at an empty directory (as tests/portal)."""
    if "client" not in request.fixturenames:
        return
    settings = request.getfixturevalue("settings")
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")


@dataclass
class DemoLoads:
    first: object  # DemoSummary
    second: object
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    output: str
    work_dir: Path
    password: str


DEMO_PASSWORD = "demo-password-for-tests"


def catalog_counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from territoria.catalog.models import Dataset, Organisation, Resource, Territory, Version

    models = (Organisation, Dataset, Resource, Version, Territory, get_user_model())
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def demo_loads(
    django_db_setup, django_db_blocker, referential_archive, demo_datastore, tmp_path_factory
):
    """Load the demo twice (the second load must be a no-op), once per module; clean up after.

    The rows are committed, outside the per-test transactions, so the module removes them
    itself: other test modules start from an empty catalog.
    """
    from django.test import override_settings

    from territoria.demo.loader import load_demo_region
    from territoria.demo.referential import load_referential

    work_dir = tmp_path_factory.mktemp("demo-files")
    output = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(DATASTORE_ROOT=demo_datastore, DEMO_PASSWORD=DEMO_PASSWORD),
    ):
        first = load_demo_region(output, archive=referential_archive, work_dir=work_dir)
        counts_after_first = catalog_counts()
        second = load_demo_region(output, archive=referential_archive, work_dir=work_dir)
        counts_after_second = catalog_counts()
    yield DemoLoads(
        first,
        second,
        counts_after_first,
        counts_after_second,
        output.getvalue(),
        work_dir,
        DEMO_PASSWORD,
    )
    with django_db_blocker.unblock():
        remove_demo(first, load_referential(referential_archive))


def remove_demo(summary, ref) -> None:
    from django.contrib.auth import get_user_model

    from territoria.catalog.models import Dataset, Organisation, Resource, Territory
    from territoria.demo.loader import DEMO_USERS, territories_of

    slugs = [d.slug for d in summary.datasets]
    # A live version is protected from deletion; unpublish first, then cascade.
    Resource.objects.filter(dataset__slug__in=slugs).update(live_version=None)
    Dataset.objects.filter(slug__in=slugs).delete()
    Organisation.objects.filter(slug__in={d.organisation for d in summary.datasets}).delete()
    Territory.objects.filter(code__in=[t.code for t in territories_of(ref)]).delete()
    get_user_model().objects.filter(username__in=[u for u, _ in DEMO_USERS]).delete()
