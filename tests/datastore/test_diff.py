"""The diff of two versions: counts, samples, key choice and whole-row comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.diff import DiffError, diff_versions, key_candidates
from territoria.datastore.errors import QueryTimeout
from territoria.datastore.versions import VersionStore

OLD = """code_insee;nom;population;maj
67482;Strasbourg;290576;01/01/2023
68066;Colmar;67730;01/01/2023
68224;Mulhouse;108038;01/01/2023
57463;Metz;120874;01/01/2023
"""
NEW = """code_insee;nom;population;maj;region
67482;Strasbourg;291313;01/01/2024;GE
68066;Colmar;67730;01/01/2023;GE
54395;Nancy;104321;01/01/2024;GE
57463;Metz;120874;01/01/2023;GE
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> VersionStore:
    return VersionStore(tmp_path_factory.mktemp("diff-store"))


def stage(store: VersionStore, text: str, name: str = "data.csv"):
    path = store.root / name
    path.write_text(text, encoding="utf-8")
    return store.stage(path)


@pytest.fixture(scope="module")
def communes(store):
    return stage(store, OLD), stage(store, NEW)


def test_rows_added_removed_and_changed_are_counted_on_the_default_key(communes):
    old, new = communes
    diff = diff_versions(old, new)
    assert diff.key == "code_insee"
    assert (diff.old_rows, diff.new_rows) == (4, 4)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (1, 1, 1, 2)
    assert diff.columns_added == ["region"]
    assert diff.columns_removed == []
    assert diff.changed_columns == [
        {"name": "population", "count": 1},
        {"name": "maj", "count": 1},
    ]


def test_samples_show_whole_rows_and_the_values_before_and_after(communes):
    old, new = communes
    diff = diff_versions(old, new)
    assert diff.added_sample == [
        {
            "code_insee": "54395",
            "nom": "Nancy",
            "population": 104321,
            "maj": "2024-01-01",
            "region": "GE",
        }
    ]
    assert diff.removed_sample == [
        {"code_insee": "68224", "nom": "Mulhouse", "population": 108038, "maj": "2023-01-01"}
    ]
    assert diff.changed_sample == [
        {
            "key": "67482",
            "changes": [
                {"field": "population", "old": 290576, "new": 291313},
                {"field": "maj", "old": "2023-01-01", "new": "2024-01-01"},
            ],
        }
    ]


def test_the_diff_is_json_able_with_its_unchanged_count(communes):
    data = diff_versions(*communes).as_dict()
    assert data["unchanged"] == 2
    assert data["old_key"] == communes[0].key and data["new_key"] == communes[1].key


def test_rows_can_be_matched_on_another_unique_column(communes):
    diff = diff_versions(*communes, key="nom", sample=0)
    assert diff.key == "nom"
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 1)
    assert diff.added_sample == diff.removed_sample == diff.changed_sample == []


def test_a_repeated_key_is_refused_with_its_reason(communes):
    with pytest.raises(DiffError, match="repeated") as caught:
        diff_versions(*communes, key="maj")
    assert caught.value.code == "key-not-unique"
    assert caught.value.field == "maj"


def test_a_key_missing_from_one_version_is_refused(communes):
    with pytest.raises(DiffError) as caught:
        diff_versions(*communes, key="region")
    assert caught.value.code == "unknown-key"


def test_the_sample_size_is_bounded(communes):
    with pytest.raises(DiffError) as caught:
        diff_versions(*communes, sample=101)
    assert caught.value.code == "sample"


def test_the_default_key_skips_columns_with_repeats(store):
    old = stage(store, "type;id;valeur\nA;1;10\nA;2;20\nB;3;30\n")
    new = stage(store, "type;id;valeur\nA;1;10\nB;2;25\nB;4;40\n")
    diff = diff_versions(old, new)
    assert diff.key == "id"
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 1)
    assert diff.changed_sample[0]["changes"] == [
        {"field": "type", "old": "A", "new": "B"},
        {"field": "valeur", "old": 20, "new": 25},
    ]


def test_without_a_unique_column_rows_are_compared_whole_repeats_included(store):
    old = stage(store, "espece;quartier\nTilleul;Centre\nTilleul;Centre\nÉrable;Nord\n")
    new = stage(store, "espece;quartier\nTilleul;Centre\nÉrable;Nord\nChêne;Sud\nChêne;Sud\n")
    diff = diff_versions(old, new)
    assert diff.key is None
    assert (diff.added, diff.removed, diff.changed) == (2, 1, 0)
    assert diff.added_sample == [{"espece": "Chêne", "quartier": "Sud"}] * 2
    assert diff.removed_sample == [{"espece": "Tilleul", "quartier": "Centre"}]


def test_a_column_whose_type_changed_is_compared_as_text(store):
    old = stage(store, "id;hauteur\n1;12\n2;13\n")
    new = stage(store, "id;hauteur\n1;12\n2;13 m\n")
    diff = diff_versions(old, new)
    assert diff.columns_retyped == [{"name": "hauteur", "old": "integer", "new": "string"}]
    assert (diff.changed, diff.unchanged) == (1, 1)
    assert diff.changed_sample[0]["changes"] == [{"field": "hauteur", "old": "13", "new": "13 m"}]


def test_a_version_compared_with_itself_has_no_difference(communes):
    old, _ = communes
    diff = diff_versions(old, old)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (0, 0, 0, 4)


def test_key_candidates_leave_out_decimals_and_booleans(store):
    old = stage(store, "id;taux;actif;nom\n1;1,5;true;a\n2;2,5;false;b\n")
    assert key_candidates(old, old) == ["id", "nom"]


def test_a_spent_budget_interrupts_the_diff(communes):
    with pytest.raises(QueryTimeout):
        diff_versions(*communes, timeout=0)


# Property: every row of each version is accounted for exactly once.
rows = st.dictionaries(
    st.integers(min_value=1, max_value=30), st.sampled_from(["a", "b", "c"]), max_size=12
)


def _csv(table: dict[int, str]) -> str:
    return "id;lettre\n" + "".join(f"{k};{v}\n" for k, v in sorted(table.items()))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=rows, after=rows)
def test_counts_account_for_every_row_of_both_versions(store, before, after):
    old, new = stage(store, _csv(before)), stage(store, _csv(after))
    diff = diff_versions(old, new, key="id" if before and after else None)
    assert diff.added + diff.changed + diff.unchanged == len(after)
    assert diff.removed + diff.changed + diff.unchanged == len(before)
    if before and after:
        assert diff.added == len(after.keys() - before.keys())
        assert diff.removed == len(before.keys() - after.keys())
        assert diff.changed == sum(1 for k in after.keys() & before.keys() if after[k] != before[k])


def test_versions_of_two_stores_are_not_compared(communes, tmp_path: Path):
    other = VersionStore(tmp_path)
    lone = stage(other, OLD)
    with pytest.raises(DiffError) as caught:
        diff_versions(communes[0], lone)
    assert caught.value.code == "stores"
