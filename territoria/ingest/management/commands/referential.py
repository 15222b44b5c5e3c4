"""`territoria referential build [--archive TGZ] [--centres CSV] [--output PARQUET]`.

Writes the territorial referential table that the processing steps ``join_referential`` and
``geolocate`` read (settings.REFERENTIAL_TABLE), from the COG archive that `make demo` fetches.
Commune centres: the COG has none and no package of the registries we may use publishes them
for every commune (decision 0014), so the table holds the centres the demo knows
(``demo/places.py``) plus those of ``--centres``, a CSV ``code,latitude,longitude`` (``,`` or
``;``) the operator provides, e.g. exported from the IGN's ADMIN EXPRESS.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territoria.datastore.referential import ReferentialError, build_referential
from territoria.demo.places import COMMUNE_CENTRES


def read_centres(path: Path) -> dict[str, tuple[float, float]]:
    """``code → (latitude, longitude)`` from a CSV with a header; CommandError on a bad row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    centres: dict[str, tuple[float, float]] = {}
    for line, row in enumerate(csv.reader(text.splitlines()[1:], dialect), start=2):
        try:
            code, lat, lon = row[0].strip(), float(row[1]), float(row[2])
        except (IndexError, ValueError):
            raise CommandError(f"{path}: line {line}: expected code,latitude,longitude") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CommandError(f"{path}: line {line}: coordinates out of range")
        centres[code] = (lat, lon)
    return centres


class Command(BaseCommand):
    help = "Build the territorial referential table (communes, EPCI, départements, régions)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build"])
        parser.add_argument("--archive", type=Path, help="COG archive (default: the demo's)")
        parser.add_argument("--centres", type=Path, help="CSV of commune centres to add")
        parser.add_argument("--output", type=Path, help="table to write (default: settings)")

    def handle(self, *args, action, archive, centres, output, **options):
        centre_map = dict(COMMUNE_CENTRES)
        if centres is not None:
            centre_map.update(read_centres(centres))
        try:
            summary = build_referential(
                archive or Path(settings.REFERENTIAL_ARCHIVE),
                output or Path(settings.REFERENTIAL_TABLE),
                centres=centre_map,
            )
        except ReferentialError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{summary.path}: {summary.communes} communes, {summary.with_centre} with a centre"
        )
