"""The personal-data detector (datastore/personal_data.py): values, column names, the French
corpus with its evasions and false positives, and recall and precision over it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fr import nir

from territoria.datastore.personal_data import SAMPLE_ROWS, scan_parquet
from territoria.datastore.personal_values import (
    birth_date,
    find_emails,
    find_ibans,
    find_nirs,
    find_phones,
    is_full_name,
)
from territoria.datastore.personal_vocabulary import name_tokens, says_nir
from territoria.datastore.readers import read_to_parquet

CORPUS = Path(__file__).parent / "personal_data_corpus"
# Floors for the corpus; the figures measured when it was written are 1.0 and 1.0.
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.9


def _scan(path: Path, work: Path):
    dest = work / (path.stem + ".parquet")
    result = read_to_parquet(path, dest, work_dir=work)
    return scan_parquet(dest, result.schema)


@pytest.mark.parametrize(
    "text",
    [
        "+33 6 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "06 12 34 56 78",
        "06-12-34-56-78",
        "+33 (0)6 12 34 56 78",
        "(0)6 12 34 56 78",
        "0033612345678",
        "appelez le 06 12 34 56 78 demain",
    ],
)
def test_a_mobile_number_is_found_however_it_is_written(text):
    assert find_phones(text, mobiles_only=True) == ["06 ** ** ** 78"]


def test_service_numbers_never_count_and_landlines_only_when_asked():
    assert find_phones("08 00 12 34 56", mobiles_only=False) == []
    assert find_phones("01 45 67 89 10", mobiles_only=True) == []
    assert find_phones("01 45 67 89 10", mobiles_only=False) == ["01 ** ** ** 10"]


def test_a_siret_or_an_insee_code_is_not_a_phone_number():
    assert find_phones("73282932000074", mobiles_only=False) == []
    assert find_phones("2A004", mobiles_only=False) == []


@pytest.mark.parametrize("department", ["2A", "2B", "75", "99"])
def test_a_nir_with_its_key_is_found_corsica_included(department):
    body = f"18505{department}123456"
    number = body + nir.calc_check_digits(body)
    cuts = (0, 1, 3, 5, 7, 10, 13, 15)
    spaced = " ".join(number[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    assert find_nirs(number) == [f"1 85 ** ** *** *** {number[13:]}"]
    assert find_nirs(spaced) == find_nirs(number)
    assert find_nirs(spaced.replace(" ", ".")) == find_nirs(number)


def test_a_nir_with_a_wrong_key_or_without_key_needs_more():
    body = "1850575123456"
    wrong = f"{(int(nir.calc_check_digits(body)) + 1) % 97:02d}"
    assert find_nirs(body + wrong) == []
    assert find_nirs(body) == []
    assert find_nirs(body, without_key=True) == ["1 85 ** ** *** ***"]


def test_an_iban_is_found_with_or_without_spaces_and_checked():
    assert find_ibans("FR76 3000 6000 0112 3456 7890 189") == ["FR76 **** **** **89"]
    assert find_ibans("fr7630006000011234567890189") == ["FR76 **** **** **89"]
    assert find_ibans("FR77 3000 6000 0112 3456 7890 189") == []


def test_emails_of_persons_count_and_service_mailboxes_do_not():
    assert find_emails("jean.dupont@example.fr") == ["j***@e***.fr"]
    assert find_emails("j.dupont [at] mairie-lyon.fr") == ["j***@m***.fr"]
    assert find_emails("écrire à marie(at)orange.fr") == ["m***@o***.fr"]
    assert find_emails("contact@ville.fr, mairie@ville.fr, piscine@ville.fr") == []


def test_birth_dates_are_read_in_french_and_iso_forms():
    today = date(2026, 1, 1)
    assert birth_date("12/05/1985", today) == "19**-**-**"
    assert birth_date("1985-05-12", today) == "19**-**-**"
    assert birth_date("1985", today) is None
    assert birth_date("12/05/2030", today) is None


def test_full_names_are_told_from_places_and_organisations():
    assert is_full_name("Marie DUPONT")
    assert is_full_name("DUPONT Jean-Pierre")
    assert not is_full_name("Saint Jean")
    assert not is_full_name("École Marie Curie")
    assert not is_full_name("Laval")


def test_column_names_are_folded_and_split():
    assert name_tokens("Prénom") == ("prenom",)
    assert name_tokens("dateNaissance") == ("date", "naissance")
    assert name_tokens("Date de naissance") == ("date", "de", "naissance")
    assert name_tokens("N° INSEE") == ("n", "insee")


def test_a_commune_code_is_not_a_nir_column():
    assert says_nir(("numero", "insee"))
    assert not says_nir(("code", "insee"))
    assert not says_nir(("insee", "commune"))


@given(
    st.sampled_from("67"),
    st.lists(st.integers(0, 99), min_size=4, max_size=4),
    st.sampled_from(["", " ", ".", "-"]),
    st.sampled_from(["0", "+33 ", "+33", "0033 ", "+33 (0)"]),
)
def test_any_grouping_of_a_mobile_number_is_found(first, pairs, separator, prefix):
    number = prefix + first + separator + separator.join(f"{p:02d}" for p in pairs)
    assert find_phones(f"tél. {number}.", mobiles_only=True) == [
        f"0{first} ** ** ** {pairs[-1]:02d}"
    ]


@given(st.text(alphabet="abcdefghij ;,-", max_size=60))
def test_text_without_digits_or_at_signs_holds_no_number(text):
    assert find_phones(text, mobiles_only=False) == []
    assert find_nirs(text, without_key=True) == []
    assert find_ibans(text) == []
    assert find_emails(text) == []


def test_the_scan_reads_a_bounded_sample(tmp_path):
    rows = "\n".join(f"{i};marie.dupont{i}@example.fr" for i in range(SAMPLE_ROWS + 500))
    path = tmp_path / "big.csv"
    path.write_text("id;courriel\n" + rows + "\n", encoding="utf-8")
    [finding] = _scan(path, tmp_path)
    assert (finding.kind, finding.sampled_count) == ("email", SAMPLE_ROWS)


def test_a_large_file_is_sampled_in_runs_spread_over_it(tmp_path, monkeypatch):
    import territoria.datastore.personal_data as personal_data

    monkeypatch.setattr(personal_data, "RESERVOIR_MAX_ROWS", 500)
    rows = "\n".join(f"{i};{'jean.martin@example.fr' if i >= 1900 else 'x'}" for i in range(2000))
    path = tmp_path / "late.csv"
    path.write_text("id;courriel\n" + rows + "\n", encoding="utf-8")
    result = read_to_parquet(path, tmp_path / "late.parquet", work_dir=tmp_path)
    [finding] = scan_parquet(tmp_path / "late.parquet", result.schema, sample_rows=100)
    assert (finding.kind, finding.sampled_count, finding.matched_count) == ("email", 100, 5)


def _corpus_scores(tmp_path: Path) -> tuple[float, float, set, set]:
    with (CORPUS / "expected.csv").open(encoding="utf-8") as handle:
        expected = {(r["file"], r["column"], r["kind"]) for r in csv.DictReader(handle)}
    found = set()
    for path in sorted(CORPUS.glob("*.csv")):
        if path.name != "expected.csv":
            found |= {(path.name, f.column, f.kind) for f in _scan(path, tmp_path)}
    hits = expected & found
    return len(hits) / len(expected), len(hits) / max(len(found), 1), expected, found


def test_recall_and_precision_over_the_french_corpus(tmp_path):
    recall, precision, expected, found = _corpus_scores(tmp_path)
    assert recall >= RECALL_FLOOR, sorted(expected - found)
    assert precision >= PRECISION_FLOOR, sorted(found - expected)


def test_false_positives_of_the_corpus_give_no_finding(tmp_path):
    for name in (
        "communes",
        "equipements",
        "entreprises",
        "mesures",
        "agency",
        "associations",
        "naissances",
    ):
        assert _scan(CORPUS / f"{name}.csv", tmp_path) == [], name


def test_findings_carry_masked_examples_and_counts(tmp_path):
    findings = {(f.column, f.kind): f for f in _scan(CORPUS / "agents.csv", tmp_path)}
    nir_finding = findings[("nir", "nir")]
    assert (nir_finding.matched_count, nir_finding.sampled_count) == (8, 8)
    assert all(example.count("*") >= 9 for example in nir_finding.examples)
    assert findings[("telephone", "phone")].examples[0] == "06 ** ** ** 78"
    assert 0 < findings[("prenom", "first_name")].confidence <= 1
    assert ("code_insee", "nir") not in findings
