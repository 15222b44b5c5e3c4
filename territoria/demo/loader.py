"""Load the demo region: the INSEE referential, its territories, producers and datasets, users.

Idempotent by construction: territories are upserted on their code, organisations on their
slug, datasets on their slug, and the synthetic files are byte-identical from one run to the
next, so ``skip_if_unchanged`` stages no new version. A second run creates nothing.
"""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from territoria.accounts.models import Membership, Role
from territoria.catalog.enums import OrganisationKind
from territoria.catalog.models import Organisation, Territory
from territoria.catalog.search import index_dataset
from territoria.demo.catalogue import (
    DemoDataset,
    DemoOrganisation,
    demo_datasets,
    demo_organisations,
)
from territoria.demo.referential import GRAND_EST, Referential, load_referential
from territoria.ingest.services import do_ingest_file

DEMO_USERS = (  # (username, is_superuser); both are staff of the data office
    ("steward", False),
    ("admin", True),
)


@dataclass
class LoadedDataset:
    slug: str
    title: str
    organisation: str
    access: str
    rows: int
    synthetic: bool
    new_version: bool  # False when the file was identical to the live version


@dataclass
class DemoSummary:
    datasets: list[LoadedDataset] = field(default_factory=list)
    territories: int = 0
    territories_created: int = 0
    organisations_created: int = 0
    users_created: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.datasets)

    @property
    def new_versions(self) -> int:
        return sum(1 for d in self.datasets if d.new_version)


def load_demo_region(
    stdout: TextIO | None = None,
    *,
    archive: Path | None = None,
    work_dir: Path | None = None,
) -> DemoSummary:
    """Load (or bring up to date) the Grand Est demo region and return what it did.

    ``archive`` defaults to ``settings.REFERENTIAL_ARCHIVE``, ``work_dir`` (where the CSV files
    are written before ingestion) to ``TERRITORIA_HOME/demo``. Raises ReferentialMissing when
    the archive is absent and IngestionFailed when a file cannot be ingested.
    """
    out = stdout or sys.stdout
    started = time.monotonic()
    ref = load_referential(Path(archive or settings.REFERENTIAL_ARCHIVE))
    work_dir = Path(work_dir or settings.HOME / "demo")
    summary = DemoSummary()
    summary.territories, summary.territories_created = do_upsert_territories(ref)
    summary.organisations_created = do_upsert_organisations(demo_organisations(ref))
    out.write(
        f"Référentiel INSEE : {summary.territories} territoires "
        f"({summary.territories_created} nouveaux)\n"
    )
    for spec in demo_datasets(ref):
        loaded = do_load_dataset(spec, ref, work_dir, out)
        summary.datasets.append(loaded)
        state = "nouvelle version" if loaded.new_version else "inchangé"
        out.write(f"  {spec.slug} : {thousands(loaded.rows)} lignes ({state})\n")
    summary.users_created = do_ensure_demo_users(out)
    summary.seconds = time.monotonic() - started
    return summary


def do_load_dataset(
    spec: DemoDataset, ref: Referential, work_dir: Path, out: TextIO
) -> LoadedDataset:
    """Write the dataset's file, ingest it unless the live version has the same checksum."""
    path = work_dir / spec.filename
    written = spec.write(ref, path)
    outcome = do_ingest_file(
        path,
        dataset_slug=spec.slug,
        org_slug=spec.organisation,
        title=spec.title,
        access=spec.access,
        metadata=spec.metadata,
        source_label=spec.filename,
        skip_if_unchanged=True,
    )
    index_dataset(outcome.dataset)  # the metadata may have changed even if the data did not
    rows = outcome.version.row_count
    if rows != written:  # the reader disagrees with the writer: worth a look, not a stop
        out.write(f"  attention : {spec.filename} : {written} lignes écrites, {rows} lues\n")
    return LoadedDataset(
        spec.slug,
        spec.title,
        spec.organisation,
        spec.access,
        rows,
        spec.synthetic,
        new_version=not outcome.unchanged,
    )


def thousands(number: int) -> str:
    """``109650`` → ``"109 650"``, as French writes it."""
    return f"{number:,}".replace(",", " ")


def territories_of(ref: Referential) -> list[Territory]:
    """The région Grand Est with its départements, EPCI and communes, and the other régions."""
    rows = [
        Territory(code=f"fr:region:{r.code}", level="region", insee_code=r.code, name=r.nom)
        for r in ref.regions
        if len(r.code) == 2
    ]
    rows += [
        Territory(
            code=f"fr:departement:{d.code}", level="departement", insee_code=d.code, name=d.nom
        )
        for d in ref.departements_of_region(GRAND_EST)
    ]
    rows += [
        Territory(code=f"fr:epci:{e.siren}", level="epci", insee_code=e.siren, name=e.nom)
        for e in ref.epci_of_region(GRAND_EST)
    ]
    rows += [
        Territory(code=f"fr:commune:{c.code}", level="commune", insee_code=c.code, name=c.nom)
        for c in ref.communes_of_region(GRAND_EST)
    ]
    return rows


@transaction.atomic
def do_upsert_territories(ref: Referential) -> tuple[int, int]:
    """Insert or update the territories on their code; returns (total, newly created)."""
    rows = territories_of(ref)
    before = Territory.objects.filter(code__in=[t.code for t in rows]).count()
    Territory.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["level", "insee_code", "name"],
    )
    return len(rows), len(rows) - before


@transaction.atomic
def do_upsert_organisations(specs: list[DemoOrganisation]) -> int:
    """Create or update the producers on their slug; returns how many were created."""
    created = 0
    for spec in specs:
        organisation = Organisation.objects.filter(slug=spec.slug).first() or Organisation(
            slug=spec.slug
        )
        created += organisation.pk is None
        organisation.name, organisation.kind, organisation.siren = spec.name, spec.kind, spec.siren
        organisation.website, organisation.description = spec.website, spec.description
        organisation.full_clean()
        organisation.save()
    return created


def do_ensure_demo_users(stdout: TextIO) -> list[str]:
    """Create the demo accounts that do not exist yet; never touch an existing one.

    A generated password is printed once, at creation: later runs cannot show it again.
    """
    user_model = get_user_model()
    fixed = settings.DEMO_PASSWORD
    created = []
    for username, superuser in DEMO_USERS:
        if user_model.objects.filter(username=username).exists():
            continue
        password = fixed or secrets.token_urlsafe(12)
        email = f"{username}@territoria.example"
        if superuser:
            user_model.objects.create_superuser(username, email, password)
        else:
            steward = user_model.objects.create_user(username, email, password, is_staff=True)
            region = Organisation.objects.filter(kind=OrganisationKind.REGION).first()
            if region is not None:  # the data office sits in the region
                Membership.objects.get_or_create(
                    user=steward, organisation=region, defaults={"role": Role.STEWARD}
                )
        created.append(username)
        if fixed:
            shown = "mot de passe : $TERRITORIA_DEMO_PASSWORD"
        else:
            shown = f"mot de passe : {password} (affiché une seule fois)"
        stdout.write(f"Compte {username!r} créé, {shown}\n")
    return created
