"""What the demo region publishes: its producers and their datasets, with DCAT-AP metadata.

Plain data, no Django: the loader turns these specifications into catalog objects. Public
bodies are real, with their real SIREN (from the referential where it carries one); the
operator, the association and the company are invented and say so. Every synthetic dataset
says in its first words that it is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from territoria.demo import referential, synthetic
from territoria.demo.referential import GRAND_EST, Referential
from territoria.demo.synthetic.economy import GRANT_PERIOD
from territoria.demo.synthetic.environment import AIR_PERIOD, ENERGY_PERIOD
from territoria.demo.synthetic.transport import TER_PERIOD, TRAFFIC_PERIOD

REGION_SIREN = "200052264"  # Région Grand Est
INSEE_SIREN = "120027016"  # Institut national de la statistique et des études économiques
METZ = "57463"
EUROMETROPOLE_SIREN = "246700488"

SYNTHETIC_NOTICE = (
    "**Données synthétiques générées pour la démonstration de Territoria.** Les communes "
    "(codes et noms) sont réelles, issues du Code officiel géographique de l'INSEE ; toutes "
    "les valeurs sont inventées, de façon reproductible, et ne décrivent aucune réalité."
)
FICTIONAL_PRODUCER = (
    "Organisation fictive, inventée pour la démonstration de Territoria : ses jeux de données "
    "sont synthétiques."
)
FRENCH_CSV = (
    "Fichier CSV tel que l'exporte un tableur : encodage Windows-1252, séparateur point-virgule, "
    "virgule décimale, dates au format jj/mm/aaaa, codes INSEE et postaux avec leurs zéros "
    "initiaux."
)


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str  # catalog.enums.OrganisationKind value
    siren: str = ""
    website: str = ""
    description: str = ""


@dataclass(frozen=True)
class DemoDataset:
    slug: str
    title: str
    organisation: str  # slug of a DemoOrganisation
    access: str  # catalog.enums.AccessLevel value
    filename: str
    write: Callable[[Referential, Path], int]  # writes the file, returns its row count
    metadata: dict[str, Any] = field(default_factory=dict)  # Dataset fields (DCAT-AP)
    synthetic: bool = True


def demo_organisations(ref: Referential) -> list[DemoOrganisation]:
    metz = ref.commune(METZ)
    eurometropole = next(e for e in ref.epci if e.siren == EUROMETROPOLE_SIREN)
    return [
        DemoOrganisation(
            "region-grand-est",
            "Région Grand Est",
            "region",
            REGION_SIREN,
            "https://www.grandest.fr",
            "Collectivité régionale, tiers de confiance des données de son territoire. "
            "Les jeux de données qu'elle publie dans cette démonstration sont synthétiques.",
        ),
        DemoOrganisation(
            "insee",
            "Institut national de la statistique et des études économiques (INSEE)",
            "public-body",
            INSEE_SIREN,
            "https://www.insee.fr",
            "Publie le Code officiel géographique (COG) : les référentiels territoriaux de la "
            "démonstration sont réels.",
        ),
        DemoOrganisation(
            "ville-de-metz",
            f"Ville de {metz.nom}",
            "commune",
            metz.siren,
            "https://metz.fr",
            "Commune de Moselle. Les données qu'elle publie dans cette démonstration sont "
            "synthétiques.",
        ),
        DemoOrganisation(
            "eurometropole-de-strasbourg",
            eurometropole.nom,
            "epci",
            eurometropole.siren,
            "https://www.strasbourg.eu",
            "Métropole de 33 communes du Bas-Rhin. Les données qu'elle publie dans cette "
            "démonstration sont synthétiques.",
        ),
        DemoOrganisation(
            "est-rail-voyageurs",
            "Est Rail Voyageurs",
            "transport-operator",
            description=f"Opérateur ferroviaire régional. {FICTIONAL_PRODUCER}",
        ),
        DemoOrganisation(
            "airest-mesures",
            "AirEst Mesures",
            "association",
            description=f"Association de surveillance de la qualité de l'air. {FICTIONAL_PRODUCER}",
        ),
        DemoOrganisation(
            "est-recharge",
            "Est Recharge",
            "company",
            description=f"Opérateur de bornes de recharge. {FICTIONAL_PRODUCER}",
        ),
    ]


def referential_datasets(ref: Referential) -> list[DemoDataset]:
    """The COG as INSEE's open datasets: real data, Licence Ouverte 2.0."""
    source = (
        f"Source : {referential.SOURCE_LABEL}. Communes actuelles au sens du COG "
        "(hors communes déléguées et associées)."
    )
    common = {
        "themes": ["REGI", "GOVE"],
        "keywords": ["référentiel", "code officiel géographique", "COG", "INSEE"],
        "licence": "lov2",
        "contact_name": "INSEE, service du Code officiel géographique",
        "contact_email": "cog@insee.example",
        "frequency": "ANNUAL",
        "temporal_start": date(2024, 1, 1),
    }
    region = [f"fr:region:{GRAND_EST}"]
    regions = sorted(f"fr:region:{r.code}" for r in ref.regions if len(r.code) == 2)
    return [
        DemoDataset(
            "communes-grand-est",
            "Communes de la région Grand Est",
            "insee",
            "open",
            "communes-grand-est.csv",
            referential.write_communes,
            {
                **common,
                "spatial": region,
                "description": (
                    "Les communes de la région Grand Est : code INSEE, nom, département, "
                    "arrondissement, EPCI d'appartenance (SIREN), codes postaux, population "
                    f"municipale et SIREN de la commune.\n\n{source}"
                ),
            },
            synthetic=False,
        ),
        DemoDataset(
            "epci-grand-est",
            "Intercommunalités (EPCI) de la région Grand Est",
            "insee",
            "open",
            "epci-grand-est.csv",
            referential.write_epci,
            {
                **common,
                "spatial": region,
                "description": (
                    "Les établissements publics de coopération intercommunale à fiscalité propre "
                    "ayant au moins une commune membre en Grand Est : SIREN, nom, nature "
                    f"(CC, CA, CU, métropole), mode de financement, population.\n\n{source}"
                ),
            },
            synthetic=False,
        ),
        DemoDataset(
            "departements-grand-est",
            "Départements de la région Grand Est",
            "insee",
            "open",
            "departements-grand-est.csv",
            referential.write_departements,
            {
                **common,
                "spatial": region,
                "description": (
                    "Les dix départements de la région Grand Est, leur chef-lieu, leur nombre de "
                    f"communes et leur population municipale.\n\n{source}"
                ),
            },
            synthetic=False,
        ),
        DemoDataset(
            "regions-france",
            "Régions de France",
            "insee",
            "open",
            "regions-france.csv",
            referential.write_regions,
            {
                **common,
                "spatial": regions,
                "description": (
                    "Les dix-huit régions françaises (métropole et outre-mer), leur chef-lieu, "
                    f"leur nombre de départements et de communes.\n\n{source}"
                ),
            },
            synthetic=False,
        ),
    ]


def synthetic_datasets(ref: Referential) -> list[DemoDataset]:
    region = [f"fr:region:{GRAND_EST}"]
    return [
        DemoDataset(
            "frequentation-gares-ter",
            "Fréquentation quotidienne des gares TER Grand Est",
            "est-rail-voyageurs",
            "open",
            "frequentation-gares-ter.csv",
            synthetic.write_frequentation_gares,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE}\n\nMontées et descentes par jour dans les 150 gares "
                    "les plus fréquentées du réseau TER Grand Est, avec le nombre de trains "
                    "programmés et le taux de régularité (en %). Les jours fériés, dont ceux "
                    "du droit local d'Alsace-Moselle, et quelques jours de grève y pèsent.\n\n"
                    f"{FRENCH_CSV}"
                ),
                "themes": ["TRAN"],
                "domains": ["transport"],
                "keywords": ["TER", "gare", "fréquentation", "voyageurs", "ferroviaire"],
                "licence": "lov2",
                "spatial": region,
                "frequency": "MONTHLY",
                "contact_name": "Est Rail Voyageurs, service données",
                "contact_email": "donnees@est-rail-voyageurs.example",
                "temporal_start": TER_PERIOD[0],
                "temporal_end": TER_PERIOD[1],
            },
        ),
        DemoDataset(
            "bornes-recharge-vehicules-electriques",
            "Bornes de recharge pour véhicules électriques en Grand Est",
            "est-recharge",
            "open",
            "bornes-recharge-vehicules-electriques.csv",
            synthetic.write_bornes_recharge,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE}\n\nStations de recharge de quatre opérateurs "
                    "(fictifs), inspirées du schéma IRVE statique : identifiant, opérateur et "
                    "son SIRET, commune, coordonnées (latitude, longitude en WGS84), puissance "
                    "nominale en kW, prises, gratuité, date de mise en service.\n\n"
                    f"{FRENCH_CSV}"
                ),
                "themes": ["ENER", "TRAN"],
                "domains": ["transport", "environnement-amenagement"],
                "keywords": ["IRVE", "borne de recharge", "véhicule électrique", "mobilité"],
                "licence": "odbl",
                "spatial": region,
                "frequency": "WEEKLY",
                "contact_name": "Est Recharge, pôle données",
                "contact_email": "opendata@est-recharge.example",
                "temporal_start": date(2015, 1, 1),
                "temporal_end": date(2024, 12, 31),
            },
        ),
        DemoDataset(
            "qualite-air-mesures-journalieres",
            "Qualité de l'air : mesures journalières (NO2, PM10, O3)",
            "airest-mesures",
            "open",
            "qualite-air-mesures-journalieres.csv",
            synthetic.write_qualite_air,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE}\n\nMoyennes journalières de dioxyde d'azote, de "
                    "particules PM10 et d'ozone (µg/m³) par station de mesure, avec l'indice "
                    "ATMO du jour. Quelques valeurs manquent, comme dans toute série réelle.\n\n"
                    "Fichier CSV en UTF-8, séparateur virgule, point décimal, dates ISO 8601."
                ),
                "themes": ["ENVI", "HEAL"],
                "domains": ["environnement-amenagement"],
                "keywords": ["qualité de l'air", "pollution", "NO2", "PM10", "ozone", "ATMO"],
                "licence": "odbl",
                "spatial": region,
                "frequency": "DAILY",
                "contact_name": "AirEst Mesures, observatoire",
                "contact_email": "contact@airest-mesures.example",
                "temporal_start": AIR_PERIOD[0],
                "temporal_end": AIR_PERIOD[1],
            },
        ),
        DemoDataset(
            "aides-regionales-entreprises",
            "Aides régionales aux entreprises",
            "region-grand-est",
            "open",
            "aides-regionales-entreprises.csv",
            synthetic.write_aides_entreprises,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE} Les entreprises, leurs noms et leurs SIRET sont "
                    "inventés.\n\nAides décidées par la Région aux entreprises : numéro de "
                    "dossier, date de décision, SIRET et raison sociale du bénéficiaire, code "
                    "NAF, commune, dispositif, nature et montant de l'aide en euros.\n\n"
                    f"{FRENCH_CSV}"
                ),
                "themes": ["ECON"],
                "domains": ["economie"],
                "keywords": ["aides aux entreprises", "subvention", "développement économique"],
                "licence": "lov2",
                "spatial": region,
                "frequency": "QUARTERLY",
                "contact_name": "Région Grand Est, direction de la compétitivité",
                "contact_email": "open-data@grandest.example",
                "temporal_start": GRANT_PERIOD[0],
                "temporal_end": GRANT_PERIOD[1],
            },
        ),
        DemoDataset(
            "consommation-energie-batiments-communaux",
            "Consommation d'énergie des bâtiments communaux de Metz",
            "ville-de-metz",
            "internal",
            "consommation-energie-batiments-communaux.csv",
            synthetic.write_consommation_batiments,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE}\n\nRelevés mensuels par bâtiment communal (écoles, "
                    "gymnases, piscines…) et par énergie : consommation en kWh, coût en euros, "
                    "émissions en kgCO2e. Jeu interne au service énergie : il n'est visible "
                    "que du bureau des données.\n\n"
                    f"{FRENCH_CSV}"
                ),
                "themes": ["ENER", "ENVI", "GOVE"],
                "domains": ["environnement-amenagement"],
                "keywords": ["énergie", "bâtiments publics", "sobriété", "patrimoine"],
                "licence": "other",
                "licence_name": "Usage interne, non diffusable",
                "spatial": [f"fr:commune:{METZ}"],
                "frequency": "MONTHLY",
                "contact_name": "Ville de Metz, service énergie",
                "contact_email": "energie@metz.example",
                "temporal_start": ENERGY_PERIOD[0],
                "temporal_end": date(2024, 12, 31),
            },
        ),
        DemoDataset(
            "comptages-routiers-eurometropole",
            "Comptages routiers journaliers de l'Eurométropole de Strasbourg",
            "eurometropole-de-strasbourg",
            "partners",
            "comptages-routiers-eurometropole.csv",
            synthetic.write_comptages_routiers,
            {
                "description": (
                    f"{SYNTHETIC_NOTICE}\n\nDébit journalier de véhicules, part des poids "
                    "lourds et vitesse moyenne à 40 capteurs, avec leurs coordonnées. Réservé "
                    "aux partenaires du club sous convention.\n\n"
                    f"{FRENCH_CSV}"
                ),
                "themes": ["TRAN"],
                "domains": ["transport"],
                "keywords": ["trafic routier", "comptage", "mobilité", "poids lourds"],
                "licence": "other",
                "licence_name": "Convention de partenariat Territoria",
                "spatial": [f"fr:epci:{EUROMETROPOLE_SIREN}"],
                "frequency": "DAILY",
                "contact_name": "Eurométropole de Strasbourg, mission données",
                "contact_email": "donnees@strasbourg.example",
                "temporal_start": TRAFFIC_PERIOD[0],
                "temporal_end": TRAFFIC_PERIOD[1],
            },
        ),
    ]


def demo_datasets(ref: Referential) -> list[DemoDataset]:
    return referential_datasets(ref) + synthetic_datasets(ref)
