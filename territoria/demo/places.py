"""Approximate centres of some Grand Est communes, to put synthetic points *near* a real place.

The COG has no coordinates, and the demo must not need a download beyond the COG archive, so
the town centres of the communes the synthetic datasets use are written here (WGS84 degrees,
rounded to about 100 m). They only anchor generated points: a charging point "in Metz" lies
within a few kilometres of (49.1193, 6.1757), never in the Vosges.
"""

from __future__ import annotations

import math
from random import Random

# INSEE code -> (latitude, longitude). Codes are checked against the referential by the tests.
COMMUNE_CENTRES: dict[str, tuple[float, float]] = {
    "08105": (49.7621, 4.7266),  # Charleville-Mézières
    "08362": (49.5097, 4.3672),  # Rethel
    "08409": (49.7019, 4.9403),  # Sedan
    "10033": (48.2333, 4.7067),  # Bar-sur-Aube
    "10323": (48.5167, 3.7267),  # Romilly-sur-Seine
    "10387": (48.2973, 4.0744),  # Troyes
    "51108": (48.9566, 4.3631),  # Châlons-en-Champagne
    "51230": (49.0403, 3.9596),  # Épernay
    "51454": (49.2583, 4.0317),  # Reims
    "51649": (48.7247, 4.5844),  # Vitry-le-François
    "52121": (48.1113, 5.1392),  # Chaumont
    "52269": (47.8626, 5.3331),  # Langres
    "52448": (48.6383, 4.9497),  # Saint-Dizier
    "54323": (49.5197, 5.7606),  # Longwy
    "54329": (48.5894, 6.4967),  # Lunéville
    "54395": (48.6921, 6.1844),  # Nancy
    "54431": (48.9053, 6.0547),  # Pont-à-Mousson
    "54528": (48.6750, 5.8917),  # Toul
    "54547": (48.6567, 6.1683),  # Vandœuvre-lès-Nancy
    "55029": (48.7727, 5.1610),  # Bar-le-Duc
    "55122": (48.7633, 5.5917),  # Commercy
    "55545": (49.1598, 5.3844),  # Verdun
    "57160": (49.2053, 6.6958),  # Creutzwald
    "57227": (49.1880, 6.8960),  # Forbach
    "57306": (49.3300, 6.0600),  # Hayange
    "57463": (49.1193, 6.1757),  # Metz
    "57480": (49.1000, 6.1500),  # Montigny-lès-Metz
    "57606": (49.1047, 6.7064),  # Saint-Avold
    "57630": (48.7350, 7.0539),  # Sarrebourg
    "57631": (49.1100, 7.0683),  # Sarreguemines
    "57672": (49.3579, 6.1683),  # Thionville
    "57757": (49.3556, 6.1903),  # Yutz
    "67180": (48.8156, 7.7906),  # Haguenau
    "67218": (48.5300, 7.7150),  # Illkirch-Graffenstaden
    "67300": (48.5417, 7.4922),  # Molsheim
    "67348": (48.4622, 7.4819),  # Obernai
    "67437": (48.7415, 7.3623),  # Saverne
    "67447": (48.6078, 7.7500),  # Schiltigheim
    "67462": (48.2594, 7.4542),  # Sélestat
    "67482": (48.5734, 7.7521),  # Strasbourg
    "67544": (49.0372, 7.9456),  # Wissembourg
    "68066": (48.0794, 7.3585),  # Colmar
    "68112": (47.9100, 7.2100),  # Guebwiller
    "68224": (47.7508, 7.3359),  # Mulhouse
    "68297": (47.5900, 7.5600),  # Saint-Louis
    "88160": (48.1724, 6.4496),  # Épinal
    "88196": (48.0722, 6.8778),  # Gérardmer
    "88383": (48.0167, 6.5917),  # Remiremont
    "88413": (48.2846, 6.9492),  # Saint-Dié-des-Vosges
}

# A box around the région (its extreme points are about 47.42–50.17 N and 3.38–8.24 E).
GRAND_EST_BBOX = (47.40, 3.35, 50.20, 8.25)  # south, west, north, east

EARTH_KM_PER_DEGREE = 111.2


def point_near(rng: Random, centre: tuple[float, float], radius_km: float) -> tuple[float, float]:
    """A point drawn uniformly in the disc of ``radius_km`` around ``centre``."""
    distance = radius_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    lat, lon = centre
    dlat = distance * math.cos(bearing) / EARTH_KM_PER_DEGREE
    dlon = distance * math.sin(bearing) / (EARTH_KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), enough to check that a point is near its commune."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
