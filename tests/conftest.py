"""Shared fixtures: an isolated datastore per test, and factories for catalog objects."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_datastore(request, tmp_path_factory):
    """Every test that touches Django writes its Parquet versions in its own directory."""
    if "django_db_setup" not in request.fixturenames and not _uses_django(request):
        yield None
        return
    settings = request.getfixturevalue("settings")
    root = tmp_path_factory.mktemp("datastore")
    settings.DATASTORE_ROOT = root
    yield root


@pytest.fixture(autouse=True)
def _jobs_run_inline(request):
    """Queued jobs run at once, in the test's thread and transaction (Huey's immediate mode);
    tests/ingest/test_jobs.py runs the real queues and workers."""
    if not _uses_django(request):
        yield
        return
    from territoria.ingest.tasks import huey

    huey.immediate = True
    yield


def _uses_django(request) -> bool:
    names = set(request.fixturenames)
    return bool(names & {"db", "transactional_db", "client", "admin_client", "live_server"}) or (
        request.node.get_closest_marker("django_db") is not None
    )


@pytest.fixture
def make_org(db):
    from territoria.catalog.models import Organisation

    def make(slug="region-grand-est", name="Région Grand Est", kind=None, siren=""):
        if kind is None:
            kind = "region" if slug.startswith("region") else "public-body"
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "siren": siren}
        )
        return org

    return make


@pytest.fixture
def ingest_text(db, tmp_path, make_org):
    """Ingest CSV text (or bytes) as a published dataset; returns the IngestOutcome."""
    from territoria.ingest.services import do_ingest_file

    counter = iter(range(1_000_000))

    def ingest(content, slug="test-data", access="open", org="region-grand-est", **kwargs):
        make_org(slug=org, name=org.replace("-", " ").title())
        path = Path(tmp_path) / f"upload-{next(counter)}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return do_ingest_file(path, dataset_slug=slug, org_slug=org, access=access, **kwargs)

    return ingest


@pytest.fixture
def add_member(db, make_org):
    """Give ``user`` a ``role`` in the organisation ``org`` (slug; created if needed)."""
    from territoria.accounts.models import Membership

    def add(user, org="region-grand-est", role="viewer", kind=None):
        defaults = {"kind": kind} if kind else {}
        organisation = make_org(slug=org, name=org.replace("-", " ").title(), **defaults)
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        return user

    return add


@pytest.fixture
def staff_user(db, add_member):
    """A steward of the region's data office: sees and writes everything."""
    from django.contrib.auth.models import User

    user = User.objects.create_user("steward", "steward@example.org", "s3cret-pass", is_staff=True)
    return add_member(user, "region-grand-est", "steward", kind="region")


@pytest.fixture
def plain_user(db):
    from django.contrib.auth.models import User

    return User.objects.create_user("citizen", "citizen@example.org", "s3cret-pass")


@pytest.fixture
def sqlite_queue(tmp_path):
    """The real SQLite job queue in a file of this test, not the tests' immediate mode: a
    queued job waits for a worker (none runs unless the test starts one)."""
    from territoria.ingest.tasks import huey

    huey.immediate = False
    saved = huey.storage
    huey.storage = huey.storage_class(huey.name, filename=str(tmp_path / "jobs.sqlite3"))
    yield huey
    huey.storage = saved


@pytest.fixture
def every_dataset_recorded(db, make_org):
    """Every dataset created during the test serves one processing activity of the GDPR
    record, so that its versions with personal data may be published (the rule itself is
    tested in tests/governance/test_gdpr_record.py)."""
    from django.db.models.signals import post_save

    from territoria.catalog.models import Dataset
    from territoria.governance.gdpr.models import ProcessingActivity

    activity = ProcessingActivity.objects.create(
        name="Tests",
        controller=make_org(),
        purposes="Tests",
        legal_basis="public_task",
        data_subjects="Personnes",
        personal_data="Identité",
        retention="1 an",
    )

    def link(sender, instance, created=False, raw=False, **kwargs):
        if created and not raw:
            activity.datasets.add(instance)

    post_save.connect(link, sender=Dataset, dispatch_uid="tests_every_dataset_recorded")
    yield activity
    post_save.disconnect(sender=Dataset, dispatch_uid="tests_every_dataset_recorded")
