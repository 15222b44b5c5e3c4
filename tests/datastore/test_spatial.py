"""DuckDB's spatial extension loads from the installed wheel, with no network."""

import duckdb

from territoria.datastore.spatial import load_spatial, spatial_extension_path


def test_spatial_extension_is_found_for_the_running_duckdb():
    path = spatial_extension_path()
    assert path.is_file()
    assert f"v{duckdb.__version__}" in path.parts


def test_loaded_extension_reads_geojson_and_measures_distances():
    # ST_Distance_Sphere takes points in (latitude, longitude) order, unlike GeoJSON.
    connection = duckdb.connect(config={"autoinstall_known_extensions": False})
    load_spatial(connection)
    wkt, metres = connection.execute(
        """SELECT ST_AsText(ST_GeomFromGeoJSON('{"type":"Point","coordinates":[6.1757,49.1193]}')),
                  ST_Distance_Sphere(ST_Point(49.1193, 6.1757), ST_Point(48.5734, 7.7521))"""
    ).fetchone()
    assert wkt == "POINT (6.1757 49.1193)"
    assert 120_000 < metres < 135_000  # Metz – Strasbourg, about 128 km
