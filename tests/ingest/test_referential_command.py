"""`territoria referential build`: the referential table the processing steps join."""

import duckdb
import pytest
from django.core.management import CommandError, call_command

from tests.datastore.test_steps import MINI_COG, write_archive


def test_build_writes_the_table_with_the_centres_given(tmp_path, capsys):
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    centres = tmp_path / "centres.csv"
    centres.write_text("code;latitude;longitude\n01001;46.1534;4.9260\n", encoding="utf-8")
    output = tmp_path / "communes.parquet"
    call_command("referential", "build", archive=archive, centres=centres, output=output)
    assert capsys.readouterr().out.strip() == f"{output}: 4 communes, 2 with a centre"
    rows = duckdb.sql(
        f"SELECT code, latitude, longitude FROM read_parquet('{output}') ORDER BY code"
    ).fetchall()
    # 57463 (Metz) comes from the demo's town centres, 01001 from the CSV.
    assert rows == [
        ("01001", 46.1534, 4.926), ("13201", None, None), ("2A004", None, None),
        ("57463", 49.1193, 6.1757),
    ]  # fmt: skip


def test_build_explains_a_missing_archive_or_a_bad_centre(tmp_path):
    with pytest.raises(CommandError, match="COG archive .* is missing: run `make demo`"):
        call_command("referential", "build", archive=tmp_path / "none.tgz")
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    centres = tmp_path / "centres.csv"
    centres.write_text("code,latitude,longitude\n01001,north,4.9\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: expected code,latitude,longitude"):
        call_command("referential", "build", archive=archive, centres=centres)
