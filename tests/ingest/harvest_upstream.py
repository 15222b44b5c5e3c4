"""A second Territoria instance, as a real process, for the harvesters' round-trip tests.

It gets its own ``TERRITORIA_HOME`` (its own SQLite database and datastore), is migrated and
seeded through its own CLI, then serves the CKAN, Opendatasoft and DCAT dialects on a free
port of the loopback. ``shell`` runs Python in it (e.g. to rename a slug upstream).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / ".venv" / "bin" / "territoria"

AIR = "date;station;no2;pm10\n01/03/2024;Strasbourg Clemenceau;41,5;22\n02/03/2024;Strasbourg Clemenceau;38,0;19\n03/03/2024;Colmar Centre;21,2;15\n04/03/2024;Colmar Centre;19,9;14\n05/03/2024;Mulhouse Nord;30,1;18\n"  # noqa: E501
POPULATION = "code_insee;commune;population\n67482;Strasbourg;291313\n68066;Colmar;67730\n68224;Mulhouse;105735\n2A004;Ajaccio;71361\n"  # noqa: E501
STOPS = "code;arret;lignes\nSTR001;Homme de Fer;A B C D F\nSTR002;République;B C E F\nSTR003;Gare Centrale;A C D\n"  # noqa: E501

SEED = """
import os
from pathlib import Path
from territoria.catalog.models import Dataset, Resource
from territoria.ingest.services import do_ingest_file
home = Path(os.environ["TERRITORIA_HOME"])
for slug, text, title, access, metadata in DATASETS:
    path = home / f"{slug}.csv"
    path.write_text(text, encoding="utf-8")
    do_ingest_file(path, dataset_slug=slug, org_slug="eurometropole-strasbourg", title=title,
                   access=access, metadata=metadata)
Resource.objects.create(dataset=Dataset.objects.get(slug="arrets-bus"), kind="link",
                        title="Plan du réseau", format="PDF",
                        url="https://www.cts-strasbourg.eu/plan-du-reseau.pdf")
"""

DATASETS = [
    ("qualite-air", AIR, "Qualité de l'air en Alsace", "open", {
        "description": "Mesures **quotidiennes** de NO2 et PM10 par station.",
        "licence": "odbl", "themes": ["ENVI", "HEAL"], "keywords": ["air", "pollution"]}),
    ("population-communes", POPULATION, "Population des communes", "open", {
        "description": "Population municipale (INSEE), codes communes avec leurs zéros.",
        "licence": "lov2", "themes": ["SOCI"], "keywords": ["population"]}),
    ("arrets-bus", STOPS, "Arrêts de tram et de bus", "open", {
        "description": "Les arrêts du réseau CTS et leurs lignes.",
        "licence": "lov2", "themes": ["TRAN"], "keywords": ["transport", "tram"]}),
    ("budget-interne", POPULATION, "Budget interne", "internal", {}),
]  # fmt: skip
ROW_COUNTS = {"qualite-air": 5, "population-communes": 4, "arrets-bus": 3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Upstream:
    """The second instance: ``url``, ``shell(code)``, ``stop()``."""

    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(TERRITORIA_HOME=str(home), TERRITORIA_BASE_URL=self.url)
        self.env.pop("PORT", None)
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> str:
        done = subprocess.run(
            [str(CLI), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"territoria {args[0]} failed: {done.stderr[-2000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.command("shell", "-c", code)

    def seed(self) -> None:
        self.command("migrate", "-v0")
        self.shell(f"DATASETS = {DATASETS!r}\n{SEED}")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CLI), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the second instance did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


__all__ = ["ROW_COUNTS", "Upstream", "free_port"]
