"""What a column's name says: the French and English words of the personal-data scan.

A name is folded (accents removed, lower case) and split into words at every non-letter and
at camelCase boundaries; each ``says_*`` tells whether the words point to one kind of
personal data. Names alone never make a finding for numbers (NIR, phone): their values are
checked too (``personal_data.py``).
"""

from __future__ import annotations

import re

from territoria.datastore.personal_values import fold, words


def name_tokens(column: str) -> tuple[str, ...]:
    """The words of a column name: "dateNaissance", "date_naissance" and "Date de naissance"
    give ("date", "naissance"), "Prénom" gives ("prenom",)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", column)
    return tuple(t for t in re.split(r"[^a-z0-9]+", fold(spaced)) if t)


def has(tokens: tuple[str, ...], *words: str) -> bool:
    return any(word in tokens for word in words)


def joined(tokens: tuple[str, ...]) -> str:
    return "_".join(tokens)


# What a column's name says. Each returns True when the name points to that kind.
def says_email(t: tuple[str, ...]) -> bool:
    return has(t, "email", "mail", "courriel", "mel", "emails") or "e_mail" in joined(t)


def says_phone(t: tuple[str, ...]) -> bool:
    return has(t, "telephone", "tel", "portable", "mobile", "phone", "gsm", "telephones")


def says_nir(t: tuple[str, ...]) -> bool:
    text = joined(t)
    if has(t, "nir", "nss", "ssn", "secu") or "securite_sociale" in text:
        return True
    # "numéro INSEE" is the colloquial name of the NIR; "code INSEE" is a commune's code.
    return "insee" in t and has(t, "numero", "num", "no", "n") and not has(t, "code", "commune")


def says_birth(t: tuple[str, ...]) -> bool:
    if has(t, "lieu", "place", "commune", "ville", "pays", "departement"):
        return False
    text = joined(t)
    return has(t, "naissance", "birth", "birthdate", "birthday", "dob", "datenaissance") or (
        text.startswith(("ne_le", "nee_le", "ne_e_le"))
    )


def says_first_name(t: tuple[str, ...]) -> bool:
    text = joined(t)
    return (
        has(t, "prenom", "prenoms", "firstname", "forename", "givenname")
        or "first_name" in text
        or "given_name" in text
    )


PERSON_QUALIFIERS = words(
    "personne agent elu elue titulaire beneficiaire proprietaire demandeur patient contact "
    "representant dirigeant responsable president presidente maire adherent usager client "
    "salarie auteur declarant famille naissance usage marital jeune fille epoux epouse"
)


def says_last_name(t: tuple[str, ...]) -> bool:
    """A surname by name alone: "nom_de_famille", "nom_naissance", "patronyme", "last_name"."""
    text = joined(t)
    if has(t, "patronyme", "lastname", "surname", "familyname") or "last_name" in text:
        return True
    if "family_name" in text:
        return True
    return (
        "nom" in t and len(t) > 1 and all(w in PERSON_QUALIFIERS | {"nom", "de", "du"} for w in t)
    )


def bare_name(t: tuple[str, ...]) -> bool:
    """A bare "nom"/"name"/"nom_prenom": a person only if the values say so."""
    return t in {("nom",), ("name",), ("noms",), ("nom", "complet"), ("full", "name")} or (
        has(t, "nom") and says_first_name(t)
    )


def says_address(t: tuple[str, ...]) -> bool:
    return has(t, "adresse", "address", "adr", "rue", "voie", "domicile", "addr", "street")


def says_home(t: tuple[str, ...]) -> bool:
    return has(t, "domicile", "home", "residence", "personnelle", "perso")


def says_latitude(t: tuple[str, ...]) -> bool:
    return has(t, "lat", "latitude", "y")


def says_longitude(t: tuple[str, ...]) -> bool:
    return has(t, "lon", "lng", "long", "longitude", "x")


def says_legal_category(t: tuple[str, ...]) -> bool:
    text = joined(t)
    return ("categorie" in text or "forme" in text or "nature" in text) and "juridique" in text


FREE_TEXT_WORDS = words(
    "commentaire commentaires observation observations remarque remarques description notes "
    "note message texte details precisions motif objet comment comments"
)
