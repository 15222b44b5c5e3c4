"""A small region to test the access gate on: one dataset per access level, one user per role.

Each protected dataset carries a unique marker (``SECRET-INTERNAL-7f3a``…) in its title, its
description, the name of a column, a data cell and the source file name of its version, so a
leak is a string search over any response — HTML, JSON, CSV or Parquet.

``VISIBLE`` is written from the rules in the docstring of ``territoria/governance/gate.py``,
not by calling the gate: tests comparing the two fail when the gate is wrong or bypassed.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from territoria.catalog.enums import AccessLevel

LEVELS = ("open", "partners", "internal", "restricted")
MARKERS = {
    "open": "PUBLIC-OPEN-5d21",  # visible to everyone: never checked for, used as a control
    "partners": "SECRET-PARTNERS-c19e",
    "internal": "SECRET-INTERNAL-7f3a",
    "restricted": "SECRET-RESTRICTED-b84d",
}
SLUGS = {level: f"inventaire-{level}" for level in LEVELS}
MISSING_SLUG = "inventaire-absent"
OWNER = "ville-de-colmar"

# Who sees which level, from the gate's docstring:
#   open        everyone
#   partners    owner's members, region staff, members of organisations holding a grant
#   internal    owner's members, region staff
#   restricted  owner's members, members of organisations holding a grant
#   stewards see everything.
VISIBLE = {
    "anonymous": {"open"},
    "viewer": {"open"},  # viewer in an unrelated organisation
    "staff_not_steward": {"open"},  # Django is_staff, viewer in an unrelated organisation
    "owner_producer": {"open", "partners", "internal", "restricted"},
    "other_producer": {"open"},  # producer of another organisation
    "partner_with_grant": {"open", "partners", "restricted"},  # its grant on internal is moot
    "partner_without_grant": {"open"},  # its organisation's grants have expired
    "region_staff": {"open", "partners", "internal"},  # viewer in the region's organisation
    "steward": set(LEVELS),
}
ROLES = tuple(VISIBLE)

# (user name, organisation, role, organisation kind) of each signed-in role.
MEMBERSHIPS = {
    "viewer": ("unrelated-org", "viewer", "association"),
    "staff_not_steward": ("unrelated-org", "viewer", "association"),
    "owner_producer": (OWNER, "producer", "commune"),
    "other_producer": ("ville-de-mulhouse", "producer", "commune"),
    "partner_with_grant": ("startup-partenaire", "partner", "company"),
    "partner_without_grant": ("asso-partenaire", "partner", "association"),
    "region_staff": ("region-grand-est", "viewer", "region"),
    "steward": ("region-grand-est", "steward", "region"),
}


def hidden_markers(role: str) -> list[str]:
    """Markers of the levels ``role`` may not see."""
    return [MARKERS[level] for level in LEVELS if level not in VISIBLE[role]]


def marker_forms(marker: str) -> tuple[str, ...]:
    """The ways a marker may be written once it went through titles, column names or search."""
    low = marker.lower()
    return (low, low.replace("-", "_"), low.replace("-", " "))


@dataclass
class World:
    root: Path
    users: dict = field(default_factory=dict)  # role -> User (None for anonymous)
    datasets: dict = field(default_factory=dict)  # level -> Dataset
    versions: dict = field(default_factory=dict)  # level -> Version (live)
    grants: dict = field(default_factory=dict)  # level -> DatasetGrant of the partner
    token: object = None  # an ApiToken of the steward

    def user(self, role: str):
        return self.users[role]


def csv_for(level: str) -> str:
    marker = MARKERS[level]
    column = marker.lower().replace("-", "_")
    return (
        f"code_commune;commune;valeur;{column}\n"
        f"68066;Colmar;12,5;note {marker}\n"
        f"68224;Mulhouse;7,25;ligne ordinaire\n"
    )


def build_world(root: Path) -> World:
    """Create organisations, users, grants and one ingested dataset per level.

    Precondition: database access is allowed and ``settings.DATASTORE_ROOT`` is ``root``.
    """
    from django.contrib.auth.models import User
    from django.utils import timezone

    from territoria.accounts.models import Membership
    from territoria.catalog.models import Organisation, Version
    from territoria.governance.models import ApiToken
    from territoria.ingest.services import do_ingest_file
    from tests.governance.agreements import grant

    def org(slug: str, kind: str) -> Organisation:
        name = slug.replace("-", " ").title()
        return Organisation.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[
            0
        ]

    world = World(root=root)
    owner = org(OWNER, "commune")
    for level in LEVELS:
        marker = MARKERS[level]
        path = root / f"{level}.csv"
        path.write_text(csv_for(level), encoding="utf-8")
        outcome = do_ingest_file(
            path,
            dataset_slug=SLUGS[level],
            org_slug=owner.slug,
            title=f"Inventaire {marker}",
            access=AccessLevel(level),
            source_label=f"{marker}.csv",
            metadata={
                "description": f"Description {marker}",
                "keywords": [marker],
                "themes": ["ENVI"] if level == "open" else ["ECON"],
            },
        )
        world.datasets[level] = outcome.dataset
        world.versions[level] = Version.objects.get(pk=outcome.version.pk)
    world.users["anonymous"] = None
    for role, (org_slug, member_role, kind) in MEMBERSHIPS.items():
        is_staff = role in ("steward", "staff_not_steward")
        user = User.objects.create_user(
            role, f"{role}@example.org", "s3cret-pass", is_staff=is_staff
        )
        Membership.objects.create(user=user, organisation=org(org_slug, kind), role=member_role)
        world.users[role] = user
    granted = org("startup-partenaire", "company")
    expired = org("asso-partenaire", "association")
    yesterday = timezone.now() - timedelta(days=1)
    for level in ("partners", "internal", "restricted"):
        dataset = world.datasets[level]
        world.grants[level] = grant(dataset, granted)
        grant(dataset, expired, expires_at=yesterday)
    world.token, _ = ApiToken.issue(world.users["steward"], "inventaire", "read")
    return world


def readable_text(response) -> str:
    """Everything a client could read in ``response``: headers and the decoded body.

    Parquet is decoded (its pages are compressed: a byte search would miss a leak), zip
    archives (XLSX…) are opened, and JSON is re-read so that ``\\u`` escapes are undone.
    """
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + decode_body(body)


def decode_body(body: bytes) -> str:
    if body.startswith(b"PAR1"):
        return _parquet_text(body)
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(decode_body(archive.read(n)) for n in archive.namelist())
    text = body.decode("utf-8", errors="replace")
    try:
        return text + "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def _parquet_text(body: bytes) -> str:
    import tempfile

    import duckdb

    with tempfile.NamedTemporaryFile(suffix=".parquet") as handle:
        handle.write(body)
        handle.flush()
        connection = duckdb.connect()
        try:
            relation = connection.read_parquet(handle.name)
            rows = relation.fetchall()
            return " ".join(relation.columns) + "\n" + "\n".join(map(str, rows))
        finally:
            connection.close()


def leaked_markers(text: str, role: str) -> list[str]:
    """Markers of levels hidden from ``role`` found in ``text`` (any case, -, _ or space)."""
    low = text.lower()
    return [m for m in hidden_markers(role) if any(form in low for form in marker_forms(m))]
