"""The synthetic generators: deterministic, French-formatted, and true to what they claim."""

import csv
import io
import re
import subprocess
import sys
from collections import Counter

import pytest
from stdnum.fr import siren, siret

from territoria.demo import synthetic
from territoria.demo.catalogue import (
    INSEE_SIREN,
    REGION_SIREN,
    demo_datasets,
    demo_organisations,
)
from territoria.demo.places import COMMUNE_CENTRES, GRAND_EST_BBOX, distance_km
from territoria.demo.referential import GRAND_EST_DEPARTEMENTS

FR_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
FR_DECIMAL = re.compile(r"^-?\d+,\d+$")


def read_rows(path, encoding="cp1252", delimiter=";"):
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def fr_float(text: str) -> float:
    assert FR_DECIMAL.match(text), text
    return float(text.replace(",", "."))


def in_grand_est(lat: float, lon: float) -> bool:
    south, west, north, east = GRAND_EST_BBOX
    return south <= lat <= north and west <= lon <= east


@pytest.fixture(scope="module")
def files(ref, tmp_path_factory):
    """Every generator run once: {writer name: (path, rows returned)}."""
    out = tmp_path_factory.mktemp("synthetic")
    return {
        name: (out / f"{name}.csv", getattr(synthetic, name)(ref, out / f"{name}.csv"))
        for name in synthetic.__all__
    }


@pytest.mark.parametrize("name", synthetic.__all__)
def test_generator_writes_the_same_bytes_every_time(ref, files, tmp_path, name):
    path, rows = files[name]
    again = tmp_path / "again.csv"
    assert getattr(synthetic, name)(ref, again) == rows
    assert again.read_bytes() == path.read_bytes()


def test_ter_boardings_have_over_100000_rows_in_french_format(files):
    path, rows = files["write_frequentation_gares"]
    assert rows >= 100_000
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == rows + 1  # header + rows, CRLF as a Windows spreadsheet writes
    table = read_rows(path)
    assert len(table) == rows
    first = table[0]
    assert FR_DATE.match(first["date"]) and first["date"] == "01/01/2023"
    fr_float(first["taux_regularite"])
    # Ardennes stations keep the leading zero of their codes.
    ardennes = {r["code_commune"] for r in table if r["departement"] == "08"}
    assert "08105" in ardennes
    assert {r["departement"] for r in table} <= set(GRAND_EST_DEPARTEMENTS)


def test_charging_points_lie_near_their_commune_inside_grand_est(files):
    path, rows = files["write_bornes_recharge"]
    table = read_rows(path)
    assert len(table) == rows > 500
    for row in table:
        lat, lon = fr_float(row["latitude"]), fr_float(row["longitude"])
        assert in_grand_est(lat, lon)
        assert distance_km((lat, lon), COMMUNE_CENTRES[row["code_insee_commune"]]) <= 3.05
        assert siret.is_valid(row["siret_operateur"])
        fr_float(row["puissance_nominale_kw"])
        assert FR_DATE.match(row["date_mise_en_service"])
    charleville = [r for r in table if r["code_insee_commune"] == "08105"]
    assert charleville and {r["code_postal"] for r in charleville} == {"08000"}
    assert "Charleville-Mézières" in path.read_bytes().decode("cp1252")


def test_grants_carry_valid_sirets_and_french_amounts(files):
    path, rows = files["write_aides_entreprises"]
    table = read_rows(path)
    assert len(table) == rows >= 1000
    assert all(siret.is_valid(r["siret"]) for r in table)
    assert all(fr_float(r["montant_eur"]) > 0 for r in table)
    assert all(FR_DATE.match(r["date_decision"]) for r in table)
    assert all(len(r["code_commune"]) == 5 for r in table)
    assert any(r["code_commune"].startswith("0") for r in table)
    assert any(r["code_naf"] == "01.21Z" for r in table)
    assert len({r["numero_dossier"] for r in table}) == rows


def test_air_quality_is_the_utf8_comma_separated_file(files):
    path, rows = files["write_qualite_air"]
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("date,code_station,")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == rows
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", table[0]["date"])
    assert all(in_grand_est(float(r["latitude"]), float(r["longitude"])) for r in table)
    gaps = sum(1 for r in table if r["no2_ug_m3"] == "")
    assert 0 < gaps < rows * 0.02
    assert Counter(r["indice_atmo"] for r in table).most_common(1)[0][0] in {"bon", "moyen"}


def test_building_energy_and_road_counts_are_french_formatted(files):
    for name in ("write_consommation_batiments", "write_comptages_routiers"):
        path, rows = files[name]
        table = read_rows(path)
        assert len(table) == rows > 1000
        date_column = "mois" if "mois" in table[0] else "date"
        assert all(FR_DATE.match(r[date_column]) for r in table)
    counts = read_rows(files["write_comptages_routiers"][0])
    assert all(
        in_grand_est(fr_float(r["latitude"]), fr_float(r["longitude"])) for r in counts[:500]
    )


def test_commune_centres_are_grand_est_communes_inside_the_region(ref):
    for code, centre in COMMUNE_CENTRES.items():
        commune = ref.commune(code)
        assert commune.region == "44", code
        assert in_grand_est(*centre), commune.nom


def test_public_producers_have_valid_sirens(ref):
    assert siren.is_valid(REGION_SIREN) and siren.is_valid(INSEE_SIREN)
    for organisation in demo_organisations(ref):
        if organisation.siren:
            assert siren.is_valid(organisation.siren), organisation.slug
        else:
            assert "fictive" in organisation.description, organisation.slug


def test_every_synthetic_dataset_says_so_first(ref):
    datasets = demo_datasets(ref)
    synthetic_ones = [d for d in datasets if d.synthetic]
    assert len(synthetic_ones) >= 5
    assert len({d.organisation for d in synthetic_ones}) >= 4
    assert len({d.slug for d in datasets}) == len(datasets)
    for dataset in synthetic_ones:
        description = dataset.metadata["description"]
        assert description.startswith(
            "**Données synthétiques générées pour la démonstration de Territoria.**"
        ), dataset.slug
    for dataset in datasets:
        for key in ("themes", "keywords", "licence", "contact_email", "spatial", "frequency"):
            assert dataset.metadata.get(key), (dataset.slug, key)


def test_generators_and_catalogue_do_not_import_django():
    code = (
        "import sys, territoria.demo.synthetic, territoria.demo.catalogue, "
        "territoria.demo.referential; assert 'django' not in sys.modules, 'django imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
