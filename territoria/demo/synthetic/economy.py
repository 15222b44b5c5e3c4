"""Economy: the grants the Région decided for companies (SIRET, amounts, schemes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from random import Random

from territoria.demo.referential import Commune, Referential
from territoria.demo.synthetic.frenchcsv import (
    elide,
    fr_date,
    fr_number,
    make_siret,
    weighted_communes,
    write_table,
)

# --- (d) regional grants to companies: SIRET with valid keys --------------------------------

GRANT_PERIOD = (date(2021, 1, 1), date(2024, 12, 31))
GRANT_SCHEMES = (  # (scheme, nature, minimum €, maximum €, weight)
    ("Soutien à l'investissement des PME", "Subvention", 5_000, 200_000, 30),
    ("Innovation et recherche", "Avance remboursable", 20_000, 500_000, 15),
    ("Transition énergétique des entreprises", "Subvention", 3_000, 150_000, 20),
    ("Export et international", "Subvention", 2_000, 40_000, 15),
    ("Rebond", "Prêt à taux zéro", 10_000, 300_000, 10),
    ("Artisanat et commerce de proximité", "Subvention", 1_500, 25_000, 25),
)
NAF = (  # (code, label, words for a company name)
    ("01.21Z", "Culture de la vigne", ("Domaine", "Vignobles")),
    ("10.71C", "Boulangerie et boulangerie-pâtisserie", ("Boulangerie", "Fournil")),
    ("11.02A", "Fabrication de vins effervescents", ("Maison", "Caves")),
    ("16.23Z", "Fabrication de charpentes et d'autres menuiseries", ("Menuiserie", "Charpentes")),
    ("20.59Z", "Fabrication d'autres produits chimiques n.c.a.", ("Chimie", "Laboratoires")),
    (
        "22.29A",
        "Fabrication de pièces techniques à base de matières plastiques",
        ("Plasturgie", "Polymères"),
    ),
    ("25.62B", "Mécanique industrielle", ("Mécanique", "Usinage")),
    ("28.29B", "Fabrication d'autres machines d'usage général", ("Machines", "Équipements")),
    ("43.22A", "Travaux d'installation d'eau et de gaz en tous locaux", ("Plomberie", "Thermique")),
    ("49.41A", "Transports routiers de fret interurbains", ("Transports", "Logistique")),
    ("55.10Z", "Hôtels et hébergement similaire", ("Hôtel", "Auberge")),
    ("56.10A", "Restauration traditionnelle", ("Brasserie", "Restaurant")),
    ("62.01Z", "Programmation informatique", ("Numérique", "Logiciels")),
    (
        "72.19Z",
        "Recherche-développement en autres sciences physiques et naturelles",
        ("Recherche", "Innovations"),
    ),
)
LANDS = (
    "du Rhin",
    "de la Moselle",
    "des Vosges",
    "d'Alsace",
    "de Lorraine",
    "de Champagne",
    "des Ardennes",
    "de l'Argonne",
    "du Ried",
    "de la Meuse",
    "du Kochersberg",
    "de l'Aube",
    "du Sundgau",
    "du Vignoble",
    "de la Sarre",
    "du Der",
    "du Saulnois",
    "de la Bresse",
)
LEGAL_FORMS = ("SAS", "SARL", "SAS", "SARL", "SA", "SCOP", "EURL", "SASU")


def company_name(rng: Random, words: Sequence[str], commune: Commune) -> str:
    word = rng.choice(words)
    place = rng.choice(LANDS) if rng.random() < 0.6 else elide("de", commune.nom)
    suffix = rng.choice(("", "", " Industrie", " Services", " & Associés", " Concept"))
    return f"{word} {place}{suffix}"


def write_aides_entreprises(ref: Referential, path: Path, seed: int = 4404) -> int:
    """Grants decided by the Région to 2,500 companies over four years (some get several)."""
    rng = Random(seed)
    communes = sorted(ref.communes_of_region(), key=lambda c: c.code)
    companies = []
    for commune in weighted_communes(rng, communes, 2500):
        code, label, words = rng.choice(NAF)
        name = company_name(rng, words, commune)
        companies.append((make_siret(rng), name, rng.choice(LEGAL_FORMS), code, label, commune))
    scheme_weights = [s[4] for s in GRANT_SCHEMES]
    start, end = GRANT_PERIOD
    span = (end - start).days + 1
    grants = []
    for _ in range(3600):
        company = rng.choice(companies)
        scheme = rng.choices(GRANT_SCHEMES, weights=scheme_weights)[0]
        low, high = scheme[2], scheme[3]
        amount = min(high, max(low, low * rng.lognormvariate(1.2, 0.9)))
        grants.append((start + timedelta(days=rng.randrange(span)), company, scheme, amount))
    grants.sort(key=lambda g: (g[0], g[1][0]))
    header = [
        "numero_dossier",
        "date_decision",
        "siret",
        "raison_sociale",
        "forme_juridique",
        "code_naf",
        "libelle_naf",
        "code_commune",
        "commune",
        "code_postal",
        "departement",
        "dispositif",
        "nature_aide",
        "montant_eur",
    ]
    rows = []
    for number, (decided, company, scheme, amount) in enumerate(grants, start=1):
        siret, name, form, naf, label, commune = company
        rows.append(
            (
                f"AD-{decided.year}-{number:05d}",
                fr_date(decided),
                siret,
                name,
                form,
                naf,
                label,
                commune.code,
                commune.nom,
                commune.codes_postaux[0],
                commune.departement,
                scheme[0],
                scheme[1],
                fr_number(round(amount, -2), 2),
            )
        )
    return write_table(path, header, rows)
