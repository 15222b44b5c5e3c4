"""The portal speaks French by default and English to those who ask for it."""

import ast
import gettext
import re
from pathlib import Path

from django.urls import reverse


def test_home_speaks_french_by_default(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Jeux de données" in html
    assert "Aller au contenu principal" in html
    assert "Se connecter" in html


def test_browser_asking_for_english_still_gets_french_until_the_visitor_chooses(client, db):
    """French first: Accept-Language alone does not switch the portal to English."""
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in html
    assert "Jeux de données" in html


def test_chosen_english_gets_english(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Datasets" in html
    assert "Skip to main content" in html
    assert "Jeux de données" not in html


def test_language_cookie_selects_english(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:search")).content.decode()
    assert "Sign in" in html
    assert "No dataset matches your search." in html


def test_language_switcher_sets_the_cookie_and_returns_to_the_page(client, db):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:organisations")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:organisations")
    html = client.get(reverse("portal:organisations")).content.decode()
    assert "<h1>Organisations</h1>" in html
    assert "Change" in html  # the switcher's button, in English now


def test_vocabulary_labels_are_translated(client, make_dataset):
    make_dataset("qualite-air", themes=["ENVI"], domains=["environnement-amenagement"])
    french = client.get(reverse("portal:dataset", args=["qualite-air"])).content.decode()
    assert "Environnement et aménagement du territoire" in french
    assert "Licence Ouverte / Open Licence 2.0" in french
    assert "Inconnue" in french  # frequency UNKNOWN
    client.cookies["django_language"] = "en"
    english = client.get(reverse("portal:dataset", args=["qualite-air"])).content.decode()
    assert "Environment and land planning" in english


def test_translation_catalogue_is_complete_and_compiled():
    """Every message of the fr catalogue is translated, none fuzzy, and the .mo is fresh."""
    locale = Path(__file__).resolve().parents[2] / "territoria" / "locale" / "fr" / "LC_MESSAGES"
    po = (locale / "django.po").read_text()
    assert "fuzzy" not in po  # header included: a fuzzy header loses the plural rule
    untranslated = [msgid for msgid, msgstrs in _po_entries(po) if msgid and not all(msgstrs)]
    assert untranslated == []
    # The compiled catalogue says the same as the source (a stale .mo would serve old texts).
    with (locale / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstrs in _po_entries(po)
        if msgid and len(msgstrs) == 1 and compiled.gettext(msgid) != msgstrs[0]
    ]
    assert stale == []


def _po_entries(po: str):
    """(msgid, [msgstr…]) of each entry of a .po text, continuation lines joined."""
    for block in po.split("\n\n"):
        current, values = None, {}
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                values[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                values[current] += ast.literal_eval(line)
        if "msgid" in values:
            msgid = values["msgid"]
            if "msgctxt" in values:
                msgid = f"{values['msgctxt']}\x04{msgid}"
            yield msgid, [v for k, v in values.items() if k.startswith("msgstr")]
