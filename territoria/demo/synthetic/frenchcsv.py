"""How French producers' spreadsheets write CSV, and the identifiers they carry (SIRET)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from random import Random

from stdnum import luhn

from territoria.demo.referential import Commune


def fr_number(value: float, digits: int) -> str:
    """``1234.5`` → ``"1234,50"`` (digits=2): the decimal comma, no thousands separator."""
    return f"{value:.{digits}f}".replace(".", ",")


def fr_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "cp1252",
    delimiter: str = ";",
) -> int:
    """Write rows as a spreadsheet would export them; returns the number of data rows.

    CP1252 files end lines with CRLF, as Excel on Windows does; UTF-8 files with LF.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(
            handle, delimiter=delimiter, lineterminator="\r\n" if encoding == "cp1252" else "\n"
        )
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def make_siret(rng: Random) -> str:
    """A 14-digit SIRET with valid Luhn keys on both the SIREN and the SIRET.

    The first digit is 3–9: SIREN starting with 1 or 2 belong to the State and local bodies.
    """
    siren = str(rng.randint(3, 9)) + f"{rng.randrange(10**7):07d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.choice((1, 1, 1, 2, 3, 4)):04d}"  # head office first: 0001 + key
    return siren + nic + luhn.calc_check_digit(siren + nic)


def weighted_communes(rng: Random, communes: Sequence[Commune], k: int) -> list[Commune]:
    """``k`` communes drawn with probability proportional to population (plus a floor)."""
    weights = [c.population + 200 for c in communes]
    return rng.choices(communes, weights=weights, k=k)


def elide(preposition: str, name: str) -> str:
    """``de`` + ``Épinal`` → ``d'Épinal``; ``de`` + ``Metz`` → ``de Metz``."""
    if preposition == "de" and name[:1].lower() in "aeiouyéèêâîôh":
        return f"d'{name}"
    return f"{preposition} {name}"
