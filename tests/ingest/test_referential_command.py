"""`territoria referential build`: the referential table the processing steps join."""

import duckdb
import pytest
from django.core.management import CommandError, call_command

from territoria.demo.referential import CENTRES_SOURCE_LABEL
from tests.datastore.test_centres import geonames_row, write_geonames
from tests.datastore.test_steps import MINI_COG, write_archive


@pytest.fixture(autouse=True)
def _no_geonames_archive(settings, tmp_path):
    """Tests give the GeoNames archive they mean; none by default (not the one in var/)."""
    settings.CENTRES_ARCHIVE = tmp_path / "no-geonames.tgz"


def test_build_writes_the_table_with_the_centres_given(tmp_path, capsys):
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    centres = tmp_path / "centres.csv"
    centres.write_text("code;latitude;longitude\n01001;46.1534;4.9260\n", encoding="utf-8")
    output = tmp_path / "communes.parquet"
    call_command("referential", "build", archive=archive, centres=centres, output=output)
    printed = capsys.readouterr()
    assert printed.out.strip() == f"{output}: 4 communes, 2 with a centre"
    # Without the GeoNames archive: one line saying so and how to get it, then the build.
    assert printed.err.count("\n") == 1
    assert "no-geonames.tgz is missing" in printed.err and "fetch-centres" in printed.err
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


def test_build_takes_geonames_then_the_demo_places_then_the_csv(tmp_path, capsys, settings):
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    settings.CENTRES_ARCHIVE = write_geonames(
        tmp_path / "geonames.tgz",
        [
            geonames_row("Metz", 49.12, 6.18, "PPLA2", "57463", 120_000),
            geonames_row("L'Abergement", 46.15, 4.92, "PPL", "01001", 860),
            geonames_row("Ajaccio", 41.91886, 8.73812, "PPLA", "2A004", 54_364),
            geonames_row("Ancienne commune", 45.0, 5.0, "PPL", "01999", 600),
        ],
    )
    centres = tmp_path / "centres.csv"
    centres.write_text("code,latitude,longitude\n01001,46.1534,4.9260\n", encoding="utf-8")
    output = tmp_path / "communes.parquet"
    call_command("referential", "build", archive=archive, centres=centres, output=output)
    assert capsys.readouterr().out.splitlines() == [
        f"{settings.CENTRES_ARCHIVE}: 4 commune centres from {CENTRES_SOURCE_LABEL}",
        f"{output}: 4 communes, 3 with a centre",
    ]
    rows = duckdb.sql(
        f"SELECT code, latitude, longitude FROM read_parquet('{output}') ORDER BY code"
    ).fetchall()
    # 01001 from the CSV over GeoNames, Metz from the demo's places over GeoNames, Ajaccio
    # from GeoNames alone; no centre for Marseille's arrondissement, which GeoNames lacks.
    assert rows == [
        ("01001", 46.1534, 4.926), ("13201", None, None), ("2A004", 41.91886, 8.73812),
        ("57463", 49.1193, 6.1757),
    ]  # fmt: skip


def test_build_refuses_a_corrupt_geonames_archive_in_one_line(tmp_path, settings):
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    settings.CENTRES_ARCHIVE = tmp_path / "geonames.tgz"
    settings.CENTRES_ARCHIVE.write_bytes(b"\x1f\x8b broken")
    with pytest.raises(CommandError, match="cannot read the GeoNames archive") as error:
        call_command("referential", "build", archive=archive, output=tmp_path / "t.parquet")
    assert "\n" not in str(error.value)
