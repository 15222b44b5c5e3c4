"""Environment and planning: daily air quality, energy use of municipal buildings."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from random import Random

from territoria.demo.places import COMMUNE_CENTRES, point_near
from territoria.demo.referential import Referential
from territoria.demo.synthetic.frenchcsv import (
    days_between,
    fr_date,
    fr_number,
    write_table,
)

# --- (c) air quality: the UTF-8, comma-separated one ------------------------------------------

AIR_PERIOD = (date(2023, 1, 1), date(2024, 12, 31))
AIR_STATIONS = (  # (commune, suffix, typology)
    ("67482", "Centre", "urbaine"),
    ("67482", "Trafic", "trafic"),
    ("67482", "Nord", "périurbaine"),
    ("57463", "Centre", "urbaine"),
    ("57463", "Trafic", "trafic"),
    ("54395", "Centre", "urbaine"),
    ("54395", "Trafic", "trafic"),
    ("51454", "Centre", "urbaine"),
    ("51454", "Est", "périurbaine"),
    ("68224", "Centre", "urbaine"),
    ("68224", "Trafic", "trafic"),
    ("68066", "Centre", "urbaine"),
    ("10387", "Centre", "urbaine"),
    ("08105", "Centre", "urbaine"),
    ("88160", "Centre", "urbaine"),
    ("57672", "Centre", "urbaine"),
    ("51108", "Centre", "urbaine"),
    ("88413", "Centre", "urbaine"),
    ("52121", "Centre", "urbaine"),
    ("55545", "Centre", "urbaine"),
    ("67180", "Centre", "urbaine"),
    ("57227", "Centre", "urbaine"),
    ("57631", "Centre", "périurbaine"),
    ("88196", "Lac", "rurale"),
    ("52269", "Plateau", "rurale"),
    ("67544", "Forêt", "rurale"),
)
NO2_BASE = {"trafic": 38.0, "urbaine": 22.0, "périurbaine": 15.0, "rurale": 7.0}
PM10_BASE = {"trafic": 22.0, "urbaine": 17.0, "périurbaine": 15.0, "rurale": 12.0}
O3_BASE = {"trafic": 40.0, "urbaine": 52.0, "périurbaine": 58.0, "rurale": 64.0}
# Upper bounds of the ATMO index classes (decree of 10 July 2020), in µg/m³.
ATMO_CLASSES = ("bon", "moyen", "dégradé", "mauvais", "très mauvais", "extrêmement mauvais")
ATMO_BOUNDS = {
    "no2": (40, 90, 120, 230, 340),
    "pm10": (20, 40, 50, 100, 150),
    "o3": (50, 100, 130, 240, 380),
}


def atmo_class(pollutant: str, value: float) -> int:
    return sum(1 for bound in ATMO_BOUNDS[pollutant] if value > bound)


def write_qualite_air(ref: Referential, path: Path, seed: int = 4403) -> int:
    """Daily mean NO2, PM10 and O3 per station with the ATMO index; ~0.5 % of gaps."""
    rng = Random(seed)
    days = days_between(*AIR_PERIOD)
    weather, level = [], 1.0  # a regional "episode" factor, autocorrelated from day to day
    for _ in days:
        level = 0.7 * level + 0.3 * rng.lognormvariate(0, 0.45)
        weather.append(level)
    stations = []
    for number, (code, suffix, typology) in enumerate(AIR_STATIONS, start=1):
        commune = ref.commune(code)
        lat, lon = point_near(rng, COMMUNE_CENTRES[code], 2.0)
        name = f"{commune.nom} {suffix}"
        stations.append((f"GE{number:03d}", name, typology, commune, lat, lon))
    header = [
        "date",
        "code_station",
        "nom_station",
        "typologie",
        "code_commune",
        "commune",
        "latitude",
        "longitude",
        "no2_ug_m3",
        "pm10_ug_m3",
        "o3_ug_m3",
        "indice_atmo",
    ]
    rows = []
    for day, episode in zip(days, weather, strict=True):
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)  # 1 mid-Jan
        weekend = 0.8 if day.weekday() >= 5 else 1.0
        for code, name, typology, commune, lat, lon in stations:
            no2 = NO2_BASE[typology] * (1 + 0.3 * season) * weekend * episode
            pm10 = PM10_BASE[typology] * (1 + 0.25 * season) * episode**1.3
            o3 = O3_BASE[typology] * (1 - 0.45 * season) / episode**0.3
            values = [v * rng.lognormvariate(0, 0.18) for v in (no2, pm10, o3)]
            index = max(atmo_class(p, v) for p, v in zip(ATMO_BOUNDS, values, strict=True))
            cells = [f"{v:.1f}" if rng.random() > 0.005 else "" for v in values]
            rows.append(
                (
                    day.isoformat(),
                    code,
                    name,
                    typology,
                    commune.code,
                    commune.nom,
                    f"{lat:.5f}",
                    f"{lon:.5f}",
                    *cells,
                    ATMO_CLASSES[index],
                )
            )
    return write_table(path, header, rows, encoding="utf-8", delimiter=",")


# --- (e) energy use of municipal buildings: the internal dataset ------------------------------

ENERGY_PERIOD = (date(2023, 1, 1), date(2024, 12, 1))  # monthly statements
BUILDINGS = (  # (category, count, surface range m², energies)
    ("École maternelle", 22, (400, 1200), ("Électricité", "Gaz naturel")),
    ("École élémentaire", 24, (900, 3000), ("Électricité", "Réseau de chaleur")),
    ("Gymnase", 10, (800, 2500), ("Électricité", "Gaz naturel")),
    ("Piscine", 3, (1500, 4000), ("Électricité", "Réseau de chaleur")),
    ("Médiathèque", 5, (600, 3500), ("Électricité", "Réseau de chaleur")),
    ("Centre socioculturel", 8, (300, 1500), ("Électricité", "Gaz naturel")),
    ("Bâtiment administratif", 6, (800, 9000), ("Électricité", "Réseau de chaleur")),
    ("Centre technique municipal", 2, (2000, 6000), ("Électricité", "Gaz naturel")),
)
# Per energy: kWh per m² per year, € per kWh, kgCO2e per kWh (orders of magnitude of the
# ADEME Base Empreinte; plausible, not a reference).
ENERGY_FACTORS = {
    "Électricité": (70.0, 0.21, 0.052),
    "Gaz naturel": (120.0, 0.11, 0.227),
    "Réseau de chaleur": (110.0, 0.09, 0.120),
}
HEATING_SHARE = (0.17, 0.15, 0.12, 0.08, 0.04, 0.01, 0.0, 0.0, 0.02, 0.07, 0.13, 0.17)


def write_consommation_batiments(ref: Referential, path: Path, seed: int = 4405) -> int:
    """Monthly consumption, cost and emissions per building and energy of one commune."""
    rng = Random(seed)
    commune = ref.commune("57463")  # Metz
    buildings: list[tuple[str, str, str, int, tuple[str, str]]] = []
    for category, count, (low, high), energies in BUILDINGS:
        for number in range(1, count + 1):
            code = f"BAT-{len(buildings) + 1:04d}"
            name = f"{category} {number:02d}" if count > 1 else category
            buildings.append((code, name, category, rng.randint(low, high), energies))
    months = [d for d in days_between(*ENERGY_PERIOD) if d.day == 1]
    header = [
        "code_batiment",
        "nom_batiment",
        "categorie",
        "code_commune",
        "commune",
        "surface_m2",
        "mois",
        "energie",
        "consommation_kwh",
        "cout_eur",
        "emissions_kgco2e",
    ]
    rows = []
    for code, name, category, surface, energies in buildings:
        efficiency = rng.uniform(0.7, 1.4)
        for month in months:
            for energy in energies:
                per_m2, price, carbon = ENERGY_FACTORS[energy]
                share = 1 / 12 if energy == "Électricité" else HEATING_SHARE[month.month - 1]
                if month.year == 2024:
                    per_m2 *= 0.94  # the sobriety plan at work
                kwh = surface * per_m2 * efficiency * share * rng.uniform(0.9, 1.1)
                rows.append(
                    (
                        code,
                        name,
                        category,
                        commune.code,
                        commune.nom,
                        surface,
                        fr_date(month),
                        energy,
                        fr_number(kwh, 1),
                        fr_number(kwh * price, 2),
                        fr_number(kwh * carbon, 1),
                    )
                )
    return write_table(path, header, rows)
