"""Personal data recognised in one value: the exact checks and masks of the personal-data scan.

Pure functions over strings (no DuckDB, no Django): ``datastore/personal_data.py`` pre-filters
the values in SQL and calls these on what is left. Each ``find_*`` returns the masked form of
every match in the value (a free-text cell may hold several), so that no example shown to a
steward repeats the personal data it warns about.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from territoria.datastore.personal_names import FIRST_NAMES, SURNAMES


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: vocabularies written as prose."""
    return frozenset(text.split())


# Separators producers put inside numbers: spaces (also no-break), dots, dashes.
_SEP = r"[\s.\-\u00a0]?"

# A French number: +33 / 0033 / 0, an optional "(0)", then 9 digits in any grouping.
# The digit after the prefix tells the kind: 6 and 7 are mobiles, 1-5 and 9 geographic or
# VoIP lines, 8 service numbers (never a person's).
PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33" + _SEP + r"(?:\(0\)" + _SEP + r")?|\(0\)" + _SEP + r"|0)"
    r"([1-79])((?:" + _SEP + r"\d){8})(?!\d)"
)

# A NIR: sex, year, month, department (2A/2B for Corsica), commune, order, then the key.
NIR = re.compile(
    r"(?<![\dA-Za-z])([1-478])" + _SEP + r"(\d{2})" + _SEP + r"(\d{2})" + _SEP
    + r"(\d{2}|2[ABab])" + _SEP + r"(\d{3})" + _SEP + r"(\d{3})(?:" + _SEP + r"(\d{2}))?(?!\d)"
)  # fmt: skip

# "[at]", "(at)", " arobase " are how people hide an address from robots; still an address.
EMAIL = re.compile(
    r"([A-Za-z0-9][\w.+\-]*)\s*(?:@|\[at\]|\(at\)|\sarobase\s)\s*([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)",
    re.IGNORECASE,
)

IBAN = re.compile(
    r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?)(?![A-Z0-9])"
)

SIRET = re.compile(r"(?<!\d)(\d{3}[ ]?\d{3}[ ]?\d{3}[ ]?\d{5})(?!\d)")

DATE = re.compile(r"^\s*(?:(\d{4})-(\d{2})-(\d{2})|(\d{2})[/.\-](\d{2})[/.\-](\d{4}))")

# Civility + a capitalised word: a person named inside free text ("vu avec Mme Durand").
CIVILITY = re.compile(r"\b(?:M\.|Mme|Mlle|Monsieur|Madame|Mademoiselle|Me|Dr)\s+([A-ZÀ-Ý][\w\-']+)")

# Mailboxes of services, not of a person: "contact@", "mairie@"...
GENERIC_MAILBOXES = words(
    "accueil admin administration bonjour commande communication compta comptabilite contact "
    "courrier direction dpo ecole hello info infos information informations mairie marches "
    "no-reply noreply office presse rdv reservation reservations rh secretariat service "
    "services standard support webmaster"
)


def fold(text: str) -> str:
    """``text`` lower-cased, accents removed: "Prénom" -> "prenom"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def personal_mailbox(local: str) -> bool:
    """Whether the part before "@" names a person: a first name or a surname in it, or the
    "initial.name" shape ("j.dupont"); "contact", "piscine", "mairie.accueil" do not."""
    parts = [p for p in re.split(r"[._\-+]", fold(local)) if p]
    if not parts or any(p in GENERIC_MAILBOXES for p in parts):
        return False
    if any(p in FIRST_NAMES or p in SURNAMES for p in parts):
        return True
    return len(parts) == 2 and all(p.isalpha() for p in parts) and min(map(len, parts)) <= 2


def find_emails(value: str) -> list[str]:
    """Masked e-mail addresses of persons in ``value`` (service mailboxes left out)."""
    found = []
    for match in EMAIL.finditer(value):
        local, domain = match.group(1), match.group(2)
        if not personal_mailbox(local):
            continue
        name, _, tld = domain.rpartition(".")
        found.append(f"{local[0]}***@{name[0]}***.{tld}")
    return found


def find_phones(value: str, *, mobiles_only: bool) -> list[str]:
    """Masked French phone numbers in ``value``, as ``06 ** ** ** 78``.

    Service numbers (08) never count; with ``mobiles_only``, only 06/07 numbers count
    (a landline in open data is usually a service's switchboard).
    """
    found = []
    for match in PHONE.finditer(value):
        first, rest = match.group(1), re.sub(r"\D", "", match.group(2))
        if first == "8" or (mobiles_only and first not in "67"):
            continue
        found.append(f"0{first} ** ** ** {rest[-2:]}")
    return found


def _nir_month_ok(month: str) -> bool:
    # 01-12, 20 and 30-42 (unknown or provisional months), 50-99 (registered abroad).
    number = int(month)
    return 1 <= number <= 12 or number == 20 or 30 <= number <= 42 or number >= 50


def find_nirs(value: str, *, without_key: bool = False) -> list[str]:
    """Masked NIRs (social security numbers) in ``value``, as ``1 85 ** ** *** *** 42``.

    A NIR with its key counts when the key checks (Corsica's 2A/2B included); one without
    its key only with ``without_key`` (the column's name says it holds NIRs).
    """
    found = []
    for match in NIR.finditer(value):
        sex, year, month, _, _, _, key = match.groups()
        if not _nir_month_ok(month):
            continue
        digits = "".join(g for g in match.groups() if g).upper()
        if key is None and not without_key:
            continue
        if key is not None and not stdnum_nir.is_valid(digits):
            continue
        found.append(f"{sex} {year} ** ** *** ***" + (f" {key}" if key else ""))
    return found


def find_ibans(value: str) -> list[str]:
    """Masked valid IBANs in ``value``, as ``FR76 **** **** **89``."""
    found = []
    for match in IBAN.finditer(value.upper()):
        compact = match.group(1).replace(" ", "")
        if stdnum_iban.is_valid(compact):
            found.append(f"{compact[:4]} **** **** **{compact[-2:]}")
    return found


def find_sirets(value: str) -> list[str]:
    """Masked valid SIRET numbers in ``value``, as ``732 *** *** **014``."""
    found = []
    for match in SIRET.finditer(value):
        compact = match.group(1).replace(" ", "")
        if stdnum_siret.is_valid(compact):
            found.append(f"{compact[:3]} *** *** **{compact[-3:]}")
    return found


def birth_date(value: str, today: date) -> str | None:
    """The masked date (``1985-**-**``) when ``value`` is a plausible birth date, else None."""
    match = DATE.match(value)
    if match is None:
        return None
    year, month, day = (
        match.group(1, 2, 3) if match.group(1) else (match.group(6), match.group(5), match.group(4))
    )
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if not 1900 <= when.year <= today.year or when > today:
        return None
    return f"{year[:2]}**-**-**"


def _tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", fold(value).strip()) if t]


def is_first_name(value: str) -> bool:
    """Whether ``value``'s first word is a French first name ("Marie", "jean-pierre")."""
    tokens = _tokens(value)
    if not tokens:
        return False
    first = tokens[0]
    return first in FIRST_NAMES or all(part in FIRST_NAMES for part in first.split("-"))


def is_surname(value: str) -> bool:
    """Whether ``value`` is one word (or two) found among frequent French surnames."""
    tokens = _tokens(value)
    return 0 < len(tokens) <= 2 and all(t in SURNAMES for t in tokens[:1])


def is_full_name(value: str) -> bool:
    """Whether ``value`` reads as "Prénom Nom" or "NOM Prénom": two or three words, the first
    or the last a first name, and the others not that of a place or an organisation."""
    tokens = _tokens(value)
    if not 2 <= len(tokens) <= 3 or any(not t.replace("-", "").isalpha() for t in tokens):
        return False
    if tokens[0] in NOT_PERSON_WORDS or tokens[-1] in NOT_PERSON_WORDS:
        return False
    return tokens[0] in FIRST_NAMES or tokens[-1] in FIRST_NAMES


# Words that make a name a place or an organisation: "Saint Jean", "École Marie Curie".
NOT_PERSON_WORDS = words(
    "saint sainte st ste ecole college lycee rue avenue place mairie association centre "
    "maison residence parc stade gymnase piscine salle eglise chapelle hopital clinique club "
    "le la les de du des sur sous"
)


def masked_text(value: str, keep: int = 1) -> str:
    """The first ``keep`` characters of each word, the rest starred: "Jean Dupont" gives
    "J*** D***"."""
    return " ".join(word[:keep] + "***" for word in value.split()[:4])


def civility_mentions(value: str) -> list[str]:
    """Persons named after a civility in free text, masked: "Mme D***"."""
    return [
        match.group(0).split()[0] + f" {match.group(1)[0]}***" for match in CIVILITY.finditer(value)
    ]
