"""Transport: TER boardings (the ≥100,000-row dataset), EV charging points, road counts."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from random import Random

from territoria.demo.places import COMMUNE_CENTRES, point_near
from territoria.demo.referential import Referential
from territoria.demo.synthetic.frenchcsv import (
    days_between,
    fr_date,
    fr_number,
    make_siret,
    write_table,
)

# --- (a) TER boardings: the ≥100,000-row dataset ---------------------------------------------

TER_STATIONS = 150
TER_PERIOD = (date(2023, 1, 1), date(2024, 12, 31))
# Public holidays, with 26 December and Good Friday of Alsace-Moselle local law.
HOLIDAYS = {
    date(y, m, d)
    for y in (2023, 2024)
    for m, d in ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26))
} | {
    date(2023, 4, 7),
    date(2023, 4, 10),
    date(2023, 5, 18),
    date(2023, 5, 29),
    date(2024, 3, 29),
    date(2024, 4, 1),
    date(2024, 5, 9),
    date(2024, 5, 20),
}
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.02, 1.08, 0.62, 0.48)
MONTH_FACTOR = (0.95, 1.0, 1.02, 1.0, 0.98, 1.0, 0.85, 0.72, 1.04, 1.02, 1.0, 0.92)


def ter_day_factors(rng: Random, days: Sequence[date]) -> list[tuple[float, float]]:
    """(ridership factor, regularity penalty) per day, shared by the whole network."""
    strikes = set(rng.sample(range(len(days)), 9))
    factors = []
    for index, day in enumerate(days):
        ridership = WEEKDAY_FACTOR[6 if day in HOLIDAYS else day.weekday()]
        ridership *= MONTH_FACTOR[day.month - 1] * (1.05 if day.year == 2024 else 1.0)
        penalty = 2.5 if day.month in (1, 2, 11, 12) else 0.0
        if index in strikes:
            ridership, penalty = ridership * 0.35, penalty + 12.0
        factors.append((ridership, penalty))
    return factors


def write_frequentation_gares(ref: Referential, path: Path, seed: int = 4401) -> int:
    """Daily boardings and alightings at the 150 busiest stations, two years: 109,650 rows."""
    rng = Random(seed)
    communes = sorted(ref.communes_of_region(), key=lambda c: (-c.population, c.code))
    stations = []
    for commune in communes[:TER_STATIONS]:
        base = 0.35 * commune.population**0.85 * rng.uniform(0.6, 1.4)
        trains = 12 + int(math.sqrt(commune.population) / 4)
        stations.append((commune, f"GE{commune.code}", f"Gare de {commune.nom}", base, trains))
    days = days_between(*TER_PERIOD)
    factors = ter_day_factors(rng, days)
    header = [
        "date",
        "code_gare",
        "nom_gare",
        "code_commune",
        "commune",
        "departement",
        "montees",
        "descentes",
        "trains_programmes",
        "taux_regularite",
    ]

    def rows() -> Iterator[tuple[object, ...]]:
        for day, (ridership, penalty) in zip(days, factors, strict=True):
            text_day = fr_date(day)
            weekend = day.weekday() >= 5 or day in HOLIDAYS
            for commune, code, name, base, trains in stations:
                boardings = int(base * ridership * (0.85 + 0.3 * rng.random()))
                alightings = int(boardings * (0.92 + 0.16 * rng.random()))
                scheduled = int(trains * (0.7 if weekend else 1.0))
                regularity = min(99.9, 97.5 - penalty - 6 * rng.random() ** 3)
                yield (
                    text_day,
                    code,
                    name,
                    commune.code,
                    commune.nom,
                    commune.departement,
                    boardings,
                    alightings,
                    scheduled,
                    fr_number(regularity, 1),
                )

    return write_table(path, header, rows())


# --- (b) electric vehicle charging points: coordinates near their commune --------------------

EV_OPERATORS = (  # fictional operators, with a generated SIRET each
    ("Est Recharge", "ERC"),
    ("VoltaRhin Mobilité", "VRM"),
    ("Charge & Go Lorraine", "CGL"),
    ("Ardenne Énergies Nouvelles", "AEN"),
)
EV_POWERS = (
    (3.7, 2),
    (7.4, 18),
    (11.0, 10),
    (22.0, 40),
    (24.0, 3),
    (50.0, 12),
    (100.0, 4),
    (150.0, 6),
    (175.0, 2),
    (300.0, 3),
)
EV_SITES = (
    "Parking de la mairie",
    "Place de la gare",
    "Parking relais",
    "Centre commercial",
    "Zone d'activités",
    "Parking du stade",
    "Rue principale",
    "Parking de la piscine",
)


def connectors_for(power: float) -> str:
    if power >= 50:
        return "T2+CCS" if power < 150 else "CCS+CHAdeMO+T2"
    return "E/F+T2" if power <= 7.4 else "T2"


def write_bornes_recharge(ref: Referential, path: Path, seed: int = 4402) -> int:
    """One row per charging station, placed within 3 km of its commune's centre."""
    rng = Random(seed)
    operators = [(name, prefix, make_siret(rng)) for name, prefix in EV_OPERATORS]
    powers = [p for p, _ in EV_POWERS]
    power_weights = [w for _, w in EV_POWERS]
    header = [
        "id_station_itinerance",
        "nom_station",
        "nom_operateur",
        "siret_operateur",
        "code_insee_commune",
        "commune",
        "code_postal",
        "latitude",
        "longitude",
        "puissance_nominale_kw",
        "prises",
        "nbre_pdc",
        "gratuit",
        "acces",
        "date_mise_en_service",
    ]
    rows = []
    for code in sorted(COMMUNE_CENTRES):
        commune = ref.commune(code)
        for n in range(max(4, round(commune.population / 1500))):
            name, prefix, siret = rng.choice(operators)
            power = rng.choices(powers, weights=power_weights)[0]
            lat, lon = point_near(rng, COMMUNE_CENTRES[code], 3.0)
            opened = date(2015, 1, 1) + timedelta(days=rng.randrange(10 * 365))
            rows.append(
                (
                    f"FR{prefix}P{code}{n + 1:03d}",
                    f"{commune.nom} – {rng.choice(EV_SITES)}",
                    name,
                    siret,
                    code,
                    commune.nom,
                    commune.codes_postaux[0],
                    fr_number(lat, 5),
                    fr_number(lon, 5),
                    fr_number(power, 1),
                    connectors_for(power),
                    rng.choice((1, 2, 2, 2, 4)),
                    "oui" if rng.random() < 0.12 else "non",
                    "Accès libre" if rng.random() < 0.8 else "Accès réservé",
                    fr_date(opened),
                )
            )
    return write_table(path, header, rows)


# --- (f) road traffic counts: the partners-level dataset -------------------------------------

TRAFFIC_PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
TRAFFIC_SENSORS = 40


def write_comptages_routiers(ref: Referential, path: Path, seed: int = 4406) -> int:
    """Daily vehicle counts at 40 sensors of the Strasbourg conurbation over one year."""
    rng = Random(seed)
    places = ("67482",) * 6 + ("67218", "67447")
    sensors = []
    for number in range(1, TRAFFIC_SENSORS + 1):
        commune = ref.commune(places[number % len(places)])
        lat, lon = point_near(rng, COMMUNE_CENTRES[commune.code], 4.0)
        base = rng.choice((4_000, 8_000, 12_000, 20_000, 35_000, 60_000)) * rng.uniform(0.8, 1.2)
        heavy = rng.uniform(2.0, 14.0)
        direction = "entrant" if number % 2 else "sortant"
        label = f"Axe {(number + 1) // 2:02d} – sens {direction}"
        sensors.append((f"EMS-{number:03d}", label, direction, commune, lat, lon, base, heavy))
    header = [
        "date",
        "identifiant_capteur",
        "libelle",
        "sens",
        "code_commune",
        "commune",
        "latitude",
        "longitude",
        "debit_vehicules",
        "part_poids_lourds_pct",
        "vitesse_moyenne_kmh",
    ]
    rows = []
    for day in days_between(*TRAFFIC_PERIOD):
        factor = WEEKDAY_FACTOR[6 if day in HOLIDAYS else day.weekday()] ** 0.5
        factor *= MONTH_FACTOR[day.month - 1] ** 0.7
        for sensor, label, direction, commune, lat, lon, base, heavy in sensors:
            flow = int(base * factor * rng.uniform(0.9, 1.1))
            speed = max(15.0, 50 - flow / 4000 + rng.gauss(0, 3))
            rows.append(
                (
                    fr_date(day),
                    sensor,
                    label,
                    direction,
                    commune.code,
                    commune.nom,
                    fr_number(lat, 5),
                    fr_number(lon, 5),
                    flow,
                    fr_number(heavy * (0.4 if factor < 0.8 else 1) * rng.uniform(0.85, 1.15), 1),
                    fr_number(speed, 1),
                )
            )
    return write_table(path, header, rows)
