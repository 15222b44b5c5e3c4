"""Checks on catalog identifiers; each raises ValidationError with a message for a human."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.fr import siren as stdnum_siren

# A territory reference as data.gouv.fr writes spatial zones: fr:<level>:<INSEE code>.
TERRITORY_RE = re.compile(
    r"^fr:(region|departement|epci|commune):([0-9]{2,9}|2[AB][0-9]{3}|2[AB])$"
)


def check_siren(value: str) -> None:
    """Raise unless ``value`` is nine digits whose Luhn key is right."""
    if not stdnum_siren.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid SIREN (nine digits with a Luhn key).") % {"value": value}
        )


def check_territory_codes(values: list[str]) -> None:
    """Raise unless every value looks like ``fr:commune:67482`` (INSEE codes, Corsica included)."""
    if not isinstance(values, list):
        raise ValidationError(_("Spatial coverage must be a list of territory codes."))
    bad = [v for v in values if not isinstance(v, str) or not TERRITORY_RE.match(v)]
    if bad:
        raise ValidationError(
            _("Unknown territory code(s): %(codes)s (expected e.g. fr:commune:67482).")
            % {"codes": ", ".join(map(str, bad))}
        )
