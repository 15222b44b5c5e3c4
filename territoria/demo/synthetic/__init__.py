"""Synthetic demo datasets, written the way French producers write them.

Pure functions, no Django: each ``write_*`` takes the referential, a destination and a seed,
writes one CSV file and returns its row count. Places are real (communes, codes and names of
the COG); the figures are invented. The same inputs always give the same bytes
(``random.Random(seed)``, fixed periods, no clock, no set iteration order), so that reloading
the demo finds an identical checksum and stages no new version.

Most files are what a producer's spreadsheet exports: CP1252, ``;``, CRLF, decimal commas,
dd/mm/yyyy dates, codes with their leading zeros (``08105``, ``08000``, ``01.21Z``). The air
quality file is the other common kind: UTF-8, ``,``, ISO dates, decimal points.
"""

from territoria.demo.synthetic.economy import write_aides_entreprises
from territoria.demo.synthetic.environment import write_consommation_batiments, write_qualite_air
from territoria.demo.synthetic.transport import (
    write_bornes_recharge,
    write_comptages_routiers,
    write_frequentation_gares,
)

__all__ = [
    "write_aides_entreprises",
    "write_bornes_recharge",
    "write_comptages_routiers",
    "write_consommation_batiments",
    "write_frequentation_gares",
    "write_qualite_air",
]
