"""`territoria referential build [--archive TGZ] [--centres-archive TGZ] [--centres CSV]
[--output PARQUET]`.

Writes the territorial referential table that the processing steps ``join_referential`` and
``geolocate`` read (settings.REFERENTIAL_TABLE), from the COG archive that `make demo` fetches.
Commune centres (decision 0014), each source overriding the one before:

1. GeoNames' cities500 (settings.CENTRES_ARCHIVE, fetched beside the COG archive; CC BY 4.0):
   the ~14,700 communes with a place of 500 inhabitants or more. Without it, the command says
   how to get it and goes on with the next sources;
2. the town centres the demo knows (``demo/places.py``);
3. ``--centres``, a CSV ``code,latitude,longitude`` (``,`` or ``;``) the operator provides,
   e.g. exported from the IGN's ADMIN EXPRESS.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territoria.datastore.centres import read_commune_centres
from territoria.datastore.referential import ReferentialError, build_referential
from territoria.demo.places import COMMUNE_CENTRES
from territoria.demo.referential import CENTRES_SOURCE_LABEL


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
        parser.add_argument(
            "--centres-archive", type=Path, help="GeoNames archive (default: settings)"
        )
        parser.add_argument("--centres", type=Path, help="CSV of commune centres to add")
        parser.add_argument("--output", type=Path, help="table to write (default: settings)")

    def handle(self, *args, action, archive, centres_archive, centres, output, **options):
        centre_map = self.geonames_centres(centres_archive or Path(settings.CENTRES_ARCHIVE))
        centre_map.update(COMMUNE_CENTRES)
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

    def geonames_centres(self, path: Path) -> dict[str, tuple[float, float]]:
        """GeoNames' centres, or none (and a line saying how to get them) without the archive."""
        if not path.is_file():
            self.stderr.write(
                f"commune centres archive {path} is missing: only the demo's town centres are "
                "used; run `python -m territoria.demo.referential fetch-centres` "
                "(or `make demo`) to get GeoNames' centres of ~14,700 communes"
            )
            return {}
        try:
            found = read_commune_centres(path)
        except ReferentialError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{path}: {len(found)} commune centres from {CENTRES_SOURCE_LABEL}")
        return found
