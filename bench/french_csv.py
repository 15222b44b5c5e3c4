"""A synthetic French CSV, as a region's producers export it, generated deterministically.

Latin-1 (bytes 0x80–0x9F never appear, so it is also valid Windows-1252), ``;`` between
fields, decimal commas, ``dd/mm/yyyy`` dates, INSEE and postal codes with leading zeros
(Corsica ``2A``/``2B``), 14-digit SIRET numbers, accented text, and about 3 % of blank values
in the quantities. The same ``seed`` and ``rows`` give the same bytes on every machine.

The file is written in blocks: generating 5 GB holds a few megabytes in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

HEADER = (
    "Code INSEE;Commune;Code postal;SIRET;Date de création;Montant;Surface (km²);"
    "Population;Catégorie;Libellé"
)
ENCODING = "latin-1"
BLOCK_ROWS = 10_000

_DEPARTEMENTS = (
    [f"{d:02d}" for d in range(1, 20)] + ["2A", "2B"] + [f"{d:02d}" for d in range(21, 96)]
)
_SYLLABLES = (
    "Sainte", "Saint", "Val", "Mont", "Châ", "teau", "Bel", "Orl", "éans", "Bourg", "Vil",
    "le", "neuve", "Pré", "Mézi", "ères", "Clé", "men", "ciat", "Île", "Noë", "Fon", "taine",
    "Gué", "Roche", "Aube", "Brû", "lon", "Ça", "vaux", "Hô", "pital",
)  # fmt: skip
_CATEGORIES = (
    "Commerce", "Artisanat", "Agriculture", "Industrie", "Services à la personne",
    "Hôtellerie-restauration", "Santé", "Éducation", "Transport", "Construction",
    "Énergie", "Associations",
)  # fmt: skip
_ACTIVITIES = (
    "Boulangerie", "Épicerie", "Garage", "Salon de coiffure", "Pharmacie", "Café",
    "Ferme", "Cabinet médical", "École", "Menuiserie", "Crèche", "Hôtel", "Librairie",
    "Boucherie", "Atelier", "Maison de santé",
)  # fmt: skip
_PLACES = (
    "de l'église", "du marché", "des écoles", "de la gare", "du château", "de la forêt",
    "des prés", "du moulin", "de la rivière", "du vieux pont", "de l'hôtel de ville",
)  # fmt: skip


def _communes(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """``count`` made-up communes: (INSEE code, name, postal code)."""
    communes = []
    for _ in range(count):
        dep = rng.choice(_DEPARTEMENTS)
        insee = f"{dep}{rng.randrange(1, 1000):03d}"
        postal = ("20" if dep in ("2A", "2B") else dep) + f"{rng.randrange(0, 1000):03d}"
        parts = [rng.choice(_SYLLABLES) for _ in range(rng.randrange(2, 4))]
        name = parts[0].capitalize() + "-" + "".join(parts[1:]).lower().capitalize()
        communes.append((insee, name, postal))
    return communes


def rows(count: int, seed: int = 2024) -> Iterator[str]:
    """The ``count`` data lines (each ending with a newline), in blocks of ``BLOCK_ROWS``."""
    rng = random.Random(seed)
    communes = _communes(rng, 5000)
    labels = [f"{a} {p}" for a in _ACTIVITIES for p in _PLACES]
    for start in range(0, count, BLOCK_ROWS):
        lines = []
        for _ in range(min(BLOCK_ROWS, count - start)):
            insee, name, postal = communes[rng.randrange(5000)]
            siret = f"{rng.randrange(10**13, 10**14)}"
            day, month = rng.randrange(1, 29), rng.randrange(1, 13)
            day = f"{day:02d}/{month:02d}/{rng.randrange(1990, 2025)}"
            cents = rng.randrange(-50_000, 5_000_000)
            amount = "" if rng.random() < 0.03 else f"{cents / 100:.2f}"
            surface = f"{rng.randrange(10, 50_000) / 100:.2f}"
            population = "" if rng.random() < 0.03 else str(rng.randrange(10, 500_000))
            category = _CATEGORIES[rng.randrange(len(_CATEGORIES))]
            label = f"{labels[rng.randrange(len(labels))]} n°{rng.randrange(1, 300)}"
            lines.append(
                f"{insee};{name};{postal};{siret};{day};{amount.replace('.', ',')};"
                f"{surface.replace('.', ',')};{population};{category};{label}\n"
            )
        yield "".join(lines)


def write_csv(path: Path, row_count: int, seed: int = 2024) -> Path:
    """Write the file (header and ``row_count`` lines) to ``path``, through a ``.part`` file
    renamed at the end: an interrupted generation never leaves a short file behind."""
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding=ENCODING, newline="") as out:
        out.write(HEADER + "\n")
        for block in rows(row_count, seed):
            out.write(block)
    part.rename(path)
    return path
